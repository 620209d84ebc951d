"""Snakemake script: primary endpoints under every option of the C-peptide conventions."""

from plmsc.adam import read_adam
from plmsc.report.sensitivity import write_sensitivity
from plmsc.snakemake_io import rule_log

with rule_log(snakemake) as log:
    written = write_sensitivity(
        read_adam(snakemake.input.adlb),
        read_adam(snakemake.input.advs),
        read_adam(snakemake.input.adsl),
        snakemake.params.analysis,
        snakemake.params.design,
        dict(snakemake.output.items()),
    )
    for path in written:
        log.wrote(path)
