"""Two-arm analyses of a randomised cohort (docs/conventions.md, "Statistics").

* ANCOVA of log(CPAUC + 1) at the comparison visit with arm, baseline
  log(CPAUC + 1), age and sex (TrialNet primary analysis): the F-test of arm from
  pingouin.ancova; adjusted means and the arm difference with 95 % CI from the
  same model fitted by statsmodels OLS (where pingouin stops). Adjusted means are
  back-transformed as exp(m) - 1 (nmol/L); the difference is given on the log
  scale, as the ratio of (mean AUC + 1), exp(difference), and as the difference of
  the back-transformed means in nmol/L with a delta-method CI. Too few
  participants give a "not estimable" row with the reason, never an error.
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
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from plmsc.constants import BLINDED, DAYS_PER_YEAR
from plmsc.endpoints.populations import POPULATION_FLAGS, select_population

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
    return derive_stratum_dummies(d, adsl.set_index("USUBJID")).reset_index()


#: ADSL columns of the stratification factors and their dummy-column prefixes.
STRATIFICATION = {"STRATUM": "STRATUM_", "SITE": "SITE_"}


def derive_stratum_dummies(frame: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    """Add 0/1 columns STRATUM_<k> and SITE_<k> (k = 1, 2, ... after the first level in
    sorted order, the reference) for the ADSL stratification columns that are
    present and non-empty; both frames are indexed by USUBJID. ICH E9: the ANCOVA
    adjusts for the factors of a stratified randomisation and for the site.
    """
    out = frame.copy()
    for column, prefix in STRATIFICATION.items():
        if column not in adsl or adsl[column].isna().all():
            continue
        values = adsl[column].reindex(out.index)
        for k, level in enumerate(sorted(values.dropna().unique())[1:], start=1):
            out[f"{prefix}{k}"] = (values == level).astype(float)
    return out


def stratum_columns(data: pd.DataFrame) -> list[str]:
    """The dummy columns of :func:`derive_stratum_dummies` in ``data``."""
    return [c for c in data.columns if c.startswith(tuple(STRATIFICATION.values()))]


#: Covariates of the ANCOVA besides ARM (MALE = 1 for a male participant).
ANCOVA_COVARIATES = ("BASE", "AGE", "MALE")
#: Fewest participants per arm for an ANCOVA estimate.
MIN_PER_ARM = 2
#: Columns of an ANCOVA record, in order. The suffix names the scale: ``_LOG`` is the
#: analysis scale log(mean AUC + 1), ``_NMOL`` nmol/L (mean AUC), ``RATIO_AUCP1`` the
#: ratio of (mean AUC + 1) between arms (no unit).
ANCOVA_COLUMNS = (
    "STATUS", "REASON", "TREATED", "REFERENCE", "N_TREATED", "N_REFERENCE", "COVARIATES",
    "DF_RESID",
    "ADJMEAN_TREATED_LOG", "ADJMEAN_REFERENCE_LOG",
    "ADJMEAN_TREATED_NMOL", "ADJMEAN_TREATED_NMOL_LO", "ADJMEAN_TREATED_NMOL_HI",
    "ADJMEAN_REFERENCE_NMOL", "ADJMEAN_REFERENCE_NMOL_LO", "ADJMEAN_REFERENCE_NMOL_HI",
    "DIFF_LOG", "DIFF_LOG_SE", "DIFF_LOG_LO", "DIFF_LOG_HI",
    "RATIO_AUCP1", "RATIO_AUCP1_LO", "RATIO_AUCP1_HI",
    "DIFF_NMOL", "DIFF_NMOL_SE", "DIFF_NMOL_LO", "DIFF_NMOL_HI",
    "F", "P",
)  # fmt: skip
ESTIMATED = "estimated"
NOT_ESTIMABLE = "not estimable"


def compute_back_transformed_difference(
    m_treated: float, m_reference: float, cov: np.ndarray, critical: float
) -> tuple[float, float, float, float]:
    """Difference of back-transformed adjusted means, in nmol/L, with its CI (delta method).

    With adjusted means m_t and m_r on the log(mean AUC + 1) scale, the back-transformed
    means are exp(m) - 1 and their difference is g = exp(m_t) - exp(m_r) (the -1s
    cancel). First-order delta method (e.g. Casella & Berger, Statistical Inference,
    5.5.4): Var(g) = grad' V grad with grad = (exp(m_t), -exp(m_r)) and V the 2 x 2
    covariance of (m_t, m_r) from the model, i.e.
    Var(g) = e^(2 m_t) V_tt + e^(2 m_r) V_rr - 2 e^(m_t + m_r) V_tr.
    CI = g -/+ ``critical`` x SE (the t quantile of the model's residual degrees of
    freedom). Returns (g, SE, lower, upper).
    """
    grad = np.array([np.exp(m_treated), -np.exp(m_reference)])
    var = float(grad @ np.asarray(cov, dtype=float) @ grad)
    g = float(grad.sum())
    se = float(np.sqrt(max(var, 0.0)))
    return g, se, g - critical * se, g + critical * se


def _not_estimable(record: dict[str, object], reason: str) -> dict[str, object]:
    out: dict[str, object] = dict.fromkeys(ANCOVA_COLUMNS, np.nan)
    out.update(record)
    out.update(STATUS=NOT_ESTIMABLE, REASON=reason)
    return out


def ancova_candidates(data: pd.DataFrame) -> list[str]:
    """Covariates :func:`ancova_arm_effect` may adjust for in ``data``: BASE, AGE, MALE
    and the stratum and site indicators present (each used when it varies)."""
    return [*ANCOVA_COVARIATES, *stratum_columns(data)]


def ancova_formula(reference: str, treated: str, covariates: Sequence[str]) -> tuple[str, str]:
    """The model formula of :func:`ancova_arm_effect` (arm with ``reference`` as the
    reference level, then the covariates) and the name of its arm coefficient."""
    arm_term = f"C(ARM, Treatment('{reference}'))"
    return " + ".join([f"Y ~ {arm_term}", *covariates]), f"{arm_term}[T.{treated}]"


def ancova_arm_effect(data: pd.DataFrame, reference: str = REFERENCE_ARM) -> dict[str, object]:
    """Arm effect on Y = log(mean AUC + 1) adjusted for BASE, AGE and sex (MALE), as a
    flat record with the columns :data:`ANCOVA_COLUMNS`.

    ``data``: one row per participant with ARM, Y, BASE, AGE, MALE (:func:`ancova_frame`).

    * Model (statsmodels OLS): Y = b0 + b1 [ARM = treated] + b2 BASE + b3 AGE + b4 MALE,
      plus the stratum and site indicators of :func:`derive_stratum_dummies` when
      ``data`` has them. A covariate with a single value in the data is left out
      (COVARIATES lists the ones used). F and p of arm from pingouin.ancova on the same covariates.
    * Adjusted mean of an arm (``_LOG``) = the model's prediction for that arm at the
      covariates' means over all participants; back-transformed as exp(m) - 1 with
      its 95 % CI (``_NMOL``, nmol/L).
    * DIFF_LOG = b1 (treated - reference, log scale) with its 95 % CI; RATIO_AUCP1 =
      exp(b1), the ratio of (mean AUC + 1) treated / reference, and its CI.
    * DIFF_NMOL = (exp(m_t) - 1) - (exp(m_r) - 1), in nmol/L, with SE and 95 % CI by
      the delta method (:func:`compute_back_transformed_difference`).

    Never raises on the data: when there are not two arms (one of them
    ``reference``), fewer than :data:`MIN_PER_ARM` participants in an arm, no
    residual degrees of freedom, or arm collinear with the covariates, the record has
    STATUS = "not estimable", the REASON in words, and the estimates missing.
    """
    arms = sorted(str(a) for a in data["ARM"].dropna().unique())
    treated = next((a for a in arms if a != reference), "")
    n = data["ARM"].value_counts()
    record: dict[str, object] = {
        "TREATED": treated,
        "REFERENCE": reference,
        "N_TREATED": int(n.get(treated, 0)),
        "N_REFERENCE": int(n.get(reference, 0)),
    }
    if len(arms) != 2 or reference not in arms:
        return _not_estimable(
            record, f"needs two arms, one of them {reference}; found {', '.join(arms) or 'none'}"
        )
    small = [f"{a} {int(n[a])}" for a in (treated, reference) if n[a] < MIN_PER_ARM]
    if small:
        return _not_estimable(
            record,
            f"fewer than {MIN_PER_ARM} participants in an arm ({', '.join(small)})",
        )
    covariates = [c for c in ancova_candidates(data) if data[c].nunique(dropna=True) > 1]
    record["COVARIATES"] = " ".join(covariates)
    import pingouin as pg  # here, not at the top: the power simulation imports this
    import statsmodels.formula.api as smf  # module for its constants and rarely fits

    formula, term = ancova_formula(reference, treated, covariates)
    model = smf.ols(formula, data=data)
    rank = int(np.linalg.matrix_rank(model.exog))
    df_resid = len(data) - model.exog.shape[1]
    record["DF_RESID"] = df_resid
    if df_resid < 1:
        return _not_estimable(
            record,
            f"no residual degrees of freedom ({len(data)} participants, "
            f"{model.exog.shape[1]} model coefficients)",
        )
    if rank < model.exog.shape[1]:
        return _not_estimable(record, "arm or a covariate is collinear with the others")
    fit = model.fit()
    lo, hi = fit.conf_int().loc[term]
    means = data[covariates].mean()
    at = pd.DataFrame({"ARM": [treated, reference], **{k: [v, v] for k, v in means.items()}})
    pred = fit.get_prediction(at).summary_frame(alpha=0.05)
    m_t, m_r = pred["mean"].to_numpy()
    ci_t, ci_r = pred[["mean_ci_lower", "mean_ci_upper"]].to_numpy()
    # covariance of the two adjusted means: X_at Cov(b) X_at'
    names = list(model.exog_names)
    x_at = np.array(
        [[1.0 if c == "Intercept" else float(c == term) for c in names] for _ in range(2)]
    )
    x_at[1, names.index(term)] = 0.0
    for c in covariates:
        x_at[:, names.index(c)] = means[c]
    cov_means = x_at @ np.asarray(fit.cov_params()) @ x_at.T
    critical = float(stats.t.ppf(0.975, df_resid))
    diff, diff_se, diff_lo, diff_hi = compute_back_transformed_difference(
        m_t, m_r, cov_means, critical
    )
    if covariates:
        f_test = pg.ancova(data=data, dv="Y", between="ARM", covar=covariates)
    else:
        f_test = pg.anova(data=data, dv="Y", between="ARM")
    arm_row = f_test[f_test["Source"] == "ARM"].iloc[0]
    p_col = "p_unc" if "p_unc" in arm_row.index else "p-unc"
    record |= {
        "STATUS": ESTIMATED,
        "REASON": "",
        "ADJMEAN_TREATED_LOG": float(m_t),
        "ADJMEAN_REFERENCE_LOG": float(m_r),
        "ADJMEAN_TREATED_NMOL": float(np.exp(m_t) - 1),
        "ADJMEAN_TREATED_NMOL_LO": float(np.exp(ci_t[0]) - 1),
        "ADJMEAN_TREATED_NMOL_HI": float(np.exp(ci_t[1]) - 1),
        "ADJMEAN_REFERENCE_NMOL": float(np.exp(m_r) - 1),
        "ADJMEAN_REFERENCE_NMOL_LO": float(np.exp(ci_r[0]) - 1),
        "ADJMEAN_REFERENCE_NMOL_HI": float(np.exp(ci_r[1]) - 1),
        "DIFF_LOG": float(fit.params[term]),
        "DIFF_LOG_SE": float(fit.bse[term]),
        "DIFF_LOG_LO": float(lo),
        "DIFF_LOG_HI": float(hi),
        "RATIO_AUCP1": float(np.exp(fit.params[term])),
        "RATIO_AUCP1_LO": float(np.exp(lo)),
        "RATIO_AUCP1_HI": float(np.exp(hi)),
        "DIFF_NMOL": diff,
        "DIFF_NMOL_SE": diff_se,
        "DIFF_NMOL_LO": diff_lo,
        "DIFF_NMOL_HI": diff_hi,
        "F": float(arm_row["F"]),
        "P": float(arm_row[p_col]),
    }
    return {k: record.get(k, np.nan) for k in ANCOVA_COLUMNS}


def fit_mixed_model(formula: str, data: pd.DataFrame) -> pd.DataFrame:
    """Fit ``formula`` with a random intercept and YEAR slope per USUBJID (REML).

    L-BFGS first; when it does not converge (a slope variance near zero in a small
    cohort), Powell's method then L-BFGS from there. Returns the fixed effects with
    SE, 95 % CI, p-value, the optimiser used and whether it converged.
    """
    import statsmodels.formula.api as smf
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

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
    adeff: pd.DataFrame,
    adsl: pd.DataFrame,
    comparison_visit: str = "Month 12",
    population: str = "ITT",
) -> tuple[dict[str, pd.DataFrame], str]:
    """The arm-comparison tables of a randomised cohort, and a one-line note.

    The ANCOVA analyses the participants of ``population`` (an ADSL flag, see
    :mod:`plmsc.endpoints.populations`) who have the visit's value and a
    baseline; its table says the population (POPULATION) and its size (N_POP).
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
    pop = select_population(adsl, population) if POPULATION_FLAGS[population] in adsl else adsl
    data = ancova_frame(adeff, pop, comparison_visit)
    ancova = pd.DataFrame(
        [
            {
                "PARAMCD": "CPAUCL",
                "VISIT": comparison_visit,
                "POPULATION": population,
                "N_POP": len(pop),
                **ancova_arm_effect(data),
            }
        ]
    )
    tables = {
        "ancova": ancova,
        "trajectories": trajectory_model(adeff, adsl),
        "remission_by_arm": remission_by_arm(adeff, adsl),
    }
    return tables, (
        f"unblinded: ANCOVA on {len(data)} of {len(pop)} participants of the {population} "
        f"population at {comparison_visit}"
    )
