rule endpoints:
    """Analysis datasets -> ADEFF: C-peptide, glycaemic control, autoantibodies."""
    input:
        adlb=f"{RESULTS}/{{cohort}}/adam/adlb.csv",
        advs=f"{RESULTS}/{{cohort}}/adam/advs.csv",
    output:
        adeff=f"{RESULTS}/{{cohort}}/adam/adeff.csv",
    log:
        f"{RESULTS}/{{cohort}}/logs/endpoints.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/endpoints.tsv"
    conda:
        "../../envs/environment.yaml"
    params:
        analysis=lambda wc: cohort_config(wc)["analysis"],
    script:
        "../scripts/endpoints.py"


rule safety:
    """Hypoglycaemia by ADA level and period (exposure-based rates), treatment-emergent
    adverse events by SOC/PT, grade, relatedness, seriousness, outcome; listings; infusion.
    """
    input:
        adsl=f"{RESULTS}/{{cohort}}/adam/adsl.csv",
        adlb=f"{RESULTS}/{{cohort}}/adam/adlb.csv",
        adae=f"{RESULTS}/{{cohort}}/adam/adae.csv",
        adhypo=f"{RESULTS}/{{cohort}}/adam/adhypo.csv",
    output:
        **{name: f"{RESULTS}/{{cohort}}/stats/{name}.csv" for name in SAFETY_TABLES},
    log:
        f"{RESULTS}/{{cohort}}/logs/safety.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/safety.tsv"
    conda:
        "../../envs/environment.yaml"
    params:
        periods=lambda wc: cohort_config(wc)["analysis"]["hypo_periods"],
    script:
        "../scripts/safety.py"


rule exploratory_tests:
    """Single-arm cohorts: Friedman across visits and exact Wilcoxon, labelled exploratory."""
    input:
        adeff=f"{RESULTS}/{{cohort}}/adam/adeff.csv",
    output:
        f"{RESULTS}/{{cohort}}/stats/exploratory_tests.csv",
    log:
        f"{RESULTS}/{{cohort}}/logs/exploratory_tests.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/exploratory_tests.tsv"
    conda:
        "../../envs/environment.yaml"
    params:
        comparison_visit=lambda wc: cohort_config(wc)["analysis"]["comparison_visit"],
    script:
        "../scripts/exploratory_tests.py"


rule randomised_analysis:
    """Randomised cohorts: ANCOVA of log(CPAUC + 1), mixed model, remission by arm."""
    input:
        adsl=f"{RESULTS}/{{cohort}}/adam/adsl.csv",
        adeff=f"{RESULTS}/{{cohort}}/adam/adeff.csv",
    output:
        **{name: f"{RESULTS}/{{cohort}}/stats/{name}.csv" for name in RANDOMISED_TABLES},
    log:
        f"{RESULTS}/{{cohort}}/logs/randomised_analysis.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/randomised_analysis.tsv"
    conda:
        "../../envs/environment.yaml"
    params:
        comparison_visit=lambda wc: cohort_config(wc)["analysis"]["comparison_visit"],
        population=lambda wc: cohort_config(wc)["analysis"]["population"],
    script:
        "../scripts/randomised_analysis.py"
