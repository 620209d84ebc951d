"""The one place where a number becomes text (tables, figure labels, notebooks) or a
rounded JSON number (numbers.json).

Rules (docs/reporting.md):

- Rounding is half away from zero on the *decimal* value of the number, i.e. the
  shortest representation Python prints for the float (``repr``): 0.125 -> 0.13,
  2.5 -> 3, -2.5 -> -3, and 1.005 -> 1.01 at 2 decimals although the binary float
  closest to 1.005 is 1.00499999999999989... (``round(1.005, 2)`` gives 1.0 and
  ``f"{1.005:.2f}"`` gives "1.00"; neither is used anywhere in the project).
- Fixed decimals: trailing zeros are kept (0.10, not 0.1); a rounded zero has no
  sign (-0.001 at 2 decimals is "0.00").
- A range is written ``lo–hi`` (en dash) when both ends are non-negative and
  ``lo to hi`` when one end is negative (``-3.0 to 2.0``), the same for ranges
  and confidence intervals.
- Median and range: ``median (lo–hi)``; counts: ``n (pct %)`` and ``n/N (pct %)``.
- p-values: three decimals, ``<0.001`` below 0.001.
- Censored results: ``≥ 4000`` above the upper limit of quantification
  (ULOQFL = Y, analysed as the limit), ``<0.05`` below the lower limit.
- Missing values are the empty string (tables) or None (JSON null).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

#: Separator of a range whose ends are both non-negative (en dash).
RANGE_DASH = "\u2013"
#: Separator of a range with a negative end.
RANGE_TO = " to "
#: Smallest p-value written as a number; below it ``<0.001``.
P_FLOOR = 0.001
#: Decimals of a p-value.
P_DECIMALS = 3
#: Decimals of a percentage in ``n (%)`` and ``n/N (%)``.
PCT_DECIMALS = 0
#: Column header of a median and range.
MEDIAN_RANGE = f"Median (min{RANGE_DASH}max)"
#: Column header of a median and interquartile range.
MEDIAN_IQR = f"Median (Q1{RANGE_DASH}Q3)"


def is_missing(value: Any) -> bool:
    """True for None, NaN, pandas NA/NaT."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def to_decimal(value: float | int | str | Decimal) -> Decimal:
    """The decimal a number prints as: a float through its shortest ``repr``."""
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, (int, np.integer)):
        d = Decimal(int(value))
    else:
        f = float(value)
        if not math.isfinite(f):
            raise ValueError(f"cannot round {value!r}: not a finite number")
        d = Decimal(repr(f))
    if not d.is_finite():
        raise ValueError(f"cannot round {value!r}: not a finite number")
    return d


def round_decimal(value: float | int | str | Decimal, decimals: int) -> Decimal:
    """``value`` rounded half away from zero to ``decimals`` decimals, as a Decimal.

    The float is read through its shortest decimal representation (``repr``), so
    the rounding is the one done by hand on the printed number:
    ``round_decimal(1.005, 2) == Decimal("1.01")``.
    """
    q = Decimal(1).scaleb(-decimals)
    out = to_decimal(value).quantize(q, rounding=ROUND_HALF_UP)
    return out.copy_abs() if out.is_zero() else out


def rounded(value: Any, decimals: int) -> float | None:
    """``value`` rounded half away from zero (see :func:`round_decimal`), as a float
    for JSON; None when missing. The float prints as the rounded decimal."""
    if is_missing(value):
        return None
    return float(round_decimal(value, decimals))


def format_number(value: Any, decimals: int) -> str:
    """``value`` with exactly ``decimals`` decimals, rounded half away from zero;
    empty when missing."""
    if is_missing(value):
        return ""
    return f"{round_decimal(value, decimals):f}"


def format_range(lo: Any, hi: Any, decimals: int) -> str:
    """``lo–hi`` (both non-negative) or ``lo to hi`` (a negative end)."""
    a, b = format_number(lo, decimals), format_number(hi, decimals)
    if not a or not b:
        return ""
    sep = RANGE_TO if a.startswith("-") or b.startswith("-") else RANGE_DASH
    return f"{a}{sep}{b}"


def quantile_decimal(values: Sequence[float] | pd.Series | np.ndarray, q: float) -> Decimal | None:
    """The ``q`` quantile of the non-missing values, computed in decimal arithmetic on
    the values as printed (their ``repr``); None when there is no value.

    Linear interpolation between order statistics (Hyndman & Fan type 7, the default
    of pandas, numpy and R; q = 0.5 is the median). Decimal arithmetic matters: the
    median of 0.566 and 0.617 is 0.5915, which rounds to 0.592, whereas the float
    (0.566 + 0.617) / 2 is 0.59149999999999991 and would round to 0.591.
    """
    x = np.sort(pd.Series(values, dtype=float).dropna().to_numpy(), kind="stable")
    if not len(x):
        return None
    if not np.isfinite(x).all():
        to_decimal(x[~np.isfinite(x)][0])  # raises: not a finite number
    # Floats sort as their shortest reprs do (each repr lies in its float's own
    # rounding interval), so only the two order statistics used become decimals; a
    # stable sort keeps -0.0 and 0.0 in input order, as sorting the decimals did.
    h = (len(x) - 1) * to_decimal(q)
    lo = int(h)
    frac = h - lo
    low = to_decimal(x[lo])
    if frac == 0 or lo + 1 >= len(x):
        return low
    return low + frac * (to_decimal(x[lo + 1]) - low)


def median_decimal(values: Sequence[float] | pd.Series | np.ndarray) -> Decimal | None:
    """Median of the non-missing values in decimal arithmetic (:func:`quantile_decimal`)."""
    return quantile_decimal(values, 0.5)


def format_median_range(values: Sequence[float] | pd.Series | np.ndarray, decimals: int) -> str:
    """Median and range of the non-missing values: ``median (min–max)``.

    The median is computed in decimal arithmetic (:func:`median_decimal`). One value
    gives ``v (v–v)``; no value gives the empty string.
    """
    x = pd.Series(values, dtype=float).dropna()
    if x.empty:
        return ""
    med = format_number(median_decimal(x), decimals)
    return f"{med} ({format_range(float(x.min()), float(x.max()), decimals)})"


def format_median_iqr(values: Sequence[float] | pd.Series | np.ndarray, decimals: int) -> str:
    """Median and interquartile range of the non-missing values: ``median (Q1–Q3)``.

    Quartiles by linear interpolation between order statistics (Hyndman & Fan type
    7, the default of pandas, numpy and R) in decimal arithmetic
    (:func:`quantile_decimal`). Empty when there is no value.
    """
    x = pd.Series(values, dtype=float).dropna()
    if x.empty:
        return ""
    q1, med, q3 = (quantile_decimal(x, q) for q in (0.25, 0.5, 0.75))
    return f"{format_number(med, decimals)} ({format_range(q1, q3, decimals)})"


def format_estimate_ci(est: Any, lo: Any, hi: Any, decimals: int) -> str:
    """An estimate with its confidence interval: ``est (lo to hi)`` / ``est (lo–hi)``."""
    e = format_number(est, decimals)
    if not e:
        return ""
    ci = format_range(lo, hi, decimals)
    return f"{e} ({ci})" if ci else e


def format_pct(n: int, total: int, decimals: int = PCT_DECIMALS) -> str:
    """``pct %`` of ``n`` out of ``total``; empty when ``total`` is 0."""
    if total == 0:
        return ""
    return f"{format_number(Decimal(100 * int(n)) / Decimal(int(total)), decimals)} %"


def format_n_pct(n: int, total: int, decimals: int = PCT_DECIMALS) -> str:
    """``n (pct %)``; ``0`` alone when ``total`` is 0."""
    pct = format_pct(n, total, decimals)
    return f"{int(n)} ({pct})" if pct else f"{int(n)}"


def format_n_of_total(n: int, total: int, decimals: int = PCT_DECIMALS) -> str:
    """``n/N (pct %)``; ``0/0`` without a percentage."""
    pct = format_pct(n, total, decimals)
    return f"{int(n)}/{int(total)} ({pct})" if pct else f"{int(n)}/{int(total)}"


def format_p(p: Any) -> str:
    """A p-value: three decimals (``0.125``), ``<0.001`` below 0.001; empty when missing."""
    if is_missing(p):
        return ""
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p-value {p!r} outside [0, 1]")
    if p < P_FLOOR:
        return f"<{format_number(P_FLOOR, P_DECIMALS)}"
    return format_number(p, P_DECIMALS)


def format_censored(value: Any, decimals: int, censored: str | None = None) -> str:
    """A listed result: ``≥ x`` when above the upper limit of quantification
    (``censored="above"``, e.g. ULOQFL = Y), ``<x`` below the lower limit
    (``censored="below"``), else the number."""
    text = format_number(value, decimals)
    if not text or censored in (None, ""):
        return text
    if censored == "above":
        return f"\u2265 {text}"
    if censored == "below":
        return f"<{text}"
    raise ValueError(f"censored must be 'above', 'below' or None, not {censored!r}")


def format_uloq(values: pd.Series, decimals: int, uloqfl: pd.Series | None = None) -> pd.Series:
    """Listed results of a column: ``≥ x`` where ULOQFL = Y, else the number."""
    text = values.map(lambda v: format_number(v, decimals))
    if uloqfl is None:
        return text
    above = uloqfl.eq("Y").fillna(False).to_numpy(dtype=bool) & text.ne("").to_numpy()
    return text.where(~above, "\u2265 " + text)


def format_significant(value: Any, digits: int = 4) -> str:
    """``value`` with ``digits`` significant digits (half away from zero), trailing
    zeros after the decimal point dropped: for raw numbers in notebook listings
    whose columns have no fixed decimals. Empty when missing."""
    if is_missing(value):
        return ""
    d = to_decimal(value)
    if d.is_zero():
        return "0"
    q = Decimal(1).scaleb(d.adjusted() - digits + 1)
    text = f"{d.quantize(q, rounding=ROUND_HALF_UP):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
