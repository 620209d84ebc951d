"""Manuscript figures (seaborn on matplotlib), one function per figure.

Every function takes analysis datasets and returns a :class:`matplotlib.figure.Figure`
(made without pyplot, so nothing is kept in global state). Conventions:

* Sized for a journal page: a single column (:data:`~plmsc.report.style.SINGLE_COLUMN`,
  3.5 in) or the full width (:data:`~plmsc.report.style.FULL_WIDTH`, 7.2 in), saved at
  300 dpi, no text smaller than 7 pt at that size; legends below the panels.
* Single-arm or blinded cohort: one colour per participant from
  :func:`~plmsc.report.style.participant_palette` in every figure and a black median.
  Randomised, unblinded cohort: the arm's colour (:func:`~plmsc.report.style.arm_palette`),
  thin translucent lines per participant and a thick median line per arm.
* A cohort of more than :data:`MAX_PARTICIPANT_LINES` participants is drawn by its
  summaries: median and interquartile band per arm, the share in remission per visit,
  events per study month, so a figure of 10,000 participants is as quick and as
  readable as one of four.
* Reference lines are named in the legend, not by text on the panel, so no line
  crosses a label; gridlines stay behind the data (``axes.axisbelow``).
* Units on the axes; time as study months (AVISITN / 30.4375).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from plmsc.endpoints.cpeptide import Blq, mmtt_curves
from plmsc.endpoints.populations import POPULATION_FLAGS, population_note, select_population
from plmsc.endpoints.registry import endpoint, mmtt_figures, select
from plmsc.ingest.units import LAB_TESTS
from plmsc.report.safety_figures import (
    MAX_LABELLED_LANES,
    MAX_SWIMMER_LANES,
    fig_events_by_month,
    fig_safety_labs,
    fig_swimmer,
    fig_swimmer_compact,
)
from plmsc.report.style import (
    FULL_WIDTH,
    MEDIAN_COLOUR,
    MIN_FONT_PT,
    SINGLE_COLUMN,
    arm_palette,
    participant_palette,
    study_month,
    use_style,
)
from plmsc.report.tables import analysed, by_arm

use_style()

Colour = tuple[float, float, float]
Palette = Mapping[str, Colour]
MONTH_LABEL = "Time since infusion (months)"
#: Participants beyond which the per-participant legend is left out.
MAX_LEGEND = 12
#: Participants beyond which figures show summaries instead of one line per participant.
MAX_PARTICIPANT_LINES = 40
BAND_ALPHA = 0.2
#: Individual lines of a randomised cohort: thin and translucent under the medians.
THIN_LINE = {"linewidth": 0.6, "alpha": 0.35}
MEDIAN_LINE = {"linewidth": 2.0, "marker": "o", "markersize": 3.5}
MEDIAN_STYLES = ("-", "--", ":", "-.")
#: Reference lines (remission threshold, no change).
REFERENCE = {"color": "0.35", "linestyle": "--", "linewidth": 0.8}


@dataclass(frozen=True)
class Scheme:
    """Colours and groups of a cohort's figures.

    ``palette``: a colour per participant (its arm's colour when ``by_arm``);
    ``groups``: the participants of each median line (each arm, or all under
    "Median"); ``colours``: the colour of each group's median.
    """

    palette: Palette
    groups: Mapping[str, Sequence[str]]
    colours: Mapping[str, Colour | str]
    by_arm: bool

    @property
    def many(self) -> bool:
        """More participants than :data:`MAX_PARTICIPANT_LINES`: summaries only."""
        return len(self.palette) > MAX_PARTICIPANT_LINES

    def style(self, group: str) -> str:
        """Line style of a group's median: solid, then dashed, dotted (also in grey)."""
        return MEDIAN_STYLES[list(self.groups).index(group) % len(MEDIAN_STYLES)]


def median_groups(adsl: pd.DataFrame, design: str) -> dict[str, list[str]]:
    """Participants of each median line: each arm (randomised, unblinded) or all."""
    if by_arm(adsl, design):
        return {str(a): sorted(g["USUBJID"]) for a, g in adsl.groupby("ARM", sort=True)}
    return {"Median": sorted(adsl["USUBJID"])}


def colour_scheme(adsl: pd.DataFrame, design: str) -> Scheme:
    """The :class:`Scheme` of a cohort: by arm when randomised and unblinded."""
    groups = median_groups(adsl, design)
    if by_arm(adsl, design):
        arms = arm_palette(groups)
        arm_of = adsl.set_index("USUBJID")["ARM"].astype(str)
        palette = {u: arms[arm_of[u]] for u in sorted(adsl["USUBJID"])}
        return Scheme(palette, groups, dict(arms), True)
    return Scheme(participant_palette(adsl["USUBJID"]), groups, {"Median": MEDIAN_COLOUR}, False)


def _individual_lines(ax: Axes, d: pd.DataFrame, x: str, y: str, scheme: Scheme) -> None:
    """One line per participant (LineCollection), with markers for a single-arm cohort."""
    ids = d["USUBJID"].to_numpy()
    cut = np.flatnonzero(ids[1:] != ids[:-1]) + 1
    xs = np.split(d[x].to_numpy(dtype=float), cut)
    ys = np.split(d[y].to_numpy(dtype=float), cut)
    firsts = ids[np.r_[0, cut]] if len(ids) else ids
    colours = [scheme.palette[u] for u in firsts]
    style = THIN_LINE if scheme.by_arm else {"linewidth": 1.0, "alpha": 0.9}
    segments = [np.column_stack([a, b]) for a, b in zip(xs, ys, strict=True)]
    ax.add_collection(LineCollection(segments, colors=colours, **style))
    if not scheme.by_arm:
        ax.scatter(
            d[x], d[y], c=[scheme.palette[u] for u in ids], s=10, linewidths=0.3,
            edgecolors="white", zorder=2.5,
        )  # fmt: skip
    ax.autoscale_view()


def _trajectories(ax: Axes, data: pd.DataFrame, x: str, y: str, scheme: Scheme) -> None:
    """Per-participant lines, then the median line of each group, over ``x``; large
    cohorts: median and interquartile band per group."""
    d = data[data[y].notna()].sort_values(["USUBJID", x], kind="stable")
    if d.empty:
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center")
        return
    if scheme.many:
        _bands(ax, d, x, y, scheme)
        return
    _individual_lines(ax, d, x, y, scheme)
    for name, members in scheme.groups.items():
        med = d[d["USUBJID"].isin(members)].groupby(x, sort=True)[y].median()
        ax.plot(
            med.index, med.to_numpy(), color=scheme.colours[name], linestyle=scheme.style(name),
            zorder=3, **MEDIAN_LINE,
        )  # fmt: skip


def _bands(ax: Axes, d: pd.DataFrame, x: str, y: str, scheme: Scheme) -> None:
    """Median line and interquartile band of each group over ``x`` (large cohorts)."""
    for name, members in scheme.groups.items():
        q = d[d["USUBJID"].isin(members)].groupby(x, sort=True)[y].quantile([0.25, 0.5, 0.75])
        q = q.unstack()
        colour = scheme.colours[name]
        ax.fill_between(q.index, q[0.25], q[0.75], color=colour, alpha=BAND_ALPHA, linewidth=0)
        ax.plot(
            q.index, q[0.5], color=colour, linestyle=scheme.style(name), zorder=3, **MEDIAN_LINE
        )


def _group_label(name: str, n: int, scheme: Scheme) -> str:
    if not scheme.by_arm:
        return "Median" if not scheme.many else "Median and interquartile range"
    what = "median and interquartile range" if scheme.many else "median"
    return f"{name} (n = {n}), {what}"


def _legend(
    fig: Figure, scheme: Scheme, extra: Sequence[Line2D | Patch] = (), ncols: int | None = None
) -> None:
    """Legend below the panels: participants (few), group medians, reference lines."""
    handles: list[Line2D | Patch] = []
    if not scheme.by_arm and len(scheme.palette) <= MAX_LEGEND:
        handles = [
            Line2D([], [], color=c, marker="o", markersize=3, linewidth=1, label=u)
            for u, c in scheme.palette.items()
        ]
    for name, members in scheme.groups.items():
        handles.append(
            Line2D(
                [], [], color=scheme.colours[name], linestyle=scheme.style(name),
                label=_group_label(name, len(members), scheme), **MEDIAN_LINE,
            )
        )  # fmt: skip
    if scheme.many:
        handles.append(Patch(color="0.5", alpha=BAND_ALPHA, label="Interquartile range"))
    elif scheme.by_arm:
        handles.append(Line2D([], [], color="0.4", label="One line per participant", **THIN_LINE))
    handles += list(extra)
    fig.legend(
        handles=handles, loc="outside lower center", frameon=False,
        ncols=ncols or min(len(handles), 6 if len(handles) > 4 else 4),
        handlelength=2.2, columnspacing=1.2,
    )  # fmt: skip


def _reference(label: str) -> Line2D:
    """Legend entry of a reference line drawn with :data:`REFERENCE`."""
    return Line2D([], [], label=label, **REFERENCE)


def _with_month(frame: pd.DataFrame, days: str = "AVISITN") -> pd.DataFrame:
    return frame.assign(MONTH=study_month(frame[days].astype(float)))


def _month_axis(ax: Axes, months: pd.Series) -> None:
    top = int(np.ceil(max(12.0, float(months.max()) if len(months) else 12.0)))
    ax.set_xticks(range(0, top + 1, 3))
    ax.set_xlim(-1, top + 0.5)
    ax.set_xlabel(MONTH_LABEL)


def analysed_sessions(adeff: pd.DataFrame) -> pd.DataFrame:
    """The MMTT session drawn for each participant and scheduled visit: the session
    (USUBJID, ADY) of the analysed CPAUC row (ANL01FL = Y). A second session in the
    window stays in the data but is not the visit's curve; the glucose curves follow
    the C-peptide session."""
    rows = analysed(adeff)
    rows = rows[rows["PARAMCD"] == "CPAUC"]
    return rows[["USUBJID", "AVISIT", "ADY"]].drop_duplicates()


def fig_mmtt_curves(
    adlb: pd.DataFrame,
    adsl: pd.DataFrame,
    design: str,
    blq: Blq = "half",
    test: str = "CPEP",
    adeff: pd.DataFrame | None = None,
) -> Figure:
    """C-peptide (nmol/L), or another ADLB ``test`` drawn during the MMTT (GLU, mg/dL),
    over the 2-hour MMTT, one panel per scheduled MMTT visit (full width; up to four
    panels in a row, else rows of three). With ``adeff``, only the analysed session of
    each visit is drawn (:func:`analysed_sessions`)."""
    scheme = colour_scheme(adsl, design)
    curves = mmtt_curves(adlb, blq, test).reset_index()
    curves = curves[curves["AVISIT"] != "UNSCHEDULED"]
    if adeff is not None:
        keep = analysed_sessions(adeff).astype({"ADY": float})
        curves = curves.astype({"ADY": float}).merge(keep, on=["USUBJID", "AVISIT", "ADY"])
    long = curves.melt(
        id_vars=["USUBJID", "ADY", "AVISIT", "AVISITN"], var_name="MINUTE", value_name="CPEP"
    ).astype({"MINUTE": int})
    visits = list(curves.sort_values("AVISITN")["AVISIT"].drop_duplicates()) or ["no MMTT"]
    ncol = len(visits) if len(visits) <= 4 else 3
    nrow = -(-len(visits) // ncol)
    fig = Figure(figsize=(FULL_WIDTH, 0.7 + 1.9 * nrow), layout="constrained")
    axes = fig.subplots(nrow, ncol, sharey=True, sharex=True, squeeze=False).ravel()
    for ax, visit in zip(axes, visits, strict=False):
        sub = long[long["AVISIT"] == visit]
        _trajectories(ax, sub, "MINUTE", "CPEP", scheme)
        ax.set_title(visit)
        ax.set_xticks([0, 30, 60, 90, 120])
        ax.set_xlabel("MMTT time (min)")
        ax.tick_params(labelbottom=True)
        ax.set_ylabel(LAB_TESTS[test].param if ax in axes[::ncol] else "")
    for ax in axes[len(visits) :]:
        ax.set_visible(False)
    _legend(fig, scheme)
    return fig


def fig_cpeptide_auc(adeff: pd.DataFrame, adsl: pd.DataFrame, design: str) -> Figure:
    """C-peptide mean AUC 0-120 min (nmol/L) at each MMTT visit, over study months
    (single column)."""
    scheme = colour_scheme(adsl, design)
    d = _with_month(analysed(adeff).query("PARAMCD == 'CPAUC'"))
    fig = Figure(figsize=(SINGLE_COLUMN, 3.4), layout="constrained")
    ax = fig.subplots()
    _trajectories(ax, d, "MONTH", "AVAL", scheme)
    ax.set_ylabel(endpoint("CPAUC").label)
    ax.set_ylim(bottom=0)
    _month_axis(ax, d["MONTH"])
    _legend(fig, scheme, ncols=2 if scheme.by_arm or scheme.many else 3)
    return fig


def fig_glycaemic_control(
    adeff: pd.DataFrame, adsl: pd.DataFrame, design: str, remission_idaa1c: float = 9.0
) -> Figure:
    """HbA1c (%), insulin dose (U/kg/24 h) and IDAA1c (%) with the remission line
    (full width)."""
    scheme = colour_scheme(adsl, design)
    d = _with_month(analysed(adeff))
    panels = [(c, endpoint(c).label) for c in select(figure="fig3_glycaemic_control")]
    fig = Figure(figsize=(FULL_WIDTH, 2.9), layout="constrained")
    axes = fig.subplots(1, len(panels), sharex=True, squeeze=False)[0]
    for ax, (code, label) in zip(axes, panels, strict=True):
        sub = d[d["PARAMCD"] == code]
        if code == "IDAA1C":
            ax.axhline(remission_idaa1c, zorder=1, **REFERENCE)
        _trajectories(ax, sub, "MONTH", "AVAL", scheme)
        ax.set_ylabel(label)
        _month_axis(ax, d["MONTH"])
    threshold = _reference(f"Partial remission: IDAA1c \u2264 {remission_idaa1c:g} %")
    _legend(fig, scheme, extra=[threshold])
    return fig


def _remission_share(d: pd.DataFrame, scheme: Scheme) -> Figure:
    """Participants in partial remission (%) per visit, one line per group."""
    fig = Figure(figsize=(SINGLE_COLUMN, 3.0), layout="constrained")
    ax = fig.subplots()
    handles = []
    for name, members in scheme.groups.items():
        share = 100 * d[d["USUBJID"].isin(members)].groupby("MONTH", sort=True)["AVAL"].mean()
        line = {"color": scheme.colours[name], "linestyle": scheme.style(name), "marker": "o"}
        ax.plot(share.index, share.to_numpy(), **line)
        label = "All participants" if name == "Median" else f"{name} (n = {len(members)})"
        handles.append(Line2D([], [], label=label, **line))
    ax.set_ylabel("In partial remission (%)")
    ax.set_ylim(0, 100)
    _month_axis(ax, d["MONTH"])
    fig.legend(handles=handles, loc="outside lower center", frameon=False, ncols=len(handles))
    return fig


def fig_remission(adeff: pd.DataFrame, adsl: pd.DataFrame, design: str = "single_arm") -> Figure:
    """Partial remission (IDAA1c <= threshold) per participant and visit (single column).

    Filled squares: in remission; open squares: not in remission; no square: not
    assessed. Participants in arm order, in their arm's colour when randomised.
    Large cohorts: the share in remission per visit and arm.
    """
    scheme = colour_scheme(adsl, design)
    d = _with_month(analysed(adeff).query("PARAMCD == 'REMISS'"))
    d = d[d["AVAL"].notna()]
    if scheme.many:
        return _remission_share(d, scheme)
    ids = [u for members in scheme.groups.values() for u in members]
    row = {u: i for i, u in enumerate(ids)}
    fig = Figure(figsize=(SINGLE_COLUMN, 1.4 + 0.15 * len(ids)), layout="constrained")
    ax = fig.subplots()
    y = d["USUBJID"].map(row).to_numpy()
    colours = np.array([scheme.palette[u] for u in d["USUBJID"]]).reshape(-1, 3)
    yes = d["AVAL"].to_numpy() == 1
    size = 30 if len(ids) <= MAX_LEGEND else 14
    ax.scatter(
        d["MONTH"][yes], y[yes], c=colours[yes], marker="s", s=size, edgecolors="black",
        linewidths=0.4,
    )  # fmt: skip
    ax.scatter(
        d["MONTH"][~yes], y[~yes], facecolors="white", edgecolors=colours[~yes], marker="s",
        s=size, linewidths=0.9,
    )  # fmt: skip
    ax.set_yticks(range(len(ids)), ids)
    ax.set_ylim(len(ids) - 0.5, -0.5)
    ax.set_ylabel("Participant")
    ax.grid(axis="y", visible=False)
    _month_axis(ax, d["MONTH"])
    square = {"marker": "s", "linestyle": "", "markersize": 5}
    handles: list[Line2D | Patch] = [
        Line2D([], [], color="0.3", markeredgecolor="black", label="In remission", **square),
        Line2D(
            [], [], markerfacecolor="white", markeredgecolor="0.3", label="Not in remission",
            **square,
        ),
    ]  # fmt: skip
    if scheme.by_arm:
        handles += [
            Patch(color=scheme.colours[a], label=f"{a} (n = {len(m)})")
            for a, m in scheme.groups.items()
        ]
    fig.legend(handles=handles, loc="outside lower center", frameon=False, ncols=2)
    return fig


#: Bars of the share positive in a single-arm cohort.
POSITIVE_GREY = "0.6"


def _positivity(ax: Axes, d: pd.DataFrame, scheme: Scheme) -> None:
    """Share of participants positive (CRIT1FL = Y) per visit: a bar per visit and
    group (side by side when by arm), in the group's colour (grey for a single arm)."""
    d = d[d["CRIT1FL"].notna()]
    months = np.unique(d["MONTH"].to_numpy(dtype=float))
    spacing = float(np.diff(months).min()) if len(months) > 1 else 1.0
    width = 0.8 * spacing / max(1, len(scheme.groups))
    for i, (name, members) in enumerate(scheme.groups.items()):
        positive = d.loc[d["USUBJID"].isin(members), ["MONTH", "CRIT1FL"]]
        share = 100 * positive["CRIT1FL"].eq("Y").groupby(positive["MONTH"], sort=True).mean()
        offset = (i - (len(scheme.groups) - 1) / 2) * width
        colour = scheme.colours[name] if scheme.by_arm else POSITIVE_GREY
        ax.bar(share.index + offset, share.to_numpy(), width=width, color=colour, linewidth=0)
    ax.set_ylim(0, 100)


def _positivity_title(name: str, crit: pd.Series) -> str:
    """``GADA positive (≥ 10 IU/mL)`` from the cut-off of CRIT1 (``GADA >= 10 IU/mL``)."""
    crit = crit.dropna()
    if crit.empty:
        return f"{name} positive"
    cut = str(crit.iloc[0]).split(">=", 1)[-1].strip()
    return f"{name} positive (\u2265 {cut})"


def fig_autoantibodies(adeff: pd.DataFrame, adsl: pd.DataFrame, design: str) -> Figure:
    """GADA, ZnT8A and IA-2A: change from baseline of the titre (%, top) and the share
    of participants positive by the assay's cut-off (%, bottom), over study months
    (full width)."""
    scheme = colour_scheme(adsl, design)
    d = _with_month(analysed(adeff))
    panels = [(c, endpoint(c).name) for c in select(figure="fig5_autoantibodies")]
    fig = Figure(figsize=(FULL_WIDTH, 4.6), layout="constrained")
    axes = fig.subplots(2, len(panels), sharex=True, squeeze=False)
    for col, (code, label) in enumerate(panels):
        top, bottom = axes[0, col], axes[1, col]
        sub = d[d["PARAMCD"] == code]
        top.axhline(0, color="0.35", linewidth=0.8, zorder=1)
        _trajectories(top, sub, "MONTH", "PCHG", scheme)
        top.set_title(label)
        bottom.set_title(_positivity_title(label, sub["CRIT1"]), fontweight="normal")
        _positivity(bottom, sub, scheme)
        top.set_ylabel("Change from baseline (%)" if col == 0 else "")
        bottom.set_ylabel("Participants positive (%)" if col == 0 else "")
        for ax in (top, bottom):
            _month_axis(ax, d["MONTH"])
        top.tick_params(labelbottom=True)
    _legend(fig, scheme)
    return fig


HYPO_MARKERS = {1: ("o", "Hypoglycaemia level 1"), 2: ("^", "Level 2"), 3: ("*", "Level 3")}


def _events_per_month(adae: pd.DataFrame, adhypo: pd.DataFrame, scheme: Scheme) -> Figure:
    """Adverse-event onsets and hypoglycaemia events per study month and group."""
    fig = Figure(figsize=(FULL_WIDTH, 2.8), layout="constrained")
    axes = fig.subplots(1, 2, sharex=True)
    hypo = adhypo[adhypo["LEVEL"].notna()]
    panels = [
        (axes[0], adae, "ASTDY", "Adverse events starting"),
        (axes[1], hypo, "ADY", "Hypoglycaemia events"),
    ]
    handles = []
    for ax, events, day, label in panels:
        for name, members in scheme.groups.items():
            e = events[events["USUBJID"].isin(members)]
            month = np.floor(study_month(e[day].astype(float).clip(lower=0))).astype(int)
            counts = month.value_counts().sort_index()
            line = {"color": scheme.colours[name], "linestyle": scheme.style(name)}
            ax.plot(counts.index, counts.to_numpy(), marker="o", markersize=3, **line)
            if ax is axes[0]:
                text = "All participants" if name == "Median" else f"{name} (n = {len(members)})"
                handles.append(Line2D([], [], label=text, **line))
        ax.set_ylabel(f"{label} (per month)")
        ax.set_ylim(bottom=0)
        _month_axis(ax, pd.Series([12.0]))
    fig.legend(handles=handles, loc="outside lower center", frameon=False, ncols=len(handles))
    return fig


def fig_safety_timeline(
    adae: pd.DataFrame, adhypo: pd.DataFrame, adsl: pd.DataFrame, design: str = "single_arm"
) -> Figure:
    """Figure 6: the swimmer plot of adverse events by CTCAE grade and hypoglycaemia by ADA
    level per participant (by arm when randomised), with the terms for up to
    :data:`MAX_LABELLED_LANES` participants, compact (grade colours, no terms) up to
    :data:`MAX_SWIMMER_LANES`; larger cohorts: events per study month by grade and level
    (:mod:`plmsc.report.safety_figures`)."""
    scheme = colour_scheme(adsl, design)
    groups = scheme.groups if scheme.by_arm else {"All": sorted(adsl["USUBJID"])}
    n = len(adsl)
    if n > MAX_SWIMMER_LANES:
        return fig_events_by_month(adae, adhypo, groups)
    if n > MAX_LABELLED_LANES:
        return fig_swimmer_compact(adae, adhypo, adsl, groups)
    return fig_swimmer(adae, adhypo, adsl, groups)


#: The safety figures' population (Figure 6 swimmer, Figure 7 laboratory values).
SAFETY_POPULATION = "SAF"


def figure_population(adsl: pd.DataFrame, population: str, design: str) -> tuple[pd.DataFrame, str]:
    """The ADSL rows a figure draws and the line naming them with their n.

    ``population`` is a code of ``POPULATION_FLAGS`` (ITT, SAF, MITT, PPROT): the rows
    with the flag = Y and the tables' sentence (``Population: intention-to-treat
    (ITT), n = 30.``), followed by the n of each arm of a randomised, unblinded cohort
    (``MSC: n = 15; PLACEBO: n = 15.``) on a second line. An ADSL without the flag
    (populations not derived) is drawn whole: ``Participants: all enrolled, n = 4.``
    """
    if POPULATION_FLAGS[population] in adsl:
        pop, text = select_population(adsl, population), population_note(adsl, population)
    else:
        pop, text = adsl, f"Participants: all enrolled, n = {len(adsl)}."
    if by_arm(pop, design):
        arms = pop.groupby("ARM", sort=True)["USUBJID"].nunique()
        text += "\n" + "; ".join(f"{arm}: n = {n}" for arm, n in arms.items()) + "."
    return pop, text


def add_population_line(fig: Figure, text: str) -> None:
    """Write the population line as the title of the figure's legend below the panels
    (at :data:`~plmsc.report.style.MIN_FONT_PT`), or as a legend of its own."""
    size = max(MIN_FONT_PT, 7.0)
    if fig.legends:
        fig.legends[-1].set_title(text, prop={"size": size})
    else:
        fig.legend(handles=[], title=text, title_fontsize=size, loc="outside lower center",
                   frameon=False)  # fmt: skip


def _members(frame: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["USUBJID"].isin(adsl["USUBJID"])]


def make_figures(
    adsl: pd.DataFrame,
    adlb: pd.DataFrame,
    adeff: pd.DataFrame,
    adae: pd.DataFrame,
    adhypo: pd.DataFrame,
    design: str,
    blq: Blq = "half",
    remission_idaa1c: float = 9.0,
    population: str = "ITT",
) -> dict[str, Figure]:
    """Every manuscript figure of a cohort, keyed by the names in :data:`FIGURES`.

    The efficacy figures (1-5) draw the primary analysis ``population`` (config
    ``analysis.population``), the safety figures (6-7) the safety population (SAFFL);
    each names its population and n (by arm when randomised) under its panels.
    """
    eff, eff_text = figure_population(adsl, population, design)
    saf, saf_text = figure_population(adsl, SAFETY_POPULATION, design)
    lb, ef = _members(adlb, eff), _members(adeff, eff)
    curves = {
        name: fig_mmtt_curves(lb, eff, design, blq, test, ef)
        for name, test in mmtt_figures().items()
    }
    efficacy = curves | {
        "fig2_cpeptide_auc": fig_cpeptide_auc(ef, eff, design),
        "fig3_glycaemic_control": fig_glycaemic_control(ef, eff, design, remission_idaa1c),
        "fig4_remission": fig_remission(ef, eff, design),
        "fig5_autoantibodies": fig_autoantibodies(ef, eff, design),
    }
    safety = {
        "fig6_safety_timeline": fig_safety_timeline(
            _members(adae, saf), _members(adhypo, saf), saf, design
        ),
        "fig7_safety_labs": fig_safety_labs(
            _members(adlb, saf), saf, colour_scheme(saf, design).many
        ),
    }
    for figs, text in ((efficacy, eff_text), (safety, saf_text)):
        for fig in figs.values():
            add_population_line(fig, text)
    return efficacy | safety
