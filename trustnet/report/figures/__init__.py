"""The report's figures: one function per figure, each returning a :class:`matplotlib.figure.Figure`.

Every figure's title states the finding, computed from the data ("Process
trust trails people trust at 4 of 5 providers"); the subtitle says what is
drawn. Figures are built on :class:`matplotlib.figure.Figure` directly (no
pyplot global state), use the Okabe–Ito palette of :mod:`trustnet.report.style`,
stay readable on a slide (12 × 7 in at 150 dpi, no text under 11 pt) and are
deterministic: layouts are seeded and computed on small subgraphs only.

Each function takes exactly the tables it needs and copes with empty or tiny
inputs by drawing a panel that says why there is nothing to show.

=========================  =======================================================
function                   tables
=========================  =======================================================
:func:`network_map`        graph, relationships (``overall``), advocates, at_risk
:func:`advocate_leaderboard`  advocates
:func:`trust_by_dimension` relationships
:func:`risk_matrix`        at_risk
:func:`trust_over_time`    evidence
:func:`referral_cascade`   graph, advocates
:func:`report_figures`     all of the above → ``{name: Figure}`` in report order
=========================  =======================================================

Identifiers are drawn as given; pseudonymise the tables first for an
anonymised report. Text taken from the data is never parsed as mathtext, so a
name such as ``$x$`` is drawn as typed.

Examples
--------
>>> import pandas as pd
>>> rel = pd.DataFrame({"truster": ["a", "b", "c"], "trustee": ["P", "P", "Q"],
...                     "kind": ["customer", "advocate", "customer"],
...                     "people": [0.9, 0.8, 0.7], "process": [0.5, 0.6, 0.4], "platform": [0.7, 0.7, 0.6]})
>>> fig = trust_by_dimension(rel)
>>> title(fig)
'Process trust trails people trust at both providers'
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..._memory import release_memory
from ._base import alt_text, figure_bytes, title
from .advocates import STATUS_COLOURS, advocate_leaderboard, referral_cascade
from .network import network_map
from .risk import QUADRANTS, risk_matrix
from .trust import trust_by_dimension, trust_over_time

__all__ = [
    "network_map", "advocate_leaderboard", "trust_by_dimension", "risk_matrix", "trust_over_time",
    "referral_cascade", "report_figures", "figure_bytes", "title", "alt_text", "FIGURE_NAMES", "QUADRANTS", "STATUS_COLOURS",
]

#: The report's figures, in report order (also their file names without extension).
FIGURE_NAMES = (
    "network_map", "advocate_leaderboard", "trust_by_dimension", "risk_matrix", "trust_over_time", "top_cascade",
)


def report_figures(
    graph: Any,
    relationships: pd.DataFrame,
    evidence: pd.DataFrame,
    advocates: pd.DataFrame,
    at_risk: pd.DataFrame,
    *,
    top: int = 10,
    seed: int = 0,
) -> dict[str, Any]:
    """Every figure of the report, by name (:data:`FIGURE_NAMES`), in report order.

    Parameters
    ----------
    graph : TrustGraph
    relationships, evidence : DataFrame
        ``TrustScores.relationships`` and ``TrustScores.evidence``.
    advocates, at_risk : DataFrame
        The ranked advocates and at-risk relationships.
    top : int
        Advocates labelled on the network map.
    seed : int
        Seed of the network layout.

    Returns
    -------
    dict of str to matplotlib.figure.Figure

    Examples
    --------
    >>> from trustnet.graph import build_graph
    >>> G = build_graph(pd.DataFrame({"referrer": ["ann"], "referred": ["bob"]}))
    >>> out = report_figures(G, G.relationships, pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    >>> list(out) == list(FIGURE_NAMES)
    True
    """
    draw = {
        "network_map": lambda: network_map(graph, relationships, advocates, at_risk, top=top, seed=seed),
        "advocate_leaderboard": lambda: advocate_leaderboard(advocates),
        "trust_by_dimension": lambda: trust_by_dimension(relationships),
        "risk_matrix": lambda: risk_matrix(at_risk),
        "trust_over_time": lambda: trust_over_time(evidence),
        "top_cascade": lambda: referral_cascade(graph, advocates),
    }
    figures = {}
    for name, make in draw.items():
        figures[name] = make()
        release_memory()  # this figure's scratch (arrays over every node or piece of evidence at scale)
    return figures
