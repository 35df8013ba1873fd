"""The straightforward networkx way to compute trustnet's graph metrics: the reference trustnet must beat.

What a data scientist would write first, on the same generated export, with no tuning:

1. ``read``: ``pd.read_csv`` of ``referrals.csv`` and ``touchpoints.csv`` with ``parse_dates``.
2. ``graph``: ``nx.from_pandas_edgelist`` (referrer -> referred, every column as an edge attribute)
   plus one customer -> provider edge per relationship carrying its touchpoint evidence (count and mean
   score from a ``groupby``), added with ``add_edges_from``.
3. ``trust``: ``nx.pagerank`` over the referral graph (reputation: whose trust carries furthest)
   and personalised PageRank from the converted referrals (default tolerance, as a first version would).
4. ``score``: trust per relationship and dimension, trustnet's main metric, the way a first version
   computes it: each touchpoint's dimension from a word of its name (a Python function per row through
   ``Series.map``), its score put on 0-1 by its scale, then per (customer, provider, dimension) a
   ``groupby(...).apply`` of the recency-weighted Beta mean (half-life one year, prior 0.5 of strength 2).
5. ``reach``: per node of the referral graph, ``nx.descendants``, the downstream count and the downstream
   revenue (the sum over the descendants' revenue). When that would not finish within ``--budget``
   seconds, nodes are taken in a seeded random order until the budget is spent (at least 200 of them)
   and the time for all of them is estimated from that sample (mean seconds per node x nodes); the
   output says ``"estimated": true`` then.
6. ``fraud``: ``nx.weakly_connected_components`` and ``nx.simple_cycles(length_bound=4)`` (mutual
   referrals and short rings).

Risk scoring and the report have no networkx counterpart (they are table work), so the naive path
stops here; ``run.py`` compares it with trustnet's load → advocates stages on the same data.

Run::

    python benchmarks/naive.py benchmarks/.cache/world-100000 --budget 60 --json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

#: nodes always done before the per-node loop may stop and estimate the rest
MIN_SAMPLE = 200

#: touchpoint-name word -> dimension, as a first version would write it
DIMENSION_WORDS = {
    "platform": ("app", "web", "website", "portal", "online", "outage", "site", "login", "checkout"),
    "process": ("delivery", "billing", "invoice", "complaint", "repair", "installation", "refund", "order",
                "booking", "delay", "service", "claim", "ticket"),
    "people": ("agent", "technician", "engineer", "staff", "visit", "advisor", "driver"),
}
SCALE_MAX = {"nps": 10.0, "stars": 5.0, "csat": 5.0, "unit": 1.0}


def _dimension(name: object) -> str:
    """The dimension a touchpoint name speaks of (its last matching word), else all three."""
    found = "all"
    for word in str(name).lower().replace("(", " ").replace(")", " ").split():
        for dim, words in DIMENSION_WORDS.items():
            if word in words:
                found = dim
    return found


def _beta(group: pd.DataFrame, as_of: pd.Timestamp) -> float:
    """Recency-weighted Beta mean of one relationship's scores on one dimension."""
    weight = 0.5 ** ((as_of - group["at"]).dt.days / 365.0)
    return float((0.5 * 2 + (weight * group["value01"]).sum()) / (2 + weight.sum()))


def run(world: Path, *, budget: float = 60.0, seed: int = 0) -> dict:
    """Run the naive path on one generated world; return seconds per step and what it found.

    Parameters
    ----------
    world : Path
        A folder written by ``trustnet generate`` (``referrals.csv``, ``touchpoints.csv``).
    budget : float
        Seconds allowed for the per-node ``nx.descendants`` loop before it is estimated from the
        nodes done so far.
    seed : int
        Order in which nodes are sampled when the loop is cut short.

    Returns
    -------
    dict
        ``seconds`` per step (``reach`` estimated when ``estimated``), ``total``, and counts.

    Examples
    --------
    >>> import tempfile, trustnet
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = trustnet.generate(customers=200, seed=1).write(tmp)
    ...     out = run(Path(tmp), budget=5)
    >>> sorted(out["seconds"]) == ["fraud", "graph", "reach", "read", "score", "trust"]
    True
    """
    import networkx as nx

    seconds: dict[str, float] = {}
    t = time.perf_counter()
    refs = pd.read_csv(world / "referrals.csv", parse_dates=["referred_at", "converted_at"])
    tps = pd.read_csv(world / "touchpoints.csv", parse_dates=["at"])
    seconds["read"] = time.perf_counter() - t

    t = time.perf_counter()
    g = nx.from_pandas_edgelist(refs, "referrer", "referred", edge_attr=True, create_using=nx.DiGraph)
    rel = tps.groupby(["customer", "provider"], sort=False)["score"].agg(["size", "mean"]).reset_index()
    full = g.copy()
    full.add_edges_from(
        (c, "provider:" + p, {"touchpoints": n, "mean_score": s})
        for c, p, n, s in rel.itertuples(index=False, name=None)
    )
    seconds["graph"] = time.perf_counter() - t

    t = time.perf_counter()
    reputation = nx.pagerank(g)
    converted = refs.loc[refs["status"] == "converted", "referred"].unique()
    personal = nx.pagerank(g, personalization={c: 1.0 for c in converted}) if len(converted) else reputation
    seconds["trust"] = time.perf_counter() - t

    t = time.perf_counter()
    scored = tps[tps["score"].notna()].copy()
    scored["dimension"] = scored["touchpoint"].map(_dimension)
    scored["value01"] = scored["score"] / scored["scale"].map(SCALE_MAX).fillna(10.0)
    as_of = tps["at"].max()
    trust = scored.groupby(["customer", "provider", "dimension"]).apply(_beta, as_of, include_groups=False)
    seconds["score"] = time.perf_counter() - t

    t = time.perf_counter()
    revenue = refs.groupby("referred")["revenue"].sum().to_dict()
    people = np.array(sorted(g.nodes), dtype=object)
    order = np.random.default_rng(seed).permutation(len(people))
    prepare = time.perf_counter() - t
    reach, value, done = {}, {}, 0
    t = time.perf_counter()
    for i in order:
        a = people[i]
        down = nx.descendants(g, a)
        reach[a] = len(down)
        value[a] = sum(revenue.get(d, 0.0) for d in down)
        done += 1
        if done >= MIN_SAMPLE and time.perf_counter() - t > budget:
            break
    spent = time.perf_counter() - t
    estimated = done < len(people)
    seconds["reach"] = prepare + (spent / done * len(people) if estimated else spent)

    t = time.perf_counter()
    components = sum(1 for _ in nx.weakly_connected_components(g))
    cycles = sum(1 for _ in nx.simple_cycles(g, length_bound=4))
    seconds["fraud"] = time.perf_counter() - t

    return {
        "seconds": seconds,
        "total": sum(seconds.values()),
        "estimated": estimated,
        "people": int(len(people)),
        "people_done": int(done),
        "relationship_scores": int(len(trust)),
        "nodes": full.number_of_nodes(),
        "edges": full.number_of_edges(),
        "components": components,
        "short_cycles": cycles,
        "top_reputation": max(reputation, key=reputation.get) if reputation else None,
        "top_personal": max(personal, key=personal.get) if personal else None,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: run the naive path on one world and print seconds (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("world", type=Path, help="folder written by trustnet generate")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds for the per-node loop")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    cpu = time.process_time()
    out = run(args.world, budget=args.budget, seed=args.seed)
    out["cpu"] = time.process_time() - cpu
    if args.json:
        print(json.dumps(out))
    else:
        for step, s in out["seconds"].items():
            print(f"{step:6s} {s:8.2f} s")
        note = f" (reach estimated from {out['people_done']:,} of {out['people']:,} people)" if out["estimated"] else ""
        print(f"total  {out['total']:8.2f} s{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
