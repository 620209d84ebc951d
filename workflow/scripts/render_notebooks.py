"""Snakemake script: render each executed notebook to HTML."""

from plmsc.report.notebooks import write_notebook_html
from plmsc.snakemake_io import rule_log

with rule_log(snakemake) as log:
    for notebook, html in zip(snakemake.input, snakemake.output, strict=True):
        log.wrote(write_notebook_html(notebook, html))
