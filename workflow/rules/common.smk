import sys
from pathlib import Path

from snakemake.utils import min_version

from plmsc.config import ConfigError, validate_config
from plmsc.snakemake_startup import compare_params_without_importing_pandas
from plmsc.report.catalogue import (
    ADAM_DATASETS,
    MISSING_DATA_TABLES,
    QC_TABLES,
    RANDOMISED_TABLES,
    SAFETY_TABLES,
    cohort_csv,
)

min_version("9.0")

# A run with nothing to do should not import pandas (docs/performance.md).
compare_params_without_importing_pandas()


# The schema (workflow/schemas/config.schema.yaml) and the checks a schema cannot
# express, with the defaults filled in; a problem is one line naming the key.
try:
    config.update(validate_config(config))
except ConfigError as _exc:
    sys.exit(f"Invalid configuration: {_exc}")

RESULTS = config["results_dir"]
SIMULATED_RAW = config["simulated_raw_dir"]
COHORTS = sorted(config["cohorts"])
#: A cohort's folder, with the {cohort} wildcard.
COHORT_DIR = f"{RESULTS}/{{cohort}}"


def cohort_table(name):
    """Path pattern of a cohort's table ``name`` (plmsc.report.catalogue.FOLDERS)."""
    return cohort_csv(COHORT_DIR, name)


wildcard_constraints:
    cohort="|".join(COHORTS),


def cohort_config(wildcards):
    """The validated config entry of the rule's cohort."""
    return config["cohorts"][wildcards.cohort]


def cohort_setting(*keys):
    """A params function: the validated config value at cohorts/<cohort>/<keys...>.

    A plain look-up in the validated config (the same value as Snakemake's
    ``lookup(dpath=...)``, whose dpath walk cost about 40 ms of every start-up)."""

    def setting(wildcards):
        value = config["cohorts"][wildcards.cohort]
        for key in keys:
            value = value[key]
        return value

    return setting


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


def cohorts_of(design):
    """Cohorts whose design is ``design`` (single_arm or randomised)."""
    return [c for c in COHORTS if config["cohorts"][c]["design"] == design]


def all_targets():
    """Final outputs of every cohort: the default target of `rule all`."""
    return [
        *[
            path
            for name in [*ADAM_DATASETS, *QC_TABLES, *SAFETY_TABLES]
            for path in expand(cohort_table(name), cohort=COHORTS)
        ],
        *expand(f"{RESULTS}/{{cohort}}/provenance.json", cohort=COHORTS),
        *expand(cohort_table("exploratory_tests"), cohort=cohorts_of("single_arm")),
        *[
            path
            for name in [*RANDOMISED_TABLES, *MISSING_DATA_TABLES]
            for path in expand(cohort_table(name), cohort=cohorts_of("randomised"))
        ],
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
