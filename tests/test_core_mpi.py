"""MPI: runs handed out over 2 ranks (rank 0 works too) or 3 (rank 0 only dispatches) are
bitwise identical to the serial run."""

import json

import pytest

from tests.conftest import assert_same_run, run_subprocess


@pytest.mark.parametrize("ranks", [2, 3])
def test_several_ranks_give_the_serial_files(write_scenario, tmp_path, ranks):
    changes = {"members": 3, "sweep": {"params.grain_size": [3, 5]}}
    serial = write_scenario("serial.yaml", output={"dir": str(tmp_path / "serial")}, **changes)
    parallel = write_scenario(
        "parallel.yaml", output={"dir": str(tmp_path / "parallel")}, **changes
    )
    result = run_subprocess("batch", serial, "--quiet")
    assert result.returncode == 0, result.stderr
    result = run_subprocess("batch", parallel, "--quiet", mpi_ranks=ranks, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "6/6 runs written" in result.stdout
    manifest = json.loads((tmp_path / "parallel" / "small_manifest.json").read_text())
    workers = {0, 1} if ranks == 2 else {1, 2}  # with more than 2 ranks rank 0 only dispatches
    assert manifest["ranks"] == ranks and {run["rank"] for run in manifest["runs"]} == workers
    for point in range(2):
        for member in range(3):
            name = f"small_p{point:03d}_m{member:03d}.nc"
            assert_same_run(tmp_path / "serial" / name, tmp_path / "parallel" / name)


def test_bad_input_under_mpiexec_is_reported_once(write_scenario, tmp_path):
    path = write_scenario(params={"grid_size": 7})
    result = run_subprocess("batch", path, mpi_ranks=2, timeout=120)
    assert result.returncode == 2
    assert result.stderr.count("params.grid_size: must be even") == 1
    assert not (tmp_path / "out").exists()
