"""Timing helper shared by the benchmark scripts."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def best_of(repeat: int, func: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    """Run ``func(*args)`` ``repeat`` times; return the shortest wall time and the result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = func(*args)
        times.append(time.perf_counter() - t0)
    return min(times), result
