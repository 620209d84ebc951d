"""Analysis package of the PLMSC type 1 diabetes trial.

One importable package for the Snakemake rules, the notebooks and the tests:
raw-export simulation, manifest checks, ingestion and endpoint derivations.
"""

__version__ = "0.1.0"
