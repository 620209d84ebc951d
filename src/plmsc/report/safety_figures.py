"""Safety figures: the swimmer plot of Figure 6 and the safety laboratory trajectories.

Swimmer plot (small cohorts): one lane per participant (grouped by arm in a
randomised, unblinded cohort) from day 0 to the end of exposure (adsl EXPENDY);
adverse events as bars from onset to resolution coloured by CTCAE grade, with the
preferred term written beside the bar; events overlapping in time (or in their
label) are stacked in sub-lanes, so no bar or term hides another. Events that
started before the infusion are drawn hatched left of day 0. Hypoglycaemia events
are markers by ADA level on the lane's last sub-lane; several events of one level
on one day are one marker with "×n". Large cohorts: events per study month, AEs
stacked by grade and hypoglycaemia by level, one row per arm.

Laboratory trajectories: each safety test relative to its reference limits,
value / ULN for the tests graded upwards (ALT, AST, creatinine) and value / LLN
for those graded downwards (WBC, platelets, haemoglobin); 1 is the limit, graded
values are marked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from plmsc.endpoints.toxicity import TERMS
from plmsc.report.style import FULL_WIDTH, participant_palette, study_month

#: Colour of each CTCAE grade (1 mild ... 5 death): a sequential scale readable in grey.
GRADE_COLOURS = {
    1: "#fdd966",
    2: "#f59a3c",
    3: "#d7301f",
    4: "#7f0000",
    5: "#000000",
}
MISSING_GRADE = "#bdbdbd"
HYPO_LEVELS = {1: ("o", "Hypoglycaemia level 1"), 2: ("^", "Level 2"), 3: ("*", "Level 3")}
FONT = 7.0
#: Width of a label in study days per character at 7 pt on a full-width year axis.
DAYS_PER_CHAR = 3.4
SUBLANE_IN = 0.17
MIN_SUBLANE_IN = 0.12
#: Height of the lanes that fits a journal page with its caption (inches).
PAGE_HEIGHT_IN = 8.0
#: Participants up to which each lane writes its adverse events' terms; mid-size
#: cohorts (up to :data:`MAX_SWIMMER_LANES`) get the compact swimmer plot (one lane per
#: participant, bars coloured by grade, no terms) and larger ones the monthly aggregate.
MAX_LABELLED_LANES = 12
MAX_SWIMMER_LANES = 60
#: Tallest figure of the compact swimmer plot (inches): a journal page with its caption.
MAX_COMPACT_HEIGHT_IN = 9.0
#: Room of the compact plot outside its lanes (axis, legend, population line; inches).
COMPACT_MARGIN_IN = 1.5
#: Tests graded upwards (value / ULN) and downwards (value / LLN).
UPWARD = ("ALT", "AST", "CREAT")


def assign_sublanes(start: np.ndarray, end: np.ndarray, gap: float = 0.0) -> np.ndarray:
    """Greedy interval packing: the first sub-lane (0, 1, ...) whose last interval ended
    before this one starts (plus ``gap``); intervals taken in the given order."""
    ends: list[float] = []
    lane = np.zeros(len(start), dtype=int)
    for i, (s, e) in enumerate(zip(start, end, strict=True)):
        for k, last in enumerate(ends):
            if s > last + gap:
                lane[i], ends[k] = k, e
                break
        else:
            lane[i] = len(ends)
            ends.append(e)
    return lane


def swimmer_layout(adae: pd.DataFrame, adhypo: pd.DataFrame, ids: Sequence[str]) -> pd.DataFrame:
    """AE bars with their sub-lane: USUBJID, AEDECOD, START, END (days, END exclusive),
    AETOXGR, PRE (started before day 0), LANE. The label counts as part of the bar."""
    ae = adae[adae["USUBJID"].isin(ids)].copy()
    start = ae["ASTDY"].astype("Float64").astype(float)
    end = ae["AENDY"].astype("Float64").astype(float).fillna(start) + 1
    label = ae["AEDECOD"].fillna(ae.get("AETERM", "")).fillna("").astype(str)
    ae = ae.assign(START=start, END=end, LABEL=label, PRE=(start < 0).to_numpy())
    ae = ae[ae["START"].notna()].sort_values(["USUBJID", "START", "END"], kind="stable")
    occupied = np.maximum(ae["END"], ae["START"] + DAYS_PER_CHAR * (ae["LABEL"].str.len() + 1))
    lanes = []
    for _, d in ae.assign(OCC=occupied).groupby("USUBJID", sort=False):
        lanes.append(
            pd.Series(assign_sublanes(d["START"].to_numpy(), d["OCC"].to_numpy()), d.index)
        )
    ae["LANE"] = pd.concat(lanes) if lanes else pd.Series(dtype=int)
    return ae


def hypo_markers(adhypo: pd.DataFrame) -> pd.DataFrame:
    """Hypoglycaemia events (with an ADA level) per participant, day and level: N events."""
    h = adhypo[adhypo["LEVEL"].notna() & adhypo["ADY"].notna()]
    out = h.groupby(["USUBJID", "ADY", "LEVEL"]).size().rename("N").reset_index()
    return out.astype({"ADY": float, "LEVEL": int})


def crowded_offset(usubjid: pd.Series, day: pd.Series, days: float = 4.0) -> np.ndarray:
    """Vertical offset (sub-lane units) of markers that would touch the previous one of the
    same participant (less than ``days`` apart): alternately 0.12 up and down."""
    order = np.lexsort((day.to_numpy(dtype=float), usubjid.astype(str).to_numpy()))
    d = day.to_numpy(dtype=float)[order]
    u = usubjid.astype(str).to_numpy()[order]
    close = np.r_[False, (np.diff(d) < days) & (u[1:] == u[:-1])]
    run = np.zeros(len(d), dtype=int)
    for i in range(1, len(d)):  # runs of touching markers: a handful per participant
        run[i] = run[i - 1] + 1 if close[i] else 0
    offset = np.where(run % 2 == 1, -0.12, np.where(run > 0, 0.12, 0.0))
    out = np.empty(len(d))
    out[order] = offset
    return out


def fig_swimmer(
    adae: pd.DataFrame,
    adhypo: pd.DataFrame,
    adsl: pd.DataFrame,
    groups: Mapping[str, Sequence[str]],
) -> Figure:
    """Figure 6 for a small cohort (see the module docstring); ``groups`` maps a group
    name (arm, or one group for a single-arm cohort) to its participants."""
    ids = [u for members in groups.values() for u in members]
    bars = swimmer_layout(adae, adhypo, ids)
    hypo = hypo_markers(adhypo[adhypo["USUBJID"].isin(ids)])
    n_lanes = bars.groupby("USUBJID")["LANE"].max().add(1).reindex(ids).fillna(0).astype(int)
    height = n_lanes + 1  # AE sub-lanes + the hypoglycaemia sub-lane
    top = np.concatenate([[0], np.cumsum(height.to_numpy())[:-1]]) + 0.6 * np.arange(len(ids))
    top = pd.Series(top, index=ids)
    total = float(top.iloc[-1] + height.iloc[-1]) if len(ids) else 1.0
    # sub-lanes shrink (not below 0.12 in, room for 7 pt text) to keep to a page when possible
    lane_in = max(MIN_SUBLANE_IN, min(SUBLANE_IN, PAGE_HEIGHT_IN / max(total, 1.0)))
    fig = Figure(figsize=(FULL_WIDTH, 0.9 + lane_in * total), layout="constrained")
    ax = fig.subplots()
    exp_end = adsl.set_index("USUBJID")["EXPENDY"].astype("Float64").astype(float)
    for u in ids:
        y0, h = top[u], height[u]
        end = exp_end.get(u, np.nan)
        if not np.isnan(end):
            ax.add_patch(
                Rectangle((0, y0 - 0.45), study_month(end + 1), h - 0.1, facecolor="0.94",
                          edgecolor="0.75", linewidth=0.5, zorder=0)
            )  # fmt: skip
    for _, b in bars.iterrows():
        y = top[b["USUBJID"]] + b["LANE"]
        grade = b["AETOXGR"]
        colour = MISSING_GRADE if pd.isna(grade) else GRADE_COLOURS[int(grade)]
        x0, x1 = study_month(b["START"]), study_month(b["END"])
        ax.add_patch(
            Rectangle((x0, y - 0.3), x1 - x0, 0.6, facecolor=colour, edgecolor="0.2",
                      linewidth=0.4, hatch="////" if b["PRE"] else None, zorder=2)
        )  # fmt: skip
        ax.text(x1 + 0.05, y, b["LABEL"], fontsize=FONT, va="center", ha="left", zorder=3)
    for level, (marker, _) in HYPO_LEVELS.items():
        d = hypo[hypo["LEVEL"] == level]
        # float: an empty level maps to an empty string column otherwise
        lane = d["USUBJID"].map(top).astype(float) + d["USUBJID"].map(height).astype(float)
        y = lane - 1 + (level - 2) * 0.22
        y = y + crowded_offset(d["USUBJID"], d["ADY"])
        ax.scatter(study_month(d["ADY"]), y, marker=marker, s=22 if marker == "*" else 12,
                   facecolor="white" if level == 1 else "0.2", edgecolor="black",
                   linewidths=0.5, zorder=4)  # fmt: skip
        for x, yy, n in zip(study_month(d["ADY"]), y, d["N"], strict=True):
            if n > 1:
                ax.text(x + 0.08, yy, f"×{n}", fontsize=FONT, va="center", zorder=4)
    centre = top + (height - 1) / 2
    ax.set_yticks(centre.to_numpy(), ids)
    ax.set_ylim(total + 0.2, -0.8)
    right = np.nanmax(
        [
            12.5,
            *study_month(exp_end.reindex(ids).to_numpy() + 1),
            *(study_month(bars["START"] + DAYS_PER_CHAR * (bars["LABEL"].str.len() + 2)).tolist()),
        ]
    )
    left = min(0.0, float(study_month(bars["START"].min())) if len(bars) else 0.0) - 0.3
    ax.set_xlim(left, right)
    ax.set_xticks(np.arange(0, int(right) + 1, 1 if right <= 13 else 3))
    ax.set_xlabel("Time since infusion (months)")
    ax.grid(axis="y", visible=False)
    if len(groups) > 1:
        for name, members in groups.items():
            ax.text(left + 0.05, top[members[0]] - 0.55, f"{name} (n = {len(members)})",
                    fontsize=FONT, fontweight="bold", va="bottom")  # fmt: skip
    _swimmer_legend(fig, bars["AETOXGR"], bool(bars["PRE"].any()))
    return fig


def _swimmer_legend(fig: Figure, grades: pd.Series, any_pre: bool) -> None:
    """The swimmer plots' legend: the grades drawn (at least 1 and 2), the hatch of
    pre-infusion events when there are any, the ADA levels and the exposure band."""
    handles: list[Patch | Line2D] = [
        Patch(facecolor=GRADE_COLOURS[g], edgecolor="0.2", label=f"Grade {g}")
        for g in sorted({int(g) for g in grades.dropna()} | {1, 2})
    ]
    if any_pre:
        handles.append(Patch(facecolor="white", edgecolor="0.2", hatch="////",
                             label="Started before the infusion"))  # fmt: skip
    handles += [
        Line2D([], [], marker=m, linestyle="", markeredgecolor="black",
               markerfacecolor="white" if lv == 1 else "0.2", label=lab)
        for lv, (m, lab) in HYPO_LEVELS.items()
    ]  # fmt: skip
    handles.append(
        Patch(facecolor="0.94", edgecolor="0.75", label="Exposure (day 0 to last contact)")
    )
    fig.legend(handles=handles, loc="outside lower center", frameon=False, ncols=4, fontsize=FONT)


def fig_swimmer_compact(
    adae: pd.DataFrame,
    adhypo: pd.DataFrame,
    adsl: pd.DataFrame,
    groups: Mapping[str, Sequence[str]],
) -> Figure:
    """Figure 6 for a mid-size cohort (13 to :data:`MAX_SWIMMER_LANES` participants):
    one lane per participant (grouped by arm), exposure from day 0 to EXPENDY, adverse
    events as bars coloured by CTCAE grade (the worse grade drawn on top where bars
    overlap; no terms, Table 3 lists them), hypoglycaemia markers by ADA level on the
    lane. Lanes are at most 0.17 in and the figure at most
    :data:`MAX_COMPACT_HEIGHT_IN` tall, so the plot fits a page."""
    ids = [u for members in groups.values() for u in members]
    labelled = len(groups) > 1
    rows, y = {}, 0
    for members in groups.values():
        y += 1 if labelled else 0  # a row for the arm's name
        for u in members:
            rows[u] = y
            y += 1
    total = max(y, 1)
    lane_in = min(SUBLANE_IN, (MAX_COMPACT_HEIGHT_IN - COMPACT_MARGIN_IN) / total)
    fig = Figure(figsize=(FULL_WIDTH, COMPACT_MARGIN_IN + lane_in * total), layout="constrained")
    ax = fig.subplots()
    row = pd.Series(rows, dtype=float)
    exp_end = adsl.set_index("USUBJID")["EXPENDY"].astype("Float64").astype(float)
    ends = study_month(exp_end.reindex(ids).to_numpy() + 1)
    ok = ~np.isnan(ends)
    ax.barh(row.to_numpy()[ok], ends[ok], height=0.8, left=0, color="0.94", edgecolor="0.75",
            linewidth=0.4, zorder=0)  # fmt: skip
    ae = adae[adae["USUBJID"].isin(ids)]
    start = ae["ASTDY"].astype("Float64").astype(float)
    end = ae["AENDY"].astype("Float64").astype(float).fillna(start) + 1
    grade = ae["AETOXGR"].astype("Float64").astype(float)
    bars = pd.DataFrame(
        {"Y": ae["USUBJID"].map(row), "START": start, "END": end, "GRADE": grade}
    ).dropna(subset=["START"])
    bars = bars.sort_values("GRADE", na_position="first", kind="stable")
    colours = [MISSING_GRADE if np.isnan(g) else GRADE_COLOURS[int(g)] for g in bars["GRADE"]]
    x0, x1 = study_month(bars["START"]), study_month(bars["END"])
    pre = (bars["START"] < 0).to_numpy()
    for hatched in (False, True):
        sel = pre == hatched
        ax.barh(bars["Y"][sel], (x1 - x0)[sel], left=x0[sel], height=0.6,
                color=[c for c, k in zip(colours, sel, strict=True) if k], edgecolor="0.2",
                linewidth=0.3, hatch="////" if hatched else None, zorder=2)  # fmt: skip
    hypo = hypo_markers(adhypo[adhypo["USUBJID"].isin(ids)])
    for level, (marker, _) in HYPO_LEVELS.items():
        d = hypo[hypo["LEVEL"] == level]
        ax.scatter(study_month(d["ADY"]), d["USUBJID"].map(row).astype(float), marker=marker,
                   s=14 if marker == "*" else 7, facecolor="white" if level == 1 else "0.2",
                   edgecolor="black", linewidths=0.4, zorder=4)  # fmt: skip
    ax.set_yticks(row.to_numpy(), list(row.index))
    ax.tick_params(axis="y", labelsize=FONT, length=0)
    ax.set_ylim(total - 0.4, -0.6)
    right = float(np.nanmax([12.5, *ends, *study_month(bars["END"]).tolist()]))
    left = min(0.0, float(study_month(bars["START"].min())) if len(bars) else 0.0) - 0.3
    ax.set_xlim(left, right)
    ax.set_xticks(np.arange(0, int(right) + 1, 1 if right <= 13 else 3))
    ax.set_xlabel("Time since infusion (months)")
    ax.grid(axis="y", visible=False)
    if labelled:
        for name, members in groups.items():
            ax.text(left + 0.05, rows[members[0]] - 1, f"{name} (n = {len(members)})",
                    fontsize=FONT, fontweight="bold", va="center")  # fmt: skip
    _swimmer_legend(fig, bars["GRADE"], bool(pre.any()))
    return fig


def fig_events_by_month(
    adae: pd.DataFrame, adhypo: pd.DataFrame, groups: Mapping[str, Sequence[str]]
) -> Figure:
    """Large cohorts: treatment-emergent AE onsets per study month stacked by CTCAE grade,
    and hypoglycaemia events per month stacked by ADA level; one row per group."""
    te = adae[adae["TRTEMFL"] == "Y"] if "TRTEMFL" in adae.columns else adae
    fig = Figure(figsize=(FULL_WIDTH, 0.8 + 1.6 * len(groups)), layout="constrained")
    axes = np.atleast_2d(fig.subplots(len(groups), 2, sharex=True, squeeze=False))
    months = np.arange(0, 13)
    for row, (name, members) in enumerate(groups.items()):
        e = te[te["USUBJID"].isin(members)]
        m = np.floor(study_month(e["ASTDY"].astype(float))).clip(0, 12)
        counts = pd.crosstab(m, e["AETOXGR"]).reindex(months, fill_value=0)
        bottom = np.zeros(len(months))
        for g in counts.columns:
            ax = axes[row, 0]
            ax.bar(months, counts[g].to_numpy(), bottom=bottom, color=GRADE_COLOURS[int(g)],
                   edgecolor="0.2", linewidth=0.3, label=f"Grade {int(g)}")  # fmt: skip
            bottom += counts[g].to_numpy()
        h = adhypo[adhypo["USUBJID"].isin(members) & adhypo["LEVEL"].notna()]
        hm = np.floor(study_month(h["ADY"].astype(float))).clip(0, 12)
        hc = pd.crosstab(hm, h["LEVEL"]).reindex(months, fill_value=0)
        bottom = np.zeros(len(months))
        for lv in hc.columns:
            axes[row, 1].bar(months, hc[lv].to_numpy(), bottom=bottom,
                             color=("0.85", "0.55", "0.2")[int(lv) - 1], edgecolor="0.2",
                             linewidth=0.3, label=HYPO_LEVELS[int(lv)][1])  # fmt: skip
            bottom += hc[lv].to_numpy()
        axes[row, 0].set_ylabel(f"{name} (n = {len(members)})\nAE onsets / month")
        axes[row, 1].set_ylabel("Hypoglycaemia / month")
    for ax in axes[-1]:
        ax.set_xlabel("Time since infusion (months)")
    handles = [Patch(facecolor=GRADE_COLOURS[g], edgecolor="0.2", label=f"AE grade {g}")
               for g in (1, 2, 3, 4, 5)]  # fmt: skip
    handles += [Patch(facecolor=c, edgecolor="0.2", label=HYPO_LEVELS[i + 1][1])
                for i, c in enumerate(("0.85", "0.55", "0.2"))]  # fmt: skip
    fig.legend(handles=handles, loc="outside lower center", frameon=False, ncols=4, fontsize=FONT)
    return fig


def lab_relative(adlb: pd.DataFrame) -> pd.DataFrame:
    """Safety values relative to their limit: RATIO = AVAL / ANRHI (ALT, AST, CREAT) or
    AVAL / ANRLO (WBC, PLT, HGB); rows without the value or the limit left out."""
    d = adlb[adlb["PARAMCD"].astype(str).isin(list(TERMS)) & adlb["AVAL"].notna()].copy()
    d["PARAMCD"] = d["PARAMCD"].astype(str)
    up = d["PARAMCD"].isin(UPWARD)
    d["RATIO"] = np.where(up, d["AVAL"] / d["ANRHI"], d["AVAL"] / d["ANRLO"])
    return d[np.isfinite(d["RATIO"])].sort_values(["PARAMCD", "USUBJID", "ADY"], kind="stable")


def fig_safety_labs(adlb: pd.DataFrame, adsl: pd.DataFrame, many: bool = False) -> Figure:
    """Each safety test over study months relative to its reference limit (1 = the limit;
    value / ULN for tests graded upwards, value / LLN for those graded downwards); grade
    >= 1 values circled. Large cohorts: median and 5th-95th percentile band per month."""
    d = lab_relative(adlb)
    palette = participant_palette(adsl["USUBJID"])
    fig = Figure(figsize=(FULL_WIDTH, 4.2), layout="constrained")
    axes = fig.subplots(2, 3, sharex=True).ravel()
    for ax, code in zip(axes, TERMS, strict=True):
        t = d[d["PARAMCD"] == code]
        x = study_month(t["ADY"].astype(float))
        if many:
            month = np.floor(x.clip(lower=-1))
            q = t.assign(M=month).groupby("M")["RATIO"].quantile([0.05, 0.5, 0.95]).unstack()
            ax.fill_between(q.index, q[0.05], q[0.95], color="0.8", linewidth=0)
            ax.plot(q.index, q[0.5], color="black", linewidth=1.0)
        else:
            for u, g in t.groupby("USUBJID", sort=True):
                ax.plot(study_month(g["ADY"].astype(float)), g["RATIO"], marker="o",
                        markersize=2.5, linewidth=0.8, color=palette.get(u, "0.4"))  # fmt: skip
        graded = t[t["ATOXGR"].astype("Float64").fillna(0) >= 1] if "ATOXGR" in t else t.iloc[0:0]
        ax.scatter(study_month(graded["ADY"].astype(float)), graded["RATIO"], s=40,
                   facecolor="none", edgecolor="#d7301f", linewidths=1.0, zorder=4)  # fmt: skip
        ax.axhline(1.0, color="0.3", linestyle="--", linewidth=0.8)
        side = "ULN" if code in UPWARD else "LLN"
        ax.set_title(f"{TERMS[code]}", fontsize=FONT + 0.5)
        ax.set_xticks([0, 3, 6, 9, 12])
        ax.set_ylabel(f"{code} / {side}")
        ax.set_ylim(bottom=0)
    for ax in axes[3:]:
        ax.set_xlabel("Time since infusion (months)")
    handles: list[Line2D] = [
        Line2D([], [], color="0.3", linestyle="--", label="Reference limit (ULN or LLN)"),
        Line2D([], [], marker="o", linestyle="", markerfacecolor="none",
               markeredgecolor="#d7301f", label="CTCAE grade ≥ 1"),
    ]  # fmt: skip
    if not many and len(palette) <= 12:
        handles += [Line2D([], [], color=c, marker="o", markersize=2.5, label=u)
                    for u, c in palette.items()]  # fmt: skip
    fig.legend(handles=handles, loc="outside lower center", frameon=False, ncols=6, fontsize=FONT)
    return fig
