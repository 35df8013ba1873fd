"""Benchmark: at-risk relationships of N customers (issue 6: 1,000,000 customers in < 15 s).

Run once, on demand (not part of the test suite):

    python benchmarks/bench_risk.py --customers 1000000

Generates a world (``trustnet.datasets.generate``), builds the graph and scores
trust (timed, but not part of the target), then times ``find_at_risk`` — the
stage this benchmark is about — and, separately, ``risk_factors`` (the same
work without stakes and words) to show what the words cost. Prints wall-clock
seconds, the process's CPU seconds, rows and peak resident memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import time


def main(argv: list[str] | None = None) -> int:
    from trustnet.datasets import generate
    from trustnet.graph import build_graph
    from trustnet.risk import find_at_risk, risk_factors
    from trustnet.trust import score_trust

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--target", type=float, default=15.0, help="seconds find_at_risk may take")
    args = parser.parse_args(argv)

    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores shared)")

    def timed(label, fn, *a, **kw):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn(*a, **kw)
        print(f"{label:28s} {time.perf_counter() - t0:7.2f} s wall {time.process_time() - c0:7.2f} s cpu")
        return out, time.perf_counter() - t0

    W, _ = timed(f"generate({args.customers:,})", generate, customers=args.customers, seed=args.seed)
    print(f"  {len(W.referrals):,} referrals, {len(W.touchpoints):,} touchpoints")
    G, _ = timed("build_graph", build_graph, W.referrals, W.touchpoints)
    del W
    T, _ = timed("score_trust", score_trust, G)
    print(f"  {G.n:,} nodes, {len(G.relationships):,} relationships")
    _, t_factors = timed("risk_factors (no words)", risk_factors, G, T)
    table, t_risk = timed("find_at_risk", find_at_risk, G, T)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(f"  {len(table):,} relationships ranked; peak resident memory {peak:.2f} GB")
    ok = t_risk < args.target
    print(f"find_at_risk {t_risk:.2f} s: {'within' if ok else 'OVER'} the {args.target:g} s target")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
