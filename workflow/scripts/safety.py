"""Snakemake script: hypoglycaemia and adverse-event summaries."""

from plmsc.adam import read_adam
from plmsc.endpoints.safety import summarise_adverse_events, summarise_hypoglycaemia
from plmsc.io import write_csv, write_text

adsl = read_adam(snakemake.input.adsl)
by_participant, rates = summarise_hypoglycaemia(
    read_adam(snakemake.input.adhypo),
    adsl,
    read_adam(snakemake.input.advs),
    snakemake.params.periods,
)
tables = {"hypo_by_participant": by_participant, "hypo_rates": rates}
tables |= summarise_adverse_events(read_adam(snakemake.input.adae), adsl)
for name, table in tables.items():
    write_csv(table, snakemake.output[name])
write_text("".join(f"{name}: {len(t)} rows\n" for name, t in tables.items()), snakemake.log[0])
