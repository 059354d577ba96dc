"""A run's records on disk: segment files closed one at a time, read back in bounded memory.

Records are kept in memory until they reach :data:`SEGMENT_BYTES` or a checkpoint is due; they
are then written as one *segment*, ``<run>.records/NNNNNNNN.npz``, in the verified format of
:mod:`sims.core.checkpoint` and renamed into place. A segment is never appended to, so a kill at
any moment leaves only whole segments (and a temporary directory that the next batch removes); a
checkpoint names how many records and segments were on disk when it was written, and segments
written after it are discarded on resume. Memory therefore stays constant in the number of
records, and a checkpoint's cost does not grow with the run's length.

When the run ends, :meth:`RecordLog.records` gives the model its records back: values up to
:data:`LAZY_BYTES` as they were, larger arrays (snapshots) as dask arrays read from their segment
only when the output file is written, one segment at a time.
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path
from typing import Any

import dask
import dask.array
import numpy as np

from sims.core.checkpoint import CheckpointError, read_checkpoint, write_checkpoint
from sims.core.files import atomic_output

SEGMENT_BYTES = 8 << 20
"""Records held in memory before they are written as a segment (B)."""
LAZY_BYTES = 64 << 10
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
    segment_bytes : int, optional
        Memory the records may take before they are written out (B); default
        :data:`SEGMENT_BYTES`.
    """

    def __init__(
        self, directory: Path | None, identity: dict[str, str], segment_bytes: int | None = None
    ):
        self.directory = directory
        self.identity = identity
        self.segment_bytes = SEGMENT_BYTES if segment_bytes is None else segment_bytes
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
        if self._buffer_bytes >= self.segment_bytes and not last:
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
        """Every record, its large arrays as dask arrays read from disk on demand.

        Raises
        ------
        CheckpointError
            If a segment is missing or corrupt.
        """
        loaded = functools.lru_cache(maxsize=2)(self._read_segment)
        records, first = [], 0
        for index in range(self.segments):
            segment = self._read_segment(index, first, max_bytes)
            for position, record in enumerate(segment):
                records.append(
                    {
                        key: _lazy(loaded, (index, first, max_bytes), position, key, value)
                        for key, value in record.items()
                    }
                )
            first += len(segment)
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


def _lazy(loaded, segment: tuple, position: int, key: str, value: Any) -> Any:
    """``value``, or a dask array that reads it from its segment if it is large."""
    if not isinstance(value, np.ndarray) or value.nbytes <= LAZY_BYTES:
        return value

    def read() -> np.ndarray:
        return loaded(*segment)[position][key]

    return dask.array.from_delayed(dask.delayed(read, pure=False)(), value.shape, value.dtype)
