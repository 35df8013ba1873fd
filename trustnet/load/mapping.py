"""Choosing which header feeds which canonical column.

Order of precedence: ``--map canonical=Header`` overrides, then the matched
vendor profile's ``[columns]``, then the alias tables of
:mod:`trustnet.aliases`. A header is used for one column only (an e-mail header
may also feed ``referrer_email``/``referred_email``).

>>> resolve_mapping(["Advocate Email", "Friend Email", "Date"], {"referrer": ("advocateemail",),
...                 "referred": ("friendemail",)}, name="x.csv")
{'referrer': 'Advocate Email', 'referred': 'Friend Email'}
"""

from __future__ import annotations

import difflib
import re
from typing import Iterable, Mapping

from ..aliases import AGGREGATE_SIGNS, normalise_header
from ..errors import InputError
from .profiles import Profile

__all__ = ["resolve_mapping", "parse_map_options", "unmappable_error", "aggregate_headers"]

#: extra columns (not canonical) that may share the header of another column
_SHAREABLE = {"referrer_email": "referrer", "referred_email": "referred"}


def parse_map_options(items: Iterable[str] | Mapping[str, str] | None) -> dict[str, str]:
    """Turn ``["referrer=Referred By", ...]`` (or a dict) into ``{"referrer": "Referred By"}``.

    Examples
    --------
    >>> parse_map_options(["referrer = Referred By", "referred=Email"])
    {'referrer': 'Referred By', 'referred': 'Email'}
    """
    if items is None:
        return {}
    if isinstance(items, Mapping):
        return {str(k).strip(): str(v) for k, v in items.items()}
    out = {}
    for item in items:
        key, sep, value = str(item).partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InputError(f"--map {item!r} must be written as CANONICAL=HEADER, "
                             "e.g. --map referrer=\"Referred By\"")
        out[key.strip()] = value.strip().strip("\"'")
    return out


def _find_header(wanted: str, headers: list[str], keys: dict[str, str]) -> str | None:
    if wanted in headers:
        return wanted
    return keys.get(normalise_header(wanted))


def resolve_mapping(
    headers: list[str],
    aliases: Mapping[str, tuple[str, ...]],
    *,
    overrides: Mapping[str, str] | None = None,
    profile: Profile | None = None,
    name: str = "",
    patterns: Mapping[str, Iterable[str]] | None = None,
    descriptions: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Map canonical columns onto ``headers``.

    Parameters
    ----------
    headers : list of str
        The table's headers (unique).
    aliases : mapping
        canonical column -> normalised aliases, most specific first.
    overrides : mapping, optional
        ``--map`` pairs canonical -> header; they win, and must name real headers and columns.
    profile : Profile, optional
        Its ``[columns]`` are tried before the aliases.
    name : str
        File name for messages.
    patterns : mapping, optional
        canonical -> regexes tried on normalised headers (and their descriptions) when no alias matched.
    descriptions : mapping, optional
        header -> longer text (e.g. a survey question from a second header row).

    Returns
    -------
    dict
        canonical column -> header, for the columns found.

    Raises
    ------
    InputError
        When an override names a column or a header that does not exist.

    Examples
    --------
    >>> aliases = {"referrer": ("referrer", "advocate"), "referred": ("friend",)}
    >>> resolve_mapping(["Advocate", "Friend", "Who"], aliases, overrides={"referrer": "who"})
    {'referrer': 'Who', 'referred': 'Friend'}
    """
    keys: dict[str, str] = {}
    for h in headers:
        keys.setdefault(normalise_header(h), h)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    valid = list(aliases)
    for canonical, header in (overrides or {}).items():
        if canonical not in aliases:
            raise InputError(f"--map {canonical}=...: {canonical!r} is not a column trustnet reads here; "
                             f"valid names are {', '.join(valid)}")
        found = _find_header(header, headers, keys)
        if found is None:
            close = difflib.get_close_matches(header, headers, n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise InputError(f"{name}: --map {canonical}={header!r}: there is no such column; the headers are "
                             + ", ".join(repr(h) for h in headers) + hint)
        mapping[canonical] = found
        used.add(found)
    if profile is not None:
        for canonical, candidates in profile.columns.items():
            if canonical in mapping or canonical not in aliases:
                continue
            for cand in candidates:
                found = _find_header(cand, headers, keys)
                if found is not None and found not in used:
                    mapping[canonical] = found
                    used.add(found)
                    break
    for canonical, alias_keys in aliases.items():
        if canonical in mapping:
            continue
        for key in alias_keys:
            found = keys.get(key)
            if found is None:
                continue
            if found not in used:
                mapping[canonical] = found
                used.add(found)
                break
            partner = _SHAREABLE.get(canonical)
            if partner and mapping.get(partner) == found and "email" in key:
                mapping[canonical] = found
                break
    for canonical, regexes in (patterns or {}).items():
        if canonical in mapping:
            continue
        for rx in regexes:
            pat = re.compile(rx)
            hit = next((h for h in headers if h not in used and (
                pat.search(normalise_header(h)) or pat.search(normalise_header((descriptions or {}).get(h, "")))
            )), None)
            if hit is not None:
                mapping[canonical] = hit
                used.add(hit)
                break
    return mapping


def aggregate_headers(headers: Iterable[str]) -> list[str]:
    """Headers that only aggregate reports have (``Total Referrals``, ``Clicks``...).

    Examples
    --------
    >>> aggregate_headers(["Advocate", "Total Referrals", "Clicks"])
    ['Total Referrals', 'Clicks']
    """
    return [h for h in headers if normalise_header(h) in AGGREGATE_SIGNS]


def unmappable_error(
    name: str,
    headers: list[str],
    missing: list[str],
    aliases: Mapping[str, tuple[str, ...]],
    examples: Mapping[str, list[str]],
    what: str = "referral",
) -> InputError:
    """The error for a table whose required columns cannot be found: headers found, columns
    missing, the closest candidates and the ``--map`` fix.

    Examples
    --------
    >>> err = unmappable_error("x.csv", ["Email", "Frend"], ["referrer"], {"referrer": ("referrer",)},
    ...                        {"referrer": ["Referrer Email", "Advocate"]})
    >>> print(err)  # doctest: +NORMALIZE_WHITESPACE
    x.csv: no referrer column: found 'Email', 'Frend'; expected a header such as 'Referrer Email',
    'Advocate'; pass --map referrer=COLUMN
    """
    parts = []
    for canonical in missing:
        close: list[str] = []
        for h in headers:
            key = normalise_header(h)
            if difflib.get_close_matches(key, aliases.get(canonical, ()), n=1, cutoff=0.75):
                close.append(h)
        hint = f" (closest: {', '.join(repr(c) for c in close[:3])})" if close else ""
        parts.append(f"no {canonical} column{hint}")
    found = ", ".join(repr(h) for h in headers[:20]) + (", ..." if len(headers) > 20 else "")
    wanted = [(c, ", ".join(repr(e) for e in examples.get(c, [])[:4])) for c in missing if examples.get(c)]
    if len(wanted) == 1:
        examples_text = f"expected a header such as {wanted[0][1]}"
    else:
        examples_text = "expected headers such as " + " and ".join(f"{ex} ({c})" for c, ex in wanted)
    fix = " ".join(f"--map {c}=COLUMN" for c in missing)
    message = f"{name}: {' and '.join(parts)}: found {found}; {examples_text}; pass {fix}"
    problems = parts + [f"not a usable {what} table", f"headers found: {found}"]
    return InputError(message, problems=problems)
