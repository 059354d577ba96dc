"""Route length along the driven sequence, depot to depot.

A route's closed tour starts at the station, visits the stops in ``actual_sequences`` order and
returns to the station. Its length is the sum of great-circle (haversine) legs on a sphere of
radius :data:`EARTH_RADIUS_KM`, optionally times a circuity factor (road / straight-line ratio;
1 = straight lines), or the sum of the travel times of ``travel_times.json`` along the same tour.
"""

from __future__ import annotations

import math

import numpy as np

from sims.lastmile.table import RouteTable

EARTH_RADIUS_KM = 6371.0
KM_PER_DEGREE = 2 * math.pi * EARTH_RADIUS_KM / 360.0  # of latitude (of longitude: × cos φ)
DISTANCE_MODES = ("haversine", "travel_time")


def haversine_km(lat1, lng1, lat2, lng2) -> np.ndarray:
    """Great-circle distance (km) between points given in degrees (arrays broadcast)."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    half_dphi = 0.5 * (phi2 - phi1)
    half_dlambda = 0.5 * np.radians(np.subtract(lng2, lng1))
    a = np.sin(half_dphi) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(half_dlambda) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def driven_order(stop_offsets: np.ndarray, sequence: np.ndarray) -> np.ndarray:
    """Stop indices of every route in driven order (station first), routes in table order.

    ``sequence`` (a :class:`RouteTable` column) is a permutation of 0..n-1 within each route, so
    this is a scatter, not a sort.
    """
    stop_route = np.repeat(np.arange(len(stop_offsets) - 1), np.diff(stop_offsets))
    order = np.empty(len(sequence), dtype=np.int64)
    order[stop_offsets[stop_route] + sequence] = np.arange(len(sequence))
    return order


def route_lengths(
    table: RouteTable, mode: str = "haversine", circuity: float = 1.0, include_stem: bool = True
) -> np.ndarray:
    """Length of every route's closed tour.

    Parameters
    ----------
    table : RouteTable
        The routes (with ``sequence``; with ``leg_time_s`` for ``travel_time``).
    mode : {"haversine", "travel_time"}
        Great-circle length (km) times ``circuity``, or summed travel time (s).
    circuity : float
        Road-to-straight-line factor applied to haversine lengths (1 = none).
    include_stem : bool
        Count the legs from the station to the first stop and from the last stop back (True, the
        closed tour); False keeps only the legs between Dropoffs.

    Returns
    -------
    ndarray, shape (R,)
        km for ``haversine``, s for ``travel_time``; NaN for routes without travel times.
    """
    if mode == "travel_time":
        stem = table.is_station | (table.sequence == 1)  # closing leg, and leg from the station
        legs = table.leg_time_s if include_stem else np.where(stem, 0.0, table.leg_time_s)
        return _route_sums(table, legs)
    if mode != "haversine":
        raise ValueError(f"mode: must be one of {DISTANCE_MODES} (got {mode!r})")
    order = driven_order(table.stop_offsets, table.sequence)
    lat, lng = table.lat[order], table.lng[order]
    starts = table.stop_offsets[:-1]
    ends = table.stop_offsets[1:] - 1
    following = np.arange(1, len(order) + 1)
    following[ends] = starts  # closing leg back to the station
    legs = haversine_km(lat, lng, lat[following], lng[following])
    if not include_stem:
        legs[starts] = 0.0
        legs[ends] = 0.0
    return circuity * _route_sums(table, legs)


def _route_sums(table: RouteTable, per_stop: np.ndarray) -> np.ndarray:
    route = table.stop_route
    return np.bincount(route, weights=per_stop, minlength=table.n_routes)
