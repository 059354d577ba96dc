"""Amazon-schema loader, writer, synthetic generator and route distance."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from sims.lastmile.distance import haversine_km, route_lengths
from sims.lastmile.loader import RouteDataError, iter_routes, load_routes
from sims.lastmile.synthetic import SyntheticCities, generate_cities, travel_time_s
from sims.lastmile.table import tables_equal
from sims.lastmile.writer import write_routes

FIXTURE = Path(__file__).parent / "data" / "lastmile"
# how tests/data/lastmile was made (see test_fixture_is_the_seeded_generator_output)
FIXTURE_SEED = 20260226
FIXTURE_SPEC = SyntheticCities(
    stations=("DBO3", "DLA9"),
    routes_per_city=2,
    stops_per_route=12,
    stops_spread=3,
    stops_per_zone=3,
    time_window_fraction=0.3,
    attempted_fraction=0.15,
    missing_zone_fraction=0.08,
    travel_times=True,
)


@pytest.fixture(scope="module")
def fixture_table():
    return load_routes(FIXTURE, keep_travel_time_matrices=True)


def test_fixture_has_what_the_real_data_has(fixture_table):
    table = fixture_table
    raw = (FIXTURE / "route_data.json").read_text()
    assert '"zone_id": NaN' in raw  # bare NaN tokens, as in the real files
    assert table.n_routes == 4 and table.n_stops == 52 and len(table.package_id) == 71
    assert sorted(set(table.station_code)) == ["DBO3", "DLA9"]
    assert np.sum((table.zone == -1) & ~table.is_station) == 7
    assert np.all(table.zone[table.is_station] == -1)
    timed = ~np.isnan(table.window_start)
    assert 0 < timed.sum() < len(timed)
    assert set(table.scan_status) == {"DELIVERED", "DELIVERY_ATTEMPTED"}
    for matrix in table.travel_time_matrices.values():
        assert np.all(np.diag(matrix) == 0) and not np.allclose(matrix, matrix.T)


def test_loader_round_trip(fixture_table, tmp_path):
    write_routes(fixture_table, tmp_path)
    again = load_routes(tmp_path, keep_travel_time_matrices=True)
    assert tables_equal(fixture_table, again) == []


# Fields the generator computes through numpy's sine, cosine, arcsine and tanh loops, which are
# SIMD-dispatched per CPU (AVX-512 or not) and round differently by an ulp or so: leg times
# regenerated without AVX-512 differ from the stored ones by up to 2e-16 relative.
TRANSCENDENTAL_FIELDS = {"lat", "lng", "leg_time_s", "travel_time_matrices"}
ROUNDING_TOLERANCE = 1e-12  # relative; any change to the generator moves values far more


def test_fixture_is_the_seeded_generator_output(fixture_table):
    generated = generate_cities(FIXTURE_SPEC, np.random.default_rng(FIXTURE_SEED))
    differing = tables_equal(generated, fixture_table)
    assert set(differing) <= TRANSCENDENTAL_FIELDS, differing  # everything else bitwise
    for name in TRANSCENDENTAL_FIELDS - {"travel_time_matrices"}:
        np.testing.assert_allclose(
            getattr(generated, name), getattr(fixture_table, name), rtol=ROUNDING_TOLERANCE
        )
    made, stored = generated.travel_time_matrices, fixture_table.travel_time_matrices
    assert made.keys() == stored.keys()
    for route in made:
        np.testing.assert_allclose(made[route], stored[route], rtol=ROUNDING_TOLERANCE)


def test_generator_is_reproducible_and_seed_dependent():
    spec = SyntheticCities(routes_per_city=3, stations=("DAU1",))
    first, again = (generate_cities(spec, np.random.default_rng(5)) for _ in range(2))
    other = generate_cities(spec, np.random.default_rng(6))
    assert tables_equal(first, again) == []
    assert "lat" in tables_equal(first, other)


def test_streaming_reads_the_same_with_tiny_buffers(tmp_path):
    path = FIXTURE / "travel_times.json"
    whole = json.loads(path.read_text())
    streamed = dict(iter_routes(path, chunk_chars=7))
    assert streamed.keys() == whole.keys()
    for route in whole:
        assert streamed[route] == whole[route]
    empty = tmp_path / "empty.json"
    empty.write_text(" { } ")
    assert list(iter_routes(empty)) == []


def test_selection_by_station_and_count(fixture_table):
    boston = load_routes(FIXTURE, stations=("DBO",))
    assert set(boston.station_code) == {"DBO3"} and boston.n_routes == 2
    subset = fixture_table.select([0, 1])
    # zone codes index each table's own vocabulary; the zone id strings agree
    assert set(tables_equal(boston, subset)) <= {"zone", "zone_names", "travel_time_matrices"}
    np.testing.assert_array_equal(boston.zone_ids(), subset.zone_ids())
    assert load_routes(FIXTURE, max_routes=1).n_routes == 1


def _copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(FIXTURE, target)
    return target


def _edit(path, change):
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


FIRST = "RouteID_a92963aa-491e-4ebc-9dc8-873859cec51e"


def _first_stop(document, kind="Dropoff"):
    stops = document[FIRST]["stops"]
    return next(stop for stop, entry in stops.items() if entry["type"] == kind)


@pytest.mark.parametrize(
    "file,change,field",
    [
        (
            "route_data",
            lambda d: d[FIRST]["stops"][_first_stop(d)].update(lat="north"),
            "lat",
        ),
        (
            "route_data",
            lambda d: d[FIRST]["stops"][_first_stop(d)].update(type="Depot"),
            "type",
        ),
        (
            "route_data",
            lambda d: d[FIRST]["stops"][_first_stop(d, "Station")].update(type="Dropoff"),
            "stops",
        ),
        ("route_data", lambda d: d[FIRST].pop("station_code"), "station_code"),
        ("actual_sequences", lambda d: d[FIRST]["actual"].update(AAA=99), "actual"),
        (
            "actual_sequences",
            lambda d: d[FIRST]["actual"].update({k: 0 for k in list(d[FIRST]["actual"])[:2]}),
            "actual",
        ),
        ("package_data", lambda d: d.pop(FIRST), "route"),
        (
            "package_data",
            lambda d: next(iter(d[FIRST].values())).update(
                {"PackageID_x": {"time_window": {"start_time_utc": "noon", "end_time_utc": "x"}}}
            ),
            "start_time_utc",
        ),
        ("travel_times", lambda d: d[FIRST].pop(next(iter(d[FIRST]))), FIRST),
    ],
)
def test_malformed_files_name_file_route_and_field(tmp_path, file, change, field):
    data = _copy(tmp_path)
    _edit(data / f"{file}.json", change)
    with pytest.raises(RouteDataError) as error:
        load_routes(data)
    message = str(error.value)
    assert message.startswith(str(data / f"{file}.json"))
    assert error.value.route == FIRST and field in message
    assert "\n" not in message


def test_truncated_and_missing_files(tmp_path):
    data = _copy(tmp_path)
    text = (data / "package_data.json").read_text()
    (data / "package_data.json").write_text(text[: len(text) // 2])
    with pytest.raises(RouteDataError, match="package_data.json: route .*invalid JSON"):
        load_routes(data)
    (data / "package_data.json").write_text(text + " {}")
    with pytest.raises(RouteDataError, match="extra data"):
        load_routes(data)
    (data / "package_data.json").unlink()
    with pytest.raises(RouteDataError, match="package_data.json: file: not found"):
        load_routes(data)
    (data / "route_data.json").write_text("[1, 2]")
    with pytest.raises(RouteDataError, match="expected '{'"):
        load_routes(files={"route_data": data / "route_data.json"})


def test_real_layout_and_missing_travel_times(tmp_path):
    inputs = tmp_path / "model_build_inputs"
    shutil.copytree(FIXTURE, inputs)
    (inputs / "travel_times.json").unlink()
    table = load_routes(tmp_path)
    assert table.n_routes == 4 and np.all(np.isnan(table.leg_time_s))
    assert np.all(np.isnan(route_lengths(table, "travel_time")))


def test_haversine_and_closed_tour_length(fixture_table):
    assert haversine_km(0.0, 0.0, 1.0, 0.0) == pytest.approx(6371.0 * np.pi / 180, rel=1e-14)
    assert haversine_km(42.0, -71.0, 42.0, -71.0) == 0.0
    table = fixture_table
    lengths = route_lengths(table)
    travel = route_lengths(table, "travel_time")
    for r in range(table.n_routes):
        stops = np.arange(table.stop_offsets[r], table.stop_offsets[r + 1])
        tour = stops[np.argsort(table.sequence[stops])]
        closed = np.append(tour, tour[0])
        expected = sum(
            haversine_km(table.lat[a], table.lng[a], table.lat[b], table.lng[b])
            for a, b in zip(closed[:-1], closed[1:], strict=True)
        )
        assert lengths[r] == pytest.approx(expected, rel=1e-12)
        matrix = table.travel_time_matrices[table.route_id[r]]
        position = {stop: k for k, stop in enumerate(stops)}
        pairs = zip(closed[:-1], closed[1:], strict=True)
        legs = [matrix[position[a], position[b]] for a, b in pairs]
        assert travel[r] == pytest.approx(sum(legs), rel=1e-12)
    np.testing.assert_allclose(route_lengths(table, circuity=1.6), 1.6 * lengths, rtol=1e-14)
    with pytest.raises(ValueError, match="mode"):
        route_lengths(table, "manhattan")


def test_synthetic_travel_times_are_asymmetric_and_zero_on_the_diagonal():
    forward = travel_time_s(42.0, -71.0, 42.01, -71.0)
    backward = travel_time_s(42.01, -71.0, 42.0, -71.0)
    assert forward > backward > 0 and travel_time_s(42.0, -71.0, 42.0, -71.0) == 0.0


def test_stem_legs_can_be_left_out(fixture_table):
    table = fixture_table
    for mode in ("haversine", "travel_time"):
        closed = route_lengths(table, mode)
        inner = route_lengths(table, mode, include_stem=False)
        for r in range(table.n_routes):
            stops = np.arange(table.stop_offsets[r], table.stop_offsets[r + 1])
            tour = stops[np.argsort(table.sequence[stops])]
            if mode == "haversine":
                first = haversine_km(table.lat[tour[0]], table.lng[tour[0]],
                                     table.lat[tour[1]], table.lng[tour[1]])  # fmt: skip
                last = haversine_km(table.lat[tour[-1]], table.lng[tour[-1]],
                                    table.lat[tour[0]], table.lng[tour[0]])  # fmt: skip
            else:
                matrix = table.travel_time_matrices[table.route_id[r]]
                at = {stop: k for k, stop in enumerate(stops)}
                first = matrix[at[tour[0]], at[tour[1]]]
                last = matrix[at[tour[-1]], at[tour[0]]]
            assert closed[r] - inner[r] == pytest.approx(first + last, rel=1e-12)
