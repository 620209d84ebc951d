rule ingest:
    """Raw LIS pulls and REDCap export, with the cohort's data-management decisions ->
    analysis datasets, the reconciliation and the list of applied decisions."""
    input:
        manifest=rules.verify_raw_manifest.output[0],
        raw=raw_inputs,
        decisions=decisions_of,
    output:
        # ADSL before the population flags (rule populations writes adam/adsl.csv)
        adsl=f"{RESULTS}/{{cohort}}/interim/adsl.csv",
        adlb=cohort_table("adlb"),
        adae=cohort_table("adae"),
        adhypo=cohort_table("adhypo"),
        advs=cohort_table("advs"),
        reconciliation=cohort_table("reconciliation"),
        decisions=cohort_table("decisions"),
    log:
        f"{RESULTS}/{{cohort}}/logs/ingest.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/ingest.tsv"
    conda:
        "../../envs/environment.yaml"
    params:
        cohort=cohort_config,
        raw_dir=raw_dir_of,
    script:
        "../scripts/ingest.py"


rule completeness:
    """Expected versus received assessments per participant and visit (config
    assessments): a missing MMTT, HbA1c or safety panel is counted, not silent."""
    input:
        adsl=rules.ingest.output.adsl,
        adlb=rules.ingest.output.adlb,
    output:
        cohort_table("completeness"),
    log:
        f"{RESULTS}/{{cohort}}/logs/completeness.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/completeness.tsv"
    conda:
        "../../envs/environment.yaml"
    params:
        schedule=cohort_setting("schedule"),
        assessments=cohort_setting("assessments"),
    script:
        "../scripts/completeness.py"
