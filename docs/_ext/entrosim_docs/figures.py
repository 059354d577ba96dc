"""``entrosim-figure``: a small run of a shipped scenario, drawn by ``entrosim plot``.

The run and the plot happen at build time in a subprocess (``python -m sims run ... --set ...``
then ``python -m sims plot``), so the figure always shows what the current code does. The PNG is
cached under ``docs/_build/.entrosim_cache/figures/<source key>/`` by the scenario and its
overrides, so rebuilding unchanged code costs nothing.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from .caching import cache_dir, checkout_pythonpath, note_generated

logger = logging.getLogger(__name__)
RUN_TIMEOUT_SECONDS = 600


def _entrosim(arguments: list[str], cwd: Path) -> None:
    environment = {**os.environ, "PYTHONPATH": checkout_pythonpath()}
    result = subprocess.run(
        [sys.executable, "-m", "sims", *arguments],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode != 0:
        raise ExtensionError(
            f"entrosim {' '.join(arguments)} failed with exit code {result.returncode}:\n"
            f"{result.stderr.strip()}"
        )


def scenario_figure(srcdir: str, scenario: str, overrides: list[str]) -> Path:
    """The PNG of ``entrosim plot`` on member 0 of ``scenario`` run with ``overrides`` (cached)."""
    key = hashlib.sha256("\n".join([scenario, *overrides]).encode()).hexdigest()[:16]
    target = cache_dir(srcdir, "figures") / f"{scenario.replace('/', '_')}_{key}.png"
    if target.is_file():
        return target
    logger.info(f"entrosim-figure: running {scenario} {' '.join(overrides)}")
    with tempfile.TemporaryDirectory(prefix="entrosim-docs-") as folder:
        work = Path(folder)
        settings = [word for override in overrides for word in ("--set", override)]
        _entrosim(["run", scenario, "--out", "out", "--quiet", *settings], work)
        runs = sorted((work / "out").glob("*_m000.nc"))
        if not runs:
            raise ExtensionError(f"entrosim run {scenario} wrote no member-0 file")
        _entrosim(["plot", str(runs[0]), "--output", str(work / "figure.png")], work)
        os.replace(work / "figure.png", target)
    return target


class FigureDirective(SphinxDirective):
    """``.. entrosim-figure:: SCENARIO`` with ``:set:`` overrides (one per line) and a caption."""

    required_arguments = 1
    has_content = True
    option_spec = {"set": directives.unchanged, "alt": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        """A figure node of the cached PNG, its caption and the command that made it."""
        note_generated(self.env)
        overrides = (self.options.get("set") or "").split()
        path = scenario_figure(self.env.srcdir, self.arguments[0], overrides)
        uri = "/" + path.relative_to(self.env.srcdir).as_posix()
        alt = self.options.get("alt", f"entrosim plot of {self.arguments[0]}")
        figure = nodes.figure(classes=["entrosim-figure"])
        figure += nodes.image(uri=uri, alt=alt)
        caption = " ".join(self.content).strip()
        if caption:
            parsed = nodes.Element()
            self.state.nested_parse(self.content, self.content_offset, parsed)
            text = parsed.children[0] if parsed.children else nodes.paragraph(caption, caption)
            figure += nodes.caption("", "", *text.children)
        command = ["entrosim run", self.arguments[0], *(f"--set {o}" for o in overrides)]
        figure += nodes.legend("", nodes.paragraph("", "", nodes.literal("", " ".join(command))))
        return [figure]
