"""``entrosim-scenarios``: the shipped scenarios of a system, read and validated at build time."""

from __future__ import annotations

import yaml
from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from .caching import note_generated
from .tables import literal, table


def _flow(value) -> str:
    return yaml.safe_dump(value, default_flow_style=True, width=10**6, sort_keys=False).strip()


def scenario_rows(system: str) -> list[tuple]:
    """(name, members x sweep points, parameters set in the file, description) per scenario."""
    from sims.core.scenario import load_scenario, shipped_scenarios

    rows = []
    for name, path in shipped_scenarios().items():
        loaded = load_scenario(str(path))
        if loaded.spec.system != system:
            continue
        spec = loaded.spec
        runs = f"{len(loaded.points)} × {spec.members}" if loaded.has_sweep else str(spec.members)
        sweep = "".join(f"; sweep {key}: {_flow(values)}" for key, values in spec.sweep.items())
        rows.append((literal(name), runs, literal(_flow(spec.params)), spec.description + sweep))
    return rows


class ScenariosDirective(SphinxDirective):
    """``.. entrosim-scenarios:: SYSTEM``: a table of ``scenarios/**/*.yaml`` for that system."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        """One table of the system's scenarios."""
        note_generated(self.env)
        rows = scenario_rows(self.arguments[0])
        if not rows:
            raise self.error(f"no shipped scenario for system {self.arguments[0]!r}")
        headers = ("scenario", "runs (points × members)", "params in the file", "description")
        return [table(headers, rows, (18, 8, 34, 40), classes=["entrosim-scenarios"])]
