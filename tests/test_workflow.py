"""The Snakemake workflow: DAG, lint, formatting, and the raw-manifest rule."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pandas as pd
import pytest
import yaml
from conftest import PHASE1_RAW, REPO


def snakemake(*args: str, cwd=REPO) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", *args], cwd=cwd, capture_output=True, text=True
    )


def test_dry_run_shows_the_dag(tmp_path):
    proc = snakemake("-n", "--cores", "4", "--config", f"results_dir={tmp_path}")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout + proc.stderr
    assert "verify_raw_manifest" in out
    assert "all" in out


def test_lint_is_clean():
    proc = snakemake("--lint")
    out = proc.stdout + proc.stderr
    assert "Lints for" not in out, out
    assert "Congratulations" in out


def test_snakefmt_is_clean():
    proc = subprocess.run(
        [sys.executable, "-m", "snakefmt", "--check", "Snakefile", "workflow"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr


def test_ruff_is_clean():
    for args in (["check"], ["format", "--check"]):
        proc = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "src", "tests", "workflow/scripts"],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture()
def raw_copy(tmp_path):
    raw = tmp_path / "raw" / "phase1"
    shutil.copytree(PHASE1_RAW, raw)
    extra = tmp_path / "cohort.yaml"
    extra.write_text(
        yaml.safe_dump(
            {"cohorts": {"phase1": {"raw_dir": str(raw)}}, "results_dir": str(tmp_path / "results")}
        )
    )
    return raw, extra, tmp_path / "results"


def test_manifest_rule_writes_a_date_free_table(raw_copy):
    _, extra, results = raw_copy
    target = f"{results}/phase1/qc/raw_manifest.csv"
    proc = snakemake(target, "--cores", "1", "--configfile", "config.yaml", str(extra))
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(target)
    assert list(table.columns) == ["FILE", "SHA256", "STATUS"]
    assert set(table["STATUS"]) == {"ok"}
    assert table["FILE"].tolist()[:2] == ["lis/LIS_EXPORT_#1.csv", "lis/LIS_EXPORT_#2.csv"]
    assert not table["FILE"].str.contains(r"\d{6}").any()  # no pull dates


def test_a_run_with_nothing_to_do_imports_no_pandas(raw_copy):
    """The no-op compares the rule's params (raw_dir) with the recorded ones without
    Snakemake's pandas import (plmsc.snakemake_startup)."""
    _, extra, results = raw_copy
    target = f"{results}/phase1/qc/raw_manifest.csv"
    args = (target, "--cores", "1", "--configfile", "config.yaml", str(extra))
    assert snakemake(*args).returncode == 0
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "snakemake", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Nothing to be done" in proc.stdout + proc.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()}
    assert "snakemake.persistence" in imported  # the importtime listing is there
    assert "pandas" not in imported


def test_changed_raw_file_stops_the_run_and_names_it(raw_copy):
    raw, extra, results = raw_copy
    victim = sorted((raw / "lis").iterdir())[1]
    victim.write_bytes(victim.read_bytes() + b"\r\n")
    target = f"{results}/phase1/qc/raw_manifest.csv"
    proc = snakemake(target, "--cores", "1", "--configfile", "config.yaml", str(extra))
    assert proc.returncode != 0
    assert f"{victim}: checksum differs" in proc.stderr
    assert not (results / "phase1" / "qc" / "raw_manifest.csv").exists()
    log = (results / "phase1" / "logs" / "verify_raw_manifest.log").read_text()
    assert "checksum differs" in log and "LIS_EXPORT_<date>.csv" in log


def test_phase1_end_to_end_run_writes_and_links_every_report_output():
    """The quick lane's one end-to-end run: phase 1 from raw exports to index.html."""
    import json

    from report_fixtures import phase1_report

    from plmsc.report.catalogue import (
        FIGURE_FORMATS,
        FIGURE_TITLES,
        NOTEBOOK_NAMES,
        TABLE_FORMATS,
        TABLES,
    )

    cohort = phase1_report() / "phase1"
    index = (cohort / "index.html").read_text(encoding="utf-8")
    expected = [f"notebooks/{name}.html" for name in NOTEBOOK_NAMES]
    expected += [f"manuscript/{t}.{fmt}" for t in TABLES for fmt in TABLE_FORMATS]
    expected += [f"manuscript/{f}.{fmt}" for f in FIGURE_TITLES for fmt in FIGURE_FORMATS]
    for rel in expected:
        assert (cohort / rel).stat().st_size > 0, rel
    linked = [rel for rel in expected if f'href="{rel}"' in index]
    assert all(f"notebooks/{n}.html" in linked for n in NOTEBOOK_NAMES)
    assert all(f"manuscript/{f}.pdf" in linked for f in FIGURE_TITLES)
    numbers = json.loads((cohort / "manuscript" / "numbers.json").read_text(encoding="utf-8"))
    assert numbers, "numbers.json is empty"
    adsl = pd.read_csv(cohort / "adam" / "adsl.csv")
    assert len(adsl) == 4  # the four phase 1 participants
