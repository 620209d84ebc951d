"""The params serialiser that spares a no-op run Snakemake's pandas import."""

from __future__ import annotations

import pandas as pd
import pytest
from snakemake.persistence import PersistenceBase

from plmsc.snakemake_startup import compare_params_without_importing_pandas


class _Serialisers:
    """Snakemake's two serialisers, bound to an object that has nothing else."""

    _serialize_param_builtin = PersistenceBase._serialize_param_builtin
    _serialize_param_pandas = PersistenceBase._serialize_param_pandas


@pytest.mark.parametrize(
    "value",
    [
        "results/phase1",
        3,
        1.5,
        None,
        True,
        ["a", 1, {"b": [2, 3]}],
        {"analysis": {"blq": "half_lloq", "windows": {"M1": [20, 40]}}},
        pd.DataFrame({"AVAL": [1.0, 2.0]}),
        pd.Series([1, 2]),
        pd.Index(["x"]),
        object(),  # unrepresentable: left out of the comparison by Snakemake
    ],
)
def test_the_installed_serialiser_records_what_snakemake_records(value, monkeypatch):
    # The pandas serialiser is what Snakemake uses when pandas is installed: the
    # replacement must record exactly the same string (or the same UNREPRESENTABLE
    # marker) for every kind of value, pandas objects included.
    monkeypatch.setattr(PersistenceBase, "_serialize_param", PersistenceBase._serialize_param)
    assert compare_params_without_importing_pandas() is True
    owner = _Serialisers()
    installed = PersistenceBase._serialize_param.fget(owner)
    assert installed(value) == owner._serialize_param_pandas(value)


def test_a_snakemake_without_the_hook_is_left_alone(monkeypatch):
    monkeypatch.delattr(PersistenceBase, "_serialize_param")
    assert compare_params_without_importing_pandas() is False
    assert "_serialize_param" not in PersistenceBase.__dict__
