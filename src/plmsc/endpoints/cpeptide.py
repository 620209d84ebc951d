"""Beta-cell function from the 2-hour mixed-meal tolerance test (MMTT).

Conventions of TrialNet / ITN as set out in docs/conventions.md, "The 2-hour
mixed-meal tolerance test (MMTT)". Every MMTT session (one participant, one study day) gets
CPAUC, CPAUCL, CPPEAK and CPFAST with its own study day, also when two sessions
fall in one visit window; fasting samples outside an MMTT give CPFAST.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from plmsc.constants import BLQ_FACTOR, UNSCHEDULED
from plmsc.endpoints.registry import ENDPOINTS

#: Draws that make the AUC(0-120) curve, in minutes.
AUC_TIMES = np.array([0, 15, 30, 60, 90, 120])
#: Every MMTT draw, the -10 min sample included.
MMTT_TIMES = np.array([-10, 0, 15, 30, 60, 90, 120])

Blq = Literal["half", "limit", "zero"]
MmttStart = Literal["zero", "mean_minus10_zero"]
MissingDraw = Literal["missing", "interpolate"]

CPEP_UNIT = ENDPOINTS["CPAUC"].unit


def derive_blq_value(aval: pd.Series, lloq: pd.Series, lloqfl: pd.Series, blq: Blq) -> pd.Series:
    """Analysis value of a result, with a ``<x`` result replaced by the convention.

    ``<x`` counts as x/2 (``half``, the default: TrialNet stores undetectable
    C-peptide as half the limit), x (``limit``) or 0 (``zero``). Other results keep
    their AVAL.
    """
    below = lloqfl.eq("Y").fillna(False).to_numpy()
    return aval.where(~below, lloq * BLQ_FACTOR[blq])


def interpolate_single_interior(curves: np.ndarray, times: np.ndarray = AUC_TIMES) -> np.ndarray:
    """Fill one missing interior draw by linear interpolation in time.

    A row qualifies when exactly one of its draws is missing and that draw is
    neither the first nor the last (docs/conventions.md: "never of the first or
    last"). C_i = C_(i-1) + (C_(i+1) - C_(i-1)) * (t_i - t_(i-1)) / (t_(i+1) - t_(i-1)).
    Other rows are returned unchanged.
    """
    out = np.array(curves, dtype=float, copy=True)
    missing = np.isnan(out)
    single = missing.sum(axis=1) == 1
    for j in range(1, out.shape[1] - 1):
        fill = single & missing[:, j]
        w = (times[j] - times[j - 1]) / (times[j + 1] - times[j - 1])
        out[fill, j] = out[fill, j - 1] + (out[fill, j + 1] - out[fill, j - 1]) * w
    return out


def derive_auc(curves: np.ndarray, times: np.ndarray = AUC_TIMES) -> np.ndarray:
    """Trapezoidal AUC (nmol/L x min): sum of (C_i + C_(i+1)) / 2 x (t_(i+1) - t_i).

    One row per curve, one column per time. A row with any missing draw gives NaN
    (the conservative convention of docs/conventions.md).
    """
    c = np.asarray(curves, dtype=float)
    return ((c[:, :-1] + c[:, 1:]) / 2 * np.diff(times)).sum(axis=1)


def derive_peak(curves: np.ndarray, complete: np.ndarray | None = None) -> np.ndarray:
    """Peak C-peptide: the highest draw present in each row (NaN when none is).

    ``complete`` (one boolean per row) applies the missing-draw convention of the AUC:
    a row whose AUC is missing gets no peak either, since a peak over an incomplete
    curve may be an underestimate (docs/conventions.md, "The 2-hour mixed-meal tolerance test").
    """
    c = np.asarray(curves, dtype=float)
    out = np.full(len(c), np.nan)
    present = ~np.isnan(c).all(axis=1)
    if complete is not None:
        present &= np.asarray(complete, dtype=bool)
    out[present] = np.nanmax(c[present], axis=1)
    return out


def derive_start_value(minus10: np.ndarray, zero: np.ndarray, mmtt_start: MmttStart) -> np.ndarray:
    """First point of the curve: the 0-min sample (``zero``), or the mean of the -10
    and 0-min samples that are present (``mean_minus10_zero``; NaN when neither is)."""
    if mmtt_start == "zero":
        return np.asarray(zero, dtype=float)
    pair = np.column_stack([minus10, zero]).astype(float)
    out = np.full(len(pair), np.nan)
    present = ~np.isnan(pair).all(axis=1)
    out[present] = np.nanmean(pair[present], axis=1)
    return out


def derive_mean_auc(auc: np.ndarray, minutes: float = 120.0) -> np.ndarray:
    """TrialNet "AUC mean" (CPAVE): AUC(0-120) / 120, in nmol/L."""
    return np.asarray(auc, dtype=float) / minutes


def derive_log_auc(mean_auc: np.ndarray) -> np.ndarray:
    """Analysis scale: log(mean AUC + 1) (TrialNet; Lachin et al., PLoS One 2011)."""
    return np.log(np.asarray(mean_auc, dtype=float) + 1)


def compute_mean_auc(
    curves: pd.DataFrame, mmtt_start: MmttStart = "zero", missing_draw: MissingDraw = "missing"
) -> np.ndarray:
    """Mean AUC 0-120 min of each session of :func:`mmtt_curves`, in the test's unit.

    The curve starts at the 0-min draw, or the mean of the -10 and 0-min draws
    (``mmtt_start``); a missing draw gives NaN, or a single interior one is
    interpolated (``missing_draw``); then trapezoidal AUC(0-120) / 120.
    """
    observed = curves[AUC_TIMES].to_numpy(dtype=float)
    grid = observed.copy()
    grid[:, 0] = derive_start_value(curves[-10].to_numpy(float), observed[:, 0], mmtt_start)
    if missing_draw == "interpolate":
        grid = interpolate_single_interior(grid)
    return derive_mean_auc(derive_auc(grid))


def mmtt_curves(adlb: pd.DataFrame, blq: Blq = "half", test: str = "CPEP") -> pd.DataFrame:
    """One row per MMTT session (USUBJID, ADY) and one column per draw minute.

    Reads the ``test`` rows (C-peptide by default, GLU for glucose) of ADLB that
    carry an MMTT minute (ATPTN); a draw that lost to a repeat draw (RPTDRWFL = Y) is
    left out. AVISIT and AVISITN of the session come along as columns.
    """
    cp = adlb[(adlb["PARAMCD"] == test) & adlb["ATPTN"].notna() & adlb["RPTDRWFL"].ne("Y")]
    cp = cp.assign(VALUE=derive_blq_value(cp["AVAL"], cp["LLOQ"], cp["LLOQFL"], blq))
    # A minute of a session appears twice only through a re-drawn tube that ADLB did not
    # flag (an unscheduled session): the analysed tube first, then a non-missing one,
    # then the later row. Sessions never share draws: the key holds the study day.
    cp = cp.assign(_missing=cp["VALUE"].isna(), _row=np.arange(len(cp)))
    cp = cp.sort_values(
        ["USUBJID", "ADY", "ATPTN", "ANL01FL", "_missing", "_row"],
        ascending=[True, True, True, True, True, False],
        na_position="last",
        kind="stable",
    )
    cp = cp.drop_duplicates(["USUBJID", "ADY", "ATPTN"])
    wide = cp.pivot(index=["USUBJID", "ADY"], columns="ATPTN", values="VALUE")
    wide = wide.reindex(columns=MMTT_TIMES)
    visit = cp.drop_duplicates(["USUBJID", "ADY"]).set_index(["USUBJID", "ADY"])[
        ["AVISIT", "AVISITN"]
    ]
    return wide.join(visit)


def derive_cpeptide_endpoints(
    adlb: pd.DataFrame,
    blq: Blq = "half",
    mmtt_start: MmttStart = "zero",
    missing_draw: MissingDraw = "missing",
) -> pd.DataFrame:
    """CPAUC, CPAUCL, CPPEAK per MMTT session and CPFAST per session or fasting sample.

    * CPAUC = AUC(0-120) / 120 by the trapezoidal rule over 0, 15, 30, 60, 90, 120 min.
      The curve starts at the 0-min sample (``mmtt_start="zero"``) or at the mean of
      the -10 and 0 samples that are present (``"mean_minus10_zero"``).
    * A missing draw makes CPAUC missing (``missing_draw="missing"``), or a single
      interior missing draw is interpolated (``"interpolate"``).
    * CPAUCL = log(CPAUC + 1). CPPEAK = the highest observed draw over 0-120 min,
      missing whenever CPAUC is (same missing-draw convention; with
      ``"interpolate"`` a single interior gap is allowed for both).
    * CPFAST = the 0-min MMTT sample (it needs no other draw), else a fasting
      (non-MMTT) C-peptide of that visit.

    Every session (one participant, one study day) gives its own rows with its own
    ADY, whether or not another session falls in the same visit window; a session's
    curve uses only its own draws. Which session a window analyses is ANL01FL of
    ADEFF (:func:`plmsc.endpoints.adeff.derive_var_session_anl01fl`).

    Returns long rows: USUBJID, PARAMCD, ADY, AVISIT, AVISITN, AVAL, AVALU.
    """
    curves = mmtt_curves(adlb, blq)
    mean_auc = compute_mean_auc(curves, mmtt_start, missing_draw)
    observed = curves[AUC_TIMES].to_numpy(dtype=float)
    peak = derive_peak(observed, complete=~np.isnan(mean_auc))

    session = curves[["AVISIT", "AVISITN"]].reset_index()
    rows = [
        session.assign(PARAMCD="CPAUC", AVAL=mean_auc, AVALU=CPEP_UNIT),
        session.assign(
            PARAMCD="CPAUCL", AVAL=derive_log_auc(mean_auc), AVALU=ENDPOINTS["CPAUCL"].unit
        ),
        session.assign(PARAMCD="CPPEAK", AVAL=peak, AVALU=CPEP_UNIT),
        _fasting(adlb, curves, blq),
    ]
    out = pd.concat(rows, ignore_index=True)
    return out[["USUBJID", "PARAMCD", "ADY", "AVISIT", "AVISITN", "AVAL", "AVALU"]]


def _fasting(adlb: pd.DataFrame, curves: pd.DataFrame, blq: Blq) -> pd.DataFrame:
    """CPFAST: each session's 0-min sample, plus fasting samples of visits without one."""
    session = curves[["AVISIT", "AVISITN"]].reset_index().assign(AVAL=curves[0].to_numpy())
    session = session[session["AVAL"].notna()]
    fs = adlb[(adlb["PARAMCD"] == "CPEP") & adlb["ATPTN"].isna() & adlb["RPTDRWFL"].ne("Y")]
    fs = fs.assign(AVAL=derive_blq_value(fs["AVAL"], fs["LLOQ"], fs["LLOQFL"], blq))
    fs = fs.loc[fs["AVAL"].notna(), ["USUBJID", "ADY", "AVISIT", "AVISITN", "AVAL"]]
    # A scheduled visit whose MMTT has a 0-min value takes that; unscheduled samples
    # stand alone unless an MMTT took place the same day.
    have = session.assign(_k=1)
    sched = fs["AVISIT"] != UNSCHEDULED
    by_visit = fs[sched].merge(
        have[["USUBJID", "AVISIT", "_k"]].drop_duplicates(), on=["USUBJID", "AVISIT"], how="left"
    )
    by_day = fs[~sched].merge(
        have[["USUBJID", "ADY", "_k"]].drop_duplicates(), on=["USUBJID", "ADY"], how="left"
    )
    extra = pd.concat([by_visit, by_day], ignore_index=True)
    extra = extra[extra["_k"].isna()].drop(columns="_k")
    return pd.concat([session, extra], ignore_index=True).assign(PARAMCD="CPFAST", AVALU=CPEP_UNIT)
