"""Cell lists for the observation of a school: the hashed cells of the dynamics, any cell side.

The observation (:mod:`sims.couzin.neighbourhood`, :mod:`sims.couzin.nearest`) sorts the agents
with :func:`sims.couzin.kernels.build_cells`, the hashed cell list of the dynamics (memory O(N)
whatever the extent of the school), at cell sides of its own. In a periodic box of side L the
cells have side L/n (n whole) so that cell indices wrap around; a window of cell offsets that
would reach around the box is replaced by one that holds every cell once.

Distances are those of scipy's k-d tree, which the observation used before:
``d² = (Δx² + Δy²) + Δz²`` where, in a periodic box (positions in [0, L)), each Δ is brought
into [-L/2, L/2] by adding or subtracting L (:func:`separation`).
"""

import math

import numba as nb
import numpy as np

from sims.couzin import kernels

MARGIN = 1e-9  # relative: cells slightly smaller and windows slightly wider than asked


def grid(side: float, box: float | None) -> tuple[float, int, float]:
    """Cell side (BL), cells per side (0 in open space) and box side (0 in open space).

    The cells are no larger than ``side``; in a periodic box of side ``box`` they tile it.
    """
    if box is None:
        return side, 0, 0.0
    n_cells = max(1, math.ceil(box / side))
    return box / n_cells, n_cells, box


def origin(positions: np.ndarray, box: float | None) -> tuple[float, float, float]:
    """Corner (BL) of cell (0, 0, 0): the school's lowest corner in open space, 0 in a box.

    Cells are then numbered from 0 up: the hash of the cell list sends cells placed
    symmetrically about cell 0, such as (a, -1, -1) and (a, 1, 1), to the same bucket.
    """
    if box is not None or len(positions) == 0:
        return 0.0, 0.0, 0.0
    low = positions.min(axis=0)
    return float(low[0]), float(low[1]), float(low[2])


@nb.njit(cache=True)
def build_grid(positions, width, n_cells, corner):
    """Hashed cell list of side ``width``; ``n_cells`` > 0: periodic, ``n_cells`` per side.

    Parameters
    ----------
    positions : (N, 3) float64
        Positions (body lengths), in [0, n_cells width) when periodic.
    width : float
        Cell side (body lengths).
    n_cells : int
        Cells per side of a periodic box (box side / width); 0 in open space.
    corner : tuple of 3 float
        Corner of cell (0, 0, 0) (body lengths, see :func:`origin`).

    Returns
    -------
    order : (N,) int64
        Agents sorted by bucket (see :func:`sims.couzin.kernels.build_cells`).
    keys : (3, N) int64
        Integer cells of the sorted agents, in ``[0, n_cells)`` when periodic.
    bucket_start : (B + 1,) int64
        Sorted agents of bucket b: ``bucket_start[b] <= rank < bucket_start[b + 1]``.
    """
    n = positions.shape[0]
    inside = np.empty_like(positions)
    for i in range(n):
        for axis in range(3):
            inside[i, axis] = positions[i, axis] - corner[axis]
    if n_cells > 0:  # the floor of x / width stays below n_cells for x just under the side
        inside = np.minimum(inside, n_cells * width - MARGIN * width)
    cells = np.empty((n, 3), dtype=np.int64)
    n_buckets = 1 << max(4, int(math.ceil(math.log2(2 * n))))
    bucket_start = np.zeros(n_buckets + 1, dtype=np.int64)
    order = np.empty(n, dtype=np.int64)
    kernels.build_cells(inside, width, cells, bucket_start, order)
    keys = np.empty((3, n), dtype=np.int64)
    for rank in range(n):
        for axis in range(3):
            keys[axis, rank] = cells[order[rank], axis]
    return order, keys, bucket_start


@nb.njit(cache=True, inline="always")
def separation(a, b, box, half):
    """``b - a`` as scipy's periodic k-d tree wraps it (``box = half = 0``: open space)."""
    d = b - a
    return d + box if d < -half else (d - box if d > half else d)


@nb.njit(cache=True, inline="always")
def full_window(n_cells):
    """Offsets that visit each of ``n_cells`` periodic cells once."""
    return -(n_cells // 2), n_cells - 1 - n_cells // 2


@nb.njit(cache=True, inline="always")
def bucket_of(cx, cy, cz, n_cells, mask):
    """Bucket of cell (cx, cy, cz) (``mask``: buckets - 1), and the cell wrapped into the box.

    The bucket may hold agents of other cells too: compare their keys with the wrapped cell.
    Takes no array: an inlined function that takes one counts a reference per call.
    """
    if n_cells > 0:
        cx, cy, cz = cx % n_cells, cy % n_cells, cz % n_cells
    return kernels._bucket(cx, cy, cz, mask), cx, cy, cz
