"""Structure of a hard-disc configuration: bond-orientational order ψ₆ and the pair distribution.

Both are O(N) (cell lists with cells at least one cutoff wide, at most about one per disc; no
pair lists, no N x N arrays) and jitted.

- The local order of disc j is ψ₆(j) = (1/n_j) Σ_k exp(6iθ_jk) over its n_j neighbours k
  closer than a cutoff, θ_jk the angle of the bond r_k − r_j (ψ₆(j) = 0 without neighbours);
  the global order is Ψ₆ = (1/N) Σ_j ψ₆(j). |Ψ₆| = 1 on a perfect triangular lattice (any
  orientation) and is O(1/√N) in a liquid, whose local orientations are uncorrelated beyond a
  few diameters (Bernard & Krauth, Phys. Rev. Lett. 107, 155704, 2011, use the same global
  order with Voronoi neighbours).
- The pair distribution g(r) in a periodic box, from the histogram of minimum-image pair
  distances normalised by the ideal-gas count in each ring.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sims.harddisc.kernels import build_cell_lists, wrap, wrapped_index

MIN_PERIODIC_CELLS = 3  # fewer along a periodic axis: one cell, else neighbours counted twice


def lattice_spacing(area_fraction: float, diameter: float) -> float:
    """Spacing a = σ √(π / (2√3 φ)) of the triangular lattice at area fraction φ (length)."""
    return diameter * np.sqrt(np.pi / (2.0 * np.sqrt(3.0) * area_fraction))


def bond_cutoff(area_fraction: float, diameter: float) -> float:
    """Neighbour cutoff of ψ₆: a · 3^(1/4), the geometric mean of the lattice's first two shells.

    The first neighbours of the triangular lattice at this density lie at a, the second at √3 a;
    the cutoff counts exactly the six first ones on the lattice and sits near the first minimum of
    the liquid's g(r) (about 1.5σ at φ = 0.7, where it is 1.50σ). Length.
    """
    return lattice_spacing(area_fraction, diameter) * 3.0**0.25


def _grid(box: np.ndarray, count: int, reach: float, periodic: bool) -> tuple[int, int]:
    """Cells per axis at least ``reach`` wide and at most about one per disc.

    A periodic axis narrower than MIN_PERIODIC_CELLS cells gets a single cell, which the scans
    visit once (:func:`_neighbour_span`).
    """
    side = max(reach, np.sqrt(box[0] * box[1] / max(count, 1)))
    cells = [max(1, int(length / side)) for length in box]
    if periodic:
        cells = [count if count >= MIN_PERIODIC_CELLS else 1 for count in cells]
    return cells[0], cells[1]


@nb.njit(inline="always")
def _neighbour_span(cells):
    """Cells scanned on each side: 1, or 0 for a single cell (it is its own neighbour)."""
    return 1 if cells > 1 else 0


def global_bond_order(position, box, periodic, cutoff) -> complex:
    """Global bond-orientational order Ψ₆ = (1/N) Σ_j ψ₆(j) (see the module docstring).

    Parameters
    ----------
    position : ndarray, shape (N, 2)
        Disc centres inside the box (length).
    box : ndarray, shape (2,)
        Box width and height (length).
    periodic : bool
        Minimum-image bonds (periodic box; one image per pair) or not (walls).
    cutoff : float
        Neighbours are closer than this (length), e.g. :func:`bond_cutoff`.

    Returns
    -------
    complex
        Ψ₆ (dimensionless); its modulus is 1 on a perfect triangular lattice.
    """
    box = np.asarray(box, dtype=np.float64)
    cells_x, cells_y = _grid(box, position.shape[0], cutoff, periodic)
    real, imaginary = _bond_order_sums(position, box, periodic, cutoff, cells_x, cells_y)
    return complex(real, imaginary) / max(position.shape[0], 1)


def pair_distribution(position, box, reach, bins) -> tuple[np.ndarray, np.ndarray]:
    """Radial pair distribution g(r) of discs in a periodic box, for 0 <= r < ``reach``.

    g in the ring [r₁, r₂) is 2 H / (N ρ π (r₂² − r₁²)), H the number of pairs at distances in
    it and ρ = N/A: 1 for an ideal gas (up to the 1 − 1/N of a fixed N).

    Parameters
    ----------
    position : ndarray, shape (N, 2)
        Disc centres (length).
    box : ndarray, shape (2,)
        Periodic box width and height (length); ``reach`` must be below half of each.
    reach : float
        Largest distance (length).
    bins : int
        Number of rings of equal width.

    Returns
    -------
    (ndarray, ndarray)
        Ring edges, shape (bins + 1,) (length), and g, shape (bins,) (dimensionless).
    """
    box = np.asarray(box, dtype=np.float64)
    if not reach < 0.5 * box.min():
        raise ValueError(f"reach {reach:.4g} is not below half the box ({box.min():.4g})")
    count = position.shape[0]
    cells_x, cells_y = _grid(box, count, reach, True)
    pairs = _pair_histogram(position, box, reach, bins, cells_x, cells_y)
    edges = np.linspace(0.0, reach, bins + 1)
    density = count / (box[0] * box[1])
    ideal = 0.5 * count * density * np.pi * np.diff(edges**2)
    return edges, pairs / ideal


@nb.njit(cache=True)
def _cell_lists(position, box, cells_x, cells_y):
    count = position.shape[0]
    column, row = np.empty(count, np.int64), np.empty(count, np.int64)
    head = np.empty(cells_x * cells_y, np.int32)
    following, previous = np.empty(count, np.int32), np.empty(count, np.int32)
    build_cell_lists(position, column, row, head, following, previous, box, cells_x, cells_y)
    return column, row, head, following


@nb.njit(cache=True)
def _bond_order_sums(position, box, periodic, cutoff, cells_x, cells_y):
    """Σ_j ψ₆(j), real and imaginary parts."""
    column, row, head, following = _cell_lists(position, box, cells_x, cells_y)
    span_x, span_y = _neighbour_span(cells_x), _neighbour_span(cells_y)
    cutoff_squared = cutoff * cutoff
    total_real, total_imaginary = 0.0, 0.0
    for i in range(position.shape[0]):
        real, imaginary, neighbours = 0.0, 0.0, 0
        for d_row in range(-span_y, span_y + 1):
            other_row = wrapped_index(row[i] + d_row, cells_y, periodic)
            if other_row < 0:
                continue
            for d_column in range(-span_x, span_x + 1):
                other_column = wrapped_index(column[i] + d_column, cells_x, periodic)
                if other_column < 0:
                    continue
                j = head[other_column + cells_x * other_row]
                while j >= 0:
                    rx = wrap(position[j, 0] - position[i, 0], box[0], periodic)
                    ry = wrap(position[j, 1] - position[i, 1], box[1], periodic)
                    distance_squared = rx * rx + ry * ry
                    if j != i and distance_squared < cutoff_squared:
                        angle = 6.0 * np.arctan2(ry, rx)
                        real += np.cos(angle)
                        imaginary += np.sin(angle)
                        neighbours += 1
                    j = following[j]
        if neighbours > 0:
            total_real += real / neighbours
            total_imaginary += imaginary / neighbours
    return total_real, total_imaginary


@nb.njit(cache=True)
def _pair_histogram(position, box, reach, bins, cells_x, cells_y):
    """Number of pairs (each once) at minimum-image distances in each of ``bins`` rings."""
    column, row, head, following = _cell_lists(position, box, cells_x, cells_y)
    span_x, span_y = _neighbour_span(cells_x), _neighbour_span(cells_y)
    histogram = np.zeros(bins)
    width = reach / bins
    for i in range(position.shape[0]):
        for d_row in range(-span_y, span_y + 1):
            other_row = wrapped_index(row[i] + d_row, cells_y, True)
            for d_column in range(-span_x, span_x + 1):
                other_column = wrapped_index(column[i] + d_column, cells_x, True)
                j = head[other_column + cells_x * other_row]
                while j >= 0:
                    if j > i:
                        rx = wrap(position[j, 0] - position[i, 0], box[0], True)
                        ry = wrap(position[j, 1] - position[i, 1], box[1], True)
                        distance = np.sqrt(rx * rx + ry * ry)
                        if distance < reach:
                            histogram[min(int(distance / width), bins - 1)] += 1.0
                    j = following[j]
    return histogram
