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

import numpy as np
import pandas as pd

from plmsc.config import cohort_with_defaults
from plmsc.constants import BLINDED
from plmsc.endpoints.populations import population_counts
from plmsc.endpoints.registry import endpoint, select
from plmsc.endpoints.safety import OVERVIEW
from plmsc.io import write_text
from plmsc.report.formatting import P_DECIMALS, format_p, median_decimal, rounded
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
    """Median in decimal arithmetic, rounded like the tables (None when no value)."""
    med = median_decimal(values)
    return None if med is None else rounded(med, decimals)


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
    (visitn, visit) = med.idxmin()
    nadir = d.loc[d["AVISITN"] == visitn, "PCHG"]
    return {"visit": visit, "median_pct_change": _median(nadir, PCT_DECIMALS)}


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
    """Hypoglycaemia over the whole exposure by ADA level: events, participants, rate/PY."""
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


#: Decimals of a log-scale ANCOVA difference and of δ; of a p-value in numbers.json.
LOG_DECIMALS = 3


def missing_data_numbers(ancova_mi: pd.DataFrame, tipping: pd.DataFrame) -> dict[str, Any]:
    """The primary ANCOVA on the observed participants, multiple imputation under MAR
    and the tipping point (stats/ancova_mi.csv, stats/tipping_point.csv).

    Differences are MSC - placebo in log(CPAUC + 1) with 95 % CI; ``tipping_point.delta``
    is the shift of the MSC arm's imputed values at which p >= 0.05 (null when not
    reached, 0 when the MI result is not significant). Blinded: ``{"status": "blinded"}``.
    """
    if "METHOD" not in ancova_mi:
        return {"status": "blinded"}

    def row(method: str) -> dict[str, Any]:
        r = ancova_mi[ancova_mi["METHOD"] == method].iloc[0]
        return {
            "n": int(r["N_ANALYSED"]),
            "diff_log": rounded(r["ESTIMATE"], LOG_DECIMALS),
            "ci_lo": rounded(r["CI_LO"], LOG_DECIMALS),
            "ci_hi": rounded(r["CI_HI"], LOG_DECIMALS),
            "p": rounded(r["P"], P_DECIMALS),
        }

    mi = ancova_mi[ancova_mi["METHOD"] == "multiple imputation (MAR)"].iloc[0]
    delta = tipping["TIPPING_DELTA"].iloc[0]
    return {
        "population": str(mi["POPULATION"]),
        "observed": row("observed (primary)"),
        "mi": row("multiple imputation (MAR)")
        | {
            "m": int(mi["M"]),
            "n_imputed_msc": int(mi["N_IMPUTED_TREATED"]),
            "n_imputed_placebo": int(mi["N_IMPUTED_REFERENCE"]),
        },
        "tipping_point": {
            "delta": rounded(delta, LOG_DECIMALS),
            "reached": bool(pd.notna(delta)),
            "n_shifted": int(tipping["N_SHIFTED"].iloc[0]),
        },
    }


def numbers_json(numbers: Mapping[str, Any]) -> str:
    """Sorted, indented JSON with a final newline."""
    return json.dumps(numbers, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_numbers(numbers: Mapping[str, Any], path: str | Path) -> Path:
    """Write :func:`numbers_json` atomically."""
    return write_text(numbers_json(numbers), path)


# --- Numbers of the article: methods, participant flow, baseline, infusion ----------
#
# The article (plmsc.report.article) states the conventions in force and the
# participant flow; their numbers live here, beside the results, so that every
# number of its text is a key of numbers.json.

#: MMTT draws (minutes) and the time points of the AUC (plmsc.endpoints.cpeptide).
#: IDAA1c = HbA1c + IDAA1C_DOSE_FACTOR x insulin dose (Mortensen 2009;
#: plmsc.endpoints.glycaemia.derive_idaa1c).
IDAA1C_DOSE_FACTOR = 4
#: ISPAD partial remission: insulin below this dose (U/kg/day) and HbA1c below this (%)
#: (plmsc.endpoints.glycaemia.derive_remission_ispad).
ISPAD_DOSE, ISPAD_HBA1C = 0.5, 7
#: ADA hypoglycaemia thresholds, mg/dL: level 1 below the first, level 2 below the
#: second (plmsc.ingest.clinical.derive_hypo_level).
HYPO_LEVEL1_MGDL, HYPO_LEVEL2_MGDL = 70, 54
#: ANCOVA covariates of a randomised cohort besides the arm (plmsc.endpoints.randomised).
ANCOVA_COVARIATES = ("baseline log(mean AUC + 1)", "age", "sex")
#: The CTCAE grade from which the AE overview counts an event as severe (its
#: "Grade 3 or higher" row, plmsc.endpoints.safety.OVERVIEW).
AE_SEVERE_GRADE = 3
#: Scale of the C-peptide inference and confidence level of the arm difference
#: (Lachin 2011; plmsc.endpoints.randomised).
ANALYSIS_SCALE = "log(mean AUC + 1)"
CI_LEVEL = 95
#: Endpoints whose analysed participants the flow reports, in this order.
FLOW_ENDPOINTS = ("CPAUC", "HBA1C", "IDAA1C", "GADA")
#: Reason given for a participant without an analysed value when no record explains it.
NO_RECORD = "no value in the visit window"


#: Decimals of the ADSL characteristics the article quotes (Table 1's where shown).
CHARACTERISTIC_DECIMALS = {
    "age": 1,
    "diabetes_duration_days": 0,
    "viability_pct": 1,
    "dose_cells_per_kg": 0,
}


def _summary(values: pd.Series, kind: str) -> dict[str, float | int | None]:
    """n, median, min and max, rounded to the decimals of ``kind``."""
    x = pd.to_numeric(values, errors="coerce").dropna()
    if x.empty:
        return {"n": 0, "median": None, "min": None, "max": None}
    dec = CHARACTERISTIC_DECIMALS[kind]
    return {
        "n": len(x),
        "median": rounded(median_decimal(x), dec),
        "min": rounded(float(x.min()), dec),
        "max": rounded(float(x.max()), dec),
    }


def compute_methods_numbers(cohort: Mapping[str, Any], n_participants: int) -> dict[str, Any]:
    """Settings the Methods section states: schedule, assessments, conventions.

    From the cohort's config (schedule with windows, assessments, ``analysis``) and
    the package's constants (MMTT draws, AUC time points, IDAA1c, ISPAD, ADA
    thresholds). ``wilcoxon_min_p`` is the smallest two-sided exact p of a Wilcoxon
    signed-rank test on ``n_participants`` pairs: 2 / 2**n (one sign assignment at
    each extreme), e.g. 0.125 for n = 4.
    """
    from plmsc.endpoints.cpeptide import AUC_TIMES, BLQ_FACTOR, MMTT_TIMES

    cohort = cohort_with_defaults(cohort)
    analysis = cohort["analysis"]
    blq = analysis["blq"]
    cutoffs = analysis.get("antibody_cutoffs", {})
    from plmsc.endpoints.adeff import ANTIBODIES

    return {
        "schedule": [
            {"visit": v["visit"], "day": int(v["day"]), "window": [int(w) for w in v["window"]]}
            for v in cohort.get("schedule", [])
        ],
        "assessments": {k: list(v) for k, v in cohort.get("assessments", {}).items()},
        "mmtt_minutes": [int(t) for t in MMTT_TIMES],
        "auc_minutes": [int(t) for t in AUC_TIMES],
        "blq": blq,
        "blq_factor": BLQ_FACTOR[blq],
        "mmtt_start": analysis["mmtt_start"],
        "missing_draw": analysis["missing_draw"],
        "remission_idaa1c": analysis["remission_idaa1c"],
        "idaa1c_dose_factor": IDAA1C_DOSE_FACTOR,
        "ispad": {"dose": ISPAD_DOSE, "hba1c": ISPAD_HBA1C},
        "hypo_mgdl": {"level1": HYPO_LEVEL1_MGDL, "level2": HYPO_LEVEL2_MGDL},
        "antibody_cutoffs": {
            code: {"value": cutoffs[code], "unit": unit}
            for code, unit in ANTIBODIES.items()
            if code in cutoffs
        },
        "comparison_visit": analysis["comparison_visit"],
        "hypo_periods": [
            {"name": p["name"], "from": int(p["from"]), "to": int(p["to"])}
            for p in analysis.get("hypo_periods", [])
        ],
        "wilcoxon_min_p": (rounded(2 / 2**n_participants, P_DECIMALS) if n_participants else None),
        "ancova_covariates": list(ANCOVA_COVARIATES),
        "analysis_scale": ANALYSIS_SCALE,
        "insulin_unit": endpoint("INSDOSE").unit,
        "ci_level": CI_LEVEL,
        "severe_grade": AE_SEVERE_GRADE,
    }


def compute_baseline_numbers(adsl: pd.DataFrame) -> dict[str, Any]:
    """Age, diabetes duration (days), sex and DKA at onset of all participants."""
    return {
        "age": _summary(adsl["AGE"], "age"),
        "diabetes_duration_days": _summary(adsl["DIABDUR"], "diabetes_duration_days"),
        "n_female": int((adsl["SEX"] == "F").sum()),
        "n_male": int((adsl["SEX"] == "M").sum()),
        "n_dka": int((adsl["DKAONSET"] == "Y").sum()),
    }


def compute_infusion_numbers(adsl: pd.DataFrame) -> dict[str, Any]:
    """Dose received (cells/kg) and cell viability (%) of those who received cells
    (DOSE > 0), and infusion reactions (INFREAC = Y) among the infused (SAFFL = Y).

    While the allocation is blinded ADSL withholds DOSE and VIABPCT (they would reveal
    the arms): then only ``blinded``, the reactions and the number infused are given."""
    infused = adsl[adsl["SAFFL"].eq("Y")] if "SAFFL" in adsl else adsl
    if len(adsl) and adsl["ARM"].eq(BLINDED).all():
        return {
            "blinded": True,
            "n_infusion_reaction": int(infused["INFREAC"].eq("Y").sum()),
            "n_infused": len(infused),
        }
    cells = adsl[pd.to_numeric(adsl["DOSE"], errors="coerce").fillna(0) > 0]
    return {
        "blinded": False,
        "n_cells": len(cells),
        "dose_cells_per_kg": _summary(cells["DOSE"], "dose_cells_per_kg"),
        "viability_pct": _summary(cells["VIABPCT"], "viability_pct"),
        "n_infusion_reaction": int(infused["INFREAC"].eq("Y").sum()),
        "n_infused": len(infused),
    }


def _flag(adsl: pd.DataFrame, column: str, default: pd.Series) -> pd.Series:
    """ADSL's population flag ``column`` as booleans when present, else ``default``."""
    return adsl[column].eq("Y") if column in adsl else default


def _missing_reasons(
    ids: pd.Index, adeff: pd.DataFrame, adlb: pd.DataFrame, paramcd: str, visit: str
) -> list[dict[str, Any]]:
    """Why each participant of ``ids`` has no analysed ``paramcd`` at ``visit``.

    A CPAUC row with a missing value is an incomplete MMTT: its reason is the
    MISSRSN of the visit's missing C-peptide draws (ADLB); any other row with a
    missing value is "value missing"; no row at all is :data:`NO_RECORD`.
    """
    if len(ids) == 0:
        return []
    rows = adeff[
        (adeff["PARAMCD"] == paramcd) & (adeff["AVISIT"] == visit) & adeff["USUBJID"].isin(ids)
    ]
    reason = pd.Series(NO_RECORD, index=ids, dtype=object)
    reason[reason.index.isin(rows["USUBJID"])] = "value missing"
    if paramcd.startswith("CP"):
        draws = adlb[
            (adlb["PARAMCD"] == "CPEP")
            & (adlb["AVISIT"] == visit)
            & adlb["USUBJID"].isin(ids)
            & adlb["AVAL"].isna()
        ]
        rsn = draws.groupby("USUBJID")["MISSRSN"].agg(
            lambda s: "incomplete MMTT (" + ", ".join(sorted(set(s.dropna().str.lower()))) + ")"
        )
        rsn = rsn[rsn.index.isin(rows["USUBJID"])]
        reason[rsn.index] = rsn
    counts = reason.value_counts().sort_index()
    return [{"reason": str(r), "n": int(n)} for r, n in counts.items()]


def compute_flow_numbers(
    adsl: pd.DataFrame, adeff: pd.DataFrame, adlb: pd.DataFrame, cohort: Mapping[str, Any]
) -> dict[str, Any]:
    """Participant flow (CONSORT 2010 item 13) from the analysis datasets, per arm.

    - enrolled: ADSL participants (ITTFL = Y when ADSL has it: randomised);
    - received: SAFFL = Y (infused), else everyone enrolled;
    - visits: per scheduled visit after the infusion, participants with any
      analysed record there (ADEFF or ADLB), among those who received;
    - followed_up / lost: received participants with / without any record at
      or after the comparison visit's window start; a lost participant's reason is
      DCSREAS when ADSL has it, else "no visit at or after <visit>";
    - endpoints: per endpoint of :data:`FLOW_ENDPOINTS`, analysed at the
      comparison visit (a value at baseline and there; MITTFL = Y too when ADSL has
      it), and the reason of every missing value (:func:`_missing_reasons`).

    A single-arm cohort has one arm; a blinded randomised cohort one arm, BLINDED.
    """
    cohort = cohort_with_defaults(cohort)
    analysis = cohort["analysis"]
    visit = analysis["comparison_visit"]
    schedule = cohort.get("schedule", [])
    window_lo = {v["visit"]: int(v["window"][0]) for v in schedule}
    post = [v["visit"] for v in schedule if int(v["day"]) > 0]
    adsl = adsl.sort_values("USUBJID", kind="stable").set_index("USUBJID", drop=False)
    all_ids = pd.Series(True, index=adsl.index)
    enrolled = _flag(adsl, "ITTFL", all_ids)
    received = enrolled & _flag(adsl, "SAFFL", all_ids)
    cols = ["USUBJID", "AVISIT", "ADY"]
    records = pd.concat(
        [d.loc[d["ANL01FL"].eq("Y") & d["AVAL"].notna(), cols] for d in (adeff, adlb)]
    )
    visits = records[["AVISIT", "USUBJID"]].drop_duplicates()  # one row per participant
    attended = visits.groupby("AVISIT")["USUBJID"].agg(set)
    last_day = records.groupby("USUBJID")["ADY"].max()
    followed = last_day.reindex(adsl.index).fillna(-np.inf) >= window_lo.get(visit, np.inf)
    anl = adeff[adeff["ANL01FL"].eq("Y") & adeff["AVAL"].notna()]
    arms = sorted(adsl["ARM"].dropna().unique()) if cohort.get("design") == "randomised" else []
    groups = {str(a): adsl["ARM"] == a for a in arms} or {str(cohort.get("arm") or "All"): all_ids}
    out_arms = []
    for arm, in_arm in groups.items():
        rec = in_arm & received
        lost_ids = adsl.index[rec & ~followed]
        if "DCSREAS" in adsl:
            lost_reason = adsl.loc[lost_ids, "DCSREAS"].fillna(f"no visit at or after {visit}")
        else:
            lost_reason = pd.Series(f"no visit at or after {visit}", index=lost_ids, dtype=object)
        lost = lost_reason.value_counts().sort_index()
        endpoints = []
        for code in FLOW_ENDPOINTS:
            d = anl[anl["PARAMCD"] == code]
            has_base = set(d.loc[d["ABLFL"].eq("Y"), "USUBJID"])
            has_visit = set(d.loc[d["AVISIT"] == visit, "USUBJID"])
            ok = rec & adsl.index.isin(has_base & has_visit)
            if "MITTFL" in adsl:
                ok &= adsl["MITTFL"].eq("Y")
            miss_base = adsl.index[rec & ~adsl.index.isin(has_base)]
            miss_visit = adsl.index[rec & adsl.index.isin(has_base) & ~ok]
            endpoints.append(
                {
                    "paramcd": code,
                    "analysed": int(ok.sum()),
                    "missing_baseline": _missing_reasons(miss_base, adeff, adlb, code, "Baseline"),
                    "missing_visit": _missing_reasons(miss_visit, adeff, adlb, code, visit),
                }
            )
        out_arms.append(
            {
                "arm": arm,
                "enrolled": int((in_arm & enrolled).sum()),
                "received": int(rec.sum()),
                "not_received": int((in_arm & enrolled & ~received).sum()),
                "visits": [
                    {"visit": v, "attended": int(rec[rec].index.isin(attended.get(v, set())).sum())}
                    for v in post
                ],
                "followed_up": int((rec & followed).sum()),
                "lost": [{"reason": str(r), "n": int(n)} for r, n in lost.items()],
                "n_lost": len(lost_ids),
                "endpoints": endpoints,
            }
        )
    return {
        "design": cohort["design"],
        "comparison_visit": visit,
        "assessed": None,
        "enrolled": int(enrolled.sum()),
        "received": int(received.sum()),
        "arms": out_arms,
    }


def article_numbers(
    adsl: pd.DataFrame, adeff: pd.DataFrame, adlb: pd.DataFrame, cohort: Mapping[str, Any]
) -> dict[str, Any]:
    """The article's keys of numbers.json: ``methods``, ``flow``, ``baseline``, ``infusion``."""
    return {
        "methods": compute_methods_numbers(cohort, int(adsl["USUBJID"].nunique())),
        "flow": compute_flow_numbers(adsl, adeff, adlb, cohort),
        "baseline": compute_baseline_numbers(adsl),
        "infusion": compute_infusion_numbers(adsl),
    }
