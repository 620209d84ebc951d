"""Safety summaries: hypoglycaemia by ADA level and period, adverse events, the infusion.

Conventions (docs/safety.md; ICH E3 section 12, ICH E9):

- Population: the safety population, participants infused (SAFFL = Y); ARM as in
  adsl, plus Total when there are several arms.
- Hypoglycaemia (ADA Standards of Care, Table 6.3 levels) counts events from day 0
  to the end of the participant's exposure (adsl EXPENDY); rate = events inside
  the exposure / participant-years of exposure (365.25 days). Events outside the
  exposure are not in the rate; N_OUTSIDE shows how many there were. Per period
  (config ``analysis.hypo_periods``) exposure and events are cut at the period's
  bounds. A participant without exposure contributes neither time nor events.
- Adverse-event tables count treatment-emergent events only (TRTEMFL = Y);
  events that started before the infusion are in the listing, flagged
  TRTEMFL = N, and in their own pre-treatment listing. "Related" is adae AERELFL
  (possible, probable, definite; defined once in :mod:`plmsc.ingest.clinical`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from plmsc.constants import DAYS_PER_YEAR

TOTAL = "Total"
OVERALL = "Overall"
LEVELS = ["Level 1", "Level 2", "Level 3", "Any level"]
#: How exposure is defined, for the notes of every table that shows a rate.
EXPOSURE_DEFINITION = (
    "Exposure runs from the infusion (day 0) to the last contact (latest visit, "
    "laboratory collection, adverse-event or hypoglycaemia record), capped at the end "
    "of the last visit's window; rate = events inside the exposure per participant-year "
    "(365.25 days); events outside the exposure are counted apart."
)
#: Labels of the coded adverse-event fields (REDCap codes of docs/raw-exports.md).
RELATEDNESS = {1: "Unrelated", 2: "Unlikely", 3: "Possible", 4: "Probable", 5: "Definite"}
OUTCOMES = {
    1: "Recovered",
    2: "Recovering",
    3: "Not recovered",
    4: "Recovered with sequelae",
    5: "Fatal",
}
MISSING = "Missing"
#: The rows of ae_overview: numbers.json key -> CATEGORY, with the ae column that
#: selects the events (Y).
OVERVIEW = {
    "any": ("Any treatment-emergent adverse event", "ANY"),
    "serious": ("Serious adverse event", "AESER"),
    "related": ("Related adverse event (possible, probable, definite)", "AERELFL"),
    "grade3_or_higher": ("Grade 3 or higher", "GRADE3"),
    "fatal": ("Fatal", "FATAL"),
}


def safety_population(adsl: pd.DataFrame) -> pd.DataFrame:
    """Participants of the safety population (SAFFL = Y when adsl has it)."""
    if "SAFFL" in adsl.columns:
        return adsl[adsl["SAFFL"] == "Y"]
    return adsl


def _arms(adsl: pd.DataFrame) -> pd.DataFrame:
    """Safety population by ARM plus everyone under Total when there are several arms."""
    a = safety_population(adsl)[["USUBJID", "ARM"]]
    if a["ARM"].nunique() > 1:
        a = pd.concat([a, a.assign(ARM=TOTAL)], ignore_index=True)
    return a


def _all_periods(periods: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [dict(p) for p in periods] + [{"name": OVERALL, "from": 0, "to": None}]


def compute_period_exposure(
    adsl: pd.DataFrame, periods: Sequence[Mapping[str, Any]]
) -> pd.DataFrame:
    """Days of exposure per participant and period (USUBJID, PERIOD, FROM, TO, DAYS).

    DAYS = max(0, min(to, EXPENDY) - max(from, 0) + 1) for an infused participant,
    0 without exposure (EXPENDY empty); the period "Overall" spans day 0 to
    EXPENDY (= EXPDURD). FROM/TO are the participant's exposed days in the period
    (empty when DAYS = 0).
    """
    end = adsl["EXPENDY"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    rows = []
    for p in _all_periods(periods):
        lo = max(int(p["from"]), 0)
        hi = end if p["to"] is None else np.minimum(float(p["to"]), end)
        days = np.nan_to_num(hi - lo + 1, nan=0.0).clip(min=0)
        rows.append(
            pd.DataFrame(
                {
                    "USUBJID": adsl["USUBJID"].to_numpy(),
                    "PERIOD": p["name"],
                    "FROM": np.where(days > 0, lo, np.nan),
                    "TO": np.where(days > 0, hi, np.nan),
                    "DAYS": days.astype(int),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def derive_var_inexpfl(events: pd.DataFrame, adsl: pd.DataFrame, day: str = "ADY") -> pd.Series:
    """Y when the event's study day lies in the participant's exposure [0, EXPENDY], else N.

    An event without a study day, of a participant without exposure, before day 0
    or after EXPENDY is outside.
    """
    end = events["USUBJID"].map(adsl.set_index("USUBJID")["EXPENDY"]).astype("Float64")
    d = events[day].astype("Float64")
    inside = ((d >= 0) & (d <= end)).fillna(False).to_numpy(dtype=bool)
    return pd.Series(np.where(inside, "Y", "N"), index=events.index, dtype="str")


def summarise_hypoglycaemia(
    adhypo: pd.DataFrame, adsl: pd.DataFrame, periods: Sequence[Mapping[str, Any]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Events per participant by level and period, and rates per participant-year.

    Only entries with an ADA level count (HYPOFL = Y entries are not hypoglycaemia).
    An event counts in a period when its day is in [from, to] and inside the
    participant's exposure (:func:`derive_var_inexpfl`); an event in the period's
    days but outside the exposure adds to N_OUTSIDE (for "Overall": every event
    outside the exposure, including those before day 0 or without a day).

    Returns (by_participant, rates). by_participant: USUBJID, ARM, PERIOD, LEVEL,
    N_EVENTS, N_OUTSIDE, DAYS. rates, by ARM and Total: N_EVENTS, N_OUTSIDE,
    N_WITH_EVENT, N_PARTICIPANTS (participants with exposure in the period), PY
    (sum of DAYS / 365.25), RATE_PER_PY = N_EVENTS / PY (empty when PY = 0).
    """
    pop = safety_population(adsl)
    exposure = compute_period_exposure(pop, periods)
    ev = adhypo[adhypo["LEVEL"].notna() & adhypo["USUBJID"].isin(pop["USUBJID"])].copy()
    ev["INEXP"] = derive_var_inexpfl(ev, pop)
    ev["LEVEL"] = "Level " + ev["LEVEL"].astype(int).astype(str)
    ev = pd.concat([ev, ev.assign(LEVEL="Any level")], ignore_index=True)
    day = ev["ADY"].astype("Float64")
    parts = []
    for p in _all_periods(periods):
        in_days = (
            pd.Series(True, index=ev.index)
            if p["to"] is None
            else ((day >= p["from"]) & (day <= p["to"])).fillna(False)
        )
        parts.append(ev[in_days].assign(PERIOD=p["name"]))
    ev = pd.concat(parts, ignore_index=True)
    ev["N_EVENTS"] = (ev["INEXP"] == "Y").astype(int)
    ev["N_OUTSIDE"] = (ev["INEXP"] == "N").astype(int)
    counts = ev.groupby(["USUBJID", "PERIOD", "LEVEL"])[["N_EVENTS", "N_OUTSIDE"]].sum()

    grid = exposure[["USUBJID", "PERIOD", "DAYS"]].merge(
        pd.DataFrame({"LEVEL": LEVELS}), how="cross"
    )
    per = grid.join(counts, on=["USUBJID", "PERIOD", "LEVEL"])
    per = per.fillna({"N_EVENTS": 0, "N_OUTSIDE": 0}).astype({"N_EVENTS": int, "N_OUTSIDE": int})
    per = per.merge(pop[["USUBJID", "ARM"]], on="USUBJID")
    order = {p["name"]: i for i, p in enumerate(_all_periods(periods))}
    per["_p"] = per["PERIOD"].map(order)
    per["_l"] = per["LEVEL"].map({lv: i for i, lv in enumerate(LEVELS)})
    per = per.sort_values(["USUBJID", "_p", "_l"], kind="stable")

    both = pd.concat([per, per.assign(ARM=TOTAL)], ignore_index=True)
    both["WITH_EVENT"] = (both["N_EVENTS"] > 0).astype(int)
    both["EXPOSED"] = np.where(both["DAYS"] > 0, both["USUBJID"], None)
    rates = both.groupby(["ARM", "_p", "PERIOD", "_l", "LEVEL"], sort=True).agg(
        N_EVENTS=("N_EVENTS", "sum"),
        N_OUTSIDE=("N_OUTSIDE", "sum"),
        N_WITH_EVENT=("WITH_EVENT", "sum"),
        N_PARTICIPANTS=("EXPOSED", "nunique"),
        DAYS=("DAYS", "sum"),
    )
    rates = rates.reset_index()
    arm_order = [*sorted(set(per["ARM"])), TOTAL]
    rates["_a"] = rates["ARM"].map({a: i for i, a in enumerate(arm_order)})
    rates = rates.sort_values(["_a", "_p", "_l"], kind="stable")
    rates["PY"] = rates["DAYS"] / DAYS_PER_YEAR
    rates["RATE_PER_PY"] = np.where(
        rates["PY"] > 0, rates["N_EVENTS"] / rates["PY"].where(rates["PY"] > 0), np.nan
    )
    cols = ["ARM", "PERIOD", "LEVEL", "N_EVENTS", "N_OUTSIDE", "N_WITH_EVENT", "N_PARTICIPANTS"]
    rates = rates[[*cols, "PY", "RATE_PER_PY"]].reset_index(drop=True)
    by_participant = per[
        ["USUBJID", "ARM", "PERIOD", "LEVEL", "N_EVENTS", "N_OUTSIDE", "DAYS"]
    ].reset_index(drop=True)
    return by_participant, rates


def treatment_emergent(adae: pd.DataFrame) -> pd.DataFrame:
    """The treatment-emergent events (TRTEMFL = Y): the only ones the AE tables count."""
    return adae[adae["TRTEMFL"] == "Y"]


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


def _count_categories(
    ae: pd.DataFrame, arms: pd.DataFrame, column: str, categories: Sequence[str]
) -> pd.DataFrame:
    """Like :func:`_count` by one categorical column, every category shown (zeros too)."""
    counted = _count(ae, arms, [column])
    denom = arms.groupby("ARM")["USUBJID"].nunique().rename("N_ARM").reset_index()
    grid = denom.merge(pd.DataFrame({column: list(categories)}), how="cross")
    out = grid.merge(counted.drop(columns=["N_ARM", "PCT"]), on=["ARM", column], how="left")
    out = out.fillna({"N_PARTICIPANTS": 0, "N_EVENTS": 0})
    out = out.astype({"N_PARTICIPANTS": int, "N_EVENTS": int})
    out["PCT"] = 100 * out["N_PARTICIPANTS"] / out["N_ARM"]
    return out[["ARM", column, "N_PARTICIPANTS", "N_ARM", "PCT", "N_EVENTS"]]


def _labelled(codes: pd.Series, labels: Mapping[int, str]) -> pd.Series:
    return codes.map(labels).astype(object).where(codes.notna(), MISSING).astype(str)


def summarise_adverse_events(adae: pd.DataFrame, adsl: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Tidy tables of the treatment-emergent adverse events (TRTEMFL = Y).

    * ae_overview: any TEAE, serious (AESER = Y), related (AERELFL = Y), grade >= 3,
      fatal (AEOUT 5);
    * ae_by_term: per SOC (LEVEL 1, AEDECOD empty) and per SOC and preferred term
      (LEVEL 2) under it; TERM is the text to show, indented by LEVEL;
    * ae_by_grade: participants by their worst CTCAE grade (0 = no event);
    * ae_by_relatedness, ae_by_seriousness, ae_by_outcome: participants with >= 1
      event and events per category (every category shown);
    Every table has one row per ARM (and Total when there are several arms).
    """
    arms = _arms(adsl)
    te = treatment_emergent(adae)
    ae = te.assign(
        ANY="Y",
        GRADE3=np.where(te["AETOXGR"] >= 3, "Y", "N"),
        FATAL=np.where(te["AEOUT"] == 5, "Y", "N"),
    )
    overview = []
    for label, col in OVERVIEW.values():
        x = _count_categories(ae[ae[col] == "Y"].assign(CATEGORY=label), arms, "CATEGORY", [label])
        overview.append(x)
    overview = pd.concat(overview, ignore_index=True)
    overview = overview.sort_values("ARM", kind="stable", key=lambda s: s == TOTAL)
    overview = overview[["ARM", "CATEGORY", "N_PARTICIPANTS", "N_ARM", "PCT", "N_EVENTS"]]

    named = ae.fillna({"AESOC": "Not coded", "AEDECOD": "Not coded"})
    soc = _count(named, arms, ["AESOC"]).assign(AEDECOD="", LEVEL=1)
    pt = _count(named, arms, ["AESOC", "AEDECOD"]).assign(LEVEL=2)
    by_term = pd.concat([soc, pt], ignore_index=True).sort_values(
        ["ARM", "AESOC", "AEDECOD"], kind="stable", ignore_index=True
    )
    by_term["TERM"] = np.where(by_term["LEVEL"] == 1, by_term["AESOC"], by_term["AEDECOD"])
    by_term = by_term[
        ["ARM", "AESOC", "AEDECOD", "LEVEL", "TERM", "N_PARTICIPANTS", "N_ARM", "PCT", "N_EVENTS"]
    ].reset_index(drop=True)

    worst = te.groupby("USUBJID")["AETOXGR"].max()
    g = arms.assign(WORST_GRADE=arms["USUBJID"].map(worst).fillna(0).astype(int))
    by_grade = g.groupby(["ARM", "WORST_GRADE"]).size().rename("N_PARTICIPANTS").reset_index()
    by_grade = by_grade.join(arms.groupby("ARM")["USUBJID"].nunique().rename("N_ARM"), on="ARM")
    by_grade["PCT"] = 100 * by_grade["N_PARTICIPANTS"] / by_grade["N_ARM"]

    rel = ae.assign(RELATEDNESS=_labelled(ae["AREL"], RELATEDNESS))
    out = ae.assign(OUTCOME=_labelled(ae["AEOUT"], OUTCOMES))
    ser = ae.assign(SERIOUS=ae["AESER"].map({"Y": "Serious", "N": "Not serious"}).fillna(MISSING))
    return {
        "ae_overview": overview.reset_index(drop=True),
        "ae_by_term": by_term,
        "ae_by_grade": by_grade,
        "ae_by_relatedness": _count_categories(
            rel, arms, "RELATEDNESS", [*RELATEDNESS.values(), MISSING]
        ),
        "ae_by_seriousness": _count_categories(
            ser, arms, "SERIOUS", ["Serious", "Not serious", MISSING]
        ),
        "ae_by_outcome": _count_categories(out, arms, "OUTCOME", [*OUTCOMES.values(), MISSING]),
    }


LISTING_COLUMNS = {
    "USUBJID": "Participant",
    "ARM": "Arm",
    "AETERM": "Verbatim term",
    "AESOC": "System organ class",
    "AEDECOD": "Preferred term",
    "ASTDY": "Start day",
    "AENDY": "End day",
    "ADURN": "Duration (days)",
    "AETOXGR": "CTCAE grade",
    "AESER": "Serious",
    "RELATEDNESS": "Relatedness",
    "AERELFL": "Related",
    "OUTCOME": "Outcome",
    "TRTEMFL": "Treatment-emergent",
}


def list_adverse_events(adae: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    """Every adverse event, one row each, with the fields a reviewer reads (ADaM names).

    Sorted by participant and start day; TRTEMFL tells treatment-emergent from
    pre-treatment events. RELATEDNESS and OUTCOME are the decoded AREL and AEOUT.
    """
    x = adae.merge(adsl[["USUBJID", "ARM"]], on="USUBJID", how="left")
    x["RELATEDNESS"] = _labelled(x["AREL"], RELATEDNESS)
    x["OUTCOME"] = _labelled(x["AEOUT"], OUTCOMES)
    x = x.sort_values(["USUBJID", "ASTDY", "AESEQ"], na_position="last", kind="stable")
    return x[list(LISTING_COLUMNS)].reset_index(drop=True)


def list_pretreatment_events(adae: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    """The listing of :func:`list_adverse_events` restricted to TRTEMFL = N (before day 0)."""
    listing = list_adverse_events(adae, adsl)
    return listing[listing["TRTEMFL"] == "N"].reset_index(drop=True)


INFUSION_COLUMNS = ["USUBJID", "ARM", "DOSE", "VIABPCT", "INFREAC", "INFAEFL", "INFRFL"]


def list_infusions(adsl: pd.DataFrame) -> pd.DataFrame:
    """Per infused participant: dose received (cells/kg), viability (%), infusion reaction
    on the form (INFREAC), an AE starting on day 0 or 1 (INFAEFL), either (INFRFL)."""
    return safety_population(adsl)[INFUSION_COLUMNS].reset_index(drop=True)


def summarise_infusions(adsl: pd.DataFrame) -> pd.DataFrame:
    """Per ARM (and Total): N, median, min and max of DOSE and VIABPCT; n (%) with a
    reaction on the form, an AE on day 0 or 1, and either. Long format:
    ARM, ITEM, N, MEDIAN, MIN, MAX, N_YES, PCT."""
    arms = _arms(adsl).merge(adsl[INFUSION_COLUMNS].drop(columns="ARM"), on="USUBJID")
    rows = []
    for arm, d in arms.groupby("ARM", sort=False):
        for item in ("DOSE", "VIABPCT"):
            v = d[item].dropna()
            rows.append(
                {"ARM": arm, "ITEM": item, "N": len(v), "MEDIAN": v.median() if len(v) else np.nan,
                 "MIN": v.min() if len(v) else np.nan, "MAX": v.max() if len(v) else np.nan}
            )  # fmt: skip
        for item in ("INFREAC", "INFAEFL", "INFRFL"):
            known = d[item].dropna()
            n_yes = int((known == "Y").sum())
            rows.append(
                {"ARM": arm, "ITEM": item, "N": len(known), "N_YES": n_yes,
                 "PCT": 100 * n_yes / len(known) if len(known) else np.nan}
            )  # fmt: skip
    out = pd.DataFrame(rows, columns=["ARM", "ITEM", "N", "MEDIAN", "MIN", "MAX", "N_YES", "PCT"])
    out = out.sort_values("ARM", kind="stable", key=lambda s: s == TOTAL)
    return out.astype({"N": int, "N_YES": "Int64"}).reset_index(drop=True)
