"""C-peptide endpoints, each expected value worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from endpoint_fixtures import frame, lab, mmtt

from plmsc.endpoints.cpeptide import (
    derive_auc,
    derive_blq_value,
    derive_cpeptide_endpoints,
    interpolate_single_interior,
)
from plmsc.ingest.units import convert_units

CURVE = [0.2, 0.4, 0.6, 0.8, 0.7, 0.5]
# AUC = (0.2+0.4)/2*15 + (0.4+0.6)/2*15 + (0.6+0.8)/2*30 + (0.8+0.7)/2*30 + (0.7+0.5)/2*30
#     = 4.5 + 7.5 + 21 + 22.5 + 18 = 73.5 nmol/L*min; mean AUC = 73.5 / 120 = 0.6125 nmol/L
CURVE_MEAN_AUC = 0.6125


def _param(out: pd.DataFrame, code: str) -> pd.Series:
    return out[out["PARAMCD"] == code].set_index(["USUBJID", "ADY"])["AVAL"]


def test_trapezoid_auc_by_hand():
    assert derive_auc(np.array([CURVE]))[0] == pytest.approx(73.5)


def test_endpoints_of_one_complete_mmtt():
    out = derive_cpeptide_endpoints(frame(mmtt("S1", -5, "Baseline", CURVE, minus10=0.18)))
    assert _param(out, "CPAUC")[("S1", -5)] == pytest.approx(CURVE_MEAN_AUC)
    assert _param(out, "CPAUCL")[("S1", -5)] == pytest.approx(math.log(1.6125))  # 0.477786
    assert _param(out, "CPPEAK")[("S1", -5)] == pytest.approx(0.8)
    assert _param(out, "CPFAST")[("S1", -5)] == pytest.approx(0.2)
    assert set(out["AVISIT"]) == {"Baseline"}


def test_start_from_the_mean_of_minus10_and_0():
    # start (0.18 + 0.2) / 2 = 0.19: first segment (0.19 + 0.4)/2*15 = 4.425 instead of 4.5
    # AUC = 73.425, mean 0.611875
    out = derive_cpeptide_endpoints(
        frame(mmtt("S1", -5, "Baseline", CURVE, minus10=0.18)), mmtt_start="mean_minus10_zero"
    )
    assert _param(out, "CPAUC")[("S1", -5)] == pytest.approx(0.611875)
    # with the -10 min draw missing, the 0-min sample alone starts the curve
    out = derive_cpeptide_endpoints(
        frame(mmtt("S1", -5, "Baseline", CURVE)), mmtt_start="mean_minus10_zero"
    )
    assert _param(out, "CPAUC")[("S1", -5)] == pytest.approx(CURVE_MEAN_AUC)


def test_missing_draw_default_makes_the_auc_missing():
    curve = [0.2, 0.4, 0.6, None, 0.7, 0.5]
    out = derive_cpeptide_endpoints(frame(mmtt("S1", 90, "Month 3", curve)))
    assert np.isnan(_param(out, "CPAUC")[("S1", 90)])
    assert np.isnan(_param(out, "CPAUCL")[("S1", 90)])
    # the peak follows the AUC's missing-draw convention (0.7 may not be the true peak)
    assert np.isnan(_param(out, "CPPEAK")[("S1", 90)])


def test_missing_interior_draw_interpolated():
    # C60 = 0.6 + (0.7 - 0.6) * (60 - 30) / (90 - 30) = 0.65
    # AUC = 4.5 + 7.5 + (0.6+0.65)/2*30 + (0.65+0.7)/2*30 + 18 = 4.5+7.5+18.75+20.25+18 = 69.0
    curve = [0.2, 0.4, 0.6, None, 0.7, 0.5]
    out = derive_cpeptide_endpoints(
        frame(mmtt("S1", 90, "Month 3", curve)), missing_draw="interpolate"
    )
    assert _param(out, "CPAUC")[("S1", 90)] == pytest.approx(69.0 / 120)


@pytest.mark.parametrize(
    "curve",
    [
        [None, 0.4, 0.6, 0.8, 0.7, 0.5],  # the first draw is never interpolated
        [0.2, 0.4, 0.6, 0.8, 0.7, None],  # nor the last
        [0.2, None, 0.6, None, 0.7, 0.5],  # only a single missing draw is
    ],
)
def test_interpolation_limits(curve):
    grid = np.array([[np.nan if v is None else v for v in curve]])
    assert np.isnan(derive_auc(interpolate_single_interior(grid))[0])


def test_all_below_the_limit():
    # '<0.05 ng/mL' = 0.05 * 1000 / 3020.29 = 0.0165547 nmol/L; a flat curve's mean AUC is its value
    lloq = 0.05 * 1000 / 3020.29
    rows = frame(mmtt("S1", 365, "Month 12", [lloq / 2] * 6, lloq=lloq, lloqfl="Y"))
    for blq, expected in (("half", 0.00827735), ("limit", 0.0165547), ("zero", 0.0)):
        out = derive_cpeptide_endpoints(rows, blq=blq)
        assert _param(out, "CPAUC")[("S1", 365)] == pytest.approx(expected, abs=1e-7)
        assert _param(out, "CPPEAK")[("S1", 365)] == pytest.approx(expected, abs=1e-7)


def test_blq_value_keeps_quantified_results():
    got = derive_blq_value(
        pd.Series([0.3, 0.01]), pd.Series([np.nan, 0.02]), pd.Series([None, "Y"]), "half"
    )
    assert got.tolist() == [0.3, 0.01]


def test_ng_per_ml_and_pmol_per_l_in_one_participant():
    # baseline on the old analyser (ng/mL), month 12 on the new one (pmol/L)
    ng = [0.6, 1.2, 1.8, 2.4, 2.1, 1.5]
    pmol = [100, 200, 300, 400, 350, 250]
    conv = lambda vals, unit: convert_units(  # noqa: E731
        pd.Series(vals, dtype=float), pd.Series(["CPEP"] * 6), pd.Series([unit] * 6)
    ).tolist()
    rows = mmtt("S1", -3, "Baseline", conv(ng, "ng/mL")) + mmtt(
        "S1", 362, "Month 12", conv(pmol, "pmol/L")
    )
    out = derive_cpeptide_endpoints(frame(rows))
    auc = _param(out, "CPAUC")
    # baseline: AUC 13.5 + 22.5 + 63 + 67.5 + 54 = 220.5 ng/mL*min -> 1.8375 ng/mL
    #           -> 1.8375 * 1000 / 3020.29 = 0.608385 nmol/L
    assert auc[("S1", -3)] == pytest.approx(1.8375 * 1000 / 3020.29)
    assert auc[("S1", -3)] == pytest.approx(0.608385, abs=1e-6)
    # month 12: 0.1..0.4 nmol/L: 2.25 + 3.75 + 10.5 + 11.25 + 9 = 36.75 -> 0.30625 nmol/L
    assert auc[("S1", 362)] == pytest.approx(0.30625)


def test_unscheduled_mmtt_keeps_its_endpoints():
    out = derive_cpeptide_endpoints(frame(mmtt("S1", 140, "UNSCHEDULED", CURVE)))
    row = out[out["PARAMCD"] == "CPAUC"].iloc[0]
    assert row["AVISIT"] == "UNSCHEDULED" and row["ADY"] == 140 and pd.isna(row["AVISITN"])
    assert row["AVAL"] == pytest.approx(CURVE_MEAN_AUC)


def test_fasting_sample_gives_cpfast_when_there_is_no_mmtt():
    rows = [
        *mmtt("S1", -5, "Baseline", CURVE),
        lab("S1", "CPEP", 31, 0.25, visit="Month 1"),  # FASTING sample, no MMTT at month 1
        lab("S1", "CPEP", -5, 0.9, visit="Baseline"),  # a fasting sample beside an MMTT: not used
    ]
    out = derive_cpeptide_endpoints(frame(rows))
    cpfast = _param(out, "CPFAST")
    assert cpfast.to_dict() == {("S1", -5): pytest.approx(0.2), ("S1", 31): pytest.approx(0.25)}


def test_repeat_draw_that_lost_is_left_out():
    rows = mmtt("S1", 90, "Month 3", CURVE)
    rows.append(lab("S1", "CPEP", 90, 5.0, visit="Month 3", atptn=30, rptdrwfl="Y"))
    out = derive_cpeptide_endpoints(frame(rows))
    assert _param(out, "CPAUC")[("S1", 90)] == pytest.approx(CURVE_MEAN_AUC)


# --- sessions ------------------------------------------------------------------------
# CURVE2 = 0.1, 0.2, 0.3, 0.4, 0.35, 0.25:
# AUC = (0.1+0.2)/2*15 + (0.2+0.3)/2*15 + (0.3+0.4)/2*30 + (0.4+0.35)/2*30 + (0.35+0.25)/2*30
#     = 2.25 + 3.75 + 10.5 + 11.25 + 9 = 36.75; mean 36.75 / 120 = 0.30625 nmol/L
CURVE2 = [0.1, 0.2, 0.3, 0.4, 0.35, 0.25]
CURVE2_MEAN_AUC = 0.30625


def _adeff(rows):
    from plmsc.endpoints.adeff import derive_adeff

    analysis = {
        "blq": "half",
        "mmtt_start": "zero",
        "missing_draw": "missing",
        "remission_idaa1c": 9.0,
        "antibody_cutoffs": {"GADA": 10.0, "ZNT8A": 15.0, "IA2A": 7.5},
    }
    advs = pd.DataFrame(
        {
            "USUBJID": pd.Series([], dtype=str),
            "PARAMCD": pd.Series([], dtype=str),
            "AVAL": pd.Series([], dtype=float),
            "ADY": pd.Series([], dtype="Int64"),
            "AVISIT": pd.Series([], dtype=str),
            "AVISITN": pd.Series([], dtype="Int64"),
        }
    )
    eff = derive_adeff(frame(rows), advs, analysis)
    return eff[eff["PARAMCD"].isin(["CPAUC", "CPAUCL", "CPPEAK", "CPFAST"])]


def _flags(eff, visit):
    d = eff[eff["AVISIT"] == visit]
    return {
        (r.PARAMCD, int(r.ADY)): (None if pd.isna(r.AVAL) else round(r.AVAL, 6), r.ANL01FL == "Y")
        for r in d.itertuples()
    }


def test_two_complete_sessions_in_one_window_both_kept_the_closer_analysed():
    # Month 3 target day 90: sessions on day 84 (6 days off) and day 93 (3 days off)
    rows = mmtt("S1", 84, "Month 3", CURVE) + mmtt("S1", 93, "Month 3", CURVE2)
    got = _flags(_adeff(rows), "Month 3")
    assert got[("CPAUC", 84)] == (CURVE_MEAN_AUC, False)
    assert got[("CPAUC", 93)] == (CURVE2_MEAN_AUC, True)
    # every endpoint of the analysed session, from that session only
    assert got[("CPPEAK", 93)] == (0.4, True) and got[("CPPEAK", 84)] == (0.8, False)
    assert got[("CPFAST", 93)] == (0.1, True) and got[("CPFAST", 84)] == (0.2, False)
    assert got[("CPAUCL", 93)] == (round(math.log(1.30625), 6), True)


def test_incomplete_session_keeps_its_missing_auc_and_the_complete_one_is_analysed():
    # day 90 (on target) lacks its 60-min draw; day 96 is complete
    gap = [0.2, 0.4, 0.6, None, 0.7, 0.5]
    rows = mmtt("S1", 90, "Month 3", gap) + mmtt("S1", 96, "Month 3", CURVE2)
    got = _flags(_adeff(rows), "Month 3")
    assert got[("CPAUC", 90)] == (None, False)  # kept, missing, not analysed
    assert got[("CPPEAK", 90)] == (None, False)  # peak of an incomplete curve: missing
    assert got[("CPFAST", 90)] == (0.2, False)  # its 0-min draw alone gives a CPFAST
    assert got[("CPAUC", 96)] == (CURVE2_MEAN_AUC, True)
    assert got[("CPFAST", 96)] == (0.1, True)  # from the analysed session, not the closer one
    # no borrowing: day 96's own curve gives 0.30625, day 90 did not take its 60-min draw
    assert len(got) == 8


def test_sessions_tied_on_distance_go_to_the_later_one():
    # days 87 and 93 are both 3 days from 90
    rows = mmtt("S1", 87, "Month 3", CURVE) + mmtt("S1", 93, "Month 3", CURVE2)
    got = _flags(_adeff(rows), "Month 3")
    assert got[("CPAUC", 87)][1] is False and got[("CPAUC", 93)][1] is True


def test_re_drawn_tube_within_a_session_the_non_missing_one_counts():
    # the 30-min tube was haemolysed (missing) and re-drawn; ADLB flagged neither
    # (unscheduled session), so the curve takes the non-missing tube
    rows = mmtt("S1", 200, "UNSCHEDULED", [0.2, 0.4, None, 0.8, 0.7, 0.5])
    rows.append(lab("S1", "CPEP", 200, 0.6, visit="UNSCHEDULED", atptn=30))
    out = derive_cpeptide_endpoints(frame(rows))
    assert _param(out, "CPAUC")[("S1", 200)] == pytest.approx(CURVE_MEAN_AUC)


def test_peak_follows_the_missing_draw_convention():
    curve = [0.2, 0.4, 0.6, None, 0.7, 0.5]
    out = derive_cpeptide_endpoints(frame(mmtt("S1", 90, "Month 3", curve)))
    assert np.isnan(_param(out, "CPPEAK")[("S1", 90)])
    assert _param(out, "CPFAST")[("S1", 90)] == pytest.approx(0.2)
    # interpolation: 60 min = 0.6 + (0.7 - 0.6) * 30/60 = 0.65; the peak is the highest
    # observed draw, 0.7 (the interpolated point is never above its neighbours)
    out = derive_cpeptide_endpoints(
        frame(mmtt("S1", 90, "Month 3", curve)), missing_draw="interpolate"
    )
    assert _param(out, "CPPEAK")[("S1", 90)] == pytest.approx(0.7)
    # a missing last draw is never interpolated: AUC and peak missing
    last = [0.2, 0.4, 0.6, 0.8, 0.7, None]
    out = derive_cpeptide_endpoints(
        frame(mmtt("S1", 90, "Month 3", last)), missing_draw="interpolate"
    )
    assert np.isnan(_param(out, "CPAUC")[("S1", 90)])
    assert np.isnan(_param(out, "CPPEAK")[("S1", 90)])
