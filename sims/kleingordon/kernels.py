"""Jitted time stepping of φ_tt = φ_xx − V'(φ) on a periodic grid (spectral in x).

The whole loop runs inside Numba; FFTs are numpy's, made callable from jitted code by the
``rocket-fft`` package. A step is a symplectic composition of *kicks* π += c h F(φ) and *drifts*
of weight d h, given as two coefficient arrays (Störmer–Verlet: c = [½, ½], d = [1]; Yoshida 4:
three Verlet steps of weights w₁, w₀, w₁). A drift is either the free flight φ += τ π (F then
holds the full force φ_xx − V'(φ)), or the exact flow of the linear part φ_tt = φ_xx − μ² φ in
Fourier space (F then holds only the remainder −(V'(φ) − μ² φ)). Every step recomputes what it
needs from (φ, π), so ``advance(a); advance(b)`` is bitwise ``advance(a + b)``.
"""

from __future__ import annotations

import numba as nb
import numpy as np
import rocket_fft  # noqa: F401 - registers numpy.fft for Numba

from sims.kleingordon.potentials import potential_derivative


@nb.njit(cache=True)
def force(phi, wavenumber_squared, dealias_mask, dealias, exact_linear, kind, constants, out):
    """Write the kick force into ``out`` (field/time²).

    Parameters
    ----------
    phi : float64[:]
        Field on the grid.
    wavenumber_squared : float64[:]
        k² of the real-FFT modes (1/length²).
    dealias_mask : float64[:]
        1 for kept modes, 0 above 2/3 of the Nyquist wavenumber.
    dealias : bool
        Whether to project V'(φ) on the kept modes.
    exact_linear : bool
        If True the force is −(V'(φ) − μ² φ) (the linear part is in the drift), with μ² =
        ``constants[3]``; otherwise the full φ_xx − V'(φ).
    kind : int
        Potential (see :mod:`sims.kleingordon.potentials`).
    constants : float64[:]
        (mass, coupling, vacuum, μ²).
    out : float64[:]
        Output buffer, same shape as ``phi``.
    """
    n = phi.size
    linear_mass_squared = constants[3]
    if exact_linear:
        for index in range(n):
            value = phi[index]
            out[index] = linear_mass_squared * value - potential_derivative(kind, value, constants)
        if dealias:
            spectrum = np.fft.rfft(out)
            for mode in range(spectrum.size):
                spectrum[mode] *= dealias_mask[mode]
            out[:] = np.fft.irfft(spectrum, n)
        return
    spectrum = np.fft.rfft(phi)
    for mode in range(spectrum.size):
        spectrum[mode] *= -wavenumber_squared[mode]
    if dealias:
        for index in range(n):
            out[index] = potential_derivative(kind, phi[index], constants)
        nonlinear = np.fft.rfft(out)
        for mode in range(spectrum.size):
            spectrum[mode] -= dealias_mask[mode] * nonlinear[mode]
        out[:] = np.fft.irfft(spectrum, n)
        return
    laplacian = np.fft.irfft(spectrum, n)
    for index in range(n):
        out[index] = laplacian[index] - potential_derivative(kind, phi[index], constants)


@nb.njit(cache=True)
def linear_flow(phi, pi, cosine, sine_over_omega, omega_sine):
    """Advance (φ, π) by the exact flow of φ_tt = φ_xx − μ² φ; tables hold one stage's τ."""
    n = phi.size
    phi_hat = np.fft.rfft(phi)
    pi_hat = np.fft.rfft(pi)
    for mode in range(phi_hat.size):
        old = phi_hat[mode]
        phi_hat[mode] = cosine[mode] * old + sine_over_omega[mode] * pi_hat[mode]
        pi_hat[mode] = cosine[mode] * pi_hat[mode] - omega_sine[mode] * old
    phi[:] = np.fft.irfft(phi_hat, n)
    pi[:] = np.fft.irfft(pi_hat, n)


@nb.njit(cache=True)
def advance(
    phi,
    pi,
    n_steps,
    time_step,
    kick_weights,
    drift_weights,
    flow_tables,
    wavenumber_squared,
    dealias_mask,
    dealias,
    exact_linear,
    kind,
    constants,
):
    """Advance (φ, π) in place by ``n_steps`` steps of size ``time_step``.

    Parameters
    ----------
    phi, pi : float64[:]
        Field and its time derivative, modified in place.
    n_steps : int
        Number of steps.
    time_step : float
        Δt (time).
    kick_weights : float64[:]
        c₁..c_{s+1}, kicks before each of the s drifts and after the last one.
    drift_weights : float64[:]
        d₁..d_s.
    flow_tables : float64[:, 3, :]
        Per drift stage: cos ωτ, sin(ωτ)/ω and ω sin ωτ of each mode (τ = d Δt), used when
        ``exact_linear``.
    wavenumber_squared, dealias_mask, dealias, exact_linear, kind, constants
        As in :func:`force`.
    """
    stages = drift_weights.size
    kick = np.empty_like(phi)
    force(phi, wavenumber_squared, dealias_mask, dealias, exact_linear, kind, constants, kick)
    n = phi.size
    for _ in range(n_steps):
        for stage in range(stages):
            weight = kick_weights[stage] * time_step
            for index in range(n):
                pi[index] += weight * kick[index]
            if exact_linear:
                linear_flow(
                    phi, pi, flow_tables[stage, 0], flow_tables[stage, 1], flow_tables[stage, 2]
                )
            else:
                drift = drift_weights[stage] * time_step
                for index in range(n):
                    phi[index] += drift * pi[index]
            force(
                phi, wavenumber_squared, dealias_mask, dealias, exact_linear, kind, constants, kick
            )
        weight = kick_weights[stages] * time_step
        for index in range(n):
            pi[index] += weight * kick[index]
