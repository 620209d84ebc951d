rule dsmb:
    """Open (pooled, blinded) and closed (by arm) safety reports for the data safety
    monitoring board, from the same analysis datasets."""
    input:
        adsl=rules.populations.output.adsl,
        adae=rules.ingest.output.adae,
        adhypo=rules.ingest.output.adhypo,
        adlb=rules.ingest.output.adlb,
    output:
        open=f"{RESULTS}/{{cohort}}/dsmb/open_report.html",
        closed=f"{RESULTS}/{{cohort}}/dsmb/closed_report.html",
    log:
        f"{RESULTS}/{{cohort}}/logs/dsmb.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/dsmb.tsv"
    conda:
        "../../envs/environment.yaml"
    params:
        periods=cohort_setting("analysis", "hypo_periods"),
    script:
        "../scripts/dsmb.py"
