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
"""

from __future__ import annotations

import base64
import html
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

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
#: Colour of the CTCAE grades 1-5 in the lane.
GRADE_COLOURS = {1: "#F0E442", 2: "#E69F00", 3: "#D55E00", 4: "#CC79A7", 5: "#000000"}
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


def _endpoint_codes(adeff: pd.DataFrame) -> list[str]:
    present = set(adeff["PARAMCD"])
    return [c for c in ENDPOINTS if c in present and c not in NOT_DRAWN]


def fig_endpoints(
    own: pd.DataFrame, medians: pd.DataFrame, codes: Sequence[str], curves: pd.DataFrame
) -> Figure:
    """Every endpoint over study months (participant on the cohort's median) and the
    MMTT curves of each visit (last panels)."""
    tests = [t for t in ("CPEP", "GLU") if t in set(curves.get("TEST", pd.Series(dtype=str)))]
    n = len(codes) + len(tests)
    ncol = 4
    nrow = max(1, -(-n // ncol))
    fig = Figure(figsize=(FULL_WIDTH, 0.5 + 1.75 * nrow), layout="constrained")
    axes = fig.subplots(nrow, ncol, squeeze=False).ravel()
    anl = analysed(own)
    for ax, code in zip(axes, codes, strict=False):
        m = medians[medians["PARAMCD"] == code]
        ax.plot(m["MONTH"], m["AVAL"], color="0.6", linewidth=1.5, label="Cohort median")
        d = anl[(anl["PARAMCD"] == code) & anl["AVAL"].notna()].sort_values("ADY")
        ax.plot(
            study_month(d["ADY"].astype(float)), d["AVAL"], color=OWN_COLOUR, marker="o",
            markersize=3, linewidth=1.2, label="Participant",
        )  # fmt: skip
        e = ENDPOINTS[code]
        name = textwrap.fill(e.name, 22)
        if e.kind == "binary":
            ax.set_title(f"{name}\n(1 yes, 0 no; grey: share)", fontsize=7)
        else:
            ax.set_title(f"{name}\n({e.unit})" if e.unit else name, fontsize=7)
        _month_axis(ax, pd.Series([12.0]))
        ax.set_xlabel("")
    for ax, test in zip(axes[len(codes) :], tests, strict=False):
        c = curves[curves["TEST"] == test].sort_values(["AVISITN", "ADY", "MINUTE"])
        visits = list(dict.fromkeys(c["AVISIT"]))
        colours = _sequential(len(visits))
        for visit, colour in zip(visits, colours, strict=True):
            r = c[c["AVISIT"] == visit]
            ax.plot(r["MINUTE"], r["VALUE"], color=colour, marker="o", markersize=2.5, label=visit)
        ax.set_title(f"MMTT {LAB_TESTS[test].param}")
        ax.set_xticks([0, 30, 60, 90, 120])
        if test == tests[0]:
            ax.legend(
                fontsize=7, frameon=False, handlelength=1.0, ncols=2, loc="upper center",
                bbox_to_anchor=(0.5, -0.18),
            )  # fmt: skip
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.legend(handles=axes[0].get_lines()[:2], loc="outside lower center", frameon=False, ncols=2)
    return fig


def _sequential(n: int) -> list[tuple[float, ...]]:
    from matplotlib import colormaps

    cmap = colormaps["viridis"]
    return [tuple(cmap(x)) for x in np.linspace(0.05, 0.85, max(n, 1))][:n]


def fig_safety(own_lb: pd.DataFrame, own_ae: pd.DataFrame, own_hypo: pd.DataFrame) -> Figure:
    """Safety labs against ANRLO-ANRHI (band) and the AE and hypoglycaemia lane."""
    labs = [t for t in SAFETY_LABS if t in set(own_lb["PARAMCD"])]
    nlab_rows = max(1, -(-len(labs) // 3))
    fig = Figure(figsize=(FULL_WIDTH, 1.0 + 1.6 * nlab_rows + 1.3), layout="constrained")
    grid = fig.add_gridspec(nlab_rows + 1, 3)
    for i, test in enumerate(labs):
        ax = fig.add_subplot(grid[i // 3, i % 3])
        d = own_lb[(own_lb["PARAMCD"] == test) & own_lb["AVAL"].notna()].sort_values("ADY")
        x = study_month(d["ADY"].astype(float))
        if {"ANRLO", "ANRHI"} <= set(d.columns) and d[["ANRLO", "ANRHI"]].notna().any().any():
            lo = d["ANRLO"].astype(float).fillna(-np.inf).clip(lower=d["AVAL"].min() * 0.5)
            hi = d["ANRHI"].astype(float).fillna(np.inf).clip(upper=d["AVAL"].max() * 1.5)
            ax.fill_between(x, lo, hi, step="mid", color="#009E73", alpha=0.15, linewidth=0)
        out = d["ANRIND"].isin(["LOW", "HIGH"]) if "ANRIND" in d else pd.Series(False, d.index)
        ax.plot(x, d["AVAL"], color=OWN_COLOUR, marker="o", markersize=2.5, linewidth=1)
        ax.scatter(x[out], d["AVAL"][out], color="#D55E00", s=14, zorder=3)
        unit = str(d["AVALU"].iloc[0]) if len(d) and "AVALU" in d else ""
        ax.set_title(f"{test} ({unit})" if unit else test)
        _month_axis(ax, pd.Series([12.0]))
        ax.set_xlabel("")
    lane = fig.add_subplot(grid[nlab_rows, :])
    ae = own_ae.sort_values("ASTDY", kind="stable")
    for k, (_, r) in enumerate(ae.iterrows()):
        start = float(r["ASTDY"])
        end = float(r["AENDY"]) if pd.notna(r["AENDY"]) else start
        grade = int(r["AETOXGR"]) if pd.notna(r["AETOXGR"]) else 1
        y = 1 + (k % 3) * 0.25
        lane.hlines(
            y, study_month(start), study_month(end + 1), colors=GRADE_COLOURS.get(grade, "0.3"),
            linewidth=5, capstyle="butt",
        )  # fmt: skip
        lane.annotate(
            f"{r['AEDECOD']} (grade {grade})", (study_month(start), y), xytext=(0, 4),
            textcoords="offset points", fontsize=7,
        )  # fmt: skip
    hypo = own_hypo[own_hypo["LEVEL"].notna()]
    for level, (marker, label) in HYPO_MARKERS.items():
        h = hypo[hypo["LEVEL"] == level]
        lane.scatter(
            study_month(h["ADY"].astype(float)), np.zeros(len(h)), marker=marker,
            s=30 if marker == "*" else 18, color="0.25", label=label,
        )  # fmt: skip
    lane.set_yticks([0, 1.25], ["Hypoglycaemia", "Adverse events"])
    lane.set_ylim(-0.5, 2.1)
    lane.grid(axis="y", visible=False)
    _month_axis(lane, pd.Series([12.0]))
    lane.legend(loc="upper right", fontsize=7, frameon=False, ncols=3)
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
) -> str:
    """The page of one participant."""
    sl = data["adsl"].set_index("USUBJID").loc[usubjid]
    own = {k: f[f["USUBJID"] == usubjid] for k, f in data.items() if "USUBJID" in f}
    codes = _endpoint_codes(data["adeff"])
    fig1 = fig_endpoints(own["adeff"], medians, codes, curves[curves["USUBJID"] == usubjid])
    fig2 = fig_safety(own["adlb"], own["adae"], own["adhypo"])
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
        _img(fig1, f"Endpoints of {usubjid}"),
        "<h2>Safety laboratory tests, adverse events and hypoglycaemia</h2>",
        "<p>Green band: reference range (ANRLO to ANRHI); red points: outside it. Lane: "
        "adverse events from onset to resolution, coloured by CTCAE grade; "
        "hypoglycaemia by ADA level.</p>",
        _img(fig2, f"Safety of {usubjid}"),
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
    for i, usubjid in enumerate(ids):
        prev = ids[i - 1] if i > 0 else None
        nxt = ids[i + 1] if i + 1 < len(ids) else None
        page = profile_html(usubjid, data, medians, curves, cohort, (prev, nxt))
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
