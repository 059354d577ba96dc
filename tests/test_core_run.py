"""Round trip YAML -> run -> NetCDF, reproducibility, checkpoints and resume, batches, merge."""

import errno
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import xarray as xr
import yaml

from analysis.units import unit_name
from sims.core import output
from sims.core.output import merge_runs
from tests.conftest import assert_same_run, assert_units_everywhere, run_cli, run_subprocess


def test_round_trip_attributes_and_units(write_scenario, tmp_path, capsys):
    path = write_scenario()
    code, out, _ = run_cli("run", path, "--quiet", capsys=capsys)
    output = tmp_path / "out" / "small_m000.nc"
    assert code == 0 and out.startswith(f"{output}: interacting n=16")
    with xr.open_dataset(output) as dataset:
        attrs = dataset.attrs
        assert attrs["Conventions"] == "CF-1.10, ACDD-1.3"
        for key in ("title", "summary", "history", "date_created", "source"):
            assert attrs[key]
        assert attrs["system"] == "coffee" and attrs["root_seed"] == 7 and attrs["member"] == 0
        assert yaml.safe_load(attrs["scenario"])["params"]["grid_size"] == 16
        assert_units_everywhere(dataset)
        assert dataset.entropy_estimate.encoding["zlib"] is True
    manifest = json.loads((tmp_path / "out" / "small_manifest.json").read_text())
    assert [run["status"] for run in manifest["runs"]] == ["done"]
    assert not list((tmp_path / "out").glob("*.part")) and not list(
        (tmp_path / "out").glob("*.ckpt")
    )


def test_same_seed_identical_other_seed_different(write_scenario, tmp_path, capsys):
    first = write_scenario("a.yaml", output={"dir": str(tmp_path / "a")})
    second = write_scenario("b.yaml", output={"dir": str(tmp_path / "b")})
    third = write_scenario("c.yaml", output={"dir": str(tmp_path / "c")}, seed=8)
    for path in (first, second, third):
        assert run_cli("run", path, "--quiet", capsys=capsys)[0] == 0
    assert_same_run(tmp_path / "a" / "small_m000.nc", tmp_path / "b" / "small_m000.nc")
    with (
        xr.open_dataset(tmp_path / "a" / "small_m000.nc") as a,
        xr.open_dataset(tmp_path / "c" / "small_m000.nc") as c,
    ):
        assert not np.array_equal(a.cream.values, c.cream.values)


def test_embedded_scenario_reproduces_the_file(write_scenario, tmp_path, capsys):
    path = write_scenario(sweep={"params.grain_size": [3, 5]}, members=2)
    assert run_cli("run", path, "--quiet", capsys=capsys)[0] == 0
    original = tmp_path / "out" / "small_p001_m001.nc"
    with xr.open_dataset(original) as dataset:
        embedded = dataset.attrs["scenario"]
        assert dataset.attrs["sweep.params.grain_size"] == 5 and dataset.grain_size == 5
    replay = tmp_path / "replay.yaml"
    replay.write_text(embedded)
    assert run_cli("run", replay, "--quiet", "--out", tmp_path / "replay", capsys=capsys)[0] == 0
    assert_same_run(original, tmp_path / "replay" / "small_p001_m001.nc")


def test_resume_after_sigkill_gives_the_uninterrupted_file(write_scenario, tmp_path):
    params = {"grid_size": 64, "duration": 12000, "n_records": 30, "grain_size": 7}
    path = write_scenario(params=params, output={"checkpoint_interval": 0})
    reference = write_scenario(
        "reference.yaml", params=params, output={"dir": str(tmp_path / "reference")}
    )
    assert run_subprocess("run", reference, "--quiet").returncode == 0

    checkpoint = tmp_path / "out" / "small_m000.nc.ckpt"
    process = subprocess.Popen([sys.executable, "-m", "sims", "run", str(path), "--quiet"])
    deadline = time.monotonic() + 120
    while not checkpoint.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    time.sleep(0.3)  # let it run past the first checkpoint
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert checkpoint.exists(), "the run finished or never checkpointed; make it longer"
    assert not (tmp_path / "out" / "small_m000.nc").exists()

    result = run_subprocess("run", path, "--resume")
    assert result.returncode == 0, result.stderr
    assert "resuming from step" in result.stderr
    assert not checkpoint.exists()
    assert_same_run(tmp_path / "out" / "small_m000.nc", tmp_path / "reference" / "small_m000.nc")


def test_failing_run_is_isolated_and_resume_redoes_only_it(
    write_scenario, tmp_path, capsys, monkeypatch
):
    path = write_scenario(members=3)
    out = tmp_path / "out"
    write = output.write_netcdf

    def failing_for_member_1(dataset, target, *arguments):
        if target.name == "small_m001.nc":
            raise OSError(errno.ENOSPC, "No space left on device")
        write(dataset, target, *arguments)

    monkeypatch.setattr(output, "write_netcdf", failing_for_member_1)
    code, _, err = run_cli("run", path, "--quiet", capsys=capsys)
    assert code == 1
    manifest = json.loads((out / "small_manifest.json").read_text())
    assert [run["status"] for run in manifest["runs"]] == ["done", "failed", "done"]
    assert "small_m001.nc" in manifest["runs"][1]["file"] and manifest["runs"][1]["error"]
    assert not (out / "small_m001.nc").exists()
    finished = {m: (out / f"small_m00{m}.nc").stat().st_mtime_ns for m in (0, 2)}

    assert not [p for p in out.iterdir() if p.name.startswith(".small_m001")]  # nothing left
    monkeypatch.setattr(output, "write_netcdf", write)
    assert run_cli("run", path, "--quiet", "--resume", capsys=capsys)[0] == 0
    assert (out / "small_m001.nc").exists()
    assert {m: (out / f"small_m00{m}.nc").stat().st_mtime_ns for m in (0, 2)} == finished
    manifest = json.loads((out / "small_manifest.json").read_text())
    assert [run["status"] for run in manifest["runs"]] == ["done"] * 3


def test_merge_builds_member_and_sweep_dimensions(write_scenario, tmp_path, capsys):
    path = write_scenario(
        members=2,
        sweep={"params.grid_size": [8, 12]},
        params={"grain_size": 3, "store_snapshots": False},
    )
    assert run_cli("run", path, "--quiet", capsys=capsys)[0] == 0
    code, out, _ = run_cli("merge", tmp_path / "out", capsys=capsys)
    assert code == 0 and "small_merged.nc: 4 runs" in out
    with xr.open_dataset(tmp_path / "out" / "small_merged.nc") as merged:
        assert merged.sizes["member"] == 2 and merged.grid_size.values.tolist() == [8, 12]
        assert merged.grid_size.attrs["units"] == "1"  # grid cells: named in the long name
        assert unit_name(merged.grid_size.attrs) == "cell"
        one = xr.load_dataset(tmp_path / "out" / "small_p001_m001.nc")
        picked = merged.coarse_entropy.sel(member=1, grid_size=12).dropna("time")
        np.testing.assert_array_equal(picked.values, one.coarse_entropy.values)
        steps = merged.step.sel(member=1, grid_size=12).dropna("time")
        np.testing.assert_array_equal(steps.values, one.step.values)
    direct = merge_runs(sorted((tmp_path / "out").glob("small_p*_m*.nc")))
    assert direct.sizes["member"] == 2 and "step" in direct.coords


def test_merge_of_a_grain_size_sweep(write_scenario, tmp_path, capsys):
    path = write_scenario(
        sweep={"params.grain_size": [3, 5]},
        params={"grid_size": 12, "store_snapshots": False},
    )
    assert run_cli("run", path, "--quiet", capsys=capsys)[0] == 0
    code, out, err = run_cli("merge", tmp_path / "out", capsys=capsys)
    assert code == 0, err
    with xr.open_dataset(tmp_path / "out" / "small_merged.nc") as merged:
        assert merged.grain_size.values.tolist() == [3, 5]
        assert merged.coarse_entropy.attrs["long_name"].startswith("exact Boltzmann entropy")


def test_analyze_and_plot_commands(write_scenario, tmp_path, capsys):
    path = write_scenario()
    assert run_cli("run", path, "--quiet", capsys=capsys)[0] == 0
    output = tmp_path / "out" / "small_m000.nc"
    assert run_cli("analyze", output, capsys=capsys)[0] == 0
    with xr.open_dataset(tmp_path / "out" / "small_m000_analysis.nc") as analysis:
        assert analysis.attrs["Conventions"] == "CF-1.10, ACDD-1.3"
        assert unit_name(analysis.complexity_peak_time.attrs) == "sweep"
    assert run_cli("plot", output, capsys=capsys)[0] == 0
    assert (tmp_path / "out" / "small_m000.png").stat().st_size > 10_000
    code, _, err = run_cli("plot", tmp_path / "missing.nc", capsys=capsys)
    assert code == 2 and err.count("\n") == 1


def test_list_shows_systems_and_scenarios(capsys):
    code, out, _ = run_cli("list", capsys=capsys)
    assert code == 0 and "coffee" in out and "coffee/interacting" in out
    assert "sweeps/coffee_size_scaling" in out


def test_analyze_a_merged_ensemble_a_member_at_a_time(write_scenario, tmp_path, capsys):
    path = write_scenario(members=3)
    assert run_cli("run", path, "--quiet", capsys=capsys)[0] == 0
    assert run_cli("merge", tmp_path / "out", capsys=capsys)[0] == 0
    merged = tmp_path / "out" / "small_merged.nc"
    assert run_cli("analyze", merged, capsys=capsys)[0] == 0
    from sims.coffee.diagnostics import peak_statistics

    expected = peak_statistics(xr.load_dataset(merged))
    with xr.open_dataset(tmp_path / "out" / "small_merged_analysis.nc") as analysis:
        assert analysis.sizes["member"] == 3
        for name in expected.data_vars:
            np.testing.assert_array_equal(analysis[name].values, expected[name].values)
