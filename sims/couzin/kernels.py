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

Neighbours are found either by testing all pairs or with a hashed cell list (cells of side at
least the perception radius, hashed into ``2^k >= 2N`` buckets, so memory is O(N) and cost O(N)
at fixed density whatever the extent of the school). Noise is drawn serially from one xoshiro256**
stream before the parallel sweep over agents, so results do not depend on the thread count.
"""

import math

import numba as nb
import numpy as np

from sims.core.rng import next_double

UNBOUNDED, PERIODIC, REFLECTING = 0, 1, 2
ALL_PAIRS, CELL_LIST = 0, 1
TINY = 1e-12  # vectors shorter than this have no direction
_HASH_X, _HASH_Y, _HASH_Z = 73856093, 19349663, 83492791  # Teschner et al. (2003) primes
_ACCUMULATORS = 12  # repulsion, orientation, attraction sums (xyz each), then the zone counts


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
    cosine = ex * dx + ey * dy + ez * dz
    # component of d̂ perpendicular to ê
    px, py, pz = dx - cosine * ex, dy - cosine * ey, dz - cosine * ez
    sine = math.sqrt(px * px + py * py + pz * pz)
    angle = math.atan2(sine, cosine)
    if angle <= max_angle:
        return dx, dy, dz
    if sine < TINY:  # anti-parallel: every plane through ê contains d̂
        px, py, pz, _, _, _ = _perpendicular_basis(ex, ey, ez)
    else:
        px, py, pz = px / sine, py / sine, pz / sine
    c, s = math.cos(max_angle), math.sin(max_angle)
    rx, ry, rz = c * ex + s * px, c * ey + s * py, c * ez + s * pz
    norm = math.sqrt(rx * rx + ry * ry + rz * rz)
    return rx / norm, ry / norm, rz / norm


@nb.njit(cache=True, inline="always")
def _minimum_image(delta, box):
    return delta - box * np.rint(delta / box)


@nb.njit(cache=True, inline="always")
def _accumulate_pair(i, j, positions, headings, zones, geometry, boundary, acc):
    """Add neighbour j's contribution to agent i's zone sums ``acc`` (see module docstring)."""
    repulsion2, orientation2, perception2, blind_cosine = zones[0], zones[1], zones[2], zones[3]
    box = geometry[0]
    dx = positions[j, 0] - positions[i, 0]
    dy = positions[j, 1] - positions[i, 1]
    dz = positions[j, 2] - positions[i, 2]
    if boundary == PERIODIC:
        dx, dy, dz = _minimum_image(dx, box), _minimum_image(dy, box), _minimum_image(dz, box)
    distance2 = dx * dx + dy * dy + dz * dz
    if distance2 >= perception2 or distance2 == 0.0:
        return
    distance = math.sqrt(distance2)
    ux, uy, uz = dx / distance, dy / distance, dz / distance
    if headings[i, 0] * ux + headings[i, 1] * uy + headings[i, 2] * uz < blind_cosine:
        return  # inside the blind volume behind i
    if distance2 < repulsion2:
        acc[0] -= ux
        acc[1] -= uy
        acc[2] -= uz
        acc[9] += 1.0
    elif distance2 < orientation2:
        acc[3] += headings[j, 0]
        acc[4] += headings[j, 1]
        acc[5] += headings[j, 2]
        acc[10] += 1.0
    else:
        acc[6] += ux
        acc[7] += uy
        acc[8] += uz
        acc[11] += 1.0


@nb.njit(cache=True, inline="always")
def _unit(x, y, z):
    norm = math.sqrt(x * x + y * y + z * z)
    if norm < TINY:
        return 0.0, 0.0, 0.0, False
    return x / norm, y / norm, z / norm, True


@nb.njit(cache=True, inline="always")
def _desired_direction(i, headings, acc):
    """Couzin's rule on the zone sums of agent i; returns a unit vector."""
    ex, ey, ez = headings[i, 0], headings[i, 1], headings[i, 2]
    n_repulsion, n_orientation, n_attraction = acc[9], acc[10], acc[11]
    if n_repulsion > 0:
        rx, ry, rz, ok = _unit(acc[0], acc[1], acc[2])
        return (rx, ry, rz) if ok else (ex, ey, ez)
    # orientation includes the agent itself
    ox, oy, oz, has_orientation = _unit(acc[3] + ex, acc[4] + ey, acc[5] + ez)
    ax, ay, az, has_attraction = _unit(acc[6], acc[7], acc[8])
    has_orientation = has_orientation and n_orientation > 0
    has_attraction = has_attraction and n_attraction > 0
    if has_orientation and has_attraction:
        dx, dy, dz, ok = _unit(0.5 * (ox + ax), 0.5 * (oy + ay), 0.5 * (oz + az))
        return (dx, dy, dz) if ok else (ex, ey, ez)
    if has_orientation:
        return ox, oy, oz
    if has_attraction:
        return ax, ay, az
    return ex, ey, ez


@nb.njit(cache=True, inline="always")
def _cell_coordinate(x, cell_width, cells_per_side, boundary):
    cell = np.int64(math.floor(x / cell_width))
    if boundary == PERIODIC:
        cell = min(max(cell, 0), cells_per_side - 1)
    return cell


@nb.njit(cache=True, inline="always")
def _bucket(cx, cy, cz, mask):
    return ((cx * _HASH_X) ^ (cy * _HASH_Y) ^ (cz * _HASH_Z)) & mask


@nb.njit(cache=True)
def build_cells(positions, cell_width, cells_per_side, boundary, cells, bucket_start, order):
    """Hashed cell list: integer cells of side ``cell_width``, agents sorted by bucket.

    Parameters
    ----------
    positions : (N, 3) float64
        Positions (body lengths).
    cell_width : float
        Cell side (body lengths), at least the perception radius.
    cells_per_side : int
        Cells along each side of a periodic box (ignored otherwise).
    boundary : int
        ``UNBOUNDED``, ``PERIODIC`` or ``REFLECTING``.
    cells : (N, 3) int64
        Output: each agent's integer cell.
    bucket_start : (B + 1,) int64
        Output: agents of bucket b are ``order[bucket_start[b]:bucket_start[b + 1]]``; B is a
        power of two.
    order : (N,) int64
        Output: agent indices sorted by bucket (stable).
    """
    n_agents = positions.shape[0]
    mask = bucket_start.shape[0] - 2
    bucket_start[:] = 0
    buckets = np.empty(n_agents, dtype=np.int64)
    for i in range(n_agents):
        for axis in range(3):
            cells[i, axis] = _cell_coordinate(
                positions[i, axis], cell_width, cells_per_side, boundary
            )
        buckets[i] = _bucket(cells[i, 0], cells[i, 1], cells[i, 2], mask)
        bucket_start[buckets[i] + 1] += 1
    for b in range(1, bucket_start.shape[0]):
        bucket_start[b] += bucket_start[b - 1]
    filled = bucket_start[:-1].copy()
    for i in range(n_agents):
        order[filled[buckets[i]]] = i
        filled[buckets[i]] += 1


@nb.njit(cache=True, inline="always")
def _neighbour_cell(coordinate, offset, cells_per_side, boundary):
    cell = coordinate + offset
    if boundary == PERIODIC:
        cell %= cells_per_side
    return cell


@nb.njit(cache=True, inline="always")
def _sweep_neighbours(i, positions, headings, zones, geometry, boundary, search, grid, acc):
    """Visit every j != i that could be perceived and add it to agent i's zone sums ``acc``."""
    n_agents = positions.shape[0]
    if search == ALL_PAIRS:
        for j in range(n_agents):
            if j != i:
                _accumulate_pair(i, j, positions, headings, zones, geometry, boundary, acc)
        return
    cells, bucket_start, order = grid
    cells_per_side = np.int64(geometry[2])
    mask = bucket_start.shape[0] - 2
    for ox in range(-1, 2):
        cx = _neighbour_cell(cells[i, 0], ox, cells_per_side, boundary)
        for oy in range(-1, 2):
            cy = _neighbour_cell(cells[i, 1], oy, cells_per_side, boundary)
            for oz in range(-1, 2):
                cz = _neighbour_cell(cells[i, 2], oz, cells_per_side, boundary)
                bucket = _bucket(cx, cy, cz, mask)
                for k in range(bucket_start[bucket], bucket_start[bucket + 1]):
                    j = order[k]
                    # buckets are shared by colliding cells: keep only agents of this cell
                    if j == i or cells[j, 0] != cx or cells[j, 1] != cy or cells[j, 2] != cz:
                        continue
                    _accumulate_pair(i, j, positions, headings, zones, geometry, boundary, acc)


@nb.njit(cache=True, parallel=True)
def _turn_all(positions, headings, new_headings, noise, zones, geometry, boundary, search, grid):
    """New headings of all agents (rules, noise, capped turn); returns perceived pairs."""
    n_agents = positions.shape[0]
    max_turn = geometry[1]
    sums = np.zeros((n_agents, _ACCUMULATORS))
    for i in nb.prange(n_agents):
        acc = sums[i]
        _sweep_neighbours(i, positions, headings, zones, geometry, boundary, search, grid, acc)
        dx, dy, dz = _desired_direction(i, headings, acc)
        dx, dy, dz = wrapped_gaussian_rotation(dx, dy, dz, noise[i, 0], noise[i, 1])
        ex, ey, ez = capped_rotation(
            headings[i, 0], headings[i, 1], headings[i, 2], dx, dy, dz, max_turn
        )
        new_headings[i, 0], new_headings[i, 1], new_headings[i, 2] = ex, ey, ez
    return np.int64(sums[:, 9:].sum())


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
    geometry : (4,) float64
        Box side L (body lengths), turn cap θΔt (rad), periodic cells per side, step length
        sΔt (body lengths).
    boundary, search : int
        Boundary (``UNBOUNDED``, ``PERIODIC``, ``REFLECTING``) and neighbour search
        (``ALL_PAIRS``, ``CELL_LIST``).
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
    n_buckets = 1 << max(4, int(math.ceil(math.log2(2 * n_agents))))
    cells = np.zeros((n_agents, 3), dtype=np.int64)
    bucket_start = np.zeros(n_buckets + 1, dtype=np.int64)
    order = np.zeros(n_agents, dtype=np.int64)
    cells_per_side = np.int64(geometry[2])
    perception = math.sqrt(zones[2])
    cell_width = geometry[0] / cells_per_side if boundary == PERIODIC else perception
    perceived = 0
    for _ in range(n_steps):
        if search == CELL_LIST:
            build_cells(positions, cell_width, cells_per_side, boundary, cells, bucket_start, order)
        if sigma > 0.0:
            draw_noise(noise, sigma, state)
        perceived += _turn_all(
            positions,
            headings,
            new_headings,
            noise,
            zones,
            geometry,
            boundary,
            search,
            (cells, bucket_start, order),
        )
        headings[:] = new_headings
        _move(positions, headings, geometry[3], boundary, geometry[0])
    return perceived
