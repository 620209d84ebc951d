"""Plausibility limits of the laboratory tests, as plain data (no pandas).

Kept apart from :mod:`plmsc.ingest.units` so that validating the configuration
(at the workflow's start-up, :func:`plmsc.config.validate_config`) does not
import the analysis libraries; :mod:`plmsc.ingest.units` re-exports both names.
"""

from __future__ import annotations

#: Plausibility limits (low, high; None = no upper limit) of every (TEST_CODE, UNITS)
#: pair, in the export unit, inclusive. A value outside is an entry or unit error,
#: not a result (docs/conventions.md, "Implausible values"). The limits of the
#: second and third units are those of the first, converted with the factors above:
#: C-peptide 10 nmol/L = 30.2 ng/mL = 10000 pmol/L; glucose 10 - 1500 mg/dL =
#: 0.55 - 83 mmol/L; creatinine 0.05 - 20 mg/dL = 4.4 - 1768 umol/L. Config key
#: ``plausibility.lab`` overrides them per cohort.
PLAUSIBLE_LIMITS: dict[str, dict[str, tuple[float, float | None]]] = {
    "CPEP": {"nmol/L": (0.0, 10.0), "ng/mL": (0.0, 30.2), "pmol/L": (0.0, 10000.0)},
    "GLU": {"mg/dL": (10.0, 1500.0), "mmol/L": (0.55, 83.0)},
    "HBA1C": {"%": (3.0, 20.0), "mmol/mol": (9.0, 195.0)},
    "GADA": {"IU/mL": (0.0, None)},
    "ZNT8A": {"U/mL": (0.0, None)},
    "IA2A": {"U/mL": (0.0, None)},
    "ALT": {"U/L": (1.0, 10000.0)},
    "AST": {"U/L": (1.0, 10000.0)},
    "CREAT": {"mg/dL": (0.05, 20.0), "umol/L": (4.4, 1768.0)},
    "WBC": {"10^9/L": (0.1, 200.0)},
    "PLT": {"10^9/L": (1.0, 2000.0)},
    "HGB": {"g/dL": (2.0, 25.0)},
}
#: How a plausibility message names a unit whose values were typed into another unit's row.
UNIT_DESCRIPTIONS = {"mmol/mol": "an IFCC value (mmol/mol)", "%": "an NGSP value (%)"}
