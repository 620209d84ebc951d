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


def _run(results, simulated, targets: list[str], *extra: str) -> subprocess.CompletedProcess:
    # targets first: --config takes several values
    config = [f"results_dir={results}", f"simulated_raw_dir={simulated}"]
    return subprocess.run(
        [sys.executable, "-m", "snakemake", *targets, "--config", *config, *extra],
        cwd=REPO,
        capture_output=True,
        text=True,
    )


def test_workflow_runs_through_the_cluster_generic_executor(tmp_path):
    # the phase 2 cohort: every rule of the report chain plus the simulation and the
    # randomised analyses (phase 1 adds only its exploratory tests), half the jobs
    # of the default target
    reference = default_run()
    cluster, local = tmp_path / "cluster", reference["results"]
    proc = _run(
        cluster,
        reference["simulated"],  # the same simulated exports, as provenance records them
        [f"{cluster}/phase2/index.html", f"{cluster}/phase2/provenance.json"],
        "--executor", "cluster-generic",
        "--cluster-generic-submit-cmd", str(REPO / "tests" / "cluster" / "submit.sh"),
        "--jobs", "4",
        "--latency-wait", "10",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    outputs = sorted(
        p.relative_to(cluster)
        for p in (cluster / "phase2").rglob("*")
        if p.suffix in {".csv", ".json"}
    )
    assert len(outputs) >= 10
    for rel in outputs:
        assert filecmp.cmp(local / rel, cluster / rel, shallow=False), rel
