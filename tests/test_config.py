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
    assert "'third' is not one of ['half', 'limit', 'zero']" in out
    assert "blq" in out
