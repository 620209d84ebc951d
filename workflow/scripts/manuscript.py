"""Snakemake script: a cohort's manuscript tables, figures and numbers.json."""

from plmsc.report.manuscript import read_inputs, write_manuscript
from plmsc.snakemake_io import rule_log

with rule_log(snakemake) as log:
    written = write_manuscript(
        read_inputs(dict(snakemake.input.items())),
        dict(snakemake.output.items()),
        snakemake.params.design,
        snakemake.params.analysis,
        snakemake.params.cohort,
    )
    for path in written:
        log.wrote(path)
