rule power_point:
    """Power of the next trial at one placebo-arm size: simulated trials, each analysed
    with the project's ANCOVA (one job per grid point)."""
    output:
        f"{RESULTS}/power/points/n{{n}}.csv",
    log:
        f"{RESULTS}/power/logs/power_point_n{{n}}.log",
    benchmark:
        f"{RESULTS}/power/benchmarks/power_point_n{{n}}.tsv"
    wildcard_constraints:
        n=r"\d+",
    conda:
        "../../envs/environment.yaml"
    params:
        power=config["power"],
        cohort=config["cohorts"].get(config["power"]["cohort"], {}),
    script:
        "../scripts/power_point.py"


rule power_curve:
    """Gather the grid points: power curve (CSV, PNG, PDF) and the n for 80 % and 90 %."""
    input:
        expand(f"{RESULTS}/power/points/n{{n}}.csv", n=POWER_GRID),
    output:
        curve=f"{RESULTS}/power/power_curve.csv",
        png=f"{RESULTS}/power/power_curve.png",
        pdf=f"{RESULTS}/power/power_curve.pdf",
        summary=f"{RESULTS}/power/sample_size.json",
    log:
        f"{RESULTS}/power/logs/power_curve.log",
    conda:
        "../../envs/environment.yaml"
    script:
        "../scripts/power_curve.py"
