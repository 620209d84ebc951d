"""ADEFF: every derived endpoint per participant and visit (docs/analysis-datasets.md).

Labels (PARAM), units (AVALU) and which endpoints get a baseline come from the
endpoint registry (plmsc.endpoints.registry).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from plmsc.constants import UNSCHEDULED
from plmsc.endpoints.change import derive_change, derive_flags, derive_log2_ratio
from plmsc.endpoints.cpeptide import derive_blq_value, derive_cpeptide_endpoints
from plmsc.endpoints.glucose import derive_glucose_endpoints
from plmsc.endpoints.glycaemia import (
    derive_idaa1c,
    derive_insulin_dose,
    derive_remission,
    derive_remission_ispad,
    pair_by_visit,
)
from plmsc.endpoints.registry import ENDPOINTS, select, without_baseline
from plmsc.ingest.visits import derive_analysis_flags

#: Autoantibody titres and their units.
ANTIBODIES = {code: ENDPOINTS[code].unit for code in select(kind="titre")}
#: PARAMCD -> PARAM.
PARAMS = {code: e.param for code, e in ENDPOINTS.items()}
#: PARAMCD -> AVALU.
UNITS = {code: e.unit for code, e in ENDPOINTS.items()}
#: Yes/no parameters: no baseline, no change from baseline.
BINARY = without_baseline()

COLUMNS = [
    "USUBJID", "PARAMCD", "PARAM", "AVISIT", "AVISITN", "ADY", "AVAL", "AVALU", "BASE", "CHG",
    "PCHG", "LR2BASE", "CRIT1", "CRIT1FL", "ABLFL", "ANL01FL", "ULOQFL",
]  # fmt: skip
KEY = ["USUBJID", "PARAMCD", "AVISITN", "ADY"]

ADEFF = pa.DataFrameSchema(
    {
        "USUBJID": pa.Column(str),
        "PARAMCD": pa.Column(str, pa.Check.isin(list(PARAMS))),
        "PARAM": pa.Column(str),
        "AVISIT": pa.Column(str),
        "AVISITN": pa.Column("Int64", nullable=True),
        "ADY": pa.Column("Int64"),
        "AVAL": pa.Column(float, nullable=True),
        "AVALU": pa.Column(str, nullable=True),
        "BASE": pa.Column(float, nullable=True),
        "CHG": pa.Column(float, nullable=True),
        "PCHG": pa.Column(float, nullable=True),
        "LR2BASE": pa.Column(float, nullable=True),
        "CRIT1": pa.Column(str, nullable=True),
        "CRIT1FL": pa.Column(str, pa.Check.isin(["Y", "N"]), nullable=True),
        "ABLFL": pa.Column(str, pa.Check.isin(["Y"]), nullable=True),
        "ANL01FL": pa.Column(str, pa.Check.isin(["Y"]), nullable=True),
        "ULOQFL": pa.Column(str, pa.Check.isin(["Y"]), nullable=True),
    },
    strict=True,
    ordered=True,
    unique=KEY,
    name="adeff",
)

_VISIT = ["USUBJID", "ADY", "AVISIT", "AVISITN"]
#: Endpoints of one MMTT session: the analysed session of a window gives all of them.
SESSION_PARAMS = tuple(code for code, e in ENDPOINTS.items() if e.mmtt)


def derive_var_session_anl01fl(eff: pd.DataFrame) -> pd.DataFrame:
    """ANL01FL of the MMTT endpoints decided per session, not per parameter.

    docs/conventions.md, "The 2-hour mixed-meal tolerance test": a session is one
    participant's MMTT on one study day (the CPAUC rows, one per session). In each
    scheduled window the analysed session is the one with a non-missing CPAUC closest to
    the target day (AVISITN), ties to the later day; its rows of :data:`SESSION_PARAMS`
    (the registry's MMTT endpoints: CPAUC, CPAUCL, CPPEAK, CPFAST, GLUAUC) get ANL01FL =
    Y and every other row of those parameters in that window gets it blank, so the
    analysed endpoints of a visit all come from one session. Windows without a session
    with a CPAUC, and a parameter the chosen session lacks (e.g. a fasting sample's
    CPFAST), keep the per-parameter rule of :func:`plmsc.endpoints.change.derive_flags`.
    Rows are not changed otherwise.
    """
    auc = eff[(eff["PARAMCD"] == "CPAUC") & (eff["AVISIT"] != UNSCHEDULED)]
    if auc.empty:
        return eff
    flags = derive_analysis_flags(auc.assign(_LATER=auc["ADY"]), ["USUBJID"], ["_LATER"])
    chosen = auc.loc[flags["ANL01FL"].eq("Y").fillna(False), ["USUBJID", "AVISITN", "ADY"]]
    chosen = chosen.rename(columns={"ADY": "_CADY"})
    out = eff.reset_index(drop=True)
    m = out[["USUBJID", "AVISITN"]].merge(chosen, on=["USUBJID", "AVISITN"], how="left")
    in_session = (
        out["PARAMCD"].isin(SESSION_PARAMS)
        & (out["AVISIT"] != UNSCHEDULED)
        & out["ADY"].eq(m["_CADY"]).fillna(False)
        & out["AVAL"].notna()
    ).to_numpy(dtype=bool)
    decided = (
        pd.Series(in_session, index=out.index)
        .groupby([out["USUBJID"], out["PARAMCD"], out["AVISITN"]], dropna=False)
        .transform("any")
        .to_numpy(dtype=bool)
    )
    decided = decided & out["PARAMCD"].isin(SESSION_PARAMS).to_numpy()
    anl = out["ANL01FL"].astype(object).where(~decided, None)
    anl[decided & in_session] = "Y"
    out["ANL01FL"] = pd.Series(anl, index=out.index, dtype="str").where(anl.notna())
    return out


def _lab(adlb: pd.DataFrame, paramcd: str, blq: str) -> pd.DataFrame:
    rows = adlb[(adlb["PARAMCD"] == paramcd) & adlb["RPTDRWFL"].ne("Y")]
    value = derive_blq_value(rows["AVAL"], rows["LLOQ"], rows["LLOQFL"], blq)  # type: ignore[arg-type]
    # a '>x' result (ULOQFL = Y in adlb) stays flagged on the endpoint it alone gives
    uloq = rows["ULOQFL"] if "ULOQFL" in rows else pd.Series(pd.NA, index=rows.index)
    rows = rows[_VISIT].assign(AVAL=value.to_numpy(), ULOQFL=uloq.to_numpy())
    return rows[rows["AVAL"].notna()]


def _analysed(frame: pd.DataFrame) -> pd.DataFrame:
    """The analysed row of each scheduled visit, and every unscheduled row."""
    flagged = derive_flags(frame.assign(PARAMCD="X"))
    keep = flagged["ANL01FL"].eq("Y").fillna(False) | (flagged["AVISIT"] == "UNSCHEDULED")
    return flagged.loc[keep, frame.columns]


def derive_glycaemic_endpoints(
    adlb: pd.DataFrame, advs: pd.DataFrame, remission_idaa1c: float = 9.0, blq: str = "half"
) -> pd.DataFrame:
    """HBA1C, INSDOSE, IDAA1C, REMISS and REMISPAD rows (long, with visit columns)."""
    hba1c = _lab(adlb, "HBA1C", blq)
    dose = derive_insulin_dose(advs)
    pair = pair_by_visit(_analysed(hba1c), _analysed(dose))
    h, d = pair["AVAL_x"].to_numpy(), pair["AVAL_y"].to_numpy()
    idaa1c = derive_idaa1c(h, d)
    visit = pair[_VISIT]
    return pd.concat(
        [
            hba1c.assign(PARAMCD="HBA1C", AVALU=UNITS["HBA1C"]),
            dose.assign(PARAMCD="INSDOSE", AVALU=UNITS["INSDOSE"]),
            visit.assign(PARAMCD="IDAA1C", AVAL=idaa1c, AVALU=UNITS["IDAA1C"]),
            visit.assign(
                PARAMCD="REMISS",
                AVAL=derive_remission(idaa1c, remission_idaa1c),
                AVALU=UNITS["REMISS"],
            ),
            visit.assign(
                PARAMCD="REMISPAD", AVAL=derive_remission_ispad(h, d), AVALU=UNITS["REMISPAD"]
            ),
        ],
        ignore_index=True,
    )


def derive_antibody_endpoints(
    adlb: pd.DataFrame, cutoffs: Mapping[str, float], blq: str = "half"
) -> pd.DataFrame:
    """GADA, ZNT8A, IA2A titres with CRIT1 (the assay's positivity cut-off) and CRIT1FL."""
    parts = []
    for code, unit in ANTIBODIES.items():
        rows = _lab(adlb, code, blq).assign(PARAMCD=code, AVALU=unit)
        cut = cutoffs[code]
        rows["CRIT1"] = f"{code} >= {cut:g} {unit}"
        rows["CRIT1FL"] = np.where(rows["AVAL"] >= cut, "Y", "N")
        parts.append(rows)
    return pd.concat(parts, ignore_index=True)


def derive_var_antibody_change(eff: pd.DataFrame, cutoffs: Mapping[str, float]) -> pd.DataFrame:
    """PCHG and LR2BASE of an autoantibody only for a positive baseline titre.

    Percentage change and log2(AVAL / BASE) describe a titre's fall only when the
    baseline is at or above the assay's positivity cut-off (config
    ``antibody_cutoffs``); below it they describe assay noise (a change from 0.5 to
    1 U/mL is +100 %). So for GADA, ZNT8A and IA2A rows with BASE < cut-off, PCHG and
    LR2BASE are set missing; CHG = AVAL - BASE is always kept. Other rows unchanged.
    """
    out = eff.copy()
    cut = out["PARAMCD"].map({k: float(v) for k, v in cutoffs.items()})
    below = (out["PARAMCD"].isin(list(ANTIBODIES)) & (out["BASE"] < cut)).to_numpy(dtype=bool)
    out.loc[below, ["PCHG", "LR2BASE"]] = np.nan
    return out


def derive_adeff(
    adlb: pd.DataFrame, advs: pd.DataFrame, analysis: Mapping[str, Any]
) -> pd.DataFrame:
    """All endpoints with ABLFL, ANL01FL, BASE, CHG, PCHG (and log2 ratio for antibodies).

    ``analysis`` is the cohort's validated ``analysis`` config block: blq,
    mmtt_start, missing_draw, remission_idaa1c, antibody_cutoffs.
    """
    blq = analysis["blq"]
    frames = [
        derive_cpeptide_endpoints(adlb, blq, analysis["mmtt_start"], analysis["missing_draw"]),
        derive_glucose_endpoints(adlb, blq, analysis["mmtt_start"], analysis["missing_draw"]),
        derive_glycaemic_endpoints(adlb, advs, analysis["remission_idaa1c"], blq),
        derive_antibody_endpoints(adlb, analysis["antibody_cutoffs"], blq),
    ]
    eff = pd.concat([f for f in frames if len(f)], ignore_index=True)
    eff = derive_flags(eff.reset_index(drop=True))
    eff = derive_var_session_anl01fl(eff)
    eff = derive_change(eff)
    binary = eff["PARAMCD"].isin(BINARY)
    eff.loc[binary, ["BASE", "CHG", "PCHG"]] = np.nan
    eff["LR2BASE"] = np.where(
        eff["PARAMCD"].isin(list(ANTIBODIES)), derive_log2_ratio(eff["AVAL"], eff["BASE"]), np.nan
    )
    eff = derive_var_antibody_change(eff, analysis["antibody_cutoffs"])
    eff["PARAM"] = eff["PARAMCD"].map(PARAMS)
    for col in ("CRIT1", "CRIT1FL", "ULOQFL"):
        if col not in eff:
            eff[col] = pd.NA
    eff = eff.reindex(columns=COLUMNS)
    eff = eff.astype(
        {
            "ADY": "Int64",
            "AVISITN": "Int64",
            "AVAL": float,
            "BASE": float,
            "CHG": float,
            "PCHG": float,
        }
    )
    eff = eff.sort_values(KEY, kind="stable", ignore_index=True)
    return ADEFF.validate(eff)
