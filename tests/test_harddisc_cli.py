"""Hard-disc runs through the CLI: files with units, bad input, MPI ranks, shipped scenarios."""

import numpy as np
import pytest
import xarray as xr
import yaml

from sims.core.output import merge_runs
from sims.core.scenario import load_scenario
from sims.harddisc.ensemble import analyze_run
from sims.harddisc.plots import plot_run
from tests.conftest import assert_same_run, assert_units_everywhere, run_cli, run_subprocess

SMALL = {
    "system": "harddisc",
    "name": "tiny",
    "seed": 3,
    "members": 1,
    "output": {"checkpoint_interval": None},
    "params": {
        "n_discs": 200, "area_fraction": 0.01, "spatial_cells": 1, "delta_v": [0.5, 2.0],
        "duration": 200.0, "record_interval": 20.0, "time_quantum": 1.0,
    },
}  # fmt: skip


def write(tmp_path, name="tiny.yaml", params=None, **changes):
    document = {**SMALL, **changes, "output": {**SMALL["output"], "dir": str(tmp_path / "out")}}
    document["params"] = {**SMALL["params"], **(params or {})}
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document))
    return path


def test_run_writes_entropies_with_units_and_the_figure(tmp_path, capsys):
    path = write(tmp_path, params={"store_particles": True})
    code, out, _ = run_cli("run", path, capsys=capsys)
    assert code == 0
    assert "ΔS/(N ln 2)" in out and "ideal gas S/N" in out
    output = tmp_path / "out" / "tiny_m000.nc"
    with xr.open_dataset(output) as dataset:
        assert dataset.boltzmann_entropy.dims == ("time", "delta_v")
        assert dataset.position.shape == (11, 200, 2)
        assert_units_everywhere(dataset)
        assert float(dataset.boltzmann_entropy_per_particle[0, 0]) == pytest.approx(
            float(dataset.boltzmann_entropy[0, 0]) / 200, rel=1e-15
        )
    assert run_cli("plot", output, capsys=capsys)[0] == 0
    assert (tmp_path / "out" / "tiny_m000.png").exists()
    assert run_cli("analyze", output, capsys=capsys)[0] == 0
    with xr.open_dataset(tmp_path / "out" / "tiny_m000_analysis.nc") as analysis:
        assert float(analysis.boltzmann_rise[0, 0]) == 0.0


def test_the_figure_draws_the_bond_order(tmp_path, capsys):
    assert run_cli("run", write(tmp_path), capsys=capsys)[0] == 0
    dataset = xr.load_dataset(tmp_path / "out" / "tiny_m000.nc")
    order = [axes for axes in plot_run(dataset).axes if "|Ψ₆|" in axes.get_ylabel()]
    assert len(order) == 1  # the right axis of the events panel
    np.testing.assert_array_equal(order[0].lines[0].get_ydata(), dataset.bond_order.values)


def test_a_triangular_start_records_its_lattice_and_bond_order(tmp_path, capsys):
    """No melting stage: the first record is the lattice itself, squashed to fit 16 x 13 sites in
    a square: its diagonal bonds make θ = atan(2 × row / column spacing) = 58.4° with x instead of
    60°, so each full shell gives ψ6 = (2 + 4 cos 6θ)/6 = 0.9906. The 8 vacancies leave 48 of the
    200 discs a bond short, which moves their ψ6 by at most 0.004: 0.001 on the mean."""
    dense = {"placement": "triangular", "area_fraction": 0.6, "partition": False,
             "boundary": "periodic", "aspect_ratio": 1.0}  # fmt: skip
    path = write(tmp_path, params=dense)
    assert run_cli("run", path, capsys=capsys)[0] == 0
    with xr.open_dataset(tmp_path / "out" / "tiny_m000.nc") as dataset:
        assert_units_everywhere(dataset)
        assert dataset.attrs["placement"].startswith(
            "triangular lattice of 16 rows x 13 columns, site spacings 1.24463 (along x) and "
            "1.01126 (between rows)"
        )
        assert dataset.attrs["placement"].endswith(", 8 vacant sites")
        angle = np.arctan2(2 * 1.01126, 1.24463)  # the attribute's spacings
        full_shell = (2 + 4 * np.cos(6 * angle)) / 6
        assert float(dataset.bond_order[0]) == pytest.approx(full_shell, abs=1e-3)


@pytest.mark.parametrize(
    "params,key",
    [
        ({"area_fraction": 0.5}, "params.area_fraction"),
        ({"spatial_cells": 3, "aspect_ratio": 1.5}, "params.spatial_cells"),
        ({"record_interval": 2.5}, "params.record_interval"),
        ({"delta_v": [1.0, 1.0]}, "params.delta_v"),
        ({"boundary": "periodic", "n_discs": 2, "area_fraction": 0.4}, "params.area_fraction"),
        ({"neighbour_cell": 0.5}, "params.neighbour_cell"),
        ({"velocity": "maxwell"}, "params.velocity"),
        ({"boundary": "periodic", "equilibration_time": 10.0}, "params.equilibration_time"),
        ({"placement": "triangular", "area_fraction": 0.73}, "params.area_fraction"),
        (
            {
                "placement": "triangular",
                "area_fraction": 0.72,
                "n_discs": 20,
                "partition": False,
                "boundary": "periodic",
                "aspect_ratio": 1.0,
            },
            "params.area_fraction",
        ),  # fmt: skip
        ({"placement": "hexagonal"}, "params.placement"),
    ],
)
def test_bad_parameters_give_one_line_errors(tmp_path, capsys, params, key):
    path = write(tmp_path, params=params)
    code, _, err = run_cli("run", path, capsys=capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and f"{path}: {key}:" in err
    assert not (tmp_path / "out").exists()


def test_two_mpi_ranks_give_the_serial_ensemble(tmp_path):
    serial = write(tmp_path, "serial.yaml", members=3, output={"dir": str(tmp_path / "serial")})
    parallel = write(tmp_path, "parallel.yaml", members=3)
    for path, ranks, folder in ((serial, None, "serial"), (parallel, 2, "out")):
        document = yaml.safe_load(path.read_text())
        document["output"]["dir"] = str(tmp_path / folder)
        path.write_text(yaml.safe_dump(document))
        result = run_subprocess("batch", path, "--quiet", mpi_ranks=ranks, timeout=300)
        assert result.returncode == 0, result.stderr
    for member in range(3):
        name = f"tiny_m{member:03d}.nc"
        assert_same_run(tmp_path / "serial" / name, tmp_path / "out" / name)
    merged = merge_runs((tmp_path / "out").glob("tiny_m*.nc"))
    analysis = analyze_run(merged)
    assert analysis.boltzmann_rise_mean.dims == ("time", "delta_v")
    assert float(analysis.boltzmann_rise_std.isel(time=-1).max()) > 0.0


@pytest.mark.parametrize(
    "name",
    [
        "harddisc/free_expansion",
        "harddisc/equilibrium",
        "harddisc/dense_liquid",
        "sweeps/harddisc_ensemble",
    ],
)
def test_shipped_scenarios_validate(name):
    scenario = load_scenario(name)
    assert scenario.system.name == "harddisc"
