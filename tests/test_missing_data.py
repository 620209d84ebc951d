"""Multiple imputation, Rubin's rules and the tipping point, worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from plmsc.endpoints.missing import (
    Imputations,
    ancova_mi,
    ancova_on_completed,
    compute_rubin,
    draw_regression,
    impute_mar,
    mi_frame,
    tipping_point,
)
from plmsc.endpoints.randomised import ancova_arm_effect


def test_rubin_rules_on_three_imputations():
    # Q = 1, 2, 3; U = 0.5 each; complete-data df 10; m = 3.
    r = compute_rubin([1.0, 2.0, 3.0], [0.5, 0.5, 0.5], df_complete=10)
    # Q̄ = 2; W = 0.5; B = ((1-2)² + 0 + (3-2)²) / 2 = 1
    # T = W + (1 + 1/3) B = 0.5 + 4/3 = 11/6
    assert r["ESTIMATE"] == pytest.approx(2.0)
    assert (r["W"], r["B"]) == pytest.approx((0.5, 1.0))
    assert r["T"] == pytest.approx(11 / 6)
    # λ = (4/3) / (11/6) = 8/11; RIV = (4/3) / 0.5 = 8/3
    assert r["LAMBDA"] == pytest.approx(8 / 11)
    assert r["RIV"] == pytest.approx(8 / 3)
    # classic: (m - 1) / λ² = 2 / (64/121) = 121/32
    assert r["DF_CLASSIC"] == pytest.approx(121 / 32)
    # Barnard-Rubin: ν_obs = (11/13) · 10 · (3/11) = 30/13; ν = ν_old ν_obs / (ν_old + ν_obs)
    nu_old, nu_obs = 121 / 32, 30 / 13
    nu = nu_old * nu_obs / (nu_old + nu_obs)  # = 1.43309...
    assert r["DF"] == pytest.approx(nu) and r["DF"] == pytest.approx(1.43309, abs=1e-5)
    se = math.sqrt(11 / 6)
    assert r["SE"] == pytest.approx(se)
    assert r["P"] == pytest.approx(2 * stats.t.sf(2 / se, nu))
    half = stats.t.ppf(0.975, nu) * se
    assert (r["CI_LO"], r["CI_HI"]) == pytest.approx((2 - half, 2 + half))


def test_rubin_without_between_variance_keeps_the_complete_data_df():
    # B = 0 -> λ = 0, ν_old infinite, ν = ν_obs = (21/23) · 20 = 18.2609
    r = compute_rubin([1.0, 1.0], [0.25, 0.25], df_complete=20)
    assert (r["B"], r["T"], r["LAMBDA"]) == pytest.approx((0.0, 0.25, 0.0))
    assert math.isinf(r["DF_CLASSIC"])
    assert r["DF"] == pytest.approx(21 / 23 * 20)
    with pytest.raises(ValueError, match="at least 2"):
        compute_rubin([1.0], [0.1], 5)


def test_regression_draw_is_exact_without_residual_noise():
    # y = 1 + 2x exactly: RSS = 0 -> σ* = 0 -> β* = β̂ -> y(5) = 11
    x = np.column_stack([np.ones(4), [0.0, 1.0, 2.0, 3.0]])
    y = 1 + 2 * x[:, 1]
    out = draw_regression(x, y, np.array([[1.0, 5.0]]), np.random.default_rng(1))
    assert out == pytest.approx([11.0])
    with pytest.raises(ValueError, match="2 observed rows for 2 coefficients"):
        draw_regression(x[:2], y[:2], x[:1], np.random.default_rng(1))


def test_regression_draws_scatter_around_the_fit():
    # y = x + noise; 4000 draws at x = 0: mean ≈ intercept, spread ≥ residual SD
    rng = np.random.default_rng(3)
    x = np.column_stack([np.ones(50), np.linspace(-1, 1, 50)])
    y = x[:, 1] + rng.normal(0, 0.2, 50)
    draws = draw_regression(x, y, np.ones((4000, 1)) * [1.0, 0.0], np.random.default_rng(4))
    assert abs(draws.mean()) < 0.2
    assert draws.std() > 0.15


def _trial(n_per_arm: int = 12, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 2 * n_per_arm
    arm = np.repeat(["MSC", "PLACEBO"], n_per_arm)
    base = rng.normal(0.45, 0.1, n)
    m3 = base - 0.05 + rng.normal(0, 0.03, n)
    y = m3 - np.where(arm == "MSC", 0.05, 0.2) + rng.normal(0, 0.04, n)
    return pd.DataFrame(
        {
            "USUBJID": [f"S{i:02d}" for i in range(n)],
            "ARM": arm,
            "AGE": rng.uniform(8, 16, n).round(1),
            "SEX": np.where(np.arange(n) % 2 == 0, "M", "F"),
            "BASE": base,
            "Month 3": m3,
            "Y": y,
        }
    ).assign(MALE=lambda d: (d["SEX"] == "M").astype(float))


def test_without_missing_values_mi_equals_the_observed_ancova():
    frame = _trial()
    imps = impute_mar(frame, ["Month 3"], m=3, seed=1)
    assert not imps.imputed.any()
    pooled = ancova_mi(imps)
    obs = ancova_arm_effect(frame)
    # three identical data sets: Q̄ = DIFF, T = SE², df = (ν+1)/(ν+3) ν with ν = 24 - 5 = 19
    assert pooled["ESTIMATE"] == pytest.approx(obs["DIFF_LOG"])
    assert pooled["SE"] == pytest.approx(obs["DIFF_LOG_SE"])
    assert obs["DF_RESID"] == 19
    assert pooled["DF"] == pytest.approx(20 / 22 * 19)


def test_imputation_fills_every_missing_value_by_arm_and_is_seeded():
    frame = _trial()
    frame.loc[[0, 1, 14], "Y"] = np.nan  # two MSC, one placebo
    frame.loc[[1], "Month 3"] = np.nan  # monotone dropout after baseline
    a = impute_mar(frame, ["Month 3"], m=10, seed=9)
    b = impute_mar(frame, ["Month 3"], m=10, seed=9)
    assert len(a.completed) == 10 and a.imputed.sum() == 3
    for da, db in zip(a.completed, b.completed, strict=True):
        assert not da[["Month 3", "Y"]].isna().any().any()
        pd.testing.assert_frame_equal(da, db)
        # observed values untouched
        pd.testing.assert_series_equal(da.loc[2:, "BASE"], frame.loc[2:, "BASE"])
    values = np.array([d.loc[0, "Y"] for d in a.completed])
    assert values.std() > 0  # proper MI: the imputations differ
    pooled = ancova_mi(a)
    assert pooled["B"] > 0 and pooled["DF"] < 19
    # the MSC arm keeps more C-peptide in this constructed trial
    assert pooled["ESTIMATE"] > 0.05


def _fake_ancova(d: pd.DataFrame) -> dict[str, float]:
    """Difference of arm means, SE fixed at 0.1, df 1000."""
    means = d.groupby("ARM")["Y"].mean()
    return {
        "DIFF_LOG": float(means["MSC"] - means["PLACEBO"]),
        "DIFF_LOG_SE": 0.1,
        "DF_RESID": 1000,
    }


def test_tipping_point_on_a_constructed_case():
    # MSC: Y = 0.5 observed and 0.5 imputed; placebo Y = 0, 0. With δ on the imputed
    # MSC value: DIFF(δ) = (0.5 + 0.5 + δ) / 2 = 0.5 + δ/2, SE 0.1, two identical
    # imputations (B = 0) -> ν = (1001/1003) · 1000 = 998.006.
    # p >= 0.05 when 0.5 + δ/2 <= 0.1 · t(0.975, ν): δ* = 2 (0.1 t - 0.5) = -0.6075
    frame = pd.DataFrame({"ARM": ["MSC", "MSC", "PLACEBO", "PLACEBO"], "Y": [0.5, 0.5, 0, 0]})
    imps = Imputations([frame, frame.copy()], pd.Series([False, True, False, False]), ())
    table, tip = tipping_point(imps, step=0.1, max_delta=2.0, tolerance=0.005, ancova=_fake_ancova)
    nu = 1001 / 1003 * 1000
    exact = 2 * (0.1 * stats.t.ppf(0.975, nu) - 0.5)
    assert exact == pytest.approx(-0.6075, abs=1e-4)
    # grid: -0.6 still significant (DIFF 0.2, t = 2), -0.7 not (DIFF 0.15);
    # bisection to 0.005 inside (0.6, 0.7] returns the first |δ| with p >= 0.05
    assert exact - 0.005 <= tip <= exact
    assert table["DELTA"].iloc[0] == 0 and table["SIGNIFICANT"].iloc[0] == "Y"
    assert set(table.loc[table["DELTA"].isin([-0.1, -0.6]), "SIGNIFICANT"]) == {"Y"}
    assert table.loc[table["DELTA"] == -0.7, "SIGNIFICANT"].item() == "N"
    assert (table["N_SHIFTED"] == 1).all()


def test_tipping_point_edge_cases():
    frame = pd.DataFrame({"ARM": ["MSC", "MSC", "PLACEBO", "PLACEBO"], "Y": [0.1, 0.1, 0, 0]})
    imps = Imputations([frame, frame], pd.Series([False, True, False, False]), ())
    # DIFF 0.1, t = 1: not significant at δ = 0 -> tipping point 0
    assert tipping_point(imps, ancova=_fake_ancova)[1] == 0.0
    big = frame.assign(Y=[5.0, 5.0, 0, 0])
    # DIFF 5: needs δ below -9.6; not reached within max_delta 1 -> None
    assert (
        tipping_point(Imputations([big, big], imps.imputed, ()), 0.5, 1.0, ancova=_fake_ancova)[1]
        is None
    )
    # nothing imputed in the MSC arm: no δ can change the result -> None
    none = Imputations([big, big], pd.Series([False, False, True, False]), ())
    table, tip = tipping_point(none, ancova=_fake_ancova)
    assert tip is None and len(table) == 1


def test_mi_frame_takes_analysed_rows_and_requires_a_baseline():
    adeff = pd.DataFrame(
        {
            "USUBJID": ["A", "A", "A", "B", "B"],
            "PARAMCD": "CPAUCL",
            "AVISIT": ["Baseline", "Month 3", "Month 12", "Month 3", "Month 12"],
            "AVAL": [0.5, 0.4, 0.3, 0.4, 0.2],
            "ABLFL": ["Y", None, None, None, None],
            "ANL01FL": ["Y", "Y", "Y", "Y", "Y"],
        }
    )
    adsl = pd.DataFrame(
        {"USUBJID": ["A", "B"], "ARM": ["MSC", "PLACEBO"], "AGE": [10.0, 11.0], "SEX": ["M", "F"]}
    )
    d = mi_frame(adeff, adsl, "Month 12", ["Month 3"])
    # B has no baseline: left out
    assert d[["USUBJID", "BASE", "Month 3", "Y", "MALE"]].values.tolist() == [
        ["A", 0.5, 0.4, 0.3, 1.0]
    ]


def test_completed_data_sets_share_the_primary_ancova_bit_for_bit():
    # 80 per arm, 25 % of each arm missing Y and some Month 3: the tipping point search
    # then runs several shifts, each analysed on the 10 imputations. The shared design
    # (one formula, OLS per Y) must give exactly the records of ancova_arm_effect.
    frame = _trial(n_per_arm=80, seed=8)
    frame.loc[frame.index % 4 == 1, "Y"] = np.nan
    frame.loc[frame.index % 8 == 1, "Month 3"] = np.nan
    imps = impute_mar(frame, ["Month 3"], m=10, seed=2)
    shared = ancova_on_completed(imps.completed[0])
    for data in imps.completed[:3]:
        shifted = data.assign(Y=data["Y"] + 0.3 * (data["ARM"] == "MSC"))
        full, fast = ancova_arm_effect(shifted), shared(shifted)
        assert fast["STATUS"] == full["STATUS"] == "estimated"
        for key in ("DIFF_LOG", "DIFF_LOG_SE", "DF_RESID"):
            assert fast[key] == full[key], key  # exact, not approximate
    table, tip = tipping_point(imps)
    reference_table, reference_tip = tipping_point(imps, ancova=ancova_arm_effect)
    assert tip == reference_tip and len(table) > 3
    pd.testing.assert_frame_equal(table, reference_table, check_exact=True)
    assert ancova_mi(imps) == ancova_mi(imps, ancova=ancova_arm_effect)


def test_a_data_set_with_other_covariates_gets_the_full_ancova():
    frame = _trial(n_per_arm=10, seed=3)
    shared = ancova_on_completed(frame)
    other = frame.assign(AGE=frame["AGE"] + 1.0)  # a different design matrix
    assert shared(other) == ancova_arm_effect(other)  # the full record, every column
    missing = frame.assign(Y=frame["Y"].where(frame.index != 0))
    assert shared(missing) == ancova_arm_effect(missing)


def test_when_the_first_data_set_is_not_estimable_every_data_set_is_analysed_in_full():
    # one participant per arm: ancova_arm_effect reports "not estimable"
    frame = _trial(n_per_arm=1, seed=3)
    shared = ancova_on_completed(frame)
    record = shared(frame)
    assert record["STATUS"] == "not estimable" and "fewer than 2" in record["REASON"]


def test_covariates_left_out_of_the_first_data_set_are_still_compared():
    # MALE constant in the first data set (left out of its model) but varying in another,
    # or a stratum indicator the first lacks: the other data set gets the full ANCOVA
    frame = _trial(n_per_arm=10, seed=4).assign(MALE=1.0)
    shared = ancova_on_completed(frame)
    assert ancova_arm_effect(frame)["COVARIATES"] == "BASE AGE"
    varies = frame.assign(MALE=(frame.index % 2).astype(float))
    assert shared(varies) == ancova_arm_effect(varies)
    stratified = frame.assign(STRATUM_1=(frame.index % 3 == 0).astype(float))
    assert shared(stratified) == ancova_arm_effect(stratified)
