"""Collective memory (Couzin et al. 2002): order parameters along a stepped parameter protocol.

A run whose zone width (or noise) follows a stepped protocol (:mod:`sims.core.protocol`) dwells at
each value in turn. :func:`dwell_means` averages P and M over the end of each dwell, labelled by
the value and by the branch (``ascending`` when the value rose into the dwell, ``descending`` when
it fell); :func:`plot_hysteresis` draws both branches against the value, with the member band of
an ensemble.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

SETTLED_FRACTION = 0.25  # the last quarter of a dwell's records is averaged
BAND_QUANTILES = (0.1, 0.5, 0.9)  # the member band: 10 %, median, 90 %
ORDER_PARAMETERS = {"polarization": "P", "milling": "M"}
AXIS_LABELS = {
    "orientation_width": "Δr_o (BL)",
    "attraction_width": "Δr_a (BL)",
    "noise": "σ (rad)",
}


def protocol_parameter(dataset: xr.Dataset) -> str | None:
    """The Couzin parameter that follows a stepped protocol in this dataset, if one does."""
    from sims.couzin import SYSTEM

    for name in SYSTEM.protocol_params:
        series = dataset.data_vars.get(name)
        if series is not None and "time" in series.dims:
            if series.attrs.get("interpolation") == "step":
                return name
    return None


def dwells(values: np.ndarray) -> list[slice]:
    """Record slices of the dwells: maximal runs of equal consecutive protocol values."""
    starts = [0, *np.flatnonzero(np.diff(values) != 0) + 1]
    ends = [*starts[1:], len(values)]
    return [slice(start, end) for start, end in zip(starts, ends, strict=True)]


def dwell_means(dataset: xr.Dataset, parameter: str | None = None) -> xr.Dataset:
    """P and M averaged over the last quarter of each dwell's records.

    A dwell's records are those at which the protocol holds its value (a record at step k shows
    the value applied from step k on), so for dwells of 100 s recorded every 1 s the average
    covers t_i + 75 s to t_i + 99 s.

    Parameters
    ----------
    dataset : xarray.Dataset
        A Couzin run with a stepped protocol, or an ``entrosim merge`` of its members
        (dimension ``member``).
    parameter : str, optional
        The protocol's parameter (by default the one found in ``dataset``).

    Returns
    -------
    xarray.Dataset
        ``polarization`` and ``milling`` (1) on dimension ``dwell`` (and ``member``), with
        coordinates ``value`` (the parameter, its own units), ``branch`` (``"ascending"`` or
        ``"descending"``; the first dwell counts as ascending) and ``start_time`` (s).
    """
    parameter = parameter or protocol_parameter(dataset)
    if parameter is None:
        raise ValueError("the dataset holds no parameter protocol")
    schedule = _schedule(dataset, parameter)
    values = np.asarray(schedule.values, dtype=float)
    pieces = dwells(values)
    means = {name: [] for name in ORDER_PARAMETERS}
    for piece in pieces:
        count = piece.stop - piece.start
        settled = slice(piece.stop - max(1, int(np.ceil(SETTLED_FRACTION * count))), piece.stop)
        for name in ORDER_PARAMETERS:
            means[name].append(dataset[name].isel(time=settled).mean("time"))
    dwell_values = np.array([values[piece.start] for piece in pieces])
    rising = np.concatenate([[True], np.diff(dwell_values) > 0])
    coordinates = {
        "value": ("dwell", dwell_values, dict(schedule.attrs)),
        "branch": (
            "dwell",
            np.where(rising, "ascending", "descending"),
            {"long_name": "direction of the protocol into the dwell", "units": "1"},
        ),
        "start_time": (
            "dwell",
            np.array([float(dataset.time[piece.start]) for piece in pieces]),
            {"units": "s", "long_name": "start of the dwell"},
        ),
    }
    result = xr.Dataset(
        {name: xr.concat(series, dim="dwell") for name, series in means.items()}
    ).assign_coords(coordinates)
    for name, symbol in ORDER_PARAMETERS.items():
        result[name].attrs = {
            "units": "1",
            "long_name": f"{symbol} averaged over the last quarter of each dwell",
        }
    return result


def branch_band(means: xr.Dataset, name: str, branch: str) -> tuple[np.ndarray, np.ndarray]:
    """Values and the (10 %, median, 90 %) member quantiles of one branch, shape (3, dwells)."""
    selected = means[name].where(means.branch == branch, drop=True)
    if "member" in selected.dims:
        bands = selected.quantile(BAND_QUANTILES, dim="member").values
    else:
        bands = np.tile(selected.values, (len(BAND_QUANTILES), 1))
    return selected.value.values, bands


def plot_hysteresis(dataset: xr.Dataset, parameter: str | None = None):
    """P and M against the protocol's parameter, ascending and descending branches apart.

    Each point is the end-of-dwell average of :func:`dwell_means`; for an ensemble the line is
    the median over members and the shaded band spans the 10 % to 90 % quantiles. A third panel
    shows the (median) P and M against time with the protocol.

    Parameters
    ----------
    dataset : xarray.Dataset
        One run with a stepped protocol, or the merge of its members.
    parameter : str, optional
        The protocol's parameter (by default the one found in ``dataset``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    parameter = parameter or protocol_parameter(dataset)
    means = dwell_means(dataset, parameter)
    members = dataset.sizes.get("member", 1)
    figure, axes = plt.subplots(1, 3, figsize=(15, 4.4), layout="constrained")
    styles = {"ascending": ("C0", "^-"), "descending": ("C3", "v--")}
    for ax, (name, symbol) in zip(axes[:2], ORDER_PARAMETERS.items(), strict=True):
        for branch, (colour, style) in styles.items():
            values, (low, median, high) = branch_band(means, name, branch)
            ax.plot(values, median, style, color=colour, label=f"{branch}")
            if members > 1:
                ax.fill_between(values, low, high, color=colour, alpha=0.2, lw=0)
        ax.set(xlabel=AXIS_LABELS.get(parameter, parameter), ylabel=symbol, ylim=(0, 1.02))
        ax.legend(loc="best", fontsize="small")
    band = f"median and 10–90 % of {members} members" if members > 1 else "one run"
    axes[0].set_title(f"end of each dwell (last quarter), {band}", fontsize="small")
    time_axes = axes[2]
    for name, symbol in ORDER_PARAMETERS.items():
        series = dataset[name]
        if "member" in series.dims:
            series = series.median("member")
        time_axes.plot(dataset.time, series, lw=0.8, label=symbol)
    time_axes.set(xlabel="t (s)", ylabel="order parameter", ylim=(0, 1.02))
    time_axes.legend(loc="upper left", fontsize="small")
    protocol_axes = time_axes.twinx()
    protocol_axes.plot(dataset.time, _schedule(dataset, parameter), "k", lw=1.2)
    protocol_axes.set(ylabel=AXIS_LABELS.get(parameter, parameter))
    return figure


def _schedule(dataset, parameter):
    """The protocol's recorded values (one member's: every member follows the same protocol)."""
    schedule = dataset[parameter]
    return schedule.isel(member=0) if "member" in schedule.dims else schedule
