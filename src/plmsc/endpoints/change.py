"""Baseline, change from baseline and the analysed record of each visit.

docs/conventions.md, "Baseline and visits" and "Islet autoantibodies".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from plmsc.ingest.visits import derive_analysis_flags, derive_baseline_flag

KEYS = ["USUBJID", "PARAMCD"]


def derive_flags(frame: pd.DataFrame, keys: Sequence[str] = KEYS) -> pd.DataFrame:
    """ABLFL and ANL01FL of per-visit endpoint rows.

    ABLFL = Y: the last non-missing value on or before study day 0. ANL01FL = Y:
    per scheduled visit, the non-missing value closest to the target day, ties to
    the later one. Rows are not changed otherwise.
    """
    out = frame.copy()
    flags = derive_analysis_flags(out.assign(_LATER=out["ADY"]), keys=list(keys), order=["_LATER"])
    out["ANL01FL"] = flags["ANL01FL"]
    out["ABLFL"] = derive_baseline_flag(
        out, keys=list(keys), order=[], exclude=pd.Series(False, index=out.index)
    )
    return out


def derive_change(frame: pd.DataFrame, keys: Sequence[str] = KEYS) -> pd.DataFrame:
    """BASE, CHG = AVAL - BASE and PCHG = 100 x CHG / BASE (missing when BASE is 0).

    BASE is the AVAL of the participant's ABLFL = Y row for the parameter.
    """
    out = frame.copy()
    base = out.loc[out["ABLFL"].eq("Y").fillna(False), [*keys, "AVAL"]].rename(
        columns={"AVAL": "BASE"}
    )
    out = out.drop(columns=["BASE"], errors="ignore").merge(base, on=list(keys), how="left")
    out["CHG"] = out["AVAL"] - out["BASE"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["PCHG"] = np.where(out["BASE"] != 0, 100 * out["CHG"] / out["BASE"], np.nan)
    return out


def derive_log2_ratio(aval: pd.Series, base: pd.Series) -> pd.Series:
    """log2(AVAL / BASE) where both are positive, else missing."""
    ok = (aval > 0) & (base > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.Series(np.where(ok, np.log2(aval / base), np.nan), index=aval.index)
