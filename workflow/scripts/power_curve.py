"""Snakemake script: the power curve and the sample sizes for 80 % and 90 % power."""

import json

from plmsc.io import write_csv, write_text
from plmsc.report.style import save_figure
from plmsc.simulate.power import compute_power_curve, fig_power_curve, sample_size_for
from plmsc.snakemake_io import rule_log

with rule_log(snakemake) as log:
    power = snakemake.params.power
    timings: dict[str, float] = {}
    curve = compute_power_curve(power["grid"], power, snakemake.params.cohort, timings)
    log.wrote(write_csv(curve, snakemake.output.curve), curve)
    save_figure(fig_power_curve(curve), [snakemake.output.png, snakemake.output.pdf])
    summary = sample_size_for(curve)
    write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", snakemake.output.summary)
    trials = len(curve) * int(power["trials"])
    sim, ana = timings["simulate"], timings["analyse"]
    log.note(
        f"{len(curve)} grid points, {trials} trials: simulate {sim:.2f} s, "
        f"analyse {ana:.2f} s ({1000 * (sim + ana) / trials:.2f} ms per trial)"
    )
    log.note(json.dumps(summary, sort_keys=True))
