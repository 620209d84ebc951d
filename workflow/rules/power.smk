rule power_curve:
    """Power of the next trial at every placebo-arm size of the grid (simulated trials,
    each analysed with the project's ANCOVA), the curve (CSV, PNG, PDF) and the n for
    80 % and 90 % power."""
    output:
        curve=f"{RESULTS}/power/power_curve.csv",
        png=f"{RESULTS}/power/power_curve.png",
        pdf=f"{RESULTS}/power/power_curve.pdf",
        summary=f"{RESULTS}/power/sample_size.json",
    log:
        f"{RESULTS}/power/logs/power_curve.log",
    benchmark:
        f"{RESULTS}/power/benchmarks/power_curve.tsv"
    conda:
        "../../envs/environment.yaml"
    params:
        power=config["power"],
        cohort=config["cohorts"].get(config["power"]["cohort"], {}),
    script:
        "../scripts/power_curve.py"
