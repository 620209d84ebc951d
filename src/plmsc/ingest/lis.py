"""Reading and parsing LIS pulls (docs/raw-exports.md, "LIS export").

Every function here is vectorised: values that repeat (dates, result texts,
labels) are parsed once per distinct value and mapped back.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from plmsc.ingest.csvfile import check_bytes, decode_utf8, raise_bad_record
from plmsc.ingest.errors import InputError

LIS_COLUMNS = [
    "MRN",
    "PATIENT_NAME",
    "DOB",
    "SEX",
    "ACCESSION",
    "COLLECTED",
    "TEST_CODE",
    "TEST_NAME",
    "SAMPLE_LABEL",
    "RESULT",
    "UNITS",
    "REF_RANGE",
    "FLAG",
    "STATUS",
    "VERIFIED_AT",
]
LIS_DATETIME = "%d/%m/%Y %H:%M"
LIS_DATE = "%d/%m/%Y"
STATUSES = ("F", "C", "X")
MMTT_MINUTES = (-10, 0, 15, 30, 60, 90, 120)
NON_RESULTS = ("HEMOLYZED", "QNS", "SEE COMMENT")
EMPTY_RESULT = "EMPTY"

RESULT_EXPECTED = (
    "a number with '.' as decimal point (optionally followed by a flag H, L, HH or LL), "
    "'<x', '>x', HEMOLYZED, QNS, SEE COMMENT or empty"
)
_RESULT = re.compile(r"^\s*(?P<q>[<>])?\s*(?P<num>\d+(?:\.\d+)?)\s*(?:HH|LL|H|L)?\s*$")
_MMTT = re.compile(r"^\s*MMTT\s*(?:T\s*)?(?P<min>[+-]?\s*\d+)\s*(?:MIN(?:UTES?)?)?\s*$", re.I)


def _by_unique(values: pd.Series, parse: Callable[[pd.Series], pd.DataFrame]) -> pd.DataFrame:
    """Apply a vectorised ``parse`` to the distinct values only, then map back.

    Categorical input (how :func:`plmsc.ingest.labs.read_lis_pulls` stores the LIS
    columns) is parsed once per category; text results come back categorical, so
    mapping back is an integer take.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        uniques = pd.Series(values.cat.categories, dtype="str")  # text categories: no copy
    else:
        codes, found = pd.factorize(values, use_na_sentinel=False)
        uniques = pd.Series(np.asarray(found, dtype=object), dtype="str")
    parsed = parse(uniques.reset_index(drop=True))
    out = {}
    for col in parsed.columns:
        column = parsed[col]
        if pd.api.types.is_string_dtype(column.dtype):
            out[col] = pd.Categorical(column).take(codes)
        else:
            out[col] = column.to_numpy()[codes]
    return pd.DataFrame(out, index=values.index)


def line_numbers(data: bytes, n_rows: int) -> np.ndarray:
    """1-based file line of each data row (header = line 1).

    One row per line unless a quoted field holds a line break; then the lines are
    counted with the csv module.
    """
    n_breaks = data.count(b"\n")
    ends = data.endswith(b"\n")
    if n_breaks == n_rows + int(ends):
        return np.arange(2, n_rows + 2, dtype=np.int64)
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    next(reader, None)
    starts = [reader.line_num + 1]
    for _ in reader:
        starts.append(reader.line_num + 1)
    return np.asarray(starts[:n_rows], dtype=np.int64)


def _check_lis_header(data: bytes, name: str) -> None:
    """InputError unless the first line is exactly :data:`LIS_COLUMNS`."""
    end = data.find(b"\n")
    header = (
        data[: end if end >= 0 else len(data)].decode("utf-8-sig", errors="replace").strip("\r")
    )
    found = next(csv.reader([header]), [])
    if found != LIS_COLUMNS:
        missing = [c for c in LIS_COLUMNS if c not in found]
        extra = [c for c in found if c not in LIS_COLUMNS]
        detail = "; ".join(
            part
            for part in (
                "missing " + ", ".join(missing) if missing else "",
                "unexpected " + ", ".join(extra) if extra else "",
                "" if missing or extra else "columns out of order",
            )
            if part
        )
        raise InputError(
            name,
            "header",
            f"the LIS columns {','.join(LIS_COLUMNS)} ({detail})",
            line=1,
            found=",".join(found)[:200],
        )


_ARROW_READ = pacsv.ReadOptions(column_names=LIS_COLUMNS, skip_rows=1)
_ARROW_PARSE = pacsv.ParseOptions(newlines_in_values=False)
_ARROW_CONVERT = pacsv.ConvertOptions(
    column_types={c: pa.string() for c in LIS_COLUMNS}, strings_can_be_null=False
)


def read_lis_table(path: Path, display: str | None = None) -> pa.Table:
    """One LIS pull as an Arrow table of text columns plus SRCROW (int64), its file line.

    Parsed by Arrow's multi-threaded CSV reader straight into string columns (no
    Python objects per cell); the header is checked against the column list of
    docs/raw-exports.md, every cell stays text (MRN keeps its leading zeros), empty
    cells are empty strings. An empty, UTF-16 or non-UTF-8 file, or a row with the
    wrong number of fields (a truncated pull), is an InputError naming the line
    (:mod:`plmsc.ingest.csvfile`); a quoted line break, which Arrow refuses, is
    read by pandas' parser instead.
    """
    name = display or str(path)
    data = Path(path).read_bytes()
    check_bytes(data, name)
    _check_lis_header(data, name)
    offset = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data)[offset:]),
            read_options=_ARROW_READ,
            parse_options=_ARROW_PARSE,
            convert_options=_ARROW_CONVERT,
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):  # pyarrow does not say which line; find it
        text = decode_utf8(data, name)
        raise_bad_record(text, name, len(LIS_COLUMNS))
        try:  # e.g. a line break inside a quoted field, which pyarrow refuses
            df = pd.read_csv(io.StringIO(text, newline=""), dtype=str, keep_default_na=False)
        except pd.errors.ParserError as exc:
            raise InputError(
                name, "", f"{len(LIS_COLUMNS)} comma-separated fields", found=str(exc)
            ) from exc
        if df.isna().to_numpy().any():
            raise_bad_record(text, name, len(LIS_COLUMNS))
        table = pa.table(
            {c: pa.array(df[c].to_numpy(dtype=object), pa.string()) for c in LIS_COLUMNS}
        )
    return table.append_column("SRCROW", pa.array(line_numbers(data, table.num_rows)))


def read_lis_export(path: Path, display: str | None = None) -> pd.DataFrame:
    """One LIS pull as text columns plus SRCROW, its file line (:func:`read_lis_table`)."""
    df = read_lis_table(path, display).to_pandas()
    return df.astype({c: "str" for c in LIS_COLUMNS})


def parse_result(results: pd.Series) -> pd.DataFrame:
    """Split RESULT text into value, qualifier and missing reason (docs/raw-exports.md, RESULT).

    - ``x`` (also `` 7.9`` or ``7.9 H``: stray space, trailing flag letter): value x;
    - ``<x``: value x, qualifier ``<`` (below the limit of quantification x);
    - ``>x``: value x, qualifier ``>`` (above the upper limit x);
    - HEMOLYZED, QNS, SEE COMMENT: no value, MISSRSN the word; empty: MISSRSN EMPTY;
    - anything else: ``bad`` is True (the caller stops with an InputError).
    """

    def parse(u: pd.Series) -> pd.DataFrame:
        m = u.str.extract(_RESULT)
        word = u.str.strip().str.upper()
        missrsn = pd.Series(pd.NA, index=u.index, dtype="str")
        is_word = word.isin(NON_RESULTS)
        missrsn[is_word] = word[is_word]
        missrsn[word == ""] = EMPTY_RESULT
        value = pd.to_numeric(m["num"], errors="coerce").astype(float)
        return pd.DataFrame(
            {
                "value": value,
                "qualifier": m["q"].fillna("").astype("str"),
                "MISSRSN": missrsn,
                "bad": value.isna() & missrsn.isna(),
            }
        )

    return _by_unique(results, parse)


def parse_sample_label(labels: pd.Series) -> pd.DataFrame:
    """ATPTN (MMTT minute, Int64) from SAMPLE_LABEL; ``bad`` where the label is not understood.

    docs/raw-exports.md: ``MMTT <minutes>`` with minutes in -10, 0, 15, 30, 60, 90, 120 and
    the hand-typed variants ``MMTT T+30``, ``MMTT 30MIN``, ``MMTT 30 min``, ``mmtt 30``;
    ``FASTING`` or empty is a sample outside an MMTT (ATPTN empty).
    """

    def parse(u: pd.Series) -> pd.DataFrame:
        minutes = pd.to_numeric(
            u.str.extract(_MMTT)["min"].str.replace(" ", "", regex=False), errors="coerce"
        )
        stripped = u.str.strip().str.upper()
        fasting = stripped.isin(["FASTING", ""])
        ok = minutes.isin(MMTT_MINUTES) | fasting
        atptn = minutes.where(~fasting & ok).astype("Int64")
        return pd.DataFrame({"ATPTN": atptn, "bad": ~ok})

    return _by_unique(labels, parse)


#: Fields a format may hold for :func:`formats_back` (zero-padded width, component).
_FIELDS: dict[str, tuple[int, Callable[[pa.Array], pa.Array]]] = {
    "%d": (2, pc.day),
    "%m": (2, pc.month),
    "%Y": (4, pc.year),
    "%H": (2, pc.hour),
    "%M": (2, pc.minute),
    "%S": (2, pc.second),
}


def formats_back(text: pa.Array, parsed: pa.Array, fmt: str) -> pa.Array:
    """True where ``parsed`` (timestamps) formats back to ``text`` with ``fmt``.

    Equal to ``strftime(parsed, fmt) == text``, which writes every field zero-padded
    (years 0-9999 with four digits), but without formatting (Arrow's strftime costs
    about 0.6 microseconds a value): the text must have the format's shape (ASCII
    digits of each field's width, the literal characters), and each field's number
    must equal the timestamp's component (31/02/2019, rolled over to 03/03, does not).
    A format with other fields is compared through strftime.
    """
    tokens = re.findall(r"%.|[^%]+", fmt)
    if any(t.startswith("%") and t not in _FIELDS for t in tokens):
        return pc.equal(pc.strftime(parsed, format=fmt), text).fill_null(False)
    shape = "".join(rf"\d{{{_FIELDS[t][0]}}}" if t in _FIELDS else re.escape(t) for t in tokens)
    ok = pc.match_substring_regex(text, f"^{shape}$")
    # a text of the wrong shape is compared as all zeros (its result is False anyway)
    zeros = "".join("0" * _FIELDS[t][0] if t in _FIELDS else t for t in tokens)
    shaped = pc.if_else(ok, text, pa.scalar(zeros, text.type))
    start = 0
    for t in tokens:
        width = _FIELDS[t][0] if t in _FIELDS else len(t)
        if t in _FIELDS:
            digits = pc.utf8_slice_codeunits(shaped, start, start + width)
            same = pc.equal(pc.cast(digits, pa.int64()), pc.cast(_FIELDS[t][1](parsed), pa.int64()))
            ok = pc.and_(ok, same)
        start += width
    return ok.fill_null(False)


def parse_datetimes(values: pd.Series, fmt: str) -> pd.Series:
    """Parse text with an explicit strftime format; NaT where invalid.

    A value is valid when it parses and formats back to the same text
    (:func:`formats_back`), so that 31/02/2019 or a trailing character is refused
    rather than rolled over.
    """

    def parse(u: pd.Series) -> pd.DataFrame:
        arr = pa.array(u.array)
        parsed = pc.strptime(arr, format=fmt, unit="s", error_is_null=True)
        same = formats_back(arr, parsed, fmt)
        t = pd.Series(parsed.to_numpy(zero_copy_only=False), index=u.index)
        return pd.DataFrame({"t": t.where(same.to_numpy(zero_copy_only=False))})

    return pd.Series(_by_unique(values, parse)["t"], index=values.index)


def first_bad(
    df: pd.DataFrame, bad: pd.Series, column: str, expected: str, files: list[str]
) -> InputError | None:
    """InputError for the first row (by file, then line) where ``bad`` is True, else None."""
    if not bad.any():
        return None
    rows = df.loc[bad, ["_file", "SRCROW", column]].sort_values(["_file", "SRCROW"])
    row = rows.iloc[0]
    return InputError(
        files[int(row["_file"])],
        column,
        expected,
        line=int(row["SRCROW"]),
        found=str(row[column]),
    )
