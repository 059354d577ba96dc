"""Last-mile logistics entropy: one run = one set of cities and one consolidation configuration.

Gerrits & van Heeswijk, "On the Entropy in Last-Mile Logistics" (arXiv 2605.00008), as
reconstructed in the reference notes (the paper's body was not available): outputs are labelled
"reconstructed model". A run builds its cities (a seeded synthetic city in the Amazon challenge
schema, or the real challenge files), measures every route's structural entropy, both
normalisations and its depot-to-depot length, fits the entropy–distance power law per city and
pooled, and evaluates carrier, customer and system entropy of one spatial/temporal consolidation
configuration per city.

There is no time evolution: the run has a single record at step 0 (``advance`` only counts steps).
Reproducibility comes from the SeedSequence alone: the city from child 0, the consolidation draws
of city k from child (1, k); sweep points with the same member share both (common random numbers).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
import xarray as xr
from pydantic import model_validator

from sims.core import state_checks as checks
from sims.core.scenario import ParamError, StrictModel, param
from sims.core.simulation import Model
from sims.lastmile import scaling
from sims.lastmile.consolidation import ConsolidationSpec, consolidate, customers_of
from sims.lastmile.dataset import assemble
from sims.lastmile.distance import route_lengths
from sims.lastmile.loader import RouteDataError, find_files, load_routes
from sims.lastmile.structure import ZONE_BASED, route_entropy
from sims.lastmile.synthetic import SyntheticCities, generate_cities

CITY_STREAM, CONSOLIDATION_STREAM = 0, 1
BYTES_PER_STOP = 400  # table columns, entropy and distance per stop, with their copies
BYTES_PER_PACKAGE = 120
BYTES_PER_CUSTOMER_DAY = 64  # consolidation draws
JSON_BYTES_PER_STOP = 200  # at least this much of the challenge files per stop
STOPS_SPREADS = 4  # routes are drawn up to this many standard deviations above the mean


class StructureSpec(StrictModel):
    """What a delivery event and a cell are (see :mod:`sims.lastmile.structure`)."""

    cells: Literal["zone", "zone_time_window", "stop", "package"] = param(
        "zone",
        units="1",
        description="Cells of W = N!/Π n_i!: zone, zone_time_window, stop, package",
    )
    event_unit: Literal["stop", "package"] = param(
        "stop", units="1", description="A delivery event: a Dropoff stop or one of its packages"
    )
    missing_zone: Literal["nearest", "own_cell", "drop"] = param(
        "nearest", units="1", description="Rule for Dropoffs without zone_id"
    )
    normalisation_cells: Literal["occupied", "station"] = param(
        "occupied",
        units="1",
        description="M of ln W_max and ln M: occupied cells, or all cells seen at the station",
    )

    @model_validator(mode="after")
    def _consistent(self) -> StructureSpec:
        if self.cells == "package" and self.event_unit != "package":
            raise ParamError("cells", "package cells need event_unit: package", self.cells)
        if self.normalisation_cells == "station" and self.cells not in ZONE_BASED:
            raise ParamError(
                "normalisation_cells",
                "station needs zone or zone_time_window cells",
                self.cells,
            )
        return self


class DistanceSpec(StrictModel):
    """Route length along the driven sequence, depot to depot."""

    mode: Literal["haversine", "travel_time"] = param(
        "haversine", units="1", description="Great-circle length (km) or summed travel time (s)"
    )
    circuity: float = param(
        1.0, units="1", description="Road / straight-line factor on haversine lengths", gt=0
    )
    include_stem: bool = param(
        True,
        units="1",
        description="Count the depot legs (closed tour); false: only legs between Dropoffs",
    )


class LastMileParams(StrictModel):
    """Parameters of one last-mile run."""

    source: Literal["synthetic", "amazon"] = param(
        "synthetic", units="1", description="Synthetic cities, or the Amazon challenge files"
    )
    data_dir: str | None = param(
        None, units="1", description="Folder of the Amazon challenge files (source: amazon)"
    )
    station_prefixes: tuple[str, ...] = param(
        (), units="1", description="Keep only Amazon routes of these station prefixes (empty: all)"
    )
    max_routes: int | None = param(
        None, units="1", description="Read at most this many Amazon routes", ge=1
    )
    synthetic: SyntheticCities = param(
        SyntheticCities(), units="1", description="Synthetic city generator"
    )
    structure: StructureSpec = param(StructureSpec(), units="1", description="Structural entropy")
    distance: DistanceSpec = param(DistanceSpec(), units="1", description="Route distance")
    consolidation: ConsolidationSpec = param(
        ConsolidationSpec(), units="1", description="Consolidation configuration"
    )

    @model_validator(mode="after")
    def _consistent(self) -> LastMileParams:
        if self.source == "amazon":
            if self.data_dir is None:
                raise ParamError("data_dir", "is required with source: amazon")
            if not Path(self.data_dir).expanduser().is_dir():
                raise ParamError("data_dir", "no such directory", self.data_dir)
            try:
                find_files(Path(self.data_dir).expanduser())
            except RouteDataError as error:
                raise ParamError("data_dir", str(error), self.data_dir) from None
        return self


class LastMileModel(Model):
    """Structural and system-wide entropy of last-mile routes (see module docstring)."""

    Params = LastMileParams
    MAY_BE_UNDEFINED = frozenset({"distance"})  # routes without travel times

    def __init__(self, params: LastMileParams, seed_sequence: np.random.SeedSequence):
        super().__init__(params, seed_sequence)
        if params.source == "amazon":
            self.table = load_routes(
                Path(params.data_dir).expanduser(),
                stations=params.station_prefixes,
                max_routes=params.max_routes,
            )
        else:
            self.table = generate_cities(
                params.synthetic, np.random.default_rng(self._child(CITY_STREAM))
            )

    def _child(self, *key: int) -> np.random.SeedSequence:
        parent = self.seed_sequence
        return np.random.SeedSequence(parent.entropy, spawn_key=(*parent.spawn_key, *key))

    def record_steps(self) -> np.ndarray:
        """A single record at step 0: the measures have no time evolution."""
        return np.array([0], dtype=np.int64)

    def advance(self, n_steps: int) -> None:
        """Count ``n_steps`` (there is no dynamics to advance)."""
        self.step_count += n_steps

    def observe(self) -> dict[str, Any]:
        """Every route's entropy and distance, the scaling fits, and per-city consolidation."""
        params, table = self.params, self.table
        spec = params.structure
        entropy = route_entropy(
            table, spec.cells, spec.event_unit, spec.missing_zone, spec.normalisation_cells
        )
        distance = route_lengths(
            table, params.distance.mode, params.distance.circuity, params.distance.include_stem
        )
        route_city = table.city
        cities = list(dict.fromkeys(route_city))
        fits = scaling.fit_by_group(entropy.ln_w, distance, route_city)
        size_fits = scaling.fit_by_group(entropy.n_events, distance, route_city)
        results = []
        for index, city in enumerate(cities):
            one_city = table.select(np.flatnonzero(route_city == city))
            customers = customers_of(one_city, spec.missing_zone)
            rng = np.random.default_rng(self._child(CONSOLIDATION_STREAM, index))
            results.append(consolidate(customers, params.consolidation, rng))
        return {
            "step": self.step_count,
            "entropy": entropy,
            "distance": distance,
            "route_city": route_city,
            "cities": cities,
            "fits": {name: fits[name] for name in [*cities, "pooled"]},
            "size_fits": {name: size_fits[name] for name in [*cities, "pooled"]},
            "consolidation": results,
        }

    def to_dataset(self, records: list[dict[str, Any]]) -> xr.Dataset:
        """Per-route, per-city and per-fit variables with units (:mod:`sims.lastmile.dataset`)."""
        return assemble(self, records[-1])

    def get_state(self) -> dict[str, Any]:
        """Nothing evolves: the table is rebuilt from the parameters and the seed."""
        return {}

    def check_state(self, state: dict[str, Any]) -> None:
        """The state is empty (its layout is checked before this)."""
        checks.require(state == {}, "a last-mile state holds nothing")

    @classmethod
    def cost_estimate(cls, params: LastMileParams) -> float:
        """Stops measured and consolidated (one Amazon run counts as a large synthetic one)."""
        if params.source == "amazon":
            return 1e7 * params.consolidation.days
        spec = params.synthetic
        stops = len(spec.stations) * spec.routes_per_city * spec.stops_per_route
        return stops * params.consolidation.days

    @classmethod
    def memory_estimate(cls, params: LastMileParams) -> float:
        """Route table, per-route measures and consolidation draws (B).

        Synthetic cities: from their size; Amazon files: their size on disk bounds the table.
        """
        days = params.consolidation.days
        if params.source == "amazon":
            files = find_files(Path(params.data_dir).expanduser()).values()
            size = sum(path.stat().st_size for path in files if path is not None)
            return 2.0 * size + BYTES_PER_CUSTOMER_DAY * days * size / JSON_BYTES_PER_STOP
        spec = params.synthetic
        stops_per_route = spec.stops_per_route + STOPS_SPREADS * spec.stops_spread
        city_stops = spec.routes_per_city * stops_per_route
        stops = len(spec.stations) * city_stops
        packages = stops * (1 + spec.packages_per_stop_extra)
        matrices = 8 * stops * (stops_per_route + 1) if spec.travel_times else 0
        consolidation = BYTES_PER_CUSTOMER_DAY * city_stops * days
        return BYTES_PER_STOP * stops + BYTES_PER_PACKAGE * packages + matrices + consolidation

    def set_state(self, state: dict[str, Any]) -> None:
        """Nothing to restore (see :meth:`get_state`)."""

    @classmethod
    def summarize(cls, dataset: xr.Dataset) -> str:
        """Routes, mean normalised entropy, pooled scaling exponent, system entropy change."""
        pooled = dataset.sel(fit_group="pooled")
        change = float((dataset.s_system / dataset.s_baseline_daily - 1).mean())
        n_cities = dataset.sizes["city"]
        cities = f"{n_cities} {'city' if n_cities == 1 else 'cities'}"
        return (
            f"{dataset.sizes['route']} routes in {cities}; "
            f"mean eta_B {float(dataset.eta_boltzmann.mean()):.4f}; pooled distance ~ S^"
            f"{float(pooled.scaling_exponent):.3f} (R^2 {float(pooled.scaling_r_squared):.3f}); "
            f"carrier entropy {-100 * float(dataset.carrier_reduction.mean()):+.1f}%, "
            f"system {100 * change:+.1f}% (mean over cities)"
        )
