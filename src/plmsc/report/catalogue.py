"""Names of a cohort's report outputs and notebooks, without heavy imports.

The workflow reads these when it builds the DAG (so a no-op run stays fast); the
modules that write the outputs import them from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: The tables every step of a cohort writes as CSV, by folder of results/<cohort>/:
#: the one list that the rules, the targets of the workflow and the package read.
ADAM_DATASETS = ("adsl", "adlb", "adae", "adhypo", "advs", "adeff")
QC_TABLES = ("raw_manifest", "reconciliation", "decisions", "deviations", "completeness")
SAFETY_TABLES = (
    "hypo_by_participant",
    "hypo_rates",
    "ae_overview",
    "ae_by_term",
    "ae_by_grade",
    "ae_by_relatedness",
    "ae_by_seriousness",
    "ae_by_outcome",
    "ae_listing",
    "ae_pretreatment",
    "infusion_listing",
    "infusion_summary",
    "lab_worst_grade",
    "lab_shift",
    "lab_graded_listing",
)
EXPLORATORY_TABLES = ("exploratory_tests",)
RANDOMISED_TABLES = ("ancova", "trajectories", "remission_by_arm")
MISSING_DATA_TABLES = ("ancova_mi", "tipping_point")
SENSITIVITY_TABLES = ("sensitivity",)
#: Folder (under results/<cohort>/) of each of those tables.
FOLDERS: dict[str, str] = (
    dict.fromkeys(ADAM_DATASETS, "adam")
    | dict.fromkeys(QC_TABLES, "qc")
    | dict.fromkeys(
        (
            *SAFETY_TABLES,
            *EXPLORATORY_TABLES,
            *RANDOMISED_TABLES,
            *MISSING_DATA_TABLES,
            *SENSITIVITY_TABLES,
        ),
        "stats",
    )
)


def cohort_csv(cohort_dir: str, name: str) -> str:
    """Path of table ``name`` of a cohort: ``<cohort_dir>/<folder>/<name>.csv``."""
    return f"{cohort_dir}/{FOLDERS[name]}/{name}.csv"


TABLE_FORMATS = ("csv", "html", "tex")
FIGURE_FORMATS = ("png", "pdf")
#: Table file names (without suffix) and their captions.
TABLES = {
    "table1_baseline": "Table 1. Baseline characteristics",
    "table2_endpoints": "Table 2. Endpoints by visit",
    "table3_safety": "Table 3. Adverse events and hypoglycaemia",
}
NOTES = {
    "table1_baseline": (
        "Continuous: median (min–max) (single arm or blinded) or median (Q1–Q3) by arm; "
        "categorical: n (%). Baseline endpoints are the last value on or before day 0."
    ),
    "table2_endpoints": (
        "Analysed value (ANL01FL = Y) of each scheduled visit; n participants with a value. "
        "Values outside every visit window are listed in the data-quality notebook."
    ),
    "table3_safety": (
        "Participants with at least one event, n/N (%), and number of events. "
        "Treatment-emergent events only (starting on or after the infusion, day 0). "
        "Related: possible, probable or definite. Hypoglycaemia levels: ADA Standards of Care; "
        "events per participant-year of exposure (from the infusion to the last contact, capped "
        "at the end of the last visit's window); events outside the exposure counted apart. "
        "Laboratory grades: CTCAE v5.0 against each result's reference interval; N = "
        "participants with a post-baseline value."
    ),
}
#: Supplementary tables (own rules): file name and caption.
SUPPLEMENTARY = {
    "table_s1_sensitivity": (
        "Table S1. Primary endpoints under every option of the C-peptide conventions"
    ),
}

#: Datasets each table is made from (its source note).
SOURCES = {
    "table1_baseline": "Source: ADSL (demographics) and ADEFF (baseline endpoints).",
    "table2_endpoints": "Source: ADEFF (endpoints per participant and visit).",
    "table3_safety": "Source: ADAE, ADHYPO, ADLB and ADSL through the safety tables (stats/).",
}

#: Wording of each analysis convention (config ``analysis`` key and value), for
#: footnotes and the sensitivity table.
CONVENTIONS: dict[str, dict[str, str]] = {
    "blq": {
        "half": "C-peptide below the limit of quantification counted as half the limit",
        "limit": "C-peptide below the limit of quantification counted as the limit",
        "zero": "C-peptide below the limit of quantification counted as 0",
    },
    "mmtt_start": {
        "zero": "MMTT curve starting at the 0-min sample",
        "mean_minus10_zero": "MMTT curve starting at the mean of the -10 and 0-min samples",
    },
    "missing_draw": {
        "missing": "AUC missing when a draw is missing",
        "interpolate": "a single missing interior draw interpolated linearly",
    },
}


def conventions_note(analysis: Mapping[str, Any]) -> str:
    """One sentence stating the C-peptide conventions in force (config ``analysis``)."""
    parts = [
        CONVENTIONS[key][str(analysis.get(key, default))]
        for key, default in (("blq", "half"), ("mmtt_start", "zero"), ("missing_draw", "missing"))
    ]
    return "Conventions: " + "; ".join(parts) + "."


#: Inputs of the manuscript: analysis datasets and safety tables.
DATASETS = ("adsl", "adlb", "adeff", "adae", "adhypo")
STATS = (
    "ae_overview",
    "ae_by_term",
    "ae_by_grade",
    "ae_by_relatedness",
    "ae_by_outcome",
    "ae_pretreatment",
    "hypo_rates",
    "lab_worst_grade",
    "infusion_summary",
)
#: Stats tables numbers.json also reads, by design (the arm comparison of a randomised cohort).
DESIGN_STATS = {
    "single_arm": (),
    "randomised": ("ancova", "remission_by_arm", "ancova_mi", "tipping_point"),
}


#: Figure file names (without suffix) and what each shows, in figure order.
FIGURE_TITLES = {
    "fig1_mmtt_curves": "Figure 1. C-peptide during the MMTT, by visit.",
    "fig1b_mmtt_glucose": "Figure 1b. Glucose during the MMTT, by visit.",
    "fig2_cpeptide_auc": "Figure 2. C-peptide mean AUC 0-120 min over time.",
    "fig3_glycaemic_control": "Figure 3. HbA1c, insulin dose and IDAA1c over time.",
    "fig4_remission": "Figure 4. Partial remission per participant and visit.",
    "fig5_autoantibodies": "Figure 5. Islet autoantibodies, change from baseline.",
    "fig6_safety_timeline": "Figure 6. Adverse events and hypoglycaemia per participant.",
    "fig7_safety_labs": "Figure 7. Safety laboratory values relative to their reference limits.",
}
FIGURES = tuple(FIGURE_TITLES)
#: The participant-flow diagram (CONSORT 2010, or its single-arm analogue), drawn
#: by the manuscript step from numbers.json's flow counts; Figure 1 of the article.
FLOW_FIGURE = "participant_flow"


#: Folder (under results/<cohort>/) of every input a notebook may take.
INPUT_FOLDERS = FOLDERS


@dataclass(frozen=True)
class NotebookSpec:
    """A notebook: file stem, title, one line on what it shows, and its inputs.

    ``tests`` are the stats tables shown per design (passed as the ``tests`` list
    parameter); ``settings`` the keys of the cohort's analysis config it takes;
    ``figures`` the manuscript figures it shows. A figure is drawn once, by the
    manuscript step (PNG at 300 dpi and PDF); the notebook embeds that PNG instead
    of drawing it again (docs/performance.md).
    """

    name: str
    title: str
    summary: str
    inputs: tuple[str, ...]
    tests: Mapping[str, tuple[str, ...]]
    settings: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()


NOTEBOOKS: tuple[NotebookSpec, ...] = (
    NotebookSpec(
        "01_data_quality",
        "Data quality",
        "Every raw row accounted for per file, data-management decisions applied, visit "
        "completeness, values outside every visit window (UNSCHEDULED), repeat draws and "
        "missing-value reasons.",
        ("adsl", "adlb", "adeff", "reconciliation", "decisions", "completeness"),
        {},
    ),
    NotebookSpec(
        "02_baseline",
        "Baseline characteristics",
        "Table 1 (by arm for a randomised cohort, overall for a single arm) and the "
        "per-participant baseline listing.",
        ("adsl", "adeff"),
        {},
    ),
    NotebookSpec(
        "03_beta_cell",
        "Beta-cell function",
        "C-peptide curves of every MMTT by visit, C-peptide mean AUC over time, "
        "summaries by visit and the tests.",
        ("adsl", "adlb", "adeff", "sensitivity"),
        {
            "single_arm": ("exploratory_tests",),
            "randomised": ("ancova", "trajectories", "ancova_mi", "tipping_point"),
        },
        ("blq",),
        ("fig1_mmtt_curves", "fig1b_mmtt_glucose", "fig2_cpeptide_auc"),
    ),
    NotebookSpec(
        "04_glycaemic_control",
        "Glycaemic control and remission",
        "HbA1c, insulin dose and IDAA1c with the 9 % remission line, partial remission "
        "per participant and visit.",
        ("adsl", "adeff"),
        {"single_arm": ("exploratory_tests",), "randomised": ("remission_by_arm",)},
        ("remission_idaa1c",),
        ("fig3_glycaemic_control", "fig4_remission"),
    ),
    NotebookSpec(
        "05_autoimmunity",
        "Islet autoantibodies",
        "GADA, ZnT8A and IA-2A titres and their change from baseline, with the nadir.",
        ("adsl", "adeff"),
        {"single_arm": ("exploratory_tests",)},
        (),
        ("fig5_autoantibodies",),
    ),
    NotebookSpec(
        "06_safety",
        "Safety",
        "Treatment-emergent adverse events (overview, SOC/PT, worst grade, relatedness, "
        "seriousness, outcome, listings, swimmer plot), exposure and hypoglycaemia rates by "
        "ADA level and period, CTCAE grades of the safety labs (shift table, listing, "
        "trajectories) and the infusion.",
        (
            "adsl",
            "adlb",
            "adae",
            "adhypo",
            "ae_overview",
            "ae_by_term",
            "ae_by_grade",
            "ae_by_relatedness",
            "ae_by_seriousness",
            "ae_by_outcome",
            "ae_listing",
            "ae_pretreatment",
            "hypo_rates",
            "infusion_listing",
            "infusion_summary",
            "lab_worst_grade",
            "lab_shift",
            "lab_graded_listing",
        ),
        {},
        (),
        ("fig6_safety_timeline", "fig7_safety_labs"),
    ),
)
NOTEBOOK_NAMES = tuple(spec.name for spec in NOTEBOOKS)


def notebook_spec(name: str) -> NotebookSpec:
    """The :class:`NotebookSpec` called ``name``."""
    for spec in NOTEBOOKS:
        if spec.name == name:
            return spec
    raise KeyError(f"unknown notebook {name!r}; known: {', '.join(NOTEBOOK_NAMES)}")


def notebook_inputs(name: str, design: str, cohort_dir: str) -> dict[str, str]:
    """Input files of notebook ``name`` for a cohort: ``{key: <cohort_dir>/<folder>/<key>.csv}``.

    The stats tables of the design come under keys ``tests_<table>``, the
    manuscript figures it shows under their names (``<cohort_dir>/manuscript/<name>.png``).
    """
    spec = notebook_spec(name)
    paths = {k: cohort_csv(cohort_dir, k) for k in spec.inputs}
    for table in spec.tests.get(design, ()):
        paths[f"tests_{table}"] = cohort_csv(cohort_dir, table)
    for figure in spec.figures:
        paths[figure] = f"{cohort_dir}/manuscript/{figure}.png"
    return paths


def notebook_values(name: str, cohort: str, cohort_config: Mapping[str, Any]) -> dict[str, Any]:
    """The notebook's non-path parameters: cohort, design and its analysis settings."""
    analysis = cohort_config.get("analysis", {})
    values = {"cohort": cohort, "design": cohort_config["design"]}
    return values | {key: analysis[key] for key in notebook_spec(name).settings}
