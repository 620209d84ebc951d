"""Snakemake script: build a cohort's analysis datasets from its raw exports."""

from plmsc.ingest import build_adam
from plmsc.io import write_csv
from plmsc.snakemake_io import rule_log

with rule_log(snakemake) as log:
    decisions = snakemake.input.get("decisions") or None  # config key decisions, if any
    datasets = build_adam(snakemake.params.cohort, snakemake.params.raw_dir, decisions)
    for name, frame in datasets.items():
        write_csv(frame, snakemake.output[name])
        log.note(f"{name}: {len(frame)} rows")
    recon = datasets.reconciliation
    for disposition, n in recon.groupby("DISPOSITION")["N"].sum().items():
        log.note(f"raw rows {disposition}: {n}")
