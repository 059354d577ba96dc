"""``entrosim-cli``: every subcommand of ``entrosim`` with its options, from the argparse parser."""

from __future__ import annotations

import argparse

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from .caching import note_generated
from .tables import literal, table


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse offers no public accessor for subparsers
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _help_lines(parser: argparse.ArgumentParser) -> dict[str, str]:
    """The one-line help of each subcommand, as ``entrosim --help`` lists it."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return {choice.dest: choice.help or "" for choice in action._choices_actions}
    return {}


def _argument_rows(parser: argparse.ArgumentParser) -> list[tuple]:
    rows = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if action.option_strings:
            names = ", ".join(action.option_strings)
            if action.nargs != 0:
                names += f" {action.metavar or action.dest.upper()}"
        else:
            names = action.metavar or action.dest
            if action.nargs in ("+", "*"):
                names += " ..."
        default = action.default
        shown = "" if default in (None, False, [], argparse.SUPPRESS) else str(default)
        required = "yes" if action.required or not action.option_strings else ""
        rows.append((literal(names), required, shown, action.help or ""))
    return rows


def _block(text: str) -> nodes.literal_block:
    block = nodes.literal_block(text, text)
    block["language"] = "text"
    return block


class CliDirective(SphinxDirective):
    """``.. entrosim-cli::``: the usage, help and a table of arguments of every subcommand."""

    def run(self) -> list[nodes.Node]:
        """Nodes of the usage line and of a section per subcommand."""
        note_generated(self.env)
        from sims.cli import build_parser

        parser = build_parser()
        parser.prog = "entrosim"
        result: list[nodes.Node] = [_block(parser.format_usage().strip())]
        helps = _help_lines(parser)
        headers = ("argument", "required", "default", "help")
        for name, command in _subcommands(parser).items():
            section = nodes.section(ids=[nodes.make_id(f"entrosim-{name}")])
            title = f"entrosim {name}"
            section += nodes.title(title, "", literal(title))
            text = command.description or helps.get(name, "")
            if text:
                section += nodes.paragraph(text, text[:1].upper() + text[1:] + ".")
            section += _block(command.format_usage().strip())
            rows = _argument_rows(command)
            if rows:
                section += table(headers, rows, (26, 8, 10, 56), classes=["entrosim-cli"])
            result.append(section)
        return result
