"""DSMB reports: the open report reveals no arm; the closed one is by arm and marked."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from plmsc.constants import HYPO_OVERALL_PERIOD
from plmsc.report.dsmb import blind_adsl, dsmb_reports, dsmb_tables

PERIODS = [{"name": "Days 0-365", "from": 0, "to": 365}]
IDS = [f"S{i:02d}" for i in range(1, 9)]
#: Allocation of the constructed trial: 5 MSC, 3 placebo (placebo gets DOSE 0).
ARMS = ["MSC", "PLACEBO", "MSC", "MSC", "PLACEBO", "MSC", "PLACEBO", "MSC"]


def _adsl(arms: list[str]) -> pd.DataFrame:
    arms_s = pd.Series(arms, dtype="str")
    return pd.DataFrame(
        {
            "USUBJID": pd.Series(IDS, dtype="str"),
            "SEX": pd.Series(["M", "F"] * 4, dtype="str"),
            "AGE": np.linspace(8, 15, 8),
            "ARM": arms_s,
            "DOSE": np.where(arms_s == "MSC", 1e6, 0.0),
            "TRT01A": arms_s,
            "SAFFL": pd.Series(["Y"] * 8, dtype="str"),
            "TRTSDY": pd.array([0] * 8, dtype="Int64"),
            "EXPENDY": pd.array([364] * 8, dtype="Int64"),
            "EXPDURD": pd.array([365] * 8, dtype="Int64"),
            "EXPDURY": [365 / 365.25] * 8,
        }
    )


ADAE = pd.DataFrame(
    {
        "USUBJID": ["S01", "S01", "S02", "S04", "S07"],
        "AETERM": ["fever", "headache", "fever", "dka", "rash"],
        "AESOC": ["General", "Nervous", "General", "Metabolism", "Skin"],
        "AEDECOD": ["Pyrexia", "Headache", "Pyrexia", "Diabetic ketoacidosis", "Rash"],
        "ASTDY": pd.array([1, 40, 1, 200, 90], dtype="Int64"),
        "AENDY": pd.array([3, 41, 2, 205, 95], dtype="Int64"),
        "TRTEMFL": ["Y"] * 5,
        "AETOXGR": pd.array([1, 1, 2, 3, 1], dtype="Int64"),
        "AESER": ["N", "N", "N", "Y", "N"],
        "AREL": pd.array([3, 2, 3, 1, 4], dtype="Int64"),
        "AERELFL": ["Y", "N", "Y", "N", "Y"],
        "AEOUT": pd.array([1, 1, 1, 1, 2], dtype="Int64"),
    }
)
ADHYPO = pd.DataFrame(
    {
        "USUBJID": ["S01", "S03", "S03", "S05"],
        "ADY": pd.array([25, 30, 31, 100], dtype="Int64"),
        "LEVEL": pd.array([1, 2, 3, 1], dtype="Int64"),
    }
)
ADLB = pd.DataFrame(
    {
        "USUBJID": ["S02", "S02", "S06"],
        "ADY": pd.array([-7, 30, 90], dtype="Int64"),
        "ATOXGR": pd.array([1, 3, 1], dtype="Int64"),
        "ATOXDSC": ["Alanine aminotransferase increased"] * 3,
    }
)


def _reports(arms: list[str]) -> dict[str, str]:
    return dsmb_reports("trial", _adsl(arms), ADAE, ADHYPO, ADLB, PERIODS)


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_open_report_names_no_arm():
    text = _text(_reports(ARMS)["open"])
    for word in ("MSC", "PLACEBO", "Placebo", "CLOSED", "TRT01A", "DOSE"):
        assert word not in text
    assert not re.search(r"(?i)\barms?\b", text)


def test_open_report_is_the_same_whatever_the_allocation():
    # Another allocation of the same participants (arms, doses and treatment received
    # permuted together): an open report that revealed per-arm counts, arm-driven
    # order or arm-derived columns would change. Its bytes do not.
    reallocated = ["PLACEBO", "MSC", "MSC", "PLACEBO", "MSC", "MSC", "MSC", "PLACEBO"]
    assert _reports(reallocated)["open"] == _reports(ARMS)["open"]
    assert _reports(reallocated)["closed"] != _reports(ARMS)["closed"]


def test_open_report_counts_are_pooled():
    tables = dsmb_tables(blind_adsl(_adsl(ARMS)), ADAE, ADHYPO, ADLB, PERIODS, by_arm=False)
    overview = tables["Adverse events: overview"].set_index("Treatment-emergent adverse events")
    # 4 of 8 participants (S01 S02 S04 S07) with 5 events; serious: S04 (1/8 = 12.5 -> 13 %)
    col = "All participants (N = 8) n (%)"
    assert overview.loc["Any treatment-emergent adverse event", col] == "4 (50 %)"
    assert overview.loc["Any treatment-emergent adverse event", "All participants events"] == 5
    assert overview.loc["Serious adverse event", col] == "1 (13 %)"
    sae = tables["Serious adverse events (listing)"]
    assert sae["Participant"].tolist() == ["S04"] and "Arm" not in sae
    # rates are per participant-year of exposure: the period is named as Table 3 names it
    assert HYPO_OVERALL_PERIOD == "whole exposure"
    hypo = tables[f"Hypoglycaemia by ADA level, {HYPO_OVERALL_PERIOD}"].set_index("ADA level")
    # events: level 1 S01, S05 (2); level 2 S03; level 3 S03; any 4 in 3 participants
    assert hypo.loc["Any level", "Events"] == 4
    assert hypo.loc["Any level", "Participants with an event"] == 3
    assert set(hypo["Group"]) == {"All participants"}
    labs = tables["Laboratory abnormalities, worst post-baseline CTCAE grade"]
    # post-baseline only: S02 worst grade 3 (day 30; the day -7 grade 1 is baseline), S06 grade 1
    assert labs.iloc[:, 2].tolist() == ["1 (13 %)", "1 (13 %)"]
    assert labs["Worst grade"].tolist() == ["Grade 1-2", "Grade 3-4"]


def test_listings_are_sorted_by_participant():
    adae = pd.concat([ADAE, ADAE.assign(USUBJID="S02", AESER="Y")], ignore_index=True)
    tables = dsmb_tables(blind_adsl(_adsl(ARMS)), adae, ADHYPO, ADLB, PERIODS, by_arm=False)
    ids = tables["Serious adverse events (listing)"]["Participant"].tolist()
    assert ids == sorted(ids)


def test_closed_report_is_by_arm_and_marked():
    html = _reports(ARMS)["closed"]
    text = _text(html)
    assert text.count("CLOSED") >= 2
    # MSC: S01 S03 S04 S06 S08 (5), events S01 x2 and S04 -> 2 of 5 (40 %)
    assert "MSC (N = 5) n (%)" in text and "PLACEBO (N = 3) n (%)" in text
    tables = dsmb_tables(_adsl(ARMS), ADAE, ADHYPO, ADLB, PERIODS, by_arm=True)
    overview = tables["Adverse events: overview"].set_index("Treatment-emergent adverse events")
    row = overview.loc["Any treatment-emergent adverse event"]
    # placebo S02 S07 -> 2/3 (67 %); total 4/8
    assert (row["MSC (N = 5) n (%)"], row["PLACEBO (N = 3) n (%)"]) == ("2 (40 %)", "2 (67 %)")
    assert row["Total (N = 8) n (%)"] == "4 (50 %)"
    assert tables["Serious adverse events (listing)"]["Arm"].tolist() == ["MSC"]


@pytest.mark.parametrize("arm", ["BLINDED"])
def test_blinded_cohort_has_only_the_open_report(arm):
    reports = _reports([arm] * 8)
    closed = _text(reports["closed"])
    assert "Not available" in closed and "(N =" not in closed
    assert reports["open"] == _reports(ARMS)["open"]
