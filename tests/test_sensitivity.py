"""Sensitivity of the primary endpoints to the C-peptide conventions, worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import REPO
from endpoint_fixtures import frame, lab, mmtt, vs, vs_frame

from plmsc.config import load_config
from plmsc.endpoints.cpeptide import AUC_TIMES, mmtt_curves
from plmsc.endpoints.sensitivity import OPTIONS, compute_sensitivity
from plmsc.report.publish import layout
from plmsc.report.sensitivity import configured_options, sensitivity_table

ANALYSIS = load_config(REPO / "config.yaml")["cohorts"]["phase1"]["analysis"]


def _month12_s1() -> list[dict]:
    """S1 at month 12: the 0-min draw below a 0.06 limit, every other draw 0.12."""
    rows = [lab("S1", "CPEP", 365, None, visit="Month 12", atptn=-10)]
    rows.append(lab("S1", "CPEP", 365, None, visit="Month 12", atptn=0, lloq=0.06, lloqfl="Y"))
    for minute in (15, 30, 60, 90, 120):
        rows.append(lab("S1", "CPEP", 365, 0.12, visit="Month 12", atptn=minute))
    return rows


@pytest.fixture(scope="module")
def hand_made():
    adlb = frame(
        mmtt("S1", -7, "Baseline", [0.3] * 6)
        + _month12_s1()
        + mmtt("S2", -7, "Baseline", [0.6] * 6, minus10=0.4)
        + mmtt("S2", 365, "Month 12", [0.4, 0.4, 0.4, None, 0.4, 0.4])
        + [
            lab(u, "HBA1C", d, h, visit=v)
            for u, d, h, v in [
                ("S1", -7, 9.0, "Baseline"),
                ("S2", -7, 9.0, "Baseline"),
                ("S1", 365, 6.5, "Month 12"),
                ("S2", 365, 8.0, "Month 12"),
            ]
        ]
    )
    advs = vs_frame(
        vs("S1", -7, "Baseline", weight=40.0, tdd=(40, 40, 40))
        + vs("S2", -7, "Baseline", weight=40.0, tdd=(40, 40, 40))
        + vs("S1", 365, "Month 12", weight=40.0, tdd=(10, 10, 10))
        + vs("S2", 365, "Month 12", weight=40.0, tdd=(40, 40, 40))
    )
    adsl = pd.DataFrame({"USUBJID": ["S1", "S2"], "ARM": "PLMSC"})
    return compute_sensitivity(adlb, advs, adsl, ANALYSIS, "single_arm", "Month 12")


def _value(tidy, convention, option, measure, visit, column="MEDIAN"):
    row = tidy[
        (tidy["CONVENTION"] == convention)
        & (tidy["OPTION"] == option)
        & (tidy["MEASURE"] == measure)
        & (tidy["AVISIT"] == visit)
    ]
    assert len(row) == 1, (convention, option, measure, visit)
    return row.iloc[0][column]


def test_below_limit_options_month_12(hand_made):
    # S1 month 12: AUC = (C0 + 0.12) / 2 x 15 + 0.12 x 105 (= 12.6), mean AUC = AUC / 120.
    # half: C0 = 0.03 -> 1.125 + 12.6 = 13.725 -> 0.114375
    # limit: C0 = 0.06 -> 1.35 + 12.6 = 13.95 -> 0.11625;  zero: 0.9 + 12.6 -> 0.1125
    # S2 month 12 has a missing 60-min draw: no AUC by default, so n = 1.
    assert _value(hand_made, "blq", "half", "CPAUC", "Month 12") == pytest.approx(0.114375)
    assert _value(hand_made, "blq", "limit", "CPAUC", "Month 12") == pytest.approx(0.11625)
    assert _value(hand_made, "blq", "zero", "CPAUC", "Month 12") == pytest.approx(0.1125)
    assert _value(hand_made, "blq", "zero", "CPAUC", "Month 12", "N") == 1


def test_missing_draw_interpolated_adds_a_participant(hand_made):
    # S2: 60 min interpolated between 0.4 and 0.4 -> flat 0.4 curve, mean AUC 0.4.
    # median of S1 0.114375 and S2 0.4 = 0.2571875, n = 2
    assert _value(hand_made, "missing_draw", "interpolate", "CPAUC", "Month 12") == pytest.approx(
        0.2571875
    )
    assert _value(hand_made, "missing_draw", "interpolate", "CPAUC", "Month 12", "N") == 2
    assert _value(hand_made, "missing_draw", "missing", "CPAUC", "Month 12", "N") == 1
    # change at month 12: S1 0.114375 - 0.3 = -0.185625; S2 0.4 - 0.6 = -0.2; median -0.1928125
    assert _value(
        hand_made, "missing_draw", "interpolate", "CPAUC_CHG", "Month 12"
    ) == pytest.approx(-0.1928125)
    assert _value(hand_made, "missing_draw", "missing", "CPAUC_CHG", "Month 12") == pytest.approx(
        -0.185625
    )


def test_mmtt_start_option_changes_the_baseline(hand_made):
    # S2 baseline starts at mean(0.4, 0.6) = 0.5: (0.5 + 0.6) / 2 x 15 = 8.25, + 0.6 x 105 = 63
    # -> 71.25 / 120 = 0.59375; S1 has no -10 sample and keeps 0.3. Median 0.446875.
    assert _value(hand_made, "mmtt_start", "zero", "CPAUC", "Baseline") == pytest.approx(0.45)
    assert _value(
        hand_made, "mmtt_start", "mean_minus10_zero", "CPAUC", "Baseline"
    ) == pytest.approx(0.446875)


def test_remission_and_configured_flags(hand_made):
    # month 12: S1 IDAA1c = 6.5 + 4 x 10/40 = 7.5 (remission), S2 = 8 + 4 x 1 = 12 (not)
    for convention, options in OPTIONS.items():
        for option in options:
            assert _value(hand_made, convention, option, "REMISS", "Month 12", "N_YES") == 1
            assert _value(hand_made, convention, option, "REMISS", "Month 12", "N") == 2
    assert configured_options(hand_made) == {
        "blq": "half",
        "mmtt_start": "zero",
        "missing_draw": "missing",
    }


def test_display_table_one_column_per_option(hand_made):
    table = sensitivity_table(hand_made)
    _, group, stub = layout(table)
    assert (group, stub) == ("Section", "Item")
    assert len(table.columns) == 2 + sum(len(o) for o in OPTIONS.values())
    row = table[table["Section"].str.startswith("C-peptide") & (table["Item"] == "Month 12")]
    # 3 decimals (registry) and n in brackets; the configured option is marked
    assert row["Below the limit of quantification: The limit"].item() == "0.116 (1)"
    assert row["Below the limit of quantification: Half the limit (configured)"].item() == (
        "0.114 (1)"
    )
    assert row["Missing draw: Interpolated"].item() == "0.257 (2)"


def test_sensitivity_matches_a_direct_recomputation(phase1_adam, config):
    """blq = zero on the phase 1 data: trapezoidal mean AUC of every scheduled MMTT
    computed here with numpy from the curves, median per visit, equals the table."""
    analysis = config["cohorts"]["phase1"]["analysis"]
    tidy = compute_sensitivity(
        phase1_adam["adlb"], phase1_adam["advs"], phase1_adam["adsl"], analysis, "single_arm"
    )
    curves = mmtt_curves(phase1_adam["adlb"], "zero").reset_index()
    curves = curves[curves["AVISIT"] != "UNSCHEDULED"]
    draws = curves[list(AUC_TIMES)].to_numpy(dtype=float)
    mean_auc = np.trapezoid(draws, x=AUC_TIMES, axis=1) / 120
    direct = pd.Series(mean_auc).groupby(curves["AVISIT"].to_numpy()).median()
    assert len(direct) == 5
    for visit, median in direct.items():
        assert _value(tidy, "blq", "zero", "CPAUC", visit) == pytest.approx(median, abs=1e-12)
