"""Power of the next randomised trial, by simulation.

Each simulated trial draws its participants from the simulator's own
natural-history model (:func:`plmsc.simulate.cohort.make_subjects` with every
participant untreated, so C-peptide declines as in the placebo arm:
``c0 * exp(-k * day / 365)``, the untreated k) and their MMTT C-peptide curves as
the LIS simulator does (fasting x (1 + stim x rise) x log-normal assay noise,
:mod:`plmsc.simulate.lis`), vectorised over all trials of a grid point at once.
Full raw exports per trial would take seconds each (ingestion of LIS and REDCap
files), so the trial data go straight to the ANCOVA frame: baseline (day -7) and
month-12 (day 365) log(CPAUC + 1), age and sex.

* True effect ``effect``: the MSC arm keeps (1 + effect) times the share of its
  baseline C-peptide that placebo keeps at month 12: k_MSC = k - log(1 + effect).
* Allocation MSC:PLACEBO = a:b; a grid value n is the size of the placebo arm and
  the MSC arm has round(n * a / b) participants.
* Dropout: each participant misses the month-12 MMTT with probability ``dropout``
  (observed-case analysis, as the primary ANCOVA).
* Each trial is analysed with the project's ANCOVA
  (:func:`plmsc.endpoints.randomised.ancova_arm_effect`), all trials of a grid point
  at once (:func:`compute_arm_p_values`); power = share of trials with p < alpha (a
  trial whose ANCOVA is not estimable counts as not significant and is counted),
  with a Wilson 95 % interval.

Seeds: the grid point with placebo size n uses ``SeedSequence([seed, n])``, so a
point gives the same result whatever else is in the grid.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from plmsc.endpoints.cpeptide import AUC_TIMES, derive_auc, derive_log_auc, derive_mean_auc
from plmsc.endpoints.randomised import (
    ANCOVA_COVARIATES,
    ESTIMATED,
    MIN_PER_ARM,
    REFERENCE_ARM,
    ancova_arm_effect,
    stratum_columns,
)
from plmsc.simulate.cohort import CPEP_RISE, MMTT_MINUTES, fasting_cpeptide, make_subjects

#: Study days of the baseline and month-12 MMTT.
BASELINE_DAY, MONTH12_DAY = -7, 365
#: Assay noise (log-normal SD) of a C-peptide draw, as in the LIS simulator.
CPEP_NOISE = 0.06
POINT_COLUMNS = [
    "N_PLACEBO", "N_MSC", "N_TOTAL", "EFFECT", "DROPOUT", "ALPHA", "N_TRIALS",
    "N_SIGNIFICANT", "N_NOT_ESTIMABLE", "POWER", "POWER_LO", "POWER_HI",
]  # fmt: skip


def arm_sizes(n_placebo: int, allocation: Mapping[str, int]) -> tuple[int, int]:
    """(n MSC, n placebo) for a placebo arm of ``n_placebo`` and the allocation ratio."""
    return round(n_placebo * allocation["MSC"] / allocation["PLACEBO"]), int(n_placebo)


def simulate_mean_auc(subjects: pd.DataFrame, day: int, rng: np.random.Generator) -> np.ndarray:
    """CPAUC (nmol/L) of an MMTT on ``day``: the simulator's curve at 0-120 min with
    assay noise, trapezoidal AUC / 120 (the project's own formula)."""
    fasting = fasting_cpeptide(subjects, np.full(len(subjects), day))
    at = np.isin(MMTT_MINUTES, AUC_TIMES)
    rise = CPEP_RISE[at]
    curves = fasting[:, None] * (1 + subjects["stim"].to_numpy()[:, None] * rise)
    curves = curves * rng.lognormal(0, CPEP_NOISE, curves.shape)
    return derive_mean_auc(derive_auc(curves, AUC_TIMES))


def simulate_trials(
    n_placebo: int,
    n_trials: int,
    effect: float,
    allocation: Mapping[str, int],
    dropout: float,
    cohort: Mapping[str, Any],
    seed: int,
) -> pd.DataFrame:
    """``n_trials`` trials as one long ANCOVA frame: TRIAL, ARM, Y, BASE, AGE, MALE.

    Y is missing for a participant who dropped out before month 12.
    """
    n_msc, n_pl = arm_sizes(n_placebo, allocation)
    per_trial = n_msc + n_pl
    total = per_trial * n_trials
    rng = np.random.default_rng(np.random.SeedSequence([seed, n_placebo]))
    sim = dict(cohort["simulation"])
    # the natural history only: no sites, strata or dropout of the cohort's exports
    sim.update(n=total, allocation={"PLACEBO": 1}, sites=[], stratified=False)
    cfg = {**cohort, "design": "randomised", "simulation": sim}
    subjects = make_subjects(cfg, rng)  # every participant untreated: placebo course
    arm = np.tile(np.repeat(["MSC", "PLACEBO"], [n_msc, n_pl]), n_trials)
    msc = arm == "MSC"
    subjects["k"] = np.where(msc, subjects["k"] - np.log1p(effect), subjects["k"])
    base = derive_log_auc(simulate_mean_auc(subjects, BASELINE_DAY, rng))
    y = derive_log_auc(simulate_mean_auc(subjects, MONTH12_DAY, rng))
    y[rng.random(total) < dropout] = np.nan
    return pd.DataFrame(
        {
            "TRIAL": np.repeat(np.arange(n_trials), per_trial),
            "ARM": arm,
            "Y": y,
            "BASE": base,
            "AGE": subjects["age"].to_numpy().round(1),
            "MALE": (subjects["sex"].to_numpy() == "M").astype(float),
        }
    )


#: Columns of the ANCOVA design matrix, in statsmodels' order for
#: ``Y ~ C(ARM, Treatment('PLACEBO')) + BASE + AGE + MALE``.
DESIGN_COLUMNS = ("Intercept", "MSC", *ANCOVA_COVARIATES)


def compute_arm_p_values(observed: pd.DataFrame, n_trials: int) -> tuple[np.ndarray, np.ndarray]:
    """p of the arm effect in each trial's ANCOVA, for all trials at once.

    ``observed``: the trials' participants with a month-12 value (TRIAL 0 .. n_trials - 1,
    ARM, Y, BASE, AGE, MALE; no missing Y). Returns ``(p, estimated)``, two arrays of
    length ``n_trials`` indexed by TRIAL: the p-value of arm (NaN when not estimated)
    and whether the ANCOVA was estimable (a trial with nobody observed is not).

    The decision is that of :func:`plmsc.endpoints.randomised.ancova_arm_effect`, the
    primary analysis, without fitting each trial with statsmodels and pingouin:

    * Design X = [1, MSC, BASE, AGE, MALE] (MSC = 1 for the treated arm, PLACEBO the
      reference), each trial's rows zero-padded to the largest trial. Zero rows
      change neither the least-squares solution nor the singular values, so one
      stacked ``numpy.linalg`` call fits every trial.
    * Rank as ``numpy.linalg.matrix_rank`` computes it for the unpadded X: singular
      values above S_max x max(n, 5) x machine epsilon.
    * Least squares by QR (X = QR, b = R^-1 Q'y); s^2 = RSS / (n - 5);
      SE(b_MSC) = s x sqrt([(X'X)^-1]_MSC,MSC) with (X'X)^-1 = R^-1 R^-T.
    * p = 2 P(T_(n-5) > |b_MSC / SE|). Arm has one degree of freedom and the model has
      no interaction, so this equals the p of the ANCOVA F-test of arm
      (F = t^2, Type II sums of squares) that ``ancova_arm_effect`` reports.

    A trial outside this common case (an arm with fewer than MIN_PER_ARM participants,
    a covariate constant or missing within the trial, no residual degrees of freedom,
    X not of full rank), and every trial when ``observed`` has stratum or site
    indicators or a missing Y, goes through ``ancova_arm_effect`` itself, which drops a
    constant covariate or reports the trial not estimable.
    """
    from scipy.special import stdtr  # Student t CDF; scipy.stats would cost an import

    p = np.full(n_trials, np.nan)
    estimated = np.zeros(n_trials, dtype=bool)
    if observed.empty:
        return p, estimated
    trial = observed["TRIAL"].to_numpy(dtype=np.int64)
    if np.any(np.diff(trial) < 0):
        raise ValueError("compute_arm_p_values: rows must be ordered by TRIAL")
    msc = (observed["ARM"].to_numpy() != REFERENCE_ARM).astype(float)
    covariates = observed[list(ANCOVA_COVARIATES)].to_numpy(dtype=float)
    x = np.column_stack([np.ones(len(observed)), msc, covariates])
    y = observed["Y"].to_numpy(dtype=float)

    n = np.bincount(trial, minlength=n_trials)
    n_msc = np.bincount(trial, weights=msc, minlength=n_trials)
    present = np.flatnonzero(n)
    starts = np.searchsorted(trial, present)
    varies = np.ones(n_trials, dtype=bool)
    for column in covariates.T:  # 3 covariates: a loop over columns, not rows
        missing = np.bincount(trial, weights=np.isnan(column), minlength=n_trials) > 0
        lo = np.full(n_trials, np.nan)
        hi = np.full(n_trials, np.nan)
        lo[present] = np.fmin.reduceat(column, starts)
        hi[present] = np.fmax.reduceat(column, starts)
        varies &= ~missing & (lo < hi)
    k = len(DESIGN_COLUMNS)
    # the arms are MSC and PLACEBO, the design has no stratum or site indicators and Y
    # is observed: anything else is analysed trial by trial by the primary ANCOVA itself
    plain = (
        set(observed["ARM"].unique()) <= {"MSC", REFERENCE_ARM}
        and not stratum_columns(observed)
        and not np.isnan(y).any()
    )
    regular = plain & (n_msc >= MIN_PER_ARM) & (n - n_msc >= MIN_PER_ARM) & varies & (n - k >= 1)

    fitted = np.flatnonzero(regular)
    if len(fitted):
        slot = np.full(n_trials, -1)
        slot[fitted] = np.arange(len(fitted))
        rows = slot[trial] >= 0
        where = slot[trial[rows]]
        position = np.arange(len(trial))[rows] - starts[np.searchsorted(present, trial[rows])]
        xs = np.zeros((len(fitted), int(n[fitted].max()), k))
        ys = np.zeros(xs.shape[:2])
        xs[where, position] = x[rows]
        ys[where, position] = y[rows]
        s = np.linalg.svd(xs, compute_uv=False)
        eps = np.finfo(float).eps
        rank = (s > s.max(axis=1, keepdims=True) * np.maximum(n[fitted], k)[:, None] * eps).sum(1)
        full = rank == k
        q, r = np.linalg.qr(xs[full])
        b = np.linalg.solve(r, np.einsum("tnk,tn->tk", q, ys[full])[..., None])[..., 0]
        residual = ys[full] - np.einsum("tnk,tk->tn", xs[full], b)
        df = n[fitted][full] - k
        s2 = (residual**2).sum(axis=1) / df
        r_inv = np.linalg.inv(r)
        se = np.sqrt(s2 * (r_inv[:, 1, :] ** 2).sum(axis=1))
        t = b[:, 1] / se
        p[fitted[full]] = 2 * stdtr(df, -np.abs(t))
        estimated[fitted[full]] = True
        regular[fitted[~full]] = False

    for i in np.flatnonzero(~regular & (n > 0)):
        start = int(starts[np.searchsorted(present, i)])
        fit = ancova_arm_effect(observed.iloc[start : start + int(n[i])])
        estimated[i] = fit["STATUS"] == ESTIMATED
        p[i] = float(fit["P"]) if estimated[i] else np.nan
    return p, estimated


def compute_power(
    n_placebo: int,
    settings: Mapping[str, Any],
    cohort: Mapping[str, Any],
    timings: dict[str, float] | None = None,
) -> pd.DataFrame:
    """One grid point: simulate ``settings['trials']`` trials, analyse each with the
    project's ANCOVA, return one row of :data:`POINT_COLUMNS`.

    ``settings`` is the config's ``power`` block (effect, allocation, dropout,
    trials, alpha, seed). ``timings``, when given, receives the seconds spent
    simulating and analysing.
    """
    t0 = time.perf_counter()
    trials = simulate_trials(
        n_placebo,
        int(settings["trials"]),
        float(settings["effect"]),
        settings["allocation"],
        float(settings["dropout"]),
        cohort,
        int(settings["seed"]),
    )
    t1 = time.perf_counter()
    alpha = float(settings["alpha"])
    p, estimated = compute_arm_p_values(trials.dropna(subset=["Y"]), int(settings["trials"]))
    t2 = time.perf_counter()
    if timings is not None:
        timings.update(simulate=t1 - t0, analyse=t2 - t1)
    n_sig = int(np.sum(p[estimated] < alpha))
    n_trials = int(settings["trials"])
    lo, hi = proportion_confint(n_sig, n_trials, alpha=0.05, method="wilson")
    n_msc, n_pl = arm_sizes(n_placebo, settings["allocation"])
    row = {
        "N_PLACEBO": n_pl,
        "N_MSC": n_msc,
        "N_TOTAL": n_msc + n_pl,
        "EFFECT": float(settings["effect"]),
        "DROPOUT": float(settings["dropout"]),
        "ALPHA": alpha,
        "N_TRIALS": n_trials,
        "N_SIGNIFICANT": int(n_sig),
        "N_NOT_ESTIMABLE": n_trials - int(estimated.sum()),
        "POWER": n_sig / n_trials,
        # Wilson bounds at 0 or n successes are 0 and 1 up to rounding: clip to the estimate
        "POWER_LO": min(float(lo), n_sig / n_trials),
        "POWER_HI": max(float(hi), n_sig / n_trials),
    }
    return pd.DataFrame([row], columns=POINT_COLUMNS)


def compute_power_curve(
    grid: Sequence[int],
    settings: Mapping[str, Any],
    cohort: Mapping[str, Any],
    timings: dict[str, float] | None = None,
) -> pd.DataFrame:
    """The power curve: :func:`compute_power` at every placebo-arm size of ``grid``
    (each distinct size once), one row per point ordered by N_PLACEBO.

    Each point keeps its own seed stream (``SeedSequence([seed, n])``), so a point's
    row is the same computed alone or in any grid. ``timings``, when given, receives
    the seconds spent simulating and analysing, summed over the points.
    """
    sizes = sorted({int(n) for n in grid})
    if not sizes:
        raise ValueError("the power grid holds no placebo-arm size")
    rows, total = [], {"simulate": 0.0, "analyse": 0.0}
    for n in sizes:
        spent: dict[str, float] = {}
        rows.append(compute_power(n, settings, cohort, spent))
        for key in total:
            total[key] += spent[key]
    if timings is not None:
        timings.update(total)
    return pd.concat(rows, ignore_index=True)  # one row per size, sizes in order


def sample_size_for(curve: pd.DataFrame, targets: Sequence[float] = (0.8, 0.9)) -> dict[str, Any]:
    """Smallest grid point whose simulated power reaches each target (None if none does).

    Keys ``n80``/``n90``: {"n_placebo", "n_msc", "n_total", "power"}.
    """
    curve = curve.sort_values("N_PLACEBO")
    out: dict[str, Any] = {}
    for target in targets:
        hit = curve[curve["POWER"] >= target]
        key = f"n{round(target * 100)}"
        if hit.empty:
            out[key] = None
        else:
            r = hit.iloc[0]
            out[key] = {
                "n_placebo": int(r["N_PLACEBO"]),
                "n_msc": int(r["N_MSC"]),
                "n_total": int(r["N_TOTAL"]),
                "power": float(r["POWER"]),
            }
    return out


def fig_power_curve(curve: pd.DataFrame) -> Any:
    """Power against participants per trial (total), with Wilson 95 % bands and the
    80 % and 90 % lines."""
    import matplotlib.pyplot as plt

    curve = curve.sort_values("N_TOTAL")
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    ax.fill_between(curve["N_TOTAL"], curve["POWER_LO"], curve["POWER_HI"], alpha=0.25)
    ax.plot(curve["N_TOTAL"], curve["POWER"], marker="o")
    for level in (0.8, 0.9):
        ax.axhline(level, linestyle="--", linewidth=0.8, color="grey")
    first = curve.iloc[0]
    ax.set_xlabel("Participants randomised (MSC + placebo)")
    ax.set_ylabel("Power")
    ax.set_ylim(0, 1.02)
    ax.set_title(
        f"Effect {first['EFFECT']:g}, dropout {first['DROPOUT']:g}, "
        f"alpha {first['ALPHA']:g}, {int(first['N_TRIALS'])} trials per point",
        fontsize=9,
    )
    fig.tight_layout()
    return fig
