"""REDCap raw export -> adsl, advs, adae, adhypo; validation against the data dictionary."""

from __future__ import annotations

import pandas as pd
import pytest
from ingest_fixtures import DICTIONARY, cohort, default_redcap, make_raw, visit

from plmsc.ingest import InputError, build_adam


def build(tmp_path, redcap=None, cfg=None, **kw):
    return build_adam(cfg or cohort(), make_raw(tmp_path, {}, redcap, **kw))


def with_rows(*extra, change=None):
    rows = default_redcap()
    for rec, event, field, value in change or []:
        for r in rows:
            if r["record_id"] == rec and r["redcap_event_name"] == event:
                r[field] = value
    return rows + list(extra)


def ae(rec, inst, **kw):
    row = {
        "record_id": rec,
        "redcap_event_name": "week_1_arm_1",
        "redcap_repeat_instrument": "adverse_events",
        "redcap_repeat_instance": str(inst),
        "ae_term": "headache",
        "ae_soc": "Nervous system disorders",
        "ae_pt": "Headache",
        "ae_start": "2019-04-16",
        "ae_end": "2019-04-18",
        "ae_grade": "1",
        "ae_serious": "0",
        "ae_related": "2",
        "ae_outcome": "1",
        "adverse_events_complete": "2",
    }
    row.update(kw)
    return row


def hypo(rec, inst, when, glucose, assist):
    return {
        "record_id": rec,
        "redcap_event_name": "month_1_arm_1",
        "redcap_repeat_instrument": "hypoglycaemia",
        "redcap_repeat_instance": str(inst),
        "hypo_datetime": when,
        "hypo_glucose_mgdl": glucose,
        "hypo_assist": assist,
        "hypoglycaemia_complete": "2",
    }


# --- adsl, advs ------------------------------------------------------------------


def test_adsl_derivations(tmp_path):
    adsl = build(tmp_path).adsl.set_index("USUBJID")
    p1 = adsl.loc["P1-001"]
    # dob 2008-03-02 -> 2019-03-02 is 11 years = 4015 + 2 leap days = 4017 days;
    # 2019-03-02 -> 2019-04-15 is 44 days: 4061 / 365.25 = 11.118 -> 11.1
    assert p1["AGE"] == 11.1
    assert p1["SEX"] == "F" and p1["ARM"] == "PLMSC"
    assert p1["DIABDUR"] == 45  # 2019-03-01 -> 2019-04-15
    assert p1["HEIGHTBL"] == 150.0 and p1["WEIGHTBL"] == 40.0
    assert p1["BMIBL"] == 17.8  # 40 / 1.5^2 = 17.78
    assert p1["DOSE"] == 1e6 and p1["VIABPCT"] == 95.5
    assert (p1["DKAONSET"], p1["INFREAC"], p1["SAFFL"]) == ("Y", "N", "Y")
    p2 = adsl.loc["P1-002"]
    # 2006-10-20 -> 2018-10-20: 12 years = 4380 + 3 leap days (2008, 2012, 2016) = 4383;
    # 2018-10-20 -> 2019-05-01: 11 + 30 + 31 + 31 + 28 + 31 + 30 + 1 = 193; 4576 / 365.25 = 12.53
    assert p2["AGE"] == 12.5 and p2["SEX"] == "M" and p2["DKAONSET"] == "N"
    assert list(adsl.columns)[:3] == ["SEX", "AGE", "ARM"]


def test_advs_weight_and_insulin_doses(tmp_path):
    advs = build(tmp_path).advs
    p1 = advs[advs["USUBJID"] == "P1-001"]
    got = {(r.PARAMCD, r.AVISIT): (r.AVAL, r.ADY, r.AVALU) for r in p1.itertuples()}
    assert got[("WEIGHT", "Baseline")] == (40.0, -7, "kg")
    assert got[("TDD1", "Baseline")] == (20.0, -7, "U/24h")
    assert got[("TDD3", "Week 1")] == (17.0, 7, "U/24h")
    assert ("WEIGHT", "Week 1") not in got  # not entered: no row
    assert set(advs["AVISITN"]) == {-7, 7}


def test_randomised_cohort_arms_and_blinded(tmp_path):
    cfg = cohort()
    cfg["design"] = "randomised"
    rand = "record_id,arm,rand_date\nP1-001,MSC,2019-04-10\nP1-002,PLACEBO,2019-04-25\n"
    ds = build(tmp_path / "a", cfg=cfg, randomisation=rand)
    assert ds.adsl["ARM"].tolist() == ["MSC", "PLACEBO"]
    assert "2019" not in ds.adsl.to_csv()
    assert ds.adsl["DOSE"].notna().all()
    blinded = build(tmp_path / "b", cfg=cfg)
    assert blinded.adsl["ARM"].tolist() == ["BLINDED", "BLINDED"]
    # a placebo infusion has no cells: dose and viability would unblind, so both are
    # withheld until the randomisation list arrives
    assert blinded.adsl["DOSE"].isna().all()
    assert blinded.adsl["VIABPCT"].isna().all()


# --- adae, adhypo ----------------------------------------------------------------


def test_adae(tmp_path):
    rows = with_rows(
        ae(
            "P1-001",
            1,
            ae_start="2019-05-01",
            ae_end="",
            ae_related="4",
            ae_serious="1",
            ae_grade="3",
            ae_outcome="2",
        ),
        ae("P1-001", 2, ae_start="2019-04-10", ae_end="2019-04-11"),
    )
    adae = build(tmp_path, rows).adae
    assert adae["AESEQ"].tolist() == [1, 2]
    first, second = adae.iloc[0], adae.iloc[1]
    assert (first["ASTDY"], first["AENDY"], first["TRTEMFL"]) == (-5, -4, "N")
    assert (first["AREL"], first["AERELFL"], first["AESER"]) == (2, "N", "N")
    assert (second["ASTDY"], second["AENDY"], second["TRTEMFL"]) == (16, pd.NA, "Y") or (
        second["ASTDY"] == 16 and pd.isna(second["AENDY"])
    )
    assert (second["AETOXGR"], second["AREL"], second["AERELFL"]) == (3, 4, "Y")
    assert (second["AESER"], second["AEOUT"]) == ("Y", 2)
    assert second["AEDECOD"] == "Headache" and second["AESOC"] == "Nervous system disorders"


def test_adhypo_levels(tmp_path):
    cases = [
        ("48", "0", 2, ""),
        ("54", "0", 1, ""),
        ("69", "0", 1, ""),
        ("70", "0", None, "Y"),
        ("", "1", 3, ""),
        ("80", "1", 3, ""),
        ("", "0", None, ""),
    ]
    rows = with_rows(
        *[
            hypo("P1-001", i + 1, f"2019-05-{10 + i:02d} 03:00", g, a)
            for i, (g, a, _, _) in enumerate(cases)
        ]
    )
    adhypo = build(tmp_path, rows).adhypo
    assert adhypo["HYPOSEQ"].tolist() == list(range(1, 8))
    assert adhypo["ADY"].tolist() == list(range(25, 32))
    assert [None if pd.isna(v) else int(v) for v in adhypo["LEVEL"]] == [c[2] for c in cases]
    assert adhypo["HYPOFL"].fillna("").tolist() == [c[3] for c in cases]
    assert adhypo["ASSIST"].tolist() == ["N", "N", "N", "N", "Y", "Y", "N"]
    assert pd.isna(adhypo["GLUC"].iloc[4]) and adhypo["GLUC"].iloc[0] == 48.0


def test_missing_instruments_give_empty_datasets(tmp_path):
    keep = {"demographics", "infusion"}
    small = [f for f in DICTIONARY if f[1] in keep]
    rows = [
        {k: v for k, v in r.items() if not k.startswith(("visit", "weight", "tdd"))}
        for r in default_redcap()
        if r["redcap_event_name"] != "week_1_arm_1"
    ]
    ds = build(tmp_path, rows, dictionary=small)
    assert ds.adae.empty and ds.adhypo.empty and ds.advs.empty and ds.adlb.empty
    assert "AETOXGR" in ds.adae.columns and "LEVEL" in ds.adhypo.columns
    assert len(ds.adsl) == 2 and ds.adsl["WEIGHTBL"].isna().all()


def test_newest_export_is_used_and_older_counted(tmp_path):
    raw = make_raw(
        tmp_path, {}, default_redcap()[:2], export_name="TESTPRJ_DATA_2019-12-01_0800.csv"
    )
    make_raw(tmp_path, {}, default_redcap())  # newer export, same folder
    ds = build_adam(cohort(), raw)
    assert len(ds.adsl) == 2
    r = ds.reconciliation.set_index(["SRCFILE", "REASON"])["N"]
    assert r[("redcap/TESTPRJ_DATA_#1.csv", "superseded export")] == 2
    assert r[("redcap/TESTPRJ_DATA_#2.csv", "adsl/advs")] == 5


# --- validation ------------------------------------------------------------------


def error_of(tmp_path, rows, **kw):
    with pytest.raises(InputError) as info:
        build(tmp_path, rows, **kw)
    return info.value


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (("P1-001", "screening_arm_1", "weight_kg", "40000"), "weight_kg", "grams"),
        (("P1-001", "week_1_arm_1", "visit_date", "1919-04-22"), "visit_date", "wrong century"),
        (
            ("P1-001", "infusion_arm_1", "infusion_date", "2119-04-15"),
            "infusion_date",
            "wrong century",
        ),
        (("P1-001", "screening_arm_1", "dob", "1908-03-02"), "dob", "between 1990-01-01"),
        (("P1-001", "week_1_arm_1", "visit_date", "2019-04-01"), "visit_date", "screening"),
        (("P1-001", "screening_arm_1", "tdd_day2", "-1"), "tdd_day2", "0 U or more"),
        (("P1-001", "screening_arm_1", "tdd_day1", "130"), "tdd_day1", "3 U/kg"),
        (("P1-001", "week_1_arm_1", "tdd_day3", "121"), "tdd_day3", "3 U/kg"),  # 121/40 kg
        (
            ("P1-001", "infusion_arm_1", "viability_pct", "105"),
            "viability_pct",
            "between 0 and 100",
        ),
        (("P1-001", "week_1_arm_1", "visit_date", "22/04/2019"), "visit_date", "YYYY-MM-DD"),
        (("P1-001", "screening_arm_1", "sex", "Female"), "sex", "labels instead of codes"),
        (("P1-001", "screening_arm_1", "sex", "3"), "sex", "1 (Male), 2 (Female)"),
        (("P1-001", "screening_arm_1", "height_cm", "1.5 m"), "height_cm", "a number"),
    ],
)
def test_entry_errors_name_record_event_field(tmp_path, change, field, words):
    err = error_of(tmp_path, with_rows(change=[change]))
    msg = str(err)
    assert err.record == change[0] and err.event == change[1] and err.field == field
    assert f"record {change[0]}" in msg and f"event {change[1]}" in msg and f"field {field}" in msg
    assert "TESTPRJ_DATA_2020-01-10_0930.csv" in msg and words in msg


def test_tdd_of_3_u_per_kg_is_accepted(tmp_path):
    build(tmp_path, with_rows(change=[("P1-001", "week_1_arm_1", "tdd_day3", "120")]))  # 3.0


def test_dob_in_the_wrong_century_without_dictionary_limits(tmp_path):
    dictionary = [(*f[:5], "", "") if f[0] == "dob" else f for f in DICTIONARY]
    change = [("P1-001", "screening_arm_1", "dob", "1908-03-02")]
    err = error_of(tmp_path, with_rows(change=change), dictionary=dictionary)
    assert err.field == "dob" and "wrong century" in str(err)
    assert "1908" not in str(err)  # an identifying value is never quoted


def test_unknown_event_is_an_error(tmp_path):
    rows = with_rows(visit("P1-001", "month_7_arm_1", "2019-11-15", "41"))
    assert "redcap_event_name" in str(error_of(tmp_path, rows))


def test_labels_export_fails_clearly(tmp_path):
    raw = make_raw(tmp_path, {})
    path = next((raw / "redcap").glob("TESTPRJ_DATA_*.csv"))
    text = path.read_text().replace("record_id,redcap_event_name", "Record ID,Event Name", 1)
    path.write_text(text)
    with pytest.raises(InputError, match="labels"):
        build_adam(cohort(), raw)


def test_ae_ending_before_it_starts_is_an_error(tmp_path):
    rows = with_rows(ae("P1-001", 1, ae_start="2019-05-01", ae_end="2019-04-30"))
    err = error_of(tmp_path, rows)
    assert err.field == "ae_end" and err.instance == "adverse_events #1"


def test_repeated_row_is_an_error(tmp_path):
    rows = default_redcap()
    assert "repeats" in str(error_of(tmp_path, [*rows, rows[-1]]))
