"""Klein–Gordon model contract: chunking, validation, shipped scenarios, dataset, entropies."""

import numpy as np
import pytest
import xarray as xr

from sims.core.scenario import load_scenario
from sims.kleingordon import diagnostics
from sims.kleingordon.entropies import analyze_run
from sims.kleingordon.model import KleinGordonModel, KleinGordonParams
from tests.conftest import assert_one_line_error, assert_units_everywhere, run_cli

SHIPPED = [
    "linear_wave",
    "phi4_kink",
    "sine_gordon_breather",
    "kink_antikink",
    "sine_gordon_kink_antikink",
    "sine_gordon_kink_kink",
]
DRIFT_TEST_STEPS = 20_000  # the benchmark runs 1e5 steps of each shipped case


@pytest.mark.parametrize("scheme", ["verlet", "yoshida4", "takahashi_imada"])
@pytest.mark.parametrize("linear_flow", ["stepped", "exact"])
@pytest.mark.parametrize("dealias", [False, True])
def test_chunking_never_changes_the_result(scheme, linear_flow, dealias):
    params = KleinGordonParams(
        points=64,
        length=40.0,
        time_step=0.02,
        duration=1.0,
        record_interval=0.02,
        scheme=scheme,
        linear_flow=linear_flow,
        dealias=dealias,
        initial={"kind": "kink_antikink", "velocity": 0.4, "separation": 10.0},
        noise_amplitude=0.01,
    )
    whole, pieces = (KleinGordonModel(params, np.random.SeedSequence(5)) for _ in range(2))
    whole.advance(37)
    for chunk in (1, 2, 13, 21):
        pieces.advance(chunk)
    for key, value in whole.get_state().items():
        np.testing.assert_array_equal(value, pieces.get_state()[key])


def test_members_differ_only_through_their_seed():
    params = KleinGordonParams(points=64, length=40.0, noise_amplitude=0.05, noise_modes=4)
    first, again, other = (
        KleinGordonModel(params, np.random.SeedSequence(1, spawn_key=(k,))) for k in (0, 0, 1)
    )
    np.testing.assert_array_equal(first.pi, again.pi)
    assert np.max(np.abs(first.pi - other.pi)) > 1e-3
    perturbation = (
        first.pi
        - KleinGordonModel(
            params.model_copy(update={"noise_amplitude": 0.0}), np.random.SeedSequence(0)
        ).pi
    )
    assert np.sqrt(np.mean(perturbation**2)) == pytest.approx(0.05, rel=1e-12)


@pytest.mark.parametrize(
    "scheme,flow,dt,ok",
    [
        ("verlet", "stepped", 0.098, True),
        ("verlet", "stepped", 0.1, False),
        ("yoshida4", "stepped", 0.077, True),
        ("yoshida4", "stepped", 0.0785, False),
        ("yoshida4", "exact", 0.154, True),
        ("yoshida4", "exact", 0.156, False),
        ("takahashi_imada", "stepped", 0.17, True),
        ("takahashi_imada", "stepped", 0.173, False),
        ("takahashi_imada", "exact", 0.154, True),
        ("takahashi_imada", "exact", 0.156, False),
        ("verlet", "exact", 1.9, False),
    ],
)
def test_time_step_is_checked_against_the_stability_bound(scheme, flow, dt, ok):
    """N = 64 on L = 10: k_max = 20.1, and φ⁴ adds V'' <= 3.16 (with the field margin).

    Bounds: Verlet 2/ω_max = 0.0991, Yoshida 1.5734/ω_max = 0.0780, Takahashi–Imada
    √12/ω_max = 0.1716. With the exact linear flow the kick of V'' opens a resonance band just
    below k_max Δt = π (Δt = 0.1563): about 0.155 for every scheme, far below the nonlinear
    curvature's own bound (√12/√3.16 = 1.95).
    """
    arguments = dict(
        potential="phi4",
        points=64,
        length=10.0,
        time_step=dt,
        duration=dt,
        record_interval=dt,
        scheme=scheme,
        linear_flow=flow,
        initial={"kind": "kink"},
    )
    if ok:
        KleinGordonParams(**arguments)
    else:
        with pytest.raises(Exception, match="stability bound"):
            KleinGordonParams(**arguments)


@pytest.mark.parametrize("scheme, limit", [("verlet", 2.0), ("takahashi_imada", np.sqrt(12.0))])
def test_the_bound_is_sharp(scheme, limit):
    """Just below limit/ω_max a field stays bounded; just above, round-off at k_max grows; the
    validator's bound (from the one-step trace) is that analytic one.

    The limit is 2 for Verlet and √12 for the Takahashi–Imada kernel, whose kick sees
    ω² (1 − ω²Δt²/12): it vanishes at ω Δt = √12 and turns the mode unstable beyond.
    """
    from sims.kleingordon import kernels, schemes

    dt = 0.0975
    params = KleinGordonParams(
        potential="linear",
        mass=1.0,
        points=64,
        length=10.0,
        time_step=dt,
        duration=dt,
        record_interval=dt,
        scheme="verlet",
        linear_flow="stepped",
        initial={"kind": "plane_wave", "mode": 31, "amplitude": 1e-3},
    )
    limit /= np.sqrt((np.pi * 64 / 10) ** 2 + 1)
    found = params.model_copy(update={"scheme": scheme, "time_step": 1.0}).stable_time_step()
    assert found == pytest.approx(limit, rel=2e-6)
    scheme = schemes.SCHEMES[scheme]
    for time_step, bounded in ((0.99 * limit, True), (1.01 * limit, False)):
        model = KleinGordonModel(params, np.random.SeedSequence(0))
        kernels.advance(
            model.phi_hat,
            model.pi_hat,
            3000,
            time_step,
            scheme.kick_weights,
            scheme.drift_weights,
            model.flow_tables,
            model.system,
            scheme.correction * time_step**2,
        )
        assert (np.max(np.abs(model.phi)) < 1e-2) == bounded


@pytest.mark.parametrize("scheme", ["verlet", "yoshida4", "takahashi_imada"])
def test_the_exact_flow_bound_is_sharp(scheme):
    """With the exact linear flow a colliding kink–antikink pair stays smooth at 0.97 of the
    reported bound; at 1.05 of it the resonance band below k_max Δt = π grows grid-scale noise
    from 1e-6 to the field's own size."""
    base = dict(
        potential="phi4",
        length=50.0,
        points=128,
        scheme=scheme,
        linear_flow="exact",
        initial={"kind": "kink_antikink", "separation": 20.0, "velocity": 0.3},
        noise_amplitude=1e-6,
    )
    valid = KleinGordonParams(**base, time_step=0.01, duration=0.01, record_interval=0.01)
    bound = valid.model_copy(update={"time_step": 1.0}).stable_time_step()
    assert 0.9 * np.pi / (np.pi * 128 / 50.0) < bound < np.pi / (np.pi * 128 / 50.0)
    with pytest.raises(ValueError, match=f"stability bound .* below it is {bound:.6g}"):
        KleinGordonParams(**base, time_step=1.0, duration=1.0, record_interval=1.0)
    for factor, bounded in ((0.97, True), (1.05, False)):
        steps = round(200.0 / (factor * bound))
        params = valid.model_copy(
            update={"time_step": 200.0 / steps, "duration": 200.0, "record_interval": 200.0}
        )
        model = KleinGordonModel(params, np.random.SeedSequence(1))
        model.advance(steps)
        spectrum = np.abs(np.fft.rfft(model.phi))
        grid_scale = spectrum[spectrum.size // 2 :].max() / spectrum.max()  # k > k_max / 2
        assert bool(grid_scale < 1e-3) == bounded, grid_scale


@pytest.mark.parametrize(
    "changes,key",
    [
        ({"time_step": 0.5}, "params.time_step"),
        ({"points": 101}, "params.points"),
        ({"duration": 1.005}, "params.duration"),
        ({"potential": "linear"}, "params.initial.kind"),
        ({"initial": {"kind": "breather"}}, "params.initial.kind"),
        ({"initial": {"kind": "kink", "velocity": 1.0}}, "params.initial.velocity"),
        ({"probes": [60.0]}, "params.probes"),
        ({"tiem_step": 0.01}, "params.tiem_step"),
    ],
)
def test_bad_parameters_give_one_line_errors(tmp_path, changes, key):
    document = {
        "system": "kleingordon",
        "name": "bad",
        "seed": 1,
        "params": {"potential": "phi4", **changes},
    }
    import yaml

    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(document))
    assert_one_line_error(path, key)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenarios_conserve_energy(name):
    """Relative energy drift <= 1e-8 over 2e4 steps (1e5 in benchmarks/bench_kleingordon.py)."""
    params = load_scenario(f"kleingordon/{name}").params
    model = KleinGordonModel(params, np.random.SeedSequence(0))
    start = model.observe()["energy"]
    model.advance(DRIFT_TEST_STEPS)
    assert abs(model.observe()["energy"] - start) / start <= 1e-8
    assert np.all(np.isfinite(model.phi))


def test_cli_run_writes_a_dataset_with_units_everywhere(tmp_path, capsys):
    code, out, _ = run_cli(
        "run",
        "kleingordon/sine_gordon_breather",
        "--out",
        tmp_path,
        "--set",
        "params.duration=5.0",
        capsys=capsys,
    )
    assert code == 0, out
    (path,) = tmp_path.glob("*.nc")
    with xr.open_dataset(path) as dataset:
        assert_units_everywhere(dataset)
        assert dataset.sizes["time"] == 51 and dataset.sizes["snapshot_time"] == 11
        energy = dataset.energy.values
        assert np.max(np.abs(energy - energy[0])) / energy[0] < 1e-8
        analysis = analyze_run(dataset.load())
    for name in analysis.data_vars:
        assert analysis[name].attrs["units"]
    assert 0 < float(analysis.permutation_entropy.isel(probe=0)) < 1
    spectral = analysis.spectral_entropy.values
    assert np.isnan(spectral[0])  # the breather starts at φ = 0: no spectrum to normalise
    assert np.all((spectral[1:] > 0) & (spectral[1:] < 1))


def test_density_entropies_are_differential_entropies():
    """A Gaussian density of σ: h = ½ ln(2πeσ²), Rényi-2 ln(2σ√π), Tsallis-2 1 − 1/(2σ√π)."""
    sigma, spacing = 1.7, 0.01
    x = np.arange(-40, 40, spacing)
    density = np.exp(-0.5 * (x / sigma) ** 2)
    values = diagnostics.density_entropies(density, spacing, (2.0,))
    assert values["shannon"] == pytest.approx(0.5 * np.log(2 * np.pi * np.e * sigma**2), rel=1e-12)
    assert values["renyi_2"] == pytest.approx(np.log(2 * sigma * np.sqrt(np.pi)), rel=1e-12)
    assert values["tsallis_2"] == pytest.approx(1 - 1 / (2 * sigma * np.sqrt(np.pi)), rel=1e-12)
    # grid independence (the amangkurat flaw): halving dx leaves the value unchanged
    fine = diagnostics.density_entropies(
        np.exp(-0.5 * (np.arange(-40, 40, spacing / 2) / sigma) ** 2), spacing / 2
    )
    assert fine["shannon"] == pytest.approx(values["shannon"], rel=1e-12)


def test_delay_embedding_and_regime_comparison():
    series = np.arange(10.0)
    np.testing.assert_array_equal(diagnostics.delay_embedding(series, 3, 2)[0], [0, 2, 4])
    rng = np.random.default_rng(0)
    different = diagnostics.compare_regimes(rng.normal(0, 1, 40), rng.normal(1.5, 1, 40), seed=3)
    same = diagnostics.compare_regimes(rng.normal(0, 1, 40), rng.normal(0, 1, 40), seed=3)
    assert different["p_value"] < 1e-6 and different["ci_low"] > 0.5
    assert same["p_value"] > 0.01 and same["ci_low"] < 0 < same["ci_high"]
    assert diagnostics.compare_regimes([1, 2, 3], [4, 5, 6], seed=1) == diagnostics.compare_regimes(
        [1, 2, 3], [4, 5, 6], seed=1
    )
