"""classify_robust and its IAAFT surrogates: validation on known dynamics, and unit tests.

Validation protocol (issue 19): 10⁴ samples, order 5, the default delay set, ensembles of seeds.

* Surrogates: S = 19 with alpha = 0.1. The smallest p-value is 1/(S+1) = 0.05 < alpha, so a series
  more extreme than all 19 surrogates is called complex; under the null hypothesis
  P(p <= alpha) <= alpha (exactly 1/20 for a continuous statistic). The default S = 99 only
  refines the p-value; 19 keeps the file within its time budget.
* IAAFT iterations: 10 instead of the default 20; the surrogates' permutation entropies move by
  less than their spread over surrogates after 10 iterations (measured on f⁻¹, f⁻³ and Brownian
  noise, see :data:`analysis.ordinal.surrogates.IAAFT_MAX_ITERATIONS`).
* Chaos (10 seeds per kind, different initial conditions): complex in >= 95 % of the seeds, i.e.
  in all 10.
* Noise (12 seeds per kind): the number of seeds called complex must not reject "rate <= alpha"
  in a one-sided binomial test at level 10⁻³, so each kind fails falsely with probability
  < 10⁻³ (< 8·10⁻³ for the 8 kinds together) when the test holds its size.
* Periodic signals (several periods and phases): regular in every case (a deterministic rule,
  decided before any surrogate is drawn).
"""

import functools

import numpy as np
import pytest
import scipy.fft
import scipy.stats

from analysis import ordinal
from sims.peccary import catalogue

N_SAMPLES = 10_000
ORDER = 5
ALPHA = 0.1
SURROGATES = 19
ITERATIONS = 10
CHAOS_SEEDS = 10
NOISE_SEEDS = 12
BINOMIAL_LEVEL = 1e-3


def _verdicts(rows):
    # Surrogate streams 10⁴ + k, apart from the series' own seeds k.
    return [
        ordinal.classify_robust(
            row,
            ORDER,
            surrogates=SURROGATES,
            alpha=ALPHA,
            seed=10_000 + k,
            max_iterations=ITERATIONS,
        )
        for k, row in enumerate(rows)
    ]


@pytest.mark.parametrize("kind", list(catalogue.CHAOS))
def test_chaos_is_complex_in_at_least_95_percent_of_seeds(kind):
    make = catalogue.CHAOS[kind]
    verdicts = _verdicts(make(seed, N_SAMPLES) for seed in range(CHAOS_SEEDS))
    regimes = [verdict["regime"] for verdict in verdicts]
    assert regimes.count("complex") >= 0.95 * CHAOS_SEEDS, (kind, regimes)


@pytest.mark.parametrize("kind", list(catalogue.NOISE))
def test_noise_is_stochastic_at_a_rate_consistent_with_alpha(kind):
    make = catalogue.NOISE[kind]
    verdicts = _verdicts(make(seed, N_SAMPLES) for seed in range(NOISE_SEEDS))
    regimes = [verdict["regime"] for verdict in verdicts]
    assert "regular" not in regimes, (kind, regimes)
    complex_count = regimes.count("complex")
    test = scipy.stats.binomtest(complex_count, NOISE_SEEDS, ALPHA, alternative="greater")
    assert test.pvalue > BINOMIAL_LEVEL, (kind, complex_count, [v["p_value"] for v in verdicts])


def test_tied_integers_report_their_ties():
    rows = [catalogue.NOISE["integers {0,1,2}"](seed, N_SAMPLES) for seed in range(2)]
    for verdict in _verdicts(rows):
        # P(5 i.i.d. draws from 3 values all differ) = 0, so every window holds a tie.
        assert verdict["tie_fraction"] == 1.0


@pytest.mark.parametrize("period", [7.3, 20.0, 37.9, 113.0])
def test_sines_and_square_waves_are_regular(period):
    t = np.arange(N_SAMPLES)
    for phase in (0.0, 1.1):
        sine = np.sin(2 * np.pi * t / period + phase)
        square = catalogue.square_wave(N_SAMPLES, period, phase)
        for series in (sine, square):
            verdict = ordinal.classify_robust(
                series, ORDER, surrogates=SURROGATES, alpha=ALPHA, max_iterations=ITERATIONS
            )
            assert verdict["regime"] == "regular", (period, phase, verdict["distinct_patterns"])
            assert verdict["periodic"]
            assert np.isnan(verdict["p_value"])  # not tested: it would reject trivially


def test_sine_pattern_bound_holds_at_every_delay():
    # A sinusoid's window changes pattern only when two of its 5 samples swap: twice per period
    # for each of the 10 pairs, so at most 20 patterns whatever the period, phase and delay.
    rng = np.random.default_rng(3)
    t = np.arange(4000)
    for _ in range(20):
        period, phase = rng.uniform(3.0, 400.0), rng.uniform(0, 2 * np.pi)
        counts = ordinal.pattern_counts(
            np.sin(2 * np.pi * t / period + phase), ORDER, delay=np.arange(1, 41)
        )
        assert np.count_nonzero(counts, axis=-1).max() <= ORDER * (ORDER - 1)


def test_exact_repetition_is_regular_and_found():
    rng = np.random.default_rng(5)
    cycle = rng.standard_normal(31)  # 31 distinct values: many patterns, but exactly periodic
    series = np.tile(cycle, 200)
    assert ordinal.repetition_period(series) == 31
    verdict = ordinal.classify_robust(series, surrogates=SURROGATES, max_iterations=ITERATIONS)
    assert verdict["regime"] == "regular"
    assert verdict["periodicity"] == "repetition 31"
    assert ordinal.repetition_period(rng.standard_normal(500)) == 0


def test_classification_is_reproducible_and_audited():
    x = catalogue.CHAOS["Hénon x"](0, 3000)
    first = ordinal.classify_robust(x, surrogates=9, seed=11, max_iterations=5)
    again = ordinal.classify_robust(x, surrogates=9, seed=11, max_iterations=5)
    for key in ("surrogate_statistics", "surrogate_entropy", "delays", "entropy"):
        assert np.array_equal(first[key], again[key])
    assert first["p_value"] == again["p_value"]
    # p is a Monte-Carlo p-value: a multiple of 1/(S+1), counting the surrogates at or above T.
    statistics = first["surrogate_statistics"]
    expected = (1 + np.count_nonzero(statistics >= first["statistic"])) / 10
    assert first["p_value"] == expected
    assert first["surrogate_entropy"].shape == (9, first["delays"].size)
    assert first["delay_scores"].max() == first["statistic"]


def test_default_delays_follow_the_peccary_delay():
    # A map: natural timescale of a few samples, PECCARY delay 1, delays 1..20.
    assert np.array_equal(
        ordinal.robust_delays(catalogue.CHAOS["logistic r=4"](0, N_SAMPLES)), np.arange(1, 21)
    )
    # A sine of period 400: t_nat = 400, d_P = round(0.4·400/4) = 40, stride 4.
    sine = np.sin(2 * np.pi * np.arange(N_SAMPLES) / 400.0)
    assert np.array_equal(ordinal.robust_delays(sine), 4 * np.arange(1, 21))
    # The stride is capped so that the longest window spans at most half the series.
    slow = np.sin(2 * np.pi * np.arange(2000) / 1500.0)
    delays = ordinal.robust_delays(slow)
    assert (ORDER - 1) * delays.max() <= 1000


# ----------------------------------------------------------------------------- surrogates


@functools.cache
def _ar_series(n=4096):
    return catalogue.NOISE["AR(1) φ=0.9"](19, n)


def test_surrogates_preserve_values_exactly():
    x = _ar_series()
    result = ordinal.iaaft_surrogates(x, n_surrogates=8, seed=1)
    assert result.shape == (8, x.size)
    assert np.array_equal(np.sort(result, axis=1), np.broadcast_to(np.sort(x), result.shape))


def test_surrogates_match_the_amplitude_spectrum():
    x = _ar_series()
    result = ordinal.iaaft_surrogates(x, n_surrogates=8, seed=1)
    original = np.abs(scipy.fft.rfft(x))
    amplitudes = np.abs(scipy.fft.rfft(result, axis=1))
    # IAAFT ends on the value step, so the spectrum is approximate: measured 0.1 % RMS for
    # AR(1) φ = 0.9 after the default 20 iterations; 2 % leaves room for other platforms.
    error = np.sqrt(np.mean((amplitudes - original) ** 2)) / np.sqrt(np.mean(original**2))
    assert error < 0.02
    # and it is not a shuffle's (white) spectrum: a shuffle is ~100 % off for this red spectrum.
    shuffled = np.abs(scipy.fft.rfft(np.random.default_rng(0).permutation(x)))
    assert np.sqrt(np.mean((shuffled - original) ** 2)) / np.sqrt(np.mean(original**2)) > 0.5


def test_surrogates_are_seeded():
    x = _ar_series()[:512]
    first = ordinal.iaaft_surrogates(x, 4, seed=3, max_iterations=10)
    assert np.array_equal(first, ordinal.iaaft_surrogates(x, 4, seed=3, max_iterations=10))
    generator = np.random.default_rng(3)
    assert np.array_equal(first, ordinal.iaaft_surrogates(x, 4, seed=generator, max_iterations=10))
    assert not np.array_equal(first, ordinal.iaaft_surrogates(x, 4, seed=4, max_iterations=10))


def test_end_matching_finds_whole_periods():
    # Period 111 samples: a segment of 1000 samples spans exactly 9 periods (999 steps), so its
    # first and last values and slopes agree; 1000 = 2³·5³ is a fast FFT length within 10 %.
    x = np.sin(2 * np.pi * np.arange(1080) / 111.0 + 0.3)
    start, stop = ordinal.end_matched_segment(x)
    assert stop - start == 1000
    # Values match to rounding; the slopes are a forward and a backward difference, apart by the
    # second difference (2π/111)²·|x_start| <= 3.2e-3 · sin(π/111) at the best start (near a
    # zero), so γ <= (9e-5)² / Σ(x − x̄)² (= 500) ≈ 1.6e-11.
    assert ordinal.end_mismatch(x[start:stop]) < 2e-11
    assert ordinal.end_mismatch(x) > 1e-3


def test_end_matching_is_the_exhaustive_minimum():
    walk = np.cumsum(np.random.default_rng(2).standard_normal(300))
    start, stop = ordinal.end_matched_segment(walk, max_trim=0.1)
    best = min(
        (ordinal.end_mismatch(walk[a : a + length]), -length, a)
        for length in range(270, 301)
        if length == 300 or scipy.fft.next_fast_len(length, real=True) == length
        for a in range(0, 301 - length)
    )
    assert (start, stop) == (best[2], best[2] - best[1])
    assert ordinal.end_mismatch(walk[start:stop]) <= ordinal.end_mismatch(walk)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ordinal.iaaft_surrogates(np.ones((4, 4))), "x: must be 1-D"),
        (lambda: ordinal.iaaft_surrogates([1.0, np.nan] * 8), "x: must be finite"),
        (lambda: ordinal.iaaft_surrogates(np.arange(5.0)), "at least 8 samples"),
        (lambda: ordinal.iaaft_surrogates(np.arange(64.0), 0), "n_surrogates: must be"),
        (lambda: ordinal.iaaft_surrogates(np.arange(64.0), 10**9), "n_surrogates: .* GiB"),
        (lambda: ordinal.iaaft_surrogates(np.arange(64.0), seed=-1), "seed: must be"),
        (lambda: ordinal.iaaft_surrogates(np.arange(64.0), max_iterations=0), "max_iterations"),
        (lambda: ordinal.end_matched_segment(np.arange(64.0), max_trim=1.0), "max_trim"),
        (lambda: ordinal.classify_robust(np.arange(64.0), alpha=1.0), "alpha: must lie"),
        (lambda: ordinal.classify_robust(np.arange(64.0), delay=0), "delay"),
        (lambda: ordinal.classify_robust(np.arange(64.0), delay=30), "x: .*shorter than"),
        (lambda: ordinal.classify_robust(np.arange(64.0), surrogates=1.5), "surrogates: must"),
        (lambda: ordinal.classify_robust(["a"] * 10), "x: must be real"),
    ],
)
def test_bad_input_is_refused_clearly(call, message):
    with pytest.raises(ValueError, match=message):
        call()
