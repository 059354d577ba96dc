"""Event-driven molecular dynamics of hard discs: jitted kernels on plain arrays.

Every disc ``i`` keeps its position at its own last event time ``local_time[i]``; between events
it moves freely, so its position at time ``t`` is ``position[i] + velocity[i] * (t -
local_time[i])``. Nothing is synchronised globally: a disc's stored position changes only at its
own events (collision, wall reflection, cell crossing), which makes results independent of where a
run is stopped and resumed.

Each disc has exactly one *own* event: the earliest of its predicted disc collisions, wall
reflections and cell crossings, recorded per disc as (event id, partner code, the partner's
trajectory ``version`` at prediction time). A binary min-heap ordered by (time, disc) holds
(time, disc, event id) entries. Invalidation is lazy: a popped entry whose id is no longer its
disc's current one is dropped, and an event whose partner has changed trajectory since it was
predicted is re-predicted instead of processed. When the heap fills up, stale entries are
compacted away.

Neighbours are found with a cell list (cells at least one diameter wide; doubly linked lists).
Crossing a cell boundary is an event, after which the disc re-predicts against its new
neighbourhood. Walls are reflecting, or the box is periodic (minimum image, at least three cells
per direction).

Units: any consistent set; the model uses the diameter σ, the mass m and k_B T.
"""

import numba as nb
import numpy as np

# partner codes of events that are not disc collisions
WALL_X = -1
WALL_Y = -2
CROSS_LEFT = -3
CROSS_RIGHT = -4
CROSS_DOWN = -5
CROSS_UP = -6
NO_EVENT = -7

# indices into the int64 ``counters`` array
HEAP_SIZE = 0
COLLISIONS = 1
WALL_COLLISIONS = 2
CELL_CROSSINGS = 3
N_COUNTERS = 4

# indices into the float64 ``sums`` array
VIRIAL = 0  # Σ over collisions of r_ij · J_i (mass length² / time)
WALL_IMPULSE = 1  # Σ over wall collisions of 2 m |v_normal| (mass length / time)
N_SUMS = 2

HEAP_SLOTS_PER_DISC = 4


@nb.njit(cache=True)
def cell_index(x, y, cell_width, cell_height, cells_x, cells_y):
    """Linear index ``cx + cells_x * cy`` of the cell holding point (x, y), clipped to the box."""
    column = min(max(int(np.floor(x / cell_width)), 0), cells_x - 1)
    row = min(max(int(np.floor(y / cell_height)), 0), cells_y - 1)
    return column + cells_x * row


@nb.njit(cache=True)
def build_cell_lists(position, cell_of, cell_head, cell_next, cell_prev, box, cells_x, cells_y):
    """Fill the doubly linked cell lists from the positions (in place)."""
    cell_width, cell_height = box[0] / cells_x, box[1] / cells_y
    cell_head[:] = -1
    for i in range(position.shape[0]):
        cell = cell_index(position[i, 0], position[i, 1], cell_width, cell_height, cells_x, cells_y)
        cell_of[i] = cell
        cell_prev[i] = -1
        cell_next[i] = cell_head[cell]
        if cell_head[cell] >= 0:
            cell_prev[cell_head[cell]] = i
        cell_head[cell] = i


@nb.njit(inline="always")
def _unlink(i, cell_of, cell_head, cell_next, cell_prev):
    if cell_prev[i] >= 0:
        cell_next[cell_prev[i]] = cell_next[i]
    else:
        cell_head[cell_of[i]] = cell_next[i]
    if cell_next[i] >= 0:
        cell_prev[cell_next[i]] = cell_prev[i]


@nb.njit(inline="always")
def _link(i, cell, cell_of, cell_head, cell_next, cell_prev):
    cell_of[i] = cell
    cell_prev[i] = -1
    cell_next[i] = cell_head[cell]
    if cell_head[cell] >= 0:
        cell_prev[cell_head[cell]] = i
    cell_head[cell] = i


@nb.njit(inline="always")
def _earlier(time_a, disc_a, time_b, disc_b):
    return time_a < time_b or (time_a == time_b and disc_a < disc_b)


@nb.njit(cache=True)
def _sift_down(heap_time, heap_disc, heap_id, size, start):
    position = start
    time, disc, event = heap_time[position], heap_disc[position], heap_id[position]
    while True:
        child = 2 * position + 1
        if child >= size:
            break
        if child + 1 < size and _earlier(
            heap_time[child + 1], heap_disc[child + 1], heap_time[child], heap_disc[child]
        ):
            child += 1
        if not _earlier(heap_time[child], heap_disc[child], time, disc):
            break
        heap_time[position], heap_disc[position] = heap_time[child], heap_disc[child]
        heap_id[position] = heap_id[child]
        position = child
    heap_time[position], heap_disc[position], heap_id[position] = time, disc, event


@nb.njit(cache=True)
def _compact(heap_time, heap_disc, heap_id, counters, event_id):
    """Drop entries superseded by a newer event of their disc, then re-heapify."""
    kept = 0
    for k in range(counters[HEAP_SIZE]):
        if heap_id[k] == event_id[heap_disc[k]]:
            heap_time[kept], heap_disc[kept], heap_id[kept] = heap_time[k], heap_disc[k], heap_id[k]
            kept += 1
    counters[HEAP_SIZE] = kept
    for start in range(kept // 2 - 1, -1, -1):
        _sift_down(heap_time, heap_disc, heap_id, kept, start)


@nb.njit(cache=True)
def _push(heap_time, heap_disc, heap_id, counters, event_id, time, disc):
    """Insert disc ``disc``'s current event (id ``event_id[disc]``) at ``time``."""
    if counters[HEAP_SIZE] == heap_time.shape[0]:
        _compact(heap_time, heap_disc, heap_id, counters, event_id)
    position = counters[HEAP_SIZE]
    counters[HEAP_SIZE] += 1
    while position > 0:
        parent = (position - 1) // 2
        if not _earlier(time, disc, heap_time[parent], heap_disc[parent]):
            break
        heap_time[position], heap_disc[position] = heap_time[parent], heap_disc[parent]
        heap_id[position] = heap_id[parent]
        position = parent
    heap_time[position], heap_disc[position], heap_id[position] = time, disc, event_id[disc]


@nb.njit(cache=True)
def _pop(heap_time, heap_disc, heap_id, counters):
    """Remove the earliest entry (the caller has read it at index 0)."""
    last = counters[HEAP_SIZE] - 1
    counters[HEAP_SIZE] = last
    if last > 0:
        heap_time[0], heap_disc[0], heap_id[0] = heap_time[last], heap_disc[last], heap_id[last]
        _sift_down(heap_time, heap_disc, heap_id, last, 0)


@nb.njit(inline="always")
def wrap(delta, length, periodic):
    """Minimum-image separation along one axis of length ``length`` (unchanged if not periodic)."""
    if periodic:
        if delta > 0.5 * length:
            return delta - length
        if delta < -0.5 * length:
            return delta + length
    return delta


@nb.njit(inline="always")
def collision_delay(rx, ry, vx, vy, diameter):
    """Time until two discs at separation r with relative velocity v touch (inf if never).

    Uses the cancellation-free root ``(r² − σ²) / (−b + √(b² − v²(r² − σ²)))``, ``b = r·v``;
    a pair that overlaps by rounding and approaches collides at once (delay 0).
    """
    b = rx * vx + ry * vy
    if b >= 0.0:
        return np.inf
    speed_squared = vx * vx + vy * vy
    gap = rx * rx + ry * ry - diameter * diameter
    discriminant = b * b - speed_squared * gap
    if discriminant <= 0.0:
        return np.inf
    return max(gap / (-b + np.sqrt(discriminant)), 0.0)


@nb.njit(inline="always")
def _boundary_delay(coordinate, speed, low, high):
    """Delay and direction (-1, +1, 0 = never) to reach ``low`` or ``high`` moving at ``speed``."""
    if speed > 0.0:
        return max((high - coordinate) / speed, 0.0), 1
    if speed < 0.0:
        return max((low - coordinate) / speed, 0.0), -1
    return np.inf, 0


@nb.njit(cache=True)
def predict(i, now, crossing, position, velocity, local_time, version, cell_of, cell_head,
            cell_next, geometry, memo):  # fmt: skip
    """Earliest event of disc ``i`` after ``now``: (time, partner code, partner version).

    ``geometry = (width, height, cells_x, cells_y, diameter, periodic)``. ``memo`` holds, per
    disc, the earliest collision found by its last neighbourhood scan (time, partner, partner
    version). After a cell crossing (``crossing`` = its code) only the three newly adjacent cells
    are scanned, and the memo stands for the others while its partner's trajectory is unchanged;
    otherwise (``crossing`` = NO_EVENT, or a stale memo) all nine cells are scanned.
    """
    width, height, cells_x, cells_y, diameter, periodic = geometry
    cells_x, cells_y = int(cells_x), int(cells_y)
    periodic = periodic > 0.0
    memo_time, memo_partner, memo_version = memo
    cell_width, cell_height = width / cells_x, height / cells_y
    x = position[i, 0] + velocity[i, 0] * (now - local_time[i])
    y = position[i, 1] + velocity[i, 1] * (now - local_time[i])
    vx, vy = velocity[i, 0], velocity[i, 1]
    column, row = cell_of[i] % cells_x, cell_of[i] // cells_x
    remembered = memo_partner[i] < 0 or memo_version[i] == version[memo_partner[i]]
    if crossing != NO_EVENT and remembered:
        best_time, partner, partner_version = memo_time[i], memo_partner[i], memo_version[i]
        if crossing == CROSS_LEFT or crossing == CROSS_RIGHT:
            low_column = high_column = column + (1 if crossing == CROSS_RIGHT else -1)
            low_row, high_row = row - 1, row + 1
        else:
            low_row = high_row = row + (1 if crossing == CROSS_UP else -1)
            low_column, high_column = column - 1, column + 1
    else:
        best_time, partner, partner_version = np.inf, np.int64(NO_EVENT), np.int64(0)
        low_column, high_column, low_row, high_row = column - 1, column + 1, row - 1, row + 1
    for other_row in range(low_row, high_row + 1):
        if other_row < 0 or other_row >= cells_y:
            if not periodic:
                continue
            other_row %= cells_y
        for other_column in range(low_column, high_column + 1):
            if other_column < 0 or other_column >= cells_x:
                if not periodic:
                    continue
                other_column %= cells_x
            j = cell_head[other_column + cells_x * other_row]
            while j >= 0:
                if j != i:
                    elapsed = now - local_time[j]
                    rx = wrap(x - position[j, 0] - velocity[j, 0] * elapsed, width, periodic)
                    ry = wrap(y - position[j, 1] - velocity[j, 1] * elapsed, height, periodic)
                    delay = collision_delay(
                        rx, ry, vx - velocity[j, 0], vy - velocity[j, 1], diameter
                    )
                    if now + delay < best_time:
                        best_time, partner, partner_version = now + delay, j, version[j]
                j = cell_next[j]
    memo_time[i], memo_partner[i], memo_version[i] = best_time, partner, partner_version
    best = best_time - now
    radius = 0.5 * diameter
    if not periodic:
        delay, _ = _boundary_delay(x, vx, radius, width - radius)
        if delay < best:
            best, partner = delay, WALL_X
        delay, _ = _boundary_delay(y, vy, radius, height - radius)
        if delay < best:
            best, partner = delay, WALL_Y
    delay, direction = _boundary_delay(x, vx, column * cell_width, (column + 1) * cell_width)
    if direction != 0 and (periodic or 0 <= column + direction < cells_x) and delay < best:
        best, partner = delay, CROSS_RIGHT if direction > 0 else CROSS_LEFT
    delay, direction = _boundary_delay(y, vy, row * cell_height, (row + 1) * cell_height)
    if direction != 0 and (periodic or 0 <= row + direction < cells_y) and delay < best:
        best, partner = delay, CROSS_UP if direction > 0 else CROSS_DOWN
    return now + best, partner, partner_version


@nb.njit(cache=True)
def _schedule(i, now, crossing, position, velocity, local_time, version, cell_of, cell_head,
              cell_next, geometry, memo, events, heap, counters):  # fmt: skip
    """Predict disc ``i``'s next event, record it as its own and push it on the heap."""
    event_id, event_partner, event_version = events
    heap_time, heap_disc, heap_id = heap
    time, partner, partner_version = predict(
        i, now, crossing, position, velocity, local_time, version, cell_of, cell_head, cell_next,
        geometry, memo,
    )  # fmt: skip
    event_id[i] += 1
    event_partner[i] = partner
    event_version[i] = partner_version
    if partner != NO_EVENT:
        _push(heap_time, heap_disc, heap_id, counters, event_id, time, np.int64(i))


@nb.njit(inline="always")
def _move_to(i, now, position, velocity, local_time):
    position[i, 0] += velocity[i, 0] * (now - local_time[i])
    position[i, 1] += velocity[i, 1] * (now - local_time[i])
    local_time[i] = now


@nb.njit(cache=True)
def schedule_all(now, position, velocity, local_time, version, cell_of, cell_head, cell_next,
                 geometry, memo, events, heap, counters):  # fmt: skip
    """Empty the heap and predict every disc's own event from time ``now``."""
    counters[HEAP_SIZE] = 0
    for i in range(position.shape[0]):
        _schedule(i, now, NO_EVENT, position, velocity, local_time, version, cell_of, cell_head,
                  cell_next, geometry, memo, events, heap, counters)  # fmt: skip


@nb.njit(cache=True)
def process_events(end_time, mass, position, velocity, local_time, version, cell_of, cell_head,
                   cell_next, cell_prev, geometry, memo, events, heap, counters, sums):  # fmt: skip
    """Process, in time order, every event at a time ``<= end_time`` (state updated in place).

    Collisions are elastic between equal masses ``mass``: with r = r_i − r_j and v = v_i − v_j
    at contact, v_i −= (r·v / r²) r and v_j += (r·v / r²) r. Returns the number of heap entries
    popped (valid or stale).
    """
    width, height, cells_x, cells_y, _, periodic = geometry
    cells_x, cells_y = int(cells_x), int(cells_y)
    periodic = periodic > 0.0
    event_id, event_partner, event_version = events
    heap_time, heap_disc, heap_id = heap
    popped = 0
    while counters[HEAP_SIZE] > 0 and heap_time[0] <= end_time:
        now, i, own_id = heap_time[0], heap_disc[0], heap_id[0]
        _pop(heap_time, heap_disc, heap_id, counters)
        popped += 1
        if own_id != event_id[i]:
            continue
        partner = event_partner[i]
        if partner >= 0:
            if event_version[i] != version[partner]:
                _schedule(i, now, NO_EVENT, position, velocity, local_time, version, cell_of,
                          cell_head, cell_next, geometry, memo, events, heap, counters)  # fmt: skip
                continue
            j = partner
            _move_to(i, now, position, velocity, local_time)
            _move_to(j, now, position, velocity, local_time)
            rx = wrap(position[i, 0] - position[j, 0], width, periodic)
            ry = wrap(position[i, 1] - position[j, 1], height, periodic)
            b = rx * (velocity[i, 0] - velocity[j, 0]) + ry * (velocity[i, 1] - velocity[j, 1])
            factor = b / (rx * rx + ry * ry)
            velocity[i, 0] -= factor * rx
            velocity[i, 1] -= factor * ry
            velocity[j, 0] += factor * rx
            velocity[j, 1] += factor * ry
            sums[VIRIAL] -= mass * b
            counters[COLLISIONS] += 1
            version[i] += 1
            version[j] += 1
            _schedule(j, now, NO_EVENT, position, velocity, local_time, version, cell_of,
                          cell_head, cell_next, geometry, memo, events, heap, counters)  # fmt: skip
        elif partner == WALL_X or partner == WALL_Y:
            axis = 0 if partner == WALL_X else 1
            _move_to(i, now, position, velocity, local_time)
            sums[WALL_IMPULSE] += 2.0 * mass * abs(velocity[i, axis])
            velocity[i, axis] = -velocity[i, axis]
            counters[WALL_COLLISIONS] += 1
            version[i] += 1
        else:
            _move_to(i, now, position, velocity, local_time)
            column, row = cell_of[i] % cells_x, cell_of[i] // cells_x
            if partner == CROSS_LEFT or partner == CROSS_RIGHT:
                column += -1 if partner == CROSS_LEFT else 1
                if column < 0:
                    column += cells_x
                    position[i, 0] += width
                elif column >= cells_x:
                    column -= cells_x
                    position[i, 0] -= width
            else:
                row += -1 if partner == CROSS_DOWN else 1
                if row < 0:
                    row += cells_y
                    position[i, 1] += height
                elif row >= cells_y:
                    row -= cells_y
                    position[i, 1] -= height
            _unlink(i, cell_of, cell_head, cell_next, cell_prev)
            _link(i, column + cells_x * row, cell_of, cell_head, cell_next, cell_prev)
            counters[CELL_CROSSINGS] += 1
        crossing = partner if partner <= CROSS_LEFT else NO_EVENT
        _schedule(i, now, crossing, position, velocity, local_time, version, cell_of,
                  cell_head, cell_next, geometry, memo, events, heap, counters)  # fmt: skip
    return popped


@nb.njit(cache=True)
def positions_at(time, position, velocity, local_time, box, periodic):
    """Positions of all discs at ``time`` (a new array; periodic boxes wrap into [0, L))."""
    result = np.empty_like(position)
    for i in range(position.shape[0]):
        for axis in range(2):
            value = position[i, axis] + velocity[i, axis] * (time - local_time[i])
            if periodic:
                value -= box[axis] * np.floor(value / box[axis])
            result[i, axis] = value
    return result


@nb.njit(cache=True)
def minimum_gap(position, box, periodic, diameter, cells_x, cells_y):
    """Smallest centre distance minus σ over all pairs within neighbouring cells (length).

    Cells must be at least σ wide, so every touching or overlapping pair is seen.
    """
    count = position.shape[0]
    cell_of = np.empty(count, np.int64)
    head = np.empty(cells_x * cells_y, np.int64)
    following = np.empty(count, np.int64)
    previous = np.empty(count, np.int64)
    build_cell_lists(position, cell_of, head, following, previous, box, cells_x, cells_y)
    smallest = np.inf
    for i in range(count):
        column, row = cell_of[i] % cells_x, cell_of[i] // cells_x
        for d_row in range(-1, 2):
            other_row = row + d_row
            if other_row < 0 or other_row >= cells_y:
                if not periodic:
                    continue
                other_row %= cells_y
            for d_column in range(-1, 2):
                other_column = column + d_column
                if other_column < 0 or other_column >= cells_x:
                    if not periodic:
                        continue
                    other_column %= cells_x
                j = head[other_column + cells_x * other_row]
                while j >= 0:
                    if j > i:
                        rx = wrap(position[i, 0] - position[j, 0], box[0], periodic)
                        ry = wrap(position[i, 1] - position[j, 1], box[1], periodic)
                        smallest = min(smallest, np.sqrt(rx * rx + ry * ry) - diameter)
                    j = following[j]
    return smallest
