"""Data-quality views of a cohort: reconciliation, completeness, unscheduled and missing values.

Read from the analysis datasets, ``qc/reconciliation.csv``, ``qc/decisions.csv`` and
``qc/completeness.csv`` (:func:`compute_completeness`, expected versus received
assessments) only; shown in the data-quality notebook.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from plmsc.constants import UNSCHEDULED
from plmsc.report.tables import analysed


def reconciliation_by_file(recon: pd.DataFrame) -> pd.DataFrame:
    """One row per source file: rows kept, excluded and read (= kept + excluded).

    The rows of each file's exclusions by reason follow as one column per reason.
    """
    disp = recon.pivot_table(
        index="SRCFILE", columns="DISPOSITION", values="N", aggfunc="sum", fill_value=0
    )
    disp = disp.reindex(columns=["kept", "excluded"], fill_value=0)
    out = disp.rename(columns={"kept": "KEPT", "excluded": "EXCLUDED"})
    out["READ"] = out["KEPT"] + out["EXCLUDED"]
    reasons = recon[recon["DISPOSITION"] == "excluded"].pivot_table(
        index="SRCFILE", columns="REASON", values="N", aggfunc="sum", fill_value=0
    )
    out = out[["READ", "KEPT", "EXCLUDED"]].join(reasons).fillna(0)
    out = out.astype(int).sort_index()
    return out.reset_index().rename_axis(columns=None)


def applied_decisions(decisions: pd.DataFrame) -> pd.DataFrame:
    """The data-management decisions ingestion applied (``qc/decisions.csv``), by line.

    One row per decision: where it applied (source file label and line, or REDCap
    record, event and instance), the test or field, the value before and after,
    the action, how many copies in overlapping pulls followed it, the reason and
    the query reference. Calendar dates and identifiers are withheld upstream.
    """
    cols = [
        "DECISION",
        "SOURCE",
        "SRCFILE",
        "SRCROW",
        "USUBJID",
        "EVENT",
        "INSTANCE",
        "FIELD",
        "ACTION",
        "ORIGVAL",
        "NEWVAL",
        "NCOPIES",
        "REASON",
        "QUERYREF",
    ]
    out = decisions.reindex(columns=cols).sort_values("DECISION", kind="stable")
    return out.reset_index(drop=True)


def visit_completeness(adeff: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    """Participants with an analysed value, per endpoint (rows) and scheduled visit (columns).

    Cells read ``n/N`` with N the number of participants; visits where an endpoint
    was never measured stay empty.
    """
    total = adsl["USUBJID"].nunique()
    anl = analysed(adeff)
    anl = anl[anl["AVAL"].notna()]
    counts = anl.groupby(["PARAMCD", "AVISITN", "AVISIT"])["USUBJID"].nunique().reset_index()
    counts["CELL"] = counts["USUBJID"].astype(str) + f"/{total}"
    wide = counts.pivot(index="PARAMCD", columns="AVISITN", values="CELL")
    names = counts.drop_duplicates("AVISITN").set_index("AVISITN")["AVISIT"]
    wide = wide.sort_index(axis=1).rename(columns=names).fillna("")
    return wide.reset_index().rename_axis(columns=None)


def unscheduled_values(adlb: pd.DataFrame, adeff: pd.DataFrame) -> pd.DataFrame:
    """Values outside every visit window (AVISIT = UNSCHEDULED), labs and endpoints.

    They stay in the datasets but no per-visit summary uses them.
    """
    cols = ["USUBJID", "PARAMCD", "ADY", "AVAL"]
    lab = adlb.loc[adlb["AVISIT"] == UNSCHEDULED, cols].assign(DATASET="adlb")
    eff = adeff.loc[adeff["AVISIT"] == UNSCHEDULED, cols].assign(DATASET="adeff")
    out = pd.concat([lab, eff], ignore_index=True)[["DATASET", *cols]]
    return out.sort_values(["DATASET", "USUBJID", "PARAMCD", "ADY"], ignore_index=True)


def missing_reasons(adlb: pd.DataFrame) -> pd.DataFrame:
    """Missing lab results by test (rows) and reason (columns: HEMOLYZED, QNS, ...)."""
    miss = adlb[adlb["MISSRSN"].notna() & adlb["MISSRSN"].ne("")]
    if miss.empty:
        return pd.DataFrame({"PARAMCD": pd.Series(dtype=str)})
    out = miss.groupby(["PARAMCD", "MISSRSN"]).size().unstack(fill_value=0)
    return out.reset_index().rename_axis(columns=None)


def repeat_draws(adlb: pd.DataFrame) -> pd.DataFrame:
    """Lab results that lost to a repeat draw of the same visit (RPTDRWFL = Y)."""
    cols = ["USUBJID", "PARAMCD", "AVISIT", "ADY", "ATPTN", "AVAL", "MISSRSN"]
    rows = adlb[adlb["RPTDRWFL"].eq("Y").fillna(False)]
    return rows[[c for c in cols if c in rows]].reset_index(drop=True)


#: ADLB tests that make each assessment of the config's ``assessments``, and whether
#: they are MMTT draws (ATPTN set) or samples outside an MMTT (ATPTN empty).
ASSESSMENT_TESTS: dict[str, tuple[tuple[str, ...], bool | None]] = {
    "mmtt": (("CPEP",), True),
    "hba1c": (("HBA1C",), None),
    "antibodies": (("GADA", "ZNT8A", "IA2A"), None),
    "safety": (("ALT", "AST", "CREAT", "WBC", "PLT", "HGB"), None),
    "fasting_cpep": (("CPEP",), False),
}
#: MMTT draws of a complete session (minutes).
MMTT_MINUTES = (-10, 0, 15, 30, 60, 90, 120)
COMPLETENESS_COLUMNS = [
    "USUBJID", "ASSESSMENT", "AVISIT", "AVISITN", "N_EXPECTED", "N_RECEIVED", "STATUS",
    "NOT_RECEIVED",
]  # fmt: skip


def compute_completeness(
    adsl: pd.DataFrame,
    adlb: pd.DataFrame,
    schedule: Sequence[Mapping[str, Any]],
    assessments: Mapping[str, Sequence[str]],
) -> pd.DataFrame:
    """Expected versus received assessments, per participant, assessment and visit.

    Expected: every participant of ADSL at every visit the cohort's ``assessments``
    config schedules for the assessment. N_EXPECTED results: one per test (HbA1c 1,
    autoantibodies 3, safety laboratory 6, fasting C-peptide 1) or, for the MMTT, one
    per draw (7: -10 to 120 min). N_RECEIVED: distinct tests (MMTT: distinct draw
    minutes) with a non-missing result in ADLB in the visit's window (AVISIT; a
    re-drawn tube counts once, values outside every window do not count). STATUS:
    ``complete`` (N_RECEIVED = N_EXPECTED), ``partial`` or ``missing`` (none).
    NOT_RECEIVED lists the absent tests (MMTT: draw minutes), in their order.
    """
    day = {v["visit"]: v["day"] for v in schedule}
    expected = pd.DataFrame(
        [(a, v) for a, visits in assessments.items() for v in visits],
        columns=["ASSESSMENT", "AVISIT"],
    )
    grid = adsl[["USUBJID"]].drop_duplicates().merge(expected, how="cross")
    lab = adlb[adlb["AVAL"].notna() & adlb["RPTDRWFL"].ne("Y") & (adlb["AVISIT"] != UNSCHEDULED)]
    parts = []
    for name, (tests, mmtt) in ASSESSMENT_TESTS.items():
        sel = lab["PARAMCD"].isin(tests)
        if mmtt is not None:
            sel &= lab["ATPTN"].notna() if mmtt else lab["ATPTN"].isna()
        key = lab.loc[sel, ["USUBJID", "AVISIT"]].assign(
            ASSESSMENT=name,
            RESULT=lab.loc[sel, "ATPTN"].astype(int).astype(str)
            if mmtt
            else lab.loc[sel, "PARAMCD"].astype(str),
        )
        parts.append(key.drop_duplicates())
    received = pd.concat(parts, ignore_index=True).assign(_GOT=True)
    wanted = pd.DataFrame(
        [
            (a, r)
            for a, (tests, mmtt) in ASSESSMENT_TESTS.items()
            for r in ([str(m) for m in MMTT_MINUTES] if mmtt else tests)
        ],
        columns=["ASSESSMENT", "RESULT"],
    )
    keys = ["USUBJID", "ASSESSMENT", "AVISIT"]
    full = grid.merge(wanted, on="ASSESSMENT").merge(received, on=[*keys, "RESULT"], how="left")
    got = full["_GOT"].eq(True)
    summary = (
        full.assign(_GOT=got)
        .groupby(keys, sort=False)
        .agg(N_EXPECTED=("RESULT", "size"), N_RECEIVED=("_GOT", "sum"))
    )
    absent = full[~got].groupby(keys, sort=False)["RESULT"].agg(", ".join).rename("NOT_RECEIVED")
    out = grid.join(summary, on=keys).join(absent, on=keys)
    out["NOT_RECEIVED"] = out["NOT_RECEIVED"].fillna("")
    out = out.astype({"N_EXPECTED": int, "N_RECEIVED": int})
    out["AVISITN"] = out["AVISIT"].map(day).astype("Int64")
    out["STATUS"] = np.select(
        [out["N_RECEIVED"] >= out["N_EXPECTED"], out["N_RECEIVED"] > 0],
        ["complete", "partial"],
        "missing",
    )
    order = {a: i for i, a in enumerate(assessments)}
    out = out.sort_values(
        ["USUBJID", "ASSESSMENT", "AVISITN"],
        key=lambda s: s.map(order) if s.name == "ASSESSMENT" else s,
        kind="stable",
        ignore_index=True,
    )
    return out[COMPLETENESS_COLUMNS]


def completeness_by_visit(completeness: pd.DataFrame) -> pd.DataFrame:
    """Participants per assessment and visit: expected, complete, partial, missing."""
    c = completeness
    table = pd.crosstab([c["ASSESSMENT"], c["AVISITN"], c["AVISIT"]], c["STATUS"]).reindex(
        columns=["complete", "partial", "missing"], fill_value=0
    )
    table.insert(0, "expected", table.sum(axis=1))
    order = {a: i for i, a in enumerate(dict.fromkeys(c["ASSESSMENT"]))}
    table = table.reset_index().rename_axis(columns=None)
    table = table.sort_values(
        ["ASSESSMENT", "AVISITN"],
        key=lambda s: s.map(order) if s.name == "ASSESSMENT" else s,
        kind="stable",
    )
    return table.drop(columns="AVISITN").reset_index(drop=True)


def missing_assessments(completeness: pd.DataFrame) -> pd.DataFrame:
    """The expected assessments that are missing or partial, one row each."""
    return completeness[completeness["STATUS"] != "complete"].reset_index(drop=True)
