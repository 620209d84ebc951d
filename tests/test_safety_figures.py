"""Swimmer plot layout and the safety laboratory figure: nothing hidden, journal sizes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from plmsc.report.figures import fig_safety_timeline
from plmsc.report.safety_figures import (
    assign_sublanes,
    crowded_offset,
    fig_safety_labs,
    hypo_markers,
    lab_relative,
    swimmer_layout,
)
from plmsc.report.style import FULL_WIDTH, MIN_FONT_PT


def test_sublanes_stack_overlapping_intervals():
    # [0,10) and [5,8) overlap -> lanes 0, 1; [12,20) fits lane 0 again; [9,13) overlaps
    # both [0,10) (lane 0 until 10) and nothing in lane 1 after 8 -> lane 1
    lanes = assign_sublanes(np.array([0, 5, 9, 12]), np.array([10, 8, 13, 20]))
    assert lanes.tolist() == [0, 1, 1, 0]


def test_labels_count_in_the_layout():
    adae = pd.DataFrame(
        {"USUBJID": ["A", "A"], "AEDECOD": ["Headache", "Pyrexia"], "AETERM": "x",
         "ASTDY": pd.array([0, 5], dtype="Int64"), "AENDY": pd.array([1, 6], dtype="Int64"),
         "AETOXGR": pd.array([1, 2], dtype="Int64")}
    )  # fmt: skip
    bars = swimmer_layout(adae, adae.iloc[0:0], ["A"])
    # bars 0-2 and 5-7 do not overlap, but "Headache" (8 characters, ~31 days) does
    assert bars["LANE"].tolist() == [0, 1]
    assert bars[["START", "END"]].values.tolist() == [[0, 2], [5, 7]]


def test_same_day_hypoglycaemia_counted_and_neighbours_offset():
    adhypo = pd.DataFrame(
        {"USUBJID": ["A"] * 5, "ADY": pd.array([10, 10, 10, 11, 10], dtype="Int64"),
         "LEVEL": pd.array([1, 1, 1, 1, 2], dtype="Int64")}
    )  # fmt: skip
    m = hypo_markers(adhypo)
    # day 10 level 1 three times -> one marker "x3"; day 11 level 1; day 10 level 2 apart
    assert m[["ADY", "LEVEL", "N"]].values.tolist() == [[10, 1, 3], [10, 2, 1], [11, 1, 1]]
    lv1 = m[m["LEVEL"] == 1]
    assert crowded_offset(lv1["USUBJID"], lv1["ADY"]).tolist() == [0.0, -0.12]


def test_lab_ratio_to_the_graded_limit():
    adlb = pd.DataFrame(
        {"USUBJID": "A", "PARAMCD": ["ALT", "WBC", "GLU", "PLT"], "AVAL": [60.0, 4.0, 90.0, 200.0],
         "ANRLO": [7.0, 4.5, np.nan, np.nan], "ANRHI": [30.0, 13.5, np.nan, 450.0],
         "ADY": pd.array([5, 5, 5, 5], dtype="Int64")}
    )  # fmt: skip
    r = lab_relative(adlb).set_index("PARAMCD")["RATIO"]
    # ALT 60 / ULN 30 = 2.0; WBC 4.0 / LLN 4.5 = 0.889; PLT has no LLN: left out; GLU not graded
    assert r.to_dict() == pytest.approx({"ALT": 2.0, "WBC": 4.0 / 4.5})


def _fonts(fig):
    return [t.get_fontsize() for t in fig.findobj(lambda a: hasattr(a, "get_fontsize"))]


def test_phase1_safety_figures_fit_the_page(phase1_adam):
    d = phase1_adam
    for fig in (
        fig_safety_timeline(d["adae"], d["adhypo"], d["adsl"], "single_arm"),
        fig_safety_labs(d["adlb"], d["adsl"]),
    ):
        fig.canvas.draw()
        assert fig.get_size_inches()[0] == pytest.approx(FULL_WIDTH)
        assert min(_fonts(fig)) >= MIN_FONT_PT
    # every adverse event is a bar with its term
    swim = fig_safety_timeline(d["adae"], d["adhypo"], d["adsl"], "single_arm")
    texts = {t.get_text() for t in swim.axes[0].texts}
    assert set(d["adae"]["AEDECOD"]) <= texts


def test_large_cohort_aggregates_by_month_and_grade():
    from plmsc.report.safety_figures import fig_events_by_month

    ids = [f"P{i:03d}" for i in range(60)]
    adsl = pd.DataFrame({"USUBJID": ids, "ARM": ["MSC", "PLACEBO"] * 30, "SAFFL": "Y"})
    adae = pd.DataFrame(
        {"USUBJID": ids[:20], "ASTDY": pd.array(range(0, 200, 10), dtype="Int64"),
         "AETOXGR": pd.array([1, 2] * 10, dtype="Int64"), "TRTEMFL": "Y"}
    )  # fmt: skip
    adhypo = pd.DataFrame(
        {"USUBJID": ids[:10], "ADY": pd.array(range(10), dtype="Int64"),
         "LEVEL": pd.array([1, 2, 3, 1, 2, 3, 1, 2, 3, 1], dtype="Int64")}
    )  # fmt: skip
    groups = {a: sorted(adsl.loc[adsl["ARM"] == a, "USUBJID"]) for a in ("MSC", "PLACEBO")}
    fig = fig_events_by_month(adae, adhypo, groups)
    fig.canvas.draw()
    # one row per arm, AE onsets and hypoglycaemia: 4 panels; bars add up to the events
    assert len(fig.axes) == 4
    ae_heights = sum(p.get_height() for ax in fig.axes[::2] for p in ax.patches)
    hypo_heights = sum(p.get_height() for ax in fig.axes[1::2] for p in ax.patches)
    assert (ae_heights, hypo_heights) == (20, 10)
    assert min(_fonts(fig)) >= MIN_FONT_PT


def _cohort(n: int) -> dict[str, pd.DataFrame]:
    """``n`` participants in two arms, a year of exposure, two adverse events each
    (grade 1 day 10-40 with its term, grade 3 from day 100) and a level 1 hypoglycaemia."""
    ids = [f"P{i:03d}" for i in range(n)]
    adsl = pd.DataFrame(
        {"USUBJID": ids, "ARM": ["MSC", "PLACEBO"] * (n // 2), "SAFFL": "Y",
         "EXPENDY": pd.array([365] * n, dtype="Int64")}
    )  # fmt: skip
    adae = pd.DataFrame(
        {"USUBJID": ids * 2, "AEDECOD": ["Headache"] * n + ["Pyrexia"] * n, "AETERM": "x",
         "ASTDY": pd.array([10] * n + [100] * n, dtype="Int64"),
         "AENDY": pd.array([40] * n + [pd.NA] * n, dtype="Int64"),
         "AETOXGR": pd.array([1] * n + [3] * n, dtype="Int64"), "TRTEMFL": "Y"}
    )  # fmt: skip
    adhypo = pd.DataFrame(
        {"USUBJID": ids, "ADY": pd.array([50] * n, dtype="Int64"),
         "LEVEL": pd.array([1] * n, dtype="Int64")}
    )  # fmt: skip
    return {"adsl": adsl, "adae": adae, "adhypo": adhypo}


@pytest.mark.parametrize("n", [30, 60])
def test_mid_size_swimmer_fits_a_page(n):
    """30 participants (phase 2) and 60 (the compact plot's largest): one lane each,
    at most 9 in tall (the labelled plot of 30 was 11.7 in), no terms, text >= 7 pt."""
    d = _cohort(n)
    fig = fig_safety_timeline(d["adae"], d["adhypo"], d["adsl"], "randomised")
    fig.canvas.draw()
    width, height = fig.get_size_inches()
    assert width == pytest.approx(FULL_WIDTH)
    assert height <= 9.0
    ax = fig.axes[0]
    # lanes: one y tick per participant; 2 AE bars + 1 exposure bar each
    assert len(ax.get_yticks()) == n
    assert len(ax.patches) == 3 * n
    texts = {t.get_text() for t in ax.texts}
    assert "Headache" not in texts and "Pyrexia" not in texts
    assert texts == {f"MSC (n = {n // 2})", f"PLACEBO (n = {n // 2})"}
    assert min(_fonts(fig)) >= MIN_FONT_PT


def test_small_cohort_keeps_terms_large_one_aggregates():
    small = _cohort(12)
    fig = fig_safety_timeline(small["adae"], small["adhypo"], small["adsl"], "randomised")
    assert {"Headache", "Pyrexia"} <= {t.get_text() for t in fig.axes[0].texts}
    large = _cohort(62)
    fig = fig_safety_timeline(large["adae"], large["adhypo"], large["adsl"], "randomised")
    assert len(fig.axes) == 4  # events per month: AE onsets and hypoglycaemia per arm
