"""Write a :class:`RouteTable` as the four Amazon challenge files (the schema the loader reads).

Missing values are written as the bare ``NaN`` tokens of the real files (station zones, Dropoff
stops without zone, packages without time window). Floats are written with ``repr`` precision, so
:func:`sims.lastmile.loader.load_routes` reads back an identical table.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from sims.lastmile.loader import format_time
from sims.lastmile.table import DROPOFF, STATION, RouteTable


def write_routes(table: RouteTable, directory: str | Path) -> dict[str, Path]:
    """Write ``route_data``, ``package_data``, ``actual_sequences`` (and ``travel_times``).

    ``travel_times.json`` is written only when the table carries its matrices.

    Parameters
    ----------
    table : RouteTable
        The routes.
    directory : path
        Target folder (created if missing).

    Returns
    -------
    dict
        File name -> path written.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    zone_ids = table.zone_ids()
    route_data, package_data, sequences, travel_times = {}, {}, {}, {}
    for r, route_id in enumerate(table.route_id):
        stops = range(table.stop_offsets[r], table.stop_offsets[r + 1])
        route_data[route_id] = {
            "station_code": table.station_code[r],
            "date_YYYY_MM_DD": table.date[r],
            "departure_time_utc": table.departure_time[r],
            "executor_capacity_cm3": table.capacity_cm3[r],
            "route_score": table.route_score[r],
            "stops": {
                table.stop_id[s]: {
                    "lat": table.lat[s],
                    "lng": table.lng[s],
                    "type": STATION if table.is_station[s] else DROPOFF,
                    "zone_id": math.nan if zone_ids[s] is None else zone_ids[s],
                }
                for s in stops
            },
        }
        package_data[route_id] = {
            table.stop_id[s]: {
                table.package_id[p]: _package(table, p)
                for p in range(table.package_offsets[s], table.package_offsets[s + 1])
            }
            for s in stops
        }
        sequences[route_id] = {"actual": {table.stop_id[s]: int(table.sequence[s]) for s in stops}}
        if table.travel_time_matrices is not None:
            matrix = table.travel_time_matrices[route_id]
            ids = [table.stop_id[s] for s in stops]
            travel_times[route_id] = {
                origin: dict(zip(ids, map(float, row), strict=True))
                for origin, row in zip(ids, matrix, strict=True)
            }
    documents = {
        "route_data": route_data,
        "package_data": package_data,
        "actual_sequences": sequences,
    }
    if table.travel_time_matrices is not None:
        documents["travel_times"] = travel_times
    written = {}
    for name, document in documents.items():
        path = directory / f"{name}.json"
        path.write_text(json.dumps(document, default=_plain))
        written[name] = path
    return written


def _package(table: RouteTable, p: int) -> dict:
    return {
        "scan_status": table.scan_status[p],
        "time_window": {
            "start_time_utc": format_time(table.window_start[p]),
            "end_time_utc": format_time(table.window_end[p]),
        },
        "planned_service_time_seconds": table.service_time_s[p],
        "dimensions": {
            "depth_cm": table.depth_cm[p],
            "height_cm": table.height_cm[p],
            "width_cm": table.width_cm[p],
        },
    }


def _plain(value):
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.integer):
        return int(value)
    raise TypeError(f"cannot write {type(value).__name__}")
