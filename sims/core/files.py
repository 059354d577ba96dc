"""Files in a shared output directory: atomic writes, no planted links, one batch at a time.

An output directory on a cluster's file system may be writable by others, and several jobs
may point at it. So:

* every file is written inside a fresh private directory (mode 0700, created exclusively by
  :func:`tempfile.mkdtemp`) beside its target and renamed into place only when complete
  (:func:`atomic_output`): a link planted under a temporary or final name is never written
  through (a rename replaces the link itself), and a failed write leaves nothing behind;
* a batch holds an exclusive ``fcntl`` lock on ``.<name>.lock`` for as long as it runs
  (:func:`scenario_lock`); a second batch of the same scenario name in the same directory is
  refused, and a lock left by a killed process (the kernel drops it with the process) is
  taken over.

Input files (data a scenario names) are read by :func:`read_untrusted`: the whole regular file,
never through a link, after checking that parsing it can fit in memory.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import re
import shutil
import socket
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger("entrosim")

PARTIAL_SUFFIX = ".part"
_PARTIAL = re.compile(r"^\.(.+)\.[a-z0-9_]{8}\.part$")  # mkdtemp's names in atomic_output


class OutputLocked(Exception):
    """Another entrosim process holds the scenario's lock; ``str()`` is one line."""


class RefusedFile(ValueError):
    """An input file refused by :func:`read_untrusted`; ``str()`` is ``PATH: problem``."""


def read_untrusted(path: Path, memory_per_byte: float = 1.0) -> bytes:
    """The bytes of the regular file ``path``, read as untrusted input.

    The file is opened without following a symbolic link (a FIFO does not block the open), must
    be a regular file, and is refused before reading if ``memory_per_byte`` times its size
    (what parsing it needs, B per B) exceeds the memory available.

    Raises
    ------
    RefusedFile
        A link, not a regular file, unreadable, or too large.
    """
    from sims.core import resources

    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError as error:
        link = error.errno == errno.ELOOP or Path(path).is_symlink()
        problem = "a symbolic link (links are not followed)" if link else error.strerror
        raise RefusedFile(f"{path}: {problem}") from None
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode):
        os.close(descriptor)
        raise RefusedFile(f"{path}: not a regular file")
    with os.fdopen(descriptor, "rb") as handle:
        needed = memory_per_byte * status.st_size
        available = resources.available_memory()
        if needed > available:
            raise RefusedFile(
                f"{path}: {resources.format_bytes(status.st_size)} needs "
                f"~{resources.format_bytes(needed)} in memory, "
                f"{resources.format_bytes(available)} available"
            )
        return handle.read(status.st_size + 1)[: status.st_size]


def is_regular_file(path: Path) -> bool:
    """Whether ``path`` itself is a regular file (a symbolic link is not, whatever it targets)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


@contextlib.contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """Yield a temporary path to write; rename it to ``target`` when the block succeeds.

    The temporary file lives in a private directory ``.<target name>.<random>.part`` beside the
    target (so the rename stays on one file system) and is flushed to disk before the rename.
    Whatever happens, the private directory is removed.
    """
    target = Path(target)
    directory = Path(
        tempfile.mkdtemp(prefix=f".{target.name}.", suffix=PARTIAL_SUFFIX, dir=target.parent)
    )
    temporary = directory / target.name
    try:
        yield temporary
        _fsync(temporary)
        os.replace(temporary, target)
        _fsync(target.parent)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        os.fsync(descriptor)
    except OSError as error:  # some file systems cannot fsync a directory
        if error.errno not in (errno.EINVAL, errno.EBADF, errno.ENOTSUP):
            raise
    finally:
        os.close(descriptor)


def remove_partials(directory: Path, is_ours) -> None:
    """Remove the temporary directories that killed writers of our files left in ``directory``.

    ``is_ours(name)`` tells whether a target file name belongs to the caller's scenario. Only
    call this while holding the scenario's lock: then no live process writes those files.
    """
    with os.scandir(directory) as entries:
        for entry in entries:
            match = _PARTIAL.match(entry.name)
            if match and is_ours(match.group(1)) and entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)


@contextlib.contextmanager
def scenario_lock(directory: Path, name: str) -> Iterator[None]:
    """Hold the exclusive lock of scenario ``name`` in ``directory`` for the block.

    Raises
    ------
    OutputLocked
        If another process holds it: ``<lock file>: locked by another entrosim run (pid N,
        host H)``.
    OSError
        If the lock file cannot be opened (a planted symbolic link, a read-only directory).
    """
    path = Path(directory) / f".{name}.lock"
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        previous = os.pread(descriptor, 200, 0).decode("utf-8", "replace").strip()
        try:
            fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EACCES, errno.EAGAIN):
                raise
            holder = os.pread(descriptor, 200, 0).decode("utf-8", "replace").strip()
            raise OutputLocked(
                f"{path}: locked by another entrosim run ({holder or 'pid and host unknown'})"
            ) from None
        if previous:
            log.warning("%s: taking over a stale lock (%s no longer holds it)", path, previous)
        holder = f"pid {os.getpid()}, host {socket.gethostname()}".encode()
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, holder, 0)
        try:
            yield
        finally:
            os.ftruncate(descriptor, 0)  # a clean exit leaves no holder behind
    finally:
        os.close(descriptor)  # releases the lock
