"""Exposure, infusion reactions, TRTEMFL, ADURN and AERELFL, by hand."""

from __future__ import annotations

import pandas as pd

from plmsc.ingest.clinical import derive_var_adurn, derive_var_aerelfl, derive_var_trtemfl
from plmsc.ingest.exposure import (
    compute_follow_up_end,
    derive_var_exposure,
    derive_var_infusion_reaction,
)

SCHEDULE = [
    {"visit": "Baseline", "event": "s", "day": -7, "window": [-42, -1]},
    {"visit": "Month 12", "event": "m12", "day": 365, "window": [351, 379]},
]


def _days(ids, days):
    return pd.DataFrame({"USUBJID": ids, "ADY": pd.array(days, dtype="Int64")})


def test_exposure_end_is_the_last_contact_capped_at_the_last_window():
    adsl = pd.DataFrame({"USUBJID": ["A", "B", "C", "D"], "SAFFL": ["Y", "Y", "Y", "N"]})
    visits = _days(["A", "A", "B", "C", "D"], [-7, 365, -7, -7, -7])
    adlb = _days(["A", "B"], [370, 30])
    adae = pd.DataFrame(
        {
            "USUBJID": ["B", "B"],
            "ASTDY": pd.array([40, 20], dtype="Int64"),
            "AENDY": pd.array([45, None], dtype="Int64"),
        }
    )
    adhypo = _days(["A", "B", "B"], [400, 44, None])
    out = derive_var_exposure(adsl, visits, adlb, adae, adhypo, SCHEDULE).set_index("USUBJID")
    assert compute_follow_up_end(SCHEDULE) == 379
    # A: last contact a hypoglycaemia record on day 400, capped at 379 (Month 12 window end):
    # 380 days (0..379) = 380 / 365.25 = 1.0404 years
    assert out.loc["A", ["TRTSDY", "EXPENDY", "EXPDURD"]].tolist() == [0, 379, 380]
    assert out.loc["A", "EXPDURY"] == 380 / 365.25
    # B: visit -7, lab 30, AE 40-45, hypo 44 (and one without a day): last contact day 45
    assert out.loc["B", ["EXPENDY", "EXPDURD"]].tolist() == [45, 46]
    # C: no contact after the infusion: exposure is the infusion day only
    assert out.loc["C", ["EXPENDY", "EXPDURD"]].tolist() == [0, 1]
    # D: not infused: no exposure at all
    assert pd.isna(out.loc["D", "TRTSDY"]) and pd.isna(out.loc["D", "EXPENDY"])
    assert (out.loc["D", "EXPDURD"], out.loc["D", "EXPDURY"]) == (0, 0.0)


def test_infusion_reaction_from_the_form_or_an_ae_on_day_0_or_1():
    adsl = pd.DataFrame(
        {"USUBJID": ["A", "B", "C", "D"], "SAFFL": ["Y", "Y", "Y", "N"],
         "INFREAC": ["Y", "N", "N", None]}
    )  # fmt: skip
    adae = pd.DataFrame({"USUBJID": ["B", "C", "C"], "ASTDY": pd.array([1, 2, -1], dtype="Int64")})
    out = derive_var_infusion_reaction(adsl, adae).set_index("USUBJID")
    # A: form says yes; B: AE on day 1; C: AEs on day 2 and day -1 do not count; D not infused
    assert out["INFAEFL"].tolist()[:3] == ["N", "Y", "N"]
    assert out["INFRFL"].tolist()[:3] == ["Y", "Y", "N"]
    assert out.loc["D", ["INFAEFL", "INFRFL"]].isna().all()


def test_treatment_emergent_flag():
    start = pd.Series(pd.array([-3, 0, 5, None, None, -10], dtype="Int64"))
    end = pd.Series(pd.array([2, 1, 6, None, -2, -5], dtype="Int64"))
    # -3..2 started before the infusion (no recorded worsening): N; day 0: Y; day 5: Y;
    # no start, no end: Y (conservative); no start, ended day -2: N; -10..-5: N
    assert derive_var_trtemfl(start, end).tolist() == ["N", "Y", "Y", "Y", "N", "N"]


def test_duration_counts_start_and_end_day():
    start = pd.Series(pd.array([3, 3, 3, None], dtype="Int64"))
    end = pd.Series(pd.array([3, 9, None, 4], dtype="Int64"))
    # 3..3 = 1 day; 3..9 = 9 - 3 + 1 = 7 days; ongoing or no start: empty
    got = derive_var_adurn(start, end)
    assert got.iloc[:2].tolist() == [1, 7] and got.iloc[2:].isna().all()


def test_relatedness_rule():
    arel = pd.Series(pd.array([1, 2, 3, 4, 5, None], dtype="Int64"))
    flag = derive_var_aerelfl(arel)
    # 1 unrelated, 2 unlikely: N; 3 possible, 4 probable, 5 definite: Y; not entered: empty
    assert flag.iloc[:5].tolist() == ["N", "N", "Y", "Y", "Y"] and pd.isna(flag.iloc[5])
    assert pd.api.types.is_string_dtype(flag.dtype)
