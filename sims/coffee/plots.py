"""The standard coffee-automaton figure: estimates over time and snapshots at start, peak, end."""

from __future__ import annotations

import xarray as xr

from analysis.units import unit_name


def plot_run(dataset: xr.Dataset):
    """Entropy and complexity estimates against time, and fine/coarse snapshots.

    Parameters
    ----------
    dataset : xarray.Dataset
        One coffee run (``entrosim run`` output).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    has_snapshots = "cream" in dataset
    figure = plt.figure(figsize=(12, 7.5 if has_snapshots else 3.8), layout="constrained")
    rows = 3 if has_snapshots else 1
    grid = figure.add_gridspec(rows, 3)
    time = dataset.time.where(dataset.time > 0)
    units = unit_name(dataset.time.attrs)
    entropy_axes = figure.add_subplot(grid[0, 0])
    complexity_axes = figure.add_subplot(grid[0, 1:])
    for compressor in dataset.compressor.values:
        excess = dataset.entropy_estimate.sel(compressor=compressor) - dataset.entropy_baseline.sel(
            compressor=compressor
        )
        entropy_axes.plot(time, excess, label=str(compressor))
        for method, style in zip(dataset.coarse_graining.values, ("-", "--"), strict=True):
            complexity = dataset.complexity_estimate.sel(
                compressor=compressor, coarse_graining=method
            )
            baseline = dataset.complexity_baseline.sel(
                compressor=compressor, coarse_graining=method
            )
            complexity_axes.plot(
                time, complexity - baseline, style, label=f"{compressor}, {method}"
            )
    entropy_axes.set(
        xscale="log",
        xlabel=f"time ({units}s)",
        ylabel="bytes above baseline",
        title="entropy estimate (fine grid)",
    )
    complexity_axes.set(
        xscale="log",
        xlabel=f"time ({units}s)",
        ylabel="bytes above baseline",
        title="apparent complexity (coarse grid)",
    )
    entropy_axes.legend(fontsize="small")
    complexity_axes.legend(fontsize="small", ncol=2)
    if has_snapshots:
        # fixed colour ranges: a uniform grid keeps its colour (the mixed end state, all in the
        # middle bucket, is not drawn as pure coffee)
        fine_range = {"vmin": 0, "vmax": max(1, int(dataset.cream.max()))}
        from sims.coffee.model import CoffeeParams  # files written before `buckets` was stored

        buckets = dataset.attrs.get("buckets", CoffeeParams.model_fields["buckets"].default)
        coarse_range = {"vmin": 0, "vmax": int(buckets) - 1}
        peak = int(dataset.complexity_estimate.isel(compressor=0, coarse_graining=0).argmax("time"))
        for column, (label, index) in enumerate(
            (("start", 0), ("complexity peak", peak), ("end", dataset.sizes["time"] - 1))
        ):
            snapshot = dataset.isel(time=index)
            when = f"{label}, t={float(snapshot.time):.3g}"
            fine = figure.add_subplot(grid[1, column])
            fine.imshow(snapshot.cream, cmap="copper", interpolation="nearest", **fine_range)
            fine.set(title=f"fine: {when}", xticks=[], yticks=[])
            coarse = figure.add_subplot(grid[2, column])
            coarse.imshow(
                snapshot.coarse.isel(coarse_graining=0),
                cmap="copper",
                interpolation="nearest",
                **coarse_range,
            )
            coarse.set(title=f"coarse ({dataset.coarse_graining.values[0]})", xticks=[], yticks=[])
    figure.suptitle(dataset.attrs.get("title", "coffee automaton"))
    return figure
