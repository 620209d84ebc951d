"""Publication tables (great_tables): layout of content frames, three formats, same bytes."""

from __future__ import annotations

import re

import pandas as pd

from plmsc.report.publish import TableDefinition, layout, spanner_columns, write_table

SAFETY = pd.DataFrame(
    {
        "Section": ["Adverse events", "By SOC and PT", "By SOC and PT", "By SOC and PT"],
        "Item": ["Any adverse event", "Nervous system disorders", "    Headache", "    Dizziness"],
        "MSC: Participants, n/N (%)": ["3/4 (75 %)", "2/4 (50 %)", "2/4 (50 %)", "1/4 (25 %)"],
        "MSC: Events": ["5", "3", "2", "1"],
        "PLACEBO: Participants, n/N (%)": ["1/2 (50 %)", "0/2 (0 %)", "0/2 (0 %)", "0/2 (0 %)"],
        "PLACEBO: Events": ["1", "0", "0", "0"],
    }
)
DEFINITION = TableDefinition(
    name="table3_safety",
    title="Table 3. Adverse events & hypoglycaemia",
    subtitle="All participants infused (N = 6)",
    spanners={"MSC": "MSC (N = 4)", "PLACEBO": "Placebo (N = 2)"},
    footnotes=["Related: possible, probable or definite; 50 % of n_total."],
    source_notes=["Source: ADAE."],
)


def test_layout_groups_sections_and_indents_preferred_terms():
    body, group, stub = layout(SAFETY)
    assert (group, stub) == ("Section", "Item")
    # four leading spaces = one level; the label loses its spaces
    assert list(body["Item"]) == [
        "Any adverse event",
        "Nervous system disorders",
        "Headache",
        "Dizziness",
    ]
    assert list(body["Indent"]) == [0, 0, 1, 1]
    assert list(body.columns[:2]) == ["Item", "Section"] and body.columns[-1] == "Indent"


def test_explicit_indent_column_wins_over_spaces():
    frame = SAFETY.assign(Indent=[0, 0, 2, 2])
    body, _, _ = layout(frame)
    assert list(body["Indent"]) == [0, 0, 2, 2]


def test_tableone_levels_nest_under_a_heading_row():
    frame = pd.DataFrame(
        {
            "Characteristic": ["n", "Age (years)", "Sex, n (%)", "Sex, n (%)"],
            "Level": ["", "", "F", "M"],
            "Overall": ["4", "10.0 [8.8,12.9]", "2 (50.0)", "2 (50.0)"],
        }
    )
    body, group, stub = layout(frame)
    assert (group, stub) == (None, "Characteristic")
    # a heading row for Sex (empty cells), then its levels indented by one
    assert list(body["Characteristic"]) == ["n", "Age (years)", "Sex, n (%)", "F", "M"]
    assert list(body["Overall"]) == ["4", "10.0 [8.8,12.9]", "", "2 (50.0)", "2 (50.0)"]
    assert list(body["Indent"]) == [0, 0, 0, 1, 1]


def test_spanner_columns_by_arm_prefix():
    assert spanner_columns(list(SAFETY.columns)) == {
        "MSC": ["MSC: Participants, n/N (%)", "MSC: Events"],
        "PLACEBO": ["PLACEBO: Participants, n/N (%)", "PLACEBO: Events"],
    }


def test_one_definition_three_formats(tmp_path):
    paths = [tmp_path / f"t.{ext}" for ext in ("csv", "html", "tex")]
    write_table(SAFETY, paths, DEFINITION)

    csv = pd.read_csv(paths[0], keep_default_na=False)
    assert list(csv.columns) == ["Section", "Item", *SAFETY.columns[2:], "Indent"]
    assert list(csv["Indent"]) == [0, 0, 1, 1]

    html = paths[1].read_text()
    assert "<title>Table 3. Adverse events &amp; hypoglycaemia</title>" in html
    # the section heading once per group, not on every row
    assert html.count(">By SOC and PT</th>") == 1
    assert re.search(r'class="[^"]*gt_indent_2[^"]*">Headache</th>', html)
    assert "MSC (N = 4)" in html and "Placebo (N = 2)" in html
    assert "All participants infused (N = 6)" in html
    assert "50 % of n_total" in html and "Source: ADAE." in html
    assert 'id="table3_safety"' in html

    tex = paths[2].read_text()
    assert r"\multicolumn{2}{c}{MSC (N = 4)}" in tex
    assert r"\hspace*{" in tex and "Headache" in tex
    assert r"50 \% of n\_total" in tex and r"Adverse events \& hypoglycaemia" in tex
    assert tex.count("By SOC and PT") == 1


def test_same_content_same_bytes(tmp_path):
    first = [tmp_path / f"a.{ext}" for ext in ("csv", "html", "tex")]
    second = [tmp_path / f"b.{ext}" for ext in ("csv", "html", "tex")]
    write_table(SAFETY, first, DEFINITION)
    write_table(SAFETY, second, DEFINITION)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
