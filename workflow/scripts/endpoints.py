"""Snakemake script: derive ADEFF from ADLB and ADVS."""

from plmsc.adam import read_adam
from plmsc.endpoints.adeff import derive_adeff
from plmsc.io import write_csv, write_text

adeff = derive_adeff(
    read_adam(snakemake.input.adlb), read_adam(snakemake.input.advs), snakemake.params.analysis
)
write_csv(adeff, snakemake.output.adeff)
counts = adeff.groupby("PARAMCD").size()
write_text("".join(f"{code}: {n} rows\n" for code, n in counts.items()), snakemake.log[0])
