"""The named risk factors of every customer–provider and advocate–provider relationship.

Each factor is a non-negative number per relationship (the factors are listed
in :mod:`trustnet.risk.weights`); the break likelihood is the logistic of
``intercept + sum(weight * factor)`` (see :mod:`trustnet.risk`). Everything here
runs on integer relationship rows with numpy: contacts, events and values are
mapped once onto the relationships, then reduced with ``bincount`` /
``ufunc.at`` / sorted-group tricks, never row by row.

Examples
--------
>>> import pandas as pd
>>> _codes(pd.Series(["Complaint", None, "praise", "other"], dtype="str"), ("complaint", "praise")).tolist()
[0, -1, 1, -1]
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema as S
from .._memory import release_memory
from ..errors import InputError
from ..graph import ADVOCATE, ADVOCATE_REL, CUSTOMER_OF, CUSTOMER_REL, KINDS, TIE_REL, TrustGraph, date_values
from ..settings import Settings
from .forest import forest_downstream
from .weights import FACTORS

__all__ = ["compute_factors", "PROBLEM_KINDS"]

#: open-problem kinds, in the order used for codes (the oldest open event names the problem)
PROBLEM_KINDS = ("complaint", "refund_denied", "unresolved", "escalation", "outage")
_NEGATIVE = ("complaint", "unresolved", "escalation", "refund_denied", "delay", "outage")
_RESOLVES = ("resolved", "refund")          # close complaints, escalations, refund_denied, unresolved
_POSITIVE_EVENTS = ("resolved", "refund", "praise")
_POSITIVE_SCORE = 0.7                       # a rating this high (0..1) is positive evidence after an outage
_NEUTRAL = 0.5
_MIN_CONFIDENCE = 0.25                      # a dimension counts for inconsistency from this confidence on
_DAY = 86_400 * 10**9
_NAT = np.iinfo(np.int64).min
_BIG = np.iinfo(np.int64).max


def _i64(values: Any) -> np.ndarray:
    """datetime64 values (Series or array) as int64 nanoseconds, NaT as int64 min (a view where it can be).

    >>> _i64(pd.Series(pd.to_datetime(["1970-01-01 00:00:01", None]))).tolist()
    [1000000000, -9223372036854775808]
    """
    values = date_values(values) if isinstance(values, pd.Series) else values
    return np.asarray(values, dtype="datetime64[ns]").view(np.int64)


def _codes(values: pd.Series, vocabulary: tuple[str, ...]) -> np.ndarray:
    """Index of each (trimmed, lower-cased) value in ``vocabulary``; -1 for NA and other values.

    Dictionary-encodes the column once, so only the distinct values are compared. The codes are int8
    (every vocabulary here is a handful of words): an eighth of the memory over millions of touchpoints.
    """
    if not len(values):
        return np.zeros(0, np.int8)
    if isinstance(values.dtype, pd.CategoricalDtype):
        names = [str(x).strip().lower() for x in values.cat.categories]
        lookup = np.array([vocabulary.index(x) if x in vocabulary else -1 for x in names] + [-1], np.int8)
        return lookup[values.cat.codes.to_numpy()]  # code -1 (NA) takes the last slot
    arr = pa.array(values if values.dtype == "str" else values.astype("str"))  # arrow-backed: no copy
    enc = pc.dictionary_encode(arr)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    names = [str(x).strip().lower() for x in enc.dictionary.to_pylist()]
    lookup = np.array([vocabulary.index(x) if x in vocabulary else -1 for x in names] + [-1], np.int8)
    idx = enc.indices.to_numpy(zero_copy_only=False)
    idx = np.where(pc.is_valid(enc.indices).to_numpy(zero_copy_only=False), idx, len(names)).astype(np.int64)
    return lookup[idx]


def _score_unit(score: np.ndarray, scale: pd.Series) -> np.ndarray:
    """Ratings on their scale mapped to 0..1 (scale guessed from the value when missing)."""
    names = tuple(S.SCALES)
    code = _codes(scale, names)
    lo_t = np.array([S.SCALES[x][0] for x in names] + [np.nan])
    hi_t = np.array([S.SCALES[x][1] for x in names] + [np.nan])
    lo, hi = lo_t[code], hi_t[code]
    guess = np.isnan(lo) & ~np.isnan(score)
    s = score[guess]
    lo[guess] = np.where(s < 0, -10.0, np.where(s <= 1, 0.0, np.where(s <= 5, 1.0, 0.0)))
    hi[guess] = np.where(s < 0, 10.0, np.where(s <= 1, 1.0, np.where(s <= 5, 5.0, 10.0)))
    return np.clip((score - lo) / (hi - lo), 0.0, 1.0)


# the relationship-row column build_graph records for a pair of index columns
_RECORDED = {("customer_idx", "provider_idx"): TIE_REL, ("referred_idx", "provider_idx"): CUSTOMER_REL,
             ("referrer_idx", "provider_idx"): ADVOCATE_REL}


class _Rows:
    """Maps (truster_idx, trustee_idx) pairs onto the rows of the relationships scored for risk."""

    def __init__(self, truster: np.ndarray, trustee: np.ndarray, n: int, base: np.ndarray, n_rel: int) -> None:
        self.n = max(n, 1)
        self.truster, self.trustee = truster, trustee
        self.of_rel = np.full(n_rel + 1, -1, np.int64)  # relationship row -> scored row (the last slot: -1 -> -1)
        self.of_rel[base] = np.arange(len(base))
        self._index: pd.Index | None = None
        self._cache: dict[str, np.ndarray] = {}

    @property
    def index(self) -> pd.Index:
        if self._index is None:
            key = self.truster.astype(np.int64) * self.n + self.trustee.astype(np.int64)
            self._index = pd.Index(key)  # unique keys: a hash lookup per query
        return self._index

    def of(self, frame: pd.DataFrame, truster: str, trustee: str) -> np.ndarray:
        """Row of each line of ``frame`` (by its two index columns), computed once per table."""
        name = f"{id(frame)}:{truster}:{trustee}"
        if name not in self._cache:
            recorded = _RECORDED.get((truster, trustee))
            if recorded is not None and recorded in frame:
                self._cache[name] = self.of_rel[frame[recorded].to_numpy(np.int64)]  # build_graph's rows
            else:
                self._cache[name] = self.find(frame[truster].to_numpy(), frame[trustee].to_numpy())
        return self._cache[name]

    def find(self, truster: np.ndarray, trustee: np.ndarray) -> np.ndarray:
        """Row of each pair, -1 where the pair is not a relationship."""
        key = np.asarray(truster, np.int64) * self.n + np.asarray(trustee, np.int64)
        return self.index.get_indexer(pd.Index(key)).astype(np.int64)


def _group_reduce(rows: np.ndarray, values: np.ndarray, m: int, ufunc: Any, fill: Any) -> np.ndarray:
    out = np.full(m, fill, dtype=values.dtype)
    ok = rows >= 0
    ufunc.at(out, rows[ok], values[ok])
    return out


def _contacts(graph: TrustGraph, rows: _Rows, m: int) -> dict[str, np.ndarray]:
    """Per relationship: first/last contact day, contacts, median gap between contacts."""
    refs = graph.referrals
    parts_row, parts_at = [], []
    ref_at = _i64(refs[S.REFERRED_AT])
    for who in ("referred_idx", "referrer_idx"):
        parts_row.append(rows.of(refs, who, "provider_idx"))
        parts_at.append(ref_at)
    tps = graph.touchpoints
    if tps is not None and len(tps):
        parts_row.append(rows.of(tps, "customer_idx", "provider_idx"))
        parts_at.append(_i64(tps[S.AT]))
    row = np.concatenate(parts_row)
    at = np.concatenate(parts_at)
    ok = (row >= 0) & (at != _NAT)
    # one contact per relationship and day, sorted by relationship then day: (row, day) packed in one
    # integer, built and sorted in place (each temporary over ten million ties costs fresh memory)
    pair = row[ok]
    del row
    day = at[ok]
    del at, ok
    day //= _DAY
    base = int(day.min()) if len(day) else 0
    day -= base
    pair <<= 20
    pair += day
    del day
    pair.sort()
    if len(pair):
        pair = pair[np.r_[True, pair[1:] != pair[:-1]]]
    row = pair >> 20
    pair &= (1 << 20) - 1
    day = pair  # days since ``base``
    starts = np.flatnonzero(np.r_[True, row[1:] != row[:-1]]) if len(row) else np.array([], np.int64)
    ends = np.r_[starts[1:], len(row)] if len(row) else starts
    first = np.full(m, np.nan)
    last = np.full(m, np.nan)
    count = np.zeros(m, np.int64)
    first[row[starts]] = day[starts] + base
    last[row[starts]] = day[ends - 1] + base
    count[row[starts]] = ends - starts
    # median gap: gaps sorted within each relationship (rows stay in their order), then the middle one(s)
    same = row[1:] == row[:-1]
    g_row = row[1:][same]
    gap = np.diff(day)[same]
    del day, pair, same
    g_sorted = g_row << 20
    g_sorted += gap  # gaps < 2**20 days
    del gap
    g_sorted.sort()
    rhythm = np.full(m, np.nan)
    if len(g_row):
        gs = np.flatnonzero(np.r_[True, g_row[1:] != g_row[:-1]])
        gn = np.diff(np.r_[gs, len(g_row)])
        keep = gn >= 2  # one gap is not a rhythm
        gs, gn = gs[keep], gn[keep]
        low = (1 << 20) - 1
        med = ((g_sorted[gs + (gn - 1) // 2] & low) + (g_sorted[gs + gn // 2] & low)) / 2.0
        rhythm[g_row[gs]] = med
    return {"first": first, "last": last, "count": count, "rhythm": rhythm}


def _provider_median(values: np.ndarray, trustee: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Median of ``values`` per provider (over rows in ``mask`` with a value), NaN when none."""
    ok = mask & ~np.isnan(values)
    out = np.full(n, np.nan)
    if ok.any():
        med = pd.Series(values[ok]).groupby(trustee[ok]).median()
        out[med.index.to_numpy()] = med.to_numpy()
    return out


def _events(graph: TrustGraph, rows: _Rows, m: int, as_of_ns: int, half_life: float) -> dict[str, np.ndarray]:
    """Open problems, delays, outages and the last churn event per relationship, from the touchpoints."""
    out = {
        "open": np.zeros(m, np.int64),
        "open_since": np.full(m, np.nan),      # day number of the oldest open problem
        "open_kind": np.full(m, -1, np.int64),  # index into PROBLEM_KINDS
        "outages": np.zeros(m, np.int64),
        "delays": np.zeros(m, np.int64),
        "response": np.full(m, np.nan),
        "last_churn": np.full(m, _NAT, np.int64),  # ns; _BIG for an undated one
        "churn_day": np.full(m, np.nan),
        "recent": np.zeros(m),
        "recent_count": np.zeros(m, np.int64),
    }
    tps = graph.touchpoints
    if tps is None or not len(tps):
        return out
    row_all = rows.of(tps, "customer_idx", "provider_idx")
    ev_all = _codes(tps[S.EVENT], S.EVENTS)
    score_all = tps[S.SCORE].to_numpy(dtype=float, na_value=np.nan)
    resp_all = tps[S.RESPONSE_DAYS].to_numpy(dtype=float, na_value=np.nan)
    mapped = row_all >= 0
    # response times: every touchpoint that has one
    has = mapped & ~np.isnan(resp_all)
    total = np.bincount(row_all[has], weights=resp_all[has], minlength=m)
    cnt = np.bincount(row_all[has], minlength=m)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["response"] = np.where(cnt > 0, total / np.maximum(cnt, 1), np.nan)
    at_all = _i64(tps[S.AT])
    # a high rating is good news, as praise is (it closes an outage): where and when one was given
    good = np.flatnonzero(mapped & ~np.isnan(score_all))
    good = good[_score_unit(score_all[good], tps[S.SCALE].iloc[good]) >= _POSITIVE_SCORE]
    good_row, good_at = row_all[good], at_all[good]
    del good
    # everything else needs an event: work on those touchpoints only (a fraction of them)
    keep = np.flatnonzero(mapped & (ev_all >= 0))
    row, ev, at = row_all[keep], ev_all[keep], at_all[keep]
    del keep, has, mapped
    dated = at != _NAT
    at_sort = np.where(dated, at, _BIG)

    def is_event(*names: str) -> np.ndarray:
        table = np.zeros(len(S.EVENTS) + 1, bool)  # the last slot is "no known event" (code -1)
        table[[S.EVENTS.index(x) for x in names]] = True
        return table[ev]

    def latest(mask: np.ndarray) -> np.ndarray:
        return _group_reduce(np.where(mask, row, -1), at, m, np.maximum, _NAT)

    def any_of(mask: np.ndarray) -> np.ndarray:
        return np.bincount(row[mask], minlength=m) > 0

    resolves = is_event(*_RESOLVES)
    positive = is_event(*_POSITIVE_EVENTS)
    last_resolve = latest(resolves)
    last_positive = np.maximum(latest(positive), _group_reduce(good_row, good_at, m, np.maximum, _NAT))
    any_resolve = any_of(resolves)
    any_positive = any_of(positive) | (np.bincount(good_row, minlength=m) > 0)
    del good_row, good_at
    to_kind = np.full(len(S.EVENTS) + 1, -1, np.int64)
    to_kind[[S.EVENTS.index(x) for x in PROBLEM_KINDS]] = np.arange(len(PROBLEM_KINDS))
    kind_code = to_kind[ev]
    is_outage = kind_code == PROBLEM_KINDS.index("outage")
    problem = kind_code >= 0
    closer = np.where(is_outage, last_positive[row], last_resolve[row])
    ever_closed = np.where(is_outage, any_positive[row], any_resolve[row])
    open_ = problem & np.where(dated, closer < at, ~ever_closed)
    out["open"] = np.bincount(row[open_], minlength=m)
    # the oldest open problem names the date and the kind (on a tie, the first kind in PROBLEM_KINDS)
    oldest = _group_reduce(np.where(open_, row, -1), at_sort, m, np.minimum, _BIG)
    is_oldest = open_ & (at_sort == oldest[row])
    kind_of = _group_reduce(np.where(is_oldest, row, -1), kind_code, m, np.minimum, len(PROBLEM_KINDS))
    has_open = out["open"] > 0
    out["open_kind"] = np.where(has_open, kind_of, -1)
    out["open_since"] = np.where(has_open & (oldest != _BIG), oldest // _DAY, np.nan)
    out["outages"] = np.bincount(row[is_outage], minlength=m)
    out["delays"] = np.bincount(row[is_event("delay")], minlength=m)
    churn = is_event(S.CHURNED)
    last_churn = _group_reduce(np.where(churn, row, -1), at_sort, m, np.maximum, _NAT)
    out["last_churn"] = last_churn
    out["churn_day"] = np.where((last_churn != _NAT) & (last_churn != _BIG), last_churn // _DAY, np.nan)
    # recent problems, fading with their age
    neg = is_event(*_NEGATIVE) & dated
    age = np.maximum(as_of_ns - at[neg], 0) / _DAY
    fade = 0.5 ** (age / max(half_life, 1e-9))
    out["recent"] = np.bincount(row[neg], weights=fade, minlength=m)
    out["recent_count"] = np.bincount(row[neg & (at >= as_of_ns - 90 * _DAY)], minlength=m)
    return out


def _referral_status(graph: TrustGraph, rows: _Rows, m: int) -> dict[str, np.ndarray]:
    """Per relationship: churned / declined-only status and revenue from the referrals."""
    refs = graph.referrals
    row = rows.of(refs, "referred_idx", "provider_idx")
    status = _codes(refs[S.STATUS], S.STATUSES)
    ok = row >= 0
    churned = np.bincount(row[ok & (status == S.STATUSES.index(S.CHURNED))], minlength=m) > 0
    declined = np.bincount(row[ok & (status == S.STATUSES.index(S.DECLINED))], minlength=m)
    total = np.bincount(row[ok], minlength=m)
    revenue = refs[S.REVENUE].to_numpy(float)
    known = ok & ~np.isnan(revenue)
    value = np.bincount(row[known], weights=revenue[known], minlength=m)
    value_known = np.bincount(row[known], minlength=m) > 0
    return {"churned": churned, "declined_only": (total > 0) & (declined == total),
            "value": value, "value_known": value_known}


def _score_columns(scores: Any, graph: TrustGraph) -> pd.DataFrame:
    if scores is None:  # no trust scores: the score-based factors stay at zero
        m = len(graph.relationships)
        empty = {c: np.full(m, np.nan) for c in (*S.DIMENSIONS, "overall", "trend")}
        empty.update({f"{d}_confidence": np.zeros(m) for d in S.DIMENSIONS})
        return pd.DataFrame(empty)
    rel = getattr(scores, "relationships", None)
    if not isinstance(rel, pd.DataFrame):
        raise InputError(
            "find_at_risk needs trust scores: pass the result of trustnet.score_trust(graph) as `scores`"
        )
    if len(rel) != len(graph.relationships):
        raise InputError(
            f"the trust scores have {len(rel)} relationships but the graph has {len(graph.relationships)}; "
            "score the same graph: scores = trustnet.score_trust(graph)"
        )
    need = [*S.DIMENSIONS, *(f"{d}_confidence" for d in S.DIMENSIONS), "overall", "trend"]
    missing = [c for c in need if c not in rel.columns]
    if missing:
        raise InputError(
            "the trust scores lack the column(s) " + ", ".join(missing)
            + "; pass the result of trustnet.score_trust(graph) as `scores`"
        )
    return rel


def compute_factors(graph: TrustGraph, scores: Any, settings: Settings) -> dict[str, Any]:
    """Every factor and fact per customer/advocate → provider relationship.

    Returns a dict of arrays aligned with ``base`` (the rows of
    ``graph.relationships`` of kind advocate or customer): ``X``, the
    m × len(FACTORS) factor matrix without ``upstream``, which needs a first
    likelihood (see :func:`trustnet.risk.find_at_risk`), ``candidate`` (the
    live ones) and the facts used for words.

    Examples
    --------
    >>> import pandas as pd
    >>> from trustnet.graph import build_graph
    >>> from trustnet.settings import Settings
    >>> from trustnet.trust import score_trust
    >>> refs = pd.DataFrame({"referrer": ["ann", "ann"], "referred": ["bob", "cat"], "provider": ["Tiles"] * 2,
    ...                      "status": ["churned", "converted"], "referred_at": ["2025-01-10", "2025-02-01"]})
    >>> tps = pd.DataFrame({"customer": ["cat"], "provider": ["Tiles"], "at": ["2025-03-01"],
    ...                     "touchpoint": ["billing"], "event": ["complaint"]})
    >>> G = build_graph(refs, tps)
    >>> facts = compute_factors(G, score_trust(G), Settings())
    >>> G.nodes["id"].to_numpy()[facts["truster"]].tolist(), facts["candidate"].tolist()
    (['ann', 'bob', 'cat'], [True, False, True])
    >>> from trustnet.risk.weights import FACTORS
    >>> facts["X"].shape == (3, len(FACTORS))
    True
    """
    rel = graph.relationships
    sr = _score_columns(scores, graph)
    n = graph.n
    risk = settings.risk
    # only customer/advocate -> provider relationships are scored: work on those rows
    kind_all = _codes(rel["kind"], KINDS)
    base = np.flatnonzero((kind_all == KINDS.index(ADVOCATE)) | (kind_all == KINDS.index(CUSTOMER_OF)))
    m = len(base)
    kind = kind_all[base]
    trustee = rel["trustee_idx"].to_numpy(np.int64)[base]
    truster = rel["truster_idx"].to_numpy(np.int64)[base]
    rows = _Rows(truster, trustee, n, base, len(rel))
    provider_rel = np.ones(m, bool)

    def score_col(name: str) -> np.ndarray:
        return sr[name].to_numpy(dtype=float, na_value=np.nan)[base]
    as_of_ns = _i64(np.array([np.datetime64(graph.as_of, "ns") if pd.notna(graph.as_of) else np.datetime64("NaT")]))[0]
    as_of_day = np.nan if as_of_ns == _NAT else float(as_of_ns // _DAY)

    if graph.touchpoints is not None and len(graph.touchpoints):
        rows.of(graph.touchpoints, "customer_idx", "provider_idx")  # cached here, before both threads use it
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="trustnet-contacts") as pool:
        # contact days (sorts that release the GIL) in a second thread beside the events
        counting = pool.submit(_contacts, graph, rows, m)
        events = _events(graph, rows, m, as_of_ns, risk.problem_half_life_days)
        contacts = counting.result()
    release_memory()  # both threads' scratch (the second thread's is no use to this one)
    # churned: a churn event on or after the last contact day (nothing came after it)
    last_churn = events["last_churn"]
    events["churn_event"] = (last_churn != _NAT) & ((last_churn == _BIG) | ~(contacts["last"] > events["churn_day"]))
    status = _referral_status(graph, rows, m)
    gone = provider_rel & (status["churned"] | events["churn_event"])
    has_touch = np.zeros(m, bool)
    if graph.touchpoints is not None and len(graph.touchpoints):
        tr = rows.of(graph.touchpoints, "customer_idx", "provider_idx")
        has_touch[tr[tr >= 0]] = True
    never_customer = (kind == KINDS.index(CUSTOMER_OF)) & status["declined_only"] & ~has_touch
    candidate = provider_rel & ~gone & ~never_customer

    X = np.zeros((m, len(FACTORS)))
    col = {f: i for i, f in enumerate(FACTORS)}

    # --- low score per dimension, against the higher of neutral and the provider's norm
    dim_score, dim_norm, dim_conf = {}, {}, {}
    for d in S.DIMENSIONS:
        s = score_col(d)
        conf = np.nan_to_num(score_col(f"{d}_confidence"))
        norm = _provider_median(s, trustee, candidate, n)[trustee]
        ref = np.fmax(norm, _NEUTRAL)
        with np.errstate(invalid="ignore"):
            low = np.clip((ref - s) / ref, 0.0, 1.0) * (1.0 + np.clip(conf, 0.0, 1.0)) / 2.0
        X[:, col[f"low_{d}"]] = np.nan_to_num(low)
        dim_score[d], dim_norm[d], dim_conf[d] = s, ref, np.clip(conf, 0.0, 1.0)

    trend = score_col("trend")
    X[:, col["falling_trend"]] = np.clip(np.nan_to_num(-trend) / 0.2, 0.0, 2.0)

    open_age = np.where(np.isnan(events["open_since"]), 0.0, as_of_day - events["open_since"])
    X[:, col["unresolved"]] = np.minimum(events["open"], 3)
    X[:, col["unresolved_age"]] = np.where(events["open"] > 0, np.clip(open_age / 90.0, 0.0, 2.0), 0.0)

    X[:, col["recent_problems"]] = np.minimum(events["recent"], 5.0)

    resp_norm = _provider_median(events["response"], trustee, candidate, n)[trustee]
    with np.errstate(invalid="ignore", divide="ignore"):
        slow = np.clip(events["response"] / np.fmax(resp_norm, 1.0) - 1.0, 0.0, 3.0)
    X[:, col["response_delay"]] = np.nan_to_num(slow) + 0.5 * np.minimum(events["delays"], 2)

    # --- silence against the relationship's own rhythm (provider's, then everyone's, when too few contacts)
    rhythm = contacts["rhythm"]
    prov_rhythm = _provider_median(rhythm, trustee, candidate, n)[trustee]
    all_rhythm = rhythm[candidate & ~np.isnan(rhythm)]
    fallback = float(np.median(all_rhythm)) if len(all_rhythm) else 30.0
    own_rhythm = ~np.isnan(rhythm)
    typical = np.where(np.isnan(prov_rhythm), fallback, prov_rhythm)
    # a few gaps say little: the own median is pulled towards the provider's by `rhythm_prior_gaps` gaps
    gaps = np.where(own_rhythm, np.maximum(contacts["count"] - 1, 0), 0).astype(float)
    k = max(float(risk.rhythm_prior_gaps), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        usual = np.where(own_rhythm, (gaps * np.nan_to_num(rhythm) + k * typical) / np.maximum(gaps + k, 1e-12), typical)
    usual = np.maximum(usual, risk.rhythm_floor_days)
    days_silent = as_of_day - contacts["last"]
    ratio = days_silent / usual
    denom = max(risk.silence_ratio - 1.0, 1e-9)
    X[:, col["silence"]] = np.nan_to_num(np.clip((ratio - 1.0) / denom, 0.0, 3.0))

    # --- inconsistency: best against worst dimension among those with real evidence
    stacked = np.column_stack([dim_score[d] for d in S.DIMENSIONS])
    confs = np.column_stack([dim_conf[d] for d in S.DIMENSIONS])
    ok = ~np.isnan(stacked) & (confs >= _MIN_CONFIDENCE)
    lo = np.argmin(np.where(ok, stacked, np.inf), axis=1)
    hi = np.argmax(np.where(ok, stacked, -np.inf), axis=1)
    r = np.arange(m)
    spread = np.where(ok.sum(axis=1) >= 2, (stacked[r, hi] - stacked[r, lo]) * np.minimum(confs[r, lo], confs[r, hi]), 0.0)
    X[:, col["inconsistency"]] = np.nan_to_num(np.clip(spread, 0.0, 1.0))

    # --- stake: value per year, downstream people, public-complaint reach
    tps = graph.touchpoints
    value = status["value"].copy()
    value_known = status["value_known"].copy()
    if tps is not None and len(tps):
        tr = rows.of(tps, "customer_idx", "provider_idx")
        tv = tps[S.VALUE].to_numpy(float)
        ok = (tr >= 0) & ~np.isnan(tv)
        value += np.bincount(tr[ok], weights=tv[ok], minlength=m)
        value_known |= np.bincount(tr[ok], minlength=m) > 0
    lifetime_years = np.fmax((as_of_day - contacts["first"]) / 365.25, 1.0)
    value_per_year = np.where(value_known, value / np.nan_to_num(lifetime_years, nan=1.0), np.nan)
    downstream = forest_downstream(graph)
    children = np.bincount(graph.parent[graph.parent >= 0], minlength=n)
    partners = np.diff((graph.adjacency + graph.adjacency.T).tocsr().indptr)
    reach = partners + np.maximum(downstream - children, 0)

    return {
        "X": X,
        "candidate": candidate,
        "gone": gone,
        "truster": truster,
        "trustee": trustee,
        "kind": kind,
        "scores": dim_score,
        "norms": dim_norm,
        "spread_lo": lo,
        "spread_hi": hi,
        "trend": trend,
        "overall": score_col("overall"),
        "base": base,
        "open": events["open"],
        "open_kind": events["open_kind"],
        "open_since": events["open_since"],
        "open_age": open_age,
        "recent_count": events["recent_count"],
        "churn_day": events["churn_day"],
        "outages": events["outages"],
        "delays": events["delays"],
        "response": events["response"],
        "response_norm": resp_norm,
        "days_silent": days_silent,
        "usual_gap": usual,
        "own_rhythm": own_rhythm,
        "last_contact_day": contacts["last"],
        "value_per_year": value_per_year,
        "downstream": downstream,
        "reach": reach,
        "as_of_day": as_of_day,
        "n": n,
    }
