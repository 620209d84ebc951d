"""Every rule runs as a separate cluster job (cluster-generic executor, local submit).

Each job is a fresh Snakemake process started by tests/cluster/submit.sh, so a rule
that forgot to declare an input or output, or that relied on state of the main
process, fails here. The outputs must equal those of a local run byte for byte.
"""

from __future__ import annotations

import filecmp
import subprocess
import sys

import pytest
from conftest import REPO
from workflow_fixtures import default_run

pytestmark = pytest.mark.slow


def _run(results, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--config", f"results_dir={results}", *extra],
        cwd=REPO,
        capture_output=True,
        text=True,
    )


def test_workflow_runs_through_the_cluster_generic_executor(tmp_path):
    cluster, local = tmp_path / "cluster", default_run()["results"]
    proc = _run(
        cluster,
        "--executor", "cluster-generic",
        "--cluster-generic-submit-cmd", str(REPO / "tests" / "cluster" / "submit.sh"),
        "--jobs", "4",
        "--latency-wait", "10",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    outputs = sorted(
        p.relative_to(local) for p in local.rglob("*") if p.suffix in {".csv", ".json"}
    )
    assert len(outputs) >= 10
    for rel in outputs:
        assert filecmp.cmp(local / rel, cluster / rel, shallow=False), rel
