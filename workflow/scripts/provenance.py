"""Snakemake script: write a cohort's provenance.json (plmsc.provenance)."""

from plmsc.io import write_text
from plmsc.provenance import build_provenance, to_json
from plmsc.snakemake_io import rule_log

with rule_log(snakemake) as log:
    record = build_provenance(
        snakemake.wildcards.cohort,
        snakemake.params.cohort,
        snakemake.params.raw_dir,
        snakemake.params.git,
    )
    log.wrote(write_text(to_json(record), snakemake.output[0]))
    log.note(f"{len(record['raw_files'])} raw files hashed; commit {record['git']['commit']}")
