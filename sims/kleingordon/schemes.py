"""Symplectic time steppers as kick/drift coefficients, with their linear stability bounds.

A scheme is stable for the harmonic oscillator y'' = −ω² y iff ω Δt < ``stability_limit``: 2 for
Störmer–Verlet, 1.5734 for Yoshida's fourth-order triple jump (computed from the trace of its
one-step matrix, :func:`yoshida_stability_limit`), and √12 for the Takahashi–Imada kernel, whose
kick sees ω_eff² = ω² (1 − ω²Δt²/12): Verlet is stable iff 0 < ω_eff² Δt² < 4, and ω_eff² Δt² is
at most 3, so only ω_eff² > 0 binds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CUBE_ROOT_TWO = 2.0 ** (1.0 / 3.0)
YOSHIDA_OUTER = 1.0 / (2.0 - CUBE_ROOT_TWO)
YOSHIDA_INNER = -CUBE_ROOT_TWO * YOSHIDA_OUTER


@dataclass(frozen=True)
class Scheme:
    """Kick weights c₁..c_{s+1} and drift weights d₁..d_s of one step, and its order.

    ``correction`` is the weight κ of the Takahashi–Imada force f + κ Δt² J f; a scheme with
    κ ≠ 0 is *processed*: its state is mapped to the physical one by the corrector flow of
    :func:`sims.kleingordon.kernels.corrector_flow` for a duration Δt² (and back by −Δt²).
    """

    kick_weights: np.ndarray
    drift_weights: np.ndarray
    order: int
    stability_limit: float
    correction: float = 0.0


def verlet_product(weights: np.ndarray, frequency_step: float) -> np.ndarray:
    """One-step matrix on (y, y') of a composition of velocity-Verlet steps, for ω Δt given."""
    matrix = np.eye(2)
    for weight in weights:
        tau = weight * frequency_step
        kick = np.array([[1.0, 0.0], [-0.5 * tau, 1.0]])
        matrix = kick @ np.array([[1.0, tau], [0.0, 1.0]]) @ kick @ matrix
    return matrix


def yoshida_stability_limit() -> float:
    """Largest ω Δt for which Yoshida's triple jump is stable (|trace| ≤ 2), by bisection."""
    weights = np.array([YOSHIDA_OUTER, YOSHIDA_INNER, YOSHIDA_OUTER])
    low, high = 1.0, 2.0
    for _ in range(60):
        middle = 0.5 * (low + high)
        if abs(np.trace(verlet_product(weights, middle))) <= 2.0:
            low = middle
        else:
            high = middle
    return low


SCHEMES = {
    "verlet": Scheme(np.array([0.5, 0.5]), np.array([1.0]), 2, 2.0),
    "yoshida4": Scheme(
        np.array(
            [
                0.5 * YOSHIDA_OUTER,
                0.5 * (YOSHIDA_OUTER + YOSHIDA_INNER),
                0.5 * (YOSHIDA_OUTER + YOSHIDA_INNER),
                0.5 * YOSHIDA_OUTER,
            ]
        ),
        np.array([YOSHIDA_OUTER, YOSHIDA_INNER, YOSHIDA_OUTER]),
        4,
        yoshida_stability_limit(),
    ),
    "takahashi_imada": Scheme(
        np.array([0.5, 0.5]), np.array([1.0]), 4, np.sqrt(12.0), correction=1.0 / 12.0
    ),
}


def one_step_trace(
    scheme: Scheme, time_step: float, omega: np.ndarray, kappa: np.ndarray
) -> np.ndarray:
    """Trace of the one-step matrix of ``scheme`` on a mode of y'' = −ω² y − κ y, (M, K).

    The drifts are the exact rotation at frequency ω (free flight where ω = 0, as in
    :func:`linear_flow_tables`) and the kicks apply −κ y; a processed scheme's kicks apply its
    modified force, −κ (1 − κ_c Δt² κ) y with κ_c its ``correction``. ``omega`` has M values
    and ``kappa`` K. The step is linearly stable (frozen coefficients) iff |trace| <= 2.
    """
    omega, kappa = np.asarray(omega, float), np.asarray(kappa, float)
    kick = time_step * kappa * (1.0 - scheme.correction * time_step**2 * kappa)[None, :]
    tables = linear_flow_tables(scheme.drift_weights, time_step, omega)[:, :, :, None]
    shape = (omega.size, kappa.size)
    a, b, c, d = (
        np.ones(shape),
        np.zeros(shape),
        np.zeros(shape),
        np.ones(shape),
    )  # rows (a b), (c d)
    for stage, weight in enumerate(scheme.kick_weights):
        c, d = c - weight * kick * a, d - weight * kick * b
        if stage < scheme.drift_weights.size:
            cosine, sine_over, omega_sine = tables[stage]
            a, b, c, d = (
                cosine * a + sine_over * c,
                cosine * b + sine_over * d,
                cosine * c - omega_sine * a,
                cosine * d - omega_sine * b,
            )
    return a + d


def linear_flow_tables(
    drift_weights: np.ndarray, time_step: float, omega: np.ndarray
) -> np.ndarray:
    """Tables of cos ωτ, sin(ωτ)/ω (τ where ω = 0) and ω sin ωτ per stage (τ = d Δt) and mode."""
    tables = np.empty((drift_weights.size, 3, omega.size))
    safe = np.where(omega > 0, omega, 1.0)
    for stage, weight in enumerate(drift_weights):
        tau = weight * time_step
        tables[stage, 0] = np.cos(omega * tau)
        tables[stage, 1] = np.where(omega > 0, np.sin(omega * tau) / safe, tau)
        tables[stage, 2] = omega * np.sin(omega * tau)
    return tables
