"""Exact solutions on the line: kinks, boosted kinks, sine-Gordon breather and soliton pairs.

Lengths and times are dimensionless (c = 1). A kink of a potential is a profile K(ξ) going from
one vacuum at ξ → −∞ to another at ξ → +∞, with ξ = a (x − x₀) and inverse width a; the
Lorentz-boosted kink of velocity u is K(γ a (x − x₀ − u t)), γ = 1/√(1 − u²), with
φ_t = −u γ a K'(ξ). An antikink is K(−ξ).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class KinkProfile:
    """A static kink: K(ξ), K'(ξ), its inverse width a (1/length) and its two vacua."""

    inverse_width: float
    left_vacuum: float
    right_vacuum: float
    kind: str

    def value(self, xi: np.ndarray) -> np.ndarray:
        """K(ξ) (field units)."""
        with np.errstate(over="ignore"):  # exp and cosh overflow to inf far out: exact limits
            return self._value(xi)

    def slope(self, xi: np.ndarray) -> np.ndarray:
        """dK/dξ (field units)."""
        with np.errstate(over="ignore"):
            return self._slope(xi)

    def _value(self, xi: np.ndarray) -> np.ndarray:
        if self.kind == "phi4":
            return self.right_vacuum * np.tanh(xi)
        if self.kind == "sine_gordon":
            return 4.0 * np.arctan(np.exp(xi))
        return self.right_vacuum / np.sqrt(1.0 + np.exp(-2.0 * xi))  # phi6, 0 -> v

    def _slope(self, xi: np.ndarray) -> np.ndarray:
        if self.kind == "phi4":
            return self.right_vacuum / np.cosh(xi) ** 2
        if self.kind == "sine_gordon":
            return 2.0 / np.cosh(xi)
        decay = np.exp(-2.0 * xi)
        return self.right_vacuum * decay / (1.0 + decay) ** 1.5


def kink_profile(potential: str, coupling: float = 1.0, vacuum: float = 1.0) -> KinkProfile:
    """The kink of ``potential`` (``phi4``, ``sine_gordon`` or ``phi6``) with its parameters.

    Parameters
    ----------
    potential : str
        Potential name.
    coupling, vacuum : float
        λ and v of φ⁴ and φ⁶ (unused for sine-Gordon).

    Returns
    -------
    KinkProfile
        φ⁴: K = v tanh ξ, a = v √(λ/2). Sine-Gordon: K = 4 arctan eξ, a = 1. φ⁶:
        K = v / √(1 + e^{−2ξ}), a = √λ v² (from φ_x = √(2V) = √λ φ (v² − φ²)).
    """
    if potential == "phi4":
        return KinkProfile(vacuum * np.sqrt(coupling / 2.0), -vacuum, vacuum, potential)
    if potential == "sine_gordon":
        return KinkProfile(1.0, 0.0, 2.0 * np.pi, potential)
    if potential == "phi6":
        return KinkProfile(np.sqrt(coupling) * vacuum**2, 0.0, vacuum, potential)
    raise ValueError(f"potential {potential!r} has no kink")


def lorentz_factor(velocity: float) -> float:
    """γ = 1/√(1 − u²) for |u| < 1."""
    return 1.0 / np.sqrt(1.0 - velocity * velocity)


def boosted_kink(
    profile: KinkProfile, x: np.ndarray, t: float, position: float, velocity: float, charge: int
) -> tuple[np.ndarray, np.ndarray]:
    """Field and velocity of a kink (charge +1) or antikink (−1) moving at ``velocity``.

    Returns
    -------
    phi, phi_t : ndarray
        φ = K(±γ a (x − x₀ − u t)) and φ_t = −u ∂_x φ.
    """
    stretch = lorentz_factor(velocity) * profile.inverse_width
    xi = charge * stretch * (x - position - velocity * t)
    return profile.value(xi), -velocity * charge * stretch * profile.slope(xi)


def breather(
    x: np.ndarray, t: float, frequency: float, position: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """The exact sine-Gordon breather at rest and its time derivative.

    φ = 4 arctan(c sin(ω t) / cosh(η (x − x₀))), η = √(1 − ω²), c = η/ω; energy 16 η.

    Parameters
    ----------
    x : ndarray
        Positions (length).
    t : float
        Time (the breather passes through φ = 0 at t = 0).
    frequency : float
        ω, 0 < ω < 1 (1/time).
    position : float
        Centre x₀.
    """
    eta = np.sqrt(1.0 - frequency**2)
    ratio = eta / frequency
    envelope = np.cosh(eta * (x - position))
    amplitude = ratio * np.sin(frequency * t)
    phi = 4.0 * np.arctan(amplitude / envelope)
    phi_t = (
        4.0 * ratio * frequency * np.cos(frequency * t) * envelope / (envelope**2 + amplitude**2)
    )
    return phi, phi_t


def sine_gordon_kink_antikink(
    x: np.ndarray, t: float, velocity: float
) -> tuple[np.ndarray, np.ndarray]:
    """The exact sine-Gordon kink–antikink collision and its time derivative.

    φ = 4 arctan(sinh(uγt) / (u cosh γx)), γ = 1/√(1 − u²) (Perring & Skyrme, Nucl. Phys. 31,
    550, 1962; Rajaraman, *Solitons and Instantons*, §2.4). φ → 0 as |x| → ∞; for t < 0 an
    antikink (left, 0 → −2π) and a kink (right, −2π → 0) approach at speed u each, centred at
    x = ±(u|t| + ln(1/u)/γ) for |t| ≫ 1/(uγ); they pass through each other at t = 0 (φ = 0
    everywhere) and recede with the field between them at +2π. Energy 16γ.

    Parameters
    ----------
    x : ndarray
        Positions (length), centred on the collision point.
    t : float
        Time (time); the collision is at t = 0.
    velocity : float
        u, 0 < u < 1 (c).

    Returns
    -------
    phi, phi_t : ndarray
        φ (field) and φ_t = 4γ cosh(uγt) cos²(φ/4) / cosh γx (field/time).
    """
    gamma = lorentz_factor(velocity)
    with np.errstate(over="ignore"):  # cosh γx = inf far out: φ = φ_t = 0 there, exactly
        phi = 4.0 * np.arctan2(np.sinh(velocity * gamma * t), velocity * np.cosh(gamma * x))
        phi_t = 4.0 * gamma * np.cosh(velocity * gamma * t) * np.cos(0.25 * phi) ** 2
        phi_t = phi_t / np.cosh(gamma * x)
    return phi, phi_t


def sine_gordon_kink_kink(
    x: np.ndarray, t: float, velocity: float
) -> tuple[np.ndarray, np.ndarray]:
    """The exact sine-Gordon kink–kink collision and its time derivative.

    φ = 4 arctan(u sinh γx / cosh(uγt)), γ = 1/√(1 − u²) (Perring & Skyrme 1962; Rajaraman
    §2.4). φ goes from −2π (x → −∞) to +2π (x → +∞), winding 4π: two kinks centred at
    x = ±(u|t| + ln(1/u)/γ) for |t| ≫ 1/(uγ), approaching for t < 0, closest at t = 0, receding
    after (they repel). Energy 16γ.

    Parameters
    ----------
    x : ndarray
        Positions (length), centred on the collision point.
    t : float
        Time (time); closest approach at t = 0.
    velocity : float
        u, 0 < u < 1 (c).

    Returns
    -------
    phi, phi_t : ndarray
        φ (field) and φ_t = −2uγ tanh(uγt) sin(φ/2) (field/time).
    """
    gamma = lorentz_factor(velocity)
    with np.errstate(over="ignore"):  # sinh γx = ±inf far out: φ = ±2π there, exactly
        phi = 4.0 * np.arctan2(velocity * np.sinh(gamma * x), np.cosh(velocity * gamma * t))
    phi_t = -2.0 * velocity * gamma * np.tanh(velocity * gamma * t) * np.sin(0.5 * phi)
    return phi, phi_t


def linear_wave_propagator(
    phi_hat: np.ndarray, pi_hat: np.ndarray, omega: np.ndarray, t: float
) -> tuple[np.ndarray, np.ndarray]:
    """Exact linear Klein–Gordon flow of Fourier coefficients over time ``t``.

    φ̂(t) = φ̂ cos ωt + π̂ sin(ωt)/ω, π̂(t) = −ω φ̂ sin ωt + π̂ cos ωt (ω = 0 modes drift).
    """
    cosine, sine = np.cos(omega * t), np.sin(omega * t)
    safe = np.where(omega > 0, omega, 1.0)
    sine_over_omega = np.where(omega > 0, sine / safe, t)
    return phi_hat * cosine + pi_hat * sine_over_omega, -omega * sine * phi_hat + pi_hat * cosine
