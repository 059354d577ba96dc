"""Random sequential addition of non-overlapping discs (jitted, xoshiro256** random numbers)."""

import numba as nb
import numpy as np

from sims.core.rng import next_double
from sims.harddisc.kernels import cell_of_point, wrap, wrapped_index

MAX_CELLS = 4096  # per axis: the placement grid's int64 heads take at most 134 MB


@nb.njit(cache=True)
def random_sequential_addition(count, low, high, box, periodic, diameter, max_attempts, rng_state):
    """Place ``count`` non-overlapping discs uniformly in [low, high) by random sequential addition.

    ``low``/``high`` (length, per axis) bound the disc centres; ``box`` and ``periodic`` set the
    minimum-image convention. Each attempt draws a uniform point and keeps it if it overlaps no
    placed disc. Returns the positions and the number of discs placed (less than ``count`` when
    ``max_attempts`` attempts did not suffice).
    """
    position = np.empty((count, 2))
    cells_x = max(1, min(int((high[0] - low[0]) / diameter), MAX_CELLS))
    cells_y = max(1, min(int((high[1] - low[1]) / diameter), MAX_CELLS))
    cell_width = (high[0] - low[0]) / cells_x
    cell_height = (high[1] - low[1]) / cells_y
    head = np.full(cells_x * cells_y, -1, np.int64)
    following = np.empty(count, np.int64)
    # periodic wrap of the placement grid only when it spans the whole periodic axis
    wraps = (periodic and low[0] == 0.0 and high[0] == box[0], periodic and high[1] == box[1])
    placed, attempts = 0, 0
    sigma_squared = diameter * diameter
    while placed < count and attempts < max_attempts:
        attempts += 1
        x = low[0] + (high[0] - low[0]) * next_double(rng_state)
        y = low[1] + (high[1] - low[1]) * next_double(rng_state)
        column, row = cell_of_point(
            x - low[0], y - low[1], cell_width, cell_height, cells_x, cells_y
        )
        free = True
        for d_row in range(-1, 2):
            other_row = wrapped_index(row + d_row, cells_y, wraps[1])
            if other_row < 0:
                continue
            for d_column in range(-1, 2):
                other_column = wrapped_index(column + d_column, cells_x, wraps[0])
                if other_column < 0:
                    continue
                j = head[other_column + cells_x * other_row]
                while j >= 0 and free:
                    rx = wrap(x - position[j, 0], box[0], periodic)
                    ry = wrap(y - position[j, 1], box[1], periodic)
                    free = rx * rx + ry * ry >= sigma_squared
                    j = following[j]
        if free:
            position[placed, 0], position[placed, 1] = x, y
            cell = column + cells_x * row
            following[placed] = head[cell]
            head[cell] = placed
            placed += 1
    return position, placed
