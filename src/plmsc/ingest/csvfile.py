"""Reading raw CSV exports defensively: empty files, encodings, broken rows.

Every raw CSV goes through these checks before its content is interpreted, so
that a damaged file stops ingestion with an :class:`InputError` naming the file
and line rather than a parser traceback:

- an empty file (0 bytes);
- a file that is not UTF-8: UTF-16 (byte-order mark or NUL bytes), or bytes that
  are not valid UTF-8 (a Latin-1 / Windows-1252 export), reported at their line
  and column;
- a row with more or fewer fields than the header (a truncated file, a line cut
  in the middle, a stray comma or quote).

The fast path costs one UTF-8 decode and one vectorised test for missing cells;
the row-by-row scan runs only once a problem is known to exist.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from plmsc.ingest.errors import InputError

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def check_bytes(data: bytes, name: str) -> None:
    """Raise InputError for an empty file or a UTF-16 file."""
    if not data:
        raise InputError(name, "", "a CSV export with a header row; the file is empty (0 bytes)")
    if data.startswith(UTF16_BOMS) or b"\x00" in data[:4096]:
        raise InputError(
            name, "", "UTF-8 text; the file is UTF-16 (export it again as UTF-8 CSV)", line=1
        )


def decode_utf8(data: bytes, name: str) -> str:
    """The file's text (a UTF-8 byte-order mark is dropped); InputError at the first bad byte.

    The error names the line and the column (from the header) of the offending
    byte. The cell's value is not quoted (it may be a name).
    """
    offset = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0
    try:
        return data[offset:].decode("utf-8")
    except UnicodeDecodeError as exc:
        pos = offset + exc.start
        line = data.count(b"\n", 0, pos) + 1
        start = data.rfind(b"\n", 0, pos) + 1
        header_line = data[offset:].split(b"\n", 1)[0].decode("utf-8", errors="replace")
        header = next(csv.reader([header_line.rstrip("\r")]), [])
        prefix = data[start:pos].decode("utf-8", errors="replace")
        position = len(next(csv.reader([prefix]), [""])) - 1 if prefix else 0
        column = header[position] if line > 1 and 0 <= position < len(header) else ""
        raise InputError(
            name,
            column,
            f"UTF-8 text; byte 0x{data[pos]:02X} is not UTF-8 "
            "(an export in Latin-1 or Windows-1252?)",
            line=line,
        ) from None


def record_lines(text: str) -> tuple[np.ndarray, np.ndarray]:
    """First line (1-based) and field count of every non-blank record, header included."""
    reader = csv.reader(io.StringIO(text, newline=""))
    starts: list[int] = []
    widths: list[int] = []
    start = 1
    for record in reader:
        if record:
            starts.append(start)
            widths.append(len(record))
        start = reader.line_num + 1
    return np.asarray(starts, dtype=np.int64), np.asarray(widths, dtype=np.int64)


def raise_bad_record(text: str, name: str, n_fields: int) -> None:
    """Raise InputError for the first record whose field count differs from ``n_fields``."""
    starts, widths = record_lines(text)
    bad = np.flatnonzero(widths != n_fields)
    if len(bad):
        i = bad[0]
        raise InputError(
            name,
            "",
            f"{n_fields} comma-separated fields, as in the header (a truncated file, a line "
            "cut short, or a stray comma or quote?)",
            line=int(starts[i]),
            found=f"{widths[i]} fields",
        )


def read_csv_text(data: bytes, name: str) -> pd.DataFrame:
    """A checked CSV as text columns (empty cells are empty strings).

    ``data`` are the file's bytes; ``name`` is how messages refer to the file.
    """
    check_bytes(data, name)
    text = decode_utf8(data, name)
    header = next(csv.reader(io.StringIO(text, newline="")), [])
    try:
        df = pd.read_csv(io.StringIO(text, newline=""), dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise InputError(name, "", "a CSV export with a header row", line=1) from None
    except pd.errors.ParserError as exc:
        raise_bad_record(text, name, len(header))
        raise InputError(name, "", "a well-formed CSV file", found=str(exc)) from exc
    if df.isna().to_numpy().any():  # a short row: pandas pads it with NaN
        raise_bad_record(text, name, len(df.columns))
    return df


def read_csv_file(path: Path, display: str | None = None) -> pd.DataFrame:
    """:func:`read_csv_text` of a file."""
    return read_csv_text(Path(path).read_bytes(), display or str(path))
