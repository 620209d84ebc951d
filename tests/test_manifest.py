"""SHA-256 manifests: a changed, missing or added raw file is named."""

from __future__ import annotations

import hashlib
import shutil

import pytest
from conftest import PHASE1_RAW

from plmsc.manifest import (
    ManifestError,
    check_manifest,
    main,
    sha256_file,
    source_labels,
    verify_manifest,
    write_manifest,
)


@pytest.fixture()
def raw(tmp_path):
    (tmp_path / "lis").mkdir()
    (tmp_path / "lis" / "LIS_EXPORT_20190301.csv").write_bytes(b"a,b\r\n1,2\r\n")
    (tmp_path / "lis" / "LIS_EXPORT_20190601.csv").write_bytes(b"a,b\r\n3,4\r\n")
    write_manifest(tmp_path)
    return tmp_path


def test_sha256_matches_hashlib(raw):
    path = raw / "lis" / "LIS_EXPORT_20190301.csv"
    assert sha256_file(path) == hashlib.sha256(b"a,b\r\n1,2\r\n").hexdigest()


def test_manifest_lines_are_sha256sum_format(raw):
    lines = (raw / "MANIFEST.sha256").read_text().splitlines()
    first = hashlib.sha256(b"a,b\r\n1,2\r\n").hexdigest()
    second = hashlib.sha256(b"a,b\r\n3,4\r\n").hexdigest()
    assert lines == [
        f"{first}  lis/LIS_EXPORT_20190301.csv",
        f"{second}  lis/LIS_EXPORT_20190601.csv",
    ]


def test_unchanged_folder_verifies(raw):
    assert [c.status for c in verify_manifest(raw)] == ["ok", "ok"]


def test_changed_file_is_named(raw):
    (raw / "lis" / "LIS_EXPORT_20190601.csv").write_bytes(b"a,b\r\n3,5\r\n")
    with pytest.raises(ManifestError, match=r"LIS_EXPORT_20190601\.csv: checksum differs"):
        verify_manifest(raw)


def test_missing_and_unlisted_files_are_named(raw):
    (raw / "lis" / "LIS_EXPORT_20190301.csv").unlink()
    (raw / "lis" / "LIS_EXPORT_20190901.csv").write_bytes(b"x")
    status = {c.relpath: c.status for c in check_manifest(raw)}
    assert status == {
        "lis/LIS_EXPORT_20190301.csv": "missing",
        "lis/LIS_EXPORT_20190601.csv": "ok",
        "lis/LIS_EXPORT_20190901.csv": "not in manifest",
    }


def test_missing_manifest_is_an_error(tmp_path):
    with pytest.raises(ManifestError, match="manifest not found"):
        verify_manifest(tmp_path)


def test_malformed_manifest_names_the_line(raw):
    (raw / "MANIFEST.sha256").write_text("abc  lis/x.csv\n")
    with pytest.raises(ManifestError, match="line 1: expected '<sha256>  <relative path>'"):
        verify_manifest(raw)


def test_command_line_exit_codes(raw, capsys):
    assert main(["verify", str(raw)]) == 0
    (raw / "lis" / "LIS_EXPORT_20190301.csv").write_bytes(b"changed")
    assert main(["verify", str(raw)]) == 1
    assert "LIS_EXPORT_20190301.csv: checksum differs" in capsys.readouterr().err


def test_committed_phase1_matches_its_manifest():
    checks = verify_manifest(PHASE1_RAW)
    assert len(checks) == 8  # six LIS pulls, the REDCap data export and its dictionary


def test_source_labels_drop_the_dates():
    labels = source_labels(
        [
            "lis/LIS_EXPORT_20190601.csv",
            "lis/LIS_EXPORT_20190301.csv",
            "redcap/PLMSCT1D_DATA_2020-05-01_1042.csv",
            "redcap/PLMSCT1D_DataDictionary_2020-05-01.csv",
            "randomisation.csv",
        ]
    )
    assert labels == {
        "lis/LIS_EXPORT_20190301.csv": "lis/LIS_EXPORT_#1.csv",
        "lis/LIS_EXPORT_20190601.csv": "lis/LIS_EXPORT_#2.csv",
        "redcap/PLMSCT1D_DATA_2020-05-01_1042.csv": "redcap/PLMSCT1D_DATA_#1.csv",
        "redcap/PLMSCT1D_DataDictionary_2020-05-01.csv": "redcap/PLMSCT1D_DataDictionary_#1.csv",
        "randomisation.csv": "randomisation.csv",
    }


def test_copy_of_phase1_detects_an_edit(tmp_path):
    copy = tmp_path / "phase1"
    shutil.copytree(PHASE1_RAW, copy)
    target = sorted((copy / "lis").iterdir())[2]
    target.write_bytes(target.read_bytes().replace(b",F,", b",C,", 1))
    with pytest.raises(ManifestError, match=target.name):
        verify_manifest(copy)
