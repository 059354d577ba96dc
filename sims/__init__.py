"""entrosim simulators: one framework, six physical entropy systems."""

__version__ = "0.1.0"
