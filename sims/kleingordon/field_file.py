"""Initial fields from a NetCDF file (``initial: {kind: file}``), read as untrusted input.

The file holds φ and φ_t as two variables over a coordinate ``x`` (their last dimension) and
optionally a time coordinate (their first dimension), as a Klein–Gordon run writes them
(``phi`` and ``phi_t`` over ``(snapshot_time, x)``). The snapshot is the last one unless
``time`` names one, which must match a stored time to rounding (``TIME_TOLERANCE``); there is no
interpolation in time.

The grid must be the periodic one of :func:`sims.kleingordon.initial.grid`: uniform, starting
at −L/2, with N Δx equal to the scenario's length L (a grid holding both endpoints is refused,
naming that). A file's N may differ from the scenario's: the fields are resampled spectrally
(:func:`resample`).

The file is read whole into memory, once per use, through a descriptor opened without
following links, after its size is checked against the memory available; its SHA-256 is of
exactly the bytes parsed, and a recorded digest that no longer matches is refused. Declared
variable sizes are checked before any value is read, and missing or non-finite values are
refused. Every problem is a :class:`FieldFileError` naming the file and the parameter.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sims.core import resources
from sims.core.files import RefusedFile, read_untrusted

GRID_TOLERANCE = 1e-9  # relative (to L) rounding allowed in the grid's positions and length
TIME_TOLERANCE = 1e-9  # relative (to max(1, |t|)) rounding allowed when matching ``time``
MIN_POINTS = 4


class FieldFileError(ValueError):
    """A problem with the input file: ``key`` (a parameter of ``initial``) and one line."""

    def __init__(self, key: str, problem: str):
        self.key, self.problem = key, " ".join(problem.split())
        super().__init__(f"{key}: {self.problem}")


@dataclass(frozen=True)
class FieldSnapshot:
    """φ (field) and φ_t (field/time) on the file's N points, and the snapshot's time."""

    phi: np.ndarray
    phi_t: np.ndarray
    time: float | None


def read_bytes(path: Path) -> bytes:
    """The whole file, refusing links, non-regular files and sizes beyond available memory."""
    try:
        return read_untrusted(path)
    except RefusedFile as error:
        raise FieldFileError("path", str(error)) from None


def sha256(data: bytes) -> str:
    """SHA-256 of ``data`` (hex)."""
    return hashlib.sha256(data).hexdigest()


def load_snapshot(
    path: Path,
    variables: tuple[str, str],
    time: float | None,
    length: float,
    expected_sha256: str | None,
) -> FieldSnapshot:
    """Read and check one snapshot of φ and φ_t (see the module docstring).

    Parameters
    ----------
    path : Path
        The NetCDF file.
    variables : (str, str)
        Names of the φ and φ_t variables.
    time : float or None
        Time of the snapshot (time); None: the last one.
    length : float
        The scenario's box length L (length).
    expected_sha256 : str or None
        The digest the file had when the scenario was validated.

    Raises
    ------
    FieldFileError
        For any problem, keyed ``path``, ``phi``, ``phi_t``, ``time`` or ``sha256``.
    """
    import netCDF4

    data = read_bytes(path)
    digest = sha256(data)
    if expected_sha256 is not None and digest != expected_sha256:
        raise FieldFileError(
            "sha256", f"{path}: its SHA-256 is {digest}, not the recorded {expected_sha256}"
        )
    try:
        dataset = netCDF4.Dataset(str(path), mode="r", memory=data)
    except Exception as error:  # noqa: BLE001 - a hostile file can make the reader fail anyhow
        raise FieldFileError("path", f"{path}: cannot read as NetCDF ({_short(error)})") from None
    try:
        with dataset:
            return _snapshot(dataset, path, variables, time, length)
    except FieldFileError:
        raise
    except Exception as error:  # noqa: BLE001
        raise FieldFileError("path", f"{path}: cannot read ({_short(error)})") from None


def _snapshot(dataset, path: Path, variables, time, length) -> FieldSnapshot:
    phi = _variable(dataset, path, "phi", variables[0])
    phi_t = _variable(dataset, path, "phi_t", variables[1])
    if phi.dimensions != phi_t.dimensions:
        raise FieldFileError(
            "phi_t", f"{path}: {phi_t.name} has dimensions {phi_t.dimensions}, "
            f"{phi.name} has {phi.dimensions}"
        )  # fmt: skip
    if len(phi.dimensions) not in (1, 2):
        raise FieldFileError(
            "phi", f"{path}: {phi.name} must have dimensions (x) or (time, x), has {phi.dimensions}"
        )
    for variable in (phi, phi_t):
        _check_fits(path, variable.name, 8 * int(np.prod(variable.shape, dtype=float)))
    x = _coordinate(dataset, path, "phi", phi.dimensions[-1])
    _check_grid(path, x, length)
    index, found_time = -1, None
    if len(phi.dimensions) == 2:
        times = _coordinate(dataset, path, "phi", phi.dimensions[0])
        index = _time_index(path, times, time)
        found_time = float(times[index])
    elif time is not None:
        raise FieldFileError("time", f"{path}: {phi.name} has no time dimension")
    values = []
    for key, variable in (("phi", phi), ("phi_t", phi_t)):
        row = variable[index] if variable.ndim == 2 else variable[:]
        values.append(_finite(path, key, variable.name, row))
    return FieldSnapshot(values[0], values[1], found_time)


def _variable(dataset, path: Path, key: str, name: str):
    if name not in dataset.variables:
        known = ", ".join(sorted(dataset.variables)[:12])
        raise FieldFileError(key, f"{path} has no variable {name!r} (it has: {known})")
    variable = dataset.variables[name]
    if variable.dtype.kind not in "fiu":
        raise FieldFileError(key, f"{path}: {name} is not numeric ({variable.dtype})")
    variable.set_auto_maskandscale(True)
    return variable


def _coordinate(dataset, path: Path, key: str, dimension: str) -> np.ndarray:
    if dimension not in dataset.variables or dataset.variables[dimension].dimensions != (
        dimension,
    ):
        raise FieldFileError(key, f"{path}: dimension {dimension!r} has no coordinate variable")
    variable = _variable(dataset, path, key, dimension)
    _check_fits(path, dimension, 8 * variable.size)
    return _finite(path, key, dimension, variable[:])


def _finite(path: Path, key: str, name: str, values) -> np.ndarray:
    if np.ma.getmaskarray(values).any():
        raise FieldFileError(key, f"{path}: {name} holds missing values")
    values = np.asarray(np.ma.getdata(values), dtype=np.float64)
    if not np.all(np.isfinite(values)):
        raise FieldFileError(key, f"{path}: {name} holds NaN or infinity")
    return values


def _check_grid(path: Path, x: np.ndarray, length: float) -> None:
    """Check that x is the periodic grid −L/2 + jL/N of the scenario's L (module docstring)."""
    points = x.size
    if points < MIN_POINTS:
        raise FieldFileError("path", f"{path}: x has {points} points, fewer than {MIN_POINTS}")
    spacing = (x[-1] - x[0]) / (points - 1)
    tolerance = GRID_TOLERANCE * length
    if not spacing > 0 or np.max(np.abs(np.diff(x) - spacing)) > tolerance:
        raise FieldFileError("path", f"{path}: x is not uniformly increasing")
    box = points * spacing
    if abs(box - length) > tolerance:
        closed = abs(x[-1] - x[0] - length) <= tolerance
        hint = "; x holds both endpoints, a periodic grid holds one" if closed else ""
        raise FieldFileError(
            "path", f"{path}: its periodic box N·Δx = {box:.12g} is not the scenario's "
            f"length {length:.12g}{hint}"
        )  # fmt: skip
    if abs(x[0] + 0.5 * length) > tolerance:
        raise FieldFileError(
            "path", f"{path}: x must start at -L/2 = {-0.5 * length:.12g} (starts at {x[0]:.12g})"
        )


def _time_index(path: Path, times: np.ndarray, time: float | None) -> int:
    if times.size == 0:
        raise FieldFileError("path", f"{path}: holds no snapshot")
    if time is None:
        return times.size - 1
    nearest = int(np.argmin(np.abs(times - time)))
    if abs(times[nearest] - time) > TIME_TOLERANCE * max(1.0, abs(time)):
        raise FieldFileError(
            "time", f"{path}: no snapshot at t = {time:.12g} (nearest {times[nearest]:.12g}, "
            f"{times.size} snapshots in [{times.min():.12g}, {times.max():.12g}])"
        )  # fmt: skip
    return nearest


def _check_fits(path: Path, name: str, size: float) -> None:
    available = resources.available_memory()
    if size > available:
        raise FieldFileError(
            "path", f"{path}: {name} needs ~{resources.format_bytes(size)} in memory, "
            f"{resources.format_bytes(available)} available"
        )  # fmt: skip


def _short(error: Exception) -> str:
    return " ".join(f"{type(error).__name__}: {error}".split())[:200]


def resample(values: np.ndarray, points: int) -> np.ndarray:
    """Band-limited resampling of a periodic field onto ``points`` (even) grid points.

    The real-FFT spectrum is scaled by N_new/N_old and zero-padded or truncated. A Nyquist mode
    of the old grid (N_old even) that becomes an interior mode is split equally between ±k, as
    the cosine it stands for; an old pair ±k that becomes the new Nyquist mode is folded onto it
    as it samples on the new grid, 2 Re(f̂_k) (the sine part vanishes there). So a field
    band-limited below both Nyquist wavenumbers is resampled exactly, and upsampling followed
    by downsampling returns the original samples to rounding.
    """
    old = values.size
    if old == points:
        return values.copy()
    spectrum = np.fft.rfft(values) * (points / old)
    result = np.zeros(points // 2 + 1, dtype=np.complex128)
    shared = min(old, points) // 2 + 1
    result[:shared] = spectrum[:shared]
    if points > old and old % 2 == 0:
        result[old // 2] *= 0.5
    elif points < old:
        result[points // 2] = 2.0 * spectrum[points // 2].real
    return np.fft.irfft(result, points)
