"""The simulator: formulas by hand, determinism, and the committed phase 1 exports.

The committed files must show every behaviour of docs/raw-exports.md and
the published phase 1 course. They are read here with the plain reader of
tests/rawcheck.py, independent of the ingestion package.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from conftest import PHASE1_RAW
from rawcheck import analysis_values, final_results, read_lis, read_redcap

from plmsc.simulate import cohort as phys
from plmsc.simulate import simulate_cohort
from plmsc.simulate.lis import mmtt_labels, render

# --- formulas, worked by hand ---------------------------------------------------


def _subject(**values) -> pd.DataFrame:
    return pd.DataFrame([values])


def test_fasting_cpeptide_halves_in_a_year_when_k_is_ln2():
    s = _subject(c0=0.3, k=math.log(2))
    got = phys.fasting_cpeptide(s, np.array([-7, 0, 365]))
    np.testing.assert_allclose(got, [0.3, 0.3, 0.15])


def test_hba1c_course():
    s = _subject(h0=10.0, hn=7.0, hrise=0.6, diabdur=30)
    # day 0: 30 days from diagnosis -> 7 + 3 e^-1 = 8.10364
    # day 365: 7 + 3 e^(-395/30) + 0.6 * (365 - 120) / 245 = 7.6000056
    got = phys.hba1c(s, np.array([0, 365]))
    np.testing.assert_allclose(got, [7 + 3 * math.exp(-1), 7.6 + 3 * math.exp(-395 / 30)])
    assert got[0] == pytest.approx(8.10364, abs=1e-5)


def test_insulin_dose_course():
    s = _subject(d0=0.8, dn=0.3, drise=0.4)
    # day 0: 0.8; day 10: 0.3 + 0.5 e^-1 = 0.48394; day 365: 0.3 + 0.4 = 0.7 (+ 0.5 e^-36.5)
    got = phys.insulin_dose(s, np.array([0, 10, 365]))
    np.testing.assert_allclose(got, [0.8, 0.3 + 0.5 * math.exp(-1), 0.7], atol=1e-12)


def test_antibody_course_after_msc_has_its_nadir_at_month_3():
    s = _subject(treated=True)
    got = phys.antibody_factor(s.loc[[0] * 4], np.array([0, 45, 90, 400]))
    # day 45 lies half way between 0.78 (day 30) and 0.61 (day 60): 0.695
    np.testing.assert_allclose(got, [1.0, 0.695, 0.48, 1.05])


def test_mmtt_labels_canonical_and_hand_typed():
    got = mmtt_labels(np.array([-10, 30, 30, 30, 30, -10]), np.array([0, 1, 2, 3, 4, 1]))
    assert list(got) == [
        "MMTT -10",
        "MMTT T+30",
        "MMTT 30MIN",
        "MMTT 30 min",
        "mmtt 30",
        "MMTT T-10",
    ]


def test_render_converts_to_the_reported_unit():
    switch = pd.Timestamp("2020-01-01")
    before, after = pd.Timestamp("2019-06-01 08:00"), pd.Timestamp("2020-06-01 08:00")
    rows = pd.DataFrame(
        {
            "test": ["CPEP", "CPEP", "CPEP", "HBA1C", "HBA1C", "GLU", "IA2A", "CPEP"],
            "collected": [before, after, after, before, after, after, after, before],
            "family": ["mmtt"] * 7 + ["fasting"],
            "value": [0.5, 0.5, 0.01, 7.0, 7.0, 180.16, 4500.0, 0.123],
        }
    )
    got = render(rows, switch)
    # 0.5 nmol/L = 0.5 * 3.02029 = 1.51 ng/mL = 500 pmol/L; 0.01 nmol/L = 10 pmol/L < 20;
    # 7.0 % = (7.0 - 2.152) / 0.09148 = 52.99 mmol/mol; 180.16 mg/dL / 18.016 = 10.0 mmol/L;
    # fasting C-peptide is reported in nmol/L with 3 decimals.
    assert list(got["RESULT"]) == ["1.51", "500", "<20", "7.0", "53", "10.0", ">4000", "0.123"]
    assert list(got["UNITS"]) == [
        "ng/mL",
        "pmol/L",
        "pmol/L",
        "%",
        "mmol/mol",
        "mmol/L",
        "U/mL",
        "nmol/L",
    ]
    # flags: H above the upper reference limit, HH above 2.5 x it, LL below half the lower one
    assert list(got["FLAG"]) == ["", "", "LL", "H", "H", "H", "HH", "LL"]


# --- determinism -------------------------------------------------------------------


def test_same_seed_gives_the_committed_bytes(tmp_path, phase1_config):
    files = simulate_cohort("phase1", phase1_config, tmp_path)
    for path in files:
        rel = path.relative_to(tmp_path)
        assert path.read_bytes() == (PHASE1_RAW / rel).read_bytes(), rel
    committed = {p.relative_to(PHASE1_RAW) for p in PHASE1_RAW.rglob("*") if p.is_file()}
    assert committed == {p.relative_to(tmp_path) for p in files}


def test_another_seed_gives_other_data(tmp_path, phase1_config):
    phase1_config["simulation"]["seed"] += 1
    simulate_cohort("phase1", phase1_config, tmp_path)
    assert (tmp_path / "MANIFEST.sha256").read_bytes() != (
        PHASE1_RAW / "MANIFEST.sha256"
    ).read_bytes()


def test_randomised_cohort_writes_a_two_to_one_list(tmp_path, randomised_config):
    simulate_cohort("p2", randomised_config, tmp_path)
    rand = pd.read_csv(tmp_path / "randomisation.csv", dtype=str)
    assert list(rand.columns) == ["record_id", "arm", "rand_date"]
    assert rand["arm"].value_counts().to_dict() == {"MSC": 20, "PLACEBO": 10}
    assert rand["record_id"].iloc[0] == "P2-001"
    rc = read_redcap(tmp_path)
    inf = rc.loc[rc["infusion_date"] != ""].set_index("record_id")["infusion_date"]
    placebo = rand.loc[rand["arm"] == "PLACEBO", "record_id"]
    assert (
        rc.set_index("record_id").loc[placebo].query("cells_per_kg != ''")["cells_per_kg"] == "0"
    ).all()
    assert (pd.to_datetime(rand.set_index("record_id")["rand_date"]) < pd.to_datetime(inf)).all()


def test_blinded_randomised_cohort_has_no_list(tmp_path, randomised_config):
    randomised_config["simulation"]["unblinded"] = False
    files = simulate_cohort("p2", randomised_config, tmp_path)
    assert not (tmp_path / "randomisation.csv").exists()
    assert all(f.name != "randomisation.csv" for f in files)


# --- every behaviour of the raw-export spec is in the committed data ----------------


@pytest.fixture(scope="module")
def lis() -> pd.DataFrame:
    return read_lis(PHASE1_RAW)


@pytest.fixture(scope="module")
def redcap() -> pd.DataFrame:
    return read_redcap(PHASE1_RAW)


@pytest.fixture(scope="module")
def trial_mrns(redcap) -> set[str]:
    return set(redcap.loc[redcap["mrn"] != "", "mrn"])


def test_lis_files_have_bom_crlf_and_the_spec_columns():
    paths = sorted((PHASE1_RAW / "lis").glob("LIS_EXPORT_*.csv"))
    assert len(paths) >= 4
    for path in paths:
        data = path.read_bytes()
        assert data.startswith(
            b"\xef\xbb\xbfMRN,PATIENT_NAME,DOB,SEX,ACCESSION,COLLECTED,TEST_CODE,TEST_NAME,"
        )
        assert data.count(b"\r\n") == data.count(b"\n")  # every line ends in CRLF
        header = data[3:].split(b"\r\n")[0].decode()
        assert header == (
            "MRN,PATIENT_NAME,DOB,SEX,ACCESSION,COLLECTED,TEST_CODE,TEST_NAME,SAMPLE_LABEL,"
            "RESULT,UNITS,REF_RANGE,FLAG,STATUS,VERIFIED_AT"
        )


def test_lis_field_formats(lis):
    assert lis["MRN"].str.fullmatch(r"\d{8}").all()
    assert lis["MRN"].str.startswith("0").any()  # leading zeros must survive
    assert lis["PATIENT_NAME"].str.fullmatch(r"[A-Z]+, [A-Z][a-z]+").all()
    assert lis["DOB"].str.fullmatch(r"\d{2}/\d{2}/\d{4}").all()
    assert lis["COLLECTED"].str.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}").all()
    assert lis["VERIFIED_AT"].str.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}").all()
    assert lis["ACCESSION"].str.fullmatch(r"A\d{2}-\d{7}").all()
    assert set(lis["SEX"]) == {"M", "F"}
    assert set(lis["STATUS"]) == {"F", "C", "X"}
    assert set(lis["FLAG"]) <= {"", "H", "L", "HH", "LL"}


def test_overlapping_pulls_repeat_rows_byte_for_byte(lis):
    counts = lis.drop(columns="FILE").value_counts()
    assert (counts > 1).sum() > 100


def test_other_clinics_patients_are_in_the_pulls(lis, trial_mrns):
    others = lis[~lis["MRN"].isin(trial_mrns)]
    assert others["MRN"].nunique() >= 5
    assert {"GLU", "HBA1C"} & set(others["TEST_CODE"])  # trial test codes too


def test_unused_test_codes_appear(lis, trial_mrns):
    used = {
        "CPEP",
        "GLU",
        "HBA1C",
        "GADA",
        "ZNT8A",
        "IA2A",
        "ALT",
        "AST",
        "CREAT",
        "WBC",
        "PLT",
        "HGB",
    }
    trial = lis[lis["MRN"].isin(trial_mrns)]
    assert set(trial["TEST_CODE"]) - used  # e.g. TSH, CRP ordered by the clinic


def test_corrections_supersede_a_different_first_release(lis):
    key = ["ACCESSION", "TEST_CODE", "SAMPLE_LABEL"]
    corrected = lis[lis["STATUS"] == "C"].drop_duplicates(key)
    assert len(corrected) >= 1
    first = lis[lis["STATUS"] == "F"].drop_duplicates(key)
    both = corrected.merge(first, on=key, suffixes=("_c", "_f"))
    assert len(both) == len(corrected)
    assert (both["RESULT_c"] != both["RESULT_f"]).all()
    assert (
        pd.to_datetime(both["VERIFIED_AT_c"], format="%d/%m/%Y %H:%M")
        > pd.to_datetime(both["VERIFIED_AT_f"], format="%d/%m/%Y %H:%M")
    ).all()


def test_cancellations_void_an_earlier_result(lis):
    key = ["ACCESSION", "TEST_CODE", "SAMPLE_LABEL"]
    cancelled = lis[lis["STATUS"] == "X"].drop_duplicates(key)
    assert len(cancelled) >= 1
    assert len(cancelled.merge(lis[lis["STATUS"] == "F"], on=key)) >= 1


def test_a_haemolysed_tube_is_redrawn_under_a_new_accession(lis, trial_mrns):
    trial = lis[lis["MRN"].isin(trial_mrns)].drop_duplicates(["ACCESSION", "TEST_CODE"])
    hemo = trial[trial["RESULT"] == "HEMOLYZED"]
    assert len(hemo) >= 1
    day = pd.to_datetime(trial["COLLECTED"].str[:10], format="%d/%m/%Y")
    for _, row in hemo.iterrows():
        same = trial[(trial["MRN"] == row["MRN"]) & (trial["TEST_CODE"] == row["TEST_CODE"])]
        gap = (day[same.index] - pd.to_datetime(row["COLLECTED"][:10], format="%d/%m/%Y")).dt.days
        redraw = same[(gap == 1) & (same["ACCESSION"] != row["ACCESSION"])]
        assert len(redraw) == 1 and redraw["RESULT"].str.fullmatch(r"\d+(\.\d+)?").all()


def test_limits_of_quantification(lis, trial_mrns):
    trial = lis[lis["MRN"].isin(trial_mrns)]
    cpep = trial[trial["TEST_CODE"] == "CPEP"]
    assert cpep["RESULT"].str.fullmatch(r"<\d+(\.\d+)?").any()
    assert trial["RESULT"].str.fullmatch(r">\d+(\.\d+)?").any()


def test_non_results_and_entry_slips(lis, trial_mrns):
    results = set(lis.loc[lis["MRN"].isin(trial_mrns), "RESULT"])
    assert {"HEMOLYZED", "QNS", "SEE COMMENT", ""} <= results
    assert any(r.endswith(" H") and r[:-2].replace(".", "").isdigit() for r in results)
    assert any(r != r.strip() and r.strip().replace(".", "").isdigit() for r in results)


def test_units_change_within_each_participant(lis, trial_mrns):
    trial = lis[lis["MRN"].isin(trial_mrns)]
    cpep = trial[(trial["TEST_CODE"] == "CPEP") & trial["SAMPLE_LABEL"].str.contains("(?i)mmtt")]
    per = cpep.groupby("MRN")["UNITS"].agg(set)
    assert (per.apply(lambda u: {"ng/mL", "pmol/L"} <= u)).all()
    units = trial.groupby("TEST_CODE")["UNITS"].agg(set)
    assert units["CPEP"] == {"ng/mL", "pmol/L", "nmol/L"}
    assert units["HBA1C"] == {"%", "mmol/mol"}
    assert units["GLU"] == {"mg/dL", "mmol/L"}
    assert units["CREAT"] == {"mg/dL", "umol/L"}


def test_mmtt_labels_cover_every_draw_and_variant(lis):
    labels = set(lis.loc[lis["TEST_CODE"] == "CPEP", "SAMPLE_LABEL"])
    for minute in (-10, 0, 15, 30, 60, 90, 120):
        assert f"MMTT {minute}" in labels
    for pattern in (r"MMTT T[+-]\d+", r"MMTT -?\d+MIN", r"MMTT -?\d+ min", r"mmtt -?\d+"):
        assert any(pd.Series(sorted(labels)).str.fullmatch(pattern)), pattern
    assert {"FASTING", ""} <= labels  # fasting samples outside an MMTT


def test_redcap_export_layout(redcap):
    path = next((PHASE1_RAW / "redcap").glob("PLMSCT1D_DATA_*.csv"))
    assert re.fullmatch(r"PLMSCT1D_DATA_\d{4}-\d{2}-\d{2}_\d{4}\.csv", path.name)
    assert list(redcap.columns[:4]) == [
        "record_id",
        "redcap_event_name",
        "redcap_repeat_instrument",
        "redcap_repeat_instance",
    ]
    for form in ("demographics", "infusion", "visit", "adverse_events", "hypoglycaemia"):
        assert f"{form}_complete" in redcap.columns
    assert set(redcap["record_id"]) == {"P1-001", "P1-002", "P1-003", "P1-004"}
    assert set(redcap["sex"]) <= {"", "1", "2"}  # raw codes, not labels
    events = redcap.loc[redcap["redcap_repeat_instrument"] == "", "redcap_event_name"]
    assert events.value_counts().eq(4).all() and events.nunique() == 13
    assert set(redcap["redcap_repeat_instrument"]) == {"", "adverse_events", "hypoglycaemia"}
    dictionary = pd.read_csv(
        next((PHASE1_RAW / "redcap").glob("*_DataDictionary_*.csv")), dtype=str
    )
    assert dictionary.columns[0] == "Variable / Field Name"
    fields = set(dictionary["Variable / Field Name"])
    assert {"mrn", "dob", "weight_kg", "tdd_day3", "ae_grade", "hypo_assist"} <= fields
    weight = dictionary.set_index("Variable / Field Name").loc["weight_kg"]
    assert (weight["Text Validation Min"], weight["Text Validation Max"]) == ("10", "150")


def test_redcap_entries_left_empty(redcap):
    visits = redcap[redcap["visit_date"] != ""]
    assert (visits["weight_kg"] == "").sum() >= 1
    assert (visits["tdd_day3"] == "").sum() >= 1
    hypo = redcap[redcap["redcap_repeat_instrument"] == "hypoglycaemia"]
    assert ((hypo["hypo_glucose_mgdl"] == "") & (hypo["hypo_assist"] == "1")).any()


# --- the published phase 1 course -----------------------------------------------


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    return analysis_values(PHASE1_RAW)


def _visit(day: pd.Series) -> pd.Series:
    """Scheduled month of a study day (baseline = 0) on the phase 1 windows."""
    return pd.cut(
        day,
        [-43, 0, 20, 45, 75, 105, 135, 165, 225, 315, 400],
        labels=[0, 0.5, 1, 2, 3, 4, 5, 6, 9, 12],
        ordered=False,
    )


def test_four_children_aged_8_to_16_one_dose(redcap):
    demo = redcap[redcap["dob"] != ""].set_index("record_id")
    inf = redcap[redcap["infusion_date"] != ""].set_index("record_id")
    age = (pd.to_datetime(inf["infusion_date"]) - pd.to_datetime(demo["dob"])).dt.days / 365.25
    assert len(age) == 4 and age.between(8, 16).all()
    assert (inf["cells_per_kg"] == "1000000").all()


def test_no_serious_adverse_event_and_a_few_grade_1_2(redcap):
    ae = redcap[redcap["redcap_repeat_instrument"] == "adverse_events"]
    assert 3 <= len(ae) <= 15
    assert set(ae["ae_serious"]) == {"0"}
    assert set(ae["ae_grade"]) <= {"1", "2"}


def test_two_remissions_at_month_1_with_hypoglycaemia(values, redcap):
    hb = values[values["TEST_CODE"] == "HBA1C"].assign(month=lambda d: _visit(d["day"]))
    hb1 = hb[hb["month"] == 1].groupby("record_id")["value"].mean()
    visits = redcap[redcap["visit_date"] != ""].copy()
    inf = redcap[redcap["infusion_date"] != ""].set_index("record_id")["infusion_date"]
    visits["day"] = (
        pd.to_datetime(visits["visit_date"]) - pd.to_datetime(visits["record_id"].map(inf))
    ).dt.days
    m1 = visits[visits["redcap_event_name"] == "month_1_arm_1"].set_index("record_id")
    tdd = (
        m1[["tdd_day1", "tdd_day2", "tdd_day3"]].apply(pd.to_numeric, errors="coerce").mean(axis=1)
    )
    dose = tdd / pd.to_numeric(m1["weight_kg"])
    idaa1c = hb1 + 4 * dose  # Mortensen 2009
    remitters = set(idaa1c[idaa1c <= 9].index)
    assert len(remitters) == 2
    hypo = redcap[redcap["redcap_repeat_instrument"] == "hypoglycaemia"].copy()
    hypo["day"] = (
        pd.to_datetime(hypo["hypo_datetime"]) - pd.to_datetime(hypo["record_id"].map(inf))
    ).dt.days
    early = hypo[hypo["day"].between(15, 50)]
    assert set(early["record_id"]) == remitters


def test_gada_and_znt8a_fall_to_month_3_then_rise(values):
    ab = values[values["TEST_CODE"].isin(["GADA", "ZNT8A"])].assign(
        month=lambda d: _visit(d["day"])
    )
    table = ab.pivot_table(
        index=["TEST_CODE", "record_id"], columns="month", values="value", observed=True
    )
    course = table[[0, 1, 2, 3, 6, 9, 12]].to_numpy()
    assert len(course) == 8  # two antibodies x four participants
    assert (np.diff(course[:, :4], axis=1) < 0).all()  # falls until month 3
    assert (np.diff(course[:, 3:], axis=1) > 0).all()  # then rises again


def test_stimulated_c_peptide_declines_over_the_year(values):
    mm = values[(values["TEST_CODE"] == "CPEP") & values["minute"].between(0, 120)]
    mm = mm.assign(month=_visit(mm["day"]))
    wide = mm.pivot_table(
        index=["record_id", "month"], columns="minute", values="value", observed=True
    )
    t = np.array([0, 15, 30, 60, 90, 120])
    wide = wide[t]
    auc = pd.Series(np.trapezoid(wide.to_numpy(), t, axis=1) / 120, index=wide.index).unstack()
    assert list(auc.columns) == [0, 3, 6, 9, 12]
    assert auc.notna().all().all()
    assert (auc[12] < auc[6]).all() and (auc[6] < auc[0]).all()
    assert auc[0].between(0.2, 1.2).all()  # nmol/L, new-onset children


def test_final_results_keep_one_row_per_result(lis):
    final = final_results(lis)
    assert not final.duplicated(["ACCESSION", "TEST_CODE", "SAMPLE_LABEL"]).any()
