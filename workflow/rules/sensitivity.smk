rule sensitivity:
    """Primary endpoints re-derived under every below-limit, MMTT-start and missing-draw
    option (one convention changed at a time), side by side with the configured one."""
    input:
        adlb=rules.ingest.output.adlb,
        advs=rules.ingest.output.advs,
        adsl=cohort_table("adsl"),
    output:
        stats=cohort_table("sensitivity"),
        csv=f"{RESULTS}/{{cohort}}/manuscript/table_s1_sensitivity.csv",
        html=report(
            f"{RESULTS}/{{cohort}}/manuscript/table_s1_sensitivity.html",
            caption="../report/table_s1_sensitivity.rst",
            category="Tables",
            subcategory="Cohort {cohort}",
            labels={"cohort": "{cohort}", "table": "table_s1_sensitivity"},
        ),
        tex=f"{RESULTS}/{{cohort}}/manuscript/table_s1_sensitivity.tex",
    log:
        f"{RESULTS}/{{cohort}}/logs/sensitivity.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/sensitivity.tsv"
    conda:
        "../../envs/environment.yaml"
    params:
        analysis=cohort_setting("analysis"),
        design=cohort_setting("design"),
    script:
        "../scripts/sensitivity.py"
