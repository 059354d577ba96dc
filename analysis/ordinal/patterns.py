"""Ordinal patterns: Numba counting kernels, input checks, pattern codes and pattern counts.

See :mod:`analysis.ordinal` for the pattern convention (Lehmer codes, ties by time).

Missing values (``nan="split"``)
    A series with NaN gaps is cut into its contiguous finite segments; a window is counted only
    if the whole span ``x[t] … x[t + (order−1)·delay]`` (skipped samples included) lies inside
    one segment, so no pattern ever joins samples across a gap. Segments shorter than one window
    contribute nothing; the counts of all segments are pooled.
"""

import math

import numpy as np
from numba import njit, prange

from .. import _checks
from .ties import (
    _check_ties,
    _encode_weak_block,
    _random_keys,
    _warn_if_tied,
    _weak_order_codes,
    pattern_state_count,
)

MAX_COUNT_TABLE_BYTES = 2**30
"""Largest pattern-count table allowed (bytes); bounds ``order`` (``order! · 8 B`` per series)."""

BLOCK_WINDOWS = 4096
"""Windows encoded per block in the counting kernels (sets the O(1) scratch buffer)."""

NAN_POLICIES = ("refuse", "split")

TIE_MARK = 1 << 32
"""Added to a window's code per tied pair while counting (codes stay below 11! < 2**26)."""

CODE_MASK = TIE_MARK - 1
"""Bits of a marked code that hold the pattern."""
"""What the counting functions do with NaN: raise, or split the series at each gap."""


# ----------------------------------------------------------------------------- kernels


@njit(cache=True)
def _encode_block(series, keys, first_window, order, delay, codes, mark_ties):
    """Write the Lehmer codes of windows ``first_window … first_window + len(codes)``.

    Equal samples are ordered by time, or by ``keys`` (one per sample) when it is not empty
    (``ties="random"``). With ``mark_ties`` (and no keys) every equal pair of samples also adds
    :data:`TIE_MARK` to its window's code, in the same pass over the samples (one output stream
    vectorises best): ``code & CODE_MASK`` is then the pattern, ``code >= TIE_MARK`` the tie.
    """
    n_codes = codes.size
    codes[:] = 0
    track_ties = mark_ties and keys.size == 0
    weight = 1
    for i in range(order - 2, -1, -1):
        reference_start = first_window + i * delay
        reference = series[reference_start : reference_start + n_codes]
        for j in range(i + 1, order):
            other_start = first_window + j * delay
            other = series[other_start : other_start + n_codes]
            if keys.size:
                reference_keys = keys[reference_start : reference_start + n_codes]
                other_keys = keys[other_start : other_start + n_codes]
                for k in range(n_codes):
                    smaller = other[k] < reference[k] or (
                        other[k] == reference[k] and other_keys[k] < reference_keys[k]
                    )
                    codes[k] += weight if smaller else 0
            elif track_ties:
                for k in range(n_codes):
                    codes[k] += (weight if other[k] < reference[k] else 0) + (
                        TIE_MARK if other[k] == reference[k] else 0
                    )
            else:
                for k in range(n_codes):
                    codes[k] += weight if other[k] < reference[k] else 0
        weight *= order - i


@njit(cache=True)
def _encode(series, keys, table, first_window, order, delay, codes, mark_ties):
    """Write the pattern codes of a block of windows in the tie mode that ``keys``/``table`` set.

    A non-empty ``table`` selects ``ties="own"`` (weak-ordering codes),
    non-empty ``keys`` ``ties="random"``, both empty ``ties="stable"`` (whose codes carry
    :data:`TIE_MARK` per tied pair with ``mark_ties``, see :func:`_encode_block`).
    """
    if table.size:
        _encode_weak_block(series, first_window, order, delay, codes, table)
    else:
        _encode_block(series, keys, first_window, order, delay, codes, mark_ties)


@njit(cache=True)
def _mark_tied_block(series, first_window, order, delay, has_tie):
    """Set ``has_tie[k]`` to whether window ``first_window + k`` holds two equal samples.

    Pairs of window positions are compared over the block (as :func:`_encode_block` does), which
    the compiler vectorises.
    """
    n_block = has_tie.size
    has_tie[:] = False
    for i in range(order - 1):
        reference = series[first_window + i * delay : first_window + i * delay + n_block]
        for j in range(i + 1, order):
            other = series[first_window + j * delay : first_window + j * delay + n_block]
            for k in range(n_block):
                has_tie[k] |= reference[k] == other[k]


@njit(cache=True)
def _contains_non_finite(rows):
    """Return whether any element is NaN or ±inf (no temporary array, unlike ``np.isfinite``).

    ``value · 0`` is NaN exactly for NaN and ±inf; testing it is as fast as the NaN test
    alone (``math.isfinite`` costs ~15 % more on 10⁷ samples).
    """
    for value in rows.flat:
        product = value * 0.0
        if product != product:
            return True
    return False


@njit(cache=True)
def _inside_segment(nan_before, start, span):
    """Whether samples ``start … start + span`` hold no NaN (always, without a NaN table)."""
    if nan_before.size == 0:
        return True
    return nan_before[start + span + 1] == nan_before[start]


@njit(cache=True, parallel=True)
def _count_patterns_kernel(rows, keys, table, order, delays, nan_before, counts, tied):
    """Add the pattern counts of every row and delay into ``counts[row, delay_index]``.

    ``nan_before[row, i]`` is the number of NaN in ``rows[row, :i]`` (shape (rows, length + 1)),
    or an empty table when no row holds NaN; windows spanning a NaN are not counted. ``keys``
    (rows, length) and ``table`` select the tie mode (:func:`_encode`). When ``tied`` is not
    empty, the counted windows holding a tie are added into ``tied[row, delay_index]``.
    """
    n_rows, length = rows.shape
    n_delays = delays.size
    for task in prange(n_rows * n_delays):
        row = task // n_delays
        delay_index = task % n_delays
        delay = delays[delay_index]
        series = rows[row]
        row_keys = keys[row] if keys.shape[0] else np.empty(0, dtype=np.int64)
        gaps = nan_before[row] if nan_before.shape[0] else np.empty(0, dtype=np.int64)
        table_row = counts[row, delay_index]
        span = (order - 1) * delay
        n_windows = length - span
        codes = np.empty(BLOCK_WINDOWS, dtype=np.int64)
        mark_ties = tied.size > 0
        for first in range(0, n_windows, BLOCK_WINDOWS):
            n_block = min(BLOCK_WINDOWS, n_windows - first)
            block = codes[:n_block]
            _encode(series, row_keys, table, first, order, delay, block, mark_ties)
            for k in range(n_block):
                if _inside_segment(gaps, first + k, span):
                    table_row[block[k] & CODE_MASK] += 1
                    if mark_ties:
                        tied[row, delay_index] += block[k] >= TIE_MARK


@njit(cache=True, parallel=True)
def _tied_windows_kernel(rows, order, delays, nan_before, tied, windows):
    """Count windows (``windows``) and windows holding two equal samples (``tied``)."""
    n_rows, length = rows.shape
    n_delays = delays.size
    for task in prange(n_rows * n_delays):
        row = task // n_delays
        delay_index = task % n_delays
        delay = delays[delay_index]
        series = rows[row]
        gaps = nan_before[row] if nan_before.shape[0] else np.empty(0, dtype=np.int64)
        span = (order - 1) * delay
        n_windows = length - span
        has_tie = np.empty(BLOCK_WINDOWS, dtype=np.bool_)
        for first in range(0, n_windows, BLOCK_WINDOWS):
            n_block = min(BLOCK_WINDOWS, n_windows - first)
            block = has_tie[:n_block]
            _mark_tied_block(series, first, order, delay, block)
            for k in range(n_block):
                if _inside_segment(gaps, first + k, span):
                    windows[row, delay_index] += 1
                    tied[row, delay_index] += block[k]


@njit(cache=True)
def _weighted_counts_kernel(pattern_rows, keys, table, value_rows, order, delay, weights):
    """Add each window's variance (of ``value_rows``) to ``weights[row, code]``.

    Codes come from ``pattern_rows`` (the values, possibly tie-rounded), in the tie mode that
    ``keys`` and ``table`` select (:func:`_encode`).
    """
    n_rows, length = value_rows.shape
    n_windows = length - (order - 1) * delay
    codes = np.empty(BLOCK_WINDOWS, dtype=np.int64)
    for row in range(n_rows):
        series = value_rows[row]
        for first in range(0, n_windows, BLOCK_WINDOWS):
            n_block = min(BLOCK_WINDOWS, n_windows - first)
            block = codes[:n_block]
            row_keys = keys[row] if keys.shape[0] else np.empty(0, dtype=np.int64)
            _encode(pattern_rows[row], row_keys, table, first, order, delay, block, False)
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


def _check_order(order, n_tables=1, ties="stable"):
    order = _checks.integer(order, "order", 2)
    n_states = pattern_state_count(min(order, 21), _check_ties(ties))
    table_bytes = 8 * n_tables * n_states
    if order > 20 or table_bytes > MAX_COUNT_TABLE_BYTES:
        raise ValueError(
            f"order: {n_states} patterns at order {_checks.shown(order)} need "
            f"{table_bytes / 2**30:.3g} GiB of counts for {n_tables} series "
            f"(limit {MAX_COUNT_TABLE_BYTES / 2**30:g} GiB); use a smaller order"
        )
    return order


def _check_delays(delay):
    """Return the delays as a 1-D int64 array and whether ``delay`` was a single number."""
    if isinstance(delay, int) and not isinstance(delay, bool):  # the common case, fast
        delay = _checks.integer(delay, "delay", 1, _checks.EXACT_INTEGER_LIMIT - 1)
        return np.array([delay], dtype=np.int64), True
    delays = np.atleast_1d(_checks.whole_numbers(delay, "delay", 1))
    if delays.ndim != 1 or delays.size == 0:
        raise ValueError(
            f"delay: must be an integer or a 1-D sequence of integers (got {_checks.shown(delay)})"
        )
    return delays.astype(np.int64), np.ndim(delay) == 0


def _check_nan_policy(nan):
    if not (isinstance(nan, str) and nan in NAN_POLICIES):
        raise ValueError(f"nan: must be one of {NAN_POLICIES} (got {_checks.shown(nan)})")
    return nan


def _nan_table(rows):
    """``nan_before[row, i]`` = NaN in ``rows[row, :i]``; an empty table when there is none."""
    missing = np.isnan(rows)
    if not missing.any():
        return np.zeros((0, 0), dtype=np.int64)
    table = np.zeros((rows.shape[0], rows.shape[1] + 1), dtype=np.int64)
    np.cumsum(missing, axis=1, out=table[:, 1:])
    return table


def _prepare_rows(x, order, delays, axis, tie_tolerance, nan="refuse"):
    """Validate ``x`` and return it as a C-contiguous float64 (rows, length) array.

    ``x`` must be real and finite (NaN allowed with ``nan="split"``); integer values must lie
    within ±2**53 (exact in float64, so no two of them tie by rounding).
    """
    split = _check_nan_policy(nan) == "split"
    x = _checks.as_real_array(x, "x")
    if x.ndim == 0:
        raise ValueError("x: must have at least one dimension")
    if (
        x.dtype.kind in "iu"
        and x.size
        and (x.max() >= _checks.EXACT_INTEGER_LIMIT or x.min() <= -_checks.EXACT_INTEGER_LIMIT)
    ):
        raise ValueError("x: integers beyond ±2**53 would be rounded (and tied) in float64")
    x = np.moveaxis(x, _checks.axis_index(axis, x.ndim), -1)
    batch_shape = x.shape[:-1]
    length = x.shape[-1]
    needed = (order - 1) * int(delays.max()) + 1
    if length < needed:
        raise ValueError(
            f"x: series of length {length} is shorter than (order-1)*delay+1 = {needed}"
        )
    rows = np.ascontiguousarray(x.reshape(-1, length), dtype=np.float64)
    if split and np.isinf(rows).any():
        raise ValueError("x: contains ±inf; its ordinal patterns are undefined")
    if not split and _contains_non_finite(rows):
        raise ValueError(
            "x: contains NaN or ±inf; their ordinal patterns are undefined "
            "(nan='split' counts the finite segments between NaN)"
        )
    if tie_tolerance is not None:
        tie_tolerance = _checks.positive_scalar(tie_tolerance, "tie_tolerance")
        with np.errstate(over="ignore"):
            rows = np.round(rows / tie_tolerance)
        if np.isinf(rows).any():
            raise ValueError(
                f"tie_tolerance: {tie_tolerance:g} is too small for the values of x "
                "(x / tie_tolerance overflows float64)"
            )
    _check_order(order, rows.shape[0] * delays.size)
    return rows, batch_shape


def _tie_inputs(rows, order, ties, seed):
    """Return the (keys, table) pair that selects ``ties`` in :func:`_encode`."""
    no_keys = np.zeros((0, 0), dtype=np.int64)
    no_table = np.zeros(0, dtype=np.int32)
    if _check_ties(ties) == "own":
        return no_keys, _weak_order_codes(order)
    if ties == "random":
        return _random_keys(rows, seed), no_table
    return no_keys, no_table


def _counts(x, order, delay, axis, tie_tolerance, nan="refuse", ties="stable", seed=None):
    """Return counts shaped (..., n_delays, n_states) and whether ``delay`` was a scalar.

    With ``ties="stable"`` a :class:`~analysis.ordinal.TiedSeriesWarning` is emitted when a
    series has more tied windows than :data:`~analysis.ordinal.TIE_WARNING_FRACTION`.
    """
    order = _check_order(order, ties=ties)
    delays, scalar_delay = _check_delays(delay)
    rows, batch_shape = _prepare_rows(x, order, delays, axis, tie_tolerance, nan)
    _check_order(order, rows.shape[0] * delays.size, ties)  # before any table is allocated
    keys, table = _tie_inputs(rows, order, ties, seed)
    n_states = pattern_state_count(order, ties)
    counts = np.zeros((rows.shape[0], delays.size, n_states), dtype=np.int64)
    tied = np.zeros((rows.shape[0], delays.size) if ties == "stable" else (0, 0), np.int64)
    _count_patterns_kernel(rows, keys, table, order, delays, _nan_table(rows), counts, tied)
    if tied.size:
        windows = counts.sum(axis=-1)
        _warn_if_tied(tied[windows > 0] / windows[windows > 0])
    return counts.reshape(batch_shape + counts.shape[1:]), scalar_delay


def _squeeze_delay(values, scalar_delay):
    values = values[..., 0] if scalar_delay else values
    return values[()] if np.ndim(values) == 0 else values


# ----------------------------------------------------------------------------- patterns


def ordinal_patterns(x, order=3, delay=1, tie_tolerance=None, ties="stable", seed=None):
    """Return the ordinal pattern code of every window of a 1-D series.

    Parameters
    ----------
    x : array_like, shape (n,)
        Real-valued, finite series.
    order : int, optional
        Embedding dimension (window length) ``>= 2``.
    delay : int, optional
        Embedding delay ``>= 1`` (samples between window elements).
    tie_tolerance : float, optional
        Round values to multiples of this (units of ``x``, finite and > 0)
        before comparing (ties then go by ``ties``).
    ties : {"stable", "own", "random"}, optional
        How equal samples are ordered (:mod:`analysis.ordinal.ties`): by time (default, the
        papers'), as patterns of their own (``order!`` becomes the ordered Bell number), or at
        random with the generator seeded by ``seed``.
    seed : int, numpy.random.SeedSequence or numpy.random.Generator, optional
        Seed of the tie-breaking keys; required with ``ties="random"``, unused otherwise.

    Returns
    -------
    ndarray of int64, shape (n − (order−1)·delay,)
        Lehmer codes in ``[0, order!)`` (module docstring); with ``ties="own"``, tied windows
        get the codes ``order!`` up to the ordered Bell number (:mod:`analysis.ordinal.ties`).

    Raises
    ------
    ValueError
        If ``x`` is not real or not 1-D, holds NaN or ±inf (or integers beyond
        ±2**53), or is shorter than ``(order−1)·delay + 1``; if ``order`` is not
        an integer >= 2 (whose ``order!`` table fits :data:`MAX_COUNT_TABLE_BYTES`);
        if ``delay`` is not a single integer >= 1; or if ``tie_tolerance`` is not
        finite and > 0 or too small for the values; if ``ties`` is not one of
        :data:`~analysis.ordinal.TIE_MODES` (``"own"``: order <= 8), or ``seed`` is missing
        with ``ties="random"``.
    """
    order = _check_order(order, ties=ties)
    delays, scalar_delay = _check_delays(delay)
    if not scalar_delay:
        raise ValueError("delay: must be a single integer for ordinal_patterns")
    x = _checks.as_real_array(x, "x")
    if x.ndim != 1:
        raise ValueError(f"x: must be 1-D (got {x.ndim} dimensions)")
    rows, _ = _prepare_rows(x, order, delays, -1, tie_tolerance)
    keys, table = _tie_inputs(rows, order, ties, seed)
    codes = np.empty(rows.shape[1] - (order - 1) * int(delays[0]), dtype=np.int64)
    row_keys = keys[0] if keys.size else np.zeros(0, dtype=np.int64)
    _encode(rows[0], row_keys, table, 0, order, int(delays[0]), codes, False)
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
        If a code is not a whole number in ``[0, order!)``, or ``order`` is not
        an integer >= 2 (whose table fits :data:`MAX_COUNT_TABLE_BYTES`).
    """
    order = _check_order(order)
    codes = _checks.whole_numbers(codes, "codes")
    if np.any(codes >= math.factorial(order)):
        raise ValueError(f"codes: must lie in [0, {order}!)")
    codes = codes.astype(np.int64)
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


def pattern_counts(
    x, order=5, delay=1, axis=-1, tie_tolerance=None, nan="refuse", ties="stable", seed=None
):
    """Return how often each ordinal pattern occurs.

    Parameters
    ----------
    x : array_like
        Real-valued, finite series along ``axis`` (any leading shape).
    order : int, optional
        Embedding dimension ``>= 2``; the table has ``order!`` entries.
    delay : int or sequence of int, optional
        Embedding delay(s) ``>= 1``.  A sequence adds an axis of that length
        before the pattern axis; all delays are counted in one compiled call.
    axis : int, optional
        Time axis of ``x`` (default last).
    tie_tolerance : float, optional
        Round values to multiples of this before comparing.
    nan : {"refuse", "split"}, optional
        ``"refuse"`` (default) raises on NaN; ``"split"`` counts the windows of each
        contiguous finite segment and pools them (module docstring).
    ties : {"stable", "own", "random"}, optional
        How equal samples are ordered (:mod:`analysis.ordinal.ties`): by time (default, the
        papers'), as patterns of their own (``order!`` becomes the ordered Bell number), or at
        random with the generator seeded by ``seed``.
    seed : int, numpy.random.SeedSequence or numpy.random.Generator, optional
        Seed of the tie-breaking keys; required with ``ties="random"``, unused otherwise.

    Returns
    -------
    ndarray of int64, shape (..., [n_delays,] n_states)
        Counts indexed by pattern code (``n_states`` = ``order!``, or
        :func:`~analysis.ordinal.pattern_state_count` with ``ties="own"``); they sum to
        ``n − (order−1)·delay`` (fewer with ``nan="split"``: the windows that span no NaN).

    Warns
    -----
    TiedSeriesWarning
        With ``ties="stable"``, if more than :data:`~analysis.ordinal.TIE_WARNING_FRACTION` of
        a series' windows hold tied samples.

    Raises
    ------
    ValueError
        If ``x`` is not real, is 0-d, holds ±inf, NaN (unless ``nan="split"``) or
        integers beyond ±2**53, or is shorter than ``(order−1)·max(delay) + 1``
        along ``axis``; if ``axis`` is not an axis of ``x``; if ``order`` is not
        an integer >= 2 or its tables exceed :data:`MAX_COUNT_TABLE_BYTES`; if
        ``delay`` is not an integer >= 1 or a non-empty 1-D sequence of them; if
        ``tie_tolerance`` is not finite and > 0 or too small for the values; or
        if ``nan`` is not one of :data:`NAN_POLICIES`; if ``ties`` is not one of
        :data:`~analysis.ordinal.TIE_MODES` (``"own"``: order <= 8); or if ``seed`` is missing
        or invalid with ``ties="random"``.
    """
    counts, scalar_delay = _counts(x, order, delay, axis, tie_tolerance, nan, ties, seed)
    return counts[..., 0, :] if scalar_delay else counts


def tie_fraction(x, order=5, delay=1, axis=-1, tie_tolerance=None, nan="refuse"):
    """Return the share of windows holding at least two equal samples (ties).

    Ties are ordered by time (module docstring of :mod:`analysis.ordinal`), so many ties bias
    the distribution toward the patterns that put earlier samples lower: quantised data (counts,
    values printed to few digits) should report this share next to H and C.

    Parameters
    ----------
    x, order, delay, axis, tie_tolerance, nan
        As for :func:`pattern_counts` (with ``tie_tolerance``, values in the same bin tie).

    Returns
    -------
    float or ndarray of float, shape (..., [n_delays])
        Tied windows / windows, in [0, 1]; NaN where no window spans no NaN (``nan="split"``
        with every segment shorter than a window).

    Raises
    ------
    ValueError
        As for :func:`pattern_counts`.
    """
    order = _check_order(order)
    delays, scalar_delay = _check_delays(delay)
    rows, batch_shape = _prepare_rows(x, order, delays, axis, tie_tolerance, nan)
    tied = np.zeros((rows.shape[0], delays.size), dtype=np.int64)
    windows = np.zeros_like(tied)
    _tied_windows_kernel(rows, order, delays, _nan_table(rows), tied, windows)
    with np.errstate(invalid="ignore"):
        fraction = tied / windows
    return _squeeze_delay(fraction.reshape(batch_shape + (delays.size,)), scalar_delay)


def missing_patterns(
    x, order=5, delay=1, axis=-1, tie_tolerance=None, nan="refuse", ties="stable", seed=None
):
    """Return the number of ordinal patterns that never occur (forbidden patterns).

    Parameters
    ----------
    x, order, delay, axis, tie_tolerance, nan, ties, seed
        As for :func:`pattern_counts`.

    Returns
    -------
    int or ndarray of int
        Number of the ``order!`` patterns (:func:`~analysis.ordinal.pattern_state_count` with
        ``ties="own"``) with zero count; divide by that number for the fraction.
        Deterministic chaos has forbidden patterns; finite noise has missing patterns only by chance
        (when ``n_windows`` is not much larger than ``order!``).

    Raises
    ------
    ValueError
        As for :func:`pattern_counts`.
    """
    counts, scalar_delay = _counts(x, order, delay, axis, tie_tolerance, nan, ties, seed)
    return _squeeze_delay(np.sum(counts == 0, axis=-1), scalar_delay)
