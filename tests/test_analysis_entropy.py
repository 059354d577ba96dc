import math

import numpy as np
import pytest

from analysis import entropy

EULER_GAMMA = 0.5772156649015329


def gaussian_entropy(sigma, dims=1):
    return 0.5 * dims * math.log(2 * math.pi * math.e * sigma**2)


def test_identities_uniform_and_delta():
    for m in (2, 7, 100):
        assert entropy.shannon_entropy(np.full(m, 3)) == pytest.approx(math.log(m), rel=1e-14)
        assert entropy.shannon_entropy(np.full(m, 3), base=2) == pytest.approx(
            math.log2(m), rel=1e-14
        )
        assert entropy.shannon_entropy(np.full(m, 3), normalized=True) == pytest.approx(1.0)
    assert entropy.shannon_entropy([0, 0, 12, 0]) == 0.0
    p = np.array([0.5, 0.25, 0.25])
    assert entropy.shannon_entropy(p, base=2) == pytest.approx(1.5, rel=1e-15)
    rows = np.array([[1, 1, 1, 1], [4, 0, 0, 0], [0, 0, 0, 0]])
    result = entropy.shannon_entropy(rows, axis=1)
    assert result[:2] == pytest.approx([math.log(4), 0.0])
    assert np.isnan(result[2])
    np.testing.assert_allclose(entropy.shannon_entropy(rows.T, axis=0)[:2], result[:2])


def test_renyi_limits_and_monotonicity():
    p = np.array([0.5, 0.2, 0.2, 0.1, 0.0])
    shannon = entropy.shannon_entropy(p)
    assert entropy.renyi_entropy(p, 1.0) == pytest.approx(shannon, rel=1e-15)
    for alpha in (1 - 1e-7, 1 + 1e-7):
        assert entropy.renyi_entropy(p, alpha) == pytest.approx(shannon, abs=1e-6)
    assert entropy.renyi_entropy(p, 0.0) == pytest.approx(math.log(4))
    assert entropy.renyi_entropy(p, np.inf) == pytest.approx(-math.log(0.5))
    assert entropy.renyi_entropy(p, 2.0) == pytest.approx(-math.log(np.sum(p**2)))
    values = [entropy.renyi_entropy(p, a) for a in (0, 0.5, 1, 2, 5, np.inf)]
    assert all(a >= b for a, b in zip(values, values[1:], strict=False))
    assert entropy.renyi_entropy(np.ones(8), 3.0, normalized=True) == pytest.approx(1.0)
    assert entropy.renyi_entropy(p, 2.0, base=2) == pytest.approx(
        entropy.renyi_entropy(p, 2.0) / math.log(2)
    )


def test_tsallis_values():
    p = np.array([0.5, 0.3, 0.2])
    assert entropy.tsallis_entropy(p, 1.0) == pytest.approx(entropy.shannon_entropy(p))
    assert entropy.tsallis_entropy(p, 1 + 1e-7) == pytest.approx(
        entropy.shannon_entropy(p), abs=1e-6
    )
    assert entropy.tsallis_entropy(p, 2.0) == pytest.approx(1 - np.sum(p**2))
    assert entropy.tsallis_entropy(np.ones(6), 2.0, normalized=True) == pytest.approx(1.0)


def test_miller_madow():
    counts = np.array([10, 5, 5, 0])
    expected = entropy.shannon_entropy(counts) + (3 - 1) / (2 * 20)
    assert entropy.miller_madow_entropy(counts) == pytest.approx(expected, rel=1e-15)
    # It reduces the bias of the plug-in estimate for a uniform distribution on 8 symbols.
    rng = np.random.default_rng(2)
    samples = rng.integers(0, 8, size=(2000, 40))
    counts = np.stack([np.bincount(s, minlength=8) for s in samples])
    plug_in = entropy.shannon_entropy(counts, axis=1).mean()
    corrected = entropy.miller_madow_entropy(counts, axis=1).mean()
    assert abs(corrected - math.log(8)) < 0.3 * abs(plug_in - math.log(8))


def test_histogram_entropy_discrete_and_differential():
    rng = np.random.default_rng(7)
    uniform = rng.random(200_000)
    assert entropy.histogram_entropy(uniform, bins=16, range=[(0, 1)]) == pytest.approx(
        math.log(16), abs=1e-3
    )
    assert entropy.histogram_entropy(uniform, bin_width=1 / 16, differential=True) == pytest.approx(
        0.0, abs=2e-3
    )
    sigma = 1.5
    gauss = rng.normal(0, sigma, 200_000)
    h = entropy.histogram_entropy(gauss, bin_width=0.05, differential=True)
    assert h == pytest.approx(gaussian_entropy(sigma), rel=5e-3)
    gauss2 = rng.normal(0, sigma, (200_000, 2))
    h2 = entropy.histogram_entropy(gauss2, bins=60, differential=True)
    assert h2 == pytest.approx(gaussian_entropy(sigma, 2), rel=1e-2)
    mm = entropy.histogram_entropy(gauss, bins=50, correction="miller_madow")
    assert mm > entropy.histogram_entropy(gauss, bins=50)


def test_kozachenko_leonenko_gaussian_within_two_percent():
    rng = np.random.default_rng(20261122)
    sigma = 2.0
    samples = rng.normal(0.0, sigma, 100_000)
    estimate = entropy.kozachenko_leonenko_entropy(samples)
    assert estimate == pytest.approx(gaussian_entropy(sigma), rel=0.02)
    samples3 = rng.normal(0.0, sigma, (100_000, 3))
    estimate3 = entropy.kozachenko_leonenko_entropy(samples3, k=3)
    assert estimate3 == pytest.approx(gaussian_entropy(sigma, 3), rel=0.02)
    assert entropy.kozachenko_leonenko_entropy(samples, base=2) == pytest.approx(
        estimate / math.log(2)
    )


def test_kde_entropy_gaussian():
    rng = np.random.default_rng(11)
    samples = rng.normal(0.0, 0.7, 3000)
    assert entropy.kde_entropy(samples) == pytest.approx(gaussian_entropy(0.7), abs=0.03)


def test_spectral_entropy():
    n = 4096
    t = np.arange(n)
    tone = np.sin(2 * np.pi * 64 * t / n)
    assert entropy.spectral_entropy(tone) == pytest.approx(0.0, abs=1e-12)
    rng = np.random.default_rng(5)
    white = rng.standard_normal((50, n))
    values = entropy.spectral_entropy(white)
    n_bins = n // 2
    expected = 1 - (1 - EULER_GAMMA) / math.log(n_bins)
    assert values.mean() == pytest.approx(expected, abs=5e-3)
    field = rng.standard_normal((64, 64))
    assert 0.9 < entropy.spectral_entropy(field, axis=(0, 1)) < 1.0


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: entropy.shannon_entropy([0.5, -0.1]), "p"),
        (lambda: entropy.shannon_entropy([0.5, np.nan]), "p"),
        (lambda: entropy.shannon_entropy([0.5, 0.5], base=1), "base"),
        (lambda: entropy.renyi_entropy([0.5, 0.5], -1), "alpha"),
        (lambda: entropy.tsallis_entropy([0.5, 0.5], np.nan), "q"),
        (lambda: entropy.miller_madow_entropy([1, -2]), "counts"),
        (lambda: entropy.histogram_entropy([1.0, np.nan]), "samples"),
        (lambda: entropy.histogram_entropy([1.0, 2.0], bin_width=0), "bin_width"),
        (lambda: entropy.histogram_entropy([1.0, 2.0], correction="jackknife"), "correction"),
        (lambda: entropy.kozachenko_leonenko_entropy([1.0, 1.0, 2.0]), "samples"),
        (lambda: entropy.kozachenko_leonenko_entropy([1.0, 2.0, 3.0], k=3), "k"),
        (lambda: entropy.kde_entropy([1.0]), "samples"),
        (lambda: entropy.spectral_entropy([1.0, 2.0]), "signal"),
    ],
)
def test_bad_input_names_argument(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


# ----------------------------------------------------------------------------- domain edges


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: entropy.miller_madow_entropy([]), "^counts: needs at least one bin"),
        (lambda: entropy.miller_madow_entropy([1.5, 2.0]), "^counts: must be finite whole"),
        (lambda: entropy.miller_madow_entropy([2**53, 1]), "^counts: must be below 2\\*\\*53"),
        (lambda: entropy.miller_madow_entropy([2**52, 2**52]), "^counts: total"),
        (lambda: entropy.shannon_entropy([True, False]), "^p: must be real numbers"),
        (lambda: entropy.shannon_entropy([1.0, 2.0], axis=5), "^axis: must lie in"),
        (lambda: entropy.shannon_entropy([1.0, 2.0], normalized=np.ones(2)), "^normalized:"),
        (lambda: entropy.shannon_entropy([1.0, 2.0], base="2"), "^base: must be a real"),
        (lambda: entropy.tsallis_entropy([1e-300, 1.0], -800.0), "^q: S_q .* overflows"),
        (lambda: entropy.spectral_entropy(5.0), "^signal: must have at least 1"),
        (lambda: entropy.spectral_entropy(np.ones((3, 4)), axis=(1, 1)), "^axis: repeats"),
        (lambda: entropy.histogram_entropy([0.0, 1e308], bin_width=1e-300), "^bin_width:"),
        (lambda: entropy.histogram_entropy([0.1, 0.2], range=[(5, 6)]), "^samples: none lies"),
        (lambda: entropy.histogram_entropy([-1e308, 1e308]), "^samples: spread"),
        (lambda: entropy.kde_entropy(np.arange(5.0), bandwidth=np.ones(2)), "^bandwidth:"),
    ],
)
def test_out_of_domain_input_is_refused_with_the_argument_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_huge_weights_are_normalised_without_overflow():
    """Weights near the float64 limit: the sum used to overflow (Shannon gave -0.0, Rényi inf)."""
    assert entropy.shannon_entropy([1e308, 1e308]) == pytest.approx(math.log(2), rel=1e-13)
    assert entropy.renyi_entropy([1e308, 1e308, 0.0], 3.0) == pytest.approx(math.log(2))
    # huge α is the min-entropy (Σ p^α underflowed to 0 and gave inf)
    assert entropy.renyi_entropy([0.5, 0.25, 0.25], 1e308) == pytest.approx(math.log(2))
    assert entropy.tsallis_entropy([1e308, 1e308], 2.0) == pytest.approx(0.5)


def test_spectral_entropy_is_nan_for_every_constant_signal_and_scale_free():
    """A constant 0.1 left rounding noise after the mean was removed (0.455 instead of NaN)."""
    assert np.isnan(entropy.spectral_entropy(np.full(7, 0.1)))
    alternating = np.array([1.0, -1.0] * 4)
    assert entropy.spectral_entropy(1e308 * alternating) == pytest.approx(
        entropy.spectral_entropy(alternating), abs=1e-12
    )
    rng = np.random.default_rng(3)
    signal = rng.standard_normal(64)
    assert entropy.spectral_entropy(signal * 2.0**-1000) == entropy.spectral_entropy(signal)


def test_sample_estimators_shift_by_d_ln_scale_at_extreme_scales():
    """h(aX) = h(X) + d ln a; distances of 1e200-sized samples used to overflow (KL gave inf)
    and the covariance of 1e-200-sized ones to underflow (KDE refused it as singular)."""
    rng = np.random.default_rng(2)
    samples = rng.standard_normal((500, 2))
    kl = entropy.kozachenko_leonenko_entropy(samples)
    assert entropy.kozachenko_leonenko_entropy(samples * 1e200) == pytest.approx(
        kl + 2 * math.log(1e200), rel=1e-12
    )
    kde = entropy.kde_entropy(samples)
    assert entropy.kde_entropy(samples * 1e-200) == pytest.approx(
        kde + 2 * math.log(1e-200), rel=1e-12
    )
