"""trustnet: whom customers trust, who carries that trust, and which relationships are at risk.

Read a referral export, score trust along three dimensions (people, process,
platform), rank the advocates who carry it, and find the relationships about to
break.

>>> import trustnet
>>> trustnet.__version__
'0.1.0'
"""

__version__ = "0.1.0"

from .errors import DataQualityWarning, InputError, OutputError, SettingsError, TrustnetError
from .settings import Settings, load_settings
from .load import LoadReport, detect_kind, load_ratings, load_referrals, load_touchpoints
from .graph import TrustGraph, build_graph
from .trust import TrustScores, score_trust
from .fraud import Suspicion, find_suspicious
from .advocates import nurture, rank_advocates
from .risk import calibrate_risk, find_at_risk
from .ratings import fairness_goodness, predict_ratings, score_ratings
from .datasets import World, generate
from .analysis import Analysis, analyse

__all__ = [
    "__version__",
    "analyse",
    "Analysis",
    "Settings",
    "load_settings",
    "TrustnetError",
    "InputError",
    "SettingsError",
    "OutputError",
    "DataQualityWarning",
    "LoadReport",
    "load_referrals",
    "load_touchpoints",
    "load_ratings",
    "detect_kind",
    "build_graph",
    "TrustGraph",
    "score_trust",
    "TrustScores",
    "find_suspicious",
    "Suspicion",
    "rank_advocates",
    "nurture",
    "find_at_risk",
    "calibrate_risk",
    "fairness_goodness",
    "predict_ratings",
    "score_ratings",
    "generate",
    "World",
]
