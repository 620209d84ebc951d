"""Participant flow diagram (CONSORT 2010 flow diagram) from numbers.json's ``flow``.

The counts come from :func:`plmsc.report.numbers.compute_flow_numbers` (the analysis
datasets); this module only draws them, so the diagram and the article's text quote
the same numbers. A randomised cohort gets the CONSORT layout (randomised, then one
column per arm: allocation, follow-up, analysis); a single-arm cohort its analogue
(enrolled, infused, each scheduled visit attended, analysed per endpoint), every
missing value with its reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from plmsc.endpoints.registry import endpoint
from plmsc.report.style import FULL_WIDTH

#: Height of a text line and padding of a box, in diagram units (one unit = 1 inch).
LINE = 0.17
PAD = 0.08
#: Widest column (inches; narrower when the arms would not fit the page width),
#: gap between columns and between stages.
COL_W = 3.0
GAP_X = 0.3
GAP_Y = 0.28
#: Width of the stage labels on the left (CONSORT: Enrolment, Allocation, ...).
LABEL_W = 0.35


def endpoint_name(paramcd: str) -> str:
    """The registry's short name of the endpoint, without its unit."""
    return endpoint(paramcd).name


def _reasons(items: Sequence[Mapping[str, Any]]) -> list[str]:
    return [f"  {r['reason']}: {r['n']}" for r in items]


def arm_stages(arm: Mapping[str, Any], design: str, visit: str) -> list[list[str]]:
    """The text lines of each stage box of one arm's column."""
    allocation = (
        [f"Allocated to {arm['arm']} (n = {arm['enrolled']})"] if design == "randomised" else []
    )
    allocation += [
        f"Received the infusion (n = {arm['received']})",
        f"Did not receive it (n = {arm['not_received']})",
    ]
    follow = [f"Attended each scheduled visit (of n = {arm['received']}):"]
    follow += [f"  {v['visit']}: {v['attended']}" for v in arm["visits"]]
    follow.append(f"Lost to follow-up or discontinued (n = {arm['n_lost']})")
    follow += _reasons(arm["lost"])
    analysis = [f"Analysed, baseline and {visit}:"]
    for ep in arm["endpoints"]:
        analysis.append(f"{endpoint_name(ep['paramcd'])}: n = {ep['analysed']}")
        missing = [*ep["missing_baseline"], *ep["missing_visit"]]
        analysis += [f"  not analysed, {r['reason']}: {r['n']}" for r in missing]
    return [allocation, follow, analysis]


def _box(
    fig: Figure, x: float, y: float, w: float, lines: Sequence[str], size: tuple, h: float
) -> None:
    """A box of width ``w`` and height ``h`` with its top-left corner at (x, y), in
    inches from the figure's top-left, holding ``lines`` from its top."""
    fw, fh = size
    fig.patches.append(
        FancyBboxPatch(
            (x / fw, 1 - (y + h) / fh),
            w / fw,
            h / fh,
            boxstyle="square,pad=0",
            transform=fig.transFigure,
            facecolor="white",
            edgecolor="black",
            linewidth=0.8,
        )
    )
    for i, line in enumerate(lines):
        fig.text(
            (x + PAD) / fw,
            1 - (y + PAD + (i + 0.5) * LINE) / fh,
            line,
            va="center",
            ha="left",
            fontsize=7.5,
        )


def _arrow(fig: Figure, x: float, y0: float, y1: float, size: tuple) -> None:
    fw, fh = size
    fig.add_artist(
        FancyArrowPatch(
            (x / fw, 1 - y0 / fh),
            (x / fw, 1 - y1 / fh),
            transform=fig.transFigure,
            arrowstyle="-|>",
            mutation_scale=8,
            linewidth=0.8,
            color="black",
        )
    )


def flow_figure(flow: Mapping[str, Any]) -> Figure:
    """The participant flow diagram of ``flow`` (numbers.json's ``flow`` key)."""
    design = flow["design"]
    visit = flow["comparison_visit"]
    columns = [arm_stages(a, design, visit) for a in flow["arms"]]
    labels = ["Allocation" if design == "randomised" else "Infusion", "Follow-up", "Analysis"]
    heights = [max(len(col[i]) for col in columns) * LINE + 2 * PAD for i in range(len(labels))]
    top = (
        [f"Randomised (n = {flow['enrolled']})"]
        if design == "randomised"
        else [f"Enrolled and assigned to {flow['arms'][0]['arm']} (n = {flow['enrolled']})"]
    )
    n_cols = len(columns)
    col_w = min(COL_W, (FULL_WIDTH - LABEL_W - (n_cols + 1) * GAP_X) / n_cols)
    width = LABEL_W + n_cols * col_w + (n_cols + 1) * GAP_X
    top_h = len(top) * LINE + 2 * PAD
    height = GAP_Y + top_h + sum(heights) + (len(heights) + 1) * GAP_Y
    size = (width, height)
    fig = Figure(figsize=size)
    x0 = LABEL_W + GAP_X
    full_w = n_cols * col_w + (n_cols - 1) * GAP_X
    top_w = min(full_w, col_w)
    top_x = x0 + (full_w - top_w) / 2
    y = GAP_Y
    _box(fig, top_x, y, top_w, top, size, top_h)
    y += top_h
    centres = [x0 + c * (col_w + GAP_X) + col_w / 2 for c in range(n_cols)]
    for i, (label, h) in enumerate(zip(labels, heights, strict=True)):
        start = y
        if i == 0 and n_cols > 1:
            # the split below the top box: down, across the arms' centres, down
            mid = y + GAP_Y / 2
            fig.add_artist(
                Line2D(
                    [(top_x + top_w / 2) / width] * 2,
                    [1 - y / height, 1 - mid / height],
                    color="black",
                    linewidth=0.8,
                )
            )
            fig.add_artist(
                Line2D(
                    [centres[0] / width, centres[-1] / width],
                    [1 - mid / height] * 2,
                    color="black",
                    linewidth=0.8,
                )
            )
            start = mid
        for centre in centres:
            _arrow(fig, centre, start, y + GAP_Y, size)
        y += GAP_Y
        fig.text(
            (LABEL_W / 2 + 0.05) / width,
            1 - (y + h / 2) / height,
            label,
            rotation=90,
            va="center",
            ha="center",
            fontsize=8,
            fontweight="bold",
        )
        for c, col in enumerate(columns):
            x = x0 + c * (col_w + GAP_X)
            _box(fig, x, y, col_w, col[labels.index(label)], size, h)
        y += h
    return fig
