"""Independent, minimal reading of the raw exports for the simulator's tests.

Deliberately separate from plmsc.ingest: these tests check what the simulator
wrote with the plainest possible reading of the spec, so a bug shared by the
simulator and the ingestion step cannot hide.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

# Conversions of docs/conventions.md, written out again on purpose.
TO_ANALYSIS = {
    ("CPEP", "ng/mL"): lambda x: x * 1000 / 3020.29,
    ("CPEP", "pmol/L"): lambda x: x / 1000,
    ("CPEP", "nmol/L"): lambda x: x,
    ("GLU", "mg/dL"): lambda x: x,
    ("GLU", "mmol/L"): lambda x: x * 18.016,
    ("HBA1C", "%"): lambda x: x,
    ("HBA1C", "mmol/mol"): lambda x: 0.09148 * x + 2.152,
}


def read_lis(raw_dir: Path) -> pd.DataFrame:
    """All LIS pulls stacked, with the file name; text as exported."""
    frames = []
    for path in sorted((raw_dir / "lis").glob("LIS_EXPORT_*.csv")):
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        frames.append(df.assign(FILE=path.name))
    return pd.concat(frames, ignore_index=True)


def read_redcap(raw_dir: Path) -> pd.DataFrame:
    (path,) = sorted((raw_dir / "redcap").glob("*_DATA_*.csv"))
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def final_results(lis: pd.DataFrame) -> pd.DataFrame:
    """One row per result: latest release wins; cancelled results dropped."""
    d = lis.drop_duplicates(subset=[c for c in lis.columns if c != "FILE"]).copy()
    d["_v"] = pd.to_datetime(d["VERIFIED_AT"], format="%d/%m/%Y %H:%M")
    d = d.sort_values("_v").drop_duplicates(["ACCESSION", "TEST_CODE", "SAMPLE_LABEL"], keep="last")
    return d[d["STATUS"] != "X"]


def numeric(result: pd.Series) -> pd.Series:
    """Plain numbers, '<x' as x/2, '>x' as x, trailing flag letters stripped."""
    r = result.str.strip().str.replace(r"\s+[HL]{1,2}$", "", regex=True)
    half = r.str.startswith("<")
    val = pd.to_numeric(r.str.lstrip("<>"), errors="coerce")
    return val.where(~half, val / 2)


def analysis_values(raw_dir: Path) -> pd.DataFrame:
    """Trial participants' results in analysis units with study day and record_id."""
    lis = final_results(read_lis(raw_dir))
    rc = read_redcap(raw_dir)
    demo = rc.loc[rc["mrn"] != "", ["record_id", "mrn"]]
    inf = rc.loc[rc["infusion_date"] != "", ["record_id", "infusion_date"]]
    ids = demo.merge(inf, on="record_id")
    d = lis.merge(ids, left_on="MRN", right_on="mrn")
    d["day"] = (
        pd.to_datetime(d["COLLECTED"].str[:10], format="%d/%m/%Y")
        - pd.to_datetime(d["infusion_date"])
    ).dt.days
    d["value"] = numeric(d["RESULT"])
    for (code, unit), f in TO_ANALYSIS.items():
        m = (d["TEST_CODE"] == code) & (d["UNITS"] == unit)
        d.loc[m, "value"] = f(d.loc[m, "value"])
    d["minute"] = pd.to_numeric(
        d["SAMPLE_LABEL"].str.extract(r"(?i)mmtt\s*t?([+-]?\d+)", expand=False), errors="coerce"
    )
    return d


def nearest_month(day: pd.Series) -> pd.Series:
    """Study month of a day (0 for pre-infusion)."""
    return np.round(day.clip(lower=0) / 30.4).astype(int)
