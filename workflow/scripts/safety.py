"""Snakemake script: hypoglycaemia, adverse-event and infusion summaries."""

from plmsc.adam import read_adam
from plmsc.endpoints.safety import (
    list_adverse_events,
    list_infusions,
    list_pretreatment_events,
    summarise_adverse_events,
    summarise_hypoglycaemia,
    summarise_infusions,
)
from plmsc.io import write_csv, write_text

adsl = read_adam(snakemake.input.adsl)
adae = read_adam(snakemake.input.adae)
by_participant, rates = summarise_hypoglycaemia(
    read_adam(snakemake.input.adhypo), adsl, snakemake.params.periods
)
tables = {"hypo_by_participant": by_participant, "hypo_rates": rates}
tables |= summarise_adverse_events(adae, adsl)
tables |= {
    "ae_listing": list_adverse_events(adae, adsl),
    "ae_pretreatment": list_pretreatment_events(adae, adsl),
    "infusion_listing": list_infusions(adsl),
    "infusion_summary": summarise_infusions(adsl),
}
for name, table in tables.items():
    write_csv(table, snakemake.output[name])
write_text("".join(f"{name}: {len(t)} rows\n" for name, t in tables.items()), snakemake.log[0])
