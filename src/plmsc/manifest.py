"""SHA-256 manifests of a cohort's raw folder.

The manifest (``MANIFEST.sha256`` in the raw folder, the format of ``sha256sum``)
is written once when the exports are received; the workflow only verifies it, so
that an edited, added or missing raw file stops the run before anything is derived.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MANIFEST_NAME = "MANIFEST.sha256"
_CHUNK = 1 << 20


class ManifestError(RuntimeError):
    """The raw folder does not match its manifest; the message names the file."""


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def raw_files(raw_dir: Path) -> list[Path]:
    """Every file of a raw folder that the manifest covers: all but the manifest and
    hidden files (such as the marker Snakemake leaves in a folder it wrote)."""
    return sorted(
        p
        for p in Path(raw_dir).rglob("*")
        if p.is_file() and p.name != MANIFEST_NAME and not p.name.startswith(".")
    )


def write_manifest(raw_dir: Path) -> Path:
    """Write ``MANIFEST.sha256`` for every file under ``raw_dir``; return its path."""
    raw_dir = Path(raw_dir)
    lines = [f"{sha256_file(p)}  {p.relative_to(raw_dir).as_posix()}\n" for p in raw_files(raw_dir)]
    out = raw_dir / MANIFEST_NAME
    out.write_text("".join(lines), encoding="utf-8", newline="\n")
    return out


def read_manifest(raw_dir: Path) -> dict[str, str]:
    """Map relative path -> expected SHA-256 from the folder's manifest."""
    path = Path(raw_dir) / MANIFEST_NAME
    if not path.is_file():
        raise ManifestError(f"{path}: manifest not found; expected a sha256sum file")
    entries: dict[str, str] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or not name:
            raise ManifestError(f"{path}, line {lineno}: expected '<sha256>  <relative path>'")
        entries[name] = digest
    return entries


_DATE_IN_NAME = re.compile(r"\d{4}-?\d{2}-?\d{2}(?:_\d{4})?")


def source_labels(relpaths: Iterable[str]) -> dict[str, str]:
    """Date-free labels for raw files: ``lis/LIS_EXPORT_20190601.csv`` -> ``lis/LIS_EXPORT_#2.csv``.

    Export file names carry the pull date, a calendar date that must not reach the
    outputs. Files whose names differ only by that date are numbered in name (that
    is, date) order, so a label still points at exactly one file of the manifest.
    """
    groups: dict[str, list[str]] = {}
    for rel in sorted(set(relpaths)):
        groups.setdefault(_DATE_IN_NAME.sub("#", rel), []).append(rel)
    labels: dict[str, str] = {}
    for pattern, members in groups.items():
        for rank, rel in enumerate(members, start=1):
            labels[rel] = pattern.replace("#", f"#{rank}", 1) if "#" in pattern else rel
    return labels


@dataclass(frozen=True)
class FileCheck:
    relpath: str
    expected: str | None
    actual: str | None

    @property
    def status(self) -> str:
        if self.expected is None:
            return "not in manifest"
        if self.actual is None:
            return "missing"
        return "ok" if self.actual == self.expected else "checksum differs"


def check_manifest(raw_dir: Path) -> list[FileCheck]:
    """Compare every file of ``raw_dir`` with the manifest, one FileCheck per file."""
    raw_dir = Path(raw_dir)
    expected = read_manifest(raw_dir)
    present = {p.relative_to(raw_dir).as_posix(): p for p in raw_files(raw_dir)}
    names = sorted(set(expected) | set(present))
    return [
        FileCheck(
            name,
            expected.get(name),
            sha256_file(present[name]) if name in present else None,
        )
        for name in names
    ]


def verify_manifest(raw_dir: Path) -> list[FileCheck]:
    """Raise ManifestError naming every file that is changed, missing or unlisted."""
    checks = check_manifest(raw_dir)
    bad = [c for c in checks if c.status != "ok"]
    if bad:
        lines = "\n".join(f"  {Path(raw_dir) / c.relpath}: {c.status}" for c in bad)
        raise ManifestError(
            f"raw folder {raw_dir} does not match {MANIFEST_NAME}:\n{lines}\n"
            "Raw exports are read-only; if new exports were received on purpose, "
            f"write a new manifest with: plmsc-manifest write {raw_dir}"
        )
    return checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="plmsc-manifest", description=__doc__)
    parser.add_argument("action", choices=["write", "verify"])
    parser.add_argument("raw_dir", type=Path)
    args = parser.parse_args(argv)
    if args.action == "write":
        print(write_manifest(args.raw_dir))
        return 0
    try:
        checks = verify_manifest(args.raw_dir)
    except ManifestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{len(checks)} files match {args.raw_dir / MANIFEST_NAME}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
