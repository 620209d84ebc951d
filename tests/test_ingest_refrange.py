"""Reference limits from the LIS REF_RANGE: forms, units, defaults, malformed text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from ingest_fixtures import cohort, lis_row, make_raw

from plmsc.ingest import InputError, build_adam
from plmsc.ingest.reference import parse_reference_ranges


def run(tmp_path, rows, **analysis):
    raw = make_raw(tmp_path, {"20190501": rows})
    return build_adam(cohort(**analysis), raw)


def alt(ref, result="30", **kw):
    return lis_row(
        TEST_CODE="ALT", SAMPLE_LABEL="", RESULT=result, UNITS="U/L", REF_RANGE=ref, **kw
    )


def test_parse_forms():
    got = parse_reference_ranges(pd.Series(["7-35", " 0.30 - 0.90 ", "<40", "> 4.5", "", "abc"]))
    assert got["lo"].tolist()[:4] == [7.0, 0.3, pytest.approx(np.nan, nan_ok=True), 4.5]
    assert got["hi"].tolist()[:3] == [35.0, 0.9, 40.0] and np.isnan(got["hi"].iloc[3])
    assert got["empty"].tolist() == [False, False, False, False, True, False]
    assert got["bad"].tolist() == [False, False, False, False, False, True]
    assert parse_reference_ranges(pd.Series(["35-7"]))["bad"].item()  # lo above hi


def test_limits_from_the_row_and_in_analysis_units(tmp_path):
    rows = [
        alt("7-35", ACCESSION="A1"),
        lis_row(TEST_CODE="CREAT", SAMPLE_LABEL="", RESULT="40", UNITS="umol/L",
                REF_RANGE="27-80", ACCESSION="A2"),
        lis_row(TEST_CODE="PLT", SAMPLE_LABEL="", RESULT="200", UNITS="10^9/L",
                REF_RANGE=">150", ACCESSION="A3"),
    ]  # fmt: skip
    adlb = run(tmp_path, rows).adlb.set_index("PARAMCD")
    assert adlb.loc["ALT", ["ANRLO", "ANRHI"]].tolist() == [7.0, 35.0]
    # umol/L -> mg/dL: 27 / 88.42 = 0.30536, 80 / 88.42 = 0.90477
    assert adlb.loc["CREAT", "ANRLO"] == pytest.approx(27 / 88.42)
    assert adlb.loc["CREAT", "ANRHI"] == pytest.approx(80 / 88.42)
    assert adlb.loc["PLT", "ANRLO"] == 150.0 and np.isnan(adlb.loc["PLT", "ANRHI"])


def test_default_limits_when_the_row_has_none(tmp_path):
    adlb = run(tmp_path, [alt("")]).adlb
    assert adlb[["ANRLO", "ANRHI"]].values.tolist() == [[7.0, 35.0]]  # built-in default
    adlb = run(tmp_path / "b", [alt("")], reference_ranges={"ALT": [5, 30]}).adlb
    assert adlb[["ANRLO", "ANRHI"]].values.tolist() == [[5.0, 30.0]]  # the cohort's config


def test_malformed_reference_range_is_an_error(tmp_path):
    with pytest.raises(InputError) as info:
        run(tmp_path, [alt("7-35", ACCESSION="A1"), alt("7 to 35", ACCESSION="A2")])
    msg = str(info.value)
    assert "LIS_EXPORT_20190501.csv" in msg and "line 3" in msg
    assert "column REF_RANGE" in msg and "'7 to 35'" in msg and "'lo-hi'" in msg


def test_other_tests_reference_text_stays_informational(tmp_path):
    row = run(tmp_path, [lis_row(REF_RANGE="see report")]).adlb.iloc[0]  # C-peptide
    assert np.isnan(row["ANRLO"]) and np.isnan(row["ANRHI"]) and pd.isna(row["ATOXGR"])


def test_grade_in_adlb(tmp_path):
    # ALT 106 with ULN 35: > 3.0 x 35 = 105 -> grade 2 (no baseline row: ULN criteria)
    row = run(tmp_path, [alt("7-35", result="106")]).adlb.iloc[0]
    assert (row["ANRIND"], row["ATOXGR"]) == ("HIGH", 2)
    assert row["ATOXDSC"] == "Alanine aminotransferase increased"
