"""Reading and validating the REDCap raw export and its data dictionary.

Formats: docs/raw-exports.md, "REDCap export".

The export is read as text and every entered value is checked against the data
dictionary: field type, choice codes, date / date-time formats and the text
validation min/max. A problem stops the step with an InputError naming the file,
record_id, redcap_event_name and field. Checks are vectorised per field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from plmsc.ingest.csvfile import read_csv_file
from plmsc.ingest.errors import InputError

FIXED_COLUMNS = [
    "record_id",
    "redcap_event_name",
    "redcap_repeat_instrument",
    "redcap_repeat_instance",
]
#: Columns REDCap adds on request: the data access group (the site), checked in
#: :mod:`plmsc.ingest.strata`.
OPTIONAL_COLUMNS = ("redcap_data_access_group",)
DATE_FORMATS = {
    "date_ymd": ("%Y-%m-%d", "a date YYYY-MM-DD"),
    "datetime_ymd": ("%Y-%m-%d %H:%M", "a date-time YYYY-MM-DD HH:MM"),
    "datetime_seconds_ymd": ("%Y-%m-%d %H:%M:%S", "a date-time YYYY-MM-DD HH:MM:SS"),
}
_INTEGER = re.compile(r"^-?\d+$")
_NUMBER = re.compile(r"^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
COMPLETE_CODES = {"0": "Incomplete", "1": "Unverified", "2": "Complete"}


@dataclass(frozen=True)
class Field:
    """One data-dictionary entry."""

    name: str
    form: str
    ftype: str
    choices: dict[str, str] = field(default_factory=dict)
    validation: str = ""
    vmin: str = ""
    vmax: str = ""


DICTIONARY_COLUMNS = {
    "name": "variable / field name",
    "form": "form name",
    "ftype": "field type",
    "choices": "choices, calculations, or slider labels",
    "validation": "text validation type or show slider number",
    "vmin": "text validation min",
    "vmax": "text validation max",
}


def parse_choices(text: str) -> dict[str, str]:
    """``'1, Male | 2, Female'`` -> ``{'1': 'Male', '2': 'Female'}`` (REDCap choices syntax)."""
    out: dict[str, str] = {}
    for part in text.split("|"):
        code, sep, label = part.partition(",")
        if sep and code.strip():
            out[code.strip()] = label.strip()
    return out


def read_data_dictionary(path: Path, display: str | None = None) -> dict[str, Field]:
    """The data dictionary export as ``{field name: Field}``, in dictionary order."""
    name = display or str(path)
    df = read_csv_file(path, name)
    lower = {c.strip().lower(): c for c in df.columns}
    cols: dict[str, str] = {}
    for key, header in DICTIONARY_COLUMNS.items():
        match = [c for low, c in lower.items() if low.startswith(header[:18])]
        if not match:
            raise InputError(name, header, "a REDCap data dictionary column", line=1)
        cols[key] = match[0]
    fields: dict[str, Field] = {}
    for row in df[list(cols.values())].itertuples(index=False, name=None):
        rec = dict(zip(cols, (v.strip() for v in row), strict=True))
        ftype = rec["ftype"]
        choices = (
            parse_choices(rec["choices"]) if ftype in {"radio", "dropdown", "checkbox"} else {}
        )
        if ftype == "yesno":
            choices = {"0": "No", "1": "Yes"}
        elif ftype == "truefalse":
            choices = {"0": "False", "1": "True"}
        fields[rec["name"]] = Field(
            rec["name"], rec["form"], ftype, choices, rec["validation"], rec["vmin"], rec["vmax"]
        )
    return fields


def read_redcap_export(path: Path, display: str | None = None) -> pd.DataFrame:
    """The raw export as text columns; empty cells are empty strings.

    Fails clearly when the export was made with labels ("CSV (labels)") instead of
    raw coded values: the header then has labels such as 'Record ID'. File-level
    damage (empty, not UTF-8, broken rows) is caught by :mod:`plmsc.ingest.csvfile`.
    """
    name = display or str(path)
    df = read_csv_file(path, name)
    header = list(df.columns)
    missing = [c for c in FIXED_COLUMNS[:2] if c not in header]
    if missing:
        raise InputError(
            name,
            missing[0],
            "a REDCap raw export (CSV raw data: field names such as record_id and "
            "redcap_event_name in the header, coded values); this looks like an export "
            "with labels, or not a REDCap export",
            line=1,
            found=",".join(header[:3]),
        )
    for col in FIXED_COLUMNS[2:]:
        if col not in df.columns:
            df[col] = ""
    return df


class RowLocator:
    """Builds InputErrors that name file, record, event (and instance) of a row."""

    def __init__(self, df: pd.DataFrame, file: str) -> None:
        self.df = df
        self.file = file

    def error(
        self, mask: pd.Series, field_name: str, expected: str, *, show_value: bool = True
    ) -> InputError | None:
        """InputError for the first row where ``mask`` is True, else None."""
        hits = np.flatnonzero(mask.to_numpy(dtype=bool, na_value=False))
        if not len(hits):
            return None
        row = self.df.iloc[hits[0]]
        found = None
        if show_value and field_name in self.df.columns:
            found = str(row[field_name])
        instance = ""
        if row.get("redcap_repeat_instrument", ""):
            instance = f"{row['redcap_repeat_instrument']} #{row['redcap_repeat_instance']}"
        return InputError(
            self.file,
            field_name,
            expected,
            record=str(row["record_id"]),
            event=str(row["redcap_event_name"]),
            instance=instance or None,
            found=found,
        )

    def check(
        self, mask: pd.Series, field_name: str, expected: str, *, show_value: bool = True
    ) -> None:
        """Raise the InputError of the first row where ``mask`` is True."""
        err = self.error(mask, field_name, expected, show_value=show_value)
        if err is not None:
            raise err


def _bound(value: str, kind: str) -> float | pd.Timestamp | None:
    if not value:
        return None
    if kind in DATE_FORMATS:
        t = pd.to_datetime(value, format="mixed", errors="coerce")
        return None if pd.isna(t) else t
    try:
        return float(value)
    except ValueError:
        return None


def _describe_choices(choices: Mapping[str, str]) -> str:
    return "one of the codes " + ", ".join(f"{c} ({lab})" for c, lab in choices.items())


def validate_export(
    df: pd.DataFrame,
    dictionary: Mapping[str, Field],
    events: Iterable[str],
    file: str,
    identifying: Iterable[str] = ("mrn", "dob"),
) -> None:
    """Check every entered value against the data dictionary; raise the first InputError.

    - columns: the fixed columns, dictionary fields (checkbox fields as
      ``<field>___<code>``) and ``<form>_complete``, each of them present;
    - redcap_event_name: an event of the cohort's schedule (config);
    - redcap_repeat_instrument: empty or a form of the dictionary; instance a
      positive integer; one row per record, event, instrument and instance;
    - radio/dropdown/yesno/truefalse/checkbox: a choice code (labels fail here);
    - text with validation date_ymd / datetime_ymd: the format, a real date;
      integer / number: a number; Text Validation Min/Max: the range;
    - calc: a number.
    Values of identifying fields are never quoted in messages.
    """
    loc = RowLocator(df, file)
    hidden = set(identifying)
    forms = {f.form for f in dictionary.values()}
    allowed: dict[str, Field] = {}
    for f in dictionary.values():
        if f.ftype == "checkbox":
            for code in f.choices:
                allowed[f"{f.name}___{code}"] = Field(
                    f.name, f.form, "yesno", {"0": "Unchecked", "1": "Checked"}
                )
        elif f.ftype != "descriptive":
            allowed[f.name] = f
    for form in forms:
        allowed[f"{form}_complete"] = Field(f"{form}_complete", form, "dropdown", COMPLETE_CODES)
    unknown = [
        c for c in df.columns if c not in allowed and c not in (*FIXED_COLUMNS, *OPTIONAL_COLUMNS)
    ]
    if unknown:
        raise InputError(
            file, unknown[0], "a field of the data dictionary or <form>_complete", line=1
        )
    absent = [c for c in allowed if c not in df.columns and c not in FIXED_COLUMNS]
    if absent:
        raise InputError(
            file,
            absent[0],
            "a column for every field of the data dictionary and every <form>_complete "
            f"(missing: {', '.join(absent)}); export all fields of the project",
            line=1,
        )

    events = list(events)
    loc.check(df["record_id"].str.strip() == "", "record_id", "a record_id")
    loc.check(
        ~df["redcap_event_name"].isin(events),
        "redcap_event_name",
        "an event of the cohort's schedule (" + ", ".join(events) + "); a label "
        "instead of an event name means the export was made with labels",
    )
    rep = df["redcap_repeat_instrument"]
    loc.check(
        (rep != "") & ~rep.isin(sorted(forms)),
        "redcap_repeat_instrument",
        "empty or an instrument of the data dictionary",
    )
    inst = df["redcap_repeat_instance"]
    loc.check(
        (rep != "") & ~inst.str.fullmatch(r"[1-9]\d*"),
        "redcap_repeat_instance",
        "a positive integer for a repeating instrument",
    )
    loc.check(
        df.duplicated(subset=FIXED_COLUMNS, keep="first"),
        "record_id",
        "one row per record, event and repeat instance (this row repeats an earlier one)",
    )

    for col in df.columns:
        if col in FIXED_COLUMNS or col in OPTIONAL_COLUMNS:
            continue
        f = allowed[col]
        values = df[col]
        entered = values != ""
        if not entered.any():
            continue
        show = f.name not in hidden
        if f.choices:
            bad = entered & ~values.isin(list(f.choices))
            expected = _describe_choices(f.choices)
            if bad.any() and values[bad].isin(list(f.choices.values())).any():
                expected += " (the export holds labels instead of codes: export raw data)"
            loc.check(bad, col, expected, show_value=show)
        elif f.validation in DATE_FORMATS:
            fmt, expected = DATE_FORMATS[f.validation]
            parsed = by_distinct(values.where(entered), _to_datetime(fmt))
            loc.check(entered & parsed.isna(), col, expected, show_value=show)
            lo, hi = _bound(f.vmin, f.validation), _bound(f.vmax, f.validation)
            _check_range(loc, parsed, lo, hi, col, show, f.vmin, f.vmax)
        elif f.validation.startswith(("integer", "number")) or f.ftype == "calc":
            pattern = _INTEGER if f.validation == "integer" else _NUMBER
            ok = by_distinct(values, partial(_matches, pattern=pattern.pattern))
            kind = "an integer" if f.validation == "integer" else "a number"
            loc.check(entered & ~ok, col, kind, show_value=show)
            parsed = by_distinct(values.where(entered), _to_number)
            lo, hi = _bound(f.vmin, "number"), _bound(f.vmax, "number")
            _check_range(loc, parsed, lo, hi, col, show, f.vmin, f.vmax)


def _check_range(
    loc: RowLocator,
    parsed: pd.Series,
    lo: object,
    hi: object,
    col: str,
    show: bool,
    vmin: str,
    vmax: str,
) -> None:
    if lo is None and hi is None:
        return
    expected = (
        f"a value between {vmin} and {vmax} (data dictionary)"
        if lo is not None and hi is not None
        else (f"a value >= {vmin}" if lo is not None else f"a value <= {vmax}")
        + " (data dictionary)"
    )
    bad = pd.Series(False, index=parsed.index)
    if lo is not None:
        bad |= (parsed < lo).fillna(False)
    if hi is not None:
        bad |= (parsed > hi).fillna(False)
    loc.check(bad, col, expected, show_value=show)


def column(df: pd.DataFrame, name: str) -> pd.Series:
    """A field's text column, or empty strings when the export lacks the field."""
    if name in df.columns:
        return df[name]
    return pd.Series("", index=df.index, dtype="str")


def by_distinct(values: pd.Series, parse: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``parse(values)`` computed once per distinct value and spread back by position.

    An export's column repeats a few hundred values (dates, weights, codes) over its
    rows; ``parse`` must treat each value on its own (as ``to_numeric`` does).
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    parsed = parse(pd.Series(uniques, dtype=values.dtype))
    return pd.Series(parsed.to_numpy()[codes], index=values.index, name=values.name)


def _matches(values: pd.Series, pattern: str) -> pd.Series:
    return values.str.strip().str.fullmatch(pattern).fillna(False)


def _to_number(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce")


def _to_datetime(fmt: str) -> Callable[[pd.Series], pd.Series]:
    return partial(pd.to_datetime, format=fmt, errors="coerce")


def as_number(values: pd.Series) -> pd.Series:
    """Validated numeric text -> float (NaN where empty)."""
    return by_distinct(values.where(values != ""), _to_number).astype(float)


def as_datetime(values: pd.Series, fmt: str = "%Y-%m-%d") -> pd.Series:
    """Validated date text -> datetime64 (NaT where empty)."""
    return by_distinct(values.where(values != ""), _to_datetime(fmt))
