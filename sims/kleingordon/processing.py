"""The processor of the Takahashi–Imada kernel: kernel state ↔ physical fields (φ, φ_t).

The kernel of a processed scheme evolves a state y whose physical fields are x = P(y), P the
explicit-midpoint approximation of the time-Δt² flow of G = π·f(φ)/12
(:func:`sims.kleingordon.kernels.corrector_flow`). A user gives physical fields only; the kernel
state is y = P⁻¹(x), solved here to rounding, so that reading the fields back, P(P⁻¹(x)), returns
what was set (the flow of −Δt², P's approximate inverse, is off by O(Δt⁶)).

P⁻¹ is found by the preconditioned fixed point y ← y + D⁻¹ (x − P(y)), started from the flow of
−Δt². D is P on the linear part of the kick force, diagonal in Fourier space: with free flight
(f = −k² φ + …) a mode k has b = Δt² k² / 12 and D = (1 − b + b²/2) on φ̂, (1 + b + b²/2) on π̂,
both in [½, 3] below the stability bound b < 1; with the exact linear flow the kick force has no
k² term and D = 1. What remains is O(Δt² V''/12) per iteration, a contraction for any stable Δt
and bounded V''.
"""

from __future__ import annotations

import numpy as np

from sims.kleingordon import kernels

MAX_ITERATIONS = 40
SHRINK = 0.5  # an iteration that does not halve the residual has reached rounding
CONVERGED = 1e-12  # largest relative residual accepted after the iterations stop


def to_physical(phi_hat, pi_hat, time_step, system) -> tuple[np.ndarray, np.ndarray]:
    """P(y): the physical spectra of the kernel state (φ̂, π̂) (new arrays; inputs unchanged)."""
    phi_hat, pi_hat = phi_hat.copy(), pi_hat.copy()
    kernels.corrector_flow(phi_hat, pi_hat, time_step**2, system)
    return phi_hat, pi_hat


def from_physical(phi_hat, pi_hat, time_step, system) -> tuple[np.ndarray, np.ndarray]:
    """P⁻¹(x): the kernel state whose physical spectra are (φ̂, π̂), to rounding (new arrays).

    Raises
    ------
    ValueError
        If the iteration does not reach a relative residual of ``CONVERGED`` (a field whose
        curvature V'' is too large for Δt).
    """
    wavenumber_squared, exact_linear = system[0], system[3]
    stiffness = 0.0 if exact_linear else time_step**2 * wavenumber_squared / 12.0
    phi_gain = 1.0 - stiffness + 0.5 * stiffness**2
    pi_gain = 1.0 + stiffness + 0.5 * stiffness**2
    scale = (max(np.abs(phi_hat).max(), 1e-300), max(np.abs(pi_hat).max(), 1e-300))
    state = (phi_hat.copy(), pi_hat.copy())
    kernels.corrector_flow(*state, -(time_step**2), system)
    best, best_residual = state, np.inf
    for _ in range(MAX_ITERATIONS):
        mapped = to_physical(*state, time_step, system)
        errors = (phi_hat - mapped[0], pi_hat - mapped[1])
        residual = max(np.abs(errors[0]).max() / scale[0], np.abs(errors[1]).max() / scale[1])
        if residual >= SHRINK * best_residual:
            break
        best, best_residual = state, residual
        if residual == 0.0:
            break
        state = (state[0] + errors[0] / phi_gain, state[1] + errors[1] / pi_gain)
    if not best_residual <= CONVERGED:
        raise ValueError(
            f"the processed state does not converge (relative residual {best_residual:.2e}): "
            "Δt is too large for this field's curvature"
        )
    return best
