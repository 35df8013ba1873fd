"""Per-advocate measures: the referral forest pass, conversion, credibility, brokerage.

Everything here works on integer node indices with numpy; each function
returns one value per node of the :class:`~trustnet.graph.TrustGraph` (arrays of
length ``graph.n``) so that :func:`trustnet.advocates.rank_advocates` can pick
the advocates' rows at the end.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import schema as S
from ..errors import InputError
from ..graph import ADVOCATE, CUSTOMER_OF, TrustGraph, dense_numbers, sort_order

__all__ = ["forest_metrics", "FOREST_COLUMNS"]

# columns of the trust scores (CONTRIBUTING.md, "Data contracts" -> TrustScores)
OVERALL = "overall"
TREND = "trend"
CONFIDENCE = "confidence"
REPUTATION = "reputation"
REPUTATION_PCT = "reputation_pct"
KIND = "kind"
TRUSTER_IDX = "truster_idx"
TRUSTEE_IDX = "trustee_idx"
NODE_VALUE = "value"

#: Columns of :func:`forest_metrics`.
FOREST_COLUMNS = ("reach", "depth", "value_direct", "value_downstream", "value_attributed", "reach_attributed", "tree")

_NAT = np.iinfo(np.int64).min
#: Bits of a packed non-negative int64 sort key.
_KEY_BITS = 63


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values by sorting (numpy's hash-based ``np.unique`` is far slower on big int arrays)."""
    values = np.sort(values)
    if len(values) < 2:
        return values
    return values[np.r_[True, values[1:] != values[:-1]]]


def kind_is(graph: TrustGraph, *kinds: str) -> np.ndarray:
    """Boolean mask of the relationships of the given kinds (on categorical codes when possible)."""
    col = graph.relationships[KIND]
    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = list(col.cat.categories)
        codes = [cats.index(k) for k in kinds if k in cats]
        return np.isin(col.cat.codes.to_numpy(), codes)
    return col.isin(kinds).to_numpy(dtype=bool, na_value=False)


def referral_mask(graph: TrustGraph, exclude: Any = None) -> np.ndarray:
    """Boolean mask of the referrals that count (``exclude`` marks the ones set aside, e.g. suspicious)."""
    m = len(graph.referrals)
    if exclude is None:
        return np.ones(m, bool)
    if isinstance(exclude, pd.Series) and pd.api.types.is_bool_dtype(exclude.dtype) and not exclude.isna().any():
        exclude = exclude.to_numpy(dtype=bool)  # nullable "boolean" columns without gaps are fine
    mask = np.asarray(exclude)
    if mask.dtype != bool or mask.shape != (m,):
        raise InputError(
            f"exclude must be one true/false value per referral of the graph ({m} values), "
            f"got an array of shape {mask.shape} and type {mask.dtype}; pass e.g. the fraud stage's "
            "'suspicious' column aligned with graph.referrals"
        )
    return ~mask


def _cut_parents(graph: TrustGraph, keep: np.ndarray) -> np.ndarray:
    """The forest's parent array with every acquisition made by a set-aside referral cut."""
    parent = graph.parent.copy()
    if keep.all():
        return parent
    refs = graph.referrals
    n = max(graph.n, 1)
    r = refs["referrer_idx"].to_numpy()[~keep].astype(np.int64)
    d = refs["referred_idx"].to_numpy()[~keep].astype(np.int64)
    bad = sorted_unique(r * n + d)
    child = np.flatnonzero(parent >= 0)
    edge = parent[child].astype(np.int64) * n + child
    parent[child[np.isin(edge, bad)]] = -1
    return parent


def node_values(graph: TrustGraph, keep: np.ndarray) -> np.ndarray:
    """Each node's value (``graph.nodes.value``) without the revenue of set-aside referrals."""
    value = graph.nodes[NODE_VALUE].to_numpy(dtype=float, na_value=0.0).copy()
    if not keep.all():
        refs = graph.referrals
        rev = np.nan_to_num(refs[S.REVENUE].to_numpy(dtype=float, na_value=np.nan))
        value -= np.bincount(refs["referred_idx"].to_numpy()[~keep], weights=rev[~keep], minlength=graph.n)
    return value


def reached_customers(graph: TrustGraph, keep: np.ndarray) -> np.ndarray:
    """Whether each node counts as a customer reached: referred with a converted or unknown outcome
    (see :func:`conversion`), or with touchpoints. People whose every referral was declined or is
    still pending were contacted, not won."""
    refs = graph.referrals
    _, converted, silent = _outcomes(refs)
    won = (converted | silent) & keep
    out = np.zeros(graph.n, bool)
    out[refs["referred_idx"].to_numpy()[won]] = True
    if graph.touchpoints is not None:
        out[graph.touchpoints["customer_idx"].to_numpy()] = True
    return out


def forest_metrics(graph: TrustGraph, decay: float = 0.5, exclude: Any = None) -> pd.DataFrame:
    """Downstream reach and value of every node over the first-touch referral forest.

    One pass over the forest in reverse level order (deepest level first) adds
    each node's totals into its parent's: a handful of numpy calls per level,
    so the cost is linear in the number of nodes plus a small cost per level
    of depth (a 100,000-deep chain takes seconds); no per-node walk over
    descendants.

    Attribution is first-touch: a customer's value (``graph.nodes.value``, the
    revenue of the referrals naming them plus their touchpoint value) belongs
    to the referrer who acquired them (their parent in the forest), and to that
    referrer's ancestors downstream.

    Parameters
    ----------
    graph : TrustGraph
    decay : float, default 0.5
        Share of a customer's value credited one more level up:
        ``value_attributed = sum over descendants of decay ** (level - 1) * value``,
        where level 1 are the customers the node acquired itself.
    exclude : array of bool, optional
        One value per row of ``graph.referrals``; true marks a referral set
        aside (e.g. suspicious). Its revenue is dropped and the customer it
        acquired (with everyone below) no longer counts for the referrer.

    Returns
    -------
    DataFrame
        One row per node (same order as ``graph.nodes``): ``reach`` (customers
        below the node, all levels; see :func:`reached_customers`), ``depth`` (deepest level below it),
        ``value_direct`` (value of the customers it acquired),
        ``value_downstream`` (value of everyone further down),
        ``value_attributed`` (the decayed sum), ``reach_attributed`` (customers
        below, decayed the same way) and ``tree`` (index of the root of its
        referral tree).

    Examples
    --------
    >>> import pandas as pd
    >>> from trustnet.graph import build_graph
    >>> refs = pd.DataFrame({"referrer": ["a", "b", "b"], "referred": ["b", "c", "d"],
    ...                      "revenue": [100.0, 10.0, 20.0]})
    >>> G = build_graph(refs)
    >>> m = forest_metrics(G, decay=0.5)
    >>> m.index = G.nodes["id"]
    >>> m.loc[["a", "b"], ["reach", "depth", "value_direct", "value_downstream", "value_attributed"]]
         reach  depth  value_direct  value_downstream  value_attributed
    id
    a        3      2         100.0              30.0             115.0
    b        2      1          30.0               0.0              30.0
    """
    if not 0.0 <= decay <= 1.0:
        raise InputError(f"advocates.downstream_decay must lie between 0 and 1, got {decay}; 0.5 halves credit per level")
    keep = referral_mask(graph, exclude)
    n = graph.n
    parent = _cut_parents(graph, keep)
    value = node_values(graph, keep)
    counted = reached_customers(graph, keep).astype(np.int64)
    depth = graph.depth
    order = graph.order
    levels = depth[order]
    top = int(levels[-1]) if n else 0
    bounds = np.searchsorted(levels, np.arange(top + 2))

    reach = np.zeros(n, np.int64)
    height = np.zeros(n, np.int64)
    direct = np.zeros(n)
    total = np.zeros(n)
    decayed = np.zeros(n)
    decayed_reach = np.zeros(n)
    for level in range(top, 0, -1):  # one vectorised step per level, deepest first
        kids = order[bounds[level]:bounds[level + 1]]
        kids = kids[parent[kids] >= 0]
        if not len(kids):
            continue
        par = parent[kids]
        np.add.at(reach, par, reach[kids] + counted[kids])
        np.maximum.at(height, par, height[kids] + 1)
        np.add.at(direct, par, value[kids])
        np.add.at(total, par, total[kids] + value[kids])
        np.add.at(decayed, par, value[kids] + decay * decayed[kids])
        np.add.at(decayed_reach, par, counted[kids] + decay * decayed_reach[kids])

    tree = np.arange(n, dtype=np.int64)
    for level in range(1, top + 1):  # roots first: every node takes its parent's root
        kids = order[bounds[level]:bounds[level + 1]]
        kids = kids[parent[kids] >= 0]
        tree[kids] = tree[parent[kids]]

    return pd.DataFrame({
        "reach": reach,
        "depth": height,
        "value_direct": direct,
        "value_downstream": total - direct,
        "value_attributed": decayed,
        "reach_attributed": decayed_reach,
        "tree": tree,
    })


def _outcomes(refs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per referral: is its outcome decided, did it convert, is nothing at all recorded about it
    (rules in :func:`conversion`)."""
    status = refs[S.STATUS]
    has_status = status.notna().to_numpy()
    pending = (status == S.PENDING).to_numpy(dtype=bool, na_value=False)
    conv_status = status.isin([S.CONVERTED, S.CHURNED]).to_numpy(dtype=bool, na_value=False)
    conv_at = refs[S.CONVERTED_AT].notna().to_numpy()
    paid = np.nan_to_num(refs[S.REVENUE].to_numpy(dtype=float, na_value=np.nan)) > 0
    decided = np.where(has_status, ~pending, conv_at | paid)
    converted = np.where(has_status, conv_status, conv_at | paid)
    return decided, converted, ~(has_status | conv_at | paid)


def conversion(graph: TrustGraph, keep: np.ndarray, smoothing: float) -> pd.DataFrame:
    """Referrals, known outcomes, conversions and the smoothed conversion rate per node.

    A referral's outcome is known when it has a status other than
    ``pending``, or no status but a conversion date or revenue. It counts as converted when its status is ``converted`` or
    ``churned`` (they did become customers), or, without a status, when it has
    a conversion date or positive revenue. The rate is
    ``(converted + k * base) / (known + k)`` with ``k = smoothing`` and ``base``
    the export's overall rate; NaN everywhere when no outcome is known at all.
    """
    refs = graph.referrals
    n = graph.n
    known, converted, _ = _outcomes(refs)
    known &= keep
    converted &= keep
    r = refs["referrer_idx"].to_numpy()
    made = np.bincount(r[keep], minlength=n)
    n_known = np.bincount(r[known], minlength=n)
    n_conv = np.bincount(r[converted], minlength=n)
    if known.any():
        base = converted.sum() / known.sum()
        rate = (n_conv + smoothing * base) / (n_known + smoothing) if smoothing > 0 else np.divide(
            n_conv, n_known, out=np.full(n, base), where=n_known > 0)
    else:
        rate = np.full(n, np.nan)
    return pd.DataFrame({"direct_referrals": made, "known": n_known, "converted": n_conv, "conversion_rate": rate})


def referral_dates(graph: TrustGraph, keep: np.ndarray, recent_days: float) -> pd.DataFrame:
    """First and last referral date per node, and referral counts in the last two windows of ``recent_days``."""
    refs = graph.referrals
    n = graph.n
    r = refs["referrer_idx"].to_numpy()
    at = refs[S.REFERRED_AT].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    dated = (at != _NAT) & keep
    first = np.full(n, np.iinfo(np.int64).max)
    last = np.full(n, _NAT)
    np.minimum.at(first, r[dated], at[dated])
    np.maximum.at(last, r[dated], at[dated])
    first[first == np.iinfo(np.int64).max] = _NAT
    recent = np.zeros(n, np.int64)
    before = np.zeros(n, np.int64)
    if pd.notna(graph.as_of):
        end = pd.Timestamp(graph.as_of).value
        span = int(recent_days * 86400e9)
        age = end - at
        recent = np.bincount(r[dated & (age < span)], minlength=n)
        before = np.bincount(r[dated & (age >= span) & (age < 2 * span)], minlength=n)
    return pd.DataFrame({
        "first_referral": first.view("datetime64[ns]"),
        "last_referral": last.view("datetime64[ns]"),
        "recent_referrals": recent,
        "earlier_referrals": before,
    })


def _check_scores(graph: TrustGraph, scores: Any) -> None:
    rel, nodes = getattr(scores, "relationships", None), getattr(scores, "nodes", None)
    if not isinstance(rel, pd.DataFrame) or not isinstance(nodes, pd.DataFrame):
        raise InputError(
            "scores must be the TrustScores of trustnet.score_trust(graph) (with .relationships and .nodes "
            f"tables), got {type(scores).__name__}"
        )
    if len(rel) != len(graph.relationships) or len(nodes) != graph.n:
        raise InputError(
            f"scores do not belong to this graph: they have {len(rel)} relationships and {len(nodes)} nodes, "
            f"the graph has {len(graph.relationships)} and {graph.n}; score the same graph with "
            "trustnet.score_trust(graph)"
        )
    missing = [c for c in (OVERALL,) if c not in rel.columns]
    if missing:
        raise InputError(
            "scores.relationships has no " + ", ".join(missing) + " column; found "
            + ", ".join(map(repr, rel.columns)) + "; score the graph with trustnet.score_trust"
        )


def relationship_confidence(rel: pd.DataFrame) -> np.ndarray:
    """Confidence (0..1) of each relationship's overall trust: ``confidence`` if scored, else the mean
    confidence of the three dimensions, else 1."""
    if CONFIDENCE in rel.columns:
        conf = rel[CONFIDENCE].to_numpy(dtype=float, na_value=np.nan)
    else:
        cols = [f"{d}_confidence" for d in S.DIMENSIONS if f"{d}_confidence" in rel.columns]
        if not cols:
            return np.ones(len(rel))
        conf = np.nanmean(rel[cols].to_numpy(dtype=float, na_value=np.nan), axis=1) if len(rel) else np.zeros(0)
    return np.clip(np.nan_to_num(conf), 0.0, 1.0)


def _relationship_rows(graph: TrustGraph, truster: np.ndarray, trustee: np.ndarray) -> np.ndarray:
    """Row of ``graph.relationships`` for each (truster, trustee) index pair (-1 when absent)."""
    rel = graph.relationships
    if not len(rel):
        return np.full(len(truster), -1, np.int64)
    n = max(graph.n, 1)
    key = rel[TRUSTER_IDX].to_numpy().astype(np.int64) * n + rel[TRUSTEE_IDX].to_numpy().astype(np.int64)
    want = truster.astype(np.int64) * n + trustee.astype(np.int64)
    sorter = None if (np.diff(key) >= 0).all() else np.argsort(key, kind="stable")  # build_graph sorts them
    sorted_key = key if sorter is None else key[sorter]
    q = sort_order(want, n * n)  # sorted queries walk the keys in order: cache-friendly
    rows = np.empty(len(want), np.int64)
    rows[q] = np.minimum(np.searchsorted(sorted_key, want[q]), len(key) - 1)
    if sorter is not None:
        rows = sorter[rows]
    return np.where(key[rows] == want, rows, -1)


def _midrank_pct(group: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Mid-rank percentile of each value within its group, ties sharing their mean rank:
    ``(rank - 0.5) / size``, so a group's median (and a lone member) sits at 0.5. Groups are non-negative
    integers, values finite.

    >>> _midrank_pct(np.array([7, 7, 7, 2]), np.array([0.9, 0.1, 0.9, 0.4])).tolist()
    [0.6666666666666666, 0.16666666666666666, 0.6666666666666666, 0.5]
    """
    m = len(value)
    if not m:
        return np.zeros(0)
    # by value, then stably by group: the groups numbered densely in a narrow type, whose stable sort
    # is a radix sort (at 1M customers 0.20 s, np.lexsort 0.40); the order among equal values is free
    by_value = np.argsort(value)
    number, groups = dense_numbers(group[by_value], int(group.max()) + 1)
    order = by_value[np.argsort(number.astype(np.uint16 if len(groups) <= 2**16 else np.int64), kind="stable")]
    g, v = group[order], value[order]
    new_group = np.r_[True, g[1:] != g[:-1]]
    start = np.maximum.accumulate(np.where(new_group, np.arange(m), 0))
    size = np.diff(np.r_[np.flatnonzero(new_group), m])
    gsize = np.repeat(size, size)
    new_tie = new_group | np.r_[True, v[1:] != v[:-1]]
    tie_id = np.cumsum(new_tie) - 1
    tie_first = np.flatnonzero(new_tie)
    tie_last = np.r_[tie_first[1:], m] - 1
    rank = (tie_first + tie_last)[tie_id] / 2.0 - start + 1.0  # mean 1-based rank within the group
    out = np.empty(m)
    out[order] = (rank - 0.5) / gsize
    return out


def provider_percentiles(graph: TrustGraph, scores: Any) -> np.ndarray:
    """Each person → provider relationship's mid-rank percentile of ``overall`` trust among all of that
    provider's customer and advocate relationships (0.5 = the provider's median); NaN for other rows."""
    overall = scores.relationships[OVERALL].to_numpy(dtype=float, na_value=np.nan)
    to_provider = kind_is(graph, ADVOCATE, CUSTOMER_OF) & np.isfinite(overall)
    pct = np.full(len(overall), np.nan)
    if to_provider.any():
        pct[to_provider] = _midrank_pct(graph.relationships[TRUSTEE_IDX].to_numpy()[to_provider], overall[to_provider])
    return pct


def credibility(graph: TrustGraph, scores: Any, keep: np.ndarray, smoothing: float,
                pct: np.ndarray | None = None) -> pd.DataFrame:
    """Did the people each advocate referred come to trust the provider?

    For every distinct (advocate, referred person, provider) referral, the
    referred person's relationship with the provider is placed within that
    provider's whole population of customer and advocate relationships: its
    percentile of ``overall`` trust (:func:`provider_percentiles`; 0.5 = the
    provider's median). An advocate's credibility is the confidence-weighted
    mean of those percentiles, shrunk towards 0.5 by ``smoothing``
    pseudo-referees, so a couple of referees cannot make anyone look
    exceptional. ``referee_trust`` is the confidence-weighted mean ``overall``.
    """
    n = graph.n
    rel = scores.relationships
    overall = rel[OVERALL].to_numpy(dtype=float, na_value=np.nan)
    conf = relationship_confidence(rel) * np.isfinite(overall)
    if pct is None:
        pct = provider_percentiles(graph, scores)
    refs = graph.referrals
    r = refs["referrer_idx"].to_numpy()[keep].astype(np.int64)
    rows = _relationship_rows(graph, refs["referred_idx"].to_numpy()[keep], refs["provider_idx"].to_numpy()[keep])
    found = rows >= 0
    found[found] &= np.isfinite(pct[rows[found]])
    # one vote per distinct (advocate, referee -> provider relationship), however often they referred them
    span = max(len(rel), 1)
    pair = sorted_unique(r[found] * span + rows[found])
    r, rows = pair // span, pair % span
    w = conf[rows]
    wsum = np.bincount(r, weights=w, minlength=n)
    smoothing = max(float(smoothing), 0.0)
    den = wsum + smoothing
    cred = np.divide(np.bincount(r, weights=w * pct[rows], minlength=n) + 0.5 * smoothing, den,
                     out=np.full(n, 0.5), where=den > 0)
    trust_sum = np.bincount(r, weights=w * overall[rows], minlength=n)
    referee_trust = np.divide(trust_sum, wsum, out=np.full(n, np.nan), where=wsum > 0)
    return pd.DataFrame({"credibility": cred, "referee_trust": referee_trust, "referee_evidence": wsum})


def own_trust(graph: TrustGraph, scores: Any, pct: np.ndarray | None = None) -> pd.DataFrame:
    """The advocate's own trust in the providers they advocate for, over their ``advocate``
    relationships: the lowest ``overall`` (``own_trust``), the lowest percentile of it within the
    provider's population (``own_trust_pct``) and the steepest ``trend`` (``own_trend``); NaN when unscored."""
    n = graph.n
    rel = scores.relationships
    if pct is None:
        pct = provider_percentiles(graph, scores)
    adv = kind_is(graph, ADVOCATE)
    who = graph.relationships[TRUSTER_IDX].to_numpy()[adv]
    columns = {"own_trust": rel[OVERALL], "own_trust_pct": pd.Series(pct), "own_trend": rel.get(TREND)}
    out = {}
    for name, col in columns.items():
        low = np.full(n, np.inf)
        if col is not None:
            values = col.to_numpy(dtype=float, na_value=np.nan)[adv]
            fin = np.isfinite(values)
            np.minimum.at(low, who[fin], values[fin])
        low[np.isinf(low)] = np.nan
        out[name] = low
    return pd.DataFrame(out)


def reputation(graph: TrustGraph, scores: Any) -> pd.DataFrame:
    """EigenTrust reputation and its percentile from the trust model (NaN when not scored)."""
    nodes = scores.nodes
    out = {}
    for col in (REPUTATION, REPUTATION_PCT):
        out[col] = nodes[col].to_numpy(dtype=float, na_value=np.nan) if col in nodes.columns else np.full(graph.n, np.nan)
    return pd.DataFrame(out)


def brokerage(graph: TrustGraph, keep: np.ndarray, tree: np.ndarray) -> np.ndarray:
    """How far each person's referral ties spread over separate groups (an estimate, 0..1).

    A group is a (referral tree, provider) pair: the customer base one provider
    won through one chain of referrals. Every referral is a tie for both ends;
    it lands in the group of the *other* end (the referred person's tree for
    the referrer, the referrer's tree for the referred) and of the referral's
    provider. Brokerage is the Gini-Simpson diversity ``1 - sum(share ** 2)`` of
    a person's ties over those groups: 0 when all their ties stay inside one
    provider's base within one tree, approaching 1 when they spread evenly over
    many (two groups half and half give 0.5). It stands in for betweenness,
    which does not scale to a million customers (see PERFORMANCE.md).
    """
    n = graph.n
    refs = graph.referrals
    r = refs["referrer_idx"].to_numpy()[keep].astype(np.int64)
    d = refs["referred_idx"].to_numpy()[keep].astype(np.int64)
    p = refs["provider_idx"].to_numpy()[keep].astype(np.int64)
    person = np.concatenate([r, d])
    other_tree = np.concatenate([tree[d], tree[r]])
    prov = np.concatenate([p, p])
    if not len(person):
        return np.zeros(n)
    # each (tree, provider) group numbered: trees and providers densely, then their pairs; a hash of the
    # pairs only when person × group would not fit in 63 bits (0.13 → 0.02 s at 1M customers)
    tree_no, trees = dense_numbers(other_tree, n)
    prov_no, provs_seen = dense_numbers(prov, n)
    provs = len(provs_seen)
    span = len(trees) * provs
    if (n * span).bit_length() <= _KEY_BITS:
        group = tree_no * provs + prov_no
    else:
        group = pd.factorize(tree_no * provs + prov_no)[0]
        span = int(group.max()) + 1
    key = np.sort(person * span + group)
    start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    c = np.diff(np.r_[start, len(key)]).astype(float)
    who = key[start] // span
    tot = np.bincount(who, weights=c, minlength=n)
    sq = np.bincount(who, weights=c * c, minlength=n)
    return np.where(tot > 0, 1.0 - sq / np.maximum(tot, 1.0) ** 2, 0.0)
