"""Read a user's series from a CSV or NetCDF file, treating the file as hostile.

* The file is opened without following a symbolic link, must be a regular file, and its size
  is checked against the memory this process may still use *before* it is read
  (:func:`sims.core.files.read_untrusted`, :data:`CSV_BYTES_PER_FILE_BYTE`); a NetCDF
  variable's size is checked from its shape before its values are read (a compressed variable
  may unpack to far more than the file).
* The bytes are read once, hashed (SHA-256) and parsed from memory, so the values analysed are
  exactly those of the hash recorded in the run (and in its fingerprint).
* CSV: UTF-8 text, a header line (unless ``header: false``), ``#`` comment lines skipped (blank
  lines too, at the start and end of the file); a column by name or 0-based index (negative
  from the end). Empty cells and ``nan``/``na``/``n/a``/``null`` (any case) are missing values
  (NaN), as is a blank line inside a one-column file; any other cell that is not a finite number
  is refused, naming its line and column.
* Time: a numeric column, or ISO 8601 dates/times (then in days). Sampling must be even: every
  interval within :data:`UNEVEN_TOLERANCE` of the step.

Every problem raises :class:`~sims.core.scenario.ParamError` keyed by the block's key (``path``,
``column``, ``time_step`` …), so a scenario reports ``file: params.series.NAME.KEY: problem``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sims.core import resources
from sims.core.files import RefusedFile, read_untrusted
from sims.core.scenario import ParamError

UNEVEN_TOLERANCE = 0.01
"""Largest |interval − step| / step accepted in a time column.

Ordinal patterns use the order of samples, not their times: a jitter of 1 % of the step changes a
pattern's time span (order − 1)·delay·Δt by at most 1 %, far inside PECCARY's latitude of
0.3–0.5 natural timescales for it. It also accepts times printed with rounding (weekly data in
decimal years to 4 decimals: 0.5 % of the step; weeks of 7/365 or 7/366 years: 0.3 %), while a
missing row (100 %) or monthly data in days (28–31 days: up to 7 % off their median) is refused.
"""

CSV_BYTES_PER_FILE_BYTE = 16
"""Memory needed per byte of a CSV file: the bytes (1) and the parsed float64 values (a cell of
at least 2 bytes, e.g. ``1,``, gives 8 bytes: up to 4 per file byte for the value column and 4
for the time column); the text is decoded a chunk at a time. Rounded up to 16 for Python's
per-line objects."""

MISSING_CELLS = frozenset({"", "nan", "na", "n/a", "null"})
"""CSV cells read as a missing value (compared lower-cased, stripped)."""

FORMATS = {".csv": "csv", ".txt": "csv", ".nc": "netcdf", ".nc4": "netcdf", ".cdf": "netcdf"}
"""File format by suffix, when a block does not name it."""

SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class SeriesData:
    """A series read from a file.

    Attributes
    ----------
    values : ndarray of float64
        The samples; NaN marks a missing value.
    times : ndarray of float64 or None
        The time column (its own units, days for dates), if one was read.
    sha256 : str
        SHA-256 (hex) of the file's bytes.
    """

    values: np.ndarray
    times: np.ndarray | None
    sha256: str


def file_format(block) -> str:
    """The block's format: given, or from the file's suffix."""
    if block.format is not None:
        return block.format
    suffix = Path(block.path).suffix.lower()
    if suffix not in FORMATS:
        raise ParamError(
            "format", f"cannot tell the format from the suffix {suffix!r}: give csv or netcdf"
        )
    return FORMATS[suffix]


def read_series(block) -> SeriesData:
    """Read ``block.column`` (and its time column) from ``block.path``.

    Parameters
    ----------
    block : sims.peccary.specs.File
        The file block (``path`` absolute or relative to the working directory).

    Raises
    ------
    ParamError
        For any problem with the file or its content (one line, naming the file).
    """
    kind = file_format(block)
    try:
        data = read_untrusted(Path(block.path), CSV_BYTES_PER_FILE_BYTE if kind == "csv" else 1)
    except RefusedFile as error:
        raise ParamError("path", str(error)) from None
    sha256 = hashlib.sha256(data).hexdigest()
    if kind == "csv":
        values, times = _parse_csv(data, block)
    else:
        values, times = _parse_netcdf(data, block)
    if np.isinf(values).any():
        index = int(np.flatnonzero(np.isinf(values))[0])
        raise ParamError("path", f"{block.path}: sample {index} of {block.column!r} is infinite")
    return SeriesData(values=values, times=times, sha256=sha256)


def time_step(block, series: SeriesData) -> float:
    """The sampling step: ``block.time_step``, or inferred from the time column.

    With a time column, every interval must lie within :data:`UNEVEN_TOLERANCE` of the step
    (the given one, else the median interval).

    Raises
    ------
    ParamError
        Without a step or a time column, for times that do not increase, or for uneven sampling
        (naming the worst interval and its deviation).
    """
    if series.times is None:
        if block.time_step is None:
            raise ParamError("time_step", "give time_step, or a time_column to infer it from")
        return block.time_step
    intervals = np.diff(series.times)
    if intervals.size == 0:
        raise ParamError("time_column", f"{block.path}: one sample has no sampling step")
    if not np.all(intervals > 0):
        index = int(np.flatnonzero(~(intervals > 0))[0])
        raise ParamError(
            "time_column", f"{block.path}: time does not increase after sample {index}"
        )
    step = block.time_step if block.time_step is not None else float(np.median(intervals))
    deviation = np.abs(intervals - step) / step
    worst = int(np.argmax(deviation))
    if deviation[worst] > UNEVEN_TOLERANCE:
        raise ParamError(
            "time_column",
            f"{block.path}: uneven sampling: the interval after sample {worst} is "
            f"{intervals[worst]:.6g}, {100 * deviation[worst]:.3g}% off the step {step:.6g} "
            f"(tolerance {100 * UNEVEN_TOLERANCE:g}%); give missing samples as empty cells "
            "with nan: split",
            float(intervals[worst]),
        )
    return step


# ----------------------------------------------------------------------------- CSV


def _lines(data: bytes, path):
    """Yield ``(line number, text)`` of the lines of UTF-8 ``data`` that are not comments.

    Blank lines are yielded too (a missing value of a one-column file), except before the
    first line and at the end of the file.
    """
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    number, blank, started = 0, [], False
    try:
        for number, line in enumerate(text, start=1):
            stripped = line.strip()
            if stripped.startswith("#"):
                continue
            if not stripped:
                blank.append((number, line))
                continue
            if started:
                yield from blank
            blank, started = [], True
            yield number, line
    except UnicodeDecodeError as error:
        raise ParamError(
            "path", f"{path}: line {number + 1}: not UTF-8 text ({error.reason})"
        ) from None


def _column_index(key: str, wanted, header: list[str] | None, width: int, path) -> int:
    if isinstance(wanted, int):
        if not -width <= wanted < width:
            raise ParamError(
                key, f"{path}: column index {wanted} outside 0..{width - 1} (or -{width}..-1)"
            )
        return wanted % width
    if header is None:
        raise ParamError(key, f"{path}: has no header (header: false); give a column index")
    if wanted not in header:
        raise ParamError(key, f"{path}: no column {wanted!r} (columns: {', '.join(header)})")
    return header.index(wanted)


def _parse_csv(data: bytes, block):
    path = block.path
    lines = _lines(data, path)
    first = next(lines, None)
    if first is None:
        raise ParamError("path", f"{path}: no data lines")
    first_cells = next(csv.reader([first[1]], delimiter=block.delimiter))
    header = [cell.strip() for cell in first_cells] if block.header else None
    width = len(first_cells)
    column = _column_index("column", block.column, header, width, path)
    time_column = (
        None
        if block.time_column is None
        else _column_index("time_column", block.time_column, header, width, path)
    )
    names = header or [str(index) for index in range(width)]
    rows = lines if block.header else _chain(first, lines)
    values, times = array("d"), array("d")  # 8 B per value (a list would hold 32)
    parse_time = None
    needed = max(column, -1 if time_column is None else time_column)
    for number, line in rows:
        cells = next(csv.reader([line], delimiter=block.delimiter), []) or [""] * width
        if len(cells) <= needed:
            raise ParamError(
                "path", f"{path}: line {number}: has {len(cells)} columns, needs {needed + 1}"
            )
        values.append(_value(cells[column], number, names[column], path))
        if time_column is not None:
            cell = cells[time_column].strip()
            if parse_time is None:
                parse_time = _time_parser(cell)
            times.append(parse_time(cell, number, names[time_column], path))
    if not values:
        raise ParamError("path", f"{path}: no data lines")
    time_array = None if time_column is None else np.frombuffer(times, dtype=np.float64)
    return np.frombuffer(values, dtype=np.float64), time_array


def _chain(first, rest):
    yield first
    yield from rest


def _value(cell: str, number: int, name: str, path) -> float:
    text = cell.strip()
    if text.lower() in MISSING_CELLS:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise ParamError(
            "path", f"{path}: line {number}, column {name!r}: not a number ({text[:40]!r})"
        ) from None
    if not math.isfinite(value):
        raise ParamError(
            "path", f"{path}: line {number}, column {name!r}: not finite ({text[:40]!r})"
        )
    return value


def _number_time(cell: str, number: int, name: str, path) -> float:
    try:
        value = float(cell)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ParamError(
            "path", f"{path}: line {number}, column {name!r}: not a finite time ({cell[:40]!r})"
        )
    return value


def _date_days(cell: str, number: int, name: str, path) -> float:
    try:
        moment = np.datetime64(cell, "s")
    except ValueError:
        moment = np.datetime64("NaT")
    if np.isnat(moment):
        raise ParamError(
            "path", f"{path}: line {number}, column {name!r}: not an ISO 8601 date ({cell[:40]!r})"
        )
    return float(moment.astype(np.int64)) / SECONDS_PER_DAY


def _time_parser(cell: str):
    """Numbers if the first time cell is one, else ISO 8601 dates (in days)."""
    try:
        float(cell)
    except ValueError:
        return _date_days
    return _number_time


# ----------------------------------------------------------------------------- NetCDF


def _parse_netcdf(data: bytes, block):
    import netCDF4

    path = block.path
    try:
        dataset = netCDF4.Dataset("series.nc", mode="r", memory=data)
    except OSError as error:
        raise ParamError("path", f"{path}: cannot read as NetCDF ({error})") from None
    with dataset:
        values = _netcdf_variable(dataset, block.column, "column", block, path)
        dimension = dataset.variables[block.column].dimensions[0]
        time_name = block.time_column
        if time_name is None and dimension in dataset.variables and block.time_step is None:
            time_name = dimension
        times = None
        if time_name is not None:
            times = _netcdf_variable(dataset, time_name, "time_column", block, path)
            if times.shape != values.shape or np.isnan(times).any():
                raise ParamError(
                    "time_column", f"{path}: {time_name!r} must be complete and as long as values"
                )
    return values, times


def _netcdf_variable(dataset, name, key, block, path) -> np.ndarray:
    if not isinstance(name, str) or name not in dataset.variables:
        known = ", ".join(dataset.variables)
        raise ParamError(key, f"{path}: no variable {name!r} (variables: {known})")
    variable = dataset.variables[name]
    if variable.ndim != 1:
        raise ParamError(key, f"{path}: {name!r} has dims {variable.dimensions}; it must be 1-D")
    if block.dimension is not None and variable.dimensions[0] != block.dimension:
        raise ParamError(
            "dimension", f"{path}: {name!r} runs along {variable.dimensions[0]!r}, not that"
        )
    if variable.dtype.kind not in "iuf":
        raise ParamError(key, f"{path}: {name!r} is not numeric (dtype {variable.dtype})")
    needed = 8 * variable.size
    available = resources.available_memory()
    if needed > available:
        raise ParamError(
            key,
            f"{path}: {name!r} needs ~{resources.format_bytes(needed)} in memory, "
            f"{resources.format_bytes(available)} available",
        )
    try:
        read = variable[:]
    except (OSError, RuntimeError, ValueError) as error:
        raise ParamError(key, f"{path}: cannot read {name!r} ({error})") from None
    return np.ma.filled(np.ma.asarray(read, dtype=np.float64), np.nan)


def resolve_block(block, scenario_dir: Path):
    """The block with ``path`` absolute, ``sha256`` and ``time_step`` filled in, and its length.

    Parameters
    ----------
    block : sims.peccary.specs.File
        A validated block; a relative ``path`` is taken relative to ``scenario_dir``.
    scenario_dir : pathlib.Path
        Folder of the scenario file (the working directory for a scenario built in code).

    Returns
    -------
    (File, SeriesData)

    Raises
    ------
    ParamError
        As for :func:`read_series` and :func:`time_step`; if the file's hash differs from a
        given ``sha256``; or if it holds NaN and ``nan`` is ``refuse``.
    """
    path = Path(block.path).expanduser()
    path = path if path.is_absolute() else Path(os.path.abspath(scenario_dir / path))
    block = block.model_copy(update={"path": str(path)})
    series = read_series(block)
    if block.sha256 is not None and block.sha256 != series.sha256:
        raise ParamError(
            "sha256",
            f"{path}: the file changed: its SHA-256 is {series.sha256}, the scenario pins "
            f"{block.sha256}",
        )
    missing = np.isnan(series.values)
    if block.nan == "refuse" and missing.any():
        raise ParamError(
            "nan",
            f"{path}: {int(missing.sum())} missing values in column {block.column!r} (the first is "
            f"sample {int(np.argmax(missing))}); nan: split analyses the finite segments",
            block.nan,
        )
    step = time_step(block, series)
    return block.model_copy(update={"sha256": series.sha256, "time_step": step}), series
