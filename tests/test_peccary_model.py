"""PECCARY model contract: chunking, seeds, checkpoint state, parameter errors, CLI, MPI."""

import numpy as np
import pytest
import xarray as xr
import yaml

from sims.core.scenario import load_scenario
from sims.peccary import specs
from sims.peccary.model import PeccaryModel, PeccaryParams
from sims.peccary.workflow import analyze_dataset
from tests.conftest import (
    assert_one_line_error,
    assert_same_run,
    assert_units_everywhere,
    run_cli,
    run_subprocess,
)

ONE_ORBIT = {"position": [1.0, 0.0, 0.1], "velocity": [0.0, 0.8, 0.1]}
EVERY_KIND = {kind: {"kind": kind} for kind in specs.KINDS}
EVERY_KIND["orbit"] = {"kind": "orbit", **ONE_ORBIT}
EVERY_KIND["bar"] = {
    "kind": "orbit",
    "integrator": "yoshida4",
    "potential": {"kind": "bar"},
    "variables": ["x", "L_z", "energy"],
    **ONE_ORBIT,
}
EVERY_KIND["halo"] = {
    "kind": "orbit",
    "energy": -0.4,
    "count": 3,
    "potential": {"kind": "nfw"},
}
EVERY_KIND["noises"] = {"kind": "white_noise", "count": 2}
SHIPPED = ["noises", "chaotic_maps", "double_pendulum", "galactic_orbits", "mauna_loa_co2"]


def model(series=None, samples=300, seed=5, **params):
    params = PeccaryParams(samples=samples, max_delay=2, series=series or EVERY_KIND, **params)
    return PeccaryModel(params, np.random.SeedSequence(seed))


def test_chunking_never_changes_the_result():
    whole, pieces = model(), model()
    whole.advance(300)
    for chunk in (1, 2, 37, 60, 200):
        pieces.advance(chunk)
    np.testing.assert_array_equal(whole.values, pieces.values)
    np.testing.assert_array_equal(whole.invariants, pieces.invariants)
    for first, second in zip(whole.generators, pieces.generators, strict=True):
        for key, value in first.state.items():
            np.testing.assert_array_equal(value, second.state[key])


def test_state_round_trip_continues_bitwise():
    reference, first = model(), model()
    reference.advance(300)
    first.advance(120)
    saved = first.get_state()
    resumed = model()
    resumed.set_state(saved)
    resumed.step_count = first.step_count
    resumed.advance(180)
    np.testing.assert_array_equal(reference.values, resumed.values)
    np.testing.assert_array_equal(reference.invariants, resumed.invariants)


def test_seeds_change_only_the_random_series():
    first, again, other = model(seed=1), model(seed=1), model(seed=2)
    for instance in (first, again, other):
        instance.advance(300)
    np.testing.assert_array_equal(first.values, again.values)
    labels = [label for gen in first.generators for label in gen.labels]
    random = {
        "white_noise",
        "coloured_noise",
        "fractional_brownian_motion",
        "noises[0]",
        "noises[1]",
        "halo[0].x",
        "halo[0].R",
        "halo[1].x",
        "halo[1].R",
        "halo[2].x",
        "halo[2].R",
    }
    for row, label in enumerate(labels):
        differs = not np.array_equal(first.values[row], other.values[row])
        assert differs == (label in random), label
    np.testing.assert_raises(
        AssertionError,
        np.testing.assert_array_equal,
        first.values[labels.index("noises[0]")],
        first.values[labels.index("noises[1]")],
    )


def test_a_blocks_realisation_depends_on_its_name_not_on_the_other_blocks():
    alone = model({"white": {"kind": "white_noise"}}, seed=3)
    crowded = model(
        {
            "sine": {"kind": "sine"},
            "white": {"kind": "white_noise"},
            "red": {"kind": "coloured_noise"},
        },
        seed=3,
    )
    renamed = model({"other": {"kind": "white_noise"}}, seed=3)
    for instance in (alone, crowded, renamed):
        instance.advance(300)
    np.testing.assert_array_equal(alone.values[0], crowded.values[1])
    assert not np.array_equal(alone.values[0], renamed.values[0])


def test_dataset_has_series_and_delay_dims_with_units_everywhere():
    instance = model(samples=1500)
    instance.advance(1500)
    ds = instance.to_dataset([instance.observe()])
    for name in ("permutation_entropy", "statistical_complexity", "classification"):
        assert ds[name].dims == ("series", "delay")
    assert_units_everywhere(ds)
    assert ds.sizes["series"] == sum(gen.n_rows for gen in instance.generators)
    assert ds.sizes["source"] == sum(gen.n_sources for gen in instance.generators)
    invariant_sources = {
        "double_pendulum",
        "henon_heiles",
        "orbit",
        "bar",
        "halo[0]",
        "halo[1]",
        "halo[2]",
    }
    for source, error in zip(ds.source.values, ds.relative_invariant_error.values, strict=True):
        assert np.isfinite(error) == (source in invariant_sources), source
    recomputed = analyze_dataset(ds)
    for name in recomputed.data_vars:
        np.testing.assert_array_equal(recomputed[name].values, ds[name].values)
        assert recomputed[name].attrs == ds[name].attrs
    assert PeccaryModel.summarize(ds).startswith(f"{ds.sizes['series']} series")


def test_every_series_is_labelled_after_its_source():
    """``source.variable`` where a block records several variables, the bare source where it
    records one; also a population of one orbit: series ``population[0].x``, source
    ``population[0]``."""
    series = {
        "one": EVERY_KIND["orbit"],
        "halo": EVERY_KIND["halo"],
        "bar": EVERY_KIND["bar"],
        "white": {"kind": "white_noise"},
    }
    instance = model(series, population={"count": 1, "energy": -0.3})
    coords = instance.coordinates()
    labels, sources = coords["series"][1], coords["source"][1]
    assert sources == ["one", "halo[0]", "halo[1]", "halo[2]", "bar", "white", "population[0]"]
    for label, variable, source in zip(
        labels, coords["variable"][1], coords["source_index"][1], strict=True
    ):
        expected = "white" if sources[source] == "white" else f"{sources[source]}.{variable}"
        assert label == expected


def test_short_series_give_undefined_regimes():
    instance = model({"white": {"kind": "white_noise"}}, samples=500)
    instance.advance(500)
    ds = instance.to_dataset([instance.observe()])
    assert np.all(ds.classification.values == -1)  # 500 windows < 10 per pattern × 120


def write(tmp_path, params, name="bad"):
    document = {
        "system": "peccary",
        "name": name,
        "seed": 1,
        "output": {"dir": str(tmp_path / "out"), "checkpoint_interval": None},
        "params": params,
    }
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


@pytest.mark.parametrize(
    "params,key",
    [
        ({"samples": 50, "max_delay": 20}, "params.samples"),
        ({"order": 3}, "params.order"),
        ({"series": {}}, "params.series"),
        (
            {"population": {"count": 2, "potential": "nfw", "energy": 0.5}},
            "params.population.energy",
        ),
        ({"population": {"potential": "spiral"}}, "params.population.potential"),
        ({"series": {"bad name": {"kind": "sine"}}}, "params.series.bad name"),
        ({"series": {"s": {"kind": "sine", "variables": ["y"]}}}, "params.series.s.variables"),
        ({"series": {"s": {"kind": "wavelet"}}}, "params.series.s"),
        (
            {"series": {"l": {"kind": "lorenz", "sample_interval": 0.0123}}},
            "params.series.l.sample_interval",
        ),
        (
            {"series": {"h": {"kind": "henon_heiles", "energy": 0.2}}},
            "params.series.h.energy",
        ),
        ({"series": {"h": {"kind": "henon_heiles", "y": 0.6}}}, "params.series.h.y"),
        ({"series": {"t": {"kind": "skew_tent", "peak": 0.5}}}, "params.series.t.peak"),
        (
            {"series": {"o": {"kind": "orbit", "potential": {"kind": "nfw"}, "energy": 0.1}}},
            "params.series.o.energy",
        ),
        (
            {
                "series": {
                    "o": {"kind": "orbit", "potential": {"kind": "isochrone"}, "energy": -0.6}
                }
            },
            "params.series.o.energy",
        ),
        (
            {"series": {"o": {"kind": "orbit", "energy": -0.1, "position": [1, 0, 0]}}},
            "params.series.o.position",
        ),
        ({"series": {"o": {"kind": "orbit", "count": 5, **ONE_ORBIT}}}, "params.series.o.count"),
        ({"series": {"o": {"kind": "orbit"}}}, "params.series.o.position"),
        (
            {"series": {"o": {"kind": "orbit", "potential": {"kind": "nfw", "mas_scale": 2}}}},
            "params.series.o.orbit.potential.nfw.mas_scale",
        ),
    ],
)
def test_bad_parameters_give_one_line_errors(tmp_path, capsys, params, key):
    path = write(tmp_path, params)
    assert_one_line_error(path, key)
    code, _, err = run_cli("run", path, capsys=capsys)
    assert code == 2 and err.strip().count("\n") == 0 and key in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenarios_run_small_and_plot(tmp_path, capsys, name):
    code, out, err = run_cli(
        "run",
        f"peccary/{name}",
        "--out",
        tmp_path,
        "--set",
        "params.samples=2000",
        "--set",
        "params.max_delay=10",
        "--quiet",
        capsys=capsys,
    )
    assert code == 0, err
    (path,) = tmp_path.glob("*.nc")
    assert "series at the PECCARY delay" in out
    code, _, err = run_cli("plot", path, "--output", tmp_path / "plane.png", capsys=capsys)
    assert code == 0, err
    assert (tmp_path / "plane.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    "name", [f"peccary/{name}" for name in SHIPPED] + ["sweeps/peccary_orbit_survey"]
)
def test_resolved_scenarios_reload_to_the_same_parameters(tmp_path, name):
    scenario = load_scenario(name)
    path = tmp_path / "resolved.yaml"
    path.write_text(scenario.resolved_yaml())
    again = load_scenario(str(path))
    assert again.params == scenario.params
    assert [p.params for p in again.points] == [p.params for p in scenario.points]


def test_orbit_survey_sweep_is_valid():
    scenario = load_scenario("sweeps/peccary_orbit_survey")
    assert len(scenario.points) == 20
    assert sum(point.params.population.count for point in scenario.points) == 1000


def test_two_ranks_give_the_serial_files(tmp_path):
    params = {
        "samples": 1500,
        "max_delay": 5,
        "series": {"noise": {"kind": "coloured_noise", "count": 2}},
        "population": {"count": 3, "energy": -0.3},
    }
    runs = {}
    for label, ranks in (("serial", None), ("parallel", 2)):
        document = {
            "system": "peccary",
            "name": "survey",
            "seed": 9,
            "output": {"dir": str(tmp_path / label), "checkpoint_interval": None},
            "params": params,
            "sweep": {"params.population.potential": ["isochrone", "bar", "nfw"]},
        }
        path = tmp_path / f"{label}.yaml"
        path.write_text(yaml.safe_dump(document))
        result = run_subprocess("batch", path, "--quiet", mpi_ranks=ranks, timeout=300)
        assert result.returncode == 0, result.stderr
        runs[label] = sorted((tmp_path / label).glob("*.nc"))
    assert len(runs["serial"]) == 3
    for serial, parallel in zip(runs["serial"], runs["parallel"], strict=True):
        assert serial.name == parallel.name
        assert_same_run(serial, parallel)
    with xr.open_dataset(runs["serial"][1]) as dataset:
        assert str(dataset.population_potential.values) == "bar"
        assert dataset.sizes["source"] == 5 and dataset.sizes["series"] == 8


def test_results_only_runs_analyze_to_their_stored_results():
    instance = model({"white": {"kind": "white_noise"}}, samples=2000, store_series=False)
    instance.advance(2000)
    ds = instance.to_dataset([instance.observe()])
    assert "value" not in ds and "sample" not in ds.dims
    analysis = analyze_dataset(ds)
    np.testing.assert_array_equal(analysis.permutation_entropy, ds.permutation_entropy)
    assert set(analysis.data_vars) >= {"classification", "peccary_classification"}


def test_a_sweep_inside_a_series_block_writes_one_file_per_value(tmp_path, capsys):
    """Sweep keys may lead into the ``series`` mapping (no declared field: units "1")."""
    code, _, err = run_cli(
        "batch",
        "peccary/chaotic_maps",
        "--out",
        tmp_path,
        "--set",
        "params.samples=2000",
        "--set",
        "params.max_delay=5",
        "--set",
        "sweep.params.series.logistic.growth_rate=[3.9, 4.0]",
        "--quiet",
        capsys=capsys,
    )
    assert code == 0, err
    paths = sorted(tmp_path.glob("chaotic_maps_p*.nc"))
    assert len(paths) == 2
    rates = []
    for path in paths:
        with xr.open_dataset(path) as dataset:
            coordinate = dataset["series_logistic_growth_rate"]
            assert coordinate.attrs["units"] == "1"
            rates.append(float(coordinate))
    assert rates == [3.9, 4.0]
