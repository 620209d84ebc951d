"""Snakemake script: derive ADEFF from ADLB and ADVS."""

from plmsc.adam import read_adam
from plmsc.endpoints.adeff import derive_adeff
from plmsc.io import write_csv
from plmsc.snakemake_io import rule_log

with rule_log(snakemake) as log:
    adeff = derive_adeff(
        read_adam(snakemake.input.adlb), read_adam(snakemake.input.advs), snakemake.params.analysis
    )
    log.wrote(write_csv(adeff, snakemake.output.adeff), adeff)
    for code, n in adeff.groupby("PARAMCD").size().items():
        log.note(f"  {code}: {n} rows")
