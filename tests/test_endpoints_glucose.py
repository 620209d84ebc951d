"""GLUAUC, the glucose mean AUC 0-120 min of the MMTT, each value worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from endpoint_fixtures import frame, mmtt

from plmsc.endpoints.adeff import SESSION_PARAMS, derive_var_session_anl01fl
from plmsc.endpoints.change import derive_flags
from plmsc.endpoints.cpeptide import derive_cpeptide_endpoints
from plmsc.endpoints.glucose import derive_glucose_endpoints
from plmsc.endpoints.registry import endpoint, select

# Glucose (mg/dL) at 0, 15, 30, 60, 90, 120 min:
GLUCOSE = [100, 140, 180, 200, 160, 120]
# AUC = (100+140)/2*15 + (140+180)/2*15 + (180+200)/2*30 + (200+160)/2*30 + (160+120)/2*30
#     = 1800 + 2400 + 5700 + 5400 + 4200 = 19500 mg/dL*min; mean AUC = 19500 / 120 = 162.5
GLUCOSE_MEAN_AUC = 162.5


def glucose(usubjid, ady, visit, values, **kw):
    """Glucose rows of one MMTT (the C-peptide fixture with PARAMCD = GLU)."""
    return [{**row, "PARAMCD": "GLU"} for row in mmtt(usubjid, ady, visit, values, **kw)]


def _auc(out: pd.DataFrame) -> pd.Series:
    return out[out["PARAMCD"] == "GLUAUC"].set_index(["USUBJID", "ADY"])["AVAL"]


def test_mean_auc_of_one_complete_mmtt():
    out = derive_glucose_endpoints(frame(glucose("S1", -5, "Baseline", GLUCOSE)))
    assert _auc(out)[("S1", -5)] == pytest.approx(GLUCOSE_MEAN_AUC)
    assert out["AVALU"].tolist() == ["mg/dL"]
    assert out["AVISIT"].tolist() == ["Baseline"]


def test_reads_only_glucose_draws():
    # C-peptide draws of the same session do not enter the glucose curve, and
    # C-peptide alone gives no GLUAUC row.
    rows = glucose("S1", -5, "Baseline", GLUCOSE) + mmtt("S1", -5, "Baseline", [1] * 6)
    rows += mmtt("S2", -5, "Baseline", [1] * 6)
    out = derive_glucose_endpoints(frame(rows))
    assert _auc(out).to_dict() == {("S1", -5): pytest.approx(GLUCOSE_MEAN_AUC)}


def test_start_from_the_mean_of_minus10_and_0():
    # start (80 + 100) / 2 = 90: first segment (90 + 140)/2*15 = 1725 instead of 1800
    # AUC = 19425, mean 19425 / 120 = 161.875
    rows = glucose("S1", -5, "Baseline", GLUCOSE, minus10=80)
    out = derive_glucose_endpoints(frame(rows), mmtt_start="mean_minus10_zero")
    assert _auc(out)[("S1", -5)] == pytest.approx(161.875)
    # default: the 0-min draw alone starts the curve
    assert _auc(derive_glucose_endpoints(frame(rows)))[("S1", -5)] == pytest.approx(162.5)


def test_missing_draw_missing_or_interpolated():
    curve = [100, 140, 180, None, 160, 120]
    out = derive_glucose_endpoints(frame(glucose("S1", 90, "Month 3", curve)))
    assert np.isnan(_auc(out)[("S1", 90)])
    # C60 = 180 + (160 - 180) * (60 - 30) / (90 - 30) = 170
    # AUC = 1800 + 2400 + (180+170)/2*30 + (170+160)/2*30 + 4200 = 1800+2400+5250+4950+4200
    #     = 18600; mean 155
    out = derive_glucose_endpoints(
        frame(glucose("S1", 90, "Month 3", curve)), missing_draw="interpolate"
    )
    assert _auc(out)[("S1", 90)] == pytest.approx(155.0)


def test_below_limit_draw_follows_the_blq_convention():
    # every draw "<20": half -> 10 mg/dL flat (mean AUC 10), limit -> 20, zero -> 0
    rows = glucose("S1", 90, "Month 3", [20] * 6, lloq=20.0, lloqfl="Y")
    for blq, expected in (("half", 10.0), ("limit", 20.0), ("zero", 0.0)):
        out = derive_glucose_endpoints(frame(rows), blq=blq)
        assert _auc(out)[("S1", 90)] == pytest.approx(expected), blq


def test_two_sessions_keep_their_own_study_day():
    rows = glucose("S1", 85, "Month 3", GLUCOSE) + glucose("S1", 95, "Month 3", [100] * 6)
    out = derive_glucose_endpoints(frame(rows))
    assert _auc(out).to_dict() == {
        ("S1", 85): pytest.approx(162.5),
        ("S1", 95): pytest.approx(100.0),  # a flat curve's mean AUC is its level
    }


def test_analysed_gluauc_comes_from_the_analysed_c_peptide_session():
    # Month 3 (target day 90): day 85 has a complete C-peptide curve, day 92 (closer)
    # lost its 60-min C-peptide draw, so its CPAUC is missing and day 85 is the
    # analysed session. Its glucose goes with it, although day 92's GLUAUC (100)
    # is non-missing and closer to the target.
    rows = mmtt("S1", 85, "Month 3", [0.2, 0.4, 0.6, 0.8, 0.7, 0.5])
    rows += mmtt("S1", 92, "Month 3", [0.2, 0.4, 0.6, None, 0.7, 0.5])
    rows += glucose("S1", 85, "Month 3", GLUCOSE) + glucose("S1", 92, "Month 3", [100] * 6)
    adlb = frame(rows)
    eff = pd.concat(
        [derive_cpeptide_endpoints(adlb), derive_glucose_endpoints(adlb)], ignore_index=True
    )
    eff = derive_var_session_anl01fl(derive_flags(eff))
    anl = eff[eff["ANL01FL"].eq("Y").fillna(False)].set_index("PARAMCD")["ADY"]
    assert anl["CPAUC"] == 85 and anl["GLUAUC"] == 85
    assert "GLUAUC" in SESSION_PARAMS


def test_registry_carries_gluauc_to_every_reader():
    e = endpoint("GLUAUC")
    assert e.label == "Glucose mean AUC 0-120 min (mg/dL)" == e.param
    assert "GLUAUC" in select(table="table2_endpoints")
    assert "GLUAUC" in select(test="exploratory")
    assert "GLUAUC" in select(notebook="03_beta_cell")
