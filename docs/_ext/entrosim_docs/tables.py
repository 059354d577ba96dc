"""Docutils tables built from Python data (no reStructuredText escaping needed)."""

from __future__ import annotations

from collections.abc import Sequence

from docutils import nodes

Cell = str | nodes.Node | None


def literal(text: str) -> nodes.literal:
    """Inline code text (``text``)."""
    return nodes.literal(text, text)


def _entry(cell: Cell) -> nodes.entry:
    if cell is None or cell == "":
        content: nodes.Node = nodes.Text("")
    elif isinstance(cell, nodes.Node):
        content = cell
    else:
        content = nodes.Text(str(cell))
    return nodes.entry("", nodes.paragraph("", "", content))


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    widths: Sequence[int],
    title: str | None = None,
    classes: Sequence[str] = (),
) -> nodes.table:
    """A table node with a header row; ``widths`` are relative column widths."""
    group = nodes.tgroup(cols=len(headers))
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    head += nodes.row("", *(_entry(header) for header in headers))
    body = nodes.tbody()
    for row in rows:
        body += nodes.row("", *(_entry(cell) for cell in row))
    group += head
    group += body
    node = nodes.table(classes=["entrosim-table", *classes])
    if title:
        node += nodes.title(title, title)
    node += group
    return node
