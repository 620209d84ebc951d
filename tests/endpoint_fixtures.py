"""Small hand-made analysis datasets for the endpoint tests."""

from __future__ import annotations

import pandas as pd

SCHEDULE_DAYS = {"Baseline": -7, "Month 1": 30, "Month 3": 90, "Month 6": 180, "Month 12": 365}


def lab(usubjid, paramcd, ady, aval, *, visit, atptn=None, lloq=None, lloqfl=None, rptdrwfl=None):
    return {
        "USUBJID": usubjid,
        "PARAMCD": paramcd,
        "AVAL": aval,
        "ADY": ady,
        "ATPTN": atptn,
        "AVISIT": visit,
        "AVISITN": SCHEDULE_DAYS.get(visit),
        "LLOQ": lloq,
        "LLOQFL": lloqfl,
        "RPTDRWFL": rptdrwfl,
        "ANL01FL": None,
    }


def mmtt(usubjid, ady, visit, values, *, minus10=None, lloq=None, lloqfl=None):
    """C-peptide rows of one MMTT: ``values`` at 0, 15, 30, 60, 90, 120 min (None = missing)."""
    rows = [lab(usubjid, "CPEP", ady, minus10, visit=visit, atptn=-10)]
    for minute, v in zip((0, 15, 30, 60, 90, 120), values, strict=True):
        rows.append(
            lab(usubjid, "CPEP", ady, v, visit=visit, atptn=minute, lloq=lloq, lloqfl=lloqfl)
        )
    return rows


def frame(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df["AVAL"] = df["AVAL"].astype(float)
    df["LLOQ"] = df["LLOQ"].astype(float)
    for col in ("ADY", "ATPTN", "AVISITN"):
        df[col] = df[col].astype("Int64")
    for col in ("LLOQFL", "RPTDRWFL", "ANL01FL"):
        df[col] = df[col].astype("str").where(df[col].notna())
    df.loc[df["AVISIT"] == "UNSCHEDULED", "AVISITN"] = pd.NA
    return df


def vs(usubjid, ady, visit, *, weight=None, tdd=(None, None, None)):
    rows = [{"PARAMCD": "WEIGHT", "AVAL": weight}]
    rows += [{"PARAMCD": f"TDD{i + 1}", "AVAL": t} for i, t in enumerate(tdd)]
    return [
        {**r, "USUBJID": usubjid, "ADY": ady, "AVISIT": visit, "AVISITN": SCHEDULE_DAYS.get(visit)}
        for r in rows
    ]


def vs_frame(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df["AVAL"] = df["AVAL"].astype(float)
    df["ADY"] = df["ADY"].astype("Int64")
    df["AVISITN"] = df["AVISITN"].astype("Int64")
    return df
