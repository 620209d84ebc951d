"""Hypoglycaemia rates, adverse-event tables and exploratory tests, by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from plmsc.endpoints.safety import summarise_adverse_events, summarise_hypoglycaemia
from plmsc.endpoints.stats import exploratory_tests, friedman_exact_p, friedman_statistic

PERIODS = [
    {"name": "Days 0-30", "from": 0, "to": 30},
    {"name": "Days 31-365", "from": 31, "to": 365},
]
ADSL = pd.DataFrame({"USUBJID": ["A", "B"], "ARM": ["PLMSC", "PLMSC"]})
ADVS = pd.DataFrame({"USUBJID": ["A", "A", "B"], "ADY": pd.array([-5, 365, 180], dtype="Int64")})


def _hypo(rows):
    df = pd.DataFrame(rows, columns=["USUBJID", "ADY", "LEVEL", "HYPOFL"])
    return df.astype({"ADY": "Int64", "LEVEL": "Int64"})


def test_hypoglycaemia_counts_and_rates():
    adhypo = _hypo(
        [
            ("A", 10, 1, None),
            ("A", 20, 3, None),
            ("A", 40, 1, None),
            ("B", 100, 2, None),
            ("B", 101, None, "Y"),  # glucose >= 70, no help: not hypoglycaemia
        ]
    )
    per, rates = summarise_hypoglycaemia(adhypo, ADSL, ADVS, PERIODS)
    r = rates[rates["ARM"] == "Total"].set_index(["PERIOD", "LEVEL"])
    # Days 0-30: A and B each followed 31 days -> 62 days = 62/365.25 PY; 2 events (A: L1, L3)
    assert r.loc[("Days 0-30", "Any level"), "N_EVENTS"] == 2
    assert r.loc[("Days 0-30", "Any level"), "PY"] == pytest.approx(62 / 365.25)
    assert r.loc[("Days 0-30", "Any level"), "RATE_PER_PY"] == pytest.approx(
        2 / (62 / 365.25)
    )  # 11.78
    # Days 31-365: A 335 days (31..365), B 150 days (31..180); events A L1 day 40, B L2 day 100
    assert r.loc[("Days 31-365", "Any level"), "PY"] == pytest.approx(485 / 365.25)
    assert r.loc[("Days 31-365", "Level 2"), ["N_EVENTS", "N_WITH_EVENT"]].tolist() == [1, 1]
    # overall: (366 + 181) days; 4 events -> 4 / 1.49760 = 2.6709 per participant-year
    assert r.loc[("Overall", "Any level"), "RATE_PER_PY"] == pytest.approx(4 / (547 / 365.25))
    assert r.loc[
        ("Overall", "Level 1"), ["N_EVENTS", "N_WITH_EVENT", "N_PARTICIPANTS"]
    ].tolist() == [2, 1, 2]
    a = per[(per["USUBJID"] == "A") & (per["PERIOD"] == "Overall")].set_index("LEVEL")["N_EVENTS"]
    assert a.to_dict() == {"Level 1": 2, "Level 2": 0, "Level 3": 1, "Any level": 3}


def test_no_hypoglycaemia_entries_give_zero_rates():
    per, rates = summarise_hypoglycaemia(_hypo([]), ADSL, ADVS, PERIODS)
    assert rates["N_EVENTS"].sum() == 0 and (rates["RATE_PER_PY"] == 0).all()
    assert len(per) == 2 * 3 * 4  # participants x (periods + overall) x levels


def _adae(rows):
    cols = ["USUBJID", "AESOC", "AEDECOD", "AETOXGR", "AESER", "AREL", "AEOUT"]
    return pd.DataFrame(rows, columns=cols).astype(
        {"AETOXGR": "Int64", "AREL": "Int64", "AEOUT": "Int64"}
    )


def test_adverse_event_tables():
    adsl = pd.DataFrame({"USUBJID": ["A", "B", "C", "D"], "ARM": ["MSC", "MSC", "MSC", "PLACEBO"]})
    adae = _adae(
        [
            ("A", "Infections and infestations", "Nasopharyngitis", 1, "N", 1, 1),
            ("A", "Infections and infestations", "Nasopharyngitis", 2, "N", 1, 1),
            ("A", "General disorders", "Pyrexia", 1, "N", 3, 1),
            ("B", "Infections and infestations", "Gastroenteritis", 3, "Y", 2, 2),
            ("D", "General disorders", "Pyrexia", 1, "N", 4, 1),
        ]
    )
    t = summarise_adverse_events(adae, adsl)
    ov = t["ae_overview"].set_index(["ARM", "CATEGORY"])
    assert ov.loc[
        ("MSC", "Any adverse event"), ["N_PARTICIPANTS", "N_ARM", "N_EVENTS"]
    ].tolist() == [2, 3, 4]
    assert ov.loc[("MSC", "Any adverse event"), "PCT"] == pytest.approx(200 / 3)
    assert ov.loc[("MSC", "Serious adverse event"), "N_PARTICIPANTS"] == 1
    # related = possible (3), probable (4), definite (5): A's pyrexia and D's pyrexia
    assert (
        ov.loc[("Total", "Related adverse event (possible, probable, definite)"), "N_EVENTS"] == 2
    )
    assert ov.loc[("PLACEBO", "Grade 3 or higher"), "N_PARTICIPANTS"] == 0
    term = t["ae_by_term"].set_index(["ARM", "AESOC", "AEDECOD"])
    assert term.loc[
        ("MSC", "Infections and infestations", ""), ["N_PARTICIPANTS", "N_EVENTS"]
    ].tolist() == [2, 3]
    assert term.loc[("MSC", "Infections and infestations", "Nasopharyngitis"), "N_EVENTS"] == 2
    assert term.loc[("Total", "General disorders", "Pyrexia"), "N_PARTICIPANTS"] == 2
    grade = t["ae_by_grade"].set_index(["ARM", "WORST_GRADE"])["N_PARTICIPANTS"]
    # worst grades: A 2, B 3, C none (0), D 1
    assert grade.loc["MSC"].to_dict() == {0: 1, 2: 1, 3: 1}
    assert grade.loc["Total"].to_dict() == {0: 1, 1: 1, 2: 1, 3: 1}


def test_friedman_statistic_by_hand():
    # n = 4, k = 3, rank sums R = (4, 9, 11): Q = 12/(4*3*4) * (16 + 81 + 121) - 3*4*4 = 6.5
    ranks = np.array([[1, 2, 3], [1, 2, 3], [1, 3, 2], [1, 2, 3]], dtype=float)
    assert friedman_statistic(ranks) == pytest.approx(6.5)


def test_friedman_exact_p_of_perfect_concordance():
    # every participant ranks the visits alike: only the observed configuration (and none
    # larger) reaches Q, so p = (1 / k!)^(n - 1) = (1/6)^2 = 1/36 for n = 3, k = 3
    values = np.array([[3.0, 2.0, 1.0], [0.9, 0.5, 0.1], [30.0, 20.0, 10.0]])
    p, method = friedman_exact_p(values)
    assert p == pytest.approx(1 / 36)
    assert method == "exact (all reorderings)"


def test_friedman_exact_p_of_no_effect_is_one():
    # ranks that cancel (rank sums all equal): Q = 0, every configuration is at least as large
    values = np.array([[1.0, 2.0, 3.0], [3.0, 1.0, 2.0], [2.0, 3.0, 1.0]])
    assert friedman_exact_p(values)[0] == pytest.approx(1.0)


def test_exploratory_tests_are_labelled_and_exact():
    visits = [("Baseline", -7), ("Month 3", 90), ("Month 12", 365)]
    rows = []
    for i, s in enumerate(["A", "B", "C", "D"]):
        for j, (visit, day) in enumerate(visits):
            rows.append(
                {"USUBJID": s, "PARAMCD": "CPAUC", "AVISIT": visit, "AVISITN": day, "ADY": day,
                 "AVAL": 1.0 - 0.2 * j - 0.01 * i, "ABLFL": "Y" if j == 0 else None, "ANL01FL": "Y"}
            )  # fmt: skip
    adeff = pd.DataFrame(rows).astype({"AVISITN": "Int64", "ADY": "Int64"})
    got = exploratory_tests(adeff, ["CPAUC"]).set_index("TEST")
    assert set(got["LABEL"]) == {"exploratory"}
    fr = got.loc["Friedman across visits"]
    # all four decline: Q = 12/(4*3*4) * (12^2 + 8^2 + 4^2) - 48 = 56 - 48 = 8
    assert fr["STATISTIC"] == pytest.approx(8.0)
    assert fr["P_EXACT"] == pytest.approx(1 / 6**3)
    assert fr["P_ASYMPTOTIC"] == pytest.approx(math.exp(-8 / 2))  # chi-square, 2 df
    wx = got.loc["Wilcoxon signed-rank, baseline vs Month 12"]
    # four decreases: W = 0, exact two-sided p = 2 / 2^4 = 0.125
    assert (wx["STATISTIC"], wx["P_EXACT"], wx["N"]) == (0.0, pytest.approx(0.125), 4)
