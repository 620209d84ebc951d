from plmsc.provenance import git_state

# Computed where the workflow is defined; as a param, a new commit or a change of
# the working copy reruns the rule, so provenance.json never describes old code.
GIT_STATE = git_state(workflow.basedir)


rule provenance:
    """Raw-file and decisions-file SHA-256s, package versions, git commit and effective
    config of a cohort."""
    input:
        manifest=rules.verify_raw_manifest.output[0],
        raw=raw_inputs,
        decisions=decisions_of,
    output:
        f"{RESULTS}/{{cohort}}/provenance.json",
    log:
        f"{RESULTS}/{{cohort}}/logs/provenance.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/provenance.tsv"
    conda:
        "../../envs/environment.yaml"
    params:
        cohort=cohort_config,
        raw_dir=raw_dir_of,
        git=GIT_STATE,
    script:
        "../scripts/provenance.py"
