"""Small hand-built raw folders for the ingestion tests, in the formats of docs/raw-exports.md.

LIS pulls: UTF-8 with a byte-order mark, CRLF line endings. REDCap: raw export
with coded values and a data dictionary with the standard REDCap columns.
Two participants: P1-001 (MRN 01234567, female, born 2008-03-02, infused
2019-04-15) and P1-002 (MRN 00765432, male, born 2006-10-20, infused 2019-05-01).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from copy import deepcopy
from pathlib import Path
from typing import Any

from plmsc.ingest.lis import LIS_COLUMNS

SCHEDULE = [
    {"visit": "Baseline", "event": "screening_arm_1", "day": -7, "window": [-42, -1]},
    {"visit": "Infusion", "event": "infusion_arm_1", "day": 0, "window": [0, 0]},
    {"visit": "Week 1", "event": "week_1_arm_1", "day": 7, "window": [4, 10]},
    {"visit": "Month 1", "event": "month_1_arm_1", "day": 30, "window": [25, 37]},
    {"visit": "Month 3", "event": "month_3_arm_1", "day": 90, "window": [83, 97]},
]
COHORT: dict[str, Any] = {
    "raw_dir": "unused",
    "design": "single_arm",
    "arm": "PLMSC",
    "redcap_project": "TESTPRJ",
    "schedule": SCHEDULE,
    "assessments": {"mmtt": [], "hba1c": [], "antibodies": [], "safety": []},
    "analysis": {"blq": "half"},
}

PEOPLE = {
    "P1-001": {"mrn": "01234567", "name": "RAHIMI, Sara", "dob": "2008-03-02", "sex": "2"},
    "P1-002": {"mrn": "00765432", "name": "KARIMI, Ali", "dob": "2006-10-20", "sex": "1"},
}
OUTSIDER = {"mrn": "09999999", "name": "STRANGER, Other", "dob": "11/11/1950", "sex": "M"}

# field, form, type, choices, validation, min, max
DICTIONARY = [
    ("record_id", "demographics", "text", "", "", "", ""),
    ("mrn", "demographics", "text", "", "", "", ""),
    ("dob", "demographics", "text", "", "date_ymd", "1990-01-01", "2030-12-31"),
    ("sex", "demographics", "radio", "1, Male | 2, Female", "", "", ""),
    ("diagnosis_date", "demographics", "text", "", "date_ymd", "", ""),
    ("height_cm", "demographics", "text", "", "number", "50", "220"),
    ("dka_at_onset", "demographics", "yesno", "", "", "", ""),
    ("infusion_date", "infusion", "text", "", "date_ymd", "", ""),
    ("cells_per_kg", "infusion", "text", "", "number", "", ""),
    ("viability_pct", "infusion", "text", "", "number", "0", "100"),
    ("infusion_reaction", "infusion", "yesno", "", "", "", ""),
    ("visit_date", "visit", "text", "", "date_ymd", "", ""),
    ("weight_kg", "visit", "text", "", "number", "", ""),
    ("tdd_day1", "visit", "text", "", "number", "", ""),
    ("tdd_day2", "visit", "text", "", "number", "", ""),
    ("tdd_day3", "visit", "text", "", "number", "", ""),
    ("ae_term", "adverse_events", "text", "", "", "", ""),
    ("ae_soc", "adverse_events", "text", "", "", "", ""),
    ("ae_pt", "adverse_events", "text", "", "", "", ""),
    ("ae_start", "adverse_events", "text", "", "date_ymd", "", ""),
    ("ae_end", "adverse_events", "text", "", "date_ymd", "", ""),
    ("ae_grade", "adverse_events", "dropdown", "1, 1 | 2, 2 | 3, 3 | 4, 4 | 5, 5", "", "", ""),
    ("ae_serious", "adverse_events", "yesno", "", "", "", ""),
    (
        "ae_related",
        "adverse_events",
        "radio",
        "1, Unrelated | 2, Unlikely | 3, Possible | 4, Probable | 5, Definite",
        "",
        "",
        "",
    ),
    (
        "ae_outcome",
        "adverse_events",
        "radio",
        "1, Recovered | 2, Recovering | 3, Not recovered | 4, Sequelae | 5, Fatal",
        "",
        "",
        "",
    ),
    ("hypo_datetime", "hypoglycaemia", "text", "", "datetime_ymd", "", ""),
    ("hypo_glucose_mgdl", "hypoglycaemia", "text", "", "number", "10", "400"),
    ("hypo_assist", "hypoglycaemia", "yesno", "", "", "", ""),
]
DD_HEADER = [
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
]


def cohort(**analysis: Any) -> dict[str, Any]:
    """A fresh copy of the test cohort's config, with analysis options overridden."""
    cfg = deepcopy(COHORT)
    cfg["analysis"].update(analysis)
    return cfg


def lis_row(subject: str | None = "P1-001", **kw: str) -> dict[str, str]:
    """One LIS row; defaults: a final 0.5 ng/mL C-peptide at MMTT 30 on day 0 (15/04/2019)."""
    who = OUTSIDER if subject is None else PEOPLE[subject]
    dob = who["dob"]
    if "-" in dob:
        y, m, d = dob.split("-")
        dob = f"{d}/{m}/{y}"
    sex = who["sex"] if who["sex"] in ("M", "F") else {"1": "M", "2": "F"}[who["sex"]]
    row = {
        "MRN": who["mrn"],
        "PATIENT_NAME": who["name"],
        "DOB": dob,
        "SEX": sex,
        "ACCESSION": "A19-0000001",
        "COLLECTED": "15/04/2019 08:00",
        "TEST_CODE": "CPEP",
        "TEST_NAME": "C-PEPTIDE, SERUM",
        "SAMPLE_LABEL": "MMTT 30",
        "RESULT": "0.5",
        "UNITS": "ng/mL",
        "REF_RANGE": "0.8-3.1",
        "FLAG": "",
        "STATUS": "F",
        "VERIFIED_AT": "15/04/2019 12:00",
    }
    row.update(kw)
    return row


def lis_bytes(rows: Iterable[Mapping[str, str]]) -> bytes:
    """A LIS pull: BOM, CRLF, header, minimal quoting (the name has a comma)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(LIS_COLUMNS)
    for r in rows:
        writer.writerow([r[c] for c in LIS_COLUMNS])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def visit(record: str, event: str, date: str, weight: str = "", *tdd: str) -> dict[str, str]:
    """A REDCap event row with the visit instrument."""
    d = dict(zip(("tdd_day1", "tdd_day2", "tdd_day3"), tdd, strict=False))
    return {
        "record_id": record,
        "redcap_event_name": event,
        "visit_date": date,
        "weight_kg": weight,
        **d,
        "visit_complete": "2",
    }


def default_redcap() -> list[dict[str, str]]:
    """Screening (demographics + visit), infusion and a week-1 visit for both participants."""
    rows: list[dict[str, str]] = []
    for rec, inf, scr, diag, w in (
        ("P1-001", "2019-04-15", "2019-04-08", "2019-03-01", "40.0"),
        ("P1-002", "2019-05-01", "2019-04-20", "2019-03-20", "50.0"),
    ):
        p = PEOPLE[rec]
        scr_row = visit(rec, "screening_arm_1", scr, w, "20", "22", "21")
        scr_row.update(
            mrn=p["mrn"],
            dob=p["dob"],
            sex=p["sex"],
            diagnosis_date=diag,
            height_cm="150.0",
            dka_at_onset="1" if rec == "P1-001" else "0",
            demographics_complete="2",
        )
        rows.append(scr_row)
        rows.append(
            {
                "record_id": rec,
                "redcap_event_name": "infusion_arm_1",
                "infusion_date": inf,
                "cells_per_kg": "1000000",
                "viability_pct": "95.5",
                "infusion_reaction": "0",
                "infusion_complete": "2",
            }
        )
    rows.append(visit("P1-001", "week_1_arm_1", "2019-04-22", "", "16", "15", "17"))
    return rows


def redcap_bytes(
    rows: Iterable[Mapping[str, str]], dictionary: Sequence[tuple[str, ...]] = DICTIONARY
) -> bytes:
    """A REDCap raw export: fixed columns, then each form's fields and <form>_complete."""
    header = [
        "record_id",
        "redcap_event_name",
        "redcap_repeat_instrument",
        "redcap_repeat_instance",
    ]
    forms: list[str] = []
    for _name, form, *_ in dictionary:
        if form not in forms:
            forms.append(form)
    for form in forms:
        header += [f[0] for f in dictionary if f[1] == form and f[0] != "record_id"]
        header.append(f"{form}_complete")
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for r in rows:
        unknown = set(r) - set(header)
        assert not unknown, unknown
        writer.writerow([r.get(c, "") for c in header])
    return buf.getvalue().encode("utf-8")


def dictionary_bytes(dictionary: Sequence[tuple[str, ...]] = DICTIONARY) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(DD_HEADER)
    for name, form, ftype, choices, val, vmin, vmax in dictionary:
        writer.writerow(
            [
                name,
                form,
                "",
                ftype,
                name,
                choices,
                "",
                val,
                vmin,
                vmax,
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ]
        )
    return buf.getvalue().encode("utf-8")


def make_raw(
    root: Path,
    pulls: Mapping[str, Iterable[Mapping[str, str]]] | None = None,
    redcap: Iterable[Mapping[str, str]] | None = None,
    *,
    dictionary: Sequence[tuple[str, ...]] = DICTIONARY,
    export_name: str = "TESTPRJ_DATA_2020-01-10_0930.csv",
    randomisation: str | None = None,
) -> Path:
    """Write a raw folder under ``root``; ``pulls`` maps YYYYMMDD -> LIS rows."""
    raw = root / "raw"
    (raw / "lis").mkdir(parents=True, exist_ok=True)
    (raw / "redcap").mkdir(parents=True, exist_ok=True)
    for date, rows in (pulls or {}).items():
        (raw / "lis" / f"LIS_EXPORT_{date}.csv").write_bytes(lis_bytes(rows))
    rc = default_redcap() if redcap is None else list(redcap)
    (raw / "redcap" / export_name).write_bytes(redcap_bytes(rc, dictionary))
    (raw / "redcap" / "TESTPRJ_DataDictionary_2020-01-10.csv").write_bytes(
        dictionary_bytes(dictionary)
    )
    if randomisation is not None:
        (raw / "randomisation.csv").write_text(randomisation, encoding="utf-8")
    return raw
