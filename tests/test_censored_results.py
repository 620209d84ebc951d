"""Results above the upper limit of quantification: '>x' is analysed at x with ULOQFL = Y,
in adlb and on the endpoints a single lab value gives (HbA1c, autoantibodies)."""

from __future__ import annotations

import pandas as pd
import pytest
from ingest_fixtures import cohort, lis_row, make_raw

from plmsc.endpoints.adeff import derive_adeff
from plmsc.ingest import build_adam

ANALYSIS = {
    "blq": "half",
    "mmtt_start": "zero",
    "missing_draw": "missing",
    "remission_idaa1c": 9,
    "antibody_cutoffs": {"GADA": 10, "ZNT8A": 15, "IA2A": 7.5},
}


def test_above_limit_in_adlb_and_adeff(tmp_path):
    baseline = "08/04/2019 08:00"  # day -7 of P1-001 (infused 15/04/2019)
    rows = [
        lis_row(ACCESSION="A1", RESULT=">10", COLLECTED=baseline),
        lis_row(
            ACCESSION="A2",
            TEST_CODE="HBA1C",
            SAMPLE_LABEL="",
            RESULT=">14.0",
            UNITS="%",
            COLLECTED=baseline,
        ),
        lis_row(
            ACCESSION="A3",
            TEST_CODE="GADA",
            SAMPLE_LABEL="",
            RESULT="250",
            UNITS="IU/mL",
            COLLECTED=baseline,
        ),
    ]
    ds = build_adam(cohort(), make_raw(tmp_path, {"20190501": rows}))
    lb = ds.adlb.set_index("PARAMCD")
    # 10 ng/mL x 1000 / 3020.29 = 3.31094 nmol/L, analysed at the limit itself
    assert lb.loc["CPEP", "AVAL"] == pytest.approx(3.31094, abs=5e-6)
    assert lb.loc["CPEP", "ULOQFL"] == "Y" and pd.isna(lb.loc["CPEP", "LLOQFL"])
    assert lb.loc["HBA1C", "AVAL"] == 14.0 and lb.loc["HBA1C", "ULOQFL"] == "Y"
    assert pd.isna(lb.loc["GADA", "ULOQFL"])

    eff = derive_adeff(ds.adlb, ds.advs, ANALYSIS).set_index("PARAMCD")
    assert eff.loc["HBA1C", "AVAL"] == 14.0 and eff.loc["HBA1C", "ULOQFL"] == "Y"
    assert eff.loc["GADA", "AVAL"] == 250.0 and pd.isna(eff.loc["GADA", "ULOQFL"])
    # IDAA1c = 14.0 + 4 x insulin dose (screening: (20 + 22 + 21) / 3 / 40 kg = 0.525):
    # derived from two values, not flagged
    assert eff.loc["IDAA1C", "AVAL"] == pytest.approx(14.0 + 4 * 0.525)
    assert pd.isna(eff.loc["IDAA1C", "ULOQFL"])
