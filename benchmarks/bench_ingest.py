"""Benchmark: ingestion of a simulated large cohort against plain CSV parsing.

Simulates an N-participant cohort (default 10,000) on the phase 1 schedule into a
temporary folder, then times

- parse: reading every raw CSV as text (pandas, pyarrow engine), the floor;
- ingest: :func:`plmsc.ingest.build_adam`, everything from reading to validated
  datasets (writing excluded);

and prints rows per second and the ratio ingest / parse (goal: within 3x).

    python benchmarks/bench_ingest.py [--n 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from copy import deepcopy
from pathlib import Path

import pandas as pd
from timing import best_of, bytecode_warning

from plmsc.config import load_config
from plmsc.ingest import build_adam
from plmsc.simulate import simulate_cohort


def parse_only(raw: Path) -> int:
    """Read every raw CSV as text; return the number of data rows."""
    rows = 0
    for path in sorted(raw.rglob("*.csv")):
        df = pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding="utf-8-sig", engine="pyarrow"
        )
        rows += len(df)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="participants to simulate")
    parser.add_argument("--repeat", type=int, default=3, help="timings per step (best kept)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if warning := bytecode_warning():
        print(warning)

    cohort = deepcopy(load_config()["cohorts"]["phase1"])
    cohort["simulation"].update(n=args.n, seed=args.seed, id_prefix="B")
    cohort["simulation"]["enrolment_days"] = max(120, args.n // 10)
    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmp:
        raw = Path(tmp) / "raw"
        t0 = time.perf_counter()
        simulate_cohort("bench", cohort, raw)
        t_sim = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in raw.rglob("*.csv")) / 1e6
        t_parse, rows = best_of(args.repeat, parse_only, raw)
        t_ingest, ds = best_of(args.repeat, build_adam, cohort, raw)

    print(f"participants        {args.n}")
    print(f"raw CSV             {rows} rows, {size:.1f} MB (simulated in {t_sim:.1f} s)")
    print(f"adlb                {len(ds.adlb)} rows")
    print(f"parse only          {t_parse:7.2f} s  {rows / t_parse:12,.0f} rows/s")
    print(f"full ingestion      {t_ingest:7.2f} s  {rows / t_ingest:12,.0f} rows/s")
    print(f"ratio ingest/parse  {t_ingest / t_parse:7.2f}  (goal <= 3)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
