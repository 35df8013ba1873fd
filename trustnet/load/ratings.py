"""Loading rating networks (rater rates ratee) and telling what kind of file a table is.

>>> df, rep = load_ratings(io.StringIO("source,target,weight,timestamp\\n1,2,-3,1289241912\\n"))
>>> df.loc[0, ["rater", "ratee"]].tolist(), float(df.loc[0, "rating"]), str(df.loc[0, "rated_at"])
(['1', '2'], -3.0, '2010-11-08 18:45:12')
>>> detect_kind(io.StringIO("Advocate Email,Friend Email\\na@x.com,b@x.com\\n"))
'referrals'
"""

from __future__ import annotations

import io
from typing import Any, Iterable, Mapping

import pandas as pd

from .. import schema as S
from ..aliases import RATING_ALIASES, REFERRAL_ALIASES, TOUCHPOINT_ALIASES
from ..settings import Settings
from .mapping import aggregate_headers, parse_map_options, resolve_mapping, unmappable_error
from .profiles import load_profiles, match_profile
from .read import RawTable, read_table
from .report import LoadReport
from .rows import Ledger, prepare
from .values import parse_dates, parse_ids, parse_number

__all__ = ["load_ratings", "ratings_from_table", "detect_kind", "KINDS"]

#: what :func:`detect_kind` can answer
KINDS = ("referrals", "participants", "ratings", "touchpoints", "aggregate")


def load_ratings(
    source: Any,
    *,
    settings: Settings | None = None,
    mapping: Mapping[str, str] | Iterable[str] | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    dayfirst: bool | None = None,
) -> tuple[pd.DataFrame, LoadReport]:
    """Read a rating network: one row per rating of a ratee by a rater.

    Headerless files are read as ``rater, ratee[, rating[, time]]`` (SNAP's
    ``soc-sign-bitcoinotc.csv``); headed files through the alias table
    (``source, target, weight, timestamp``; ``rater, ratee, rating``...). An edge
    list without ratings (``"source","target"``) gets rating 1.0 on every row.
    Ids stay opaque text; Unix seconds become datetimes.

    Parameters
    ----------
    source : path, "-", file object or DataFrame
    settings, mapping, delimiter, encoding, sheet, dayfirst
        As for :func:`trustnet.load.load_referrals`.

    Returns
    -------
    ratings : pandas.DataFrame
        ``rater``, ``ratee`` (string), ``rating`` (float64), ``rated_at`` (datetime64[ns]),
        ``source_line``.
    report : LoadReport

    Raises
    ------
    InputError
        Unreadable file, or no rater/ratee columns.

    Examples
    --------
    >>> df, rep = load_ratings(io.StringIO('"source","target"\\n1,7\\n007,7\\n'))
    >>> df[["rater", "rating"]].values.tolist(), rep.kind
    ([['1', 1.0], ['007', 1.0]], 'ratings')
    """
    settings = settings or Settings()
    raw = read_table(source, delimiter=delimiter, encoding=encoding, sheet=sheet)
    return ratings_from_table(raw, settings=settings, mapping=mapping, dayfirst=dayfirst)


def ratings_from_table(
    raw: RawTable,
    *,
    settings: Settings | None = None,
    mapping: Mapping[str, str] | Iterable[str] | None = None,
    dayfirst: bool | None = None,
) -> tuple[pd.DataFrame, LoadReport]:
    """Map, validate and account for a rating table already read (see :func:`load_ratings`).

    Examples
    --------
    >>> raw = read_table(io.StringIO("1,2,5\\n2,,4\\n"))
    >>> df, rep = ratings_from_table(raw)
    >>> rep.rows_read, rep.accepted, rep.rejected_rows["reason"].tolist()
    (2, 1, ['missing ratee'])
    """
    settings = settings or Settings()
    if dayfirst is None:
        dayfirst = settings.load.dayfirst
    name = raw.name
    overrides = {k: v for k, v in parse_map_options(mapping).items() if k in RATING_ALIASES}
    if not raw.info.get("header", True):
        order = (S.RATER, S.RATEE, S.RATING, S.RATED_AT)
        colmap = {c: h for c, h in zip(order, raw.headers)}
        colmap.update(overrides)
    else:
        raw, _ = prepare(raw, None)
        colmap = resolve_mapping(raw.headers, RATING_ALIASES, overrides=overrides, name=name)
        missing = [c for c in (S.RATER, S.RATEE) if c not in colmap]
        if missing:
            raise unmappable_error(name, raw.headers, missing, RATING_ALIASES,
                                   {S.RATER: ["source", "rater", "from"], S.RATEE: ["target", "ratee", "to"]})
    ledger = Ledger(raw)
    frame = raw.frame
    warnings: list[str] = []
    date_forms: dict[str, str] = {}
    rater, w1 = parse_ids(frame[colmap[S.RATER]])
    ratee, w2 = parse_ids(frame[colmap[S.RATEE]])
    warnings += [w for w in (w1, w2) if w]
    ledger.reject((rater == "").to_numpy(), "missing rater")
    ledger.reject((ratee == "").to_numpy(), "missing ratee")
    if S.RATING in colmap:
        text = frame[colmap[S.RATING]]
        rating, bad = parse_number(text)
        ledger.reject((text.str.strip() == "").to_numpy(), "missing rating")
        ledger.reject_cells(bad.to_numpy(), "unparseable rating ", text)
    else:
        rating = pd.Series(1.0, index=frame.index, dtype="float64")
        if len(frame):
            warnings.append("no rating column: every tie counts as a rating of 1.0")
    if S.RATED_AT in colmap:
        d = parse_dates(frame[colmap[S.RATED_AT]], dayfirst=dayfirst, column=colmap[S.RATED_AT], name=name)
        ledger.reject_cells(d.bad.to_numpy(), "unparseable time ", frame[colmap[S.RATED_AT]])
        rated_at, date_forms[S.RATED_AT] = d.values, d.form
    else:
        rated_at = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    ledger.merge_duplicates(frame)
    keep = ledger.open
    out = pd.DataFrame({
        S.RATER: rater.astype("str"),
        S.RATEE: ratee.astype("str"),
        S.RATING: rating.astype("float64"),
        S.RATED_AT: rated_at.astype("datetime64[ns]"),
        S.SOURCE_LINE: raw.lines.astype("int64"),
    })[keep].reset_index(drop=True)
    report = ledger.report(kind="ratings", mapping=colmap, warnings=warnings, date_forms=date_forms, profile=None)
    return out, report


def detect_kind(
    source: Any,
    *,
    settings: Settings | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    mapping: Mapping[str, str] | Iterable[str] | None = None,
) -> str:
    """What a file holds: ``"referrals"``, ``"participants"``, ``"ratings"``, ``"touchpoints"`` or ``"aggregate"``.

    Decided from the headers (and a vendor profile's ``kind``): a referrer and a
    referred column make referrals; a person id/e-mail with a "referred by"
    column makes participants; rater/ratee (``source``/``target``) columns, or a
    headerless all-number table, make ratings; a customer with scores, events or
    ticket columns makes touchpoints; totals per advocate or per day (``Total
    Referrals``, ``Clicks``) make an aggregate report, which holds no referrals.

    Parameters
    ----------
    source : path, "-", file object, DataFrame or RawTable
    settings, delimiter, encoding, sheet
        As for :func:`trustnet.load.load_referrals`.
    mapping : mapping or list of "canonical=Header", optional
        ``--map`` overrides: naming ``rater``/``ratee`` means ratings, ``customer`` touchpoints,
        a referral column referrals.

    Returns
    -------
    str

    Raises
    ------
    InputError
        When the file cannot be read, or its headers fit none of these kinds.

    Examples
    --------
    >>> detect_kind(io.StringIO("id,email,referredBy\\n1,a@x.com,\\n"))
    'participants'
    >>> detect_kind(io.StringIO("Advocate,Total Referrals,Clicks\\nann,3,10\\n"))
    'aggregate'
    """
    from .referrals import _choose_shape

    settings = settings or Settings()
    raw = read_table(source, delimiter=delimiter, encoding=encoding, sheet=sheet)
    overrides = parse_map_options(mapping)
    if {S.RATER, S.RATEE} & set(overrides):
        return "ratings"
    if S.CUSTOMER in overrides:
        return "touchpoints"
    if {S.REFERRER, S.REFERRED} & set(overrides):
        return _choose_shape(raw, None, overrides, None)[0]
    if not raw.info.get("header", True):
        return "ratings"
    profile = match_profile(raw.headers, load_profiles(getattr(settings.load, "profiles_dir", None)))
    if profile is not None:
        return profile.kind
    shape, colmap = _choose_shape(raw, None, {}, None)
    if shape == "participants":
        return "participants"
    if S.REFERRER in colmap and S.REFERRED in colmap:
        return "referrals"
    ratings = resolve_mapping(raw.headers, RATING_ALIASES, name=raw.name)
    if S.RATER in ratings and S.RATEE in ratings:
        return "ratings"
    if aggregate_headers(raw.headers):
        return "aggregate"
    touch = resolve_mapping(raw.headers, TOUCHPOINT_ALIASES, name=raw.name)
    if S.CUSTOMER in touch and ({S.SCORE, S.EVENT, S.TOUCHPOINT} & set(touch)):
        return "touchpoints"
    missing = [c for c in S.REFERRAL_REQUIRED if c not in colmap]
    raise unmappable_error(raw.name, raw.headers, missing, REFERRAL_ALIASES,
                           {S.REFERRER: ["Referrer Email", "Advocate Email", "Referred By"],
                            S.REFERRED: ["Friend Email", "Referred Email", "Email"]})

