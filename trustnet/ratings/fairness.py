"""Fairness and goodness (Kumar, Spezzano, Subrahmanian, Faloutsos, ICDM 2016).

A rater's fairness (reliability, 0..1) is how closely their ratings agree with
consensus; a ratee's goodness (trustworthiness, -1..1) is the fairness-weighted
mean of the ratings they received. Iterated on numpy arrays (``np.bincount`` over
the rating list, i.e. sparse matrix-vector products).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import DataQualityWarning
from .network import FAIRNESS, GOODNESS, ID, _Network, _prepare

__all__ = ["fairness_goodness"]


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

