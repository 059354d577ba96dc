"""Histograms of the heading alignment ``(1 + ê_i·ê_j)/2`` over pairs, without a pair list.

The velocity-correlation entropies bin the alignment of pairs of agents: of the neighbours
within the perception radius (corrected, :mod:`sims.couzin.neighbourhood`) or of all
N(N-1)/2 pairs (the paper's reference, :func:`all_pairs_counts`). The counts are accumulated
directly, as ``numpy.histogram`` would count the values, bin for bin:

* a value is binned against the edges of ``numpy.histogram_bin_edges`` (bin m holds
  ``e_m <= v < e_(m+1)``, the last bin also ``v = e_M``); the bin is first read off
  ``(v - e_0) M / (e_M - e_0)`` in a loop the compiler vectorises, and only values within
  ``EDGE_WINDOW`` of a bin width of an inner edge are compared with the edges themselves;
* ``ê_i·ê_j`` is summed as numpy's ``einsum("ij,ij->i", ...)`` sums three products (its SIMD
  loop adds x and z first, then y), so the values, hence the counts, are those of the
  previous numpy code. The paper's all-pairs values came from a matrix product (BLAS, whose
  rounding depends on the CPU); they may differ from these in the last bit, which moves a
  pair to a neighbouring bin only if it lies within an ulp of an edge.
"""

import numba as nb
import numpy as np

EDGE_WINDOW = 1e-9  # bin widths: closer than this to an inner edge, compare with the edges
UNSURE = -1  # code of a value to be compared with the edges
LANES = 4  # independent sub-histograms, so that consecutive increments do not wait on each other
ROWS_PER_TASK = 64  # rows of the all-pairs loop per task of the threaded version


def bin_edges(bins: int, low: float, high: float) -> np.ndarray:
    """Edges of ``bins`` equal bins on [low, high], exactly those of ``numpy.histogram``."""
    return np.histogram_bin_edges(np.empty(0), bins=bins, range=(low, high))


@nb.njit(cache=True, inline="always")
def alignment_of(ax, ay, az, bx, by, bz):
    """``(1 + a·b)/2``, the dot product summed as numpy's einsum sums it: ``(x + z) + y``."""
    return 0.5 * (1.0 + ((ax * bx + az * bz) + ay * by))


@nb.njit(cache=True, inline="always")
def bin_code(value, low, scale, bins):
    """Bin of ``value`` (inside [low, high]) or UNSURE if it is near an inner edge.

    Branch-free, for vectorised loops; ``scale`` is ``bins / (high - low)``.
    """
    position = (value - low) * scale
    whole = np.int64(position)
    fraction = position - whole
    near_lower = (fraction < EDGE_WINDOW) & (whole >= 1) & (whole <= bins - 1)
    near_upper = (fraction > 1.0 - EDGE_WINDOW) & (whole <= bins - 2)
    return UNSURE if near_lower | near_upper else min(whole, bins - 1)


@nb.njit(cache=True)
def exact_bin(value, edges):
    """Bin of ``value`` (inside [edges[0], edges[-1]]) against the edges, as numpy bins it."""
    bins = edges.shape[0] - 1
    scale = bins / (edges[bins] - edges[0])
    whole = min(max(np.int64((value - edges[0]) * scale), 0), bins - 1)
    if value < edges[whole]:
        return whole - 1
    if whole < bins - 1 and value >= edges[whole + 1]:
        return whole + 1
    return whole


@nb.njit(cache=True, inline="always")
def tally(codes, values, size, edges, counts):
    """Add the first ``size`` codes to ``counts`` (LANES, codes).

    A code -1 - m (UNSURE is -1) stands for the exact bin of the value (:func:`exact_bin`)
    plus m bins, so that callers may lay several histograms side by side.
    """
    bins = edges.shape[0] - 1
    whole = size - size % LANES
    # written out rather than through a helper taking the arrays, which costs a reference
    # count per call
    for t in range(0, whole, LANES):
        for lane in range(LANES):
            code = codes[t + lane]
            if code < 0:
                code = exact_bin(values[t + lane], edges) + (-1 - code) * bins
            counts[lane, code] += 1
    for t in range(whole, size):
        code = codes[t]
        if code < 0:
            code = exact_bin(values[t], edges) + (-1 - code) * bins
        counts[0, code] += 1


@nb.njit(cache=True, inline="always")
def _row_codes(headings, i, edges, codes, values):
    """Codes of the pairs (i, j > i): the bin, or ``bins`` (not counted) out of range."""
    bins = edges.shape[0] - 1
    low, high = edges[0], edges[bins]
    scale = bins / (high - low)
    hx, hy, hz = headings[0, i], headings[1, i], headings[2, i]
    # unsigned indices: no negative-index wraparound, so the loop vectorises
    begin = np.uint64(i + 1)
    for j in range(begin, np.uint64(headings.shape[1])):
        value = alignment_of(hx, hy, hz, headings[0, j], headings[1, j], headings[2, j])
        inside = (value >= low) & (value <= high)
        values[j - begin] = value
        codes[j - begin] = bin_code(value, low, scale, bins) if inside else bins


@nb.njit(cache=True)
def _all_pairs_rows(headings, first, last, edges):
    """Counts (LANES, bins + 1) of the rows ``first <= i < last`` and their mirror rows.

    Row i (pairs with j > i) is taken with row N - 1 - i, so that every task does the same
    work.
    """
    n = headings.shape[1]
    bins = edges.shape[0] - 1
    counts = np.zeros((LANES, bins + 1), dtype=np.int64)
    codes = np.empty(n, dtype=np.int64)
    values = np.empty(n)
    for i in range(first, last):
        _row_codes(headings, i, edges, codes, values)
        tally(codes, values, n - i - 1, edges, counts)
        mirror = n - 1 - i
        if mirror > i:  # not the middle row of an odd N
            _row_codes(headings, mirror, edges, codes, values)
            tally(codes, values, n - mirror - 1, edges, counts)
    return counts


@nb.njit(cache=True)
def all_pairs_counts(headings, edges):
    """Histogram of the alignment of all pairs i < j (values outside the edges are left out).

    Parameters
    ----------
    headings : (3, N) float64
        Unit headings, one row per component.
    edges : (bins + 1,) float64
        Bin edges (from :func:`bin_edges`).

    Returns
    -------
    (bins,) int64
        Pairs per bin. O(N²) time, O(N) memory.
    """
    half = (headings.shape[1] + 1) // 2
    return _all_pairs_rows(headings, 0, half, edges).sum(axis=0)[:-1]


@nb.njit(cache=True, parallel=True)
def all_pairs_counts_threaded(headings, edges):
    """As :func:`all_pairs_counts`, rows shared among threads (the same counts)."""
    half = (headings.shape[1] + 1) // 2
    tasks = (half + ROWS_PER_TASK - 1) // ROWS_PER_TASK
    counts = np.zeros(edges.shape[0], dtype=np.int64)
    for task in nb.prange(tasks):
        first = task * ROWS_PER_TASK
        counts += _all_pairs_rows(headings, first, min(first + ROWS_PER_TASK, half), edges).sum(
            axis=0
        )
    return counts[:-1]
