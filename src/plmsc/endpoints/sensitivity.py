"""Sensitivity of the primary endpoints to the C-peptide conventions.

The conventions of analysis-conventions.md ("C-peptide from the 2-hour MMTT") each
have a default and options: below the limit of quantification (``blq``: half, limit,
zero), the start of the MMTT curve (``mmtt_start``: zero, mean_minus10_zero) and a
missing draw (``missing_draw``: missing, interpolate). A reviewer asks whether a
result depends on them. :func:`compute_sensitivity` re-derives ADEFF with
:func:`~plmsc.endpoints.adeff.derive_adeff` (the project's own derivation, nothing
copied) once per option of one convention at a time, the others kept as configured,
and summarises the primary endpoints of each variant side by side with the
configured one:

* CPAUC (C-peptide mean AUC 0-120 min, nmol/L) by visit: n, median, Q1, Q3;
* its change from baseline at the comparison visit (CHG, nmol/L): n, median, Q1, Q3;
* partial remission (REMISS, IDAA1c <= threshold) by visit: n assessed and n in
  remission.

Summaries are per arm for a randomised, unblinded cohort, plus all participants.
Quartiles are pandas' linear interpolation (type 7).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from plmsc.constants import BLINDED, UNSCHEDULED
from plmsc.endpoints.adeff import derive_adeff

#: Every option of each convention, the field's default first.
OPTIONS: dict[str, tuple[str, ...]] = {
    "blq": ("half", "limit", "zero"),
    "mmtt_start": ("zero", "mean_minus10_zero"),
    "missing_draw": ("missing", "interpolate"),
}
#: Label of the group of all participants.
ALL = "All participants"
COLUMNS = [
    "CONVENTION", "OPTION", "CONFIGURED", "GROUP", "MEASURE", "AVISIT", "AVISITN",
    "N", "MEDIAN", "Q1", "Q3", "N_YES",
]  # fmt: skip


def variants(analysis: Mapping[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(convention, option, analysis config) of every variant: one convention changed
    at a time, the configured variant once per convention (so each convention's block
    is complete on its own)."""
    out = []
    for key, options in OPTIONS.items():
        for option in options:
            out.append((key, option, {**analysis, key: option}))
    return out


def _groups(adsl: pd.DataFrame, design: str) -> dict[str, list[str]]:
    ids = sorted(adsl["USUBJID"])
    arms = set(adsl["ARM"].dropna().astype(str))
    if design != "randomised" or len(arms) < 2 or BLINDED in arms:
        return {ALL: ids}
    by_arm = {str(a): sorted(g["USUBJID"]) for a, g in adsl.groupby("ARM", sort=True)}
    return by_arm | {ALL: ids}


def _quantiles(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    """n, median, Q1 and Q3 of ``value`` per visit."""
    g = frame.groupby(["AVISITN", "AVISIT"], sort=True)[value]
    out = pd.DataFrame(
        {
            "N": g.count(),
            "MEDIAN": g.median(),
            "Q1": g.quantile(0.25),
            "Q3": g.quantile(0.75),
        }
    )
    return out.reset_index()


def compute_primary_summaries(
    adeff: pd.DataFrame, groups: Mapping[str, Sequence[str]], comparison_visit: str
) -> pd.DataFrame:
    """Summaries of one ADEFF: CPAUC by visit, CPAUC change at ``comparison_visit``
    and REMISS by visit, per group (analysed rows of scheduled visits only)."""
    anl = adeff[adeff["ANL01FL"].eq("Y").fillna(False) & (adeff["AVISIT"] != UNSCHEDULED)]
    cp = anl[(anl["PARAMCD"] == "CPAUC") & anl["AVAL"].notna()]
    chg = cp[(cp["AVISIT"] == comparison_visit) & cp["CHG"].notna()]
    rem = anl[(anl["PARAMCD"] == "REMISS") & anl["AVAL"].notna()]
    parts = []
    for name, members in groups.items():
        ids = pd.Index(members)
        r = rem[rem["USUBJID"].isin(ids)].assign(YES=lambda f: f["AVAL"].eq(1))
        counts = r.groupby(["AVISITN", "AVISIT"], sort=True).agg(
            N=("AVAL", "count"), N_YES=("YES", "sum")
        )
        parts += [
            _quantiles(cp[cp["USUBJID"].isin(ids)], "AVAL").assign(MEASURE="CPAUC", GROUP=name),
            _quantiles(chg[chg["USUBJID"].isin(ids)], "CHG").assign(
                MEASURE="CPAUC_CHG", GROUP=name
            ),
            counts.reset_index().assign(MEASURE="REMISS", GROUP=name),
        ]
    return pd.concat(parts, ignore_index=True)


def compute_sensitivity(
    adlb: pd.DataFrame,
    advs: pd.DataFrame,
    adsl: pd.DataFrame,
    analysis: Mapping[str, Any],
    design: str,
    comparison_visit: str = "Month 12",
) -> pd.DataFrame:
    """The primary endpoints under every option of every C-peptide convention.

    One row per convention, option, group, measure and visit with N, MEDIAN, Q1, Q3
    (CPAUC, CPAUC_CHG) or N and N_YES (REMISS). CONFIGURED = Y marks the option of the
    cohort's config. Each distinct configuration is derived once.
    """
    groups = _groups(adsl, design)
    cache: dict[tuple[str, ...], pd.DataFrame] = {}
    rows = []
    for key, option, config in variants(analysis):
        ident = tuple(str(config.get(k)) for k in OPTIONS)
        if ident not in cache:
            adeff = derive_adeff(adlb, advs, config)
            cache[ident] = compute_primary_summaries(adeff, groups, comparison_visit)
        configured = "Y" if str(analysis.get(key)) == option else "N"
        rows.append(cache[ident].assign(CONVENTION=key, OPTION=option, CONFIGURED=configured))
    out = pd.concat(rows, ignore_index=True)
    out["N_YES"] = out["N_YES"].astype("Int64")
    out["N"] = out["N"].astype("Int64")
    out["AVISITN"] = out["AVISITN"].astype("Int64")
    for col in ("MEDIAN", "Q1", "Q3"):
        out[col] = out[col].astype(float)
    group_order = {g: i for i, g in enumerate(groups)}
    measure_order = {"CPAUC": 0, "CPAUC_CHG": 1, "REMISS": 2}
    option_order = {(k, o): i for i, (k, o, _) in enumerate(variants(analysis))}
    out = out.assign(
        _g=out["GROUP"].map(group_order),
        _m=out["MEASURE"].map(measure_order),
        _o=[option_order[k] for k in zip(out["CONVENTION"], out["OPTION"], strict=True)],
    )
    out = out.sort_values(["_g", "_m", "AVISITN", "_o"], kind="stable")
    return out[COLUMNS].reset_index(drop=True)
