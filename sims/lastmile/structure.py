"""Structural (Boltzmann) entropy of delivery routes: S = ln W, W = N! / Π n_i!.

A route's N delivery events (Dropoff stops, or their packages) fall into cells (zones, zone ×
time window, stops, or packages) with occupations n_i. W counts the distinguishable visit
sequences when events in the same cell are interchangeable (Gerrits & van Heeswijk 2026, as
reconstructed in the reference notes: the cell choice is a parameter, default ``zone``).
Everything is computed with :mod:`analysis.boltzmann`: ``ln W`` (exact, lgamma), ``ln W_max``
(most even split), the Shannon duality ``N·H`` with the exact bounds
``N·H − (M₊ − 1) ln(N + 1) ≤ ln W ≤ N·H``, and both normalisations
``η_B = ln W / ln W_max`` and ``η_H = H / ln M``.

Missing zones (Dropoffs with NaN ``zone_id``) follow ``missing_zone``:

* ``nearest`` (default): the zone of the nearest (great-circle) zoned Dropoff of the same route;
  a route with no zoned Dropoff puts all its unzoned stops in one extra cell;
* ``own_cell``: all unzoned Dropoffs of a route share one extra cell;
* ``drop``: unzoned Dropoffs are not delivery events.

Normalisation cell count M: ``occupied`` (M₊, the cells the route occupies) or ``station`` (every
zone-based cell seen on any route of the same station; only for zone-based cells).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis import boltzmann
from sims.lastmile.distance import haversine_km
from sims.lastmile.table import NO_ZONE, RouteTable, csr_ranges

CELLS = ("zone", "zone_time_window", "stop", "package")
EVENT_UNITS = ("stop", "package")
MISSING_ZONE_RULES = ("nearest", "own_cell", "drop")
NORMALISATION_CELLS = ("occupied", "station")
ZONE_BASED = ("zone", "zone_time_window")


def impute_zones(table: RouteTable, rule: str = "nearest") -> np.ndarray:
    """Zone code of every stop after the missing-zone rule (see module docstring).

    Returns
    -------
    ndarray of int64, shape (S,)
        Zone codes; ``len(table.zone_names)`` marks the extra "unzoned" cell of ``own_cell`` (and
        of ``nearest`` on a route without any zoned stop); stations and dropped stops are
        :data:`NO_ZONE`.
    """
    if rule not in MISSING_ZONE_RULES:
        raise ValueError(f"missing_zone: must be one of {MISSING_ZONE_RULES} (got {rule!r})")
    zone = table.zone.astype(np.int64)
    unzoned_cell = len(table.zone_names)
    missing = (zone == NO_ZONE) & ~table.is_station
    if rule == "drop" or not missing.any():
        return zone
    if rule == "own_cell":
        zone[missing] = unzoned_cell
        return zone
    # every (unzoned stop, zoned Dropoff of the same route) pair at once
    route = table.stop_route
    lost = np.flatnonzero(missing)
    donors = np.flatnonzero((zone != NO_ZONE) & ~table.is_station)
    donor_offsets = np.searchsorted(route[donors], np.arange(table.n_routes + 1))
    lost_route = route[lost]
    counts = donor_offsets[lost_route + 1] - donor_offsets[lost_route]
    zone[lost[counts == 0]] = unzoned_cell
    lost, lost_route, counts = lost[counts > 0], lost_route[counts > 0], counts[counts > 0]
    if len(lost) == 0:
        return zone
    pair_lost = np.repeat(np.arange(len(lost)), counts)
    starts = np.cumsum(counts) - counts
    pair_donor = donors[csr_ranges(donor_offsets, lost_route)]
    distance = haversine_km(
        table.lat[lost[pair_lost]], table.lng[lost[pair_lost]],
        table.lat[pair_donor], table.lng[pair_donor],
    )  # fmt: skip
    nearest = distance == np.repeat(np.minimum.reduceat(distance, starts), counts)
    candidates = np.flatnonzero(nearest)  # ties: the first donor in file order wins
    first = candidates[np.unique(pair_lost[candidates], return_index=True)[1]]
    zone[lost] = zone[pair_donor[first]]
    return zone


def event_cells(
    table: RouteTable, cells: str = "zone", event_unit: str = "stop", missing_zone: str = "nearest"
) -> tuple[np.ndarray, np.ndarray]:
    """Route index and integer cell label of every delivery event.

    Parameters
    ----------
    table : RouteTable
        The routes.
    cells : {"zone", "zone_time_window", "stop", "package"}
        What makes two events interchangeable. ``package`` needs ``event_unit="package"``.
    event_unit : {"stop", "package"}
        A delivery event is a Dropoff stop, or one of its packages.
    missing_zone : {"nearest", "own_cell", "drop"}
        Rule for Dropoffs without zone (see module docstring).

    Returns
    -------
    route, cell : ndarray of int64
        One entry per event; cell labels are comparable across routes of the same table.

    Notes
    -----
    Time-window key: a package's own (start, end); for stop events the window of the stop's
    earliest-starting timed package, or "none" when no package has a window.
    """
    if cells not in CELLS or event_unit not in EVENT_UNITS:
        raise ValueError(f"cells/event_unit: must be in {CELLS} / {EVENT_UNITS}")
    if cells == "package" and event_unit != "package":
        raise ValueError("cells='package' needs event_unit='package'")
    zone = impute_zones(table, missing_zone)
    is_event = ~table.is_station & (zone != NO_ZONE)
    stop_route = table.stop_route
    if event_unit == "stop":
        stops = np.flatnonzero(is_event)
        units = stops
        if cells == "zone_time_window":
            start, end = _stop_windows(table)
            start, end = start[stops], end[stops]
    else:
        package_stop = table.package_stop
        units = np.flatnonzero(is_event[package_stop])
        stops = package_stop[units]
        start, end = table.window_start[units], table.window_end[units]
    if cells == "zone":
        label = zone[stops]
    elif cells == "zone_time_window":
        window = _window_codes(start, end)
        label = zone[stops] * (window.max(initial=0) + 1) + window
    else:  # stop, or package (units are packages then)
        label = units if cells == "package" else stops
    return stop_route[stops].astype(np.int64), label.astype(np.int64)


def _stop_windows(table: RouteTable) -> tuple[np.ndarray, np.ndarray]:
    """(start, end) of each stop's earliest-starting timed package; NaN if none."""
    start = np.full(table.n_stops, np.nan)
    end = np.full(table.n_stops, np.nan)
    timed = np.flatnonzero(~np.isnan(table.window_start))
    if len(timed):
        stop = table.package_stop[timed]
        order = np.lexsort((table.window_end[timed], table.window_start[timed], stop))
        first = order[np.r_[True, np.diff(stop[order]) != 0]]
        start[stop[first]] = table.window_start[timed[first]]
        end[stop[first]] = table.window_end[timed[first]]
    return start, end


def _window_codes(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """0 for no window, else 1 + index of the distinct (start, end) pair."""
    codes = np.zeros(len(start), dtype=np.int64)
    timed = ~np.isnan(start)
    if timed.any():
        pairs = np.stack([start[timed], end[timed]], axis=1)
        codes[timed] = 1 + np.unique(pairs, axis=0, return_inverse=True)[1].ravel()
    return codes


def occupations(route: np.ndarray, cell: np.ndarray, n_routes: int):
    """Occupation numbers of every (route, cell) pair, grouped by route.

    Returns
    -------
    offsets : ndarray of int64, shape (n_routes + 1,)
        Route r's occupied cells are ``counts[offsets[r]:offsets[r + 1]]``.
    counts : ndarray of int64
        Occupations n_i > 0.
    labels : ndarray of int64
        The cell label of each count.
    """
    span = int(cell.max(initial=0)) + 1
    keys, counts = np.unique(route * span + cell, return_counts=True)
    occupied = np.bincount(keys // span, minlength=n_routes)
    return np.concatenate([[0], np.cumsum(occupied)]), counts, keys % span


def padded_rows(offsets: np.ndarray, values: np.ndarray, rows: np.ndarray, width: int):
    """Rows ``values[offsets[r]:offsets[r+1]]`` for r in ``rows``, zero-padded to ``width``."""
    lengths = offsets[rows + 1] - offsets[rows]
    out = np.zeros((len(rows), width), dtype=values.dtype)
    out[np.arange(width) < lengths[:, None]] = values[csr_ranges(offsets, rows)]  # row-major
    return out


def grouped_ln_multinomial(group: np.ndarray, cell: np.ndarray, n_groups: int) -> np.ndarray:
    """``ln W`` of each group's events over its cells (0 for an empty group), in nats."""
    offsets, counts, _ = occupations(group, cell, n_groups)
    width = int(np.diff(offsets).max(initial=0))
    if width == 0:
        return np.zeros(n_groups)
    matrix = padded_rows(offsets, counts.astype(np.float64), np.arange(n_groups), width)
    return boltzmann.ln_multinomial(matrix, axis=-1)


@dataclass(frozen=True)
class RouteEntropy:
    """Structural entropy of every route (arrays of shape (R,), entropies in nats)."""

    n_events: np.ndarray
    n_cells_occupied: np.ndarray
    n_cells_normalisation: np.ndarray
    ln_w: np.ndarray
    ln_w_max: np.ndarray
    n_times_h: np.ndarray
    ln_w_lower: np.ndarray
    ln_w_stirling: np.ndarray
    eta_boltzmann: np.ndarray
    eta_shannon: np.ndarray


def route_entropy(
    table: RouteTable,
    cells: str = "zone",
    event_unit: str = "stop",
    missing_zone: str = "nearest",
    normalisation_cells: str = "occupied",
) -> RouteEntropy:
    """Structural entropy, its Shannon dual and bounds, and both normalisations, per route.

    See the module docstring for the parameters. Routes without events get zeros.
    """
    if normalisation_cells not in NORMALISATION_CELLS:
        raise ValueError(f"normalisation_cells: must be one of {NORMALISATION_CELLS}")
    if normalisation_cells == "station" and cells not in ZONE_BASED:
        raise ValueError("normalisation_cells='station' needs zone-based cells")
    route, cell = event_cells(table, cells, event_unit, missing_zone)
    offsets, counts, labels = occupations(route, cell, table.n_routes)
    occupied = np.diff(offsets)
    if normalisation_cells == "occupied":
        norm_cells = occupied.copy()
    else:
        station = np.unique(table.station_code, return_inverse=True)[1].ravel()
        span = labels.max(initial=0) + 1
        pairs = np.unique(station[np.repeat(np.arange(table.n_routes), occupied)] * span + labels)
        per_station = np.bincount(pairs // span, minlength=station.max() + 1)
        norm_cells = per_station[station]
    result = {name: np.zeros(table.n_routes) for name in RouteEntropy.__dataclass_fields__}
    result["n_events"] = np.bincount(route, minlength=table.n_routes).astype(float)
    result["n_cells_occupied"] = occupied.astype(float)
    result["n_cells_normalisation"] = norm_cells.astype(float)
    rows = np.flatnonzero(occupied > 0)
    padded = padded_rows(offsets, counts.astype(np.float64), rows, int(occupied.max(initial=0)))
    total, cells_m = padded.sum(axis=-1), norm_cells[rows]
    duality = boltzmann.shannon_duality(padded, n_cells=occupied[rows])  # tightest: M₊
    result["ln_w"][rows] = boltzmann.ln_multinomial(padded)
    result["ln_w_max"][rows] = boltzmann.ln_multinomial_max(total, cells_m)
    result["n_times_h"][rows] = duality.n_times_entropy
    result["ln_w_lower"][rows] = duality.ln_w_lower
    result["ln_w_stirling"][rows] = boltzmann.stirling_ln_multinomial(padded)
    result["eta_boltzmann"][rows] = boltzmann.normalized_ln_multinomial(padded, n_cells=cells_m)
    result["eta_shannon"][rows] = boltzmann.normalized_shannon_entropy(padded, n_cells=cells_m)
    return RouteEntropy(**result)
