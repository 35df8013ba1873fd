"""Fit the risk weights to a user's own churn outcomes (L2-regularised logistic regression).

The fit maximises the log-likelihood of the known outcomes minus
``l2 / 2 * ||weights - current weights||^2``: a Gaussian prior centred on the
documented (or currently configured) weights, so a few hundred outcomes nudge
the weights and a hundred thousand outcomes decide them. Weights are kept
non-negative, so every factor still reads as "adds to the risk" and the shares
stay meaningful; the intercept is free. Solved with L-BFGS-B (scipy) on the
exact gradient.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> X = rng.uniform(0, 1, size=(4000, 2))
>>> y = rng.uniform(size=4000) < 1 / (1 + np.exp(-(-2 + 3 * X[:, 0])))
>>> b, w = fit_logistic(X, y, l2=0.01)
>>> round(b, 1), np.round(w, 1).tolist()
(-2.0, [3.1, 0.0])
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from .. import schema as S
from ..errors import DataQualityWarning, InputError
from ..settings import Settings

__all__ = ["fit_logistic", "calibrate_risk", "read_outcomes", "risk_toml", "OUTCOME_COLUMNS"]

#: columns of an outcomes table: who, with whom, and whether they churned (1) or stayed (0)
OUTCOME_COLUMNS = (S.CUSTOMER, S.PROVIDER, S.CHURNED)
_MIN_OUTCOMES = 10
#: accepted headers (lower case, spaces as underscores) per outcome column
OUTCOME_ALIASES = {
    S.CUSTOMER: ("customer", "customer_id", "customer_email", "truster", "referred", "email"),
    S.PROVIDER: ("provider", "trustee", "business", "merchant", "brand"),
    S.CHURNED: ("churned", "churn", "churned_within_90d", "left", "lost", "cancelled", "canceled"),
}


def read_outcomes(source: Any) -> pd.DataFrame:
    """Read a churn-outcomes file (csv, tsv, xlsx, json) into ``customer``, ``provider``, ``churned``.

    Headers are matched case-insensitively, with a few aliases (``churned_within_90d``,
    ``churn``, ``truster``/``trustee``...); a file without a provider column gets the
    default provider name. Ids are trimmed.

    Examples
    --------
    >>> import pandas as pd
    >>> read_outcomes(pd.DataFrame({"Customer ": ["a"], "Provider": ["P"], "Churned_within_90d": ["1"]})).values.tolist()
    [['a', 'P', '1']]
    """
    from ..load import read_table
    from ..settings import LoadSettings

    raw = read_table(source)
    norm = {h: h.strip().lower().replace(" ", "_").replace("-", "_") for h in raw.headers}
    out = {}
    for column, aliases in OUTCOME_ALIASES.items():
        hit = [h for h in raw.headers if norm[h] in aliases]
        if hit:
            out[column] = raw.frame[hit[0]].astype("str").str.strip()
    if S.PROVIDER not in out and S.CUSTOMER in out:
        out[S.PROVIDER] = pd.Series(LoadSettings().default_provider, index=raw.frame.index, dtype="str")
    missing = [c for c in OUTCOME_COLUMNS if c not in out]
    if missing:
        raise InputError(
            f"{raw.name}: no {' or '.join(missing)} column in the outcomes file; found "
            + ", ".join(map(repr, raw.headers)) + "; expected headers "
            + "; ".join(f"{c}: one of {', '.join(OUTCOME_ALIASES[c])}" for c in missing),
            problems=[f"missing column {c}" for c in missing],
        )
    return pd.DataFrame({c: out[c] for c in OUTCOME_COLUMNS}).reset_index(drop=True)


def fit_logistic(X: np.ndarray, y: np.ndarray, *, l2: float = 1.0, prior: np.ndarray | None = None,
                 intercept: float = 0.0, nonnegative: bool = True) -> tuple[float, np.ndarray]:
    """L2-regularised logistic regression; returns ``(intercept, weights)``.

    Minimises ``sum(log(1 + exp(z)) - y * z) + l2 / 2 * ||w - prior||^2`` with
    ``z = b + X @ w``; the intercept ``b`` is not penalised.

    Parameters
    ----------
    X : array, shape (n, k)
    y : array of 0/1 or bool, shape (n,)
    l2 : float
        Strength of the pull towards ``prior`` (default zeros).
    prior : array, shape (k,), optional
    intercept : float
        Starting value of the intercept.
    nonnegative : bool
        Keep every weight at or above zero.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0]] * 4 + [[1.0]] * 4)
    >>> y = np.array([0, 0, 0, 1, 0, 1, 1, 1])  # 1 in 4 churn at x = 0, 3 in 4 at x = 1
    >>> b, w = fit_logistic(X, y, l2=1e-9)
    >>> round(b, 3), round(float(w[0]), 3)  # log(1/3) and log(3) - log(1/3)
    (-1.099, 2.197)
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    k = X.shape[1]
    prior = np.zeros(k) if prior is None else np.asarray(prior, dtype=float)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        b, w = theta[0], theta[1:]
        z = b + X @ w
        p = 0.5 * (1.0 + np.tanh(0.5 * z))  # stable logistic
        value = np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * l2 * np.sum((w - prior) ** 2)
        r = p - y
        grad = np.concatenate([[r.sum()], X.T @ r + l2 * (w - prior)])
        return float(value), grad

    start = np.concatenate([[intercept], np.maximum(prior, 0.0) if nonnegative else prior])
    bounds = [(None, None)] + [(0.0, None) if nonnegative else (None, None)] * k
    res = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds,
                   options={"maxiter": 1000, "ftol": 1e-12, "gtol": 1e-8})
    return float(res.x[0]), res.x[1:].copy()


def _outcome_labels(outcomes: pd.DataFrame) -> np.ndarray:
    missing = [c for c in OUTCOME_COLUMNS if c not in outcomes.columns]
    if missing:
        raise InputError(
            "the outcomes table has no " + ", ".join(missing) + " column; found "
            + ", ".join(map(repr, outcomes.columns))
            + f"; expected columns {', '.join(OUTCOME_COLUMNS)} (churned: 1 if the customer left the provider, else 0)",
            problems=[f"missing column {c}" for c in missing],
        )
    raw = outcomes[S.CHURNED]
    text = raw.astype("str").str.strip().str.lower()
    yes = text.isin(["1", "1.0", "true", "yes", "y"])
    no = text.isin(["0", "0.0", "false", "no", "n"])
    bad = ~(yes | no) | raw.isna()
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())[:5]
        shown = ", ".join(f"row {r + 2}: {raw.iloc[r]!r}" for r in rows)
        raise InputError(
            f"the outcomes column churned must be 1 (churned) or 0 (stayed); {int(bad.sum())} value(s) are not: "
            f"{shown}; fix those rows (true/false and yes/no are accepted too)",
            problems=[f"row {r + 2}" for r in np.flatnonzero(bad.to_numpy())],
        )
    return yes.to_numpy()


def calibrate_risk(graph: Any, scores: Any, outcomes: pd.DataFrame, settings: Settings | None = None) -> Settings:
    """Fit the risk weights and intercept to known churn outcomes; return new settings.

    Parameters
    ----------
    graph : TrustGraph
    scores : TrustScores
        Trust scores of ``graph`` (or None, see :func:`trustnet.risk.find_at_risk`).
    outcomes : DataFrame
        Columns ``customer``, ``provider``, ``churned`` (1 churned, 0 stayed; true/false and yes/no
        are accepted), one row per relationship whose outcome is known. The factors are measured at
        the export's end, so the outcomes must be what happened *after* it.
    settings : Settings, optional
        The starting weights (the prior of the fit) and ``risk.l2``, its strength.

    Returns
    -------
    Settings
        ``settings`` with ``risk.intercept`` and ``risk.weights`` (every factor) replaced by the fit;
        :func:`risk_toml` writes them as a ``trustnet.toml`` ``[risk]`` section.

    Examples
    --------
    >>> import pandas as pd
    >>> from trustnet.graph import build_graph
    >>> days = pd.date_range("2025-01-01", periods=40, freq="7D")
    >>> tps = pd.DataFrame({"customer": [f"c{i}" for i in range(40)], "provider": "P", "at": days})
    >>> G = build_graph(pd.DataFrame({"referrer": ["c0"], "referred": ["c1"], "provider": ["P"]}), tps)
    >>> outcomes = pd.DataFrame({"customer": [f"c{i}" for i in range(40)], "provider": "P",
    ...                          "churned": [int(i < 10) for i in range(40)]})
    >>> new = calibrate_risk(G, None, outcomes)
    >>> new.risk.weights["silence"] > Settings().risk.weights.get("silence", 1.2)  # the long-silent churned
    True
    """
    from . import FACTORS, resolve_weights, risk_factors

    settings = settings or Settings()
    y_all = _outcome_labels(outcomes)
    table = risk_factors(graph, scores, settings)
    key = pd.MultiIndex.from_arrays([table["truster"].astype("str"), table["trustee"].astype("str")])
    wanted = pd.MultiIndex.from_arrays([outcomes[S.CUSTOMER].astype("str").str.strip(),
                                        outcomes[S.PROVIDER].astype("str").str.strip()])
    pos = key.get_indexer(wanted) if key.is_unique else key.drop_duplicates().get_indexer(wanted)
    found = pos >= 0
    if (~found).any():
        examples = ", ".join(f"{c} → {p}" for c, p in list(wanted[~found])[:3])
        warnings.warn(
            f"{int((~found).sum())} of {len(found)} outcome rows name no live customer/advocate → provider "
            f"relationship in the export (e.g. {examples}); they are left out of the fit",
            DataQualityWarning, stacklevel=2,
        )
    # one label per relationship: churned if any row says so
    labels = pd.Series(y_all[found]).groupby(pos[found]).max()
    rows, y = labels.index.to_numpy(), labels.to_numpy()
    if len(rows) < _MIN_OUTCOMES or y.all() or not y.any():
        raise InputError(
            f"calibration needs at least {_MIN_OUTCOMES} known outcomes with both churned and stayed "
            f"relationships; the outcomes match {len(rows)} relationship(s), {int(y.sum())} churned; "
            "add outcomes for more customers (customer and provider ids must match the export)"
        )
    X = table.loc[rows, list(FACTORS)].to_numpy(float)
    b0, w0 = resolve_weights(settings)
    b, w = fit_logistic(X, y, l2=settings.risk.l2, prior=w0, intercept=b0)
    weights = {f: round(float(v), 6) for f, v in zip(FACTORS, w)}
    return settings.updated({"risk": {"intercept": round(b, 6), "weights": weights}})


def risk_toml(settings: Settings) -> str:
    """The ``[risk]`` section of ``settings`` as ``trustnet.toml`` text (read back by ``load_settings``).

    Examples
    --------
    >>> text = risk_toml(Settings.from_dict({"risk": {"weights": {"silence": 2.5}}}))
    >>> print(text.splitlines()[2])
    [risk]
    >>> from trustnet.settings import Settings as S2
    >>> import tomllib
    >>> S2.from_dict(tomllib.loads(text)).risk.weights
    {'silence': 2.5}
    """
    risk = settings.to_dict()["risk"]
    lines = ["# trustnet settings: risk weights fitted by `trustnet calibrate`",
             "# pass this file to `trustnet risks --config` or `trustnet analyse --config`", "[risk]"]
    table = {}
    for key, value in risk.items():
        if isinstance(value, dict):
            table[key] = value
        else:
            lines.append(f"{key} = {_toml_value(value)}")
    for key, value in table.items():
        lines.append("")
        lines.append(f"[risk.{key}]")
        lines.extend(f"{k} = {_toml_value(v)}" for k, v in value.items())
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(float(value)) if isinstance(value, float) else str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
