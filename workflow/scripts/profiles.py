"""Snakemake script: participant profiles (one HTML page each, and an index)."""

from plmsc.adam import read_adam
from plmsc.io import write_text
from plmsc.report.profiles import write_profiles

data = {name: read_adam(path) for name, path in snakemake.input.items()}
written = write_profiles(
    data,
    snakemake.output[0],
    snakemake.wildcards.cohort,
    snakemake.params.settings["max_participants"],
    snakemake.params.settings["participants"],
    snakemake.params.blq,
)
write_text("".join(f"wrote {p.name}\n" for p in written), snakemake.log[0])
