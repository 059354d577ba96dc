"""Memory a run will need, and memory this machine has: refuse before allocating.

Every model estimates the peak memory of one run from its parameters alone
(:meth:`sims.core.simulation.Model.memory_estimate`, arithmetic only). :func:`estimate_memory`
also names the parameter behind it: the one whose default value would shrink the estimate most.
``entrosim validate`` prints the estimate; ``run`` and ``batch`` refuse a run whose estimate
exceeds the memory available now.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import NamedTuple

from sims.core.scenario import Scenario, ScenarioError

BYTES_PER_RUN_ENTRY = 2048  # a batch's bookkeeping per run: its plan, result and manifest line


class MemoryEstimate(NamedTuple):
    """Peak memory of one run (B) and the parameter key (``params.x``) that drives it."""

    bytes: float
    parameter: str


def estimate_memory(model_class, params) -> MemoryEstimate:
    """``model_class.memory_estimate(params)``, named after the parameter that drives it.

    That parameter is the one whose reset to its default lowers the estimate most (a size, a
    number of records, a list of series); ``params`` if none does.
    """
    needed = float(model_class.memory_estimate(params))
    best, culprit = needed, "params"
    for name, field in type(params).model_fields.items():
        default = field.get_default(call_default_factory=True)
        if getattr(params, name) == default:
            continue
        try:
            smaller = float(model_class.memory_estimate(params.model_copy(update={name: default})))
        except Exception:  # noqa: BLE001 - the default may not fit the other parameters
            continue
        if smaller < best:
            best, culprit = smaller, f"params.{name}"
    return MemoryEstimate(needed, culprit)


def format_bytes(size: float) -> str:
    """``7.2 TB``-style decimal size (B, kB, MB, GB, TB, PB, EB)."""
    units = ("B", "kB", "MB", "GB", "TB", "PB", "EB")
    if not math.isfinite(size):
        return "an unbounded amount"
    power = min(int(math.log10(max(size, 1.0)) // 3), len(units) - 1)
    return f"{size / 1000**power:.3g} {units[power]}"


def available_memory() -> int:
    """Memory this process may still allocate (B): MemAvailable, capped by a cgroup limit."""
    limits = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                limits.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    limits.append(_cgroup_room())
    known = [limit for limit in limits if limit is not None]
    if known:
        return min(known)
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")


def _cgroup_room() -> int | None:
    """Bytes left under this process's cgroup v2 memory limit, if it has one."""
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = Path("/sys/fs/cgroup/memory.current").read_text().strip()
    except OSError:
        return None
    if limit == "max":
        return None
    try:
        return max(int(limit) - int(used), 0)
    except ValueError:
        return None


def shortage(estimate: MemoryEstimate, available: int) -> str | None:
    """The one-line problem (``needs ~X for one run, Y available``), or None if it fits."""
    if estimate.bytes <= available:
        return None
    return f"needs ~{format_bytes(estimate.bytes)} for one run, {format_bytes(available)} available"


def check_resources(scenario: Scenario, available: int) -> None:
    """Refuse a batch whose bookkeeping, or whose only run, cannot fit in ``available`` bytes.

    Raises
    ------
    ScenarioError
        Naming ``members`` or ``sweep`` (too many runs) or the parameter behind the estimate.
    """
    bookkeeping = scenario.n_runs * BYTES_PER_RUN_ENTRY
    if bookkeeping > available:
        key = "members" if scenario.spec.members >= len(scenario.points) else "sweep"
        raise ScenarioError(
            scenario.source,
            key,
            f"{scenario.n_runs} runs need ~{format_bytes(bookkeeping)} of bookkeeping, "
            f"{format_bytes(available)} available",
        )
    if scenario.n_runs == 1:
        estimate = estimate_memory(scenario.system.model, scenario.points[0].params)
        problem = shortage(estimate, available)
        if problem:
            raise ScenarioError(scenario.source, estimate.parameter, problem)
