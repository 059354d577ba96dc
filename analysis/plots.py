"""Matplotlib figures shared by all systems: complexity–entropy plane, entropy vs time, histograms.

matplotlib is imported only when a function is called.  Every function draws
on ``ax`` when given (and returns its figure) or creates a new figure, and
returns the :class:`matplotlib.figure.Figure`.
"""

import numpy as np

from . import entropy as entropy_estimators
from . import ordinal


def _figure_and_axes(ax, figsize=(6.0, 4.5)):
    import matplotlib.pyplot as plt

    if ax is None:
        figure, ax = plt.subplots(figsize=figsize, layout="constrained")
        return figure, ax
    return ax.figure, ax


def plot_complexity_entropy(entropy, complexity, order, labels=None, ax=None, regions=True):
    """Plot points on the complexity–entropy plane with its bounds and PECCARY regions.

    Parameters
    ----------
    entropy, complexity : array_like
        Normalised permutation entropy and statistical complexity of the points.
    order : int
        Embedding dimension used (sets the bounds and region lines).
    labels : sequence of str, optional
        One label per point, written next to it.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    regions : bool, optional
        Draw PECCARY's periodic-entropy lines (H_min, H_max) and the
        complex/stochastic boundary of :func:`analysis.ordinal.classify`
        (order >= 4 only), with region names.

    Returns
    -------
    matplotlib.figure.Figure
        The figure.
    """
    figure, ax = _figure_and_axes(ax)
    bounds = ordinal.ch_plane_bounds(order)
    ax.plot(bounds.min_entropy, bounds.min_complexity, color="0.4", lw=1)
    ax.plot(bounds.max_entropy, bounds.max_complexity, color="0.4", lw=1)
    if regions and order >= 4:
        periodic_min, periodic_max = ordinal.periodic_entropy_bounds(order)
        for h in (periodic_min, periodic_max):
            low = np.interp(h, bounds.min_entropy, bounds.min_complexity)
            high = np.interp(h, bounds.max_entropy, bounds.max_complexity)
            ax.plot([h, h], [low, high], color="0.6", ls="--", lw=1)
        h_line = np.linspace(periodic_max, 1.0, 200)
        low = np.interp(h_line, bounds.min_entropy, bounds.min_complexity)
        high = np.interp(h_line, bounds.max_entropy, bounds.max_complexity)
        ax.plot(h_line, low + ordinal.COMPLEX_FRACTION * (high - low), color="0.6", ls=":", lw=1)
        top = float(bounds.max_complexity.max())
        ax.text(0.5 * (periodic_min + periodic_max), 0.05 * top, "regular", ha="center")
        ax.text(0.5 * (periodic_max + 1.0), 0.95 * top, "complex", ha="center")
        ax.text(0.97, 0.05 * top, "stochastic", ha="right")
    entropy = np.atleast_1d(np.asarray(entropy, dtype=float))
    complexity = np.atleast_1d(np.asarray(complexity, dtype=float))
    ax.scatter(entropy, complexity, zorder=3)
    if labels is not None:
        for h, c, label in zip(entropy, complexity, labels, strict=True):
            ax.annotate(str(label), (h, c), textcoords="offset points", xytext=(4, 4))
    ax.set_xlim(0.0, 1.02)
    ax.set_ylim(0.0, None)
    ax.set_xlabel("normalized permutation entropy H")
    ax.set_ylabel("statistical complexity C")
    ax.set_title(f"complexity-entropy plane (order {order})")
    return figure


def plot_entropy_time(data, dim="time", member_dim="member", ax=None, label=None):
    """Plot an entropy (or any) time series, with the ensemble mean ± one std band.

    Parameters
    ----------
    data : xarray.DataArray
        Values along ``dim``; if it has ``member_dim``, the mean over members
        is drawn with a shaded band of ± one standard deviation (ddof=0).
        Any other dimension must have been reduced beforehand.
    dim : str, optional
        Time dimension (x axis; its coordinate is used when present).
    member_dim : str, optional
        Ensemble dimension.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    label : str, optional
        Legend label (default: the variable's ``long_name`` or name).

    Returns
    -------
    matplotlib.figure.Figure
        The figure.
    """
    figure, ax = _figure_and_axes(ax)
    if dim not in data.dims:
        raise ValueError(f"dim: {dim!r} not among the dimensions {tuple(data.dims)}")
    extra = [d for d in data.dims if d not in (dim, member_dim)]
    if extra:
        raise ValueError(f"data: reduce the dimensions {extra} before plotting")
    time = data[dim].values
    label = label or data.attrs.get("long_name", data.name)
    if member_dim in data.dims:
        mean = data.mean(member_dim).values
        spread = data.std(member_dim).values
        (line,) = ax.plot(time, mean, label=f"{label} (mean of {data.sizes[member_dim]})")
        ax.fill_between(time, mean - spread, mean + spread, color=line.get_color(), alpha=0.3)
    else:
        ax.plot(time, data.values, label=label)
    time_units = data[dim].attrs.get("units")
    ax.set_xlabel(f"{dim} [{time_units}]" if time_units else dim)
    units = data.attrs.get("units")
    ax.set_ylabel(f"{data.name or 'value'} [{units}]" if units else str(data.name or "value"))
    ax.legend()
    return figure


def plot_histogram(samples, bins=50, ax=None, base=None, label=None):
    """Plot a histogram of samples with its discrete Shannon entropy in the legend.

    Parameters
    ----------
    samples : array_like
        1-D samples (flattened).
    bins : int or sequence, optional
        Bins, as for :func:`numpy.histogram`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    base : float, optional
        None for nats, 2 for bits.
    label : str, optional
        Legend prefix.

    Returns
    -------
    matplotlib.figure.Figure
        The figure.
    """
    figure, ax = _figure_and_axes(ax)
    samples = np.ravel(np.asarray(samples, dtype=float))
    counts, edges = np.histogram(samples, bins=bins)
    value = entropy_estimators.shannon_entropy(counts, base=base)
    unit = "bit" if base == 2 else "nat"
    prefix = f"{label}: " if label else ""
    ax.stairs(
        counts,
        edges,
        fill=True,
        alpha=0.6,
        label=f"{prefix}H = {value:.4g} {unit} ({counts.size} bins)",
    )
    ax.set_ylabel("count")
    ax.legend()
    return figure
