"""Glue between Snakemake ``script:`` rules and the package: one wrapper for every script.

Rules stay thin: a script reads ``snakemake.input``/``params``, calls the package
and writes with :mod:`plmsc.io`, all inside :func:`rule_log`::

    with rule_log(snakemake) as log:
        adeff = derive_adeff(...)
        log.wrote(write_csv(adeff, snakemake.output.adeff), adeff)

so that the rule's log tells what happened:

* on success, a summary of what the step wrote (each file with its rows) and any
  note of the script, then the warnings the step raised (each once, with its count);
* on bad input (an :class:`~plmsc.ingest.errors.InputError`, a
  :class:`~plmsc.manifest.ManifestError` or a :class:`~plmsc.config.ConfigError`),
  the one-paragraph message that names the file, line or record, field and what was
  expected, also on standard error; the script exits 1;
* on any other exception, its full traceback, then the exception goes on.

Snakemake removes a failed job's outputs, so no partial output is left. Everything
written to the log has its date-like strings scrubbed (logs live under results/).
"""

from __future__ import annotations

import re
import sys
import traceback
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    import pandas as pd  # for the annotations only: a step that writes no table needs none

_DATE_LIKE = re.compile(r"\d{4}-?\d{2}-?\d{2}(?:_\d{4})?|\d{2}/\d{2}/\d{4}")


def scrub_dates(text: str) -> str:
    """Replace date-like strings so that a message can be logged under results/."""
    return _DATE_LIKE.sub("<date>", text)


def _expected_errors() -> tuple[type[BaseException], ...]:
    from plmsc.config import ConfigError
    from plmsc.ingest.errors import InputError
    from plmsc.manifest import ManifestError

    return (InputError, ManifestError, ConfigError)


class StepLog:
    """What a rule's script did, gathered for its log."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def wrote(self, path: str | Path, frame: pd.DataFrame | None = None) -> Path:
        """Record that the step wrote ``path`` (with ``frame``'s rows when given)."""
        rows = "" if frame is None else f": {len(frame)} rows"
        self.lines.append(f"wrote {Path(path).name}{rows}")
        return Path(path)

    def note(self, text: str) -> None:
        """Record a line of the step's own (counts, a decision it took)."""
        self.lines.append(text)


def _append(smk: Any, lines: list[str]) -> None:
    text = scrub_dates("\n".join(lines) + "\n") if lines else ""
    for log in smk.log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(text)


def _warning_lines(caught: list[warnings.WarningMessage]) -> list[str]:
    counts = Counter(
        (w.category.__name__, str(w.message).strip(), Path(w.filename).name, w.lineno)
        for w in caught
    )
    return [
        f"warning ({cat}, {file}:{line}{f', {n} times' if n > 1 else ''}): {msg}"
        for (cat, msg, file, line), n in counts.items()
    ]


@contextmanager
def rule_log(smk: Any) -> Iterator[StepLog]:
    """Run a rule script's body so that its log tells what happened (module docstring)."""
    for log in smk.log:
        Path(log).parent.mkdir(parents=True, exist_ok=True)
        Path(log).write_text("", encoding="utf-8")
    step = StepLog()
    # The filters in force stay (a library's own "ignore" is respected); what they let
    # through is recorded for the log instead of going to standard error.
    with warnings.catch_warnings(record=True) as caught:
        try:
            yield step
        except _expected_errors() as exc:
            message = f"error in rule {smk.rule}: {exc}"
            print(message, file=sys.stderr)
            _append(smk, [*_warning_lines(caught), message])
            raise SystemExit(1) from None
        except Exception:
            _append(smk, [*_warning_lines(caught), f"unexpected error in rule {smk.rule}:"])
            _append(smk, [traceback.format_exc().rstrip()])
            raise
    _append(smk, [*step.lines, *_warning_lines(caught)])


def fail(smk: Any, exc: BaseException) -> NoReturn:
    """Report ``exc`` on stderr (in full) and in the rule's log (dates scrubbed); exit 1."""
    message = f"error in rule {smk.rule}: {exc}"
    print(message, file=sys.stderr)
    for log in smk.log:
        Path(log).parent.mkdir(parents=True, exist_ok=True)
        Path(log).write_text(scrub_dates(message) + "\n", encoding="utf-8")
    raise SystemExit(1)
