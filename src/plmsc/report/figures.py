"""Manuscript figures (seaborn on matplotlib), one function per figure.

Every function takes analysis datasets and returns a :class:`matplotlib.figure.Figure`
(made without pyplot, so nothing is kept in global state). Conventions: one colour
per participant from :func:`~plmsc.report.style.participant_palette` in every
figure, a black median line (one line style per arm in a randomised, unblinded
cohort), units on the axes and time as study months (AVISITN / 30.4375).

A cohort of more than :data:`MAX_PARTICIPANT_LINES` participants (phase 2) is
drawn by its summaries instead: median and interquartile band per arm, the share
in remission per visit, and event counts per study month, so a figure of 10,000
participants is as quick and as readable as one of four.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from plmsc.endpoints.cpeptide import Blq, mmtt_curves
from plmsc.endpoints.registry import endpoint, mmtt_figures, select
from plmsc.ingest.units import LAB_TESTS
from plmsc.report.style import MEDIAN_COLOUR, participant_palette, study_month, use_style
from plmsc.report.tables import analysed, by_arm

use_style()

Palette = Mapping[str, tuple[float, float, float]]
MONTH_LABEL = "Time since infusion (months)"
#: Participants beyond which the per-participant legend is left out.
MAX_LEGEND = 12
#: Participants beyond which figures show summaries instead of one line per participant.
MAX_PARTICIPANT_LINES = 40
BAND_ALPHA = 0.15


def _many(palette: Palette) -> bool:
    return len(palette) > MAX_PARTICIPANT_LINES


MEDIAN_STYLES = ("-", "--", ":", "-.")


def median_groups(adsl: pd.DataFrame, design: str) -> dict[str, list[str]]:
    """Participants of each median line: each arm (randomised, unblinded) or all."""
    if by_arm(adsl, design):
        return {str(a): sorted(g["USUBJID"]) for a, g in adsl.groupby("ARM", sort=True)}
    return {"Median": sorted(adsl["USUBJID"])}


def _trajectories(
    ax: Axes,
    data: pd.DataFrame,
    x: str,
    y: str,
    palette: Palette,
    groups: Mapping[str, Sequence[str]],
    marker: str = "o",
) -> None:
    """Per-participant lines in their colours, then the median line(s) over ``x``."""
    d = data[data[y].notna()].sort_values(["USUBJID", x], kind="stable")
    if d.empty:
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center")
        return
    if _many(palette):
        _bands(ax, d, x, y, groups)
        return
    ids = [u for u in palette if u in set(d["USUBJID"])]
    sns.lineplot(
        data=d,
        x=x,
        y=y,
        hue="USUBJID",
        hue_order=ids,
        palette=dict(palette),
        units="USUBJID",
        estimator=None,
        marker=marker,
        markersize=4,
        linewidth=1,
        alpha=0.85,
        legend=False,
        ax=ax,
    )
    for members, style in zip(groups.values(), MEDIAN_STYLES, strict=False):
        med = d[d["USUBJID"].isin(members)].groupby(x, sort=True)[y].median()
        ax.plot(med.index, med.to_numpy(), color=MEDIAN_COLOUR, linewidth=2.4, linestyle=style)


def _bands(ax: Axes, d: pd.DataFrame, x: str, y: str, groups: Mapping[str, Sequence[str]]) -> None:
    """Median line and interquartile band of each group over ``x`` (large cohorts)."""
    for members, style in zip(groups.values(), MEDIAN_STYLES, strict=False):
        q = d[d["USUBJID"].isin(members)].groupby(x, sort=True)[y].quantile([0.25, 0.5, 0.75])
        q = q.unstack()
        ax.fill_between(
            q.index, q[0.25], q[0.75], color=MEDIAN_COLOUR, alpha=BAND_ALPHA, linewidth=0
        )
        ax.plot(
            q.index,
            q[0.5],
            color=MEDIAN_COLOUR,
            linewidth=2.4,
            linestyle=style,
            marker="o",
            markersize=3,
        )


def _legend(fig: Figure, palette: Palette, groups: Mapping[str, Sequence[str]]) -> None:
    handles: list[Line2D | Patch] = []
    if len(palette) <= MAX_LEGEND:
        handles = [
            Line2D([], [], color=c, marker="o", markersize=4, linewidth=1, label=u)
            for u, c in palette.items()
        ]
    for (name, _), style in zip(groups.items(), MEDIAN_STYLES, strict=False):
        label = name if name == "Median" else f"Median, {name}"
        handles.append(
            Line2D([], [], color=MEDIAN_COLOUR, linewidth=2.4, linestyle=style, label=label)
        )
    if _many(palette):
        handles.append(Patch(color=MEDIAN_COLOUR, alpha=BAND_ALPHA, label="Interquartile range"))
    fig.legend(handles=handles, loc="outside right upper", frameon=False)


def _with_month(frame: pd.DataFrame, days: str = "AVISITN") -> pd.DataFrame:
    return frame.assign(MONTH=study_month(frame[days].astype(float)))


def _month_axis(ax: Axes, months: pd.Series) -> None:
    top = int(np.ceil(max(12.0, float(months.max()) if len(months) else 12.0)))
    ax.set_xticks(range(0, top + 1, 3))
    ax.set_xlim(-1, top + 0.5)
    ax.set_xlabel(MONTH_LABEL)


def fig_mmtt_curves(
    adlb: pd.DataFrame, adsl: pd.DataFrame, design: str, blq: Blq = "half", test: str = "CPEP"
) -> Figure:
    """C-peptide (nmol/L), or another ADLB ``test`` drawn during the MMTT (GLU, mg/dL),
    over the 2-hour MMTT, one panel per scheduled MMTT visit."""
    palette = participant_palette(adsl["USUBJID"])
    groups = median_groups(adsl, design)
    curves = mmtt_curves(adlb, blq, test).reset_index()
    curves = curves[curves["AVISIT"] != "UNSCHEDULED"]
    long = curves.melt(
        id_vars=["USUBJID", "ADY", "AVISIT", "AVISITN"], var_name="MINUTE", value_name="CPEP"
    ).astype({"MINUTE": int})
    visits = list(curves.sort_values("AVISITN")["AVISIT"].drop_duplicates())
    ncol = max(1, len(visits))
    fig = Figure(figsize=(1.9 * ncol + 1.3, 2.8), layout="constrained")
    axes = fig.subplots(1, ncol, sharey=True, squeeze=False)[0]
    for ax, visit in zip(axes, visits, strict=True):
        sub = long[long["AVISIT"] == visit]
        _trajectories(ax, sub, "MINUTE", "CPEP", palette, groups)
        ax.set_title(visit)
        ax.set_xticks([0, 30, 60, 90, 120])
        ax.set_xlabel("MMTT time (min)")
        ax.set_ylabel(LAB_TESTS[test].param if ax is axes[0] else "")
    _legend(fig, palette, groups)
    return fig


def fig_cpeptide_auc(adeff: pd.DataFrame, adsl: pd.DataFrame, design: str) -> Figure:
    """C-peptide mean AUC 0-120 min (nmol/L) at each MMTT visit, over study months."""
    palette = participant_palette(adsl["USUBJID"])
    groups = median_groups(adsl, design)
    d = _with_month(analysed(adeff).query("PARAMCD == 'CPAUC'"))
    fig = Figure(figsize=(5.2, 3.4), layout="constrained")
    ax = fig.subplots()
    _trajectories(ax, d, "MONTH", "AVAL", palette, groups)
    ax.set_ylabel(endpoint("CPAUC").label)
    ax.set_ylim(bottom=0)
    _month_axis(ax, d["MONTH"])
    _legend(fig, palette, groups)
    return fig


def fig_glycaemic_control(
    adeff: pd.DataFrame, adsl: pd.DataFrame, design: str, remission_idaa1c: float = 9.0
) -> Figure:
    """HbA1c (%), insulin dose (U/kg/24 h) and IDAA1c (%) with the remission line."""
    palette = participant_palette(adsl["USUBJID"])
    groups = median_groups(adsl, design)
    d = _with_month(analysed(adeff))
    panels = [(c, endpoint(c).label) for c in select(figure="fig3_glycaemic_control")]
    fig = Figure(figsize=(9.5, 3.2), layout="constrained")
    axes = fig.subplots(1, 3, sharex=True)
    for ax, (code, label) in zip(axes, panels, strict=True):
        sub = d[d["PARAMCD"] == code]
        _trajectories(ax, sub, "MONTH", "AVAL", palette, groups)
        ax.set_ylabel(label)
        _month_axis(ax, d["MONTH"])
    axes[2].axhline(remission_idaa1c, color="0.35", linestyle="--", linewidth=1)
    axes[2].annotate(
        f"IDAA1c = {remission_idaa1c:g} %",
        xy=(1, remission_idaa1c),
        xycoords=("axes fraction", "data"),
        xytext=(-2, 3),
        textcoords="offset points",
        ha="right",
        va="bottom",
        fontsize=7,
        color="0.35",
    )
    _legend(fig, palette, groups)
    return fig


def _remission_share(d: pd.DataFrame, groups: Mapping[str, Sequence[str]]) -> Figure:
    """Participants in partial remission (%) per visit, one line per group."""
    fig = Figure(figsize=(5.6, 3.4), layout="constrained")
    ax = fig.subplots()
    handles = []
    for (name, members), style in zip(groups.items(), MEDIAN_STYLES, strict=False):
        share = 100 * d[d["USUBJID"].isin(members)].groupby("MONTH", sort=True)["AVAL"].mean()
        ax.plot(share.index, share.to_numpy(), color=MEDIAN_COLOUR, linestyle=style, marker="o")
        label = "All participants" if name == "Median" else name
        handles.append(
            Line2D([], [], color=MEDIAN_COLOUR, linestyle=style, marker="o", label=label)
        )
    ax.set_ylabel("In partial remission (%)")
    ax.set_ylim(0, 100)
    _month_axis(ax, d["MONTH"])
    fig.legend(handles=handles, loc="outside right upper", frameon=False)
    return fig


def fig_remission(adeff: pd.DataFrame, adsl: pd.DataFrame, design: str = "single_arm") -> Figure:
    """Partial remission (IDAA1c <= threshold) per participant and visit.

    Filled squares: in remission; open squares: not in remission; no square: not
    assessed. Large cohorts: the share in remission per visit and arm.
    """
    palette = participant_palette(adsl["USUBJID"])
    ids = list(palette)
    d = _with_month(analysed(adeff).query("PARAMCD == 'REMISS'"))
    d = d[d["AVAL"].notna()]
    if _many(palette):
        return _remission_share(d, median_groups(adsl, design))
    row = {u: i for i, u in enumerate(ids)}
    fig = Figure(figsize=(5.6, 0.9 + 0.28 * len(ids)), layout="constrained")
    ax = fig.subplots()
    y = d["USUBJID"].map(row).to_numpy()
    colours = [palette[u] for u in d["USUBJID"]]
    yes = d["AVAL"].to_numpy() == 1
    size = 60 if len(ids) <= MAX_LEGEND else 22
    ax.scatter(
        d["MONTH"][yes], y[yes], c=[c for c, k in zip(colours, yes, strict=True) if k],
        marker="s", s=size, edgecolors="black", linewidths=0.5,
    )  # fmt: skip
    ax.scatter(
        d["MONTH"][~yes], y[~yes], facecolors="white",
        edgecolors=[c for c, k in zip(colours, yes, strict=True) if not k],
        marker="s", s=size, linewidths=1.2,
    )  # fmt: skip
    ax.set_yticks(range(len(ids)), ids if len(ids) <= 40 else [""] * len(ids))
    ax.set_ylim(len(ids) - 0.5, -0.5)
    ax.set_ylabel("Participant (USUBJID)")
    ax.grid(axis="y", visible=False)
    _month_axis(ax, d["MONTH"])
    square = {"marker": "s", "linestyle": ""}
    handles = [
        Line2D([], [], color="0.3", markeredgecolor="black", label="In remission", **square),
        Line2D(
            [], [], markerfacecolor="white", markeredgecolor="0.3", label="Not in remission",
            **square,
        ),
    ]  # fmt: skip
    fig.legend(handles=handles, loc="outside right upper", frameon=False)
    return fig


def fig_autoantibodies(adeff: pd.DataFrame, adsl: pd.DataFrame, design: str) -> Figure:
    """Change from baseline (%) of GADA, ZnT8A and IA-2A titres over study months."""
    palette = participant_palette(adsl["USUBJID"])
    groups = median_groups(adsl, design)
    d = _with_month(analysed(adeff))
    panels = [(c, endpoint(c).name) for c in select(figure="fig5_autoantibodies")]
    fig = Figure(figsize=(9.5, 3.2), layout="constrained")
    axes = fig.subplots(1, 3, sharex=True, sharey=True)
    for ax, (code, label) in zip(axes, panels, strict=True):
        sub = d[d["PARAMCD"] == code]
        ax.axhline(0, color="0.35", linewidth=0.8)
        _trajectories(ax, sub, "MONTH", "PCHG", palette, groups)
        ax.set_title(label)
        ax.set_ylabel("Change from baseline (%)" if ax is axes[0] else "")
        _month_axis(ax, d["MONTH"])
    _legend(fig, palette, groups)
    return fig


HYPO_MARKERS = {1: ("o", "Hypoglycaemia level 1"), 2: ("^", "Level 2"), 3: ("*", "Level 3")}


def _events_per_month(
    adae: pd.DataFrame, adhypo: pd.DataFrame, groups: Mapping[str, Sequence[str]]
) -> Figure:
    """Adverse-event onsets and hypoglycaemia events per study month and group."""
    fig = Figure(figsize=(9.0, 3.2), layout="constrained")
    axes = fig.subplots(1, 2, sharex=True)
    hypo = adhypo[adhypo["LEVEL"].notna()]
    panels = [
        (axes[0], adae, "ASTDY", "Adverse events starting"),
        (axes[1], hypo, "ADY", "Hypoglycaemia events"),
    ]
    handles = []
    for ax, events, day, label in panels:
        for (name, members), style in zip(groups.items(), MEDIAN_STYLES, strict=False):
            e = events[events["USUBJID"].isin(members)]
            month = np.floor(study_month(e[day].astype(float).clip(lower=0))).astype(int)
            counts = month.value_counts().sort_index()
            ax.plot(
                counts.index,
                counts.to_numpy(),
                color=MEDIAN_COLOUR,
                linestyle=style,
                marker="o",
                markersize=3,
            )
            if ax is axes[0]:
                text = "All participants" if name == "Median" else name
                handles.append(Line2D([], [], color=MEDIAN_COLOUR, linestyle=style, label=text))
        ax.set_ylabel(f"{label} (per month)")
        ax.set_ylim(bottom=0)
        _month_axis(ax, pd.Series([12.0]))
    fig.legend(handles=handles, loc="outside right upper", frameon=False)
    return fig


def fig_safety_timeline(
    adae: pd.DataFrame, adhypo: pd.DataFrame, adsl: pd.DataFrame, design: str = "single_arm"
) -> Figure:
    """Adverse events (bars from onset to resolution, CTCAE grade as a number) and
    hypoglycaemia events by ADA level, per participant over study months; large
    cohorts: events per study month and arm."""
    palette = participant_palette(adsl["USUBJID"])
    if _many(palette):
        return _events_per_month(adae, adhypo, median_groups(adsl, design))
    ids = list(palette)
    row = {u: i for i, u in enumerate(ids)}
    fig = Figure(figsize=(7.0, 1.1 + 0.34 * len(ids)), layout="constrained")
    ax = fig.subplots()
    ae = adae.sort_values(["USUBJID", "ASTDY"], kind="stable")
    start = ae["ASTDY"].astype(float).to_numpy()
    end = ae["AENDY"].astype(float).fillna(ae["ASTDY"].astype(float)).to_numpy() + 1
    y = ae["USUBJID"].map(row).to_numpy() - 0.18
    ax.hlines(
        y, study_month(start), study_month(end), colors=[palette[u] for u in ae["USUBJID"]],
        linewidth=4, capstyle="butt",
    )  # fmt: skip
    for x0, y0, grade in zip(study_month(start), y, ae["AETOXGR"], strict=True):
        ax.text(float(x0), y0 - 0.12, str(int(grade)), fontsize=6, va="bottom")
    hypo = adhypo[adhypo["LEVEL"].notna()]
    for level, (marker, _) in HYPO_MARKERS.items():
        h = hypo[hypo["LEVEL"] == level]
        ax.scatter(
            study_month(h["ADY"].astype(float)), h["USUBJID"].map(row) + 0.18,
            c=[palette[u] for u in h["USUBJID"]], marker=marker,
            s=28 if marker == "*" else 16, edgecolors="black", linewidths=0.4,
        )  # fmt: skip
    ax.set_yticks(range(len(ids)), ids if len(ids) <= 40 else [""] * len(ids))
    ax.set_ylim(len(ids) - 0.5, -0.5)
    ax.set_ylabel("Participant (USUBJID)")
    ax.grid(axis="y", visible=False)
    _month_axis(ax, study_month(hypo["ADY"].astype(float)))
    handles = [
        Line2D([], [], color="0.3", linewidth=4, label="Adverse event (CTCAE grade)"),
        *[
            Line2D([], [], marker=m, color="0.3", markeredgecolor="black", linestyle="", label=lab)
            for m, lab in HYPO_MARKERS.values()
        ],
    ]
    fig.legend(handles=handles, loc="outside right upper", frameon=False)
    return fig


def make_figures(
    adsl: pd.DataFrame,
    adlb: pd.DataFrame,
    adeff: pd.DataFrame,
    adae: pd.DataFrame,
    adhypo: pd.DataFrame,
    design: str,
    blq: Blq = "half",
    remission_idaa1c: float = 9.0,
) -> dict[str, Figure]:
    """Every manuscript figure of a cohort, keyed by the names in :data:`FIGURES`."""
    curves = {
        name: fig_mmtt_curves(adlb, adsl, design, blq, test)
        for name, test in mmtt_figures().items()
    }
    return curves | {
        "fig2_cpeptide_auc": fig_cpeptide_auc(adeff, adsl, design),
        "fig3_glycaemic_control": fig_glycaemic_control(adeff, adsl, design, remission_idaa1c),
        "fig4_remission": fig_remission(adeff, adsl, design),
        "fig5_autoantibodies": fig_autoantibodies(adeff, adsl, design),
        "fig6_safety_timeline": fig_safety_timeline(adae, adhypo, adsl, design),
    }
