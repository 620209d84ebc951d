"""Snakemake script: MI under MAR and the tipping point of a randomised cohort."""

from plmsc.adam import read_adam
from plmsc.endpoints.missing import missing_data_tables
from plmsc.io import write_csv
from plmsc.snakemake_io import rule_log

with rule_log(snakemake) as log:
    tables, note = missing_data_tables(
        read_adam(snakemake.input.adeff), read_adam(snakemake.input.adsl), snakemake.params.cohort
    )
    for name, table in tables.items():
        log.wrote(write_csv(table, snakemake.output[name]), table)
    log.note(note)
