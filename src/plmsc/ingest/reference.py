"""Reference limits of the safety laboratory tests: ANRLO, ANRHI from the LIS REF_RANGE.

The laboratory's paediatric reference intervals depend on age and sex, so each
LIS row's REF_RANGE is the source (docs/safety.md, "Safety laboratory values"):

- ``lo-hi``: ANRLO = lo, ANRHI = hi;
- ``<hi``: ANRHI = hi, no lower limit;
- ``>lo``: ANRLO = lo, no upper limit;
- empty: the test's default (config ``analysis.reference_ranges``, else
  :data:`DEFAULT_REFERENCE_RANGES`);
- anything else is an InputError naming the file, line and text.

Limits are given in the row's reported unit and converted to the analysis unit
with the row's conversion (:mod:`plmsc.ingest.units`). Only the safety tests are
read; other tests' REF_RANGE stays informational.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from plmsc.endpoints.toxicity import SAFETY_TESTS
from plmsc.ingest.errors import InputError

#: Default reference limits (analysis units: U/L, mg/dL, 10^9/L, g/dL) for rows
#: without a REF_RANGE: paediatric intervals of the trial laboratory (ages 6-17).
DEFAULT_REFERENCE_RANGES: dict[str, tuple[float | None, float | None]] = {
    "ALT": (7.0, 35.0),
    "AST": (10.0, 40.0),
    "CREAT": (0.3, 0.9),
    "WBC": (4.5, 13.5),
    "PLT": (150.0, 450.0),
    "HGB": (11.5, 15.5),
}
REFERENCE_COLUMNS = ["ANRLO", "ANRHI"]
REF_EXPECTED = "a reference interval 'lo-hi', '<hi' or '>lo' with '.' as decimal point, or empty"
_NUM = r"\d+(?:\.\d+)?"
_RANGE = re.compile(
    rf"^\s*(?:(?P<lo>{_NUM})\s*-\s*(?P<hi>{_NUM})|<\s*(?P<only_hi>{_NUM})|>\s*(?P<only_lo>{_NUM}))\s*$"
)


def parse_reference_ranges(text: pd.Series) -> pd.DataFrame:
    """lo, hi (floats, NaN when absent), empty (True for an empty text) and bad per text.

    Parsed once per distinct text (a categorical column: once per category). A missing
    text counts as empty. ``lo-hi`` with lo > hi is bad.
    """
    codes, uniques = _distinct(text)
    u = pd.Series(uniques, dtype="str")
    parts = u.str.extract(_RANGE)
    lo = pd.to_numeric(parts["lo"].fillna(parts["only_lo"])).to_numpy(dtype=float)
    hi = pd.to_numeric(parts["hi"].fillna(parts["only_hi"])).to_numpy(dtype=float)
    empty = (u.str.strip() == "").to_numpy()
    matched = parts.notna().any(axis=1).to_numpy()
    bad = (~matched & ~empty) | (lo > hi)
    return pd.DataFrame(
        {"lo": lo[codes], "hi": hi[codes], "empty": empty[codes], "bad": bad[codes]},
        index=text.index,
    )


def _distinct(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(code of every row, distinct texts): ``distinct[code]`` is the row's text, ``""``
    for a missing one. A categorical column reuses its codes (no text per row)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        # code -1 (missing) takes the last entry, the empty text
        categories = values.cat.categories.to_numpy(dtype=object)
        return values.cat.codes.to_numpy(), np.append(categories, "")
    codes, uniques = pd.factorize(values.astype(object).fillna(""), use_na_sentinel=False)
    return codes, np.asarray(uniques, dtype=object)


def _per_test(tests: pd.Series, limits: Mapping[str, float | None]) -> np.ndarray:
    """``limits[test]`` of every row (NaN where the test has none), looked up per distinct test."""
    codes, uniques = _distinct(tests)
    table = np.array([limits.get(str(t)) for t in uniques], dtype=float)
    return table[codes]


def reference_defaults(
    configured: Mapping[str, Sequence[float | None]] | None = None,
) -> dict[str, tuple[float | None, float | None]]:
    """:data:`DEFAULT_REFERENCE_RANGES` updated with the cohort's configured limits."""
    out = dict(DEFAULT_REFERENCE_RANGES)
    for test, (lo, hi) in (configured or {}).items():
        out[test] = (lo, hi)
    return out


def derive_var_anrlo_anrhi(
    work: pd.DataFrame,
    slope: np.ndarray,
    intercept: np.ndarray,
    files: Sequence[str],
    defaults: Mapping[str, tuple[float | None, float | None]] | None = None,
) -> pd.DataFrame:
    """ANRLO and ANRHI (analysis units) of every safety-test row; empty for other tests.

    ``work``: LIS rows with TEST_CODE, REF_RANGE, _file, SRCROW; ``slope`` and
    ``intercept``: each row's unit conversion (analysis = slope * reported +
    intercept). A malformed REF_RANGE of a safety test is an InputError.
    """
    defaults = defaults or DEFAULT_REFERENCE_RANGES
    safety = work["TEST_CODE"].isin(list(SAFETY_TESTS)).to_numpy(dtype=bool)
    parsed = parse_reference_ranges(work["REF_RANGE"])
    bad = parsed["bad"].to_numpy() & safety
    if bad.any():
        rows = work.loc[bad, ["_file", "SRCROW", "REF_RANGE"]].sort_values(["_file", "SRCROW"])
        row = rows.iloc[0]
        raise InputError(
            files[int(row["_file"])],
            "REF_RANGE",
            REF_EXPECTED,
            line=int(row["SRCROW"]),
            found=str(row["REF_RANGE"]),
        )
    lo = parsed["lo"].to_numpy() * slope + intercept
    hi = parsed["hi"].to_numpy() * slope + intercept
    empty = parsed["empty"].to_numpy()
    d_lo = _per_test(work["TEST_CODE"], {t: v[0] for t, v in defaults.items()})
    d_hi = _per_test(work["TEST_CODE"], {t: v[1] for t, v in defaults.items()})
    lo = np.where(empty, d_lo, lo)
    hi = np.where(empty, d_hi, hi)
    return pd.DataFrame(
        {"ANRLO": np.where(safety, lo, np.nan), "ANRHI": np.where(safety, hi, np.nan)},
        index=work.index,
    )
