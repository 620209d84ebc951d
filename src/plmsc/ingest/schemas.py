"""pandera schemas of the analysis datasets (analysis-datasets.md).

Every frame is validated before anything is written: column set and order,
types, allowed codes, unique keys. Text columns may be ``str`` or categorical
(large datasets keep repeated text as categories; the CSV is the same).
``strict`` and ``ordered`` make a new or missing column a failure, so the CSV
headers are the contract.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from plmsc.ingest.units import LAB_TESTS

YN = ["Y", "N"]


def _is_text(series: pd.Series) -> bool:
    """Text column: pandas ``str`` dtype, or categorical with text categories."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.api.types.is_string_dtype(dtype.categories.dtype) or len(dtype.categories) == 0
    return pd.api.types.is_string_dtype(dtype)


#: A check of the dtype only: missing values are not dropped first (``ignore_na=False``
#: saves a masked copy of every nullable text column; the answer is the same).
TEXT = pa.Check(_is_text, name="text column (str or categorical of str)", ignore_na=False)


def _str(*, nullable: bool = False, isin: list[str] | None = None) -> pa.Column:
    checks = [TEXT, *([pa.Check.isin(isin)] if isin else [])]
    return pa.Column(None, nullable=nullable, checks=checks)


def _flag() -> pa.Column:
    return pa.Column(None, nullable=True, checks=[TEXT, pa.Check.isin(["Y"])])


def _int(*, nullable: bool = True, checks: list[pa.Check] | None = None) -> pa.Column:
    return pa.Column("Int64", nullable=nullable, checks=checks or [])


def _float(*, nullable: bool = True, checks: list[pa.Check] | None = None) -> pa.Column:
    return pa.Column(float, nullable=nullable, checks=checks or [])


ADSL = pa.DataFrameSchema(
    {
        "USUBJID": _str(),
        "SEX": _str(nullable=True, isin=["M", "F"]),
        "AGE": _float(checks=[pa.Check.in_range(0, 100)]),
        "ARM": _str(),
        "DIABDUR": _int(checks=[pa.Check.ge(0)]),
        "HEIGHTBL": _float(),
        "WEIGHTBL": _float(),
        "BMIBL": _float(),
        "DOSE": _float(),
        "DKAONSET": _str(nullable=True, isin=YN),
        "VIABPCT": _float(),
        "INFREAC": _str(nullable=True, isin=YN),
        "SAFFL": _str(isin=YN),
        "TRTSDY": _int(checks=[pa.Check.eq(0)]),
        "EXPENDY": _int(checks=[pa.Check.ge(0)]),
        "EXPDURD": _int(nullable=False, checks=[pa.Check.ge(0)]),
        "EXPDURY": _float(nullable=False, checks=[pa.Check.ge(0)]),
        "INFAEFL": _str(nullable=True, isin=YN),
        "INFRFL": _str(nullable=True, isin=YN),
        "SITE": _str(nullable=True),
        "STRATUM": _str(nullable=True),
    },
    strict=True,
    ordered=True,
    unique=["USUBJID"],
    name="adsl",
)

ADLB = pa.DataFrameSchema(
    {
        "USUBJID": _str(),
        "PARAMCD": _str(isin=list(LAB_TESTS)),
        "PARAM": _str(),
        "AVAL": _float(),
        "AVALU": _str(),
        "ADY": _int(nullable=False),
        "ATPT": _str(nullable=True),
        "ATPTN": _int(),
        "AVISIT": _str(),
        "AVISITN": _int(),
        "ABLFL": _flag(),
        "ANL01FL": _flag(),
        "LLOQ": _float(checks=[pa.Check.ge(0)]),
        "LLOQFL": _flag(),
        "ULOQFL": _flag(),
        "MISSRSN": _str(nullable=True),
        "RPTDRWFL": _flag(),
        "SRCFILE": _str(),
        "SRCROW": _int(nullable=False, checks=[pa.Check.ge(2)]),
        "ANRLO": _float(checks=[pa.Check.ge(0)]),
        "ANRHI": _float(checks=[pa.Check.ge(0)]),
        "ANRIND": _str(nullable=True, isin=["LOW", "NORMAL", "HIGH"]),
        "BNRIND": _str(nullable=True, isin=["LOW", "NORMAL", "HIGH"]),
        "ATOXGR": _int(checks=[pa.Check.in_range(0, 4)]),
        "ATOXDSC": _str(nullable=True),
    },
    strict=True,
    ordered=True,
    unique=["SRCFILE", "SRCROW"],
    name="adlb",
)

ADVS = pa.DataFrameSchema(
    {
        "USUBJID": _str(),
        "PARAMCD": _str(isin=["WEIGHT", "TDD1", "TDD2", "TDD3"]),
        "PARAM": _str(),
        "AVAL": _float(nullable=False, checks=[pa.Check.ge(0)]),
        "AVALU": _str(isin=["kg", "U/24h"]),
        "ADY": _int(),
        "AVISIT": _str(),
        "AVISITN": _int(nullable=False),
    },
    strict=True,
    ordered=True,
    unique=["USUBJID", "PARAMCD", "AVISITN"],
    name="advs",
)

ADAE = pa.DataFrameSchema(
    {
        "USUBJID": _str(),
        "AESEQ": pa.Column("int64", checks=[pa.Check.ge(1)]),
        "AETERM": _str(nullable=True),
        "AESOC": _str(nullable=True),
        "AEDECOD": _str(nullable=True),
        "ASTDY": _int(),
        "AENDY": _int(),
        "ADURN": _int(checks=[pa.Check.ge(1)]),
        "TRTEMFL": _str(isin=YN),
        "AETOXGR": _int(checks=[pa.Check.in_range(1, 5)]),
        "AESER": _str(nullable=True, isin=YN),
        "AREL": _int(checks=[pa.Check.in_range(1, 5)]),
        "AERELFL": _str(nullable=True, isin=YN),
        "AEOUT": _int(checks=[pa.Check.in_range(1, 5)]),
    },
    strict=True,
    ordered=True,
    unique=["USUBJID", "AESEQ"],
    name="adae",
)

ADHYPO = pa.DataFrameSchema(
    {
        "USUBJID": _str(),
        "HYPOSEQ": pa.Column("int64", checks=[pa.Check.ge(1)]),
        "ADY": _int(),
        "GLUC": _float(checks=[pa.Check.ge(0)]),
        "ASSIST": _str(nullable=True, isin=YN),
        "LEVEL": _int(checks=[pa.Check.isin([1, 2, 3])]),
        "HYPOFL": _flag(),
    },
    strict=True,
    ordered=True,
    unique=["USUBJID", "HYPOSEQ"],
    name="adhypo",
)

RECONCILIATION = pa.DataFrameSchema(
    {
        "SRCFILE": _str(),
        "DISPOSITION": _str(isin=["kept", "excluded"]),
        "REASON": _str(),
        "N": pa.Column("int64", checks=[pa.Check.ge(0)]),
    },
    strict=True,
    ordered=True,
    unique=["SRCFILE", "DISPOSITION", "REASON"],
    name="reconciliation",
)

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "adsl": ADSL,
    "adlb": ADLB,
    "adae": ADAE,
    "adhypo": ADHYPO,
    "advs": ADVS,
    "reconciliation": RECONCILIATION,
}
