"""Exposure and infusion facts per participant (adsl), from every dated record.

Definitions (ICH E3 section 12.1; docs/safety.md, "Exposure"):

- TRTSDY = 0: the single infusion is study day 0.
- EXPENDY, the end of exposure: the participant's last contact, i.e. the latest
  study day of a visit, a laboratory collection, an adverse event (start or end)
  or a hypoglycaemia record, capped at the end of the protocol's follow-up (the
  upper bound of the last visit's window in the cohort's schedule), and at least
  0 (the infusion itself is a contact).
- EXPDURD = EXPENDY - TRTSDY + 1 (days 0 .. EXPENDY, both included);
  EXPDURY = EXPDURD / 365.25 (participant-years).
- A participant without an infusion (SAFFL = N) has no exposure: TRTSDY and
  EXPENDY empty, EXPDURD = EXPDURY = 0.

Infusion facts: DOSE (cells/kg) and VIABPCT (%) come from the infusion form;
INFREAC is the form's ``infusion_reaction``; INFAEFL = Y when an adverse event
starts on study day 0 or 1; INFRFL = Y when either says so (the infusion
reactions the safety tables report).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from plmsc.constants import DAYS_PER_YEAR

#: Study days on which an adverse event counts as a possible infusion reaction.
INFUSION_REACTION_DAYS = (0, 1)


def compute_follow_up_end(schedule: Sequence[Mapping[str, Any]]) -> int:
    """End of the protocol's follow-up: the upper bound of the last visit's window."""
    last = max(schedule, key=lambda v: v["day"])
    return int(last["window"][1])


def compute_last_contact(usubjid: pd.Series, *days: tuple[pd.Series, pd.Series]) -> pd.Series:
    """Latest study day per participant over (USUBJID, study day) pairs; NaN when none.

    Missing study days (a record without a date) do not count. Each source is reduced
    to one maximum per participant first (grouped by its own codes when categorical),
    so that no text is made per row.
    """
    maxima = []
    for ids, d in days:
        day = pd.Series(pd.to_numeric(d).to_numpy(dtype=float), index=ids.index)
        most = day.groupby(ids, observed=True, sort=False).max()
        maxima.append(most.set_axis(most.index.astype(str)))
    last = pd.concat(maxima).groupby(level=0).max()
    return pd.Series(usubjid.map(last).to_numpy(dtype=float), index=usubjid.index)


def derive_var_exposure(
    adsl: pd.DataFrame,
    visits: pd.DataFrame,
    adlb: pd.DataFrame,
    adae: pd.DataFrame,
    adhypo: pd.DataFrame,
    schedule: Sequence[Mapping[str, Any]],
) -> pd.DataFrame:
    """Add TRTSDY, EXPENDY, EXPDURD, EXPDURY to adsl (definitions in the module docstring).

    ``visits`` has USUBJID and ADY of every REDCap event row (visit dates).
    """
    last = compute_last_contact(
        adsl["USUBJID"],
        (visits["USUBJID"], visits["ADY"]),
        (adlb["USUBJID"], adlb["ADY"]),
        (adae["USUBJID"], adae["ASTDY"]),
        (adae["USUBJID"], adae["AENDY"]),
        (adhypo["USUBJID"], adhypo["ADY"]),
    )
    infused = (adsl["SAFFL"] == "Y").to_numpy()
    end = np.clip(np.nan_to_num(last.to_numpy(), nan=0.0), 0, compute_follow_up_end(schedule))
    out = adsl.copy()
    out["TRTSDY"] = pd.array(np.where(infused, 0, np.nan), dtype="Float64").astype("Int64")
    out["EXPENDY"] = pd.array(np.where(infused, end, np.nan), dtype="Float64").astype("Int64")
    days = np.where(infused, end + 1, 0)
    out["EXPDURD"] = pd.array(days, dtype="Float64").astype("Int64")
    out["EXPDURY"] = (days / DAYS_PER_YEAR).astype(float)
    return out


def derive_var_infusion_reaction(adsl: pd.DataFrame, adae: pd.DataFrame) -> pd.DataFrame:
    """Add INFAEFL (an AE starting on day 0 or 1) and INFRFL (INFREAC = Y or INFAEFL = Y).

    Both are empty for a participant without an infusion (SAFFL = N).
    """
    early = adae["ASTDY"].isin(INFUSION_REACTION_DAYS).fillna(False).to_numpy(dtype=bool)
    with_ae = set(adae.loc[early, "USUBJID"].astype(str))
    infused = (adsl["SAFFL"] == "Y").to_numpy()
    ae_flag = np.where(adsl["USUBJID"].isin(with_ae), "Y", "N")
    any_flag = np.where((adsl["INFREAC"] == "Y").fillna(False) | (ae_flag == "Y"), "Y", "N")
    out = adsl.copy()
    out["INFAEFL"] = pd.Series(np.where(infused, ae_flag, None), index=adsl.index, dtype="str")
    out["INFRFL"] = pd.Series(np.where(infused, any_flag, None), index=adsl.index, dtype="str")
    return out
