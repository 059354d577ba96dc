"""NetCDF output: CF/ACDD attributes, provenance, compression, atomic writes, and merging."""

from __future__ import annotations

import contextlib
import datetime
import math
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import dask
import netCDF4
import numpy as np
import xarray as xr

import sims
from sims.core.files import atomic_output

CONVENTIONS = "CF-1.10, ACDD-1.3"
NAN_MEANING = "nan_meaning"  # attribute of a variable that may hold NaN: what a NaN means there
CHUNK_BYTES = 1 << 20  # HDF5 chunk of a record-by-record variable (B)
CHUNK_CACHE_BYTES = 4 << 20  # HDF5 chunk cache per variable while writing (B)
_VOLATILE_ATTRIBUTES = ("date_created", "history")
_ABSENT = "absent: this run has no value here (runs of different shapes, aligned by outer join)"
KEYWORDS = ("entropy", "numerical simulation")  # every file's ACDD keywords start with these
STANDARD_NAME_VOCABULARY = "CF Standard Name Table v93"  # the table standard names are checked on
COMMENT = (
    "Model output: a quantity in a unit UDUNITS does not know (body lengths, the model units "
    "of length, energy and time, field units, sweeps, k_B, nats) has units 1 and names its "
    "unit in brackets at the end of its long_name. entrosim run on the scenario attribute "
    "reproduces the data bitwise."
)
# Unit names of the models (and nats, which UDUNITS reads as nano-technical-atmospheres, a
# pressure): a ``units`` string holding one of these words is not a UDUNITS unit
MODEL_UNIT_WORDS = frozenset(
    "BL cell sweep step time length mass energy velocity momentum field k_B particle samples nat "
    "event".split()
)
CONTENT_TYPE = "coverage_content_type"  # ACDD: what a variable holds (modelResult, coordinate, ...)
# Content types a system sets itself (the default is by role, see :func:`cf_annotated`)
REFERENCE_INFORMATION = {CONTENT_TYPE: "referenceInformation"}  # analytic values, baselines
QUALITY_INFORMATION = {CONTENT_TYPE: "qualityInformation"}  # errors of conserved quantities
THEMATIC_CLASSIFICATION = {CONTENT_TYPE: "thematicClassification"}  # regime labels and flags


def now_iso() -> str:
    """Current UTC time in ISO 8601, to the second."""
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()


def global_attributes(
    title: str,
    summary: str,
    keywords: Iterable[str],
    system: str,
    scenario_yaml: str,
    root_seed: int,
    member: int,
    sweep_values: dict,
    sweep_index: int | None,
) -> dict:
    """The global attributes every entrosim file carries (see README, output format).

    ``keywords`` (free text, no controlled vocabulary) follow :data:`KEYWORDS`. Nothing is said
    about who made the file (``creator_*``, ``institution``): whoever runs entrosim is its
    creator, and a name, address or institution would be invented.
    """
    attributes = {
        "Conventions": CONVENTIONS,
        "title": title,
        "summary": " ".join(summary.split()),
        "keywords": ", ".join(dict.fromkeys([*KEYWORDS, *keywords])),
        "comment": COMMENT,
        "standard_name_vocabulary": STANDARD_NAME_VOCABULARY,
        "source": f"entrosim {sims.__version__}",
        "product_version": sims.__version__,
        "history": f"{now_iso()} {' '.join(['entrosim', *sys.argv[1:]])}".strip(),
        "date_created": now_iso(),
        "system": system,
        "scenario": scenario_yaml,
        "root_seed": np.int64(root_seed),
        "member": np.int64(member),
    }
    if sweep_index is not None:
        attributes["sweep_point"] = np.int64(sweep_index)
        attributes["sweep_dims"] = " ".join(sweep_dimension(key) for key in sweep_values)
        for key, value in sweep_values.items():
            plain = isinstance(value, int | float | str) and not isinstance(value, bool)
            attributes[f"sweep.{key}"] = value if plain else str(value)
    return attributes


def sweep_dimension(key: str) -> str:
    """Dimension name of a swept parameter path: ``params.coarse.grain`` -> ``coarse_grain``."""
    return key.removeprefix("params.").replace(".", "_")


def check_variable_attributes(dataset: xr.Dataset) -> None:
    """Raise ValueError if any variable or coordinate lacks ``units`` or ``long_name``."""
    for name, variable in {**dataset.coords, **dataset.data_vars}.items():
        missing = [key for key in ("units", "long_name") if key not in variable.attrs]
        if missing:
            raise ValueError(f"variable {name!r} has no {' or '.join(missing)} attribute")


def netcdf_units(attributes: dict) -> dict:
    """``units`` and ``long_name`` of a variable as written: UDUNITS units or "1".

    A unit of the model (any word of :data:`MODEL_UNIT_WORDS`: ``BL``, ``energy/length2``,
    ``k_B/particle``, ``nat``) is not a physical unit UDUNITS knows: the quantity is written as
    a number, units ``"1"``, with its unit named at the end of the long name
    (``"agent positions [BL]"``). Other units are kept. Idempotent.
    """
    units, long_name = str(attributes["units"]), str(attributes["long_name"])
    if MODEL_UNIT_WORDS.isdisjoint(re.findall(r"[A-Za-z_]+", units)):
        return {"units": units, "long_name": long_name}
    return {"units": "1", "long_name": f"{long_name} [{units}]"}


def cf_annotated(dataset: xr.Dataset) -> xr.Dataset:
    """A shallow copy of ``dataset`` whose variables carry CF units and ACDD content types.

    Units become :func:`netcdf_units`; a variable without ``coverage_content_type`` gets one by
    its role: ``coordinate`` for coordinates, ``modelResult`` for data variables (a system sets
    :data:`REFERENCE_INFORMATION`, :data:`QUALITY_INFORMATION` or
    :data:`THEMATIC_CLASSIFICATION` itself where a variable is one). CF flag values take the
    type of their variable (int8 flags become float where a merge padded them with NaN). The
    data are shared, not copied.
    """
    annotated = dataset.copy(deep=False)
    for name, variable in annotated.variables.items():
        role = "coordinate" if name in annotated.coords else "modelResult"
        variable.attrs.setdefault(CONTENT_TYPE, role)
        variable.attrs.update(netcdf_units(variable.attrs))
        if "flag_values" in variable.attrs:
            flags = variable.attrs["flag_values"]
            variable.attrs["flag_values"] = np.asarray(flags, dtype=variable.dtype)
    return annotated


def check_finite_variables(dataset: xr.Dataset) -> None:
    """Raise ValueError if a variable holds NaN or infinity without saying what NaN means there.

    A variable may hold NaN only where its ``nan_meaning`` attribute documents it (e.g. "no
    invariant"); infinities are never written.
    """
    for name, variable in {**dataset.coords, **dataset.data_vars}.items():
        if variable.dtype.kind not in "fc":
            continue
        values = variable.data  # numpy, or dask (reduced chunk by chunk)
        if bool(np.isinf(values).any()):
            raise ValueError(f"variable {name!r} holds infinite values")
        if NAN_MEANING not in variable.attrs and bool(np.isnan(values).any()):
            raise ValueError(f"variable {name!r} holds NaN but has no {NAN_MEANING} attribute")


def inherit_nan_meaning(derived: xr.Dataset, source: xr.Dataset) -> None:
    """Document NaN in ``derived`` that comes from values ``source`` documents as NaN.

    Diagnostics of a file whose variables hold documented NaN (absent members of a merged
    ensemble, undefined fits) are NaN there too; each such variable of ``derived`` without a
    ``nan_meaning`` of its own gets one naming where its NaN come from.
    """
    documented = sorted(
        name for name, variable in {**source.coords, **source.data_vars}.items()
        if NAN_MEANING in variable.attrs
    )  # fmt: skip
    if not documented:
        return
    meaning = f"undefined where the analysed values are ({', '.join(documented)})"
    for variable in {**derived.coords, **derived.data_vars}.values():
        if variable.dtype.kind in "fc" and NAN_MEANING not in variable.attrs:
            if np.isnan(variable.values).any():
                variable.attrs[NAN_MEANING] = meaning


def write_netcdf(dataset: xr.Dataset, path: Path, complevel: int = 4) -> None:
    """Write ``dataset`` to ``path`` atomically (see :func:`sims.core.files.atomic_output`).

    Every data variable is zlib-compressed at ``complevel`` (0 disables compression). Variables
    backed by dask (records streamed to disk) are computed and written one chunk at a time.
    Variables are written with CF units and ACDD content types (:func:`cf_annotated`); coordinate
    variables have no ``_FillValue`` (CF 2.5.1: they hold no missing values).

    Raises
    ------
    ValueError
        If a variable lacks units or a long name, or holds values it does not document
        (:func:`check_finite_variables`); nothing is written then.
    OSError
        If the file cannot be written; nothing is left behind.
    """
    encoding = {
        name: ({"zlib": True, "complevel": complevel} if complevel else {}) | _chunking(variable)
        for name, variable in dataset.data_vars.items()
        if variable.dtype.kind in "biuf"
    } | {name: {"_FillValue": None} for name in dataset.dims if name in dataset.coords}
    with dask.config.set(scheduler="synchronous"), hdf5_chunk_cache(CHUNK_CACHE_BYTES):
        check_variable_attributes(dataset)
        check_finite_variables(dataset)
        dataset = cf_annotated(dataset)
        with atomic_output(path) as temporary:
            dataset.to_netcdf(temporary, engine="netcdf4", format="NETCDF4", encoding=encoding)


@contextlib.contextmanager
def hdf5_chunk_cache(size: int):
    """HDF5's chunk cache per variable of the files opened in the block: ``size`` bytes.

    The default, 64 MiB, is kept full: a compressed variable keeps written chunks in its cache
    until it is full, so a file of a few long variables would take hundreds of MiB to write,
    and each of the files a merge reads would hold as much.
    """
    previous = netCDF4.get_chunk_cache()
    netCDF4.set_chunk_cache(size, previous[1], previous[2])
    try:
        yield
    finally:
        netCDF4.set_chunk_cache(*previous)


def _chunking(variable: xr.DataArray) -> dict:
    """HDF5 chunks of about :data:`CHUNK_BYTES` along the first (record) dimension.

    Written a block of records at a time, each chunk is completed and leaves the chunk cache,
    whose default size (per variable) would otherwise hold a long run's partial chunks.
    """
    shape = variable.shape
    if variable.ndim < 2 or 0 in shape:
        return {}
    row = variable.dtype.itemsize * math.prod(shape[1:])
    return {"chunksizes": (min(shape[0], max(1, CHUNK_BYTES // row)), *shape[1:])}


def strip_volatile(attributes: dict) -> dict:
    """Global attributes without the timestamps (what two reproductions must share)."""
    return {key: value for key, value in attributes.items() if key not in _VOLATILE_ATTRIBUTES}


def _combine(pieces: list[xr.Dataset], dims: list[str]) -> xr.Dataset:
    """Concatenate runs (each of length 1 along ``dims``) along ``dims``, innermost last.

    Runs are grouped by their values on the outer dimensions and concatenated along the last,
    then the groups along the one before, and so on: work and dask's graph stay linear in the
    number of runs, and a missing run or sweep point becomes NaN by the outer join.
    """
    *outer, last = dims
    groups: dict[tuple, list[xr.Dataset]] = {}
    for piece in pieces:
        groups.setdefault(tuple(piece[dim].item() for dim in outer), []).append(piece)
    combined = [
        xr.concat(
            sorted(group, key=lambda piece: piece[last].item()),
            dim=last,
            coords="minimal",
            compat="override",
            join="outer",
            combine_attrs="drop_conflicts",
        )
        for group in groups.values()
    ]
    return _combine(combined, outer) if outer else combined[0]


def _padded(merged: xr.Dataset, pieces: list[xr.Dataset], run_dims: list[str]) -> list[str]:
    """Variables of ``merged`` that the outer join filled with NaN somewhere.

    Found from shapes alone, without reading data: every run's file holds NaN only where
    ``nan_meaning`` says so (:func:`check_finite_variables`), so other NaN come from a run
    missing, lacking the variable, or having fewer coordinate values along one of its dims.
    """
    complete = math.prod(merged.sizes[dim] for dim in run_dims) == len(pieces)
    padded = []
    for name, variable in merged.data_vars.items():
        if variable.dtype.kind not in "fc" or NAN_MEANING in variable.attrs:
            continue
        own = [dim for dim in variable.dims if dim not in run_dims]
        if not complete or any(
            name not in piece or any(piece.sizes[dim] != merged.sizes[dim] for dim in own)
            for piece in pieces
        ):
            padded.append(name)
    return padded


def merge_runs(paths: Iterable[Path]) -> xr.Dataset:
    """Combine per-run files of one scenario into one dataset with sweep and ``member`` dims.

    Each swept parameter ``params.x`` becomes a dimension ``x`` with its values as coordinate.
    Runs of different shapes or record times (e.g. grid sizes) are aligned by outer join, so a
    run's values are NaN where it has no such coordinate.

    The files are opened lazily (dask, a chunk per run and variable): nothing is read until
    values are used, and :func:`write_netcdf` writes the merge a chunk at a time, so an ensemble
    larger than memory can be merged. ``.load()`` brings a merge that fits into memory.
    """
    pieces = []
    for path in sorted(paths):
        # the source's encoding (int dtypes, chunk shapes) does not fit the merged variables
        run = xr.open_dataset(path, engine="netcdf4", chunks={}).drop_encoding()
        sweep_dims = run.attrs.get("sweep_dims", "").split()
        # auxiliary coordinates (e.g. a run's step counts along time) differ between runs: carry
        # them as variables so that they gain the member and sweep dimensions too
        auxiliary = [name for name in run.coords if name not in run.dims and name not in sweep_dims]
        run = run.reset_coords(auxiliary)
        run = run.expand_dims(sweep_dims).expand_dims(member=[int(run.attrs["member"])])
        run["member"].attrs.update(units="1", long_name="ensemble member")
        pieces.append(run)
    if not pieces:
        raise ValueError("no run files to merge")
    names = {piece.attrs["scenario"] for piece in pieces}
    if len(names) != 1:
        raise ValueError(
            "the files come from different scenarios; merge them one scenario at a time"
        )
    run_dims = [*sweep_dims, "member"]
    merged = _combine(pieces, run_dims)
    for name in _padded(merged, pieces, run_dims):
        merged[name].attrs[NAN_MEANING] = _ABSENT
    merged = merged.set_coords(auxiliary)
    merged.attrs["history"] = f"{now_iso()} entrosim merge of {len(pieces)} runs"
    merged.attrs["date_created"] = now_iso()  # the runs' own differ, and were dropped
    for key in ("member", "sweep_point"):
        merged.attrs.pop(key, None)
    return merged
