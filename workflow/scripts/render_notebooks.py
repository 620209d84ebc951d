"""Snakemake script: render each executed notebook to HTML."""

from plmsc.io import write_text
from plmsc.report.notebooks import write_notebook_html

paths = [
    write_notebook_html(notebook, html)
    for notebook, html in zip(snakemake.input, snakemake.output, strict=True)
]
write_text("".join(f"rendered {p.name}\n" for p in paths), snakemake.log[0])
