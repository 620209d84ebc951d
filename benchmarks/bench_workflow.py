"""Benchmark: the whole workflow on simulated phase 2 cohorts of growing size.

For each size (default 1,000 and 10,000 participants) the phase 2 cohort is
simulated inside the workflow and every step runs with ``snakemake --cores 2`` into
a fresh results folder. Snakemake's ``benchmark:`` files give each step's wall time
and peak resident memory; the script prints a table and, with ``--write``, saves it
to docs/performance.md.

    python benchmarks/bench_workflow.py [--sizes 1000 10000] [--write]

Goal: 10,000 participants end to end in under 3 minutes on 2 cores, peak memory
under 3 GiB, cost growing linearly with the number of participants.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml
from timing import bytecode_warning

REPO = Path(__file__).resolve().parents[1]


def run(n: int, workdir: Path) -> tuple[float, pd.DataFrame]:
    """Run the workflow for a phase 2 cohort of ``n``; return wall seconds and per-step figures."""
    results = workdir / f"results_{n}"
    extra = workdir / f"phase2_{n}.yaml"
    extra.write_text(yaml.safe_dump({"cohorts": {"phase2": {"simulation": {"n": n}}}}))
    cmd = [sys.executable, "-m", "snakemake", "--cores", "2", "--quiet", "rules"]
    cmd += [
        "--config",
        f"results_dir={results}",
        f"simulated_raw_dir={workdir / f'simulated_{n}'}",
        "--configfile",
        str(REPO / "config.yaml"),
        str(extra),
    ]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"workflow failed for n={n}:\n{proc.stderr[-4000:]}")
    rows = []
    for path in sorted((results / "phase2" / "benchmarks").glob("*.tsv")):
        b = pd.read_csv(path, sep="\t")
        rows.append(
            {
                "step": path.stem,
                "seconds": float(b["s"].iloc[0]),
                "peak_MiB": float(b["max_rss"].iloc[0]),
            }
        )
    return wall, pd.DataFrame(rows)


START, END = "<!-- bench_workflow: start -->", "<!-- bench_workflow: end -->"


def write_section(path: Path, text: str) -> None:
    """Put ``text`` between the START and END markers of ``path`` (the rest is kept)."""
    doc = path.read_text(encoding="utf-8") if path.exists() else f"{START}\n{END}\n"
    head, _, rest = doc.partition(START)
    _, _, tail = rest.partition(END)
    path.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--write", action="store_true", help="write docs/performance.md")
    args = parser.parse_args(argv)
    if warning := bytecode_warning():
        print(warning)

    walls, steps = {}, []
    with tempfile.TemporaryDirectory(prefix="bench_workflow_") as tmp:
        for n in args.sizes:
            walls[n], table = run(n, Path(tmp))
            steps.append(table.set_index("step").add_suffix(f" ({n:,})"))
            secs, peak = table["seconds"].sum(), table["peak_MiB"].max()
            print(f"n = {n:>6,}: {walls[n]:6.1f} s, steps {secs:6.1f} s, peak {peak:.0f} MiB")
    merged = pd.concat(steps, axis=1)
    lines = [
        "## Whole workflow by cohort size",
        "",
        "Measured with `python benchmarks/bench_workflow.py --write` on "
        f"{platform.machine()}, `snakemake --cores 2`, Python {platform.python_version()}.",
        "Each size is a fresh results folder; the phase 2 cohort is simulated inside the",
        "workflow. Per-step figures come from Snakemake's `benchmark:` files (wall seconds,",
        "peak resident memory of the step's process). The wall time covers the whole run,",
        "phase 1 included (a few seconds).",
        "",
        "| participants | wall time, whole run (s) | phase 2 steps, sum (s) "
        "| peak memory of a step (MiB) |",
        "|---:|---:|---:|---:|",
    ]
    for n, table in zip(args.sizes, steps, strict=True):
        secs = table.filter(like="seconds").iloc[:, 0]
        peak = table.filter(like="peak").iloc[:, 0]
        lines.append(f"| {n:,} | {walls[n]:.1f} | {secs.sum():.1f} | {peak.max():.0f} |")
    first, last = args.sizes[0], args.sizes[-1]
    if last != first:
        growth = (
            f"{last:,} participants took {walls[last] / walls[first]:.1f} times the time of "
            f"{first:,} ({last / first:.0f} times the participants)."
        )
        print(growth)
        lines += ["", growth]
    lines += ["", "Per step:", "", merged.round(1).to_markdown(), ""]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section(REPO / "docs" / "performance.md", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
