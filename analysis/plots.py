"""Matplotlib figures shared by all systems: complexity–entropy plane, entropy vs time, histograms.

matplotlib is imported only when a function is called.  Every function draws
on ``ax`` when given (and returns its figure) or creates a new figure, and
returns the :class:`matplotlib.figure.Figure`.  Arguments are checked before
any figure is created, so a refused call (:class:`ValueError` naming the
argument) leaves no open figure behind.
"""

import numpy as np

from . import _checks, ordinal
from . import entropy as entropy_estimators
from .units import unit_name


def _check_axes(ax):
    """Refuse an ``ax`` that is neither None nor a matplotlib Axes."""
    from matplotlib.axes import Axes

    if ax is not None and not isinstance(ax, Axes):
        raise ValueError(f"ax: must be a matplotlib Axes or None (got {_checks.shown(ax)})")


def _check_label(label, argument="label"):
    """Refuse a ``label`` that is neither None nor a string."""
    if label is not None and not isinstance(label, str):
        raise ValueError(f"{argument}: must be a string or None (got {_checks.shown(label)})")


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
        Normalised permutation entropy and statistical complexity of the
        points (same size; NaN points are not drawn).
    order : int
        Embedding dimension used (sets the bounds and region lines; 2 to 10,
        see :data:`analysis.ordinal.plane.MAX_CURVE_POINTS`).
    labels : sequence of str, optional
        One label per point, written next to it.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    regions : bool, optional
        Draw PECCARY's region lines at ``order`` (order >= 4 only;
        :func:`analysis.ordinal.peccary_boundaries`): the verticals at H_minPer
        and H_maxPer between the curves and the straight line joining the C_max
        curve at those entropies, as the peccary package draws them, plus
        entrosim's complex/stochastic boundary beyond H_maxPer (dotted,
        :data:`analysis.ordinal.COMPLEX_FRACTION`), with the region names of
        :func:`analysis.ordinal.peccary_regions`.

    Returns
    -------
    matplotlib.figure.Figure
        The figure.

    Raises
    ------
    ValueError
        If ``entropy`` or ``complexity`` is not real or holds ±inf, if their
        sizes differ, if ``labels`` is not a list, tuple or 1-D array with one
        entry per point, if ``order`` is invalid (as for
        :func:`analysis.ordinal.ch_plane_bounds`), if ``ax`` is not an Axes or
        if ``regions`` is not a bool.
    """
    bounds = ordinal.ch_plane_bounds(order)
    entropy = np.ravel(_checks.floats_or_nan(entropy, "entropy"))
    complexity = np.ravel(_checks.floats_or_nan(complexity, "complexity"))
    if entropy.size != complexity.size:
        raise ValueError(f"complexity: {complexity.size} points, but entropy has {entropy.size}")
    if labels is not None and not (
        isinstance(labels, list | tuple) or (isinstance(labels, np.ndarray) and labels.ndim == 1)
    ):
        raise ValueError(f"labels: must be a sequence of labels (got {_checks.shown(labels)})")
    if labels is not None and len(labels) != entropy.size:
        raise ValueError(f"labels: {len(labels)} labels for {entropy.size} points")
    regions = _checks.flag(regions, "regions")
    _check_axes(ax)
    figure, ax = _figure_and_axes(ax)
    ax.plot(bounds.min_entropy, bounds.min_complexity, color="0.4", lw=1)
    ax.plot(bounds.max_entropy, bounds.max_complexity, color="0.4", lw=1)
    if regions and order >= 4:
        lines = ordinal.peccary_boundaries(order)
        verticals = (
            (lines.periodic_min_entropy, lines.periodic_min_min_complexity),
            (lines.periodic_max_entropy, lines.periodic_max_min_complexity),
        )
        for h, low in verticals:
            high = lines.joining_line(h)
            ax.plot([h, h], [low, high], color="0.5", ls="--", lw=1)
        joined = np.array([lines.periodic_min_entropy, lines.periodic_max_entropy])
        ax.plot(joined, lines.joining_line(joined), color="0.5", ls="--", lw=1)
        h_split = np.linspace(lines.periodic_max_entropy, 1.0, 200)
        low, high = ordinal.complexity_bounds_at(h_split, order)
        ax.plot(h_split, low + ordinal.COMPLEX_FRACTION * (high - low), color="0.6", ls=":", lw=1)
        middle = 0.5 * (lines.periodic_min_entropy + lines.periodic_max_entropy)
        top = float(bounds.max_complexity.max())
        ax.text(middle, float(lines.joining_line(middle)) + 0.02 * top, "periodic", ha="right")
        middle_low = float(ordinal.complexity_bounds_at(middle, order)[0])
        regular_height = 0.5 * (middle_low + float(lines.joining_line(middle)))
        ax.text(middle, regular_height, "regular", ha="center", va="center")
        ax.text(0.5 * (lines.periodic_max_entropy + 1.0), 0.95 * top, "complex", ha="center")
        ax.text(0.97, 0.05 * top, "stochastic", ha="right")
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
        Real values along ``dim`` (NaN leaves a gap; ±inf is refused); if it
        has ``member_dim``, the mean over members is drawn with a shaded band
        of ± one standard deviation (ddof=0).  Any other dimension must have
        been reduced beforehand.
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

    Raises
    ------
    ValueError
        If ``data`` is not a DataArray of real values without ±inf, if it has
        no dimension ``dim``, an empty ``member_dim``, or dimensions other
        than ``dim`` and ``member_dim``; if ``member_dim`` or ``label`` is not
        a string (``label`` may be None); or if ``ax`` is not an Axes.
    """
    import xarray as xr

    if not isinstance(data, xr.DataArray):
        raise ValueError(f"data: must be an xarray DataArray (got {_checks.shown(data)})")
    _checks.floats_or_nan(data.values, "data")
    if not isinstance(dim, str) or dim not in data.dims:
        raise ValueError(f"dim: {_checks.shown(dim)} not among the dimensions {tuple(data.dims)}")
    if not isinstance(member_dim, str):
        raise ValueError(f"member_dim: must be a string (got {_checks.shown(member_dim)})")
    _check_label(label)
    _check_axes(ax)
    extra = [d for d in data.dims if d not in (dim, member_dim)]
    if extra:
        raise ValueError(f"data: reduce the dimensions {extra} before plotting")
    if member_dim in data.dims and data.sizes[member_dim] == 0:
        raise ValueError(f"data: dimension {member_dim!r} (member_dim) is empty")
    figure, ax = _figure_and_axes(ax)
    time = data[dim].values
    label = label or data.attrs.get("long_name", data.name)
    if member_dim in data.dims:
        scale = float(_checks.power_of_two_scale(np.nan_to_num(data.values)))  # exact: no overflow
        mean = (data / scale).mean(member_dim).values * scale
        spread = (data / scale).std(member_dim).values * scale
        (line,) = ax.plot(time, mean, label=f"{label} (mean of {data.sizes[member_dim]})")
        with np.errstate(over="ignore"):  # a band edge beyond ±1.8e308 is drawn at the axis edge
            ax.fill_between(time, mean - spread, mean + spread, color=line.get_color(), alpha=0.3)
    else:
        ax.plot(time, data.values, label=label)
    time_units = unit_name(data[dim].attrs) if "units" in data[dim].attrs else None
    ax.set_xlabel(f"{dim} [{time_units}]" if time_units else dim)
    units = unit_name(data.attrs) if "units" in data.attrs else None
    ax.set_ylabel(f"{data.name or 'value'} [{units}]" if units else str(data.name or "value"))
    ax.legend()
    return figure


def plot_histogram(samples, bins=50, ax=None, base=None, label=None):
    """Plot a histogram of samples with its discrete Shannon entropy in the legend.

    Parameters
    ----------
    samples : array_like
        Finite samples (flattened; at least one).
    bins : int or sequence, optional
        Number of bins (1 to :data:`analysis._checks.MAX_HISTOGRAM_BINS`) or
        strictly increasing edges, as for :func:`numpy.histogram`.
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

    Raises
    ------
    ValueError
        If ``samples`` is not real, is empty, holds NaN or ±inf or spans more
        than float64 can hold; if ``bins`` is not a valid count or edges; if no
        sample lies inside the edges; if ``base`` is not a finite number > 1;
        if ``label`` is neither None nor a string; or if ``ax`` is not an Axes.
    """
    _check_label(label)
    _check_axes(ax)
    samples = np.ravel(_checks.finite_floats(samples, "samples"))
    if samples.size == 0:
        raise ValueError("samples: needs at least one sample (got none)")
    with np.errstate(over="ignore"):
        spread = samples.max() - samples.min()
    if not np.isfinite(spread):
        raise ValueError("samples: spread max - min overflows float64")
    bins = _checks.bin_count_or_edges(bins, "bins")
    try:
        counts, edges = np.histogram(samples, bins=bins)
    except ValueError as error:  # bins too narrow for float64 at the samples' magnitude
        raise ValueError(f"bins: cannot be resolved at the samples' magnitude ({error})") from None
    if not counts.any():
        raise ValueError("samples: none lies inside the bins")
    value = entropy_estimators.shannon_entropy(counts, base=base)
    figure, ax = _figure_and_axes(ax)
    unit = "bit" if base == 2 else "nat"
    prefix = f"{label}: " if label else ""
    with np.errstate(over="ignore"):  # matplotlib sums the edges; near ±1e308 that overflows
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
