"""The endpoint registry: one row per ADEFF parameter, the one place for its metadata.

Every reader takes PARAMCD labels, units, decimals and memberships from here:
ADEFF (PARAM, AVALU, which rows get a baseline), the manuscript tables (labels,
decimals, which rows), the figures (axis labels), numbers.json (units), the
exploratory tests (which endpoints) and the notebooks (which endpoints they show).
Adding an endpoint is a row here plus its derive function
(docs/adding-an-endpoint.md).

Fields of a row (:class:`Endpoint`):

* ``paramcd``, ``param``: the CDISC parameter code and its full label (ADEFF PARAM).
* ``name``, ``unit``: the short display name and the analysis unit (ADEFF AVALU);
  :attr:`Endpoint.label` is ``name (unit)``, the label of tables and figure axes.
* ``decimals``: decimals shown in tables.
* ``kind``: ``continuous``; ``binary`` (1 yes, 0 no: shown as n/N (%), no change
  from baseline); ``titre`` (autoantibody: also the log2 ratio to baseline).
* ``baseline``: ``last_before_infusion`` (ABLFL = Y on the last non-missing value
  on or before day 0, then BASE, CHG, PCHG) or ``none``.
* ``test``: ``exploratory`` (single arm: Friedman across visits and Wilcoxon
  baseline versus the comparison visit), ``ancova`` (randomised: ANCOVA at the
  comparison visit and the mixed model of trajectories), ``proportion``
  (randomised: share by arm and visit with Wilson intervals) or ``none``.
* ``tables``, ``figures``, ``notebook``: the manuscript tables and figures that
  show it and the notebook that tells its story (names of plmsc.report.catalogue).
* ``mmtt``: for an endpoint of one MMTT session, the ADLB test whose draws it
  summarises (CPEP, GLU); empty otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Kind = Literal["continuous", "binary", "titre"]
Baseline = Literal["last_before_infusion", "none"]
Test = Literal["exploratory", "ancova", "proportion", "none"]

TABLE1 = "table1_baseline"
TABLE2 = "table2_endpoints"


@dataclass(frozen=True)
class Endpoint:
    """One ADEFF parameter (see the module docstring for the fields)."""

    paramcd: str
    param: str
    name: str
    unit: str
    decimals: int
    kind: Kind
    baseline: Baseline
    test: Test
    tables: tuple[str, ...]
    figures: tuple[str, ...]
    notebook: str
    mmtt: str = ""

    @property
    def label(self) -> str:
        """Display label: ``name (unit)``, or the name alone without a unit."""
        return f"{self.name} ({self.unit})" if self.unit else self.name

    @property
    def table_label(self) -> str:
        """Row label of Table 2: the label, with ``, n/N (%)`` for a yes/no endpoint."""
        return f"{self.name}, n/N (%)" if self.kind == "binary" else self.label


_BETA = "03_beta_cell"
_GLYC = "04_glycaemic_control"
_AUTO = "05_autoimmunity"
_BOTH = (TABLE1, TABLE2)

#: Every endpoint of ADEFF, in the order of Table 2 and of the tests. Fields in order:
#: paramcd, param, name, unit, decimals, kind, baseline, test, tables, figures, notebook
#: (and mmtt by keyword).
ENDPOINTS: dict[str, Endpoint] = {
    e.paramcd: e
    for e in (
        Endpoint(
            "CPAUC", "C-peptide mean AUC 0-120 min (nmol/L)", "C-peptide mean AUC 0-120 min",
            "nmol/L", 3, "continuous", "last_before_infusion", "exploratory", _BOTH,
            ("fig1_mmtt_curves", "fig2_cpeptide_auc"), _BETA, mmtt="CPEP",
        ),
        Endpoint(
            "CPAUCL", "log(C-peptide mean AUC + 1)", "log(C-peptide mean AUC + 1)",
            "", 3, "continuous", "last_before_infusion", "ancova", (), (), _BETA, mmtt="CPEP",
        ),
        Endpoint(
            "CPPEAK", "Peak C-peptide 0-120 min (nmol/L)", "Peak C-peptide 0-120 min",
            "nmol/L", 3, "continuous", "last_before_infusion", "exploratory", _BOTH, (), _BETA,
            mmtt="CPEP",
        ),
        Endpoint(
            "CPFAST", "Fasting C-peptide (nmol/L)", "Fasting C-peptide",
            "nmol/L", 3, "continuous", "last_before_infusion", "exploratory", (TABLE2,), (),
            _BETA, mmtt="CPEP",
        ),
        Endpoint(
            "GLUAUC", "Glucose mean AUC 0-120 min (mg/dL)", "Glucose mean AUC 0-120 min",
            "mg/dL", 0, "continuous", "last_before_infusion", "exploratory", (TABLE2,),
            ("fig1b_mmtt_glucose",), _BETA, mmtt="GLU",
        ),
        Endpoint(
            "HBA1C", "HbA1c (%)", "HbA1c",
            "%", 1, "continuous", "last_before_infusion", "exploratory", _BOTH,
            ("fig3_glycaemic_control",), _GLYC,
        ),
        Endpoint(
            "INSDOSE", "Insulin dose (U/kg/24 h)", "Insulin dose",
            "U/kg/24 h", 2, "continuous", "last_before_infusion", "exploratory", _BOTH,
            ("fig3_glycaemic_control",), _GLYC,
        ),
        Endpoint(
            "IDAA1C", "Insulin-dose-adjusted A1c (%)", "IDAA1c",
            "%", 1, "continuous", "last_before_infusion", "exploratory", _BOTH,
            ("fig3_glycaemic_control",), _GLYC,
        ),
        Endpoint(
            "REMISS", "Partial remission, IDAA1c <= 9 (1 yes, 0 no)", "Partial remission (IDAA1c)",
            "", 0, "binary", "none", "proportion", (TABLE2,), ("fig4_remission",), _GLYC,
        ),
        Endpoint(
            "REMISPAD",
            "Partial remission, ISPAD: insulin < 0.5 U/kg/day and HbA1c < 7 % (1 yes, 0 no)",
            "Partial remission (ISPAD)",
            "", 0, "binary", "none", "proportion", (), (), _GLYC,
        ),
        Endpoint(
            "GADA", "GAD65 autoantibody (IU/mL)", "GADA",
            "IU/mL", 1, "titre", "last_before_infusion", "exploratory", _BOTH,
            ("fig5_autoantibodies",), _AUTO,
        ),
        Endpoint(
            "ZNT8A", "ZnT8 autoantibody (U/mL)", "ZnT8A",
            "U/mL", 1, "titre", "last_before_infusion", "exploratory", _BOTH,
            ("fig5_autoantibodies",), _AUTO,
        ),
        Endpoint(
            "IA2A", "IA-2 autoantibody (U/mL)", "IA-2A",
            "U/mL", 1, "titre", "last_before_infusion", "exploratory", _BOTH,
            ("fig5_autoantibodies",), _AUTO,
        ),
    )
}  # fmt: skip


def endpoint(paramcd: str) -> Endpoint:
    """The registry row of ``paramcd``; KeyError naming the known codes otherwise."""
    try:
        return ENDPOINTS[paramcd]
    except KeyError:
        raise KeyError(
            f"unknown endpoint {paramcd!r}; the registry has {', '.join(ENDPOINTS)}"
        ) from None


def select(
    *,
    table: str | None = None,
    figure: str | None = None,
    notebook: str | None = None,
    test: Test | None = None,
    kind: Kind | Iterable[Kind] | None = None,
) -> tuple[str, ...]:
    """PARAMCDs (registry order) of the endpoints matching every criterion given."""
    kinds = {kind} if isinstance(kind, str) else None if kind is None else set(kind)
    return tuple(
        e.paramcd
        for e in ENDPOINTS.values()
        if (table is None or table in e.tables)
        and (figure is None or figure in e.figures)
        and (notebook is None or e.notebook == notebook)
        and (test is None or e.test == test)
        and (kinds is None or e.kind in kinds)
    )


def mmtt_figures() -> dict[str, str]:
    """Figures of MMTT curves, ``{figure: ADLB test}``: the first figure of each test's
    first endpoint (fig1_mmtt_curves: CPEP, fig1b_mmtt_glucose: GLU)."""
    out: dict[str, str] = {}
    for e in ENDPOINTS.values():
        if e.mmtt and e.figures and e.mmtt not in out.values():
            out[e.figures[0]] = e.mmtt
    return out


def labels(paramcds: Iterable[str] | None = None) -> dict[str, str]:
    """``{PARAMCD: label}`` of the given endpoints (all by default)."""
    return {c: endpoint(c).label for c in (ENDPOINTS if paramcds is None else paramcds)}


def without_baseline() -> frozenset[str]:
    """Endpoints that get no baseline, change or percentage change (yes/no endpoints)."""
    return frozenset(e.paramcd for e in ENDPOINTS.values() if e.baseline == "none")
