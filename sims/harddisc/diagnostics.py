"""Coarse-grained Boltzmann entropy of the one-particle phase space, and equilibrium references.

Macrostate: occupation numbers n_α of square cells Δx² × Δv² of the one-particle phase space
(x, y, v_x, v_y); the box is tiled exactly by spatial cells and the velocity plane by the grid
``(floor(v_x/Δv), floor(v_y/Δv))``. With |Δ_α| = Δx²Δv² (phase-space measure dx dv, m = k_B = 1
units of the model) the Boltzmann entropy is S_B = Σ_α [n_α ln|Δ_α| − ln n_α!], computed exactly
with lgamma by :func:`analysis.boltzmann.boltzmann_entropy`; the Stirling (H-function) form is
S_H = −Σ n_α ln(n_α/|Δ_α|) + N. Empty cells contribute nothing to either, so only occupied cells
are counted. All entropies are in units of k_B (nats).
"""

from __future__ import annotations

import numpy as np
from scipy import stats
from scipy.special import ndtr, xlogy

from analysis import boltzmann
from sims.harddisc import counting


def phase_space_entropies(
    position: np.ndarray,
    velocity: np.ndarray,
    box: np.ndarray,
    spatial_cells: tuple[int, int],
    delta_v: np.ndarray,
) -> dict[str, np.ndarray | float]:
    """Boltzmann entropies of the macrostate for every Δv, from one pass over the discs.

    Parameters
    ----------
    position : ndarray, shape (N, 2)
        Disc centres inside the box (length).
    velocity : ndarray, shape (N, 2)
        Velocities (length/time).
    box : ndarray, shape (2,)
        Box width and height (length); the height is ``spatial_cells[1] * Δx``.
    spatial_cells : (int, int)
        Number of square spatial cells along x and y.
    delta_v : ndarray, shape (K,)
        Velocity cell sides (length/time).

    Returns
    -------
    dict
        ``boltzmann`` and ``h_function`` (K,): S_B and S_H of the cells Δx²Δv²;
        ``velocity_boltzmann`` (K,): S_B of the velocity marginal (cells Δv², measure dv);
        ``spatial_boltzmann`` (float): S_B of the spatial marginal (cells Δx², measure dx).
        All in k_B.
    """
    cells_x, cells_y = spatial_cells
    delta_x = box[1] / cells_y
    delta_v = np.asarray(delta_v, dtype=np.float64)
    spatial, keys, velocity_keys = counting.phase_space_keys(
        position, velocity, box, cells_x, cells_y, delta_v
    )
    result = {
        "boltzmann": np.empty(delta_v.size),
        "h_function": np.empty(delta_v.size),
        "velocity_boltzmann": np.empty(delta_v.size),
    }
    for k, side in enumerate(delta_v):
        occupations, cells = counting.occupation_histogram(keys[k])
        volume = delta_x**2 * side**2
        result["boltzmann"][k] = _summed(boltzmann.boltzmann_entropy, occupations, cells, volume)
        result["h_function"][k] = _summed(boltzmann.h_function_entropy, occupations, cells, volume)
        occupations, cells = counting.occupation_histogram(velocity_keys[k])
        result["velocity_boltzmann"][k] = _summed(
            boltzmann.boltzmann_entropy, occupations, cells, side**2
        )
    spatial_counts = np.bincount(spatial, minlength=cells_x * cells_y).astype(np.float64)
    # empty cells contribute 0 to every form; the spatial grid is small enough to keep them
    result["spatial_boltzmann"] = float(boltzmann.boltzmann_entropy(spatial_counts, delta_x**2))
    return result


def _summed(entropy, occupations, cells, volume):
    """Σ over cells of an additive cell entropy, from the histogram of occupation numbers.

    ``entropy`` (from :mod:`analysis.boltzmann`) is evaluated once per distinct occupation n,
    as a one-cell system, and weighted by the number of cells holding n particles.
    """
    per_cell = entropy(occupations[:, None], volume, axis=1)
    return float(np.dot(per_cell, cells))


def ideal_gas_entropy_per_particle(area: float, count: int, temperature: float, mass: float):
    """Equilibrium entropy per particle of a 2D ideal gas, S/N = ln(A/N) + ln(2πe T/m) + 1.

    The Stirling form of the one-particle-cell entropy in the limit of small cells (measure
    dx dv, k_B = 1); independent of Δx and Δv. ``temperature`` is k_B T (energy), ``area`` in
    length², ``mass`` in mass units. Returns k_B per particle.
    """
    return np.log(area / count) + np.log(2.0 * np.pi * np.e * temperature / mass) + 1.0


def coarse_ideal_gas_entropy_per_particle(
    area: float, count: int, temperature: float, mass: float, delta_v: np.ndarray
) -> np.ndarray:
    """H-function entropy per particle of an equilibrium gas coarse-grained with cells of side Δv.

    Uniform density over ``area`` (spatial cells resolve it exactly) and the Maxwell
    probabilities p_k = Φ((k+1)Δv/s) − Φ(kΔv/s) of the velocity bins, s = √(T/m):
    S/N = ln(A/N) + 1 + 2 h₁ with h₁ = −Σ_k p_k ln(p_k/Δv). Tends to
    :func:`ideal_gas_entropy_per_particle` as Δv → 0. Returns k_B per particle, shape of Δv.
    """
    values = []
    for side in np.atleast_1d(np.asarray(delta_v, dtype=np.float64)):
        probabilities = maxwell_bin_probabilities(side, temperature, mass)
        per_axis = -np.sum(xlogy(probabilities, probabilities)) + np.log(side)
        values.append(np.log(area / count) + 1.0 + 2.0 * per_axis)
    return np.array(values)


def maxwell_bin_probabilities(delta_v: float, temperature: float, mass: float) -> np.ndarray:
    """Maxwell probabilities of one velocity component's bins of width Δv (velocity).

    Φ((k+1)Δv/s) − Φ(kΔv/s), s = √(T/m), for k = −K .. K − 1 with KΔv >= 12 s (the bins beyond
    hold less than 1e-32).
    """
    scale = np.sqrt(temperature / mass)
    reach = int(np.ceil(12.0 * scale / delta_v))
    return np.diff(ndtr(np.arange(-reach, reach + 1) * delta_v / scale))


def maxwell_ks_test(velocity: np.ndarray, temperature: float, mass: float):
    """Kolmogorov–Smirnov test of the speeds against the 2D Maxwell (Rayleigh) distribution.

    Returns scipy's result (``statistic``, ``pvalue``); the reference has scale √(k_B T / m).
    """
    speeds = np.hypot(velocity[:, 0], velocity[:, 1])
    return stats.kstest(speeds, "rayleigh", args=(0.0, np.sqrt(temperature / mass)))


def enskog_collision_rate(number_density, diameter, temperature, mass, area_fraction, contact=None):
    """Collisions per disc per unit time of a hard-disc fluid (Enskog).

    ν = 2 n σ √(π T/m) χ with the contact value χ = g(σ⁺) given, or by default Henderson's
    χ = (1 − 7φ/16)/(1 − φ)²; the number of pair collisions per unit time is N ν / 2. Exact for
    Maxwellian velocities given the true χ (= (Z − 1)/(2φ)).
    """
    if contact is None:
        contact = (1.0 - 7.0 * area_fraction / 16.0) / (1.0 - area_fraction) ** 2
    return 2.0 * number_density * diameter * np.sqrt(np.pi * temperature / mass) * contact


def henderson_compressibility(area_fraction):
    """Henderson's equation of state of the hard-disc fluid, Z = PA/(NT) = (1 + φ²/8)/(1 − φ)²."""
    return (1.0 + area_fraction**2 / 8.0) / (1.0 - area_fraction) ** 2


# Reduced virial coefficients B_k / B_2^(k-1) of hard discs, k = 3..10: B3 and B4 exact,
# B5 and B6 Kratky (1982), B7..B10 Clisby & McCoy, J. Stat. Phys. 122, 15 (2006)
REDUCED_VIRIAL_COEFFICIENTS = (
    4.0 / 3.0 - np.sqrt(3.0) / np.pi,
    2.0 - 9.0 * np.sqrt(3.0) / (2.0 * np.pi) + 10.0 / np.pi**2,
    0.33355604,
    0.1988425,
    0.1148728,
    0.0649930,
    0.0362193,
    0.0199537,
)


def virial_series_compressibility(area_fraction, tail_offset=None):
    """Z = 1 + Σ_k b_k φ^(k−1) of the hard-disc fluid from its known virial coefficients.

    b_k = 2^(k−1) B_k / B_2^(k−1) (b_2 = 2) are exact through k = 10
    (REDUCED_VIRIAL_COEFFICIENTS); beyond, b_k = k + c continues them, c = ``tail_offset``
    (default b_10 − 10 = 0.216; b_k − k is 0.34, 0.36, 0.35, 0.32, 0.27, 0.22 for k = 5..10). The
    tail Σ_{k>10} (k + c) φ^(k−1) is summed in closed form; bounds on c bound the result (for c
    in [−0.5, 0.3] the interval is 0.04% wide at φ = 0.5, 0.19% at 0.6, 0.36% at 0.65).

    Parameters
    ----------
    area_fraction : float or ndarray
        φ = Nπσ²/(4A), below 1.
    tail_offset : float, optional
        c of the continued coefficients b_k = k + c, k > 10.

    Returns
    -------
    float or ndarray
        The compressibility factor Z = PA/(N k_B T) (dimensionless).
    """
    phi = np.asarray(area_fraction, dtype=np.float64)
    coefficients = [2.0] + [
        2.0**k * reduced for k, reduced in enumerate(REDUCED_VIRIAL_COEFFICIENTS, start=2)
    ]
    series = 1.0 + sum(b * phi ** (k + 1) for k, b in enumerate(coefficients))
    last = len(coefficients) + 1  # the order of the last exact coefficient, 10
    if tail_offset is None:
        tail_offset = coefficients[-1] - last
    first = last + 1
    power = phi**last  # φ^(first − 1)
    tail = power * (first - last * phi) / (1.0 - phi) ** 2 + tail_offset * power / (1.0 - phi)
    return series + tail
