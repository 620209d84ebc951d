"""LIS pulls -> adlb: parsing, units, STATUS, duplicates, other patients, errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from ingest_fixtures import cohort, lis_row, make_raw

from plmsc.ingest import InputError, build_adam, write_adam
from plmsc.ingest.labs import categorical_take
from plmsc.ingest.lis import LIS_DATETIME, formats_back, parse_result, parse_sample_label


def run(tmp_path, pulls, **kw):
    raw = make_raw(tmp_path, pulls, **kw.pop("raw_kw", {}))
    return build_adam(cohort(**kw), raw)


def one(ds):
    assert len(ds.adlb) == 1, ds.adlb
    return ds.adlb.iloc[0]


# --- date-times ------------------------------------------------------------------

#: text -> valid with DD/MM/YYYY HH:MM (parses and formats back to the same text)
DATETIME_CASES = {
    "02/07/2019 10:05": True,
    "29/02/2020 10:00": True,  # leap day
    "01/01/0999 10:00": True,  # a wrong century is a plausibility error, not a format error
    "31/02/2019 10:00": False,  # strptime rolls it over to 03/03
    "29/02/2019 10:00": False,  # not a leap year: rolled over to 01/03
    "1/1/2019 10:00": False,  # parses, but is not zero-padded
    "01/01/2019 9:00": False,
    "01/01/19 10:00": False,  # parses as year 19
    " 01/01/2019 10:00": False,
    "01/01/2019  10:00": False,
    "01/01/2019 10:00x": False,
    "01/01/2019 24:00": False,
    "\u0660\u0661/01/2019 10:00": False,  # Arabic-Indic digits
    "": False,
}


def test_formats_back_is_the_strftime_round_trip():
    text = pa.array(list(DATETIME_CASES))
    parsed = pc.strptime(text, format=LIS_DATETIME, unit="s", error_is_null=True)
    round_trip = pc.equal(pc.strftime(parsed, format=LIS_DATETIME), text).fill_null(False)
    got = formats_back(text, parsed, LIS_DATETIME).to_pylist()
    assert got == list(DATETIME_CASES.values())
    assert got == round_trip.to_pylist()


# --- RESULT text -----------------------------------------------------------------


def test_parse_result_forms():
    got = parse_result(
        pd.Series(
            [
                "7.9",
                " 7.9",
                "7.9 H",
                "7.9 LL",
                "<0.1",
                "> 300",
                "HEMOLYZED",
                "QNS",
                "SEE COMMENT",
                "",
            ]
        )
    )
    assert got["value"].tolist()[:6] == [7.9, 7.9, 7.9, 7.9, 0.1, 300.0]
    assert got["qualifier"].tolist()[:6] == ["", "", "", "", "<", ">"]
    assert got["MISSRSN"].tolist()[6:] == ["HEMOLYZED", "QNS", "SEE COMMENT", "EMPTY"]
    assert not got["bad"].any()


@pytest.mark.parametrize("text", ["7,9", "abc", "1.2.3", "7.9 X", "-", "<", "7 9"])
def test_parse_result_rejects(text):
    assert parse_result(pd.Series([text]))["bad"].iloc[0]


def test_bad_result_names_file_line_column_and_writes_nothing(tmp_path):
    pulls = {
        "20190501": [
            lis_row(ACCESSION="A19-1"),
            lis_row(ACCESSION="A19-2", TEST_CODE="GLU", RESULT="7,9", UNITS="mmol/L"),
        ]
    }
    raw = make_raw(tmp_path, pulls)
    out = tmp_path / "results"
    with pytest.raises(InputError) as info:
        write_adam(build_adam(cohort(), raw), out)
    msg = str(info.value)
    assert "LIS_EXPORT_20190501.csv" in msg
    assert "line 3" in msg  # header = line 1, second data row = line 3
    assert "column RESULT" in msg and "'7,9'" in msg and "decimal point" in msg
    assert info.value.line == 3 and info.value.field == "RESULT"
    assert not out.exists()


def test_line_numbers_count_the_header(tmp_path):
    rows = [
        lis_row(ACCESSION=f"A19-{i}", SAMPLE_LABEL=f"MMTT {m}") for i, m in enumerate((0, 15, 30))
    ]
    ds = run(tmp_path, {"20190501": rows})
    assert ds.adlb.sort_values("ATPTN")["SRCROW"].tolist() == [2, 3, 4]
    assert set(ds.adlb["SRCFILE"]) == {"lis/LIS_EXPORT_#1.csv"}


# --- units -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("test", "result", "unit", "expected", "aunit"),
    [
        ("CPEP", "0.5", "ng/mL", 0.5 * 1000 / 3020.29, "nmol/L"),  # 0.16555 nmol/L
        ("CPEP", "165.5", "pmol/L", 0.1655, "nmol/L"),
        ("CPEP", "0.2", "nmol/L", 0.2, "nmol/L"),
        ("HBA1C", "53", "mmol/mol", 0.09148 * 53 + 2.152, "%"),  # 7.000 %
        ("HBA1C", "7.1", "%", 7.1, "%"),
        ("GLU", "5.5", "mmol/L", 5.5 * 18.016, "mg/dL"),  # 99.088 mg/dL
        ("GLU", "99", "mg/dL", 99.0, "mg/dL"),
        ("CREAT", "88.42", "umol/L", 1.0, "mg/dL"),
        ("CREAT", "0.6", "mg/dL", 0.6, "mg/dL"),
        ("GADA", "12.5", "IU/mL", 12.5, "IU/mL"),
    ],
)
def test_unit_conversion(tmp_path, test, result, unit, expected, aunit):
    row = one(run(tmp_path, {"20190501": [lis_row(TEST_CODE=test, RESULT=result, UNITS=unit)]}))
    assert row["AVAL"] == pytest.approx(expected, rel=1e-12)
    assert row["AVALU"] == aunit


def test_hand_worked_values():
    cpep = 0.5 * 1000 / 3020.29
    hba1c = 0.09148 * 53 + 2.152
    assert cpep == pytest.approx(0.16555, abs=5e-6)
    assert hba1c == pytest.approx(7.000, abs=5e-4)


def test_unknown_unit_is_an_error(tmp_path):
    with pytest.raises(InputError) as info:
        run(tmp_path, {"20190501": [lis_row(UNITS="ug/L")]})
    msg = str(info.value)
    assert "line 2" in msg and "column UNITS" in msg and "'ug/L'" in msg
    assert "ng/mL, pmol/L" in msg


# --- limits and non-results ------------------------------------------------------


@pytest.mark.parametrize(("blq", "factor"), [("half", 0.5), ("limit", 1.0), ("zero", 0.0)])
def test_below_limit(tmp_path, blq, factor):
    row = one(run(tmp_path, {"20190501": [lis_row(RESULT="<0.05", UNITS="ng/mL")]}, blq=blq))
    lloq = 0.05 * 1000 / 3020.29  # 0.016555 nmol/L
    assert row["LLOQ"] == pytest.approx(lloq)
    assert row["AVAL"] == pytest.approx(factor * lloq)
    assert row["LLOQFL"] == "Y" and pd.isna(row["ULOQFL"])


def test_above_limit(tmp_path):
    row = one(
        run(tmp_path, {"20190501": [lis_row(TEST_CODE="IA2A", RESULT=">4000", UNITS="U/mL")]})
    )
    assert row["AVAL"] == 4000 and row["ULOQFL"] == "Y"
    assert pd.isna(row["LLOQFL"]) and pd.isna(row["LLOQ"])


@pytest.mark.parametrize(
    ("text", "reason"),
    [("HEMOLYZED", "HEMOLYZED"), ("QNS", "QNS"), ("SEE COMMENT", "SEE COMMENT"), ("", "EMPTY")],
)
def test_non_results_are_missing_with_reason(tmp_path, text, reason):
    row = one(run(tmp_path, {"20190501": [lis_row(RESULT=text)]}))
    assert math.isnan(row["AVAL"]) and row["MISSRSN"] == reason
    assert pd.isna(row["ANL01FL"])


def test_entry_slips_are_read(tmp_path):
    rows = [
        lis_row(ACCESSION="A1", TEST_CODE="HBA1C", RESULT=" 7.9", UNITS="%", SAMPLE_LABEL=""),
        lis_row(ACCESSION="A2", TEST_CODE="GLU", RESULT="180 H", UNITS="mg/dL"),
    ]
    ds = run(tmp_path, {"20190501": rows})
    assert sorted(ds.adlb["AVAL"]) == [7.9, 180.0]


# --- MMTT labels -----------------------------------------------------------------


def test_sample_labels_normalise_to_minutes():
    labels = [
        "MMTT 30",
        "MMTT T+30",
        "MMTT 30MIN",
        "MMTT 30 min",
        "mmtt 30",
        "MMTT -10",
        "MMTT T-10",
        "MMTT -10MIN",
        "MMTT 0",
        "FASTING",
        "",
    ]
    got = parse_sample_label(pd.Series(labels))
    assert got["ATPTN"].tolist()[:8] == [30] * 5 + [-10] * 3
    assert got["ATPTN"].iloc[8] == 0
    assert got["ATPTN"].iloc[9:].isna().all()
    assert not got["bad"].any()


@pytest.mark.parametrize("label", ["MMTT 45", "RANDOM", "MMTT", "30"])
def test_unknown_label_is_an_error(tmp_path, label):
    with pytest.raises(InputError, match="column SAMPLE_LABEL"):
        run(tmp_path, {"20190501": [lis_row(SAMPLE_LABEL=label)]})


def test_atpt_text(tmp_path):
    rows = [
        lis_row(ACCESSION="A1", SAMPLE_LABEL="MMTT T-10"),
        lis_row(ACCESSION="A2", SAMPLE_LABEL="FASTING"),
    ]
    ds = run(tmp_path, {"20190501": rows})
    adlb = ds.adlb.sort_values("SRCROW")
    assert adlb["ATPT"].iloc[0] == "-10 MIN" and adlb["ATPTN"].iloc[0] == -10
    assert pd.isna(adlb["ATPT"].iloc[1]) and pd.isna(adlb["ATPTN"].iloc[1])


# --- overlapping pulls, STATUS, other patients, unknown tests -----------------------


def recon(ds, srcfile):
    r = ds.reconciliation
    r = r[r["SRCFILE"] == srcfile]
    return dict(zip(r["REASON"], r["N"], strict=True))


def test_byte_identical_rows_across_pulls_are_dropped(tmp_path):
    a = lis_row(ACCESSION="A1")
    b = lis_row(ACCESSION="A2", SAMPLE_LABEL="MMTT 60", RESULT="0.7")
    ds = run(tmp_path, {"20190501": [a], "20190801": [a, b, b]})
    assert len(ds.adlb) == 2
    assert recon(ds, "lis/LIS_EXPORT_#1.csv") == {"adlb": 1}
    assert recon(ds, "lis/LIS_EXPORT_#2.csv") == {
        "adlb": 1,
        "duplicate of a row in an earlier pull": 1,
        "duplicate of an earlier row in the same pull": 1,
    }


def test_correction_supersedes_earlier_rows(tmp_path):
    first = lis_row(RESULT="0.5", SAMPLE_LABEL="MMTT 30")
    corr = lis_row(
        RESULT="0.6", SAMPLE_LABEL="MMTT T+30", STATUS="C", VERIFIED_AT="20/04/2019 09:00"
    )
    ds = run(tmp_path, {"20190501": [first], "20190801": [first, corr]})
    row = one(ds)
    assert row["AVAL"] == pytest.approx(0.6 * 1000 / 3020.29)
    assert row["SRCFILE"] == "lis/LIS_EXPORT_#2.csv" and row["SRCROW"] == 3
    assert recon(ds, "lis/LIS_EXPORT_#1.csv") == {"superseded by a correction (STATUS C)": 1}


def test_latest_release_wins_whatever_the_file_order(tmp_path):
    late = lis_row(RESULT="0.9", STATUS="C", VERIFIED_AT="20/04/2019 09:00")
    early = lis_row(RESULT="0.5", VERIFIED_AT="15/04/2019 12:00")
    ds = run(tmp_path, {"20190501": [late, early]})
    assert one(ds)["AVAL"] == pytest.approx(0.9 * 1000 / 3020.29)


def test_typo_in_a_superseded_row_stops_nothing(tmp_path):
    bad = lis_row(RESULT="0,5")
    corr = lis_row(RESULT="0.5", STATUS="C", VERIFIED_AT="16/04/2019 12:00")
    ds = run(tmp_path, {"20190501": [bad, corr]})
    assert one(ds)["SRCROW"] == 3


def test_cancellation_voids_the_result(tmp_path):
    f = lis_row(RESULT="0.5")
    x = lis_row(RESULT="", STATUS="X", VERIFIED_AT="16/04/2019 10:00")
    keep = lis_row(ACCESSION="A2", SAMPLE_LABEL="MMTT 60", RESULT="0.4")
    ds = run(tmp_path, {"20190501": [f, keep], "20190801": [x]})
    assert ds.adlb["ATPTN"].tolist() == [60]
    assert recon(ds, "lis/LIS_EXPORT_#1.csv") == {
        "adlb": 1,
        "voided by a cancellation (STATUS X)": 1,
    }
    assert recon(ds, "lis/LIS_EXPORT_#2.csv") == {"cancelled result (STATUS X)": 1}


def test_other_patients_and_unknown_tests_are_excluded(tmp_path):
    rows = [
        lis_row(None, ACCESSION="B1"),
        lis_row(None, ACCESSION="B1", RESULT="garbage", UNITS="??"),
        lis_row(ACCESSION="A1", TEST_CODE="TSH", UNITS="mU/L", RESULT="2.1"),
        lis_row(ACCESSION="A2"),
    ]
    ds = run(tmp_path, {"20190501": rows})
    assert len(ds.adlb) == 1
    assert recon(ds, "lis/LIS_EXPORT_#1.csv") == {
        "adlb": 1,
        "patient not in the trial (MRN not in REDCap)": 2,
        "test not used by the analysis": 1,
    }


def test_invalid_status_is_an_error(tmp_path):
    with pytest.raises(InputError, match="column STATUS"):
        run(tmp_path, {"20190501": [lis_row(STATUS="P")]})


# --- linkage ---------------------------------------------------------------------


def test_mrn_keeps_leading_zeros(tmp_path):
    ds = run(tmp_path, {"20190601": [lis_row("P1-002", COLLECTED="02/05/2019 08:00")]})
    assert one(ds)["USUBJID"] == "P1-002"
    # the same MRN without its leading zeros is somebody else
    stripped = lis_row("P1-002", MRN="765432")
    ds = run(tmp_path / "b", {"20190501": [stripped]})
    assert ds.adlb.empty


def test_sex_mismatch_is_a_linkage_error(tmp_path):
    with pytest.raises(InputError) as info:
        run(tmp_path, {"20190501": [lis_row(SEX="M")]})
    assert "column SEX" in str(info.value) and "line 2" in str(info.value)


def test_dob_mismatch_is_a_linkage_error_without_quoting_the_dob(tmp_path):
    with pytest.raises(InputError) as info:
        run(tmp_path, {"20190501": [lis_row(DOB="03/02/2008")]})
    msg = str(info.value)
    assert "column DOB" in msg and "P1-001" in msg and "03/02/2008" not in msg


def test_study_day_from_infusion(tmp_path):
    rows = [
        lis_row(ACCESSION="A1", COLLECTED="10/04/2019 23:50"),  # day -5
        lis_row(ACCESSION="A2", COLLECTED="15/04/2019 00:10", SAMPLE_LABEL="MMTT 60"),  # day 0
        lis_row(ACCESSION="A3", COLLECTED="22/04/2019 08:00", SAMPLE_LABEL="MMTT 90"),  # day 7
    ]
    ds = run(tmp_path, {"20190501": rows})
    assert ds.adlb["ADY"].tolist() == [-5, 0, 7]
    assert ds.adlb["AVISIT"].tolist() == ["Baseline", "Infusion", "Week 1"]
    assert ds.adlb["AVISITN"].tolist() == [-7, 0, 7]


def test_no_lis_pulls_gives_an_empty_adlb(tmp_path):
    ds = run(tmp_path, {})
    assert ds.adlb.empty and list(ds.adlb.columns)[:3] == ["USUBJID", "PARAMCD", "PARAM"]


def test_categorical_take_equals_categorical_of_the_taken_values():
    table = np.array(["mg/dL", "U/L", "mg/dL", "%"], dtype=object)
    codes = np.array([0, 1, 2, 1, 0], dtype=np.int8)  # "%" never occurs
    got = categorical_take(table, codes)
    # categories: the occurring units, sorted; codes index them
    assert list(got.categories) == ["U/L", "mg/dL"]
    assert got.codes.tolist() == [1, 0, 1, 0, 1]
    assert got.dtype == pd.Categorical(table[codes]).dtype


def test_derive_duplicates_codes_rows_by_all_fifteen_values():
    from plmsc.ingest.labs import derive_duplicates
    from plmsc.ingest.lis import LIS_COLUMNS

    base = dict.fromkeys(LIS_COLUMNS, "x")
    rows = [
        (0, base),  # 0: first copy -> kept (0)
        (0, base),  # 1: same 15 values, same pull -> same-pull duplicate (4)
        (1, base),  # 2: same values, later pull -> earlier-pull duplicate (3)
        (1, base | {"RESULT": "7.2"}),  # 3: same accession, test, release; other RESULT -> 0
        (2, base | {"RESULT": "7.2"}),  # 4: copy of row 3 in a later pull -> 3
        (2, base | {"TEST_CODE": "GLU"}),  # 5: another test of the sample -> 0
        (2, base | {"PATIENT_NAME": "y"}),  # 6: differs in a non-key column only -> 0
    ]
    lis = pd.DataFrame([values for _, values in rows]).astype("category")
    lis["SRCROW"] = np.arange(2, len(rows) + 2)
    lis["_file"] = [f for f, _ in rows]
    assert derive_duplicates(lis).tolist() == [0, 4, 3, 0, 3, 0, 0]
    # rows 1 and 2 left out: row 4 still repeats row 3, row 6 stays unique
    assert derive_duplicates(lis, np.array([0, 3, 4, 5, 6])).tolist() == [0, 0, 3, 0, 0]
    # text (non-categorical) columns give the same answer
    assert derive_duplicates(lis.astype({"RESULT": "str"})).tolist() == [0, 4, 3, 0, 3, 0, 0]
