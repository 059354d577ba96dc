"""Series of known dynamics for validating regime classifiers (chaos, noise, periodic).

Each entry maps a name to ``make(seed, n_samples) -> ndarray``; the series come from this
package's own generators (:func:`sims.peccary.generators.build`) where one exists. Chaotic series
take their seed as a shift of the initial condition (the transient is discarded); noises take it
as the root of their random stream. The validation tests, the ``--confusion`` table of
``benchmarks/bench_ordinal_robust.py`` and the PECCARY notebook share these definitions.

Sampling: maps are recorded every iteration; Lorenz every Δt = 0.05 (about 15 samples per loop),
Rössler every Δt = 0.2 (about 30 samples per loop).
"""

from __future__ import annotations

import numpy as np
import scipy.signal

from sims.peccary import generators, specs

AR1_BURN_IN = 1000
"""Samples of the AR(1) process discarded so that it starts from its stationary state."""


def _generated(block, seed, n_samples):
    gen = generators.build("series", block, np.random.SeedSequence(seed), n_samples)
    values = np.empty((gen.n_rows, n_samples))
    invariants = np.empty((gen.n_sources, n_samples))
    gen.advance(values, invariants, 0, n_samples)
    return values[0]


def _logistic(growth_rate):
    def make(seed, n_samples):
        block = specs.Logistic(
            growth_rate=growth_rate, initial=0.1234 + 0.0617 * (seed % 12), transient=1000
        )
        return _generated(block, seed, n_samples)

    return make


def _henon(seed, n_samples):
    return _generated(
        specs.Henon(initial=(0.01 * (seed % 20), 0.0), transient=1000), seed, n_samples
    )


def _lorenz(seed, n_samples):
    block = specs.Lorenz(initial=(1.0 + 0.1 * seed, 1.0, 20.0), transient=20.0)
    return _generated(block, seed, n_samples)


def _rossler(seed, n_samples):
    block = specs.Rossler(
        initial=(1.0 + 0.1 * seed, 1.0, 0.0), transient=100.0, time_step=0.02, sample_interval=0.2
    )
    return _generated(block, seed, n_samples)


def _coloured(beta):
    def make(seed, n_samples):
        return _generated(specs.ColouredNoise(spectral_slope=beta), seed, n_samples)

    return make


def _fbm(hurst):
    def make(seed, n_samples):
        return _generated(specs.FractionalBrownianMotion(hurst=hurst), seed, n_samples)

    return make


def _ar1(seed, n_samples, phi=0.9):
    shocks = np.random.default_rng(seed).standard_normal(n_samples + AR1_BURN_IN)
    return scipy.signal.lfilter([1.0], [1.0, -phi], shocks)[AR1_BURN_IN:]


def _integers(seed, n_samples):
    return np.random.default_rng(seed).integers(0, 3, size=n_samples).astype(np.float64)


def _period_and_phase(seed):
    """Period (samples) and phase (rad) of the periodic kinds: 20 … 107.6 samples."""
    return 20.0 + 7.3 * (seed % 13), 0.7 * seed


def _sine(seed, n_samples):
    period, phase = _period_and_phase(seed)
    return _generated(specs.Sine(period=period, phase=phase), seed, n_samples)


def square_wave(n_samples, period, phase=0.0):
    """Return the two-level wave +1 in the first half of each period, −1 in the second.

    Parameters
    ----------
    n_samples : int
        Length (samples, one per unit time).
    period : float
        Period (samples, > 0).
    phase : float, optional
        Phase (rad), as for a sine.

    Returns
    -------
    ndarray, shape (n_samples,)
        The wave. It is computed from the phase fraction ``(t/P + φ/2π) mod 1``, not as the sign
        of a sine, whose samples at the exact zeros of sin would be ±1 or 0 by rounding.
    """
    fraction = np.mod(np.arange(n_samples) / period + phase / (2.0 * np.pi), 1.0)
    return np.where(fraction < 0.5, 1.0, -1.0)


def _square(seed, n_samples):
    return square_wave(n_samples, *_period_and_phase(seed))


CHAOS = {
    **{f"logistic r={r:g}": _logistic(r) for r in (3.6, 3.7, 3.8, 3.9, 4.0)},
    "Hénon x": _henon,
    "Lorenz x": _lorenz,
    "Rössler x": _rossler,
}
"""Chaotic series (expected: complex)."""

NOISE = {
    "white noise": lambda seed, n_samples: _generated(specs.WhiteNoise(), seed, n_samples),
    "AR(1) φ=0.9": _ar1,
    **{f"f^-{beta} noise": _coloured(beta) for beta in (1, 2, 3)},
    **{f"fBm H={hurst:g}": _fbm(hurst) for hurst in (0.2, 0.8)},
    "integers {0,1,2}": _integers,
}
"""Stochastic series (expected: stochastic); the last one is heavily tied."""

PERIODIC = {"sine": _sine, "square wave": _square}
"""Periodic series (expected: regular); the period depends on the seed."""

EXPECTED = {
    **dict.fromkeys(CHAOS, "complex"),
    **dict.fromkeys(NOISE, "stochastic"),
    **dict.fromkeys(PERIODIC, "regular"),
}
"""Expected regime of every kind."""

KINDS = {**CHAOS, **NOISE, **PERIODIC}
"""Every kind, in the order chaos, noise, periodic."""
