"""The article: Markdown from Jinja2 templates and numbers.json, then DOCX, HTML and PDF.

Sources (in the repository's ``manuscript/`` folder, passed in as paths):

- ``templates/*.md.j2``: the generated parts (front matter with the structured
  abstract, Methods, Results, figure legends). They read numbers.json (as ``num``)
  and name its keys; a missing key stops the build with the template and line
  (:class:`ArticleError`). Numbers reach the text only through the format filters
  of :func:`environment` (the rounding of the tables), never typed into a template:
  the only digits a template's own text may hold are those of :data:`LITERAL_DIGITS`.
- ``prose/<cohort>/introduction.md`` and ``discussion.md``: the authors' text,
  included verbatim.
- ``references.bib``: the bibliography, cited as ``[@key]`` and formatted by
  pandoc's citeproc.

Outputs: DOCX and standalone HTML (figures embedded) by pandoc (pypandoc-binary),
PDF by Typst (the ``typst`` wheel) from pandoc's Typst output. Deterministic:
SOURCE_DATE_EPOCH for pandoc, no document date in the PDF, and the DOCX zip
rewritten with fixed timestamps in pandoc's member order.
"""

from __future__ import annotations

import io
import math
import os
import re
import traceback
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from plmsc.endpoints.registry import endpoint
from plmsc.report import formatting
from plmsc.report.catalogue import (
    FIGURE_TITLES,
    FLOW_FIGURE,
    NOTES,
    SOURCES,
    TABLES,
    conventions_note,
)
from plmsc.report.numbers import CHARACTERISTIC_DECIMALS, PCT_DECIMALS, RATE_DECIMALS
from plmsc.report.publish import INDENT, layout

#: The article's files, one per format.
ARTICLE_FORMATS = ("docx", "pdf", "html")
#: Generated parts, in article order, and where the verbatim prose goes between them.
GENERATED = ("front.md.j2", "methods.md.j2", "results.md.j2")
#: Macros the generated parts import (not a part of their own).
MACROS = "macros.md.j2"
LEGENDS = "figures.md.j2"
PROSE = ("introduction.md", "discussion.md")
#: The authors' short texts of the front matter: context key -> file.
SHORT_PROSE = {
    "title": "title.md",
    "abstract_introduction": "abstract-introduction.md",
    "abstract_conclusions": "abstract-conclusions.md",
}
#: Digits a template's own text may contain: names and identifiers, not numbers.
LITERAL_DIGITS = (
    "IRCT20171021036903N2",  # trial registration
    "CTCAE v5.0",  # the grading system's name and version
    "type 1 diabetes",
    "HbA1c",
    "IDAA1c",
    "IA-2A",
    "ZnT8A",
    "CONSORT 2010",
    "level 1",  # ADA hypoglycaemia levels: names of categories
    "level 2",
    "level 3",
)
#: Citation keys ([@key]), image targets ``](file.png)`` and attribute blocks
#: (``{width=100%}``) are references and layout, not numbers.
NOT_TEXT = re.compile(r"@[A-Za-z][\w:-]*|\]\([^)]*\)|\{[^}]*\}")
#: Decimals of the kinds of number the text quotes beside the endpoints': those
#: numbers.json rounds them to (plmsc.report.numbers), so text and tables agree.
DECIMALS = {
    **CHARACTERISTIC_DECIMALS,
    "rate": RATE_DECIMALS,
    "pct_change": PCT_DECIMALS,
    # exposure (plmsc.report.safety_report.exposure_numbers): years to one decimal,
    # the median of days as stored (one decimal)
    "participant_years": 1,
    "days_median": 1,
}
#: Display names of the antibodies and of the ADA levels (numbers.json keys).
ANTIBODY_NAMES = {"GADA": "GADA", "ZNT8A": "ZnT8A", "IA2A": "IA-2A"}
ADA_LEVEL_NAMES = {"level_1": "level 1", "level_2": "level 2", "level_3": "level 3"}
#: Fixed timestamp of every DOCX zip member (the zip format's earliest date).
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
#: Typst preamble: no document date (else the PDF carries the compile time), captions
#: without Typst's own numbering (the legends carry "Figure n.").
TYPST_PREAMBLE = (
    "#set document(date: none)\n"
    "#set figure(numbering: none)\n"
    "#show figure.caption: it => it.body\n"
    "#show figure: set block(breakable: true)\n"
    "#show figure.where(kind: table): set figure.caption(position: top)\n"
    "#show figure.caption: set align(left)\n"
    "#show figure.caption: set text(size: 9pt)\n"
    "#show table: set par(justify: false)\n"
    "#show table: set text(size: 7.5pt)\n"
    "#set text(size: 10pt)\n"
)


class ArticleError(RuntimeError):
    """A template could not be rendered: the message names the template and line."""


class Rendered(str):
    """Text a format filter made from a number (finalize lets it through)."""


@dataclass
class RenderLog:
    """Every expression output of a rendering, in order (for the tests)."""

    outputs: list[str] = field(default_factory=list)


def _missing(value: Any) -> bool:
    return formatting.is_missing(value)


def fmt_decimals(value: float | None, decimals: int) -> Rendered:
    """``value`` with ``decimals`` decimals, rounded half away from zero by the shared
    formatter (as the tables); "NA" when missing."""
    return Rendered(formatting.format_number(value, decimals) or "NA")


def fmt_value(value: float | None, paramcd: str) -> Rendered:
    """A value of endpoint ``paramcd`` with the registry's decimals (Table 2's)."""
    return fmt_decimals(value, endpoint(paramcd).decimals)


def fmt_pct(value: float | None) -> Rendered:
    """A percentage change from baseline, with numbers.json's decimals for it."""
    return fmt_decimals(value, PCT_DECIMALS)


def fmt_p(value: float | None) -> Rendered:
    """A p-value as the shared formatter writes it (``0.125``, ``<0.001``)."""
    return Rendered(formatting.format_p(value) or "NA")


def fmt_setting(value: float | int) -> Rendered:
    """A configured setting (threshold, cut-off) as written: 9, 7.5, 0.5."""
    if _missing(value):
        return Rendered("NA")
    return Rendered(formatting.format_significant(value, 6))


def fmt_int(value: int | float | None) -> Rendered:
    """A count or a study day."""
    if _missing(value):
        return Rendered("NA")
    return Rendered(str(int(value)))


#: Decimals of the mantissa of a number written m × 10^e: those of the dose in
#: Table 3 ("Dose received (10^6 cells/kg)", plmsc.report.safety_report).
SCI_DECIMALS = 2


def fmt_sci(value: float | None) -> Rendered:
    """``value`` as m × 10^e^ (Markdown superscript), m with :data:`SCI_DECIMALS`
    decimals, joined by no-break spaces: 1.00 × 10^6^ (Table 3's 1.00 in 10^6 cells/kg)."""
    if _missing(value):
        return Rendered("NA")
    exp = math.floor(math.log10(abs(value))) if value else 0
    mant = formatting.format_number(value / 10**exp, SCI_DECIMALS)
    return Rendered(f"{mant}\u00a0×\u00a010^{exp}^")


def fmt_median_range(summary: Mapping[str, Any], kind: str, unit: str = "") -> Rendered:
    """``median unit (range lo–hi unit)`` of a numbers.json summary, with the decimals
    of ``kind``: a key of :data:`DECIMALS` or a PARAMCD."""
    decimals = DECIMALS[kind] if kind in DECIMALS else endpoint(kind).decimals
    med = fmt_decimals(summary["median"], decimals)
    rng = formatting.format_range(summary["min"], summary["max"], decimals) or "NA"
    u = f" {unit}" if unit else ""
    return Rendered(f"{med}{u} (range {rng}{u})")


def fmt_ci_range(interval: Mapping[str, Any], paramcd: str) -> Rendered:
    """``lo–hi`` (or ``lo to hi``) of an interval ``{ci_lo, ci_hi}`` with the
    endpoint's decimals."""
    dec = endpoint(paramcd).decimals
    return Rendered(formatting.format_range(interval["ci_lo"], interval["ci_hi"], dec) or "NA")


def fmt_n_of(n: int, total: int) -> Rendered:
    """``n/N (pct %)`` as the tables write it."""
    return Rendered(formatting.format_n_of_total(int(n), int(total)))


def fmt_decimals_of(value: float | None, kind: str) -> Rendered:
    """``value`` with the decimals of ``kind`` (:data:`DECIMALS`)."""
    return fmt_decimals(value, DECIMALS[kind])


def join_and_counts(counts: Mapping[str, int]) -> str:
    """``MSC (n = 20) and PLACEBO (n = 10)`` from ``{arm: n}``."""
    return join_and(f"{k} (n = {fmt_int(v)})" for k, v in counts.items())


def join_and(items: Iterable[Any]) -> str:
    """``a, b and c``."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def environment(template_dir: str | Path, log: RenderLog | None = None) -> jinja2.Environment:
    """The Jinja2 environment of the article templates: StrictUndefined, the format
    filters, and a finalize that refuses an unformatted float or a null."""

    def finalize(value: Any) -> Any:
        if isinstance(value, bool):
            raise ArticleError(f"a yes/no value ({value}) printed; use it in a condition")
        if isinstance(value, float) and not isinstance(value, Rendered):
            raise ArticleError(f"unformatted number {value!r}: use a format filter")
        if value is None:
            raise ArticleError("a null value printed; test it with 'is none' first")
        text = str(value)
        if log is not None:
            log.outputs.append(text)
        return text

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        undefined=jinja2.StrictUndefined,
        finalize=finalize,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=False,
        lstrip_blocks=True,
    )
    env.filters.update(
        value=fmt_value,
        pct=fmt_pct,
        p=fmt_p,
        setting=fmt_setting,
        int=fmt_int,
        sci=fmt_sci,
        median_range=fmt_median_range,
        n_of=fmt_n_of,
        decimals=fmt_decimals,
        join_and=join_and,
        join_and_counts=join_and_counts,
        plural=lambda n, word: word if n == 1 else word + "s",
        ci_range=fmt_ci_range,
        decimals_of=fmt_decimals_of,
        antibody=lambda code: ANTIBODY_NAMES[code],
        ada_level=lambda key: ADA_LEVEL_NAMES[key],
        yaml_block=lambda text: text.strip().replace("\n", "\n  "),
        label=lambda code: endpoint(code).name,
    )
    return env


def _template_location(exc: BaseException) -> str:
    """``name.md.j2, line n`` of the innermost template frame of ``exc``'s traceback."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"{exc.name or exc.filename}, line {exc.lineno}"
    if not frames:
        return "unknown template"
    return f"{Path(frames[-1].filename).name}, line {frames[-1].lineno}"


def render_template(env: jinja2.Environment, name: str, context: Mapping[str, Any]) -> str:
    """Render template ``name``; any failure becomes an :class:`ArticleError` naming the
    template and line, and what was missing or wrong."""
    try:
        return env.get_template(name).render(**context)
    except (jinja2.TemplateError, ArticleError, KeyError, TypeError, ValueError) as exc:
        where = _template_location(exc)
        raise ArticleError(f"{where}: {type(exc).__name__}: {exc}") from exc


def figure_list(flow: bool = True) -> list[dict[str, Any]]:
    """The article's figures in order: file stem and number (the flow diagram first)."""
    names = ([FLOW_FIGURE] if flow else []) + list(FIGURE_TITLES)
    return [{"name": n, "number": i} for i, n in enumerate(names, start=1)]


def article_context(
    numbers: Mapping[str, Any], cohort: str, prose: Mapping[str, str]
) -> dict[str, Any]:
    """What the templates see: ``num`` (numbers.json), the cohort's name, the authors'
    short texts (``prose``: title, abstract introduction and conclusions), and the
    numbers of the tables (``tab``) and figures (``fig``) by file stem."""
    figures = figure_list()
    return {
        "num": numbers,
        "prose": dict(prose),
        "cohort": cohort,
        "tab": {name: i for i, name in enumerate(TABLES, start=1)},
        "fig": {f["name"]: f["number"] for f in figures},
    }


#: Widest relative share a table column gets from its content length (characters).
MAX_COLUMN_CHARS = 30


def table_notes(name: str, numbers: Mapping[str, Any]) -> list[str]:
    """The table's notes as the manuscript step writes them: its note, the C-peptide
    conventions for Table 2 (from numbers.json's ``methods``), and its source."""
    notes = [NOTES[name]]
    if name == "table2_endpoints":
        notes.append(conventions_note(numbers.get("methods", {})))
    return [*notes, SOURCES[name]]


def csv_table_markdown(path: str | Path, number: int, name: str, notes: Sequence[str]) -> str:
    """A table CSV of the manuscript step as a Markdown pipe table, laid out as the
    published tables are (:func:`plmsc.report.publish.layout`: row groups as heading
    rows, indented row labels), with its caption: title (renumbered) and ``notes``.
    Cells are copied as written; column widths follow the content's length."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    body, group, _ = layout(frame)
    columns = [c for c in body.columns if c not in (group, INDENT)]

    def esc(text: str) -> str:
        return str(text).replace("|", "\\|")

    rows: list[list[str]] = []
    current = None
    for _, row in body.iterrows():
        if group is not None and row[group] != current:
            current = row[group]
            rows.append([f"**{esc(current)}**", *[""] * (len(columns) - 1)])
        indent = "\u2003" * int(row[INDENT])
        # a value never wraps inside itself ("2/20 (10 %)" stays on one line)
        values = [esc(row[c]).replace(" ", "\u00a0") for c in columns[1:]]
        rows.append([indent + esc(row[columns[0]]), *values])
    header = [esc(c) for c in columns]
    width = [
        min(MAX_COLUMN_CHARS, max([len(h) for h in header[i].split()] + [len(r[i]) for r in rows]))
        for i in range(len(columns))
    ]
    rule = (
        "|"
        + "|".join(
            (":" + "-" * max(3, w) if i == 0 else "-" * max(3, w) + ":")
            for i, w in enumerate(width)
        )
        + "|"
    )
    lines = ["| " + " | ".join(header) + " |", rule]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    title = TABLES[name].split(". ", 1)[1]
    caption = f": Table {number}. {title}. " + " ".join(notes)
    return "\n".join([*lines, "", caption, ""])


@dataclass(frozen=True)
class Sources:
    """The article's sources in the repository and the cohort's manuscript files."""

    templates: Path
    prose: Path
    bibliography: Path
    manuscript: Path

    @property
    def metadata(self) -> Path:
        """The layout metadata (metadata.yaml beside the bibliography)."""
        return self.bibliography.parent / "metadata.yaml"

    @classmethod
    def from_paths(
        cls,
        templates: str | Path,
        prose: str | Path,
        bibliography: str | Path,
        manuscript: str | Path,
    ) -> Sources:
        return cls(Path(templates), Path(prose), Path(bibliography), Path(manuscript))


def read_prose(path: Path) -> str:
    """An authors' Markdown file, verbatim (an error when missing or empty)."""
    if not path.is_file():
        raise ArticleError(f"{path}: the authors' text is missing (expected a Markdown file)")
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        raise ArticleError(f"{path}: the authors' text is empty")
    return text


def render_parts(
    sources: Sources, context: Mapping[str, Any], log: RenderLog | None = None
) -> list[tuple[str, str, bool]]:
    """The article's parts in order as (name, Markdown, generated?): generated parts
    from the templates, the prose verbatim, the tables from their CSV files, figures."""
    env = environment(sources.templates, log)
    front, methods, results = (render_template(env, name, context) for name in GENERATED)
    intro, discussion = (read_prose(sources.prose / name) for name in PROSE)
    tables = "\n".join(
        csv_table_markdown(
            sources.manuscript / f"{name}.csv", number, name, table_notes(name, context["num"])
        )
        for name, number in context["tab"].items()
    )
    legends = render_template(env, LEGENDS, context)
    # a figure the catalogue lists but the legends template does not yet: its
    # catalogue title, renumbered (code text, like the tables' captions)
    extra = "\n".join(
        f"![Figure {number}. {FIGURE_TITLES[name].split('. ', 1)[1]}]({name}.png){{width=100%}}\n"
        for name, number in context["fig"].items()
        if f"]({name}.png)" not in legends
    )
    return [
        ("front", front, True),
        ("introduction", "# Introduction\n\n" + intro, False),
        ("methods", methods, True),
        ("results", results, True),
        ("discussion", "# Discussion\n\n" + discussion, False),
        ("tables", "# Tables\n\n" + tables, False),
        ("figures", legends, True),
        ("more figures", extra, False),
        ("references", "# References\n\n::: {#refs}\n:::\n", False),
    ]


def article_markdown(parts: Sequence[tuple[str, str, bool]]) -> str:
    """The parts joined into one Markdown document."""
    return "\n\n".join(text.strip("\n") for _, text, _ in parts) + "\n"


def number_tokens(text: str) -> list[str]:
    """Numbers written in ``text`` (digits with decimal points or thousands commas),
    leaving out :data:`LITERAL_DIGITS` and citation keys."""
    for literal in LITERAL_DIGITS:
        text = text.replace(literal, " ")
    text = NOT_TEXT.sub(" ", text)
    return re.findall(r"\d+(?:[.,]\d+)*", text)


def template_literal_digits(template_dir: str | Path) -> dict[str, list[str]]:
    """Digits in each template's own text (outside ``{{ }}``), beyond
    :data:`LITERAL_DIGITS` and citations: numbers typed into the article."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(template_dir)))
    found: dict[str, list[str]] = {}
    for name in sorted(env.list_templates(extensions=["j2"])):
        source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
        typed = []
        for lineno, kind, value in env.lex(source):
            template_name = kind == "string" and value.strip("\"'").endswith(".j2")
            if kind == "data" or (kind == "string" and not template_name):
                for i, line in enumerate(value.split("\n")):
                    typed += [f"line {lineno + i}: {t}" for t in number_tokens(line)]
            elif kind in ("integer", "float") and value not in ("0", "1"):
                typed.append(f"line {lineno}: {value}")
        if typed:
            found[name] = typed
    return found


# --- conversion ---------------------------------------------------------------------

#: SOURCE_DATE_EPOCH for pandoc: the DOCX core properties carry this date.
SOURCE_DATE_EPOCH = "0"


def _pandoc(markdown: str, to: str, sources: Sources, extra: Sequence[str] = ()) -> bytes | str:
    import pypandoc

    # pandoc runs in the bibliography's folder and names it by its file name: the DOCX
    # keeps the bibliography in its document properties, and an absolute path there
    # would differ from one checkout to another
    bib = Path(sources.bibliography).resolve()
    args = [
        "--citeproc",
        f"--bibliography={bib.name}",
        f"--resource-path={Path(sources.manuscript).resolve()}",
        f"--metadata-file={Path(sources.metadata).resolve()}",
        *extra,
    ]
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH
    try:
        if to == "docx":
            out = Path(sources.manuscript).resolve() / ".article.docx.tmp"
            try:
                pypandoc.convert_text(
                    markdown,
                    to,
                    format="markdown",
                    outputfile=str(out),
                    extra_args=args,
                    cworkdir=str(bib.parent),
                )
                return out.read_bytes()
            finally:
                out.unlink(missing_ok=True)
        return pypandoc.convert_text(
            markdown, to, format="markdown", extra_args=args, cworkdir=str(bib.parent)
        )
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


def normalise_docx(data: bytes) -> bytes:
    """The DOCX zip rewritten: same members in the same order, each with the fixed
    timestamp :data:`ZIP_EPOCH`, deflated, no extra fields."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            member.create_system = 3
            dst.writestr(member, src.read(info.filename))
    return buf.getvalue()


def to_docx(markdown: str, sources: Sources) -> bytes:
    """The article as DOCX (deterministic zip)."""
    return normalise_docx(_pandoc(markdown, "docx", sources))  # type: ignore[arg-type]


def to_html(markdown: str, sources: Sources) -> str:
    """The article as one standalone HTML file, figures embedded."""
    return _pandoc(markdown, "html", sources, ["--standalone", "--embed-resources"])  # type: ignore[return-value]


def to_typst(markdown: str, sources: Sources) -> str:
    """The article as Typst source, with :data:`TYPST_PREAMBLE` first."""
    typ = _pandoc(markdown, "typst", sources, ["--standalone"])
    return TYPST_PREAMBLE + str(typ)


def to_pdf(typst_source: str, root: str | Path, fmt: str = "pdf", ppi: float | None = None) -> Any:
    """Compile Typst source (images resolved under ``root``) to PDF bytes, or to a
    list of PNG pages (``fmt="png"``)."""
    import typst

    kwargs: dict[str, Any] = {"root": str(root), "format": fmt}
    if ppi is not None:
        kwargs["ppi"] = ppi
    try:
        out = typst.compile(typst_source.encode("utf-8"), **kwargs)
    except Exception as exc:  # typst raises its own error type with the source line
        raise ArticleError(f"Typst could not compile the article: {exc}") from exc
    if fmt == "png" and isinstance(out, bytes):
        return [out]
    return out


def read_context(numbers: Mapping[str, Any], sources: Sources, cohort: str) -> dict[str, Any]:
    """:func:`article_context` with the cohort's short prose read from ``sources``."""
    prose = {key: read_prose(sources.prose / name) for key, name in SHORT_PROSE.items()}
    return article_context(numbers, cohort, prose)


def build_article(numbers: Mapping[str, Any], sources: Sources, cohort: str) -> dict[str, bytes]:
    """Render the article of a cohort: ``{"docx": ..., "html": ..., "pdf": ...}`` bytes."""
    parts = render_parts(sources, read_context(numbers, sources, cohort))
    markdown = article_markdown(parts)
    return {
        "docx": to_docx(markdown, sources),
        "html": to_html(markdown, sources).encode("utf-8"),
        "pdf": to_pdf(to_typst(markdown, sources), sources.manuscript),
    }


def perturbed(numbers: Any, counter: Callable[[], int] | None = None, key: str = "") -> Any:
    """A copy of ``numbers`` with every number changed to a distinct value no real
    analysis gives here: integers 1001, 1002, ..., floats 2001.37, 2002.37, ...,
    p-values (keys ending in ``_p``) 0.101, 0.102, ... (for the tests: each must show
    up in the text, and nothing else may)."""
    state = {"i": 0}

    def nxt() -> int:
        state["i"] += 1
        return state["i"]

    counter = counter or nxt
    if isinstance(numbers, bool) or numbers is None or isinstance(numbers, str):
        return numbers
    if isinstance(numbers, int):
        return 1000 + counter()
    if isinstance(numbers, float) and (key == "p" or key.endswith("_p")):
        return round(0.1 + counter() / 1000, 3)
    if isinstance(numbers, float):
        return 2000 + counter() + 0.37
    if isinstance(numbers, Mapping):
        return {k: perturbed(v, counter, str(k)) for k, v in numbers.items()}
    if isinstance(numbers, list):
        return [perturbed(v, counter, key) for v in numbers]
    return numbers
