"""Occupation numbers of the field's modes about its vacuum, and their classical entropy.

Linearised about a vacuum φ_v of V (a minimum, V'(φ_v) = 0), the field is a set of harmonic
oscillators of mass m² = V''(φ_v), one per Fourier mode, of frequency ω_k = √(k² + m²) on the
grid's wavenumbers k = 2πn/L. The occupation of mode k is its action,

    n_k = (|π̃_k|² + ω_k² |φ̃_k|²) / (2 ω_k L),

with φ̃_k = Δx Σ_j (φ_j − φ_v) e^{−ik x_j} (and π̃_k likewise) the grid's approximation of the
continuum transform ∫ (φ − φ_v) e^{−ikx} dx; n_k is in the model's action unit (energy × time).
A real field's coefficients at k and −k are complex conjugates, so the N real degrees of freedom
are the N/2 + 1 wavenumbers k >= 0 of the real FFT, the interior ones (0 < k < k_Nyquist) each
carrying two (the cosine and sine standing waves, or the travelling waves ±k): n_k is the
occupation *per real degree of freedom* and each k counts g_k = 2 times (g = 1 for k = 0 and the
Nyquist mode), the numbering of the complex FFT's N modes, whose n_{−k} = n_k. With this
normalisation Σ_k g_k ω_k n_k is, to rounding, the free (quadratic) energy of φ − φ_v on the same
grid, Δx Σ_j [½ π_j² + ½ m² (φ_j − φ_v)²] plus the spectrally exact gradient energy (Parseval):
the energy of :func:`sims.kleingordon.diagnostics.energy` with V replaced by its quadratic part.

The classical entropy of the occupations, S = Σ_k g_k ln n_k (nat; Boyanovsky, Destri & de Vega,
Phys. Rev. D 69, 045003, 2004, follow the classical approach to equilibrium of φ⁴ through such
occupations), is the logarithm of the phase-space volume of oscillators with actions n_k, up to
an additive constant. At fixed Σ g ω n it is largest for equipartition n_k = T/ω_k (the classical
Rayleigh–Jeans state), so it rises as energy spreads over modes. Two choices make it a finite,
well-defined observable:

* **Empty modes.** A mode whose energy ω_k n_k is below :data:`EMPTY_FRACTION` ε of the field's
  total energy E is *empty*: it is counted at that floor, n_k → ε E/ω_k, and the number of empty
  degrees of freedom is recorded. The reference is E, which the dynamics conserves, rather than
  E₂, which an anharmonic state trades with the nonlinear energy within each oscillation: the
  floor stays put and S moves only with the populated modes. Without a floor, modes that hold
  only rounding (relative energy ~1e-32) would add ln n_k ≈ −70 each and S would measure the
  rounding; dropping them instead would make S jump down each time a mode fills. Counted at the
  floor, S is continuous in the state, independent of rounding (ε is 20 orders above it), and
  every mode always contributes, so the additive constant of the action unit, N ln(unit), is
  the same at every time and only changes of S carry meaning.
* **Zero frequency.** A massless linear field's k = 0 mode is a free particle, not an oscillator:
  it has no occupation (NaN) and is left out of S and of E₂.

The vacuum φ_v is fixed for the run: the vacuum of V nearest the initial field at the box's left
edge x = −L/2, the background of every localised initial state (see :func:`nearest_vacuum`).
"""

from __future__ import annotations

import numpy as np

from sims.kleingordon import potentials
from sims.kleingordon.diagnostics import parseval_weights

EMPTY_FRACTION = 1e-12
"""A mode holding less than this fraction of the free energy is empty (see module docstring)."""


def nearest_vacuum(kind: int, constants: np.ndarray, value: float) -> float:
    """The vacuum (minimum of V) nearest the field value ``value`` (field units).

    Vacua: 0 (linear), ±v (phi4), 2πn (sine_gordon), 0 and ±v (phi6); ties go to the lower one.
    """
    vacuum = constants[2]
    if kind == potentials.SINE_GORDON:
        return 2.0 * np.pi * float(np.round(value / (2.0 * np.pi)))
    candidates = {
        potentials.LINEAR: (0.0,),
        potentials.PHI4: (-vacuum, vacuum),
        potentials.PHI6: (-vacuum, 0.0, vacuum),
    }[kind]
    return float(min(candidates, key=lambda candidate: abs(value - candidate)))


def frequencies(kind: int, constants: np.ndarray, vacuum: float, wavenumber: np.ndarray):
    """ω_k = √(k² + V''(φ_v)) on the wavenumbers k (1/time)."""
    mass_squared = potentials.potential_curvature(kind, vacuum, constants)
    return np.sqrt(wavenumber**2 + mass_squared)


def occupations(
    phi: np.ndarray, pi: np.ndarray, vacuum: float, frequency: np.ndarray, spacing: float
) -> np.ndarray:
    """Occupation n_k per real degree of freedom of each wavenumber k >= 0 (energy × time).

    Parameters
    ----------
    phi, pi : ndarray
        φ (field) and π = φ_t (field/time) on the N grid points.
    vacuum : float
        φ_v (field).
    frequency : ndarray
        ω_k on the N/2 + 1 wavenumbers of the real FFT (1/time).
    spacing : float
        Grid spacing Δx (length).

    Returns
    -------
    ndarray
        n_k (module docstring), NaN where ω_k = 0.
    """
    points = phi.size
    displacement_hat = np.fft.rfft(phi - vacuum)
    velocity_hat = np.fft.rfft(pi)
    oscillating = frequency > 0
    safe = np.where(oscillating, frequency, 1.0)
    action = (np.abs(velocity_hat) ** 2 + (safe * np.abs(displacement_hat)) ** 2) / (2.0 * safe)
    return np.where(oscillating, spacing / points * action, np.nan)


def degeneracy(points: int) -> np.ndarray:
    """g_k: real degrees of freedom of each real-FFT wavenumber (1 at k = 0 and Nyquist, else 2)."""
    return parseval_weights(points)


def free_energy(occupation: np.ndarray, frequency: np.ndarray, weights: np.ndarray) -> float:
    """E₂ = Σ_k g_k ω_k n_k over the oscillating modes (energy)."""
    oscillating = ~np.isnan(occupation)
    return float(np.sum((weights * frequency * occupation)[oscillating]))


def entropy(
    occupation: np.ndarray,
    frequency: np.ndarray,
    weights: np.ndarray,
    energy: float,
    empty_fraction: float = EMPTY_FRACTION,
) -> tuple[float, int]:
    """Classical entropy S = Σ_k g_k ln n_k (nat) and the number of empty degrees of freedom.

    Parameters
    ----------
    occupation, frequency, weights : ndarray
        n_k (energy × time; NaN: no oscillator), ω_k (1/time) and g_k per wavenumber.
    energy : float
        The field's total energy E (energy), the reference of the floor.
    empty_fraction : float
        ε: a mode whose energy ω_k n_k is below ε E is empty and counts at n_k = ε E/ω_k.

    Returns
    -------
    entropy : float
        S over the oscillating modes (NaN if E <= 0: every mode is empty).
    empty : int
        Empty real degrees of freedom (Σ g_k over empty modes).
    """
    oscillating = ~np.isnan(occupation)
    occupation, frequency = occupation[oscillating], frequency[oscillating]
    weights = weights[oscillating]
    if energy <= 0.0:
        return float("nan"), int(np.sum(weights))
    floor = empty_fraction * energy / frequency
    empty = occupation < floor
    return float(np.sum(weights * np.log(np.maximum(occupation, floor)))), int(
        np.sum(weights[empty])
    )
