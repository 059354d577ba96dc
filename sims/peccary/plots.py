"""The complexity–entropy plane of a PECCARY run (``entrosim plot``)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from analysis.plots import plot_complexity_entropy

MAX_LABELLED_SERIES = 16
"""Series are labelled on the plane only up to this many (a survey draws points only)."""


def plot_run(dataset: xr.Dataset):
    """Draw the CH plane of a run and H, C against the delay.

    The plane shows the bounds, the PECCARY regions, each series at its PECCARY delay (a point)
    and over the tabulated delays (a line).

    Parameters
    ----------
    dataset : xarray.Dataset
        A PECCARY run (``entrosim run`` output).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    order = int(dataset.attrs["order"])
    figure, (plane, curves) = plt.subplots(
        1, 2, figsize=(12, 5), layout="constrained", width_ratios=(1.3, 1)
    )
    n_series = dataset.sizes["series"]
    labelled = n_series <= MAX_LABELLED_SERIES
    labels = [str(name) for name in dataset.series.values] if labelled else None
    plot_complexity_entropy(
        dataset.peccary_entropy.values,
        dataset.peccary_complexity.values,
        order,
        labels=labels,
        ax=plane,
    )
    colours = plt.get_cmap("tab10" if labelled else "viridis")(np.linspace(0, 1, max(n_series, 2)))
    delay = dataset.delay.values
    for index in range(n_series):
        entropy = dataset.permutation_entropy.values[index]
        complexity = dataset.statistical_complexity.values[index]
        colour = colours[index % len(colours)]
        plane.plot(entropy, complexity, color=colour, lw=0.8, alpha=0.6)
        curves.plot(delay, entropy, color=colour, lw=1, label=labels[index] if labelled else None)
        curves.plot(delay, complexity, color=colour, lw=1, ls="--")
    plane.set_title(f"CH plane (order {order}): points at the PECCARY delay, lines over delays")
    curves.set(xlabel="delay (samples)", ylabel="H (solid), C (dashed)", title="H and C vs delay")
    if labelled:
        curves.legend(fontsize="x-small", ncol=2)
    return figure
