"""Checks shared by the models' ``check_state``: a checkpoint's state is untrusted input.

Jitted kernels do not check bounds, so an index out of range in a state array is memory
corruption, not an exception. Each check raises ValueError with one short line naming the array.
"""

from __future__ import annotations

import numpy as np


def require(condition, problem: str) -> None:
    """Raise ValueError(problem) unless ``condition`` holds."""
    if not condition:
        raise ValueError(problem)


def finite(state: dict, *names: str) -> None:
    """Every value of the arrays ``names`` is finite."""
    for name in names:
        require(np.all(np.isfinite(state[name])), f"{name} holds NaN or infinity")


def in_range(state: dict, name: str, low: int, high: int) -> None:
    """Every value of the integer array ``name`` lies in [low, high)."""
    values = np.asarray(state[name])
    require(values.size == 0 or (values.min() >= low and values.max() < high),
            f"{name} holds values outside [{low}, {high})")  # fmt: skip


def counter(state: dict, name: str) -> None:
    """``name`` is a non-negative integer."""
    value = state[name]
    require(
        isinstance(value, int | np.integer) and not isinstance(value, bool) and value >= 0,
        f"{name} is not a non-negative integer",
    )


def xoshiro(state: dict, name: str = "rng_state") -> None:
    """``name`` holds xoshiro256** states (rows of four uint64), none of them all zero."""
    words = np.asarray(state[name]).reshape(-1, 4)
    require(np.all(words.any(axis=1)), f"{name} holds the all-zero xoshiro state")
