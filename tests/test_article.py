"""The article: numbers only from numbers.json, conventions stated as configured,
participant flow from the datasets, deterministic DOCX, page images of the PDF."""

from __future__ import annotations

import io
import json
import zipfile
from copy import deepcopy
from pathlib import Path

import pandas as pd
import pytest
from article_checks import check_numbers_come_from_keys
from conftest import REPO

from plmsc.report import article as A
from plmsc.report.flow import flow_figure
from plmsc.report.numbers import compute_flow_numbers, compute_methods_numbers

TEMPLATES = REPO / "manuscript" / "templates"
PROSE = REPO / "manuscript" / "prose"
BIB = REPO / "manuscript" / "references.bib"
#: Page images of the phase 1 PDF, for a reader to look at (git-ignored).
ARTEFACTS = REPO / "tests" / "artefacts"


# --- templates and filters ------------------------------------------------------------


def test_templates_type_no_number():
    # every digit of a template's own text is a name (HbA1c, CTCAE v5.0, ...)
    assert A.template_literal_digits(TEMPLATES) == {}


def test_literal_digit_check_finds_a_typed_number(tmp_path):
    (tmp_path / "t.md.j2").write_text(
        "HbA1c fell by {{ x }} %.\nIn 4 of {{ n }} children, CTCAE v5.0 grade {{ g + 2 }}.\n"
    )
    found = A.template_literal_digits(tmp_path)
    # "4" is typed text on line 2, "2" a typed number inside an expression;
    # HbA1c and CTCAE v5.0 are names
    assert found == {"t.md.j2": ["line 2: 4", "line 2: 2"]}


def test_format_filters_use_the_shared_rounding():
    # the dose as Table 3 writes it: 1.00 (10^6 cells/kg)
    assert A.fmt_sci(1_000_000.0) == "1.00\u00a0×\u00a010^6^"
    assert A.fmt_sci(2_505_000) == "2.51\u00a0×\u00a010^6^"  # 2.505 -> 2.51
    # half away from zero on the printed decimal: 0.705 -> 0.71 at 2 decimals
    assert A.fmt_decimals(0.705, 2) == "0.71"
    assert A.fmt_decimals(-51.85, 1) == "-51.9"
    assert A.fmt_decimals(None, 1) == "NA"
    # CPAUC has 3 decimals in the registry (Table 2)
    assert A.fmt_value(0.4025, "CPAUC") == "0.403"
    summary = {"median": 10.0, "min": 8.8, "max": 12.9}
    assert A.fmt_median_range(summary, "age", "years") == "10.0 years (range 8.8–12.9 years)"
    neg = {"median": -1.0, "min": -3.0, "max": 2.0}
    assert A.fmt_median_range(neg, "age") == "-1.0 (range -3.0 to 2.0)"
    assert A.fmt_setting(7.5) == "7.5" and A.fmt_setting(9) == "9" and A.fmt_setting(0.5) == "0.5"
    assert A.fmt_p(0.125) == "0.125" and A.fmt_p(0.0004) == "<0.001"
    assert A.join_and(["a", "b", "c"]) == "a, b and c"


def _env(tmp_path, text: str, log=None):
    (tmp_path / "t.md.j2").write_text(text)
    return A.environment(tmp_path, log)


def test_missing_key_stops_with_template_and_line(tmp_path):
    env = _env(tmp_path, "# Results\n\nAll {{ num.n }} children.\nDose {{ num.dose.median }}.\n")
    with pytest.raises(A.ArticleError, match=r"t\.md\.j2, line 4: .*dose"):
        A.render_template(env, "t.md.j2", {"num": {"n": 4}})


def test_unformatted_float_and_null_are_refused(tmp_path):
    env = _env(tmp_path, "Median {{ num.x }}.\n")
    with pytest.raises(A.ArticleError, match=r"t\.md\.j2, line 1: .*unformatted number 0\.705"):
        A.render_template(env, "t.md.j2", {"num": {"x": 0.705}})
    with pytest.raises(A.ArticleError, match=r"line 1: .*null"):
        A.render_template(env, "t.md.j2", {"num": {"x": None}})
    log = A.RenderLog()
    env = _env(tmp_path, "Median {{ num.x | value('CPAUC') }}.\n", log)
    assert A.render_template(env, "t.md.j2", {"num": {"x": 0.705}}) == "Median 0.705.\n"
    assert log.outputs == ["0.705"]


def test_number_tokens_skip_names_and_citations():
    text = "HbA1c 8.2 % in type 1 diabetes [@mortensen-idaa1c]; CTCAE v5.0; 1,000 cells"
    assert A.number_tokens(text) == ["8.2", "1,000"]


# --- the Methods state the conventions in force ----------------------------------------


def _methods_numbers(cohort: dict, n: int = 4) -> dict:
    return {
        "design": cohort["design"],
        "n": n,
        "methods": compute_methods_numbers(cohort, n),
        "infusion": {
            "blinded": False,
            "dose_cells_per_kg": {"median": 1_000_000.0, "min": 1e6, "max": 1e6},
        },
    }


def _methods(cohort: dict) -> str:
    env = A.environment(TEMPLATES)
    return A.render_template(env, "methods.md.j2", {"num": _methods_numbers(cohort)})


def test_methods_state_the_configured_conventions(phase1_config):
    text = _methods(phase1_config)
    assert "counted as half the limit." in text
    assert "the visit's AUC was missing (no imputation)" in text
    assert "the curve starting at the 0-min sample" in text
    assert "partial remission is IDAA1c ≤ 9 %" in text
    assert "GADA ≥ 10 IU/mL, ZnT8A ≥ 15 U/mL, IA-2A ≥ 7.5 U/mL." in text
    assert "Week 1 (day 7, window 4 to 10)" in text
    # n = 4 pairs: 2 of the 2^4 = 16 sign assignments are as extreme -> 2/16 = 0.125
    assert "smallest attainable two-sided Wilcoxon p-value is 0.125" in text
    assert "ANCOVA" not in text


def test_changing_a_convention_in_config_changes_its_sentence(phase1_config):
    cohort = deepcopy(phase1_config)
    cohort["analysis"].update(
        blq="limit",
        missing_draw="interpolate",
        mmtt_start="mean_minus10_zero",
        remission_idaa1c=9.5,
        antibody_cutoffs={"GADA": 5, "ZNT8A": 15, "IA2A": 7.5},
    )
    cohort["schedule"][2]["window"] = [3, 10]
    text = _methods(cohort)
    assert "counted as the limit itself." in text and "half the limit" not in text
    assert "A single missing interior draw was interpolated linearly" in text
    assert "the mean of the -10-min and 0-min samples" in text
    assert "IDAA1c ≤ 9.5 %" in text and "GADA ≥ 5 IU/mL" in text
    assert "Week 1 (day 7, window 3 to 10)" in text
    cohort["analysis"]["blq"] = "zero"
    assert "counted as zero." in _methods(cohort)


def test_randomised_methods_name_the_ancova_covariates(randomised_config):
    numbers = _methods_numbers(randomised_config, 30) | {"n_by_arm": {"MSC": 20, "PLACEBO": 10}}
    env = A.environment(TEMPLATES)
    text = A.render_template(env, "methods.md.j2", {"num": numbers})
    assert "MSC (n = 20) and PLACEBO (n = 10)" in text
    assert (
        "ANCOVA) of log(mean AUC + 1) at Month 12 with arm, baseline log(mean AUC + 1), "
        "age and sex as covariates" in text
    )
    assert "95 % confidence interval" in text


# --- participant flow -----------------------------------------------------------------

FLOW_COHORT = {
    "design": "single_arm",
    "arm": "PLMSC",
    "analysis": {"comparison_visit": "Month 12"},
    "schedule": [
        {"visit": "Baseline", "day": -7, "window": [-42, -1]},
        {"visit": "Infusion", "day": 0, "window": [0, 0]},
        {"visit": "Month 3", "day": 90, "window": [83, 97]},
        {"visit": "Month 12", "day": 365, "window": [351, 379]},
    ],
}


def _eff(uid, code, visit, day, aval, base=False):
    return {
        "USUBJID": uid, "PARAMCD": code, "AVISIT": visit, "ADY": day, "AVAL": aval,
        "ABLFL": "Y" if base else None, "ANL01FL": "Y",
    }  # fmt: skip


@pytest.fixture()
def flow_data():
    """Three participants, all infused. A: complete. B: Month 12 MMTT with a haemolysed
    30-min draw (CPAUC row, AVAL missing). C: seen at Month 3, never at Month 12."""
    adsl = pd.DataFrame({"USUBJID": ["A", "B", "C"], "ARM": "PLMSC", "SAFFL": "Y"})
    rows = []
    for uid in "ABC":
        rows.append(_eff(uid, "CPAUC", "Baseline", -7, 0.5, base=True))
        rows.append(_eff(uid, "HBA1C", "Baseline", -7, 8.0, base=True))
        rows.append(_eff(uid, "CPAUC", "Month 3", 90, 0.4))
    rows.append(_eff("A", "CPAUC", "Month 12", 365, 0.3))
    rows.append(_eff("A", "HBA1C", "Month 12", 365, 7.0))
    rows.append(_eff("B", "CPAUC", "Month 12", 366, float("nan")))
    rows.append(_eff("B", "HBA1C", "Month 12", 366, 7.5))
    adeff = pd.DataFrame(rows)
    adlb = pd.DataFrame(
        [
            {"USUBJID": "B", "PARAMCD": "CPEP", "AVISIT": "Month 12", "ADY": 366,
             "AVAL": float("nan"), "MISSRSN": "HEMOLYZED", "ANL01FL": "Y"},
            {"USUBJID": "B", "PARAMCD": "CPEP", "AVISIT": "Month 12", "ADY": 366,
             "AVAL": 0.2, "MISSRSN": None, "ANL01FL": "Y"},
        ]
    )  # fmt: skip
    return adsl, adeff, adlb


def test_single_arm_flow_counts_every_missing_value_with_its_reason(flow_data):
    adsl, adeff, adlb = flow_data
    flow = compute_flow_numbers(adsl, adeff, adlb, FLOW_COHORT)
    assert (flow["enrolled"], flow["received"]) == (3, 3)
    (arm,) = flow["arms"]
    # Month 3: A, B, C have a value; Month 12: A (values) and B (HbA1c, a C-peptide draw)
    assert arm["visits"] == [
        {"visit": "Month 3", "attended": 3},
        {"visit": "Month 12", "attended": 2},
    ]
    # C's last record is day 90, before the Month 12 window opens (day 351)
    assert arm["n_lost"] == 1 and arm["followed_up"] == 2
    assert arm["lost"] == [{"reason": "no visit at or after Month 12", "n": 1}]
    cpauc, hba1c = arm["endpoints"][0], arm["endpoints"][1]
    assert cpauc["paramcd"] == "CPAUC" and cpauc["analysed"] == 1  # A only
    assert cpauc["missing_visit"] == [
        {"reason": "incomplete MMTT (hemolyzed)", "n": 1},  # B
        {"reason": "no value in the visit window", "n": 1},  # C
    ]
    assert hba1c["analysed"] == 2 and hba1c["missing_visit"] == [
        {"reason": "no value in the visit window", "n": 1}
    ]
    assert cpauc["missing_baseline"] == []


def test_population_flags_of_adsl_are_used_when_present(flow_data):
    adsl, adeff, adlb = flow_data
    adsl = adsl.assign(ITTFL=["Y", "Y", "Y"], SAFFL=["Y", "Y", "N"], MITTFL=["Y", "N", "N"])
    cohort = FLOW_COHORT | {"design": "randomised"}
    flow = compute_flow_numbers(adsl, adeff, adlb, cohort)
    (arm,) = flow["arms"]
    assert arm["arm"] == "PLMSC"
    assert (arm["enrolled"], arm["received"], arm["not_received"]) == (3, 2, 1)
    # HbA1c: A and B have both values, but B is not in the mITT population
    assert arm["endpoints"][1]["analysed"] == 1


def test_flow_figure_draws_every_count(flow_data):
    adsl, adeff, adlb = flow_data
    flow = compute_flow_numbers(adsl, adeff, adlb, FLOW_COHORT)
    fig = flow_figure(flow)
    texts = [t.get_text() for t in fig.texts]
    assert "Enrolled and assigned to PLMSC (n = 3)" in texts
    assert "Received the infusion (n = 3)" in texts
    assert "  Month 12: 2" in texts
    assert "  not analysed, incomplete MMTT (hemolyzed): 1" in texts


# --- DOCX zip ------------------------------------------------------------------------


def test_docx_zip_is_rewritten_with_fixed_timestamps():
    def make(date):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            for name in ("[Content_Types].xml", "word/document.xml", "docProps/core.xml"):
                z.writestr(zipfile.ZipInfo(name, date_time=date), f"<{name}/>")
        return buf.getvalue()

    a, b = make((2026, 1, 2, 3, 4, 6)), make((2025, 5, 6, 7, 8, 10))
    assert a != b
    na, nb = A.normalise_docx(a), A.normalise_docx(b)
    assert na == nb
    infos = zipfile.ZipFile(io.BytesIO(na)).infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {A.ZIP_EPOCH}


# --- the phase 1 article, built by the workflow -----------------------------------------


def _phase1():
    from report_fixtures import phase1_report

    manuscript = phase1_report() / "phase1" / "manuscript"
    numbers = json.loads((manuscript / "numbers.json").read_text())
    sources = A.Sources.from_paths(TEMPLATES, PROSE / "phase1", BIB, manuscript)
    return numbers, sources


@pytest.mark.slow
def test_every_number_of_the_text_comes_from_a_key():
    numbers, sources = _phase1()
    shown = check_numbers_come_from_keys(numbers, sources, "phase1")
    must = [
        ("n",),
        ("adverse_events", "serious", "n_participants"),
        ("adverse_events", "any", "n_events"),
        ("hypoglycaemia", "level_3", "n_events"),
        ("remission", "n_first_visit"),
        ("remission", "n_assessed_first_visit"),
        ("antibody_nadir", "GADA", "median_pct_change"),
        ("cpeptide_auc", "median_baseline"),
        ("cpeptide_auc", "median_comparison"),
        ("cpeptide_auc", "median_pct_change"),
        ("baseline", "age", "median"),
        ("infusion", "dose_cells_per_kg", "median"),
        ("flow", "enrolled"),
        ("flow", "arms", 0, "endpoints", 0, "analysed"),
        ("methods", "remission_idaa1c"),
        ("methods", "antibody_cutoffs", "IA2A", "value"),
        ("methods", "schedule", 2, "window", 0),
        ("methods", "wilcoxon_min_p"),
    ]
    missing = [p for p in must if p not in shown]
    assert not missing, f"not found in the perturbed text: {missing}"


@pytest.mark.slow
def test_phase1_article_reads_like_the_published_report():
    numbers, sources = _phase1()
    manuscript = sources.manuscript
    raw = (manuscript / "article.html").read_text(encoding="utf-8")
    html = " ".join(raw.split())  # pandoc wraps lines; no-break spaces count as spaces
    # the published story (Madani 2021), every number of it from numbers.json
    assert numbers["n"] == 4
    assert numbers["infusion"]["dose_cells_per_kg"]["median"] == 1_000_000
    assert numbers["adverse_events"]["serious"]["n_participants"] == 0
    assert numbers["remission"]["n_first_visit"] > 0
    assert numbers["antibody_nadir"]["GADA"]["visit"] == "Month 3"
    cp = numbers["cpeptide_auc"]
    assert cp["median_comparison"] < cp["median_baseline"]
    assert "IRCT20171021036903N2" in html
    assert "1.00 × 10<sup>6</sup> placenta-derived mesenchymal stem cells per kg" in html
    assert "No serious adverse event occurred" in html
    r = numbers["remission"]
    assert f"{r['n_first_visit']} of {r['n_assessed_first_visit']} participants at Month 1" in html
    assert "both lowest at Month 3" in html
    assert f"{A.fmt_value(cp['median_baseline'], 'CPAUC')} nmol/L at baseline" in html
    # sections, tables, figures and references
    for heading in ("Introduction", "Methods", "Results", "Discussion", "References"):
        assert f">{heading}</h1>" in html
    for i in (1, 2, 3):
        assert f"Table {i}." in html
    assert html.count("<img") == len(A.figure_list())
    assert html.count('src="data:image/png') == len(A.figure_list())
    for author in ("Mortensen", "Lachin", "Greenbaum", "Couper", "National Cancer Institute"):
        assert author in html
    assert "American Diabetes Association" in html and "Madani" in html
    # DOCX members carry the fixed timestamp; the PDF no document date
    docx = zipfile.ZipFile(manuscript / "article.docx")
    assert {i.date_time for i in docx.infolist()} == {A.ZIP_EPOCH}
    pdf = (manuscript / "article.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"CreationDate" not in pdf and b"xmp:CreateDate" not in pdf


@pytest.mark.slow
def test_pdf_pages_as_images_for_review():
    """The PDF's pages as PNG (Typst renders the same source page by page), saved
    under tests/artefacts/ for a reader to check the layout."""
    numbers, sources = _phase1()
    markdown = A.article_markdown(
        A.render_parts(sources, A.read_context(numbers, sources, "phase1"))
    )
    pages = A.to_pdf(A.to_typst(markdown, sources), sources.manuscript, fmt="png", ppi=60)
    assert len(pages) >= 6
    ARTEFACTS.mkdir(exist_ok=True)
    for old in ARTEFACTS.glob("phase1_article_page-*.png"):
        old.unlink()
    for i, png in enumerate(pages, start=1):
        assert png.startswith(b"\x89PNG")
        Path(ARTEFACTS / f"phase1_article_page-{i:02d}.png").write_bytes(png)


def test_methods_constants_are_those_the_derivations_use():
    import numpy as np

    from plmsc.endpoints.glycaemia import derive_idaa1c, derive_remission_ispad
    from plmsc.endpoints.safety import OVERVIEW
    from plmsc.ingest.clinical import derive_hypo_level
    from plmsc.report import numbers as N

    # IDAA1c = HbA1c + factor x dose: HbA1c 0 and dose 1 give the factor
    assert derive_idaa1c(np.array([0.0]), np.array([1.0]))[0] == N.IDAA1C_DOSE_FACTOR
    # ISPAD: just below both limits is remission, at either limit it is not
    below = derive_remission_ispad([N.ISPAD_HBA1C - 0.01], [N.ISPAD_DOSE - 0.01])
    at = derive_remission_ispad([N.ISPAD_HBA1C, 6.0], [0.1, N.ISPAD_DOSE])
    assert list(below) == [1.0] and list(at) == [0.0, 0.0]
    glucose = pd.Series([N.HYPO_LEVEL1_MGDL, N.HYPO_LEVEL1_MGDL - 1, N.HYPO_LEVEL2_MGDL,
                         N.HYPO_LEVEL2_MGDL - 1])  # fmt: skip
    levels = derive_hypo_level(glucose, pd.Series([False] * 4)).tolist()
    assert levels == [pd.NA, 1, 1, 2]
    assert OVERVIEW["grade3_or_higher"][0] == f"Grade {N.AE_SEVERE_GRADE} or higher"
