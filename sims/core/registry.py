"""System name -> simulator, discovered from the ``sims`` subpackages that export ``SYSTEM``.

A system's package declares its model, plot and analysis by import path, and they are imported
on first use: ``entrosim list`` or ``--help`` imports no simulator (no Numba, no xarray).
"""

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
    model_path : str
        ``"module:Class"`` of the :class:`sims.core.simulation.Model` subclass (with its
        ``Params`` model); :attr:`model` imports it.
    keywords : tuple of str
        Free-text ACDD ``keywords`` of its files (after the common ones).
    plot_path : str, optional
        ``"module:function"`` of ``plot(dataset) -> matplotlib.figure.Figure`` for
        ``entrosim plot``; :attr:`plot` imports it.
    analyze_path : str, optional
        ``"module:function"`` of ``analyze(dataset) -> xarray.Dataset`` of derived diagnostics for
        ``entrosim analyze``; :attr:`analyze` imports it.
    protocol_params : tuple of str
        Parameters a scenario's ``protocol:`` may change during a run (:mod:`sims.core.protocol`);
        the model then implements ``protocol_clock`` and ``apply_protocol``. None by default.
    """

    name: str
    title: str
    summary: str
    model_path: str
    keywords: tuple[str, ...] = ()
    plot_path: str | None = None
    analyze_path: str | None = None
    protocol_params: tuple[str, ...] = ()

    @property
    def model(self) -> type:
        """The simulator's Model class (imported on first use)."""
        return _imported(self.model_path)

    @property
    def plot(self) -> Callable[[Any], Any] | None:
        """The figure of ``entrosim plot``, or None."""
        return _imported(self.plot_path) if self.plot_path else None

    @property
    def analyze(self) -> Callable[[Any], Any] | None:
        """The diagnostics of ``entrosim analyze``, or None."""
        return _imported(self.analyze_path) if self.analyze_path else None


@functools.cache
def _imported(path: str) -> Any:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


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
