"""Docstrings as plain mathematical text: ``|x|`` means an absolute value, not a substitution.

The docstrings write norms and absolute values the way the physics does (``|φ̂_k|²``,
``max |E − E₀|``); reStructuredText would read ``|...|`` as a substitution reference. Before
numpydoc and autodoc parse a docstring, every bare ``|`` is escaped, except inside inline
literals and roles (````|x|````, ``:math:`|x|```), literal blocks (after ``::``) and directive
bodies (``.. math::``), where the text is taken as written.
"""

from __future__ import annotations

import re

_VERBATIM_SPAN = re.compile(r"(``.+?``|:[\w:.-]+:`[^`]*`)")
_BARE_BAR = re.compile(r"(?<!\\)\|")
_DIRECTIVE = re.compile(r"^\s*\.\. [\w:.-]+::")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def escape_bars(lines: list[str]) -> list[str]:
    """The lines with ``|`` escaped outside verbatim spans, literal blocks and directives."""
    escaped = []
    block_indent = None  # indentation of the line that opened a verbatim block
    for line in lines:
        if block_indent is not None and (not line.strip() or _indent(line) > block_indent):
            escaped.append(line)
            continue
        block_indent = None
        if _DIRECTIVE.match(line):
            escaped.append(line)
            block_indent = _indent(line)
            continue
        parts = _VERBATIM_SPAN.split(line)
        parts[::2] = [_BARE_BAR.sub(r"\\|", part) for part in parts[::2]]
        escaped.append("".join(parts))
        if line.rstrip().endswith("::"):
            block_indent = _indent(line)
    return escaped


def process_docstring(app, what, name, obj, options, lines: list[str]) -> None:
    """``autodoc-process-docstring`` handler (runs before numpydoc's)."""
    lines[:] = escape_bars(lines)
