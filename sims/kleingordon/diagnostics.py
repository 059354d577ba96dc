"""Observables of a Klein–Gordon field: energy, momentum, charge, probes, and field entropies.

Energy is the discrete Hamiltonian the spectral dynamics conserves,
E = Δx Σ_j [½ π_j² + V(φ_j)] + ½ Δx Σ_j φ_j (−∂²φ)_j, whose gradient part is evaluated exactly in
Fourier space (Parseval, the Nyquist mode included). Entropies of the energy density are
*differential* entropies of p(x) = e(x)/E over x (nats; they shift by ln s when lengths are scaled
by s), computed from the grid weights through :mod:`analysis.entropy` plus the ln Δx term.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from analysis import entropy, ordinal
from sims.kleingordon import potentials


def parseval_weights(points: int) -> np.ndarray:
    """Weights of |f̂_k|² in Σ_j f_j² = (1/N) Σ_k w_k |f̂_k|² for the real FFT (1 or 2)."""
    weights = np.full(points // 2 + 1, 2.0)
    weights[0] = 1.0
    if points % 2 == 0:
        weights[-1] = 1.0
    return weights


def gradient(phi: np.ndarray, wavenumber: np.ndarray) -> np.ndarray:
    """Spectral ∂φ/∂x (Nyquist mode dropped, as for any odd derivative)."""
    spectrum = 1j * wavenumber * np.fft.rfft(phi)
    if phi.size % 2 == 0:
        spectrum[-1] = 0.0
    return np.fft.irfft(spectrum, phi.size)


def energy(phi, pi, wavenumber, spacing, kind, constants) -> float:
    """Total energy (energy units): kinetic + spectrally exact gradient + potential."""
    spectrum = np.fft.rfft(phi)
    gradient_energy = (
        0.5
        * spacing
        / phi.size
        * np.sum(parseval_weights(phi.size) * wavenumber**2 * np.abs(spectrum) ** 2)
    )
    local = 0.5 * pi * pi + potentials.potential_array(kind, phi, constants)
    return float(spacing * np.sum(local) + gradient_energy)


def energy_density(phi, pi, wavenumber, kind, constants) -> np.ndarray:
    """e(x) = ½ π² + ½ φ_x² + V(φ) on the grid (energy/length)."""
    slope = gradient(phi, wavenumber)
    return 0.5 * pi * pi + 0.5 * slope * slope + potentials.potential_array(kind, phi, constants)


def momentum(phi, pi, wavenumber, spacing) -> float:
    """Field momentum P = −∫ π φ_x dx (momentum units)."""
    return float(-spacing * np.sum(pi * gradient(phi, wavenumber)))


def kink_number(phi, wavenumber, spacing, vacuum_gap) -> float:
    """∫|φ_x| dx / Δ: the number of kinks plus antikinks (Δ = distance between vacua)."""
    return float(spacing * np.sum(np.abs(gradient(phi, wavenumber))) / vacuum_gap)


def interpolate(phi: np.ndarray, positions: np.ndarray, length: float) -> np.ndarray:
    """Band-limited (trigonometric) interpolation of φ at arbitrary positions."""
    points = phi.size
    spectrum = np.fft.rfft(phi) / points
    modes = np.arange(spectrum.size)
    weights = parseval_weights(points)
    phase = np.exp(2j * np.pi * np.outer(np.asarray(positions) + 0.5 * length, modes) / length)
    return (phase * (weights * spectrum)).real.sum(axis=1)


def density_entropies(density: np.ndarray, spacing: float, orders=(2.0,)) -> dict[str, np.ndarray]:
    """Differential Shannon, Rényi and Tsallis entropies of p(x) ∝ density(x) along the last axis.

    Parameters
    ----------
    density : ndarray
        Non-negative density on the grid (any units; it is normalised), last axis x.
    spacing : float
        Δx (length).
    orders : sequence of float
        Rényi orders α and Tsallis indices q (≠ 1).

    Returns
    -------
    dict
        ``shannon`` (nat), ``renyi_<α>`` (nat), ``tsallis_<q>`` (length^(q−1)... reported as the
        dimensionless value of (1 − ∫p^q dx)/(q − 1) in the model's length unit).
    """
    log_spacing = np.log(spacing)
    result = {"shannon": entropy.shannon_entropy(density, axis=-1) + log_spacing}
    for order in orders:
        result[f"renyi_{order:g}"] = entropy.renyi_entropy(density, order, axis=-1) + log_spacing
        discrete = entropy.tsallis_entropy(density, order, axis=-1)
        power_sum = 1.0 - (order - 1.0) * discrete
        result[f"tsallis_{order:g}"] = (1.0 - spacing ** (1.0 - order) * power_sum) / (order - 1.0)
    return result


def spectral_entropy(phi: np.ndarray) -> np.ndarray:
    """Normalised Shannon entropy of |φ̂_k|² (k > 0) along the last axis, in [0, 1]."""
    return entropy.spectral_entropy(phi, axis=-1, normalized=True)


def permutation_entropy(series: np.ndarray, order: int = 4, delay: int = 1) -> np.ndarray:
    """Normalised permutation entropy (Bandt–Pompe) of series along the last axis."""
    return ordinal.permutation_entropy(series, order=order, delay=delay, axis=-1)


def delay_embedding(series: np.ndarray, dimension: int = 2, delay: int = 1) -> np.ndarray:
    """Takens delay vectors (s_t, s_{t+τ}, …, s_{t+(m−1)τ}) of a 1-D series, shape (n, m)."""
    series = np.asarray(series, dtype=float)
    count = series.size - (dimension - 1) * delay
    if count < 1:
        raise ValueError(f"series of length {series.size} is too short for the embedding")
    return np.stack([series[i * delay : i * delay + count] for i in range(dimension)], axis=1)


def compare_regimes(first, second, resamples: int = 2000, seed: int = 0) -> dict[str, float]:
    """Test whether two samples of an entropy (one value per member, say) differ in location.

    Two-sided Mann–Whitney U test, plus a seeded bootstrap 95% interval of the difference of
    medians (second − first).

    Returns
    -------
    dict
        ``u_statistic``, ``p_value``, ``median_difference``, ``ci_low``, ``ci_high``.
    """
    first, second = np.asarray(first, float).ravel(), np.asarray(second, float).ravel()
    test = stats.mannwhitneyu(first, second, alternative="two-sided")
    rng = np.random.default_rng(seed)
    differences = np.median(rng.choice(second, (resamples, second.size)), axis=1) - np.median(
        rng.choice(first, (resamples, first.size)), axis=1
    )
    low, high = np.quantile(differences, [0.025, 0.975])
    return {
        "u_statistic": float(test.statistic),
        "p_value": float(test.pvalue),
        "median_difference": float(np.median(second) - np.median(first)),
        "ci_low": float(low),
        "ci_high": float(high),
    }


def collision_outcome(center_field: np.ndarray, between_vacuum: float, outer_vacuum: float) -> int:
    """1 if a kink-antikink pair escaped after colliding, 0 if it was captured.

    ``center_field`` is φ at the collision point over the late part of the run. After escape the
    centre is back in the vacuum that lay between the kinks and stays within half the vacuum gap of
    it; a captured pair (bion) oscillates about the outer vacuum and leaves that band.
    """
    late = np.asarray(center_field)
    gap = abs(between_vacuum - outer_vacuum)
    return int(np.max(np.abs(late - between_vacuum)) < 0.5 * gap)
