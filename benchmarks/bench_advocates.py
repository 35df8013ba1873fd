"""Speed of the advocate stage: ``rank_advocates`` and ``nurture`` on a million customers.

Target (issue 5): 1,000,000 customers in under 15 s for the advocate stage.

The referral export is synthetic and shaped like real ones (PERFORMANCE.md): a
heavy-tailed first-touch referral forest over N customers (10% of them
unreferred), extra referrals to people someone else had already won, and
declined or pending referrals to prospects — about 1.5 N referrals in all,
200 providers, two years of dates. ``--generator`` uses
``trustnet.datasets.generate`` instead (slower to make; touchpoints left out).
Trust scores come from ``trustnet.score_trust`` on the same graph; building
the graph and scoring trust are timed too, but belong to earlier stages.

Run from the project root::

    python benchmarks/bench_advocates.py                       # 1,000,000 customers
    python benchmarks/bench_advocates.py --customers 100000
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import pandas as pd

from trustnet import schema as S
from trustnet.advocates import nurture, rank_advocates
from trustnet.graph import build_graph
from trustnet.settings import Settings


def synthetic_referrals(customers: int, seed: int = 0, providers: int = 200) -> pd.DataFrame:
    """A referral export of ``customers`` customers with a heavy-tailed referral forest (about 1.5 N rows)."""
    rng = np.random.default_rng(seed)
    n = customers
    roots = max(1, n // 10)
    child = np.arange(roots, n)
    # older customers refer more: parent index drawn towards 0 (heavy-tailed number of referrals)
    parent = np.floor(child * rng.random(len(child)) ** 2.5).astype(np.int64)
    day = np.sort(rng.random(n)) * 730.0
    prov = np.minimum(rng.zipf(1.6, n) - 1, providers - 1)
    # extra referrals of people someone else had already won (later, converted)
    m_extra = n // 5
    x_to = rng.integers(roots, n, m_extra)
    x_from = rng.integers(0, n, m_extra)
    ok = x_from != x_to
    x_to, x_from = x_to[ok], x_from[ok]
    # declined or pending referrals to prospects
    m_pro = (2 * n) // 5
    p_from = rng.integers(0, n, m_pro)
    referrer = np.concatenate([parent, x_from, p_from])
    referred_num = np.concatenate([child, x_to, n + np.arange(m_pro)])
    ref_day = np.concatenate([day[child], np.maximum(day[x_to], day[x_from]) + rng.random(len(x_to)) * 30,
                              day[p_from] + rng.random(m_pro) * 60])
    k = len(referrer)
    status = np.concatenate([
        np.where(rng.random(len(child)) < 0.07, 3, 1),
        np.ones(len(x_to), np.int64),
        np.where(rng.random(m_pro) < 0.1, 0, 2),
    ])
    converted = (status == 1) | (status == 3)
    revenue = np.where(converted, np.round(rng.lognormal(6.0, 1.0, k), 2), np.nan)
    names = np.char.add("C", np.char.zfill(np.arange(n + m_pro).astype(str), 7))
    statuses = np.array(S.STATUSES, dtype=object)
    start = np.datetime64("2024-01-01T00:00:00", "s")
    frame = pd.DataFrame({
        S.REFERRER: pd.Series(names[referrer], dtype="str"),
        S.REFERRED: pd.Series(names[referred_num], dtype="str"),
        S.PROVIDER: pd.Series(np.char.add("Provider ", prov[referrer].astype(str)), dtype="str"),
        S.REFERRED_AT: (start + (ref_day * 86400).astype(np.int64)).astype("datetime64[ns]"),
        S.STATUS: pd.Series(statuses[status], dtype="str"),
        S.REVENUE: revenue,
    })
    return frame.sort_values(S.REFERRED_AT, kind="stable").reset_index(drop=True)


def timed(label: str, func, *args, **kwargs):
    """Run once; print wall-clock and CPU seconds (CPU shows the cost when other jobs share the cores)."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = func(*args, **kwargs)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"{label:<46s} {dt:7.2f} s wall {cpu:7.2f} s CPU")
    return out, (dt, cpu)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--generator", action="store_true", help="use trustnet.datasets.generate (referrals only)")
    args = ap.parse_args()
    print(f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}; "
          f"{args.customers:,} customers")
    if args.generator:
        from trustnet.datasets import generate

        world, _ = timed("generate", generate, args.customers, seed=args.seed)
        refs = world.referrals
    else:
        refs, _ = timed("synthetic export", synthetic_referrals, args.customers, args.seed)
    print(f"{len(refs):,} referrals")
    G, _ = timed("build_graph", build_graph, refs)
    print(f"{G.n:,} nodes, {len(G.relationships):,} relationships, forest depth {int(G.depth.max())}")
    from trustnet.trust import score_trust

    T, _ = timed("score_trust (earlier stage)", score_trust, G)
    settings = Settings()
    table, t_rank = timed("rank_advocates", rank_advocates, G, T, settings)
    picks, t_nurture = timed(f"nurture (k={settings.advocates.nurture_k}, 2 x "
                             f"{settings.advocates.nurture_samples:,} RR sets)", nurture, G, T, None, settings)
    total, cpu = t_rank[0] + t_nurture[0], t_rank[1] + t_nurture[1]
    print(f"{'advocate stage total':<46s} {total:7.2f} s wall {cpu:7.2f} s CPU   "
          f"(target < 15 s: {'met' if total < 15 else 'MISSED'} on the wall clock)")
    if hasattr(os, "getloadavg"):
        print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{len(table):,} advocates; segments: "
          + ", ".join(f"{k} {v:,}" for k, v in table["segment"].value_counts(sort=False).items()))
    print(f"nurture: expected new reach {picks.attrs['expected_reach']:.1f} vs busiest-{len(picks)} "
          f"{picks.attrs['by_count_expected_reach']:.1f} ({picks.attrs['extra_reach_pct']:+.0f}%)")


if __name__ == "__main__":
    main()
