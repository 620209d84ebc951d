"""Two runs of the report rules give the same bytes: tables, figures, numbers, notebooks."""

from __future__ import annotations

import json

import pytest
from report_fixtures import phase1_report, report_files, run_report

from plmsc.report.article import ARTICLE_FORMATS
from plmsc.report.catalogue import FIGURES, NOTEBOOK_NAMES, SUPPLEMENTARY, TABLES

pytestmark = pytest.mark.slow


def test_two_runs_give_byte_identical_report_files(tmp_path):
    first = phase1_report()
    second = tmp_path / "results"
    proc = run_report(second, tmp_path / "simulated")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    files = report_files(first)
    assert files == report_files(second)
    suffixes = {p.suffix for p in files}
    assert {".csv", ".json", ".png", ".pdf", ".html", ".ipynb", ".tex", ".docx"} <= suffixes
    # tables (with the sensitivity table S1) in three formats, figures and the flow
    # diagram in two, numbers.json, the article in three formats, notebooks and their
    # HTML, 4 profiles and their index, index.html
    tables = len(TABLES) + len(SUPPLEMENTARY)
    expected = (
        tables * 3 + (len(FIGURES) + 1) * 2 + 1 + len(ARTICLE_FORMATS)
        + 2 * len(NOTEBOOK_NAMES) + 4 + 1 + 1
    )  # fmt: skip
    assert len(files) == expected
    different = [p for p in files if (first / p).read_bytes() != (second / p).read_bytes()]
    assert not different, f"differ between runs: {different}"
    # the upstream datasets and stats are deterministic too
    for sub in ("adam", "stats", "qc"):
        for p in sorted((first / "phase1" / sub).glob("*.csv")):
            assert p.read_bytes() == (second / p.relative_to(first)).read_bytes(), p


def test_executed_notebooks_carry_no_run_metadata():
    results = phase1_report()
    for name in NOTEBOOK_NAMES:
        nb = json.loads((results / "phase1" / "notebooks" / f"{name}.ipynb").read_text())
        assert set(nb["metadata"]["papermill"]) <= {"parameters", "default_parameters", "exception"}
        assert nb["metadata"]["papermill"]["exception"] is None
        params = nb["metadata"]["papermill"]["parameters"]
        assert params["cohort"] == "phase1"
        assert all(not str(v).startswith("/") for v in params.values()), params
        for cell in nb["cells"]:
            assert "papermill" not in cell["metadata"] and "execution" not in cell["metadata"]
        text = json.dumps(nb)
        assert str(results) not in text and "start_time" not in text
