"""Reports for the data safety monitoring board: an open and a closed one, same data.

* Open (blinded) report: pooled safety of every infused participant. It is built
  from :func:`blind_adsl`, an ADSL that keeps only the columns that cannot reveal
  the allocation (USUBJID, SAFFL and the exposure days) and puts everyone in one
  group, so no arm name, per-arm count or arm-dependent order can reach it:
  listings are sorted by USUBJID and start day, categories alphabetically or in
  their coded order.
* Closed (unblinded) report: the same tables by arm (as randomised) with a Total
  column, marked CLOSED. Before unblinding (no randomisation list) there is no
  closed report: its page says so and holds no data.

Contents: participants and exposure; treatment-emergent adverse events (overview,
by system organ class and preferred term, worst CTCAE grade); serious adverse
events listed; hypoglycaemia by ADA level over the whole exposure (per participant-year); laboratory
abnormalities by worst post-baseline CTCAE grade (when ADLB carries ATOXGR).
The safety counts come from :mod:`plmsc.endpoints.safety`, as the safety tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from jinja2 import Environment
from markupsafe import Markup

from plmsc.constants import BLINDED, HYPO_OVERALL_PERIOD
from plmsc.endpoints.safety import (
    OUTCOMES,
    OVERALL,
    RELATEDNESS,
    TOTAL,
    safety_population,
    summarise_adverse_events,
    summarise_hypoglycaemia,
    treatment_emergent,
)
from plmsc.report.formatting import format_n_pct, format_number

#: The open report's single group.
POOLED = "All participants"
#: ADSL columns the open report may see: none of them depends on the allocation.
OPEN_ADSL_COLUMNS = ("USUBJID", "SAFFL", "TRTSDY", "EXPENDY", "EXPDURD", "EXPDURY")
CLOSED_MARK = "CLOSED"
SAE_COLUMNS = {
    "USUBJID": "Participant",
    "AEDECOD": "Preferred term",
    "AESOC": "System organ class",
    "ASTDY": "Start day",
    "AENDY": "End day",
    "AETOXGR": "CTCAE grade",
    "RELATEDNESS": "Relatedness",
    "OUTCOME": "Outcome",
}


def blind_adsl(adsl: pd.DataFrame) -> pd.DataFrame:
    """ADSL for the open report: the allocation-free columns, everyone in one group."""
    keep = [c for c in OPEN_ADSL_COLUMNS if c in adsl.columns]
    out = adsl[keep].sort_values("USUBJID", ignore_index=True)
    return out.assign(ARM=POOLED)


def is_unblinded(adsl: pd.DataFrame) -> bool:
    """True when ARM holds the randomised arms (a closed report can be made)."""
    arms = set(adsl["ARM"].dropna())
    return bool(arms) and BLINDED not in arms


def _groups(frame: pd.DataFrame) -> list[str]:
    names = sorted(set(frame["ARM"]) - {TOTAL})
    return [*names, TOTAL] if TOTAL in set(frame["ARM"]) else names


def _wide(
    counts: pd.DataFrame, row: Sequence[str], labels: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Counts by ARM -> one row per ``row`` key, per group "n (%)" and "events" columns."""
    x = counts.assign(
        CELL=[
            format_n_pct(n, d)
            for n, d in zip(counts["N_PARTICIPANTS"], counts["N_ARM"], strict=True)
        ]
    )
    out = None
    for g in _groups(x):
        part = x[x["ARM"] == g].set_index(list(row))
        denom = int(part["N_ARM"].iloc[0]) if len(part) else 0
        cols = {"CELL": f"{g} (N = {denom}) n (%)"}
        if "N_EVENTS" in part:
            cols["N_EVENTS"] = f"{g} events"
        block = part[list(cols)].rename(columns=cols)
        out = block if out is None else out.join(block, how="outer")
    # rows in the order of the counts (categories as coded, SOC then its terms)
    keys = counts.drop_duplicates(subset=list(row))[list(row)]
    out = keys.merge(out.reset_index(), on=list(row), how="left")
    return out.rename(columns=dict(labels or {}))


def participants_table(adsl: pd.DataFrame) -> pd.DataFrame:
    """Participants enrolled and infused, and participant-years of exposure, per group."""
    groups = adsl if adsl["ARM"].nunique() == 1 else pd.concat([adsl, adsl.assign(ARM=TOTAL)])
    rows = []
    for g in _groups(groups):
        d = groups[groups["ARM"] == g]
        saf = safety_population(d)
        years = saf["EXPDURY"].sum() if "EXPDURY" in saf else float("nan")
        rows.append(
            {
                "Group": g,
                "Enrolled": len(d),
                "Infused (safety population)": len(saf),
                "Participant-years of exposure": format_number(years, 1),
            }
        )
    return pd.DataFrame(rows)


def sae_listing(adae: pd.DataFrame, adsl: pd.DataFrame, by_arm: bool) -> pd.DataFrame:
    """Serious treatment-emergent adverse events, sorted by USUBJID and start day."""
    te = treatment_emergent(adae)
    sae = te[(te["AESER"] == "Y") & te["USUBJID"].isin(safety_population(adsl)["USUBJID"])]
    sae = sae.assign(
        RELATEDNESS=sae["AREL"].map(RELATEDNESS).fillna(""),
        OUTCOME=sae["AEOUT"].map(OUTCOMES).fillna(""),
    ).sort_values(["USUBJID", "ASTDY", "AEDECOD"], kind="stable")
    cols = dict(SAE_COLUMNS)
    if by_arm:
        sae = sae.merge(adsl[["USUBJID", "ARM"]], on="USUBJID", how="left")
        cols = {
            "USUBJID": "Participant",
            "ARM": "Arm",
            **{k: v for k, v in cols.items() if k != "USUBJID"},
        }
    return sae[list(cols)].rename(columns=cols).reset_index(drop=True)


def lab_abnormalities(adlb: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame | None:
    """Participants by worst post-baseline CTCAE grade (1-2, >= 3) per graded term.

    None when ADLB has no ATOXGR. Post-baseline = ADY > 0; the term is ATOXDSC.
    """
    if "ATOXGR" not in adlb.columns:
        return None
    pop = safety_population(adsl)
    arms = pop[["USUBJID", "ARM"]]
    if arms["ARM"].nunique() > 1:
        arms = pd.concat([arms, arms.assign(ARM=TOTAL)], ignore_index=True)
    lb = adlb[(adlb["ADY"] > 0).fillna(False) & adlb["ATOXGR"].notna() & adlb["ATOXDSC"].notna()]
    worst = lb.groupby(["USUBJID", "ATOXDSC"])["ATOXGR"].max().reset_index()
    worst["BAND"] = pd.cut(worst["ATOXGR"], [0, 2, 4], labels=["Grade 1-2", "Grade 3-4"]).astype(
        str
    )
    worst = worst[worst["ATOXGR"] >= 1]
    denom = arms.groupby("ARM")["USUBJID"].nunique().rename("N_ARM")
    x = worst.merge(arms, on="USUBJID")
    counts = x.groupby(["ARM", "ATOXDSC", "BAND"]).agg(N_PARTICIPANTS=("USUBJID", "nunique"))
    counts = counts.reset_index().join(denom, on="ARM")
    if counts.empty:
        return pd.DataFrame({"Laboratory abnormality": [], "Worst grade": []})
    return _wide(
        counts, ["ATOXDSC", "BAND"], {"ATOXDSC": "Laboratory abnormality", "BAND": "Worst grade"}
    )


def dsmb_tables(
    adsl: pd.DataFrame,
    adae: pd.DataFrame,
    adhypo: pd.DataFrame,
    adlb: pd.DataFrame,
    periods: Sequence[Mapping[str, Any]],
    by_arm: bool,
) -> dict[str, pd.DataFrame]:
    """The report's tables, keyed by section title; ``adsl`` is already blinded or not."""
    ae = summarise_adverse_events(adae, adsl)
    overview = _wide(
        ae["ae_overview"], ["CATEGORY"], {"CATEGORY": "Treatment-emergent adverse events"}
    )
    terms = ae["ae_by_term"].assign(
        TERM=lambda d: d["TERM"].where(d["LEVEL"] == 1, "    " + d["TERM"])
    )
    by_term = _wide(terms, ["AESOC", "AEDECOD", "TERM"]).drop(columns=["AESOC", "AEDECOD"])
    by_term = by_term.rename(columns={"TERM": "System organ class / preferred term"})
    grade = ae["ae_by_grade"].assign(GRADE=lambda d: "Grade " + d["WORST_GRADE"].astype(str))
    worst = _wide(grade, ["GRADE"], {"GRADE": "Worst CTCAE grade (0 = no event)"})
    _, rates = summarise_hypoglycaemia(adhypo, adsl, periods)
    rates = rates[rates["PERIOD"] == OVERALL]
    if not by_arm:
        rates = rates[rates["ARM"] != TOTAL]
    hypo = pd.DataFrame(
        {
            "Group": rates["ARM"],
            "ADA level": rates["LEVEL"],
            "Events": rates["N_EVENTS"],
            "Participants with an event": rates["N_WITH_EVENT"],
            "Participant-years": [format_number(v, 1) for v in rates["PY"]],
            "Events per participant-year": [format_number(v, 2) for v in rates["RATE_PER_PY"]],
        }
    )
    tables = {
        "Participants and exposure": participants_table(adsl),
        "Adverse events: overview": overview,
        "Adverse events by system organ class and preferred term": by_term,
        "Participants by worst adverse-event grade": worst,
        "Serious adverse events (listing)": sae_listing(adae, adsl, by_arm),
        f"Hypoglycaemia by ADA level, {HYPO_OVERALL_PERIOD}": hypo,
    }
    labs = lab_abnormalities(adlb, adsl)
    if labs is not None:
        tables["Laboratory abnormalities, worst post-baseline CTCAE grade"] = labs
    return tables


TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
body { font-family: sans-serif; margin: 2em; }
table { border-collapse: collapse; margin-bottom: 1.5em; }
th, td { border: 1px solid #999; padding: 0.2em 0.5em; text-align: left; white-space: pre; }
.closed { color: #a00; font-weight: bold; border: 2px solid #a00; padding: 0.5em; }
</style></head><body>
{% if closed %}<p class="closed">{{ mark }}: for the members of the data safety monitoring
board only. Do not distribute.</p>{% endif %}
<h1>{{ title }}</h1>
<p>{{ subtitle }}</p>
{% for name, html in sections %}<h2>{{ name }}</h2>
{{ html }}
{% endfor %}{% if closed %}<p class="closed">{{ mark }}</p>{% endif %}
</body></html>
"""


def render_report(cohort: str, tables: Mapping[str, pd.DataFrame] | None, closed: bool) -> str:
    """The report as one HTML page (same bytes for the same tables)."""
    env = Environment(autoescape=True)
    template = env.from_string(TEMPLATE)
    if closed and tables is None:
        title = f"Data safety monitoring board: {CLOSED_MARK} report, cohort {cohort}"
        subtitle = (
            "Not available: the allocation is still blinded (no randomisation list), "
            "so only the open report exists."
        )
        sections: list[tuple[str, str]] = []
    else:
        kind = f"{CLOSED_MARK} report, by arm (as randomised)" if closed else "open report, pooled"
        title = f"Data safety monitoring board: {kind}, cohort {cohort}"
        subtitle = (
            "Safety population (infused participants); treatment-emergent events; "
            "study days from the infusion (day 0)."
        )
        sections = [
            (name, frame.to_html(index=False, border=0, na_rep="", escape=True))
            for name, frame in (tables or {}).items()
        ]
    return template.render(
        title=title,
        subtitle=subtitle,
        closed=closed,
        mark=CLOSED_MARK,
        sections=[(n, Markup(h)) for n, h in sections],
    )


def dsmb_reports(
    cohort: str,
    adsl: pd.DataFrame,
    adae: pd.DataFrame,
    adhypo: pd.DataFrame,
    adlb: pd.DataFrame,
    periods: Sequence[Mapping[str, Any]],
) -> dict[str, str]:
    """``{"open": html, "closed": html}`` from the same analysis datasets."""
    open_tables = dsmb_tables(blind_adsl(adsl), adae, adhypo, adlb, periods, by_arm=False)
    closed_tables = (
        dsmb_tables(adsl, adae, adhypo, adlb, periods, by_arm=True) if is_unblinded(adsl) else None
    )
    return {
        "open": render_report(cohort, open_tables, closed=False),
        "closed": render_report(cohort, closed_tables, closed=True),
    }
