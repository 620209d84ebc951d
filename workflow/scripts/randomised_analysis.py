"""Snakemake script: arm comparisons of a randomised cohort (or the blinded notice)."""

from plmsc.adam import read_adam
from plmsc.endpoints.randomised import randomised_tables
from plmsc.io import write_csv
from plmsc.snakemake_io import rule_log

with rule_log(snakemake) as log:
    tables, note = randomised_tables(
        read_adam(snakemake.input.adeff),
        read_adam(snakemake.input.adsl),
        snakemake.params.comparison_visit,
        snakemake.params.population,
    )
    for name, table in tables.items():
        log.wrote(write_csv(table, snakemake.output[name]), table)
    log.note(note)
