"""Rank advocates: measures, a composite score, a segment and a reason in words."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import SettingsError
from ..graph import TrustGraph
from ..settings import Settings
from . import metrics as M

__all__ = ["rank_advocates", "ADVOCATE_COLUMNS", "SEGMENTS", "DEFAULT_SCORE_WEIGHTS"]

#: Segments, in the priority in which their rules are applied (first match wins).
SEGMENTS = ("at risk", "dormant", "low credibility", "champion", "rising", "steady")

#: Default weights of the quality of an advocate's word in the score
#: (``settings.advocates.score_weights`` overrides them).
DEFAULT_SCORE_WEIGHTS: Mapping[str, float] = {
    "conversion": 0.3,
    "credibility": 0.3,
    "reputation": 0.2,
    "brokerage": 0.2,
}

#: Columns of :func:`rank_advocates`, in order.
ADVOCATE_COLUMNS = (
    "advocate", "direct_referrals", "converted", "conversion_rate", "reach", "depth",
    "value_direct", "value_downstream", "value_attributed", "credibility", "referee_trust",
    "reputation", "reputation_pct", "brokerage", "own_trust", "own_trust_pct", "own_trend",
    "first_referral", "last_referral", "quality", "score", "score_pct", "segment", "why", "node",
)


def score_weights(settings: Settings) -> dict[str, float]:
    """The composite's weights: the defaults updated by ``settings.advocates.score_weights``."""
    extra = dict(settings.advocates.score_weights)
    unknown = sorted(set(extra) - set(DEFAULT_SCORE_WEIGHTS))
    if unknown:
        raise SettingsError(
            "unknown advocates.score_weights key(s) " + ", ".join(map(repr, unknown))
            + "; valid keys are " + ", ".join(DEFAULT_SCORE_WEIGHTS)
        )
    weights = {**DEFAULT_SCORE_WEIGHTS, **{k: float(v) for k, v in extra.items()}}
    if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise SettingsError(f"advocates.score_weights must be non-negative and not all zero, got {weights}")
    return weights


def rank_advocates(
    graph: TrustGraph,
    scores: Any = None,
    settings: Settings | None = None,
    *,
    exclude: Any = None,
) -> pd.DataFrame:
    """Rank the advocates of a referral network: who carries trust, how far, and whether their word held.

    An advocate is a node that made at least one referral. Measures:

    - ``direct_referrals``, ``converted`` and ``conversion_rate``: referrals made,
      how many converted (status ``converted``/``churned``; without a status, a
      conversion date or revenue), and the rate smoothed for small counts,
      ``(converted + k * base) / (known + k)`` with ``k =
      settings.advocates.conversion_smoothing`` and ``base`` the export's rate
      (NaN when the export records no outcome at all).
    - ``reach``, ``depth``: customers below them in the first-touch referral
      forest, every level (people whose referrals were all declined or are
      pending are not counted), and the deepest level.
    - ``value_direct`` (value of customers they acquired), ``value_downstream``
      (everyone further down) and ``value_attributed``: direct value plus
      downstream value decayed geometrically, ``sum decay ** (level - 1) *
      value`` with ``decay = settings.advocates.downstream_decay``.
    - ``credibility`` (0..1, 0.5 = the provider's median customer): where the
      trust of the people they referred in the provider falls within the
      provider's population, confidence-weighted and smoothed
      (``settings.advocates.credibility_smoothing``); ``referee_trust`` the
      referees' mean ``overall`` trust.
    - ``reputation``, ``reputation_pct``: EigenTrust reputation from the trust model.
    - ``brokerage`` (0..1, an estimate): diversity of the (referral tree,
      provider) groups their referral ties land in; a cheap stand-in for
      betweenness.
    - ``own_trust``, ``own_trust_pct``, ``own_trend``: their own lowest trust in
      the providers they advocate for, its percentile within the provider's
      customers and advocates (0..1), and the steepest trend.
    - ``quality`` (0..1): how far their word can be trusted, the weighted mean
      of ``conversion_rate`` (weight ``conversion``), ``credibility``,
      ``reputation_pct / 100`` (``reputation``) and ``brokerage``; weights in
      :data:`DEFAULT_SCORE_WEIGHTS`, overridden by
      ``settings.advocates.score_weights``; a part that is unknown (no trust
      scores, no outcomes) is left out and the others reweighted.
    - ``score``: what their word is worth, ``value_attributed * (0.5 + quality)``
      — attributed value, scaled from half (quality 0) to one and a half times
      (quality 1). When the export carries no revenue at all, the decayed
      number of customers below them takes the place of value. ``score_pct``:
      its percentile among advocates (100 = best).
    - ``segment``, the first rule that holds, in this order: ``at risk`` (own
      trust among the provider's lowest ``at_risk_pct`` or falling by
      ``at_risk_drop`` or more over ``trust.trend_window_days``),
      ``dormant`` (no referral for more than ``dormant_days`` before
      ``graph.as_of``), ``low credibility`` (credibility below
      ``low_credibility``), ``champion`` (``score_pct`` at least
      ``champion_pct``), ``rising`` (first referral within ``rising_days``, or
      more referrals in the last ``rising_days`` than in the span before),
      ``steady`` (everyone else).
    - ``why``: the same in plain words; ``node``: the advocate's index in ``graph.nodes``.

    Parameters
    ----------
    graph : TrustGraph
        From :func:`trustnet.build_graph`.
    scores : TrustScores, optional
        From :func:`trustnet.score_trust` on the same graph. Without it
        credibility, reputation and own trust are NaN and left out of the score.
    settings : Settings, optional
        The ``advocates`` section applies.
    exclude : array of bool, optional
        One value per row of ``graph.referrals``: true sets the referral aside
        (e.g. the fraud stage's suspicious referrals) from every measure.

    Returns
    -------
    DataFrame
        One row per advocate, columns :data:`ADVOCATE_COLUMNS`, best first
        (score, then reach, then quality, then id), index 0..n-1.

    Examples
    --------
    >>> import pandas as pd
    >>> from trustnet.graph import build_graph
    >>> refs = pd.DataFrame({
    ...     "referrer": ["ann", "ann", "ann", "bob", "bob", "cat"],
    ...     "referred": ["bob", "cat", "dan", "eve", "fay", "gus"],
    ...     "status": ["converted"] * 5 + ["declined"],
    ...     "revenue": [100.0, 80.0, 50.0, 40.0, 30.0, None]})
    >>> table = rank_advocates(build_graph(refs))
    >>> table[["advocate", "direct_referrals", "converted", "reach", "value_attributed"]]
      advocate  direct_referrals  converted  reach  value_attributed
    0      ann                 3          3      5             265.0
    1      bob                 2          2      2              70.0
    2      cat                 1          0      0               0.0
    >>> print(table.loc[0, "why"])
    referred 3 (3 converted); their chains reached 5 customers worth $300, 2 levels deep
    """
    settings = settings or Settings()
    cfg = settings.advocates
    weights = score_weights(settings)
    keep = M.referral_mask(graph, exclude)
    n = graph.n

    forest = M.forest_metrics(graph, cfg.downstream_decay, exclude)
    conv = M.conversion(graph, keep, cfg.conversion_smoothing)
    dates = M.referral_dates(graph, keep, cfg.rising_days)
    if scores is not None:
        M._check_scores(graph, scores)
        pct = M.provider_percentiles(graph, scores)
        cred = M.credibility(graph, scores, keep, cfg.credibility_smoothing, pct)
        rep = M.reputation(graph, scores)
        own = M.own_trust(graph, scores, pct)
    else:
        nan = np.full(n, np.nan)
        cred = pd.DataFrame({"credibility": nan, "referee_trust": nan, "referee_evidence": nan})
        rep = pd.DataFrame({M.REPUTATION: nan, M.REPUTATION_PCT: nan})
        own = pd.DataFrame({"own_trust": nan, "own_trust_pct": nan, "own_trend": nan})
    broker = M.brokerage(graph, keep, forest["tree"].to_numpy())

    node = np.flatnonzero(conv["direct_referrals"].to_numpy() > 0)
    t = pd.concat([conv, forest, cred, rep, own, dates], axis=1).iloc[node].reset_index(drop=True)
    t["brokerage"] = broker[node]
    t["advocate"] = graph.nodes["id"].array.take(node)  # (Arrow text: not a million Python strings)
    t["node"] = node

    parts = {
        "conversion": t["conversion_rate"].to_numpy(dtype=float),
        "credibility": t["credibility"].to_numpy(dtype=float),
        "reputation": t[M.REPUTATION_PCT].to_numpy(dtype=float) / 100.0,
        "brokerage": t["brokerage"].to_numpy(dtype=float),
    }
    num = np.zeros(len(t))
    den = np.zeros(len(t))
    for name, values in parts.items():
        known = np.isfinite(values)
        num += np.where(known, weights[name] * values, 0.0)
        den += np.where(known, weights[name], 0.0)
    t["quality"] = np.divide(num, den, out=np.full(len(t), 0.5), where=den > 0)
    worth = t["value_attributed"].to_numpy()
    if not (worth > 0).any():  # no revenue in the export: customers reached, decayed the same way
        worth = t["reach_attributed"].to_numpy(dtype=float)
    t["score"] = worth * (0.5 + t["quality"].to_numpy())
    t["score_pct"] = t["score"].rank(pct=True, method="average") * 100.0

    t["segment"] = _segments(t, graph, settings)
    t["why"] = _why(t, cfg.currency, cfg.low_credibility, cfg.at_risk_pct, cfg.at_risk_drop, cfg.dormant_days,
                    _days_since(t["last_referral"], graph.as_of))
    # best first: score, then customers reached, then quality, then id (node order is id order)
    best = np.lexsort((t["node"].to_numpy(), -t["quality"].to_numpy(), -t["reach"].to_numpy(),
                       -t["score"].to_numpy()))
    return t.loc[:, list(ADVOCATE_COLUMNS)].take(best).reset_index(drop=True)


def _days_since(dates: pd.Series, as_of: Any) -> np.ndarray:
    if pd.isna(as_of):
        return np.full(len(dates), np.nan)
    delta = (pd.Timestamp(as_of) - dates).dt.total_seconds().to_numpy(dtype=float, na_value=np.nan)
    return delta / 86400.0


def _segments(t: pd.DataFrame, graph: TrustGraph, settings: Settings) -> pd.Categorical[str]:
    cfg = settings.advocates
    own = t["own_trust_pct"].to_numpy(dtype=float)
    trend = t["own_trend"].to_numpy(dtype=float)
    at_risk = (own < cfg.at_risk_pct) | (trend <= -cfg.at_risk_drop)
    idle = _days_since(t["last_referral"], graph.as_of)
    dormant = idle > cfg.dormant_days
    low_cred = t["credibility"].to_numpy(dtype=float) < cfg.low_credibility
    champion = t["score_pct"].to_numpy() >= cfg.champion_pct
    new = _days_since(t["first_referral"], graph.as_of) <= cfg.rising_days
    rising = new | (t["recent_referrals"].to_numpy() > t["earlier_referrals"].to_numpy())
    code = np.select([at_risk, dormant, low_cred, champion, rising], [0, 1, 2, 3, 4], default=5)
    return pd.Categorical.from_codes(code, categories=pd.Index(SEGMENTS))


def _str(values: Any) -> pa.Array:
    """Integers as strings, by one arrow cast."""
    return pa.array(np.asarray(values, dtype=np.int64)).cast(pa.string())


def _lit(text: str) -> pa.Scalar:
    """A constant piece of text (arrow kernels broadcast scalars)."""
    return pa.scalar(text, pa.string())


def _cat(*parts: pa.Array) -> pa.Array:
    """Concatenate string arrays element-wise in one arrow kernel."""
    return pc.binary_join_element_wise(*parts, "")


def _arrow_thousands(values: Any) -> pa.Array:
    x = np.rint(np.nan_to_num(np.asarray(values, dtype=float))).astype(np.int64)
    a = np.abs(x)
    digits = _str(a)
    if len(a) and int(a.max()) >= 1000:
        # every number padded with zeros to whole groups of three, cut at the same places, joined with commas,
        # the leading zeros and commas trimmed: a few kernels in all, never one per row or per digit group
        width = -(-len(str(int(a.max()))) // 3) * 3
        padded = pc.utf8_lpad(digits, width=width, padding="0")
        grouped = pc.binary_join_element_wise(*(pc.utf8_slice_codeunits(padded, i, i + 3) for i in range(0, width, 3)), ",")
        digits = pc.if_else(pa.array(a >= 1000), pc.utf8_ltrim(grouped, characters="0,"), digits)
    return pc.if_else(pa.array(x < 0), _cat(_lit("-"), digits), digits) if (x < 0).any() else digits


def _arrow_decimal2(values: Any) -> pa.Array:
    h = np.rint(np.nan_to_num(np.asarray(values, dtype=float)) * 100).astype(np.int64)
    a = np.abs(h)
    m = len(a)
    s = _cat(_str(a // 100), _lit("."), pc.utf8_lpad(_str(a % 100), width=2, padding="0"))
    return pc.if_else(pa.array(h < 0), _cat(_lit("-"), s), s)


def _series(arr: pa.Array) -> pd.Series:
    return pd.Series(arr.to_pandas(types_mapper={pa.string(): pd.StringDtype(na_value=np.nan)}.get), dtype="str")


def _thousands(values: Any) -> pd.Series:
    """Whole numbers with thousands separators ("12,400"), built a digit group at a time."""
    return _series(_arrow_thousands(values))


def _decimal2(values: Any) -> pd.Series:
    """Numbers with two decimals ("0.82", "-0.15"), without a per-row format call."""
    return _series(_arrow_decimal2(values))


def _why(t: pd.DataFrame, currency: str, low_cred: float, risk_pct: float, risk_drop: float,
         dormant_days: float, idle: np.ndarray) -> pd.Series:
    """One sentence per advocate, assembled clause by clause with arrow string kernels.

    Each optional clause is built only for the rows it applies to and then
    spread back with one ``take``, so a rare clause costs little.
    """
    m = len(t)
    if not m:
        return pd.Series([], dtype="str")
    lit = _lit
    blank_row = pa.array([""], pa.string())

    def when(mask: Any, build: Any) -> pa.Array | pa.Scalar:
        rows = np.flatnonzero(mask)
        if not len(rows):
            return lit("")
        text = _cat(*build(rows))
        if len(rows) == m:
            return text
        where = np.full(m, len(rows))
        where[rows] = np.arange(len(rows))
        return pc.take(pa.concat_arrays([text, blank_row]), pa.array(where))

    made = t["direct_referrals"].to_numpy()
    converted = t["converted"].to_numpy()
    conv_known = np.isfinite(t["conversion_rate"].to_numpy(dtype=float))
    reach = t["reach"].to_numpy()
    worth = (t["value_direct"] + t["value_downstream"]).to_numpy()
    depth = t["depth"].to_numpy()
    cred = t["credibility"].to_numpy(dtype=float)
    verdicts = pa.array(["more than average", "much less than average", "less than average", "about as much as average"])
    verdict = np.select([cred >= 0.55, cred < low_cred, cred <= 0.45], [0, 1, 2], 3)
    own = t["own_trust"].to_numpy(dtype=float)
    own_pct = t["own_trust_pct"].to_numpy(dtype=float)
    trend = t["own_trend"].to_numpy(dtype=float)
    falling = trend <= -risk_drop
    broker = t["brokerage"].to_numpy(dtype=float)
    parts = [
        lit("referred "), _arrow_thousands(made),
        when(conv_known, lambda r: [lit(" ("), _arrow_thousands(converted[r]), lit(" converted)")]),
        when(reach > 0, lambda r: [lit("; their chains reached "), _arrow_thousands(reach[r]),
                                   pc.if_else(pa.array(reach[r] == 1), lit(" customer"), lit(" customers"))]),
        when((reach > 0) & (worth > 0), lambda r: [lit(" worth " + currency), _arrow_thousands(worth[r])]),
        when((reach > 0) & (depth > 1), lambda r: [lit(", "), _str(depth[r]), lit(" levels deep")]),
        when(np.isfinite(cred), lambda r: [lit("; the people they referred trust the provider "),
                                           verdicts.take(pa.array(verdict[r])), lit(" (credibility "),
                                           _arrow_decimal2(cred[r]), lit(")")]),
        when(falling, lambda r: [lit("; their own trust in the provider is falling ("), _arrow_decimal2(trend[r]),
                                 lit(")")]),
        when((own_pct < risk_pct) & ~falling, lambda r: [
            lit("; their own trust in the provider is low ("), _arrow_decimal2(own[r]), lit(", lower than "),
            _str(np.floor(100 * (1 - own_pct[r]))), lit("% of its customers)")]),
        when(idle > dormant_days, lambda r: [lit("; no referral for "), _arrow_thousands(idle[r]), lit(" days")]),
        when(broker >= 0.5, lambda r: [lit("; their ties bridge separate customer groups (brokerage "),
                                       _arrow_decimal2(broker[r]), lit(")")]),
    ]
    return _series(_cat(*parts))
