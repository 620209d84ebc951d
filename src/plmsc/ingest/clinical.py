"""REDCap raw export -> adsl, advs, adae, adhypo (docs/raw-exports.md, "REDCap export";
analysis-datasets.md).

Field names are those of docs/raw-exports.md; a cohort whose project lacks an
instrument (no hypoglycaemia form, no insulin diary, ...) gets empty datasets with
their headers. Calendar dates are turned into study days (infusion = day 0) here
and never leave this module.

Coding choices:
- adae: AREL keeps the REDCap code 1-5 of ``ae_related`` (1 unrelated, 2 unlikely,
  3 possible, 4 probable, 5 definite); it is numeric already, so there is no
  separate ARELN. AERELFL = Y when AREL >= 3 (possible, probable, definite =
  related; :data:`plmsc.constants.RELATED_CODES`, the one definition every table uses). AEOUT
  keeps the code 1-5 of ``ae_outcome``, AETOXGR the CTCAE grade, AESER Y/N.
  TRTEMFL and ADURN: see :func:`derive_var_trtemfl` and :func:`derive_var_adurn`.
- adhypo: LEVEL per ADA (3 assisted, whatever the glucose; 2 glucose < 54 mg/dL;
  1 54 <= glucose < 70; empty otherwise); HYPOFL = Y flags an entry that is not
  hypoglycaemia (glucose >= 70 mg/dL and no assistance).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from plmsc.constants import BLINDED, DAYS_PER_YEAR, RELATED_CODES
from plmsc.ingest.redcap import RowLocator, as_datetime, as_number, column
from plmsc.ingest.rowkeys import sort_order, text_from_codes
from plmsc.ingest.visits import derive_study_day

RECORD_FIELDS = [
    "mrn",
    "dob",
    "sex",
    "diagnosis_date",
    "height_cm",
    "dka_at_onset",
    "infusion_date",
    "cells_per_kg",
    "viability_pct",
    "infusion_reaction",
]
IDENTIFYING = ("mrn", "dob")
SEX_CODES = {"1": "M", "2": "F"}
YES_NO = {"0": "N", "1": "Y"}
CENTURY_CHECK_YEARS = 50
MAX_WEIGHT_KG = 300
MAX_TDD_U_PER_KG = 3
DATE_FIELDS = {
    "visit_date": "%Y-%m-%d",
    "infusion_date": "%Y-%m-%d",
    "diagnosis_date": "%Y-%m-%d",
    "ae_start": "%Y-%m-%d",
    "ae_end": "%Y-%m-%d",
    "hypo_datetime": "%Y-%m-%d %H:%M",
}
VS_PARAMS = {
    "WEIGHT": ("weight_kg", "Weight (kg)", "kg"),
    "TDD1": ("tdd_day1", "Total daily insulin dose, 1st day before visit (U/24h)", "U/24h"),
    "TDD2": ("tdd_day2", "Total daily insulin dose, 2nd day before visit (U/24h)", "U/24h"),
    "TDD3": ("tdd_day3", "Total daily insulin dose, 3rd day before visit (U/24h)", "U/24h"),
}
ADSL_COLUMNS = [
    "USUBJID",
    "SEX",
    "AGE",
    "ARM",
    "DIABDUR",
    "HEIGHTBL",
    "WEIGHTBL",
    "BMIBL",
    "DOSE",
    "DKAONSET",
    "VIABPCT",
    "INFREAC",
    "SAFFL",
]
ADVS_COLUMNS = ["USUBJID", "PARAMCD", "PARAM", "AVAL", "AVALU", "ADY", "AVISIT", "AVISITN"]
ADAE_COLUMNS = [
    "USUBJID",
    "AESEQ",
    "AETERM",
    "AESOC",
    "AEDECOD",
    "ASTDY",
    "AENDY",
    "ADURN",
    "TRTEMFL",
    "AETOXGR",
    "AESER",
    "AREL",
    "AERELFL",
    "AEOUT",
]
ADHYPO_COLUMNS = ["USUBJID", "HYPOSEQ", "ADY", "GLUC", "ASSIST", "LEVEL", "HYPOFL"]


def _na(values: pd.Series) -> pd.Series:
    return values.where(values != "").astype("str")


def non_repeating(rc: pd.DataFrame, fields: Sequence[str] | None = None) -> pd.DataFrame:
    """Rows of events (not of repeating instruments); with ``fields``, only those of the
    export's columns (a field the export lacks stays absent, as :func:`column` expects),
    so that the other columns of a wide export are not copied."""
    rows = (rc["redcap_repeat_instrument"] == "").to_numpy()
    if fields is None:
        return rc[rows]
    return rc.loc[rows, [f for f in dict.fromkeys(fields) if f in rc.columns]]


def derive_subjects(rc: pd.DataFrame) -> pd.DataFrame:
    """One row per record with its record-level fields typed (dates as datetime64).

    Record-level fields (demographics, infusion) are taken from whichever event row
    holds them. ``sex_mf`` decodes sex 1/2 to M/F; ``infusion`` is study day 0.
    """
    rows = non_repeating(rc, ["record_id", *RECORD_FIELDS])
    vals = pd.DataFrame({f: _na(column(rows, f)) for f in RECORD_FIELDS}, index=rows.index)
    vals["record_id"] = rows["record_id"]
    records = sorted(rc["record_id"].unique())
    first = vals.groupby("record_id", sort=True).first().reindex(records)
    subj = pd.DataFrame({"record_id": pd.Series(records, dtype="str")})
    first = first.reset_index(drop=True)
    subj["mrn"] = first["mrn"].astype("str")
    subj["dob"] = pd.to_datetime(first["dob"], format="%Y-%m-%d")
    subj["sex_mf"] = first["sex"].map(SEX_CODES).astype("str")
    subj["diagnosis"] = pd.to_datetime(first["diagnosis_date"], format="%Y-%m-%d")
    subj["infusion"] = pd.to_datetime(first["infusion_date"], format="%Y-%m-%d")
    for f in ("height_cm", "cells_per_kg", "viability_pct"):
        subj[f] = pd.to_numeric(first[f]).astype(float)
    subj["dka"] = first["dka_at_onset"].map(YES_NO).astype("str")
    subj["infreac"] = first["infusion_reaction"].map(YES_NO).astype("str")
    return subj


def derive_visits(
    rc: pd.DataFrame, subjects: pd.DataFrame, schedule: Sequence[Mapping[str, Any]]
) -> pd.DataFrame:
    """One row per event row: record, AVISIT/AVISITN from the event (config), ADY, weight, tdd.

    ADY = visit_date - infusion date (docs/raw-exports.md, "What may leave the raw folder").
    """
    fields = ["record_id", "redcap_event_name", "visit_date"]
    rows = non_repeating(rc, fields + [fld for fld, _, _ in VS_PARAMS.values()])
    by_event = {v["event"]: v for v in schedule}
    infusion = rows["record_id"].map(subjects.set_index("record_id")["infusion"])
    out = pd.DataFrame(index=rows.index)
    out["USUBJID"] = rows["record_id"].astype("str")
    out["event"] = rows["redcap_event_name"]
    # looked up once per distinct event name (missing for an event not in the schedule)
    event_codes, events = pd.factorize(rows["redcap_event_name"])
    known = np.array([e in by_event for e in events] + [False])
    scheduled = np.where(known[event_codes], event_codes, -1)
    visits = [by_event[e]["visit"] if e in by_event else "" for e in events]
    days = np.array([by_event[e]["day"] if e in by_event else np.nan for e in events] + [np.nan])
    out["AVISIT"] = text_from_codes(scheduled, visits)
    out["AVISITN"] = pd.array(days[scheduled], dtype="Float64").astype("Int64")
    out["visit_date"] = as_datetime(column(rows, "visit_date"))
    out["ADY"] = derive_study_day(out["visit_date"], infusion)
    for paramcd, (fld, _, _) in VS_PARAMS.items():
        out[paramcd] = as_number(column(rows, fld))
    return out


def check_record_fields(
    rc: pd.DataFrame, file: str, identifying: Sequence[str] = IDENTIFYING
) -> None:
    """A record-level field (demographics, infusion) is entered at one event of a record.

    :func:`derive_subjects` takes these fields from whichever event row holds them;
    a second entry (demographics filled in twice, at two events) would be a
    conflicting copy, so it is an InputError naming the later row.
    """
    rows = non_repeating(rc, ["record_id", *RECORD_FIELDS])
    loc = RowLocator(rc, file)
    for f in RECORD_FIELDS:
        if f not in rc.columns:
            continue
        entered = rows.loc[rows[f] != "", "record_id"]
        again = pd.Series(False, index=rc.index)
        again[entered.index[entered.duplicated().to_numpy()]] = True
        loc.check(
            again,
            f,
            "one value per record (this record has the field at an earlier event too: "
            "record-level fields are entered once)",
            show_value=f not in identifying,
        )


def check_plausibility(
    rc: pd.DataFrame,
    subjects: pd.DataFrame,
    visits: pd.DataFrame,
    screening_event: str,
    file: str,
    exported: pd.Timestamp | None = None,
) -> None:
    """Entry errors (docs/raw-exports.md, "REDCap export"): InputErrors naming record, event, field.

    - a date in the wrong century: a study date more than 50 years from the median
      of all study dates of the export (a few typos cannot move it), or a date of
      birth after the infusion or 100 or more years before it;
    - a date in the future: after ``exported``, when the export was made (date
      fields: after its day; date-times: after its minute);
    - a weight typed in grams: weight_kg above 300;
    - a total daily dose below 0 U, or above 3 U/kg of the visit's weight (or of the
      nearest earlier visit's weight when the visit has none);
    - a visit or infusion date before the record's screening visit date;
    - a diagnosis after the infusion; an AE ending before it starts.
    """
    loc = RowLocator(rc, file)
    dates = {f: as_datetime(column(rc, f), fmt) for f, fmt in DATE_FIELDS.items()}
    anchor = pd.concat([d.dropna() for d in dates.values()], ignore_index=True)
    if not anchor.empty:
        centre = anchor.sort_values().iloc[(len(anchor) - 1) // 2]
        limit = pd.Timedelta(days=round(CENTURY_CHECK_YEARS * DAYS_PER_YEAR))
        for f, d in dates.items():
            loc.check(
                ((d - centre).abs() > limit).fillna(False),
                f,
                f"a date within {CENTURY_CHECK_YEARS} years of the export's other study dates "
                "(wrong century?)",
            )
    dob = as_datetime(column(rc, "dob"))
    if exported is not None:
        for f, d in [*dates.items(), ("dob", dob)]:
            limit = exported if "%H" in DATE_FIELDS.get(f, "") else exported.normalize()
            loc.check(
                (d > limit).fillna(False),
                f,
                "a date on or before the export date in the file name (a date in the future?)",
                show_value=f not in IDENTIFYING,
            )
    infusion = rc["record_id"].map(subjects.set_index("record_id")["infusion"])
    age_days = (infusion - dob).dt.days
    loc.check(
        ((age_days < 0) | (age_days >= 100 * DAYS_PER_YEAR)).fillna(False),
        "dob",
        "a date of birth before the infusion and less than 100 years before it (wrong century?)",
        show_value=False,
    )
    loc.check(
        (dates["diagnosis_date"] > infusion).fillna(False),
        "diagnosis_date",
        "a diagnosis date on or before the infusion date",
    )
    loc.check(
        (dates["ae_end"] < dates["ae_start"]).fillna(False),
        "ae_end",
        "an AE end date on or after ae_start",
    )
    weight = as_number(column(rc, "weight_kg"))
    loc.check(
        (weight > MAX_WEIGHT_KG).fillna(False),
        "weight_kg",
        f"a weight in kg (a value above {MAX_WEIGHT_KG} looks like grams)",
    )
    screening = visits.loc[visits["event"] == screening_event]
    screening = screening.drop_duplicates("USUBJID").set_index("USUBJID")["visit_date"]
    scr = rc["record_id"].map(screening)
    loc.check(
        (dates["visit_date"] < scr).fillna(False),
        "visit_date",
        "a visit date on or after the screening visit date",
    )
    loc.check(
        (dates["infusion_date"] < scr).fillna(False),
        "infusion_date",
        "an infusion date on or after the screening visit date",
    )
    # reference weight: the visit's, else the nearest earlier visit's
    v = visits.sort_values(["USUBJID", "visit_date"], na_position="first", kind="stable")
    ref = v.groupby("USUBJID", sort=False)["WEIGHT"].ffill().reindex(rc.index)
    for i, fld in enumerate(("tdd_day1", "tdd_day2", "tdd_day3"), start=1):
        tdd = as_number(column(rc, fld))
        loc.check((tdd < 0).fillna(False), fld, "a total daily dose of 0 U or more")
        per_kg = tdd / ref
        loc.check(
            (per_kg > MAX_TDD_U_PER_KG).fillna(False),
            fld,
            f"a total daily dose of at most {MAX_TDD_U_PER_KG} U/kg "
            f"(TDD{i} divided by the visit's weight, or the nearest earlier weight)",
        )


def derive_adsl(subjects: pd.DataFrame, visits: pd.DataFrame, arm: pd.Series) -> pd.DataFrame:
    """adsl: one row per record (analysis-datasets.md).

    AGE = (infusion - dob) days / 365.25, 1 decimal; DIABDUR = infusion - diagnosis
    (days); WEIGHTBL = the last weight on or before day 0; BMIBL = WEIGHTBL /
    (HEIGHTBL / 100)^2, 1 decimal; SAFFL = Y when the participant was infused.
    ``arm`` is aligned with ``subjects``.
    """
    adsl = pd.DataFrame(index=subjects.index)
    adsl["USUBJID"] = subjects["record_id"].astype("str")
    adsl["SEX"] = subjects["sex_mf"]
    age = (subjects["infusion"] - subjects["dob"]).dt.days / DAYS_PER_YEAR
    adsl["AGE"] = age.round(1).astype(float)
    adsl["ARM"] = arm.astype("str")
    adsl["DIABDUR"] = (subjects["infusion"] - subjects["diagnosis"]).dt.days.astype("Int64")
    adsl["HEIGHTBL"] = subjects["height_cm"]
    w = visits[visits["WEIGHT"].notna() & (visits["ADY"] <= 0).fillna(False)]
    w = w.sort_values(["USUBJID", "ADY"], kind="stable").drop_duplicates("USUBJID", keep="last")
    adsl["WEIGHTBL"] = adsl["USUBJID"].map(w.set_index("USUBJID")["WEIGHT"]).astype(float)
    adsl["BMIBL"] = (adsl["WEIGHTBL"] / (adsl["HEIGHTBL"] / 100) ** 2).round(1)
    adsl["DOSE"] = subjects["cells_per_kg"]
    adsl["DKAONSET"] = subjects["dka"]
    adsl["VIABPCT"] = subjects["viability_pct"]
    adsl["INFREAC"] = subjects["infreac"]
    adsl["SAFFL"] = np.where(subjects["infusion"].notna(), "Y", "N")
    adsl["SAFFL"] = adsl["SAFFL"].astype("str")
    adsl = derive_var_blinded_infusion(adsl)
    return adsl[ADSL_COLUMNS].sort_values("USUBJID").reset_index(drop=True)


#: Infusion facts that reveal the allocation: a placebo infusion has no cells.
ALLOCATION_REVEALING = ("DOSE", "VIABPCT")


def derive_var_blinded_infusion(adsl: pd.DataFrame) -> pd.DataFrame:
    """Withhold DOSE and VIABPCT while the allocation is blinded (every ARM = BLINDED).

    A placebo infusion carries no cells (dose 0, no viability), so the cells/kg and
    viability of each participant would unblind the cohort in every table, listing and
    number made from ADSL. Before unblinding they are left empty; the unblinded run
    (with randomisation.csv) has them. See docs/analysis-datasets.md.
    """
    if len(adsl) == 0 or not adsl["ARM"].eq(BLINDED).all():
        return adsl
    out = adsl.copy()
    out[list(ALLOCATION_REVEALING)] = np.nan
    return out


def derive_advs(visits: pd.DataFrame) -> pd.DataFrame:
    """advs: weight (kg) and the three total daily insulin doses (U/24h) per visit.

    One row per entered value; AVISIT/AVISITN from the REDCap event (schedule),
    ADY from visit_date. Read by the insulin-dose endpoint (docs/conventions.md).
    """
    params = list(VS_PARAMS)
    n = len(visits)
    # the value columns stacked test by test (as melt would), entered values only
    aval = np.concatenate([visits[p].to_numpy(dtype=float, na_value=np.nan) for p in params])
    keep = np.flatnonzero(~np.isnan(aval))
    row, par, aval = np.tile(np.arange(n), len(params))[keep], keep // max(n, 1), aval[keep]
    # sorted by USUBJID, PARAMCD, AVISITN, ADY on integer keys; text written once, in order
    subj_codes, subj = pd.factorize(visits["USUBJID"], sort=True)
    visit_codes, visit = pd.factorize(visits["AVISIT"])
    text_rank = np.argsort(np.argsort(np.asarray(params, dtype=object), kind="stable"))
    keys = pd.DataFrame(
        {
            "USUBJID": pd.Categorical.from_codes(subj_codes[row], categories=subj),
            "PARAMCD": text_rank[par],
            "AVISITN": visits["AVISITN"].astype("Int64").array.take(row),
            "ADY": visits["ADY"].astype("Int64").array.take(row),
        }
    )
    order = sort_order(keys, ["USUBJID", "PARAMCD", "AVISITN", "ADY"])
    row, par = row[order], par[order]
    return pd.DataFrame(
        {
            "USUBJID": text_from_codes(subj_codes[row], list(subj)),
            "PARAMCD": text_from_codes(par, params),
            "PARAM": text_from_codes(par, [VS_PARAMS[p][1] for p in params]),
            "AVAL": aval[order],
            "AVALU": text_from_codes(par, [VS_PARAMS[p][2] for p in params]),
            "ADY": keys["ADY"].array.take(order),
            "AVISIT": text_from_codes(visit_codes[row], list(visit)),
            "AVISITN": keys["AVISITN"].array.take(order),
        }
    )[ADVS_COLUMNS]


def _instance_rows(rc: pd.DataFrame, form: str | None) -> pd.DataFrame:
    if form is None:
        return rc.iloc[0:0]
    return rc[rc["redcap_repeat_instrument"] == form]


def derive_adae(rc: pd.DataFrame, subjects: pd.DataFrame, form: str | None) -> pd.DataFrame:
    """adae: one row per adverse_events instance; study days from ae_start / ae_end.

    AESEQ numbers a participant's events by start day, then instance number.
    """
    rows = _instance_rows(rc, form)
    infusion = rows["record_id"].map(subjects.set_index("record_id")["infusion"])
    out = pd.DataFrame(index=rows.index)
    out["USUBJID"] = rows["record_id"].astype("str")
    out["AETERM"] = _na(column(rows, "ae_term"))
    out["AESOC"] = _na(column(rows, "ae_soc"))
    out["AEDECOD"] = _na(column(rows, "ae_pt"))
    out["ASTDY"] = derive_study_day(as_datetime(column(rows, "ae_start")), infusion)
    out["AENDY"] = derive_study_day(as_datetime(column(rows, "ae_end")), infusion)
    out["ADURN"] = derive_var_adurn(out["ASTDY"], out["AENDY"])
    out["TRTEMFL"] = derive_var_trtemfl(out["ASTDY"], out["AENDY"])
    out["AETOXGR"] = as_number(column(rows, "ae_grade")).astype("Int64")
    out["AESER"] = column(rows, "ae_serious").map(YES_NO).astype("str")
    out["AREL"] = as_number(column(rows, "ae_related")).astype("Int64")
    out["AERELFL"] = derive_var_aerelfl(out["AREL"])
    out["AEOUT"] = as_number(column(rows, "ae_outcome")).astype("Int64")
    out["_inst"] = pd.to_numeric(rows["redcap_repeat_instance"]).astype("int64")
    out = out.sort_values(["USUBJID", "ASTDY", "_inst"], na_position="last", kind="stable")
    out.insert(1, "AESEQ", (out.groupby("USUBJID", sort=False).cumcount() + 1).astype("int64"))
    return out[ADAE_COLUMNS].reset_index(drop=True)


def derive_var_aerelfl(arel: pd.Series) -> pd.Series:
    """AERELFL = Y when AREL is in :data:`RELATED_CODES` (possible, probable, definite),
    N for unrelated or unlikely, empty when the relatedness was not entered."""
    related = arel.isin(RELATED_CODES).fillna(False).to_numpy(dtype=bool)
    flag = np.where(arel.isna().to_numpy(), None, np.where(related, "Y", "N"))
    return pd.Series(flag, index=arel.index, dtype="str")


def derive_var_trtemfl(astdy: pd.Series, aendy: pd.Series) -> pd.Series:
    """TRTEMFL: Y when the event starts on or after the infusion (ASTDY >= 0), else N.

    ICH E9 / E3 12.2: an event that started before the infusion and worsened after
    it is treatment-emergent too. The REDCap form records one grade per event, so
    a worsening is entered as a new event starting the day it worsened, which is
    treatment-emergent by its start. Without a start date the event counts as
    treatment-emergent (the conservative choice) unless it ended before day 0.
    """
    start = astdy.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    end = aendy.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    emergent = np.where(np.isnan(start), ~(end < 0), start >= 0)
    return pd.Series(np.where(emergent, "Y", "N"), index=astdy.index, dtype="str")


def derive_var_adurn(astdy: pd.Series, aendy: pd.Series) -> pd.Series:
    """ADURN, duration in days = AENDY - ASTDY + 1 (start and end day both count);
    empty when the event has not ended (no AENDY) or has no start."""
    return (aendy - astdy + 1).astype("Int64")


def derive_hypo_level(glucose: pd.Series, assisted: pd.Series) -> pd.Series:
    """ADA level (Standards of Care, Table 6.3): 3 if assisted; 2 if glucose < 54 mg/dL;
    1 if 54 <= glucose < 70; empty otherwise (not measured and not assisted, or >= 70)."""
    level = pd.Series(pd.NA, index=glucose.index, dtype="Int64")
    level[(glucose >= 54) & (glucose < 70)] = 1
    level[glucose < 54] = 2
    level[assisted] = 3
    return level


def derive_adhypo(rc: pd.DataFrame, subjects: pd.DataFrame, form: str | None) -> pd.DataFrame:
    """adhypo: one row per hypoglycaemia instance (docs/conventions.md, Hypoglycaemia).

    ADY from the date of hypo_datetime; GLUC in mg/dL (empty when not measured);
    ASSIST Y/N; LEVEL by :func:`derive_hypo_level`; HYPOFL = Y when the entry is
    not hypoglycaemia (glucose >= 70 mg/dL and no assistance). HYPOSEQ numbers a
    participant's entries in time order.
    """
    rows = _instance_rows(rc, form)
    infusion = rows["record_id"].map(subjects.set_index("record_id")["infusion"])
    when = as_datetime(column(rows, "hypo_datetime"), "%Y-%m-%d %H:%M")
    gluc = as_number(column(rows, "hypo_glucose_mgdl"))
    assisted = column(rows, "hypo_assist") == "1"
    out = pd.DataFrame(index=rows.index)
    out["USUBJID"] = rows["record_id"].astype("str")
    out["ADY"] = derive_study_day(when, infusion)
    out["GLUC"] = gluc
    out["ASSIST"] = column(rows, "hypo_assist").map(YES_NO).astype("str")
    out["LEVEL"] = derive_hypo_level(gluc, assisted)
    not_hypo = (gluc >= 70) & ~assisted
    out["HYPOFL"] = pd.Series(np.where(not_hypo, "Y", pd.NA), index=rows.index, dtype="str")
    out["_when"] = when
    out["_inst"] = pd.to_numeric(rows["redcap_repeat_instance"]).astype("int64")
    out = out.sort_values(["USUBJID", "_when", "_inst"], na_position="last", kind="stable")
    out.insert(1, "HYPOSEQ", (out.groupby("USUBJID", sort=False).cumcount() + 1).astype("int64"))
    return out[ADHYPO_COLUMNS].reset_index(drop=True)
