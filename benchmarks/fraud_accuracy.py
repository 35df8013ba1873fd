"""Precision and recall of ``find_suspicious`` on generated worlds with planted fraud.

Each world is a ``trustnet.datasets.generate`` simulation with self-referrals,
rings and farms planted (``fraud=`` share of the referrals; the truth in
``truth["fraud"]``). A referral counts as caught when it is set aside at the
default threshold. Beside it, the plain rule every referral platform has:
"exact same e-mail" (referrer and referred e-mail identical, or the same id).
Recall is also broken down by scheme (self-referral, ring, farm), and the
false alarms by the signal that raised them.

Run::

    python benchmarks/fraud_accuracy.py                       # 3 seeds x 2 kinds, 5,000 customers, 5% fraud
    python benchmarks/fraud_accuracy.py --customers 20000 --fraud 0.02 --seeds 0 1
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from trustnet import schema as S
from trustnet.datasets import generate
from trustnet.fraud import find_suspicious
from trustnet.graph import build_graph


def world_with_fraud(customers: int, seed: int, kind: str, fraud: float):
    """A generated world with planted fraud: (referrals, touchpoints, truth)."""
    w = generate(customers, seed=seed, kind=kind, fraud=fraud)
    return w.referrals, w.touchpoints, w.truth["fraud"]


def scores(flag: np.ndarray, truth: np.ndarray) -> tuple[float, float, int, int]:
    tp = int((flag & truth).sum())
    fp = int((flag & ~truth).sum())
    fn = int((~flag & truth).sum())
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    return precision, recall, tp, fp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--fraud", type=float, default=0.05)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--kinds", nargs="+", default=["home-services", "subscription"])
    args = parser.parse_args()
    rows, by_scheme, false_alarms, sweep = [], [], [], []
    for kind in args.kinds:
        for seed in args.seeds:
            refs, tps, truth = world_with_fraud(args.customers, seed, kind, args.fraud)
            t = time.perf_counter()
            G = build_graph(refs, tps)
            found = find_suspicious(G)
            elapsed = time.perf_counter() - t
            is_fraud = truth["fraudulent"].to_numpy() == 1
            flag = found.set_aside
            same = (refs[S.REFERRER_EMAIL] == refs[S.REFERRED_EMAIL]).fillna(False).to_numpy(bool)
            same = same | (refs[S.REFERRER] == refs[S.REFERRED]).to_numpy(bool)
            p, r, tp, fp = scores(flag, is_fraud)
            bp, br, btp, bfp = scores(same, is_fraud)
            rows.append({"kind": kind, "seed": seed, "referrals": len(refs), "fraud": int(is_fraud.sum()),
                         "precision": p, "recall": r, "caught": tp, "false_alarms": fp,
                         "same_email_precision": bp, "same_email_recall": br, "same_email_caught": btp,
                         "same_email_false": bfp, "seconds": elapsed})
            scheme = truth["scheme"].to_numpy()
            for name in ("self_referral", "ring", "farm"):
                sel = scheme == name
                by_scheme.append({"scheme": name, "planted": int(sel.sum()), "caught": int(flag[sel].sum()),
                                  "same_email": int(same[sel].sum())})
            false_alarms.append(found.referrals.loc[flag & ~is_fraud, "signals"])
            sweep.append(pd.DataFrame({"suspicion": found.referrals["suspicion"].to_numpy(), "fraud": is_fraud}))
    table = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    print(f"{args.customers:,} customers per world, {args.fraud:.0%} of referrals planted as fraud, "
          f"default threshold 0.5\n")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    tot = table[["fraud", "caught", "false_alarms", "same_email_caught", "same_email_false"]].sum()
    same_flagged = tot.same_email_caught + tot.same_email_false
    print(f"\npooled: find_suspicious precision {tot.caught / (tot.caught + tot.false_alarms):.3f}, "
          f"recall {tot.caught / tot.fraud:.3f}; exact same e-mail precision "
          f"{tot.same_email_caught / same_flagged if same_flagged else float('nan'):.3f}, "
          f"recall {tot.same_email_caught / tot.fraud:.3f}")
    schemes = pd.DataFrame(by_scheme).groupby("scheme", sort=False).sum()
    schemes["recall"] = schemes["caught"] / schemes["planted"]
    schemes["same_email_recall"] = schemes["same_email"] / schemes["planted"]
    print("\nrecall by scheme (pooled):")
    print(schemes.to_string(float_format=lambda v: f"{v:.3f}"))
    pooled = pd.concat(sweep, ignore_index=True)
    print("\nprecision and recall by threshold (pooled):")
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.9):
        p, r, tp, fp = scores(pooled["suspicion"].to_numpy() >= threshold, pooled["fraud"].to_numpy())
        print(f"  {threshold:.1f}: precision {p:.3f}, recall {r:.3f} ({tp:,} caught, {fp:,} false alarms)")
    alarms = pd.concat(false_alarms).str.split(", ").explode().value_counts()
    print("\nsignals on the false alarms (pooled):")
    print(alarms.to_string() if len(alarms) else "none")


if __name__ == "__main__":
    main()
