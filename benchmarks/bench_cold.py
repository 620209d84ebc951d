"""Benchmark: the default run from nothing, against the import floor.

Times ``snakemake --cores 2`` (the default target, every cohort of config.yaml)
into a fresh results folder and a fresh folder of simulated exports, and the
*import floor*: a fresh interpreter importing pandas, matplotlib, seaborn, scipy,
statsmodels and pingouin once (best of ``--repeat``). The ratio cold / floor
counts how many "import floors" the run costs (goal: at most 8).

    python benchmarks/bench_cold.py [--cores 2] [--repeat 5] [--runs 1]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from timing import bytecode_warning, run_timed

REPO = Path(__file__).resolve().parents[1]
FLOOR = "import pandas, matplotlib, seaborn, scipy, statsmodels, pingouin"


def import_floor(repeat: int) -> float:
    """Best of ``repeat`` fresh interpreters importing the six analysis libraries."""
    return min(run_timed([sys.executable, "-c", FLOOR])[0] for _ in range(repeat))


def step_seconds(results: Path) -> dict[str, float]:
    """Wall seconds of every step, from Snakemake's benchmark files, by cohort/step."""
    steps = {}
    for path in sorted(results.glob("*/benchmarks/*.tsv")):
        header, values = path.read_text().splitlines()[:2]
        row = dict(zip(header.split("\t"), values.split("\t"), strict=True))
        steps[f"{path.parts[-3]}/{path.stem}"] = float(row["s"])
    return steps


def cold_run(cores: int) -> tuple[float, dict[str, float]]:
    """Wall seconds of the default target into fresh folders, and each step's seconds."""
    with tempfile.TemporaryDirectory(prefix="bench_cold_") as tmp:
        cmd = [sys.executable, "-m", "snakemake", "--cores", str(cores), "--quiet", "rules"]
        cmd += ["--config", f"results_dir={tmp}/results", f"simulated_raw_dir={tmp}/simulated"]
        wall, _ = run_timed(cmd, cwd=REPO)
        steps = step_seconds(Path(tmp, "results"))
    return wall, steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5, help="import floor timings (best kept)")
    parser.add_argument("--runs", type=int, default=1, help="cold runs (best kept)")
    parser.add_argument("--top", type=int, default=10, help="slowest steps listed")
    args = parser.parse_args(argv)
    if warning := bytecode_warning():
        print(warning)
    floor = import_floor(args.repeat)
    runs = [cold_run(args.cores) for _ in range(args.runs)]
    cold, steps = min(runs, key=lambda run: run[0])
    floor = min(floor, import_floor(args.repeat))  # again, after the run: the noise is load
    print("slowest steps (s):")
    for name, secs in sorted(steps.items(), key=lambda item: -item[1])[: args.top]:
        print(f"  {name:32s} {secs:6.1f}")
    print(f"steps, sum          {sum(steps.values()):7.1f} s")
    print(f"cold default run    {cold:7.1f} s  ({len(steps)} jobs, --cores {args.cores})")
    print(f"import floor        {floor:7.2f} s  ({FLOOR})")
    print(f"ratio cold/floor    {cold / floor:7.1f}  (goal <= 8)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
