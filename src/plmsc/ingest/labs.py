"""LIS pulls -> adlb, the harmonised laboratory dataset (docs/raw-exports.md, "LIS export";
analysis-datasets.md, adlb).

Each raw row ends in exactly one place: adlb, or an exclusion with its reason,
decided in this order:

1. ``patient not in the trial``: MRN matches no REDCap ``mrn``; nothing else of the
   row is read;
2. ``test not used by the analysis``: TEST_CODE not in :data:`LAB_TESTS`;
3. ``duplicate of a row in an earlier pull`` (or ``... in the same pull``): the
   same 15 values as a row read before it (pulls in file-name, i.e. date, order);
4. ``participant without infusion date``: no study day can be derived;
5. STATUS, per result (ACCESSION + TEST_CODE + normalised SAMPLE_LABEL): the row
   with the latest VERIFIED_AT wins (ties: later pull, later line). The other rows
   are ``superseded by a correction (STATUS C)``, ``superseded by a later release``
   or ``voided by a cancellation (STATUS X)`` after the winner's STATUS. A winning
   X row is excluded as ``cancelled result (STATUS X)``: a cancelled result is not
   a result, so it leaves no row in adlb (a draw with no usable result still shows
   up when another row of it carries HEMOLYZED, QNS, ...).

Only rows that reach step 5 as winners have RESULT and UNITS parsed: a typo in a
row that a correction replaced stops nothing.

Dates are checked against the pull: VERIFIED_AT and COLLECTED must fall before
the end of the pull date in the file name (a pull cannot hold a later result),
and COLLECTED after the participant's date of birth (a wrong century).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from plmsc.constants import BLQ_FACTOR
from plmsc.ingest.errors import InputError
from plmsc.ingest.lis import (
    LIS_COLUMNS,
    LIS_DATE,
    LIS_DATETIME,
    MMTT_MINUTES,
    RESULT_EXPECTED,
    STATUSES,
    first_bad,
    parse_datetimes,
    parse_result,
    parse_sample_label,
    read_lis_table,
)
from plmsc.ingest.plausibility import (
    Limits,
    check_lab_plausibility,
    compute_plausibility_limits,
)
from plmsc.ingest.reference import REFERENCE_COLUMNS, derive_var_anrlo_anrhi
from plmsc.ingest.rowkeys import (
    column_codes,
    combine_codes,
    first_occurrences,
    flag_array,
    group_ends,
    group_starts,
    row_identity,
    sort_order,
)
from plmsc.ingest.units import LAB_TESTS, allowed_units, conversion_factors
from plmsc.ingest.visits import (
    analysis_flag_masks,
    baseline_flag_mask,
    derive_study_day,
    derive_visit,
)

R_OTHER = "patient not in the trial (MRN not in REDCap)"
R_TEST = "test not used by the analysis"
R_DUP_EARLIER = "duplicate of a row in an earlier pull"
R_DUP_SAME = "duplicate of an earlier row in the same pull"
R_NOINF = "participant without infusion date"
R_CORRECTED = "superseded by a correction (STATUS C)"
R_RELEASE = "superseded by a later release"
R_VOIDED = "voided by a cancellation (STATUS X)"
R_CANCELLED = "cancelled result (STATUS X)"
KEPT = "adlb"
#: Reasons by code; code 0 is "kept" (REASON adlb).
REASONS = [
    KEPT,
    R_OTHER,
    R_TEST,
    R_DUP_EARLIER,
    R_DUP_SAME,
    R_NOINF,
    R_CORRECTED,
    R_RELEASE,
    R_VOIDED,
    R_CANCELLED,
]
CODE = {r: i for i, r in enumerate(REASONS)}

ADLB_COLUMNS = [
    "USUBJID",
    "PARAMCD",
    "PARAM",
    "AVAL",
    "AVALU",
    "ADY",
    "ATPT",
    "ATPTN",
    "AVISIT",
    "AVISITN",
    "ABLFL",
    "ANL01FL",
    "LLOQ",
    "LLOQFL",
    "ULOQFL",
    "MISSRSN",
    "RPTDRWFL",
    "SRCFILE",
    "SRCROW",
]
BLQ_RULES = tuple(BLQ_FACTOR)


def empty_lis() -> pd.DataFrame:
    """A LIS frame with no rows (a cohort without LIS pulls)."""
    df = pd.DataFrame({c: pd.Series(dtype="str") for c in LIS_COLUMNS})
    df["SRCROW"] = pd.Series(dtype="int64")
    return df


def sorted_categorical(column: pa.ChunkedArray, sort: bool = True) -> pd.Categorical:
    """An Arrow text column as a pandas Categorical with sorted categories.

    Dictionary-encoded in Arrow (one hash pass, no Python string per cell); the
    categories are then sorted so that the result equals ``astype("category")``
    (codes order like the text, which sorting and "first row" rules rely on).
    With ``sort=False`` the categories keep their order of first appearance (for
    key-only columns, where sorting would cost seconds and change nothing).
    """
    encoded = pc.dictionary_encode(column)
    if encoded.num_chunks == 0:
        return pd.Categorical(pd.Series([], dtype="str"))
    dictionary = encoded.chunk(encoded.num_chunks - 1).dictionary
    indices = np.concatenate(
        [chunk.indices.to_numpy(zero_copy_only=False) for chunk in encoded.chunks]
    )
    if not sort:
        return _from_dictionary(indices, dictionary)
    order = pc.array_sort_indices(dictionary).to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return _from_dictionary(rank[indices], dictionary.take(order))


def _from_dictionary(codes: np.ndarray, dictionary: pa.Array) -> pd.Categorical:
    """A Categorical of ``dictionary[codes]`` for an Arrow dictionary (distinct values by
    construction, codes in range).

    Built through pandas' dtype fast path: the public constructor hashes every
    category again to check that they are distinct (0.3 s for the 1.3 million
    categories of 10,000 participants' pulls). Falls back to the public constructor
    where pandas has no such path.
    """
    categories = pd.Index(pd.array(dictionary, dtype="str"))
    fastpath = getattr(pd.CategoricalDtype, "_from_fastpath", None)
    if fastpath is None:
        return pd.Categorical.from_codes(codes, categories=categories)
    return pd.Categorical.from_codes(codes, dtype=fastpath(categories, False), validate=False)


#: LIS columns with many distinct values that are only compared or parsed per
#: distinct value: their categories keep the order of first appearance.
KEY_ONLY = ("ACCESSION", "COLLECTED", "VERIFIED_AT")


def read_lis_pulls(paths: Sequence[Path]) -> pd.DataFrame:
    """All pulls stacked in the given (date) order, with ``_file`` (position in ``paths``).

    Text columns are categorical: filtering, sorting and grouping become integer
    operations. The columns are encoded side by side on Arrow's CPU threads (Arrow
    releases the GIL while it hashes; each column's result is its own, so the
    output does not depend on the threads).
    """
    if not paths:
        df = empty_lis()
        df["_file"] = pd.Series(dtype="int64")
        return df.astype({c: "category" for c in LIS_COLUMNS})
    tables = [read_lis_table(path) for path in paths]
    stacked = pa.concat_tables(tables)

    def encode(column: str) -> pd.Categorical:
        return sorted_categorical(stacked.column(column), column not in KEY_ONLY)

    with ThreadPoolExecutor(max_workers=pa.cpu_count()) as pool:
        out = dict(zip(LIS_COLUMNS, pool.map(encode, LIS_COLUMNS), strict=True))
    out["SRCROW"] = np.array(stacked.column("SRCROW").to_numpy(), dtype=np.int64)  # writable
    out["_file"] = np.repeat(np.arange(len(tables), dtype=np.int64), [t.num_rows for t in tables])
    # every array above is new and owned by nobody else: no second copy
    return pd.DataFrame(out, copy=False)


#: LIS columns that tell most rows apart with few bits between them (accession, test,
#: time point, release): the first grouping of :func:`derive_duplicates`.
DUPLICATE_KEY = ("ACCESSION", "VERIFIED_AT", "TEST_CODE", "SAMPLE_LABEL", "STATUS")


def derive_duplicates(lis: pd.DataFrame, rows: np.ndarray | None = None) -> np.ndarray:
    """Reason code (int8) for rows byte-identical to a row read before them, else 0.

    docs/raw-exports.md, "Overlapping pulls": the same result appears in several files,
    byte for byte; the first copy (earliest pull, first line) is kept. ``rows``: the
    positions of the rows to compare (default: all), in stacking order.

    Rows are grouped by :data:`DUPLICATE_KEY` (one factorisation); every other column is
    compared with the group's first row by integer codes. Groups whose rows all equal
    their first row are one identity each; only the rows of groups that differ somewhere
    are told apart on all 15 columns.
    """
    rows = np.arange(len(lis)) if rows is None else np.asarray(rows)
    parts = {col: column_codes(lis[col], rows) for col in LIS_COLUMNS}
    dense, _ = pd.factorize(combine_codes([parts[c] for c in DUPLICATE_KEY], len(rows)))
    first = first_occurrences(dense)
    anchor = np.flatnonzero(first)[dense]  # each row's group's first row
    same = np.ones(len(rows), dtype=bool)
    for col in LIS_COLUMNS:
        if col not in DUPLICATE_KEY:
            codes = parts[col][0]
            same &= codes == codes[anchor]
    ident = dense
    if not same.all():
        split = np.zeros(int(dense.max()) + 1, dtype=bool)
        split[dense[~same]] = True
        mixed = np.flatnonzero(split[dense])
        # columns with the most distinct values first: fewer re-factorisations
        columns = sorted(LIS_COLUMNS, key=lambda c: -parts[c][1])
        sub, _ = pd.factorize(
            combine_codes([(parts[c][0][mixed], parts[c][1]) for c in columns], len(mixed))
        )
        ident = dense.copy()
        ident[mixed] = len(split) + sub
        first[mixed] = first_occurrences(sub)
    out = np.where(first, 0, CODE[R_DUP_EARLIER]).astype(np.int8)
    # only rows whose values occur more than once can repeat within their own pull
    repeated = np.flatnonzero(np.bincount(ident)[ident] > 1)
    if len(repeated):
        file_index = lis["_file"].to_numpy()[rows]
        nfiles = int(file_index.max()) + 1
        key = ident[repeated].astype(np.int64) * nfiles + file_index[repeated]
        same_pull = pd.Series(key).duplicated(keep="first").to_numpy()
        out[repeated[same_pull]] = CODE[R_DUP_SAME]
    return out


def resolve_status(work: pd.DataFrame) -> pd.Series:
    """Reason code from STATUS handling; 0 for the row that stands for its result.

    docs/raw-exports.md: C supersedes every earlier row of the same ACCESSION +
    TEST_CODE + SAMPLE_LABEL; X voids the result; among rows of the same result the
    latest release (VERIFIED_AT) wins. ``work`` needs ACCESSION, TEST_CODE, ATPTN,
    STATUS, _verified, _file, SRCROW.
    """
    keys = ["ACCESSION", "TEST_CODE", "ATPTN"]
    ranked = work[["_verified", "_file", "SRCROW"]].assign(_gid=row_identity(work, keys))
    pos = sort_order(ranked, ["_gid", "_verified", "_file", "SRCROW"], na_position="first")
    gid = ranked["_gid"].to_numpy()[pos]
    last = group_ends(gid)
    # the winner of each group is its last row; spread its STATUS over the group
    group = np.cumsum(group_starts(gid)) - 1
    codes, found = pd.factorize(work["STATUS"])
    status = codes[pos]
    winner_status = status[last][group]
    code_of = {str(v): i for i, v in enumerate(found)}
    sorted_reason = np.zeros(len(pos), dtype=np.int8)
    for st, code in (("C", R_CORRECTED), ("F", R_RELEASE), ("X", R_VOIDED)):
        sorted_reason[~last & (winner_status == code_of.get(st, -2))] = CODE[code]
    sorted_reason[last & (status == code_of.get("X", -2))] = CODE[R_CANCELLED]
    reason = np.empty(len(pos), dtype=np.int8)
    reason[pos] = sorted_reason
    return pd.Series(reason, index=work.index)


def derive_aval(value: pd.Series, qualifier: pd.Series, blq: str) -> pd.DataFrame:
    """AVAL, LLOQ, LLOQFL, ULOQFL from a converted value and its qualifier.

    docs/conventions.md: ``<x`` is a real result below the limit x; AVAL is
    x/2 (``half``, TrialNet default), x (``limit``) or 0 (``zero``), and LLOQ keeps
    x so that another convention can be applied later. ``>x``: AVAL = x, ULOQFL = Y.
    ``value`` is already in analysis units.
    """
    if blq not in BLQ_RULES:
        raise ValueError(f"analysis.blq must be one of {BLQ_RULES}, not {blq!r}")
    below, above = quantification_masks(qualifier)
    factor = BLQ_FACTOR[blq]
    aval = value.where(~below, value * factor)
    return pd.DataFrame(
        {
            "AVAL": aval.astype(float),
            "LLOQ": value.where(below).astype(float),
            "LLOQFL": flag_array(below),
            "ULOQFL": flag_array(above),
        },
        index=value.index,
    )


def quantification_masks(qualifier: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(LLOQFL, ULOQFL) of :func:`derive_aval` as boolean arrays: ``<`` below the limit of
    quantification, ``>`` above the upper limit."""
    return (qualifier == "<").to_numpy(bool), (qualifier == ">").to_numpy(bool)


def derive_atpt(atptn: pd.Series) -> pd.Categorical:
    """ATPT text of the MMTT minute: ``30`` -> ``30 MIN``; empty for non-MMTT samples."""
    minutes = pd.Index(MMTT_MINUTES)
    codes = minutes.get_indexer(atptn.astype("Float64").fillna(np.nan).to_numpy(dtype=float))
    return pd.Categorical.from_codes(codes, categories=[f"{m} MIN" for m in MMTT_MINUTES])


_PULL_DATE = re.compile(r"LIS_EXPORT_(\d{8})\.csv$")


def pull_ends(files: Sequence[str]) -> np.ndarray:
    """End of each pull's day (the date in ``LIS_EXPORT_<YYYYMMDD>.csv`` + 1 day), NaT if unnamed.

    A pull cannot hold a result collected or released after it was made.
    """
    ends = []
    for f in files:
        match = _PULL_DATE.search(Path(f).name)
        day = pd.to_datetime(match.group(1) if match else "", format="%Y%m%d", errors="coerce")
        if match and pd.isna(day):
            raise InputError(f, "", "a file name LIS_EXPORT_<YYYYMMDD>.csv with a real date")
        ends.append(day + pd.Timedelta(days=1))
    return np.asarray(pd.to_datetime(pd.Series(ends, dtype="datetime64[s]")), dtype="datetime64[s]")


def _check_identity(lis: pd.DataFrame, subj: pd.DataFrame, files: list[str]) -> None:
    """LIS SEX and DOB must match the REDCap record the MRN links to (else: wrong linkage).

    Checked once per distinct (record, SEX, DOB); the first row of a bad combination
    (pulls in date order, then lines) is the one reported.
    """
    combos = lis[["_record", "SEX", "DOB", "_file", "SRCROW"]].drop_duplicates(
        subset=["_record", "SEX", "DOB"]
    )
    ref = subj.set_index("record_id").reindex(combos["_record"].astype(object))
    ref.index = combos.index
    sex = combos["SEX"].astype(object)
    _raise(
        first_bad(
            combos,
            (sex != ref["sex_mf"].astype(object)) & ref["sex_mf"].notna(),
            "SEX",
            "the sex recorded in REDCap for the record this MRN links to (wrong MRN linkage?)",
            files,
        )
    )
    dob = parse_datetimes(combos["DOB"], LIS_DATE)
    bad = dob.isna() | ((dob != ref["dob"]) & ref["dob"].notna())
    if bad.any():
        row = combos[bad].sort_values(["_file", "SRCROW"]).iloc[0]
        raise InputError(
            files[int(row["_file"])],
            "DOB",
            f"the date of birth (DD/MM/YYYY) recorded in REDCap for record {row['_record']}, "
            "the record this MRN links to (wrong MRN linkage?)",
            line=int(row["SRCROW"]),
        )


#: What VERIFIED_AT and COLLECTED must be: not after the pull.
FUTURE = "a time before the end of the pull date in the file name (a date in the future?)"


def select_trial_rows(
    lis: pd.DataFrame, subjects: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Exclusion reason code of every stacked LIS row (0 = kept so far) and the mask of
    the rows that stand: rows of trial participants (by MRN), of tests the analysis
    uses, that are not byte-identical copies from overlapping pulls. Also returns the
    MRN -> record_id map."""
    reason = np.zeros(len(lis), dtype=np.int8)
    linked = subjects[subjects["mrn"].notna()]
    mrn_to_record = pd.Series(linked["record_id"].to_numpy(), index=linked["mrn"].to_numpy())
    trial = lis["MRN"].isin(mrn_to_record.index).to_numpy()
    reason[~trial] = CODE[R_OTHER]
    known = lis["TEST_CODE"].isin(list(LAB_TESTS)).to_numpy()
    reason[trial & ~known] = CODE[R_TEST]
    live = trial & known
    if live.any():
        reason[live] = derive_duplicates(lis, np.flatnonzero(live))
    live &= reason == 0
    return reason, live, mrn_to_record


def check_release_fields(work: pd.DataFrame, files: list[str]) -> pd.Series:
    """ATPTN from SAMPLE_LABEL, and InputErrors for a bad SAMPLE_LABEL, STATUS or
    VERIFIED_AT (not a time, or after the pull); returns each row's pull end."""
    label = parse_sample_label(work["SAMPLE_LABEL"])
    expected = (
        "MMTT <minutes> with minutes in "
        + ", ".join(str(m) for m in MMTT_MINUTES)
        + ", FASTING or empty"
    )
    _raise(first_bad(work, label["bad"], "SAMPLE_LABEL", expected, files))
    work["ATPTN"] = label["ATPTN"].astype("Int64")
    _raise(first_bad(work, ~work["STATUS"].isin(STATUSES), "STATUS", "F, C or X", files))
    work["_verified"] = parse_datetimes(work["VERIFIED_AT"], LIS_DATETIME)
    _raise(
        first_bad(work, work["_verified"].isna(), "VERIFIED_AT", "a time DD/MM/YYYY HH:MM", files)
    )
    pull_end = pd.Series(pull_ends(files)[work["_file"].to_numpy()], index=work.index)
    _raise(
        first_bad(work, (work["_verified"] >= pull_end).fillna(False), "VERIFIED_AT", FUTURE, files)
    )
    return pull_end


def check_collection_times(
    work: pd.DataFrame, subjects: pd.DataFrame, pull_end: pd.Series, files: list[str]
) -> None:
    """_collected from COLLECTED; InputErrors for a time that is not one, after the pull
    (``pull_end``, row by row with ``work``), or before the participant's date of birth."""
    work["_collected"] = parse_datetimes(work["COLLECTED"], LIS_DATETIME)
    _raise(
        first_bad(work, work["_collected"].isna(), "COLLECTED", "a time DD/MM/YYYY HH:MM", files)
    )
    after_pull = work["_collected"] >= pull_end.set_axis(work.index)
    _raise(first_bad(work, after_pull, "COLLECTED", FUTURE, files))
    dob = per_category(work["_record"], subjects.set_index("record_id")["dob"])
    dob = dob.astype("datetime64[s]")
    _raise(
        first_bad(
            work,
            (work["_collected"] < dob).fillna(False),
            "COLLECTED",
            "a time after the participant's date of birth (wrong century?)",
            files,
        )
    )


def derive_analysis_values(
    work: pd.DataFrame,
    files: list[str],
    blq: str,
    limits: Limits | None,
    reference_ranges: Mapping[str, tuple[float | None, float | None]] | None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Parsed RESULT, AVAL/LLOQ/LLOQFL/ULOQFL in analysis units and the reference limits;
    InputErrors for a bad RESULT, an unknown unit or an implausible value."""
    res = parse_result(work["RESULT"])
    _raise(first_bad(work, res["bad"], "RESULT", RESULT_EXPECTED, files))
    slope, icpt = conversion_factors(work["TEST_CODE"], work["UNITS"])
    unknown_unit = pd.Series(np.isnan(slope), index=work.index)
    bad_unit = unknown_unit & ((work["UNITS"] != "") | res["value"].notna())
    if bad_unit.any():
        row = work[bad_unit].sort_values(["_file", "SRCROW"]).iloc[0]
        raise InputError(
            files[int(row["_file"])],
            "UNITS",
            f"a unit of test {row['TEST_CODE']}: " + ", ".join(allowed_units(row["TEST_CODE"])),
            line=int(row["SRCROW"]),
            found=str(row["UNITS"]),
        )
    limits = compute_plausibility_limits() if limits is None else limits
    _raise(check_lab_plausibility(work, res["value"], files, limits))
    value = pd.Series(res["value"].to_numpy(dtype=float) * slope + icpt, index=work.index)
    aval = derive_aval(value, res["qualifier"], blq)
    ref_limits = derive_var_anrlo_anrhi(work, slope, icpt, files, reference_ranges)

    return res, aval, ref_limits


def assemble_adlb(
    work: pd.DataFrame,
    res: pd.DataFrame,
    aval: pd.DataFrame,
    ref_limits: pd.DataFrame,
    schedule: Sequence[Mapping[str, Any]],
    srcfiles: list[str],
) -> pd.DataFrame:
    """ADLB's columns: PARAMCD/PARAM/AVALU of the test, study day, MMTT time point,
    visit, the analysis flags (ANL01FL, RPTDRWFL per session, ABLFL), limits of
    quantification, missing reasons, reference limits, source file and row."""
    tests = sorted(LAB_TESTS)
    # recoded through the categories: no text per row
    paramcd = pd.Categorical(work["TEST_CODE"]).set_categories(tests)
    adlb = pd.DataFrame(index=work.index)
    adlb["USUBJID"] = work["_record"]
    adlb["PARAMCD"] = paramcd
    adlb["PARAM"] = paramcd.rename_categories([LAB_TESTS[t].param for t in tests])
    adlb["AVAL"] = aval["AVAL"]
    units = np.array([LAB_TESTS[t].unit for t in tests], dtype=object)
    adlb["AVALU"] = categorical_take(units, paramcd.codes)
    adlb["ADY"] = derive_study_day(work["_collected"], work["_infusion"])
    adlb["ATPTN"] = work["ATPTN"]
    adlb["ATPT"] = derive_atpt(work["ATPTN"])
    visit = derive_visit(adlb["ADY"], schedule)
    adlb["AVISIT"] = visit["AVISIT"]
    adlb["AVISITN"] = visit["AVISITN"]
    adlb["_collected"] = work["_collected"]
    adlb["_file"] = work["_file"]
    adlb["SRCROW"] = work["SRCROW"].astype("Int64")
    keys = ["USUBJID", "PARAMCD", "ATPTN"]
    order = ["_collected", "_file", "SRCROW"]
    # flags as boolean arrays, written as text after the final sort (a take of a
    # boolean array instead of a text column)
    anl, rpt = analysis_flag_masks(
        adlb.assign(_SESSION=derive_session_day(adlb)), [*keys, "_SESSION"], order
    )
    below, above = quantification_masks(res["qualifier"])
    flags = {
        "ABLFL": baseline_flag_mask(adlb, keys, order, exclude=rpt),
        "ANL01FL": anl,
        "LLOQFL": below,
        "ULOQFL": above,
        "RPTDRWFL": rpt,
    }
    adlb["LLOQ"] = aval["LLOQ"]
    adlb["MISSRSN"] = res["MISSRSN"]
    adlb[REFERENCE_COLUMNS] = ref_limits
    adlb["SRCFILE"] = pd.Categorical.from_codes(adlb["_file"].to_numpy(), categories=list(srcfiles))
    keys = ["USUBJID", "PARAMCD", "ADY", "ATPTN", "_file", "SRCROW"]
    order = sort_order(adlb, keys, na_position="first")
    columns = [*ADLB_COLUMNS, *REFERENCE_COLUMNS]
    taken = adlb[[c for c in columns if c not in flags]].take(order).reset_index(drop=True)
    return pd.DataFrame(
        {c: flag_array(flags[c][order]) if c in flags else taken[c] for c in columns}
    )


#: LIS columns compared for duplicates only: not copied with the rows that stand.
NOT_READ = ("PATIENT_NAME", "TEST_NAME", "FLAG")


def derive_adlb(
    lis: pd.DataFrame,
    files: list[str],
    srcfiles: list[str],
    subjects: pd.DataFrame,
    schedule: Sequence[Mapping[str, Any]],
    blq: str = "half",
    limits: Limits | None = None,
    reference_ranges: Mapping[str, tuple[float | None, float | None]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """adlb and the LIS part of the reconciliation.

    ``lis``: stacked pulls (:func:`read_lis_pulls`); ``files``: their paths for
    messages; ``srcfiles``: their date-free labels (SRCFILE); ``subjects``: one row
    per record with record_id, mrn, sex_mf (M/F), dob and infusion (datetime64);
    ``limits``: plausibility limits per test and unit (default: the table of
    :mod:`plmsc.ingest.units`), checked on the values of the rows that stand.
    """
    reason, live, mrn_to_record = select_trial_rows(lis, subjects)
    records = sorted(subjects["record_id"])
    file_index = lis["_file"].to_numpy()
    lis_pos = pd.Series(np.flatnonzero(live))  # raw position of each live row
    # a new frame (copy-on-write): adding columns leaves the input alone; the columns
    # no step reads after the duplicate check are left behind
    lis = lis.iloc[lis_pos.to_numpy(), [c not in NOT_READ for c in lis.columns]]
    lis_pos.index = lis.index
    lis["_record"] = recode(lis["MRN"], mrn_to_record, records)
    _check_identity(lis, subjects, files)
    infusion = subjects.set_index("record_id")["infusion"]
    inf = per_category(lis["_record"], infusion).astype("datetime64[s]")
    no_inf = inf.isna().to_numpy()
    reason[lis_pos.to_numpy()[no_inf]] = CODE[R_NOINF]
    work = lis[~no_inf]
    work["_infusion"] = inf[~no_inf]
    pull_end = check_release_fields(work, files)
    status_reason = resolve_status(work).to_numpy()
    reason[lis_pos[work.index].to_numpy()] = status_reason
    work, pull_end = work[status_reason == 0], pull_end[status_reason == 0]

    check_collection_times(work, subjects, pull_end, files)
    res, aval, ref_limits = derive_analysis_values(work, files, blq, limits, reference_ranges)
    adlb = assemble_adlb(work, res, aval, ref_limits, schedule, srcfiles)
    recon = reconcile(file_index, reason, srcfiles, REASONS)
    return adlb, recon


def categorical_take(table: np.ndarray, codes: np.ndarray) -> pd.Categorical:
    """``pd.Categorical(table[codes])`` (categories: the values that occur, sorted), built
    from the codes that occur instead of from one value per row."""
    counts = np.bincount(codes.astype(np.int64) + 1, minlength=len(table) + 1)
    occurring = np.flatnonzero(counts) - 1  # codes that occur, -1 (last entry) included
    small = pd.Categorical(table[occurring])
    recode = np.full(len(table) + 1, -1, dtype=np.int64)
    recode[occurring + 1] = small.codes
    return pd.Categorical.from_codes(recode[codes.astype(np.int64) + 1], dtype=small.dtype)


def per_category(values: pd.Series, mapping: pd.Series) -> pd.Series:
    """``values.map(mapping)``, for a categorical column looked up once per category.

    ``mapping``: a Series indexed by distinct values; missing where a value is not in it.
    """
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return values.map(mapping)
    table = pd.Series(mapping.reindex(values.cat.categories).to_numpy())
    # code -1 (a missing value) is no label of the table: missing
    return pd.Series(table.reindex(values.cat.codes.to_numpy()).to_numpy(), index=values.index)


def recode(values: pd.Series, mapping: pd.Series, categories: Sequence[str]) -> pd.Categorical:
    """``mapping[value]`` of every row as a Categorical with ``categories`` (missing where
    the value is not in the index of ``mapping``, or its text not in ``categories``);
    a categorical column is looked up once per category, no text per row."""
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return pd.Categorical(values.map(mapping).astype(object), categories=categories)
    per_category = pd.Index(categories).get_indexer(mapping.reindex(values.cat.categories))
    codes = np.append(per_category, -1)[values.cat.codes.to_numpy()]  # -1 stays missing
    return pd.Categorical.from_codes(codes, categories=categories)


def derive_session_day(adlb: pd.DataFrame) -> pd.Series:
    """The MMTT session of a draw: its study day (one participant's MMTT on one
    collection day); missing for a sample outside an MMTT (no ATPTN).

    Used as a key of the draw-level flags, so that RPTDRWFL = Y marks only a second
    tube of the same minute of the same session (a re-draw) and every session of a
    visit window keeps its own draws; which session a window analyses is decided on
    its endpoints in ADEFF. Samples outside an MMTT keep one result per visit window.
    """
    return adlb["ADY"].where(adlb["ATPTN"].notna())


def _raise(err: InputError | None) -> None:
    if err is not None:
        raise err


def reconcile(
    file_index: np.ndarray, reason: np.ndarray, srcfiles: Sequence[str], reasons: Sequence[str]
) -> pd.DataFrame:
    """Counts per (SRCFILE, DISPOSITION, REASON) from per-row reason codes (0 = kept).

    A file with no rows at all still appears, as kept with N = 0.
    """
    n = len(reasons)
    flat = file_index.astype(np.int64) * n + reason.astype(np.int64)
    counts = np.bincount(flat, minlength=len(srcfiles) * n).reshape(len(srcfiles), n)
    files, codes = np.nonzero(counts)
    empty = np.flatnonzero(counts.sum(axis=1) == 0)
    files = np.concatenate([files, empty])
    codes = np.concatenate([codes, np.zeros(len(empty), dtype=codes.dtype)])
    out = pd.DataFrame(
        {
            "SRCFILE": np.asarray(srcfiles, dtype=object)[files],
            "DISPOSITION": np.where(codes == 0, "kept", "excluded"),
            "REASON": np.asarray(reasons, dtype=object)[codes],
            "N": counts[files, codes].astype(np.int64),
        }
    )
    return out.astype({"SRCFILE": "str", "DISPOSITION": "str", "REASON": "str"})
