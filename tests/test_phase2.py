"""Phase 2 (randomised): simulated inside the workflow, unblinded and blinded runs."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
import yaml
from conftest import REPO

TARGETS = [
    "adam/adsl.csv",
    "stats/ancova.csv",
    "stats/trajectories.csv",
    "stats/remission_by_arm.csv",
]


def run_phase2(results, extra_config: dict | None = None) -> subprocess.CompletedProcess:
    args = [
        sys.executable,
        "-m",
        "snakemake",
        *(f"{results}/phase2/{t}" for t in TARGETS),
        "--cores",
        "2",
    ]
    args += [
        "--config",
        f"results_dir={results}",
        f"simulated_raw_dir={results.parent / 'simulated'}",
    ]
    if extra_config:
        path = results.parent / "extra.yaml"
        path.write_text(yaml.safe_dump(extra_config))
        args += ["--configfile", str(REPO / "config.yaml"), str(path)]
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True)


@pytest.fixture(scope="module")
def unblinded(tmp_path_factory):
    results = tmp_path_factory.mktemp("unblinded") / "results"
    proc = run_phase2(results)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return results / "phase2"


def test_exports_are_simulated_outside_results_and_data_raw(unblinded):
    raw = unblinded.parent.parent / "simulated" / "phase2"
    assert (raw / "randomisation.csv").is_file() and (raw / "MANIFEST.sha256").is_file()
    assert not (REPO / "data" / "raw" / "phase2").exists()
    assert not list(unblinded.rglob("LIS_EXPORT_*.csv"))


def test_unblinded_run_compares_the_arms(unblinded):
    adsl = pd.read_csv(unblinded / "adam" / "adsl.csv")
    assert adsl["ARM"].value_counts().to_dict() == {"MSC": 20, "PLACEBO": 10}
    ancova = pd.read_csv(unblinded / "stats" / "ancova.csv").iloc[0]
    assert (ancova["TREATED"], ancova["REFERENCE"], ancova["PARAMCD"]) == (
        "MSC",
        "PLACEBO",
        "CPAUCL",
    )
    assert ancova["STATUS"] == "estimated"
    assert ancova["DIFF_LOG_LO"] < ancova["DIFF_LOG"] < ancova["DIFF_LOG_HI"]
    assert ancova["DIFF_NMOL_LO"] < ancova["DIFF_NMOL"] < ancova["DIFF_NMOL_HI"]
    # the simulated MSC arm loses C-peptide more slowly than placebo
    assert ancova["DIFF_LOG"] > 0
    assert ancova["ADJMEAN_TREATED_NMOL"] > ancova["ADJMEAN_REFERENCE_NMOL"]
    traj = pd.read_csv(unblinded / "stats" / "trajectories.csv")
    assert traj["CONVERGED"].all()
    assert "C(ARM, Treatment('PLACEBO'))[T.MSC]:YEAR" in set(traj["TERM"])
    remission = pd.read_csv(unblinded / "stats" / "remission_by_arm.csv")
    assert set(remission["ARM"]) == {"MSC", "PLACEBO"}


def test_blinded_run_pools_the_arms_and_does_not_fail(tmp_path):
    results = tmp_path / "results"
    proc = run_phase2(results, {"cohorts": {"phase2": {"simulation": {"unblinded": False}}}})
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = results / "phase2"
    assert not (tmp_path / "simulated" / "phase2" / "randomisation.csv").exists()
    assert set(pd.read_csv(out / "adam" / "adsl.csv")["ARM"]) == {"BLINDED"}
    assert pd.read_csv(out / "stats" / "ancova.csv")["STATUS"].tolist() == ["blinded"]
    traj = pd.read_csv(out / "stats" / "trajectories.csv")
    assert traj["TERM"].tolist() == ["Intercept", "YEAR"]  # pooled: no arm term
