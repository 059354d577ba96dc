"""Everything recorded about a school at one time: order parameters, groups, entropies."""

from __future__ import annotations

import math

import numpy as np

from sims.couzin import diagnostics, entropies, neighbourhood

SCALARS = {
    "polarization": ("1", "polarization P = |(1/N) sum e_i|"),
    "milling": ("1", "milling M = |(1/N) sum r_ic x e_i| about the centre of mass"),
    "com_speed": ("BL/s", "centre-of-mass speed |(1/N) sum v_i|"),
    "nearest_neighbour_distance": ("BL", "mean nearest-neighbour distance"),
    "groups": ("1", "groups (connected components at the perception radius r_r + dr_o + dr_a)"),
    "largest_group_fraction": ("1", "fraction of the agents in the largest group"),
    "perceived_neighbours": ("1", "mean number of neighbours an agent perceives"),
    "radius_of_gyration": ("BL", "radius of gyration about the centre of mass"),
}


def observe_school(params, positions: np.ndarray, headings: np.ndarray) -> dict[str, float]:
    """Scalar observables of one configuration (names and units in :data:`SCALARS`).

    O(N) memory (see :mod:`sims.couzin.neighbourhood`); O(N²) time for the paper's
    velocity correlation when ``params.entropies`` is ``"all"``.

    Parameters
    ----------
    params : CouzinParams
        The run's parameters.
    positions, headings : (N, 3) array
        Positions (BL; in [0, L) in a periodic box) and unit headings.
    """
    n_agents = len(positions)
    box = params.box_size if params.boundary == "periodic" else None
    offsets, centre = diagnostics.unwrapped_offsets(positions, box)
    hood = neighbourhood.survey(
        positions,
        headings,
        offsets,
        params.perception_radius,
        params.zones[3],
        box,
        min(diagnostics.NEAREST_NEIGHBOURS, n_agents - 1),
        entropies.VELOCITY_EDGES if params.entropies != "none" else np.empty(0),
        everyone=params.entropies == "all",
    )
    sizes = hood.group_sizes
    p = diagnostics.polarization(headings)
    record = {
        "polarization": p,
        "milling": diagnostics.milling(offsets, headings),
        "com_speed": params.speed * p,
        "nearest_neighbour_distance": float(hood.nearest[:, 0].mean()),
        "groups": len(sizes),
        "largest_group_fraction": sizes.max() / n_agents,
        "perceived_neighbours": hood.perceived / n_agents,
        "radius_of_gyration": math.sqrt(float((offsets**2).sum(axis=1).mean())),
        "centre": centre,
    }
    if params.entropies == "none":
        return record
    school = {
        "positions": positions,
        "headings": headings,
        "offsets": offsets,
        "knn_distances": hood.nearest,
        "alignment_counts": hood.alignment_counts,
        "all_alignment_counts": hood.all_alignment_counts,
        "box": box,
        "perception_radius": params.perception_radius,
        "reference_length": params.box_size,
    }
    corrected = entropies.corrected_entropies(school)
    record.update({f"entropy_{name}": value for name, value in corrected.items()})
    record["osi"] = entropies.osi(corrected)
    if params.entropies == "all":
        reference = entropies.reference_entropies(school)
        record.update({f"reference_entropy_{name}": value for name, value in reference.items()})
        record["osi_reference"] = entropies.osi_reference(reference)
    return record
