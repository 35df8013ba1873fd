"""Rating networks as input: validation, scaling to [-1, 1], the people-table columns, structure.

>>> import pandas as pd
>>> net = _prepare(pd.DataFrame({"rater": ["a"], "ratee": ["b"], "rating": [-4]}), None)
>>> net.w.tolist(), list(net.ids)
([-1.0], ['a', 'b'])
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse import csgraph

from .. import schema
from ..errors import DataQualityWarning, InputError

__all__ = [
    "describe_ratings",
    "ID", "PEOPLE_TRUST", "PEOPLE_CONFIDENCE", "GOODNESS", "FAIRNESS", "REPUTATION", "REPUTATION_PCT",
    "RATINGS_GIVEN", "RATINGS_RECEIVED", "NEGATIVE_RECEIVED", "NEGATIVE_FROM_RELIABLE",
    "MEAN_RATING_RECEIVED", "MEAN_RATING_GIVEN", "LAST_RATED_AT", "UNTRUSTWORTHY_SCORE", "WHY",
    "PREDICTED_RATING", "GROUP", "TIES_ACROSS_GROUPS", "GROUPS_REACHED",
]

# --- columns of the score_ratings table ----------------------------------------------------
ID = "id"
PEOPLE_TRUST = "people"                      #: trust received on the people dimension, 0..1
PEOPLE_CONFIDENCE = "people_confidence"      #: how much evidence stands behind it, 0..1
GOODNESS = "goodness"                        #: fairness/goodness trustworthiness as a ratee, -1..1
FAIRNESS = "fairness"                        #: reliability as a rater, 0..1
REPUTATION = "reputation"                    #: share of network-wide trust (sums to 1)
REPUTATION_PCT = "reputation_pct"            #: percentile of reputation, 0..100
RATINGS_GIVEN = "ratings_given"
RATINGS_RECEIVED = "ratings_received"
NEGATIVE_RECEIVED = "negative_received"      #: raters who rated this person below neutral
NEGATIVE_FROM_RELIABLE = "negative_from_reliable"  #: ... of whom reliable (fairness >= RELIABLE_FAIRNESS)
MEAN_RATING_RECEIVED = "mean_rating_received"  #: on the input's own scale
MEAN_RATING_GIVEN = "mean_rating_given"        #: on the input's own scale
LAST_RATED_AT = "last_rated_at"
UNTRUSTWORTHY_SCORE = "untrustworthy_score"  #: how likely the account is untrustworthy, 0..1
WHY = "why"
PREDICTED_RATING = "predicted_rating"
GROUP = "group"                              #: the person's group (site, team, region), when given
TIES_ACROSS_GROUPS = "ties_across_groups"    #: people of another group they rated or were rated by
GROUPS_REACHED = "groups_reached"            #: other groups among those people


# --- input -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Network:
    """A rating network as integer arrays: ratings scaled to [-1, 1], one per (rater, ratee)."""

    ids: pd.Index       # sorted string ids; position = node index
    u: np.ndarray       # rater index per rating
    v: np.ndarray       # ratee index per rating
    w: np.ndarray       # rating on [-1, 1]
    t: np.ndarray       # seconds since the epoch, NaN when undated
    low: float
    high: float

    @property
    def n(self) -> int:
        return len(self.ids)

    def to_scale(self, w: np.ndarray) -> np.ndarray:
        """Map [-1, 1] back to the input's own scale."""
        return self.low + (np.asarray(w, dtype=float) + 1.0) / 2.0 * (self.high - self.low)


def _rows(index: pd.Index, mask: np.ndarray) -> str:
    bad = list(index[mask][:5])
    more = int(mask.sum()) - len(bad)
    return ", ".join(map(str, bad)) + (f" and {more} more" if more > 0 else "")


def _check_columns(frame: object, required: Sequence[str], what: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"{what} must be a pandas DataFrame with columns {', '.join(required)}; "
                         f"got {type(frame).__name__}")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        found = ", ".join(repr(str(c)) for c in frame.columns) or "no columns"
        raise InputError(
            f"{what} lack the column(s) {', '.join(missing)}: found {found}; expected "
            f"{', '.join(required)} (and optionally {schema.RATED_AT}); rename the columns or read the "
            "file with trustnet.load.load_ratings",
            problems=[f"missing column {c}" for c in missing],
        )
    for col in required[:2]:
        na = frame[col].isna().to_numpy()
        if na.any():
            raise InputError(f"{what}: column {col} is empty in row(s) {_rows(frame.index, na)}; every "
                             f"rating needs a {schema.RATER} and a {schema.RATEE}: fill or drop those rows")
    return frame


def _seconds(values: pd.Series) -> np.ndarray:
    stamps = pd.to_datetime(values, errors="coerce")
    out = stamps.to_numpy(dtype="datetime64[ns]").astype("int64").astype(float) / 1e9
    out[stamps.isna().to_numpy()] = np.nan
    return out


def _stamp(seconds: float | np.ndarray) -> pd.DatetimeIndex | pd.Timestamp:
    """Seconds since the epoch (float, NaN = unknown) back to datetimes, to the microsecond."""
    return pd.to_datetime(np.round(np.asarray(seconds, dtype=float) * 1e6), unit="us")


def _prepare(ratings: pd.DataFrame, scale: tuple[float, float] | None,
             people: Sequence[object] | None = None) -> _Network:
    """Validate a ratings table and turn it into a :class:`_Network`.

    ``people`` adds ids that may have no rating at all (isolated people) to the nodes.
    """
    frame = _check_columns(ratings, (schema.RATER, schema.RATEE, schema.RATING), "ratings")
    rating = pd.to_numeric(frame[schema.RATING], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(rating)
    if bad.any():
        raise InputError(f"ratings: column {schema.RATING} is not a finite number in row(s) "
                         f"{_rows(frame.index, bad)}; every rating must be a number: fix or drop those rows")
    rater = frame[schema.RATER].astype(str).to_numpy()
    ratee = frame[schema.RATEE].astype(str).to_numpy()
    if schema.RATED_AT in frame.columns:
        t = _seconds(frame[schema.RATED_AT])
    else:
        t = np.full(len(frame), np.nan)
    own = rater == ratee
    if own.any():
        warnings.warn(f"ratings: {int(own.sum())} self-rating(s) left out (row(s) {_rows(frame.index, own)}); "
                      "rating oneself says nothing about trust between people", DataQualityWarning,
                      stacklevel=3)
        rater, ratee, rating, t = rater[~own], ratee[~own], rating[~own], t[~own]
    if len(rating) == 0:
        raise InputError("ratings: no rating between two different people; a rating network needs at least one")
    if scale is None:
        top = float(np.abs(rating).max())
        if top == 0:
            raise InputError("ratings: every rating is 0, so the signed scale cannot be told; "
                             "pass scale=(low, high)")
        low, high = -top, top
    else:
        low, high = (float(x) for x in scale)
        if not low < high:
            raise InputError(f"rating scale {scale!r} is empty: pass scale=(low, high) with low < high")
        out = (rating < low) | (rating > high)
        if out.any():
            raise InputError(f"ratings: {int(out.sum())} rating(s) outside the scale {low:g}..{high:g} "
                             f"(for example {rating[out][:3].tolist()}); pass the scale the ratings were given on")
    w = 2.0 * (rating - low) / (high - low) - 1.0
    extra = np.asarray([] if people is None else pd.Series(list(people), dtype=object).astype(str), dtype=object)
    codes, ids = pd.factorize(np.concatenate([rater, ratee, extra]))  # hash, then sort only the distinct ids
    order = np.argsort(ids, kind="stable")
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids))
    ids, codes = ids[order], rank[codes]
    m = len(rating)
    u, v = codes[:m], codes[m:2 * m]
    n = len(ids)
    key = u * n + v
    first, pair = pd.factorize(key)
    if len(pair) < m:  # several ratings of one pair: their mean, dated by the latest
        count = np.bincount(first)
        w = np.bincount(first, weights=w) / count
        tt = pd.Series(t).groupby(first).max().to_numpy()
        u, v, t = pair // n, pair % n, tt
    return _Network(pd.Index(ids, dtype=object), u, v, w, t, low, high)



def _lookup(u: np.ndarray, v: np.ndarray, n: int, qu: np.ndarray, qv: np.ndarray) -> np.ndarray:
    """Position of each rating (qu -> qv) among (u -> v), -1 when absent or a node is unknown."""
    keys = pd.Index(u * n + v)
    pos = keys.get_indexer(np.where((qu >= 0) & (qv >= 0), qu * n + qv, -1))
    return np.where((qu >= 0) & (qv >= 0), pos, -1)



# --- structure -------------------------------------------------------------------------------
def describe_ratings(ratings: pd.DataFrame, *, scale: tuple[float, float] | None = None) -> dict[str, object]:
    """The structural facts of a rating network, as a reader checks them first.

    Returns a dict: ``people``, ``ratings`` (distinct rater -> ratee pairs),
    ``positive_share``, ``strong_components``, ``weak_components``,
    ``reciprocated_share`` (ratings whose reverse rating exists), ``max_total_degree``
    (ratings given plus received, the most of anyone), ``first`` and ``last``
    (dates of the earliest and latest rating, NaT when undated).

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"rater": ["a", "b", "b"], "ratee": ["b", "a", "c"], "rating": [1, 2, -1]})
    >>> d = describe_ratings(r)
    >>> d["strong_components"], d["weak_components"], round(d["reciprocated_share"], 3), d["max_total_degree"]
    (2, 1, 0.667, 3)
    """
    net = _prepare(ratings, scale)
    n = net.n
    A = sp.csr_matrix((np.ones(len(net.u)), (net.u, net.v)), shape=(n, n))
    strong, _ = csgraph.connected_components(A, directed=True, connection="strong")
    weak, _ = csgraph.connected_components(A, directed=True, connection="weak")
    back = _lookup(net.u, net.v, n, net.v, net.u)
    degree = np.bincount(net.u, minlength=n) + np.bincount(net.v, minlength=n)
    times = net.t[~np.isnan(net.t)]
    return {
        "people": n,
        "ratings": len(net.u),
        "positive_share": float((net.w > 0).mean()),
        "strong_components": int(strong),
        "weak_components": int(weak),
        "reciprocated_share": float((back >= 0).mean()),
        "max_total_degree": int(degree.max()),
        "first": _stamp(times.min()) if len(times) else pd.NaT,
        "last": _stamp(times.max()) if len(times) else pd.NaT,
    }

