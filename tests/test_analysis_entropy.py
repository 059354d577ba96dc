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
