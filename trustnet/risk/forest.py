"""The referral forest seen from risk: who is downstream of whom, and what flows down to them.

Both passes run level by level over ``graph.order`` (roots first): the only
Python loop is over forest levels, as many as the deepest chain, never over people.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..graph import TrustGraph

__all__ = ["forest_downstream", "propagate_upstream", "node_gone"]


def _levels(graph: TrustGraph) -> list[np.ndarray]:
    """Node indices per forest level, roots first (from ``graph.order``)."""
    depth = graph.depth[graph.order]
    if not len(depth):
        return []
    bounds = np.searchsorted(depth, np.arange(int(depth.max()) + 2))
    return [graph.order[bounds[d]:bounds[d + 1]] for d in range(len(bounds) - 1)]


def forest_downstream(graph: TrustGraph) -> np.ndarray:
    """Number of people below each node in the first-touch referral forest.

    One pass over the levels, deepest first.

    Examples
    --------
    >>> import pandas as pd
    >>> from trustnet.graph import build_graph
    >>> G = build_graph(pd.DataFrame({"referrer": ["a", "b", "a"], "referred": ["b", "c", "d"]}))
    >>> dict(zip(G.nodes["id"], forest_downstream(G).tolist()))
    {'a': 3, 'b': 1, 'c': 0, 'd': 0, 'the business': 0}
    """
    size = np.ones(graph.n, np.int64)
    for nodes in reversed(_levels(graph)[1:]):
        np.add.at(size, graph.parent[nodes], size[nodes])
    return size - 1


def propagate_upstream(graph: TrustGraph, signal: np.ndarray, decay: float) -> tuple[np.ndarray, np.ndarray]:
    """Strongest upstream signal each node inherits through the referral forest.

    ``up[i] = max(signal[parent], decay * up[parent])``, computed level by level
    (roots first). Also returns the node the signal came from (-1 for none).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from trustnet.graph import build_graph
    >>> G = build_graph(pd.DataFrame({"referrer": ["a", "b"], "referred": ["b", "c"]}))
    >>> up, src = propagate_upstream(G, np.array([1.0, 0.0, 0.0, 0.0]), 0.5)
    >>> up.tolist(), src.tolist()
    ([0.0, 1.0, 0.5, 0.0], [-1, 0, 0, -1])
    """
    up = np.zeros(graph.n)
    src = np.full(graph.n, -1, np.int64)
    for nodes in _levels(graph)[1:]:
        p = graph.parent[nodes]
        direct = signal[p]
        inherited = decay * up[p]
        take_direct = direct >= inherited
        up[nodes] = np.where(take_direct, direct, inherited)
        src[nodes] = np.where(take_direct, p, src[p])
    up[src < 0] = 0.0
    return up, src


def node_gone(graph: TrustGraph, facts: Mapping[str, Any], half_life: float) -> tuple[np.ndarray, np.ndarray]:
    """People with at least one churned provider relationship, and how much that still weighs (0..1).

    The weight is 1 for an undated churn (a ``churned`` status) and fades as
    ``1/2 ** (age / half_life)`` from the date of the churn event.

    Examples
    --------
    >>> import pandas as pd
    >>> from trustnet.graph import build_graph
    >>> from trustnet.settings import Settings
    >>> from trustnet.trust import score_trust
    >>> refs = pd.DataFrame({"referrer": ["ann", "ann"], "referred": ["bob", "cat"], "provider": ["Tiles"] * 2,
    ...                      "status": ["churned", "converted"], "referred_at": ["2025-01-10", "2025-02-01"]})
    >>> tps = pd.DataFrame({"customer": ["cat"], "provider": ["Tiles"], "at": ["2025-03-01"],
    ...                     "touchpoint": ["billing"], "event": ["complaint"]})
    >>> G = build_graph(refs, tps)
    >>> from trustnet.risk.factors import compute_factors
    >>> facts = compute_factors(G, score_trust(G), Settings())
    >>> gone, weight = node_gone(G, facts, half_life=90.0)
    >>> dict(zip(G.nodes["id"], gone.tolist())), weight.tolist()
    ({'Tiles': False, 'ann': False, 'bob': True, 'cat': False}, [0.0, 0.0, 1.0, 0.0])
    """
    gone = np.zeros(graph.n, bool)
    who = facts["truster"][facts["gone"]]
    gone[who] = True
    day = facts["churn_day"][facts["gone"]]
    age = np.maximum(facts["as_of_day"] - day, 0.0)
    w = np.where(np.isfinite(day), 0.5 ** (age / max(half_life, 1e-9)), 1.0)
    weight = np.zeros(graph.n)
    np.maximum.at(weight, who, w)
    return gone, weight
