"""System-wide entropy under spatial (parcel lockers) and temporal consolidation.

Reconstructed model (the paper's body was not available; every choice is a parameter). Each
customer (a Dropoff stop, in zone i, served by route territory r) orders on each of ``days`` days
with probability ``order_probability``. Temporal consolidation merges the ``days`` delivery days
into ``delivery_days`` (day d goes to ⌊d·D'/D⌋); a customer's orders merged into one delivery day
become a single delivery event. Over the horizon the carrier's configuration space for territory r
is the multinomial of its N_r events over cells (delivery day, place)::

    S_carrier = Σ_r ln( N_r! / Π_cells n_cell! )

Spatial consolidation: lockers are placed at ``locker_density`` per km² (``grid``: square grid,
each customer to its own square, i.e. the nearest locker, so catchments cut across zones;
``zone_aligned``: each zone goes whole to the grid square holding its centroid, so catchments are
unions of zones; ``random``: uniform Poisson placement, nearest locker). An eligible customer
(within ``catchment_radius_km`` of its locker) adopts with probability ``adoption`` (α). The
carrier then delivers an adopter's parcel at the locker cell (day, locker g) instead of the home
cell (day, zone i) (``locker_events="parcel"``; ``"visit"`` counts one event per active
(day, locker) instead). Each adopter event creates a collection movement, absorbed into an
existing trip with probability ``trip_chaining`` (β); the others fall in ``collection_slots``
equally likely time slots. Customer entropy sums over collection batches b = (r, day, g)::

    S_customer = Σ_b ln( m_b! / Π_(i, t) m_(b,i,t)! ),    S_sys = S_carrier + S_customer.

Conservation (exact, from the chain rule of the multinomial): with zone-aligned catchments, full
adoption (α = 1, no radius limit), one slot, no chaining and parcel counting, S_sys equals the
baseline carrier entropy S_0 (same days, no lockers). Partial adoption, catchments cutting zones
and extra slots each raise S_sys above S_0 (they refine the cells); chaining lowers it (it removes
movements, and may push S_sys below S_0). Merging days coarsens the (day, place) cells and
collapses repeat orders, so S_0 falls and, with β = 0 and parcel counting, so does S_sys, with no
customer movement created.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import model_validator
from scipy.spatial import cKDTree

from sims.core.scenario import ParamError, StrictModel, param
from sims.lastmile.distance import KM_PER_DEGREE
from sims.lastmile.structure import grouped_ln_multinomial, impute_zones
from sims.lastmile.table import NO_ZONE, RouteTable


class ConsolidationSpec(StrictModel):
    """Spatial and temporal consolidation (see :mod:`sims.lastmile.consolidation`)."""

    adoption: float = param(0.0, units="1", description="Adoption share α of lockers", ge=0, le=1)
    trip_chaining: float = param(
        0.0,
        units="1",
        description="Probability β that a collection is chained into an existing trip",
        ge=0,
        le=1,
    )
    locker_density: float = param(
        2.0, units="km-2", description="Lockers per km² (grid spacing 1/sqrt(density))", gt=0
    )
    locker_placement: Literal["grid", "zone_aligned", "random"] = param(
        "grid",
        units="1",
        description="grid (nearest square), zone_aligned (catchments = unions of zones), random",
    )
    catchment_radius_km: float | None = param(
        None, units="km", description="Customers farther from their locker cannot adopt", gt=0
    )
    collection_slots: int = param(
        1, units="1", description="Equally likely time slots of a collection movement", ge=1
    )
    locker_events: Literal["parcel", "visit"] = param(
        "parcel",
        units="1",
        description="Carrier events at a locker: one per parcel, or one per (day, locker) visit",
    )
    days: int = param(1, units="day", description="Delivery days D of the horizon", ge=1)
    delivery_days: int | None = param(
        None, units="day", description="Days D' after temporal consolidation (default D)", ge=1
    )
    order_probability: float = param(
        1.0, units="1", description="Probability that a customer orders on a given day", gt=0, le=1
    )
    scope: Literal["route", "city"] = param(
        "route",
        units="1",
        description="Macrostate of the carrier: each route territory, or the whole city",
    )

    @model_validator(mode="after")
    def _consistent(self) -> ConsolidationSpec:
        if self.delivery_days is not None and self.delivery_days > self.days:
            raise ParamError(
                "delivery_days",
                f"must be at most days={self.days}",
                self.delivery_days,
            )
        return self

    @property
    def merged_days(self) -> int:
        """D' (delivery days after temporal consolidation)."""
        return self.days if self.delivery_days is None else self.delivery_days

    @property
    def ideal(self) -> bool:
        """Whether the conservation conditions hold (then S_sys = S_0 exactly)."""
        return (
            self.locker_placement == "zone_aligned"
            and self.adoption == 1.0
            and self.catchment_radius_km is None
            and self.collection_slots == 1
            and self.trip_chaining == 0.0
            and self.locker_events == "parcel"
        )


@dataclass(frozen=True)
class Customers:
    """Customers of one city: territory, zone and position (km east/north of the station)."""

    group: np.ndarray
    zone: np.ndarray
    x_km: np.ndarray
    y_km: np.ndarray
    n_groups: int


def customers_of(table: RouteTable, missing_zone: str = "nearest") -> Customers:
    """The Dropoff stops of ``table`` (one city) as customers, routes as territories."""
    zone = impute_zones(table, missing_zone)
    keep = ~table.is_station & (zone != NO_ZONE)
    lat0 = float(np.mean(table.lat[table.is_station]))
    lng0 = float(np.mean(table.lng[table.is_station]))
    return Customers(
        group=table.stop_route[keep].astype(np.int64),
        zone=np.unique(zone[keep], return_inverse=True)[1].ravel().astype(np.int64),
        x_km=(table.lng[keep] - lng0) * KM_PER_DEGREE * math.cos(math.radians(lat0)),
        y_km=(table.lat[keep] - lat0) * KM_PER_DEGREE,
        n_groups=table.n_routes,
    )


@dataclass(frozen=True)
class ConsolidationResult:
    """Entropies (nats) and counts of one consolidation configuration of one city."""

    s_baseline_daily: float
    """Carrier entropy with no consolidation at all (original days, no lockers)."""
    s_baseline: float
    """S_0: carrier entropy after temporal consolidation only (no lockers)."""
    s_carrier: float
    s_customer: float
    s_system: float
    n_orders: int
    n_events: int
    n_adopting_events: int
    n_collection_movements: int
    n_lockers: int
    n_lockers_active: int

    @property
    def carrier_reduction(self) -> float:
        """1 − S_carrier / S_baseline_daily: the carrier's entropy saving from all consolidation."""
        return 1.0 - self.s_carrier / self.s_baseline_daily


def place_lockers(customers: Customers, spec: ConsolidationSpec, rng: np.random.Generator):
    """Locker positions (km) and each customer's locker index.

    ``rng`` is used by the ``random`` placement only.
    """
    x, y = customers.x_km, customers.y_km
    spacing = 1.0 / math.sqrt(spec.locker_density)
    x0, y0 = x.min(initial=0.0), y.min(initial=0.0)
    if spec.locker_placement == "random":
        width = max(x.max(initial=0.0) - x0, spacing)
        height = max(y.max(initial=0.0) - y0, spacing)
        count = max(1, rng.poisson(spec.locker_density * width * height))
        lockers = np.column_stack(
            [x0 + width * rng.uniform(0, 1, count), y0 + height * rng.uniform(0, 1, count)]
        )
        return lockers, cKDTree(lockers).query(np.column_stack([x, y]))[1].astype(np.int64)
    if spec.locker_placement == "grid":
        column = np.floor((x - x0) / spacing).astype(np.int64)
        row = np.floor((y - y0) / spacing).astype(np.int64)
        squares, locker = np.unique(np.column_stack([row, column]), axis=0, return_inverse=True)
        centres = np.column_stack(
            [x0 + (squares[:, 1] + 0.5) * spacing, y0 + (squares[:, 0] + 0.5) * spacing]
        )
        return centres, locker.ravel().astype(np.int64)
    # zone_aligned: a zone goes whole to the square of its centroid; locker at the zone centroids'
    # mean, so that catchments are unions of zones
    n_zones = int(customers.zone.max(initial=-1)) + 1
    size = np.bincount(customers.zone, minlength=n_zones)
    cx = np.bincount(customers.zone, weights=x, minlength=n_zones) / np.maximum(size, 1)
    cy = np.bincount(customers.zone, weights=y, minlength=n_zones) / np.maximum(size, 1)
    square = np.column_stack([np.floor((cy - y0) / spacing), np.floor((cx - x0) / spacing)]).astype(
        np.int64
    )
    used = size > 0
    catchment = np.unique(square[used], axis=0, return_inverse=True)[1].ravel()
    zone_locker = np.zeros(n_zones, dtype=np.int64)
    zone_locker[used] = catchment
    n_lockers = int(catchment.max(initial=-1)) + 1
    members = np.bincount(catchment, minlength=n_lockers)
    lockers = np.column_stack(
        [
            np.bincount(catchment, weights=cx[used], minlength=n_lockers) / members,
            np.bincount(catchment, weights=cy[used], minlength=n_lockers) / members,
        ]
    )
    return lockers, zone_locker[customers.zone]


def consolidate(
    customers: Customers, spec: ConsolidationSpec, rng: np.random.Generator
) -> ConsolidationResult:
    """Carrier, customer and system entropy of one consolidation configuration.

    Random numbers are drawn in a fixed order and amount that depends only on the number of
    customers and ``days`` (then the random lockers), so runs that differ only in α, β,
    ``delivery_days`` or the locker placement share their draws (common random numbers): α, β act
    monotonically on the same customers.
    """
    n, days = len(customers.zone), spec.days
    ordered = rng.uniform(0, 1, (n, days)) < spec.order_probability
    adopt_draw = rng.uniform(0, 1, n)
    chain_draw = rng.uniform(0, 1, (n, days))
    slot = np.floor(rng.uniform(0, 1, (n, days)) * spec.collection_slots).astype(np.int64)
    lockers, locker = place_lockers(customers, spec, rng)
    eligible = np.ones(n, dtype=bool)
    if spec.catchment_radius_km is not None:
        walk = np.hypot(customers.x_km - lockers[locker, 0], customers.y_km - lockers[locker, 1])
        eligible = walk <= spec.catchment_radius_km
    adopts = eligible & (adopt_draw < spec.adoption)

    order_customer, order_day = np.nonzero(ordered)  # row-major: by customer, then day
    merged = order_day * spec.merged_days // days
    # a customer's orders merged into one delivery day: the earliest is kept
    first = np.r_[True, (np.diff(order_customer) != 0) | (np.diff(merged) != 0)]
    group = customers.group if spec.scope == "route" else np.zeros(n, dtype=np.int64)
    n_groups = customers.n_groups if spec.scope == "route" else 1
    n_zones = int(customers.zone.max(initial=-1)) + 1
    zone = customers.zone

    s_daily = grouped_ln_multinomial(
        group[order_customer], order_day * n_zones + zone[order_customer], n_groups
    )
    customer, original_day, day = order_customer[first], order_day[first], merged[first]
    chained = chain_draw[customer, original_day] < spec.trip_chaining
    slots = slot[customer, original_day]
    # per delivery event: its territory, zone and locker
    event_group, event_zone, event_locker = group[customer], zone[customer], locker[customer]
    s_baseline = grouped_ln_multinomial(event_group, day * n_zones + event_zone, n_groups)

    adopter = adopts[customer]
    # cells (day, place): places are the zones, then the lockers
    place = np.where(adopter, n_zones + event_locker, event_zone)
    carrier_group, carrier_cell = event_group, day * (n_zones + len(lockers)) + place
    if spec.locker_events == "visit":
        visits = np.unique(np.column_stack([carrier_group[adopter], carrier_cell[adopter]]), axis=0)
        carrier_group = np.concatenate([carrier_group[~adopter], visits[:, 0]])
        carrier_cell = np.concatenate([carrier_cell[~adopter], visits[:, 1]])
    s_carrier = grouped_ln_multinomial(carrier_group, carrier_cell, n_groups)

    moves = adopter & ~chained
    batch_key = np.column_stack([event_group, day, event_locker])[moves]
    batches, batch = np.unique(batch_key, axis=0, return_inverse=True)
    move_cell = event_zone[moves] * spec.collection_slots + slots[moves]
    s_customer = grouped_ln_multinomial(batch.ravel(), move_cell, len(batches))
    return ConsolidationResult(
        s_baseline_daily=float(s_daily.sum()),
        s_baseline=float(s_baseline.sum()),
        s_carrier=float(s_carrier.sum()),
        s_customer=float(s_customer.sum()),
        s_system=float(s_carrier.sum() + s_customer.sum()),
        n_orders=int(len(first)),
        n_events=int(len(customer)),
        n_adopting_events=int(adopter.sum()),
        n_collection_movements=int(moves.sum()),
        n_lockers=len(lockers),
        n_lockers_active=len(np.unique(event_locker[adopter])),
    )
