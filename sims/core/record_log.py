"""A run's records on disk: segment files closed one at a time, read back in bounded memory.

Records are kept in memory until they reach :data:`SEGMENT_BYTES` or a checkpoint is due; they
are then written as one *segment*, ``<checkpoint>.records/NNNNNNNN.npz``, in the format of
:mod:`sims.core.checkpoint` and renamed into place. A segment is never appended to, so a kill at
any moment leaves only whole segments (and a temporary directory that the next batch removes); a
checkpoint names how many records and segments were on disk when it was written, and segments
written after it are discarded on resume. Memory therefore stays constant in the number of
records, and a checkpoint's cost does not grow with the run's length.

When the run ends, :meth:`RecordLog.records` gives the model its records back: values up to
:data:`LAZY_BYTES` as they were, larger arrays (snapshots) as :class:`OnDisk` placeholders that
``np.stack`` turns into a dask array of one chunk per segment, read only when the output file is
written.
"""

from __future__ import annotations

import functools
import itertools
import shutil
from pathlib import Path
from typing import Any

import dask
import dask.array
import numpy as np

from sims.core.checkpoint import CheckpointError, read_checkpoint, write_checkpoint
from sims.core.files import atomic_output

SEGMENT_BYTES = 4 << 20
"""Records held in memory before they are written as a segment (B)."""
LAZY_BYTES = 1 << 10
"""Record values larger than this (B) are read back from disk only when written out."""


def memory_of_records(series: float, snapshots: float, snapshot: float) -> float:
    """Peak memory a run's records take (B), for :meth:`Model.memory_estimate`.

    Parameters
    ----------
    series : float
        Bytes of the small values of every record (kept until the dataset is assembled, then
        stacked into variables: counted twice).
    snapshots : float
        Bytes of the large values (snapshots) of every record.
    snapshot : float
        Bytes of the large values of one record.

    Notes
    -----
    Snapshots are held until a segment is full and, while the file is written, two segments
    are cached: a run whose snapshots fit in memory holds them twice (records and variables),
    a longer one never more than three segments.
    """
    return 2 * series + min(2 * snapshots, 3 * (SEGMENT_BYTES + snapshot))


def record_bytes(record: dict[str, Any]) -> int:
    """Memory a record's arrays take (B); scalars and nested values count as 64 B each."""
    return sum(value.nbytes if isinstance(value, np.ndarray) else 64 for value in record.values())


class RecordLog:
    """The records of one run, in memory up to a bound and in segment files beyond it.

    Parameters
    ----------
    directory : Path or None
        Where segments go (created when the first one is written); None keeps every record in
        memory (a run without output files, e.g. in tests and notebooks).
    identity : dict of str
        The run's checkpoint identity, written into and required of every segment.
    """

    def __init__(self, directory: Path | None, identity: dict[str, str]):
        self.directory = directory
        self.identity = identity
        self.on_disk = 0  # records in closed segments
        self.segments = 0
        self.buffer: list[dict[str, Any]] = []
        self._buffer_bytes = 0

    def __len__(self) -> int:
        return self.on_disk + len(self.buffer)

    def append(self, record: dict[str, Any], last: bool = False) -> None:
        """Keep ``record``; write the buffered records out once they exceed the bound.

        The ``last`` record of a run stays in memory: the dataset is assembled next.
        """
        self.buffer.append(record)
        self._buffer_bytes += record_bytes(record)
        if self._buffer_bytes >= SEGMENT_BYTES and not last:
            self.close_segment()

    def close_segment(self) -> None:
        """Write the buffered records as the next segment (nothing when none are buffered)."""
        if not self.buffer or self.directory is None:
            return
        self.directory.mkdir(mode=0o700, exist_ok=True)
        if self.directory.is_symlink() or not self.directory.is_dir():
            raise OSError(f"{self.directory}: not a directory (a planted link?)")
        with atomic_output(self._segment_path(self.segments)) as temporary:
            with open(temporary, "xb") as handle:
                write_checkpoint(handle, self.identity, self.on_disk, {}, self.buffer)
        self.on_disk += len(self.buffer)
        self.segments += 1
        self.buffer, self._buffer_bytes = [], 0

    def restore(self, on_disk: int, segments: int, max_bytes: int, check) -> None:
        """Take back the first ``segments`` segments (``on_disk`` records) named by a checkpoint.

        Each is verified (identity, digests, record count) and each record passed to
        ``check(index, record)``; later segments are removed.

        Raises
        ------
        CheckpointError
            If a segment is missing, corrupt, does not continue the one before it, or ``check``
            raises ValueError on one of its records.
        """
        count = 0
        for index in range(segments):
            for record in self._read_segment(index, count, max_bytes):
                try:
                    check(count, record)
                except (ValueError, ArithmeticError) as error:
                    path = self._segment_path(index)
                    raise CheckpointError(path, f"record {count}: {error}") from None
                count += 1
        if count != on_disk:
            raise CheckpointError(self._segment_path(segments), "segments hold other records")
        self.on_disk, self.segments = on_disk, segments
        self.buffer, self._buffer_bytes = [], 0
        if self.directory is not None and self.directory.is_dir():
            kept = {self._segment_path(index).name for index in range(segments)}
            for path in self.directory.iterdir():
                if path.name in kept:
                    continue
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)  # a temporary directory of a killed write
                else:
                    path.unlink()

    def records(self, max_bytes: int) -> list[dict[str, Any]]:
        """Every record; its large arrays left on disk as :class:`OnDisk` placeholders.

        Raises
        ------
        CheckpointError
            If a segment is missing or corrupt.
        """
        reader = _SegmentReader(self, max_bytes)
        records = []
        for index in range(self.segments):
            segment = reader.first_pass(index)
            for position, record in enumerate(segment):
                records.append(
                    {
                        key: OnDisk(reader, index, position, key, value)
                        if isinstance(value, np.ndarray) and value.nbytes > LAZY_BYTES
                        else value
                        for key, value in record.items()
                    }
                )
        return records + self.buffer

    def discard(self) -> None:
        """Remove every segment (the run's output is safely written)."""
        if self.directory is not None and self.directory.is_dir():
            if not self.directory.is_symlink():
                shutil.rmtree(self.directory)

    def _segment_path(self, index: int) -> Path:
        return self.directory / f"{index:08d}.npz"

    def _read_segment(self, index: int, first: int, max_bytes: int) -> list[dict[str, Any]]:
        if self.directory.is_symlink():  # O_NOFOLLOW guards the file name only
            raise CheckpointError(self.directory, "is a symbolic link, not a directory")
        path = self._segment_path(index)
        saved = read_checkpoint(path, self.identity, max_bytes)
        if saved.step_count != first or saved.state or not saved.records:
            raise CheckpointError(path, f"not segment {index} of this run's records")
        return saved.records


class _SegmentReader:
    """Reads a log's segments for assembly, keeping the last two read (in write order)."""

    def __init__(self, log: RecordLog, max_bytes: int):
        self.log, self.max_bytes = log, max_bytes
        self.first_records = [0]
        self.read = functools.lru_cache(maxsize=2)(self._read)

    def first_pass(self, index: int) -> list[dict[str, Any]]:
        """Segment ``index``, read in order 0, 1, ... (learning where each one starts)."""
        records = self._read(index)
        self.first_records.append(self.first_records[-1] + len(records))
        return records

    def _read(self, index: int) -> list[dict[str, Any]]:
        return self.log._read_segment(index, self.first_records[index], self.max_bytes)

    def block(self, index: int, positions: tuple[int, ...], key: str) -> np.ndarray:
        records = self.read(index)
        return np.stack([records[position][key] for position in positions])


class OnDisk:
    """A record's large array, left in its segment until the output file is written.

    ``np.stack`` of a run's placeholders (what the models' ``to_dataset`` do with snapshots)
    gives a dask array with one chunk per segment; anything else reads the array.
    """

    __slots__ = ("reader", "segment", "position", "key", "shape", "dtype")

    def __init__(self, reader: _SegmentReader, segment: int, position: int, key, value):
        self.reader, self.segment, self.position, self.key = reader, segment, position, key
        self.shape, self.dtype = value.shape, value.dtype

    @property
    def ndim(self) -> int:
        """Number of dimensions of the array."""
        return len(self.shape)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        array = self.reader.read(self.segment)[self.position][self.key]
        return array if dtype is None else array.astype(dtype)

    def __array_function__(self, func, types, args, kwargs):
        if func is np.stack and not kwargs and len(args) == 1:
            return _stack(list(args[0]))
        return func(*_materialised(args), **_materialised(kwargs))


def _stack(values: list) -> dask.array.Array:
    """Stack placeholders (and arrays still in memory) along a new first axis, lazily."""
    blocks, run = [], []
    for value, group in itertools.groupby(
        values, key=lambda v: (v.reader, v.segment, v.key) if isinstance(v, OnDisk) else None
    ):
        group = list(group)
        if value is None:
            run.extend(group)
            continue
        if run:
            blocks.append(dask.array.from_array(np.stack(run)))
            run = []
        reader, segment, key = value
        first = group[0]
        positions = tuple(v.position for v in group)
        load = dask.delayed(reader.block, pure=True)(segment, positions, key)
        blocks.append(dask.array.from_delayed(load, (len(group), *first.shape), first.dtype))
    if run:
        blocks.append(dask.array.from_array(np.stack(run)))
    return dask.array.concatenate(blocks)


def _materialised(value):
    if isinstance(value, OnDisk):
        return np.asarray(value)
    if isinstance(value, list | tuple):
        return type(value)(_materialised(item) for item in value)
    if isinstance(value, dict):
        return {key: _materialised(item) for key, item in value.items()}
    return value
