"""Jitted Couzin dynamics: zone rules, capped rotation, wrapped-Gaussian noise, cell lists.

Everything here is a pure function of arrays. One step of the model (Couzin et al. 2002):

1. For every agent i, the perceived neighbours j (outside i's blind volume, within the perception
   radius ``r_r + Δr_o + Δr_a``) are sorted into the zones of repulsion (``|r_ij| < r_r``),
   orientation (``r_r <= |r_ij| < r_r + Δr_o``) and attraction (the rest).
2. Desired direction: ``d_r = -Σ r̂_ij`` if the repulsion zone is occupied; otherwise
   ``d_o = Σ v̂_j`` (i included) and ``d_a = Σ r̂_ij`` give ``½(d̂_o + d̂_a)`` when both zones are
   occupied, the one that is occupied otherwise, and the current heading when none is.
3. Noise: ``d`` is rotated by a spherically wrapped Gaussian of width σ (the exponential map of an
   isotropic 2-D Gaussian in the tangent plane: the angle from ``d`` is Rayleigh-distributed,
   the direction uniform).
4. Turn: the heading rotates toward the noisy ``d`` by at most ``θΔt``, exactly on the great
   circle through both (any perpendicular plane when they are anti-parallel). So no heading ever
   turns by more than ``θΔt`` in one step, noise included.
5. All headings are updated synchronously, then ``r_i += s Δt ê_i`` and the boundary is applied.

Neighbours are found either by testing all pairs or with a cell list. In open space and in a
reflecting box, cells of side R (the perception radius) are hashed into ``2^k >= 2N`` buckets
(memory O(N) whatever the extent of the school) and each agent sweeps its 27 neighbour cells in
one branch-free loop per cell that the compiler vectorises. In a periodic box the cells are
indexed densely, ``(c_x n_xy + c_y) n_z + c_z``, with sides at least R across x and y and at
least R/8 along z (finer along z only while there are at most 4 cells per agent; memory
O((L/R)^3), O(N) at fixed density). Each agent visits a precomputed stencil of the cell offsets
whose nearest point can be within R: nine z-runs of agents sorted by cell, each seen at one
image shift (so no minimum image is taken per pair). Agents are taken four at a time
(consecutive in cell order) and the runs are trimmed to the cells within ``sqrt(R² - d²)`` of
the group along z, d being the distance across from the group's bounding box to that run's
column. The sweep, two agents at a time, has two passes: a branch-free compaction that serves
both agents keeps, for each, the candidates within R (their index and offset, stored
contiguously; about 5 candidates per neighbour within R at 31 perceived; eight candidates per
AVX-512 compress where the host has it, see :mod:`sims.couzin.simd`), then 1/|r|, the
blind-volume test and the zone sums are computed for those alone. A group's runs contain each
agent's own runs in the same order, so every agent keeps the same list, hence the same sums, as
if it were taken alone.
Agents are sorted by cell (counting sort) and copied into component-major arrays each step.
Every agent's sums depend on the positions alone (cell order, then stencil order), so results
do not depend on threads or on how a run is chunked; with ``AUTO`` a compact school uses all
pairs.
Noise is drawn serially from one xoshiro256** stream before the (optionally threaded) sweep over
agents, so results do not depend on the thread count.
"""

import math

import numba as nb
import numpy as np

from sims.core.rng import next_double
from sims.couzin import simd

UNBOUNDED, PERIODIC, REFLECTING = 0, 1, 2
ALL_PAIRS, CELL_LIST, AUTO = 0, 1, 2
ALL_PAIRS_BELOW = 128  # agents: AUTO tests all pairs below this
COMPACT_CELLS = 3  # AUTO tests all pairs when the school spans fewer cells than this per axis
TINY = 1e-12  # vectors shorter than this have no direction
SUMS = 12  # zone sums per agent: d_r, Σ ê_j (orientation), d_a (3 each), n_r, n_o, n_a
_HASH_X, _HASH_Y, _HASH_Z = 73856093, 19349663, 83492791  # Teschner et al. (2003) primes


@nb.njit(cache=True, inline="always")
def _normal_pair(state):
    """Two independent standard normal deviates (Box–Muller, two uniform draws)."""
    radius = math.sqrt(-2.0 * math.log(1.0 - next_double(state)))
    angle = 2.0 * math.pi * next_double(state)
    return radius * math.cos(angle), radius * math.sin(angle)


@nb.njit(cache=True)
def draw_noise(noise, sigma, state):
    """Fill ``noise`` (N, 2) with tangent-plane Gaussian deviates of standard deviation σ (rad)."""
    for i in range(noise.shape[0]):
        first, second = _normal_pair(state)
        noise[i, 0] = sigma * first
        noise[i, 1] = sigma * second


@nb.njit(cache=True, inline="always")
def _perpendicular_basis(x, y, z):
    """Two unit vectors completing the unit vector (x, y, z) to a right-handed basis."""
    # cross with the coordinate axis least aligned with the vector
    ax, ay, az = abs(x), abs(y), abs(z)
    if ax <= ay and ax <= az:
        ux, uy, uz = 0.0, z, -y
    elif ay <= az:
        ux, uy, uz = -z, 0.0, x
    else:
        ux, uy, uz = y, -x, 0.0
    norm = math.sqrt(ux * ux + uy * uy + uz * uz)
    ux, uy, uz = ux / norm, uy / norm, uz / norm
    return ux, uy, uz, y * uz - z * uy, z * ux - x * uz, x * uy - y * ux


@nb.njit(cache=True, inline="always")
def wrapped_gaussian_rotation(x, y, z, xi1, xi2):
    """Rotate the unit vector (x, y, z) by the tangent vector (ξ1, ξ2) (exponential map).

    The result makes the angle ``sqrt(ξ1² + ξ2²)`` with the input, in the direction
    ``ξ1 u + ξ2 w`` of the tangent basis ``(u, w)``.
    """
    angle = math.sqrt(xi1 * xi1 + xi2 * xi2)
    if angle == 0.0:
        return x, y, z
    ux, uy, uz, wx, wy, wz = _perpendicular_basis(x, y, z)
    tx = (xi1 * ux + xi2 * wx) / angle
    ty = (xi1 * uy + xi2 * wy) / angle
    tz = (xi1 * uz + xi2 * wz) / angle
    cosine, sine = math.cos(angle), math.sin(angle)
    rx, ry, rz = cosine * x + sine * tx, cosine * y + sine * ty, cosine * z + sine * tz
    norm = math.sqrt(rx * rx + ry * ry + rz * rz)
    return rx / norm, ry / norm, rz / norm


@nb.njit(cache=True, inline="always")
def capped_rotation(ex, ey, ez, dx, dy, dz, max_angle):
    """Turn the unit heading ê toward the unit direction d̂ by at most ``max_angle`` (rad).

    If the angle between them is at most ``max_angle`` the result is d̂; otherwise ê is rotated
    by exactly ``max_angle`` in the plane of ê and d̂ (for anti-parallel vectors, in the plane
    of ê and a fixed perpendicular of ê).
    """
    cos_max, sin_max = _cap_cosine_sine(max_angle)
    return _capped_rotation(ex, ey, ez, dx, dy, dz, cos_max, sin_max)


@nb.njit(cache=True, inline="always")
def _cap_cosine_sine(max_angle):
    """Cosine and sine of the turn cap; (-1, 0) for a cap of π or more, which never binds."""
    if max_angle >= math.pi:
        return -1.0, 0.0
    return math.cos(max_angle), math.sin(max_angle)


@nb.njit(cache=True, inline="always")
def _capped_rotation(ex, ey, ez, dx, dy, dz, cos_max, sin_max):
    """:func:`capped_rotation` given the cosine and sine of the cap (trigonometry hoisted).

    The angle φ = atan2(sine, cosine) between ê and d̂ and the cap c both lie in [0, π], so
    φ <= c exactly when sin(φ - c) = sine cos c - cosine sin c <= 0 (φ = π, c = 0 aside): no
    arctangent is needed.
    """
    cosine = ex * dx + ey * dy + ez * dz
    # component of d̂ perpendicular to ê
    px, py, pz = dx - cosine * ex, dy - cosine * ey, dz - cosine * ez
    sine = math.sqrt(px * px + py * py + pz * pz)
    if sine * cos_max <= cosine * sin_max and (cos_max < 1.0 or cosine > 0.0):
        return dx, dy, dz
    if sine < TINY:  # anti-parallel: every plane through ê contains d̂
        px, py, pz, _, _, _ = _perpendicular_basis(ex, ey, ez)
    else:
        px, py, pz = px / sine, py / sine, pz / sine
    rx, ry, rz = (
        cos_max * ex + sin_max * px,
        cos_max * ey + sin_max * py,
        cos_max * ez + sin_max * pz,
    )
    norm = math.sqrt(rx * rx + ry * ry + rz * rz)
    return rx / norm, ry / norm, rz / norm


# reassociation lets the compiler vectorise the pair sums (results stay deterministic for a
# given machine and build; the SIMD width fixes the order of the additions)
_PAIR_MATH = True


@nb.njit(cache=True, inline="always")
def _minimum_image(delta, period, inverse_period):
    """Minimum-image displacement; branch-free, exact (a no-op) when both arguments are 0."""
    return delta - period * np.rint(delta * inverse_period)


@nb.njit(cache=True, inline="always")
def _range_sums(start, end, soa, keys, cell, check_cell, agent, zones, period, inverse_period):
    """Zone sums of one agent over the sorted neighbours ``start <= k < end``.

    Branch-free, so that the compiler vectorises it: every candidate k gets weights 0 or 1 for
    the three zones (0 when not perceived: too far, coincident, behind, or, with
    ``check_cell``, in another cell that shares the bucket).

    Parameters
    ----------
    soa : (6, N) float64
        Positions and headings of the agents in sorted order, one row per component.
    keys : (3, N) int64
        Their integer cells (sorted order).
    cell : tuple of int
        The cell whose agents count (with ``check_cell``).
    agent : tuple of float
        Position and heading (x, y, z, ex, ey, ez) of the perceiving agent.
    period, inverse_period : float
        Box side L and 1/L in a periodic box (minimum image), 0 and 0 otherwise.

    Returns
    -------
    tuple of float
        ``d_r`` (3), ``Σ ê_j`` over the orientation zone (3), ``d_a`` (3), ``n_r, n_o, n_a``.
    """
    repulsion2, orientation2, perception2, blind_cosine = zones[0], zones[1], zones[2], zones[3]
    xi, yi, zi, ex, ey, ez = agent
    cell_x, cell_y, cell_z = cell
    rx = ry = rz = ox = oy = oz = ax = ay = az = 0.0
    n_r = n_o = n_a = 0.0
    for k in range(start, end):
        dx, dy, dz = soa[0, k] - xi, soa[1, k] - yi, soa[2, k] - zi
        dx = _minimum_image(dx, period, inverse_period)
        dy = _minimum_image(dy, period, inverse_period)
        dz = _minimum_image(dz, period, inverse_period)
        distance2 = dx * dx + dy * dy + dz * dz
        inverse = 1.0 / math.sqrt(max(distance2, TINY))
        ux, uy, uz = dx * inverse, dy * inverse, dz * inverse
        seen = (
            distance2 < perception2
            and distance2 > 0.0
            and ex * ux + ey * uy + ez * uz >= blind_cosine
        )
        if check_cell:
            seen = seen and keys[0, k] == cell_x and keys[1, k] == cell_y and keys[2, k] == cell_z
        w_r, w_o, w_a = _zone_weights(seen, distance2, repulsion2, orientation2)
        rx, ry, rz, n_r = rx - w_r * ux, ry - w_r * uy, rz - w_r * uz, n_r + w_r
        ox, oy, oz = ox + w_o * soa[3, k], oy + w_o * soa[4, k], oz + w_o * soa[5, k]
        ax, ay, az = ax + w_a * ux, ay + w_a * uy, az + w_a * uz
        n_o, n_a = n_o + w_o, n_a + w_a
    return rx, ry, rz, ox, oy, oz, ax, ay, az, n_r, n_o, n_a


@nb.njit(cache=True, inline="always")
def _zone_weights(seen, distance2, repulsion2, orientation2):
    """1.0/0.0 weights of a candidate at squared distance ``distance2`` in each zone (r, o, a).

    Branch-free selections rather than ``if`` blocks, so that the candidate loops vectorise.
    """
    w_r = 1.0 if seen and distance2 < repulsion2 else 0.0
    w_o = 1.0 if seen and distance2 >= repulsion2 and distance2 < orientation2 else 0.0
    w_a = 1.0 if seen and distance2 >= orientation2 else 0.0
    return w_r, w_o, w_a


@nb.njit(cache=True, inline="always")
def _plus(a, b):
    """Element-wise sum of two 12-tuples of zone sums."""
    return (
        a[0] + b[0],
        a[1] + b[1],
        a[2] + b[2],
        a[3] + b[3],
        a[4] + b[4],
        a[5] + b[5],
        a[6] + b[6],
        a[7] + b[7],
        a[8] + b[8],
        a[9] + b[9],
        a[10] + b[10],
        a[11] + b[11],
    )


@nb.njit(cache=True, inline="always")
def _zone_sums(rank, soa, keys, bucket_start, zones, geometry, boundary, search):
    """Zone sums (see :func:`_range_sums`) of the agent at sorted position ``rank``.

    All pairs, or the hashed cell list of open space and the reflecting box (a periodic cell
    list goes by columns instead, see :func:`_periodic_column`).
    """
    period = geometry[0] if boundary == PERIODIC else 0.0
    inverse_period = 1.0 / period if boundary == PERIODIC else 0.0
    agent = (soa[0, rank], soa[1, rank], soa[2, rank], soa[3, rank], soa[4, rank], soa[5, rank])
    if search == ALL_PAIRS:
        return _range_sums(
            0, soa.shape[1], soa, keys, (0, 0, 0), False, agent, zones, period, inverse_period
        )
    mask = bucket_start.shape[0] - 2
    total = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    for offset_x in range(-1, 2):
        cx = keys[0, rank] + offset_x
        for offset_y in range(-1, 2):
            cy = keys[1, rank] + offset_y
            for offset_z in range(-1, 2):
                cz = keys[2, rank] + offset_z
                bucket = _bucket(cx, cy, cz, mask)
                part = _range_sums(
                    bucket_start[bucket],
                    bucket_start[bucket + 1],
                    soa,
                    keys,
                    (cx, cy, cz),
                    True,
                    agent,
                    zones,
                    period,
                    inverse_period,
                )
                total = _plus(total, part)
    return total


@nb.njit(cache=True, fastmath=_PAIR_MATH)
def _all_zone_sums_serial(soa, keys, bucket_start, zones, geometry, boundary, search, sums):
    """Zone sums of every agent (sorted order) into ``sums`` (N, 12), one thread."""
    for rank in range(soa.shape[1]):
        total = _zone_sums(rank, soa, keys, bucket_start, zones, geometry, boundary, search)
        for column in range(SUMS):
            sums[rank, column] = total[column]


@nb.njit(cache=True, fastmath=_PAIR_MATH, parallel=True)
def _all_zone_sums_threaded(soa, keys, bucket_start, zones, geometry, boundary, search, sums):
    """As :func:`_all_zone_sums_serial`, agents shared among threads (same result per agent)."""
    for rank in nb.prange(soa.shape[1]):
        total = _zone_sums(rank, soa, keys, bucket_start, zones, geometry, boundary, search)
        for column in range(SUMS):
            sums[rank, column] = total[column]


@nb.njit(cache=True)
def _turn_all(order, soa, sums, noise, max_turn, new_headings):
    """New headings from the zone sums (rule, noise, capped turn); returns perceived pairs.

    ``noise`` is in sorted order (see :func:`_gather`), so that only the new headings are
    written out of order (about 7 % of a step at N = 1e5).
    """
    perceived = 0
    cos_max, sin_max = _cap_cosine_sine(max_turn)
    for rank in range(order.shape[0]):
        i = order[rank]
        ex, ey, ez = soa[3, rank], soa[4, rank], soa[5, rank]
        total = (
            sums[rank, 0],
            sums[rank, 1],
            sums[rank, 2],
            sums[rank, 3],
            sums[rank, 4],
            sums[rank, 5],
            sums[rank, 6],
            sums[rank, 7],
            sums[rank, 8],
            sums[rank, 9],
            sums[rank, 10],
            sums[rank, 11],
        )
        dx, dy, dz = _desired_direction(ex, ey, ez, total)
        dx, dy, dz = wrapped_gaussian_rotation(dx, dy, dz, noise[rank, 0], noise[rank, 1])
        ex, ey, ez = _capped_rotation(ex, ey, ez, dx, dy, dz, cos_max, sin_max)
        new_headings[i, 0], new_headings[i, 1], new_headings[i, 2] = ex, ey, ez
        perceived += np.int64(sums[rank, 9] + sums[rank, 10] + sums[rank, 11])
    return perceived


# periodic cells: side >= R / SUBDIVISIONS across (x, y) and >= R / Z_SUBDIVISIONS along z, the
# contiguous axis (measured at N = 1e5: (1, 8) 0.71, (2, 4) 0.83, (3, 9) 1.08 us per agent for
# the zone sums; each stencil column costs a short loop, each candidate a compaction step; with
# pairs, at N = 3e4: (1, 8) 0.41, (1, 4) 0.43, (1, 16) 0.40, (2, 4) 0.54 us; re-checked with the
# AVX-512 compress and groups of four, whole steps at N = 3e4 and 1e5: (1, 4) and (1, 16) within
# ±5 % of (1, 8), (2, 4) 25 % slower)
SUBDIVISIONS = 1
Z_SUBDIVISIONS = 8
MAX_CELLS_PER_AGENT = 4  # finer z cells only while the cells are at most this many per agent
STENCIL_MARGIN = 1e-12  # relative: a stencil cell within (1 + margin) R is visited (rounding)


@nb.njit(cache=True)
def _stencil(box, perception, n_xy, n_z):
    """Stencil of cells of sides ``L / n_xy`` (x, y) and ``L / n_z`` (z); see periodic_stencil."""
    width, height = box / n_xy, box / n_z
    limit = (perception * (1.0 + STENCIL_MARGIN)) ** 2
    reach = np.int64(math.ceil(perception / width)) + 1
    rows = np.empty(((2 * reach + 1) ** 2, 3), dtype=np.int64)
    count, widest, tallest = 0, 0, 0
    for ox in range(-reach, reach + 1):
        gap_x = max(abs(ox) - 1, 0) * width
        for oy in range(-reach, reach + 1):
            gap_y = max(abs(oy) - 1, 0) * width
            rest = limit - gap_x * gap_x - gap_y * gap_y
            if rest <= 0.0:
                continue
            oz = 1
            while (oz * height) ** 2 < rest:
                oz += 1
            rows[count, 0], rows[count, 1], rows[count, 2] = ox, oy, oz
            widest, tallest = max(widest, abs(ox), abs(oy)), max(tallest, oz)
            count += 1
    return rows[:count].copy(), 2 * widest + 1 <= n_xy and 2 * tallest + 1 <= n_z


@nb.njit(cache=True)
def periodic_stencil(box, perception, subdivisions, z_subdivisions, max_cells):
    """Cells per side and stencil of a periodic cell list with cells finer than R.

    Cells have side ``h = L / n_xy`` across x and y and ``h_z = L / n_z`` along z. The stencil
    holds every cell offset ``(o_x, o_y, o_z)`` whose nearest point can be within the
    perception radius R of a point of the central cell: the gap between the two cells is
    ``max(|o| - 1, 0)`` cell sides along each axis, and offsets with ``Σ gap² < R²`` are kept.
    For each ``(o_x, o_y)`` they form a run ``|o_z| <= o_z_max``, a contiguous run of agents
    once they are sorted by cell (z fastest). The finest cells (at most ``subdivisions`` per R
    across, ``z_subdivisions`` along z) whose stencil fits in the box without two offsets
    reaching the same cell are taken, so that each cell is visited once, at a single image.

    Parameters
    ----------
    box : float
        Box side L (body lengths).
    perception : float
        Perception radius R (body lengths).
    subdivisions, z_subdivisions : int
        Most cells per perception radius to try across x and y, and along z.
    max_cells : int
        Cells along z are made finer than across only while there are at most this many.

    Returns
    -------
    n_xy, n_z : int
        Cells per side across and along z (side above ``R / subdivisions`` and
        ``R / z_subdivisions``); ``n_xy = 0`` if no cell list fits in the box.
    stencil : (M, 3) int64
        Rows ``(o_x, o_y, o_z_max)``.
    """
    for k in range(subdivisions, 0, -1):
        for k_z in range(max(z_subdivisions, k), 0, -1):
            # sides slightly above R/k, so that cells exactly R away are not visited for nothing
            n_xy = np.int64(math.floor(k * box / perception * (1.0 - 1e-9)))
            n_z = np.int64(math.floor(k_z * box / perception * (1.0 - 1e-9)))
            if n_xy < 3 or n_z < 3:
                continue
            if k_z > k and n_xy * n_xy * n_z > max_cells:  # memory O(N): coarser along z
                continue
            stencil, fits = _stencil(box, perception, n_xy, n_z)
            if fits:
                return n_xy, n_z, stencil
    return np.int64(0), np.int64(0), np.zeros((0, 3), dtype=np.int64)


@nb.njit(cache=True)
def build_periodic_cells(positions, box, n_xy, n_z, cell_start, order, work):
    """Dense periodic cell list: agents sorted by cell ``(c_x n_xy + c_y) n_z + c_z`` (stable).

    Parameters
    ----------
    positions : (N, 3) float64
        Positions in ``[0, L)`` (body lengths).
    box : float
        Box side L.
    n_xy, n_z : int
        Cells per side across x and y and along z.
    cell_start : (n_xy² n_z + 1,) int64
        Output: agents of cell c are ``order[cell_start[c]:cell_start[c + 1]]``.
    order : (N,) int64
        Output: agent indices sorted by cell (counting sort).
    work : tuple of int64 arrays
        Work space, shapes (N,) and (n_xy² n_z,): allocated once per run rather than each step.
    """
    n_agents = positions.shape[0]
    scale_xy, scale_z = n_xy / box, n_z / box
    cell_start[:] = 0
    cells, filled = work
    for i in range(n_agents):
        cx = min(max(np.int64(math.floor(positions[i, 0] * scale_xy)), 0), n_xy - 1)
        cy = min(max(np.int64(math.floor(positions[i, 1] * scale_xy)), 0), n_xy - 1)
        cz = min(max(np.int64(math.floor(positions[i, 2] * scale_z)), 0), n_z - 1)
        cells[i] = (cx * n_xy + cy) * n_z + cz
        cell_start[cells[i] + 1] += 1
    for c in range(1, cell_start.shape[0]):
        cell_start[c] += cell_start[c - 1]
    filled[:] = cell_start[:-1]
    for i in range(n_agents):
        order[filled[cells[i]]] = i
        filled[cells[i]] += 1


@nb.njit(cache=True, inline="always")
def _wrap(cell, n, box):
    """Cell index brought into ``0 .. n - 1`` and the image shift that goes with it."""
    if cell < 0:
        return cell + n, -box
    if cell >= n:
        return cell - n, box
    return cell, 0.0


@nb.njit(cache=True, inline="always")
def _add_range(ranges, shifts, count, first, end, sx, sy, sz):
    """Append the sorted agents ``first <= k < end``, seen at image ``r_k + (sx, sy, sz)``."""
    ranges[count, 0], ranges[count, 1] = first, end
    shifts[count, 0], shifts[count, 1], shifts[count, 2] = sx, sy, sz
    return count + 1


@nb.njit(cache=True, inline="always")
def _keep(k, position, origin, perception2, indices, offsets, lane, m):
    """Compaction step of one agent (``lane``): store candidate k at slot m, keep it if in range.

    Branch-free: the index and the offset ``r_k + shift - r_i`` are always written, and the
    next free slot advances only when the candidate is within R. Returns that slot.
    """
    dx, dy, dz = position[0] - origin[0], position[1] - origin[1], position[2] - origin[2]
    # the offsets are stored so that the second pass reads them contiguously
    indices[lane, m] = k
    offsets[lane, 0, m], offsets[lane, 1, m], offsets[lane, 2, m] = dx, dy, dz
    return m + np.uint64(dx * dx + dy * dy + dz * dz < perception2)


@nb.njit(cache=True, inline="always")
def _origin(soa, rank, shifts, r):
    """Position of agent ``rank`` less run r's image shift: ``r_k + shift - r_i = r_k - origin``."""
    return soa[0, rank] - shifts[r, 0], soa[1, rank] - shifts[r, 1], soa[2, rank] - shifts[r, 2]


@nb.njit(cache=True, inline="always")
def _pair_candidates_scalar(pair, soa, ranges, shifts, n_ranges, perception2, indices, offsets):
    """First pass for two agents at once: the candidates within R of each (itself included).

    One sweep over the runs serves both agents of ``pair`` (each candidate is loaded once),
    and each keeps its own compacted list, lane 0 and lane 1 of ``indices`` (2, capacity) and
    ``offsets`` (2, 3, capacity). Returns how many each keeps.
    """
    m0 = m1 = np.uint64(0)
    for r in range(n_ranges):
        origin0 = _origin(soa, pair[0], shifts, r)
        origin1 = _origin(soa, pair[1], shifts, r)
        # unsigned indices: no negative-index wraparound in the hot loop
        for k in range(np.uint64(ranges[r, 0]), np.uint64(ranges[r, 1])):
            position = (soa[0, k], soa[1, k], soa[2, k])
            m0 = _keep(k, position, origin0, perception2, indices, offsets, 0, m0)
            m1 = _keep(k, position, origin1, perception2, indices, offsets, 1, m1)
    return m0, m1


@nb.njit(cache=True, inline="always")
def _pair_candidates_simd(pair, soa, ranges, shifts, n_ranges, perception2, indices, offsets):
    """:func:`_pair_candidates_scalar`, ``simd.LANES`` candidates at a time (see sims.couzin.simd).

    ``indices`` and ``offsets`` need ``simd.LANES`` slots beyond the candidates of the runs.
    """
    if soa.shape[1] < simd.LANES:  # nothing to gain (and below 3 agents the loads leave soa)
        return _pair_candidates_scalar(
            pair, soa, ranges, shifts, n_ranges, perception2, indices, offsets
        )
    kept = (np.uint64(0), np.uint64(0))
    for r in range(n_ranges):
        origins = _origin(soa, pair[0], shifts, r) + _origin(soa, pair[1], shifts, r)
        end = np.uint64(ranges[r, 1])
        for k in range(np.uint64(ranges[r, 0]), end, np.uint64(simd.LANES)):
            kept = simd.keep_lanes(soa, k, end, origins, perception2, indices, offsets, kept)
    return kept


_pair_candidates = _pair_candidates_simd if simd.AVAILABLE else _pair_candidates_scalar


@nb.njit(cache=True, inline="always")
def _near_sums(m, indices, offsets, soa, heading, zones):
    """Second pass: zone sums (see :func:`_range_sums`) over the ``m`` candidates within R."""
    repulsion2, orientation2, blind_cosine = zones[0], zones[1], zones[3]
    ex, ey, ez = heading
    rx = ry = rz = ox = oy = oz = ax = ay = az = 0.0
    n_r = n_o = n_a = 0.0
    for t in range(m):
        k = indices[t]
        dx, dy, dz = offsets[0, t], offsets[1, t], offsets[2, t]
        distance2 = dx * dx + dy * dy + dz * dz
        inverse = 1.0 / math.sqrt(max(distance2, TINY))
        ux, uy, uz = dx * inverse, dy * inverse, dz * inverse
        seen = (distance2 > 0.0) & (ex * ux + ey * uy + ez * uz >= blind_cosine)
        w_r, w_o, w_a = _zone_weights(seen, distance2, repulsion2, orientation2)
        rx, ry, rz, n_r = rx - w_r * ux, ry - w_r * uy, rz - w_r * uz, n_r + w_r
        ox, oy, oz = ox + w_o * soa[3, k], oy + w_o * soa[4, k], oz + w_o * soa[5, k]
        ax, ay, az = ax + w_a * ux, ay + w_a * uy, az + w_a * uz
        n_o, n_a = n_o + w_o, n_a + w_a
    return rx, ry, rz, ox, oy, oz, ax, ay, az, n_r, n_o, n_a


@nb.njit(cache=True, inline="always")
def _group_runs(first, last, soa, cell_start, geometry, columns, ranges, shifts):
    """The runs of sorted agents that hold every neighbour of the agents ``first .. last``.

    For each stencil column ``(o_x, o_y)`` the run is trimmed to the cells within
    ``sqrt(R² - d²)`` of the group along z, d being the distance across from the group's
    bounding box to that column, and split in two where it wraps around the box along z. The
    runs of a group contain each agent's own runs, in the same order.

    Parameters
    ----------
    first, last : int
        Sorted positions of the group's first and last agents, consecutive in cell order in
        one column (possibly equal).
    geometry : tuple
        Column ``(c_x, c_y)``, cells across and along z, box side, ``R²`` (with the stencil
        margin).
    columns : tuple of arrays
        The stencil (see :func:`periodic_stencil`), and the first cell and image shift (x, y)
        of each of its columns.

    Returns
    -------
    n_ranges, size : int
        Runs written to ``ranges`` and ``shifts``, and agents in them; ``n_ranges = -1`` when a
        run would reach around the box onto itself (the agents are then taken one at a time).
    """
    cx, cy, n_xy, n_z, box, limit = geometry
    stencil, base, shift_xy = columns
    width = box / n_xy
    z_scale = n_z / box
    margin = 1e-9 * box
    fx_low = fx_high = soa[0, first] - cx * width
    fy_low = fy_high = soa[1, first] - cy * width
    z_low = z_high = soa[2, first]
    for agent in range(first + 1, last + 1):
        fx, fy, z = soa[0, agent] - cx * width, soa[1, agent] - cy * width, soa[2, agent]
        fx_low, fx_high = min(fx_low, fx), max(fx_high, fx)
        fy_low, fy_high = min(fy_low, fy), max(fy_high, fy)
        z_low, z_high = min(z_low, z), max(z_high, z)
    # cells along z of the group (sorted by cell: first <= last), as in build_periodic_cells
    cz_low = min(max(np.int64(math.floor(soa[2, first] * z_scale)), 0), n_z - 1)
    cz_high = min(max(np.int64(math.floor(soa[2, last] * z_scale)), 0), n_z - 1)
    n_ranges, size = 0, 0
    for row in range(stencil.shape[0]):
        ox, oy, oz = stencil[row, 0], stencil[row, 1], stencil[row, 2]
        gap_x = 0.0
        if ox < 0:
            gap_x = (-ox - 1) * width + fx_low
        elif ox > 0:
            gap_x = (ox - 1) * width + (width - fx_high)
        gap_y = 0.0
        if oy < 0:
            gap_y = (-oy - 1) * width + fy_low
        elif oy > 0:
            gap_y = (oy - 1) * width + (width - fy_high)
        gap_x, gap_y = max(gap_x, 0.0), max(gap_y, 0.0)
        rest = limit - gap_x * gap_x - gap_y * gap_y
        if rest <= 0.0:
            continue
        half = math.sqrt(rest) + margin
        low = max(np.int64(math.floor((z_low - half) * z_scale)), cz_low - oz)
        high = min(np.int64(math.floor((z_high + half) * z_scale)), cz_high + oz)
        if high - low >= n_z:
            return -1, 0
        b, sx, sy = base[row], shift_xy[row, 0], shift_xy[row, 1]
        if low < 0:
            a0, a1 = cell_start[b + low + n_z], cell_start[b + n_z]
            n_ranges = _add_range(ranges, shifts, n_ranges, a0, a1, sx, sy, -box)
            size += a1 - a0
            low = 0
        if high >= n_z:
            a0, a1 = cell_start[b], cell_start[b + high - n_z + 1]
            n_ranges = _add_range(ranges, shifts, n_ranges, a0, a1, sx, sy, box)
            size += a1 - a0
            high = n_z - 1
        if high >= low:
            a0, a1 = cell_start[b + low], cell_start[b + high + 1]
            n_ranges = _add_range(ranges, shifts, n_ranges, a0, a1, sx, sy, 0.0)
            size += a1 - a0
    return n_ranges, size


# agents per trimming of the runs, swept two at a time. Measured at N = 3e4 and 1e5 (zone sums,
# AVX-512 sweep): 4 is 7-9 % faster than 2; sweeping all 4 at once is no faster than 2 + 2
# (the compress work grows with the wider runs), and larger groups widen the runs more than
# they save on trimming.
GROUP = 4


@nb.njit(cache=True, inline="always")
def _periodic_column(column, soa, cell_start, zones, box, n_xy, n_z, stencil, sums):
    """Zone sums of every agent in the z-column ``column = c_x n_xy + c_y`` of a periodic box.

    The stencil's columns (their first cells and image shifts) are found once per column. The
    agents are taken in groups of GROUP, consecutive in cell order: the runs are trimmed once
    per group (:func:`_group_runs`) and swept once per pair of its agents
    (:func:`_pair_candidates`). Each agent's compacted list, hence its sums, is the same as if
    it were taken alone.
    """
    cx, cy = column // n_xy, column % n_xy
    rows = stencil.shape[0]
    base = np.empty(rows, dtype=np.int64)
    shift_xy = np.empty((rows, 2))
    for row in range(rows):
        gx, sx = _wrap(cx + stencil[row, 0], n_xy, box)
        gy, sy = _wrap(cy + stencil[row, 1], n_xy, box)
        base[row], shift_xy[row, 0], shift_xy[row, 1] = (gx * n_xy + gy) * n_z, sx, sy
    ranges = np.empty((2 * rows, 2), dtype=np.int64)
    shifts = np.zeros((2 * rows, 3))
    capacity = 256
    indices = np.empty((2, capacity), dtype=np.uint64)
    offsets = np.empty((2, 3, capacity))
    geometry = (cx, cy, n_xy, n_z, box, zones[2] * (1.0 + STENCIL_MARGIN) ** 2)
    columns = (stencil, base, shift_xy)
    rank, end = cell_start[column * n_z], cell_start[(column + 1) * n_z]
    while rank < end:
        last = min(rank + GROUP - 1, end - 1)
        runs = _group_runs(rank, last, soa, cell_start, geometry, columns, ranges, shifts)
        if runs[0] < 0:  # a group too wide for the box: one agent at a time
            last = rank
            runs = _group_runs(rank, last, soa, cell_start, geometry, columns, ranges, shifts)
        n_ranges, size = runs
        if size + simd.LANES > capacity:  # room for the vectorised first pass's last stores
            capacity = 2 * size + simd.LANES
            indices = np.empty((2, capacity), dtype=np.uint64)
            offsets = np.empty((2, 3, capacity))
        for first in range(rank, last + 1, 2):
            pair = (first, min(first + 1, last))  # the group's last agent may pair with itself
            kept = _pair_candidates(pair, soa, ranges, shifts, n_ranges, zones[2], indices, offsets)
            for lane in range(2):
                i = pair[lane]
                heading = (soa[3, i], soa[4, i], soa[5, i])
                total = _near_sums(kept[lane], indices[lane], offsets[lane], soa, heading, zones)
                for c in range(SUMS):
                    sums[i, c] = total[c]
        rank = last + 1


@nb.njit(cache=True, fastmath=_PAIR_MATH)
def _periodic_zone_sums_serial(soa, cell_start, zones, box, n_xy, n_z, stencil, sums):
    """Zone sums of every agent of a periodic box, column by column, one thread."""
    for column in range(n_xy * n_xy):
        _periodic_column(column, soa, cell_start, zones, box, n_xy, n_z, stencil, sums)


@nb.njit(cache=True, fastmath=_PAIR_MATH, parallel=True)
def _periodic_zone_sums_threaded(soa, cell_start, zones, box, n_xy, n_z, stencil, sums):
    """As :func:`_periodic_zone_sums_serial`, columns shared among threads."""
    for column in nb.prange(n_xy * n_xy):
        _periodic_column(column, soa, cell_start, zones, box, n_xy, n_z, stencil, sums)


# below this many agents a parallel region per step costs more than it saves (far more on a
# loaded machine)
THREADED_FROM = 4096


@nb.njit(cache=True, inline="always")
def _unit(x, y, z):
    norm = math.sqrt(x * x + y * y + z * z)
    if norm < TINY:
        return 0.0, 0.0, 0.0, False
    return x / norm, y / norm, z / norm, True


@nb.njit(cache=True, inline="always")
def _desired_direction(ex, ey, ez, sums):
    """Couzin's rule on the zone sums of heading ê (see :func:`_range_sums`); a unit vector."""
    rx, ry, rz, ox, oy, oz, ax, ay, az, n_r, n_o, n_a = sums
    if n_r > 0:
        rx, ry, rz, ok = _unit(rx, ry, rz)
        return (rx, ry, rz) if ok else (ex, ey, ez)
    # orientation includes the agent itself
    ox, oy, oz, has_orientation = _unit(ox + ex, oy + ey, oz + ez)
    ax, ay, az, has_attraction = _unit(ax, ay, az)
    has_orientation = has_orientation and n_o > 0
    has_attraction = has_attraction and n_a > 0
    if has_orientation and has_attraction:
        dx, dy, dz, ok = _unit(0.5 * (ox + ax), 0.5 * (oy + ay), 0.5 * (oz + az))
        return (dx, dy, dz) if ok else (ex, ey, ez)
    if has_orientation:
        return ox, oy, oz
    if has_attraction:
        return ax, ay, az
    return ex, ey, ez


@nb.njit(cache=True, inline="always")
def _bucket(cx, cy, cz, mask):
    return ((cx * _HASH_X) ^ (cy * _HASH_Y) ^ (cz * _HASH_Z)) & mask


@nb.njit(cache=True)
def build_cells(positions, cell_width, cells, bucket_start, order):
    """Hashed cell list (open space, reflecting box): cells of side ``cell_width``, sorted.

    Parameters
    ----------
    positions : (N, 3) float64
        Positions (body lengths).
    cell_width : float
        Cell side (body lengths), at least the perception radius.
    cells : (N, 3) int64
        Output: each agent's integer cell.
    bucket_start : (B + 1,) int64
        Output: agents of bucket b are ``order[bucket_start[b]:bucket_start[b + 1]]``; B is a
        power of two and cells are hashed into buckets.
    order : (N,) int64
        Output: agent indices sorted by bucket (stable).
    """
    n_agents = positions.shape[0]
    mask = bucket_start.shape[0] - 2
    bucket_start[:] = 0
    buckets = np.empty(n_agents, dtype=np.int64)
    for i in range(n_agents):
        for axis in range(3):
            cells[i, axis] = np.int64(math.floor(positions[i, axis] / cell_width))
        buckets[i] = _bucket(cells[i, 0], cells[i, 1], cells[i, 2], mask)
        bucket_start[buckets[i] + 1] += 1
    for b in range(1, bucket_start.shape[0]):
        bucket_start[b] += bucket_start[b - 1]
    filled = bucket_start[:-1].copy()
    for i in range(n_agents):
        order[filled[buckets[i]]] = i
        filled[buckets[i]] += 1


@nb.njit(cache=True)
def _gather(positions, headings, cells, order, soa, keys, noise, sorted_noise):
    """Copy positions, headings and cells into sorted, component-major arrays; sort the noise.

    Agent i keeps its own noise (``noise[i]``, drawn in agent order), so results do not depend
    on the order. Cells are copied only if ``cells`` has rows (the hashed cell list).
    """
    with_cells = cells.shape[0] > 0
    for rank in range(order.shape[0]):
        i = order[rank]
        sorted_noise[rank, 0], sorted_noise[rank, 1] = noise[i, 0], noise[i, 1]
        for axis in range(3):
            soa[axis, rank] = positions[i, axis]
            soa[3 + axis, rank] = headings[i, axis]
        if with_cells:
            keys[0, rank], keys[1, rank], keys[2, rank] = cells[i, 0], cells[i, 1], cells[i, 2]


@nb.njit(cache=True)
def _move(positions, headings, step_length, boundary, box):
    """``r += s Δt ê`` for every agent, then wrap (periodic) or mirror (reflecting walls)."""
    for i in range(positions.shape[0]):
        for axis in range(3):
            x = positions[i, axis] + step_length * headings[i, axis]
            if boundary == PERIODIC:
                x -= box * math.floor(x / box)
                if x >= box:  # rounding of a tiny negative x
                    x -= box
            elif boundary == REFLECTING:
                if x < 0.0:
                    x = -x
                    headings[i, axis] = -headings[i, axis]
                elif x > box:
                    x = 2.0 * box - x
                    headings[i, axis] = -headings[i, axis]
            positions[i, axis] = x


@nb.njit(cache=True)
def _step_search(search, positions, perception, boundary):
    """The search of this step: AUTO tests all pairs for few agents or a compact open school.

    A school that spans fewer than ``COMPACT_CELLS`` perception radii along every axis puts
    most of itself in every agent's 27 neighbour cells, so testing all pairs is cheaper. The
    choice depends on the state only, so runs stay reproducible.
    """
    if search != AUTO:
        return search
    if positions.shape[0] < ALL_PAIRS_BELOW:
        return ALL_PAIRS
    if boundary == PERIODIC:
        return CELL_LIST
    for axis in range(3):
        if positions[:, axis].max() - positions[:, axis].min() >= COMPACT_CELLS * perception:
            return CELL_LIST
    return ALL_PAIRS


@nb.njit(cache=True)
def advance(positions, headings, n_steps, zones, geometry, boundary, search, sigma, state):
    """Advance the school ``n_steps`` steps in place.

    Parameters
    ----------
    positions, headings : (N, 3) float64
        Positions (body lengths) and unit headings, updated in place.
    n_steps : int
        Steps of Δt.
    zones : (4,) float64
        ``r_r²``, ``(r_r + Δr_o)²``, ``(r_r + Δr_o + Δr_a)²`` (body lengths²) and the cosine of
        half the field of perception (a neighbour with ``ê_i·r̂_ij`` below it is not perceived).
    geometry : (3,) float64
        Box side L (body lengths), turn cap θΔt (rad), step length sΔt (body lengths).
    boundary, search : int
        Boundary (``UNBOUNDED``, ``PERIODIC``, ``REFLECTING``) and neighbour search
        (``ALL_PAIRS``, ``CELL_LIST`` or ``AUTO``, see :func:`_step_search`).
    sigma : float
        Standard deviation of the wrapped-Gaussian noise per step (rad).
    state : (4,) uint64
        xoshiro256** state, advanced in place.

    Returns
    -------
    int
        Perceived (ordered) neighbour pairs summed over the steps.
    """
    n_agents = positions.shape[0]
    new_headings = np.empty_like(headings)
    noise = np.zeros((n_agents, 2))
    sorted_noise = np.zeros((n_agents, 2))
    perception = math.sqrt(zones[2])
    n_buckets = 1 << max(4, int(math.ceil(math.log2(2 * n_agents))))
    n_xy, n_z = np.int64(0), np.int64(0)
    stencil = np.zeros((0, 3), dtype=np.int64)
    if boundary == PERIODIC:
        n_xy, n_z, stencil = periodic_stencil(
            geometry[0], perception, SUBDIVISIONS, Z_SUBDIVISIONS, MAX_CELLS_PER_AGENT * n_agents
        )
        if n_xy == 0:  # too small a box for a cell list
            search = ALL_PAIRS
        else:
            n_buckets = n_xy * n_xy * n_z
    cells = np.zeros((n_agents, 3), dtype=np.int64)
    bucket_start = np.zeros(n_buckets + 1, dtype=np.int64)
    work = (np.empty(n_agents, dtype=np.int64), np.empty(n_buckets, dtype=np.int64))
    order = np.arange(n_agents)
    soa = np.empty((6, n_agents))
    keys = np.zeros((3, n_agents), dtype=np.int64)
    sums = np.empty((n_agents, SUMS))
    perceived = 0
    for _ in range(n_steps):
        step_search = _step_search(search, positions, perception, boundary)
        if step_search == CELL_LIST and boundary == PERIODIC:
            build_periodic_cells(positions, geometry[0], n_xy, n_z, bucket_start, order, work)
        elif step_search == CELL_LIST:
            build_cells(positions, perception, cells, bucket_start, order)
        else:
            order[:] = np.arange(n_agents)
        if sigma > 0.0:
            draw_noise(noise, sigma, state)
        hashed = cells if step_search == CELL_LIST and boundary != PERIODIC else cells[:0]
        _gather(positions, headings, hashed, order, soa, keys, noise, sorted_noise)
        if boundary == PERIODIC and step_search == CELL_LIST:
            periodic = (soa, bucket_start, zones, geometry[0], n_xy, n_z, stencil, sums)
            if n_agents >= THREADED_FROM:
                _periodic_zone_sums_threaded(*periodic)
            else:
                _periodic_zone_sums_serial(*periodic)
        else:
            sweep = (soa, keys, bucket_start, zones, geometry, boundary, step_search, sums)
            if n_agents >= THREADED_FROM:
                _all_zone_sums_threaded(*sweep)
            else:
                _all_zone_sums_serial(*sweep)
        perceived += _turn_all(order, soa, sums, sorted_noise, geometry[1], new_headings)
        headings[:] = new_headings
        _move(positions, headings, geometry[2], boundary, geometry[0])
    return perceived
