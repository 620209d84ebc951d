"""Safety summaries: hypoglycaemia by ADA level and period, adverse events.

Hypoglycaemia levels follow the ADA Standards of Care (Table 6.3); rates are per
participant-year of follow-up. Adverse-event tables count participants with at
least one event, n (%), and events, by MedDRA SOC and preferred term, by worst
CTCAE grade, by relatedness (possible, probable, definite = related) and
seriousness (analysis-conventions.md, "Adverse events").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

DAYS_PER_YEAR = 365.25
TOTAL = "Total"
#: ae_related codes that count as related: 3 possible, 4 probable, 5 definite.
RELATED_CODES = (3, 4, 5)


def derive_follow_up(adsl: pd.DataFrame, advs: pd.DataFrame) -> pd.Series:
    """Follow-up (days) per participant: the last visit's study day, at least 0."""
    last = advs.groupby("USUBJID")["ADY"].max()
    return adsl.set_index("USUBJID").index.to_series().map(last).fillna(0).clip(lower=0).astype(int)


def period_exposure(follow_up: pd.Series, periods: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Days each participant was followed within each period [from, to] (inclusive days).

    exposure = max(0, min(to, follow-up) - from + 1); the whole-year row "Overall"
    spans day 0 to the follow-up.
    """
    rows = []
    for p in [*periods, {"name": "Overall", "from": 0, "to": 10**6}]:
        days = (np.minimum(p["to"], follow_up) - p["from"] + 1).clip(lower=0)
        rows.append(
            pd.DataFrame({"USUBJID": follow_up.index, "PERIOD": p["name"], "DAYS": days.to_numpy()})
        )
    return pd.concat(rows, ignore_index=True)


def assign_period(ady: pd.Series, periods: Sequence[Mapping[str, Any]]) -> pd.Series:
    """Name of the period holding each study day (empty outside every period)."""
    out = pd.Series(pd.NA, index=ady.index, dtype="object")
    for p in periods:
        out[(ady >= p["from"]) & (ady <= p["to"])] = p["name"]
    return out


def summarise_hypoglycaemia(
    adhypo: pd.DataFrame,
    adsl: pd.DataFrame,
    advs: pd.DataFrame,
    periods: Sequence[Mapping[str, Any]],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Events per participant by level and period, and rates per participant-year.

    Only entries with an ADA level count (HYPOFL = Y entries are not hypoglycaemia).
    Returns (by_participant, rates); rates by ARM and for all participants (Total):
    N_EVENTS, N_WITH_EVENT, N_PARTICIPANTS, PY, RATE_PER_PY = N_EVENTS / PY.
    """
    follow = derive_follow_up(adsl, advs)
    exposure = period_exposure(follow, periods)
    ev = adhypo[adhypo["LEVEL"].notna()].copy()
    ev["PERIOD"] = assign_period(ev["ADY"], periods)
    ev = pd.concat([ev[ev["PERIOD"].notna()], ev.assign(PERIOD="Overall")], ignore_index=True)
    ev["LEVEL"] = "Level " + ev["LEVEL"].astype(int).astype(str)
    ev = pd.concat([ev, ev.assign(LEVEL="Any level")], ignore_index=True)

    levels = ["Level 1", "Level 2", "Level 3", "Any level"]
    grid = exposure.merge(pd.DataFrame({"LEVEL": levels}), how="cross")
    counts = ev.groupby(["USUBJID", "PERIOD", "LEVEL"]).size().rename("N_EVENTS")
    per = grid.join(counts, on=["USUBJID", "PERIOD", "LEVEL"]).fillna({"N_EVENTS": 0})
    per["N_EVENTS"] = per["N_EVENTS"].astype(int)
    per = per.merge(adsl[["USUBJID", "ARM"]], on="USUBJID")
    order = {p["name"]: i for i, p in enumerate([*periods, {"name": "Overall"}])}
    per = per.sort_values(
        ["USUBJID", "PERIOD", "LEVEL"], key=lambda s: s.map(order) if s.name == "PERIOD" else s
    )

    both = pd.concat([per, per.assign(ARM=TOTAL)], ignore_index=True)
    both["WITH_EVENT"] = (both["N_EVENTS"] > 0).astype(int)
    rates = both.groupby(["ARM", "PERIOD", "LEVEL"], sort=False).agg(
        N_EVENTS=("N_EVENTS", "sum"),
        N_WITH_EVENT=("WITH_EVENT", "sum"),
        N_PARTICIPANTS=("USUBJID", "nunique"),
        DAYS=("DAYS", "sum"),
    )
    rates = rates.reset_index()
    rates["PY"] = rates["DAYS"] / DAYS_PER_YEAR
    rates["RATE_PER_PY"] = np.where(rates["PY"] > 0, rates["N_EVENTS"] / rates["PY"], np.nan)
    by_participant = per[["USUBJID", "ARM", "PERIOD", "LEVEL", "N_EVENTS", "DAYS"]].reset_index(
        drop=True
    )
    return by_participant, rates.drop(columns="DAYS")


def _arms(adsl: pd.DataFrame) -> pd.DataFrame:
    """Participants by ARM plus everyone under Total (ARM, USUBJID)."""
    a = adsl[["USUBJID", "ARM"]]
    if a["ARM"].nunique() > 1:
        a = pd.concat([a, a.assign(ARM=TOTAL)], ignore_index=True)
    return a


def _count(ae: pd.DataFrame, arms: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Participants with >= 1 event, n (%), and number of events, per ARM and ``by``."""
    denom = arms.groupby("ARM")["USUBJID"].nunique().rename("N_ARM")
    x = ae.merge(arms, on="USUBJID")
    out = x.groupby(["ARM", *by], sort=True).agg(
        N_PARTICIPANTS=("USUBJID", "nunique"), N_EVENTS=("USUBJID", "size")
    )
    out = out.reset_index().join(denom, on="ARM")
    out["PCT"] = 100 * out["N_PARTICIPANTS"] / out["N_ARM"]
    return out


def summarise_adverse_events(adae: pd.DataFrame, adsl: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Tidy AE tables: overview, by SOC and PT, by worst grade.

    * overview: any AE, serious (AESER = Y), related (AREL 3-5), grade >= 3, fatal (AEOUT 5);
    * by_term: per SOC (AEDECOD empty) and per SOC and preferred term;
    * by_grade: participants by their worst CTCAE grade (0 = no event).
    Every table has one row per ARM (and Total when there are several arms).
    """
    arms = _arms(adsl)
    ae = adae.assign(
        ANY="Y",
        RELATED=np.where(adae["AREL"].isin(RELATED_CODES), "Y", "N"),
        GRADE3=np.where(adae["AETOXGR"] >= 3, "Y", "N"),
        FATAL=np.where(adae["AEOUT"] == 5, "Y", "N"),
    )
    categories = {
        "Any adverse event": "ANY",
        "Serious adverse event": "AESER",
        "Related adverse event (possible, probable, definite)": "RELATED",
        "Grade 3 or higher": "GRADE3",
        "Fatal": "FATAL",
    }
    overview = []
    for label, col in categories.items():
        counted = _count(ae[ae[col] == "Y"], arms, [])
        full = arms.groupby("ARM")["USUBJID"].nunique().rename("N_ARM").reset_index()
        counted = full.merge(counted.drop(columns="N_ARM"), on="ARM", how="left").fillna(
            {"N_PARTICIPANTS": 0, "N_EVENTS": 0}
        )
        counted["PCT"] = 100 * counted["N_PARTICIPANTS"] / counted["N_ARM"]
        overview.append(counted.assign(CATEGORY=label))
    overview = pd.concat(overview, ignore_index=True)[
        ["ARM", "CATEGORY", "N_PARTICIPANTS", "N_ARM", "PCT", "N_EVENTS"]
    ].astype({"N_PARTICIPANTS": int, "N_EVENTS": int})

    soc = _count(ae, arms, ["AESOC"]).assign(AEDECOD="")
    pt = _count(ae, arms, ["AESOC", "AEDECOD"])
    by_term = pd.concat([soc, pt], ignore_index=True).sort_values(
        ["ARM", "AESOC", "AEDECOD"], kind="stable", ignore_index=True
    )[["ARM", "AESOC", "AEDECOD", "N_PARTICIPANTS", "N_ARM", "PCT", "N_EVENTS"]]

    worst = adae.groupby("USUBJID")["AETOXGR"].max()
    g = arms.assign(WORST_GRADE=arms["USUBJID"].map(worst).fillna(0).astype(int))
    by_grade = g.groupby(["ARM", "WORST_GRADE"]).size().rename("N_PARTICIPANTS").reset_index()
    by_grade = by_grade.join(arms.groupby("ARM")["USUBJID"].nunique().rename("N_ARM"), on="ARM")
    by_grade["PCT"] = 100 * by_grade["N_PARTICIPANTS"] / by_grade["N_ARM"]
    return {"ae_overview": overview, "ae_by_term": by_term, "ae_by_grade": by_grade}
