"""Parameter protocols (``protocol:``): validation, the value each step sees, the recorded series,
fingerprints, bitwise checkpoint/resume mid-protocol and rank-count independence."""

import json

import numpy as np
import pytest
import xarray as xr
import yaml

from sims.core.fingerprint import run_fingerprint
from sims.core.protocol import values_at
from sims.core.rng import member_seed_sequence
from sims.core.scenario import validate_document
from sims.core.simulation import Interrupted, Simulation
from sims.couzin.model import CouzinModel
from tests.conftest import assert_same_run, run_cli, run_subprocess

TIME_STEP = 0.1  # s, Couzin's default
SMALL_COUZIN = {
    "system": "couzin",
    "name": "ramp",
    "seed": 11,
    "members": 1,
    "output": {"checkpoint_interval": None},
    "params": {
        "n_agents": 24,
        "duration": 4.0,
        "record_interval": 0.5,
        "snapshot_stride": 0,
        "entropies": "none",
    },
    "protocol": {
        # changes at t = 1.3 and 2.7 s (steps 13 and 27), between records
        "params.orientation_width": {"times": [0, 1.3, 2.7], "values": [1.0, 4.0, 2.0]},
        "params.noise": {"times": [0, 3.0], "values": [0.05, 0.2], "interpolation": "linear"},
    },
}


def _document(**changes):
    document = json.loads(json.dumps(SMALL_COUZIN))
    for key, value in changes.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    return document


def _point(document):
    scenario = validate_document(document, "ramp.yaml")
    return scenario, scenario.points[0]


def _model(scenario, point, member=0):
    return scenario.system.model(point.params, member_seed_sequence(scenario.spec.seed, member))


def _write(tmp_path, document, name="ramp.yaml"):
    document = {**document, "output": {**document["output"], "dir": str(tmp_path / "out")}}
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document))
    return path


# --- which step sees which value -----------------------------------------------------------


def test_step_and_linear_values_at_the_step_boundaries():
    _, point = _point(_document())
    width, noise = point.protocols
    assert width.steps.tolist() == [0, 13, 27] and noise.steps.tolist() == [0, 30]
    # step: a value holds from its own step (t_k = k dt >= its time) to the next one's
    assert [width.value_at(k) for k in (0, 12, 13, 26, 27, 40)] == [1.0, 1.0, 4.0, 4.0, 2.0, 2.0]
    # linear: v0 + (v1 - v0) (k - k0) / (k1 - k0), exact at the points, held after the last
    assert noise.value_at(0) == 0.05 and noise.value_at(30) == noise.value_at(40) == 0.2
    assert noise.value_at(15) == pytest.approx(0.125, abs=1e-15)
    assert noise.value_at(6) == 0.05 + (0.2 - 0.05) * (6 / 30)
    assert width.next_change(0) == 13 and width.next_change(13) == 27
    assert width.next_change(27) is None and noise.next_change(29) == 30


def test_each_step_advances_with_the_value_at_its_own_step(monkeypatch):
    """Spy on the kernel calls: every step k runs with the protocols' values at t = k dt."""
    scenario, point = _point(_document())
    model = _model(scenario, point)
    calls = []
    advance = CouzinModel.advance

    def spy(self, n_steps):
        calls.append((self.step_count, n_steps, self.zones.copy(), self.noise))
        advance(self, n_steps)

    monkeypatch.setattr(CouzinModel, "advance", spy)
    Simulation(model, protocols=point.protocols).run()
    covered = []
    for start, n_steps, zones, noise in calls:
        for step in range(start, start + n_steps):
            expected = values_at(point.protocols, step)
            params = point.params.model_copy(update=expected)
            assert noise == expected["noise"] and np.array_equal(zones, params.zones), step
            covered.append(step)
    assert covered == list(range(40))


def test_a_step_protocol_equals_two_plain_runs_chained_at_the_change():
    """Independent of the protocol code: run Δr_o = 1 to step 13, hand the state to a model
    built with Δr_o = 4, run to step 27, then Δr_o = 2 to the end: bitwise the same state."""
    document = _document(protocol={"params.orientation_width": SMALL_COUZIN["protocol"][
        "params.orientation_width"]})  # fmt: skip
    scenario, point = _point(document)
    model = _model(scenario, point)
    Simulation(model, protocols=point.protocols).run()
    chained = _model(scenario, point)
    for width, steps in ((1.0, 13), (4.0, 14), (2.0, 13)):
        state = chained.get_state()
        chained = CouzinModel(
            point.params.model_copy(update={"orientation_width": width}),
            member_seed_sequence(scenario.spec.seed, 0),
        )
        chained.set_state(state)
        chained.advance(steps)
    assert chained.positions.tobytes() == model.positions.tobytes()
    assert chained.headings.tobytes() == model.headings.tobytes()
    late = _model(scenario, point)  # the change one step late gives another trajectory
    late.advance(14)
    late.apply_protocol({"orientation_width": 4.0})
    late.advance(13)
    late.apply_protocol({"orientation_width": 2.0})
    late.advance(13)
    assert late.positions.tobytes() != model.positions.tobytes()


def test_a_protocol_holding_the_scenario_value_changes_nothing_but_adds_the_series():
    plain_scenario, plain_point = _point(_document(protocol=None))
    plain = Simulation(_model(plain_scenario, plain_point)).run()
    held = {"params.noise": {"times": [0], "values": [0.05]}}
    scenario, point = _point(_document(protocol=held))
    followed = Simulation(_model(scenario, point), protocols=point.protocols).run()
    assert np.all(followed.noise.values == 0.05)
    xr.testing.assert_identical(followed.drop_vars("noise"), plain)


def test_the_value_at_each_record_is_recorded_with_units(tmp_path, capsys):
    path = _write(tmp_path, _document())
    assert run_cli("run", path, "--quiet", capsys=capsys)[0] == 0
    with xr.open_dataset(tmp_path / "out" / "ramp_m000.nc") as dataset:
        width, noise = dataset.orientation_width, dataset.noise
        assert width.dims == ("time",) and noise.dims == ("time",)
        steps = np.rint(dataset.time.values / TIME_STEP).astype(int)
        assert width.values.tolist() == [1.0 if k < 13 else 4.0 if k < 27 else 2.0 for k in steps]
        assert noise.values[-3:].tolist() == [0.2, 0.2, 0.2]  # t = 3, 3.5, 4 s
        assert noise.values[1] == 0.05 + (0.2 - 0.05) * (5 / 30)  # t = 0.5 s, step 5
        assert "zone of orientation" in width.long_name and "BL" in width.long_name + width.units
        assert noise.units == "rad" and noise.interpolation == "linear"
        scenario = yaml.safe_load(dataset.attrs["scenario"])
        assert scenario["params"]["orientation_width"] == 1.0  # the value at t = 0
        assert scenario["protocol"]["params.noise"]["values"] == [0.05, 0.2]


# --- checkpoints, fingerprints, ranks ------------------------------------------------------


def test_a_run_resumed_mid_protocol_equals_the_uninterrupted_run_bitwise(tmp_path):
    scenario, point = _point(_document())
    uninterrupted = Simulation(_model(scenario, point), protocols=point.protocols).run()
    checkpoint = tmp_path / "run.ckpt"
    model = _model(scenario, point)
    stopped = Simulation(
        model,
        checkpoint,
        checkpoint_interval=None,
        stop_requested=lambda: model.step_count >= 17,  # after the first change, mid-ramp
        protocols=point.protocols,
    )
    with pytest.raises(Interrupted):
        stopped.run()
    assert 13 < stopped.model.step_count < 30  # after the first change, inside the linear ramp
    resumed = Simulation(_model(scenario, point), checkpoint, protocols=point.protocols)
    assert resumed.resume() and resumed.model.step_count == stopped.model.step_count
    xr.testing.assert_identical(resumed.run(), uninterrupted)


def test_the_protocol_is_part_of_the_fingerprint_and_resume_redoes_the_run(tmp_path, capsys):
    def fingerprint_of(protocol):
        scenario, point = _point(_document(protocol=protocol))
        params = point.params.model_dump(mode="json")
        protocol = scenario.spec.model_dump(mode="json")["protocol"]
        return run_fingerprint("couzin", params, scenario.spec.seed, 0, protocol)

    base = fingerprint_of(SMALL_COUZIN["protocol"])
    changed = json.loads(json.dumps(SMALL_COUZIN["protocol"]))
    changed["params.noise"]["values"] = [0.05, 0.3]
    assert fingerprint_of(changed) != base
    changed["params.noise"] = {**SMALL_COUZIN["protocol"]["params.noise"], "interpolation": "step"}
    assert fingerprint_of(changed) != base
    path = _write(tmp_path, _document())
    assert run_cli("run", path, "--quiet", capsys=capsys)[0] == 0
    code, _, err = run_cli("run", path, "--resume", capsys=capsys)
    assert code == 0 and "written by another run" not in err
    path = _write(tmp_path, _document(protocol=changed))
    code, _, err = run_cli("run", path, "--resume", capsys=capsys)
    assert code == 0 and "written by another run (its run_fingerprint differs)" in err
    with xr.open_dataset(tmp_path / "out" / "ramp_m000.nc") as dataset:
        assert dataset.noise.values[5] == 0.05  # t = 2.5 s: the redone run follows the steps


def test_two_ranks_give_the_serial_files(tmp_path):
    document = _document(members=3)
    for folder in ("serial", "parallel"):
        (tmp_path / folder).mkdir()
    serial = _write(tmp_path / "serial", document)
    parallel = _write(tmp_path / "parallel", document)
    assert run_subprocess("batch", serial, "--quiet").returncode == 0
    result = run_subprocess("batch", parallel, "--quiet", mpi_ranks=2)
    assert result.returncode == 0, result.stderr
    for member in range(3):
        name = f"ramp_m{member:03d}.nc"
        assert_same_run(tmp_path / "serial" / "out" / name, tmp_path / "parallel" / "out" / name)


# --- bad input -------------------------------------------------------------------------------

WIDTH = "protocol.params.orientation_width"
BAD = [
    ({WIDTH[9:]: {"times": [1.0, 2.0], "values": [1.0, 2.0]}}, f"{WIDTH}.times[0]: must be 0"),
    (
        {WIDTH[9:]: {"times": [0, 2.0, 2.0], "values": [1.0, 2.0, 3.0]}},
        f"{WIDTH}.times[2]: times must be strictly increasing",
    ),
    ({WIDTH[9:]: {"times": [0, 1.0], "values": [1.0]}}, f"{WIDTH}.values: needs one value per"),
    ({WIDTH[9:]: {"times": [], "values": []}}, f"{WIDTH}.times: needs at least one time"),
    (
        {WIDTH[9:]: {"times": [0, 1.0], "values": [1.0, -2.0]}},
        f"{WIDTH}.values[1]: params.orientation_width: input should be greater than or equal",
    ),
    (
        {"params.noise": {"times": [0], "values": [4.0]}},
        "protocol.params.noise.values[0]: params.noise: input should be less than or equal",
    ),
    (
        {WIDTH[9:]: {"times": [0, 4.5], "values": [1.0, 2.0]}},
        f"{WIDTH}.times[1]: must lie before the run's end (t = 4) (got 4.5)",
    ),
    (  # a value set at the last step would act on no step
        {WIDTH[9:]: {"times": [0, 4.0], "values": [1.0, 2.0]}},
        f"{WIDTH}.times[1]: must lie before the run's end (t = 4) (got 4.0)",
    ),
    (
        {WIDTH[9:]: {"times": [0, 1.25], "values": [1.0, 2.0]}},
        f"{WIDTH}.times[1]: must be a multiple of the time step 0.1 (got 1.25)",
    ),
    (
        {WIDTH[9:]: {"times": [0], "values": [1.0], "interpolation": "cubic"}},
        f"{WIDTH}.interpolation: input should be 'step' or 'linear'",
    ),
    (
        {WIDTH[9:]: {"times": [0], "values": [1.0], "smooth": True}},
        f"{WIDTH}.smooth: unknown key",
    ),
    (
        {"params.n_agents": {"times": [0], "values": [10]}},
        "protocol.params.n_agents: system couzin allows no protocol here (allowed: "
        "params.orientation_width, params.attraction_width, params.noise)",
    ),
    (
        {"orientation_width": {"times": [0], "values": [1]}},
        "protocol.orientation_width: protocol keys must be params.<name>",
    ),
]


def test_protocols_are_validated_together_where_their_values_hold_together(tmp_path, capsys):
    """Each width alone keeps the periodic box wider than twice the perception radius (with the
    other width at its t = 0 value); both raised at t = 1 make the radius 1 + 9 + 11 = 21 BL, more
    than half the 40 BL box."""
    document = _document(
        protocol={
            WIDTH[9:]: {"times": [0, 1.0], "values": [1.0, 9.0]},
            "params.attraction_width": {"times": [0, 1.0], "values": [1.0, 11.0]},
        }
    )
    document["params"] |= {"boundary": "periodic", "box_size": 40.0}
    path = _write(tmp_path, document)
    code, out, err = run_cli("run", path, capsys=capsys)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith(f"{path}: protocol: at t = 1 the protocols give params.")
    assert "perception radius" in err
    document["protocol"]["params.attraction_width"]["values"][1] = 9.0  # radius 19 BL: fits
    validate_document(document, "ramp.yaml")


@pytest.mark.parametrize(("protocol", "message"), BAD, ids=[m.split(": ")[-1][:32] for _, m in BAD])
def test_a_bad_protocol_is_one_line_naming_file_and_key(tmp_path, capsys, protocol, message):
    path = _write(tmp_path, _document(protocol=protocol))
    code, out, err = run_cli("run", path, capsys=capsys)
    assert code == 2 and out == ""
    assert err.startswith(f"{path}: {message}") and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_value_breaking_a_cross_check_is_refused(tmp_path, capsys):
    """In a periodic box of 40 BL the perception radius must stay under 20 BL."""
    document = _document(
        params={**SMALL_COUZIN["params"], "boundary": "periodic", "box_size": 40.0},
        protocol={WIDTH[9:]: {"times": [0, 1.0], "values": [1.0, 8.0]}},
    )
    code, _, err = run_cli("validate", _write(tmp_path, document), capsys=capsys)
    assert code == 2 and f"{WIDTH}.values[1]: params.box_size: must exceed twice" in err


def test_a_protocol_and_a_sweep_on_one_parameter_are_refused(tmp_path, capsys):
    document = _document(sweep={"params.orientation_width": [1.0, 2.0]})
    code, _, err = run_cli("validate", _write(tmp_path, document), capsys=capsys)
    assert code == 2
    assert f"{WIDTH}: sweep.params.orientation_width sweeps the same parameter" in err


def test_a_parameter_set_beside_its_protocol_must_be_its_value_at_zero(tmp_path, capsys):
    document = _document(params={**SMALL_COUZIN["params"], "orientation_width": 3.0})
    code, _, err = run_cli("validate", _write(tmp_path, document), capsys=capsys)
    assert code == 2
    assert f"params.orientation_width: differs from {WIDTH}.values[0] = 1, the run's" in err
    document = _document(params={**SMALL_COUZIN["params"], "orientation_width": 1.0})
    assert run_cli("validate", _write(tmp_path, document), capsys=capsys)[0] == 0


def test_a_sweep_point_gets_its_own_steps_and_checks(tmp_path, capsys):
    document = _document(sweep={"params.time_step": [0.1, 0.05]})
    scenario = validate_document(document, "ramp.yaml")
    assert [p.protocols[0].steps.tolist() for p in scenario.points] == [[0, 13, 27], [0, 26, 54]]
    params = {**SMALL_COUZIN["params"], "record_interval": 1.0}
    document = _document(params=params, sweep={"params.time_step": [0.1, 0.5]})
    code, _, err = run_cli("validate", _write(tmp_path, document), capsys=capsys)
    assert code == 2 and f"{WIDTH}.times[1]: must be a multiple of the time step 0.5" in err


@pytest.mark.parametrize(
    ("system", "params", "key"),
    [
        ("kleingordon", {}, "params.mass"),
        ("harddisc", {}, "params.n_discs"),
        ("coffee", {"model": "interacting"}, "params.grid_size"),
    ],
)
def test_systems_without_protocol_parameters_refuse_any(tmp_path, capsys, system, params, key):
    document = {
        "system": system,
        "name": "refused",
        "seed": 1,
        "params": params,
        "protocol": {key: {"times": [0], "values": [1]}},
    }
    code, _, err = run_cli("validate", _write_plain(tmp_path, document), capsys=capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"protocol.{key}: system {system} allows no protocol here (allowed: none)" in err


def _write_plain(tmp_path, document):
    path = tmp_path / "plain.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_a_protocol_can_be_set_from_the_command_line(tmp_path, capsys):
    path = _write(tmp_path, _document(protocol=None))
    override = "protocol.params.noise={times: [0, 1.0], values: [0.1, 0.2]}"
    code, _, err = run_cli("run", path, "--set", override, "--quiet", capsys=capsys)
    assert code == 0, err
    with xr.open_dataset(tmp_path / "out" / "ramp_m000.nc") as dataset:
        assert dataset.noise.values[[0, 1, 2, 3]].tolist() == [0.1, 0.1, 0.2, 0.2]
