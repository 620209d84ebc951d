"""Snakemake script: exploratory tests of a single-arm cohort."""

from plmsc.adam import read_adam
from plmsc.endpoints.stats import EXPLORATORY_PARAMS, exploratory_tests
from plmsc.io import write_csv, write_text

tests = exploratory_tests(
    read_adam(snakemake.input.adeff), EXPLORATORY_PARAMS, snakemake.params.comparison_visit
)
write_csv(tests, snakemake.output[0])
write_text(f"{len(tests)} exploratory tests\n", snakemake.log[0])
