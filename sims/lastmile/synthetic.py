"""Seeded synthetic cities in the exact Amazon challenge schema.

Each city (one station code, e.g. ``DBO3``) has a depot and ``routes_per_city`` route
territories: squares of side ``sqrt(n / density)`` km placed at random bearings and distances
from the depot. A territory is cut into a grid of zones (labels like ``C-12.3B``: sector letter,
territory number, row, column letter) with Dirichlet(``zone_concentration``) popularity, so the
zone occupancy of a route is uneven to a tunable degree. Stops are drawn uniformly inside their
zone. The driven sequence visits zones in a boustrophedon over the zone grid and sweeps each zone
along x, after which a fraction of stops is swapped to random positions (imperfect driving).
Each stop receives 1 + Poisson packages; a fraction carry time windows. A small share of Dropoff
stops lose their zone (NaN, as in the real data). Travel times, when asked for, are a
deterministic asymmetric function of the coordinates.

Everything is drawn from one ``numpy.random.Generator``: the same seed gives the same table.
"""

from __future__ import annotations

import numpy as np
from pydantic import model_validator

from sims.core.scenario import ParamError, StrictModel, param
from sims.lastmile.distance import KM_PER_DEGREE, driven_order, haversine_km
from sims.lastmile.table import NO_ZONE, RouteTable

EPOCH_DATE = np.datetime64("2018-07-15")
DATE_SPAN_DAYS = 45
DEPARTURE_HOURS_UTC = (14, 17)
WINDOW_HOURS = np.array([2.0, 4.0, 8.0])
WINDOW_EARLIEST_HOUR_AFTER_DEPARTURE = 6
CAPACITIES_CM3 = np.array([3_313_071.0, 4_247_527.0])
ROUTE_SCORES = np.array(["High", "Medium", "Low"], dtype=object)
ROUTE_SCORE_SHARES = (0.3, 0.55, 0.15)
SCAN_STATUSES = np.array(["DELIVERED", "DELIVERY_ATTEMPTED"], dtype=object)
SECTOR_LETTERS = "ABCDEFGH"
STOP_ID_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STOP_ID_STRIDE = 97  # coprime with 26² = 676: stride-generated ids are distinct within a route
MAX_STOPS = len(STOP_ID_LETTERS) ** 2
MIN_STOPS = 10
SPEED_M_PER_S = 8.0  # travel-time model: road speed
TRAVEL_CIRCUITY = 1.4  # travel-time model: road / straight-line ratio
STOP_OVERHEAD_S = 30.0  # travel-time model: per-leg parking overhead
ASYMMETRY = 0.25  # travel-time model: northbound legs cost up to this much more overhead

# station code -> (latitude, longitude, stops per km², territory distances from depot in km)
CITIES = {
    "DSE4": (47.61, -122.33, 150.0, (3.0, 18.0)),
    "DLA9": (34.05, -118.24, 220.0, (4.0, 25.0)),
    "DAU1": (30.27, -97.74, 60.0, (2.0, 20.0)),
    "DCH4": (41.88, -87.63, 300.0, (3.0, 15.0)),
    "DBO3": (42.36, -71.06, 400.0, (2.0, 12.0)),
}


class SyntheticCities(StrictModel):
    """Parameters of the synthetic city generator (see :mod:`sims.lastmile.synthetic`)."""

    stations: tuple[str, ...] = param(
        tuple(CITIES),
        units="1",
        description=f"Station codes, one city each (known: {', '.join(CITIES)})",
        min_length=1,
    )
    routes_per_city: int = param(20, units="1", description="Routes generated per city", ge=1)
    stops_per_route: float = param(
        150.0, units="1", description="Mean stops per route (Dropoffs)", ge=MIN_STOPS, le=500
    )
    stops_spread: float = param(
        25.0, units="1", description="Standard deviation of stops per route", ge=0
    )
    stops_per_zone: float = param(
        10.0, units="1", description="Mean Dropoff stops per zone (sets zones per route)", gt=0
    )
    zone_concentration: float = param(
        4.0,
        units="1",
        description="Dirichlet concentration of zone popularity (large = even occupancy)",
        gt=0,
    )
    packages_per_stop_extra: float = param(
        0.4,
        units="1",
        description="Mean of the Poisson extra packages per stop (1 + Poisson)",
        ge=0,
    )
    time_window_fraction: float = param(
        0.08, units="1", description="Share of packages with a delivery time window", ge=0, le=1
    )
    attempted_fraction: float = param(
        0.02, units="1", description="Share of packages scanned DELIVERY_ATTEMPTED", ge=0, le=1
    )
    missing_zone_fraction: float = param(
        0.005, units="1", description="Share of Dropoff stops whose zone_id is NaN", ge=0, le=1
    )
    resequenced_fraction: float = param(
        0.05,
        units="1",
        description="Share of stops swapped to a random position of the driven sequence",
        ge=0,
        le=1,
    )
    travel_times: bool = param(
        False, units="1", description="Also build full travel-time matrices (memory 8 n² B/route)"
    )

    @model_validator(mode="after")
    def _known_stations(self) -> SyntheticCities:
        for code in self.stations:
            if code not in CITIES:
                raise ParamError("stations", f"unknown station code (known: {list(CITIES)})", code)
        return self


def generate_cities(spec: SyntheticCities, rng: np.random.Generator) -> RouteTable:
    """Draw every city of ``spec`` into one :class:`RouteTable` (cities in ``spec`` order)."""
    n_routes = spec.routes_per_city * len(spec.stations)
    station_of_route = np.repeat(np.arange(len(spec.stations)), spec.routes_per_city)
    number_in_city = np.tile(np.arange(spec.routes_per_city), len(spec.stations))
    city = np.array([CITIES[code] for code in spec.stations], dtype=object)
    center_lat = np.array([c[0] for c in city])[station_of_route]
    center_lng = np.array([c[1] for c in city])[station_of_route]
    density = np.array([c[2] for c in city])[station_of_route]
    near = np.array([c[3][0] for c in city])[station_of_route]
    far = np.array([c[3][1] for c in city])[station_of_route]

    dropoffs = np.clip(
        np.rint(rng.normal(spec.stops_per_route, spec.stops_spread, n_routes)),
        MIN_STOPS,
        MAX_STOPS - 1,
    ).astype(np.int64)
    bearing = rng.uniform(0.0, 2 * np.pi, n_routes)
    radius = rng.uniform(near, far)
    side = np.sqrt(dropoffs / density)
    n_zones = np.maximum(1, np.rint(dropoffs / spec.stops_per_zone)).astype(np.int64)
    columns = np.ceil(np.sqrt(n_zones)).astype(np.int64)
    rows = np.ceil(n_zones / columns).astype(np.int64)

    # zone of every Dropoff: categorical over the route's zones with Dirichlet weights
    zone_offsets = np.concatenate([[0], np.cumsum(n_zones)])
    weights = rng.gamma(spec.zone_concentration, 1.0, zone_offsets[-1])
    cumulative = np.cumsum(weights)
    base = np.concatenate([[0.0], cumulative])[zone_offsets[:-1]]
    total = cumulative[zone_offsets[1:] - 1] - base
    drop_route = np.repeat(np.arange(n_routes), dropoffs)
    target = base[drop_route] + rng.uniform(0.0, 1.0, len(drop_route)) * total[drop_route]
    zone_global = np.minimum(
        np.searchsorted(cumulative, target, side="right"), zone_offsets[drop_route + 1] - 1
    )
    zone_local = zone_global - zone_offsets[drop_route]
    zone_row = zone_local // columns[drop_route]
    zone_column = zone_local % columns[drop_route]

    # positions (km east/north of the depot)
    cell_width = side / columns
    cell_height = side / rows
    corner_x = radius * np.cos(bearing) - 0.5 * side
    corner_y = radius * np.sin(bearing) - 0.5 * side
    x = (
        corner_x[drop_route]
        + (zone_column + rng.uniform(0, 1, len(drop_route))) * cell_width[drop_route]
    )
    y = (
        corner_y[drop_route]
        + (zone_row + rng.uniform(0, 1, len(drop_route))) * cell_height[drop_route]
    )

    # driven sequence: boustrophedon over zones, sweep along x inside a zone, then some swaps
    zone_rank = zone_row * columns[drop_route] + np.where(
        zone_row % 2 == 0, zone_column, columns[drop_route] - 1 - zone_column
    )
    sweep = np.where(zone_rank % 2 == 0, x, -x)
    order = np.lexsort((sweep, zone_rank, drop_route))
    drop_offsets = np.concatenate([[0], np.cumsum(dropoffs)])
    position = np.empty(len(drop_route), dtype=np.int64)
    position[order] = np.arange(len(drop_route)) - drop_offsets[drop_route] + 1
    _swap_positions(position, drop_route, drop_offsets, spec.resequenced_fraction, rng)

    # zones: labels, missing ones, codes
    sector = (np.floor(bearing / (2 * np.pi) * len(SECTOR_LETTERS)).astype(int)) % len(
        SECTOR_LETTERS
    )
    label_route = np.repeat(np.arange(n_routes), n_zones)
    label_local = np.arange(zone_offsets[-1]) - zone_offsets[label_route]
    labels = np.array(
        [
            f"{SECTOR_LETTERS[sector[r]]}-{number_in_city[r] + 1}.{k // columns[r] + 1}"
            f"{STOP_ID_LETTERS[k % columns[r]]}"
            for r, k in zip(label_route, label_local, strict=True)
        ],
        dtype=object,
    )
    drop_label = labels[zone_global]
    missing = rng.uniform(0, 1, len(drop_route)) < spec.missing_zone_fraction
    names, first_index, inverse = np.unique(
        drop_label[~missing], return_index=True, return_inverse=True
    )
    appearance = np.argsort(first_index)  # codes in order of first appearance, as loaded
    rank = np.empty(len(names), dtype=np.int32)
    rank[appearance] = np.arange(len(names), dtype=np.int32)
    zone_names = names[appearance]
    drop_zone = np.full(len(drop_route), NO_ZONE, dtype=np.int32)
    drop_zone[~missing] = rank[inverse]

    # stops: the station first, then the Dropoffs; stop ids distinct within a route
    stops = dropoffs + 1
    stop_offsets = np.concatenate([[0], np.cumsum(stops)])
    stop_route = np.repeat(np.arange(n_routes), stops)
    first = stop_offsets[:-1]
    is_station = np.zeros(stop_offsets[-1], dtype=bool)
    is_station[first] = True
    drop_slots = np.flatnonzero(~is_station)
    stop_x = np.zeros(len(stop_route))
    stop_y = np.zeros(len(stop_route))
    stop_x[drop_slots], stop_y[drop_slots] = x, y
    lat = center_lat[stop_route] + stop_y / KM_PER_DEGREE
    lng = (
        center_lng[stop_route]
        + stop_x / (KM_PER_DEGREE * np.cos(np.radians(center_lat)))[stop_route]
    )
    zone = np.full(len(stop_route), NO_ZONE, dtype=np.int32)
    zone[drop_slots] = drop_zone
    sequence = np.zeros(len(stop_route), dtype=np.int64)
    sequence[drop_slots] = position
    id_offset = rng.integers(0, MAX_STOPS, n_routes)
    id_code = (
        (np.arange(len(stop_route)) - first[stop_route]) * STOP_ID_STRIDE + id_offset[stop_route]
    ) % MAX_STOPS
    letters = np.array([a + b for a in STOP_ID_LETTERS for b in STOP_ID_LETTERS], dtype=object)
    stop_id = letters[id_code]

    matrices, legs = _travel_times(spec.travel_times, lat, lng, sequence, stop_offsets)
    routes = _route_attributes(spec, rng, n_routes, station_of_route)
    packages = _packages(spec, rng, is_station, routes["departure_s"][stop_route])
    return RouteTable(
        route_id=routes["route_id"],
        station_code=np.array(spec.stations, dtype=object)[station_of_route],
        date=routes["date"],
        departure_time=routes["departure_time"],
        route_score=routes["route_score"],
        capacity_cm3=routes["capacity"],
        stop_offsets=stop_offsets,
        stop_id=stop_id,
        lat=lat,
        lng=lng,
        is_station=is_station,
        zone=zone,
        zone_names=zone_names,
        sequence=sequence,
        leg_time_s=legs,
        travel_time_matrices=None
        if matrices is None
        else dict(zip(routes["route_id"], matrices, strict=True)),
        **packages,
    )


def _swap_positions(position, route, offsets, fraction, rng) -> None:
    """Swap a ``fraction`` of Dropoff positions with random partners of the same route."""
    chosen = np.flatnonzero(rng.uniform(0, 1, len(position)) < fraction)
    sizes = offsets[route[chosen] + 1] - offsets[route[chosen]]
    partners = offsets[route[chosen]] + np.floor(rng.uniform(0, 1, len(chosen)) * sizes).astype(
        np.int64
    )
    for a, b in zip(chosen, partners, strict=True):
        position[a], position[b] = position[b], position[a]


def _uuids(rng: np.random.Generator, count: int, prefix: str) -> np.ndarray:
    """``count`` random version-4-style UUID strings with a prefix."""
    raw = rng.integers(0, 256, size=(count, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    texts = []
    for row in raw:
        h = row.tobytes().hex()
        texts.append(f"{prefix}{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return np.array(texts, dtype=object)


def _route_attributes(spec, rng, n_routes, station_of_route) -> dict:
    day = rng.integers(0, DATE_SPAN_DAYS, n_routes)
    departure_s = rng.integers(
        DEPARTURE_HOURS_UTC[0] * 3600, DEPARTURE_HOURS_UTC[1] * 3600, n_routes
    )
    dates = EPOCH_DATE + day.astype("timedelta64[D]")
    hours, rest = np.divmod(departure_s, 3600)
    minutes, seconds = np.divmod(rest, 60)
    epoch_day = dates.astype("datetime64[s]").astype(np.int64)
    return {
        "route_id": _uuids(rng, n_routes, "RouteID_"),
        "date": np.array([str(d) for d in dates], dtype=object),
        "departure_time": np.array(
            [f"{h:02d}:{m:02d}:{s:02d}" for h, m, s in zip(hours, minutes, seconds, strict=True)],
            dtype=object,
        ),
        "departure_s": (epoch_day + departure_s).astype(float),
        "route_score": ROUTE_SCORES[rng.choice(len(ROUTE_SCORES), n_routes, p=ROUTE_SCORE_SHARES)],
        "capacity": CAPACITIES_CM3[rng.integers(0, len(CAPACITIES_CM3), n_routes)],
    }


def _packages(spec, rng, is_station, stop_departure_s) -> dict:
    counts = np.where(is_station, 0, 1 + rng.poisson(spec.packages_per_stop_extra, len(is_station)))
    package_offsets = np.concatenate([[0], np.cumsum(counts)])
    n = int(package_offsets[-1])
    departure = np.repeat(stop_departure_s, counts)
    has_window = rng.uniform(0, 1, n) < spec.time_window_fraction
    start = departure + 3600.0 * rng.integers(0, WINDOW_EARLIEST_HOUR_AFTER_DEPARTURE, n)
    end = start + 3600.0 * WINDOW_HOURS[rng.integers(0, len(WINDOW_HOURS), n)]
    attempted = rng.uniform(0, 1, n) < spec.attempted_fraction
    return {
        "package_offsets": package_offsets,
        "package_id": _uuids(rng, n, "PackageID_"),
        "scan_status": SCAN_STATUSES[attempted.astype(int)],
        "window_start": np.where(has_window, start, np.nan),
        "window_end": np.where(has_window, end, np.nan),
        "service_time_s": np.round(rng.uniform(20.0, 120.0, n), 1),
        "depth_cm": np.round(rng.uniform(5.0, 60.0, n), 1),
        "height_cm": np.round(rng.uniform(2.0, 40.0, n), 1),
        "width_cm": np.round(rng.uniform(5.0, 50.0, n), 1),
    }


def travel_time_s(lat1, lng1, lat2, lng2) -> np.ndarray:
    """Synthetic travel time (s): road distance at constant speed plus an asymmetric overhead.

    Deterministic in the coordinates; legs heading north cost up to ``ASYMMETRY`` more overhead,
    so the matrix is asymmetric like the real one. Zero from a point to itself.
    """
    metres = 1000.0 * TRAVEL_CIRCUITY * haversine_km(lat1, lng1, lat2, lng2)
    overhead = STOP_OVERHEAD_S * (1.0 + ASYMMETRY * np.tanh(1e3 * np.subtract(lat2, lat1)))
    return np.where(metres > 0, metres / SPEED_M_PER_S + overhead, 0.0)


def _travel_times(build, lat, lng, sequence, stop_offsets):
    """Full matrices (or None) and the per-stop leg times of the driven sequence."""
    starts, ends = stop_offsets[:-1], stop_offsets[1:]
    order = driven_order(stop_offsets, sequence)
    previous = np.roll(order, 1)
    previous[starts] = order[ends - 1]  # the station's leg closes the tour
    legs = np.empty(len(lat))
    legs[order] = travel_time_s(lat[previous], lng[previous], lat[order], lng[order])
    if not build:
        return None, legs
    matrices = [
        travel_time_s(lat[start:end, None], lng[start:end, None], lat[None, start:end],
                      lng[None, start:end])
        for start, end in zip(starts, ends, strict=True)
    ]  # fmt: skip
    return matrices, legs
