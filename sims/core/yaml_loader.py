"""Scenario YAML, read as untrusted input: bounded size, YAML 1.2 floats, no duplicate keys.

PyYAML's ``SafeLoader`` builds only plain data (no Python tags), but on its own it

* reads ``1e-3`` as a string (YAML 1.1 floats need a dot): here the YAML 1.2 core-schema rule
  applies, so scientific notation is a float when the file is read, never by coercing strings
  later;
* lets the last of two equal keys win silently: here a duplicate key is an error;
* shares aliased nodes, so 500 bytes of nested aliases describe billions of values that every
  later traversal (validation, ``repr``, JSON) would expand: here a document whose expanded
  size exceeds :data:`MAX_EXPANDED_NODES` (or whose aliases form a cycle) is refused before it
  is constructed, in time proportional to its distinct nodes.

Files are read up to :data:`MAX_DOCUMENT_BYTES`; nesting deeper than :data:`MAX_DEPTH` is refused.
"""

from __future__ import annotations

import re

import yaml

MAX_DOCUMENT_BYTES = 1 << 20  # a scenario is a page of text
MAX_EXPANDED_NODES = 100_000  # scalars, sequences and mappings after expanding every alias
MAX_DEPTH = 64  # nesting of sequences and mappings

# YAML 1.2 core schema: [-+]? ( . digits | digits [. digits?] ) ([eE] [-+]? digits)?; the plain
# integers among these are resolved as ints first (PyYAML tries its own resolvers before this)
_CORE_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$")


class DocumentError(ValueError):
    """A YAML document that cannot be read: ``where`` is ``line N`` or ``yaml``."""

    def __init__(self, where: str, problem: str):
        self.where, self.problem = where, problem
        super().__init__(f"{where}: {problem}")


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 floats, duplicate keys refused and a bounded expansion."""

    def construct_document(self, node):
        _check_expansion(node)
        return super().construct_document(node)

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:  # an unhashable key; construction reports it
                    continue
                if duplicate:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _CORE_FLOAT, list("-+.0123456789"))


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a node graph that expands beyond MAX_EXPANDED_NODES or MAX_DEPTH, or has a cycle.

    The expanded size of a node is 1 plus that of its children, memoised per node, so shared
    (aliased) nodes cost their size every time they are used but are visited once.
    """
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    on_path: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        children = _children(node)
        if children_done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            depths[key] = 1 + max((depths[id(child)] for child in children), default=0)
            if sizes[key] > MAX_EXPANDED_NODES:
                raise DocumentError(
                    "yaml",
                    f"expands to more than {MAX_EXPANDED_NODES} values (aliases of aliases?)",
                )
            if depths[key] > MAX_DEPTH:
                raise DocumentError("yaml", f"nests deeper than {MAX_DEPTH} levels")
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise DocumentError(f"line {node.start_mark.line + 1}", "an alias refers to itself")
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def parse_yaml(text: str) -> object:
    """Parse one YAML document with the rules above.

    Raises
    ------
    DocumentError
        For invalid YAML, a duplicate key, a too large or too deep document, or a number that
        Python refuses to build (an integer of thousands of digits).
    """
    if len(text) > MAX_DOCUMENT_BYTES:
        raise DocumentError("file", f"larger than {MAX_DOCUMENT_BYTES} bytes")
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "yaml"
        raise DocumentError(where, f"invalid YAML: {getattr(error, 'problem', error)}") from None
    except RecursionError:
        raise DocumentError("yaml", f"nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:  # e.g. int() of more than sys.get_int_max_str_digits() digits
        raise DocumentError("yaml", f"unreadable value: {error}") from None


def read_yaml_file(path) -> object:
    """Read and parse a YAML file of at most MAX_DOCUMENT_BYTES bytes (see :func:`parse_yaml`).

    Raises
    ------
    DocumentError
        As :func:`parse_yaml`; ``where`` is ``file`` when it cannot be read or is not UTF-8.
    """
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_DOCUMENT_BYTES + 1)
        text = raw.decode("utf-8")
    except OSError as error:
        raise DocumentError("file", f"cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise DocumentError("file", f"not UTF-8 text: {error.reason}") from None
    return parse_yaml(text)
