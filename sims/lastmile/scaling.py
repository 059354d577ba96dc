"""Entropy–distance scaling: the power law D = a·S^b fitted by OLS on logarithms.

``ln D = ln a + b ln S`` by ordinary least squares over routes with S > 0 and D > 0. The
exponent's confidence interval is the two-sided Student-t interval with n − 2 degrees of
freedom; R² is that of the log–log regression. (The reference notes expect b roughly in 0.5–1 from
the Beardwood–Halton–Hammersley law and S ≈ N·H; nothing here assumes it.)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import stats

CONFIDENCE = 0.95
MIN_POINTS = 3


class PowerLawFit(NamedTuple):
    """Result of :func:`fit_power_law` (NaN everywhere when fewer than 3 usable points)."""

    exponent: float
    exponent_low: float
    exponent_high: float
    prefactor: float
    r_squared: float
    n_points: int


def fit_power_law(entropy, distance, confidence: float = CONFIDENCE) -> PowerLawFit:
    """Fit ``distance = prefactor · entropy^exponent`` by OLS on logs.

    Parameters
    ----------
    entropy : array_like
        Structural entropies S (nats); non-positive values are left out.
    distance : array_like
        Route lengths D (km or s); non-positive or NaN values are left out.
    confidence : float
        Two-sided confidence level of the exponent interval.

    Returns
    -------
    PowerLawFit
        Exponent b with its interval, prefactor a (units of D per nat^b), R², points used.
    """
    entropy, distance = np.asarray(entropy, float), np.asarray(distance, float)
    usable = (entropy > 0) & (distance > 0) & np.isfinite(entropy) & np.isfinite(distance)
    n = int(usable.sum())
    if n < MIN_POINTS:
        return PowerLawFit(np.nan, np.nan, np.nan, np.nan, np.nan, n)
    x, y = np.log(entropy[usable]), np.log(distance[usable])
    x_mean, y_mean = x.mean(), y.mean()
    sxx = np.sum((x - x_mean) ** 2)
    if sxx == 0:
        return PowerLawFit(np.nan, np.nan, np.nan, np.nan, np.nan, n)
    slope = np.sum((x - x_mean) * (y - y_mean)) / sxx
    intercept = y_mean - slope * x_mean
    residual = y - intercept - slope * x
    ss_res, ss_tot = np.sum(residual**2), np.sum((y - y_mean) ** 2)
    standard_error = np.sqrt(ss_res / (n - 2) / sxx)
    half_width = stats.t.ppf(0.5 + 0.5 * confidence, n - 2) * standard_error
    r_squared = 1.0 - ss_res / ss_tot if ss_tot > 0 else np.nan
    return PowerLawFit(
        float(slope),
        float(slope - half_width),
        float(slope + half_width),
        float(np.exp(intercept)),
        float(r_squared),
        n,
    )


def fit_by_group(entropy, distance, group) -> dict[str, PowerLawFit]:
    """Fits per distinct ``group`` value (sorted) and ``"pooled"`` over all points."""
    entropy, distance, group = map(np.asarray, (entropy, distance, group))
    fits = {
        str(name): fit_power_law(entropy[group == name], distance[group == name])
        for name in np.unique(group)
    }
    fits["pooled"] = fit_power_law(entropy, distance)
    return fits
