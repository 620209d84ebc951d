"""Snakemake script: the cohort's article as DOCX, PDF and HTML."""

import json
from pathlib import Path

from plmsc.io import write_bytes
from plmsc.report.article import Sources, build_article
from plmsc.snakemake_io import rule_log

with rule_log(snakemake) as log:
    numbers = json.loads(Path(snakemake.input.numbers).read_text(encoding="utf-8"))
    sources = Sources.from_paths(
        snakemake.params.templates,
        snakemake.params.prose,
        snakemake.input.bibliography,
        Path(snakemake.input.numbers).parent,
    )
    outputs = build_article(numbers, sources, snakemake.wildcards.cohort)
    for fmt, data in outputs.items():
        log.wrote(write_bytes(data, snakemake.output[fmt]))
