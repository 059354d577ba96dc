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
bits.  Occupation numbers may be any non-negative finite reals; for non-integer
values ``ln n!`` is continued as ``lgamma(n + 1)``.  No bias corrections apply:
these are exact combinatorial quantities of the given counts.
"""

from typing import NamedTuple

import numpy as np
from scipy.special import gammaln, xlogy


def _as_counts(counts, argument="counts"):
    counts = np.asarray(counts, dtype=np.float64)
    if not np.all(np.isfinite(counts)):
        raise ValueError(f"{argument}: must be finite (got NaN or inf)")
    if np.any(counts < 0):
        raise ValueError(f"{argument}: must be non-negative (got a negative count)")
    return counts


def _as_whole(values, argument, minimum):
    """``values`` as a float array, checked to be finite whole numbers >= ``minimum``."""
    values = np.asarray(values, dtype=np.float64)
    if (
        not np.all(np.isfinite(values))
        or np.any(values != np.round(values))
        or np.any(values < minimum)
    ):
        shown = f" (got {values.item():g})" if values.size == 1 else ""
        raise ValueError(f"{argument}: must be whole numbers >= {minimum}{shown}")
    return values


def _cell_count(n_cells, counts, axis):
    """``M``: the cells along ``axis`` by default, else ``n_cells`` (scalar or one per row).

    ``n_cells`` must be at least the occupied cells: the bounds and normalisations need it.
    """
    if n_cells is None:
        return counts.shape[axis]
    n_cells = _as_whole(n_cells, "n_cells", 1)
    if np.any(n_cells < np.count_nonzero(counts, axis=axis)):
        raise ValueError("n_cells: fewer than the occupied cells")
    return n_cells


def _log_cell_volume(cell_volume, shape):
    cell_volume = np.asarray(cell_volume, dtype=np.float64)
    if not np.all(np.isfinite(cell_volume)) or np.any(cell_volume <= 0):
        raise ValueError("cell_volume: must be finite and > 0")
    try:
        return np.broadcast_to(np.log(cell_volume), shape)
    except ValueError:
        raise ValueError(
            f"cell_volume: shape {cell_volume.shape} does not broadcast to counts shape {shape}"
        ) from None


def boltzmann_entropy(counts, cell_volume=1.0, axis=None):
    """Return the exact coarse-grained Boltzmann entropy of occupation numbers.

    ``S = Σ_i [n_i ln|Δ_i| − ln n_i!]``, with ``ln n!`` computed exactly as
    ``scipy.special.gammaln(n + 1)``.

    Parameters
    ----------
    counts : array_like of float
        Occupation numbers ``n_i >= 0`` of the cells.
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
        If ``counts`` is negative or not finite, or ``cell_volume`` is not
        positive or does not broadcast to ``counts``.
    """
    counts = _as_counts(counts)
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
    counts : array_like of float
        Occupation numbers ``n_i >= 0``.
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
    counts = _as_counts(counts)
    log_volume = _log_cell_volume(cell_volume, counts.shape)
    return np.sum(counts * log_volume - xlogy(counts, counts) + counts, axis=axis)


def ln_multinomial(counts, axis=-1):
    """Return ``ln W = ln N! − Σ_i ln n_i!``, the log multinomial coefficient.

    ``W`` is the number of ways to assign ``N = Σ n_i`` distinguishable
    particles to cells with the given occupations.  Computed exactly with
    ``scipy.special.gammaln``.

    Parameters
    ----------
    counts : array_like of float
        Occupation numbers ``n_i >= 0``.
    axis : int, optional
        Axis holding the cells (default last).

    Returns
    -------
    float or ndarray
        ``ln W`` in nats, ``>= 0`` for integer counts; the cell axis is removed.

    Raises
    ------
    ValueError
        If ``counts`` is negative or not finite.

    Examples
    --------
    >>> round(float(ln_multinomial([5, 3, 2])), 6)  # ln(10! / (5! 3! 2!)) = ln 2520
    7.832014
    """
    counts = _as_counts(counts)
    total = np.sum(counts, axis=axis)
    return gammaln(total + 1.0) - np.sum(gammaln(counts + 1.0), axis=axis)


def ln_multinomial_max(total, n_cells):
    """Return ``ln W_max``: the largest ``ln W`` of ``total`` particles in ``n_cells`` cells.

    The maximum is reached by the most even occupation: ``r = total mod M``
    cells hold ``q + 1`` particles and ``M − r`` hold ``q = total // M``.

    Parameters
    ----------
    total : int or array_like of int
        Number of particles ``N >= 0``.
    n_cells : int or array_like of int
        Number of cells ``M >= 1`` (broadcast against ``total``).

    Returns
    -------
    float or ndarray
        ``ln N! − r ln (q+1)! − (M − r) ln q!`` in nats.

    Raises
    ------
    ValueError
        If ``total`` is negative or not integer, or ``n_cells`` is not a whole
        number or below 1.
    """
    total = _as_whole(total, "total", 0)
    n_cells = _as_whole(n_cells, "n_cells", 1)
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
    counts : array_like of float
        Occupation numbers ``n_i >= 0``.
    axis : int, optional
        Axis holding the cells (default last).

    Returns
    -------
    float or ndarray
        Approximate ``ln W`` in nats; the cell axis is removed.

    Raises
    ------
    ValueError
        If ``counts`` is negative or not finite.
    """
    counts = np.moveaxis(_as_counts(counts), axis, -1)
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
    counts : array_like of float
        Occupation numbers ``n_i >= 0`` (the bounds are proven for integers).
    axis : int, optional
        Axis holding the cells (default last).
    n_cells : int or array_like of int, optional
        ``M``, if not the length of ``axis`` (one value, or one per row of the
        other axes, e.g. for zero-padded rows of different lengths).

    Returns
    -------
    ShannonDuality
        Named tuple ``(n_times_entropy, ln_w_lower, ln_w_upper)`` in nats; the
        cell axis is removed.

    Raises
    ------
    ValueError
        If ``counts`` is negative or not finite, or ``n_cells`` is not a whole
        number, below 1 or below the occupied cells.
    """
    counts = _as_counts(counts)
    n_cells = _cell_count(n_cells, counts, axis)
    total = np.sum(counts, axis=axis)
    n_times_entropy = xlogy(total, total) - np.sum(xlogy(counts, counts), axis=axis)
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
        Integer occupation numbers ``n_i >= 0``.
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
        If ``counts`` is negative, not finite or not integer, or ``n_cells`` is not a whole
        number, below 1 or below the occupied cells.
    """
    counts = _as_whole(counts, "counts", 0)
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
    counts : array_like of float
        Occupation numbers ``n_i >= 0``.
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
        If ``counts`` is negative or not finite, or ``n_cells`` is not a whole
        number, below 1 or below the occupied cells.
    """
    counts = _as_counts(counts)
    n_cells = _cell_count(n_cells, counts, axis)
    total = np.sum(counts, axis=axis)
    n_times_entropy = shannon_duality(counts, axis=axis).n_times_entropy
    denominator = total * np.log(n_cells)
    valid = denominator > 0
    return np.where(valid, n_times_entropy / np.where(valid, denominator, 1.0), 0.0)[()]
