"""Benchmark: build_graph + score_trust on a synthetic export (default 1,000,000 customers, 3,000,000 touchpoints).

Target (issue 4): under 20 s and 4 GB together at that size. The synthetic
export is made with numpy (seeded) before the clock starts: a heavy-tailed
referral forest plus 10 % extra referrals, statuses, dates over three years,
200 providers, and touchpoints with names, scales, scores, events and response
times. Peak memory is the process's maximum resident set size (it includes the
generated tables, so it is an upper bound on what trustnet needs).

Run::

    python benchmarks/bench_trust.py                  # 1M customers, 3M touchpoints
    python benchmarks/bench_trust.py --customers 100000
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np
import pandas as pd

from trustnet.graph import build_graph
from trustnet.trust import score_trust

NAMES = np.array([
    "app review", "website checkout", "IVR call", "chatbot", "delivery", "billing call", "repair visit",
    "installation engineer", "agent call", "driver rating", "NPS survey", "csat survey", "order", "login",
    "complaint line",
])
SCALE_OF = np.array(["stars", None, None, None, "csat", None, "nps", "nps", "csat", "stars", "nps", "csat", None, None, None],
                    dtype=object)
EVENTS = np.array(["complaint", "resolved", "unresolved", "outage", "delay", "refund_denied", "praise", "contact"], dtype=object)


def synthetic_export(customers: int, touchpoints: int, providers: int = 200, seed: int = 0):
    """Referrals and touchpoints shaped like a real export (numpy only, seeded)."""
    rng = np.random.default_rng(seed)
    ids = pd.Series(np.char.add("c", rng.permutation(customers).astype("U8")), dtype="str").to_numpy()
    prov_ids = np.char.add("shop-", np.arange(providers).astype("U4"))
    roots = max(1, customers // 10)
    # heavy-tailed forest: customer i (>= roots) is referred by an earlier customer, early ones favoured
    child = np.arange(roots, customers)
    parent = (child * rng.random(len(child)) ** 3).astype(np.int64)
    home = rng.integers(0, providers, customers)
    home[child] = home[parent]  # referred to the referrer's provider (mostly)
    switch = rng.random(len(child)) < 0.1
    home[child[switch]] = rng.integers(0, providers, switch.sum())
    extra = rng.integers(roots, customers, customers // 10)
    extra_ref = rng.integers(0, customers, len(extra))
    referrer = np.r_[parent, extra_ref]
    referred = np.r_[child, extra]
    start = np.datetime64("2022-01-01", "s").astype(np.int64)
    span = 3 * 365 * 86_400
    at = start + (referred / customers * span * 0.9).astype(np.int64) + rng.integers(0, 86_400 * 30, len(referred))
    status = rng.choice(np.array(["converted", "declined", "pending", "churned"], dtype=object), len(referred),
                        p=[0.6, 0.15, 0.15, 0.1])
    refs = pd.DataFrame({
        "referrer": ids[referrer], "referred": ids[referred], "provider": prov_ids[home[referred]],
        "referred_at": at.astype("datetime64[s]").astype("datetime64[ns]"), "status": status,
        "revenue": rng.gamma(2.0, 50.0, len(referred)).round(2),
    })
    who = rng.integers(0, customers, touchpoints)
    name = rng.integers(0, len(NAMES), touchpoints)
    scale = SCALE_OF[name]
    has_score = pd.notna(scale) & (rng.random(touchpoints) < 0.8)
    lows = np.where(scale == "nps", 0, 1)
    highs = np.where(scale == "nps", 10, 5)
    score = np.where(has_score, rng.integers(lows, highs + 1), np.nan)
    event = np.where(~has_score & (rng.random(touchpoints) < 0.7), EVENTS[rng.integers(0, len(EVENTS), touchpoints)], None)
    days = np.where(event == "resolved", rng.exponential(4.0, touchpoints).round(1), np.nan)
    tp_at = start + rng.integers(0, span, touchpoints)
    tps = pd.DataFrame({
        "customer": ids[who], "provider": prov_ids[home[who]],
        "at": tp_at.astype("datetime64[s]").astype("datetime64[ns]"),
        "touchpoint": pd.Series(NAMES[name], dtype="str"), "score": score,
        "scale": pd.Series(np.where(has_score, scale, None), dtype="str"),
        "event": pd.Series(event, dtype="str"), "response_days": days,
    })
    return refs, tps


def _rss_gb() -> float:
    """Current resident set size (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * resource.getpagesize() / 1024**3
    except OSError:
        return 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--touchpoints", type=int, default=None, help="default: 3 per customer")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    tps_n = args.touchpoints if args.touchpoints is not None else 3 * args.customers
    t0 = time.perf_counter()
    refs, tps = synthetic_export(args.customers, tps_n, seed=args.seed)
    base_gb = _rss_gb()
    t1 = time.perf_counter()
    c1 = time.process_time()
    G = build_graph(refs, tps)
    t2 = time.perf_counter()
    c2 = time.process_time()
    steps: list[tuple[int, float]] = []
    T = score_trust(G, progress=lambda stage, done, total: steps.append((done, time.perf_counter())))
    t3 = time.perf_counter()
    c3 = time.process_time()
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"customers {args.customers:,}  referrals {len(refs):,}  touchpoints {len(tps):,}")
    print(f"nodes {G.n:,}  relationships {len(G.relationships):,}  evidence {len(T.evidence):,}")
    print(f"generate      {t1 - t0:6.2f} s (not timed)")
    print(f"build_graph   {t2 - t1:6.2f} s   (CPU {c2 - c1:.2f} s)")
    print(f"score_trust   {t3 - t2:6.2f} s   (CPU {c3 - c2:.2f} s)  steps: "
          + ", ".join(f"{d}:{b - a:.2f}" for (d, b), a in zip(steps, [t2] + [s for _, s in steps])))
    print(f"total         {t3 - t1:6.2f} s   (CPU {c3 - c1:.2f} s; target < 20 s; on a busy machine CPU time is the fairer figure)")
    print(f"peak RSS      {peak_gb:6.2f} GB (target < 4 GB; includes the generated tables, "
          f"{base_gb:.2f} GB before build_graph)")
    return 0 if (t3 - t1) < 20 and peak_gb < 4 else 1


if __name__ == "__main__":
    sys.exit(main())
