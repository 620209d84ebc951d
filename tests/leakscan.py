"""Scanning generated files for identifiers and calendar dates.

Text files (CSV, TSV, JSON, logs, HTML, SVG, Markdown, ...) are scanned whole.
Binary files are scanned where they hold text: PNG text chunks (tEXt, zTXt,
iTXt), PDF metadata (the document information dictionary and XMP packet);
images embedded in notebooks and HTML (base64) are decoded and scanned the same
way, the rest of the notebook or page as text. Any other binary file is decoded
as Latin-1 and scanned whole.
"""

from __future__ import annotations

import base64
import io
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

YEAR = r"(?:199\d|20[0-3]\d)"
MONTH = r"(?:0[1-9]|1[0-2])"
DAY = r"(?:0[1-9]|[12]\d|3[01])"
DATE_PATTERNS = {
    "YYYY-MM-DD": re.compile(rf"(?<![0-9A-Za-z]){YEAR}-{MONTH}-{DAY}(?!\d)"),
    "DD/MM/YYYY": re.compile(rf"(?<![0-9A-Za-z/]){DAY}/{MONTH}/{YEAR}(?!\d)"),
    # not inside longer digit or hex runs (SHA-256) nor after a decimal point
    "YYYYMMDD": re.compile(rf"(?<![0-9A-Za-z.]){YEAR}{MONTH}{DAY}(?![0-9A-Za-z])"),
    # PDF date strings, D:YYYYMMDDHHmmSS
    "D:YYYYMMDD": re.compile(rf"D:{YEAR}{MONTH}{DAY}"),
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_DATA_URI = re.compile(r"data:image/(?:png|jpeg);base64,([A-Za-z0-9+/=\s]+)")
_PDF_INFO = re.compile(
    rb"/(?:Title|Author|Subject|Keywords|Creator|Producer|CreationDate|ModDate)\s*\(([^)]*)\)"
)
_XMP = re.compile(rb"<x:xmpmeta.*?</x:xmpmeta>", re.S)


@dataclass(frozen=True)
class Finding:
    file: str
    kind: str
    value: str


def identifiers(raw_dirs: Iterable[Path]) -> dict[str, set[str]]:
    """MRNs, name parts and dates of birth (DD/MM/YYYY and YYYY-MM-DD) of raw folders."""
    mrns: set[str] = set()
    names: set[str] = set()
    dobs: set[str] = set()
    for raw in raw_dirs:
        for p in sorted((raw / "lis").glob("*.csv")):
            lis = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            mrns |= set(lis["MRN"])
            dobs |= set(lis["DOB"])
            for name in lis["PATIENT_NAME"].unique():
                names |= {part for part in name.replace(",", " ").split() if len(part) >= 3}
        for p in sorted((raw / "redcap").glob("*_DATA_*.csv")):
            rc = pd.read_csv(p, dtype=str, keep_default_na=False)
            mrns |= set(rc["mrn"])
            dobs |= set(rc["dob"])
    dobs |= {"/".join(reversed(d.split("-"))) for d in dobs if "-" in d}
    dobs |= {"-".join(reversed(d.split("/"))) for d in dobs if "/" in d}
    return {"mrn": mrns - {""}, "name": names, "dob": dobs - {""}}


def png_text(data: bytes) -> str:
    """Keywords and text of a PNG's tEXt, zTXt and iTXt chunks."""
    out: list[str] = []
    pos = len(PNG_SIGNATURE)
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"tEXt":
            out.append(body.decode("latin-1"))
        elif kind == b"zTXt":
            key, _, rest = body.partition(b"\x00")
            out.append(key.decode("latin-1") + " " + zlib.decompress(rest[1:]).decode("latin-1"))
        elif kind == b"iTXt":
            key, _, rest = body.partition(b"\x00")
            compressed, rest = rest[0], rest[2:]
            _lang, _, rest = rest.partition(b"\x00")
            _tkey, _, text = rest.partition(b"\x00")
            text = zlib.decompress(text) if compressed else text
            out.append(key.decode("latin-1") + " " + text.decode("utf-8", errors="replace"))
        pos += 12 + length
    return "\n".join(out)


def pdf_text(data: bytes) -> str:
    """The PDF's document information strings and XMP metadata."""
    parts = [m.decode("latin-1") for m in _PDF_INFO.findall(data)]
    parts += [m.decode("utf-8", errors="replace") for m in _XMP.findall(data)]
    return "\n".join(parts)


def _embedded(text: str) -> str:
    """Text with base64 images replaced by their own text chunks."""

    def decode(match: re.Match[str]) -> str:
        blob = base64.b64decode(re.sub(r"\s", "", match.group(1)))
        return png_text(blob) if blob.startswith(PNG_SIGNATURE) else ""

    return _DATA_URI.sub(decode, text)


def _notebook_text(node: object, key: str = "") -> Iterator[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield str(k)
            yield from _notebook_text(v, str(k))
    elif isinstance(node, list):
        for v in node:
            yield from _notebook_text(v, key)
    elif isinstance(node, str):
        if key.startswith("image/") and key != "image/svg+xml":
            blob = base64.b64decode(node)
            yield png_text(blob) if blob.startswith(PNG_SIGNATURE) else ""
        else:
            yield _embedded(node)
    else:
        yield str(node)


def zip_text(data: bytes) -> str:
    """The text of each member of a zip container (a DOCX): XML and text decoded, images
    by their text chunks; the compressed bytes themselves are noise, not text."""
    out: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in sorted(archive.namelist()):
            member = archive.read(name)
            out.append(name)
            if member.startswith(PNG_SIGNATURE):
                out.append(png_text(member))
            else:
                out.append(member.decode("utf-8", errors="replace"))
    return "\n".join(out)


def searchable_text(path: Path) -> str:
    """The text of a generated file that identifiers could hide in (module docstring)."""
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        return zip_text(data)
    if data.startswith(PNG_SIGNATURE):
        return png_text(data)
    if data.startswith(b"%PDF"):
        return pdf_text(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")
    if path.suffix == ".ipynb":
        return "\n".join(_notebook_text(json.loads(text)))
    return _embedded(text)


def scan(
    root: Path, ids: dict[str, set[str]], allowed_dates: dict[str, set[str]] | None = None
) -> list[Finding]:
    """Every identifier or calendar date in the files under ``root``.

    ``allowed_dates`` maps a file name to date strings it may hold (e.g. values of
    the configuration written into provenance.json).
    """
    patterns = {
        "mrn": re.compile(r"(?<![\d.])(?:" + "|".join(map(re.escape, ids["mrn"])) + r")(?!\d)"),
        "name": re.compile(
            r"(?<![A-Za-z])(?:" + "|".join(map(re.escape, ids["name"])) + r")(?![A-Za-z])"
        ),
        "dob": re.compile("|".join(map(re.escape, ids["dob"]))),
    }
    findings: list[Finding] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        text = searchable_text(path)
        rel = path.relative_to(root).as_posix()
        allowed = (allowed_dates or {}).get(path.name, set())
        for kind, pattern in patterns.items():
            findings += [Finding(rel, kind, m) for m in sorted(set(pattern.findall(text)))]
        for kind, pattern in DATE_PATTERNS.items():
            hits = sorted(set(pattern.findall(text)) - allowed)
            findings += [Finding(rel, kind, m) for m in hits]
    return findings
