rule populations:
    """ADSL population flags (ITT, safety, MITT, per protocol) from the ingested ADSL and ADEFF."""
    input:
        adsl=f"{RESULTS}/{{cohort}}/interim/adsl.csv",
        adeff=f"{RESULTS}/{{cohort}}/adam/adeff.csv",
    output:
        adsl=f"{RESULTS}/{{cohort}}/adam/adsl.csv",
        deviations=f"{RESULTS}/{{cohort}}/qc/deviations.csv",
    log:
        f"{RESULTS}/{{cohort}}/logs/populations.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/populations.tsv"
    conda:
        "../../envs/environment.yaml"
    params:
        cohort=cohort_config,
    script:
        "../scripts/populations.py"
