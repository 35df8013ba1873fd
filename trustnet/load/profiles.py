"""Vendor layouts as data: the ``profiles/*.toml`` files and how a table is matched to one.

A profile names the columns that identify a vendor's export (its *signature*),
the kind of records it holds, and what the loader must do beyond the alias
table: which header holds which canonical column, value maps (Freshdesk's
numeric ticket statuses, Dynamics' lead-source codes), extra header rows
(Qualtrics, SurveyMonkey), rows to skip, continuation rows (Shopify). Users add
their own profiles by pointing ``[load] profiles_dir`` in ``trustnet.toml`` at
a folder of ``.toml`` files written the same way.

A profile file::

    name = "freshdesk-tickets"
    vendor = "Freshdesk"
    kind = "touchpoints"          # referrals | participants | touchpoints | ratings
    signature = ["Ticket ID", "Requester Email", "Status", "Priority"]
    header_rows = 1               # SurveyMonkey: 2, Qualtrics: 3
    merge_header_rows = false     # SurveyMonkey: combine row 1 and row 2 into one header
    skip_rows_matching = []       # regexes on the first cell of rows that are not data
    continuation_key = ""         # Shopify: "Name" (later rows of one order)
    [columns]                     # canonical column = header or [headers], tried first
    customer = ["Requester Email", "Requester"]
    [values.event]                # canonical column -> {export value: canonical value}
    "2" = "unresolved"
    [constants]                   # canonical column = value for every row
    touchpoint = "support ticket"
    [units]                       # response_days = "hours" | "minutes" | "seconds" | "days"
    response_days = "hours"

>>> names = [p.name for p in load_profiles()]
>>> "freshdesk-tickets" in names and "surveymonkey" in names
True
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from ..aliases import normalise_header
from ..errors import InputError

__all__ = ["Profile", "load_profiles", "match_profile", "KINDS"]

KINDS = ("referrals", "participants", "touchpoints", "ratings")


@dataclass(frozen=True)
class Profile:
    """One vendor layout (see the module docstring for the file format).

    Examples
    --------
    >>> growsurf = next(p for p in load_profiles() if p.name == "growsurf")
    >>> growsurf.vendor, growsurf.kind, growsurf.signature
    ('GrowSurf', 'participants', ('id', 'email', 'referredBy'))
    >>> growsurf.columns["referred_by"]
    ('referredBy',)
    >>> growsurf.matches(["id", "email", "referredBy", "firstName"])
    True
    """

    name: str
    vendor: str
    kind: str
    signature: tuple[str, ...]
    header_rows: int = 1
    merge_header_rows: bool = False
    skip_rows_matching: tuple[str, ...] = ()
    continuation_key: str = ""
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    constants: Mapping[str, str] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=dict)
    path: str = ""

    def matches(self, headers: Iterable[str]) -> bool:
        """True when every signature column is among ``headers`` (compared normalised).

        Examples
        --------
        >>> p = Profile("x", "X", "referrals", ("Advocate Email", "Friend Email"))
        >>> p.matches(["advocate_email", "FRIEND EMAIL", "Date"])
        True
        """
        keys = {normalise_header(h) for h in headers}
        return all(normalise_header(s) in keys for s in self.signature)


def _profile_from(data: Mapping[str, Any], where: str) -> Profile:
    known = {"name", "vendor", "kind", "signature", "header_rows", "merge_header_rows", "skip_rows_matching",
             "continuation_key", "columns", "values", "constants", "units", "description"}
    unknown = set(data) - known
    if unknown:
        raise InputError(f"profile {where}: unknown key(s) {', '.join(sorted(unknown))}; "
                         f"valid keys are {', '.join(sorted(known))}")
    try:
        kind = str(data["kind"])
        signature = tuple(str(s) for s in data["signature"])
        name = str(data["name"])
    except KeyError as err:
        raise InputError(f"profile {where}: missing key {err.args[0]!r}; every profile needs name, kind and "
                         "signature") from None
    if kind not in KINDS:
        raise InputError(f"profile {where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    if not signature:
        raise InputError(f"profile {where}: the signature must list at least one column")
    columns = {str(k): (tuple(str(x) for x in v) if isinstance(v, list) else (str(v),))
               for k, v in dict(data.get("columns", {})).items()}
    values = {str(k): MappingProxyType({str(a): str(b) for a, b in dict(v).items()})
              for k, v in dict(data.get("values", {})).items()}
    return Profile(
        name=name,
        vendor=str(data.get("vendor", name)),
        kind=kind,
        signature=signature,
        header_rows=int(data.get("header_rows", 1)),
        merge_header_rows=bool(data.get("merge_header_rows", False)),
        skip_rows_matching=tuple(str(x) for x in data.get("skip_rows_matching", ())),
        continuation_key=str(data.get("continuation_key", "")),
        columns=MappingProxyType(columns),
        values=MappingProxyType(values),
        constants=MappingProxyType({str(k): str(v) for k, v in dict(data.get("constants", {})).items()}),
        units=MappingProxyType({str(k): str(v) for k, v in dict(data.get("units", {})).items()}),
        path=where,
    )


def _read_profile_text(text: str, where: str) -> Profile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"profile {where} is not valid TOML: {err}") from err
    return _profile_from(data, where)


def load_profiles(extra: str | Path | None = None) -> list[Profile]:
    """The bundled vendor profiles, plus those in ``extra`` (a folder of ``.toml`` files or one file).

    A user profile with the same name as a bundled one replaces it.

    Parameters
    ----------
    extra : str or pathlib.Path, optional

    Returns
    -------
    list of Profile

    Examples
    --------
    >>> fd = [p for p in load_profiles() if p.name == "freshdesk-tickets"][0]
    >>> fd.kind, fd.values["event"]["4"]
    ('touchpoints', 'resolved')
    """
    found: dict[str, Profile] = {}
    bundled = resources.files("trustnet").joinpath("profiles")
    for entry in sorted(bundled.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            p = _read_profile_text(entry.read_text(encoding="utf-8"), f"trustnet/profiles/{entry.name}")
            found[p.name] = p
    if extra is not None:
        path = Path(extra)
        if not path.exists():
            raise InputError(f"profiles folder {path} does not exist; check [load] profiles_dir")
        files = sorted(path.glob("*.toml")) if path.is_dir() else [path]
        for f in files:
            p = _read_profile_text(f.read_text(encoding="utf-8"), str(f))
            found[p.name] = p
    return list(found.values())


def match_profile(headers: Iterable[str], profiles: Iterable[Profile], kind: str | None = None) -> Profile | None:
    """The profile whose signature matches ``headers`` best (most signature columns), or None.

    Examples
    --------
    >>> match_profile(["Ticket ID", "Requester Email", "Status", "Priority", "Subject"], load_profiles()).vendor
    'Freshdesk'
    """
    headers = list(headers)
    best: Profile | None = None
    for p in profiles:
        if kind is not None and p.kind != kind and not (kind == "referrals" and p.kind == "participants"):
            continue
        if p.matches(headers) and (best is None or len(p.signature) > len(best.signature)):
            best = p
    return best
