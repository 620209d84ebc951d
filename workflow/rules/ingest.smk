rule ingest:
    """Raw LIS pulls and REDCap export, with the cohort's data-management decisions ->
    analysis datasets, the reconciliation and the list of applied decisions."""
    input:
        manifest=f"{RESULTS}/{{cohort}}/qc/raw_manifest.csv",
        raw=raw_inputs,
        decisions=decisions_of,
    output:
        # ADSL before the population flags (rule populations writes adam/adsl.csv)
        adsl=f"{RESULTS}/{{cohort}}/interim/adsl.csv",
        adlb=f"{RESULTS}/{{cohort}}/adam/adlb.csv",
        adae=f"{RESULTS}/{{cohort}}/adam/adae.csv",
        adhypo=f"{RESULTS}/{{cohort}}/adam/adhypo.csv",
        advs=f"{RESULTS}/{{cohort}}/adam/advs.csv",
        reconciliation=f"{RESULTS}/{{cohort}}/qc/reconciliation.csv",
        decisions=f"{RESULTS}/{{cohort}}/qc/decisions.csv",
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
        f"{RESULTS}/{{cohort}}/qc/completeness.csv",
    log:
        f"{RESULTS}/{{cohort}}/logs/completeness.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/completeness.tsv"
    conda:
        "../../envs/environment.yaml"
    params:
        schedule=lookup(dpath="cohorts/{cohort}/schedule", within=config),
        assessments=lookup(dpath="cohorts/{cohort}/assessments", within=config),
    script:
        "../scripts/completeness.py"
