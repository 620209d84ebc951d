"""Snakemake script: arm comparisons of a randomised cohort (or the blinded notice)."""

from plmsc.adam import read_adam
from plmsc.endpoints.randomised import randomised_tables
from plmsc.io import write_csv, write_text

tables, note = randomised_tables(
    read_adam(snakemake.input.adeff),
    read_adam(snakemake.input.adsl),
    snakemake.params.comparison_visit,
    snakemake.params.population,
)
for name, table in tables.items():
    write_csv(table, snakemake.output[name])
write_text(note + "\n", snakemake.log[0])
