"""Permutation entropies (Shannon, weighted, Rényi, Tsallis) and Jensen–Shannon complexity.

See :mod:`analysis.ordinal` for the definitions, units and bias.
"""

import math

import numpy as np
from scipy.special import xlogy

from ..entropy import renyi_entropy, shannon_entropy, tsallis_entropy
from .patterns import (
    _check_delays,
    _check_order,
    _counts,
    _prepare_rows,
    _squeeze_delay,
    _weighted_counts_kernel,
)


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
    """
    n = float(n_states)
    if not n >= 2:
        raise ValueError(f"n_states: must be >= 2 (got {n_states})")
    js_max = -0.5 * (((n + 1.0) / n) * math.log(n + 1.0) + math.log(n) - 2.0 * math.log(2.0 * n))
    return 1.0 / js_max


def complexity_entropy_from_counts(counts, axis=-1):
    """Return normalised entropy ``H`` and Jensen–Shannon complexity ``C`` of distributions.

    Parameters
    ----------
    counts : array_like
        Non-negative counts or probabilities over ``N`` states along ``axis``
        (all states, unobserved ones as zeros; ``N >= 2``).
    axis : int, optional
        Axis of the states (default last).

    Returns
    -------
    entropy : float or ndarray
        ``S[P] / ln N`` in [0, 1].
    complexity : float or ndarray
        ``Q0 · JS[P, U] · H`` in [0, 1] (module docstring).
    """
    counts = np.moveaxis(np.asarray(counts, dtype=np.float64), axis, -1)
    if not np.all(np.isfinite(counts)) or np.any(counts < 0):
        raise ValueError("counts: must be finite and non-negative")
    n_states = counts.shape[-1]
    probabilities = counts / counts.sum(axis=-1, keepdims=True)
    log_n = math.log(n_states)
    shannon = -np.sum(xlogy(probabilities, probabilities), axis=-1)
    mixture = 0.5 * (probabilities + 1.0 / n_states)
    shannon_mixture = -np.sum(xlogy(mixture, mixture), axis=-1)
    divergence = shannon_mixture - 0.5 * shannon - 0.5 * log_n
    entropy = shannon / log_n
    complexity = complexity_normalization(n_states) * divergence * entropy
    return entropy[()], complexity[()]


def permutation_entropy(
    x, order=5, delay=1, axis=-1, normalized=True, base=None, tie_tolerance=None
):
    """Return the permutation entropy (Bandt & Pompe 2002) of a series.

    Parameters
    ----------
    x : array_like
        Real-valued series along ``axis`` (leading dimensions are independent
        series), without NaN.
    order : int, optional
        Embedding dimension ``>= 2`` (default 5).
    delay : int or sequence of int, optional
        Embedding delay(s) ``>= 1``; a sequence adds a trailing axis.
    axis : int, optional
        Time axis (default last).
    normalized : bool, optional
        Divide by ``ln(order!)`` (default), giving a value in [0, 1].
    base : float, optional
        Logarithm base when not normalised: None for nats, 2 for bits.
    tie_tolerance : float, optional
        Round values to multiples of this before comparing.

    Returns
    -------
    float or ndarray
        Plug-in Shannon entropy of the pattern distribution: dimensionless if
        ``normalized``, else nats (or ``log base`` units).  Biased low by about
        ``(K − 1)/(2·n_windows)`` nats for K observed patterns.

    Raises
    ------
    ValueError
        For NaN, a too-short series, or invalid ``order``, ``delay``, ``base``.
    """
    counts, scalar_delay = _counts(x, order, delay, axis, tie_tolerance)
    entropy = shannon_entropy(counts, axis=-1, base=base, normalized=normalized)
    return _squeeze_delay(entropy, scalar_delay)


def complexity_entropy(x, order=5, delay=1, axis=-1, tie_tolerance=None):
    """Return normalised permutation entropy ``H`` and statistical complexity ``C``.

    Parameters
    ----------
    x : array_like
        Real-valued series along ``axis``, without NaN.
    order : int, optional
        Embedding dimension ``>= 2`` (default 5).
    delay : int or sequence of int, optional
        Embedding delay(s); a sequence (e.g. ``range(1, 51)``) adds a trailing
        axis and counts all delays in one compiled, multi-threaded call.
    axis : int, optional
        Time axis (default last).
    tie_tolerance : float, optional
        Round values to multiples of this before comparing.

    Returns
    -------
    entropy : float or ndarray
        ``H = S[P] / ln(order!)``, dimensionless in [0, 1].
    complexity : float or ndarray
        Jensen–Shannon statistical complexity ``C``, dimensionless in [0, 1].

    Raises
    ------
    ValueError
        For NaN, a too-short series, or invalid ``order`` or ``delay``.
    """
    counts, scalar_delay = _counts(x, order, delay, axis, tie_tolerance)
    entropy, complexity = complexity_entropy_from_counts(counts, axis=-1)
    return _squeeze_delay(entropy, scalar_delay), _squeeze_delay(complexity, scalar_delay)


def weighted_permutation_entropy(
    x, order=5, delay=1, axis=-1, normalized=True, base=None, tie_tolerance=None
):
    """Return the weighted permutation entropy (Fadlallah et al. 2013).

    Each window contributes its population variance (``ddof=0``) instead of 1
    to its pattern's weight, so low-amplitude (noise-like) windows count less.

    Parameters
    ----------
    x, order, axis, normalized, base, tie_tolerance
        As for :func:`permutation_entropy`.  Variances use the original values
        (``tie_tolerance`` only affects the patterns).
    delay : int, optional
        Embedding delay ``>= 1`` (a single value).

    Returns
    -------
    float or ndarray
        Shannon entropy of the variance-weighted pattern distribution,
        normalised by ``ln(order!)`` or in nats (``log base`` units).
        ``nan`` for a constant series (all weights zero).
    """
    order = _check_order(order)
    delays, scalar_delay = _check_delays(delay)
    if not scalar_delay:
        raise ValueError("delay: must be a single integer for weighted_permutation_entropy")
    rows, batch_shape = _prepare_rows(x, order, delays, axis, None)
    pattern_rows = rows
    if tie_tolerance is not None:
        pattern_rows, _ = _prepare_rows(x, order, delays, axis, tie_tolerance)
    weights = np.zeros((rows.shape[0], math.factorial(order)))
    _weighted_counts_kernel(pattern_rows, rows, order, int(delays[0]), weights)
    entropy = shannon_entropy(weights, axis=-1, base=base, normalized=normalized)
    return entropy.reshape(batch_shape)[()]


def renyi_permutation_entropy(
    x, alpha, order=5, delay=1, axis=-1, normalized=True, base=None, tie_tolerance=None
):
    """Return the Rényi permutation entropy of order ``alpha``.

    Parameters
    ----------
    x, order, delay, axis, tie_tolerance
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
    """
    counts, scalar_delay = _counts(x, order, delay, axis, tie_tolerance)
    entropy = renyi_entropy(counts, alpha, axis=-1, base=base, normalized=normalized)
    return _squeeze_delay(entropy, scalar_delay)


def tsallis_permutation_entropy(
    x, q, order=5, delay=1, axis=-1, normalized=True, tie_tolerance=None
):
    """Return the Tsallis permutation entropy with index ``q``.

    Parameters
    ----------
    x, order, delay, axis, tie_tolerance
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
    """
    counts, scalar_delay = _counts(x, order, delay, axis, tie_tolerance)
    entropy = tsallis_entropy(counts, q, axis=-1, normalized=normalized)
    return _squeeze_delay(entropy, scalar_delay)
