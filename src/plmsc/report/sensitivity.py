"""Display of the sensitivity analysis (content) and its publication definition.

:func:`sensitivity_table` turns the tidy summaries of
:func:`plmsc.endpoints.sensitivity.compute_sensitivity` (stats/sensitivity.csv) into
a table of display strings: one row per measure and visit, one column per option,
grouped by convention (``"<convention>: <option>"`` columns, which
:mod:`plmsc.report.publish` shows under a spanner per convention).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from plmsc.endpoints.registry import endpoint
from plmsc.endpoints.sensitivity import ALL, OPTIONS
from plmsc.report.catalogue import CONVENTIONS, SUPPLEMENTARY
from plmsc.report.formatting import format_n_of_total, format_number
from plmsc.report.publish import TableDefinition

NAME = "table_s1_sensitivity"
#: Spanner of each convention.
CONVENTION_TITLES = {
    "blq": "Below the limit of quantification",
    "mmtt_start": "Start of the MMTT curve",
    "missing_draw": "Missing draw",
}
#: Column label of each option.
OPTION_LABELS = {
    "blq": {"half": "Half the limit", "limit": "The limit", "zero": "Zero"},
    "mmtt_start": {"zero": "0 min", "mean_minus10_zero": "Mean of -10 and 0 min"},
    "missing_draw": {"missing": "AUC missing", "interpolate": "Interpolated"},
}
CONFIGURED_MARK = " (configured)"


def _measure_label(measure: str, comparison_visit: str) -> str:
    cp = endpoint("CPAUC")
    if measure == "CPAUC":
        return f"{cp.label}, median (n)"
    if measure == "CPAUC_CHG":
        return f"Change in {cp.name} from baseline ({cp.unit}), median (n)"
    return f"{endpoint('REMISS').name}, n/N (%)"


def option_column(convention: str, option: str, configured: bool) -> str:
    """``"<convention title>: <option label>"``, marked when it is the configured one."""
    label = OPTION_LABELS[convention][option] + (CONFIGURED_MARK if configured else "")
    return f"{CONVENTION_TITLES[convention]}: {label}"


def _cell(row: pd.Series, decimals: int) -> str:
    if row["MEASURE"] == "REMISS":
        return format_n_of_total(int(row["N_YES"]), int(row["N"]))
    if pd.isna(row["MEDIAN"]):
        return f"({int(row['N'])})"
    return f"{format_number(row['MEDIAN'], decimals)} ({int(row['N'])})"


def sensitivity_table(tidy: pd.DataFrame, comparison_visit: str = "Month 12") -> pd.DataFrame:
    """Display table: Section (measure, and group when there are several), Item
    (visit), one column per convention and option in :data:`OPTIONS` order."""
    decimals = endpoint("CPAUC").decimals
    frame = tidy.copy()
    frame["CELL"] = [_cell(r, decimals) for _, r in frame.iterrows()]
    groups = list(dict.fromkeys(frame["GROUP"]))
    several = len(groups) > 1
    frame["Section"] = [
        _measure_label(m, comparison_visit) + (f" \u2014 {g}" if several else "")
        for m, g in zip(frame["MEASURE"], frame["GROUP"], strict=True)
    ]
    frame["Item"] = frame["AVISIT"]
    frame["COLUMN"] = [
        option_column(c, o, f == "Y")
        for c, o, f in zip(frame["CONVENTION"], frame["OPTION"], frame["CONFIGURED"], strict=True)
    ]
    columns = list(dict.fromkeys(frame["COLUMN"]))
    sections = list(dict.fromkeys(frame["Section"]))
    wide = frame.pivot_table(
        index=["Section", "AVISITN", "Item"], columns="COLUMN", values="CELL", aggfunc="first"
    ).reset_index()
    wide["_s"] = wide["Section"].map({s: i for i, s in enumerate(sections)})
    wide = wide.sort_values(["_s", "AVISITN"], kind="stable")
    return wide[["Section", "Item", *columns]].fillna("").reset_index(drop=True)


def configured_options(tidy: pd.DataFrame) -> dict[str, str]:
    """The configured option of each convention, read back from the tidy summaries."""
    rows = tidy.loc[tidy["CONFIGURED"] == "Y", ["CONVENTION", "OPTION"]].drop_duplicates()
    return dict(zip(rows["CONVENTION"], rows["OPTION"], strict=True))


def sensitivity_definition(
    analysis: Mapping[str, Any], subtitle: str = "", spanners: Mapping[str, str] | None = None
) -> TableDefinition:
    """Publication definition of Table S1 with the conventions in force."""
    configured = "; ".join(
        CONVENTIONS[key][str(analysis.get(key, OPTIONS[key][0]))] for key in OPTIONS
    )
    return TableDefinition(
        name=NAME,
        title=SUPPLEMENTARY[NAME],
        subtitle=subtitle,
        spanners=dict(spanners or {}),
        footnotes=[
            "Each column changes one convention and keeps the others as configured; "
            f"configured: {configured}.",
            "C-peptide: median (n participants with a value) of the analysed value of each "
            "visit; change from baseline at the comparison visit; partial remission: "
            "participants in remission / assessed.",
            f"Group {ALL}: every participant; by arm when randomised and unblinded.",
        ],
        source_notes=[
            "Source: ADLB and ADVS re-derived once per option by the workflow's own ADEFF "
            "derivation (stats/sensitivity.csv)."
        ],
    )


def write_sensitivity(
    adlb: pd.DataFrame,
    advs: pd.DataFrame,
    adsl: pd.DataFrame,
    analysis: Mapping[str, Any],
    design: str,
    outputs: Mapping[str, str | Path],
) -> list[Path]:
    """Compute the sensitivity summaries for the primary population and write them:
    ``outputs["stats"]`` (tidy CSV) and the table as ``csv``, ``html`` and ``tex``."""
    from plmsc.endpoints.populations import POPULATION_FLAGS, population_note, select_population
    from plmsc.endpoints.sensitivity import compute_sensitivity
    from plmsc.io import write_csv
    from plmsc.report.publish import write_table

    population = analysis["population"]
    if POPULATION_FLAGS[population] in adsl:
        pop, subtitle = select_population(adsl, population), population_note(adsl, population)
    else:
        pop, subtitle = adsl, f"Participants: all enrolled, n = {len(adsl)}."
    comparison = analysis["comparison_visit"]
    tidy = compute_sensitivity(adlb, advs, pop, analysis, design, comparison)
    written = [write_csv(tidy, outputs["stats"])]
    table = sensitivity_table(tidy, comparison)
    paths = [outputs[fmt] for fmt in ("csv", "html", "tex")]
    return written + write_table(table, paths, sensitivity_definition(analysis, subtitle))
