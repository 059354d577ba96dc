"""``entrosim analyze data.csv``: PECCARY on a user's own series, through a run's code path.

The file becomes the one ``file`` series of a PECCARY scenario built here; the scenario is
validated like any other (so every problem is one line naming the file and the option) and run by
:func:`sims.core.batch.run_one`, which writes the same variables and attributes as
``entrosim run`` would, atomically, to ``<stem>_analysis.nc`` beside the input (or ``output``).
"""

from __future__ import annotations

import re
from pathlib import Path

from sims.core import batch
from sims.core.scenario import ScenarioError, validate_document
from sims.peccary import datafile
from sims.peccary.generators import ChangedInput

SERIES_OPTIONS = {
    "column": "--column",
    "time_column": "--time-column",
    "time_step": "--time-step",
    "nan": "--nan",
    "path": "FILE",
    "format": "FILE",
}
"""Option naming each key of the ``file`` block, for error messages."""
PARAMS_OPTIONS = {"order": "--order", "max_delay": "--max-delay", "samples": "--max-delay"}
"""Option naming each run parameter set here, for error messages."""
LAST_COLUMN = -1
"""Default CSV column: the last one (``time,value`` files)."""


def is_series_file(path: Path, column: str | None) -> bool:
    """Whether ``path`` is a series to analyse rather than an entrosim output.

    CSV files (by suffix) always are; a NetCDF file is when a ``column`` (variable) is named.
    """
    return datafile.FORMATS.get(path.suffix.lower()) == "csv" or column is not None


def series_label(column) -> str:
    """A series name (letters, digits, ``_``, ``-``; a letter first) from a column's name."""
    label = re.sub(r"[^A-Za-z0-9_-]", "_", str(column))
    return label if re.match(r"[A-Za-z]", label) else f"series_{label}"


def _column(text: str | None):
    """A CSV column given on the command line: a whole number is an index, else a name."""
    if text is None:
        return LAST_COLUMN
    return int(text) if re.fullmatch(r"-?[0-9]+", text) else text


def scenario_document(
    path: Path, column, time_column, time_step, order: int, max_delay: int, nan: str
) -> dict:
    """The PECCARY scenario equivalent to ``entrosim analyze`` on ``path``."""
    block = {"kind": "file", "path": str(path.resolve()), "column": column, "nan": nan}
    if time_column is not None:
        block["time_column"] = time_column
    if time_step is not None:
        block["time_step"] = time_step
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", path.stem)
    return {
        "system": "peccary",
        "name": stem if re.match(r"[A-Za-z0-9]", stem) else f"series{stem}",
        "description": f"entrosim analyze {path.name}",
        "seed": 0,
        "output": {"dir": str(path.parent), "checkpoint_interval": None},
        "params": {
            "order": order,
            "max_delay": max_delay,
            "series": {series_label(column): block},
        },
    }


def _cli_key(key: str) -> str:
    """``params.series.x.column`` -> ``--column``; ``params.order`` -> ``--order``."""
    parts = key.split(".")
    if len(parts) >= 4 and parts[:2] == ["params", "series"]:
        return SERIES_OPTIONS.get(parts[3], key)
    if len(parts) == 2 and parts[0] == "params":
        return PARAMS_OPTIONS.get(parts[1], key)
    return key


def analyze_series(
    path: Path,
    *,
    column: str | None = None,
    time_column: str | None = None,
    time_step: float | None = None,
    order: int = 5,
    max_delay: int = 20,
    nan: str = "refuse",
    output: Path | None = None,
    overwrite: bool = False,
) -> Path:
    """Run PECCARY on one column of a CSV or NetCDF file and write the run's variables.

    Parameters
    ----------
    path : pathlib.Path
        The series file (read as hostile: :mod:`sims.peccary.datafile`).
    column, time_column : str, optional
        Column name or index (CSV; default the last column) or variable (NetCDF), and the
        column of times that gives the step.
    time_step : float, optional
        Sampling step (time units of the file; days for dates), if not inferred.
    order, max_delay : int
        Ordinal order, and the largest delay (samples) at which H and C are tabulated.
    nan : {"refuse", "split"}
        Missing values: refuse, or analyse the finite segments (no pattern spans a gap).
    output : pathlib.Path, optional
        Output file (default ``<stem>_analysis.nc`` beside the input).
    overwrite : bool
        Replace an existing output.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ScenarioError
        One line ``FILE: OPTION: problem`` for a bad file or option, or ``OUTPUT: analyze:
        problem`` for an existing or unwritable output.
    """
    target = Path(output) if output is not None else path.with_name(f"{path.stem}_analysis.nc")
    source = str(path)
    if target.exists() and not overwrite:
        raise ScenarioError(str(target), "analyze", "exists (use --overwrite)")
    document = scenario_document(
        path, _column(column), _column(time_column) if time_column else None,
        time_step, order, max_delay, nan,
    )  # fmt: skip
    try:
        scenario = validate_document(document, source)
    except ScenarioError as error:
        raise ScenarioError(source, _cli_key(error.key), error.problem, error.got) from None
    try:
        batch.run_one(scenario, batch.RunSpec(0, 0, target))
    except ChangedInput as error:
        raise ScenarioError(source, "FILE", str(error)) from None
    except OSError as error:  # an output folder that is not writable, a full disk
        raise ScenarioError(str(target), "analyze", f"cannot write: {error.strerror}") from None
    return target
