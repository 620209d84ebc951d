"""Pages for reviewers: rendered notebooks (hidden defaults, folded code, no empty
sections), the landing page and participant profiles, on small hand-made inputs."""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest

from plmsc.report.catalogue import NOTEBOOK_NAMES
from plmsc.report.landing import key_numbers, landing_html, lookup
from plmsc.report.notebooks import drop_empty_sections, notebook_html
from plmsc.report.profiles import (
    compute_endpoint_bottom,
    endpoint_listing,
    grid_fractions,
    select_participants,
    write_profiles,
)


def _executed_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(
        'cohort = "TEMPLATE-DEFAULT"', metadata={"tags": ["parameters"]}
    )
    injected = nbformat.v4.new_code_cell(
        'cohort = "phase1"', metadata={"tags": ["injected-parameters"]}
    )
    shown = nbformat.v4.new_code_cell("print('a result')")
    shown.outputs = [nbformat.v4.new_output("stream", name="stdout", text="a result\n")]
    empty = nbformat.v4.new_code_cell("x = 1")
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title"),
        params,
        injected,
        nbformat.v4.new_markdown_cell("## Results"),
        shown,
        nbformat.v4.new_markdown_cell("## Nothing to show"),
        empty,
        nbformat.v4.new_markdown_cell("## Heading over text"),
        nbformat.v4.new_markdown_cell("Some prose."),
    ]
    return nb


def test_empty_sections_are_dropped_but_headings_over_text_stay():
    nb = drop_empty_sections(_executed_notebook())
    headings = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert headings == ["# Title", "## Results", "## Heading over text", "Some prose."]
    assert len([c for c in nb.cells if c.cell_type == "code"]) == 4  # code cells are kept


def test_rendered_notebook_hides_the_default_parameters_and_folds_code(tmp_path):
    path = tmp_path / "nb.ipynb"
    nbformat.write(_executed_notebook(), path)
    page = notebook_html(path, "A notebook")
    assert "TEMPLATE-DEFAULT" not in page  # the template's default parameter cell
    assert "phase1" in page  # papermill's injected parameters stay
    assert page.count('<details class="plmsc-code">') == 3  # injected, shown, empty
    assert "a result" in page and "Nothing to show" not in page
    assert "overflow-x: auto" in page
    assert "<script src=" not in page


# --- landing page ----------------------------------------------------------------------

NUMBERS = {
    "n": 4,
    "cpeptide_auc": {"comparison_visit": "Month 12", "median_baseline": 0.705},
    "remission": {"first_visit": "Month 1", "n_first_visit": 2, "n_assessed_first_visit": 4},
    "adverse_events": {"any": {"n_participants": 4}},
}
PROVENANCE = {
    "git": {"commit": "abc123", "dirty": False},
    "python": "3.11.7",
    "raw_files": {"lis/LIS_EXPORT_#1.csv": "f" * 64},
    "packages": {"pandas": "3.1.1"},
}


def test_key_numbers_are_read_from_numbers_json_and_absent_ones_skipped():
    rows = dict(key_numbers(NUMBERS))
    assert rows["Participants"] == "4"
    assert rows["C-peptide mean AUC at baseline, median (nmol/L)"] == "0.705"
    assert rows["In partial remission at Month 1"] == "2 of 4"
    assert rows["Participants with an adverse event"] == "4"
    # no serious-AE or comparison-visit key in this numbers.json: no row, no error
    assert not [k for k in rows if "serious" in k or "at Month 12" in k]
    assert lookup(NUMBERS, "cpeptide_auc.nothing") is None


def test_landing_page_links_everything_and_states_provenance():
    page = landing_html(
        cohort="phase1",
        description="Single arm <n = 4>",
        numbers=NUMBERS,
        provenance=PROVENANCE,
        manuscript=[("manuscript/table1_baseline.html", "table1_baseline.html", "Table 1")],
        figures=["fig2_cpeptide_auc"],
        profiles="profiles/index.html",
    )
    assert "Single arm &lt;n = 4&gt;" in page
    assert 'href="manuscript/table1_baseline.html"' in page
    assert '<img src="manuscript/fig2_cpeptide_auc.png"' in page
    assert 'href="manuscript/fig2_cpeptide_auc.pdf"' in page
    for name in NOTEBOOK_NAMES:
        assert f'href="notebooks/{name}.html"' in page
    assert 'href="profiles/index.html"' in page
    assert "<code>abc123</code>" in page and "f" * 64 in page and "3.1.1" in page
    assert "<script" not in page


# --- participant profiles --------------------------------------------------------------


def test_profiles_of_all_small_cohorts_or_a_configured_subset():
    adsl = pd.DataFrame({"USUBJID": ["P-003", "P-001", "P-002"], "ARM": "X"})
    assert select_participants(adsl, 12) == ["P-001", "P-002", "P-003"]
    assert select_participants(adsl, 2) == ["P-001", "P-002"]
    assert select_participants(adsl, 2, ["P-003"]) == ["P-003"]
    with pytest.raises(ValueError, match=r"profiles.participants: \['P-009'\] not in ADSL"):
        select_participants(adsl, 2, ["P-009"])


def test_profile_page_of_one_phase1_participant(phase1_adam, config, tmp_path):
    from plmsc.endpoints.adeff import derive_adeff

    analysis = config["cohorts"]["phase1"]["analysis"]
    data = {
        **phase1_adam,
        "adeff": derive_adeff(phase1_adam["adlb"], phase1_adam["advs"], analysis),
    }
    written = write_profiles(data, tmp_path, "phase1", 12, ["P1-002"])
    assert sorted(p.name for p in written) == ["P1-002.html", "index.html"]
    page = (tmp_path / "P1-002.html").read_text()
    assert page.count('<img src="data:image/png;base64,') == 2
    assert "<h3>Adverse events</h3>" in page and "<h3>Hypoglycaemia</h3>" in page
    assert re.search(r"\b(19|20)\d\d-\d\d-\d\d\b", page) is None  # no calendar date
    index = (tmp_path / "index.html").read_text()
    assert "1 of 4 participants" in index and 'href="P1-002.html"' in index
    # the endpoint listing shows registry decimals: HbA1c with one decimal
    listing = endpoint_listing(data["adeff"][data["adeff"]["USUBJID"] == "P1-002"])
    assert listing["HBA1C"].str.fullmatch(r"(\d+\.\d)?").all()


def test_profile_grid_from_inches_to_gridspec_fractions():
    from matplotlib.figure import Figure

    grid = {"left": 0.45, "right": 0.08, "top": 0.5, "wspace": 0.45, "hspace": 0.7}
    got = grid_fractions(7.2, 5.0, 2, 4, grid, bottom=1.0)
    # axes width (7.2 - 0.45 - 0.08 - 3 x 0.45) / 4 = 5.32 / 4 = 1.33 in;
    # axes height (5.0 - 0.5 - 1.0 - 1 x 0.7) / 2 = 2.8 / 2 = 1.4 in
    assert got == pytest.approx(
        {
            "left": 0.45 / 7.2,  # 0.0625
            "right": 1 - 0.08 / 7.2,  # 0.98889
            "top": 1 - 0.5 / 5.0,  # 0.9
            "bottom": 1.0 / 5.0,  # 0.2
            "wspace": 0.45 / 1.33,  # 0.33835
            "hspace": 0.7 / 1.4,  # 0.5
        }
    )
    # matplotlib places the axes where the inches say: second column starts at
    # 0.45 + 1.33 + 0.45 = 2.23 in, top row ends 0.5 in below the top (4.5 in),
    # bottom row starts at 1.0 in and the rows are 0.7 in apart (2.4 to 3.1 in)
    fig = Figure(figsize=(7.2, 5.0))
    gs = fig.add_gridspec(2, 4, **got)
    top_right = fig.add_subplot(gs[0, 1]).get_position()
    bottom_left = fig.add_subplot(gs[1, 0]).get_position()
    assert top_right.x0 * 7.2 == pytest.approx(2.23)
    assert top_right.width * 7.2 == pytest.approx(1.33)
    assert top_right.y1 * 5.0 == pytest.approx(4.5)
    assert top_right.y0 * 5.0 == pytest.approx(3.1)
    assert bottom_left.y1 * 5.0 == pytest.approx(2.4)
    assert bottom_left.y0 * 5.0 == pytest.approx(1.0)
    # no room left for the axes: a clear error, not a negative size
    with pytest.raises(ValueError, match=r"no room for 2 x 4 axes"):
        grid_fractions(1.8, 5.0, 2, 4, grid, bottom=1.0)  # 1.8 - 0.53 - 1.35 < 0


def test_endpoint_figure_bottom_margin_holds_the_legend_rows():
    # tick labels 0.24 + figure legend 0.26 = 0.50 in without an MMTT legend
    assert compute_endpoint_bottom(0) == pytest.approx(0.50)
    # five visits in rows of two: 3 rows, 0.24 + (0.06 + 3 x 0.14) + 0.26 = 0.98 in
    assert compute_endpoint_bottom(3) == pytest.approx(0.98)
    assert compute_endpoint_bottom(1) == pytest.approx(0.70)  # 0.24 + 0.20 + 0.26


def test_profile_figures_keep_every_label_inside_and_apart(phase1_adam, config):
    """With a fixed layout nothing makes room for long labels: every axes with its
    title, tick labels, legend and event labels stays inside the figure and clear of
    the other axes, for the participant with the most adverse events."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from plmsc.endpoints.adeff import derive_adeff
    from plmsc.report.profiles import (
        _endpoint_codes,
        _mmtt_long,
        cohort_medians,
        fig_endpoints,
        fig_safety,
    )

    analysis = config["cohorts"]["phase1"]["analysis"]
    adeff = derive_adeff(phase1_adam["adlb"], phase1_adam["advs"], analysis)
    uid = phase1_adam["adae"]["USUBJID"].value_counts().sort_index().idxmax()
    own = {
        k: f[f["USUBJID"] == uid] for k, f in {**phase1_adam, "adeff": adeff}.items()
        if "USUBJID" in f
    }  # fmt: skip
    curves = _mmtt_long(own["adlb"], "half")
    figures = [
        fig_endpoints(own["adeff"], cohort_medians(adeff), _endpoint_codes(adeff), curves),
        fig_safety(own["adlb"], own["adae"], own["adhypo"]),
    ]
    assert len(own["adae"]) >= 3
    for fig in figures:
        renderer = FigureCanvasAgg(fig).get_renderer()
        fig.draw(renderer)
        page = fig.bbox
        boxes = [ax.get_tightbbox(renderer) for ax in fig.axes]
        boxes += [legend.get_window_extent(renderer) for legend in fig.legends]
        for box in boxes:
            assert page.x0 <= box.x0 and box.x1 <= page.x1
            assert page.y0 <= box.y0 and box.y1 <= page.y1
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert not a.overlaps(b), (a, b)


def test_profile_figures_drawn_again_match_new_ones(phase1_adam, config, tmp_path):
    """Pages reuse the figures laid out for earlier participants: a participant's
    figures are the same bytes whether drawn after the others or alone."""
    from plmsc.endpoints.adeff import derive_adeff

    analysis = config["cohorts"]["phase1"]["analysis"]
    data = {
        **phase1_adam,
        "adeff": derive_adeff(phase1_adam["adlb"], phase1_adam["advs"], analysis),
    }
    write_profiles(data, tmp_path / "all", "phase1", 12)
    write_profiles(data, tmp_path / "one", "phase1", 12, ["P1-004"])
    images = re.compile(r'<img src="data:image/png;base64,[^"]+"')
    after_others = images.findall((tmp_path / "all" / "P1-004.html").read_text())
    alone = images.findall((tmp_path / "one" / "P1-004.html").read_text())
    assert len(alone) == 2 and after_others == alone


def test_mmtt_panels_span_0_to_120_minutes_when_samples_are_missing(phase1_adam, config):
    """A participant whose curves lack the 120-minute (or the first) samples still gets
    MMTT panels from 0 to 120 minutes, drawn alone or on a figure reused from others."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from plmsc.endpoints.adeff import derive_adeff
    from plmsc.report.profiles import _endpoint_codes, _mmtt_long, cohort_medians, fig_endpoints

    analysis = config["cohorts"]["phase1"]["analysis"]
    adeff = derive_adeff(phase1_adam["adlb"], phase1_adam["advs"], analysis)
    codes, medians = _endpoint_codes(adeff), cohort_medians(adeff)
    curves = _mmtt_long(phase1_adam["adlb"], "half")
    canvases: dict = {}
    for uid, drop in [("P1-001", [120]), ("P1-002", [-10, 0])]:
        own = adeff[adeff["USUBJID"] == uid]
        c = curves[(curves["USUBJID"] == uid) & ~curves["MINUTE"].isin(drop)]
        for reuse in (None, canvases):
            fig = fig_endpoints(own, medians, codes, c, reuse)
            FigureCanvasAgg(fig).draw()
            for ax in fig.axes[len(codes) :]:
                lo, hi = ax.get_xlim()
                assert lo <= 0 and hi >= 120, (uid, drop, lo, hi)
