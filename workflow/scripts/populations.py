"""Snakemake script: add the analysis population flags to the ingested ADSL."""

from plmsc.adam import read_adam
from plmsc.endpoints.populations import derive_populations, population_counts
from plmsc.io import write_csv, write_text

adsl, deviations = derive_populations(
    read_adam(snakemake.input.adsl), read_adam(snakemake.input.adeff), snakemake.params.cohort
)
write_csv(adsl, snakemake.output.adsl)
write_csv(deviations, snakemake.output.deviations)
counts = population_counts(adsl)
lines = [f"{pop}: {n} participants" for pop, n in counts.items()]
lines += [f"major deviation ({cat}): {n}" for cat, n in deviations["DVCAT"].value_counts().items()]
write_text("\n".join(lines) + "\n", snakemake.log[0])
