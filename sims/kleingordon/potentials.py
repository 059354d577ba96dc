"""Potentials V(φ) of φ_tt = φ_xx − V'(φ): each is three small jitted functions (V, V', V'').

Every potential takes the same parameter vector ``(mass, coupling, vacuum)`` (see
:data:`PARAMETER_ORDER`); each uses the entries it needs. Adding a potential means writing V, V' and
V'' (used by the Takahashi–Imada scheme and the stability bound), adding one branch to
:func:`potential`, :func:`potential_derivative` and :func:`potential_curvature`, and one entry to
:data:`POTENTIALS`.

* ``linear``: V = ½ m² φ² (Klein–Gordon of mass m).
* ``phi4``: V = (λ/4)(φ² − v²)², vacua ±v, kink v tanh(v √(λ/2) x).
* ``sine_gordon``: V = 1 − cos φ, vacua 2πn, kink 4 arctan eˣ.
* ``phi6``: V = (λ/2) φ² (φ² − v²)², vacua 0 and ±v, kink v / √(1 + exp(−2√λ v² x)).

The field and x, t are dimensionless (c = 1); V is an energy per unit length.
"""

from __future__ import annotations

import numba as nb
import numpy as np

PARAMETER_ORDER = ("mass", "coupling", "vacuum")
LINEAR, PHI4, SINE_GORDON, PHI6 = 0, 1, 2, 3
POTENTIALS = {"linear": LINEAR, "phi4": PHI4, "sine_gordon": SINE_GORDON, "phi6": PHI6}


@nb.njit(cache=True)
def linear_potential(phi, mass, coupling, vacuum):
    """V = ½ m² φ²."""
    return 0.5 * mass * mass * phi * phi


@nb.njit(cache=True)
def linear_derivative(phi, mass, coupling, vacuum):
    """V' = m² φ."""
    return mass * mass * phi


@nb.njit(cache=True)
def linear_curvature(phi, mass, coupling, vacuum):
    """V'' = m²."""
    return mass * mass


@nb.njit(cache=True)
def phi4_potential(phi, mass, coupling, vacuum):
    """V = (λ/4)(φ² − v²)²."""
    excess = phi * phi - vacuum * vacuum
    return 0.25 * coupling * excess * excess


@nb.njit(cache=True)
def phi4_derivative(phi, mass, coupling, vacuum):
    """V' = λ φ (φ² − v²)."""
    return coupling * phi * (phi * phi - vacuum * vacuum)


@nb.njit(cache=True)
def phi4_curvature(phi, mass, coupling, vacuum):
    """V'' = λ (3φ² − v²)."""
    return coupling * (3.0 * phi * phi - vacuum * vacuum)


@nb.njit(cache=True)
def sine_gordon_potential(phi, mass, coupling, vacuum):
    """V = 1 − cos φ."""
    return 1.0 - np.cos(phi)


@nb.njit(cache=True)
def sine_gordon_derivative(phi, mass, coupling, vacuum):
    """V' = sin φ."""
    return np.sin(phi)


@nb.njit(cache=True)
def sine_gordon_curvature(phi, mass, coupling, vacuum):
    """V'' = cos φ."""
    return np.cos(phi)


@nb.njit(cache=True)
def phi6_potential(phi, mass, coupling, vacuum):
    """V = (λ/2) φ² (φ² − v²)²."""
    excess = phi * phi - vacuum * vacuum
    return 0.5 * coupling * phi * phi * excess * excess


@nb.njit(cache=True)
def phi6_derivative(phi, mass, coupling, vacuum):
    """V' = λ φ (φ² − v²)(3φ² − v²)."""
    squared = phi * phi
    return coupling * phi * (squared - vacuum * vacuum) * (3.0 * squared - vacuum * vacuum)


@nb.njit(cache=True)
def phi6_curvature(phi, mass, coupling, vacuum):
    """V'' = λ (15φ⁴ − 12 v² φ² + v⁴)."""
    squared, vacuum_squared = phi * phi, vacuum * vacuum
    return coupling * (
        15.0 * squared * squared - 12.0 * vacuum_squared * squared + vacuum_squared**2
    )


@nb.njit(cache=True)
def potential(kind, phi, constants):
    """V(φ) for the potential ``kind`` (an entry of :data:`POTENTIALS`); energy/length."""
    mass, coupling, vacuum = constants[0], constants[1], constants[2]
    if kind == LINEAR:
        return linear_potential(phi, mass, coupling, vacuum)
    if kind == PHI4:
        return phi4_potential(phi, mass, coupling, vacuum)
    if kind == SINE_GORDON:
        return sine_gordon_potential(phi, mass, coupling, vacuum)
    return phi6_potential(phi, mass, coupling, vacuum)


@nb.njit(cache=True)
def potential_derivative(kind, phi, constants):
    """V'(φ) for the potential ``kind``."""
    mass, coupling, vacuum = constants[0], constants[1], constants[2]
    if kind == LINEAR:
        return linear_derivative(phi, mass, coupling, vacuum)
    if kind == PHI4:
        return phi4_derivative(phi, mass, coupling, vacuum)
    if kind == SINE_GORDON:
        return sine_gordon_derivative(phi, mass, coupling, vacuum)
    return phi6_derivative(phi, mass, coupling, vacuum)


@nb.njit(cache=True)
def potential_curvature(kind, phi, constants):
    """V''(φ) for the potential ``kind`` (1/time²)."""
    mass, coupling, vacuum = constants[0], constants[1], constants[2]
    if kind == LINEAR:
        return linear_curvature(phi, mass, coupling, vacuum)
    if kind == PHI4:
        return phi4_curvature(phi, mass, coupling, vacuum)
    if kind == SINE_GORDON:
        return sine_gordon_curvature(phi, mass, coupling, vacuum)
    return phi6_curvature(phi, mass, coupling, vacuum)


def potential_array(kind: int, phi: np.ndarray, constants: np.ndarray) -> np.ndarray:
    """V evaluated elementwise on an array (energy/length)."""
    return _map_potential(kind, np.ascontiguousarray(phi, dtype=np.float64), constants, 0)


def derivative_array(kind: int, phi: np.ndarray, constants: np.ndarray) -> np.ndarray:
    """V' evaluated elementwise on an array."""
    return _map_potential(kind, np.ascontiguousarray(phi, dtype=np.float64), constants, 1)


def curvature_array(kind: int, phi: np.ndarray, constants: np.ndarray) -> np.ndarray:
    """V'' evaluated elementwise on an array (1/time²)."""
    return _map_potential(kind, np.ascontiguousarray(phi, dtype=np.float64), constants, 2)


@nb.njit(cache=True)
def _map_potential(kind, phi, constants, order):
    flat = phi.reshape(-1)
    out = np.empty_like(flat)
    for index in range(flat.size):
        if order == 0:
            out[index] = potential(kind, flat[index], constants)
        elif order == 1:
            out[index] = potential_derivative(kind, flat[index], constants)
        else:
            out[index] = potential_curvature(kind, flat[index], constants)
    return out.reshape(phi.shape)


def curvature_range(
    kind: int, constants: np.ndarray, low: float, high: float
) -> tuple[float, float]:
    """Smallest and largest V''(φ) for φ in [low, high] (1/time²), sampled on a fine grid.

    The range of a mode's nonlinear stiffness in the stability check of the time stepper.
    """
    curvature = curvature_array(kind, np.linspace(low, high, 4001), constants)
    return float(curvature.min()), float(curvature.max())
