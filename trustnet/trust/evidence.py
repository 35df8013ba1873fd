"""Evidence: every observation of an export as (relationship, dimension, value, weight, time).

A piece of evidence says something about one relationship (truster → trustee)
on one dimension: a value in [0, 1] (0 betrayal, 0.5 neutral, 1 delight) and a
weight (how much it counts before recency). :data:`EVIDENCE` is the table that
turns referral outcomes, rating scales and events into evidence; it can be
overridden, entry by entry, through ``settings.trust.evidence`` (the
``[trust.evidence]`` table of ``trustnet.toml``)::

    [trust.evidence.event]
    complaint = ["process", 0.05, 3.0]        # one piece of evidence
    churned = [["people", 0.1, 2.0], ["process", 0.0, 2.0]]   # or several

How the values and weights were chosen. The unit of weight is one direct
rating (a score on a touchpoint of that dimension): a rating *reads* the
customer's trust, while a referral, an outcome or an event is a sign of it, so
each counts a quarter to a half of a rating — "strong" evidence is strong in
its value (far from neutral), not in outweighing what customers say. Values
follow ../shared/DESIGN.md: a complaint is strongly negative (0.15) but a fast
resolution outweighs it (complaint 0.15 × 0.4 plus resolved-at-once 0.95 × 0.6
average 0.63: mildly positive; resolved after two weeks the pair averages
0.37); unresolved complaints and denied refunds are near betrayal (0.05);
relationships break through a combination of events, so a churn is a moderate
negative on all three dimensions (0.3), the events before it carrying the rest.
On generated worlds with known truth (``benchmarks/trust_accuracy.py``) the
first version of this table, with events weighing 1-2 ratings each and churn
a betrayal (0.05) on all three, ranked relationships visibly worse than the
ratings alone did; this one adds to them.

The sections and the relationship their evidence lands on:

``referral.made``
    a referral A → B for provider P, on A → P (kind ``advocate``): the advocate
    staked their reputation on P. Strong people evidence.
``status.converted`` / ``status.declined``
    on B → A (kind ``referred_by``): B acted on A's word (people trust in A), or
    did not (mild negative).
``status.churned``
    on B → P: the referred customer left (process and people).
``event.<name>``
    a touchpoint event, on customer → provider. The dimension ``"touchpoint"``
    means the touchpoint's own dimension (see below). ``resolved`` is worth its
    table value when resolved at once and falls towards neutral with
    ``response_days`` (half the distance every ``response_half_life_days``).
``score.rating``
    a touchpoint score, mapped to [0, 1] by its scale (``nps`` s/10, ``csat`` and
    ``stars`` (s-1)/4, ``signed`` (s+10)/20, ``unit`` as is; the value column
    of the entry is ignored). A score without a scale gets one inferred from
    the range of the scores under the same touchpoint name, the first range
    that holds them all (0..1 unit, 1..5 stars, 0..10 nps, -10..10 signed,
    0..100 percent); what was inferred is
    reported in ``TrustScores.inferred_scales``. Scores outside their scale are
    clipped.
``response.response_days``
    a response time without a ``resolved`` event, on the process dimension:
    value 0.1 + 0.8 · 0.5^(days / response_half_life_days) (0.9 at once, 0.5
    after one half-life, towards 0.1 when very slow).

A touchpoint's dimension is its ``dimension`` column when given, else the last
keyword of :data:`KEYWORDS` found in its name as a whole word, plural allowed
("delivery driver" → people, "app login" → platform). Names with only a generic
survey word (:data:`GENERIC_KEYWORDS`: nps, csat, survey, review, rating, ...)
spread their evidence over the three dimensions at a third of the weight each:
a general survey answer says something about all three, and no more in total
than one specific answer. Names no keyword maps are listed in
``TrustScores.unmapped_touchpoints`` and their rows give nothing that needs
the dimension; they are never guessed.

Examples
--------
>>> EVIDENCE["event"]["complaint"]
(('process', 0.15, 0.4),)
>>> touchpoint_dimensions(pd.Series(["app review", "Delivery driver", "NPS survey", "misc"]), {}).tolist()
['platform', 'people', 'all', nan]
"""

from __future__ import annotations

import math
import re
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .. import schema as S
from ..errors import SettingsError
from ..graph import ADVOCATE_REL, CUSTOMER_REL, REFERRED_BY_REL, TIE_REL, TrustGraph
from ..settings import Settings

__all__ = [
    "EVIDENCE", "KEYWORDS", "GENERIC_KEYWORDS", "ALL_DIMENSIONS", "LABELS", "SOURCES",
    "evidence_table", "touchpoint_dimensions", "infer_scales", "build_evidence", "relationship_rows",
]

#: The dimension name that means "spread over the three at a third of the weight each".
ALL_DIMENSIONS = "all"
#: In an entry, the dimension that means "the touchpoint's own dimension".
TOUCHPOINT_DIMENSION = "touchpoint"

_NAN = math.nan

EVIDENCE: dict[str, dict[str, tuple[tuple[str, float, float], ...]]] = {
    "referral": {
        "made": ((S.PEOPLE, 0.9, 0.25),),
    },
    "status": {
        S.CONVERTED: ((S.PEOPLE, 1.0, 1.0),),
        S.DECLINED: ((S.PEOPLE, 0.35, 0.5),),
        S.CHURNED: ((S.PROCESS, 0.3, 0.4), (S.PEOPLE, 0.3, 0.25)),
        S.PENDING: (),
    },
    "event": {
        "complaint": ((S.PROCESS, 0.15, 0.4),),
        "resolved": ((S.PROCESS, 0.95, 0.6),),
        "unresolved": ((S.PROCESS, 0.05, 0.5),),
        "outage": ((S.PLATFORM, 0.1, 0.4),),
        "delay": ((S.PROCESS, 0.25, 0.25),),
        "refund_denied": ((S.PROCESS, 0.05, 0.5),),
        "refund": ((S.PROCESS, 0.7, 0.25),),
        "escalation": ((S.PROCESS, 0.2, 0.4),),
        "praise": ((TOUCHPOINT_DIMENSION, 0.9, 0.25),),
        "churned": ((S.PEOPLE, 0.3, 0.25), (S.PROCESS, 0.3, 0.25), (S.PLATFORM, 0.3, 0.25)),
        "contact": (),
    },
    "score": {
        "rating": ((TOUCHPOINT_DIMENSION, _NAN, 1.0),),
    },
    "response": {
        "response_days": ((S.PROCESS, _NAN, 0.25),),
    },
}
"""The evidence table: section → name → pieces of (dimension, value, weight)."""

KEYWORDS: dict[str, str] = {
    **dict.fromkeys(
        ["app", "web", "website", "portal", "online", "checkout", "login", "ivr", "chatbot", "platform",
         "outage", "site", "digital"], S.PLATFORM),
    **dict.fromkeys(
        ["delivery", "billing", "invoice", "complaint", "repair", "installation", "refund", "order",
         "booking", "process", "service", "claim"], S.PROCESS),
    **dict.fromkeys(
        ["agent", "advisor", "adviser", "technician", "driver", "engineer", "staff", "rep",
         "tradesperson", "visit", "people", "person"], S.PEOPLE),
}
"""Touchpoint-name keyword → dimension (``settings.trust.keywords`` adds or replaces pairs)."""

GENERIC_KEYWORDS: tuple[str, ...] = ("nps", "csat", "survey", "review", "rating", "feedback", "score", "stars")
"""Words of general surveys: spread over the three dimensions unless a specific keyword is present."""

#: Evidence sources (the ``source`` column).
SOURCES = ("referral", "status", "event", "score", "response")

#: label → (singular, plural) phrase; "{n}" is the count. Used by the ``why`` text.
LABELS: dict[str, tuple[str, str]] = {
    "referral": ("referred {n} friend", "referred {n} friends"),
    "converted": ("{n} referral acted on", "{n} referrals acted on"),
    "declined": ("{n} referral declined", "{n} referrals declined"),
    "churned": ("churned", "churned {n} times"),
    "complaint": ("{n} complaint", "{n} complaints"),
    "resolved": ("{n} complaint resolved", "{n} complaints resolved"),
    "unresolved": ("{n} unresolved", "{n} unresolved"),
    "outage": ("{n} outage", "{n} outages"),
    "delay": ("{n} delay", "{n} delays"),
    "refund_denied": ("{n} refund denied", "{n} refunds denied"),
    "refund": ("{n} refund", "{n} refunds"),
    "escalation": ("{n} escalation", "{n} escalations"),
    "praise": ("{n} praise", "{n} praises"),
    "low score": ("{n} low score", "{n} low scores"),
    "mid score": ("{n} middling score", "{n} middling scores"),
    "high score": ("{n} high score", "{n} high scores"),
    "slow response": ("{n} slow response", "{n} slow responses"),
    "fast response": ("{n} fast response", "{n} fast responses"),
}

_EVENT_LABEL = {"churned": "churned"}
_DIM_CODE = {d: i for i, d in enumerate(S.DIMENSIONS)}
_INFERRED_SCALES = (  # (name, low, high), tried in order: the first range that holds every score wins
    ("unit", 0.0, 1.0), ("stars", 1.0, 5.0), ("nps", 0.0, 10.0), ("signed", -10.0, 10.0), ("percent", 0.0, 100.0),
)


def evidence_table(overrides: Mapping[str, Any] | None = None) -> dict[str, dict[str, tuple[tuple[str, float, float], ...]]]:
    """The evidence table with ``overrides`` (``settings.trust.evidence``) applied and checked.

    Parameters
    ----------
    overrides : mapping, optional
        ``{section: {name: [dimension, value, weight]}}`` or a list of such
        triples per name; an empty list removes the evidence.

    Returns
    -------
    dict
        section → name → tuple of (dimension, value, weight).

    Examples
    --------
    >>> evidence_table({"event": {"complaint": ["process", 0.0, 3.0]}})["event"]["complaint"]
    (('process', 0.0, 3.0),)
    >>> evidence_table({"event": {"lost_parcel": ["process", 0.1, 1.0]}})["event"]["lost_parcel"]
    (('process', 0.1, 1.0),)
    """
    table = {section: dict(entries) for section, entries in EVIDENCE.items()}
    for section, entries in (overrides or {}).items():
        if section not in table:
            raise SettingsError(
                f"unknown evidence section trust.evidence.{section}; valid sections are " + ", ".join(table)
            )
        if not isinstance(entries, Mapping):
            raise SettingsError(f"trust.evidence.{section} must be a table of name = [dimension, value, weight]")
        for name, spec in entries.items():
            where = f"trust.evidence.{section}.{name}"
            if section != "event" and name not in table[section]:
                raise SettingsError(f"unknown entry {where}; valid names are " + ", ".join(table[section]))
            table[section][name] = _pieces(spec, where, allow_touchpoint=section in ("event", "score"))
    return table


def _pieces(spec: Any, where: str, allow_touchpoint: bool) -> tuple[tuple[str, float, float], ...]:
    if isinstance(spec, (list, tuple)) and len(spec) == 3 and isinstance(spec[0], str):
        spec = [spec]
    if not isinstance(spec, (list, tuple)):
        raise SettingsError(f"{where} must be [dimension, value, weight] or a list of them, got {spec!r}")
    valid = list(S.DIMENSIONS) + ([TOUCHPOINT_DIMENSION] if allow_touchpoint else [])
    out = []
    for piece in spec:
        if not (isinstance(piece, (list, tuple)) and len(piece) == 3):
            raise SettingsError(f"{where} must be [dimension, value, weight] or a list of them, got {spec!r}")
        dim, value, weight = piece
        if dim not in valid:
            raise SettingsError(f"{where}: dimension {dim!r} is not one of " + ", ".join(valid))
        try:
            value, weight = float(value), float(weight)
        except (TypeError, ValueError):
            raise SettingsError(f"{where}: value and weight must be numbers, got {piece!r}") from None
        if not (0.0 <= value <= 1.0 or math.isnan(value)) or weight < 0:
            raise SettingsError(f"{where}: value must lie in [0, 1] and weight be >= 0, got {piece!r}")
        out.append((dim, value, weight))
    return tuple(out)


def _keyword_table(extra: Mapping[str, str]) -> dict[str, str]:
    table = dict(KEYWORDS)
    table.update({kw: ALL_DIMENSIONS for kw in GENERIC_KEYWORDS})
    for kw, dim in (extra or {}).items():
        if dim not in (*S.DIMENSIONS, ALL_DIMENSIONS):
            raise SettingsError(
                f"trust.keywords.{kw} = {dim!r}: a keyword maps to one of "
                + ", ".join((*S.DIMENSIONS, ALL_DIMENSIONS))
            )
        table[str(kw).lower()] = dim
    return table


def touchpoint_dimensions(names: pd.Series, keywords: Mapping[str, str] | None = None) -> pd.Series:
    """The dimension of each touchpoint name by keyword (``"all"`` for generic surveys, NaN when unmapped).

    The last specific keyword in the name wins ("billing app" → platform,
    "app complaint" → process); a name with only generic survey words maps to
    ``"all"``. Matching is on whole words, case-insensitive, plural ``s``
    allowed. Work is done once per distinct name.

    Parameters
    ----------
    names : Series of str
    keywords : mapping, optional
        Extra or replacing keyword → dimension pairs (``settings.trust.keywords``).

    Returns
    -------
    Series of object, aligned with ``names``.

    Examples
    --------
    >>> touchpoint_dimensions(pd.Series(["Billing call", "billing app", "checkout"])).tolist()
    ['process', 'platform', 'platform']
    >>> touchpoint_dimensions(pd.Series(["courier"]), {"courier": "people"}).tolist()
    ['people']
    """
    table = _keyword_table(keywords or {})
    codes, uniques = pd.factorize(names.astype("str"), sort=False)
    if len(uniques) == 0:
        return pd.Series(np.full(len(names), np.nan, dtype=object), index=names.index)
    low = pd.Series(uniques, dtype="str").str.lower()
    specific = sorted((k for k, d in table.items() if d != ALL_DIMENSIONS), key=len, reverse=True)
    generic = sorted((k for k, d in table.items() if d == ALL_DIMENSIONS), key=len, reverse=True)
    dims = pd.Series(np.full(len(low), np.nan, dtype=object))
    if specific:
        pattern = r"^.*\b(" + "|".join(map(re.escape, specific)) + r")s?\b"
        last = low.str.extract(pattern, expand=False)
        dims = last.map(table).astype(object)
    if generic:
        has_generic = low.str.contains(r"\b(?:" + "|".join(map(re.escape, generic)) + r")s?\b", regex=True)
        dims = dims.where(dims.notna() | ~has_generic.to_numpy(bool), ALL_DIMENSIONS)
    out = dims.to_numpy(dtype=object)[codes]
    out[codes < 0] = np.nan
    return pd.Series(out, index=names.index, dtype=object)


_SCALE_NAMES = tuple(S.SCALES) + ("percent",)
_SCALE_LO = np.array([S.SCALES[k][0] for k in S.SCALES] + [0.0])
_SCALE_HI = np.array([S.SCALES[k][1] for k in S.SCALES] + [100.0])
_REPORT_COLUMNS = ["touchpoint", "scale", "rows", "low", "high"]


def infer_scales(names: pd.Series, scores: pd.Series, scales: pd.Series) -> tuple[pd.Series, pd.DataFrame]:
    """Fill missing scales from the range of the scores under each touchpoint name.

    Returns the completed scale per row (None where no scale fits) and a report
    with one row per name that needed inference: ``touchpoint``, ``scale``
    (``None`` when no known range holds every score), ``rows``, ``low``,
    ``high``.

    Examples
    --------
    >>> s, rep = infer_scales(pd.Series(["app", "app", "call"]), pd.Series([1.0, 5.0, 0.7]),
    ...                       pd.Series([None, None, None]))
    >>> s.tolist(), rep["scale"].tolist()
    (['stars', 'stars', 'unit'], ['stars', 'unit'])
    """
    name_codes, name_uniques = _codes(names, normalise=False)
    scale_idx = _scale_codes(scales)
    filled, report = _infer_scale_codes(name_codes, name_uniques, scores.to_numpy(float), scale_idx)
    out = np.array(_SCALE_NAMES + (None,), dtype=object)[np.where(filled < 0, len(_SCALE_NAMES), filled)]
    return pd.Series(out, index=names.index, dtype=object), report


def _codes(col: pd.Series, normalise: bool = True) -> tuple[np.ndarray, list[str]]:
    """Integer codes of a text column (-1 for missing) and its distinct values (stripped, lower-cased)."""
    codes, uniques = pd.factorize(col, sort=False)
    values = [str(u) for u in uniques]
    if not normalise:
        return codes.astype(np.int64), values
    canon: dict[str, int] = {}
    remap = np.array([canon.setdefault(v.strip().lower(), len(canon)) for v in values] + [-1], dtype=np.int64)
    return remap[codes], list(canon)


def _scale_codes(col: pd.Series) -> np.ndarray:
    codes, values = _codes(col)
    lookup = np.array([_SCALE_NAMES.index(v) if v in S.SCALES else -1 for v in values] + [-1], dtype=np.int64)
    return lookup[codes]


def _infer_scale_codes(name_codes: np.ndarray, name_uniques: list[str], score: np.ndarray, scale_idx: np.ndarray
                       ) -> tuple[np.ndarray, pd.DataFrame]:
    """Scale code per row with missing ones inferred per touchpoint name, and the report of inferences."""
    need = (scale_idx < 0) & ~np.isnan(score)
    if not need.any():
        return scale_idx, pd.DataFrame({c: [] for c in _REPORT_COLUMNS})
    k = len(name_uniques)
    nc = np.where(name_codes[need] < 0, k, name_codes[need])  # missing names share one slot
    sc = score[need]
    rows = np.bincount(nc, minlength=k + 1)
    lo = np.full(k + 1, np.inf)
    hi = np.full(k + 1, -np.inf)
    np.minimum.at(lo, nc, sc)
    np.maximum.at(hi, nc, sc)
    fit = np.full(k + 1, -1, np.int64)
    for name, low, high in reversed(_INFERRED_SCALES):  # earlier entries win: assign them last
        fit[(lo >= low) & (hi <= high)] = _SCALE_NAMES.index(name)
    out = scale_idx.copy()
    out[np.flatnonzero(need)] = fit[nc]
    used = np.flatnonzero(rows > 0)
    labels = np.array(name_uniques + [""], dtype=object)
    names = np.array(_SCALE_NAMES + (None,), dtype=object)
    report = pd.DataFrame({
        "touchpoint": labels[used], "scale": names[np.where(fit[used] < 0, len(_SCALE_NAMES), fit[used])],
        "rows": rows[used], "low": lo[used], "high": hi[used],
    }).sort_values("touchpoint", kind="stable").reset_index(drop=True)
    return out, report


def _scaled(score: np.ndarray, scale_idx: np.ndarray) -> np.ndarray:
    """Scores mapped to [0, 1] by scale code (NaN where the scale is unknown)."""
    ok = scale_idx >= 0
    lo = np.where(ok, _SCALE_LO[np.maximum(scale_idx, 0)], np.nan)
    hi = np.where(ok, _SCALE_HI[np.maximum(scale_idx, 0)], np.nan)
    return np.clip((score - lo) / (hi - lo), 0.0, 1.0)


class _Pieces:
    """Collects evidence columns as numpy arrays, concatenated once at the end."""

    def __init__(self) -> None:
        self.parts: list[dict[str, np.ndarray]] = []

    def add(self, rel: Any, dim: Any, value: Any, weight: Any, at: Any, source: str, label: Any,
            primary: Any) -> None:
        n = len(rel)
        if n == 0:
            return
        self.parts.append({
            "rel_idx": np.asarray(rel, np.int64),
            "dim": np.broadcast_to(np.asarray(dim, np.int8), n),
            "value": np.broadcast_to(np.asarray(value, float), n),
            "weight": np.broadcast_to(np.asarray(weight, float), n),
            "at": np.broadcast_to(np.asarray(at, "datetime64[ns]"), n),
            "source": np.full(n, SOURCES.index(source), np.int8),
            "label": np.broadcast_to(np.asarray(label, np.int16), n),
            "primary": np.broadcast_to(np.asarray(primary, bool), n),
        })

    def frame(self) -> dict[str, np.ndarray]:
        keys = ["rel_idx", "dim", "value", "weight", "at", "source", "label", "primary"]
        if not self.parts:
            empty: dict[str, Any] = {"rel_idx": np.int64, "dim": np.int8, "value": float, "weight": float,
                     "at": "datetime64[ns]", "source": np.int8, "label": np.int16, "primary": bool}
            return {k: np.array([], dtype=empty[k]) for k in keys}
        out = {}
        for k in keys:  # one column at a time, freeing the pieces as they are joined
            out[k] = np.concatenate([p[k] for p in self.parts])
            for p in self.parts:
                del p[k]
        self.parts = []
        return out


def relationship_rows(graph: TrustGraph, truster: np.ndarray, trustee: np.ndarray) -> np.ndarray:
    """Row in ``graph.relationships`` of each (truster, trustee) pair, -1 where there is none.

    The relationships are sorted by truster then trustee, so a truster's rows
    are one short run: we look at the run's first row, then the next, ..., only
    for the pairs still unresolved (a person relates to few others), instead of
    a binary search over all relationships per pair.

    Examples
    --------
    >>> from trustnet.graph import build_graph
    >>> G = build_graph(pd.DataFrame({"referrer": ["a"], "referred": ["b"], "provider": ["P"]}))
    >>> relationship_rows(G, G.index_of(["b", "b", "a"]), G.index_of(["a", "P", "b"])).tolist()
    [2, 1, -1]
    """
    rel = graph.relationships
    out = np.full(len(truster), -1, np.int64)
    if not len(rel) or not len(truster):
        return out
    t_rel = rel["truster_idx"].to_numpy(np.int64)
    e_rel = rel["trustee_idx"].to_numpy(np.int64)
    start = np.zeros(graph.n + 1, np.int64)
    np.cumsum(np.bincount(t_rel, minlength=graph.n), out=start[1:])
    truster = np.asarray(truster, np.int64)
    trustee = np.asarray(trustee, np.int64)
    todo = np.flatnonzero(truster >= 0)
    pos = start[truster[todo]]
    end = start[truster[todo] + 1]
    while len(todo):
        live = pos < end
        todo, pos, end = todo[live], pos[live], end[live]
        hit = e_rel[pos] == trustee[todo]
        out[todo[hit]] = pos[hit]
        todo, pos, end = todo[~hit], pos[~hit] + 1, end[~hit]
    return out



def _tie_rows(graph: TrustGraph, table: pd.DataFrame, column: str, truster: np.ndarray, trustee: np.ndarray) -> np.ndarray:
    """The relationship rows :func:`~trustnet.graph.build_graph` recorded in ``column``, else searched."""
    if column in table:
        return table[column].to_numpy(np.int64)
    return relationship_rows(graph, truster, trustee)


def _spread(pieces: _Pieces, rel: np.ndarray, dim_codes: np.ndarray, value: np.ndarray, weight: np.ndarray,
            at: np.ndarray, source: str, label: np.ndarray) -> None:
    """Add evidence on a per-row dimension code; code 3 (``all``) spreads over the three at w/3."""
    one = (dim_codes >= 0) & (dim_codes < 3)
    pieces.add(rel[one], dim_codes[one], value[one], weight[one], at[one], source, label[one], True)
    allm = dim_codes == 3
    for k in range(3):
        pieces.add(rel[allm], k, value[allm], weight[allm] / 3.0, at[allm], source, label[allm], k == 0)


def build_evidence(graph: TrustGraph, settings: Settings) -> tuple[pd.DataFrame, list[str], pd.DataFrame, list[str]]:
    """Every piece of evidence of a :class:`~trustnet.graph.TrustGraph`.

    Returns
    -------
    evidence : DataFrame
        ``rel_idx``, ``dimension``, ``value``, ``weight`` (before recency),
        ``at``, ``source``, ``label`` (categories), plus ``primary`` (False for
        the second and third share of a spread survey answer, so that counts
        count observations).
    unmapped : list of str
        Touchpoint names no keyword maps to a dimension (rows left out).
    inferred : DataFrame
        Scales inferred per touchpoint name (see :func:`infer_scales`).
    unknown_events : list of str
        Event names the evidence table does not know (rows give no event evidence).

    Examples
    --------
    >>> from trustnet.graph import build_graph
    >>> from trustnet.settings import Settings
    >>> G = build_graph(pd.DataFrame({"referrer": ["ann"], "referred": ["bob"], "provider": ["P"],
    ...                               "status": ["converted"]}))
    >>> ev, *_ = build_evidence(G, Settings())
    >>> ev[["rel_idx", "dimension", "value", "weight", "label"]].values.tolist()
    [[0, 'people', 0.9, 0.25, 'referral'], [2, 'people', 1.0, 1.0, 'converted']]
    """
    ts = settings.trust
    table = evidence_table(ts.evidence)
    label_names = list(LABELS)
    for name in table["event"]:
        if name not in LABELS:
            label_names.append(name)
    lab = {name: i for i, name in enumerate(label_names)}
    pieces = _Pieces()

    # --- referrals
    refs = graph.referrals
    r_idx = refs["referrer_idx"].to_numpy(np.int64)
    d_idx = refs["referred_idx"].to_numpy(np.int64)
    p_idx = refs["provider_idx"].to_numpy(np.int64)
    ref_at = refs[S.REFERRED_AT].to_numpy("datetime64[ns]")
    adv_rel = _tie_rows(graph, refs, ADVOCATE_REL, r_idx, p_idx)
    ok = adv_rel >= 0
    for dim, value, weight in table["referral"]["made"]:
        pieces.add(adv_rel[ok], _DIM_CODE[dim], value, weight, ref_at[ok], "referral", lab["referral"], True)
    st_codes, st_values = _codes(refs[S.STATUS])
    conv_at = refs[S.CONVERTED_AT].to_numpy("datetime64[ns]")
    by_rel = _tie_rows(graph, refs, REFERRED_BY_REL, d_idx, r_idx)
    cust_rel = _tie_rows(graph, refs, CUSTOMER_REL, d_idx, p_idx)
    for name, spec in table["status"].items():
        if name not in st_values or not spec:
            continue
        target = cust_rel if name == S.CHURNED else by_rel
        m = (st_codes == st_values.index(name)) & (target >= 0)
        at = np.where(np.isnat(conv_at), ref_at, conv_at) if name == S.CONVERTED else ref_at
        for i, (dim, value, weight) in enumerate(spec):
            pieces.add(target[m], _DIM_CODE[dim], value, weight, at[m], "status", lab[name], i == 0)

    unmapped: list[str] = []
    inferred = pd.DataFrame({c: [] for c in _REPORT_COLUMNS})
    unknown_events: list[str] = []
    tps = graph.touchpoints
    if tps is not None and len(tps):
        rel = _tie_rows(graph, tps, TIE_REL, tps["customer_idx"].to_numpy(np.int64), tps["provider_idx"].to_numpy(np.int64))
        at = tps[S.AT].to_numpy("datetime64[ns]")
        name_codes, name_values = _codes(tps[S.TOUCHPOINT], normalise=False)
        kw = touchpoint_dimensions(pd.Series(name_values, dtype="str"), ts.keywords)
        dim_of = {**_DIM_CODE, ALL_DIMENSIONS: 3}
        kw_code = np.array([dim_of.get(d, -1) if isinstance(d, str) else -1 for d in kw] + [-1], dtype=np.int8)
        g_codes, g_values = _codes(tps[S.DIMENSION])
        g_code = np.array([_DIM_CODE.get(v, -1) for v in g_values] + [-1], dtype=np.int8)[g_codes]
        dim_code = np.where(g_code >= 0, g_code, kw_code[name_codes])
        ev_codes, ev_values = _codes(tps[S.EVENT])
        score = tps[S.SCORE].to_numpy(float)
        days = tps[S.RESPONSE_DAYS].to_numpy(float)
        half = ts.response_half_life_days

        # scores
        has_score = ~np.isnan(score) & (rel >= 0)
        needs_dim = np.zeros(len(tps), bool)
        if has_score.any():
            scale_idx, inferred = _infer_scale_codes(name_codes, name_values, score, _scale_codes(tps[S.SCALE]))
            v = _scaled(score, scale_idx)
            has_score &= ~np.isnan(v)
            needs_dim |= has_score
            band = np.where(v < 0.4, lab["low score"], np.where(v < 0.7, lab["mid score"], lab["high score"]))
            for dim, _, weight in table["score"]["rating"]:
                codes = dim_code if dim == TOUCHPOINT_DIMENSION else np.full(len(tps), _DIM_CODE[dim], np.int8)
                m = has_score
                _spread(pieces, rel[m], codes[m], v[m], np.full(m.sum(), weight), at[m], "score", band[m])

        # events
        unknown_events = sorted({v for v in ev_values if v and v not in table["event"]})
        resolved = ev_codes == (ev_values.index("resolved") if "resolved" in ev_values else -2)
        for name, spec in table["event"].items():
            if name not in ev_values:
                continue
            m = (ev_codes == ev_values.index(name)) & (rel >= 0)
            for i, (dim, value, weight) in enumerate(spec):
                vals = np.full(m.sum(), value)
                if name == "resolved":
                    d = days[m]
                    vals = np.where(np.isnan(d), value, 0.5 + (value - 0.5) * 0.5 ** (np.maximum(d, 0) / half))
                if dim == TOUCHPOINT_DIMENSION:
                    needs_dim |= m
                    _spread(pieces, rel[m], dim_code[m], vals, np.full(m.sum(), weight), at[m], "event",
                            np.full(m.sum(), lab[name]))
                else:
                    pieces.add(rel[m], _DIM_CODE[dim], vals, weight, at[m], "event", lab[name], i == 0)

        # response times (unless a resolved event already used them)
        m = ~np.isnan(days) & (rel >= 0) & ~resolved
        if m.any():
            v = 0.1 + 0.8 * 0.5 ** (np.maximum(days[m], 0) / half)
            label = np.where(v >= 0.5, lab["fast response"], lab["slow response"])
            for dim, _, weight in table["response"]["response_days"]:
                pieces.add(rel[m], _DIM_CODE[dim], v, weight, at[m], "response", label, True)

        lost = needs_dim & (dim_code < 0)
        if lost.any():
            lost_codes = np.unique(name_codes[lost])
            unmapped = sorted(name_values[c] if c >= 0 else "" for c in lost_codes.tolist())

    cols = pieces.frame()
    evidence = pd.DataFrame({
        "rel_idx": cols["rel_idx"],
        "dimension": pd.Categorical.from_codes(cols["dim"], categories=pd.Index(S.DIMENSIONS)),
        "value": cols["value"],
        "weight": cols["weight"],
        "at": cols["at"],
        "source": pd.Categorical.from_codes(cols["source"], categories=pd.Index(SOURCES)),
        "label": pd.Categorical.from_codes(cols["label"], categories=pd.Index(label_names)),
        "primary": cols["primary"],
    }, copy=False)  # the concatenated arrays are new: no second copy
    return evidence, unmapped, inferred, unknown_events
