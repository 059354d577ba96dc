"""Jitted dynamics of the coffee automaton: pure functions on arrays and an explicit RNG state.

Grids are ``(n, n)`` arrays, row 0 at the top. Left-right is always periodic; top-bottom is
closed (``periodic_vertical=False``: no pair or move crosses it) or periodic.
"""

import numba as nb
import numpy as np

from sims.core.rng import bounded_from_bits, next_uint64

_LOW32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)
_MOVES_PER_WORD = 32  # a random walker's move takes 2 bits


@nb.njit(cache=True)
def interacting_swaps(grid, n_attempts, periodic_vertical, state):
    """Attempt ``n_attempts`` swaps of uniformly chosen adjacent pairs; return how many changed.

    A pair is drawn uniformly among all horizontally or vertically adjacent pairs (``n*n``
    horizontal, plus ``n*(n-1)`` vertical when closed or ``n*n`` when periodic) and its two cells
    are exchanged; only pairs of differing cells change the grid (symmetric exclusion process).
    Each pair costs one 64-bit draw: its row from the high 32 bits, its column and orientation from
    the low 32 bits, both unbiased. Slots of vertical pairs that would cross a closed boundary are
    redrawn, so every valid pair has the same probability and ``n_attempts`` counts valid pairs.

    Parameters
    ----------
    grid : uint8[:, :]
        Occupations (1 cream, 0 coffee), modified in place.
    n_attempts : int
        Number of pair attempts.
    periodic_vertical : bool
        Whether the top and bottom rows are neighbours.
    state : uint64[4]
        xoshiro256** state, advanced in place.
    """
    n = grid.shape[0]
    flat = grid.reshape(-1)
    accepted = 0
    attempt = 0
    while attempt < n_attempts:
        bits = next_uint64(state)
        row = bounded_from_bits(bits >> _SHIFT32, n, state)
        slot = bounded_from_bits(bits & _LOW32, 2 * n, state)
        column = slot >> 1
        cell = row * n + column
        if slot & 1 == 0:
            partner = cell + 1 if column + 1 < n else row * n
        elif row + 1 < n:
            partner = cell + n
        elif periodic_vertical:
            partner = column
        else:
            continue  # no pair below the bottom row of a closed cup
        attempt += 1
        first = flat[cell]
        second = flat[partner]
        # always exchange: swapping equal cells changes nothing, and a branch on "differ" would be
        # mispredicted half the time on a mixed grid
        flat[cell] = second
        flat[partner] = first
        accepted += first != second
    return accepted


@nb.njit(cache=True)
def random_walk_steps(rows, columns, counts, n_steps, periodic_vertical, state):
    """Move every walker to a uniformly random neighbour, ``n_steps`` times.

    A move across a closed top or bottom wall is rejected (the walker stays for that step), which
    keeps the uniform distribution stationary. Each step draws its own words (32 moves per 64-bit
    word), so any split of ``n_steps`` gives the same result.

    Parameters
    ----------
    rows, columns : int32[:]
        Walker positions, modified in place.
    counts : uint16[:, :]
        Walkers per cell, kept consistent with the positions.
    n_steps : int
        Number of steps (each moves every walker once).
    periodic_vertical : bool
        Whether the top and bottom rows are neighbours.
    state : uint64[4]
        xoshiro256** state, advanced in place.
    """
    n = counts.shape[0]
    n_walkers = rows.shape[0]
    for _ in range(n_steps):
        bits = np.uint64(0)
        for walker in range(n_walkers):
            if walker % _MOVES_PER_WORD == 0:
                bits = next_uint64(state)
            direction = bits & np.uint64(3)
            bits >>= np.uint64(2)
            row = rows[walker]
            column = columns[walker]
            new_row = row
            new_column = column
            if direction == 0:
                new_row = row - 1
            elif direction == 1:
                new_row = row + 1
            elif direction == 2:
                new_column = column - 1 if column > 0 else n - 1
            else:
                new_column = column + 1 if column + 1 < n else 0
            if new_row < 0 or new_row >= n:
                if not periodic_vertical:
                    continue
                new_row = n - 1 if new_row < 0 else 0
            counts[row, column] -= 1
            counts[new_row, new_column] += 1
            rows[walker] = new_row
            columns[walker] = new_column
