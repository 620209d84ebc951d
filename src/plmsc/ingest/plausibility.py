"""Implausible values: entry or unit errors that stop ingestion (docs/conventions.md,
"Implausible values").

A laboratory value outside what the analyte can physically be (an HbA1c of 64 in a
``%`` row is an IFCC value typed into an NGSP row) is not a result: it stops the
step with an :class:`~plmsc.ingest.errors.InputError` naming the file, line,
column, the value, the limits and the likely cause, and how many rows in all are
outside their limits. The limits are per test and export unit
(:data:`plmsc.ingest.units.PLAUSIBLE_LIMITS`), overridable per cohort with the
config key ``plausibility.lab``. A value the study team confirms as wrong is
corrected with a data-management decision (:mod:`plmsc.ingest.decisions`), which is
applied before this check.

REDCap entries in the same spirit (beside the data dictionary's validation
ranges): a CTCAE grade outside 1-5 and a hypoglycaemia glucose above
``plausibility.hypo_glucose_max_mgdl`` (600 mg/dL by default). An adverse event
ending before it starts is checked in :func:`plmsc.ingest.clinical.check_plausibility`.

Every check is vectorised: limits are looked up once per distinct (test, unit)
pair; only the first offending row is described.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from plmsc.config import cohort_with_defaults
from plmsc.ingest.errors import InputError
from plmsc.ingest.redcap import RowLocator, as_number, column
from plmsc.ingest.units import PLAUSIBLE_LIMITS, UNIT_DESCRIPTIONS

Limits = dict[str, dict[str, tuple[float, float | None]]]
AE_GRADES = ("1", "2", "3", "4", "5")
HYPO_GLUCOSE_MAX_MGDL = 600.0


def compute_plausibility_limits(
    overrides: Mapping[str, Mapping[str, Sequence[float | None]]] | None = None,
) -> Limits:
    """The default limits of :data:`PLAUSIBLE_LIMITS` with a cohort's overrides applied.

    ``overrides`` is the config's ``plausibility.lab``: ``{TEST_CODE: {unit: [low,
    high]}}``, high ``None`` for no upper limit. A test or unit the table does not
    have is a ValueError (the config check names it first).
    """
    limits: Limits = {code: dict(units) for code, units in PLAUSIBLE_LIMITS.items()}
    for code, units in (overrides or {}).items():
        if code not in limits:
            raise ValueError(f"plausibility limits of unknown test {code!r}")
        for unit, (low, high) in units.items():
            if unit not in limits[code]:
                raise ValueError(f"plausibility limits of unknown unit {unit!r} of {code}")
            limits[code][unit] = (float(low if low is not None else -np.inf), high)
    return limits


def _number(x: float | None) -> str:
    return f"{x:g}"


def describe_limits(low: float, high: float | None, unit: str) -> str:
    """``3 to 20 %``, or ``0 or more IU/mL`` without an upper limit."""
    if high is None:
        return f"{_number(low)} {unit} or more"
    return f"{_number(low)} to {_number(high)} {unit}"


def compute_limit_arrays(
    codes: pd.Series, units: pd.Series, limits: Limits
) -> tuple[np.ndarray, np.ndarray]:
    """Low and high limit of every row (NaN where the (code, unit) pair has none).

    Looked up once per distinct code and unit (a small table indexed by the
    factorised codes), then spread back.
    """
    code_ids, code_values = pd.factorize(codes)
    unit_ids, unit_values = pd.factorize(units)
    code_values = np.asarray(code_values, dtype=object)
    unit_values = np.asarray(unit_values, dtype=object)
    low = np.full((len(code_values) + 1, len(unit_values) + 1), np.nan)
    high = np.full_like(low, np.nan)
    for i, code in enumerate(code_values):
        for j, unit in enumerate(unit_values):
            lim = limits.get(str(code), {}).get(str(unit))
            if lim is not None:
                low[i, j] = lim[0]
                high[i, j] = np.inf if lim[1] is None else lim[1]
    # factorize marks missing values -1: they land on the last (all-NaN) row/column
    return low[code_ids, unit_ids], high[code_ids, unit_ids]


def compute_implausible(
    values: pd.Series, codes: pd.Series, units: pd.Series, limits: Limits
) -> pd.Series:
    """True where a value lies outside the limits of its test and unit (limits inclusive).

    Missing values and pairs without limits are never implausible.
    """
    low, high = compute_limit_arrays(codes, units, limits)
    v = values.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        bad = (v < low) | (v > high)
    return pd.Series(bad, index=values.index)


def likely_cause(code: str, unit: str, value: float, limits: Limits) -> str:
    """Why a value may be outside its limits, from the other units of the same test.

    A value plausible in another unit of the test was probably typed in that unit
    (``an IFCC value (mmol/mol) in a % row?``, ``pmol/L typed as ng/mL?``); one
    plausible at a tenth or ten times its size has a misplaced decimal point.
    """
    causes = []
    for other, (low, high) in limits.get(code, {}).items():
        if other == unit:
            continue
        if low <= value <= (np.inf if high is None else high):
            desc = UNIT_DESCRIPTIONS.get(other)
            causes.append(f"{desc} in a {unit} row?" if desc else f"{other} typed as {unit}?")
    if causes:
        return " or ".join(causes)
    low, high = limits[code][unit]
    top = np.inf if high is None else high
    if any(low <= value * f <= top for f in (0.1, 10.0)):
        return "a misplaced decimal point?"
    return "a typing error, or a result of another test or patient?"


def check_lab_plausibility(
    work: pd.DataFrame,
    values: pd.Series,
    files: Sequence[str],
    limits: Limits,
) -> InputError | None:
    """InputError for the first LIS row (by pull, then line) whose value is implausible.

    ``work`` holds TEST_CODE, UNITS, RESULT, ``_file`` and SRCROW; ``values`` are the
    numbers of RESULT in the export unit (``<x`` and ``>x`` give x). The message
    names the value, the limits, the likely cause and the number of such rows.
    """
    bad = compute_implausible(values, work["TEST_CODE"], work["UNITS"], limits)
    n = int(bad.sum())
    if not n:
        return None
    rows = work.loc[bad.to_numpy(), ["_file", "SRCROW", "TEST_CODE", "UNITS", "RESULT"]]
    first = rows.sort_values(["_file", "SRCROW"]).index[0]
    row = work.loc[first]
    code, unit, value = str(row["TEST_CODE"]), str(row["UNITS"]), float(values[first])
    low, high = limits[code][unit]
    total = "this is the only row" if n == 1 else f"{n} rows in all are outside their limits"
    return InputError(
        files[int(row["_file"])],
        "RESULT",
        f"a plausible {code} result in {unit}: {describe_limits(low, high, unit)} "
        f"(plausibility limits; {total}). Likely cause: {likely_cause(code, unit, value, limits)} "
        "If the study team confirms a correction, record it as a data-management decision",
        line=int(row["SRCROW"]),
        found=str(row["RESULT"]),
    )


def check_redcap_entries(
    rc: pd.DataFrame, file: str, hypo_glucose_max: float = HYPO_GLUCOSE_MAX_MGDL
) -> None:
    """Entry errors of the adverse-event and hypoglycaemia forms; raise the first.

    - ``ae_grade`` not one of the CTCAE v5 grades 1-5;
    - ``hypo_glucose_mgdl`` above ``hypo_glucose_max`` mg/dL (config
      ``plausibility.hypo_glucose_max_mgdl``; a value in mmol/L is never that high,
      so the likely cause is a typing error), or not above 0.
    The error names record, event, instance, field, the value and what was expected.
    """
    loc = RowLocator(rc, file)
    grade = column(rc, "ae_grade").str.strip()
    loc.check((grade != "") & ~grade.isin(AE_GRADES), "ae_grade", "a CTCAE v5 grade 1 to 5")
    glucose = as_number(column(rc, "hypo_glucose_mgdl").str.strip())
    loc.check(
        (glucose > hypo_glucose_max).fillna(False),
        "hypo_glucose_mgdl",
        f"a glucose of at most {_number(hypo_glucose_max)} mg/dL "
        "(plausibility.hypo_glucose_max_mgdl; a typing error, an extra digit?)",
    )
    loc.check((glucose <= 0).fillna(False), "hypo_glucose_mgdl", "a glucose above 0 mg/dL")


def plausibility_config(cohort_cfg: Mapping[str, Any]) -> tuple[Limits, float]:
    """The cohort's lab limits and hypoglycaemia glucose maximum (config ``plausibility``)."""
    cfg = cohort_with_defaults(cohort_cfg)["plausibility"]
    limits = compute_plausibility_limits(cfg.get("lab"))
    return limits, float(cfg["hypo_glucose_max_mgdl"])
