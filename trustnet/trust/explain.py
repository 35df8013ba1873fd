"""The ``why`` text: the strongest evidence behind a relationship's scores, in plain words.

For each relationship, the (up to) two dimensions whose scores stand furthest
from neutral, weighted by confidence, are named with their level and score;
each is followed by the (up to) two kinds of evidence that pushed it most in
that direction (recency-weighted; the strongest kind of evidence when a prior
outweighs it all), with their counts and, for bad news, the date of the
latest one::

    process low (0.21): 2 complaints, 1 unresolved (last 3 Mar 2025); people high (0.84): referred 3 friends

A relationship without evidence says where its scores come from instead.
Everything is built with vectorised string operations on Arrow strings, never
a Python loop per relationship.

Levels: low < 0.35 ≤ weak < 0.5 ≤ fair < 0.65 ≤ good < 0.8 ≤ high.

Examples
--------
>>> level_names(np.array([0.2, 0.55, 0.9])).tolist()
['low', 'fair', 'high']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import schema as S
from .evidence import LABELS

__all__ = ["LEVELS", "level_names", "explain"]

#: (upper bound, name) of each level of a score.
LEVELS = ((0.35, "low"), (0.5, "weak"), (0.65, "fair"), (0.8, "good"), (np.inf, "high"))

_PRIOR_TEXT = np.array([
    "no evidence yet",
    "no direct evidence yet: scored from the trustee's other relationships",
    "no direct evidence yet: starts from their referrer's word",
], dtype=object)


def level_names(score: np.ndarray) -> np.ndarray:
    """The level word of each score (``""`` for NaN).

    Examples
    --------
    >>> level_names(np.array([0.35, np.nan])).tolist()
    ['weak', '']
    """
    bounds = np.array([b for b, _ in LEVELS])
    names = np.array([n for _, n in LEVELS] + [""], dtype=object)
    idx = np.searchsorted(bounds, score, side="right")
    idx = np.where(np.isnan(score), len(LEVELS), idx)
    return names[idx]


def _str(values) -> pd.Series:
    return pd.Series(values, dtype="str")


def explain(evidence: pd.DataFrame, w_eff: np.ndarray, score: np.ndarray, W: np.ndarray, prior: np.ndarray) -> pd.Series:
    """The ``why`` text of every relationship.

    Parameters
    ----------
    evidence : DataFrame
        The evidence table (``rel_idx``, ``dimension``, ``value``, ``at``, ``label``).
    w_eff : ndarray
        Recency-weighted weight of each piece of evidence.
    score, W : ndarray (n_rel × 3)
        Scores and recency-weighted evidence weight per dimension.
    prior : ndarray (n_rel,)
        0 no prior, 1 population prior, 2 referral-chain prior.

    Returns
    -------
    Series of str, one per relationship.

    Examples
    --------
    >>> ev = pd.DataFrame({"rel_idx": [0, 0, 0], "dimension": pd.Categorical(["process"] * 3, categories=["people", "process", "platform"]),
    ...                    "value": [0.1, 0.1, 0.9], "at": pd.to_datetime(["2025-03-01", "2025-03-03", "2025-01-01"]),
    ...                    "label": pd.Categorical(["complaint", "complaint", "praise"])})
    >>> score = np.array([[np.nan, 0.3, np.nan], [np.nan, np.nan, np.nan]])
    >>> W = np.array([[0.0, 3.0, 0.0], [0.0, 0.0, 0.0]])
    >>> explain(ev, np.ones(3), score, W, np.array([1, 0])).tolist()
    ['process low (0.30): 2 complaints (last 3 Mar 2025)', 'no evidence yet']
    """
    n_rel = len(score)
    has = W > 1e-12
    conf = np.where(has, W / (W + 2.0), 0.0)
    strength = np.where(has & ~np.isnan(score), np.abs(np.nan_to_num(score) - 0.5) * conf + 1e-9, -1.0)
    rank = np.argsort(-strength, axis=1, kind="stable")  # dimension codes, strongest first
    chosen = np.zeros((n_rel, 3), np.int8) - 1  # slot of each (rel, dim) or -1
    for slot in range(2):
        d = rank[:, slot]
        ok = strength[np.arange(n_rel), d] > 0
        chosen[np.flatnonzero(ok), d[ok]] = slot

    # --- evidence groups (rel, dim, label) on the chosen dimensions
    rel = evidence["rel_idx"].to_numpy(np.int64)
    dim = evidence["dimension"].cat.codes.to_numpy(np.int64)
    lab = evidence["label"].cat.codes.to_numpy(np.int64)
    n_lab = max(len(evidence["label"].cat.categories), 1)
    slot = chosen[rel, dim] if len(rel) else np.array([], np.int8)
    keep = slot >= 0
    rel, dim, lab, slot = rel[keep], dim[keep], lab[keep], slot[keep]
    impact = (w_eff[keep] * (evidence["value"].to_numpy(float)[keep] - 0.5))
    at = evidence["at"].to_numpy("datetime64[ns]")[keep].astype(np.int64)
    key = (rel * 3 + dim) * n_lab + lab
    codes, ukey = pd.factorize(key, sort=False)
    g_n = np.bincount(codes, minlength=len(ukey))
    g_imp = np.bincount(codes, weights=impact, minlength=len(ukey))
    g_last = np.full(len(ukey), np.iinfo(np.int64).min)
    if len(codes):
        np.maximum.at(g_last, codes, at)
    ukey = np.asarray(ukey, np.int64)
    g_lab = ukey % n_lab
    g_rd = ukey // n_lab
    g_rel, g_dim = g_rd // 3, g_rd % 3
    direction = np.sign(score[g_rel, g_dim] - 0.5)
    direction = np.where(direction == 0, -1.0, direction)
    aligned = g_imp * direction
    # per (relationship, dimension): the two groups that pushed most in the score's direction;
    # when none did (a prior outweighs the evidence), the single strongest group
    g = np.lexsort((-np.abs(g_imp), (aligned <= 1e-12), g_rd))
    first = np.r_[True, g_rd[g][1:] != g_rd[g][:-1]] if len(g) else np.array([], bool)
    start = np.maximum.accumulate(np.where(first, np.arange(len(g)), 0)) if len(g) else np.array([], np.int64)
    within = np.arange(len(g)) - start
    take = (within == 0) | ((within == 1) & (aligned[g] > 1e-12))
    g, within = g[take], within[take]

    # phrases of the chosen groups
    cats = list(evidence["label"].cat.categories) or [""]
    forms = [LABELS.get(c, ("{n} " + c, "{n} " + c)) for c in cats]
    split = {  # (plural?) -> (prefix, suffix, has a count) per label
        p: ([f[p].split("{n}", 1)[0] for f in forms], [f[p].split("{n}", 1)[-1] if "{n}" in f[p] else "" for f in forms],
            ["{n}" in f[p] for f in forms])
        for p in (0, 1)
    }
    n_g = g_n[g]
    one = n_g == 1
    lab_g = g_lab[g]

    def pick(i):
        return np.where(one, np.array(split[0][i], dtype=object)[lab_g], np.array(split[1][i], dtype=object)[lab_g])

    pre, post, has_n = _str(pick(0)), _str(pick(1)), pick(2).astype(bool)
    counts = np.arange(int(n_g.max()) + 1 if len(n_g) else 1).astype(str).astype(object)
    count_txt = np.where(has_n, counts[n_g], "")
    last = g_last[g]
    show_date = (g_imp[g] < 0) & (last != np.iinfo(np.int64).min)
    date_txt = np.full(len(g), "", dtype=object)
    date_txt[show_date] = _format_dates(last[show_date])
    phrase = (
        pre + _str(count_txt) + post
        + _str(np.where(show_date, " (last ", "")) + _str(date_txt) + _str(np.where(show_date, ")", ""))
    )

    # --- assemble: per relationship, two dimension slots, each with up to two phrases
    g_slot = chosen[g_rel[g], g_dim[g]]
    parts = {}
    for s in range(2):
        for j in range(2):
            m = (g_slot == s) & (within == j)
            col = np.full(n_rel, "", dtype=object)
            col[g_rel[g][m]] = phrase.to_numpy(dtype=object)[m]
            parts[(s, j)] = _str(col)
    sections = []
    hundredths = np.array([f"{i / 100:.2f}" for i in range(101)], dtype=object)
    for s in range(2):
        dslot = np.full(n_rel, -1)
        rows, dims = np.nonzero(chosen == s)
        dslot[rows] = dims
        present = dslot >= 0
        sc = np.where(present, score[np.arange(n_rel), np.maximum(dslot, 0)], np.nan)
        head = (
            _str(np.array(S.DIMENSIONS + ("",), dtype=object)[np.where(present, dslot, 3)])
            + " " + _str(level_names(sc)) + " ("
            + _str(hundredths[np.clip(np.rint(np.nan_to_num(sc) * 100), 0, 100).astype(int)]) + ")"
        )
        body = parts[(s, 0)] + _str(np.where(parts[(s, 1)] != "", ", ", "")) + parts[(s, 1)]
        text = head + _str(np.where(body != "", ": ", "")) + body
        sections.append(text.where(present, ""))
    why = sections[0] + _str(np.where(sections[1] != "", "; ", "")) + sections[1]
    fallback = _str(_PRIOR_TEXT[np.clip(prior, 0, 2)])
    return why.where(why != "", fallback)


def _format_dates(ns: np.ndarray) -> np.ndarray:
    """'3 Mar 2025' for each int64 nanosecond time; formatting happens once per distinct day."""
    if not len(ns):
        return np.array([], dtype=object)
    days = ns // (86_400 * 10**9)
    codes, uniq = pd.factorize(days, sort=False)
    stamps = pd.to_datetime(np.asarray(uniq, np.int64) * 86_400, unit="s")
    text = np.array([f"{t.day} {t.strftime('%b %Y')}" for t in stamps], dtype=object)
    return text[codes]
