rule participant_flow:
    """Participant flow diagram (CONSORT 2010; single-arm analogue) from numbers.json."""
    input:
        f"{MANUSCRIPT}/numbers.json",
    output:
        png=f"{MANUSCRIPT}/participant_flow.png",
        pdf=f"{MANUSCRIPT}/participant_flow.pdf",
    log:
        f"{RESULTS}/{{cohort}}/logs/participant_flow.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/participant_flow.tsv"
    conda:
        "../../envs/environment.yaml"
    script:
        "../scripts/participant_flow.py"


rule article:
    """The article (DOCX, PDF, HTML) from the templates, the authors' prose and numbers.json."""
    input:
        unpack(article_inputs),
    output:
        **{fmt: f"{MANUSCRIPT}/article.{fmt}" for fmt in ARTICLE_FORMATS},
    log:
        f"{RESULTS}/{{cohort}}/logs/article.log",
    benchmark:
        f"{RESULTS}/{{cohort}}/benchmarks/article.tsv"
    conda:
        "../../envs/environment.yaml"
    params:
        templates=ARTICLE_TEMPLATES,
        prose=article_prose,
    script:
        "../scripts/article.py"
