"""Seeded simulator of the trial's raw exports (LIS, REDCap, randomisation list).

``simulate_cohort(name, cohort_config, out_dir)`` writes a raw folder in exactly the
format of ``docs/raw-exports.md``, with a SHA-256 manifest. The same seed
gives the same bytes. The data are synthetic: names, MRNs and dates are made up.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from plmsc.config import cohort_with_defaults
from plmsc.manifest import write_manifest
from plmsc.simulate.cohort import Cohort, generators, simulate_cohort_tables
from plmsc.simulate.lis import build_lis, write_pulls
from plmsc.simulate.redcap import randomisation, write_redcap

__all__ = ["Cohort", "simulate_cohort"]


def simulate_cohort(name: str, cohort_config: dict[str, Any], out_dir: str | Path) -> list[Path]:
    """Write the synthetic raw exports of one cohort to ``out_dir``; return the files.

    ``cohort_config`` is a validated cohort entry of the workflow config (it needs a
    ``simulation`` block). Existing ``lis/`` and ``redcap/`` folders in ``out_dir``
    are replaced, so no stale export survives a re-simulation.
    """
    if "simulation" not in cohort_config:
        raise ValueError(f"cohort '{name}' has no 'simulation' block in the config")
    cohort_config = cohort_with_defaults(cohort_config)
    out = Path(out_dir)
    for sub in ("lis", "redcap"):
        shutil.rmtree(out / sub, ignore_errors=True)
    (out / "randomisation.csv").unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)

    rng_cohort, rng_lis, rng_redcap = generators(cohort_config["simulation"]["seed"], 3)
    cohort = simulate_cohort_tables(name, cohort_config, rng_cohort)
    files = write_pulls(build_lis(cohort, rng_lis), out / "lis")
    files += write_redcap(cohort, rng_redcap, out)
    sim = cohort_config["simulation"]
    if cohort_config["design"] == "randomised" and sim["unblinded"]:
        path = out / "randomisation.csv"
        randomisation(cohort).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        files.append(path)
    files.append(write_manifest(out))
    return files
