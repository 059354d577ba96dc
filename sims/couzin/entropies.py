"""The seven schooling entropies and the Oceanic Schooling Index (OSI) of dewi-kadita.

Herho et al., "dewi-kadita: A Python Library for Idealized Fish Schooling Simulation with
Entropy-Based Diagnostics" (arXiv:2602.07948) define seven normalised Shannon entropies
``H = -Σ p ln p / ln M`` of histograms of M bins, each in [0, 1] (0 = ordered), and the index
``OSI = Σ_k w_k H_k`` with weights 0.18, 0.28, 0.08, 0.08, 0.10, 0.18, 0.10.

Two versions are computed, from the same positions and headings:

**Corrected (default, ``entropy_*`` and ``osi``)**

* every histogram entropy is the Miller–Madow estimate ``H_plugin + (K - 1)/(2N)`` (K occupied
  bins, N samples) divided by ``ln M`` and clipped to [0, 1], so that a distribution filling
  its bins evenly scores close to 1 whatever the number of agents;
* ``cohesion``: nearest-neighbour distances, 20 bins on [0, R] (R = perception radius
  ``r_r + Δr_o + Δr_a``; larger distances go to the last bin);
* ``polarization``: headings on the unit sphere, 24 equal-area cells (4 bands of equal
  ``cos θ`` times 6 sectors of φ): isotropic headings give 1 for any N, aligned ones 0;
* ``depth``: z offsets from the school's centre, 15 bins over the school's own depth range;
* ``angular_momentum``: ``|r̂_ic × ê_i|`` about the centre of mass, 20 bins on [0, 1];
* ``nearest_neighbour``: coefficient of variation of each agent's 5 nearest distances, 20 bins
  on [0, 2];
* ``velocity_correlation``: ``(1 + ê_i·ê_j)/2`` over the pairs closer than R only (the
  velocity correlation of neighbours, not of the whole school), 20 bins on [0, 1] (counted
  without a pair list, :mod:`sims.couzin.neighbourhood`);
* ``shape``: eigenvalues λ of the covariance of the offsets from the centre, ``p = λ/Σλ``,
  divided by ln 3;
* centre, offsets and distances are minimum-image in a periodic box (see
  :mod:`sims.couzin.diagnostics`);
* ``OSI = Σ w_k H_k``: every term, the velocity one included, grows with disorder.

**Reference (``reference_entropy_*`` and ``osi_reference``), faithful to the paper**

* plug-in entropies; cohesion 25 bins on [0, L/2]; depth: absolute z, 15 bins on [0, L];
  nearest-neighbour and angular momentum as above but about the naive arithmetic centroid;
  shape from the naive covariance of positions;
* polarization: a 12 × 24 histogram of (θ, φ) whose counts are multiplied by ``sin θ`` of the
  bin centre before normalising by ``ln 288``; this counts the sphere's Jacobian twice and,
  with N < 288 agents, cannot reach 1: isotropic headings give about 0.81 at N = 150 and 0.94
  at N = 10⁴;
* velocity correlation over all N(N-1)/2 pairs, whatever their distance (O(N²) time, O(N)
  memory, :func:`sims.couzin.alignment.all_pairs_counts`); values outside [0, 1] (an ulp
  above 1 for two equal headings) are left out, as ``numpy.histogram`` leaves them;
* ``OSI_ref`` as written in the paper, with the velocity term ``w (1 - H_vel)``: a perfectly
  aligned school (H_vel = 0) then adds 0.18 to an index meant to vanish with order.
* L is ``box_size``; in open space positions are first shifted so that the naive centroid sits
  at L/2. Degenerate histograms (no samples) give 0.5, as in the paper.
"""

from __future__ import annotations

import math

import numpy as np

from analysis.entropy import miller_madow_entropy, shannon_entropy
from sims.couzin import alignment, diagnostics, kernels

NAMES = (
    "cohesion",
    "polarization",
    "depth",
    "angular_momentum",
    "nearest_neighbour",
    "velocity_correlation",
    "shape",
)
OSI_WEIGHTS = dict(zip(NAMES, (0.18, 0.28, 0.08, 0.08, 0.10, 0.18, 0.10), strict=True))
LONG_NAMES = {
    "cohesion": "nearest-neighbour distance entropy (school cohesion)",
    "polarization": "heading entropy on the sphere (polarization)",
    "depth": "depth stratification entropy",
    "angular_momentum": "angular momentum entropy |r_ic x e_i|",
    "nearest_neighbour": "k-nearest-neighbour distance spread entropy",
    "velocity_correlation": "velocity correlation entropy",
    "shape": "school shape entropy (covariance eigenvalues)",
}
COHESION_BINS, KNN_BINS, ANGULAR_BINS, VELOCITY_BINS, DEPTH_BINS = 20, 20, 20, 20, 15
KNN_SPREAD_RANGE = (0.0, 2.0)
SPHERE_BANDS, SPHERE_SECTORS = 4, 6
REFERENCE_COHESION_BINS = 25
REFERENCE_THETA_BINS, REFERENCE_PHI_BINS = 12, 24
REFERENCE_DEGENERATE = 0.5
VELOCITY_EDGES = alignment.bin_edges(VELOCITY_BINS, 0.0, 1.0)


def _corrected(counts: np.ndarray) -> float:
    """Miller–Madow entropy of ``counts`` divided by ln(bins), clipped to [0, 1]."""
    counts = np.asarray(counts, dtype=float).ravel()
    if counts.sum() == 0:
        return math.nan
    return float(np.clip(miller_madow_entropy(counts) / math.log(counts.size), 0.0, 1.0))


def _clipped_counts(values: np.ndarray, bins: int, low: float, high: float) -> np.ndarray:
    """Histogram on [low, high] with values outside folded into the end bins."""
    return np.histogram(np.clip(values, low, high), bins=bins, range=(low, high))[0]


def _knn_spread(knn_distances: np.ndarray) -> np.ndarray:
    mean = knn_distances.mean(axis=1)
    return np.divide(knn_distances.std(axis=1), mean, out=np.zeros_like(mean), where=mean > 0)


def _shape_entropy(covariance: np.ndarray) -> float:
    eigenvalues = np.clip(np.linalg.eigvalsh(covariance), 0.0, None)
    if eigenvalues.sum() == 0:
        return math.nan
    return float(shannon_entropy(eigenvalues, normalized=True))


def sphere_cell_counts(headings: np.ndarray) -> np.ndarray:
    """Counts of unit vectors in 24 equal-area cells (equal bands of cos θ × sectors of φ)."""
    band = np.minimum(((headings[:, 2] + 1) / 2 * SPHERE_BANDS).astype(int), SPHERE_BANDS - 1)
    phi = np.arctan2(headings[:, 1], headings[:, 0]) + np.pi
    sector = np.minimum((phi / (2 * np.pi) * SPHERE_SECTORS).astype(int), SPHERE_SECTORS - 1)
    return np.bincount(band * SPHERE_SECTORS + sector, minlength=SPHERE_BANDS * SPHERE_SECTORS)


def heading_entropy(headings: np.ndarray) -> float:
    """Corrected heading (polarization) entropy: 24 equal-area cells, Miller–Madow, in [0, 1]."""
    return _corrected(sphere_cell_counts(headings))


def reference_heading_entropy(headings: np.ndarray) -> float:
    """The paper's heading entropy: 12 × 24 (θ, φ) histogram weighted by sin θ, / ln 288."""
    theta = np.arccos(np.clip(headings[:, 2], -1.0, 1.0))
    phi = np.arctan2(headings[:, 1], headings[:, 0]) + np.pi
    sphere, theta_edges, _ = np.histogram2d(
        theta,
        phi,
        bins=(REFERENCE_THETA_BINS, REFERENCE_PHI_BINS),
        range=((0.0, np.pi), (0.0, 2 * np.pi)),
    )
    theta_centres = 0.5 * (theta_edges[1:] + theta_edges[:-1])
    return _reference(sphere * np.sin(theta_centres)[:, None])


def corrected_entropies(school: dict) -> dict[str, float]:
    """The seven corrected entropies of a school (see the module docstring).

    Parameters
    ----------
    school : dict
        ``headings`` (N, 3), ``offsets`` (N, 3, from the centre of mass), ``knn_distances``
        (N, k), ``alignment_counts`` (pairs closer than the perception radius per bin of
        :data:`VELOCITY_EDGES`, values clipped to [0, 1]) and ``perception_radius``.
    """
    headings, offsets, knn = school["headings"], school["offsets"], school["knn_distances"]
    radius = school["perception_radius"]
    depth = offsets[:, 2]
    depth_range = (depth.min(), depth.max()) if np.ptp(depth) > 0 else (-0.5, 0.5)
    cross = np.cross(diagnostics.radial_units(offsets), headings)
    return {
        "cohesion": _corrected(_clipped_counts(knn[:, 0], COHESION_BINS, 0.0, radius)),
        "polarization": heading_entropy(headings),
        "depth": _corrected(np.histogram(depth, bins=DEPTH_BINS, range=depth_range)[0]),
        "angular_momentum": _corrected(
            _clipped_counts(np.linalg.norm(cross, axis=1), ANGULAR_BINS, 0.0, 1.0)
        ),
        "nearest_neighbour": _corrected(
            _clipped_counts(_knn_spread(knn), KNN_BINS, *KNN_SPREAD_RANGE)
        ),
        "velocity_correlation": _corrected(school["alignment_counts"]),
        "shape": _shape_entropy(offsets.T @ offsets / len(offsets)),
    }


def _reference(counts: np.ndarray) -> float:
    counts = np.asarray(counts, dtype=float).ravel()
    if counts.sum() == 0:
        return REFERENCE_DEGENERATE
    return float(shannon_entropy(counts, normalized=True))


def all_pairs_alignment_counts(headings: np.ndarray) -> np.ndarray:
    """Histogram of (1 + ê_i·ê_j)/2 over all pairs i < j on :data:`VELOCITY_EDGES`."""
    headings = np.ascontiguousarray(np.asarray(headings, dtype=float).T)
    if headings.shape[1] >= kernels.THREADED_FROM:
        return alignment.all_pairs_counts_threaded(headings, VELOCITY_EDGES)
    return alignment.all_pairs_counts(headings, VELOCITY_EDGES)


def reference_entropies(school: dict) -> dict[str, float]:
    """The seven entropies as the dewi-kadita paper defines them (see the module docstring).

    Parameters
    ----------
    school : dict
        As for :func:`corrected_entropies`, plus ``positions`` (N, 3), ``box`` (periodic side
        or None), ``reference_length`` (the paper's L) and, optionally,
        ``all_alignment_counts`` (the all-pairs alignment histogram, when already counted).
    """
    headings, positions, length = (
        school["headings"],
        school["positions"],
        school["reference_length"],
    )
    knn = school["knn_distances"]
    all_counts = school.get("all_alignment_counts")
    if all_counts is None:
        all_counts = all_pairs_alignment_counts(headings)
    if school["box"] is None:
        positions = positions - positions.mean(axis=0) + length / 2
    naive_offsets = positions - positions.mean(axis=0)
    cross = np.cross(diagnostics.radial_units(naive_offsets), headings)
    return {
        "cohesion": _reference(
            np.histogram(knn[:, 0], bins=REFERENCE_COHESION_BINS, range=(0.0, length / 2))[0]
        ),
        "polarization": reference_heading_entropy(headings),
        "depth": _reference(np.histogram(positions[:, 2], bins=DEPTH_BINS, range=(0, length))[0]),
        "angular_momentum": _reference(
            np.histogram(np.linalg.norm(cross, axis=1), bins=ANGULAR_BINS, range=(0.0, 1.0))[0]
        ),
        "nearest_neighbour": _reference(
            np.histogram(_knn_spread(knn), bins=KNN_BINS, range=KNN_SPREAD_RANGE)[0]
        ),
        "velocity_correlation": _reference(all_counts),
        "shape": _shape_entropy(np.cov(positions.T)),
    }


def osi(entropies: dict[str, float]) -> float:
    """Corrected Oceanic Schooling Index ``Σ w_k H_k`` (0 ordered, 1 disordered)."""
    return float(sum(OSI_WEIGHTS[name] * entropies[name] for name in NAMES))


def osi_reference(entropies: dict[str, float]) -> float:
    """The paper's index: as :func:`osi` but with ``w_vel (1 - H_vel)`` for the velocity term."""
    velocity = "velocity_correlation"
    return float(
        sum(OSI_WEIGHTS[name] * entropies[name] for name in NAMES if name != velocity)
        + OSI_WEIGHTS[velocity] * (1.0 - entropies[velocity])
    )
