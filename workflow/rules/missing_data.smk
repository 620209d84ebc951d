rule missing_data:
    """Randomised cohorts: multiple imputation of the missing primary endpoint (MAR),
    Rubin's rules, and the tipping point (MNAR)."""
    input:
        adsl=rules.populations.output.adsl,
        adeff=rules.endpoints.output.adeff,
    output:
        **{name: cohort_table(name) for name in MISSING_DATA_TABLES},
    log:
        f"{RESULTS}/{{cohort}}/logs/missing_data.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/missing_data.tsv"
    conda:
        "../../envs/environment.yaml"
    params:
        cohort=cohort_config,
    script:
        "../scripts/missing_data.py"
