"""Synthetic REDCap exports: the raw data export, its data dictionary, randomisation.

See ``docs/raw-exports.md`` sections 2 and 3. Values are coded ("raw"
export); one row per record and event, one per instance of a repeating instrument.
The export carries a few things that are entered as they are in real studies: a
visit without a weight, a visit with one of the three insulin days left empty, a
hypoglycaemia entry whose glucose was not measured, one with a glucose of 70 mg/dL
or more and no assistance (not hypoglycaemia), and adverse events still ongoing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from plmsc.simulate import cohort as phys

#: Instruments in dictionary order: (instrument, fields).
INSTRUMENTS = {
    "demographics": ["mrn", "dob", "sex", "diagnosis_date", "height_cm", "dka_at_onset"],
    "infusion": ["infusion_date", "cells_per_kg", "viability_pct", "infusion_reaction"],
    "visit": ["visit_date", "weight_kg", "tdd_day1", "tdd_day2", "tdd_day3"],
    "adverse_events": [
        "ae_term",
        "ae_soc",
        "ae_pt",
        "ae_start",
        "ae_end",
        "ae_grade",
        "ae_serious",
        "ae_related",
        "ae_outcome",
    ],
    "hypoglycaemia": ["hypo_datetime", "hypo_glucose_mgdl", "hypo_assist"],
}
REPEATING = ("adverse_events", "hypoglycaemia")
FIXED = ["record_id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance"]
COLUMNS = FIXED + [c for form, fields in INSTRUMENTS.items() for c in [*fields, f"{form}_complete"]]

DICTIONARY_COLUMNS = [
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note",
    "Text Validation Type OR Show Slider Number", "Text Validation Min", "Text Validation Max",
    "Identifier?", "Branching Logic (Show field only if...)", "Required Field?",
    "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
    "Matrix Ranking?", "Field Annotation",
]  # fmt: skip

YESNO = "0, No | 1, Yes"
STUDY_DATES = ("2015-01-01", "2035-12-31")
#: field: (form, type, label, choices, validation, min, max, identifier)
FIELDS: dict[str, tuple[str, str, str, str, str, str, str, str]] = {
    "record_id": ("demographics", "text", "Study ID", "", "", "", "", ""),
    "mrn": ("demographics", "text", "Hospital medical record number", "", "", "", "", "y"),
    "dob": (
        "demographics",
        "text",
        "Date of birth",
        "",
        "date_ymd",
        "2000-01-01",
        STUDY_DATES[1],
        "y",
    ),
    "sex": ("demographics", "radio", "Sex", "1, Male | 2, Female", "", "", "", ""),
    "diagnosis_date": (
        "demographics",
        "text",
        "Date of diagnosis of type 1 diabetes",
        "",
        "date_ymd",
        *STUDY_DATES,
        "",
    ),
    "height_cm": ("demographics", "text", "Height (cm)", "", "number", "60", "210", ""),
    "dka_at_onset": (
        "demographics",
        "yesno",
        "Diabetic ketoacidosis at onset",
        YESNO,
        "",
        "",
        "",
        "",
    ),
    "infusion_date": (
        "infusion",
        "text",
        "Date of infusion (study day 0)",
        "",
        "date_ymd",
        *STUDY_DATES,
        "",
    ),
    "cells_per_kg": (
        "infusion",
        "text",
        "Cells infused per kg",
        "",
        "integer",
        "0",
        "10000000",
        "",
    ),
    "viability_pct": ("infusion", "text", "Cell viability (%)", "", "number", "0", "100", ""),
    "infusion_reaction": ("infusion", "yesno", "Infusion reaction", YESNO, "", "", "", ""),
    "visit_date": ("visit", "text", "Visit date", "", "date_ymd", *STUDY_DATES, ""),
    "weight_kg": ("visit", "text", "Weight (kg)", "", "number", "10", "150", ""),
    "tdd_day1": (
        "visit",
        "text",
        "Total daily insulin dose, day -1 (U)",
        "",
        "number",
        "0",
        "300",
        "",
    ),
    "tdd_day2": (
        "visit",
        "text",
        "Total daily insulin dose, day -2 (U)",
        "",
        "number",
        "0",
        "300",
        "",
    ),
    "tdd_day3": (
        "visit",
        "text",
        "Total daily insulin dose, day -3 (U)",
        "",
        "number",
        "0",
        "300",
        "",
    ),
    "ae_term": ("adverse_events", "text", "Adverse event (verbatim)", "", "", "", "", ""),
    "ae_soc": ("adverse_events", "text", "MedDRA system organ class", "", "", "", "", ""),
    "ae_pt": ("adverse_events", "text", "MedDRA preferred term", "", "", "", "", ""),
    "ae_start": ("adverse_events", "text", "Start date", "", "date_ymd", *STUDY_DATES, ""),
    "ae_end": ("adverse_events", "text", "End date", "", "date_ymd", *STUDY_DATES, ""),
    "ae_grade": (
        "adverse_events",
        "radio",
        "CTCAE v5 grade",
        "1, Grade 1 mild | 2, Grade 2 moderate | 3, Grade 3 severe"
        " | 4, Grade 4 life-threatening | 5, Grade 5 death",
        "",
        "",
        "",
        "",
    ),
    "ae_serious": ("adverse_events", "yesno", "Serious adverse event", YESNO, "", "", "", ""),
    "ae_related": (
        "adverse_events",
        "radio",
        "Relationship to the study infusion",
        "1, Unrelated | 2, Unlikely | 3, Possible | 4, Probable | 5, Definite",
        "",
        "",
        "",
        "",
    ),
    "ae_outcome": (
        "adverse_events",
        "radio",
        "Outcome",
        "1, Recovered | 2, Recovering | 3, Not recovered | 4, Recovered with sequelae | 5, Fatal",
        "",
        "",
        "",
        "",
    ),
    "hypo_datetime": (
        "hypoglycaemia",
        "text",
        "Date and time of the event",
        "",
        "datetime_ymd",
        *STUDY_DATES,
        "",
    ),
    "hypo_glucose_mgdl": (
        "hypoglycaemia",
        "text",
        "Glucose (mg/dL), empty if not measured",
        "",
        "integer",
        "10",
        "600",
        "",
    ),
    "hypo_assist": (
        "hypoglycaemia",
        "yesno",
        "Needed another person's help",
        YESNO,
        "",
        "",
        "",
        "",
    ),
}

#: Adverse-event catalogue: verbatim term, SOC, PT, usual relatedness, infusion-related, weight.
AE_CATALOGUE = [
    (
        "fever after infusion",
        "General disorders and administration site conditions",
        "Pyrexia",
        3,
        True,
        3.0,
    ),
    ("headache", "Nervous system disorders", "Headache", 2, True, 2.0),
    (
        "pain at infusion site",
        "General disorders and administration site conditions",
        "Infusion site pain",
        4,
        True,
        1.5,
    ),
    ("common cold", "Infections and infestations", "Nasopharyngitis", 1, False, 3.0),
    ("vomiting", "Gastrointestinal disorders", "Vomiting", 2, False, 1.0),
    ("skin rash on arms", "Skin and subcutaneous tissue disorders", "Rash", 3, False, 1.0),
    ("gastroenteritis", "Infections and infestations", "Gastroenteritis", 1, False, 1.0),
    (
        "sore throat",
        "Respiratory, thoracic and mediastinal disorders",
        "Oropharyngeal pain",
        1,
        False,
        1.5,
    ),
]
#: Serious events, simulated only in randomised cohorts (phase 1 had none).
AE_SERIOUS = (
    "diabetic ketoacidosis",
    "Metabolism and nutrition disorders",
    "Diabetic ketoacidosis",
    1,
    False,
    0.15,
)


def _fmt_date(ts: pd.Series | pd.DatetimeIndex, fmt: str = "%Y-%m-%d") -> np.ndarray:
    out = pd.Series(pd.DatetimeIndex(ts).strftime(fmt)).to_numpy(dtype=object)
    out[pd.isna(out)] = ""
    return out


def _num(x: np.ndarray, decimals: int) -> np.ndarray:
    """Numbers as REDCap stores what was typed: ``32.5``, ``24``; NaN -> empty."""
    x = np.asarray(x, dtype=float)
    out = np.char.mod(f"%.{decimals}f", np.nan_to_num(x)).astype(object)
    out[np.isnan(x)] = ""
    return out


def _event_of_day(c: phys.Cohort, subject: np.ndarray, day: np.ndarray) -> np.ndarray:
    """REDCap event at which an event on ``day`` is reported: the participant's first
    attended visit on or after that day, else their last visit."""
    v = c.visits.sort_values(["subject", "day"])
    key = v["subject"].to_numpy() * 10_000 + v["day"].to_numpy()
    q = subject * 10_000 + day
    pos = np.searchsorted(key, q, side="left")
    pos = np.minimum(pos, len(v) - 1)
    same = v["subject"].to_numpy()[pos] == subject
    last = np.searchsorted(v["subject"].to_numpy(), subject, side="right") - 1
    pos = np.where(same, pos, last)
    return v["event"].to_numpy()[pos]


def visit_rows(c: phys.Cohort, rng: np.random.Generator) -> pd.DataFrame:
    """Screening, infusion and follow-up event rows (non-repeating instruments)."""
    s, v = c.subjects, c.visits
    sub = s.iloc[v["subject"].to_numpy()]
    day = v["day"].to_numpy()
    weight = phys.body_weight(sub, day) + rng.normal(0, 0.3, len(v))
    dose = phys.insulin_dose(sub, day)
    tdd = (dose * weight)[:, None] * rng.lognormal(0, 0.05, (len(v), 3))
    rows = pd.DataFrame(
        {"record_id": sub["record_id"].to_numpy(), "redcap_event_name": v["event"].to_numpy()}
    )
    for col in COLUMNS[2:]:
        rows[col] = ""
    is_inf = day == 0
    is_scr = v.groupby("subject")["day"].transform("min").to_numpy() == day
    follow = ~is_inf
    rows.loc[follow, "visit_date"] = _fmt_date(v.loc[follow, "date"])
    w = _num(np.round(weight, 1), 1)
    t = np.round(tdd).astype(int).astype(str).astype(object)
    # As entered: one follow-up visit without a weight, one with an insulin day missing.
    fu = np.flatnonzero(follow & ~is_scr)
    if len(fu):
        k = max(1, round(0.002 * len(fu)))
        w[rng.choice(fu, k, replace=False)] = ""
        t[rng.choice(fu, k, replace=False), 2] = ""
    rows.loc[follow, "weight_kg"] = w[follow]
    for i in range(3):
        rows.loc[follow, f"tdd_day{i + 1}"] = t[follow, i]
    rows.loc[follow, "visit_complete"] = "2"

    scr = s.iloc[v.loc[is_scr, "subject"].to_numpy()]
    rows.loc[is_scr, "mrn"] = scr["mrn"].to_numpy()
    rows.loc[is_scr, "dob"] = _fmt_date(scr["dob"])
    rows.loc[is_scr, "sex"] = np.where(scr["sex"] == "M", "1", "2")
    rows.loc[is_scr, "diagnosis_date"] = _fmt_date(scr["diagnosis"])
    rows.loc[is_scr, "height_cm"] = _num(scr["height_cm"].to_numpy(), 1)
    rows.loc[is_scr, "dka_at_onset"] = scr["dka_at_onset"].astype(str).to_numpy()
    rows.loc[is_scr, "demographics_complete"] = "2"

    inf = s.iloc[v.loc[is_inf, "subject"].to_numpy()]
    rows.loc[is_inf, "infusion_date"] = _fmt_date(inf["infusion"])
    rows.loc[is_inf, "cells_per_kg"] = inf["cells_per_kg"].astype(str).to_numpy()
    rows.loc[is_inf, "viability_pct"] = _num(inf["viability_pct"].to_numpy(), 1)
    rows.loc[is_inf, "infusion_reaction"] = (rng.random(len(inf)) < 0.1).astype(int).astype(str)
    rows.loc[is_inf, "infusion_complete"] = "2"
    rows["_order"] = v["vnum"].to_numpy()
    return rows


def adverse_event_rows(c: phys.Cohort, rng: np.random.Generator) -> pd.DataFrame:
    """Adverse events: 1 + Poisson(1) per participant; grade 1-2, none serious in a
    single-arm cohort; a rare serious event (DKA) in randomised ones."""
    s = c.subjects
    n = len(s)
    catalogue = list(AE_CATALOGUE) + ([AE_SERIOUS] if c.config["design"] == "randomised" else [])
    weights = np.array([x[5] for x in catalogue])
    count = 1 + rng.poisson(1.0, n)
    subj = np.repeat(np.arange(n), count)
    kind = rng.choice(len(catalogue), size=len(subj), p=weights / weights.sum())
    infusion_related = np.array([x[4] for x in catalogue])[kind]
    serious = kind == len(AE_CATALOGUE)
    start = np.where(
        infusion_related, rng.integers(0, 2, len(subj)), rng.integers(2, 361, len(subj))
    )
    length = rng.integers(1, 11, len(subj))
    ongoing = (start > 330) & (rng.random(len(subj)) < 0.5)
    grade = np.where(serious, 3, np.where(rng.random(len(subj)) < 0.75, 1, 2))
    related = np.array([x[3] for x in catalogue])[kind]
    infusion = s["infusion"].to_numpy()[subj]
    rows = pd.DataFrame(
        {
            "record_id": s["record_id"].to_numpy()[subj],
            "redcap_event_name": _event_of_day(c, subj, start),
            "redcap_repeat_instrument": "adverse_events",
            "ae_term": np.array([x[0] for x in catalogue])[kind],
            "ae_soc": np.array([x[1] for x in catalogue])[kind],
            "ae_pt": np.array([x[2] for x in catalogue])[kind],
            "ae_start": _fmt_date(infusion + pd.to_timedelta(start, unit="D").to_numpy()),
            "ae_end": np.where(
                ongoing,
                "",
                _fmt_date(infusion + pd.to_timedelta(start + length, unit="D").to_numpy()),
            ),
            "ae_grade": grade.astype(str),
            "ae_serious": serious.astype(int).astype(str),
            "ae_related": related.astype(str),
            "ae_outcome": np.where(ongoing, "2", "1"),
            "adverse_events_complete": "2",
            "_day": start,
        }
    )
    return rows


def hypoglycaemia_rows(c: phys.Cohort, rng: np.random.Generator) -> pd.DataFrame:
    """Hypoglycaemia entries: remitters have attacks in days 20-45 (a month after the
    infusion); others a few over the year; some entries are not hypoglycaemia."""
    s = c.subjects
    n = len(s)
    remitter = s["remitter"].to_numpy()
    count = np.where(remitter, 3 + rng.poisson(2.0, n), rng.poisson(1.2, n))
    subj = np.repeat(np.arange(n), count)
    early = remitter[subj]
    day = np.where(early, rng.integers(20, 46, len(subj)), rng.integers(1, 366, len(subj)))
    glucose = rng.integers(40, 70, len(subj)).astype(float)
    assist = rng.random(len(subj)) < 0.1
    # Entries above 70 mg/dL without assistance: recorded, but not hypoglycaemia.
    not_hypo = rng.random(n) < 0.15
    extra = np.flatnonzero(not_hypo)
    ev = pd.DataFrame({"subject": subj, "day": day, "glucose": glucose, "assist": assist})
    above = pd.DataFrame(
        {
            "subject": extra,
            "day": rng.integers(1, 366, len(extra)),
            "glucose": rng.integers(72, 96, len(extra)).astype(float),
            "assist": False,
        }
    )
    ev = pd.concat([ev, above], ignore_index=True)
    ev = _ensure_levels(ev, remitter)
    ev.loc[ev["assist"] & (np.arange(len(ev)) % 2 == 0), "glucose"] = np.nan
    ev = ev.sort_values(["subject", "day"], kind="stable", ignore_index=True)
    minutes = rng.integers(0, 1440, len(ev))
    when = (
        s["infusion"].to_numpy()[ev["subject"]]
        + pd.to_timedelta(ev["day"] * 1440 + minutes, unit="min").to_numpy()
    )
    return pd.DataFrame(
        {
            "record_id": s["record_id"].to_numpy()[ev["subject"]],
            "redcap_event_name": _event_of_day(c, ev["subject"].to_numpy(), ev["day"].to_numpy()),
            "redcap_repeat_instrument": "hypoglycaemia",
            "hypo_datetime": _fmt_date(when, "%Y-%m-%d %H:%M"),
            "hypo_glucose_mgdl": _num(ev["glucose"].to_numpy(), 0),
            "hypo_assist": ev["assist"].astype(int).astype(str).to_numpy(),
            "hypoglycaemia_complete": "2",
            "_day": ev["day"].to_numpy(),
        }
    )


def _ensure_levels(ev: pd.DataFrame, remitter: np.ndarray) -> pd.DataFrame:
    """Make sure every ADA level and a non-hypoglycaemia entry occur (small cohorts)."""
    ev = ev.copy()
    first_remitter = ev.index[remitter[ev["subject"]]]
    if len(first_remitter) >= 3:
        i1, i2, i3 = first_remitter[:3]
        if not ev["assist"].any():
            ev.loc[i1, "assist"] = True
        if not ((ev["glucose"] < 54) & ~ev["assist"]).any():
            ev.loc[i2, "glucose"] = 48.0
        if not ((ev["glucose"] >= 54) & (ev["glucose"] < 70) & ~ev["assist"]).any():
            ev.loc[i3, "glucose"] = 62.0
    if not ((ev["glucose"] >= 70) & ~ev["assist"]).any():
        ev.loc[len(ev)] = {
            "subject": int(np.argmin(remitter)),
            "day": 200,
            "glucose": 84.0,
            "assist": False,
        }
    return ev


def redcap_export(c: phys.Cohort, rng: np.random.Generator) -> pd.DataFrame:
    """The raw data export: every column, one row per record-event and repeat instance."""
    base = visit_rows(c, rng)
    ae = adverse_event_rows(c, rng)
    hypo = hypoglycaemia_rows(c, rng)
    event_order = {
        x["event"]: i for i, x in enumerate(sorted(c.config["schedule"], key=lambda x: x["day"]))
    }
    rep = pd.concat([ae, hypo], ignore_index=True)
    rep["_order"] = rep["redcap_event_name"].map(event_order)
    rep = rep.sort_values(
        ["record_id", "_order", "redcap_repeat_instrument", "_day"], kind="stable"
    )
    rep["redcap_repeat_instance"] = (
        rep.groupby(["record_id", "redcap_event_name", "redcap_repeat_instrument"]).cumcount() + 1
    ).astype(str)
    out = pd.concat([base, rep], ignore_index=True).astype(object).fillna("")
    out["_rep"] = out["redcap_repeat_instrument"].map(
        {"": 0, "adverse_events": 1, "hypoglycaemia": 2}
    )
    out["_inst"] = pd.to_numeric(out["redcap_repeat_instance"], errors="coerce").fillna(0)
    out = out.sort_values(["record_id", "_order", "_rep", "_inst"], kind="stable")
    columns = list(COLUMNS)
    if c.config["simulation"].get("sites"):
        # REDCap writes the data access group after the repeat columns when asked to
        site = c.subjects.set_index("record_id")["site"]
        out["redcap_data_access_group"] = out["record_id"].map(site)
        columns.insert(len(FIXED), "redcap_data_access_group")
    return out[columns].astype(str)


def data_dictionary() -> pd.DataFrame:
    """The REDCap data dictionary of the project, in REDCap's column layout."""
    rows = []
    for field, (form, ftype, label, choices, valid, vmin, vmax, ident) in FIELDS.items():
        rows.append(
            {
                "Variable / Field Name": field,
                "Form Name": form,
                "Field Type": ftype,
                "Field Label": label,
                "Choices, Calculations, OR Slider Labels": choices,
                "Text Validation Type OR Show Slider Number": valid,
                "Text Validation Min": vmin,
                "Text Validation Max": vmax,
                "Identifier?": ident,
            }
        )
    return pd.DataFrame(rows).reindex(columns=DICTIONARY_COLUMNS).astype(object).fillna("")


def randomisation(c: phys.Cohort) -> pd.DataFrame:
    """randomisation.csv: record_id, arm, rand_date (two days after screening), and
    stratum when the randomisation was stratified (``simulation.stratified``)."""
    s, v = c.subjects, c.visits
    screening = v.groupby("subject")["date"].min()
    rand = screening.to_numpy() + np.timedelta64(2, "D")
    rand = np.minimum(rand, s["infusion"].to_numpy() - np.timedelta64(1, "D"))
    out = pd.DataFrame({"record_id": s["record_id"], "arm": s["arm"], "rand_date": _fmt_date(rand)})
    if c.config["simulation"].get("stratified"):
        out["stratum"] = s["stratum"].to_numpy()
    return out


def write_redcap(c: phys.Cohort, rng: np.random.Generator, out_dir: Path) -> list[Path]:
    """Write the data export and the data dictionary under ``out_dir/redcap``."""
    data = redcap_export(c, rng)
    last = max(
        c.visits["date"].max(),
        pd.Timestamp(data["ae_end"].replace("", np.nan).dropna().max() or "1900-01-01"),
    )
    exported = last.normalize() + pd.Timedelta(days=20, hours=10, minutes=42)
    project = c.config["redcap_project"]
    folder = out_dir / "redcap"
    folder.mkdir(parents=True, exist_ok=True)
    data_path = folder / f"{project}_DATA_{exported:%Y-%m-%d_%H%M}.csv"
    dict_path = folder / f"{project}_DataDictionary_{exported:%Y-%m-%d}.csv"
    data.to_csv(data_path, index=False, encoding="utf-8", lineterminator="\n")
    data_dictionary().to_csv(dict_path, index=False, encoding="utf-8", lineterminator="\n")
    return [data_path, dict_path]
