"""Data-quality views of a cohort: reconciliation, completeness, unscheduled and missing values.

Read from the analysis datasets, ``qc/reconciliation.csv`` and ``qc/decisions.csv``
only; shown in the
data-quality notebook.
"""

from __future__ import annotations

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
