"""PECCARY's sampling rule: natural timescale of a series and the recommended delay."""

import warnings

import numpy as np

from .patterns import _check_order

PECCARY_PATTERN_FRACTION = 0.4
"""Default pattern time / natural time of :func:`recommended_delay` (docs' 0.3–0.5 range)."""

PECCARY_MIN_DURATION_RATIO = 1.5
"""Minimum series duration / natural timescale recommended by PECCARY."""


def natural_timescale(x, dt=1.0, method="crossings"):
    """Return an estimate of the natural (dominant) timescale of a 1-D series.

    Parameters
    ----------
    x : array_like, shape (n,)
        Real-valued series without NaN.
    dt : float, optional
        Sampling interval (the result has its units).
    method : {"crossings", "minima", "maxima"}, optional
        ``"crossings"``: duration ``(n−1)·dt`` divided by half the number of
        crossings of the mean (biased low by up to one half-period over the
        duration: a sine of period 7 sampled 100 s gives 6.896);
        ``"minima"``/``"maxima"``: mean spacing of strict local minima/maxima.

    Returns
    -------
    float
        Natural timescale in units of ``dt``.

    Raises
    ------
    ValueError
        For NaN, fewer than 3 samples, ``dt <= 0``, an unknown ``method``, or
        too few crossings/extrema (fewer than 2).
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size < 3:
        raise ValueError("x: must be 1-D with at least 3 samples")
    if np.isnan(x).any():
        raise ValueError("x: contains NaN")
    dt = float(dt)
    if not dt > 0:
        raise ValueError(f"dt: must be > 0 (got {dt})")
    if method == "crossings":
        above = x >= x.mean()
        n_crossings = int(np.count_nonzero(above[1:] != above[:-1]))
        if n_crossings < 2:
            raise ValueError("x: fewer than 2 mean crossings; no natural timescale")
        return (x.size - 1) * dt / (n_crossings / 2.0)
    if method in ("minima", "maxima"):
        sign = -1.0 if method == "minima" else 1.0
        y = sign * x
        peaks = np.flatnonzero((y[1:-1] > y[:-2]) & (y[1:-1] > y[2:])) + 1
        if peaks.size < 2:
            raise ValueError(f"x: fewer than 2 local {method}; no natural timescale")
        return float(np.mean(np.diff(peaks))) * dt
    raise ValueError(f"method: must be 'crossings', 'minima' or 'maxima' (got {method!r})")


def recommended_delay(
    x, order=5, dt=1.0, pattern_fraction=PECCARY_PATTERN_FRACTION, method="crossings"
):
    """Return the PECCARY delay whose pattern time is a fraction of the natural timescale.

    The pattern time is ``t_pat = delay · dt · (order − 1)``; PECCARY recommends
    ``0.3 <= t_pat / t_nat <= 0.5`` and a duration ``t_dur >= 1.5 t_nat``.  The
    delay is ``round(pattern_fraction · t_nat / (dt · (order − 1)))``, at least 1.

    Parameters
    ----------
    x : array_like, shape (n,)
        Real-valued series without NaN.
    order : int, optional
        Embedding dimension (default 5).
    dt : float, optional
        Sampling interval.
    pattern_fraction : float, optional
        Target ``t_pat / t_nat`` (default 0.4).
    method : str, optional
        Natural-timescale method of :func:`natural_timescale`.

    Returns
    -------
    int
        The recommended delay in samples.

    Warns
    -----
    UserWarning
        If the duration is below 1.5 natural timescales, if ``pattern_fraction``
        is outside [0.3, 0.5], or if the series is too short for the delay.
    """
    order = _check_order(order)
    pattern_fraction = float(pattern_fraction)
    if not pattern_fraction > 0:
        raise ValueError(f"pattern_fraction: must be > 0 (got {pattern_fraction})")
    x = np.asarray(x, dtype=np.float64)
    timescale = natural_timescale(x, dt=dt, method=method)
    duration = (x.size - 1) * float(dt)
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
    delay = max(1, round(pattern_fraction * timescale / (float(dt) * (order - 1))))
    if (order - 1) * delay + 1 > x.size:
        warnings.warn(
            f"x: length {x.size} is shorter than one window ((order-1)*delay+1 = "
            f"{(order - 1) * delay + 1}) at the recommended delay",
            UserWarning,
            stacklevel=2,
        )
    return delay
