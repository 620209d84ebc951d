"""The bad-input cases, in the order of docs/raw-exports.md: LIS, REDCap, randomisation, config.

Each returns the documented outcome (see :mod:`bad_inputs`); line numbers and
records are found in the data, never hard-coded.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bad_inputs.helpers import (
    CASES,
    RAND,
    Handled,
    Outcome,
    Raises,
    case,
    input_error,
    lis_cell_case,
    lis_table,
    pulls,
    randomised,
    rc_error,
    read_rc,
    recon_n,
    redcap_export,
    rel,
    result_row,
    set_lis_cell,
    set_rc,
    trial_mrns,
    write_rc,
)
from plmsc.config import ConfigError
from plmsc.ingest import AdamDatasets

Cfg = dict[str, Any]

# --- LIS: the file -----------------------------------------------------------------


@case
def lis_missing_column(raw: Path, cfg: Cfg) -> Outcome:
    """LIS pull without its FLAG column."""
    path = pulls(raw)[1]
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    drop = rows[0].index("FLAG")
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([r[:drop] + r[drop + 1 :] for r in rows])
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    return input_error(rel(raw, path), "line 1", "column header", "missing FLAG", line=1)


@case
def lis_renamed_column(raw: Path, cfg: Cfg) -> Outcome:
    """LIS pull whose TEST_CODE column is called TESTCODE."""
    path = pulls(raw)[0]
    path.write_bytes(path.read_bytes().replace(b",TEST_CODE,", b",TESTCODE,", 1))
    return input_error(
        rel(raw, path), "line 1", "missing TEST_CODE", "unexpected TESTCODE", field="header"
    )


@case
def lis_empty_file(raw: Path, cfg: Cfg) -> Outcome:
    """LIS pull of 0 bytes."""
    path = pulls(raw)[2]
    path.write_bytes(b"")
    return input_error(rel(raw, path), "the file is empty (0 bytes)", field="")


@case
def lis_header_only(raw: Path, cfg: Cfg) -> Outcome:
    """LIS pull with the header row and no result (a pull of a quiet period)."""
    path = pulls(raw)[-1]
    path.write_bytes(path.read_bytes().split(b"\r\n", 1)[0] + b"\r\n")

    def check(ds: AdamDatasets, base: AdamDatasets) -> None:
        assert recon_n(ds, "lis/LIS_EXPORT_#6.csv", "adlb") == 0
        assert set(ds.reconciliation["SRCFILE"]) == set(base.reconciliation["SRCFILE"])
        assert 0 < len(ds.adlb) <= len(base.adlb)

    return Handled("read; the pull is listed in the reconciliation with 0 rows", check)


@case
def lis_truncated(raw: Path, cfg: Cfg) -> Outcome:
    """LIS pull cut in the middle of a line (an interrupted copy)."""
    path = pulls(raw)[2]
    data = path.read_bytes()
    lines = data.split(b"\r\n")
    keep = b"\r\n".join(lines[:39]) + b"\r\n" + lines[39][: len(lines[39]) // 2]
    path.write_bytes(keep)
    return input_error(rel(raw, path), "line 40", "15 comma-separated fields", line=40, field="")


@case
def lis_stray_comma(raw: Path, cfg: Cfg) -> Outcome:
    """LIS row with an unquoted decimal comma in RESULT (16 fields)."""
    row = result_row(raw, "HBA1C")
    path, line = row["FILE"], int(row["LINE"])
    lines = path.read_bytes().split(b"\r\n")
    cells = lines[line - 1].rsplit(b",", 6)
    cells[1] = cells[1].replace(b".", b",") if b"." in cells[1] else cells[1] + b",5"
    lines[line - 1] = b",".join(cells)
    path.write_bytes(b"\r\n".join(lines))
    return input_error(rel(raw, path), f"line {line}", "has '16 fields'", line=line)


@case
def lis_latin1_name(raw: Path, cfg: Cfg) -> Outcome:
    """LIS row whose PATIENT_NAME is in Latin-1, not UTF-8."""
    row = result_row(raw)
    path, line = row["FILE"], int(row["LINE"])
    lines = path.read_bytes().split(b"\r\n")
    lines[line - 1] = lines[line - 1].replace(b", ", ", Zo\u00e9 ".encode("latin-1"), 1)
    path.write_bytes(b"\r\n".join(lines))
    return input_error(
        rel(raw, path), f"line {line}", "column PATIENT_NAME", "0xE9 is not UTF-8", line=line
    )


@case
def lis_utf16(raw: Path, cfg: Cfg) -> Outcome:
    """LIS pull saved as UTF-16."""
    path = pulls(raw)[0]
    path.write_bytes(path.read_bytes().decode("utf-8-sig").encode("utf-16"))
    return input_error(rel(raw, path), "the file is UTF-16", line=1)


# --- LIS: the values ---------------------------------------------------------------


@case
def lis_unknown_unit(raw: Path, cfg: Cfg) -> Outcome:
    """C-peptide in ug/L, a unit the conversion table does not have."""
    file, line = lis_cell_case(raw, "UNITS", "ug/L", "CPEP")
    return input_error(
        file, f"line {line}", "column UNITS", "'ug/L'", "nmol/L, ng/mL, pmol/L", line=line
    )


@case
def lis_result_decimal_comma(raw: Path, cfg: Cfg) -> Outcome:
    """RESULT '7,9' (a decimal comma, quoted)."""
    file, line = lis_cell_case(raw, "RESULT", "7,9", "HBA1C")
    return input_error(file, f"line {line}", "column RESULT", "'7,9'", "decimal point", line=line)


@case
def lis_result_word(raw: Path, cfg: Cfg) -> Outcome:
    """RESULT 'abc', neither a number nor a documented word."""
    file, line = lis_cell_case(raw, "RESULT", "abc", "ALT")
    return input_error(file, f"line {line}", "column RESULT", "'abc'", "HEMOLYZED", line=line)


@case
def lis_reference_range_words(raw: Path, cfg: Cfg) -> Outcome:
    """REF_RANGE '7 to 35' of an ALT result: not lo-hi, <hi or >lo."""
    file, line = lis_cell_case(raw, "REF_RANGE", "7 to 35", "ALT")
    return input_error(file, f"line {line}", "column REF_RANGE", "'7 to 35'", "'lo-hi'", line=line)


@case
def lis_unknown_status(raw: Path, cfg: Cfg) -> Outcome:
    """STATUS 'P' (preliminary), not one of F, C, X."""
    file, line = lis_cell_case(raw, "STATUS", "P")
    return input_error(file, f"line {line}", "column STATUS", "F, C or X", line=line)


@case
def lis_unparseable_collected(raw: Path, cfg: Cfg) -> Outcome:
    """COLLECTED '31/02/2019 08:00', a day that does not exist."""
    file, line = lis_cell_case(raw, "COLLECTED", "31/02/2019 08:00")
    return input_error(file, f"line {line}", "column COLLECTED", "DD/MM/YYYY HH:MM", line=line)


@case
def lis_unparseable_verified(raw: Path, cfg: Cfg) -> Outcome:
    """VERIFIED_AT in ISO format ('2019-07-01 10:00') instead of DD/MM/YYYY HH:MM."""
    file, line = lis_cell_case(raw, "VERIFIED_AT", "2019-07-01 10:00")
    return input_error(file, f"line {line}", "column VERIFIED_AT", "DD/MM/YYYY HH:MM", line=line)


@case
def lis_mmtt_unknown_minute(raw: Path, cfg: Cfg) -> Outcome:
    """SAMPLE_LABEL 'MMTT 45', a minute the MMTT does not draw."""
    file, line = lis_cell_case(raw, "SAMPLE_LABEL", "MMTT 45", "CPEP")
    return input_error(file, f"line {line}", "column SAMPLE_LABEL", "-10, 0, 15", line=line)


@case
def lis_collected_after_pull(raw: Path, cfg: Cfg) -> Outcome:
    """COLLECTED after the pull date in the file name (a date in the future)."""
    row = result_row(raw)
    pull = row["FILE"].stem[-8:]
    later = f"{pull[6:]}/{pull[4:6]}/{int(pull[:4]) + 1} 08:00"
    set_lis_cell(row["FILE"], int(row["LINE"]), "COLLECTED", later)
    line = int(row["LINE"])
    return input_error(
        rel(raw, row["FILE"]), f"line {line}", "column COLLECTED", "in the future", line=line
    )


@case
def lis_verified_after_pull(raw: Path, cfg: Cfg) -> Outcome:
    """VERIFIED_AT after the pull date in the file name."""
    row = result_row(raw)
    pull = row["FILE"].stem[-8:]
    later = f"{pull[6:]}/{pull[4:6]}/{int(pull[:4]) + 1} 08:00"
    set_lis_cell(row["FILE"], int(row["LINE"]), "VERIFIED_AT", later)
    line = int(row["LINE"])
    return input_error(
        rel(raw, row["FILE"]), f"line {line}", "column VERIFIED_AT", "in the future", line=line
    )


@case
def lis_collected_wrong_century(raw: Path, cfg: Cfg) -> Outcome:
    """COLLECTED in 1919 instead of 2019 (before the participant was born)."""
    row = result_row(raw)
    wrong = row["COLLECTED"].replace("/2019 ", "/1919 ").replace("/2020 ", "/1920 ")
    set_lis_cell(row["FILE"], int(row["LINE"]), "COLLECTED", wrong)
    line = int(row["LINE"])
    return input_error(
        rel(raw, row["FILE"]), f"line {line}", "column COLLECTED", "wrong century", line=line
    )


@case
def lis_sex_mismatch(raw: Path, cfg: Cfg) -> Outcome:
    """LIS SEX differs from the sex in REDCap of the record the MRN links to."""
    row = result_row(raw)
    set_lis_cell(row["FILE"], int(row["LINE"]), "SEX", "F" if row["SEX"] == "M" else "M")
    line = int(row["LINE"])
    return input_error(
        rel(raw, row["FILE"]), f"line {line}", "column SEX", "wrong MRN linkage", line=line
    )


@case
def lis_dob_mismatch(raw: Path, cfg: Cfg) -> Outcome:
    """LIS DOB differs from the date of birth in REDCap (the DOB is not quoted)."""
    row = result_row(raw)
    set_lis_cell(row["FILE"], int(row["LINE"]), "DOB", "01/01/2001")
    line = int(row["LINE"])
    return input_error(
        rel(raw, row["FILE"]), f"line {line}", "column DOB", "wrong MRN linkage", line=line
    )


@case
def lis_unknown_test_code(raw: Path, cfg: Cfg) -> Outcome:
    """A trial participant's row with a test code the analysis does not use."""
    row = result_row(raw, "ALT")
    set_lis_cell(row["FILE"], int(row["LINE"]), "TEST_CODE", "XYZ")
    label = f"lis/LIS_EXPORT_#{pulls(raw).index(row['FILE']) + 1}.csv"
    reason = "test not used by the analysis"

    def check(ds: AdamDatasets, base: AdamDatasets) -> None:
        assert recon_n(ds, label, reason) == recon_n(base, label, reason) + 1
        assert len(ds.adlb) == len(base.adlb) - 1

    return Handled(f"excluded and counted as '{reason}'", check)


@case
def lis_other_patient_garbage(raw: Path, cfg: Cfg) -> Outcome:
    """Another clinic's patient with an unreadable RESULT and unit: never read."""
    lis = lis_table(raw)
    row = lis[~lis["MRN"].isin(trial_mrns(raw))].iloc[0]
    set_lis_cell(row["FILE"], int(row["LINE"]), "RESULT", "garbage")
    set_lis_cell(row["FILE"], int(row["LINE"]), "UNITS", "??")

    def check(ds: AdamDatasets, base: AdamDatasets) -> None:
        assert ds.reconciliation.equals(base.reconciliation)

    return Handled("excluded as 'patient not in the trial' without parsing", check)


@case
def lis_ifcc_value_in_percent_row(raw: Path, cfg: Cfg) -> Outcome:
    """HbA1c 64 in a '%' row (an IFCC value): without the check it became 64 %."""
    row = result_row(raw, "HBA1C")
    set_lis_cell(row["FILE"], int(row["LINE"]), "UNITS", "%")
    set_lis_cell(row["FILE"], int(row["LINE"]), "RESULT", "64")
    line = int(row["LINE"])
    return input_error(
        rel(raw, row["FILE"]),
        f"line {line}",
        "column RESULT has '64'",
        "a plausible HBA1C result in %: 3 to 20 %",
        "an IFCC value (mmol/mol) in a % row?",
        line=line,
        field="RESULT",
    )


@case
def lis_pmol_typed_as_ng(raw: Path, cfg: Cfg) -> Outcome:
    """C-peptide 500 in an ng/mL row (a pmol/L value): 500 ng/mL is 165 nmol/L."""
    file, line = lis_cell_case(raw, "UNITS", "ng/mL", "CPEP")
    set_lis_cell(raw / file, line, "RESULT", "500")
    return input_error(
        file,
        f"line {line}",
        "0 to 30.2 ng/mL",
        "pmol/L typed as ng/mL?",
        "this is the only row",
        line=line,
    )


@case
def lis_platelets_misplaced_decimal(raw: Path, cfg: Cfg) -> Outcome:
    """Platelets 2500 x 10^9/L (250 with an extra digit)."""
    file, line = lis_cell_case(raw, "RESULT", "2500", "PLT")
    return input_error(
        file, f"line {line}", "1 to 2000 10^9/L", "a misplaced decimal point?", line=line
    )


# --- REDCap: the file --------------------------------------------------------------


@case
def redcap_missing_column(raw: Path, cfg: Cfg) -> Outcome:
    """REDCap export without the weight_kg column (a partial export)."""
    header, rows = read_rc(raw)
    drop = header.index("weight_kg")
    write_rc(raw, header[:drop] + header[drop + 1 :], [r[:drop] + r[drop + 1 :] for r in rows])
    return input_error(
        rel(raw, redcap_export(raw)),
        "line 1",
        "column weight_kg",
        "a column for every field",
        field="weight_kg",
    )


@case
def redcap_unknown_column(raw: Path, cfg: Cfg) -> Outcome:
    """REDCap export with a column the data dictionary does not have."""
    header, rows = read_rc(raw)
    write_rc(raw, [*header, "bmi"], [[*r, ""] for r in rows])
    return input_error(
        rel(raw, redcap_export(raw)), "column bmi", "a field of the data dictionary", field="bmi"
    )


@case
def redcap_empty_file(raw: Path, cfg: Cfg) -> Outcome:
    """REDCap export of 0 bytes."""
    redcap_export(raw).write_bytes(b"")
    return input_error(rel(raw, redcap_export(raw)), "the file is empty (0 bytes)")


@case
def redcap_latin1(raw: Path, cfg: Cfg) -> Outcome:
    """REDCap export whose ae_term holds a Latin-1 byte."""
    header, rows = read_rc(raw)
    col = header.index("ae_term")
    i = next(i for i, r in enumerate(rows) if r[col])
    rows[i][col] = "fi\u00e8vre"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    redcap_export(raw).write_bytes(buf.getvalue().encode("latin-1"))
    return input_error(
        rel(raw, redcap_export(raw)), f"line {i + 2}", "column ae_term", "0xE8", line=i + 2
    )


@case
def redcap_labels_export(raw: Path, cfg: Cfg) -> Outcome:
    """REDCap export made with labels ('Record ID', 'Event Name') instead of raw data."""
    path = redcap_export(raw)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("record_id,redcap_event_name", "Record ID,Event Name", 1))
    return input_error(rel(raw, path), "column record_id", "labels", field="record_id")


@case
def redcap_label_value(raw: Path, cfg: Cfg) -> Outcome:
    """REDCap sex entered as the label 'Male' instead of the code 1."""
    return rc_error(raw, "P1-002", "screening_arm_1", "sex", "Male", "labels instead of codes")


@case
def redcap_unknown_event(raw: Path, cfg: Cfg) -> Outcome:
    """REDCap row at month_7_arm_1, an event the cohort's schedule does not have."""
    file = set_rc(raw, "P1-002", "month_9_arm_1", "redcap_event_name", "month_7_arm_1")
    return input_error(
        file,
        "record P1-002",
        "event month_7_arm_1",
        "field redcap_event_name",
        "an event of the cohort's schedule",
        record="P1-002",
        event="month_7_arm_1",
    )


@case
def redcap_duplicate_row(raw: Path, cfg: Cfg) -> Outcome:
    """REDCap demographics row of a record exported twice."""
    header, rows = read_rc(raw)
    i = next(i for i, r in enumerate(rows) if r[0] == "P1-003" and r[1] == "screening_arm_1")
    rows.insert(i + 1, list(rows[i]))
    write_rc(raw, header, rows)
    return input_error(
        rel(raw, redcap_export(raw)),
        "record P1-003",
        "event screening_arm_1",
        "repeats an earlier one",
        record="P1-003",
    )


@case
def redcap_demographics_twice(raw: Path, cfg: Cfg) -> Outcome:
    """REDCap demographics of a record entered again at a later event."""
    header, rows = read_rc(raw)
    src = next(r for r in rows if r[0] == "P1-002" and r[1] == "screening_arm_1")
    dst = next(r for r in rows if r[0] == "P1-002" and r[1] == "month_1_arm_1" and not r[2])
    for f in ("mrn", "dob", "sex", "diagnosis_date", "height_cm", "dka_at_onset"):
        dst[header.index(f)] = src[header.index(f)]
    write_rc(raw, header, rows)
    return input_error(
        rel(raw, redcap_export(raw)),
        "record P1-002",
        "event month_1_arm_1",
        "field mrn",
        "one value per record",
        record="P1-002",
        event="month_1_arm_1",
        field="mrn",
    )


@case
def redcap_mrn_in_two_records(raw: Path, cfg: Cfg) -> Outcome:
    """One MRN in two records (P1-002 carries P1-001's MRN)."""
    header, rows = read_rc(raw)
    col = header.index("mrn")
    mrn = next(r[col] for r in rows if r[0] == "P1-001" and r[col])
    file = set_rc(raw, "P1-002", "screening_arm_1", "mrn", mrn)
    return input_error(
        file, "record P1-001", "field mrn", "belongs to one record only", field="mrn"
    )


# --- REDCap: entry errors ----------------------------------------------------------


@case
def redcap_weight_in_grams(raw: Path, cfg: Cfg) -> Outcome:
    """Weight typed in grams (52500 instead of 52.5)."""
    return rc_error(raw, "P1-002", "screening_arm_1", "weight_kg", "52500", "between 10 and 150")


@case
def redcap_weight_decimal_comma(raw: Path, cfg: Cfg) -> Outcome:
    """Weight '52,5' with a decimal comma."""
    return rc_error(raw, "P1-002", "month_2_arm_1", "weight_kg", "52,5", "a number")


@case
def redcap_tdd_above_3_u_per_kg(raw: Path, cfg: Cfg) -> Outcome:
    """Total daily dose of 250 U for 71.6 kg (3.5 U/kg)."""
    return rc_error(raw, "P1-001", "screening_arm_1", "tdd_day1", "250", "at most 3 U/kg")


@case
def redcap_tdd_negative(raw: Path, cfg: Cfg) -> Outcome:
    """Negative total daily dose."""
    return rc_error(raw, "P1-001", "week_2_arm_1", "tdd_day2", "-5", "between 0 and 300")


@case
def redcap_visit_in_the_future(raw: Path, cfg: Cfg) -> Outcome:
    """Visit date after the export date in the file name."""
    return rc_error(
        raw, "P1-004", "month_12_arm_1", "visit_date", "2021-06-01", "a date in the future"
    )


@case
def redcap_visit_wrong_century(raw: Path, cfg: Cfg) -> Outcome:
    """Visit date in 1919 instead of 2019."""
    return rc_error(
        raw, "P1-001", "month_6_arm_1", "visit_date", "1919-11-06", "between 2015-01-01"
    )


@case
def redcap_visit_before_screening(raw: Path, cfg: Cfg) -> Outcome:
    """Week 1 visit dated before the screening visit."""
    return rc_error(
        raw, "P1-002", "week_1_arm_1", "visit_date", "2019-05-01", "on or after the screening"
    )


@case
def redcap_hypo_datetime_format(raw: Path, cfg: Cfg) -> Outcome:
    """Hypoglycaemia time without the time of day."""
    header, rows = read_rc(raw)
    col = header.index("hypo_datetime")
    r = next(r for r in rows if r[col])
    r[col] = r[col][:10]
    write_rc(raw, header, rows)
    return input_error(
        rel(raw, redcap_export(raw)),
        f"record {r[0]}",
        f"instance {r[2]} #{r[3]}",
        "YYYY-MM-DD HH:MM",
        field="hypo_datetime",
    )


@case
def redcap_without_infusion_date(raw: Path, cfg: Cfg) -> Outcome:
    """A participant whose infusion date is not entered."""
    header, rows = read_rc(raw)
    for r in rows:
        if r[0] == "P1-003" and r[1] == "infusion_arm_1":
            r[header.index("infusion_date")] = ""
    write_rc(raw, header, rows)
    reason = "participant without infusion date"

    def check(ds: AdamDatasets, base: AdamDatasets) -> None:
        adsl = ds.adsl.set_index("USUBJID")
        assert adsl.loc["P1-003", "SAFFL"] == "N"
        assert ds.reconciliation.loc[ds.reconciliation["REASON"] == reason, "N"].sum() > 0
        assert "P1-003" not in set(ds.adlb["USUBJID"])
        assert set(ds.adlb["USUBJID"]) == set(base.adlb["USUBJID"]) - {"P1-003"}

    return Handled(f"SAFFL = N; the LIS rows excluded and counted as '{reason}'", check)


def _first_instance(raw: Path, fld: str) -> tuple[list[str], list[list[str]], list[str]]:
    header, rows = read_rc(raw)
    col = header.index(fld)
    return header, rows, next(r for r in rows if r[col])


def _instance_error(raw: Path, r: list[str], fld: str, *words: str) -> Raises:
    return input_error(
        rel(raw, redcap_export(raw)),
        f"record {r[0]}",
        f"event {r[1]}",
        f"instance {r[2]} #{r[3]}",
        f"field {fld}",
        *words,
        record=r[0],
        event=r[1],
        instance=f"{r[2]} #{r[3]}",
        field=fld,
    )


@case
def redcap_ae_grade_6(raw: Path, cfg: Cfg) -> Outcome:
    """Adverse event of CTCAE grade 6 (grades are 1-5)."""
    header, rows, r = _first_instance(raw, "ae_grade")
    r[header.index("ae_grade")] = "6"
    write_rc(raw, header, rows)
    return _instance_error(raw, r, "ae_grade", "has '6'", "one of the codes 1 (Grade 1 mild)")


@case
def redcap_ae_ends_before_it_starts(raw: Path, cfg: Cfg) -> Outcome:
    """Adverse event whose end date is the day before its start."""
    header, rows, r = _first_instance(raw, "ae_start")
    start = date.fromisoformat(r[header.index("ae_start")])
    r[header.index("ae_end")] = (start - timedelta(days=1)).isoformat()
    write_rc(raw, header, rows)
    return _instance_error(raw, r, "ae_end", "an AE end date on or after ae_start")


@case
def redcap_hypo_glucose_above_600(raw: Path, cfg: Cfg) -> Outcome:
    """Hypoglycaemia glucose of 650 mg/dL (the dictionary allows 10-600)."""
    header, rows, r = _first_instance(raw, "hypo_glucose_mgdl")
    r[header.index("hypo_glucose_mgdl")] = "650"
    write_rc(raw, header, rows)
    return _instance_error(raw, r, "hypo_glucose_mgdl", "has '650'", "between 10 and 600")


@case
def redcap_hypo_glucose_above_cohort_limit(raw: Path, cfg: Cfg) -> Outcome:
    """Hypoglycaemia glucose of 350 mg/dL where the cohort's limit is 300 mg/dL."""
    cfg["plausibility"] = {"hypo_glucose_max_mgdl": 300}
    header, rows, r = _first_instance(raw, "hypo_glucose_mgdl")
    r[header.index("hypo_glucose_mgdl")] = "350"
    write_rc(raw, header, rows)
    return _instance_error(raw, r, "hypo_glucose_mgdl", "has '350'", "at most 300 mg/dL")


# --- REDCap: the data dictionary, other files ---------------------------------------


@case
def dictionary_missing(raw: Path, cfg: Cfg) -> Outcome:
    """No data dictionary in redcap/."""
    next((raw / "redcap").glob("*_DataDictionary_*.csv")).unlink()
    return input_error("redcap", "a REDCap data dictionary PLMSCT1D_DataDictionary_")


@case
def dictionary_two(raw: Path, cfg: Cfg) -> Outcome:
    """Two data dictionaries: an older one lies next to the current one."""
    current = next((raw / "redcap").glob("*_DataDictionary_*.csv"))
    older = current.with_name("PLMSCT1D_DataDictionary_2019-01-10.csv")
    older.write_bytes(current.read_bytes())

    def check(ds: AdamDatasets, base: AdamDatasets) -> None:
        n = recon_n(ds, "redcap/PLMSCT1D_DataDictionary_#1.csv", "superseded export")
        assert n == recon_n(base, "redcap/PLMSCT1D_DataDictionary_#1.csv", "data dictionary")
        assert recon_n(ds, "redcap/PLMSCT1D_DataDictionary_#2.csv", "data dictionary") == n
        assert ds.adsl.equals(base.adsl)

    return Handled("the newest is used; the older one is counted as 'superseded export'", check)


@case
def dictionary_missing_column(raw: Path, cfg: Cfg) -> Outcome:
    """Data dictionary without its 'Field Type' column."""
    path = next((raw / "redcap").glob("*_DataDictionary_*.csv"))
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    drop = rows[0].index("Field Type")
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([r[:drop] + r[drop + 1 :] for r in rows])
    path.write_text(buf.getvalue(), encoding="utf-8")
    return input_error(rel(raw, path), "line 1", "column field type", line=1)


@case
def misnamed_lis_pull(raw: Path, cfg: Cfg) -> Outcome:
    """A LIS pull saved as LIS_EXPORT_2019-07-02.csv, a name ingestion would skip."""
    path = pulls(raw)[0]
    new = path.with_name("LIS_EXPORT_2019-07-02.csv")
    path.rename(new)
    return input_error(rel(raw, new), "only the exports of docs/raw-exports.md", field="")


# --- randomisation list ------------------------------------------------------------


@case
def randomisation_unknown_arm(raw: Path, cfg: Cfg) -> Outcome:
    """randomisation.csv with arm 'MSC-high', not MSC or PLACEBO."""
    randomised(cfg)
    (raw / "randomisation.csv").write_text(RAND.replace("P1-002,PLACEBO", "P1-002,MSC-high"))
    return input_error("randomisation.csv", "line 3", "column arm", "MSC or PLACEBO", line=3)


@case
def randomisation_unknown_record(raw: Path, cfg: Cfg) -> Outcome:
    """randomisation.csv with a record_id that REDCap does not have."""
    randomised(cfg)
    (raw / "randomisation.csv").write_text(RAND + "P1-099,PLACEBO,2019-06-01\n")

    def check(ds: AdamDatasets, base: AdamDatasets) -> None:
        assert recon_n(ds, "randomisation.csv", "record not in REDCap") == 1
        assert recon_n(ds, "randomisation.csv", "adsl") == 4
        assert ds.adsl["ARM"].tolist() == ["MSC", "PLACEBO", "MSC", "MSC"]

    return Handled("excluded and counted as 'record not in REDCap'", check)


@case
def randomisation_missing_participant(raw: Path, cfg: Cfg) -> Outcome:
    """randomisation.csv without an infused participant."""
    randomised(cfg)
    (raw / "randomisation.csv").write_text(RAND.replace("P1-004,MSC,2019-05-30\n", ""))
    return input_error("randomisation.csv", "infused participant P1-004", field="record_id")


@case
def randomisation_in_single_arm(raw: Path, cfg: Cfg) -> Outcome:
    """randomisation.csv in the folder of a single-arm cohort."""
    (raw / "randomisation.csv").write_text(RAND)

    def check(ds: AdamDatasets, base: AdamDatasets) -> None:
        assert recon_n(ds, "randomisation.csv", "not used (single-arm cohort)") == 4
        assert ds.adsl.equals(base.adsl)

    return Handled("ignored and counted as 'not used (single-arm cohort)'", check)


# --- data-management decisions ----------------------------------------------------

DECISION_HEADER = (
    "source,file,ACCESSION,TEST_CODE,SAMPLE_LABEL,record_id,redcap_event_name,"
    "redcap_repeat_instance,field,action,value,reason,query_ref\n"
)


def decisions(raw: Path, cfg: Cfg, *lines: str) -> str:
    """Write a decisions file beside (not in) the raw folder; its path relative to raw."""
    path = raw / ".." / "decisions.csv"
    path.write_text(DECISION_HEADER + "".join(f"{x}\n" for x in lines), encoding="utf-8")
    cfg["decisions"] = str(path)
    return "../decisions.csv"


@case
def decision_replaces_implausible_value(raw: Path, cfg: Cfg) -> Outcome:
    """HbA1c 64 in a '%' row, replaced by 8.0 by a decision (query answered by the lab)."""
    row = result_row(raw, "HBA1C")
    line = int(row["LINE"])
    set_lis_cell(row["FILE"], line, "UNITS", "%")
    set_lis_cell(row["FILE"], line, "RESULT", "64")
    decisions(
        raw,
        cfg,
        f"lis,{row['FILE'].name},{row['ACCESSION']},HBA1C,{row['SAMPLE_LABEL']},,,,,replace,8.0,"
        "IFCC value in the NGSP row,Q-001",
    )
    label = f"lis/LIS_EXPORT_#{pulls(raw).index(row['FILE']) + 1}.csv"
    reason = "adlb (value replaced by decision: IFCC value in the NGSP row)"

    def check(ds: AdamDatasets, base: AdamDatasets) -> None:
        lb = ds.adlb
        hit = lb[(lb["SRCFILE"] == label) & (lb["SRCROW"] == line)]
        assert hit["AVAL"].tolist() == [8.0]
        assert recon_n(ds, label, reason) == 1
        assert recon_n(ds, label, "adlb") == recon_n(base, label, "adlb") - 1
        assert ds.decisions["ORIGVAL"].tolist() == ["64"]

    return Handled(f"analysed at 8.0 %, counted as '{reason}', listed in qc/decisions.csv", check)


@case
def decision_excludes_a_result(raw: Path, cfg: Cfg) -> Outcome:
    """A C-peptide result excluded by a decision (sample from the wrong tube)."""
    row = result_row(raw, "CPEP")
    decisions(
        raw,
        cfg,
        f"lis,{row['FILE'].name},{row['ACCESSION']},CPEP,{row['SAMPLE_LABEL']},,,,,exclude,,"
        "wrong tube,Q-002",
    )
    label = f"lis/LIS_EXPORT_#{pulls(raw).index(row['FILE']) + 1}.csv"

    def check(ds: AdamDatasets, base: AdamDatasets) -> None:
        assert len(ds.adlb) == len(base.adlb) - 1
        assert recon_n(ds, label, "excluded by decision: wrong tube") == 1
        per_file = ds.reconciliation.groupby("SRCFILE")["N"].sum()
        assert per_file.equals(base.reconciliation.groupby("SRCFILE")["N"].sum())

    return Handled("excluded and counted as 'excluded by decision: wrong tube'", check)


@case
def decision_matches_nothing(raw: Path, cfg: Cfg) -> Outcome:
    """A decision about an accession no pull has."""
    name = pulls(raw)[0].name
    file = decisions(raw, cfg, f"lis,{name},A99-9999999,HBA1C,,,,,,exclude,,typo,Q-003")
    return input_error(file, "line 2", "it matches no row", line=2)


@case
def decision_bad_action(raw: Path, cfg: Cfg) -> Outcome:
    """A decision whose action is 'delete' (exclude or replace)."""
    file = decisions(raw, cfg, "redcap,,,,,P1-001,week_1_arm_1,,weight_kg,delete,,typo,Q-004")
    return input_error(file, "line 2", "column action has 'delete'", "exclude or replace", line=2)


# --- configuration -----------------------------------------------------------------


@case
def config_overlapping_windows(raw: Path, cfg: Cfg) -> Outcome:
    """Schedule whose Week 1 and Week 2 windows overlap."""
    cfg["schedule"][2]["window"] = [4, 12]
    return Raises(
        ConfigError, "", ("cohorts/phase1/schedule", "'Week 1' [4, 12]", "'Week 2'", "overlap")
    )


@case
def config_assessment_at_unknown_visit(raw: Path, cfg: Cfg) -> Outcome:
    """MMTT scheduled at 'Month 18', a visit the schedule does not have."""
    cfg["assessments"]["mmtt"].append("Month 18")
    return Raises(
        ConfigError, "", ("cohorts/phase1/assessments/mmtt", "unknown visits ['Month 18']")
    )


@case
def config_typo_in_a_key(raw: Path, cfg: Cfg) -> Outcome:
    """'desing' instead of 'design' in the cohort's config."""
    cfg["desing"] = cfg.pop("design")
    return Raises(
        ConfigError, "", ("cohorts/phase1/desing", "unknown key", "did you mean 'design'?")
    )


@case
def config_decisions_under_raw(raw: Path, cfg: Cfg) -> Outcome:
    """Decisions file configured under data/raw, where only exports belong."""
    cfg["decisions"] = "data/raw/phase1/decisions.csv"
    return Raises(ConfigError, "", ("cohorts/phase1/decisions", "is under data/raw"))


assert len({c.__name__ for c in CASES}) == len(CASES)
