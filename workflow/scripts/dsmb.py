"""Snakemake script: the open and the closed DSMB report of a cohort."""

from plmsc.adam import read_adam
from plmsc.io import write_text
from plmsc.report.dsmb import dsmb_reports
from plmsc.snakemake_io import rule_log

with rule_log(snakemake) as log:
    reports = dsmb_reports(
        snakemake.wildcards.cohort,
        read_adam(snakemake.input.adsl),
        read_adam(snakemake.input.adae),
        read_adam(snakemake.input.adhypo),
        read_adam(snakemake.input.adlb),
        snakemake.params.periods,
    )
    for kind, html in reports.items():
        log.wrote(write_text(html, snakemake.output[kind]))
        log.note(f"{kind}: {len(html)} characters")
