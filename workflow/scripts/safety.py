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
from plmsc.endpoints.toxicity import (
    compute_worst_grades,
    list_graded_values,
    shift_table,
    summarise_worst_grades,
)
from plmsc.io import write_csv
from plmsc.snakemake_io import rule_log

with rule_log(snakemake) as log:
    adsl = read_adam(snakemake.input.adsl)
    adae = read_adam(snakemake.input.adae)
    adlb = read_adam(snakemake.input.adlb)
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
    worst = compute_worst_grades(adlb, adsl)
    tables |= {
        "lab_worst_grade": summarise_worst_grades(worst),
        "lab_shift": shift_table(worst),
        "lab_graded_listing": list_graded_values(adlb, adsl),
    }
    for name, table in tables.items():
        log.wrote(write_csv(table, snakemake.output[name]), table)
