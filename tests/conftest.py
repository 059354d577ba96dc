"""Shared helpers: small scenarios written to a temporary folder, CLI runs, dataset comparison."""

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml

from sims.cli import main
from sims.core.output import strip_volatile
from sims.core.scenario import ScenarioError, load_scenario

SMALL_COFFEE = {
    "system": "coffee",
    "name": "small",
    "seed": 7,
    "members": 1,
    "output": {"dir": "out", "checkpoint_interval": None},
    "params": {"model": "interacting", "grid_size": 16, "n_records": 12, "grain_size": 3},
}


@pytest.fixture
def write_scenario(tmp_path):
    """Write a scenario (SMALL_COFFEE updated with ``changes``) and return its path."""

    def write(name="scenario.yaml", text=None, **changes):
        document = {
            **SMALL_COFFEE,
            "output": {**SMALL_COFFEE["output"], "dir": str(tmp_path / "out")},
        }
        for key, value in changes.items():
            document[key] = {**document.get(key, {}), **value} if isinstance(value, dict) else value
        path = tmp_path / name
        path.write_text(text if text is not None else yaml.safe_dump(document))
        return path

    return write


def run_cli(*arguments, capsys=None):
    """Run ``entrosim ARGUMENTS`` in this process; return (exit code, stdout, stderr)."""
    code = main([str(a) for a in arguments])
    out = capsys.readouterr() if capsys else None
    return code, out.out if out else "", out.err if out else ""


def run_subprocess(*arguments, timeout=300, mpi_ranks=None):
    """Run the real console entry point (optionally under mpiexec) as a subprocess."""
    command = [sys.executable, "-m", "sims", *map(str, arguments)]
    if mpi_ranks:
        command = [mpiexec(), "-n", str(mpi_ranks), *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def mpiexec():
    """The launcher installed with this Python (the mpich wheel), else the one on PATH."""
    beside = Path(sysconfig.get_path("scripts")) / "mpiexec"
    return str(beside) if beside.exists() else shutil.which("mpiexec") or "mpiexec"


def assert_same_run(first: Path, second: Path):
    """Two output files hold identical data and attributes, timestamps and output section aside."""

    def comparable(attributes):
        scenario = yaml.safe_load(attributes["scenario"])
        scenario.pop("output")
        return {**strip_volatile(attributes), "scenario": scenario}

    with xr.open_dataset(first) as a, xr.open_dataset(second) as b:
        a.load(), b.load()
        assert comparable(a.attrs) == comparable(b.attrs)
        a.attrs, b.attrs = {}, {}
        xr.testing.assert_identical(a, b)


def assert_units_everywhere(dataset: xr.Dataset):
    """Every variable and coordinate carries ``units`` and ``long_name``."""
    for name, variable in {**dataset.coords, **dataset.data_vars}.items():
        assert variable.attrs.get("units") and variable.attrs.get("long_name"), name


def assert_one_line_error(path: Path, key: str):
    """Loading the scenario at ``path`` fails with a one-line error naming ``key``."""
    with pytest.raises(ScenarioError) as error:
        load_scenario(str(path))
    assert error.value.key == key
    assert "\n" not in str(error.value)


def log_log_slope(x, y) -> float:
    """Least-squares slope of ln y against ln x (a power law's exponent)."""
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])
