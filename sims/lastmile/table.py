"""Columnar routes in the Amazon Last Mile Routing Research Challenge schema.

One :class:`RouteTable` holds any number of routes as flat arrays with CSR offsets (routes ->
stops -> packages), so that entropy and distance over thousands of routes are vectorised numpy
operations. Stops of a route are stored in the order of ``route_data.json`` (for the synthetic
generator: the order it writes); ``sequence`` gives each stop's position in the driven order
(``actual_sequences.json``; 0 = the station).

Times are seconds since the Unix epoch (UTC); a package without a time window has NaN start and
end. Zone ids are codes into ``zone_names``; ``-1`` marks a missing zone (the station, and the
few Dropoff stops whose ``zone_id`` is NaN or null in the real data).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

STATION, DROPOFF = "Station", "Dropoff"
NO_ZONE = -1
CITY_PREFIXES = {
    "DSE": "Seattle",
    "DLA": "Los Angeles",
    "DAU": "Austin",
    "DCH": "Chicago",
    "DBO": "Boston",
}
CITY_PREFIX_LENGTH = 3
ROUTE_FIELDS = ("route_id", "station_code", "date", "departure_time", "route_score", "capacity_cm3")
STOP_FIELDS = ("stop_id", "lat", "lng", "is_station", "zone", "sequence", "leg_time_s")


def city_of(station_code: str) -> str:
    """Metro area of a station code (``DBO1`` -> ``Boston``); unknown prefixes map to themselves."""
    prefix = station_code[:CITY_PREFIX_LENGTH]
    return CITY_PREFIXES.get(prefix, prefix)


@dataclass(frozen=True, eq=False)
class RouteTable:
    """Routes, stops and packages as flat arrays (see the module docstring).

    Attributes
    ----------
    route_id, station_code, date, departure_time, route_score : ndarray of str, shape (R,)
        Route attributes as in ``route_data.json`` (``date`` is ``YYYY-MM-DD``, departure
        ``hh:mm:ss`` UTC; ``route_score`` is ``""`` where absent, as in the evaluation split).
    capacity_cm3 : ndarray of float, shape (R,)
        Executor capacity (cm³).
    stop_offsets : ndarray of int64, shape (R + 1,)
        Route r owns stops ``stop_offsets[r]:stop_offsets[r + 1]``.
    stop_id : ndarray of str, shape (S,)
        Stop ids (two letters in the real data), unique within a route.
    lat, lng : ndarray of float, shape (S,)
        Coordinates (degrees).
    is_station : ndarray of bool, shape (S,)
        True for the route's ``Station`` stop (exactly one per route).
    zone : ndarray of int32, shape (S,)
        Code into ``zone_names``, or :data:`NO_ZONE`.
    zone_names : ndarray of str
        Zone id strings, in order of first appearance.
    sequence : ndarray of int64, shape (S,)
        Position of the stop in the driven order (0 = station).
    leg_time_s : ndarray of float, shape (S,)
        Travel time (s) from the previous stop in the driven order to this one; for the station,
        the closing leg from the last stop back to it. NaN where no travel times were loaded.
    package_offsets : ndarray of int64, shape (S + 1,)
        Stop s owns packages ``package_offsets[s]:package_offsets[s + 1]``.
    package_id, scan_status : ndarray of str, shape (P,)
        Package attributes (``scan_status`` is ``""`` where absent).
    window_start, window_end : ndarray of float, shape (P,)
        Time window (s since epoch, UTC); NaN when the package has none.
    service_time_s, depth_cm, height_cm, width_cm : ndarray of float, shape (P,)
        Planned service time (s) and dimensions (cm).
    travel_time_matrices : dict, optional
        Route id -> (n, n) travel-time matrix (s) in the route's stop order; only when asked for.
    """

    route_id: np.ndarray
    station_code: np.ndarray
    date: np.ndarray
    departure_time: np.ndarray
    route_score: np.ndarray
    capacity_cm3: np.ndarray
    stop_offsets: np.ndarray
    stop_id: np.ndarray
    lat: np.ndarray
    lng: np.ndarray
    is_station: np.ndarray
    zone: np.ndarray
    zone_names: np.ndarray
    sequence: np.ndarray
    leg_time_s: np.ndarray
    package_offsets: np.ndarray
    package_id: np.ndarray
    scan_status: np.ndarray
    window_start: np.ndarray
    window_end: np.ndarray
    service_time_s: np.ndarray
    depth_cm: np.ndarray
    height_cm: np.ndarray
    width_cm: np.ndarray
    travel_time_matrices: dict | None = field(default=None)

    @property
    def n_routes(self) -> int:
        """Number of routes R."""
        return len(self.route_id)

    @property
    def n_stops(self) -> int:
        """Number of stops S (stations included)."""
        return len(self.stop_id)

    @property
    def stop_route(self) -> np.ndarray:
        """Route index of every stop, shape (S,)."""
        return np.repeat(np.arange(self.n_routes), np.diff(self.stop_offsets))

    @property
    def package_stop(self) -> np.ndarray:
        """Stop index of every package, shape (P,)."""
        return np.repeat(np.arange(self.n_stops), np.diff(self.package_offsets))

    @property
    def city(self) -> np.ndarray:
        """Metro area of every route (from the station-code prefix), shape (R,)."""
        return np.array([city_of(code) for code in self.station_code])

    def zone_ids(self) -> np.ndarray:
        """Zone id string of every stop (None where missing), shape (S,)."""
        names = np.append(self.zone_names.astype(object), None)
        return names[np.where(self.zone == NO_ZONE, len(self.zone_names), self.zone)]

    def select(self, routes) -> RouteTable:
        """A new table with only the given route indices (in the given order)."""
        routes = np.asarray(routes, dtype=np.int64)
        stops = csr_ranges(self.stop_offsets, routes)
        packages = csr_ranges(self.package_offsets, stops)
        stop_counts = np.diff(self.stop_offsets)[routes]
        package_counts = np.diff(self.package_offsets)[stops]
        values = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "stop_offsets":
                value = np.concatenate([[0], np.cumsum(stop_counts)])
            elif item.name == "package_offsets":
                value = np.concatenate([[0], np.cumsum(package_counts)])
            elif item.name == "travel_time_matrices":
                value = (
                    None
                    if value is None
                    else {self.route_id[r]: value[self.route_id[r]] for r in routes}
                )
            elif item.name == "zone_names":
                pass
            elif item.name in ROUTE_FIELDS:
                value = value[routes]
            elif item.name in STOP_FIELDS:
                value = value[stops]
            else:  # package fields
                value = value[packages]
            values[item.name] = value
        return RouteTable(**values)


def csr_ranges(offsets: np.ndarray, which: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(offsets[i], offsets[i + 1])`` for i in ``which``."""
    counts = offsets[which + 1] - offsets[which]
    starts = np.repeat(offsets[which] - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    return starts + np.arange(counts.sum())


def tables_equal(first: RouteTable, second: RouteTable) -> list[str]:
    """Names of the fields in which two tables differ (NaN equals NaN); empty if identical."""
    differing = []
    for item in fields(first):
        a, b = getattr(first, item.name), getattr(second, item.name)
        if item.name == "travel_time_matrices":
            same = (a is None) == (b is None) and (
                a is None or (a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a))
            )
        elif a.dtype.kind == "f":
            same = a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
        else:
            same = a.shape == b.shape and bool(np.all(a == b))
        if not same:
            differing.append(item.name)
    return differing
