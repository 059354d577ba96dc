"""Checkpoints: bitwise round trips for every system, refusal of corrupt, foreign and crafted
files before any state is used, and resume that restarts (and says so) instead of failing."""

import io
import json
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import sims
from sims.core import fingerprint
from sims.core.checkpoint import CheckpointError, read_checkpoint, write_checkpoint
from sims.core.simulation import Simulation
from tests.conftest import assert_same_run, run_cli

IDENTITY = fingerprint.checkpoint_identity("run")


def _coffee(model):
    from sims.coffee.model import CoffeeModel, CoffeeParams

    return CoffeeModel, CoffeeParams(model=model, grid_size=16, n_records=12, grain_size=3)


def _couzin(boundary):
    from sims.couzin.model import CouzinModel, CouzinParams

    extra = {"box_size": 40.0, "initial_region": "box"} if boundary == "periodic" else {}
    params = CouzinParams(
        n_agents=24, boundary=boundary, duration=3.0, record_interval=0.5, snapshot_stride=2,
        orientation_width=2.0, attraction_width=6.0, **extra,
    )  # fmt: skip
    return CouzinModel, params


def _harddisc():
    from sims.harddisc.model import HardDiscModel, HardDiscParams

    params = HardDiscParams(
        n_discs=60, area_fraction=0.1, duration=4.0, record_interval=1.0, time_quantum=0.5,
        delta_v=(0.5, 1.0), spatial_cells=2,
    )  # fmt: skip
    return HardDiscModel, params


def _kleingordon():
    from sims.kleingordon.model import KleinGordonModel, KleinGordonParams

    params = KleinGordonParams(
        points=64, length=40.0, time_step=0.05, duration=2.0, record_interval=0.5,
        noise_amplitude=0.01,
    )  # fmt: skip
    return KleinGordonModel, params


def _peccary():
    from sims.peccary.model import PeccaryModel, PeccaryParams

    series = {
        "noise": {"kind": "white_noise", "count": 2},
        "pink": {"kind": "coloured_noise"},
        "map": {"kind": "henon", "variables": ["x", "y"]},
        "flow": {"kind": "lorenz"},
        "orbit": {"kind": "henon_heiles"},
        "wave": {"kind": "sine"},
    }
    return PeccaryModel, PeccaryParams(samples=400, max_delay=3, series=series)


def _lastmile():
    from sims.lastmile.model import LastMileModel, LastMileParams

    synthetic = {"stations": ["DLA9"], "routes_per_city": 3, "stops_per_route": 40.0}
    return LastMileModel, LastMileParams(synthetic=synthetic)


SYSTEMS = {
    "coffee-interacting": lambda: _coffee("interacting"),
    "coffee-walkers": lambda: _coffee("non_interacting"),
    "couzin-open": lambda: _couzin("unbounded"),
    "couzin-periodic": lambda: _couzin("periodic"),
    "harddisc": _harddisc,
    "kleingordon": _kleingordon,
    "peccary": _peccary,
    "lastmile": _lastmile,
}


def _build(system):
    model_class, params = SYSTEMS[system]()
    return model_class(params, np.random.SeedSequence(11))


def _interrupted(system, path):
    """A simulation stopped mid-run, its checkpoint at ``path``, as a kill would leave it.

    It checkpoints after every record and stops before its last record; a run with a single
    record is checkpointed before it (after one step, where the record is not at step 0).
    """
    model = _build(system)
    steps = model.record_steps()
    simulation = Simulation(model, path, checkpoint_interval=0.0, identity=IDENTITY)
    write = simulation._write_checkpoint

    def write_and_remember():
        simulation.saved = (model.step_count, model.get_state(), _records(simulation))
        return write()

    simulation._write_checkpoint = write_and_remember
    if len(steps) == 1:
        if steps[0] > 0:
            model.advance(1)
        simulation._write_checkpoint()
        return simulation
    observe, count = model.observe, {"records": 0}

    def observe_then_stop():
        if count["records"] == len(steps) - 1:
            raise KeyboardInterrupt
        count["records"] += 1
        return observe()

    model.observe = observe_then_stop
    with pytest.raises(KeyboardInterrupt):
        simulation.run()
    return simulation


def _records(simulation):
    """Every record so far, read back from disk."""
    return [
        {key: np.asarray(value) if hasattr(value, "dask") else value for key, value in r.items()}
        for r in simulation.log.records(1 << 30)
    ]


def assert_same_tree(a, b, where="state"):
    assert type(a) is type(b), where
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            assert_same_tree(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same_tree(x, y, f"{where}[{index}]")
    elif isinstance(a, np.ndarray | np.generic):
        assert a.dtype == b.dtype and np.shape(a) == np.shape(b), where
        assert np.asarray(a).tobytes() == np.asarray(b).tobytes(), where
    else:
        assert a == b, where


@pytest.mark.parametrize("system", SYSTEMS)
def test_state_and_records_round_trip_bitwise_and_the_run_continues_identically(system, tmp_path):
    path = tmp_path / "run.ckpt"
    uninterrupted = Simulation(_build(system)).run()
    stopped = _interrupted(system, path)
    resumed = Simulation(_build(system), path, identity=IDENTITY)
    assert resumed.resume()
    step_count, state, records = stopped.saved
    assert resumed.model.step_count == step_count
    assert_same_tree(resumed.model.get_state(), state)
    assert_same_tree(_records(resumed), records, "records")
    xr.testing.assert_identical(resumed.run(), uninterrupted)


def _rewrite(path: Path, change):
    """Load a checkpoint, apply ``change(state)`` and write it back with valid digests: a crafted
    file that passes every checksum."""
    saved = read_checkpoint(path, IDENTITY, 1 << 30)
    change(saved.state["model"])
    buffer = io.BytesIO()
    write_checkpoint(buffer, IDENTITY, saved.step_count, saved.state, saved.records)
    path.write_bytes(buffer.getvalue())


def _set(name, function):
    def change(state):
        state[name] = function(state[name])

    return change


def _flip_one_cream_cell(grid):
    grid = grid.copy()
    grid.flat[np.flatnonzero(grid)[0]] = 0
    return grid


def _overlap_two_discs(kinematics):
    from sims.harddisc import kernels

    kinematics = kinematics.copy()
    kinematics[1, kernels.X : kernels.Y + 1] = kinematics[0, kernels.X : kernels.Y + 1]
    kinematics[1, kernels.T] = kinematics[0, kernels.T]
    kinematics[1, kernels.VX : kernels.VY + 1] = kinematics[0, kernels.VX : kernels.VY + 1]
    return kinematics


def _alter_generator(state):
    state["generators"][2]["variables"] = np.array([0, 1000], dtype=np.int64)  # out of bounds


CRAFTED = [
    ("coffee-interacting", _set("grid", _flip_one_cream_cell), "cream particles, not 128"),
    ("coffee-interacting", _set("grid", lambda g: g * 2), "more than one particle"),
    ("coffee-walkers", _set("rows", lambda r: r + 100), "rows holds values outside"),
    ("coffee-walkers", _set("grid", lambda g: np.roll(g, 1)), "does not count the walkers"),
    ("coffee-interacting", _set("rng_state", np.zeros_like), "all-zero xoshiro"),
    ("couzin-open", _set("headings", lambda h: 2 * h), "not unit vectors"),
    ("couzin-open", _set("positions", lambda p: p * np.nan), "NaN or infinity"),
    ("couzin-periodic", _set("positions", lambda p: p + 100), "outside the periodic box"),
    ("harddisc", _set("kinematics", _overlap_two_discs), "overlap|not N k_B T"),
    ("harddisc", _set("cell_next", lambda n: n * 0 + 10**6), "cell_next holds values outside"),
    ("harddisc", _set("cell_next", lambda n: np.roll(n, 1)), "cell lists are broken"),
    ("harddisc", _set("heap_slot", lambda s: s[::-1].copy()), "heap entries"),
    ("harddisc", _set("label", lambda label: label * 0), "permutation"),
    ("harddisc", _set("kinematics", lambda k: 1.01 * k), "not N k_B T"),
    ("kleingordon", _set("phi_hat", lambda f: 3 * f), "energy"),
    ("kleingordon", _set("pi_hat", lambda f: np.full_like(f, np.inf)), "NaN or infinity"),
    ("peccary", _alter_generator, "variables was altered"),
    ("peccary", _set("values", lambda v: v * np.nan), "NaN or infinity"),
]


@pytest.mark.parametrize(("system", "change", "problem"), CRAFTED, ids=[
    f"{case[0]}-{case[2].split()[0]}" for case in CRAFTED
])  # fmt: skip
def test_a_crafted_state_with_valid_digests_is_refused_by_the_model(
    system, change, problem, tmp_path
):
    path = tmp_path / "run.ckpt"
    _interrupted(system, path)
    assert Simulation(_build(system), path, identity=IDENTITY).resume()  # the genuine one loads
    _rewrite(path, change)
    fresh = _build(system)
    before = fresh.get_state()
    with pytest.raises(CheckpointError, match=problem) as error:
        Simulation(fresh, path, identity=IDENTITY).resume()
    assert "\n" not in str(error.value) and str(path) in str(error.value)
    assert_same_tree(fresh.get_state(), before)  # nothing was restored


def _checkpoint(tmp_path) -> Path:
    path = tmp_path / "run.ckpt"
    _interrupted("coffee-interacting", path)
    return path


def test_every_flipped_byte_or_truncation_is_caught_before_use(tmp_path):
    """A flipped byte is refused, or fell in archive metadata that changes nothing read (a
    member's timestamp): then the state is bitwise the original."""
    path = _checkpoint(tmp_path)
    original = path.read_bytes()
    genuine = read_checkpoint(path, IDENTITY, 1 << 30)
    with zipfile.ZipFile(path) as archive:
        data = set()  # positions of the members' contents (headers, arrays)
        for info in archive.infolist():
            start = info.header_offset + 30 + len(info.filename) + len(info.extra)
            data.update(range(start, start + info.compress_size))
    grid = _member_range(path, genuine.state["model"], "grid")  # every byte of the cream grid
    for position in sorted({*np.linspace(0, len(original) - 1, 400).astype(int), *grid}):
        damaged = bytearray(original)
        damaged[position] ^= 0x10
        path.write_bytes(bytes(damaged))
        try:
            loaded = read_checkpoint(path, IDENTITY, 1 << 30)
        except CheckpointError:
            continue
        assert position not in data
        assert loaded.step_count == genuine.step_count
        assert_same_tree(loaded.state, genuine.state)
        assert_same_tree(loaded.records, genuine.records, "records")
    for length in (0, 10, len(original) // 2, len(original) - 1):
        path.write_bytes(original[:length])
        with pytest.raises(CheckpointError, match="corrupt or truncated|not an entrosim"):
            read_checkpoint(path, IDENTITY, 1 << 30)


class _Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "pwned"))


def test_a_pickle_checkpoint_is_never_unpickled(tmp_path):
    path = tmp_path / "run.ckpt"
    marker = tmp_path / "marker"
    path.write_bytes(pickle.dumps({"format": 1, "payload": _Exploit(marker)}))
    with pytest.raises(CheckpointError, match="corrupt or truncated"):
        read_checkpoint(path, IDENTITY, 1 << 30)
    buffer = io.BytesIO()  # a pickle smuggled into an .npz member as an object array
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("header.npy", _npy(np.frombuffer(b"{}", np.uint8)))
        member = io.BytesIO()
        np.save(member, np.array([_Exploit(marker)], dtype=object), allow_pickle=True)
        archive.writestr("a0.npy", member.getvalue())
    path.write_bytes(buffer.getvalue())
    with pytest.raises(CheckpointError):
        read_checkpoint(path, IDENTITY, 1 << 30)
    assert not marker.exists()


def _member_range(path, state, name):
    """Positions in the file of the stored bytes of state array ``name``."""
    index = list(state).index(name)  # the state's arrays are stored first, in order
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(f"a{index}.npy")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    return range(start, start + info.compress_size)


def _npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _archive(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_foreign_and_hostile_archives_are_refused_before_allocating(tmp_path):
    path = _checkpoint(tmp_path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    header = json.loads(np.load(io.BytesIO(members["header.npy"])).tobytes())

    def refused(problem, files=None, compression=zipfile.ZIP_STORED):
        _archive(path, files if files is not None else members, compression)
        with pytest.raises(CheckpointError, match=problem):
            read_checkpoint(path, IDENTITY, 1 << 30)

    refused("is compressed", compression=zipfile.ZIP_DEFLATED)  # no zip bombs
    refused("unexpected member", {**members, "../evil": b""})
    refused("no readable header", {k: v for k, v in members.items() if k != "header.npy"})
    huge = np.lib.format.header_data_from_array_1_0(np.zeros(1))
    huge["shape"] = (10**12,)  # a header promising 8 TB of data it does not have
    stream = io.BytesIO()
    np.lib.format.write_array_header_1_0(stream, huge)
    refused("SHA-256 mismatch|does not match", {**members, "a0.npy": stream.getvalue() + b"x" * 8})
    for key, value in (("format", "other"), ("version", 99), ("step_count", -1)):
        text = json.dumps({**header, key: value}).encode()
        refused("not an entrosim|format version|malformed", {
            **members, "header.npy": _npy(np.frombuffer(text, np.uint8))
        })  # fmt: skip
    path.write_text("system: coffee\n")
    with pytest.raises(CheckpointError, match="corrupt or truncated"):
        read_checkpoint(path, IDENTITY, 1 << 30)
    assert path.stat().st_size < 100
    with pytest.raises(CheckpointError, match="more than the 10 bytes"):
        read_checkpoint(path, IDENTITY, 10)


def test_a_symbolic_link_is_not_followed(tmp_path):
    real = _checkpoint(tmp_path)
    link = tmp_path / "link.ckpt"
    link.symlink_to(real)
    with pytest.raises(CheckpointError, match="symbolic link"):
        read_checkpoint(link, IDENTITY, 1 << 30)


def test_another_run_version_or_cpu_target_is_named(tmp_path, monkeypatch):
    path = _checkpoint(tmp_path)
    with pytest.raises(CheckpointError, match="another run"):
        read_checkpoint(path, fingerprint.checkpoint_identity("other"), 1 << 30)
    monkeypatch.setattr(sims, "__version__", "9.9.9")
    with pytest.raises(CheckpointError, match=r"another entrosim version \(0\.1\.0\)"):
        read_checkpoint(path, fingerprint.checkpoint_identity("run"), 1 << 30)
    monkeypatch.undo()
    monkeypatch.setattr(fingerprint, "cpu_target", lambda: "pentium")
    with pytest.raises(CheckpointError, match="another CPU target .*bitwise per machine type"):
        read_checkpoint(path, fingerprint.checkpoint_identity("run"), 1 << 30)


def test_the_run_fingerprint_covers_only_the_dynamics():
    from sims.core.scenario import load_scenario

    def fingerprint_of(*overrides):
        scenario = load_scenario("coffee/interacting", list(overrides))
        params = scenario.points[0].params.model_dump(mode="json")
        return fingerprint.run_fingerprint("coffee", params, scenario.spec.seed, 0)

    base = fingerprint_of()
    assert base == fingerprint_of("description=edited", "members=5", "name=other")
    assert base == fingerprint_of("output.checkpoint_interval=1", "output.dir=elsewhere")
    assert base != fingerprint_of("seed=1")
    assert base != fingerprint_of("params.grid_size=50")


def _stopped_run(write_scenario, monkeypatch, capsys, **changes):
    """Run the small coffee scenario with a checkpoint after every record, stopped after four
    records (as by a kill); return its scenario path."""
    from sims.coffee.model import CoffeeModel

    path = write_scenario(output={"checkpoint_interval": 0}, **changes)
    observe, count = CoffeeModel.observe, {"records": 0}

    def observe_then_fail(self):
        count["records"] += 1
        if count["records"] > 4:
            raise RuntimeError("killed")
        return observe(self)

    monkeypatch.setattr(CoffeeModel, "observe", observe_then_fail)
    assert run_cli("run", path, "--quiet", capsys=capsys)[0] == 1
    monkeypatch.setattr(CoffeeModel, "observe", observe)
    return path


def test_editing_description_interval_or_members_keeps_the_checkpoint(
    write_scenario, tmp_path, monkeypatch, capsys
):
    reference = write_scenario("reference.yaml", output={"dir": str(tmp_path / "reference")})
    assert run_cli("run", reference, "--quiet", capsys=capsys)[0] == 0
    path = _stopped_run(write_scenario, monkeypatch, capsys)
    assert (tmp_path / "out" / "small_m000.nc.ckpt").exists()
    edited = write_scenario(description="edited", members=2, output={"checkpoint_interval": 5.0})
    assert edited == path
    code, _, err = run_cli("run", edited, "--resume", capsys=capsys)
    assert code == 0 and "small_m000.nc: resuming from step" in err
    with (
        xr.open_dataset(tmp_path / "out" / "small_m000.nc") as resumed,
        xr.open_dataset(tmp_path / "reference" / "small_m000.nc") as reference,
    ):
        assert resumed.attrs["run_fingerprint"] == reference.attrs["run_fingerprint"]
        xr.testing.assert_identical(resumed.drop_attrs(), reference.drop_attrs())


def test_resume_with_a_bad_checkpoint_restarts_and_says_so(
    write_scenario, tmp_path, monkeypatch, capsys
):
    reference = write_scenario("reference.yaml", output={"dir": str(tmp_path / "reference")})
    assert run_cli("run", reference, "--quiet", capsys=capsys)[0] == 0
    path = _stopped_run(write_scenario, monkeypatch, capsys)
    checkpoint = tmp_path / "out" / "small_m000.nc.ckpt"
    checkpoint.write_bytes(checkpoint.read_bytes()[:-100])
    code, _, err = run_cli("run", path, "--resume", capsys=capsys)
    assert code == 0
    warnings = [line for line in err.splitlines() if "WARNING" in line]
    assert len(warnings) == 1 and str(checkpoint) in warnings[0]
    assert "starting the run from scratch" in warnings[0]
    assert not checkpoint.exists()
    assert_same_run(tmp_path / "out" / "small_m000.nc", tmp_path / "reference" / "small_m000.nc")


def test_a_crafted_record_is_refused(tmp_path):
    path = tmp_path / "run.ckpt"
    _interrupted("kleingordon", path)
    segment = tmp_path / "run.ckpt.records" / "00000001.npz"  # a segment per record here
    saved = read_checkpoint(segment, IDENTITY, 1 << 30)
    saved.records[0]["energy"] = np.float64(np.nan)
    buffer = io.BytesIO()
    write_checkpoint(buffer, IDENTITY, saved.step_count, saved.state, saved.records)
    segment.write_bytes(buffer.getvalue())
    with pytest.raises(
        CheckpointError, match=f"{segment}: record 1: non-finite energy at t = 0.5 "
    ):
        Simulation(_build("kleingordon"), path, identity=IDENTITY).resume()


def test_a_missing_segment_or_a_planted_link_is_refused(tmp_path):
    path = tmp_path / "run.ckpt"
    _interrupted("kleingordon", path)
    records = tmp_path / "run.ckpt.records"
    (records / "00000002.npz").unlink()
    with pytest.raises(CheckpointError, match="00000002.npz: cannot open"):
        Simulation(_build("kleingordon"), path, identity=IDENTITY).resume()
    _interrupted("kleingordon", path)
    elsewhere = tmp_path / "elsewhere"
    records.rename(elsewhere)
    records.symlink_to(elsewhere)
    with pytest.raises(CheckpointError, match="records: is a symbolic link"):
        Simulation(_build("kleingordon"), path, identity=IDENTITY).resume()
