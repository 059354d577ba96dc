"""Scenario validation: every bad input gives one line naming file and key, exit code 2, no file."""

import contextlib
import io

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from sims.cli import main
from sims.core.scenario import ParamError, check_multiple, load_scenario, shipped_scenarios
from tests.conftest import SMALL_COFFEE, run_cli, run_subprocess

BAD_SCENARIOS = [
    # (description, YAML text or changes, expected "key: problem" fragment)
    ("malformed YAML", "system: coffee\nname: [unclosed\n", "line 3: invalid YAML"),
    ("not a mapping", "- system\n- coffee\n", "top level: must be a mapping of keys (got 'list')"),
    ("unknown system", {"system": "cofee"}, "system: unknown system (known: coffee, "),
    ("misspelled key", {"seeed": 3}, "seeed: unknown key (did you mean 'seed'?)"),
    (
        "misspelled param",
        {"params": {"grid_sise": 8}},
        "params.grid_sise: unknown key (did you mean 'grid_size'?)",
    ),
    (
        "misspelled output key",
        {"output": {"dri": "x"}},
        "output.dri: unknown key (did you mean 'dir'?)",
    ),
    (
        "wrong type",
        {"params": {"grid_size": "big"}},
        "params.grid_size: input should be a valid integer",
    ),
    (
        "out of range",
        {"params": {"grid_size": -5}},
        "params.grid_size: input should be greater than or equal to 4 (got -5)",
    ),
    ("odd grid", {"params": {"grid_size": 17}}, "params.grid_size: must be even"),
    ("bad choice", {"params": {"model": "stirred"}}, "params.model: input should be 'interacting'"),
    (
        "grain too large",
        {"params": {"grain_size": 33}},
        "params.grain_size: must be odd and at most",
    ),
    ("zero members", {"members": 0}, "members: input should be greater than or equal to 1 (got 0)"),
    ("negative seed", {"seed": -1}, "seed: input should be greater than or equal to 0 (got -1)"),
    ("missing seed", {"seed": None}, "seed: input should be a valid integer (got None)"),
    (
        "sweep of a missing parameter",
        {"sweep": {"params.nope": [1, 2]}},
        "sweep.params.nope[0]: unknown key",
    ),
    (
        "sweep of a bad value",
        {"sweep": {"params.grid_size": [8, 9]}},
        "sweep.params.grid_size[1]: must be even",
    ),
    (
        "sweep outside params",
        {"sweep": {"seed": [1, 2]}},
        "sweep.seed: sweep keys must be params.<name>",
    ),
    (
        "empty sweep",
        {"sweep": {"params.grid_size": []}},
        "sweep.params.grid_size: needs at least one",
    ),
]


@pytest.mark.parametrize(
    ("description", "content", "expected"), BAD_SCENARIOS, ids=[case[0] for case in BAD_SCENARIOS]
)
def test_bad_scenario_gives_one_line_and_exit_2(
    description, content, expected, write_scenario, tmp_path, capsys
):
    if isinstance(content, str):
        path = write_scenario(text=content)
    else:
        document = {**SMALL_COFFEE, **{k: v for k, v in content.items() if k != "params"}}
        document["params"] = {**SMALL_COFFEE["params"], **content.get("params", {})}
        document["output"] = {
            **SMALL_COFFEE["output"],
            "dir": str(tmp_path / "out"),
            **content.get("output", {}),
        }
        path = tmp_path / "scenario.yaml"
        path.write_text(yaml.safe_dump(document))
    for command in ("validate", "run"):
        code, out, err = run_cli(command, path, capsys=capsys)
        assert code == 2
        assert err.count("\n") == 1 and err.startswith(f"{path}: "), err
        assert expected in err, err
    assert not (tmp_path / "out").exists()


def test_bad_override(write_scenario, capsys):
    path = write_scenario()
    code, _, err = run_cli("run", path, "--set", "params.grid_size", capsys=capsys)
    assert code == 2 and "--set: expected key.path=value (got 'params.grid_size')" in err
    code, _, err = run_cli("run", path, "--set", "params.grid_size=15", capsys=capsys)
    assert code == 2 and "params.grid_size: must be even" in err and err.endswith("(got 15)\n")


def test_missing_scenario_suggests_a_shipped_one(capsys):
    code, _, err = run_cli("run", "coffee/interactin", capsys=capsys)
    assert code == 2
    assert err == (
        "coffee/interactin: scenario: no such file or shipped scenario "
        "(did you mean 'coffee/interacting'?)\n"
    )


def test_unwritable_output_dir(write_scenario, tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    path = write_scenario(output={"dir": str(blocker / "sub")})
    code, _, err = run_cli("run", path, capsys=capsys)
    assert code == 2 and f"{path}: output.dir: not writable" in err and err.count("\n") == 1


def test_existing_output_needs_overwrite(write_scenario, tmp_path, capsys):
    path = write_scenario()
    assert run_cli("run", path, "--quiet", capsys=capsys)[0] == 0
    before = (tmp_path / "out" / "small_m000.nc").stat().st_mtime_ns
    code, _, err = run_cli("run", path, "--quiet", capsys=capsys)
    assert code == 2 and "output.dir:" in err and "exists (use --overwrite" in err
    assert (tmp_path / "out" / "small_m000.nc").stat().st_mtime_ns == before
    assert run_cli("run", path, "--quiet", "--overwrite", capsys=capsys)[0] == 0


def test_console_script_prints_no_traceback(write_scenario):
    path = write_scenario(params={"grid_size": 17})
    result = run_subprocess("run", path, timeout=120)
    assert result.returncode == 2
    assert result.stderr == (
        f"{path}: params.grid_size: must be even (cream fills exactly the top half) (got 17)\n"
    )
    assert result.stdout == ""


def test_every_shipped_scenario_validates():
    shipped = shipped_scenarios()
    assert {"coffee/interacting", "coffee/non_interacting", "sweeps/coffee_size_scaling"} <= set(
        shipped
    )
    for name in shipped:
        load_scenario(name)


def test_overrides_use_the_same_validation():
    scenario = load_scenario(
        "coffee/interacting",
        ["params.grid_size=40", "members=3", "sweep={params.grain_size: [3, 5]}"],
    )
    assert scenario.params.grid_size == 40 and scenario.spec.members == 3
    assert [p.params.grain_size for p in scenario.points] == [3, 5]
    scenario = load_scenario("sweeps/coffee_size_scaling", ["sweep.params.grid_size=[8, 12]"])
    assert [p.params.grid_size for p in scenario.points] == [8, 12]


# Property: random mutations of a valid scenario either validate or fail with exit 2 and one line.
leaf_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.lists(st.integers(-5, 50), max_size=3),
)
keys = st.sampled_from(
    [
        "system",
        "name",
        "seed",
        "members",
        "output",
        "params",
        "sweep",
        "description",
        "params.grid_size",
        "params.model",
        "params.grain_size",
        "params.n_records",
        "params.boundary",
        "params.compressors",
        "output.dir",
        "output.complevel",
        "bogus",
        "params.bogus",
    ]
)
mutations = st.lists(st.tuples(st.sampled_from(["set", "delete"]), keys, leaf_values), max_size=4)


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(mutations)
def test_mutated_scenarios_validate_or_fail_cleanly(tmp_path, mutation_list):
    document = yaml.safe_load(yaml.safe_dump(SMALL_COFFEE))
    for action, key, value in mutation_list:
        parent, _, leaf = key.rpartition(".")
        target = document.get(parent) if parent else document
        if not isinstance(target, dict):
            continue
        if action == "delete":
            target.pop(leaf, None)
        else:
            target[leaf] = value
    path = tmp_path / "mutated.yaml"
    path.write_text(yaml.safe_dump(document))
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        code = main(["validate", str(path)])
    if code != 0:
        assert code == 2
        message = stderr.getvalue()
        assert message.count("\n") == 1 and message.startswith(f"{path}: ")


@pytest.mark.parametrize(
    "value,positive,ok",
    [(0.3, False, True), (3.0, True, True), (0.25, False, False), (0.0, False, True),
     (0.0, True, False), (0.05, True, False)],
)  # fmt: skip
def test_check_multiple_allows_decimal_rounding_only(value, positive, ok):
    """0.3 / 0.1 = 2.9999999999999996 is a multiple; 0.25 / 0.1 is not; 0 is one unless positive."""

    class Times(BaseModel):
        value: float
        unit: float = 0.1

    if ok:
        check_multiple(Times(value=value), "value", "unit", positive=positive)
    else:
        with pytest.raises(ParamError, match="must be a multiple of unit=0.1"):
            check_multiple(Times(value=value), "value", "unit", positive=positive)
