"""The trust model: people / process / platform scores for every relationship and node.

:func:`score_trust` turns a :class:`~trustnet.graph.TrustGraph` into
:class:`TrustScores`:

1. **evidence** (:mod:`trustnet.trust.evidence`): every referral, referral
   outcome, touchpoint score and event becomes evidence on one relationship
   and one dimension — a value in [0, 1], a weight and a time — through the
   documented table :data:`~trustnet.trust.evidence.EVIDENCE`;
2. **scores** (:mod:`trustnet.trust.beta`): a recency-weighted Beta mean per
   relationship and dimension, with a prior from the trustee's population and,
   for referred customers, from their referrer's word along the referral chain;
3. **overall**: ``mean - inconsistency_penalty · std`` over the dimensions
   present (population std). Very good everywhere (0.8, 0.8, 0.8 → 0.80) beats
   excellent in one place and mediocre in another (1.0, 0.9, 0.5 → 0.58): a
   relationship is as strong as its weakest layer, and the penalty says how
   much. It is never meant to be shown without the three scores;
4. **trend**: ``overall`` now minus ``overall`` scored with only the evidence
   up to ``as_of - trend_window_days`` (ages then measured from that date);
   NaN when the relationship had no evidence then. Per dimension too
   (``people_trend``, ...);
5. **nodes**: trust received per dimension as provider and as advocate
   (confidence-weighted mean of the relationships' scores) and a global
   reputation (:mod:`trustnet.trust.eigentrust`: EigenTrust over the people
   layer, every person pre-trusted; the module says why not the forest roots);
6. **why** (:mod:`trustnet.trust.explain`): the strongest evidence, in words.

Examples
--------
>>> import pandas as pd
>>> from trustnet.graph import build_graph
>>> refs = pd.DataFrame({"referrer": ["ann", "ann"], "referred": ["bob", "cat"], "provider": ["Tiles"] * 2,
...                      "status": ["converted", "declined"], "referred_at": ["2025-01-10", "2025-02-01"]})
>>> tps = pd.DataFrame({"customer": ["bob", "bob"], "provider": ["Tiles", "Tiles"], "at": ["2025-03-01"] * 2,
...                     "touchpoint": ["billing", "app"], "event": ["complaint", None],
...                     "score": [None, 9.0], "scale": [None, "nps"]})
>>> T = score_trust(build_graph(refs, tps))
>>> T.relationships.loc[1, ["truster", "trustee"]].tolist()
['bob', 'Tiles']
>>> T.relationships.loc[1, ["people", "process", "platform", "overall"]].astype(float).round(3).tolist()
[0.575, 0.442, 0.633, 0.47]
>>> T.relationships.loc[1, "why"]
'platform fair (0.63): 1 high score; process weak (0.44): 1 complaint (last 1 Mar 2025)'
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .. import schema as S
from .._memory import release_memory
from ..graph import REFERRED_BY, TrustGraph
from ..settings import Settings
from .beta import chain_links, is_kind, dimension_sums, recency_weights, score_relationships
from .eigentrust import UNKNOWN_OUTCOME_TRUST, eigentrust
from .evidence import EVIDENCE, GENERIC_KEYWORDS, KEYWORDS, build_evidence, evidence_table, touchpoint_dimensions
from .explain import explain

if TYPE_CHECKING:
    from pandas._libs.tslibs.nattype import NaTType

__all__ = [
    "TrustScores", "score_trust", "overall_score", "eigentrust",
    "EVIDENCE", "KEYWORDS", "GENERIC_KEYWORDS", "evidence_table", "touchpoint_dimensions",
]

Progress = Callable[[str, int, int], None]
_STEPS = 6


@dataclass(frozen=True, eq=False)
class TrustScores:
    """Trust scores of one export (see ``CONTRIBUTING.md``, "Data contracts", TrustScores).

    Attributes
    ----------
    relationships : DataFrame
        ``graph.relationships`` plus scores, confidences, ``overall``,
        ``evidence``, ``last_contact``, ``trend`` (and per dimension), ``why``.
    nodes : DataFrame
        ``graph.nodes`` plus trust received as provider and as advocate,
        ``reputation`` and ``reputation_pct``.
    evidence : DataFrame
        One row per piece of evidence: ``rel_idx``, ``dimension``, ``value``,
        ``weight`` (before recency), ``at``, ``source``, ``label``.
    unmapped_touchpoints : list of str
        Touchpoint names no keyword maps to a dimension (their rows gave nothing).
    as_of : Timestamp
        NaT when nothing in the export is dated.
    inferred_scales : DataFrame
        Rating scales inferred per touchpoint name (``touchpoint``, ``scale``,
        ``rows``, ``low``, ``high``); ``scale`` is None when no known range fits.
    unknown_events : list of str
        Event names the evidence table does not know (their rows gave no event evidence).

    Examples
    --------
    >>> import pandas as pd
    >>> from trustnet.graph import build_graph
    >>> refs = pd.DataFrame({"referrer": ["ann", "ann"], "referred": ["bob", "cat"],
    ...                      "provider": ["Tiles", "Tiles"], "status": ["converted", "declined"],
    ...                      "referred_at": ["2025-01-10", "2025-02-01"]})
    >>> T = score_trust(build_graph(refs))
    >>> T.relationships[["truster", "trustee", "kind", "people"]].round(2)
      truster trustee         kind  people
    0     ann   Tiles     advocate    0.58
    1     bob   Tiles     customer    0.58
    2     bob     ann  referred_by    0.64
    3     cat   Tiles     customer    0.58
    4     cat     ann  referred_by    0.60
    >>> T.nodes[["id", "reputation"]].round(3)
          id  reputation
    0  Tiles         NaN
    1    ann       0.574
    2    bob       0.213
    3    cat       0.213
    >>> T.evidence[["rel_idx", "dimension", "value", "source", "label"]].head(3)
       rel_idx dimension  value    source      label
    0        0    people    0.9  referral   referral
    1        0    people    0.9  referral   referral
    2        2    people    1.0    status  converted
    """

    relationships: pd.DataFrame
    nodes: pd.DataFrame
    evidence: pd.DataFrame
    unmapped_touchpoints: list[str]
    as_of: pd.Timestamp | NaTType
    inferred_scales: pd.DataFrame
    unknown_events: list[str]


def overall_score(scores: np.ndarray, penalty: float = 1.0) -> np.ndarray:
    """``mean - penalty · std`` over the non-missing dimensions of each row, clipped to [0, 1].

    Examples
    --------
    >>> overall_score(np.array([[0.8, 0.8, 0.8], [1.0, 0.9, 0.5], [0.6, np.nan, np.nan]])).round(3).tolist()
    [0.8, 0.584, 0.6]
    """
    present = ~np.isnan(scores)
    n = present.sum(axis=1)
    filled = np.where(present, scores, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = filled.sum(axis=1) / n
        var = np.where(present, (filled - mean[:, None]) ** 2, 0.0).sum(axis=1) / n
    out = np.clip(mean - penalty * np.sqrt(var), 0.0, 1.0)
    return np.where(n > 0, out, np.nan)


def _scores_at(graph: TrustGraph, ev_rel: np.ndarray, ev_dim: np.ndarray, ev_w: np.ndarray, ev_v: np.ndarray,
               ev_at: np.ndarray, as_of: Any, chain: dict[str, np.ndarray], settings: Settings
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    w_eff = recency_weights(ev_w, ev_at, as_of, settings.trust.half_life_days)
    W, Ssum = dimension_sums(ev_rel, ev_dim, w_eff, ev_v, len(graph.relationships))
    score, conf, prior = score_relationships(graph, W, Ssum, chain, settings, as_of)
    return w_eff, W, score, conf, prior


def _scores_before(graph: TrustGraph, ev_rel: np.ndarray, ev_dim: np.ndarray, ev_w: np.ndarray, ev_v: np.ndarray,
                   ev_at: np.ndarray, as_of: Any, chain: dict[str, np.ndarray], settings: Settings
                   ) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The scores ``trend_window_days`` before ``as_of``, on the evidence known then, and which relationships
    had any (both None when there is no date or no evidence then): what the trend is measured against."""
    ts = settings.trust
    if pd.isna(as_of) or not len(ev_rel):
        return None, None
    then = pd.Timestamp(as_of) - pd.Timedelta(seconds=int(ts.trend_window_days * 86_400))
    known = np.isnat(ev_at) | (ev_at <= then.to_datetime64())
    if not known.any():
        return None, None
    n_rel = len(graph.relationships)
    had = np.bincount(ev_rel, weights=known, minlength=n_rel) > 0
    # later evidence weighs 0 (adding 0.0 leaves every sum exactly as without it): no copies of the table;
    # its values need no zeroing where they are finite (0 times a finite value is 0). As _scores_at, with
    # each temporary dropped as soon as it is used (this runs beside the other work: they share the memory)
    if not np.isfinite(ev_v).all():
        ev_v = np.where(known, ev_v, 0.0)
    w_eff = recency_weights(np.where(known, ev_w, 0.0), ev_at, then, ts.half_life_days)
    del known
    W0, S0 = dimension_sums(ev_rel, ev_dim, w_eff, ev_v, n_rel)
    del w_eff
    return had, score_relationships(graph, W0, S0, chain, settings, then)[0]


def _evidence_counts(ev_rel: np.ndarray, primary: np.ndarray, ev_at: np.ndarray, n_rel: int) -> tuple[np.ndarray, np.ndarray]:
    """Per relationship: pieces of evidence (observations: ``primary`` ones) and the last one's time (int64 ns)."""
    count = np.bincount(ev_rel[primary], minlength=n_rel).astype(np.int64)
    last = np.full(n_rel, np.iinfo(np.int64).min)
    dated = ~np.isnat(ev_at)
    if dated.any():
        np.maximum.at(last, ev_rel[dated], ev_at[dated].view(np.int64))
    return count, last


def score_trust(graph: TrustGraph, settings: Settings | None = None, progress: Progress | None = None) -> TrustScores:
    """Score people / process / platform trust of every relationship and node of ``graph``.

    Parameters
    ----------
    graph : TrustGraph
        From :func:`trustnet.graph.build_graph`; not modified.
    settings : Settings, optional
        The ``[trust]`` section: half-life, prior strength, chain prior weight,
        trend window, inconsistency penalty, EigenTrust damping and tolerance,
        evidence table and keyword overrides.
    progress : callable, optional
        ``progress("trust", done, total)`` after each step.

    Returns
    -------
    TrustScores

    Examples
    --------
    >>> import pandas as pd
    >>> from trustnet.graph import build_graph
    >>> G = build_graph(pd.DataFrame({"referrer": ["ann"], "referred": ["bob"], "provider": ["P"]}))
    >>> T = score_trust(G)
    >>> T.relationships[["truster", "trustee", "kind", "people", "evidence", "why"]].values.tolist()
    [['ann', 'P', 'advocate', 0.5444444444444445, 1, 'people fair (0.54): referred 1 friend'], ['bob', 'P', 'customer', 0.5444444444444445, 0, "no direct evidence yet: starts from their referrer's word"], ['bob', 'ann', 'referred_by', nan, 0, 'no evidence yet']]
    """
    settings = settings or Settings()
    ts = settings.trust
    report = progress or (lambda stage, done, total: None)
    rel = graph.relationships
    n_rel = len(rel)

    evidence, unmapped, inferred, unknown_events = build_evidence(graph, settings)
    release_memory()  # the evidence's scratch, before the scores' arrays over every piece of it
    report("trust", 1, _STEPS)
    ev_rel = evidence["rel_idx"].to_numpy(np.int64)
    ev_dim = evidence["dimension"].cat.codes.to_numpy()  # int8: a tenth of the memory of int64
    ev_w = evidence["weight"].to_numpy(float)
    ev_v = evidence["value"].to_numpy(float)
    ev_at = evidence["at"].to_numpy("datetime64[ns]")
    chain = chain_links(graph)
    as_of = graph.as_of

    # the trend (the same model on the evidence known trend_window_days ago), the evidence counts, then the
    # nodes' trust, in a second thread while this one scores and explains: numpy, scipy and Arrow release
    # the GIL in the work over millions of rows, so two cores share it (neither writes what the other reads)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trustnet-trust")
    try:
        before_job = pool.submit(_scores_before, graph, ev_rel, ev_dim, ev_w, ev_v, ev_at, as_of, chain, settings)
        counts_job = pool.submit(_evidence_counts, ev_rel, evidence["primary"].to_numpy(bool), ev_at, n_rel)
        w_eff, W, score, conf, prior = _scores_at(graph, ev_rel, ev_dim, ev_w, ev_v, ev_at, as_of, chain, settings)
        overall = overall_score(score, ts.inconsistency_penalty)
        nodes_job = pool.submit(_node_scores, graph, score, conf, settings)
    finally:  # the worker ends with its queued jobs, also when today's scores fail
        pool.shutdown(wait=False)
    report("trust", 2, _STEPS)

    why = explain(evidence, w_eff, score, W, prior)
    count, last = counts_job.result()
    trend = np.full((n_rel, 4), np.nan)
    had, score0 = before_job.result()
    if had is not None and score0 is not None:
        now = np.column_stack([overall, score])
        before = np.column_stack([overall_score(score0, ts.inconsistency_penalty), score0])
        trend = np.where(had[:, None], now - before, np.nan)
    report("trust", 3, _STEPS)
    report("trust", 4, _STEPS)

    out = rel.copy(deep=False)  # shares the graph's columns (copy-on-write)
    for d, name in enumerate(S.DIMENSIONS):
        out[name] = score[:, d]
    for d, name in enumerate(S.DIMENSIONS):
        out[f"{name}_confidence"] = conf[:, d]
    out["overall"] = overall
    out["evidence"] = count
    out["last_contact"] = last.view("datetime64[ns]")
    out["trend"] = trend[:, 0]
    for d, name in enumerate(S.DIMENSIONS):
        out[f"{name}_trend"] = trend[:, d + 1]
    out["prior"] = pd.Categorical.from_codes(prior, categories=pd.Index(["none", "population", "referral chain"]))
    out["why"] = pd.Series(why.array, index=out.index)

    nodes = nodes_job.result()
    report("trust", 5, _STEPS)
    public_evidence = evidence.drop(columns=["primary"])
    report("trust", 6, _STEPS)
    return TrustScores(
        relationships=out,
        nodes=nodes,
        evidence=public_evidence,
        unmapped_touchpoints=unmapped,
        as_of=as_of,
        inferred_scales=inferred,
        unknown_events=unknown_events,
    )


def _node_scores(graph: TrustGraph, score: np.ndarray, conf: np.ndarray, settings: Settings) -> pd.DataFrame:
    """Trust received per node (as provider, as advocate) and EigenTrust reputation."""
    ts = settings.trust
    rel = graph.relationships
    n = graph.n
    trustee = rel["trustee_idx"].to_numpy(np.int64)
    truster = rel["truster_idx"].to_numpy(np.int64)
    by = is_kind(rel, REFERRED_BY)
    nodes = graph.nodes.copy(deep=False)
    for role, mask in (("provider", ~by), ("advocate", by)):
        for d, name in enumerate(S.DIMENSIONS):
            ok = mask & ~np.isnan(score[:, d]) & (conf[:, d] > 0)
            c = conf[ok, d]
            num = np.bincount(trustee[ok], weights=c * score[ok, d], minlength=n)
            den = np.bincount(trustee[ok], weights=c, minlength=n)
            nodes[f"{name}_as_{role}"] = np.divide(num, den, out=np.full(n, np.nan), where=den > 0)

    # EigenTrust over the people layer
    people = (nodes["is_customer"] | nodes["is_advocate"]).to_numpy(bool)
    s = score[by, 0]
    local = np.where(np.isnan(s), UNKNOWN_OUTCOME_TRUST, np.maximum(s - 0.5, 0.0))
    idx = np.flatnonzero(people)
    where = np.full(n, -1, np.int64)
    where[idx] = np.arange(len(idx))
    i, j = where[truster[by]], where[trustee[by]]
    ok = (i >= 0) & (j >= 0)
    sub = sp.csr_matrix((local[ok], (i[ok], j[ok])), shape=(len(idx), len(idx)))
    sub.sum_duplicates()
    # every person is pre-trusted (uniform teleport): see trustnet.trust.eigentrust for why not the forest roots
    t, _ = eigentrust(sub, np.ones(len(idx), bool), ts.eigentrust_damping, ts.tolerance, ts.max_iterations)
    reputation = np.full(n, np.nan)
    reputation[idx] = t
    nodes["reputation"] = reputation
    pct = pd.Series(t).rank(pct=True, method="average").to_numpy() * 100.0 if len(t) else t
    reputation_pct = np.full(n, np.nan)
    reputation_pct[idx] = pct
    nodes["reputation_pct"] = reputation_pct
    return nodes

