"""Couzin observation over cell lists against the scipy code it replaced, kept here as the oracle.

The oracle is the previous observation (tests/couzin_oracle.py): scipy's k-d tree, a pair list,
numpy. States are built directly, never taken from a simulated (chaotic) trajectory. What must
agree, and how:

* k nearest distances: bit for bit (the same d² = (Δx² + Δy²) + Δz², the same periodic wrap,
  the same square root);
* perceived neighbours and group sizes: exactly (integers; near the blind-volume edge the same
  formula decides, with numpy einsum's order of summation);
* alignment counts of the pairs within R: exactly (the values are computed as einsum computes
  them, so they are the same numbers);
* all-pairs alignment counts: exactly, on states where every pair whose value differs from
  the oracle's lies farther than 1e-12 from a bin edge (checked, :func:`unambiguous`): the
  oracle's values come from a matrix product, whose last bit depends on the BLAS kernel (fused
  multiply-adds on most CPUs), so a value on an edge could fall into the neighbouring bin;
* whole records: every value, since the entropies get identical inputs.
"""

import math

import numpy as np
import pytest

from sims.couzin import alignment, cells, entropies, neighbourhood
from sims.couzin.diagnostics import NEAREST_NEIGHBOURS, radial_units, unwrapped_offsets
from sims.couzin.model import CouzinModel, CouzinParams
from sims.couzin.observe import observe_school
from tests.couzin_oracle import all_pairs_counts as oracle_all_pairs_counts
from tests.couzin_oracle import all_pairs_values, oracle, previous_observation

RADIUS = 7.0
BOX = 40.0
BLIND_COSINES = {  # field of perception α: cos(α/2), as CouzinParams.zones gives it
    "270": math.cos(math.radians(135.0)),
    "360": -2.0,
    "180": math.cos(math.radians(90.0)),
    "90": math.cos(math.radians(45.0)),
}
SIZES = (2, 3, 5, 6, 40, 300)
SEEDS = (0, 1)
EDGE_CLEARANCE = 1e-12


def survey(positions, headings, radius, blind_cosine, box, k, everyone=True):
    offsets, _ = unwrapped_offsets(positions, box)
    return neighbourhood.survey(
        positions, headings, offsets, radius, blind_cosine, box, k, entropies.VELOCITY_EDGES,
        everyone=everyone,
    )  # fmt: skip


def oracle_all_pairs(headings):
    """The oracle's all-pairs alignment counts, once checked to be unambiguous: the pairs
    whose value the oracle rounds otherwise than the new code are all farther than
    EDGE_CLEARANCE from the edges of the alignment bins."""
    rows, columns = np.triu_indices(len(headings), k=1)
    values = 0.5 * (1 + np.einsum("ij,ij->i", headings[rows], headings[columns]))
    oracle_values = all_pairs_values(headings, 0, len(headings))
    differ = oracle_values[values != oracle_values]
    edges = entropies.VELOCITY_EDGES
    assert np.abs(differ[:, None] - edges[None, :]).min(initial=1.0) > EDGE_CLEARANCE
    return oracle_all_pairs_counts(headings)


def all_pairs_counts(result, headings):
    if result.all_alignment_counts is not None:  # counted in the sweep of a compact school
        return result.all_alignment_counts
    return entropies.all_pairs_alignment_counts(headings)


def assert_matches_oracle(positions, headings, blind_cosine, box, label):
    k = min(NEAREST_NEIGHBOURS, len(positions) - 1)
    expected = oracle(positions, headings, RADIUS, blind_cosine, box, k)
    result = survey(positions, headings, RADIUS, blind_cosine, box, k)
    np.testing.assert_array_equal(result.nearest, expected["nearest"], err_msg=label)
    assert result.perceived == expected["perceived"], label
    np.testing.assert_array_equal(result.group_sizes, expected["sizes"], err_msg=label)
    np.testing.assert_array_equal(result.alignment_counts, expected["within"], err_msg=label)
    np.testing.assert_array_equal(
        all_pairs_counts(result, headings), oracle_all_pairs(headings), err_msg=label
    )
    return expected


def unit_vectors(rng, n):
    vectors = rng.normal(size=(n, 3))
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def configuration(name, rng, n, boundary):
    """Positions (BL) of n agents: in [0, BOX) periodic, [0, BOX] reflecting, anywhere open."""
    # far from the origin in open space, except agents meant to sit exactly on cell edges
    origin = -1234.5 if boundary == "unbounded" and name != "cell_edges" else 0.0
    if name == "compact":  # a few BL across; periodic: straddling the corner of the box
        positions = rng.uniform(-1.5, 1.5, (n, 3)) + (0.0 if boundary == "periodic" else 10.0)
    elif name == "dispersed":  # the 5 nearest mostly beyond R
        positions = rng.uniform(0.0, BOX, (n, 3))
    elif name == "cell_edges":  # on the corners of the cells of side <= R/√3, and R apart
        width = cells.grid(RADIUS * neighbourhood.CONNECTED_SIDE * (1 - cells.MARGIN), BOX)[0]
        steps = rng.integers(0, 5, (n, 3)).astype(float)
        spacing = np.where(rng.random((n, 1)) < 0.5, width, RADIUS)
        positions = steps * spacing
    elif name == "coincident":  # in threes at the same point
        positions = np.repeat(rng.uniform(0.0, 12.0, (n // 3 + 1, 3)), 3, axis=0)[:n]
    elif name == "clusters":  # three agents (fewer than k + 1) far from the rest
        positions = rng.uniform(0.0, 3.0, (n, 3))
        positions[3:] += 19.0
    elif name == "flat":
        positions = np.concatenate([rng.uniform(0.0, BOX, (n, 2)), np.full((n, 1), 5.0)], axis=1)
    elif name == "line":
        positions = np.zeros((n, 3))
        positions[:, 1] = rng.uniform(0.0, BOX, n)
    else:
        raise ValueError(name)
    if boundary == "periodic":
        return np.mod(positions, BOX)
    if boundary == "reflecting":
        positions = np.clip(positions, 0.0, BOX)
        positions[0, 0], positions[-1, 2] = 0.0, BOX  # on the walls
        return positions
    return positions + origin


CONFIGURATIONS = ("compact", "dispersed", "cell_edges", "coincident", "clusters", "flat", "line")


@pytest.mark.parametrize("boundary", ["unbounded", "periodic", "reflecting"])
@pytest.mark.parametrize("name", CONFIGURATIONS)
def test_neighbourhoods_match_the_k_d_tree_oracle(boundary, name):
    box = BOX if boundary == "periodic" else None
    for n in SIZES:
        for seed in SEEDS:
            rng = np.random.default_rng([seed, n, CONFIGURATIONS.index(name)])
            positions = configuration(name, rng, n, boundary)
            headings = unit_vectors(rng, n)
            for field, blind_cosine in BLIND_COSINES.items():
                label = f"{boundary} {name} N={n} seed={seed} α={field}"
                assert_matches_oracle(positions, headings, blind_cosine, box, label)


def test_the_oracle_comparison_covers_what_it_claims():
    """The states above reach the cases they are meant to: k nearest beyond R, several groups,
    pairs at exactly R, coincident agents, compact and spread schools."""
    rng = np.random.default_rng(3)
    dispersed = configuration("dispersed", rng, 40, "periodic")
    expected = oracle(dispersed, unit_vectors(rng, 40), RADIUS, -0.7, BOX, 5)
    assert (expected["nearest"][:, -1] > RADIUS).mean() > 0.5
    assert len(expected["sizes"]) > 10
    dispersed = configuration("dispersed", rng, 300, "periodic")
    edges = configuration("cell_edges", np.random.default_rng([0, 300, 2]), 300, "unbounded")
    distances = np.linalg.norm(edges[:, None] - edges[None], axis=-1)
    assert (distances == RADIUS).any() and (distances == 0).any()
    compact = configuration("compact", rng, 300, "unbounded")
    headings = unit_vectors(rng, 300)
    assert survey(compact, headings, RADIUS, -0.7, None, 5).all_alignment_counts is not None
    assert survey(dispersed, headings, RADIUS, -0.7, BOX, 5).all_alignment_counts is None


def test_pairs_exactly_at_the_perception_radius_count():
    """d = R is within the perception radius (scipy's query_pairs: d <= r), d = R + ulp not."""
    headings = np.tile([1.0, 0.0, 0.0], (2, 1))
    for distance, within in [(RADIUS, True), (np.nextafter(RADIUS, 20.0), False)]:
        positions = np.array([[0.0, 0.0, 0.0], [distance, 0.0, 0.0]])
        result = survey(positions, headings, RADIUS, BLIND_COSINES["270"], None, 1)
        assert result.perceived == (1 if within else 0)  # j sees i behind it: blind
        assert len(result.group_sizes) == (1 if within else 2)
        assert_matches_oracle(positions, headings, BLIND_COSINES["270"], None, f"d={distance}")


def test_blind_volume_edge_and_coincident_agents():
    """Neighbours within a few ulps of the edge of the blind cone (135° from the heading) are
    decided by the previous formula; coincident agents see each other iff cos(α/2) <= 0."""
    rng = np.random.default_rng(11)
    angles = math.radians(135.0) + rng.uniform(-1e-14, 1e-14, 200)
    positions = np.zeros((201, 3))
    positions[1:, 0], positions[1:, 1] = 3.0 * np.cos(angles), 3.0 * np.sin(angles)
    positions *= rng.uniform(0.5, 2.0, (201, 1))
    headings = np.tile([0.0, 0.0, 1.0], (201, 1))  # the neighbours see the agent at 90°
    headings[0] = [1.0, 0.0, 0.0]
    cosine = BLIND_COSINES["270"]
    units = radial_units(positions[1:])
    dots = np.einsum("ij,ij->i", headings[:1].repeat(200, axis=0), units)
    assert 0 < (dots >= cosine).sum() < 200  # the edge cuts through them
    expected = assert_matches_oracle(positions, headings, cosine, None, "blind edge")
    assert expected["perceived"] > 0
    twins = np.zeros((2, 3))
    twin_headings = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    for field, seen in [("270", 2), ("180", 0), ("90", 0), ("360", 2)]:
        result = survey(twins, twin_headings, RADIUS, BLIND_COSINES[field], None, 1)
        assert result.perceived == seen, field
        assert_matches_oracle(twins, twin_headings, BLIND_COSINES[field], None, field)


def test_threads_give_the_same_neighbourhoods(monkeypatch):
    rng = np.random.default_rng(12)
    for boundary in ("unbounded", "periodic"):
        box = BOX if boundary == "periodic" else None
        for name in ("compact", "dispersed"):
            positions = configuration(name, rng, 500, boundary)
            headings = unit_vectors(rng, 500)
            results = []
            for threaded_from in (10**9, 0):
                monkeypatch.setattr(neighbourhood, "THREADED_FROM", threaded_from)
                results.append(survey(positions, headings, RADIUS, -0.7, box, 5))
            serial, threaded = results
            assert serial.perceived == threaded.perceived
            np.testing.assert_array_equal(serial.alignment_counts, threaded.alignment_counts)
            np.testing.assert_array_equal(serial.group_sizes, threaded.group_sizes)
            if serial.all_alignment_counts is not None:
                np.testing.assert_array_equal(
                    serial.all_alignment_counts, threaded.all_alignment_counts
                )
            else:
                assert threaded.all_alignment_counts is None


def test_all_pairs_histogram_kernels_agree():
    """The sweep of a compact school, the serial and the threaded all-pairs loops: one count."""
    rng = np.random.default_rng(13)
    for n in (2, 3, 7, 301):
        positions = configuration("compact", rng, n, "unbounded")
        headings = unit_vectors(rng, n)
        expected_all = oracle_all_pairs(headings)
        soa = np.ascontiguousarray(headings.T)
        edges = entropies.VELOCITY_EDGES
        swept = survey(positions, headings, RADIUS, -0.7, None, min(5, n - 1))
        for counts in (
            alignment.all_pairs_counts(soa, edges),
            alignment.all_pairs_counts_threaded(soa, edges),
            swept.all_alignment_counts,
        ):
            np.testing.assert_array_equal(counts, expected_all)


def test_values_on_bin_edges_are_binned_as_numpy_bins_them():
    """Headings at right angles (value exactly 0.5, an edge), equal (exactly 1, the last edge)
    and opposite (exactly 0): counted as numpy.histogram counts them."""
    headings = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [1.0, 0, 0], [-1.0, 0, 0]])
    positions = np.array([[0.0, 0, 0], [1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [1.0, 1.0, 0]])
    result = survey(positions, headings, RADIUS, -0.7, None, 4)
    values = 0.5 * (1 + np.einsum("ij,ij->i", *[headings[i] for i in np.triu_indices(5, 1)]))
    expected = np.histogram(values, bins=20, range=(0.0, 1.0))[0]
    np.testing.assert_array_equal(result.alignment_counts, expected)
    np.testing.assert_array_equal(all_pairs_counts(result, headings), expected)
    assert expected[10] > 0 and expected[19] > 0 and expected[0] > 0
    # all pairs in a second, unswept way
    soa = np.ascontiguousarray(headings.T)
    np.testing.assert_array_equal(
        alignment.all_pairs_counts(soa, entropies.VELOCITY_EDGES), expected
    )


def test_reference_histogram_leaves_out_values_above_one():
    """Two equal headings whose dot product rounds to 1 + 2^-52: the paper's histogram (numpy's
    range) leaves the pair out, the corrected one clips it into the last bin."""
    heading = np.array([0.6, 0.0, 0.8])
    heading /= np.linalg.norm(heading)
    rng = np.random.default_rng(14)
    for _ in range(1000):
        candidate = unit_vectors(rng, 1)[0]
        if 0.5 * (1 + ((candidate[0] ** 2 + candidate[2] ** 2) + candidate[1] ** 2)) > 1.0:
            heading = candidate
            break
    else:
        pytest.fail("no heading whose square rounds above 1")
    headings = np.tile(heading, (2, 1))
    positions = np.array([[0.0, 0, 0], [1.0, 0, 0]])
    result = survey(positions, headings, RADIUS, -0.7, None, 1)
    assert result.alignment_counts[-1] == 1
    assert all_pairs_counts(result, headings).sum() == 0
    soa = np.ascontiguousarray(headings.T)
    assert alignment.all_pairs_counts(soa, entropies.VELOCITY_EDGES).sum() == 0


@pytest.mark.parametrize("boundary", ["unbounded", "periodic", "reflecting"])
def test_records_equal_the_previous_observation(boundary):
    params = CouzinParams(
        n_agents=400,
        boundary=boundary,
        box_size=30.0,
        initial_region="sphere",
        initial_radius=14.0,
        orientation_width=2.0,
        attraction_width=3.0,
    )
    model = CouzinModel(params, np.random.SeedSequence(21))
    record = observe_school(params, model.positions, model.headings)
    expected = previous_observation(params, model.positions, model.headings)
    oracle_all_pairs(model.headings)  # unambiguous
    assert record.keys() == expected.keys()
    for key, value in expected.items():
        np.testing.assert_array_equal(record[key], value, err_msg=key)
    assert 1 < record["perceived_neighbours"] and record["groups"] >= 1


def test_memory_estimate_of_a_record_grows_linearly_with_the_school():
    """A compact school of 10^5 agents: the estimate is O(N) (pairs: 200 GB, before)."""
    params = CouzinParams(n_agents=100_000, duration=0.1, record_interval=0.1, snapshot_stride=0)
    assert CouzinModel.memory_estimate(params) < 5_000 * params.n_agents
