"""Permutation entropies (Shannon, weighted, Rényi, Tsallis) and Jensen–Shannon complexity.

See :mod:`analysis.ordinal` for the definitions, units and bias.
"""

import math

import numpy as np
from scipy.special import xlogy

from .. import _checks
from ..entropy import _normalize, renyi_entropy, shannon_entropy, tsallis_entropy
from .patterns import (
    _check_delays,
    _check_order,
    _counts,
    _prepare_rows,
    _squeeze_delay,
    _tie_inputs,
    _weighted_counts_kernel,
)
from .ties import pattern_state_count


def complexity_normalization(n_states):
    """Return ``Q0 = 1 / JS_max``, the normalisation of the Jensen–Shannon complexity.

    ``JS_max = −½[((N+1)/N) ln(N+1) + ln N − 2 ln(2N)]`` is the divergence
    between a delta distribution and the uniform one on ``N`` states.

    Parameters
    ----------
    n_states : int
        Number of states ``N >= 2`` (``order!`` for ordinal patterns).

    Returns
    -------
    float
        ``Q0`` (e.g. 1.494734 for ``N = 5! = 120``).

    Raises
    ------
    ValueError
        If ``n_states`` is not an integer in ``[2, 2**53)``.
    """
    n = float(_checks.integer(n_states, "n_states", 2, _checks.EXACT_INTEGER_LIMIT - 1))
    js_max = -0.5 * (((n + 1.0) / n) * math.log(n + 1.0) + math.log(n) - 2.0 * math.log(2.0 * n))
    return 1.0 / js_max


def complexity_entropy_from_counts(counts, axis=-1):
    """Return normalised entropy ``H`` and Jensen–Shannon complexity ``C`` of distributions.

    Parameters
    ----------
    counts : array_like
        Non-negative, finite counts or probabilities over ``N`` states along
        ``axis`` (all states, unobserved ones as zeros; ``N >= 2``).
    axis : int, optional
        Axis of the states (default last).

    Returns
    -------
    entropy : float or ndarray
        ``S[P] / ln N`` in [0, 1]; ``nan`` for a slice of zeros (no distribution).
    complexity : float or ndarray
        ``Q0 · JS[P, U] · H`` in [0, 1] (module docstring); ``nan`` where
        ``entropy`` is.

    Raises
    ------
    ValueError
        If ``counts`` is not real, is 0-d, holds NaN, ±inf or a negative
        value, or has fewer than 2 states along ``axis``; or if ``axis`` is not
        an axis of ``counts``.
    """
    counts, axis = _checks.weights(counts, "counts", axis)
    n_states = counts.shape[axis]
    if n_states < 2:
        raise ValueError(f"counts: needs at least 2 states along axis {axis} (got {n_states})")
    return _complexity_entropy_of_counts(np.moveaxis(counts, axis, -1))


def _complexity_entropy_of_counts(counts):
    """Return (H, C) of valid counts over >= 2 states along the last axis (no checks)."""
    n_states = counts.shape[-1]
    probabilities = _normalize(counts, -1)
    log_n = math.log(n_states)
    shannon = -np.sum(xlogy(probabilities, probabilities), axis=-1)
    mixture = 0.5 * (probabilities + 1.0 / n_states)
    shannon_mixture = -np.sum(xlogy(mixture, mixture), axis=-1)
    divergence = shannon_mixture - 0.5 * shannon - 0.5 * log_n
    entropy = shannon / log_n
    complexity = complexity_normalization(n_states) * divergence * entropy
    return entropy[()], complexity[()]


def permutation_entropy(
    x,
    order=5,
    delay=1,
    axis=-1,
    normalized=True,
    base=None,
    tie_tolerance=None,
    ties="stable",
    seed=None,
):
    """Return the permutation entropy (Bandt & Pompe 2002) of a series.

    Parameters
    ----------
    x : array_like
        Real-valued, finite series along ``axis`` (leading dimensions are
        independent series).
    order : int, optional
        Embedding dimension ``>= 2`` (default 5).
    delay : int or sequence of int, optional
        Embedding delay(s) ``>= 1``; a sequence adds a trailing axis.
    axis : int, optional
        Time axis (default last).
    normalized : bool, optional
        Divide by ``ln(order!)`` (default; ln of the ordered Bell number with
        ``ties="own"``), giving a value in [0, 1].
    base : float, optional
        Logarithm base when not normalised: None for nats, 2 for bits.
    tie_tolerance : float, optional
        Round values to multiples of this before comparing.
    ties : {"stable", "own", "random"}, optional
        How equal samples are ordered (:mod:`analysis.ordinal.ties`); with ``"own"`` the
        normalisation uses the ordered Bell number of patterns (541 at order 5).
    seed : int, numpy.random.SeedSequence or numpy.random.Generator, optional
        Seed of the tie-breaking keys (required with ``ties="random"``).

    Returns
    -------
    float or ndarray
        Plug-in Shannon entropy of the pattern distribution: dimensionless if
        ``normalized``, else nats (or ``log base`` units).  Biased low by about
        ``(K − 1)/(2·n_windows)`` nats for K observed patterns.

    Raises
    ------
    ValueError
        As for :func:`~analysis.ordinal.pattern_counts`, or if ``base`` is not
        a finite number > 1.
    """
    counts, scalar_delay = _counts(x, order, delay, axis, tie_tolerance, ties=ties, seed=seed)
    entropy = shannon_entropy(counts, axis=-1, base=base, normalized=normalized)
    return _squeeze_delay(entropy, scalar_delay)


def complexity_entropy(x, order=5, delay=1, axis=-1, tie_tolerance=None, ties="stable", seed=None):
    """Return normalised permutation entropy ``H`` and statistical complexity ``C``.

    Parameters
    ----------
    x : array_like
        Real-valued, finite series along ``axis``.
    order : int, optional
        Embedding dimension ``>= 2`` (default 5).
    delay : int or sequence of int, optional
        Embedding delay(s); a sequence (e.g. ``range(1, 51)``) adds a trailing
        axis and counts all delays in one compiled, multi-threaded call.
    axis : int, optional
        Time axis (default last).
    tie_tolerance : float, optional
        Round values to multiples of this before comparing.
    ties : {"stable", "own", "random"}, optional
        How equal samples are ordered (:mod:`analysis.ordinal.ties`); with ``"own"`` the
        normalisation uses the ordered Bell number of patterns (541 at order 5).
    seed : int, numpy.random.SeedSequence or numpy.random.Generator, optional
        Seed of the tie-breaking keys (required with ``ties="random"``).

    Returns
    -------
    entropy : float or ndarray
        ``H = S[P] / ln(order!)``, dimensionless in [0, 1] (``ln`` of the ordered Bell number
        with ``ties="own"``, and ``C`` relative to the uniform distribution on those states).
    complexity : float or ndarray
        Jensen–Shannon statistical complexity ``C``, dimensionless in [0, 1].

    Raises
    ------
    ValueError
        As for :func:`~analysis.ordinal.pattern_counts`.
    """
    counts, scalar_delay = _counts(x, order, delay, axis, tie_tolerance, ties=ties, seed=seed)
    entropy, complexity = _complexity_entropy_of_counts(counts)
    return _squeeze_delay(entropy, scalar_delay), _squeeze_delay(complexity, scalar_delay)


def weighted_permutation_entropy(
    x,
    order=5,
    delay=1,
    axis=-1,
    normalized=True,
    base=None,
    tie_tolerance=None,
    ties="stable",
    seed=None,
):
    """Return the weighted permutation entropy (Fadlallah et al. 2013).

    Each window contributes its population variance (``ddof=0``) instead of 1
    to its pattern's weight, so low-amplitude (noise-like) windows count less.

    Parameters
    ----------
    x, order, axis, normalized, base, tie_tolerance, ties, seed
        As for :func:`permutation_entropy`.  Variances use the original values
        (``tie_tolerance`` only affects the patterns).
    delay : int, optional
        Embedding delay ``>= 1`` (a single value).

    Returns
    -------
    float or ndarray
        Shannon entropy of the variance-weighted pattern distribution,
        normalised by ``ln(order!)`` or in nats (``log base`` units).
        ``nan`` where every window is constant (all weights zero), e.g. for a
        constant series.

    Raises
    ------
    ValueError
        As for :func:`~analysis.ordinal.pattern_counts` (``delay`` a single
        integer), or if ``base`` is not a finite number > 1.

    Notes
    -----
    Each series is divided by a power of two (exact; the weights' distribution
    is scale-invariant) so that variances of values near the limits of float64
    neither overflow nor underflow.
    """
    order = _check_order(order, ties=ties)
    delays, scalar_delay = _check_delays(delay)
    if not scalar_delay:
        raise ValueError("delay: must be a single integer for weighted_permutation_entropy")
    rows, batch_shape = _prepare_rows(x, order, delays, axis, None)
    pattern_rows = rows
    if tie_tolerance is not None:
        pattern_rows, _ = _prepare_rows(x, order, delays, axis, tie_tolerance)
    keys, table = _tie_inputs(rows, order, ties, seed)
    value_rows = rows / _checks.power_of_two_scale(rows, axis=-1)
    weights = np.zeros((rows.shape[0], pattern_state_count(order, ties)))
    _weighted_counts_kernel(pattern_rows, keys, table, value_rows, order, int(delays[0]), weights)
    entropy = shannon_entropy(weights, axis=-1, base=base, normalized=normalized)
    return entropy.reshape(batch_shape)[()]


def renyi_permutation_entropy(
    x,
    alpha,
    order=5,
    delay=1,
    axis=-1,
    normalized=True,
    base=None,
    tie_tolerance=None,
    ties="stable",
    seed=None,
):
    """Return the Rényi permutation entropy of order ``alpha``.

    Parameters
    ----------
    x, order, delay, axis, tie_tolerance, ties, seed
        As for :func:`permutation_entropy`.
    alpha : float
        Rényi order ``>= 0`` (1: Shannon, ``np.inf``: min-entropy).
    normalized : bool, optional
        Divide by ``ln(order!)`` (default).
    base : float, optional
        Logarithm base when not normalised.

    Returns
    -------
    float or ndarray
        See :func:`analysis.entropy.renyi_entropy`.

    Raises
    ------
    ValueError
        As for :func:`~analysis.ordinal.pattern_counts`, or if ``alpha`` is not
        a real number >= 0 or ``base`` not a finite number > 1.
    """
    counts, scalar_delay = _counts(x, order, delay, axis, tie_tolerance, ties=ties, seed=seed)
    entropy = renyi_entropy(counts, alpha, axis=-1, base=base, normalized=normalized)
    return _squeeze_delay(entropy, scalar_delay)


def tsallis_permutation_entropy(
    x, q, order=5, delay=1, axis=-1, normalized=True, tie_tolerance=None, ties="stable", seed=None
):
    """Return the Tsallis permutation entropy with index ``q``.

    Parameters
    ----------
    x, order, delay, axis, tie_tolerance, ties, seed
        As for :func:`permutation_entropy`.
    q : float
        Entropic index (1: Shannon in nats).
    normalized : bool, optional
        Divide by the value for the uniform distribution on ``order!``
        patterns (default).

    Returns
    -------
    float or ndarray
        See :func:`analysis.entropy.tsallis_entropy`.

    Raises
    ------
    ValueError
        As for :func:`~analysis.ordinal.pattern_counts`, or if ``q`` is not a
        finite real number (or, for ``q < 0``, the entropy overflows float64).
    """
    counts, scalar_delay = _counts(x, order, delay, axis, tie_tolerance, ties=ties, seed=seed)
    entropy = tsallis_entropy(counts, q, axis=-1, normalized=normalized)
    return _squeeze_delay(entropy, scalar_delay)
