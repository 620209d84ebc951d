rule endpoints:
    """Analysis datasets -> ADEFF: C-peptide, glycaemic control, autoantibodies."""
    input:
        adlb=rules.ingest.output.adlb,
        advs=rules.ingest.output.advs,
    output:
        adeff=cohort_table("adeff"),
    log:
        f"{RESULTS}/{{cohort}}/logs/endpoints.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/endpoints.tsv"
    conda:
        "../../envs/environment.yaml"
    params:
        analysis=cohort_setting("analysis"),
    script:
        "../scripts/endpoints.py"


rule safety:
    """Hypoglycaemia by ADA level and period (exposure-based rates), treatment-emergent
    adverse events by SOC/PT, grade, relatedness, seriousness, outcome; listings; infusion.
    """
    input:
        adsl=cohort_table("adsl"),
        adlb=cohort_table("adlb"),
        adae=cohort_table("adae"),
        adhypo=cohort_table("adhypo"),
    output:
        **{name: cohort_table(name) for name in SAFETY_TABLES},
    log:
        f"{RESULTS}/{{cohort}}/logs/safety.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/safety.tsv"
    conda:
        "../../envs/environment.yaml"
    params:
        periods=cohort_setting("analysis", "hypo_periods"),
    script:
        "../scripts/safety.py"


rule exploratory_tests:
    """Single-arm cohorts: Friedman across visits and exact Wilcoxon, labelled exploratory."""
    input:
        adeff=rules.endpoints.output.adeff,
    output:
        cohort_table("exploratory_tests"),
    log:
        f"{RESULTS}/{{cohort}}/logs/exploratory_tests.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/exploratory_tests.tsv"
    conda:
        "../../envs/environment.yaml"
    params:
        comparison_visit=cohort_setting("analysis", "comparison_visit"),
        zero_method=cohort_setting("analysis", "wilcoxon_zero_method"),
    script:
        "../scripts/exploratory_tests.py"


rule randomised_analysis:
    """Randomised cohorts: ANCOVA of log(CPAUC + 1), mixed model, remission by arm."""
    input:
        adsl=cohort_table("adsl"),
        adeff=cohort_table("adeff"),
    output:
        **{name: cohort_table(name) for name in RANDOMISED_TABLES},
    log:
        f"{RESULTS}/{{cohort}}/logs/randomised_analysis.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/randomised_analysis.tsv"
    conda:
        "../../envs/environment.yaml"
    params:
        comparison_visit=cohort_setting("analysis", "comparison_visit"),
        population=cohort_setting("analysis", "population"),
    script:
        "../scripts/randomised_analysis.py"
