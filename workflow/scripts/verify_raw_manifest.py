"""Snakemake script: verify a cohort's raw folder against MANIFEST.sha256."""

from plmsc.io import write_csv
from plmsc.manifest import ManifestError, source_labels, verify_manifest
from plmsc.snakemake_io import fail

try:
    checks = verify_manifest(snakemake.params.raw_dir)
except ManifestError as exc:
    fail(snakemake, exc)

labels = source_labels(c.relpath for c in checks)
rows = [{"FILE": labels[c.relpath], "SHA256": c.actual, "STATUS": c.status} for c in checks]
write_csv(rows, snakemake.output[0])
with open(snakemake.log[0], "w", encoding="utf-8") as log:
    log.write(f"{len(rows)} raw files match the manifest\n")
