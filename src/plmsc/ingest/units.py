"""The tests the analysis uses, their analysis units and the unit conversions.

Table-driven: every (TEST_CODE, UNITS) pair seen in the exports maps to a linear
conversion ``analysis = slope * value + intercept`` into the test's analysis unit.
Factors from docs/conventions.md, section "Units":

- C-peptide: 1 ng/mL = 1000/3020.29 nmol/L (molar mass 3020.29 g/mol);
  1 nmol/L = 1000 pmol/L.
- HbA1c: NGSP % = 0.09148 * IFCC mmol/mol + 2.152 (NGSP/IFCC master equation).
- Glucose: mg/dL = mmol/L * 18.016 (molar mass 180.16 g/mol).
- Creatinine: mg/dL = umol/L / 88.42.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# plausibility limits: plain data in a module without pandas (read at start-up)
from plmsc.ingest.limits import PLAUSIBLE_LIMITS as PLAUSIBLE_LIMITS
from plmsc.ingest.limits import UNIT_DESCRIPTIONS as UNIT_DESCRIPTIONS

CPEP_NGML_TO_NMOLL = 1000 / 3020.29
HBA1C_IFCC_SLOPE = 0.09148
HBA1C_IFCC_INTERCEPT = 2.152
GLUCOSE_MMOLL_TO_MGDL = 18.016
CREATININE_UMOLL_PER_MGDL = 88.42


@dataclass(frozen=True)
class LabTest:
    """One LIS test used by the analysis (docs/raw-exports.md, "LIS export")."""

    code: str
    param: str
    unit: str
    conversions: dict[str, tuple[float, float]]  # export unit -> (slope, intercept)


def _identity(unit: str) -> dict[str, tuple[float, float]]:
    return {unit: (1.0, 0.0)}


LAB_TESTS: dict[str, LabTest] = {
    t.code: t
    for t in (
        LabTest(
            "CPEP",
            "C-peptide (nmol/L)",
            "nmol/L",
            {
                "nmol/L": (1.0, 0.0),
                "ng/mL": (CPEP_NGML_TO_NMOLL, 0.0),
                "pmol/L": (1 / 1000, 0.0),
            },
        ),
        LabTest(
            "GLU",
            "Glucose (mg/dL)",
            "mg/dL",
            {"mg/dL": (1.0, 0.0), "mmol/L": (GLUCOSE_MMOLL_TO_MGDL, 0.0)},
        ),
        LabTest(
            "HBA1C",
            "HbA1c (%)",
            "%",
            {"%": (1.0, 0.0), "mmol/mol": (HBA1C_IFCC_SLOPE, HBA1C_IFCC_INTERCEPT)},
        ),
        LabTest("GADA", "GAD65 autoantibody (IU/mL)", "IU/mL", _identity("IU/mL")),
        LabTest("ZNT8A", "ZnT8 autoantibody (U/mL)", "U/mL", _identity("U/mL")),
        LabTest("IA2A", "IA-2 autoantibody (U/mL)", "U/mL", _identity("U/mL")),
        LabTest("ALT", "Alanine aminotransferase (U/L)", "U/L", _identity("U/L")),
        LabTest("AST", "Aspartate aminotransferase (U/L)", "U/L", _identity("U/L")),
        LabTest(
            "CREAT",
            "Creatinine (mg/dL)",
            "mg/dL",
            {"mg/dL": (1.0, 0.0), "umol/L": (1 / CREATININE_UMOLL_PER_MGDL, 0.0)},
        ),
        LabTest("WBC", "White blood cells (10^9/L)", "10^9/L", _identity("10^9/L")),
        LabTest("PLT", "Platelets (10^9/L)", "10^9/L", _identity("10^9/L")),
        LabTest("HGB", "Haemoglobin (g/dL)", "g/dL", _identity("g/dL")),
    )
}


def allowed_units(code: str) -> list[str]:
    """The export units accepted for a test code, in table order."""
    return list(LAB_TESTS[code].conversions)


def _conversion_table() -> pd.DataFrame:
    rows = [
        (t.code, unit, slope, icpt)
        for t in LAB_TESTS.values()
        for unit, (slope, icpt) in t.conversions.items()
    ]
    return pd.DataFrame(rows, columns=["TEST_CODE", "UNITS", "slope", "intercept"])


CONVERSIONS = _conversion_table()


def conversion_factors(codes: pd.Series, units: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Slope and intercept for each (code, unit) pair; NaN where the pair is not in the table.

    Looked up once per distinct pair, then spread back with integer codes.
    """
    code_ids, code_values = pd.factorize(codes)
    unit_ids, unit_values = pd.factorize(units)
    pair = code_ids.astype(np.int64) * (len(unit_values) + 1) + unit_ids
    pair_ids, pairs = pd.factorize(pair)
    table = CONVERSIONS.set_index(["TEST_CODE", "UNITS"])
    wanted = pd.MultiIndex.from_arrays(
        [
            np.asarray(code_values, dtype=object)[pairs // (len(unit_values) + 1)],
            np.asarray(unit_values, dtype=object)[pairs % (len(unit_values) + 1)],
        ]
    )
    pos = table.index.get_indexer(wanted)
    slope = np.where(pos >= 0, table["slope"].to_numpy()[pos], np.nan)[pair_ids]
    icpt = np.where(pos >= 0, table["intercept"].to_numpy()[pos], np.nan)[pair_ids]
    return slope, icpt


def convert_units(values: pd.Series, codes: pd.Series, units: pd.Series) -> pd.Series:
    """Value in analysis units: ``slope * value + intercept`` (docs/conventions.md, Units).

    NaN where the value is missing or the (code, unit) pair is unknown; callers
    check units first with :func:`unknown_unit_mask`.
    """
    slope, icpt = conversion_factors(codes, units)
    return pd.Series(values.to_numpy(dtype=float) * slope + icpt, index=values.index)


def unknown_unit_mask(codes: pd.Series, units: pd.Series) -> pd.Series:
    """True where a known test's unit is not one of the units in the table."""
    slope, _ = conversion_factors(codes, units)
    return pd.Series(np.isnan(slope), index=codes.index)
