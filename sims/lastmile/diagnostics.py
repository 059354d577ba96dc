"""Per-city summary of a last-mile run (``entrosim analyze``)."""

from __future__ import annotations

import numpy as np
import xarray as xr

SUMMARY_VARIABLES = ("n_events", "ln_w", "eta_boltzmann", "eta_shannon", "route_distance")


def city_summary(dataset: xr.Dataset) -> xr.Dataset:
    """Routes, and the mean, median and standard deviation of the per-route measures, per city.

    Parameters
    ----------
    dataset : xarray.Dataset
        A last-mile run (``entrosim run`` output) or any dataset with the same per-route
        variables and a ``route_city`` label.

    Returns
    -------
    xarray.Dataset
        Dimension ``city``; ``<variable>_mean``, ``_median`` and ``_std`` (ddof 1) with the
        variable's units, and ``n_routes``; the run's scaling fits and consolidation totals are
        carried over.
    """
    labels = dataset.route_city.values.astype(str)
    cities = np.array(list(dict.fromkeys(labels)), dtype=str)
    out = {
        "n_routes": (
            ("city",),
            np.array([(labels == city).sum() for city in cities]),
            {"units": "1", "long_name": "routes"},
        )
    }
    for name in SUMMARY_VARIABLES:
        values = dataset[name].values
        units, long_name = dataset[name].attrs["units"], dataset[name].attrs["long_name"]
        for statistic, function in (
            ("mean", np.mean),
            ("median", np.median),
            ("std", lambda v: np.std(v, ddof=1) if len(v) > 1 else np.nan),
        ):
            out[f"{name}_{statistic}"] = (
                ("city",),
                np.array([function(values[labels == city]) for city in cities]),
                {"units": units, "long_name": f"{statistic} over routes of: {long_name}"},
            )
    summary = xr.Dataset(
        out, coords={"city": ("city", cities, {"units": "1", "long_name": "metro area"})}
    )
    carried = [
        name for name in dataset.data_vars if set(dataset[name].dims) <= {"city", "fit_group"}
    ]
    summary = xr.merge([summary, dataset[carried]], join="left")
    summary.attrs = {key: dataset.attrs[key] for key in ("model", "cells") if key in dataset.attrs}
    return summary
