"""Measuring a ranking against labels: ROC AUC and average precision, numpy only."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import InputError

__all__ = ["roc_auc", "average_precision"]


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
