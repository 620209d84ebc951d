"""Phase 2 (randomised): simulated inside the workflow, unblinded and blinded runs."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
import yaml
from article_checks import check_numbers_come_from_keys
from conftest import REPO
from workflow_fixtures import default_run

from plmsc.report import article as A

pytestmark = pytest.mark.slow

TARGETS = [
    "adam/adsl.csv",
    "stats/ancova.csv",
    "stats/trajectories.csv",
    "stats/remission_by_arm.csv",
    "manuscript/article.html",
    "stats/ancova_mi.csv",
    "stats/tipping_point.csv",
    "dsmb/open_report.html",
    "dsmb/closed_report.html",
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
def unblinded():
    """Phase 2 as config.yaml defines it (unblinded): the session's shared default run."""
    return default_run()["results"] / "phase2"


def test_exports_are_simulated_outside_results_and_data_raw(unblinded):
    raw = unblinded.parent.parent / "simulated" / "phase2"
    assert (raw / "randomisation.csv").is_file() and (raw / "MANIFEST.sha256").is_file()
    assert not (REPO / "data" / "raw" / "phase2").exists()
    assert not list(unblinded.rglob("LIS_EXPORT_*.csv"))


def test_unblinded_run_compares_the_arms(unblinded):
    adsl = pd.read_csv(unblinded / "adam" / "adsl.csv")
    # 2:1 permuted blocks within the two age strata: 20 MSC give or take a block's tail
    counts = adsl["ARM"].value_counts().to_dict()
    assert sum(counts.values()) == 30 and 19 <= counts["MSC"] <= 21
    # stratified, two-site phase 2: STRATUM and SITE in ADSL and in the ANCOVA
    assert set(adsl["STRATUM"]) == {"AGE<12", "AGE>=12"}
    assert set(adsl["SITE"]) == {"north", "south"}
    assert (adsl[["ITTFL", "SAFFL"]] == "Y").all().all()
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
    # the blinded article pools the arms and quotes no arm comparison
    numbers, shown = _article_numbers_come_from_keys(out)
    assert "by_arm" not in numbers and ("cpeptide_auc", "median_comparison") in shown
    html = " ".join((out / "manuscript" / "article.html").read_text(encoding="utf-8").split())
    assert "allocation is still blinded" in html and "ANCOVA-adjusted" not in html
    # populations without arms; no arm comparison; the open DSMB report only
    adsl = pd.read_csv(out / "adam" / "adsl.csv")
    assert (adsl["ITTFL"] == "Y").all() and set(adsl["TRT01A"].dropna()) == {"BLINDED"}
    assert adsl["STRATUM"].isna().all()  # the stratum comes with the randomisation list
    # placebo infusions carry no cells: dose and viability would unblind, so they are
    # withheld in ADSL, numbers.json and the article
    assert adsl["DOSE"].isna().all() and adsl["VIABPCT"].isna().all()
    assert numbers["infusion"]["blinded"] is True and "n_cells" not in numbers["infusion"]
    assert "dose withheld while the allocation is blinded" in html
    for name in ("ancova_mi", "tipping_point"):
        assert pd.read_csv(out / "stats" / f"{name}.csv")["STATUS"].tolist() == ["blinded"]
    assert "Not available" in (out / "dsmb" / "closed_report.html").read_text()
    open_report = (out / "dsmb" / "open_report.html").read_text()
    assert "MSC" not in open_report and "PLACEBO" not in open_report


def _article_numbers_come_from_keys(cohort_dir):
    """The phase 2 article: each number of its text from a numbers.json key, also with
    every number perturbed (tests/article_checks.py)."""
    import json

    manuscript = cohort_dir / "manuscript"
    numbers = json.loads((manuscript / "numbers.json").read_text())
    src = REPO / "manuscript"
    sources = A.Sources.from_paths(
        src / "templates", src / "prose" / "phase2", src / "references.bib", manuscript
    )
    return numbers, check_numbers_come_from_keys(numbers, sources, "phase2")


def test_unblinded_article_quotes_the_arm_comparison_from_keys(unblinded):
    numbers, shown = _article_numbers_come_from_keys(unblinded)
    assert set(numbers["n_by_arm"]) == {"MSC", "PLACEBO"}
    for path in [
        ("n_by_arm", "MSC"),
        ("by_arm", "PLACEBO", "cpeptide_auc", "median_comparison"),
        ("arm_comparison", "ancova", "difference_nmol_per_l", "estimate"),
        ("arm_comparison", "ancova", "difference_nmol_per_l", "ci_lo"),
        ("arm_comparison", "ancova", "p"),
        ("missing_data", "mi", "diff_log"),
        ("flow", "arms", 1, "received"),
    ]:
        assert path in shown, path
    html = (unblinded / "manuscript" / "article.html").read_text(encoding="utf-8")
    assert "ANCOVA-adjusted mean C-peptide AUC" in " ".join(html.split())


def test_unblinded_run_has_the_sensitivity_analyses_and_both_dsmb_reports(unblinded):
    mi = pd.read_csv(unblinded / "stats" / "ancova_mi.csv").set_index("METHOD")
    assert mi.loc["multiple imputation (MAR)", "M"] == 20
    # dropout leaves month-12 values missing: MI analyses more participants than observed
    assert (
        mi.loc["multiple imputation (MAR)", "N_ANALYSED"]
        > mi.loc["observed (primary)", "N_ANALYSED"]
    )
    tip = pd.read_csv(unblinded / "stats" / "tipping_point.csv")
    assert tip["DELTA"].iloc[0] == 0
    closed = (unblinded / "dsmb" / "closed_report.html").read_text()
    assert "CLOSED" in closed and "PLACEBO" in closed
    assert "PLACEBO" not in (unblinded / "dsmb" / "open_report.html").read_text()
