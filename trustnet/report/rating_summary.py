"""The words and tables of a rating network's report: headline, summary.json block, page tables, graph files.

:mod:`trustnet.report.summary` and :mod:`trustnet.report.writer` call these
when ``analysis.kind == "ratings"``; the referral report is untouched.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from .graphfiles import GraphTables

__all__ = ["rating_headline", "rating_summary", "rating_tables", "rating_graph_tables", "HOW_TO_READ_RATINGS",
           "HOW_TO_READ_TIES", "rating_how_to_read", "is_signed"]

#: The "how to read" section of a rating network's page.
HOW_TO_READ_RATINGS: tuple[tuple[str, str], ...] = (
    ("People trust", "Trust a person receives from the people who rated them, on 0–1 (0 = distrusted, 0.5 = "
     "neutral, 1 = fully trusted). Each rating counts by its rater's reliability, and a person with few ratings is "
     "pulled towards neutral."),
    ("Reliability (fairness)", "How closely a rater's ratings agree with everyone else's view of the same people "
     "(fairness of Kumar et al. 2016, 0–1). Raters at 0.8 or more are called reliable."),
    ("Reputation", "How far a person's trust carries: PageRank over positive ratings, each weighted by the rating and "
     "the rater's reliability, so being trusted by trusted people counts most. Shown in multiples of an average "
     "person's share and as a percentile."),
    ("Reach", "People who trust someone directly, or through one person they trust (two steps of positive ratings)."),
    ("Untrustworthy score", "How likely an account is untrustworthy, 0–1: the share of distrust in the ratings it "
     "received, each weighted by its strength and the rater's reliability; nobody-rated accounts score 0.5. Nothing is "
     "fitted to labels. Above 90%: avoid; above 50%: verify before trading."),
    ("Stake and priority", "Stake is the number of people who rated the account (who dealt with it); priority = "
     "likelihood × stake, so a likely-untrustworthy account that many people deal with comes first."),
)


#: The "how to read" section when every tie is the same (advice, friendship: who turns to whom).
HOW_TO_READ_TIES: tuple[tuple[str, str], ...] = (
    ("Named by", "How many people name this person (turn to them for advice, trust them): ties received."),
    ("Influence (reputation)", "PageRank over the ties: being named by people who are themselves named counts "
     "most. Shown in multiples of an average person's share and as a percentile."),
    ("Reach", "People who turn to someone directly, or through one person they turn to (two steps)."),
    ("Bridges", "Ties, given or received, to people of another group (practice site, team), and how many other "
     "groups they reach: the people who carry advice between groups."),
    ("Most isolated", "People named by nobody, and people with no tie outside their own group."),
)


def rating_how_to_read(analysis: Any) -> tuple[tuple[str, str], ...]:
    """The "how to read" section for this network: ratings, or plain ties.

    Examples
    --------
    >>> import pandas as pd
    >>> import trustnet
    >>> advice = pd.DataFrame({"rater": ["a", "b", "c"], "ratee": ["b", "c", "a"], "rating": [1, 1, 1]})
    >>> section = rating_how_to_read(trustnet.analyse(advice, kind="ratings"))
    >>> section is HOW_TO_READ_TIES, section[0][0]
    (True, 'Named by')
    """
    return HOW_TO_READ_RATINGS if is_signed(analysis) else HOW_TO_READ_TIES


def is_signed(analysis: Any) -> bool:
    """Whether the ratings differ (a signed or scored network) rather than being plain ties (advice, friendship).

    Examples
    --------
    >>> import pandas as pd
    >>> import trustnet
    >>> r = pd.DataFrame({"rater": ["a", "b", "c", "a", "b", "c", "d"], "ratee": ["b", "a", "a", "x", "x", "x", "x"],
    ...                   "rating": [5, 4, 5, -5, -4, -5, 1]})
    >>> analysis = trustnet.analyse(r, kind="ratings")
    >>> is_signed(analysis)
    True
    """
    rel = analysis.graph.relationships
    return bool(len(rel)) and rel["rating"].nunique() > 1


def _group_word(analysis: Any) -> str | None:
    return analysis.scores.group


def _trust_sentence(analysis: Any, signed: bool) -> str:
    net = analysis.scores.network
    nodes = analysis.nodes
    if not signed:
        received = nodes["ratings_received"].to_numpy(np.int64)
        order = np.lexsort((nodes["id"].astype("str").to_numpy(), -received))[:3]
        top = ", ".join(f"{nodes['id'].iloc[i]} (named by {received[i]})" for i in order)
        return (f"{net['people']:,} people and {net['ratings']:,} ties between them (every tie the same: whom each "
                f"person turns to). Most consulted: {top}.")
    trust = nodes["people"].dropna()
    low, high = analysis.scores.scale
    median_rating = float(nodes["mean_rating_received"].median())
    return (f"Trust in people: {net['people']:,} people rated one another {net['ratings']:,} times, "
            f"{net['positive_share']:.0%} of the ratings positive; {(trust > 0.5).mean():.0%} of rated people are "
            f"trusted on balance (median trust received {trust.median():.2f} on 0–1; median mean rating "
            f"{median_rating:+.1f} on {low:g}..{high:g}).")


def _carrier_sentence(analysis: Any, signed: bool) -> str:
    adv = analysis.advocates
    if adv is None or not len(adv):
        return "Nobody received a positive rating: no one's trust carries yet."
    nodes = analysis.nodes
    rep = nodes["reputation"].to_numpy(float)
    k = max(1, int(np.ceil(0.01 * len(nodes))))
    share = float(np.sort(rep)[::-1][:k].sum())
    top = adv.iloc[0]
    verb = "trusted by" if signed else "named by"
    names = ", ".join(adv["advocate"].astype(str).head(3))
    lead = (f"Trust carries furthest through {names}" if signed else
            f"The most influential (named by people who are themselves named): {names}")
    return (f"{lead}: the top {'person holds' if k == 1 else f'{k:,} people hold'} "
            f"{share:.0%} of network-wide reputation; {top['advocate']} is {verb} {int(top['trusted_by']):,} and "
            f"reaches {int(top['reach']):,} people within two steps.")


def _untrustworthy_sentence(analysis: Any, signed: bool) -> str:
    risk = analysis.at_risk
    if not signed:
        return "No tie is negative, so no account can be called untrustworthy here."
    if risk is None or not len(risk):
        return "No account is more likely untrustworthy than not."
    strong = int((risk["likelihood"] >= 0.9).sum())
    first = risk.iloc[0]
    return (f"{len(risk):,} accounts are more likely untrustworthy than not, {strong:,} of them overwhelmingly "
            f"(90% or more). First: {first['account']} — {first['next_action']}.")


def _structure_sentence(analysis: Any, signed: bool) -> str:
    net = analysis.scores.network
    what = "ratings" if signed else "ties"
    text = (f"Structure: {net['weak_components']:,} weakly connected "
            f"{'component' if net['weak_components'] == 1 else 'components'} "
            f"({net['strong_components']:,} strongly connected), {net['reciprocated_share']:.0%} of {what} "
            f"reciprocated, the busiest person has {net['max_total_degree']:,} {what} given and received")
    if pd.notna(net.get("first")) and pd.notna(net.get("last")):
        text += f"; ratings from {pd.Timestamp(net['first']):%Y-%m-%d} to {pd.Timestamp(net['last']):%Y-%m-%d}"
    return text + "."


def _group_sentence(analysis: Any) -> str | None:
    group = _group_word(analysis)
    nodes = analysis.nodes
    if group is None or "ties_across_groups" not in nodes:
        return None
    rel = analysis.relationships
    g = nodes[group].astype("str").to_numpy()
    src, dst = rel["truster_idx"].to_numpy(np.int64), rel["trustee_idx"].to_numpy(np.int64)
    known = (nodes[group].notna().to_numpy()[src]) & (nodes[group].notna().to_numpy()[dst])
    across = float((g[src] != g[dst])[known].mean()) if known.any() else float("nan")
    ties = nodes["ties_across_groups"].to_numpy(np.int64)
    order = np.lexsort((nodes["id"].astype("str").to_numpy(), -nodes["groups_reached"].to_numpy(), -ties))
    bridges = ", ".join(f"{nodes['id'].iloc[i]} ({group} {g[i]}, {ties[i]} ties to "
                        f"{int(nodes['groups_reached'].iloc[i])} other {group}s)" for i in order[:3] if ties[i] > 0)
    isolated = nodes["id"].astype("str")[ties == 0].tolist()
    unnamed = nodes["id"].astype("str")[nodes["ratings_received"].to_numpy() == 0].tolist()
    text = (f"Across {group}s ({nodes[group].nunique()} of them): {across:.0%} of ties cross from one {group} to "
            f"another; the bridges are {bridges or 'nobody'}.")
    if unnamed:
        text += (f" Most isolated: {_list(unnamed)} {'is' if len(unnamed) == 1 else 'are'} named by nobody")
    if isolated:
        text += ("; " if unnamed else " ") + (f"{_list(isolated)} {'has' if len(isolated) == 1 else 'have'} "
                                               f"no tie outside their own {group}")
    if unnamed or isolated:
        text += "."
    return text


def _list(ids: list[str], most: int = 8) -> str:
    shown = ids[:most]
    text = ", ".join(shown[:-1]) + (" and " if len(shown) > 1 else "") + shown[-1]
    return text + (f" (and {len(ids) - most} more)" if len(ids) > most else "")


def rating_headline(analysis: Any, load_sentence: str) -> list[str]:
    """The headline findings of a rating network: trust, who carries it, untrustworthy accounts, structure, data.

    Examples
    --------
    >>> import pandas as pd
    >>> import trustnet
    >>> r = pd.DataFrame({"rater": ["a", "b", "c", "a", "b", "c", "d"], "ratee": ["b", "a", "a", "x", "x", "x", "x"],
    ...                   "rating": [5, 4, 5, -5, -4, -5, 1]})
    >>> analysis = trustnet.analyse(r, kind="ratings")
    >>> lines = rating_headline(analysis, "Read 7 rows.")
    >>> len(lines), lines[-1]
    (5, 'Read 7 rows.')
    >>> lines[2]
    '1 accounts are more likely untrustworthy than not, 0 of them overwhelmingly (90% or more). First: x — verify before trading: rated negatively by 3 reliable raters.'
    """
    signed = is_signed(analysis)
    parts = [_trust_sentence(analysis, signed), _carrier_sentence(analysis, signed),
             _untrustworthy_sentence(analysis, signed), _group_sentence(analysis), _structure_sentence(analysis, signed),
             load_sentence]
    return [p for p in parts if p]


def _plain(value: Any) -> Any:
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    if value is pd.NaT:
        return None
    return value.item() if hasattr(value, "item") else value


def rating_summary(analysis: Any) -> dict[str, Any]:
    """The rating-network block of ``summary.json``: counts, the network's structure, trust, top lists.

    Examples
    --------
    >>> import pandas as pd
    >>> import trustnet
    >>> r = pd.DataFrame({"rater": ["a", "b", "c", "a", "b", "c", "d"], "ratee": ["b", "a", "a", "x", "x", "x", "x"],
    ...                   "rating": [5, 4, 5, -5, -4, -5, 1]})
    >>> analysis = trustnet.analyse(r, kind="ratings")
    >>> block = rating_summary(analysis)
    >>> block["kind"], sorted(block)
    ('ratings', ['counts', 'group', 'kind', 'network', 'scale', 'trust', 'version'])
    """
    nodes = analysis.nodes
    risk = analysis.at_risk
    low, high = analysis.scores.scale
    return {
        "kind": "ratings",
        "counts": {
            "people": int(len(nodes)),
            "ratings": int(len(analysis.referrals)),
            "relationships": int(len(analysis.relationships)),
            "trust_carriers": int(len(analysis.advocates)),
            "likely_untrustworthy": int(len(risk)),
            "overwhelmingly_untrustworthy": int((risk["likelihood"] >= 0.9).sum()) if len(risk) else 0,
        },
        "network": {k: _plain(v) for k, v in analysis.scores.network.items()},
        "scale": [low, high],
        "group": analysis.scores.group,
        "trust": {"people": round(float(nodes["people"].mean()), 4) if nodes["people"].notna().any() else None,
                  "process": None, "platform": None},
        "version": __version__,
    }


def rating_tables(analysis: Any) -> dict[str, pd.DataFrame]:
    """The tables shown on a rating network's page (a few columns each; the CSV files keep them all).

    Examples
    --------
    >>> import pandas as pd
    >>> import trustnet
    >>> r = pd.DataFrame({"rater": ["a", "b", "c", "a", "b", "c", "d"], "ratee": ["b", "a", "a", "x", "x", "x", "x"],
    ...                   "rating": [5, 4, 5, -5, -4, -5, 1]})
    >>> analysis = trustnet.analyse(r, kind="ratings")
    >>> {title: len(table) for title, table in rating_tables(analysis).items()}
    {'Whose trust carries furthest': 2, 'Accounts most likely untrustworthy': 1}
    """
    adv = analysis.advocates
    group = analysis.scores.group
    signed = is_signed(analysis)
    carriers = [c for c in ("advocate", group, "segment", "score_pct", "trusted_by", "positive_share" if signed else None,
                            "reach", "why") if c is not None and c in adv]
    title = "Whose trust carries furthest" if signed else "Who is most influential"
    out = {title: adv[carriers].rename(columns={"advocate": "person", "trusted_by": "trusted by" if signed else "named by"})}
    if signed:
        risk = analysis.at_risk
        cols = [c for c in ("account", group, "likelihood", "stake", "priority", "factors", "next_action")
                if c is not None and c in risk]
        out["Accounts most likely untrustworthy"] = risk[cols]
    nodes = analysis.nodes
    if group is not None and "ties_across_groups" in nodes:
        order = np.lexsort((nodes["id"].astype("str").to_numpy(), -nodes["groups_reached"].to_numpy(),
                            -nodes["ties_across_groups"].to_numpy()))
        cols = [c for c in ("id", group, "ties_across_groups", "groups_reached", "ratings_received", "ratings_given")
                if c in nodes]
        names = {"id": "person", "ties_across_groups": f"ties to other {group}s", "groups_reached": f"other {group}s reached"}
        if not signed:
            names.update(ratings_received="named by", ratings_given="names")
        out[f"Who bridges the {group}s"] = nodes.iloc[order][cols].rename(columns=names)
        few = np.lexsort((nodes["id"].astype("str").to_numpy(), nodes["ties_across_groups"].to_numpy(),
                          nodes["ratings_received"].to_numpy()))
        out["Most isolated"] = nodes.iloc[few][cols].rename(columns=names).head(10)
    return out


def rating_graph_tables(analysis: Any) -> GraphTables:
    """Nodes with their scores and attributes, edges rater → ratee with the rating, for Gephi and networkx.

    Examples
    --------
    >>> import pandas as pd
    >>> import trustnet
    >>> r = pd.DataFrame({"rater": ["a", "b", "c", "a", "b", "c", "d"], "ratee": ["b", "a", "a", "x", "x", "x", "x"],
    ...                   "rating": [5, 4, 5, -5, -4, -5, 1]})
    >>> analysis = trustnet.analyse(r, kind="ratings")
    >>> tables = rating_graph_tables(analysis)
    >>> len(tables.nodes), len(tables.edges)
    (5, 7)
    >>> tables.edges[["source", "target", "rating"]].head(2)
      source target  rating
    0      a      b     5.0
    1      a      x    -5.0
    """
    nodes = analysis.nodes
    keep = [c for c in nodes.columns if c not in ("is_customer", "is_provider", "value", "referrals_made",
                                                  "referrals_received", "why", "first_seen", "last_seen",
                                                  "last_rated_at")]
    table = nodes[keep].copy()
    table.insert(1, "label", nodes["id"].astype(object).to_numpy())
    table.insert(2, "start", nodes["first_seen"].dt.strftime("%Y-%m-%d").astype(object)
                 .where(nodes["first_seen"].notna(), None).to_numpy())
    table["id"] = table["id"].astype(object)
    for col in table.columns:
        if isinstance(table[col].dtype, pd.StringDtype) or table[col].dtype == "str":
            table[col] = table[col].astype(object).where(table[col].notna(), None)
    rel = analysis.relationships
    edges = pd.DataFrame({
        "source": rel["truster"].astype(object).to_numpy(),
        "target": rel["trustee"].astype(object).to_numpy(),
        "kind": "rated",
        "start": rel["first_seen"].dt.strftime("%Y-%m-%d").astype(object).where(rel["first_seen"].notna(), None).to_numpy(),
        "weight": rel["ratings"].to_numpy(float),
        "rating": rel["rating"].to_numpy(float),
        "people": rel["people"].to_numpy(float),
    })
    return GraphTables(table, edges)
