"""Analysis population flags on a constructed ADSL and ADEFF (worked by hand)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from plmsc.endpoints.populations import (
    compute_major_deviations,
    derive_populations,
    population_counts,
    population_note,
)

SCHEDULE = [
    {"visit": "Baseline", "event": "screening_arm_1", "day": -7, "window": [-42, -1]},
    {"visit": "Month 3", "event": "month_3_arm_1", "day": 90, "window": [76, 104]},
    {"visit": "Month 12", "event": "month_12_arm_1", "day": 365, "window": [344, 386]},
]
COHORT = {
    "design": "randomised",
    "schedule": SCHEDULE,
    "analysis": {"comparison_visit": "Month 12"},
}


def _adsl(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    """(USUBJID, ARM, SAFFL, DOSE) rows."""
    df = pd.DataFrame(rows, columns=["USUBJID", "ARM", "SAFFL", "DOSE"])
    for col in ("USUBJID", "ARM", "SAFFL"):
        df[col] = df[col].astype("str")
    return df


def _cpauc(rows: list[tuple[str, str, int, float | None]]) -> pd.DataFrame:
    """(USUBJID, AVISIT, ADY, AVAL) CPAUC rows; ABLFL on the day < 0 row, ANL01FL on scheduled."""
    df = pd.DataFrame(rows, columns=["USUBJID", "AVISIT", "ADY", "AVAL"])
    df["PARAMCD"] = "CPAUC"
    df["ADY"] = df["ADY"].astype("Int64")
    df["AVAL"] = df["AVAL"].astype(float)
    df["ABLFL"] = np.where(df["ADY"] < 0, "Y", None)
    df["ANL01FL"] = np.where(df["AVISIT"] != "UNSCHEDULED", "Y", None)
    return df


# A: MSC, infused with cells, baseline + month 12 in window: in every population.
# B: randomised PLACEBO but received cells (DOSE 1e6): wrong treatment -> MITT, not PP.
# C: not randomised, not infused: in none.
# D: MSC, infused, baseline only: ITT but not MITT (no post-baseline MMTT).
# E: PLACEBO, DOSE 0, month-12 MMTT on day 383: |383 - 365| = 18 > 14 -> MITT, not PP.
# F: MSC, randomised but never infused: ITT only.
# G: MSC, infused, no baseline MMTT (value missing) but a month-3 one: not MITT.
# H: MSC, infused, month-12 MMTT late on day 395 (UNSCHEDULED, after the window):
#    |395 - 365| = 30 > 14 -> deviation; MITT (the month-3 MMTT is post-baseline).
ADSL = _adsl(
    [
        ("A", "MSC", "Y", 1e6),
        ("B", "PLACEBO", "Y", 1e6),
        ("C", "NOT RANDOMISED", "N", np.nan),
        ("D", "MSC", "Y", 1e6),
        ("E", "PLACEBO", "Y", 0.0),
        ("F", "MSC", "N", np.nan),
        ("G", "MSC", "Y", 1e6),
        ("H", "MSC", "Y", 1e6),
    ]
)
ADEFF = _cpauc(
    [
        ("A", "Baseline", -7, 0.9),
        ("A", "Month 12", 370, 0.5),  # |370 - 365| = 5 <= 14
        ("B", "Baseline", -8, 0.8),
        ("B", "Month 3", 90, 0.7),
        ("D", "Baseline", -6, 0.7),
        ("E", "Baseline", -7, 0.6),
        ("E", "Month 12", 383, 0.3),
        ("G", "Baseline", -7, None),
        ("G", "Month 3", 91, 0.6),
        ("H", "Baseline", -7, 0.9),
        ("H", "Month 3", 88, 0.8),
        ("H", "UNSCHEDULED", 395, 0.4),
    ]
)


@pytest.fixture()
def flagged():
    return derive_populations(ADSL, ADEFF, COHORT)


def test_itt_is_every_randomised_participant(flagged):
    adsl, _ = flagged
    # ARM MSC or PLACEBO: A, B, D, E, F, G, H; C is not randomised.
    assert adsl.set_index("USUBJID")["ITTFL"].to_dict() == {
        "A": "Y", "B": "Y", "C": "N", "D": "Y", "E": "Y", "F": "Y", "G": "Y", "H": "Y",
    }  # fmt: skip


def test_treatment_received_is_read_from_the_dose(flagged):
    adsl, _ = flagged
    trt = adsl.set_index("USUBJID")["TRT01A"]
    # DOSE > 0 -> MSC; DOSE = 0 -> PLACEBO; not infused -> missing.
    assert trt[["A", "B", "E"]].tolist() == ["MSC", "MSC", "PLACEBO"]
    assert trt[["C", "F"]].isna().all()


def test_mitt_needs_infusion_baseline_and_a_post_baseline_mmtt(flagged):
    adsl, _ = flagged
    # A (base + M12), B (base + M3), E (base + M12), H (base + M3): Y.
    # C, F not infused; D no post-baseline; G no baseline value.
    assert adsl.set_index("USUBJID")["MITTFL"].to_dict() == {
        "A": "Y", "B": "Y", "C": "N", "D": "N", "E": "Y", "F": "N", "G": "N", "H": "Y",
    }  # fmt: skip


def test_per_protocol_drops_major_deviations(flagged):
    adsl, deviations = flagged
    # MITT = {A, B, E, H}; B wrong treatment, E day 383 and H day 395 out of window.
    assert adsl.set_index("USUBJID")["PPROTFL"].to_dict() == {
        "A": "Y", "B": "N", "C": "N", "D": "N", "E": "N", "F": "N", "G": "N", "H": "N",
    }  # fmt: skip
    assert list(zip(deviations["USUBJID"], deviations["DVCAT"], strict=True)) == [
        ("B", "wrong treatment received"),
        ("E", "month-12 MMTT outside its window"),
        ("H", "month-12 MMTT outside its window"),
    ]
    assert deviations["DVTERM"].iloc[1] == "MMTT on study day 383, window 365 +/- 14 days"


def test_window_and_configured_deviations_follow_the_config():
    cohort = {
        **COHORT,
        "analysis": {
            "comparison_visit": "Month 12",
            # a 20-day window takes E (18 days off) back; a monitor's deviation removes A
            "per_protocol": {
                "mmtt_window_days": 20,
                "deviations": [{"usubjid": "A", "reason": "prohibited medication"}],
            },
        },
    }
    adsl, dev = derive_populations(ADSL, ADEFF, cohort)
    assert sorted(adsl.loc[adsl["PPROTFL"] == "Y", "USUBJID"]) == ["E"]
    assert dev.loc[dev["USUBJID"] == "A", "DVTERM"].tolist() == ["prohibited medication"]
    bad = {**cohort["analysis"], "per_protocol": {"deviations": [{"usubjid": "Z", "reason": "x"}]}}
    with pytest.raises(ValueError, match="record 'Z' is not in ADSL"):
        derive_populations(ADSL, ADEFF, {**COHORT, "analysis": bad})


def test_counts_and_note(flagged):
    adsl, _ = flagged
    # ITT 7, SAF 6 (A B D E G H), MITT 4, PP 1
    assert population_counts(adsl) == {"ITT": 7, "SAF": 6, "MITT": 4, "PPROT": 1}
    assert population_note(adsl, "ITT") == "Population: intention-to-treat (ITT), n = 7."


def test_blinded_cohort_has_populations_without_arms():
    adsl = ADSL.assign(ARM="BLINDED")
    out, dev = derive_populations(adsl, ADEFF, COHORT)
    flags = out.set_index("USUBJID")
    # everyone enrolled is ITT; no wrong treatment can be seen; windows still apply
    assert (flags["ITTFL"] == "Y").all()
    assert set(flags["TRT01A"].dropna()) == {"BLINDED"}
    assert flags["MITTFL"].eq("Y").sum() == 4  # A B E H, as unblinded
    assert set(dev["DVCAT"]) == {"month-12 MMTT outside its window"}
    assert sorted(flags.index[flags["PPROTFL"] == "Y"]) == ["A", "B"]


def test_single_arm_cohort_counts_every_enrolled_participant():
    adsl = ADSL.assign(ARM="PLMSC")
    out, _ = derive_populations(adsl, ADEFF, {**COHORT, "design": "single_arm"})
    assert (out["ITTFL"] == "Y").all()
    assert out.set_index("USUBJID")["TRT01A"][["A", "C"]].fillna("-").tolist() == ["PLMSC", "-"]


def test_window_check_without_deviations_returns_an_empty_table():
    adsl = derive_populations(ADSL, ADEFF, COHORT)[0]
    dev = compute_major_deviations(
        adsl[adsl["USUBJID"] == "A"], ADEFF[ADEFF["USUBJID"] == "A"], SCHEDULE[2], 14
    )
    assert dev.empty and list(dev.columns) == ["USUBJID", "DVCAT", "DVTERM"]
