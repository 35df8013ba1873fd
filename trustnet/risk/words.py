"""Plain words for the risk table: the ``factors``, ``why`` and ``next_action`` columns.

Text is built column-wise on numpy object arrays (lookup tables for numbers and
dates, element-wise string concatenation), never row by row in Python, so a
million relationships take about a second.

Examples
--------
>>> import numpy as np
>>> _decimals(np.array([0.314, 1.0, 0.05])).tolist()
['0.31', '1.00', '0.05']
>>> _dates(np.array([20150.0, 19800.0, np.nan]), as_of_year=2025).tolist()
['3 Mar', '18 Mar 2024', '']
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .. import schema as S
from ..graph import ADVOCATE
from .factors import FACTOR_LABELS, FACTORS, PROBLEM_KINDS

__all__ = ["describe"]

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
_MONTHS = np.array(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], dtype=object)
_PAD2 = np.array([f"{i:02d}" for i in range(100)], dtype=object)


def _obj(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=object)


def _ints(values: np.ndarray) -> np.ndarray:
    """Whole numbers as text ('' for NaN)."""
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v)
    out = np.full(len(v), "", dtype=object)
    out[ok] = np.round(v[ok]).astype(np.int64).astype(str).astype(object)
    return out


def _decimals(values: np.ndarray, places: int = 2) -> np.ndarray:
    """Non-negative numbers with 1 or 2 decimals ('' for NaN)."""
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v)
    scale = 10 ** places
    scaled = np.round(np.abs(np.where(ok, v, 0.0)) * scale).astype(np.int64)
    whole = (scaled // scale).astype(str).astype(object)
    frac = scaled % scale
    tail = _PAD2[frac] if places == 2 else frac.astype(str).astype(object)
    sign = np.where(v < 0, "-", "").astype(object)
    return np.where(ok, sign + whole + "." + tail, "").astype(object)


def _dates(days: np.ndarray, as_of_year: int | None) -> np.ndarray:
    """Day numbers (days since 1970-01-01) as '3 Mar', with the year when it is not the export's year."""
    d = np.asarray(days, dtype=float)
    ok = np.isfinite(d)
    out = np.full(len(d), "", dtype=object)
    if not ok.any():
        return out
    dd = d[ok].astype(np.int64).astype("datetime64[D]")
    month_start = dd.astype("datetime64[M]")
    year = dd.astype("datetime64[Y]").astype(np.int64) + 1970
    day = (dd - month_start).astype(np.int64) + 1
    month = month_start.astype(np.int64) % 12
    text = day.astype(str).astype(object) + " " + _MONTHS[month]
    # the year is always shown when it differs from the export's year
    show_year = year != as_of_year if as_of_year is not None else np.ones(len(year), bool)
    text = np.where(show_year, text + " " + year.astype(str).astype(object), text)
    out[ok] = text
    return out


def _phrases(facts: Mapping[str, Any], sel: np.ndarray, X: np.ndarray, node_ids: np.ndarray,
             trend_days: float) -> np.ndarray:
    """k × len(FACTORS) matrix of phrases ('' where the factor is zero)."""
    k = len(sel)
    P = np.full((k, len(FACTORS)), "", dtype=object)
    col = {f: i for i, f in enumerate(FACTORS)}
    as_of_day = facts["as_of_day"]
    as_of_year = None if not np.isfinite(as_of_day) else int(
        np.datetime64(int(as_of_day), "D").astype("datetime64[Y]").astype(np.int64) + 1970)
    on = X > 0

    for d in S.DIMENSIONS:
        c = col[f"low_{d}"]
        text = f"{d} trust " + _decimals(facts["scores"][d][sel]) + " (usual " + _decimals(facts["norms"][d][sel]) + ")"
        P[:, c] = np.where(on[:, c], text, "")

    c = col["falling_trend"]
    P[:, c] = np.where(on[:, c], "trust fell " + _decimals(-facts["trend"][sel]) + f" over {trend_days:g} days", "")

    # open problems: one phrase with kind, date and age; the age factor shares it
    kind = facts["open_kind"][sel]
    names = np.array(PROBLEM_KINDS, dtype=object)
    word = np.where(kind >= 0, np.array([_PROBLEM_WORDS[x] for x in PROBLEM_KINDS], dtype=object)[np.maximum(kind, 0)], "problem")
    since = facts["open_since"][sel]
    when = _dates(since, as_of_year)
    age = _ints(facts["open_age"][sel])
    dated = np.isfinite(since)
    is_outage = (kind >= 0) & (names[np.maximum(kind, 0)] == "outage")
    outages = facts["outages"][sel]
    unresolved = np.where(dated, word + " unresolved since " + when + " (" + age + " days)", word + " unresolved")
    outage_text = np.where(dated, "outage on " + when + " with nothing good since", "outage with nothing good since")
    outage_text = np.where(outages >= 2, outage_text + " (" + _ints(outages) + " outages in all)", outage_text)
    text = np.where(is_outage, outage_text, unresolved)
    n_open = facts["open"][sel]
    text = np.where(n_open >= 2, text + "; " + _ints(n_open) + " problems open", text)
    c = col["unresolved"]
    P[:, c] = np.where(on[:, c] | on[:, col["unresolved_age"]], text, "")

    c = col["recent_problems"]
    recent = facts["recent_count"][sel]
    P[:, c] = np.where(on[:, c], np.where(recent > 0, _ints(recent) + np.where(recent == 1, " problem", " problems")
                                          + " in the last 90 days", "earlier problems still weigh"), "")

    c = col["response_delay"]
    resp, norm = facts["response"][sel], facts["response_norm"][sel]
    slow = np.isfinite(resp) & (resp > np.fmax(norm, 1.0))
    t_slow = np.where(slow, "replies took " + _decimals(resp, 1) + " days on average (usual "
                      + _decimals(np.fmax(norm, 1.0), 1) + ")", "")
    delays = facts["delays"][sel]
    t_delay = np.where(delays > 0, _ints(delays) + np.where(delays == 1, " delay", " delays"), "")
    both = np.where((t_slow != "") & (t_delay != ""), t_slow + ", " + t_delay, t_slow + t_delay)
    P[:, c] = np.where(on[:, c], both, "")

    c = col["silence"]
    usual = np.where(facts["own_rhythm"][sel], "usually every ", "typically every ")
    P[:, c] = np.where(on[:, c], "no contact for " + _ints(facts["days_silent"][sel]) + " days, " + usual
                       + _ints(facts["usual_gap"][sel]), "")

    c = col["inconsistency"]
    stacked = np.column_stack([facts["scores"][d][sel] for d in S.DIMENSIONS]) if k else np.zeros((0, 3))
    dims = np.array(S.DIMENSIONS, dtype=object)
    lo, hi = facts["spread_lo"][sel], facts["spread_hi"][sel]
    rk = np.arange(k)
    P[:, c] = np.where(on[:, c], "uneven trust: " + dims[lo] + " " + _decimals(stacked[rk, lo]) + " vs "
                       + dims[hi] + " " + _decimals(stacked[rk, hi]), "")

    c = col["upstream"]
    src = facts["upstream_src"][sel]
    src_id = np.where(src >= 0, node_ids[np.maximum(src, 0)], "")
    direct = facts["upstream_direct"][sel]
    src_gone = facts["upstream_gone"][sel]
    who = np.where(direct, src_id + ", who referred them,", src_id + ", upstream in their referral chain,")
    P[:, c] = np.where(on[:, c] & (src >= 0), who + np.where(src_gone, " has churned", " is at risk"), "")
    return P


def describe(facts: Mapping[str, Any], sel: np.ndarray, X: np.ndarray, shares: np.ndarray,
             likelihood: np.ndarray, node_ids: np.ndarray, safe_below: float, trend_days: float
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``factors``, ``why`` and ``next_action`` columns for the rows ``sel``."""
    k = len(sel)
    F = len(FACTORS)
    col = {f: i for i, f in enumerate(FACTORS)}
    P = _phrases(facts, sel, X, node_ids, trend_days)
    rk = np.arange(k)

    # --- factors: "label NN%" in share order
    labels = np.tile(np.array([FACTOR_LABELS[f] for f in FACTORS], dtype=object), (k, 1))
    kind = facts["open_kind"][sel]
    problem_labels = np.array([_PROBLEM_LABELS[x] for x in PROBLEM_KINDS], dtype=object)
    labels[:, col["unresolved"]] = np.where(kind >= 0, problem_labels[np.maximum(kind, 0)], FACTOR_LABELS["unresolved"])
    pct = np.round(shares * 100).astype(np.int64)
    order = np.argsort(-shares, axis=1, kind="stable")[:, :_MAX_LISTED]
    factors_text = np.full(k, "", dtype=object)
    for r in range(order.shape[1]):
        f = order[:, r]
        s = shares[rk, f]
        item = labels[rk, f] + " " + pct[rk, f].astype(str).astype(object) + "%"
        sep = np.where(factors_text == "", "", ", ")
        factors_text = np.where(s >= MIN_SHARE, factors_text + sep + item, factors_text)

    # --- why and next action: the open-problem age shares the open-problem phrase
    text_shares = shares.copy()
    text_shares[:, col["unresolved"]] += text_shares[:, col["unresolved_age"]]
    text_shares[:, col["unresolved_age"]] = 0.0
    order = np.argsort(-text_shares, axis=1, kind="stable")[:, :_MAX_LISTED]
    why = np.full(k, "", dtype=object)
    for r in range(order.shape[1]):
        f = order[:, r]
        phrase = P[rk, f]
        sep = np.where(why == "", "", "; ")
        why = np.where((text_shares[rk, f] >= MIN_SHARE) & (phrase != ""), why + sep + phrase, why)
    why = np.where(why == "", NOTHING_STANDS_OUT, why)

    first, second = order[:, 0], order[:, 1] if F > 1 else order[:, 0]
    verbs = np.array([VERBS[f] for f in FACTORS], dtype=object)
    verb = verbs[first]
    is_outage = (kind >= 0) & (np.array(PROBLEM_KINDS, dtype=object)[np.maximum(kind, 0)] == "outage")
    verb = np.where((first == col["unresolved"]) & is_outage, "fix", verb)
    lead = P[rk, first]
    add = P[rk, second]
    action = verb + ": " + lead
    action = np.where((text_shares[rk, second] >= SECOND_SHARE) & (add != ""), action + "; " + add, action)
    at_risk = (likelihood >= safe_below) & (text_shares[rk, first] >= MIN_SHARE) & (lead != "")
    overall = facts["overall"][sel]
    safe = np.where(facts["kind"][sel] == ADVOCATE, SAFE_ADVOCATE,
                    np.where(np.nan_to_num(overall) >= TRUSTING, SAFE_TRUSTING, SAFE_OTHER))
    next_action = np.where(at_risk, action, safe)
    return factors_text, why, next_action.astype(object)
