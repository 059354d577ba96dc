"""A dilute gas of hard discs: exact event-driven dynamics and the free expansion into 2V.

Garrido, Goldstein, Huse & Lebowitz, "Time evolution of the Boltzmann entropy for a
nonequilibrium dilute gas" (arXiv 2403.07519). N discs of diameter σ and mass m start uniformly
(random sequential addition) in the left half of a rectangular box, held by a partition that is
removed at t = 0 (or fill the whole box), with Maxwellian velocities at temperature T and zero
total momentum (or one fixed speed, in antiparallel pairs). Walls reflect specularly, or the box
is periodic. The dynamics are exact (:mod:`sims.harddisc.kernels`).

Dense liquids: random sequential addition jams at φ ≈ 0.547 and is slow long before, so it is
limited to φ <= 0.4. ``placement: triangular`` starts the discs on a triangular lattice fitted to
the initial region instead (:func:`sims.harddisc.placement.fit_triangular_lattice`), and
``equilibration_time`` then melts it at fixed density before t = 0. The hard-disc fluid is stable
up to φ ≈ 0.700; liquid–hexatic coexistence lies between 0.700 and 0.716, and above ≈ 0.72 the
discs are hexatic or solid (Bernard & Krauth, Phys. Rev. Lett. 107, 155704, 2011): there a lattice
does not melt, so area fractions above SOLID_AREA_FRACTION are refused, and a start between 0.70
and 0.72 relaxes to coexistence, not to a homogeneous liquid.

Units: σ (length), m (mass) and k_B T (energy) of the defaults are all 1, so time is in
σ √(m / k_B T) and velocities in √(k_B T / m). One framework step is ``time_quantum`` of model
time: records fall on multiples of it, and an event is processed in the step that contains it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from sims.core import state_checks as checks
from sims.core.record_log import memory_of_records
from sims.core.simulation import Model
from sims.harddisc import diagnostics, kernels, placement, structure
from sims.harddisc.dataset import assemble
from sims.harddisc.params import HardDiscParams

ENERGY_TOLERANCE = 1e-9  # relative drift of N k_B T allowed in a checkpointed state
OVERLAP_TOLERANCE = 1e-9  # overlap allowed in a checkpointed state (diameters)
BYTES_PER_DISC = 8 * (kernels.N_KINEMATICS + kernels.N_BOOKKEEPING + 2 * 2 + 6) + 4 * 4
BYTES_PER_RECORD = 2048


def _aligned(shape: tuple[int, int], dtype) -> np.ndarray:
    """A zeroed C-contiguous array whose data start on a 64-byte (cache line) boundary."""
    itemsize = np.dtype(dtype).itemsize
    size = shape[0] * shape[1]
    raw = np.zeros(size + 64 // itemsize, dtype)
    skip = (-raw.ctypes.data % 64) // itemsize
    return raw[skip : skip + size].reshape(shape)


class HardDiscModel(Model):
    """Hard discs in a box, by exact event-driven dynamics (see module docstring)."""

    Params = HardDiscParams

    def __init__(self, params: HardDiscParams, seed_sequence: np.random.SeedSequence):
        super().__init__(params, seed_sequence)
        rng = np.random.default_rng(seed_sequence)
        self.box = params.box
        self.periodic = params.boundary == "periodic"
        self.cells = params.neighbour_grid()
        self.geometry = np.array(
            [*self.box, *self.cells, params.diameter, 1.0 if self.periodic else 0.0]
        )
        count = params.n_discs
        self.kinematics = _aligned((count, kernels.N_KINEMATICS), np.float64)
        self.bookkeeping = _aligned((count, kernels.N_BOOKKEEPING), np.int64)
        self.label = np.arange(count, dtype=np.int64)  # the disc held by each row
        position = self.kinematics[:, kernels.X : kernels.Y + 1]
        velocity = self.kinematics[:, kernels.VX : kernels.VY + 1]
        if params.equilibration_time > 0:
            position[...], velocity[...] = self._equilibrated(seed_sequence)
        else:
            position[...] = self._place(rng)
            velocity[...] = self._velocities(rng)
        self.cell_head = np.empty(self.cells[0] * self.cells[1], np.int32)
        self.cell_next = np.empty(count, np.int32)
        self.cell_prev = np.empty(count, np.int32)
        kernels.build_cell_lists(
            position, self.bookkeeping[:, kernels.COLUMN], self.bookkeeping[:, kernels.ROW],
            self.cell_head, self.cell_next, self.cell_prev, self.box, *self.cells,
        )  # fmt: skip
        self.kinematics[:, kernels.MEMO_TIME] = np.inf
        self.bookkeeping[:, kernels.MEMO_PARTNER] = kernels.NO_EVENT
        self.heap = _aligned((kernels.heap_rows(count), 2), np.float64)
        self.heap_slot = np.zeros(count, np.int32)
        self.counters = np.zeros(kernels.N_COUNTERS, np.int64)
        self.sums = np.zeros(kernels.N_SUMS)
        kernels.schedule_all(
            0.0, self.kinematics, self.bookkeeping, self.cell_head, self.cell_next,
            self.geometry, self.heap, self.heap_slot,
        )  # fmt: skip

    def _equilibrated(self, seed_sequence) -> tuple[np.ndarray, np.ndarray]:
        """Positions and velocities after ``equilibration_time`` of dynamics in the initial region.

        The initial region is a box of its own (the left half, walls all round, when there is a
        partition), started exactly as this model would start without equilibration.
        """
        params = self.params
        aspect_ratio = params.aspect_ratio / (2.0 if params.partition else 1.0)
        region = params.model_copy(
            update={"partition": False, "aspect_ratio": aspect_ratio, "equilibration_time": 0.0}
        )
        inner = HardDiscModel(region, seed_sequence)
        inner.advance(round(params.equilibration_time / params.time_quantum))
        return inner._discs_now()

    def _place(self, rng: np.random.Generator) -> np.ndarray:
        """Initial positions in the initial region: a triangular lattice or random addition.

        Random sequential addition fails loudly if it cannot finish.
        """
        params = self.params
        low, high, wraps = params.initial_region()
        if params.placement == "triangular":
            return placement.triangular_lattice(
                params.n_discs, low, wraps, params.triangular_fit(), rng
            )
        rng_state = rng.integers(0, 2**63, size=4, dtype=np.uint64, endpoint=False)
        rng_state[0] |= np.uint64(1)
        position, placed = placement.random_sequential_addition(
            params.n_discs, low, high, self.box, self.periodic, params.diameter,
            params.rsa_attempts * params.n_discs, rng_state,
        )  # fmt: skip
        if placed < params.n_discs:
            raise ValueError(
                f"params.area_fraction: random sequential addition placed only {placed} of "
                f"{params.n_discs} discs in {params.rsa_attempts} attempts per disc (got "
                f"{params.area_fraction})"
            )
        return position

    def _velocities(self, rng: np.random.Generator) -> np.ndarray:
        """Maxwellian (zero momentum, energy exactly N k_B T), or one speed, antiparallel pairs."""
        params = self.params
        count = params.n_discs
        if params.velocities == "maxwell":
            velocity = rng.standard_normal((count, 2))
            if count > 1:
                velocity -= velocity.mean(axis=0)
            velocity *= np.sqrt(2.0 * count / np.sum(velocity**2))
            return velocity * params.thermal_speed
        angle = rng.uniform(0.0, 2.0 * np.pi, size=(count + 1) // 2)
        pairs = np.stack([np.cos(angle), np.sin(angle)], axis=1)
        velocity = np.concatenate([pairs, -pairs])[:count]
        order = rng.permutation(count)
        return velocity[order] * np.sqrt(2.0) * params.thermal_speed

    def _rows(self) -> np.ndarray:
        """The row of ``kinematics`` that holds each disc (rows are kept sorted by cell)."""
        rows = np.empty_like(self.label)
        rows[self.label] = np.arange(self.label.size)
        return rows

    @property
    def position(self) -> np.ndarray:
        """Disc centres at their own last event times, in disc order (a copy; length)."""
        return self.kinematics[self._rows(), kernels.X : kernels.Y + 1]

    @property
    def velocity(self) -> np.ndarray:
        """Disc velocities in disc order (a copy; velocity)."""
        return self.kinematics[self._rows(), kernels.VX : kernels.VY + 1]

    @property
    def time(self) -> float:
        """Model time of the current step (time)."""
        return self.step_count * self.params.time_quantum

    def record_steps(self) -> np.ndarray:
        """Every ``record_interval`` from step 0 to the last step."""
        every = round(self.params.record_interval / self.params.time_quantum)
        return np.arange(0, self.params.total_steps + 1, every, dtype=np.int64)

    def advance(self, n_steps: int) -> None:
        """Process every event up to time ``(step_count + n_steps) * time_quantum``."""
        end_time = (self.step_count + n_steps) * self.params.time_quantum
        kernels.process_events(
            end_time, self.params.mass, self.kinematics, self.bookkeeping, self.cell_head,
            self.cell_next, self.cell_prev, self.geometry, self.heap, self.heap_slot, self.label,
            self.counters, self.sums,
        )  # fmt: skip
        self.step_count += n_steps

    def positions(self) -> np.ndarray:
        """Disc centres at the current time (a new array; the state is not touched)."""
        return self._discs_now()[0]

    def _discs_now(self) -> tuple[np.ndarray, np.ndarray]:
        """Positions at the current time and velocities, in disc order, from one gather."""
        kinematics = self.kinematics[self._rows()]
        velocity = kinematics[:, kernels.VX : kernels.VY + 1].copy()  # not a view of all 8 columns
        position = kernels.positions_at(
            self.time, kinematics[:, kernels.X : kernels.Y + 1], velocity,
            kinematics[:, kernels.T], self.box, self.periodic,
        )  # fmt: skip
        return position, velocity

    def observe(self) -> dict[str, Any]:
        """Entropies for every Δv, energy, momentum, event counts, virial, |Ψ₆|; maybe the discs."""
        params = self.params
        position, velocity = self._discs_now()
        entropies = diagnostics.phase_space_entropies(
            position, velocity, self.box, params.spatial_grid, np.asarray(params.delta_v)
        )
        record = {
            "step": self.step_count,
            **entropies,
            "kinetic_energy": 0.5 * params.mass * float(np.sum(velocity**2)),
            "momentum": params.mass * velocity.sum(axis=0),
            "collisions": int(self.counters[kernels.COLLISIONS]),
            "wall_collisions": int(self.counters[kernels.WALL_COLLISIONS]),
            "cell_crossings": int(self.counters[kernels.CELL_CROSSINGS]),
            "virial": float(self.sums[kernels.VIRIAL]),
            "wall_impulse": float(self.sums[kernels.WALL_IMPULSE]),
            "right_fraction": float(np.mean(position[:, 0] >= 0.5 * self.box[0])),
            "bond_order": abs(
                structure.global_bond_order(
                    position, self.box, self.periodic, params.bond_order_cutoff
                )
            ),
        }
        if params.store_particles:
            record["position"] = position
            record["velocity"] = velocity
        return record

    _STATE_ARRAYS = (
        "kinematics", "bookkeeping", "cell_head", "cell_next", "cell_prev", "heap",
        "heap_slot", "label", "counters", "sums",
    )  # fmt: skip

    def get_state(self) -> dict[str, Any]:
        """Disc state, cell lists, the event heap, counters and sums (copies)."""
        return {name: getattr(self, name).copy() for name in self._STATE_ARRAYS}

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`get_state`'s output."""
        for name in self._STATE_ARRAYS:
            getattr(self, name)[...] = state[name]

    def check_state(self, state: dict[str, Any]) -> None:
        """Indices in range, intact cell lists and heap, energy N k_B T, no overlapping discs."""
        count = self.params.n_discs
        kinematics, bookkeeping = state["kinematics"], state["bookkeeping"]
        motion = kinematics[:, [kernels.X, kernels.Y, kernels.VX, kernels.VY, kernels.T]]
        checks.require(np.all(np.isfinite(motion)), "kinematics holds NaN or infinity")
        checks.require(not np.isnan(kinematics[:, kernels.MEMO_TIME]).any(), "memo time is NaN")
        checks.require(
            np.array_equal(np.sort(state["label"]), np.arange(count)), "label is no permutation"
        )
        cells_x, cells_y = self.cells
        for name, column, high in (
            ("cell column", kernels.COLUMN, cells_x),
            ("cell row", kernels.ROW, cells_y),
            ("partner", kernels.PARTNER, count),
            ("memo partner", kernels.MEMO_PARTNER, count),
        ):
            low = 0 if column in (kernels.COLUMN, kernels.ROW) else kernels.NO_EVENT
            checks.in_range({name: bookkeeping[:, column]}, name, low, high)
        checks.in_range(state, "cell_head", -1, count)
        checks.in_range(state, "cell_next", -1, count)
        checks.in_range(state, "cell_prev", -1, count)
        checks.require(
            kernels.cell_lists_intact(
                state["cell_head"], state["cell_next"], state["cell_prev"],
                bookkeeping[:, kernels.COLUMN], bookkeeping[:, kernels.ROW], cells_x,
            ),
            "cell lists are broken",
        )  # fmt: skip
        self._check_heap(state["heap"], state["heap_slot"], count)
        checks.require(np.all(state["counters"] >= 0), "counters are negative")
        checks.finite(state, "sums")
        velocity = kinematics[:, kernels.VX : kernels.VY + 1]
        energy = 0.5 * self.params.mass * float(np.sum(velocity**2))
        expected = count * self.params.temperature
        checks.require(
            abs(energy - expected) <= ENERGY_TOLERANCE * expected,
            f"kinetic energy {energy:.17g} is not N k_B T = {expected:.17g}",
        )
        now = float(kinematics[:, kernels.T].max())
        position = kernels.positions_at(
            now, kinematics[:, kernels.X : kernels.Y + 1], velocity.copy(),
            kinematics[:, kernels.T], self.box, self.periodic,
        )  # fmt: skip
        gap = kernels.minimum_gap(
            position, self.box, self.periodic, self.params.diameter, *self.cells
        )
        checks.require(gap > -OVERLAP_TOLERANCE * self.params.diameter, "discs overlap")

    @staticmethod
    def _check_heap(heap: np.ndarray, heap_slot: np.ndarray, count: int) -> None:
        """One entry per row at its recorded slot, +inf padding, parents never later."""
        root = kernels.HEAP_ROOT
        checks.in_range({"heap_slot": heap_slot}, "heap_slot", root, root + count)
        entries = heap[root : root + count]
        checks.require(
            np.array_equal(entries[heap_slot - root, 1], np.arange(count)),
            "heap entries do not match heap_slot",
        )
        checks.require(not np.isnan(heap[:, 0]).any(), "heap holds NaN times")
        checks.require(np.all(heap[root + count :, 0] == np.inf), "heap padding is not +inf")
        slots = np.arange(root + 1, root + count)
        parents = slots // kernels.HEAP_ARITY + root - 1
        checks.require(np.all(heap[parents, 0] <= heap[slots, 0]), "heap order is broken")

    @classmethod
    def memory_estimate(cls, params: HardDiscParams) -> float:
        """Disc rows, cell lists and heap, the entropy diagnostics' keys, records (B)."""
        count = params.n_discs
        records = params.total_steps // round(params.record_interval / params.time_quantum) + 1
        particles = 2 * 2 * 8 * count if params.store_particles else 0
        per_record = BYTES_PER_RECORD + 16 * len(params.delta_v) * (params.spatial_grid[0] + 1)
        observe = 8 * 8 * count * 2  # keys and counts of the phase-space cells, per Δv pass
        cells_x, cells_y = params.neighbour_grid()
        cells = 4 * cells_x * cells_y + 8 * 2 * count  # cell heads, cell columns and rows
        width, height = params.box
        width /= 2 if params.partition else 1
        grid = 8 * np.prod([min(side / params.diameter, placement.MAX_CELLS)
                            for side in (width, height)])  # fmt: skip
        discs = BYTES_PER_DISC * count * (2 if params.equilibration_time > 0 else 1)
        kept = memory_of_records(records * per_record, records * particles, particles)
        return discs + cells + max(grid, observe) + kept

    @classmethod
    def cost_estimate(cls, params: HardDiscParams) -> float:
        """Disc time quanta (collisions per disc and time grow with density, ignored here)."""
        return params.n_discs * params.total_steps

    def time_at(self, step: int) -> float:
        """Model time (σ √(m/k_B T))."""
        return step * self.params.time_quantum

    def to_dataset(self, records: list[dict[str, Any]]) -> xr.Dataset:
        """The run's dataset (see :func:`sims.harddisc.dataset.assemble`)."""
        return assemble(self, records)

    @classmethod
    def summarize(cls, dataset: xr.Dataset) -> str:
        """Size, events, energy error and the entropy rise against N ln 2 for the coarsest Δv."""
        energy = dataset.kinetic_energy.values
        drift = np.max(np.abs(energy - energy[0])) / energy[0]
        count = int(dataset.attrs["n_discs"])
        coarsest = dataset.delta_v.values.argmax()
        entropy = dataset.boltzmann_entropy.isel(delta_v=coarsest).values
        change = (entropy[-1] - entropy[0]) / count
        if dataset.attrs.get("partition") == "removed at t=0":
            change_text = f"ΔS/(N ln 2) = {change / np.log(2):.3f}"
        else:
            change_text = f"ΔS/N = {change:.4f}"
        return (
            f"N={count}, t=0..{float(dataset.time[-1]):g}, "
            f"{int(dataset.collisions[-1])} collisions, max |ΔE|/E = {drift:.1e}; "
            f"S_B/N (Δv={dataset.delta_v.values[coarsest]:g}) {entropy[0] / count:.4f} -> "
            f"{entropy[-1] / count:.4f}, {change_text}; ideal gas S/N "
            f"{float(dataset.ideal_gas_entropy_initial):.4f} -> "
            f"{float(dataset.ideal_gas_entropy_final):.4f}"
        )

    @classmethod
    def warm_up(cls) -> None:
        """Compile the kernels (or load them from the cache) on a few discs, both boundaries."""
        for boundary in ("reflecting", "periodic"):
            params = HardDiscParams(
                n_discs=8, area_fraction=0.05, boundary=boundary, duration=1.0,
                record_interval=1.0, delta_v=(1.0,), spatial_cells=1,
            )  # fmt: skip
            model = cls(params, np.random.SeedSequence(0))
            model.advance(10)
            model.observe()
