"""Bad raw inputs (tests/bad_inputs): each stops ingestion with a clear error, or is
handled as documented. Run in-process on a damaged copy of the phase 1 exports."""

from __future__ import annotations

import subprocess
import sys
from copy import deepcopy
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from bad_inputs.cases import CASES
from bad_inputs.helpers import Handled, Raises, copy_raw
from conftest import PHASE1_RAW, REPO

from plmsc.config import validate_config
from plmsc.ingest import AdamDatasets, InputError, build_adam, write_adam
from plmsc.manifest import verify_manifest, write_manifest


def identifiers(raw: Path) -> set[str]:
    """MRNs, name parts and dates of birth (both formats) of a raw folder."""
    lis = pd.concat(
        pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        for p in sorted((raw / "lis").glob("*.csv"))
    )
    rc = pd.read_csv(next((raw / "redcap").glob("*_DATA_*.csv")), dtype=str, keep_default_na=False)
    found = set(lis["MRN"]) | set(lis["DOB"]) | set(rc["mrn"]) | set(rc["dob"])
    found |= {"/".join(reversed(d.split("-"))) for d in rc["dob"] if d}
    found |= {p for n in lis["PATIENT_NAME"] for p in n.replace(",", " ").split() if len(p) > 3}
    return found - {""}


@pytest.fixture(scope="module")
def baseline(config) -> AdamDatasets:
    return build_adam(config["cohorts"]["phase1"], PHASE1_RAW)


@pytest.fixture(scope="module")
def secrets() -> set[str]:
    return identifiers(PHASE1_RAW)


def ingest(raw: Path, cfg: dict[str, Any], out: Path) -> AdamDatasets:
    """What the workflow does: manifest check, config validation, ingestion, writing."""
    verify_manifest(raw)
    cohort = validate_config({"cohorts": {"phase1": cfg}})["cohorts"]["phase1"]
    datasets = build_adam(cohort, raw)
    write_adam(datasets, out)
    return datasets


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_bad_input(case, tmp_path, config, baseline, secrets):
    raw = copy_raw(PHASE1_RAW, tmp_path / "raw" / "phase1")
    cfg = deepcopy(config["cohorts"]["phase1"])
    outcome = case(raw, cfg)
    write_manifest(raw)  # received on purpose: the manifest check passes
    out = tmp_path / "results"
    if isinstance(outcome, Handled):
        outcome.check(ingest(raw, cfg, out), baseline)
        assert (out / "qc" / "reconciliation.csv").is_file()
        return
    with pytest.raises(outcome.error) as info:
        ingest(raw, cfg, out)
    err, msg = info.value, str(info.value)
    if outcome.file:
        assert msg.startswith(f"{raw / outcome.file}"), msg
    for words in outcome.words:
        assert words in msg, msg
    for attr, value in outcome.attrs.items():
        assert getattr(err, attr) == value, (attr, msg)
    if isinstance(err, InputError):
        assert err.file == str(raw / outcome.file) and ": expected " in msg
    assert not out.exists(), "no output may be written from a bad input"
    assert not [s for s in secrets if s in msg], f"identifying value quoted: {msg}"


def test_committed_exports_are_untouched():
    """The corpus works on copies: the committed phase 1 folder still matches its manifest."""
    assert all(c.status == "ok" for c in verify_manifest(PHASE1_RAW))


def test_corpus_size():
    assert len(CASES) >= 25


# --- the same cases through the real workflow ------------------------------------------

SNAKEMAKE_CASES = [
    "lis_truncated",
    "redcap_latin1",
    "redcap_visit_in_the_future",
    "config_overlapping_windows",
    "lis_ifcc_value_in_percent_row",
    "config_typo_in_a_key",
]


@pytest.mark.slow
@pytest.mark.parametrize("name", SNAKEMAKE_CASES)
def test_bad_input_stops_the_workflow(name, tmp_path, config):
    (fn,) = [c for c in CASES if c.__name__ == name]
    raw = copy_raw(PHASE1_RAW, tmp_path / "raw" / "phase1")
    cfg = deepcopy(config["cohorts"]["phase1"])
    outcome = fn(raw, cfg)
    write_manifest(raw)
    cfg["raw_dir"] = str(raw)
    extra = tmp_path / "cohort.yaml"
    extra.write_text(yaml.safe_dump({"cohorts": {"phase1": cfg}}))
    results = tmp_path / "results"
    targets = [f"{results}/phase1/qc/reconciliation.csv", f"{results}/phase1/adam/adsl.csv"]
    # targets first: --configfile takes several values
    args = [*targets, "--cores", "2", "--config", f"results_dir={results}"]
    args += [f"simulated_raw_dir={tmp_path / 'sim'}", "--configfile", "config.yaml", str(extra)]
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0
    assert isinstance(outcome, Raises)
    for words in outcome.words:
        assert words in proc.stderr, proc.stderr[-3000:]
    if outcome.file:
        assert f"error in rule ingest: {raw / outcome.file}" in proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    adam = results / "phase1" / "adam"
    assert not adam.exists() or not any(adam.iterdir())
    assert not (results / "phase1" / "qc" / "reconciliation.csv").exists()
