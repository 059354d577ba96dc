"""PECCARY physics: estimators vs ordpy, regimes of the paper's signals, maps, flows, orbits."""

import math

import numpy as np
import ordpy
import pytest

from analysis import ordinal
from sims.peccary import flows, generators, orbits, signals, specs
from sims.peccary.model import PeccaryModel, PeccaryParams
from tests.conftest import log_log_slope

REGULAR, COMPLEX, STOCHASTIC = 0, 1, 2
HALF_SIXTH = 1.0 / 6.0


def run(series, samples, seed=1, **params):
    """Generate ``series`` for ``samples`` samples; return (model, dataset).

    The surrogate test is off unless asked for: these tests check the series and the paper's
    quantities, and the test has its own (tests/test_peccary_robust.py).
    """
    params.setdefault("robust_surrogates", 0)
    model = PeccaryModel(
        PeccaryParams(samples=samples, series=series, **params), np.random.SeedSequence(seed)
    )
    model.advance(samples)
    return model, model.to_dataset([model.observe()])


def test_entropy_and_complexity_equal_ordpy_on_generated_series():
    series = {
        "sine": {"kind": "sine"},
        "sum": {"kind": "sum_of_sines"},
        "white": {"kind": "white_noise"},
        "pink": {"kind": "coloured_noise"},
        "fbm": {"kind": "fractional_brownian_motion", "hurst": 0.3},
        "logistic": {"kind": "logistic"},
        "henon": {"kind": "henon", "variables": ["x", "y"]},
        "tent": {"kind": "skew_tent"},
        "standard": {"kind": "standard_map"},
        "lorenz": {"kind": "lorenz"},
        "pendulum": {"kind": "double_pendulum"},
        "hh": {"kind": "henon_heiles", "energy": HALF_SIXTH},
        "bar": {
            "kind": "orbit",
            "potential": {"kind": "bar"},
            "variables": ["x", "L_z"],
            "position": [1.0, 0.0, 0.1],
            "velocity": [0.0, 0.5, 0.1],
        },
    }
    _, ds = run(series, 6000, max_delay=13)
    worst = 0.0
    for row in range(ds.sizes["series"]):
        values = ds.value.values[row]
        for delay in (1, 4, 13):
            entropy, complexity = ordpy.complexity_entropy(values, dx=5, taux=delay)
            worst = max(
                worst,
                abs(entropy - ds.permutation_entropy.values[row, delay - 1]),
                abs(complexity - ds.statistical_complexity.values[row, delay - 1]),
            )
        own = int(ds.peccary_delay.values[row])
        entropy, complexity = ordpy.complexity_entropy(values, dx=5, taux=own)
        worst = max(
            worst,
            abs(entropy - ds.peccary_entropy.values[row]),
            abs(complexity - ds.peccary_complexity.values[row]),
        )
    assert worst < 1e-12


def test_white_noise_is_stochastic():
    """Order 5, 1e5 samples: H > 0.999, C < 0.002 (finite-sample bias 119/(2N ln 120) = 1.2e-4;
    measured H = 0.99986-0.99990, C = 1.7e-4-2.6e-4 over seeds 1-5); iid noise crosses its mean
    every other sample on average, so t_nat = 4 samples and the PECCARY delay is 1."""
    _, ds = run({"white": {"kind": "white_noise"}}, 100_000)
    assert ds.permutation_entropy.values[0, 0] > 0.999
    assert ds.statistical_complexity.values[0, 0] < 0.002
    assert ds.classification.values[0, 0] == STOCHASTIC
    assert ds.natural_timescale.values[0] == pytest.approx(4.0, rel=0.01)
    assert ds.peccary_delay.values[0] == 1 and ds.peccary_classification.values[0] == STOCHASTIC
    values = ds.value.values[0]
    assert abs(values.mean()) < 0.01 and values.std() == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize("order", [4, 5, 6])
@pytest.mark.parametrize("period", [20.7, 50.3])
def test_well_sampled_sine_is_regular_with_2_2n_minus_3_patterns(order, period):
    """An integer period (e.g. 20) is avoided: its samples repeat exactly, and the ties (broken
    by time) create patterns a continuous sine does not have."""
    _, ds = run({"sine": {"kind": "sine", "period": period}}, 20_000, order=order)
    seen = math.factorial(order) - ds.missing_patterns.values[0, 0]
    assert seen == 2 * (2 * order - 3)
    _, periodic_max = ordinal.periodic_entropy_bounds(order)
    assert ds.permutation_entropy.values[0, 0] <= periodic_max
    assert ds.classification.values[0, 0] == REGULAR
    assert ds.peccary_classification.values[0] == REGULAR


def test_logistic_and_henon_are_complex_with_forbidden_patterns():
    """1e5 samples, order 5, delay 1, against ordpy's and peccary's values for their series
    (logistic x0 = 0.1: H 0.679087, C 0.399237, 31 of 120 patterns; Hénon x0 = y0 = 1: 0.615936,
    0.404446, 30 patterns). The logistic series is bitwise peccary's. Hénon: peccary squares
    with numpy's ``x ** 2.``, which at iteration 2600 is one ulp off the correctly rounded
    ``x * x`` used here; the chaotic orbits part from there and the statistics agree to 4e-4.

    Exact values of one chaotic orbit are portable here: both maps use only IEEE +, − and ×,
    which Numba neither contracts into FMAs nor reorders without fast math, so the orbits are
    bitwise the same on every x86-64 CPU (checked: NUMBA_CPU_NAME=generic, i.e. SSE2 only,
    and skylake-avx512, and numpy without AVX-512, give the same bits as this AVX-512 host)."""
    series = {"logistic": {"kind": "logistic"}, "henon": {"kind": "henon", "initial": [1.0, 1.0]}}
    _, ds = run(series, 100_000)
    entropy = ds.permutation_entropy.values[:, 0]
    complexity = ds.statistical_complexity.values[:, 0]
    assert entropy[0] == pytest.approx(0.679087, abs=1e-6)
    assert complexity[0] == pytest.approx(0.399237, abs=1e-6)
    assert entropy[1] == pytest.approx(0.615936, abs=5e-4)
    assert complexity[1] == pytest.approx(0.404446, abs=5e-4)
    np.testing.assert_array_equal(ds.missing_patterns.values[:, 0], [120 - 31, 120 - 30])
    np.testing.assert_array_equal(ds.classification.values[:, 0], [COMPLEX, COMPLEX])
    np.testing.assert_array_equal(ds.peccary_classification.values, [COMPLEX, COMPLEX])


def test_a_transient_drops_exactly_the_first_samples():
    """A map's transient (5000 iterations, more than one scratch chunk) and a flow's (2.0 time
    units = 40 samples) continue the orbit of a run without one, bitwise."""
    plain = {
        "henon": {"kind": "henon", "initial": [0.1, 0.1], "variables": ["x", "y"]},
        "lorenz": {"kind": "lorenz"},
    }
    later = {
        "henon": {**plain["henon"], "transient": 5000},
        "lorenz": {**plain["lorenz"], "transient": 2.0},
    }
    whole, _ = run(plain, 5300, max_delay=2)
    cut, _ = run(later, 300, max_delay=2)
    np.testing.assert_array_equal(cut.values[:2], whole.values[:2, 5000:])
    np.testing.assert_array_equal(cut.values[2], whole.values[2, 40:340])


def test_plain_tent_collapses_in_floating_point_but_the_skew_tent_does_not():
    x = 0.1
    iterations = 0
    while x != 0.0 and iterations < 100:
        x = 2.0 * min(x, 1.0 - x)
        iterations += 1
    assert x == 0.0 and iterations < 60
    _, ds = run({"tent": {"kind": "skew_tent"}}, 100_000)
    values = ds.value.values[0]
    assert np.all(values > 0) and np.unique(values).size == values.size
    histogram, _ = np.histogram(values, bins=10, range=(0, 1))  # invariant density is uniform
    np.testing.assert_allclose(histogram / values.size, 0.1, atol=0.005)


@pytest.mark.parametrize("slope", [1.0, 2.0])
def test_coloured_noise_has_the_requested_spectral_slope(slope):
    _, ds = run({"noise": {"kind": "coloured_noise", "spectral_slope": slope, "count": 20}}, 4096)
    values = ds.value.values
    np.testing.assert_allclose(values.std(axis=1), 1.0, rtol=1e-12)
    power = np.mean(np.abs(np.fft.rfft(values, axis=1)) ** 2, axis=0)[1:]
    frequency = np.arange(1, power.size + 1)
    assert log_log_slope(frequency, power) == pytest.approx(-slope, abs=0.05)


@pytest.mark.parametrize("hurst", [0.3, 0.7])
def test_fractional_brownian_motion_has_the_exact_covariance(hurst):
    """Davies–Harte is exact: increments have lag-k correlation ½(|k+1|^2H − 2k^2H + |k−1|^2H)
    and Var B(t) = σ² t^2H (σ = 1.5, Δt = 0.5), here over 400 realisations."""
    block = {
        "kind": "fractional_brownian_motion",
        "hurst": hurst,
        "scale": 1.5,
        "sample_interval": 0.5,
        "count": 400,
    }
    _, ds = run({"fbm": block}, 1025)
    paths = ds.value.values
    assert np.all(paths[:, 0] == 0.0)
    increments = np.diff(paths, axis=1) / (1.5 * 0.5**hurst)
    for lag in (1, 2, 10):
        measured = np.mean(increments[:, lag:] * increments[:, :-lag])
        assert measured == pytest.approx(signals.fgn_autocovariance(lag, hurst), abs=0.01)
    variance = np.var(paths[:, -1])
    assert variance == pytest.approx(1.5**2 * (1024 * 0.5) ** (2 * hurst), rel=0.15)


def shadow_separation(energy, y, p_y, samples=10_000):
    """Distance in (x, y) between the orbit and one started 1e-9 away in y after each sample."""
    block = {"kind": "henon_heiles", "energy": energy, "p_y": p_y, "variables": ["x", "y"]}
    model, _ = run({"a": {**block, "y": y}, "b": {**block, "y": y + 1e-9}}, samples, max_delay=2)
    values = model.values
    return np.hypot(values[0] - values[2], values[1] - values[3])


SEA_ORBITS = 25  # sea orbits 1e-12 apart in y: 0.1 apart by t ≈ 150 of 2000 (1 ulp: t ≈ 220)


@pytest.mark.parametrize(
    "energy,y,p_y,regime",
    [
        (1.0 / 12.0, -0.1, 0.1, REGULAR),  # regular island (the whole section is nearly regular)
        (HALF_SIXTH, -0.1, 0.1, COMPLEX),  # chaotic sea
        (HALF_SIXTH, 0.2, 0.0, REGULAR),  # one of the islands that survive at E = 1/6
    ],
)
def test_henon_heiles_orbits_classify_as_their_dynamics(energy, y, p_y, regime):
    """x(t) sampled every 0.1 for t = 2000 (Yoshida 4, h = 0.01). Independent check: a shadow
    orbit 1e-9 away separates by < 1e-6 at t = 1000 on a torus and by > 1e-2 in the sea.

    On a torus the class belongs to the orbit: 24 orbits 1e-12 apart sit H_max − H = 0.021
    (E = 1/12) and 0.023 (the island) below the boundary, all alike. In the sea it belongs to
    the sea, and one orbit is one draw (another CPU's rounding would draw another): 10 of 96
    orbits 1e-12 apart read regular at their PECCARY delay (7 instead of 9; H down to 0.023
    below H_max, while the orbit at y = −0.1 is 0.074 above). So the majority of 25 such
    orbits is asserted: 13 of 25 reading regular has binomial probability 3e-7 at the
    measured 10 % (1.5e-4 at its 95 % bound, 18 %)."""
    block = {"kind": "henon_heiles", "energy": energy, "y": y, "p_y": p_y}
    orbits = SEA_ORBITS if regime == COMPLEX else 1
    _, ds = run({f"hh{k}": {**block, "y": y + k * 1e-12} for k in range(orbits)}, 20_000)
    assert np.sum(ds.peccary_classification.values == regime) > orbits / 2
    assert np.all(ds.relative_invariant_error.values < 2e-9)
    separation = shadow_separation(energy, y, p_y)[-1]
    assert separation < 1e-6 if regime == REGULAR else separation > 1e-2


def test_double_pendulum_low_energy_regular_high_energy_complex():
    """Low energy: the slow normal mode θ₂ = √2 θ₁ (θ₁ = 0.05), period 2π/√((2 − √2) g/l);
    high energy: θ = (120°, −10°). RK4 h = 2^-12 keeps |ΔE|/E below 1e-8 over 312 s.

    The high-energy orbit calls libm's sin and cos, which may round differently on another
    CPU, and is chaotic; 24 orbits started 1e-12 apart all read complex, H 0.08 or more above
    H_max and C 0.05 or more beyond the complex fraction, with 92 or more missing patterns.
    The low-energy mode is regular for all of them (H_max − H = 0.039)."""
    series = {
        "low": {"kind": "double_pendulum", "angles": [0.05, 0.05 * math.sqrt(2.0)]},
        "high": {"kind": "double_pendulum"},
    }
    _, ds = run(series, 20_000)
    np.testing.assert_array_equal(ds.peccary_classification.values, [REGULAR, COMPLEX])
    assert np.all(ds.relative_invariant_error.values < 1e-8)
    period = 2 * np.pi / math.sqrt((2 - math.sqrt(2)) * 9.80665)
    assert ds.natural_timescale.values[0] == pytest.approx(period, rel=2e-3)
    assert ds.missing_patterns.values[1, 0] > 0


def energy_error(block, time_step, samples=200):
    block = {**block, "time_step": time_step}
    model, _ = run({"orbit": block}, samples, max_delay=2)
    invariant = model.invariants[0]
    return np.max(np.abs(invariant - invariant[0]))


ECCENTRIC = {"position": [1.0, 0.0, 0.2], "velocity": [0.1, 0.4, 0.1], "sample_interval": 0.2}


@pytest.mark.parametrize("integrator", ["leapfrog", "yoshida4"])
@pytest.mark.parametrize(
    "potential", [{"kind": "isochrone"}, {"kind": "miyamoto_nagai"}, {"kind": "bar"}]
)
def test_symplectic_integrators_error_scales_with_their_order(integrator, potential):
    """Max |ΔE| (Jacobi integral for the bar) over t = 40 at h = 0.02, 0.01: ratio 2^order."""
    block = {"kind": "orbit", "potential": potential, "integrator": integrator, **ECCENTRIC}
    coarse, fine = energy_error(block, 0.02), energy_error(block, 0.01)
    assert coarse < 1e-3
    assert np.log2(coarse / fine) == pytest.approx(orbits.ORDER[integrator], abs=0.3)


def test_rk4_energy_error_is_at_least_fourth_order():
    """RK4 is of order 4, so |ΔE| <= C h⁴; on the double pendulum (θ = 1, 0.5 rad, t = 10)
    the measured ratio between h = 2^-6 and 2^-7 is 2^4.8 (the O(h⁴) energy term is small)."""
    block = {"kind": "double_pendulum", "sample_interval": 2.0**-4, "angles": [1.0, 0.5]}
    errors = [energy_error(block, 2.0**-k, samples=160) for k in (6, 7)]
    assert errors[0] < 2e-5
    assert 3.7 < np.log2(errors[0] / errors[1]) < 5.3


def test_circular_orbit_and_conserved_angular_momentum():
    """Logarithmic halo: v_c(R) = v₀R/√(R_c² + R²) keeps R = 1 to O(h⁴) (3.6e-9 at h = 0.01,
    t = 500, Yoshida 4); L_z is exact up to round-off in an axisymmetric potential."""
    v_circular = 1.0 / math.sqrt(0.1**2 + 1.0)
    block = {
        "kind": "orbit",
        "potential": {"kind": "logarithmic"},
        "position": [1.0, 0.0, 0.0],
        "velocity": [0.0, v_circular, 0.0],
        "integrator": "yoshida4",
        "variables": ["R", "L_z"],
    }
    _, ds = run({"circle": block}, 5000, max_delay=2)
    radius, angular_momentum = ds.value.values
    assert np.max(np.abs(radius - 1.0)) < 1e-8
    assert np.max(np.abs(angular_momentum - v_circular)) < 1e-13


def test_kepler_orbit_period_is_the_natural_timescale():
    """Point mass, a = 1/(2/r − v²) = 0.735: T = 2π a^1.5 = 3.96 (mean crossings of x)."""
    block = {
        "kind": "orbit",
        "potential": {"kind": "point_mass"},
        "integrator": "yoshida4",
        "time_step": 0.001,
        "sample_interval": 0.01,
        "position": [1.0, 0.0, 0.0],
        "velocity": [0.0, 0.8, 0.0],
        "variables": ["x"],
    }
    _, ds = run({"kepler": block}, 40_000, max_delay=2)
    semi_major = 1.0 / (2.0 - 0.64)
    assert ds.natural_timescale.values[0] == pytest.approx(2 * np.pi * semi_major**1.5, rel=2e-3)
    assert ds.relative_invariant_error.values[0] < 1e-9


def test_rotating_frame_of_an_axisymmetric_potential_is_a_rotation():
    """With q_y = 1 the kick commutes with the frame rotation, so the rotating-frame orbit is
    the inertial one rotated by −Ωt, step for step (to round-off)."""
    potential = {"kind": "bar", "axis_ratio_y": 1.0, "pattern_speed": 0.7}
    common = {
        "kind": "orbit",
        "position": [1.0, 0.0, 0.1],
        "velocity": [0.1, 0.6, 0.0],
        "variables": ["x", "y"],
    }
    inertial_velocity = [0.1, 0.6 + 0.7 * 1.0, 0.0]  # v_inertial = v_rot + Ω ẑ × x
    series = {
        "rotating": {**common, "potential": potential},
        "inertial": {
            **common,
            "velocity": inertial_velocity,
            "potential": {**potential, "pattern_speed": 0.0},
        },
    }
    model, _ = run(series, 2000, max_delay=2)
    x_rot, y_rot, x_in, y_in = model.values
    angle = -0.7 * 0.1 * np.arange(2000)
    np.testing.assert_allclose(x_rot, np.cos(angle) * x_in - np.sin(angle) * y_in, atol=1e-9)
    np.testing.assert_allclose(y_rot, np.sin(angle) * x_in + np.cos(angle) * y_in, atol=1e-9)


def test_population_orbits_have_the_requested_energy():
    for potential in ({"kind": "nfw"}, {"kind": "bar"}, {"kind": "miyamoto_nagai"}):
        block = specs.Orbit(potential=potential, energy=-0.3, count=20)
        phase = generators.population(block, np.random.SeedSequence(3), 20)
        energies = [
            orbits.jacobi_integral(
                block.potential_code, block.constants(), block.pattern_speed, *point
            )
            for point in phase
        ]
        np.testing.assert_allclose(energies, -0.3, atol=1e-12)


def test_lorenz_and_rossler_are_rk4_accurate():
    """Halving h changes a short Lorenz trajectory by ~2^-4 of the previous difference."""

    def trajectory(h):
        state = np.array([1.0, 1.0, 1.0])
        out, invariant = np.empty((1, 40)), np.empty(40)
        flows.rk4(
            flows.LORENZ,
            np.array([10.0, 28.0, 8 / 3]),
            state,
            h,
            round(0.05 / h),
            np.array([0]),
            out,
            invariant,
            0,
            40,
        )
        return out[0]

    reference = trajectory(0.05 / 64)
    errors = [np.max(np.abs(trajectory(0.05 / k) - reference)) for k in (4, 8)]
    assert np.log2(errors[0] / errors[1]) == pytest.approx(4.0, abs=0.3)


@pytest.mark.parametrize(
    "code,constants",
    [
        (orbits.POINT_MASS, [1.3, 0, 0, 0]),
        (orbits.ISOCHRONE, [1.3, 0.7, 0, 0]),
        (orbits.LOGARITHMIC, [1.1, 0.2, 0.8, 0.6]),
        (orbits.NFW, [1.3, 2.0, 0, 0]),
        (orbits.MIYAMOTO_NAGAI, [1.3, 1.5, 0.3, 0]),
        (orbits.HENON_HEILES, [0, 0, 0, 0]),
    ],
)
def test_accelerations_are_minus_the_potential_gradient(code, constants):
    """Central differences of Φ (step 1e-5, error ~1e-10) at random points, and NFW on both
    sides of its series switch at r = 1e-4 r_s."""
    constants = np.array(constants, dtype=float)
    rng = np.random.default_rng(4)
    points = list(rng.uniform(-1.5, 1.5, (20, 3)))
    if code == orbits.NFW:
        points += [np.array([0.99e-4 * 2.0, 0, 0]), np.array([1.01e-4 * 2.0, 0, 0])]
    for point in points:
        if code == orbits.HENON_HEILES:
            point[2] = 0.0
        step = 1e-5 * max(1.0, np.linalg.norm(point)) if code != orbits.NFW else 1e-7
        gradient = []
        for axis in range(3):
            shift = np.zeros(3)
            shift[axis] = step
            gradient.append(
                (
                    orbits.potential(code, constants, *(point + shift))
                    - orbits.potential(code, constants, *(point - shift))
                )
                / (2 * step)
            )
        acceleration = np.array(orbits.acceleration(code, constants, *point))
        np.testing.assert_allclose(acceleration, -np.array(gradient), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("integrator", ["leapfrog", "yoshida4"])
def test_symplectic_jacobi_error_stays_bounded(integrator):
    """Rotating bar, t = 4000 (4e5 steps of h = 0.01): no secular drift of E_J; the largest
    error over the second half is no larger than 1.5 × that over the first half (measured
    max |ΔE_J|: 6.0e-4 leapfrog, 1.3e-6 Yoshida 4; E_J = −0.0106, Φ spans ~1 along the orbit)."""
    block = {
        "kind": "orbit",
        "potential": {"kind": "bar"},
        "integrator": integrator,
        **ECCENTRIC,
        "sample_interval": 0.1,
        "time_step": 0.01,
    }
    model, _ = run({"orbit": block}, 40_000, max_delay=2)
    error = np.abs(model.invariants[0] - model.invariants[0, 0])
    first, second = error[:20_000].max(), error[20_000:].max()
    assert second <= 1.5 * first
    assert first < (1e-3 if integrator == "leapfrog" else 3e-6)
