"""One immutable :class:`Settings` object carries every tunable number.

Settings come from the defaults below, then an optional ``trustnet.toml``, then
keyword arguments or CLI flags, in that order. Each pipeline stage owns one
section (``[trust]``, ``[advocates]``, ``[risk]``, ...); a key that does not exist
is an error that lists the valid ones, never silently ignored.

>>> s = Settings()
>>> s.trust.half_life_days
365.0
>>> s2 = s.replace(**{"trust.half_life_days": 90})
>>> s2.trust.half_life_days, s.trust.half_life_days
(90.0, 365.0)
>>> Settings.from_dict({"trust": {"half_life_days": 30}}).trust.half_life_days
30.0
"""

from __future__ import annotations

import dataclasses
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import SettingsError

__all__ = [
    "Settings",
    "LoadSettings",
    "TrustSettings",
    "AdvocateSettings",
    "RiskSettings",
    "FraudSettings",
    "ReportSettings",
    "load_settings",
]


@dataclass(frozen=True)
class LoadSettings:
    """How input files are read (the loader detects most of this itself).

    Examples
    --------
    >>> Settings().load.default_provider
    'the business'
    >>> Settings().replace(**{"load.default_provider": "Acme Plumbing"}).load.default_provider
    'Acme Plumbing'
    """

    #: Read ambiguous dates such as 03/04/2025 as day first (3 April).
    dayfirst: bool | None = None
    #: Name given to the provider when the export has no provider column.
    default_provider: str = "the business"
    #: A folder (or one file) of extra vendor profiles (``.toml``, see ``trustnet/profiles``).
    profiles_dir: str | None = None


@dataclass(frozen=True)
class TrustSettings:
    """The trust model: evidence, recency and priors (see ``trustnet.trust``).

    Examples
    --------
    >>> Settings().trust.prior_strength
    2.0
    >>> Settings().replace(**{"trust.prior_strength": 5.0}).trust.prior_strength
    5.0
    """

    #: Evidence loses half its weight after this many days.
    half_life_days: float = 365.0
    #: Weight of the prior, in pieces of evidence.
    prior_strength: float = 2.0
    #: How far a referred customer's prior follows their advocate's trust (0..1).
    chain_prior_weight: float = 0.7
    #: A response time halves its worth (towards neutral) every this many days.
    response_half_life_days: float = 3.0
    #: Days over which ``trend`` compares now with then.
    trend_window_days: float = 90.0
    #: ``overall`` = mean - inconsistency_penalty * std of the three dimensions.
    inconsistency_penalty: float = 1.0
    #: EigenTrust teleport probability towards the pre-trusted set.
    eigentrust_damping: float = 0.15
    #: Absolute L1 stopping rule of every power iteration.
    tolerance: float = 1e-10
    max_iterations: int = 200
    #: Date the export ends ("as of"); default: the latest date in the data.
    as_of: str | None = None
    #: Overrides of the evidence table: {"event": {"complaint": [dimension, value, weight]}}.
    evidence: Mapping[str, Any] = field(default_factory=dict)
    #: Extra keyword -> dimension pairs for naming touchpoints.
    keywords: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AdvocateSettings:
    """Advocate ranking and nurturing (see ``trustnet.advocates``).

    Examples
    --------
    >>> Settings().advocates.nurture_k
    10
    >>> Settings().replace(**{"advocates.nurture_k": 3}).advocates.nurture_k
    3
    """

    #: Share of a referee's downstream value credited one level further up.
    downstream_decay: float = 0.5
    #: Pseudo-referrals used to smooth small conversion rates.
    conversion_smoothing: float = 2.0
    #: Pseudo-referees at the provider's median used to smooth credibility for few referees.
    credibility_smoothing: float = 2.0
    #: Weights of the parts of an advocate's quality (conversion, credibility, reputation, brokerage)
    #: in the score ``value_attributed * (0.5 + quality)``; missing keys keep their default.
    score_weights: Mapping[str, float] = field(default_factory=dict)
    #: Segment "champion": composite score percentile at or above this.
    champion_pct: float = 80.0
    #: Segment "dormant": no referral in this many days before ``as_of``.
    dormant_days: float = 180.0
    #: Segment "rising": first referral within this many days before ``as_of``, or more referrals
    #: in the last this-many days than in the same span before.
    rising_days: float = 90.0
    #: Segment "low credibility": credibility below this (0.5 = the provider's median customer).
    low_credibility: float = 0.35
    #: Segment "at risk": the advocate's own trust in the provider among the lowest this share
    #: (0..1) of the provider's customer and advocate relationships ...
    at_risk_pct: float = 0.1
    #: ... or falling by at least this much over ``trust.trend_window_days``.
    at_risk_drop: float = 0.1
    #: Currency symbol written before money in ``why``.
    currency: str = "$"
    #: Number of advocates `nurture` picks by default.
    nurture_k: int = 10
    #: Reverse-reachable sets sampled by `nurture` (twice: one batch to pick, one to measure).
    nurture_samples: int = 100_000
    seed: int = 0


@dataclass(frozen=True)
class RiskSettings:
    """At-risk relationships (see ``trustnet.risk``).

    Examples
    --------
    >>> Settings().risk.silence_ratio
    3.0
    >>> Settings().replace(**{"risk.silence_ratio": 2.0}).risk.silence_ratio
    2.0
    """

    #: Logistic intercept and factor weights; ``trustnet calibrate`` refits them.
    #: ``weights`` maps a factor name (see ``trustnet.risk.FACTORS``) to its weight;
    #: factors not named keep their documented default weight.
    intercept: float = -4.5
    weights: Mapping[str, float] = field(default_factory=dict)
    #: A relationship is silent when its gap exceeds this many times its usual rhythm.
    silence_ratio: float = 3.0
    #: Shortest usual rhythm assumed, in days (daily contacts do not make a weekend "silence").
    rhythm_floor_days: float = 7.0
    #: A relationship's own rhythm is pulled towards its provider's as if by this many extra gaps.
    rhythm_prior_gaps: float = 5.0
    #: Share of an upstream advocate's risk passed one level further down the referral forest.
    upstream_decay: float = 0.5
    #: A negative event (and an upstream advocate's churn) weighs half as much after this many days.
    problem_half_life_days: float = 90.0
    #: Stake of each downstream person and of each person a public complaint would reach,
    #: in units of a typical relationship's value per year.
    downstream_weight: float = 1.0
    reach_weight: float = 0.1
    #: Below this likelihood a relationship is safe (its next action is a thank-you or an ask).
    safe_below: float = 0.1
    #: L2 strength of ``calibrate`` (pulls the weights towards their defaults).
    l2: float = 1.0


@dataclass(frozen=True)
class FraudSettings:
    """Suspicious referrals (see ``trustnet.fraud``).

    Examples
    --------
    >>> Settings().fraud.threshold
    0.5
    >>> Settings().replace(**{"fraud.threshold": 0.7}).fraud.threshold
    0.7
    """

    #: Suspicion at or above which a referral is set aside from advocate value.
    threshold: float = 0.5
    #: Keep suspicious referrals in advocate value and reach.
    keep_suspicious: bool = False
    #: Longest referral cycle searched for (2..6; the search is bounded by it).
    max_cycle_length: int = 4
    #: Largest ring or dense cluster (accounts) reported as one.
    max_cluster_size: int = 30
    #: A burst: at least ``burst_min_referrals`` by one advocate within this many hours ...
    burst_window_hours: float = 24.0
    burst_min_referrals: int = 5
    #: ... at least this share of them to accounts that never converted, spent or appeared.
    burst_dead_share: float = 0.8
    #: Referrals younger than this (days before the export's end) are not judged dead yet.
    dormant_days: float = 14.0
    #: Converting within this many seconds of the referral is implausible.
    fast_conversion_seconds: float = 60.0
    #: Overrides of the signal weights: {"same_name": 0.4} (see ``trustnet.fraud``).
    weights: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportSettings:
    """What the report shows and how (see ``trustnet.report``).

    Examples
    --------
    >>> Settings().report.top
    20
    >>> Settings().replace(**{"report.top": 5}).report.top
    5
    """

    top: int = 20
    figure_format: str = "png"
    #: Replace every identifier with a keyed pseudonym.
    anonymise: bool = False
    #: Key for pseudonyms; default: the TRUSTNET_ANONYMISE_KEY environment variable.
    anonymise_key: str | None = None
    #: Aggregates over fewer people than this are shown as "<N" when anonymised.
    min_group_size: int = 5
    seed: int = 0


@dataclass(frozen=True)
class Settings:
    """Every setting of a trustnet run, one frozen section per stage.

    Build it with :func:`load_settings` (defaults, then a ``trustnet.toml``, then overrides) or change
    a copy with :meth:`replace` / :meth:`updated`; the object itself never changes.

    Examples
    --------
    >>> s = Settings().replace(**{"risk.safe_below": 0.2, "report.top": 10})
    >>> s.risk.safe_below, s.report.top, Settings().report.top
    (0.2, 10, 20)
    >>> Settings.from_dict({"advocates": {"dormant_days": 90}}).advocates.dormant_days
    90.0
    >>> s.to_dict()["report"]["top"]
    10
    """

    load: LoadSettings = field(default_factory=LoadSettings)
    trust: TrustSettings = field(default_factory=TrustSettings)
    advocates: AdvocateSettings = field(default_factory=AdvocateSettings)
    risk: RiskSettings = field(default_factory=RiskSettings)
    fraud: FraudSettings = field(default_factory=FraudSettings)
    report: ReportSettings = field(default_factory=ReportSettings)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Settings":
        """Build settings from a nested mapping such as a parsed ``trustnet.toml``.

        Examples
        --------
        >>> Settings.from_dict({"risk": {"safe_below": 0.2}}).risk.safe_below
        0.2
        """
        return cls().updated(data)

    @classmethod
    def from_toml(cls, path: str | Path) -> "Settings":
        """Read a ``trustnet.toml`` file; unknown sections or keys are errors.

        Examples
        --------
        >>> import tempfile
        >>> from pathlib import Path
        >>> path = Path(tempfile.mkdtemp()) / "trustnet.toml"
        >>> _ = path.write_text("[report]\\ntop = 7\\n", encoding="utf-8")
        >>> Settings.from_toml(path).report.top
        7
        """
        return load_settings(path)

    def updated(self, data: Mapping[str, Any]) -> "Settings":
        """Return a copy with a nested mapping ``{section: {key: value}}`` applied.

        Examples
        --------
        >>> s = Settings().updated({"trust": {"half_life_days": 60}, "report": {"top": 5}})
        >>> s.trust.half_life_days, s.report.top
        (60.0, 5)
        >>> Settings().updated({"trsut": {}})
        Traceback (most recent call last):
        ...
        trustnet.errors.SettingsError: unknown settings section [trsut]; valid sections are [load], [trust], [advocates], [risk], [fraud], [report]
        """
        sections = {f.name: f for f in dataclasses.fields(self)}
        changes: dict[str, Any] = {}
        for name, values in data.items():
            if name not in sections:
                raise SettingsError(
                    f"unknown settings section [{name}]; valid sections are "
                    + ", ".join(f"[{s}]" for s in sections)
                )
            if not isinstance(values, Mapping):
                raise SettingsError(f"settings section [{name}] must be a table of key = value pairs")
            changes[name] = _replace_section(getattr(self, name), name, values)
        return dataclasses.replace(self, **changes)

    def replace(self, **dotted: Any) -> "Settings":
        """Return a copy with ``section.key=value`` pairs applied (``None`` values are skipped).

        Examples
        --------
        >>> s = Settings().replace(**{"advocates.nurture_k": 3, "report.top": None})
        >>> s.advocates.nurture_k, s.report.top
        (3, 20)
        """
        nested: dict[str, dict[str, Any]] = {}
        for key, value in dotted.items():
            if value is None:
                continue
            section, _, name = key.partition(".")
            if not name:
                raise SettingsError(f"setting {key!r} must be written as section.key, e.g. trust.half_life_days")
            nested.setdefault(section, {})[name] = value
        return self.updated(nested)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """The settings as plain nested dicts (for summary.json and calibrated files).

        Examples
        --------
        >>> d = Settings().to_dict()
        >>> list(d), d["report"]["top"]
        (['load', 'trust', 'advocates', 'risk', 'fraud', 'report'], 20)
        """
        out: dict[str, dict[str, Any]] = {}
        for f in dataclasses.fields(self):
            section = getattr(self, f.name)
            out[f.name] = {k: _plain(v) for k, v in dataclasses.asdict(section).items()}
        return out


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _replace_section(section: Any, name: str, values: Mapping[str, Any]) -> Any:
    hints = typing.get_type_hints(type(section))
    valid = {f.name for f in dataclasses.fields(section)}
    changes = {}
    for key, value in values.items():
        if key not in valid:
            raise SettingsError(
                f"unknown setting {name}.{key}; valid keys in [{name}] are " + ", ".join(sorted(valid))
            )
        changes[key] = _coerce(value, hints[key], f"{name}.{key}")
    return dataclasses.replace(section, **changes)


def _coerce(value: Any, hint: Any, where: str) -> Any:
    """Check and convert one value to its declared type (int to float is allowed)."""
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    if value is None:
        if type(None) in args:
            return None
        raise SettingsError(f"setting {where} cannot be empty")
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        inner = [a for a in args if a is not type(None)]
        return _coerce(value, inner[0], where)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SettingsError(f"setting {where} must be a number, got {value!r}")
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingsError(f"setting {where} must be a whole number, got {value!r}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise SettingsError(f"setting {where} must be true or false, got {value!r}")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise SettingsError(f"setting {where} must be text, got {value!r}")
        return value
    if origin is not None and origin.__name__ == "Mapping":
        if not isinstance(value, Mapping):
            raise SettingsError(f"setting {where} must be a table, got {value!r}")
        return dict(value)
    return value


def load_settings(path: str | Path | None = None, **overrides: Any) -> Settings:
    """Defaults, then ``path`` (a ``trustnet.toml``) if given, then dotted overrides.

    >>> load_settings(None, **{"report.top": 5}).report.top
    5
    """
    settings = Settings()
    if path is not None:
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SettingsError(f"settings file {p} does not exist; check the path given to --config") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise SettingsError(f"settings file {p} is not valid TOML: {err}") from err
        settings = settings.updated(data)
    return settings.replace(**overrides)
