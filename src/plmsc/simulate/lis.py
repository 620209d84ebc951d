"""Synthetic laboratory (LIS) exports, with every behaviour of the real ones.

See ``docs/raw-exports.md``, "LIS export". The result table is built whole
(one row per reported result, true values in analysis units), the export quirks
are applied to chosen rows, and the rows are then cut into overlapping pulls,
each written as ``lis/LIS_EXPORT_<YYYYMMDD>.csv`` (UTF-8 with BOM, CRLF).

Quirks, each present in every simulated cohort:

* overlapping pulls: a 121-day window every 91 days, so results repeat byte for byte;
* other clinics' patients with trial and non-trial test codes;
* test codes the analysis does not use (TSH, CRP) for trial participants;
* the C-peptide analyser change (ng/mL -> pmol/L), glucose mg/dL -> mmol/L, HbA1c
  % -> mmol/mol (IFCC) and creatinine mg/dL -> umol/L at the same date, so each
  participant's series mixes units; fasting C-peptide samples reported in nmol/L;
* hand-typed MMTT labels (``MMTT T+30``, ``MMTT 30MIN``, ``MMTT 30 min``, ``mmtt 30``);
* corrections (STATUS C, the first release wrong by a factor of 10) and
  cancellations (STATUS X);
* a haemolysed tube re-drawn the next day under a new accession;
* ``<x`` below the limit of quantification, ``>x`` above the upper limit;
* non-results (HEMOLYZED, QNS, SEE COMMENT, empty) and entry slips (``41 H``, stray spaces);
* a second HbA1c in one visit window and a safety draw outside every window.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd

from plmsc.simulate import cohort as phys
from plmsc.simulate import reference as ref

LIS_COLUMNS = [
    "MRN", "PATIENT_NAME", "DOB", "SEX", "ACCESSION", "COLLECTED", "TEST_CODE", "TEST_NAME",
    "SAMPLE_LABEL", "RESULT", "UNITS", "REF_RANGE", "FLAG", "STATUS", "VERIFIED_AT",
]  # fmt: skip

TEST_NAMES = {
    "CPEP": "C-PEPTIDE, SERUM",
    "GLU": "GLUCOSE, PLASMA",
    "HBA1C": "HEMOGLOBIN A1C",
    "GADA": "GAD65 ANTIBODY",
    "ZNT8A": "ZINC TRANSPORTER 8 ANTIBODY",
    "IA2A": "IA-2 ANTIBODY",
    "ALT": "ALANINE AMINOTRANSFERASE",
    "AST": "ASPARTATE AMINOTRANSFERASE",
    "CREAT": "CREATININE",
    "WBC": "WHITE BLOOD CELL COUNT",
    "PLT": "PLATELET COUNT",
    "HGB": "HEMOGLOBIN",
    "TSH": "THYROID STIMULATING HORMONE",
    "FT4": "FREE THYROXINE",
    "CRP": "C-REACTIVE PROTEIN",
    "FERRITIN": "FERRITIN",
    "NA": "SODIUM",
    "K": "POTASSIUM",
}


# How each (test, unit) is reported: reported = (analysis value - offset) * scale,
# shown with `decimals`; limits of quantification and the reference interval are in
# the reported unit (lo None: a cut-off "<hi").
#                           scale            offset decimals lloq   uloq    ref_lo ref_hi
RENDER: dict[
    tuple[str, str], tuple[float, float, int, float | None, float | None, float | None, float]
] = {
    ("CPEP", "ng/mL"): (3020.29 / 1000, 0.0, 2, 0.05, 20.0, 0.80, 3.10),
    ("CPEP", "pmol/L"): (1000.0, 0.0, 0, 20.0, 6000.0, 260.0, 1030.0),
    ("CPEP", "nmol/L"): (1.0, 0.0, 3, 0.02, 6.0, 0.26, 1.03),
    ("GLU", "mg/dL"): (1.0, 0.0, 0, 10.0, 600.0, 70.0, 99.0),
    ("GLU", "mmol/L"): (1 / 18.016, 0.0, 1, 0.6, 33.3, 3.9, 5.5),
    ("HBA1C", "%"): (1.0, 0.0, 1, 3.0, 18.0, 4.0, 5.6),
    ("HBA1C", "mmol/mol"): (1 / 0.09148, 2.152, 0, 9.0, 173.0, 20.0, 38.0),
    ("GADA", "IU/mL"): (1.0, 0.0, 1, 5.0, 2000.0, None, 10.0),
    ("ZNT8A", "U/mL"): (1.0, 0.0, 1, 10.0, 2000.0, None, 15.0),
    ("IA2A", "U/mL"): (1.0, 0.0, 1, 0.8, 4000.0, None, 7.5),
    ("ALT", "U/L"): (1.0, 0.0, 0, 5.0, 3000.0, 7.0, 35.0),
    ("AST", "U/L"): (1.0, 0.0, 0, 5.0, 3000.0, 10.0, 40.0),
    ("CREAT", "mg/dL"): (1.0, 0.0, 2, 0.10, 20.0, 0.30, 0.90),
    ("CREAT", "umol/L"): (88.42, 0.0, 0, 9.0, 1768.0, 27.0, 80.0),
    ("WBC", "10^9/L"): (1.0, 0.0, 1, 0.1, 200.0, 4.5, 13.5),
    ("PLT", "10^9/L"): (1.0, 0.0, 0, 5.0, 2000.0, 150.0, 450.0),
    ("HGB", "g/dL"): (1.0, 0.0, 1, 2.0, 25.0, 11.5, 15.5),
    ("TSH", "mIU/L"): (1.0, 0.0, 2, 0.01, 100.0, 0.5, 4.5),
    ("FT4", "pmol/L"): (1.0, 0.0, 1, 1.0, 100.0, 10.0, 22.0),
    ("CRP", "mg/L"): (1.0, 0.0, 1, 0.5, 300.0, None, 5.0),
    ("FERRITIN", "ug/L"): (1.0, 0.0, 0, 2.0, 2000.0, 15.0, 150.0),
    ("NA", "mmol/L"): (1.0, 0.0, 0, 100.0, 180.0, 135.0, 145.0),
    ("K", "mmol/L"): (1.0, 0.0, 1, 1.0, 10.0, 3.5, 5.1),
}

#: Units before and after the analyser change: (old, new).
UNIT_CHANGE = {
    "CPEP": ("ng/mL", "pmol/L"),
    "GLU": ("mg/dL", "mmol/L"),
    "HBA1C": ("%", "mmol/mol"),
    "CREAT": ("mg/dL", "umol/L"),
}
DEFAULT_UNIT = {test: unit for test, unit in RENDER}
DEFAULT_UNIT.update({t: old for t, (old, _) in UNIT_CHANGE.items()})

#: Days after the first infusion on which the laboratory changed analysers.
ANALYSER_CHANGE_DAY = 200
#: Minutes from collection to release, by family of tube: (min, max).
RELEASE_DELAY = {
    "mmtt": (120, 1440),
    "fasting": (120, 600),
    "hba1c": (120, 600),
    "antibodies": (5 * 1440, 14 * 1440),
    "chem": (60, 300),
    "haem": (30, 180),
    "other": (60, 2880),
}
MMTT_LABEL_STYLES = ("MMTT {m}", "MMTT T{s}{a}", "MMTT {m}MIN", "MMTT {m} min", "mmtt {m}")

# Value distributions of other clinics' patients and of unused tests, analysis units.
OTHER_VALUES = {
    "GLU": (70, 220),
    "HBA1C": (5.0, 12.0),
    "CREAT": (0.3, 1.0),
    "ALT": (8, 60),
    "CPEP": (0.05, 1.2),
    "TSH": (0.3, 6.0),
    "FT4": (9, 24),
    "CRP": (0.2, 40),
    "FERRITIN": (8, 220),
    "NA": (133, 146),
    "K": (3.3, 5.4),
}


def _tubes(
    visits: pd.DataFrame, tests: list[str], family: str, offset_min: int = 0
) -> pd.DataFrame:
    """One row per visit and test, all tests of a visit in one tube."""
    n, t = len(visits), len(tests)
    return pd.DataFrame(
        {
            "subject": np.repeat(visits["subject"].to_numpy(), t),
            "visit_row": np.repeat(visits.index.to_numpy(), t),
            "tube": np.repeat(np.arange(n), t),
            "collected": np.repeat(
                (visits["start"] + pd.Timedelta(minutes=offset_min)).to_numpy(), t
            ),
            "test": np.tile(tests, n),
            "label": "",
            "minute": np.nan,
            "family": family,
        }
    )


def _at(visits: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    return visits[visits["visit"].isin(names)]


def trial_results(c: phys.Cohort, rng: np.random.Generator) -> pd.DataFrame:
    """Every scheduled result of the trial participants, true values in analysis units."""
    s, v, a = c.subjects, c.visits, c.config["assessments"]
    parts = []

    # MMTT: one tube per draw holding C-peptide and glucose.
    mv = _at(v, a["mmtt"])
    m, k = len(mv), len(phys.MMTT_MINUTES)
    sub = s.iloc[mv["subject"].to_numpy()]
    fasting = phys.fasting_cpeptide(sub, mv["day"].to_numpy())
    cpep = fasting[:, None] * (1 + sub["stim"].to_numpy()[:, None] * phys.CPEP_RISE)
    cpep *= rng.lognormal(0, 0.06, (m, k))
    gfast = sub["g0"].to_numpy() * rng.lognormal(0, 0.05, m)
    glu = gfast[:, None] * (1 + phys.GLU_RISE) * rng.lognormal(0, 0.04, (m, k))
    style = rng.permutation(m) % 8  # 0-3 canonical labels, 4-7 hand-typed variants
    minute = np.tile(phys.MMTT_MINUTES, m)
    mmtt = pd.DataFrame(
        {
            "subject": np.repeat(mv["subject"].to_numpy(), k),
            "visit_row": np.repeat(mv.index.to_numpy(), k),
            "tube": np.arange(m * k),
            "collected": np.repeat(mv["start"].to_numpy(), k)
            + pd.to_timedelta(minute + 10, unit="min").to_numpy(),
            "minute": minute.astype(float),
            "style": np.repeat(np.maximum(style - 3, 0), k),
            "family": "mmtt",
        }
    )
    mmtt["label"] = mmtt_labels(mmtt["minute"].to_numpy().astype(int), mmtt["style"].to_numpy())
    both = pd.concat(
        [mmtt.assign(test="CPEP", value=cpep.ravel()), mmtt.assign(test="GLU", value=glu.ravel())]
    )
    parts.append(both.drop(columns="style"))

    # Fasting C-peptide and glucose outside an MMTT: labelled FASTING, or left empty.
    fv = _at(v, a["fasting_cpep"])
    if len(fv):
        f = _tubes(fv, ["CPEP", "GLU"], "fasting")
        sub = s.iloc[f["subject"].to_numpy()]
        day = v.loc[f["visit_row"], "day"].to_numpy()
        f["value"] = np.where(
            f["test"] == "CPEP",
            phys.fasting_cpeptide(sub, day) * rng.lognormal(0, 0.06, len(f)),
            sub["g0"].to_numpy() * rng.lognormal(0, 0.05, len(f)),
        )
        f["label"] = np.where(f["tube"] % 2 == 0, "FASTING", "")
        parts.append(f)

    hv = _tubes(_at(v, a["hba1c"]), ["HBA1C"], "hba1c")
    hv["value"] = phys.hba1c(
        s.iloc[hv["subject"].to_numpy()], v.loc[hv["visit_row"], "day"].to_numpy()
    )
    hv["value"] += rng.normal(0, 0.08, len(hv))
    parts.append(hv)

    ab = _tubes(_at(v, a["antibodies"]), ["GADA", "ZNT8A", "IA2A"], "antibodies")
    sub = s.iloc[ab["subject"].to_numpy()]
    day = v.loc[ab["visit_row"], "day"].to_numpy()
    factor = phys.antibody_factor(sub, day)
    ia2a = sub["ia2a0"].to_numpy() * (
        1 + (sub["ia2a_drift"].to_numpy() - 1) * np.clip(day, 0, 365) / 365
    )
    ab["value"] = np.select(
        [ab["test"] == "GADA", ab["test"] == "ZNT8A"],
        [sub["gada0"].to_numpy() * factor, sub["znt0"].to_numpy() * factor],
        ia2a,
    ) * rng.lognormal(0, 0.04, len(ab))
    _ensure_above_limit(ab, "IA2A", RENDER[("IA2A", "U/mL")][4])
    parts.append(ab)

    sv = _at(v, a["safety"])
    chem = _tubes(sv, ["ALT", "AST", "CREAT"], "chem")
    haem = _tubes(sv, ["WBC", "PLT", "HGB"], "haem", offset_min=1)
    safety = pd.concat(
        [_safety_values(chem, s, rng), _safety_values(haem, s, rng)], ignore_index=True
    )
    parts.append(ref.add_transient_abnormalities(safety, s, v, c.config["simulation"]["seed"]))

    # Tests the clinic orders at baseline that the analysis does not use.
    bl = _tubes(v[v["day"] < 0].drop_duplicates("subject"), ["TSH", "CRP"], "other", offset_min=2)
    lo, hi = np.array([OTHER_VALUES[t] for t in bl["test"]]).T
    bl["value"] = rng.uniform(lo, hi)
    parts.append(bl)

    out = pd.concat(parts, ignore_index=True)
    # Tubes are numbered within their part; make them unique across the cohort.
    out["tube"] = out.groupby(["family", "tube", "visit_row"], sort=False).ngroup()
    return out


def mmtt_labels(minute: np.ndarray, style: np.ndarray) -> np.ndarray:
    """SAMPLE_LABEL of MMTT draws: canonical ``MMTT 30`` (style 0) or a hand-typed variant."""
    m = minute.astype(str)
    sign = np.where(minute < 0, "-", "+")
    absm = np.abs(minute).astype(str)
    out = np.select(
        [style == 1, style == 2, style == 3, style == 4],
        [
            np.char.add(np.char.add("MMTT T", sign), absm),
            np.char.add(np.char.add("MMTT ", m), "MIN"),
            np.char.add(np.char.add("MMTT ", m), " min"),
            np.char.add("mmtt ", m),
        ],
        np.char.add("MMTT ", m),
    )
    return out.astype(object)


def _safety_values(t: pd.DataFrame, s: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Safety labs: a set point per participant and test, times visit-to-visit noise."""
    age = s["age"].to_numpy()[t["subject"].to_numpy()]
    n = len(s)
    set_point = {
        "ALT": rng.uniform(10, 28, n),
        "AST": rng.uniform(16, 32, n),
        "CREAT": rng.uniform(0.32, 0.45, n),
        "WBC": rng.uniform(5.0, 9.0, n),
        "PLT": rng.uniform(210, 380, n),
        "HGB": rng.uniform(12.0, 14.0, n),
    }
    noise = {"ALT": 0.15, "AST": 0.12, "CREAT": 0.06, "WBC": 0.12, "PLT": 0.08, "HGB": 0.03}
    subj = t["subject"].to_numpy()
    value = np.zeros(len(t))
    for test, sp in set_point.items():
        mask = (t["test"] == test).to_numpy()
        value[mask] = sp[subj[mask]] * rng.lognormal(0, noise[test], mask.sum())
    creat = (t["test"] == "CREAT").to_numpy()
    value[creat] *= 1 + 0.03 * (age[creat] - 8)
    age_now = ref.age_at(t["collected"], s["dob"].iloc[subj])
    value = ref.keep_in_range(value, t["test"].to_numpy(), age_now, s["sex"].to_numpy()[subj])
    return t.assign(value=value)


def _ensure_above_limit(ab: pd.DataFrame, test: str, limit: float) -> None:
    """Give the highest-titre participant a result above the assay's upper limit.

    Real cohorts have them; a small simulated one may not. The participant's whole
    series is scaled, so their course keeps its shape.
    """
    rows = ab["test"] == test
    if not rows.any() or ab.loc[rows, "value"].max() > limit:
        return
    top = ab.loc[ab.loc[rows, "value"].idxmax(), "subject"]
    mine = rows & (ab["subject"] == top)
    ab.loc[mine, "value"] *= 1.08 * limit / ab.loc[mine, "value"].max()


def other_patients(
    c: phys.Cohort, rng: np.random.Generator, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Results of other clinics' patients over the trial period: (patients, results)."""
    n_trial = len(c.subjects)
    n = max(6, n_trial // 8)
    sex = np.where(rng.random(n) < 0.5, "M", "F")
    taken = set(c.subjects["mrn"])
    mrn = np.array([x for x in phys._unique_mrns(rng, n + n_trial) if x not in taken][:n])
    patients = pd.DataFrame(
        {
            "mrn": mrn,
            "name": phys._names(rng, sex),
            "sex": sex,
            "dob": start - pd.to_timedelta(rng.integers(365, 17 * 365, n), unit="D"),
        }
    )
    per = rng.integers(1, 13, n)
    pid = np.repeat(np.arange(n), per)
    codes = np.array(sorted(OTHER_VALUES))
    test = codes[rng.integers(len(codes), size=len(pid))]
    span = (end - start).days
    collected = start + pd.to_timedelta(rng.integers(0, span * 1440, len(pid)), unit="min")
    lo, hi = np.array([OTHER_VALUES[t] for t in test]).T
    results = pd.DataFrame(
        {
            "subject": -1 - pid,
            "visit_row": -1,
            "tube": np.arange(len(pid)),
            "collected": collected,
            "test": test,
            "label": np.where(
                np.isin(test, ["GLU", "CPEP"]) & (rng.random(len(pid)) < 0.5), "FASTING", ""
            ),
            "minute": np.nan,
            "family": "other",
            "value": rng.uniform(lo, hi),
        }
    )
    return patients, results


def _render_table() -> pd.DataFrame:
    """RENDER as a table indexed by (test, unit), with the reference and limit texts."""
    t = pd.DataFrame.from_dict(
        RENDER, orient="index", columns=["scale", "offset", "dec", "lloq", "uloq", "lo", "hi"]
    )
    t.index = pd.MultiIndex.from_tuples(t.index, names=["test", "unit"])
    t["ref"] = [
        f"<{h:g}" if pd.isna(lo) else f"{lo:g}-{h:g}"
        for lo, h in zip(t["lo"], t["hi"], strict=True)
    ]
    t["lloq_txt"] = [f"<{x:g}" for x in t["lloq"]]
    t["uloq_txt"] = [f">{x:g}" for x in t["uloq"]]
    return t


def units_of(results: pd.DataFrame, switch: pd.Timestamp) -> np.ndarray:
    """The unit each result is reported in: by analyser period; fasting C-peptide in nmol/L."""
    test = results["test"].to_numpy()
    after = (results["collected"] >= switch).to_numpy()
    units = pd.Series(test).map(DEFAULT_UNIT).to_numpy().astype(object)
    for code, (_, new) in UNIT_CHANGE.items():
        units[(test == code) & after] = new
    units[(test == "CPEP") & (results["family"] == "fasting").to_numpy()] = "nmol/L"
    return units


def render(results: pd.DataFrame, switch: pd.Timestamp) -> pd.DataFrame:
    """RESULT, UNITS, REF_RANGE and FLAG of every row, as the laboratory reports them."""
    table = _render_table()
    units = units_of(results, switch)
    pos = table.index.get_indexer(pd.MultiIndex.from_arrays([results["test"].to_numpy(), units]))
    spec = table.iloc[pos]
    reported = (results["value"].to_numpy() - spec["offset"].to_numpy()) * spec["scale"].to_numpy()
    dec = spec["dec"].to_numpy()
    rounded = np.round(reported * 10.0**dec) / 10.0**dec

    text = np.empty(len(results), dtype=object)
    for d in np.unique(dec):
        sel = dec == d
        text[sel] = np.char.mod(f"%.{d}f", rounded[sel])
    lloq, uloq = spec["lloq"].to_numpy(), spec["uloq"].to_numpy()
    below, above = rounded < lloq, rounded > uloq
    text[below] = spec["lloq_txt"].to_numpy()[below]
    text[above] = spec["uloq_txt"].to_numpy()[above]

    lo = spec["lo"].to_numpy(dtype=float)
    hi = spec["hi"].to_numpy(dtype=float)
    shown = np.where(below, lloq, np.where(above, uloq, rounded))
    flag = np.select(
        [shown > 2.5 * hi, shown > hi, shown < lo / 2, shown < lo], ["HH", "H", "LL", "L"], ""
    )
    return results.assign(RESULT=text, UNITS=units, REF_RANGE=spec["ref"].to_numpy(), FLAG=flag)


def paediatric_reference(
    res: pd.DataFrame, subjects: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """REF_RANGE and FLAG with the paediatric interval of the child's age and sex
    (:mod:`plmsc.simulate.reference`) for the trial participants' safety results;
    other rows keep theirs. Limits in the reported unit and decimals."""
    text = res["REF_RANGE"].to_numpy().copy()
    flag = res["FLAG"].to_numpy().copy()
    rows = np.flatnonzero(
        res["test"].isin(ref.SAFETY).to_numpy() & (res["subject"] >= 0).to_numpy()
    )
    if not len(rows):
        return text, flag
    r = res.iloc[rows]
    subj = r["subject"].to_numpy().astype(int)
    age = ref.age_at(r["collected"], subjects["dob"].iloc[subj])
    lo, hi = ref.reference_limits(r["test"].to_numpy(), age, subjects["sex"].to_numpy()[subj])
    table = _render_table()
    spec = table.iloc[table.index.get_indexer(pd.MultiIndex.from_arrays([r["test"], r["UNITS"]]))]
    scale, offset = spec["scale"].to_numpy(), spec["offset"].to_numpy()
    dec = spec["dec"].to_numpy().astype(int)
    lo_r = np.round((lo - offset) * scale * 10.0**dec) / 10.0**dec
    hi_r = np.round((hi - offset) * scale * 10.0**dec) / 10.0**dec
    shown = np.round((r["value"].to_numpy() - offset) * scale * 10.0**dec) / 10.0**dec
    shown = np.clip(shown, spec["lloq"].to_numpy(), spec["uloq"].to_numpy())
    text[rows] = ref.reference_text(lo_r, hi_r, dec)
    flag[rows] = np.select(
        [shown > 2.5 * hi_r, shown > hi_r, shown < lo_r / 2, shown < lo_r],
        ["HH", "H", "LL", "L"],
        "",
    )
    return text, flag


def _pick(rng: np.random.Generator, candidates: np.ndarray, fraction: float) -> np.ndarray:
    """At least one, else ``fraction`` of the candidates, drawn without replacement."""
    if len(candidates) == 0:
        return candidates
    k = min(len(candidates), max(1, round(fraction * len(candidates))))
    return np.sort(rng.choice(candidates, size=k, replace=False))


def _window_hi(c: phys.Cohort) -> pd.Series:
    hi = {x["visit"]: x["window"][1] for x in c.config["schedule"]}
    return c.visits["visit"].map(hi)


def add_redraws(res: pd.DataFrame, c: phys.Cohort, rng: np.random.Generator) -> pd.DataFrame:
    """Haemolysed chemistry tubes re-drawn the next day (same window) under a new tube."""
    chem = res[res["family"] == "chem"].drop_duplicates("tube")
    day = c.visits.loc[chem["visit_row"], "day"].to_numpy()
    fits = day + 1 <= _window_hi(c).loc[chem["visit_row"]].to_numpy()
    chosen = _pick(rng, chem.loc[fits, "tube"].to_numpy(), 0.002)
    hit = res["tube"].isin(chosen).to_numpy()
    redraw = res[hit].assign(
        collected=lambda d: d["collected"] + pd.Timedelta(days=1),
        tube=lambda d: d["tube"] + res["tube"].max() + 1,
        value=lambda d: d["value"] * rng.lognormal(0, 0.05, len(d)),
    )
    res = res.copy()
    res.loc[hit, "override"] = "HEMOLYZED"
    return pd.concat([res, redraw], ignore_index=True)


def add_second_hba1c(res: pd.DataFrame, c: phys.Cohort, rng: np.random.Generator) -> pd.DataFrame:
    """A second HbA1c four days later, still inside the visit's window."""
    h = res[(res["family"] == "hba1c") & (res["visit_row"] >= 0)]
    day = c.visits.loc[h["visit_row"], "day"].to_numpy()
    fits = (day > 0) & (day + 4 <= _window_hi(c).loc[h["visit_row"]].to_numpy())
    chosen = _pick(rng, h.index[fits].to_numpy(), 0.002)
    extra = res.loc[chosen].assign(
        collected=lambda d: d["collected"] + pd.Timedelta(days=4),
        tube=res["tube"].max() + 1 + np.arange(len(chosen)),
        value=lambda d: d["value"] + rng.normal(0, 0.1, len(d)),
    )
    return pd.concat([res, extra], ignore_index=True)


def add_unscheduled(res: pd.DataFrame, c: phys.Cohort, rng: np.random.Generator) -> pd.DataFrame:
    """A safety draw on a study day outside every visit window (an unscheduled visit)."""
    windows = sorted(tuple(x["window"]) for x in c.config["schedule"])
    gaps = [(a[1] + 1, b[0] - 1) for a, b in pairwise(windows) if b[0] - a[1] > 1 and a[1] >= 0]
    if not gaps:
        return res
    day = (gaps[0][0] + gaps[0][1]) // 2
    who = _pick(rng, np.arange(len(c.subjects)), 0.01)
    tests = ["ALT", "AST", "CREAT"]
    n, k = len(who), len(tests)
    start = (
        c.subjects["infusion"].to_numpy()[who]
        + np.timedelta64(day, "D")
        + np.timedelta64(9 * 60 + 15, "m")
    )
    extra = pd.DataFrame(
        {
            "subject": np.repeat(who, k),
            "visit_row": -1,
            "tube": res["tube"].max() + 1 + np.repeat(np.arange(n), k),
            "collected": np.repeat(start, k),
            "test": np.tile(tests, n),
            "label": "",
            "minute": np.nan,
            "family": "chem",
        }
    )
    return pd.concat([res, _safety_values(extra, c.subjects, rng)], ignore_index=True)


def assign_accessions(res: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Accession per tube, ``A<yy>-<7 digits>``, rising with collection time within a year."""
    tubes = res[["tube", "collected"]].drop_duplicates("tube").sort_values(["collected", "tube"])
    year = tubes["collected"].dt.year.to_numpy()
    step = rng.integers(1, 40, len(tubes))
    seq = pd.Series(step).groupby(year).cumsum().to_numpy() + 4000
    acc = np.char.add(
        np.char.add("A", np.char.zfill((year % 100).astype(str), 2)),
        np.char.add("-", np.char.zfill(seq.astype(str), 7)),
    )
    lookup = pd.Series(acc, index=tubes["tube"].to_numpy())
    return lookup.loc[res["tube"].to_numpy()].to_numpy().astype(object)


def release_times(res: pd.DataFrame, rng: np.random.Generator) -> pd.Series:
    """VERIFIED_AT: collection time plus a release delay drawn per tube and family."""
    tubes = res.drop_duplicates("tube")[["tube", "family"]]
    lo, hi = np.array([RELEASE_DELAY[f] for f in tubes["family"]]).T
    delay = pd.Series(rng.integers(lo, hi + 1), index=tubes["tube"].to_numpy())
    minutes = delay.loc[res["tube"].to_numpy()].to_numpy()
    return res["collected"] + pd.to_timedelta(minutes, unit="min")


def add_amendments(res: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Corrections (a wrong first release, STATUS C later) and cancellations (STATUS X)."""
    safety = res.index[
        res["family"].isin(["chem", "haem", "hba1c"])
        & (res["subject"] >= 0)
        & res["override"].isna()
    ]
    chosen = _pick(rng, safety.to_numpy(), 0.004)
    half = max(1, len(chosen) // 2)
    corrected, cancelled = chosen[:half], chosen[half:]
    if len(cancelled) == 0:  # a tiny cohort: take one more row to cancel
        cancelled = _pick(rng, np.setdiff1d(safety.to_numpy(), corrected), 0.0)
    fix = res.loc[corrected].assign(
        STATUS="C",
        verified=lambda d: (
            d["verified"] + pd.to_timedelta(rng.integers(1440, 3 * 1440, len(d)), unit="min")
        ),
    )
    res = res.copy()
    res.loc[corrected, "value"] *= 10  # the first release was a typing slip
    void = res.loc[cancelled].assign(
        STATUS="X",
        override="",
        verified=lambda d: (
            d["verified"] + pd.to_timedelta(rng.integers(60, 1440, len(d)), unit="min")
        ),
    )
    return pd.concat([res, fix, void], ignore_index=True)


def add_non_results(res: pd.DataFrame, rng: np.random.Generator) -> None:
    """QNS on MMTT draws, SEE COMMENT and empty results on safety labs (in place)."""
    free = res["override"].isna() & (res["subject"] >= 0) & (res["STATUS"] == "F")
    qns_c = _pick(
        rng, res.index[free & (res["test"] == "CPEP") & (res["minute"] == -10)].to_numpy(), 0.002
    )
    qns_g = _pick(
        rng, res.index[free & (res["test"] == "GLU") & (res["minute"] == 90)].to_numpy(), 0.002
    )
    res.loc[np.concatenate([qns_c, qns_g]), "override"] = "QNS"
    safety = res.index[
        free & res["family"].isin(["chem", "haem"]) & res["override"].isna()
    ].to_numpy()
    picked = _pick(rng, safety, 0.002)
    res.loc[picked[: max(1, len(picked) // 2)], "override"] = "SEE COMMENT"
    rest = np.setdiff1d(safety, picked)
    res.loc[_pick(rng, rest, 0.001), "override"] = ""


def add_entry_slips(res: pd.DataFrame, rng: np.random.Generator) -> None:
    """``41 H`` (a flag letter typed into RESULT) and stray spaces (in place)."""
    free = (res["subject"] >= 0) & res["override"].isna() & (res["STATUS"] == "F")
    flagged = _pick(rng, res.index[free & (res["FLAG"] == "H")].to_numpy(), 0.002)
    res.loc[flagged, "RESULT"] = res.loc[flagged, "RESULT"] + " H"
    plain = res.index[free & (res["FLAG"] == "") & ~res.index.isin(flagged)].to_numpy()
    spaced = _pick(rng, plain, 0.002)
    res.loc[spaced, "RESULT"] = np.where(
        np.arange(len(spaced)) % 2 == 0,
        " " + res.loc[spaced, "RESULT"],
        res.loc[spaced, "RESULT"] + " ",
    )


def _fmt(ts: pd.Series, fmt: str) -> np.ndarray:
    """strftime over the distinct values only (many rows share a time)."""
    codes, uniques = pd.factorize(ts)
    return pd.DatetimeIndex(uniques).strftime(fmt).to_numpy()[codes]


def build_lis(c: phys.Cohort, rng: np.random.Generator) -> pd.DataFrame:
    """Every row the laboratory ever released for the cohort's period, text as exported.

    Returns the LIS columns plus ``_collected`` and ``_verified`` (timestamps) used
    to cut the pulls.
    """
    res = trial_results(c, rng)
    res["override"] = pd.Series(np.nan, index=res.index, dtype=object)  # a non-result word
    res = add_redraws(res, c, rng)
    res = add_second_hba1c(res, c, rng)
    res = add_unscheduled(res, c, rng)
    start = res["collected"].min().normalize()
    end = res["collected"].max().normalize() + pd.Timedelta(days=1)
    patients, others = other_patients(c, rng, start, end)
    others["tube"] += res["tube"].max() + 1
    res = pd.concat([res, others.assign(override=np.nan)], ignore_index=True)
    res["ACCESSION"] = assign_accessions(res, rng)
    res["verified"] = release_times(res, rng)
    res["STATUS"] = "F"
    res = add_amendments(res, rng)
    add_non_results(res, rng)
    switch = pd.Timestamp(c.config["simulation"]["first_infusion"]) + pd.Timedelta(
        days=ANALYSER_CHANGE_DAY
    )
    res = render(res, switch)
    res["REF_RANGE"], res["FLAG"] = paediatric_reference(res, c.subjects)
    set_ = res["override"].notna().to_numpy()
    res.loc[set_, "RESULT"] = res.loc[set_, "override"]
    res.loc[set_, "FLAG"] = ""
    add_entry_slips(res, rng)

    trial = c.subjects[["mrn", "name", "sex", "dob"]]
    people = pd.concat([trial, patients], ignore_index=True)
    who = np.where(res["subject"] >= 0, res["subject"], len(trial) - 1 - res["subject"])
    person = people.iloc[who]
    out = pd.DataFrame(
        {
            "MRN": person["mrn"].to_numpy(),
            "PATIENT_NAME": person["name"].to_numpy(),
            "DOB": _fmt(person["dob"].reset_index(drop=True), "%d/%m/%Y"),
            "SEX": person["sex"].to_numpy(),
            "ACCESSION": res["ACCESSION"].to_numpy(),
            "COLLECTED": _fmt(res["collected"], "%d/%m/%Y %H:%M"),
            "TEST_CODE": res["test"].to_numpy(),
            "TEST_NAME": res["test"].map(TEST_NAMES).to_numpy(),
            "SAMPLE_LABEL": res["label"].to_numpy(),
            "RESULT": res["RESULT"].to_numpy(),
            "UNITS": res["UNITS"].to_numpy(),
            "REF_RANGE": res["REF_RANGE"].to_numpy(),
            "FLAG": res["FLAG"].to_numpy(),
            "STATUS": res["STATUS"].to_numpy(),
            "VERIFIED_AT": _fmt(res["verified"], "%d/%m/%Y %H:%M"),
            "_collected": res["collected"].to_numpy(),
            "_verified": res["verified"].to_numpy(),
        }
    )
    return out.sort_values(
        ["_collected", "ACCESSION", "TEST_CODE", "_verified", "STATUS"],
        kind="stable",
        ignore_index=True,
    )


PULL_EVERY_DAYS = 91
PULL_COVERS_DAYS = 121


def pull_dates(rows: pd.DataFrame) -> list[pd.Timestamp]:
    """Dates of the LIS pulls: every 91 days from 60 days after the first collection,
    the last on or after the last release."""
    first = rows["_collected"].min().normalize()
    last = rows["_verified"].max().normalize()
    dates = [first + pd.Timedelta(days=60)]
    while dates[-1] < last:
        dates.append(dates[-1] + pd.Timedelta(days=PULL_EVERY_DAYS))
    return dates


def write_pulls(rows: pd.DataFrame, lis_dir: Path) -> list[Path]:
    """Write one ``LIS_EXPORT_<YYYYMMDD>.csv`` per pull; each covers the collections of
    the last 121 days released by the end of the pull day (overlapping the previous)."""
    lis_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for date in pull_dates(rows):
        end = date + pd.Timedelta(days=1)
        take = (
            (rows["_collected"] >= end - pd.Timedelta(days=PULL_COVERS_DAYS))
            & (rows["_collected"] < end)
            & (rows["_verified"] < end)
        )
        path = lis_dir / f"LIS_EXPORT_{date:%Y%m%d}.csv"
        rows.loc[take, LIS_COLUMNS].to_csv(
            path, index=False, encoding="utf-8-sig", lineterminator="\r\n"
        )
        paths.append(path)
    return paths


def covered(rows: pd.DataFrame) -> np.ndarray:
    """True for rows that reach at least one pull (all should)."""
    hit = np.zeros(len(rows), bool)
    for date in pull_dates(rows):
        end = date + pd.Timedelta(days=1)
        hit |= (
            (rows["_collected"] >= end - pd.Timedelta(days=PULL_COVERS_DAYS))
            & (rows["_collected"] < end)
            & (rows["_verified"] < end)
        ).to_numpy()
    return hit
