"""Phase-space cell keys and occupation histograms for the Boltzmann entropy (jitted)."""

import numba as nb
import numpy as np

from sims.harddisc.kernels import cell_of_point


@nb.njit(inline="always")
def _velocity_bin(component, delta_v, span):
    shifted = np.floor(component / delta_v) + 0.5 * span
    return np.int64(min(max(shifted, 0.0), span - 1.0))


@nb.njit(cache=True)
def phase_space_keys(position, velocity, box, spatial_cells_x, spatial_cells_y, delta_v):
    """Cell keys of every disc for every Δv in one pass: ``keys[k, i]`` (int64).

    A key combines the spatial cell (Δx = box[1] / spatial_cells_y, square) and the velocity cell
    ``(floor(v_x / Δv), floor(v_y / Δv))``; equal keys mean the same one-particle phase-space
    cell. Also returns the spatial cell of each disc and the velocity-only keys.
    """
    count = position.shape[0]
    n_dv = delta_v.shape[0]
    spatial = np.empty(count, np.int64)
    keys = np.empty((n_dv, count), np.int64)
    velocity_keys = np.empty((n_dv, count), np.int64)
    spacing = box[1] / spatial_cells_y
    span = np.int64(1) << np.int64(20)  # velocity bins per axis, offset to stay positive
    for i in range(count):
        column, row = cell_of_point(
            position[i, 0], position[i, 1], spacing, spacing, spatial_cells_x, spatial_cells_y
        )
        spatial[i] = column + spatial_cells_x * row
        for k in range(n_dv):
            bin_x = _velocity_bin(velocity[i, 0], delta_v[k], span)
            bin_y = _velocity_bin(velocity[i, 1], delta_v[k], span)
            velocity_keys[k, i] = bin_x * span + bin_y
            keys[k, i] = spatial[i] * span * span + velocity_keys[k, i]
    return spatial, keys, velocity_keys


@nb.njit(cache=True)
def occupation_histogram(keys):
    """How many distinct key values occur exactly n times, for every n that occurs.

    Counts the keys in an open-addressing hash table (linear probing, multiplicative hashing;
    O(len(keys))), then histograms the counts. Returns ``(n, cells)``: occupation numbers
    n >= 1 (float64) and the number of cells holding exactly n particles (float64).
    """
    bits = 1
    while (1 << bits) < 2 * keys.shape[0]:
        bits += 1
    size = np.int64(1) << np.int64(bits)
    mask = size - np.int64(1)
    shift = np.uint64(64 - bits)
    table_keys = np.empty(size, np.int64)
    table_counts = np.zeros(size, np.int64)
    largest = 0
    for key in keys:
        slot = np.int64((np.uint64(key) * np.uint64(0x9E3779B97F4A7C15)) >> shift)
        while table_counts[slot] > 0 and table_keys[slot] != key:
            slot = (slot + np.int64(1)) & mask
        table_keys[slot] = key
        table_counts[slot] += 1
        largest = max(largest, table_counts[slot])
    histogram = np.zeros(largest + 1, np.int64)
    for count in table_counts:
        histogram[count] += 1
    occupied = np.nonzero(histogram[1:])[0] + 1
    return occupied.astype(np.float64), histogram[occupied].astype(np.float64)
