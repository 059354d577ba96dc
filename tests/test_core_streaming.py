"""Records streamed to disk: the same files as runs held in memory, bounded memory, and
checkpoints whose size does not grow with the run."""

import numpy as np
import pytest
import xarray as xr

from sims.core import output, record_log
from sims.core.simulation import Simulation
from tests.test_core_checkpoint import IDENTITY, SYSTEMS, _build


@pytest.fixture
def tiny_segments(monkeypatch):
    """A segment per record, and every array read back lazily: the most streaming possible."""
    monkeypatch.setattr(record_log, "SEGMENT_BYTES", 1)
    monkeypatch.setattr(record_log, "LAZY_BYTES", 0)


@pytest.mark.parametrize("system", SYSTEMS)
def test_a_streamed_run_writes_the_file_a_run_in_memory_writes(system, tmp_path, tiny_segments):
    in_memory = Simulation(_build(system))
    output.write_netcdf(in_memory.run(), tmp_path / "memory.nc")
    assert in_memory.log.segments == 0
    streamed = Simulation(_build(system), records_path=tmp_path / "records", identity=IDENTITY)
    dataset = streamed.run()
    assert streamed.log.segments == len(streamed.log) - 1  # the last stays in memory
    if system not in ("peccary", "lastmile"):  # their records hold no arrays
        assert any(variable.chunks for variable in dataset.variables.values())
    output.write_netcdf(dataset, tmp_path / "streamed.nc")
    with (
        xr.open_dataset(tmp_path / "memory.nc") as a,
        xr.open_dataset(tmp_path / "streamed.nc") as b,
    ):
        xr.testing.assert_identical(a, b)
    streamed.discard_checkpoint()
    assert not (tmp_path / "records").exists()


def test_a_non_finite_snapshot_read_back_from_disk_is_refused(tmp_path, tiny_segments):
    dataset = Simulation(
        _build("kleingordon"), records_path=tmp_path / "r", identity=IDENTITY
    ).run()
    dataset["phi"] = dataset.phi.where(dataset.snapshot_time < 1.0)  # lazy, NaN late
    assert dataset.phi.chunks
    with pytest.raises(ValueError, match="'phi' holds NaN"):
        output.write_netcdf(dataset, tmp_path / "out.nc")
    assert not (tmp_path / "out.nc").exists()


def _checkpoint_bytes(duration, tmp_path):
    from sims.kleingordon.model import KleinGordonModel, KleinGordonParams

    params = KleinGordonParams(
        points=256, length=40.0, time_step=0.05, duration=duration, record_interval=0.1
    )
    path = tmp_path / f"{duration}.ckpt"
    simulation = Simulation(
        KleinGordonModel(params, np.random.SeedSequence(0)), path, checkpoint_interval=0.0,
        identity=IDENTITY,
    )  # fmt: skip
    sizes = []
    write = simulation._write_checkpoint

    def write_and_measure():
        done = write()
        sizes.append(path.stat().st_size)
        return done

    simulation._write_checkpoint = write_and_measure
    simulation.run()
    return sizes


def test_a_checkpoint_holds_the_state_not_the_records(tmp_path):
    short, long = _checkpoint_bytes(1.0, tmp_path), _checkpoint_bytes(4.0, tmp_path)
    assert len(short) == 10 and len(long) == 40  # after every record but the last
    assert max(long) <= min(short) + 8  # the same but for the counts' digits in its header
