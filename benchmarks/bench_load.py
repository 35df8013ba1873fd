"""Benchmark: validate a generated 1,000,000-row referral CSV (issue 2: under 10 s and 2 GB).

The CSV is written first (seeded numpy, not timed), shaped like a real referral
platform export: e-mail ids with mixed case, a provider column, US dates with a
12-hour clock, amounts with currency symbols and thousands separators, free-text
statuses, a channel, 1 % rows without a referred friend, 0.5 % exact duplicates,
0.2 % self-referrals. Then ``trustnet validate`` (the CLI, in a fresh process)
loads it: wall time and the child process's peak resident memory are reported,
plus the reconciliation, which must add up.

Run::

    python benchmarks/bench_load.py                 # 1,000,000 rows
    python benchmarks/bench_load.py --rows 100000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def write_export(path: Path, rows: int, seed: int = 0) -> None:
    """A messy referral export with ``rows`` data rows (numpy only, seeded)."""
    rng = np.random.default_rng(seed)
    people = max(10, rows // 2)
    ids = np.char.add(np.char.add("User", np.arange(people).astype("U8")), "@Example.com")
    referrer = ids[(people * rng.random(rows) ** 3).astype(np.int64)]
    referred = ids[rng.integers(0, people, rows)].astype(object)
    referred[rng.random(rows) < 0.01] = ""
    selfref = rng.random(rows) < 0.002
    referred[selfref] = referrer[selfref]
    start = np.datetime64("2022-01-01T00:00", "s").astype(np.int64)
    stamps = pd.to_datetime(start + rng.integers(0, 3 * 365 * 86400, rows), unit="s")
    dates = stamps.strftime("%m/%d/%Y %I:%M %p")
    amounts = rng.gamma(2.0, 600.0, rows)
    money = pd.Series(amounts).map("${:,.2f}".format).to_numpy()
    status = rng.choice(np.array(["Converted", "Pending", "Declined", "Reward Issued", "Churned"]), rows)
    channel = rng.choice(np.array(["email", "facebook", "whatsapp", "link", "sms"]), rows)
    provider = np.char.add("Store ", rng.integers(0, 200, rows).astype("U4"))
    frame = pd.DataFrame({
        "Referrer Email": referrer, "Friend Email": referred, "Store": provider, "Referral Date": dates,
        "Order Total": money, "Referral Status": status, "Share Channel": channel,
    })
    dup = rng.random(rows) < 0.005
    dup[0] = False
    frame.loc[dup] = frame.shift(1).loc[dup].to_numpy()
    frame.to_csv(path, index=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "referrals.csv"
        t0 = time.perf_counter()
        write_export(path, args.rows, args.seed)
        size = path.stat().st_size
        print(f"wrote {args.rows:,} rows, {size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s (not timed)")
        cmd = [sys.executable, "-m", "trustnet", "validate", str(path), "--json", "--rows", "3"]
        t1 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        elapsed = time.perf_counter() - t1
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_mb = usage.ru_maxrss / 1024
        cpu = usage.ru_utime + usage.ru_stime
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:])
        return 1
    report = json.loads(done.stdout)
    total = report["accepted"] + report["duplicates"] + report["rejected"]
    print(f"trustnet validate: {elapsed:.2f} s wall, {cpu:.2f} s CPU (process start and imports included), "
          f"peak RSS {peak_mb:,.0f} MB; load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"rows read {report['rows_read']:,} = accepted {report['accepted']:,} + duplicates "
          f"{report['duplicates']:,} + rejected {report['rejected']:,} ({'adds up' if total == report['rows_read'] else 'MISMATCH'})")
    print("reasons:", report["reasons"])
    ok = elapsed < 10 and peak_mb < 2048 and total == report["rows_read"]
    print("target (< 10 s, < 2 GB):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
