"""CTCAE v5.0 grades of the safety laboratory values, and their summaries.

Source: Common Terminology Criteria for Adverse Events (CTCAE) v5.0, NCI, 27 Nov
2017 (terms "Alanine aminotransferase increased", "Aspartate aminotransferase
increased", "Creatinine increased", "Anemia", "Platelet count decreased", "White
blood cell decreased"). The criteria are one declarative table,
:data:`CTCAE_CRITERIA`: a value meets a criterion when ``value <op> factor x
basis``; its grade (ATOXGR) is the highest grade of the criteria it meets, 0 when
it meets none (not abnormal by the criterion). Boundaries exactly as written:
"> 3.0 x ULN" is strictly above, so exactly 3.0 x ULN is grade 1; "< 10.0 g/dL" is
strictly below, so exactly 10.0 g/dL is grade 1.

Bases: ULN = ANRHI, LLN = ANRLO of the row, BASE = the participant's baseline
value of the test (ABLFL = Y), ABS = an absolute value in the analysis unit
(factor). Conditions (``when``):

- ``always``;
- ``post``: post-baseline rows (ADY > 0) with a baseline value (creatinine's
  "x baseline" criteria; when both creatinine criteria apply the higher grade wins);
- ``base_abnormal``: post-baseline rows whose baseline was above the ULN (BNRIND =
  HIGH): ALT and AST are graded against the baseline value;
- ``base_normal``: every other row: ALT and AST graded against the ULN.

A value without the limit a criterion needs (no ULN for a ``>lo`` range) does not
meet it. Vectorised: one boolean array per criterion, never per row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from plmsc.ingest.rowkeys import row_identity, text_from_codes

TERMS = {
    "ALT": "Alanine aminotransferase increased",
    "AST": "Aspartate aminotransferase increased",
    "CREAT": "Creatinine increased",
    "HGB": "Anemia",
    "PLT": "Platelet count decreased",
    "WBC": "White blood cell decreased",
}
#: The safety laboratory tests (CTCAE-graded).
SAFETY_TESTS = tuple(TERMS)
GRADES = (0, 1, 2, 3, 4)
MISSING = "Missing"
#: Values and limits are compared rounded to this many decimals (float noise only).
DECIMALS = 9


@dataclass(frozen=True)
class Criterion:
    """One CTCAE criterion: ``value <op> factor x basis`` gives ``grade`` (``when`` holds)."""

    paramcd: str
    grade: int
    op: str  # ">", ">=", "<"
    factor: float
    basis: str  # "ULN", "LLN", "BASE", "ABS"
    when: str = "always"  # "always", "post", "base_normal", "base_abnormal"


def _increased(code: str, factors: tuple[float, ...], basis: str, when: str) -> list[Criterion]:
    return [Criterion(code, g, ">", f, basis, when) for g, f in enumerate(factors, start=1)]


def _decreased(code: str, absolute: tuple[float, ...]) -> list[Criterion]:
    return [Criterion(code, 1, "<", 1.0, "LLN")] + [
        Criterion(code, g, "<", a, "ABS") for g, a in enumerate(absolute, start=2)
    ]


#: CTCAE v5.0 criteria (units of the analysis: U/L, mg/dL, g/dL, 10^9/L).
CTCAE_CRITERIA: tuple[Criterion, ...] = (
    # ALT, AST: > ULN - 3.0 x ULN (1); > 3.0 - 5.0 (2); > 5.0 - 20.0 (3); > 20.0 x ULN (4)
    # if baseline normal; if baseline abnormal 1.5 - 3.0 x baseline (1), > 3.0 - 5.0 (2), ...
    *[
        c
        for code in ("ALT", "AST")
        for c in (
            *_increased(code, (1.0, 3.0, 5.0, 20.0), "ULN", "base_normal"),
            Criterion(code, 1, ">=", 1.5, "BASE", "base_abnormal"),
            *_increased(code, (1.0, 3.0, 5.0, 20.0), "BASE", "base_abnormal")[1:],
        )
    ],
    # Creatinine: > ULN - 1.5 x ULN (1); > 1.5 - 3.0 x baseline or x ULN (2);
    # > 3.0 x baseline or > 3.0 - 6.0 x ULN (3); > 6.0 x ULN (4)
    *_increased("CREAT", (1.0, 1.5, 3.0, 6.0), "ULN", "always"),
    Criterion("CREAT", 2, ">", 1.5, "BASE", "post"),
    Criterion("CREAT", 3, ">", 3.0, "BASE", "post"),
    # Anaemia: < LLN - 10.0 g/dL (1); < 10.0 - 8.0 (2); < 8.0 (3); grade 4 is clinical
    *_decreased("HGB", (10.0, 8.0)),
    # Platelets: < LLN - 75.0 (1); < 75.0 - 50.0 (2); < 50.0 - 25.0 (3); < 25.0 x 10^9/L (4)
    *_decreased("PLT", (75.0, 50.0, 25.0)),
    # White blood cells: < LLN - 3.0 (1); < 3.0 - 2.0 (2); < 2.0 - 1.0 (3); < 1.0 x 10^9/L (4)
    *_decreased("WBC", (3.0, 2.0, 1.0)),
)


def criteria_table() -> pd.DataFrame:
    """:data:`CTCAE_CRITERIA` as a frame (PARAMCD, ATOXDSC, GRADE, OP, FACTOR, BASIS, WHEN)."""
    return pd.DataFrame(
        [
            (c.paramcd, TERMS[c.paramcd], c.grade, c.op, c.factor, c.basis, c.when)
            for c in CTCAE_CRITERIA
        ],
        columns=["PARAMCD", "ATOXDSC", "GRADE", "OP", "FACTOR", "BASIS", "WHEN"],
    )


def _num(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s).astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def baseline_rows(adlb: pd.DataFrame) -> np.ndarray:
    """Position of each row's baseline row (ABLFL = Y, the first one of its USUBJID,
    PARAMCD), -1 for a row whose participant and test have none."""
    # one integer per (USUBJID, PARAMCD): a lookup, no string merge of every row
    gid = row_identity(adlb, ["USUBJID", "PARAMCD"])
    base = np.flatnonzero((adlb["ABLFL"] == "Y").fillna(False).to_numpy(dtype=bool))
    if len(gid) and gid.min() >= 0 and gid.max() < 4 * len(gid) + 2**16:
        # ids of categorical columns are small: a lookup table, no hashing
        table = np.full(int(gid.max()) + 1, -1, dtype=np.int64)
        ids, first = np.unique(gid[base], return_index=True)  # first baseline row of an id
        table[ids] = base[first]
        return table[gid]
    base = base[~pd.Series(gid[base]).duplicated().to_numpy()]
    found = pd.Index(gid[base]).get_indexer(gid)  # -1 (none) takes the appended -1
    return np.append(base, -1)[found]


def compute_baseline(adlb: pd.DataFrame, column: str = "AVAL") -> pd.Series:
    """The baseline row's ``column`` (ABLFL = Y) spread over every row of its USUBJID, PARAMCD."""
    pos = baseline_rows(adlb)
    values = pd.Series(adlb[column].to_numpy()).reindex(pos)  # -1: no such row, missing
    return pd.Series(values.to_numpy(), index=adlb.index)


#: ANRIND values by code (codes of :func:`derive_var_anrind`; -1: empty).
NRIND = ["LOW", "HIGH", "NORMAL"]


def derive_var_anrind(adlb: pd.DataFrame) -> pd.DataFrame:
    """ANRIND (LOW: AVAL < ANRLO; HIGH: AVAL > ANRHI; NORMAL otherwise) of the safety tests
    and BNRIND (the baseline row's ANRIND); empty for other tests or a missing AVAL."""
    aval, lo, hi = _num(adlb["AVAL"]), _num(adlb["ANRLO"]), _num(adlb["ANRHI"])
    safety = adlb["PARAMCD"].isin(SAFETY_TESTS).to_numpy() & ~np.isnan(aval)
    ind = np.where(safety, np.select([aval < lo, aval > hi], [0, 1], 2), -1)
    pos = baseline_rows(adlb)
    out = adlb.copy(deep=False)  # new columns only: the input is left alone
    out["ANRIND"] = text_from_codes(ind, NRIND)
    out["BNRIND"] = text_from_codes(np.where(pos >= 0, ind[pos], -1), NRIND)
    return out


def derive_var_atoxgr(adlb: pd.DataFrame) -> pd.DataFrame:
    """ATOXGR (CTCAE v5.0 grade 0-4) and ATOXDSC (the CTCAE term) of the safety tests.

    Needs AVAL, ANRLO, ANRHI, ADY, ABLFL and BNRIND (:func:`derive_var_anrind`).
    Empty for other tests and missing values.
    """
    code_ids, code_values = pd.factorize(adlb["PARAMCD"])
    rows_of = {str(v): np.flatnonzero(code_ids == i) for i, v in enumerate(code_values)}
    aval = _num(adlb["AVAL"])
    post = (_num(adlb["ADY"]) > 0) & (adlb["ABLFL"] != "Y").to_numpy()
    base = _num(compute_baseline(adlb))
    abnormal = post & (adlb["BNRIND"] == "HIGH").fillna(False).to_numpy(dtype=bool)
    basis = {"ULN": _num(adlb["ANRHI"]), "LLN": _num(adlb["ANRLO"]), "BASE": base}
    when = {
        "always": np.ones(len(adlb), dtype=bool),
        "post": post & ~np.isnan(base),
        "base_normal": ~abnormal,
        "base_abnormal": abnormal,
    }
    grade = np.zeros(len(adlb), dtype=np.int64)
    # compared at 9 decimals: 3.0 x 0.9 must equal 2.7 exactly (float noise)
    v_all = np.round(aval, DECIMALS)
    with np.errstate(invalid="ignore"):
        for c in CTCAE_CRITERIA:
            rows = rows_of.get(c.paramcd, np.empty(0, dtype=np.int64))
            if not len(rows):
                continue
            limit = c.factor * basis[c.basis][rows] if c.basis != "ABS" else c.factor
            v, lim = v_all[rows], np.round(limit, DECIMALS)
            value_meets = {">": v > lim, ">=": v >= lim, "<": v < lim}[c.op]
            meets = rows[when[c.when][rows] & value_meets]
            grade[meets] = np.maximum(grade[meets], c.grade)
    # the CTCAE term of each row's test (code -1 for a test without one, or no PARAMCD)
    term_of = [SAFETY_TESTS.index(str(v)) if str(v) in TERMS else -1 for v in code_values]
    term = np.append(np.asarray(term_of, dtype=np.int64), -1)[code_ids]
    graded = (term >= 0) & ~np.isnan(aval)
    out = adlb.copy(deep=False)  # new columns only: the input is left alone
    out["ATOXGR"] = pd.array(np.where(graded, grade, np.nan), dtype="Float64").astype("Int64")
    out["ATOXDSC"] = text_from_codes(np.where(graded, term, -1), [TERMS[t] for t in SAFETY_TESTS])
    return out


def derive_lab_toxicity(adlb: pd.DataFrame) -> pd.DataFrame:
    """adlb with ANRIND, BNRIND, ATOXGR and ATOXDSC (the columns of this module)."""
    return derive_var_atoxgr(derive_var_anrind(adlb))


# --- summaries ----------------------------------------------------------------------


def _safety_rows(adlb: pd.DataFrame) -> pd.DataFrame:
    rows = adlb[adlb["PARAMCD"].astype(str).isin(list(TERMS)) & adlb["ATOXGR"].notna()]
    return rows.astype({"USUBJID": str, "PARAMCD": str})


def compute_worst_grades(adlb: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    """Per safety-population participant and test: BTOXGR (baseline grade) and WORSTGR
    (worst post-baseline grade, ADY > 0), each empty when there is no such value.

    Columns USUBJID, ARM, PARAMCD, BTOXGR, WORSTGR; every participant x test.
    """
    pop = adsl[adsl["SAFFL"] == "Y"] if "SAFFL" in adsl.columns else adsl
    rows = _safety_rows(adlb)
    post = rows[(_num(rows["ADY"]) > 0) & (rows["ABLFL"] != "Y").to_numpy()]
    worst = post.groupby(["USUBJID", "PARAMCD"])["ATOXGR"].max()
    base = rows[rows["ABLFL"] == "Y"].drop_duplicates(["USUBJID", "PARAMCD"])
    base = base.set_index(["USUBJID", "PARAMCD"])["ATOXGR"]
    grid = pop[["USUBJID", "ARM"]].merge(pd.DataFrame({"PARAMCD": list(TERMS)}), how="cross")
    idx = pd.MultiIndex.from_frame(grid[["USUBJID", "PARAMCD"]])
    grid["BTOXGR"] = base.reindex(idx).to_numpy()
    grid["WORSTGR"] = worst.reindex(idx).to_numpy()
    return grid.astype({"BTOXGR": "Int64", "WORSTGR": "Int64"})


def _arms_of(frame: pd.DataFrame) -> pd.DataFrame:
    if frame["ARM"].nunique() > 1:
        return pd.concat([frame, frame.assign(ARM="Total")], ignore_index=True)
    return frame


def _grade_label(g: pd.Series) -> pd.Series:
    return g.astype(object).where(g.notna(), MISSING).map(str)


def summarise_worst_grades(worst: pd.DataFrame) -> pd.DataFrame:
    """Participants by worst post-baseline grade per ARM and test (every grade shown).

    ARM, PARAMCD, ATOXDSC, WORSTGR (0-4 or Missing), N_PARTICIPANTS, N_ARM, PCT.
    """
    w = _arms_of(worst).assign(WORSTGR=lambda d: _grade_label(d["WORSTGR"]))
    labels = [str(g) for g in GRADES] + [MISSING]
    n_arm = w.groupby("ARM")["USUBJID"].nunique().rename("N_ARM").reset_index()
    grid = n_arm.merge(pd.DataFrame({"PARAMCD": list(TERMS)}), how="cross").merge(
        pd.DataFrame({"WORSTGR": labels}), how="cross"
    )
    counts = w.groupby(["ARM", "PARAMCD", "WORSTGR"]).size().rename("N_PARTICIPANTS")
    out = grid.join(counts, on=["ARM", "PARAMCD", "WORSTGR"]).fillna({"N_PARTICIPANTS": 0})
    out["N_PARTICIPANTS"] = out["N_PARTICIPANTS"].astype(int)
    out["PCT"] = 100 * out["N_PARTICIPANTS"] / out["N_ARM"]
    out.insert(2, "ATOXDSC", out["PARAMCD"].map(TERMS))
    return out[["ARM", "PARAMCD", "ATOXDSC", "WORSTGR", "N_PARTICIPANTS", "N_ARM", "PCT"]]


def shift_table(worst: pd.DataFrame) -> pd.DataFrame:
    """Shift table: n participants per (baseline grade, worst post-baseline grade), by
    ARM and test, every cell shown (grades 0-4 and Missing on both axes)."""
    w = _arms_of(worst).assign(
        BTOXGR=lambda d: _grade_label(d["BTOXGR"]), WORSTGR=lambda d: _grade_label(d["WORSTGR"])
    )
    labels = pd.DataFrame({"G": [str(g) for g in GRADES] + [MISSING]})
    grid = (
        pd.DataFrame({"ARM": list(dict.fromkeys(w["ARM"]))})
        .merge(pd.DataFrame({"PARAMCD": list(TERMS)}), how="cross")
        .merge(labels.rename(columns={"G": "BTOXGR"}), how="cross")
        .merge(labels.rename(columns={"G": "WORSTGR"}), how="cross")
    )
    key = ["ARM", "PARAMCD", "BTOXGR", "WORSTGR"]
    counts = w.groupby(key).size().rename("N")
    out = grid.join(counts, on=key).fillna({"N": 0}).astype({"N": int})
    return out


GRADED_LISTING_COLUMNS = [
    "USUBJID", "ARM", "PARAMCD", "ATOXDSC", "ADY", "AVISIT", "AVAL", "AVALU", "ANRLO", "ANRHI",
    "ANRIND", "BNRIND", "ATOXGR",
]  # fmt: skip


def list_graded_values(adlb: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    """Every post-baseline safety value (ADY > 0) with ATOXGR >= 1: study day, value,
    limits and grade, sorted by participant, test and day."""
    rows = _safety_rows(adlb)
    rows = rows[(_num(rows["ADY"]) > 0) & (_num(rows["ATOXGR"]) >= 1)]
    rows = rows.merge(adsl[["USUBJID", "ARM"]].astype({"USUBJID": str}), on="USUBJID", how="left")
    out = rows.sort_values(["USUBJID", "PARAMCD", "ADY"], kind="stable")
    return out[GRADED_LISTING_COLUMNS].reset_index(drop=True)
