"""Two-arm analyses of a randomised cohort (analysis-conventions.md, "Statistics").

* ANCOVA of log(CPAUC + 1) at the comparison visit with arm, baseline
  log(CPAUC + 1), age and sex (TrialNet primary analysis): the F-test of arm from
  pingouin.ancova; adjusted means and the arm difference with 95 % CI from the
  same model fitted by statsmodels OLS (where pingouin stops). Adjusted means are
  back-transformed as exp(m) - 1; the difference is also given as the ratio of
  (mean AUC + 1), exp(difference).
* Trajectories: a linear mixed model of log(CPAUC + 1) over study years with
  arm, time and their interaction, random intercept and slope per participant
  (statsmodels MixedLM). Time is in years (AVISITN / 365.25): slopes per year keep
  the slope variance away from zero on the optimiser's scale, so the fit converges.
* Remission proportions by arm and visit, with Wilson 95 % intervals.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pingouin as pg
import statsmodels.formula.api as smf
from statsmodels.stats.proportion import proportion_confint
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from plmsc.constants import BLINDED, DAYS_PER_YEAR

REFERENCE_ARM = "PLACEBO"


def ancova_frame(
    adeff: pd.DataFrame, adsl: pd.DataFrame, visit: str, paramcd: str = "CPAUCL"
) -> pd.DataFrame:
    """One row per participant with Y (the visit's value), BASE, AGE, SEX and ARM.

    Uses analysed rows (ANL01FL = Y); participants missing Y or BASE are left out.
    """
    rows = adeff[
        (adeff["PARAMCD"] == paramcd) & adeff["ANL01FL"].eq("Y") & (adeff["AVISIT"] == visit)
    ]
    y = rows.set_index("USUBJID")[["AVAL", "BASE"]].rename(columns={"AVAL": "Y"})
    d = adsl.set_index("USUBJID")[["ARM", "AGE", "SEX"]].join(y, how="inner").dropna()
    d["MALE"] = (d["SEX"] == "M").astype(float)
    return d.reset_index()


def ancova_arm_effect(
    data: pd.DataFrame, reference: str = REFERENCE_ARM
) -> dict[str, float | int | str]:
    """Arm effect on Y adjusted for BASE, AGE and sex (MALE), as a flat record.

    Adjusted mean of an arm = the model's prediction for that arm at the covariates'
    means over all participants; back-transformed as exp(m) - 1. Difference = arm
    coefficient (treated - reference) with its 95 % CI, and exp(difference).
    """
    arms = sorted(data["ARM"].unique())
    if len(arms) != 2 or reference not in arms:
        raise ValueError(f"ANCOVA needs two arms, one of them {reference!r}; got {arms}")
    treated = next(a for a in arms if a != reference)
    f_test = pg.ancova(data=data, dv="Y", between="ARM", covar=["BASE", "AGE", "MALE"])
    arm_row = f_test[f_test["Source"] == "ARM"].iloc[0]

    model = smf.ols(f"Y ~ C(ARM, Treatment('{reference}')) + BASE + AGE + MALE", data=data).fit()
    term = f"C(ARM, Treatment('{reference}'))[T.{treated}]"
    lo, hi = model.conf_int().loc[term]
    means = data[["BASE", "AGE", "MALE"]].mean()
    at = pd.DataFrame({"ARM": [treated, reference], **{k: [v, v] for k, v in means.items()}})
    pred = model.get_prediction(at).summary_frame(alpha=0.05)
    m_t, m_r = pred["mean"].to_numpy()
    ci_t, ci_r = pred[["mean_ci_lower", "mean_ci_upper"]].to_numpy()
    n = data["ARM"].value_counts()
    return {
        "TREATED": treated,
        "REFERENCE": reference,
        "N_TREATED": int(n[treated]),
        "N_REFERENCE": int(n[reference]),
        "ADJMEAN_TREATED": float(m_t),
        "ADJMEAN_REFERENCE": float(m_r),
        "ADJMEAN_TREATED_BT": float(np.exp(m_t) - 1),
        "ADJMEAN_TREATED_BT_LO": float(np.exp(ci_t[0]) - 1),
        "ADJMEAN_TREATED_BT_HI": float(np.exp(ci_t[1]) - 1),
        "ADJMEAN_REFERENCE_BT": float(np.exp(m_r) - 1),
        "ADJMEAN_REFERENCE_BT_LO": float(np.exp(ci_r[0]) - 1),
        "ADJMEAN_REFERENCE_BT_HI": float(np.exp(ci_r[1]) - 1),
        "DIFF": float(model.params[term]),
        "DIFF_LO": float(lo),
        "DIFF_HI": float(hi),
        "RATIO": float(np.exp(model.params[term])),
        "RATIO_LO": float(np.exp(lo)),
        "RATIO_HI": float(np.exp(hi)),
        "F": float(arm_row["F"]),
        "P": float(arm_row["p_unc"]),
    }


def fit_mixed_model(formula: str, data: pd.DataFrame) -> pd.DataFrame:
    """Fit ``formula`` with a random intercept and YEAR slope per USUBJID (REML).

    L-BFGS first; when it does not converge (a slope variance near zero in a small
    cohort), Powell's method then L-BFGS from there. Returns the fixed effects with
    SE, 95 % CI, p-value, the optimiser used and whether it converged.
    """
    model = smf.mixedlm(formula, data, groups=data["USUBJID"], re_formula="~YEAR")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        method = ["lbfgs"]
        fit = model.fit(method=method, reml=True)
        if not fit.converged:
            method = ["powell", "lbfgs"]
            fit = model.fit(method=method, reml=True)
    names = list(fit.fe_params.index)
    ci = fit.conf_int().loc[names]
    return pd.DataFrame(
        {
            "TERM": names,
            "ESTIMATE": fit.fe_params.to_numpy(),
            "SE": fit.bse[names].to_numpy(),
            "CI_LO": ci[0].to_numpy(),
            "CI_HI": ci[1].to_numpy(),
            "P": fit.pvalues[names].to_numpy(),
            "N_PARTICIPANTS": data["USUBJID"].nunique(),
            "N_OBS": len(data),
            "OPTIMISER": "+".join(method),
            "CONVERGED": bool(fit.converged),
        }
    )


def trajectory_frame(adeff: pd.DataFrame, paramcd: str = "CPAUCL") -> pd.DataFrame:
    """Analysed rows of ``paramcd`` with YEAR = AVISITN / 365.25, from day 0."""
    rows = adeff[(adeff["PARAMCD"] == paramcd) & adeff["ANL01FL"].eq("Y") & adeff["AVAL"].notna()]
    d = rows[["USUBJID", "AVISITN", "AVAL"]]
    return d.assign(YEAR=d["AVISITN"].astype(float).clip(lower=0) / DAYS_PER_YEAR)


def trajectory_model(
    adeff: pd.DataFrame, adsl: pd.DataFrame, paramcd: str = "CPAUCL", reference: str = REFERENCE_ARM
) -> pd.DataFrame:
    """Linear mixed model AVAL ~ ARM * YEAR, random intercept and slope per participant.

    YEAR = AVISITN / 365.25 of the analysed scheduled rows. Returns the fixed
    effects with standard errors, 95 % CI and p-values (see :func:`fit_mixed_model`).
    """
    d = trajectory_frame(adeff, paramcd).merge(adsl[["USUBJID", "ARM"]], on="USUBJID")
    return fit_mixed_model(f"AVAL ~ C(ARM, Treatment('{reference}')) * YEAR", d)


def remission_by_arm(
    adeff: pd.DataFrame, adsl: pd.DataFrame, params: Sequence[str] = ("REMISS", "REMISPAD")
) -> pd.DataFrame:
    """Participants in remission / participants assessed, by arm and visit, with Wilson 95 % CI."""
    rows = adeff[adeff["PARAMCD"].isin(params) & adeff["ANL01FL"].eq("Y") & adeff["AVAL"].notna()]
    cols = ["USUBJID", "PARAMCD", "AVISITN", "AVISIT", "AVAL"]
    d = rows[cols].merge(adsl[["USUBJID", "ARM"]], on="USUBJID")
    g = d.groupby(["PARAMCD", "ARM", "AVISITN", "AVISIT"], sort=True)["AVAL"].agg(
        N_REMISSION="sum", N_ASSESSED="size"
    )
    g = g.reset_index()
    g["N_REMISSION"] = g["N_REMISSION"].astype(int)
    g["PCT"] = 100 * g["N_REMISSION"] / g["N_ASSESSED"]
    lo, hi = proportion_confint(g["N_REMISSION"], g["N_ASSESSED"], alpha=0.05, method="wilson")
    g["PCT_LO"], g["PCT_HI"] = 100 * np.asarray(lo), 100 * np.asarray(hi)
    return g


def randomised_tables(
    adeff: pd.DataFrame, adsl: pd.DataFrame, comparison_visit: str = "Month 12"
) -> tuple[dict[str, pd.DataFrame], str]:
    """The arm-comparison tables of a randomised cohort, and a one-line note.

    Before unblinding (every ARM is BLINDED) no arm is compared: the tables hold
    one row with STATUS = "blinded" and the trajectories are fitted pooled (no arm
    term), so the cohort runs and nothing fails.
    """
    if set(adsl["ARM"]) <= {BLINDED}:
        notice = pd.DataFrame(
            {"STATUS": ["blinded"], "NOTE": ["no randomisation list: arms not compared"]}
        )
        traj = fit_mixed_model("AVAL ~ YEAR", trajectory_frame(adeff))
        tables = {"ancova": notice, "trajectories": traj, "remission_by_arm": notice}
        return tables, "blinded: no randomisation list, arms not compared; pooled trajectory model"
    data = ancova_frame(adeff, adsl, comparison_visit)
    ancova = pd.DataFrame(
        [{"PARAMCD": "CPAUCL", "VISIT": comparison_visit, **ancova_arm_effect(data)}]
    )
    tables = {
        "ancova": ancova,
        "trajectories": trajectory_model(adeff, adsl),
        "remission_by_arm": remission_by_arm(adeff, adsl),
    }
    return tables, f"unblinded: ANCOVA on {len(data)} participants at {comparison_visit}"
