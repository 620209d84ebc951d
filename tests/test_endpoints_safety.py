"""Hypoglycaemia rates, adverse-event tables and exploratory tests, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from plmsc.endpoints.safety import (
    list_adverse_events,
    list_infusions,
    list_pretreatment_events,
    summarise_adverse_events,
    summarise_hypoglycaemia,
    summarise_infusions,
)

PERIODS = [
    {"name": "Days 0-30", "from": 0, "to": 30},
    {"name": "Days 31-365", "from": 31, "to": 365},
]
# exposure: A days 0..365 (366 days), B days 0..180 (181 days)
ADSL = pd.DataFrame(
    {
        "USUBJID": ["A", "B"],
        "ARM": ["PLMSC", "PLMSC"],
        "SAFFL": ["Y", "Y"],
        "EXPENDY": pd.array([365, 180], dtype="Int64"),
    }
)


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
    per, rates = summarise_hypoglycaemia(adhypo, ADSL, PERIODS)
    r = rates[rates["ARM"] == "Total"].set_index(["PERIOD", "LEVEL"])
    # Days 0-30: A and B each exposed 31 days -> 62 days = 62/365.25 PY; 2 events (A: L1, L3)
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
        ("Overall", "Level 1"), ["N_EVENTS", "N_WITH_EVENT", "N_PARTICIPANTS", "N_OUTSIDE"]
    ].tolist() == [2, 1, 2, 0]
    a = per[(per["USUBJID"] == "A") & (per["PERIOD"] == "Overall")].set_index("LEVEL")["N_EVENTS"]
    assert a.to_dict() == {"Level 1": 2, "Level 2": 0, "Level 3": 1, "Any level": 3}


def test_hypoglycaemia_exposure_edges():
    adsl = pd.DataFrame(
        {
            "USUBJID": ["A", "B", "C"],
            "ARM": "PLMSC",
            "SAFFL": ["Y", "Y", "N"],
            # B had no contact after the infusion: exposure is day 0 only (1 day)
            "EXPENDY": pd.array([100, 0, None], dtype="Int64"),
        }
    )
    adhypo = _hypo(
        [
            ("A", -3, 1, None),  # before the infusion: outside
            ("A", 0, 1, None),  # infusion day: inside
            ("A", 100, 2, None),  # last day of exposure: inside
            ("A", 101, 2, None),  # after it: outside
            ("A", None, 1, None),  # no day: outside
            ("B", 0, 3, None),  # inside B's single day
            ("C", 5, 1, None),  # not infused: no time, no events, not counted anywhere
        ]
    )
    per, rates = summarise_hypoglycaemia(adhypo, adsl, PERIODS)
    r = rates[rates["ARM"] == "Total"].set_index(["PERIOD", "LEVEL"])
    overall = r.loc[("Overall", "Any level")]
    # inside: A day 0, A day 100, B day 0 = 3; outside: A -3, A 101, A no day = 3
    assert (overall["N_EVENTS"], overall["N_OUTSIDE"]) == (3, 3)
    # exposure A 101 days (0..100), B 1 day, C none: 102 days; C not among participants
    assert overall["PY"] == pytest.approx(102 / 365.25)
    assert overall["N_PARTICIPANTS"] == 2
    assert overall["RATE_PER_PY"] == pytest.approx(3 / (102 / 365.25))  # 10.74
    # Days 31-365: A exposed 31..100 = 70 days, B none; A's day-101 event is outside
    late = r.loc[("Days 31-365", "Any level")]
    assert late["PY"] == pytest.approx(70 / 365.25)
    assert (late["N_EVENTS"], late["N_OUTSIDE"], late["N_PARTICIPANTS"]) == (1, 1, 1)
    assert r.loc[("Days 0-30", "Level 3"), "N_EVENTS"] == 1  # B, day 0
    assert set(per["USUBJID"]) == {"A", "B"}


def test_hypoglycaemia_zero_exposure_gives_no_rate():
    adsl = pd.DataFrame(
        {"USUBJID": ["C"], "ARM": "PLMSC", "SAFFL": ["Y"], "EXPENDY": pd.array([0], "Int64")}
    )
    _, rates = summarise_hypoglycaemia(_hypo([]), adsl, PERIODS)
    late = rates.set_index(["ARM", "PERIOD", "LEVEL"]).loc[("Total", "Days 31-365", "Any level")]
    # day 0 only: no time in days 31-365 -> no participants, PY 0, rate empty (not 0, not inf)
    assert (late["PY"], late["N_PARTICIPANTS"]) == (0, 0) and np.isnan(late["RATE_PER_PY"])


def test_no_hypoglycaemia_entries_give_zero_rates():
    per, rates = summarise_hypoglycaemia(_hypo([]), ADSL, PERIODS)
    assert rates["N_EVENTS"].sum() == 0 and (rates["RATE_PER_PY"] == 0).all()
    assert len(per) == 2 * 3 * 4  # participants x (periods + overall) x levels


def _adae(rows, trtemfl=None):
    cols = ["USUBJID", "AESOC", "AEDECOD", "AETOXGR", "AESER", "AREL", "AEOUT"]
    df = pd.DataFrame(rows, columns=cols).astype(
        {"AETOXGR": "Int64", "AREL": "Int64", "AEOUT": "Int64"}
    )
    df["AERELFL"] = np.where(df["AREL"] >= 3, "Y", "N")
    df["TRTEMFL"] = trtemfl or ["Y"] * len(df)
    return df


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
    any_te = "Any treatment-emergent adverse event"
    assert ov.loc[("MSC", any_te), ["N_PARTICIPANTS", "N_ARM", "N_EVENTS"]].tolist() == [2, 3, 4]
    assert ov.loc[("MSC", any_te), "PCT"] == pytest.approx(200 / 3)
    assert ov.loc[("MSC", "Serious adverse event"), "N_PARTICIPANTS"] == 1
    # related = possible (3), probable (4), definite (5): A's pyrexia and D's pyrexia
    assert (
        ov.loc[("Total", "Related adverse event (possible, probable, definite)"), "N_EVENTS"] == 2
    )
    assert ov.loc[("PLACEBO", "Grade 3 or higher"), "N_PARTICIPANTS"] == 0
    term = t["ae_by_term"].set_index(["ARM", "AESOC", "AEDECOD"])
    soc = term.loc[("MSC", "Infections and infestations", "")]
    assert soc[["N_PARTICIPANTS", "N_EVENTS", "LEVEL"]].tolist() == [2, 3, 1]
    pt = term.loc[("MSC", "Infections and infestations", "Nasopharyngitis")]
    assert (pt["N_EVENTS"], pt["LEVEL"], pt["TERM"]) == (2, 2, "Nasopharyngitis")
    assert term.loc[("Total", "General disorders", "Pyrexia"), "N_PARTICIPANTS"] == 2
    grade = t["ae_by_grade"].set_index(["ARM", "WORST_GRADE"])["N_PARTICIPANTS"]
    # worst grades: A 2, B 3, C none (0), D 1
    assert grade.loc["MSC"].to_dict() == {0: 1, 2: 1, 3: 1}
    assert grade.loc["Total"].to_dict() == {0: 1, 1: 1, 2: 1, 3: 1}
    rel = t["ae_by_relatedness"].set_index(["ARM", "RELATEDNESS"])
    # MSC: unrelated x2 (A), unlikely (B), possible (A); probable only in PLACEBO (D)
    assert rel.loc[("MSC", "Unrelated"), ["N_PARTICIPANTS", "N_EVENTS"]].tolist() == [1, 2]
    assert rel.loc[("MSC", "Probable"), "N_EVENTS"] == 0
    assert rel.loc[("PLACEBO", "Probable"), "N_EVENTS"] == 1
    ser = t["ae_by_seriousness"].set_index(["ARM", "SERIOUS"])
    assert ser.loc[("Total", "Serious"), "N_EVENTS"] == 1
    assert ser.loc[("Total", "Not serious"), ["N_PARTICIPANTS", "N_EVENTS"]].tolist() == [2, 4]
    out = t["ae_by_outcome"].set_index(["ARM", "OUTCOME"])
    assert out.loc[("Total", "Recovering"), "N_PARTICIPANTS"] == 1  # B
    assert out.loc[("Total", "Fatal"), "N_EVENTS"] == 0


def test_pre_infusion_serious_event_leaves_every_te_table_unchanged():
    adsl = pd.DataFrame({"USUBJID": ["A", "B"], "ARM": "PLMSC"})
    rows = [
        ("A", "Infections and infestations", "Nasopharyngitis", 1, "N", 1, 1),
        ("B", "General disorders", "Pyrexia", 2, "N", 3, 1),
    ]
    before = summarise_adverse_events(_adae(rows), adsl)
    serious = ("B", "Injury", "Fracture", 3, "Y", 1, 4)  # started before day 0
    after = summarise_adverse_events(_adae([*rows, serious], ["Y", "Y", "N"]), adsl)
    assert before.keys() == after.keys()
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name], obj=name)
    ov = after["ae_overview"].set_index("CATEGORY")
    assert ov.loc["Serious adverse event", "N_PARTICIPANTS"] == 0
    # ... but the listing shows it, flagged, and the pre-treatment listing holds it alone
    full = _adae([*rows, serious], ["Y", "Y", "N"]).assign(
        AESEQ=[1, 1, 2], AETERM="x", ASTDY=pd.array([3, 5, -10], "Int64"),
        AENDY=pd.array([4, 5, None], "Int64"), ADURN=pd.array([2, 1, None], "Int64"),
    )  # fmt: skip
    listing = list_adverse_events(full, adsl)
    assert listing["TRTEMFL"].tolist() == ["Y", "N", "Y"]  # B sorted by start day: -10, 5
    pre = list_pretreatment_events(full, adsl)
    assert pre[["USUBJID", "AEDECOD", "AESER", "OUTCOME"]].values.tolist() == [
        ["B", "Fracture", "Y", "Recovered with sequelae"]
    ]


def test_infusion_summary():
    adsl = pd.DataFrame(
        {
            "USUBJID": ["A", "B", "C", "D"],
            "ARM": "PLMSC",
            "SAFFL": ["Y", "Y", "Y", "N"],
            "DOSE": [1.0e6, 0.9e6, 1.1e6, np.nan],
            "VIABPCT": [95.0, 92.0, 97.0, np.nan],
            "INFREAC": ["N", "Y", "N", None],
            "INFAEFL": ["N", "N", "Y", None],
            "INFRFL": ["N", "Y", "Y", None],
        }
    )
    s = summarise_infusions(adsl).set_index("ITEM")
    # D not infused: N = 3; median dose of 0.9, 1.0, 1.1 million = 1.0 million
    assert s.loc["DOSE", ["N", "MEDIAN", "MIN", "MAX"]].tolist() == [3, 1.0e6, 0.9e6, 1.1e6]
    assert s.loc["VIABPCT", "MEDIAN"] == 95.0
    # reaction on the form: B (1/3); AE on day 0-1: C; either: B and C = 2/3 = 66.7 %
    assert s.loc["INFREAC", "N_YES"] == 1
    assert (s.loc["INFRFL", "N_YES"], s.loc["INFRFL", "PCT"]) == (2, pytest.approx(200 / 3))
    assert list_infusions(adsl)["USUBJID"].tolist() == ["A", "B", "C"]
