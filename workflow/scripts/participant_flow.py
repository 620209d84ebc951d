"""Snakemake script: the participant flow diagram from numbers.json's flow counts."""

import json
from pathlib import Path

from plmsc.report.flow import flow_figure
from plmsc.report.style import save_figure
from plmsc.snakemake_io import rule_log

with rule_log(snakemake) as log:
    numbers = json.loads(Path(snakemake.input[0]).read_text(encoding="utf-8"))
    figure = flow_figure(numbers["flow"])
    for path in save_figure(figure, [snakemake.output.png, snakemake.output.pdf]):
        log.wrote(path)
