"""Scenario files: YAML -> validated, typed scenario, with one-line errors that name the key.

A scenario has a common part (``system``, ``name``, ``seed``, ``members``, ``output``, optional
``sweep``) and the simulator's own ``params``, validated by that simulator's pydantic model.
Every problem is reported as one :class:`ScenarioError` line::

    scenarios/coffee/interacting.yaml: params.grid_size: must be even (got 101)
"""

from __future__ import annotations

import difflib
import functools
import math
import reprlib
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sims.core import registry
from sims.core.yaml_loader import DocumentError, parse_yaml, read_yaml_file

_SHIPPED_SUFFIX = ".yaml"
_MISSING = object()
_MAX_GOT_CHARS = 60
INT64_LIMIT = 2**63  # integers are int64 in kernels and NetCDF files
EAGER_SWEEP_POINTS = 1000  # grids up to this size are validated point by point when loaded
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother = 2, 50, 50
_SHORT.maxtuple = _SHORT.maxlist = _SHORT.maxdict = _SHORT.maxset = 4
_SHORT.maxlong = 40


def short_repr(value: Any) -> str:
    """``repr`` bounded in time and length, whatever the value (huge ints, shared aliases)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"<{value.bit_length()}-bit integer>"
    return _SHORT.repr(value)


class ScenarioError(Exception):
    """A problem with a scenario, reported as ``SOURCE: key.path: problem (got X)``."""

    def __init__(self, source: str, key: str, problem: str, got: Any = _MISSING):
        self.source, self.key, self.problem, self.got = source, key, problem, got
        super().__init__(str(self))

    def __str__(self) -> str:
        line = f"{self.source}: {self.key}: {self.problem}"
        if self.got is not _MISSING:
            got = short_repr(self.got)
            if len(got) > _MAX_GOT_CHARS:
                got = got[: _MAX_GOT_CHARS - 3] + "..."
            line += f" (got {got})"
        return " ".join(line.split())  # always exactly one line


class ParamError(ValueError):
    """Raised by a parameter model's cross-field checks; becomes a :class:`ScenarioError`.

    ``key`` is relative to the model whose validator raises it: pydantic records where that model
    sits (``params.initial``), and the error names the full path (``params.initial.kind``).
    """

    def __init__(self, key: str, problem: str, got: Any = _MISSING):
        self.key, self.problem, self.got = key, problem, got
        super().__init__(f"{key}: {problem}")


def param(default: Any, *, units: str, description: str, **constraints: Any) -> Any:
    """A parameter field with its units (shown in docs, errors and NetCDF coordinates)."""
    return Field(
        default,
        description=f"{description} [{units}]",
        json_schema_extra={"units": units, "long_name": description},
        **constraints,
    )


MULTIPLE_TOLERANCE = 1e-9  # relative rounding allowed in "a multiple of" checks
MAX_STEPS = 2**62  # step counts stay int64, with room for sums of two


def check_multiple(model: BaseModel, key: str, unit_key: str, *, positive: bool = False) -> None:
    """Raise :class:`ParamError` unless ``model.key`` is a whole multiple of ``model.unit_key``.

    Rounding up to MULTIPLE_TOLERANCE (relative) is allowed, so that decimal inputs such as
    0.3 / 0.1 pass; with ``positive`` the multiple must also be at least 1. Multiples beyond
    MAX_STEPS (step counts that would overflow int64) are refused.
    """
    unit = getattr(model, unit_key)
    ratio = getattr(model, key) / unit
    check_steps(key, ratio, f"steps of {unit_key}={unit}")
    nearest = whole_multiple(ratio)
    if nearest is None or (positive and nearest < 1):
        raise ParamError(key, f"must be a multiple of {unit_key}={unit}", ratio)


def whole_multiple(ratio: float) -> int | None:
    """``ratio`` rounded to an integer, or None if further than MULTIPLE_TOLERANCE (relative).

    The tolerance lets decimal inputs such as 0.3 / 0.1 pass.
    """
    nearest = round(ratio)
    return nearest if abs(ratio - nearest) <= MULTIPLE_TOLERANCE * max(ratio, 1.0) else None


def check_steps(key: str, steps: float, what: str = "steps") -> None:
    """Raise :class:`ParamError` for ``key`` if ``steps`` exceeds MAX_STEPS (or is not finite)."""
    if not steps <= MAX_STEPS:
        raise ParamError(key, f"gives {steps:.3g} {what}, more than 2**62")


def param_metadata(model: type[BaseModel], key: str) -> dict[str, str]:
    """``units`` and ``long_name`` of the parameter at ``params.a.b``.

    A key that leads inside a mapping or a non-model value (``params.series.noise.beta``) has no
    declared field: it gets units ``"1"`` and the key as its long name.
    """
    extra: Any = {}
    for part in key.removeprefix("params.").split("."):
        fields = (
            model.model_fields if isinstance(model, type) and issubclass(model, BaseModel) else {}
        )
        if part not in fields:
            extra = {}
            break
        extra, model = fields[part].json_schema_extra, fields[part].annotation
    extra = extra if isinstance(extra, dict) else {}
    return {"units": extra.get("units", "1"), "long_name": extra.get("long_name", key)}


class StrictModel(BaseModel):
    """Base of every scenario section: unknown keys are errors, values are not coerced silently.

    One rule for every parameter of every system: no type coercion (``seed: true`` or
    ``grid_size: 20.0`` are refused; an integer is accepted where a float is meant), every float
    is finite unless its field says ``allow_inf_nan=True``, every integer fits in int64, and a
    YAML list is accepted where a tuple is meant.
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_default=True, strict=True, allow_inf_nan=False
    )

    @model_validator(mode="before")
    @classmethod
    def _plain_input(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        huge = _first_huge_integer(data)
        if huge is not None:
            raise ParamError(huge[0], "must lie in [-2**63, 2**63) (a 64-bit integer)", huge[1])
        tuples = _tuple_fields(cls)
        return {
            key: tuple(value) if key in tuples and isinstance(value, list) else value
            for key, value in data.items()
        }


def _first_huge_integer(value: Any, key: str = "") -> tuple[str, int] | None:
    """(key path, value) of the first integer outside int64 in nested dicts and lists."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (key, value) if not -INT64_LIMIT <= value < INT64_LIMIT else None
    if isinstance(value, dict):
        children = ((f"{key}.{part}" if key else str(part), child) for part, child in value.items())
    elif isinstance(value, list | tuple):
        children = ((f"{key}[{index}]", child) for index, child in enumerate(value))
    else:
        return None
    for path, child in children:
        found = _first_huge_integer(child, path)
        if found is not None:
            return found
    return None


@functools.cache
def _tuple_fields(model: type[BaseModel]) -> frozenset[str]:
    """Fields annotated ``tuple[...]`` (or ``tuple[...] | None``), which take YAML lists."""

    def is_tuple(annotation: Any) -> bool:
        origin = typing.get_origin(annotation)
        if origin in (typing.Union, types.UnionType):
            return any(is_tuple(arm) for arm in typing.get_args(annotation))
        return annotation is tuple or origin is tuple

    return frozenset(
        name for name, field in model.model_fields.items() if is_tuple(field.annotation)
    )


class OutputSpec(StrictModel):
    """Where and how runs are written."""

    dir: str = Field("out", description="Directory for the NetCDF files (created if missing).")
    complevel: int = Field(4, ge=0, le=9, description="zlib level for every variable; 0 = off.")
    checkpoint_interval: float | None = Field(
        300.0,
        ge=0,
        description="Wall-clock seconds between checkpoints (s); 0 = every record, null = never.",
    )


class ProtocolSpec(StrictModel):
    """A parameter that follows a schedule in model time (see :mod:`sims.core.protocol`)."""

    times: tuple[float, ...] = Field(
        description="Model times (the system's time unit) of the schedule's points: strictly "
        "increasing, the first 0, each a whole number of time steps before the run's end."
    )
    values: tuple[float, ...] = Field(
        description="The parameter's value at each time (its own units and bounds)."
    )
    interpolation: Literal["step", "linear"] = Field(
        "step",
        description="step: each value holds until the next time; linear: straight lines "
        "between the points. Either way the last value holds to the end of the run.",
    )

    @model_validator(mode="after")
    def _schedule(self) -> ProtocolSpec:
        if not self.times:
            raise ParamError("times", "needs at least one time", self.times)
        if len(self.values) != len(self.times):
            raise ParamError(
                "values", f"needs one value per time ({len(self.times)})", len(self.values)
            )
        if self.times[0] != 0:
            raise ParamError("times[0]", "must be 0 (the protocol sets the parameter from t = 0)")
        for index in range(1, len(self.times)):
            if not self.times[index] > self.times[index - 1]:
                raise ParamError(f"times[{index}]", "times must be strictly increasing")
        return self


class ScenarioSpec(StrictModel):
    """The common part of every scenario file."""

    system: str = Field(description="Simulator name, see `entrosim list`.")
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="Output file stem.")
    description: str = ""
    seed: int = Field(ge=0, description="Root seed of the run's SeedSequence tree (< 2**63).")
    members: int = Field(1, ge=1, description="Ensemble size per sweep point.")
    output: OutputSpec = OutputSpec()
    params: dict[str, Any] = Field(default_factory=dict)
    sweep: dict[str, list[Any]] = Field(default_factory=dict)
    protocol: dict[str, ProtocolSpec] = Field(
        default_factory=dict,
        description="Parameters that change during each run: params.<name> -> schedule "
        "(only the parameters the system allows; not a swept one).",
    )


@dataclass(frozen=True)
class SweepPoint:
    """One point of the sweep grid: swept values, validated parameters and protocols.

    ``protocols`` are the scenario's parameter protocols resolved for these parameters
    (:class:`~sims.core.protocol.ParameterProtocol`).
    """

    index: int
    values: dict[str, Any]
    params: StrictModel
    protocols: tuple = ()


class SweepGrid(Sequence):
    """The sweep's points, row-major (the last key varies fastest), validated when first used.

    A grid of up to :data:`EAGER_SWEEP_POINTS` points is validated point by point when the
    scenario is loaded. A larger one (10⁶ points are a few lines of YAML) is validated along
    its axes only (every value with the other keys at their first value), so loading stays
    fast; each other point is validated when it is used, and a bad combination then fails
    that run alone.
    """

    def __init__(self, spec: ScenarioSpec, system: registry.System, source: str, base):
        self._spec, self._system, self._source, self._base = spec, system, source, base
        self.keys = list(spec.sweep)
        self.shape = tuple(len(values) for values in spec.sweep.values())
        self._validated: dict[int, SweepPoint] = {}
        if len(self) <= EAGER_SWEEP_POINTS:
            for index in range(len(self)):
                self._validated[index] = self._validate(index)
        else:
            for axis, size in enumerate(self.shape):
                for position in range(size):
                    index = position * math.prod(self.shape[axis + 1 :])
                    self._validated.setdefault(index, self._validate(index))

    @property
    def is_lazy(self) -> bool:
        """Whether some points are validated only when used."""
        return len(self._validated) < len(self)

    def __len__(self) -> int:
        return math.prod(self.shape)

    def __iter__(self):
        return (self[index] for index in range(len(self)))

    def __getitem__(self, index: int) -> SweepPoint:
        if not 0 <= index < len(self):
            raise IndexError(index)
        point = self._validated.get(index)
        return point if point is not None else self._validate(index)

    def values(self, index: int) -> dict[str, Any]:
        """The swept values of point ``index``, without validating it."""
        positions = _unravel(index, self.shape)
        return {key: self._spec.sweep[key][i] for key, i in zip(self.keys, positions, strict=True)}

    def validated_points(self) -> list[SweepPoint]:
        """The points validated so far (all of them unless :attr:`is_lazy`)."""
        return list(self._validated.values())

    def _validate(self, index: int) -> SweepPoint:
        from sims.core.protocol import resolve_protocols  # builds on this module

        values = self.values(index)
        if not values:
            protocols = resolve_protocols(self._spec, self._system, self._base, self._source)
            return SweepPoint(index, values, self._base, protocols)
        document = _deep_copy(self._spec.params)
        for key, value in values.items():
            _set_path(document, key.split(".")[1:], value)
        try:
            params = _validate(self._system.model.Params, document, self._source, prefix="params.")
        except ScenarioError as error:
            key = next((k for k in self.keys if error.key.startswith(k)), self.keys[0])
            position = _unravel(index, self.shape)[self.keys.index(key)]
            raise ScenarioError(
                self._source, f"sweep.{key}[{position}]", error.problem, error.got
            ) from None
        protocols = resolve_protocols(self._spec, self._system, params, self._source)
        return SweepPoint(index, values, params, protocols)


def _unravel(index: int, shape: tuple[int, ...]) -> list[int]:
    positions = []
    for size in reversed(shape):
        index, position = divmod(index, size)
        positions.append(position)
    return positions[::-1]


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: the common spec, the system, and the sweep grid's points."""

    source: str
    spec: ScenarioSpec
    system: registry.System
    params: StrictModel
    points: SweepGrid

    @property
    def has_sweep(self) -> bool:
        """Whether the scenario sweeps a grid of parameters."""
        return bool(self.spec.sweep)

    @property
    def n_runs(self) -> int:
        """Sweep points times members."""
        return len(self.points) * self.spec.members

    def resolved_yaml(self) -> str:
        """The full scenario with every default filled in: running it reproduces the outputs."""
        document = self.spec.model_dump(mode="json")
        document["params"] = self.params.model_dump(mode="json")
        for key in ("sweep", "protocol"):
            if not document[key]:
                del document[key]
        return yaml.safe_dump(document, sort_keys=False)


def shipped_scenarios_dir() -> Path:
    """The folder of the scenarios that ship with entrosim (inside the wheel, or the checkout)."""
    package_dir = Path(__file__).resolve().parents[1]
    installed = package_dir / "scenarios"
    return installed if installed.is_dir() else package_dir.parent / "scenarios"


def shipped_scenarios() -> dict[str, Path]:
    """Shipped scenarios by name (``coffee/interacting``, ``sweeps/coffee_size_scaling``)."""
    root = shipped_scenarios_dir()
    return {
        path.relative_to(root).with_suffix("").as_posix(): path
        for path in sorted(root.rglob(f"*{_SHIPPED_SUFFIX}"))
    }


def scenario_description(path: Path) -> str:
    """The ``description`` of a scenario file, read without validating (or importing) its system.

    Used by ``entrosim list`` on the shipped scenarios, which the test suite validates in full.
    """
    document = read_yaml_file(path)
    description = document.get("description", "") if isinstance(document, dict) else ""
    return description if isinstance(description, str) else ""


def resolve_source(file_or_name: str) -> Path:
    """Return the scenario file for a path or a shipped name; ScenarioError if neither exists."""
    path = Path(file_or_name)
    if path.is_file():
        return path
    shipped = shipped_scenarios()
    name = file_or_name.removesuffix(_SHIPPED_SUFFIX)
    if name in shipped:
        return shipped[name]
    hint = difflib.get_close_matches(name, shipped, n=1)
    problem = "no such file or shipped scenario" + (f" (did you mean {hint[0]!r}?)" if hint else "")
    raise ScenarioError(file_or_name, "scenario", problem)


def load_scenario(file_or_name: str, overrides: list[str] = ()) -> Scenario:
    """Read, override and validate a scenario.

    Parameters
    ----------
    file_or_name : str
        A YAML file, or a shipped scenario name such as ``coffee/interacting``.
    overrides : list of str
        ``key.path=value`` assignments applied before validation (values parsed as YAML).

    Raises
    ------
    ScenarioError
        For any problem; its message is one line naming the file and the key.
    """
    path = resolve_source(file_or_name)
    source = str(path)
    try:
        document = read_yaml_file(path)
    except DocumentError as error:
        raise ScenarioError(source, error.where, error.problem) from None
    if not isinstance(document, dict):
        raise ScenarioError(
            source, "top level", "must be a mapping of keys", type(document).__name__
        )
    for assignment in overrides:
        _apply_override(document, assignment, source)
    return validate_document(document, source)


def validate_document(document: dict, source: str) -> Scenario:
    """Validate a parsed scenario mapping (see :func:`load_scenario`)."""
    from sims.core.protocol import with_initial_values  # builds on this module

    spec = _validate(ScenarioSpec, document, source, prefix="")
    systems = registry.systems()
    if spec.system not in systems:
        raise ScenarioError(
            source, "system", f"unknown system (known: {', '.join(systems)})", spec.system
        )
    system = systems[spec.system]
    spec = with_initial_values(spec, system, source)
    params = _validate(system.model.Params, spec.params, source, prefix="params.")
    for key, values in spec.sweep.items():
        if not key.startswith("params.") or key == "params.":
            raise ScenarioError(source, f"sweep.{key}", "sweep keys must be params.<name>", key)
        if not values:
            raise ScenarioError(source, f"sweep.{key}", "needs at least one value", values)
    points = SweepGrid(spec, system, source, params)
    return Scenario(source=source, spec=spec, system=system, params=params, points=points)


def _validate(model: type[BaseModel], data: Any, source: str, prefix: str) -> Any:
    """Validate ``data``; validators find the scenario's folder in the context (relative paths)."""
    try:
        return model.model_validate(data, context={"scenario_dir": str(Path(source).parent)})
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        key = prefix + _format_location(first["loc"])
        cause = first.get("ctx", {}).get("error")
        if isinstance(cause, ParamError):
            key = f"{key}.{cause.key}" if first["loc"] else prefix + cause.key
            raise ScenarioError(source, key, cause.problem, cause.got) from None
        problem, got = _describe(first, model)
        raise ScenarioError(source, key.rstrip(".") or "top level", problem, got) from None


def _format_location(location: tuple) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _describe(error: dict, model: type[BaseModel]) -> tuple[str, Any]:
    kind = error["type"]
    if kind == "extra_forbidden":
        known = _known_keys(model, error["loc"][:-1])
        hint = difflib.get_close_matches(str(error["loc"][-1]), known, n=1)
        return "unknown key" + (f" (did you mean {hint[0]!r}?)" if hint else ""), _MISSING
    if kind == "missing":
        return "required key is missing", _MISSING
    message = error["msg"].removeprefix("Value error, ")
    message = message[:1].lower() + message[1:]
    return message, error.get("input", _MISSING)


def _known_keys(model: type[BaseModel], location: tuple) -> list[str]:
    for part in location:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        annotation = getattr(field, "annotation", None)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)


def _apply_override(document: dict, assignment: str, source: str) -> None:
    key, separator, text = assignment.partition("=")
    if not separator or not key.strip():
        raise ScenarioError(source, "--set", "expected key.path=value", assignment)
    try:
        value = parse_yaml(text)
    except DocumentError as error:
        raise ScenarioError(
            source, key, f"value is not valid YAML: {error.problem}", text
        ) from None
    path = key.strip().split(".")
    if path[0] in ("sweep", "protocol") and len(path) > 1:  # their keys are dotted paths
        path = [path[0], ".".join(path[1:])]
    try:
        _set_path(document, path, value)
    except TypeError:
        raise ScenarioError(source, key, "cannot set a key inside a non-mapping value") from None


def _set_path(document: dict, path: list[str], value: Any) -> None:
    for part in path[:-1]:
        child = document.setdefault(part, {})
        if not isinstance(child, dict):
            raise TypeError(part)
        document = child
    document[path[-1]] = value


def _deep_copy(document: Any) -> Any:
    if isinstance(document, dict):
        return {key: _deep_copy(value) for key, value in document.items()}
    if isinstance(document, list):
        return [_deep_copy(value) for value in document]
    return document
