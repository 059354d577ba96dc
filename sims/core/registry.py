"""System name -> simulator, discovered from the ``sims`` subpackages that export ``SYSTEM``."""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sims

_NOT_SYSTEMS = {"core", "cli", "__main__"}


@dataclass(frozen=True)
class System:
    """What the framework needs to know of one simulator.

    Attributes
    ----------
    name : str
        The ``system:`` value of its scenarios.
    title : str
        One line for ``entrosim list`` and the NetCDF ``title``.
    summary : str
        A paragraph for the NetCDF ``summary`` attribute.
    model : type
        The :class:`sims.core.simulation.Model` subclass (with its ``Params`` model).
    plot : callable, optional
        ``plot(dataset) -> matplotlib.figure.Figure`` for ``entrosim plot``.
    analyze : callable, optional
        ``analyze(dataset) -> xarray.Dataset`` of derived diagnostics for ``entrosim analyze``.
    """

    name: str
    title: str
    summary: str
    model: type
    plot: Callable[[Any], Any] | None = None
    analyze: Callable[[Any], Any] | None = None


@functools.cache
def systems() -> dict[str, System]:
    """Every available simulator, by name."""
    found = {}
    for module_info in pkgutil.iter_modules(sims.__path__):
        if not module_info.ispkg or module_info.name in _NOT_SYSTEMS:
            continue
        module = importlib.import_module(f"sims.{module_info.name}")
        system = getattr(module, "SYSTEM", None)
        if isinstance(system, System):
            found[system.name] = system
    return dict(sorted(found.items()))
