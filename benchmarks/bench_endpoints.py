"""Benchmark: deriving ADEFF and the safety summaries for large simulated cohorts.

For each size (default 1,000 and 10,000 participants on the phase 1 schedule) the
cohort is simulated and ingested once (not timed); then the endpoint derivations
run on the analysis datasets read back from CSV, as the workflow does, and the
best of ``--repeat`` timings is printed with the time per 1,000 participants
(linear growth keeps it flat).

    python benchmarks/bench_endpoints.py [--sizes 1000 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
from copy import deepcopy
from pathlib import Path

from timing import best_of, bytecode_warning

from plmsc.adam import read_adam
from plmsc.config import load_config
from plmsc.endpoints.adeff import derive_adeff
from plmsc.endpoints.safety import summarise_adverse_events, summarise_hypoglycaemia
from plmsc.ingest import build_adam, write_adam
from plmsc.simulate import simulate_cohort


def safety(ds: dict, periods: list) -> tuple:
    """Both safety summaries, as the safety rule computes them."""
    hypo = summarise_hypoglycaemia(ds["adhypo"], ds["adsl"], periods)
    return hypo, summarise_adverse_events(ds["adae"], ds["adsl"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if warning := bytecode_warning():
        print(warning)

    base = load_config()["cohorts"]["phase1"]
    print(
        f"{'participants':>12} {'adeff rows':>11} {'adeff s':>8} {'safety s':>9} {'s per 1000':>10}"
    )
    for n in args.sizes:
        cohort = deepcopy(base)
        cohort["simulation"].update(n=n, seed=3, id_prefix="B", enrolment_days=max(120, n // 10))
        with tempfile.TemporaryDirectory(prefix="bench_endpoints_") as tmp:
            raw, out = Path(tmp) / "raw", Path(tmp) / "out"
            simulate_cohort("bench", cohort, raw)
            write_adam(build_adam(cohort, raw), out)
            ds = {p.stem: read_adam(p) for p in (out / "adam").glob("*.csv")}
        t_eff, eff = best_of(args.repeat, derive_adeff, ds["adlb"], ds["advs"], cohort["analysis"])
        t_safe, _ = best_of(args.repeat, safety, ds, cohort["analysis"]["hypo_periods"])
        per = (t_eff + t_safe) / n * 1000
        print(f"{n:>12,} {len(eff):>11,} {t_eff:>8.2f} {t_safe:>9.2f} {per:>10.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
