"""Implausible values stop ingestion: every lab test and unit, and the REDCap entry errors."""

from __future__ import annotations

import pandas as pd
import pytest
from ingest_fixtures import DICTIONARY, cohort, default_redcap, lis_row, make_raw
from test_ingest_redcap import ae, hypo

from plmsc.ingest import InputError, build_adam, write_adam
from plmsc.ingest.plausibility import (
    check_redcap_entries,
    compute_implausible,
    compute_plausibility_limits,
    likely_cause,
)
from plmsc.ingest.units import LAB_TESTS, PLAUSIBLE_LIMITS

# (test, unit, RESULT, limits as the message writes them, likely cause). Worked by hand
# from the table of units.py:
IMPLAUSIBLE = [
    # 12 nmol/L > 10; 12 lies in 0-30.2 ng/mL and in 0-10000 pmol/L
    ("CPEP", "nmol/L", "12", "0 to 10 nmol/L", "ng/mL typed as nmol/L?"),
    # 500 ng/mL > 30.2; 500 lies in 0-10000 pmol/L only
    ("CPEP", "ng/mL", "500", "0 to 30.2 ng/mL", "pmol/L typed as ng/mL?"),
    # 20000 pmol/L > 10000, in no other unit; 2000 (a tenth) is plausible
    ("CPEP", "pmol/L", "20000", "0 to 10000 pmol/L", "a misplaced decimal point?"),
    # 5 mg/dL < 10; 5 lies in 0.55-83 mmol/L
    ("GLU", "mg/dL", "5", "10 to 1500 mg/dL", "mmol/L typed as mg/dL?"),
    # 150 mmol/L > 83; 150 lies in 10-1500 mg/dL
    ("GLU", "mmol/L", "150", "0.55 to 83 mmol/L", "mg/dL typed as mmol/L?"),
    # the example: 64 > 20 %, and 64 lies in 9-195 mmol/mol
    ("HBA1C", "%", "64", "3 to 20 %", "an IFCC value (mmol/mol) in a % row?"),
    # 7.5 mmol/mol < 9; 7.5 lies in 3-20 %
    ("HBA1C", "mmol/mol", "7.5", "9 to 195 mmol/mol", "an NGSP value (%) in a mmol/mol row?"),
    # 0 U/L < 1; neither 0 x 10 nor 0 / 10 reaches 1
    ("ALT", "U/L", "0", "1 to 10000 U/L", "a typing error"),
    # 25000 U/L > 10000; 2500 is plausible
    ("AST", "U/L", "25000", "1 to 10000 U/L", "a misplaced decimal point?"),
    # 60 mg/dL > 20; 60 lies in 4.4-1768 umol/L
    ("CREAT", "mg/dL", "60", "0.05 to 20 mg/dL", "umol/L typed as mg/dL?"),
    # 2 umol/L < 4.4; 2 lies in 0.05-20 mg/dL
    ("CREAT", "umol/L", "2", "4.4 to 1768 umol/L", "mg/dL typed as umol/L?"),
    # 0.05 < 0.1 x 10^9/L; 0.5 is plausible
    ("WBC", "10^9/L", "0.05", "0.1 to 200 10^9/L", "a misplaced decimal point?"),
    # 2500 > 2000; 250 is plausible
    ("PLT", "10^9/L", "2500", "1 to 2000 10^9/L", "a misplaced decimal point?"),
    # 125 g/dL > 25 (g/L typed as g/dL); 12.5 is plausible
    ("HGB", "g/dL", "125", "2 to 25 g/dL", "a misplaced decimal point?"),
]


def test_every_test_and_unit_has_limits():
    assert {(c, u) for c, t in LAB_TESTS.items() for u in t.conversions} == {
        (c, u) for c, units in PLAUSIBLE_LIMITS.items() for u in units
    }
    covered = {(c, u) for c, u, *_ in IMPLAUSIBLE}
    no_upper = {(c, u) for c, us in PLAUSIBLE_LIMITS.items() for u, (_, hi) in us.items() if not hi}
    # antibodies (0 or more) cannot be implausible in a LIS row: RESULT is never negative
    assert covered | no_upper == {(c, u) for c, us in PLAUSIBLE_LIMITS.items() for u in us}


@pytest.mark.parametrize(("code", "unit", "result", "limits", "cause"), IMPLAUSIBLE)
def test_implausible_value_stops_ingestion(tmp_path, code, unit, result, limits, cause):
    rows = [
        lis_row(ACCESSION="A19-1"),
        lis_row(ACCESSION="A19-2", TEST_CODE=code, SAMPLE_LABEL="", RESULT=result, UNITS=unit),
    ]
    raw = make_raw(tmp_path, {"20190501": rows})
    out = tmp_path / "results"
    with pytest.raises(InputError) as info:
        write_adam(build_adam(cohort(), raw), out)
    err, msg = info.value, str(info.value)
    assert err.file.endswith("LIS_EXPORT_20190501.csv") and err.line == 3
    assert err.field == "RESULT" and err.found == result
    assert f"line 3, column RESULT has '{result}'" in msg
    assert f"a plausible {code} result in {unit}: {limits}" in msg
    assert cause in msg and "this is the only row" in msg
    assert not out.exists()


def test_limits_are_inclusive(tmp_path):
    rows = [
        lis_row(ACCESSION="A19-1", TEST_CODE="HBA1C", SAMPLE_LABEL="", RESULT="20", UNITS="%"),
        lis_row(ACCESSION="A19-2", TEST_CODE="HBA1C", SAMPLE_LABEL="", RESULT="3", UNITS="%"),
        lis_row(ACCESSION="A19-3", RESULT="<0.05", UNITS="ng/mL"),
        lis_row(ACCESSION="A19-4", TEST_CODE="GADA", SAMPLE_LABEL="", RESULT="0", UNITS="IU/mL"),
    ]
    ds = build_adam(cohort(), make_raw(tmp_path, {"20190501": rows}))
    assert len(ds.adlb) == 4


def test_first_offending_row_and_the_count(tmp_path):
    bad_hba1c = {"TEST_CODE": "HBA1C", "SAMPLE_LABEL": "", "UNITS": "%"}
    pulls = {
        "20190501": [
            lis_row(ACCESSION="A19-1"),
            lis_row(ACCESSION="A19-2", **bad_hba1c, RESULT="70"),
        ],
        "20190601": [
            lis_row(ACCESSION="A19-3", **bad_hba1c, RESULT="64"),
            lis_row(ACCESSION="A19-4", RESULT="900", UNITS="pmol/L"),  # plausible
            lis_row(ACCESSION="A19-5", RESULT="900", UNITS="ng/mL"),
        ],
    }
    with pytest.raises(InputError) as info:
        build_adam(cohort(), make_raw(tmp_path, pulls))
    err = info.value
    # the earlier pull first; three rows in all: 70 %, 64 %, 900 ng/mL
    assert err.file.endswith("LIS_EXPORT_20190501.csv") and err.line == 3 and err.found == "70"
    assert "3 rows in all are outside their limits" in str(err)


def test_a_superseded_implausible_value_stops_nothing(tmp_path):
    rows = [
        lis_row(TEST_CODE="HBA1C", SAMPLE_LABEL="", RESULT="64", UNITS="%"),
        lis_row(
            TEST_CODE="HBA1C",
            SAMPLE_LABEL="",
            RESULT="8.0",
            UNITS="%",
            STATUS="C",
            VERIFIED_AT="16/04/2019 09:00",
        ),
    ]
    ds = build_adam(cohort(), make_raw(tmp_path, {"20190501": rows}))
    assert ds.adlb["AVAL"].tolist() == [8.0]


def test_limits_from_the_config(tmp_path):
    rows = [lis_row(TEST_CODE="HBA1C", SAMPLE_LABEL="", RESULT="16", UNITS="%")]
    raw = make_raw(tmp_path, {"20190501": rows})
    assert len(build_adam(cohort(), raw).adlb) == 1  # 16 % is within the default 3-20
    cfg = cohort()
    cfg["plausibility"] = {"lab": {"HBA1C": {"%": [3, 15]}}}
    with pytest.raises(InputError, match=r"a plausible HBA1C result in %: 3 to 15 %"):
        build_adam(cfg, raw)


def test_an_antibody_limit_from_the_config(tmp_path):
    rows = [lis_row(TEST_CODE="GADA", SAMPLE_LABEL="", RESULT="5000", UNITS="IU/mL")]
    cfg = cohort()
    cfg["plausibility"] = {"lab": {"GADA": {"IU/mL": [0, 2000]}}}
    with pytest.raises(InputError, match="0 to 2000 IU/mL") as info:
        build_adam(cfg, make_raw(tmp_path, {"20190501": rows}))
    assert "a misplaced decimal point?" in str(info.value)  # 500 is within 0-2000


def test_compute_implausible_vectorised():
    limits = compute_plausibility_limits()
    got = compute_implausible(
        pd.Series([64.0, 7.9, -1.0, 1e6, float("nan"), 64.0]),
        pd.Series(["HBA1C", "HBA1C", "GADA", "GADA", "HBA1C", "XYZ"]),
        pd.Series(["%", "%", "IU/mL", "IU/mL", "%", "%"]),
        limits,
    )
    # 64 % out; 7.9 % in; -1 below 0; 1e6 IU/mL has no upper limit; NaN and unknown tests pass
    assert got.tolist() == [True, False, True, False, False, False]


def test_likely_cause_lists_every_plausible_unit():
    # 12 nmol/L: plausible as ng/mL (0-30.2) and as pmol/L (0-10000)
    cause = likely_cause("CPEP", "nmol/L", 12.0, compute_plausibility_limits())
    assert cause == "ng/mL typed as nmol/L? or pmol/L typed as nmol/L?"


# --- REDCap entry errors ---------------------------------------------------------------


def frame(*rows: dict) -> pd.DataFrame:
    cols = ["record_id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance"]
    df = pd.DataFrame(list(rows)).fillna("")
    for c in cols:
        if c not in df:
            df[c] = ""
    return df.astype(str)


@pytest.mark.parametrize("grade", ["0", "6", "2.5"])
def test_grade_outside_1_to_5(grade):
    rc = frame(ae("P1-001", 1), ae("P1-001", 2, ae_grade=grade))
    with pytest.raises(InputError) as info:
        check_redcap_entries(rc, "export.csv")
    err = info.value
    assert (err.record, err.event, err.instance, err.field) == (
        "P1-001",
        "week_1_arm_1",
        "adverse_events #2",
        "ae_grade",
    )
    assert f"has '{grade}': expected a CTCAE v5 grade 1 to 5" in str(err)


@pytest.mark.parametrize(
    ("glucose", "limit", "stops"),
    [("600", 600, False), ("601", 600, True), ("450", 400, True), ("0", 600, True)],
)
def test_hypoglycaemia_glucose_limit(glucose, limit, stops):
    rc = frame(hypo("P1-002", 3, "2019-06-01 03:00", glucose, "0"))
    if not stops:
        check_redcap_entries(rc, "export.csv", limit)
        return
    with pytest.raises(InputError) as info:
        check_redcap_entries(rc, "export.csv", limit)
    err = info.value
    assert err.instance == "hypoglycaemia #3" and err.field == "hypo_glucose_mgdl"
    assert err.found == glucose
    words = f"at most {limit} mg/dL" if glucose != "0" else "above 0 mg/dL"
    assert words in str(err)


def test_hypoglycaemia_limit_from_the_config_through_ingestion(tmp_path):
    # the dictionary allows 10-400 mg/dL; the cohort's limit is stricter
    rows = [*default_redcap(), hypo("P1-001", 1, "2019-05-10 03:00", "350", "0")]
    raw = make_raw(tmp_path, {}, rows)
    assert len(build_adam(cohort(), raw).adhypo) == 1
    cfg = cohort()
    cfg["plausibility"] = {"hypo_glucose_max_mgdl": 300}
    with pytest.raises(InputError) as info:
        build_adam(cfg, raw)
    msg = str(info.value)
    assert "record P1-001, event month_1_arm_1, instance hypoglycaemia #1" in msg
    assert "field hypo_glucose_mgdl has '350': expected a glucose of at most 300 mg/dL" in msg


def test_grade_outside_1_to_5_without_dictionary_choices(tmp_path):
    dictionary = [
        ("ae_grade", "adverse_events", "text", "", "integer", "", "") if f[0] == "ae_grade" else f
        for f in DICTIONARY
    ]
    rows = [*default_redcap(), ae("P1-001", 1, ae_grade="7")]
    with pytest.raises(InputError) as info:
        build_adam(cohort(), make_raw(tmp_path, {}, rows, dictionary=dictionary))
    msg = str(info.value)
    assert "instance adverse_events #1, field ae_grade has '7': expected a CTCAE v5 grade" in msg


def test_ae_ending_before_it_starts_names_the_instance_and_value(tmp_path):
    rows = [*default_redcap(), ae("P1-002", 4, ae_start="2019-05-10", ae_end="2019-05-09")]
    with pytest.raises(InputError) as info:
        build_adam(cohort(), make_raw(tmp_path, {}, rows))
    msg = str(info.value)
    assert "record P1-002, event week_1_arm_1, instance adverse_events #4, field ae_end" in msg
    assert "has '2019-05-09': expected an AE end date on or after ae_start" in msg
