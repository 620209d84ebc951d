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
