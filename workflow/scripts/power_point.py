"""Snakemake script: simulated power at one grid point."""

from plmsc.io import write_csv
from plmsc.simulate.power import compute_power
from plmsc.snakemake_io import rule_log

with rule_log(snakemake) as log:
    timings: dict[str, float] = {}
    point = compute_power(
        int(snakemake.wildcards.n), snakemake.params.power, snakemake.params.cohort, timings
    )
    log.wrote(write_csv(point, snakemake.output[0]), point)
    trials = int(snakemake.params.power["trials"])
    sim, ana = timings["simulate"], timings["analyse"]
    log.note(
        f"{trials} trials: simulate {sim:.2f} s, analyse {ana:.2f} s "
        f"({1000 * (sim + ana) / trials:.1f} ms per trial)"
    )
