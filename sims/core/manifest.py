"""The batch manifest: every run recorded durably as it ends, and a summary when the batch ends.

* ``<name>_manifest.jsonl``: an append-only JSON Lines log, one line per run, written by rank 0
  and flushed to disk (``fsync``) as each run ends. A kill at any moment loses at most the line
  being written, which readers skip; a run whose file was renamed into place but whose line was
  lost is found again by ``--resume`` (its file carries its fingerprint). ``--resume`` appends,
  so the log keeps every attempt; a fresh batch starts it anew.
* ``<name>_manifest.json``: one JSON document written atomically at the end of each invocation:
  the scenario, the ranks, whether the batch is complete, and this invocation's entries.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from sims.core.files import atomic_output

MAX_LOG_BYTES = 1 << 30  # ~10⁶ runs' lines: a larger log is not ours


class ManifestLog:
    """The append-only log of a batch's runs (a context manager; rank 0 only).

    Parameters
    ----------
    path : Path
        The ``.jsonl`` file (a planted symbolic link is refused, not followed).
    fresh : bool
        Start an empty log (a new batch) instead of appending to the one there (``--resume``).
    """

    def __init__(self, path: Path, fresh: bool):
        flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC
        self.path = path
        self._descriptor = os.open(path, flags | (os.O_TRUNC if fresh else 0), 0o644)
        size = os.fstat(self._descriptor).st_size
        if size and os.pread(self._descriptor, 1, size - 1) != b"\n":
            os.write(self._descriptor, b"\n")  # end a line torn by a kill: it stays unreadable

    def append(self, entry: dict) -> None:
        """Write ``entry`` as one line and flush it to disk."""
        os.write(self._descriptor, (json.dumps(entry, default=str) + "\n").encode())
        os.fsync(self._descriptor)

    def close(self) -> None:
        """Close the log (every line is already on disk)."""
        os.close(self._descriptor)

    def __enter__(self) -> ManifestLog:
        return self

    def __exit__(self, *exception) -> None:
        self.close()


def read_log(path: Path) -> list[dict]:
    """The entries of a manifest log, skipping lines a kill left incomplete.

    Raises
    ------
    OSError
        If the log is a symbolic link, unreadable, or larger than :data:`MAX_LOG_BYTES`.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(descriptor, "rb") as handle:
        if os.fstat(handle.fileno()).st_size > MAX_LOG_BYTES:
            raise OSError(f"{path}: larger than {MAX_LOG_BYTES} bytes: not a manifest log")
        entries = []
        for line in handle:
            try:
                entry = json.loads(line)
            except (UnicodeDecodeError, json.JSONDecodeError):
                continue
            if isinstance(entry, dict):
                entries.append(entry)
    return entries


def write_summary(path: Path, document: dict) -> None:
    """Write the end-of-invocation summary atomically."""
    text = json.dumps(document, indent=1, default=str)
    with atomic_output(path) as temporary:
        temporary.write_text(text)
