"""Exploratory statistics of a single-arm cohort (analysis-conventions.md, "Statistics").

Phase 1 has four participants: per-participant listings and median (range) carry
the results; the tests below are labelled exploratory. Friedman's test across
visits (pingouin) with its exact permutation p-value, and the Wilcoxon signed-rank
test of baseline versus the comparison visit with the exact p-value (pingouin,
which calls scipy's exact distribution).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import permutations

import numpy as np
import pandas as pd
import pingouin as pg

from plmsc.constants import UNSCHEDULED
from plmsc.endpoints.registry import select

LABEL = "exploratory"
#: Endpoints tested across visits in a single-arm cohort (registry: test = exploratory).
EXPLORATORY_PARAMS = select(test="exploratory")
#: Largest number of rank configurations enumerated for an exact Friedman p-value.
MAX_ENUMERATION = 3_000_000
MONTE_CARLO = 100_000


def friedman_statistic(ranks: np.ndarray) -> np.ndarray:
    """Friedman's Q from within-participant ranks, shape (..., n, k):
    Q = 12 / (n k (k + 1)) * sum_j R_j^2 - 3 n (k + 1), R_j the rank sum of visit j."""
    n, k = ranks.shape[-2:]
    rank_sums = ranks.sum(axis=-2)
    return 12 / (n * k * (k + 1)) * (rank_sums**2).sum(axis=-1) - 3 * n * (k + 1)


def within_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..k within each row (ties get their mean rank)."""
    return pd.DataFrame(values).rank(axis=1, method="average").to_numpy()


def friedman_exact_p(values: np.ndarray, seed: int = 0) -> tuple[float, str]:
    """P(Q >= Q_observed) over every reordering of each participant's ranks.

    Under H0 each participant's ranks are exchangeable across visits. The first
    participant's order is fixed (Q does not depend on relabelling visits), so
    (k!)^(n-1) configurations are enumerated when that is at most 3 million;
    beyond, a seeded Monte Carlo of 100,000 reorderings estimates the p-value.
    Returns (p, method).
    """
    ranks = within_ranks(values)
    n, k = ranks.shape
    q_obs = friedman_statistic(ranks)
    total = math.factorial(k) ** (n - 1)
    eps = 1e-9
    if total <= MAX_ENUMERATION:
        perms = np.array(list(permutations(range(k))))
        # rank sums: first participant fixed, then every combination of the others' orders
        sums = ranks[0][None, :]
        for i in range(1, n):
            options = ranks[i][perms]  # (k!, k)
            sums = (sums[:, None, :] + options[None, :, :]).reshape(-1, k)
        q = 12 / (n * k * (k + 1)) * (sums**2).sum(axis=1) - 3 * n * (k + 1)
        return float((q >= q_obs - eps).mean()), "exact (all reorderings)"
    rng = np.random.default_rng(seed)
    sims = rng.permuted(np.broadcast_to(ranks, (MONTE_CARLO, n, k)), axis=2)
    q = friedman_statistic(sims)
    p = (1 + (q >= q_obs - eps).sum()) / (MONTE_CARLO + 1)
    return float(p), f"Monte Carlo ({MONTE_CARLO} reorderings, seed {seed})"


def _result(
    code: str,
    test: str,
    n: int,
    visits: int,
    stat: float,
    p_asym: float,
    p_exact: float,
    method: str,
) -> dict:
    return {
        "PARAMCD": code,
        "TEST": test,
        "N": n,
        "VISITS": visits,
        "STATISTIC": stat,
        "P_ASYMPTOTIC": p_asym,
        "P_EXACT": p_exact,
        "P_METHOD": method,
        "LABEL": LABEL,
    }


def friedman_across_visits(code: str, wide: pd.DataFrame) -> dict | None:
    """Friedman's test over participants with a value at every visit (rows) of ``wide``."""
    complete = wide.dropna()
    if complete.shape[0] < 2 or complete.shape[1] < 3:
        return None
    long = complete.stack().rename("AVAL").reset_index()
    fr = pg.friedman(data=long, dv="AVAL", within="AVISITN", subject="USUBJID")
    p_exact, method = friedman_exact_p(complete.to_numpy())
    n, k = complete.shape
    q, p = float(fr["Q"].iloc[0]), float(fr["p_unc"].iloc[0])
    return _result(code, "Friedman across visits", n, k, q, p, p_exact, method)


def wilcoxon_vs_baseline(code: str, base: pd.Series, comp: pd.Series, visit: str) -> dict | None:
    """Exact Wilcoxon signed-rank test of paired baseline and ``visit`` values."""
    pair = pd.concat([base.rename("BASE"), comp.rename("COMP")], axis=1).dropna()
    if len(pair) < 2 or (pair["COMP"] == pair["BASE"]).all():
        return None
    wx = pg.wilcoxon(pair["BASE"], pair["COMP"], method="exact")
    test = f"Wilcoxon signed-rank, baseline vs {visit}"
    w, p = float(wx["W_val"].iloc[0]), float(wx["p_val"].iloc[0])
    return _result(code, test, len(pair), 2, w, np.nan, p, "exact")


def exploratory_tests(
    adeff: pd.DataFrame, params: Sequence[str], comparison_visit: str = "Month 12"
) -> pd.DataFrame:
    """Friedman across visits and Wilcoxon baseline vs ``comparison_visit``, per PARAMCD.

    Uses the analysed rows (ANL01FL = Y) of scheduled visits and the participants
    with a value at every visit of the parameter (Friedman) or at both visits
    (Wilcoxon). Each row is labelled ``exploratory``.
    """
    anl = adeff[adeff["ANL01FL"].eq("Y").fillna(False) & (adeff["AVISIT"] != UNSCHEDULED)]
    rows = []
    for code in params:
        d = anl[anl["PARAMCD"] == code]
        wide = d.pivot(index="USUBJID", columns="AVISITN", values="AVAL")
        wide = wide.loc[:, wide.notna().sum() >= 2]
        base = d[d["ABLFL"].eq("Y").fillna(False)].set_index("USUBJID")["AVAL"]
        comp = d[d["AVISIT"] == comparison_visit].set_index("USUBJID")["AVAL"]
        rows += [
            friedman_across_visits(code, wide),
            wilcoxon_vs_baseline(code, base, comp, comparison_visit),
        ]
    columns = [
        "PARAMCD",
        "TEST",
        "N",
        "VISITS",
        "STATISTIC",
        "P_ASYMPTOTIC",
        "P_EXACT",
        "P_METHOD",
        "LABEL",
    ]
    return pd.DataFrame([r for r in rows if r is not None], columns=columns)
