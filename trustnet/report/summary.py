"""Headline findings and ``summary.json``: what a reader should take away, in sentences and numbers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..schema import DIMENSIONS

__all__ = ["headline", "summary", "money"]


def money(value: float) -> str:
    """A value in readable form: ``12,400`` or ``1.2M`` (no currency symbol: exports differ).

    >>> money(12400.4), money(1234567), money(float("nan"))
    ('12,400', '1.2M', 'n/a')
    """
    if value is None or not np.isfinite(value):
        return "n/a"
    if abs(value) >= 1e6:
        return f"{value / 1e6:.1f}M"
    return f"{value:,.0f}"


def _small(n: int, analysis: Any) -> str:
    """Counts below the minimum group size are shown as "<N" in anonymised reports."""
    limit = analysis.settings.report.min_group_size
    if analysis.settings.report.anonymise and 0 < n < limit:
        return f"<{limit}"
    return f"{n:,}"


def _customer_trust(analysis: Any) -> dict[str, float]:
    """Mean trust of customers and advocates in their providers, per dimension that has any score."""
    rel = analysis.relationships
    people = rel["kind"].isin(["customer", "advocate"]).to_numpy(bool)
    scores = {d: rel[d].to_numpy(float)[people] for d in DIMENSIONS if d in rel}  # only these columns: no copy of the text
    return {d: float(np.nanmean(v)) for d, v in scores.items() if not np.isnan(v).all()}


def _trust_sentence(analysis: Any) -> str | None:
    means = _customer_trust(analysis)
    if not means:
        return None
    ranked = sorted(means.items(), key=lambda kv: -kv[1])
    parts = [f"{d} ({v:.2f})" for d, v in ranked]
    if len(parts) == 1:
        return f"Customers' trust rests on {parts[0]} alone; the other dimensions have no evidence."
    return f"Customers trust {ranked[0][0]} most ({ranked[0][1]:.2f} on a 0–1 scale), then " + " and ".join(parts[1:]) + "."


def _advocate_sentence(analysis: Any) -> str | None:
    adv = analysis.advocates
    if adv is None or not len(adv):
        return "No one referred anyone yet: there are no advocates to rank."
    value_col = "value_attributed" if "value_attributed" in adv else None
    suspicious = int((adv["segment"].astype(str) == "suspicious").sum()) if "segment" in adv else 0
    adv = adv[adv["segment"].astype(str) != "suspicious"] if suspicious else adv
    if not len(adv):
        return f"Every advocate's referrals look suspicious ({suspicious} advocates): none is ranked."
    top = adv.iloc[0]
    k = min(3, len(adv))
    sentence = f"{_small(len(adv), analysis)} advocates referred customers"
    if value_col:
        total = float(adv["value_direct"].sum()) if "value_direct" in adv else float(adv[value_col].sum())
        share = float(adv[value_col].head(k).sum()) / total if total > 0 else np.nan
        if np.isfinite(share):
            sentence += f"; through their chains the top {k} account for value equal to {min(share, 9.99):.0%} of all referred revenue"
    reach = f", whose chains reached {int(top['reach']):,} customers" if "reach" in adv else ""
    return sentence + f". The strongest is {top['advocate']}{reach}."


def _risk_sentence(analysis: Any) -> str | None:
    risk = analysis.at_risk
    if risk is None or not len(risk):
        return "No relationship shows a risk worth acting on."
    high = (risk["likelihood"] >= 0.5).to_numpy(bool)
    if not high.any():
        return f"No relationship is more likely than not to break; the highest likelihood is {risk['likelihood'].max():.0%}."
    stake = float(risk["stake"].to_numpy(float)[high].sum()) if "stake" in risk else float("nan")
    advocates = int((risk["kind"] == "advocate").to_numpy(bool)[high].sum())
    top = risk.iloc[0]
    action = f" First: {top['next_action']}" if "next_action" in risk and isinstance(top.get("next_action"), str) else ""
    return (
        f"{_small(int(high.sum()), analysis)} relationships are more likely than not to break"
        + (f", {money(stake)} at stake" if np.isfinite(stake) else "")
        + (f"; {_small(advocates, analysis)} of them are advocates" if advocates else "")
        + f".{action}"
    )


def _fraud_sentence(analysis: Any) -> str | None:
    if analysis.suspicion is None:
        return None
    flagged = analysis.suspicious
    if not len(flagged):
        return "No referral looks suspicious."
    kept = "kept in" if analysis.settings.fraud.keep_suspicious else "set aside from"
    return f"{_small(len(flagged), analysis)} referrals look suspicious (self-referrals, rings or bursts) and were {kept} advocate value."


def _load_sentence(analysis: Any) -> str:
    r = analysis.load_report
    return (
        f"Read {r.rows_read:,} rows: {r.accepted:,} accepted, {r.duplicates:,} duplicates merged, "
        f"{r.rejected:,} rejected (see rejected_rows.csv)."
    )


def headline(analysis: Any) -> list[str]:
    """Five sentences: trust, advocates, risk, fraud, data — the report's first lines and the CLI summary.

    Examples
    --------
    >>> import pandas as pd
    >>> import trustnet
    >>> raw = pd.DataFrame({"referrer": ["ann", "ann", "bob"], "referred": ["bob", "cat", "dan"],
    ...                     "date": ["2025-01-05", "2025-02-10", "2025-03-01"]})
    >>> analysis = trustnet.analyse(raw)
    >>> lines = headline(analysis)
    >>> len(lines)
    5
    >>> lines[1]
    '2 advocates referred customers. The strongest is ann, whose chains reached 3 customers.'
    """
    if getattr(analysis, "kind", "referrals") == "ratings":
        from .rating_summary import rating_headline

        return rating_headline(analysis, _load_sentence(analysis))
    parts = [_trust_sentence(analysis), _advocate_sentence(analysis), _risk_sentence(analysis),
             _fraud_sentence(analysis), _load_sentence(analysis)]
    return [p for p in parts if p]


def _records(frame: pd.DataFrame | None, columns: list[str], n: int = 5) -> list[dict[str, Any]]:
    if frame is None or not len(frame):
        return []
    cols = [c for c in columns if c in frame]
    head = frame[cols].head(n)
    clean = head.astype(object).where(head.notna(), None)
    return [{str(k): (v.item() if hasattr(v, "item") else v) for k, v in row.items()} for row in clean.to_dict("records")]


def summary(analysis: Any) -> dict[str, Any]:
    """The machine-readable ``summary.json``: counts, settings, input checksums, version, headline figures.

    Examples
    --------
    >>> import pandas as pd
    >>> import trustnet
    >>> raw = pd.DataFrame({"referrer": ["ann", "ann", "bob"], "referred": ["bob", "cat", "dan"],
    ...                     "date": ["2025-01-05", "2025-02-10", "2025-03-01"]})
    >>> analysis = trustnet.analyse(raw)
    >>> data = summary(analysis)
    >>> data["counts"]["referrals"], data["counts"]["advocates"], data["counts"]["providers"]
    (3, 2, 1)
    >>> import json
    >>> json.loads(json.dumps(data))["trustnet_version"] == trustnet.__version__
    True
    """
    g = analysis.graph
    settings = analysis.settings.to_dict()
    settings["report"].pop("anonymise_key", None)  # never written out
    rel = analysis.relationships
    if getattr(analysis, "kind", "referrals") == "ratings":
        from .rating_summary import rating_summary

        block = rating_summary(analysis)
        return {
            "trustnet_version": __version__,
            "kind": "ratings",
            "as_of": None if pd.isna(g.as_of) else pd.Timestamp(g.as_of).isoformat(),
            "inputs": analysis.sources,
            "privacy": {
                "anonymised": bool(analysis.settings.report.anonymise),
                "stable_pseudonyms": bool(analysis.key_is_stable) if analysis.settings.report.anonymise else None,
            },
            **{k: v for k, v in block.items() if k not in ("kind", "version")},
            "headline": headline(analysis),
            "top_advocates": _records(analysis.advocates, ["advocate", "score", "score_pct", "reach", "trusted_by", "segment"]),
            "top_at_risk": _records(analysis.at_risk, ["account", "likelihood", "stake", "priority", "next_action"]),
            "load": analysis.load_report.to_dict(),
            "settings": {k: v for k, v in settings.items() if k in ("load", "trust", "report")},
        }
    trust = _customer_trust(analysis)
    return {
        "trustnet_version": __version__,
        "as_of": None if pd.isna(g.as_of) else pd.Timestamp(g.as_of).isoformat(),
        "inputs": analysis.sources,
        "privacy": {
            "anonymised": bool(analysis.settings.report.anonymise),
            "stable_pseudonyms": bool(analysis.key_is_stable) if analysis.settings.report.anonymise else None,
        },
        "counts": {
            "referrals": int(len(analysis.referrals)),
            "touchpoints": int(len(analysis.touchpoints)) if analysis.touchpoints is not None else 0,
            "nodes": int(g.n),
            "providers": int(g.nodes["is_provider"].sum()),
            "customers": int(g.nodes["is_customer"].sum()),
            "advocates": int(g.nodes["is_advocate"].sum()),
            "relationships": int(len(rel)),
            "at_risk_likely": int((analysis.at_risk["likelihood"] >= 0.5).sum()) if len(analysis.at_risk) else 0,
            "suspicious_referrals": int(len(analysis.suspicious)) if analysis.suspicion is not None else 0,
        },
        "trust": {d: (round(trust[d], 4) if d in trust else None) for d in DIMENSIONS},
        "headline": headline(analysis),
        "top_advocates": _records(analysis.advocates, ["advocate", "score", "reach", "value_attributed", "segment"]),
        "top_at_risk": _records(analysis.at_risk, ["truster", "trustee", "kind", "likelihood", "stake", "priority", "next_action"]),
        "load": analysis.load_report.to_dict(),
        "touchpoints_load": analysis.touchpoint_report.to_dict() if analysis.touchpoint_report is not None else None,
        "settings": settings,
    }
