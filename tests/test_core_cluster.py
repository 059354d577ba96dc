"""Cluster-scale batches: scheduling, the manifest log, time limits and signals, kills and dead
ranks, each followed by ``--resume`` to the files an uninterrupted batch writes."""

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from sims.cli import build_parser
from sims.core import schedule
from sims.core.manifest import ManifestLog, read_log
from tests.conftest import assert_same_run, mpiexec, run_cli, run_subprocess

MEMBERS = 3
CHANGES = {
    "members": MEMBERS,
    "output": {"checkpoint_interval": 0},
    "params": {"grid_size": 64, "n_records": 40},
}
NAMES = [f"small_m{member:03d}.nc" for member in range(MEMBERS)]


@pytest.fixture
def reference(write_scenario, tmp_path, capsys):
    """The uninterrupted batch's directory."""
    path = write_scenario("reference.yaml", **{**CHANGES, "output": {"dir": str(tmp_path / "ref")}})
    assert run_cli("batch", path, "--quiet", capsys=capsys)[0] == 0
    return tmp_path / "ref"


def assert_complete(out, reference, ranks=None):
    """Every file identical to the reference; the summary complete; no leftovers."""
    for name in NAMES:
        assert_same_run(out / name, reference / name)
    summary = json.loads((out / "small_manifest.json").read_text())
    assert summary["complete"] and summary["incomplete_runs"] == 0
    assert sorted(run["file"] for run in summary["runs"]) == NAMES
    assert {run["status"] for run in summary["runs"]} == {"done"}
    last = {entry["file"]: entry for entry in read_log(out / "small_manifest.jsonl")}
    assert sorted(last) == NAMES and {e["status"] for e in last.values()} == {"done"}
    assert all(entry["cpu_target"] and entry["host"] for entry in last.values())
    leftovers = [p.name for p in out.iterdir() if ".ckpt" in p.name or p.name.endswith(".part")]
    assert leftovers == []


def test_runs_are_handed_out_longest_first_in_a_reproducible_order():
    assert schedule.longest_first([1.0, 5.0, 5.0, 2.0, 0.0]) == [1, 2, 3, 0, 4]


def test_coffee_costs_grow_as_n4_and_order_a_size_sweep():
    from sims.coffee.model import CoffeeModel, CoffeeParams

    def cost(n):
        return CoffeeModel.cost_estimate(CoffeeParams(grid_size=n))

    assert cost(512) / cost(256) == pytest.approx(16, rel=0.05)  # moves ∝ n⁴ dominate
    assert schedule.longest_first([cost(n) for n in (16, 64, 16, 64)]) == [1, 3, 0, 2]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("3h50m", 13800), ("90m", 5400), ("3600", 3600), ("1d2h", 93600), ("45.5s", 45.5)],
)
def test_durations_read_as_a_scheduler_writes_them(text, seconds):
    assert schedule.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["3x", "", "0", "-5", "h", "inf", "nan"])
def test_a_bad_duration_is_refused(text):
    with pytest.raises(ValueError, match="duration"):
        schedule.parse_duration(text)


def test_the_log_skips_a_line_torn_by_a_kill_and_appends_after_it(tmp_path):
    path = tmp_path / "log.jsonl"
    with ManifestLog(path, fresh=True) as log:
        log.append({"file": "a", "status": "done"})
    with open(path, "ab") as handle:
        handle.write(b'{"file": "b", "sta')  # killed in the middle of a line
    with ManifestLog(path, fresh=False) as log:
        log.append({"file": "c", "status": "failed"})
    assert [entry["file"] for entry in read_log(path)] == ["a", "c"]
    with ManifestLog(path, fresh=True):
        pass
    assert read_log(path) == []


def test_a_planted_link_at_the_log_is_not_written_through(write_scenario, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim"
    victim.write_text("precious")
    (out / "small_manifest.jsonl").symlink_to(victim)
    code, _, err = run_cli("run", write_scenario(), "--quiet", capsys=capsys)
    assert code == 1 and "cannot write the manifest" in err and "Traceback" not in err
    assert victim.read_text() == "precious" and (out / "small_m000.nc").exists()


def test_a_stop_checkpoints_exits_3_and_resume_finishes(
    write_scenario, tmp_path, reference, capsys, monkeypatch
):
    """A stop requested in the middle of the first run (as a time limit or SIGTERM would)."""
    calls = {"n": 0}

    def stop_after_a_while(self):
        calls["n"] += 1
        return calls["n"] > 20

    monkeypatch.setattr(schedule.StopControl, "__call__", stop_after_a_while)
    path = write_scenario(**CHANGES)
    code, _, err = run_cli("batch", path, "--time-limit", "1h", capsys=capsys)
    out = tmp_path / "out"
    assert code == 3 and "run again with --resume" in err
    summary = json.loads((out / "small_manifest.json").read_text())
    assert not summary["complete"] and summary["incomplete_runs"] == MEMBERS
    statuses = [entry["status"] for entry in read_log(out / "small_manifest.jsonl")]
    assert statuses == ["interrupted"]  # one run started; the others were never handed out
    assert len(list(out.glob("*.ckpt"))) == 1
    monkeypatch.undo()
    assert run_cli("batch", path, "--resume", capsys=capsys)[0] == 0
    assert_complete(out, reference)


def test_a_real_time_limit_and_sigterm_under_two_ranks(write_scenario, tmp_path):
    """mpiexec -n 2: a time limit stops both ranks (exit 3); SIGTERM to the launcher does too;
    --resume then completes the batch with the serial files."""
    larger = {**CHANGES, "params": {"grid_size": 96, "n_records": 40}}
    path = write_scenario(**larger)
    reference = write_scenario("ref.yaml", **{**larger, "output": {"dir": str(tmp_path / "ref")}})
    assert run_subprocess("batch", reference, "--quiet").returncode == 0
    out = tmp_path / "out"
    result = run_subprocess("batch", path, "--time-limit", "0.5s", mpi_ranks=2, timeout=300)
    assert result.returncode == 3, result.stderr
    assert "time limit reached" in result.stderr
    entries = read_log(out / "small_manifest.jsonl")  # the limit may pass before a run starts
    assert {entry["status"] for entry in entries} <= {"interrupted", "done"}
    started = [e for e in entries if e["status"] == "interrupted" and e["note"] != "not started"]
    assert len(list(out.glob("*.ckpt"))) == len(started)  # each keeps its checkpoint
    command = [mpiexec(), "-n", "2", sys.executable, "-m", "sims", "batch", str(path), "--resume"]
    launcher = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(4.0)  # imports and kernels loaded: both ranks inside runs or done
    launcher.send_signal(signal.SIGTERM)
    _, stderr = launcher.communicate(timeout=300)
    if launcher.returncode == 3:
        assert "received SIGTERM" in stderr
    else:  # the machine was fast enough to finish first
        assert launcher.returncode == 0, stderr
    result = run_subprocess("batch", path, "--resume", "--quiet", mpi_ranks=2, timeout=300)
    assert result.returncode == 0, result.stderr
    assert_complete(out, tmp_path / "ref")


def test_kill_9_at_any_moment_then_resume_gives_the_uninterrupted_files(
    write_scenario, tmp_path, reference
):
    """Kills land in appends, checkpoints, segment and manifest writes, or between runs."""
    path = write_scenario(**CHANGES)
    command = [sys.executable, "-m", "sims", "batch", str(path), "--quiet"]
    delays = np.random.default_rng(17).uniform(1.2, 3.5, size=5)
    for attempt, delay in enumerate(delays):
        process = subprocess.Popen([*command, *(["--resume"] if attempt else [])])
        time.sleep(delay)
        process.kill()
        process.wait()
    result = run_subprocess("batch", path, "--resume", "--quiet")
    assert result.returncode == 0, result.stderr
    assert_complete(tmp_path / "out", reference)


DYING_RANK = """
import os
if os.environ.get("PMI_RANK") == "1":
    from sims.coffee.model import CoffeeModel
    observe, count = CoffeeModel.observe, [0]
    def observe_then_die(self):
        count[0] += 1
        if count[0] > 30:
            os._exit(9)
        return observe(self)
    CoffeeModel.observe = observe_then_die
"""


def test_a_dead_rank_aborts_the_job_and_resume_completes_it(write_scenario, tmp_path, reference):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(DYING_RANK)
    path = write_scenario(**CHANGES)
    command = [mpiexec(), "-n", "2", sys.executable, "-m", "sims", "batch", str(path), "--quiet"]
    environment = {**os.environ, "PYTHONPATH": f"{hook}{os.pathsep}{os.getcwd()}"}
    died = subprocess.run(command, capture_output=True, text=True, timeout=300, env=environment)
    assert died.returncode not in (0, 3)
    out = tmp_path / "out"
    assert not (out / "small_manifest.json").exists()  # the job died before its summary
    result = run_subprocess("batch", path, "--resume", "--quiet", mpi_ranks=2, timeout=300)
    assert result.returncode == 0, result.stderr
    assert_complete(out, reference)


@pytest.mark.parametrize("script", ["entrosim.sbatch", "entrosim.pbs"])
def test_the_job_scripts_are_valid_and_use_options_that_exist(script):
    path = Path(__file__).parents[1] / "examples" / "slurm" / script
    assert subprocess.run(["bash", "-n", str(path)]).returncode == 0
    lines = [line for line in path.read_text().splitlines() if "python -m sims batch" in line]
    assert len(lines) == 1
    words = shlex.split(lines[0].split("python -m sims ", 1)[1].replace('${out:+--out "$out"}', ""))
    arguments = build_parser().parse_args(words)
    assert arguments.resume and arguments.time_limit == 3 * 3600 + 50 * 60
    assert "exit 3" in path.read_text() or '"$code" -eq 3' in path.read_text()
