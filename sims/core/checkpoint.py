"""Checkpoint files: a run's state in a self-describing array format, checked before it is used.

A checkpoint is an uncompressed ``.npz`` archive (``numpy.load(path, allow_pickle=False)`` opens
it) of plain ``.npy`` members:

* ``header.npy``: UTF-8 JSON as a uint8 array: the format name and version, who wrote it (the
  run's fingerprint, the entrosim version, the CPU target Numba compiles for), the step count,
  the *tree* (how the arrays nest into the state's dicts and lists, and which were Python
  scalars) and the SHA-256 of the tree and of every array member;
* ``a0.npy``, ``a1.npy``, ...: one array each, of a numeric or boolean dtype.

Nothing is ever unpickled, and a file is treated as hostile: :func:`read_checkpoint` refuses a
symbolic link, a file larger than the memory it may use, compressed or unexpected members,
object dtypes, array headers whose shape does not match their data, and any digest mismatch,
all before an array is built. What the state *means* (shapes, finite values, a model's
invariants) is checked afterwards by the run loop and the model.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

FORMAT_NAME = "entrosim-checkpoint"
FORMAT_VERSION = 1
_HEADER = "header.npy"
_ARRAY_NAME = re.compile(r"^a[0-9]{1,9}\.npy$")
_MAX_HEADER_BYTES = 1 << 24  # the tree of a state and its records; arrays live outside it
_SCALARS = (bool, int, float, np.generic)


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; ``str()`` is one line naming the file and the problem."""

    def __init__(self, path: Path, problem: str):
        self.path, self.problem = path, problem
        super().__init__(f"{path}: {problem}")


@dataclass(frozen=True)
class Checkpoint:
    """What a checkpoint holds: the step count, the model state and the records so far."""

    step_count: int
    state: dict[str, Any]
    records: list[dict[str, Any]]


def write_checkpoint(
    file, identity: dict[str, str], step_count: int, state: dict, records: list
) -> None:
    """Write a checkpoint to the open binary ``file`` (see the module docstring).

    Parameters
    ----------
    file : binary file object
        Where the archive goes (the caller makes the write atomic).
    identity : dict of str
        Who may resume from it: run fingerprint, entrosim version, CPU target.
    step_count : int
        Steps done.
    state, records : dict, list
        The model state and the records so far: nested dicts (str keys), lists and tuples of
        arrays, numpy or Python scalars, strings and None.

    Raises
    ------
    TypeError
        If the state holds anything else (an object that would need pickling).
    """
    arrays: list[np.ndarray] = []
    tree = _encode({"state": state, "records": records}, arrays)
    members = [_npy_bytes(array) for array in arrays]
    header = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "identity": identity,
        "step_count": int(step_count),
        "tree": tree,
        "tree_sha256": _sha256(_canonical(tree)),
        "arrays_sha256": [_sha256(member) for member in members],
    }
    header_array = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        archive.writestr(_HEADER, _npy_bytes(header_array))
        for index, member in enumerate(members):
            archive.writestr(f"a{index}.npy", member)


def read_checkpoint(path: Path, identity: dict[str, str], max_bytes: int) -> Checkpoint:
    """Read and verify a checkpoint written by :func:`write_checkpoint` for this run.

    Parameters
    ----------
    path : Path
        The checkpoint file (a symbolic link is refused, not followed).
    identity : dict of str
        The reader's run fingerprint, entrosim version and CPU target; each must match.
    max_bytes : int
        Largest file accepted (B): the memory the arrays may take.

    Raises
    ------
    CheckpointError
        If the file is not a regular file, too large, truncated, not an entrosim checkpoint,
        written for another run, version or CPU target, or fails its digests.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        problem = "is a symbolic link" if os.path.islink(path) else error.strerror
        raise CheckpointError(path, f"cannot open: {problem}") from None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise CheckpointError(path, "not a regular file")
        if info.st_size > max_bytes:
            raise CheckpointError(
                path, f"{info.st_size} bytes, more than the {max_bytes} bytes it may take"
            )
        try:
            with zipfile.ZipFile(handle) as archive:
                return _read_archive(path, archive, identity)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as error:
            raise CheckpointError(path, f"corrupt or truncated: {error}") from None
        except RecursionError:
            raise CheckpointError(
                path, "its header nests too deeply: not an entrosim file"
            ) from None


def _read_archive(path: Path, archive: zipfile.ZipFile, identity: dict[str, str]) -> Checkpoint:
    members = {info.filename: info for info in archive.infolist()}
    for name, info in members.items():
        if name != _HEADER and not _ARRAY_NAME.match(name):
            raise CheckpointError(path, f"unexpected member {name[:40]!r}: not an entrosim file")
        if info.compress_type != zipfile.ZIP_STORED:
            raise CheckpointError(path, f"member {name!r} is compressed: not an entrosim file")
    if _HEADER not in members or members[_HEADER].file_size > _MAX_HEADER_BYTES:
        raise CheckpointError(path, "no readable header: not an entrosim checkpoint")
    header = _parse_header(path, _npy_array(path, _HEADER, archive.read(_HEADER)))
    for key, expected in identity.items():
        found = header["identity"].get(key)
        if found != expected:
            raise CheckpointError(path, f"written for another {_IDENTITY_WORDS[key](found)}")
    digests = header["arrays_sha256"]
    if _sha256(_canonical(header["tree"])) != header["tree_sha256"]:
        raise CheckpointError(path, "SHA-256 mismatch in the header: the file is corrupt")
    if set(members) != {_HEADER, *(f"a{i}.npy" for i in range(len(digests)))}:
        raise CheckpointError(path, "members and header disagree: the file is corrupt")
    arrays = []
    for index, digest in enumerate(digests):
        name = f"a{index}.npy"
        raw = archive.read(name)
        if _sha256(raw) != digest:
            raise CheckpointError(path, f"SHA-256 mismatch in {name}: the file is corrupt")
        arrays.append(_npy_array(path, name, raw))
    try:
        tree = _decode(header["tree"], arrays, set())
    except (KeyError, IndexError, TypeError, ValueError) as error:
        raise CheckpointError(path, f"malformed tree: {error}") from None
    if not isinstance(tree, dict) or set(tree) != {"state", "records"}:
        raise CheckpointError(path, "malformed tree: not an entrosim checkpoint")
    if not isinstance(tree["state"], dict) or not isinstance(tree["records"], list):
        raise CheckpointError(path, "malformed tree: not an entrosim checkpoint")
    if not all(isinstance(record, dict) for record in tree["records"]):
        raise CheckpointError(path, "malformed tree: a record is not a mapping")
    return Checkpoint(header["step_count"], tree["state"], tree["records"])


_IDENTITY_WORDS: dict[str, Callable[[Any], str]] = {
    "run": lambda found: "run (other parameters, seed or member)",
    "entrosim": lambda found: f"entrosim version ({found})",
    "cpu_target": lambda found: f"CPU target ({found}): results are bitwise per machine type",
}


def _parse_header(path: Path, array: np.ndarray) -> dict:
    try:
        header = json.loads(array.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CheckpointError(path, "header is not JSON: not an entrosim checkpoint") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise CheckpointError(path, "not an entrosim checkpoint")
    if header.get("version") != FORMAT_VERSION:
        raise CheckpointError(
            path, f"format version {header.get('version')!r}, this entrosim reads {FORMAT_VERSION}"
        )
    expected = {
        "identity": dict,
        "step_count": int,
        "tree": dict,
        "tree_sha256": str,
        "arrays_sha256": list,
    }
    for key, kind in expected.items():
        if not isinstance(header.get(key), kind) or isinstance(header.get(key), bool):
            raise CheckpointError(path, f"header field {key!r} is missing or malformed")
    if header["step_count"] < 0 or not all(isinstance(d, str) for d in header["arrays_sha256"]):
        raise CheckpointError(path, "header fields are malformed")
    return header


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _npy_array(path: Path, name: str, raw: bytes) -> np.ndarray:
    """An array from ``.npy`` bytes whose header must describe exactly the data that follow."""
    stream = io.BytesIO(raw)
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"unsupported .npy version {version}")
    except ValueError as error:
        raise CheckpointError(path, f"{name}: not a .npy array ({error})") from None
    if dtype.hasobject or dtype.kind not in "biufc":
        raise CheckpointError(path, f"{name}: dtype {dtype.str!r} is not numeric")
    size = int(np.prod(shape, dtype=object))
    offset = stream.tell()
    if size * dtype.itemsize != len(raw) - offset:
        raise CheckpointError(path, f"{name}: its header does not match its data")
    array = np.frombuffer(raw, dtype=dtype, count=size, offset=offset)
    return array.reshape(shape, order="F" if fortran else "C").copy()


def _encode(value: Any, arrays: list[np.ndarray]) -> dict:
    if isinstance(value, np.ndarray) or isinstance(value, _SCALARS):
        if isinstance(value, np.ndarray) and (
            value.dtype.hasobject or value.dtype.kind not in "biufc"
        ):
            raise TypeError(f"cannot checkpoint an array of dtype {value.dtype}")
        arrays.append(np.asarray(value))
        kind = (
            "array"
            if isinstance(value, np.ndarray)
            else ("numpy" if isinstance(value, np.generic) else "python")
        )
        return {kind: len(arrays) - 1}
    if isinstance(value, str) or value is None:
        return {"text": value}
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("cannot checkpoint a mapping with non-string keys")
        return {"dict": [[key, _encode(item, arrays)] for key, item in value.items()]}
    if isinstance(value, list | tuple):
        kind = "list" if isinstance(value, list) else "tuple"
        return {kind: [_encode(item, arrays) for item in value]}
    raise TypeError(f"cannot checkpoint a {type(value).__name__}")


def _decode(node: dict, arrays: list[np.ndarray], used: set[int]) -> Any:
    if not isinstance(node, dict) or len(node) != 1:
        raise ValueError("a node is not a one-key mapping")
    ((kind, content),) = node.items()
    if kind in ("array", "numpy", "python"):
        if not isinstance(content, int) or isinstance(content, bool) or content in used:
            raise ValueError("an array is referenced twice or by a bad index")
        used.add(content)
        array = arrays[content]
        if kind == "array":
            return array
        if array.ndim:
            raise ValueError("a scalar is stored as an array")
        return array[()] if kind == "numpy" else array.item()
    if kind == "text":
        if content is not None and not isinstance(content, str):
            raise ValueError("a text node holds no text")
        return content
    if kind == "dict":
        return {_key(key): _decode(item, arrays, used) for key, item in content}
    if kind in ("list", "tuple"):
        items = [_decode(item, arrays, used) for item in content]
        return items if kind == "list" else tuple(items)
    raise ValueError(f"unknown node kind {kind[:20]!r}")


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise ValueError("a mapping key is not a string")
    return key


def _canonical(tree: dict) -> bytes:
    return json.dumps(tree, sort_keys=True, separators=(",", ":")).encode()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
