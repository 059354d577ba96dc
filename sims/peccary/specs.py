"""Parameters of the generated series: one typed block per kind, selected by ``kind``.

A run's ``series`` is a mapping ``name -> block``; every block makes one *source* (or ``count``
independent sources: noise realisations, a population of orbits) and each source records the
quantities listed in ``variables`` as separate series. Times are in the generator's own units
(samples for maps, the model's time unit for flows and orbits); orbits use G = 1.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

import numpy as np
from pydantic import BeforeValidator, Field

from sims.core.scenario import ParamError, StrictModel, check_multiple, param
from sims.peccary import orbits


def _check_variables(block, allowed):
    for variable in block.variables:
        if variable not in allowed:
            raise ParamError("variables", f"must be among {', '.join(allowed)}", variable)
    if len(set(block.variables)) != len(block.variables) or not block.variables:
        raise ParamError("variables", "must be a non-empty list without repeats", block.variables)


def _check_substeps(block):
    check_multiple(block, "sample_interval", "time_step", positive=True)


class Sine(StrictModel):
    """x(t) = A sin(2πt/P + φ)."""

    kind: Literal["sine"] = "sine"
    amplitude: float = param(1.0, units="1", description="Amplitude A", gt=0)
    period: float = param(50.3, units="time", description="Period P", gt=0)
    phase: float = param(0.0, units="rad", description="Phase φ")
    sample_interval: float = param(1.0, units="time", description="Time between samples", gt=0)
    variables: tuple[str, ...] = param(("x",), units="1", description="Recorded: x")

    def check(self):
        """Raise :class:`ParamError` (key relative to the block) for inconsistent values."""
        _check_variables(self, ("x",))


class SumOfSines(StrictModel):
    """x(t) = Σ_k A_k sin(2πt/P_k + φ_k)."""

    kind: Literal["sum_of_sines"] = "sum_of_sines"
    amplitudes: tuple[float, ...] = param((1.0, 0.5, 0.25), units="1", description="Amplitudes A_k")
    periods: tuple[float, ...] = param((50.3, 17.1, 7.3), units="time", description="Periods P_k")
    phases: tuple[float, ...] | None = param(
        None, units="rad", description="Phases φ_k (default all 0)"
    )
    sample_interval: float = param(1.0, units="time", description="Time between samples", gt=0)
    variables: tuple[str, ...] = param(("x",), units="1", description="Recorded: x")

    def check(self):
        """Raise :class:`ParamError` (key relative to the block) for inconsistent values."""
        _check_variables(self, ("x",))
        if not self.periods or len(self.amplitudes) != len(self.periods):
            raise ParamError("amplitudes", "needs one amplitude per period", self.amplitudes)
        if self.phases is not None and len(self.phases) != len(self.periods):
            raise ParamError("phases", "needs one phase per period", self.phases)
        if min(self.periods) <= 0:
            raise ParamError("periods", "must all be > 0", self.periods)


class WhiteNoise(StrictModel):
    """Gaussian white noise."""

    kind: Literal["white_noise"] = "white_noise"
    standard_deviation: float = param(1.0, units="1", description="Standard deviation σ", gt=0)
    count: int = param(1, units="1", description="Independent realisations", ge=1)
    sample_interval: float = param(1.0, units="time", description="Time between samples", gt=0)
    variables: tuple[str, ...] = param(("x",), units="1", description="Recorded: x")

    def check(self):
        """Raise :class:`ParamError` (key relative to the block) for inconsistent values."""
        _check_variables(self, ("x",))


class ColouredNoise(StrictModel):
    """Gaussian noise with power spectral density ∝ f^(−β), by spectral shaping."""

    kind: Literal["coloured_noise"] = "coloured_noise"
    spectral_slope: float = param(
        1.0, units="1", description="β of S(f) ∝ f^-β: 1 pink, 2 red/brown, <0 blue", ge=-4, le=6
    )
    standard_deviation: float = param(1.0, units="1", description="RMS of the series", gt=0)
    count: int = param(1, units="1", description="Independent realisations", ge=1)
    sample_interval: float = param(1.0, units="time", description="Time between samples", gt=0)
    variables: tuple[str, ...] = param(("x",), units="1", description="Recorded: x")

    def check(self):
        """Raise :class:`ParamError` (key relative to the block) for inconsistent values."""
        _check_variables(self, ("x",))


class FractionalBrownianMotion(StrictModel):
    """Fractional Brownian motion B_H(t), Var B_H(t) = σ² t^(2H), by Davies–Harte."""

    kind: Literal["fractional_brownian_motion"] = "fractional_brownian_motion"
    hurst: float = param(0.7, units="1", description="Hurst exponent H", gt=0, lt=1)
    scale: float = param(1.0, units="1/time^H", description="σ of Var B = σ² t^2H", gt=0)
    count: int = param(1, units="1", description="Independent realisations", ge=1)
    sample_interval: float = param(1.0, units="time", description="Time between samples", gt=0)
    variables: tuple[str, ...] = param(("x",), units="1", description="Recorded: x")

    def check(self):
        """Raise :class:`ParamError` (key relative to the block) for inconsistent values."""
        _check_variables(self, ("x",))


class Logistic(StrictModel):
    """Logistic map x → r x (1 − x)."""

    kind: Literal["logistic"] = "logistic"
    growth_rate: float = param(4.0, units="1", description="r", gt=0, le=4)
    initial: float = param(0.1, units="1", description="x₀", gt=0, lt=1)
    transient: int = param(0, units="iterations", description="Iterations discarded", ge=0)
    variables: tuple[str, ...] = param(("x",), units="1", description="Recorded: x")

    def check(self):
        """Raise :class:`ParamError` (key relative to the block) for inconsistent values."""
        _check_variables(self, ("x",))


class Henon(StrictModel):
    """Hénon map (x, y) → (1 − a x² + y, b x)."""

    kind: Literal["henon"] = "henon"
    a: float = param(1.4, units="1", description="a")
    b: float = param(0.3, units="1", description="b")
    initial: tuple[float, float] = param((0.0, 0.0), units="1", description="(x₀, y₀)")
    transient: int = param(0, units="iterations", description="Iterations discarded", ge=0)
    variables: tuple[str, ...] = param(("x",), units="1", description="Recorded: x, y")

    def check(self):
        """Raise :class:`ParamError` (key relative to the block) for inconsistent values."""
        _check_variables(self, ("x", "y"))


class SkewTent(StrictModel):
    """Skew tent map x → x/a (x < a), (1 − x)/(1 − a) (see :mod:`sims.peccary.maps`)."""

    kind: Literal["skew_tent"] = "skew_tent"
    peak: float = param(0.1847, units="1", description="Peak position a", gt=0, lt=1)
    initial: float = param(0.1, units="1", description="x₀", gt=0, lt=1)
    transient: int = param(0, units="iterations", description="Iterations discarded", ge=0)
    variables: tuple[str, ...] = param(("x",), units="1", description="Recorded: x")

    def check(self):
        """Raise :class:`ParamError` (key relative to the block) for inconsistent values."""
        _check_variables(self, ("x",))
        if self.peak == 0.5:
            raise ParamError("peak", "0.5 is the plain tent map, which collapses to 0", self.peak)


class StandardMap(StrictModel):
    """Chirikov standard map p → p + K sin θ, θ → θ + p on the 2π torus."""

    kind: Literal["standard_map"] = "standard_map"
    kick: float = param(2.0, units="1", description="Stochasticity parameter K", ge=0)
    initial: tuple[float, float] = param((1.0, 0.5), units="rad", description="(θ₀, p₀)")
    transient: int = param(0, units="iterations", description="Iterations discarded", ge=0)
    variables: tuple[str, ...] = param(("theta",), units="1", description="Recorded: theta, p")

    def check(self):
        """Raise :class:`ParamError` (key relative to the block) for inconsistent values."""
        _check_variables(self, ("theta", "p"))


class _Flow(StrictModel):
    time_step: float = param(0.005, units="time", description="RK4 step h", gt=0)
    sample_interval: float = param(
        0.05, units="time", description="Time between samples (a multiple of h)", gt=0
    )
    transient: float = param(0.0, units="time", description="Time discarded first", ge=0)

    def check(self):
        """Raise :class:`ParamError` (key relative to the block) for inconsistent values."""
        _check_variables(self, ("x", "y", "z"))
        _check_substeps(self)


class Lorenz(_Flow):
    """Lorenz (1963) system, RK4 with a fixed step."""

    kind: Literal["lorenz"] = "lorenz"
    sigma: float = param(10.0, units="1", description="σ", gt=0)
    rho: float = param(28.0, units="1", description="ρ", gt=0)
    beta: float = param(8.0 / 3.0, units="1", description="β", gt=0)
    initial: tuple[float, float, float] = param((1.0, 1.0, 1.0), units="1", description="(x,y,z)")
    variables: tuple[str, ...] = param(("x",), units="1", description="Recorded: x, y, z")


class Rossler(_Flow):
    """Rössler (1976) system, RK4 with a fixed step."""

    kind: Literal["rossler"] = "rossler"
    a: float = param(0.2, units="1", description="a")
    b: float = param(0.2, units="1", description="b")
    c: float = param(5.7, units="1", description="c")
    initial: tuple[float, float, float] = param((1.0, 1.0, 0.0), units="1", description="(x,y,z)")
    variables: tuple[str, ...] = param(("x",), units="1", description="Recorded: x, y, z")


class DoublePendulum(StrictModel):
    """Planar double pendulum of point masses on massless rods, RK4 with a fixed step."""

    kind: Literal["double_pendulum"] = "double_pendulum"
    masses: tuple[float, float] = param((1.0, 1.0), units="mass", description="(m₁, m₂)")
    lengths: tuple[float, float] = param((1.0, 1.0), units="length", description="(l₁, l₂)")
    gravity: float = param(9.80665, units="length/time²", description="g", gt=0)
    angles: tuple[float, float] = param(
        (2.0943951023931953, -0.17453292519943295),
        units="rad",
        description="(θ₁, θ₂) from the downward vertical (default 120°, −10°)",
    )
    angular_velocities: tuple[float, float] = param(
        (0.0, 0.0), units="rad/time", description="(ω₁, ω₂)"
    )
    time_step: float = param(2.0**-12, units="time", description="RK4 step h", gt=0)
    sample_interval: float = param(
        2.0**-6, units="time", description="Time between samples (a multiple of h)", gt=0
    )
    variables: tuple[str, ...] = param(
        ("theta1",), units="1", description="Recorded: theta1, theta2, omega1, omega2"
    )

    def check(self):
        """Raise :class:`ParamError` (key relative to the block) for inconsistent values."""
        _check_variables(self, ("theta1", "theta2", "omega1", "omega2"))
        _check_substeps(self)
        if min(self.masses) <= 0 or min(self.lengths) <= 0:
            raise ParamError(
                "masses", "masses and lengths must be > 0", (self.masses, self.lengths)
            )


INTEGRATORS = tuple(orbits.STAGE_WEIGHTS)


class HenonHeiles(StrictModel):
    """Hénon–Heiles orbit started on the x = 0 section with p_x > 0 fixed by the energy."""

    kind: Literal["henon_heiles"] = "henon_heiles"
    energy: float = param(1.0 / 12.0, units="1", description="Energy E (bounded for E <= 1/6)")
    y: float = param(0.0, units="1", description="y₀ on the x = 0 section")
    p_y: float = param(0.0, units="1", description="p_y₀ on the x = 0 section")
    integrator: Literal[INTEGRATORS] = param(
        "yoshida4", units="1", description="leapfrog (order 2) or yoshida4 (order 4)"
    )
    time_step: float = param(0.01, units="time", description="Step h", gt=0)
    sample_interval: float = param(0.1, units="time", description="Time between samples", gt=0)
    variables: tuple[str, ...] = param(
        ("x",), units="1", description="Recorded: x, y, p_x, p_y, energy"
    )

    def check(self):
        """Raise :class:`ParamError` (key relative to the block) for inconsistent values."""
        _check_variables(self, ("x", "y", "p_x", "p_y", "energy"))
        _check_substeps(self)
        if not 0 < self.energy <= 1.0 / 6.0:
            raise ParamError("energy", "must lie in (0, 1/6] (bounded orbits)", self.energy)
        if self.initial_px_squared() < 0:
            raise ParamError("y", "(y, p_y) lies outside the energy surface", (self.y, self.p_y))

    def initial_px_squared(self) -> float:
        """p_x² = 2E − p_y² − y² + 2y³/3 at x = 0."""
        return 2.0 * self.energy - self.p_y**2 - self.y**2 + 2.0 * self.y**3 / 3.0


class PointMass(StrictModel):
    """Φ = −M/r."""

    kind: Literal["point_mass"] = "point_mass"
    mass: float = param(1.0, units="mass", description="M", gt=0)

    def constants(self):
        """Kernel constants (see :mod:`sims.peccary.orbits`)."""
        return (self.mass, 0.0, 0.0, 0.0)


class Isochrone(StrictModel):
    """Φ = −M/(b + √(b² + r²))."""

    kind: Literal["isochrone"] = "isochrone"
    mass: float = param(1.0, units="mass", description="M", gt=0)
    scale_radius: float = param(1.0, units="length", description="b", gt=0)

    def constants(self):
        """Kernel constants (see :mod:`sims.peccary.orbits`)."""
        return (self.mass, self.scale_radius, 0.0, 0.0)


class Logarithmic(StrictModel):
    """Φ = ½v₀² ln(R_c² + x² + y²/q_y² + z²/q_z²)."""

    kind: Literal["logarithmic"] = "logarithmic"
    circular_velocity: float = param(1.0, units="velocity", description="v₀", gt=0)
    core_radius: float = param(0.1, units="length", description="R_c", gt=0)
    axis_ratio_y: float = param(1.0, units="1", description="q_y", gt=0, le=1)
    axis_ratio_z: float = param(0.9, units="1", description="q_z", gt=0)

    def constants(self):
        """Kernel constants (see :mod:`sims.peccary.orbits`)."""
        return (self.circular_velocity, self.core_radius, self.axis_ratio_y, self.axis_ratio_z)


class NFW(StrictModel):
    """Φ = −M_s ln(1 + r/r_s)/r, M_s = 4πGρ₀r_s³."""

    kind: Literal["nfw"] = "nfw"
    mass_scale: float = param(1.0, units="mass", description="M_s = 4πρ₀r_s³", gt=0)
    scale_radius: float = param(1.0, units="length", description="r_s", gt=0)

    def constants(self):
        """Kernel constants (see :mod:`sims.peccary.orbits`)."""
        return (self.mass_scale, self.scale_radius, 0.0, 0.0)


class MiyamotoNagai(StrictModel):
    """Φ = −M/√(R² + (a + √(z² + b²))²)."""

    kind: Literal["miyamoto_nagai"] = "miyamoto_nagai"
    mass: float = param(1.0, units="mass", description="M", gt=0)
    scale_length: float = param(1.0, units="length", description="a", ge=0)
    scale_height: float = param(0.1, units="length", description="b", gt=0)

    def constants(self):
        """Kernel constants (see :mod:`sims.peccary.orbits`)."""
        return (self.mass, self.scale_length, self.scale_height, 0.0)


class Bar(Logarithmic):
    """Rotating bar: the triaxial logarithmic potential in its frame rotating at Ω_b about z."""

    kind: Literal["bar"] = "bar"
    axis_ratio_y: float = param(0.8, units="1", description="q_y (bar elongation)", gt=0, le=1)
    axis_ratio_z: float = param(1.0, units="1", description="q_z", gt=0)
    pattern_speed: float = param(0.5, units="1/time", description="Ω_b")


def named_potential(value):
    """Turn a bare potential kind (``"nfw"``) into its block (``{"kind": "nfw"}``)."""
    return {"kind": value} if isinstance(value, str) else value


Potential = Annotated[
    PointMass | Isochrone | Logarithmic | NFW | MiyamotoNagai | Bar,
    Field(discriminator="kind"),
    BeforeValidator(named_potential),
]
"""A potential block, or its kind alone (its default parameters), e.g. ``potential: nfw``."""
POTENTIAL_CODES = {
    "point_mass": orbits.POINT_MASS,
    "isochrone": orbits.ISOCHRONE,
    "logarithmic": orbits.LOGARITHMIC,
    "nfw": orbits.NFW,
    "miyamoto_nagai": orbits.MIYAMOTO_NAGAI,
    "bar": orbits.LOGARITHMIC,
}
"""Kernel potential code of each potential kind (the bar is a rotating logarithmic potential)."""


class Orbit(StrictModel):
    """Tracer orbit(s) in a galactic potential: one explicit orbit, or a population at one energy.

    A population (``energy`` set) draws each orbit from the source's seed: an isotropic
    direction, a radius uniform in (0, r_E) with Φ(r_E) = E along it, and an isotropic velocity
    (in the rotating frame for the bar) whose magnitude fixes the energy (Jacobi integral).
    """

    kind: Literal["orbit"] = "orbit"
    potential: Potential = param(Logarithmic(), units="1", description="Potential (G = 1)")
    integrator: Literal[INTEGRATORS] = param(
        "leapfrog", units="1", description="leapfrog (order 2) or yoshida4 (order 4)"
    )
    time_step: float = param(0.01, units="time", description="Step h", gt=0)
    sample_interval: float = param(0.1, units="time", description="Time between samples", gt=0)
    position: tuple[float, float, float] | None = param(
        None, units="length", description="Initial (x, y, z) of one orbit (or give energy)"
    )
    velocity: tuple[float, float, float] | None = param(
        None, units="velocity", description="Initial (rotating-frame) velocity of one orbit"
    )
    energy: float | None = param(
        None, units="velocity²", description="Energy (Jacobi integral) of a random population"
    )
    count: int = param(1, units="1", description="Orbits in the population", ge=1)
    variables: tuple[str, ...] = param(
        ("x", "R"),
        units="1",
        description="Recorded: x, y, z, R (cylindrical), L_z, energy, p_x, p_y, p_z, r",
    )

    def check(self):
        """Raise :class:`ParamError` (key relative to the block) for inconsistent values."""
        _check_variables(self, orbits.OBSERVABLES)
        _check_substeps(self)
        if self.energy is None:
            if self.position is None or self.velocity is None:
                raise ParamError("position", "give position and velocity, or an energy", None)
            if self.count != 1:
                raise ParamError("count", "an explicit orbit has count 1; set energy", self.count)
        else:
            for key in ("position", "velocity"):
                if getattr(self, key) is not None:
                    raise ParamError(
                        key, "give an energy or initial conditions, not both", getattr(self, key)
                    )
            centre = orbits.potential(self.potential_code, self.constants(), 0.0, 0.0, 1e-12)
            if not self.energy > centre:
                raise ParamError(
                    "energy", f"must exceed the central potential {centre:.6g}", self.energy
                )
            if self.potential.kind not in ("logarithmic", "bar") and self.energy >= 0:
                raise ParamError("energy", "must be < 0 (bound orbits)", self.energy)

    def constants(self):
        """The potential's constants as a float array for the kernels."""
        return np.array(self.potential.constants(), dtype=np.float64)

    @property
    def potential_code(self) -> int:
        """Kernel code of the potential (:data:`POTENTIAL_CODES`)."""
        return POTENTIAL_CODES[self.potential.kind]

    @property
    def pattern_speed(self) -> float:
        """Ω of the frame (0 unless the potential is the bar)."""
        return self.potential.pattern_speed if self.potential.kind == "bar" else 0.0


class Population(StrictModel):
    """A population of tracer orbits at one energy: the paper's survey use case.

    A top-level block (not one of ``series``) so that sweeps can address its scalars, e.g.
    ``params.population.energy`` or ``params.population.potential: [nfw, isochrone]``. Its orbits
    are drawn as for an :class:`Orbit` with ``energy`` and are labelled ``population[k]``.
    """

    count: int = param(0, units="1", description="Orbits (0: no population)", ge=0)
    potential: Potential = param(Logarithmic(), units="1", description="Potential (G = 1)")
    energy: float = param(-0.3, units="velocity²", description="Energy (Jacobi integral)")
    integrator: Literal[INTEGRATORS] = param(
        "leapfrog", units="1", description="leapfrog (order 2) or yoshida4 (order 4)"
    )
    time_step: float = param(0.01, units="time", description="Step h", gt=0)
    sample_interval: float = param(0.1, units="time", description="Time between samples", gt=0)
    variables: tuple[str, ...] = param(
        ("x", "R"),
        units="1",
        description="Recorded: x, y, z, R (cylindrical), L_z, energy, p_x, p_y, p_z, r",
    )

    def as_orbit(self) -> Orbit:
        """The equivalent :class:`Orbit` block."""
        return Orbit(
            potential=self.potential,
            energy=self.energy,
            count=self.count,
            integrator=self.integrator,
            time_step=self.time_step,
            sample_interval=self.sample_interval,
            variables=self.variables,
        )


class File(StrictModel):
    """A series read from a CSV or NetCDF file (see :mod:`sims.peccary.datafile`).

    The file is read when the scenario is validated: ``path`` is resolved against the scenario
    file's folder, ``sha256`` and ``time_step`` are filled in (so the resolved scenario written
    into every output pins the file's content, and the hash is part of the run fingerprint), and
    a run reads the file again and refuses it if its hash changed. The run uses the first
    ``samples`` values (by default, ``samples`` is the file's length).
    """

    kind: Literal["file"] = "file"
    path: str = param(
        "", units="1", description="CSV or NetCDF file, relative to the scenario file's folder"
    )
    format: Literal["csv", "netcdf"] | None = param(
        None, units="1", description="File format (default: from the suffix .csv/.txt/.nc)"
    )
    column: str | int = param(
        0,
        units="1",
        description="CSV column (header name, or 0-based index, negative from the end) or "
        "NetCDF variable",
    )
    time_column: str | int | None = param(
        None,
        units="1",
        description="Column/variable of times (numbers, or ISO 8601 dates in days) giving the "
        "step; NetCDF default: the coordinate of the variable's dimension",
    )
    time_step: float | None = param(
        None, units="time", description="Sampling step (default: inferred from the times)", gt=0
    )
    nan: Literal["refuse", "split"] = param(
        "refuse",
        units="1",
        description="Missing values: refuse, or split into finite segments no pattern spans",
    )
    header: bool = param(True, units="1", description="CSV: the first line names the columns")
    delimiter: str = param(",", units="1", description="CSV: the cell separator (one character)")
    dimension: str | None = param(
        None, units="1", description="NetCDF: the dimension the variable must run along"
    )
    sha256: str | None = param(
        None, units="1", description="SHA-256 of the file (filled in; a given value pins it)"
    )

    @property
    def variables(self) -> tuple[str, ...]:
        """The one series read: named after its column."""
        return (str(self.column),)

    @property
    def sample_interval(self) -> float:
        """Time between samples (``time_step``, filled in when the scenario is validated)."""
        return float(self.time_step) if self.time_step is not None else 1.0

    def check(self):
        """Raise :class:`ParamError` (key relative to the block) for inconsistent values."""
        if not self.path:
            raise ParamError("path", "give the file to read", self.path)
        if len(self.delimiter) != 1 or self.delimiter in '"\r\n':
            raise ParamError("delimiter", "must be one character (not a quote)", self.delimiter)
        if not self.header and not isinstance(self.column, int):
            raise ParamError("column", "without a header, give a 0-based index", self.column)
        if self.sha256 is not None and not re.fullmatch(r"[0-9a-f]{64}", self.sha256):
            raise ParamError("sha256", "must be 64 lower-case hex digits", self.sha256)


SeriesSpec = Annotated[
    Sine
    | SumOfSines
    | WhiteNoise
    | ColouredNoise
    | FractionalBrownianMotion
    | Logistic
    | Henon
    | SkewTent
    | StandardMap
    | Lorenz
    | Rossler
    | DoublePendulum
    | HenonHeiles
    | Orbit
    | File,
    Field(discriminator="kind"),
]
KINDS = (
    "sine",
    "sum_of_sines",
    "white_noise",
    "coloured_noise",
    "fractional_brownian_motion",
    "logistic",
    "henon",
    "skew_tent",
    "standard_map",
    "lorenz",
    "rossler",
    "double_pendulum",
    "henon_heiles",
    "orbit",
)
"""The generated kinds (every one runs with its defaults); ``file`` reads a series instead."""


def substeps(block) -> int:
    """Integrator steps per sample of a flow or orbit block."""
    return max(1, round(block.sample_interval / block.time_step))


def sample_interval(block) -> float:
    """Time between samples (1 iteration for the maps)."""
    return float(getattr(block, "sample_interval", 1.0))
