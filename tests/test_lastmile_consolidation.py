"""System-wide entropy: the conservation identity, violations, α, β, days, the ~40% reduction."""

import numpy as np
import pytest

from sims.core.scenario import load_scenario
from sims.lastmile.consolidation import ConsolidationSpec, consolidate, customers_of
from sims.lastmile.model import LastMileModel
from sims.lastmile.synthetic import SyntheticCities, generate_cities

IDEAL = {"locker_placement": "zone_aligned", "adoption": 1.0}


def random_city(seed):
    """A small random city: random size, zone granularity and zone popularity."""
    rng = np.random.default_rng(seed)
    spec = SyntheticCities(
        stations=(str(rng.choice(["DSE4", "DLA9", "DAU1", "DCH4", "DBO3"])),),
        routes_per_city=int(rng.integers(2, 7)),
        stops_per_route=float(rng.uniform(20, 120)),
        stops_per_zone=float(rng.uniform(2, 15)),
        zone_concentration=float(rng.uniform(0.3, 5)),
        missing_zone_fraction=0.02,
    )
    return customers_of(generate_cities(spec, rng))


def run(customers, seed=0, **settings):
    return consolidate(customers, ConsolidationSpec(**settings), np.random.default_rng(seed))


@pytest.fixture(scope="module")
def city():
    spec = SyntheticCities(stations=("DBO3",), routes_per_city=12)
    return customers_of(generate_cities(spec, np.random.default_rng(4)))


@pytest.mark.parametrize("seed", range(8))
def test_conservation_identity_on_random_cities(seed):
    customers = random_city(seed)
    rng = np.random.default_rng(100 + seed)
    days = int(rng.integers(1, 6))
    settings = dict(
        IDEAL,
        locker_density=float(rng.uniform(0.3, 20)),
        days=days,
        delivery_days=int(rng.integers(1, days + 1)),
        order_probability=float(rng.uniform(0.2, 1)),
        scope=str(rng.choice(["route", "city"])),
    )
    assert ConsolidationSpec(**settings).ideal
    result = run(customers, seed, **settings)
    assert result.s_customer > 0 and result.s_carrier < result.s_baseline
    assert abs(result.s_system - result.s_baseline) <= 1e-9 * max(1.0, result.s_baseline)
    assert result.n_collection_movements == result.n_events == result.n_adopting_events


@pytest.mark.parametrize(
    "violation",
    [
        {"adoption": 0.6},  # partial adoption: the carrier still visits the zones
        {"locker_placement": "grid"},  # catchments cut across zones
        {"locker_placement": "random"},
        {"collection_slots": 3},  # collections with extra freedom in timing
        {"catchment_radius_km": 0.2},  # customers out of reach stay at home
    ],
)
@pytest.mark.parametrize("seed", range(3))
def test_each_violation_raises_system_entropy(seed, violation):
    customers = random_city(seed)
    settings = {**IDEAL, "locker_density": 2.0, **violation}
    result = run(customers, seed, **settings)
    assert result.s_system > result.s_baseline + 1.0


def test_adoption_moves_entropy_from_carrier_to_customers(city):
    adoption = np.linspace(0, 1, 11)
    results = [run(city, adoption=a, locker_density=1.0) for a in adoption]
    carrier = np.array([r.s_carrier for r in results])
    customer = np.array([r.s_customer for r in results])
    assert customer[0] == 0 and np.all(np.diff(customer) > 0)  # exact: adopters only add
    # a few lockers are new cells: the carrier entropy first rises, then falls steadily
    assert carrier[1] > carrier[0]
    assert np.all(np.diff(carrier[adoption >= 0.4]) < 0)
    assert carrier[-1] < 0.4 * carrier[0]
    system = np.array([r.s_system for r in results])
    assert np.all(system[1:] > results[0].s_baseline)  # partial adoption and grid catchments


def test_chaining_lowers_and_can_reverse(city):
    beta = np.linspace(0, 1, 6)
    results = [run(city, adoption=0.8, locker_density=1.0, trip_chaining=b) for b in beta]
    customer = np.array([r.s_customer for r in results])
    movements = np.array([r.n_collection_movements for r in results])
    assert np.all(np.diff(customer) < 0) and customer[-1] == 0
    assert np.all(np.diff(movements) < 0) and movements[-1] == 0
    assert len({r.s_carrier for r in results}) == 1  # chaining is on the customer side only
    baseline = results[0].s_baseline
    assert results[0].s_system > baseline > results[-1].s_system  # diminished, then reversed


@pytest.mark.parametrize("adoption", [0.0, 0.5, 1.0])
def test_temporal_consolidation_lowers_entropy_without_new_movements(city, adoption):
    """8 days merged into 4, 2, 1 (nested): S_0 and, with β = 0, S_sys fall at every merge."""
    results = [
        run(city, adoption=adoption, days=8, delivery_days=d, order_probability=0.3)
        for d in (8, 4, 2, 1)
    ]
    baseline = [r.s_baseline for r in results]
    system = [r.s_system for r in results]
    events = [r.n_events for r in results]
    movements = [r.n_collection_movements for r in results]
    assert np.all(np.diff(baseline) < 0) and np.all(np.diff(system) < 0)
    assert np.all(np.diff(events) < 0) and len({r.n_orders for r in results}) == 1
    assert np.all(np.diff(movements) <= 0)
    assert results[0].s_baseline == results[0].s_baseline_daily
    if adoption == 0.0:
        assert movements == [0, 0, 0, 0] and system == baseline


def test_visit_counting_reduces_the_carrier_further(city):
    parcels = run(city, adoption=0.8, locker_density=1.0)
    visits = run(city, adoption=0.8, locker_density=1.0, locker_events="visit")
    assert visits.s_carrier < parcels.s_carrier and visits.s_customer == parcels.s_customer
    ideal_visits = run(city, **IDEAL, locker_density=1.0, locker_events="visit")
    assert ideal_visits.s_system < ideal_visits.s_baseline  # no conservation for visit counting


def test_aggressive_adoption_cuts_carrier_entropy_by_about_forty_percent():
    """lockers_aggressive (α = 0.8, 1 locker/km² on a grid, no chaining), 40 routes per city.

    The paper reports "up to 40%" under aggressive adoption; its parameters are unknown. Here the
    cities lose 37% on average (16% in sparse Austin, where one locker per km² serves few stops,
    to 47% in dense Chicago), while S_sys rises.
    """
    params = load_scenario("lastmile/lockers_aggressive").params
    params = params.model_copy(
        update={"synthetic": params.synthetic.model_copy(update={"routes_per_city": 40})}
    )
    model = LastMileModel(params, np.random.SeedSequence(20260226))
    dataset = model.to_dataset([model.observe()])
    reduction = dataset.carrier_reduction.values
    assert 0.30 < reduction.mean() < 0.45, reduction
    assert np.all((reduction > 0.10) & (reduction < 0.50)), reduction
    assert np.all(dataset.s_system.values > dataset.s_baseline.values)


def test_bad_consolidation_parameters():
    with pytest.raises(ValueError, match="delivery_days"):
        ConsolidationSpec(days=2, delivery_days=3)
    with pytest.raises(ValueError, match="adoption"):
        ConsolidationSpec(adoption=1.5)
