"""Trust on rating networks: each row says a rater rated a ratee with a signed rating.

Bitcoin OTC, advice networks and marketplace feedback are rating networks:
``rater -> ratee`` with a signed rating (0 = neutral) and, often, a time. This
package scores them with the same vocabulary as the rest of trustnet:

- :func:`fairness_goodness` -- the fairness/goodness iteration of Kumar et al.
  (ICDM 2016): a rater's *fairness* (reliability, 0..1) is how closely their
  ratings agree with consensus, a ratee's *goodness* (trustworthiness, -1..1) is
  the fairness-weighted mean of the ratings they received.
- :func:`predict_ratings` -- the rating a rater would give a ratee, by several
  methods; the default ``"trustnet"`` model combines rater bias, ratee
  trustworthiness weighted by rater reliability, and the reciprocal rating as far
  as the network's :func:`reciprocity` makes it worth.
- :func:`score_ratings` -- one row per person: trust received on the people
  dimension, goodness, fairness, reputation, how likely the account is
  untrustworthy, and why, in plain words.
- :func:`describe_ratings` -- the structural facts of the network (components,
  reciprocity, degrees) that a reader of a report checks first.
- :func:`roc_auc`, :func:`average_precision` -- to measure a ranking of accounts
  against labels (numpy only).

Ratings are scaled to [-1, 1] before scoring: by default a signed scale
symmetric around 0 (``rating / max |rating|``, so -10..10 on Bitcoin OTC); pass
``scale=(low, high)`` for other scales (for example ``(1, 5)`` for stars).
Several ratings of the same rater for the same ratee are merged into one (their
mean, dated by the latest); self-ratings carry no information about trust
between people and are left out with a :class:`~trustnet.errors.DataQualityWarning`.

One module per concept: ``network`` (input, columns, structure), ``fairness``,
``predict``, ``people`` and ``evaluate``; everything public is re-exported here.

Nothing here is fitted to labels or tuned per dataset: every constant is named
in its module with the principle that sets it.
"""

from __future__ import annotations

from .evaluate import average_precision, roc_auc
from .fairness import fairness_goodness
from .network import (
    FAIRNESS, GOODNESS, ID, LAST_RATED_AT, MEAN_RATING_GIVEN, MEAN_RATING_RECEIVED, NEGATIVE_FROM_RELIABLE,
    NEGATIVE_RECEIVED, PEOPLE_CONFIDENCE, PEOPLE_TRUST, PREDICTED_RATING, RATINGS_GIVEN, RATINGS_RECEIVED,
    REPUTATION, REPUTATION_PCT, UNTRUSTWORTHY_SCORE, WHY, describe_ratings,
)
from .people import RELIABLE_FAIRNESS, score_ratings
from .predict import PREDICTION_METHODS, predict_ratings, reciprocity

__all__ = [
    "fairness_goodness",
    "predict_ratings",
    "score_ratings",
    "describe_ratings",
    "roc_auc",
    "average_precision",
    "PREDICTION_METHODS",
    "reciprocity",
    "RELIABLE_FAIRNESS",
    "ID", "PEOPLE_TRUST", "PEOPLE_CONFIDENCE", "GOODNESS", "FAIRNESS", "REPUTATION", "REPUTATION_PCT",
    "RATINGS_GIVEN", "RATINGS_RECEIVED", "NEGATIVE_RECEIVED", "NEGATIVE_FROM_RELIABLE",
    "MEAN_RATING_RECEIVED", "MEAN_RATING_GIVEN", "LAST_RATED_AT", "UNTRUSTWORTHY_SCORE", "WHY",
    "PREDICTED_RATING",
]
