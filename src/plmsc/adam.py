"""Reading the analysis datasets back with their types.

Later steps read only the CSVs under ``results/<cohort>/adam/`` (analysis-datasets.md).
Every column is read as text and the known numeric columns are converted, so an
empty cell is a missing value and codes such as USUBJID stay text.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

#: Integer columns (nullable) of the BDS and OCCDS datasets.
INTEGER_COLUMNS = {
    "ADY", "ATPTN", "AVISITN", "SRCROW", "DIABDUR", "ASTDY", "AENDY", "AETOXGR", "AESEQ",
    "AREL", "AEOUT", "LEVEL", "HYPOSEQ", "ADURN", "TRTSDY", "EXPENDY", "EXPDURD", "ATOXGR",
    "BTOXGR",
}  # fmt: skip
#: Floating-point columns.
FLOAT_COLUMNS = {
    "AVAL", "BASE", "CHG", "PCHG", "R2BASE", "LR2BASE", "LLOQ", "AGE", "HEIGHTBL", "WEIGHTBL",
    "BMIBL", "DOSE", "VIABPCT", "GLUC", "EXPDURY", "ANRLO", "ANRHI",
}  # fmt: skip


def read_adam(path: str | Path) -> pd.DataFrame:
    """Read an analysis dataset CSV: text columns as ``str``, numbers as numbers."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    for col in df.columns:
        if col in INTEGER_COLUMNS:
            df[col] = pd.to_numeric(df[col]).astype("Int64")
        elif col in FLOAT_COLUMNS:
            df[col] = pd.to_numeric(df[col]).astype(float)
    return df
