rule simulate_raw:
    """Synthetic raw exports of a cohort whose config sets simulation.in_workflow."""
    output:
        directory(f"{SIMULATED_RAW}/{{cohort}}"),
    log:
        f"{RESULTS}/{{cohort}}/logs/simulate_raw.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/simulate_raw.tsv"
    wildcard_constraints:
        cohort="|".join(SIMULATED) or "^$",
    conda:
        "../../envs/environment.yaml"
    params:
        cohort=cohort_config,
    script:
        "../scripts/simulate_raw.py"


rule verify_raw_manifest:
    """Check every raw export against the folder's SHA-256 manifest."""
    input:
        raw_inputs,
    output:
        cohort_table("raw_manifest"),
    log:
        f"{RESULTS}/{{cohort}}/logs/verify_raw_manifest.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/verify_raw_manifest.tsv"
    conda:
        "../../envs/environment.yaml"
    params:
        raw_dir=raw_dir_of,
    script:
        "../scripts/verify_raw_manifest.py"
