"""Ingestion outputs stay the same, column by column, across refactorings.

``tests/data/ingest_column_hashes.json`` holds, for the phase 1 exports and for the
hand-built folder of :func:`test_ingest_outputs.rich_raw` (every LIS behaviour),
the SHA-256 of every column of every written output (its values as written, one
per line) and the row count. A column recorded there must keep its exact bytes; a
column added later is not compared, so new derivations do not break this test.
A deliberate change of an existing column regenerates the file with

    python tests/test_ingest_reference.py --write
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pandas as pd
import pytest
from test_ingest_outputs import OUTPUTS, PHASE1, rich_raw

from plmsc.config import load_config
from plmsc.ingest import build_adam, write_adam

REPO = Path(__file__).resolve().parents[1]
REFERENCE = Path(__file__).resolve().parent / "data" / "ingest_column_hashes.json"


def column_hashes(out: Path) -> dict[str, dict[str, object]]:
    """Per output file: its row count and the SHA-256 of each column's written text."""
    result: dict[str, dict[str, object]] = {}
    for rel in OUTPUTS:
        df = pd.read_csv(out / rel, dtype=str, keep_default_na=False, encoding="utf-8")
        cols = {
            c: hashlib.sha256("\n".join(df[c].tolist()).encode("utf-8")).hexdigest()
            for c in df.columns
        }
        result[rel] = {"rows": len(df), "columns": cols}
    return result


def phase1_hashes(tmp: Path) -> dict[str, dict[str, object]]:
    cfg = load_config(REPO / "config.yaml")["cohorts"]["phase1"]
    write_adam(build_adam(cfg, PHASE1), tmp / "phase1")
    return column_hashes(tmp / "phase1")


def rich_hashes(tmp: Path) -> dict[str, dict[str, object]]:
    from ingest_fixtures import cohort

    raw = rich_raw(tmp / "rich_raw")
    write_adam(build_adam(cohort(), raw), tmp / "rich")
    return column_hashes(tmp / "rich")


CASES = {"phase1": phase1_hashes, "rich": rich_hashes}


def compare(expected: dict, got: dict) -> list[str]:
    """Differences between a recorded and a new hash list (columns added later ignored)."""
    problems = []
    for rel, exp in expected.items():
        new = got[rel]
        if new["rows"] != exp["rows"]:
            problems.append(f"{rel}: {new['rows']} rows, recorded {exp['rows']}")
        for col, digest in exp["columns"].items():
            if col not in new["columns"]:
                problems.append(f"{rel}: column {col} is gone")
            elif new["columns"][col] != digest:
                problems.append(f"{rel}: column {col} changed")
    return problems


@pytest.mark.parametrize("case", sorted(CASES))
def test_ingestion_outputs_match_recorded_hashes(tmp_path, case):
    if case == "phase1" and not (PHASE1 / "MANIFEST.sha256").is_file():
        pytest.skip("phase 1 exports absent")
    expected = json.loads(REFERENCE.read_text(encoding="utf-8"))[case]
    assert compare(expected, CASES[case](tmp_path)) == []


def test_compare_notices_a_changed_column_and_ignores_a_new_one():
    expected = {"a.csv": {"rows": 2, "columns": {"X": "h1", "Y": "h2"}}}
    same_plus_new = {"a.csv": {"rows": 2, "columns": {"X": "h1", "Y": "h2", "Z": "h3"}}}
    changed = {"a.csv": {"rows": 3, "columns": {"X": "h9"}}}
    assert compare(expected, same_plus_new) == []
    assert compare(expected, changed) == [
        "a.csv: 3 rows, recorded 2",
        "a.csv: column X changed",
        "a.csv: column Y is gone",
    ]


if __name__ == "__main__" and "--write" in sys.argv:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        data = {name: fn(Path(tmp) / name) for name, fn in CASES.items()}
    REFERENCE.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {REFERENCE}")
