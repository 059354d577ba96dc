"""Cache keys for build-time work: the package sources, the scenarios and the library versions.

Anything the docs build computes (figures from runs, executed notebooks) is stored under
``docs/_build/.entrosim_cache/<key>/``, so a rebuild with unchanged code is fast and any change to
``sims/``, ``analysis/``, ``scenarios/`` or the numerical libraries recomputes everything.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import platform
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SOURCE_FOLDERS = ("sims", "analysis", "scenarios")
SOURCE_SUFFIXES = {".py", ".yaml"}
LIBRARIES = ("numpy", "numba", "scipy", "xarray", "matplotlib", "pydantic", "netCDF4", "ipykernel")


@functools.cache
def source_key() -> str:
    """SHA-256 prefix of every source file, the Python version and the library versions."""
    digest = hashlib.sha256(platform.python_version().encode())
    for library in LIBRARIES:
        digest.update(f"{library}={importlib.metadata.version(library)}".encode())
    for folder in SOURCE_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in SOURCE_SUFFIXES and path.is_file() and not path.is_symlink():
                digest.update(path.relative_to(ROOT).as_posix().encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def cache_dir(srcdir: str | Path, kind: str) -> Path:
    """``docs/_build/.entrosim_cache/<kind>/<source key>`` (created)."""
    path = Path(srcdir) / "_build" / ".entrosim_cache" / kind / source_key()
    path.mkdir(parents=True, exist_ok=True)
    return path


def checkout_pythonpath() -> str:
    """``PYTHONPATH`` for child processes: this checkout first, then the caller's own."""
    return os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))


def note_generated(env) -> None:
    """Record that the current document shows output of the code (re-read when it changes)."""
    if not hasattr(env, "entrosim_generated"):
        env.entrosim_generated = set()
    env.entrosim_generated.add(env.docname)


def outdated_by_sources(app, env, added, changed, removed) -> list[str]:
    """Documents to re-read because the sources changed since the last build.

    Sphinx re-reads a page when its own file changes; pages generated from the code (tables,
    figures, executed notebooks) must also be re-read when :func:`source_key` changes.
    """
    key = source_key()
    if getattr(env, "entrosim_source_key", key) == key:
        env.entrosim_source_key = key
        return []
    env.entrosim_source_key = key
    notebooks = [name for name in env.found_docs if env.doc2path(name).suffix == ".ipynb"]
    return sorted(set(getattr(env, "entrosim_generated", ())) | set(notebooks))


def purge_generated(app, env, docname: str) -> None:
    """Forget that a document is generated before it is re-read."""
    getattr(env, "entrosim_generated", set()).discard(docname)


API_STUBS = "api/generated"


def reset_stale_api_stubs(app, config) -> None:
    """Remove autosummary's stubs when the sources changed since they were written.

    autosummary writes a stub per module, class and function but never deletes one: a function
    renamed or moved would leave a stub that fails to import (a warning). The folder records the
    :func:`source_key` it was generated for and is emptied when that key changes.
    """
    folder = Path(app.srcdir) / API_STUBS
    marker = folder / ".source_key"
    if marker.is_file() and marker.read_text() == source_key():
        return
    if folder.is_dir() and not folder.is_symlink():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    marker.write_text(source_key())
