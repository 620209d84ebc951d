"""Table 3's safety sections and the safety numbers of numbers.json, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from plmsc.endpoints.safety import summarise_hypoglycaemia, summarise_infusions
from plmsc.report import safety_report
from plmsc.report.tables import safety_table

PERIODS = [
    {"name": "Days 0-30", "from": 0, "to": 30},
    {"name": "Days 31-365", "from": 31, "to": 365},
]
ADSL = pd.DataFrame(
    {
        "USUBJID": ["A", "B"],
        "ARM": "PLMSC",
        "SAFFL": "Y",
        "EXPENDY": pd.array([365, 30], dtype="Int64"),
        "EXPDURD": pd.array([366, 31], dtype="Int64"),
        "DOSE": [1.0e6, 1.2e6],
        "VIABPCT": [95.0, 90.0],
        "INFREAC": ["N", "N"],
        "INFAEFL": ["Y", "N"],
        "INFRFL": ["Y", "N"],
    }
)
HYPO = pd.DataFrame(
    {"USUBJID": ["A", "A", "B", "B"], "ADY": pd.array([5, 100, 10, 40], dtype="Int64"),
     "LEVEL": pd.array([1, 2, 1, 1], dtype="Int64"), "HYPOFL": None}
)  # fmt: skip
OVERVIEW = pd.DataFrame(
    {"ARM": "PLMSC", "CATEGORY": ["Any treatment-emergent adverse event"], "N_PARTICIPANTS": [1],
     "N_ARM": [2], "PCT": [50.0], "N_EVENTS": [1]}
)  # fmt: skip
BY_TERM = pd.DataFrame(columns=["ARM", "AESOC", "AEDECOD", "N_PARTICIPANTS", "N_ARM", "N_EVENTS"])
LAB = pd.DataFrame(
    {"ARM": "PLMSC", "PARAMCD": "ALT", "WORSTGR": ["0", "1", "2", "3", "4", "Missing"],
     "N_PARTICIPANTS": [1, 1, 0, 0, 0, 0], "N_ARM": 2}
)  # fmt: skip


def test_table3_sections():
    _, rates = summarise_hypoglycaemia(HYPO, ADSL, PERIODS)
    t = safety_table(OVERVIEW, BY_TERM, rates, LAB, summarise_infusions(ADSL)).set_index("Item")
    # Days 0-30: 31 + 31 days = 62 / 365.25 = 0.17 PY; level 1: A day 5, B day 10 -> 2/2,
    # rate 2 / 0.16975 = 11.78
    assert t.loc["Days 0-30", "Participants, n/N (%)"] == "0.17 participant-years"
    days0 = t[t["Section"].str.contains("by period")].loc["    Level 1"].iloc[0]
    assert (days0["Participants, n/N (%)"], days0["Events"]) == ("2/2 (100 %)", "2")
    assert days0["Events per participant-year"] == "11.78"
    # Days 31-365: only A exposed (335 days = 0.92 PY); B's day-40 event is after B's exposure
    late = t[t["Section"].str.contains("by period")].loc["    Level 2"].iloc[1]
    assert (late["Participants, n/N (%)"], late["Events"]) == ("1/1 (100 %)", "1")
    assert t.loc["Events outside the exposure (not in the rates)", "Events"] == "1"
    # ALT: 1 of 2 participants with a post-baseline value at grade 1
    assert t.loc["Alanine aminotransferase increased, grade ≥ 1", "Participants, n/N (%)"] == (
        "1/2 (50 %)"
    )
    assert t.loc["Creatinine increased, grade ≥ 1", "Participants, n/N (%)"] == "0/0"
    # dose: median of 1.0 and 1.2 million = 1.1; viability median 92.5
    dose = "Dose received (10^6 cells/kg), median (min–max)"
    assert t.loc[dose, "Participants, n/N (%)"] == "1.10 (1.00–1.20)"
    assert t.loc["Cell viability (%), median (min–max)", "Participants, n/N (%)"] == (
        "92.5 (90.0–95.0)"
    )
    assert t.loc["Adverse event starting on day 0 or 1", "Participants, n/N (%)"] == "1/2 (50 %)"


def test_safety_numbers():
    _, rates = summarise_hypoglycaemia(HYPO, ADSL, PERIODS)
    h = safety_report.hypoglycaemia_period_numbers(rates)
    d = h["by_period"]["Days 0-30"]["level_1"]
    assert (d["n_events"], d["n_participants_exposed"], d["participant_years"]) == (2, 2, 0.17)
    assert d["rate_per_participant_year"] == 11.78  # 2 / (62 / 365.25) = 11.782, as numbers.json
    assert h["by_period"]["Overall"]["any_level"]["n_outside_exposure"] == 1
    labs = safety_report.lab_numbers(LAB)
    assert labs["by_test"]["ALT"]["worst_grade"] == 1
    assert labs["by_test"]["ALT"]["n_grade1_or_higher"] == 1
    assert labs["worst_grade_any_test"] == 1 and labs["by_test"]["HGB"]["worst_grade"] is None
    inf = safety_report.infusion_numbers(summarise_infusions(ADSL))
    assert inf["dose_cells_per_kg"] == {"n": 2, "median": 1.1e6, "min": 1.0e6, "max": 1.2e6}
    assert inf["any_infusion_reaction"] == {"n": 1, "of": 2}
    exp = safety_report.exposure_numbers(ADSL)
    # 366 + 31 = 397 days = 1.087 participant-years; median (366 + 31) / 2 = 198.5
    assert exp["participant_years"] == 1.087 and exp["median_days"] == 198.5
    assert np.isclose(397 / 365.25, 1.0869, atol=1e-4)
