"""Klein–Gordon runs started from a NetCDF field (``initial: {kind: file}``)."""

import hashlib
import os
import re

import numpy as np
import pytest
import xarray as xr
import yaml

from sims.core.scenario import load_scenario
from sims.kleingordon import diagnostics, field_file
from tests.conftest import assert_one_line_error, run_cli

LENGTH, POINTS = 40.0, 512
PAIR = {"kind": "sine_gordon_kink_antikink", "velocity": 0.5, "start_time": -8.0}


def write(path, params, name):
    """A sine-Gordon scenario at ``path`` writing into ``path``'s folder / out."""
    document = {
        "system": "kleingordon",
        "name": name,
        "seed": 3,
        "output": {"dir": str(path.parent / "out"), "checkpoint_interval": None},
        "params": {
            "potential": "sine_gordon",
            "length": LENGTH,
            "points": POINTS,
            "time_step": 0.02,
            "duration": 2.0,
            "record_interval": 1.0,
            **params,
        },
    }
    path.write_text(yaml.safe_dump(document))
    return path


@pytest.fixture(scope="module")
def run_a(tmp_path_factory):
    """Run A: a colliding kink–antikink pair, snapshots at t = 0, 1, 2."""
    folder = tmp_path_factory.mktemp("a")
    scenario = write(folder / "a.yaml", {"initial": PAIR}, "a")
    assert run_cli("run", scenario, "--quiet")[0] == 0
    path = folder / "out" / "a_m000.nc"
    with xr.open_dataset(path) as dataset:
        return path, dataset.load()


def run_b(tmp_path, a_path, **initial):
    """Run B from A's file, named relative to B's scenario, from another working directory."""
    scenario = write(
        tmp_path / "b.yaml",
        {
            "points": initial.pop("points", POINTS),
            "initial": {"kind": "file", "path": os.path.relpath(a_path, tmp_path), **initial},
        },
        "b",
    )
    code, out, err = run_cli("run", scenario, "--quiet", "--overwrite")
    assert code == 0, err
    with xr.open_dataset(tmp_path / "out" / "b_m000.nc") as dataset:
        return dataset.load()


@pytest.mark.parametrize("points", [POINTS, 2 * POINTS, POINTS // 2])
def test_a_run_continues_from_another_runs_last_snapshot(tmp_path, monkeypatch, run_a, points):
    """B's first record is A's last: to rounding on the same grid; resampled, to spectral
    accuracy. Doubling keeps A's samples on the even points and puts the band-limited
    interpolant (an independent direct sum) on the odd ones; halving keeps every other sample
    of A, whose spectrum above the coarse Nyquist wavenumber (k = 20.1) is below
    sech(π k / 2γ) ≈ 1e-12 of its peak. The energy agrees to the same accuracy."""
    a_path, a = run_a
    monkeypatch.chdir(tmp_path.parent)  # the path is resolved against the scenario's folder
    b = run_b(tmp_path, a_path, points=points)
    a_phi, a_phi_t = a.phi.values[-1], a.phi_t.values[-1]
    b_phi, b_phi_t = b.phi.values[0], b.phi_t.values[0]
    if points == POINTS:
        tolerance, energy_tolerance = 1e-14, 1e-13
        np.testing.assert_allclose(b_phi, a_phi, rtol=0, atol=tolerance)
        np.testing.assert_allclose(b_phi_t, a_phi_t, rtol=0, atol=tolerance)
    elif points > POINTS:
        tolerance, energy_tolerance = 1e-13, 1e-12
        odd = b.x.values[1::2]
        for found, values in ((b_phi, a_phi), (b_phi_t, a_phi_t)):
            np.testing.assert_allclose(found[::2], values, rtol=0, atol=tolerance)
            expected = diagnostics.interpolate(values, odd, LENGTH)
            np.testing.assert_allclose(found[1::2], expected, rtol=0, atol=tolerance)
    else:
        tolerance, energy_tolerance = 1e-10, 1e-10
        np.testing.assert_allclose(b_phi, a_phi[::2], rtol=0, atol=tolerance)
        np.testing.assert_allclose(b_phi_t, a_phi_t[::2], rtol=0, atol=tolerance)
    assert float(b.energy[0]) == pytest.approx(float(a.energy[-1]), rel=energy_tolerance)
    digest = hashlib.sha256(a_path.read_bytes()).hexdigest()
    assert b.attrs["initial_file"] == str(a_path) and b.attrs["initial_file_sha256"] == digest
    recorded = yaml.safe_load(b.attrs["scenario"])["params"]["initial"]
    assert recorded["path"] == str(a_path) and recorded["sha256"] == digest


def test_time_selects_a_snapshot_exactly(tmp_path, run_a):
    a_path, a = run_a
    b = run_b(tmp_path, a_path, time=1.0)
    np.testing.assert_allclose(b.phi.values[0], a.phi.sel(snapshot_time=1.0), rtol=0, atol=1e-14)


def test_a_changed_input_is_not_resumed_and_a_pinned_digest_refuses_it(tmp_path, run_a):
    """The input's SHA-256 is part of the parameters, so of the run fingerprint: --resume redoes
    a run whose input changed; a scenario that pins the digest refuses the changed file."""
    a_path, a = run_a
    copy = tmp_path / "input.nc"
    copy.write_bytes(a_path.read_bytes())
    first = run_b(tmp_path, copy)
    with xr.open_dataset(copy) as dataset:
        changed = dataset.load()
    changed["phi_t"] = -changed.phi_t
    changed.to_netcdf(copy)
    scenario = tmp_path / "b.yaml"
    code, _, err = run_cli("run", scenario, "--quiet", "--resume")
    assert code == 0, err
    with xr.open_dataset(tmp_path / "out" / "b_m000.nc") as second:
        assert second.attrs["run_fingerprint"] != first.attrs["run_fingerprint"]
        assert second.attrs["initial_file_sha256"] == hashlib.sha256(copy.read_bytes()).hexdigest()
        np.testing.assert_allclose(second.phi_t.values[0], -a.phi_t.values[-1], atol=1e-14)
    document = yaml.safe_load(scenario.read_text())
    document["params"]["initial"]["sha256"] = first.attrs["initial_file_sha256"]
    scenario.write_text(yaml.safe_dump(document))
    assert_one_line_error(scenario, "params.initial.sha256")


def field_dataset(length=LENGTH, points=16, x=None, phi=None, times=(0.0, 1.0)):
    """A small valid input file's dataset (or with the given grid or values)."""
    x = -0.5 * length + length * np.arange(points) / points if x is None else x
    values = np.sin(2 * np.pi * x / length) if phi is None else phi
    field = np.tile(values, (len(times), 1))
    return xr.Dataset(
        {"phi": (("snapshot_time", "x"), field), "phi_t": (("snapshot_time", "x"), 0.5 * field)},
        coords={"x": x, "snapshot_time": list(times)},
    )


def closed_grid():
    return field_dataset(x=np.linspace(-0.5 * LENGTH, 0.5 * LENGTH, 16))


def uneven_grid():
    x = -0.5 * LENGTH + LENGTH * np.arange(16) / 16
    x[5] += 0.01
    return field_dataset(x=x)


def with_value(value):
    def make():
        dataset = field_dataset()
        dataset.phi_t[1, 3] = value
        return dataset

    return make


@pytest.mark.parametrize(
    "make, initial, key, message",
    [
        (None, {}, "path", "No such file"),
        ("link", {}, "path", "symbolic link"),
        ("fifo", {}, "path", "not a regular file"),
        ("text", {}, "path", "cannot read as NetCDF"),
        (field_dataset, {"phi": "psi"}, "phi", "has no variable 'psi'"),
        (lambda: field_dataset(length=2 * LENGTH), {}, "path", "is not the scenario's length"),
        (closed_grid, {}, "path", "holds both endpoints"),
        (uneven_grid, {}, "path", "not uniformly"),
        (lambda: field_dataset(x=2.5 * np.arange(16)), {}, "path", "must start at -L/2"),
        (with_value(np.nan), {}, "phi_t", "holds missing values"),  # NaN is xarray's fill
        (with_value(np.inf), {}, "phi_t", "holds NaN or infinity"),
        (field_dataset, {"time": 0.5}, "time", "no snapshot at t = 0.5 (nearest"),
        (field_dataset, {"sha256": "0" * 64}, "sha256", "the file's SHA-256 is"),
    ],
)
def test_bad_input_files_give_one_line_errors(tmp_path, make, initial, key, message):
    path = tmp_path / "field.nc"
    if make == "link":
        field_dataset().to_netcdf(tmp_path / "real.nc")
        path.symlink_to(tmp_path / "real.nc")
    elif make == "fifo":
        os.mkfifo(path)
    elif make == "text":
        path.write_text("phi = 1\n")
    elif make is not None:
        make().to_netcdf(path)
    scenario = write(
        tmp_path / "bad.yaml", {"initial": {"kind": "file", "path": "field.nc", **initial}}, "bad"
    )
    assert_one_line_error(scenario, f"params.initial.{key}")
    with pytest.raises(Exception, match=re.escape(message)):
        load_scenario(str(scenario))


def test_a_file_start_needs_a_path_and_exits_2_without_output(tmp_path, capsys):
    scenario = write(tmp_path / "bad.yaml", {"initial": {"kind": "file"}}, "bad")
    code, out, err = run_cli("run", scenario, capsys=capsys)
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"{scenario}: params.initial.path: is required")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("old, new", [(16, 32), (32, 16), (15, 32), (33, 16), (16, 16)])
def test_resampling_is_exact_for_band_limited_fields(old, new):
    """Modes up to the smaller grid's Nyquist wavenumber are kept exactly: a cosine at the old
    Nyquist splits into ±k, and a cosine at the new Nyquist is kept whole, sampled as (−1)^j.
    Up and down again returns the samples."""
    x_old = np.arange(old) / old
    x_new = np.arange(new) / new
    top = min(old, new) // 2

    def field(x):
        field = 0.3 + sum(np.cos(2 * np.pi * k * x + k) / (k + 1) for k in range(1, top))
        if min(old, new) % 2 == 0:
            field = field + 0.7 * np.cos(2 * np.pi * top * x)
        return field

    np.testing.assert_allclose(field_file.resample(field(x_old), new), field(x_new), atol=1e-14)
    if new > old:
        back = field_file.resample(field_file.resample(field(x_old), new), old)
        np.testing.assert_allclose(back, field(x_old), atol=1e-14)
