"""Atomic writing: readable files, and one p-value rendering across numbers.json."""

from __future__ import annotations

import os
import stat

import pandas as pd

from plmsc.io import write_csv, write_text
from plmsc.report.numbers import missing_data_numbers


def test_written_files_get_the_mode_a_plain_open_gives(tmp_path):
    old = os.umask(0o022)
    try:
        csv = write_csv(pd.DataFrame({"A": [1]}), tmp_path / "a.csv")
        txt = write_text("x\n", tmp_path / "b.txt")
    finally:
        os.umask(old)
    # 0o666 & ~0o022 = 0o644: readable by the group and others, as results are shared
    assert stat.S_IMODE(csv.stat().st_mode) == 0o644
    assert stat.S_IMODE(txt.stat().st_mode) == 0o644


def test_missing_data_p_rounds_like_the_ancova_p():
    # p = 0.00146 at 3 decimals is 0.001; rounding to 4 first (0.0015) and then to 3
    # would give 0.002, a second rendering of the same p-value
    mi = pd.DataFrame(
        {
            "METHOD": ["observed (primary)", "multiple imputation (MAR)"],
            "POPULATION": ["ITT", "ITT"],
            "N_ANALYSED": [28, 30],
            "ESTIMATE": [0.0305, 0.028],
            "CI_LO": [-0.005, -0.007],
            "CI_HI": [0.066, 0.063],
            "P": [0.00146, 0.108],
            "M": [20, 20],
            "N_IMPUTED_TREATED": [0, 2],
            "N_IMPUTED_REFERENCE": [0, 0],
        }
    )
    tipping = pd.DataFrame({"TIPPING_DELTA": [0.0], "N_SHIFTED": [2]})
    out = missing_data_numbers(mi, tipping)
    assert out["observed"]["p"] == 0.001
    assert out["mi"]["p"] == 0.108
