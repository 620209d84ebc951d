"""CTCAE v5.0 grades of the safety labs, every boundary by hand, and their summaries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from plmsc.endpoints.toxicity import (
    compute_worst_grades,
    derive_lab_toxicity,
    list_graded_values,
    shift_table,
    summarise_worst_grades,
)


def _labs(paramcd, lo, hi, baseline, values, usubjid="A"):
    """A baseline row (day -7) then post-baseline rows on days 1, 2, ..."""
    rows = [(usubjid, paramcd, baseline, lo, hi, -7, "Y")]
    rows += [(usubjid, paramcd, v, lo, hi, i, None) for i, v in enumerate(values, start=1)]
    df = pd.DataFrame(
        rows, columns=["USUBJID", "PARAMCD", "AVAL", "ANRLO", "ANRHI", "ADY", "ABLFL"]
    )
    return df.astype({"AVAL": float, "ANRLO": float, "ANRHI": float, "ADY": "Int64"})


def _grades(df):
    out = derive_lab_toxicity(df)
    return out["ATOXGR"].tolist()


def test_alt_with_normal_baseline_against_uln():
    # ULN 40: 40 is not above it (0); 40.1 (1); 120 = exactly 3.0 x ULN is grade 1;
    # 120.1 (2); 200 = 5.0 x ULN (2); 200.5 (3); 800 = 20.0 x ULN (3); 801 (4)
    values = [40, 40.1, 120, 120.1, 200, 200.5, 800, 801]
    assert _grades(_labs("ALT", 7, 40, 20, values)) == [0, 0, 1, 1, 2, 2, 3, 3, 4]


def test_ast_with_abnormal_baseline_against_baseline():
    # ULN 40, baseline 60 (HIGH): the baseline row itself is graded by ULN (60 > 40: 1);
    # after it: 89 = 1.48 x baseline (0, although above the ULN); 90 = exactly 1.5 x (1);
    # 180 = exactly 3.0 x baseline (1); 181 (2); 300 = 5.0 x (2); 301 (3); 1200 = 20 x (3);
    # 1201 (4)
    values = [89, 90, 180, 181, 300, 301, 1200, 1201]
    out = derive_lab_toxicity(_labs("AST", 10, 40, 60, values))
    assert out["ATOXGR"].tolist() == [1, 0, 1, 1, 2, 2, 3, 3, 4]
    assert set(out["BNRIND"]) == {"HIGH"}
    assert set(out["ATOXDSC"]) == {"Aspartate aminotransferase increased"}


def test_alt_without_baseline_uses_the_uln():
    df = _labs("ALT", 7, 40, 60, [90]).iloc[1:]  # no baseline row: 90 = 2.25 x ULN -> 1
    assert _grades(df) == [1]


def test_creatinine_two_criteria_higher_grade_wins():
    # ULN 0.9, baseline 0.8: 0.9 (0); 0.95 > ULN (1); 1.2 = exactly 1.5 x baseline and
    # < 1.5 x ULN = 1.35 (1); 1.21 > 1.5 x baseline (2); 1.35 = 1.5 x ULN, > 1.5 x baseline (2);
    # 2.4 = exactly 3.0 x baseline, < 3.0 x ULN = 2.7 (2); 2.41 > 3.0 x baseline (3);
    # 5.4 = exactly 6.0 x ULN (3); 5.41 > 6.0 x ULN (4)
    values = [0.9, 0.95, 1.2, 1.21, 1.35, 2.4, 2.41, 5.4, 5.41]
    assert _grades(_labs("CREAT", 0.3, 0.9, 0.8, values)) == [0, 0, 1, 1, 2, 2, 2, 3, 3, 4]
    # baseline 0.3: 1.4 is > 3.0 x baseline (3) and > 1.5 x ULN (2): grade 3;
    # 0.5 is below the ULN but > 1.5 x baseline (0.45): grade 2 by the baseline criterion
    assert _grades(_labs("CREAT", 0.3, 0.9, 0.3, [1.4, 0.5], "B")) == [0, 3, 2]
    # 2.7 = exactly 3.0 x ULN 0.9 (float 2.7000000000000002): grade 2, not 3
    assert _grades(_labs("CREAT", 0.3, 0.9, 0.9, [2.7])) == [0, 2]


def test_anaemia_platelets_and_white_cells():
    # HGB LLN 11.5: 11.5 (0); 11.4 (1); 10.0 exactly (1); 9.99 (2); 8.0 (2); 7.9 (3)
    assert _grades(_labs("HGB", 11.5, 15.5, 13, [11.5, 11.4, 10.0, 9.99, 8.0, 7.9])) == [
        0, 0, 1, 1, 2, 2, 3,
    ]  # fmt: skip
    # PLT LLN 150: 150 (0); 149 (1); 75 (1); 74 (2); 50 (2); 49 (3); 25 (3); 24 (4)
    assert _grades(_labs("PLT", 150, 450, 300, [150, 149, 75, 74, 50, 49, 25, 24])) == [
        0, 0, 1, 1, 2, 2, 3, 3, 4,
    ]  # fmt: skip
    # WBC LLN 4.5: 4.5 (0); 3.0 (1); 2.9 (2); 2.0 (2); 1.9 (3); 1.0 (3); 0.9 (4)
    assert _grades(_labs("WBC", 4.5, 13.5, 7, [4.5, 3.0, 2.9, 2.0, 1.9, 1.0, 0.9])) == [
        0, 0, 1, 2, 2, 3, 3, 4,
    ]  # fmt: skip


def test_reference_indicator_missing_values_and_other_tests():
    df = pd.concat(
        [
            _labs("ALT", 7, 40, 5, [41, np.nan, 20]),
            _labs("ALT", np.nan, np.nan, 20, [500], "B"),  # no limits: only absolute criteria
            _labs("GLU", np.nan, np.nan, 90, [100], "C"),
        ],
        ignore_index=True,
    )
    out = derive_lab_toxicity(df)
    a = out[out["USUBJID"] == "A"]
    assert a["ANRIND"].tolist()[:2] == ["LOW", "HIGH"] and pd.isna(a["ANRIND"].iloc[2])
    assert a["ANRIND"].iloc[3] == "NORMAL" and set(a["BNRIND"]) == {"LOW"}
    assert pd.isna(a["ATOXGR"].iloc[2])  # missing value: no grade
    assert out.loc[out["USUBJID"] == "B", "ATOXGR"].tolist() == [0, 0]
    c = out[out["USUBJID"] == "C"]
    assert c["ATOXGR"].isna().all() and c["ANRIND"].isna().all() and c["ATOXDSC"].isna().all()


def test_worst_grade_shift_table_and_listing():
    adsl = pd.DataFrame(
        {"USUBJID": ["A", "B", "C"], "ARM": ["MSC", "MSC", "PLACEBO"], "SAFFL": "Y"}
    )
    df = pd.concat(
        [
            _labs("ALT", 7, 40, 45, [41, 130, 30], "A"),  # baseline 1; post 0 (<1.5 x 45), 1, 0
            _labs("ALT", 7, 40, 20, [50, 35], "B"),  # baseline 0; worst 1
            _labs("PLT", 150, 450, 140, [200], "B"),  # baseline 1; worst 0
        ],
        ignore_index=True,
    )
    adlb = derive_lab_toxicity(df.assign(AVISIT="Visit", AVALU="U/L"))
    worst = compute_worst_grades(adlb, adsl).set_index(["USUBJID", "PARAMCD"])
    assert worst.loc[("A", "ALT"), ["BTOXGR", "WORSTGR"]].tolist() == [1, 1]
    assert worst.loc[("B", "PLT"), ["BTOXGR", "WORSTGR"]].tolist() == [1, 0]
    assert worst.loc[("C", "ALT"), ["BTOXGR", "WORSTGR"]].isna().all()  # no values
    shift = shift_table(compute_worst_grades(adlb, adsl)).set_index(
        ["ARM", "PARAMCD", "BTOXGR", "WORSTGR"]
    )["N"]
    # MSC ALT: A 1 -> 1, B 0 -> 1; Total adds C Missing -> Missing
    assert shift.loc[("MSC", "ALT", "1", "1")] == 1 and shift.loc[("MSC", "ALT", "0", "1")] == 1
    assert shift.loc[("Total", "ALT", "Missing", "Missing")] == 1
    assert shift.loc["MSC"].sum() == 2 * 6  # 2 participants x 6 tests, every cell shown
    assert len(shift.loc[("MSC", "ALT")]) == 36  # (5 grades + Missing)^2
    w = summarise_worst_grades(compute_worst_grades(adlb, adsl)).set_index(
        ["ARM", "PARAMCD", "WORSTGR"]
    )
    assert w.loc[("MSC", "ALT", "1"), ["N_PARTICIPANTS", "N_ARM"]].tolist() == [2, 2]
    assert w.loc[("Total", "ALT", "1"), "PCT"] == pytest.approx(200 / 3)
    listing = list_graded_values(adlb, adsl)
    # post-baseline values with a grade >= 1: A day 2 (130), B day 1 (50)
    assert listing[["USUBJID", "ADY", "AVAL", "ANRHI", "ATOXGR"]].values.tolist() == [
        ["A", 2, 130.0, 40.0, 1],
        ["B", 1, 50.0, 40.0, 1],
    ]


def test_paediatric_reference_limits_by_age_and_sex():
    from plmsc.simulate.reference import reference_limits

    test = np.array(["HGB", "HGB", "HGB", "CREAT", "ALT", "GLU"])
    age = np.array([9.0, 12.5, 12.5, 13.0, 14.0, 9.0])
    sex = np.array(["F", "M", "F", "F", "M", "F"])
    lo, hi = reference_limits(test, age, sex)
    # HGB < 12 y: 11.5-15.5; boys >= 12: 12.5-16.0; girls >= 12: 12.0-15.5;
    # CREAT girls >= 13: 0.42-0.80; ALT boys >= 13: 5-35; other tests: none
    assert lo[:5].tolist() == [11.5, 12.5, 12.0, 0.42, 5.0]
    assert hi[:5].tolist() == [15.5, 16.0, 15.5, 0.80, 35.0]
    assert np.isnan(lo[5]) and np.isnan(hi[5])


def test_phase1_labs_story(phase1_adam):
    """Phase 1: limits vary with age and sex, a few transient grade 1 values, nothing higher."""
    adlb = phase1_adam["adlb"]
    safety = adlb[adlb["ATOXGR"].notna()].sort_values(["USUBJID", "PARAMCD", "ADY"])
    assert safety["ATOXGR"].max() == 1
    assert safety.groupby("PARAMCD")["ANRHI"].nunique().max() > 1  # paediatric intervals
    graded = safety[safety["ATOXGR"] >= 1]
    assert 1 <= len(graded) <= 4 and (graded["ADY"] > 0).all()
    for _, g in graded.iterrows():
        later = safety[(safety["USUBJID"] == g["USUBJID"]) & (safety["PARAMCD"] == g["PARAMCD"])]
        later = later[later["ADY"] > g["ADY"]]
        assert later["ATOXGR"].iloc[0] == 0  # transient: normal at the next draw
