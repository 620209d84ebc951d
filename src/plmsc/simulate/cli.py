"""Command line: ``plmsc-simulate COHORT [--out DIR] [--n N] [--configfile ...]``."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from plmsc.config import load_config
from plmsc.simulate import simulate_cohort


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="plmsc-simulate",
        description="Write synthetic raw exports of a configured cohort (same seed, same bytes).",
    )
    parser.add_argument("cohort", help="cohort name in the config, e.g. phase1")
    parser.add_argument(
        "--configfile", nargs="+", default=None, help="config files (default: config.yaml)"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="output folder (default: the cohort's raw_dir)"
    )
    parser.add_argument(
        "--n", type=int, default=None, help="number of participants (overrides the config)"
    )
    parser.add_argument("--seed", type=int, default=None, help="seed (overrides the config)")
    args = parser.parse_args(argv)

    config = load_config(*(args.configfile or []))
    if args.cohort not in config["cohorts"]:
        parser.error(f"unknown cohort '{args.cohort}'; the config has {sorted(config['cohorts'])}")
    cohort = config["cohorts"][args.cohort]
    if args.n is not None:
        cohort["simulation"]["n"] = args.n
    if args.seed is not None:
        cohort["simulation"]["seed"] = args.seed
    out = args.out or Path(cohort["raw_dir"])
    t0 = time.perf_counter()
    files = simulate_cohort(args.cohort, cohort, out)
    size = sum(f.stat().st_size for f in files) / 2**20
    took = time.perf_counter() - t0
    print(f"{args.cohort}: {len(files)} files, {size:.1f} MiB in {out} ({took:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
