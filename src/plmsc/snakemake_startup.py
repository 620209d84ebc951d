"""What the Snakefile does at parse time to keep a run with nothing to do quick.

Imported by ``workflow/rules/common.smk``; must not import pandas or any other
analysis library (``python -X importtime -m snakemake --cores 2`` shows what a
parse costs; docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _is_pandas_object(value: Any) -> bool:
    """True for a value whose type comes from pandas (DataFrame, Series, Index, ...)."""
    return type(value).__module__.partition(".")[0] == "pandas"


def compare_params_without_importing_pandas() -> bool:
    """Let Snakemake's ``params`` rerun trigger skip importing pandas.

    To decide whether a job must rerun, Snakemake serialises each of its
    ``params:`` and compares them with the recorded ones. From Snakemake 8 on, the
    serialiser imports pandas (0.5-0.8 s) whenever pandas is installed, in case a
    param is a DataFrame, so a run with nothing to do paid a pandas import. The
    serialiser installed here hands pandas objects to Snakemake's pandas
    serialiser (pandas is then already imported) and everything else to its
    builtin one, which is exactly what the pandas serialiser does for a
    non-pandas value: the recorded params, and so every rerun decision, are the
    same.

    Returns False, changing nothing, when the installed Snakemake has no such
    serialiser (the no-op is then just slower).
    """
    try:
        from snakemake.persistence import PersistenceBase
    except ImportError:  # pragma: no cover - Snakemake without the persistence module
        return False
    hook = PersistenceBase.__dict__.get("_serialize_param")
    has_both = all(
        callable(getattr(PersistenceBase, name, None))
        for name in ("_serialize_param_builtin", "_serialize_param_pandas")
    )
    if not isinstance(hook, property) or not has_both:
        return False

    def serializer(self: Any) -> Callable[[Any], str | object]:
        def serialize(value: Any) -> str | object:
            if _is_pandas_object(value):
                return self._serialize_param_pandas(value)
            return self._serialize_param_builtin(value)

        return serialize

    PersistenceBase._serialize_param = property(serializer)  # type: ignore[assignment,method-assign]
    return True
