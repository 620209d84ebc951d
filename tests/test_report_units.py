"""Report functions on small hand-made frames, with hand-worked expectations."""

from __future__ import annotations

import json

import nbformat
import numpy as np
import pandas as pd
import pytest
from conftest import REPO
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from plmsc.report import figures, numbers, quality, tables
from plmsc.report.catalogue import FIGURES, NOTEBOOK_NAMES, notebook_inputs, notebook_values
from plmsc.report.notebooks import index_links, notebook_parameters, scrub_notebook
from plmsc.report.style import DAYS_PER_MONTH, figure_bytes, participant_palette, study_month

IDS = ["P1-001", "P1-002", "P1-003"]


def _rows(code: str, visit: str, day: int, values, base=None, pchg=None) -> list[dict]:
    rows = []
    for i, uid in enumerate(IDS):
        rows.append(
            {
                "USUBJID": uid,
                "PARAMCD": code,
                "AVISIT": visit,
                "AVISITN": day,
                "ADY": day,
                "AVAL": values[i],
                "BASE": None if base is None else base[i],
                "PCHG": None if pchg is None else pchg[i],
                "ABLFL": "Y" if visit == "Baseline" else None,
                "ANL01FL": "Y",
            }
        )
    return rows


@pytest.fixture()
def adeff() -> pd.DataFrame:
    """Three participants. CPAUC 0.2/0.4/0.9 at baseline, 0.1/0.3/0.6 at month 12:
    % changes -50, -25, -33.33 -> median -33.333. GADA % change: month 1 -10/-20/-30
    (median -20), month 3 -40/-50/-45 (median -45, the nadir), month 6 -5/0/5.
    REMISS: month 1 yes/yes/no, month 3 yes/no/no, month 12 no/no/no."""
    rows = [
        *_rows("CPAUC", "Baseline", -7, [0.2, 0.4, 0.9], [0.2, 0.4, 0.9], [0, 0, 0]),
        *_rows("CPAUC", "Month 12", 365, [0.1, 0.3, 0.6], [0.2, 0.4, 0.9], [-50, -25, -100 / 3]),
        *_rows("GADA", "Baseline", -7, [100, 200, 300], [100, 200, 300], [0, 0, 0]),
        *_rows("GADA", "Month 1", 30, [90, 160, 210], [100, 200, 300], [-10, -20, -30]),
        *_rows("GADA", "Month 3", 90, [60, 100, 165], [100, 200, 300], [-40, -50, -45]),
        *_rows("GADA", "Month 6", 180, [95, 200, 315], [100, 200, 300], [-5, 0, 5]),
        *_rows("REMISS", "Baseline", -7, [0, 0, 0]),
        *_rows("REMISS", "Month 1", 30, [1, 1, 0]),
        *_rows("REMISS", "Month 3", 90, [1, 0, 0]),
        *_rows("REMISS", "Month 12", 365, [0, 0, 0]),
    ]
    frame = pd.DataFrame(rows)
    # an unscheduled value and a non-analysed repeat that summaries must ignore
    extra = [
        {
            **rows[0],
            "AVISIT": "UNSCHEDULED",
            "AVISITN": None,
            "ADY": 200,
            "AVAL": 5.0,
            "ABLFL": None,
        },
        {**rows[3], "ADY": 370, "AVAL": 9.0, "ANL01FL": None},
    ]
    frame = pd.concat([frame, pd.DataFrame(extra)], ignore_index=True)
    return frame.astype({"AVISITN": "Int64", "ADY": "Int64", "AVAL": float})


@pytest.fixture()
def adsl() -> pd.DataFrame:
    return pd.DataFrame({"USUBJID": IDS, "ARM": "PLMSC"})


# --- formatting ------------------------------------------------------------------------


def test_tables_use_the_shared_formatter():
    # one formatter: the tables module re-exports nothing of its own
    from plmsc.report import formatting

    assert tables.format_median_range is formatting.format_median_range
    assert tables.format_number is formatting.format_number
    assert numbers.rounded is formatting.rounded


# --- Table 2 ---------------------------------------------------------------------------


def test_endpoints_by_visit_single_arm(adeff, adsl):
    t2 = tables.endpoints_by_visit(adeff, adsl, "single_arm", ["CPAUC", "REMISS"])
    assert list(t2.columns) == ["Endpoint", "Visit", "n", "Median (min–max)"]
    cp = t2[t2["Endpoint"].str.startswith("C-peptide")].set_index("Visit")
    # unscheduled (5.0) and non-analysed (9.0) values are not in the summary
    assert list(cp.index) == ["Baseline", "Month 12"]
    assert cp.loc["Baseline", "n"] == "3"
    assert cp.loc["Baseline", "Median (min–max)"] == "0.400 (0.200–0.900)"
    assert cp.loc["Month 12", "Median (min–max)"] == "0.300 (0.100–0.600)"
    rem = t2[t2["Endpoint"].str.startswith("Partial")].set_index("Visit")
    assert rem.loc["Month 1", "Median (min–max)"] == "2/3 (67 %)"
    assert rem.loc["Month 12", "Median (min–max)"] == "0/3 (0 %)"


def test_endpoints_by_visit_by_arm_when_randomised(adeff):
    adsl = pd.DataFrame({"USUBJID": IDS, "ARM": ["MSC", "MSC", "PLACEBO"]})
    t2 = tables.endpoints_by_visit(adeff, adsl, "randomised", ["CPAUC"])
    assert list(t2.columns[2:]) == [
        "MSC: n",
        "MSC: Median (min–max)",
        "PLACEBO: n",
        "PLACEBO: Median (min–max)",
        "Overall: n",
        "Overall: Median (min–max)",
    ]
    base = t2.iloc[0]
    assert base["MSC: Median (min–max)"] == "0.300 (0.200–0.400)"
    assert base["PLACEBO: n"] == "1"
    # blinded: one pooled group, whatever the design
    blinded = adsl.assign(ARM="BLINDED")
    assert list(tables.endpoints_by_visit(adeff, blinded, "randomised", ["CPAUC"]).columns) == [
        "Endpoint",
        "Visit",
        "n",
        "Median (min–max)",
    ]


# --- Table 1 ---------------------------------------------------------------------------


def _adsl_full(arms: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": IDS,
            "ARM": arms,
            "AGE": [10.0, 12.0, 15.0],
            "SEX": ["M", "F", "M"],
            "DIABDUR": [30, 40, 50],
            "HEIGHTBL": [140.0, 150.0, 160.0],
            "WEIGHTBL": [35.0, 45.0, 55.0],
            "BMIBL": [17.9, 20.0, 21.5],
            "DKAONSET": ["Y", "N", "N"],
        }
    )


def test_table1_overall_with_min_max_for_a_single_arm(adeff):
    t1 = tables.baseline_characteristics(_adsl_full(["PLMSC"] * 3), adeff, "single_arm")
    assert list(t1.columns) == ["Characteristic", "Level", "Overall", "Missing"]
    row = t1[t1["Characteristic"].str.startswith("Age")].iloc[0]
    assert row["Characteristic"] == "Age (years), median (min–max)"
    assert row["Overall"] == "12.0 (10.0–15.0)"
    # codes become labels: 2 of 3 male = 66.7 % -> 67 %
    males = t1[(t1["Characteristic"] == "Sex, n (%)") & (t1["Level"] == "Male")].iloc[0]
    assert males["Overall"] == "2 (67 %)"
    dka = t1[t1["Characteristic"].str.startswith("Diabetic ketoacidosis")]
    assert dka.set_index("Level").loc["Yes", "Overall"] == "1 (33 %)"
    assert set(t1["Level"]) >= {"Female", "Male", "Yes", "No"}
    cp = t1[t1["Characteristic"].str.contains("C-peptide")].iloc[0]
    assert cp["Overall"] == "0.400 (0.200–0.900)"


def test_table1_and_table2_give_the_same_baseline_median(adsl):
    # HbA1c 8.2 and 8.3 at baseline: median 8.25. tableone wrote 8.2 (float, half to
    # even) while Table 2 wrote 8.3 (half away from zero); both now write 8.3.
    rows = _rows("HBA1C", "Baseline", -7, [8.2, 8.3, np.nan])
    eff = pd.DataFrame(rows).astype({"AVISITN": "Int64", "ADY": "Int64", "AVAL": float})
    eff.loc[eff["AVAL"].isna(), ["ABLFL", "ANL01FL"]] = None
    t1 = tables.baseline_characteristics(_adsl_full(["PLMSC"] * 3), eff, "single_arm")
    t2 = tables.endpoints_by_visit(eff, adsl, "single_arm", ["HBA1C"])
    hba1c = t1[t1["Characteristic"].str.contains("HbA1c")].iloc[0]
    assert hba1c["Overall"] == "8.3 (8.2–8.3)"
    assert t2.iloc[0]["Median (min–max)"] == "8.3 (8.2–8.3)"


def test_table1_by_arm_for_an_unblinded_randomised_cohort(adeff):
    t1 = tables.baseline_characteristics(_adsl_full(["MSC", "MSC", "PLACEBO"]), adeff, "randomised")
    assert list(t1.columns) == ["Characteristic", "Level", "MSC", "PLACEBO", "Overall", "Missing"]
    assert t1.iloc[0]["MSC"] == "2" and t1.iloc[0]["PLACEBO"] == "1"
    # MSC ages 10 and 12: median 11, quartiles 10.5 and 11.5 (linear interpolation)
    age = t1[t1["Characteristic"].str.startswith("Age")].iloc[0]
    assert age["Characteristic"] == "Age (years), median (Q1–Q3)"
    assert age["MSC"] == "11.0 (10.5–11.5)"


# --- Table 3 ---------------------------------------------------------------------------


def test_safety_table_counts_and_rates():
    overview = pd.DataFrame(
        {
            "ARM": "PLMSC",
            "CATEGORY": ["Any treatment-emergent adverse event", "Serious adverse event"],
            "N_PARTICIPANTS": [3, 0],
            "N_ARM": 4,
            "PCT": [75.0, 0.0],
            "N_EVENTS": [5, 0],
        }
    )
    by_term = pd.DataFrame(
        {
            "ARM": "PLMSC",
            "AESOC": ["Nervous system disorders", "Nervous system disorders"],
            "AEDECOD": [np.nan, "Headache"],
            "N_PARTICIPANTS": [2, 2],
            "N_ARM": 4,
            "PCT": [50.0, 50.0],
            "N_EVENTS": [3, 3],
        }
    )
    rates = pd.DataFrame(
        {
            "ARM": "PLMSC",
            "PERIOD": ["Overall"] * 4,
            "LEVEL": ["Level 1", "Level 2", "Level 3", "Any level"],
            "N_EVENTS": [6, 2, 0, 8],
            "N_WITH_EVENT": [2, 1, 0, 2],
            "N_PARTICIPANTS": 4,
            "PY": 4.0,
            "RATE_PER_PY": [1.5, 0.5, 0.0, 2.0],
        }
    )
    t3 = tables.safety_table(overview, by_term, rates).set_index("Item")
    assert t3.loc["Any treatment-emergent adverse event", "Participants, n/N (%)"] == "3/4 (75 %)"
    assert t3.loc["Any treatment-emergent adverse event", "Events"] == "5"
    assert t3.loc["Serious adverse event", "Participants, n/N (%)"] == "0/4 (0 %)"
    assert t3.loc["    Headache", "Events"] == "3"
    assert t3.loc["Level 1", "Events per participant-year"] == "1.50"
    assert t3.loc["Level 3", "Participants, n/N (%)"] == "0/4 (0 %)"
    assert t3.loc["Any level", "Events"] == "8"


# --- numbers.json ----------------------------------------------------------------------


def test_numbers_on_a_hand_made_adeff(adeff, adsl):
    overview = pd.DataFrame(
        {
            "ARM": "PLMSC",
            "CATEGORY": [
                "Any treatment-emergent adverse event",
                "Serious adverse event",
                "Grade 3 or higher",
            ],
            "N_PARTICIPANTS": [3, 1, 0],
            "N_ARM": 3,
            "PCT": [100.0, 33.3, 0.0],
            "N_EVENTS": [7, 1, 0],
        }
    )
    rates = pd.DataFrame(
        {
            "ARM": "PLMSC",
            "PERIOD": ["Days 0-30", "Overall", "Overall"],
            "LEVEL": ["Level 1", "Level 1", "Level 3"],
            "N_EVENTS": [1, 4, 1],
            "N_WITH_EVENT": [1, 2, 1],
            "N_PARTICIPANTS": 3,
            "PY": 3.0,
            "RATE_PER_PY": [9.9, 4 / 3, 1 / 3],
        }
    )
    n = numbers.results_numbers(adsl, adeff, overview, rates, "single_arm")
    assert n["n"] == 3
    assert n["remission"]["n_first_visit"] == 2
    assert n["remission"]["visits"] == ["Month 1", "Month 3"]
    assert n["remission"]["by_visit"][1] == {"visit": "Month 1", "n_assessed": 3, "n_remission": 2}
    cp = n["cpeptide_auc"]
    assert (cp["median_baseline"], cp["median_comparison"]) == (0.4, 0.3)
    # (0.3 - 0.4) / 0.4 = -25 %, (0.1 - 0.2) / 0.2 = -50 %, (0.6-0.9)/0.9 = -33.33 %:
    # median -33.333..., shown with 1 decimal as in the tables
    assert cp["median_pct_change"] == -33.3
    assert n["antibody_nadir"]["GADA"] == {"visit": "Month 3", "median_pct_change": -45.0}
    assert n["antibody_nadir"]["ZNT8A"] == {"visit": None, "median_pct_change": None}
    assert n["adverse_events"]["serious"] == {"n_participants": 1, "n_events": 1}
    assert n["adverse_events"]["grade3_or_higher"]["n_participants"] == 0
    assert n["hypoglycaemia"]["level_1"] == {
        "n_events": 4,
        "n_participants": 2,
        # 4 events / 3 participant-years = 1.333..., 2 decimals as in Table 3
        "rate_per_participant_year": 1.33,
    }
    text = numbers.numbers_json(n)
    assert text == numbers.numbers_json(json.loads(text)) and text.endswith("}\n")
    keys = list(json.loads(text))
    assert keys == sorted(keys)


# --- data quality ----------------------------------------------------------------------


def test_reconciliation_by_file_adds_kept_and_excluded():
    recon = pd.DataFrame(
        {
            "SRCFILE": ["lis/A.csv", "lis/A.csv", "lis/A.csv", "lis/B.csv"],
            "DISPOSITION": ["kept", "excluded", "excluded", "kept"],
            "REASON": ["adlb", "duplicate", "other patient", "adlb"],
            "N": [10, 3, 2, 7],
        }
    )
    out = quality.reconciliation_by_file(recon).set_index("SRCFILE")
    assert out.loc["lis/A.csv", ["READ", "KEPT", "EXCLUDED"]].tolist() == [15, 10, 5]
    assert out.loc["lis/A.csv", "duplicate"] == 3
    assert out.loc["lis/B.csv", ["READ", "EXCLUDED", "other patient"]].tolist() == [7, 0, 0]


def test_visit_completeness_counts_analysed_values(adeff, adsl):
    wide = quality.visit_completeness(adeff, adsl).set_index("PARAMCD")
    assert wide.loc["CPAUC", "Baseline"] == "3/3"
    assert wide.loc["CPAUC", "Month 1"] == ""
    assert list(wide.columns)[:3] == ["Baseline", "Month 1", "Month 3"]


# --- figures and palette ---------------------------------------------------------------


def test_palette_is_keyed_by_usubjid_not_row_order():
    ids = ["P1-003", "P1-001", "P1-002", "P1-001"]
    a = participant_palette(ids)
    b = participant_palette(list(reversed(ids)))
    assert a == b
    assert list(a) == ["P1-001", "P1-002", "P1-003"]
    assert len(set(a.values())) == 3
    many = participant_palette(f"P2-{i:03d}" for i in range(30))
    assert len(set(many.values())) == 30
    assert many == participant_palette(sorted(many, reverse=True))


def test_colour_blind_palette_is_seaborns():
    # The hex codes stand in for seaborn's palette so that figures need no seaborn
    # import; they must give exactly seaborn's RGB floats, or figure bytes change.
    import seaborn as sns

    from plmsc.report.style import COLORBLIND

    assert [to_rgb(code) for code in COLORBLIND] == list(sns.color_palette("colorblind", 10))
    first = participant_palette(["P1-001", "P1-002"])
    # COLORBLIND_ORDER starts 0, 1: blue #0173B2 = (1, 115, 178) / 255, then orange.
    assert first["P1-001"] == (1 / 255, 115 / 255, 178 / 255)
    assert first["P1-002"] == to_rgb("#DE8F05")


def test_study_month_is_days_over_30_4375():
    assert DAYS_PER_MONTH == 30.4375
    assert study_month(365.25) == 12.0
    assert study_month(np.array([0.0, 30.4375]))[1] == 1.0


def test_figure_bytes_carry_no_dates_or_versions():
    def make() -> Figure:
        fig = Figure(figsize=(2, 2))
        fig.subplots().plot([0, 1], [0, 1])
        return fig

    png1, png2 = figure_bytes(make(), "png"), figure_bytes(make(), "png")
    pdf1, pdf2 = figure_bytes(make(), "pdf"), figure_bytes(make(), "pdf")
    assert png1 == png2 and pdf1 == pdf2
    assert png1.startswith(b"\x89PNG") and b"Software" not in png1
    assert b"CreationDate" not in pdf1 and b"Producer" not in pdf1


def test_remission_figure_on_hand_made_adeff(adeff, adsl):
    fig = figures.fig_remission(adeff, adsl)
    ax = fig.axes[0]
    filled, empty = ax.collections
    assert len(filled.get_offsets()) == 3  # month 1: two participants, month 3: one
    assert len(empty.get_offsets()) == 9
    assert [t.get_text() for t in ax.get_yticklabels()] == IDS
    assert ax.get_xlabel() == "Time since infusion (months)"
    assert len(FIGURES) == 8  # figures 1, 1b (MMTT glucose), 2-6 and 7 (safety labs)


# --- notebooks -------------------------------------------------------------------------


def test_notebook_inputs_and_relative_parameters():
    inputs = notebook_inputs("03_beta_cell", "single_arm", "/r/phase1")
    assert inputs["adsl"] == "/r/phase1/adam/adsl.csv"
    assert inputs["tests_exploratory_tests"] == "/r/phase1/stats/exploratory_tests.csv"
    randomised = notebook_inputs("03_beta_cell", "randomised", "/r/p2")
    assert {"tests_ancova", "tests_trajectories"} <= set(randomised)
    values = notebook_values(
        "03_beta_cell", "phase1", {"design": "single_arm", "analysis": {"blq": "half"}}
    )
    params = notebook_parameters(inputs, "/r/phase1/notebooks", values)
    assert params == {
        "cohort": "phase1",
        "design": "single_arm",
        "blq": "half",
        "adsl": "../adam/adsl.csv",
        "adlb": "../adam/adlb.csv",
        "adeff": "../adam/adeff.csv",
        "sensitivity": "../stats/sensitivity.csv",
        # figures are the manuscript's PNGs, never drawn again by the notebook
        "fig1_mmtt_curves": "../manuscript/fig1_mmtt_curves.png",
        "fig1b_mmtt_glucose": "../manuscript/fig1b_mmtt_glucose.png",
        "fig2_cpeptide_auc": "../manuscript/fig2_cpeptide_auc.png",
        "tests": ["../stats/exploratory_tests.csv"],
    }


def test_every_manuscript_figure_is_shown_by_one_notebook_and_drawn_by_none():
    from plmsc.report.catalogue import NOTEBOOKS

    shown = [f for spec in NOTEBOOKS for f in spec.figures]
    assert sorted(shown) == sorted(FIGURES)
    for spec in NOTEBOOKS:
        source = (REPO / "notebooks" / f"{spec.name}.ipynb").read_text(encoding="utf-8")
        assert "show_figure(" not in source, spec.name
        for figure in spec.figures:
            assert f"show_png({figure})" in source, (spec.name, figure)


def test_scrub_removes_timestamps_and_random_ids():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["injected-parameters"]})
    cell.metadata["papermill"] = {"start_time": "t0", "end_time": "t1", "duration": 0.1}
    cell.metadata["execution"] = {"iopub.execute_input": "t0"}
    nb.cells = [cell]
    nb.metadata["papermill"] = {
        "start_time": "t0",
        "input_path": "/abs/in.ipynb",
        "output_path": "/abs/out.ipynb",
        "parameters": {"cohort": "phase1"},
    }
    scrub_notebook(nb)
    assert nb.metadata["papermill"] == {"parameters": {"cohort": "phase1"}}
    assert cell.id == "injected-parameters"
    assert "papermill" not in cell.metadata and "execution" not in cell.metadata


def test_index_links_every_notebook():
    links = index_links(["manuscript/numbers.json", "manuscript/table_s1_sensitivity.html"])
    hrefs = [href for href, _, _ in links]
    assert hrefs[: len(NOTEBOOK_NAMES)] == [f"notebooks/{n}.html" for n in NOTEBOOK_NAMES]
    assert links[-2][2] == "Every number the results section quotes (JSON)."
    assert links[-1][2].startswith("Table S1.")


def test_test_exclusions_lists_who_was_left_out():
    frame = pd.DataFrame(
        {
            "PARAMCD": ["CPAUC", "CPAUC"],
            "TEST": ["Friedman across visits", "Wilcoxon signed-rank, baseline vs Month 12"],
            "N": [3, 4],
            "N_EXCLUDED": [1, 0],
            "EXCLUDED": ["P1-004", ""],
        }
    )
    got = tables.test_exclusions(frame)
    assert got.values.tolist() == [["CPAUC", "Friedman across visits", 3, 1, "P1-004"]]
    assert tables.test_exclusions(frame.drop(columns=["N_EXCLUDED"])).empty


# --- antibody positivity and the arm comparison ------------------------------------


def _titres() -> pd.DataFrame:
    # GADA cut-off 10: baseline 100 / 8 / 300 (2 of 3 positive), month 3 60 / 5 / 9
    # (1 of 3 positive)
    rows = [
        *_rows("GADA", "Baseline", -7, [100, 8, 300], [100, 8, 300]),
        *_rows("GADA", "Month 3", 90, [60, 5, 9], [100, 8, 300]),
    ]
    frame = pd.DataFrame(rows).astype({"AVISITN": "Int64", "ADY": "Int64", "AVAL": float})
    frame["CRIT1"] = "GADA >= 10 IU/mL"
    frame["CRIT1FL"] = np.where(frame["AVAL"] >= 10, "Y", "N")
    return frame


def test_table2_shows_antibody_positivity_per_visit(adsl):
    t2 = tables.endpoints_by_visit(_titres(), adsl, "single_arm", ["GADA"])
    pos = t2[t2["Endpoint"] == "GADA positive, n/N (%)"].set_index("Visit")
    # 2/3 = 66.7 % -> 67 %; 1/3 = 33.3 % -> 33 %
    assert pos.loc["Baseline", "Median (min–max)"] == "2/3 (67 %)"
    assert pos.loc["Month 3", "Median (min–max)"] == "1/3 (33 %)"


def test_numbers_quote_antibody_positivity():
    got = numbers.antibody_positivity(_titres(), "GADA")
    assert got["cutoff"] == "GADA >= 10 IU/mL"
    assert got["by_visit"][1] == {
        "visit": "Month 3",
        "n_assessed": 3,
        "n_positive": 1,
        "pct_positive": 33.0,
    }


def _safety(arms):
    overview = pd.DataFrame(
        {
            "ARM": "Total",
            "CATEGORY": ["Any adverse event", "Serious adverse event"],
            "N_PARTICIPANTS": [2, 0],
            "N_ARM": 3,
            "N_EVENTS": [3, 0],
        }
    )
    rates = pd.DataFrame(
        {
            "ARM": "Total",
            "PERIOD": ["Overall"],
            "LEVEL": ["Level 1"],
            "N_EVENTS": [2],
            "N_WITH_EVENT": [1],
            "RATE_PER_PY": [2 / 3],
        }
    )
    return overview, rates


def test_numbers_of_an_unblinded_randomised_cohort_compare_the_arms(adeff):
    adsl = pd.DataFrame({"USUBJID": IDS, "ARM": ["MSC", "MSC", "PLACEBO"]})
    ancova = pd.DataFrame(
        [
            {
                "PARAMCD": "CPAUCL", "VISIT": "Month 12", "STATUS": "estimated", "REASON": "",
                "TREATED": "MSC", "REFERENCE": "PLACEBO", "N_TREATED": 2, "N_REFERENCE": 1,
                "ADJMEAN_TREATED_NMOL": 0.4125, "ADJMEAN_TREATED_NMOL_LO": 0.30049,
                "ADJMEAN_TREATED_NMOL_HI": 0.5, "ADJMEAN_REFERENCE_NMOL": 0.2,
                "ADJMEAN_REFERENCE_NMOL_LO": 0.1, "ADJMEAN_REFERENCE_NMOL_HI": 0.3,
                "DIFF_NMOL": 0.2125, "DIFF_NMOL_LO": -0.0125, "DIFF_NMOL_HI": 0.4375,
                "DIFF_LOG": 0.16, "DIFF_LOG_LO": -0.01, "DIFF_LOG_HI": 0.33,
                "RATIO_AUCP1": 1.17351, "RATIO_AUCP1_LO": 0.99, "RATIO_AUCP1_HI": 1.39,
                "P": 0.0004,
            }
        ]
    )  # fmt: skip
    overview, rates = _safety(["Total"])
    n = numbers.results_numbers(
        adsl, adeff, overview, rates, "randomised", "Month 12", {"ancova": ancova}
    )
    # no pooled effect: remission, C-peptide and nadir only per arm
    assert "remission" not in n and "cpeptide_auc" not in n and "antibody_nadir" not in n
    assert n["n_by_arm"] == {"MSC": 2, "PLACEBO": 1}
    # MSC = P1-001, P1-002: REMISS at month 1 yes/yes; PLACEBO = P1-003: no
    assert n["by_arm"]["MSC"]["remission"]["n_first_visit"] == 2
    assert n["by_arm"]["PLACEBO"]["remission"]["n_first_visit"] == 0
    # MSC CPAUC baseline 0.2, 0.4: median 0.3; PLACEBO 0.9
    assert n["by_arm"]["MSC"]["cpeptide_auc"]["median_baseline"] == 0.3
    assert n["by_arm"]["PLACEBO"]["cpeptide_auc"]["median_baseline"] == 0.9
    # GADA nadir by arm: MSC month 3 (-40, -50) median -45; PLACEBO month 3 -45
    assert n["by_arm"]["MSC"]["antibody_nadir"]["GADA"]["median_pct_change"] == -45.0
    a = n["arm_comparison"]["ancova"]
    # nmol/L with CPAUC's 3 decimals, half away from zero: 0.4125 -> 0.413, -0.0125 -> -0.013
    assert a["adjusted_mean_nmol_per_l"]["MSC"] == {"estimate": 0.413, "ci_lo": 0.3, "ci_hi": 0.5}
    assert a["difference_nmol_per_l"] == {"estimate": 0.213, "ci_lo": -0.013, "ci_hi": 0.438}
    assert (a["p"], a["p_text"], a["comparison"]) == (0.0, "<0.001", "MSC - PLACEBO")


def test_numbers_of_a_blinded_cohort_are_pooled_only(adeff):
    adsl = pd.DataFrame({"USUBJID": IDS, "ARM": "BLINDED"})
    overview, rates = _safety(["Total"])
    n = numbers.results_numbers(adsl, adeff, overview, rates, "randomised")
    assert "by_arm" not in n and "arm_comparison" not in n and "n_by_arm" not in n
    assert n["remission"]["n_first_visit"] == 2


def test_numbers_quote_a_not_estimable_ancova():
    ancova = pd.DataFrame(
        [
            {
                "PARAMCD": "CPAUCL", "VISIT": "Month 12", "STATUS": "not estimable",
                "REASON": "fewer than 2 participants in an arm (PLACEBO 1)", "TREATED": "MSC",
                "REFERENCE": "PLACEBO", "N_TREATED": 4, "N_REFERENCE": 1, "P": np.nan,
            }
        ]
    )  # fmt: skip
    got = numbers.ancova_numbers(ancova)
    assert got["status"] == "not estimable" and "p" not in got
    assert got["reason"] == "fewer than 2 participants in an arm (PLACEBO 1)"


def test_table2_baseline_row_shows_the_baseline_record(adsl):
    # P1-003's baseline is its day 0 value (0.5, ABLFL = Y, Infusion visit); the
    # Baseline-window value 0.9 of day -7 is analysed for that visit but is not the
    # baseline. Table 2's Baseline row takes 0.2, 0.4, 0.5: median 0.4, max 0.5.
    rows = _rows("CPAUC", "Baseline", -7, [0.2, 0.4, 0.9])
    rows[2]["ABLFL"] = None
    rows.append({**rows[2], "AVISIT": "Infusion", "AVISITN": 0, "ADY": 0, "AVAL": 0.5,
                 "ABLFL": "Y"})  # fmt: skip
    eff = pd.DataFrame(rows).astype({"AVISITN": "Int64", "ADY": "Int64", "AVAL": float})
    t2 = tables.endpoints_by_visit(eff, adsl, "single_arm", ["CPAUC"]).set_index("Visit")
    assert t2.loc["Baseline", "Median (min–max)"] == "0.400 (0.200–0.500)"
    assert t2.loc["Infusion", "Median (min–max)"] == "0.500 (0.500–0.500)"


def test_notebook_listing_writes_p_values_as_p_values():
    frame = pd.DataFrame(
        {"TEST": ["a", "b"], "P": [5.787e-07, 0.125], "P_METHOD": ["exact", "exact"],
         "STATISTIC": [16.0, 0.123456]}
    )  # fmt: skip
    html = tables.show(frame).data
    assert "<td>&lt;0.001</td>" in html and "<td>0.125</td>" in html
    assert "<td>0.1235</td>" in html  # other floats: 4 significant digits


def test_notebook_table_shows_its_first_rows_and_counts_the_rest():
    # 1,205 rows with max_rows = 200: rows 0-199 shown (row 199 is the last), then
    # the line "First 200 of 1,205 rows shown"; the p-value format is judged on the
    # whole column, so a shown 0.5 reads 0.5 whatever the hidden rows hold.
    frame = pd.DataFrame({"ROW": range(1205), "P": [0.5] * 1205})
    html = tables.show(frame).data
    assert html.count("<tr>") == 200  # data rows (the header row has a style)
    assert "<td>199</td>" in html and "<td>200</td>" not in html
    assert "First 200 of 1,205 rows shown" in html
    assert "<td>0.500</td>" in html  # format_p: 3 decimals


def test_notebook_table_at_the_row_limit_is_shown_whole_without_a_note():
    frame = pd.DataFrame({"ROW": range(3)})
    html = tables.show(frame, max_rows=3).data
    assert html == frame.to_html(index=False, border=0, na_rep="")
    assert "rows shown" not in html
