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
    and over the tabulated delays (a line); a red ring marks each series whose regime in the
    paper's regions (``peccary_classification``) differs from ``robust_classification``.

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
    mark_disagreements(plane, dataset)
    plane.set_title(f"CH plane (order {order}): points at the PECCARY delay, lines over delays")
    curves.set(xlabel="delay (samples)", ylabel="H (solid), C (dashed)", title="H and C vs delay")
    if labelled:
        curves.legend(fontsize="x-small", ncol=2)
    return figure


def disagreements(dataset: xr.Dataset) -> np.ndarray:
    """Whether each series' two classifications are both defined and differ (bool, series).

    All False for a run without ``robust_classification``.
    """
    if "robust_classification" not in dataset:
        return np.zeros(dataset.sizes["series"], dtype=bool)
    paper = dataset.peccary_classification.values
    robust = dataset.robust_classification.values
    return (paper >= 0) & (robust >= 0) & (paper != robust)


def mark_disagreements(plane, dataset: xr.Dataset) -> int:
    """Ring, on the CH plane ``plane``, the series where the two classifications disagree.

    Returns
    -------
    int
        Number of series ringed.
    """
    differ = disagreements(dataset)
    if differ.any():
        plane.scatter(
            dataset.peccary_entropy.values[differ],
            dataset.peccary_complexity.values[differ],
            s=160,
            facecolors="none",
            edgecolors="red",
            linewidths=1.5,
            zorder=5,
            label=f"paper's regions ≠ robust test ({int(differ.sum())})",
        )
        plane.legend(loc="lower center", fontsize="small")
    return int(differ.sum())
