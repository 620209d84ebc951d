"""Reading the analysis datasets back with their types (plmsc.adam.read_adam)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from conftest import PHASE1_RAW

from plmsc.adam import FLOAT_COLUMNS, INTEGER_COLUMNS, read_adam
from plmsc.ingest import build_adam, write_adam


def _as_text_then_numbers(path) -> pd.DataFrame:
    """Reference reader: every cell as text, then the numeric columns converted."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    for col in df.columns:
        if col in INTEGER_COLUMNS:
            df[col] = pd.to_numeric(df[col]).astype("Int64")
        elif col in FLOAT_COLUMNS:
            df[col] = pd.to_numeric(df[col]).astype(float)
    return df


def test_only_an_empty_cell_is_missing(tmp_path):
    path = tmp_path / "adlb.csv"
    path.write_text(
        'USUBJID,PARAMCD,AVAL,AVISITN,ANRIND\nNA,"C,P",1.5,3,N/A\nnull,GLU,,,\n'
        'P-3,HBA1C,-0.0,-7,""\n'
    )
    d = read_adam(path)
    # "NA", "null" and "N/A" are text; an empty cell, quoted or not, is missing
    assert d["USUBJID"].tolist() == ["NA", "null", "P-3"]
    assert d["PARAMCD"].tolist() == ["C,P", "GLU", "HBA1C"]
    assert d.loc[0, "ANRIND"] == "N/A" and d["ANRIND"].iloc[1:].isna().all()
    assert d["AVAL"].dtype == "float64" and d["AVISITN"].dtype == "Int64"
    assert d.loc[0, "AVAL"] == 1.5 and math.isnan(d.loc[1, "AVAL"])
    assert math.copysign(1, d.loc[2, "AVAL"]) == -1  # -0.0 keeps its sign
    assert d["AVISITN"].tolist()[::2] == [3, -7] and d["AVISITN"].isna().tolist()[1]
    pd.testing.assert_frame_equal(d, _as_text_then_numbers(path), check_exact=True)


def test_a_header_only_file_gives_typed_empty_columns(tmp_path):
    path = tmp_path / "adae.csv"
    path.write_text("USUBJID,ASTDY,AVAL\n")
    d = read_adam(path)
    assert d.empty and list(d.columns) == ["USUBJID", "ASTDY", "AVAL"]
    assert (str(d["ASTDY"].dtype), str(d["AVAL"].dtype)) == ("Int64", "float64")


@pytest.mark.parametrize("text", ["abc", "true", "0x10", "1,5", "\u00a01.5", "1_000"])
def test_text_in_a_numeric_column_is_an_error_naming_the_column(tmp_path, text):
    path = tmp_path / "adlb.csv"
    path.write_text(f'USUBJID,AVAL\nP-1,"{text}"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="AVAL") as err:
        read_adam(path)
    assert "adlb.csv" in str(err.value)


@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-inf"])
def test_a_number_that_is_not_finite_is_an_error(tmp_path, text):
    path = tmp_path / "adlb.csv"
    path.write_text(f"USUBJID,AVAL\nP-1,1.5\nP-2,{text}\n")
    with pytest.raises(ValueError, match=r"adlb.csv: row 2, column AVAL: .* not a finite number"):
        read_adam(path)


def test_a_fraction_in_an_integer_column_is_an_error(tmp_path):
    path = tmp_path / "adlb.csv"
    path.write_text("USUBJID,ADY\nP-1,3\nP-2,1.0\nP-3,2.5\n")  # 1.0 is the whole number 1
    with pytest.raises(ValueError, match="column ADY: not whole numbers"):
        read_adam(path)
    path.write_text("USUBJID,ADY\nP-1,3\nP-2,1.0\n")
    assert read_adam(path)["ADY"].tolist() == [3, 1]


def test_a_quoted_value_may_hold_a_line_break(tmp_path):
    # free text from REDCap (an adverse event's verbatim term) can span lines
    path = tmp_path / "adae.csv"
    path.write_text('USUBJID,AETERM,ASTDY\nP-1,"rash\non both arms",12\nP-2,fever,3\n')
    d = read_adam(path)
    assert d["AETERM"].tolist() == ["rash\non both arms", "fever"]
    assert d["ASTDY"].tolist() == [12, 3]
    pd.testing.assert_frame_equal(d, _as_text_then_numbers(path), check_exact=True)


def test_datasets_read_as_the_text_then_numbers_reference(tmp_path, config):
    write_adam(build_adam(config["cohorts"]["phase1"], PHASE1_RAW), tmp_path)
    paths = sorted(tmp_path.rglob("*.csv"))
    assert {p.stem for p in paths} >= {"adsl", "adlb", "adae", "adhypo", "advs"}
    for path in paths:
        pd.testing.assert_frame_equal(
            read_adam(path), _as_text_then_numbers(path), check_exact=True, obj=path.name
        )


def test_numbers_are_the_nearest_double_of_their_text(tmp_path):
    # Python's float() rounds a decimal text to the nearest double; so must the reader,
    # for 17 significant digits, a subnormal, the smallest normal double and exponents
    texts = ["0.30000000000000004", "5e-324", "2.2250738585072014e-308", "0.1", "1.5E+3"]
    path = tmp_path / "adlb.csv"
    path.write_text("USUBJID,AVAL\n" + "".join(f"P{i},{t}\n" for i, t in enumerate(texts)))
    assert read_adam(path)["AVAL"].tolist() == [float(t) for t in texts]
