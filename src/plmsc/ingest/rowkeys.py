"""Integer keys for grouping and sorting rows without pandas' per-call overhead.

:func:`row_identity` turns several columns into one int64 group id;
:func:`sort_order` gives the positions that ``DataFrame.sort_values(kind="stable")``
would, through one ``numpy.lexsort`` over integer keys. Categorical columns use
their codes (category order, as pandas sorts them), datetimes and integers their
int64 values, floats their values, anything else its sorted factorisation.
:func:`text_from_codes` and :func:`flag_array` go the other way: text columns from
integer codes, built in Arrow.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa


def row_identity(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """An integer per row, equal for rows with equal values in ``columns`` (exact, no hashing).

    Column codes are combined as mixed-radix integers (a categorical column's own
    codes, others factorised; missing values get their own code); the running id
    is re-factorised only when the next combination could overflow int64.
    """
    return combine_codes([column_codes(frame[col]) for col in columns], len(frame))


def column_codes(values: pd.Series, rows: np.ndarray | None = None) -> tuple[np.ndarray, int]:
    """(codes, radix) of a column: codes 0 .. radix - 1, equal exactly for equal values.

    A categorical column's own codes shifted by one (0 = missing), others factorised.
    ``rows``: positions to take (default all); a categorical column keeps the radix of
    all its categories, so its codes are taken without slicing the column.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        codes = codes if rows is None else codes[rows]
        return codes.astype(np.int64) + 1, len(values.cat.categories) + 1
    found, uniques = pd.factorize(values if rows is None else values.iloc[rows])
    return found.astype(np.int64) + 1, len(uniques) + 1


def combine_codes(parts: Sequence[tuple[np.ndarray, int]], n: int) -> np.ndarray:
    """One int64 per row from (codes, radix) pairs of ``n`` rows, equal exactly where every
    part's code is equal: mixed-radix ``id * radix + code``, the running id re-factorised
    only when the next combination could overflow int64."""
    gid = np.zeros(n, dtype=np.int64)
    card = 1
    for codes, radix in parts:
        if card * radix >= 2**62:
            gid, found = pd.factorize(gid)
            card = len(found)
        gid = gid * radix + codes
        card *= radix
    return gid


def sort_keys(values: pd.Series, ascending: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(missing flag, int64 or float key) of a column; the key sorts the values as pandas does."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        key = values.cat.codes.to_numpy().astype(np.int64)
        missing = key < 0
    elif pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        missing = values.isna().to_numpy()
        key = values.to_numpy().view(np.int64)
    elif pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        missing = values.isna().to_numpy()
        key = values.to_numpy(dtype=np.int64, na_value=0)
    elif pd.api.types.is_float_dtype(dtype):
        key = values.to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(key)
    else:
        codes, _ = pd.factorize(values, sort=True)
        key = codes.astype(np.int64)
        missing = key < 0
    if not ascending:
        key = -key
    if missing.any():
        key = key.copy() if ascending else key  # never write into the frame's own data
        key[missing] = 0
    return missing, key


def sort_order(
    frame: pd.DataFrame,
    by: Sequence[str],
    ascending: bool | Sequence[bool] = True,
    na_position: str = "last",
) -> np.ndarray:
    """Positions of the rows sorted by ``by`` (stable), as ``sort_values(kind="stable")``.

    Missing values go first or last in every column, as pandas does. A column without
    missing values adds no missing flag (a constant key orders nothing and costs a pass).
    """
    if isinstance(ascending, bool):
        ascending = [ascending] * len(by)
    keys: list[np.ndarray] = []
    for col, asc in zip(by, ascending, strict=True):
        missing, key = sort_keys(frame[col], asc)
        if missing.any():
            keys.append(missing if na_position == "last" else ~missing)
        keys.append(key)
    if not keys:
        return np.arange(len(frame))
    # lexsort's last key is the primary one
    return np.lexsort(combine_keys(keys)[::-1])


#: Largest span of a combined key (leaves int64 headroom).
_MAX_SPAN = 2**62


def combine_keys(keys: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Sort keys (primary first) with adjacent integer keys folded into one.

    Integer and boolean keys, shifted to start at 0, are combined as mixed-radix
    numbers (``k1 * span(k2) + k2``) while the product of their spans stays below
    2**62: rows compare the same, and ``numpy.lexsort`` makes one pass instead of
    several. Float keys are kept as they are.
    """
    out: list[np.ndarray] = []
    acc: np.ndarray | None = None
    acc_span = 1
    for key in reversed(keys):  # least significant first
        if key.dtype.kind not in "iub" or not len(key):
            if acc is not None:
                out.append(acc)
            out.append(key)
            acc, acc_span = None, 1
            continue
        low, high = int(key.min()), int(key.max())
        span = high - low + 1
        if acc is not None and acc_span * span >= _MAX_SPAN:
            out.append(acc)
            acc, acc_span = None, 1
        if span >= _MAX_SPAN:
            out.append(key)
            continue
        shifted = np.subtract(key, low, dtype=np.int64)
        if acc is not None:
            shifted *= acc_span
            shifted += acc
        acc = shifted
        acc_span *= span
    if acc is not None:
        out.append(acc)
    return out[::-1]


def group_starts(sorted_ids: np.ndarray) -> np.ndarray:
    """True on the first row of each run of equal ids (``sorted_ids`` grouped together)."""
    first = np.ones(len(sorted_ids), dtype=bool)
    first[1:] = sorted_ids[1:] != sorted_ids[:-1]
    return first


def group_ends(sorted_ids: np.ndarray) -> np.ndarray:
    """True on the last row of each run of equal ids."""
    last = np.ones(len(sorted_ids), dtype=bool)
    last[:-1] = sorted_ids[1:] != sorted_ids[:-1]
    return last


def first_occurrences(dense: np.ndarray) -> np.ndarray:
    """True on the first row of each id, for ids numbered 0, 1, ... in order of first
    appearance (as :func:`pandas.factorize` numbers them).

    Such an id is new exactly when it exceeds every id before it: one running maximum,
    no second hash pass (``Series.duplicated``).
    """
    first = np.ones(len(dense), dtype=bool)
    if len(dense):
        first[1:] = dense[1:] > np.maximum.accumulate(dense)[:-1]
    return first


def text_from_codes(codes: np.ndarray, labels: Sequence[str]) -> pd.api.extensions.ExtensionArray:
    """A ``str`` array with ``labels[code]`` on every row, missing where the code is negative.

    Built in Arrow by one take from the labels: no Python string per row (as
    ``pd.array(object_array, dtype="str")`` would make).
    """
    indices = pa.array(np.asarray(codes), mask=np.asarray(codes) < 0)
    return pd.array(pa.array(list(labels), pa.large_string()).take(indices), dtype="str")


def flag_array(mask: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """A ``str`` flag array: ``Y`` where ``mask`` is True, missing elsewhere."""
    return text_from_codes(np.where(mask, 0, -1), ["Y"])
