"""Snakemake script: exploratory tests of a single-arm cohort."""

from plmsc.adam import read_adam
from plmsc.endpoints.stats import EXPLORATORY_PARAMS, exploratory_tests
from plmsc.io import write_csv
from plmsc.snakemake_io import rule_log

with rule_log(snakemake) as log:
    tests = exploratory_tests(
        read_adam(snakemake.input.adeff),
        EXPLORATORY_PARAMS,
        snakemake.params.comparison_visit,
        snakemake.params.zero_method,
    )
    log.wrote(write_csv(tests, snakemake.output[0]), tests)
