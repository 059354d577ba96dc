"""Structural entropy of routes: the (5, 3, 2) numbers, Shannon duality, cells, scaling fit."""

from pathlib import Path

import numpy as np
import pytest
from scipy.special import gammaln

from analysis import boltzmann
from sims.lastmile import structure
from sims.lastmile.distance import haversine_km
from sims.lastmile.loader import load_routes
from sims.lastmile.scaling import fit_by_group, fit_power_law
from sims.lastmile.synthetic import SyntheticCities, generate_cities

FIXTURE = Path(__file__).parent / "data" / "lastmile"


@pytest.fixture(scope="module")
def fixture_table():
    return load_routes(FIXTURE)


@pytest.fixture(scope="module")
def city():
    return generate_cities(SyntheticCities(routes_per_city=8), np.random.default_rng(11))


def test_the_five_three_two_numbers():
    counts = np.array([5.0, 3.0, 2.0])
    assert boltzmann.ln_multinomial(counts) == pytest.approx(7.832014, abs=1e-6)
    assert boltzmann.normalized_ln_multinomial(counts) == pytest.approx(0.93877, abs=1e-5)
    assert boltzmann.normalized_shannon_entropy(counts) == pytest.approx(0.93723, abs=1e-5)
    assert boltzmann.ln_multinomial_max(10, 3) == pytest.approx(np.log(4200), abs=1e-12)
    n_h = boltzmann.shannon_duality(counts).n_times_entropy
    assert n_h == pytest.approx(10.296530, abs=1e-6)
    assert n_h - boltzmann.stirling_ln_multinomial(counts) == pytest.approx(2.387183, abs=1e-6)
    assert boltzmann.stirling_ln_multinomial(counts) == pytest.approx(7.909347, abs=1e-6)


def test_route_entropy_of_one_hand_made_route():
    """One route, zones (5, 3, 2): the table path gives the same numbers."""
    from sims.lastmile.table import RouteTable

    zones = np.array([-1] + [0] * 5 + [1] * 3 + [2] * 2, dtype=np.int32)
    n = len(zones)
    table = RouteTable(
        route_id=np.array(["r"], dtype=object),
        station_code=np.array(["DBO1"], dtype=object),
        date=np.array(["2018-07-20"], dtype=object),
        departure_time=np.array(["15:00:00"], dtype=object),
        route_score=np.array(["High"], dtype=object),
        capacity_cm3=np.array([1.0]),
        stop_offsets=np.array([0, n]),
        stop_id=np.array([f"S{k}" for k in range(n)], dtype=object),
        lat=np.linspace(42.0, 42.1, n),
        lng=np.full(n, -71.0),
        is_station=np.arange(n) == 0,
        zone=zones,
        zone_names=np.array(["A-1.1A", "A-1.1B", "A-1.2A"], dtype=object),
        sequence=np.arange(n),
        leg_time_s=np.full(n, np.nan),
        package_offsets=np.zeros(n + 1, dtype=np.int64),
        package_id=np.array([], dtype=object),
        scan_status=np.array([], dtype=object),
        window_start=np.array([]),
        window_end=np.array([]),
        service_time_s=np.array([]),
        depth_cm=np.array([]),
        height_cm=np.array([]),
        width_cm=np.array([]),
    )
    result = structure.route_entropy(table)
    assert result.ln_w[0] == pytest.approx(7.832014, abs=1e-6)
    assert result.eta_boltzmann[0] == pytest.approx(0.93877, abs=1e-5)
    assert result.eta_shannon[0] == pytest.approx(0.93723, abs=1e-5)
    assert result.ln_w_lower[0] == pytest.approx(10.296530 - 2 * np.log(11), abs=1e-6)
    assert result.ln_w_max[0] == pytest.approx(np.log(4200), abs=1e-9)  # 10!/(4! 3! 3!)
    assert result.ln_w_stirling[0] == pytest.approx(7.909347, abs=1e-6)


def test_every_route_matches_a_direct_count(city):
    """Vectorised grouping == np.unique per route + lgamma, for each cell choice."""
    for cells, unit in [("zone", "stop"), ("zone_time_window", "package"), ("stop", "stop")]:
        result = structure.route_entropy(city, cells, unit)
        route, label = structure.event_cells(city, cells, unit)
        for r in range(city.n_routes):
            counts = np.unique(label[route == r], return_counts=True)[1]
            direct = gammaln(counts.sum() + 1) - gammaln(counts + 1).sum()
            assert result.ln_w[r] == pytest.approx(direct, rel=1e-13)
            assert result.n_cells_occupied[r] == len(counts)


def test_bounds_and_stirling_hold_on_every_route(city):
    result = structure.route_entropy(city)
    assert np.all(result.ln_w_lower <= result.ln_w)
    assert np.all(result.ln_w <= result.n_times_h)
    assert np.all(result.ln_w <= result.ln_w_max + 1e-9)
    # Stirling's second-order form is within ~1 nat for ~10 events per cell
    assert np.max(np.abs(result.ln_w_stirling - result.ln_w)) < 1.0
    assert np.all((result.eta_boltzmann > 0.8) & (result.eta_boltzmann <= 1.0))
    assert np.all((result.eta_shannon > 0.8) & (result.eta_shannon <= 1.0))


def test_stop_and_package_cells_give_factorials(fixture_table):
    stops = structure.route_entropy(fixture_table, "stop", "stop")
    packages = structure.route_entropy(fixture_table, "package", "package")
    np.testing.assert_allclose(stops.ln_w, gammaln(stops.n_events + 1), rtol=1e-14)
    np.testing.assert_allclose(packages.ln_w, gammaln(packages.n_events + 1), rtol=1e-14)
    np.testing.assert_array_equal(stops.eta_boltzmann, 1.0)
    n_packages = np.diff(fixture_table.package_offsets)
    per_route = np.bincount(fixture_table.stop_route, weights=n_packages)
    np.testing.assert_array_equal(packages.n_events, per_route)


def test_station_normalisation_uses_every_zone_of_the_station(city):
    occupied = structure.route_entropy(city)
    station = structure.route_entropy(city, normalisation_cells="station")
    np.testing.assert_array_equal(occupied.ln_w, station.ln_w)  # M enters the normalisations only
    assert np.all(station.n_cells_normalisation >= occupied.n_cells_occupied)
    assert np.all(station.eta_boltzmann < occupied.eta_boltzmann)
    with pytest.raises(ValueError, match="zone-based"):
        structure.route_entropy(city, "stop", normalisation_cells="station")


def test_missing_zone_rules(fixture_table):
    table = fixture_table
    lost = np.flatnonzero((table.zone == -1) & ~table.is_station)
    assert len(lost) >= 2
    nearest = structure.impute_zones(table, "nearest")
    for stop in lost:
        route = table.stop_route[stop]
        donors = np.flatnonzero((table.stop_route == route) & (table.zone >= 0) & ~table.is_station)
        distance = (table.lat[donors] - table.lat[stop]) ** 2 + (
            (table.lng[donors] - table.lng[stop]) * np.cos(np.radians(table.lat[stop]))
        ) ** 2
        assert nearest[stop] == table.zone[donors[np.argmin(distance)]]
    own = structure.impute_zones(table, "own_cell")
    assert np.all(own[lost] == len(table.zone_names))
    dropped = structure.route_entropy(table, missing_zone="drop")
    kept = structure.route_entropy(table, missing_zone="nearest")
    assert dropped.n_events.sum() == kept.n_events.sum() - len(lost)
    assert np.all(structure.impute_zones(table, "nearest")[table.is_station] == -1)


def test_power_law_fit_recovers_exponent_and_interval():
    rng = np.random.default_rng(3)
    entropy = rng.uniform(100, 1000, 400)
    distance = 0.3 * entropy**0.7 * np.exp(rng.normal(0, 0.05, 400))
    fit = fit_power_law(entropy, distance)
    assert fit.exponent_low < 0.7 < fit.exponent_high
    assert fit.exponent == pytest.approx(0.7, abs=0.02)
    assert fit.prefactor == pytest.approx(0.3, rel=0.1)
    assert fit.r_squared > 0.95 and fit.n_points == 400
    exact = fit_power_law(entropy, 2.0 * entropy**0.5)
    assert exact.exponent == pytest.approx(0.5, abs=1e-12) and exact.r_squared == pytest.approx(1)
    groups = fit_by_group(entropy, distance, np.repeat(["a", "b"], 200))
    assert list(groups) == ["a", "b", "pooled"] and groups["pooled"] == fit
    assert np.isnan(fit_power_law([1.0, 2.0], [1.0, 2.0]).exponent)


def test_nearest_zone_imputation_matches_a_per_stop_search():
    spec = SyntheticCities(routes_per_city=6, stops_per_route=40, missing_zone_fraction=0.3)
    table = generate_cities(spec, np.random.default_rng(8))
    imputed = structure.impute_zones(table, "nearest")
    lost = np.flatnonzero((table.zone == -1) & ~table.is_station)
    assert len(lost) > 200
    for stop in lost:
        route = table.stop_route[stop]
        donors = np.flatnonzero((table.stop_route == route) & (table.zone >= 0) & ~table.is_station)
        distance = haversine_km(
            table.lat[stop], table.lng[stop], table.lat[donors], table.lng[donors]
        )
        assert imputed[stop] == table.zone[donors[np.argmin(distance)]]
    assert np.all(imputed[~table.is_station] >= 0)


def test_selecting_routes_keeps_their_entropy_and_packages(city):
    full = structure.route_entropy(city, "zone_time_window", "package")
    chosen = np.array([5, 0, 17])
    part = city.select(chosen)
    np.testing.assert_array_equal(part.route_id, city.route_id[chosen])
    selected = structure.route_entropy(part, "zone_time_window", "package")
    np.testing.assert_allclose(selected.ln_w, full.ln_w[chosen], rtol=1e-13)
    np.testing.assert_array_equal(selected.n_events, full.n_events[chosen])
