"""Exact tests of a single-arm cohort, with p-values enumerated by hand."""

from __future__ import annotations

import math
from itertools import permutations, product

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from plmsc.endpoints import stats
from plmsc.endpoints.stats import (
    compute_friedman_p,
    compute_wilcoxon_exact,
    exploratory_tests,
    friedman_across_visits,
    friedman_exact_p,
    friedman_statistic,
    signed_ranks,
)

# --- Wilcoxon ------------------------------------------------------------------------


def test_wilcoxon_with_tied_differences_by_hand():
    # d = 1, -1, 2, 3: |d| ranks 1.5, 1.5, 3, 4; W+ = 1.5 + 3 + 4 = 8.5, mean 10/2 = 5
    # the 16 sign assignments give W+ = 0, 1.5, 1.5, 3, 3, 4, 4.5, 4.5, 5.5, 5.5, 6, 7, 7,
    # 8.5, 8.5, 10; |W+ - 5| >= 3.5 for 0, 1.5, 1.5, 8.5, 8.5, 10: p = 6/16 = 0.375
    got = compute_wilcoxon_exact(np.array([1.0, -1.0, 2.0, 3.0]))
    assert got.w_plus == 8.5
    assert got.p == pytest.approx(6 / 16)
    # the most extreme outcome (all signs alike: W+ = 0 or 10) has p = 2/16
    assert got.p_min == pytest.approx(0.125)


def test_wilcoxon_zero_difference_pratt_and_wilcox():
    d = np.array([0.0, 2.0, 3.0, 4.0, -1.0])
    # Pratt: |d| ranked with the zero: 0 -> 1, 1 -> 2, 2 -> 3, 3 -> 4, 4 -> 5; the zero has
    # no sign. W+ = 3 + 4 + 5 = 12; non-zero ranks 2, 3, 4, 5, mean 14/2 = 7, |12 - 7| = 5.
    # Subset sums of {2,3,4,5}: 0,2,3,4,5,5,6,7,7,8,9,9,10,11,12,14; |W - 7| >= 5 for
    # 0, 2, 12, 14: p = 4/16 = 0.25
    assert list(signed_ranks(d, "pratt")) == [0.0, 3.0, 4.0, 5.0, -2.0]
    pratt = compute_wilcoxon_exact(d, "pratt")
    assert (pratt.w_plus, pratt.p, pratt.n_zero) == (12.0, pytest.approx(0.25), 1)
    # Wilcoxon: the zero dropped, ranks of 1, 2, 3, 4 are 1..4; W+ = 2 + 3 + 4 = 9, mean 5;
    # subset sums of {1,2,3,4}: |W - 5| >= 4 for 0, 1, 9, 10: p = 4/16 = 0.25
    wilcox = compute_wilcoxon_exact(d, "wilcox")
    assert (wilcox.w_plus, wilcox.p) == (9.0, pytest.approx(0.25))
    with pytest.raises(ValueError, match="zero_method"):
        compute_wilcoxon_exact(d, "zsplit")


def test_wilcoxon_matches_scipy_where_scipy_is_exact():
    # no ties, no zeros: scipy's exact distribution applies
    d = np.array([0.3, -1.2, 2.5, 1.9, 0.7, -0.1, 3.3, 1.4])
    ours = compute_wilcoxon_exact(d)
    ref = sps.wilcoxon(d, method="exact")
    assert ours.p == pytest.approx(ref.pvalue, abs=1e-12)
    # four decreases, n = 4: p = 2 / 2^4 = 0.125 (the smallest possible)
    four = compute_wilcoxon_exact(np.array([-0.1, -0.2, -0.3, -0.4]))
    assert four.p == pytest.approx(sps.wilcoxon([-0.1, -0.2, -0.3, -0.4], method="exact").pvalue)
    assert (four.w_plus, four.p, four.p_min) == (0.0, 0.125, 0.125)


def test_wilcoxon_of_twenty_pairs_is_enumerated():
    d = np.arange(1, 21, dtype=float) * np.where(np.arange(20) % 3 == 0, -1, 1)
    got = compute_wilcoxon_exact(d)
    assert got.p == pytest.approx(sps.wilcoxon(d, method="exact").pvalue, abs=1e-12)
    with pytest.raises(ValueError, match="at most 20"):
        compute_wilcoxon_exact(np.arange(1, 22, dtype=float))


# --- Friedman ------------------------------------------------------------------------


def test_friedman_statistic_by_hand():
    # n = 4, k = 3, rank sums R = (4, 9, 11): Q = 12/(4*3*4) * (16 + 81 + 121) - 3*4*4 = 6.5
    ranks = np.array([[1, 2, 3], [1, 2, 3], [1, 3, 2], [1, 2, 3]], dtype=float)
    assert friedman_statistic(ranks) == pytest.approx(6.5)


def test_friedman_exact_p_of_perfect_concordance():
    # every participant ranks the visits alike: only the 3! configurations where all
    # three share one order reach Q, so p = 6 / 6^3 = 1/36 for n = 3, k = 3
    values = np.array([[3.0, 2.0, 1.0], [0.9, 0.5, 0.1], [30.0, 20.0, 10.0]])
    p, method = friedman_exact_p(values)
    assert p == pytest.approx(1 / 36)
    assert method == "exact (all 216 reorderings)"


def test_friedman_exact_p_of_no_effect_is_one():
    # ranks that cancel (rank sums all equal): Q = 0, every configuration is at least as large
    values = np.array([[1.0, 2.0, 3.0], [3.0, 1.0, 2.0], [2.0, 3.0, 1.0]])
    assert friedman_exact_p(values)[0] == pytest.approx(1.0)


def test_friedman_exact_with_ties_by_hand():
    # participant 1: 5, 5, 9 -> ranks 1.5, 1.5, 3; participant 2: 1, 2, 3 -> ranks 1, 2, 3.
    # Rank sums (2.5, 3.5, 6): sum of squares 6.25 + 12.25 + 36 = 54.5. Fix participant 1
    # (the statistic ignores the visits' labels); participant 2's 6 orders give rank sums
    # (2.5,3.5,6) and (3.5,2.5,6): 54.5; (2.5,4.5,5), (4.5,2.5,5): 51.5;
    # (3.5,4.5,4), (4.5,3.5,4): 48.5. So p = P(>= 54.5) = 2/6 = 1/3.
    got = compute_friedman_p(np.array([[5.0, 5.0, 9.0], [1.0, 2.0, 3.0]]))
    assert got.p == pytest.approx(1 / 3)
    assert got.p_min == pytest.approx(1 / 3)


def _brute_force_p(values: np.ndarray) -> float:
    ranks = pd.DataFrame(values).rank(axis=1).to_numpy()
    n, k = ranks.shape
    q_obs = friedman_statistic(ranks)
    orders = list(permutations(range(k)))
    hits = total = 0
    for combo in product(orders, repeat=n):
        r = np.array([ranks[i][list(o)] for i, o in enumerate(combo)])
        hits += friedman_statistic(r) >= q_obs - 1e-9
        total += 1
    return hits / total


def test_friedman_dynamic_programme_equals_brute_force():
    values = np.array([[0.3, 0.5, 0.2, 0.9], [1.1, 0.4, 0.4, 0.8], [0.2, 0.6, 0.1, 0.7]])
    assert compute_friedman_p(values).p == pytest.approx(_brute_force_p(values), abs=1e-12)


def test_friedman_monte_carlo_when_not_tractable(monkeypatch):
    values = np.array([[3.0, 2.0, 1.0], [0.9, 0.5, 0.1], [30.0, 20.0, 10.0], [3, 1, 2]])
    exact = compute_friedman_p(values)
    monkeypatch.setattr(stats, "MAX_ENUMERATION", 1)
    monkeypatch.setattr(stats, "MONTE_CARLO", 20_000)
    mc = compute_friedman_p(values, seed=7)
    assert mc.method == "Monte Carlo (20,000 reorderings, seed 7; 99 % CI of p)"
    assert mc.ci_lo < exact.p < mc.ci_hi
    assert mc.ci_lo <= mc.p <= mc.ci_hi
    assert compute_friedman_p(values, seed=7) == mc  # seeded: same result


def test_friedman_names_the_participant_left_out():
    # D has no Month 3 value: left out; A, B, C decline alike -> p = 1/36 (as above)
    wide = pd.DataFrame(
        {-7: [1.0, 0.9, 0.8, 0.7], 90: [0.8, 0.7, 0.6, np.nan], 365: [0.5, 0.4, 0.3, 0.2]},
        index=pd.Index(["A", "B", "C", "D"], name="USUBJID"),
    ).rename_axis(columns="AVISITN")
    got = friedman_across_visits("CPAUC", wide)
    assert (got["N"], got["N_EXCLUDED"], got["EXCLUDED"]) == (3, 1, "D")
    assert got["P"] == pytest.approx(1 / 36)
    # 1/36 = 0.028 < 0.05 is attainable: no note
    assert got["NOTE"] == ""


# --- the table -----------------------------------------------------------------------


def test_exploratory_tests_are_labelled_and_exact():
    visits = [("Baseline", -7), ("Month 3", 90), ("Month 12", 365)]
    rows = []
    for i, s in enumerate(["A", "B", "C", "D"]):
        for j, (visit, day) in enumerate(visits):
            rows.append(
                {"USUBJID": s, "PARAMCD": "CPAUC", "AVISIT": visit, "AVISITN": day, "ADY": day,
                 "AVAL": 1.0 - 0.2 * j - 0.01 * i, "ABLFL": "Y" if j == 0 else None, "ANL01FL": "Y"}
            )  # fmt: skip
    adeff = pd.DataFrame(rows).astype({"AVISITN": "Int64", "ADY": "Int64"})
    got = exploratory_tests(adeff, ["CPAUC"]).set_index("TEST")
    assert sorted(got.reset_index().columns) == sorted(stats.COLUMNS)
    assert set(got["LABEL"]) == {"exploratory"}
    fr = got.loc["Friedman across visits"]
    # all four decline: Q = 12/(4*3*4) * (12^2 + 8^2 + 4^2) - 48 = 56 - 48 = 8
    assert fr["STATISTIC"] == pytest.approx(8.0)
    # the 3! orders all four share, out of 6^4: p = 6 / 1296 = 1/216
    assert fr["P"] == pytest.approx(1 / 6**3)
    assert fr["P_METHOD"] == "exact (all 1,296 reorderings)"
    assert fr["P_ASYMPTOTIC"] == pytest.approx(math.exp(-8 / 2))  # chi-square, 2 df
    wx = got.loc["Wilcoxon signed-rank, baseline vs Month 12"]
    # four decreases: W+ = 0, exact two-sided p = 2 / 2^4 = 0.125
    assert (wx["STATISTIC"], wx["P"], wx["N"]) == (0.0, pytest.approx(0.125), 4)
    assert wx["ZERO_METHOD"] == "pratt (0 zero differences)"
    assert wx["P_METHOD"] == "exact (all 16 sign assignments)"
    assert wx["NOTE"] == (
        "with n = 4 the smallest attainable two-sided p is 0.125: this test cannot reach p < 0.05"
    )
    assert wx["EXCLUDED"] == ""


def test_wilcoxon_names_a_participant_without_a_comparison_value():
    rows = [
        {"USUBJID": s, "PARAMCD": "HBA1C", "AVISIT": v, "AVISITN": day, "ADY": day,
         "AVAL": a, "ABLFL": "Y" if day < 0 else None, "ANL01FL": "Y"}
        for s, v, day, a in [
            ("A", "Baseline", -7, 9.0), ("A", "Month 12", 365, 7.0),
            ("B", "Baseline", -7, 8.0), ("B", "Month 12", 365, 8.0),  # zero difference
            ("C", "Baseline", -7, 10.0), ("C", "Month 12", 365, 7.5),
            ("D", "Baseline", -7, 9.5),  # no Month 12 value
        ]
    ]  # fmt: skip
    adeff = pd.DataFrame(rows).astype({"AVISITN": "Int64", "ADY": "Int64"})
    wx = exploratory_tests(adeff, ["HBA1C"]).iloc[-1]
    assert (wx["N"], wx["N_EXCLUDED"], wx["EXCLUDED"]) == (3, 1, "D")
    # d = -2, 0, -2.5 (Pratt): ranks with the zero 2, 1, 3; W+ = 0; non-zero ranks 2, 3:
    # sums 0, 2, 3, 5, mean 2.5; |W - 2.5| >= 2.5 for 0 and 5: p = 2/4 = 0.5
    assert (wx["STATISTIC"], wx["P"]) == (0.0, pytest.approx(0.5))
    assert wx["ZERO_METHOD"] == "pratt (1 zero differences)"
