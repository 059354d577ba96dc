"""Exact sine-Gordon two-soliton starts, and states set through the public API (set_fields)."""

import numpy as np
import pytest

from sims.kleingordon import initial, solutions
from sims.kleingordon.model import KleinGordonModel, KleinGordonParams

PAIRS = {  # kind: (box length, points): see test_the_solver_follows_the_collision
    "sine_gordon_kink_antikink": (60.0, 512),
    "sine_gordon_kink_kink": (80.0, 768),
}
SPEED, HALF_TIME = 0.5, 10.0
GAMMA = 1.0 / np.sqrt(1.0 - SPEED**2)


def pair_model(kind, scheme="takahashi_imada", linear_flow="exact", time_step=0.05, **changes):
    length, points = PAIRS[kind]
    params = KleinGordonParams(
        potential="sine_gordon",
        length=length,
        points=points,
        time_step=time_step,
        duration=2 * HALF_TIME,
        record_interval=2 * HALF_TIME,
        scheme=scheme,
        linear_flow=linear_flow,
        initial={"kind": kind, "velocity": SPEED, "start_time": -HALF_TIME},
        **changes,
    )
    return KleinGordonModel(params, np.random.SeedSequence(0))


@pytest.mark.parametrize(
    "solution", [solutions.sine_gordon_kink_antikink, solutions.sine_gordon_kink_kink]
)
@pytest.mark.parametrize("t", [-7.0, -0.3, 0.0, 2.0])
def test_the_two_soliton_formulas_solve_sine_gordon(solution, t):
    """φ_tt − φ_xx + sin φ = 0 and φ_t, by central differences of step h = 1e-3.

    The differences' truncation error is h²/12 times fourth derivatives of size (γ(1 + u))⁴ ≈ 10
    at most: below 1e-6; rounding adds 4 ε φ / h² ≈ 3e-9. Sign or factor errors give O(1).
    """
    x, h = np.linspace(-15.0, 15.0, 301), 1e-3
    phi, phi_t = solution(x, t, SPEED)
    later, earlier = solution(x, t + h, SPEED)[0], solution(x, t - h, SPEED)[0]
    right, left = solution(x + h, t, SPEED)[0], solution(x - h, t, SPEED)[0]
    residual = (later - 2 * phi + earlier) / h**2 - (right - 2 * phi + left) / h**2 + np.sin(phi)
    assert np.max(np.abs(residual)) < 5e-6
    assert np.max(np.abs((later - earlier) / (2 * h) - phi_t)) < 5e-6


def test_the_pairs_have_their_vacua_and_positions():
    """Kink–antikink: 0 outside and −2π between for t < 0, +2π after; kink–kink winds −2π → 2π.

    The solitons sit at x = ±(u|t| + ln(1/u)/γ) for u γ |t| ≫ 1 (where φ crosses the middle of
    its step, to O(exp(−2uγ|t|)))."""
    far = np.array([-1e4, 1e4])
    t = -80.0
    np.testing.assert_array_equal(solutions.sine_gordon_kink_antikink(far, t, SPEED)[0], [0, 0])
    assert solutions.sine_gordon_kink_antikink(np.array([0.0]), t, SPEED)[0] == pytest.approx(
        -2 * np.pi, abs=1e-12
    )
    assert solutions.sine_gordon_kink_antikink(np.array([0.0]), -t, SPEED)[0] == pytest.approx(
        2 * np.pi, abs=1e-12
    )
    np.testing.assert_allclose(
        solutions.sine_gordon_kink_kink(far, t, SPEED)[0], [-2 * np.pi, 2 * np.pi]
    )
    centre = SPEED * abs(t) + np.log(1 / SPEED) / GAMMA
    kink_antikink = solutions.sine_gordon_kink_antikink(np.array([centre]), t, SPEED)[0]
    kink_kink = solutions.sine_gordon_kink_kink(np.array([centre]), t, SPEED)[0]
    assert kink_antikink == pytest.approx(-np.pi, abs=1e-10)
    assert kink_kink == pytest.approx(np.pi, abs=1e-10)


@pytest.mark.parametrize("kind", PAIRS)
def test_the_start_is_the_exact_field_with_its_energy(kind):
    """The initial field is the periodic exact solution at t₀ and its energy is 16γ per pair
    (kink–kink: the pair and its mirror), to spectral accuracy (the spectrum above
    k_max falls as sech(π k / 2γ) ≈ 1e-16)."""
    model = pair_model(kind)
    length = PAIRS[kind][0]
    phi, phi_t = initial.sine_gordon_pair(kind, model.x, -HALF_TIME, SPEED, length)
    np.testing.assert_allclose(model.phi, phi, rtol=0, atol=1e-13)
    np.testing.assert_allclose(model.pi, phi_t, rtol=0, atol=1e-13)
    pairs = 2 if kind == "sine_gordon_kink_kink" else 1
    assert model.observe()["energy"] == pytest.approx(pairs * 16 * GAMMA, rel=1e-12)
    # ∫|φ_x| dx / 2π: the kink–kink and its mirror rise and fall by 4π; the kink–antikink by
    # |φ(0)| < 2π each way (the pair overlaps at t₀: φ(0) = 4 arctan(sinh(uγt₀)/u) = −1.996π).
    # |φ_x| has corners where φ_x changes sign, where its grid sum is only accurate to
    # O(Δx² φ_xx), hence 1e-5 (measured 3e-6) rather than the energy's 1e-12.
    depth = abs(solutions.sine_gordon_kink_antikink(np.array([0.0]), -HALF_TIME, SPEED)[0][0])
    charge = 4.0 if pairs == 2 else 2 * depth / (2 * np.pi)
    assert model.observe()["kink_number"] == pytest.approx(charge, rel=1e-5)


def collision_error(kind, scheme, linear_flow, time_step, checks=4):
    """Largest |φ − φ_exact| at ``checks`` times from t₀ = −10 to +10 (through the collision)."""
    model = pair_model(kind, scheme, linear_flow, time_step)
    length = PAIRS[kind][0]
    steps, worst = model.params.total_steps // checks, 0.0
    for _ in range(checks):
        model.advance(steps)
        t = -HALF_TIME + model.step_count * time_step
        exact, _ = initial.sine_gordon_pair(kind, model.x, t, SPEED, length)
        worst = max(worst, np.max(np.abs(model.phi - exact)))
    return worst


@pytest.mark.parametrize("kind", PAIRS)
@pytest.mark.parametrize(
    "scheme, linear_flow, order, largest",
    [
        ("takahashi_imada", "exact", 4, 1e-7),
        ("takahashi_imada", "stepped", 4, 1e-7),
        ("yoshida4", "exact", 4, 2e-6),
        ("verlet", "exact", 2, 5e-4),
    ],
)
def test_the_solver_follows_the_collision(kind, scheme, linear_flow, order, largest):
    """From t₀ = −10 to +10 the error falls as Δt^p: log₂ of the ratio at Δt = 0.1, 0.05, 0.025
    is p to ±0.1.

    Error sources other than time stepping are far below the smallest error measured (1.5e-8):
    the spectral error, sech(π k_max / 2γ) with k_max = 26.8 (N/L = 8.5 and 9.6), is ≈ 1e-16;
    the kink–kink's mirror pair is at least L/2 − 2(u t₀ + ln 2/γ) = 28 away, a tail of
    exp(−28γ) ≈ 1e-14 (at L = 60 the ratio visibly flattens near 1e-8). The schemes are
    symmetric, so the next error term is Δt^(p+2): it shifts log₂ by O(Δt²) ≈ 0.03 (measured
    deviations are <= 0.05).
    """
    errors = [collision_error(kind, scheme, linear_flow, dt) for dt in (0.1, 0.05, 0.025)]
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    np.testing.assert_allclose(orders, order, atol=0.1, err_msg=str(errors))
    assert errors[-1] < largest


@pytest.mark.parametrize(
    "scheme, linear_flow",
    [("takahashi_imada", "exact"), ("takahashi_imada", "stepped"), ("verlet", "stepped")],
)
def test_a_set_physical_field_reads_back_to_rounding(scheme, linear_flow):
    """set_fields takes φ and φ_t; the processed kernel state is derived inside, so reading
    back gives them to rounding (|φ| <= 2π: 4e-15 is a few ulps), and the energy of the set
    state is the pair's 16γ, whatever state the model held before."""
    kind = "sine_gordon_kink_antikink"
    model = pair_model(kind, scheme, linear_flow, time_step=0.05)
    model.advance(7)
    phi, phi_t = initial.sine_gordon_pair(kind, model.x, -0.5, SPEED, PAIRS[kind][0])
    model.set_fields(phi, phi_t)
    found_phi, found_phi_t = model.fields()
    assert np.max(np.abs(found_phi - phi)) < 4e-15
    assert np.max(np.abs(found_phi_t - phi_t)) < 4e-15
    assert model.observe()["energy"] == pytest.approx(16 * GAMMA, rel=1e-12)
    if scheme == "takahashi_imada":  # the kernel's state is not the physical one
        raw = np.fft.irfft(model.phi_hat, model.params.points)
        assert np.max(np.abs(raw - phi)) > 1e-5


def test_set_fields_refuses_wrong_sizes_and_non_finite_values():
    model = pair_model("sine_gordon_kink_antikink")
    points = model.params.points
    with pytest.raises(ValueError, match="phi must hold N=512 values"):
        model.set_fields(np.zeros(points - 1), np.zeros(points))
    with pytest.raises(ValueError, match="phi_t holds NaN"):
        model.set_fields(np.zeros(points), np.full(points, np.nan))


@pytest.mark.parametrize(
    "changes, key",
    [
        ({"potential": "phi4"}, "initial.kind"),
        ({"initial": {"kind": "sine_gordon_kink_kink", "velocity": -0.5}}, "initial.velocity"),
    ],
)
def test_pairs_need_sine_gordon_and_a_positive_speed(changes, key):
    arguments = {"potential": "sine_gordon", "initial": {"kind": "sine_gordon_kink_antikink"}}
    with pytest.raises(ValueError, match=key):
        KleinGordonParams(**(arguments | changes))
