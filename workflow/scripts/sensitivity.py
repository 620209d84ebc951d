"""Snakemake script: primary endpoints under every option of the C-peptide conventions."""

from plmsc.adam import read_adam
from plmsc.io import write_text
from plmsc.report.sensitivity import write_sensitivity

written = write_sensitivity(
    read_adam(snakemake.input.adlb),
    read_adam(snakemake.input.advs),
    read_adam(snakemake.input.adsl),
    snakemake.params.analysis,
    snakemake.params.design,
    dict(snakemake.output.items()),
)
write_text("".join(f"wrote {p.name}\n" for p in written), snakemake.log[0])
