"""Entropy diagnostics shared by every entrosim simulator (imports nothing from ``sims``).

Importing :mod:`analysis` registers the ``.entropy`` accessor on xarray objects.
"""

from . import accessor, boltzmann, compression, entropy, ordinal

__all__ = ["accessor", "boltzmann", "compression", "entropy", "ordinal"]
