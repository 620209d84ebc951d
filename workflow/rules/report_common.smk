"""Helpers of the report rules: manuscript outputs and notebook inputs."""

from plmsc.report.catalogue import (
    DATASETS,
    DESIGN_STATS,
    FIGURE_FORMATS,
    FIGURE_TITLES,
    FLOW_FIGURE,
    NOTEBOOK_NAMES,
    STATS,
    SUPPLEMENTARY,
    TABLE_FORMATS,
    TABLES,
    notebook_inputs,
)

MANUSCRIPT = f"{RESULTS}/{{cohort}}/manuscript"
# The notebook templates live with the Snakefile, wherever the run's directory is.
NOTEBOOK_TEMPLATES = [
    f"{workflow.basedir}/notebooks/{name}.ipynb" for name in NOTEBOOK_NAMES
]


def manuscript_outputs():
    """Tables (CSV, HTML, LaTeX), figures (PNG, PDF), numbers.json and the
    participant-flow diagram; the figures and the HTML tables go into the Snakemake
    report with their captions."""
    out = {}
    for name in TABLES:
        for fmt in TABLE_FORMATS:
            path = f"{MANUSCRIPT}/{name}.{fmt}"
            if fmt == "html":
                path = report(
                    path,
                    caption=f"../report/{name}.rst",
                    category="Tables",
                    subcategory="Cohort {cohort}",
                    labels={"cohort": "{cohort}", "table": name},
                )
            out[f"{name}_{fmt}"] = path
    for name in FIGURE_TITLES:
        for fmt in FIGURE_FORMATS:
            path = f"{MANUSCRIPT}/{name}.{fmt}"
            if fmt == "png":
                path = report(
                    path,
                    caption=f"../report/{name}.rst",
                    category="Figures",
                    subcategory="Cohort {cohort}",
                    labels={"cohort": "{cohort}", "figure": name},
                )
            out[f"{name}_{fmt}"] = path
    out["numbers"] = f"{MANUSCRIPT}/numbers.json"
    for fmt in FIGURE_FORMATS:
        out[f"{FLOW_FIGURE}_{fmt}"] = f"{MANUSCRIPT}/{FLOW_FIGURE}.{fmt}"
    return out


def report_inputs(wildcards):
    """Analysis datasets, safety tables and the design's stats tables (the arm
    comparison of a randomised cohort) the manuscript reads."""
    cohort_dir = f"{RESULTS}/{wildcards.cohort}"
    names = [*DATASETS, *STATS, *DESIGN_STATS[cohort_config(wildcards)["design"]]]
    return {name: cohort_csv(cohort_dir, name) for name in names}


def notebook_data(wildcards):
    """Every analysis dataset and stats table the cohort's notebooks read (by design)."""
    design = cohort_config(wildcards)["design"]
    paths = {}
    for name in NOTEBOOK_NAMES:
        paths |= notebook_inputs(name, design, f"{RESULTS}/{wildcards.cohort}")
    return paths


def manuscript_files(wildcards):
    """Manuscript files linked from the index page, relative to the cohort folder."""
    return [
        *[f"manuscript/{t}.html" for t in TABLES],
        *[f"manuscript/{t}.html" for t in SUPPLEMENTARY],
        *[f"manuscript/{f}.pdf" for f in FIGURE_TITLES],
        "manuscript/numbers.json",
        *[f"manuscript/article.{fmt}" for fmt in ARTICLE_FORMATS],
        f"manuscript/{FLOW_FIGURE}.pdf",
    ]


def figure_pngs(wildcards):
    """The cohort's figure PNGs (thumbnails of the landing page)."""
    return [f"{RESULTS}/{wildcards.cohort}/manuscript/{f}.png" for f in FIGURE_TITLES]


# --- the article ---------------------------------------------------------------------
ARTICLE_SOURCES = f"{workflow.basedir}/manuscript"
ARTICLE_TEMPLATES = f"{ARTICLE_SOURCES}/templates"
ARTICLE_FORMATS = ["docx", "pdf", "html"]


def article_prose(wildcards):
    """The authors' prose of the cohort: manuscript/prose/<cohort>, else prose/default."""
    own = Path(ARTICLE_SOURCES) / "prose" / wildcards.cohort
    return str(own if own.is_dir() else Path(ARTICLE_SOURCES) / "prose" / "default")


def article_inputs(wildcards):
    """numbers.json, the tables and figures the article shows, and its sources."""
    out = f"{RESULTS}/{wildcards.cohort}/manuscript"
    return {
        "numbers": f"{out}/numbers.json",
        "tables": [f"{out}/{t}.csv" for t in TABLES],
        "figures": [f"{out}/{f}.png" for f in [*FIGURE_TITLES, FLOW_FIGURE]],
        "templates": sorted(str(p) for p in Path(ARTICLE_TEMPLATES).glob("*.j2")),
        "prose": sorted(str(p) for p in Path(article_prose(wildcards)).glob("*.md")),
        "bibliography": f"{ARTICLE_SOURCES}/references.bib",
    }
