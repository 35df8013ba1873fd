"""The named risk factors: their order, default weights, labels and what each measures.

``settings.risk.weights`` overrides any default weight and ``settings.risk.intercept``
the intercept; :func:`resolve_weights` turns them into the vector the likelihood uses.

Examples
--------
>>> FACTORS[:3]
('low_people', 'low_process', 'low_platform')
>>> len(FACTORS) == len(DEFAULT_WEIGHTS) == len(FACTOR_LABELS) == len(FACTOR_DOCS)
True
"""

from __future__ import annotations

import numpy as np

from ..errors import SettingsError
from ..settings import Settings

__all__ = ["FACTORS", "DEFAULT_WEIGHTS", "FACTOR_LABELS", "FACTOR_DOCS", "resolve_weights"]

# --- the factor table: name, default weight, label in the `factors` text, what it measures ----------
_TABLE = (
    ("low_people", 1.5, "low people trust",
     "How far the relationship's people score lies below the reference (the higher of neutral 0.5 and the "
     "provider's median), as a share of the reference, weighted by confidence: times (1 + confidence) / 2, "
     "because the score is already a posterior that leans on its prior when evidence is thin (0..1)."),
    ("low_process", 2.0, "low process trust",
     "The same on the process dimension: service, complaint handling, promises kept (0..1)."),
    ("low_platform", 1.5, "low platform trust",
     "The same on the platform dimension: app, website, portal (0..1)."),
    ("falling_trend", 1.5, "falling trend",
     "How much `overall` fell over the trend window, in units of 0.2 (0 when stable or rising; capped at 2)."),
    ("unresolved", 1.5, "unresolved problem",
     "Number of negative events still open: a complaint, escalation or `unresolved` event with no later "
     "resolution or refund, a refund_denied with no later refund, an outage with no later positive evidence "
     "(capped at 3)."),
    ("unresolved_age", 0.5, "problem left open",
     "Age of the oldest open negative event, in units of 90 days (capped at 2): a problem left to fester."),
    ("recent_problems", 0.8, "recent problems",
     "Negative events of the recent past, open or not (complaints, escalations, unresolved follow-ups, refunds "
     "denied, delays, outages), each counted with weight 1/2 ** (age / `risk.problem_half_life_days`), capped "
     "at 5: problems in quick succession add up to a tipping point."),
    ("response_delay", 0.6, "slow responses",
     "How many times slower than the provider's median this relationship's responses were, minus one "
     "(capped at 3), plus 0.5 per `delay` event (up to 2)."),
    ("silence", 1.2, "silence",
     "Days since the last contact against this relationship's own rhythm (median gap between its contacts, "
     "pulled towards the provider's by `risk.rhythm_prior_gaps` gaps): 0 at the usual rhythm, 1 at "
     "`risk.silence_ratio` times it, capped at 3."),
    ("inconsistency", 1.0, "uneven trust",
     "Spread between the best and the worst dimension with a confidence of at least 0.25, times the lower "
     "of their two confidences (0..1): excellent in one place and poor in another."),
    ("upstream", 1.5, "upstream advocate at risk",
     "The person who referred them (or someone further up the referral forest) has churned (1, fading with "
     "`risk.problem_half_life_days` since the churn when it is dated) or is at "
     "risk (their own likelihood above the no-factor baseline, rescaled to 0..1), passed down with "
     "`risk.upstream_decay` per level."),
)

FACTORS: tuple[str, ...] = tuple(row[0] for row in _TABLE)
#: factor -> default weight (added to the logit per unit of the factor)
DEFAULT_WEIGHTS: dict[str, float] = {row[0]: row[1] for row in _TABLE}
#: factor -> words used in the ``factors`` column
FACTOR_LABELS: dict[str, str] = {row[0]: row[2] for row in _TABLE}
#: factor -> one sentence on what it measures
FACTOR_DOCS: dict[str, str] = {row[0]: row[3] for row in _TABLE}

def resolve_weights(settings: Settings) -> tuple[float, np.ndarray]:
    """The intercept and the weight vector (in :data:`FACTORS` order) of ``settings.risk``.

    Factors not named in ``settings.risk.weights`` keep their default weight.

    Examples
    --------
    >>> from trustnet.settings import Settings
    >>> b, w = resolve_weights(Settings.from_dict({"risk": {"weights": {"silence": 2}}}))
    >>> b, float(w[FACTORS.index("silence")])
    (-4.5, 2.0)
    """
    weights = dict(DEFAULT_WEIGHTS)
    unknown = sorted(set(settings.risk.weights) - set(FACTORS))
    if unknown:
        raise SettingsError(
            f"unknown risk factor(s) {', '.join(unknown)} in [risk] weights; valid factors are "
            + ", ".join(FACTORS)
        )
    for name, value in settings.risk.weights.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
            raise SettingsError(f"[risk] weights.{name} must be a finite number, got {value!r}")
        weights[name] = float(value)
    return float(settings.risk.intercept), np.array([weights[f] for f in FACTORS], dtype=float)
