"""Manuscript tables: baseline characteristics, endpoints by visit, safety.

Each table is a plain DataFrame of display strings (one row per table row), so the
same object is shown in the notebooks and published as CSV, HTML and LaTeX by
:mod:`plmsc.report.publish` (layout only: row groups, spanners, notes). Single-arm
cohorts show median (min–max) (n = 4); randomised cohorts show one column
group per arm once unblinded.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from plmsc.constants import BLINDED, HYPO_OVERALL_PERIOD
from plmsc.endpoints.registry import TABLE1, TABLE2, endpoint, select
from plmsc.report import safety_report
from plmsc.report.formatting import (
    MEDIAN_RANGE,
    format_median_iqr,
    format_median_range,
    format_n_of_total,
    format_n_pct,
    format_number,
    format_p,
    format_significant,
)

#: Label of the column group of all participants.
OVERALL = "Overall"

#: Endpoints of Table 2 (registry order; labels and decimals from the registry).
ENDPOINTS = select(table=TABLE2)
#: Yes/no endpoints: shown as n/N (%) instead of median and range.
BINARY_ENDPOINTS = frozenset(select(kind="binary"))

#: Table 1 rows from ADSL: column, label, decimals.
ADSL_CHARACTERISTICS: dict[str, tuple[str, int]] = {
    "AGE": ("Age (years)", 1),
    "DIABDUR": ("Diabetes duration at infusion (days)", 0),
    "HEIGHTBL": ("Height (cm)", 1),
    "WEIGHTBL": ("Weight (kg)", 1),
    "BMIBL": ("BMI (kg/m2)", 1),
}
#: Table 1 rows from the baseline (ABLFL = Y) endpoints of ADEFF.
BASELINE_ENDPOINTS = select(table=TABLE1)
CATEGORICAL = {"SEX": "Sex", "DKAONSET": "Diabetic ketoacidosis at onset"}
#: Labels of the codes of the categorical rows (ADSL stores codes).
CATEGORY_LABELS = {
    "SEX": {"F": "Female", "M": "Male"},
    "DKAONSET": {"Y": "Yes", "N": "No"},
}


def by_arm(adsl: pd.DataFrame, design: str) -> bool:
    """True when tables are split by ARM: a randomised, unblinded cohort with 2+ arms."""
    arms = set(adsl["ARM"].dropna())
    return design == "randomised" and len(arms) > 1 and BLINDED not in arms


def participant_groups(adsl: pd.DataFrame, design: str) -> dict[str, list[str]]:
    """Column groups of the tables: each arm then Overall (randomised), else one group.

    A single-arm or blinded cohort has one group named after its ARM value (e.g.
    PLMSC, BLINDED).
    """
    ids = sorted(adsl["USUBJID"])
    if not by_arm(adsl, design):
        arms = sorted(set(adsl["ARM"].dropna()))
        return {arms[0] if len(arms) == 1 else OVERALL: ids}
    groups = {str(arm): sorted(g["USUBJID"]) for arm, g in adsl.groupby("ARM", sort=True)}
    return groups | {OVERALL: ids}


def analysed(adeff: pd.DataFrame) -> pd.DataFrame:
    """Analysed rows (ANL01FL = Y) of scheduled visits."""
    keep = adeff["ANL01FL"].eq("Y").fillna(False) & (adeff["AVISIT"] != "UNSCHEDULED")
    return adeff[keep]


def table2_records(adeff: pd.DataFrame) -> pd.DataFrame:
    """Rows summarised by Table 2: the analysed rows of scheduled visits, except that
    the last scheduled visit before day 0 (Baseline) shows each participant's
    baseline record (ABLFL = Y, :func:`baseline_records`) for the parameters that
    have one, so that its medians are those of Table 1 even when the baseline value
    was taken on another day (e.g. on the infusion day)."""
    anl = analysed(adeff)
    base = baseline_records(adeff)
    pre = anl.loc[(anl["AVISITN"] < 0).fillna(False), ["AVISIT", "AVISITN"]].drop_duplicates()
    if base.empty or pre.empty:
        return anl
    visit, visitn = pre.sort_values("AVISITN").iloc[-1]
    keep = anl[~((anl["AVISIT"] == visit) & anl["PARAMCD"].isin(set(base["PARAMCD"])))]
    return pd.concat([keep, base.assign(AVISIT=visit, AVISITN=visitn)], ignore_index=True)


def _visit_order(frame: pd.DataFrame) -> list[str]:
    return list(frame.sort_values("AVISITN", kind="stable")["AVISIT"].drop_duplicates())


def endpoints_by_visit(
    adeff: pd.DataFrame, adsl: pd.DataFrame, design: str, params: Sequence[str] | None = None
) -> pd.DataFrame:
    """Table 2: each endpoint at each scheduled visit, n and median (min–max) per group.

    Analysed rows only (ANL01FL = Y; unscheduled values are listed in the data
    quality notebook), the baseline visit showing the baseline records
    (:func:`table2_records`). Yes/no endpoints show n/N (%) in remission instead;
    autoantibodies also get a row of positivity n/N (%) per visit.
    """
    params = list(params or ENDPOINTS)
    groups = participant_groups(adsl, design)
    anl = table2_records(adeff).reset_index(drop=True)
    member = _membership(anl, groups)
    rows = []
    for code in params:
        label, decimals = endpoint(code).table_label, endpoint(code).decimals
        d = anl[(anl["PARAMCD"] == code) & anl["AVAL"].notna()]
        for visit in _visit_order(d):
            v = d[d["AVISIT"] == visit]
            row = {"Endpoint": label, "Visit": visit}
            for name in groups:
                vals = v.loc[member[name].loc[v.index].to_numpy(), "AVAL"]
                prefix = "" if len(groups) == 1 else f"{name}: "
                row[f"{prefix}n"] = str(len(vals))
                if code in BINARY_ENDPOINTS:
                    summary = format_n_of_total(int((vals == 1).sum()), len(vals))
                else:
                    summary = format_median_range(vals, decimals)
                row[f"{prefix}{MEDIAN_RANGE}"] = summary
            rows.append(row)
        if endpoint(code).kind == "titre":
            rows += _positivity_rows(code, d, member)
    return pd.DataFrame(rows)


def _membership(frame: pd.DataFrame, groups: Mapping[str, Sequence[str]]) -> dict[str, pd.Series]:
    """Per group, whether each row of ``frame`` (unique index) belongs to one of its
    participants: one look-up per group, not one per endpoint, visit and group."""
    return {name: frame["USUBJID"].isin(ids) for name, ids in groups.items()}


def _positivity_rows(
    code: str, d: pd.DataFrame, member: Mapping[str, pd.Series]
) -> list[dict[str, str]]:
    """Rows ``<name> positive, n/N (%)`` per visit: CRIT1FL = Y among the assessed
    (``member``: the groups' row membership, :func:`_membership`)."""
    label = f"{endpoint(code).name} positive, n/N (%)"
    if "CRIT1FL" not in d.columns or d.empty:
        return []
    rows = []
    for visit in _visit_order(d):
        v = d[d["AVISIT"] == visit]
        row = {"Endpoint": label, "Visit": visit}
        for name in member:
            flags = v.loc[member[name].loc[v.index].to_numpy(), "CRIT1FL"]
            prefix = "" if len(member) == 1 else f"{name}: "
            row[f"{prefix}n"] = str(len(flags))
            row[f"{prefix}{MEDIAN_RANGE}"] = format_n_of_total(int(flags.eq("Y").sum()), len(flags))
        rows.append(row)
    return rows


def baseline_records(adeff: pd.DataFrame) -> pd.DataFrame:
    """The baseline record of each participant and parameter: ABLFL = Y (the last
    non-missing value on or before day 0). Table 1 and the Baseline rows of Table 2
    both read these, so the two tables give the same baseline."""
    return adeff[adeff["ABLFL"].eq("Y").fillna(False)]


def baseline_frame(adsl: pd.DataFrame, adeff: pd.DataFrame) -> pd.DataFrame:
    """One row per participant: ADSL characteristics and baseline endpoint values
    (:func:`baseline_records`); categorical codes as labels (Female/Male, Yes/No)."""
    base = baseline_records(adeff)
    base = base[base["PARAMCD"].isin(BASELINE_ENDPOINTS)]
    wide = base.pivot(index="USUBJID", columns="PARAMCD", values="AVAL")
    wide = wide.reindex(columns=[c for c in BASELINE_ENDPOINTS if c in wide.columns])
    cols = ["USUBJID", "ARM", *ADSL_CHARACTERISTICS, *CATEGORICAL]
    out = adsl[[c for c in cols if c in adsl.columns]].merge(
        wide.reset_index(), on="USUBJID", how="left"
    )
    for code, labels in CATEGORY_LABELS.items():
        if code in out:
            out[code] = out[code].map(lambda v, m=labels: m.get(v, v) if isinstance(v, str) else v)
    return out.sort_values("USUBJID", ignore_index=True)


def baseline_characteristics(adsl: pd.DataFrame, adeff: pd.DataFrame, design: str) -> pd.DataFrame:
    """Table 1 (tableone): by ARM for an unblinded randomised cohort, else overall.

    tableone lays the table out (rows, levels, n, missing counts); every cell is
    then written by the shared formatter from the same values, so Table 1 rounds
    like Table 2: continuous rows median (min–max) for a single-arm or blinded
    cohort (few participants) and median (Q1–Q3) by arm; categorical rows n (%) of
    the participants with a value, with labels instead of codes.
    """
    from tableone import TableOne

    data = baseline_frame(adsl, adeff)
    labels = {k: v[0] for k, v in ADSL_CHARACTERISTICS.items()}
    labels |= {code: f"Baseline {endpoint(code).label}" for code in BASELINE_ENDPOINTS}
    labels |= CATEGORICAL
    decimals = {k: v[1] for k, v in ADSL_CHARACTERISTICS.items()}
    decimals |= {code: endpoint(code).decimals for code in BASELINE_ENDPOINTS}
    continuous = [
        c
        for c in [*ADSL_CHARACTERISTICS, *BASELINE_ENDPOINTS]
        if c in data and data[c].notna().any()
    ]
    categorical = [c for c in CATEGORICAL if c in data]
    split = by_arm(adsl, design)
    with warnings.catch_warnings():
        # tableone 0.9.6 sets rows with partial MultiIndex keys (deprecated in pandas 3)
        warnings.filterwarnings("ignore", module="tableone")
        warnings.filterwarnings("ignore", message=".*full-length tuple key.*")
        table = TableOne(
            data,
            columns=[*continuous, *categorical],
            categorical=categorical,
            continuous=continuous,
            nonnormal=continuous,
            min_max=None if split else continuous,
            groupby="ARM" if split else None,
            rename={k: labels[k] for k in [*continuous, *categorical]},
            decimals={k: decimals[k] for k in continuous},
            missing=True,
            overall=True,
        )
    groups = {OVERALL: data}
    if split:
        groups |= {str(arm): g for arm, g in data.groupby("ARM", sort=True)}
    cells = {labels[c]: c for c in [*continuous, *categorical]}
    return format_table1(tidy_tableone(table.tableone), groups, cells, decimals, split)


def format_table1(
    tidy: pd.DataFrame,
    groups: Mapping[str, pd.DataFrame],
    codes: Mapping[str, str],
    decimals: Mapping[str, int],
    by_quartiles: bool,
) -> pd.DataFrame:
    """Rewrite every statistic of a tidied tableone with the shared formatter.

    ``codes`` maps a row label to its column of the group frames in ``groups``
    (column name -> participants). Continuous rows: ``median (min–max)``, or
    ``median (Q1–Q3)`` when ``by_quartiles``; categorical rows: ``n (%)`` of the
    participants with a value. The n row and the Missing column stay tableone's.
    """
    out = tidy.copy()
    for i in out.index:
        label, _, _ = str(out.at[i, "Characteristic"]).rpartition(", ")
        code = codes.get(label)
        if code is None:
            continue
        if code in decimals:
            stat = "median (Q1–Q3)" if by_quartiles else "median (min–max)"
            fmt = format_median_iqr if by_quartiles else format_median_range
            for col, frame in groups.items():
                if col in out.columns:
                    out.at[i, col] = fmt(frame[code], decimals[code])
        else:
            stat = "n (%)"
            level = out.at[i, "Level"]
            for col, frame in groups.items():
                if col in out.columns:
                    vals = frame[code].dropna()
                    out.at[i, col] = format_n_pct(int((vals == level).sum()), len(vals))
        out.at[i, "Characteristic"] = f"{label}, {stat}"
    return out


def tidy_tableone(frame: pd.DataFrame) -> pd.DataFrame:
    """Flatten tableone's MultiIndex into Characteristic, Level and one column per group."""
    out = frame.copy()
    out.columns = [c[-1] if isinstance(c, tuple) else str(c) for c in out.columns]
    out = out.reset_index()
    out.columns = ["Characteristic", "Level", *out.columns[2:]]
    out["Level"] = out["Level"].replace({"0": "", 0: ""})
    out = out.astype(str).replace({"nan": "", "None": "", "<NA>": ""})
    groups = [c for c in out.columns[2:] if c not in {"Missing", OVERALL}]
    cols = ["Characteristic", "Level", *groups, OVERALL, "Missing"]
    return out[[c for c in cols if c in out.columns]]


def safety_table(
    ae_overview: pd.DataFrame,
    ae_by_term: pd.DataFrame,
    hypo_rates: pd.DataFrame,
    lab_worst_grade: pd.DataFrame | None = None,
    infusion_summary: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Table 3: treatment-emergent adverse events (overview, by SOC and preferred term),
    hypoglycaemia, and when given, hypoglycaemia by period, safety labs and the infusion.

    Per arm (ARM of the safety tables, Total when there are several): participants
    with at least one event n/N (%), number of events, and for hypoglycaemia also
    events per participant-year of exposure (:mod:`plmsc.report.safety_report` for
    the period, laboratory and infusion sections).
    """
    arms = list(dict.fromkeys(ae_overview["ARM"]))
    multi = len(arms) > 1

    def cols(arm: str) -> tuple[str, str, str]:
        prefix = f"{arm}: " if multi else ""
        return (
            f"{prefix}Participants, n/N (%)",
            f"{prefix}Events",
            f"{prefix}Events per participant-year",
        )

    rows: list[dict[str, str]] = []

    def add(section: str, item: str, frame: pd.DataFrame, rate: bool = False) -> None:
        row = {"Section": section, "Item": item}
        for arm in arms:
            c_n, c_ev, c_rate = cols(arm)
            r = frame[frame["ARM"] == arm]
            if r.empty:
                n_arm = int(ae_overview.loc[ae_overview["ARM"] == arm, "N_ARM"].iloc[0])
                row |= {c_n: format_n_of_total(0, n_arm), c_ev: "0", c_rate: "0.00" if rate else ""}
                continue
            r = r.iloc[0]
            n_arm = int(r["N_ARM"] if "N_ARM" in r else r["N_PARTICIPANTS"])
            n_with = int(r["N_WITH_EVENT"] if "N_WITH_EVENT" in r else r["N_PARTICIPANTS"])
            row[c_n] = format_n_of_total(n_with, n_arm)
            row[c_ev] = str(int(r["N_EVENTS"]))
            row[c_rate] = format_number(float(r["RATE_PER_PY"]), 2) if rate else ""
        rows.append(row)

    for category in dict.fromkeys(ae_overview["CATEGORY"]):
        add("Adverse events", category, ae_overview[ae_overview["CATEGORY"] == category])
    terms = ae_by_term.fillna({"AEDECOD": ""})
    for (soc, pt), frame in terms.groupby(["AESOC", "AEDECOD"], sort=True):
        item = soc if pt == "" else f"    {pt}"
        add("By system organ class and preferred term", item, frame)
    overall = hypo_rates[hypo_rates["PERIOD"] == "Overall"]
    for level in ["Level 1", "Level 2", "Level 3", "Any level"]:
        add(
            f"Hypoglycaemia (ADA level), {HYPO_OVERALL_PERIOD}",
            level,
            overall[overall["LEVEL"] == level],
            rate=True,
        )
    if "PY" in hypo_rates.columns and lab_worst_grade is not None:
        rows += safety_report.hypoglycaemia_period_rows(hypo_rates, arms)
    if lab_worst_grade is not None:
        rows += safety_report.lab_rows(lab_worst_grade, arms)
    if infusion_summary is not None:
        rows += safety_report.infusion_rows(infusion_summary, arms)
    table = pd.DataFrame(rows).fillna("")
    rate_cols = [cols(a)[2] for a in arms]
    keep = [c for c in table.columns if c not in rate_cols or table[c].ne("").any()]
    return table[keep]


def hypoglycaemia_by_level(adhypo: pd.DataFrame) -> pd.DataFrame:
    """Hypoglycaemia events per participant by ADA level (entries without a level apart)."""
    ev = adhypo.assign(
        LEVEL=np.where(
            adhypo["LEVEL"].notna(),
            "Level " + adhypo["LEVEL"].astype("string"),
            "Not hypoglycaemia",
        )
    )
    out = ev.groupby(["USUBJID", "LEVEL"]).size().unstack(fill_value=0)
    return out.reset_index().rename_axis(columns=None)


def read_stats(path: str | Path) -> pd.DataFrame:
    """Read a stats table (text stays text; an empty cell is missing)."""
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def stats_table(path: str | Path, params: Sequence[str] | None = None) -> pd.DataFrame:
    """A stats table, restricted to the endpoints ``params`` when it has a PARAMCD column."""
    frame = read_stats(path)
    if params is not None and "PARAMCD" in frame.columns:
        frame = frame[frame["PARAMCD"].isin(list(params))]
    return frame.reset_index(drop=True)


#: Most rows a notebook table shows. A longer one (a listing of a cohort of thousands)
#: shows its first rows and says how many it has: a page of every adverse event of
#: 10,000 participants (19 MB) helps no reader and took nbconvert 19 s to render.
NOTEBOOK_MAX_ROWS = 200


def show(frame: pd.DataFrame, float_digits: int = 4, max_rows: int = NOTEBOOK_MAX_ROWS) -> Any:
    """``frame`` as an HTML table without its index, for notebooks (same bytes every run).

    Floats are written by the shared formatter with ``float_digits`` significant digits;
    p-value columns (:func:`is_p_column`, judged on the whole column) as p-values
    (``0.125``, ``<0.001``). Only the first ``max_rows`` rows are shown, followed by a
    line giving the number of rows, when the frame has more.
    """
    from IPython.display import HTML

    p_cols = {c: format_p for c in frame.columns if is_p_column(frame[c])}
    text = frame.head(max_rows).to_html(
        index=False,
        border=0,
        na_rep="",
        formatters=p_cols or None,
        float_format=lambda x: format_significant(x, float_digits),
    )
    if len(frame) > max_rows:
        text += (
            f"\n<p><em>First {max_rows:,} of {len(frame):,} rows shown; every row is in "
            "the cohort's CSV files.</em></p>"
        )
    return HTML(text)


def is_p_column(column: pd.Series) -> bool:
    """A numeric column of p-values: named P, P_<something> or ending in _P, values in [0, 1]."""
    name = str(column.name)
    named = name == "P" or name.startswith("P_") or name.endswith("_P")
    if not named or not pd.api.types.is_numeric_dtype(column):
        return False
    x = column.dropna()
    return bool(((x >= 0) & (x <= 1)).all())


def test_exclusions(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of a tests table that left participants out (N_EXCLUDED > 0): PARAMCD,
    TEST, N analysed and the USUBJIDs left out; empty when no test left anyone out."""
    cols = ["PARAMCD", "TEST", "N", "N_EXCLUDED", "EXCLUDED"]
    if "N_EXCLUDED" not in frame.columns:
        return pd.DataFrame(columns=cols)
    return frame.loc[frame["N_EXCLUDED"].fillna(0) > 0, cols].reset_index(drop=True)
