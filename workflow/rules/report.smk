include: "report_common.smk"


rule manuscript:
    """Tables 1-3, Figures 1-6 and the numbers quoted in the results section."""
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
        design=lambda wc: cohort_config(wc)["design"],
        analysis=lambda wc: cohort_config(wc)["analysis"],
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
    """The cohort's index.html: every notebook and manuscript file, one line each."""
    input:
        notebooks=expand(
            f"{RESULTS}/{{{{cohort}}}}/notebooks/{{name}}.html", name=NOTEBOOK_NAMES
        ),
        manuscript=f"{MANUSCRIPT}/numbers.json",
    output:
        f"{RESULTS}/{{cohort}}/index.html",
    log:
        f"{RESULTS}/{{cohort}}/logs/report_index.log",
    conda:
        "../../envs/environment.yaml"
    params:
        description=lambda wc: cohort_config(wc).get("description", ""),
        manuscript=manuscript_files,
    script:
        "../scripts/report_index.py"
