"""Regular / complex / stochastic classification with a stated significance (surrogate test).

:func:`classify_robust` decides in two steps.

1. **Periodicity** (→ ``"regular"``), detected without surrogates, because a periodic signal
   would trivially reject the null hypothesis below. A series is periodic if either

   * at every delay used, it shows at most ``order·(order − 1)`` distinct ordinal patterns: as the
     phase of a sinusoid runs over one period, the pattern of a window changes only when two of
     its ``order`` samples swap, which happens twice per period for each of the
     ``order·(order − 1)/2`` pairs, so a pure sine (any period, phase, sampling and delay) has at
     most that many patterns; so has any two-level periodic wave, whose window changes only when
     one of its ``order`` samples crosses one of the two level changes per period (a sampled
     square wave, 2·order patterns). Noise and chaos show many more at some delay
     (white noise: all ``order!``);
   * or it repeats exactly: ``x[t + P] = x[t]`` for all ``t`` (to 10⁻¹⁰ of the range) for some
     lag ``1 <= P <= n/2`` (a periodic orbit of a map, a stored periodic waveform).

2. **Determinism** (→ ``"complex"`` if ``p < alpha``, else ``"stochastic"``): a Monte-Carlo test
   of the null hypothesis "linear Gaussian process observed through a static monotone function"
   (Theiler et al., Physica D 58, 77, 1992; Schreiber & Schmitz, Physica D 142, 346, 2000). The
   series is cut to its end-matched segment (:func:`~analysis.ordinal.end_matched_segment`) and
   ``S`` IAAFT surrogates of that segment are drawn (:func:`~analysis.ordinal.iaaft_surrogates`)
   after subtracting the straight line through its first and last samples, which is added back
   to every surrogate. Within the 10 % that end matching may trim, a trending series (a random
   walk, fBm with H = 0.8) still has ends far apart compared with its steps; the jump would leak
   f⁻² power over the whole spectrum and make the surrogates rougher than the series (measured:
   fBm H = 0.8 read as complex in 1 of 3 seeds without the line, 0 of 6 with it). The residual
   starts and ends at 0, so it is end matched in value. Each surrogate then receives the
   segment's own values in the rank order of (residual surrogate + line): it is a permutation of
   the segment, ties included, with the ordinal patterns of the detrended surrogate. Ordinal
   patterns are invariant under monotone functions, so under the null hypothesis the segment and
   its surrogates are (to the accuracy of IAAFT) exchangeable realisations.

   *Statistic.* Deterministic dynamics forbid ordinal patterns and make the others unequally
   likely (Amigó et al., EPL 79, 50001, 2007; Rosso et al., PRL 99, 154102, 2007), so their
   permutation entropy lies *below* that of stochastic series with the same spectrum and values,
   at the delays where the dynamics is resolved (Zunino et al., PRE 86, 046210, 2012, for several
   delays). For each delay ``d`` the normalised permutation entropy ``H_d`` of every member ``i``
   of the pool (the segment and its ``S`` surrogates) is turned into a robust score
   ``z_{i,d} = (median_pool H_d − H_{i,d}) / (1.4826 · MAD_pool H_d)``, and the delays are combined
   into ``T_i = max_d z_{i,d}``. Every member is scored by the same symmetric rule, so under the
   null hypothesis the ``S + 1`` values ``T_i`` are exchangeable and
   ``p = (1 + #{surrogates with T >= T_observed}) / (S + 1)`` is a valid Monte-Carlo p-value
   (p cannot fall below ``1 / (S + 1)``, so ``p < alpha`` needs ``S >= 1/alpha`` surrogates;
   ``2/alpha − 1``, 39 for alpha = 0.05, lets the segment tie with one surrogate).
   The maximum over delays keeps the test sensitive when only a few delays resolve the dynamics
   (a map at delays 1–3 of 20), and the median/MAD scale keeps an outlying observed value from
   inflating its own yardstick. Per-delay ranks would be the other symmetric choice, but they
   saturate: with 20 delays, some surrogate is the most extreme of the pool at some delay with
   probability near 20/(S + 1), so a maximum of ranks could not reach a small p-value; the p-value
   itself is the rank of ``T_observed`` in the pool. The test is one-sided: a series whose
   entropy is *higher* than its surrogates' (IAAFT's residual bias on strongly correlated noise
   goes that way) is not called complex.

Delays
    ``delay=None`` uses the 20 delays ``k · stride``, ``k = 1 … 20``, with
    ``stride = max(1, round(d_P / 10))`` and ``d_P`` the PECCARY delay of the series
    (:func:`~analysis.ordinal.recommended_delay`, pattern time 0.4 natural timescales; ``d_P = 1``
    when the series has no natural timescale). The pattern times then run from about 0.04 to 0.8
    natural timescales, bracketing PECCARY's 0.3–0.5 window; a map (natural timescale of a few
    samples) gets delays 1–20. The stride is capped so that the longest window spans at most half
    the series (a very red noise, e.g. f⁻³, has a natural timescale near the record length).

Ties
    Surrogates are permutations of the series, so they hold the same tied values; ties are broken
    by time in the segment and in its surrogates alike, and the tie bias of the ordinal statistics
    (Zunino et al., Phys. Lett. A 381, 1883, 2017) is part of the null distribution rather than a
    false signal. :func:`~analysis.ordinal.tie_fraction` is reported alongside.
"""

import math
import warnings

import numpy as np
import scipy.fft

from .. import _checks
from .delay import recommended_delay
from .patterns import _check_delays, _check_order, _count_patterns_kernel, tie_fraction
from .statistics import _complexity_entropy_of_counts
from .surrogates import (
    END_MATCH_MAX_TRIM,
    IAAFT_MAX_ITERATIONS,
    _fraction,
    _generator,
    _iaaft,
    _series,
    _surrogate_count,
    end_matched_segment,
)

ROBUST_DELAY_COUNT = 20
"""Number of delays of the default delay set of :func:`classify_robust`."""

ROBUST_SURROGATES = 99
"""Default number of IAAFT surrogates of :func:`classify_robust` (p-value resolution 0.01)."""

ROBUST_ALPHA = 0.05
"""Default significance level of :func:`classify_robust`."""

REPETITION_TOLERANCE = 1e-10
"""Largest RMS difference ``x[t + P] − x[t]``, relative to the range of ``x``, of a repetition."""

MAD_TO_SIGMA = 1.4826
"""Scale factor making the median absolute deviation a consistent estimate of a Gaussian σ."""


def robust_delays(x, order=5):
    """Return the default delay set of :func:`classify_robust` for a series (module docstring).

    Parameters
    ----------
    x : array_like, shape (n,)
        Real, finite series.
    order : int, optional
        Embedding dimension (default 5).

    Returns
    -------
    ndarray of int64, shape (20,)
        ``stride · (1, 2, …, 20)`` samples, ``stride = max(1, round(d_P / 10))``, at most
        ``n / (40 · (order − 1))`` (so that the longest window spans at most half the series).

    Raises
    ------
    ValueError
        If ``x`` is not real, finite and 1-D with at least 8 samples, or ``order`` is not an
        integer >= 2.
    """
    order = _check_order(order)
    x = _series(x)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            peccary_delay = recommended_delay(x, order=order)
    except ValueError:  # no natural timescale
        peccary_delay = 1
    longest_stride = max(1, x.size // (2 * (order - 1) * ROBUST_DELAY_COUNT))
    stride = min(max(1, round(peccary_delay / 10)), longest_stride)
    return stride * np.arange(1, ROBUST_DELAY_COUNT + 1, dtype=np.int64)


def repetition_period(x):
    """Return the smallest lag ``P <= n/2`` at which ``x`` repeats exactly, or 0 if none does.

    Parameters
    ----------
    x : array_like, shape (n,)
        Real, finite series.

    Returns
    -------
    int
        ``P`` (samples) with ``RMS(x[P:] − x[:−P]) <= 10⁻¹⁰ · (max x − min x)``; a constant series
        repeats at lag 1.

    Raises
    ------
    ValueError
        If ``x`` is not real, finite and 1-D with at least 8 samples.
    """
    x = _series(x)
    n = x.size
    spread = float(x.max() - x.min())
    if spread == 0.0:
        return 1
    centred = (x - x.mean()) / spread
    size = scipy.fft.next_fast_len(2 * n, real=True)
    spectrum = scipy.fft.rfft(centred, size)
    lagged_products = scipy.fft.irfft(spectrum * np.conj(spectrum), size)[: n // 2 + 1]
    squares = np.concatenate(([0.0], np.cumsum(centred * centred)))
    lags = np.arange(1, n // 2 + 1)
    # Σ_t (x[t+P] − x[t])² = Σ_{t>=P} x² + Σ_{t<n−P} x² − 2 Σ_t x[t] x[t+P]
    differences = (squares[n] - squares[lags]) + squares[n - lags] - 2.0 * lagged_products[lags]
    # Mean squared difference <= 1e-12 (FFT rounding is ~1e-16 per sample); verified exactly below.
    candidates = lags[differences / (n - lags) <= 1e-12]
    for lag in candidates:
        step = centred[lag:] - centred[:-lag]
        if math.sqrt(np.mean(step * step)) <= REPETITION_TOLERANCE:
            return int(lag)
    return 0


def _pool_scores(entropy):
    """Robust scores ``(median − H) / (1.4826 MAD)`` of each entry of a (pool, delays) table.

    Where more than half the pool shares the median (MAD = 0), the scale is the mean absolute
    deviation times √(π/2) (the same σ for Gaussian data); where that is 0 too, every entry
    equals the median and scores 0.
    """
    median = np.median(entropy, axis=0)
    deviation = np.abs(entropy - median)
    scale = MAD_TO_SIGMA * np.median(deviation, axis=0)
    scale = np.where(scale > 0, scale, math.sqrt(math.pi / 2) * np.mean(deviation, axis=0))
    below = median - entropy
    return np.divide(below, scale, out=np.zeros_like(below), where=scale > 0)


def classify_robust(
    x,
    order=5,
    delay=None,
    surrogates=ROBUST_SURROGATES,
    alpha=ROBUST_ALPHA,
    seed=0,
    max_trim=END_MATCH_MAX_TRIM,
    max_iterations=IAAFT_MAX_ITERATIONS,
):
    """Classify a series as regular, complex or stochastic with a stated significance.

    Periodic series are ``"regular"``; the others are ``"complex"`` when an IAAFT surrogate test
    of the null hypothesis "linear Gaussian process seen through a monotone function" rejects it at
    level ``alpha``, else ``"stochastic"`` (module docstring for the method and its sources).

    Parameters
    ----------
    x : array_like, shape (n,)
        Real, finite series (any units), sampled uniformly in time.
    order : int, optional
        Embedding dimension (default 5).
    delay : int or sequence of int, optional
        Delays (samples) whose permutation entropies enter the test; None (default) for the
        documented default set (:func:`robust_delays`).
    surrogates : int, optional
        Number ``S`` of IAAFT surrogates (default 99; p-values are multiples of ``1/(S+1)``).
    alpha : float, optional
        Significance level in (0, 1) (default 0.05).
    seed : int, numpy.random.SeedSequence or numpy.random.Generator, optional
        Seed of the generator that draws the surrogates (default 0; the same seed and series
        give bitwise-identical results).
    max_trim : float, optional
        Largest fraction of the samples end matching may drop, in [0, 1) (default 0.1).
    max_iterations : int, optional
        IAAFT iteration cap (default 20).

    Returns
    -------
    dict
        ``regime`` (str): ``"regular"``, ``"complex"`` or ``"stochastic"``;
        ``p_value`` (float): Monte-Carlo p-value of the determinism test (NaN for a periodic
        series, which is not tested: it would trivially reject the null hypothesis);
        ``alpha`` (float); ``tie_fraction`` (float): largest share of tied windows over the
        delays; ``periodic`` (bool) and ``periodicity`` (str: ``"patterns"``,
        ``"repetition P"`` or ``""``); ``delays`` (ndarray of int);
        ``distinct_patterns`` (ndarray of int, per delay, of the whole series);
        ``segment`` ((start, stop): the end-matched segment tested; the whole series if
        periodic); ``entropy``, ``complexity`` (ndarray, per delay, of the segment);
        ``surrogate_entropy`` (ndarray, (S, delays));
        ``delay_scores`` (ndarray, per delay: the segment's robust scores ``z_d``);
        ``statistic`` (float: ``T = max_d z_d``); ``surrogate_statistics`` (ndarray, (S,));
        (the surrogate entries are NaN or empty for a periodic series);
        ``surrogates`` (int: ``S``); ``iterations`` (int) and ``unconverged`` (int: surrogates
        still changing at the cap).

    Raises
    ------
    ValueError
        If ``x`` is not real, finite and 1-D with at least 8 samples or is shorter than one
        window at the largest delay (after end matching); if ``order`` is not an integer >= 2
        (whose tables fit in memory); if a delay is not an integer >= 1; if ``surrogates`` or
        ``max_iterations`` is not an integer >= 1 (or the surrogates do not fit in memory); if
        ``alpha`` is not in (0, 1); if ``max_trim`` is not in [0, 1); or if ``seed`` cannot seed
        a generator.
    """
    order = _check_order(order)
    x = _series(x)
    delays = robust_delays(x, order) if delay is None else _check_delays(delay)[0]
    surrogates = _surrogate_count(surrogates, x.size, "surrogates")
    alpha = _checks.real_scalar(alpha, "alpha")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha: must lie in (0, 1) (got {_checks.shown(alpha)})")
    max_trim = _fraction(max_trim, "max_trim")
    max_iterations = _checks.integer(max_iterations, "max_iterations", 1)
    rng = _generator(seed)
    _check_order(order, (surrogates + 2) * delays.size)
    whole = _counts_of(x[np.newaxis, :], order, delays)[0]
    distinct = np.count_nonzero(whole, axis=-1)
    periodicity = _periodicity(x, order, distinct)
    if periodicity:
        entropy, complexity = _complexity_entropy_of_counts(whole)
        result = {
            "regime": "regular",
            "p_value": math.nan,
            "segment": (0, x.size),
            "entropy": entropy,
            "complexity": complexity,
            "surrogate_entropy": np.empty((0, delays.size)),
            "delay_scores": np.full(delays.size, np.nan),
            "statistic": math.nan,
            "surrogate_statistics": np.empty(0),
            "iterations": 0,
            "unconverged": 0,
        }
    else:
        result = _surrogate_test(x, order, delays, surrogates, rng, max_trim, max_iterations)
        result["regime"] = "complex" if result["p_value"] < alpha else "stochastic"
    return {
        **result,
        "alpha": alpha,
        "tie_fraction": float(np.max(tie_fraction(x, order, delays))),
        "periodic": bool(periodicity),
        "periodicity": periodicity,
        "delays": delays,
        "distinct_patterns": distinct,
        "surrogates": surrogates,
    }


def _counts_of(rows, order, delays):
    """Pattern counts (rows, delays, order!) of finite rows, all delays in one compiled pass."""
    counts = np.zeros((rows.shape[0], delays.size, math.factorial(order)), dtype=np.int64)
    none = np.zeros((0, 0), dtype=np.int64)  # no NaN table, stable ties, no tied-window count
    no_table = np.zeros(0, dtype=np.int32)
    _count_patterns_kernel(
        np.ascontiguousarray(rows), none, no_table, order, delays, none, counts, none
    )
    return counts


def _periodicity(x, order, distinct_patterns):
    """``"patterns"``, ``"repetition P"`` or ``""`` (module docstring, step 1)."""
    # Below order 4 every series has at most order·(order − 1) = order! patterns: no evidence.
    if order * (order - 1) < math.factorial(order) and np.all(
        distinct_patterns <= order * (order - 1)
    ):
        return "patterns"
    period = repetition_period(x)
    return f"repetition {period}" if period else ""


def _surrogate_test(x, order, delays, surrogates, rng, max_trim, max_iterations):
    """The determinism test of the module docstring (step 2) on the end-matched segment."""
    start, stop = end_matched_segment(x, max_trim)
    span = (order - 1) * int(delays.max())
    if stop - start <= span:
        raise ValueError(
            f"x: its end-matched segment of {stop - start} samples is shorter than "
            f"(order-1)*max(delay)+1 = {span + 1}"
        )
    segment = x[start:stop]
    ramp = np.linspace(segment[0], segment[-1], segment.size)
    residuals, iterations, unconverged = _iaaft(segment - ramp, surrogates, rng, max_iterations)
    # The segment's own values in the rank order of residual + line: ties survive the line.
    pool = np.empty((surrogates + 1, segment.size))
    pool[0] = segment
    np.put_along_axis(
        pool[1:],
        np.argsort(residuals + ramp, axis=1, kind="stable"),
        np.sort(segment)[np.newaxis, :],
        axis=1,
    )
    counts = _counts_of(pool, order, delays)
    entropy, complexity = _complexity_entropy_of_counts(counts)
    scores = _pool_scores(entropy)
    statistics = np.max(scores, axis=1)
    p_value = (1 + np.count_nonzero(statistics[1:] >= statistics[0])) / (surrogates + 1)
    return {
        "p_value": float(p_value),
        "segment": (start, stop),
        "entropy": entropy[0],
        "complexity": complexity[0],
        "surrogate_entropy": entropy[1:],
        "delay_scores": scores[0],
        "statistic": float(statistics[0]),
        "surrogate_statistics": statistics[1:],
        "iterations": iterations,
        "unconverged": unconverged,
    }
