"""Ingestion: raw LIS and REDCap exports -> analysis datasets (ADaM-style CSVs).

Entry points: :func:`plmsc.ingest.build.build_adam` and
:func:`plmsc.ingest.build.write_adam`; bad input raises
:class:`plmsc.ingest.errors.InputError`.

The names are imported on first use (PEP 562), so that importing a light
submodule such as :mod:`plmsc.ingest.limits` does not load pandas and pandera.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from plmsc.ingest.build import AdamDatasets, build_adam, write_adam
    from plmsc.ingest.errors import InputError

__all__ = ["AdamDatasets", "InputError", "build_adam", "write_adam"]


def __getattr__(name: str) -> Any:
    if name == "InputError":
        from plmsc.ingest.errors import InputError

        return InputError
    if name in __all__:
        from plmsc.ingest import build

        return getattr(build, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
