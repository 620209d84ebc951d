rule dsmb:
    """Open (pooled, blinded) and closed (by arm) safety reports for the data safety
    monitoring board, from the same analysis datasets."""
    input:
        adsl=f"{RESULTS}/{{cohort}}/adam/adsl.csv",
        adae=f"{RESULTS}/{{cohort}}/adam/adae.csv",
        adhypo=f"{RESULTS}/{{cohort}}/adam/adhypo.csv",
        adlb=f"{RESULTS}/{{cohort}}/adam/adlb.csv",
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
        periods=lambda wc: cohort_config(wc)["analysis"]["hypo_periods"],
    script:
        "../scripts/dsmb.py"
