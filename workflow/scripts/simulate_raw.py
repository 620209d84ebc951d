"""Snakemake script: simulate a cohort's raw exports (same seed, same bytes)."""

from plmsc.simulate import simulate_cohort
from plmsc.snakemake_io import rule_log

with rule_log(snakemake) as log:
    cohort = snakemake.params.cohort
    files = simulate_cohort(snakemake.wildcards.cohort, cohort, snakemake.output[0])
    log.note(f"{len(files)} synthetic raw files written")
