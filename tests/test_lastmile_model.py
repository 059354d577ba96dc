"""Last-mile model contract: reproducibility, CLI, bad input, real-data source, MPI sweep."""

from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml

from sims.core.scenario import load_scenario
from sims.lastmile.model import LastMileModel, LastMileParams
from tests.conftest import (
    assert_one_line_error,
    assert_same_run,
    assert_units_everywhere,
    run_cli,
    run_subprocess,
)

FIXTURE = Path(__file__).parent / "data" / "lastmile"
SHIPPED = ["baseline", "lockers_aggressive", "trip_chaining", "temporal_consolidation"]
SMALL = {"synthetic": {"routes_per_city": 4, "stops_per_route": 60}}


def dataset_of(params, seed_sequence):
    model = LastMileModel(params, seed_sequence)
    return model.to_dataset([model.observe()])


def test_same_seed_same_run_and_members_differ():
    params = LastMileParams(**SMALL, consolidation={"adoption": 0.5, "trip_chaining": 0.3})
    first, again, other = (
        dataset_of(params, np.random.SeedSequence(9, spawn_key=(k,))) for k in (0, 0, 1)
    )
    xr.testing.assert_identical(first, again)
    assert not np.array_equal(first.ln_w.values, other.ln_w.values)
    assert first.s_system.values[0] != other.s_system.values[0]


def test_sweep_points_share_their_city():
    """Common random numbers: α changes the consolidation, never the city."""
    seed = np.random.SeedSequence(3, spawn_key=(0,))
    low, high = (
        dataset_of(LastMileParams(**SMALL, consolidation={"adoption": a}), seed) for a in (0.2, 0.9)
    )
    np.testing.assert_array_equal(low.ln_w, high.ln_w)
    np.testing.assert_array_equal(low.s_baseline, high.s_baseline)
    assert np.all(low.s_customer < high.s_customer)


def test_advance_is_trivially_chunk_invariant():
    model = LastMileModel(LastMileParams(**SMALL), np.random.SeedSequence(1))
    before = model.observe()
    model.advance(3)
    model.advance(4)
    assert model.step_count == 7 and model.get_state() == {}
    after = model.observe()
    np.testing.assert_array_equal(before["entropy"].ln_w, after["entropy"].ln_w)
    assert before["consolidation"] == after["consolidation"]


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenarios_validate(name):
    params = load_scenario(f"lastmile/{name}").params
    assert params.synthetic.routes_per_city == 200


def test_shipped_sweep_validates():
    sweep = load_scenario("sweeps/lastmile_consolidation")
    assert len(sweep.points) == 54 and sweep.spec.members == 2


@pytest.mark.parametrize(
    "changes,key",
    [
        ({"structure": {"cells": "package"}}, "params.structure.cells"),
        (
            {"structure": {"cells": "stop", "normalisation_cells": "station"}},
            "params.structure.normalisation_cells",
        ),
        ({"consolidation": {"days": 2, "delivery_days": 5}}, "params.consolidation.delivery_days"),
        ({"consolidation": {"adoption": 1.2}}, "params.consolidation.adoption"),
        ({"consolidation": {"trip_chainng": 0.2}}, "params.consolidation.trip_chainng"),
        ({"source": "amazon"}, "params.data_dir"),
        ({"source": "amazon", "data_dir": "/nonexistent/almrrc"}, "params.data_dir"),
        ({"synthetic": {"stops_per_route": 5}}, "params.synthetic.stops_per_route"),
    ],
)
def test_bad_parameters_give_one_line_errors(tmp_path, changes, key):
    document = {"system": "lastmile", "name": "bad", "seed": 1, "params": changes}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(document))
    assert_one_line_error(path, key)


def test_bad_parameter_exit_code(tmp_path, capsys):
    code, _, err = run_cli(
        "run", "lastmile/baseline", "--out", tmp_path, "--set",
        "params.consolidation.delivery_days=9", capsys=capsys,
    )  # fmt: skip
    assert code == 2
    assert "params.consolidation.delivery_days: must be at most days=1 (got 9)" in err
    assert not list(tmp_path.glob("*.nc"))


def test_cli_on_the_real_data_layout_plot_and_analyze(tmp_path, capsys):
    code, out, _ = run_cli(
        "run", "lastmile/baseline", "--out", tmp_path,
        "--set", "params.source=amazon", "--set", f"params.data_dir={FIXTURE}",
        "--set", "params.consolidation.adoption=0.5", capsys=capsys,
    )  # fmt: skip
    assert code == 0, out
    assert "4 routes in 2 cities" in out
    (path,) = tmp_path.glob("*.nc")
    with xr.open_dataset(path) as dataset:
        assert_units_everywhere(dataset)
        assert "CC BY-NC 4.0" in dataset.attrs["data_licence"]
        assert "reconstructed model" in dataset.attrs["model"]
        assert list(dataset.city.values) == ["Boston", "Los Angeles"]
        assert list(dataset.fit_group.values) == ["Boston", "Los Angeles", "pooled"]
        assert int(dataset.scaling_n_routes.sel(fit_group="pooled")) == 4
        assert np.all(np.isfinite(dataset.size_scaling_exponent.sel(fit_group="pooled")))
    code, _, _ = run_cli("analyze", path, capsys=capsys)
    assert code == 0
    with xr.open_dataset(path.with_name(path.stem + "_analysis.nc")) as analysis:
        assert list(analysis.n_routes.values) == [2, 2]
        assert np.all((analysis.eta_boltzmann_mean > 0.5) & (analysis.eta_boltzmann_mean <= 1))
    code, _, _ = run_cli("plot", path, "--output", tmp_path / "figure.png", capsys=capsys)
    assert code == 0 and (tmp_path / "figure.png").stat().st_size > 10_000


@pytest.mark.timeout(300)
def test_sweep_on_one_and_two_mpi_ranks_is_identical(tmp_path):
    document = yaml.safe_load(Path("scenarios/sweeps/lastmile_consolidation.yaml").read_text())
    document["params"]["synthetic"] = {"stations": ["DBO3"], "routes_per_city": 3}
    document["sweep"] = {
        "params.consolidation.adoption": [0.3, 1.0],
        "params.consolidation.trip_chaining": [0.0, 0.5],
    }
    paths = {}
    for label in ("serial", "parallel"):
        document["output"] = {"dir": str(tmp_path / label)}
        paths[label] = tmp_path / f"{label}.yaml"
        paths[label].write_text(yaml.safe_dump(document))
    serial = run_subprocess("batch", paths["serial"], "--quiet", timeout=240)
    assert serial.returncode == 0, serial.stderr
    parallel = run_subprocess("batch", paths["parallel"], "--quiet", mpi_ranks=2, timeout=240)
    assert parallel.returncode == 0, parallel.stderr
    names = sorted(p.name for p in (tmp_path / "serial").glob("*.nc"))
    assert len(names) == 8
    for name in names:
        assert_same_run(tmp_path / "serial" / name, tmp_path / "parallel" / name)
