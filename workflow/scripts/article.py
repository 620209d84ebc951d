"""Snakemake script: the cohort's article as DOCX, PDF and HTML."""

import json
from pathlib import Path

from plmsc.io import write_bytes, write_text
from plmsc.report.article import Sources, build_article

numbers = json.loads(Path(snakemake.input.numbers).read_text(encoding="utf-8"))
sources = Sources.from_paths(
    snakemake.params.templates,
    snakemake.params.prose,
    snakemake.input.bibliography,
    Path(snakemake.input.numbers).parent,
)
outputs = build_article(numbers, sources, snakemake.wildcards.cohort)
written = [write_bytes(data, snakemake.output[fmt]) for fmt, data in outputs.items()]
write_text("".join(f"wrote {p.name}\n" for p in written), snakemake.log[0])
