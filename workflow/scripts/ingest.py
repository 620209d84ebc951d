"""Snakemake script: build a cohort's analysis datasets from its raw exports."""

from plmsc.ingest import InputError, build_adam
from plmsc.io import write_csv, write_text
from plmsc.snakemake_io import fail

cohort = snakemake.params.cohort
decisions = snakemake.input.get("decisions") or None  # config key decisions, if any
try:
    datasets = build_adam(cohort, snakemake.params.raw_dir, decisions)
except InputError as exc:
    fail(snakemake, exc)

lines = []
for name, frame in datasets.items():
    write_csv(frame, snakemake.output[name])
    lines.append(f"{name}: {len(frame)} rows")
recon = datasets.reconciliation
for disposition, n in recon.groupby("DISPOSITION")["N"].sum().items():
    lines.append(f"raw rows {disposition}: {n}")
write_text("\n".join(lines) + "\n", snakemake.log[0])
