"""Glycaemic control: insulin dose, IDAA1c and partial remission.

Mortensen et al., Diabetes Care 2009; 32:1384 (IDAA1c); ISPAD Clinical Practice
Consensus Guidelines for the alternative remission definition.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from plmsc.constants import UNSCHEDULED


def derive_insulin_dose(advs: pd.DataFrame) -> pd.DataFrame:
    """INSDOSE per visit = mean of the entered TDD1..TDD3 (U/24 h) / weight (kg).

    The weight is the visit's own, else that of the participant's nearest earlier
    visit (docs/conventions.md). A visit without any TDD, or without any weight
    on or before it, gives no row.
    Returns USUBJID, ADY, AVISIT, AVISITN, AVAL (U/kg/24 h).
    """
    key = ["USUBJID", "ADY", "AVISIT", "AVISITN"]
    tdd = advs[advs["PARAMCD"].isin(["TDD1", "TDD2", "TDD3"]) & advs["AVAL"].notna()]
    mean_tdd = tdd.groupby(key, dropna=False, sort=False)["AVAL"].mean().rename("TDD").reset_index()
    weight = advs.loc[
        (advs["PARAMCD"] == "WEIGHT") & advs["AVAL"].notna(), ["USUBJID", "ADY", "AVAL"]
    ]
    weight = weight.rename(columns={"AVAL": "WEIGHT"}).astype({"ADY": "int64"})
    mean_tdd = mean_tdd.astype({"ADY": "int64"}).sort_values("ADY", kind="stable")
    dose = pd.merge_asof(
        mean_tdd,
        weight.sort_values("ADY", kind="stable"),
        on="ADY",
        by="USUBJID",
        direction="backward",
    )
    dose = dose[dose["WEIGHT"].notna()]
    out = dose[key].assign(AVAL=(dose["TDD"] / dose["WEIGHT"]).to_numpy())
    return out.astype({"ADY": "Int64"}).sort_values(["USUBJID", "ADY"], ignore_index=True)


def derive_idaa1c(hba1c: np.ndarray | pd.Series, dose: np.ndarray | pd.Series) -> np.ndarray:
    """IDAA1c (%) = HbA1c (%) + 4 x insulin dose (U/kg/24 h) (Mortensen 2009)."""
    return np.asarray(hba1c, dtype=float) + 4 * np.asarray(dose, dtype=float)


#: Tolerance of the remission boundaries, so that 7.2 + 4 x 0.45 (= 9.000000000000002
#: in binary floating point) counts as IDAA1c = 9.
BOUNDARY_EPS = 1e-9


def derive_remission(idaa1c: np.ndarray | pd.Series, threshold: float = 9.0) -> np.ndarray:
    """Partial remission: 1 when IDAA1c <= threshold (9 %), 0 above, NaN when missing."""
    x = np.asarray(idaa1c, dtype=float)
    return np.where(np.isnan(x), np.nan, (x <= threshold + BOUNDARY_EPS).astype(float))


def derive_remission_ispad(
    hba1c: np.ndarray | pd.Series, dose: np.ndarray | pd.Series
) -> np.ndarray:
    """ISPAD partial remission: 1 when insulin < 0.5 U/kg/day and HbA1c < 7 %.

    NaN when either is missing.
    """
    h, d = np.asarray(hba1c, dtype=float), np.asarray(dose, dtype=float)
    met = (d < 0.5 - BOUNDARY_EPS) & (h < 7.0 - BOUNDARY_EPS)
    return np.where(np.isnan(h) | np.isnan(d), np.nan, met.astype(float))


def pair_by_visit(left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    """Join two per-visit series (AVAL_x from ``left``, AVAL_y from ``right``).

    Scheduled visits pair by AVISIT; unscheduled values only with a value of the
    same study day. The study day kept is the left one's.
    """
    sched_l, sched_r = left["AVISIT"] != UNSCHEDULED, right["AVISIT"] != UNSCHEDULED
    a = left[sched_l].merge(
        right.loc[sched_r, ["USUBJID", "AVISIT", "AVAL"]], on=["USUBJID", "AVISIT"], how="inner"
    )
    b = left[~sched_l].merge(
        right.loc[~sched_r, ["USUBJID", "ADY", "AVAL"]], on=["USUBJID", "ADY"], how="inner"
    )
    return pd.concat([a, b], ignore_index=True)
