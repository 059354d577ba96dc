"""Ordinal-pattern (Bandt–Pompe) diagnostics: permutation entropy, statistical complexity, PECCARY.

Patterns
    A window of ``order`` samples ``x[t], x[t + delay], …, x[t + (order−1)·delay]``
    is mapped to its ordinal pattern: the permutation that sorts it.  Ties are
    ordered by time (an earlier sample counts as smaller), which is the
    convention of a stable argsort (ordpy, peccary, antropy >= 0.2.2).  With
    ``tie_tolerance`` the values are first rounded to the nearest multiple of
    the tolerance, so values in the same bin tie.  Patterns are encoded as
    integers in ``[0, order!)``: the Lehmer code ``Σ_i L_i (order−1−i)!`` with
    ``L_i`` the number of later window samples smaller than sample ``i``; code 0
    is the increasing window, ``order! − 1`` the decreasing one.
    :func:`pattern_permutations` converts codes to ordpy's argsort symbols.

Distributions and entropies
    Patterns of all ``n − (order−1)·delay`` overlapping windows are counted
    with a Numba kernel straight into an ``order!`` table (memory O(order!),
    no per-window copy).  Probabilities are relative frequencies (plug-in,
    biased low for short series: about ``(K − 1)/(2·n_windows)`` nats for K
    observed patterns).  The permutation entropy is ``H = S[P] / ln(order!)``
    (normalised) or ``S[P]`` in nats (``base=2`` for bits).

Statistical complexity (Rosso et al. 2007)
    ``C = Q0 · JS[P, U] · H`` with ``U`` uniform on ``N = order!`` patterns,
    ``JS[P, U] = S[(P+U)/2] − S[P]/2 − S[U]/2`` (unobserved patterns included)
    and ``Q0 = 1 / JS_max``, ``JS_max = −½[((N+1)/N) ln(N+1) + ln N − 2 ln(2N)]``
    (:func:`complexity_normalization`).  ``H`` and ``C`` are dimensionless and
    independent of the logarithm base.

Regimes (PECCARY, Hyman, Daniel & Schaffner 2025)
    See :func:`classify` and :func:`recommended_delay`.
"""

import math
import warnings
from typing import NamedTuple

import numpy as np
from numba import njit, prange
from scipy.special import xlogy

from .entropy import renyi_entropy, shannon_entropy, tsallis_entropy

MAX_COUNT_TABLE_BYTES = 2**30
"""Largest pattern-count table allowed (bytes); bounds ``order`` (``order! · 8 B`` per series)."""

BLOCK_WINDOWS = 4096
"""Windows encoded per block in the counting kernels (sets the O(1) scratch buffer)."""

REGIMES = ("regular", "complex", "stochastic")
"""Labels returned by :func:`classify`, in the order of their integer codes 0, 1, 2."""

COMPLEX_FRACTION = 0.6
"""Relative height between the C_min (0) and C_max (1) curves at or above which a point is complex.

Calibrated on 10⁵-sample signals at orders 5 and 6 (delay 1): white, 1/f, 1/f² and
Brownian noise lie at 0.41–0.56, sums of sines at 0.69–0.78, the logistic (r = 4)
and Hénon maps at 0.91–0.97.
"""

MIN_WINDOWS_PER_PATTERN = 10
"""Windows per possible pattern (``n_windows / order!``) below which :func:`classify_sampled`
(used by :func:`ordinal_summary` and PECCARY) reports the regime as undefined: white noise of
500 samples at order 5 (4 windows per pattern) sits at complexity position 0.53-0.66 and would
read as complex."""

PECCARY_PATTERN_FRACTION = 0.4
"""Default pattern time / natural time of :func:`recommended_delay` (docs' 0.3–0.5 range)."""

PECCARY_MIN_DURATION_RATIO = 1.5
"""Minimum series duration / natural timescale recommended by PECCARY."""


# ----------------------------------------------------------------------------- kernels


@njit(cache=True)
def _encode_block(series, first_window, order, delay, codes):
    """Write the Lehmer codes of windows ``first_window … first_window + len(codes)``."""
    n_codes = codes.size
    codes[:] = 0
    weight = 1
    for i in range(order - 2, -1, -1):
        reference_start = first_window + i * delay
        reference = series[reference_start : reference_start + n_codes]
        for j in range(i + 1, order):
            other_start = first_window + j * delay
            other = series[other_start : other_start + n_codes]
            for k in range(n_codes):
                codes[k] += weight if other[k] < reference[k] else 0
        weight *= order - i


@njit(cache=True)
def _contains_nan(rows):
    """Return whether any element is NaN (no temporary array, unlike ``np.isnan(rows).any()``)."""
    for value in rows.flat:
        if value != value:
            return True
    return False


@njit(cache=True, parallel=True)
def _count_patterns_kernel(rows, order, delays, counts):
    """Add the pattern counts of every row and delay into ``counts[row, delay_index]``."""
    n_rows, length = rows.shape
    n_delays = delays.size
    for task in prange(n_rows * n_delays):
        row = task // n_delays
        delay_index = task % n_delays
        delay = delays[delay_index]
        series = rows[row]
        table = counts[row, delay_index]
        n_windows = length - (order - 1) * delay
        codes = np.empty(BLOCK_WINDOWS, dtype=np.int64)
        for first in range(0, n_windows, BLOCK_WINDOWS):
            n_block = min(BLOCK_WINDOWS, n_windows - first)
            block = codes[:n_block]
            _encode_block(series, first, order, delay, block)
            for k in range(n_block):
                table[block[k]] += 1


@njit(cache=True)
def _weighted_counts_kernel(pattern_rows, value_rows, order, delay, weights):
    """Add each window's variance (of ``value_rows``) to ``weights[row, code]``.

    Codes come from ``pattern_rows`` (the values, possibly tie-rounded).
    """
    n_rows, length = value_rows.shape
    n_windows = length - (order - 1) * delay
    codes = np.empty(BLOCK_WINDOWS, dtype=np.int64)
    for row in range(n_rows):
        series = value_rows[row]
        for first in range(0, n_windows, BLOCK_WINDOWS):
            n_block = min(BLOCK_WINDOWS, n_windows - first)
            block = codes[:n_block]
            _encode_block(pattern_rows[row], first, order, delay, block)
            for k in range(n_block):
                start = first + k
                mean = 0.0
                for i in range(order):
                    mean += series[start + i * delay]
                mean /= order
                variance = 0.0
                for i in range(order):
                    deviation = series[start + i * delay] - mean
                    variance += deviation * deviation
                weights[row, block[k]] += variance / order


# ----------------------------------------------------------------------------- validation


def _check_order(order, n_tables=1):
    if isinstance(order, bool) or int(order) != order or order < 2:
        raise ValueError(f"order: must be an integer >= 2 (got {order!r})")
    order = int(order)
    table_bytes = 8 * n_tables * math.factorial(min(order, 21))
    if order > 20 or table_bytes > MAX_COUNT_TABLE_BYTES:
        raise ValueError(
            f"order: {order}! patterns need {table_bytes / 2**30:.3g} GiB of counts for "
            f"{n_tables} series (limit {MAX_COUNT_TABLE_BYTES / 2**30:g} GiB); use a smaller order"
        )
    return order


def _check_delays(delay):
    delays = np.atleast_1d(np.asarray(delay))
    if delays.ndim != 1 or delays.size == 0:
        raise ValueError(f"delay: must be an integer or a 1-D sequence of integers (got {delay!r})")
    if not np.issubdtype(delays.dtype, np.integer):
        if not np.issubdtype(delays.dtype, np.floating) or np.any(delays != np.round(delays)):
            raise ValueError(f"delay: must be integer(s) (got {delay!r})")
    delays = delays.astype(np.int64)
    if np.any(delays < 1):
        raise ValueError(f"delay: must be >= 1 (got {delay!r})")
    return delays, np.ndim(delay) == 0


def _prepare_rows(x, order, delays, axis, tie_tolerance):
    """Validate ``x`` and return it as a C-contiguous float64 (rows, length) array."""
    x = np.asarray(x)
    if x.ndim == 0:
        raise ValueError("x: must have at least one dimension")
    if not (np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating)):
        if x.dtype != np.bool_:
            raise ValueError(f"x: must be real numbers (got dtype {x.dtype})")
    x = np.moveaxis(x, axis, -1)
    batch_shape = x.shape[:-1]
    length = x.shape[-1]
    needed = (order - 1) * int(delays.max()) + 1
    if length < needed:
        raise ValueError(
            f"x: series of length {length} is shorter than (order-1)*delay+1 = {needed}"
        )
    rows = np.ascontiguousarray(x.reshape(-1, length), dtype=np.float64)
    if _contains_nan(rows):
        raise ValueError("x: contains NaN; ordinal patterns of NaN are undefined")
    if tie_tolerance is not None:
        tie_tolerance = float(tie_tolerance)
        if not tie_tolerance > 0 or not math.isfinite(tie_tolerance):
            raise ValueError(f"tie_tolerance: must be finite and > 0 (got {tie_tolerance})")
        rows = np.round(rows / tie_tolerance)
    _check_order(order, rows.shape[0] * delays.size)
    return rows, batch_shape


def _counts(x, order, delay, axis, tie_tolerance):
    """Return counts shaped (..., n_delays, order!) and whether ``delay`` was a scalar."""
    order = _check_order(order)
    delays, scalar_delay = _check_delays(delay)
    rows, batch_shape = _prepare_rows(x, order, delays, axis, tie_tolerance)
    counts = np.zeros((rows.shape[0], delays.size, math.factorial(order)), dtype=np.int64)
    _count_patterns_kernel(rows, order, delays, counts)
    return counts.reshape(batch_shape + counts.shape[1:]), scalar_delay


def _squeeze_delay(values, scalar_delay):
    values = values[..., 0] if scalar_delay else values
    return values[()] if np.ndim(values) == 0 else values


# ----------------------------------------------------------------------------- patterns


def ordinal_patterns(x, order=3, delay=1, tie_tolerance=None):
    """Return the ordinal pattern code of every window of a 1-D series.

    Parameters
    ----------
    x : array_like, shape (n,)
        Real-valued series without NaN.
    order : int, optional
        Embedding dimension (window length) ``>= 2``.
    delay : int, optional
        Embedding delay ``>= 1`` (samples between window elements).
    tie_tolerance : float, optional
        Round values to multiples of this before comparing (ties then go by time).

    Returns
    -------
    ndarray of int64, shape (n − (order−1)·delay,)
        Lehmer codes in ``[0, order!)`` (module docstring).

    Raises
    ------
    ValueError
        If ``x`` is not 1-D, contains NaN or is shorter than
        ``(order−1)·delay + 1``; or ``order``/``delay`` are invalid.
    """
    order = _check_order(order)
    delays, scalar_delay = _check_delays(delay)
    if not scalar_delay:
        raise ValueError("delay: must be a single integer for ordinal_patterns")
    if np.ndim(x) != 1:
        raise ValueError(f"x: must be 1-D (got {np.ndim(x)} dimensions)")
    rows, _ = _prepare_rows(x, order, delays, -1, tie_tolerance)
    codes = np.empty(rows.shape[1] - (order - 1) * int(delays[0]), dtype=np.int64)
    _encode_block(rows[0], 0, order, int(delays[0]), codes)
    return codes


def pattern_permutations(codes, order):
    """Return the sorting permutation (stable argsort) for each pattern code.

    Parameters
    ----------
    codes : array_like of int
        Codes in ``[0, order!)`` as returned by :func:`ordinal_patterns`.
    order : int
        Embedding dimension.

    Returns
    -------
    ndarray of int64, shape codes.shape + (order,)
        ``perm`` such that ``window[perm]`` is sorted: ordpy's and peccary's
        pattern symbols.

    Raises
    ------
    ValueError
        If a code is outside ``[0, order!)``.
    """
    order = _check_order(order)
    codes = np.asarray(codes, dtype=np.int64)
    if np.any(codes < 0) or np.any(codes >= math.factorial(order)):
        raise ValueError(f"codes: must lie in [0, {order}!)")
    remaining = codes.copy()
    used = np.zeros(codes.shape + (order,), dtype=bool)
    ranks = np.empty(codes.shape + (order,), dtype=np.int64)
    for i in range(order):
        # Lehmer digit i = how many still-unused ranks are smaller than rank i.
        digit, remaining = np.divmod(remaining, math.factorial(order - 1 - i))
        unused_before = np.cumsum(~used, axis=-1)
        is_choice = (~used) & (unused_before == (digit + 1)[..., np.newaxis])
        ranks[..., i] = np.argmax(is_choice, axis=-1)
        np.put_along_axis(used, ranks[..., i : i + 1], True, axis=-1)
    return np.argsort(ranks, axis=-1, kind="stable")


def pattern_counts(x, order=5, delay=1, axis=-1, tie_tolerance=None):
    """Return how often each ordinal pattern occurs.

    Parameters
    ----------
    x : array_like
        Real-valued series along ``axis`` (any leading shape), without NaN.
    order : int, optional
        Embedding dimension ``>= 2``; the table has ``order!`` entries.
    delay : int or sequence of int, optional
        Embedding delay(s) ``>= 1``.  A sequence adds an axis of that length
        before the pattern axis; all delays are counted in one compiled call.
    axis : int, optional
        Time axis of ``x`` (default last).
    tie_tolerance : float, optional
        Round values to multiples of this before comparing.

    Returns
    -------
    ndarray of int64, shape (..., [n_delays,] order!)
        Counts indexed by pattern code; they sum to ``n − (order−1)·delay``.

    Raises
    ------
    ValueError
        For NaN, a too-short series, ``order < 2``, an ``order!`` table over
        :data:`MAX_COUNT_TABLE_BYTES`, or a delay ``< 1``.
    """
    counts, scalar_delay = _counts(x, order, delay, axis, tie_tolerance)
    return counts[..., 0, :] if scalar_delay else counts


def missing_patterns(x, order=5, delay=1, axis=-1, tie_tolerance=None):
    """Return the number of ordinal patterns that never occur (forbidden patterns).

    Parameters
    ----------
    x, order, delay, axis, tie_tolerance
        As for :func:`pattern_counts`.

    Returns
    -------
    int or ndarray of int
        Number of the ``order!`` patterns with zero count; divide by
        ``math.factorial(order)`` for the fraction.  Deterministic chaos has
        forbidden patterns; finite noise has missing patterns only by chance
        (when ``n_windows`` is not much larger than ``order!``).
    """
    counts, scalar_delay = _counts(x, order, delay, axis, tie_tolerance)
    return _squeeze_delay(np.sum(counts == 0, axis=-1), scalar_delay)


# ----------------------------------------------------------------------------- entropies


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


# ----------------------------------------------------------------------------- CH plane


class CHBounds(NamedTuple):
    """Minimum and maximum complexity curves of the complexity–entropy plane."""

    min_entropy: np.ndarray
    min_complexity: np.ndarray
    max_entropy: np.ndarray
    max_complexity: np.ndarray


def _one_peak_family(peak, n_equal, n_states):
    """Return (H, C) of a distribution with one entry ``peak`` and ``n_equal`` equal others.

    The other ``n_states − n_equal − 1`` entries are zero.
    """
    peak = np.asarray(peak, dtype=np.float64)
    rest = (1.0 - peak) / n_equal
    uniform = 1.0 / n_states
    shannon = -xlogy(peak, peak) - n_equal * xlogy(rest, rest)
    mixed_peak = 0.5 * (peak + uniform)
    mixed_rest = 0.5 * (rest + uniform)
    n_zero = n_states - n_equal - 1
    shannon_mixture = (
        -xlogy(mixed_peak, mixed_peak)
        - n_equal * xlogy(mixed_rest, mixed_rest)
        - n_zero * xlogy(0.5 * uniform, 0.5 * uniform)
    )
    log_n = math.log(n_states)
    divergence = shannon_mixture - 0.5 * shannon - 0.5 * log_n
    entropy = shannon / log_n
    return entropy, complexity_normalization(n_states) * divergence * entropy


def ch_plane_bounds(order, n_points=1000):
    """Return the minimum and maximum statistical-complexity curves (Martín et al. 2006).

    Minimum curve: one probability ``p ∈ [1/N, 1]`` and ``N − 1`` equal
    ones (``N = order!``).  Maximum curve: for ``K = 2 … N`` non-zero states,
    one probability ``p ∈ [0, 1/K]`` and ``K − 1`` equal ones, the remaining
    ``N − K`` zero.  Every point of a finite-series (H, C) lies between them.

    Parameters
    ----------
    order : int
        Embedding dimension ``>= 2``.
    n_points : int, optional
        Points on the minimum curve; the maximum curve gets
        ``max(2, ceil(n_points / (N − 1)))`` points per segment, so at least
        ``n_points`` in all.

    Returns
    -------
    CHBounds
        ``(min_entropy, min_complexity, max_entropy, max_complexity)``, each
        sorted by increasing entropy, dimensionless.  The minimum curve uses
        ``p = linspace(1/N, 1, n_points)`` (the same points as
        ``ordpy.minimum_complexity_entropy(order, size=n_points)``).
    """
    order = _check_order(order)
    n_points = int(n_points)
    if n_points < 2:
        raise ValueError(f"n_points: must be >= 2 (got {n_points})")
    n_states = math.factorial(order)
    peaks = np.linspace(1.0 / n_states, 1.0, n_points)[::-1]
    min_entropy, min_complexity = _one_peak_family(peaks, n_states - 1, n_states)
    per_segment = max(2, math.ceil(n_points / (n_states - 1)))
    n_nonzero = np.repeat(np.arange(2, n_states + 1), per_segment)
    fractions = np.tile(np.linspace(0.0, 1.0, per_segment), n_states - 1)
    max_entropy, max_complexity = _one_peak_family(fractions / n_nonzero, n_nonzero - 1, n_states)
    by_entropy = np.argsort(max_entropy, kind="stable")
    return CHBounds(
        min_entropy, min_complexity, max_entropy[by_entropy], max_complexity[by_entropy]
    )


def periodic_entropy_bounds(order):
    """Return PECCARY's minimum and maximum normalised entropy of a periodic signal.

    ``H_min = ln 2 / ln(order!)`` (only the increasing and decreasing
    patterns) and ``H_max = ln(2(2·order − 3)) / ln(order!)`` (the
    ``2(2·order − 3)`` patterns of a sine-like signal).

    Parameters
    ----------
    order : int
        Embedding dimension ``>= 2``.

    Returns
    -------
    tuple of float
        ``(H_min, H_max)``; for order 5: (0.144783, 0.551240).
    """
    order = _check_order(order)
    log_n = math.log(math.factorial(order))
    return math.log(2.0) / log_n, min(1.0, math.log(2.0 * (2 * order - 3)) / log_n)


def _bisect_family(target_entropy, low, high, n_equal, n_states, increasing):
    """Return the peak probability in [low, high] whose family entropy equals the target."""
    for _ in range(60):
        middle = 0.5 * (low + high)
        entropy, _ = _one_peak_family(middle, n_equal, n_states)
        go_up = (entropy < target_entropy) == increasing
        low = np.where(go_up, middle, low)
        high = np.where(go_up, high, middle)
    return 0.5 * (low + high)


def complexity_bounds_at(entropy, order):
    """Return the minimum and maximum statistical complexity at given entropies.

    Exact (bisection to machine precision on the one-parameter families of
    :func:`ch_plane_bounds`), so it stays accurate near ``H = 1`` where the
    two curves meet and interpolating a sampled curve is not.

    Parameters
    ----------
    entropy : array_like
        Normalised permutation entropies in [0, 1].
    order : int
        Embedding dimension.

    Returns
    -------
    tuple of ndarray
        ``(C_min(H), C_max(H))``.
    """
    order = _check_order(order)
    n_states = math.factorial(order)
    entropy = np.clip(np.asarray(entropy, dtype=np.float64), 0.0, 1.0)
    ones = np.ones_like(entropy)
    peak = _bisect_family(entropy, ones / n_states, ones, n_states - 1, n_states, False)
    _, minimum = _one_peak_family(peak, n_states - 1, n_states)
    # Segment with K non-zero states spans H in [ln(K-1), ln K] / ln N.
    n_nonzero = np.clip(np.ceil(np.exp(entropy * math.log(n_states)) - 1e-9), 2, n_states)
    peak = _bisect_family(entropy, 0.0 * ones, 1.0 / n_nonzero, n_nonzero - 1, n_states, True)
    _, maximum = _one_peak_family(peak, n_nonzero - 1, n_states)
    return minimum[()], maximum[()]


def complexity_position(entropy, complexity, order):
    """Return where ``C`` lies between the minimum (0) and maximum (1) curves at ``H``.

    Parameters
    ----------
    entropy, complexity : array_like
        Normalised permutation entropy and statistical complexity.
    order : int
        Embedding dimension the values were computed with.

    Returns
    -------
    ndarray or float
        ``(C − C_min(H)) / (C_max(H) − C_min(H))`` (exact curves from
        :func:`complexity_bounds_at`); ``nan`` where the curves meet
        (H = 0 or 1) or an input is NaN.
    """
    entropy = np.asarray(entropy, dtype=np.float64)
    complexity = np.asarray(complexity, dtype=np.float64)
    lower, upper = complexity_bounds_at(np.nan_to_num(entropy), order)
    width = upper - lower
    with np.errstate(invalid="ignore", divide="ignore"):
        position = np.where(width > 1e-12, (complexity - lower) / width, np.nan)
    return position[()]


def classify(entropy, complexity, order):
    """Classify points of the complexity–entropy plane as regular, complex or stochastic.

    Rule (PECCARY boundaries plus a stated complex/stochastic split):

    1. ``H <= H_max`` of :func:`periodic_entropy_bounds` → ``"regular"``
       (periodic and quasi-regular signals; this includes ``H < H_min``,
       e.g. monotone trends).
    2. Otherwise ``"complex"`` if ``C`` lies at least :data:`COMPLEX_FRACTION`
       (0.6) of the way from the minimum to the maximum complexity curve at
       that ``H`` (:func:`complexity_position`), i.e. near the C_max curve
       where chaotic maps sit (0.9+); else ``"stochastic"``: finite samples of
       noises (white to Brownian) sit near the middle of the band (0.4–0.56).

    Parameters
    ----------
    entropy, complexity : array_like
        Normalised permutation entropy and statistical complexity (NaN gives
        ``""``).
    order : int
        Embedding dimension ``>= 4``.  At order 3, ``H_max = 1`` and every
        point would be regular, so order 3 is refused.

    Notes
    -----
    The rule is meant for well-sampled distributions: with few windows per
    pattern, finite-sample noise moves up the band (white noise of 500
    samples at order 5 reads as complex about half the time).  Use at least
    :data:`MIN_WINDOWS_PER_PATTERN` ``· order!`` windows; :func:`classify_sampled`
    applies that rule.

    Returns
    -------
    str or ndarray of str
        One of :data:`REGIMES` per point.

    Raises
    ------
    ValueError
        If ``order < 4``.
    """
    codes = classify_codes(entropy, complexity, order)
    labels = np.array(("",) + REGIMES)[codes + 1]
    return str(labels) if labels.ndim == 0 else labels


def classify_codes(entropy, complexity, order):
    """Return :func:`classify` as integer codes: 0 regular, 1 complex, 2 stochastic, −1 NaN.

    Parameters
    ----------
    entropy, complexity : array_like
        Normalised permutation entropy and statistical complexity.
    order : int
        Embedding dimension ``>= 4``.

    Returns
    -------
    ndarray of int8
        Codes indexing :data:`REGIMES`; −1 where an input is NaN.
    """
    order = _check_order(order)
    if order < 4:
        raise ValueError(f"order: classify needs order >= 4 (got {order})")
    entropy = np.asarray(entropy, dtype=np.float64)
    complexity = np.asarray(complexity, dtype=np.float64)
    _, periodic_max = periodic_entropy_bounds(order)
    position = complexity_position(entropy, complexity, order)
    codes = np.where(position >= COMPLEX_FRACTION, 1, 2).astype(np.int8)
    codes = np.where(entropy <= periodic_max, np.int8(0), codes)
    codes = np.where(np.isnan(entropy) | np.isnan(complexity), np.int8(-1), codes)
    return codes.astype(np.int8)


def classify_sampled(entropy, complexity, n_windows, order):
    """Return :func:`classify_codes` where there are enough windows, else −1 (undefined).

    A point is classified only if its series has ``n_windows >=
    MIN_WINDOWS_PER_PATTERN · order!`` windows (broadcast against ``entropy``);
    every point is −1 for ``order < 4``.

    Parameters
    ----------
    entropy, complexity : array_like
        Normalised permutation entropy and statistical complexity.
    n_windows : array_like of int
        Ordinal windows behind each point.
    order : int
        Embedding dimension.

    Returns
    -------
    ndarray of int8
        Codes indexing :data:`REGIMES`; −1 where undefined or NaN.
    """
    entropy = np.asarray(entropy, dtype=np.float64)
    complexity = np.asarray(complexity, dtype=np.float64)
    codes = np.full(entropy.shape, -1, dtype=np.int8)
    enough = np.broadcast_to(
        np.asarray(n_windows) >= MIN_WINDOWS_PER_PATTERN * math.factorial(order), entropy.shape
    )
    if order >= 4 and enough.any():
        codes[enough] = classify_codes(entropy[enough], complexity[enough], order)
    return codes


# ----------------------------------------------------------------------------- sampling rule


def natural_timescale(x, dt=1.0, method="crossings"):
    """Return an estimate of the natural (dominant) timescale of a 1-D series.

    Parameters
    ----------
    x : array_like, shape (n,)
        Real-valued series without NaN.
    dt : float, optional
        Sampling interval (the result has its units).
    method : {"crossings", "minima", "maxima"}, optional
        ``"crossings"``: duration ``(n−1)·dt`` divided by half the number of
        crossings of the mean (biased low by up to one half-period over the
        duration: a sine of period 7 sampled 100 s gives 6.896);
        ``"minima"``/``"maxima"``: mean spacing of strict local minima/maxima.

    Returns
    -------
    float
        Natural timescale in units of ``dt``.

    Raises
    ------
    ValueError
        For NaN, fewer than 3 samples, ``dt <= 0``, an unknown ``method``, or
        too few crossings/extrema (fewer than 2).
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size < 3:
        raise ValueError("x: must be 1-D with at least 3 samples")
    if np.isnan(x).any():
        raise ValueError("x: contains NaN")
    dt = float(dt)
    if not dt > 0:
        raise ValueError(f"dt: must be > 0 (got {dt})")
    if method == "crossings":
        above = x >= x.mean()
        n_crossings = int(np.count_nonzero(above[1:] != above[:-1]))
        if n_crossings < 2:
            raise ValueError("x: fewer than 2 mean crossings; no natural timescale")
        return (x.size - 1) * dt / (n_crossings / 2.0)
    if method in ("minima", "maxima"):
        sign = -1.0 if method == "minima" else 1.0
        y = sign * x
        peaks = np.flatnonzero((y[1:-1] > y[:-2]) & (y[1:-1] > y[2:])) + 1
        if peaks.size < 2:
            raise ValueError(f"x: fewer than 2 local {method}; no natural timescale")
        return float(np.mean(np.diff(peaks))) * dt
    raise ValueError(f"method: must be 'crossings', 'minima' or 'maxima' (got {method!r})")


def recommended_delay(
    x, order=5, dt=1.0, pattern_fraction=PECCARY_PATTERN_FRACTION, method="crossings"
):
    """Return the PECCARY delay whose pattern time is a fraction of the natural timescale.

    The pattern time is ``t_pat = delay · dt · (order − 1)``; PECCARY recommends
    ``0.3 <= t_pat / t_nat <= 0.5`` and a duration ``t_dur >= 1.5 t_nat``.  The
    delay is ``round(pattern_fraction · t_nat / (dt · (order − 1)))``, at least 1.

    Parameters
    ----------
    x : array_like, shape (n,)
        Real-valued series without NaN.
    order : int, optional
        Embedding dimension (default 5).
    dt : float, optional
        Sampling interval.
    pattern_fraction : float, optional
        Target ``t_pat / t_nat`` (default 0.4).
    method : str, optional
        Natural-timescale method of :func:`natural_timescale`.

    Returns
    -------
    int
        The recommended delay in samples.

    Warns
    -----
    UserWarning
        If the duration is below 1.5 natural timescales, if ``pattern_fraction``
        is outside [0.3, 0.5], or if the series is too short for the delay.
    """
    order = _check_order(order)
    pattern_fraction = float(pattern_fraction)
    if not pattern_fraction > 0:
        raise ValueError(f"pattern_fraction: must be > 0 (got {pattern_fraction})")
    x = np.asarray(x, dtype=np.float64)
    timescale = natural_timescale(x, dt=dt, method=method)
    duration = (x.size - 1) * float(dt)
    if duration < PECCARY_MIN_DURATION_RATIO * timescale:
        warnings.warn(
            f"x: duration {duration:.4g} is below {PECCARY_MIN_DURATION_RATIO} natural "
            f"timescales ({timescale:.4g}); the series is too short for PECCARY's rule",
            UserWarning,
            stacklevel=2,
        )
    if not 0.3 <= pattern_fraction <= 0.5:
        warnings.warn(
            f"pattern_fraction: {pattern_fraction} is outside PECCARY's range 0.3-0.5",
            UserWarning,
            stacklevel=2,
        )
    delay = max(1, round(pattern_fraction * timescale / (float(dt) * (order - 1))))
    if (order - 1) * delay + 1 > x.size:
        warnings.warn(
            f"x: length {x.size} is shorter than one window ((order-1)*delay+1 = "
            f"{(order - 1) * delay + 1}) at the recommended delay",
            UserWarning,
            stacklevel=2,
        )
    return delay


# ----------------------------------------------------------------------------- xarray


def _summary_kernel(values, order, delays):
    """Return (H, C, regime code) arrays for rows of ``values`` (NaN rows give NaN/−1)."""
    batch_shape = values.shape[:-1]
    rows = values.reshape(-1, values.shape[-1]).astype(np.float64)
    finite = ~np.isnan(rows).any(axis=1)
    entropy = np.full((rows.shape[0], delays.size), np.nan)
    complexity = np.full((rows.shape[0], delays.size), np.nan)
    if finite.any():
        entropy[finite], complexity[finite] = complexity_entropy(
            rows[finite], order=order, delay=delays, axis=-1
        )
    regime = classify_sampled(entropy, complexity, values.shape[-1] - (order - 1) * delays, order)
    shape = batch_shape + (delays.size,)
    return entropy.reshape(shape), complexity.reshape(shape), regime.reshape(shape)


def ordinal_summary(ds, dim="time", order=5, delay=1):
    """Return permutation entropy, complexity and regime of every numeric variable along ``dim``.

    Every numeric (integer or floating) data variable of ``ds`` that has
    dimension ``dim`` is reduced over ``dim``; its other dimensions are kept.
    Series containing NaN give NaN entropy and complexity and regime −1; the
    regime is also −1 (undefined) when there are fewer than
    :data:`MIN_WINDOWS_PER_PATTERN` windows per possible pattern.

    Parameters
    ----------
    ds : xarray.Dataset or xarray.DataArray
        Input (a DataArray is treated as a one-variable Dataset).
    dim : str, optional
        Dimension holding time (default ``"time"``).
    order : int, optional
        Embedding dimension (default 5).
    delay : int or sequence of int, optional
        Embedding delay(s) in samples along ``dim``; a sequence adds a
        ``delay`` dimension.

    Returns
    -------
    xarray.Dataset
        For each input variable ``v``: ``v_permutation_entropy`` and
        ``v_statistical_complexity`` (float64, units ``"1"``) and, for
        ``order >= 4``, ``v_regime`` (int8 CF flags: −1 undefined, 0 regular,
        1 complex, 2 stochastic; see :func:`classify`).  Every variable has
        ``units`` and ``long_name``; ``attrs`` record ``order``, ``delay``, ``dim``.

    Raises
    ------
    ValueError
        If no numeric variable has ``dim``, if ``dim`` is too short for
        ``order`` and ``delay``, or if ``order`` or ``delay`` are invalid.
    """
    import xarray as xr

    if isinstance(ds, xr.DataArray):
        ds = ds.to_dataset(name=ds.name if ds.name is not None else "data")
    order = _check_order(order)
    delays, scalar_delay = _check_delays(delay)
    names = [
        name
        for name, variable in ds.data_vars.items()
        if dim in variable.dims
        and (
            np.issubdtype(variable.dtype, np.integer) or np.issubdtype(variable.dtype, np.floating)
        )
    ]
    if not names:
        raise ValueError(f"dim: no numeric data variable has dimension {dim!r}")
    needed = (order - 1) * int(delays.max()) + 1
    if ds.sizes[dim] < needed:
        raise ValueError(f"dim: {dim!r} has length {ds.sizes[dim]} < (order-1)*delay+1 = {needed}")
    delay_text = str(int(delays[0])) if scalar_delay else "see delay coordinate"
    output = {}
    for name in names:
        variable = ds[name]
        label = variable.attrs.get("long_name", name)
        entropy, complexity, regime = xr.apply_ufunc(
            _summary_kernel,
            variable,
            kwargs={"order": order, "delays": delays},
            input_core_dims=[[dim]],
            output_core_dims=[["delay"], ["delay"], ["delay"]],
            dask="parallelized",
            output_dtypes=[np.float64, np.float64, np.int8],
            dask_gufunc_kwargs={"output_sizes": {"delay": delays.size}},
        )
        suffix = f"(order {order}, delay {delay_text}, along {dim})"
        outputs = {
            "permutation_entropy": (
                entropy,
                {"units": "1", "long_name": f"normalized permutation entropy of {label} {suffix}"},
            ),
            "statistical_complexity": (
                complexity,
                {
                    "units": "1",
                    "long_name": f"Jensen-Shannon statistical complexity of {label} {suffix}",
                },
            ),
        }
        if order >= 4:
            outputs["regime"] = (
                regime,
                {
                    "units": "1",
                    "long_name": f"PECCARY regime of {label} {suffix}",
                    "flag_values": np.array([-1, 0, 1, 2], dtype=np.int8),
                    "flag_meanings": "undefined " + " ".join(REGIMES),
                },
            )
        for suffix_name, (values, attrs) in outputs.items():
            values = values.isel(delay=0, drop=True) if scalar_delay else values
            output[f"{name}_{suffix_name}"] = values.assign_attrs(
                attrs, order=order, dim=dim, source_variable=name
            )
    result = xr.Dataset(output)
    if not scalar_delay:
        result = result.assign_coords(
            delay=(
                "delay",
                delays,
                {"units": "1", "long_name": f"embedding delay in samples of {dim}"},
            )
        )
    result.attrs.update(
        {
            "title": "Ordinal-pattern diagnostics (permutation entropy, statistical complexity)",
            "ordinal_order": order,
            "ordinal_delay": delays if not scalar_delay else int(delays[0]),
            "ordinal_dim": dim,
        }
    )
    return result


__all__ = [
    "BLOCK_WINDOWS",
    "COMPLEX_FRACTION",
    "MAX_COUNT_TABLE_BYTES",
    "MIN_WINDOWS_PER_PATTERN",
    "REGIMES",
    "CHBounds",
    "ch_plane_bounds",
    "classify",
    "classify_codes",
    "classify_sampled",
    "complexity_entropy",
    "complexity_bounds_at",
    "complexity_entropy_from_counts",
    "complexity_normalization",
    "complexity_position",
    "missing_patterns",
    "natural_timescale",
    "ordinal_patterns",
    "ordinal_summary",
    "pattern_counts",
    "pattern_permutations",
    "periodic_entropy_bounds",
    "permutation_entropy",
    "recommended_delay",
    "renyi_permutation_entropy",
    "tsallis_permutation_entropy",
    "weighted_permutation_entropy",
]
