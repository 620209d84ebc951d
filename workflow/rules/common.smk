import sys
from pathlib import Path

from snakemake.utils import min_version

from plmsc.config import ConfigError, validate_config

min_version("9.0")


# The schema (workflow/schemas/config.schema.yaml) and the checks a schema cannot
# express, with the defaults filled in; a problem is one line naming the key.
try:
    config.update(validate_config(config))
except ConfigError as _exc:
    sys.exit(f"Invalid configuration: {_exc}")

RESULTS = config["results_dir"]
SIMULATED_RAW = config["simulated_raw_dir"]
COHORTS = sorted(config["cohorts"])


wildcard_constraints:
    cohort="|".join(COHORTS),


def cohort_config(wildcards):
    """The validated config entry of the rule's cohort."""
    return config["cohorts"][wildcards.cohort]


def simulated_in_workflow(cohort):
    """True when the cohort's exports are simulated by the workflow itself."""
    return config["cohorts"][cohort].get("simulation", {}).get("in_workflow", False)


SIMULATED = [c for c in COHORTS if simulated_in_workflow(c)]


def raw_dir_of(wildcards):
    """The cohort's raw folder: its raw_dir, or <simulated_raw_dir>/<cohort> when simulated."""
    if simulated_in_workflow(wildcards.cohort):
        return f"{SIMULATED_RAW}/{wildcards.cohort}"
    return cohort_config(wildcards)["raw_dir"]


def raw_inputs(wildcards):
    """The raw exports: every file of the folder, so that a changed export reruns the
    DAG, or the folder the simulation rule writes."""
    if simulated_in_workflow(wildcards.cohort):
        return [raw_dir_of(wildcards)]
    raw_dir = Path(raw_dir_of(wildcards))
    return sorted(str(p) for p in raw_dir.rglob("*") if p.is_file())


def decisions_of(wildcards):
    """The cohort's data-management decisions file (a rule input, so that editing it
    reruns ingestion), or nothing when the config has none."""
    return cohort_config(wildcards).get("decisions", [])


ADAM_DATASETS = ["adsl", "adlb", "adae", "adhypo", "advs"]
SAFETY_TABLES = [
    "hypo_by_participant",
    "hypo_rates",
    "ae_overview",
    "ae_by_term",
    "ae_by_grade",
    "ae_by_relatedness",
    "ae_by_seriousness",
    "ae_by_outcome",
    "ae_listing",
    "ae_pretreatment",
    "infusion_listing",
    "infusion_summary",
    "lab_worst_grade",
    "lab_shift",
    "lab_graded_listing",
]


RANDOMISED_TABLES = ["ancova", "trajectories", "remission_by_arm"]
MISSING_DATA_TABLES = ["ancova_mi", "tipping_point"]
POWER_GRID = sorted(config["power"]["grid"])


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
        *expand(f"{RESULTS}/{{cohort}}/qc/deviations.csv", cohort=COHORTS),
        *expand(f"{RESULTS}/{{cohort}}/qc/decisions.csv", cohort=COHORTS),
        *expand(f"{RESULTS}/{{cohort}}/qc/completeness.csv", cohort=COHORTS),
        *expand(f"{RESULTS}/{{cohort}}/provenance.json", cohort=COHORTS),
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
        *expand(
            f"{RESULTS}/{{cohort}}/stats/{{table}}.csv",
            cohort=cohorts_of("randomised"),
            table=RANDOMISED_TABLES,
        ),
        *expand(
            f"{RESULTS}/{{cohort}}/stats/{{table}}.csv",
            cohort=cohorts_of("randomised"),
            table=MISSING_DATA_TABLES,
        ),
        *expand(f"{RESULTS}/{{cohort}}/index.html", cohort=COHORTS),
        *expand(
            f"{RESULTS}/{{cohort}}/dsmb/{{kind}}_report.html",
            cohort=COHORTS,
            kind=["open", "closed"],
        ),
        *(
            [f"{RESULTS}/power/power_curve.csv", f"{RESULTS}/power/sample_size.json"]
            if config["power"]["cohort"] in config["cohorts"]
            else []
        ),
    ]
