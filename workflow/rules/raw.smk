rule verify_raw_manifest:
    """Check every raw export against the folder's SHA-256 manifest."""
    input:
        raw_inputs,
    output:
        f"{RESULTS}/{{cohort}}/qc/raw_manifest.csv",
    log:
        f"{RESULTS}/{{cohort}}/logs/verify_raw_manifest.log",
    conda:
        "../../envs/environment.yaml"
    params:
        raw_dir=lambda wc: cohort_config(wc)["raw_dir"],
    script:
        "../scripts/verify_raw_manifest.py"
