"""Signed rating networks: trustnet against the published table on Bitcoin OTC.

Measures, on ../shared/datasets/bitcoin-otc:

1. speed of fairness/goodness and of the whole ``score_ratings`` table;
2. rating prediction, RMSE and Pearson correlation on the [-1, 1] scale, for every
   method of ``trustnet.predict_ratings``: a random 10% of the ratings hidden and
   predicted from the rest (``--seeds`` seeds), and with ``--loo`` the paper's
   leave-one-out protocol (every rating predicted from all the others; the
   iterations restart warm from the full network's solution, so it takes minutes);
3. untrustworthy accounts: ROC AUC and average precision of ``untrustworthy_score``
   against otc_gt.csv (-1 = fraudulent), on the full network and with the ratings
   that the three raters who labelled most accounts (2125, 1, 1810) gave labelled
   accounts removed, next to baselines.

Run from the project root::

    python benchmarks/signed_networks.py            # speed, 10% protocol (5 seeds), accounts
    python benchmarks/signed_networks.py --loo      # ... and leave-one-out (a few minutes)

Published figures: Kumar, Spezzano, Subrahmanian, Faloutsos, "Edge Weight
Prediction in Weighted Signed Networks", ICDM 2016, Table IV (leave-one-out).
Ground truth: Kumar et al., "REV2", WSDM 2018.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from trustnet import schema
from trustnet.load import load_ratings
from trustnet.ratings import (
    PREDICTION_METHODS, average_precision, describe_ratings, fairness_goodness, predict_ratings, roc_auc,
    score_ratings,
)
from trustnet.ratings.network import _prepare
from trustnet.ratings.predict import MIN_RECIPROCATED_PAIRS, _combine, _estimate, _reciprocity
from trustnet.settings import Settings

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
OTC = SHARED / "bitcoin-otc" / "soc-sign-bitcoinotc.csv"
GT = SHARED / "bitcoin-otc" / "otc_gt.csv"
TOP_LABELLERS = ["2125", "1", "1810"]

#: Kumar et al. ICDM 2016, Table IV, Bitcoin OTC, leave-one-out: (RMSE, PCC)
PUBLISHED = {
    "Fairness x Goodness": (0.31, 0.49),
    "Goodness": (0.32, 0.48),
    "Reciprocal rating": (0.32, 0.46),
    "MDS": (0.35, 0.41),
    "TidalTrust": (0.39, 0.38),
    "Bias and Deserve": (0.36, 0.32),
    "PageRank": (0.37, 0.07),
    "EigenTrust": (0.37, 0.01),
    "Linear regression on all (Table V, supervised)": (0.26, 0.66),
}


def read_otc() -> pd.DataFrame:
    """The SNAP file (rater, ratee, rating, Unix seconds; no header) through trustnet's loader."""
    if not OTC.is_file():
        raise SystemExit(f"Bitcoin OTC not found at {OTC}: put ../shared/datasets beside the project")
    return load_ratings(OTC)[0]


def rmse_pcc(truth: np.ndarray, pred: np.ndarray) -> tuple[float, float]:
    """RMSE and Pearson correlation; the correlation of a constant prediction is undefined (NaN)."""
    rmse = float(np.sqrt(np.mean((truth - pred) ** 2)))
    return rmse, float(np.corrcoef(truth, pred)[0, 1]) if np.std(pred) > 0 else float("nan")


def cell(values: np.ndarray) -> str:
    return "–" if np.isnan(values).any() else f"{values.mean():.3f} ± {values.std():.3f}"


def timed(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def speed(df: pd.DataFrame) -> None:
    f, _ = fairness_goodness(df, tol=1e-3)
    print("## Speed (median of 5)\n")
    print(f"- load_ratings (read and validate the CSV): {timed(read_otc):.3f} s")
    print(f"- fairness_goodness, epsilon 0.001 ({f.attrs['iterations']} iterations), validation included: "
          f"{timed(lambda: fairness_goodness(df, tol=1e-3)):.3f} s")
    f, _ = fairness_goodness(df)
    print(f"- fairness_goodness, default tol 1e-6 ({f.attrs['iterations']} iterations): "
          f"{timed(lambda: fairness_goodness(df)):.3f} s")
    print(f"- score_ratings (whole people table with reasons): {timed(lambda: score_ratings(df)):.3f} s")
    pairs = df[[schema.RATER, schema.RATEE]]
    print(f"- predict_ratings, trustnet, all {len(df):,} pairs: {timed(lambda: predict_ratings(df, pairs)):.3f} s\n")


def hidden_protocol(df: pd.DataFrame, seeds: int) -> dict[str, list[tuple[float, float]]]:
    out: dict[str, list[tuple[float, float]]] = {}
    m = len(df)
    for seed in range(seeds):
        hidden = np.zeros(m, bool)
        hidden[np.random.default_rng(seed).choice(m, m // 10, replace=False)] = True
        known, asked = df[~hidden], df[hidden]
        truth = asked[schema.RATING].to_numpy() / 10.0
        for method in PREDICTION_METHODS:
            pred = predict_ratings(known, asked[[schema.RATER, schema.RATEE, schema.RATED_AT]], method)
            out.setdefault(method, []).append(rmse_pcc(truth, pred.to_numpy() / 10.0))
        pred = predict_ratings(known, asked[[schema.RATER, schema.RATEE]])  # without the pair's date
        out.setdefault("trustnet, pairs undated", []).append(rmse_pcc(truth, pred.to_numpy() / 10.0))
    return out


def _reciprocity_without_each(w: np.ndarray, back: np.ndarray) -> np.ndarray:
    """The network's reciprocity with each rating left out, for all ratings at once (sufficient sums).

    Leaving out a reciprocated rating takes its pair out of the correlation (both directions).
    """
    both = back >= 0
    x, y = w[both], w[back[both]]
    count, sx, sxx, sxy = both.sum(), x.sum(), (x * x).sum(), (x * y).sum()
    wb = np.where(both, w[np.maximum(back, 0)], 0.0)
    k = np.where(both, count - 2, count).astype(float)
    s1 = np.where(both, sx - w - wb, sx)
    s2 = np.where(both, sxx - w * w - wb * wb, sxx)
    s12 = np.where(both, sxy - 2 * w * wb, sxy)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (k * s12 - s1 * s1) / (k * s2 - s1 * s1)  # x and y hold the same values: var(x) = var(y)
    r = np.where(k >= 2 * MIN_RECIPROCATED_PAIRS, np.nan_to_num(r), 0.0)
    return np.clip(r, 0.0, 1.0)


def leave_one_out(df: pd.DataFrame, settings: Settings) -> dict[str, tuple[float, float]]:
    """Every rating predicted from all the others, the iterations warm-started from the full solution."""
    net = _prepare(df, None)
    trust = settings.trust
    # tolerance 1e-8 instead of the library's 1e-10 halves the time; predictions agree far below 0.001
    opts = dict(strength=trust.prior_strength, tol=1e-8, max_iter=trust.max_iterations)
    full = _estimate(net.u, net.v, net.w, net.n, **opts)
    n, m = net.n, len(net.u)
    keys = pd.Index(net.u * n + net.v)
    back = keys.get_indexer(net.v * n + net.u)
    held_out_reciprocity = _reciprocity_without_each(net.w, back)
    reciprocal = np.where(back >= 0, net.w[np.maximum(back, 0)], np.nan)
    gap_days = np.abs(net.t - np.where(back >= 0, net.t[np.maximum(back, 0)], np.nan)) / 86400.0
    methods = [k for k in PREDICTION_METHODS if k != "mean"]
    pred = {k: np.empty(m) for k in methods + ["trustnet, pairs undated"]}
    undated = np.full(1, np.nan)
    keep = np.ones(m, bool)
    t0 = time.perf_counter()
    for e in range(m):  # one re-estimation per held-out rating: the protocol itself, not per-row work
        keep[e] = False
        est = _estimate(net.u[keep], net.v[keep], net.w[keep], n, start=full,
                        reciprocity=held_out_reciprocity[e], **opts)
        keep[e] = True
        for k in methods:
            pred[k][e] = _combine(est, net.u[e:e + 1], net.v[e:e + 1], reciprocal[e:e + 1],
                                  gap_days[e:e + 1], k, trust.half_life_days)[0]
        pred["trustnet, pairs undated"][e] = _combine(est, net.u[e:e + 1], net.v[e:e + 1], reciprocal[e:e + 1],
                                                      undated, "trustnet", trust.half_life_days)[0]
    print(f"leave-one-out: {m:,} re-estimations in {time.perf_counter() - t0:.0f} s\n")
    return {k: rmse_pcc(net.w, p) for k, p in pred.items()}


def pagerank_positive(df: pd.DataFrame) -> pd.Series:
    net = _prepare(df, None)
    pos = net.w > 0
    A = sp.csr_matrix((net.w[pos], (net.u[pos], net.v[pos])), shape=(net.n, net.n))
    out = np.asarray(A.sum(axis=1)).ravel()
    PT = (sp.diags(np.divide(1.0, out, out=np.zeros(net.n), where=out > 0)) @ A).T.tocsr()
    r = np.full(net.n, 1.0 / net.n)
    for _ in range(1000):
        new = 0.85 * (PT @ r) + (0.85 * r[out <= 0].sum() + 0.15) / net.n
        if np.abs(new - r).sum() < 1e-12:
            break
        r = new
    return pd.Series(new, index=net.ids)


def accounts(df: pd.DataFrame) -> None:
    gt = pd.read_csv(GT, header=None, names=["id", "label"], dtype={"id": str})
    fraud = gt["label"].to_numpy() == -1
    top = df[schema.RATER].isin(TOP_LABELLERS) & df[schema.RATEE].isin(gt["id"])
    print(f"## Untrustworthy accounts ({fraud.sum()} fraudulent, {(~fraud).sum()} benign labelled)\n")
    print("| score | full network: ROC AUC | AP | without the 3 top labellers' "
          f"{int(top.sum())} ratings of labelled accounts: ROC AUC | AP |")
    print("| --- | --- | --- | --- | --- |")
    rows: dict[str, list[float]] = {}
    for ratings in (df, df[~top]):
        table = score_ratings(ratings).set_index("id")
        # accounts left with no rating at all leave the network: no evidence either way
        scores = {
            "trustnet untrustworthy_score": table["untrustworthy_score"].reindex(gt["id"]).fillna(0.5),
            "mean rating received (lower = worse)": -table["mean_rating_received"].reindex(gt["id"]).fillna(0.0),
            "goodness (lower = worse)": -table["goodness"].reindex(gt["id"]).fillna(0.0),
            "PageRank on positive ratings (lower = worse)": -pagerank_positive(ratings).reindex(gt["id"]).fillna(0.0),
            "rater fairness (lower = worse)": -table["fairness"].reindex(gt["id"]).fillna(1.0),
        }
        for name, s in scores.items():
            rows.setdefault(name, []).extend([roc_auc(fraud, s.to_numpy()), average_precision(fraud, s.to_numpy())])
    for name, v in rows.items():
        print(f"| {name} | " + " | ".join(f"{x:.3f}" for x in v) + " |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds of the 10%%-hidden protocol")
    parser.add_argument("--loo", action="store_true", help="also run the leave-one-out protocol (minutes)")
    args = parser.parse_args()
    df = read_otc()
    print(f"# Signed networks: Bitcoin OTC ({platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__})\n")
    d = describe_ratings(df)
    print("structure:", {k: (round(v, 4) if isinstance(v, float) else v) for k, v in d.items()}, "\n")
    speed(df)
    res = hidden_protocol(df, args.seeds)
    loo = leave_one_out(df, Settings()) if args.loo else {}
    print(f"## Rating prediction, [-1, 1] scale (10% hidden: mean ± sd over {args.seeds} seeds)\n")
    print("| method | 10% hidden RMSE | 10% hidden PCC | leave-one-out RMSE | leave-one-out PCC |")
    print("| --- | --- | --- | --- | --- |")
    for k, v in res.items():
        a = np.array(v)
        lo = loo.get(k)
        lo_txt = f"{lo[0]:.3f} | {lo[1]:.3f}" if lo else "– | –"
        print(f"| {k} | {cell(a[:, 0])} | {cell(a[:, 1])} | {lo_txt} |")
    print("\nPublished (leave-one-out, Kumar et al. 2016 Table IV/V):\n")
    print("| method | RMSE | PCC |\n| --- | --- | --- |")
    for k, (r, c) in PUBLISHED.items():
        print(f"| {k} | {r:.2f} | {c:.2f} |")
    print()
    accounts(df)


if __name__ == "__main__":
    main()
