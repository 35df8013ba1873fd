"""Does trustnet measure trust? Spearman correlation with the hidden truth of generated worlds.

For each seed, :func:`trustnet.datasets.generate` makes a world whose hidden
trust per customer → provider relationship and dimension is known
(``world.truth["trust"]``). We score the exported tables and report, per
dimension, Spearman's rho between the scores and the truth:

- ``model``: :func:`trustnet.trust.score_trust` with default settings;
- ``no chain``: the same with ``trust.chain_prior_weight = 0`` (no referral-chain prior);
- ``baseline``: the naive mean of the relationship's ratings (every scored
  touchpoint mapped to [0, 1] by its scale, dimension-blind);

on the relationships with evidence on that dimension (``evidence``, the target
of issue 4 is rho >= 0.7 there), on the relationships with at least one rating
on a touchpoint of that dimension (``rated``: by trustnet's keyword table),
and on every relationship with a score (``all``: relationships without
evidence get their prior). ``n`` counts the relationships compared.

Run::

    python benchmarks/trust_accuracy.py                       # 5000 customers, seeds 1 and 2
    python benchmarks/trust_accuracy.py --customers 20000 --seeds 1 2 3
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from trustnet import schema as S
from trustnet.datasets import generate
from trustnet.graph import build_graph
from trustnet.settings import Settings
from trustnet.trust import score_trust
from trustnet.trust.evidence import touchpoint_dimensions

_RANGES = {name: lo_hi for name, lo_hi in S.SCALES.items()}


def naive_baseline(touchpoints: pd.DataFrame) -> pd.Series:
    """Mean rating per (customer, provider), every scored touchpoint mapped to [0, 1] by its scale."""
    tp = touchpoints[touchpoints[S.SCORE].notna() & touchpoints[S.SCALE].isin(list(_RANGES))]
    lo = tp[S.SCALE].map({k: v[0] for k, v in _RANGES.items()}).astype(float)
    hi = tp[S.SCALE].map({k: v[1] for k, v in _RANGES.items()}).astype(float)
    scaled = ((tp[S.SCORE] - lo) / (hi - lo)).clip(0, 1)
    return scaled.groupby([tp[S.CUSTOMER], tp[S.PROVIDER]]).mean()


def rated_on(touchpoints: pd.DataFrame) -> dict[str, set]:
    """Per dimension, the (customer, provider) pairs with at least one rating on a touchpoint of that dimension
    (named by trustnet's own keyword table, not by the generator's vocabulary)."""
    tp = touchpoints[touchpoints[S.SCORE].notna()]
    dims = touchpoint_dimensions(tp[S.TOUCHPOINT].astype("str"))
    return {d: set(zip(tp.loc[(dims == d).to_numpy(), S.CUSTOMER], tp.loc[(dims == d).to_numpy(), S.PROVIDER]))
            for d in S.DIMENSIONS}


def _rho(a: pd.Series, b: pd.Series) -> tuple[float, int]:
    ok = a.notna() & b.notna()
    if ok.sum() < 3:
        return float("nan"), int(ok.sum())
    return float(spearmanr(a[ok], b[ok]).statistic), int(ok.sum())


def evaluate(customers: int, seed: int) -> pd.DataFrame:
    world = generate(customers, seed=seed)
    truth = world.truth["trust"].rename(columns={"customer": "truster", "provider": "trustee"})
    G = build_graph(world.referrals, world.touchpoints)
    scored = {
        "model": score_trust(G).relationships,
        "no chain": score_trust(G, Settings().replace(**{"trust.chain_prior_weight": 0.0})).relationships,
    }
    base = naive_baseline(world.touchpoints).rename("baseline").reset_index()
    base.columns = ["truster", "trustee", "baseline"]
    rated = rated_on(world.touchpoints)
    rows = []
    for dim in S.DIMENSIONS:
        row: dict[str, object] = {"seed": seed, "dimension": dim}
        for name, rel in scored.items():
            m = truth.merge(rel[["truster", "trustee", dim, f"{dim}_confidence"]], on=["truster", "trustee"],
                            how="left", suffixes=("_truth", ""))
            has = m[f"{dim}_confidence"] > 0
            row[f"{name} evidence"], n_ev = _rho(m.loc[has, dim], m.loc[has, f"{dim}_truth"])
            row[f"{name} all"], n_all = _rho(m[dim], m[f"{dim}_truth"])
            if name == "model":
                row["n evidence"], row["n all"] = n_ev, n_all
                on = np.array([(a, b) in rated[dim] for a, b in zip(m["truster"], m["trustee"])], dtype=bool)
                row["model rated"], row["n rated"] = _rho(m.loc[on, dim], m.loc[on, f"{dim}_truth"])
        b = truth.merge(base, on=["truster", "trustee"], how="left")
        row["baseline"], row["n baseline"] = _rho(b["baseline"], b[dim])
        rows.append(row)
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    table = pd.concat([evaluate(args.customers, s) for s in args.seeds], ignore_index=True)
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.3f}".format):
        print(f"Spearman rho between scored and hidden trust ({args.customers} customers per world)")
        print(table.to_string(index=False))
    print(f"({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
