"""Timing helper shared by the benchmark scripts (run as ``python benchmarks/<script>.py``)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any


def best_of(function: Callable[[], Any], repeats: int = 3) -> tuple[float, Any]:
    """Smallest wall-clock time (s) of ``repeats`` calls of ``function()``, and the last result."""
    best, result = math.inf, None
    for _ in range(repeats):
        tick = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - tick)
    return best, result
