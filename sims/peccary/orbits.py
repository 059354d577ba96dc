"""Tracer orbits in fixed galactic potentials (G = 1) with symplectic splitting integrators.

Potentials (``kind`` codes, ``constants`` = up to four numbers, r² = x² + y² + z², R² = x² + y²):

* :data:`POINT_MASS` (M): Φ = −M / r;
* :data:`ISOCHRONE` (M, b): Φ = −M / (b + √(b² + r²)) (Hénon 1959);
* :data:`LOGARITHMIC` (v₀, R_c, q_y, q_z): Φ = ½v₀² ln(R_c² + x² + y²/q_y² + z²/q_z²)
  (Binney & Tremaine 2008, eq. 2.71; triaxial when q_y ≠ 1);
* :data:`NFW` (M_s = 4πρ₀r_s³, r_s): Φ = −M_s ln(1 + r/r_s) / r (Navarro, Frenk & White 1997);
* :data:`MIYAMOTO_NAGAI` (M, a, b): Φ = −M / √(R² + (a + √(z² + b²))²) (Miyamoto & Nagai 1975);
* :data:`HENON_HEILES`: Φ = ½(x² + y²) + x²y − y³/3 (Hénon & Heiles 1964; planar).

The frame may rotate about z at the pattern speed Ω (a rotating bar: the triaxial logarithmic
potential seen in its own frame, Binney & Tremaine §3.3.2). With the canonical momentum p (the
inertial velocity in rotating coordinates) the Hamiltonian is the Jacobi integral

    H_J = ½|p|² + Φ(x) − Ω (x p_y − y p_x),

which splits into Φ (a *kick*, p −= τ∇Φ) and ½|p|² − Ω L_z, whose exact flow is free inertial
motion seen from the rotating frame (a *drift*: x → R(−Ωτ)(x + τp), p → R(−Ωτ)p). Both are
exact symplectic maps, so their Strang composition kick(h/2)·drift(h)·kick(h/2) (leapfrog) is
symplectic and of order 2, and Yoshida's triple jump (h w₁, h w₀, h w₁; w₁ = 1/(2 − 2^⅓),
w₀ = 1 − 2w₁) is of order 4. For Ω = 0 the drift is the ordinary x += τp and H_J the energy.
Each step ends with the force at the new position, which is a function of the position alone, so
recomputing it at the start of every call keeps ``advance(a); advance(b)`` bitwise ``advance(a+b)``.
"""

from __future__ import annotations

import numba as nb
import numpy as np

POINT_MASS, ISOCHRONE, LOGARITHMIC, NFW, MIYAMOTO_NAGAI, HENON_HEILES = range(6)
X, Y, Z, R, L_Z, ENERGY, P_X, P_Y, P_Z, SPHERICAL_R = range(10)
OBSERVABLES = ("x", "y", "z", "R", "L_z", "energy", "p_x", "p_y", "p_z", "r")
"""Recordable quantities, in the order of their codes."""

YOSHIDA_W1 = 1.0 / (2.0 - 2.0 ** (1.0 / 3.0))
YOSHIDA_W0 = 1.0 - 2.0 * YOSHIDA_W1
STAGE_WEIGHTS = {"leapfrog": (1.0,), "yoshida4": (YOSHIDA_W1, YOSHIDA_W0, YOSHIDA_W1)}
"""Fractions of the step taken by the leapfrog stages of each integrator."""
ORDER = {"leapfrog": 2, "yoshida4": 4}

NFW_SERIES_RADIUS = 1e-4
"""r / r_s below which the NFW force and potential use their Taylor series (no cancellation)."""


@nb.njit(cache=True)
def potential(kind, constants, x, y, z):
    """Gravitational potential Φ(x, y, z) (velocity²)."""
    if kind == LOGARITHMIC:
        v0, core, q_y, q_z = constants[0], constants[1], constants[2], constants[3]
        return 0.5 * v0 * v0 * np.log(core * core + x * x + (y / q_y) ** 2 + (z / q_z) ** 2)
    if kind == POINT_MASS:
        return -constants[0] / np.sqrt(x * x + y * y + z * z)
    if kind == ISOCHRONE:
        mass, b = constants[0], constants[1]
        return -mass / (b + np.sqrt(b * b + x * x + y * y + z * z))
    if kind == NFW:
        mass, scale = constants[0], constants[1]
        u = np.sqrt(x * x + y * y + z * z) / scale
        if u < NFW_SERIES_RADIUS:
            return -mass / scale * (1.0 - u / 2.0 + u * u / 3.0 - u * u * u / 4.0)
        return -mass / scale * np.log1p(u) / u
    if kind == MIYAMOTO_NAGAI:
        mass, a, b = constants[0], constants[1], constants[2]
        return -mass / np.sqrt(x * x + y * y + (a + np.sqrt(z * z + b * b)) ** 2)
    return 0.5 * (x * x + y * y) + x * x * y - y * y * y / 3.0


@nb.njit(cache=True)
def acceleration(kind, constants, x, y, z):
    """Return −∇Φ at (x, y, z) as a tuple (velocity²/length)."""
    if kind == LOGARITHMIC:
        v0, core, q_y, q_z = constants[0], constants[1], constants[2], constants[3]
        inverse_y, inverse_z = 1.0 / (q_y * q_y), 1.0 / (q_z * q_z)
        factor = -v0 * v0 / (core * core + x * x + y * y * inverse_y + z * z * inverse_z)
        return factor * x, factor * y * inverse_y, factor * z * inverse_z
    if kind == POINT_MASS:
        r2 = x * x + y * y + z * z
        factor = -constants[0] / (r2 * np.sqrt(r2))
        return factor * x, factor * y, factor * z
    if kind == ISOCHRONE:
        mass, b = constants[0], constants[1]
        s = np.sqrt(b * b + x * x + y * y + z * z)
        factor = -mass / (s * (b + s) ** 2)
        return factor * x, factor * y, factor * z
    if kind == NFW:
        mass, scale = constants[0], constants[1]
        r = np.sqrt(x * x + y * y + z * z)
        u = r / scale
        if u < NFW_SERIES_RADIUS:  # (dΦ/dr)/r = M_s/r_s³ (1/(2u) ... ) written without 1/u
            radial_over_r = (
                mass / scale**3 * (0.5 / u - 2.0 / 3.0 + 0.75 * u - 0.8 * u * u) if u > 0 else 0.0
            )
        else:
            radial_over_r = mass * (np.log1p(u) / r - 1.0 / (scale + r)) / (r * r)
        return -radial_over_r * x, -radial_over_r * y, -radial_over_r * z
    if kind == MIYAMOTO_NAGAI:
        mass, a, b = constants[0], constants[1], constants[2]
        zeta = np.sqrt(z * z + b * b)
        distance2 = x * x + y * y + (a + zeta) ** 2
        factor = -mass / (distance2 * np.sqrt(distance2))
        return factor * x, factor * y, factor * z * (a + zeta) / zeta
    return -x - 2.0 * x * y, -y - x * x + y * y, 0.0


@nb.njit(cache=True)
def jacobi_integral(kind, constants, omega, x, y, z, px, py, pz):
    """H_J = ½|p|² + Φ − Ω L_z: the energy in the inertial frame when Ω = 0 (velocity²)."""
    kinetic = 0.5 * (px * px + py * py + pz * pz)
    return kinetic + potential(kind, constants, x, y, z) - omega * (x * py - y * px)


@nb.njit(cache=True)
def observable(code, kind, constants, omega, x, y, z, px, py, pz):
    """Value of the recordable quantity ``code`` (see :data:`OBSERVABLES`)."""
    if code == X:
        return x
    if code == Y:
        return y
    if code == Z:
        return z
    if code == R:
        return np.sqrt(x * x + y * y)
    if code == L_Z:
        return x * py - y * px
    if code == ENERGY:
        return jacobi_integral(kind, constants, omega, x, y, z, px, py, pz)
    if code == P_X:
        return px
    if code == P_Y:
        return py
    if code == P_Z:
        return pz
    return np.sqrt(x * x + y * y + z * z)


@nb.njit(cache=True)
def advance(
    kind,
    constants,
    omega,
    stage_steps,
    stage_cos,
    stage_sin,
    substeps,
    phase,
    variables,
    out,
    invariant,
    first,
    n_samples,
):
    """Record then advance every orbit by ``n_samples`` samples of ``substeps`` steps.

    Parameters
    ----------
    kind : int
        Potential code.
    constants : ndarray, shape (4,)
        Its constants (module docstring).
    omega : float
        Pattern speed Ω of the frame (1/time); 0 for an inertial frame.
    stage_steps : ndarray
        Leapfrog stage lengths (time): [h] or Yoshida's [w₁h, w₀h, w₁h].
    stage_cos, stage_sin : ndarray
        cos and sin of Ω × each stage length (the drift's frame rotation).
    substeps : int
        Steps per sample.
    phase : ndarray, shape (orbits, 6)
        (x, y, z, p_x, p_y, p_z) per orbit, advanced in place.
    variables : ndarray of int
        Observable codes recorded per orbit; orbit ``o``, variable ``v`` goes to row
        ``o·len(variables) + v`` of ``out``.
    out : ndarray, shape (orbits·len(variables), samples)
        Series.
    invariant : ndarray, shape (orbits, samples)
        Jacobi integral (energy when Ω = 0) at every sample.
    first, n_samples : int
        First sample index and number of samples.
    """
    n_variables = variables.size
    rotating = omega != 0.0
    for orbit in range(phase.shape[0]):
        x, y, z = phase[orbit, 0], phase[orbit, 1], phase[orbit, 2]
        px, py, pz = phase[orbit, 3], phase[orbit, 4], phase[orbit, 5]
        ax, ay, az = acceleration(kind, constants, x, y, z)
        for i in range(first, first + n_samples):
            for v in range(n_variables):
                out[orbit * n_variables + v, i] = observable(
                    variables[v], kind, constants, omega, x, y, z, px, py, pz
                )
            invariant[orbit, i] = jacobi_integral(kind, constants, omega, x, y, z, px, py, pz)
            for _ in range(substeps):
                for stage in range(stage_steps.size):
                    h = stage_steps[stage]
                    px += 0.5 * h * ax
                    py += 0.5 * h * ay
                    pz += 0.5 * h * az
                    x += h * px
                    y += h * py
                    z += h * pz
                    if rotating:
                        c, s = stage_cos[stage], stage_sin[stage]
                        x, y = c * x + s * y, c * y - s * x
                        px, py = c * px + s * py, c * py - s * px
                    ax, ay, az = acceleration(kind, constants, x, y, z)
                    px += 0.5 * h * ax
                    py += 0.5 * h * ay
                    pz += 0.5 * h * az
        phase[orbit, 0], phase[orbit, 1], phase[orbit, 2] = x, y, z
        phase[orbit, 3], phase[orbit, 4], phase[orbit, 5] = px, py, pz


@nb.njit(cache=True)
def escape_radius(kind, constants, direction, energy, limit):
    """Distance along the unit vector ``direction`` where Φ reaches ``energy`` (bisection).

    Returns ``inf`` if Φ stays below ``energy`` out to ``limit`` (length).
    """
    low, high = 0.0, 1e-3
    while (
        potential(kind, constants, high * direction[0], high * direction[1], high * direction[2])
        < energy
    ):
        low, high = high, 2.0 * high
        if high > limit:
            return np.inf
    for _ in range(200):
        middle = 0.5 * (low + high)
        if middle == low or middle == high:
            break
        value = potential(
            kind, constants, middle * direction[0], middle * direction[1], middle * direction[2]
        )
        if value < energy:
            low = middle
        else:
            high = middle
    return low
