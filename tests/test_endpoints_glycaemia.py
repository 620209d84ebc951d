"""Insulin dose, IDAA1c, remission, baseline and change: values worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import REPO
from endpoint_fixtures import frame, lab, mmtt, vs, vs_frame

from plmsc.config import load_config
from plmsc.endpoints.adeff import derive_adeff, derive_glycaemic_endpoints
from plmsc.endpoints.change import derive_change, derive_flags, derive_log2_ratio
from plmsc.endpoints.glycaemia import (
    derive_idaa1c,
    derive_insulin_dose,
    derive_remission,
    derive_remission_ispad,
)


def test_insulin_dose_mean_of_entered_days_over_weight():
    advs = vs_frame(
        vs("S1", -5, "Baseline", weight=60.0, tdd=(30, 33, 36))  # 33 / 60 = 0.55
        + vs("S1", 31, "Month 1", weight=60.0, tdd=(30, 33, None))  # 31.5 / 60 = 0.525
        + vs("S1", 91, "Month 3", weight=None, tdd=(24, 24, 27))  # 25 / 60 (month 1 weight)
        + vs("S1", 182, "Month 6", weight=62.0, tdd=(None, None, None))  # no dose entered
    )
    got = derive_insulin_dose(advs).set_index("ADY")["AVAL"]
    assert got.to_dict() == {
        -5: pytest.approx(0.55),
        31: pytest.approx(0.525),
        91: pytest.approx(25 / 60),
    }


def test_no_weight_at_or_before_a_visit_gives_no_dose():
    advs = vs_frame(vs("S1", -5, "Baseline", weight=None, tdd=(30, 30, 30)))
    assert derive_insulin_dose(advs).empty


def test_idaa1c_and_remission_boundary():
    # IDAA1c = HbA1c + 4 x dose: 7.2 + 4 * 0.45 = 9.0 (in remission: <= 9); 7.3 + 1.8 = 9.1 (not)
    idaa1c = derive_idaa1c([7.2, 7.3, np.nan], [0.45, 0.45, 0.3])
    assert idaa1c[:2] == pytest.approx([9.0, 9.1])
    assert derive_remission(idaa1c).tolist()[:2] == [1.0, 0.0]
    assert np.isnan(derive_remission(idaa1c)[2])
    assert derive_remission([8.5], threshold=8.0).tolist() == [0.0]


def test_ispad_remission_needs_both_criteria_strictly():
    got = derive_remission_ispad([6.9, 6.9, 7.0, 6.0, np.nan], [0.49, 0.5, 0.3, 0.2, 0.2])
    assert got[:4].tolist() == [1.0, 0.0, 0.0, 1.0]
    assert np.isnan(got[4])


def test_two_hba1c_in_one_window_closest_to_target_is_analysed():
    adlb = frame(
        [
            lab("S1", "HBA1C", -5, 9.0, visit="Baseline"),
            lab("S1", "HBA1C", 88, 7.0, visit="Month 3"),  # 2 days from day 90: analysed
            lab("S1", "HBA1C", 93, 7.4, visit="Month 3"),  # 3 days away
            lab("S2", "HBA1C", 87, 7.0, visit="Month 3"),  # 3 days either side: the later wins
            lab("S2", "HBA1C", 93, 7.6, visit="Month 3"),
        ]
    )
    advs = vs_frame(
        vs("S1", -5, "Baseline", weight=50.0, tdd=(40, 40, 40))
        + vs("S1", 90, "Month 3", weight=50.0, tdd=(20, 20, 20))  # 0.4 U/kg/24 h
        + vs("S2", 90, "Month 3", weight=40.0, tdd=(20, 20, 20))  # 0.5 U/kg/24 h
    )
    out = derive_flags(derive_glycaemic_endpoints(adlb, advs).assign())
    idaa = out[out["PARAMCD"] == "IDAA1C"].set_index(["USUBJID", "AVISIT"])["AVAL"]
    assert idaa[("S1", "Month 3")] == pytest.approx(7.0 + 4 * 0.4)  # 8.6
    assert idaa[("S2", "Month 3")] == pytest.approx(7.6 + 4 * 0.5)  # 9.6
    assert idaa[("S1", "Baseline")] == pytest.approx(9.0 + 4 * 0.8)  # 12.2
    anl = out[(out["PARAMCD"] == "HBA1C") & out["ANL01FL"].eq("Y")].set_index("USUBJID")
    assert anl.loc["S1", "ADY"].tolist() == [-5, 88]
    assert anl.loc[["S2"], "ADY"].tolist() == [93]


def test_baseline_change_and_percent_change():
    rows = pd.DataFrame(
        {
            "USUBJID": ["S1"] * 4 + ["S2"] * 2,
            "PARAMCD": ["GADA"] * 6,
            "ADY": pd.array([-10, -3, 0, 90, -5, 90], dtype="Int64"),
            "AVISIT": ["Baseline", "Baseline", "Infusion", "Month 3", "Baseline", "Month 3"],
            "AVISITN": pd.array([-7, -7, 0, 90, -7, 90], dtype="Int64"),
            "AVAL": [5.0, np.nan, 80.0, 40.0, 0.0, 12.0],
        }
    )
    out = derive_change(derive_flags(rows))
    s1 = out[out["USUBJID"] == "S1"].set_index("ADY")
    # baseline: the last non-missing value on or before day 0 -> day 0 (80)
    assert s1["ABLFL"].eq("Y").tolist() == [False, False, True, False]
    assert s1.loc[90, ["BASE", "CHG", "PCHG"]].tolist() == [80.0, -40.0, -50.0]
    assert derive_log2_ratio(s1["AVAL"], s1["BASE"])[90] == pytest.approx(-1.0)  # log2(40/80)
    s2 = out[out["USUBJID"] == "S2"].set_index("ADY")
    # BASE = 0: CHG defined (12), PCHG and the log2 ratio missing
    assert s2.loc[90, "CHG"] == 12.0 and np.isnan(s2.loc[90, "PCHG"])
    assert np.isnan(derive_log2_ratio(s2["AVAL"], s2["BASE"])[90])


def test_antibody_percent_change_and_log_ratio_only_for_a_positive_baseline():
    from plmsc.endpoints.adeff import derive_var_antibody_change

    eff = pd.DataFrame(
        {
            "PARAMCD": ["GADA", "GADA", "GADA", "ZNT8A", "HBA1C"],
            "AVAL": [40.0, 12.0, 20.0, 30.0, 7.0],
            "BASE": [80.0, 10.0, 5.0, 14.9, 5.0],
        }
    )
    eff["CHG"] = eff["AVAL"] - eff["BASE"]
    eff["PCHG"] = 100 * eff["CHG"] / eff["BASE"]
    eff["LR2BASE"] = np.log2(eff["AVAL"] / eff["BASE"])
    out = derive_var_antibody_change(eff, {"GADA": 10, "ZNT8A": 15, "IA2A": 7.5})
    # GADA base 80 (positive): PCHG = 100 * (40 - 80) / 80 = -50, log2(40/80) = -1
    assert out.loc[0, ["CHG", "PCHG", "LR2BASE"]].tolist() == [-40.0, -50.0, -1.0]
    # GADA base 10 = cut-off: positive, PCHG = 100 * 2 / 10 = 20
    assert out.loc[1, "PCHG"] == pytest.approx(20.0)
    # GADA base 5 < 10 and ZnT8A base 14.9 < 15: CHG kept (15, 15.1), PCHG and log2 missing
    assert out.loc[2, "CHG"] == 15.0 and np.isnan(out.loc[2, "PCHG"])
    assert np.isnan(out.loc[2, "LR2BASE"])
    assert out.loc[3, "CHG"] == pytest.approx(15.1) and np.isnan(out.loc[3, "PCHG"])
    # not an antibody: unchanged (PCHG = 100 * 2 / 5 = 40)
    assert out.loc[4, "PCHG"] == pytest.approx(40.0)


def test_adeff_assembles_every_parameter():
    analysis = load_config(REPO / "config.yaml")["cohorts"]["phase1"]["analysis"]
    adlb = frame(
        mmtt("S1", -5, "Baseline", [0.2, 0.4, 0.6, 0.8, 0.7, 0.5])
        + mmtt("S1", 91, "Month 3", [0.1, 0.2, 0.3, 0.4, 0.35, 0.25])
        + [
            lab("S1", "HBA1C", -5, 9.0, visit="Baseline"),
            lab("S1", "HBA1C", 31, 7.4, visit="Month 1"),
            lab("S1", "GADA", -5, 80.0, visit="Baseline"),
            lab("S1", "GADA", 91, 9.9, visit="Month 3"),
            lab("S1", "ZNT8A", -5, 20.0, visit="Baseline"),
            lab("S1", "IA2A", -5, 0.4, visit="Baseline", lloq=0.8, lloqfl="Y"),
        ]
    )
    advs = vs_frame(
        vs("S1", -5, "Baseline", weight=40.0, tdd=(32, 32, 32))
        + vs("S1", 31, "Month 1", weight=40.0, tdd=(12, 12, 12))
    )
    eff = derive_adeff(adlb, advs, analysis)
    got = eff.set_index(["PARAMCD", "AVISIT"])
    assert set(eff["PARAMCD"]) == {
        "CPAUC", "CPAUCL", "CPFAST", "CPPEAK", "HBA1C", "INSDOSE", "IDAA1C", "REMISS",
        "REMISPAD", "GADA", "ZNT8A", "IA2A",
    }  # fmt: skip
    # month 1: dose 12/40 = 0.3; IDAA1c = 7.4 + 1.2 = 8.6 -> remission; ISPAD: 7.4 >= 7 -> no
    assert got.loc[("IDAA1C", "Month 1"), "AVAL"] == pytest.approx(8.6)
    assert got.loc[("REMISS", "Month 1"), "AVAL"] == 1.0
    assert got.loc[("REMISPAD", "Month 1"), "AVAL"] == 0.0
    assert np.isnan(got.loc[("REMISS", "Month 1"), "CHG"])  # no change for yes/no parameters
    # baseline IDAA1c: 9.0 + 4 * 0.8 = 12.2; CHG = 8.6 - 12.2 = -3.6
    assert got.loc[("IDAA1C", "Month 1"), "CHG"] == pytest.approx(-3.6)
    # CPAUC: 0.6125 at baseline, 0.30625 at month 3: CHG -0.30625, PCHG -50 %
    assert got.loc[("CPAUC", "Month 3"), ["CHG", "PCHG"]].tolist() == pytest.approx(
        [-0.30625, -50.0]
    )
    # GADA 9.9 IU/mL is below the 10 IU/mL cut-off; IA2A '<0.8' counts as 0.4
    assert got.loc[("GADA", "Month 3"), "CRIT1FL"] == "N"
    assert got.loc[("GADA", "Baseline"), ["CRIT1", "CRIT1FL"]].tolist() == ["GADA >= 10 IU/mL", "Y"]
    assert got.loc[("GADA", "Month 3"), "LR2BASE"] == pytest.approx(np.log2(9.9 / 80))
    assert got.loc[("IA2A", "Baseline"), "AVAL"] == pytest.approx(0.4)
    assert eff[["USUBJID", "PARAMCD", "AVISITN", "ADY"]].equals(
        eff[["USUBJID", "PARAMCD", "AVISITN", "ADY"]].sort_values(
            ["USUBJID", "PARAMCD", "AVISITN", "ADY"]
        )
    )
