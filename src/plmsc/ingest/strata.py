"""SITE and STRATUM of ADSL: the REDCap data access group and the randomisation stratum.

* SITE: a multi-site REDCap project exports ``redcap_data_access_group`` (the
  participant's site) when the export is asked for it. Every row of a record must
  carry the same, non-empty group: anything else is an InputError naming the
  record. Empty for every participant when the export has no such column.
* STRATUM: ``randomisation.csv`` may carry a ``stratum`` column (an age group, a
  site, ...); a listed participant with an empty stratum is an InputError. Empty
  when the list has no such column, before unblinding and in single-arm cohorts.

Both enter the ANCOVA as covariates when present (ICH E9: adjust for the
stratification factors).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from plmsc.ingest.errors import InputError

DAG = "redcap_data_access_group"
STRATUM = "stratum"


def derive_var_site(adsl: pd.DataFrame, rc: pd.DataFrame, file: str) -> pd.DataFrame:
    """Add SITE from the export's data access group (empty without the column)."""
    out = adsl.copy()
    if DAG not in rc.columns:
        out["SITE"] = pd.Series(np.nan, index=out.index, dtype="str")
        return out
    groups = rc.groupby("record_id", sort=True)[DAG]
    several = groups.nunique() > 1
    empty = groups.apply(lambda g: bool((g == "").any()))
    bad = several | empty
    if bad.any():
        rec = bad.index[bad.to_numpy()][0]
        raise InputError(
            file,
            DAG,
            f"one non-empty data access group on every row of record {rec}",
            found=", ".join(sorted(set(rc.loc[rc["record_id"] == rec, DAG]))),
        )
    out["SITE"] = out["USUBJID"].map(groups.first()).astype("str")
    return out


def derive_var_stratum(adsl: pd.DataFrame, rand: pd.DataFrame | None, file: str) -> pd.DataFrame:
    """Add STRATUM from randomisation.csv's ``stratum`` column (empty without it)."""
    out = adsl.copy()
    if rand is None or STRATUM not in rand.columns:
        out["STRATUM"] = pd.Series(np.nan, index=out.index, dtype="str")
        return out
    blank = rand[STRATUM].str.strip() == ""
    if blank.any():
        raise InputError(
            file,
            STRATUM,
            "a stratum for every listed record",
            found=rand.loc[blank, "record_id"].iloc[0],
        )
    out["STRATUM"] = out["USUBJID"].map(rand.set_index("record_id")[STRATUM]).astype("str")
    return out
