"""Turn each series block into a *generator*: its state arrays and the jitted call that fills it.

A generator owns ``n_sources`` sources (a noise realisation, a map, a flow, an orbit) and writes
``n_rows`` series (one per source and recorded variable) into its slice of the run's sample
buffer, plus one invariant row per source (energy or Jacobi integral; NaN where the system has
none). ``advance(values, invariants, first, n)`` records samples ``first … first + n − 1`` of the
current state and steps past them; everything it reads or changes is in ``state``, so chunked
calls are bitwise identical to one call.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sims.core.rng import xoshiro_state
from sims.peccary import datafile, flows, maps, orbits, signals, specs

TRANSIENT_CHUNK = 4096
"""Samples per call when a transient is discarded (bounds the scratch buffer)."""
ISOTROPIC_TRIES = 1000
"""Directions tried per population orbit before giving up on an energy surface."""
ESCAPE_LIMIT = 1e8
"""Largest radius (length) searched for the zero-velocity surface of a population."""


def block_seed(seed_sequence: np.random.SeedSequence, name: str) -> np.random.SeedSequence:
    """SeedSequence of one block: the run's sequence extended by a stable hash of its name.

    A block's realisation therefore depends on the run's seed and its own name only; adding or
    reordering other blocks changes nothing.
    """
    digest = int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "little")
    return np.random.SeedSequence(
        seed_sequence.entropy, spawn_key=tuple(seed_sequence.spawn_key) + (digest,)
    )


@dataclass
class Generator:
    """One block's sources, state and kernel call."""

    name: str
    block: Any
    labels: list[str]
    variables: list[str]
    source_of_row: list[int]
    sources: list[str]
    state: dict[str, np.ndarray] = field(default_factory=dict)
    kernel: Any = None

    @property
    def n_rows(self) -> int:
        """Number of series written."""
        return len(self.labels)

    @property
    def n_sources(self) -> int:
        """Number of sources (realisations, orbits)."""
        return len(self.sources)

    @property
    def sample_interval(self) -> float:
        """Time between samples."""
        return specs.sample_interval(self.block)

    def advance(self, values: np.ndarray, invariants: np.ndarray, first: int, n: int) -> None:
        """Write samples ``first … first + n − 1`` into ``values`` (rows) and ``invariants``."""
        self.kernel(self, values, invariants, first, n)


def _new(name, block, n_sources, population=None):
    population = n_sources > 1 if population is None else population
    sources = [f"{name}[{k}]" if population else name for k in range(n_sources)]
    labels, names, source_of_row = [], [], []
    for k, source in enumerate(sources):
        for variable in block.variables:
            labels.append(source if len(block.variables) == 1 else f"{source}.{variable}")
            names.append(variable)
            source_of_row.append(k)
    return Generator(name, block, labels, names, source_of_row, sources)


# ----------------------------------------------------------------------------- signals


def _sine_kernel(gen, values, invariants, first, n):
    block = gen.block
    signals.sines(
        gen.state["amplitudes"],
        gen.state["periods"],
        gen.state["phases"],
        block.sample_interval,
        values[0],
        first,
        n,
    )
    invariants[:, first : first + n] = np.nan


def _sines(name, block, seed, samples):
    gen = _new(name, block, 1)
    if block.kind == "sine":
        amplitudes, periods, phases = [block.amplitude], [block.period], [block.phase]
    else:
        amplitudes, periods = block.amplitudes, block.periods
        phases = block.phases if block.phases is not None else [0.0] * len(periods)
    gen.state = {
        "amplitudes": np.array(amplitudes, dtype=np.float64),
        "periods": np.array(periods, dtype=np.float64),
        "phases": np.array(phases, dtype=np.float64),
    }
    gen.kernel = _sine_kernel
    return gen


def _white_kernel(gen, values, invariants, first, n):
    signals.white_noise(gen.state["rng"], gen.block.standard_deviation, values, first, n)
    invariants[:, first : first + n] = np.nan


def _white(name, block, seed, samples):
    gen = _new(name, block, block.count)
    gen.state = {"rng": np.stack([xoshiro_state(s) for s in seed.spawn(block.count)])}
    gen.kernel = _white_kernel
    return gen


def _replay_kernel(gen, values, invariants, first, n):
    values[:, first : first + n] = gen.state["realisations"][:, first : first + n]
    invariants[:, first : first + n] = np.nan


def _global_noise(name, block, seed, samples):
    gen = _new(name, block, block.count)
    realisations = np.empty((block.count, samples))
    for k, child in enumerate(seed.spawn(block.count)):
        state = xoshiro_state(child)
        if block.kind == "coloured_noise":
            realisations[k] = signals.coloured_noise(
                state, samples, block.spectral_slope, block.standard_deviation
            )
        else:
            realisations[k] = signals.fractional_brownian_motion(
                state, samples, block.hurst, block.scale, block.sample_interval
            )
    gen.state = {"realisations": realisations}
    gen.kernel = _replay_kernel
    return gen


# ----------------------------------------------------------------------------- maps

_MAP_VARIABLES = {"x": 0, "y": 1, "theta": 0, "p": 1}


def _map_kernel(gen, values, invariants, first, n):
    block, state = gen.block, gen.state["map"]
    codes = gen.state["variables"]
    if block.kind == "logistic":
        maps.logistic(state, block.growth_rate, values, first, n)
    elif block.kind == "henon":
        maps.henon(state, block.a, block.b, codes, values, first, n)
    elif block.kind == "skew_tent":
        maps.skew_tent(state, block.peak, values, first, n)
    else:
        maps.standard_map(state, block.kick, codes, values, first, n)
    invariants[:, first : first + n] = np.nan


def _discard_transient(gen, n_transient):
    scratch_values = np.empty((gen.n_rows, TRANSIENT_CHUNK))
    scratch_invariants = np.empty((gen.n_sources, TRANSIENT_CHUNK))
    done = 0
    while done < n_transient:
        n = min(TRANSIENT_CHUNK, n_transient - done)
        gen.advance(scratch_values, scratch_invariants, 0, n)
        done += n


def _map(name, block, seed, samples):
    gen = _new(name, block, 1)
    initial = np.atleast_1d(np.array(block.initial, dtype=np.float64))
    gen.state = {
        "map": initial.copy(),
        "variables": np.array([_MAP_VARIABLES[v] for v in block.variables], dtype=np.int64),
    }
    gen.kernel = _map_kernel
    _discard_transient(gen, block.transient)
    return gen


# ----------------------------------------------------------------------------- flows

_FLOW_SYSTEMS = {
    "lorenz": flows.LORENZ,
    "rossler": flows.ROSSLER,
    "double_pendulum": flows.DOUBLE_PENDULUM,
}
_FLOW_VARIABLES = {"x": 0, "y": 1, "z": 2, "theta1": 0, "theta2": 1, "omega1": 2, "omega2": 3}


def _flow_kernel(gen, values, invariants, first, n):
    block = gen.block
    flows.rk4(
        _FLOW_SYSTEMS[block.kind],
        gen.state["constants"],
        gen.state["flow"],
        block.time_step,
        specs.substeps(block),
        gen.state["variables"],
        values,
        invariants[0],
        first,
        n,
    )


def _flow(name, block, seed, samples):
    gen = _new(name, block, 1)
    if block.kind == "lorenz":
        constants, initial = (block.sigma, block.rho, block.beta), block.initial
    elif block.kind == "rossler":
        constants, initial = (block.a, block.b, block.c), block.initial
    else:
        constants = (*block.masses, *block.lengths, block.gravity)
        initial = (*block.angles, *block.angular_velocities)
    gen.state = {
        "constants": np.array(constants, dtype=np.float64),
        "flow": np.array(initial, dtype=np.float64),
        "variables": np.array([_FLOW_VARIABLES[v] for v in block.variables], dtype=np.int64),
    }
    gen.kernel = _flow_kernel
    transient = getattr(block, "transient", 0.0)
    _discard_transient(gen, round(transient / block.sample_interval))
    return gen


# ----------------------------------------------------------------------------- orbits


def integrator_tables(integrator: str, time_step: float, pattern_speed: float):
    """Stage lengths and the cos/sin of the frame rotation over each stage."""
    stages = time_step * np.array(orbits.STAGE_WEIGHTS[integrator])
    return stages, np.cos(pattern_speed * stages), np.sin(pattern_speed * stages)


def _orbit_kernel(gen, values, invariants, first, n):
    block = gen.block
    orbits.advance(
        gen.state["potential"],
        gen.state["constants"],
        gen.state["pattern_speed"],
        gen.state["stages"],
        gen.state["stage_cos"],
        gen.state["stage_sin"],
        specs.substeps(block),
        gen.state["phase"],
        gen.state["variables"],
        values,
        invariants,
        first,
        n,
    )


def _unit_vector(rng):
    vector = rng.standard_normal(3)
    return vector / np.linalg.norm(vector)


def _momentum(position, velocity, omega):
    """Canonical momentum p = v + Ω ẑ × x of the rotating-frame velocity v at x."""
    x, y, _ = position
    return np.asarray(velocity, dtype=np.float64) + omega * np.array([-y, x, 0.0])


def population(block, seed, n_orbits):
    """Initial phase-space points (x, p) of ``n_orbits`` orbits at the block's energy.

    Positions: isotropic direction n, radius uniform in (0, r_E) with Φ(r_E n) = E. Velocities:
    isotropic, |v| = √(2(E − Φ + ½Ω²R²)) in the frame rotating at Ω; p = v + Ω ẑ × x.
    """
    rng = np.random.default_rng(seed)
    code, constants, omega = block.potential_code, block.constants(), block.pattern_speed
    phase = np.empty((n_orbits, 6))
    for k in range(n_orbits):
        for _ in range(ISOTROPIC_TRIES):
            direction = _unit_vector(rng)
            limit = orbits.escape_radius(code, constants, direction, block.energy, ESCAPE_LIMIT)
            if np.isfinite(limit) and limit > 0:
                break
        else:
            raise ValueError(f"energy {block.energy}: no bound region found")
        position = rng.uniform(0.0, limit) * direction
        x, y, z = position
        kinetic = block.energy - orbits.potential(code, constants, x, y, z)
        kinetic += 0.5 * omega**2 * (x * x + y * y)
        velocity = np.sqrt(2.0 * max(kinetic, 0.0)) * _unit_vector(rng)
        phase[k] = np.concatenate([position, _momentum(position, velocity, omega)])
    return phase


def _orbit(name, block, seed, samples):
    if block.kind == "henon_heiles":
        gen = _new(name, block, 1)
        phase = np.array([[0.0, block.y, 0.0, np.sqrt(block.initial_px_squared()), block.p_y, 0.0]])
        code, constants, omega = orbits.HENON_HEILES, np.zeros(4), 0.0
    else:
        gen = _new(name, block, block.count, population=block.energy is not None)
        code, constants, omega = block.potential_code, block.constants(), block.pattern_speed
        if block.energy is None:
            position = np.array(block.position)
            momentum = _momentum(position, block.velocity, omega)
            phase = np.concatenate([position, momentum])[np.newaxis]
        else:
            phase = population(block, seed, block.count)
    stages, stage_cos, stage_sin = integrator_tables(block.integrator, block.time_step, omega)
    gen.state = {
        "potential": np.int64(code),
        "constants": np.asarray(constants, dtype=np.float64),
        "pattern_speed": np.float64(omega),
        "stages": stages,
        "stage_cos": stage_cos,
        "stage_sin": stage_sin,
        "phase": phase,
        "variables": np.array(
            [orbits.OBSERVABLES.index(v) for v in block.variables], dtype=np.int64
        ),
    }
    gen.kernel = _orbit_kernel
    return gen


# ----------------------------------------------------------------------------- files


class ChangedInput(ValueError):
    """A file series whose content no longer has the SHA-256 its scenario was validated with."""


def _file_kernel(samples, gen, values, invariants, first, n):
    values[0, first : first + n] = samples[first : first + n]
    invariants[:, first : first + n] = np.nan


def _file(name, block, seed, samples):
    """Read the file again and check it is the one validated (its hash is in the fingerprint).

    The samples stay outside ``state``: they are fixed by the file, whose hash the checkpoint's
    run fingerprint pins.
    """
    series = datafile.read_series(block)
    if series.sha256 != block.sha256:
        raise ChangedInput(
            f"{block.path}: the file changed since the scenario was validated (SHA-256 "
            f"{series.sha256}, expected {block.sha256})"
        )
    gen = _new(name, block, 1)
    gen.kernel = functools.partial(_file_kernel, series.values[:samples].copy())
    return gen


BUILDERS = {
    "sine": _sines,
    "sum_of_sines": _sines,
    "white_noise": _white,
    "coloured_noise": _global_noise,
    "fractional_brownian_motion": _global_noise,
    "logistic": _map,
    "henon": _map,
    "skew_tent": _map,
    "standard_map": _map,
    "lorenz": _flow,
    "rossler": _flow,
    "double_pendulum": _flow,
    "henon_heiles": _orbit,
    "orbit": _orbit,
    "file": _file,
}


def build(name: str, block, seed_sequence: np.random.SeedSequence, samples: int) -> Generator:
    """Generator of one block, seeded from the run's SeedSequence and the block's name."""
    return BUILDERS[block.kind](name, block, block_seed(seed_sequence, name), samples)
