"""Entropy diagnostics shared by every entrosim simulator (imports nothing from ``sims``)."""
