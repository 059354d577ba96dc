"""Jitted signal generators: sines, white noise, coloured noise, fractional Brownian motion.

Sines are evaluated from the sample index (``t_i = i·Δt``), never accumulated, so a sample does not
depend on how the run was chunked. Random numbers come from one xoshiro256** stream per
realisation (:mod:`sims.core.rng`); Gaussian variates use the Box–Muller transform (one variate
per pair of uniforms, the cosine branch).

Coloured noise and fractional Brownian motion are *global* constructions (their samples are
correlated over the whole record), so the complete realisation is drawn when the run starts and
the steps reveal it sample by sample:

* coloured noise with power spectral density S(f) ∝ f^(−β) by spectral shaping: Gaussian white
  noise → real FFT → amplitudes multiplied by f^(−β/2) (the f = 0 term set to 0, zero mean) →
  inverse FFT → rescaled to the requested RMS;
* fractional Brownian motion B_H with Var B_H(t) = σ² t^(2H) by the exact Davies–Harte
  circulant-embedding method (Davies & Harte 1987; Wood & Chan 1994): fractional Gaussian noise
  with autocovariance γ(k) = ½σ²Δt^(2H)(|k+1|^(2H) − 2|k|^(2H) + |k−1|^(2H)) is drawn exactly
  from the eigenvalues of its 2m-point circulant embedding (non-negative for every H ∈ (0, 1)),
  then summed from B_H(0) = 0.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sims.core.rng import next_double

TWO_PI = 2.0 * np.pi


@nb.njit(cache=True)
def standard_normal(state):
    """One standard Gaussian variate from the xoshiro256** ``state`` (Box–Muller, cosine branch)."""
    radius = np.sqrt(-2.0 * np.log(1.0 - next_double(state)))
    return radius * np.cos(TWO_PI * next_double(state))


@nb.njit(cache=True)
def sines(amplitudes, periods, phases, sample_interval, out, first, n_samples):
    """Write Σ_k A_k sin(2π t / P_k + φ_k) at t = i·Δt for i = first … first + n_samples − 1.

    Parameters
    ----------
    amplitudes, periods, phases : ndarray
        A_k (signal units), P_k (time) and φ_k (rad).
    sample_interval : float
        Δt (time).
    out : ndarray, shape (samples,)
        Series to write into.
    first, n_samples : int
        First sample index and number of samples.
    """
    for i in range(first, first + n_samples):
        time = i * sample_interval
        value = 0.0
        for k in range(amplitudes.size):
            value += amplitudes[k] * np.sin(TWO_PI * time / periods[k] + phases[k])
        out[i] = value


@nb.njit(cache=True)
def white_noise(states, standard_deviation, out, first, n_samples):
    """Write Gaussian white noise of realisation ``r`` (stream ``states[r]``) to ``out[r]``."""
    for r in range(states.shape[0]):
        state = states[r]
        for i in range(first, first + n_samples):
            out[r, i] = standard_deviation * standard_normal(state)


@nb.njit(cache=True)
def coloured_noise(state, n_samples, spectral_slope, standard_deviation):
    """Return ``n_samples`` of Gaussian noise with S(f) ∝ f^(−β), zero mean and RMS σ.

    Parameters
    ----------
    state : ndarray of uint64, shape (4,)
        xoshiro256** state (advanced in place).
    n_samples : int
        Length (>= 4).
    spectral_slope : float
        β: 0 white, 1 pink, 2 red/Brownian (negative values give blue/violet noise).
    standard_deviation : float
        RMS of the result (signal units).
    """
    white = np.empty(n_samples)
    for i in range(n_samples):
        white[i] = standard_normal(state)
    spectrum = np.fft.rfft(white)
    spectrum[0] = 0.0
    for k in range(1, spectrum.size):
        spectrum[k] *= (k / n_samples) ** (-0.5 * spectral_slope)
    shaped = np.fft.irfft(spectrum, n_samples)
    shaped -= shaped.mean()
    return shaped * (standard_deviation / np.sqrt(np.mean(shaped * shaped)))


@nb.njit(cache=True)
def fgn_autocovariance(lag, hurst):
    """Autocovariance of unit fractional Gaussian noise at integer ``lag`` k.

    γ(k) = ½(|k+1|^2H − 2|k|^2H + |k−1|^2H).
    """
    two_h = 2.0 * hurst
    k = abs(lag)
    return 0.5 * ((k + 1.0) ** two_h - 2.0 * k**two_h + abs(k - 1.0) ** two_h)


@nb.njit(cache=True)
def fractional_brownian_motion(state, n_samples, hurst, scale, sample_interval):
    """Return B_H(i·Δt), i = 0 … n_samples − 1, exactly (Davies–Harte), with B_H(0) = 0.

    Parameters
    ----------
    state : ndarray of uint64, shape (4,)
        xoshiro256** state (advanced in place).
    n_samples : int
        Number of samples (>= 2).
    hurst : float
        Hurst exponent H in (0, 1).
    scale : float
        σ in Var B_H(t) = σ² t^(2H) (signal units per time^H).
    sample_interval : float
        Δt (time).

    Raises
    ------
    ValueError
        If an eigenvalue of the circulant embedding is negative (never for fGn; checked).
    """
    increments = n_samples - 1
    m = 1
    while m < increments:
        m *= 2
    circulant = np.empty(2 * m)
    for k in range(m + 1):
        circulant[k] = fgn_autocovariance(k, hurst)
    for k in range(m + 1, 2 * m):
        circulant[k] = circulant[2 * m - k]
    eigenvalues = np.fft.fft(circulant).real
    if eigenvalues.min() < -1e-10 * eigenvalues.max():
        raise ValueError("negative circulant eigenvalue in the Davies-Harte embedding")
    weights = np.empty(2 * m, dtype=np.complex128)
    weights[0] = np.sqrt(max(eigenvalues[0], 0.0) / (2 * m)) * standard_normal(state)
    weights[m] = np.sqrt(max(eigenvalues[m], 0.0) / (2 * m)) * standard_normal(state)
    for k in range(1, m):
        amplitude = np.sqrt(max(eigenvalues[k], 0.0) / (4 * m))
        real = standard_normal(state)
        imaginary = standard_normal(state)
        weights[k] = amplitude * (real + 1j * imaginary)
        weights[2 * m - k] = amplitude * (real - 1j * imaginary)
    noise = np.fft.fft(weights).real
    step = scale * sample_interval**hurst
    path = np.empty(n_samples)
    path[0] = 0.0
    for i in range(1, n_samples):
        path[i] = path[i - 1] + step * noise[i - 1]
    return path
