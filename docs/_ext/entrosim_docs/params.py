"""``entrosim-params``: the parameter tables of a system (or the scenario keys), from pydantic.

Every field of the system's ``Params`` model becomes a row named by its dotted path as written
in a scenario (``params.initial.velocity``): type, default, units, allowed values (from the
field's ``ge``/``gt``/``le``/``lt``/length constraints and ``Literal`` choices) and description.
Nested models get a table of their own; a union of models (selected by ``kind``) gets one table
per kind, and a mapping of blocks (``params.series``) uses ``<name>`` for the user's key.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field

import annotated_types
import yaml
from docutils import nodes
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from sphinx.util.docutils import SphinxDirective

from .caching import note_generated
from .tables import literal, table

MAPPING_KEY = "<name>"
_MAX_DEFAULT_CHARS = 60
_SCALARS = {int: "integer", float: "number", bool: "boolean", str: "string"}
_BOUNDS = (
    (annotated_types.Ge, "ge", "≥"),
    (annotated_types.Gt, "gt", ">"),
    (annotated_types.Le, "le", "≤"),
    (annotated_types.Lt, "lt", "<"),
)


@dataclass
class ParamTable:
    """The rows of one model: its dotted prefix, a title and (path, field) pairs."""

    title: str
    doc: str
    fields: list[tuple[str, FieldInfo]] = field(default_factory=list)


def _arms(annotation) -> list:
    """The alternatives of a union (``Annotated`` unwrapped); a non-union is its own arm."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _arms(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [arm for part in typing.get_args(annotation) for arm in _arms(part)]
    return [annotation]


def _is_model(annotation) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _mapping_values(annotation):
    """The value annotation of ``dict[str, V]``, or None."""
    if typing.get_origin(annotation) is dict:
        return typing.get_args(annotation)[1]
    return None


def _kind(model: type[BaseModel]) -> str | None:
    kind = model.model_fields.get("kind")
    return kind.default if kind is not None and isinstance(kind.default, str) else None


def model_tables(model: type[BaseModel], prefix: str, title: str | None = None) -> list[ParamTable]:
    """Tables of ``model`` and of every model nested in it, depth first."""
    own = ParamTable(title or prefix.rstrip("."), (model.__doc__ or "").strip().split("\n\n")[0])
    nested: list[ParamTable] = []
    for name, info in model.model_fields.items():
        path = prefix + name
        own.fields.append((path, info))
        values = _mapping_values(info.annotation)
        base = f"{path}.{MAPPING_KEY}" if values is not None else path
        models = [arm for arm in _arms(values or info.annotation) if _is_model(arm)]
        for sub in models:
            kind = _kind(sub)
            label = f"{base} (kind: {kind})" if len(models) > 1 and kind else base
            nested += model_tables(sub, base + ".", label)
    return [own, *nested]


def type_text(annotation) -> str:
    """A short type name as a YAML author sees it (``list of number``, ``integer or null``)."""
    arms = _arms(annotation)
    if len(arms) > 1:
        models = [arm for arm in arms if _is_model(arm)]
        others = [type_text(arm) for arm in arms if not _is_model(arm)]
        if models:
            others.insert(0, "mapping (by kind)" if len(models) > 1 else "mapping")
        return " or ".join(dict.fromkeys(others))
    (annotation,) = arms
    origin = typing.get_origin(annotation)
    if annotation is type(None):
        return "null"
    if origin is typing.Literal:
        values = typing.get_args(annotation)
        return _SCALARS.get(type(values[0]), "value")
    if origin is tuple:
        items = typing.get_args(annotation)
        if len(items) == 2 and items[1] is Ellipsis:
            return f"list of {type_text(items[0])}"
        return f"list of {len(items)} {type_text(items[0])}"
    if origin is list:
        return f"list of {type_text(typing.get_args(annotation)[0])}"
    if origin is dict:
        value = typing.get_args(annotation)[1]
        return f"mapping of name to {type_text(value)}"
    if _is_model(annotation):
        return "mapping"
    if annotation is typing.Any:
        return "any"
    return _SCALARS.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _choices(annotation) -> list[str]:
    """Literal choices anywhere in the annotation (a tuple's items included)."""
    found = []
    for arm in _arms(annotation):
        origin = typing.get_origin(arm)
        if origin is typing.Literal:
            found += [str(value) for value in typing.get_args(arm)]
        elif origin in (tuple, list):
            found += _choices(typing.get_args(arm)[0])
    return found


def allowed_text(info: FieldInfo) -> str:
    """Allowed values: Literal choices, numeric bounds, length and pattern constraints."""
    parts = []
    choices = _choices(info.annotation)
    if choices:
        parts.append("one of " + ", ".join(choices))
    for constraint in info.metadata:
        for kind, attribute, symbol in _BOUNDS:
            if isinstance(constraint, kind):
                parts.append(f"{symbol} {getattr(constraint, attribute)}")
        if isinstance(constraint, annotated_types.MinLen):
            parts.append(f"at least {constraint.min_length} item(s)")
        if isinstance(constraint, annotated_types.MaxLen):
            parts.append(f"at most {constraint.max_length} item(s)")
        pattern = getattr(constraint, "pattern", None)
        if pattern:
            parts.append(f"matches {pattern}")
    return "; ".join(parts)


def _plain(value):
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def default_text(info: FieldInfo) -> str:
    """The default as YAML flow text (``required`` if there is none), shortened if long."""
    if info.default_factory is not None:
        value = info.default_factory()
    elif info.default is PydanticUndefined:
        return "required"
    else:
        value = info.default
    if isinstance(value, BaseModel):
        return "(the table below)"
    text = yaml.safe_dump(
        _plain(value), default_flow_style=True, width=10**6, sort_keys=False
    ).strip()
    text = text.removesuffix("\n...").removesuffix("...").strip()
    return text if len(text) <= _MAX_DEFAULT_CHARS else text[: _MAX_DEFAULT_CHARS - 1] + "…"


def units_text(info: FieldInfo) -> str:
    """The units declared with :func:`sims.core.scenario.param` (empty if none)."""
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    return str(extra.get("units", ""))


def description_text(info: FieldInfo) -> str:
    """The field's description without the ``[units]`` suffix ``param`` appends."""
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    return str(extra.get("long_name") or info.description or "")


def render(tables: list[ParamTable]) -> list[nodes.Node]:
    """Docutils nodes for the tables: a rubric, the model's summary and a table each."""
    headers = ("key", "type", "default", "units", "allowed", "description")
    result: list[nodes.Node] = []
    for param_table in tables:
        rubric = nodes.rubric("", "", literal(param_table.title))
        rubric["ids"].append(nodes.make_id("param-" + param_table.title))
        result.append(rubric)
        if param_table.doc:
            result.append(nodes.paragraph(param_table.doc, param_table.doc))
        rows = [
            (
                literal(path),
                type_text(info.annotation),
                literal(default_text(info)),
                units_text(info),
                allowed_text(info),
                description_text(info),
            )
            for path, info in param_table.fields
        ]
        result.append(table(headers, rows, (22, 12, 14, 8, 16, 28), classes=["entrosim-params"]))
    return result


class ParamsDirective(SphinxDirective):
    """``.. entrosim-params:: SYSTEM`` (a registered system) or ``scenario`` (the common keys)."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        """Rubrics, summaries and tables of the requested model and its nested models."""
        note_generated(self.env)
        from sims.core import registry, scenario

        name = self.arguments[0]
        if name == "scenario":
            return render(model_tables(scenario.ScenarioSpec, "", "scenario"))
        systems = registry.systems()
        if name not in systems:
            raise self.error(f"unknown system {name!r} (known: {', '.join(systems)})")
        return render(model_tables(systems[name].model.Params, "params.", "params"))
