"""Streaming loader for the Amazon Last Mile Routing Research Challenge files.

The four files (``route_data.json``, ``package_data.json``, ``travel_times.json``,
``actual_sequences.json``; schema of ``MIT-CAVE/rc-cli`` ``templates/data_structures.md``) are
each one JSON object keyed by route id. They are read one route at a time by
:func:`iter_routes`, so memory stays bounded by one route even for the ~2 GB travel-time file;
only the travel time of each leg of the driven sequence is kept. The bare ``NaN`` tokens of the
real files are accepted (Python's ``json`` reads them as float NaN).

Every entry is checked. A malformed file raises :class:`RouteDataError` naming the file, the route
and the field; the table is only built once all files have been read, so nothing is ever returned
half-loaded.

Missing zones: Dropoff stops whose ``zone_id`` is NaN/null keep ``NO_ZONE`` here; the entropy
code (:mod:`sims.lastmile.structure`) imputes them by the rule chosen there (default: the zone of
the nearest zoned stop of the same route).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from sims.lastmile.table import DROPOFF, NO_ZONE, STATION, RouteTable

FILES = ("route_data", "package_data", "travel_times", "actual_sequences")
SUBFOLDERS = ("", "model_build_inputs", "model_apply_inputs", "model_score_inputs")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_CHUNK_CHARS = 1 << 23  # 8 Mi characters: a route (~0.5 MB of travel times) rarely straddles two
_ERROR_MARGIN = 1024  # a decode error this far before the buffer end is not a truncation


class RouteDataError(ValueError):
    """A malformed challenge file: ``FILE: route ROUTE: FIELD: problem``."""

    def __init__(self, file: str | Path, route: str | None, field: str, problem: str):
        self.file, self.route, self.field, self.problem = str(file), route, field, problem
        where = f"route {route}: " if route is not None else ""
        super().__init__(f"{self.file}: {where}{field}: {problem}")


def find_files(directory: str | Path) -> dict[str, Path | None]:
    """Locate the challenge files in ``directory`` or its ``model_*_inputs`` subfolders.

    Both the training names (``route_data.json``) and the evaluation names
    (``new_route_data.json``) are recognised. ``travel_times`` may be absent (None).

    Raises
    ------
    RouteDataError
        If ``route_data``, ``package_data`` or ``actual_sequences`` is missing.
    """
    directory = Path(directory)
    found: dict[str, Path | None] = {}
    for name in FILES:
        candidates = [
            directory / sub / f"{prefix}{name}.json"
            for sub in SUBFOLDERS
            for prefix in ("", "new_")
        ]
        found[name] = next((path for path in candidates if path.is_file()), None)
        if found[name] is None and name != "travel_times":
            raise RouteDataError(directory / f"{name}.json", None, "file", "not found")
    return found


def iter_routes(path: str | Path, chunk_chars: int = _CHUNK_CHARS) -> Iterator[tuple[str, Any]]:
    """Yield ``(key, value)`` of a top-level JSON object one entry at a time.

    Only the current entry and a read-ahead buffer of about ``chunk_chars`` characters are held
    in memory. ``NaN``/``Infinity`` tokens are accepted.

    Raises
    ------
    RouteDataError
        If the file is not a JSON object or is malformed (naming the last good route).
    """
    decoder = json.JSONDecoder()
    with open(path, encoding="utf-8") as handle:
        stream = _Buffer(handle, chunk_chars, path)
        stream.expect("{", None)
        if stream.peek() == "}":
            stream.advance(1)
            stream.expect_end(None)
            return
        route = None
        while True:
            key = stream.decode(decoder, route, "route id")
            if not isinstance(key, str):
                raise RouteDataError(path, route, "route id", "keys must be strings")
            route = key
            stream.expect(":", route)
            value = stream.decode(decoder, route, "value")
            yield key, value
            separator = stream.peek()
            if separator == "}":
                stream.advance(1)
                stream.expect_end(route)
                return
            stream.expect(",", route)


class _Buffer:
    """A text window over a file, refilled on demand (helper of :func:`iter_routes`)."""

    def __init__(self, handle, chunk_chars: int, path):
        self.handle, self.chunk, self.path = handle, chunk_chars, path
        self.text, self.position, self.eof = "", 0, False

    def _refill(self, at_least: int) -> bool:
        if self.eof:
            return False
        more = self.handle.read(max(at_least, self.chunk))
        self.eof = not more
        self.text = self.text[self.position :] + more
        self.position = 0
        return bool(more)

    def peek(self) -> str:
        while True:
            while self.position < len(self.text) and self.text[self.position].isspace():
                self.position += 1
            if self.position < len(self.text):
                return self.text[self.position]
            if not self._refill(self.chunk):
                return ""

    def advance(self, count: int) -> None:
        self.position += count

    def expect(self, char: str, route: str | None) -> None:
        found = self.peek()
        if found != char:
            shown = repr(found) if found else "end of file"
            raise RouteDataError(self.path, route, "syntax", f"expected {char!r}, found {shown}")
        self.position += 1

    def expect_end(self, route: str | None) -> None:
        if self.peek():
            raise RouteDataError(self.path, route, "syntax", "extra data after the JSON object")

    def decode(self, decoder: json.JSONDecoder, route: str | None, what: str) -> Any:
        self.peek()
        grow = self.chunk
        while True:
            try:
                value, end = decoder.raw_decode(self.text, self.position)
            except json.JSONDecodeError as error:
                truncated = error.pos >= len(self.text) - _ERROR_MARGIN or error.msg.startswith(
                    "Unterminated"
                )
                if truncated and self._refill(grow):
                    grow *= 2
                    continue
                after = f" after route {route}" if route is not None and what != "value" else ""
                raise RouteDataError(
                    self.path, route, what, f"invalid JSON{after}: {error.msg}"
                ) from None
            self.position = end
            return value


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _number(value: Any, file, route, field: str, finite: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RouteDataError(file, route, field, f"must be a number (got {value!r})")
    if finite and not math.isfinite(value):
        raise RouteDataError(file, route, field, f"must be finite (got {value!r})")
    return float(value)


def _text(value: Any, file, route, field: str) -> str:
    if not isinstance(value, str):
        raise RouteDataError(file, route, field, f"must be a string (got {value!r})")
    return value


def _mapping(value: Any, file, route, field: str) -> dict:
    if not isinstance(value, dict):
        raise RouteDataError(file, route, field, f"must be an object (got {type(value).__name__})")
    return value


def parse_time(value: Any, file, route, field: str) -> float:
    """``YYYY-MM-DD hh:mm:ss`` (UTC) -> seconds since the epoch; NaN/null -> NaN."""
    if _is_missing(value):
        return math.nan
    text = _text(value, file, route, field)
    try:
        moment = datetime.strptime(text, TIME_FORMAT)
    except ValueError:
        problem = f"must be 'YYYY-MM-DD hh:mm:ss' (got {value!r})"
        raise RouteDataError(file, route, field, problem) from None
    return moment.replace(tzinfo=UTC).timestamp()


def format_time(seconds: float) -> str | float:
    """Inverse of :func:`parse_time` (NaN stays NaN)."""
    if math.isnan(seconds):
        return math.nan
    return datetime.fromtimestamp(seconds, UTC).strftime(TIME_FORMAT)


def load_routes(
    directory: str | Path | None = None,
    *,
    files: dict[str, str | Path | None] | None = None,
    stations: tuple[str, ...] = (),
    max_routes: int | None = None,
    keep_travel_time_matrices: bool = False,
) -> RouteTable:
    """Read challenge files into a :class:`RouteTable`.

    Parameters
    ----------
    directory : path, optional
        Folder holding the files (or their ``model_build_inputs`` etc. subfolders).
    files : dict, optional
        Explicit paths by name (``route_data``, ``package_data``, ``actual_sequences``,
        ``travel_times``); overrides ``directory``. ``travel_times`` may be None.
    stations : tuple of str
        Keep only routes whose station code starts with one of these (e.g. ``("DBO",)``);
        empty keeps all.
    max_routes : int, optional
        Keep at most this many routes (the first ones of ``route_data.json``).
    keep_travel_time_matrices : bool
        Also keep each route's full travel-time matrix (memory: 8 n² bytes per route).

    Returns
    -------
    RouteTable

    Raises
    ------
    RouteDataError
        For a missing or malformed file, a route missing from one of the files, or a sequence
        that is not a permutation starting at the station.
    """
    paths = find_files(directory) if files is None else {name: files.get(name) for name in FILES}
    routes = _read_route_data(Path(paths["route_data"]), stations, max_routes)
    _read_sequences(Path(paths["actual_sequences"]), routes)
    _read_packages(Path(paths["package_data"]), routes)
    matrices = {} if keep_travel_time_matrices else None
    if paths.get("travel_times") is not None:
        _read_travel_times(Path(paths["travel_times"]), routes, matrices)
    elif keep_travel_time_matrices:
        raise RouteDataError("travel_times.json", None, "file", "not found")
    return _assemble(routes, matrices)


def _read_route_data(path: Path, stations, max_routes) -> list[dict]:
    routes = []
    for route_id, entry in iter_routes(path):
        if max_routes is not None and len(routes) >= max_routes:
            break
        entry = _mapping(entry, path, route_id, "route")
        station_code = _text(entry.get("station_code"), path, route_id, "station_code")
        if stations and not station_code.startswith(tuple(stations)):
            continue
        stops = _mapping(entry.get("stops"), path, route_id, "stops")
        if not stops:
            raise RouteDataError(path, route_id, "stops", "has no stops")
        parsed = []
        for stop_id, stop in stops.items():
            field = f"stops.{stop_id}"
            stop = _mapping(stop, path, route_id, field)
            kind = stop.get("type")
            if kind not in (STATION, DROPOFF):
                raise RouteDataError(
                    path, route_id, f"{field}.type", f"must be Station or Dropoff (got {kind!r})"
                )
            zone = stop.get("zone_id")
            if not _is_missing(zone):
                zone = _text(zone, path, route_id, f"{field}.zone_id")
            parsed.append(
                (
                    stop_id,
                    _number(stop.get("lat"), path, route_id, f"{field}.lat"),
                    _number(stop.get("lng"), path, route_id, f"{field}.lng"),
                    kind == STATION,
                    None if _is_missing(zone) else zone,
                )
            )
        n_stations = sum(stop[3] for stop in parsed)
        if n_stations != 1:
            raise RouteDataError(
                path, route_id, "stops", f"needs exactly one Station stop (got {n_stations})"
            )
        score = entry.get("route_score", "")
        routes.append(
            {
                "id": route_id,
                "station_code": station_code,
                "date": _text(entry.get("date_YYYY_MM_DD"), path, route_id, "date_YYYY_MM_DD"),
                "departure": _text(
                    entry.get("departure_time_utc"), path, route_id, "departure_time_utc"
                ),
                "score": "" if _is_missing(score) else _text(score, path, route_id, "route_score"),
                "capacity": _number(
                    entry.get("executor_capacity_cm3"), path, route_id, "executor_capacity_cm3"
                ),
                "stops": parsed,
            }
        )
    return routes


def _wanted_entries(path: Path, routes: list[dict]):
    """Yield ``(route_id, route, entry)`` for each of ``routes`` in ``path`` (``entry``: object).

    Raises :class:`RouteDataError` once the file is read if one of ``routes`` was not in it.
    """
    wanted = {route["id"]: index for index, route in enumerate(routes)}
    seen = set()
    for route_id, entry in iter_routes(path):
        if route_id not in wanted:
            continue
        yield route_id, routes[wanted[route_id]], _mapping(entry, path, route_id, "route")
        seen.add(route_id)
    for route in routes:
        if route["id"] not in seen:
            raise RouteDataError(path, route["id"], "route", "missing from this file")


def _read_sequences(path: Path, routes: list[dict]) -> None:
    for route_id, route, entry in _wanted_entries(path, routes):
        actual = _mapping(entry.get("actual"), path, route_id, "actual")
        stop_ids = [stop[0] for stop in route["stops"]]
        if set(actual) != set(stop_ids):
            extra = sorted(set(actual) - set(stop_ids))
            missing = sorted(set(stop_ids) - set(actual))
            raise RouteDataError(
                path,
                route_id,
                "actual",
                f"stops differ from route_data (extra {extra}, missing {missing})",
            )
        order = []
        for stop_id in stop_ids:
            position = actual[stop_id]
            if isinstance(position, bool) or not isinstance(position, int):
                raise RouteDataError(
                    path, route_id, f"actual.{stop_id}", f"must be an integer (got {position!r})"
                )
            order.append(position)
        if sorted(order) != list(range(len(order))):
            raise RouteDataError(
                path, route_id, "actual", "positions must be a permutation of 0..n-1"
            )
        station = next(i for i, stop in enumerate(route["stops"]) if stop[3])
        if order[station] != 0:
            raise RouteDataError(
                path, route_id, f"actual.{stop_ids[station]}", "the station must be at position 0"
            )
        route["sequence"] = order


def _read_packages(path: Path, routes: list[dict]) -> None:
    for route_id, route, entry in _wanted_entries(path, routes):
        stop_ids = {stop[0] for stop in route["stops"]}
        unknown = sorted(set(entry) - stop_ids)
        if unknown:
            raise RouteDataError(path, route_id, f"stops.{unknown[0]}", "not a stop of the route")
        per_stop = []
        for stop in route["stops"]:
            packages = _mapping(entry.get(stop[0], {}), path, route_id, stop[0])
            parsed = []
            for package_id, package in packages.items():
                field = f"{stop[0]}.{package_id}"
                package = _mapping(package, path, route_id, field)
                window = package.get("time_window", {})
                window = (
                    {}
                    if _is_missing(window)
                    else _mapping(window, path, route_id, f"{field}.time_window")
                )
                start = parse_time(
                    window.get("start_time_utc"),
                    path,
                    route_id,
                    f"{field}.time_window.start_time_utc",
                )
                end = parse_time(
                    window.get("end_time_utc"), path, route_id, f"{field}.time_window.end_time_utc"
                )
                if math.isnan(start) != math.isnan(end) or end < start:
                    raise RouteDataError(
                        path,
                        route_id,
                        f"{field}.time_window",
                        "needs start <= end, both or neither",
                    )
                status = package.get("scan_status", "")
                dimensions = _mapping(
                    package.get("dimensions"), path, route_id, f"{field}.dimensions"
                )
                parsed.append(
                    (
                        package_id,
                        ""
                        if _is_missing(status)
                        else _text(status, path, route_id, f"{field}.scan_status"),
                        start,
                        end,
                        _number(
                            package.get("planned_service_time_seconds"),
                            path,
                            route_id,
                            f"{field}.planned_service_time_seconds",
                        ),
                        *(
                            _number(
                                dimensions.get(key), path, route_id, f"{field}.dimensions.{key}"
                            )
                            for key in ("depth_cm", "height_cm", "width_cm")
                        ),
                    )
                )
            per_stop.append(parsed)
        route["packages"] = per_stop


def _read_travel_times(path: Path, routes: list[dict], matrices) -> None:
    for route_id, route, entry in _wanted_entries(path, routes):
        stop_ids = [stop[0] for stop in route["stops"]]
        driven = [stop_ids[i] for i in np.argsort(route["sequence"])]
        legs = {}
        for origin, target in zip(driven, driven[1:] + driven[:1], strict=True):
            row = _mapping(entry.get(origin), path, route_id, origin)
            legs[target] = _number(row.get(target), path, route_id, f"{origin}.{target}")
        route["legs"] = [legs[stop_id] for stop_id in stop_ids]
        if matrices is not None:
            matrix = np.empty((len(stop_ids), len(stop_ids)))
            for i, origin in enumerate(stop_ids):
                row = _mapping(entry.get(origin), path, route_id, origin)
                for j, target in enumerate(stop_ids):
                    matrix[i, j] = _number(row.get(target), path, route_id, f"{origin}.{target}")
            matrices[route_id] = matrix


def _assemble(routes: list[dict], matrices) -> RouteTable:
    zone_codes: dict[str, int] = {}
    stops = [stop for route in routes for stop in route["stops"]]
    packages = [p for route in routes for per_stop in route["packages"] for p in per_stop]
    zone = np.array(
        [NO_ZONE if s[4] is None else zone_codes.setdefault(s[4], len(zone_codes)) for s in stops],
        dtype=np.int32,
    )
    stop_counts = [len(route["stops"]) for route in routes]
    package_counts = [len(per_stop) for route in routes for per_stop in route["packages"]]
    legs = [leg for route in routes for leg in route.get("legs", [math.nan] * len(route["stops"]))]

    def package_column(index, dtype=float):
        return np.array([p[index] for p in packages], dtype=dtype)

    return RouteTable(
        route_id=np.array([r["id"] for r in routes], object),
        station_code=np.array([r["station_code"] for r in routes], object),
        date=np.array([r["date"] for r in routes], object),
        departure_time=np.array([r["departure"] for r in routes], object),
        route_score=np.array([r["score"] for r in routes], object),
        capacity_cm3=np.array([r["capacity"] for r in routes], float),
        stop_offsets=np.concatenate([[0], np.cumsum(stop_counts, dtype=np.int64)]),
        stop_id=np.array([s[0] for s in stops], object),
        lat=np.array([s[1] for s in stops], float),
        lng=np.array([s[2] for s in stops], float),
        is_station=np.array([s[3] for s in stops], bool),
        zone=zone,
        zone_names=np.array(list(zone_codes), object),
        sequence=np.array([i for route in routes for i in route["sequence"]], np.int64),
        leg_time_s=np.array(legs, float),
        package_offsets=np.concatenate([[0], np.cumsum(package_counts, dtype=np.int64)]),
        package_id=package_column(0, object),
        scan_status=package_column(1, object),
        window_start=package_column(2),
        window_end=package_column(3),
        service_time_s=package_column(4),
        depth_cm=package_column(5),
        height_cm=package_column(6),
        width_cm=package_column(7),
        travel_time_matrices=matrices,
    )
