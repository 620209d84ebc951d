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
from plmsc.endpoints.registry import endpoint, select
from plmsc.endpoints.safety import OVERVIEW
from plmsc.io import write_text
from plmsc.report.formatting import P_DECIMALS, format_p, rounded
from plmsc.report.formatting import PCT_DECIMALS as PROPORTION_DECIMALS
from plmsc.report.tables import analysed, by_arm

#: Decimals of a percentage change from baseline.
PCT_DECIMALS = 1
#: Decimals of an event rate per participant-year (as in Table 3).
RATE_DECIMALS = 2
#: Antibodies whose nadir is quoted.
NADIR_ANTIBODIES = ("GADA", "ZNT8A")
#: Antibodies whose positivity is quoted (registry: kind = titre).
ANTIBODIES = select(kind="titre")


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


def antibody_positivity(adeff: pd.DataFrame, paramcd: str) -> dict[str, Any]:
    """Participants positive (CRIT1FL = Y, titre at or above the cut-off) per visit,
    as in Table 2: n assessed, n positive and the percentage (whole %)."""
    d = analysed(adeff)
    d = d[(d["PARAMCD"] == paramcd) & d["AVAL"].notna()]
    if "CRIT1FL" not in d.columns or d["CRIT1FL"].isna().all():
        return {"cutoff": None, "by_visit": []}
    cutoff = str(d["CRIT1"].dropna().iloc[0])
    by_visit = []
    for (_, visit), v in d.groupby(["AVISITN", "AVISIT"], sort=True):
        n_pos, n = int(v["CRIT1FL"].eq("Y").sum()), len(v)
        by_visit.append(
            {
                "visit": visit,
                "n_assessed": n,
                "n_positive": n_pos,
                "pct_positive": rounded(100 * n_pos / n, PROPORTION_DECIMALS) if n else None,
            }
        )
    return {"cutoff": cutoff, "by_visit": by_visit}


def _efficacy_numbers(adeff: pd.DataFrame, comparison_visit: str) -> dict[str, Any]:
    """Remission, C-peptide, antibody nadir and positivity of one group of participants."""
    return {
        "remission": remission_numbers(adeff),
        "cpeptide_auc": cpeptide_numbers(adeff, comparison_visit),
        "antibody_nadir": {code: antibody_nadir(adeff, code) for code in NADIR_ANTIBODIES},
        "antibody_positivity": {code: antibody_positivity(adeff, code) for code in ANTIBODIES},
    }


def _estimate(row: Mapping[str, Any], column: str, decimals: int) -> dict[str, Any]:
    return {
        "estimate": rounded(row.get(column), decimals),
        "ci_lo": rounded(row.get(f"{column}_LO"), decimals),
        "ci_hi": rounded(row.get(f"{column}_HI"), decimals),
    }


def ancova_numbers(ancova: pd.DataFrame) -> dict[str, Any]:
    """The ANCOVA of the stats table (one row): adjusted means by arm (nmol/L), the
    difference in nmol/L and on the log scale, the ratio of (mean AUC + 1), F and p,
    or its STATUS and REASON when not estimable. Decimals as the endpoint's (CPAUC in
    nmol/L, CPAUCL on the log scale)."""
    r = ancova.iloc[0].to_dict()
    treated, reference = str(r["TREATED"]), str(r["REFERENCE"])
    nmol, log = decimals_of("CPAUC"), decimals_of("CPAUCL")
    out: dict[str, Any] = {
        "paramcd": r.get("PARAMCD"),
        "visit": r.get("VISIT"),
        "status": r.get("STATUS", "estimated"),
        "reason": r.get("REASON") if isinstance(r.get("REASON"), str) else "",
        "n_by_arm": {treated: int(r["N_TREATED"]), reference: int(r["N_REFERENCE"])},
    }
    if out["status"] != "estimated":
        return out
    p = float(r["P"])
    return out | {
        "adjusted_mean_nmol_per_l": {
            treated: _estimate(r, "ADJMEAN_TREATED_NMOL", nmol),
            reference: _estimate(r, "ADJMEAN_REFERENCE_NMOL", nmol),
        },
        "difference_nmol_per_l": _estimate(r, "DIFF_NMOL", nmol),
        "difference_log_scale": _estimate(r, "DIFF_LOG", log),
        "ratio_auc_plus_1": _estimate(r, "RATIO_AUCP1", log),
        "comparison": f"{treated} - {reference}",
        "p": rounded(p, P_DECIMALS),
        "p_text": format_p(p),
    }


def remission_by_arm_numbers(table: pd.DataFrame, paramcd: str = "REMISS") -> dict[str, Any]:
    """Participants in remission / assessed per arm and visit, from the stats table."""
    t = table[table["PARAMCD"] == paramcd].sort_values(["ARM", "AVISITN"], kind="stable")
    return {
        str(arm): [
            {
                "visit": str(row["AVISIT"]),
                "n_assessed": int(row["N_ASSESSED"]),
                "n_remission": int(row["N_REMISSION"]),
                "pct": rounded(float(row["PCT"]), PROPORTION_DECIMALS),
                "pct_ci_lo": rounded(float(row["PCT_LO"]), PROPORTION_DECIMALS),
                "pct_ci_hi": rounded(float(row["PCT_HI"]), PROPORTION_DECIMALS),
            }
            for _, row in g.iterrows()
        ]
        for arm, g in t.groupby("ARM", sort=True)
    }


def results_numbers(
    adsl: pd.DataFrame,
    adeff: pd.DataFrame,
    ae_overview: pd.DataFrame,
    hypo_rates: pd.DataFrame,
    design: str,
    comparison_visit: str = "Month 12",
    arm_stats: Mapping[str, pd.DataFrame] | None = None,
) -> dict[str, Any]:
    """The numbers quoted by the results section.

    * Single arm, or randomised and still blinded: every efficacy number pooled over
      all participants (a blinded cohort has nothing else).
    * Randomised and unblinded: efficacy numbers **by arm only** (``by_arm``: remission,
      C-peptide, antibody nadir and positivity per arm; no pooled "effect"), and the
      arm comparison (``arm_comparison``) from the stats tables in ``arm_stats``
      (``ancova``: adjusted means by arm, difference with 95 % CI and p;
      ``remission_by_arm``: n/N (%) with Wilson CI per arm and visit).
    Safety numbers are those of all participants (Total of the safety tables).
    """
    safety_arm = "Total" if "Total" in set(ae_overview["ARM"]) else None
    numbers: dict[str, Any] = {
        "n": int(adsl["USUBJID"].nunique()),
        "design": design,
        "adverse_events": adverse_event_numbers(ae_overview, safety_arm),
        "hypoglycaemia": hypoglycaemia_numbers(hypo_rates, safety_arm),
    }
    if not by_arm(adsl, design):
        return numbers | _efficacy_numbers(adeff, comparison_visit)
    groups = {str(arm): sorted(g["USUBJID"]) for arm, g in adsl.groupby("ARM", sort=True)}
    numbers["n_by_arm"] = {arm: len(ids) for arm, ids in groups.items()}
    numbers["by_arm"] = {
        arm: _efficacy_numbers(adeff[adeff["USUBJID"].isin(ids)], comparison_visit)
        for arm, ids in groups.items()
    }
    arm_stats = arm_stats or {}
    comparison: dict[str, Any] = {}
    if "ancova" in arm_stats and len(arm_stats["ancova"]):
        comparison["ancova"] = ancova_numbers(arm_stats["ancova"])
    if "remission_by_arm" in arm_stats and "PARAMCD" in arm_stats["remission_by_arm"]:
        comparison["remission_by_arm"] = remission_by_arm_numbers(arm_stats["remission_by_arm"])
    numbers["arm_comparison"] = comparison
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
