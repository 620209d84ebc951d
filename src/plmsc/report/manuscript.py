"""A cohort's manuscript outputs: Tables 1-3, Figures 1-7, numbers.json and the
participant-flow diagram.

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
from plmsc.config import analysis_with_defaults
from plmsc.endpoints.populations import POPULATION_FLAGS, population_note, select_population
from plmsc.report.catalogue import (
    DATASETS,
    DESIGN_STATS,
    FIGURE_FORMATS,
    FIGURES,
    FLOW_FIGURE,
    NOTES,
    SOURCES,
    STATS,
    TABLE_FORMATS,
    TABLES,
    conventions_note,
)
from plmsc.report.figures import make_figures
from plmsc.report.flow import flow_figure
from plmsc.report.numbers import (
    article_numbers,
    missing_data_numbers,
    population_numbers,
    results_numbers,
    write_numbers,
)
from plmsc.report.publish import TableDefinition, write_table
from plmsc.report.safety_report import safety_numbers
from plmsc.report.style import save_figure
from plmsc.report.tables import (
    baseline_characteristics,
    endpoints_by_visit,
    participant_groups,
    read_stats,
    safety_table,
)


def read_inputs(paths: Mapping[str, str | Path]) -> dict[str, pd.DataFrame]:
    """Read every input named in :data:`DATASETS` and :data:`STATS` from ``paths``, and
    the design's stats tables of :data:`DESIGN_STATS` that ``paths`` names."""
    data = {name: read_adam(paths[name]) for name in DATASETS}
    extra = {name for names in DESIGN_STATS.values() for name in names if name in paths}
    return data | {name: read_stats(paths[name]) for name in [*STATS, *sorted(extra)]}


def in_population(
    adsl: pd.DataFrame, adeff: pd.DataFrame, population: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ADSL and ADEFF restricted to ``population``; unchanged when ADSL has no flags."""
    if POPULATION_FLAGS[population] not in adsl:
        return adsl, adeff
    pop = select_population(adsl, population)
    return pop, adeff[adeff["USUBJID"].isin(pop["USUBJID"])]


def population_notes(adsl: pd.DataFrame, population: str) -> dict[str, str]:
    """The population sentence of each table: Tables 1-2 the primary population,
    Table 3 every enrolled participant (with the safety population's n)."""
    if POPULATION_FLAGS[population] not in adsl:
        return dict.fromkeys(TABLES, f"Participants: all enrolled, n = {len(adsl)}.")
    primary = population_note(adsl, population)
    n_saf = int(adsl["SAFFL"].eq("Y").sum())
    safety = f"Participants: all enrolled, n = {len(adsl)} (safety population, SAF: n = {n_saf})."
    return {"table1_baseline": primary, "table2_endpoints": primary, "table3_safety": safety}


def build_tables(
    data: Mapping[str, pd.DataFrame], design: str, population: str = "ITT"
) -> dict[str, pd.DataFrame]:
    """Tables 1-3 as display frames, keyed by the names in :data:`TABLES`.

    Tables 1 and 2 describe the primary analysis ``population``.
    """
    adsl, adeff = in_population(data["adsl"], data["adeff"], population)
    return {
        "table1_baseline": baseline_characteristics(adsl, adeff, design),
        "table2_endpoints": endpoints_by_visit(adeff, adsl, design),
        "table3_safety": safety_table(
            data["ae_overview"],
            data["ae_by_term"],
            data["hypo_rates"],
            data.get("lab_worst_grade"),
            data.get("infusion_summary"),
        ),
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
    """How Tables 1-3 are published: title, population, notes, sources.

    Tables 1-2 describe the primary population (``analysis.population``), Table 3
    every participant of the safety tables; the subtitle names it with its n.
    """
    primary = analysis_with_defaults(analysis)["population"]
    notes = population_notes(data["adsl"], primary)
    pop_adsl, _ = in_population(data["adsl"], data["adeff"], primary)
    subtitles, spanner_sets = {}, {}
    for name in TABLES:
        adsl = data["adsl"] if name == "table3_safety" else pop_adsl
        _, spanner_sets[name] = population(adsl, design)
        subtitles[name] = notes[name]
    footnotes = {
        "table1_baseline": [NOTES["table1_baseline"]],
        "table2_endpoints": [NOTES["table2_endpoints"], conventions_note(analysis)],
        "table3_safety": [NOTES["table3_safety"]],
    }
    return {
        name: TableDefinition(
            name=name,
            title=TABLES[name],
            subtitle=subtitles[name],
            spanners=spanner_sets[name],
            footnotes=footnotes[name],
            source_notes=[SOURCES[name]],
        )
        for name in TABLES
    }


def output_paths(outdir: str | Path) -> dict[str, Path]:
    """Every file :func:`write_manuscript` writes, keyed ``<name>_<format>`` and ``numbers``."""
    out = Path(outdir)
    paths = {f"{t}_{fmt}": out / f"{t}.{fmt}" for t in TABLES for fmt in TABLE_FORMATS}
    paths |= {
        f"{f}_{fmt}": out / f"{f}.{fmt}" for f in (*FIGURES, FLOW_FIGURE) for fmt in FIGURE_FORMATS
    }
    return paths | {"numbers": out / "numbers.json"}


def write_manuscript(
    data: Mapping[str, pd.DataFrame],
    outputs: Mapping[str, str | Path],
    design: str,
    analysis: Mapping[str, Any],
    cohort: Mapping[str, Any],
) -> list[Path]:
    """Write tables, figures, numbers.json and the participant-flow diagram to the
    paths of ``outputs``.

    ``outputs`` has the keys of :func:`output_paths`; ``analysis`` is the cohort's
    analysis config (blq, remission_idaa1c, comparison_visit); ``cohort``, the
    cohort's whole config entry, adds the article's keys (methods, participant flow).
    The flow diagram is drawn here, from the flow counts of numbers.json, rather than
    by a step of its own: the figure libraries are already loaded, and the article
    waits for one step less.
    """
    written: list[Path] = []
    analysis = analysis_with_defaults(analysis)
    population_code = analysis["population"]
    definitions = table_definitions(data, design, analysis)
    for name, table in build_tables(data, design, population_code).items():
        paths = [outputs[f"{name}_{fmt}"] for fmt in TABLE_FORMATS]
        written += write_table(table, paths, definitions[name])
    figures = make_figures(
        data["adsl"], data["adlb"], data["adeff"], data["adae"], data["adhypo"], design,
        analysis["blq"], analysis["remission_idaa1c"], population_code,
    )  # fmt: skip
    for name, fig in figures.items():
        written += save_figure(fig, [outputs[f"{name}_{fmt}"] for fmt in FIGURE_FORMATS])
    numbers = results_numbers(
        data["adsl"], data["adeff"], data["ae_overview"], data["hypo_rates"], design,
        analysis["comparison_visit"],
        {name: data[name] for name in DESIGN_STATS.get(design, ()) if name in data},
    )  # fmt: skip
    numbers["populations"] = population_numbers(data["adsl"], population_code)
    extra = safety_numbers(data)
    numbers["adverse_events"] |= extra.pop("adverse_events")
    # its own key: numbers["hypoglycaemia"] holds one entry per ADA level only
    numbers["hypoglycaemia_by_period"] = extra.pop("hypoglycaemia")
    numbers |= extra
    numbers |= article_numbers(data["adsl"], data["adeff"], data["adlb"], cohort)
    if "ancova_mi" in data and "tipping_point" in data:
        numbers["missing_data"] = missing_data_numbers(data["ancova_mi"], data["tipping_point"])
    written.append(write_numbers(numbers, outputs["numbers"]))
    flow = flow_figure(numbers["flow"])
    written += save_figure(flow, [outputs[f"{FLOW_FIGURE}_{fmt}"] for fmt in FIGURE_FORMATS])
    return written
