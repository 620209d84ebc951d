"""Snakemake script: a cohort's manuscript tables, figures and numbers.json."""

from plmsc.io import write_text
from plmsc.report.manuscript import read_inputs, write_manuscript

written = write_manuscript(
    read_inputs(dict(snakemake.input.items())),
    dict(snakemake.output.items()),
    snakemake.params.design,
    snakemake.params.analysis,
    snakemake.params.cohort,
)
write_text("".join(f"wrote {p.name}\n" for p in written), snakemake.log[0])
