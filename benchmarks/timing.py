"""Timing helper shared by the benchmark scripts."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def best_of(repeat: int, func: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    """Run ``func(*args)`` ``repeat`` times; return the shortest wall time and the result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = func(*args)
        times.append(time.perf_counter() - t0)
    return min(times), result


def run_timed(cmd: list[str], cwd: str | Path | None = None) -> tuple[float, str]:
    """Wall seconds and standard error of one command, which must succeed."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-4000:]}")
    return wall, proc.stderr
