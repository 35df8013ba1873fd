"""How well the break likelihood finds the relationships that truly churn within 90 days.

On generated worlds (``trustnet.datasets.generate``), whose ``truth["churn"]``
says for every live customer → provider relationship at the export's end
whether it churned in the next 90 days, this prints ROC AUC and precision@100
of:

- the likelihood with the default weights (scored on the test world),
- the likelihood with weights calibrated on another world (``--train-seed``)
  and scored on the test world (``--seed``),
- the baselines "days since last contact" (longer = riskier) and "last NPS"
  (lower = riskier; relationships without an NPS get the median).

Run::

    python benchmarks/risk_accuracy.py --customers 20000 --train-seed 1 --seed 2 --ceiling

``--ceiling`` re-runs the generator's simulation of the test world (private API,
``trustnet.datasets._simulate``) and prints what its *hidden* state would score:
how many of the churners had already tipped by the export's end, and the AUC
of knowing exactly who had tipped, of the hidden pressure and of the hidden
trust. That is the ceiling any score computed from the export can approach.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from trustnet import schema as S
from trustnet.datasets import generate
from trustnet.graph import build_graph
from trustnet.risk import calibrate_risk, risk_factors
from trustnet.settings import load_settings
from trustnet.trust import score_trust

TRUTH = "churned_within_90d"


def roc_auc(y: np.ndarray, score: np.ndarray) -> float:
    """Chance a random positive outscores a random negative (ties count one half)."""
    y = np.asarray(y, bool)
    s = np.asarray(score, float)
    order = np.argsort(s, kind="mergesort")
    sorted_s = s[order]
    # mid-ranks for ties
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_s)) + 1]
    ends = np.r_[starts[1:], len(s)]
    mid = (starts + ends + 1) / 2.0
    ranks = np.empty(len(s))
    ranks[order] = np.repeat(mid, ends - starts)
    pos, neg = y.sum(), (~y).sum()
    return float((ranks[y].sum() - pos * (pos + 1) / 2.0) / (pos * neg))


def precision_at(y: np.ndarray, score: np.ndarray, k: int = 100) -> float:
    """Share of true churners among the k highest scores (ties broken by position, stably)."""
    top = np.argsort(-np.asarray(score, float), kind="stable")[:k]
    return float(np.asarray(y, bool)[top].mean())


def world(customers: int, seed: int):
    W = generate(customers=customers, seed=seed)
    G = build_graph(W.referrals, W.touchpoints)
    T = score_trust(G)
    truth = W.truth["churn"].rename(columns={S.CUSTOMER: "truster", S.PROVIDER: "trustee"})
    return W, G, T, truth


def baselines(W, G, truth: pd.DataFrame) -> pd.DataFrame:
    """Days since last contact and last NPS per truth row."""
    tps = W.touchpoints
    refs = W.referrals
    contacts = pd.concat([
        tps[[S.CUSTOMER, S.PROVIDER, S.AT]].rename(columns={S.CUSTOMER: "truster", S.PROVIDER: "trustee"}),
        refs[[S.REFERRED, S.PROVIDER, S.REFERRED_AT]].rename(
            columns={S.REFERRED: "truster", S.PROVIDER: "trustee", S.REFERRED_AT: S.AT}),
        refs[[S.REFERRER, S.PROVIDER, S.REFERRED_AT]].rename(
            columns={S.REFERRER: "truster", S.PROVIDER: "trustee", S.REFERRED_AT: S.AT}),
    ])
    last = contacts.groupby(["truster", "trustee"])[S.AT].max()
    nps = tps[(tps[S.SCALE] == "nps") & tps[S.SCORE].notna()].sort_values(S.AT)
    last_nps = nps.groupby([S.CUSTOMER, S.PROVIDER])[S.SCORE].last()
    last_nps.index.names = ["truster", "trustee"]
    out = truth.join(last.rename("last"), on=["truster", "trustee"]).join(last_nps.rename("nps"), on=["truster", "trustee"])
    out["days_since_contact"] = (G.as_of - out["last"]).dt.total_seconds() / 86400.0
    out["days_since_contact"] = out["days_since_contact"].fillna(out["days_since_contact"].max())
    out["neg_last_nps"] = -out["nps"].fillna(out["nps"].median())
    return out


def ceiling(customers: int, seed: int) -> None:
    """AUCs of the generator's hidden state on the same test world (what the export cannot show)."""
    try:
        from trustnet.datasets import _world as gen
        from trustnet.datasets._simulate import simulate
    except ImportError as err:  # the generator's internals moved
        print(f"ceiling: generator internals not available ({err})")
        return
    spec, P, start = gen._check(customers, None, 24, "home-services", 1.0, "2024-01-01")
    end = float(((start + pd.DateOffset(months=24)) - start).days)
    names, revenue = gen._providers(spec, P, gen._stream(seed, "providers"))
    sim = simulate(spec, customers=customers, providers=P, months=24, end_day=end, provider_names=names,
                   provider_revenue=revenue, density=1.0, rng=gen._stream(seed, "world"))
    live = (sim.join < end) & (sim.churn >= end)
    y = (live & (sim.churn < end + 90))[live]
    tipped = (np.isfinite(sim.tip) & (sim.tip < end))[live]
    print(f"ceiling (hidden state, {live.sum()} live, {y.sum()} churn): {int((tipped & y).sum())} churners had "
          f"tipped by the export's end, {int((~tipped & y).sum())} tip later")
    print(f"{'hidden: who had tipped by the end':34s} {roc_auc(y, tipped.astype(float)):8.3f}")
    print(f"{'hidden: lowest trust dimension':34s} {roc_auc(y, -sim.trust_end[live].min(axis=1)):8.3f}")
    pressure = np.where(tipped, np.inf, sim.pressure_end[live])
    print(f"{'hidden: strain / threshold':34s} {roc_auc(y, np.nan_to_num(pressure, posinf=1e9)):8.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=20000)
    ap.add_argument("--train-seed", type=int, default=1)
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--ceiling", action="store_true", help="also score the generator's hidden state")
    ap.add_argument("--config", default=None, help="a trustnet.toml whose [risk] settings replace the defaults")
    args = ap.parse_args()

    t0 = time.perf_counter()
    W1, G1, T1, truth1 = world(args.customers, args.train_seed)
    W2, G2, T2, truth2 = world(args.customers, args.seed)
    outcomes = truth1.rename(columns={"truster": S.CUSTOMER, "trustee": S.PROVIDER, TRUTH: S.CHURNED})
    base = load_settings(args.config)
    fitted = calibrate_risk(G1, T1, outcomes, base)
    t_setup = time.perf_counter() - t0

    test = baselines(W2, G2, truth2)
    default = risk_factors(G2, T2, base)[["truster", "trustee", "likelihood"]]
    calibrated = risk_factors(G2, T2, fitted)[["truster", "trustee", "likelihood"]]
    test = test.merge(default.rename(columns={"likelihood": "default"}), on=["truster", "trustee"], how="left")
    test = test.merge(calibrated.rename(columns={"likelihood": "calibrated"}), on=["truster", "trustee"], how="left")
    missing = int(test["default"].isna().sum())
    # a truth row the risk table does not list (lost or never a customer in the export) ranks lowest
    test[["default", "calibrated"]] = test[["default", "calibrated"]].fillna(0.0)
    y = test[TRUTH].to_numpy().astype(bool)

    print(f"test world seed {args.seed}: {len(test)} live relationships, {int(y.sum())} churn within 90 days "
          f"({y.mean():.1%}); calibrated on seed {args.train_seed} ({len(outcomes)} outcomes); "
          f"{missing} truth rows not in the risk table; setup {t_setup:.1f} s")
    print(f"{'score':34s} {'ROC AUC':>8s} {'prec@100':>9s}")
    for name, col in (("likelihood, default weights", "default"),
                      ("likelihood, calibrated on the other seed", "calibrated"),
                      ("baseline: days since last contact", "days_since_contact"),
                      ("baseline: last NPS (lower = riskier)", "neg_last_nps")):
        s = test[col].to_numpy(float)
        print(f"{name:34s} {roc_auc(y, s):8.3f} {precision_at(y, s):9.2f}")
    if args.ceiling:
        ceiling(args.customers, args.seed)
    print("calibrated intercept", round(fitted.risk.intercept, 3))
    print("calibrated weights", {k: round(v, 3) for k, v in fitted.risk.weights.items()})


if __name__ == "__main__":
    main()
