"""Symplectic time steppers as kick/drift coefficients, and the trace of their one-step matrix.

:func:`one_step_trace` gives a scheme's linear stability on every mode (|trace| <= 2). For the
harmonic oscillator y'' = −ω² y stepped by kicks and free flights it gives the bounds ω Δt < 2
for Störmer–Verlet, 1.5734 for Yoshida's fourth-order triple jump, and √12 for the
Takahashi–Imada kernel, whose kick sees ω_eff² = ω² (1 − ω²Δt²/12): Verlet is stable iff
0 < ω_eff² Δt² < 4, and ω_eff² Δt² is at most 3, so only ω_eff² > 0 binds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CUBE_ROOT_TWO = 2.0 ** (1.0 / 3.0)
YOSHIDA_OUTER = 1.0 / (2.0 - CUBE_ROOT_TWO)
YOSHIDA_INNER = -CUBE_ROOT_TWO * YOSHIDA_OUTER


@dataclass(frozen=True)
class Scheme:
    """Kick weights c₁..c_{s+1} and drift weights d₁..d_s of one step.

    ``correction`` is the weight κ_c of the Takahashi–Imada force f + κ_c Δt² J f; a scheme
    with κ_c ≠ 0 is *processed*: its state is mapped to the physical one by the corrector flow
    of :func:`sims.kleingordon.kernels.corrector_flow` for a duration Δt² (and back by
    :func:`sims.kleingordon.processing.from_physical`).
    """

    kick_weights: np.ndarray
    drift_weights: np.ndarray
    correction: float = 0.0


SCHEMES = {
    "verlet": Scheme(np.array([0.5, 0.5]), np.array([1.0])),
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
    ),
    "takahashi_imada": Scheme(np.array([0.5, 0.5]), np.array([1.0]), correction=1.0 / 12.0),
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
