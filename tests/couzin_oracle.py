"""The Couzin observation as it was before it moved to cell lists: the oracle of its tests.

scipy's k-d tree for the k nearest distances and the pairs within the perception radius,
connected components of the pair graph, and numpy over the pair list for the blind-volume test
and the alignment histograms; the paper's all-pairs histogram from a matrix product. Kept only
for tests/test_couzin_observe.py and benchmarks/bench_couzin.py; it stores every pair within
the perception radius (O(N²) memory for a compact school).
"""

import math

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from sims.couzin import diagnostics, entropies
from sims.couzin.diagnostics import NEAREST_NEIGHBOURS, radial_units, unwrapped_offsets

PAIR_BLOCK = 2**20  # pair products per block of the all-pairs histogram, as before


def all_pairs_values(headings, start, stop):
    """(1 + ê_i·ê_j)/2 of the pairs i < j with start <= i < stop, from a matrix product."""
    block = headings[start:stop] @ headings.T
    rows, columns = np.triu_indices(block.shape[0], k=1, m=len(headings) - start)
    return 0.5 * (1 + block[rows, columns + start])


def all_pairs_counts(headings):
    """The paper's all-pairs alignment histogram, in row blocks (O(N) memory), as before."""
    counts = np.zeros(20)
    rows_per_block = max(1, PAIR_BLOCK // len(headings))
    for start in range(0, len(headings), rows_per_block):
        values = all_pairs_values(headings, start, start + rows_per_block)
        counts += np.histogram(values, bins=20, range=(0.0, 1.0))[0]
    return counts


def oracle(positions, headings, radius, blind_cosine, box, k):
    """The previous observation's neighbourhoods (scipy k-d tree, pair list, numpy)."""
    tree = cKDTree(np.mod(positions, box), boxsize=box) if box else cKDTree(positions)
    nearest = tree.query(tree.data, k=k + 1)[0][:, 1:]
    pairs = tree.query_pairs(radius, output_type="ndarray")
    n = len(positions)
    graph = coo_matrix(
        (np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(n, n)
    )
    labels = connected_components(graph, directed=False)[1]
    delta = positions[pairs[:, 1]] - positions[pairs[:, 0]]
    if box:
        delta -= box * np.rint(delta / box)
    units = radial_units(delta)
    sees_second = np.einsum("ij,ij->i", headings[pairs[:, 0]], units) >= blind_cosine
    sees_first = np.einsum("ij,ij->i", headings[pairs[:, 1]], -units) >= blind_cosine
    values = 0.5 * (1 + np.einsum("ij,ij->i", headings[pairs[:, 0]], headings[pairs[:, 1]]))
    return {
        "nearest": nearest,
        "perceived": int(sees_second.sum() + sees_first.sum()),
        "sizes": np.bincount(labels),
        "within": np.histogram(np.clip(values, 0.0, 1.0), bins=20, range=(0.0, 1.0))[0],
    }


def previous_observation(params, positions, headings):
    """observe_school as it was: the oracle's neighbourhoods, then the same entropy code."""
    n = len(positions)
    box = params.box_size if params.boundary == "periodic" else None
    offsets, centre = unwrapped_offsets(positions, box)
    found = oracle(
        positions,
        headings,
        params.perception_radius,
        params.zones[3],
        box,
        min(NEAREST_NEIGHBOURS, n - 1),
    )
    p = diagnostics.polarization(headings)
    sizes = found["sizes"]
    record = {
        "polarization": p,
        "milling": diagnostics.milling(offsets, headings),
        "com_speed": params.speed * p,
        "nearest_neighbour_distance": float(found["nearest"][:, 0].mean()),
        "groups": len(sizes),
        "largest_group_fraction": sizes.max() / n,
        "perceived_neighbours": found["perceived"] / n,
        "radius_of_gyration": math.sqrt(float((offsets**2).sum(axis=1).mean())),
        "centre": centre,
    }
    school = {
        "positions": positions,
        "headings": headings,
        "offsets": offsets,
        "knn_distances": found["nearest"],
        "alignment_counts": found["within"],
        "box": box,
        "perception_radius": params.perception_radius,
        "reference_length": params.box_size,
    }
    if params.entropies == "none":
        return record
    corrected = entropies.corrected_entropies(school)
    record.update({f"entropy_{name}": value for name, value in corrected.items()})
    record["osi"] = entropies.osi(corrected)
    if params.entropies == "corrected":
        return record
    school["all_alignment_counts"] = all_pairs_counts(headings)
    reference = entropies.reference_entropies(school)
    record.update({f"reference_entropy_{name}": value for name, value in reference.items()})
    record["osi_reference"] = entropies.osi_reference(reference)
    return record
