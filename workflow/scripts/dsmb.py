"""Snakemake script: the open and the closed DSMB report of a cohort."""

from plmsc.adam import read_adam
from plmsc.io import write_text
from plmsc.report.dsmb import dsmb_reports

reports = dsmb_reports(
    snakemake.wildcards.cohort,
    read_adam(snakemake.input.adsl),
    read_adam(snakemake.input.adae),
    read_adam(snakemake.input.adhypo),
    read_adam(snakemake.input.adlb),
    snakemake.params.periods,
)
for kind, html in reports.items():
    write_text(html, snakemake.output[kind])
write_text("".join(f"{k}: {len(h)} characters\n" for k, h in reports.items()), snakemake.log[0])
