"""Glucose during the 2-hour MMTT: GLUAUC, the glucose mean AUC 0-120 min.

Same draws and the same conventions as the C-peptide mean AUC (docs/conventions.md,
"The 2-hour mixed-meal tolerance test"): trapezoidal AUC over 0, 15, 30, 60, 90
and 120 min divided by 120, the curve starting at the 0-min draw or the mean of
the -10 and 0-min draws (``analysis.mmtt_start``), a below-limit result counted
by ``analysis.blq``, a missing draw making the AUC missing or a single interior
one interpolated (``analysis.missing_draw``). The glucose draws are the ADLB rows
with PARAMCD = GLU and an MMTT minute (ATPTN), in mg/dL.
"""

from __future__ import annotations

import pandas as pd

from plmsc.endpoints.cpeptide import Blq, MissingDraw, MmttStart, compute_mean_auc, mmtt_curves
from plmsc.endpoints.registry import ENDPOINTS


def derive_glucose_endpoints(
    adlb: pd.DataFrame,
    blq: Blq = "half",
    mmtt_start: MmttStart = "zero",
    missing_draw: MissingDraw = "missing",
) -> pd.DataFrame:
    """GLUAUC per MMTT session: AUC(0-120) / 120 of the glucose draws (mg/dL).

    Returns long rows: USUBJID, PARAMCD, ADY, AVISIT, AVISITN, AVAL, AVALU.
    """
    curves = mmtt_curves(adlb, blq, test="GLU")
    session = curves[["AVISIT", "AVISITN"]].reset_index()
    out = session.assign(
        PARAMCD="GLUAUC",
        AVAL=compute_mean_auc(curves, mmtt_start, missing_draw),
        AVALU=ENDPOINTS["GLUAUC"].unit,
    )
    return out[["USUBJID", "PARAMCD", "ADY", "AVISIT", "AVISITN", "AVAL", "AVALU"]]
