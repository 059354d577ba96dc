"""Space–time diagram of a Klein–Gordon run, with its energy error and probe series."""

from __future__ import annotations

import numpy as np
import xarray as xr


def plot_run(dataset: xr.Dataset):
    """φ(x, t) as an image, the relative energy error, and the probe series.

    Parameters
    ----------
    dataset : xarray.Dataset
        One Klein–Gordon run (``entrosim run`` output).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    figure = plt.figure(figsize=(11, 6), layout="constrained")
    grid = figure.add_gridspec(2, 2, width_ratios=(1.6, 1))
    field_axes = figure.add_subplot(grid[:, 0])
    x, t = dataset.x.values, dataset.snapshot_time.values
    limit = float(np.abs(dataset.phi).max())
    image = field_axes.pcolormesh(
        x, t, dataset.phi.values, cmap="RdBu_r", vmin=-limit, vmax=limit, shading="auto"
    )
    field_axes.set(xlabel="x", ylabel="t", title=f"φ(x, t), {dataset.attrs.get('potential', '')}")
    figure.colorbar(image, ax=field_axes, label="φ")
    energy_axes = figure.add_subplot(grid[0, 1])
    energy = dataset.energy.values
    energy_axes.plot(dataset.time, np.abs(energy - energy[0]) / abs(energy[0]))
    energy_axes.set(xlabel="t", ylabel="|E − E₀| / E₀", yscale="log", title="energy error")
    probe_axes = figure.add_subplot(grid[1, 1])
    for position in dataset.probe.values:
        probe_axes.plot(
            dataset.time, dataset.probe_phi.sel(probe=position), label=f"x₀={position:g}"
        )
    probe_axes.set(xlabel="t", ylabel="φ(x₀, t)", title="probes")
    probe_axes.legend(fontsize="small")
    return figure
