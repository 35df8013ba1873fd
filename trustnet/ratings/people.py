"""The people of a rating network: trust received, reliability, reputation, risk, and why."""

from __future__ import annotations

from typing import Any, Callable, Sequence, cast

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import InputError
from ..settings import Settings
from .fairness import _fairness_goodness
from .network import (
    FAIRNESS, GOODNESS, ID, LAST_RATED_AT, MEAN_RATING_GIVEN, MEAN_RATING_RECEIVED, NEGATIVE_FROM_RELIABLE,
    NEGATIVE_RECEIVED, PEOPLE_CONFIDENCE, PEOPLE_TRUST, RATINGS_GIVEN, RATINGS_RECEIVED, REPUTATION,
    REPUTATION_PCT, UNTRUSTWORTHY_SCORE, WHY, GROUP, GROUPS_REACHED, TIES_ACROSS_GROUPS, _Network, _prepare,
    _stamp,
)

__all__ = ["score_ratings", "RELIABLE_FAIRNESS"]

#: A rater is called reliable in explanations when fairness >= this: their ratings stray from
#: consensus by at most 0.4 on the [-1, 1] scale on average (a fifth of the range).
RELIABLE_FAIRNESS = 0.8


def _reputation(net: _Network, fairness: np.ndarray, teleport: float, tol: float, max_iter: int) -> np.ndarray:
    """PageRank over positive ratings, each weighted by rating x the rater's fairness; sums to 1."""
    n = net.n
    pos = net.w > 0
    A = sp.csr_matrix((net.w[pos] * fairness[net.u[pos]], (net.u[pos], net.v[pos])), shape=(n, n))
    out = np.asarray(A.sum(axis=1)).ravel()
    P = sp.diags(np.divide(1.0, out, out=np.zeros(n), where=out > 0)) @ A
    PT = P.T.tocsr()
    dangling = out <= 0
    r = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        new = (1.0 - teleport) * (PT @ r) + ((1.0 - teleport) * r[dangling].sum() + teleport) / n
        change = np.abs(new - r).sum()
        r = new
        if change < tol:
            break
    return r / r.sum()


def _plural(count: np.ndarray, word: str) -> np.ndarray:
    return np.where(count == 1, word, word + "s")


def _explain(net: _Network, table: pd.DataFrame) -> pd.Series:
    """One sentence per person built from the table's counts (vectorised)."""
    recv = table[RATINGS_RECEIVED].to_numpy()
    neg = table[NEGATIVE_RECEIVED].to_numpy()
    rel = table[NEGATIVE_FROM_RELIABLE].to_numpy()
    mean = table[MEAN_RATING_RECEIVED].to_numpy()
    fair = table[FAIRNESS].to_numpy()
    given = table[RATINGS_GIVEN].to_numpy()
    s: Callable[[Any], pd.Series] = pd.Series  # pandas-stubs types Series(array of str) as Series[float]
    mean_txt = ("; mean rating received " + s(np.round(np.nan_to_num(mean), 1)).map("{:+.1f}".format)
                + f" on {net.low:g}..{net.high:g}")
    received = (
        "rated negatively by " + s(neg).astype(str) + " of " + s(recv).astype(str) + " "
        + s(_plural(recv, "rater")) + ", " + s(rel).astype(str) + " of them reliable"
    ).where(neg > 0, "rated by " + s(recv).astype(str) + " " + s(_plural(recv, "rater")) + ", none negatively")
    received = received + mean_txt
    # pandas-stubs: Series.where takes no ndarray as ``other``, though pandas does
    received = received.where(recv > 0, np.where(given > 0, "nobody rated them",  # type: ignore[call-overload]
                                                 "no rating given or received"))
    rater_words = np.where(
        given == 0, "",
        np.where(fair >= RELIABLE_FAIRNESS, "; a reliable rater: agrees with consensus (fairness ",
                 "; an unreliable rater: often against consensus (fairness ")
    )
    fair_txt = s(np.round(np.nan_to_num(fair), 2)).map("{:.2f}".format) + ")"
    as_rater = s(rater_words) + fair_txt.where(given > 0, "")
    text = received + as_rater
    if GROUP in table.columns:
        ties = table[TIES_ACROSS_GROUPS].to_numpy()
        reached = table[GROUPS_REACHED].to_numpy()
        bridge = ("; tied to " + s(reached).astype(str) + " other " + s(_plural(reached, "group")) + " ("
                  + s(ties).astype(str) + " " + s(_plural(ties, "tie")) + " across)")
        text = text + bridge.where(ties > 0, "")
    return text.set_axis(table.index)


def score_ratings(ratings: pd.DataFrame, settings: Settings | None = None, *,
                  scale: tuple[float, float] | None = None, people: Sequence[object] | None = None,
                  groups: pd.Series | None = None) -> pd.DataFrame:
    """Score every person of a rating network: trust received, reliability, risk, and why.

    Each rating is evidence about the ratee on the people dimension, worth
    ``(W + 1) / 2`` on 0..1 and weighted by its rater's fairness (a rater who
    agrees with consensus counts more). Nothing is fitted to labels; the constants
    come from ``settings.trust`` and are documented below.

    Columns (one row per person, sorted by id):

    - ``id``; ``people``: trust received on the people dimension, 0..1, a Beta
      mean of the weighted evidence with a neutral prior of
      ``settings.trust.prior_strength`` ratings (NaN when nobody rated them);
      ``people_confidence``: weighted evidence / (evidence + prior strength). No
      recency decay: rating networks are often historic snapshots, and decaying
      to the export's end would flatten every score (see ``last_rated_at``).
    - ``goodness`` (-1..1) and ``fairness`` (0..1) from :func:`fairness_goodness`.
    - ``reputation``: PageRank over positive ratings weighted by rating x rater
      fairness, teleport ``settings.trust.eigentrust_damping`` spread evenly (no
      pre-trusted set in a rating network); sums to 1. ``reputation_pct``: its
      percentile, 0..100: whose trust carries furthest.
    - ``ratings_given``, ``ratings_received``, ``negative_received`` (raters who rated
      below neutral), ``negative_from_reliable`` (of whom with fairness >= 0.8),
      ``mean_rating_received``, ``mean_rating_given`` (input scale), ``last_rated_at``.
    - ``untrustworthy_score``: how likely the account is untrustworthy, 0..1: the
      share of distrust in the ratings received, each weighted by |W| x rater
      fairness, with a prior of one typical rating (median |W|) of each sign, so an
      account nobody rated scores 0.5 and one -10 weighs more than several +1.
    - with ``groups``: ``group``, ``ties_across_groups`` (people of another group
      they rated or were rated by) and ``groups_reached`` (how many other groups):
      who bridges sites or teams.
    - ``why``: the evidence in plain words.

    Parameters
    ----------
    ratings : DataFrame
        Columns ``rater``, ``ratee``, ``rating`` and optionally ``rated_at``.
    settings : Settings, optional
        Uses ``trust.prior_strength``, ``trust.eigentrust_damping``, ``trust.tolerance``
        and ``trust.max_iterations``.
    scale : (low, high), optional
        The rating scale; default symmetric around 0 (see :func:`fairness_goodness`).
    people : sequence of ids, optional
        Everyone to score, including people with no rating at all (isolated: a row
        with zero counts); by default the people the ratings name.
    groups : Series, optional
        Person id -> group label (practice site, team, region); people missing from
        it have no group and no tie counts across groups.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"rater": ["a", "b", "c", "a"], "ratee": ["c", "c", "a", "b"],
    ...                   "rating": [-10, -8, 5, 3]})
    >>> t = score_ratings(r).set_index("id")
    >>> t.loc["c", "why"]
    'rated negatively by 2 of 2 raters, 2 of them reliable; mean rating received -9.0 on -10..10; a reliable rater: agrees with consensus (fairness 1.00)'
    >>> t["untrustworthy_score"].idxmax()
    'c'
    >>> g = score_ratings(r, people=["a", "b", "c", "z"], groups=pd.Series({"a": "north", "b": "north", "c": "south"}))
    >>> g[["id", "group", "ties_across_groups", "groups_reached"]].values.tolist()
    [['a', 'north', 1, 1], ['b', 'north', 1, 1], ['c', 'south', 2, 1], ['z', <NA>, 0, 0]]
    >>> g["why"].iloc[3]
    'no rating given or received'
    """
    settings = settings or Settings()
    trust = settings.trust
    if groups is not None and not isinstance(groups, pd.Series):
        raise InputError(f"groups must be a pandas Series mapping person id to group; got {type(groups).__name__}")
    net = _prepare(ratings, scale, people)
    n, u, v, w = net.n, net.u, net.v, net.w
    f, g, _, _ = _fairness_goodness(net, trust.tolerance, trust.max_iterations)
    rater_fair = f[u]  # every rater has a fairness
    given = np.bincount(u, minlength=n)
    received = np.bincount(v, minlength=n)
    evidence = np.bincount(v, weights=rater_fair, minlength=n)
    k = trust.prior_strength
    people_trust = (np.bincount(v, weights=rater_fair * (w + 1.0) / 2.0, minlength=n) + k / 2.0) / (evidence + k)
    negative = w < 0
    distrust = np.bincount(v, weights=rater_fair * np.abs(w) * negative, minlength=n)
    trusted = np.bincount(v, weights=rater_fair * np.abs(w) * (w > 0), minlength=n)
    prior = float(np.median(np.abs(w)))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_received = net.to_scale(np.bincount(v, weights=w, minlength=n) / received)
        mean_given = net.to_scale(np.bincount(u, weights=w, minlength=n) / given)
    last = pd.Series(net.t).groupby(v).max().reindex(range(n)).to_numpy()
    reputation = _reputation(net, f, trust.eigentrust_damping, trust.tolerance, trust.max_iterations)
    table = pd.DataFrame({
        ID: pd.array(net.ids.to_numpy(), dtype="string"),
        PEOPLE_TRUST: np.where(received > 0, people_trust, np.nan),
        PEOPLE_CONFIDENCE: evidence / (evidence + k),
        GOODNESS: g,
        FAIRNESS: f,
        REPUTATION: reputation,
        REPUTATION_PCT: pd.Series(reputation).rank(pct=True).to_numpy() * 100.0,
        RATINGS_GIVEN: given,
        RATINGS_RECEIVED: received,
        NEGATIVE_RECEIVED: np.bincount(v, weights=negative, minlength=n).astype(np.int64),
        NEGATIVE_FROM_RELIABLE: np.bincount(v, weights=negative & (rater_fair >= RELIABLE_FAIRNESS),
                                            minlength=n).astype(np.int64),
        MEAN_RATING_RECEIVED: mean_received,
        MEAN_RATING_GIVEN: mean_given,
        LAST_RATED_AT: cast(pd.DatetimeIndex, _stamp(last)).astype("datetime64[ns]"),  # an array gives an index
        UNTRUSTWORTHY_SCORE: (distrust + prior) / (distrust + trusted + 2.0 * prior),
    })
    if groups is not None:
        table = pd.concat([table, _across_groups(net, groups)], axis=1)
    table[WHY] = _explain(net, table)
    return table


def _across_groups(net: _Network, groups: pd.Series) -> pd.DataFrame:
    """Group of each person, ties to people of other groups, and how many other groups those span."""
    labels = pd.Series(groups.to_numpy(), index=groups.index.astype(str))
    labels = labels[~labels.index.duplicated(keep="last")]
    group = labels.reindex(pd.Index(net.ids, dtype=object))
    code, _ = pd.factorize(group)  # -1 where the person has no group
    a, b = np.minimum(net.u, net.v), np.maximum(net.u, net.v)
    pair = np.unique(a * net.n + b)  # each tie once, whichever direction(s) it was rated in
    a, b = pair // net.n, pair % net.n
    across = (code[a] >= 0) & (code[b] >= 0) & (code[a] != code[b])
    ties = np.bincount(a[across], minlength=net.n) + np.bincount(b[across], minlength=net.n)
    reached = pd.DataFrame({"who": np.r_[a[across], b[across]], "other": np.r_[code[b[across]], code[a[across]]]})
    spans = reached.drop_duplicates()["who"].value_counts().reindex(range(net.n), fill_value=0).to_numpy()
    return pd.DataFrame({GROUP: group.astype("string").array, TIES_ACROSS_GROUPS: ties,
                         GROUPS_REACHED: spans})

