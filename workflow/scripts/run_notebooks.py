"""Snakemake script: execute the cohort's notebooks with papermill (one kernel)."""

from pathlib import Path

from plmsc.report.catalogue import notebook_inputs, notebook_values
from plmsc.report.notebooks import execute_notebooks, notebook_parameters, stderr_to
from plmsc.snakemake_io import rule_log

with rule_log(snakemake) as log:
    cohort, config = snakemake.wildcards.cohort, snakemake.params.cohort
    runs = []
    for template, output in zip(snakemake.input.notebooks, snakemake.output, strict=True):
        name = Path(template).stem
        inputs = notebook_inputs(name, config["design"], snakemake.params.cohort_dir)
        values = notebook_values(name, cohort, config)
        runs.append((template, output, notebook_parameters(inputs, Path(output).parent, values)))
    # the kernel's standard error goes to the log first; the summary follows it
    with stderr_to(snakemake.log[0]):
        execute_notebooks(runs, Path(snakemake.output[0]).parent)
    for _, output, _ in runs:
        log.wrote(output)
