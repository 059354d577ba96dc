"""Hostile input: a corpus of scenario files that must each be refused with one line and exit
code 2, in bounded time and memory, leaving no file behind; and the checks behind them."""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sims.core import resources
from sims.core.scenario import ScenarioError, load_scenario
from sims.core.yaml_loader import MAX_DOCUMENT_BYTES, DocumentError, parse_yaml
from tests.conftest import run_cli

CORPUS = Path(__file__).parent / "data" / "hostile"
CASES = sorted(CORPUS.glob("*.yaml"))
# refused by `run` for memory only: `validate` accepts them and warns (its verdict must not
# depend on the machine)
TOO_LARGE_TO_RUN = {
    "huge_couzin", "huge_harddisc", "huge_peccary", "huge_lastmile_routes",
    "huge_lastmile_days", "huge_members", "huge_sweep", "huge_coffee_grid_short",
    "huge_kleingordon_records", "huge_kleingordon",
}  # fmt: skip


def _expected(path: Path) -> str:
    for line in path.read_bytes().decode("utf-8", "replace").splitlines():
        if line.startswith("# expect: "):
            return line.removeprefix("# expect: ")
    raise AssertionError(f"{path} has no '# expect:' line")


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """Every corpus file through `run` and `validate`, each in a capped child process."""
    work = tmp_path_factory.mktemp("hostile")
    commands = []
    for path in CASES:
        commands.append(["run", str(path), "--out", str(work / path.stem / "out")])
        commands.append(["validate", str(path)])
    result = subprocess.run(
        [sys.executable, "-m", "tests.cli_sandbox"],
        input=json.dumps(commands),
        capture_output=True,
        text=True,
        timeout=600,
        cwd=Path(__file__).parents[1],
    )
    assert result.returncode == 0, result.stderr
    runs = [json.loads(line) for line in result.stdout.splitlines()]
    return work, {(run["arguments"][0], Path(run["arguments"][1]).stem): run for run in runs}


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_hostile_scenario_is_refused_with_one_line(path, outcomes):
    work, by_command = outcomes
    for command in ("run", "validate"):
        outcome = by_command[command, path.stem]
        stderr = outcome["stderr"]
        assert "Traceback" not in stderr, stderr
        assert outcome["seconds"] < 10, outcome
        if command == "validate" and path.stem in TOO_LARGE_TO_RUN:
            assert outcome["code"] == 0, outcome
            assert outcome["stdout"].startswith(f"{path}: ok (")
            assert "(warning)" in stderr and stderr.count("\n") == 1, stderr
            continue
        assert outcome["code"] == 2, outcome
        assert outcome["stdout"] == ""
        assert stderr.count("\n") == 1 and stderr.startswith(f"{path}: "), stderr
        assert _expected(path) in stderr, stderr
    assert not (work / path.stem).exists()  # no output directory, no file
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(p.name for p in CASES)
    assert not Path("/tmp/entrosim-pwned").exists()


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path, capsys):
    path = tmp_path / "large.yaml"
    path.write_text("system: coffee\nname: big\nseed: 1\ndescription: " + "x" * MAX_DOCUMENT_BYTES)
    code, _, err = run_cli("validate", path, capsys=capsys)
    assert code == 2 and err == f"{path}: file: larger than {MAX_DOCUMENT_BYTES} bytes\n"


def test_yaml_12_floats_and_yaml_11_integers():
    """Scientific notation is a float when read (YAML 1.2 core schema); integers stay ints."""
    document = parse_yaml("a: 1e-3\nb: 2.5E+4\nc: -1e9\nd: 12\ne: .5\nf: 1_000\ng: '1e-3'\nh: 1e\n")
    assert document == {
        "a": 1e-3, "b": 2.5e4, "c": -1e9, "d": 12, "e": 0.5, "f": 1000, "g": "1e-3", "h": "1e",
    }  # fmt: skip
    assert all(type(document[key]) is float for key in "abce")
    scenario = load_scenario("couzin/torus", ["params.time_step=1e-1", "params.duration=3e2"])
    assert scenario.params.time_step == 0.1 and scenario.params.duration == 300.0


def test_merge_keys_still_work_and_duplicates_inside_them_do_not_count():
    document = parse_yaml("base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n")
    assert document["derived"] == {"x": 1, "y": 3}
    with pytest.raises(DocumentError, match="line 3: invalid YAML: duplicate key 'y'"):
        parse_yaml("m:\n  y: 1\n  y: 2\n")


def test_an_alias_bomb_is_refused_fast_in_bounded_memory():
    levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    levels += [f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 10)}]"
               for i in range(9)]  # fmt: skip
    started = time.perf_counter()
    with pytest.raises(DocumentError, match="expands to more than"):
        parse_yaml("\n".join(levels))
    assert time.perf_counter() - started < 0.5  # 10^10 values described, a hundred nodes read


def test_validating_a_million_point_sweep_is_lazy(tmp_path, capsys):
    axes = {
        "params.n_records": list(range(2, 22)),
        "params.buckets": list(range(2, 22)),
        "params.adjusted_buckets": list(range(2, 22)),
        "params.grain_size": [1, 3, 5, 7, 9] * 4,
        "params.grain_fraction": [0.1 * i for i in range(1, 11)],
    }
    path = tmp_path / "sweep.yaml"
    path.write_text(json.dumps({
        "system": "coffee", "name": "sweep", "seed": 1, "params": {"grid_size": 20},
        "sweep": axes,
    }))  # fmt: skip
    load_scenario("coffee/interacting")  # imports done before timing
    started = time.perf_counter()
    code, out, _ = run_cli("validate", path, capsys=capsys)
    assert time.perf_counter() - started < 1.0
    assert (
        code == 0
        and "1600000 runs" in out
        and "sweep checked along its axes, other points when run)" in out
    )
    scenario = load_scenario(str(path))
    assert scenario.points.is_lazy and len(scenario.points) == 1_600_000
    point = scenario.points[1_234_567]
    assert point.values == scenario.points.values(1_234_567)
    assert point.params.grain_fraction == point.values["params.grain_fraction"]


def test_a_lazily_invalid_sweep_point_fails_only_its_run(write_scenario, tmp_path, capsys):
    """Beyond the eager limit a bad combination is found when its run starts."""
    import sims.core.scenario as scenario_module

    path = write_scenario(sweep={"params.grid_size": [12, 8], "params.grain_size": [3, 11]})
    original = scenario_module.EAGER_SWEEP_POINTS
    scenario_module.EAGER_SWEEP_POINTS = 1
    try:
        code, _, err = run_cli("run", path, "--quiet", capsys=capsys)
    finally:
        scenario_module.EAGER_SWEEP_POINTS = original
    assert code == 1
    manifest = json.loads((tmp_path / "out" / "small_manifest.json").read_text())
    status = {run["file"]: run["status"] for run in manifest["runs"]}
    assert status == {
        "small_p000_m000.nc": "done", "small_p001_m000.nc": "done",
        "small_p002_m000.nc": "done", "small_p003_m000.nc": "failed",
    }  # fmt: skip
    failed = next(run for run in manifest["runs"] if run["status"] == "failed")
    assert failed["error"].startswith("sweep.params.grain_size[1]: must be odd and at most")


def test_a_single_run_too_large_for_memory_names_parameter_and_estimate(tmp_path, capsys):
    code, _, err = run_cli(
        "run", "couzin/torus", "--set", "params.n_agents=1000000000", "--out", tmp_path / "o",
        capsys=capsys,
    )  # fmt: skip
    available = resources.format_bytes(resources.available_memory())
    assert code == 2 and err.count("\n") == 1
    assert "torus.yaml: params.n_agents: needs ~" in err and "for one run" in err
    assert available.split()[1] in err
    assert not (tmp_path / "o").exists()


def test_a_run_too_large_in_a_batch_is_recorded_as_its_failure(write_scenario, tmp_path, capsys):
    path = write_scenario(sweep={"params.grid_size": [8, 10_000_000]}, params={"duration": 1e-9})
    code, _, _ = run_cli("run", path, "--quiet", capsys=capsys)
    manifest = json.loads((tmp_path / "out" / "small_manifest.json").read_text())
    assert code == 1 and [run["status"] for run in manifest["runs"]] == ["done", "failed"]
    assert manifest["runs"][1]["error"].startswith("params.grid_size: needs ~")


@pytest.mark.parametrize(
    ("system", "scenario", "parameter"),
    [
        ("coffee", "coffee/interacting", "params.grid_size"),
        ("couzin", "couzin/torus", "params.n_agents"),
        ("harddisc", "harddisc/free_expansion", "params.n_discs"),
        ("kleingordon", "kleingordon/phi4_kink", "params.points"),
        ("peccary", "peccary/noises", "params.samples"),
        ("lastmile", "lastmile/baseline", "params.synthetic"),
    ],
)
def test_estimates_grow_with_size_and_name_it(system, scenario, parameter):
    params = load_scenario(scenario).params
    small = resources.estimate_memory(type_of(system), params)
    key = parameter.removeprefix("params.")
    value = getattr(params, key)
    if key == "synthetic":
        bigger = params.model_copy(
            update={key: value.model_copy(update={"routes_per_city": 10**6})}
        )
    else:
        bigger = params.model_copy(update={key: value * 100_000})
    large = resources.estimate_memory(type_of(system), bigger)
    assert large.bytes > 100 * small.bytes and large.parameter == parameter


def type_of(system):
    from sims.core.registry import systems

    return systems()[system].model


def test_validate_prints_the_estimate(capsys):
    code, out, err = run_cli("validate", "coffee/interacting", capsys=capsys)
    assert code == 0 and err == ""
    assert re.fullmatch(r".*interacting.yaml: ok \(coffee, 1 run, ~1[0-9]{2} MB per run\)\n", out)


def test_scenario_error_values_are_bounded():
    error = ScenarioError("f.yaml", "key", "bad", list(range(10**6)))
    assert len(str(error)) < 150
    error = ScenarioError("f.yaml", "key", "bad", 10**10000)
    assert "33220-bit integer" in str(error)


def test_no_file_is_read_through_a_planted_scenario_fifo(tmp_path, capsys):
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    code, _, err = run_cli("validate", fifo, capsys=capsys)  # not a regular file: not opened
    assert code == 2 and "no such file or shipped scenario" in err
