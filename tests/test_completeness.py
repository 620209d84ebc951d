"""Expected versus received assessments (qc/completeness.csv), counted by hand."""

from __future__ import annotations

import pandas as pd

from plmsc.report.quality import (
    completeness_by_visit,
    compute_completeness,
    missing_assessments,
)

SCHEDULE = [
    {"visit": "Baseline", "event": "screening_arm_1", "day": -7, "window": [-42, -1]},
    {"visit": "Month 3", "event": "month_3_arm_1", "day": 90, "window": [76, 104]},
]
ASSESSMENTS = {"mmtt": ["Baseline", "Month 3"], "hba1c": ["Month 3"], "antibodies": ["Baseline"]}


def lab(usubjid, paramcd, visit, aval=1.0, atptn=None, rptdrwfl=None):
    return {
        "USUBJID": usubjid, "PARAMCD": paramcd, "AVISIT": visit, "AVAL": aval,
        "ATPTN": atptn, "RPTDRWFL": rptdrwfl,
    }  # fmt: skip


def mmtt(usubjid, visit, minutes=(-10, 0, 15, 30, 60, 90, 120)):
    return [lab(usubjid, "CPEP", visit, atptn=m) for m in minutes]


def frames(rows):
    adlb = pd.DataFrame(rows)
    adlb["ATPTN"] = adlb["ATPTN"].astype("Int64")
    adsl = pd.DataFrame({"USUBJID": ["S1", "S2"]})
    return adsl, adlb


def test_expected_against_received():
    rows = [
        *mmtt("S1", "Baseline"),
        *mmtt("S1", "Month 3", (-10, 0, 15, 30, 60, 90)),  # 120-min draw not received
        lab("S1", "CPEP", "Month 3", aval=None, atptn=120),  # HEMOLYZED: no result
        lab("S1", "HBA1C", "Month 3"),
        lab("S1", "GADA", "Baseline"),
        lab("S1", "IA2A", "Baseline"),  # ZNT8A missing
        lab("S1", "GLU", "Baseline", atptn=0),  # glucose is not part of any assessment
        *mmtt("S2", "Baseline"),
        *mmtt("S2", "UNSCHEDULED"),  # outside every window: does not count for Month 3
        lab("S2", "HBA1C", "Month 3", rptdrwfl="Y"),  # lost to a repeat draw
        lab("S2", "HBA1C", "Month 3"),
    ]
    out = compute_completeness(*frames(rows), SCHEDULE, ASSESSMENTS)
    # 2 participants x (2 MMTT + 1 HbA1c + 1 antibody visits) = 8 rows
    assert len(out) == 8
    got = out.set_index(["USUBJID", "ASSESSMENT", "AVISIT"])
    assert got.loc[("S1", "mmtt", "Baseline"), ["N_RECEIVED", "STATUS"]].tolist() == [
        7, "complete",
    ]  # fmt: skip
    s1_m3 = got.loc[("S1", "mmtt", "Month 3")]
    assert (s1_m3["N_EXPECTED"], s1_m3["N_RECEIVED"], s1_m3["STATUS"]) == (7, 6, "partial")
    assert s1_m3["NOT_RECEIVED"] == "120"
    ab = got.loc[("S1", "antibodies", "Baseline")]
    assert (ab["N_EXPECTED"], ab["N_RECEIVED"], ab["NOT_RECEIVED"]) == (3, 2, "ZNT8A")
    s2_m3 = got.loc[("S2", "mmtt", "Month 3")]
    assert (s2_m3["N_RECEIVED"], s2_m3["STATUS"]) == (0, "missing")
    assert s2_m3["NOT_RECEIVED"] == "-10, 0, 15, 30, 60, 90, 120"
    # the repeat draw lost, the analysed HbA1c counts once
    assert got.loc[("S2", "hba1c", "Month 3"), "N_RECEIVED"] == 1
    assert got.loc[("S2", "antibodies", "Baseline"), "STATUS"] == "missing"
    assert out["AVISITN"].tolist() == [-7, 90, 90, -7, -7, 90, 90, -7]

    by_visit = completeness_by_visit(out)
    assert by_visit.columns.tolist() == [
        "ASSESSMENT", "AVISIT", "expected", "complete", "partial", "missing",
    ]  # fmt: skip
    # assessments in config order, visits in schedule order
    assert by_visit[["ASSESSMENT", "AVISIT"]].values.tolist() == [
        ["mmtt", "Baseline"], ["mmtt", "Month 3"], ["hba1c", "Month 3"],
        ["antibodies", "Baseline"],
    ]  # fmt: skip
    # MMTT Month 3: S1 partial, S2 missing; antibodies: S1 partial, S2 missing
    assert by_visit.iloc[1, 2:].tolist() == [2, 0, 1, 1]
    assert by_visit.iloc[3, 2:].tolist() == [2, 0, 1, 1]
    assert len(missing_assessments(out)) == 4  # S1 MMTT M3, S1 antibodies, S2 MMTT M3, S2 ab


def test_every_assessment_received():
    rows = [*mmtt("S1", "Baseline"), *mmtt("S2", "Baseline")]
    out = compute_completeness(*frames(rows), SCHEDULE, {"mmtt": ["Baseline"]})
    assert out["STATUS"].tolist() == ["complete", "complete"]
    assert out["NOT_RECEIVED"].tolist() == ["", ""]
    assert missing_assessments(out).empty
