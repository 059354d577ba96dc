"""Order parameters and school geometry, correct in open space and in a periodic box.

In a periodic box of side L the school's centre is found without artefacts: a reference point is
taken as the circular mean of each coordinate (Bai & Breen 2008), every agent is placed at its
minimum-image offset from that point, and the centre of mass is the mean of those unwrapped
positions. For a school smaller than L/2 the result moves rigidly with the school, so milling,
shape and depth do not change when it straddles the boundary.
"""

from __future__ import annotations

import numpy as np

NEAREST_NEIGHBOURS = 5  # neighbours of the k-NN spread entropy (as dewi-kadita)


def unwrapped_offsets(positions: np.ndarray, box: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Positions relative to the school's centre of mass, and that centre.

    Parameters
    ----------
    positions : (N, 3) array
        Positions (body lengths); in ``[0, box)`` for a periodic box.
    box : float or None
        Side of the periodic box (body lengths); None in open space or a reflecting box.

    Returns
    -------
    offsets : (N, 3) array
        ``r_i - r_c`` (body lengths), minimum-image unwrapped in a periodic box.
    centre : (3,) array
        Centre of mass ``r_c`` (body lengths), inside ``[0, box)`` when periodic.
    """
    positions = np.asarray(positions, dtype=float)
    if box is None:
        centre = positions.mean(axis=0)
        return positions - centre, centre
    angles = 2 * np.pi * positions / box
    reference = box * np.arctan2(np.sin(angles).mean(0), np.cos(angles).mean(0)) / (2 * np.pi)
    relative = positions - reference
    relative -= box * np.rint(relative / box)
    shift = relative.mean(axis=0)
    return relative - shift, np.mod(reference + shift, box)


def polarization(headings: np.ndarray) -> float:
    """``P = |(1/N) Σ ê_i|``: 1 for an aligned school, about ``N^-1/2`` for a random one."""
    return float(np.linalg.norm(np.mean(headings, axis=0)))


def radial_units(offsets: np.ndarray) -> np.ndarray:
    """Unit vectors ``r̂_ic`` from the centre to each agent (zero for an agent at the centre)."""
    norms = np.linalg.norm(offsets, axis=1, keepdims=True)
    return np.divide(offsets, norms, out=np.zeros_like(offsets), where=norms > 0)


def milling(offsets: np.ndarray, headings: np.ndarray) -> float:
    """``M = |(1/N) Σ r̂_ic × ê_i|`` about the centre of mass: 1 for a perfect mill."""
    return float(np.linalg.norm(np.cross(radial_units(offsets), headings).mean(axis=0)))


REGIMES = ("swarm", "torus", "dynamic_parallel", "highly_parallel", "transitional")


def regime(p: float, m: float) -> str:
    """Collective state from time-averaged polarization P and milling M.

    Highly parallel: P > 0.95; dynamic parallel: 0.65 < P <= 0.95 and M < 0.3; torus: M > 0.6
    and P < 0.3; swarm: P < 0.2 and M < 0.2; anything else is transitional.
    """
    if p > 0.95:
        return "highly_parallel"
    if p > 0.65 and m < 0.3:
        return "dynamic_parallel"
    if m > 0.6 and p < 0.3:
        return "torus"
    if p < 0.2 and m < 0.2:
        return "swarm"
    return "transitional"
