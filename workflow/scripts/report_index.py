"""Snakemake script: the cohort's index.html linking every notebook and manuscript file."""

from plmsc.io import write_text
from plmsc.report.notebooks import index_html, index_links

links = index_links(snakemake.params.manuscript)
write_text(
    index_html(snakemake.wildcards.cohort, snakemake.params.description, links),
    snakemake.output[0],
)
write_text(f"{len(links)} links\n", snakemake.log[0])
