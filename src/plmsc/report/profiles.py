"""Participant profiles: one HTML page per participant, for a reviewer's case review.

Each page (``profiles/<USUBJID>.html``, figures embedded as PNG) shows:

1. every endpoint of ADEFF over study months, the participant's analysed values on
   the cohort's median per visit (grey, for context);
2. the participant's MMTT curves (C-peptide, and glucose when drawn), one line per visit;
3. the safety laboratory tests against their reference limits (ANRLO-ANRHI band, when
   ADLB carries them; otherwise the raw values alone);
4. the adverse-event and hypoglycaemia lane (bars from onset to resolution with the
   CTCAE grade, hypoglycaemia by ADA level);
5. listings: endpoints by visit, adverse events, hypoglycaemia events.

Participants: all of a cohort up to ``max_participants`` (config ``profiles``), the
first ones in USUBJID order, or those listed in ``participants``. Pages carry the
USUBJID, arm, sex and age only: no name, MRN or calendar date reaches them.

Figures are laid out in fixed inches (:data:`ENDPOINT_GRID`, :data:`SAFETY_GRID`,
:func:`grid_fractions`), not by a layout engine, and a figure of one shape is built
once per run and drawn again for each participant (:func:`fig_endpoints`).
"""

from __future__ import annotations

import base64
import html
import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox, ScaledTranslation

from plmsc.endpoints.registry import ENDPOINTS
from plmsc.ingest.units import LAB_TESTS
from plmsc.io import write_text
from plmsc.report.figures import HYPO_MARKERS, MONTH_LABEL, _month_axis
from plmsc.report.formatting import format_number
from plmsc.report.style import FULL_WIDTH, show_figure, study_month
from plmsc.report.tables import analysed

#: Endpoints not drawn (analysis scale and yes/no parameters: in the listing instead).
NOT_DRAWN = frozenset({"CPAUCL"})
#: Safety laboratory tests drawn against their limits, in this order when present.
SAFETY_LABS = ("ALT", "AST", "CREAT", "WBC", "PLT", "HGB")
#: Colour of the participant's own values.
OWN_COLOUR = "#0072B2"
#: Lines of the endpoint panels: the cohort's median and the participant's values.
MEDIAN_STYLE: dict[str, object] = {"color": "0.6", "linewidth": 1.5}
OWN_STYLE: dict[str, object] = {
    "color": OWN_COLOUR, "marker": "o", "markersize": 3, "linewidth": 1.2
}  # fmt: skip
#: Colour of the CTCAE grades 1-5 in the lane.
GRADE_COLOURS = {1: "#F0E442", 2: "#E69F00", 3: "#D55E00", 4: "#CC79A7", 5: "#000000"}
#: Fixed layout of the profile figures, in inches (no layout engine: a constrained
#: layout measures every tick label of every axes twice per figure, most of the time
#: of this step). The room is sized for the longest text a panel can carry at these
#: font sizes: titles of up to three 7-point lines (endpoint names wrapped at 22
#: characters), y tick labels of up to six characters, the lane's labels
#: "Adverse events" / "Hypoglycaemia", legends of known rows.
ENDPOINT_GRID = {"left": 0.45, "right": 0.08, "top": 0.5, "wspace": 0.45, "hspace": 0.7}
#: Height of one endpoint panel; below the last row: x tick labels, the MMTT legend
#: (rows of two visits) and the figure legend.
ENDPOINT_AX_HEIGHT = 1.05
TICK_LABEL_BAND = 0.24
LEGEND_ROW = 0.14
LEGEND_PAD = 0.06
FIGURE_LEGEND_BAND = 0.26
SAFETY_GRID = {"left": 0.95, "right": 0.06, "top": 0.25, "wspace": 0.45, "hspace": 0.45}
SAFETY_AX_HEIGHT = 1.3
#: Lane: its own height, the gap above it (lab x tick labels and the lane legend) and
#: the band below it (x tick labels and the axis label).
LANE_HEIGHT = 1.6
LANE_GAP = 0.55
LANE_BOTTOM = 0.42
#: Heights of the adverse-event bars in the lane (events in onset order cycle through
#: them): 0.4 apart, about 16 points at the lane's height, so that an event's label
#: (4 points above its bar, 7-point text) stays below the next event's bar.
AE_ROWS = (1.0, 1.4, 1.8)
#: Titles at the top of their axes (where matplotlib puts them when no tick labels are
#: above the axes, as here); a fixed height spares the tick-label measurement
#: matplotlib otherwise repeats for every title at every draw.
TITLE_Y = 1.0
PAGE_STYLE = (
    "body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:64em;margin:1.5em auto;"
    "padding:0 1em;color:#222;line-height:1.4}img{max-width:100%;height:auto}"
    "table{border-collapse:collapse;font-size:13px}td,th{padding:2px 8px;text-align:left;"
    "border-bottom:1px solid #e3e3e3}th{border-bottom:2px solid #999}"
    ".scroll{overflow-x:auto;max-width:100%}nav a{margin-right:1em}"
)


def select_participants(
    adsl: pd.DataFrame, max_participants: int, participants: Sequence[str] = ()
) -> list[str]:
    """USUBJIDs with a profile: ``participants`` when given (each must be in ADSL),
    else the first ``max_participants`` in USUBJID order."""
    ids = sorted(adsl["USUBJID"].astype(str))
    if participants:
        unknown = sorted(set(participants) - set(ids))
        if unknown:
            raise ValueError(
                f"config profiles.participants: {unknown} not in ADSL (expected USUBJIDs "
                f"such as {ids[:3]})"
            )
        return [u for u in ids if u in set(participants)]
    return ids[:max_participants]


def cohort_medians(adeff: pd.DataFrame) -> pd.DataFrame:
    """Cohort context per PARAMCD and scheduled visit (with MONTH): the median of the
    analysed values, or for a yes/no endpoint the share of participants with 1."""
    anl = analysed(adeff)
    g = anl.groupby(["PARAMCD", "AVISITN"], sort=True)["AVAL"]
    out = pd.DataFrame({"MEDIAN": g.median(), "MEAN": g.mean()}).reset_index()
    binary = out["PARAMCD"].map(lambda c: c in ENDPOINTS and ENDPOINTS[c].kind == "binary")
    out["AVAL"] = out["MEAN"].where(binary.astype(bool), out["MEDIAN"])
    return out[["PARAMCD", "AVISITN", "AVAL"]].assign(
        MONTH=study_month(out["AVISITN"].astype(float))
    )


def grid_fractions(
    width: float,
    height: float,
    nrow: int,
    ncol: int,
    grid: Mapping[str, float],
    bottom: float,
) -> dict[str, float]:
    """Gridspec keywords of an ``nrow`` x ``ncol`` grid from lengths in inches.

    ``grid`` holds the margins ``left``, ``right``, ``top`` and the gaps ``wspace``
    (between columns) and ``hspace`` (between rows); ``bottom`` is the bottom margin.
    matplotlib's gridspec takes the margins as fractions of the figure (left = left /
    width, right = 1 - right / width, top = 1 - top / height, bottom = bottom / height)
    and the gaps as fractions of the mean axes width or height (wspace = gap / w, with
    w = (width - left - right - (ncol - 1) gap) / ncol; likewise hspace over rows).
    """
    w = (width - grid["left"] - grid["right"] - (ncol - 1) * grid["wspace"]) / ncol
    h = (height - grid["top"] - bottom - (nrow - 1) * grid["hspace"]) / nrow
    if w <= 0 or h <= 0:
        raise ValueError(
            f"profile figure of {width} x {height} in: no room for {nrow} x {ncol} axes "
            f"with margins {dict(grid)} and bottom {bottom} (axes {w:.2f} x {h:.2f} in)"
        )
    return {
        "left": grid["left"] / width,
        "right": 1 - grid["right"] / width,
        "top": 1 - grid["top"] / height,
        "bottom": bottom / height,
        "wspace": grid["wspace"] / w,
        "hspace": grid["hspace"] / h,
    }


def compute_endpoint_bottom(legend_rows: int) -> float:
    """Bottom margin (inches) of the endpoint figure: the last row's x tick labels,
    the MMTT legend of ``legend_rows`` rows when there is one (rows plus padding) and
    the figure legend: TICK_LABEL_BAND + [LEGEND_PAD + rows x LEGEND_ROW] +
    FIGURE_LEGEND_BAND."""
    legend = LEGEND_PAD + legend_rows * LEGEND_ROW if legend_rows > 0 else 0.0
    return TICK_LABEL_BAND + legend + FIGURE_LEGEND_BAND


def _endpoint_codes(adeff: pd.DataFrame) -> list[str]:
    present = set(adeff["PARAMCD"].unique())
    return [c for c in ENDPOINTS if c in present and c not in NOT_DRAWN]


#: Figures already laid out, keyed by their shape, to be drawn again for the next
#: participant (see :func:`fig_endpoints`).
Canvases = dict[tuple[object, ...], Figure]


def _canvas(
    canvases: Canvases | None, key: tuple[object, ...], build: Callable[[], Figure]
) -> Figure:
    if canvases is None:
        return build()
    if key not in canvases:
        canvases[key] = build()
    return canvases[key]


def _reset(ax: Axes, autoscale: str = "y") -> None:
    """Remove the data artists of ``ax`` (lines, collections, texts, legend) and its data
    limits, so that the axes draws the next participant exactly as a new one would:
    limits on the ``autoscale`` axes ("x", "y", "xy" or "") follow the new data only.
    A new axes goes through the same reset, so a page's bytes do not depend on which
    pages were drawn before it."""
    for artist in [*ax.lines, *ax.collections, *ax.texts]:
        artist.remove()
    legend = ax.get_legend()
    if legend is not None:
        legend.remove()
    ax.dataLim.set_points(Bbox.null().get_points())
    ax.ignore_existing_data_limits = True
    if "x" in autoscale:
        ax.set_xlim(0, 1)
        ax.set_autoscalex_on(True)
    if "y" in autoscale:
        ax.set_ylim(0, 1)
        ax.set_autoscaley_on(True)


def _endpoint_canvas(codes: Sequence[str], tests: Sequence[str], legend_rows: int) -> Figure:
    """The endpoint figure without data: axes in the fixed grid, titles, month axes and
    the figure legend (MMTT minute ticks are set with each participant's curves)."""
    n = len(codes) + len(tests)
    ncol = 4
    nrow = max(1, -(-n // ncol))
    bottom = compute_endpoint_bottom(legend_rows)
    g = ENDPOINT_GRID
    height = g["top"] + nrow * ENDPOINT_AX_HEIGHT + (nrow - 1) * g["hspace"] + bottom
    fig = Figure(figsize=(FULL_WIDTH, height))
    grid = fig.add_gridspec(nrow, ncol, **grid_fractions(FULL_WIDTH, height, nrow, ncol, g, bottom))
    axes = [fig.add_subplot(grid[i // ncol, i % ncol]) for i in range(n)]
    for ax, code in zip(axes, codes, strict=False):
        e = ENDPOINTS[code]
        name = textwrap.fill(e.name, 22)
        if e.kind == "binary":
            ax.set_title(f"{name}\n(1 yes, 0 no; grey: share)", fontsize=7, y=TITLE_Y)
        else:
            ax.set_title(f"{name}\n({e.unit})" if e.unit else name, fontsize=7, y=TITLE_Y)
        _month_axis(ax, pd.Series([12.0]))
        ax.set_xlabel("")
    for ax, test in zip(axes[len(codes) :], tests, strict=False):
        ax.set_title(f"MMTT {LAB_TESTS[test].param}", y=TITLE_Y)
    handles = [
        Line2D([], [], **MEDIAN_STYLE, label="Cohort median"),
        Line2D([], [], **OWN_STYLE, label="Participant"),
    ]
    fig.legend(handles=handles, loc="lower center", frameon=False, ncols=2)
    return fig


def fig_endpoints(
    own: pd.DataFrame,
    medians: pd.DataFrame,
    codes: Sequence[str],
    curves: pd.DataFrame,
    canvases: Canvases | None = None,
) -> Figure:
    """Every endpoint over study months (participant on the cohort's median) and the
    MMTT curves of each visit (last panels).

    With ``canvases``, a figure of the same shape (endpoints, MMTT tests, legend rows)
    laid out for an earlier participant is drawn again instead of a new one: axes,
    titles and ticks are built once per shape, not once per page."""
    tests = [t for t in ("CPEP", "GLU") if t in set(curves.get("TEST", pd.Series(dtype=str)))]
    if tests:
        first = curves[curves["TEST"] == tests[0]]
        legend_rows = -(-first["AVISIT"].nunique() // 2)
    else:
        legend_rows = 0
    fig = _canvas(
        canvases,
        ("endpoints", tuple(codes), tuple(tests), legend_rows),
        lambda: _endpoint_canvas(codes, tests, legend_rows),
    )
    axes = fig.axes
    anl = analysed(own)
    anl = anl[anl["AVAL"].notna()].sort_values("ADY", kind="stable")
    own_by_code = dict(tuple(anl.groupby("PARAMCD", sort=False, observed=True)))
    medians_by_code = dict(tuple(medians.groupby("PARAMCD", sort=False, observed=True)))
    empty = anl.iloc[:0]
    for ax, code in zip(axes, codes, strict=False):
        _reset(ax)
        m = medians_by_code.get(code, medians.iloc[:0])
        ax.plot(m["MONTH"], m["AVAL"], **MEDIAN_STYLE, label="Cohort median")
        d = own_by_code.get(code, empty)
        ax.plot(study_month(d["ADY"].astype(float)), d["AVAL"], **OWN_STYLE, label="Participant")
    for ax, test in zip(axes[len(codes) :], tests, strict=False):
        _reset(ax, "xy")
        c = curves[curves["TEST"] == test].sort_values(["AVISITN", "ADY", "MINUTE"])
        visits = list(dict.fromkeys(c["AVISIT"]))
        colours = _sequential(len(visits))
        for visit, colour in zip(visits, colours, strict=True):
            r = c[c["AVISIT"] == visit]
            ax.plot(r["MINUTE"], r["VALUE"], color=colour, marker="o", markersize=2.5, label=visit)
        # after the data, as on a new figure: the view stretches to 0-120 minutes even
        # when a participant's curve lacks its first or last samples
        ax.set_xticks([0, 30, 60, 90, 120])
        if test == tests[0]:
            _below(ax, fig, ncols=2)
    return fig


def _below(ax: Axes, fig: Figure, ncols: int) -> None:
    """The axes' legend centred under its x tick labels (a fixed drop in inches)."""
    ax.legend(
        fontsize=7, frameon=False, handlelength=1.0, ncols=ncols, loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        bbox_transform=ax.transAxes + ScaledTranslation(0, -TICK_LABEL_BAND, fig.dpi_scale_trans),
    )  # fmt: skip


def _sequential(n: int) -> list[tuple[float, ...]]:
    from matplotlib import colormaps

    cmap = colormaps["viridis"]
    return [tuple(cmap(x)) for x in np.linspace(0.05, 0.85, max(n, 1))][:n]


def _safety_canvas(labs: Sequence[str]) -> Figure:
    """The safety figure without data: lab axes in the fixed grid (month axes) and the
    lane below them (its rows and limits)."""
    nlab_rows = max(1, -(-len(labs) // 3))
    g = SAFETY_GRID
    lane_band = LANE_BOTTOM + LANE_HEIGHT + LANE_GAP
    height = g["top"] + nlab_rows * SAFETY_AX_HEIGHT + (nlab_rows - 1) * g["hspace"] + lane_band
    fig = Figure(figsize=(FULL_WIDTH, height))
    grid = fig.add_gridspec(
        nlab_rows, 3, **grid_fractions(FULL_WIDTH, height, nlab_rows, 3, g, lane_band)
    )
    for i in range(len(labs)):
        ax = fig.add_subplot(grid[i // 3, i % 3])
        _month_axis(ax, pd.Series([12.0]))
        ax.set_xlabel("")
    lane = fig.add_axes(
        (
            g["left"] / FULL_WIDTH,
            LANE_BOTTOM / height,
            (FULL_WIDTH - g["left"] - g["right"]) / FULL_WIDTH,
            LANE_HEIGHT / height,
        )
    )
    _month_axis(lane, pd.Series([12.0]))
    lane.set_yticks([0, AE_ROWS[1]], ["Hypoglycaemia", "Adverse events"])
    lane.set_ylim(-0.5, 2.3)
    lane.grid(axis="y", visible=False)
    return fig


def fig_safety(
    own_lb: pd.DataFrame,
    own_ae: pd.DataFrame,
    own_hypo: pd.DataFrame,
    canvases: Canvases | None = None,
) -> Figure:
    """Safety labs against ANRLO-ANRHI (band) and the AE and hypoglycaemia lane (with
    ``canvases``, drawn again on a figure of the same labs, as in :func:`fig_endpoints`)."""
    labs = [t for t in SAFETY_LABS if t in set(own_lb["PARAMCD"])]
    fig = _canvas(canvases, ("safety", tuple(labs)), lambda: _safety_canvas(labs))
    *lab_axes, lane = fig.axes
    lb = own_lb[own_lb["AVAL"].notna()].sort_values("ADY", kind="stable")
    by_test = dict(tuple(lb.groupby("PARAMCD", sort=False, observed=True)))
    for ax, test in zip(lab_axes, labs, strict=True):
        _reset(ax)
        d = by_test.get(test, lb.iloc[:0])
        x = study_month(d["ADY"].astype(float))
        if {"ANRLO", "ANRHI"} <= set(d.columns) and d[["ANRLO", "ANRHI"]].notna().any().any():
            lo = d["ANRLO"].astype(float).fillna(-np.inf).clip(lower=d["AVAL"].min() * 0.5)
            hi = d["ANRHI"].astype(float).fillna(np.inf).clip(upper=d["AVAL"].max() * 1.5)
            ax.fill_between(x, lo, hi, step="mid", color="#009E73", alpha=0.15, linewidth=0)
        out = d["ANRIND"].isin(["LOW", "HIGH"]) if "ANRIND" in d else pd.Series(False, d.index)
        ax.plot(x, d["AVAL"], color=OWN_COLOUR, marker="o", markersize=2.5, linewidth=1)
        ax.scatter(x[out], d["AVAL"][out], color="#D55E00", s=14, zorder=3)
        unit = str(d["AVALU"].iloc[0]) if len(d) and "AVALU" in d else ""
        ax.set_title(f"{test} ({unit})" if unit else test, y=TITLE_Y)
    _reset(lane, "")
    ae = own_ae.sort_values("ASTDY", kind="stable")
    right_half = float(np.mean(lane.get_xlim()))
    for k, (_, r) in enumerate(ae.iterrows()):
        start = float(r["ASTDY"])
        end = float(r["AENDY"]) if pd.notna(r["AENDY"]) else start
        grade = int(r["AETOXGR"]) if pd.notna(r["AETOXGR"]) else 1
        y = AE_ROWS[k % len(AE_ROWS)]
        x0, x1 = study_month(start), study_month(end + 1)
        lane.hlines(y, x0, x1, colors=GRADE_COLOURS.get(grade, "0.3"), linewidth=5, capstyle="butt")
        # a label starting in the right half would run off the figure: it ends at the bar's end
        late = x0 > right_half
        lane.annotate(
            f"{r['AEDECOD']} (grade {grade})", (x1 if late else x0, y), xytext=(0, 4),
            textcoords="offset points", fontsize=7, ha="right" if late else "left",
        )  # fmt: skip
    hypo = own_hypo[own_hypo["LEVEL"].notna()]
    for level, (marker, label) in HYPO_MARKERS.items():
        h = hypo[hypo["LEVEL"] == level]
        lane.scatter(
            study_month(h["ADY"].astype(float)), np.zeros(len(h)), marker=marker,
            s=30 if marker == "*" else 18, color="0.25", label=label,
        )  # fmt: skip
    # above the lane, clear of the event labels
    lane.legend(
        loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False, ncols=3,
        borderaxespad=0.1,
    )  # fmt: skip
    return fig


def _listing(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "<p>None.</p>"
    body = frame.to_html(index=False, border=0, na_rep="", escape=True)
    return f'<div class="scroll">{body}</div>'


def endpoint_listing(own: pd.DataFrame) -> pd.DataFrame:
    """Analysed endpoints of one participant, visits as rows, with registry decimals."""
    anl = analysed(own)
    anl = anl[anl["PARAMCD"].isin([c for c in ENDPOINTS if c not in NOT_DRAWN])]
    if anl.empty:
        return pd.DataFrame()
    text = [
        format_number(v, ENDPOINTS[c].decimals) if pd.notna(v) else ""
        for c, v in zip(anl["PARAMCD"], anl["AVAL"], strict=True)
    ]
    wide = anl.assign(TEXT=text).pivot_table(
        index=["AVISITN", "AVISIT"], columns="PARAMCD", values="TEXT", aggfunc="first"
    )
    wide = wide.reindex(columns=[c for c in ENDPOINTS if c in wide.columns]).fillna("")
    wide.columns.name = None
    return wide.reset_index().drop(columns="AVISITN").rename(columns={"AVISIT": "Visit"})


def _img(fig: Figure, alt: str) -> str:
    png = show_figure(fig, dpi=110).data
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


def _mmtt_long(adlb: pd.DataFrame, blq: str) -> pd.DataFrame:
    from plmsc.endpoints.cpeptide import mmtt_curves

    parts = []
    for test in ("CPEP", "GLU"):
        if not (adlb["PARAMCD"] == test).any():
            continue
        c = mmtt_curves(adlb, blq, test).reset_index()
        c = c[c["AVISIT"] != "UNSCHEDULED"]
        long = c.melt(
            id_vars=["USUBJID", "ADY", "AVISIT", "AVISITN"], var_name="MINUTE", value_name="VALUE"
        )
        parts.append(long.assign(TEST=test, MINUTE=long["MINUTE"].astype(int)))
    if not parts:
        return pd.DataFrame(columns=["USUBJID", "AVISIT", "AVISITN", "MINUTE", "VALUE", "TEST"])
    return pd.concat(parts, ignore_index=True).dropna(subset=["VALUE"])


def profile_html(
    usubjid: str,
    data: Mapping[str, pd.DataFrame],
    medians: pd.DataFrame,
    curves: pd.DataFrame,
    cohort: str,
    neighbours: tuple[str | None, str | None] = (None, None),
    canvases: Canvases | None = None,
) -> str:
    """The page of one participant (``canvases``: figures to draw again, see
    :func:`fig_endpoints`)."""
    sl = data["adsl"].set_index("USUBJID").loc[usubjid]
    own = {k: f[f["USUBJID"] == usubjid] for k, f in data.items() if "USUBJID" in f}
    codes = _endpoint_codes(data["adeff"])
    own_curves = curves[curves["USUBJID"] == usubjid]
    fig1 = fig_endpoints(own["adeff"], medians, codes, own_curves, canvases)
    img1 = _img(fig1, f"Endpoints of {usubjid}")
    fig2 = fig_safety(own["adlb"], own["adae"], own["adhypo"], canvases)
    img2 = _img(fig2, f"Safety of {usubjid}")
    facts = [f"Arm: {sl.get('ARM', '')}", f"sex: {sl.get('SEX', '')}"]
    if "AGE" in sl and pd.notna(sl["AGE"]):
        facts.append(f"age at infusion: {format_number(sl['AGE'], 1)} years")
    prev, nxt = neighbours
    nav = ['<a href="index.html">All profiles</a>', '<a href="../index.html">Cohort page</a>']
    if prev:
        nav.append(f'<a href="{html.escape(prev)}.html">&larr; {html.escape(prev)}</a>')
    if nxt:
        nav.append(f'<a href="{html.escape(nxt)}.html">{html.escape(nxt)} &rarr;</a>')
    ae_cols = ["AESEQ", "AEDECOD", "AESOC", "ASTDY", "AENDY", "AETOXGR", "AESER", "AERELFL"]
    hypo_cols = ["HYPOSEQ", "ADY", "GLUC", "ASSIST", "LEVEL"]
    sections = [
        f"<nav>{' '.join(nav)}</nav>",
        f"<h1>Participant {html.escape(usubjid)}</h1>",
        f"<p>Cohort {html.escape(cohort)}. {html.escape('; '.join(facts))}.</p>",
        "<h2>Endpoints and MMTT curves</h2>",
        f"<p>Analysed value of each visit (blue) on the cohort's median (grey; for a yes/no "
        f"endpoint the share of participants with yes), over "
        f"{MONTH_LABEL.lower()}; MMTT panels: one line per visit over the test's minutes."
        "</p>",
        img1,
        "<h2>Safety laboratory tests, adverse events and hypoglycaemia</h2>",
        "<p>Green band: reference range (ANRLO to ANRHI); red points: outside it. Lane: "
        "adverse events from onset to resolution, coloured by CTCAE grade; "
        "hypoglycaemia by ADA level.</p>",
        img2,
        "<h2>Listings</h2><h3>Endpoints by visit</h3>",
        _listing(endpoint_listing(own["adeff"])),
        "<h3>Adverse events</h3>",
        _listing(own["adae"][[c for c in ae_cols if c in own["adae"]]]),
        "<h3>Hypoglycaemia</h3>",
        _listing(own["adhypo"][[c for c in hypo_cols if c in own["adhypo"]]]),
    ]
    return _page(f"{cohort}: participant {usubjid}", "\n".join(sections))


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{PAGE_STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def write_profiles(
    data: Mapping[str, pd.DataFrame],
    outdir: str | Path,
    cohort: str,
    max_participants: int,
    participants: Sequence[str] = (),
    blq: str = "half",
) -> list[Path]:
    """Write ``<outdir>/<USUBJID>.html`` for the selected participants and ``index.html``."""
    import matplotlib

    matplotlib.use("Agg")
    outdir = Path(outdir)
    ids = select_participants(data["adsl"], max_participants, participants)
    medians = cohort_medians(data["adeff"])
    curves = _mmtt_long(data["adlb"][data["adlb"]["USUBJID"].isin(ids)], blq)
    written = []
    canvases: Canvases = {}
    for i, usubjid in enumerate(ids):
        prev = ids[i - 1] if i > 0 else None
        nxt = ids[i + 1] if i + 1 < len(ids) else None
        page = profile_html(usubjid, data, medians, curves, cohort, (prev, nxt), canvases)
        written.append(write_text(page, outdir / f"{usubjid}.html"))
    arms = data["adsl"].set_index("USUBJID")["ARM"]
    items = "\n".join(
        f'<li><a href="{html.escape(u)}.html">{html.escape(u)}</a> ({html.escape(str(arms[u]))})'
        "</li>"
        for u in ids
    )
    n_all = len(data["adsl"])
    note = (
        f"All {n_all} participants."
        if len(ids) == n_all
        else f"{len(ids)} of {n_all} participants (config profiles of the cohort)."
    )
    body = (
        f'<nav><a href="../index.html">Cohort page</a></nav>\n<h1>Participant profiles: '
        f"{html.escape(cohort)}</h1>\n<p>{html.escape(note)}</p>\n<ul>\n{items}\n</ul>"
    )
    written.append(
        write_text(_page(f"{cohort}: participant profiles", body), outdir / "index.html")
    )
    return written
