"""The configuration schema: defaults, and errors that name the bad key."""

from __future__ import annotations

import subprocess
import sys
from copy import deepcopy

import pytest
import yaml
from conftest import REPO

from plmsc.config import ConfigError, load_config, validate_config


def _raw(config: dict) -> dict:
    return deepcopy(config)


def test_defaults_are_filled(tmp_path):
    cohort = yaml.safe_load((REPO / "config.yaml").read_text())["cohorts"]["phase1"]
    del cohort["analysis"]
    cfg = validate_config({"cohorts": {"c": cohort}})
    analysis = cfg["cohorts"]["c"]["analysis"]
    assert analysis == {
        "blq": "half",
        "mmtt_start": "zero",
        "missing_draw": "missing",
        "remission_idaa1c": 9,
        "hypo_periods": [
            {"name": "Days 0-30", "from": 0, "to": 30},
            {"name": "Days 31-90", "from": 31, "to": 90},
            {"name": "Days 91-180", "from": 91, "to": 180},
            {"name": "Days 181-365", "from": 181, "to": 365},
        ],
        "comparison_visit": "Month 12",
        "wilcoxon_zero_method": "pratt",
        "population": "ITT",
        "per_protocol": {"mmtt_window_days": 14, "deviations": []},
        "missing_data": {
            "imputations": 20,
            "seed": 4711,
            "tipping_step": 0.1,
            "tipping_max": 2.0,
            "alpha": 0.05,
        },
        "antibody_cutoffs": {"GADA": 10, "ZNT8A": 15, "IA2A": 7.5},
    }
    assert cfg["results_dir"] == "results"


@pytest.mark.parametrize(
    ("mutate", "named"),
    [
        (
            lambda c: c["cohorts"]["phase1"]["analysis"].update(blq="third"),
            "cohorts/phase1/analysis/blq",
        ),
        (lambda c: c["cohorts"]["phase1"].update(desing="single_arm"), "cohorts/phase1"),
        (lambda c: c["cohorts"]["phase1"].update(design="crossover"), "cohorts/phase1/design"),
        (
            lambda c: c["cohorts"]["phase1"]["schedule"][2].update(day="seven"),
            "cohorts/phase1/schedule/2/day",
        ),
        (
            lambda c: c["cohorts"]["phase1"]["schedule"][2].update(window=[4]),
            "cohorts/phase1/schedule/2/window",
        ),
        (
            lambda c: c["cohorts"]["phase1"]["analysis"]["antibody_cutoffs"].update(GADA=0),
            "antibody_cutoffs/GADA",
        ),
        (lambda c: c["cohorts"]["phase1"].pop("raw_dir"), "cohorts/phase1"),
    ],
)
def test_bad_key_is_named(mutate, named):
    cfg = yaml.safe_load((REPO / "config.yaml").read_text())
    mutate(cfg)
    with pytest.raises(ConfigError, match=named):
        validate_config(cfg)


def test_overlapping_windows_are_refused():
    cfg = yaml.safe_load((REPO / "config.yaml").read_text())
    cfg["cohorts"]["phase1"]["schedule"][3]["window"] = [10, 17]  # Week 2 overlaps Week 1 [4, 10]
    with pytest.raises(
        ConfigError, match=r"windows of 'Week 1' \[4, 10\] and 'Week 2' \[10, 17\] overlap"
    ):
        validate_config(cfg)


def test_window_must_hold_its_target_day():
    cfg = yaml.safe_load((REPO / "config.yaml").read_text())
    cfg["cohorts"]["phase1"]["schedule"][5]["window"] = [31, 37]  # Month 1, target day 30
    with pytest.raises(ConfigError, match="does not contain its target day 30"):
        validate_config(cfg)


def test_assessment_at_unknown_visit_is_refused():
    cfg = yaml.safe_load((REPO / "config.yaml").read_text())
    cfg["cohorts"]["phase1"]["assessments"]["mmtt"].append("Month 18")
    with pytest.raises(ConfigError, match=r"assessments/mmtt': unknown visits \['Month 18'\]"):
        validate_config(cfg)


def test_extra_configfile_adds_a_cohort(tmp_path):
    extra = yaml.safe_load((REPO / "config.yaml").read_text())["cohorts"]["phase1"]
    extra["raw_dir"] = "data/raw/other"
    path = tmp_path / "other.yaml"
    path.write_text(yaml.safe_dump({"cohorts": {"other": extra}}))
    cfg = load_config(REPO / "config.yaml", path)
    assert sorted(cfg["cohorts"]) == ["other", "phase1", "phase2"]
    assert cfg["cohorts"]["other"]["raw_dir"] == "data/raw/other"


def test_snakemake_refuses_a_bad_config_naming_the_key(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"cohorts": {"phase1": {"analysis": {"blq": "third"}}}}))
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile", str(bad)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    expected = (
        "Invalid configuration: config key 'cohorts/phase1/analysis/blq': 'third' is not one "
        "of the allowed values half, limit, zero"
    )
    assert expected in out
    # one line of its own, no schema dump (snakemake adds one line about the config file)
    assert len(out.strip().splitlines()) <= 2, out
    assert "Traceback" not in out and "$schema" not in out


# --- one-line messages for typos --------------------------------------------------


def _phase1(cfg: dict) -> dict:
    return cfg["cohorts"]["phase1"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        # unknown key, a near miss of 'design'
        (
            lambda c: _phase1(c).update(desing="single_arm"),
            "config key 'cohorts/phase1/desing': unknown key; allowed here: description, profiles, "
            "raw_dir, design, arm, redcap_project, schedule, assessments, analysis, decisions, "
            "plausibility, simulation; did you mean 'design'?",
        ),
        # unknown top-level key
        (
            lambda c: c.update(result_dir="out"),
            "config key 'result_dir': unknown key; allowed here: cohorts, results_dir, "
            "simulated_raw_dir, power; did you mean 'results_dir'?",
        ),
        # bad enum, a near miss
        (
            lambda c: _phase1(c)["analysis"].update(blq="hlaf"),
            "config key 'cohorts/phase1/analysis/blq': 'hlaf' is not one of the allowed values "
            "half, limit, zero; did you mean 'half'?",
        ),
        # bad enum, nothing close
        (
            lambda c: _phase1(c).update(design="crossover"),
            "config key 'cohorts/phase1/design': 'crossover' is not one of the allowed values "
            "single_arm, randomised",
        ),
        # wrong type
        (
            lambda c: _phase1(c)["schedule"][2].update(day="seven"),
            "config key 'cohorts/phase1/schedule/2/day': expected integer, found a string 'seven'",
        ),
        (
            lambda c: _phase1(c)["analysis"].update(remission_idaa1c=[9]),
            "config key 'cohorts/phase1/analysis/remission_idaa1c': expected number, found a "
            "list [9]",
        ),
        # missing key
        (
            lambda c: _phase1(c).pop("schedule"),
            "config key 'cohorts/phase1': missing required key 'schedule'",
        ),
        # an unknown test code, a near miss (keys checked by the schema's propertyNames)
        (
            lambda c: _phase1(c).update(plausibility={"lab": {"HBA1": {"%": [3, 20]}}}),
            "config key 'cohorts/phase1/plausibility/lab/HBA1': unknown key; allowed here: CPEP, "
            "GLU, HBA1C, GADA, ZNT8A, IA2A, ALT, AST, CREAT, WBC, PLT, HGB; did you mean 'HBA1C'?",
        ),
        (
            lambda c: _phase1(c).update(plausibility={"lab": {"HBA1C": {"mmol/mo": [9, 195]}}}),
            "config key 'cohorts/phase1/plausibility/lab/HBA1C/mmol/mo': unknown unit of HBA1C; "
            "allowed here: %, mmol/mol; did you mean 'mmol/mol'?",
        ),
        (
            lambda c: _phase1(c).update(plausibility={"lab": {"HBA1C": {"%": [20, 3]}}}),
            "config key 'cohorts/phase1/plausibility/lab/HBA1C/%': low 20 is above high 3",
        ),
        (
            lambda c: _phase1(c).update(decisions="data/raw/phase1/decisions.csv"),
            "config key 'cohorts/phase1/decisions': 'data/raw/phase1/decisions.csv' is under "
            "data/raw",
        ),
    ],
)
def test_config_errors_are_one_line(mutate, message):
    cfg = yaml.safe_load((REPO / "config.yaml").read_text())
    mutate(cfg)
    with pytest.raises(ConfigError) as info:
        validate_config(cfg)
    assert str(info.value).startswith(message), str(info.value)
    assert "\n" not in str(info.value)


def test_plausibility_defaults():
    cfg = validate_config(yaml.safe_load((REPO / "config.yaml").read_text()))
    assert cfg["cohorts"]["phase1"]["plausibility"] == {"hypo_glucose_max_mgdl": 600}


def test_defaults_come_from_the_schema_only():
    from plmsc.config import analysis_with_defaults, cohort_with_defaults

    # An empty analysis block gets every default of the schema; a given value stays.
    analysis = analysis_with_defaults({"blq": "zero"})
    assert analysis["blq"] == "zero"
    assert analysis["mmtt_start"] == "zero" and analysis["missing_draw"] == "missing"
    assert analysis["remission_idaa1c"] == 9 and analysis["comparison_visit"] == "Month 12"
    assert analysis["antibody_cutoffs"] == {"GADA": 10, "ZNT8A": 15, "IA2A": 7.5}
    cohort = cohort_with_defaults({"design": "single_arm"})
    assert cohort["arm"] == "PLMSC"
    assert cohort["plausibility"]["hypo_glucose_max_mgdl"] == 600
    # the input is not changed
    given = {"design": "single_arm"}
    cohort_with_defaults(given)
    assert given == {"design": "single_arm"}


def test_no_module_recodes_a_config_default():
    # `.get("<key>", <default>)` on a config block would be a second source of defaults.
    import re
    from pathlib import Path

    keys = "blq|mmtt_start|missing_draw|remission_idaa1c|comparison_visit|population|arm"
    pattern = re.compile(rf"\.get\(\s*\"({keys})\"\s*,")
    src = Path(__file__).resolve().parents[1] / "src" / "plmsc"
    found = [
        f"{p.relative_to(src)}: {m.group(0)}"
        for p in src.rglob("*.py")
        for m in pattern.finditer(p.read_text(encoding="utf-8"))
    ]
    assert not found, found


def test_schema_reads_the_same_with_libyaml_and_pure_python():
    # Start-up reads the schema with libyaml when PyYAML has it; the data, and so every
    # default, must be what the reference (pure-Python) loader reads.
    from plmsc.config import SCHEMA_PATH, _resolve_refs, _schema

    text = SCHEMA_PATH.read_text(encoding="utf-8")
    assert _schema() == _resolve_refs(yaml.load(text, Loader=yaml.SafeLoader))
    assert _schema()["$defs"]["cohort"]["properties"]["analysis"]  # a real, nested schema


def test_cohort_settings_reach_the_rules_unchanged():
    # common.smk's cohort_setting() replaces Snakemake's lookup(dpath=...): the value a
    # job receives is the validated config's, key for key.
    ns: dict = {"config": {"cohorts": {"phase1": {"analysis": {"blq": "half_lloq"}}}}}
    src = (REPO / "workflow" / "rules" / "common.smk").read_text(encoding="utf-8")
    start = src.index("def cohort_setting")
    exec(src[start : src.index("\ndef ", start + 1)], ns)  # the helper alone

    class Wildcards:
        cohort = "phase1"

    assert ns["cohort_setting"]("analysis", "blq")(Wildcards) == "half_lloq"
    assert ns["cohort_setting"]("analysis")(Wildcards) == {"blq": "half_lloq"}
    with pytest.raises(KeyError):
        ns["cohort_setting"]("analysis", "nothing")(Wildcards)
