"""Figures of Couzin runs: order parameters, entropies, 3-D snapshots and the phase diagram."""

from __future__ import annotations

import numpy as np
import xarray as xr

from sims.couzin import entropies
from sims.couzin.analysis import steady_state
from sims.couzin.hysteresis import plot_hysteresis, protocol_parameter

MILL_VIEW_THRESHOLD = 0.5  # snapshots with M above this are viewed along the milling axis


def plot_snapshot(dataset: xr.Dataset, index: int = -1, ax=None):
    """Positions and headings of one snapshot in 3-D, relative to the centre of mass.

    A milling school is viewed along its axis of rotation.

    Parameters
    ----------
    dataset : xarray.Dataset
        One Couzin run with snapshots.
    index : int
        Snapshot index (default the last).
    ax : mpl_toolkits.mplot3d.Axes3D, optional
        Axes to draw on (a new figure otherwise).
    """
    import matplotlib.pyplot as plt

    from sims.couzin.diagnostics import radial_units, unwrapped_offsets

    if ax is None:
        ax = plt.figure(figsize=(5, 5)).add_subplot(projection="3d")
    positions = dataset.positions.isel(snapshot_time=index).values
    headings = dataset.headings.isel(snapshot_time=index).values
    box = dataset.attrs.get("boundary") == "periodic"
    offsets, _ = unwrapped_offsets(positions, _box_size(dataset) if box else None)
    x, y, z = offsets.T
    ax.quiver(x, y, z, *headings.T, length=1.5, normalize=True, linewidth=0.6, color="C0")
    ax.scatter(x, y, z, s=4, color="C0")
    reach = float(np.abs(offsets).max()) + 1.0
    ax.set(xlim=(-reach, reach), ylim=(-reach, reach), zlim=(-reach, reach))
    ax.set_box_aspect((1, 1, 1))
    axis = np.cross(radial_units(offsets), headings).mean(axis=0)  # the milling axis
    if np.linalg.norm(axis) > MILL_VIEW_THRESHOLD:  # look down the axis of a mill
        axis /= np.linalg.norm(axis)
        ax.view_init(
            elev=np.degrees(np.arcsin(axis[2])), azim=np.degrees(np.arctan2(axis[1], axis[0]))
        )
    ax.set(xlabel="x − x_c (BL)", ylabel="y − y_c (BL)", zlabel="z − z_c (BL)")
    ax.set_title(f"t = {float(dataset.snapshot_time[index]):g} s")
    return ax


def _box_size(dataset: xr.Dataset) -> float:
    import yaml

    return float(yaml.safe_load(dataset.attrs["scenario"])["params"]["box_size"])


PHASE_DIAGRAM_DIMS = {"orientation_width", "attraction_width"}


def plot_run(dataset: xr.Dataset):
    """P and M against time, the entropies and OSI, and a 3-D snapshot (``entrosim plot``).

    A merged sweep over both zone widths gets :func:`plot_phase_diagram` instead, and a run (or
    a merge of members) whose zone width or noise follows a protocol gets
    :func:`~sims.couzin.hysteresis.plot_hysteresis`.

    Parameters
    ----------
    dataset : xarray.Dataset
        One Couzin run (``entrosim run`` output), or ``entrosim merge`` of a zone-width sweep.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    if PHASE_DIAGRAM_DIMS <= set(dataset.dims):
        return plot_phase_diagram(dataset)
    if protocol_parameter(dataset) is not None:
        return plot_hysteresis(dataset)

    figure = plt.figure(figsize=(13, 6.5), layout="constrained")
    grid = figure.add_gridspec(2, 2, width_ratios=(1.4, 1))
    order_axes = figure.add_subplot(grid[0, 0])
    order_axes.plot(dataset.time, dataset.polarization, label="polarization P")
    order_axes.plot(dataset.time, dataset.milling, label="milling M")
    order_axes.set(xlabel="t (s)", ylabel="order parameter", ylim=(0, 1.02))
    order_axes.legend(loc="best", fontsize="small")
    entropy_axes = figure.add_subplot(grid[1, 0])
    if "osi" in dataset:
        for name in entropies.NAMES:
            entropy_axes.plot(dataset.time, dataset[f"entropy_{name}"], lw=0.8, label=name)
        entropy_axes.plot(dataset.time, dataset.osi, "k", lw=2, label="OSI")
        if "osi_reference" in dataset:
            entropy_axes.plot(
                dataset.time, dataset.osi_reference, "k--", lw=1.5, label="OSI (paper)"
            )
        entropy_axes.legend(fontsize="x-small", ncol=3)
    entropy_axes.set(xlabel="t (s)", ylabel="normalised entropy", ylim=(0, 1.02))
    if dataset.sizes["snapshot_time"]:
        plot_snapshot(dataset, ax=figure.add_subplot(grid[:, 1], projection="3d"))
    return figure


def phase_diagram(merged: xr.Dataset) -> xr.Dataset:
    """Second-half, member-averaged P and M on the (Δr_o, Δr_a) grid of a merged sweep."""
    late = steady_state(merged)
    reduce = [dim for dim in ("time", "member") if dim in late.dims]
    return xr.Dataset(
        {
            "polarization": late.polarization.mean(reduce),
            "milling": late.milling.mean(reduce),
        }
    )


def plot_phase_diagram(merged: xr.Dataset):
    """⟨P⟩ and ⟨M⟩ over (Δr_o, Δr_a), as Fig. 3 of Couzin et al. (2002).

    Parameters
    ----------
    merged : xarray.Dataset
        ``entrosim merge`` of ``scenarios/sweeps/couzin_phase_diagram.yaml`` (dimensions
        ``orientation_width``, ``attraction_width`` and optionally ``member``).
    """
    import matplotlib.pyplot as plt

    averages = phase_diagram(merged)
    figure, axes = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
    for ax, name, label in zip(axes, ("polarization", "milling"), ("⟨P⟩", "⟨M⟩"), strict=True):
        values = averages[name].transpose("attraction_width", "orientation_width")
        image = ax.pcolormesh(
            values.orientation_width,
            values.attraction_width,
            values.values,
            vmin=0,
            vmax=1,
            cmap="viridis",
            shading="nearest",
        )
        ax.set(xlabel="Δr_o (BL)", ylabel="Δr_a (BL)", title=label)
        figure.colorbar(image, ax=ax)
    return figure
