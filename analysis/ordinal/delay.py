"""PECCARY's sampling rule: natural timescale of a series and the recommended delay."""

import math
import warnings

import numpy as np

from .. import _checks
from .patterns import _check_nan_policy, _check_order

NATURAL_TIMESCALE_METHODS = ("crossings", "minima", "maxima")
"""Methods of :func:`natural_timescale`."""

PECCARY_PATTERN_FRACTION = 0.4
"""Default pattern time / natural time of :func:`recommended_delay` (docs' 0.3–0.5 range)."""

PECCARY_MIN_DURATION_RATIO = 1.5
"""Minimum series duration / natural timescale recommended by PECCARY."""


def _series(x, nan):
    """``x`` as float64 checked 1-D, real, free of ±inf (and of NaN unless ``nan="split"``)."""
    if _check_nan_policy(nan) == "split":
        x = _checks.floats_or_nan(x, "x")
    else:
        x = _checks.finite_floats(x, "x")
    if x.ndim != 1 or x.size < 3:
        raise ValueError(f"x: must be 1-D with at least 3 samples (got shape {x.shape})")
    return x


def _finite_pairs(x):
    """Whether each pair of successive samples ``(x[i], x[i+1])`` lies in one finite segment."""
    finite = np.isfinite(x)
    return finite[1:] & finite[:-1]


def _longest_finite_segment(x):
    """Length of the longest run of finite samples of ``x`` (samples)."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], np.isfinite(x), [0])).astype(np.int8)))
    return int(np.max(edges[1::2] - edges[::2], initial=0))


def natural_timescale(x, dt=1.0, method="crossings", nan="refuse"):
    """Return an estimate of the natural (dominant) timescale of a 1-D series.

    Parameters
    ----------
    x : array_like, shape (n,)
        Real-valued, finite series (NaN gaps allowed with ``nan="split"``).
    dt : float, optional
        Sampling interval, finite and > 0 (the result has its units).
    method : {"crossings", "minima", "maxima"}, optional
        ``"crossings"``: duration ``(n−1)·dt`` divided by half the number of
        crossings of the mean (biased low by up to one half-period over the
        duration: a sine of period 7 sampled 100 s gives 6.896);
        ``"minima"``/``"maxima"``: mean spacing of strict local minima/maxima.
    nan : {"refuse", "split"}, optional
        ``"split"``: the series is cut at its NaN into finite segments; crossings of
        the mean of all finite samples and their duration, or the spacings of
        extrema, are taken within segments and pooled (a gap is neither a crossing
        nor part of a spacing).

    Returns
    -------
    float
        Natural timescale in units of ``dt``.

    Raises
    ------
    ValueError
        If ``x`` is not real, not 1-D, holds ±inf or NaN (unless ``nan="split"``)
        or has fewer than 3 samples; if ``dt`` is not finite and > 0; if
        ``method`` or ``nan`` is unknown; if there are fewer than 2
        crossings/extrema; or if the timescale overflows float64 (a huge ``dt``).
    """
    x = _series(x, nan)
    dt = _checks.positive_scalar(dt, "dt")
    if not (isinstance(method, str) and method in NATURAL_TIMESCALE_METHODS):
        raise ValueError(
            f"method: must be one of {NATURAL_TIMESCALE_METHODS} (got {_checks.shown(method)})"
        )
    pairs = _finite_pairs(x)
    if method == "crossings":
        finite = x[np.isfinite(x)]
        if finite.size == 0:
            raise ValueError("x: fewer than 2 mean crossings; no natural timescale")
        scale = _checks.power_of_two_scale(finite)  # exact, so the mean cannot overflow
        above = x / scale >= (finite / scale).mean()
        n_crossings = int(np.count_nonzero((above[1:] != above[:-1]) & pairs))
        if n_crossings < 2:
            raise ValueError("x: fewer than 2 mean crossings; no natural timescale")
        timescale = int(np.count_nonzero(pairs)) * dt / (n_crossings / 2.0)
    else:
        sign = -1.0 if method == "minima" else 1.0
        y = sign * x
        peaks = np.flatnonzero((y[1:-1] > y[:-2]) & (y[1:-1] > y[2:])) + 1
        segment = np.cumsum(~np.isfinite(x))  # segment label of every sample
        same_segment = segment[peaks[1:]] == segment[peaks[:-1]]
        if not same_segment.any():
            raise ValueError(f"x: fewer than 2 local {method}; no natural timescale")
        timescale = float(np.mean(np.diff(peaks)[same_segment])) * dt
    if not math.isfinite(timescale):
        raise ValueError(f"dt: {dt:g} makes the natural timescale overflow float64")
    return timescale


def recommended_delay(
    x, order=5, dt=1.0, pattern_fraction=PECCARY_PATTERN_FRACTION, method="crossings", nan="refuse"
):
    """Return the PECCARY delay whose pattern time is a fraction of the natural timescale.

    The pattern time is ``t_pat = delay · dt · (order − 1)``; PECCARY recommends
    ``0.3 <= t_pat / t_nat <= 0.5`` and a duration ``t_dur >= 1.5 t_nat``.  The
    delay is ``round(pattern_fraction · t_nat / (dt · (order − 1)))``, at least 1.

    Parameters
    ----------
    x : array_like, shape (n,)
        Real-valued, finite series (NaN gaps allowed with ``nan="split"``).
    order : int, optional
        Embedding dimension (default 5).
    dt : float, optional
        Sampling interval, finite and > 0.
    pattern_fraction : float, optional
        Target ``t_pat / t_nat`` (default 0.4), finite and > 0.
    method : str, optional
        Natural-timescale method of :func:`natural_timescale`.
    nan : {"refuse", "split"}, optional
        As for :func:`natural_timescale`; the duration is then that of the finite
        segments, and the window must fit in the longest one.

    Returns
    -------
    int
        The recommended delay in samples.

    Raises
    ------
    ValueError
        As for :func:`natural_timescale`; if ``order`` is not an integer >= 2;
        or if ``pattern_fraction`` is not finite and > 0 or gives a delay of
        ``2**53`` samples or more.

    Warns
    -----
    UserWarning
        If the duration is below 1.5 natural timescales, if ``pattern_fraction``
        is outside [0.3, 0.5], or if the series is too short for the delay.
    """
    order = _check_order(order)
    pattern_fraction = _checks.positive_scalar(pattern_fraction, "pattern_fraction")
    x = _series(x, nan)
    timescale = natural_timescale(x, dt=dt, method=method, nan=nan)
    delay_samples = pattern_fraction * timescale / (float(dt) * (order - 1))
    if not delay_samples < _checks.EXACT_INTEGER_LIMIT:
        raise ValueError(
            f"pattern_fraction: {pattern_fraction:g} gives a delay of {delay_samples:.3g} "
            "samples, beyond 2**53"
        )
    pairs = _finite_pairs(x)
    duration = int(np.count_nonzero(pairs)) * float(dt)
    if duration < PECCARY_MIN_DURATION_RATIO * timescale:
        warnings.warn(
            f"x: duration {duration:.4g} is below {PECCARY_MIN_DURATION_RATIO} natural "
            f"timescales ({timescale:.4g}); the series is too short for PECCARY's rule",
            UserWarning,
            stacklevel=2,
        )
    if not 0.3 <= pattern_fraction <= 0.5:
        warnings.warn(
            f"pattern_fraction: {pattern_fraction} is outside PECCARY's range 0.3-0.5",
            UserWarning,
            stacklevel=2,
        )
    delay = max(1, round(delay_samples))
    longest = _longest_finite_segment(x)
    if (order - 1) * delay + 1 > longest:
        warnings.warn(
            f"x: length {longest} (longest finite run) is shorter than one window "
            f"((order-1)*delay+1 = "
            f"{(order - 1) * delay + 1}) at the recommended delay",
            UserWarning,
            stacklevel=2,
        )
    return delay
