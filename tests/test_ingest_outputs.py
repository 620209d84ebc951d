"""Outputs as a whole: reconciliation identity, no identifier leaks, determinism, phase 1."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest
from ingest_fixtures import OUTSIDER, PEOPLE, cohort, default_redcap, lis_row, make_raw

from plmsc.config import load_config
from plmsc.ingest import build_adam, write_adam
from plmsc.ingest.schemas import SCHEMAS

REPO = Path(__file__).resolve().parents[1]
PHASE1 = REPO / "data" / "raw" / "phase1"
DATE_PATTERNS = [
    re.compile(r"\d{4}-\d{2}-\d{2}"),
    re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}"),
    re.compile(r"(?<!\d)(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?![\d])"),
]
OUTPUTS = [
    "adam/adsl.csv",
    "adam/adlb.csv",
    "adam/adae.csv",
    "adam/adhypo.csv",
    "adam/advs.csv",
    "qc/reconciliation.csv",
    "qc/decisions.csv",
]


def rich_raw(root: Path) -> Path:
    """A folder with every LIS behaviour and every REDCap instrument."""
    pull1 = [
        lis_row(ACCESSION="A1", SAMPLE_LABEL="MMTT 0", RESULT="0.4", COLLECTED="10/04/2019 08:00"),
        lis_row(
            ACCESSION="A1", SAMPLE_LABEL="MMTT 30", RESULT="<0.05", COLLECTED="10/04/2019 08:30"
        ),
        lis_row(ACCESSION="A1", SAMPLE_LABEL="MMTT 60", RESULT="0.9", COLLECTED="10/04/2019 09:00"),
        lis_row(
            ACCESSION="A1", TEST_CODE="GLU", SAMPLE_LABEL="MMTT 0", RESULT="5.5", UNITS="mmol/L"
        ),
        lis_row(None, ACCESSION="B1", RESULT="1.0"),
        lis_row(ACCESSION="A2", TEST_CODE="TSH", SAMPLE_LABEL="", RESULT="2", UNITS="mU/L"),
        lis_row(
            "P1-002",
            ACCESSION="A3",
            TEST_CODE="HBA1C",
            SAMPLE_LABEL="",
            RESULT="53",
            UNITS="mmol/mol",
            COLLECTED="25/04/2019 08:00",
        ),
    ]
    pull2 = [
        *pull1[3:],
        lis_row(
            ACCESSION="A1",
            SAMPLE_LABEL="MMTT T+60",
            RESULT="0.95",
            STATUS="C",
            VERIFIED_AT="20/04/2019 10:00",
            COLLECTED="10/04/2019 09:00",
        ),
        lis_row(
            "P1-002",
            ACCESSION="A4",
            TEST_CODE="HBA1C",
            SAMPLE_LABEL="",
            RESULT="HEMOLYZED",
            UNITS="%",
            COLLECTED="27/04/2019 08:00",
        ),
        lis_row(
            "P1-002",
            ACCESSION="A5",
            TEST_CODE="GADA",
            SAMPLE_LABEL="",
            RESULT=">250",
            UNITS="IU/mL",
            COLLECTED="29/05/2019 08:00",
        ),
        lis_row(
            ACCESSION="A6",
            TEST_CODE="ALT",
            SAMPLE_LABEL="",
            RESULT="22",
            UNITS="U/L",
            COLLECTED="22/04/2019 08:00",
            STATUS="X",
        ),
    ]
    rows = default_redcap()
    rows.append(
        {
            "record_id": "P1-001",
            "redcap_event_name": "week_1_arm_1",
            "redcap_repeat_instrument": "adverse_events",
            "redcap_repeat_instance": "1",
            "ae_term": "fever",
            "ae_start": "2019-04-16",
            "ae_grade": "1",
            "ae_serious": "0",
            "ae_related": "3",
            "ae_outcome": "1",
        }
    )
    rows.append(
        {
            "record_id": "P1-002",
            "redcap_event_name": "week_1_arm_1",
            "redcap_repeat_instrument": "hypoglycaemia",
            "redcap_repeat_instance": "1",
            "hypo_datetime": "2019-05-20 03:15",
            "hypo_glucose_mgdl": "51",
            "hypo_assist": "0",
        }
    )
    return make_raw(root, {"20190501": pull1, "20190801": pull2}, rows)


def csv_rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


def check_reconciliation(ds, raw: Path) -> None:
    from plmsc.manifest import raw_files, source_labels

    labels = source_labels(p.relative_to(raw).as_posix() for p in raw_files(raw))
    per_file = ds.reconciliation.groupby("SRCFILE")["N"].sum()
    read = {labels[p.relative_to(raw).as_posix()]: csv_rows(p) for p in raw.rglob("*.csv")}
    assert per_file.to_dict() == read
    kept_lis = ds.reconciliation[
        (ds.reconciliation["DISPOSITION"] == "kept")
        & ds.reconciliation["SRCFILE"].str.startswith("lis/")
    ]["N"].sum()
    assert kept_lis == len(ds.adlb)


def scan_for_leaks(out: Path, secrets: list[str]) -> None:
    for name in OUTPUTS:
        text = (out / name).read_text(encoding="utf-8")
        for s in secrets:
            assert s not in text, f"{s!r} leaked into {name}"
        for pat in DATE_PATTERNS:
            assert not pat.search(text), f"date {pat.search(text).group()} in {name}"


def test_reconciliation_accounts_for_every_row(tmp_path):
    raw = rich_raw(tmp_path)
    ds = build_adam(cohort(), raw)
    check_reconciliation(ds, raw)
    r = ds.reconciliation.set_index(["SRCFILE", "REASON"])["N"]
    assert r[("lis/LIS_EXPORT_#1.csv", "adlb")] == 4  # MMTT 0, MMTT 30, GLU, HBA1C
    assert r[("lis/LIS_EXPORT_#1.csv", "superseded by a correction (STATUS C)")] == 1
    assert r[("lis/LIS_EXPORT_#2.csv", "duplicate of a row in an earlier pull")] == 2
    assert r[("lis/LIS_EXPORT_#2.csv", "patient not in the trial (MRN not in REDCap)")] == 1
    assert r[("lis/LIS_EXPORT_#2.csv", "cancelled result (STATUS X)")] == 1


def test_outputs_carry_no_identifiers_or_dates(tmp_path):
    raw = rich_raw(tmp_path)
    out = tmp_path / "results"
    write_adam(build_adam(cohort(), raw), out)
    secrets = [OUTSIDER["mrn"], OUTSIDER["dob"], *OUTSIDER["name"].replace(",", "").split()]
    for p in PEOPLE.values():
        y, m, d = p["dob"].split("-")
        secrets += [p["mrn"], p["dob"], f"{d}/{m}/{y}", *p["name"].replace(",", "").split()]
    secrets += ["A19-0000001", "A1,", "LIS_EXPORT_2019", "TESTPRJ_DATA_2020"]
    scan_for_leaks(out, secrets)
    adlb = pd.read_csv(out / "adam/adlb.csv", dtype=str)
    assert set(adlb["USUBJID"]) == {"P1-001", "P1-002"}


def test_written_files_are_deterministic_and_valid(tmp_path):
    raw = rich_raw(tmp_path)
    a, b = tmp_path / "a", tmp_path / "b"
    write_adam(build_adam(cohort(), raw), a)
    write_adam(build_adam(cohort(), raw), b)
    for name in OUTPUTS:
        assert (a / name).read_bytes() == (b / name).read_bytes()
    adlb = pd.read_csv(a / "adam/adlb.csv", dtype={"SRCROW": int})
    keys = ["USUBJID", "PARAMCD", "ADY", "ATPTN"]
    assert adlb[keys].equals(adlb.sort_values(keys, na_position="first", kind="stable")[keys])
    hba1c = adlb[adlb["PARAMCD"] == "HBA1C"].iloc[0]
    assert hba1c["AVAL"] == pytest.approx(7.0, abs=5e-4)  # 0.09148 * 53 + 2.152 = 7.00044


def test_empty_frames_validate():
    for schema in SCHEMAS.values():
        empty = pd.DataFrame(
            {
                c: pd.Series(dtype="str" if col.dtype is None else str(col.dtype))
                for c, col in schema.columns.items()
            }
        )
        schema.validate(empty)


@pytest.mark.skipif(not (PHASE1 / "MANIFEST.sha256").is_file(), reason="phase 1 exports absent")
def test_phase1_end_to_end(tmp_path):
    cfg = load_config(REPO / "config.yaml")["cohorts"]["phase1"]
    ds = build_adam(cfg, PHASE1)
    check_reconciliation(ds, PHASE1)
    out = tmp_path / "phase1"
    write_adam(ds, out)
    lis = pd.concat(
        [
            pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            for p in sorted((PHASE1 / "lis").glob("*.csv"))
        ]
    )
    rc = pd.read_csv(
        next((PHASE1 / "redcap").glob("*_DATA_*.csv")), dtype=str, keep_default_na=False
    )
    secrets = set(lis["MRN"]) | set(lis["DOB"]) | set(rc["mrn"]) - {""} | set(rc["dob"]) - {""}
    secrets |= {
        part
        for name in lis["PATIENT_NAME"]
        for part in name.replace(",", " ").split()
        if len(part) > 3
    }
    scan_for_leaks(out, sorted(secrets))
    assert len(ds.adsl) == cfg["simulation"]["n"]
    assert set(ds.adlb["USUBJID"]) == set(ds.adsl["USUBJID"])
