"""Loading touchpoints: NPS/CSAT surveys, support tickets, ratings and events about a relationship.

>>> df, rep = load_touchpoints(io.StringIO("Email,NPS,Date\\nann@x.com,9,2025-01-05\\nbob@x.com,11,2025-01-06\\n"))
>>> df[["customer", "score", "scale", "touchpoint"]].values.tolist()
[['ann@x.com', 9.0, 'nps', 'nps survey']]
>>> rep.rejected_rows["reason"].tolist()
['score outside the nps scale 0-10: 11']
"""

from __future__ import annotations

import io
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .. import schema as S
from ..aliases import REFERRAL_ALIASES, TICKET_ALIASES, TOUCHPOINT_ALIASES, normalise_header
from ..errors import InputError
from ..settings import Settings
from .mapping import parse_map_options, resolve_mapping, unmappable_error
from .profiles import load_profiles, match_profile
from .read import RawTable, read_table
from .report import LoadReport
from .rows import Ledger, prepare
from .values import apply_value_map, parse_dates, parse_event, parse_ids, parse_money, parse_number

__all__ = ["load_touchpoints", "touchpoints_from_table", "infer_scale"]

_ALIASES = {**TOUCHPOINT_ALIASES, **TICKET_ALIASES}
_PATTERNS = {
    S.SCORE: (r"howlikely.*recommend", r"recommend", r"^nps", r"satisf", r"csat", r"rating$", r"score$"),
    S.RESPONSE_DAYS: (r"firstrep", r"firstresp"),
    S.COMMENT: (r"comment", r"feedback", r"^why", r"reason", r"dobetter", r"improve", r"openended"),
}
_EXAMPLES = {S.CUSTOMER: ["Email", "Customer Email", "Requester email", "Respondent"]}
_UNITS = {"minutes": 1 / 1440, "hours": 1 / 24, "seconds": 1 / 86400, "days": 1.0}


def infer_scale(score: pd.Series, header: str = "") -> str:
    """The rating scale of a score column, from its header, else from its range.

    Examples
    --------
    >>> infer_scale(pd.Series([1.0, 4.0])), infer_scale(pd.Series([0.0, 7.0])), infer_scale(pd.Series([3.0]), "NPS")
    ('stars', 'nps', 'nps')
    """
    key = normalise_header(header)
    if "nps" in key or "recommend" in key or "promoter" in key:
        return "nps"
    if "csat" in key or "satisf" in key:
        return "csat" if score.empty or float(score.max()) > 1 else "unit"
    if "star" in key:
        return "stars"
    if score.empty:
        return "nps"
    lo, hi = float(score.min()), float(score.max())
    if lo < 0:
        return "signed"
    if hi <= 1:
        return "unit"
    if lo >= 1 and hi <= 5:
        return "stars"
    return "nps"


def load_touchpoints(
    source_or_sources: Any,
    *,
    settings: Settings | None = None,
    mapping: Mapping[str, str] | Iterable[str] | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    dayfirst: bool | None = None,
) -> tuple[pd.DataFrame, LoadReport]:
    """Read one or several touchpoint files into the canonical touchpoints table.

    Survey exports (NPS, CSAT, star ratings; Delighted, Qualtrics, SurveyMonkey,
    Typeform), support-ticket exports (Zendesk, Freshdesk, Help Scout: created,
    solved, satisfaction, reopens, first-reply time) and plain event logs are
    recognised by their headers or a vendor profile. Ticket status becomes the
    ``event`` (solved/closed -> ``resolved``, open/pending -> ``unresolved``; a
    reopened ticket is named ``support ticket (reopened)``); ``response_days`` is
    the first-reply time (or, failing that, the resolution time) in days.

    Parameters
    ----------
    source_or_sources : path, "-", file object, DataFrame, or a list of them
        Several files are loaded one by one and stacked.
    settings, mapping, delimiter, encoding, sheet, dayfirst
        As for :func:`trustnet.load.load_referrals`. ``mapping`` keys that name
        referral columns are ignored here (one ``--map`` serves both files).

    Returns
    -------
    touchpoints : pandas.DataFrame
        Every column of :data:`trustnet.schema.TOUCHPOINT_COLUMNS` plus ``source_line``.
    report : LoadReport
        For several files, counts are summed and ``report.parts`` holds one report per file.

    Raises
    ------
    InputError
        Unreadable file, no customer column, or nothing that is a touchpoint (no score, event or type).

    Examples
    --------
    >>> tickets = pd.DataFrame({"Requester email": ["A@x.com"], "Status": ["Solved"],
    ...                         "Created at": ["2025-02-01 10:00"], "First reply time in minutes": ["90"]})
    >>> df, rep = load_touchpoints(tickets)
    >>> df.loc[0, ["customer", "event", "touchpoint"]].tolist(), float(df.loc[0, "response_days"])
    (['a@x.com', 'resolved', 'support ticket'], 0.0625)
    """
    settings = settings or Settings()
    sources: Sequence[Any]
    if isinstance(source_or_sources, (list, tuple)):
        sources = list(source_or_sources)
    else:
        sources = [source_or_sources]
    if not sources:
        raise InputError("no touchpoint files given; pass at least one file")
    tables, reports = [], []
    for src in sources:
        raw = read_table(src, delimiter=delimiter, encoding=encoding, sheet=sheet)
        df, rep = touchpoints_from_table(raw, settings=settings, mapping=mapping, dayfirst=dayfirst)
        tables.append(df)
        reports.append(rep)
    if len(reports) == 1:
        return tables[0], reports[0]
    out = pd.concat(tables, ignore_index=True)
    rejected = [r.rejected_rows.assign(file=r.source) for r in reports if len(r.rejected_rows)]
    dups = [r.duplicate_rows.assign(file=r.source) for r in reports if len(r.duplicate_rows)]
    report = LoadReport(
        source=", ".join(r.source for r in reports),
        kind="touchpoints",
        format=", ".join(sorted({str(r.format) for r in reports})),
        encoding=", ".join(sorted({str(r.encoding) for r in reports if r.encoding})) or None,
        mapping={k: v for r in reversed(reports) for k, v in r.mapping.items()},
        rows_read=sum(r.rows_read for r in reports),
        accepted=sum(r.accepted for r in reports),
        duplicates=sum(r.duplicates for r in reports),
        rejected=sum(r.rejected for r in reports),
        warnings=[f"{r.source}: {w}" for r in reports for w in r.warnings],
        date_forms={f"{r.source}: {k}": v for r in reports for k, v in r.date_forms.items()},
    )
    if rejected:
        report.rejected_rows = pd.concat(rejected, ignore_index=True)
    if dups:
        report.duplicate_rows = pd.concat(dups, ignore_index=True)
    report.parts = reports
    return out, report


def touchpoints_from_table(
    raw: RawTable,
    *,
    settings: Settings | None = None,
    mapping: Mapping[str, str] | Iterable[str] | None = None,
    dayfirst: bool | None = None,
) -> tuple[pd.DataFrame, LoadReport]:
    """Map, validate and account for one touchpoint table already read (see :func:`load_touchpoints`).

    Examples
    --------
    >>> raw = read_table(io.StringIO("customer,touchpoint,event\\nann,billing call,Complaint\\n"))
    >>> touchpoints_from_table(raw)[0].loc[0, "event"]
    'complaint'
    """
    settings = settings or Settings()
    if dayfirst is None:
        dayfirst = settings.load.dayfirst
    # one --map serves the referral file and the touchpoint files: keys that name referral columns
    # are skipped here, and so is a shared key (provider) whose header this file does not have
    keys = {normalise_header(h) for h in raw.headers}
    overrides = {k: v for k, v in parse_map_options(mapping).items()
                 if (k in _ALIASES or k not in REFERRAL_ALIASES)
                 and not (k in REFERRAL_ALIASES and v not in raw.headers and normalise_header(v) not in keys)}
    profiles = load_profiles(getattr(settings.load, "profiles_dir", None))
    profile = match_profile(raw.headers, profiles)
    if profile is not None and profile.kind != "touchpoints":
        profile = None
    raw, _ = prepare(raw, profile)
    name = raw.name
    colmap = resolve_mapping(raw.headers, _ALIASES, overrides=overrides, profile=profile, name=name,
                             patterns=_PATTERNS, descriptions=raw.info.get("descriptions"))
    if S.CUSTOMER not in colmap:
        ref = resolve_mapping(raw.headers, REFERRAL_ALIASES, name=name)
        if S.REFERRER in ref and S.REFERRED in ref:
            raise InputError(f"{name} looks like a referral export (columns {ref[S.REFERRER]!r} and "
                             f"{ref[S.REFERRED]!r}), not touchpoints; pass it as the referral file")
        raise unmappable_error(name, raw.headers, [S.CUSTOMER], TOUCHPOINT_ALIASES, _EXAMPLES, what="touchpoint")
    signals = {S.SCORE, S.EVENT, S.TOUCHPOINT, "solved_at", "ticket_id", S.RESPONSE_DAYS}
    if not (signals & set(colmap)) and not (profile is not None and profile.constants.get(S.TOUCHPOINT)):
        raise InputError(
            f"{name}: found a customer column ({colmap[S.CUSTOMER]!r}) but nothing that is a touchpoint: no score, "
            "event, touchpoint type or ticket column among " + ", ".join(repr(h) for h in raw.headers)
            + f"; pass --map score=COLUMN or --map event=COLUMN", problems=["no score, event or touchpoint column"])
    ledger = Ledger(raw, profile)
    frame = raw.frame
    n = len(frame)
    warnings: list[str] = []
    date_forms: dict[str, str] = {}

    def cells(canonical: str) -> pd.Series:
        if canonical in colmap:
            c = frame[colmap[canonical]]
            vmap = profile.values.get(canonical) if profile is not None else None
            if vmap:
                c = apply_value_map(c, dict(vmap))
            return c
        if profile is not None and canonical in profile.constants:
            return pd.Series([profile.constants[canonical]] * n, dtype="str")
        return pd.Series([""] * n, dtype="str")

    customer, w = parse_ids(cells(S.CUSTOMER))
    if w:
        warnings.append(w)
    ledger.reject((customer == "").to_numpy(), "missing customer")
    provider = cells(S.PROVIDER).str.strip()
    provider = parse_ids(provider.where(provider != "", settings.load.default_provider))[0]

    dates = {}
    for c in (S.AT, "solved_at"):
        if c in colmap:
            d = parse_dates(frame[colmap[c]], dayfirst=dayfirst, column=colmap[c], name=name)
            ledger.reject_cells(d.bad.to_numpy(), "unparseable date ", frame[colmap[c]], f" in {colmap[c]!r}")
            dates[c], date_forms[c] = d.values, d.form
        else:
            dates[c] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")

    # --- scores and their scale
    score_text = cells(S.SCORE)
    score, bad = parse_number(score_text)
    if S.SCORE in colmap:
        ledger.reject_cells(bad.to_numpy(), "unparseable score ", score_text, f" in {colmap[S.SCORE]!r}")
    scale_col = cells(S.SCALE).str.strip().str.lower()
    default_scale = infer_scale(score[ledger.open & score.notna().to_numpy()], colmap.get(S.SCORE, ""))
    known = scale_col.isin(list(S.SCALES))
    if ((scale_col != "") & ~known).any():
        odd = scale_col[(scale_col != "") & ~known].value_counts().head(3)
        warnings.append("unknown scale value(s) " + ", ".join(repr(v) for v in odd.index)
                        + f"; used {default_scale!r} (valid: {', '.join(S.SCALES)})")
    scale = scale_col.where(known, default_scale).where(score.notna(), None)
    lo = scale.map({k: v[0] for k, v in S.SCALES.items()}).astype(float)
    hi = scale.map({k: v[1] for k, v in S.SCALES.items()}).astype(float)
    outside = (score.notna() & ((score < lo) | (score > hi))).to_numpy()
    if outside.any():
        reason = pd.Series("", index=frame.index, dtype=object)
        reason[outside] = ("score outside the " + scale[outside].astype(str) + " scale "
                           + lo[outside].map("{:g}".format) + "-" + hi[outside].map("{:g}".format) + ": "
                           + score_text[outside].str.strip()).to_numpy()
        ledger.reject(outside, reason)

    # --- events, tickets
    ticket = bool({"ticket_id", "solved_at", "reopens"} & set(colmap)) or (
        S.EVENT in colmap and S.RESPONSE_DAYS in colmap) or (profile is not None and "ticket" in profile.name)
    if S.EVENT in colmap:
        event, _unknown = parse_event(cells(S.EVENT))
        event = event.where(event != "", None)
    elif "solved_at" in colmap:
        event = pd.Series(np.where(dates["solved_at"].notna(), "resolved", "unresolved"), dtype="str")
    else:
        event = pd.Series(pd.NA, index=frame.index, dtype="str")
    reopened = pd.Series(False, index=frame.index)
    if "reopens" in colmap:
        reopens, _ = parse_number(frame[colmap["reopens"]])
        reopened = reopens.fillna(0) > 0
    touchpoint = cells(S.TOUCHPOINT).str.strip()
    if ticket:
        default_tp = "support ticket"
    elif S.SCORE in colmap and default_scale == "nps":
        default_tp = "nps survey"
    elif S.SCORE in colmap:
        default_tp = f"{default_scale} rating" if default_scale in ("csat", "stars") else "rating"
    else:
        default_tp = ""
    if ticket and S.TOUCHPOINT in colmap:
        touchpoint = touchpoint.where(touchpoint == "", "support ticket: " + touchpoint.str.lower())
    touchpoint = touchpoint.where(touchpoint != "", default_tp)
    touchpoint = touchpoint.where(~reopened, touchpoint + " (reopened)")

    # --- response time in days
    response = pd.Series(np.nan, index=frame.index, dtype="float64")
    if S.RESPONSE_DAYS in colmap:
        header = colmap[S.RESPONSE_DAYS]
        response, bad = parse_number(frame[header])
        ledger.reject_cells(bad.to_numpy(), "unparseable response time ", frame[header], f" in {header!r}")
        unit = profile.units.get(S.RESPONSE_DAYS) if profile is not None else None
        key = normalise_header(header)
        if unit is None:
            unit = ("minutes" if "minute" in key or key.endswith("min") else "hours" if ("hour" in key or "hrs" in key)
                    else "seconds" if "second" in key else "days")
        response = response * _UNITS.get(unit, 1.0)
    elif "solved_at" in colmap and S.AT in colmap:
        response = (dates["solved_at"] - dates[S.AT]).dt.total_seconds() / 86400.0

    dimension = cells(S.DIMENSION).str.strip().str.lower()
    dim_known = dimension.isin(list(S.DIMENSIONS))
    if ((dimension != "") & ~dim_known).any():
        odd = dimension[(dimension != "") & ~dim_known].value_counts().head(3)
        warnings.append("dimension value(s) " + ", ".join(repr(v) for v in odd.index) + " are not people, process "
                        "or platform; left unknown (trust infers them from the touchpoint)")
    value = pd.Series(np.nan, index=frame.index, dtype="float64")
    if S.VALUE in colmap:
        value, bad = parse_money(frame[colmap[S.VALUE]])
        ledger.reject_cells(bad.to_numpy(), "unparseable amount ", frame[colmap[S.VALUE]])
    comment = cells(S.COMMENT).str.strip()

    ledger.merge_duplicates(frame)
    keep = ledger.open
    out = pd.DataFrame({
        S.CUSTOMER: customer.astype("str"),
        S.PROVIDER: provider.astype("str"),
        S.AT: dates[S.AT].astype("datetime64[ns]"),
        S.TOUCHPOINT: touchpoint.where(touchpoint != "", None).astype("str"),
        S.DIMENSION: dimension.where(dim_known, None).astype("str"),
        S.SCORE: score.astype("float64"),
        S.SCALE: scale.astype("str"),
        S.EVENT: event.astype("str").str.lower(),
        S.RESPONSE_DAYS: response.astype("float64"),
        S.VALUE: value.astype("float64"),
        S.COMMENT: comment.where(comment != "", None).astype("str"),
        S.SOURCE_LINE: raw.lines.astype("int64"),
    })[keep].reset_index(drop=True)
    public = {k: v for k, v in colmap.items()}
    report = ledger.report(kind="touchpoints", mapping=public, warnings=warnings, date_forms=date_forms,
                           profile=profile)
    return out, report
