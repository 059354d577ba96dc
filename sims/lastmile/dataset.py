"""Assemble a last-mile run's record into an xarray Dataset with units on everything."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np
import xarray as xr

from sims.core.output import NAN_MEANING
from sims.lastmile.consolidation import ConsolidationResult

AMAZON_LICENCE = (
    "Amazon Last Mile Routing Research Challenge data, CC BY-NC 4.0 "
    "(Merchan et al., Transportation Science 58(1):8-11, doi:10.1287/trsc.2022.1173)"
)
MODEL_LABEL = (
    "reconstructed model (Gerrits & van Heeswijk 2026, arXiv 2605.00008, from the abstract and "
    "the entrosim reference notes); not a replication of the paper's numbers"
)
NAT = "nat"
NO_FIT = "no fit: fewer than 3 routes with positive entropy and length (R^2: or equal lengths)"

ROUTE_VARIABLES = {
    "n_events": ("1", "delivery events N of the route"),
    "n_cells_occupied": ("1", "occupied cells M+"),
    "n_cells_normalisation": ("1", "cell count M of the normalisations"),
    "ln_w": (NAT, "structural entropy ln W, W = N!/prod n_i!"),
    "ln_w_max": (NAT, "ln W_max, most even split of N over M cells"),
    "n_times_h": (NAT, "Shannon dual N*H (upper bound of ln W)"),
    "ln_w_lower": (NAT, "lower bound N*H - (M+ - 1) ln(N + 1) of ln W"),
    "ln_w_stirling": (
        NAT,
        "second-order Stirling form N*H - (1/2)[(M+ - 1) ln(2 pi N) + sum ln p_i]",
    ),
    "eta_boltzmann": ("1", "normalised entropy ln W / ln W_max"),
    "eta_shannon": ("1", "normalised entropy H / ln M"),
}
CITY_VARIABLES = {
    "s_baseline_daily": (NAT, "carrier entropy without any consolidation"),
    "s_baseline": (NAT, "carrier entropy S_0 after temporal consolidation only"),
    "s_carrier": (NAT, "carrier entropy with consolidation"),
    "s_customer": (NAT, "customer (collection movement) entropy"),
    "s_system": (NAT, "system entropy S_carrier + S_customer"),
    "n_orders": ("1", "orders over the horizon"),
    "n_events": ("1", "carrier delivery events after temporal consolidation"),
    "n_adopting_events": ("1", "delivery events consigned to lockers"),
    "n_collection_movements": ("1", "customer collection movements (not chained)"),
    "n_lockers": ("1", "lockers placed"),
    "n_lockers_active": ("1", "lockers receiving parcels"),
}
FIT_VARIABLES = {
    "scaling_exponent": ("1", "exponent b of distance = a * (ln W)^b (log-log OLS)"),
    "scaling_exponent_low": ("1", "lower end of the 95% confidence interval of b"),
    "scaling_exponent_high": ("1", "upper end of the 95% confidence interval of b"),
    "scaling_prefactor": (None, "prefactor a of distance = a * (ln W)^b"),
    "scaling_r_squared": ("1", "R^2 of the log-log fit"),
    "scaling_n_routes": ("1", "routes in the fit"),
}
SIZE_FIT_VARIABLES = {  # the same fit against N, to compare predictors
    "size_scaling_exponent": ("1", "exponent of distance = a * N^b (log-log OLS)"),
    "size_scaling_exponent_low": ("1", "lower end of the 95% confidence interval"),
    "size_scaling_exponent_high": ("1", "upper end of the 95% confidence interval"),
    "size_scaling_prefactor": (None, "prefactor a of distance = a * N^b"),
    "size_scaling_r_squared": ("1", "R^2 of the log-log fit against N"),
}


def assemble(model, record: dict[str, Any]) -> xr.Dataset:
    """The run's dataset: dims ``route``, ``city`` and ``fit_group`` (the cities and pooled).

    Parameters
    ----------
    model : LastMileModel
        The model that produced ``record``.
    record : dict
        Its observation (:meth:`LastMileModel.observe`).
    """
    params, table = model.params, model.table
    distance_units = "km" if params.distance.mode == "haversine" else "s"
    entropy = record["entropy"]
    variables = {
        name: (("route",), getattr(entropy, name), {"units": units, "long_name": long_name})
        for name, (units, long_name) in ROUTE_VARIABLES.items()
    }
    variables["route_distance"] = (
        ("route",),
        record["distance"],
        {
            "units": distance_units,
            "long_name": ("closed-tour" if params.distance.include_stem else "between-Dropoff")
            + f" {params.distance.mode} length along the driven sequence"
            + (f" x circuity {params.distance.circuity:g}" if distance_units == "km" else ""),
            NAN_MEANING: "no travel times for this route",
        },
    )
    variables["route_id"] = (("route",), table.route_id.astype(str), _text("route id"))
    variables["station_code"] = (("route",), table.station_code.astype(str), _text("station code"))
    variables["route_city"] = (("route",), record["route_city"].astype(str), _text("metro area"))
    variables["n_stops"] = (
        ("route",),
        np.diff(table.stop_offsets),
        {"units": "1", "long_name": "stops of the route, station included"},
    )
    results: list[ConsolidationResult] = record["consolidation"]
    for item in fields(ConsolidationResult):
        units, long_name = CITY_VARIABLES[item.name]
        name = "n_delivery_events" if item.name == "n_events" else item.name
        values = np.array([getattr(result, item.name) for result in results])
        variables[name] = (("city",), values, {"units": units, "long_name": long_name})
    variables["carrier_reduction"] = (
        ("city",),
        np.array([result.carrier_reduction for result in results]),
        {
            "units": "1",
            "long_name": "carrier entropy reduction 1 - S_carrier / S_baseline_daily",
            NAN_MEANING: "the city's baseline carrier entropy is 0",
        },
    )
    fits = record["fits"]
    for key, table_of_names in (("fits", FIT_VARIABLES), ("size_fits", SIZE_FIT_VARIABLES)):
        for position, (name, (units, long_name)) in enumerate(table_of_names.items()):
            values = np.array([fit[position] for fit in record[key].values()])
            units = units or distance_units  # a = distance / x^b, x a number (ln W or N)
            attrs = {"units": units, "long_name": long_name, NAN_MEANING: NO_FIT}
            variables[name] = (("fit_group",), values, attrs)
    coordinates = {
        "route": ("route", np.arange(table.n_routes), {"units": "1", "long_name": "route index"}),
        "city": ("city", np.array(record["cities"], dtype=str), _text("metro area")),
        "fit_group": ("fit_group", np.array(list(fits), dtype=str), _text("city or pooled")),
    }
    consolidation = params.consolidation
    attrs = {
        "model": MODEL_LABEL,
        "data_source": params.source,
        "cells": params.structure.cells,
        "event_unit": params.structure.event_unit,
        "missing_zone": params.structure.missing_zone,
        "normalisation_cells": params.structure.normalisation_cells,
        "distance_mode": params.distance.mode,
        "circuity": params.distance.circuity,
        "include_stem": np.int8(params.distance.include_stem),
        "consolidation_ideal": np.int8(consolidation.ideal),
        "conservation": "S_system == S_baseline exactly when consolidation_ideal == 1",
    }
    if params.source == "amazon":
        attrs["data_licence"] = AMAZON_LICENCE
    attrs.update(geospatial_extent(table.lat, table.lng))
    return xr.Dataset(variables, coords=coordinates, attrs=attrs)


def geospatial_extent(latitude: np.ndarray, longitude: np.ndarray) -> dict[str, Any]:
    """ACDD bounding box of the stops (degrees north and east); empty without located stops."""
    located = np.isfinite(latitude) & np.isfinite(longitude)
    if not located.any():
        return {}
    latitude, longitude = latitude[located], longitude[located]
    return {
        "geospatial_lat_min": float(latitude.min()),
        "geospatial_lat_max": float(latitude.max()),
        "geospatial_lon_min": float(longitude.min()),
        "geospatial_lon_max": float(longitude.max()),
        "geospatial_lat_units": "degree_north",
        "geospatial_lon_units": "degree_east",
    }


def _text(long_name: str) -> dict[str, str]:
    return {"units": "1", "long_name": long_name}
