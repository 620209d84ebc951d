"""Every number the results section quotes, as one sorted JSON document.

Numbers are rounded by :mod:`plmsc.report.formatting` (half away from zero) to the
decimals the tables show: an endpoint's own decimals (Table 2), percentages to
:data:`PCT_DECIMALS`, rates per participant-year to :data:`RATE_DECIMALS`. Keys
are sorted, so the file has the same bytes for the same analysis datasets.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from plmsc.endpoints.populations import population_counts
from plmsc.endpoints.registry import endpoint
from plmsc.endpoints.safety import OVERVIEW
from plmsc.io import write_text
from plmsc.report.formatting import rounded
from plmsc.report.tables import analysed, by_arm

#: Decimals of a percentage change from baseline.
PCT_DECIMALS = 1
#: Decimals of an event rate per participant-year (as in Table 3).
RATE_DECIMALS = 2
#: Antibodies whose nadir is quoted.
NADIR_ANTIBODIES = ("GADA", "ZNT8A")


def decimals_of(paramcd: str) -> int:
    """Decimals with which the tables show ``paramcd`` (the endpoint registry's)."""
    return endpoint(paramcd).decimals


def _median(values: pd.Series, decimals: int) -> float | None:
    x = values.dropna()
    return rounded(float(x.median()), decimals) if len(x) else None


def remission_numbers(adeff: pd.DataFrame, first_visit: str = "Month 1") -> dict[str, Any]:
    """Participants in partial remission (REMISS = 1) at ``first_visit`` and by visit.

    ``visits`` lists, in visit order, the scheduled visits at which at least one
    participant was in remission; ``by_visit`` gives n assessed and n in remission
    per visit, in visit order.
    """
    rem = analysed(adeff)
    rem = rem[(rem["PARAMCD"] == "REMISS") & rem["AVAL"].notna()]
    by_visit = []
    for (_, visit), d in rem.groupby(["AVISITN", "AVISIT"], sort=True):
        n_yes = int((d["AVAL"] == 1).sum())
        by_visit.append({"visit": visit, "n_assessed": len(d), "n_remission": n_yes})
    visits = [v["visit"] for v in by_visit if v["n_remission"]]
    first = next(
        (v for v in by_visit if v["visit"] == first_visit), {"n_assessed": 0, "n_remission": 0}
    )
    return {
        "first_visit": first_visit,
        "n_first_visit": first["n_remission"],
        "n_assessed_first_visit": first["n_assessed"],
        "visits": visits,
        "by_visit": by_visit,
    }


def cpeptide_numbers(adeff: pd.DataFrame, comparison_visit: str = "Month 12") -> dict[str, Any]:
    """C-peptide mean AUC (nmol/L): median at baseline and at the comparison visit,
    and the median of the participants' % change from baseline at that visit."""
    d = analysed(adeff)
    d = d[d["PARAMCD"] == "CPAUC"]
    base = d[d["ABLFL"].eq("Y").fillna(False)]
    comp = d[d["AVISIT"] == comparison_visit]
    return {
        "unit": endpoint("CPAUC").unit,
        "comparison_visit": comparison_visit,
        "median_baseline": _median(base["AVAL"], decimals_of("CPAUC")),
        "median_comparison": _median(comp["AVAL"], decimals_of("CPAUC")),
        "median_pct_change": _median(comp["PCHG"], PCT_DECIMALS),
        "n_baseline": int(base["AVAL"].notna().sum()),
        "n_comparison": int(comp["AVAL"].notna().sum()),
    }


def antibody_nadir(adeff: pd.DataFrame, paramcd: str) -> dict[str, Any]:
    """Post-baseline visit with the lowest median % change from baseline, and that median.

    Ties go to the earlier visit.
    """
    d = analysed(adeff)
    d = d[(d["PARAMCD"] == paramcd) & ~d["ABLFL"].eq("Y").fillna(False) & (d["AVISITN"] > 0)]
    med = d.groupby(["AVISITN", "AVISIT"], sort=True)["PCHG"].median().dropna()
    if med.empty:
        return {"visit": None, "median_pct_change": None}
    (_, visit) = med.idxmin()
    return {"visit": visit, "median_pct_change": rounded(float(med.min()), PCT_DECIMALS)}


def adverse_event_numbers(ae_overview: pd.DataFrame, arm: str | None = None) -> dict[str, Any]:
    """Treatment-emergent adverse events, participants and events per row of the AE
    overview (:data:`plmsc.endpoints.safety.OVERVIEW`: any, serious, related, grade >= 3,
    fatal); rows missing from ``ae_overview`` are left out."""
    arm = arm or str(ae_overview["ARM"].iloc[-1])
    ov = ae_overview[ae_overview["ARM"] == arm].set_index("CATEGORY")
    return {
        key: {
            "n_participants": int(ov.loc[cat, "N_PARTICIPANTS"]),
            "n_events": int(ov.loc[cat, "N_EVENTS"]),
        }
        for key, (cat, _) in OVERVIEW.items()
        if cat in ov.index
    }


def hypoglycaemia_numbers(hypo_rates: pd.DataFrame, arm: str | None = None) -> dict[str, Any]:
    """Hypoglycaemia over the whole follow-up by ADA level: events, participants, rate/PY."""
    arm = arm or str(hypo_rates["ARM"].iloc[-1])
    r = hypo_rates[(hypo_rates["ARM"] == arm) & (hypo_rates["PERIOD"] == "Overall")]
    out = {}
    for _, row in r.iterrows():
        key = str(row["LEVEL"]).lower().replace(" ", "_")
        out[key] = {
            "n_events": int(row["N_EVENTS"]),
            "n_participants": int(row["N_WITH_EVENT"]),
            "rate_per_participant_year": rounded(float(row["RATE_PER_PY"]), RATE_DECIMALS),
        }
    return out


def results_numbers(
    adsl: pd.DataFrame,
    adeff: pd.DataFrame,
    ae_overview: pd.DataFrame,
    hypo_rates: pd.DataFrame,
    design: str,
    comparison_visit: str = "Month 12",
) -> dict[str, Any]:
    """The numbers quoted by the results section, for all participants pooled.

    A randomised, unblinded cohort also gets ``n_by_arm``; arm comparisons come
    from the stats tables.
    """
    safety_arm = "Total" if "Total" in set(ae_overview["ARM"]) else None
    numbers: dict[str, Any] = {
        "n": int(adsl["USUBJID"].nunique()),
        "design": design,
        "remission": remission_numbers(adeff),
        "cpeptide_auc": cpeptide_numbers(adeff, comparison_visit),
        "antibody_nadir": {code: antibody_nadir(adeff, code) for code in NADIR_ANTIBODIES},
        "adverse_events": adverse_event_numbers(ae_overview, safety_arm),
        "hypoglycaemia": hypoglycaemia_numbers(hypo_rates, safety_arm),
    }
    if by_arm(adsl, design):
        numbers["n_by_arm"] = {
            str(k): int(v) for k, v in adsl.groupby("ARM")["USUBJID"].nunique().items()
        }
    return numbers


def population_numbers(adsl: pd.DataFrame, primary: str = "ITT") -> dict[str, Any]:
    """Participants per analysis population (ITT, SAF, MITT, PPROT) and the primary one.

    ``populations.n.<code>`` counts flag = Y; ``populations.n_primary`` is the size
    of the primary analysis population (analysis.population).
    """
    counts = population_counts(adsl)
    return {"primary": primary, "n": counts, "n_primary": counts.get(primary)}


def numbers_json(numbers: Mapping[str, Any]) -> str:
    """Sorted, indented JSON with a final newline."""
    return json.dumps(numbers, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_numbers(numbers: Mapping[str, Any], path: str | Path) -> Path:
    """Write :func:`numbers_json` atomically."""
    return write_text(numbers_json(numbers), path)
