"""Snakemake script: the cohort's landing page (index.html)."""

import json
from pathlib import Path

from plmsc.report.landing import write_landing
from plmsc.report.notebooks import index_links
from plmsc.snakemake_io import rule_log

with rule_log(snakemake) as log:
    cohort_dir = Path(snakemake.output[0]).parent
    manuscript = [
        link for link in index_links(snakemake.params.manuscript) if "notebooks/" not in link[0]
    ]
    profiles = Path(snakemake.input.profiles) / "index.html"
    write_landing(
        snakemake.output[0],
        cohort=snakemake.wildcards.cohort,
        description=snakemake.params.description,
        numbers=json.loads(Path(snakemake.input.manuscript).read_text(encoding="utf-8")),
        provenance=json.loads(Path(snakemake.input.provenance).read_text(encoding="utf-8")),
        manuscript=manuscript,
        figures=snakemake.params.figures,
        profiles=profiles.relative_to(cohort_dir).as_posix() if profiles.is_file() else None,
    )
    log.wrote(snakemake.output[0])
    log.note(f"{len(manuscript)} manuscript links")
