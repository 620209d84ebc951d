"""Matplotlib settings, the participant palette and byte-deterministic figure files.

The settings are applied once, on import of :mod:`plmsc.report.figures`. Figures
are saved without creation dates or software versions in their metadata (PNG
``Software``, PDF ``CreationDate``/``Producer``), with a fixed SVG hash salt and
the DejaVu fonts bundled with matplotlib, so the same data give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from plmsc.constants import DAYS_PER_YEAR
from plmsc.io import write_bytes

#: Days per study month: the mean Gregorian month (365.25 / 12).
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
#: Resolution of the PNG files.
PNG_DPI = 300
#: seaborn's "colorblind" palette (``seaborn.color_palette("colorblind")``), as its hex
#: codes so that a figure needs no seaborn import (about a second per process);
#: tests/test_report_units.py checks it against seaborn.
COLORBLIND = (
    "#0173B2",
    "#DE8F05",
    "#029E73",
    "#D55E00",
    "#CC78BC",
    "#CA9161",
    "#FBAFE4",
    "#949494",
    "#ECE133",
    "#56B4E9",
)
#: Order of seaborn's colour-blind palette: blue, orange, green, purple, vermillion, ...
COLORBLIND_ORDER = (0, 1, 2, 4, 3, 9, 5, 6, 7, 8)
#: Colour of the median line.
MEDIAN_COLOUR = "black"
#: Journal page: width of a single-column and of a full-width figure (inches).
SINGLE_COLUMN = 3.5
FULL_WIDTH = 7.2
#: Smallest text size at print size (points).
MIN_FONT_PT = 7.0
#: Arm colours of a randomised cohort (seaborn colour-blind palette): the active arm
#: blue, the control vermillion; other arms in palette order.
ARM_COLOURS = {"MSC": 0, "PLMSC": 0, "PLACEBO": 3}

RC: dict[str, object] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.titleweight": "bold",
    "axes.labelsize": 8,
    "legend.fontsize": 7,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "axes.linewidth": 0.6,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "lines.linewidth": 1.0,
    "lines.markersize": 3.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "0.9",
    "grid.linewidth": 0.6,
    "figure.dpi": 100,
    "savefig.dpi": PNG_DPI,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "path",
    "svg.hashsalt": "plmsc",
    "path.simplify": False,
    "image.interpolation": "nearest",
}

#: PNG and PDF metadata that would otherwise hold versions and creation times.
PNG_METADATA: dict[str, str | None] = {"Software": None}
PDF_METADATA: dict[str, str | None] = {"CreationDate": None, "Producer": None, "Creator": None}


def use_style() -> None:
    """Apply the report's matplotlib settings (idempotent)."""
    mpl.rcParams.update(RC)


def study_month(days: pd.Series | np.ndarray | float) -> pd.Series | np.ndarray | float:
    """Study days (infusion = day 0) to study months: days / 30.4375."""
    return days / DAYS_PER_MONTH


def participant_palette(usubjids: Iterable[str]) -> dict[str, tuple[float, float, float]]:
    """One colour per participant, keyed by USUBJID in sorted order.

    Up to 10 participants get seaborn's colour-blind palette (reordered so that
    the first ones differ most), more get evenly spaced HUSL hues. The colour
    depends only on the set of USUBJIDs, never on row order, so a participant
    keeps its colour across all figures of a cohort.
    """
    ids = sorted(set(usubjids))
    if len(ids) <= len(COLORBLIND_ORDER):
        colours = [to_rgb(COLORBLIND[i]) for i in COLORBLIND_ORDER[: len(ids)]]
    else:
        import seaborn as sns  # HUSL hues: only for cohorts of more than 10

        colours = sns.color_palette("husl", len(ids))
    return {uid: tuple(float(c) for c in colour) for uid, colour in zip(ids, colours, strict=True)}  # type: ignore[misc]


def arm_palette(arms: Iterable[str]) -> dict[str, tuple[float, float, float]]:
    """One colour per arm, the same in every figure: :data:`ARM_COLOURS` for known
    arms, the remaining colour-blind palette colours in sorted order for others."""
    base = [to_rgb(code) for code in COLORBLIND]
    names = sorted(set(arms))
    taken = {ARM_COLOURS[a] for a in names if a in ARM_COLOURS}
    free = iter(i for i in COLORBLIND_ORDER if i not in taken)
    return {
        a: tuple(float(c) for c in base[ARM_COLOURS[a] if a in ARM_COLOURS else next(free)])
        for a in names
    }  # type: ignore[misc]


def figure_bytes(fig: Figure, fmt: str) -> bytes:
    """The figure as PNG (300 dpi) or PDF bytes, without dates or versions."""
    buf = io.BytesIO()
    if fmt == "png":
        fig.savefig(buf, format="png", dpi=PNG_DPI, metadata=PNG_METADATA)
    elif fmt == "pdf":
        fig.savefig(buf, format="pdf", metadata=PDF_METADATA)
    else:
        raise ValueError(f"unsupported figure format {fmt!r}; expected png or pdf")
    return buf.getvalue()


def save_figure(fig: Figure, paths: Sequence[str | Path] | Mapping[str, str | Path]) -> list[Path]:
    """Write ``fig`` to each path (format from the suffix: .png or .pdf), atomically."""
    targets = list(paths.values()) if isinstance(paths, Mapping) else list(paths)
    return [write_bytes(figure_bytes(fig, Path(p).suffix.lstrip(".")), p) for p in targets]


def show_figure(fig: Figure, dpi: int = 110) -> Any:
    """``fig`` as an IPython PNG image for notebooks (no metadata, same bytes every run)."""
    from IPython.display import Image

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata=PNG_METADATA)
    return Image(data=buf.getvalue(), format="png")


def show_png(path: str | Path, width: int = 900) -> Any:
    """A PNG file (a manuscript figure) as an IPython image, ``width`` pixels wide on screen.

    Notebooks show the figures the manuscript step drew rather than drawing them
    again: one drawing per figure, and the notebook shows exactly the published one.
    """
    from IPython.display import Image

    return Image(data=Path(path).read_bytes(), format="png", width=width)


use_style()
