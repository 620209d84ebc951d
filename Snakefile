# PLMSC-T1D: raw LIS and REDCap exports -> analysis datasets -> endpoints ->
# notebooks, tables and figures. Run with: snakemake --cores 4


configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/raw.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/endpoints.smk"
include: "workflow/rules/sensitivity.smk"
include: "workflow/rules/populations.smk"
include: "workflow/rules/missing_data.smk"
include: "workflow/rules/power.smk"
include: "workflow/rules/dsmb.smk"
include: "workflow/rules/provenance.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/article.smk"


rule all:
    default_target: True
    input:
        all_targets(),
