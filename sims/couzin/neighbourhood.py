"""A school's neighbourhoods in O(N) memory: perceived neighbours, groups, alignment, k nearest.

The observation needs, from the pairs of agents within the perception radius R (``d² <= R²``,
distances as in :mod:`sims.couzin.cells`), the number of perceived neighbours, the groups and
the alignment histogram, and the k nearest distances of every agent (:mod:`sims.couzin.nearest`).
All are accumulated over cell lists, never as a list of pairs.

Cells have side at most R/√3, so the agents of one cell are all within R of each other. Every
agent visits the cells that can hold a point within R of it and takes only the agents after it
in cell order, so every pair is seen once, in a loop the compiler vectorises. For each pair
within R:

* perceived neighbours: i perceives j unless j lies in i's blind volume, ``ê_i·r̂_ij < c`` with
  ``c = cos(α/2)`` and ``r̂_ij = r_ij/|r_ij|`` (0 for coincident agents), as before. The test
  is first made without a square root or division: with ``a = ê_i·r_ij``, ``a|a| >= c|c| d²``
  says the same (x ↦ x|x| is increasing) and is computed to within 2e-15 d², so only pairs
  within ``SURE`` d² of the edge are decided by the previous formula, with its dot product
  summed as numpy's einsum sums it;
* the alignment ``(1 + ê_i·ê_j)/2``, clipped to [0, 1], binned as :mod:`sims.couzin.alignment`
  bins it.

When the school spans at most ``COMPLETE_SPAN`` cells along each axis (most of its pairs are
within R), the sweep takes every pair instead, in one run of all the agents after each (no
cells, so no cell keys to compare): faster, and the paper's all-pairs alignment histogram, when
asked for, comes with it rather than from a second O(N²) loop.

Groups (connected components of the graph of all pairs within R) are found cell by cell by
union–find (:func:`_groups`): each agent is joined to its cell's first agent, and two cells are
joined if any of their agents are within R of each other, tested only while they are in
different groups, so that a cohesive school costs a few tests per cell.
"""

import math
from dataclasses import dataclass

import numba as nb
import numpy as np

from sims.couzin import alignment, cells, kernels, nearest
from sims.couzin.alignment import LANES, UNSURE, alignment_of, bin_code, tally
from sims.couzin.cells import bucket_of, full_window, separation

CONNECTED_SIDE = 1.0 / math.sqrt(3.0)  # cells of side R/√3: a cell's agents are within R
SURE = 1e-13  # blind-volume test: |a|a| - c|c| d²| above this times d² is decided as is
THREADED_FROM = kernels.THREADED_FROM  # agents: the sweep is shared among threads from this many
ANY_CELL = -(2**62)  # in place of a cell: a run of agents in any cell
COMPLETE_SPAN = 4  # cells per axis (of side R/√3) up to which a school's sweep sees all pairs


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
def _blind_test(projection, edge_factor, distance2):
    """``a|a| - c|c| d²``: positive when the neighbour is outside the blind volume."""
    return projection * abs(projection) - edge_factor * distance2


@nb.njit(cache=True, inline="always")
def _pair_code(value, here, inside, low, high, scale, bins):
    """Code of a pair's alignment in the histograms of :func:`pair_statistics`.

    With M bins: ``b`` (bin b, pair within R), ``M + b`` (bin b, beyond R), ``2M`` and
    ``2M + 1`` (within R, below and above the range: clipped into the end bins), ``2M + 2``
    (no histogram: out of range beyond R, or another cell); -1 and -2: to be binned exactly,
    within R and beyond.
    """
    code = bin_code(value, low, scale, bins)
    beyond = 1 - np.int64(inside)
    in_range = (value >= low) & (value <= high)
    in_range_code = UNSURE - beyond if code == UNSURE else code + beyond * bins
    clipped_code = 2 * bins + np.int64(value > high) if inside else 2 * bins + 2
    return (in_range_code if in_range else clipped_code) if here else 2 * bins + 2


@nb.njit(cache=True, inline="always")
def _sweep(i, start, end, cell, soa, keys, geometry, codes, values):
    """Pairs (i, j), ``start <= j < end``, j in ``cell`` (any cell: ANY_CELL).

    Writes the alignment codes and values and returns the pairs within R, the perceptions
    decided here and the pairs within R left undecided.
    """
    box, half, radius2, blind = geometry[0], geometry[1], geometry[2], geometry[3]
    low, high, scale, bins = geometry[4], geometry[5], geometry[6], np.int64(geometry[7])
    cx, cy, cz = cell
    anywhere = cx == ANY_CELL
    x, y, z, hx, hy, hz = soa[0, i], soa[1, i], soa[2, i], soa[3, i], soa[4, i], soa[5, i]
    edge_factor = blind * abs(blind)
    # unsigned indices: no negative-index wraparound, so that the loop vectorises; and no
    # inlined helper that takes an array (each call would count a reference)
    begin, stop = np.uint64(start), np.uint64(end)
    within, seen, unsure = 0, 0, 0
    for j in range(begin, stop):
        if box > 0.0:
            dx = separation(x, soa[0, j], box, half)
            dy = separation(y, soa[1, j], box, half)
            dz = separation(z, soa[2, j], box, half)
        else:  # the same, without the wrap's selects
            dx, dy, dz = soa[0, j] - x, soa[1, j] - y, soa[2, j] - z
        distance2 = (dx * dx + dy * dy) + dz * dz
        here = anywhere | ((keys[0, j] == cx) & (keys[1, j] == cy) & (keys[2, j] == cz))
        inside = here & (distance2 <= radius2)
        test_i = _blind_test((hx * dx + hy * dy) + hz * dz, edge_factor, distance2)
        projection_j = -((soa[3, j] * dx + soa[4, j] * dy) + soa[5, j] * dz)
        test_j = _blind_test(projection_j, edge_factor, distance2)
        edge = SURE * distance2
        seen += np.int64(inside & (test_i > edge)) + np.int64(inside & (test_j > edge))
        unsure += np.int64(inside & ((abs(test_i) <= edge) | (abs(test_j) <= edge)))
        value = alignment_of(hx, hy, hz, soa[3, j], soa[4, j], soa[5, j])
        values[j - begin] = value
        codes[j - begin] = _pair_code(value, here, inside, low, high, scale, bins)
        within += np.int64(inside)
    return within, seen, unsure


@nb.njit(cache=True)
def _undecided_perceptions(i, start, end, cell, soa, keys, geometry):
    """Perceptions of the pairs :func:`_sweep` left undecided, by the previous formula."""
    box, half, radius2, blind = geometry[0], geometry[1], geometry[2], geometry[3]
    edge_factor = blind * abs(blind)
    seen = 0
    for j in range(start, end):
        dx = separation(soa[0, i], soa[0, j], box, half)
        dy = separation(soa[1, i], soa[1, j], box, half)
        dz = separation(soa[2, i], soa[2, j], box, half)
        distance2 = (dx * dx + dy * dy) + dz * dz
        here = cell[0] == ANY_CELL or (
            keys[0, j] == cell[0] and keys[1, j] == cell[1] and keys[2, j] == cell[2]
        )
        if not here or distance2 > radius2:
            continue
        edge = SURE * distance2
        projection_i = (soa[3, i] * dx + soa[4, i] * dy) + soa[5, i] * dz
        projection_j = -((soa[3, j] * dx + soa[4, j] * dy) + soa[5, j] * dz)
        sure_i = abs(_blind_test(projection_i, edge_factor, distance2)) > edge
        sure_j = abs(_blind_test(projection_j, edge_factor, distance2)) > edge
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
        low, high = full_window(n_cells)
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
def _school_box(keys):
    """Lowest and highest cell of the school along each axis, (2, 3)."""
    box = np.empty((2, 3), dtype=np.int64)
    for axis in range(3):
        box[0, axis], box[1, axis] = keys[axis].min(), keys[axis].max()
    return box


@nb.njit(cache=True)
def _runs(i, soa, keys, bucket_start, grid, corner, reach, everyone, runs):
    """Runs of the sorted agents after agent i that may hold agents within ``reach`` of it.

    A row ``(start, end, cx, cy, cz)`` of ``runs`` for each cell that can hold a point within
    ``reach`` of it and agents after it, j in cell (cx, cy, cz) among ranks ``[start, end)``;
    with ``everyone``, one row: all agents after it, any cell. Returns the number of rows.
    """
    if everyone:
        runs[0, 0], runs[0, 1] = i + 1, soa.shape[1]
        runs[0, 2], runs[0, 3], runs[0, 4] = ANY_CELL, ANY_CELL, ANY_CELL
        return 1 if i + 1 < soa.shape[1] else 0
    width, n_cells = grid[0], grid[1]
    mask = bucket_start.shape[0] - 2
    position = (soa[0, i] - corner[0], soa[1, i] - corner[1], soa[2, i] - corner[2])
    cell = (keys[0, i], keys[1, i], keys[2, i])
    windows = np.empty((3, 2), dtype=np.int64)
    full = np.empty(3, dtype=np.bool_)
    for axis in range(3):
        windows[axis, 0], windows[axis, 1], full[axis] = _reach_window(
            position[axis], cell[axis], width, reach, n_cells
        )
    count = 0
    for ox in range(windows[0, 0], windows[0, 1] + 1):
        gap_x = 0.0 if full[0] else _gap(position[0], cell[0] + ox, width)
        for oy in range(windows[1, 0], windows[1, 1] + 1):
            gap_y = 0.0 if full[1] else _gap(position[1], cell[1] + oy, width)
            for oz in range(windows[2, 0], windows[2, 1] + 1):
                gap_z = 0.0 if full[2] else _gap(position[2], cell[2] + oz, width)
                if gap_x * gap_x + gap_y * gap_y + gap_z * gap_z > reach * reach:
                    continue
                bucket, cx, cy, cz = bucket_of(
                    cell[0] + ox, cell[1] + oy, cell[2] + oz, n_cells, mask
                )
                start, end = max(bucket_start[bucket], i + 1), bucket_start[bucket + 1]
                if start < end:
                    runs[count, 0], runs[count, 1] = start, end
                    runs[count, 2], runs[count, 3], runs[count, 4] = cx, cy, cz
                    count += 1
    return count


@nb.njit(cache=True)
def _max_runs(grid, reach):
    """Most cells an agent visits (rows of :func:`_runs`)."""
    width, n_cells = grid[0], grid[1]
    side = 2 * np.int64(math.ceil(reach / width)) + 3
    return (min(side, n_cells) if n_cells > 0 else side) ** 3


@nb.njit(cache=True, inline="always")
def _cell_head(keys, start, end, cell):
    """Rank of the first agent of ``cell`` among the sorted agents ``[start, end)`` (or end)."""
    head = start
    while head < end and (
        keys[0, head] != cell[0] or keys[1, head] != cell[1] or keys[2, head] != cell[2]
    ):
        head += 1
    return head


@nb.njit(cache=True)
def _joined(soa, keys, a, a_end, b, b_end, geometry):
    """Whether an agent of a's cell (ranks from a) is within R of one of b's (from b)."""
    box, half, radius2 = geometry[0], geometry[1], geometry[2]
    for i in range(a, a_end):
        if keys[0, i] != keys[0, a] or keys[1, i] != keys[1, a] or keys[2, i] != keys[2, a]:
            continue
        for j in range(b, b_end):
            if keys[0, j] != keys[0, b] or keys[1, j] != keys[1, b] or keys[2, j] != keys[2, b]:
                continue
            dx = separation(soa[0, i], soa[0, j], box, half)
            dy = separation(soa[1, i], soa[1, j], box, half)
            dz = separation(soa[2, i], soa[2, j], box, half)
            if (dx * dx + dy * dy) + dz * dz <= radius2:
                return True
    return False


@nb.njit(cache=True)
def _groups(soa, keys, bucket_start, order, grid, geometry):
    """Agents per group (see :func:`pair_statistics`), cell by cell.

    The agents of a cell are all within R of each other: each is joined to the cell's first
    agent (its head). Two cells are joined if any of their agents are within R of each other,
    tested only while they are in different groups.
    """
    n = soa.shape[1]
    width, n_cells = grid[0], grid[1]
    mask = bucket_start.shape[0] - 2
    reach = math.sqrt(geometry[2]) * (1.0 + cells.MARGIN) + cells.MARGIN * width
    steps = np.int64(math.ceil(reach / width)) + 1  # offsets of cells with a gap up to reach
    low, high = -steps, steps
    if n_cells > 0 and 2 * steps + 1 >= n_cells:
        low, high = full_window(n_cells)
    parent = np.arange(n)
    size = np.ones(n, dtype=np.int64)
    for a in range(n):
        cell = (keys[0, a], keys[1, a], keys[2, a])
        bucket = bucket_of(cell[0], cell[1], cell[2], n_cells, mask)[0]
        a_end = bucket_start[bucket + 1]
        head = _cell_head(keys, bucket_start[bucket], a_end, cell)
        if head < a:
            _union(parent, size, a, head)
            continue
        for ox in range(low, high + 1):
            for oy in range(low, high + 1):
                for oz in range(low, high + 1):
                    gap2 = 0.0
                    for offset in (ox, oy, oz):
                        gap = max(abs(offset) - 1, 0) * width
                        gap2 += gap * gap
                    if gap2 > reach * reach:
                        continue
                    bucket, cx, cy, cz = bucket_of(
                        cell[0] + ox, cell[1] + oy, cell[2] + oz, n_cells, mask
                    )
                    b_end = bucket_start[bucket + 1]
                    b = _cell_head(keys, bucket_start[bucket], b_end, (cx, cy, cz))
                    # each pair of cells once, from the one whose head comes first
                    if b <= a or b == b_end or _find(parent, a) == _find(parent, b):
                        continue
                    if _joined(soa, keys, a, a_end, b, b_end, geometry):
                        _union(parent, size, a, b)
    return _group_sizes(parent, order)


@nb.njit(cache=True)
def _sweep_agents(first, last, soa, keys, bucket_start, grid, corner, setup, edges):
    """Perceptions and alignment counts (2 bins + 3 codes) of some agents' pairs.

    The pairs of the agents of ranks ``[first, last)`` and of their mirror ranks N - 1 - i
    with the agents after them (mirrors even out the work of threads' tasks).
    """
    n = soa.shape[1]
    geometry, reach, complete, max_runs = setup
    with_histogram = edges.shape[0] > 1
    counts = np.zeros((LANES, 2 * np.int64(geometry[7]) + 3), dtype=np.int64)
    codes = np.empty(n, dtype=np.int64)
    values = np.empty(n)
    runs = np.empty((max_runs, 5), dtype=np.int64)
    perceived = 0
    for index in range(first, last):
        for side in range(2):
            i = index if side == 0 else n - 1 - index
            if side == 1 and i <= index:  # the middle rank of an odd N has no mirror
                break
            for r in range(_runs(i, soa, keys, bucket_start, grid, corner, reach, complete, runs)):
                start, end = runs[r, 0], runs[r, 1]
                cell = (runs[r, 2], runs[r, 3], runs[r, 4])
                within, seen, unsure = _sweep(
                    i, start, end, cell, soa, keys, geometry, codes, values
                )
                perceived += seen
                if unsure > 0:
                    perceived += _undecided_perceptions(i, start, end, cell, soa, keys, geometry)
                if with_histogram and (within > 0 or complete):
                    tally(codes, values, end - start, edges, counts)
    return perceived, counts.sum(axis=0)


TASK_AGENTS = 32  # agents (and as many mirror agents) per task of the threaded sweep


@nb.njit(cache=True, parallel=True)
def _sweep_threaded(soa, keys, bucket_start, grid, corner, geometry, reach, complete, edges):
    """:func:`_sweep_agents` over all agents, tasks shared among threads (the same sums)."""
    half = (soa.shape[1] + 1) // 2
    tasks = (half + TASK_AGENTS - 1) // TASK_AGENTS
    max_runs = _max_runs(grid, reach)
    perceived = 0
    counts = np.zeros(2 * np.int64(geometry[7]) + 3, dtype=np.int64)
    for task in nb.prange(tasks):
        first = task * TASK_AGENTS
        last = min(first + TASK_AGENTS, half)
        setup = (geometry, reach, complete, max_runs)
        seen, part = _sweep_agents(first, last, soa, keys, bucket_start, grid, corner, setup, edges)
        perceived += seen
        counts += part
    return perceived, counts


@nb.njit(cache=True)
def pair_statistics(
    soa, keys, bucket_start, order, grid, corner, radius, blind_cosine, edges, everyone, threaded
):
    """Perceived neighbours, groups and alignment histograms of the pairs within R.

    Parameters
    ----------
    soa : (6, N) float64
        Positions (body lengths; wrapped into [0, L) when periodic) and unit headings of the
        agents sorted by :func:`sims.couzin.cells.build_grid`, cells of side at most R/√3.
    keys, bucket_start, order : arrays
        The cell list (:func:`sims.couzin.cells.build_grid`).
    grid : tuple (float, int, float)
        Cell side (body lengths), cells per side and box side L (both 0 in open space).
    corner : tuple of 3 float
        Corner of cell (0, 0, 0) (body lengths).
    radius : float
        Perception radius R (body lengths).
    blind_cosine : float
        ``cos(α/2)``: i perceives j if ``ê_i·r̂_ij >= blind_cosine``.
    edges : (bins + 1,) float64
        Edges of the alignment histograms; empty: no histogram.
    everyone : bool
        Whether the histogram of all pairs is wanted (counted here if the school is compact).
    threaded : bool
        Share the sweep among threads (the same results).

    Returns
    -------
    perceived : int
        Ordered pairs (i, j) within R, j outside i's blind volume.
    counts : (bins,) int64
        Pairs within R per alignment bin (values clipped into the range).
    all_counts : (bins,) int64
        All pairs per alignment bin (values out of range left out); empty when not found.
    sizes : (groups,) int64
        Agents per group (connected components at R), numbered by their first agent.
    """
    width, box = grid[0], grid[2]
    with_histogram = edges.shape[0] > 1
    bins = max(edges.shape[0] - 1, 1)
    low, high = (edges[0], edges[bins]) if with_histogram else (0.0, 1.0)
    geometry = np.array(
        [box, 0.5 * box, radius * radius, blind_cosine, low, high, bins / (high - low), bins]
    )
    reach = radius * (1.0 + cells.MARGIN) + cells.MARGIN * width
    school = _school_box(keys)
    complete = (school[1] - school[0]).max() < COMPLETE_SPAN  # a compact school: all pairs
    if threaded:
        perceived, total = _sweep_threaded(
            soa, keys, bucket_start, grid, corner, geometry, reach, complete, edges
        )
    else:
        setup = (geometry, reach, complete, _max_runs(grid, reach))
        half = (soa.shape[1] + 1) // 2
        perceived, total = _sweep_agents(
            0, half, soa, keys, bucket_start, grid, corner, setup, edges
        )
    within = total[:bins].copy()
    within[0] += total[2 * bins]
    within[bins - 1] += total[2 * bins + 1]
    found_all = complete and everyone and with_histogram
    all_pairs = total[:bins] + total[bins : 2 * bins] if found_all else total[:0]
    sizes = _groups(soa, keys, bucket_start, order, grid, geometry)
    return perceived, within, all_pairs, sizes


@dataclass
class Neighbourhoods:
    """What :func:`survey` finds (see the module docstring)."""

    nearest: np.ndarray  # (N, k) distances to the k nearest others (body lengths), ascending
    perceived: int  # ordered pairs (i, j) within R with j outside i's blind volume
    alignment_counts: np.ndarray  # (bins,) pairs within R per alignment bin (empty: not asked)
    all_alignment_counts: np.ndarray | None  # (bins,) all pairs per bin, if found on the way
    group_sizes: np.ndarray  # agents per group, numbered by their first agent


def survey(
    positions: np.ndarray,
    headings: np.ndarray,
    offsets: np.ndarray,
    radius: float,
    blind_cosine: float,
    box: float | None,
    k: int,
    edges: np.ndarray,
    everyone: bool = False,
    threaded: bool | None = None,
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
        Edges of the alignment histograms; empty for none.
    everyone : bool
        Find the all-pairs alignment histogram too if the school is compact enough.
    threaded : bool, optional
        Share the pair sweep among threads (the same results); default: from
        ``THREADED_FROM`` agents.
    """
    if k > nearest.MOST:
        raise ValueError(f"at most {nearest.MOST} nearest neighbours, not {k}")
    positions = np.ascontiguousarray(positions, dtype=float)
    headings = np.asarray(headings, dtype=float)
    if box is not None:
        positions = np.mod(positions, box)
    edges = np.asarray(edges, dtype=float)
    corner = cells.origin(positions, box)
    grid = cells.grid(radius * CONNECTED_SIDE * (1.0 - cells.MARGIN), box)
    order, keys, bucket_start = cells.build_grid(positions, grid[0], grid[1], corner)
    soa = np.ascontiguousarray(np.concatenate([positions[order].T, headings[order].T]))
    if threaded is None:
        threaded = len(positions) >= THREADED_FROM
    perceived, counts, all_counts, sizes = pair_statistics(
        soa,
        keys,
        bucket_start,
        order,
        grid,
        corner,
        radius,
        blind_cosine,
        edges,
        everyone,
        threaded,
    )
    grid = cells.grid(nearest.cell_side(offsets), box)
    order, keys, bucket_start = cells.build_grid(positions, grid[0], grid[1], corner)
    distances = nearest.nearest_distances(
        np.ascontiguousarray(positions[order].T), keys, bucket_start, order, grid, corner, k
    )
    return Neighbourhoods(
        distances,
        int(perceived),
        counts if len(edges) > 1 else counts[:0],
        all_counts if len(all_counts) else None,
        sizes,
    )


def warm_up() -> None:
    """Compile (or load from the cache) every observation kernel, threaded ones included."""
    rng = np.random.default_rng(0)
    positions = rng.uniform(0.0, 2.0, (8, 3))
    headings = rng.normal(size=(8, 3))
    headings /= np.linalg.norm(headings, axis=1, keepdims=True)
    edges = alignment.bin_edges(20, 0.0, 1.0)
    for box in (None, 10.0):
        for threaded in (False, True):
            survey(positions, headings, positions, 1.0, -0.5, box, 5, edges, True, threaded)
    alignment.all_pairs_counts(np.ascontiguousarray(headings.T), edges)
    alignment.all_pairs_counts_threaded(np.ascontiguousarray(headings.T), edges)
