"""Whole-workflow reliability: interrupted runs, read-only raw data, provenance, no leaks.

One complete run (module fixture) serves as the reference. Runs that are killed
use their own working directory (the Snakefile of the repository, with links to
its config.yaml and data/), so that Snakemake's lock and incomplete-job records
of a killed run stay out of the repository's .snakemake/.

Recovery after an interruption (the documented procedure)::

    snakemake --unlock                        # only after a hard kill (SIGKILL)
    snakemake --cores 2 --rerun-incomplete

Ctrl-C (SIGINT) releases the lock, but jobs that were running keep their
"incomplete" mark, so both cases need ``--rerun-incomplete``: the jobs caught by
the interruption run again, the finished ones are kept. Outputs are written to a
temporary file and renamed, so no half-written file is ever taken for a result.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PHASE1_RAW, REPO
from leakscan import identifiers, scan
from recorded_outputs import RECORD, compare, output_hashes, recorded
from workflow_fixtures import RAW_ROOT, default_run, smk_args, tree_hashes, workdir

from plmsc.config import load_config
from plmsc.manifest import read_manifest, source_labels
from plmsc.provenance import KEY_PACKAGES


def snakemake(cwd: Path, results: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(smk_args(results, *extra), cwd=cwd, capture_output=True, text=True)


def outputs(results: Path) -> dict[str, bytes]:
    """Every result file but the timings (benchmarks/), the step logs (logs/: messages of
    the libraries, which may differ from run to run) and hidden files."""
    return {
        p.relative_to(results).as_posix(): p.read_bytes()
        for p in sorted(results.rglob("*"))
        if p.is_file()
        and "benchmarks" not in p.parts
        and "logs" not in p.parts
        and not any(part.startswith(".") for part in p.relative_to(results).parts)
    }


@pytest.fixture(scope="module")
def full_run() -> dict:
    """A complete run from scratch (the session's shared default run); data/raw hashed
    before it."""
    return default_run()


# --- interrupted runs --------------------------------------------------------------------


def _default_sigint() -> None:
    """In the child before it starts: SIGINT raises KeyboardInterrupt, as in a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_interrupted_run_completes_to_identical_outputs(sig, tmp_path, full_run):
    cwd = workdir(tmp_path / "work")
    results = tmp_path / "results"
    # phase 1 up to its index page and provenance: every kind of rule, half the jobs
    targets = [f"{results}/phase1/index.html", f"{results}/phase1/provenance.json"]
    proc = subprocess.Popen(
        smk_args(results, *targets, "--cores", "2"),
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        # a test run started in the background of a non-interactive shell inherits
        # SIGINT ignored, and Snakemake would then run to its end: interrupt it anyway
        preexec_fn=_default_sigint,
    )
    deadline = time.monotonic() + 120
    while not list(results.glob("*/adam/*.csv")) and time.monotonic() < deadline:
        assert proc.poll() is None, "the run ended before it could be interrupted"
        time.sleep(0.02)
    os.killpg(proc.pid, sig)
    proc.wait(timeout=60)
    reference = outputs(full_run["results"])
    interrupted = outputs(results)
    assert interrupted, "no output existed when the run was interrupted"
    if sig == signal.SIGKILL:
        assert snakemake(cwd, results, "--unlock").returncode == 0
    rerun = snakemake(cwd, results, *targets, "--cores", "2", "--rerun-incomplete")
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    finished = outputs(results)
    assert set(interrupted) < set(finished), "the run was not interrupted before its end"
    assert "phase1/index.html" in finished and "phase1/provenance.json" in finished
    assert set(finished) <= set(reference), set(finished) - set(reference)
    differ = [name for name in finished if finished[name] != reference[name]]
    # the git state is read when the run starts; a commit in between may change it
    if differ == [n for n in differ if n.endswith("provenance.json")]:
        for name in differ:
            a, b = json.loads(finished[name]), json.loads(reference[name])
            a.pop("git"), b.pop("git")
            assert a == b, name
    else:
        pytest.fail(f"outputs differ from an uninterrupted run: {differ}")


# --- raw data are read-only ----------------------------------------------------------


@pytest.mark.slow
def test_default_run_writes_the_recorded_bytes(full_run):
    """Every output but timings, logs and the commit-naming pages has the SHA-256 of
    tests/output_hashes.json: speed-ups change no byte (rerecord on purpose with
    ``python tests/recorded_outputs.py``)."""
    expected = json.loads(RECORD.read_text())
    differences = compare(expected, output_hashes(full_run["results"]))
    assert not differences, "\n".join(differences)


def test_recorded_outputs_leave_out_only_timings_logs_and_commit_pages():
    assert recorded(Path("phase1/adam/adlb.csv"))
    assert recorded(Path("phase1/profiles/index.html"))  # names no commit
    assert recorded(Path("power/power_curve.csv"))
    assert not recorded(Path("phase1/index.html"))
    assert not recorded(Path("phase2/provenance.json"))
    assert not recorded(Path("phase1/logs/ingest.log"))
    assert not recorded(Path("power/benchmarks/power_curve.tsv"))
    assert compare({"a": "1", "b": "2"}, {"b": "3", "c": "4"}) == [
        "missing: a",
        "new: c",
        "changed: b",
    ]


@pytest.mark.slow
def test_full_run_changes_no_raw_file(full_run):
    assert tree_hashes(RAW_ROOT) == full_run["raw_before"]


def test_workflow_declares_no_output_under_data_raw():
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "--summary", "--cores", "1"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = [line.split("\t") for line in proc.stdout.splitlines()[1:] if line.strip()]
    declared = [Path(col).resolve() for row in rows for col in (row[0], row[3]) if col != "-"]
    assert len(declared) > 20
    for path in declared:
        assert not path.is_relative_to(RAW_ROOT.resolve()), path


# --- provenance ----------------------------------------------------------------------


@pytest.mark.slow
def test_provenance_records_inputs_code_environment_config(full_run):
    config = load_config(REPO / "config.yaml")
    prov_path = full_run["results"] / "phase1" / "provenance.json"
    text = prov_path.read_text(encoding="utf-8")
    prov = json.loads(text)
    manifest = read_manifest(PHASE1_RAW)
    labels = source_labels(manifest)
    assert prov["raw_files"] == {labels[rel]: digest for rel, digest in manifest.items()}
    assert set(prov["packages"]) == set(KEY_PACKAGES)
    assert prov["python"] == ".".join(map(str, sys.version_info[:3]))
    head = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    assert prov["git"]["commit"] in {head.stdout.strip(), "unknown"}
    expected = config["cohorts"]["phase1"]
    expected["simulation"]["first_infusion"] = "<date withheld>"  # no calendar date in results
    assert prov["config"] == expected
    assert text == json.dumps(prov, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    phase2 = json.loads((full_run["results"] / "phase2" / "provenance.json").read_text())
    assert "randomisation.csv" in phase2["raw_files"]
    assert not any(re.search(r"\d{8}|\d{4}-\d{2}-\d{2}", k) for k in phase2["raw_files"])


# --- identifiers and calendar dates ----------------------------------------------------


@pytest.mark.slow
def test_no_identifier_or_calendar_date_in_any_output(full_run):
    results = full_run["results"]
    simulated = sorted(p for p in full_run["simulated"].iterdir() if p.is_dir())
    ids = identifiers([PHASE1_RAW, *simulated])
    assert len(ids["mrn"]) > 10 and len(ids["name"]) > 10 and len(ids["dob"]) > 10
    files = [p for p in results.rglob("*") if p.is_file()]
    assert len(files) > 40
    findings = scan(results, ids)
    assert not findings, "\n".join(f"{f.file}: {f.kind} {f.value}" for f in findings[:50])


def test_scan_reads_a_docx_by_its_members(tmp_path):
    import io
    import zipfile

    ids = {"mrn": {"0012345"}, "name": {"Ali"}, "dob": {"01/02/2010"}}
    clean, leaky = io.BytesIO(), io.BytesIO()
    with zipfile.ZipFile(clean, "w", zipfile.ZIP_DEFLATED) as z:
        # 'vertAlign' holds the letters of a name inside a word: not a finding
        z.writestr("word/document.xml", '<w:vertAlign w:val="superscript"/>' * 50)
    with zipfile.ZipFile(leaky, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", "<w:t>Patient Ali</w:t>" * 50)
    (tmp_path / "clean.docx").write_bytes(clean.getvalue())
    (tmp_path / "leaky.docx").write_bytes(leaky.getvalue())
    findings = scan(tmp_path, ids)
    assert [(f.file, f.kind, f.value) for f in findings] == [("leaky.docx", "name", "Ali")]
