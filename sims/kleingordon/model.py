"""The (1+1)D Klein–Gordon model φ_tt = φ_xx − V'(φ), periodic in x, spectral in space.

Physical state: the field φ and its velocity π = φ_t on N points of a box of length L; it is
stored as their real-FFT spectra (for the processed Takahashi–Imada scheme, those of the kernel's
state, mapped to the physical one when observed). The state is set from physical fields only
(:meth:`KleinGordonModel.set_fields`, used by the constructor); ``get_state``/``set_state`` carry
the kernel's own state for checkpoints. Units: c = 1, and lengths, times and the field are
in the dimensionless units of the potential (see :mod:`sims.kleingordon.potentials`). Time stepping
is symplectic with a fixed Δt (see :mod:`sims.kleingordon.kernels`); Δt is checked against the
scheme's stability bound.
"""

from __future__ import annotations

import contextlib
import math
import os
from typing import Any, Literal

import numpy as np
import xarray as xr
from pydantic import model_validator

from sims.core import state_checks as checks
from sims.core.record_log import LAZY_BYTES, memory_of_records
from sims.core.scenario import ParamError, StrictModel, check_multiple, param
from sims.core.simulation import Model
from sims.kleingordon import (
    diagnostics,
    field_file,
    kernels,
    modes,
    potentials,
    processing,
    schemes,
)
from sims.kleingordon import initial as initial_conditions
from sims.kleingordon.dataset import assemble

KINK_POTENTIALS = ("phi4", "sine_gordon", "phi6")
LINEAR_KINDS = ("gaussian_packet", "plane_wave")
SINE_GORDON_KINDS = ("breather", *initial_conditions.SINE_GORDON_PAIRS)
KINK_KINDS = ("kink", "antikink", "kink_antikink")
CURVATURE_MARGIN = 0.1  # extra field range (fraction) over which V'' is bounded
STABILITY_CURVATURES = 17  # samples of V'' over its range in the stability check
STABILITY_WAVENUMBERS = 4097  # samples of k in [0, k_max] in the stability check
STABILITY_FIELD_POINTS = 65_536  # the field's range is sampled on at most this many points
ENERGY_TOLERANCE = 0.05  # relative energy change a checkpointed state may show (not dealiased)
BYTES_PER_POINT = 256  # spectra, kernel buffers, linear-flow tables and observation temporaries
BYTES_PER_RECORD = 1024


class KleinGordonParams(StrictModel):
    """Parameters of one Klein–Gordon run."""

    potential: Literal["linear", "phi4", "sine_gordon", "phi6"] = param(
        "phi4", units="1", description="V(φ): linear, phi4, sine_gordon or phi6"
    )
    mass: float = param(1.0, units="1/length", description="Mass m of the linear potential", ge=0)
    coupling: float = param(1.0, units="1", description="Coupling λ of phi4 and phi6", gt=0)
    vacuum: float = param(1.0, units="field", description="Vacuum v of phi4 and phi6", gt=0)
    length: float = param(100.0, units="length", description="Box length L (periodic)", gt=0)
    points: int = param(1024, units="1", description="Grid points N (even)", ge=8)
    time_step: float = param(0.01, units="time", description="Fixed time step Δt", gt=0)
    duration: float = param(100.0, units="time", description="Model time to run", gt=0)
    record_interval: float = param(
        0.5, units="time", description="Time between records (a multiple of Δt)", gt=0
    )
    snapshot_stride: int = param(
        1, units="1", description="Store φ, π and e(x) every this many records", ge=1
    )
    scheme: Literal["verlet", "yoshida4", "takahashi_imada"] = param(
        "takahashi_imada",
        units="1",
        description="Time stepper: verlet (order 2), yoshida4 (order 4, three kicks per step) or "
        "takahashi_imada (processed, order 4, one modified kick per step)",
    )
    linear_flow: Literal["stepped", "exact"] = param(
        "exact",
        units="1",
        description="Drift: free flight (stepped) or the exact linear flow in Fourier space",
    )
    dealias: bool = param(
        False, units="1", description="Project V'(φ) on |k| <= 2/3 k_Nyquist (2/3 rule)"
    )
    probes: tuple[float, ...] = param(
        (0.0,), units="length", description="Positions x₀ of the probe series φ(x₀, t)"
    )
    initial: initial_conditions.InitialCondition = param(
        initial_conditions.InitialCondition(), units="1", description="Initial condition"
    )
    noise_amplitude: float = param(
        0.0,
        units="field/time",
        description="RMS of a random smooth velocity perturbation (from the member's seed)",
        ge=0,
    )
    noise_modes: int = param(
        8, units="1", description="Lowest Fourier modes carrying the perturbation", ge=1
    )

    @model_validator(mode="after")
    def _consistent(self) -> KleinGordonParams:
        if self.points % 2:
            raise ParamError("points", "must be even", self.points)
        for key in ("duration", "record_interval"):
            check_multiple(self, key, "time_step")
        kind = self.initial.kind
        if kind in LINEAR_KINDS and self.potential != "linear":
            raise ParamError("initial.kind", "wave packets need potential: linear", kind)
        if kind in SINE_GORDON_KINDS and self.potential != "sine_gordon":
            raise ParamError("initial.kind", f"{kind} needs potential: sine_gordon", kind)
        if kind in initial_conditions.SINE_GORDON_PAIRS and self.initial.velocity <= 0:
            raise ParamError("initial.velocity", "must be > 0 (the speed of each soliton)",
                             self.initial.velocity)  # fmt: skip
        if kind in KINK_KINDS and self.potential not in KINK_POTENTIALS:
            raise ParamError("initial.kind", f"{self.potential} has no kinks", kind)
        if kind in LINEAR_KINDS and 2 * abs(self.initial.mode) >= self.points:
            raise ParamError("initial.mode", f"must satisfy |mode| < N/2={self.points // 2}", kind)
        for probe in self.probes:
            if not -0.5 * self.length <= probe < 0.5 * self.length:
                raise ParamError("probes", "must lie in [-L/2, L/2)", probe)
        try:
            stable = self.is_stable(self.time_step)  # builds the initial field: reads a file
        except field_file.FieldFileError as error:
            raise ParamError(f"initial.{error.key}", error.problem) from None
        if not stable:
            raise ParamError(
                "time_step",
                f"is beyond the stability bound of {self.scheme} ({self.linear_flow} linear "
                f"flow): the largest stable Δt below it is {self.stable_time_step():.6g}",
                self.time_step,
            )
        return self

    @property
    def constants(self) -> np.ndarray:
        """(mass, coupling, vacuum, μ²) for the kernels; μ² is the mass in the exact linear flow."""
        linear_mass_squared = self.mass**2 if self.potential == "linear" else 0.0
        return np.array([self.mass, self.coupling, self.vacuum, linear_mass_squared])

    @property
    def total_steps(self) -> int:
        """Number of time steps of the run."""
        return round(self.duration / self.time_step)

    def initial_fields(self, points: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """φ(x, 0) and π(x, 0) before any random perturbation, on ``points`` (default N)."""
        constants = dict(zip(potentials.PARAMETER_ORDER, self.constants[:3], strict=True))
        return initial_conditions.build(
            self.initial, self.potential, constants, self.length, points or self.points
        )

    def is_stable(self, time_step: float) -> bool:
        """Whether Δt is linearly stable for every wavenumber up to k_max (frozen coefficients).

        A mode k is an oscillator y'' = −ω² y − κ y: with the exact linear flow ω² = k² + μ² is
        rotated exactly and κ = V'' − μ² is kicked; with free flight ω = 0 and κ = k² + V''.
        V'' is sampled over the field's range (initial field and vacua, with a margin), k over
        [0, k_max] densely rather than on the grid's modes (a field that varies in space
        couples them, so a resonance that falls between two modes still grows), and the
        scheme's one-step trace (:func:`~sims.kleingordon.schemes.one_step_trace`) must stay
        within [−2, 2] wherever the exact mode oscillates (ω² + κ > 0). With the exact linear
        flow this catches the resonance bands at ωΔt ≈ π, 2π, … that the nonlinear kick opens.
        """
        phi, _ = self.initial_fields(min(self.points, STABILITY_FIELD_POINTS))  # bounded memory
        low, high = float(phi.min()), float(phi.max())
        margin = CURVATURE_MARGIN * max(high - low, self.vacuum)
        if self.potential in ("phi4", "phi6"):
            low, high = min(low, -self.vacuum), max(high, self.vacuum)
        kind = potentials.POTENTIALS[self.potential]
        lowest, highest = potentials.curvature_range(
            kind, self.constants, low - margin, high + margin
        )
        curvature = np.linspace(lowest, highest, STABILITY_CURVATURES)
        k_max = np.pi * self.points / self.length
        k_squared = np.linspace(0.0, k_max, STABILITY_WAVENUMBERS) ** 2
        scheme = schemes.SCHEMES[self.scheme]
        if self.linear_flow == "exact":  # one stiffness range for every k: κ = V'' − μ²
            omega_squared = k_squared + self.constants[3]
            kappa = curvature - self.constants[3]
            trace = schemes.one_step_trace(scheme, time_step, np.sqrt(omega_squared), kappa)
            oscillating = omega_squared[:, None] + kappa[None, :] > 0
        else:  # free flight: κ = k² + V'' is all kicked
            kappa = (k_squared[:, None] + curvature[None, :]).ravel()
            trace = schemes.one_step_trace(scheme, time_step, np.zeros(1), kappa)
            oscillating = kappa[None, :] > 0
        return not np.any(oscillating & (np.abs(trace) > 2.0 * (1.0 + 1e-9)))

    def stable_time_step(self) -> float:
        """A stable Δt at the edge of the stability region below ``time_step`` (to 1e-6).

        Steps down by 10 % to a stable Δt, then bisects between it and the unstable one above.
        """
        unstable = stable = self.time_step
        while not self.is_stable(stable):
            unstable, stable = stable, 0.9 * stable
        while unstable - stable > 1e-6 * stable:
            middle = 0.5 * (stable + unstable)
            stable, unstable = (middle, unstable) if self.is_stable(middle) else (stable, middle)
        return stable


class KleinGordonModel(Model):
    """A real scalar field in one space dimension (see module docstring).

    ``phi_hat`` and ``pi_hat`` are the kernel's state, which for takahashi_imada is not the
    spectrum of the physical fields: read the fields with :meth:`fields` (or ``phi``, ``pi``)
    and set them with :meth:`set_fields`.
    """

    Params = KleinGordonParams

    def __init__(self, params: KleinGordonParams, seed_sequence: np.random.SeedSequence):
        super().__init__(params, seed_sequence)
        self.kind = potentials.POTENTIALS[params.potential]
        self.constants = params.constants
        self.x = initial_conditions.grid(params.length, params.points)
        self.spacing = params.length / params.points
        self.wavenumber = initial_conditions.wavenumbers(params.length, params.points)
        self.wavenumber_squared = self.wavenumber**2
        nyquist = self.wavenumber[-1]
        self.dealias_mask = (self.wavenumber <= 2.0 * nyquist / 3.0).astype(np.float64)
        scheme = schemes.SCHEMES[params.scheme]
        self.kick_weights, self.drift_weights = scheme.kick_weights, scheme.drift_weights
        self.correction = scheme.correction * params.time_step**2
        omega = np.sqrt(self.wavenumber_squared + self.constants[3])
        self.flow_tables = schemes.linear_flow_tables(self.drift_weights, params.time_step, omega)
        self.system = (
            self.wavenumber_squared,
            self.dealias_mask,
            params.dealias,
            params.linear_flow == "exact",
            self.kind,
            self.constants,
        )
        phi, pi = params.initial_fields()
        self.mode_vacuum = modes.nearest_vacuum(self.kind, self.constants, float(phi[0]))
        self.mode_frequency = modes.frequencies(
            self.kind, self.constants, self.mode_vacuum, self.wavenumber
        )
        self.mode_degeneracy = modes.degeneracy(params.points)
        if params.noise_amplitude > 0:
            pi += self._perturbation(np.random.default_rng(seed_sequence))
        self.phi_hat = np.zeros(params.points // 2 + 1, dtype=np.complex128)
        self.pi_hat = np.zeros_like(self.phi_hat)
        self.set_fields(phi, pi)

    def _perturbation(self, rng: np.random.Generator) -> np.ndarray:
        """Smooth random velocity field of RMS ``noise_amplitude`` on the lowest modes."""
        params = self.params
        modes = np.arange(1, params.noise_modes + 1)
        phases = 2.0 * np.pi * np.outer(self.x + 0.5 * params.length, modes) / params.length
        coefficients = rng.standard_normal((2, modes.size))
        field = np.cos(phases) @ coefficients[0] + np.sin(phases) @ coefficients[1]
        return params.noise_amplitude * field / np.sqrt(np.mean(field**2))

    def record_steps(self) -> np.ndarray:
        """Every ``record_interval`` from step 0 to the last step."""
        every = round(self.params.record_interval / self.params.time_step)
        return np.arange(0, self.params.total_steps + 1, every, dtype=np.int64)

    def advance(self, n_steps: int) -> None:
        """Advance ``n_steps`` time steps inside the jitted kernel."""
        kernels.advance(
            self.phi_hat,
            self.pi_hat,
            n_steps,
            self.params.time_step,
            self.kick_weights,
            self.drift_weights,
            self.flow_tables,
            self.system,
            self.correction,
        )
        self.step_count += n_steps

    def fields(self) -> tuple[np.ndarray, np.ndarray]:
        """The physical φ and π on the grid (new arrays; processed for takahashi_imada)."""
        return self._fields_of(self.phi_hat, self.pi_hat)

    def set_fields(self, phi: np.ndarray, phi_t: np.ndarray) -> None:
        """Set the state to the physical field φ and velocity φ_t on the grid (N values each).

        The kernel state (φ̂, π̂) is derived here: the spectra, mapped through the inverse
        processor for takahashi_imada (:func:`sims.kleingordon.processing.from_physical`), so
        that :meth:`fields` returns φ and φ_t to rounding. The step count is left unchanged.

        Raises
        ------
        ValueError
            If an array is not N finite values.
        """
        points = self.params.points
        spectra = []
        for name, values in (("phi", phi), ("phi_t", phi_t)):
            values = np.asarray(values, dtype=np.float64)
            checks.require(values.shape == (points,), f"{name} must hold N={points} values")
            checks.require(np.all(np.isfinite(values)), f"{name} holds NaN or infinity")
            spectra.append(np.fft.rfft(values))
        if self.correction:
            spectra = processing.from_physical(*spectra, self.params.time_step, self.system)
        self.phi_hat[...], self.pi_hat[...] = spectra

    def _fields_of(self, phi_hat, pi_hat) -> tuple[np.ndarray, np.ndarray]:
        """The physical φ and π of the kernel state (φ̂, π̂) (left unchanged)."""
        if self.correction:
            phi_hat, pi_hat = processing.to_physical(
                phi_hat, pi_hat, self.params.time_step, self.system
            )
        points = self.params.points
        return np.fft.irfft(phi_hat, points), np.fft.irfft(pi_hat, points)

    @property
    def phi(self) -> np.ndarray:
        """The field φ on the grid (a new array)."""
        return self.fields()[0]

    @property
    def pi(self) -> np.ndarray:
        """The velocity π = φ_t on the grid (a new array)."""
        return self.fields()[1]

    def vacuum_gap(self) -> float:
        """Field distance between the two vacua a kink connects (1 for the linear potential)."""
        return {
            "phi4": 2 * self.params.vacuum,
            "sine_gordon": 2 * np.pi,
            "phi6": self.params.vacuum,
        }.get(self.params.potential, 1.0)

    def observe(self) -> dict[str, Any]:
        """Energy, momentum, kink number, probes, modes, and every ``snapshot_stride`` the fields.

        The modes are the occupations n_k about the run's vacuum, their free energy, classical
        entropy and empty count (:mod:`sims.kleingordon.modes`).
        """
        params = self.params
        phi, pi = self.fields()
        energy = diagnostics.energy(phi, pi, self.wavenumber, self.spacing, self.kind,
                                    self.constants)  # fmt: skip
        occupation = modes.occupations(phi, pi, self.mode_vacuum, self.mode_frequency, self.spacing)
        mode_entropy, empty_modes = modes.entropy(
            occupation, self.mode_frequency, self.mode_degeneracy, energy
        )
        record = {
            "step": self.step_count,
            "energy": energy,
            "momentum": diagnostics.momentum(phi, pi, self.wavenumber, self.spacing),
            "kink_number": diagnostics.kink_number(
                phi, self.wavenumber, self.spacing, self.vacuum_gap()
            ),
            "probe": diagnostics.interpolate(phi, np.asarray(params.probes), params.length),
            "mode_occupation": occupation,
            "free_energy": modes.free_energy(occupation, self.mode_frequency, self.mode_degeneracy),
            "mode_entropy": mode_entropy,
            "empty_modes": empty_modes,
        }
        index = self.step_count // round(params.record_interval / params.time_step)
        if index % params.snapshot_stride == 0:
            record["phi"] = phi
            record["pi"] = pi
            record["energy_density"] = diagnostics.energy_density(
                phi, pi, self.wavenumber, self.kind, self.constants
            )
        return record

    def get_state(self) -> dict[str, Any]:
        """The spectra φ̂ and π̂ (the time step is a parameter; nothing else evolves)."""
        return {"phi_hat": self.phi_hat.copy(), "pi_hat": self.pi_hat.copy()}

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`get_state`'s output."""
        self.phi_hat[...] = state["phi_hat"]
        self.pi_hat[...] = state["pi_hat"]

    def check_state(self, state: dict[str, Any]) -> None:
        """Finite spectra whose energy is the initial one (within ENERGY_TOLERANCE)."""
        checks.finite(state, "phi_hat", "pi_hat")
        if self.params.dealias:  # the 2/3 rule does not conserve energy
            return
        initial, found = (
            diagnostics.energy(*self._fields_of(phi_hat, pi_hat), self.wavenumber, self.spacing,
                               self.kind, self.constants)
            for phi_hat, pi_hat in ((self.phi_hat, self.pi_hat),
                                    (state["phi_hat"], state["pi_hat"]))
        )  # fmt: skip
        checks.require(
            abs(found - initial) <= ENERGY_TOLERANCE * abs(initial) + 1e-12,
            f"energy {found:.6g} is not the initial {initial:.6g}",
        )

    @classmethod
    def memory_estimate(cls, params: KleinGordonParams) -> float:
        """Spectra, kernel buffers, records, φ, π, e(x) snapshots and mode occupations (B).

        The occupations are N/2 + 1 values per record: with the small values of each record
        while they fit :data:`~sims.core.record_log.LAZY_BYTES`, otherwise counted as snapshots.
        """
        records = params.total_steps // round(params.record_interval / params.time_step) + 1
        snapshots = records // params.snapshot_stride + 1
        snapshot = 3 * 8 * params.points
        occupations = 8 * (params.points // 2 + 1)
        small = BYTES_PER_RECORD + 8 * len(params.probes)
        if occupations <= LAZY_BYTES:  # kept with the small values
            small, occupations = small + occupations, 0
        kept = memory_of_records(
            records * small,
            snapshots * snapshot + records * occupations,
            snapshot + occupations,
        )
        input_file = 0
        if params.initial.kind == "file":  # read whole, parsed into two rows of its grid
            with contextlib.suppress(OSError):  # a file gone since validation: reading says so
                input_file = 2 * os.lstat(params.initial.path).st_size
        return BYTES_PER_POINT * params.points + kept + input_file

    @classmethod
    def cost_estimate(cls, params: KleinGordonParams) -> float:
        """Steps × an FFT pair's work, N log₂ N."""
        return params.total_steps * params.points * math.log2(params.points)

    def time_at(self, step: int) -> float:
        """Model time."""
        return step * self.params.time_step

    def to_dataset(self, records: list[dict[str, Any]]) -> xr.Dataset:
        """The run's dataset (see :func:`sims.kleingordon.dataset.assemble`)."""
        return assemble(self, records)

    @classmethod
    def summarize(cls, dataset: xr.Dataset) -> str:
        """Duration, records and the relative energy error."""
        energy = dataset.energy.values
        drift = np.max(np.abs(energy - energy[0])) / abs(energy[0])
        return (
            f"t = 0..{float(dataset.time[-1]):g}, {dataset.sizes['time']} records, "
            f"max |ΔE|/E = {drift:.2e}"
        )

    @classmethod
    def warm_up(cls) -> None:
        """Compile the kernels (or load them from the cache) on a tiny grid."""
        for scheme in schemes.SCHEMES:
            for flow in ("stepped", "exact"):
                params = KleinGordonParams(
                    points=16,
                    length=40.0,
                    time_step=0.01,
                    duration=0.02,
                    record_interval=0.01,
                    scheme=scheme,
                    linear_flow=flow,
                )
                model = cls(params, np.random.SeedSequence(0))
                model.advance(1)
