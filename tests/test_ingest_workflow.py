"""The ingest rule: outputs on good exports; a bad RESULT stops it and leaves no output."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from plmsc.manifest import write_manifest

REPO = Path(__file__).resolve().parents[1]
PHASE1 = REPO / "data" / "raw" / "phase1"
pytestmark = pytest.mark.skipif(
    not (PHASE1 / "MANIFEST.sha256").is_file(), reason="phase 1 exports absent"
)


def run(tmp_path: Path, corrupt: bool) -> tuple[subprocess.CompletedProcess, Path, int]:
    raw = tmp_path / "raw" / "phase1"
    shutil.copytree(PHASE1, raw)
    line = 0
    if corrupt:
        # the first C-peptide row of the first pull: RESULT is the 6th field from the end
        pull = sorted((raw / "lis").glob("LIS_EXPORT_*.csv"))[0]
        lines = pull.read_bytes().split(b"\r\n")
        line = 1 + next(i for i, x in enumerate(lines) if b",CPEP," in x and b",F," in x)
        cells = lines[line - 1].rsplit(b",", 6)
        cells[1] = b'"7,9"'
        lines[line - 1] = b",".join(cells)
        pull.write_bytes(b"\r\n".join(lines))
        write_manifest(raw)  # received on purpose: the manifest check passes
    results = tmp_path / "results"
    extra = tmp_path / "cohort.yaml"
    extra.write_text(
        yaml.safe_dump({"cohorts": {"phase1": {"raw_dir": str(raw)}}, "results_dir": str(results)})
    )
    target = f"{results}/phase1/qc/reconciliation.csv"
    args = ["--cores", "1", "--configfile", "config.yaml", str(extra)]
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", target, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    return proc, results / "phase1", line


def test_ingest_rule_writes_the_datasets(tmp_path):
    proc, out, _ = run(tmp_path, corrupt=False)
    assert proc.returncode == 0, proc.stderr
    # ingestion writes adsl to interim/: the populations step completes it into adam/
    assert (out / "interim" / "adsl.csv").is_file()
    for name in ("adlb", "adae", "adhypo", "advs"):
        assert (out / "adam" / f"{name}.csv").is_file()
    assert "adlb:" in (out / "logs" / "ingest.log").read_text()


def test_bad_result_stops_the_rule_with_file_line_column(tmp_path):
    proc, out, line = run(tmp_path, corrupt=True)
    assert proc.returncode != 0
    assert f"line {line}, column RESULT has '7,9'" in proc.stderr
    assert not (out / "adam").exists() or not any((out / "adam").iterdir())
    assert not (out / "qc" / "reconciliation.csv").exists()
    log = (out / "logs" / "ingest.log").read_text()
    assert f"LIS_EXPORT_<date>.csv, line {line}, column RESULT" in log
