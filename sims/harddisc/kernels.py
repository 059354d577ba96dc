"""Event-driven molecular dynamics of hard discs: jitted kernels on plain arrays.

Every disc keeps its position at its own last event time ``T``; between events it moves freely,
so its position at time ``t`` is ``(X, Y) + (VX, VY) * (t - T)``. Nothing is synchronised
globally: a disc's stored position changes only at its own events (collision, wall reflection,
cell crossing), which makes results independent of where a run is stopped and resumed.

Each disc has exactly one *own* event: the earliest of its predicted disc collisions, wall
reflections and cell crossings, recorded per disc as (partner code, the partner's trajectory
``VERSION`` at prediction time). An event whose partner has changed trajectory since it was
predicted is re-predicted instead of processed. After a cell crossing only the three newly
adjacent cells are scanned, the disc's memo (its earliest collision from its last scan) standing
for the rest while its partner is unchanged (:func:`predict`).

Data layout, chosen for few cache lines and few unpredictable branches per event (the cost is
set by memory latency and branch mispredictions, not by arithmetic):

- ``kinematics``, float64 (N, 8), 64-byte aligned rows: X, Y, VX, VY, T and MEMO_TIME (two
  columns of padding), so a neighbour costs one cache line;
- ``bookkeeping``, int64 (N, 8), 64-byte aligned rows: the cell COLUMN and ROW (no integer
  division in the hot path), the trajectory VERSION, the event's PARTNER and PARTNER_VERSION,
  the memo's MEMO_PARTNER and MEMO_VERSION (one column of padding);
- rows are not discs: ``label[row]`` is the disc a row holds. Every ``SORT_INTERVAL`` collisions
  per disc (at fixed collision counts, so chunking cannot move it) :func:`sort_rows` renumbers
  the rows by cell, so that neighbours lie close in memory;
- cells are doubly linked lists (``cell_head``, ``cell_next``, ``cell_prev``, int32), at least
  one diameter wide, about one disc per cell (the model's choice; larger cells trade crossings
  for pair tests at no gain). Holding the discs in fixed-capacity slots of their cell instead
  (crossings copy the disc; slots field by field with vectorised pair tests, or one 64-byte
  slot per disc with counted loops), at one to four discs per cell, was 14-45% slower at
  N = 1e4 and 1e5: the padding and the copies cost more than the lists' pointer chains;
- the event queue is an *indexed* 8-ary min-heap with exactly one entry per disc: rows
  (time, row) of the float64 array ``heap`` from row HEAP_ROOT on, 64-byte aligned so that a
  node's eight children fill two adjacent cache lines, padded with time +inf to whole groups of
  children (:func:`heap_rows`), and each row's heap position in ``heap_slot``. A new
  prediction moves the entry up or down in place, so there are no stale entries and the heap
  never grows beyond N (log₈ N levels: fewer dependent cache misses per event than 4-ary at
  large N). It is ordered by time alone, the earliest child found by a branch-free tournament;
  events at exactly the same time are taken in the heap's own deterministic order (part of the
  state). A disc without any event sits in the heap at time +inf.

The whole event loop (:func:`_run_events`) is one compiled function: prediction and heap
helpers are inlined into it (no arrays passed through calls per event), the pair test and the
wall and boundary delays are branch-free selects, and it is compiled with the numpy error model
(no division checks) and without numba's reference counting (which put atomic increments
around the inlined helpers' arrays); :func:`process_events` calls it and sorts the rows between
its calls. Indices known to be non-negative are unsigned (``_u``), so that no negative-index
wraparound is generated. From PREFETCH_MIN_DISCS discs on, the rows of the likely next event
are prefetched while the current one is handled. Walls are reflecting, or the box is periodic
(minimum image, at least three cells per direction).

Units: any consistent set; the model uses the diameter σ, the mass m and k_B T.
"""

import numba as nb
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

# partner codes of events that are not disc collisions
WALL_X = -1
WALL_Y = -2
CROSS_LEFT = -3
CROSS_RIGHT = -4
CROSS_DOWN = -5
CROSS_UP = -6
NO_EVENT = -7

# columns of the float64 ``kinematics`` array (N, N_KINEMATICS)
X = 0
Y = 1
VX = 2
VY = 3
T = 4  # the disc's local time: (X, Y) is its position then
MEMO_TIME = 5
N_KINEMATICS = 8  # six used, two of padding: 64-byte rows

# columns of the int64 ``bookkeeping`` array (N, N_BOOKKEEPING)
COLUMN = 0
ROW = 1
VERSION = 2
PARTNER = 3
PARTNER_VERSION = 4
MEMO_PARTNER = 5
MEMO_VERSION = 6
N_BOOKKEEPING = 8  # seven used, one of padding: 64-byte rows

# indices into the int64 ``counters`` array
COLLISIONS = 0
WALL_COLLISIONS = 1
CELL_CROSSINGS = 2
NEXT_SORT = 3  # the collision count at which the discs' rows are next sorted by cell
N_COUNTERS = 4

SORT_INTERVAL = 10  # collisions per disc between sorts of the rows by cell
# From this many discs on (2.5 MB of disc rows, more than a core's L2 cache) the next event's
# rows are prefetched: 20% faster at N = 1e5, but 5% slower at N = 1e4, where they are cached.
PREFETCH_MIN_DISCS = 20_000

# indices into the float64 ``sums`` array
VIRIAL = 0  # Σ over collisions of r_ij · J_i (mass length² / time)
WALL_IMPULSE = 1  # Σ over wall collisions of 2 m |v_normal| (mass length / time)
N_SUMS = 2

HEAP_ARITY = 8  # two groups of four (_earliest_child); 4 was slower at N = 1e5, 16 at 1e4
# the heap's root is row HEAP_ROOT of the (heap_rows(N), 2) array ``heap`` (time, row): then
# the eight children of a row fill two 64-byte cache lines when the array is 64-byte aligned
HEAP_ROOT = HEAP_ARITY - 1


def heap_rows(count):
    """Rows of the heap array for ``count`` discs.

    The root's offset HEAP_ROOT, the entries, then padding (time +inf) up to a multiple of
    HEAP_ARITY, so that every node has HEAP_ARITY children rows.
    """
    return -(-(HEAP_ROOT + count) // HEAP_ARITY) * HEAP_ARITY


# Unsigned indices: numba then emits no negative-index wraparound (several instructions on the
# heap's and the scans' critical paths). Only for indices known to be non-negative.
_u = np.uint64


@intrinsic
def _prefetch(typingctx, array, index):
    """Hint the CPU to fetch the cache line of ``array[index]`` (``array[index, 0]`` if 2-d)."""

    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        array_value = context.make_array(array_type)(context, builder, args[0])
        indices = [args[1]] + [context.get_constant(types.intp, 0)] * (array_type.ndim - 1)
        pointer = cgutils.get_item_pointer(
            context, builder, array_type, array_value, indices, wraparound=False
        )
        byte_pointer = ir.IntType(8).as_pointer()
        int32 = ir.IntType(32)
        function = cgutils.get_or_insert_function(
            builder.module,
            ir.FunctionType(ir.VoidType(), [byte_pointer, int32, int32, int32]),
            "llvm.prefetch.p0",
        )
        # read access, high temporal locality, data cache
        builder.call(
            function, [builder.bitcast(pointer, byte_pointer), int32(0), int32(3), int32(1)]
        )
        return context.get_dummy_value()

    return types.void(array, types.intp), codegen


@nb.njit(inline="always")
def _prefetch_neighbourhood(row, kinematics, bookkeeping, cell_next, cells_x):
    """Prefetch the rows that the next event of row ``row`` will likely read.

    Its own rows and, rows being sorted by cell at about one disc per cell, those of its
    neighbours in the cell rows below, at and above it (guesses, clipped to the array).
    """
    last = kinematics.shape[0] - 1
    _prefetch(bookkeeping, row)
    for centre in (row - cells_x, row, row + cells_x):
        for near in range(centre - 1, centre + 2):
            _prefetch(kinematics, min(max(near, 0), last))
        _prefetch(cell_next, min(max(centre, 0), last))


@nb.njit(cache=True)
def cell_of_point(x, y, cell_width, cell_height, cells_x, cells_y):
    """Column and row of the cell holding point (x, y), clipped to the box."""
    column = min(max(int(np.floor(x / cell_width)), 0), cells_x - 1)
    row = min(max(int(np.floor(y / cell_height)), 0), cells_y - 1)
    return column, row


@nb.njit(cache=True)
def build_cell_lists(position, column, row, cell_head, cell_next, cell_prev, box, cells_x,
                     cells_y):  # fmt: skip
    """Fill the doubly linked cell lists (cell ``column + cells_x * row``) from the positions."""
    cell_width, cell_height = box[0] / cells_x, box[1] / cells_y
    cell_head[:] = -1
    for i in range(position.shape[0]):
        column[i], row[i] = cell_of_point(
            position[i, 0], position[i, 1], cell_width, cell_height, cells_x, cells_y
        )
        _link(i, column[i] + cells_x * row[i], cell_head, cell_next, cell_prev)


@nb.njit(inline="always")
def _unlink(i, cell, cell_head, cell_next, cell_prev):
    if cell_prev[i] >= 0:
        cell_next[cell_prev[i]] = cell_next[i]
    else:
        cell_head[cell] = cell_next[i]
    if cell_next[i] >= 0:
        cell_prev[cell_next[i]] = cell_prev[i]


@nb.njit(inline="always")
def _link(i, cell, cell_head, cell_next, cell_prev):
    cell_prev[i] = -1
    cell_next[i] = cell_head[cell]
    if cell_head[cell] >= 0:
        cell_prev[cell_head[cell]] = i
    cell_head[cell] = i


@nb.njit(inline="always")
def _earliest_of_four(heap, first):
    """Offset (0 to 3) and time of the earliest of four heap rows from ``first``, first on ties.

    A tournament, two comparisons deep rather than a chain of three; the offset is computed
    from the comparisons arithmetically, which LLVM keeps branch-free (selects became branches).
    """
    a_time, b_time = heap[_u(first), 0], heap[_u(first + 1), 0]
    c_time, d_time = heap[_u(first + 2), 0], heap[_u(first + 3), 0]
    left_better = np.int64(b_time < a_time)
    right_better = np.int64(d_time < c_time)
    left_time, right_time = min(a_time, b_time), min(c_time, d_time)
    better = np.int64(right_time < left_time)
    return left_better + better * (2 + right_better - left_better), min(left_time, right_time)


@nb.njit(inline="always")
def _earliest_child(heap, first):
    """Row and time of the earliest of the HEAP_ARITY heap rows from ``first``, first on ties."""
    offset, time = _earliest_of_four(heap, first)
    other, other_time = _earliest_of_four(heap, first + 4)
    better = np.int64(other_time < time)
    offset += better * (4 + other - offset)
    return first + offset, min(time, other_time)


@nb.njit(inline="always")
def _sift_down(heap, heap_slot, row, time, disc):
    """Place (time, disc) at heap row ``row`` or below it, moving earlier children up.

    The heap is ordered by time alone: events at exactly the same time are taken in the heap's
    own deterministic order (part of the checkpointed state); simultaneous events of different
    discs commute, and of two simultaneous events of one pair the first makes the other stale.
    The rows after the last entry, up to a multiple of HEAP_ARITY, hold time +inf and are never
    moved. Heap entries are rows of the disc arrays (``disc`` is a row).
    """
    end = HEAP_ROOT + heap_slot.shape[0]
    while True:
        first = HEAP_ARITY * row - HEAP_ARITY * (HEAP_ROOT - 1)
        if first >= end:
            break
        child, child_time = _earliest_child(heap, first)
        if not child_time < time:
            break
        child_disc = heap[_u(child), 1]
        heap[_u(row), 0], heap[_u(row), 1] = child_time, child_disc
        heap_slot[_u(child_disc)] = row
        row = child
    heap[_u(row), 0], heap[_u(row), 1] = time, disc
    heap_slot[_u(disc)] = row


@nb.njit(inline="always")
def _reschedule(heap, heap_slot, disc, time):
    """Move disc ``disc``'s heap entry to its new event time ``time`` (up or down)."""
    row = np.int64(heap_slot[_u(disc)])
    key = np.float64(disc)
    if row > HEAP_ROOT and time < heap[_u(row // HEAP_ARITY + HEAP_ROOT - 1), 0]:
        while row > HEAP_ROOT:
            parent = row // HEAP_ARITY + HEAP_ROOT - 1
            if not time < heap[_u(parent), 0]:
                break
            heap[_u(row), 0], heap[_u(row), 1] = heap[_u(parent), 0], heap[_u(parent), 1]
            heap_slot[_u(heap[_u(row), 1])] = row
            row = parent
        heap[_u(row), 0], heap[_u(row), 1] = time, key
        heap_slot[_u(disc)] = row
    else:
        _sift_down(heap, heap_slot, row, time, key)


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
def _boundary_delay(coordinate, speed, low, high):
    """Delay to reach ``high`` (speed > 0) or ``low`` (speed < 0); inf at speed 0. Branch-free."""
    target = high if speed > 0.0 else low
    delay = max((target - coordinate) / speed, 0.0)
    return delay if speed != 0.0 else np.inf


@nb.njit(inline="always")
def _earlier_boundary(coordinate, speed, axis, radius, periodic, best, partner):
    """The earlier of (``best``, ``partner``) and the disc's boundary event along one axis.

    The boundary is the cell's edge if a cell lies beyond it (always when periodic), else the
    wall, which then is the nearer; selects rather than branches on the signs. ``axis`` is
    (cell index, cells, cell side, box side, crossing code down, crossing code up, wall code).
    """
    cell, cells, side, extent, code_down, code_up, wall = axis
    up = speed > 0.0
    crossing = periodic | (cell + 1 < cells if up else cell > 0)
    low = cell * side if crossing else radius
    high = (cell + 1) * side if crossing else extent - radius
    delay = _boundary_delay(coordinate, speed, low, high)
    earlier = delay < best
    code = (code_up if up else code_down) if crossing else wall
    return (delay if earlier else best), (code if earlier else partner)


@nb.njit(inline="always")
def wrapped_index(index, count, periodic):
    """``index`` (at most one cell outside [0, count)) wrapped if periodic, else -1 outside."""
    if index < 0:
        return index + count if periodic else -1
    if index >= count:
        return index - count if periodic else -1
    return index


@nb.njit(inline="always")
def predict(i, now, crossing, kinematics, bookkeeping, cell_head, cell_next, width, height,
            cells_x, cells_y, cell_width, cell_height, diameter, periodic):  # fmt: skip
    """Predict disc (row) ``i``'s earliest event after ``now``; record it and return its time.

    The event's PARTNER code and PARTNER_VERSION are written to the disc's row; the time is +inf
    (partner NO_EVENT) when there is none. Each disc's row holds the earliest collision found by
    its last neighbourhood scan (MEMO_TIME, MEMO_PARTNER, MEMO_VERSION). After a cell crossing
    (``crossing`` = its code) only the three newly adjacent cells are scanned, and the memo
    stands for the others while its partner's trajectory is unchanged; otherwise (``crossing`` =
    NO_EVENT, or a stale memo) all nine cells are scanned. The memo is updated.
    """
    elapsed = now - kinematics[i, T]
    vx, vy = kinematics[i, VX], kinematics[i, VY]
    x = kinematics[i, X] + vx * elapsed
    y = kinematics[i, Y] + vy * elapsed
    column, row = bookkeeping[i, COLUMN], bookkeeping[i, ROW]
    diameter_squared = diameter * diameter
    memo_partner = bookkeeping[i, MEMO_PARTNER]
    remembered = memo_partner < 0 or bookkeeping[i, MEMO_VERSION] == bookkeeping[
        memo_partner, VERSION
    ]  # fmt: skip
    if crossing != NO_EVENT and remembered:
        best_time, partner = kinematics[i, MEMO_TIME], memo_partner
        partner_version = bookkeeping[i, MEMO_VERSION]
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
        other_row = wrapped_index(other_row, cells_y, periodic)
        if other_row < 0:
            continue
        for other_column in range(low_column, high_column + 1):
            other_column = wrapped_index(other_column, cells_x, periodic)
            if other_column < 0:
                continue
            j = cell_head[_u(other_column + cells_x * other_row)]
            while j >= 0:
                # time to contact, branch-free, by the cancellation-free root
                # (r² − σ²) / (−b + √(b² − v²(r² − σ²))), b = r·v, 0 if they overlap by
                # rounding; disc i itself has relative velocity 0: b = 0, no hit
                k = _u(j)
                since = now - kinematics[k, T]
                jvx, jvy = kinematics[k, VX], kinematics[k, VY]
                rx = wrap(x - kinematics[k, X] - jvx * since, width, periodic)
                ry = wrap(y - kinematics[k, Y] - jvy * since, height, periodic)
                relative_vx, relative_vy = vx - jvx, vy - jvy
                b = rx * relative_vx + ry * relative_vy
                speed_squared = relative_vx * relative_vx + relative_vy * relative_vy
                gap = rx * rx + ry * ry - diameter_squared
                discriminant = b * b - speed_squared * gap
                delay = max(gap / (-b + np.sqrt(max(discriminant, 0.0))), 0.0)
                hit = (b < 0.0) & (discriminant > 0.0) & (now + delay < best_time)
                best_time = now + delay if hit else best_time
                partner = j if hit else partner
                j = cell_next[k]
    if partner >= 0:  # the memo's partner (version unchanged) or a new one
        partner_version = bookkeeping[partner, VERSION]
    kinematics[i, MEMO_TIME] = best_time
    bookkeeping[i, MEMO_PARTNER], bookkeeping[i, MEMO_VERSION] = partner, partner_version
    best = best_time - now
    radius = 0.5 * diameter
    axis_x = (column, cells_x, cell_width, width, CROSS_LEFT, CROSS_RIGHT, WALL_X)
    best, partner = _earlier_boundary(x, vx, axis_x, radius, periodic, best, partner)
    axis_y = (row, cells_y, cell_height, height, CROSS_DOWN, CROSS_UP, WALL_Y)
    best, partner = _earlier_boundary(y, vy, axis_y, radius, periodic, best, partner)
    bookkeeping[i, PARTNER], bookkeeping[i, PARTNER_VERSION] = partner, partner_version
    return now + best


@nb.njit(inline="always")
def _schedule(i, now, crossing, kinematics, bookkeeping, cell_head, cell_next, heap,
              heap_slot, width, height, cells_x, cells_y, cell_width, cell_height, diameter,
              periodic):  # fmt: skip
    """Predict disc ``i``'s next event, record it and move its heap entry (+inf: none)."""
    time = predict(
        i, now, crossing, kinematics, bookkeeping, cell_head, cell_next, width, height,
        cells_x, cells_y, cell_width, cell_height, diameter, periodic,
    )  # fmt: skip
    _reschedule(heap, heap_slot, i, time)


@nb.njit(inline="always")
def _move_to(i, now, kinematics):
    kinematics[i, X] += kinematics[i, VX] * (now - kinematics[i, T])
    kinematics[i, Y] += kinematics[i, VY] * (now - kinematics[i, T])
    kinematics[i, T] = now


@nb.njit(cache=True, error_model="numpy")
def schedule_all(now, kinematics, bookkeeping, cell_head, cell_next, geometry, heap,
                 heap_slot):  # fmt: skip
    """Predict every disc's own event from time ``now`` and build the heap from scratch.

    Parameters
    ----------
    now : float
        Time of the prediction (time); every disc must be at or before it.
    kinematics, bookkeeping : ndarray
        Per-row disc state (see the module docstring); events and memos are written.
    cell_head, cell_next : ndarray
        The cell lists.
    geometry : ndarray
        ``(width, height, cells_x, cells_y, diameter, periodic)``, float64.
    heap, heap_slot : ndarray
        The event heap, (heap_rows(N), 2) float64, and each row's heap position; overwritten.
    """
    width, height, cells_x, cells_y, diameter, periodic = geometry
    cells_x, cells_y = int(cells_x), int(cells_y)
    periodic = periodic > 0.0
    cell_width, cell_height = width / cells_x, height / cells_y
    count = kinematics.shape[0]
    for i in range(count):
        heap[HEAP_ROOT + i, 0] = predict(
            i, now, NO_EVENT, kinematics, bookkeeping, cell_head, cell_next, width, height,
            cells_x, cells_y, cell_width, cell_height, diameter, periodic,
        )  # fmt: skip
        heap[HEAP_ROOT + i, 1] = i
        heap_slot[i] = HEAP_ROOT + i
    heap[HEAP_ROOT + count :, 0] = np.inf
    heap[HEAP_ROOT + count :, 1] = 0.0
    for row in range(HEAP_ROOT + count - 1, HEAP_ROOT - 1, -1):
        _sift_down(heap, heap_slot, row, heap[row, 0], heap[row, 1])


@nb.njit(cache=True)
def sort_rows(kinematics, bookkeeping, cell_head, cell_next, cell_prev, heap, heap_slot, label,
              cells_x):  # fmt: skip
    """Reorder the discs' rows by cell (row-major, each cell's list in order), in place.

    Neighbours then sit close in memory, so a neighbourhood scan touches fewer cache lines.
    Every reference to a row (partners, memo partners, heap entries, cell lists) is renumbered
    and the heap keeps its shape, so the dynamics are unchanged.

    Parameters
    ----------
    kinematics, bookkeeping : ndarray
        Per-row disc state (see the module docstring).
    cell_head, cell_next, cell_prev : ndarray
        The cell lists, rebuilt in the new numbering with the same order in each cell.
    heap, heap_slot : ndarray
        The event heap and each row's heap position.
    label : ndarray
        ``label[row]`` is the disc (as the model numbers them) held by a row.
    cells_x : int
        Number of cells along x.
    """
    count = kinematics.shape[0]
    new_of_old = np.empty(count, np.int64)
    old_of_new = np.empty(count, np.int64)
    new = 0
    for cell in range(cell_head.shape[0]):
        old = cell_head[cell]
        while old >= 0:
            new_of_old[old] = new
            old_of_new[new] = old
            new += 1
            old = cell_next[old]
    kinematics[:] = kinematics[old_of_new]
    bookkeeping[:] = bookkeeping[old_of_new]
    label[:] = label[old_of_new]
    heap_slot[:] = heap_slot[old_of_new]
    for row in range(count):
        for column in (PARTNER, MEMO_PARTNER):
            if bookkeeping[row, column] >= 0:
                bookkeeping[row, column] = new_of_old[bookkeeping[row, column]]
    for row in range(HEAP_ROOT, HEAP_ROOT + count):
        heap[row, 1] = new_of_old[int(heap[row, 1])]
    cell_head[:] = -1
    for row in range(count - 1, -1, -1):
        _link(row, bookkeeping[row, COLUMN] + cells_x * bookkeeping[row, ROW], cell_head,
              cell_next, cell_prev)  # fmt: skip


@nb.njit(cache=True)
def process_events(end_time, mass, kinematics, bookkeeping, cell_head, cell_next, cell_prev,
                   geometry, heap, heap_slot, label, counters, sums):  # fmt: skip
    """Process, in time order, every event at a time ``<= end_time`` (state updated in place).

    Collisions are elastic between equal masses: with r = r_i − r_j and v = v_i − v_j at
    contact, v_i −= (r·v / r²) r and v_j += (r·v / r²) r. The rows are sorted by cell
    (:func:`sort_rows`) whenever the collision count reaches ``counters[NEXT_SORT]``.

    Parameters
    ----------
    end_time : float
        Last event time to process (time).
    mass : float
        Disc mass (for the virial and the wall impulse).
    kinematics, bookkeeping : ndarray
        Per-row disc state (see the module docstring).
    cell_head, cell_next, cell_prev : ndarray
        The cell lists.
    geometry : ndarray
        ``(width, height, cells_x, cells_y, diameter, periodic)``, float64.
    heap, heap_slot : ndarray
        The event heap and each row's heap position.
    label : ndarray
        The disc held by each row.
    counters : ndarray
        int64, indexed by COLLISIONS, WALL_COLLISIONS, CELL_CROSSINGS, NEXT_SORT.
    sums : ndarray
        float64, indexed by VIRIAL and WALL_IMPULSE.
    """
    while True:
        if counters[COLLISIONS] >= counters[NEXT_SORT] and heap[HEAP_ROOT, 0] <= end_time:
            sort_rows(kinematics, bookkeeping, cell_head, cell_next, cell_prev, heap, heap_slot,
                      label, int(geometry[2]))  # fmt: skip
            counters[NEXT_SORT] = counters[COLLISIONS] + SORT_INTERVAL * kinematics.shape[0]
        _run_events(end_time, mass, kinematics, bookkeeping, cell_head, cell_next, cell_prev,
                    geometry, heap, heap_slot, counters, sums)  # fmt: skip
        if heap[HEAP_ROOT, 0] > end_time:
            return


# No NRT: without reference counting, no atomic increments around the inlined helpers' arrays.
@nb.njit(cache=True, error_model="numpy", _nrt=False)
def _run_events(end_time, mass, kinematics, bookkeeping, cell_head, cell_next, cell_prev,
                geometry, heap, heap_slot, counters, sums):  # fmt: skip
    """The event loop of :func:`process_events`, up to ``end_time`` or until a sort is due."""
    width, height, cells_x, cells_y, diameter, periodic = geometry
    cells_x, cells_y = int(cells_x), int(cells_y)
    periodic = periodic > 0.0
    cell_width, cell_height = width / cells_x, height / cells_y
    prefetching = kinematics.shape[0] >= PREFETCH_MIN_DISCS
    while heap[HEAP_ROOT, 0] <= end_time and counters[COLLISIONS] < counters[NEXT_SORT]:
        now, i = heap[HEAP_ROOT, 0], _u(heap[HEAP_ROOT, 1])
        if prefetching:  # the earliest child of the root is likely next
            child, _ = _earliest_child(heap, HEAP_ROOT + 1)
            _prefetch_neighbourhood(
                int(heap[child, 1]), kinematics, bookkeeping, cell_next, cells_x
            )
        partner = bookkeeping[i, PARTNER]
        crossing = NO_EVENT
        if partner >= 0:
            j = _u(partner)
            if bookkeeping[i, PARTNER_VERSION] == bookkeeping[j, VERSION]:
                _move_to(i, now, kinematics)
                _move_to(j, now, kinematics)
                rx = wrap(kinematics[i, X] - kinematics[j, X], width, periodic)
                ry = wrap(kinematics[i, Y] - kinematics[j, Y], height, periodic)
                b = rx * (kinematics[i, VX] - kinematics[j, VX]) + ry * (
                    kinematics[i, VY] - kinematics[j, VY]
                )
                factor = b / (rx * rx + ry * ry)
                kinematics[i, VX] -= factor * rx
                kinematics[i, VY] -= factor * ry
                kinematics[j, VX] += factor * rx
                kinematics[j, VY] += factor * ry
                sums[VIRIAL] -= mass * b
                counters[COLLISIONS] += 1
                bookkeeping[i, VERSION] += 1
                bookkeeping[j, VERSION] += 1
                _schedule(j, now, NO_EVENT, kinematics, bookkeeping, cell_head, cell_next,
                          heap, heap_slot, width, height, cells_x, cells_y, cell_width,
                          cell_height, diameter, periodic)  # fmt: skip
        elif partner == WALL_X or partner == WALL_Y:
            axis = VX if partner == WALL_X else VY
            _move_to(i, now, kinematics)
            sums[WALL_IMPULSE] += 2.0 * mass * abs(kinematics[i, axis])
            kinematics[i, axis] = -kinematics[i, axis]
            counters[WALL_COLLISIONS] += 1
            bookkeeping[i, VERSION] += 1
        else:
            _move_to(i, now, kinematics)
            column, row = bookkeeping[i, COLUMN], bookkeeping[i, ROW]
            _unlink(i, column + cells_x * row, cell_head, cell_next, cell_prev)
            if partner == CROSS_LEFT or partner == CROSS_RIGHT:
                column += -1 if partner == CROSS_LEFT else 1
                if column < 0:
                    column += cells_x
                    kinematics[i, X] += width
                elif column >= cells_x:
                    column -= cells_x
                    kinematics[i, X] -= width
            else:
                row += -1 if partner == CROSS_DOWN else 1
                if row < 0:
                    row += cells_y
                    kinematics[i, Y] += height
                elif row >= cells_y:
                    row -= cells_y
                    kinematics[i, Y] -= height
            _link(i, column + cells_x * row, cell_head, cell_next, cell_prev)
            bookkeeping[i, COLUMN], bookkeeping[i, ROW] = column, row
            counters[CELL_CROSSINGS] += 1
            crossing = partner
        _schedule(i, now, crossing, kinematics, bookkeeping, cell_head, cell_next, heap,
                  heap_slot, width, height, cells_x, cells_y, cell_width, cell_height, diameter,
                  periodic)  # fmt: skip


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
def cell_lists_intact(cell_head, cell_next, cell_prev, column, row, cells_x):
    """Whether every row sits exactly once in the list of its own cell, linked both ways.

    Indices are checked before they are followed, so any array contents are safe to test.
    """
    count = cell_next.shape[0]
    seen = np.zeros(count, np.bool_)
    for cell in range(cell_head.shape[0]):
        previous, i = -1, cell_head[cell]
        while i != -1:
            if i < 0 or i >= count or seen[i] or cell_prev[i] != previous:
                return False
            if column[i] + cells_x * row[i] != cell:
                return False
            seen[i] = True
            previous, i = i, cell_next[i]
    return seen.all()


@nb.njit(cache=True)
def minimum_gap(position, box, periodic, diameter, cells_x, cells_y):
    """Smallest centre distance minus σ over all pairs within neighbouring cells (length).

    Cells must be at least σ wide, so every touching or overlapping pair is seen.
    """
    count = position.shape[0]
    columns = np.empty(count, np.int64)
    rows = np.empty(count, np.int64)
    head = np.empty(cells_x * cells_y, np.int64)
    following = np.empty(count, np.int64)
    previous = np.empty(count, np.int64)
    build_cell_lists(position, columns, rows, head, following, previous, box, cells_x, cells_y)
    smallest = np.inf
    for i in range(count):
        column, row = columns[i], rows[i]
        for d_row in range(-1, 2):
            other_row = wrapped_index(row + d_row, cells_y, periodic)
            if other_row < 0:
                continue
            for d_column in range(-1, 2):
                other_column = wrapped_index(column + d_column, cells_x, periodic)
                if other_column < 0:
                    continue
                j = head[other_column + cells_x * other_row]
                while j >= 0:
                    if j > i:
                        rx = wrap(position[i, 0] - position[j, 0], box[0], periodic)
                        ry = wrap(position[i, 1] - position[j, 1], box[1], periodic)
                        smallest = min(smallest, np.sqrt(rx * rx + ry * ry) - diameter)
                    j = following[j]
    return smallest
