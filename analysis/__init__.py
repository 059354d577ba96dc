"""Entropy diagnostics shared by every entrosim simulator (imports nothing from ``sims``).

Importing :mod:`analysis` registers the ``.entropy`` accessor on xarray objects.  Every public
function refuses out-of-domain input (NaN or ±inf where finite numbers are meant, fractional or
too large counts, bool/complex/string arrays, bad axes and parameters) with a one-line
:class:`ValueError` that starts with the argument's name; the checks live in
:mod:`analysis._checks`.
"""

from . import accessor, boltzmann, compression, entropy, ordinal

__all__ = ["accessor", "boltzmann", "compression", "entropy", "ordinal"]
