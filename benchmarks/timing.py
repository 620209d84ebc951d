"""Timing helper shared by the benchmark scripts."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
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


def bytecode_warning(package: str = "pandas") -> str | None:
    """A warning when ``package`` has no compiled bytecode (``__pycache__``), else None.

    pip compiles every installed module when it installs it; an installer that does
    not (uv without ``--compile-bytecode``), on a machine that also keeps Python from
    writing bytecode (PYTHONDONTWRITEBYTECODE=1), leaves every process compiling
    pandas, matplotlib and scipy from source: imports take about 3 times as long and
    every figure measured here is inflated.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.has_location or spec.origin is None:
        return None  # not installed, built in or frozen: nothing to compile
    if Path(importlib.util.cache_from_source(spec.origin)).exists():
        return None
    why = " and Python is told not to write it" if sys.flags.dont_write_bytecode else ""
    return (
        f"WARNING: {package} is not byte-compiled{why}: imports compile from source and "
        "every timing is inflated. Install as the README does (pip compiles), or run "
        "`python -m compileall -q <site-packages>` first."
    )
