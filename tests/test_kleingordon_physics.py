"""Klein–Gordon physics: exact dispersion, breather, static and boosted kinks, energy order."""

import numpy as np
import pytest
from scipy.optimize import brentq

from sims.kleingordon import diagnostics, initial, solutions
from sims.kleingordon.model import KleinGordonModel, KleinGordonParams
from tests.conftest import log_log_slope


def make(**params):
    params = KleinGordonParams(**params)
    return params, KleinGordonModel(params, np.random.SeedSequence(0))


def plane_wave_run(scheme, linear_flow, time_step, periods=10):
    """Run a plane wave of ω = √(k² + m²) for ``periods`` periods at N = 64.

    Returns ω, the run time, the mode's initial (φ̂, π̂) and its final φ̂.
    """
    length, mode, mass = 8 * np.pi, 3, 1.0
    omega = np.sqrt((2 * np.pi * mode / length) ** 2 + mass**2)
    steps = round(periods * 2 * np.pi / omega / time_step)
    params, model = make(
        potential="linear",
        mass=mass,
        length=length,
        points=64,
        time_step=time_step,
        duration=steps * time_step,
        record_interval=steps * time_step,
        scheme=scheme,
        linear_flow=linear_flow,
        initial={"kind": "plane_wave", "mode": mode, "amplitude": 0.3},
    )
    start = np.fft.rfft(model.phi)[mode], np.fft.rfft(model.pi)[mode]
    model.advance(steps)
    return omega, steps * time_step, start, np.fft.rfft(model.phi)[mode]


def test_exact_linear_flow_follows_the_klein_gordon_dispersion():
    """With the exact linear flow a plane wave turns at ω = √(k² + m²), even at ωΔt = 0.63."""
    omega, t, (phi_hat, _), final = plane_wave_run("verlet", "exact", 0.5)
    ratio = final / phi_hat  # exp(-i ω_numerical t) for a right-moving wave
    phase_error = abs(np.angle(ratio * np.exp(1j * omega * t)))
    assert phase_error / (t * omega / (2 * np.pi)) <= 1e-10
    assert abs(abs(ratio) - 1) <= 1e-12


@pytest.mark.parametrize("time_step", [0.05, 0.2])
def test_verlet_follows_its_discrete_dispersion(time_step):
    """Velocity Verlet on a mode: y_n = y₀ cos ω̃t + v₀ h sin(ω̃t)/sin(ω̃h), cos ω̃h = 1 − (ωh)²/2.

    Its frequency error against √(k² + m²) is (ωh)²/24, second order.
    """
    omega, t, (phi_hat, pi_hat), final = plane_wave_run("verlet", "stepped", time_step)
    discrete = np.arccos(1 - (omega * time_step) ** 2 / 2) / time_step
    expected = phi_hat * np.cos(discrete * t) + pi_hat * time_step * np.sin(discrete * t) / np.sin(
        discrete * time_step
    )
    periods = t * omega / (2 * np.pi)
    assert abs(final - expected) / abs(phi_hat) / periods <= 1e-10
    assert (discrete - omega) / omega == pytest.approx((omega * time_step) ** 2 / 24, rel=0.02)


def breather_error(points, time_step=0.01, duration=50.0):
    params, model = make(
        potential="sine_gordon",
        length=80.0,
        points=points,
        time_step=time_step,
        duration=duration,
        record_interval=duration,
        initial={"kind": "breather", "frequency": 0.5},
    )
    model.advance(params.total_steps)
    exact = initial.periodized(
        lambda s: solutions.breather(s, duration, 0.5)[0], model.x, params.length
    )
    return np.max(np.abs(model.phi - exact))


def test_breather_matches_the_exact_solution_at_t50():
    assert breather_error(256) <= 1e-6


def test_breather_error_falls_exponentially_with_points():
    errors = [breather_error(n) for n in (64, 96, 128, 160)]
    factors = np.array(errors[:-1]) / np.array(errors[1:])
    assert np.all(factors > 10)  # each 32 more points gain more than a decade
    assert errors[0] > 0.1 and errors[-1] < 1e-4


def test_breather_initial_field_and_energy_are_exact():
    params, model = make(
        potential="sine_gordon",
        length=80.0,
        points=256,
        time_step=0.01,
        duration=0.01,
        record_interval=0.01,
        initial={"kind": "breather", "frequency": 0.5, "breather_time": 1.3},
    )
    phi, phi_t = solutions.breather(model.x, 1.3, 0.5)
    assert np.max(np.abs(model.phi - phi)) < 1e-13
    assert np.max(np.abs(model.pi - phi_t)) < 1e-13
    energy = model.observe()["energy"]
    assert energy == pytest.approx(16 * np.sqrt(1 - 0.25), rel=1e-12)


def test_static_phi4_kink_stays_put_for_t100():
    params, model = make(
        potential="phi4",
        length=100.0,
        points=512,
        time_step=0.01,
        duration=100.0,
        record_interval=100.0,
        initial={"kind": "kink"},
    )
    start = model.phi.copy()
    near = np.abs(model.x) < 25
    assert np.max(np.abs(start[near] - np.tanh(model.x[near] / np.sqrt(2)))) < 1e-13
    model.advance(params.total_steps)
    assert np.max(np.abs(model.phi - start)) <= 1e-8


@pytest.mark.parametrize("coupling,vacuum", [(1.0, 1.0), (2.0, 0.5)])
def test_phi4_kink_width_and_mass_follow_lambda_and_v(coupling, vacuum):
    """K = v tanh(v√(λ/2) x), rest energy (2√2/3) √λ v³ per kink (two per periodic field)."""
    params, model = make(
        potential="phi4",
        coupling=coupling,
        vacuum=vacuum,
        length=100.0,
        points=1024,
        time_step=0.01,
        duration=0.01,
        record_interval=0.01,
        initial={"kind": "kink"},
    )
    near = np.abs(model.x) < 10  # partner overlap there: 2v exp(-2a * 40) < 1e-16
    exact = vacuum * np.tanh(vacuum * np.sqrt(coupling / 2) * model.x[near])
    assert np.max(np.abs(model.phi[near] - exact)) < 1e-13
    mass = 2 * np.sqrt(2) / 3 * np.sqrt(coupling) * vacuum**3
    assert model.observe()["energy"] == pytest.approx(2 * mass, rel=1e-12)


def kink_position(model, guess, level):
    def field(x):
        return diagnostics.interpolate(model.phi, np.array([x]), model.params.length)[0] - level

    return brentq(field, guess - 2, guess + 2, xtol=1e-14)


def test_boosted_sine_gordon_kink_moves_at_its_velocity():
    velocity, duration = 0.5, 40.0
    params, model = make(
        potential="sine_gordon",
        length=100.0,
        points=512,
        time_step=0.01,
        duration=duration,
        record_interval=duration,
        initial={"kind": "kink", "velocity": velocity},
    )
    start = kink_position(model, 0.0, np.pi)
    model.advance(params.total_steps)
    end = kink_position(model, velocity * duration, np.pi)
    measured = (end - start) / duration
    assert abs(start) < 1e-12
    assert abs(measured - velocity) / velocity <= 1e-8


def test_boosted_kink_energy_and_momentum_are_relativistic():
    """E = γ M, P = γ M u per kink (M = 8 for sine-Gordon); the partner moves the same way."""
    velocity = 0.6
    gamma = 1 / np.sqrt(1 - velocity**2)
    _, model = make(
        potential="sine_gordon",
        length=100.0,
        points=1024,
        time_step=0.005,
        duration=0.005,
        record_interval=0.005,
        initial={"kind": "antikink", "velocity": velocity},
    )
    record = model.observe()
    assert record["energy"] == pytest.approx(2 * 8 * gamma, rel=1e-10)
    assert record["momentum"] == pytest.approx(2 * 8 * gamma * velocity, rel=1e-10)
    assert record["kink_number"] == pytest.approx(2.0, rel=1e-10)


def test_kink_antikink_pair_is_continuous_and_moves_towards_each_other():
    velocity, separation = 0.3, 20.0
    params, model = make(
        potential="phi4",
        length=100.0,
        points=1024,
        time_step=0.005,
        duration=0.005,
        record_interval=0.005,
        initial={"kind": "kink_antikink", "velocity": velocity, "separation": separation},
    )
    spectrum = np.abs(np.fft.rfft(model.phi)) / params.points
    assert spectrum[-50:].max() < 1e-14  # smooth across the periodic boundary
    assert model.phi[0] == pytest.approx(-1, abs=1e-14)
    assert diagnostics.interpolate(model.phi, np.array([0.0]), 100.0)[0] == pytest.approx(
        1, abs=1e-5
    )
    slope = diagnostics.gradient(model.phi, model.wavenumber)
    for centre, expected in ((-10.0, velocity), (10.0, -velocity)):
        index = np.argmin(np.abs(model.x - centre))
        assert -model.pi[index] / slope[index] == pytest.approx(expected, rel=1e-12)
    gamma = 1 / np.sqrt(1 - velocity**2)
    assert model.observe()["energy"] == pytest.approx(2 * gamma * 2 * np.sqrt(2) / 3, rel=1e-8)


def raw_energy(model):
    """Energy of the kernel's own state, without the processor."""
    points = model.params.points
    phi, pi = np.fft.irfft(model.phi_hat, points), np.fft.irfft(model.pi_hat, points)
    return diagnostics.energy(phi, pi, model.wavenumber, model.spacing, model.kind, model.constants)


def breather_energy_error(scheme, linear_flow, time_step, duration=20.0, energy=None):
    """Largest relative energy error of a breather run, sampled every 0.4 time units."""
    energy = energy or (lambda model: model.observe()["energy"])
    params, model = make(
        potential="sine_gordon",
        length=80.0,
        points=128,
        time_step=time_step,
        duration=duration,
        record_interval=duration,
        scheme=scheme,
        linear_flow=linear_flow,
        initial={"kind": "breather", "frequency": 0.5},
    )
    start = energy(model)
    errors = []
    stride = max(1, round(0.4 / time_step))
    for _ in range(params.total_steps // stride):
        model.advance(stride)
        errors.append(abs(energy(model) - start) / start)
    return max(errors)


@pytest.mark.parametrize("linear_flow", ["stepped", "exact"])
@pytest.mark.parametrize("scheme,order", [("verlet", 2), ("yoshida4", 4), ("takahashi_imada", 4)])
def test_energy_error_scales_with_the_order_of_the_scheme(scheme, order, linear_flow):
    """Takahashi–Imada is order 4 only through its processor (its kernel alone is order 2)."""
    steps = np.array([0.08, 0.04, 0.02])
    errors = [breather_energy_error(scheme, linear_flow, dt) for dt in steps]
    assert abs(log_log_slope(steps, errors) - order) <= 0.2


def test_without_its_processor_takahashi_imada_is_second_order():
    """The kernel's own state conserves energy only to O(Δt²): the processor is what lifts it."""
    steps = np.array([0.08, 0.04, 0.02])
    errors = [
        breather_energy_error("takahashi_imada", "exact", dt, energy=raw_energy) for dt in steps
    ]
    assert abs(log_log_slope(steps, errors) - 2) <= 0.2
    assert errors[-1] > 100 * breather_energy_error("takahashi_imada", "exact", steps[-1])


def test_curvatures_are_the_derivatives_of_the_forces():
    """V'' of every potential against a central difference of V' (error O(h²) ≈ 1e-10)."""
    from sims.kleingordon import potentials

    constants = np.array([1.3, 0.7, 1.1, 0.0])  # mass, coupling, vacuum (μ² unused here)
    phi = np.linspace(-2.5, 2.5, 201)
    h = 1e-5
    for name, kind in potentials.POTENTIALS.items():
        slope = (
            potentials.derivative_array(kind, phi + h, constants)
            - potentials.derivative_array(kind, phi - h, constants)
        ) / (2 * h)
        curvature = potentials.curvature_array(kind, phi, constants)
        np.testing.assert_allclose(curvature, slope, rtol=1e-7, atol=1e-7, err_msg=name)
