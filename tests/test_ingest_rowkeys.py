"""Integer group ids and sort orders agree with pandas on every kind of column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from plmsc.ingest.rowkeys import (
    combine_keys,
    group_ends,
    group_starts,
    row_identity,
    sort_order,
)


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cat": pd.Categorical(["b", "a", None, "b", "a", "b"], categories=["b", "a"]),
            "text": pd.array(["x", "y", "x", None, "x", "x"], dtype="str"),
            "int": pd.array([3, None, 1, 3, 1, 3], dtype="Int64"),
            "float": [0.5, np.nan, 2.0, 0.5, -1.0, 0.5],
            "when": pd.to_datetime(
                ["2020-01-02", None, "2020-01-01", "2020-01-02", "2019-12-31", "2020-01-02"]
            ),
        }
    )


@pytest.mark.parametrize("na_position", ["first", "last"])
@pytest.mark.parametrize(
    ("by", "ascending"),
    [
        (["cat"], True),
        (["text", "int"], [True, False]),
        (["float", "when"], [False, True]),
        (["when", "cat", "text"], False),
        (["int", "float", "when", "text", "cat"], [True, False, True, False, True]),
    ],
)
def test_sort_order_is_pandas_stable_sort(by, ascending, na_position):
    df = frame()
    expected = df.sort_values(by, ascending=ascending, na_position=na_position, kind="stable")
    got = sort_order(df, by, ascending=ascending, na_position=na_position)
    assert got.tolist() == expected.index.tolist()


def test_row_identity_equal_exactly_for_equal_rows():
    df = frame()
    ids = row_identity(df, ["cat", "text", "int", "float", "when"])
    # rows 0 and 5 hold the same five values; every other row is unique
    assert ids[0] == ids[5]
    assert len(set(ids.tolist())) == 5
    # missing values group together and apart from every value
    ids = row_identity(pd.DataFrame({"v": pd.array([1, None, None, 0], dtype="Int64")}), ["v"])
    assert ids[1] == ids[2] and len({ids[0], ids[1], ids[3]}) == 3


def test_row_identity_survives_many_wide_columns():
    # 8 columns of 10,000 distinct values: 10,001**8 > 2**62 forces re-factorisation
    rng = np.random.default_rng(0)
    base = rng.integers(0, 10_000, size=(500, 8))
    df = pd.DataFrame(np.vstack([base, base[:50]]), columns=list("abcdefgh"))
    ids = row_identity(df, list(df.columns))
    assert ids[500:].tolist() == ids[:50].tolist()
    assert len(set(ids.tolist())) == len(df.drop_duplicates())


def test_group_starts_and_ends():
    ids = np.array([4, 4, 7, 9, 9, 9])
    assert group_starts(ids).tolist() == [True, False, True, True, False, False]
    assert group_ends(ids).tolist() == [False, True, True, False, False, True]


def test_combined_keys_sort_like_the_separate_keys():
    rng = np.random.default_rng(1)
    n = 2_000
    keys = [
        rng.integers(-5, 5, n),  # negative values: shifted to start at 0
        rng.random(n) < 0.5,  # a missing flag
        rng.integers(0, 2**40, n),  # 2**40 * 10 * 2 * 3 < 2**62: folded with the others
        rng.integers(0, 3, n).astype(float),  # float: kept apart
        rng.integers(0, 2**61, n),  # too wide to fold with the next key
        rng.integers(0, 4, n),
    ]
    combined = combine_keys(keys)
    # [int, bool, int] fold into one; the float apart; 2**61 * 4 >= 2**62 stays apart
    assert len(combined) == 4
    assert np.array_equal(np.lexsort(combined[::-1]), np.lexsort(keys[::-1]))
