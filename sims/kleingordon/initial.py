"""Initial fields φ(x, 0) and π(x, 0) = φ_t(x, 0) on the periodic grid, from exact formulas.

The grid is x_j = −L/2 + j L/N, j = 0..N−1 (the endpoint x = L/2 is the periodic image of −L/2).
Localised profiles are made exactly periodic by summing their images x → x − nL; a topological
kink cannot live alone on a circle (the net charge of a periodic field is zero), so a kink always
comes with an antikink: ``kink`` and ``antikink`` place the partner half a box away (their
interaction is O(exp(−a L/2)), a the inverse kink width), ``kink_antikink`` places the pair
``separation`` apart with opposite velocities. Near each object the field is the exact boosted
soliton up to the overlap with the others, O(exp(−a d)) at distance d.

The sine-Gordon two-soliton kinds start from the exact Perring–Skyrme solutions of
:mod:`sims.kleingordon.solutions` at a time t₀ (``start_time``; t₀ < 0: the solitons approach
and collide at t = 0), so the field stays exact at every later time
(:func:`sine_gordon_pair`). ``sine_gordon_kink_antikink`` has no net winding and is summed over
its images like the breather. ``sine_gordon_kink_kink`` winds by 4π, which no periodic field
can: it is paired with its mirror image, the antikink–antikink solution −φ(x − L/2, t) (also
exact, by φ → −φ symmetry), half a box away, φ = −2π + Σ_n [φ_KK(x − nL) − φ_KK(x − L/2 − nL)].
The two pairs collide at the same time, and each feels the other only through tails of
O(exp(−γ d)), d the distance between a soliton and its nearest mirror soliton (at least
L/2 − 2(u|t| + ln(1/u)/γ) while |t| <= |t₀|): choose L so that this is negligible.

``file`` starts from φ and φ_t stored in a NetCDF file, e.g. a previous run's snapshot (see
:mod:`sims.kleingordon.field_file`). A relative ``path`` is taken relative to the folder of
the scenario file (to the working directory when the parameters are built in Python) and
stored resolved; ``sha256`` is filled in with the file's digest when the parameters are
validated (or, when given, must match it), so it is part of the run's fingerprint and of the
resolved scenario in every output: a run whose input file changed is not resumed, and a
scenario that pins ``sha256`` refuses a changed file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import ValidationInfo, model_validator

from sims.core.scenario import ParamError, StrictModel, param
from sims.kleingordon import field_file, solutions

IMAGES = 3  # periodic images summed on each side
SINE_GORDON_PAIRS = ("sine_gordon_kink_antikink", "sine_gordon_kink_kink")
KINDS = (
    "gaussian_packet",
    "gaussian_bump",
    "plane_wave",
    "kink",
    "antikink",
    "breather",
    "kink_antikink",
    *SINE_GORDON_PAIRS,
    "file",
)


class InitialCondition(StrictModel):
    """Which exact initial field to start from, and its parameters (each kind uses some)."""

    kind: Literal[KINDS] = param(
        "kink", units="1", description="Initial condition: " + ", ".join(KINDS)
    )
    position: float = param(0.0, units="length", description="Centre of the packet or soliton(s)")
    velocity: float = param(
        0.0,
        units="c",
        description="Kink velocity u (kink_antikink: each moves towards the other at |u|; "
        "sine_gordon pairs: 0 < u < 1, the speed of each soliton)",
        gt=-1,
        lt=1,
    )
    amplitude: float = param(
        0.1, units="field", description="Amplitude of the Gaussian packet, bump or plane wave"
    )
    width: float = param(
        2.0, units="length", description="Gaussian packet or bump standard deviation", gt=0
    )
    mode: int = param(
        8, units="1", description="Wavenumber index n of the plane wave or carrier, k = 2πn/L"
    )
    frequency: float = param(
        0.5, units="1/time", description="Breather frequency ω (0 < ω < 1)", gt=0, lt=1
    )
    breather_time: float = param(
        0.0, units="time", description="Start the breather at this phase time (0: φ = 0)"
    )
    separation: float | None = param(
        None, units="length", description="Kink-antikink distance; default L/2", gt=0
    )
    start_time: float = param(
        -10.0,
        units="time",
        description="Time t₀ of the exact sine-Gordon two-soliton solution at the start "
        "(collision at t = 0)",
    )
    path: str | None = param(
        None, units="1", description="NetCDF file of φ and φ_t (kind: file), relative to the "
        "scenario file"
    )  # fmt: skip
    phi: str = param("phi", units="1", description="Variable of φ in the file")
    phi_t: str = param("phi_t", units="1", description="Variable of φ_t in the file")
    time: float | None = param(
        None, units="time", description="Time of the file's snapshot to start from (default: last)"
    )
    sha256: str | None = param(
        None, units="1", description="SHA-256 of the file (filled in when validated)",
        pattern="^[0-9a-f]{64}$"
    )  # fmt: skip

    @model_validator(mode="before")
    @classmethod
    def _resolve_file(cls, data: Any, info: ValidationInfo) -> Any:
        """Resolve ``path`` against the scenario's folder and record (or check) its SHA-256."""
        if not isinstance(data, dict) or data.get("kind") != "file":
            return data
        if not isinstance(data.get("path"), str):
            raise ParamError("path", "is required (a file name) with kind: file", data.get("path"))
        path = Path(data["path"]).expanduser()
        folder = (info.context or {}).get("scenario_dir")
        if not path.is_absolute() and folder is not None:
            path = Path(folder) / path
        path = Path(os.path.abspath(path))
        try:
            digest = field_file.sha256(field_file.read_bytes(path))
        except field_file.FieldFileError as error:
            raise ParamError(error.key, error.problem) from None
        pinned = data.get("sha256")
        if pinned is not None and pinned != digest:
            raise ParamError("sha256", f"{path}: the file's SHA-256 is {digest}", pinned)
        return {**data, "path": str(path), "sha256": digest}


def grid(length: float, points: int) -> np.ndarray:
    """Grid positions x_j = −L/2 + j L/N (length)."""
    return -0.5 * length + length * np.arange(points) / points


def wavenumbers(length: float, points: int) -> np.ndarray:
    """Non-negative wavenumbers of the real FFT, k = 2πn/L for n = 0..N/2 (1/length)."""
    return 2.0 * np.pi * np.arange(points // 2 + 1) / length


def periodic_pair(
    profile: solutions.KinkProfile,
    x: np.ndarray,
    length: float,
    kink: tuple[float, float],
    antikink: tuple[float, float],
) -> tuple[np.ndarray, np.ndarray]:
    """A kink and an antikink, each (position, velocity), as one exactly periodic field.

    The pair's excursion above the left vacuum A is a localised bump, summed over its images:
    φ = A + Σ_n b(x − nL), b = [K(x − x₁) − A] + [K̄(x − x₂) − A] − (B − A).
    """
    kink_position, kink_velocity = kink
    antikink_position, antikink_velocity = antikink
    while antikink_position <= kink_position:
        antikink_position += length
    while antikink_position > kink_position + length:
        antikink_position -= length
    left, right = profile.left_vacuum, profile.right_vacuum
    phi = np.full_like(x, left)
    pi = np.zeros_like(x)
    for image in range(-IMAGES, IMAGES + 1):
        shifted = x - image * length
        up, up_t = solutions.boosted_kink(profile, shifted, 0.0, kink_position, kink_velocity, 1)
        down, down_t = solutions.boosted_kink(
            profile, shifted, 0.0, antikink_position, antikink_velocity, -1
        )
        phi += (up - left) + (down - left) - (right - left)
        pi += up_t + down_t
    return phi, pi


def periodized(function, x: np.ndarray, length: float) -> np.ndarray:
    """Σ_n f(x − nL) over the images: a localised profile made exactly periodic."""
    return sum(function(x - image * length) for image in range(-IMAGES, IMAGES + 1))


def build(
    initial: InitialCondition,
    potential: str,
    constants: dict[str, float],
    length: float,
    points: int,
) -> tuple[np.ndarray, np.ndarray]:
    """φ(x, 0) and π(x, 0) on the grid (see the module docstring).

    Parameters
    ----------
    initial : InitialCondition
        Kind and parameters.
    potential : str
        Potential name (kinks and breathers need their potential).
    constants : dict
        ``mass``, ``coupling`` and ``vacuum``.
    length : float
        Box length L.
    points : int
        Grid points N.
    """
    x = grid(length, points)
    kind = initial.kind
    if kind == "file":
        snapshot = field_file.load_snapshot(
            Path(initial.path), (initial.phi, initial.phi_t), initial.time, length, initial.sha256
        )
        return field_file.resample(snapshot.phi, points), field_file.resample(
            snapshot.phi_t, points
        )
    if kind in ("gaussian_packet", "plane_wave"):
        return _linear_wave(initial, constants["mass"], length, x)
    if kind == "gaussian_bump":
        return _gaussian_bump(initial, potential, constants["vacuum"], length, x)
    if kind == "breather":
        phi = periodized(
            lambda s: solutions.breather(s, initial.breather_time, initial.frequency)[0],
            x - initial.position,
            length,
        )
        pi = periodized(
            lambda s: solutions.breather(s, initial.breather_time, initial.frequency)[1],
            x - initial.position,
            length,
        )
        return phi, pi
    if kind in SINE_GORDON_PAIRS:
        return sine_gordon_pair(
            kind, x - initial.position, initial.start_time, initial.velocity, length
        )
    profile = solutions.kink_profile(potential, constants["coupling"], constants["vacuum"])
    u, x0 = initial.velocity, initial.position
    if kind == "kink":
        return periodic_pair(profile, x, length, (x0, u), (x0 + 0.5 * length, u))
    if kind == "antikink":
        return periodic_pair(profile, x, length, (x0 - 0.5 * length, u), (x0, u))
    half = 0.5 * (initial.separation or 0.5 * length)
    return periodic_pair(profile, x, length, (x0 - half, u), (x0 + half, -u))


def sine_gordon_pair(
    kind: str, x: np.ndarray, t: float, velocity: float, length: float
) -> tuple[np.ndarray, np.ndarray]:
    """The periodic sine-Gordon two-soliton field of ``kind`` at time ``t`` (module docstring).

    Parameters
    ----------
    kind : str
        ``sine_gordon_kink_antikink`` or ``sine_gordon_kink_kink``.
    x : ndarray
        Positions relative to the collision point (length).
    t : float
        Time of the exact solution (time); the collision is at t = 0.
    velocity : float
        Speed u of each soliton, 0 < u < 1 (c).
    length : float
        Box length L.

    Returns
    -------
    phi, phi_t : ndarray
        φ (field) and φ_t (field/time), exactly periodic.
    """

    def kink_antikink(s):
        return np.stack(solutions.sine_gordon_kink_antikink(s, t, velocity))

    def kink_kink_and_mirror(s):
        pair = np.stack(solutions.sine_gordon_kink_kink(s, t, velocity))
        mirror = np.stack(solutions.sine_gordon_kink_kink(s - 0.5 * length, t, velocity))
        return pair - mirror

    if kind == "sine_gordon_kink_antikink":
        phi, phi_t = periodized(kink_antikink, x, length)
        return phi, phi_t
    phi, phi_t = periodized(kink_kink_and_mirror, x, length)
    return phi - 2.0 * np.pi, phi_t


def _gaussian_bump(
    initial: InitialCondition, potential: str, vacuum: float, length: float, x: np.ndarray
):
    """A field at rest, φ = φ_v + A exp(−(x − x₀)²/(2σ²)) (summed over images), π = 0.

    φ_v is v for phi4 and phi6, 0 for the linear and sine-Gordon potentials: a Gleiser-type
    oscillon seed (Gleiser, Phys. Rev. D 49, 2978, 1994) when V is anharmonic.
    """
    background = vacuum if potential in ("phi4", "phi6") else 0.0
    bump = periodized(
        lambda s: np.exp(-0.5 * (s / initial.width) ** 2), x - initial.position, length
    )
    return background + initial.amplitude * bump, np.zeros_like(x)


def _linear_wave(initial: InitialCondition, mass: float, length: float, x: np.ndarray):
    """Plane wave A cos(kx) moving right, or a Gaussian packet of positive frequency only."""
    k = 2.0 * np.pi * initial.mode / length
    omega = np.sqrt(k * k + mass * mass)
    if initial.kind == "plane_wave":
        phase = k * (x - initial.position)
        return initial.amplitude * np.cos(phase), initial.amplitude * omega * np.sin(phase)
    envelope = periodized(
        lambda s: np.exp(-0.5 * (s / initial.width) ** 2), x - initial.position, length
    )
    packet = initial.amplitude * envelope * np.exp(1j * k * (x - initial.position))
    spectrum = np.fft.fft(packet)
    all_k = 2.0 * np.pi * np.fft.fftfreq(x.size, length / x.size)
    frequencies = np.sqrt(all_k**2 + mass * mass)
    return packet.real, np.fft.ifft(-1j * frequencies * spectrum).real
