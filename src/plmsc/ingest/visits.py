"""Study days, visits and the analysis flags of BDS datasets.

Rules from docs/conventions.md, "Baseline and visits", and docs/raw-exports.md
("Repeat draws"); the visit schedule comes from the cohort's configuration.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from plmsc.constants import UNSCHEDULED
from plmsc.ingest.rowkeys import (
    flag_array,
    group_ends,
    group_starts,
    row_identity,
    sort_order,
)


def derive_study_day(dates: pd.Series, infusion: pd.Series) -> pd.Series:
    """ADY = (date - infusion date) in whole days; infusion = day 0 (docs/conventions.md).

    Both arguments are datetime64 series aligned on the same index; only the
    calendar date counts (a time of day is dropped). No "day 0 skipped" rule.
    """
    days = (dates.dt.normalize() - infusion.dt.normalize()).dt.days
    return days.astype("Int64")


def derive_visit(ady: pd.Series, schedule: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """AVISIT and AVISITN (the visit's target day) from the study day.

    Each visit of the schedule owns the inclusive window [lo, hi] of study days
    (config, validated not to overlap). A day outside every window, or a missing
    day, gets AVISIT = UNSCHEDULED and AVISITN empty (docs/conventions.md).
    """
    ordered = sorted(schedule, key=lambda v: v["window"][0])
    lo = np.array([v["window"][0] for v in ordered], dtype=float)
    hi = np.array([v["window"][1] for v in ordered], dtype=float)
    labels = [v["visit"] for v in ordered] + [UNSCHEDULED]
    target = np.array([v["day"] for v in ordered], dtype=float)
    day = ady.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    pos = np.searchsorted(lo, day, side="right") - 1
    inside = (pos >= 0) & ~np.isnan(day)
    inside &= day <= hi[np.clip(pos, 0, None)] if len(hi) else False
    pos = np.where(inside, pos, len(ordered))
    visitn = np.append(target, np.nan)[pos]
    return pd.DataFrame(
        index=ady.index,
        data={
            "AVISIT": pd.Categorical.from_codes(pos, categories=labels),
            "AVISITN": pd.array(visitn, dtype="Float64").astype("Int64"),
        },
    )


def derive_analysis_flags(
    frame: pd.DataFrame, keys: Sequence[str], order: Sequence[str]
) -> pd.DataFrame:
    """ANL01FL and RPTDRWFL per (keys..., AVISIT) of scheduled visits.

    docs/conventions.md: when two values fall in one visit window, the one
    closest to the target day (AVISITN) is analysed (ANL01FL = Y); ties go to the
    later one. docs/raw-exports.md, "Repeat draws": the non-missing result wins, the
    other draws of that test at that visit get RPTDRWFL = Y. ``order`` lists
    columns that sort later values last (e.g. collection time, file, line) to
    break ties. UNSCHEDULED rows get neither flag.

    ``frame`` needs the columns ``keys``, ``order``, AVAL, ADY, AVISIT, AVISITN.
    """
    anl, rpt = analysis_flag_masks(frame, keys, order)
    return pd.DataFrame(
        {"ANL01FL": flag_array(anl), "RPTDRWFL": flag_array(rpt)},
        index=frame.index,
    )


def analysis_flag_masks(
    frame: pd.DataFrame, keys: Sequence[str], order: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """(ANL01FL, RPTDRWFL) of :func:`derive_analysis_flags` as boolean arrays (True = Y),
    for a caller that reorders the rows before it writes the flags as text."""
    sched = np.flatnonzero((frame["AVISIT"] != UNSCHEDULED).to_numpy())
    grp = [*keys, "AVISITN"]
    df = frame[[*grp, *order, "AVAL", "ADY"]].iloc[sched]
    missing = df["AVAL"].isna()
    dist = (df["ADY"] - df["AVISITN"]).abs()
    ranked = pd.DataFrame(
        {"_gid": row_identity(df, grp), "_missing": missing, "_dist": dist}
        | {c: df[c] for c in order}
    )
    pos = sort_order(
        ranked,
        ["_gid", "_missing", "_dist", *order],
        ascending=[True, True, True] + [False] * len(order),
    )
    gid = ranked["_gid"].to_numpy()[pos]
    first = group_starts(gid)
    size = np.diff(np.append(np.flatnonzero(first), len(gid)))
    multi = np.repeat(size > 1, size)
    rows = sched[pos]
    anl = np.zeros(len(frame), dtype=bool)
    rpt = np.zeros(len(frame), dtype=bool)
    anl[rows[first & ~missing.to_numpy()[pos]]] = True
    rpt[rows[multi & ~first]] = True
    return anl, rpt


def derive_baseline_flag(
    frame: pd.DataFrame, keys: Sequence[str], order: Sequence[str], exclude: pd.Series
) -> pd.Series:
    """ABLFL = Y on the last non-missing value on or before study day 0, per ``keys``.

    docs/conventions.md, "Baseline and visits". Rows where ``exclude`` is True
    (e.g. a repeat draw that lost to another draw) are not candidates; ties on the
    study day go to the later row by ``order``.
    """
    flag = baseline_flag_mask(frame, keys, order, np.asarray(exclude, dtype=bool))
    return pd.Series(flag_array(flag), index=frame.index)


def baseline_flag_mask(
    frame: pd.DataFrame, keys: Sequence[str], order: Sequence[str], exclude: np.ndarray
) -> np.ndarray:
    """ABLFL of :func:`derive_baseline_flag` as a boolean array (True = Y); ``exclude``
    row by row with ``frame``."""
    cand = frame["AVAL"].notna().to_numpy() & (frame["ADY"] <= 0).fillna(False).to_numpy(bool)
    rows = np.flatnonzero(cand & ~exclude)
    df = frame[[*keys, "ADY", *order]].iloc[rows]
    ranked = pd.DataFrame({"_gid": row_identity(df, keys)} | {c: df[c] for c in ["ADY", *order]})
    pos = sort_order(ranked, ["_gid", "ADY", *order], na_position="first")
    last = group_ends(ranked["_gid"].to_numpy()[pos])
    flag = np.zeros(len(frame), dtype=bool)
    flag[rows[pos[last]]] = True
    return flag
