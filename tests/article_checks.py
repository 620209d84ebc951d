"""Checks of a rendered article shared by the phase 1 and phase 2 tests: every number
of the generated text comes from a numbers.json key."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from plmsc.report import article as A


def leaves(obj: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """(key path, value) of every leaf of a JSON-like object."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from leaves(v, (*path, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from leaves(v, (*path, i))
    else:
        yield path, obj


def generated(
    numbers: Mapping[str, Any], sources: A.Sources, cohort: str
) -> tuple[str, A.RenderLog]:
    """The generated parts of the article (Markdown) and the log of their expressions."""
    log = A.RenderLog()
    parts = A.render_parts(sources, A.read_context(numbers, sources, cohort), log)
    return "\n".join(text for _, text, generated in parts if generated), log


def check_numbers_come_from_keys(
    numbers: Mapping[str, Any], sources: A.Sources, cohort: str
) -> set[tuple]:
    """Render the generated parts with the real numbers and with every number changed
    to one no analysis gives (:func:`plmsc.report.article.perturbed`): each time, the
    text holds no number that no expression produced, and every expression output is
    in the text. Returns the key paths whose perturbed value shows up in the text."""
    for nums in (numbers, A.perturbed(numbers)):
        text, log = generated(nums, sources, cohort)
        produced = set(A.number_tokens(" ".join(log.outputs)))
        typed = [t for t in A.number_tokens(text) if t not in produced]
        assert not typed, f"numbers no key produced: {typed}"
        for out in log.outputs:
            assert out in text
    text, _ = generated(A.perturbed(numbers), sources, cohort)
    shown = set()
    for path, value in leaves(A.perturbed(numbers)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        forms = {str(value)} if isinstance(value, int) else {
            A.fmt_decimals(value, d) for d in range(5)
        } | {A.fmt_sci(value).split("\u00a0")[0]}  # fmt: skip
        if any(re.search(rf"(?<![\d.]){re.escape(f)}(?![\d])", text) for f in forms):
            shown.add(path)
    return shown
