"""Publication tables: one great_tables definition per table, written as HTML, LaTeX and CSV.

The content of a table is a DataFrame of display strings made by
:mod:`plmsc.report.tables` (or any other content function); this module only
decides how it is laid out, so content and layout change independently:

* **Row groups.** A ``Section`` or ``Endpoint`` column becomes the row-group
  heading, written once above its rows instead of on every row.
* **Stub.** The first of ``Item``, ``Visit``, ``Characteristic`` or ``Participant``
  is the row label. A tableone ``Level`` column (categorical levels) nests the levels
  under their characteristic, indented.
* **Indentation.** An ``Indent`` column (0 top level, 1 nested, ...) indents the
  row label and is not shown; without it, leading spaces of a label give its level
  (four spaces a level), so ``"    Headache"`` under its SOC reads as nested.
* **Column spanners.** Data columns named ``"<group>: <label>"`` (one group per arm)
  are shown as ``<label>`` under a spanner ``<group>``; ``spanners`` may rename a
  group, e.g. ``{"MSC": "MSC (N = 20)"}``.
* **Notes.** Footnotes state conventions and populations, source notes the datasets.
  great_tables 1.1.0 cannot write footnotes in LaTeX, so there they become the first
  source notes, in the same order.

The HTML table has a fixed id (the table's name) instead of great_tables' random one,
so the same content gives the same bytes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from plmsc.io import write_csv, write_text

#: Columns that become the row-group heading, first present wins.
GROUP_COLUMNS = ("Section", "Endpoint")
#: Columns that become the row label (stub), first present wins.
STUB_COLUMNS = ("Item", "Visit", "Characteristic", "Participant")
#: Optional content column giving the indentation level of the row label.
INDENT = "Indent"
#: Nested level column of a tableone table (categorical levels).
LEVEL = "Level"
#: Spaces of leading indentation per level in a row label without an Indent column.
SPACES_PER_LEVEL = 4
_SPANNED = re.compile(r"^(?P<group>[^:]+): (?P<label>.+)$")
_STUB = "_stub"
_GROUP = "_group"

#: Look of every table: compact, journal-like, readable on a screen and in print.
OPTIONS: dict[str, str] = {
    "table_font_size": "13px",
    "heading_title_font_size": "15px",
    "heading_subtitle_font_size": "13px",
    "heading_align": "left",
    "column_labels_font_weight": "bold",
    "row_group_font_weight": "bold",
    "row_group_padding": "4px",
    "data_row_padding": "3px",
    "stub_indent_length": "12px",
    "source_notes_font_size": "11px",
    "container_overflow_x": "auto",
}
#: Page around a standalone HTML table.
PAGE_STYLE = (
    "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:1.5em;color:#222}"
    ".gt_table{margin-left:0!important}"
)


@dataclass(frozen=True)
class TableDefinition:
    """How a content frame is published: name (file stem and HTML id), title, the
    population and n (subtitle), spanner labels per column group, footnotes (conventions,
    populations) and source notes (datasets)."""

    name: str
    title: str
    subtitle: str = ""
    spanners: Mapping[str, str] = field(default_factory=dict)
    footnotes: Sequence[str] = ()
    source_notes: Sequence[str] = ()


def _indent_levels(labels: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Row labels without leading spaces, and their level (4 spaces a level, at least 1)."""
    text = labels.astype(str)
    stripped = text.str.lstrip(" ")
    spaces = text.str.len() - stripped.str.len()
    level = (spaces // SPACES_PER_LEVEL).where(spaces == 0, (spaces // SPACES_PER_LEVEL).clip(1))
    return stripped, level.astype(int)


def _nest_levels(frame: pd.DataFrame, stub: str) -> pd.DataFrame:
    """tableone layout -> one heading row per characteristic with levels, levels indented.

    A characteristic whose rows have a non-empty Level gets a heading row (its name,
    empty cells) followed by one row per level, labelled by the level, at indent 1.
    """
    frame = frame.reset_index(drop=True)
    data_cols = [c for c in frame.columns if c not in (stub, LEVEL)]
    has_level = frame[LEVEL].astype(str).ne("")
    nested = frame[stub].isin(frame.loc[has_level, stub])
    order = pd.Series(frame.index, dtype=float)
    heads = frame[nested].drop_duplicates(stub)
    heads = pd.DataFrame(
        {
            stub: heads[stub],
            **{c: "" for c in data_cols},
            INDENT: 0,
            "_order": order[heads.index] - 0.5,
        }
    )
    levels = frame[nested].assign(
        **{stub: frame.loc[nested, LEVEL], INDENT: 1, "_order": order[nested]}
    )
    plain = frame[~nested].assign(**{INDENT: 0, "_order": order[~nested]})
    out = pd.concat([heads, levels, plain], ignore_index=True).sort_values("_order", kind="stable")
    return out[[stub, *data_cols, INDENT]].reset_index(drop=True)


def layout(frame: pd.DataFrame) -> tuple[pd.DataFrame, str | None, str | None]:
    """The body to publish with its row-group and stub columns (or None).

    The body has the stub column first, the group column (if any), the data columns
    in their order and an integer ``Indent`` column.
    """
    body = frame.reset_index(drop=True).copy()
    group = next((c for c in GROUP_COLUMNS if c in body.columns), None)
    stub = next((c for c in STUB_COLUMNS if c in body.columns), None)
    if stub is not None and LEVEL in body.columns and group is None:
        body = _nest_levels(body, stub)
    if stub is not None:
        labels, level = _indent_levels(body[stub])
        body[stub] = labels
        if INDENT not in body.columns:
            body[INDENT] = level
    if INDENT not in body.columns:
        body[INDENT] = 0
    body[INDENT] = pd.to_numeric(body[INDENT]).fillna(0).astype(int)
    first = [c for c in (stub, group) if c is not None]
    rest = [c for c in body.columns if c not in (*first, INDENT)]
    return body[[*first, *rest, INDENT]], group, stub


def spanner_columns(columns: Sequence[str]) -> dict[str, list[str]]:
    """Data columns named ``"<group>: <label>"`` by group, in order of appearance."""
    out: dict[str, list[str]] = {}
    for col in columns:
        m = _SPANNED.match(str(col))
        if m:
            out.setdefault(m["group"], []).append(col)
    return out


def gt_table(frame: pd.DataFrame, definition: TableDefinition, latex: bool = False):  # type: ignore[no-untyped-def]
    """The great_tables ``GT`` of ``frame`` laid out by ``definition``.

    ``latex=True`` gives the variant for :meth:`GT.as_latex`: footnotes as source notes.
    """
    from great_tables import GT

    body, group, stub = layout(frame)
    shown = body.rename(
        columns={c: _STUB if c == stub else _GROUP if c == group else c for c in body.columns}
    )
    table = GT(
        shown,
        rowname_col=_STUB if stub else None,
        groupname_col=_GROUP if group else None,
        id=definition.name,
    )
    table = table.tab_header(title=definition.title, subtitle=definition.subtitle or None)
    data_cols = [c for c in shown.columns if c not in (_STUB, _GROUP, INDENT)]
    spanned = spanner_columns(data_cols)
    labels: dict[str, str] = {}
    for grp, cols in spanned.items():
        table = table.tab_spanner(label=definition.spanners.get(grp, grp), columns=cols, id=grp)
        labels |= {c: _SPANNED.match(c)["label"] for c in cols}  # type: ignore[index]
    if labels:
        table = table.cols_label(**labels)
    if stub:
        table = table.tab_stubhead(label="" if group else stub)
    table = table.cols_hide(INDENT).cols_align("left")
    for level in sorted(set(body[INDENT]) - {0}):
        rows = [int(i) for i in body.index[body[INDENT] == level]]
        table = table.tab_stub_indent(rows=rows, indent=int(level) * 2)
    notes = list(definition.source_notes)
    if latex:
        notes = [*definition.footnotes, *notes]
    else:
        for text in definition.footnotes:
            table = table.tab_footnote(text)
    for text in notes:
        table = table.tab_source_note(text)
    return table.tab_options(**OPTIONS)


def table_html(frame: pd.DataFrame, definition: TableDefinition) -> str:
    """A standalone HTML page of the table (no scripts, no network)."""
    fragment = gt_table(frame, definition).as_raw_html(make_page=False)
    title = html.escape(definition.title)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{PAGE_STYLE}</style>\n</head>\n<body>\n"
        f"{fragment.strip()}\n</body>\n</html>\n"
    )


def show_table(frame: pd.DataFrame, definition: TableDefinition) -> Any:
    """The published table for a notebook (IPython HTML; same bytes every run)."""
    from IPython.display import HTML

    return HTML(gt_table(frame, definition).as_raw_html(make_page=False))


def table_latex(frame: pd.DataFrame, definition: TableDefinition) -> str:
    """The table as a LaTeX ``table`` environment (booktabs), from great_tables."""
    return gt_table(frame, definition, latex=True).as_latex().rstrip() + "\n"


def table_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The table's body as written to CSV: group and row label as columns, the
    indentation level as a column, data columns with their ``group: label`` names."""
    body, group, stub = layout(frame)
    first = [c for c in (group, stub) if c is not None]
    return body[[*first, *[c for c in body.columns if c not in first]]]


def write_table(
    frame: pd.DataFrame, paths: Sequence[str | Path], definition: TableDefinition
) -> list[Path]:
    """Write the table to each path by its suffix: .csv, .html (standalone page), .tex."""
    out = []
    for p in map(Path, paths):
        if p.suffix == ".csv":
            out.append(write_csv(table_csv_frame(frame), p))
        elif p.suffix == ".html":
            out.append(write_text(table_html(frame, definition), p))
        elif p.suffix == ".tex":
            out.append(write_text(table_latex(frame, definition), p))
        else:
            raise ValueError(f"unsupported table format {p.suffix!r}: use .csv, .html or .tex")
    return out
