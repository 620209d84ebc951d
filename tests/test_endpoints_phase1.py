"""The phase 1 endpoints agree with the published course (Madani et al. 2021)."""

from __future__ import annotations

import pandas as pd
import pytest

from plmsc.endpoints.adeff import derive_adeff
from plmsc.endpoints.safety import summarise_adverse_events, summarise_hypoglycaemia


@pytest.fixture(scope="module")
def adeff(phase1_adam, config) -> pd.DataFrame:
    return derive_adeff(
        phase1_adam["adlb"], phase1_adam["advs"], config["cohorts"]["phase1"]["analysis"]
    )


def _analysed(adeff: pd.DataFrame, code: str) -> pd.DataFrame:
    rows = adeff[(adeff["PARAMCD"] == code) & adeff["ANL01FL"].eq("Y")]
    return rows.pivot(index="USUBJID", columns="AVISIT", values="AVAL")


def test_two_participants_in_remission_at_month_1(adeff, phase1_adam):
    remiss = _analysed(adeff, "REMISS")
    assert remiss["Baseline"].sum() == 0
    in_remission = set(remiss.index[remiss["Month 1"] == 1])
    assert len(in_remission) == 2
    assert (_analysed(adeff, "IDAA1C").loc[sorted(in_remission), "Month 1"] <= 9).all()
    hypo = phase1_adam["adhypo"]
    attacks = hypo[hypo["LEVEL"].notna() & hypo["ADY"].between(15, 50)]
    assert in_remission <= set(attacks["USUBJID"])


def test_antibody_nadir_at_month_3(adeff):
    for code in ("GADA", "ZNT8A"):
        wide = _analysed(adeff, code)
        course = wide[
            ["Baseline", "Month 1", "Month 2", "Month 3", "Month 6", "Month 9", "Month 12"]
        ]
        assert (course.idxmin(axis=1) == "Month 3").all(), code
        assert (course["Month 12"] > course["Month 3"]).all(), code
        chg = adeff[(adeff["PARAMCD"] == code) & (adeff["AVISIT"] == "Month 3")]
        assert (chg["CHG"] < 0).all() and (chg["PCHG"] < 0).all()


def test_stimulated_c_peptide_declines(adeff):
    auc = _analysed(adeff, "CPAUC")
    assert auc.notna().all().all()
    assert (auc["Month 12"] < auc["Baseline"]).all()
    assert (auc["Month 6"] < auc["Baseline"]).all()
    assert (adeff.loc[adeff["PARAMCD"] == "CPAUC", "AVALU"] == "nmol/L").all()


def test_no_serious_adverse_event(phase1_adam):
    overview = summarise_adverse_events(phase1_adam["adae"], phase1_adam["adsl"])["ae_overview"]
    counts = overview.set_index("CATEGORY")["N_PARTICIPANTS"]
    assert counts["Any treatment-emergent adverse event"] >= 1
    assert counts["Serious adverse event"] == 0 and counts["Grade 3 or higher"] == 0


def test_hypoglycaemia_concentrates_in_the_first_months(phase1_adam, config):
    periods = config["cohorts"]["phase1"]["analysis"]["hypo_periods"]
    _, rates = summarise_hypoglycaemia(phase1_adam["adhypo"], phase1_adam["adsl"], periods)
    any_level = rates[(rates["ARM"] == "Total") & (rates["LEVEL"] == "Any level")].set_index(
        "PERIOD"
    )
    assert any_level.loc["Days 0-30", "RATE_PER_PY"] > any_level.loc["Days 181-365", "RATE_PER_PY"]
