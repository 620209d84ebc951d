"""The wrapper of every rule script: what goes into the rule's log."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import pandas as pd
import pytest

from plmsc.ingest.errors import InputError
from plmsc.snakemake_io import rule_log


def smk(tmp_path):
    return SimpleNamespace(rule="demo", log=[str(tmp_path / "logs" / "demo.log")])


def test_success_logs_files_rows_notes_and_warnings(tmp_path):
    s = smk(tmp_path)
    with rule_log(s) as log:
        log.wrote(tmp_path / "out.csv", pd.DataFrame({"a": [1, 2, 3]}))
        log.wrote(tmp_path / "fig.png")
        log.note("2 participants")
        for _ in range(2):
            warnings.warn("few participants on 2020-01-31", UserWarning, stacklevel=1)
    text = (tmp_path / "logs" / "demo.log").read_text()
    lines = text.splitlines()
    assert lines[:3] == ["wrote out.csv: 3 rows", "wrote fig.png", "2 participants"]
    # the warning once (the default filter reports a warning once per place), with its
    # category and place, and its date scrubbed
    assert len(lines) == 4 and lines[3].startswith("warning (UserWarning, test_snakemake_io.py:")
    assert lines[3].endswith("few participants on <date>")


def test_input_error_gives_one_paragraph_and_exit_1(tmp_path, capsys):
    s = smk(tmp_path)
    with pytest.raises(SystemExit) as stop, rule_log(s):
        raise InputError("lis/LIS_EXPORT_20190729.csv", "RESULT", "a number", line=5, found="7,9")
    assert stop.value.code == 1
    text = (tmp_path / "logs" / "demo.log").read_text()
    assert text.startswith("error in rule demo: lis/LIS_EXPORT_<date>.csv, line 5")
    assert "Traceback" not in text and text.count("\n") == 1
    assert "error in rule demo: lis/LIS_EXPORT_20190729.csv" in capsys.readouterr().err


def test_unexpected_exception_logs_its_traceback_and_goes_on(tmp_path):
    s = smk(tmp_path)
    with pytest.raises(ZeroDivisionError), rule_log(s):
        1 / 0  # noqa: B018
    text = (tmp_path / "logs" / "demo.log").read_text()
    assert text.startswith("unexpected error in rule demo:\nTraceback")
    assert "ZeroDivisionError: division by zero" in text
