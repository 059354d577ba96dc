"""The unit of a variable read from a file, including units of a model UDUNITS does not know.

CF wants ``units`` that UDUNITS can parse. A quantity in units of a model (body lengths, lattice
cells, sweeps, nats) is therefore written as a number, ``units = "1"``, with its unit named in
brackets at the end of its ``long_name``: ``"agent positions [BL]"``. entrosim writes its files
this way; :func:`unit_name` reads the unit back from either form.
"""

from __future__ import annotations

import re

_NAMED_UNIT = re.compile(r" \[([^\[\]]+)\]$")


def unit_name(attributes: dict) -> str:
    """The unit a variable is in, from its attributes.

    Parameters
    ----------
    attributes : dict
        The variable's attributes (``units`` and ``long_name``; both optional).

    Returns
    -------
    str
        The unit named at the end of ``long_name`` when ``units`` is ``"1"``
        (``{"units": "1", "long_name": "time [sweep]"}`` gives ``"sweep"``), else ``units``
        (``"1"`` when absent).
    """
    units, long_name = str(attributes.get("units", "1")), str(attributes.get("long_name", ""))
    named = _NAMED_UNIT.search(long_name)
    return named.group(1) if units == "1" and named else units
