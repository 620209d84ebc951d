include: "report_common.smk"


rule manuscript:
    """Tables 1-3 and S1, Figures 1-7, the numbers quoted in the results section and
    the participant-flow diagram drawn from them."""
    input:
        unpack(report_inputs),
    output:
        **manuscript_outputs(),
    log:
        f"{RESULTS}/{{cohort}}/logs/manuscript.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/manuscript.tsv"
    conda:
        "../../envs/environment.yaml"
    params:
        design=cohort_setting("design"),
        analysis=cohort_setting("analysis"),
        cohort=cohort_config,
    script:
        "../scripts/manuscript.py"


rule notebooks:
    """Execute the cohort's parameterised notebooks (papermill, one kernel for all)."""
    input:
        unpack(notebook_data),
        notebooks=NOTEBOOK_TEMPLATES,
    output:
        expand(
            f"{RESULTS}/{{{{cohort}}}}/notebooks/{{name}}.ipynb", name=NOTEBOOK_NAMES
        ),
    log:
        f"{RESULTS}/{{cohort}}/logs/notebooks.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/notebooks.tsv"
    conda:
        "../../envs/environment.yaml"
    params:
        cohort_dir=f"{RESULTS}/{{cohort}}",
        cohort=cohort_config,
    script:
        "../scripts/run_notebooks.py"


rule notebooks_html:
    """Render each executed notebook to HTML (nbconvert, images embedded)."""
    input:
        expand(
            f"{RESULTS}/{{{{cohort}}}}/notebooks/{{name}}.ipynb", name=NOTEBOOK_NAMES
        ),
    output:
        expand(f"{RESULTS}/{{{{cohort}}}}/notebooks/{{name}}.html", name=NOTEBOOK_NAMES),
    log:
        f"{RESULTS}/{{cohort}}/logs/notebooks_html.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/notebooks_html.tsv"
    conda:
        "../../envs/environment.yaml"
    script:
        "../scripts/render_notebooks.py"


rule report_index:
    """The cohort's landing page: description, key numbers, manuscript files, figure
    thumbnails, notebooks, participant profiles and provenance."""
    input:
        notebooks=expand(
            f"{RESULTS}/{{{{cohort}}}}/notebooks/{{name}}.html", name=NOTEBOOK_NAMES
        ),
        manuscript=f"{MANUSCRIPT}/numbers.json",
        sensitivity=f"{MANUSCRIPT}/table_s1_sensitivity.html",
        figures=figure_pngs,
        provenance=f"{RESULTS}/{{cohort}}/provenance.json",
        profiles=f"{RESULTS}/{{cohort}}/profiles",
        article=[f"{MANUSCRIPT}/article.{fmt}" for fmt in ARTICLE_FORMATS],
    output:
        f"{RESULTS}/{{cohort}}/index.html",
    log:
        f"{RESULTS}/{{cohort}}/logs/report_index.log",
    conda:
        "../../envs/environment.yaml"
    params:
        description=lambda wc: cohort_config(wc).get("description", ""),
        manuscript=manuscript_files,
        figures=list(FIGURE_TITLES),
    script:
        "../scripts/report_index.py"


rule profiles:
    """One page per participant: endpoints on the cohort median, MMTT curves, safety
    labs against their limits, adverse events and hypoglycaemia, listings."""
    input:
        **{name: cohort_table(name) for name in DATASETS},
    output:
        directory(f"{RESULTS}/{{cohort}}/profiles"),
    log:
        f"{RESULTS}/{{cohort}}/logs/profiles.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/profiles.tsv"
    conda:
        "../../envs/environment.yaml"
    params:
        settings=cohort_setting("profiles"),
        blq=cohort_setting("analysis", "blq"),
    script:
        "../scripts/profiles.py"
