"""Coarse-grained Boltzmann entropy from occupation numbers, and the multinomial count W.

A macrostate is a list of occupation numbers ``n_i`` of ``M`` phase-space cells
of volume ``|Δ_i|``.  For ``N = Σ n_i`` indistinguishable particles (classical,
corrected Boltzmann counting) the phase-space volume of the macrostate is
``Π |Δ_i|^{n_i} / n_i!`` and its Boltzmann entropy, in units of k_B (nats), is::

    S = Σ_i [ n_i ln|Δ_i| − ln n_i! ]                         (exact, lgamma)
    S ≈ −Σ_i n_i ln(n_i / |Δ_i|) + N                          (Stirling / H-function form)

For distinguishable particles the number of microstates of one macrostate is
the multinomial coefficient ``W = N! / Π n_i!``, with
``ln W = N·H − O(M ln N)`` where ``H`` is the Shannon entropy of ``n_i / N``.
The exact bounds ``exp(N·H) / (N+1)^(M−1) ≤ W ≤ exp(N·H)`` (method of types,
Cover & Thomas, *Elements of Information Theory*, Thm. 11.1.3, with the number
of types bounded by ``(N+1)^(M−1)``) are returned in log form by
:func:`shannon_duality`.

All entropies are in nats (natural logarithms, k_B = 1); divide by ``ln 2`` for
bits.  No bias corrections apply: these are exact combinatorial quantities of
the given counts.

Occupation numbers are finite whole numbers ``>= 0`` (arrays of an integer
dtype, or of a float dtype holding whole values), each below ``2**53`` and, where
a function sums them along a cell axis, with totals below ``2**53``: float64
rounds larger integers, and ``ln W`` of ``[2**63, 1]`` would silently come out as
0.  Every function needs at least one cell along the axes it reduces.  Anything
else raises a :class:`ValueError` that starts with the argument's name.
"""

from typing import NamedTuple

import numpy as np
from scipy.special import betaln, gammaln, xlogy

from . import _checks


def _as_counts(counts, axis):
    """Return occupation numbers as float64 and the axes reduced (None: all of them).

    Checks whole numbers >= 0 below 2**53 and at least one cell along the reduced axes.
    """
    counts = _checks.whole_numbers(counts, "counts")
    axes = _checks.axis_indices(axis, counts.ndim)
    if any(counts.shape[single] == 0 for single in axes):
        raise ValueError(f"counts: needs at least one cell along axis {axis} (got none)")
    return counts, None if axis is None else axes


def _cell_counts(counts, axis):
    """Return occupation numbers (float64) along one cell axis and that axis as an index.

    Checks whole numbers >= 0, at least one dimension and one cell, totals below 2**53.
    """
    counts, axis = _checks.weights(counts, "counts", axis)
    _checks.whole_numbers(counts, "counts", total_axis=axis)
    return counts, axis


def _cell_count(n_cells, counts, axis):
    """``M``: the cells along ``axis`` by default, else ``n_cells`` (scalar or one per row).

    ``n_cells`` must be at least the occupied cells: the bounds and normalisations need it.
    """
    if n_cells is None:
        return counts.shape[axis]
    row_shape = counts.shape[:axis] + counts.shape[axis + 1 :]
    n_cells = _checks.broadcast_to(
        _checks.whole_numbers(n_cells, "n_cells", 1), row_shape, "n_cells", "the rows of counts"
    )
    if np.any(n_cells < np.count_nonzero(counts, axis=axis)):
        raise ValueError("n_cells: fewer than the occupied cells")
    return n_cells


def _n_times_entropy(counts, axis):
    """Return ``N·H = Σ n_i ln(N / n_i)`` (``0 ln 0 = 0``) along ``axis``.

    ``ln(N / n_i)`` is ``ln N − ln n_i`` where ``n_i <= N/2`` and
    ``−log1p(−(N − n_i)/N)`` where one cell holds most of ``N``, so the result
    is accurate to rounding even when it is small and ``N`` is large (the
    difference ``N ln N − Σ n_i ln n_i`` loses every digit for ``[2**52, 1]``).
    """
    total = np.sum(counts, axis=axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread_out = counts * (np.log(total) - np.log(counts))
        dominant = -counts * np.log1p(-(total - counts) / total)
    terms = np.where(2.0 * counts <= total, spread_out, dominant)
    return np.sum(np.where(counts == 0, 0.0, terms), axis=axis)


def _log_cell_volume(cell_volume, shape):
    cell_volume = _checks.finite_floats(cell_volume, "cell_volume")
    if not (cell_volume > 0).all():
        raise ValueError("cell_volume: must be finite and > 0")
    return _checks.broadcast_to(np.log(cell_volume), shape, "cell_volume", "counts")


def boltzmann_entropy(counts, cell_volume=1.0, axis=None):
    """Return the exact coarse-grained Boltzmann entropy of occupation numbers.

    ``S = Σ_i [n_i ln|Δ_i| − ln n_i!]``, with ``ln n!`` computed exactly as
    ``scipy.special.gammaln(n + 1)``.

    Parameters
    ----------
    counts : array_like of int
        Occupation numbers ``n_i >= 0`` of the cells (whole numbers below ``2**53``).
    cell_volume : float or array_like, optional
        Phase-space volume ``|Δ_i| > 0`` of each cell, in the units that make it
        dimensionless (e.g. ``h^d`` for a quantum-corrected count); a scalar or
        an array that broadcasts to ``counts``.  Default 1, which gives
        ``S = −Σ ln n_i!``.
    axis : None or int or tuple of int, optional
        Axes over which the cells are summed, as for numpy reductions; None
        (default) sums over all axes.

    Returns
    -------
    float or ndarray
        Entropy in nats (units of k_B).  Depends on the choice of cell volume
        through the additive term ``N ln|Δ|`` for equal cells.

    Raises
    ------
    ValueError
        If ``counts`` holds anything but whole numbers ``>= 0`` below ``2**53``
        or has no cell along ``axis``; if ``axis`` is not None, an axis or a
        tuple of distinct axes of ``counts``; or if ``cell_volume`` is not
        finite and > 0 or does not broadcast to ``counts``.
    """
    counts, axis = _as_counts(counts, axis)
    log_volume = _log_cell_volume(cell_volume, counts.shape)
    return np.sum(counts * log_volume - gammaln(counts + 1.0), axis=axis)


def h_function_entropy(counts, cell_volume=1.0, axis=None):
    """Return the Stirling (Boltzmann H-function) form of the coarse-grained entropy.

    ``S_H = −Σ_i n_i ln(n_i / |Δ_i|) + N`` with ``0 ln 0 = 0`` and ``N = Σ n_i``.
    It follows from :func:`boltzmann_entropy` with ``ln n! ≈ n ln n − n`` and
    exceeds it by ``Σ_i [ln n_i! − n_i ln n_i + n_i] ≈ Σ_i ½ ln(2π n_i)`` (for
    occupied cells), i.e. by O(M ln N): the relative difference vanishes for
    large occupations.

    Parameters
    ----------
    counts : array_like of int
        Occupation numbers ``n_i >= 0`` (whole numbers below ``2**53``).
    cell_volume : float or array_like, optional
        Cell volumes ``|Δ_i| > 0``, scalar or broadcastable to ``counts``.
    axis : None or int or tuple of int, optional
        Axes summed over; None (default) sums over all axes.

    Returns
    -------
    float or ndarray
        Entropy in nats.

    Raises
    ------
    ValueError
        As for :func:`boltzmann_entropy`.
    """
    counts, axis = _as_counts(counts, axis)
    log_volume = _log_cell_volume(cell_volume, counts.shape)
    return np.sum(counts * log_volume - xlogy(counts, counts) + counts, axis=axis)


def ln_multinomial(counts, axis=-1):
    """Return ``ln W = ln N! − Σ_i ln n_i!``, the log multinomial coefficient.

    ``W`` is the number of ways to assign ``N = Σ n_i`` distinguishable
    particles to cells with the given occupations.  Computed as the product
    of binomials ``W = Π_i C(S_i, n_i)`` (``S_i = n_1 + … + n_i``) with
    ``ln C(S, n) = −ln(S + 1) − ln B(S − n + 1, n + 1)``
    (``scipy.special.betaln``), which stays accurate to rounding when ``ln W``
    is small and ``N`` large: the difference ``ln N! − Σ ln n_i!`` of
    ``gammaln`` values loses every digit there (64 instead of 36.04 for
    ``[2**52, 1]``).

    Parameters
    ----------
    counts : array_like of int
        Occupation numbers ``n_i >= 0`` (whole numbers, totals below ``2**53``).
    axis : int, optional
        Axis holding the cells (default last).

    Returns
    -------
    float or ndarray
        ``ln W >= 0`` in nats; the cell axis is removed.

    Raises
    ------
    ValueError
        If ``counts`` is 0-d, has no cell along ``axis``, holds anything but
        whole numbers ``>= 0``, or has a total of ``2**53`` or more (float64
        would round it: ``[2**63, 1]`` would give 0); or if ``axis`` is not an
        axis of ``counts``.

    Examples
    --------
    >>> round(float(ln_multinomial([5, 3, 2])), 6)  # ln(10! / (5! 3! 2!)) = ln 2520
    7.832014
    """
    counts, axis = _cell_counts(counts, axis)
    partial_totals = np.cumsum(counts, axis=axis)
    ln_binomials = -np.log1p(partial_totals) - betaln(partial_totals - counts + 1.0, counts + 1.0)
    trivial = (counts == 0) | (counts == partial_totals)  # C(S, 0) = C(S, S) = 1
    return np.sum(np.where(trivial, 0.0, ln_binomials), axis=axis)


def ln_multinomial_max(total, n_cells):
    """Return ``ln W_max``: the largest ``ln W`` of ``total`` particles in ``n_cells`` cells.

    The maximum is reached by the most even occupation: ``r = total mod M``
    cells hold ``q + 1`` particles and ``M − r`` hold ``q = total // M``.

    Parameters
    ----------
    total : int or array_like of int
        Number of particles ``N >= 0`` (below ``2**53``).
    n_cells : int or array_like of int
        Number of cells ``M >= 1`` (below ``2**53``; broadcast against ``total``).

    Returns
    -------
    float or ndarray
        ``ln N! − r ln (q+1)! − (M − r) ln q!`` in nats.

    Raises
    ------
    ValueError
        If ``total`` is not a whole number ``>= 0``, ``n_cells`` not a whole
        number ``>= 1`` (either of them ``2**53`` or more), or their shapes do
        not broadcast.
    """
    total = _checks.whole_numbers(total, "total", 0)
    n_cells = _checks.whole_numbers(n_cells, "n_cells", 1)
    try:
        np.broadcast_shapes(total.shape, n_cells.shape)
    except ValueError:
        raise ValueError(
            f"n_cells: shape {n_cells.shape} does not broadcast against total's {total.shape}"
        ) from None
    quotient, remainder = np.divmod(total, n_cells)
    return (
        gammaln(total + 1.0)
        - remainder * gammaln(quotient + 2.0)
        - (n_cells - remainder) * gammaln(quotient + 1.0)
    )


def stirling_ln_multinomial(counts, axis=-1):
    """Return the second-order Stirling form of ``ln W`` (nats).

    ``N·H − ½[(M₊ − 1) ln(2πN) + Σ ln p_i]`` with ``p_i = n_i / N`` over the
    ``M₊`` occupied cells (empty cells do not enter); the error is
    ``O(1 / min n_i)`` over the occupied cells. 0 when ``N = 0``.

    Parameters
    ----------
    counts : array_like of int
        Occupation numbers ``n_i >= 0`` (whole numbers, totals below ``2**53``).
    axis : int, optional
        Axis holding the cells (default last).

    Returns
    -------
    float or ndarray
        Approximate ``ln W`` in nats; the cell axis is removed.

    Raises
    ------
    ValueError
        As for :func:`ln_multinomial`.
    """
    counts, axis = _cell_counts(counts, axis)
    counts = np.moveaxis(counts, axis, -1)
    total = counts.sum(axis=-1)
    occupied = counts > 0
    safe_total = np.where(total > 0, total, 1.0)
    log_p = np.log(np.where(occupied, counts, safe_total[..., None]) / safe_total[..., None])
    n_times_entropy = shannon_duality(counts, axis=-1).n_times_entropy
    correction = (occupied.sum(axis=-1) - 1) * np.log(2 * np.pi * safe_total) + log_p.sum(axis=-1)
    return np.where(total > 0, n_times_entropy - 0.5 * correction, 0.0)[()]


class ShannonDuality(NamedTuple):
    """``N·H`` and the exact bounds on ``ln W`` from the method of types (nats)."""

    n_times_entropy: np.ndarray | float
    """``N·H = N ln N − Σ n_i ln n_i``, the upper bound on ``ln W``."""
    ln_w_lower: np.ndarray | float
    """``N·H − (M − 1) ln(N + 1)``, the lower bound on ``ln W``."""
    ln_w_upper: np.ndarray | float
    """``N·H`` (same as ``n_times_entropy``)."""


def shannon_duality(counts, axis=-1, n_cells=None) -> ShannonDuality:
    """Return ``N·H`` and the exact bounds on the log multinomial ``ln W``.

    For integer occupations ``n_i`` of ``M`` cells with ``N = Σ n_i`` and the
    plug-in Shannon entropy ``H = −Σ (n_i/N) ln(n_i/N)``::

        N·H − (M − 1) ln(N + 1)  ≤  ln W  ≤  N·H

    i.e. ``exp(NH) / (N+1)^(M−1) ≤ W ≤ exp(NH)``.  By default ``M`` counts
    every cell along ``axis``, empty ones included; the bound holds for any
    ``M`` at least the number of occupied cells, so passing that number gives
    the tightest one.

    Parameters
    ----------
    counts : array_like of int
        Occupation numbers ``n_i >= 0`` (whole numbers, totals below ``2**53``).
    axis : int, optional
        Axis holding the cells (default last).
    n_cells : int or array_like of int, optional
        ``M``, if not the length of ``axis`` (one value, or one per row of the
        other axes, e.g. for zero-padded rows of different lengths; it must
        broadcast to the shape of the rows).

    Returns
    -------
    ShannonDuality
        Named tuple ``(n_times_entropy, ln_w_lower, ln_w_upper)`` in nats; the
        cell axis is removed.

    Raises
    ------
    ValueError
        As for :func:`ln_multinomial`; or if ``n_cells`` is not a whole number
        ``>= 1``, is below the occupied cells or does not broadcast to the rows.
    """
    counts, axis = _cell_counts(counts, axis)
    n_cells = _cell_count(n_cells, counts, axis)
    total = np.sum(counts, axis=axis)
    n_times_entropy = _n_times_entropy(counts, axis)
    lower = n_times_entropy - (n_cells - 1) * np.log1p(total)
    return ShannonDuality(n_times_entropy, lower, n_times_entropy)


def normalized_ln_multinomial(counts, axis=-1, n_cells=None):
    """Return ``ln W / ln W_max``, the multinomial entropy normalised to [0, 1].

    ``W_max`` is the multinomial of the most even occupation of the same
    ``N`` particles in the same ``M`` cells (:func:`ln_multinomial_max`).
    When only one arrangement exists (``W_max = 1``, i.e. ``N <= 1`` or
    ``M = 1``) the result is defined as 0.

    Parameters
    ----------
    counts : array_like of int
        Occupation numbers ``n_i >= 0`` (whole numbers, totals below ``2**53``).
    axis : int, optional
        Axis holding the cells (default last).
    n_cells : int or array_like of int, optional
        ``M``, if not the length of ``axis`` (see :func:`shannon_duality`).

    Returns
    -------
    float or ndarray
        Dimensionless ratio in [0, 1]; 1 for the most even occupation.

    Raises
    ------
    ValueError
        As for :func:`shannon_duality`.
    """
    counts, axis = _cell_counts(counts, axis)
    n_cells = _cell_count(n_cells, counts, axis)
    ln_w = ln_multinomial(counts, axis=axis)
    ln_w_max = ln_multinomial_max(np.sum(counts, axis=axis), n_cells)
    safe_max = np.where(ln_w_max > 0, ln_w_max, 1.0)
    return np.where(ln_w_max > 0, ln_w / safe_max, 0.0)[()]


def normalized_shannon_entropy(counts, axis=-1, n_cells=None):
    """Return the plug-in Shannon entropy of ``n_i / N`` divided by ``ln M``.

    ``H / ln M`` with ``H = −Σ p_i ln p_i``, ``p_i = n_i / N`` and ``M`` the
    number of cells along ``axis`` (empty cells included).  Defined as 0 when
    ``M = 1`` or ``N = 0``.  The plug-in ``H`` is biased low by about
    ``(K − 1) / (2N)`` nats for ``K`` occupied cells (Miller–Madow).

    Parameters
    ----------
    counts : array_like of int
        Occupation numbers ``n_i >= 0`` (whole numbers, totals below ``2**53``).
    axis : int, optional
        Axis holding the cells (default last).
    n_cells : int or array_like of int, optional
        ``M``, if not the length of ``axis`` (see :func:`shannon_duality`).

    Returns
    -------
    float or ndarray
        Dimensionless ratio in [0, 1]; 1 for uniform occupation.

    Raises
    ------
    ValueError
        As for :func:`shannon_duality`.
    """
    counts, axis = _cell_counts(counts, axis)
    n_cells = _cell_count(n_cells, counts, axis)
    total = np.sum(counts, axis=axis)
    n_times_entropy = shannon_duality(counts, axis=axis).n_times_entropy
    denominator = total * np.log(n_cells)
    valid = denominator > 0
    return np.where(valid, n_times_entropy / np.where(valid, denominator, 1.0), 0.0)[()]
