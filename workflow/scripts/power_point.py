"""Snakemake script: simulated power at one grid point."""

from plmsc.io import write_csv, write_text
from plmsc.simulate.power import compute_power

timings: dict[str, float] = {}
point = compute_power(
    int(snakemake.wildcards.n), snakemake.params.power, snakemake.params.cohort, timings
)
write_csv(point, snakemake.output[0])
trials = int(snakemake.params.power["trials"])
write_text(
    f"{trials} trials: simulate {timings['simulate']:.2f} s, analyse {timings['analyse']:.2f} s "
    f"({1000 * (timings['simulate'] + timings['analyse']) / trials:.1f} ms per trial)\n",
    snakemake.log[0],
)
