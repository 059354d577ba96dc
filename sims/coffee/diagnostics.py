"""Coarse-graining, apparent complexity and entropy estimates of a coffee-automaton state.

Following Aaronson, Carroll & Ouellette (arXiv 1405.6903, Sec. 5-6):

* the *fine-grained entropy estimate* is the compressed size of the ``n x n`` state;
* the state is coarse-grained by averaging each cell over the ``g x g`` window centred on it
  (left-right periodic; at a closed top or bottom the window is cut off at the wall and averages
  over the cells that remain; periodic top-bottom wraps) and thresholding that density into ``B``
  equal-width buckets, ``bucket = min(floor(B * average), B - 1)``, computed in integers so that a
  density of exactly k/B always lands in bucket k;
* the *adjusted* coarse-graining uses more buckets (7) and the row-majority correction: a cell
  within one bucket of its row's most common bucket takes that bucket (ties go to the lower one);
* the *apparent complexity* is the compressed size of a coarse-grained array.

Alongside the compression proxies, the exact Boltzmann entropy of the block occupations is given:
the grid is cut into ``b x b`` blocks (the last row and column of blocks may be smaller) and the
macrostate is the number of cream particles ``k`` in each block of ``V`` cells. With exclusion
(interacting model) ``W = prod C(V, k)``; for independent walkers ``S = sum [k ln V - ln k!]``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from analysis import boltzmann, compression
from analysis.units import unit_name

METHODS = ("threshold", "adjusted")
BYTE = "byte"


def window_sums(
    grid: np.ndarray, grain: int, periodic_vertical: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Sum of ``grid`` over the ``grain x grain`` window centred on each cell, and its cell count.

    Parameters
    ----------
    grid : ndarray of int, shape (n, n)
        Occupations.
    grain : int
        Odd window side g <= n (cells).
    periodic_vertical : bool
        Whether windows wrap top-bottom (else they are cut off at the walls).

    Returns
    -------
    sums, cells : ndarray of int64, shape (n, n)
        Occupation summed over each window, and the number of cells in it.
    """
    half = grain // 2
    values = grid.astype(np.int64)
    wrapped = np.concatenate(
        [values[:, values.shape[1] - half :], values, values[:, :half]], axis=1
    )
    row_sums = _sliding_sum(wrapped, grain, axis=1)
    n_rows = values.shape[0]
    if periodic_vertical:
        wrapped = np.concatenate([row_sums[n_rows - half :], row_sums, row_sums[:half]], axis=0)
        return _sliding_sum(wrapped, grain, axis=0), np.full_like(row_sums, grain * grain)
    padded = np.pad(row_sums, ((half, half), (0, 0)))
    rows = np.arange(n_rows)
    rows_in_window = np.minimum(rows + half, n_rows - 1) - np.maximum(rows - half, 0) + 1
    cells = np.broadcast_to((rows_in_window * grain)[:, None], row_sums.shape).copy()
    return _sliding_sum(padded, grain, axis=0), cells


def _sliding_sum(values: np.ndarray, width: int, axis: int) -> np.ndarray:
    cumulative = np.cumsum(values, axis=axis)
    zero = np.zeros_like(np.take(cumulative, [0], axis=axis))
    cumulative = np.concatenate([zero, cumulative], axis=axis)
    count = values.shape[axis] - width + 1
    upper = np.take(cumulative, np.arange(width, width + count), axis=axis)
    lower = np.take(cumulative, np.arange(count), axis=axis)
    return upper - lower


def threshold(sums: np.ndarray, cells: np.ndarray, buckets: int) -> np.ndarray:
    """Bucket of each window density ``sums / cells`` among ``buckets`` equal bins of [0, 1]."""
    return np.minimum(sums * buckets // cells, buckets - 1).astype(np.uint8)


def row_majority(coarse: np.ndarray, buckets: int) -> np.ndarray:
    """Set every cell within one bucket of its row's majority bucket to that majority."""
    per_row = np.stack([(coarse == value).sum(axis=1) for value in range(buckets)], axis=1)
    majority = per_row.argmax(axis=1).astype(np.int16)[:, None]
    near = np.abs(coarse.astype(np.int16) - majority) <= 1
    return np.where(near, majority, coarse).astype(np.uint8)


def coarse_grain(
    grid: np.ndarray, grain: int, buckets: int, adjusted_buckets: int, periodic_vertical: bool
) -> np.ndarray:
    """The two coarse-grained pictures of the paper, stacked along ``METHODS``.

    Returns
    -------
    ndarray of uint8, shape (2, n, n)
        ``[0]`` thresholded into ``buckets``; ``[1]`` thresholded into ``adjusted_buckets`` and
        row-majority corrected.
    """
    sums, cells = window_sums(grid, grain, periodic_vertical)
    plain = threshold(sums, cells, buckets)
    adjusted = row_majority(threshold(sums, cells, adjusted_buckets), adjusted_buckets)
    return np.stack([plain, adjusted])


def block_counts(grid: np.ndarray, block: int) -> tuple[np.ndarray, np.ndarray]:
    """Cream per ``block x block`` block (edge blocks may be smaller) and cells per block."""
    edges = np.arange(0, grid.shape[0], block)
    counts = np.add.reduceat(np.add.reduceat(grid.astype(np.int64), edges, axis=0), edges, axis=1)
    sides = np.diff(np.append(edges, grid.shape[0]))
    return counts, np.outer(sides, sides)


def block_entropies(grid: np.ndarray, block: int, exclusion: bool) -> tuple[float, float]:
    """Exact Boltzmann entropy of the block occupations and its Shannon (Stirling) form (nats).

    Parameters
    ----------
    grid : ndarray of int, shape (n, n)
        Occupations.
    block : int
        Block side b (cells).
    exclusion : bool
        True for at most one particle per cell (``ln W = sum ln C(V, k)``, Shannon form
        ``sum V H(k/V)``), False for independent walkers (``S = sum [k ln V - ln k!]``, H-function
        form ``-sum k ln(k/V) + N``).
    """
    counts, volumes = block_counts(grid, block)
    if exclusion:
        occupations = np.stack([counts, volumes - counts], axis=-1)
        exact = boltzmann.ln_multinomial(occupations, axis=-1).sum()
        shannon = boltzmann.shannon_duality(occupations, axis=-1)[0].sum()
    else:
        exact = boltzmann.boltzmann_entropy(counts, volumes)
        shannon = boltzmann.h_function_entropy(counts, volumes)
    return float(exact), float(shannon)


def compressed_sizes(arrays: np.ndarray, compressors: tuple[str, ...]) -> np.ndarray:
    """Compressed size in bytes of each array along the first axis, for each compressor."""
    return np.array(
        [[compression.compressed_size(array, name) for name in compressors] for array in arrays],
        dtype=np.int64,
    )


def peak_statistics(dataset: xr.Dataset) -> xr.Dataset:
    """Maximum entropy estimate, maximum complexity and the time of the complexity peak.

    Works on one run or on a merged dataset (reductions are over ``time`` only, so ``member`` and
    sweep dimensions are kept; average over members first for ensemble peaks).
    """
    complexity = dataset.complexity_estimate
    time_units = unit_name(dataset.time.attrs)
    peak_time = complexity.idxmax("time")
    return xr.Dataset(
        {
            "entropy_max": dataset.entropy_estimate.max("time").assign_attrs(
                units=BYTE, long_name="maximum compressed size of the fine-grained state"
            ),
            "complexity_max": complexity.max("time").assign_attrs(
                units=BYTE, long_name="maximum apparent complexity"
            ),
            "complexity_excess_max": (
                complexity.max("time") - dataset.complexity_baseline
            ).assign_attrs(
                units=BYTE,
                long_name="maximum apparent complexity above the constant-array baseline",
            ),
            "complexity_peak_time": peak_time.assign_attrs(
                units=time_units, long_name="time of the maximum apparent complexity"
            ),
        }
    )
