"""Snakemake script: add the analysis population flags to the ingested ADSL."""

from plmsc.adam import read_adam
from plmsc.endpoints.populations import derive_populations, population_counts
from plmsc.io import write_csv
from plmsc.snakemake_io import rule_log

with rule_log(snakemake) as log:
    adsl, deviations = derive_populations(
        read_adam(snakemake.input.adsl), read_adam(snakemake.input.adeff), snakemake.params.cohort
    )
    log.wrote(write_csv(adsl, snakemake.output.adsl), adsl)
    log.wrote(write_csv(deviations, snakemake.output.deviations), deviations)
    for pop, n in population_counts(adsl).items():
        log.note(f"{pop}: {n} participants")
    for cat, n in deviations["DVCAT"].value_counts().items():
        log.note(f"major deviation ({cat}): {n}")
