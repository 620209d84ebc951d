"""The error raised when a raw export cannot be read as the specs describe.

An :class:`InputError` names where the problem is (file and line for the LIS,
file, record and event for REDCap), the column or field, what was found and what
was expected, so that the person holding the exports can fix them. Its ``str()``
is one sentence (``field`` may be empty when the problem is the whole file or
line). Identifying values (MRN, name, date of birth) are never quoted.
"""

from __future__ import annotations


class InputError(ValueError):
    """A raw export breaks the format or the plausibility rules of docs/raw-exports.md."""

    def __init__(
        self,
        file: str,
        field: str,
        expected: str,
        *,
        line: int | None = None,
        record: str | None = None,
        event: str | None = None,
        instance: str | None = None,
        found: str | None = None,
    ) -> None:
        self.file = str(file)
        self.field = field
        self.expected = expected
        self.line = line
        self.record = record
        self.event = event
        self.instance = instance
        self.found = found
        super().__init__(self._message())

    def _message(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.record is not None:
            where.append(f"record {self.record}")
        if self.event:
            where.append(f"event {self.event}")
        if self.instance:
            where.append(f"instance {self.instance}")
        if self.field:
            where.append(f"column {self.field}" if self.line is not None else f"field {self.field}")
        found = f" has {self.found!r}" if self.found is not None else ""
        return f"{', '.join(where)}{found}: expected {self.expected}."

    def __str__(self) -> str:
        return self._message()
