"""The coffee automaton: cream mixing into coffee, with entropy and apparent-complexity estimates.

Aaronson, Carroll & Ouellette, "Quantifying the Rise and Fall of Complexity in Closed Systems: The
Coffee Automaton" (arXiv 1405.6903). An ``n x n`` grid starts with cream (1) in the top half and
coffee (0) in the bottom half.

* Interacting model: each step draws a uniformly random adjacent pair and swaps it if the two cells
  differ (one particle per cell). Time is counted in sweeps: attempts / number of adjacent pairs.
  A particle attempts each of its four hops about once per sweep, so the density diffuses with
  D = 1 cell^2/sweep.
* Non-interacting model: cream particles are independent random walkers (any number per cell);
  each step moves every particle to a random neighbour (D = 1/4 cell^2/step).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import xarray as xr
from pydantic import model_validator

from analysis import compression
from analysis.units import unit_name
from sims.coffee import diagnostics, kernels
from sims.core import state_checks as checks
from sims.core.output import REFERENCE_INFORMATION
from sims.core.record_log import memory_of_records
from sims.core.rng import xoshiro_state
from sims.core.scenario import ParamError, StrictModel, check_steps, param
from sims.core.simulation import Model

DIFFUSIVITY = {"interacting": 1.0, "non_interacting": 0.25}
TIME_UNITS = {"interacting": "sweep", "non_interacting": "step"}
# working memory of one compression (B): zlib level 9, bzip2 level 9, LZMA preset 6
COMPRESSOR_BYTES = {"zlib": 3e5, "bz2": 8e6, "lzma": 1e8}
EQUILIBRATION_DIFFUSION_TIMES = 1.0  # default duration, in units of n^2 / D
# cost_estimate, in moves (~5 ns each): a compression's setup, and its work per cell
COMPRESS_SETUP_COST, COMPRESS_CELL_COST = 1.5e5, 12
BYTE = diagnostics.BYTE


class CoffeeParams(StrictModel):
    """Parameters of the coffee automaton and its estimators."""

    model: Literal["interacting", "non_interacting"] = param(
        "interacting", units="1", description="Dynamics: exclusion swaps or independent walkers"
    )
    grid_size: int = param(100, units="cell", description="Side n of the n x n grid (even)", ge=4)
    boundary: Literal["closed", "periodic"] = param(
        "closed", units="1", description="Top-bottom boundary; left-right is always periodic"
    )
    duration: float | None = param(
        None,
        units="sweep or step",
        description="Model time to run; default n^2/D, by which the cup is mixed",
        gt=0,
    )
    n_records: int = param(
        80,
        units="1",
        description="Log-spaced records after t=0 (steps that round to the same "
        "integer are recorded once)",
        ge=2,
    )
    grain_size: int | None = param(
        None,
        units="cell",
        description="Odd side g of the coarse-graining window; "
        "default the odd number nearest grain_fraction * n (at least 3)",
        ge=1,
    )
    grain_fraction: float = param(
        0.1,
        units="1",
        description="Window side as a fraction of n when grain_size is not set",
        gt=0,
        le=1,
    )
    buckets: int = param(3, units="1", description="Thresholds of the plain coarse-graining", ge=2)
    adjusted_buckets: int = param(
        7, units="1", description="Thresholds of the row-majority adjusted coarse-graining", ge=2
    )
    block_size: int | None = param(
        None,
        units="cell",
        description="Block side for the exact coarse-grained entropy; default the grain size",
        ge=1,
    )
    compressors: tuple[Literal["zlib", "bz2", "lzma"], ...] = param(
        compression.COMPRESSORS, units="1", description="Compressors of the estimates", min_length=1
    )
    store_snapshots: bool = param(
        True, units="1", description="Store the fine and coarse grids at every record"
    )

    @model_validator(mode="after")
    def _consistent(self) -> CoffeeParams:
        n = self.grid_size
        if n % 2:
            raise ParamError("grid_size", "must be even (cream fills exactly the top half)", n)
        if self.grain_size is not None and (self.grain_size % 2 == 0 or self.grain_size > n):
            raise ParamError(
                "grain_size", f"must be odd and at most grid_size={n}", self.grain_size
            )
        if self.block_size is not None and self.block_size > n:
            raise ParamError("block_size", f"must be at most grid_size={n}", self.block_size)
        if len(set(self.compressors)) != len(self.compressors):
            raise ParamError("compressors", "lists a compressor twice", list(self.compressors))
        attempts = self.adjacent_pairs if self.model == "interacting" else 1
        check_steps("duration" if self.duration else "grid_size", self.end_time * attempts)
        return self

    @property
    def grain(self) -> int:
        """The coarse-graining window side actually used (cells)."""
        if self.grain_size is not None:
            return self.grain_size
        return max(3, 2 * round((self.grain_fraction * self.grid_size - 1) / 2) + 1)

    @property
    def block(self) -> int:
        """The block side of the exact coarse-grained entropy (cells)."""
        return self.block_size or self.grain

    @property
    def end_time(self) -> float:
        """Model time of the last record (sweeps or steps)."""
        default = EQUILIBRATION_DIFFUSION_TIMES * self.grid_size**2 / DIFFUSIVITY[self.model]
        return self.duration or default

    @property
    def adjacent_pairs(self) -> int:
        """Number of adjacent pairs (one sweep of the interacting model is this many attempts)."""
        n = self.grid_size
        return n * n + n * (n if self.boundary == "periodic" else n - 1)


class CoffeeModel(Model):
    """Cream mixing into coffee on an ``n x n`` grid (see module docstring)."""

    Params = CoffeeParams

    def __init__(self, params: CoffeeParams, seed_sequence: np.random.SeedSequence):
        super().__init__(params, seed_sequence)
        n = params.grid_size
        self.interacting = params.model == "interacting"
        self.periodic_vertical = params.boundary == "periodic"
        self.time_units = TIME_UNITS[params.model]
        self.steps_per_time = params.adjacent_pairs if self.interacting else 1
        self.rng_state = xoshiro_state(seed_sequence)
        self.accepted_swaps = 0
        if self.interacting:
            self.grid = np.zeros((n, n), dtype=np.uint8)
            self.grid[: n // 2] = 1
        else:
            rows, columns = np.divmod(np.arange(n * n // 2), n)
            self.rows, self.columns = rows.astype(np.int32), columns.astype(np.int32)
            self.grid = np.zeros((n, n), dtype=np.uint16)
            self.grid[self.rows, self.columns] = 1

    def record_steps(self) -> np.ndarray:
        """Step 0 and ``n_records`` log-spaced steps from the first step to the end time."""
        last = max(1, round(self.params.end_time * self.steps_per_time))
        spaced = np.rint(np.logspace(0, np.log10(last), self.params.n_records))
        return np.unique(np.concatenate([[0], spaced.astype(np.int64)]))

    def advance(self, n_steps: int) -> None:
        """Advance ``n_steps`` attempts (interacting) or whole-grid steps (non-interacting)."""
        if self.interacting:
            self.accepted_swaps += kernels.interacting_swaps(
                self.grid, n_steps, self.periodic_vertical, self.rng_state
            )
        else:
            kernels.random_walk_steps(
                self.rows, self.columns, self.grid, n_steps, self.periodic_vertical, self.rng_state
            )
        self.step_count += n_steps

    def observe(self) -> dict[str, Any]:
        """Estimators of the current grid (compressed sizes, block entropies, snapshots)."""
        params = self.params
        coarse = diagnostics.coarse_grain(
            self.grid, params.grain, params.buckets, params.adjusted_buckets, self.periodic_vertical
        )
        exact, shannon = diagnostics.block_entropies(self.grid, params.block, self.interacting)
        record = {
            "step": self.step_count,
            "accepted_swaps": self.accepted_swaps,
            "cream_count": int(self.grid.sum()),
            "entropy_estimate": diagnostics.compressed_sizes(self.grid[None], params.compressors)[
                0
            ],
            "complexity_estimate": diagnostics.compressed_sizes(coarse, params.compressors).T,
            "coarse_entropy": exact,
            "coarse_shannon_entropy": shannon,
        }
        if params.store_snapshots:
            record["cream"] = self.grid.copy()
            record["coarse"] = coarse
        return record

    def get_state(self) -> dict[str, Any]:
        """Grid, walkers, RNG state and counters."""
        state = {
            "grid": self.grid.copy(),
            "rng_state": self.rng_state.copy(),
            "accepted_swaps": self.accepted_swaps,
        }
        if not self.interacting:
            state.update(rows=self.rows.copy(), columns=self.columns.copy())
        return state

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`get_state`'s output."""
        self.grid[...] = state["grid"]
        self.rng_state[...] = state["rng_state"]
        self.accepted_swaps = state["accepted_swaps"]
        if not self.interacting:
            self.rows[...] = state["rows"]
            self.columns[...] = state["columns"]

    def check_state(self, state: dict[str, Any]) -> None:
        """Cells hold 0/1 (exclusion) or the walkers' counts; cream is conserved."""
        n = self.params.grid_size
        grid = state["grid"]
        checks.xoshiro(state)
        checks.counter(state, "accepted_swaps")
        if self.interacting:
            checks.require(grid.max() <= 1, "grid holds more than one particle in a cell")
        else:
            checks.in_range(state, "rows", 0, n)
            checks.in_range(state, "columns", 0, n)
            occupation = np.bincount(state["rows"] * n + state["columns"], minlength=n * n)
            checks.require(
                np.array_equal(occupation.reshape(n, n), grid), "grid does not count the walkers"
            )
        cream = int(grid.sum(dtype=np.int64))
        checks.require(cream == n * n // 2, f"grid holds {cream} cream particles, not {n * n // 2}")

    @classmethod
    def memory_estimate(cls, params: CoffeeParams) -> float:
        """Grid and walkers, coarse-graining temporaries, compressors, records in memory (B)."""
        cells = params.grid_size**2
        cell_bytes = 1 if params.model == "interacting" else 2
        walkers = 0 if params.model == "interacting" else 4 * cells  # two int32 per walker
        records = params.n_records + 1
        snapshot = (cell_bytes + len(diagnostics.METHODS)) * cells if params.store_snapshots else 0
        per_record = 8 * len(params.compressors) * (1 + len(diagnostics.METHODS)) + 64
        compressors = max(COMPRESSOR_BYTES[name] for name in params.compressors)
        kept = memory_of_records(records * per_record, records * snapshot, snapshot)
        return cell_bytes * cells + walkers + 64 * cells + compressors + kept

    @classmethod
    def cost_estimate(cls, params: CoffeeParams) -> float:
        """Attempted moves (∝ n⁴ at the default duration) plus the records' compressions."""
        cells = params.grid_size**2
        per_time = params.adjacent_pairs if params.model == "interacting" else cells
        moves = params.end_time * per_time
        compressions = (params.n_records + 1) * len(params.compressors)
        return moves + compressions * (COMPRESS_SETUP_COST + COMPRESS_CELL_COST * cells)

    def time_at(self, step: int) -> float:
        """Sweeps (interacting) or steps (walkers)."""
        return step / self.steps_per_time

    def to_dataset(self, records: list[dict[str, Any]]) -> xr.Dataset:
        """The run's dataset: estimates over time, baselines, snapshots; all with units."""
        params = self.params
        n = params.grid_size
        steps = np.array([r["step"] for r in records], dtype=np.int64)
        compressors = list(params.compressors)
        time_long_name = (
            "time in sweeps (attempted swaps / adjacent pairs)"
            if self.interacting
            else "time in steps (each step moves every particle)"
        )

        def stacked(key):
            return np.stack([r[key] for r in records])

        variables = {
            "entropy_estimate": (
                ("time", "compressor"),
                stacked("entropy_estimate"),
                {
                    "units": BYTE,
                    "long_name": "compressed size of the fine-grained state (entropy estimate)",
                },
            ),
            "complexity_estimate": (
                ("time", "compressor", "coarse_graining"),
                stacked("complexity_estimate"),
                {
                    "units": BYTE,
                    "long_name": "compressed size of the "
                    "coarse-grained state (apparent complexity)",
                },
            ),
            "entropy_baseline": (
                ("compressor",),
                self._baselines(self.grid.dtype, compressors),
                {
                    "units": BYTE,
                    "long_name": "compressed size of a constant fine-grained state",
                    **REFERENCE_INFORMATION,
                },
            ),
            "complexity_baseline": (
                ("compressor", "coarse_graining"),
                np.repeat(
                    self._baselines(np.uint8, compressors)[:, None],
                    len(diagnostics.METHODS),
                    axis=1,
                ),
                {
                    "units": BYTE,
                    "long_name": "compressed size of a constant coarse-grained state",
                    **REFERENCE_INFORMATION,
                },
            ),
            "coarse_entropy": (
                ("time",),
                stacked("coarse_entropy"),
                {
                    "units": "nat",
                    # the block size is a global attribute: a long_name naming it would differ
                    # between the points of a grain_size sweep and be dropped by a merge
                    "long_name": "exact Boltzmann entropy of the block occupations",
                },
            ),
            "coarse_shannon_entropy": (
                ("time",),
                stacked("coarse_shannon_entropy"),
                {
                    "units": "nat",
                    "long_name": "Shannon (Stirling) form of the block-occupation entropy",
                },
            ),
            "cream_count": (
                ("time",),
                stacked("cream_count"),
                {"units": "1", "long_name": "number of cream particles"},
            ),
        }
        if self.interacting:
            variables["accepted_swaps"] = (
                ("time",),
                stacked("accepted_swaps"),
                {"units": "1", "long_name": "accepted swaps (pairs that differed) since t=0"},
            )
        if params.store_snapshots:
            variables["cream"] = (
                ("time", "y", "x"),
                stacked("cream"),
                {"units": "1", "long_name": "cream particles per cell"},
            )
            variables["coarse"] = (
                ("time", "coarse_graining", "y", "x"),
                stacked("coarse"),
                {"units": "1", "long_name": "coarse-grained bucket per cell"},
            )
        coordinates = {
            "time": (
                "time",
                steps / self.steps_per_time,
                {"units": self.time_units, "long_name": time_long_name},
            ),
            "step": (
                "time",
                steps,
                {
                    "units": "1",
                    "long_name": "attempted swaps" if self.interacting else "whole-grid steps",
                },
            ),
            "compressor": ("compressor", compressors, {"units": "1", "long_name": "compressor"}),
            "coarse_graining": (
                "coarse_graining",
                list(diagnostics.METHODS),
                {
                    "units": "1",
                    "long_name": f"coarse-graining: {params.buckets} buckets, or "
                    f"{params.adjusted_buckets} buckets with row-majority adjustment",
                },
            ),
            "y": ("y", np.arange(n), {"units": "cell", "long_name": "row, 0 at the top"}),
            "x": ("x", np.arange(n), {"units": "cell", "long_name": "column"}),
        }
        attrs = {
            "model": params.model,
            "boundary_left_right": "periodic",
            "boundary_top_bottom": "closed (reflecting)"
            if params.boundary == "closed"
            else "periodic",
            "grain_size": np.int64(params.grain),
            "buckets": np.int64(params.buckets),
            "adjusted_buckets": np.int64(params.adjusted_buckets),
            "block_size": np.int64(params.block),
            "thresholds": "bucket = min(floor(B * window average), B - 1), B equal bins of [0, 1]",
            "window_edges": "left-right periodic; "
            + (
                "cut off at the top and bottom walls" if params.boundary == "closed" else "periodic"
            ),
            "serialization": f"{self.grid.dtype.name} per cell, row-major, little-endian",
            "diffusivity": DIFFUSIVITY[params.model],
        }
        return xr.Dataset(variables, coords=coordinates, attrs=attrs)

    def _baselines(self, dtype, compressors: list[str]) -> np.ndarray:
        shape = (self.params.grid_size,) * 2
        return np.array([compression.constant_baseline(shape, dtype, name) for name in compressors])

    @classmethod
    def summarize(cls, dataset: xr.Dataset) -> str:
        """Model, size, and where entropy and complexity went (zlib, plain coarse-graining)."""
        entropy = dataset.entropy_estimate.isel(compressor=0)
        complexity = dataset.complexity_estimate.isel(compressor=0, coarse_graining=0)
        peak = int(complexity.argmax("time"))
        units = unit_name(dataset.time.attrs)
        return (
            f"{dataset.attrs['model']} n={dataset.sizes['x']}, t=0..{float(dataset.time[-1]):g} "
            f"{units}s; entropy estimate {int(entropy[0])} -> {int(entropy[-1])} B; "
            f"complexity {int(complexity[0])} -> peak {int(complexity[peak])} B at "
            f"t={float(dataset.time[peak]):.3g} -> {int(complexity[-1])} B "
            f"({dataset.compressor.values[0]})"
        )

    @classmethod
    def warm_up(cls) -> None:
        """Compile both kernels on a tiny grid."""
        for model in ("interacting", "non_interacting"):
            tiny = cls(CoffeeParams(model=model, grid_size=4), np.random.SeedSequence(0))
            tiny.advance(2)
