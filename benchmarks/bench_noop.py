"""Benchmark: a run with nothing to do, against ``snakemake --version``.

Brings the default results up to date once (untimed), then times ``snakemake
--cores 2`` with every output current (the no-op: parse the workflow, build the
DAG, check the files) and ``snakemake --version`` (the interpreter and Snakemake's
own start-up), one after the other ``--repeat`` times, best of each. Goal: no-op
within 1.5x --version.

    python benchmarks/bench_noop.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from timing import bytecode_warning, run_timed

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]


def timed(args: list[str]) -> tuple[float, str]:
    """Wall seconds and standard error of one Snakemake invocation (it must succeed)."""
    return run_timed([*SNAKEMAKE, *args], cwd=REPO)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    if warning := bytecode_warning():
        print(warning)
    timed(["--cores", "2", "--quiet", "rules"])  # bring everything up to date
    _, log = timed(["--cores", "2"])
    if "Nothing to be done" not in log:
        raise SystemExit(f"the second run still had work to do:\n{log[-2000:]}")
    # Alternated, so that a change of load on a shared machine reaches both alike.
    pairs = [(timed(["--cores", "2"])[0], timed(["--version"])[0]) for _ in range(args.repeat)]
    noop, version = (min(times) for times in zip(*pairs, strict=True))
    print(f"no-op run           {noop:6.2f} s")
    print(f"snakemake --version {version:6.2f} s")
    print(f"ratio no-op/version {noop / version:6.2f}  (goal <= 1.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
