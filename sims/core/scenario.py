"""Scenario files: YAML -> validated, typed scenario, with one-line errors that name the key.

A scenario has a common part (``system``, ``name``, ``seed``, ``members``, ``output``, optional
``sweep``) and the simulator's own ``params``, validated by that simulator's pydantic model.
Every problem is reported as one :class:`ScenarioError` line::

    scenarios/coffee/interacting.yaml: params.grid_size: must be even (got 101)
"""

from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sims.core import registry

_SHIPPED_SUFFIX = ".yaml"
_MISSING = object()
_MAX_GOT_CHARS = 60


class ScenarioError(Exception):
    """A problem with a scenario, reported as ``SOURCE: key.path: problem (got X)``."""

    def __init__(self, source: str, key: str, problem: str, got: Any = _MISSING):
        self.source, self.key, self.problem, self.got = source, key, problem, got
        super().__init__(str(self))

    def __str__(self) -> str:
        line = f"{self.source}: {self.key}: {self.problem}"
        if self.got is not _MISSING:
            got = repr(self.got)
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


def check_multiple(model: BaseModel, key: str, unit_key: str, *, positive: bool = False) -> None:
    """Raise :class:`ParamError` unless ``model.key`` is a whole multiple of ``model.unit_key``.

    Rounding up to MULTIPLE_TOLERANCE (relative) is allowed, so that decimal inputs such as
    0.3 / 0.1 pass; with ``positive`` the multiple must also be at least 1.
    """
    unit = getattr(model, unit_key)
    ratio = getattr(model, key) / unit
    nearest = round(ratio)
    if abs(ratio - nearest) > MULTIPLE_TOLERANCE * max(ratio, 1.0) or (positive and nearest < 1):
        raise ParamError(key, f"must be a multiple of {unit_key}={unit}", ratio)


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
    """Base of every scenario section: unknown keys are errors, values are not coerced silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class OutputSpec(StrictModel):
    """Where and how runs are written."""

    dir: str = Field("out", description="Directory for the NetCDF files (created if missing).")
    complevel: int = Field(4, ge=0, le=9, description="zlib level for every variable; 0 = off.")
    checkpoint_interval: float | None = Field(
        300.0,
        ge=0,
        description="Wall-clock seconds between checkpoints (s); 0 = every record, null = never.",
    )


class ScenarioSpec(StrictModel):
    """The common part of every scenario file."""

    system: str = Field(description="Simulator name, see `entrosim list`.")
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="Output file stem.")
    description: str = ""
    seed: int = Field(ge=0, description="Root seed of the run's SeedSequence tree.")
    members: int = Field(1, ge=1, description="Ensemble size per sweep point.")
    output: OutputSpec = OutputSpec()
    params: dict[str, Any] = Field(default_factory=dict)
    sweep: dict[str, list[Any]] = Field(default_factory=dict)


@dataclass(frozen=True)
class SweepPoint:
    """One point of the sweep grid: its index, the swept values and the validated parameters."""

    index: int
    values: dict[str, Any]
    params: StrictModel


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: the common spec, the system, and every sweep point's parameters."""

    source: str
    spec: ScenarioSpec
    system: registry.System
    params: StrictModel
    points: tuple[SweepPoint, ...]

    @property
    def has_sweep(self) -> bool:
        """Whether the scenario sweeps a grid of parameters."""
        return bool(self.spec.sweep)

    def resolved_yaml(self) -> str:
        """The full scenario with every default filled in: running it reproduces the outputs."""
        document = self.spec.model_dump(mode="json")
        document["params"] = self.params.model_dump(mode="json")
        if not document["sweep"]:
            del document["sweep"]
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
        document = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "yaml"
        raise ScenarioError(
            source, where, f"invalid YAML: {getattr(error, 'problem', error)}"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(source, "file", f"cannot read: {error}") from None
    if not isinstance(document, dict):
        raise ScenarioError(
            source, "top level", "must be a mapping of keys", type(document).__name__
        )
    for assignment in overrides:
        _apply_override(document, assignment, source)
    return validate_document(document, source)


def validate_document(document: dict, source: str) -> Scenario:
    """Validate a parsed scenario mapping (see :func:`load_scenario`)."""
    spec = _validate(ScenarioSpec, document, source, prefix="")
    systems = registry.systems()
    if spec.system not in systems:
        raise ScenarioError(
            source, "system", f"unknown system (known: {', '.join(systems)})", spec.system
        )
    system = systems[spec.system]
    params = _validate(system.model.Params, spec.params, source, prefix="params.")
    points = _sweep_points(spec, system, source) if spec.sweep else (SweepPoint(0, {}, params),)
    return Scenario(source=source, spec=spec, system=system, params=params, points=points)


def _sweep_points(
    spec: ScenarioSpec, system: registry.System, source: str
) -> tuple[SweepPoint, ...]:
    for key, values in spec.sweep.items():
        if not key.startswith("params.") or key == "params.":
            raise ScenarioError(source, f"sweep.{key}", "sweep keys must be params.<name>", key)
        if not values:
            raise ScenarioError(source, f"sweep.{key}", "needs at least one value", values)
    keys = list(spec.sweep)
    points = []
    for index, combination in enumerate(itertools.product(*spec.sweep.values())):
        document = _deep_copy(spec.params)
        for key, value in zip(keys, combination, strict=True):
            _set_path(document, key.split(".")[1:], value)
        try:
            params = _validate(system.model.Params, document, source, prefix="params.")
        except ScenarioError as error:
            key = next((k for k in keys if error.key.startswith(k)), keys[0])
            position = spec.sweep[key].index(combination[keys.index(key)])
            raise ScenarioError(
                source, f"sweep.{key}[{position}]", error.problem, error.got
            ) from None
        points.append(SweepPoint(index, dict(zip(keys, combination, strict=True)), params))
    return tuple(points)


def _validate(model: type[BaseModel], data: Any, source: str, prefix: str) -> Any:
    try:
        return model.model_validate(data)
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
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        raise ScenarioError(source, key, "value is not valid YAML", text) from None
    path = key.strip().split(".")
    if path[0] == "sweep" and len(path) > 1:  # sweep keys are themselves dotted paths
        path = ["sweep", ".".join(path[1:])]
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
