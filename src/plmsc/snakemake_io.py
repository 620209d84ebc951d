"""Glue between Snakemake ``script:`` rules and the package.

Rules stay thin: a script reads ``snakemake.input``/``params``, calls the package
and writes with :func:`plmsc.io.write_csv`. On bad input it calls :func:`fail`, which prints
the error (file, line or record, field, what was expected) and exits non-zero;
Snakemake then removes the job's outputs, so no partial output is left.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, NoReturn

_DATE_LIKE = re.compile(r"\d{4}-?\d{2}-?\d{2}(?:_\d{4})?|\d{2}/\d{2}/\d{4}")


def scrub_dates(text: str) -> str:
    """Replace date-like strings so that a message can be logged under results/."""
    return _DATE_LIKE.sub("<date>", text)


def fail(smk: Any, exc: BaseException) -> NoReturn:
    """Report ``exc`` on stderr (in full) and in the rule's log (dates scrubbed); exit 1."""
    message = f"error in rule {smk.rule}: {exc}"
    print(message, file=sys.stderr)
    for log in smk.log:
        Path(log).parent.mkdir(parents=True, exist_ok=True)
        Path(log).write_text(scrub_dates(message) + "\n", encoding="utf-8")
    raise SystemExit(1)
