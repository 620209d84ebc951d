"""The endpoint registry is the one source of labels, units, decimals and memberships."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from plmsc.endpoints import adeff, registry, stats
from plmsc.endpoints.registry import ENDPOINTS, endpoint, select
from plmsc.report import catalogue, tables

SRC = Path(__file__).resolve().parents[1] / "src" / "plmsc"


def test_label_is_name_and_unit():
    # CPAUC: "C-peptide mean AUC 0-120 min" + " (" + "nmol/L" + ")"
    assert endpoint("CPAUC").label == "C-peptide mean AUC 0-120 min (nmol/L)"
    # no unit: the name alone
    assert endpoint("CPAUCL").label == "log(C-peptide mean AUC + 1)"
    # yes/no endpoint in Table 2: n/N (%) instead of a unit
    assert endpoint("REMISS").table_label == "Partial remission (IDAA1c), n/N (%)"
    assert endpoint("HBA1C").table_label == "HbA1c (%)"


def test_cppeak_has_one_label_everywhere():
    # ADEFF PARAM and the table/figure label agree (they used to differ).
    e = endpoint("CPPEAK")
    assert e.param == e.label == "Peak C-peptide 0-120 min (nmol/L)"


def test_unknown_endpoint_names_the_known_ones():
    with pytest.raises(KeyError, match=r"unknown endpoint 'NOPE'.*CPAUC"):
        endpoint("NOPE")


def test_select_by_table_figure_notebook_test_kind():
    assert select(table=registry.TABLE2, notebook="03_beta_cell")[:3] == (
        "CPAUC",
        "CPPEAK",
        "CPFAST",
    )
    assert select(figure="fig3_glycaemic_control") == ("HBA1C", "INSDOSE", "IDAA1C")
    assert select(kind="titre") == ("GADA", "ZNT8A", "IA2A")
    assert select(kind=["binary"]) == ("REMISS", "REMISPAD")
    assert select(test="ancova") == ("CPAUCL",)
    # several criteria: all must hold
    assert select(kind="titre", table=registry.TABLE1) == ("GADA", "ZNT8A", "IA2A")
    assert select(kind="binary", table=registry.TABLE1) == ()


def test_readers_take_their_lists_from_the_registry():
    assert list(adeff.PARAMS) == list(ENDPOINTS)
    assert adeff.BINARY == {"REMISS", "REMISPAD"} == registry.without_baseline()
    assert adeff.ANTIBODIES == {"GADA": "IU/mL", "ZNT8A": "U/mL", "IA2A": "U/mL"}
    assert select(table=registry.TABLE2) == tables.ENDPOINTS
    assert select(table=registry.TABLE1) == tables.BASELINE_ENDPOINTS
    assert select(test="exploratory") == stats.EXPLORATORY_PARAMS


def test_every_row_is_consistent_with_the_catalogue():
    for e in ENDPOINTS.values():
        assert e.kind in {"continuous", "binary", "titre"}
        assert e.baseline in {"last_before_infusion", "none"}
        assert e.test in {"exploratory", "ancova", "proportion", "none"}
        assert (e.kind == "binary") == (e.baseline == "none"), e.paramcd
        assert set(e.tables) <= set(catalogue.TABLES), e.paramcd
        assert set(e.figures) <= set(catalogue.FIGURE_TITLES), e.paramcd
        assert e.notebook in catalogue.NOTEBOOK_NAMES, e.paramcd
        assert e.decimals >= 0
        # the unit, when there is one, closes the PARAM label
        if e.unit and e.kind != "binary":
            assert e.param.endswith(f"({e.unit})"), e.paramcd


def test_no_endpoint_label_is_written_outside_the_registry():
    # Each registry label appears, as a string literal, only in registry.py (and in
    # ingest/units.py, the lab-test table, whose labels are ADLB's PARAM of the raw test).
    literals = {e.param for e in ENDPOINTS.values()} | {
        e.label for e in ENDPOINTS.values() if e.unit
    }
    for path in SRC.rglob("*.py"):
        if path.name in {"registry.py", "units.py"}:
            continue
        text = path.read_text(encoding="utf-8")
        found = [s for s in literals if re.search(re.escape(f'"{s}"'), text)]
        assert not found, f"{path.relative_to(SRC)} writes {found}: read them from the registry"
