"""Power by simulation: trivial cases with known answers, seeds, sample sizes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from plmsc.endpoints.randomised import ESTIMATED, ancova_arm_effect
from plmsc.simulate.power import (
    arm_sizes,
    compute_arm_p_values,
    compute_power,
    compute_power_curve,
    sample_size_for,
    simulate_trials,
)


@pytest.fixture(scope="module")
def cohort(config):
    return config["cohorts"]["phase2"]


def _settings(**kw):
    base = {
        "effect": 0.25,
        "allocation": {"MSC": 1, "PLACEBO": 1},
        "dropout": 0.0,
        "trials": 20,
        "alpha": 0.05,
        "seed": 1,
    }
    return base | kw


def test_arm_sizes_follow_the_allocation():
    # 2:1 with 10 on placebo -> 20 MSC; 3:2 with 7 on placebo -> 10.5 -> round -> 10
    assert arm_sizes(10, {"MSC": 2, "PLACEBO": 1}) == (20, 10)
    assert arm_sizes(7, {"MSC": 3, "PLACEBO": 2}) == (10, 7)


def test_trials_follow_the_natural_history_and_the_effect(cohort):
    t = simulate_trials(50, 4, 0.0, {"MSC": 1, "PLACEBO": 1}, 0.0, cohort, seed=3)
    assert len(t) == 4 * 100 and t["TRIAL"].nunique() == 4
    # untreated decline: month-12 log(CPAUC + 1) below baseline for most participants
    assert (t["Y"] < t["BASE"]).mean() > 0.9
    # effect = 1: the MSC arm keeps twice the placebo share; log(1 + x) is almost
    # linear for the small C-peptide values here, so Y_MSC - Y_placebo > 0 on average
    e = simulate_trials(50, 4, 1.0, {"MSC": 1, "PLACEBO": 1}, 0.0, cohort, seed=3)
    means = e.groupby("ARM")["Y"].mean()
    assert means["MSC"] > 1.5 * means["PLACEBO"]
    # same baseline draws whatever the effect (the effect only changes k)
    np.testing.assert_allclose(e["BASE"], t["BASE"])


def test_dropout_removes_about_that_share(cohort):
    t = simulate_trials(50, 10, 0.0, {"MSC": 1, "PLACEBO": 1}, 0.2, cohort, seed=5)
    share = t["Y"].isna().mean()
    # 1000 participants, p = 0.2: SD = sqrt(0.2 * 0.8 / 1000) = 0.0126; 4 SD = 0.05
    assert abs(share - 0.2) < 0.05


def test_huge_effect_gives_power_near_one(cohort):
    # effect 20: MSC keeps 21 times the placebo share of C-peptide -> every trial significant
    row = compute_power(10, _settings(effect=20.0, trials=12), cohort).iloc[0]
    assert row["N_TRIALS"] == 12 and row["N_NOT_ESTIMABLE"] == 0
    assert row["POWER"] == 1.0 and row["POWER_HI"] == 1.0
    # Wilson lower bound at 12/12: 1 / (1 + z²/12) with z = 1.96 -> 0.7575
    assert row["POWER_LO"] == pytest.approx(1 / (1 + 1.959964**2 / 12), abs=1e-4)


def test_no_effect_rejects_about_alpha(cohort):
    # effect 0: p < alpha in a share alpha of trials. alpha = 0.3 and 60 trials:
    # expected 18 rejections, binomial SD sqrt(60 * 0.3 * 0.7) = 3.55; accept the central
    # 99.9 % of Binomial(60, 0.3): [7, 30]
    row = compute_power(8, _settings(effect=0.0, alpha=0.3, trials=60, seed=2), cohort).iloc[0]
    lo, hi = stats.binom.ppf([0.0005, 0.9995], 60, 0.3)
    assert (lo, hi) == (7, 30)
    assert lo <= row["N_SIGNIFICANT"] <= hi


def test_a_grid_point_is_seeded_by_its_own_size(cohort):
    a = compute_power(6, _settings(trials=3), cohort)
    b = compute_power(6, _settings(trials=3), cohort)
    pd.testing.assert_frame_equal(a, b)
    t1 = simulate_trials(6, 2, 0.25, {"MSC": 1, "PLACEBO": 1}, 0.0, cohort, seed=1)
    t2 = simulate_trials(7, 2, 0.25, {"MSC": 1, "PLACEBO": 1}, 0.0, cohort, seed=1)
    assert not np.allclose(t1["BASE"].iloc[:6], t2["BASE"].iloc[:6])


def test_the_curve_is_every_point_computed_alone_in_grid_order(cohort):
    settings = _settings(trials=4)
    timings: dict[str, float] = {}
    # unordered, with a repeat: each distinct size once, ordered 6, 8, 12
    curve = compute_power_curve([12, 6, 8, 6], settings, cohort, timings)
    assert curve["N_PLACEBO"].tolist() == [6, 8, 12]
    assert curve.index.tolist() == [0, 1, 2]
    for i, n in enumerate([6, 8, 12]):
        # a point's own seed stream: the same row as the point computed on its own
        alone = compute_power(n, settings, cohort)
        pd.testing.assert_frame_equal(curve.iloc[[i]].reset_index(drop=True), alone)
    # 3 points of 4 trials each
    assert curve["N_TRIALS"].sum() == 12
    assert set(timings) == {"simulate", "analyse"} and min(timings.values()) >= 0


def test_an_empty_grid_is_an_error(cohort):
    with pytest.raises(ValueError, match="grid holds no placebo-arm size"):
        compute_power_curve([], _settings(), cohort)


def test_sample_size_is_the_smallest_grid_point_reaching_the_target():
    curve = pd.DataFrame(
        {
            "N_PLACEBO": [30, 10, 20],
            "N_MSC": [30, 10, 20],
            "N_TOTAL": [60, 20, 40],
            "POWER": [0.95, 0.5, 0.85],
        }
    )
    # 0.85 at 20 is the first >= 0.8; 0.95 at 30 the first >= 0.9
    out = sample_size_for(curve)
    assert out["n80"] == {"n_placebo": 20, "n_msc": 20, "n_total": 40, "power": 0.85}
    assert out["n90"]["n_placebo"] == 30
    assert sample_size_for(curve.assign(POWER=0.5))["n80"] is None


def _one_by_one(observed: pd.DataFrame, n_trials: int) -> tuple[np.ndarray, np.ndarray]:
    """The primary analysis trial by trial: ancova_arm_effect on each TRIAL group."""
    p, estimated = np.full(n_trials, np.nan), np.zeros(n_trials, dtype=bool)
    for trial, d in observed.groupby("TRIAL"):
        fit = ancova_arm_effect(d)
        estimated[trial] = fit["STATUS"] == ESTIMATED
        p[trial] = fit["P"] if estimated[trial] else np.nan
    return p, estimated


@pytest.mark.parametrize(("n_placebo", "dropout"), [(10, 0.1), (30, 0.2), (3, 0.3)])
def test_all_trials_at_once_give_the_primary_ancova_p(cohort, n_placebo, dropout):
    # 3 per arm with 30 % dropout leaves many trials with < 2 in an arm or no residual df:
    # those go through ancova_arm_effect itself; the rest are fitted together
    t = simulate_trials(n_placebo, 60, 0.25, {"MSC": 1, "PLACEBO": 1}, dropout, cohort, seed=7)
    observed = t.dropna(subset=["Y"])
    p, estimated = compute_arm_p_values(observed, 60)
    ref_p, ref_estimated = _one_by_one(observed, 60)
    np.testing.assert_array_equal(estimated, ref_estimated)
    np.testing.assert_allclose(p, ref_p, rtol=1e-9, equal_nan=True)
    assert estimated.any()


def test_trials_outside_the_common_case_follow_the_primary_analysis(cohort):
    t = simulate_trials(6, 5, 0.25, {"MSC": 1, "PLACEBO": 1}, 0.0, cohort, seed=11)
    t.loc[t["TRIAL"] == 1, "MALE"] = 1.0  # sex constant: fitted without MALE
    # sex identical to arm: X not of full rank -> not estimable
    t.loc[t["TRIAL"] == 2, "MALE"] = (t.loc[t["TRIAL"] == 2, "ARM"] == "MSC").astype(float)
    t.loc[(t["TRIAL"] == 3) & (t["ARM"] == "MSC"), "Y"] = np.nan  # one arm unobserved
    t.loc[t["TRIAL"] == 4, "Y"] = np.nan  # nobody observed: not estimable
    observed = t.dropna(subset=["Y"])
    p, estimated = compute_arm_p_values(observed, 5)
    ref_p, ref_estimated = _one_by_one(observed, 5)
    assert estimated.tolist() == [True, True, False, False, False]
    np.testing.assert_array_equal(estimated, ref_estimated)
    np.testing.assert_allclose(p, ref_p, rtol=1e-9, equal_nan=True)
    assert ancova_arm_effect(observed[observed["TRIAL"] == 1])["COVARIATES"] == "BASE AGE"


def test_arm_p_value_is_the_t_test_of_the_arm_coefficient():
    # Four pairs: each pair is one MSC and one placebo participant with the same BASE,
    # AGE and MALE, the four patterns distinct. Intercept and the three covariates then
    # act as one mean per pair, so the ANCOVA is the paired t-test of the differences
    # d = Y_MSC - Y_placebo = 1, 2, 3, 6 (placebo 1, 2, 3, 1; MSC 2, 4, 6, 7):
    # mean 3, deviations -2, -1, 0, 3, SD = sqrt(14 / 3) = 2.1602, SE = SD / sqrt(4) =
    # 1.0801, t = 3 / 1.0801 = 2.7775 on 8 - 5 = 3 df, two-sided p = 0.0691.
    cov = {"BASE": [0.1, 0.5, 0.2, 0.3], "AGE": [8.0, 9.5, 12.0, 10.0], "MALE": [1.0, 0, 0, 1]}
    frame = pd.DataFrame(
        {
            "TRIAL": 0,
            "ARM": ["MSC"] * 4 + ["PLACEBO"] * 4,
            "Y": [2.0, 4.0, 6.0, 7.0, 1.0, 2.0, 3.0, 1.0],
            **{k: v * 2 for k, v in cov.items()},
        }
    )
    p, estimated = compute_arm_p_values(frame, 1)
    t = 3 / (np.sqrt(14 / 3) / 2)
    assert t == pytest.approx(2.7775, abs=1e-4)
    assert estimated.tolist() == [True]
    assert p[0] == pytest.approx(2 * stats.t.sf(t, df=3), rel=1e-9)
    assert p[0] == pytest.approx(0.0691, abs=1e-4)
    assert p[0] == pytest.approx(ancova_arm_effect(frame)["P"], rel=1e-9)


def test_rows_must_be_ordered_by_trial(cohort):
    t = simulate_trials(5, 2, 0.25, {"MSC": 1, "PLACEBO": 1}, 0.0, cohort, seed=1)
    with pytest.raises(ValueError, match="ordered by TRIAL"):
        compute_arm_p_values(t.iloc[::-1], 2)


def test_stratified_trials_or_missing_outcomes_are_analysed_one_by_one(cohort):
    # a stratum indicator is not in the batched design, and a missing Y would be fitted
    # as zero: both are left to the primary ANCOVA, trial by trial
    t = simulate_trials(8, 6, 0.25, {"MSC": 1, "PLACEBO": 1}, 0.0, cohort, seed=12)
    stratified = t.assign(STRATUM_1=(t.index % 2).astype(float))
    missing = t.assign(Y=t["Y"].where(t.index % 7 != 3))
    for frame in (stratified, missing):
        p, estimated = compute_arm_p_values(frame, 6)
        ref_p, ref_estimated = _one_by_one(frame, 6)
        np.testing.assert_array_equal(estimated, ref_estimated)
        np.testing.assert_allclose(p, ref_p, rtol=1e-12, equal_nan=True)
