"""LIS pulls -> adlb, the harmonised laboratory dataset (raw-exports.md section 1;
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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

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
    read_lis_export,
)
from plmsc.ingest.units import LAB_TESTS, allowed_units, convert_units, unknown_unit_mask
from plmsc.ingest.visits import (
    derive_analysis_flags,
    derive_baseline_flag,
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
BLQ_RULES = ("half", "limit", "zero")


def empty_lis() -> pd.DataFrame:
    """A LIS frame with no rows (a cohort without LIS pulls)."""
    df = pd.DataFrame({c: pd.Series(dtype="str") for c in LIS_COLUMNS})
    df["SRCROW"] = pd.Series(dtype="int64")
    return df


def read_lis_pulls(paths: Sequence[Path]) -> pd.DataFrame:
    """All pulls stacked in the given (date) order, with ``_file`` (position in ``paths``)."""
    frames = []
    for i, path in enumerate(paths):
        df = read_lis_export(path)
        df["_file"] = i
        frames.append(df)
    if not frames:
        df = empty_lis()
        df["_file"] = pd.Series(dtype="int64")
        return df
    return pd.concat(frames, ignore_index=True)


def derive_duplicates(lis: pd.DataFrame) -> pd.Series:
    """Reason for rows byte-identical to a row read before them, else NA.

    raw-exports.md, "Overlapping pulls": the same result appears in several files,
    byte for byte; the first copy (earliest pull, first line) is kept.
    """
    gid = lis.groupby(LIS_COLUMNS, sort=False, dropna=False).ngroup()
    dup = gid.duplicated(keep="first")
    same = pd.DataFrame({"g": gid, "f": lis["_file"]}).duplicated(keep="first")
    out = pd.Series(pd.NA, index=lis.index, dtype="str")
    out[dup] = R_DUP_EARLIER
    out[same] = R_DUP_SAME
    return out


def resolve_status(work: pd.DataFrame) -> pd.Series:
    """Exclusion reason from STATUS handling, NA for the row that stands for its result.

    raw-exports.md: C supersedes every earlier row of the same ACCESSION +
    TEST_CODE + SAMPLE_LABEL; X voids the result; among rows of the same result the
    latest release (VERIFIED_AT) wins. ``work`` needs ACCESSION, TEST_CODE, ATPTN,
    STATUS, _verified, _file, SRCROW.
    """
    keys = ["ACCESSION", "TEST_CODE", "ATPTN"]
    s = work[[*keys, "STATUS", "_verified", "_file", "SRCROW"]].sort_values(
        [*keys, "_verified", "_file", "SRCROW"], na_position="first", kind="stable"
    )
    gid = (~s.duplicated(subset=keys, keep="first")).cumsum()
    last = ~s.duplicated(subset=keys, keep="last")
    winner_status = s["STATUS"].groupby(gid.to_numpy()).transform("last")
    reason = pd.Series(pd.NA, index=s.index, dtype="str")
    reason[~last & (winner_status == "C")] = R_CORRECTED
    reason[~last & (winner_status == "F")] = R_RELEASE
    reason[~last & (winner_status == "X")] = R_VOIDED
    reason[last & (s["STATUS"] == "X")] = R_CANCELLED
    return reason.reindex(work.index)


def derive_aval(value: pd.Series, qualifier: pd.Series, blq: str) -> pd.DataFrame:
    """AVAL, LLOQ, LLOQFL, ULOQFL from a converted value and its qualifier.

    analysis-conventions.md: ``<x`` is a real result below the limit x; AVAL is
    x/2 (``half``, TrialNet default), x (``limit``) or 0 (``zero``), and LLOQ keeps
    x so that another convention can be applied later. ``>x``: AVAL = x, ULOQFL = Y.
    ``value`` is already in analysis units.
    """
    if blq not in BLQ_RULES:
        raise ValueError(f"analysis.blq must be one of {BLQ_RULES}, not {blq!r}")
    below = qualifier == "<"
    factor = {"half": 0.5, "limit": 1.0, "zero": 0.0}[blq]
    aval = value.where(~below, value * factor)
    flag = pd.Series(pd.NA, index=value.index, dtype="str")
    return pd.DataFrame(
        {
            "AVAL": aval.astype(float),
            "LLOQ": value.where(below).astype(float),
            "LLOQFL": flag.mask(below, "Y"),
            "ULOQFL": flag.mask(qualifier == ">", "Y"),
        }
    )


def derive_atpt(atptn: pd.Series) -> pd.Series:
    """ATPT text of the MMTT minute: ``30`` -> ``30 MIN``; empty for non-MMTT samples."""
    text = atptn.astype("str") + " MIN"
    return text.where(atptn.notna()).astype("str")


def _check_identity(
    lis: pd.DataFrame, rows: pd.Series, subj: pd.DataFrame, files: list[str]
) -> None:
    """LIS SEX and DOB must match the REDCap record the MRN links to (else: wrong linkage)."""
    sub = lis.loc[rows, ["_file", "SRCROW", "SEX", "DOB", "_record"]]
    ref = subj.set_index("record_id").reindex(sub["_record"])
    ref.index = sub.index
    err = first_bad(
        sub.assign(SEX=sub["SEX"]),
        (sub["SEX"] != ref["sex_mf"]) & ref["sex_mf"].notna(),
        "SEX",
        "the sex recorded in REDCap for the record this MRN links to (wrong MRN linkage?)",
        files,
    )
    if err is not None:
        raise err
    dob = parse_datetimes(sub["DOB"], LIS_DATE)
    bad = dob.isna() | ((dob != ref["dob"]) & ref["dob"].notna())
    if bad.any():
        row = sub[bad].sort_values(["_file", "SRCROW"]).iloc[0]
        raise InputError(
            files[int(row["_file"])],
            "DOB",
            f"the date of birth (DD/MM/YYYY) recorded in REDCap for record {row['_record']}, "
            "the record this MRN links to (wrong MRN linkage?)",
            line=int(row["SRCROW"]),
        )


def derive_adlb(
    lis: pd.DataFrame,
    files: list[str],
    srcfiles: list[str],
    subjects: pd.DataFrame,
    schedule: Sequence[Mapping[str, Any]],
    blq: str = "half",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """adlb and the LIS part of the reconciliation.

    ``lis``: stacked pulls (:func:`read_lis_pulls`); ``files``: their paths for
    messages; ``srcfiles``: their date-free labels (SRCFILE); ``subjects``: one row
    per record with record_id, mrn, sex_mf (M/F), dob and infusion (datetime64).
    """
    reason = pd.Series(pd.NA, index=lis.index, dtype="str")
    linked = subjects[subjects["mrn"].notna()]
    mrn_to_record = pd.Series(linked["record_id"].to_numpy(), index=linked["mrn"].to_numpy())
    trial = lis["MRN"].isin(mrn_to_record.index)
    reason[~trial] = R_OTHER
    known = lis["TEST_CODE"].isin(list(LAB_TESTS))
    reason[trial & ~known] = R_TEST
    live = trial & known
    if live.any():
        reason[live] = derive_duplicates(lis.loc[live])
    live &= reason.isna()
    lis = lis.assign(_record=lis["MRN"].map(mrn_to_record).where(live))
    _check_identity(lis, live, subjects, files)

    infusion = subjects.set_index("record_id")["infusion"]
    inf = lis["_record"].map(infusion)
    reason[live & inf.isna()] = R_NOINF
    live &= reason.isna()

    work = lis.loc[live].copy()
    work["_infusion"] = inf[live]
    label = parse_sample_label(work["SAMPLE_LABEL"])
    expected = (
        "MMTT <minutes> with minutes in "
        + ", ".join(str(m) for m in MMTT_MINUTES)
        + ", FASTING or empty"
    )
    _raise(first_bad(work, label["bad"], "SAMPLE_LABEL", expected, files))
    work["ATPTN"] = label["ATPTN"]
    _raise(first_bad(work, ~work["STATUS"].isin(STATUSES), "STATUS", "F, C or X", files))
    work["_verified"] = parse_datetimes(work["VERIFIED_AT"], LIS_DATETIME)
    _raise(
        first_bad(work, work["_verified"].isna(), "VERIFIED_AT", "a time DD/MM/YYYY HH:MM", files)
    )
    status_reason = resolve_status(work)
    reason[work.index] = status_reason
    work = work[status_reason.isna()]

    work["_collected"] = parse_datetimes(work["COLLECTED"], LIS_DATETIME)
    _raise(
        first_bad(work, work["_collected"].isna(), "COLLECTED", "a time DD/MM/YYYY HH:MM", files)
    )
    res = parse_result(work["RESULT"])
    _raise(first_bad(work, res["bad"], "RESULT", RESULT_EXPECTED, files))
    unknown_unit = unknown_unit_mask(work["TEST_CODE"], work["UNITS"])
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
    value = convert_units(res["value"], work["TEST_CODE"], work["UNITS"])
    aval = derive_aval(value, res["qualifier"], blq)

    adlb = pd.DataFrame(index=work.index)
    adlb["USUBJID"] = work["_record"].astype("str")
    adlb["PARAMCD"] = work["TEST_CODE"].astype("str")
    adlb["PARAM"] = adlb["PARAMCD"].map({k: t.param for k, t in LAB_TESTS.items()}).astype("str")
    adlb["AVAL"] = aval["AVAL"]
    adlb["AVALU"] = adlb["PARAMCD"].map({k: t.unit for k, t in LAB_TESTS.items()}).astype("str")
    adlb["ADY"] = derive_study_day(work["_collected"], work["_infusion"])
    adlb["ATPT"] = derive_atpt(work["ATPTN"])
    adlb["ATPTN"] = work["ATPTN"].astype("Int64")
    visit = derive_visit(adlb["ADY"], schedule)
    adlb["AVISIT"] = visit["AVISIT"]
    adlb["AVISITN"] = visit["AVISITN"]
    adlb["_collected"] = work["_collected"]
    adlb["_file"] = work["_file"]
    adlb["SRCROW"] = work["SRCROW"].astype("Int64")
    keys = ["USUBJID", "PARAMCD", "ATPTN"]
    order = ["_collected", "_file", "SRCROW"]
    flags = derive_analysis_flags(adlb, keys, order)
    adlb["ANL01FL"] = flags["ANL01FL"]
    adlb["RPTDRWFL"] = flags["RPTDRWFL"]
    adlb["ABLFL"] = derive_baseline_flag(adlb, keys, order, exclude=flags["RPTDRWFL"] == "Y")
    adlb["LLOQ"] = aval["LLOQ"]
    adlb["LLOQFL"] = aval["LLOQFL"]
    adlb["ULOQFL"] = aval["ULOQFL"]
    adlb["MISSRSN"] = res["MISSRSN"]
    adlb["SRCFILE"] = (
        pd.Series(np.asarray(srcfiles, dtype=object), dtype="str")
        .take(adlb["_file"].to_numpy())
        .to_numpy()
    )
    adlb = adlb.sort_values(
        ["USUBJID", "PARAMCD", "ADY", "ATPTN", "_file", "SRCROW"], na_position="first"
    )
    adlb = adlb[ADLB_COLUMNS].reset_index(drop=True)
    adlb["SRCFILE"] = adlb["SRCFILE"].astype("str")

    recon = reconcile(lis["_file"], reason, srcfiles, KEPT)
    return adlb, recon


def _raise(err: InputError | None) -> None:
    if err is not None:
        raise err


def reconcile(
    file_index: pd.Series, reason: pd.Series, srcfiles: Sequence[str], kept_reason: str
) -> pd.DataFrame:
    """Counts per (SRCFILE, DISPOSITION, REASON); NA reason = kept (REASON = ``kept_reason``)."""
    df = pd.DataFrame(
        {
            "f": file_index.to_numpy(),
            "DISPOSITION": np.where(reason.isna(), "kept", "excluded"),
            "REASON": reason.fillna(kept_reason).to_numpy(),
        }
    )
    counts = df.groupby(["f", "DISPOSITION", "REASON"], sort=True).size().reset_index(name="N")
    counts.insert(0, "SRCFILE", [srcfiles[int(i)] for i in counts["f"]])
    # files with no rows at all still appear (N = 0, kept)
    empty = [i for i in range(len(srcfiles)) if i not in set(counts["f"])]
    extra = pd.DataFrame(
        {
            "SRCFILE": [srcfiles[i] for i in empty],
            "f": empty,
            "DISPOSITION": "kept",
            "REASON": kept_reason,
            "N": 0,
        }
    )
    out = pd.concat([counts, extra], ignore_index=True) if empty else counts
    return out.sort_values(["f", "DISPOSITION", "REASON"]).drop(columns="f")
