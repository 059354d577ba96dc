"""PECCARY's regions of the complexity-entropy plane, exactly as the peccary package draws them.

peccary 0.1.1 (``HCplots.plotBoundsHC``, ``HCplots.HCplane(annotatePlane=True)``) draws vertical
lines at H_minPer = ln 2 / ln n! and H_maxPer = ln(2(2n − 3)) / ln n! and the straight line
joining its C_max curve at those two entropies; it writes "periodic" along that line, inside the
thin band under the C_max curve, "regular" below the line, "complex" right of H_maxPer under the
C_max curve and "stochastic" along the C_min curve near H = 1.
"""

import math

import matplotlib
import numpy as np
import pytest

from analysis import ordinal
from analysis.plots import plot_complexity_entropy

matplotlib.use("Agg")

# peccary 0.1.1, utils.HminPer / HmaxPer and the C_max points that plotBoundsHC joins (nearest
# points of utils.calcHCplane(n, nsteps=1000), which are the curve's vertices), computed with
# the package from PyPI (log2; not a dependency of entrosim).
PECCARY_LINES = {
    4: (0.21810429198553155, 0.7245267751622539, 0.19670592340802226, 0.3158527207083299),
    5: (0.14478295061395813, 0.5512400796500765, 0.14080311832734657, 0.417096136202937),
    6: (0.10535350577504003, 0.43931621772093643, 0.1046946115740401, 0.4051471342090271),
}
ORDERS = [4, 5, 6, 7]


@pytest.mark.parametrize("order", sorted(PECCARY_LINES))
def test_boundaries_equal_the_peccary_package_lines(order):
    lines = ordinal.peccary_boundaries(order)
    expected = PECCARY_LINES[order]
    got = (
        lines.periodic_min_entropy,
        lines.periodic_max_entropy,
        lines.periodic_min_max_complexity,
        lines.periodic_max_max_complexity,
    )
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-14)  # log2 vs ln rounding


def uniform_point(n_nonzero, order):
    """(H, C) of the uniform distribution on ``n_nonzero`` of the order! patterns."""
    counts = np.zeros(math.factorial(order))
    counts[:n_nonzero] = 1.0
    return ordinal.complexity_entropy_from_counts(counts)


@pytest.mark.parametrize("order", ORDERS)
def test_line_ends_are_the_c_max_vertices(order):
    """The joining line ends on the C_max curve: at H_minPer the uniform distribution on the 2
    monotone patterns, at H_maxPer on the 2(2n − 3) patterns of a sine (the curve's vertices,
    computed here from the counts); the verticals start on the C_min curve."""
    lines = ordinal.peccary_boundaries(order)
    for n_nonzero, h, c in (
        (2, lines.periodic_min_entropy, lines.periodic_min_max_complexity),
        (2 * (2 * order - 3), lines.periodic_max_entropy, lines.periodic_max_max_complexity),
    ):
        assert (h, c) == pytest.approx(uniform_point(n_nonzero, order), rel=1e-13)
        assert c == pytest.approx(ordinal.complexity_bounds_at(h, order)[1], rel=1e-12)
    low = ordinal.complexity_bounds_at(
        [lines.periodic_min_entropy, lines.periodic_max_entropy], order
    )[0]
    np.testing.assert_allclose(
        [lines.periodic_min_min_complexity, lines.periodic_max_min_complexity], low, rtol=1e-15
    )
    slope = (lines.periodic_max_max_complexity - lines.periodic_min_max_complexity) / (
        lines.periodic_max_entropy - lines.periodic_min_entropy
    )
    assert lines.slope == pytest.approx(slope, rel=1e-14)
    # the chord lies under the C_max curve between its ends (the "periodic" band is not empty)
    h = np.linspace(lines.periodic_min_entropy, lines.periodic_max_entropy, 51)[1:-1]
    assert np.all(ordinal.complexity_bounds_at(h, order)[1] > lines.joining_line(h))


@pytest.mark.parametrize("order", ORDERS)
def test_points_just_either_side_of_each_line(order):
    """1e-9 above/below the joining line, 1e-9 left/right of each vertical, and 1e-9 either
    side of the complex/stochastic split beyond H_maxPer."""
    lines = ordinal.peccary_boundaries(order)
    eps = 1e-9
    h_min, h_max = lines.periodic_min_entropy, lines.periodic_max_entropy
    h_mid = 0.5 * (h_min + h_max)
    c_mid = float(lines.joining_line(h_mid))
    near_top = float(lines.joining_line(h_max)) - 1e-4  # under C_max on both sides of H_maxPer
    low = float(ordinal.complexity_bounds_at(h_max, order)[0]) + 1e-3
    c_left = float(lines.joining_line(h_min + 1e-6)) + eps
    c_min, c_max = ordinal.complexity_bounds_at(0.9, order)
    split = float(c_min + ordinal.COMPLEX_FRACTION * (c_max - c_min))
    cases = [
        (h_mid, c_mid + eps, "periodic", "regular"),
        (h_mid, c_mid - eps, "regular", "regular"),
        (h_min + 1e-6, c_left, "periodic", "regular"),
        (h_min - 1e-6, c_left, "regular", "regular"),
        (h_max - eps, near_top, "regular", "regular"),  # the line meets C_max at H_maxPer
        (h_max - 1e-3, float(lines.joining_line(h_max - 1e-3)) + eps, "periodic", "regular"),
        (h_max + eps, near_top, "complex", "complex"),
        (h_max - eps, low, "regular", "regular"),
        (h_max + eps, low, "stochastic", "stochastic"),
        (0.9, split + eps, "complex", "complex"),
        (0.9, split - eps, "stochastic", "stochastic"),
    ]
    h, c, regions, regimes = (np.array(column) for column in zip(*cases, strict=True))
    np.testing.assert_array_equal(ordinal.peccary_regions(h, c, order), regions)
    np.testing.assert_array_equal(ordinal.classify(h, c, order), regimes)
    codes = ordinal.peccary_region_codes(h, c, order)
    np.testing.assert_array_equal(np.array(ordinal.PECCARY_REGIONS)[codes], regions)
    assert ordinal.peccary_regions(np.nan, 0.2, order) == "undefined"


def logistic(growth_rate, samples, seed):
    """Logistic map after a 1000-iteration transient, from a seeded uniform start."""
    x = np.random.default_rng(seed).uniform(0.2, 0.8)
    values = np.empty(samples)
    for _ in range(1000):
        x = growth_rate * x * (1.0 - x)
    for i in range(samples):
        x = growth_rate * x * (1.0 - x)
        values[i] = x
    return values


@pytest.mark.parametrize(("growth_rate", "line"), [(3.6, 0.346), (3.7, 0.380), (3.8, 0.392)])
def test_band_chaotic_logistic_map_sits_in_the_periodic_band(growth_rate, line):
    """Logistic r = 3.6-3.8, order 5, 2·10⁴ samples at the PECCARY delay (1 sample): the median
    over 7 seeds lies above the joining line (0.346 / 0.380 / 0.392 at its H), i.e. in the band
    peccary labels "periodic", like a sampled sine, so classify says regular: a known
    misclassification of these chaotic maps by the paper's regions, asserted so that a change of
    the regions shows here (classify_robust calls them complex). Margin C − line
    over 40 seeds: 0.0236 / 0.0093 / 0.0047 (sd 4e-5 / 8e-5 / 1.7e-4 per orbit); the 3e-3
    asserted for the median of 7 is more than 15 of its standard deviations below the smallest
    margin."""
    points = []
    for seed in range(7):
        series = logistic(growth_rate, 20_000, seed)
        delay = ordinal.recommended_delay(series, order=5, dt=1.0)
        points.append(ordinal.complexity_entropy(series, 5, delay))
    h, c = np.median(np.array(points), axis=0)
    lines = ordinal.peccary_boundaries(5)
    assert float(lines.joining_line(h)) == pytest.approx(line, abs=1e-3)
    assert c - float(lines.joining_line(h)) > 3e-3
    assert ordinal.peccary_regions(h, c, 5) == "periodic"
    assert ordinal.classify(h, c, 5) == "regular"


@pytest.mark.parametrize("delay", [1, 5])
def test_sampled_sine_sits_in_the_periodic_band(delay):
    """Sine of period 50.3 samples (no repeated samples, so no ties), order 5: densely sampled
    (delay 1: H 0.266, C 0.229, line 0.223) and at its PECCARY delay (5: H 0.509, C 0.392,
    line 0.388), it lies between the joining line and the C_max curve."""
    sine = np.sin(2 * np.pi * np.arange(20_000) / 50.3)
    h, c = ordinal.complexity_entropy(sine, 5, delay)
    lines = ordinal.peccary_boundaries(5)
    assert lines.joining_line(h) < c < ordinal.complexity_bounds_at(h, 5)[1]
    assert ordinal.peccary_regions(h, c, 5) == "periodic"


@pytest.mark.parametrize("order", ORDERS)
def test_plot_draws_the_exact_lines_at_its_order(order):
    figure = plot_complexity_entropy([0.5], [0.2], order)
    lines = ordinal.peccary_boundaries(order)
    segments = {
        tuple(np.round(np.concatenate(line.get_data()), 12))
        for line in figure.axes[0].get_lines()
        if len(line.get_xdata()) == 2
    }
    expected = {
        (lines.periodic_min_entropy, lines.periodic_max_entropy)
        + (lines.periodic_min_max_complexity, lines.periodic_max_max_complexity),
        (lines.periodic_min_entropy,) * 2
        + (lines.periodic_min_min_complexity, lines.periodic_min_max_complexity),
        (lines.periodic_max_entropy,) * 2
        + (lines.periodic_max_min_complexity, lines.periodic_max_max_complexity),
    }
    assert {tuple(np.round(s, 12)) for s in expected} <= segments


def test_own_ties_boundaries_use_the_ordered_bell_count():
    lines = ordinal.peccary_boundaries(5, ties="own")
    assert lines.periodic_min_entropy == pytest.approx(math.log(2) / math.log(541), rel=1e-15)
    assert lines.periodic_max_entropy == pytest.approx(math.log(14) / math.log(541), rel=1e-15)
    counts = np.zeros(541)
    counts[:14] = 1.0
    assert lines.periodic_max_max_complexity == pytest.approx(
        ordinal.complexity_entropy_from_counts(counts)[1], rel=1e-13
    )
    with pytest.raises(ValueError, match="^order: the PECCARY regions need order >= 4"):
        ordinal.peccary_regions(0.5, 0.2, 3)
