"""Exploratory statistics of a single-arm cohort (docs/statistics.md).

Phase 1 has four participants: per-participant listings and median (range) carry
the results; the tests below are labelled exploratory and their p-values are
exact (permutation distributions, not large-sample approximations):

* Wilcoxon signed-rank test, baseline versus the comparison visit: the exact
  two-sided p-value is the share of the 2^m equally likely sign assignments of the m
  non-zero differences whose statistic is at least as far from its null mean as the
  observed one, with mid-ranks for ties and a stated zero method (Pratt by default:
  zeros are ranked, then carry no sign; or Wilcoxon: zeros dropped before ranking).
  Enumerated for m <= 20.
* Friedman's test across visits: the exact p-value over every reordering of each
  participant's within-participant ranks, by dynamic programming over the visits'
  rank sums; when that is not tractable, a seeded Monte Carlo p-value with its 99 %
  confidence interval. Participants without a value at every compared visit are
  left out and named.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import permutations
from typing import Literal

import numpy as np
import pandas as pd
import pingouin as pg
from statsmodels.stats.proportion import proportion_confint

from plmsc.constants import UNSCHEDULED
from plmsc.endpoints.registry import select
from plmsc.report.formatting import format_number, format_p

LABEL = "exploratory"
#: Endpoints tested across visits in a single-arm cohort (registry: test = exploratory).
EXPLORATORY_PARAMS = select(test="exploratory")
#: Largest number of non-zero differences whose 2^m sign assignments are enumerated.
MAX_WILCOXON_EXACT = 20
#: Largest number of (state, reordering) pairs of one step of the exact Friedman DP.
MAX_ENUMERATION = 5_000_000
#: Most visits' reorderings (k!) the exact Friedman DP takes on (k <= 7).
MAX_ORDERS = 5040
#: Reorderings of the Monte Carlo Friedman p-value, and the batch size that bounds memory.
MONTE_CARLO = 100_000
MC_BATCH_CELLS = 4_000_000
#: Confidence level of the Monte Carlo p-value's interval.
MC_CONFIDENCE = 0.99
#: Significance level for the note on the smallest attainable p-value.
ALPHA = 0.05

ZeroMethod = Literal["pratt", "wilcox"]

COLUMNS = [
    "PARAMCD", "TEST", "N", "VISITS", "STATISTIC", "P_ASYMPTOTIC", "P", "P_METHOD",
    "P_CI99_LO", "P_CI99_HI", "P_MIN", "ZERO_METHOD", "N_EXCLUDED", "EXCLUDED", "NOTE", "LABEL",
]  # fmt: skip


# --- Wilcoxon signed-rank ------------------------------------------------------------


@dataclass(frozen=True)
class SignedRank:
    """Exact Wilcoxon signed-rank result."""

    w_plus: float  # sum of the ranks of the positive differences
    p: float  # exact two-sided p-value
    p_min: float  # smallest two-sided p-value attainable with these ranks
    n_pairs: int
    n_zero: int
    zero_method: str


def signed_ranks(diff: np.ndarray, zero_method: ZeroMethod = "pratt") -> np.ndarray:
    """Signed mid-ranks of the differences (0 for a zero difference).

    ``pratt``: |d| ranked with the zeros, which then get sign 0 (Pratt 1959).
    ``wilcox``: zeros dropped before ranking (Wilcoxon 1945); they get 0 here too.
    """
    d = np.asarray(diff, dtype=float)
    zero = d == 0
    ranks = np.zeros(len(d))
    if zero_method == "pratt":
        ranks = pd.Series(np.abs(d)).rank(method="average").to_numpy()
    elif zero_method == "wilcox":
        ranks[~zero] = pd.Series(np.abs(d[~zero])).rank(method="average").to_numpy()
    else:
        raise ValueError(f"zero_method must be 'pratt' or 'wilcox', not {zero_method!r}")
    return np.sign(d) * ranks


def compute_wilcoxon_exact(diff: np.ndarray, zero_method: ZeroMethod = "pratt") -> SignedRank:
    """Exact two-sided Wilcoxon signed-rank test of paired differences ``diff``.

    W+ = sum of the ranks of the positive differences. Under H0 every one of the 2^m
    sign assignments of the m non-zero ranks r_i is equally likely; W+ has mean
    E = sum(r_i) / 2 and p = #{assignments with |W+ - E| >= |W+_obs - E|} / 2^m. All
    2^m values of W+ are enumerated (vectorised: the list of subset sums doubles
    with each rank), on doubled ranks so that mid-ranks stay integers and the
    comparison is exact. m <= 20 (2^20 = 1,048,576 assignments).
    """
    d = np.asarray(diff, dtype=float)
    sr = signed_ranks(d, zero_method)
    nonzero = d != 0
    m = int(nonzero.sum())
    if m > MAX_WILCOXON_EXACT:
        raise ValueError(f"exact enumeration needs at most {MAX_WILCOXON_EXACT} non-zero pairs")
    r2 = np.rint(2 * np.abs(sr[nonzero])).astype(np.int64)  # doubled ranks: integers
    w2_obs = int(np.rint(2 * sr[sr > 0].sum()))
    sums = np.zeros(1, dtype=np.int64)
    for r in r2:  # one step per rank, each step vectorised over all assignments so far
        sums = np.concatenate([sums, sums + r])
    total2 = int(r2.sum())  # 2 * sum(r); deviation from the mean on the doubled scale x2
    dev = np.abs(2 * sums - total2)
    dev_obs = abs(2 * w2_obs - total2)
    p = float((dev >= dev_obs).mean()) if m else 1.0
    p_min = float((dev >= dev.max()).mean()) if m else 1.0
    return SignedRank(w2_obs / 2, p, p_min, len(d), int((~nonzero).sum()), zero_method)


# --- Friedman ------------------------------------------------------------------------


@dataclass(frozen=True)
class FriedmanP:
    """Permutation p-value of Friedman's test."""

    p: float
    method: str
    ci_lo: float = float("nan")  # Monte Carlo only: 99 % interval of the p-value
    ci_hi: float = float("nan")
    p_min: float = float("nan")  # exact only: smallest attainable p-value


def friedman_statistic(ranks: np.ndarray) -> np.ndarray:
    """Friedman's Q from within-participant ranks, shape (..., n, k):
    Q = 12 / (n k (k + 1)) * sum_j R_j^2 - 3 n (k + 1), R_j the rank sum of visit j."""
    n, k = ranks.shape[-2:]
    rank_sums = ranks.sum(axis=-2)
    return 12 / (n * k * (k + 1)) * (rank_sums**2).sum(axis=-1) - 3 * n * (k + 1)


def within_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..k within each row (ties get their mean rank)."""
    return pd.DataFrame(values).rank(axis=1, method="average").to_numpy()


def _friedman_exact(ranks2: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Exact null distribution of sum_j R_j^2 (doubled ranks): values and probabilities.

    Dynamic programming over participants: a state is the vector of the visits' rank
    sums so far. Friedman's statistic and every later step are invariant to
    relabelling the visits, so states are kept sorted (a multiset of rank sums), which
    merges the k! relabellings of each configuration. Each participant adds one of
    the k! reorderings of its ranks with probability 1/k!. None when a step would
    exceed :data:`MAX_ENUMERATION` (state, reordering) pairs.
    """
    n, k = ranks2.shape
    k_fact = math.factorial(k)
    if k_fact > MAX_ORDERS:
        return None
    radix = int(ranks2.max(initial=0)) * n + 1  # every rank sum is below it
    orders = np.array(list(permutations(range(k))))
    states = np.zeros((1, k), dtype=np.int64)
    prob = np.ones(1)
    for i in range(n):
        # distinct arrangements of this participant's ranks; with ties, each stands for
        # prod(tie sizes!) of the k! reorderings, so its probability is that / k!
        perms = np.unique(ranks2[i][orders], axis=0)
        _, tie_sizes = np.unique(ranks2[i], return_counts=True)
        weight = math.prod(math.factorial(int(t)) for t in tie_sizes) / k_fact
        if len(states) * len(perms) > MAX_ENUMERATION:
            return None
        new = (states[:, None, :] + perms[None, :, :]).reshape(-1, k)
        new.sort(axis=1)
        if radix**k < 2**62:  # one integer per state: a 1-D unique is much faster
            keys = new @ (radix ** np.arange(k, dtype=np.int64))
            _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
            states = new[first]
        else:
            states, inverse = np.unique(new, axis=0, return_inverse=True)
        new_p = np.repeat(prob * weight, len(perms))
        prob = np.bincount(inverse.reshape(-1), weights=new_p, minlength=len(states))
    return (states**2).sum(axis=1), prob


def compute_friedman_p(values: np.ndarray, seed: int = 0) -> FriedmanP:
    """P(Q >= Q_observed) over every reordering of each participant's ranks.

    Under H0 each participant's ranks are exchangeable across the k visits, so the
    (k!)^n reorderings are equally likely. Exact by :func:`_friedman_exact` when
    tractable (p-value and the smallest attainable p-value). Otherwise a seeded
    Monte Carlo of :data:`MONTE_CARLO` reorderings, vectorised in batches: p = (1 + b)
    / (R + 1) with b reorderings at least as extreme (Davison & Hinkley 1997, 4.2.3),
    and the 99 % Clopper-Pearson interval of b / R beside it.
    """
    ranks = within_ranks(np.asarray(values, dtype=float))
    n, k = ranks.shape
    ranks2 = np.rint(2 * ranks).astype(np.int64)  # doubled ranks: integers, exact sums
    s_obs = int((ranks2.sum(axis=0) ** 2).sum())
    exact = _friedman_exact(ranks2)
    if exact is not None:
        s, prob = exact
        p = float(prob[s >= s_obs].sum())
        p_min = float(prob[s >= s.max()].sum())
        n_orders = math.factorial(k) ** n
        return FriedmanP(min(p, 1.0), f"exact (all {n_orders:,} reorderings)", p_min=p_min)
    rng = np.random.default_rng(seed)
    batch = max(1, MC_BATCH_CELLS // (n * k))
    b = 0
    done = 0
    while done < MONTE_CARLO:
        size = min(batch, MONTE_CARLO - done)
        sims = rng.permuted(np.broadcast_to(ranks2, (size, n, k)), axis=2)
        b += int(((sims.sum(axis=1) ** 2).sum(axis=1) >= s_obs).sum())
        done += size
    lo, hi = proportion_confint(b, MONTE_CARLO, alpha=1 - MC_CONFIDENCE, method="beta")
    method = f"Monte Carlo ({MONTE_CARLO:,} reorderings, seed {seed}; 99 % CI of p)"
    return FriedmanP((1 + b) / (MONTE_CARLO + 1), method, float(lo), float(hi))


def friedman_exact_p(values: np.ndarray, seed: int = 0) -> tuple[float, str]:
    """(p, method) of :func:`compute_friedman_p`."""
    r = compute_friedman_p(values, seed)
    return r.p, r.method


# --- table ---------------------------------------------------------------------------


def _min_p_note(p_min: float, n: int) -> str:
    """A note when no outcome of the data could give p < ALPHA."""
    if not np.isfinite(p_min) or p_min < ALPHA:
        return ""
    return (
        f"with n = {n} the smallest attainable two-sided p is {format_p(p_min)}: "
        f"this test cannot reach p < {format_number(ALPHA, 2)}"
    )


def friedman_across_visits(code: str, wide: pd.DataFrame, seed: int = 0) -> dict | None:
    """Friedman's test over participants with a value at every visit (columns) of ``wide``.

    Participants missing any of those visits are left out and named in EXCLUDED.
    """
    complete = wide.dropna()
    excluded = sorted(str(u) for u in wide.index.difference(complete.index))
    if complete.shape[0] < 2 or complete.shape[1] < 3:
        return None
    long = complete.stack().rename("AVAL").reset_index()
    fr = pg.friedman(data=long, dv="AVAL", within="AVISITN", subject="USUBJID")
    res = compute_friedman_p(complete.to_numpy(), seed)
    n, k = complete.shape
    return {
        "PARAMCD": code,
        "TEST": "Friedman across visits",
        "N": n,
        "VISITS": k,
        "STATISTIC": float(fr["Q"].iloc[0]),
        "P_ASYMPTOTIC": float(fr["p_unc"].iloc[0]),
        "P": res.p,
        "P_METHOD": res.method,
        "P_CI99_LO": res.ci_lo,
        "P_CI99_HI": res.ci_hi,
        "P_MIN": res.p_min,
        "ZERO_METHOD": "",
        "N_EXCLUDED": len(excluded),
        "EXCLUDED": "; ".join(excluded),
        "NOTE": _min_p_note(res.p_min, n),
        "LABEL": LABEL,
    }


def wilcoxon_vs_baseline(
    code: str, base: pd.Series, comp: pd.Series, visit: str, zero_method: ZeroMethod = "pratt"
) -> dict | None:
    """Exact Wilcoxon signed-rank test of paired baseline and ``visit`` values.

    STATISTIC is W+, the sum of the ranks of the increases (``visit`` - baseline).
    Participants with only one of the two values are left out and named.
    """
    pair = pd.concat([base.rename("BASE"), comp.rename("COMP")], axis=1)
    excluded = sorted(str(u) for u in pair.index[pair.isna().any(axis=1)])
    pair = pair.dropna()
    if len(pair) < 2 or (pair["COMP"] == pair["BASE"]).all():
        return None
    diff = (pair["COMP"] - pair["BASE"]).to_numpy()
    if int((diff != 0).sum()) > MAX_WILCOXON_EXACT:
        return None
    res = compute_wilcoxon_exact(diff, zero_method)
    return {
        "PARAMCD": code,
        "TEST": f"Wilcoxon signed-rank, baseline vs {visit}",
        "N": res.n_pairs,
        "VISITS": 2,
        "STATISTIC": res.w_plus,
        "P_ASYMPTOTIC": np.nan,
        "P": res.p,
        "P_METHOD": f"exact (all {2 ** (res.n_pairs - res.n_zero):,} sign assignments)",
        "P_CI99_LO": np.nan,
        "P_CI99_HI": np.nan,
        "P_MIN": res.p_min,
        "ZERO_METHOD": f"{zero_method} ({res.n_zero} zero differences)",
        "N_EXCLUDED": len(excluded),
        "EXCLUDED": "; ".join(excluded),
        "NOTE": _min_p_note(res.p_min, res.n_pairs),
        "LABEL": LABEL,
    }


def exploratory_tests(
    adeff: pd.DataFrame,
    params: Sequence[str],
    comparison_visit: str = "Month 12",
    zero_method: ZeroMethod = "pratt",
    seed: int = 0,
) -> pd.DataFrame:
    """Friedman across visits and Wilcoxon baseline vs ``comparison_visit``, per PARAMCD.

    Uses the analysed rows (ANL01FL = Y) of scheduled visits: Friedman over the
    visits where at least two participants have a value and the participants with a
    value at every one of them; Wilcoxon over participants with a baseline (ABLFL =
    Y) and a ``comparison_visit`` value. Each row is labelled ``exploratory`` and names
    the participants left out (EXCLUDED), its p-value method, and, when the sample
    is too small for p < 0.05 whatever the data, says so (NOTE).
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
            friedman_across_visits(code, wide, seed),
            wilcoxon_vs_baseline(code, base, comp, comparison_visit, zero_method),
        ]
    return pd.DataFrame([r for r in rows if r is not None], columns=COLUMNS)
