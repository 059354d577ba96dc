"""A school's neighbourhoods in O(N) memory: perceived neighbours, groups, k nearest distances.

The observation needs, from the pairs of agents within the perception radius R, the number of
perceived neighbours, the groups and the alignment histogram, and the k nearest distances of
every agent. All are accumulated over the hashed cell lists of the dynamics
(:func:`sims.couzin.kernels.build_cells`), never as a list of pairs. Distances are those of the
scipy k-d tree the observation used before: ``d² = (Δx² + Δy²) + Δz²`` where, in a periodic box
of side L (positions in [0, L)), each Δ is brought into [-L/2, L/2] by adding or subtracting L;
a pair is within R when ``d² <= R²``.

**Pairs within R.** Cells have side at most R/√3, so the agents of one cell are all within R of
each other. Every agent visits the cells that can hold a point within R of it and takes only the
agents after it in cell order, so every pair is seen once, in a loop the compiler vectorises.
For each pair within R:

* perceived neighbours: i perceives j unless j lies in i's blind volume, ``ê_i·r̂_ij < c`` with
  ``c = cos(α/2)`` and ``r̂_ij = r_ij/|r_ij|`` (0 for coincident agents), the test of the previous
  code. It is first made without a square root or division: with ``a = ê_i·r_ij``,
  ``a|a| >= c|c| d²`` says the same (x ↦ x|x| is increasing) and its rounding error is below
  2e-15 d², so only pairs within ``SURE`` d² of the edge are decided by the previous formula
  (its dot product summed as numpy's einsum sums it);
* groups: union–find; each agent is joined to the first agent within R in each cell it visits,
  and the agents of a cell to each other, which gives the connected components of the graph of
  all pairs within R;
* the alignment ``(1 + ê_i·ê_j)/2``, clipped to [0, 1], binned as in :mod:`sims.couzin.alignment`.

**k nearest.** Cells sized to the school are searched in shells of growing Chebyshev radius
until the k-th nearest distance found is below the distance to any unvisited cell; once the
cells to visit would outnumber the agents, all agents are tested instead (O(N) for that agent).

In a periodic box the cells have side L/n (n whole) so that cell indices wrap around, and an
axis with fewer cells than a window needs is visited once per cell.
"""

import math
from dataclasses import dataclass

import numba as nb
import numpy as np

from sims.couzin import kernels
from sims.couzin.alignment import LANES, alignment, bin_code, tally

CONNECTED_SIDE = 1.0 / math.sqrt(3.0)  # cells of side R/√3: a cell's agents are within R
MARGIN = 1e-9  # relative: cells slightly smaller, windows and bounds slightly wider (rounding)
BOUND_MARGIN = 1e-8  # relative to the cell side and coordinates: the k-nearest stopping test
NEAREST_CELL_AGENTS = 2.0  # agents per cell of the k-nearest search, on average
DEGENERATE_EXTENT = 1e-9  # relative: a school flatter than this along an axis is flat
SURE = 1e-13  # blind-volume test: |a|a| - c|c| d²| above this times d² decides without rounding


@nb.njit(cache=True)
def build_grid(positions, width, n_cells):
    """Hashed cell list of side ``width``; ``n_cells`` > 0: periodic box of ``n_cells`` per side.

    Parameters
    ----------
    positions : (N, 3) float64
        Positions (body lengths), in [0, n_cells width) when periodic.
    width : float
        Cell side (body lengths).
    n_cells : int
        Cells per side of a periodic box (box side / width); 0 in open space.

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
    inside = positions
    if n_cells > 0:  # the floor of x / width stays below n_cells for x just under the side
        inside = np.minimum(positions, n_cells * width - MARGIN * width)
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
def _separation(a, b, box, half):
    """``b - a`` as scipy's periodic k-d tree wraps it (``box = half = 0``: open space)."""
    d = b - a
    return d + box if d < -half else (d - box if d > half else d)


@nb.njit(cache=True, inline="always")
def _wrap(cell, n_cells):
    return cell % n_cells if n_cells > 0 else cell


@nb.njit(cache=True, inline="always")
def _full_window(n_cells):
    """Offsets covering each of ``n_cells`` periodic cells once."""
    return -(n_cells // 2), n_cells - 1 - n_cells // 2


@nb.njit(cache=True, inline="always")
def _run(cx, cy, cz, n_cells, bucket_start):
    """Sorted agents ``[start, end)`` of the bucket of cell (cx, cy, cz), and the wrapped cell."""
    cx, cy, cz = _wrap(cx, n_cells), _wrap(cy, n_cells), _wrap(cz, n_cells)
    bucket = kernels._bucket(cx, cy, cz, bucket_start.shape[0] - 2)
    return bucket_start[bucket], bucket_start[bucket + 1], cx, cy, cz


@nb.njit(cache=True, inline="always")
def _find(parent, a):
    while parent[a] != a:
        parent[a] = parent[parent[a]]
        a = parent[a]
    return a


@nb.njit(cache=True, inline="always")
def _union(parent, size, a, b):
    a, b = _find(parent, a), _find(parent, b)
    if a != b:
        if size[a] < size[b]:
            a, b = b, a
        parent[b] = a
        size[a] += size[b]


@nb.njit(cache=True, inline="always")
def _pair(soa, i, j, box, half, blind):
    """Separation r_j - r_i, d², and ``a|a| - c|c| d²`` for i seeing j and j seeing i."""
    if box > 0.0:
        dx = _separation(soa[0, i], soa[0, j], box, half)
        dy = _separation(soa[1, i], soa[1, j], box, half)
        dz = _separation(soa[2, i], soa[2, j], box, half)
    else:  # the same, without the wrap's selects in the vectorised loop
        dx, dy, dz = soa[0, j] - soa[0, i], soa[1, j] - soa[1, i], soa[2, j] - soa[2, i]
    distance2 = (dx * dx + dy * dy) + dz * dz
    a_i = (soa[3, i] * dx + soa[4, i] * dy) + soa[5, i] * dz
    a_j = -((soa[3, j] * dx + soa[4, j] * dy) + soa[5, j] * dz)
    edge = blind * abs(blind) * distance2
    return dx, dy, dz, distance2, a_i * abs(a_i) - edge, a_j * abs(a_j) - edge


@nb.njit(cache=True, inline="always")
def _sweep(i, start, end, cell, soa, keys, geometry, codes, values):
    """Pairs (i, j), ``start <= j < end``, j in ``cell``: the branch-free pass.

    Writes the alignment codes (``bins`` where j is not within R) and returns the first j
    within R (``end`` if none), the perceptions decided here and the pairs left undecided.
    """
    box, half, radius2, blind, low, high, scale, bins = geometry
    cx, cy, cz = cell
    hx, hy, hz = soa[3, i], soa[4, i], soa[5, i]
    # unsigned indices: no negative-index wraparound, so the loop vectorises
    begin, stop = np.uint64(start), np.uint64(end)
    first, seen, unsure = stop, 0, 0
    for j in range(begin, stop):
        _, _, _, distance2, test_i, test_j = _pair(soa, i, j, box, half, blind)
        inside = (
            (distance2 <= radius2) & (keys[0, j] == cx) & (keys[1, j] == cy) & (keys[2, j] == cz)
        )
        edge = SURE * distance2
        seen += np.int64(inside & (test_i > edge)) + np.int64(inside & (test_j > edge))
        unsure += np.int64(inside & ((abs(test_i) <= edge) | (abs(test_j) <= edge)))
        value = min(max(alignment(hx, hy, hz, soa[3, j], soa[4, j], soa[5, j]), low), high)
        values[j - begin] = value
        codes[j - begin] = bin_code(value, low, scale, bins) if inside else bins
        first = min(first, j if inside else stop)
    return np.int64(first), seen, unsure


@nb.njit(cache=True)
def _undecided_perceptions(i, start, end, cell, soa, keys, geometry, blind):
    """Perceptions of the pairs :func:`_sweep` left undecided, by the previous formula."""
    box, half, radius2 = geometry[0], geometry[1], geometry[2]
    cx, cy, cz = cell
    seen = 0
    for j in range(start, end):
        dx, dy, dz, distance2, test_i, test_j = _pair(soa, i, j, box, half, blind)
        inside = distance2 <= radius2 and keys[0, j] == cx and keys[1, j] == cy and keys[2, j] == cz
        sure_i = abs(test_i) > SURE * distance2
        sure_j = abs(test_j) > SURE * distance2
        if not inside or (sure_i and sure_j):
            continue
        norm = math.sqrt(distance2)
        ux, uy, uz = (dx / norm, dy / norm, dz / norm) if norm > 0.0 else (0.0, 0.0, 0.0)
        if not sure_i:
            seen += np.int64((soa[3, i] * ux + soa[5, i] * uz) + soa[4, i] * uy >= blind)
        if not sure_j:
            seen += np.int64(-((soa[3, j] * ux + soa[5, j] * uz) + soa[4, j] * uy) >= blind)
    return seen


@nb.njit(cache=True, inline="always")
def _gap(x, cell, width):
    """Distance along one axis from x to the cell ``[cell w, (cell + 1) w)`` (0 inside it)."""
    return max(cell * width - x, x - (cell + 1) * width, 0.0)


@nb.njit(cache=True, inline="always")
def _reach_window(x, cell, width, reach, n_cells):
    """Cell offsets along one axis that can hold a point within ``reach`` of x.

    Also whether they are every cell of a periodic axis (then the cells' gaps are not used).
    """
    low = min(np.int64(math.floor((x - reach) / width)) - cell, 0)
    high = max(np.int64(math.floor((x + reach) / width)) - cell, 0)
    if n_cells > 0 and high - low + 1 >= n_cells:
        low, high = _full_window(n_cells)
        return low, high, True
    return low, high, False


@nb.njit(cache=True)
def _group_sizes(parent, order):
    """Agents per group, groups numbered by their first agent (as scipy labels them)."""
    n = order.shape[0]
    rank_of = np.empty(n, dtype=np.int64)
    for rank in range(n):
        rank_of[order[rank]] = rank
    label = np.full(n, -1, dtype=np.int64)
    sizes = np.zeros(n, dtype=np.int64)
    groups = 0
    for agent in range(n):
        root = _find(parent, rank_of[agent])
        if label[root] < 0:
            label[root] = groups
            groups += 1
        sizes[label[root]] += 1
    return sizes[:groups]


@nb.njit(cache=True)
def pair_statistics(soa, keys, bucket_start, order, grid, radius, blind_cosine, edges):
    """Perceived neighbours, groups and alignment histogram of the pairs within R.

    Parameters
    ----------
    soa : (6, N) float64
        Positions (body lengths; wrapped into [0, L) when periodic) and unit headings of the
        agents sorted by :func:`build_grid` with cells of side at most R/√3.
    keys, bucket_start, order : arrays
        The cell list (:func:`build_grid`).
    grid : tuple (float, int, float)
        Cell side (body lengths), cells per side (0 in open space) and box side L (0 in open
        space).
    radius : float
        Perception radius R (body lengths).
    blind_cosine : float
        ``cos(α/2)``: j is perceived by i if ``ê_i·r̂_ij >= blind_cosine``.
    edges : (bins + 1,) float64
        Edges of the alignment histogram; empty: no histogram.

    Returns
    -------
    perceived : int
        Ordered pairs (i, j) within R, j outside i's blind volume.
    counts : (bins,) int64
        Pairs within R per alignment bin.
    sizes : (groups,) int64
        Agents per group (connected components at R), numbered by their first agent.
    """
    n = soa.shape[1]
    width, n_cells, box = grid
    with_histogram = edges.shape[0] > 1
    bins = max(edges.shape[0] - 1, 1)
    low, high = (edges[0], edges[bins]) if with_histogram else (0.0, 1.0)
    scale = bins / (high - low)
    geometry = (box, 0.5 * box, radius * radius, blind_cosine, low, high, scale, bins)
    reach = radius * (1.0 + MARGIN) + MARGIN * width
    counts = np.zeros((LANES, bins + 1), dtype=np.int64)
    codes = np.empty(n, dtype=np.int64)
    values = np.empty(n)
    parent = np.arange(n)
    size = np.ones(n, dtype=np.int64)
    perceived = 0
    for i in range(n):
        x, y, z = soa[0, i], soa[1, i], soa[2, i]
        kx, ky, kz = keys[0, i], keys[1, i], keys[2, i]
        x_low, x_high, x_full = _reach_window(x, kx, width, reach, n_cells)
        y_low, y_high, y_full = _reach_window(y, ky, width, reach, n_cells)
        z_low, z_high, z_full = _reach_window(z, kz, width, reach, n_cells)
        for ox in range(x_low, x_high + 1):
            gap_x = 0.0 if x_full else _gap(x, kx + ox, width)
            for oy in range(y_low, y_high + 1):
                gap_y = 0.0 if y_full else _gap(y, ky + oy, width)
                for oz in range(z_low, z_high + 1):
                    gap_z = 0.0 if z_full else _gap(z, kz + oz, width)
                    if gap_x * gap_x + gap_y * gap_y + gap_z * gap_z > reach * reach:
                        continue
                    start, end, cx, cy, cz = _run(kx + ox, ky + oy, kz + oz, n_cells, bucket_start)
                    start = max(start, i + 1)
                    if start >= end:
                        continue
                    cell = (cx, cy, cz)
                    first, seen, unsure = _sweep(
                        i, start, end, cell, soa, keys, geometry, codes, values
                    )
                    perceived += seen
                    if unsure > 0:
                        perceived += _undecided_perceptions(
                            i, start, end, cell, soa, keys, geometry, blind_cosine
                        )
                    if first < end:
                        _union(parent, size, i, first)
                        if with_histogram:
                            tally(codes, values, end - start, edges, counts)
    return perceived, counts.sum(axis=0)[:bins], _group_sizes(parent, order)


@nb.njit(cache=True, inline="always")
def _shell_window(s, n_cells):
    """Offsets ``[-s, s]`` along an axis, each periodic cell once; and whether that is all."""
    if n_cells > 0 and 2 * s + 1 >= n_cells:
        low, high = _full_window(n_cells)
        return low, high, True
    return -s, s, False


@nb.njit(cache=True, inline="always")
def _window_cells(s, n_cells):
    if s < 0:
        return 0
    low, high, _ = _shell_window(s, n_cells)
    return (high - low + 1) ** 3


@nb.njit(cache=True, inline="always")
def _keep_nearest(best, distance2):
    """Insert ``distance2`` into the ascending ``best`` if it is smaller than the last."""
    k = best.shape[0]
    if distance2 < best[k - 1]:
        slot = k - 1
        while slot > 0 and best[slot - 1] > distance2:
            best[slot] = best[slot - 1]
            slot -= 1
        best[slot] = distance2


@nb.njit(cache=True, inline="always")
def _scan_cell(i, cell, soa, keys, bucket_start, n_cells, box, best):
    start, end, cx, cy, cz = _run(cell[0], cell[1], cell[2], n_cells, bucket_start)
    half = 0.5 * box
    for j in range(start, end):
        if j == i or keys[0, j] != cx or keys[1, j] != cy or keys[2, j] != cz:
            continue
        dx = _separation(soa[0, i], soa[0, j], box, half)
        dy = _separation(soa[1, i], soa[1, j], box, half)
        dz = _separation(soa[2, i], soa[2, j], box, half)
        _keep_nearest(best, (dx * dx + dy * dy) + dz * dz)
    return end - start


@nb.njit(cache=True)
def _scan_shell(i, s, soa, keys, bucket_start, n_cells, box, best):
    """Test the agents of the cells at Chebyshev offset s from agent i's cell (each cell once)."""
    kx, ky, kz = keys[0, i], keys[1, i], keys[2, i]
    low, high, _ = _shell_window(s, n_cells)
    inner_low, inner_high = (1, 0) if s == 0 else _shell_window(s - 1, n_cells)[:2]
    for ox in range(low, high + 1):
        inner_x = inner_low <= ox <= inner_high
        for oy in range(low, high + 1):
            inner_y = inner_low <= oy <= inner_high
            if inner_x and inner_y:  # only the two caps of the shell along z
                for oz in range(low, inner_low):
                    _scan_cell(
                        i, (kx + ox, ky + oy, kz + oz), soa, keys, bucket_start, n_cells, box, best
                    )
                for oz in range(inner_high + 1, high + 1):
                    _scan_cell(
                        i, (kx + ox, ky + oy, kz + oz), soa, keys, bucket_start, n_cells, box, best
                    )
            else:
                for oz in range(low, high + 1):
                    _scan_cell(
                        i, (kx + ox, ky + oy, kz + oz), soa, keys, bucket_start, n_cells, box, best
                    )


@nb.njit(cache=True, inline="always")
def _unvisited_distance(i, s, soa, keys, width, n_cells):
    """Lower bound (body lengths) of the distance from agent i to agents beyond shell s.

    Infinity when the shells 0..s hold every agent.
    """
    low, high, full = _shell_window(s, n_cells)
    if full:
        return math.inf
    bound = math.inf
    for axis in range(3):
        x, cell = soa[axis, i], keys[axis, i]
        margin = BOUND_MARGIN * (width + abs(x))
        bound = min(
            bound, x - (cell + low) * width - margin, (cell + high + 1) * width - x - margin
        )
    return bound


@nb.njit(cache=True)
def nearest_distances(soa, keys, bucket_start, order, grid, k):
    """Distances (body lengths) from each agent to its k nearest others, (N, k) ascending.

    Parameters
    ----------
    soa, keys, bucket_start, order : arrays
        Positions of the agents sorted by :func:`build_grid` (any cell side) and the cells.
    grid : tuple (float, int, float)
        Cell side, cells per side (0 in open space) and box side (0 in open space).
    k : int
        Neighbours, at most N - 1.
    """
    n = soa.shape[1]
    width, n_cells, box = grid
    distances = np.empty((n, k))
    best = np.empty(k)
    for i in range(n):
        best[:] = math.inf
        s = 0
        while True:
            if _window_cells(s, n_cells) > max(n, 1):  # cheaper to test every agent
                best[:] = math.inf
                for j in range(n):
                    if j != i:
                        _scan_cell_free(i, j, soa, box, best)
                break
            _scan_shell(i, s, soa, keys, bucket_start, n_cells, box, best)
            bound = _unvisited_distance(i, s, soa, keys, width, n_cells)
            if bound == math.inf or (bound > 0.0 and best[k - 1] <= bound * bound):
                break
            s += 1
        distances[order[i]] = np.sqrt(best)
    return distances


@nb.njit(cache=True, inline="always")
def _scan_cell_free(i, j, soa, box, best):
    half = 0.5 * box
    dx = _separation(soa[0, i], soa[0, j], box, half)
    dy = _separation(soa[1, i], soa[1, j], box, half)
    dz = _separation(soa[2, i], soa[2, j], box, half)
    _keep_nearest(best, (dx * dx + dy * dy) + dz * dz)


@dataclass
class Neighbourhoods:
    """What :func:`survey` finds (see the module docstring)."""

    nearest: np.ndarray  # (N, k) distances to the k nearest others (body lengths), ascending
    perceived: int  # ordered pairs (i, j) within R with j outside i's blind volume
    alignment_counts: np.ndarray  # (bins,) pairs within R per alignment bin (empty: not asked)
    group_sizes: np.ndarray  # agents per group, numbered by their first agent


def _grid(side: float, box: float | None) -> tuple[float, int, float]:
    """Cell side, cells per side and box side of cells no larger than ``side``."""
    if box is None:
        return side, 0, 0.0
    n_cells = max(1, math.ceil(box / side))
    return box / n_cells, n_cells, box


def _nearest_cell_side(offsets: np.ndarray) -> float:
    """Cells holding about NEAREST_CELL_AGENTS agents of a school of these offsets each.

    From the school's extent along its non-degenerate axes (a flat school gets square cells
    of its area per agent, a line of agents their spacing).
    """
    extent = np.ptp(offsets, axis=0)
    spread = extent[extent > DEGENERATE_EXTENT * extent.max()]
    if spread.size == 0:  # all agents at one point
        return 1.0
    volume = NEAREST_CELL_AGENTS * float(np.prod(spread)) / len(offsets)
    return volume ** (1.0 / spread.size)


def survey(
    positions: np.ndarray,
    headings: np.ndarray,
    offsets: np.ndarray,
    radius: float,
    blind_cosine: float,
    box: float | None,
    k: int,
    edges: np.ndarray,
) -> Neighbourhoods:
    """Neighbourhoods of every agent (see the module docstring), O(N) memory.

    Parameters
    ----------
    positions, headings : (N, 3) array
        Positions (body lengths) and unit headings.
    offsets : (N, 3) array
        Offsets from the school's centre (body lengths, minimum image when periodic): they
        size the cells of the k-nearest search.
    radius : float
        Perception radius R (body lengths).
    blind_cosine : float
        ``cos(α/2)`` (below -1: no blind volume).
    box : float or None
        Side of the periodic box (body lengths); None in open space or a reflecting box.
    k : int
        Nearest neighbours, at most N - 1.
    edges : (bins + 1,) array
        Edges of the alignment histogram; empty for none.
    """
    positions = np.ascontiguousarray(positions, dtype=float)
    headings = np.asarray(headings, dtype=float)
    if box is not None:
        positions = np.mod(positions, box)
    grid = _grid(radius * CONNECTED_SIDE * (1.0 - MARGIN), box)
    order, keys, bucket_start = build_grid(positions, grid[0], grid[1])
    soa = np.ascontiguousarray(np.concatenate([positions[order].T, headings[order].T]))
    edges = np.asarray(edges, dtype=float)
    perceived, counts, sizes = pair_statistics(
        soa, keys, bucket_start, order, grid, radius, blind_cosine, edges
    )
    grid = _grid(_nearest_cell_side(offsets), box)
    order, keys, bucket_start = build_grid(positions, grid[0], grid[1])
    soa = np.ascontiguousarray(positions[order].T)
    nearest = nearest_distances(soa, keys, bucket_start, order, grid, k)
    return Neighbourhoods(nearest, int(perceived), counts if len(edges) > 1 else counts[:0], sizes)
