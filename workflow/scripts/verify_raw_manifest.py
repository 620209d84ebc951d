"""Snakemake script: verify a cohort's raw folder against MANIFEST.sha256."""

from plmsc.io import write_csv
from plmsc.manifest import source_labels, verify_manifest
from plmsc.snakemake_io import rule_log

with rule_log(snakemake) as log:
    checks = verify_manifest(snakemake.params.raw_dir)
    labels = source_labels(c.relpath for c in checks)
    rows = [{"FILE": labels[c.relpath], "SHA256": c.actual, "STATUS": c.status} for c in checks]
    log.wrote(write_csv(rows, snakemake.output[0]))
    log.note(f"{len(rows)} raw files match the manifest")
