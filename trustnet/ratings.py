"""Trust on rating networks: each row says a rater rated a ratee with a signed rating.

Bitcoin OTC, advice networks and marketplace feedback are rating networks:
``rater -> ratee`` with a signed rating (0 = neutral) and, often, a time. This
module scores them with the same vocabulary as the rest of trustnet:

- :func:`fairness_goodness` -- the fairness/goodness iteration of Kumar et al.
  (ICDM 2016): a rater's *fairness* (reliability, 0..1) is how closely their
  ratings agree with consensus, a ratee's *goodness* (trustworthiness, -1..1) is
  the fairness-weighted mean of the ratings they received.
- :func:`predict_ratings` -- the rating a rater would give a ratee, by several
  methods; the default ``"trustnet"`` model combines rater bias, ratee
  trustworthiness weighted by rater reliability, and the reciprocal rating.
- :func:`score_ratings` -- one row per person: trust received on the people
  dimension, goodness, fairness, reputation, how likely the account is
  untrustworthy, and why, in plain words.
- :func:`describe_ratings` -- the structural facts of the network (components,
  reciprocity, degrees) that a reader of a report checks first.
- :func:`roc_auc`, :func:`average_precision` -- to measure a ranking of accounts
  against labels (numpy only).

Ratings are scaled to [-1, 1] before scoring: by default a signed scale
symmetric around 0 (``rating / max |rating|``, so -10..10 on Bitcoin OTC); pass
``scale=(low, high)`` for other scales (for example ``(1, 5)`` for stars).
Several ratings of the same rater for the same ratee are merged into one (their
mean, dated by the latest); self-ratings carry no information about trust
between people and are left out with a :class:`~trustnet.errors.DataQualityWarning`.

Nothing here is fitted to labels or tuned per dataset: every constant is named
below with the principle that sets it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse import csgraph

from . import schema
from .errors import DataQualityWarning, InputError
from .settings import Settings

__all__ = [
    "fairness_goodness",
    "predict_ratings",
    "score_ratings",
    "describe_ratings",
    "roc_auc",
    "average_precision",
    "PREDICTION_METHODS",
    "ID", "PEOPLE_TRUST", "PEOPLE_CONFIDENCE", "GOODNESS", "FAIRNESS", "REPUTATION", "REPUTATION_PCT",
    "RATINGS_GIVEN", "RATINGS_RECEIVED", "NEGATIVE_RECEIVED", "NEGATIVE_FROM_RELIABLE",
    "MEAN_RATING_RECEIVED", "MEAN_RATING_GIVEN", "LAST_RATED_AT", "UNTRUSTWORTHY_SCORE", "WHY",
    "PREDICTED_RATING",
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

#: Methods of :func:`predict_ratings`, with what each predicts.
PREDICTION_METHODS = {
    "trustnet": "rater bias + reliability-weighted ratee trustworthiness, blended with the reciprocal rating",
    "baseline": "rater bias + reliability-weighted ratee trustworthiness (trustnet without reciprocity)",
    "fairness_goodness": "fairness(rater) x goodness(ratee) (Kumar et al. 2016)",
    "goodness": "goodness(ratee)",
    "reciprocal": "the rating the ratee gave the rater; goodness(ratee) when there is none",
    "mean": "the mean of all ratings (a reference)",
}

#: A rater is called reliable in explanations when fairness >= this: their ratings stray from
#: consensus by at most 0.4 on the [-1, 1] scale on average (a fifth of the range).
RELIABLE_FAIRNESS = 0.8
#: The reciprocal rating is one direct observation of the relationship, worth as much as all the
#: rest of the network's estimate together (equal weight), fading with the time between the two
#: ratings at the trust model's half-life.
RECIPROCAL_WEIGHT = 0.5


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


def _prepare(ratings: pd.DataFrame, scale: tuple[float, float] | None) -> _Network:
    """Validate a ratings table and turn it into a :class:`_Network`."""
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
    codes, ids = pd.factorize(np.concatenate([rater, ratee]), sort=True)
    m = len(rating)
    u, v = codes[:m].astype(np.int64), codes[m:].astype(np.int64)
    n = len(ids)
    key = u * n + v
    if len(np.unique(key)) < m:  # several ratings of one pair: their mean, dated by the latest
        pair, first = np.unique(key, return_inverse=True)
        count = np.bincount(first)
        w = np.bincount(first, weights=w) / count
        tt = pd.Series(t).groupby(first).max().to_numpy()
        u, v, t = pair // n, pair % n, tt
    return _Network(pd.Index(ids, dtype=object), u, v, w, t, low, high)


# --- fairness and goodness -------------------------------------------------------------------
def _fg_arrays(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int, tol: float, max_iter: int,
               start: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """The fairness/goodness iteration on arrays; nodes without evidence keep their start value."""
    indeg = np.bincount(v, minlength=n)
    outdeg = np.bincount(u, minlength=n)
    has_in, has_out = indeg > 0, outdeg > 0
    f, g = (np.ones(n), np.ones(n)) if start is None else (start[0].copy(), start[1].copy())
    for it in range(1, max_iter + 1):
        g_new = np.where(has_in, np.bincount(v, weights=f[u] * w, minlength=n) / np.maximum(indeg, 1), g)
        f_new = np.where(has_out, 1.0 - np.bincount(u, weights=np.abs(w - g_new[v]), minlength=n)
                         / (2.0 * np.maximum(outdeg, 1)), f)
        change = np.abs(g_new - g).sum() + np.abs(f_new - f).sum()
        f, g = f_new, g_new
        if change < tol:
            return f, g, it, True
    return f, g, max_iter, False


def _fairness_goodness(net: _Network, tol: float, max_iter: int) -> tuple[np.ndarray, np.ndarray, int, bool]:
    f, g, iterations, converged = _fg_arrays(net.u, net.v, net.w, net.n, tol, max_iter)
    f = np.where(np.bincount(net.u, minlength=net.n) > 0, f, np.nan)
    g = np.where(np.bincount(net.v, minlength=net.n) > 0, g, np.nan)
    if not converged:
        warnings.warn(f"fairness/goodness did not converge to {tol:g} in {max_iter} iterations; "
                      "raise max_iter", DataQualityWarning, stacklevel=3)
    return f, g, iterations, converged


def fairness_goodness(ratings: pd.DataFrame, *, scale: tuple[float, float] | None = None,
                      tol: float = 1e-6, max_iter: int = 200) -> tuple[pd.Series, pd.Series]:
    """Fairness of every rater and goodness of every ratee (Kumar et al., ICDM 2016).

    With ratings W(u, v) scaled to [-1, 1]: goodness g(v) is the mean over v's
    raters u of f(u) * W(u, v); fairness f(u) is 1 minus the mean over u's ratees
    v of |W(u, v) - g(v)| / 2. Both start at 1; each round updates goodness, then
    fairness, until the summed absolute changes of both fall below ``tol``.

    Parameters
    ----------
    ratings : DataFrame
        Columns ``rater``, ``ratee`` (ids, read as strings), ``rating`` (number)
        and optionally ``rated_at``.
    scale : (low, high), optional
        The rating scale; default symmetric around 0: ``(-max|rating|, max|rating|)``.
    tol : float
        Stop when the summed absolute change of fairness and goodness is below this
        (the paper's epsilon; it used 0.001).
    max_iter : int
        Give up (with a :class:`~trustnet.errors.DataQualityWarning`) after this many rounds.

    Returns
    -------
    fairness, goodness : Series
        Indexed by person id (sorted), named ``fairness`` and ``goodness``. Fairness is
        NaN for people who rated nobody, goodness NaN for people nobody rated.
        ``fairness.attrs["iterations"]`` and ``["converged"]`` tell how the iteration ended.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"rater": ["a", "b", "c"], "ratee": ["c", "c", "a"], "rating": [10, -10, 5]})
    >>> f, g = fairness_goodness(r)
    >>> f.round(3).to_dict()
    {'a': 0.5, 'b': 0.5, 'c': 1.0}
    >>> g.round(3).to_dict()
    {'a': 0.5, 'b': nan, 'c': 0.0}
    """
    net = _prepare(ratings, scale)
    f, g, iterations, converged = _fairness_goodness(net, tol, max_iter)
    index = pd.Index(net.ids, name=ID)
    fairness = pd.Series(f, index=index, name=FAIRNESS)
    goodness = pd.Series(g, index=index, name=GOODNESS)
    fairness.attrs.update(iterations=iterations, converged=converged)
    goodness.attrs.update(iterations=iterations, converged=converged)
    return fairness, goodness


# --- rating prediction -----------------------------------------------------------------------
def _biases(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int, weight: np.ndarray, strength: float,
            tol: float = 1e-9, max_iter: int = 100,
            start: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[float, np.ndarray, np.ndarray]:
    """Global mean, rater bias and ratee bias, each bias shrunk toward 0 by ``strength`` ratings.

    Alternating weighted least squares of w ~ mu + b_rater + b_ratee with a ridge of
    ``strength`` pseudo-ratings on every bias: a rater's bias is their mean offset, a
    ratee's the mean offset of what they received, both once the other side is accounted for.
    """
    mu = float(np.average(w, weights=weight))
    given = np.bincount(u, weights=weight, minlength=n) + strength
    got = np.bincount(v, weights=weight, minlength=n) + strength
    b_rater, b_ratee = (np.zeros(n), np.zeros(n)) if start is None else start
    for _ in range(max_iter):
        new_ratee = np.bincount(v, weights=weight * (w - mu - b_rater[u]), minlength=n) / got
        new_rater = np.bincount(u, weights=weight * (w - mu - new_ratee[v]), minlength=n) / given
        change = np.abs(new_ratee - b_ratee).sum() + np.abs(new_rater - b_rater).sum()
        b_rater, b_ratee = new_rater, new_ratee
        if change < tol:
            break
    return mu, b_rater, b_ratee


def _lookup(u: np.ndarray, v: np.ndarray, n: int, qu: np.ndarray, qv: np.ndarray) -> np.ndarray:
    """Position of each rating (qu -> qv) among (u -> v), -1 when absent or a node is unknown."""
    keys = pd.Index(u * n + v)
    pos = keys.get_indexer(np.where((qu >= 0) & (qv >= 0), qu * n + qv, -1))
    return np.where((qu >= 0) & (qv >= 0), pos, -1)


@dataclass(frozen=True)
class _Estimates:
    """What the network tells about every node, the inputs of every prediction method."""

    fairness: np.ndarray
    goodness: np.ndarray
    has_in: np.ndarray
    has_out: np.ndarray
    mean: float                 # plain mean rating
    mu: float                   # fairness-weighted mean rating
    b_rater: np.ndarray
    b_ratee: np.ndarray


def _estimate(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int, *, strength: float, tol: float,
              max_iter: int, start: _Estimates | None = None) -> _Estimates:
    """Fairness, goodness and biases; ``start`` warm-starts both iterations (leave-one-out)."""
    fg_start = None if start is None else (start.fairness, start.goodness)
    f, g, _, _ = _fg_arrays(u, v, w, n, tol, max_iter, start=fg_start)
    b_start = None if start is None else (start.b_rater, start.b_ratee)
    mu, b_rater, b_ratee = _biases(u, v, w, n, f[u], strength, tol=tol, max_iter=max_iter, start=b_start)
    return _Estimates(f, g, np.bincount(v, minlength=n) > 0, np.bincount(u, minlength=n) > 0,
                      float(w.mean()), mu, b_rater, b_ratee)


def _combine(est: _Estimates, pu: np.ndarray, pv: np.ndarray, reciprocal: np.ndarray, gap_days: np.ndarray,
             method: str, half_life_days: float) -> np.ndarray:
    """Predictions on [-1, 1] for pairs (pu -> pv).

    ``pu``/``pv`` are node indices, -1 for a person absent from the ratings; ``reciprocal``
    is the rating pv gave pu (NaN when none) and ``gap_days`` the days between that rating
    and the pair's date (NaN when either is undated).
    """
    if method == "mean":
        return np.full(len(pu), est.mean)
    known_u, known_v = pu >= 0, pv >= 0
    iu, iv = np.maximum(pu, 0), np.maximum(pv, 0)
    # fallbacks: an unknown or never-rated ratee is neutral (0); a rater who rated nobody is
    # taken at the iteration's start value, fairness 1 (no evidence against them)
    good = np.where(known_v & est.has_in[iv], est.goodness[iv], 0.0)
    fair = np.where(known_u & est.has_out[iu], est.fairness[iu], 1.0)
    has_back = ~np.isnan(reciprocal)
    if method == "goodness":
        return good
    if method == "fairness_goodness":
        return fair * good
    if method == "reciprocal":
        return np.where(has_back, reciprocal, good)
    base = est.mu + np.where(known_u, est.b_rater[iu], 0.0) + np.where(known_v, est.b_ratee[iv], 0.0)
    if method == "baseline":
        return np.clip(base, -1.0, 1.0)
    fade = np.where(np.isnan(gap_days), 1.0, 0.5 ** (np.nan_to_num(gap_days) / half_life_days))
    a = np.where(has_back, RECIPROCAL_WEIGHT * fade, 0.0)
    return np.clip(a * np.nan_to_num(reciprocal) + (1.0 - a) * base, -1.0, 1.0)


def _predict_arrays(net: _Network, pu: np.ndarray, pv: np.ndarray, pt: np.ndarray, method: str, *,
                    strength: float, half_life_days: float, tol: float, max_iter: int) -> np.ndarray:
    """Predictions on [-1, 1] for pairs of node indices (pu -> pv) from a whole network."""
    est = _estimate(net.u, net.v, net.w, net.n, strength=strength, tol=tol, max_iter=max_iter)
    back = _lookup(net.u, net.v, net.n, pv, pu)
    has_back = back >= 0
    reciprocal = np.where(has_back, net.w[np.maximum(back, 0)], np.nan)
    gap_days = np.abs(pt - np.where(has_back, net.t[np.maximum(back, 0)], np.nan)) / 86400.0
    return _combine(est, pu, pv, reciprocal, gap_days, method, half_life_days)


def predict_ratings(ratings: pd.DataFrame, pairs: pd.DataFrame, method: str = "trustnet", *,
                    scale: tuple[float, float] | None = None, settings: Settings | None = None) -> pd.Series:
    """Predict the rating each rater in ``pairs`` would give the ratee, from ``ratings``.

    Methods (all fit nothing: their constants are fixed and documented):

    - ``"trustnet"`` (default): the mean rating, plus the rater's bias (how they rate
      compared with others), plus the ratee's bias (how others rate them, each rating
      weighted by its rater's fairness), each bias shrunk toward 0 by
      ``settings.trust.prior_strength`` pseudo-ratings; then, when the ratee has
      rated the rater, blended half and half with that reciprocal rating, whose weight
      halves every ``settings.trust.half_life_days`` between the two ratings' dates
      (when both are known). Clipped to the scale.
    - ``"baseline"``: the same without the reciprocal rating.
    - ``"fairness_goodness"``: fairness(rater) x goodness(ratee), the published predictor.
    - ``"goodness"``: goodness(ratee).
    - ``"reciprocal"``: the rating the ratee gave the rater; goodness(ratee) when there is none.
    - ``"mean"``: the mean of all ratings.

    Fallbacks: a ratee nobody rated (or absent from ``ratings``) has goodness 0 and
    bias 0; a rater who rated nobody has fairness 1 and bias 0. So a pair of two
    strangers gets the neutral rating (or, for ``"trustnet"``, the network's mean).

    Parameters
    ----------
    ratings : DataFrame
        Columns ``rater``, ``ratee``, ``rating`` and optionally ``rated_at``.
    pairs : DataFrame
        Columns ``rater``, ``ratee`` and optionally ``rated_at`` (when the rating would be made).
    method : str
        One of :data:`PREDICTION_METHODS`.
    scale : (low, high), optional
        The rating scale; default symmetric around 0 (see :func:`fairness_goodness`).
    settings : Settings, optional
        ``trust.prior_strength``, ``trust.half_life_days``, ``trust.tolerance`` and
        ``trust.max_iterations`` are used.

    Returns
    -------
    Series
        ``predicted_rating`` on the input's own scale, indexed like ``pairs``.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"rater": ["a", "b", "b", "c"], "ratee": ["b", "a", "c", "a"],
    ...                   "rating": [8, 6, -10, 2]})
    >>> predict_ratings(r, pd.DataFrame({"rater": ["c"], "ratee": ["b"]}), "reciprocal").tolist()
    [-10.0]
    >>> predict_ratings(r, pd.DataFrame({"rater": ["x"], "ratee": ["y"]}), "fairness_goodness").tolist()
    [0.0]
    >>> float(predict_ratings(r, pd.DataFrame({"rater": ["a"], "ratee": ["b"]})).iloc[0]) > 0
    True
    """
    if method not in PREDICTION_METHODS:
        raise InputError(f"unknown prediction method {method!r}; choose one of {', '.join(PREDICTION_METHODS)}")
    settings = settings or Settings()
    net = _prepare(ratings, scale)
    frame = _check_columns(pairs, (schema.RATER, schema.RATEE), "pairs")
    pu = net.ids.get_indexer(frame[schema.RATER].astype(str).to_numpy())
    pv = net.ids.get_indexer(frame[schema.RATEE].astype(str).to_numpy())
    if schema.RATED_AT in frame.columns:
        pt = _seconds(frame[schema.RATED_AT])
    else:
        pt = np.full(len(frame), np.nan)
    trust = settings.trust
    pred = _predict_arrays(net, pu, pv, pt, method,
                           strength=trust.prior_strength, half_life_days=trust.half_life_days,
                           tol=trust.tolerance, max_iter=trust.max_iterations)
    return pd.Series(net.to_scale(pred), index=frame.index, name=PREDICTED_RATING)


# --- people ----------------------------------------------------------------------------------
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
    s = pd.Series
    mean_txt = ("; mean rating received " + s(np.round(np.nan_to_num(mean), 1)).map("{:+.1f}".format)
                + f" on {net.low:g}..{net.high:g}")
    received = (
        "rated negatively by " + s(neg).astype(str) + " of " + s(recv).astype(str) + " "
        + s(_plural(recv, "rater")) + ", " + s(rel).astype(str) + " of them reliable"
    ).where(neg > 0, "rated by " + s(recv).astype(str) + " " + s(_plural(recv, "rater")) + ", none negatively")
    received = received + mean_txt
    received = received.where(recv > 0, "nobody rated them")
    as_rater = np.where(
        given == 0, "",
        np.where(fair >= RELIABLE_FAIRNESS, "; a reliable rater: agrees with consensus (fairness ",
                 "; an unreliable rater: often against consensus (fairness ")
    )
    fair_txt = s(np.round(np.nan_to_num(fair), 2)).map("{:.2f}".format) + ")"
    as_rater = s(as_rater) + fair_txt.where(given > 0, "")
    return (received + as_rater).set_axis(table.index)


def score_ratings(ratings: pd.DataFrame, settings: Settings | None = None, *,
                  scale: tuple[float, float] | None = None) -> pd.DataFrame:
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
    """
    settings = settings or Settings()
    trust = settings.trust
    net = _prepare(ratings, scale)
    n, u, v, w = net.n, net.u, net.v, net.w
    f, g, _, _ = _fairness_goodness(net, trust.tolerance, trust.max_iterations)
    rater_fair = f[u]  # every rater has a fairness
    given = np.bincount(u, minlength=n)
    received = np.bincount(v, minlength=n)
    evidence = np.bincount(v, weights=rater_fair, minlength=n)
    k = trust.prior_strength
    people = (np.bincount(v, weights=rater_fair * (w + 1.0) / 2.0, minlength=n) + k / 2.0) / (evidence + k)
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
        ID: pd.array(net.ids, dtype="string"),
        PEOPLE_TRUST: np.where(received > 0, people, np.nan),
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
        LAST_RATED_AT: pd.to_datetime(last * 1e9, unit="ns").astype("datetime64[ns]"),
        UNTRUSTWORTHY_SCORE: (distrust + prior) / (distrust + trusted + 2.0 * prior),
    })
    table[WHY] = _explain(net, table)
    return table


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
        "first": pd.to_datetime(times.min() * 1e9, unit="ns") if len(times) else pd.NaT,
        "last": pd.to_datetime(times.max() * 1e9, unit="ns") if len(times) else pd.NaT,
    }


# --- measuring a ranking ---------------------------------------------------------------------
def _labels_scores(labels: Sequence[bool], scores: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(labels, dtype=bool)
    s = np.asarray(scores, dtype=float)
    if y.shape != s.shape or y.ndim != 1:
        raise InputError(f"labels and scores must be two sequences of one length; got {y.shape} and {s.shape}")
    if np.isnan(s).any():
        raise InputError(f"scores hold {int(np.isnan(s).sum())} NaN value(s); score every labelled item")
    if y.all() or not y.any():
        raise InputError("labels must hold both classes (some True, some False) to measure a ranking")
    return y, s


def roc_auc(labels: Sequence[bool], scores: Sequence[float]) -> float:
    """Area under the ROC curve: the chance a random positive outscores a random negative.

    Ties count one half (mid-ranks). ``labels`` are True for the positive class
    (for example "untrustworthy"); higher ``scores`` mean more likely positive.

    Examples
    --------
    >>> roc_auc([True, False, True, False], [0.9, 0.1, 0.4, 0.4])
    0.875
    """
    from scipy.stats import rankdata

    y, s = _labels_scores(labels, scores)
    ranks = rankdata(s)
    pos = int(y.sum())
    neg = len(y) - pos
    return float((ranks[y].sum() - pos * (pos + 1) / 2.0) / (pos * neg))


def average_precision(labels: Sequence[bool], scores: Sequence[float]) -> float:
    """Average precision: the mean, over thresholds, of precision weighted by the recall gained.

    Items with equal scores enter together (one threshold), as in the usual
    step-wise definition ``sum_k (R_k - R_{k-1}) P_k``.

    Examples
    --------
    >>> average_precision([True, False, True, False], [0.9, 0.1, 0.4, 0.4])
    0.833...
    """
    y, s = _labels_scores(labels, scores)
    order = np.argsort(-s, kind="stable")
    y, s = y[order], s[order]
    tp = np.cumsum(y)
    last = np.r_[np.flatnonzero(np.diff(s) != 0), len(s) - 1]  # last item of each tied group
    tp = tp[last]
    precision = tp / (last + 1.0)
    recall_gain = np.diff(np.r_[0, tp]) / y.sum()
    return float((recall_gain * precision).sum())
