"""``entrosim analyze`` for Couzin runs: steady-state averages and the collective state."""

from __future__ import annotations

import numpy as np
import xarray as xr

from analysis.ordinal import permutation_entropy
from sims.core.output import NAN_MEANING, THEMATIC_CLASSIFICATION
from sims.couzin import diagnostics

PERMUTATION_ORDER = 4
CUMULATIVE = {"perceived_pairs"}  # counters since t = 0: no steady-state average


def steady_state(dataset: xr.Dataset) -> xr.Dataset:
    """The second half of the records (the paper's regimes are judged after the transient)."""
    return dataset.isel(time=slice(dataset.sizes["time"] // 2, None))


def analyze_run(dataset: xr.Dataset) -> xr.Dataset:
    """Steady-state summary of one run: second-half averages, regime, permutation entropies.

    Second-half mean and standard deviation of every time series, the regime, and the
    permutation entropy (order 4) of the polarization and milling series.

    Parameters
    ----------
    dataset : xarray.Dataset
        One Couzin run.

    Returns
    -------
    xarray.Dataset
        ``<name>_mean`` and ``<name>_std`` for each time series, ``regime`` (a string) and
        ``polarization_permutation_entropy``, ``milling_permutation_entropy``.
    """
    late = steady_state(dataset)
    variables = {}
    for name, series in late.data_vars.items():
        if series.dims != ("time",) or name in CUMULATIVE:
            continue
        attrs = series.attrs
        variables[f"{name}_mean"] = series.mean("time").assign_attrs(
            units=attrs["units"], long_name=f"second-half mean of {attrs['long_name']}"
        )
        variables[f"{name}_std"] = series.std("time").assign_attrs(
            units=attrs["units"],
            long_name=f"second-half standard deviation of {attrs['long_name']}",
        )
    for name in ("polarization", "milling"):
        values = late[name].values
        entropy = (
            permutation_entropy(values, order=PERMUTATION_ORDER)
            if values.size > PERMUTATION_ORDER
            else np.nan
        )
        variables[f"{name}_permutation_entropy"] = xr.DataArray(
            entropy,
            attrs={
                "units": "1",
                "long_name": f"normalised permutation entropy (order {PERMUTATION_ORDER}) of "
                f"the second-half {name} series",
                NAN_MEANING: f"at most {PERMUTATION_ORDER} second-half records",
            },
        )
    state = diagnostics.regime(float(late.polarization.mean()), float(late.milling.mean()))
    variables["regime"] = xr.DataArray(
        state,
        attrs={
            "units": "1",
            "long_name": "collective state from second-half P and M",
            **THEMATIC_CLASSIFICATION,
        },
    )
    return xr.Dataset(variables)
