"""Analysis populations of ADSL (ICH E9; docs/analysis-datasets.md, "Populations").

Ingestion writes ADSL with SAFFL (infused: the infusion record has a date). The
C-peptide endpoints are needed for MITT and per protocol, so these flags are added
by a small step after the endpoints (``rule populations``), which reads the
ingested ADSL and ADEFF and writes ``adam/adsl.csv``:

* ITTFL: randomised, analysed as randomised (ARM MSC or PLACEBO from
  randomisation.csv). A single-arm cohort and a blinded randomised cohort (no
  randomisation list yet) count every enrolled participant.
* SAFFL: infused (from ingestion), analysed as treated: TRT01A is the treatment
  received, MSC when cells were infused (DOSE > 0), PLACEBO when DOSE = 0;
  the cohort arm in a single-arm cohort; BLINDED before unblinding.
* MITTFL: ITTFL and SAFFL, with a baseline C-peptide mean AUC (CPAUC, ABLFL = Y)
  and at least one post-baseline CPAUC (ADY > 0, any visit).
* PPROTFL: MITTFL without a major protocol deviation (:func:`compute_major_deviations`).

Each flag is ``Y`` or ``N``. The primary analysis population is the cohort's
``analysis.population`` (default ITT).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from plmsc.config import analysis_with_defaults
from plmsc.constants import BLINDED, UNSCHEDULED

#: Population code -> ADSL flag.
POPULATION_FLAGS = {"ITT": "ITTFL", "SAF": "SAFFL", "MITT": "MITTFL", "PPROT": "PPROTFL"}
#: Population code -> how tables name it.
POPULATION_LABELS = {
    "ITT": "intention-to-treat",
    "SAF": "safety",
    "MITT": "modified intention-to-treat",
    "PPROT": "per-protocol",
}
RANDOMISED_ARMS = ("MSC", "PLACEBO")
#: Columns this step adds to the ingested ADSL, in order.
POPULATION_COLUMNS = ["TRT01A", "ITTFL", "MITTFL", "PPROTFL"]
DEVIATION_COLUMNS = ["USUBJID", "DVCAT", "DVTERM"]
WRONG_TREATMENT = "wrong treatment received"
MMTT_WINDOW = "month-12 MMTT outside its window"
CONFIGURED = "configured"


def _yn(mask: pd.Series | np.ndarray) -> np.ndarray:
    return np.where(np.asarray(mask, dtype=bool), "Y", "N")


def is_blinded(adsl: pd.DataFrame) -> bool:
    """True when no participant has a randomised arm (before unblinding)."""
    return bool(adsl["ARM"].eq(BLINDED).any()) and not adsl["ARM"].isin(RANDOMISED_ARMS).any()


def derive_var_ittfl(adsl: pd.DataFrame, design: str) -> pd.DataFrame:
    """ITTFL = Y for every randomised participant (ARM MSC or PLACEBO).

    Single-arm and blinded cohorts: every enrolled participant (the randomisation
    list is what tells randomised from not, and there is none).
    """
    out = adsl.copy()
    if design == "single_arm" or is_blinded(adsl):
        out["ITTFL"] = "Y"
    else:
        out["ITTFL"] = _yn(adsl["ARM"].isin(RANDOMISED_ARMS))
    return out


def derive_var_trt01a(adsl: pd.DataFrame, design: str) -> pd.DataFrame:
    """TRT01A, the treatment received (for the safety population, as treated).

    Infused participants (SAFFL = Y): MSC when DOSE > 0 cells/kg, PLACEBO when
    DOSE = 0 (randomised, unblinded); the cohort arm (single arm); BLINDED before
    unblinding. Empty when not infused or the dose was not recorded.
    """
    out = adsl.copy()
    infused = adsl["SAFFL"].eq("Y")
    if design == "single_arm":
        trt = adsl["ARM"].astype("str")
    elif is_blinded(adsl):
        trt = pd.Series(BLINDED, index=adsl.index, dtype="str")
    else:
        dose = adsl["DOSE"]
        trt = pd.Series(np.where(dose > 0, "MSC", "PLACEBO"), index=adsl.index, dtype="str")
        infused = infused & dose.notna()
    out["TRT01A"] = trt.where(infused)
    return out


def compute_cpauc_presence(adeff: pd.DataFrame) -> pd.DataFrame:
    """Per participant: HASBASE (a baseline CPAUC, ABLFL = Y) and HASPOST (a CPAUC with ADY > 0).

    Only non-missing CPAUC values count. Returns USUBJID, HASBASE, HASPOST (bool).
    """
    cp = adeff[(adeff["PARAMCD"] == "CPAUC") & adeff["AVAL"].notna()]
    base = cp.loc[cp["ABLFL"].eq("Y").fillna(False), "USUBJID"].unique()
    post = cp.loc[(cp["ADY"] > 0).fillna(False), "USUBJID"].unique()
    ids = pd.Index(sorted(set(cp["USUBJID"])), name="USUBJID")
    return pd.DataFrame(
        {"HASBASE": ids.isin(base), "HASPOST": ids.isin(post)}, index=ids
    ).reset_index()


def derive_var_mittfl(adsl: pd.DataFrame, adeff: pd.DataFrame) -> pd.DataFrame:
    """MITTFL = Y when ITTFL = Y, SAFFL = Y, a baseline CPAUC and a post-baseline CPAUC."""
    out = adsl.copy()
    pres = compute_cpauc_presence(adeff).set_index("USUBJID")
    has_base = adsl["USUBJID"].map(pres["HASBASE"]).fillna(False).astype(bool)
    has_post = adsl["USUBJID"].map(pres["HASPOST"]).fillna(False).astype(bool)
    out["MITTFL"] = _yn(adsl["ITTFL"].eq("Y") & adsl["SAFFL"].eq("Y") & has_base & has_post)
    return out


def compute_major_deviations(
    adsl: pd.DataFrame,
    adeff: pd.DataFrame,
    comparison_visit: dict[str, Any],
    window_days: int,
    configured: Sequence[Mapping[str, str]] = (),
) -> pd.DataFrame:
    """Major protocol deviations, one row per participant and deviation.

    * wrong treatment received: randomised arm (ARM) differs from TRT01A;
    * month-12 MMTT outside its window: the CPAUC of the comparison visit
      (``comparison_visit`` is its schedule entry: visit, day, window) was measured
      more than ``window_days`` days from its target day, or the only MMTT after
      the visit's analysis window opens lies beyond it (an UNSCHEDULED row);
    * configured: the records listed in ``configured`` (usubjid, reason).

    Returns USUBJID, DVCAT, DVTERM sorted by USUBJID and DVCAT.
    """
    rows: list[pd.DataFrame] = []
    treated = adsl["TRT01A"].notna() & adsl["ARM"].isin(RANDOMISED_ARMS)
    wrong = adsl[treated & (adsl["ARM"] != adsl["TRT01A"])]
    rows.append(
        pd.DataFrame(
            {
                "USUBJID": wrong["USUBJID"],
                "DVCAT": WRONG_TREATMENT,
                "DVTERM": "randomised to " + wrong["ARM"] + ", received " + wrong["TRT01A"],
            }
        )
    )
    cp = adeff[(adeff["PARAMCD"] == "CPAUC") & adeff["AVAL"].notna()]
    target, (lo, _hi) = int(comparison_visit["day"]), comparison_visit["window"]
    at_visit = cp[(cp["AVISIT"] == comparison_visit["visit"]) & cp["ANL01FL"].eq("Y").fillna(False)]
    late = cp[(cp["AVISIT"] == UNSCHEDULED) & (cp["ADY"] >= lo).fillna(False)]
    late = late[~late["USUBJID"].isin(at_visit["USUBJID"])].drop_duplicates("USUBJID")
    timed = pd.concat([at_visit, late], ignore_index=True)
    off = (timed["ADY"] - target).abs() > window_days
    outside = timed[off.fillna(False)]
    rows.append(
        pd.DataFrame(
            {
                "USUBJID": outside["USUBJID"],
                "DVCAT": MMTT_WINDOW,
                "DVTERM": "MMTT on study day "
                + outside["ADY"].astype(str)
                + f", window {target} +/- {window_days} days",
            }
        )
    )
    if configured:
        conf = pd.DataFrame(list(configured))
        unknown = ~conf["usubjid"].isin(adsl["USUBJID"])
        if unknown.any():
            raise ValueError(
                "analysis.per_protocol.deviations: record "
                f"{conf.loc[unknown, 'usubjid'].iloc[0]!r} is not in ADSL"
            )
        rows.append(
            pd.DataFrame(
                {"USUBJID": conf["usubjid"], "DVCAT": CONFIGURED, "DVTERM": conf["reason"]}
            )
        )
    out = pd.concat(rows, ignore_index=True)[DEVIATION_COLUMNS].astype("str")
    return out.sort_values(["USUBJID", "DVCAT"], kind="stable", ignore_index=True)


def derive_var_pprotfl(adsl: pd.DataFrame, deviations: pd.DataFrame) -> pd.DataFrame:
    """PPROTFL = Y when MITTFL = Y and the participant has no major protocol deviation."""
    out = adsl.copy()
    out["PPROTFL"] = _yn(adsl["MITTFL"].eq("Y") & ~adsl["USUBJID"].isin(deviations["USUBJID"]))
    return out


def derive_populations(
    adsl: pd.DataFrame, adeff: pd.DataFrame, cohort: Mapping[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ADSL with TRT01A, ITTFL, MITTFL and PPROTFL appended, and the deviations.

    ``cohort`` is the validated cohort config: design, schedule and
    ``analysis`` (comparison_visit, per_protocol.mmtt_window_days and
    per_protocol.deviations).
    """
    design = cohort["design"]
    analysis = analysis_with_defaults(cohort.get("analysis"))
    visit_name = analysis["comparison_visit"]
    visit = next((v for v in cohort["schedule"] if v["visit"] == visit_name), None)
    if visit is None:
        raise ValueError(f"analysis.comparison_visit {visit_name!r} is not a visit of the schedule")
    pp = analysis["per_protocol"]
    out = derive_var_ittfl(adsl.drop(columns=POPULATION_COLUMNS, errors="ignore"), design)
    out = derive_var_trt01a(out, design)
    out = derive_var_mittfl(out, adeff)
    deviations = compute_major_deviations(
        out, adeff, visit, int(pp["mmtt_window_days"]), pp["deviations"]
    )
    out = derive_var_pprotfl(out, deviations)
    for col in ("ITTFL", "MITTFL", "PPROTFL"):
        out[col] = out[col].astype("str")
    return out, deviations


def population_counts(adsl: pd.DataFrame) -> dict[str, int]:
    """Participants per population (flag = Y), keyed by population code."""
    return {
        code: int(adsl[flag].eq("Y").sum())
        for code, flag in POPULATION_FLAGS.items()
        if flag in adsl
    }


def select_population(adsl: pd.DataFrame, population: str) -> pd.DataFrame:
    """The ADSL rows of ``population`` (ITT, SAF, MITT or PPROT)."""
    flag = POPULATION_FLAGS[population]
    if flag not in adsl:
        raise ValueError(f"ADSL has no {flag}: run the populations step first")
    return adsl[adsl[flag].eq("Y")]


def population_note(adsl: pd.DataFrame, population: str) -> str:
    """The sentence a table or figure carries: ``Population: intention-to-treat (ITT), n = 30.``"""
    n = len(select_population(adsl, population))
    return f"Population: {POPULATION_LABELS[population]} ({population}), n = {n}."
