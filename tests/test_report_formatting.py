"""The shared formatter, with values rounded by hand."""

from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from plmsc.report import formatting as fmt


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0.125, 2, "0.13"),  # exact half in decimal -> away from zero
        (-0.125, 2, "-0.13"),
        (2.5, 0, "3"),  # Python's round(2.5) is 2 (half to even)
        (-2.5, 0, "-3"),
        (3.5, 0, "4"),
        (1.005, 2, "1.01"),  # binary 1.00499999...; its repr "1.005" rounds up
        (2.675, 2, "2.68"),  # binary 2.67499999...; round(2.675, 2) gives 2.67
        (1.0049, 2, "1.00"),
        (0.1, 3, "0.100"),  # fixed decimals keep trailing zeros
        (-0.0001, 2, "0.00"),  # a rounded zero has no sign
        (-0.004, 2, "0.00"),
        (1234.5, 0, "1235"),
        (8.25, 1, "8.3"),  # f"{8.25:.1f}" gives "8.2"
        (96.05, 1, "96.1"),  # f"{96.05:.1f}" gives "96.0"
        (7, 2, "7.00"),  # integers
        (np.float64(0.125), 2, "0.13"),
        (np.int64(4), 1, "4.0"),
        (1e-7, 3, "0.000"),
    ],
)
def test_format_number_rounds_half_away_from_zero(value, decimals, expected):
    assert fmt.format_number(value, decimals) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA])
def test_missing_is_empty_text_and_json_null(missing):
    assert fmt.format_number(missing, 2) == ""
    assert fmt.rounded(missing, 2) is None
    assert fmt.format_p(missing) == ""


def test_infinite_value_is_an_error():
    with pytest.raises(ValueError, match="not a finite number"):
        fmt.format_number(float("inf"), 1)


def test_rounded_json_numbers_round_like_the_tables():
    assert fmt.rounded(1.005, 2) == 1.01
    assert fmt.rounded(0.125, 2) == 0.13
    assert fmt.rounded(-2.5, 0) == -3.0
    assert fmt.rounded(-0.0001, 2) == 0.0
    # JSON shows the same digits the table shows (no 1.0099999 artefacts)
    assert json.dumps([fmt.rounded(1.005, 2), fmt.rounded(8.25, 1)]) == "[1.01, 8.3]"
    for v, d in [(0.125, 2), (1.005, 2), (96.05, 1), (-33.3333, 1)]:
        assert float(fmt.format_number(v, d)) == fmt.rounded(v, d)
    assert fmt.round_decimal(0.125, 2) == Decimal("0.13")


def test_ranges_one_way_everywhere():
    assert fmt.format_range(0.2, 0.9, 3) == "0.200–0.900"
    assert fmt.format_range(-3, 2, 1) == "-3.0 to 2.0"
    assert fmt.format_range(-3, -1, 1) == "-3.0 to -1.0"
    # a negative that rounds to zero is not negative
    assert fmt.format_range(-0.001, 2, 1) == "0.0–2.0"
    assert fmt.format_range(np.nan, 2, 1) == ""


def test_median_and_range():
    # median of 1, 2, 3, 10 = (2 + 3) / 2 = 2.5
    assert fmt.format_median_range([1, 2, 3, 10], 1) == "2.5 (1.0–10.0)"
    # NaN dropped: 0.2, 0.4, 0.9 -> median 0.4
    assert fmt.format_median_range(pd.Series([0.2, np.nan, 0.9, 0.4]), 3) == "0.400 (0.200–0.900)"
    assert fmt.format_median_range([-3, -1, 2], 1) == "-1.0 (-3.0 to 2.0)"
    # median of 8.2 and 8.3 = 8.25 -> 8.3 (half away from zero)
    assert fmt.format_median_range([8.2, 8.3], 1) == "8.3 (8.2–8.3)"
    assert fmt.format_median_range([5.0], 1) == "5.0 (5.0–5.0)"
    assert fmt.format_median_range([np.nan], 2) == ""
    assert fmt.MEDIAN_RANGE == "Median (min–max)"


def test_estimate_with_confidence_interval():
    assert fmt.format_estimate_ci(0.125, -0.05, 0.305, 2) == "0.13 (-0.05 to 0.31)"
    assert fmt.format_estimate_ci(1.5, 1.25, 1.75, 1) == "1.5 (1.3–1.8)"
    assert fmt.format_estimate_ci(1.5, np.nan, np.nan, 1) == "1.5"
    assert fmt.format_estimate_ci(np.nan, 1, 2, 1) == ""


def test_counts_and_percentages():
    # 2/3 = 66.67 % -> 67 %; 1/8 = 12.5 % -> 13 % (half away from zero, not 12)
    assert fmt.format_n_of_total(2, 3) == "2/3 (67 %)"
    assert fmt.format_n_of_total(1, 8) == "1/8 (13 %)"
    assert fmt.format_n_of_total(1, 8, 1) == "1/8 (12.5 %)"
    assert fmt.format_n_of_total(0, 4) == "0/4 (0 %)"
    assert fmt.format_n_of_total(0, 0) == "0/0"
    assert fmt.format_n_pct(3, 4) == "3 (75 %)"
    assert fmt.format_n_pct(0, 0) == "0"
    # 1/6 = 16.666..% exactly computed in decimal, 1 decimal -> 16.7
    assert fmt.format_pct(1, 6, 1) == "16.7 %"


def test_p_values():
    assert fmt.format_p(0.125) == "0.125"
    assert fmt.format_p(0.0625) == "0.063"  # 0.0625 -> 0.063 (half away from zero)
    assert fmt.format_p(0.0005) == "<0.001"
    assert fmt.format_p(0.001) == "0.001"
    assert fmt.format_p(1.0) == "1.000"
    with pytest.raises(ValueError, match="outside"):
        fmt.format_p(1.2)


def test_censored_values():
    assert fmt.format_censored(4000, 0, "above") == "≥ 4000"
    assert fmt.format_censored(0.05, 2, "below") == "<0.05"
    assert fmt.format_censored(0.456, 2) == "0.46"
    assert fmt.format_censored(np.nan, 2, "above") == ""
    with pytest.raises(ValueError, match="censored"):
        fmt.format_censored(1, 0, "high")
    listed = fmt.format_uloq(
        pd.Series([4000.0, 250.4, np.nan]), 0, pd.Series(["Y", None, "Y"], dtype=object)
    )
    assert list(listed) == ["≥ 4000", "250", ""]


def test_significant_digits_for_notebook_display():
    assert fmt.format_significant(0.0012345, 4) == "0.001235"  # 0.00123450 -> 5 rounds up
    assert fmt.format_significant(123456.0, 4) == "123500"
    assert fmt.format_significant(2.5, 1) == "3"
    assert fmt.format_significant(-0.125, 2) == "-0.13"
    assert fmt.format_significant(0.0, 4) == "0"
    assert fmt.format_significant(np.nan, 4) == ""


def test_median_and_interquartile_range():
    # 1, 2, 3, 10: Q1 at position 0.75 -> 1 + 0.75 * (2 - 1) = 1.75; Q3 at 2.25 ->
    # 3 + 0.25 * (10 - 3) = 4.75; median 2.5
    assert fmt.format_median_iqr([1, 2, 3, 10], 2) == "2.50 (1.75–4.75)"
    assert fmt.format_median_iqr([np.nan], 1) == ""
    assert fmt.MEDIAN_IQR == "Median (Q1–Q3)"


def _quantile_of_all_decimals(values, q):
    """Reference: every value as the decimal it prints as, sorted, then type 7."""
    x = sorted(fmt.to_decimal(v) for v in pd.Series(values, dtype=float).dropna())
    h = (len(x) - 1) * fmt.to_decimal(q)
    lo, frac = int(h), h - int(h)
    return x[lo] if frac == 0 or lo + 1 >= len(x) else x[lo] + frac * (x[lo + 1] - x[lo])


@pytest.mark.parametrize("seed", range(5))
def test_quantiles_sort_floats_as_their_decimals_sort(seed):
    # Only the two order statistics used are turned into decimals; floats sort as their
    # shortest reprs do, so the result equals converting and sorting every value:
    # ties, -0.0 and 0.0, tiny and huge magnitudes and missing values included.
    rng = np.random.default_rng(seed)
    values = np.concatenate(
        [
            rng.normal(0, 1, 200).round(rng.integers(0, 6)),
            [0.0, -0.0, 5e-324, -5e-324, 1e300, 0.1, 0.1, 0.30000000000000004, np.nan],
        ]
    )
    rng.shuffle(values)
    for q in (0.0, 0.25, 0.5, 0.75, 1.0, 0.1):
        assert fmt.quantile_decimal(values, q) == _quantile_of_all_decimals(values, q)


def test_quantile_of_a_non_finite_value_is_an_error():
    # an infinite value is an error wherever it sorts, as when every value was converted
    with pytest.raises(ValueError, match="not a finite number"):
        fmt.quantile_decimal([1.0, 2.0, 3.0, np.inf], 0.5)


def test_median_is_computed_in_decimal_arithmetic():
    # phase 1 values: median of 0.049, 0.566, 0.617, 0.631 is (0.566 + 0.617) / 2 = 0.5915
    # -> 0.592 at 3 decimals; the float mean is 0.59149999999999991 (-> 0.591)
    assert (0.566 + 0.617) / 2 < 0.5915
    assert fmt.median_decimal([0.049, 0.566, 0.617, 0.631]) == Decimal("0.5915")
    assert fmt.format_median_range([0.049, 0.566, 0.617, 0.631], 3) == "0.592 (0.049–0.631)"
    # (74.8 + 95.1) / 2 = 84.95 -> 85.0 (float: 84.94999999999999)
    assert fmt.format_median_range([65.1, 74.8, 95.1, 365.3], 1) == "85.0 (65.1–365.3)"
    # quartiles in decimal: 0.1, 0.2, 0.3 -> Q1 = 0.1 + 0.5 * 0.1 = 0.15 exactly
    assert fmt.quantile_decimal([0.1, 0.2, 0.3], 0.25) == Decimal("0.15")
    assert fmt.quantile_decimal([np.nan], 0.5) is None


def test_negative_and_positive_zero_keep_their_order():
    # -0.0 and 0.0 are equal: the quantile is the one that came first, as when every
    # value was sorted as a decimal (a stable sort)
    assert str(fmt.quantile_decimal([-0.0, 0.0, 1.0], 0.0)) == "-0.0"
    assert str(fmt.quantile_decimal([0.0, -0.0, 1.0], 0.0)) == "0.0"
