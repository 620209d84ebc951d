"""Benchmark: the default run from nothing, against the import floor.

Times ``snakemake --cores 2`` (the default target, every cohort of config.yaml)
into a fresh results folder and a fresh folder of simulated exports, and the
*import floor*: a fresh interpreter importing pandas, matplotlib, seaborn, scipy,
statsmodels and pingouin once (best of ``--repeat``). The ratio cold / floor
counts how many "import floors" the run costs (goal: at most 8).

``--work`` also measures the *work* of the run, a lower bound for any way of
running it: Snakemake keeps every job's script (``--skip-script-cleanup``), and
one interpreter that has imported the analysis stack once runs them all again in
the order the jobs started, counting each one's CPU time (its notebook kernel,
pandoc and typst included). No arrangement of processes on ``--cores`` cores can
produce the outputs in less than work / cores.

    python benchmarks/bench_cold.py [--cores 2] [--repeat 5] [--runs 1] [--work]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from timing import bytecode_warning, run_timed

REPO = Path(__file__).resolve().parents[1]
FLOOR = "import pandas, matplotlib, seaborn, scipy, statsmodels, pingouin"
KEPT_SCRIPTS = REPO / ".snakemake" / "scripts"

#: Runs the job scripts given as arguments in one interpreter after importing the
#: libraries the jobs use, and writes the CPU seconds of the imports and of each
#: script (children such as the notebook kernel included) as JSON to the first argument.
WORK_DRIVER = """
import json, resource, runpy, sys

def cpu():
    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

start = cpu()
import pandas, matplotlib.pyplot, seaborn, scipy.stats, statsmodels.api, pingouin
import pandera, great_tables, tableone, papermill, nbconvert, jinja2, pyarrow.csv
import plmsc.ingest, plmsc.report.manuscript
imports, steps = cpu() - start, []
for script in sys.argv[2:]:
    before = cpu()
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exc:
        if exc.code not in (None, 0):
            raise
    steps.append([script, cpu() - before])
with open(sys.argv[1], "w") as out:
    json.dump({"imports": imports, "steps": steps}, out)
"""


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


def script_step(path: Path) -> str:
    """The script a kept job script runs (``tmpab12cd34.manuscript.py`` -> manuscript)."""
    return path.name.split(".")[-2]


def work_seconds(scripts: list[Path], tmp: Path) -> tuple[float, dict[str, float]]:
    """CPU seconds of the imports and of each kept job script, run again in one
    interpreter (:data:`WORK_DRIVER`) in the given order; steps keyed ``<n> <script>``."""
    out = tmp / "work.json"
    run_timed([sys.executable, "-c", WORK_DRIVER, str(out), *map(str, scripts)], cwd=REPO)
    measured = json.loads(out.read_text())
    steps = {
        f"{i:02d} {script_step(Path(path))}": secs
        for i, (path, secs) in enumerate(measured["steps"], start=1)
    }
    return measured["imports"], steps


def cold_run(
    cores: int, work: bool = False
) -> tuple[float, dict[str, float], tuple[float, dict[str, float]] | None]:
    """Wall seconds of the default target into fresh folders, each step's seconds and,
    with ``work``, the imports' and each job script's CPU seconds in one interpreter."""
    kept_before = set(KEPT_SCRIPTS.glob("*.py"))
    with tempfile.TemporaryDirectory(prefix="bench_cold_") as tmp:
        cmd = [sys.executable, "-m", "snakemake", "--cores", str(cores), "--quiet", "rules"]
        cmd += ["--config", f"results_dir={tmp}/results", f"simulated_raw_dir={tmp}/simulated"]
        wall, _ = run_timed([*cmd, "--skip-script-cleanup"] if work else cmd, cwd=REPO)
        steps = step_seconds(Path(tmp, "results"))
        measured = None
        if work:
            kept = [p for p in KEPT_SCRIPTS.glob("*.py") if p not in kept_before]
            kept.sort(key=lambda p: (p.stat().st_mtime_ns, p.name))  # the order jobs started
            try:
                measured = work_seconds(kept, Path(tmp))
            finally:
                for path in kept:
                    path.unlink(missing_ok=True)
    return wall, steps, measured


def work_bound(work: float, cores: int, floor: float) -> tuple[float, float]:
    """The shortest wall time any arrangement of processes could reach, ``work / cores``
    seconds, and the same in import floors."""
    best = work / cores
    return best, best / floor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5, help="import floor timings (best kept)")
    parser.add_argument("--runs", type=int, default=1, help="cold runs (best kept)")
    parser.add_argument("--top", type=int, default=10, help="slowest steps listed")
    parser.add_argument(
        "--work", action="store_true", help="also measure the work, every import paid once"
    )
    args = parser.parse_args(argv)
    if warning := bytecode_warning():
        print(warning)
    floor = import_floor(args.repeat)
    runs = [cold_run(args.cores, args.work) for _ in range(args.runs)]
    cold, steps, measured = min(runs, key=lambda run: run[0])
    floor = min(floor, import_floor(args.repeat))  # again, after the run: the noise is load
    print("slowest steps (s):")
    for name, secs in sorted(steps.items(), key=lambda item: -item[1])[: args.top]:
        print(f"  {name:32s} {secs:6.1f}")
    print(f"steps, sum          {sum(steps.values()):7.1f} s")
    print(f"cold default run    {cold:7.1f} s  ({len(steps)} jobs, --cores {args.cores})")
    print(f"import floor        {floor:7.2f} s  ({FLOOR})")
    print(f"ratio cold/floor    {cold / floor:7.1f}  (goal <= 8)")
    if measured is not None:
        imports, work = measured
        best, floors = work_bound(sum(work.values()), args.cores, floor)
        print("work, every import paid once (CPU s, jobs in start order):")
        for name, secs in sorted(work.items(), key=lambda item: -item[1])[: args.top]:
            print(f"  {name:32s} {secs:6.1f}")
        print(f"imports, once       {imports:7.1f} s CPU")
        print(f"work, sum           {sum(work.values()):7.1f} s CPU ({len(work)} job scripts)")
        print(f"best possible       {best:7.1f} s (work / {args.cores} cores: {floors:.1f} floors)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
