"""Building blocks of the bad-input cases: outcomes, and editing a raw copy in place."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from plmsc.ingest import AdamDatasets, InputError
from plmsc.ingest.lis import LIS_COLUMNS

Check = Callable[[AdamDatasets, AdamDatasets], None]


@dataclass(frozen=True)
class Raises:
    """The run stops with ``error``; every item of ``words`` is in the message."""

    error: type[Exception]
    file: str  # path relative to the raw folder ("" for a config error)
    words: tuple[str, ...]
    attrs: dict[str, Any] = field(default_factory=dict)  # InputError attributes


@dataclass(frozen=True)
class Handled:
    """The run succeeds; ``check(datasets, baseline)`` asserts the documented handling."""

    summary: str
    check: Check


Outcome = Raises | Handled
Case = Callable[[Path, dict[str, Any]], Outcome]
CASES: list[Case] = []


def case(fn: Case) -> Case:
    CASES.append(fn)
    return fn


def input_error(file: str, *words: str, **attrs: Any) -> Raises:
    return Raises(InputError, file, words, attrs)


def copy_raw(source: Path, dest: Path) -> Path:
    """A writable copy of a raw folder."""
    shutil.copytree(source, dest)
    for p in dest.rglob("*"):
        if p.is_file():
            p.chmod(0o644)
    return dest


# --- LIS helpers -------------------------------------------------------------------


def pulls(raw: Path) -> list[Path]:
    return sorted((raw / "lis").glob("LIS_EXPORT_*.csv"))


def rel(raw: Path, path: Path) -> str:
    return path.relative_to(raw).as_posix()


def redcap_export(raw: Path) -> Path:
    return next((raw / "redcap").glob("*_DATA_*.csv"))


def trial_mrns(raw: Path) -> set[str]:
    rc = pd.read_csv(redcap_export(raw), dtype=str, keep_default_na=False)
    return set(rc["mrn"]) - {""}


def lis_table(raw: Path) -> pd.DataFrame:
    """Every LIS row with FILE and LINE (no quoted line breaks in these pulls)."""
    frames = []
    for p in pulls(raw):
        df = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        frames.append(df.assign(FILE=p, LINE=range(2, len(df) + 2)))
    return pd.concat(frames, ignore_index=True)


def result_row(raw: Path, test: str | None = None) -> pd.Series:
    """A trial participant's final result that no other row (pull, correction) touches."""
    lis = lis_table(raw)
    minute = lis["SAMPLE_LABEL"].str.extract(r"(-?\d+)", expand=False).fillna("")
    key = lis["ACCESSION"] + "|" + lis["TEST_CODE"] + "|" + minute
    ok = ~key.duplicated(keep=False) & (lis["STATUS"] == "F") & lis["MRN"].isin(trial_mrns(raw))
    if test is not None:
        ok &= lis["TEST_CODE"] == test
    return lis[ok].iloc[0]


def set_lis_cell(path: Path, line: int, column: str, value: str) -> None:
    """Replace one cell of a pull, keeping its bytes otherwise (BOM, CRLF, quoting)."""
    lines = path.read_bytes().split(b"\r\n")
    cells = next(csv.reader([lines[line - 1].decode("utf-8")]))
    cells[LIS_COLUMNS.index(column)] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(cells)
    lines[line - 1] = buf.getvalue().encode("utf-8")
    path.write_bytes(b"\r\n".join(lines))


def lis_cell_case(raw: Path, column: str, value: str, test: str | None = None) -> tuple[str, int]:
    row = result_row(raw, test)
    set_lis_cell(row["FILE"], int(row["LINE"]), column, value)
    return rel(raw, row["FILE"]), int(row["LINE"])


# --- REDCap helpers ----------------------------------------------------------------


def read_rc(raw: Path) -> tuple[list[str], list[list[str]]]:
    with redcap_export(raw).open(encoding="utf-8", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    return header, rows


def write_rc(raw: Path, header: list[str], rows: list[list[str]]) -> None:
    with redcap_export(raw).open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([header, *rows])


def set_rc(raw: Path, record: str, event: str, fld: str, value: str) -> str:
    """Set a field of a record's event row (not a repeat instance); return the file."""
    header, rows = read_rc(raw)
    col = header.index(fld)
    for r in rows:
        if r[0] == record and r[1] == event and r[2] == "":
            r[col] = value
    write_rc(raw, header, rows)
    return rel(raw, redcap_export(raw))


def rc_error(raw: Path, record: str, event: str, fld: str, value: str, *words: str) -> Raises:
    file = set_rc(raw, record, event, fld, value)
    return input_error(
        file,
        f"record {record}",
        f"event {event}",
        f"field {fld}",
        *words,
        record=record,
        event=event,
        field=fld,
    )


def recon_n(ds: AdamDatasets, srcfile: str, reason: str) -> int:
    r = ds.reconciliation
    hit = r[(r["SRCFILE"] == srcfile) & (r["REASON"] == reason)]
    return int(hit["N"].sum())


def randomised(cfg: dict[str, Any]) -> None:
    cfg["design"] = "randomised"


RAND = "record_id,arm,rand_date\nP1-001,MSC,2019-04-20\nP1-002,PLACEBO,2019-04-30\n"
RAND += "P1-003,MSC,2019-05-20\nP1-004,MSC,2019-05-30\n"
