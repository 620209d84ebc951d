rule populations:
    """ADSL population flags (ITT, safety, MITT, per protocol) from the ingested ADSL and ADEFF."""
    input:
        adsl=rules.ingest.output.adsl,
        adeff=rules.endpoints.output.adeff,
    output:
        adsl=cohort_table("adsl"),
        deviations=cohort_table("deviations"),
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
