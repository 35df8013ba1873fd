"""Rating prediction: the rating a rater would give a ratee, by several documented methods."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import schema
from ..errors import InputError
from ..settings import Settings
from .fairness import _fg_arrays
from .network import PREDICTED_RATING, _check_columns, _lookup, _Network, _prepare, _seconds

__all__ = ["predict_ratings", "PREDICTION_METHODS", "reciprocity"]

#: Methods of :func:`predict_ratings`, with what each predicts.
PREDICTION_METHODS = {
    "trustnet": "rater bias + reliability-weighted ratee trustworthiness, blended with the reciprocal rating",
    "baseline": "rater bias + reliability-weighted ratee trustworthiness (trustnet without reciprocity)",
    "fairness_goodness": "fairness(rater) x goodness(ratee) (Kumar et al. 2016)",
    "goodness": "goodness(ratee)",
    "reciprocal": "the rating the ratee gave the rater; goodness(ratee) when there is none",
    "mean": "the mean of all ratings (a reference)",
}

#: Fewest reciprocated pairs from which a network's reciprocity is measured; below it, 0.
MIN_RECIPROCATED_PAIRS = 10


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
    reciprocity: float          # 0..1, see reciprocity()


def _reciprocity(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> float:
    back = _lookup(u, v, n, v, u)
    both = back >= 0
    if both.sum() < 2 * MIN_RECIPROCATED_PAIRS:
        return 0.0
    x, y = w[both], w[back[both]]
    if x.std() == 0:
        return 0.0
    return float(np.clip(np.corrcoef(x, y)[0, 1], 0.0, 1.0))


def reciprocity(ratings: pd.DataFrame, *, scale: tuple[float, float] | None = None) -> float:
    """How far a rating network answers in kind: the correlation of a rating with its reverse.

    The Pearson correlation between W(u, v) and W(v, u) over every pair who rated each
    other, clipped to 0..1 (0 when fewer than 10 pairs did). Both directions have the
    same spread, so this is also the slope of a rating on its reverse: the
    ``"trustnet"`` prediction gives a reciprocal rating this weight. On a network where
    people answer in kind (Bitcoin OTC: 0.61) the reciprocal rating counts; on one where
    they do not, it is ignored.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"rater": list("abcdefghijklmnopqrst"), "ratee": list("badcfehgjilknmporqts"),
    ...                   "rating": [5, 5, -3, -2, 8, 9, 1, 2, -9, -10, 4, 4, 6, 7, -1, -1, 2, 3, 10, 10]})
    >>> round(reciprocity(r), 2)
    0.99
    """
    net = _prepare(ratings, scale)
    return _reciprocity(net.u, net.v, net.w, net.n)


def _estimate(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int, *, strength: float, tol: float,
              max_iter: int, start: _Estimates | None = None, reciprocity: float | None = None) -> _Estimates:
    """Fairness, goodness, biases and reciprocity; ``start`` warm-starts the iterations.

    ``reciprocity`` may be given when the caller knows it (leave-one-out computes it for
    every held-out rating at once).
    """
    fg_start = None if start is None else (start.fairness, start.goodness)
    f, g, _, _ = _fg_arrays(u, v, w, n, tol, max_iter, start=fg_start)
    b_start = None if start is None else (start.b_rater, start.b_ratee)
    mu, b_rater, b_ratee = _biases(u, v, w, n, f[u], strength, tol=tol, max_iter=max_iter, start=b_start)
    if reciprocity is None:
        reciprocity = _reciprocity(u, v, w, n)
    return _Estimates(f, g, np.bincount(v, minlength=n) > 0, np.bincount(u, minlength=n) > 0,
                      float(w.mean()), mu, b_rater, b_ratee, reciprocity)


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
    a = np.where(has_back, est.reciprocity * fade, 0.0)
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

    Methods (none is fitted to labels; their constants are fixed and documented):

    - ``"trustnet"`` (default): the mean rating, plus the rater's bias (how they rate
      compared with others), plus the ratee's bias (how others rate them, each rating
      weighted by its rater's fairness), each bias shrunk toward 0 by
      ``settings.trust.prior_strength`` pseudo-ratings; then, when the ratee has
      rated the rater, blended with that reciprocal rating. Its weight is the network's
      :func:`reciprocity` ``r`` (how far its people answer in kind, measured on
      ``ratings``: the slope of a rating on its reverse, 0 on a network without
      reciprocity), halved every ``settings.trust.half_life_days`` between the two
      ratings' dates (when both are known); the rest of the network fills ``1 - r``.
      Clipped to the scale.
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
    pu = net.ids.get_indexer(pd.Index(frame[schema.RATER].astype(str).to_numpy()))
    pv = net.ids.get_indexer(pd.Index(frame[schema.RATEE].astype(str).to_numpy()))
    if schema.RATED_AT in frame.columns:
        pt = _seconds(frame[schema.RATED_AT])
    else:
        pt = np.full(len(frame), np.nan)
    trust = settings.trust
    pred = _predict_arrays(net, pu, pv, pt, method,
                           strength=trust.prior_strength, half_life_days=trust.half_life_days,
                           tol=trust.tolerance, max_iter=trust.max_iterations)
    return pd.Series(net.to_scale(pred), index=frame.index, name=PREDICTED_RATING)

