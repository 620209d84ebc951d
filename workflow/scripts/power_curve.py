"""Snakemake script: the power curve and the sample sizes for 80 % and 90 % power."""

import json

import pandas as pd

from plmsc.io import write_csv, write_text
from plmsc.report.style import save_figure
from plmsc.simulate.power import fig_power_curve, sample_size_for
from plmsc.snakemake_io import rule_log

with rule_log(snakemake) as log:
    curve = pd.concat([pd.read_csv(p) for p in snakemake.input], ignore_index=True)
    curve = curve.sort_values("N_PLACEBO", ignore_index=True)
    log.wrote(write_csv(curve, snakemake.output.curve), curve)
    save_figure(fig_power_curve(curve), [snakemake.output.png, snakemake.output.pdf])
    summary = sample_size_for(curve)
    write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", snakemake.output.summary)
    log.note(json.dumps(summary, sort_keys=True))
