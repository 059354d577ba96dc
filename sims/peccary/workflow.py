"""The PECCARY workflow on a batch of series, with the estimators of :mod:`analysis.ordinal`.

For every series: (1) the natural timescale t_nat (:func:`analysis.ordinal.natural_timescale`);
(2) the PECCARY delay, whose pattern time (order − 1)·delay·Δt is ``pattern_fraction``·t_nat
(:func:`analysis.ordinal.recommended_delay`); (3) the ordinal-pattern counts over all delays in one
compiled pass (:func:`analysis.ordinal.pattern_counts`), giving H, C and the missing patterns;
(4) the regime of every (series, delay) point (:func:`analysis.ordinal.classify_sampled_codes`),
left undefined (−1) when there are fewer than ``MIN_WINDOWS_PER_PATTERN · order!`` windows; (5) the
share of windows holding a tie (:func:`analysis.ordinal.tie_fraction`). The same quantities are
also given at each series' own PECCARY delay.

A series read from a file may hold NaN gaps (``nan: split``): it is then cut into its finite
segments, no ordinal window spans a gap, and the counts of all segments are pooled
(``nan="split"`` of :mod:`analysis.ordinal`); window counts are those actually counted.
"""

from __future__ import annotations

import warnings

import numpy as np
import xarray as xr

from analysis import ordinal
from sims.core.output import NAN_MEANING, THEMATIC_CLASSIFICATION

REGIME_FLAGS = {**ordinal.REGIME_FLAGS, **THEMATIC_CLASSIFICATION}
NO_TIMESCALE = "no natural timescale (too few mean crossings or extrema): no PECCARY delay"
NO_DELAY = -1
"""``peccary_delay`` of a series without a natural timescale (too few mean crossings)."""


NO_WINDOWS = "no window spans no gap (every finite segment is shorter than one window)"


def _timescale_and_delay(series, dt, order, pattern_fraction, method, nan):
    try:
        timescale = ordinal.natural_timescale(series, dt=dt, method=method, nan=nan)
    except ValueError:
        return np.nan, NO_DELAY
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        delay = ordinal.recommended_delay(
            series, order=order, dt=dt, pattern_fraction=pattern_fraction, method=method, nan=nan
        )
    return timescale, delay


def analyse(
    values, sample_interval, order, delays, pattern_fraction, method, ties="stable", seed=None
):
    """Run the PECCARY workflow on each row of ``values``.

    Parameters
    ----------
    values : ndarray, shape (series, samples)
        Series sampled every ``sample_interval[series]``; NaN marks a gap (module docstring).
    sample_interval : ndarray, shape (series,)
        Δt of each row (time).
    order : int
        Embedding dimension.
    delays : ndarray of int
        Delays (samples) at which H and C are tabulated.
    pattern_fraction : float
        Target t_pat / t_nat of the PECCARY delay.
    method : str
        Natural-timescale method (``crossings``, ``minima``, ``maxima``).
    ties : {"stable", "own", "random"}, optional
        How equal samples are ordered (:mod:`analysis.ordinal.ties`). No
        :class:`analysis.ordinal.TiedSeriesWarning` is emitted: the share of tied windows is
        in the result, and the run's summary names the series above the threshold.
    seed : int, optional
        Seed of the tie-breaking keys (``ties="random"``).

    Returns
    -------
    dict of str to ndarray
        ``permutation_entropy``, ``statistical_complexity``, ``missing_patterns``,
        ``windows``, ``tie_fraction``, ``classification`` (series, delay);
        ``natural_timescale``, ``duration_ratio``, ``peccary_delay`` and ``peccary_*`` (series).
    """
    delays = np.asarray(delays, dtype=np.int64)
    nan = "split" if np.isnan(values).any() else "refuse"
    tie_options = {"ties": ties, "seed": seed}
    with warnings.catch_warnings():  # reported as tie_fraction and by the run's summary
        warnings.simplefilter("ignore", ordinal.TiedSeriesWarning)
        return _analyse(
            values, sample_interval, order, delays, pattern_fraction, method, nan, tie_options
        )


def _analyse(values, sample_interval, order, delays, pattern_fraction, method, nan, tie_options):
    """:func:`analyse` with the series' NaN policy and tie options resolved."""
    n_series, n_samples = values.shape
    counts = ordinal.pattern_counts(values, order=order, delay=delays, nan=nan, **tie_options)
    entropy, complexity = ordinal.complexity_entropy_from_counts(counts)
    n_windows = counts.sum(axis=-1)
    result = {
        "permutation_entropy": entropy,
        "statistical_complexity": complexity,
        "missing_patterns": np.where(n_windows > 0, np.sum(counts == 0, axis=-1), -1),
        "windows": n_windows,
        "tie_fraction": ordinal.tie_fraction(values, order=order, delay=delays, nan=nan),
        "classification": ordinal.classify_sampled_codes(
            entropy, complexity, n_windows, order, tie_options["ties"]
        ),
    }
    timescale = np.full(n_series, np.nan)
    own_delay = np.full(n_series, NO_DELAY, dtype=np.int64)
    for row in range(n_series):
        timescale[row], own_delay[row] = _timescale_and_delay(
            values[row], sample_interval[row], order, pattern_fraction, method, nan
        )
    result["natural_timescale"] = timescale
    result["duration_ratio"] = (n_samples - 1) * sample_interval / timescale
    own_entropy, own_complexity = np.full(n_series, np.nan), np.full(n_series, np.nan)
    own_missing = np.full(n_series, -1, dtype=np.int64)
    own_windows = np.zeros(n_series, dtype=np.int64)
    usable = (own_delay > 0) & ((order - 1) * own_delay + 1 <= n_samples)
    for delay in np.unique(own_delay[usable]):
        rows = np.flatnonzero(usable & (own_delay == delay))
        # Random tie keys are drawn per call for the whole batch: count every series so that
        # each keeps the keys it had in the delay grid above.
        batch = values if tie_options["ties"] == "random" else values[rows]
        delay_counts = ordinal.pattern_counts(
            batch, order=order, delay=int(delay), nan=nan, **tie_options
        )
        if tie_options["ties"] == "random":
            delay_counts = delay_counts[rows]
        own_entropy[rows], own_complexity[rows] = ordinal.complexity_entropy_from_counts(
            delay_counts
        )
        own_windows[rows] = delay_counts.sum(axis=-1)
        own_missing[rows] = np.where(own_windows[rows] > 0, np.sum(delay_counts == 0, axis=-1), -1)
    result["peccary_delay"] = own_delay
    result["peccary_entropy"] = own_entropy
    result["peccary_complexity"] = own_complexity
    result["peccary_missing_patterns"] = own_missing
    result["peccary_classification"] = ordinal.classify_sampled_codes(
        own_entropy, own_complexity, own_windows, order, tie_options["ties"]
    )
    return result


ANALYSIS_VARIABLES = (
    "permutation_entropy",
    "statistical_complexity",
    "missing_patterns",
    "windows",
    "tie_fraction",
    "classification",
    "natural_timescale",
    "duration_ratio",
    "peccary_delay",
    "peccary_entropy",
    "peccary_complexity",
    "peccary_missing_patterns",
    "peccary_classification",
)
"""Variables written by :func:`analysis_variables`."""


def analysis_variables(result, order, pattern_fraction):
    """The workflow's results as (dims, values, attrs) tuples for an xarray Dataset."""
    at = f"(order {order})"
    own = f"at the PECCARY delay (t_pat = {pattern_fraction:g} t_nat, order {order})"
    return {
        "permutation_entropy": (
            ("series", "delay"),
            result["permutation_entropy"],
            {
                "units": "1",
                "long_name": f"normalized permutation entropy H {at}",
                NAN_MEANING: NO_WINDOWS,
            },
        ),
        "statistical_complexity": (
            ("series", "delay"),
            result["statistical_complexity"],
            {
                "units": "1",
                "long_name": f"Jensen-Shannon statistical complexity C {at}",
                NAN_MEANING: NO_WINDOWS,
            },
        ),
        "missing_patterns": (
            ("series", "delay"),
            result["missing_patterns"],
            {
                "units": "1",
                "long_name": f"ordinal patterns never observed (of {order}!; -1: no window)",
            },
        ),
        "windows": (
            ("series", "delay"),
            result["windows"],
            {"units": "1", "long_name": f"ordinal windows counted {at} (none spans a gap)"},
        ),
        "tie_fraction": (
            ("series", "delay"),
            result["tie_fraction"],
            {
                "units": "1",
                "long_name": f"share of windows holding two equal samples {at}",
                "warning_threshold": ordinal.TIE_WARNING_FRACTION,
                NAN_MEANING: NO_WINDOWS,
            },
        ),
        "classification": (
            ("series", "delay"),
            result["classification"],
            {"units": "1", "long_name": f"PECCARY regime {at}", **REGIME_FLAGS},
        ),
        "natural_timescale": (
            ("series",),
            result["natural_timescale"],
            {
                "units": "time",
                "long_name": "natural timescale t_nat",
                NAN_MEANING: NO_TIMESCALE,
            },
        ),
        "duration_ratio": (
            ("series",),
            result["duration_ratio"],
            {
                "units": "1",
                "long_name": "duration / natural timescale (PECCARY wants >= 1.5)",
                NAN_MEANING: NO_TIMESCALE,
            },
        ),
        "peccary_delay": (
            ("series",),
            result["peccary_delay"],
            {"units": "samples", "long_name": "PECCARY delay (-1: no natural timescale)"},
        ),
        "peccary_entropy": (
            ("series",),
            result["peccary_entropy"],
            {
                "units": "1",
                "long_name": f"normalized permutation entropy H {own}",
                NAN_MEANING: f"{NO_TIMESCALE}; or {NO_WINDOWS}",
            },
        ),
        "peccary_complexity": (
            ("series",),
            result["peccary_complexity"],
            {
                "units": "1",
                "long_name": f"statistical complexity C {own}",
                NAN_MEANING: f"{NO_TIMESCALE}; or {NO_WINDOWS}",
            },
        ),
        "peccary_missing_patterns": (
            ("series",),
            result["peccary_missing_patterns"],
            {"units": "1", "long_name": f"ordinal patterns never observed {own}"},
        ),
        "peccary_classification": (
            ("series",),
            result["peccary_classification"],
            {"units": "1", "long_name": f"PECCARY regime {own}", **REGIME_FLAGS},
        ),
    }


def analyze_dataset(dataset: xr.Dataset) -> xr.Dataset:
    """Recompute the workflow from a run's stored series (``entrosim analyze``).

    Parameters
    ----------
    dataset : xarray.Dataset
        A PECCARY run written with ``store_series: true``.

    Returns
    -------
    xarray.Dataset
        The analysis variables on ``series``/``delay`` (the same as in the run file). A run
        written with ``store_series: false`` has no series to recompute from: its stored
        results are returned.
    """
    if "value" not in dataset:
        names = [name for name in ANALYSIS_VARIABLES + ROBUST_VARIABLES if name in dataset]
        if not names:
            raise KeyError("neither the series ('value') nor the stored results")
        return dataset[names].reset_coords(drop=True)
    order = int(dataset.attrs["order"])
    fraction = float(dataset.attrs["pattern_fraction"])
    result = analyse(
        dataset["value"].values,
        dataset["sample_interval"].values,
        order,
        dataset["delay"].values,
        fraction,
        dataset.attrs["timescale_method"],
        dataset.attrs.get("ties", "stable"),
        dataset.attrs.get("tie_breaking_seed"),
    )
    variables = analysis_variables(result, order, fraction)
    variables.update(_robust_variables(dataset, order))
    coords = {name: dataset[name] for name in ("series", "delay")}
    return xr.Dataset(variables, coords=coords)


ROBUST_VARIABLES = ("robust_classification", "determinism_p_value")
"""Variables of :mod:`sims.peccary.determinism` (``entrosim analyze`` recomputes them too)."""


def _robust_variables(dataset, order):
    """The robust classification of a run's series, from the run's own seed (bitwise as the run).

    A dataset without its run's seed attributes (not read from a run file) keeps what it holds.
    """
    if not {"robust_surrogates", "root_seed", "member"} <= dataset.attrs.keys():
        return {name: dataset[name].variable for name in ROBUST_VARIABLES if name in dataset}
    from sims.core.rng import member_seed_sequence
    from sims.peccary import determinism  # imports this module (REGIME_FLAGS)

    surrogates = int(dataset.attrs["robust_surrogates"])
    alpha = float(dataset.attrs["robust_alpha"])
    seed_sequence = member_seed_sequence(
        int(dataset.attrs["root_seed"]), int(dataset.attrs["member"])
    )
    robust = determinism.analyse_determinism(
        dataset["value"].values, dataset["series"].values, order, surrogates, alpha, seed_sequence
    )
    return determinism.determinism_variables(robust, order, surrogates, alpha)
