"""Visits, analysis flags, repeat draws and baseline (docs/conventions.md)."""

from __future__ import annotations

import pandas as pd
from ingest_fixtures import SCHEDULE, cohort, lis_row, make_raw

from plmsc.ingest import build_adam
from plmsc.ingest.visits import derive_visit


def test_visit_windows_and_unscheduled():
    days = pd.Series([-42, -1, 0, 3, 4, 10, 11, 30, 97, 98, None], dtype="Int64")
    got = derive_visit(days, SCHEDULE)
    assert got["AVISIT"].tolist() == [
        "Baseline",
        "Baseline",
        "Infusion",
        "UNSCHEDULED",
        "Week 1",
        "Week 1",
        "UNSCHEDULED",
        "Month 1",
        "Month 3",
        "UNSCHEDULED",
        "UNSCHEDULED",
    ]
    assert got["AVISITN"].tolist()[:3] == [-7, -7, 0]
    assert got["AVISITN"].iloc[3] is pd.NA


def _adlb(tmp_path, rows):
    return build_adam(cohort(), make_raw(tmp_path, {"20190601": rows})).adlb


def hba1c(acc, date, result="7.0", **kw):
    return lis_row(
        ACCESSION=acc,
        TEST_CODE="HBA1C",
        SAMPLE_LABEL="",
        UNITS="%",
        RESULT=result,
        COLLECTED=f"{date} 08:00",
        **kw,
    )


def test_closest_to_target_is_analysed_and_the_other_is_a_repeat(tmp_path):
    # Month 1 target day 30 = 15/05/2019; day 27 (12/05) and day 31 (16/05)
    adlb = _adlb(tmp_path, [hba1c("A1", "12/05/2019", "7.0"), hba1c("A2", "16/05/2019", "7.2")])
    assert adlb["ADY"].tolist() == [27, 31]
    assert adlb["ANL01FL"].fillna("").tolist() == ["", "Y"]
    assert adlb["RPTDRWFL"].fillna("").tolist() == ["Y", ""]


def test_ties_go_to_the_later_value(tmp_path):
    # days 28 and 32 are both 2 days from 30
    adlb = _adlb(tmp_path, [hba1c("A1", "13/05/2019"), hba1c("A2", "17/05/2019")])
    assert adlb["ANL01FL"].fillna("").tolist() == ["", "Y"]


def test_repeat_draw_the_non_missing_result_wins(tmp_path):
    # haemolysed tube on the target day, re-drawn two days later
    rows = [
        hba1c("A1", "15/05/2019", "HEMOLYZED"),
        hba1c("A2", "17/05/2019", "7.4"),
    ]
    adlb = _adlb(tmp_path, rows)
    assert adlb["MISSRSN"].astype(object).fillna("").tolist() == ["HEMOLYZED", ""]
    assert adlb["ANL01FL"].fillna("").tolist() == ["", "Y"]
    assert adlb["RPTDRWFL"].fillna("").tolist() == ["Y", ""]


def test_mmtt_draws_are_flagged_per_time_point(tmp_path):
    rows = [
        lis_row(ACCESSION="A1", SAMPLE_LABEL="MMTT 0", COLLECTED="15/05/2019 08:00"),
        lis_row(ACCESSION="A1", SAMPLE_LABEL="MMTT 30", COLLECTED="15/05/2019 08:30"),
        lis_row(ACCESSION="A2", SAMPLE_LABEL="MMTT 30", COLLECTED="16/05/2019 08:30"),
    ]
    adlb = _adlb(tmp_path, rows).sort_values(["ATPTN", "ADY"])
    # days 30 and 31 are two sessions of the Month 1 window: each keeps its own draws
    # (which session is analysed is decided on the endpoints, in ADEFF)
    assert adlb["ADY"].tolist() == [30, 30, 31]
    assert adlb["ANL01FL"].fillna("").tolist() == ["Y", "Y", "Y"]
    assert adlb["RPTDRWFL"].fillna("").tolist() == ["", "", ""]


def test_a_re_drawn_tube_of_the_same_session_is_a_repeat_draw(tmp_path):
    rows = [
        lis_row(ACCESSION="A1", SAMPLE_LABEL="MMTT 0", COLLECTED="15/05/2019 08:00"),
        lis_row(
            ACCESSION="A1", SAMPLE_LABEL="MMTT 30", COLLECTED="15/05/2019 08:30", RESULT="HEMOLYZED"
        ),
        # the haemolysed 30-min tube re-drawn 10 minutes later, same session
        lis_row(ACCESSION="A2", SAMPLE_LABEL="MMTT 30", COLLECTED="15/05/2019 08:40"),
    ]
    adlb = _adlb(tmp_path, rows).sort_values(["ATPTN", "SRCROW"])
    assert adlb["ADY"].tolist() == [30, 30, 30]
    assert adlb["ANL01FL"].fillna("").tolist() == ["Y", "", "Y"]
    assert adlb["RPTDRWFL"].fillna("").tolist() == ["", "Y", ""]


def test_unscheduled_rows_keep_their_row_without_flags(tmp_path):
    adlb = _adlb(tmp_path, [hba1c("A1", "30/04/2019")])  # day 15: no window
    row = adlb.iloc[0]
    assert row["AVISIT"] == "UNSCHEDULED" and pd.isna(row["AVISITN"])
    assert pd.isna(row["ANL01FL"]) and pd.isna(row["RPTDRWFL"])


def test_baseline_is_the_last_non_missing_value_on_or_before_day_0(tmp_path):
    rows = [
        hba1c("A1", "20/03/2019", "7.5"),  # day -26
        hba1c("A2", "12/04/2019", "7.8"),  # day -3 -> baseline
        hba1c("A3", "15/04/2019", "QNS"),  # day 0, missing: not a candidate
        hba1c("A4", "22/04/2019", "7.1"),  # day 7, after infusion
    ]
    adlb = _adlb(tmp_path, rows)
    assert adlb["ADY"].tolist() == [-26, -3, 0, 7]
    assert adlb["ABLFL"].fillna("").tolist() == ["", "Y", "", ""]
    # the Baseline-window value analysed is the one closest to day -7
    assert adlb["ANL01FL"].fillna("").tolist() == ["", "Y", "", "Y"]


def test_baseline_per_mmtt_time_point(tmp_path):
    rows = [
        lis_row(ACCESSION="A1", SAMPLE_LABEL="MMTT 0", COLLECTED="10/04/2019 08:00"),
        lis_row(ACCESSION="A1", SAMPLE_LABEL="MMTT 30", COLLECTED="10/04/2019 08:30"),
        lis_row(ACCESSION="A2", SAMPLE_LABEL="FASTING", COLLECTED="14/04/2019 08:00"),
    ]
    adlb = _adlb(tmp_path, rows)
    assert adlb["ABLFL"].tolist() == ["Y", "Y", "Y"]
