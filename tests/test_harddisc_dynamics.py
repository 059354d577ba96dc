"""Hard-disc dynamics: exact conservation, no overlaps, equilibrium statistics, the contract."""

import billiards
import numpy as np
import pytest
from billiards.obstacles import InfiniteWall

from sims.harddisc import diagnostics, kernels
from sims.harddisc.model import HardDiscModel, HardDiscParams

DRIFT_TEST_COLLISIONS = 1_000_000


def make(seed=1, **changes):
    defaults = {"delta_v": (1.0,), "spatial_cells": 1, "time_quantum": 0.01}
    params = HardDiscParams(**{**defaults, **changes})
    return HardDiscModel(params, np.random.SeedSequence(seed))


def smallest_gap(model):
    return kernels.minimum_gap(
        model.positions(), model.box, model.periodic, model.params.diameter, *model.cells
    )


def test_a_million_collisions_conserve_energy_and_never_overlap():
    """N = 400 at φ = 0.3 between reflecting walls: 10⁶ collisions in about 30 time units.

    What is asserted holds on every trajectory (exact event-driven dynamics); 92,044 of the
    collisions hit a wall."""
    model = make(n_discs=400, area_fraction=0.3, partition=False, time_quantum=0.1)
    energy = np.sum(model.velocity**2)
    gaps = []
    while model.counters[kernels.COLLISIONS] < DRIFT_TEST_COLLISIONS:
        model.advance(10)
        gaps.append(smallest_gap(model))
        assert np.all(np.abs(model.positions() - 0.5 * model.box) <= 0.5 * model.box - 0.5)
    assert min(gaps) > -1e-9
    assert abs(np.sum(model.velocity**2) / energy - 1.0) <= 1e-12
    assert model.counters[kernels.WALL_COLLISIONS] > 1000


def test_periodic_box_conserves_momentum_and_energy():
    model = make(n_discs=300, area_fraction=0.25, partition=False, boundary="periodic")
    scale = np.sum(np.abs(model.velocity))
    momentum, energy = model.velocity.sum(axis=0), np.sum(model.velocity**2)
    model.advance(30_000)
    assert model.counters[kernels.COLLISIONS] > 50_000
    assert np.max(np.abs(model.velocity.sum(axis=0) - momentum)) <= 1e-12 * scale
    assert abs(np.sum(model.velocity**2) / energy - 1.0) <= 1e-12
    assert smallest_gap(model) > -1e-9


def test_collision_rate_and_pressure_match_enskog_and_henderson():
    """φ = 0.3, N = 500, periodic: ν = 2nσ√(πT/m)χ(φ) and Z = (1 + φ²/8)/(1 − φ)², within 1%.

    Both are exact given the contact value χ (Z = 1 + 2φχ), and Henderson's χ is accurate to a
    few 0.1% here. One run is one chaotic trajectory (which one depends on the CPU's rounding),
    so the window is set by the spread over seeds: over 800 time units (4.8·10⁵ collisions) the
    rate is −0.09% ± 0.15% and Z 0.00% ± 0.10% (60 seeds, largest 0.56% and 0.33%), so 1% is 6
    standard deviations away (over 100 time units the rate spread 0.38% and one seed of 60
    reached 1.00%). A χ 2% off, such as (1 − φ/2)/(1 − φ)², fails."""
    phi = 0.3
    model = make(n_discs=500, area_fraction=phi, partition=False, boundary="periodic")
    model.advance(1000)  # forget the random-sequential-addition structure
    start_collisions, start_virial = model.counters[kernels.COLLISIONS], model.sums[kernels.VIRIAL]
    model.advance(80_000)
    elapsed = 800.0
    count, area = model.params.n_discs, np.prod(model.box)
    temperature = 0.5 * np.sum(model.velocity**2) / count
    rate = 2.0 * (model.counters[kernels.COLLISIONS] - start_collisions) / (count * elapsed)
    expected = diagnostics.enskog_collision_rate(count / area, 1.0, temperature, 1.0, phi)
    assert rate == pytest.approx(expected, rel=0.01)
    virial_rate = (model.sums[kernels.VIRIAL] - start_virial) / elapsed
    compressibility = 1.0 + 0.5 * virial_rate / (count * temperature)
    assert compressibility == pytest.approx(diagnostics.henderson_compressibility(phi), rel=0.01)


def test_fixed_speeds_relax_to_the_maxwell_distribution():
    """KS test of the speeds against Maxwell: p < 1e-100 at the start, < 1e-6 after about two
    collisions per disc (t = 4; p ≤ 1e-13 over 40 seeds), > 1e-3 after about ten (t = 20).

    Relaxed speeds are not an independent sample: their energy is exactly N k_BT. Sampling that
    microcanonical null (10⁵ rescaled Gaussian sets of 1000 discs) gives p < 0.01 in 3.6·10⁻⁴
    of the sets and p < 1e-3 in none, so the relaxed threshold is 1e-3: a run is one chaotic
    trajectory, another CPU draws another. Over 400 seeds the smallest p at t = 20 is 0.033;
    speeds only as relaxed as ours at t = 6 (three collisions per disc) would fail (p ≤ 1.5e-5
    over 40 seeds)."""
    model = make(
        n_discs=1000, area_fraction=0.1, partition=False, boundary="periodic",
        velocities="fixed_speed",
    )  # fmt: skip
    speeds = np.hypot(*model.velocity.T)
    np.testing.assert_allclose(speeds, np.sqrt(2.0), rtol=1e-15)
    np.testing.assert_allclose(model.velocity.sum(axis=0), 0.0, atol=1e-12)
    assert diagnostics.maxwell_ks_test(model.velocity, 1.0, 1.0).pvalue < 1e-100
    model.advance(400)  # t = 4
    assert diagnostics.maxwell_ks_test(model.velocity, 1.0, 1.0).pvalue < 1e-6
    model.advance(1600)  # t = 20: about 10 collisions per disc
    assert model.counters[kernels.COLLISIONS] > 5000  # 5316 ± 69 over 300 seeds
    assert diagnostics.maxwell_ks_test(model.velocity, 1.0, 1.0).pvalue > 1e-3


def test_initial_state_is_confined_maxwellian_and_reproducible():
    model = make(seed=4, n_discs=500, area_fraction=0.2)
    width, height = model.box
    assert np.all(model.position[:, 0] >= 0.5) and np.all(model.position[:, 0] <= width / 2 - 0.5)
    assert np.all(model.position[:, 1] >= 0.5) and np.all(model.position[:, 1] <= height - 0.5)
    assert smallest_gap(model) >= 0.0
    np.testing.assert_allclose(model.velocity.sum(axis=0), 0.0, atol=1e-12)
    assert 0.5 * np.sum(model.velocity**2) == pytest.approx(500.0, rel=1e-14)
    again, other = (
        make(seed=4, n_discs=500, area_fraction=0.2),
        make(seed=5, n_discs=500, area_fraction=0.2),
    )
    np.testing.assert_array_equal(model.position, again.position)
    np.testing.assert_array_equal(model.velocity, again.velocity)
    assert not np.array_equal(model.position, other.position)


@pytest.mark.parametrize("boundary", ["reflecting", "periodic"])
def test_chunking_and_checkpoints_never_change_the_result(boundary):
    changes = dict(n_discs=300, area_fraction=0.2, boundary=boundary, time_quantum=0.01)
    whole, pieces = make(seed=3, **changes), make(seed=3, **changes)
    for model in (whole, pieces):  # a sort of the rows at collision 500, inside a chunk
        model.counters[kernels.NEXT_SORT] = 500
    whole.advance(1500)
    for chunk in (1, 7, 300, 500):
        pieces.advance(chunk)
    restored = make(seed=99, **changes)
    restored.set_state(pieces.get_state())
    restored.step_count = pieces.step_count
    pieces.advance(692)
    restored.advance(692)
    for key, value in whole.get_state().items():
        np.testing.assert_array_equal(value, pieces.get_state()[key])
        np.testing.assert_array_equal(value, restored.get_state()[key])
    assert whole.counters[kernels.COLLISIONS] > 1000


@pytest.mark.parametrize("boundary", ["reflecting", "periodic"])
def test_sorting_the_rows_never_changes_the_dynamics(boundary):
    """Rows re-sorted by cell every SORT_INTERVAL collisions per disc (at least twice here)
    against a model that never sorts: the same discs, bitwise, in disc order."""
    changes = dict(n_discs=300, area_fraction=0.2, boundary=boundary, time_quantum=0.01)
    sorted_rows, unsorted = make(seed=3, **changes), make(seed=3, **changes)
    unsorted.counters[kernels.NEXT_SORT] = 10**15
    for model in (sorted_rows, unsorted):
        model.advance(8000)
    assert sorted_rows.counters[kernels.COLLISIONS] > 2 * kernels.SORT_INTERVAL * 300
    assert not np.array_equal(sorted_rows.label, unsorted.label)
    np.testing.assert_array_equal(sorted_rows.positions(), unsorted.positions())
    np.testing.assert_array_equal(sorted_rows.velocity, unsorted.velocity)
    events = slice(kernels.NEXT_SORT)  # every counter but the next sort
    np.testing.assert_array_equal(sorted_rows.counters[events], unsorted.counters[events])


def test_random_sequential_addition_reports_an_unreachable_area_fraction():
    with pytest.raises(ValueError, match="area_fraction: random sequential addition placed only"):
        make(n_discs=400, area_fraction=0.4, rsa_attempts=1)


def predicted_collision_time(rx, ry, vx, vy):
    """When the event loop's prediction (:func:`kernels.predict`, through ``schedule_all``) has
    disc 0, at r from disc 1 at rest and moving at v, hit disc 1 (σ = 1): its memo, inf if never.
    A 20 x 20 walled box of one cell."""
    kinematics = np.zeros((2, kernels.N_KINEMATICS))
    kinematics[:, kernels.X : kernels.Y + 1] = [[10.0 + rx, 10.0 + ry], [10.0, 10.0]]
    kinematics[0, kernels.VX : kernels.VY + 1] = vx, vy
    bookkeeping = np.zeros((2, kernels.N_BOOKKEEPING), np.int64)
    bookkeeping[:, kernels.MEMO_PARTNER] = kernels.NO_EVENT
    head, following, previous = np.empty(1, np.int32), np.empty(2, np.int32), np.empty(2, np.int32)
    kernels.build_cell_lists(
        kinematics[:, kernels.X : kernels.Y + 1], bookkeeping[:, kernels.COLUMN],
        bookkeeping[:, kernels.ROW], head, following, previous, np.array([20.0, 20.0]), 1, 1,
    )  # fmt: skip
    geometry = np.array([20.0, 20.0, 1.0, 1.0, 1.0, 0.0])
    heap, heap_slot = np.zeros((kernels.heap_rows(2), 2)), np.zeros(2, np.int32)
    kernels.schedule_all(0.0, kinematics, bookkeeping, head, following, geometry, heap, heap_slot)
    return kinematics[0, kernels.MEMO_TIME]


def test_collision_prediction_is_exact_for_head_on_and_grazing_pairs():
    assert predicted_collision_time(-3.0, 0.0, 1.0, 0.0) == pytest.approx(2.0, rel=1e-15)
    assert predicted_collision_time(-3.0, 1.0, 1.0, 0.0) == np.inf  # passes at distance 1
    grazing = predicted_collision_time(-3.0, 0.6, 1.0, 0.0)
    assert grazing == pytest.approx(3.0 - 0.8, rel=1e-14)
    assert predicted_collision_time(3.0, 0.0, 1.0, 0.0) == np.inf  # receding


def test_trajectories_match_the_independent_billiards_engine():
    """billiards 0.5 (pure-Python EDMD, O(N) per event; test and bench extras), same start.

    N = 100 in the same walled box for t = 10 (about 2 collisions per disc): every disc's
    position and velocity agree to 1e-7 (rounding differences, amplified by the chaos, reach ~2e-9).
    """

    model = make(n_discs=100, area_fraction=0.05, partition=False, time_quantum=0.1)
    width, height = model.box
    corners = [(0.0, 0.0), (width, 0.0), (width, height), (0.0, height)]
    walls = [InfiniteWall(corners[k], corners[(k + 1) % 4], inside="left") for k in range(4)]
    table = billiards.Billiard(obstacles=walls)
    for position, velocity in zip(model.position, model.velocity, strict=True):
        table.add_ball(tuple(position), tuple(velocity), radius=0.5)
    events = table.evolve(10.0)
    model.advance(100)
    their_collisions = sum(1 for event in events if isinstance(event[2], (int, np.integer)))
    assert their_collisions == model.counters[kernels.COLLISIONS] > 100
    np.testing.assert_allclose(model.positions(), table.balls_position, rtol=0, atol=1e-7)
    np.testing.assert_allclose(model.velocity, table.balls_velocity, rtol=0, atol=1e-7)


def test_equilibration_behind_the_partition_keeps_discs_left_and_energy_fixed():
    """At φ = 0.3 the random sequential addition is not an equilibrium packing: 20 time units
    of dynamics in the left half (walls all round) relax it; the discs stay in the half."""
    start = make(seed=8, n_discs=300, area_fraction=0.3)
    relaxed = make(seed=8, n_discs=300, area_fraction=0.3, equilibration_time=20.0)
    np.testing.assert_allclose(relaxed.box, start.box, rtol=1e-15)
    assert relaxed.position[:, 0].max() <= relaxed.box[0] / 2 - 0.5 + 1e-9
    assert relaxed.position.min() >= 0.5 - 1e-9
    assert smallest_gap(relaxed) > -1e-9
    energy = 0.5 * np.sum(relaxed.velocity**2)
    assert energy == pytest.approx(0.5 * np.sum(start.velocity**2), rel=1e-13)
    assert np.max(np.abs(relaxed.position - start.position)) > 1.0
