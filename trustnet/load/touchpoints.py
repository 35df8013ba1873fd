"""Loading touchpoints: NPS/CSAT surveys, support tickets, ratings and events about a relationship.

>>> df, rep = load_touchpoints(io.StringIO("Email,NPS,Date\\nann@x.com,9,2025-01-05\\nbob@x.com,11,2025-01-06\\n"))
>>> df[["customer", "score", "scale", "touchpoint"]].values.tolist()
[['ann@x.com', 9.0, 'nps', 'nps survey']]
>>> rep.rejected_rows["reason"].tolist()
['score outside the nps scale 0-10: 11']
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api.types import union_categoricals

from .. import schema as S
from .._memory import release_memory
from ..aliases import REFERRAL_ALIASES, TICKET_ALIASES, TOUCHPOINT_ALIASES, normalise_header
from ..errors import InputError
from ..settings import Settings
from .mapping import parse_map_options, resolve_mapping, unmappable_error
from .profiles import load_profiles, match_profile
from .read import RawTable, read_table
from .report import LoadReport
from .rows import Ledger, prepare
from .values import (
    Coded,
    _series,
    apply_value_map,
    drop_unused,
    encode,
    ids_coded,
    parse_dates,
    parse_event,
    parse_money,
    parse_number,
    providers_coded,
)

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
        raw = read_table(src, delimiter=delimiter, encoding=encoding, sheet=sheet, compact=True)
        df, rep = touchpoints_from_table(raw, settings=settings, mapping=mapping, dayfirst=dayfirst)
        tables.append(df)
        reports.append(rep)
    if len(reports) == 1:
        return tables[0], reports[0]
    out = _stack(tables)
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
            return _constant(str(profile.constants[canonical]), n)
        return _constant("", n)

    def given(canonical: str) -> bool:
        return canonical in colmap or (profile is not None and canonical in profile.constants)

    # Columns of few distinct values (provider, touchpoint, scale, event, dimension...) are parsed
    # once per distinct value (Coded) and come out as categoricals.
    # the customer ids (millions of distinct texts hashed, in Arrow without the GIL), then the codes of the
    # few-valued columns, in a second thread beside the provider, the dates and the scores; nothing there
    # touches the ledger: the rows are rejected below in the same order as ever
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trustnet-codes")
    ids = pool.submit(ids_coded, cells(S.CUSTOMER))
    few = [S.SCALE, *[S.EVENT] * (S.EVENT in colmap), S.TOUCHPOINT, S.DIMENSION, *[S.COMMENT] * given(S.COMMENT)]
    coded = {c: pool.submit(encode, cells(c)) for c in few}
    pool.shutdown(wait=False)  # nothing more to queue: the thread ends when these are done
    prov, provider = providers_coded(cells(S.PROVIDER), settings.load.default_provider)
    parsed = {c: parse_dates(frame[colmap[c]], dayfirst=dayfirst, column=colmap[c], name=name)
              for c in (S.AT, "solved_at") if c in colmap}
    customer, w, customer_codes = ids.result()
    if w:
        warnings.append(w)
    ledger.reject((customer == "").to_numpy(), "missing customer")

    dates = {}
    for c in (S.AT, "solved_at"):
        if c in parsed:
            d = parsed[c]
            ledger.reject_cells(d.bad.to_numpy(), "unparseable date ", frame[colmap[c]], f" in {colmap[c]!r}")
            dates[c], date_forms[c] = d.values, d.form
        else:
            dates[c] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")

    # --- scores and their scale
    score_text = cells(S.SCORE)
    score_s, bad = parse_number(score_text)
    score = score_s.to_numpy(dtype="float64")
    if S.SCORE in colmap:
        ledger.reject_cells(bad.to_numpy(), "unparseable score ", score_text, f" in {colmap[S.SCORE]!r}")
    scored = ~np.isnan(score)
    default_scale = infer_scale(score_s[ledger.open & scored], colmap.get(S.SCORE, ""))
    sc = coded[S.SCALE].result()
    sv = sc.values.str.strip().str.lower()
    known = sv.isin(list(S.SCALES)).to_numpy()
    odd_u = (sv != "").to_numpy() & ~known
    if odd_u.any():
        odd = _rows_of(sc, sv, odd_u).value_counts().head(3)
        warnings.append("unknown scale value(s) " + ", ".join(repr(v) for v in odd.index)
                        + f"; used {default_scale!r} (valid: {', '.join(S.SCALES)})")
    scale_names = list(S.SCALES)
    scale_codes = pd.Index(scale_names).get_indexer(pd.Index(sv.where(known, default_scale)))[sc.codes]
    scale_codes[~scored] = -1
    scale = pd.Categorical.from_codes(scale_codes.astype(np.int8), categories=pd.Index(scale_names, dtype="str"))
    lo = np.array([S.SCALES[k][0] for k in scale_names] + [np.nan], dtype=float)[scale_codes]
    hi = np.array([S.SCALES[k][1] for k in scale_names] + [np.nan], dtype=float)[scale_codes]
    outside = scored & ((score < lo) | (score > hi))
    if outside.any():
        reason = pd.Series("", index=frame.index, dtype=object)
        reason[outside] = ("score outside the " + pd.Series(np.asarray(scale_names)[scale_codes[outside]])
                           + " scale " + pd.Series(lo[outside]).map("{:g}".format) + "-"
                           + pd.Series(hi[outside]).map("{:g}".format) + ": "
                           + score_text[outside].str.strip().to_numpy()).to_numpy()
        ledger.reject(outside, reason)

    # --- events, tickets
    ticket = bool({"ticket_id", "solved_at", "reopens"} & set(colmap)) or (
        S.EVENT in colmap and S.RESPONSE_DAYS in colmap) or (profile is not None and "ticket" in profile.name)
    if S.EVENT in colmap:
        ev = coded[S.EVENT].result()
        ev_values, _unknown = parse_event(ev.values)
        event = ev.categorical(ev_values.where(ev_values != "", None).astype("str").str.lower())
    elif "solved_at" in colmap:
        event = pd.Categorical.from_codes(dates["solved_at"].isna().to_numpy().astype(np.int8),
                                          categories=pd.Index(["resolved", "unresolved"], dtype="str"))
    else:
        event = _missing(n)
    reopened = np.zeros(n, dtype=bool)
    if "reopens" in colmap:
        reopens, _ = parse_number(frame[colmap["reopens"]])
        reopened = (reopens.fillna(0) > 0).to_numpy()
    tp = coded[S.TOUCHPOINT].result()
    tv = tp.values.str.strip()
    if ticket:
        default_tp = "support ticket"
    elif S.SCORE in colmap and default_scale == "nps":
        default_tp = "nps survey"
    elif S.SCORE in colmap:
        default_tp = f"{default_scale} rating" if default_scale in ("csat", "stars") else "rating"
    else:
        default_tp = ""
    if ticket and S.TOUCHPOINT in colmap:
        tv = tv.where(tv == "", "support ticket: " + tv.str.lower())
    tv = tv.where(tv != "", default_tp)
    if reopened.any():  # the distinct (name, reopened) pairs
        pair, pairs = pd.factorize(tp.codes.astype(np.int64) * 2 + reopened)
        base = tv.to_numpy(dtype=object)[pairs // 2]
        tv = pd.Series(np.where(pairs % 2 == 1, base + " (reopened)", base), dtype="str")
        tp = Coded(pair.astype(np.int32), tv)
    touchpoint = tp.categorical(tv.where(tv != "", None))

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

    dc = coded[S.DIMENSION].result()
    dv = dc.values.str.strip().str.lower()
    dim_known = dv.isin(list(S.DIMENSIONS)).to_numpy()
    odd_u = (dv != "").to_numpy() & ~dim_known
    if odd_u.any():
        odd = _rows_of(dc, dv, odd_u).value_counts().head(3)
        warnings.append("dimension value(s) " + ", ".join(repr(v) for v in odd.index) + " are not people, process "
                        "or platform; left unknown (trust infers them from the touchpoint)")
    dimension = pd.Categorical.from_codes(pd.Index(list(S.DIMENSIONS)).get_indexer(pd.Index(dv))[dc.codes].astype(np.int8),
                                          categories=pd.Index(list(S.DIMENSIONS), dtype="str"))
    value = pd.Series(np.nan, index=frame.index, dtype="float64")
    if S.VALUE in colmap:
        value, bad = parse_money(frame[colmap[S.VALUE]])
        ledger.reject_cells(bad.to_numpy(), "unparseable amount ", frame[colmap[S.VALUE]])
    if given(S.COMMENT):
        cm = coded[S.COMMENT].result()
        cv = cm.values.str.strip()
        comment = cm.categorical(cv.where(cv != "", None))
    else:
        comment = _missing(n)

    # exact duplicates: the same cells in every column; rows are first keyed on the codes and values above
    at = dates[S.AT].to_numpy()
    release_memory()  # Arrow's scratch memory from the parsing, before the row keys
    ledger.merge_duplicates(frame, prekey=[customer_codes.codes, prov.codes, at, tp.codes, score, sc.codes,
                                           event.codes, response.to_numpy(dtype="float64"),
                                           value.to_numpy(dtype="float64"), dc.codes])
    keep = ledger.open
    out = pd.DataFrame({
        S.CUSTOMER: customer_codes.categorical(customer_codes.values),  # ids hashed once, here: the graph reuses the codes
        S.PROVIDER: provider,
        S.AT: dates[S.AT].astype("datetime64[ns]"),
        S.TOUCHPOINT: touchpoint,
        S.DIMENSION: dimension,
        S.SCORE: score,
        S.SCALE: scale,
        S.EVENT: event,
        S.RESPONSE_DAYS: response.astype("float64"),
        S.VALUE: value.astype("float64"),
        S.COMMENT: comment,
        S.SOURCE_LINE: raw.lines.astype("int64"),
    }, index=frame.index, copy=False)  # the new columns as they are: no second copy of a table of millions
    if not keep.all():
        out = out[keep]
        for c in (S.CUSTOMER, S.PROVIDER):
            out[c] = drop_unused(out[c])
    out = out.reset_index(drop=True)
    public = {k: v for k, v in colmap.items()}
    report = ledger.report(kind="touchpoints", mapping=public, warnings=warnings, date_forms=date_forms,
                           profile=profile)
    return out, report


def _stack(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Touchpoint tables one under the other, categorical columns kept categorical (categories merged, sorted)."""
    out = pd.concat(tables, ignore_index=True)
    for col in tables[0].columns:
        if isinstance(tables[0][col].dtype, pd.CategoricalDtype) and not isinstance(out[col].dtype,
                                                                                   pd.CategoricalDtype):
            out[col] = union_categoricals([t[col] for t in tables], sort_categories=True)
    return out


def _constant(value: str, n: int) -> pd.Series:
    """``n`` cells holding ``value`` (built in Arrow, no Python list)."""
    return _series(pa.array([value]).take(pa.array(np.zeros(n, dtype=np.int32))), pd.RangeIndex(n))


def _missing(n: int) -> pd.Categorical:
    """An all-NA categorical text column."""
    return pd.Categorical.from_codes(np.full(n, -1, dtype=np.int8), categories=pd.Index([], dtype="str"))


def _rows_of(coded: Coded, values: pd.Series, per_value: np.ndarray) -> pd.Series:
    """The rows' values (in row order) where ``per_value`` holds, for counting them."""
    rows = coded.codes[coded.mask(per_value)]
    return pd.Series(values.to_numpy(dtype=object)[rows], dtype="str")
