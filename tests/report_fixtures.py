"""Phase 1 report outputs, made once per test session by the workflow itself."""

from __future__ import annotations

import atexit
import functools
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from conftest import REPO

#: The report chain of phase 1: manuscript, executed notebooks, their HTML, index.
TARGET = "phase1/index.html"


def run_report(results: Path, simulated: Path) -> subprocess.CompletedProcess:
    """Run the workflow up to phase 1's index.html into ``results``."""
    return subprocess.run(
        [
            sys.executable, "-m", "snakemake", str(results / TARGET), "--cores", "2",
            "--config", f"results_dir={results}", f"simulated_raw_dir={simulated}",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )  # fmt: skip


@functools.cache
def phase1_report() -> Path:
    """Results folder of one phase 1 report run (removed when the session ends)."""
    root = Path(tempfile.mkdtemp(prefix="plmsc-report-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    proc = run_report(root / "results", root / "simulated")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return root / "results"


def report_files(results: Path) -> list[Path]:
    """Report outputs of phase 1 (relative paths): manuscript, notebooks, participant
    profiles, index."""
    cohort = results / "phase1"
    files = [
        *cohort.glob("manuscript/*"),
        *cohort.glob("notebooks/*"),
        *cohort.glob("profiles/*"),
        cohort / "index.html",
    ]
    # Snakemake's .snakemake_timestamp of a directory output is its bookkeeping
    return sorted(p.relative_to(results) for p in files if not p.name.startswith("."))
