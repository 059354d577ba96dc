"""Distances from every agent to its k <= 5 nearest others, over a cell list: O(N) memory.

Cells sized to the school (about ``CELL_AGENTS`` agents each, :func:`cell_side`) are searched
in shells of growing Chebyshev radius around the agent's cell. After shell s, every agent not
yet tested lies outside the box of cells within s of the agent's, so at least as far as the
nearest face of that box: once the k-th nearest distance found is below it, the k nearest are
certain (a farther agent at the same distance would not change the distances). Once the cells
of the next shell would outnumber the agents (a lone agent far from the others), every agent is
tested instead, so no agent costs more than O(N). Distances are those of scipy's k-d tree
(:mod:`sims.couzin.cells`), so they equal its ``query`` bit for bit.
"""

import math

import numba as nb
import numpy as np

from sims.couzin.cells import bucket_of, full_window, separation

MOST = 5  # nearest neighbours kept (the k-NN entropies use 5)
CELL_AGENTS = 2.0  # agents per cell on average: of 0.5, 1, 2, 4 the fastest, N = 4e3 and 2e4
DEGENERATE_EXTENT = 1e-9  # relative: a school flatter than this along an axis is flat
BOUND_MARGIN = 1e-8  # relative to the cell side and coordinates: rounding of the stopping test


def cell_side(offsets: np.ndarray) -> float:
    """Side (BL) of cells holding about CELL_AGENTS agents of a school of these offsets.

    From the school's extent along its non-degenerate axes: a flat school gets cells of its
    area per agent, a line of agents cells of their spacing.
    """
    extent = np.ptp(offsets, axis=0)
    spread = extent[extent > DEGENERATE_EXTENT * extent.max()]
    if spread.size == 0:  # all agents at one point
        return 1.0
    return (CELL_AGENTS * float(np.prod(spread)) / len(offsets)) ** (1.0 / spread.size)


@nb.njit(cache=True, inline="always")
def _shell_window(s, n_cells):
    """Offsets ``[-s, s]`` along an axis (each periodic cell once); and whether that is all."""
    if n_cells > 0 and 2 * s + 1 >= n_cells:
        low, high = full_window(n_cells)
        return low, high, True
    return -s, s, False


@nb.njit(cache=True, inline="always")
def _keep(nearest, distance2):
    """The five smallest of ``nearest`` (ascending) and ``distance2``, without a branch."""
    d0, d1, d2, d3, d4 = nearest
    return (
        min(d0, distance2),
        min(d1, max(d0, distance2)),
        min(d2, max(d1, distance2)),
        min(d3, max(d2, distance2)),
        min(d4, max(d3, distance2)),
    )


@nb.njit(cache=True)
def _everyone(i, positions, box):
    """Squared distances from agent i to its five nearest among all agents."""
    half = 0.5 * box
    x, y, z = positions[0, i], positions[1, i], positions[2, i]
    nearest = (math.inf, math.inf, math.inf, math.inf, math.inf)
    for j in range(positions.shape[1]):
        if j != i:
            dx = separation(x, positions[0, j], box, half)
            dy = separation(y, positions[1, j], box, half)
            dz = separation(z, positions[2, j], box, half)
            nearest = _keep(nearest, (dx * dx + dy * dy) + dz * dz)
    return nearest


@nb.njit(cache=True)
def nearest_distances(positions, keys, bucket_start, order, grid, corner, k):
    """Distances (body lengths) from each agent to its k nearest others, (N, k) ascending.

    Parameters
    ----------
    positions : (3, N) float64
        Positions of the agents sorted by :func:`sims.couzin.cells.build_grid` (wrapped into
        [0, L) in a periodic box), one row per component.
    keys, bucket_start, order : arrays
        The cell list (:func:`sims.couzin.cells.build_grid`).
    grid : tuple (float, int, float)
        Cell side (body lengths), cells per side and box side (both 0 in open space).
    corner : tuple of 3 float
        Corner of cell (0, 0, 0) (body lengths).
    k : int
        Neighbours, at most N - 1 and at most MOST.
    """
    n = positions.shape[1]
    width, n_cells, box = grid
    half = 0.5 * box
    mask = bucket_start.shape[0] - 2
    margin = BOUND_MARGIN * (width + abs(corner[0]) + abs(corner[1]) + abs(corner[2]))
    distances = np.empty((n, k))
    for i in range(n):
        x, y, z = positions[0, i], positions[1, i], positions[2, i]
        kx, ky, kz = keys[0, i], keys[1, i], keys[2, i]
        nearest = (math.inf, math.inf, math.inf, math.inf, math.inf)
        s = 0
        while True:
            low, high, full = _shell_window(s, n_cells)
            if (high - low + 1) ** 3 > n:  # the cells to visit outnumber the agents
                nearest = _everyone(i, positions, box)
                break
            # the cells of shell s: the box of offsets [low, high]^3 less the box of shell s - 1
            inner_low, inner_high = (1, 0) if s == 0 else _shell_window(s - 1, n_cells)[:2]
            for ox in range(low, high + 1):
                inner_x = inner_low <= ox <= inner_high
                for oy in range(low, high + 1):
                    caps = inner_x and inner_low <= oy <= inner_high  # only the column's ends
                    for part in range(2 if caps else 1):
                        z_from = inner_high + 1 if part == 1 else low
                        z_to = inner_low - 1 if caps and part == 0 else high
                        for oz in range(z_from, z_to + 1):
                            b, cx, cy, cz = bucket_of(kx + ox, ky + oy, kz + oz, n_cells, mask)
                            for j in range(bucket_start[b], bucket_start[b + 1]):
                                if j == i or keys[0, j] != cx or keys[1, j] != cy:
                                    continue
                                if keys[2, j] != cz:
                                    continue
                                # written out: an inlined helper taking the arrays would
                                # count a reference per agent tested
                                dx = separation(x, positions[0, j], box, half)
                                dy = separation(y, positions[1, j], box, half)
                                dz = separation(z, positions[2, j], box, half)
                                nearest = _keep(nearest, (dx * dx + dy * dy) + dz * dz)
            if full:  # every cell visited
                break
            # distance to the nearest face of the box of visited cells, less rounding
            bound = math.inf
            for coordinate, cell in ((x - corner[0], kx), (y - corner[1], ky), (z - corner[2], kz)):
                slack = margin + BOUND_MARGIN * abs(coordinate)
                below = coordinate - (cell + low) * width
                above = (cell + high + 1) * width - coordinate
                bound = min(bound, below - slack, above - slack)
            if bound > 0.0 and nearest[k - 1] <= bound * bound:
                break
            s += 1
        agent = order[i]
        for m in range(k):
            distances[agent, m] = math.sqrt(nearest[m])
    return distances
