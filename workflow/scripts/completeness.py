"""Snakemake script: expected versus received assessments (qc/completeness.csv)."""

from plmsc.adam import read_adam
from plmsc.io import write_csv
from plmsc.report.quality import compute_completeness
from plmsc.snakemake_io import rule_log

with rule_log(snakemake) as log:
    completeness = compute_completeness(
        read_adam(snakemake.input.adsl),
        read_adam(snakemake.input.adlb),
        snakemake.params.schedule,
        snakemake.params.assessments,
    )
    log.wrote(write_csv(completeness, snakemake.output[0]), completeness)
    for status, n in completeness["STATUS"].value_counts().sort_index().items():
        log.note(f"  {status}: {n}")
