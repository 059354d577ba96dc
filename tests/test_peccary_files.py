"""PECCARY on series read from files: CSV and NetCDF, time steps, gaps, ties, hostile files, CLI.

Independent references: ordpy (ordinal distributions and H, C), counts made here by hand on
constructed series, and numpy's own CSV/NetCDF reading of the same files.
"""

import math
import os

import netCDF4
import numpy as np
import ordpy
import pytest
import xarray as xr
import yaml

from analysis import ordinal
from sims.core.scenario import ScenarioError, load_scenario, shipped_scenarios
from sims.peccary import datafile
from tests.conftest import run_cli

ORDER = 4
RNG_SEED = 20261205


def write_csv(path, columns: dict, comments=()):
    """Write ``columns`` (name -> values; None is an empty cell) as a CSV with a header."""
    names = list(columns)
    lines = [f"# {text}" for text in comments] + [",".join(names)]
    for row in zip(*columns.values(), strict=True):
        lines.append(",".join("" if v is None or v != v else repr(float(v)) for v in row))
    path.write_text("\n".join(lines) + "\n")
    return path


def write_scenario(tmp_path, block, **params):
    document = {
        "system": "peccary",
        "name": "mine",
        "seed": 1,
        "output": {"dir": str(tmp_path / "out"), "checkpoint_interval": None},
        "params": {"order": ORDER, "max_delay": 3, "series": {"s": block}, **params},
    }
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def run(tmp_path, block, capsys, *extra, **params):
    """Run the scenario with one file series; return the output dataset (loaded)."""
    path = write_scenario(tmp_path, block, **params)
    code, _, err = run_cli("run", path, "--quiet", *extra, capsys=capsys)
    assert code == 0, err
    with xr.open_dataset(tmp_path / "out" / "mine_m000.nc") as dataset:
        return dataset.load()


def error_of(tmp_path, block, **params):
    with pytest.raises(ScenarioError) as raised:
        load_scenario(str(write_scenario(tmp_path, block, **params)))
    assert "\n" not in str(raised.value)
    return raised.value


def ordpy_pooled(segments, order, delay):
    """H and C of the pooled pattern counts of ``segments`` (those long enough), by ordpy."""
    pooled = {}
    for segment in segments:
        if segment.size < (order - 1) * delay + 1:
            continue
        symbols, probabilities = ordpy.ordinal_distribution(segment, dx=order, taux=delay)
        windows = segment.size - (order - 1) * delay
        for symbol, probability in zip(symbols, probabilities, strict=True):
            key = tuple(symbol)
            pooled[key] = pooled.get(key, 0) + round(probability * windows)
    counts = np.array(list(pooled.values()), dtype=float)
    return ordpy.complexity_entropy(counts / counts.sum(), dx=order, probs=True), counts.sum()


def finite_segments(x):
    edges = np.flatnonzero(np.diff(np.concatenate(([0], np.isfinite(x), [0])).astype(int)))
    return [x[a:b] for a, b in zip(edges[::2], edges[1::2], strict=True)]


@pytest.fixture
def noise():
    return np.random.default_rng(RNG_SEED).standard_normal(1500)


def test_csv_by_name_and_by_index_read_the_same_column(tmp_path, capsys, noise):
    """A column by name, by index and by negative index gives the series (to the last bit of
    repr) and the H, C that ordpy finds on it; the time column gives the step."""
    times = 0.25 * np.arange(noise.size)
    csv = write_csv(tmp_path / "data.csv", {"t": times, "x": noise, "other": -noise})
    results = []
    for column in ("x", 1, -2):
        dataset = run(tmp_path, {"kind": "file", "path": "data.csv", "column": column,
                                 "time_column": "t"}, capsys, "--overwrite")  # fmt: skip
        np.testing.assert_array_equal(dataset.value.values[0], noise)
        results.append(dataset.permutation_entropy.values)
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_array_equal(results[0], results[2])
    assert dataset.sample_interval.values[0] == 0.25
    for delay in (1, 2, 3):
        h, c = ordpy.complexity_entropy(noise, dx=ORDER, taux=delay)
        assert dataset.permutation_entropy.sel(delay=delay).item() == pytest.approx(h, abs=1e-12)
        assert dataset.statistical_complexity.sel(delay=delay).item() == pytest.approx(c, abs=1e-12)
    assert dataset.attrs["input_file_s"] == str(csv)
    assert len(dataset.attrs["input_file_s_sha256"]) == 64
    assert dataset.variable.values[0] == "-2"  # the series is named after its column


def test_time_column_of_dates_and_numbers(tmp_path):
    """ISO dates give a step in days; a numeric column its own units; a given step is checked
    against the column; without either there is no step."""
    days = np.datetime64("2020-01-04") + 7 * np.arange(40)
    path = tmp_path / "weekly.csv"
    path.write_text("date,v\n" + "".join(f"{d},{i % 5}\n" for i, d in enumerate(days)))
    block = {"kind": "file", "path": str(path), "column": "v", "time_column": "date"}
    scenario = load_scenario(str(write_scenario(tmp_path, block)))
    assert scenario.params.series["s"].time_step == 7.0
    assert scenario.params.samples == 40  # by default, the file's length
    error = error_of(tmp_path, block | {"time_step": 3.5})
    assert error.key == "params.series.s.time_column" and "100% off the step 3.5" in error.problem
    error = error_of(tmp_path, {"kind": "file", "path": str(path), "column": "v"})
    assert error.key == "params.series.s.time_step"
    assert "give time_step, or a time_column" in error.problem
    error = error_of(tmp_path, block, samples=41)
    assert error.key == "params.samples" and "exceeds the 40 samples" in error.problem


def test_uneven_sampling_is_refused_with_the_worst_deviation(tmp_path):
    """Jitter within 1 % of the step passes (times printed to 3 decimals); a missing row, or
    one interval 2 % long, is refused, naming the interval and its deviation."""
    times = np.round(0.1 * np.arange(200), 3)
    path = write_csv(tmp_path / "a.csv", {"t": times, "x": np.sin(times)})
    block = {"kind": "file", "path": str(path), "column": "x", "time_column": "t"}
    assert load_scenario(str(write_scenario(tmp_path, block))).params.series["s"].time_step == (
        pytest.approx(0.1, rel=1e-12)
    )
    shifted = times.copy()
    shifted[120:] += 0.002  # interval 119 -> 120 is 0.102: 2 % off
    write_csv(path, {"t": shifted, "x": np.sin(times)})
    error = error_of(tmp_path, block)
    assert error.key == "params.series.s.time_column"
    assert "interval after sample 119 is 0.102, 2% off the step 0.1 (tolerance 1%)" in (
        error.problem
    )
    write_csv(path, {"t": np.delete(times, 50), "x": np.delete(np.sin(times), 50)})
    assert "100% off the step" in error_of(tmp_path, block).problem
    write_csv(path, {"t": times[::-1], "x": np.sin(times)})
    assert "time does not increase after sample 0" in error_of(tmp_path, block).problem


def test_file_series_whose_attribute_names_collide_are_refused(tmp_path, noise):
    path = write_csv(tmp_path / "x.csv", {"x": noise})
    block = {"kind": "file", "path": str(path), "time_step": 1.0}
    error = error_of(tmp_path, block, series={"a-b": block, "a_b": block})
    assert error.key == "params.series.a_b"
    assert "'input_file_a_b'" in error.problem


def test_nan_refused_by_default(tmp_path, noise):
    x = noise.copy()
    x[[100, 700]] = np.nan
    path = write_csv(tmp_path / "gaps.csv", {"x": x})
    error = error_of(tmp_path, {"kind": "file", "path": str(path), "time_step": 1.0})
    assert error.key == "params.series.s.nan"
    assert "2 missing values in column 0 (the first is sample 100)" in error.problem


def test_nan_split_pools_segments_that_patterns_never_span(tmp_path, capsys, noise):
    """Gaps placed so that spanning them would change the counts: the windows counted, H and C
    equal ordpy's on the pooled distribution of the finite segments (segments shorter than a
    window contribute nothing), at every delay; the stored series keeps its NaN."""
    x = noise.copy()
    x[[100, 101, 402, 405, 900]] = np.nan  # a run of 2 finite samples (403, 404): too short
    write_csv(tmp_path / "gaps.csv", {"x": x})
    block = {"kind": "file", "path": "gaps.csv", "time_step": 1.0, "nan": "split"}
    dataset = run(tmp_path, block, capsys)
    segments = finite_segments(x)
    assert min(s.size for s in segments) == 2
    for delay in (1, 2, 3):
        (h, c), windows = ordpy_pooled(segments, ORDER, delay)
        at = dataset.sel(delay=delay)
        assert at.windows.item() == windows
        assert at.windows.item() < x.size - 3 * delay  # fewer than without gaps
        assert at.permutation_entropy.item() == pytest.approx(h, abs=1e-12)
        assert at.statistical_complexity.item() == pytest.approx(c, abs=1e-12)
    joined = ordinal.pattern_counts(x[np.isfinite(x)], ORDER, 1)
    assert joined.sum() != dataset.windows.sel(delay=1).item()
    np.testing.assert_array_equal(np.isnan(dataset.value.values[0]), np.isnan(x))


def test_ties_are_reported(tmp_path, capsys):
    """x_t = floor(t / 2): every window at delay 1 holds a pair of equal values, none at delays
    2 and 3 (whose samples are 2 and 3 steps apart)."""
    x = np.floor(np.arange(600) / 2.0)
    write_csv(tmp_path / "steps.csv", {"x": x})
    dataset = run(tmp_path, {"kind": "file", "path": "steps.csv", "time_step": 1.0}, capsys)
    np.testing.assert_array_equal(dataset.tie_fraction.values[0], [1.0, 0.0, 0.0])
    assert dataset.tie_fraction.attrs["units"] == "1"


def test_netcdf_variable_with_its_time_coordinate(tmp_path, capsys, noise):
    """A NetCDF variable along a dimension with a coordinate: step from the coordinate, masked
    values as gaps, the same results as the CSV of the same numbers."""
    x = noise.copy()
    x[300] = np.nan
    path = tmp_path / "data.nc"
    with netCDF4.Dataset(path, "w") as nc:
        nc.createDimension("time", x.size)
        nc.createVariable("time", "f8", ("time",))[:] = 2.0 * np.arange(x.size)
        variable = nc.createVariable("signal", "f8", ("time",), fill_value=-999.0)
        variable[:] = np.ma.masked_invalid(x)
    block = {"kind": "file", "path": "data.nc", "column": "signal", "nan": "split"}
    from_netcdf = run(tmp_path, block, capsys)
    assert from_netcdf.sample_interval.values[0] == 2.0
    write_csv(tmp_path / "data.csv", {"x": x})
    block = {"kind": "file", "path": "data.csv", "time_step": 2.0, "nan": "split"}
    from_csv = run(tmp_path, block, capsys, "--overwrite")
    for name in ("value", "permutation_entropy", "statistical_complexity", "windows"):
        np.testing.assert_array_equal(from_netcdf[name].values, from_csv[name].values)
    error = error_of(tmp_path, {"kind": "file", "path": str(path), "column": "signl"})
    assert error.key == "params.series.s.column" and "variables: time, signal" in error.problem


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("t,x\n0,1\n1,2\n2,abc\n", "path", "line 4, column 'x': not a number ('abc')"),
        ("t,x\n0,1\n1,inf\n", "path", "line 3, column 'x': not finite ('inf')"),
        ("t,x\n0,1\n1\n", "path", "line 3: has 1 columns, needs 2"),
        ("t,y\n0,1\n", "column", "no column 'x' (columns: t, y)"),
        ("# only a comment\n", "path", "no data lines"),
        ("t,x\n0,1\n\xff\n", "path", "not UTF-8 text"),
    ],
)
def test_bad_cells_are_named_by_line_and_column(tmp_path, text, key, problem):
    path = tmp_path / "bad.csv"
    path.write_bytes(text.encode("latin-1"))
    error = error_of(tmp_path, {"kind": "file", "path": "bad.csv", "column": "x", "time_step": 1})
    assert error.key == f"params.series.s.{key}" and problem in error.problem


def test_hostile_files_are_refused_before_reading(tmp_path, monkeypatch, noise):
    """A symbolic link (even to a good file), a directory, and a file too large for the memory
    left are refused with one line naming the path."""
    good = write_csv(tmp_path / "good.csv", {"x": noise})
    os.symlink(good, tmp_path / "link.csv")
    block = {"kind": "file", "path": "link.csv", "time_step": 1.0}
    error = error_of(tmp_path, block)
    assert error.key == "params.series.s.path"
    assert error.problem == f"{tmp_path / 'link.csv'}: a symbolic link (links are not followed)"
    (tmp_path / "folder.csv").mkdir()
    assert "not a regular file" in error_of(tmp_path, block | {"path": "folder.csv"}).problem
    size = good.stat().st_size
    monkeypatch.setattr(datafile.resources, "available_memory", lambda: 10 * size)
    problem = error_of(tmp_path, block | {"path": "good.csv"}).problem
    assert f"needs ~{datafile.resources.format_bytes(16 * size)} in memory" in problem


def test_a_changed_input_is_refused_by_its_pinned_hash_and_changes_the_fingerprint(
    tmp_path, capsys, noise
):
    """The resolved scenario in the output pins the file's SHA-256: rerunning it on an edited
    file fails with one line, exit 2, writing nothing; ``--resume`` of the original scenario
    does not keep the old output (its fingerprint no longer matches) and recomputes it."""
    path = write_csv(tmp_path / "data.csv", {"x": noise})
    first = run(tmp_path, {"kind": "file", "path": "data.csv", "time_step": 1.0}, capsys)
    resolved = tmp_path / "resolved.yaml"
    document = yaml.safe_load(first.attrs["scenario"])
    document["output"]["dir"] = str(tmp_path / "again")
    resolved.write_text(yaml.safe_dump(document))
    write_csv(path, {"x": noise[::-1]})
    code, out, err = run_cli("run", resolved, "--quiet", capsys=capsys)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith(f"{resolved}: params.series.s.sha256: {path}: the file changed")
    assert not (tmp_path / "again").exists()
    code, _, err = run_cli("run", tmp_path / "scenario.yaml", "--resume", capsys=capsys)
    assert code == 0, err
    with xr.open_dataset(tmp_path / "out" / "mine_m000.nc") as second:
        assert second.attrs["run_fingerprint"] != first.attrs["run_fingerprint"]
        assert second.attrs["input_file_s_sha256"] != first.attrs["input_file_s_sha256"]
        np.testing.assert_array_equal(second.value.values[0], noise[::-1])


def test_cli_analyze_writes_the_run_variables_beside_the_input(tmp_path, capsys, noise):
    """``entrosim analyze data.csv --order 4``: exit 0, ``data_analysis.nc`` with the variables
    a run writes; a second call refuses to overwrite; a bad column is one line, exit 2, no file;
    an entrosim output still gets its usual analysis, and refuses series options."""
    write_csv(tmp_path / "data.csv", {"t": np.arange(noise.size), "x": noise})
    code, out, err = run_cli(
        "analyze", tmp_path / "data.csv", "--order", "4", "--time-column", "t", capsys=capsys
    )
    assert code == 0, err
    target = tmp_path / "data_analysis.nc"
    assert out.startswith(f"{target}: PECCARY")
    with xr.open_dataset(target) as dataset:
        assert dataset.attrs["system"] == "peccary" and dataset.attrs["order"] == 4
        assert {"permutation_entropy", "tie_fraction", "peccary_classification"} <= set(dataset)
        h, _ = ordpy.complexity_entropy(noise, dx=4)
        assert dataset.permutation_entropy.sel(delay=1).item() == pytest.approx(h, abs=1e-12)
        assert ordinal.regime_names(dataset.classification).values[0, 0] == "stochastic"
    code, _, err = run_cli("analyze", tmp_path / "data.csv", "--time-step", "1", capsys=capsys)
    assert code == 2 and err == f"{target}: analyze: exists (use --overwrite)\n"
    output = tmp_path / "bad.nc"
    code, out, err = run_cli(
        "analyze", tmp_path / "data.csv", "--column", "y", "--time-step", "1",
        "--output", output, capsys=capsys,
    )  # fmt: skip
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith(f"{tmp_path / 'data.csv'}: --column: ")
    assert "no column 'y' (columns: t, x)" in err
    assert not output.exists() and sorted(p.name for p in tmp_path.iterdir()) == [
        "data.csv",
        "data_analysis.nc",
    ]
    code, _, err = run_cli(
        "analyze", tmp_path / "data.csv", "--time-step", "1", "--output", "/proc/a.nc",
        capsys=capsys,
    )  # fmt: skip
    assert (
        code == 2 and err.startswith("/proc/a.nc: analyze: cannot write") and err.count("\n") == 1
    )
    code, _, err = run_cli("analyze", target, "--order", "5", capsys=capsys)
    assert (
        code == 2
        and err == f"{target}: --order: applies to a series (CSV, or NetCDF with --column)\n"
    )
    code, out, err = run_cli("analyze", target, capsys=capsys)
    assert code == 0, err
    assert (tmp_path / "data_analysis_analysis.nc").exists()


def test_shipped_mauna_loa_series_matches_ordpy(tmp_path, capsys):
    """The shipped public series (2284 weeks, 59 gaps) as shipped: H and C at every delay equal
    ordpy's on the pooled finite segments of the same column (read here with numpy), at least
    10 · 5! windows at delay 1, and the tie share of the 0.1-ppm values counted here."""
    name = "peccary/mauna_loa_co2"
    code, _, err = run_cli("run", name, "--out", tmp_path, "--quiet", capsys=capsys)
    assert code == 0, err
    csv = shipped_scenarios()[name].parent / "data" / "mauna_loa_co2_weekly.csv"
    co2 = np.genfromtxt(csv, delimiter=",", comments="#", skip_header=5, usecols=1)
    assert co2.size == 2284 and np.isnan(co2).sum() == 59
    segments = finite_segments(co2)
    with xr.open_dataset(tmp_path / "mauna_loa_co2_m000.nc") as dataset:
        assert dataset.sample_interval.item() == 7.0
        np.testing.assert_array_equal(dataset.value.values[0], co2)
        for delay in dataset.delay.values:
            (h, c), windows = ordpy_pooled(segments, 5, int(delay))
            at = dataset.sel(delay=delay)
            assert at.windows.item() == windows
            assert at.permutation_entropy.item() == pytest.approx(h, abs=1e-12)
            assert at.statistical_complexity.item() == pytest.approx(c, abs=1e-12)
        assert dataset.windows.sel(delay=1).item() >= 10 * math.factorial(5)
        windows = [s[t : t + 5] for s in segments for t in range(s.size - 4)]
        tied = np.mean([len(set(w)) < 5 for w in windows])
        assert dataset.tie_fraction.sel(delay=1).item() == pytest.approx(tied, abs=1e-15)
        assert "public domain" in load_scenario(name).spec.description
