"""Tied samples in ordinal windows: tie modes, tied-pattern codes and the tie warning.

Tie modes (the ``ties=`` argument of the counting functions)
    ``"stable"`` (default; Bandt & Pompe, PECCARY, ordpy)
        Equal samples are ordered by time: an earlier sample counts as smaller. Every tied
        window becomes one of the ``order!`` strict patterns, so heavily tied data (counts,
        coarse quantisation) pile up on the patterns that put earlier samples lower: H falls
        and C rises (Zunino et al., Phys. Lett. A 381, 1883, 2017). i.i.d. integers in
        {0, 1, 2} read H = 0.852, C = 0.224 at order 5 (complex for
        :func:`~analysis.ordinal.classify`), far from the H = 1 of their exchangeable windows.
    ``"own"`` (modified permutation entropy, Bian et al., Phys. Rev. E 85, 021906, 2012)
        A tied window is its own pattern: patterns are the weak orderings of the window, whose
        number is the ordered Bell (Fubini) number 1, 3, 13, 75, 541, 4683, 47293, 545835 for
        ``order`` = 1 … 8. H is normalised by ln of that number and C uses the uniform
        distribution on it, so the CH-plane bounds and PECCARY's periodic entropies are those of
        that state count (``ties="own"`` in :mod:`analysis.ordinal.plane`). Tie-free data give
        the same counts as ``"stable"`` (codes below ``order!`` are the Lehmer codes, tied
        patterns get codes ``order!`` and up) and the same unnormalised entropy, but the
        normalised H is smaller by the factor ``ln(order!)/ln(Fubini(order))`` (0.761 at
        order 5). Quantised noise keeps its ties as information but does not look like noise:
        m distinct values allow only the weak orderings with at most m levels (i.i.d. integers
        in {0, 1, 2}: 1 in 5 of the 541 states at order 5, H = 0.806, C = 0.389, complex).
    ``"random"``
        Ties are broken at random: every sample gets a random key (a uniform 62-bit integer from
        a generator seeded by ``seed``) and equal samples are ordered by their keys. The state
        count stays ``order!``. For exchangeable data (i.i.d. draws, tied or not) every pattern
        becomes equally likely, H → 1 (the integers above: 0.9996, stochastic); tie-free data
        give exactly the ``"stable"`` counts. Overlapping windows share their samples' keys, as
        they share the samples.
"""

import functools
import math
import warnings

import numpy as np
from numba import njit

from .. import _checks

TIE_MODES = ("stable", "own", "random")
"""How the counting functions order equal samples in a window (module docstring)."""

MAX_STATE_COUNT_ORDER = 100
"""Largest ``order`` whose number of patterns :func:`pattern_state_count` computes."""

MAX_OWN_ORDER = 8
"""Largest ``order`` for ``ties="own"`` (its code table has ``order**order`` entries)."""

TIE_WARNING_FRACTION = 0.01
"""Share of tied windows above which :class:`TiedSeriesWarning` is emitted (``ties="stable"``).

Stable tie-breaking can move at most the tied share ``f`` of the pattern distribution; by the
continuity bound of the Shannon entropy (Audenaert 2007) the normalised H moves by at most
``[f ln(N − 1) + h(f)] / ln N`` (``N = order!``, ``h`` the binary entropy): 0.022 at order 5 for
``f = 0.01``, already ten times the plug-in bias of H for 10⁴ windows of white noise (0.0012).
Above 1 % the bias can therefore exceed the statistical resolution of a typical series, and
Zunino et al. (Phys. Lett. A 381, 1883, 2017) show that such shares of equal values already
produce spurious temporal structure in uncorrelated data.
"""


class TiedSeriesWarning(UserWarning):
    """A series has more tied windows than :data:`TIE_WARNING_FRACTION` (stable tie-breaking)."""


def _check_ties(ties):
    """Return ``ties`` checked to be one of :data:`TIE_MODES`."""
    if not (isinstance(ties, str) and ties in TIE_MODES):
        raise ValueError(f"ties: must be one of {TIE_MODES} (got {_checks.shown(ties)})")
    return ties


def ordered_bell_number(order):
    """Return the number of weak orderings of ``order`` items (ordered Bell / Fubini number).

    Parameters
    ----------
    order : int
        Window length in ``[0, MAX_STATE_COUNT_ORDER]``.

    Returns
    -------
    int
        ``Σ_k k! S(order, k)`` with ``S`` the Stirling numbers of the second kind: 1, 1, 3, 13,
        75, 541, 4683 for ``order`` = 0 … 6.

    Raises
    ------
    ValueError
        If ``order`` is not an integer in ``[0, MAX_STATE_COUNT_ORDER]``.
    """
    order = _checks.integer(order, "order", 0, MAX_STATE_COUNT_ORDER)
    counts = [1]  # a(m) = Σ_{j=1..m} C(m, j) a(m − j): choose the items tied at the lowest rank
    for m in range(1, order + 1):
        counts.append(sum(math.comb(m, j) * counts[m - j] for j in range(1, m + 1)))
    return counts[order]


def pattern_state_count(order, ties="stable"):
    """Return the number of ordinal patterns at ``order``: ``order!``, or weak orderings.

    Parameters
    ----------
    order : int
        Embedding dimension in ``[1, MAX_STATE_COUNT_ORDER]``.
    ties : {"stable", "own", "random"}, optional
        Tie mode (module docstring); ``"own"`` counts tied patterns as states too.

    Returns
    -------
    int
        ``order!`` for ``"stable"``/``"random"``; the ordered Bell number for ``"own"``
        (541 at order 5).

    Raises
    ------
    ValueError
        If ``order`` is not an integer in ``[1, MAX_STATE_COUNT_ORDER]`` or ``ties`` is not one
        of :data:`TIE_MODES`.
    """
    order = _checks.integer(order, "order", 1, MAX_STATE_COUNT_ORDER)
    if _check_ties(ties) == "own":
        return ordered_bell_number(order)
    return math.factorial(order)


@njit(cache=True)
def _build_weak_order_codes(order, table):
    """Fill ``table[hash]`` with the code of each weak ordering (−1 for hashes that are none).

    The hash of a window is ``Σ_i d_i order^(order−1−i)``, ``d_i`` the number of distinct window
    values below sample ``i`` (dense rank). Strict orderings get their Lehmer code
    ``Σ_i L_i (order−1−i)!`` (``L_i`` = later samples with a lower rank), the others the codes
    ``order!``, ``order! + 1`` … in increasing hash order.
    """
    digits = np.empty(order, dtype=np.int64)
    present = np.empty(order, dtype=np.bool_)
    factorial = 1
    for i in range(2, order + 1):
        factorial *= i
    next_tied = factorial
    for value in range(table.size):
        remainder = value
        for i in range(order - 1, -1, -1):
            digits[i] = remainder % order
            remainder //= order
        present[:] = False
        highest = 0
        for i in range(order):
            present[digits[i]] = True
            highest = max(highest, digits[i])
        surjective = True
        for level in range(highest + 1):
            surjective &= present[level]
        if not surjective:
            table[value] = -1
        elif highest == order - 1:
            code = 0
            weight = 1
            for i in range(order - 2, -1, -1):
                for j in range(i + 1, order):
                    code += weight if digits[j] < digits[i] else 0
                weight *= order - i
            table[value] = code
        else:
            table[value] = next_tied
            next_tied += 1


@functools.lru_cache(maxsize=8)
def _weak_order_codes(order):
    """Return the read-only table from dense-rank hash to pattern code for ``ties="own"``.

    int32 (the codes stay below 545 835), 67 MB at order 8.
    """
    if order > MAX_OWN_ORDER:
        raise ValueError(
            f"order: ties='own' supports order <= {MAX_OWN_ORDER} (got {order}; its code table "
            f"would hold {order}**{order} entries)"
        )
    table = np.empty(order**order, dtype=np.int32)
    _build_weak_order_codes(order, table)
    table.setflags(write=False)
    return table


@njit(cache=True)
def _encode_weak_block(series, first_window, order, delay, codes, table):
    """Write the weak-ordering codes (``ties="own"``) of windows ``first_window …``.

    The dense rank of sample ``i`` counts the window values below it once each: the samples
    ``j`` whose value is smaller and first seen at ``j`` (no earlier equal sample).
    """
    window = np.empty(order)
    first_seen = np.empty(order, dtype=np.bool_)
    for k in range(codes.size):
        for i in range(order):
            window[i] = series[first_window + k + i * delay]
        for j in range(order):
            first_seen[j] = True
            for m in range(j):
                if window[m] == window[j]:
                    first_seen[j] = False
        value = 0
        for i in range(order):
            dense_rank = 0
            for j in range(order):
                dense_rank += 1 if first_seen[j] and window[j] < window[i] else 0
            value = value * order + dense_rank
        codes[k] = table[value]


def _random_keys(rows, seed):
    """Return per-sample tie-breaking keys: independent uniform 62-bit integers.

    Two samples of a window share a key with probability 2**-62 (then time orders them), so
    for any realistic series every tie is broken at random; drawing integers costs ~20 times
    less than a random permutation of the indices. Row i takes the i-th block of the stream, so a
    series' keys depend on its row in the batch as well as on the seed.

    Parameters
    ----------
    rows : ndarray, shape (rows, length)
        The series (only the shape is used).
    seed : int, numpy.random.SeedSequence or numpy.random.Generator
        Seed of the generator (required: no global random state).

    Returns
    -------
    ndarray of int64, shape rows.shape
    """
    if seed is None:
        raise ValueError("seed: ties='random' needs a seed (an int, SeedSequence or Generator)")
    try:
        rng = np.random.default_rng(seed)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"seed: not a valid seed (got {_checks.shown(seed)})") from None
    return rng.integers(0, 2**62, size=rows.shape, dtype=np.int64)


def _warn_if_tied(tied_share, what="x"):
    """Emit :class:`TiedSeriesWarning` if any share of tied windows exceeds the threshold."""
    tied_share = np.asarray(tied_share, dtype=np.float64)
    if np.any(tied_share > TIE_WARNING_FRACTION):
        warnings.warn(
            f"{what}: up to {100 * np.nanmax(tied_share):.3g} % of the ordinal windows hold tied "
            f"samples (warned above {100 * TIE_WARNING_FRACTION:g} %); stable tie-breaking "
            "biases H down and C up "
            "(use ties='own' or ties='random')",
            TiedSeriesWarning,
            stacklevel=4,
        )
