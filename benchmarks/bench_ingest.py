"""Benchmark: ingestion of a simulated large cohort against plain CSV parsing.

Simulates an N-participant cohort (default 10,000) on the phase 1 schedule into a
temporary folder, then times

- parse: reading every raw CSV as text (pandas, pyarrow engine), the floor;
- ingest: :func:`plmsc.ingest.build_adam`, everything from reading to validated
  datasets (writing excluded);

and prints rows per second and the ratio ingest / parse (goal: within 3x).

With ``--parts`` it also times, on the same exports, the parts of ingestion that
do not process the LIS rows, together with the bare Arrow read of the pulls: what
is left of 3 times the parse floor for everything done to the LIS rows.

    python benchmarks/bench_ingest.py [--n 10000] [--repeat 3] [--parts]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from copy import deepcopy
from pathlib import Path

import pandas as pd
from timing import best_of, bytecode_warning

from plmsc.config import cohort_with_defaults, load_config
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


def outside_lis_rows(cohort: dict, raw: Path, ds, repeat: int) -> dict[str, float]:
    """Best-of-``repeat`` seconds of the parts of :func:`build_adam` that do not process
    the LIS rows, with the bare Arrow read of the pulls (text columns, no encoding)."""
    import pyarrow.csv as pacsv

    from plmsc.ingest import clinical
    from plmsc.ingest.build import (
        Reconciliation,
        check_redcap_plausibility,
        find_raw_files,
        read_redcap,
        validate_datasets,
    )
    from plmsc.ingest.decisions import Applied, empty_decisions
    from plmsc.ingest.lis import _ARROW_CONVERT, _ARROW_PARSE, _ARROW_READ
    from plmsc.ingest.plausibility import plausibility_config

    cohort = cohort_with_defaults(cohort)
    schedule = cohort["schedule"]
    found = find_raw_files(raw, cohort["redcap_project"])

    def redcap():
        recon = Reconciliation(raw)
        return read_redcap(found, empty_decisions(), None, Applied(), schedule, recon)

    export = redcap()
    subjects = clinical.derive_subjects(export.rc)
    visits = clinical.derive_visits(export.rc, subjects, schedule)
    _, hypo_max = plausibility_config(cohort)

    parts = {
        "Arrow read of the LIS pulls": lambda: [  # the reader's options, no checks
            pacsv.read_csv(
                p,
                read_options=_ARROW_READ,
                parse_options=_ARROW_PARSE,
                convert_options=_ARROW_CONVERT,
            )
            for p in found.lis
        ],
        "REDCap export read and checked": redcap,
        "REDCap plausibility checks": lambda: check_redcap_plausibility(
            export, subjects, visits, schedule, hypo_max
        ),
        "pandera validation of the datasets": lambda: validate_datasets(ds),
    }
    return {name: best_of(repeat, func)[0] for name, func in parts.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="participants to simulate")
    parser.add_argument("--repeat", type=int, default=3, help="timings per step (best kept)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--parts", action="store_true", help="also time what does not process the LIS rows"
    )
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
        parts = outside_lis_rows(cohort, raw, ds, max(args.repeat, 5)) if args.parts else {}

    print(f"participants        {args.n}")
    print(f"raw CSV             {rows} rows, {size:.1f} MB (simulated in {t_sim:.1f} s)")
    print(f"adlb                {len(ds.adlb)} rows")
    print(f"parse only          {t_parse:7.2f} s  {rows / t_parse:12,.0f} rows/s")
    print(f"full ingestion      {t_ingest:7.2f} s  {rows / t_ingest:12,.0f} rows/s")
    print(f"ratio ingest/parse  {t_ingest / t_parse:7.2f}  (goal <= 3)")
    if parts:
        print("not processing the LIS rows (best of 5 or more):")
        for name, secs in parts.items():
            print(f"  {name:36s} {secs:6.2f} s")
        outside = sum(parts.values())
        print(f"  {'sum':36s} {outside:6.2f} s  ({outside / t_parse:.2f} x parse)")
        print(f"left of 3 x parse for the LIS rows  {3 * t_parse - outside:6.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
