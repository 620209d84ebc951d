"""Snakemake script: simulate a cohort's raw exports (same seed, same bytes)."""

from plmsc.io import write_text
from plmsc.simulate import simulate_cohort

files = simulate_cohort(snakemake.wildcards.cohort, snakemake.params.cohort, snakemake.output[0])
write_text(f"{len(files)} synthetic raw files written\n", snakemake.log[0])
