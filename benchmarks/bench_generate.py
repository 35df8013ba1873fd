"""Benchmark: generate a demo world of N customers and write it (issue 3: 1,000,000 in < 60 s, < 3 GB).

Run once, on demand (not part of the test suite):

    python benchmarks/bench_generate.py --customers 1000000 --kind home-services

Prints the wall-clock seconds of ``generate`` and of ``World.write``, the CPU seconds of the
process (user + system: what the run costs when other work shares the cores), the load average
at the start, the rows produced and the peak resident memory of the process (``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time


def main(argv: list[str] | None = None) -> int:
    from trustnet.datasets import generate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--kind", default="home-services")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--out", default=None, help="folder to write into (default: a temporary folder)")
    args = parser.parse_args(argv)

    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    world = generate(args.customers, seed=args.seed, kind=args.kind, months=args.months)
    t1 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        out = world.write(args.out or tmp, overwrite=True)
        t2 = time.perf_counter()
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mb = usage.ru_maxrss / 1024
    cpu = usage.ru_utime + usage.ru_stime
    total = t2 - t0
    print(f"kind={args.kind} customers={args.customers:,} referrals={len(world.referrals):,} "
          f"touchpoints={len(world.touchpoints):,}")
    print(f"generate {t1 - t0:.1f} s  write {t2 - t1:.1f} s  total {total:.1f} s  "
          f"files {size / 1e6:.0f} MB  peak RSS {peak_mb:,.0f} MB")
    print(f"CPU {cpu:.1f} s (user + system)  load average at start {load:.1f} on {os.cpu_count()} cores")
    ok = total < 60 and peak_mb < 3 * 1024
    print("target (< 60 s, < 3 GB):", "met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
