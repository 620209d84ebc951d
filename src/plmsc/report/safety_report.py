"""Safety content for Table 3 and numbers.json: hypoglycaemia by period, safety labs,
the infusion (content only; :mod:`plmsc.report.publish` lays the tables out).

Rows follow :func:`plmsc.report.tables.safety_table`: Section, Item (four leading
spaces per nesting level) and per arm ``Participants, n/N (%)``, ``Events``,
``Events per participant-year`` (prefixed ``<arm>: `` when there are several arms).
Every number is formatted by :mod:`plmsc.report.formatting`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from plmsc.constants import DAYS_PER_YEAR
from plmsc.endpoints.safety import EXPOSURE_DEFINITION, OVERALL
from plmsc.endpoints.toxicity import TERMS
from plmsc.report.formatting import format_median_range, format_n_of_total, format_number, rounded


def _rate_decimals() -> int:
    """Decimals of a rate per participant-year: numbers.json's, so both agree (imported
    late: plmsc.report.numbers imports the tables that import this module)."""
    from plmsc.report.numbers import RATE_DECIMALS

    return RATE_DECIMALS


NESTED = "    "
N_COL, EV_COL, RATE_COL = "Participants, n/N (%)", "Events", "Events per participant-year"
LEVELS = ("Level 1", "Level 2", "Level 3", "Any level")
#: Infusion items of infusion_summary, with their Table 3 labels.
INFUSION_ITEMS = {
    "DOSE": "Dose received (10^6 cells/kg), median (min–max)",
    "VIABPCT": "Cell viability (%), median (min–max)",
    "INFRFL": "Infusion reaction (on the infusion form or an adverse event on day 0-1)",
    "INFREAC": "Infusion reaction on the infusion form",
    "INFAEFL": "Adverse event starting on day 0 or 1",
}
DOSE_UNIT = 1e6


def columns(arms: Sequence[str]) -> dict[str, tuple[str, str, str]]:
    """Per arm, the names of its three columns."""
    multi = len(arms) > 1
    return {a: tuple(f"{a}: {c}" if multi else c for c in (N_COL, EV_COL, RATE_COL)) for a in arms}  # type: ignore[misc]


def _row(section: str, item: str, arms: Sequence[str], cells: dict[str, tuple[str, str, str]]):
    cols = columns(arms)
    row = {"Section": section, "Item": item}
    for a in arms:
        for name, value in zip(cols[a], cells.get(a, ("", "", "")), strict=True):
            row[name] = value
    return row


def hypoglycaemia_period_rows(hypo_rates: pd.DataFrame, arms: Sequence[str]) -> list[dict]:
    """Per period (config order, "Overall" left out): a heading row with the participant-years
    of exposure, then each ADA level: participants with an event n/N, events inside the
    exposure, rate per participant-year. A last row counts the events outside the exposure."""
    section = "Hypoglycaemia (ADA level) by period, exposure-based rates"
    rows = []
    periods = [p for p in dict.fromkeys(hypo_rates["PERIOD"]) if p != OVERALL]
    for period in periods:
        d = hypo_rates[hypo_rates["PERIOD"] == period]
        head = {}
        for a in arms:
            r = d[(d["ARM"] == a) & (d["LEVEL"] == "Any level")]
            py = format_number(float(r["PY"].iloc[0]), _rate_decimals()) if len(r) else ""
            head[a] = (f"{py} participant-years", "", "")
        rows.append(_row(section, period, arms, head))
        for level in LEVELS:
            cells = {}
            for a in arms:
                r = d[(d["ARM"] == a) & (d["LEVEL"] == level)]
                if r.empty:
                    continue
                r = r.iloc[0]
                rate = r["RATE_PER_PY"]
                cells[a] = (
                    format_n_of_total(int(r["N_WITH_EVENT"]), int(r["N_PARTICIPANTS"])),
                    str(int(r["N_EVENTS"])),
                    "" if pd.isna(rate) else format_number(float(rate), _rate_decimals()),
                )
            rows.append(_row(section, NESTED + level, arms, cells))
    overall = hypo_rates[(hypo_rates["PERIOD"] == OVERALL) & (hypo_rates["LEVEL"] == "Any level")]
    out = {}
    for a in arms:
        r = overall[overall["ARM"] == a]
        if len(r):
            out[a] = ("", str(int(r["N_OUTSIDE"].iloc[0])), "")
    rows.append(_row(section, "Events outside the exposure (not in the rates)", arms, out))
    return rows


def lab_rows(lab_worst_grade: pd.DataFrame, arms: Sequence[str]) -> list[dict]:
    """Per safety test (CTCAE term): participants with a worst post-baseline grade >= 1,
    n/N (%), then one nested row per grade 1-4 that occurs. N: participants with a
    post-baseline value of the test."""
    section = "Safety laboratory values, worst post-baseline CTCAE v5.0 grade"
    rows = []
    w = lab_worst_grade[lab_worst_grade["WORSTGR"] != "Missing"]
    for code, term in TERMS.items():
        d = w[w["PARAMCD"] == code]
        head, grades = {}, {}
        for a in arms:
            x = d[d["ARM"] == a]
            n = int(x["N_PARTICIPANTS"].sum())
            graded = x[x["WORSTGR"] != "0"]
            head[a] = (format_n_of_total(int(graded["N_PARTICIPANTS"].sum()), n), "", "")
            for _, r in graded[graded["N_PARTICIPANTS"] > 0].iterrows():
                grades.setdefault(r["WORSTGR"], {})[a] = (
                    format_n_of_total(int(r["N_PARTICIPANTS"]), n),
                    "",
                    "",
                )
        rows.append(_row(section, f"{term}, grade ≥ 1", arms, head))
        for g in sorted(grades):
            rows.append(_row(section, f"{NESTED}Grade {g}", arms, grades[g]))
    return rows


def infusion_rows(infusion_summary: pd.DataFrame, arms: Sequence[str]) -> list[dict]:
    """Dose received and viability, median (min–max); infusion reactions n/N (%)."""
    section = "The infusion"
    rows = []
    for item, label in INFUSION_ITEMS.items():
        cells = {}
        for a in arms:
            r = infusion_summary[
                (infusion_summary["ARM"] == a) & (infusion_summary["ITEM"] == item)
            ]
            if r.empty:
                continue
            r = r.iloc[0]
            if item in ("DOSE", "VIABPCT"):
                scale = DOSE_UNIT if item == "DOSE" else 1.0
                values = [r["MEDIAN"] / scale, r["MIN"] / scale, r["MAX"] / scale]
                text = _median_min_max(values, 2 if item == "DOSE" else 1)
                cells[a] = (text, "", "")
            else:
                cells[a] = (format_n_of_total(int(r["N_YES"]), int(r["N"])), "", "")
        rows.append(_row(section, label, arms, cells))
    return rows


def _median_min_max(values: Sequence[float], decimals: int) -> str:
    """``median (min–max)`` from a precomputed median, min and max."""
    med, lo, hi = values
    if pd.isna(med):
        return ""
    return format_median_range([lo, med, hi], decimals)


# --- numbers.json --------------------------------------------------------------------


def _num(value: Any, decimals: int = 3) -> float | None:
    return None if pd.isna(value) else rounded(float(value), decimals)


def hypoglycaemia_period_numbers(hypo_rates: pd.DataFrame, arm: str = "Total") -> dict[str, Any]:
    """Per period and level: events inside the exposure, events outside, participants with
    an event, participants exposed, participant-years and the rate; with the definition."""
    r = hypo_rates[hypo_rates["ARM"] == arm]
    out: dict[str, Any] = {"definition": EXPOSURE_DEFINITION, "by_period": {}}
    for period, d in r.groupby("PERIOD", sort=False):
        out["by_period"][str(period)] = {
            str(row["LEVEL"]).lower().replace(" ", "_"): {
                "n_events": int(row["N_EVENTS"]),
                "n_outside_exposure": int(row["N_OUTSIDE"]),
                "n_participants_with_event": int(row["N_WITH_EVENT"]),
                "n_participants_exposed": int(row["N_PARTICIPANTS"]),
                "participant_years": _num(row["PY"]),
                "rate_per_participant_year": _num(row["RATE_PER_PY"], _rate_decimals()),
            }
            for _, row in d.iterrows()
        }
    return out


def lab_numbers(lab_worst_grade: pd.DataFrame, arm: str | None = None) -> dict[str, Any]:
    """Per safety test: its CTCAE term, the highest worst post-baseline grade seen, the
    participants with grade >= 1 and with a post-baseline value; and the highest overall."""
    arm = arm or str(lab_worst_grade["ARM"].iloc[-1])
    w = lab_worst_grade[(lab_worst_grade["ARM"] == arm) & (lab_worst_grade["WORSTGR"] != "Missing")]
    out: dict[str, Any] = {}
    worst_all = 0
    for code, term in TERMS.items():
        d = w[(w["PARAMCD"] == code) & (w["N_PARTICIPANTS"] > 0)]
        grades = d["WORSTGR"].astype(int)
        worst = int(grades.max()) if len(d) else None
        worst_all = max(worst_all, worst or 0)
        out[code] = {
            "term": term,
            "worst_grade": worst,
            "n_grade1_or_higher": int(d.loc[grades >= 1, "N_PARTICIPANTS"].sum()),
            "n_with_post_baseline_value": int(d["N_PARTICIPANTS"].sum()),
        }
    return {"by_test": out, "worst_grade_any_test": worst_all}


def infusion_numbers(infusion_summary: pd.DataFrame, arm: str | None = None) -> dict[str, Any]:
    """Dose (cells/kg) and viability (%) median, min, max; infusion reactions n of N."""
    arm = arm or str(infusion_summary["ARM"].iloc[-1])
    s = infusion_summary[infusion_summary["ARM"] == arm].set_index("ITEM")
    out: dict[str, Any] = {}
    for item, key in (("DOSE", "dose_cells_per_kg"), ("VIABPCT", "viability_pct")):
        r = s.loc[item]
        out[key] = {
            "n": int(r["N"]),
            "median": _num(r["MEDIAN"], 1),
            "min": _num(r["MIN"], 1),
            "max": _num(r["MAX"], 1),
        }
    for item, key in (
        ("INFREAC", "reaction_on_form"),
        ("INFAEFL", "ae_on_day_0_or_1"),
        ("INFRFL", "any_infusion_reaction"),
    ):
        r = s.loc[item]
        out[key] = {"n": int(r["N_YES"]), "of": int(r["N"])}
    return out


def exposure_numbers(adsl: pd.DataFrame) -> dict[str, Any]:
    """Safety population exposure: participants, participant-years, median (min, max) days."""
    saf = adsl[adsl["SAFFL"] == "Y"] if "SAFFL" in adsl.columns else adsl
    days = pd.to_numeric(saf["EXPDURD"]).astype(float)
    return {
        "n_safety_population": len(saf),
        "participant_years": _num(days.sum() / DAYS_PER_YEAR),
        "median_days": _num(days.median(), 1),
        "min_days": _num(days.min(), 0),
        "max_days": _num(days.max(), 0),
    }


def adverse_event_extra_numbers(
    ae_by_grade: pd.DataFrame,
    ae_by_relatedness: pd.DataFrame,
    ae_by_outcome: pd.DataFrame,
    ae_pretreatment: pd.DataFrame,
    arm: str | None = None,
) -> dict[str, Any]:
    """Treatment-emergent events by worst grade (participants), relatedness and outcome
    (participants and events); pre-treatment events (not in any summary) counted apart."""
    arm = arm or str(ae_by_grade["ARM"].iloc[-1])
    g = ae_by_grade[ae_by_grade["ARM"] == arm]
    by_cat = {}
    for name, frame, col in (
        ("by_relatedness", ae_by_relatedness, "RELATEDNESS"),
        ("by_outcome", ae_by_outcome, "OUTCOME"),
    ):
        f = frame[frame["ARM"] == arm]
        by_cat[name] = {
            str(r[col]).lower().replace(" ", "_"): {
                "n_participants": int(r["N_PARTICIPANTS"]),
                "n_events": int(r["N_EVENTS"]),
            }
            for _, r in f.iterrows()
        }
    pre = ae_pretreatment
    return {
        "by_worst_grade": {
            str(int(r["WORST_GRADE"])): int(r["N_PARTICIPANTS"]) for _, r in g.iterrows()
        },
        **by_cat,
        "pretreatment": {
            "n_events": len(pre),
            "n_participants": int(pre["USUBJID"].nunique()),
            "n_serious": int((pre["AESER"] == "Y").sum()),
        },
    }


def safety_numbers(data: Any) -> dict[str, Any]:
    """Every safety number the results section quotes beyond the AE overview and the
    whole-follow-up hypoglycaemia: keys ``adverse_events`` (to merge into the existing
    one), ``hypoglycaemia`` (written as ``hypoglycaemia_by_period``), ``safety_labs``,
    ``infusion_reactions`` (on the form, AEs on day 0-1, either), ``exposure``. ``data``
    maps the names of :data:`plmsc.report.catalogue.STATS` and adsl to frames."""
    arm = "Total" if "Total" in set(data["ae_overview"]["ARM"]) else None
    return {
        "adverse_events": adverse_event_extra_numbers(
            data["ae_by_grade"],
            data["ae_by_relatedness"],
            data["ae_by_outcome"],
            data["ae_pretreatment"],
            arm,
        ),
        "hypoglycaemia": hypoglycaemia_period_numbers(data["hypo_rates"]),
        "safety_labs": lab_numbers(data["lab_worst_grade"], arm),
        # dose and viability are the article's ``infusion`` key; the reactions are here
        "infusion_reactions": {
            k: v
            for k, v in infusion_numbers(data["infusion_summary"], arm).items()
            if k not in ("dose_cells_per_kg", "viability_pct")
        },
        "exposure": exposure_numbers(data["adsl"]),
    }
