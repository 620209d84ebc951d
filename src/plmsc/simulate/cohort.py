"""Participants, visits and their latent physiology for the synthetic exports.

Every quantity is drawn from one seeded ``numpy.random.Generator`` in a fixed
order, over whole arrays (one element per participant or per visit), so that the
same seed gives the same cohort and 10,000 participants take no longer than
numpy does.

The physiology follows the published phase 1 course (Madani et al., J Diabetes
Metab Disord 2021) and the natural history of new-onset type 1 diabetes:

* C-peptide: fasting value ``c0 * exp(-k * day / 365)``; the MMTT curve rises
  from it by the participant's stimulation factor (peak at 60-90 min), so the mean
  AUC is about 2.3 x fasting and declines over the year.
* HbA1c: falls from the diagnosis value to a nadir with a 30-day time constant
  counted from diagnosis (``hn + (h0 - hn) * exp(-(day + diabdur) / 30)``) and
  drifts up after month 4.
* Insulin dose (U/kg/24 h): ``dn + (d0 - dn) * exp(-day / 10)`` plus a rise after
  month 5. "Remitters" reach a low dose and HbA1c, so that IDAA1c =
  HbA1c + 4 x dose is <= 9 from month 1 (Mortensen et al., Diabetes Care 2009).
* GADA and ZnT8A in treated participants fall to a nadir at month 3 and rise again
  (a piecewise-linear multiplier of the baseline titre).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from plmsc.constants import DAYS_PER_YEAR

SURNAMES = np.array(
    [
        "AHMADI", "KARIMI", "HOSSEINI", "MOHAMMADI", "REZAEI", "MORADI", "JAFARI",
        "RAHIMI", "SADEGHI", "HASHEMI", "TEHRANI", "NAJAFI", "KAZEMI", "GHASEMI",
        "SALEHI", "EBRAHIMI", "ZARE", "AZIZI", "SHARIFI", "BAGHERI", "FARAHANI",
        "MOUSAVI", "NOURI", "RAHMANI", "SOLTANI", "ASADI", "BAHRAMI", "YOUSEFI",
    ]
)  # fmt: skip
GIVEN_M = np.array(
    [
        "Ali", "Reza", "Amir", "Mehdi", "Hossein", "Arash", "Kian", "Sina",
        "Omid", "Parsa", "Dariush", "Babak", "Nima", "Armin", "Kaveh", "Soroush",
    ]
)  # fmt: skip
GIVEN_F = np.array(
    [
        "Sara", "Maryam", "Zahra", "Niloufar", "Shirin", "Leila", "Mina", "Parisa",
        "Yasaman", "Ava", "Nazanin", "Roya", "Setareh", "Hana", "Darya", "Elham",
    ]
)  # fmt: skip

#: GADA/ZnT8A multiplier of the baseline titre after MSC infusion (study day -> factor).
ANTIBODY_COURSE_MSC = (
    (0, 1.0),
    (30, 0.78),
    (60, 0.61),
    (90, 0.48),
    (180, 0.70),
    (270, 0.88),
    (365, 1.05),
)
#: The untreated course: a slow drift.
ANTIBODY_COURSE_CONTROL = ((0, 1.0), (90, 0.97), (180, 0.95), (365, 0.93))

MMTT_MINUTES = np.array([-10, 0, 15, 30, 60, 90, 120])
#: Rise of C-peptide above fasting at each MMTT minute (multiplied by the stimulation factor).
CPEP_RISE = np.array([0.0, 0.0, 0.5, 1.2, 1.8, 1.7, 1.4])
#: Rise of glucose above fasting at each MMTT minute.
GLU_RISE = np.array([0.0, 0.0, 0.32, 0.68, 0.86, 0.77, 0.59])


@dataclass(frozen=True)
class Cohort:
    """A simulated cohort: one row per participant and one per attended visit."""

    name: str
    subjects: pd.DataFrame
    visits: pd.DataFrame
    config: dict[str, Any]


def _course(days: np.ndarray, knots: tuple[tuple[int, float], ...]) -> np.ndarray:
    x, y = zip(*knots, strict=True)
    return np.interp(np.maximum(days, 0), x, y)


def _unique_mrns(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct 8-digit MRNs as text; about one in ten starts with a zero."""
    values = rng.choice(100_000_000, size=n, replace=False)
    return np.char.zfill(values.astype(str), 8)


def _with_leading_zero(mrn: np.ndarray) -> np.ndarray:
    """Make sure one MRN starts with 0, so that readers must keep MRNs as text."""
    if not any(m.startswith("0") for m in mrn):
        mrn = mrn.copy()
        mrn[0] = "0" + mrn[0][1:]
        if len(set(mrn)) < len(mrn):  # the zero-led number was taken: reverse its tail
            mrn[0] = "0" + mrn[0][:0:-1]
    return mrn


def _names(rng: np.random.Generator, sex: np.ndarray) -> np.ndarray:
    """``SURNAME, Given`` names drawn from the lists above."""
    surname = SURNAMES[rng.integers(len(SURNAMES), size=len(sex))]
    given = np.where(
        sex == "M",
        GIVEN_M[rng.integers(len(GIVEN_M), size=len(sex))],
        GIVEN_F[rng.integers(len(GIVEN_F), size=len(sex))],
    )
    return np.char.add(np.char.add(surname, ", "), given)


def _assign_arms(rng: np.random.Generator, cfg: dict[str, Any], n: int) -> np.ndarray:
    """ARM per participant: the cohort arm, or permuted blocks of the allocation ratio."""
    if cfg["design"] == "single_arm":
        return np.full(n, cfg["arm"])
    alloc = cfg["simulation"]["allocation"]
    block = np.repeat(np.array(sorted(alloc)), [alloc[a] for a in sorted(alloc)])
    n_blocks = -(-n // len(block))
    blocks = np.tile(block, (n_blocks, 1))
    blocks = rng.permuted(blocks, axis=1)
    return blocks.ravel()[:n]


#: Age (years) that splits the two age strata of a stratified randomisation.
STRATUM_AGE = 12


def _assign_stratified(
    rng: np.random.Generator, cfg: dict[str, Any], strata: np.ndarray
) -> np.ndarray:
    """Permuted blocks of the allocation ratio within each stratum (in stratum order)."""
    arm = np.empty(len(strata), dtype=object)
    for stratum in sorted(set(strata)):
        where = np.flatnonzero(strata == stratum)
        arm[where] = _assign_arms(rng, cfg, len(where))
    return arm.astype(str)


def make_subjects(cfg: dict[str, Any], rng: np.random.Generator) -> pd.DataFrame:
    """One row per participant: identifiers, baseline characteristics, latent parameters.

    ``simulation.sites`` (site names) gives each participant a site (the REDCap data
    access group); ``simulation.stratified`` randomises in permuted blocks within
    age strata (< 12, >= 12 years). Both are off by default and then draw nothing,
    so the default cohorts keep their numbers.
    """
    sim = cfg["simulation"]
    n = int(sim["n"])
    width = max(3, len(str(n)))
    record_id = np.char.add(
        f"{sim['id_prefix']}-", np.char.zfill(np.arange(1, n + 1).astype(str), width)
    )
    sites = list(sim.get("sites", []))
    stratified = bool(sim.get("stratified", False)) and cfg["design"] == "randomised"
    site = np.array(sites)[rng.integers(len(sites), size=n)] if sites else np.full(n, "")
    if stratified:
        age = rng.uniform(*sim["age_range"], size=n)
        stratum = np.where(age < STRATUM_AGE, f"AGE<{STRATUM_AGE}", f"AGE>={STRATUM_AGE}")
        arm = _assign_stratified(rng, cfg, stratum)
    else:
        stratum = np.full(n, "")
        arm = _assign_arms(rng, cfg, n)
    treated = arm != "PLACEBO"

    sex = np.where(rng.random(n) < 0.5, "M", "F")
    if not stratified:
        age = rng.uniform(*sim["age_range"], size=n)
    first = pd.Timestamp(sim["first_infusion"])
    infusion_offset = np.sort(rng.integers(0, sim["enrolment_days"] + 1, size=n))
    infusion = first + pd.to_timedelta(infusion_offset, unit="D")
    dob = infusion - pd.to_timedelta(np.round(age * DAYS_PER_YEAR), unit="D")
    diabdur = rng.integers(21, 57, size=n)
    diagnosis = infusion - pd.to_timedelta(diabdur, unit="D")

    # Who enters partial remission, who progresses fast. A single-arm cohort follows
    # the published phase 1: half remit from month 1, one in four progresses fast.
    order = rng.permutation(n)
    if cfg["design"] == "single_arm":
        remitter = np.zeros(n, bool)
        remitter[order[: n // 2]] = True
        rapid = np.zeros(n, bool)
        rapid[order[n // 2 : n // 2 + max(1, n // 4)]] = True
    else:
        remitter = rng.random(n) < np.where(treated, 0.5, 0.3)
        rapid = ~remitter & (rng.random(n) < 0.25)

    height = (128 + 6.0 * (age - 8)) * rng.normal(1, 0.04, n)
    weight = (26 + 4.6 * (age - 8)) * rng.normal(1, 0.10, n)
    c0 = np.where(rapid, rng.uniform(0.10, 0.13, n), rng.uniform(0.16, 0.34, n))
    c0 = np.where(remitter, c0 + 0.06, c0)
    k = np.where(rapid, rng.uniform(2.2, 2.5, n), rng.uniform(0.45, 0.85, n))
    k = np.where(treated, k, k * 1.35)

    return pd.DataFrame(
        {
            "record_id": record_id,
            "arm": arm,
            "site": site,
            "stratum": stratum,
            "treated": treated,
            "mrn": _with_leading_zero(_unique_mrns(rng, n)),
            "name": _names(rng, sex),
            "sex": sex,
            "dob": dob,
            "age": age,
            "infusion": infusion,
            "diagnosis": diagnosis,
            "diabdur": diabdur,
            "height_cm": height.round(1),
            "weight_kg": weight.round(1),
            "weight_gain": rng.uniform(1.5, 4.5, n),  # kg over the year
            "dka_at_onset": (rng.random(n) < 0.35).astype(int),
            "cells_per_kg": np.where(treated, 1_000_000, 0),
            "viability_pct": rng.uniform(88, 97, n).round(1),
            "remitter": remitter,
            "rapid": rapid,
            "c0": c0,  # fasting C-peptide at day 0, nmol/L
            "k": k,  # C-peptide decline per year (log scale)
            "stim": rng.uniform(0.85, 1.15, n),
            "g0": rng.uniform(115, 165, n),  # fasting glucose, mg/dL
            "h0": rng.uniform(9.6, 11.4, n),  # HbA1c at diagnosis, %
            "hn": np.where(remitter, rng.uniform(6.3, 6.7, n), rng.uniform(7.3, 7.8, n)),
            "hrise": rng.uniform(0.5, 0.9, n),
            "d0": rng.uniform(0.75, 0.95, n),  # insulin U/kg/24 h at infusion
            "dn": np.where(remitter, rng.uniform(0.20, 0.26, n), rng.uniform(0.65, 0.75, n)),
            "drise": np.where(remitter, rng.uniform(0.40, 0.50, n), rng.uniform(0.10, 0.25, n)),
            "gada0": np.exp(rng.uniform(np.log(60), np.log(700), n)),
            "znt0": np.exp(rng.uniform(np.log(50), np.log(500), n)),
            "ia2a0": np.where(
                rng.random(n) < 0.3,
                rng.uniform(0.3, 4.0, n),
                np.exp(rng.uniform(np.log(20), np.log(2500), n)),
            ),
            "ia2a_drift": rng.uniform(0.9, 1.4, n),
        }
    )


def make_visits(
    cfg: dict[str, Any], subjects: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """One row per participant and attended visit, with the visit's study day and date.

    A visit happens at its target day plus a jitter of up to a quarter of its window
    (at most 3 days); the infusion visit is day 0. In cohorts larger than 20, 3 % of
    follow-up visits are missed. With ``simulation.dropout`` = p, a share p of the
    participants drop out: they miss every visit from a random follow-up visit on.
    """
    schedule = pd.DataFrame(cfg["schedule"]).sort_values("day", ignore_index=True)
    n, v = len(subjects), len(schedule)
    lo = schedule["window"].str[0].to_numpy()
    hi = schedule["window"].str[1].to_numpy()
    half = np.minimum(3, (hi - lo) // 4)
    jitter = rng.integers(-half, half + 1, size=(n, v))
    day = np.clip(schedule["day"].to_numpy() + jitter, lo, hi)
    attended = np.ones((n, v), bool)
    if n > 20:
        attended = rng.random((n, v)) > 0.03
    attended[:, schedule["day"].to_numpy() <= 0] = True
    dropout = float(cfg["simulation"].get("dropout", 0))
    if dropout > 0:
        # a participant who drops out misses every visit from a random follow-up visit on
        follow = np.flatnonzero(schedule["day"].to_numpy() > 0)
        leaves = rng.random(n) < dropout
        first_missed = follow[rng.integers(len(follow), size=n)]
        attended &= ~(leaves[:, None] & (np.arange(v)[None, :] >= first_missed[:, None]))

    visits = pd.DataFrame(
        {
            "subject": np.repeat(np.arange(n), v),
            "vnum": np.tile(np.arange(v), n),
            "visit": np.tile(schedule["visit"].to_numpy(), n),
            "event": np.tile(schedule["event"].to_numpy(), n),
            "day": day.ravel(),
        }
    )[attended.ravel()].reset_index(drop=True)
    visits["date"] = subjects["infusion"].to_numpy()[visits["subject"]] + pd.to_timedelta(
        visits["day"], unit="D"
    )
    # Morning visits: the first draw between 07:30 and 09:00.
    visits["start"] = visits["date"] + pd.to_timedelta(
        450 + rng.integers(0, 91, len(visits)), unit="min"
    )
    return visits


def fasting_cpeptide(s: pd.DataFrame, day: np.ndarray) -> np.ndarray:
    """Fasting C-peptide (nmol/L) on ``day``: ``c0 * exp(-k * day / 365)``."""
    return s["c0"].to_numpy() * np.exp(-s["k"].to_numpy() * np.maximum(day, 0) / 365)


def hba1c(s: pd.DataFrame, day: np.ndarray) -> np.ndarray:
    """HbA1c (%) on ``day``: ``hn + (h0 - hn) exp(-(day + diabdur)/30)``, rising after day 120."""
    since_diagnosis = day + s["diabdur"].to_numpy()
    h0, hn, rise = (s[c].to_numpy() for c in ("h0", "hn", "hrise"))
    return hn + (h0 - hn) * np.exp(-since_diagnosis / 30) + rise * np.clip(day - 120, 0, None) / 245


def insulin_dose(s: pd.DataFrame, day: np.ndarray) -> np.ndarray:
    """Insulin dose (U/kg/24 h): ``dn + (d0 - dn) exp(-day/10)``, rising after day 150."""
    t = np.maximum(day, 0)
    d0, dn, rise = (s[c].to_numpy() for c in ("d0", "dn", "drise"))
    return dn + (d0 - dn) * np.exp(-t / 10) + rise * np.clip(t - 150, 0, None) / 215


def body_weight(s: pd.DataFrame, day: np.ndarray) -> np.ndarray:
    """Weight (kg) on ``day``: the baseline weight plus a linear gain over the year."""
    return s["weight_kg"].to_numpy() + s["weight_gain"].to_numpy() * np.clip(day, 0, 365) / 365


def antibody_factor(s: pd.DataFrame, day: np.ndarray) -> np.ndarray:
    """GADA/ZnT8A multiplier of the baseline titre: nadir at month 3 after MSCs."""
    treated = s["treated"].to_numpy()
    return np.where(
        treated,
        _course(day, ANTIBODY_COURSE_MSC),
        _course(day, ANTIBODY_COURSE_CONTROL),
    )


def generators(seed: int, parts: int) -> list[np.random.Generator]:
    """Independent generators for the parts of the simulation, all from one seed.

    Each part (participants, lab results, eCRF) draws from its own stream, so that
    a change in one part leaves the others' numbers as they were.
    """
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(parts)]


def simulate_cohort_tables(name: str, cfg: dict[str, Any], rng: np.random.Generator) -> Cohort:
    """Draw participants and visits for cohort ``name``."""
    subjects = make_subjects(cfg, rng)
    visits = make_visits(cfg, subjects, rng)
    return Cohort(name=name, subjects=subjects, visits=visits, config=cfg)
