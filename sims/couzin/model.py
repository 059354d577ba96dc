"""Couzin's 3-D zone model of fish schools (Couzin, Krause, James, Ruxton & Franks 2002).

N agents move at constant speed s in three dimensions. Each one repels from neighbours within
r_r, aligns with those in the orientation shell of width Δr_o, is attracted to those in the
attraction shell of width Δr_a beyond it, and does not perceive neighbours in the blind volume
behind it (a cone of half-angle 180° - α/2 for a field of perception α). Headings turn toward the
(noisy) desired direction by at most θΔt per step (see :mod:`sims.couzin.kernels`). Lengths are
in body lengths (BL) and times in seconds. Varying the zone widths alone gives the paper's four
collective states: swarm, torus, dynamic parallel and highly parallel.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import xarray as xr
from pydantic import model_validator

from sims.core import state_checks as checks
from sims.core.record_log import memory_of_records
from sims.core.rng import children, xoshiro_state
from sims.core.scenario import ParamError, StrictModel, check_multiple, param
from sims.core.simulation import Model
from sims.couzin import diagnostics, kernels, neighbourhood
from sims.couzin.analysis import steady_state
from sims.couzin.dataset import assemble
from sims.couzin.observe import observe_school

BOUNDARIES = {
    "unbounded": kernels.UNBOUNDED,
    "periodic": kernels.PERIODIC,
    "reflecting": kernels.REFLECTING,
}
SEARCHES = {"all_pairs": kernels.ALL_PAIRS, "cells": kernels.CELL_LIST, "auto": kernels.AUTO}
INITIAL_SPACING = 0.75  # BL: default initial sphere radius is this times N^(1/3)
MIN_PERIODIC_CELLS = 3  # a periodic cell list needs 3 distinct cells per side
UNIT_TOLERANCE = 1e-9  # |e| - 1 of a checkpointed heading
# Memory of a record's observation per agent (B): two cell lists, sorted copies, the group
# forest, the k nearest distances, the entropies' temporaries and 16 B per thread (pair
# buffers); its peak measured 210-310 B per agent (N = 2e4 to 2e5, two threads)
BYTES_PER_OBSERVED_AGENT = 512
BYTES_PER_RECORD = 4096  # scalars of one record in a dict, and their stacked copy
OBSERVE_COST = 1  # an observation of a compact school costs about one step (cost_estimate)


class CouzinParams(StrictModel):
    """Parameters of one Couzin run (defaults: Couzin et al. 2002, Fig. 3 caption values)."""

    n_agents: int = param(100, units="1", description="Number of agents N", ge=2)
    repulsion_radius: float = param(
        1.0, units="BL", description="Radius r_r of the zone of repulsion", gt=0
    )
    orientation_width: float = param(
        3.0, units="BL", description="Width Δr_o of the zone of orientation", ge=0
    )
    attraction_width: float = param(
        12.0, units="BL", description="Width Δr_a of the zone of attraction", ge=0
    )
    field_of_perception: float = param(
        270.0,
        units="degree",
        description="Field of perception α (360 = no blind volume)",
        gt=0,
        le=360,
    )
    turning_rate: float = param(40.0, units="degree/s", description="Maximum turning rate θ", gt=0)
    speed: float = param(3.0, units="BL/s", description="Constant speed s", gt=0)
    noise: float = param(
        0.05,
        units="rad",
        description="Standard deviation σ of the wrapped-Gaussian heading noise per step",
        ge=0,
        le=math.pi,
    )
    time_step: float = param(0.1, units="s", description="Time step Δt", gt=0)
    duration: float = param(
        300.0, units="s", description="Model time to run (a multiple of Δt)", gt=0
    )
    record_interval: float = param(
        1.0, units="s", description="Time between records (a multiple of Δt)", gt=0
    )
    snapshot_stride: int = param(
        10,
        units="1",
        description="Store positions and headings every this many records (0: never)",
        ge=0,
    )
    boundary: Literal["unbounded", "periodic", "reflecting"] = param(
        "unbounded",
        units="1",
        description="Space: open (the paper), periodic box or reflecting box",
    )
    box_size: float = param(
        25.0,
        units="BL",
        description="Side L of the periodic or reflecting box; in open space only the length "
        "scale L of osi_reference",
        gt=0,
    )
    initial: Literal["random", "aligned"] = param(
        "random", units="1", description="Initial headings: isotropic (the paper) or all along +x"
    )
    initial_region: Literal["sphere", "box"] = param(
        "sphere",
        units="1",
        description="Initial positions: uniform in a sphere, or in the whole box",
    )
    initial_radius: float | None = param(
        None,
        units="BL",
        description=f"Radius of the initial sphere; default {INITIAL_SPACING} N^(1/3)",
        gt=0,
    )
    neighbour_search: Literal["auto", "cells", "all_pairs"] = param(
        "auto",
        units="1",
        description=f"Neighbour search: hashed cell list, all pairs, or auto (each step: all "
        f"pairs below {kernels.ALL_PAIRS_BELOW} agents or for a school spanning fewer than "
        f"{kernels.COMPACT_CELLS} perception radii, cells otherwise)",
    )
    entropies: Literal["all", "corrected", "none"] = param(
        "all",
        units="1",
        description="Schooling entropies recorded: corrected and reference (paper; its velocity "
        "correlation takes all N(N-1)/2 pairs, O(N^2) time per record), corrected only, or none",
    )

    @model_validator(mode="after")
    def _consistent(self) -> CouzinParams:
        for key in ("duration", "record_interval"):
            check_multiple(self, key, "time_step", positive=True)
        if self.record_interval > self.duration:
            raise ParamError(
                "record_interval", f"must be at most duration={self.duration}", self.record_interval
            )
        if self.boundary == "periodic" and self.perception_radius >= self.box_size / 2:
            raise ParamError(
                "box_size",
                f"must exceed twice the perception radius r_r + Δr_o + Δr_a = "
                f"{self.perception_radius:g} BL in a periodic box",
                self.box_size,
            )
        if self.boundary == "unbounded" and self.initial_region == "box":
            raise ParamError("initial_region", "'box' needs a periodic or reflecting box", "box")
        if self.initial_region == "sphere" and self.boundary != "unbounded":
            if 2 * self.sphere_radius > self.box_size:
                raise ParamError(
                    "initial_radius",
                    f"the initial sphere (radius {self.sphere_radius:g} BL) must fit in the box",
                    self.initial_radius,
                )
        if self.neighbour_search == "cells" and self.boundary == "periodic":
            if self.periodic_cells < MIN_PERIODIC_CELLS:
                raise ParamError(
                    "neighbour_search",
                    f"a periodic cell list needs box_size >= {MIN_PERIODIC_CELLS} x perception "
                    f"radius ({MIN_PERIODIC_CELLS * self.perception_radius:g} BL)",
                    "cells",
                )
        return self

    @property
    def perception_radius(self) -> float:
        """Outer radius of the zone of attraction, ``r_r + Δr_o + Δr_a`` (BL)."""
        return self.repulsion_radius + self.orientation_width + self.attraction_width

    @property
    def sphere_radius(self) -> float:
        """Radius of the initial sphere (BL)."""
        return self.initial_radius or INITIAL_SPACING * self.n_agents ** (1 / 3)

    @property
    def periodic_cells(self) -> int:
        """Cells per side of a periodic cell list (each at least the perception radius)."""
        return int(self.box_size // self.perception_radius)

    @property
    def total_steps(self) -> int:
        """Steps of the whole run."""
        return round(self.duration / self.time_step)

    @property
    def record_stride(self) -> int:
        """Steps between records."""
        return round(self.record_interval / self.time_step)

    @property
    def search(self) -> str:
        """The neighbour search handed to the kernels.

        All pairs in a periodic box too small for a cell list, otherwise as set.
        """
        too_few_cells = self.boundary == "periodic" and self.periodic_cells < MIN_PERIODIC_CELLS
        return "all_pairs" if too_few_cells else self.neighbour_search

    @property
    def zones(self) -> np.ndarray:
        """Kernel zone constants: squared radii (BL²) and the blind-volume cosine."""
        orientation = self.repulsion_radius + self.orientation_width
        blind_cosine = math.cos(math.radians(self.field_of_perception) / 2)
        if self.field_of_perception >= 360:
            blind_cosine = -2.0  # nothing is behind a full field of perception
        return np.array(
            [self.repulsion_radius**2, orientation**2, self.perception_radius**2, blind_cosine]
        )

    @property
    def geometry(self) -> np.ndarray:
        """Kernel geometry: box side, turn cap θΔt (rad), step length sΔt."""
        return np.array(
            [
                self.box_size,
                math.radians(self.turning_rate) * self.time_step,
                self.speed * self.time_step,
            ]
        )


def initial_state(params: CouzinParams, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Initial positions and unit headings (BL, shape (N, 3) each)."""
    n = params.n_agents
    if params.initial_region == "box":
        positions = rng.uniform(0.0, params.box_size, size=(n, 3))
    else:
        directions = rng.normal(size=(n, 3))
        directions /= np.linalg.norm(directions, axis=1, keepdims=True)
        radii = params.sphere_radius * rng.random(n) ** (1 / 3)
        positions = directions * radii[:, None]
        if params.boundary != "unbounded":
            positions += params.box_size / 2
    if params.initial == "aligned":
        headings = np.tile([1.0, 0.0, 0.0], (n, 1))
    else:
        headings = rng.normal(size=(n, 3))
        headings /= np.linalg.norm(headings, axis=1, keepdims=True)
    return positions, headings


class CouzinModel(Model):
    """A Couzin school (see the module docstring)."""

    Params = CouzinParams

    def __init__(self, params: CouzinParams, seed_sequence: np.random.SeedSequence):
        super().__init__(params, seed_sequence)
        initial_seed, noise_seed = children(seed_sequence, 2)
        self.positions, self.headings = initial_state(params, np.random.default_rng(initial_seed))
        self.rng_state = xoshiro_state(noise_seed)
        self.perceived_pairs = 0
        self.boundary = BOUNDARIES[params.boundary]
        self.geometry = params.geometry
        self._use(params)

    def _use(self, params: CouzinParams) -> None:
        """Take the zones, noise and neighbour search of ``params`` for the next steps."""
        self.applied_params = params
        self.search = SEARCHES[params.search]
        self.zones, self.noise = params.zones, params.noise

    def record_steps(self) -> np.ndarray:
        """Every ``record_interval`` from t = 0 to the end."""
        params = self.params
        return np.arange(0, params.total_steps + 1, params.record_stride, dtype=np.int64)

    def advance(self, n_steps: int) -> None:
        """Advance ``n_steps`` steps of Δt (jitted; chunk-invariant)."""
        self.perceived_pairs += int(
            kernels.advance(
                self.positions,
                self.headings,
                n_steps,
                self.zones,
                self.geometry,
                self.boundary,
                self.search,
                self.noise,
                self.rng_state,
            )
        )
        self.step_count += n_steps

    def observe(self) -> dict[str, Any]:
        """Order parameters, group structure, entropies and (every few records) a snapshot."""
        record = {"step": self.step_count, "perceived_pairs": self.perceived_pairs}
        record.update(observe_school(self.applied_params, self.positions, self.headings))
        stride = self.params.snapshot_stride
        if stride and (self.step_count // self.params.record_stride) % stride == 0:
            record["positions"] = self.positions.copy()
            record["headings"] = self.headings.copy()
        return record

    def get_state(self) -> dict[str, Any]:
        """Positions, headings, RNG state and the perceived-pair counter."""
        return {
            "positions": self.positions.copy(),
            "headings": self.headings.copy(),
            "rng_state": self.rng_state.copy(),
            "perceived_pairs": self.perceived_pairs,
        }

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`get_state`'s output."""
        self.positions[...] = state["positions"]
        self.headings[...] = state["headings"]
        self.rng_state[...] = state["rng_state"]
        self.perceived_pairs = state["perceived_pairs"]

    def check_state(self, state: dict[str, Any]) -> None:
        """Finite positions (inside a periodic box), unit headings, a live RNG state."""
        checks.finite(state, "positions", "headings")
        norms = np.linalg.norm(state["headings"], axis=1)
        checks.require(np.all(np.abs(norms - 1) < UNIT_TOLERANCE), "headings are not unit vectors")
        if self.params.boundary == "periodic":
            positions = state["positions"]
            inside = np.all((positions >= 0) & (positions <= self.params.box_size))
            checks.require(inside, "positions lie outside the periodic box")
        checks.xoshiro(state)
        checks.counter(state, "perceived_pairs")

    @classmethod
    def memory_estimate(cls, params: CouzinParams) -> float:
        """Agents, a record's observation (O(N), no pair list), records in memory (B)."""
        n = params.n_agents
        observe = BYTES_PER_OBSERVED_AGENT * n
        records = params.total_steps // params.record_stride + 1
        snapshots = records // params.snapshot_stride + 1 if params.snapshot_stride else 0
        snapshot = 2 * 3 * 8 * n
        kept = memory_of_records(records * BYTES_PER_RECORD, snapshots * snapshot, snapshot)
        return 200 * n + observe + kept

    @classmethod
    def cost_estimate(cls, params: CouzinParams) -> float:
        """Agent updates: steps × agents, plus an observation's worth per record."""
        records = params.total_steps // params.record_stride + 1
        return params.n_agents * (params.total_steps + OBSERVE_COST * records)

    def time_at(self, step: int) -> float:
        """Seconds."""
        return step * self.params.time_step

    @classmethod
    def protocol_clock(cls, params: CouzinParams) -> tuple[float, int]:
        """Time step Δt (s) and the last step."""
        return params.time_step, params.total_steps

    def apply_protocol(self, values: dict[str, float]) -> None:
        """Use these zone widths (BL) or noise (rad) from the next step on.

        The records' groups and perceived neighbours follow the current perception radius.
        """
        self._use(self.params.model_copy(update=values))

    def to_dataset(self, records: list[dict[str, Any]]) -> xr.Dataset:
        """Time series, snapshots and parameters of the run (see :mod:`sims.couzin.dataset`)."""
        return assemble(self.params, records)

    @classmethod
    def summarize(cls, dataset: xr.Dataset) -> str:
        """Agents, duration, second-half mean P and M, the regime, and the OSI."""
        late = steady_state(dataset)
        p, m = float(late.polarization.mean()), float(late.milling.mean())
        line = (
            f"N={dataset.sizes['agent']}, t=0..{float(dataset.time[-1]):g} s; second half: "
            f"P={p:.3f}, M={m:.3f} ({diagnostics.regime(p, m)}), "
            f"groups={float(late.groups.mean()):.2g}"
        )
        if "osi" in dataset:
            line += f", OSI={float(late.osi.mean()):.3f}"
        return line

    @classmethod
    def warm_up(cls) -> None:
        """Compile the kernels (all boundaries and searches share one compilation)."""
        for boundary in ("unbounded", "periodic"):
            params = CouzinParams(
                n_agents=8,
                boundary=boundary,
                neighbour_search="cells",
                box_size=60.0,
                duration=0.2,
                record_interval=0.1,
            )
            cls(params, np.random.SeedSequence(0)).advance(2)
        neighbourhood.warm_up()
