"""Parameters of a hard-disc run: typed, with units, and their cross-checks.

The initial region and the triangular lattice fitted to it are derived here, so that validation
refuses a lattice that cannot hold the discs before anything is allocated. Area fractions: random
sequential addition up to MAX_RANDOM_AREA_FRACTION; a triangular lattice up to
SOLID_AREA_FRACTION, the hexatic/solid boundary (Bernard & Krauth, Phys. Rev. Lett. 107, 155704,
2011), above which a lattice does not melt.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import model_validator

from sims.core.scenario import (
    MULTIPLE_TOLERANCE,
    ParamError,
    StrictModel,
    check_multiple,
    param,
)
from sims.harddisc import placement, structure

MAX_RANDOM_AREA_FRACTION = 0.4  # random sequential addition jams at 0.547; it slows long before
SOLID_AREA_FRACTION = 0.72  # hexatic or solid above (Bernard & Krauth 2011): a lattice stays one
MAX_VELOCITY_CELLS = 2**19  # per axis and sign, the range of the phase-space cell keys
DISCS_PER_NEIGHBOUR_CELL = 1.0  # target mean occupation of the neighbour cells (final box)
MIN_PERIODIC_CELLS = 3


class HardDiscParams(StrictModel):
    """Parameters of one hard-disc run."""

    n_discs: int = param(10_000, units="1", description="Number of discs N", ge=1)
    diameter: float = param(1.0, units="length", description="Disc diameter σ", gt=0)
    mass: float = param(1.0, units="mass", description="Disc mass m", gt=0)
    temperature: float = param(1.0, units="energy", description="Initial k_B T", gt=0)
    area_fraction: float = param(
        0.002,
        units="1",
        description="Area fraction Nπσ²/(4A₀) in the initial region A₀ (at most 0.4 with random "
        "placement, 0.72 with a triangular lattice)",
        gt=0,
    )
    aspect_ratio: float = param(
        2.0, units="1", description="Box width / height (the whole box)", gt=0
    )
    partition: bool = param(
        True,
        units="1",
        description="Start in the left half behind a partition removed at t=0 (free expansion)",
    )
    boundary: Literal["reflecting", "periodic"] = param(
        "reflecting", units="1", description="Specular walls or a periodic box"
    )
    velocities: Literal["maxwell", "fixed_speed"] = param(
        "maxwell",
        units="1",
        description="Maxwellian at T with zero momentum, or speed √(2T/m) in random antiparallel "
        "pairs (same energy)",
    )
    time_quantum: float = param(
        0.1, units="time", description="Model time of one framework step", gt=0
    )
    duration: float = param(10_000.0, units="time", description="Model time to run", gt=0)
    record_interval: float = param(
        50.0, units="time", description="Time between records (a multiple of time_quantum)", gt=0
    )
    spatial_cells: int = param(
        4,
        units="1",
        description="Spatial entropy cells along the height (side Δx = H / this)",
        ge=1,
    )
    delta_v: tuple[float, ...] = param(
        (0.25, 0.5, 1.0, 2.0),
        units="velocity",
        description="Velocity cell sides Δv of the entropy diagnostics",
        min_length=1,
    )
    neighbour_cell: float | None = param(
        None,
        units="length",
        description="Target side of the neighbour-list cells (>= σ); default about one disc per "
        "cell",
        gt=0,
    )
    store_particles: bool = param(
        False, units="1", description="Store positions and velocities at every record"
    )
    placement: Literal["random", "triangular"] = param(
        "random",
        units="1",
        description="Initial positions: random sequential addition (area fraction <= 0.4), or a "
        "triangular lattice fitted to the initial region (dense liquids, melted by "
        "equilibration_time)",
    )
    rsa_attempts: int = param(
        10_000, units="1", description="Placement attempts per disc before giving up", ge=1
    )
    equilibration_time: float = param(
        0.0,
        units="time",
        description="Dynamics run in the initial region (behind the partition) before t=0, from "
        "the initial placement (a multiple of time_quantum); melts a triangular lattice",
        ge=0,
    )

    @model_validator(mode="after")
    def _consistent(self) -> HardDiscParams:
        for key in ("duration", "record_interval", "equilibration_time"):
            check_multiple(self, key, "time_quantum")
        if self.equilibration_time > 0 and self.partition and self.boundary == "periodic":
            raise ParamError(
                "equilibration_time",
                "behind a partition needs reflecting walls (the periodic box has none)",
                self.equilibration_time,
            )
        if self.record_interval > self.duration:
            raise ParamError("record_interval", "must not exceed duration", self.record_interval)
        cells_x = self.aspect_ratio * self.spatial_cells
        if abs(cells_x - round(cells_x)) > MULTIPLE_TOLERANCE * cells_x or round(cells_x) < 1:
            raise ParamError(
                "spatial_cells",
                f"times aspect_ratio={self.aspect_ratio} must be an integer (square cells tile "
                "the box)",
                self.spatial_cells,
            )
        if self.partition and round(cells_x) % 2:
            raise ParamError(
                "spatial_cells",
                "must give an even number of cells along x, so that cells align with the partition",
                self.spatial_cells,
            )
        if any(side <= 0 for side in self.delta_v):
            raise ParamError("delta_v", "every Δv must be > 0", list(self.delta_v))
        if len(set(self.delta_v)) != len(self.delta_v):
            raise ParamError("delta_v", "lists a value twice", list(self.delta_v))
        if min(self.delta_v) * MAX_VELOCITY_CELLS < 50.0 * self.thermal_speed:
            raise ParamError("delta_v", "too small for the velocity cell range", min(self.delta_v))
        width, height = self.box
        initial_width = width / 2 if self.partition else width
        smallest = MIN_PERIODIC_CELLS if self.boundary == "periodic" else 1
        if min(initial_width, height) <= smallest * self.diameter:
            raise ParamError(
                "area_fraction",
                f"gives a box of {width:.3g} x {height:.3g}, too small for discs of diameter "
                f"{self.diameter:g}",
                self.area_fraction,
            )
        self._check_placement()
        if self.neighbour_cell is not None and self.neighbour_cell < self.diameter:
            raise ParamError("neighbour_cell", "must be at least the diameter", self.neighbour_cell)
        return self

    def _check_placement(self) -> None:
        """Refuse solid densities, random addition beyond its limit, lattices with overlaps."""
        if self.area_fraction > SOLID_AREA_FRACTION:
            raise ParamError(
                "area_fraction",
                f"must be <= {SOLID_AREA_FRACTION}: denser hard discs are hexatic or solid "
                "(Bernard & Krauth 2011), and a lattice start would not melt",
                self.area_fraction,
            )
        if self.placement == "random":
            if self.area_fraction > MAX_RANDOM_AREA_FRACTION:
                raise ParamError(
                    "area_fraction",
                    f"must be <= {MAX_RANDOM_AREA_FRACTION} with random placement (random "
                    "sequential addition jams at 0.547); use placement: triangular for dense "
                    "liquids",
                    self.area_fraction,
                )
            return
        fit = self.triangular_fit()
        if fit.nearest < self.diameter:
            raise ParamError(
                "area_fraction",
                f"leaves no overlap-free triangular lattice of {self.n_discs} discs in the "
                f"initial region: the best, {fit.rows} rows x {fit.columns} columns, has sites "
                f"{fit.nearest:.4g} apart, less than the diameter {self.diameter:g} (change "
                "aspect_ratio or n_discs)",
                self.area_fraction,
            )

    def initial_region(self) -> tuple[np.ndarray, np.ndarray, tuple[bool, bool]]:
        """Bounds of the disc centres at the start (length) and whether each axis wraps.

        The left half behind a partition or the whole box, inset by a radius from every wall;
        an axis wraps when the region spans a periodic one.
        """
        radius = 0.5 * self.diameter
        width, height = self.box
        periodic = self.boundary == "periodic"
        initial_width = width / 2 if self.partition else width
        if periodic:
            low = np.array([radius if self.partition else 0.0, 0.0])
            high = np.array([initial_width - radius if self.partition else width, height])
        else:
            low = np.array([radius, radius])
            high = np.array([initial_width - radius, height - radius])
        return low, high, (periodic and not self.partition, periodic)

    def triangular_fit(self) -> placement.TriangularFit:
        """The triangular lattice of the initial region (see ``fit_triangular_lattice``)."""
        low, high, wraps = self.initial_region()
        return placement.fit_triangular_lattice(self.n_discs, low, high, wraps)

    @property
    def bond_order_cutoff(self) -> float:
        """Neighbour cutoff of the recorded |Ψ₆| at the initial area fraction (length)."""
        return float(structure.bond_cutoff(self.area_fraction, self.diameter))

    @property
    def thermal_speed(self) -> float:
        """√(k_B T / m), the standard deviation of one velocity component (velocity)."""
        return float(np.sqrt(self.temperature / self.mass))

    @property
    def initial_area(self) -> float:
        """Area A₀ of the initial region (length²)."""
        return self.n_discs * np.pi * self.diameter**2 / (4.0 * self.area_fraction)

    @property
    def box_area(self) -> float:
        """Area of the whole box, 2A₀ with a partition (length²)."""
        return self.initial_area * (2.0 if self.partition else 1.0)

    @property
    def box(self) -> np.ndarray:
        """Box width and height (length)."""
        height = np.sqrt(self.box_area / self.aspect_ratio)
        return np.array([self.aspect_ratio * height, height])

    @property
    def spatial_grid(self) -> tuple[int, int]:
        """Number of square entropy cells along x and y."""
        return round(self.aspect_ratio * self.spatial_cells), self.spatial_cells

    @property
    def delta_x(self) -> float:
        """Side Δx of the square spatial entropy cells (length)."""
        return float(self.box[1] / self.spatial_cells)

    @property
    def total_steps(self) -> int:
        """Number of framework steps of the run."""
        return round(self.duration / self.time_quantum)

    def neighbour_grid(self) -> tuple[int, int]:
        """Cells of the neighbour list along x and y (each at least σ wide)."""
        target = self.neighbour_cell or np.sqrt(
            DISCS_PER_NEIGHBOUR_CELL * self.box_area / self.n_discs
        )
        target = max(target, self.diameter)
        counts = []
        for length in self.box:
            cells = max(1, int(length / target))
            if self.boundary == "periodic":
                cells = max(cells, MIN_PERIODIC_CELLS)
            counts.append(cells)
        return counts[0], counts[1]
