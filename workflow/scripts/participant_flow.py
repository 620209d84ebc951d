"""Snakemake script: the participant flow diagram from numbers.json's flow counts."""

import json
from pathlib import Path

from plmsc.io import write_text
from plmsc.report.flow import flow_figure
from plmsc.report.style import save_figure

numbers = json.loads(Path(snakemake.input[0]).read_text(encoding="utf-8"))
written = save_figure(flow_figure(numbers["flow"]), [snakemake.output.png, snakemake.output.pdf])
write_text("".join(f"wrote {p.name}\n" for p in written), snakemake.log[0])
