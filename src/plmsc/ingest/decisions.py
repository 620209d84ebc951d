"""Data-management decisions: the study team's answers to data queries, applied at ingestion.

Raw exports are never edited. When the lab or the site confirms that a raw value is
wrong, the decision is one line of the cohort's decisions file (config key
``decisions``, kept beside the config, never under data/raw; docs/data-management.md):

    source,file,ACCESSION,TEST_CODE,SAMPLE_LABEL,record_id,redcap_event_name,
    redcap_repeat_instance,field,action,value,reason,query_ref

- ``source`` ``lis``: matches the row of pull ``file`` (its name, ``lis/<name>`` or
  its date-free label ``lis/LIS_EXPORT_#n.csv``) with this ACCESSION, TEST_CODE and
  SAMPLE_LABEL (as written in the export; empty matches an empty label). ``replace``
  sets its RESULT to ``value`` (any RESULT form: ``8.0``, ``<0.1``, ``>4000``);
  ``exclude`` removes the row. Byte-identical copies of the row in other pulls
  (overlapping pulls) follow the decision, so the result cannot come back through
  another pull.
- ``source`` ``redcap``: matches the newest export's row of ``record_id``,
  ``redcap_event_name`` and ``redcap_repeat_instance`` (empty for an event row)
  that holds ``field`` (a repeat instance of the field's instrument). ``replace``
  sets the field to ``value``; ``exclude`` empties it (not entered).
- ``reason`` and ``query_ref`` are required; ``value`` is required for replace and
  must be empty for exclude.

Decisions are applied before any check, so a value replaced by the decision passes
the plausibility limits. A decision that matches no row, or more than one, and two
decisions on the same row (or the same REDCap field) are errors naming the
decision's line. Counting: an excluded LIS row is counted in the reconciliation as
``excluded by decision: <reason>`` (its copies in other pulls as ``copy of a row
excluded by decision``); a kept row whose value a decision changed is counted as
``<its usual reason> (value replaced by decision: <reason>)`` (or ``value
excluded``), so rows read = kept + excluded still holds per file. ``qc/decisions.csv``
lists what each decision matched, without names, MRNs, dates of birth or calendar
dates (a date field's values are withheld; dates in the free text are masked).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from plmsc.ingest.csvfile import read_csv_file
from plmsc.ingest.errors import InputError
from plmsc.ingest.lis import LIS_COLUMNS
from plmsc.ingest.redcap import DATE_FORMATS, Field
from plmsc.snakemake_io import scrub_dates

DECISION_COLUMNS = [
    "source",
    "file",
    "ACCESSION",
    "TEST_CODE",
    "SAMPLE_LABEL",
    "record_id",
    "redcap_event_name",
    "redcap_repeat_instance",
    "field",
    "action",
    "value",
    "reason",
    "query_ref",
]
LIS_KEYS = ["file", "ACCESSION", "TEST_CODE", "SAMPLE_LABEL"]
REDCAP_KEYS = ["record_id", "redcap_event_name", "redcap_repeat_instance", "field"]
SOURCES = ("lis", "redcap")
ACTIONS = ("exclude", "replace")
IDENTIFYING = ("mrn", "dob")
WITHHELD_DATE = "(calendar date withheld)"
WITHHELD_ID = "(identifier withheld)"
COPY_REASON = "copy of a row excluded by decision"

#: Columns of qc/decisions.csv, one row per applied decision.
OUTPUT_COLUMNS = [
    "DECISION",
    "SOURCE",
    "SRCFILE",
    "SRCROW",
    "USUBJID",
    "EVENT",
    "INSTANCE",
    "FIELD",
    "ORIGVAL",
    "ACTION",
    "NEWVAL",
    "NCOPIES",
    "REASON",
    "QUERYREF",
]


def _text(nullable: bool = True) -> pa.Column:
    return pa.Column(str, nullable=nullable)


DECISIONS_SCHEMA = pa.DataFrameSchema(
    {
        "DECISION": pa.Column("int64", checks=[pa.Check.ge(2)]),
        "SOURCE": pa.Column(str, checks=[pa.Check.isin(list(SOURCES))]),
        "SRCFILE": _text(False),
        "SRCROW": pa.Column("Int64", nullable=True),
        "USUBJID": _text(False),
        "EVENT": _text(),
        "INSTANCE": _text(),
        "FIELD": _text(False),
        "ORIGVAL": _text(),
        "ACTION": pa.Column(str, checks=[pa.Check.isin(list(ACTIONS))]),
        "NEWVAL": _text(),
        "NCOPIES": pa.Column("int64", checks=[pa.Check.ge(0)]),
        "REASON": _text(False),
        "QUERYREF": _text(False),
    },
    strict=True,
    ordered=True,
    unique=["DECISION"],
    name="decisions",
)


@dataclass
class Applied:
    """What the decisions did: rows for qc/decisions.csv and reconciliation changes."""

    rows: list[dict[str, object]] = field(default_factory=list)
    #: LIS rows removed before derivation: (file index, reason) -> count
    excluded: dict[tuple[int, str], int] = field(default_factory=dict)
    #: LIS rows whose RESULT changed: (file index, line) -> reconciliation suffix
    replaced: dict[tuple[int, int], str] = field(default_factory=dict)

    def frame(self) -> pd.DataFrame:
        """qc/decisions.csv, in the order of the decisions file, validated."""
        df = pd.DataFrame(self.rows, columns=OUTPUT_COLUMNS)
        df = df.sort_values("DECISION", kind="stable").reset_index(drop=True)
        for col in OUTPUT_COLUMNS:
            if col in ("DECISION", "NCOPIES"):
                df[col] = df[col].astype("int64")
            elif col == "SRCROW":
                df[col] = df[col].astype("Int64")
            else:
                df[col] = df[col].astype("str")
        return DECISIONS_SCHEMA.validate(df)


def empty_decisions() -> pd.DataFrame:
    """A decisions table with no decision (a cohort without the config key)."""
    df = pd.DataFrame({c: pd.Series(dtype="str") for c in DECISION_COLUMNS})
    df["LINE"] = pd.Series(dtype="int64")
    return df


def read_decisions(path: str | Path) -> pd.DataFrame:
    """The decisions file as text columns (stripped) plus LINE, its line in the file.

    Every line is checked (columns, source, action, the keys of its source, value,
    reason, query reference, no two decisions on the same keys); a problem is an
    InputError naming the decisions file, the line and the column.
    """
    name = str(path)
    df = read_csv_file(Path(path), name)
    missing = [c for c in DECISION_COLUMNS if c not in df.columns]
    extra = [c for c in df.columns if c not in DECISION_COLUMNS]
    if missing or extra:
        raise InputError(
            name,
            "header",
            "the columns " + ",".join(DECISION_COLUMNS),
            line=1,
            found="missing " + ", ".join(missing) if missing else "extra " + ", ".join(extra),
        )
    df = df[DECISION_COLUMNS].apply(lambda s: s.str.strip())
    df["LINE"] = np.arange(2, len(df) + 2, dtype=np.int64)

    def check(bad: pd.Series, col: str, expected: str) -> None:
        if bad.any():
            row = df[bad].iloc[0]
            raise InputError(name, col, expected, line=int(row["LINE"]), found=row[col])

    check(~df["source"].isin(SOURCES), "source", "lis or redcap")
    check(~df["action"].isin(ACTIONS), "action", "exclude or replace")
    lis, rc = df["source"] == "lis", df["source"] == "redcap"
    for col in ("file", "ACCESSION", "TEST_CODE"):
        check(lis & (df[col] == ""), col, f"the {col} of the LIS row the decision is about")
    for col in ("record_id", "redcap_event_name", "field"):
        check(rc & (df[col] == ""), col, f"the {col} of the REDCap value the decision is about")
    for col in REDCAP_KEYS:
        check(lis & (df[col] != ""), col, "empty for a LIS decision (REDCap keys)")
    for col in LIS_KEYS:
        check(rc & (df[col] != ""), col, "empty for a REDCap decision (LIS keys)")
    inst = df["redcap_repeat_instance"]
    check(
        (inst != "") & ~inst.str.fullmatch(r"[1-9]\d*"),
        "redcap_repeat_instance",
        "empty or a positive integer",
    )
    check((df["action"] == "replace") & (df["value"] == ""), "value", "the new value of a replace")
    check((df["action"] == "exclude") & (df["value"] != ""), "value", "empty for an exclude")
    check(df["reason"] == "", "reason", "the reason of the decision")
    check(df["query_ref"] == "", "query_ref", "the reference of the data query")
    keys = ["source", *LIS_KEYS, *REDCAP_KEYS]
    dup = df.duplicated(subset=keys, keep="first")
    if dup.any():
        row = df[dup].iloc[0]
        first = df[(df[keys] == row[keys]).all(axis=1)].iloc[0]
        raise InputError(
            name,
            "",
            f"one decision per value (line {int(first['LINE'])} decides the same one)",
            line=int(row["LINE"]),
        )
    return df


def _error(path: str, decision: pd.Series, expected: str, col: str = "") -> InputError:
    return InputError(path, col, expected, line=int(decision["LINE"]))


# --- REDCap -------------------------------------------------------------------------


def _withheld(name: str, value: str, dictionary: Mapping[str, Field]) -> str:
    f = dictionary.get(name)
    if name in IDENTIFYING:
        return WITHHELD_ID if value else ""
    if f is not None and f.validation in DATE_FORMATS:
        return WITHHELD_DATE if value else ""
    return value


def apply_redcap_decisions(
    rc: pd.DataFrame,
    decisions: pd.DataFrame,
    dictionary: Mapping[str, Field],
    srcfile: str,
    path: str,
    applied: Applied,
) -> tuple[pd.DataFrame, pd.Series]:
    """The export with the REDCap decisions applied, and the reconciliation suffix per row.

    Matching is a merge on record_id, redcap_event_name and redcap_repeat_instance;
    a repeat instance must be of the instrument (form) that holds ``field``. The
    suffix Series (index of ``rc``) names the first decision that changed a row.
    """
    dec = decisions[decisions["source"] == "redcap"]
    suffix = pd.Series(pd.NA, index=rc.index, dtype="str")
    if dec.empty:
        return rc, suffix
    rc = rc.copy()
    for _, d in dec.iterrows():
        if d["field"] not in rc.columns:
            raise _error(path, d, "a field of the REDCap export", "field")
    keys = ["record_id", "redcap_event_name", "redcap_repeat_instance"]
    left = rc[[*keys, "redcap_repeat_instrument"]].reset_index(names="_row")
    right = dec[[*keys, "field", "LINE"]]
    hits = left.merge(right, on=keys, how="inner")
    form = hits["field"].map(lambda f: dictionary[f].form if f in dictionary else "")
    repeat = hits["redcap_repeat_instrument"] != ""
    hits = hits[~repeat | (hits["redcap_repeat_instrument"] == form)]
    counts = hits["LINE"].value_counts().reindex(dec["LINE"], fill_value=0)
    for _, d in dec.iterrows():
        n = int(counts[d["LINE"]])
        if n != 1:
            where = f"record {d['record_id']}, event {d['redcap_event_name']}" + (
                f", instance {d['redcap_repeat_instance']}" if d["redcap_repeat_instance"] else ""
            )
            found = "no row" if n == 0 else f"{n} rows"
            raise _error(
                path,
                d,
                f"a decision matching exactly one row of the REDCap export ({where} that holds "
                f"field {d['field']}); it matches {found}",
            )
    by_line = dec.set_index("LINE")
    for line, row in hits.set_index("LINE")["_row"].sort_index().items():
        d = by_line.loc[line]
        idx = row
        original = str(rc.at[idx, d["field"]])
        new = d["value"] if d["action"] == "replace" else ""
        rc.at[idx, d["field"]] = new
        reason = scrub_dates(d["reason"])
        verb = "replaced" if d["action"] == "replace" else "excluded"
        if pd.isna(suffix[idx]):
            suffix[idx] = f" (value {verb} by decision: {reason})"
        applied.rows.append(
            {
                "DECISION": int(line),
                "SOURCE": "redcap",
                "SRCFILE": srcfile,
                "SRCROW": pd.NA,
                "USUBJID": d["record_id"],
                "EVENT": d["redcap_event_name"],
                "INSTANCE": d["redcap_repeat_instance"] or pd.NA,
                "FIELD": d["field"],
                "ORIGVAL": _withheld(d["field"], original, dictionary) or pd.NA,
                "ACTION": d["action"],
                "NEWVAL": _withheld(d["field"], new, dictionary) or pd.NA,
                "NCOPIES": 0,
                "REASON": reason,
                "QUERYREF": scrub_dates(d["query_ref"]),
            }
        )
    return rc, suffix


# --- LIS ----------------------------------------------------------------------------


def _file_index(names: Sequence[str], labels: Sequence[str]) -> dict[str, int]:
    """Every way a decision may name a pull -> its position: name, lis/<name>, label."""
    out: dict[str, int] = {}
    for i, (name, label) in enumerate(zip(names, labels, strict=True)):
        base = Path(name).name
        for alias in (base, f"lis/{base}", label, Path(label).name):
            out[alias] = i
    return out


def _set_text(column: pd.Series, rows: pd.Index, value: str) -> pd.Series:
    """``column`` with ``value`` at ``rows``, keeping a categorical column categorical."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        if value not in column.cat.categories:
            column = column.cat.add_categories([value])
    else:
        column = column.copy()
    column.loc[rows] = value
    return column


def apply_lis_decisions(
    lis: pd.DataFrame,
    decisions: pd.DataFrame,
    files: Sequence[str],
    srcfiles: Sequence[str],
    mrn_to_record: Mapping[str, str],
    path: str,
    applied: Applied,
) -> pd.DataFrame:
    """The stacked pulls with the LIS decisions applied (see the module docstring).

    ``lis`` is :func:`plmsc.ingest.labs.read_lis_pulls`' frame (``_file``, SRCROW);
    ``files`` the pulls' paths, ``srcfiles`` their labels. Matching is vectorised:
    only rows of the decisions' accessions are compared, by a merge on the keys.
    Excluded rows (and their copies) leave the frame and are counted in
    ``applied.excluded``; replaced rows (and copies) are noted in ``applied.replaced``.
    """
    dec = decisions[decisions["source"] == "lis"].copy()
    if dec.empty:
        return lis
    aliases = _file_index(files, srcfiles)
    unknown = ~dec["file"].isin(list(aliases))
    if unknown.any():
        d = dec[unknown].iloc[0]
        raise InputError(
            path,
            "file",
            "a LIS pull of the raw folder: LIS_EXPORT_<YYYYMMDD>.csv, or its label "
            "lis/LIS_EXPORT_#<n>.csv",
            line=int(d["LINE"]),
            found=d["file"],
        )
    dec["_file"] = dec["file"].map(aliases).astype("int64")
    pool = lis[lis["ACCESSION"].isin(dec["ACCESSION"].unique())]
    cand = pd.DataFrame(
        {c: pool[c].astype(object).astype(str) for c in LIS_COLUMNS}, index=pool.index
    )
    cand["_file"] = pool["_file"].to_numpy()
    cand["SRCROW"] = pool["SRCROW"].to_numpy()
    cand["_label"] = cand["SAMPLE_LABEL"].str.strip()
    cand = cand.reset_index(names="_row")
    right = dec[["_file", "ACCESSION", "TEST_CODE", "SAMPLE_LABEL", "LINE"]].rename(
        columns={"SAMPLE_LABEL": "_label"}
    )
    hits = cand.merge(right, on=["_file", "ACCESSION", "TEST_CODE", "_label"], how="inner")
    counts = hits["LINE"].value_counts().reindex(dec["LINE"], fill_value=0)
    for _, d in dec.iterrows():
        n = int(counts[d["LINE"]])
        if n != 1:
            lines = hits.loc[hits["LINE"] == d["LINE"], "SRCROW"].tolist()
            found = "no row" if n == 0 else f"{n} rows (lines {', '.join(map(str, lines))})"
            raise _error(
                path,
                d,
                f"a decision matching exactly one row of {d['file']} (ACCESSION "
                f"{d['ACCESSION']}, TEST_CODE {d['TEST_CODE']}, SAMPLE_LABEL "
                f"'{d['SAMPLE_LABEL']}'); it matches {found}",
            )
    hits = hits.sort_values("LINE")
    not_trial = ~hits["MRN"].isin(list(mrn_to_record))
    if not_trial.any():
        raise _error(
            path,
            hits[not_trial].iloc[0],
            "a row of a trial participant (the row's MRN is in no REDCap record)",
        )
    # byte-identical copies of each matched row, in every pull
    copies = cand.merge(hits[[*LIS_COLUMNS, "LINE"]], on=LIS_COLUMNS, how="inner")
    deciders = copies.groupby("_row")["LINE"].nunique()
    if (deciders > 1).any():
        shared = copies[copies["_row"].isin(deciders.index[deciders > 1])]
        raise InputError(
            path,
            "",
            f"one decision per LIS row (line {int(shared['LINE'].min())} decides the same "
            "result, or a copy of it in another pull)",
            line=int(shared["LINE"].max()),
        )
    drop: list[int] = []
    by_line = dec.set_index("LINE")
    for _, h in hits.iterrows():
        d = by_line.loc[h["LINE"]]
        group = copies[copies["LINE"] == h["LINE"]]
        rows = pd.Index(group["_row"].to_numpy())
        reason = scrub_dates(d["reason"])
        if d["action"] == "replace":
            lis = lis.assign(RESULT=_set_text(lis["RESULT"], rows, d["value"]))
            for f, line in zip(group["_file"], group["SRCROW"], strict=True):
                applied.replaced[(int(f), int(line))] = f" (value replaced by decision: {reason})"
        else:
            drop.extend(rows)
            for f, row in zip(group["_file"], group["_row"], strict=True):
                key = (int(f), reason if row == h["_row"] else COPY_REASON)
                applied.excluded[key] = applied.excluded.get(key, 0) + 1
        applied.rows.append(
            {
                "DECISION": int(h["LINE"]),
                "SOURCE": "lis",
                "SRCFILE": srcfiles[int(h["_file"])],
                "SRCROW": int(h["SRCROW"]),
                "USUBJID": mrn_to_record[h["MRN"]],
                "EVENT": pd.NA,
                "INSTANCE": pd.NA,
                "FIELD": h["TEST_CODE"] + (f" ({h['_label']})" if h["_label"] else ""),
                "ORIGVAL": h["RESULT"] or pd.NA,
                "ACTION": d["action"],
                "NEWVAL": d["value"] or pd.NA,
                "NCOPIES": len(group) - 1,
                "REASON": reason,
                "QUERYREF": scrub_dates(d["query_ref"]),
            }
        )
    if drop:
        lis = lis.drop(index=drop)
    return lis


def reconcile_decisions(
    recon: pd.DataFrame,
    adlb: pd.DataFrame,
    applied: Applied,
    srcfiles: Sequence[str],
) -> pd.DataFrame:
    """The LIS reconciliation with the decisions counted under their reasons.

    Excluded rows are added as ``excluded by decision: <reason>`` (copies as
    :data:`COPY_REASON`); a replaced row that stands in adlb moves from ``adlb`` to
    ``adlb (value replaced by decision: <reason>)``.
    """
    extra = [
        {
            "SRCFILE": srcfiles[f],
            "DISPOSITION": "excluded",
            "REASON": reason if reason == COPY_REASON else f"excluded by decision: {reason}",
            "N": n,
        }
        for (f, reason), n in applied.excluded.items()
    ]
    if applied.replaced:
        label_of = {s: i for i, s in enumerate(srcfiles)}
        keys = pd.Series(
            list(
                zip(
                    adlb["SRCFILE"].astype(str).map(label_of),
                    adlb["SRCROW"].astype(int),
                    strict=True,
                )
            ),
            dtype=object,
        )
        suffix = keys.map(applied.replaced).dropna()
        for (srcfile, sfx), n in (
            pd.DataFrame({"SRCFILE": adlb["SRCFILE"].astype(str)[suffix.index], "SFX": suffix})
            .value_counts()
            .items()
        ):
            extra.append({"SRCFILE": srcfile, "DISPOSITION": "kept", "REASON": "adlb", "N": -n})
            extra.append(
                {"SRCFILE": srcfile, "DISPOSITION": "kept", "REASON": f"adlb{sfx}", "N": n}
            )
    if not extra:
        return recon
    out = pd.concat([recon, pd.DataFrame(extra)], ignore_index=True)
    out = out.groupby(["SRCFILE", "DISPOSITION", "REASON"], as_index=False, sort=False)["N"].sum()
    kept_empty = (out["N"] == 0) & (out["REASON"] != "adlb")
    return out[~kept_empty].reset_index(drop=True)
