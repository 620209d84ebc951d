"""Snakemake script: MI under MAR and the tipping point of a randomised cohort."""

from plmsc.adam import read_adam
from plmsc.endpoints.missing import missing_data_tables
from plmsc.io import write_csv, write_text

tables, note = missing_data_tables(
    read_adam(snakemake.input.adeff), read_adam(snakemake.input.adsl), snakemake.params.cohort
)
for name, table in tables.items():
    write_csv(table, snakemake.output[name])
write_text(note + "\n", snakemake.log[0])
