import math

import numpy as np
import ordpy
import pytest
import xarray as xr

from analysis import ordinal


def logistic_map(n, r=4.0, x0=0.1):
    x = np.empty(n)
    x[0] = x0
    for i in range(1, n):
        x[i] = r * x[i - 1] * (1.0 - x[i - 1])
    return x


def signals(n=3000):
    rng = np.random.default_rng(20261122)
    t = np.arange(n)
    return {
        "random": rng.standard_normal(n),
        "chaotic": logistic_map(n),
        "periodic": np.sin(2 * np.pi * t / 50.3),
        "integer_ties": rng.integers(0, 4, n),
    }


SIGNALS = signals()


@pytest.mark.filterwarnings("ignore::analysis.ordinal.TiedSeriesWarning")  # ties on purpose
@pytest.mark.parametrize("order", [3, 4, 5, 6, 7])
@pytest.mark.parametrize("delay", [1, 2, 5])
@pytest.mark.parametrize("name", ["random", "chaotic", "periodic", "integer_ties"])
def test_complexity_entropy_equals_ordpy(name, order, delay):
    x = SIGNALS[name]
    h, c = ordinal.complexity_entropy(x, order=order, delay=delay)
    h_ref, c_ref = ordpy.complexity_entropy(x, dx=order, taux=delay)
    assert abs(h - h_ref) <= 1e-12
    assert abs(c - c_ref) <= 1e-12
    bits = ordinal.permutation_entropy(x, order, delay, normalized=False, base=2)
    bits_ref = ordpy.permutation_entropy(x, dx=order, taux=delay, base=2, normalized=False)
    assert abs(bits - bits_ref) <= 1e-12 * max(1.0, bits_ref)


@pytest.mark.parametrize("order", [3, 4, 5])
@pytest.mark.parametrize("delay", [1, 3])
def test_pattern_symbols_equal_ordpy_sequence(order, delay):
    for x in (SIGNALS["random"][:500], SIGNALS["integer_ties"][:500]):
        codes = ordinal.ordinal_patterns(x, order, delay)
        assert codes.min() >= 0 and codes.max() < math.factorial(order)
        np.testing.assert_array_equal(
            ordinal.pattern_permutations(codes, order), ordpy.ordinal_sequence(x, order, taux=delay)
        )
    assert ordinal.ordinal_patterns([1.0, 2.0, 3.0], 3)[0] == 0
    assert ordinal.ordinal_patterns([3.0, 2.0, 1.0], 3)[0] == 5
    # ties: the earlier sample counts as smaller, so a constant window is "increasing"
    assert ordinal.ordinal_patterns([7.0, 7.0, 7.0], 3)[0] == 0


@pytest.mark.filterwarnings("ignore::analysis.ordinal.TiedSeriesWarning")  # ties on purpose
def test_tie_tolerance_matches_ordpy_tie_precision():
    x = np.random.default_rng(4).standard_normal(2000)
    h, c = ordinal.complexity_entropy(x, 4, 1, tie_tolerance=0.1)
    h_ref, c_ref = ordpy.complexity_entropy(x, dx=4, tie_precision=1)
    assert abs(h - h_ref) <= 1e-12 and abs(c - c_ref) <= 1e-12


@pytest.mark.parametrize("order", [3, 4, 5])
@pytest.mark.parametrize("delay", [1, 3])
def test_weighted_renyi_tsallis_equal_ordpy(order, delay):
    x = SIGNALS["random"][:2000]
    assert ordinal.weighted_permutation_entropy(x, order, delay) == pytest.approx(
        ordpy.weighted_permutation_entropy(x, dx=order, taux=delay), abs=1e-12
    )
    for alpha in (0.5, 2.0):
        assert ordinal.renyi_permutation_entropy(x, alpha, order, delay) == pytest.approx(
            ordpy.renyi_entropy(x, alpha=alpha, dx=order, taux=delay), abs=1e-12
        )
    for q in (0.5, 2.0):
        assert ordinal.tsallis_permutation_entropy(x, q, order, delay) == pytest.approx(
            ordpy.tsallis_entropy(x, q=q, dx=order, taux=delay), abs=1e-12
        )


def test_reference_values_and_forbidden_patterns():
    # Logistic map r=4 from x0=0.1, 1e5 samples: H, C and 31 of 120 patterns (reference study).
    x = logistic_map(100_000)
    h, c = ordinal.complexity_entropy(x, 5)
    assert h == pytest.approx(0.679087, abs=1e-6)
    assert c == pytest.approx(0.399237, abs=1e-6)
    assert ordinal.missing_patterns(x, 5) == 120 - 31
    assert ordinal.missing_patterns(x, 5) == ordpy.missing_patterns(
        x, dx=5, return_fraction=False, return_missing=False
    )
    # A sine shows exactly 2(2n-3) patterns: 14 at order 5, 18 at order 6.
    sine = np.sin(2 * np.pi * np.arange(100_000) / 50.3)
    assert np.count_nonzero(ordinal.pattern_counts(sine, 5)) == 14
    assert np.count_nonzero(ordinal.pattern_counts(sine, 6)) == 18
    assert ordinal.complexity_entropy(sine, 5)[0] == pytest.approx(0.265770, abs=1e-6)


def test_many_delays_and_batches_equal_single_calls():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((3, 4000))
    delays = range(1, 11)
    h, c = ordinal.complexity_entropy(x, 5, delays)
    assert h.shape == c.shape == (3, 10)
    for row in range(3):
        for k, delay in enumerate(delays):
            h1, c1 = ordinal.complexity_entropy(x[row], 5, delay)
            assert h[row, k] == h1 and c[row, k] == c1
    counts = ordinal.pattern_counts(x.T, 4, [1, 2], axis=0)
    assert counts.shape == (3, 2, 24)
    np.testing.assert_array_equal(counts.sum(axis=-1), [[3997, 3994]] * 3)
    np.testing.assert_array_equal(counts[1, 1], ordinal.pattern_counts(x[1], 4, 2))


def test_extreme_distributions():
    h, c = ordinal.complexity_entropy(np.arange(100.0), 4)
    assert h == 0.0 and c == 0.0
    counts = np.ones(24)
    assert ordinal.complexity_entropy_from_counts(counts) == pytest.approx((1.0, 0.0), abs=1e-15)


@pytest.mark.parametrize(
    ("order", "q0", "c_max", "h_at_c_max", "c_min_peak"),
    [
        (3, 2.203067, 0.291452, 0.613147, 0.219959),
        (4, 1.651047, 0.354090, 0.563791, 0.215504),
        (5, 1.494734, 0.424820, 0.615027, 0.207005),
        (6, 1.453735, 0.496700, 0.654188, 0.197402),
    ],
)
def test_ch_bounds_reference_numbers(order, q0, c_max, h_at_c_max, c_min_peak):
    assert ordinal.complexity_normalization(math.factorial(order)) == pytest.approx(q0, abs=1e-6)
    bounds = ordinal.ch_plane_bounds(order, n_points=20_000)
    peak = np.argmax(bounds.max_complexity)
    assert bounds.max_complexity[peak] == pytest.approx(c_max, abs=1e-6)
    assert bounds.max_entropy[peak] == pytest.approx(h_at_c_max, abs=1e-4)
    assert bounds.min_complexity.max() == pytest.approx(c_min_peak, abs=1e-5)


@pytest.mark.parametrize("order", [3, 4, 5])
def test_ch_bounds_equal_ordpy_curves(order):
    bounds = ordinal.ch_plane_bounds(order, n_points=50)
    minimum = ordpy.minimum_complexity_entropy(dx=order, size=50)
    np.testing.assert_allclose(bounds.min_entropy, minimum[:, 0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(bounds.min_complexity, minimum[:, 1], rtol=0, atol=1e-12)
    # ordpy's maximum-curve vertices (m=1) are points of ours.
    vertices = ordpy.maximum_complexity_entropy(dx=order, m=1)
    ours = np.column_stack([bounds.max_entropy, bounds.max_complexity])
    for h, c in vertices:
        assert np.min(np.hypot(ours[:, 0] - h, ours[:, 1] - c)) <= 1e-12
    # Every point of ordpy's sampled maximum curve lies on our exact maximum curve.
    sampled = ordpy.maximum_complexity_entropy(dx=order, m=7)
    _, c_max = ordinal.complexity_bounds_at(sampled[:, 0], order)
    np.testing.assert_allclose(c_max, sampled[:, 1], rtol=0, atol=1e-10)


def test_points_lie_between_bounds():
    for x in SIGNALS.values():
        h, c = ordinal.complexity_entropy(x, 5, [1, 2, 5])
        c_min, c_max = ordinal.complexity_bounds_at(h, 5)
        assert np.all(c >= c_min - 1e-12) and np.all(c <= c_max + 1e-12)


def test_periodic_bounds_and_classify():
    assert ordinal.periodic_entropy_bounds(5) == pytest.approx((0.144783, 0.551240), abs=1e-6)
    assert ordinal.periodic_entropy_bounds(6) == pytest.approx((0.105354, 0.439316), abs=1e-6)
    # (H, C) of the reference signals (order 5 and 6, 1e5 samples)
    cases = {
        5: {
            "sine": (0.265770, 0.228859, "regular"),
            "sum of sines": (0.599990, 0.353566, "complex"),
            "white": (0.999887, 0.000203, "stochastic"),
            "pink": (0.976624, 0.039467, "stochastic"),
            "red": (0.878945, 0.163514, "stochastic"),
            "brown": (0.915357, 0.120005, "stochastic"),
            "logistic": (0.679087, 0.399237, "complex"),
            "henon": (0.615936, 0.404446, "complex"),
        },
        6: {
            "sine": (0.222208, 0.210003, "regular"),
            "sum of sines": (0.564360, 0.415759, "complex"),
            "white": (0.999467, 0.001275, "stochastic"),
            "pink": (0.970681, 0.064253, "stochastic"),
            "red": (0.857751, 0.230754, "stochastic"),
            "brown": (0.895998, 0.178927, "stochastic"),
            "logistic": (0.628827, 0.483962, "complex"),
            "henon": (0.555572, 0.458904, "complex"),
        },
    }
    for order, table in cases.items():
        h, c, expected = (np.array(v) for v in zip(*table.values(), strict=True))
        np.testing.assert_array_equal(
            ordinal.classify(h.astype(float), c.astype(float), order), expected
        )
    # the rule itself: H <= H_max(periodic) is regular; above, the band position decides
    h_max = ordinal.periodic_entropy_bounds(5)[1]
    assert ordinal.classify(h_max, 0.3, 5) == "regular"
    c_min, c_max = ordinal.complexity_bounds_at(0.8, 5)
    split = c_min + ordinal.COMPLEX_FRACTION * (c_max - c_min)
    assert ordinal.classify(0.8, split + 1e-9, 5) == "complex"
    assert ordinal.classify(0.8, split - 1e-9, 5) == "stochastic"
    assert ordinal.classify(np.nan, 0.1, 5) == "undefined"
    with pytest.raises(ValueError, match="order"):
        ordinal.classify(0.5, 0.2, 3)


def test_classify_sampled_needs_ten_windows_per_pattern():
    """Classified from exactly MIN_WINDOWS_PER_PATTERN · order! windows on, undefined one window
    short, at order < 4, and for NaN; the window counts broadcast against the points."""
    h, c = np.array([0.265770, 0.999887]), np.array([0.228859, 0.000203])  # regular, stochastic
    enough = ordinal.MIN_WINDOWS_PER_PATTERN * math.factorial(5)
    np.testing.assert_array_equal(
        ordinal.classify_sampled(h, c, enough, 5), ["regular", "stochastic"]
    )
    np.testing.assert_array_equal(
        ordinal.classify_sampled(h, c, [enough, enough - 1], 5), ["regular", "undefined"]
    )
    np.testing.assert_array_equal(
        ordinal.classify_sampled(h, c, 10**6, 3), ["undefined", "undefined"]
    )
    assert ordinal.classify_sampled(np.nan, 0.1, enough, 5) == "undefined"
    # the integer codes NetCDF files store, and their decoding
    codes = ordinal.classify_sampled_codes(h, c, [enough, enough - 1], 5)
    assert codes.dtype == np.int8
    np.testing.assert_array_equal(codes, [0, ordinal.UNDEFINED_CODE])
    np.testing.assert_array_equal(ordinal.regime_names(codes), ["regular", "undefined"])
    assert ordinal.REGIMES[0] == "regular" and ordinal.REGIMES[2] == "stochastic"


def test_regime_names_decodes_a_variable_by_its_own_flags():
    """A DataArray is decoded with its CF flag attributes (any order of flag_values), keeping
    dims and coordinates; a code without a meaning is refused by name."""
    import xarray as xr

    variable = xr.DataArray(
        np.array([[2, 0], [-1, 1]], dtype=np.int8),
        dims=("series", "delay"),
        coords={"delay": [1, 2]},
        attrs=dict(ordinal.REGIME_FLAGS, long_name="PECCARY regime"),
        name="classification",
    )
    names = ordinal.regime_names(variable)
    assert names.dims == ("series", "delay") and list(names.delay) == [1, 2]
    np.testing.assert_array_equal(
        names.values, [["stochastic", "regular"], ["undefined", "complex"]]
    )
    shuffled = variable.assign_attrs(flag_values=np.array([2, 1, 0, -1]), flag_meanings="c b a z")
    np.testing.assert_array_equal(ordinal.regime_names(shuffled).values, [["c", "a"], ["z", "b"]])
    with pytest.raises(ValueError, match="^classification: code 7 has no meaning"):
        ordinal.regime_names(variable.copy(data=np.full((2, 2), 7, dtype=np.int8)))


def test_classify_generated_signals():
    rng = np.random.default_rng(3)
    n = 20_000
    white = rng.standard_normal(n)
    brown = np.cumsum(rng.standard_normal(n))
    sine = np.sin(2 * np.pi * np.arange(n) / 50.3)
    h, c = ordinal.complexity_entropy(np.stack([white, brown, sine, logistic_map(n)]), 5)
    np.testing.assert_array_equal(
        ordinal.classify(h, c, 5), ["stochastic", "stochastic", "regular", "complex"]
    )


def test_natural_timescale_and_recommended_delay():
    dt = 0.01
    t = np.arange(0.0, 100.0, dt)  # 10 000 samples, duration 99.99
    sine = np.sin(2 * np.pi * t / 7.0)
    assert ordinal.natural_timescale(sine, dt) == pytest.approx(6.8959, abs=1e-4)
    assert ordinal.natural_timescale(sine, dt, "minima") == pytest.approx(7.0, abs=1e-9)
    assert ordinal.natural_timescale(sine, dt, "maxima") == pytest.approx(7.0, abs=1e-9)
    for fraction, expected in [(0.3, 52), (0.4, 69), (0.5, 86)]:
        assert ordinal.recommended_delay(sine, 5, dt, fraction) == expected
    with pytest.warns(UserWarning, match="pattern_fraction"):
        assert ordinal.recommended_delay(sine, 5, dt, 0.1) == 17
    with pytest.warns(UserWarning, match="too short"):
        ordinal.recommended_delay(sine[:600], 5, dt)
    with pytest.raises(ValueError, match="method"):
        ordinal.natural_timescale(sine, dt, "zero")


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: ordinal.permutation_entropy([1.0, np.nan, 2.0, 3.0], 3), "x"),
        (lambda: ordinal.permutation_entropy(np.arange(8.0), 5, 2), "x"),
        (lambda: ordinal.permutation_entropy(np.arange(100.0), 1), "order"),
        (lambda: ordinal.permutation_entropy(np.arange(100.0), 13), "order"),
        (lambda: ordinal.permutation_entropy(np.arange(100.0), 3.5), "order"),
        (lambda: ordinal.permutation_entropy(np.arange(100.0), 3, 0), "delay"),
        (lambda: ordinal.permutation_entropy(np.arange(100.0), 3, 1.5), "delay"),
        (lambda: ordinal.permutation_entropy(np.arange(100.0), 3, tie_tolerance=-1), "tie"),
        (lambda: ordinal.complexity_entropy(np.ones(10) * 1j, 3), "x"),
        (lambda: ordinal.ordinal_patterns(np.ones((3, 10)), 3), "x"),
        (lambda: ordinal.pattern_permutations([6], 3), "codes"),
        (lambda: ordinal.ch_plane_bounds(4, n_points=1), "n_points"),
        (lambda: ordinal.natural_timescale(np.ones(10), 1.0), "x"),
        (lambda: ordinal.natural_timescale(np.arange(10.0), 0.0), "dt"),
    ],
)
def test_bad_input_names_argument(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


def test_ordinal_summary_dataset():
    rng = np.random.default_rng(1)
    noise = rng.standard_normal((2, 3000))
    noise[1, 10] = np.nan
    ds = xr.Dataset(
        {
            "x": (("agent", "time"), noise, {"long_name": "position", "units": "m"}),
            "count": (("time",), rng.integers(0, 9, 3000)),
            "label": (("time",), np.array(["a"] * 3000)),
            "static": (("agent",), np.ones(2)),
        },
        coords={"time": np.arange(3000.0), "agent": [10, 20]},
    )
    with pytest.warns(ordinal.TiedSeriesWarning, match="tied samples"):  # count: 9 values
        summary = ordinal.ordinal_summary(ds, dim="time", order=4, delay=1)
    assert set(summary.data_vars) == {
        f"{v}_{k}"
        for v in ("x", "count")
        for k in ("permutation_entropy", "statistical_complexity", "regime", "tie_fraction")
    }
    assert summary["x_tie_fraction"].values[0] == 0.0 and np.isnan(summary["x_tie_fraction"][1])
    assert summary["count_tie_fraction"].item() == ordinal.tie_fraction(ds["count"].values, 4)
    assert summary.attrs["ordinal_ties"] == "stable"
    assert summary["x_permutation_entropy"].dims == ("agent",)
    h, c = ordinal.complexity_entropy(noise[0], 4)
    assert summary["x_permutation_entropy"].values[0] == h
    assert summary["x_statistical_complexity"].values[0] == c
    assert np.isnan(summary["x_permutation_entropy"].values[1])
    assert summary["x_regime"].values.tolist() == [2, -1]
    for variable in summary.data_vars.values():
        assert variable.attrs["units"] == "1"
        assert variable.attrs["long_name"]
    assert "position" in summary["x_permutation_entropy"].attrs["long_name"]
    with pytest.warns(ordinal.TiedSeriesWarning):
        multi = ordinal.ordinal_summary(ds, order=4, delay=[1, 2, 3])
    assert multi["x_statistical_complexity"].dims == ("agent", "delay")
    np.testing.assert_array_equal(multi["delay"], [1, 2, 3])
    with pytest.raises(ValueError, match="dim"):
        ordinal.ordinal_summary(ds, dim="space")
    with pytest.raises(ValueError, match="dim"):
        ordinal.ordinal_summary(ds.isel(time=slice(0, 5)), order=4, delay=2)


# ----------------------------------------------------------------------------- domain edges

SINE = np.sin(2 * np.pi * (np.arange(200) + 0.5) / 20.0)
"""Ten periods sampled half a step off the zeros: every sample is >= 0.15 from the mean, so no
crossing hangs on the last bit of a sum (whose rounding differs between CPU types)."""


@pytest.mark.parametrize(
    ("call", "message"),
    [
        # an empty table raised "math domain error"; one state gave NaN
        (lambda: ordinal.complexity_entropy_from_counts([]), "^counts: needs at least one"),
        (lambda: ordinal.complexity_entropy_from_counts([5]), "^counts: needs at least 2"),
        (lambda: ordinal.complexity_entropy_from_counts([[1, 2]], axis=3), "^axis: must lie"),
        (lambda: ordinal.complexity_normalization(np.inf), "^n_states: must be an integer"),
        (lambda: ordinal.permutation_entropy([1.0, np.inf, 2.0, 3.0, 4.0], 3), "^x: contains"),
        (lambda: ordinal.permutation_entropy([True, False, True, True], 2), "^x: must be real"),
        (lambda: ordinal.permutation_entropy([[1, 2], [3]], 2), "^x: not a rectangular"),
        (
            lambda: ordinal.permutation_entropy(2**60 + np.arange(5, dtype=np.int64)[::-1], 3),
            "^x: integers beyond",
        ),
        (lambda: ordinal.permutation_entropy(np.arange(10.0), 3, axis=1), "^axis: must lie"),
        (lambda: ordinal.permutation_entropy(np.arange(10.0), np.inf), "^order: must be"),
        # [3, 2, 1] / 5e-324 overflowed to [inf, inf, inf]: a tie, read as increasing
        (
            lambda: ordinal.ordinal_patterns([3.0, 2.0, 1.0], 3, tie_tolerance=5e-324),
            "^tie_tolerance: .* too small",
        ),
        (lambda: ordinal.pattern_permutations([1.5], 3), "^codes: must be finite whole"),
        (lambda: ordinal.ch_plane_bounds(4, n_points=2**63), "^n_points: must be an integer"),
        (lambda: ordinal.complexity_bounds_at([np.nan], 5), "^entropy: must not be NaN"),
        (lambda: ordinal.complexity_bounds_at([2.0], 5), "^entropy: must lie in"),
        (lambda: ordinal.complexity_position(0.5, np.inf, 5), "^complexity: must be finite"),
        (lambda: ordinal.complexity_position([0.5, 0.6], [0.1] * 3, 5), "^complexity: shape"),
        (lambda: ordinal.classify_sampled(0.5, 0.3, 10**6, 2.5), "^order: must be an integer"),
        (lambda: ordinal.classify_sampled(0.5, 0.3, [1, 2, 3], 5), "^n_windows: shape"),
        (lambda: ordinal.classify_sampled(0.5, 0.3, 1.5, 5), "^n_windows: must be finite"),
        (lambda: ordinal.natural_timescale(SINE, dt=np.inf), "^dt: must be finite"),
        (lambda: ordinal.natural_timescale(SINE, dt=1e307), "^dt: .* overflow"),
        (lambda: ordinal.natural_timescale(SINE, method=["minima"]), "^method: must be one"),
        (
            lambda: ordinal.recommended_delay(SINE, 3, pattern_fraction=1e308),
            "^pattern_fraction: .* beyond 2\\*\\*53",
        ),
        (lambda: ordinal.recommended_delay(["1", "2", "3", "4"]), "^x: must be real"),
        (lambda: ordinal.ordinal_summary(np.arange(5.0)), "^ds: must be an xarray"),
        (
            lambda: ordinal.ordinal_summary(xr.Dataset({"v": ("time", [2**60, 1, 2, 3, 4])})),
            "^ds: variable 'v' holds integers beyond",
        ),
    ],
)
def test_out_of_domain_input_is_refused_with_the_argument_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_complexity_entropy_from_huge_weights_equals_that_of_small_ones():
    """Weights of 1e308 overflowed the normalising sum (H and C came out as -0.0)."""
    expected = ordinal.complexity_entropy_from_counts([1.0, 1.0, 0.0])
    assert ordinal.complexity_entropy_from_counts([1e308, 1e308, 0.0]) == expected


@pytest.mark.parametrize("scale", [1e300, 1e-200])
def test_weighted_permutation_entropy_is_scale_free_at_extreme_scales(scale):
    """Window variances of 1e300-sized values overflowed (refused as 'p: must be finite') and
    those of 1e-200-sized values underflowed to zero (NaN)."""
    x = np.random.default_rng(1).standard_normal(200)
    expected = ordinal.weighted_permutation_entropy(x, 3)
    assert ordinal.weighted_permutation_entropy(x * scale, 3) == pytest.approx(expected, rel=1e-12)


def test_natural_timescale_of_huge_values_equals_that_of_small_ones():
    """The mean of 1e308-sized values overflowed: no mean crossings were found."""
    assert ordinal.natural_timescale(1e308 * SINE) == ordinal.natural_timescale(SINE)


def test_ordinal_summary_gives_nan_for_a_series_with_inf():
    """±inf marks overflowed data like NaN marks missing data: NaN, regime −1, others kept."""
    rng = np.random.default_rng(4)
    values = rng.standard_normal((2, 3000))
    values[1, 7] = np.inf
    summary = ordinal.ordinal_summary(xr.Dataset({"v": (("member", "time"), values)}), order=4)
    h, _ = ordinal.complexity_entropy(values[0], 4)
    assert summary["v_permutation_entropy"].values[0] == h
    assert np.isnan(summary["v_permutation_entropy"].values[1])
    assert summary["v_regime"].values[1] == -1


@pytest.mark.filterwarnings("ignore::analysis.ordinal.TiedSeriesWarning")  # ties on purpose
def test_split_patterns_never_span_a_gap():
    """Two monotone runs around a NaN: every counted window is increasing or decreasing; counted
    across the gap (the NaN dropped), the join would add the windows (2, 3, 3) and (3, 3, 2)."""
    run_up, run_down = [0.0, 1.0, 2.0, 3.0], [3.0, 2.0, 1.0, 0.0]
    x = np.array([5.0, np.nan] + run_up + [np.nan] + run_down + [np.nan, 7.0, 8.0])
    counts = ordinal.pattern_counts(x, order=3, delay=1, nan="split")
    expected = np.zeros(6, dtype=np.int64)
    expected[0], expected[5] = 2, 2  # code 0 increasing, 3! - 1 decreasing; short runs add none
    np.testing.assert_array_equal(counts, expected)
    joined = ordinal.pattern_counts(np.array(run_up + run_down), order=3)
    assert joined.sum() == 6 and not np.array_equal(joined, expected)
    # delay 2 needs 5 samples: the runs of 4 are too short, a run of 6 gives 2 windows
    longer = np.concatenate([run_up, [np.nan], np.arange(6.0)])
    np.testing.assert_array_equal(
        ordinal.pattern_counts(longer, order=3, delay=[1, 2], nan="split").sum(axis=-1), [6, 2]
    )
    # pooled counts are the sum of the segments' own counts, on a random series with gaps
    rng = np.random.default_rng(11)
    y = rng.standard_normal(3000)
    y[rng.choice(3000, 40, replace=False)] = np.nan
    edges = np.flatnonzero(np.diff(np.concatenate(([0], np.isfinite(y), [0])).astype(int)))
    segments = [y[a:b] for a, b in zip(edges[::2], edges[1::2], strict=True)]
    by_segment = sum(ordinal.pattern_counts(s, order=4, delay=3) for s in segments if s.size >= 10)
    np.testing.assert_array_equal(ordinal.pattern_counts(y, 4, 3, nan="split"), by_segment)
    with pytest.raises(ValueError, match="^x: contains NaN"):
        ordinal.pattern_counts(y, 4, 3)
    with pytest.raises(ValueError, match="^nan: must be one of"):
        ordinal.pattern_counts(y, 4, 3, nan="drop")
    with pytest.raises(ValueError, match="^x: contains ±inf"):
        ordinal.pattern_counts([1.0, np.inf, 2.0, 3.0], 2, nan="split")


def test_tie_fraction_of_constructed_series():
    """Known shares: one tied window of four; a tie two samples apart; an independent count
    (a window ties when it has fewer distinct values than samples) on quantised noise."""
    assert ordinal.tie_fraction([1.0, 1.0, 2.0, 3.0, 4.0, 5.0], order=3) == 0.25
    assert ordinal.tie_fraction([1.0, 2.0, 1.0, 3.0, 4.0], order=3) == pytest.approx(1 / 3)
    assert ordinal.tie_fraction(np.arange(50.0), order=5) == 0.0
    quantised = np.random.default_rng(5).integers(0, 6, 2000).astype(float)
    for delay in (1, 3):
        span = 4 * delay
        windows = [quantised[t : t + span + 1 : delay] for t in range(quantised.size - span)]
        expected = np.mean([len(set(w)) < 5 for w in windows])
        assert ordinal.tie_fraction(quantised, 5, delay) == pytest.approx(expected, abs=1e-15)
    np.testing.assert_allclose(
        ordinal.tie_fraction(quantised, 5, [1, 3]),
        [ordinal.tie_fraction(quantised, 5, 1), ordinal.tie_fraction(quantised, 5, 3)],
    )
    # with gaps: windows spanning a NaN are not windows; a series of runs too short gives NaN
    gapped = np.array([1.0, 1.0, 2.0, np.nan, 3.0, 4.0, 5.0])
    assert ordinal.tie_fraction(gapped, order=3, nan="split") == 0.5
    assert np.isnan(ordinal.tie_fraction([1.0, 2.0, np.nan, 3.0, 4.0], order=3, nan="split"))


def test_natural_timescale_of_a_gapped_series():
    """Crossings (of the mean of all finite samples) and their duration pool over the finite
    segments; extrema spacings are taken within segments; the gap is neither."""
    t = np.arange(230.0)
    x = np.sin(2 * np.pi * t / 20.0 + 0.3)
    x[97:130] = np.nan  # a gap of 33 samples: joining the segments would add a crossing
    a, b = x[:97], x[130:]
    mean = np.nanmean(x)
    crossings = sum(np.count_nonzero(np.diff(s >= mean)) for s in (a, b))
    expected = ((a.size - 1) + (b.size - 1)) * 0.5 / (crossings / 2)
    assert ordinal.natural_timescale(x, dt=0.5, nan="split") == pytest.approx(expected, rel=1e-15)
    # each segment may miss one of its ~10 crossings (the estimator's bias): within 2/18 of P
    assert ordinal.natural_timescale(x, dt=0.5, nan="split") == pytest.approx(10.0, rel=2 / 18)
    assert ordinal.natural_timescale(x, dt=0.5, method="maxima", nan="split") == pytest.approx(
        10.0, abs=1e-12
    )
    assert ordinal.recommended_delay(x, order=5, dt=0.5, nan="split") == round(
        0.4 * expected / (0.5 * 4)
    )
    with pytest.raises(ValueError, match="^x: must be finite"):
        ordinal.natural_timescale(x)
