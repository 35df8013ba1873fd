"""Recency-weighted Beta scores with population and referral-chain priors.

For one relationship r and one dimension d, every piece of evidence i counts
``w_i · 0.5^(age_i / half_life)`` where the age is measured back from the
export's end (``as_of``; undated evidence and evidence after ``as_of`` count as
fresh). With ``W`` the sum of those weights, ``S`` the weighted sum of the
values, ``k = prior_strength`` and ``m`` the prior mean::

    alpha = m·k + S,   beta = (1 - m)·k + (W - S)
    score = alpha / (alpha + beta) = (m·k + S) / (k + W)
    confidence = W / (W + k)

The prior mean ``m``:

1. **population**: the evidence-weighted mean of the other relationships to the
   same trustee in the same role (as provider: kinds ``customer`` and
   ``advocate``; as advocate: kind ``referred_by``), shrunk towards 0.5 with
   ``k`` pieces of neutral evidence: ``(ΣS + 0.5·k) / (ΣW + k)`` over the others
   (leaving the relationship itself out, so its evidence is not counted twice);
2. **referral chain**: for a person B whose acquiring referral came from A
   (``graph.parent``) and who relates to a provider P that A also relates to,
   ``m = λ·score(A → P) + (1 - λ)·m_population`` with
   ``λ = chain_prior_weight · people(B → A) · 0.5^(age / half_life)``
   (people 0.5 when unknown; age = time since B → P began): B starts where A's
   word puts them, as far as B trusts A, and the word ages like any evidence
   (on generated worlds it helps new relationships and, undecayed, slightly
   hurt old ones whose trust had long moved on). A's word on a dimension counts
   only where A has evidence on it or carries its own referrer's word (not
   where A's score is the population prior alone, which holds B's evidence).
   Chains are processed in forest level order, so A's own score already
   carries A's referrer's word.

A relationship with evidence but no prior uses ``m = 0.5``; with neither, the
score is NaN.

Examples
--------
>>> beta_score(S=1.8, W=2.0, prior_mean=0.5, prior_strength=2.0)
0.7
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..graph import REFERRED_BY, TrustGraph
from ..settings import Settings
from .evidence import relationship_rows

__all__ = ["beta_score", "recency_weights", "dimension_sums", "score_relationships", "chain_links", "is_kind"]

_DAY_NS = 86_400 * 10**9


def is_kind(relationships: pd.DataFrame, kind: str) -> np.ndarray:
    """Boolean mask of the relationships of one kind (on the categorical codes, without string compares).

    Examples
    --------
    >>> import pandas as pd
    >>> is_kind(pd.DataFrame({"kind": pd.Categorical(["advocate", "referred_by"])}), "referred_by").tolist()
    [False, True]
    """
    col = relationships["kind"]
    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = list(col.cat.categories)
        if kind not in cats:
            return np.zeros(len(col), bool)
        return col.cat.codes.to_numpy() == cats.index(kind)
    return (col == kind).to_numpy(bool)


def beta_score(S: Any, W: Any, prior_mean: Any, prior_strength: float) -> Any:
    """Posterior mean of a Beta prior (mean, strength) after evidence weight ``W`` with value sum ``S``.

    Examples
    --------
    >>> beta_score(S=0.0, W=0.0, prior_mean=0.8, prior_strength=2.0)
    0.8
    >>> round(beta_score(S=3.0, W=3.0, prior_mean=0.5, prior_strength=2.0), 6)
    0.8
    """
    return (prior_mean * prior_strength + S) / (prior_strength + W)


def recency_weights(weight: np.ndarray, at: np.ndarray, as_of: Any, half_life_days: float) -> np.ndarray:
    """``weight · 0.5^(age / half_life)``, age in days back from ``as_of`` (NaT and future: age 0).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> at = np.array(["2025-01-01", "2024-07-05", "NaT"], dtype="datetime64[ns]")
    >>> recency_weights(np.ones(3), at, pd.Timestamp("2025-01-01"), 180.0).round(3).tolist()
    [1.0, 0.5, 1.0]
    """
    if as_of is None or (not isinstance(as_of, np.datetime64) and as_of != as_of) or len(at) == 0:
        return np.asarray(weight, float).copy()
    end = np.datetime64(as_of, "ns").astype(np.int64)
    t = np.asarray(at, "datetime64[ns]").view(np.int64)
    # in place on one array (millions of rows): age in days, NaT 0, then the weight
    age = np.subtract(end, t)
    np.maximum(age, 0, out=age)
    days = np.divide(age, _DAY_NS)
    del age
    days[t == np.iinfo(np.int64).min] = 0.0
    np.negative(days, out=days)
    days /= half_life_days
    np.exp2(days, out=days)
    days *= weight
    return days


def dimension_sums(rel_idx: np.ndarray, dim: np.ndarray, w: np.ndarray, v: np.ndarray, n_rel: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Per relationship and dimension (n_rel × 3): ``W`` = Σ w and ``S`` = Σ w·v.

    Examples
    --------
    >>> import numpy as np
    >>> W, S = dimension_sums(np.array([0, 0, 1]), np.array([0, 0, 2]), np.ones(3), np.array([1.0, 0.0, 0.5]), 2)
    >>> W.tolist(), S.tolist()
    ([[2.0, 0.0, 0.0], [0.0, 0.0, 1.0]], [[1.0, 0.0, 0.0], [0.0, 0.0, 0.5]])
    """
    key = rel_idx.astype(np.int64) * 3 + dim.astype(np.int64)
    W = np.bincount(key, weights=w, minlength=n_rel * 3).reshape(n_rel, 3)
    S = np.bincount(key, weights=w * v, minlength=n_rel * 3).reshape(n_rel, 3)
    return W, S


def _population_prior(W: np.ndarray, S: np.ndarray, group: np.ndarray, k: float) -> np.ndarray:
    """Leave-one-out evidence-weighted mean of the other relationships of the same group, shrunk to 0.5."""
    n_groups = int(group.max()) + 1 if len(group) else 0
    PW = np.stack([np.bincount(group, weights=W[:, d], minlength=n_groups) for d in range(3)], axis=1)
    PS = np.stack([np.bincount(group, weights=S[:, d], minlength=n_groups) for d in range(3)], axis=1)
    # in place on two arrays: each n_rel × 3 temporary is fresh memory the system must hand over (page faults)
    LW = PW.take(group, axis=0)
    LW -= W
    LS = PS.take(group, axis=0)
    LS -= S
    has = LW > 1e-12
    np.add(LS, 0.5 * k, out=LS)
    np.add(LW, k, out=LW)
    with np.errstate(invalid="ignore", divide="ignore"):
        np.divide(LS, LW, out=LS)
    LS[~has] = np.nan
    return LS


def score_relationships(graph: TrustGraph, W: np.ndarray, S: np.ndarray, chain: dict[str, np.ndarray],
                        settings: Settings, as_of: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scores (n_rel × 3), confidences and prior kinds of every relationship.

    Parameters
    ----------
    graph : TrustGraph
    W, S : ndarray (n_rel × 3)
        Recency-weighted evidence weight and value sums (:func:`dimension_sums`).
    chain : dict
        The referral chains, from :func:`chain_links`.
    settings : Settings

    Returns
    -------
    score, confidence : ndarray (n_rel × 3)
    prior : ndarray (n_rel,) of int8
        0 no prior on any dimension, 1 population prior, 2 referral-chain prior.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from trustnet.graph import build_graph
    >>> from trustnet.settings import Settings
    >>> G = build_graph(pd.DataFrame({"referrer": ["a"], "referred": ["b"], "provider": ["P"]}))
    >>> W = np.zeros((3, 3)); S = np.zeros((3, 3)); W[0, 0] = 2.0; S[0, 0] = 1.8
    >>> score, conf, prior = score_relationships(G, W, S, chain_links(G), Settings())
    >>> score[:, 0].round(4).tolist()  # a -> P (evidence), b -> P (prior: a's word), b -> a (nothing)
    [0.7, 0.7, nan]
    """
    ts = settings.trust
    k = ts.prior_strength
    rel = graph.relationships
    group = rel["trustee_idx"].to_numpy(np.int64) * 2 + is_kind(rel, REFERRED_BY)
    m = _population_prior(W, S, group, k) if len(rel) else np.zeros((0, 3))
    prior = np.where(np.isnan(m).all(axis=1), 0, 1).astype(np.int8)
    has_ev = W > 1e-12
    m_used = np.where(np.isnan(m) & has_ev, 0.5, m)
    score = beta_score(S, W, m_used, k)
    with np.errstate(invalid="ignore", divide="ignore"):
        confidence = W / (W + k)

    r_child, r_adv, r_ref, bounds = chain["child"], chain["advocate"], chain["referred_by"], chain["bounds"]
    cpw = ts.chain_prior_weight
    if len(r_child) and cpw > 0:
        # the advocate's word was given when the relationship began: it ages like any evidence
        since = rel["first_seen"].to_numpy("datetime64[ns]")[r_child]
        word_weight = recency_weights(np.ones(len(r_child)), since, graph.as_of if as_of is None else as_of,
                                      ts.half_life_days)
        prior[r_child] = 2
        # A's word on a dimension counts where A has evidence there or carries its own referrer's word,
        # never where A's score is only the population prior (that would count B's own evidence twice)
        informed = has_ev.copy()
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            c, a, b = r_child[lo:hi], r_adv[lo:hi], r_ref[lo:hi]
            trust_in_a = score[b, 0]
            lam = (cpw * np.where(np.isnan(trust_in_a), 0.5, trust_in_a) * word_weight[lo:hi])[:, None]
            word = np.where(informed[a], score[a], np.nan)
            informed[c] |= ~np.isnan(word)
            base = np.where(np.isnan(m[c]), 0.5, m[c])
            mixed = np.where(np.isnan(word), m_used[c], lam * word + (1.0 - lam) * base)
            score[c] = beta_score(S[c], W[c], mixed, k)
    return score, confidence, prior


def chain_links(graph: TrustGraph) -> dict[str, np.ndarray]:
    """The relationships that take a referral-chain prior, grouped by forest level.

    For every person B with a forest parent A and every provider P that both
    relate to (B → P of kind customer/advocate and A → P): the row of B → P
    (``child``), of A → P (``advocate``) and of B → A (``referred_by``), sorted by
    B's depth; ``bounds`` delimits the levels.

    Examples
    --------
    >>> import pandas as pd
    >>> from trustnet.graph import build_graph
    >>> G = build_graph(pd.DataFrame({"referrer": ["a", "b"], "referred": ["b", "c"], "provider": ["P", "P"]}))
    >>> links = chain_links(G)
    >>> G.relationships.loc[links["child"], ["truster", "trustee"]].values.tolist(), links["bounds"].tolist()
    ([['b', 'P'], ['c', 'P']], [0, 1, 2])
    """
    rel = graph.relationships
    empty = np.array([], np.int64)
    if not len(rel):
        return {"child": empty, "advocate": empty, "referred_by": empty, "bounds": np.array([0])}
    t = rel["truster_idx"].to_numpy(np.int64)
    e = rel["trustee_idx"].to_numpy(np.int64)
    towards_provider = ~is_kind(rel, REFERRED_BY)
    cand = np.flatnonzero(towards_provider & (graph.parent[t] >= 0))
    a = graph.parent[t[cand]]
    r_adv = relationship_rows(graph, a, e[cand])
    r_ref = relationship_rows(graph, t[cand], a)
    ok = (r_adv >= 0) & (r_ref >= 0)
    child, r_adv, r_ref = cand[ok], r_adv[ok], r_ref[ok]
    depth = graph.depth[t[child]]
    order = np.argsort(depth, kind="stable")
    child, r_adv, r_ref, depth = child[order], r_adv[order], r_ref[order], depth[order]
    bounds = np.flatnonzero(np.r_[True, depth[1:] != depth[:-1], True]) if len(depth) else np.array([0])
    return {"child": child, "advocate": r_adv, "referred_by": r_ref, "bounds": bounds}
