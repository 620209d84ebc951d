"""The cohort notebooks: which inputs each takes, execution, HTML and the index page.

Notebooks are executed with papermill, then scrubbed of run timestamps, paths and
durations so that the executed ``.ipynb`` and its HTML have the same bytes on
every run. Parameters are the cohort, its design and conventions and the paths of
its analysis datasets and stats tables, relative to the executed notebook's
folder (the kernel's working directory), so no absolute path reaches a report.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from plmsc.io import write_text
from plmsc.report.catalogue import (
    FIGURE_TITLES,
    FLOW_FIGURE,
    NOTEBOOK_NAMES,
    NOTEBOOKS,
    SUPPLEMENTARY,
    TABLES,
    notebook_spec,
)


def notebook_parameters(
    inputs: Mapping[str, str | Path], workdir: str | Path, values: Mapping[str, Any]
) -> dict[str, Any]:
    """Papermill parameters: ``values`` plus each input's path relative to ``workdir``.

    Inputs named ``tests_<table>`` are gathered, in order, into the ``tests`` list.
    """
    params: dict[str, Any] = dict(values)
    tests = []
    for key, path in inputs.items():
        rel = os.path.relpath(Path(path), Path(workdir)).replace(os.sep, "/")
        if key.startswith("tests_"):
            tests.append(rel)
        else:
            params[key] = rel
    params["tests"] = tests
    return params


#: Metadata keys papermill and nbclient write that change from run to run.
_VOLATILE_CELL_KEYS = ("papermill", "execution", "ExecuteTime")
_KEPT_PAPERMILL_KEYS = ("parameters", "default_parameters", "exception")


def scrub_notebook(nb: Any) -> Any:
    """Remove run timestamps, durations and paths from an executed notebook (in place).

    Keeps the outputs, execution counts and the parameters of the run; the cell
    papermill injects gets a fixed id instead of a random one.
    """
    pm_meta = nb.metadata.get("papermill", {})
    nb.metadata["papermill"] = {k: pm_meta[k] for k in _KEPT_PAPERMILL_KEYS if k in pm_meta}
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
        for key in _VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
    return nb


def _kernel_env() -> None:
    """Start kernels with this interpreter: the kernelspec's ``python`` is looked up on PATH."""
    bindir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if path.split(os.pathsep)[0] != bindir:
        os.environ["PATH"] = bindir + os.pathsep + path


#: Run before each notebook in the shared kernel: an empty namespace, counts from 1.
_RESET = "get_ipython().run_line_magic('reset', '-f')\nget_ipython().execution_count = 1\n"


def _reset_kernel(km: Any, first: bool, timeout: int = 60) -> None:
    """Empty the kernel's namespace. Only a just-started kernel is waited for: the
    readiness check listens 0.2 s for silence on the kernel's output channel, and a
    kernel that has run a notebook is ready (the request waits in the queue anyway)."""
    kc = km.client()
    kc.start_channels()
    try:
        if first:
            kc.wait_for_ready(timeout=timeout)
        msg_id = kc.execute(_RESET, silent=True, store_history=False)
        while True:
            reply = kc.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"could not reset the kernel: {reply['content']}")
    finally:
        kc.stop_channels()


def execute_notebooks(
    runs: Sequence[tuple[str | Path, str | Path, Mapping[str, Any]]],
    workdir: str | Path,
    timeout: int = 600,
) -> list[Path]:
    """Run notebooks with papermill, one after another, in one kernel started in ``workdir``.

    ``runs`` holds (template, output, parameters) per notebook. A kernel start and
    the imports of the scientific stack cost seconds, the notebooks themselves less
    than one each, so one kernel serves them all: before each notebook its
    namespace is emptied (``%reset -f``) and execution counts restart at 1, so a
    notebook sees only its own parameters and cells. Papermill writes each notebook
    once, when it has run (or failed), instead of after every cell. Each executed
    notebook is scrubbed of run metadata and written atomically.
    """
    import nbformat
    import papermill as pm
    from jupyter_client.manager import KernelManager

    _kernel_env()
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(workdir), extra_arguments=["--HistoryManager.enabled=False"])
    written = []
    try:
        for i, (template, output, parameters) in enumerate(runs):
            output = Path(output)
            tmp = output.with_name(f".{output.stem}.tmp.ipynb")
            try:
                _reset_kernel(km, first=i == 0)
                pm.execute_notebook(
                    str(template),
                    str(tmp),
                    parameters=dict(parameters),
                    # written once at the end (and on error), not after every cell
                    request_save_on_cell_execute=False,
                    cwd=str(workdir),
                    km=km,
                    kernel_name="python3",
                    progress_bar=False,
                    log_output=False,
                    execution_timeout=timeout,
                )
                nb = scrub_notebook(nbformat.read(tmp, as_version=4))
                written.append(write_text(nbformat.writes(nb) + "\n", output))
            finally:
                tmp.unlink(missing_ok=True)
    finally:
        km.shutdown_kernel(now=True)
    return written


#: The lab template without the scripts it would fetch from the network; each code cell
#: folded under a "Code" toggle (<details>), wide outputs scroll sideways.
_TEMPLATE_NAME = "plmsc_notebook.html.j2"
_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<style>
body.jp-Notebook { max-width: 72em; margin: 0 auto; padding: 1em 1.5em; }
details.plmsc-code > summary { cursor: pointer; color: #555; font-size: 85%; margin: 2px 0; }
.jp-OutputArea-output { overflow-x: auto; max-width: 100%; }
.jp-RenderedHTMLCommon table { font-size: 12px; }
.jp-RenderedImage img { max-width: 100%; height: auto; }
</style>
{%- endblock extra_css -%}
{% block input_group -%}
<details class="plmsc-code"><summary>Code</summary>
{{ super() }}
</details>
{%- endblock input_group %}
"""

#: Tag of the template's default parameter cell (papermill's injected cell, tagged
#: ``injected-parameters``, is kept: it shows the values of the run).
DEFAULT_PARAMETERS_TAG = "parameters"


def _heading_only(cell: Any) -> bool:
    lines = [line for line in cell.source.strip().splitlines() if line.strip()]
    return cell.cell_type == "markdown" and len(lines) == 1 and lines[0].startswith("##")


def drop_empty_sections(nb: Any) -> Any:
    """Remove heading-only markdown cells (section headings, ``##`` and below) whose
    section (the code cells up to the next markdown cell) shows nothing: none of its
    code cells has an output (code is folded, so the heading would stand over an empty
    section). A heading followed directly by text is kept. Returns ``nb`` changed in
    place."""
    keep = []
    cells = nb.cells
    for i, cell in enumerate(cells):
        if _heading_only(cell):
            j = i + 1
            section = []
            while j < len(cells) and cells[j].cell_type != "markdown":
                section.append(cells[j])
                j += 1
            code = [c for c in section if c.cell_type == "code"]
            if code and not any(c.get("outputs") for c in code):
                continue
        keep.append(cell)
    nb.cells = keep
    return nb


def notebook_html(notebook: str | Path, title: str) -> str:
    """HTML of an executed notebook for reviewers: the template's default parameter cell
    removed (nbconvert's TagRemovePreprocessor; papermill's injected cell stays), code
    folded behind a toggle, no prompts, images embedded, wide tables scrollable, no
    empty sections and no scripts from the network (no MathJax or require.js)."""
    import nbformat

    nb = drop_empty_sections(nbformat.read(notebook, as_version=4))
    body, _ = _html_exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


@functools.cache
def _html_exporter() -> Any:
    """One exporter for all notebooks of a process: its templates are loaded and
    compiled once (each exporter compiles the lab template anew)."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        template_name="lab",
        template_file=_TEMPLATE_NAME,
        extra_loaders=[DictLoader({_TEMPLATE_NAME: _TEMPLATE})],
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        anchor_link_text="",
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags={DEFAULT_PARAMETERS_TAG}), enabled=True
    )
    return exporter


def write_notebook_html(notebook: str | Path, output: str | Path) -> Path:
    """Render an executed notebook to a standalone HTML page, titled from its spec."""
    name = Path(notebook).stem
    title = notebook_spec(name).title if name in NOTEBOOK_NAMES else name
    return write_text(notebook_html(notebook, title), output)


def index_links(manuscript: Sequence[str] = ()) -> list[tuple[str, str, str]]:
    """Links of the index page: every notebook's HTML, then the manuscript files given
    (paths relative to the cohort folder)."""
    links = [(f"notebooks/{s.name}.html", f"{s.name}: {s.title}", s.summary) for s in NOTEBOOKS]
    for rel in manuscript:
        links.append((rel, Path(rel).name, _manuscript_summary(Path(rel).stem)))
    return links


def _manuscript_summary(stem: str) -> str:
    if stem in TABLES:
        return TABLES[stem]
    if stem in SUPPLEMENTARY:
        return SUPPLEMENTARY[stem]
    if stem in FIGURE_TITLES:
        return FIGURE_TITLES[stem]
    if stem == "numbers":
        return "Every number the results section quotes (JSON)."
    if stem == "article":
        return "The article: Methods, Results, tables and figures generated from the analysis."
    if stem == FLOW_FIGURE:
        return "Participant flow diagram (CONSORT 2010, or its single-arm analogue)."
    return stem


@contextlib.contextmanager
def stderr_to(path: str | Path) -> Iterator[None]:
    """Send this process's standard error (file descriptor 2, so the kernel's messages
    too) to ``path`` while the block runs."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "w", encoding="utf-8") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
