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
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema as S
from .._memory import release_memory
from ..graph import sort_order
from .evidence import LABELS

__all__ = ["LEVELS", "level_names", "explain"]

#: (upper bound, name) of each level of a score.
LEVELS = ((0.35, "low"), (0.5, "weak"), (0.65, "fair"), (0.8, "good"), (np.inf, "high"))

_TEXT_BLOCK = 1 << 18  # relationships whose lines are joined at a time

_PRIOR_TEXT = np.array([
    "no evidence yet",
    "no direct evidence yet: scored from how others trust them",
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
    chosen = _chosen_dimensions(score, W)
    g_rel, g_dim, g_lab, n_g, g_imp, last, aligned, within = _strongest_groups(evidence, w_eff, score, chosen)
    release_memory()  # the grouping's scratch (sorts over every piece of evidence), before the text

    # --- phrases of the chosen groups from two small vocabularies: one text per distinct
    # (phrase form, count) and one " (last 3 Mar 2025)" per distinct day; no Python per group
    cats = list(evidence["label"].cat.categories) or [""]
    forms = [LABELS.get(c, ("{n} " + c, "{n} " + c)) for c in cats]
    show_date = (g_imp < 0) & (last != np.iinfo(np.int64).min)
    # "despite" marks evidence against the score's direction; a middling score is never against anything
    mid = cats.index("mid score") if "mid score" in cats else -1
    form = ((g_lab * 2 + (n_g != 1)) * 2 + within) * 2 + ((aligned > 1e-12) | (g_lab == mid))
    n_span = int(n_g.max()) + 1 if len(n_g) else 1
    phrase_code, ukeys = pd.factorize(form.astype(np.int64) * n_span + n_g, sort=False)
    texts = []
    for key in np.asarray(ukeys, np.int64).tolist():
        f, cnt = divmod(key, n_span)
        f, is_aligned = divmod(f, 2)
        f, j = divmod(f, 2)
        label, plural = divmod(f, 2)
        texts.append((", " if j else ": ") + ("" if is_aligned else "despite ")
                     + forms[label][plural].replace("{n}", str(cnt)))
    day_code, udays = pd.factorize(last[show_date] // _DAY_NS, sort=False)
    dates = [f" (last {d})" for d in _format_days(np.asarray(udays, np.int64))]

    # --- heads: "process low (0.21)" for each dimension and hundredth; the second one after "; "
    heads = [
        ("; " if slot else "") + f"{dim} {level_names(np.array([h / 100]))[0]} ({h / 100:.2f})"
        for slot in range(2) for dim in S.DIMENSIONS for h in range(101)
    ]
    fallback = list(_PRIOR_TEXT)
    vocab = pa.array(heads + texts + dates + fallback + [""], type=pa.string())
    empty = len(vocab) - 1
    base_text, base_date = len(heads), len(heads) + len(texts)
    base_fallback = base_date + len(dates)

    # components per relationship: per slot (head, phrase a, date a, phrase b, date b), then the fallback
    n_comp = 11
    comp = np.full((n_rel, n_comp), empty, np.int32)
    col = chosen[g_rel, g_dim].astype(np.int64) * 5 + 1 + 2 * within
    comp[g_rel, col] = base_text + phrase_code
    comp[g_rel[show_date], col[show_date] + 1] = base_date + day_code
    for slot_ in range(2):
        rows, dims = np.nonzero(chosen == slot_)
        h = np.clip(np.rint(score[rows, dims] * 100), 0, 100).astype(np.int64)
        comp[rows, slot_ * 5] = slot_ * 303 + dims * 101 + h
    no_text = (chosen < 0).all(axis=1)
    comp[no_text, 10] = base_fallback + np.clip(prior[no_text].astype(np.int64), 0, 2)

    # the components each relationship has, row by row, as one Arrow list per relationship: one take, one join
    if not n_rel:
        return pd.Series([], dtype="str")
    # the lines a block of relationships at a time: a block's parts are scratch, only its lines stay
    # (at a million customers, all parts at once raised the trust stage's peak by about 200 MiB)
    lines = []
    for start in range(0, n_rel, _TEXT_BLOCK):
        block = comp[start:start + _TEXT_BLOCK]
        present = block != empty
        offsets = np.zeros(len(block) + 1, np.int64)
        np.cumsum(present.sum(axis=1), out=offsets[1:])
        parts = pc.take(vocab, pa.array(block[present]))
        lines.append(pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets), parts), ""))
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(lines, type=pa.string()))).astype("str")


def _chosen_dimensions(score: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Slot (0 first, 1 second, -1 not named) of each relationship's dimensions: the two furthest from
    neutral, weighted by confidence, among those with evidence."""
    n_rel = len(score)
    has = W > 1e-12
    strength = np.where(has & ~np.isnan(score), np.abs(np.nan_to_num(score) - 0.5) * (W / (W + 2.0)) + 1e-9, -1.0)
    rank = np.argsort(-strength, axis=1, kind="stable")  # dimension codes, strongest first
    chosen = np.full((n_rel, 3), -1, np.int8)
    for level in range(2):
        d = rank[:, level]
        ok = strength[np.arange(n_rel), d] > 0
        chosen[np.flatnonzero(ok), d[ok]] = level
    return chosen


def _strongest_groups(evidence: pd.DataFrame, w_eff: np.ndarray, score: np.ndarray, chosen: np.ndarray
                      ) -> tuple[np.ndarray, ...]:
    """The (up to) two kinds of evidence named per chosen (relationship, dimension).

    Evidence is grouped by (relationship, dimension, label): one sort of the kept rows' keys, then sums
    over each run of equal keys (the stable sort keeps each group's rows, and so its sums, in input
    order). Per (relationship, dimension) — a run of groups — the two groups that pushed most in the
    score's direction; when none did (a prior outweighs the evidence), the single strongest. Ranked by
    aligned first, then |impact| descending (float32 bits keep the order), then the group seen first;
    best and second best by two minimum passes, no second sort.

    Returns ``rel, dim, label, count, impact, last (int64 ns), aligned impact, within (0 or 1)`` of
    the named groups.
    """
    n_rel = len(score)
    rel = evidence["rel_idx"].to_numpy(np.int64)
    dim = evidence["dimension"].cat.codes.to_numpy()
    lab = evidence["label"].cat.codes.to_numpy()
    n_lab = max(len(evidence["label"].cat.categories), 1)
    rows = np.flatnonzero(chosen[rel, dim] >= 0) if len(rel) else np.zeros(0, np.int64)
    key = rel[rows]
    key *= 3
    key += dim[rows]
    key *= n_lab
    key += lab[rows]
    order = sort_order(key, (n_rel * 3) * n_lab)
    rows = rows[order]
    key = key[order]
    del order
    if not len(rows):
        empty = np.zeros(0, np.int64)
        return empty, empty, empty, empty, np.zeros(0), empty, np.zeros(0), empty
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    ukey = key[starts]
    del key
    count = np.diff(np.r_[starts, len(rows)])
    value = evidence["value"].to_numpy(float)
    impact = np.add.reduceat(w_eff[rows] * (value[rows] - 0.5), starts)
    at = evidence["at"].to_numpy("datetime64[ns]").view(np.int64)
    last = np.maximum.reduceat(at[rows], starts)
    first_row = rows[starts]  # each group's earliest piece of evidence: ties go to the group seen first
    del rows, at, value, starts
    rd = ukey // n_lab  # rel * 3 + dim: a flat index into score
    aligned = impact * np.where(score.ravel()[rd] > 0.5, 1.0, -1.0)
    strength_bits = np.abs(impact).astype(np.float32).view(np.int32).astype(np.int64)
    pos_bits = max(len(evidence) - 1, 1).bit_length()  # 32 + pos_bits < 63 up to 2**30 pieces of evidence
    rank_key = ((((aligned <= 1e-12).astype(np.int64) << 31) | (0x7FFFFFFF - strength_bits)) << pos_bits) | first_row
    del strength_bits, first_row
    run_new = np.r_[True, rd[1:] != rd[:-1]]
    run_starts = np.flatnonzero(run_new)
    run_of = np.cumsum(run_new) - 1
    best = rank_key == np.minimum.reduceat(rank_key, run_starts)[run_of]
    rank_key[best] = np.iinfo(np.int64).max
    second = ~best & (aligned > 1e-12) & (rank_key == np.minimum.reduceat(rank_key, run_starts)[run_of])
    g = np.flatnonzero(best | second)
    return (rd[g] // 3, rd[g] % 3, ukey[g] % n_lab, count[g], impact[g], last[g], aligned[g],
            second[g].astype(np.int64))


_DAY_NS = 86_400 * 10**9


def _format_days(days: np.ndarray) -> list[str]:
    """'3 Mar 2025' for each day number since 1970 ('' for -1); formatted once per distinct day."""
    uniq, inv = np.unique(days, return_inverse=True)
    stamps = pd.to_datetime(uniq * 86_400, unit="s")
    text = np.array([f"{t.day} {t.strftime('%b %Y')}" if d >= 0 else "" for t, d in zip(stamps, uniq)], dtype=object)
    return text[np.asarray(inv).ravel()].tolist()
