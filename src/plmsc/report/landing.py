"""The cohort's landing page, results/<cohort>/index.html: the page a reviewer opens first.

Sections: the cohort's description and key numbers (read from numbers.json, shown as
written there), the manuscript files, thumbnails of the figures (each links to its
PDF), the notebooks, the participant profiles and the provenance (git commit, SHA-256
of every raw file, package versions from provenance.json). Static HTML, no scripts,
every link relative to the cohort folder; no date or identifier beyond USUBJID.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from plmsc.endpoints.registry import endpoint
from plmsc.report.catalogue import FIGURE_TITLES, NOTEBOOKS

STYLE = """
body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:64em;margin:1.5em auto;
padding:0 1em;line-height:1.45;color:#222}
h1{margin-bottom:.2em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;font-size:14px}td,th{padding:3px 10px;text-align:left;
border-bottom:1px solid #e3e3e3;vertical-align:top}th{border-bottom:2px solid #999}
.scroll{overflow-x:auto;max-width:100%}
.figures{display:flex;flex-wrap:wrap;gap:14px}
.figures figure{margin:0;width:230px}
.figures img{width:230px;height:170px;object-fit:contain;border:1px solid #ddd;background:#fff}
.figures figcaption{font-size:12px;color:#444}
code{font-size:12px;word-break:break-all}
li{margin:.3em 0}
""".strip()

_CPAUC_UNIT = endpoint("CPAUC").unit
#: Key numbers: (label, dotted path in numbers.json, suffix).
KEY_NUMBERS: tuple[tuple[str, str, str], ...] = (
    ("Participants", "n", ""),
    (f"C-peptide mean AUC at baseline, median ({_CPAUC_UNIT})", "cpeptide_auc.median_baseline", ""),
    (
        f"C-peptide mean AUC at {{comparison}}, median ({_CPAUC_UNIT})",
        "cpeptide_auc.median_comparison",
        "",
    ),
    ("Change from baseline at {comparison}, median (%)", "cpeptide_auc.median_pct_change", ""),
    ("In partial remission at {first}", "remission.n_first_visit", " of {assessed}"),
    ("Participants with an adverse event", "adverse_events.any.n_participants", ""),
    ("Participants with a serious adverse event", "adverse_events.serious.n_participants", ""),
    ("Severe (level 3) hypoglycaemia events", "hypoglycaemia.level_3.n_events", ""),
)


def lookup(numbers: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` of numbers.json, None when any key is absent."""
    node: Any = numbers
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def _rows(numbers: Mapping[str, Any], paths: Sequence[tuple[str, str, str]], tail: str = ""):
    context = {
        "comparison": lookup(numbers, "cpeptide_auc.comparison_visit") or "the comparison visit",
        "first": lookup(numbers, "remission.first_visit") or "the first visit",
        "assessed": lookup(numbers, "remission.n_assessed_first_visit"),
    }
    rows = []
    for label, path, suffix in paths:
        value = lookup(numbers, path)
        if value is not None:
            rows.append((label.format(**context) + tail, f"{value}{suffix.format(**context)}"))
    return rows


def key_numbers(numbers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of each key number present in numbers.json, values as written there.

    A randomised cohort's efficacy numbers are quoted per arm (``by_arm.<arm>``), with
    the ANCOVA difference of the arms when present.
    """
    efficacy = [k for k in KEY_NUMBERS if k[1].startswith(("cpeptide_auc", "remission"))]
    rows = _rows(numbers, KEY_NUMBERS)
    by_arm = lookup(numbers, "by_arm")
    if isinstance(by_arm, Mapping):
        for arm, arm_numbers in by_arm.items():
            if isinstance(arm_numbers, Mapping):
                rows += _rows(arm_numbers, efficacy, f" \u2014 {arm}")
    diff = lookup(numbers, "arm_comparison.ancova.difference_nmol_per_l")
    comparison = lookup(numbers, "arm_comparison.ancova.comparison")
    if isinstance(diff, Mapping) and diff.get("estimate") is not None:
        rows.append(
            (
                f"C-peptide mean AUC, adjusted difference {comparison or ''} (nmol/L, 95 % CI)",
                f"{diff['estimate']} ({diff.get('ci_lo')} to {diff.get('ci_hi')})",
            )
        )
    n_by_arm = lookup(numbers, "n_by_arm")
    if isinstance(n_by_arm, Mapping):
        rows.insert(1, ("Participants by arm", ", ".join(f"{a}: {n}" for a, n in n_by_arm.items())))
    return rows


def _e(text: Any) -> str:
    return html.escape(str(text))


def _links(items: Sequence[tuple[str, str, str]]) -> str:
    lines = [
        f'<li><a href="{_e(href)}">{_e(title)}</a>' + (f" &mdash; {_e(note)}" if note else "")
        for href, title, note in items
    ]
    return "<ul>\n" + "\n".join(lines) + "\n</ul>"


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], code: int | None = None) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = [
            f"<td><code>{_e(v)}</code></td>" if i == code else f"<td>{_e(v)}</td>"
            for i, v in enumerate(row)
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>\n'
        + "\n".join(body)
        + "\n</tbody></table></div>"
    )


def landing_html(
    cohort: str,
    description: str,
    numbers: Mapping[str, Any],
    provenance: Mapping[str, Any],
    manuscript: Sequence[tuple[str, str, str]],
    figures: Sequence[str],
    profiles: str | None = None,
) -> str:
    """The landing page. ``manuscript``: (href, title, summary) of each manuscript file;
    ``figures``: figure names (PNG under manuscript/, linked to their PDF); ``profiles``:
    href of the profiles' index, if any."""
    parts = [
        f"<h1>Cohort {_e(cohort)}</h1>",
        f"<p>{_e(description)}</p>" if description else "",
        "<h2>Key numbers</h2>",
        _table(["", "Value"], key_numbers(numbers)),
        '<p>All quoted numbers: <a href="manuscript/numbers.json">numbers.json</a>.</p>',
        "<h2>Manuscript</h2>",
        _links(manuscript),
        "<h2>Figures</h2>",
        '<div class="figures">',
    ]
    for name in figures:
        title = FIGURE_TITLES.get(name, name)
        parts.append(
            f'<figure><a href="manuscript/{_e(name)}.pdf"><img src="manuscript/{_e(name)}.png" '
            f'alt="{_e(title)}"></a><figcaption>{_e(title)}</figcaption></figure>'
        )
    parts.append("</div>")
    parts += [
        "<h2>Notebooks</h2>",
        _links([(f"notebooks/{s.name}.html", s.title, s.summary) for s in NOTEBOOKS]),
    ]
    if profiles:
        parts += [
            "<h2>Participant profiles</h2>",
            _links([(profiles, "Profiles", "one page per participant: every endpoint, the "
                     "MMTT curves, safety labs, adverse events and hypoglycaemia, listings")]),
        ]  # fmt: skip
    parts.append(provenance_html(provenance))
    body = "\n".join(p for p in parts if p)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(cohort)}: analysis report</title>\n<style>\n{STYLE}\n</style>\n"
        f"</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def provenance_html(provenance: Mapping[str, Any]) -> str:
    """Provenance section: commit (and whether the working copy had changes), Python,
    raw files with their SHA-256, package versions."""
    git = provenance.get("git") or {}
    commit = str(git.get("commit") or "unknown")
    dirty = " (working copy with uncommitted changes)" if git.get("dirty") else ""
    raw = provenance.get("raw_files") or {}
    packages = provenance.get("packages") or {}
    return "\n".join(
        [
            "<h2>Provenance</h2>",
            f"<p>Commit <code>{_e(commit)}</code>{_e(dirty)}; Python "
            f"{_e(provenance.get('python', ''))}. Full record: "
            '<a href="provenance.json">provenance.json</a>.</p>',
            "<h3>Raw files</h3>",
            _table(["File", "SHA-256"], sorted(raw.items()), code=1),
            "<h3>Packages</h3>",
            _table(["Package", "Version"], sorted(packages.items())),
        ]
    )


def write_landing(path: str | Path, **kwargs: Any) -> Path:
    """Write :func:`landing_html` atomically."""
    from plmsc.io import write_text

    return write_text(landing_html(**kwargs), path)
