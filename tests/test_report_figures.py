"""Manuscript figures fit a journal page: width, text size, arm colours, grid behind data.

Figures are made from the phase 1 analysis datasets as they are (single arm, four
participants), split into two arms (randomised path: arm colours, one median per arm)
and cloned to 60 participants (summary path: medians with interquartile bands).
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.text import Text
from PIL import Image

from plmsc.endpoints.adeff import derive_adeff
from plmsc.report import figures
from plmsc.report.catalogue import FIGURES
from plmsc.report.style import FULL_WIDTH, MIN_FONT_PT, PNG_DPI, arm_palette, figure_bytes

#: Widest figure a test accepts (inches): full page width with a little margin.
MAX_WIDTH_IN = 7.5


@pytest.fixture(scope="module")
def phase1(phase1_adam, config) -> dict[str, pd.DataFrame]:
    adeff = derive_adeff(
        phase1_adam["adlb"], phase1_adam["advs"], config["cohorts"]["phase1"]["analysis"]
    )
    return {**phase1_adam, "adeff": adeff}


def _two_arms(data: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    adsl = data["adsl"].sort_values("USUBJID").copy()
    adsl["ARM"] = ["MSC", "MSC", "PLACEBO", "PLACEBO"][: len(adsl)]
    return {**data, "adsl": adsl}


def _cloned(data: dict[str, pd.DataFrame], copies: int) -> dict[str, pd.DataFrame]:
    """``copies`` copies of every participant, USUBJID suffixed -01, -02, ..."""
    out = {}
    for name, frame in data.items():
        if "USUBJID" not in frame:
            out[name] = frame
            continue
        parts = [frame.assign(USUBJID=frame["USUBJID"] + f"-{k:02d}") for k in range(copies)]
        out[name] = pd.concat(parts, ignore_index=True)
    return out


def _make(data: dict[str, pd.DataFrame], design: str):
    return figures.make_figures(
        data["adsl"], data["adlb"], data["adeff"], data["adae"], data["adhypo"], design
    )


def _check_page_fit(figs) -> None:
    for name, fig in figs.items():
        png = Image.open(io.BytesIO(figure_bytes(fig, "png")))
        dpi = png.info["dpi"][0]
        assert round(dpi) == PNG_DPI, name
        assert png.size[0] / dpi <= MAX_WIDTH_IN, (name, png.size[0] / dpi)
        texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
        small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < MIN_FONT_PT]
        assert not small, (name, small)
        for ax in fig.axes:
            assert ax.get_axisbelow() is True, name


@pytest.mark.parametrize("variant", ["single_arm", "randomised", "many"])
def test_every_figure_fits_a_page_with_readable_text(phase1, variant):
    data = {"single_arm": phase1, "randomised": _two_arms(phase1)}.get(variant)
    if variant == "many":
        data = _two_arms(phase1)
        data = _cloned(data, 15)  # 60 participants: more than MAX_PARTICIPANT_LINES
    design = "single_arm" if variant == "single_arm" else "randomised"
    _check_page_fit(_make(data, design))


def test_randomised_lines_take_their_arm_colour(phase1):
    data = _two_arms(phase1)
    fig = figures.fig_cpeptide_auc(data["adeff"], data["adsl"], "randomised")
    colours = arm_palette(["MSC", "PLACEBO"])
    ax = fig.axes[0]
    (individual,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    # sorted USUBJIDs: the first two are MSC, the last two PLACEBO
    got = [tuple(round(v, 6) for v in rgba[:3]) for rgba in individual.get_colors()]
    want = [colours[a] for a in ("MSC", "MSC", "PLACEBO", "PLACEBO")]
    assert got == [tuple(round(v, 6) for v in c) for c in want]
    medians = [line for line in ax.get_lines() if line.get_linewidth() >= 2]
    assert [tuple(line.get_color()) for line in medians] == [colours["MSC"], colours["PLACEBO"]]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[:2] == ["MSC (n = 2), median", "PLACEBO (n = 2), median"]


def test_remission_threshold_is_named_in_the_legend_not_on_the_panel(phase1):
    fig = figures.fig_glycaemic_control(phase1["adeff"], phase1["adsl"], "single_arm", 9.0)
    assert not [t for ax in fig.axes for t in ax.texts]  # no label inside any panel
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Partial remission: IDAA1c \u2264 9 %" in legend
    assert fig.get_size_inches()[0] == pytest.approx(FULL_WIDTH)


def test_antibody_positivity_bars_are_the_share_positive(phase1):
    """Bottom row: % of participants with CRIT1FL = Y per visit (phase 1: GADA and
    ZnT8A positive in all four at every visit, so every GADA bar is 100)."""
    fig = figures.fig_autoantibodies(phase1["adeff"], phase1["adsl"], "single_arm")
    adeff = figures.analysed(phase1["adeff"])
    gada = adeff[(adeff["PARAMCD"] == "GADA") & adeff["CRIT1FL"].notna()]
    expected = 100 * gada["CRIT1FL"].eq("Y").groupby(gada["AVISITN"]).mean()
    bottom_left = fig.axes[3]
    heights = [p.get_height() for p in bottom_left.patches]
    assert heights == pytest.approx(list(expected))
    assert bottom_left.get_title() == "GADA positive (\u2265 10 IU/mL)"


def test_large_cohorts_get_bands_instead_of_lines(phase1):
    data = _cloned(_two_arms(phase1), 15)
    fig = figures.fig_cpeptide_auc(data["adeff"], data["adsl"], "randomised")
    ax = fig.axes[0]
    assert not [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(ax.collections) == 2  # one interquartile band per arm


@pytest.mark.slow
def test_every_manuscript_png_of_a_run_fits_the_page():
    """The PNG files the workflow writes: at most 7.5 in wide at their own dpi."""
    from report_fixtures import phase1_report

    pngs = sorted((phase1_report() / "phase1" / "manuscript").glob("*.png"))
    assert len(pngs) == len(FIGURES) + 1  # and the participant flow diagram
    for path in pngs:
        with Image.open(path) as png:
            dpi = png.info["dpi"][0]
            assert png.size[0] / dpi <= MAX_WIDTH_IN, (path.name, png.size[0] / dpi)


def test_mmtt_curves_draw_the_analysed_session_only(phase1):
    """Two MMTT sessions in one window: the second (3 days later, every C-peptide
    value x 100) stays in ADLB but is not the visit's curve; the analysed session
    (the CPAUC row with ANL01FL = Y in ADEFF, unchanged) is."""
    adlb, adeff = phase1["adlb"], phase1["adeff"]
    anl = figures.analysed_sessions(adeff).sort_values(["USUBJID", "ADY"]).iloc[-1]
    session = adlb[
        (adlb["USUBJID"] == anl["USUBJID"])
        & (adlb["ADY"] == anl["ADY"])
        & (adlb["PARAMCD"] == "CPEP")
        & adlb["ATPTN"].notna()
    ]
    assert len(session) >= 6  # the MMTT draws of the analysed session
    second = session.assign(ADY=session["ADY"] + 3, AVAL=session["AVAL"] * 100, ANL01FL=None)
    two = pd.concat([adlb, second], ignore_index=True)
    fig = figures.fig_mmtt_curves(two, phase1["adsl"], "single_arm", adeff=adeff)
    (panel,) = [ax for ax in fig.axes if ax.get_title() == anl["AVISIT"]]
    (lines,) = [c for c in panel.collections if isinstance(c, LineCollection)]
    segments = lines.get_segments()
    # one curve per participant (4), each over the 6 MMTT minutes 0, 15, 30, 60, 90, 120
    assert len(segments) == len(phase1["adsl"]) == 4
    assert all(len(seg) <= 7 for seg in segments)
    # the highest point is the analysed session's, not 100 x it
    drawn = max(float(seg[:, 1].max()) for seg in segments)
    assert drawn < 100 * float(session["AVAL"].max()) / 2
    # without ADEFF both sessions are drawn (the participant's line has twice the points)
    both = figures.fig_mmtt_curves(two, phase1["adsl"], "single_arm")
    (panel,) = [ax for ax in both.axes if ax.get_title() == anl["AVISIT"]]
    (lines,) = [c for c in panel.collections if isinstance(c, LineCollection)]
    assert max(float(seg[:, 1].max()) for seg in lines.get_segments()) == pytest.approx(
        100 * float(session["AVAL"].max()), rel=0.01
    )


def _figure_text(fig) -> str:
    return " ".join(t.get_text() for t in fig.findobj(Text) if t.get_visible())


def test_every_figure_names_its_population_and_n(phase1):
    """Efficacy figures (1-5) the primary population, safety figures (6-7) SAFFL, with
    their n and the n of each arm. Four participants in two arms: ITTFL = Y for all
    four, MITTFL = Y for three (S1 MSC, S2 MSC, S3 PLACEBO), SAFFL = Y for all four."""
    data = _two_arms(phase1)
    adsl = data["adsl"].assign(ITTFL="Y", SAFFL="Y", PPROTFL="Y")
    adsl["MITTFL"] = ["Y", "Y", "Y", "N"]  # sorted: the 4th participant (PLACEBO) leaves
    figs = figures.make_figures(
        adsl, data["adlb"], data["adeff"], data["adae"], data["adhypo"], "randomised",
        population="MITT",
    )  # fmt: skip
    assert set(figs) == set(FIGURES)
    for name, fig in figs.items():
        text = _figure_text(fig)
        if name.startswith(("fig6", "fig7")):
            assert "Population: safety (SAF), n = 4." in text, name
            assert "MSC: n = 2; PLACEBO: n = 2." in text, name
        else:
            # MITT: 3 of 4 (MSC 2, PLACEBO 1)
            assert "Population: modified intention-to-treat (MITT), n = 3." in text, name
            assert "MSC: n = 2; PLACEBO: n = 1." in text, name
    # the MITT figures draw the three participants: Figure 2 has 3 lines
    (lines,) = [c for c in figs["fig2_cpeptide_auc"].axes[0].collections
                if isinstance(c, LineCollection)]  # fmt: skip
    assert len(lines.get_segments()) == 3
    _check_page_fit(figs)


def test_single_arm_figures_name_the_population_without_arms(phase1):
    adsl = phase1["adsl"].assign(ITTFL="Y", SAFFL="Y")
    figs = figures.make_figures(
        adsl, phase1["adlb"], phase1["adeff"], phase1["adae"], phase1["adhypo"], "single_arm"
    )
    for name, fig in figs.items():
        want = "safety (SAF)" if name.startswith(("fig6", "fig7")) else "intention-to-treat (ITT)"
        assert f"Population: {want}, n = 4." in _figure_text(fig), name
        assert "n = 4.\n" not in _figure_text(fig), name  # no arm line
