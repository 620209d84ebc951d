from pathlib import Path

from snakemake.utils import min_version, validate

from plmsc.config import check_schedule

min_version("9.0")


validate(config, schema="../schemas/config.schema.yaml")
for _name, _cohort in config["cohorts"].items():
    check_schedule(_name, _cohort)

RESULTS = config["results_dir"]
COHORTS = sorted(config["cohorts"])


wildcard_constraints:
    cohort="|".join(COHORTS),


def cohort_config(wildcards):
    """The validated config entry of the rule's cohort."""
    return config["cohorts"][wildcards.cohort]


def raw_inputs(wildcards):
    """Every file of the cohort's raw folder, so that a changed export reruns the DAG."""
    raw_dir = Path(cohort_config(wildcards)["raw_dir"])
    return sorted(str(p) for p in raw_dir.rglob("*") if p.is_file())


ADAM_DATASETS = ["adsl", "adlb", "adae", "adhypo", "advs"]
SAFETY_TABLES = [
    "hypo_by_participant",
    "hypo_rates",
    "ae_overview",
    "ae_by_term",
    "ae_by_grade",
]


def cohorts_of(design):
    """Cohorts whose design is ``design`` (single_arm or randomised)."""
    return [c for c in COHORTS if config["cohorts"][c]["design"] == design]


def all_targets():
    """Final outputs of every cohort: the default target of `rule all`."""
    return [
        *expand(f"{RESULTS}/{{cohort}}/qc/raw_manifest.csv", cohort=COHORTS),
        *expand(
            f"{RESULTS}/{{cohort}}/adam/{{dataset}}.csv",
            cohort=COHORTS,
            dataset=ADAM_DATASETS,
        ),
        *expand(f"{RESULTS}/{{cohort}}/qc/reconciliation.csv", cohort=COHORTS),
        *expand(f"{RESULTS}/{{cohort}}/adam/adeff.csv", cohort=COHORTS),
        *expand(
            f"{RESULTS}/{{cohort}}/stats/{{table}}.csv",
            cohort=COHORTS,
            table=SAFETY_TABLES,
        ),
        *expand(
            f"{RESULTS}/{{cohort}}/stats/exploratory_tests.csv",
            cohort=cohorts_of("single_arm"),
        ),
    ]
