"""One default run of the whole workflow per test session, shared by the slow tests.

The reliability, cluster and phase 2 tests all need the outputs of
``snakemake --cores 2`` (every cohort of config.yaml) from scratch; they read the
same run instead of making their own. The run uses its own working directory
(links to the repository's config.yaml and data/) so that its Snakemake lock and
metadata stay out of the repository's .snakemake/.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from conftest import REPO

RAW_ROOT = REPO / "data" / "raw"


def tree_hashes(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root``, by relative path."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def workdir(base: Path) -> Path:
    """A working directory that sees the repository's config.yaml and data/."""
    base.mkdir(parents=True)
    (base / "config.yaml").symlink_to(REPO / "config.yaml")
    (base / "data").symlink_to(REPO / "data")
    (base / "config").symlink_to(REPO / "config")  # data-management decisions
    return base


def smk_args(results: Path, *extra: str) -> list[str]:
    """A Snakemake command on the repository's Snakefile writing under ``results``."""
    return [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(REPO / "Snakefile"),
        *extra,
        "--config",
        f"results_dir={results}",
        f"simulated_raw_dir={results.parent / 'simulated'}",
    ]


@functools.cache
def default_run() -> dict:
    """The default target from scratch, once per session: results, simulated exports,
    and the hashes of data/raw taken before the run (removed when the session ends)."""
    base = Path(tempfile.mkdtemp(prefix="plmsc-default-run-"))
    atexit.register(shutil.rmtree, base, ignore_errors=True)
    before = tree_hashes(RAW_ROOT)
    results = base / "results"
    proc = subprocess.run(
        smk_args(results, "--cores", "2"),
        cwd=workdir(base / "work"),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return {"results": results, "simulated": base / "simulated", "raw_before": before}
