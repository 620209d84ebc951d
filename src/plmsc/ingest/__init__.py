"""Ingestion: raw LIS and REDCap exports -> analysis datasets (ADaM-style CSVs).

Entry points: :func:`plmsc.ingest.build.build_adam` and
:func:`plmsc.ingest.build.write_adam`; bad input raises
:class:`plmsc.ingest.errors.InputError`.
"""

from plmsc.ingest.build import AdamDatasets, build_adam, write_adam
from plmsc.ingest.errors import InputError

__all__ = ["AdamDatasets", "InputError", "build_adam", "write_adam"]
