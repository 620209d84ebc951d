"""Missing primary endpoint: multiple imputation under MAR and a tipping-point analysis.

The primary ANCOVA (:func:`plmsc.endpoints.randomised.ancova_arm_effect`) analyses
the participants observed at the comparison visit. Two sensitivity analyses
(EMA guideline on missing data in confirmatory trials, 2010; NRC report 2010):

* Multiple imputation under missing at random. The missing log(CPAUC + 1) of each
  MMTT visit after baseline, up to the comparison visit, is imputed visit by visit
  in time order, separately by arm, by Bayesian linear regression on the baseline
  log(CPAUC + 1), age, sex (MALE) and the earlier visits' (observed or already
  imputed) values: the "norm" method of van Buuren, *Flexible Imputation of
  Missing Data* (2nd ed., 2018), Algorithm 3.1, which draws the residual variance
  and the coefficients from their posterior before drawing each value, so the
  imputations are proper (Rubin 1987). The sequence is exact for monotone
  dropout; an intermittently missing earlier visit is imputed from the visits
  before it only. ``m`` imputations from one seed; each completed data set is
  analysed with the project's ANCOVA and the arm differences are pooled by
  Rubin's rules (:func:`compute_rubin`) with the Barnard-Rubin (1999) degrees
  of freedom.
* Tipping point (missing not at random): δ (log scale) is added to the imputed
  comparison-visit values of the treated (MSC) arm, in steps against the observed
  effect, until the pooled difference is no longer significant (p >= α); the
  last step is refined by bisection. The tipping point is the smallest |δ| found
  with p >= α.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from plmsc.endpoints.populations import POPULATION_FLAGS
from plmsc.endpoints.randomised import (
    ESTIMATED,
    REFERENCE_ARM,
    ancova_arm_effect,
    ancova_candidates,
    ancova_formula,
    derive_stratum_dummies,
)

#: Predictors of every imputation model besides the earlier visits.
BASE_PREDICTORS = ("BASE", "AGE", "MALE")


def compute_rubin(
    estimates: Sequence[float], variances: Sequence[float], df_complete: float, alpha: float = 0.05
) -> dict[str, float]:
    """Pool ``m`` estimates and their squared standard errors by Rubin's rules.

    Q̄ = mean Q_i; W = mean U_i (within); B = sum (Q_i - Q̄)² / (m - 1) (between);
    T = W + (1 + 1/m) B; RIV r = (1 + 1/m) B / W; λ = (1 + 1/m) B / T.
    Degrees of freedom: classic ν_old = (m - 1) / λ² (Rubin 1987); Barnard-Rubin
    ν_obs = (ν_com + 1) / (ν_com + 3) ν_com (1 - λ), ν = ν_old ν_obs / (ν_old + ν_obs)
    (Barnard & Rubin 1999), used for the CI and the p-value (t = Q̄ / √T).
    With B = 0 (nothing imputed) λ = 0 and ν = ν_obs.
    """
    q = np.asarray(estimates, dtype=float)
    u = np.asarray(variances, dtype=float)
    m = len(q)
    if m < 2:
        raise ValueError(f"Rubin's rules need at least 2 imputations, got {m}")
    qbar, w = float(q.mean()), float(u.mean())
    b = float(q.var(ddof=1))
    t = w + (1 + 1 / m) * b
    lam = (1 + 1 / m) * b / t
    riv = (1 + 1 / m) * b / w
    nu_com = float(df_complete)
    nu_obs = (nu_com + 1) / (nu_com + 3) * nu_com * (1 - lam)
    nu_old = (m - 1) / lam**2 if lam > 0 else np.inf
    nu = nu_obs if np.isinf(nu_old) else nu_old * nu_obs / (nu_old + nu_obs)
    se = np.sqrt(t)
    crit = stats.t.ppf(1 - alpha / 2, nu)
    p = 2 * stats.t.sf(abs(qbar / se), nu)
    return {
        "ESTIMATE": qbar,
        "SE": float(se),
        "CI_LO": float(qbar - crit * se),
        "CI_HI": float(qbar + crit * se),
        "P": float(p),
        "W": w,
        "B": b,
        "T": t,
        "RIV": float(riv),
        "LAMBDA": float(lam),
        "DF": float(nu),
        "DF_CLASSIC": float(nu_old),
        "M": m,
    }


def draw_regression(
    x_obs: np.ndarray, y_obs: np.ndarray, x_mis: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Imputations for ``x_mis`` by Bayesian linear regression (van Buuren 2018, Alg. 3.1).

    β̂ = (X'X)⁻¹X'y, RSS = |y - Xβ̂|²; σ*² = RSS / g with g ~ χ²(n - p);
    β* = β̂ + σ* L z (L L' = (X'X)⁻¹, z standard normal); y* = X_mis β* + σ* ε.
    Needs n > p observed rows (error otherwise).
    """
    n, p = x_obs.shape
    if n <= p:
        raise ValueError(f"imputation model: {n} observed rows for {p} coefficients")
    xtx_inv = np.linalg.inv(x_obs.T @ x_obs)
    beta = xtx_inv @ x_obs.T @ y_obs
    rss = float(np.sum((y_obs - x_obs @ beta) ** 2))
    sigma = np.sqrt(rss / rng.chisquare(n - p))
    beta_star = beta + sigma * np.linalg.cholesky(xtx_inv) @ rng.standard_normal(p)
    return x_mis @ beta_star + sigma * rng.standard_normal(len(x_mis))


def mi_frame(
    adeff: pd.DataFrame,
    adsl: pd.DataFrame,
    visit: str,
    earlier: Sequence[str],
    paramcd: str = "CPAUCL",
) -> pd.DataFrame:
    """One row per participant of ``adsl`` with a baseline: ARM, AGE, SEX, MALE, BASE,
    the ``earlier`` visits' values (columns named by visit), Y (``visit``) and the
    stratum/site indicators of the ANCOVA; missing values stay NaN. Analysed rows
    (ANL01FL = Y) only."""
    rows = adeff[(adeff["PARAMCD"] == paramcd) & adeff["ANL01FL"].eq("Y")]
    base = adeff[(adeff["PARAMCD"] == paramcd) & adeff["ABLFL"].eq("Y") & adeff["AVAL"].notna()]
    wide = rows[rows["AVISIT"].isin([*earlier, visit])].pivot_table(
        index="USUBJID", columns="AVISIT", values="AVAL", aggfunc="first"
    )
    wide = wide.reindex(columns=[*earlier, visit]).rename(columns={visit: "Y"})
    d = adsl.set_index("USUBJID")[["ARM", "AGE", "SEX"]]
    d = d.join(base.set_index("USUBJID")["AVAL"].rename("BASE"), how="inner").join(wide)
    d["MALE"] = (d["SEX"] == "M").astype(float)
    d = derive_stratum_dummies(d, adsl.set_index("USUBJID"))
    return d.reset_index().sort_values("USUBJID", ignore_index=True)


@dataclass(frozen=True)
class Imputations:
    """``m`` completed copies of an :func:`mi_frame` and where Y was imputed."""

    completed: list[pd.DataFrame]
    imputed: pd.Series  # bool per row: Y was missing
    notes: tuple[str, ...]


def impute_mar(frame: pd.DataFrame, earlier: Sequence[str], m: int, seed: int) -> Imputations:
    """``m`` imputations of the earlier visits and Y, by arm, in visit order (MAR).

    Predictors of visit k: intercept, BASE, AGE, MALE and visits 1..k-1 (already
    complete). A predictor that does not vary among an arm's observed rows is left
    out of that arm's model and listed in ``notes``. Participants missing AGE or
    SEX cannot be imputed: an error names them.
    """
    if frame[["AGE", "MALE"]].isna().any().any() or frame["SEX"].isna().any():
        who = frame.loc[frame[["AGE", "SEX"]].isna().any(axis=1), "USUBJID"].tolist()
        raise ValueError(f"multiple imputation needs AGE and SEX; missing for {who}")
    rng = np.random.default_rng(seed)
    targets = [*earlier, "Y"]
    completed = [frame.copy() for _ in range(m)]
    notes: list[str] = []
    for arm in sorted(frame["ARM"].unique()):
        in_arm = (frame["ARM"] == arm).to_numpy()
        for k, target in enumerate(targets):
            missing = in_arm & frame[target].isna().to_numpy()
            if not missing.any():
                continue
            observed = in_arm & frame[target].notna().to_numpy()
            predictors = [*BASE_PREDICTORS, *targets[:k]]
            for imp in completed:
                used = [
                    c
                    for c in predictors
                    if imp.loc[observed, c].nunique() > 1 or c not in BASE_PREDICTORS
                ]
                x = np.column_stack([np.ones(len(imp)), imp[used].to_numpy(float)])
                y = imp[target].to_numpy(float)
                imp.loc[missing, target] = draw_regression(
                    x[observed], y[observed], x[missing], rng
                )
            dropped = sorted(set(BASE_PREDICTORS) - set(used))
            if dropped:
                notes.append(f"{arm} {target}: {', '.join(dropped)} constant, left out")
    return Imputations(completed, frame["Y"].isna(), tuple(notes))


AncovaFn = Callable[[pd.DataFrame], Mapping[str, Any]]


def ancova_on_completed(first: pd.DataFrame, reference: str = REFERENCE_ARM) -> AncovaFn:
    """:func:`ancova_arm_effect`'s arm difference for data sets that differ from
    ``first`` only in Y: the completed data sets of multiple imputation and their
    tipping-point shifts (m x the number of shifts tried, several hundred fits).

    The ANCOVA's design matrix depends only on ARM and the covariates, which are never
    imputed. So ``first`` is analysed in full once, its statsmodels design matrix is
    kept, and each data set's Y is fitted by statsmodels OLS on that matrix: the same
    computation as the formula model's fit, so DIFF_LOG, DIFF_LOG_SE and DF_RESID are
    the same numbers, bit for bit, without building the formula, the adjusted means
    and pingouin's F-test again for each data set. Returned records hold STATUS,
    DIFF_LOG, DIFF_LOG_SE and DF_RESID, what Rubin's rules pool. A data set whose
    ARM or any candidate covariate (BASE, AGE, MALE, stratum and site indicators,
    used or left out as constant in ``first``) differs from ``first``, or with a
    missing Y, gets the full ``ancova_arm_effect``; so does every data set when
    ``first`` is not estimable.
    """
    primary = ancova_arm_effect(first, reference)
    if primary["STATUS"] != ESTIMATED:
        return lambda data: ancova_arm_effect(data, reference)
    import statsmodels.formula.api as smf
    from statsmodels.regression.linear_model import OLS

    covariates = str(primary["COVARIATES"]).split()
    formula, term = ancova_formula(reference, str(primary["TREATED"]), covariates)
    model = smf.ols(formula, data=first)
    if len(model.exog) != len(first):  # rows with a missing covariate left out
        return lambda data: ancova_arm_effect(data, reference)
    # every column ancova_arm_effect may model, used or left out as constant in ``first``
    candidates = ancova_candidates(first)
    model_columns = ["ARM", *candidates]
    design = first[model_columns]
    column = list(model.exog_names).index(term)

    def fit(data: pd.DataFrame) -> Mapping[str, Any]:
        same = ancova_candidates(data) == candidates and data[model_columns].equals(design)
        if not same or data["Y"].isna().any():
            return ancova_arm_effect(data, reference)
        result = OLS(data["Y"].to_numpy(dtype=float), model.exog).fit()
        return {
            "STATUS": ESTIMATED,
            "DIFF_LOG": float(result.params[column]),
            "DIFF_LOG_SE": float(result.bse[column]),
            "DF_RESID": primary["DF_RESID"],
        }

    return fit


def _pooled_ancova(
    imps: Imputations, delta: float, treated: str, ancova: AncovaFn, alpha: float
) -> dict[str, float]:
    shift = (imps.imputed & (imps.completed[0]["ARM"] == treated)).to_numpy() * delta
    fits = [ancova(d.assign(Y=d["Y"].to_numpy() + shift)) for d in imps.completed]
    failed = [f.get("REASON", "") for f in fits if f.get("STATUS", ESTIMATED) != ESTIMATED]
    if failed:
        raise ValueError(f"ANCOVA not estimable on an imputed data set: {failed[0]}")
    return compute_rubin(
        [f["DIFF_LOG"] for f in fits],
        [f["DIFF_LOG_SE"] ** 2 for f in fits],
        fits[0]["DF_RESID"],
        alpha,
    )


def ancova_mi(
    imps: Imputations,
    reference: str = REFERENCE_ARM,
    ancova: AncovaFn | None = None,
    alpha: float = 0.05,
) -> dict[str, float]:
    """The ANCOVA arm difference pooled over the imputations (Rubin's rules).

    ``ancova`` analyses one completed data set; by default the primary ANCOVA
    (:func:`ancova_on_completed`)."""
    arms = sorted(imps.completed[0]["ARM"].unique())
    treated = next(a for a in arms if a != reference)
    ancova = ancova or ancova_on_completed(imps.completed[0], reference)
    return _pooled_ancova(imps, 0.0, treated, ancova, alpha)


def tipping_point(
    imps: Imputations,
    step: float = 0.1,
    max_delta: float = 2.0,
    tolerance: float = 0.01,
    reference: str = REFERENCE_ARM,
    ancova: AncovaFn | None = None,
    alpha: float = 0.05,
) -> tuple[pd.DataFrame, float | None]:
    """Shift the treated arm's imputed Y by δ until the pooled p >= ``alpha``.

    δ runs 0, ±step, ±2 step, ... against the sign of the pooled estimate at δ = 0,
    up to ``max_delta`` in size; the interval where p crosses α is then bisected to
    ``tolerance``. Returns every δ evaluated (DELTA, ESTIMATE, CI, P, SIGNIFICANT)
    sorted by |δ|, and the tipping point: the smallest |δ| with p >= α (signed),
    0 when p >= α already at δ = 0, None when not reached (or nothing is imputed
    in the treated arm: no δ changes anything). ``ancova`` as in :func:`ancova_mi`.
    """
    arms = sorted(imps.completed[0]["ARM"].unique())
    treated = next(a for a in arms if a != reference)
    ancova = ancova or ancova_on_completed(imps.completed[0], reference)
    rows: dict[float, dict[str, float]] = {}

    def at(delta: float) -> dict[str, float]:
        key = round(delta, 10)
        if key not in rows:
            rows[key] = {"DELTA": key, **_pooled_ancova(imps, key, treated, ancova, alpha)}
        return rows[key]

    first = at(0.0)
    tip: float | None = None
    n_shifted = int((imps.imputed & (imps.completed[0]["ARM"] == treated)).sum())
    if first["P"] >= alpha:
        tip = 0.0
    elif n_shifted:
        sign = -1.0 if first["ESTIMATE"] > 0 else 1.0
        k, lo, hi = 1, 0.0, None
        while k * step <= max_delta + 1e-12:
            if at(sign * k * step)["P"] >= alpha:
                hi = k * step
                break
            lo = k * step
            k += 1
        if hi is not None:
            while hi - lo > tolerance:
                mid = (lo + hi) / 2
                if at(sign * mid)["P"] >= alpha:
                    hi = mid
                else:
                    lo = mid
            tip = round(sign * hi, 10)
    table = pd.DataFrame(sorted(rows.values(), key=lambda r: abs(r["DELTA"])))
    table["SIGNIFICANT"] = np.where(table["P"] < alpha, "Y", "N")
    table["N_SHIFTED"] = n_shifted
    return table, tip


def earlier_mmtt_visits(cohort: Mapping[str, Any], comparison_visit: str) -> list[str]:
    """The MMTT visits after day 0 and before the comparison visit, in schedule order."""
    days = {v["visit"]: v["day"] for v in cohort["schedule"]}
    last = days[comparison_visit]
    visits = [v for v in cohort["assessments"]["mmtt"] if 0 < days.get(v, -1) < last]
    return sorted(visits, key=days.__getitem__)


MI_METHOD = (
    "Bayesian linear regression by arm, visit by visit (van Buuren 2018, Alg. 3.1), "
    "Rubin's rules, Barnard-Rubin df"
)


def missing_data_tables(
    adeff: pd.DataFrame, adsl: pd.DataFrame, cohort: Mapping[str, Any]
) -> tuple[dict[str, pd.DataFrame], str]:
    """``ancova_mi`` (observed ANCOVA and MI under MAR) and ``tipping_point`` tables.

    The population is the cohort's ``analysis.population``; its participants with a
    baseline log(CPAUC + 1) enter (those without one are counted in N_NO_BASELINE).
    Settings: ``analysis.missing_data`` (imputations, seed, tipping_step,
    tipping_max, alpha). Before unblinding both tables hold one row STATUS = blinded.
    """
    analysis = cohort["analysis"]
    if not adsl["ARM"].isin(["MSC", "PLACEBO"]).any():
        notice = pd.DataFrame(
            {"STATUS": ["blinded"], "NOTE": ["no randomisation list: arms not compared"]}
        )
        return {"ancova_mi": notice, "tipping_point": notice}, "blinded: no arm comparison"
    visit, population = analysis["comparison_visit"], analysis["population"]
    settings = analysis["missing_data"]
    alpha = float(settings["alpha"])
    pop = adsl[adsl[POPULATION_FLAGS[population]].eq("Y")]
    earlier = earlier_mmtt_visits(cohort, visit)
    frame = mi_frame(adeff, pop, visit, earlier)
    observed = ancova_arm_effect(frame.dropna(subset=["Y"]))
    imps = impute_mar(frame, earlier, int(settings["imputations"]), int(settings["seed"]))
    pooled = ancova_mi(imps, alpha=alpha)
    treated = str(observed["TREATED"])
    n_imp = imps.imputed.groupby(frame["ARM"]).sum()
    common = {
        "PARAMCD": "CPAUCL",
        "VISIT": visit,
        "POPULATION": population,
        "N_POP": len(pop),
        "N_NO_BASELINE": len(pop) - len(frame),
        "TREATED": treated,
        "REFERENCE": REFERENCE_ARM,
    }
    crit = stats.t.ppf(1 - alpha / 2, observed["DF_RESID"])
    obs_row = {
        **common,
        "METHOD": "observed (primary)",
        "N_ANALYSED": int(observed["N_TREATED"] + observed["N_REFERENCE"]),
        "N_IMPUTED_TREATED": 0,
        "N_IMPUTED_REFERENCE": 0,
        "M": np.nan,
        "ESTIMATE": observed["DIFF_LOG"],
        "SE": observed["DIFF_LOG_SE"],
        "CI_LO": observed["DIFF_LOG"] - crit * observed["DIFF_LOG_SE"],
        "CI_HI": observed["DIFF_LOG"] + crit * observed["DIFF_LOG_SE"],
        "P": observed["P"],
        "DF": float(observed["DF_RESID"]),
        "IMPUTATION": "",
        "NOTE": "",
    }
    mi_row = {
        **common,
        "METHOD": "multiple imputation (MAR)",
        "N_ANALYSED": len(frame),
        "N_IMPUTED_TREATED": int(n_imp.get(treated, 0)),
        "N_IMPUTED_REFERENCE": int(n_imp.get(REFERENCE_ARM, 0)),
        **pooled,
        "IMPUTATION": f"{MI_METHOD}; predictors BASE, AGE, MALE, {', '.join(earlier) or 'none'}",
        "NOTE": "; ".join(imps.notes),
    }
    table = pd.DataFrame([obs_row, mi_row])
    table["RATIO"] = np.exp(table["ESTIMATE"])
    table["RATIO_LO"] = np.exp(table["CI_LO"])
    table["RATIO_HI"] = np.exp(table["CI_HI"])
    tip_table, tip = tipping_point(
        imps,
        float(settings["tipping_step"]),
        float(settings["tipping_max"]),
        alpha=alpha,
    )
    tip_table.insert(0, "POPULATION", population)
    tip_table["TIPPING"] = np.where(tip_table["DELTA"] == tip, "Y", "")
    tip_table["TIPPING_DELTA"] = np.nan if tip is None else tip
    note = (
        f"{population}: observed ANCOVA on {obs_row['N_ANALYSED']}, MI on {len(frame)} "
        f"(imputed {mi_row['N_IMPUTED_TREATED']} {treated}, "
        f"{mi_row['N_IMPUTED_REFERENCE']} {REFERENCE_ARM}); tipping point delta = {tip}"
    )
    return {"ancova_mi": table, "tipping_point": tip_table}, note
