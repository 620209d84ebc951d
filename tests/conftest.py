"""Shared fixtures: the repository, its config, the committed phase 1 exports."""

from __future__ import annotations

import sys
from copy import deepcopy
from pathlib import Path

import pytest

from plmsc.config import load_config

REPO = Path(__file__).resolve().parents[1]
PHASE1_RAW = REPO / "data" / "raw" / "phase1"
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def config() -> dict:
    return load_config(REPO / "config.yaml")


@pytest.fixture()
def phase1_config(config) -> dict:
    return deepcopy(config["cohorts"]["phase1"])


@pytest.fixture(scope="session")
def randomised_config(config) -> dict:
    """A small randomised cohort on the phase 1 schedule (30 participants, 2:1)."""
    cohort = deepcopy(config["cohorts"]["phase1"])
    cohort["design"] = "randomised"
    cohort["simulation"].update(n=30, seed=7, id_prefix="P2")
    return cohort


@pytest.fixture(scope="session")
def phase1_adam(tmp_path_factory, config) -> dict:
    """The phase 1 analysis datasets, written as CSV and read back as later steps do."""
    from plmsc.adam import read_adam
    from plmsc.ingest import build_adam, write_adam

    out = tmp_path_factory.mktemp("phase1")
    write_adam(build_adam(config["cohorts"]["phase1"], PHASE1_RAW), out)
    return {p.stem: read_adam(p) for p in out.rglob("*.csv")}
