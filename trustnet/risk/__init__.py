"""At-risk relationships: which may break, why, what is at stake, what to do next.

:func:`find_at_risk` scores every customer → provider and advocate → provider
relationship of a :class:`~trustnet.graph.TrustGraph`, given its trust scores
(:func:`trustnet.trust.score_trust`). Relationships rarely break on one event:
the break **likelihood** is the logistic of a weighted sum of named factors,

    likelihood = 1 / (1 + exp(-(intercept + sum_f weight_f * factor_f)))

and every factor is shown with its share of the risk (``weight_f * factor_f``
over the sum of the positive terms), so a user sees *why*.

The factors and their default weights follow; ``settings.risk.weights``
overrides any of them, ``settings.risk.intercept`` the intercept, and
``trustnet calibrate`` fits both to known churn. The default intercept, -4.5,
gives a relationship where nothing stands out a 1.1% likelihood; on generated
worlds (``trustnet.datasets.generate``) it puts the mean likelihood near 10%,
the order of the 5% of relationships that end within 90 days, so a likelihood
reads roughly as a chance of breaking within a quarter. The weights are
judgement, not fitted: calibrate them on your own outcomes.

================  ======  ==================================================================
factor            weight  what it measures
================  ======  ==================================================================
low_people        1.5     how far the people score lies below the reference (the higher of
                          neutral 0.5 and the provider's median), as a share of the reference,
                          times (1 + confidence) / 2 (0..1): the score is already a posterior
                          that leans on its prior when evidence is thin, so a score without
                          evidence of its own counts half
low_process       2.0     the same on the process dimension (service, complaints, promises)
low_platform      1.5     the same on the platform dimension (app, website, portal)
falling_trend     1.5     how much ``overall`` fell over the trend window, per 0.2 (0..2)
unresolved        1.5     negative events still open (0..3): a complaint, escalation or
                          ``unresolved`` event with no later resolution or refund, a
                          refund_denied with no later refund, an outage with no later
                          positive evidence
unresolved_age    0.5     age of the oldest open problem, per 90 days (0..2)
recent_problems   0.8     negative events of the recent past, open or not (complaints,
                          escalations, unresolved follow-ups, refunds denied, delays,
                          outages), each weighing 1/2 ** (age / ``risk.problem_half_life_days``),
                          capped at 5: problems in quick succession add up to a tipping point
response_delay    0.6     times slower than the provider's median response, minus one (0..3),
                          plus 0.5 per ``delay`` event (up to 2)
silence           1.2     days since the last contact against this relationship's own rhythm
                          (median gap between its contacts, pulled towards the provider's median
                          rhythm as if by ``risk.rhythm_prior_gaps`` more gaps; the provider's
                          alone when it has fewer than three contacts; at least
                          ``risk.rhythm_floor_days``): 0 at the usual rhythm, 1 at
                          ``risk.silence_ratio`` times it, capped at 3
inconsistency     1.0     spread between the best and the worst dimension with confidence
                          0.25 or more, times the lower of their confidences (0..1)
upstream          1.5     the person who referred them, or someone further up the referral
                          forest, churned (1, fading with ``risk.problem_half_life_days`` from a
                          dated churn event) or is at risk (their own likelihood above the
                          baseline ``1 / (1 + exp(-intercept))``, rescaled to 0..1), passed
                          down with ``risk.upstream_decay`` per level
================  ======  ==================================================================

The **stake** of a relationship is

    stake = value_per_year + typical_value * (downstream_weight * downstream
                                              + reach_weight * complaint_reach)

where ``value_per_year`` is the revenue of its referrals plus the value of its
touchpoints over the relationship's lifetime in years (at least one year; the
typical value when the export has none for it), ``typical_value`` is the median
value per year of the relationships that have one (1 when none do, so the stake
counts people), ``downstream`` the people below the truster in the first-touch
referral forest (whose trust came through them), and ``complaint_reach`` the
people a public complaint would reach first (everyone they referred or were
referred by, plus the people below those they referred). ``priority`` =
likelihood × stake; the table is sorted by it, highest first.

Relationships already lost (a ``churned`` status or a churn event with nothing
after it) and referrals that were only ever declined are not listed: they are
not at risk. Churned people still count as gone upstream advocates.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy.special import expit

from .._memory import release_memory
from ..graph import TrustGraph
from ..settings import Settings
from .calibrate import calibrate_risk, fit_logistic, read_outcomes, risk_toml
from .factors import compute_factors
from .forest import forest_downstream, node_gone, propagate_upstream
from .weights import DEFAULT_WEIGHTS, FACTOR_DOCS, FACTOR_LABELS, FACTORS, resolve_weights
from .words import describe

__all__ = [
    "find_at_risk", "calibrate_risk", "fit_logistic", "risk_factors", "risk_toml", "read_outcomes", "resolve_weights",
    "FACTORS", "DEFAULT_WEIGHTS", "FACTOR_LABELS", "FACTOR_DOCS",
    "forest_downstream", "propagate_upstream",
    "TRUSTER", "TRUSTEE", "KIND", "LIKELIHOOD", "PRIORITY", "STAKE", "VALUE_PER_YEAR", "DOWNSTREAM",
    "COMPLAINT_REACH", "FACTORS_TEXT", "WHY", "NEXT_ACTION", "LAST_CONTACT", "DAYS_SILENT",
    "USUAL_GAP_DAYS", "OPEN_PROBLEMS", "OPEN_SINCE", "SHARE_PREFIX",
]

# --- columns of the risk table ---------------------------------------------------------------
TRUSTER, TRUSTEE, KIND = "truster", "trustee", "kind"
LIKELIHOOD = "likelihood"            #: break likelihood, 0..1
PRIORITY = "priority"                #: likelihood × stake
STAKE = "stake"                      #: see the module docstring
VALUE_PER_YEAR = "value_per_year"    #: NaN when the export has no value for the relationship
DOWNSTREAM = "downstream"            #: people below the truster in the referral forest
COMPLAINT_REACH = "complaint_reach"  #: people a public complaint would reach first
FACTORS_TEXT = "factors"             #: "unresolved complaint 45%, silence 30%, ..."
WHY = "why"
NEXT_ACTION = "next_action"
LAST_CONTACT = "last_contact"
DAYS_SILENT = "days_silent"
USUAL_GAP_DAYS = "usual_gap_days"
OPEN_PROBLEMS = "open_problems"
OPEN_SINCE = "open_since"
SHARE_PREFIX = "share_"              #: share_<factor>: the factor's share of the risk, 0..1
_TEXT_BLOCK = 1 << 15  # rows of the risk table whose words are built at a time (two blocks at once)

_UP = FACTORS.index("upstream")


def _likelihoods(graph: TrustGraph, scores: Any, settings: Settings) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    """Facts, the complete factor matrix and the likelihood of every relationship row."""
    b, w = resolve_weights(settings)
    facts = compute_factors(graph, scores, settings)
    X = facts["X"]
    cand = facts["candidate"]
    truster = facts["truster"]
    # first pass without the upstream factor: how much at risk each person is themselves
    first = expit(b + X @ w)
    node_risk = np.zeros(graph.n)
    np.maximum.at(node_risk, truster[cand], first[cand])
    gone, gone_weight = node_gone(graph, facts, settings.risk.problem_half_life_days)
    # "at risk" is the likelihood above the baseline of a relationship where nothing stands out
    base = float(expit(b))
    signal = np.where(gone, gone_weight, np.clip((node_risk - base) / (1.0 - base), 0.0, 1.0))
    up, src = propagate_upstream(graph, signal, settings.risk.upstream_decay)
    X[:, _UP] = up[truster]
    facts["upstream_src"] = src[truster]
    facts["upstream_direct"] = (src[truster] >= 0) & (src[truster] == graph.parent[truster])
    facts["upstream_gone"] = np.where(src[truster] >= 0, gone[np.maximum(src[truster], 0)], False)
    return facts, X, expit(b + X @ w)


def _who(graph: TrustGraph, rows: np.ndarray) -> dict[str, Any]:
    """truster, trustee and kind of relationship rows, keeping their dtypes (no per-row objects)."""
    rel = graph.relationships
    return {c: rel[c].take(rows).reset_index(drop=True) for c in (TRUSTER, TRUSTEE, KIND)}


def risk_factors(graph: TrustGraph, scores: Any, settings: Settings | None = None) -> pd.DataFrame:
    """The factor values of every live customer/advocate → provider relationship, unsorted.

    The same rows and factor columns as :func:`find_at_risk`, in the order of
    ``graph.relationships``, without stake or words: the input of
    :func:`calibrate_risk` and of research on the factors.

    Examples
    --------
    >>> import pandas as pd
    >>> from trustnet.graph import build_graph
    >>> from trustnet.trust import score_trust
    >>> G = build_graph(pd.DataFrame({"referrer": ["ann"], "referred": ["bob"], "provider": ["P"],
    ...                               "referred_at": ["2025-01-01"]}))
    >>> risk_factors(G, score_trust(G))[["truster", "trustee", "silence", "upstream"]].to_string(index=False)
    'truster trustee  silence  upstream\\n    ann       P      0.0       0.0\\n    bob       P      0.0       0.0'
    """
    settings = settings or Settings()
    facts, X, lik = _likelihoods(graph, scores, settings)
    rows = np.flatnonzero(facts["candidate"])
    out = pd.DataFrame(_who(graph, facts["base"][rows]))
    out[LIKELIHOOD] = lik[rows]
    for j, f in enumerate(FACTORS):
        out[f] = X[rows, j]
    return out


def find_at_risk(graph: TrustGraph, scores: Any, settings: Settings | None = None) -> pd.DataFrame:
    """Rank the customer/advocate → provider relationships by how urgently they need attention.

    Parameters
    ----------
    graph : TrustGraph
        From :func:`trustnet.graph.build_graph` (with touchpoints when there are any).
    scores : TrustScores or None
        From :func:`trustnet.trust.score_trust` on the same graph. ``None``
        leaves the score-based factors (low scores, trend, inconsistency) at
        zero and ranks on events, silence, delays and upstream churn alone.
    settings : Settings, optional
        ``settings.risk``: weights, intercept, silence ratio, stake weights.

    Returns
    -------
    DataFrame
        One row per live customer → provider and advocate → provider
        relationship, sorted by ``priority`` (highest first): ``truster``,
        ``trustee``, ``kind``, ``likelihood`` (0..1), ``priority``, ``stake``,
        ``value_per_year``, ``downstream``, ``complaint_reach``, ``factors``
        (the contributing factors with their shares), ``why``, ``next_action``,
        one column per factor (its value, see :data:`FACTORS`), one
        ``share_<factor>`` column per factor, and the facts behind the words:
        ``last_contact``, ``days_silent``, ``usual_gap_days``, ``open_problems``,
        ``open_since``.

    Examples
    --------
    >>> import pandas as pd
    >>> from trustnet.graph import build_graph
    >>> from trustnet.trust import score_trust
    >>> refs = pd.DataFrame({"referrer": ["ann", "ann"], "referred": ["bob", "cat"], "provider": "Tiles",
    ...                      "referred_at": ["2025-01-01", "2025-01-02"], "revenue": [900.0, 800.0]})
    >>> tps = pd.DataFrame({"customer": ["bob"] * 4 + ["cat"] * 2, "provider": "Tiles",
    ...                     "at": ["2025-01-08", "2025-01-15", "2025-01-22", "2025-02-01", "2025-03-01", "2025-03-10"],
    ...                     "event": [None, None, None, "complaint", None, None]})
    >>> G = build_graph(refs, tps)
    >>> risks = find_at_risk(G, score_trust(G))
    >>> print(risks.loc[0, "truster"], "|", risks.loc[0, "next_action"])
    bob | resolve: complaint unresolved since 1 Feb (37 days); no contact for 37 days, usually every 14
    """
    settings = settings or Settings()
    facts, X, lik = _likelihoods(graph, scores, settings)
    b, w = resolve_weights(settings)
    cand = np.flatnonzero(facts["candidate"])
    known = facts["value_per_year"][cand]
    known = known[np.isfinite(known) & (known > 0)]
    typical = float(np.median(known)) if len(known) else 1.0
    risk = settings.risk

    def stake_of(rows: np.ndarray) -> np.ndarray:
        vpy = facts["value_per_year"][rows]
        truster = facts["truster"][rows]
        return np.where(np.isfinite(vpy), vpy, typical) + typical * (
            risk.downstream_weight * facts["downstream"][truster] + risk.reach_weight * facts["reach"][truster])

    # sort first (priority, highest first; ties in relationship order), then build every column in that order
    sel = cand[np.argsort(-(lik[cand] * stake_of(cand)), kind="stable")]
    stake = stake_of(sel)
    likelihood = lik[sel]
    priority = likelihood * stake
    truster = facts["truster"][sel]
    vpy = facts["value_per_year"][sel]
    downstream = facts["downstream"][truster]
    reach = facts["reach"][truster]
    Xs = X[sel]
    del X, facts["X"]  # every row's factors: only the selected rows' are needed from here on
    shares = Xs * w  # each factor's contribution, then its share of the row's total (in place)
    np.maximum(shares, 0.0, out=shares)
    total = shares.sum(axis=1, keepdims=True)
    np.divide(shares, total, out=shares, where=total > 0)
    shares[~(total[:, 0] > 0)] = 0.0  # nothing contributes: no shares
    del total
    # from here on only the selected rows' facts, in priority order (Xs holds their factors; downstream and
    # reach, per node, are used above): the text is built with a fraction of the memory
    facts = {k: _fact_at_rows(v, sel) for k, v in facts.items() if k not in ("downstream", "reach")}
    release_memory()  # the factors' scratch memory, before the text is built

    node_ids = pa.array(graph.nodes["id"])
    # a block of rows at a time: each row's words depend on that row alone, and the scratch text stays small;
    # two blocks at once (Arrow and numpy release the GIL), joined in block order
    def words(start: int) -> tuple[pd.api.extensions.ExtensionArray, ...]:
        rows = np.arange(start, min(start + _TEXT_BLOCK, len(sel)))
        return describe(facts, rows, Xs[rows], shares[rows], likelihood[rows], node_ids, risk.safe_below,
                        settings.trust.trend_window_days)

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="trustnet-words") as pool:
        texts = list(pool.map(words, range(0, max(len(sel), 1), _TEXT_BLOCK)))  # one (empty) block when none
    factors_text, why, action = (_joined([t[i] for t in texts]) for i in range(3))
    del texts
    day_ns = np.int64(86_400 * 10**9)

    def as_dates(days: np.ndarray) -> np.ndarray:
        out = np.full(len(days), np.datetime64("NaT"), dtype="datetime64[ns]")
        ok = np.isfinite(days)
        out[ok] = (days[ok].astype(np.int64) * day_ns).view("datetime64[ns]")
        return out

    table = {
        **_who(graph, facts["base"]),
        LIKELIHOOD: likelihood,
        PRIORITY: priority,
        STAKE: stake,
        VALUE_PER_YEAR: vpy,
        DOWNSTREAM: downstream,
        COMPLAINT_REACH: reach,
        FACTORS_TEXT: factors_text,
        WHY: why,
        NEXT_ACTION: action,
    }
    for j, f in enumerate(FACTORS):
        table[f] = Xs[:, j]
    for j, f in enumerate(FACTORS):
        table[SHARE_PREFIX + f] = shares[:, j]
    table[LAST_CONTACT] = as_dates(facts["last_contact_day"])
    table[DAYS_SILENT] = facts["days_silent"]
    table[USUAL_GAP_DAYS] = facts["usual_gap"]
    table[OPEN_PROBLEMS] = facts["open"]
    table[OPEN_SINCE] = as_dates(facts["open_since"])
    return pd.DataFrame(table, copy=False)  # every column is a new array: no second copy


def _joined(parts: list[Any]) -> Any:
    """Text arrays one after the other (Arrow chunks: no copy)."""
    return parts[0] if len(parts) == 1 else pd.concat([pd.Series(p) for p in parts], ignore_index=True).array


def _fact_at_rows(value: Any, rows: np.ndarray) -> Any:
    """A fact (array, dict of arrays per dimension, or a number) at ``rows``."""
    if isinstance(value, np.ndarray):
        return value[rows]
    if isinstance(value, dict):
        return {key: array[rows] for key, array in value.items()}
    return value
