"""Key advocates: who carries trust, how far, whether their word held, and whom to nurture.

:func:`rank_advocates` gives one row per advocate with reach and value over the
first-touch referral forest, credibility (did the people they referred come to
trust the provider?), reputation, brokerage, a composite score, a segment and
a reason in words. :func:`nurture` picks the advocates that together reach the
most under an independent cascade whose probabilities come from trust, and
says how much more they reach than the advocates with the most referrals.

Examples
--------
>>> import pandas as pd
>>> from trustnet.graph import build_graph
>>> G = build_graph(pd.DataFrame({"referrer": ["ann", "ann", "bob"], "referred": ["bob", "cat", "dan"]}))
>>> rank_advocates(G)["advocate"].tolist()
['ann', 'bob']
"""

from .metrics import FOREST_COLUMNS, forest_metrics
from .nurture import NURTURE_COLUMNS, cascade_edges, nurture
from .rank import ADVOCATE_COLUMNS, DEFAULT_SCORE_WEIGHTS, SEGMENTS, rank_advocates

__all__ = [
    "rank_advocates",
    "nurture",
    "forest_metrics",
    "cascade_edges",
    "ADVOCATE_COLUMNS",
    "NURTURE_COLUMNS",
    "FOREST_COLUMNS",
    "SEGMENTS",
    "DEFAULT_SCORE_WEIGHTS",
]
