"""plmsc.provenance: raw-file hashes under date-free labels, versions, git state, rendering."""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess

from conftest import PHASE1_RAW, REPO

from plmsc.manifest import read_manifest
from plmsc.provenance import (
    KEY_PACKAGES,
    NOT_INSTALLED,
    build_provenance,
    git_state,
    package_versions,
    raw_file_hashes,
    summary_html,
    to_json,
)

GIT = {"commit": "0" * 40, "dirty": False}


def test_package_versions_of_the_key_packages():
    versions = package_versions()
    assert list(versions) == list(KEY_PACKAGES)
    assert versions["pandas"] == importlib.metadata.version("pandas")
    assert package_versions(["no-such-package-xyz"]) == {"no-such-package-xyz": NOT_INSTALLED}


def test_raw_file_hashes_use_date_free_labels():
    hashes = raw_file_hashes(PHASE1_RAW)
    assert sorted(hashes.values()) == sorted(read_manifest(PHASE1_RAW).values())
    assert "lis/LIS_EXPORT_#1.csv" in hashes and "redcap/PLMSCT1D_DATA_#1.csv" in hashes
    assert "MANIFEST.sha256" not in hashes
    assert not any(re.search(r"\d{4}-?\d{2}-?\d{2}", label) for label in hashes)  # no pull dates


def test_git_state_of_the_repository_and_outside_one(tmp_path):
    state = git_state(REPO)
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True)
    assert state["commit"] == head.stdout.decode().strip()
    assert isinstance(state["dirty"], bool)
    assert git_state(tmp_path) == {"commit": "unknown", "dirty": None}


def test_git_state_sees_a_changed_tracked_file(tmp_path):
    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t", *args],
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    (tmp_path / "a.txt").write_text("1")
    git("add", "a.txt")
    git("commit", "-q", "-m", "one")
    (tmp_path / "untracked.txt").write_text("x")
    assert git_state(tmp_path)["dirty"] is False
    (tmp_path / "a.txt").write_text("2")
    assert git_state(tmp_path)["dirty"] is True


def test_provenance_json_is_deterministic(phase1_config):
    a = to_json(build_provenance("phase1", phase1_config, PHASE1_RAW, GIT))
    b = to_json(build_provenance("phase1", phase1_config, PHASE1_RAW, GIT))
    assert a == b and a.endswith("}\n")
    record = json.loads(a)
    keys = ["cohort", "config", "decisions", "git", "packages", "python", "raw_files"]
    assert sorted(record) == keys
    phase1_config["simulation"]["first_infusion"] = "<date withheld>"
    assert record["config"] == phase1_config
    assert list(record["packages"]) == sorted(KEY_PACKAGES)  # keys sorted in the text


def test_summary_html_shows_commit_versions_and_files_escaped(phase1_config):
    record = build_provenance("<b>x</b>", phase1_config, PHASE1_RAW, {**GIT, "dirty": True})
    page = summary_html(record)
    assert page.startswith('<section class="provenance">') and page.endswith("</section>\n")
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert "0" * 40 in page and "uncommitted changes" in page
    assert "pandas" in page and "lis/LIS_EXPORT_#1.csv" in page
    first_pull = sorted(read_manifest(PHASE1_RAW))[0]  # lis/LIS_EXPORT_<date>.csv
    assert first_pull.startswith("lis/") and read_manifest(PHASE1_RAW)[first_pull] in page


def test_calendar_dates_in_the_config_are_withheld():
    from plmsc.provenance import withhold_dates

    cfg = {"simulation": {"first_infusion": "2019-04-15", "seed": 1904}, "visits": ["Month 1"]}
    assert withhold_dates(cfg) == {
        "simulation": {"first_infusion": "<date withheld>", "seed": 1904},
        "visits": ["Month 1"],
    }


def test_the_decisions_file_is_hashed(tmp_path, phase1_config):
    from plmsc.manifest import sha256_file

    path = tmp_path / "decisions.csv"
    path.write_text("source,file\n", encoding="utf-8")
    phase1_config["decisions"] = str(path)
    record = build_provenance("phase1", phase1_config, PHASE1_RAW, GIT)
    assert record["decisions"] == {"path": str(path), "sha256": sha256_file(path)}
    del phase1_config["decisions"]
    assert build_provenance("phase1", phase1_config, PHASE1_RAW, GIT)["decisions"] is None
