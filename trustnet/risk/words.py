"""Plain words for the risk table: the ``factors``, ``why`` and ``next_action`` columns.

Text is built column-wise with pyarrow compute kernels (numbers cast to text,
lookup tables for months and shares, element-wise joins and choices), never row
by row in Python: a million relationships take well under a second.

Examples
--------
>>> import numpy as np
>>> _decimals(np.array([0.314, 1.0, 0.05, np.nan])).to_pylist()
['0.31', '1.00', '0.05', None]
>>> _dates(np.array([20150.0, 19800.0, np.nan]), as_of_year=2025).to_pylist()
['3 Mar', '18 Mar 2024', None]
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema as S
from ..graph import ADVOCATE, KINDS
from .factors import PROBLEM_KINDS
from .weights import FACTOR_LABELS, FACTORS

__all__ = ["describe", "VERBS", "MIN_SHARE", "SECOND_SHARE"]

#: factor -> the verb that opens ``next_action`` when the factor leads
VERBS = {
    "low_people": "meet",
    "low_process": "fix",
    "low_platform": "fix",
    "falling_trend": "check in",
    "unresolved": "resolve",
    "unresolved_age": "resolve",
    "recent_problems": "follow up",
    "response_delay": "answer faster",
    "silence": "call",
    "inconsistency": "fix",
    "upstream": "reassure",
}
SAFE_ADVOCATE = "thank and ask for a review"
SAFE_TRUSTING = "ask for a referral"
SAFE_OTHER = "keep in touch"
NOTHING_STANDS_OUT = "no risk factor stands out"
#: a factor is named in words when it carries at least this share of the risk
MIN_SHARE = 0.05
#: a second factor joins the next action when it carries at least this share
SECOND_SHARE = 0.2
#: customers trusting at least this much (overall) are asked for a referral when safe
TRUSTING = 0.7
_MAX_LISTED = 6
_PROBLEM_WORDS = {
    "complaint": "complaint", "refund_denied": "refund denied", "unresolved": "problem",
    "escalation": "escalation", "outage": "outage",
}
_PROBLEM_LABELS = {
    "complaint": "unresolved complaint", "refund_denied": "refund denied", "unresolved": "unresolved problem",
    "escalation": "unresolved escalation", "outage": "outage without follow-up",
}
_MONTHS = pa.array(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])
_PAD2 = pa.array([f"{i:02d}" for i in range(100)])
_SIGNS = pa.array(["", "-"])
_NULL = pa.scalar(None, pa.string())


def _cat(*parts: Any) -> pa.Array:
    """Element-wise concatenation; null where any part is null."""
    return pc.binary_join_element_wise(*parts, "")


def _when(mask: np.ndarray, text: Any) -> pa.Array:
    """``text`` where ``mask``, null elsewhere."""
    if not isinstance(text, (pa.Array, pa.ChunkedArray)):
        text = pa.array(np.full(len(mask), text, dtype=object), pa.string())
    return pc.if_else(pa.array(np.asarray(mask, bool)), text, _NULL)


def _pick(mask: np.ndarray, yes: Any, no: Any) -> pa.Array:
    return pc.if_else(pa.array(np.asarray(mask, bool)), yes, no)


def _join(parts: list[pa.Array], sep: str) -> pa.Array:
    """Join the non-null parts of each row with ``sep`` ('' when all are null)."""
    if not parts:
        return pa.array([], pa.string())
    filled = [pc.fill_null(_cat(sep, p), "") for p in parts]
    text = _cat(*filled) if len(filled) > 1 else filled[0]
    return pc.utf8_slice_codeunits(text, len(sep))


def _ints(values: np.ndarray) -> pa.Array:
    """Whole numbers as text (null for NaN)."""
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v)
    return pc.cast(pa.array(np.round(np.where(ok, v, 0)).astype(np.int64), mask=~ok), pa.string())


def _decimals(values: np.ndarray, places: int = 2) -> pa.Array:
    """Numbers with 1 or 2 decimals (null for NaN)."""
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v)
    scale = 10 ** places
    scaled = np.round(np.abs(np.where(ok, v, 0.0)) * scale).astype(np.int64)
    whole = pc.cast(pa.array(scaled // scale), pa.string())
    frac = pc.take(_PAD2, pa.array(scaled % scale)) if places == 2 else pc.cast(pa.array(scaled % scale), pa.string())
    sign = pc.take(_SIGNS, pa.array((v < 0).astype(np.int8)))
    return _when(ok, _cat(sign, whole, ".", frac))


def _dates(days: np.ndarray, as_of_year: int | None) -> pa.Array:
    """Day numbers (since 1970-01-01) as '3 Mar', with the year when it is not the export's year."""
    d = np.asarray(days, dtype=float)
    ok = np.isfinite(d)
    dd = np.where(ok, d, 0).astype(np.int64).astype("datetime64[D]")
    month_start = dd.astype("datetime64[M]")
    year = dd.astype("datetime64[Y]").astype(np.int64) + 1970
    day = (dd - month_start).astype(np.int64) + 1
    month = month_start.astype(np.int64) % 12
    text = _cat(pc.cast(pa.array(day), pa.string()), " ", pc.take(_MONTHS, pa.array(month)))
    show_year = year != as_of_year if as_of_year is not None else np.ones(len(year), bool)
    text = _pick(show_year, _cat(text, " ", pc.cast(pa.array(year), pa.string())), text)
    return _when(ok, text)


def _phrases(facts: Mapping[str, Any], sel: np.ndarray, X: np.ndarray, node_ids: pa.Array,
             trend_days: float, need: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """All phrases needed, concatenated, and the position of (row, factor)'s phrase in them.

    Each factor's phrase is built only on the rows where ``need[:, factor]`` and
    the factor is on; positions elsewhere are meaningless (never looked up).
    """
    col = {f: i for i, f in enumerate(FACTORS)}
    as_of_day = facts["as_of_day"]
    as_of_year = None if not np.isfinite(as_of_day) else int(
        np.datetime64(int(as_of_day), "D").astype("datetime64[Y]").astype(np.int64) + 1970)
    need = need & (X > 0)
    need[:, col["unresolved"]] |= need[:, col["unresolved_age"]]
    need[:, col["unresolved_age"]] = False
    pos = np.zeros(need.shape, np.int32)
    subs: list[pa.Array] = []
    total = 0
    for c, f in enumerate(FACTORS):
        if not need[:, c].any():
            continue
        text = _phrase(f, facts, sel[need[:, c]], node_ids, trend_days, as_of_year)
        pos[:, c] = total + np.cumsum(need[:, c]) - 1
        total += len(text)
        subs.append(text.cast(pa.string()))
    return (pa.concat_arrays(subs) if subs else pa.array([], pa.string())), pos


def _lists(values: pa.Array, row: np.ndarray, k: int, sep: str) -> pa.Array:
    """Join ``values`` (in row order; ``row`` says whose) per row with ``sep``; nulls are left out."""
    valid = pc.is_valid(values).to_numpy(zero_copy_only=False)
    values = values.filter(pa.array(valid))
    counts = np.bincount(row[valid], minlength=k)
    offsets = pa.array(np.r_[0, np.cumsum(counts)].astype(np.int64), pa.int64())
    return pc.binary_join(pa.LargeListArray.from_arrays(offsets, values), sep)


def _phrase(f: str, facts: Mapping[str, Any], ix: np.ndarray, node_ids: pa.Array, trend_days: float,
            as_of_year: int | None) -> pa.Array:
    """The phrase of factor ``f`` for the relationships ``ix`` (where the factor is on)."""
    def g(key: str) -> np.ndarray:
        return facts[key][ix]

    if f.startswith("low_"):
        d = f[4:]
        return _cat(f"{d} trust ", _decimals(facts["scores"][d][ix]), " (usual ", _decimals(facts["norms"][d][ix]), ")")
    if f == "falling_trend":
        return _cat("trust fell ", _decimals(-g("trend")), f" over {trend_days:g} days")
    if f == "unresolved":
        # open problems: one phrase with kind, date and age; the age factor shares it
        kind = g("open_kind")
        words = pa.array([_PROBLEM_WORDS[x] for x in PROBLEM_KINDS])
        word = pc.fill_null(pc.take(words, pa.array(np.maximum(kind, 0), mask=kind < 0)), "problem")
        since = g("open_since")
        when = _dates(since, as_of_year)
        dated = np.isfinite(since)
        outages = g("outages")
        unresolved = _pick(dated, _cat(word, " unresolved since ", when, " (", _ints(g("open_age")), " days)"),
                           _cat(word, " unresolved"))
        outage = _pick(dated, _cat("outage on ", when, " with nothing good since"), "outage with nothing good since")
        outage = _pick(outages >= 2, _cat(outage, " (", _ints(outages), " outages in all)"), outage)
        refused = _pick(dated, _cat("refund denied on ", when, " (", _ints(g("open_age")), " days ago), no refund since"),
                        "refund denied, no refund since")
        text = _pick(kind == PROBLEM_KINDS.index("outage"), outage,
                     _pick(kind == PROBLEM_KINDS.index("refund_denied"), refused, unresolved))
        n_open = g("open")
        return _pick(n_open >= 2, _cat(text, "; ", _ints(n_open), " problems open"), text)
    if f == "recent_problems":
        recent = g("recent_count")
        return _pick(recent > 0, _cat(_ints(recent), _pick(recent == 1, " problem", " problems"),
                                      " in the last 90 days"), "earlier problems still weigh")
    if f == "response_delay":
        resp, norm = g("response"), np.fmax(g("response_norm"), 1.0)
        slow = np.isfinite(resp) & (resp > norm)
        t_slow = _when(slow, _cat("replies took ", _decimals(resp, 1), " days on average (usual ",
                                  _decimals(norm, 1), ")"))
        delays = g("delays")
        t_delay = _when(delays > 0, _cat(_ints(delays), _pick(delays == 1, " delay", " delays")))
        text = _join([t_slow, t_delay], ", ")
        return pc.if_else(pc.equal(text, ""), _NULL, text)
    if f == "silence":
        usual = _pick(g("own_rhythm"), "usually every ", "typically every ")
        return _cat("no contact for ", _ints(g("days_silent")), " days, ", usual, _ints(g("usual_gap")))
    if f == "inconsistency":
        stacked = np.column_stack([facts["scores"][d][ix] for d in S.DIMENSIONS])
        dims = pa.array(list(S.DIMENSIONS))
        lo, hi = g("spread_lo"), g("spread_hi")
        r = np.arange(len(ix))
        return _cat("uneven trust: ", pc.take(dims, pa.array(lo)), " ", _decimals(stacked[r, lo]), " vs ",
                    pc.take(dims, pa.array(hi)), " ", _decimals(stacked[r, hi]))
    if f == "upstream":
        src = g("upstream_src")
        src_id = pc.take(node_ids, pa.array(np.maximum(src, 0)))
        who = _pick(g("upstream_direct"), _cat(src_id, ", who referred them,"),
                    _cat(src_id, ", upstream in their referral chain,"))
        text = _cat(who, _pick(g("upstream_gone"), " has churned", " is at risk"))
        return _when(src >= 0, text)
    raise AssertionError(f"no words for factor {f}")  # pragma: no cover


def _ranked(shares: np.ndarray, n_ranks: int) -> np.ndarray:
    """Each row's ``n_ranks`` largest columns, largest first (ties: leftmost first), as a small compact array."""
    return np.argsort(-shares, axis=1, kind="stable")[:, :n_ranks].astype(np.int8)


def describe(facts: Mapping[str, Any], sel: np.ndarray, X: np.ndarray, shares: np.ndarray,
             likelihood: np.ndarray, node_ids: Any, safe_below: float, trend_days: float
             ) -> tuple[pd.api.extensions.ExtensionArray, ...]:
    """The ``factors``, ``why`` and ``next_action`` columns (pandas ``str`` arrays) for the rows ``sel``.

    ``shares`` holds each factor's share of a row's risk (rows of ``X``, the factor matrix of the
    selected rows); factors below :data:`MIN_SHARE` are not named.

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
    >>> import numpy as np
    >>> from trustnet.risk import _likelihoods
    >>> from trustnet.risk.weights import resolve_weights
    >>> settings = Settings()
    >>> facts, X, likelihood = _likelihoods(G, score_trust(G), settings)
    >>> sel = np.flatnonzero(facts["candidate"])
    >>> contrib = np.maximum(X[sel] * resolve_weights(settings)[1], 0.0)
    >>> shares = contrib / contrib.sum(axis=1, keepdims=True)
    >>> factors, why, action = describe(facts, sel, X[sel], shares, likelihood[sel], G.nodes["id"],
    ...                                 safe_below=0.1, trend_days=90.0)
    >>> list(factors)[1]
    'unresolved complaint 60%, recent problems 32%, low process trust 8%'
    >>> list(action)
    ['thank and ask for a review', 'resolve: complaint unresolved since 1 Mar (0 days); 1 problem in the last 90 days']
    """
    k = len(sel)
    F = len(FACTORS)
    col = {f: i for i, f in enumerate(FACTORS)}
    ids = node_ids if isinstance(node_ids, (pa.Array, pa.ChunkedArray)) else pa.array(node_ids)
    ids = pc.cast(ids, pa.string())  # loaded ids may be large_string; the kernels want one type
    rk = np.arange(k)
    n_ranks = min(_MAX_LISTED, F)

    # --- factors: "label NN%" in share order, from a (label, percent) lookup table
    kind = facts["open_kind"][sel]
    label_names = [FACTOR_LABELS[f] for f in FACTORS] + [_PROBLEM_LABELS[x] for x in PROBLEM_KINDS]
    items = pa.array([f"{name} {p}%" for name in label_names for p in range(101)])
    order = _ranked(shares, n_ranks)
    listed = shares[rk[:, None], order] >= MIN_SHARE
    entry_row = np.broadcast_to(rk[:, None], listed.shape)[listed]  # row-major: rows in order, ranks in order
    entry_f = order[listed]
    entry_kind = kind[entry_row]
    label_id = np.where((entry_f == col["unresolved"]) & (entry_kind >= 0), F + np.maximum(entry_kind, 0), entry_f)
    codes = label_id * 101 + np.round(shares[entry_row, entry_f] * 100).astype(np.int64)
    factors_text = _lists(items.take(pa.array(codes)), entry_row, k, ", ")

    # --- why and next action: the open-problem age shares the open-problem phrase
    text_shares = shares.copy()
    text_shares[:, col["unresolved"]] += text_shares[:, col["unresolved_age"]]
    text_shares[:, col["unresolved_age"]] = 0.0
    order = _ranked(text_shares, n_ranks)
    listed = text_shares[rk[:, None], order] >= MIN_SHARE
    need = np.zeros((k, F), bool)
    for r in range(n_ranks):
        need[rk[listed[:, r]], order[listed[:, r], r]] = True
    phrases, pos = _phrases(facts, sel, X, ids, trend_days, need)
    entry_row = np.broadcast_to(rk[:, None], listed.shape)[listed]
    entry_f = order[listed]
    why = _lists(phrases.take(pa.array(pos[entry_row, entry_f])), entry_row, k, "; ")
    why = pc.if_else(pc.equal(why, ""), NOTHING_STANDS_OUT, why)

    first = order[:, 0]
    second = order[:, 1] if n_ranks > 1 else order[:, 0]
    verbs = pa.array([VERBS[f] for f in FACTORS])
    verb = pc.take(verbs, pa.array(first))
    verb = _pick((first == col["unresolved"]) & (kind == PROBLEM_KINDS.index("outage")), "fix", verb)
    lead = phrases.take(pa.array(pos[rk, first], mask=~listed[:, 0]))
    add = phrases.take(pa.array(pos[rk, second], mask=~listed[:, min(1, n_ranks - 1)]))
    del phrases, pos  # a million rows of text each: freed as soon as they are used up
    has_lead = pc.is_valid(lead).to_numpy(zero_copy_only=False)
    action = _cat(verb, ": ", lead)
    del lead
    with_second = (text_shares[rk, second] >= SECOND_SHARE) & pc.is_valid(add).to_numpy(zero_copy_only=False)
    action = _pick(with_second, _cat(action, "; ", pc.fill_null(add, "")), action)
    del add
    at_risk = (likelihood >= safe_below) & (text_shares[rk, first] >= MIN_SHARE) & has_lead
    overall = np.nan_to_num(facts["overall"][sel])
    safe_code = np.where(facts["kind"][sel] == KINDS.index(ADVOCATE), 0, np.where(overall >= TRUSTING, 1, 2))
    safe = pc.take(pa.array([SAFE_ADVOCATE, SAFE_TRUSTING, SAFE_OTHER], pa.string()), pa.array(safe_code))
    next_action = _pick(at_risk, pc.fill_null(action, ""), safe)
    return tuple(pd.array(a, dtype="str") for a in (factors_text, why, next_action))
