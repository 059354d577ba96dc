"""PECCARY model: generate many time series side by side, then classify them on the CH plane.

A step is one sample of every series: each generator records its current state and advances by
its own sample interval (one iteration of a map, ``sample_interval / time_step`` integrator steps
of a flow or an orbit, the next value of a noise). The samples accumulate in a buffer that is
part of the state, so the run checkpoints and resumes like any other. When the last sample is in,
:meth:`PeccaryModel.to_dataset` runs the PECCARY workflow (:mod:`sims.peccary.workflow`) and
writes series, invariants and the complexity–entropy results with dims ``series``/``delay``.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Literal

import numpy as np
import xarray as xr
from pydantic import ValidationInfo, model_validator

from analysis import ordinal
from analysis.ordinal.surrogates import MAX_SURROGATE_BYTES, WORKSPACE_BYTES_PER_VALUE
from sims.core import state_checks as checks
from sims.core.output import NAN_MEANING, QUALITY_INFORMATION
from sims.core.scenario import ParamError, StrictModel, param
from sims.core.simulation import Model, NonFiniteValue
from sims.peccary import datafile, determinism, generators, specs, workflow

NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
POPULATION_NAME = "population"
TIE_BREAKING_STREAM = "(tie breaking)"
"""Name of the seed stream of the ``ties="random"`` keys (no series name has brackets)."""
NO_INVARIANT = "no invariant (a noise, a map or a dissipative flow)"
EVOLVING_STATE = {"rng", "map", "flow", "phase"}  # generator state that changes as samples come
NOISE_KINDS = ("coloured_noise", "fractional_brownian_motion")  # realisations drawn at the start
BYTES_PER_NOISE_SAMPLE = 56  # a realisation and its circulant-embedding FFT (complex, 2x length)
DEFAULT_SERIES = {
    "sine": specs.Sine(),
    "white_noise": specs.WhiteNoise(),
    "logistic": specs.Logistic(),
}


def _copy(value):
    """Copy an array (scalars, such as kernel codes, are immutable and stay scalars)."""
    return value.copy() if isinstance(value, np.ndarray) else value


def _check_block(prefix, block):
    """Run a block's ``check()``, re-raising its error with the key under ``prefix``.

    The blocks sit in discriminated unions, whose tags would otherwise enter the key.
    """
    try:
        block.check()
    except ParamError as error:
        raise ParamError(f"{prefix}.{error.key}", error.problem, error.got) from None


def input_attribute(series: str) -> str:
    """The global attribute naming the input file of a ``file`` series (CF: letters, digits, _)."""
    return f"input_file_{series.replace('-', '_')}"


class PeccaryParams(StrictModel):
    """Parameters of one PECCARY run: the series to generate and the workflow's settings."""

    samples: int = param(10_000, units="samples", description="Samples per series", ge=16)
    order: int = param(5, units="1", description="Ordinal pattern order n", ge=4, le=8)
    max_delay: int = param(
        20, units="samples", description="H and C are tabulated at delays 1 … max_delay", ge=1
    )
    pattern_fraction: float = param(
        0.4, units="1", description="t_pat / t_nat of the PECCARY delay", gt=0, le=1
    )
    timescale_method: Literal["crossings", "minima", "maxima"] = param(
        "crossings", units="1", description="Natural timescale from mean crossings or extrema"
    )
    ties: Literal["stable", "own", "random"] = param(
        "stable",
        units="1",
        description="Equal samples in a window: ordered by time (the paper's), patterns of "
        "their own (Bian et al. 2012) or ordered at random (seeded by the run)",
    )
    robust_surrogates: int = param(
        39,
        units="1",
        description="IAAFT surrogates per series for robust_classification (0: no test)",
        ge=0,
    )
    robust_alpha: float = param(
        0.05, units="1", description="Significance level of robust_classification", gt=0, lt=1
    )
    store_series: bool = param(
        True, units="1", description="Write the series and invariants (not only the results)"
    )
    series: dict[str, specs.SeriesSpec] = param(
        DEFAULT_SERIES, units="1", description="Series to generate, by name"
    )
    population: specs.Population = param(
        specs.Population(), units="1", description="Population of tracer orbits at one energy"
    )

    @model_validator(mode="wrap")
    @classmethod
    def _read_files(cls, data: Any, handler, info: ValidationInfo) -> PeccaryParams:
        """Validate; read every ``file`` series; validate again with what reading filled in.

        A file block gets its absolute path, SHA-256 and time step, and ``samples``, if not
        given, becomes the length of the shortest file.
        """
        params = handler(data)
        files = {name: b for name, b in params.series.items() if b.kind == "file"}
        if not files:
            return params
        folder = (info.context or {}).get("scenario_dir")  # see sims.core.scenario._validate
        scenario_dir = Path(folder) if folder else Path.cwd()
        resolved, lengths = {}, {}
        for name, block in files.items():
            try:
                resolved[name], series = datafile.resolve_block(block, scenario_dir)
            except ParamError as error:
                raise ParamError(f"series.{name}.{error.key}", error.problem, error.got) from None
            lengths[name] = series.values.size
        given = dict(data) if isinstance(data, dict) else params.model_dump()
        samples = given.setdefault("samples", min(lengths.values()))
        for name, length in lengths.items():
            if samples > length:
                raise ParamError(
                    "samples", f"exceeds the {length} samples of series {name!r}", samples
                )
        given["series"] = {**params.series, **resolved}
        return handler(given)

    @model_validator(mode="after")
    def _consistent(self) -> PeccaryParams:
        if not self.series and not self.population.count:
            raise ParamError("series", "needs at least one series (or a population)", self.series)
        if POPULATION_NAME in self.series:
            raise ParamError(f"series.{POPULATION_NAME}", "this name is the population's", None)
        if self.population.count:
            _check_block("population", self.population.as_orbit())
        attribute_names = {}
        for name, block in self.series.items():
            if not NAME_PATTERN.match(name):
                raise ParamError(f"series.{name}", "names are letters, digits, _ and -", name)
            _check_block(f"series.{name}", block)
            if block.kind == "file":
                other = attribute_names.setdefault(input_attribute(name), name)
                if other != name:
                    raise ParamError(
                        f"series.{name}",
                        f"file series {other!r} and {name!r} would share the output attribute "
                        f"{input_attribute(name)!r} (- is written as _)",
                        name,
                    )
        rows, _ = self.rows_and_sources()
        table_bytes = 8 * rows * self.max_delay * math.factorial(self.order)
        if table_bytes > ordinal.MAX_COUNT_TABLE_BYTES:
            raise ParamError(
                "order",
                f"{rows} series x {self.max_delay} delays x {self.order}! patterns need "
                f"{table_bytes / 2**30:.3g} GiB of counts (limit "
                f"{ordinal.MAX_COUNT_TABLE_BYTES / 2**30:g} GiB)",
                self.order,
            )
        fewest = determinism.minimum_surrogates(self.robust_alpha)
        if 0 < self.robust_surrogates < fewest:
            raise ParamError(
                "robust_surrogates",
                f"p-values cannot fall below robust_alpha = {self.robust_alpha:g} with fewer "
                f"than {fewest} surrogates (0 switches the test off)",
                self.robust_surrogates,
            )
        per_surrogate = WORKSPACE_BYTES_PER_VALUE * self.samples
        workspace = per_surrogate * self.robust_surrogates
        # A series too long for even one surrogate is the samples' problem (the memory check).
        if workspace > MAX_SURROGATE_BYTES >= per_surrogate:
            raise ParamError(
                "robust_surrogates",
                f"{self.robust_surrogates} surrogates of {self.samples} samples need "
                f"{workspace / 2**30:.3g} GiB (limit {MAX_SURROGATE_BYTES / 2**30:g} GiB)",
                self.robust_surrogates,
            )
        needed = (self.order - 1) * self.max_delay + 1
        if self.samples < needed:
            raise ParamError(
                "samples", f"must be >= (order-1)*max_delay+1 = {needed}", self.samples
            )
        return self

    def rows_and_sources(self) -> tuple[int, int]:
        """Number of series written and of their sources (realisations, orbits)."""
        blocks = self.blocks().values()
        sources = sum(getattr(block, "count", 1) for block in blocks)
        rows = sum(getattr(block, "count", 1) * len(block.variables) for block in blocks)
        return rows, sources

    def blocks(self) -> dict:
        """Every block to generate: ``series`` then the population (if any)."""
        blocks = dict(self.series)
        if self.population.count:
            blocks[POPULATION_NAME] = self.population.as_orbit()
        return blocks


class PeccaryModel(Model):
    """Many seeded series generated in step, analysed with PECCARY at the end."""

    Params = PeccaryParams

    def __init__(self, params: PeccaryParams, seed_sequence: np.random.SeedSequence):
        super().__init__(params, seed_sequence)
        tie_stream = generators.block_seed(seed_sequence, TIE_BREAKING_STREAM)
        self.tie_breaking_seed = int(tie_stream.generate_state(1, np.uint32)[0])
        self.generators = [
            generators.build(name, block, seed_sequence, params.samples)
            for name, block in params.blocks().items()
        ]
        self.row_slices, self.source_slices = [], []
        rows = sources = 0
        for gen in self.generators:
            self.row_slices.append(slice(rows, rows + gen.n_rows))
            self.source_slices.append(slice(sources, sources + gen.n_sources))
            rows, sources = rows + gen.n_rows, sources + gen.n_sources
        self.file_rows = np.concatenate(
            [
                np.arange(rows.start, rows.stop)
                for gen, rows in zip(self.generators, self.row_slices, strict=True)
                if gen.block.kind == "file"
            ]
            + [np.zeros(0, dtype=np.int64)]
        )
        self.values = np.zeros((rows, params.samples))
        self.invariants = np.zeros((sources, params.samples))

    def record_steps(self) -> np.ndarray:
        """One record, when every sample has been generated."""
        return np.array([self.params.samples], dtype=np.int64)

    def advance(self, n_steps: int) -> None:
        """Generate the next ``n_steps`` samples of every series."""
        first = self.step_count
        if first + n_steps > self.params.samples:
            raise ValueError(f"n_steps: only {self.params.samples - first} samples remain")
        for gen, rows, sources in zip(
            self.generators, self.row_slices, self.source_slices, strict=True
        ):
            gen.advance(self.values[rows], self.invariants[sources], first, n_steps)
        self.step_count += n_steps

    def observe(self) -> dict[str, Any]:
        """The step count (the samples themselves live in the state buffer).

        Raises
        ------
        NonFiniteValue
            If a series diverged (a map or a flow outside its bounded regime).
        """
        bad = ~np.isfinite(self.values[:, : self.step_count])
        bad[self.file_rows] = False  # read from files: NaN gaps allowed (nan: split), no inf
        if bad.any():
            sample = int(bad.any(axis=0).argmax())
            row = int(bad[:, sample].argmax())
            coordinates = self.coordinates()
            label = coordinates["series"][1][row]
            interval = coordinates["sample_interval"][1][row]
            raise NonFiniteValue(
                f"non-finite series {label!r} at t = {sample * interval:g} (sample {sample}): "
                "it diverged"
            )
        return {"step": self.step_count}

    def get_state(self) -> dict[str, Any]:
        """Sample buffers and every generator's state arrays."""
        return {
            "values": self.values.copy(),
            "invariants": self.invariants.copy(),
            "generators": [
                {key: _copy(value) for key, value in gen.state.items()} for gen in self.generators
            ],
        }

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`get_state`'s output."""
        self.values[...] = state["values"]
        self.invariants[...] = state["invariants"]
        for gen, saved in zip(self.generators, state["generators"], strict=True):
            for key, value in saved.items():
                gen.state[key] = _copy(value)

    def check_state(self, state: dict[str, Any]) -> None:
        """Finite samples and evolving states; every other generator array as built."""
        checks.finite(state, "values")
        checks.require(not np.isinf(state["invariants"]).any(), "invariants hold infinity")
        for gen, saved in zip(self.generators, state["generators"], strict=True):
            for key, value in saved.items():
                where = f"generator {gen.name!r}: {key}"
                if key == "rng":
                    checks.xoshiro({where: value}, where)
                elif key in EVOLVING_STATE:
                    checks.finite({where: value}, where)
                else:
                    checks.require(np.array_equal(value, gen.state[key]), f"{where} was altered")

    @classmethod
    def cost_estimate(cls, params: PeccaryParams) -> float:
        """Samples generated and analysed: samples × series × (delays + robust surrogates)."""
        rows, _ = params.rows_and_sources()
        return params.samples * rows * (params.max_delay + params.robust_surrogates)

    @classmethod
    def memory_estimate(cls, params: PeccaryParams) -> float:
        """Sample and invariant buffers, noise realisations, the ordinal analysis, output (B)."""
        rows, sources = params.rows_and_sources()
        noise = sum(
            getattr(block, "count", 1)
            for block in params.blocks().values()
            if block.kind in NOISE_KINDS
        )
        counts = 8 * rows * params.max_delay * math.factorial(params.order)
        buffers = 8 * params.samples * (3 * rows + 2 * sources)  # buffers, analysis, output copy
        surrogates = (  # one series at a time
            WORKSPACE_BYTES_PER_VALUE * params.samples * params.robust_surrogates
        )
        return buffers + BYTES_PER_NOISE_SAMPLE * params.samples * noise + counts + surrogates

    def coordinates(self) -> dict[str, tuple]:
        """Labels of every series and source."""
        rows, sources = [], []
        for gen in self.generators:
            offset = len(sources)
            for label, variable, source in zip(
                gen.labels, gen.variables, gen.source_of_row, strict=True
            ):
                rows.append((label, gen.block.kind, variable, offset + source, gen.sample_interval))
            sources += gen.sources
        labels, kinds, variables, source_index, intervals = map(list, zip(*rows, strict=True))
        return {
            "series": ("series", labels, {"units": "1", "long_name": "series label"}),
            "kind": ("series", kinds, {"units": "1", "long_name": "generator kind"}),
            "variable": ("series", variables, {"units": "1", "long_name": "recorded variable"}),
            "source_index": (
                "series",
                np.array(source_index),
                {"units": "1", "long_name": "index of the series' source on dim source"},
            ),
            "sample_interval": (
                "series",
                np.array(intervals),
                {"units": "time", "long_name": "time between samples"},
            ),
            "source": (
                "source",
                sources,
                {"units": "1", "long_name": "source (realisation, map, flow, orbit)"},
            ),
        }

    def to_dataset(self, records: list[dict[str, Any]]) -> xr.Dataset:
        """Series, invariants and the PECCARY results (see :mod:`sims.peccary.workflow`)."""
        params = self.params
        coords = self.coordinates()
        delays = np.arange(1, params.max_delay + 1, dtype=np.int64)
        coords["delay"] = ("delay", delays, {"units": "samples", "long_name": "embedding delay"})
        result = workflow.analyse(
            self.values,
            np.asarray(coords["sample_interval"][1]),
            params.order,
            delays,
            params.pattern_fraction,
            params.timescale_method,
            params.ties,
            self.tie_breaking_seed,
        )
        variables = workflow.analysis_variables(result, params.order, params.pattern_fraction)
        robust = determinism.analyse_determinism(
            self.values,
            coords["series"][1],
            params.order,
            params.robust_surrogates,
            params.robust_alpha,
            self.seed_sequence,
        )
        variables.update(
            determinism.determinism_variables(
                robust, params.order, params.robust_surrogates, params.robust_alpha
            )
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            initial = self.invariants[:, :1]
            error = np.max(np.abs(self.invariants - initial), axis=1)
            relative = np.where(initial[:, 0] != 0, error / np.abs(initial[:, 0]), np.nan)
        variables["invariant_error"] = (
            ("source",),
            error,
            {
                "units": "energy",
                "long_name": "max |I - I0| of the energy or Jacobi integral",
                NAN_MEANING: NO_INVARIANT,
                **QUALITY_INFORMATION,
            },
        )
        variables["relative_invariant_error"] = (
            ("source",),
            relative,
            {
                "units": "1",
                "long_name": "max |I - I0| / |I0| of the energy or Jacobi integral",
                NAN_MEANING: f"{NO_INVARIANT}, or I0 = 0",
                **QUALITY_INFORMATION,
            },
        )
        if params.store_series:
            coords["sample"] = (
                "sample",
                np.arange(params.samples, dtype=np.int64),
                {"units": "1", "long_name": "sample index (time = sample × interval)"},
            )
            variables["value"] = (
                ("series", "sample"),
                self.values,
                {
                    "units": "1",
                    "long_name": "generated or read series",
                    NAN_MEANING: "a missing value of a series read from a file (nan: split)",
                },
            )
            variables["invariant"] = (
                ("source", "sample"),
                self.invariants,
                {
                    "units": "energy",
                    "long_name": "energy or Jacobi integral",
                    NAN_MEANING: NO_INVARIANT,
                },
            )
        attrs = {
            "order": params.order,
            "pattern_fraction": params.pattern_fraction,
            "timescale_method": params.timescale_method,
            "min_windows_per_pattern": ordinal.MIN_WINDOWS_PER_PATTERN,
            "classification_rule": "analysis.ordinal.classify (PECCARY's regions: periodic and "
            "regular up to H_maxPer; beyond it complex at >= "
            f"{ordinal.COMPLEX_FRACTION} of the C_min-C_max band)",
            "ties": params.ties,
            "tie_breaking_seed": self.tie_breaking_seed,
            "robust_surrogates": params.robust_surrogates,
            "robust_alpha": params.robust_alpha,
        }
        for name, block in params.series.items():
            if block.kind == "file":
                key = input_attribute(name)
                attrs[key], attrs[f"{key}_sha256"] = block.path, block.sha256
        return xr.Dataset(variables, coords=coords, attrs=attrs)

    @classmethod
    def summarize(cls, dataset: xr.Dataset) -> str:
        """Series count, regimes (paper's regions and surrogate test), worst error, tied series.

        Series with more than :data:`analysis.ordinal.TIE_WARNING_FRACTION` tied windows at some
        delay are named when the run ordered ties by time (``ties: stable``).
        """

        def tally(codes):
            names = ordinal.regime_names(codes).values
            labels = ordinal.REGIMES + (ordinal.UNDEFINED,)
            return ", ".join(f"{np.sum(names == n)} {n}" for n in labels if np.any(names == n))

        robust = ""
        if "robust_classification" in dataset and dataset.attrs.get("robust_surrogates", 0):
            alpha = dataset.attrs["robust_alpha"]
            robust = f"; surrogate test (α = {alpha:g}): {tally(dataset.robust_classification)}"
        error = dataset.relative_invariant_error.values
        worst = f", max |ΔE/E0| {np.nanmax(error):.2e}" if np.isfinite(error).any() else ""
        tied = ""
        if dataset.attrs.get("ties", "stable") == "stable":
            share = dataset.tie_fraction.max("delay", skipna=True).values
            over = dataset.series.values[share > ordinal.TIE_WARNING_FRACTION]
            if over.size:
                tied = (
                    f"; more than {100 * ordinal.TIE_WARNING_FRACTION:g} % of the windows tied in "
                    f"{', '.join(map(str, over))} (ties: own or random)"
                )
        summary = f"{dataset.sizes['series']} series at the PECCARY delay: "
        return summary + tally(dataset.peccary_classification) + robust + worst + tied

    @classmethod
    def warm_up(cls) -> None:
        """Compile every kernel (or load it from the cache) on tiny series."""
        series = {kind: {"kind": kind} for kind in specs.KINDS}
        series["orbit"] = {
            "kind": "orbit",
            "integrator": "yoshida4",
            "potential": {"kind": "bar"},
            "position": [1.0, 0.0, 0.1],
            "velocity": [0.0, 0.5, 0.1],
        }
        series["halo"] = {
            "kind": "orbit",
            "energy": -0.5,
            "count": 2,
            "potential": {"kind": "nfw"},
        }
        params = PeccaryParams(samples=1300, max_delay=2, series=series)
        model = cls(params, np.random.SeedSequence(0))
        model.advance(params.samples)
        model.to_dataset([model.observe()])
