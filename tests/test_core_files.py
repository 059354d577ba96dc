"""Files in a shared output directory: planted links, concurrent batches, stale or foreign
outputs, a full disk, and untrusted NetCDF given to analyze, plot and merge."""

import errno
import json
import socket
import subprocess
import sys
import time

import netCDF4
import numpy as np
import pytest
import xarray as xr
import yaml

from sims.cli import main
from sims.core import checkpoint, output
from sims.core.files import scenario_lock
from tests.conftest import assert_same_run, run_cli, run_subprocess


def _run_small(write_scenario, capsys, *options, **changes):
    path = write_scenario(**changes)
    return path, run_cli("run", path, "--quiet", *options, capsys=capsys)


def test_planted_links_are_never_written_through(write_scenario, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim"
    victim.write_text("precious")
    planted = [
        out / "small_m000.nc.part",
        out / "small_manifest.json.part",
        out / "small_m000.nc.ckpt.part",
        out / ".small_m000.nc.part",
    ]
    for link in planted:
        link.symlink_to(victim)
    path, (code, _, _) = _run_small(write_scenario, capsys, output={"checkpoint_interval": 0})
    assert code == 0 and victim.read_text() == "precious"
    assert all(link.is_symlink() for link in planted)  # not ours: left alone
    assert (
        not (out / "small_m000.nc").is_symlink() and not (out / "small_manifest.json").is_symlink()
    )
    (out / "small_m000.nc").unlink()
    (out / "small_m000.nc").symlink_to(victim)  # a link at the final name is replaced, not followed
    assert run_cli("run", path, "--quiet", "--overwrite", capsys=capsys)[0] == 0
    assert victim.read_text() == "precious" and not (out / "small_m000.nc").is_symlink()


def test_a_planted_lock_link_is_refused(write_scenario, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".small.lock").symlink_to(tmp_path / "victim")
    path, (code, _, err) = _run_small(write_scenario, capsys)
    assert code == 2 and err.count("\n") == 1 and "output.dir: cannot lock" in err
    assert not (tmp_path / "victim").exists()


def test_a_second_batch_on_the_same_directory_is_refused(write_scenario, tmp_path):
    """Two runs of one scenario name in one directory, 0.3 s apart with different seeds."""
    slow = {"grid_size": 64, "duration": 100_000, "n_records": 20, "grain_size": 5}
    first = write_scenario("first.yaml", params=slow, seed=1)
    second = write_scenario("second.yaml", params=slow, seed=2)
    process = subprocess.Popen(
        [sys.executable, "-m", "sims", "run", str(first), "--quiet"],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lock = tmp_path / "out" / ".small.lock"
    deadline = time.monotonic() + 60
    while (not lock.exists() or not lock.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    refused = run_subprocess("run", second, "--quiet")
    assert process.wait(timeout=300) == 0, process.stderr.read()
    assert refused.returncode == 2, refused.stderr
    expected = (
        f"{lock}: locked by another entrosim run (pid {process.pid}, host {socket.gethostname()})\n"
    )
    assert refused.stderr == expected
    with xr.open_dataset(tmp_path / "out" / "small_m000.nc") as dataset:
        assert dataset.attrs["root_seed"] == 1  # the first run's file, not replaced


def test_a_stale_lock_is_taken_over(write_scenario, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".small.lock").write_text("pid 999999, host gone")  # its holder was killed
    path, (code, _, err) = _run_small(write_scenario, capsys)
    assert code == 0 and "taking over a stale lock (pid 999999, host gone" in err
    with scenario_lock(out, "small"):  # released (and emptied) when the run ended
        assert (out / ".small.lock").read_text().startswith("pid ")


def test_resume_redoes_foreign_garbage_and_linked_outputs(write_scenario, tmp_path, capsys):
    path = write_scenario(members=4)
    reference = write_scenario("reference.yaml", members=4, output={"dir": str(tmp_path / "ref")})
    assert run_cli("run", reference, "--quiet", capsys=capsys)[0] == 0
    other_seed = write_scenario("other.yaml", members=4, seed=99)
    assert run_cli("run", other_seed, "--quiet", capsys=capsys)[0] == 0  # m000..m003, seed 99
    out = tmp_path / "out"
    (out / "small_m001.nc").write_bytes(b"garbage, not NetCDF")
    (out / "small_m002.nc").unlink()
    (out / "small_m002.nc").symlink_to(tmp_path / "ref" / "small_m002.nc")
    (out / "small_m003.nc").unlink()
    (tmp_path / "ref" / "small_m003.nc").rename(out / "small_m003.nc")  # this run's own file
    kept = (out / "small_m003.nc").stat().st_mtime_ns
    code, _, err = run_cli("batch", path, "--resume", "--quiet", capsys=capsys)
    assert code == 0
    assert (
        "small_m000.nc: written by another run (its run_fingerprint differs); running it again"
        in err
    )
    assert "small_m001.nc: cannot be read as NetCDF" in err
    assert "small_m002.nc: not a regular file; running it again" in err
    assert (out / "small_m003.nc").stat().st_mtime_ns == kept
    manifest = json.loads((out / "small_manifest.json").read_text())
    assert [run["status"] for run in manifest["runs"]] == ["done"] * 4
    assert manifest["runs"][3]["note"] == "existing file kept"
    assert_same_run(out / "small_m000.nc", tmp_path / "ref" / "small_m000.nc")
    assert not (out / "small_m002.nc").is_symlink()


def test_a_full_disk_while_checkpointing_fails_the_run_and_leaves_nothing(
    write_scenario, tmp_path, capsys, monkeypatch
):
    write = checkpoint.write_checkpoint

    def full_disk(handle, *arguments):
        handle.write(b"x" * 4096)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(checkpoint, "write_checkpoint", full_disk)
    import sims.core.simulation as simulation

    monkeypatch.setattr(simulation, "write_checkpoint", full_disk)
    path, (code, _, err) = _run_small(write_scenario, capsys, output={"checkpoint_interval": 0})
    out = tmp_path / "out"
    assert code == 1 and "No space left on device" in err and "Traceback" not in err
    manifest = json.loads((out / "small_manifest.json").read_text())
    assert manifest["runs"][0]["status"] == "failed"
    assert "No space left on device" in manifest["runs"][0]["error"]
    names = sorted(p.name for p in out.iterdir())
    assert names == [".small.lock", "small_manifest.json", "small_manifest.jsonl"]
    monkeypatch.setattr(simulation, "write_checkpoint", write)
    assert run_cli("run", path, "--quiet", "--resume", capsys=capsys)[0] == 0


def test_a_manifest_that_cannot_be_written_is_one_line(
    write_scenario, tmp_path, capsys, monkeypatch
):
    from sims.core import batch

    def full_disk(*arguments):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(batch, "_write_manifest", full_disk)
    path, (code, _, err) = _run_small(write_scenario, capsys)
    assert code == 1 and "cannot write the manifest: No space left on device" in err
    assert "Traceback" not in err


def test_an_unstable_run_stops_with_the_time_and_the_variable(write_scenario, tmp_path, capsys):
    """φ⁴ kicked far outside the range its Δt was checked for blows up within a few steps."""
    path = tmp_path / "unstable.yaml"
    path.write_text(yaml.safe_dump({
        "system": "kleingordon", "name": "small", "seed": 1,
        "output": {"dir": str(tmp_path / "out")},
        "params": {"points": 128, "length": 40.0, "time_step": 0.2, "duration": 20.0,
                   "record_interval": 0.2, "noise_amplitude": 100.0},
    }))  # fmt: skip
    code, _, err = run_cli("run", path, "--quiet", capsys=capsys)
    out = tmp_path / "out"
    assert code == 1 and "Warning" not in err
    manifest = json.loads((out / "small_manifest.json").read_text())
    error = manifest["runs"][0]["error"]
    assert error.startswith("NonFiniteValue: non-finite energy at t = ")
    assert "the run is unstable" in error
    assert not (out / "small_m000.nc").exists()


def _netcdf(path, system="coffee", time=None, variables=("x",)):
    with netCDF4.Dataset(path, "w") as dataset:
        dataset.system = system
        if time is not None:
            dataset.createDimension("time", time)
            for name in variables:
                dataset.createVariable(name, "f8", ("time",))
    return path


HOSTILE_FILES = [
    ("analyze", "coffee", 5, "analyze: not a complete coffee output"),
    ("analyze", "coffee", None, "analyze: not a complete coffee output"),
    ("analyze", "coffee", 0, "analyze: not a complete coffee output"),
    ("plot", "harddisc", 0, "plot: not a complete harddisc output"),
    ("plot", "couzin", None, "plot: not a complete couzin output"),
    ("analyze", "kleingordon", 3, "analyze: not a complete kleingordon output"),
    ("analyze", "peccary", 3, "analyze: not a complete peccary output"),
    ("plot", "lastmile", 3, "plot: not a complete lastmile output"),
    ("analyze", "", 0, "analyze: cannot read as NetCDF"),
]


@pytest.mark.parametrize(("command", "system", "time", "problem"), HOSTILE_FILES)
def test_incomplete_files_get_one_line(command, system, time, problem, tmp_path, capsys):
    path = _netcdf(tmp_path / "run.nc", system, time)
    code, out, err = run_cli(command, path, capsys=capsys)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert err.startswith(f"{path}: {problem}") and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.nc"]


def test_garbage_links_and_huge_declared_sizes_are_refused(tmp_path, capsys):
    garbage = tmp_path / "garbage.nc"
    garbage.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\x00" * 100)
    link = tmp_path / "link.nc"
    link.symlink_to(garbage)
    huge = tmp_path / "huge.nc"
    with netCDF4.Dataset(huge, "w") as dataset:  # 8 TB declared, nothing written
        dataset.createDimension("time", 10**12)
        dataset.createVariable("x", "f8", ("time",), chunksizes=(10**6,))
    for path, problem in (
        (garbage, "read: cannot read as NetCDF"),
        (link, "not a regular file (links are not followed)"),
        (huge, "read: needs ~8 TB in memory"),
        (tmp_path / "missing.nc", "no such file"),
    ):
        for command in ("analyze", "plot"):
            code, _, err = run_cli(command, path, capsys=capsys)
            assert code == 2 and err.count("\n") == 1 and err.startswith(f"{path}: {problem}")


def test_read_only_destinations_get_one_line(write_scenario, tmp_path, capsys, monkeypatch):
    path, (code, _, _) = _run_small(write_scenario, capsys)
    result = tmp_path / "out" / "small_m000.nc"
    code, _, err = run_cli("plot", result, "--output", "/proc/entrosim.png", capsys=capsys)
    assert code == 2 and err.startswith("/proc: plot: not writable") and err.count("\n") == 1
    import sims.cli

    def read_only(*arguments, **options):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(sims.cli.tempfile, "TemporaryFile", read_only)
    for command in (["analyze", result], ["merge", tmp_path / "out"]):
        code, _, err = run_cli(*command, capsys=capsys)
        assert code == 2 and "not writable (Permission denied)" in err and err.count("\n") == 1


def test_merge_of_incomplete_files_is_one_line(tmp_path, capsys):
    _netcdf(tmp_path / "run_m000.nc", "coffee", 3)
    code, _, err = run_cli("merge", tmp_path, capsys=capsys)
    assert code == 2 and err.startswith(f"{tmp_path}: merge: ") and err.count("\n") == 1


def test_console_errors_stay_one_line_under_the_real_entry_point(tmp_path):
    path = _netcdf(tmp_path / "run.nc", "coffee", 0)
    result = run_subprocess("analyze", path, timeout=120)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert main(["plot", str(tmp_path / "nothing.nc")]) == 2


def test_merged_nan_is_documented(write_scenario, tmp_path, capsys):
    """Runs of different sizes are aligned by outer join: the NaN that fills them is labelled."""
    path, (code, _, _) = _run_small(
        write_scenario, capsys, sweep={"params.grid_size": [8, 12]}, members=1
    )
    assert run_cli("merge", tmp_path / "out", capsys=capsys)[0] == 0
    with xr.open_dataset(tmp_path / "out" / "small_merged.nc") as merged:
        assert merged.cream.attrs[output.NAN_MEANING].startswith("absent")
        assert np.isnan(merged.cream.sel(grid_size=8).values).any()


def test_merge_labels_exactly_the_variables_the_outer_join_fills(write_scenario, tmp_path, capsys):
    """Found from shapes without reading data, the labels match the NaN actually there: sizes
    differ along the sweep, and one run is missing."""
    _run_small(write_scenario, capsys, sweep={"params.grid_size": [8, 12]}, members=2)
    (tmp_path / "out" / "small_p001_m001.nc").unlink()
    merged = output.merge_runs(sorted((tmp_path / "out").glob("small_p*_m*.nc"))).load()
    labelled = {
        name for name, variable in merged.variables.items()
        if variable.attrs.get(output.NAN_MEANING, "").startswith("absent")
    }  # fmt: skip
    holding_nan = {
        name for name, variable in merged.variables.items()
        if variable.dtype.kind == "f" and np.isnan(variable.values).any()
    }  # fmt: skip
    assert labelled == holding_nan and {"cream", "coarse_entropy", "step"} <= labelled


def test_a_diverging_series_stops_its_run(tmp_path, capsys):
    """The Hénon map at a = 3 leaves its attractor and overflows within a few iterations."""
    path = tmp_path / "diverging.yaml"
    path.write_text(yaml.safe_dump({
        "system": "peccary", "name": "henon", "seed": 1, "output": {"dir": str(tmp_path / "out")},
        "params": {"samples": 200, "series": {"map": {"kind": "henon", "a": 3.0}}},
    }))  # fmt: skip
    code, _, err = run_cli("run", path, "--quiet", capsys=capsys)
    manifest = json.loads((tmp_path / "out" / "henon_manifest.json").read_text())
    assert code == 1 and "Warning" not in err
    assert manifest["runs"][0]["error"].startswith(
        "NonFiniteValue: non-finite series 'map' at t = "
    )
    assert not (tmp_path / "out" / "henon_m000.nc").exists()


def test_a_damaged_file_whose_rerun_fails_is_not_reported_written(
    write_scenario, tmp_path, capsys, monkeypatch
):
    out = tmp_path / "out"
    out.mkdir()
    (out / "small_m000.nc").write_bytes(b"garbage")
    path = write_scenario()

    def full_disk(*arguments):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output, "write_netcdf", full_disk)
    for command in ("run", "batch"):
        code, stdout, err = run_cli(command, path, "--resume", capsys=capsys)
        assert code == 1 and "Traceback" not in err
        assert stdout in ("", f"0/1 runs written; manifest {out / 'small_manifest.json'}\n")
