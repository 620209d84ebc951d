"""The recorded bytes of the default run: SHA-256 of every output file.

A change meant to make the workflow faster must not change a byte of what it
writes. ``tests/output_hashes.json`` holds the SHA-256 of every file of the
default run (both cohorts and the power simulation) except the timings
(``benchmarks/``), the step logs (``logs/``, library messages vary) and the files
that name the checkout's commit (each cohort's ``provenance.json`` and
``index.html``). ``test_reliability.py`` compares a fresh default run with it.

When an output is meant to change (a new convention, a new table), record the new
bytes and commit them with the change, so that the diff shows which files moved::

    python tests/recorded_outputs.py            # runs the default target, rewrites the record
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # run as a script, not only from pytest
from workflow_fixtures import smk_args, tree_hashes, workdir

RECORD = Path(__file__).with_name("output_hashes.json")
#: Per-cohort files that name the commit of the checkout (and whether it is dirty).
NAMES_THE_COMMIT = ("provenance.json", "index.html")


def recorded(path: Path) -> bool:
    """True for an output whose bytes are recorded (see the module docstring)."""
    parts = path.parts
    if "benchmarks" in parts or "logs" in parts or any(p.startswith(".") for p in parts):
        return False
    return not (len(parts) == 2 and parts[1] in NAMES_THE_COMMIT)


def output_hashes(results: Path) -> dict[str, str]:
    """SHA-256 of every recorded file under ``results``, by relative path."""
    return {rel: digest for rel, digest in tree_hashes(results).items() if recorded(Path(rel))}


def compare(expected: dict[str, str], found: dict[str, str]) -> list[str]:
    """One line per file missing, new or changed."""
    lines = [f"missing: {k}" for k in sorted(expected.keys() - found.keys())]
    lines += [f"new: {k}" for k in sorted(found.keys() - expected.keys())]
    lines += [f"changed: {k}" for k in sorted(expected) if k in found and found[k] != expected[k]]
    return lines


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="plmsc-record-") as tmp:
        results = Path(tmp) / "results"
        proc = subprocess.run(
            smk_args(results, "--cores", "2"), cwd=workdir(Path(tmp) / "work"), text=True
        )
        if proc.returncode != 0:
            return proc.returncode
        hashes = output_hashes(results)
    before = json.loads(RECORD.read_text()) if RECORD.exists() else {}
    RECORD.write_text(json.dumps(hashes, indent=1, sort_keys=True) + "\n")
    for line in compare(before, hashes):
        print(line)
    print(f"{RECORD.name}: {len(hashes)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
