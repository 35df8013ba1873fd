"""A rating network in the report's terms: trust per relationship, who carries trust, who is likely untrustworthy.

:func:`score_rating_network` scores a rating network's :class:`~trustnet.graph.TrustGraph`
(``graph.build_rating_graph``) into :class:`RatingScores`, whose ``relationships``,
``nodes`` and ``evidence`` have the columns of the referral pipeline's
``TrustScores`` (people trust only: ``process`` and ``platform`` are NaN).
:func:`rank_trust_carriers` is the rating network's advocates table (the people
whose trust carries furthest) and :func:`find_untrustworthy` its at-risk table
(the accounts most likely untrustworthy, with reasons and a next action).

Nothing is fitted to labels: the constants below are named with the principle that sets them.

Examples
--------
>>> import pandas as pd
>>> from trustnet.graph import build_rating_graph
>>> r = pd.DataFrame({"rater": ["a", "b", "c", "a", "b", "c", "d"], "ratee": ["b", "a", "a", "x", "x", "x", "x"],
...                   "rating": [8, 9, 7, -9, -10, -8, 10]})
>>> G = build_rating_graph(r)
>>> s = score_rating_network(G, r)
>>> s.relationships[["truster", "trustee", "people", "overall", "evidence"]].head(2).round(3).values.tolist()
[['a', 'b', 0.9, 0.9, 1], ['a', 'x', 0.05, 0.05, 1]]
>>> find_untrustworthy(G, s)[["account", "next_action"]].values.tolist()
[['x', 'verify before trading: rated negatively by 3 reliable raters']]
>>> rank_trust_carriers(G, s)["advocate"].iloc[0]
'a'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .. import schema as S
from ..settings import Settings
from .network import (
    FAIRNESS, GROUP, GROUPS_REACHED, ID, MEAN_RATING_RECEIVED, NEGATIVE_FROM_RELIABLE, NEGATIVE_RECEIVED,
    PEOPLE_TRUST, RATINGS_GIVEN, RATINGS_RECEIVED, REPUTATION, REPUTATION_PCT, TIES_ACROSS_GROUPS,
    UNTRUSTWORTHY_SCORE, WHY, describe_ratings,
)
from .people import RELIABLE_FAIRNESS, score_ratings

__all__ = ["RatingScores", "score_rating_network", "rank_trust_carriers", "find_untrustworthy",
           "UNTRUSTWORTHY_CUT", "STRONG_EVIDENCE", "SEGMENTS", "GROUP_COLUMNS"]

#: An account enters the untrustworthy list when its untrustworthy score is at least this: more likely
#: untrustworthy than not (a person nobody rated scores exactly 0.5 and is left out: no evidence).
UNTRUSTWORTHY_CUT = 0.5
#: Above this score the distrust is overwhelming and the next action is to avoid, not to verify.
STRONG_EVIDENCE = 0.9
#: Trust carriers by reputation percentile: the top 1% and the top 10%; the rest are trusted.
SEGMENTS = ("cornerstone", "well trusted", "trusted")
#: Node attributes read as the person's group (practice site, team, region), in this order of preference.
GROUP_COLUMNS = ("group", "practice", "site", "team", "region", "department", "office", "branch", "location",
                 "community")

TRUSTED_BY = "trusted_by"          #: raters who rated the person positively
REACH = "reach"                    #: people who trust them directly or through one person they trust
POSITIVE_SHARE = "positive_share"


@dataclass(frozen=True, eq=False)
class RatingScores:
    """Trust in a rating network, shaped like the referral pipeline's ``TrustScores``.

    Attributes
    ----------
    relationships : DataFrame
        ``graph.relationships`` plus ``people`` (mean rating of the pair on 0..1), ``process``,
        ``platform`` (NaN), their confidences, ``overall`` (= people), ``evidence`` (ratings),
        ``last_contact``, ``trend``, ``people_trend``, ``prior`` ("none"), ``why``.
    nodes : DataFrame
        ``graph.nodes`` plus :func:`~trustnet.ratings.score_ratings` (people, fairness, goodness,
        reputation, untrustworthy_score, why...) and the node attributes.
    evidence : DataFrame
        One row per rating: ``rel_idx``, ``dimension`` ("people"), ``value`` (0..1), ``weight``
        (the rater's fairness), ``at``, ``source`` ("rating"), ``label``.
    as_of : Timestamp
    network : dict
        :func:`~trustnet.ratings.describe_ratings` of the network.
    scale : (float, float)
        The rating scale (low, high).
    group : str or None
        The node attribute used as the person's group, if any.

    Examples
    --------
    >>> import pandas as pd
    >>> from trustnet.graph import build_rating_graph
    >>> r = pd.DataFrame({"rater": ["a", "b", "c"], "ratee": ["c", "c", "d"], "rating": [5, 4, 1],
    ...                   "rated_at": ["2025-01-02", "2025-02-01", "2025-03-01"]})
    >>> s = score_rating_network(build_rating_graph(r), r)
    >>> s.relationships[["truster", "trustee", "people", "evidence"]].round(2)
      truster trustee  people  evidence
    0       a       c     1.0         1
    1       b       c     0.9         1
    2       c       d     0.6         1
    >>> s.as_of.date(), s.network["people"], s.network["ratings"]
    (datetime.date(2025, 3, 1), 4, 3)
    """

    relationships: pd.DataFrame
    nodes: pd.DataFrame
    evidence: pd.DataFrame
    as_of: pd.Timestamp
    network: dict[str, Any] = field(default_factory=dict)
    scale: tuple[float, float] = (-1.0, 1.0)
    group: str | None = None


def _group_column(attributes: pd.DataFrame | None, group: str | None) -> str | None:
    if attributes is None:
        return None
    if group is not None:
        if group not in attributes.columns:
            from ..errors import InputError

            raise InputError(f"node attributes have no column {group!r} to group people by: found "
                             + ", ".join(map(repr, attributes.columns[1:])) + "; name one of them")
        return group
    lower = {str(c).lower(): c for c in attributes.columns if c != ID}
    return next((lower[c] for c in GROUP_COLUMNS if c in lower), None)


def score_rating_network(graph: Any, ratings: pd.DataFrame, settings: Settings | None = None, *,
                         node_attributes: pd.DataFrame | None = None, group: str | None = None) -> RatingScores:
    """Score a rating network's graph: trust per relationship and per person, and the evidence.

    Parameters
    ----------
    graph : TrustGraph
        From :func:`trustnet.graph.build_rating_graph` on the same ratings.
    ratings : DataFrame
        ``rater``, ``ratee``, ``rating`` and optionally ``rated_at``.
    settings : Settings, optional
        ``trust.prior_strength`` (confidence), ``trust.trend_window_days`` (trend).
    node_attributes : DataFrame, optional
        ``id`` and one column per attribute (:func:`trustnet.load.nodes.load_node_attributes`);
        added to ``nodes``.
    group : str, optional
        The attribute that names each person's group; default the first of :data:`GROUP_COLUMNS` present.

    Returns
    -------
    RatingScores

    Examples
    --------
    >>> import pandas as pd
    >>> from trustnet.graph import build_rating_graph
    >>> r = pd.DataFrame({"rater": ["1", "2"], "ratee": ["2", "3"], "rating": [1, 1]})
    >>> attrs = pd.DataFrame({"id": ["1", "2", "3"], "practice": [1, 1, 2]})
    >>> s = score_rating_network(build_rating_graph(r, people=attrs["id"]), r, node_attributes=attrs)
    >>> s.group, s.nodes[["id", "practice", "ties_across_groups"]].values.tolist()
    ('practice', [['1', 1, 0], ['2', 1, 1], ['3', 2, 1]])
    """
    settings = settings or Settings()
    nodes = graph.nodes
    ids = nodes["id"]
    gcol = _group_column(node_attributes, group)
    groups = None
    if gcol is not None and node_attributes is not None:
        groups = pd.Series(node_attributes[gcol].astype("str").to_numpy(), index=node_attributes[ID].astype(str))
    people = score_ratings(ratings, settings, people=ids, groups=groups)
    people = people.set_index(ID).reindex(pd.Index(ids.astype(str))).reset_index(drop=True)
    table = pd.concat([nodes.drop(columns=[RATINGS_GIVEN, RATINGS_RECEIVED], errors="ignore"), people], axis=1)
    if node_attributes is not None:
        attrs = node_attributes.drop_duplicates(ID, keep="last").set_index(node_attributes.columns[0])
        attrs.index = attrs.index.astype(str)
        extra = attrs.drop(columns=[c for c in attrs.columns if c in table.columns])
        table = pd.concat([table, extra.reindex(pd.Index(ids.astype(str))).reset_index(drop=True)], axis=1)

    low, high, w_all = _scale(ratings)
    rel = graph.relationships
    if len(rel) and rel["rating"].nunique() == 1:  # plain ties (advice, friendship): say who names whom
        table[WHY] = _tie_why(table, len(table), str(gcol or "group"))
    mean = rel["rating"].to_numpy(float)
    w_pair = 2.0 * (mean - low) / (high - low) - 1.0
    k = settings.trust.prior_strength
    count = rel["ratings"].to_numpy(np.int64)
    trust = (w_pair + 1.0) / 2.0
    evidence = _evidence(graph, ratings, table[FAIRNESS].to_numpy(float), low, high)
    trend = _trend(evidence, len(rel), graph.as_of, settings.trust.trend_window_days)
    relationships = rel.assign(**{
        S.PEOPLE: trust,
        S.PROCESS: np.nan,
        S.PLATFORM: np.nan,
        "people_confidence": count / (count + k),
        "process_confidence": 0.0,
        "platform_confidence": 0.0,
        "overall": trust,
        "evidence": count,
        "last_contact": rel["last_seen"],
        "trend": trend,
        "people_trend": trend,
        "process_trend": np.nan,
        "platform_trend": np.nan,
        "prior": pd.Categorical(np.full(len(rel), "none"), categories=["none", "population", "referral chain"]),
        WHY: _relationship_why(rel, low, high),
    })
    return RatingScores(relationships=relationships, nodes=table, evidence=evidence, as_of=graph.as_of,
                        network=describe_ratings(ratings), scale=(low, high), group=gcol)


def _tie_why(table: pd.DataFrame, n: int, word: str = "group") -> np.ndarray:
    """The ``why`` of a network whose ties all carry the same rating: named by, names, ties across groups."""
    s: Callable[[Any], pd.Series] = pd.Series  # pandas-stubs types Series(array of str) as Series[float]
    received = table[RATINGS_RECEIVED].to_numpy(np.int64)
    given = table[RATINGS_GIVEN].to_numpy(np.int64)
    text = (s(np.where(received > 0, "named by " + s(received).astype(str) + f" of {max(n - 1, 0)} others",
                       "named by nobody"))
            + s(np.where(given > 0, "; names " + s(given).astype(str), "; names nobody")))
    if TIES_ACROSS_GROUPS in table.columns:
        ties = table[TIES_ACROSS_GROUPS].to_numpy(np.int64)
        spans = table[GROUPS_REACHED].to_numpy(np.int64)
        across = ("; " + s(ties).astype(str) + " " + s(np.where(ties == 1, "tie", "ties")) + " to "
                  + s(spans).astype(str) + " other " + s(np.where(spans == 1, word, word + "s")))
        text = text + across.where(ties > 0, f"; no tie outside their own {word}")
    return text.astype("str").to_numpy()


def _scale(ratings: pd.DataFrame) -> tuple[float, float, np.ndarray]:
    """The default signed scale of ``score_ratings``: symmetric around 0, ``max |rating|``."""
    own = ratings[S.RATER].astype(str).to_numpy() == ratings[S.RATEE].astype(str).to_numpy()
    value = pd.to_numeric(ratings[S.RATING], errors="coerce").to_numpy(float)[~own]
    top = float(np.abs(value).max()) if len(value) else 1.0
    top = top or 1.0
    return -top, top, value


def _evidence(graph: Any, ratings: pd.DataFrame, fairness: np.ndarray, low: float, high: float) -> pd.DataFrame:
    rater = graph.index_of(ratings[S.RATER].astype(str))
    ratee = graph.index_of(ratings[S.RATEE].astype(str))
    keep = (rater != ratee) & (rater >= 0) & (ratee >= 0)
    rater, ratee = rater[keep], ratee[keep]
    n = max(graph.n, 1)
    rel = graph.relationships
    rel_key = pd.Index(rel["truster_idx"].to_numpy(np.int64) * n + rel["trustee_idx"].to_numpy(np.int64))
    rel_idx = rel_key.get_indexer(rater.astype(np.int64) * n + ratee)
    w = 2.0 * (pd.to_numeric(ratings[S.RATING], errors="coerce").to_numpy(float)[keep] - low) / (high - low) - 1.0
    at = (ratings[S.RATED_AT].to_numpy(dtype="datetime64[ns]")[keep] if S.RATED_AT in ratings
          else np.full(int(keep.sum()), np.datetime64("NaT"), dtype="datetime64[ns]"))
    label = np.where(w > 0, 1, np.where(w < 0, 2, 0))
    return pd.DataFrame({
        "rel_idx": rel_idx.astype(np.int64),
        S.DIMENSION: pd.Categorical.from_codes(np.zeros(len(w), np.int64), categories=pd.Index(S.DIMENSIONS)),
        "value": (w + 1.0) / 2.0,
        "weight": fairness[rater],
        "at": at,
        "source": pd.Categorical(np.full(len(w), "rating")),
        "label": pd.Categorical.from_codes(label, categories=pd.Index(["neutral rating", "positive rating", "negative rating"])),
    })


def _trend(evidence: pd.DataFrame, m: int, as_of: Any, window_days: float) -> np.ndarray:
    """Change of the pair's mean rating (0..1) over the last window: recent mean minus earlier mean."""
    if pd.isna(as_of) or not len(evidence):
        return np.full(m, np.nan)
    at = evidence["at"].to_numpy(dtype="datetime64[ns]")
    cut = np.datetime64(pd.Timestamp(as_of) - pd.Timedelta(days=window_days), "ns")
    dated = ~np.isnat(at)
    idx = evidence["rel_idx"].to_numpy(np.int64)
    value = evidence["value"].to_numpy(float)
    recent = dated & (at > cut)
    before = dated & (at <= cut)
    with np.errstate(invalid="ignore", divide="ignore"):
        now = np.bincount(idx[recent], weights=value[recent], minlength=m) / np.bincount(idx[recent], minlength=m)
        then = np.bincount(idx[before], weights=value[before], minlength=m) / np.bincount(idx[before], minlength=m)
    return now - then


def _signed(values: np.ndarray) -> pd.Series:
    return pd.Series(np.round(values, 1)).map("{:+.1f}".format).str.replace(".0", "", regex=False)


def _relationship_why(rel: pd.DataFrame, low: float, high: float) -> pd.Series:
    count = rel["ratings"].to_numpy(np.int64)
    text = "rated " + _signed(rel["rating"].to_numpy(float)) + f" on {low:g}..{high:g}"
    several = pd.Series(np.where(count > 1, " (mean of " + pd.Series(count).astype(str) + " ratings)", ""), dtype="str")
    last = rel["last_seen"]
    when = pd.Series(np.where(last.notna(), ", last on " + last.dt.strftime("%Y-%m-%d").fillna(""), ""), dtype="str")
    return (text + several + when).astype("str")


def _two_step_reach(graph: Any, relationships: pd.DataFrame) -> np.ndarray:
    """People who rated the person positively, or rated positively someone who did (two steps, sparse)."""
    n = graph.n
    pos = relationships["people"].to_numpy(float) > 0.5
    src = relationships["truster_idx"].to_numpy(np.int64)[pos]
    dst = relationships["trustee_idx"].to_numpy(np.int64)[pos]
    A = sp.csr_matrix((np.ones(len(src)), (dst, src)), shape=(n, n))  # row: person, columns: who trusts them
    two = (A + A @ A).tocsr()
    two.setdiag(0)
    two.eliminate_zeros()
    return np.diff(two.indptr)


def rank_trust_carriers(graph: Any, scores: RatingScores, settings: Settings | None = None) -> pd.DataFrame:
    """The people whose trust carries furthest: the rating network's advocates table, best first.

    Everyone trusted by at least one positive rating and not likely untrustworthy
    (``untrustworthy_score`` below :data:`UNTRUSTWORTHY_CUT`), ranked by reputation
    (PageRank over positive ratings weighted by the raters' fairness).

    Columns: ``advocate``, ``score`` (reputation in multiples of an average person's share),
    ``score_pct`` (percentile), ``reach`` (people who trust them directly or through one person
    they trust), ``trusted_by`` (positive raters), ``ratings_received``, ``positive_share``,
    ``fairness`` (as a rater), ``people`` (trust received, 0..1), the group columns when
    known, ``segment`` (:data:`SEGMENTS`) and ``why``.

    Examples
    --------
    >>> import pandas as pd
    >>> from trustnet.graph import build_rating_graph
    >>> r = pd.DataFrame({"rater": ["a", "b", "c"], "ratee": ["c", "c", "d"], "rating": [5, 4, 5]})
    >>> G = build_rating_graph(r)
    >>> t = rank_trust_carriers(G, score_rating_network(G, r))
    >>> t[["advocate", "reach", "trusted_by"]].values.tolist()
    [['d', 3, 1], ['c', 2, 2]]
    >>> t["why"].iloc[1]
    'trusted by 2 of 2 raters (100% positive); 2 people trust them directly or through one person they trust'
    """
    nodes = scores.nodes
    n = len(nodes)
    rel = scores.relationships
    trustee = rel["trustee_idx"].to_numpy(np.int64)
    positive = rel["people"].to_numpy(float) > 0.5
    trusted_by = np.bincount(trustee[positive], minlength=n)
    received = nodes[RATINGS_RECEIVED].to_numpy(np.int64)
    reach = _two_step_reach(graph, rel)
    untrust = nodes[UNTRUSTWORTHY_SCORE].to_numpy(float)
    keep = (trusted_by > 0) & ~(untrust >= UNTRUSTWORTHY_CUT)
    pct = nodes[REPUTATION_PCT].to_numpy(float)
    segment = np.where(pct >= 99.0, 0, np.where(pct >= 90.0, 1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = trusted_by / received
    table = pd.DataFrame({
        "advocate": nodes["id"].astype("str").to_numpy(),
        "score": nodes[REPUTATION].to_numpy(float) * n,
        "score_pct": pct,
        REACH: reach,
        TRUSTED_BY: trusted_by,
        RATINGS_RECEIVED: received,
        POSITIVE_SHARE: share,
        FAIRNESS: np.where(nodes[RATINGS_GIVEN].to_numpy() > 0, nodes[FAIRNESS].to_numpy(float), np.nan),
        PEOPLE_TRUST: nodes[PEOPLE_TRUST].to_numpy(float),
    })
    for col in (scores.group, TIES_ACROSS_GROUPS, GROUPS_REACHED):
        if col is not None and col in nodes.columns and col != GROUP:
            table[col] = nodes[col].to_numpy()
    table["segment"] = pd.Categorical.from_codes(segment, categories=pd.Index(SEGMENTS))
    signed = bool(len(rel)) and graph.relationships["rating"].nunique() > 1
    if signed:
        why = ("trusted by " + pd.Series(trusted_by).astype(str) + " of " + pd.Series(received).astype(str) + " "
               + pd.Series(np.where(received == 1, "rater", "raters"), dtype="str") + " ("
               + pd.Series(np.nan_to_num(share)).map("{:.0%}".format) + " positive); "
               + pd.Series(reach).map("{:,}".format) + " "
               + pd.Series(np.where(reach == 1, "person trusts", "people trust"), dtype="str")
               + " them directly or through one person they trust")
    else:  # every tie the same (advice, friendship): nothing is positive or negative, people are named
        why = ("named by " + pd.Series(received).astype(str) + " of " + str(max(n - 1, 0)) + " others; "
               + pd.Series(reach).map("{:,}".format) + " "
               + pd.Series(np.where(reach == 1, "person turns", "people turn"), dtype="str")
               + " to them directly or through one person they turn to")
    if TIES_ACROSS_GROUPS in nodes.columns:
        ties = nodes[TIES_ACROSS_GROUPS].to_numpy(np.int64)
        spans = nodes[GROUPS_REACHED].to_numpy(np.int64)
        word = str(scores.group or "group")
        bridge = ("; ties to " + pd.Series(spans).astype(str) + " other "
                  + pd.Series(np.where(spans == 1, word, word + "s"), dtype="str"))
        why = why + bridge.where(ties > 0, f"; no tie outside their own {word}")
    table[WHY] = why.astype("str").to_numpy()
    table = table[keep]
    order = np.lexsort((table["advocate"].to_numpy(), -table[REACH].to_numpy(), -table["score"].to_numpy()))
    return table.iloc[order].reset_index(drop=True)


def find_untrustworthy(graph: Any, scores: RatingScores, settings: Settings | None = None) -> pd.DataFrame:
    """The accounts most likely untrustworthy, with the reasons: the rating network's at-risk table.

    Accounts with at least one negative rating and an ``untrustworthy_score`` of at
    least :data:`UNTRUSTWORTHY_CUT`. ``likelihood`` is that score; ``stake`` the ratings
    the account received (the people who dealt with it); ``priority`` = likelihood × stake
    (sorted on it, highest first). ``factors`` names the evidence, ``why`` says it in a
    sentence, ``next_action`` what to do: "avoid" above :data:`STRONG_EVIDENCE`, else "verify before trading".

    Examples
    --------
    >>> import pandas as pd
    >>> from trustnet.graph import build_rating_graph
    >>> r = pd.DataFrame({"rater": ["a", "b", "c"], "ratee": ["z", "z", "z"], "rating": [-10, -9, -10]})
    >>> G = build_rating_graph(r)
    >>> t = find_untrustworthy(G, score_rating_network(G, r))
    >>> t[["account", "stake", "factors"]].values.tolist()
    [['z', 3, 'negative ratings from reliable raters; mean rating received below neutral']]
    >>> t["next_action"].iloc[0]
    'verify before trading: rated negatively by 3 reliable raters'
    """
    nodes = scores.nodes
    likelihood = nodes[UNTRUSTWORTHY_SCORE].to_numpy(float)
    negative = nodes[NEGATIVE_RECEIVED].to_numpy(np.int64)
    reliable = nodes[NEGATIVE_FROM_RELIABLE].to_numpy(np.int64)
    received = nodes[RATINGS_RECEIVED].to_numpy(np.int64)
    mean = nodes[MEAN_RATING_RECEIVED].to_numpy(float)
    fair = nodes[FAIRNESS].to_numpy(float)
    given = nodes[RATINGS_GIVEN].to_numpy(np.int64)
    keep = (negative > 0) & (likelihood >= UNTRUSTWORTHY_CUT)
    s: Callable[[Any], pd.Series] = pd.Series  # pandas-stubs types Series(array of str) as Series[float]
    parts = [
        s(np.where(reliable > 0, "negative ratings from reliable raters",
                   "negative ratings from unreliable raters only")),
        s(np.where(mean < 0, "mean rating received below neutral", "")),
        s(np.where((given > 0) & (fair < RELIABLE_FAIRNESS), "rates against consensus", "")),
        s(np.where(received <= 2, "little evidence", "")),
    ]
    factors = parts[0]
    for p in parts[1:]:
        factors = factors + np.where(p != "", "; " + p, "")
    who = np.where(reliable > 0, "rated negatively by " + s(reliable).astype(str) + " reliable "
                   + s(np.where(reliable == 1, "rater", "raters")),
                   "rated negatively by " + s(negative).astype(str) + " "
                   + s(np.where(negative == 1, "rater", "raters")) + ", none of them reliable")
    verb = np.where(likelihood >= STRONG_EVIDENCE, "avoid: ", "verify before trading: ")
    table = pd.DataFrame({
        "account": nodes["id"].astype("str").to_numpy(),
        "likelihood": likelihood,
        "stake": received,
        "priority": likelihood * received,
        NEGATIVE_RECEIVED: negative,
        NEGATIVE_FROM_RELIABLE: reliable,
        MEAN_RATING_RECEIVED: mean,
        "factors": factors.astype("str").to_numpy(),
        WHY: nodes[WHY].astype("str").to_numpy(),
        "next_action": (s(verb) + who).astype("str").to_numpy(),
    })
    if scores.group is not None and scores.group in nodes.columns:
        table.insert(1, scores.group, nodes[scores.group].to_numpy())
    table = table[keep]
    order = np.lexsort((table["account"].to_numpy(), -table["likelihood"].to_numpy(), -table["priority"].to_numpy()))
    return table.iloc[order].reset_index(drop=True)
