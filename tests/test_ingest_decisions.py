"""Data-management decisions: replace and exclude, LIS and REDCap, counting, listing, errors."""

from __future__ import annotations

import pandas as pd
import pytest
from ingest_fixtures import cohort, default_redcap, lis_row, make_raw
from test_ingest_redcap import ae, hypo

from plmsc.ingest import InputError, build_adam, write_adam
from plmsc.ingest.decisions import DECISION_COLUMNS, read_decisions

HBA1C = {"TEST_CODE": "HBA1C", "TEST_NAME": "HBA1C", "SAMPLE_LABEL": "", "UNITS": "%"}


def decisions_file(tmp_path, *rows: dict[str, str]):
    path = tmp_path / "decisions.csv"
    frame = pd.DataFrame([{c: r.get(c, "") for c in DECISION_COLUMNS} for r in rows])
    frame = frame.reindex(columns=DECISION_COLUMNS)
    frame.to_csv(path, index=False)
    return path


def lis_decision(file: str, accession: str, action: str, value: str = "", **kw: str) -> dict:
    return {
        "source": "lis",
        "file": file,
        "ACCESSION": accession,
        "TEST_CODE": kw.pop("TEST_CODE", "HBA1C"),
        "SAMPLE_LABEL": kw.pop("SAMPLE_LABEL", ""),
        "action": action,
        "value": value,
        "reason": kw.pop("reason", "IFCC value typed in the NGSP row (lab)"),
        "query_ref": kw.pop("query_ref", "Q-017"),
    }


def rc_decision(record, event, instance, field, action, value="", **kw) -> dict:
    return {
        "source": "redcap",
        "record_id": record,
        "redcap_event_name": event,
        "redcap_repeat_instance": instance,
        "field": field,
        "action": action,
        "value": value,
        "reason": kw.get("reason", "site confirmed the source document"),
        "query_ref": kw.get("query_ref", "Q-101"),
    }


def recon(ds) -> dict[tuple[str, str], int]:
    r = ds.reconciliation
    return {
        (f, reason): int(n) for f, reason, n in zip(r["SRCFILE"], r["REASON"], r["N"], strict=True)
    }


# --- LIS --------------------------------------------------------------------------------


def test_replace_makes_an_implausible_value_pass(tmp_path):
    rows = [lis_row(ACCESSION="A19-1"), lis_row(ACCESSION="A19-2", **HBA1C, RESULT="64")]
    raw = make_raw(tmp_path, {"20190501": rows})
    with pytest.raises(InputError, match="an IFCC value"):
        build_adam(cohort(), raw)
    dec = decisions_file(
        tmp_path, lis_decision("LIS_EXPORT_20190501.csv", "A19-2", "replace", "8.0")
    )
    ds = build_adam(cohort(), raw, dec)
    hba1c = ds.adlb[ds.adlb["PARAMCD"] == "HBA1C"]
    assert hba1c["AVAL"].tolist() == [8.0]
    reason = "IFCC value typed in the NGSP row (lab)"
    # two rows read, both kept: one as adlb, one as adlb with a replaced value
    assert recon(ds) == {
        ("lis/LIS_EXPORT_#1.csv", "adlb"): 1,
        ("lis/LIS_EXPORT_#1.csv", f"adlb (value replaced by decision: {reason})"): 1,
        **{k: v for k, v in recon(ds).items() if not k[0].startswith("lis/")},
    }
    (row,) = ds.decisions.to_dict("records")
    assert row["DECISION"] == 2 and row["SOURCE"] == "lis"
    assert (row["SRCFILE"], row["SRCROW"], row["USUBJID"]) == ("lis/LIS_EXPORT_#1.csv", 3, "P1-001")
    assert (row["FIELD"], row["ORIGVAL"], row["ACTION"], row["NEWVAL"]) == (
        "HBA1C",
        "64",
        "replace",
        "8.0",
    )
    assert (row["NCOPIES"], row["REASON"], row["QUERYREF"]) == (0, reason, "Q-017")


def test_replace_follows_the_copies_in_overlapping_pulls(tmp_path):
    bad = lis_row(ACCESSION="A19-2", **HBA1C, RESULT="64")
    pulls = {"20190501": [lis_row(ACCESSION="A19-1"), bad], "20190601": [bad]}
    raw = make_raw(tmp_path, pulls)
    # the decision names the copy in the later pull, by its label
    dec = decisions_file(tmp_path, lis_decision("lis/LIS_EXPORT_#2.csv", "A19-2", "replace", "8.0"))
    ds = build_adam(cohort(), raw, dec)
    assert ds.adlb.loc[ds.adlb["PARAMCD"] == "HBA1C", "AVAL"].tolist() == [8.0]
    counts = recon(ds)
    # pull 1 keeps the first copy (replaced); pull 2's copy stays a duplicate of it
    assert counts[("lis/LIS_EXPORT_#1.csv", "adlb")] == 1
    assert sum(n for (f, r), n in counts.items() if "replaced by decision" in r) == 1
    assert counts[("lis/LIS_EXPORT_#2.csv", "duplicate of a row in an earlier pull")] == 1
    row = ds.decisions.iloc[0]
    assert row["SRCFILE"] == "lis/LIS_EXPORT_#2.csv" and row["SRCROW"] == 2
    assert row["NCOPIES"] == 1


def test_exclude_counts_read_equals_kept_plus_excluded(tmp_path):
    rows = [
        lis_row(ACCESSION="A19-1"),
        lis_row(ACCESSION="A19-2", **HBA1C, RESULT="7.1"),
        lis_row(ACCESSION="A19-3", SAMPLE_LABEL="MMTT 60", RESULT="0.9"),
    ]
    copy = rows[2]
    raw = make_raw(tmp_path, {"20190501": rows, "20190601": [copy]})
    reason = "sample from the wrong tube (lab)"
    dec = decisions_file(
        tmp_path,
        lis_decision(
            "LIS_EXPORT_20190501.csv",
            "A19-3",
            "exclude",
            TEST_CODE="CPEP",
            SAMPLE_LABEL="MMTT 60",
            reason=reason,
        ),
    )
    ds = build_adam(cohort(), raw, dec)
    assert len(ds.adlb) == 2 and 60 not in set(ds.adlb["ATPTN"].dropna())
    counts = recon(ds)
    # pull 1: 3 rows read = 2 kept + 1 excluded by the decision
    assert counts[("lis/LIS_EXPORT_#1.csv", "adlb")] == 2
    assert counts[("lis/LIS_EXPORT_#1.csv", f"excluded by decision: {reason}")] == 1
    # pull 2: its only row, a copy of the excluded one
    assert counts[("lis/LIS_EXPORT_#2.csv", "copy of a row excluded by decision")] == 1
    r = ds.reconciliation
    lis_rows = r[r["SRCFILE"].str.startswith("lis/")]
    assert lis_rows.groupby("SRCFILE")["N"].sum().to_dict() == {
        "lis/LIS_EXPORT_#1.csv": 3,
        "lis/LIS_EXPORT_#2.csv": 1,
    }
    row = ds.decisions.iloc[0]
    assert row["FIELD"] == "CPEP (MMTT 60)" and row["ACTION"] == "exclude"
    assert pd.isna(row["NEWVAL"]) and row["NCOPIES"] == 1


def test_a_decision_that_matches_nothing_is_an_error(tmp_path):
    raw = make_raw(tmp_path, {"20190501": [lis_row(ACCESSION="A19-1")]})
    dec = decisions_file(
        tmp_path,
        lis_decision("LIS_EXPORT_20190501.csv", "A19-1", "exclude", TEST_CODE="CPEP"),  # MMTT 30
        lis_decision("LIS_EXPORT_20190501.csv", "A19-9", "replace", "8.0"),
    )
    out = tmp_path / "results"
    with pytest.raises(InputError) as info:
        write_adam(build_adam(cohort(), raw, dec), out)
    err = info.value
    # the first decision misses its SAMPLE_LABEL (empty matches an empty label only)
    assert err.file == str(dec) and err.line == 2
    assert "ACCESSION A19-1, TEST_CODE CPEP, SAMPLE_LABEL ''); it matches no row" in str(err)
    assert not out.exists()


def test_a_decision_that_matches_two_rows_is_an_error(tmp_path):
    rows = [
        lis_row(**HBA1C, RESULT="64"),
        lis_row(**HBA1C, RESULT="7.9", STATUS="C", VERIFIED_AT="16/04/2019 09:00"),
    ]
    raw = make_raw(tmp_path, {"20190501": rows})
    dec = decisions_file(
        tmp_path, lis_decision("LIS_EXPORT_20190501.csv", "A19-0000001", "replace", "8.0")
    )
    with pytest.raises(InputError, match=r"it matches 2 rows \(lines 2, 3\)") as info:
        build_adam(cohort(), raw, dec)
    assert info.value.line == 2


def test_a_decision_on_another_patient_is_an_error(tmp_path):
    rows = [lis_row(ACCESSION="A19-1"), lis_row(None, ACCESSION="A19-5", **HBA1C, RESULT="64")]
    raw = make_raw(tmp_path, {"20190501": rows})
    dec = decisions_file(tmp_path, lis_decision("LIS_EXPORT_20190501.csv", "A19-5", "exclude"))
    with pytest.raises(InputError, match="a row of a trial participant") as info:
        build_adam(cohort(), raw, dec)
    assert "09999999" not in str(info.value)


def test_an_unknown_pull_is_an_error(tmp_path):
    raw = make_raw(tmp_path, {"20190501": [lis_row()]})
    dec = decisions_file(tmp_path, lis_decision("LIS_EXPORT_20190502.csv", "A19-1", "exclude"))
    with pytest.raises(InputError, match=r"column file has 'LIS_EXPORT_20190502\.csv'"):
        build_adam(cohort(), raw, dec)


# --- REDCap -----------------------------------------------------------------------------


def test_redcap_replace_a_glucose(tmp_path):
    # 450 mg/dL is above the dictionary's 400: a typo for 45, confirmed by the site
    rows = [*default_redcap(), hypo("P1-001", 2, "2019-05-10 03:00", "450", "0")]
    raw = make_raw(tmp_path, {}, rows)
    with pytest.raises(InputError, match="hypo_glucose_mgdl"):
        build_adam(cohort(), raw)
    dec = decisions_file(
        tmp_path, rc_decision("P1-001", "month_1_arm_1", "2", "hypo_glucose_mgdl", "replace", "45")
    )
    ds = build_adam(cohort(), raw, dec)
    (event,) = ds.adhypo.to_dict("records")
    assert event["GLUC"] == 45.0 and event["LEVEL"] == 2  # 45 < 54 mg/dL: level 2
    counts = recon(ds)
    export = "redcap/TESTPRJ_DATA_#1.csv"
    reason = "site confirmed the source document"
    assert counts[(export, f"adhypo (value replaced by decision: {reason})")] == 1
    assert (export, "adhypo") not in counts
    row = ds.decisions.iloc[0]
    assert (row["USUBJID"], row["EVENT"], row["INSTANCE"], row["FIELD"]) == (
        "P1-001",
        "month_1_arm_1",
        "2",
        "hypo_glucose_mgdl",
    )
    assert (row["ORIGVAL"], row["NEWVAL"], row["SRCFILE"]) == ("450", "45", export)


def test_redcap_exclude_a_weight(tmp_path):
    dec = decisions_file(
        tmp_path, rc_decision("P1-002", "screening_arm_1", "", "weight_kg", "exclude")
    )
    raw = make_raw(tmp_path, {})
    base = build_adam(cohort(), raw)
    ds = build_adam(cohort(), raw, dec)
    weights = ds.advs[ds.advs["PARAMCD"] == "WEIGHT"]
    assert "P1-002" not in set(weights["USUBJID"])
    assert len(ds.advs) == len(base.advs) - 1
    counts = recon(ds)
    export = "redcap/TESTPRJ_DATA_#1.csv"
    # 5 event rows read: 4 kept as usual, 1 kept with a value excluded
    assert counts[(export, "adsl/advs")] == 4
    assert (
        counts[
            (export, "adsl/advs (value excluded by decision: site confirmed the source document)")
        ]
        == 1
    )


def test_redcap_dates_are_withheld_in_the_listing(tmp_path):
    rows = [*default_redcap(), ae("P1-001", 1, ae_start="2019-04-16", ae_end="2019-04-15")]
    raw = make_raw(tmp_path, {}, rows)
    dec = decisions_file(
        tmp_path,
        rc_decision(
            "P1-001",
            "week_1_arm_1",
            "1",
            "ae_end",
            "replace",
            "2019-04-19",
            reason="typo 2019-04-19",
        ),
    )
    ds = build_adam(cohort(), raw, dec)
    assert ds.adae["AENDY"].tolist() == [4]  # 19 April - 15 April (infusion) = day 4
    row = ds.decisions.iloc[0]
    assert row["ORIGVAL"] == "(calendar date withheld)" == row["NEWVAL"]
    assert "2019" not in row["REASON"]


def test_redcap_decision_matching_nothing(tmp_path):
    raw = make_raw(tmp_path, {}, [*default_redcap(), ae("P1-001", 1)])
    dec = decisions_file(
        tmp_path,
        rc_decision("P1-001", "week_1_arm_1", "1", "ae_grade", "replace", "2"),
        rc_decision("P1-001", "week_1_arm_1", "2", "ae_grade", "replace", "2"),
    )
    with pytest.raises(InputError) as info:
        build_adam(cohort(), raw, dec)
    assert info.value.line == 3
    assert "record P1-001, event week_1_arm_1, instance 2 that holds field ae_grade" in str(
        info.value
    )
    assert "it matches no row" in str(info.value)


# --- the file ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "column", "words"),
    [
        ({"action": "delete"}, "action", "exclude or replace"),
        ({"source": "lab"}, "source", "lis or redcap"),
        ({"value": ""}, "value", "the new value of a replace"),
        ({"reason": ""}, "reason", "the reason"),
        ({"query_ref": ""}, "query_ref", "the reference of the data query"),
        ({"record_id": "P1-001"}, "record_id", "empty for a LIS decision"),
        ({"ACCESSION": ""}, "ACCESSION", "the ACCESSION of the LIS row"),
    ],
)
def test_a_bad_decision_line_is_named(tmp_path, change, column, words):
    good = lis_decision("LIS_EXPORT_20190501.csv", "A19-1", "replace", "8.0")
    path = decisions_file(tmp_path, good, {**good, "ACCESSION": "A19-2", **change})
    with pytest.raises(InputError) as info:
        read_decisions(path)
    assert info.value.line == 3 and info.value.field == column
    assert words in str(info.value)


def test_two_decisions_on_one_value(tmp_path):
    d = rc_decision("P1-001", "week_1_arm_1", "", "weight_kg", "replace", "41")
    path = decisions_file(tmp_path, d, {**d, "value": "42"})
    with pytest.raises(InputError, match="line 2 decides the same one") as info:
        read_decisions(path)
    assert info.value.line == 3


def test_the_shipped_files_are_empty_and_valid():
    from conftest import REPO

    for cohort_name in ("phase1", "phase2"):
        assert read_decisions(REPO / "config" / "decisions" / f"{cohort_name}.csv").empty


def test_the_listing_carries_no_identifier_or_date(tmp_path):
    rows = [lis_row(ACCESSION="A19-1"), lis_row(ACCESSION="A19-2", **HBA1C, RESULT="64")]
    redcap = [*default_redcap(), ae("P1-001", 1, ae_start="2019-04-16", ae_end="2019-04-15")]
    raw = make_raw(tmp_path, {"20190501": rows}, redcap)
    dec = decisions_file(
        tmp_path,
        lis_decision(
            "LIS_EXPORT_20190501.csv", "A19-2", "replace", "8.0", query_ref="Q-5 of 02/05/2019"
        ),
        rc_decision("P1-001", "week_1_arm_1", "1", "ae_end", "replace", "2019-04-19"),
        rc_decision("P1-001", "screening_arm_1", "", "dob", "replace", "2008-03-02"),
    )
    out = tmp_path / "results"
    write_adam(build_adam(cohort(), raw, dec), out)
    text = (out / "qc" / "decisions.csv").read_text(encoding="utf-8")
    for secret in ("01234567", "RAHIMI", "Sara", "2008", "2019", "LIS_EXPORT_2019", "A19-2"):
        assert secret not in text, secret
    listing = pd.read_csv(out / "qc" / "decisions.csv", dtype=str)
    assert listing["QUERYREF"].tolist() == ["Q-5 of <date>", "Q-101", "Q-101"]
    assert listing.loc[2, "ORIGVAL"] == "(identifier withheld)"
