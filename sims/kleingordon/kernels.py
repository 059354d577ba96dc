"""Jitted time stepping of φ_tt = φ_xx − V'(φ) on a periodic grid, with the state in Fourier space.

The state is the real-FFT spectrum of the field and of its velocity, (φ̂, π̂). A step is a symplectic
composition of *kicks* π̂ += c h â and *drifts* of weight d h, given as two coefficient arrays
(Störmer–Verlet: c = [½, ½], d = [1]; Yoshida 4: three Verlet steps of weights w₁, w₀, w₁). A drift
is either the free flight φ̂ += τ π̂ (the kick force f then is the full φ_xx − V'(φ)), or the exact
flow of the linear part φ_tt = φ_xx − μ² φ, a rotation of each mode (f then is only the remainder
μ² φ − V'(φ)). Both are diagonal in Fourier space, so a kick costs one inverse FFT (φ̂ → φ) and one
forward FFT (V'(φ) → its spectrum); the free-flight linear term −k² φ̂ needs none.

The Takahashi–Imada kernel (Takahashi & Imada, J. Phys. Soc. Jpn. 53, 3765, 1984) is Störmer–Verlet
whose kicks use the modified force a = f + (Δt²/12) J f, J = ∂f/∂φ: minus the gradient of the
modified potential U − (Δt²/24)|∇U|². Its modified Hamiltonian is H + Δt²{H, G} + O(Δt⁴) with
G = π·f(φ)/12, so the kernel is conjugate, up to O(Δt⁴) per unit time, to the exact flow by the
time-Δt² flow of G: mapping its state through that flow (the *processor*, Wisdom, Holman & Touma
1996, "Symplectic correctors") gives a method of order 4 with one kick per step. The processor is
applied only where the physical fields are needed (:func:`corrector_flow`). With the exact linear
flow and no dealiasing J f = (μ² − V''(φ)) f is pointwise and costs no extra FFT; otherwise a
modified kick costs four FFTs.

FFTs are pocketfft's, called from jitted code through ``rocket-fft``'s low-level interface into
buffers allocated once per call of :func:`advance`. Every step recomputes what it needs from the
state, so ``advance(a); advance(b)`` is bitwise ``advance(a + b)``.
"""

from __future__ import annotations

import numba as nb
import numpy as np
from rocket_fft import c2r, r2c

from sims.kleingordon.potentials import potential_curvature, potential_derivative

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
def _finish(pointwise, spectral, wavenumber_squared, dealias_mask, dealias, exact_linear, out):
    """``out`` = P(FFT(pointwise)) − [k² ``spectral`` unless ``exact_linear``]; P: 2/3 rule."""
    forward(pointwise, out)
    if dealias:
        for mode in range(out.size):
            out[mode] *= dealias_mask[mode]
    if not exact_linear:
        for mode in range(out.size):
            out[mode] -= wavenumber_squared[mode] * spectral[mode]


@nb.njit(cache=True)
def force_spectrum(field, field_hat, system, out, pointwise):
    """Spectrum of the kick force f(φ) (field/time²).

    Parameters
    ----------
    field, field_hat : float64[:], complex128[:]
        φ on the grid and its real-FFT spectrum.
    system : tuple
        (k², dealias mask, dealias, exact_linear, potential kind, (mass, coupling, vacuum, μ²)),
        the ``system`` attribute of :class:`~sims.kleingordon.model.KleinGordonModel`.
    out : complex128[:]
        Output spectrum (N/2 + 1 modes).
    pointwise : float64[:]
        Real scratch buffer of N points.
    """
    wavenumber_squared, dealias_mask, dealias, exact_linear, kind, constants = system
    linear_mass_squared = constants[3] if exact_linear else 0.0
    for index in range(field.size):
        value = field[index]
        derivative = potential_derivative(kind, value, constants)
        pointwise[index] = linear_mass_squared * value - derivative
    _finish(pointwise, field_hat, wavenumber_squared, dealias_mask, dealias, exact_linear, out)


@nb.njit(cache=True)
def jacobian_spectrum(field, direction, direction_hat, system, out, pointwise):
    """Spectrum of J w = ∂f/∂φ · w at φ = ``field`` for w = ``direction`` (field/time²)."""
    wavenumber_squared, dealias_mask, dealias, exact_linear, kind, constants = system
    linear_mass_squared = constants[3] if exact_linear else 0.0
    for index in range(field.size):
        slope = linear_mass_squared - potential_curvature(kind, field[index], constants)  # ∂f/∂φ
        pointwise[index] = slope * direction[index]
    _finish(pointwise, direction_hat, wavenumber_squared, dealias_mask, dealias, exact_linear, out)


@nb.njit(cache=True)
def acceleration(phi_hat, system, correction, out, field, pointwise, force_hat, force):
    """Kick acceleration a = f + ``correction`` · J f, in Fourier space, at the state's φ̂.

    ``correction`` is Δt²/12 for the Takahashi–Imada kernel and 0 otherwise; ``field``,
    ``pointwise`` and ``force`` are real scratch buffers, ``force_hat`` a spectral one.
    """
    inverse(phi_hat, field)
    exact_linear, kind, constants = system[3], system[4], system[5]
    if correction != 0.0 and exact_linear and not system[2]:  # J pointwise: one forward FFT
        for index in range(field.size):
            value = field[index]
            local_force = constants[3] * value - potential_derivative(kind, value, constants)
            slope = constants[3] - potential_curvature(kind, value, constants)  # ∂f/∂φ
            pointwise[index] = local_force + correction * slope * local_force
        _finish(pointwise, phi_hat, system[0], system[1], system[2], True, out)
        return
    if correction == 0.0:
        force_spectrum(field, phi_hat, system, out, pointwise)
        return
    force_spectrum(field, phi_hat, system, force_hat, pointwise)
    inverse(force_hat, force)
    jacobian_spectrum(field, force, force_hat, system, out, pointwise)
    for mode in range(out.size):
        out[mode] = force_hat[mode] + correction * out[mode]


@nb.njit(cache=True)
def advance(
    phi_hat,
    pi_hat,
    n_steps,
    time_step,
    kick_weights,
    drift_weights,
    flow_tables,
    system,
    correction,
):
    """Advance the spectral state (φ̂, π̂) in place by ``n_steps`` steps of size ``time_step``.

    Parameters
    ----------
    phi_hat, pi_hat : complex128[:]
        Real-FFT spectra of the field and of its time derivative (N/2 + 1 modes), modified in
        place.
    n_steps : int
        Number of steps.
    time_step : float
        Δt (time).
    kick_weights : float64[:]
        c₁..c_{s+1}, kicks before each of the s drifts and after the last one.
    drift_weights : float64[:]
        d₁..d_s.
    flow_tables : float64[:, 3, :]
        Per drift stage: cos ωτ, sin(ωτ)/ω and ω sin ωτ of each mode (τ = d Δt), used with the
        exact linear flow.
    system : tuple
        As in :func:`force_spectrum`.
    correction : float
        Δt²/12 for the Takahashi–Imada kernel, else 0 (time²).
    """
    stages = drift_weights.size
    exact_linear = system[3]
    n = 2 * (phi_hat.size - 1)
    kick = np.empty_like(phi_hat)
    force_hat = np.empty_like(phi_hat)
    field, pointwise, force = np.empty(n), np.empty(n), np.empty(n)
    scratch = (field, pointwise, force_hat, force)
    acceleration(phi_hat, system, correction, kick, *scratch)
    for _ in range(n_steps):
        for stage in range(stages):
            weight = kick_weights[stage] * time_step
            for mode in range(pi_hat.size):
                pi_hat[mode] += weight * kick[mode]
            if exact_linear:
                cosine, sine_over_omega, omega_sine = flow_tables[stage]
                for mode in range(phi_hat.size):
                    old = phi_hat[mode]
                    phi_hat[mode] = cosine[mode] * old + sine_over_omega[mode] * pi_hat[mode]
                    pi_hat[mode] = cosine[mode] * pi_hat[mode] - omega_sine[mode] * old
            else:
                drift = drift_weights[stage] * time_step
                for mode in range(phi_hat.size):
                    phi_hat[mode] += drift * pi_hat[mode]
            acceleration(phi_hat, system, correction, kick, *scratch)
        weight = kick_weights[stages] * time_step
        for mode in range(pi_hat.size):
            pi_hat[mode] += weight * kick[mode]


@nb.njit(cache=True)
def _corrector_rates(phi_hat, pi_hat, system, force_hat, jacobian_hat, field, velocity, pointwise):
    """f̂(φ) and (J(φ) π)^ at the state (φ̂, π̂): the processor's rates, up to the factor 1/12."""
    inverse(phi_hat, field)
    inverse(pi_hat, velocity)
    force_spectrum(field, phi_hat, system, force_hat, pointwise)
    jacobian_spectrum(field, velocity, pi_hat, system, jacobian_hat, pointwise)


@nb.njit(cache=True)
def corrector_flow(phi_hat, pi_hat, duration, system):
    """Flow of the processor G = π·f(φ)/12 for a ``duration`` s (time²), to O(s³), in place.

    dφ/ds = f(φ)/12 and dπ/ds = −J(φ) π/12 (J symmetric; with dealiasing P·V''(φ) only nearly
    so), integrated by one explicit midpoint step. s = Δt² maps the Takahashi–Imada kernel's
    state to the physical one; the O(Δt⁶) error of this step is below the method's O(Δt⁴). Its
    inverse, to rounding, is :func:`sims.kleingordon.processing.from_physical`.
    """
    n = 2 * (phi_hat.size - 1)
    scratch = (np.empty(n), np.empty(n), np.empty(n))
    force_hat, jacobian_hat = np.empty_like(phi_hat), np.empty_like(phi_hat)
    _corrector_rates(phi_hat, pi_hat, system, force_hat, jacobian_hat, *scratch)
    half = duration / 24.0
    middle_phi = phi_hat + half * force_hat
    middle_pi = pi_hat - half * jacobian_hat
    _corrector_rates(middle_phi, middle_pi, system, force_hat, jacobian_hat, *scratch)
    whole = duration / 12.0
    for mode in range(phi_hat.size):
        phi_hat[mode] += whole * force_hat[mode]
        pi_hat[mode] -= whole * jacobian_hat[mode]
