"""Initial placements of non-overlapping discs.

Random sequential addition (jitted, xoshiro256** random numbers) and a triangular lattice fitted
to the initial region.
"""

from dataclasses import dataclass

import numba as nb
import numpy as np

from sims.core.rng import next_double
from sims.harddisc.kernels import cell_of_point, wrap, wrapped_index

MAX_CELLS = 4096  # per axis: the placement grid's int64 heads take at most 134 MB
ROW_WINDOW = 2**16  # row counts tried on each side of the ideal lattice's (bounded memory)


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


@dataclass(frozen=True)
class TriangularFit:
    """A triangular lattice of ``rows`` x ``columns`` sites fitted to a rectangular region.

    Row ``r`` lies at height ``low_y + (r + 1/2) row_spacing`` along a periodic axis, else
    ``low_y + r row_spacing`` (first and last rows on the region's edges); its sites lie at
    ``low_x + (c + (r mod 2)/2) column_spacing``, odd rows shifted by half a spacing. Along a
    non-periodic axis the outermost sites touch the region's edges. ``nearest`` is the smallest
    distance between two sites, periodic images included (length).
    """

    rows: int
    columns: int
    column_spacing: float
    row_spacing: float
    nearest: float

    @property
    def sites(self) -> int:
        """Number of lattice sites, rows x columns."""
        return self.rows * self.columns

    def describe(self, count: int) -> str:
        """One line: the lattice, its nearest-neighbour distance (length), vacancies for count."""
        return (
            f"triangular lattice of {self.rows} rows x {self.columns} columns, site spacings "
            f"{self.column_spacing:.6g} (along x) and {self.row_spacing:.6g} (between rows), "
            f"nearest sites {self.nearest:.6g} apart, {self.sites - count} vacant sites"
        )


def fit_triangular_lattice(count, low, high, wraps) -> TriangularFit:
    """The rows x columns triangular lattice of at least ``count`` sites with the widest spacing.

    Parameters
    ----------
    count : int
        Number of discs; the lattice has at least as many sites (the rest stay vacant).
    low, high : ndarray, shape (2,)
        Bounds of the disc centres (length), per axis x and y.
    wraps : (bool, bool)
        Whether the region spans a periodic axis (then the lattice closes on itself across it:
        an even number of rows along y).

    Returns
    -------
    TriangularFit
        Among the numbers of rows from 2 to four times the ideal lattice's (even if y wraps;
        at most ROW_WINDOW away from it, which bounds the memory and still holds the best unless
        the region is extremely elongated), each with ``ceil(count / rows)`` columns (at least
        2), the one whose nearest sites lie farthest apart; on ties, the fewest vacancies. The
        lattice vectors (column_spacing, 0) and (column_spacing/2, row_spacing) make the nearest
        distance min(column_spacing, |(column_spacing/2, row_spacing)|, 2 row_spacing).
    """
    extent = np.asarray(high, dtype=np.float64) - np.asarray(low, dtype=np.float64)
    # rows of the ideal lattice (spacing a, a√3/2 between rows) of count sites over the region;
    # four times as many rows are at most a√3/8 apart, never the best
    ideal_spacing = np.sqrt(2.0 * extent[0] * extent[1] / (np.sqrt(3.0) * count))
    ideal_rows = extent[1] / (0.5 * np.sqrt(3.0) * ideal_spacing)
    fewest_rows = 2 * max(1, int(ideal_rows - ROW_WINDOW) // 2)
    most_rows = int(min(max(count, 2), 4.0 * ideal_rows + 4.0, ideal_rows + ROW_WINDOW))
    rows = np.arange(fewest_rows, most_rows + 2, 2 if wraps[1] else 1)
    columns = np.maximum(-(-count // rows), 2)
    column_spacing = extent[0] / (columns if wraps[0] else columns - 0.5)
    row_spacing = extent[1] / (rows if wraps[1] else rows - 1)
    nearest = np.minimum(
        np.minimum(column_spacing, np.hypot(0.5 * column_spacing, row_spacing)), 2 * row_spacing
    )
    best = np.lexsort((rows * columns, -nearest))[0]
    return TriangularFit(
        int(rows[best]),
        int(columns[best]),
        float(column_spacing[best]),
        float(row_spacing[best]),
        float(nearest[best]),
    )


def triangular_lattice(count, low, wraps, fit: TriangularFit, rng: np.random.Generator):
    """Centres of ``count`` discs on the sites of ``fit``, vacancies drawn uniformly by ``rng``.

    The ``fit.sites − count`` vacant sites are a uniformly random subset (one draw of ``rng``);
    the discs are numbered in lattice order, row by row. Returns an (count, 2) array (length).
    """
    row, column = np.divmod(np.arange(fit.sites), fit.columns)
    x = low[0] + (column + 0.5 * (row % 2)) * fit.column_spacing
    y = low[1] + (row + (0.5 if wraps[1] else 0.0)) * fit.row_spacing
    occupied = np.sort(rng.choice(fit.sites, size=count, replace=False))
    return np.stack([x[occupied], y[occupied]], axis=1)
