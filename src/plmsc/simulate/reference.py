"""Paediatric reference intervals of the safety tests and the simulated values around them.

The trial laboratory reports each safety result with the reference interval of the
child's age (at collection) and sex, as paediatric laboratories do (intervals of
the order of the CALIPER cohort's). Simulated safety values stay inside the
child's interval, except a few planned transient grade 1 abnormalities (CTCAE
v5.0): one post-baseline value of one test in some participants, back to normal
at the next visit. No value reaches grade 2, so the phase 1 story (no serious
adverse event, no clinically significant laboratory abnormality) holds.

The planned abnormalities draw from their own generator (seeded from the
cohort's seed), so adding them leaves every other simulated value unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from plmsc.constants import DAYS_PER_YEAR

SAFETY = ("ALT", "AST", "CREAT", "WBC", "PLT", "HGB")
DECREASED = ("WBC", "PLT", "HGB")
#: (test, sex or "", age from, age to (years, [from, to)), lo, hi) in analysis units:
#: U/L, mg/dL, 10^9/L, g/dL.
PAEDIATRIC_RANGES: tuple[tuple[str, str, float, float, float, float], ...] = (
    ("ALT", "", 0, 13, 5.0, 30.0),
    ("ALT", "M", 13, 19, 5.0, 35.0),
    ("ALT", "F", 13, 19, 5.0, 30.0),
    ("AST", "", 0, 10, 15.0, 45.0),
    ("AST", "M", 10, 19, 14.0, 40.0),
    ("AST", "F", 10, 19, 13.0, 36.0),
    ("CREAT", "", 0, 10, 0.26, 0.61),
    ("CREAT", "", 10, 13, 0.32, 0.70),
    ("CREAT", "M", 13, 19, 0.45, 0.90),
    ("CREAT", "F", 13, 19, 0.42, 0.80),
    ("WBC", "", 0, 12, 4.5, 13.5),
    ("WBC", "", 12, 19, 4.5, 13.0),
    ("PLT", "", 0, 19, 150.0, 450.0),
    ("HGB", "", 0, 12, 11.5, 15.5),
    ("HGB", "M", 12, 19, 12.5, 16.0),
    ("HGB", "F", 12, 19, 12.0, 15.5),
)
#: Inside the interval: values are kept within these fractions of the limits.
MARGIN = 0.03
#: Share of participants with one planned transient grade 1 value (at least 2).
TRANSIENT_SHARE = 0.3
#: Grade 1 stays clear of grade 2: increased tests up to 1.6 x ULN (grade 2 > 3.0);
#: decreased ones down to these floors (grade 2 below 3.0, 75, 10.0).
GRADE1_FLOOR = {"WBC": 3.3, "PLT": 90.0, "HGB": 10.4}


def reference_limits(
    test: np.ndarray, age: np.ndarray, sex: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper reference limit (analysis units) per row; NaN for other tests."""
    lo = np.full(len(test), np.nan)
    hi = np.full(len(test), np.nan)
    for code, s, a0, a1, low, high in PAEDIATRIC_RANGES:
        m = (test == code) & (age >= a0) & (age < a1) & ((sex == s) if s else True)
        lo[m], hi[m] = low, high
    return lo, hi


def age_at(collected: pd.Series, dob: pd.Series) -> np.ndarray:
    """Age in years (DAYS_PER_YEAR days) at collection."""
    return ((collected.to_numpy() - dob.to_numpy()) / np.timedelta64(1, "D")) / DAYS_PER_YEAR


def keep_in_range(
    value: np.ndarray, test: np.ndarray, age: np.ndarray, sex: np.ndarray
) -> np.ndarray:
    """Values clipped into the child's interval, MARGIN inside each limit."""
    lo, hi = reference_limits(test, age, sex)
    inside = np.clip(value, lo * (1 + MARGIN), hi * (1 - MARGIN))
    return np.where(np.isnan(lo), value, inside)


def add_transient_abnormalities(
    results: pd.DataFrame, subjects: pd.DataFrame, visits: pd.DataFrame, seed: int
) -> pd.DataFrame:
    """One grade 1 value in some participants: a post-baseline scheduled safety draw
    other than the last, so the next draw is normal again (transient).

    Increased tests (ALT, AST): 1.15-1.6 x ULN; decreased (WBC, HGB): 0.85-0.95 x
    LLN, not below :data:`GRADE1_FLOOR`. ``results`` has subject, visit_row, test,
    collected and value (analysis units).
    """
    rng = np.random.default_rng([int(seed), 6])
    n = len(subjects)
    k = min(n, max(2, round(TRANSIENT_SHARE * n)))
    who = np.sort(rng.choice(n, size=k, replace=False))
    tests = np.array(["ALT", "WBC", "AST", "HGB"])[np.arange(k) % 4]
    day = visits["day"].reindex(results["visit_row"].to_numpy()).to_numpy()
    out = results.copy()
    for subject, test in zip(who, tests, strict=True):
        rows = (out["subject"] == subject) & (out["test"] == test) & (day > 0)
        candidates = out.index[rows.to_numpy()]
        if len(candidates) < 2:
            continue
        by_day = candidates[np.argsort(day[rows.to_numpy()], kind="stable")]
        pick = by_day[rng.integers(0, len(by_day) - 1)]  # never the last draw
        sex = subjects["sex"].to_numpy()[subject]
        age = age_at(out.loc[[pick], "collected"], subjects["dob"].iloc[[subject]])
        lo, hi = reference_limits(np.array([test]), age, np.array([sex]))
        if test in DECREASED:
            v = max(lo[0] * rng.uniform(0.85, 0.95), GRADE1_FLOOR[test])
        else:
            v = hi[0] * rng.uniform(1.15, 1.6)
        out.loc[pick, "value"] = v
    return out


def reference_text(lo: np.ndarray, hi: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    """REF_RANGE text ``lo-hi`` with the reported decimals of each row."""
    out = np.empty(len(lo), dtype=object)
    for d in np.unique(decimals):
        sel = decimals == d
        out[sel] = np.char.add(
            np.char.add(np.char.mod(f"%.{d}f", lo[sel]), "-"), np.char.mod(f"%.{d}f", hi[sel])
        )
    return out
