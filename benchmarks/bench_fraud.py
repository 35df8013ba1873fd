"""Speed of ``trustnet.find_suspicious`` on a large synthetic referral export.

The export is shaped like a real one: a heavy-tailed referral forest (a few
star advocates, most people referring no one or one friend), extra ties
(people referred twice, some referring back), e-mail ids (a third at gmail
with dots), names, fingerprints, timestamps with a time of day, statuses,
conversion times and revenue, plus a sprinkle of self-referrals, rings and
farms so that every signal has work to do. Graph building is timed apart
from the fraud search; the target is the fraud search on 1,000,000
referrals in under 10 s.

``--dense`` times the worst case for the graph searches instead: a random graph
whose hubs both refer and are referred a lot (heavy-tailed in and out degrees),
so that most referrals sit in one giant strongly connected component — not a
referral programme's shape, but the bound of the cycle and triangle searches.

Run::

    python benchmarks/bench_fraud.py                 # 1,000,000 referrals
    python benchmarks/bench_fraud.py --referrals 200000 --repeat 3
    python benchmarks/bench_fraud.py --dense         # worst case for the graph searches
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from trustnet import schema as S
from trustnet.fraud import find_suspicious
from trustnet.graph import build_graph


def make_referrals(n_referrals: int, seed: int = 0) -> pd.DataFrame:
    """A synthetic canonical referrals table with about ``n_referrals`` rows."""
    rng = np.random.default_rng(seed)
    people = int(n_referrals * 0.75) + 10
    # a referral forest: each person (after the first roots) has a parent chosen with
    # preferential attachment on a heavy-tailed propensity
    propensity = rng.pareto(1.2, people) + 0.05
    roots = max(people // 50, 1)
    child = np.arange(roots, people)
    prob = propensity / propensity.sum()
    parent = rng.choice(people, size=len(child), p=prob)
    parent = np.where(parent >= child, rng.integers(0, roots, len(child)), parent)
    extra = n_referrals - len(child)
    er = rng.choice(people, size=max(extra, 0), p=prob)
    ed = rng.integers(0, people, max(extra, 0))
    referrer = np.concatenate([parent, er])
    referred = np.concatenate([child, ed])
    m = len(referrer)
    first = np.array(["anna", "ben", "carla", "dev", "elif", "farid", "gina", "hugo", "ines", "jon",
                      "kemal", "lena", "mo", "nora", "omar", "pia", "quinn", "rosa", "sam", "tara"])
    last = np.array(["smith", "jones", "garcia", "müller", "rossi", "novak", "kim", "silva", "haddad",
                     "okafor", "berg", "costa", "ivanova", "nguyen", "brown", "lopez", "weber", "sato"])
    fi, li = rng.integers(0, len(first), people), rng.integers(0, len(last), people)
    domain = np.where(rng.random(people) < 0.35, "gmail.com",
                      np.where(rng.random(people) < 0.5, "outlook.com", "example.org"))
    ids = pd.Series(first[fi], dtype=object) + "." + pd.Series(last[li], dtype=object) + pd.Series(
        np.arange(people).astype(str), dtype=object) + "@" + pd.Series(domain, dtype=object)
    names = pd.Series(first[fi], dtype=object).str.title() + " " + pd.Series(last[li], dtype=object).str.title()
    fingerprint = pd.Series(rng.integers(0, people * 2, people).astype(str), dtype=object)
    start = np.datetime64("2024-01-01T00:00:00", "s").astype(np.int64)
    at = start + rng.integers(0, 730 * 86_400, m)
    converted = rng.random(m) < 0.45
    conv_at = np.where(converted, at + rng.integers(3600, 30 * 86_400, m), 0)
    revenue = np.where(converted, np.round(rng.lognormal(5, 1, m), 2), np.nan)
    status = np.where(converted, S.CONVERTED, np.where(rng.random(m) < 0.5, S.PENDING, S.DECLINED))
    refs = pd.DataFrame({
        S.REFERRER: ids.to_numpy()[referrer],
        S.REFERRED: ids.to_numpy()[referred],
        S.PROVIDER: np.where(rng.random(m) < 0.5, "Tiles & Co", "Paint Ltd"),
        S.REFERRED_AT: pd.to_datetime(at, unit="s"),
        S.STATUS: status,
        S.REVENUE: revenue,
        S.CONVERTED_AT: pd.to_datetime(np.where(converted, conv_at, np.iinfo(np.int64).min // 10**9), unit="s")
        .where(converted),
        S.REFERRER_NAME: names.to_numpy()[referrer],
        S.REFERRED_NAME: names.to_numpy()[referred],
        S.FINGERPRINT: fingerprint.to_numpy()[referred],
    })
    # a sprinkle of fraud: self-referrals under gmail aliases, 3-rings, a farm burst
    k = max(m // 1000, 3)
    who = rng.integers(0, m, k)
    alias = refs[S.REFERRER].iloc[who].str.replace("@", "+promo@", regex=False)
    refs.loc[refs.index[who], S.REFERRED] = alias.to_numpy()
    refs.loc[refs.index[who], S.REFERRED_NAME] = refs[S.REFERRER_NAME].iloc[who].to_numpy()
    rings = pd.DataFrame({
        S.REFERRER: [f"ring{i // 3}-{i % 3}@ring.example" for i in range(3 * k)],
        S.REFERRED: [f"ring{i // 3}-{(i + 1) % 3}@ring.example" for i in range(3 * k)],
        S.PROVIDER: "Tiles & Co",
        S.REFERRED_AT: pd.Timestamp("2025-06-01 12:00:00"),
    })
    farm = pd.DataFrame({
        S.REFERRER: ids.iloc[0],
        S.REFERRED: [f"farm{i}@mailinator.example" for i in range(50)],
        S.PROVIDER: "Paint Ltd",
        S.REFERRED_AT: pd.Timestamp("2025-03-03 03:03:03") + pd.to_timedelta(np.arange(50) * 60, unit="s"),
        S.STATUS: S.PENDING,
    })
    return pd.concat([refs, rings, farm], ignore_index=True)


def make_dense(n_referrals: int, seed: int = 0) -> pd.DataFrame:
    """A random graph with heavy-tailed in- and out-degrees and one giant strongly connected component."""
    rng = np.random.default_rng(seed)
    n = max(n_referrals // 5, 10)
    weight = rng.pareto(1.1, n) + 0.1
    prob = weight / weight.sum()
    src, dst = rng.choice(n, n_referrals, p=prob), rng.choice(n, n_referrals, p=prob)
    keep = src != dst
    return pd.DataFrame({S.REFERRER: pd.Series(src[keep]).astype(str).radd("u"),
                         S.REFERRED: pd.Series(dst[keep]).astype(str).radd("u")})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dense", action="store_true", help="worst case for the graph searches (see above)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    refs = (make_dense if args.dense else make_referrals)(args.referrals, args.seed)
    t1 = time.perf_counter()
    G = build_graph(refs)
    t2 = time.perf_counter()
    print(f"referrals {len(refs):,}  nodes {G.n:,}  (generate {t1 - t0:.1f} s, build_graph {t2 - t1:.1f} s)")
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        found = find_suspicious(G)
        times.append(time.perf_counter() - t)
    flagged = int((found.referrals["suspicion"] >= found.threshold).sum())
    by_signal = found.suspicious["signals"].str.split(", ").explode().value_counts()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"find_suspicious: median {np.median(times):.2f} s over {args.repeat} run(s) "
          f"(min {min(times):.2f}, max {max(times):.2f}); peak RSS {peak:,.0f} MB")
    print(f"suspicious referrals: {flagged:,} ({flagged / len(refs):.2%}); by signal:")
    print(by_signal.to_string())


if __name__ == "__main__":
    main()
