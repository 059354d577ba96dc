"""Jitted time stepping of φ_tt = φ_xx − V'(φ) on a periodic grid (spectral in x).

The whole loop runs inside Numba; FFTs are pocketfft's, called from jitted code through the
``rocket-fft`` package's low-level interface, which writes into buffers allocated once per call of
:func:`advance` (no allocation inside the time loop). A step is a symplectic composition of *kicks*
π += c h F(φ) and *drifts* of weight d h, given as two coefficient arrays (Störmer–Verlet: c = [½,
½], d = [1]; Yoshida 4: three Verlet steps of weights w₁, w₀, w₁). A drift is either the free flight
φ += τ π (F then holds the full force φ_xx − V'(φ)), or the exact flow of the linear part φ_tt =
φ_xx − μ² φ in Fourier space (F then holds only the remainder −(V'(φ) − μ² φ)). Every step
recomputes what it needs from (φ, π), so ``advance(a); advance(b)`` is bitwise ``advance(a + b)``.
"""

from __future__ import annotations

import numba as nb
import numpy as np
from rocket_fft import c2r, r2c

from sims.kleingordon.potentials import potential_derivative

_AXES = np.array([0])


@nb.njit(cache=True)
def forward(real, spectrum):
    """Real FFT of ``real`` into ``spectrum`` (numpy's ``rfft`` convention, unnormalised)."""
    r2c(real, spectrum, _AXES, True, 1.0, 1)


@nb.njit(cache=True)
def inverse(spectrum, real):
    """Inverse real FFT of ``spectrum`` into ``real`` (numpy's ``irfft``, length ``real.size``)."""
    c2r(spectrum, real, _AXES, False, 1.0 / real.size, 1)


@nb.njit(cache=True)
def force(
    phi,
    wavenumber_squared,
    dealias_mask,
    dealias,
    exact_linear,
    kind,
    constants,
    out,
    spectrum,
    work,
):
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
    spectrum, work : complex128[:]
        Scratch buffers of N/2 + 1 modes.
    """
    n = phi.size
    linear_mass_squared = constants[3]
    if exact_linear:
        for index in range(n):
            value = phi[index]
            out[index] = linear_mass_squared * value - potential_derivative(kind, value, constants)
        if dealias:
            forward(out, spectrum)
            for mode in range(spectrum.size):
                spectrum[mode] *= dealias_mask[mode]
            inverse(spectrum, out)
        return
    forward(phi, spectrum)
    for mode in range(spectrum.size):
        spectrum[mode] *= -wavenumber_squared[mode]
    if dealias:
        for index in range(n):
            out[index] = potential_derivative(kind, phi[index], constants)
        forward(out, work)
        for mode in range(spectrum.size):
            spectrum[mode] -= dealias_mask[mode] * work[mode]
        inverse(spectrum, out)
        return
    inverse(spectrum, out)
    for index in range(n):
        out[index] -= potential_derivative(kind, phi[index], constants)


@nb.njit(cache=True)
def linear_flow(phi, pi, cosine, sine_over_omega, omega_sine, phi_hat, pi_hat):
    """Advance (φ, π) by the exact flow of φ_tt = φ_xx − μ² φ; tables hold one stage's τ.

    ``phi_hat`` and ``pi_hat`` are complex scratch buffers of N/2 + 1 modes.
    """
    forward(phi, phi_hat)
    forward(pi, pi_hat)
    for mode in range(phi_hat.size):
        old = phi_hat[mode]
        phi_hat[mode] = cosine[mode] * old + sine_over_omega[mode] * pi_hat[mode]
        pi_hat[mode] = cosine[mode] * pi_hat[mode] - omega_sine[mode] * old
    inverse(phi_hat, phi)
    inverse(pi_hat, pi)


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
    n = phi.size
    kick = np.empty_like(phi)
    spectrum = np.empty(n // 2 + 1, dtype=np.complex128)
    work = np.empty_like(spectrum)
    arguments = (wavenumber_squared, dealias_mask, dealias, exact_linear, kind, constants)
    force(phi, *arguments, kick, spectrum, work)
    for _ in range(n_steps):
        for stage in range(stages):
            weight = kick_weights[stage] * time_step
            for index in range(n):
                pi[index] += weight * kick[index]
            if exact_linear:
                tables = flow_tables[stage]
                linear_flow(phi, pi, tables[0], tables[1], tables[2], spectrum, work)
            else:
                drift = drift_weights[stage] * time_step
                for index in range(n):
                    phi[index] += drift * pi[index]
            force(phi, *arguments, kick, spectrum, work)
        weight = kick_weights[stages] * time_step
        for index in range(n):
            pi[index] += weight * kick[index]
