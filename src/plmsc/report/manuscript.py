"""A cohort's manuscript outputs: Tables 1-3, Figures 1-6 and numbers.json.

:func:`build_tables` and :func:`~plmsc.report.figures.make_figures` give the
objects (the notebooks show the same ones); :func:`write_manuscript` writes them
under ``results/<cohort>/manuscript/`` as CSV, HTML and LaTeX tables, PNG (300 dpi)
and PDF figures, and the JSON of quoted numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from plmsc.adam import read_adam
from plmsc.report.catalogue import (
    DATASETS,
    FIGURE_FORMATS,
    FIGURES,
    NOTES,
    SOURCES,
    STATS,
    TABLE_FORMATS,
    TABLES,
    conventions_note,
)
from plmsc.report.figures import make_figures
from plmsc.report.numbers import results_numbers, write_numbers
from plmsc.report.publish import TableDefinition, write_table
from plmsc.report.style import save_figure
from plmsc.report.tables import (
    baseline_characteristics,
    endpoints_by_visit,
    participant_groups,
    read_stats,
    safety_table,
)


def read_inputs(paths: Mapping[str, str | Path]) -> dict[str, pd.DataFrame]:
    """Read every input named in :data:`DATASETS` and :data:`STATS` from ``paths``."""
    data = {name: read_adam(paths[name]) for name in DATASETS}
    return data | {name: read_stats(paths[name]) for name in STATS}


def build_tables(data: Mapping[str, pd.DataFrame], design: str) -> dict[str, pd.DataFrame]:
    """Tables 1-3 as display frames, keyed by the names in :data:`TABLES`."""
    return {
        "table1_baseline": baseline_characteristics(data["adsl"], data["adeff"], design),
        "table2_endpoints": endpoints_by_visit(data["adeff"], data["adsl"], design),
        "table3_safety": safety_table(data["ae_overview"], data["ae_by_term"], data["hypo_rates"]),
    }


def population(adsl: pd.DataFrame, design: str) -> tuple[str, dict[str, str]]:
    """Subtitle naming the population with its N, and spanner labels ``arm (N = n)``."""
    groups = participant_groups(adsl, design)
    n = int(adsl["USUBJID"].nunique())
    spanners = {name: f"{name} (N = {len(ids)})" for name, ids in groups.items()}
    spanners["Total"] = f"Total (N = {n})"  # the safety tables' name of all arms
    return f"All participants infused (N = {n})", spanners


def table_definitions(
    data: Mapping[str, pd.DataFrame], design: str, analysis: Mapping[str, Any]
) -> dict[str, TableDefinition]:
    """How Tables 1-3 are published: title, population, notes, sources."""
    subtitle, spanners = population(data["adsl"], design)
    footnotes = {
        "table1_baseline": [NOTES["table1_baseline"]],
        "table2_endpoints": [NOTES["table2_endpoints"], conventions_note(analysis)],
        "table3_safety": [NOTES["table3_safety"]],
    }
    return {
        name: TableDefinition(
            name=name,
            title=TABLES[name],
            subtitle=subtitle,
            spanners=spanners,
            footnotes=footnotes[name],
            source_notes=[SOURCES[name]],
        )
        for name in TABLES
    }


def output_paths(outdir: str | Path) -> dict[str, Path]:
    """Every file :func:`write_manuscript` writes, keyed ``<name>_<format>`` and ``numbers``."""
    out = Path(outdir)
    paths = {f"{t}_{fmt}": out / f"{t}.{fmt}" for t in TABLES for fmt in TABLE_FORMATS}
    paths |= {f"{f}_{fmt}": out / f"{f}.{fmt}" for f in FIGURES for fmt in FIGURE_FORMATS}
    return paths | {"numbers": out / "numbers.json"}


def write_manuscript(
    data: Mapping[str, pd.DataFrame],
    outputs: Mapping[str, str | Path],
    design: str,
    analysis: Mapping[str, Any],
) -> list[Path]:
    """Write tables, figures and numbers.json to the paths of ``outputs``.

    ``outputs`` has the keys of :func:`output_paths`; ``analysis`` is the cohort's
    analysis config (blq, remission_idaa1c, comparison_visit).
    """
    written: list[Path] = []
    definitions = table_definitions(data, design, analysis)
    for name, table in build_tables(data, design).items():
        paths = [outputs[f"{name}_{fmt}"] for fmt in TABLE_FORMATS]
        written += write_table(table, paths, definitions[name])
    figures = make_figures(
        data["adsl"], data["adlb"], data["adeff"], data["adae"], data["adhypo"], design,
        analysis.get("blq", "half"), analysis.get("remission_idaa1c", 9.0),
    )  # fmt: skip
    for name, fig in figures.items():
        written += save_figure(fig, [outputs[f"{name}_{fmt}"] for fmt in FIGURE_FORMATS])
    numbers = results_numbers(
        data["adsl"], data["adeff"], data["ae_overview"], data["hypo_rates"], design,
        analysis.get("comparison_visit", "Month 12"),
    )  # fmt: skip
    written.append(write_numbers(numbers, outputs["numbers"]))
    return written
