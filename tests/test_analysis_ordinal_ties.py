"""Tie-aware ordinal patterns: weak-ordering patterns (``ties="own"``), seeded random
tie-breaking (``ties="random"``), the stable default, and the tied-series warning.

Exact references are computed here by enumeration, independently of the Numba kernels: the
weak ordering of a window is its dense-rank vector, the stable pattern is numpy's stable
argsort, and for i.i.d. draws from m equally likely values a weak ordering with k levels has
probability C(m, k) / m**order (choose the k values, their order is fixed by the pattern).
"""

import itertools
import math
import warnings

import numpy as np
import pytest

from analysis import ordinal

ORDERED_BELL = [1, 1, 3, 13, 75, 541, 4683, 47293, 545835]  # OEIS A000670


def dense_ranks(window):
    """Dense-rank vector of a window (its weak ordering)."""
    levels = np.unique(window)
    return tuple(int(np.searchsorted(levels, value)) for value in window)


def weak_orderings(order):
    """Every weak ordering of ``order`` items, as dense-rank vectors (by enumeration)."""
    return sorted({dense_ranks(np.array(t)) for t in itertools.product(range(order), repeat=order)})


def test_ordered_bell_numbers_count_the_weak_orderings():
    assert [ordinal.ordered_bell_number(n) for n in range(9)] == ORDERED_BELL
    for order in range(1, 6):
        assert len(weak_orderings(order)) == ORDERED_BELL[order]
    assert ordinal.pattern_state_count(5, "own") == 541
    assert ordinal.pattern_state_count(5) == ordinal.pattern_state_count(5, "random") == 120


@pytest.mark.parametrize("order", [2, 3, 4, 5])
def test_every_weak_ordering_has_its_own_code(order):
    """All 3, 13, 75, 541 weak orderings (orders 2-5) map one-to-one onto [0, Fubini); strict
    ones keep their stable Lehmer code, and all are reached and counted in a long series."""
    codes = {}
    for ranks in weak_orderings(order):
        window = np.array(ranks, dtype=float)
        codes[ranks] = int(ordinal.ordinal_patterns(window, order, ties="own")[0])
        if len(set(ranks)) == order:
            assert codes[ranks] == ordinal.ordinal_patterns(window, order)[0]
    assert sorted(codes.values()) == list(range(ORDERED_BELL[order]))
    # i.i.d. integers in {0, …, order−1}: the rarest pattern has probability order**-order
    # (>= 1/3125), expected >= 64 times in 2·10⁵ windows; missing one has probability < 1e-25.
    series = np.random.default_rng(order).integers(0, order, 200_000)
    counts = ordinal.pattern_counts(series, order, ties="own")
    assert counts.shape == (ORDERED_BELL[order],) and np.all(counts > 0)
    assert counts.sum() == series.size - order + 1


def exact_iid_distributions(order, n_values):
    """Exact pattern probabilities of i.i.d. uniform draws from ``n_values`` values.

    Returns (own, stable): ``own`` over the weak orderings (analytic C(m, k)/m**n), ``stable``
    over the order! Lehmer codes (enumerating every tuple, stable argsort).
    """
    own = (
        np.array([math.comb(n_values, max(r) + 1) for r in weak_orderings(order)], dtype=float)
        / n_values**order
    )
    stable = np.zeros(math.factorial(order))
    for values in itertools.product(range(n_values), repeat=order):
        ranks = np.argsort(np.argsort(np.array(values), kind="stable"), kind="stable")
        code = sum(
            sum(ranks[j] < ranks[i] for j in range(i + 1, order)) * math.factorial(order - 1 - i)
            for i in range(order)
        )
        stable[code] += 1.0
    return own, stable / n_values**order


def shannon(p):
    p = p[p > 0]
    return float(-np.sum(p * np.log(p)))


def tolerance(p, n_windows, order):
    """Plug-in bias plus five standard deviations of the normalised plug-in entropy (nats/ln N).

    Variance of the plug-in estimate ≈ Var[−ln p(X)] / n (delta method); windows that overlap
    (fewer than ``order`` apart) are dependent, windows ``order`` or more apart are independent,
    so the variance is at most (2·order − 1) times the independent one (|cov| <= var). For a
    uniform p the first-order term vanishes and the second-order sd sqrt(2(K−1))/(2n) is used.
    """
    p = p[p > 0]
    k = p.size
    bias = (k - 1) / (2 * n_windows)
    variance = np.sum(p * np.log(p) ** 2) - shannon(p) ** 2
    sd = math.sqrt(max(variance, 0.0) * (2 * order - 1) / n_windows)
    sd = max(sd, (2 * order - 1) * math.sqrt(2 * (k - 1)) / (2 * n_windows))
    return bias + 5 * sd


@pytest.mark.parametrize("order", [3, 5])
def test_iid_integers_with_ties(order):
    """i.i.d. integers in {0, 1, 2}: "own" and "random" read the exact entropy of their
    distribution (weak orderings; uniform on order! for random tie-breaking of an exchangeable
    series), while "stable" reads its own, lower, biased value (every tie becomes a rise)
    and warns."""
    n = 200_000
    series = np.random.default_rng(11).integers(0, 3, n)
    n_windows = n - order + 1
    own, stable = exact_iid_distributions(order, 3)
    n_own = ORDERED_BELL[order]
    uniform = np.full(math.factorial(order), 1.0 / math.factorial(order))
    h_own = ordinal.permutation_entropy(series, order, ties="own")
    assert abs(h_own - shannon(own) / math.log(n_own)) < tolerance(
        own, n_windows, order
    ) / math.log(n_own)
    h_random = ordinal.permutation_entropy(series, order, ties="random", seed=5)
    log_n = math.log(math.factorial(order))
    assert abs(h_random - 1.0) < tolerance(uniform, n_windows, order) / log_n
    with pytest.warns(ordinal.TiedSeriesWarning, match="tied samples"):
        h_stable, c_stable = ordinal.complexity_entropy(series, order)
    assert abs(h_stable - shannon(stable) / log_n) < tolerance(stable, n_windows, order) / log_n
    # the stable bias is far outside the statistical error of the random estimate
    assert 1.0 - h_stable > 100 * tolerance(uniform, n_windows, order) / log_n
    if order == 5:
        # The exact stable point (H 0.8522, C 0.2240) sits at 0.67 of the C_min-C_max band, above
        # the 0.6 split: stable tie-breaking makes i.i.d. noise read complex. Random tie-breaking
        # reads stochastic. "own" reads complex too (position 0.94): three values allow only
        # the weak orderings with at most three levels, 1 in 5 of the 541 states
        # (documented in analysis.ordinal.ties).
        h_exact, c_exact = ordinal.complexity_entropy_from_counts(stable)
        assert ordinal.classify(h_exact, c_exact, 5) == "complex"
        assert ordinal.classify(h_stable, c_stable, 5) == "complex"
        h, c = ordinal.complexity_entropy(series, 5, ties="random", seed=5)
        assert ordinal.classify(h, c, 5) == "stochastic"
        h, c = ordinal.complexity_entropy_from_counts(own)
        assert ordinal.classify(h, c, 5, ties="own") == "complex"


def test_tie_free_data_give_the_same_patterns_in_every_mode():
    """Continuous data have no ties: the three modes count the same patterns (own adds only
    empty tied states), the unnormalised entropy is identical, and the normalised H of "own"
    is the stable one times ln(order!)/ln(541)."""
    x = np.random.default_rng(2).standard_normal((3, 5000))
    stable = ordinal.pattern_counts(x, 5, delay=[1, 2])
    own = ordinal.pattern_counts(x, 5, delay=[1, 2], ties="own")
    np.testing.assert_array_equal(own[..., :120], stable)
    assert not own[..., 120:].any()
    np.testing.assert_array_equal(
        ordinal.pattern_counts(x, 5, [1, 2], ties="random", seed=1), stable
    )
    nats = {
        ties: ordinal.permutation_entropy(x, 5, normalized=False, ties=ties, seed=4)
        for ties in ordinal.TIE_MODES
    }
    np.testing.assert_array_equal(nats["own"], nats["stable"])
    np.testing.assert_array_equal(nats["random"], nats["stable"])
    np.testing.assert_allclose(
        ordinal.permutation_entropy(x, 5, ties="own"),
        ordinal.permutation_entropy(x, 5) * math.log(120) / math.log(541),
        rtol=1e-14,
    )
    np.testing.assert_array_equal(
        ordinal.complexity_entropy(x, 5, ties="random", seed=9), ordinal.complexity_entropy(x, 5)
    )


def test_random_ties_are_seeded_and_leave_no_global_state():
    tied = np.random.default_rng(3).integers(0, 4, 3000)
    before = np.random.get_state()[1].copy()  # noqa: NPY002 (the global state must not move)
    first = ordinal.pattern_counts(tied, 4, ties="random", seed=42)
    np.testing.assert_array_equal(first, ordinal.pattern_counts(tied, 4, ties="random", seed=42))
    assert not np.array_equal(first, ordinal.pattern_counts(tied, 4, ties="random", seed=43))
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002
    generator_counts = ordinal.pattern_counts(
        tied, 4, ties="random", seed=np.random.default_rng(42)
    )
    np.testing.assert_array_equal(generator_counts, first)


def test_weighted_permutation_entropy_with_own_ties():
    """Each window's variance goes to its weak-ordering state: recomputed with numpy from the
    window codes of ordinal_patterns and the window variances (ddof 0)."""
    series = np.random.default_rng(8).integers(0, 4, 400).astype(float)
    order = 4
    codes = ordinal.ordinal_patterns(series, order, ties="own")
    windows = np.lib.stride_tricks.sliding_window_view(series, order)
    weights = np.bincount(codes, weights=windows.var(axis=1), minlength=75)
    p = weights / weights.sum()
    expected = shannon(p) / math.log(75)
    got = ordinal.weighted_permutation_entropy(series, order, ties="own")
    assert got == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("repeats", "warns"), [(24, False), (26, True)])
def test_warning_threshold(repeats, warns):
    """An increasing series with ``repeats`` isolated equal neighbours: each pair lies in
    order − 1 = 4 of the 10 000 windows, so the tied share is 0.0096 or 0.0104 around the 1 %
    threshold."""
    x = np.arange(10_004, dtype=float)
    for k in range(repeats):
        x[100 + 300 * k + 1] = x[100 + 300 * k]
    share = ordinal.tie_fraction(x, 5)
    assert share == pytest.approx(repeats * 4 / 10_000, abs=1e-15)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ordinal.pattern_counts(x, 5)
        ordinal.pattern_counts(x, 5, ties="own")  # tie-aware modes never warn
    tied = [w for w in caught if issubclass(w.category, ordinal.TiedSeriesWarning)]
    assert len(tied) == (1 if warns else 0)
    if warns:
        assert tied[0].filename == __file__  # points at the caller


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ordinal.pattern_counts(np.arange(9.0), 3, ties="dense"), "^ties: must be one of"),
        (lambda: ordinal.pattern_counts(np.arange(9.0), 3, ties="random"), "^seed: ties='random'"),
        (lambda: ordinal.pattern_counts(np.arange(9.0), 3, ties="random", seed="a"), "^seed: not"),
        (lambda: ordinal.pattern_counts(np.arange(20.0), 9, ties="own"), "^order: ties='own'"),
        (lambda: ordinal.ordered_bell_number(101), "^order: must be an integer"),
    ],
)
def test_bad_tie_options_name_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def peccary_run(folder, ties, seed=1):
    """A PECCARY run on a file of 4000 i.i.d. integers in {0, 1, 2} (heavily tied)."""
    from sims.peccary.model import PeccaryModel, PeccaryParams
    from tests.test_peccary_files import write_csv

    path = folder / "counts.csv"
    if not path.exists():
        write_csv(path, {"x": np.random.default_rng(0).integers(0, 3, 4000).astype(float)})
    block = {"kind": "file", "path": "counts.csv", "time_step": 1.0}
    params = PeccaryParams.model_validate(
        {"series": {"counts": block}, "ties": ties, "max_delay": 3},
        context={"scenario_dir": str(folder)},
    )
    model = PeccaryModel(params, np.random.SeedSequence(seed))
    model.advance(params.samples)
    return model.to_dataset([model.observe()])


def test_peccary_runs_take_the_tie_mode(tmp_path):
    """The run's ``ties`` reaches every count (checked against analysis.ordinal on the stored
    series), is recorded in the attributes, is named by the summary under "stable" (no Python
    warning: the file holds tie_fraction), and "random" is seeded by the run (bitwise the same
    for the same seed) and recomputed identically from the file."""
    from sims.peccary import workflow

    with warnings.catch_warnings():  # reported by tie_fraction and the summary, not warned
        warnings.simplefilter("error", ordinal.TiedSeriesWarning)
        stable = peccary_run(tmp_path, "stable")
    assert stable.attrs["ties"] == "stable"
    assert stable.tie_fraction.max() > ordinal.TIE_WARNING_FRACTION
    assert stable.tie_fraction.attrs["warning_threshold"] == ordinal.TIE_WARNING_FRACTION
    from sims.peccary.model import PeccaryModel

    assert "windows tied in counts" in PeccaryModel.summarize(stable)
    values = stable.value.values[0]
    for ties in ("own", "random"):
        with warnings.catch_warnings():
            warnings.simplefilter("error", ordinal.TiedSeriesWarning)
            run = peccary_run(tmp_path, ties)
        assert run.attrs["ties"] == ties
        seed = run.attrs["tie_breaking_seed"]
        expected = ordinal.permutation_entropy(values, 5, [1, 2, 3], ties=ties, seed=seed)
        np.testing.assert_array_equal(run.permutation_entropy.values[0], expected)
        recomputed = workflow.analyze_dataset(run)
        np.testing.assert_array_equal(recomputed.permutation_entropy, run.permutation_entropy)
    np.testing.assert_array_equal(
        peccary_run(tmp_path, "random").statistical_complexity,
        peccary_run(tmp_path, "random").statistical_complexity,
    )
    own = peccary_run(tmp_path, "own")
    assert "tied" not in PeccaryModel.summarize(own)  # the run chose how to treat its ties
    assert np.all(own.windows.values == 4000 - 4 * np.arange(1, 4))
    assert not np.array_equal(own.permutation_entropy, stable.permutation_entropy)


def test_peccary_delay_counts_keep_each_series_random_keys():
    """With ties="random" the PECCARY-delay pass (series grouped by their delay) uses the keys
    each series had in the delay grid: its H at its own delay is the grid's value, exactly."""
    from sims.peccary import workflow

    t = np.arange(6000)
    values = np.round(np.vstack([3 * np.sin(2 * np.pi * t / p) for p in (40.0, 90.0)]))
    delays = np.arange(1, 41)
    result = workflow.analyse(values, np.ones(2), 5, delays, 0.4, "crossings", "random", 3)
    own = result["peccary_delay"]
    assert own[0] != own[1] and np.all((own >= 1) & (own <= delays[-1])), own
    for row in range(2):
        grid = result["permutation_entropy"][row, own[row] - 1]
        assert result["peccary_entropy"][row] == grid
