"""Snakemake script: participant profiles (one HTML page each, and an index)."""

from plmsc.adam import read_adam
from plmsc.report.profiles import write_profiles
from plmsc.snakemake_io import rule_log

with rule_log(snakemake) as log:
    data = {name: read_adam(path) for name, path in snakemake.input.items()}
    written = write_profiles(
        data,
        snakemake.output[0],
        snakemake.wildcards.cohort,
        snakemake.params.settings["max_participants"],
        snakemake.params.settings["participants"],
        snakemake.params.blq,
    )
    for path in written:
        log.wrote(path)
