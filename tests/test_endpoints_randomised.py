"""Two-arm analyses: ANCOVA, remission by arm, mixed model."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from plmsc.endpoints.randomised import (
    ancova_arm_effect,
    ancova_frame,
    compute_back_transformed_difference,
    remission_by_arm,
    trajectory_model,
)


def _balanced() -> pd.DataFrame:
    # The same covariate values in both arms, so arm is orthogonal to the covariates and
    # the adjusted difference equals the raw difference of the arm means.
    cov = {
        "BASE": [0.4, 0.5, 0.6, 0.7],
        "AGE": [8.0, 14.0, 10.0, 12.0],
        "SEX": ["M", "F", "M", "F"],
    }
    t = pd.DataFrame({**cov, "ARM": "MSC", "Y": [0.50, 0.60, 0.55, 0.65]})
    r = pd.DataFrame({**cov, "ARM": "PLACEBO", "Y": [0.40, 0.45, 0.35, 0.50]})
    d = pd.concat([t, r], ignore_index=True)
    d["MALE"] = (d["SEX"] == "M").astype(float)
    return d


def test_ancova_adjusted_means_and_difference_by_hand():
    got = ancova_arm_effect(_balanced())
    assert got["STATUS"] == "estimated" and got["REASON"] == ""
    # arm means 0.575 and 0.425: difference 0.15 on the log(AUC + 1) scale
    assert got["ADJMEAN_TREATED_LOG"] == pytest.approx(0.575)
    assert got["ADJMEAN_REFERENCE_LOG"] == pytest.approx(0.425)
    assert got["DIFF_LOG"] == pytest.approx(0.15)
    # back-transformed: exp(0.575) - 1 = 0.777131, exp(0.425) - 1 = 0.529590; ratio exp(0.15)
    assert got["ADJMEAN_TREATED_NMOL"] == pytest.approx(math.exp(0.575) - 1)
    assert got["ADJMEAN_TREATED_NMOL"] == pytest.approx(0.777131, abs=1e-6)
    assert got["ADJMEAN_REFERENCE_NMOL"] == pytest.approx(0.529590, abs=1e-6)
    assert got["RATIO_AUCP1"] == pytest.approx(math.exp(0.15))
    # difference in nmol/L: 0.777131 - 0.529590 = 0.247541
    assert got["DIFF_NMOL"] == pytest.approx(0.247541, abs=1e-6)
    assert got["DIFF_NMOL_LO"] < got["DIFF_NMOL"] < got["DIFF_NMOL_HI"]
    assert got["DIFF_LOG_LO"] < 0.15 < got["DIFF_LOG_HI"]
    assert (
        got["ADJMEAN_TREATED_NMOL_LO"]
        < got["ADJMEAN_TREATED_NMOL"]
        < got["ADJMEAN_TREATED_NMOL_HI"]
    )
    assert (got["N_TREATED"], got["N_REFERENCE"], got["TREATED"]) == (4, 4, "MSC")
    # 8 participants - 5 coefficients (intercept, arm, BASE, AGE, MALE) = 3
    assert got["DF_RESID"] == 3 and got["COVARIATES"] == "BASE AGE MALE"
    assert 0 < got["P"] < 0.05


def test_delta_method_by_hand():
    # m_t = ln 1.5, m_r = ln 1.2: back-transformed means 0.5 and 0.2, difference 0.3 nmol/L
    # grad = (e^m_t, -e^m_r) = (1.5, -1.2); V = [[0.01, 0.002], [0.002, 0.01]]
    # Var = 1.5^2 * 0.01 + 1.2^2 * 0.01 - 2 * 1.5 * 1.2 * 0.002 = 0.0225 + 0.0144 - 0.0072
    #     = 0.0297; SE = sqrt(0.0297) = 0.172337; with critical value 2: 0.3 -/+ 0.344674
    cov = np.array([[0.01, 0.002], [0.002, 0.01]])
    g, se, lo, hi = compute_back_transformed_difference(math.log(1.5), math.log(1.2), cov, 2.0)
    assert g == pytest.approx(0.3)
    assert se == pytest.approx(0.172337, abs=1e-6)
    assert (lo, hi) == (pytest.approx(-0.044674, abs=1e-6), pytest.approx(0.644674, abs=1e-6))


def test_delta_method_matches_the_model_covariance():
    # balanced design: the two adjusted means are the arm means, independent, each with
    # variance sigma^2 / 4 (4 per arm; arm orthogonal to the covariates); so
    # SE(diff nmol/L)^2 = (e^(2*0.575) + e^(2*0.425)) * sigma^2 / 4
    data = _balanced()
    got = ancova_arm_effect(data)
    import statsmodels.formula.api as smf

    fit = smf.ols("Y ~ C(ARM) + BASE + AGE + MALE", data=data).fit()
    sigma2 = fit.scale
    expected = math.sqrt((math.exp(1.15) + math.exp(0.85)) * sigma2 / 4)
    assert got["DIFF_NMOL_SE"] == pytest.approx(expected, rel=1e-6)


def test_ancova_with_one_participant_per_arm_is_not_estimable():
    data = _balanced().iloc[[0, 4]]
    got = ancova_arm_effect(data)
    assert got["STATUS"] == "not estimable"
    assert got["REASON"] == "fewer than 2 participants in an arm (MSC 1, PLACEBO 1)"
    assert math.isnan(got["DIFF_LOG"]) and math.isnan(got["P"])
    assert (got["N_TREATED"], got["N_REFERENCE"]) == (1, 1)


def test_ancova_without_residual_degrees_of_freedom_is_not_estimable():
    # 2 per arm = 4 participants, 5 coefficients: no residual degree of freedom
    data = _balanced().iloc[[0, 1, 4, 5]]
    got = ancova_arm_effect(data)
    assert got["STATUS"] == "not estimable"
    assert got["REASON"].startswith("no residual degrees of freedom (4 participants, 5 model")


def test_ancova_needs_two_arms():
    got = ancova_arm_effect(_balanced().assign(ARM="MSC"))
    assert got["STATUS"] == "not estimable"
    assert got["REASON"] == "needs two arms, one of them PLACEBO; found MSC"


def test_ancova_leaves_out_a_covariate_with_one_value():
    # all participants male: MALE is constant, the model adjusts for BASE and AGE only
    got = ancova_arm_effect(_balanced().assign(MALE=1.0))
    assert got["STATUS"] == "estimated" and got["COVARIATES"] == "BASE AGE"
    assert got["DIFF_LOG"] == pytest.approx(0.15)


def test_ancova_frame_takes_analysed_rows_with_baseline():
    adeff = pd.DataFrame(
        {
            "USUBJID": ["A", "A", "B", "C"],
            "PARAMCD": ["CPAUCL"] * 4,
            "AVISIT": ["Month 12", "Month 6", "Month 12", "Month 12"],
            "AVAL": [0.3, 0.4, 0.2, 0.5],
            "BASE": [0.5, 0.5, np.nan, 0.6],
            "ANL01FL": ["Y", "Y", "Y", None],
        }
    )
    adsl = pd.DataFrame(
        {
            "USUBJID": ["A", "B", "C"],
            "ARM": ["MSC", "PLACEBO", "MSC"],
            "AGE": [9.0, 10, 11],
            "SEX": ["F", "M", "M"],
        }
    )
    d = ancova_frame(adeff, adsl, "Month 12")
    assert d[["USUBJID", "Y", "BASE", "MALE"]].values.tolist() == [["A", 0.3, 0.5, 0.0]]


def test_remission_by_arm_with_wilson_interval():
    adeff = pd.DataFrame(
        {
            "USUBJID": ["A", "B", "C", "D"],
            "PARAMCD": ["REMISS"] * 4,
            "AVISIT": ["Month 1"] * 4,
            "AVISITN": [30] * 4,
            "AVAL": [1.0, 1.0, 0.0, 0.0],
            "ANL01FL": ["Y"] * 4,
        }
    )
    adsl = pd.DataFrame({"USUBJID": ["A", "B", "C", "D"], "ARM": ["MSC", "MSC", "MSC", "PLACEBO"]})
    got = remission_by_arm(adeff, adsl).set_index("ARM")
    assert got.loc["MSC", ["N_REMISSION", "N_ASSESSED"]].tolist() == [2, 3]
    assert got.loc["MSC", "PCT"] == pytest.approx(200 / 3)
    # Wilson: p = 2/3, n = 3, z = 1.959964
    p, n, z = 2 / 3, 3, 1.959963985
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert got.loc["MSC", "PCT_LO"] == pytest.approx(100 * (centre - half))
    assert got.loc["MSC", "PCT_HI"] == pytest.approx(100 * (centre + half))
    assert got.loc["PLACEBO", ["N_REMISSION", "PCT"]].tolist() == [0, 0.0]


def test_mixed_model_recovers_the_slopes():
    # 40 participants per arm, log(AUC + 1) falling 0.36/year on placebo and 0.18/year on
    # MSC, with participant-level intercepts and slopes and measurement noise.
    rng = np.random.default_rng(5)
    days = np.array([-7, 90, 180, 270, 365])
    rows = []
    for i in range(80):
        arm = "MSC" if i % 2 else "PLACEBO"
        slope = (-0.18 if arm == "MSC" else -0.36) + rng.normal(0, 0.05)
        icpt = 0.45 + rng.normal(0, 0.08)
        for d in days:
            year = max(d, 0) / 365.25
            rows.append({"USUBJID": f"S{i:02d}", "ARM": arm, "AVISITN": d,
                         "AVAL": icpt + slope * year + rng.normal(0, 0.02)})  # fmt: skip
    data = pd.DataFrame(rows)
    adeff = data.assign(PARAMCD="CPAUCL", ANL01FL="Y")
    fit = trajectory_model(adeff, data[["USUBJID", "ARM"]].drop_duplicates()).set_index("TERM")
    assert fit.loc["YEAR", "ESTIMATE"] == pytest.approx(-0.36, abs=0.04)
    inter = fit.loc["C(ARM, Treatment('PLACEBO'))[T.MSC]:YEAR"]
    assert inter["ESTIMATE"] == pytest.approx(0.18, abs=0.05)
    assert fit["CONVERGED"].all() and set(fit["OPTIMISER"]) == {"lbfgs"}
    assert inter["CI_LO"] < inter["ESTIMATE"] < inter["CI_HI"] and inter["P"] < 0.001
    assert fit["N_PARTICIPANTS"].iloc[0] == 80


def test_stratum_and_site_enter_the_ancova_as_indicators():
    from plmsc.endpoints.randomised import ancova_arm_effect, derive_stratum_dummies

    ids = [f"S{i:02d}" for i in range(12)]
    adsl = pd.DataFrame(
        {
            "USUBJID": ids,
            "STRATUM": ["AGE<12", "AGE>=12"] * 6,
            "SITE": ["north"] * 6 + ["south"] * 6,
        }
    ).set_index("USUBJID")
    frame = pd.DataFrame(index=pd.Index(ids, name="USUBJID"))
    d = derive_stratum_dummies(frame, adsl)
    # reference levels AGE<12 and north (first in sorted order): one indicator each
    assert list(d.columns) == ["STRATUM_1", "SITE_1"]
    assert d["STRATUM_1"].tolist() == [0.0, 1.0] * 6
    assert d["SITE_1"].sum() == 6
    # empty columns (no stratum in the list, no data access group) add nothing
    assert derive_stratum_dummies(frame, adsl.assign(STRATUM=np.nan, SITE=np.nan)).empty
    # Y = 1 + 0.5 [MSC] + 0.3 STRATUM_1 + 0.1 BASE + small noise: the stratum is a covariate
    rng = np.random.default_rng(0)
    data = d.assign(
        ARM=["MSC", "MSC", "PLACEBO"] * 4,
        BASE=rng.normal(0.5, 0.1, 12),
        AGE=rng.uniform(8, 16, 12),
        MALE=[1.0, 0.0, 0.0, 1.0] * 3,
    )
    data["Y"] = (
        1
        + 0.5 * (data["ARM"] == "MSC")
        + 0.3 * data["STRATUM_1"]
        + 0.1 * data["BASE"]
        + rng.normal(0, 0.01, 12)
    )
    fit = ancova_arm_effect(data.reset_index())
    assert fit["COVARIATES"] == "BASE AGE MALE STRATUM_1 SITE_1"
    assert fit["DIFF_LOG"] == pytest.approx(0.5, abs=0.03)
