"""Loading referral exports (one row per referral) and participant files (one row per person).

>>> df, rep = load_referrals(io.StringIO(
...     "Referrer Email,Friend Email,Referral Date,Order Total\\n"
...     "Ann@x.com,bob@y.com,2025-03-01,$10.00\\n"
...     "ann@x.com,,2025-03-02,\\n"))
>>> df[["referrer", "referred", "revenue"]].values.tolist()
[['ann@x.com', 'bob@y.com', 10.0]]
>>> rep.rows_read, rep.accepted, rep.rejected, rep.rejected_rows["reason"].tolist()
(2, 1, 1, ['missing referred'])
"""

from __future__ import annotations

import io
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from .. import schema as S
from ..aliases import (
    PARTICIPANT_ALIASES,
    REFERRAL_ALIASES,
    REFERRAL_EXTRA_ALIASES,
    REFERRAL_RATING_COLUMNS,
    TOUCHPOINT_ALIASES,
    normalise_header,
)
from ..errors import InputError
from ..settings import Settings
from .mapping import aggregate_headers, parse_map_options, resolve_mapping, unmappable_error
from .profiles import Profile, load_profiles, match_profile
from .read import RawTable, read_table
from .report import LoadReport
from .rows import Ledger, prepare, quoted
from .touchpoints import infer_scale
from .values import (
    apply_value_map,
    drop_unused,
    encode,
    ids_coded,
    parse_dates,
    parse_flag,
    parse_ids,
    parse_money,
    parse_number,
    parse_status,
    providers_coded,
)

__all__ = ["load_referrals", "referrals_from_table"]

_EXAMPLES = {
    S.REFERRER: ["Referrer Email", "Advocate Email", "Referred By", "Referring Customer"],
    S.REFERRED: ["Friend Email", "Referred Email", "Customer Email", "Email"],
}
_GENERIC_REFERRED = {normalise_header(h) for h in ("email", "email address", "customer", "customer id",
                                                   "customer email", "contact email", "id", "user id")}


def load_referrals(
    source: Any,
    *,
    settings: Settings | None = None,
    mapping: Mapping[str, str] | Iterable[str] | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    dayfirst: bool | None = None,
    kind: str | None = None,
) -> tuple[pd.DataFrame, LoadReport]:
    """Read a referral export into the canonical referrals table and a :class:`LoadReport`.

    The format, encoding, delimiter, header names and date forms are detected
    (see :func:`trustnet.load.read_table`); known vendor layouts are matched by
    their signature columns (``trustnet/profiles/*.toml``). Participant files
    (one row per person naming who referred them: Viral Loops, GrowSurf, Mention
    Me, a CRM's "Referred By" field) are recognised and turned into referrals,
    the referrer resolved by id or e-mail.

    A referral export that also carries rating columns (``NPS``, ``People Score``,
    ``Process Score``, ``Platform Score``, ``CSAT``...) yields canonical touchpoints
    too, on ``report.touchpoints`` (customer = the referred person, ``at`` = the
    conversion or referral date); pass them to the graph with the other touchpoints.

    Parameters
    ----------
    source : str, pathlib.Path, file object or pandas.DataFrame
        A path, ``"-"`` for standard input, an open file, or an already-read table.
    settings : Settings, optional
        ``settings.load`` gives ``default_provider``, ``dayfirst`` and ``profiles_dir``.
    mapping : mapping or list of "canonical=Header", optional
        Overrides of the header mapping, e.g. ``{"referrer": "Referred By"}``.
    delimiter, encoding, sheet : optional
        Override the detected delimiter, text encoding or ``.xlsx`` sheet.
    dayfirst : bool, optional
        Read ambiguous dates (03/04/2025) day first (True) or month first (False).
    kind : {"referrals", "participants"}, optional
        Force the row shape instead of detecting it.

    Returns
    -------
    referrals : pandas.DataFrame
        Every column of :data:`trustnet.schema.REFERRAL_COLUMNS` plus ``source_line``,
        one row per accepted referral (see CONTRIBUTING.md, "Data contracts").
    report : LoadReport
        Mapping, reconciliation (``rows_read == accepted + duplicates + rejected``),
        rejected rows with reasons, warnings.

    Raises
    ------
    InputError
        Missing, empty, binary or unreadable file; no referrer/referred column
        (the message lists the headers found and the ``--map`` fix); an aggregate
        report; dates that are ambiguous without ``dayfirst``.

    Examples
    --------
    >>> df, rep = load_referrals(pd.DataFrame({"Advocate": ["007", "7"], "Friend": ["a", "a"]}))
    >>> df["referrer"].tolist(), str(df["referred_at"].dtype), rep.mapping
    (['007', '7'], 'datetime64[ns]', {'referrer': 'Advocate', 'referred': 'Friend'})
    """
    settings = settings or Settings()
    raw = read_table(source, delimiter=delimiter, encoding=encoding, sheet=sheet)
    return referrals_from_table(raw, settings=settings, mapping=mapping, dayfirst=dayfirst, kind=kind)


def _choose_shape(raw: RawTable, profile: Profile | None, overrides: dict[str, str],
                  kind: str | None) -> tuple[str, dict[str, str]]:
    """Decide referrals vs participants; return (kind, mapping)."""
    ref_aliases = {**REFERRAL_ALIASES, **REFERRAL_EXTRA_ALIASES}
    ref_profile = profile if profile is not None and profile.kind == "referrals" else None
    part_profile = profile if profile is not None and profile.kind == "participants" else None
    if kind == "participants" or part_profile is not None or (kind is None and not overrides and ref_profile is None):
        pm = resolve_mapping(raw.headers, PARTICIPANT_ALIASES, overrides=overrides if kind == "participants" else None,
                             profile=part_profile, name=raw.name)
        if kind == "participants" or part_profile is not None:
            if "referred_by" not in pm or not ({"id", "email"} & set(pm)):
                missing = [c for c in ("referred_by", "email") if c not in pm]
                raise unmappable_error(raw.name, raw.headers, missing, PARTICIPANT_ALIASES,
                                       {"referred_by": ["referrerId", "referredBy", "Referred By"],
                                        "email": ["email", "Customer Email"]}, what="participant")
            return "participants", pm
        rm = resolve_mapping(raw.headers, ref_aliases, profile=ref_profile, name=raw.name)
        referred_header = rm.get(S.REFERRED)
        generic = referred_header is None or normalise_header(referred_header) in _GENERIC_REFERRED
        if ("referred_by" in pm and ({"id", "email"} & set(pm)) and generic
                and normalise_header(pm["referred_by"]) not in {normalise_header(h) for h in ("referrer", "advocate")}):
            return "participants", pm
        return "referrals", rm
    return "referrals", resolve_mapping(raw.headers, ref_aliases, overrides=overrides, profile=ref_profile,
                                        name=raw.name)


def referrals_from_table(
    raw: RawTable,
    *,
    settings: Settings | None = None,
    mapping: Mapping[str, str] | Iterable[str] | None = None,
    dayfirst: bool | None = None,
    kind: str | None = None,
) -> tuple[pd.DataFrame, LoadReport]:
    """Map, validate and account for a :class:`RawTable` already read (see :func:`load_referrals`).

    Examples
    --------
    >>> raw = read_table(io.StringIO("id,email,referrerId\\n1,a@x.com,\\n2,b@x.com,1\\n"))
    >>> df, rep = referrals_from_table(raw)
    >>> rep.kind, df[["referrer", "referred"]].values.tolist(), rep.rejected_rows["reason"].str[:25].tolist()
    ('participants', [['a@x.com', 'b@x.com']], ['joined without a referrer'])
    """
    settings = settings or Settings()
    if dayfirst is None:
        dayfirst = settings.load.dayfirst
    if kind not in (None, "referrals", "participants"):
        raise InputError(f"kind {kind!r} cannot be loaded as referrals; use referrals or participants")
    overrides = {k: v for k, v in parse_map_options(mapping).items()
                 if k in REFERRAL_ALIASES or k in PARTICIPANT_ALIASES or k not in TOUCHPOINT_ALIASES}
    profiles = load_profiles(getattr(settings.load, "profiles_dir", None))
    profile = match_profile(raw.headers, profiles)
    foreign = profile is not None and profile.kind in ("touchpoints", "ratings")
    raw, _ = prepare(raw, None if foreign else profile)
    use_profile = None if foreign else profile
    shape, colmap = _choose_shape(raw, use_profile, overrides, kind)
    if use_profile is not None and use_profile.continuation_key:  # the order number is no person's name
        key = normalise_header(use_profile.continuation_key)
        colmap = {c: h for c, h in colmap.items() if normalise_header(h) != key or c in overrides}
    name = raw.name
    if shape == "referrals":
        missing = [c for c in S.REFERRAL_REQUIRED if c not in colmap]
        if missing:
            agg = aggregate_headers(raw.headers)
            if agg and len(missing) == 2 or (agg and S.REFERRED in missing):
                raise InputError(
                    f"{name} looks like an aggregate report (columns {', '.join(repr(a) for a in agg[:4])}): it "
                    "holds totals per advocate or per period, not one row per referral, so there is no network to "
                    "build; export the referral-level data (one row per referral, naming referrer and referred)",
                    problems=["aggregate report"])
            if foreign and profile is not None:
                raise InputError(f"{name} looks like a {profile.vendor} {profile.kind} export, not referrals; "
                                 f"pass it with --touchpoints (or load it with load_touchpoints)")
            raise unmappable_error(name, raw.headers, missing, REFERRAL_ALIASES, _EXAMPLES)
    ledger = Ledger(raw, use_profile)
    frame = raw.frame
    warnings: list[str] = []
    date_forms: dict[str, str] = {}
    n = len(frame)

    def cells(header: str | None) -> pd.Series:
        if header is None:
            return pd.Series([""] * n, dtype="str")
        return frame[header]

    def mapped(canonical: str) -> pd.Series:
        if canonical in colmap:
            col = cells(colmap[canonical])
            vmap = use_profile.values.get(canonical) if use_profile is not None else None
            if vmap and canonical not in (S.STATUS,):
                col = apply_value_map(col, dict(vmap))
            return col
        if use_profile is not None and canonical in use_profile.constants:
            return pd.Series([use_profile.constants[canonical]] * n, dtype="str")
        return cells(None)

    # --- continuation rows (Shopify): later rows of one order merged into the first
    if use_profile is not None and use_profile.continuation_key:
        key_header = resolve_mapping(raw.headers, {"key": (normalise_header(use_profile.continuation_key),)},
                                     name=name).get("key")
        if key_header is not None:
            order = frame[key_header].str.strip()
            cont = ((order == order.shift()) & (order != "")).to_numpy()
            run = np.cumsum(~cont) - 1
            starts = raw.lines[np.flatnonzero(~cont)]
            kept = starts[run]
            reason = pd.Series("", index=order.index, dtype=object)
            reason[cont] = ("continuation row of " + quoted(order[cont]) + " merged into line "
                            + pd.Series(kept[cont], index=order.index[cont]).astype(str)).to_numpy()
            ledger.merge(cont, kept, reason)

    # --- identities
    if shape == "participants":
        pid, w1 = parse_ids(cells(colmap.get("id")))
        email, w2 = parse_ids(cells(colmap.get("email")))
        who = email.where(email != "", pid)
        ref_raw, w3 = parse_ids(cells(colmap.get("referred_by")))
        lookup = pd.Series(who.to_numpy(), index=pid.to_numpy())
        lookup = lookup[(lookup.index != "") & ~lookup.index.duplicated()]
        by_id = ref_raw.map(lookup)
        referrer = by_id.where(by_id.notna(), ref_raw).astype(str)
        referrer_codes = encode(referrer)
        referred = who
        ledger.reject((referred == "").to_numpy(), "no id or e-mail for this participant")
        ledger.reject((ref_raw == "").to_numpy(), "joined without a referrer (a participant, not a referral)")
        resolved = int(by_id.notna().sum())
        unresolved = int(((ref_raw != "") & by_id.isna()).sum())
        if "id" in colmap and unresolved and resolved:
            warnings.append(f"{unresolved} referrer(s) named in {colmap['referred_by']!r} are not among the "
                            f"participants' ids; kept as given")
        id_warnings = [w for w in (w1, w2, w3) if w]
        out_map = {S.REFERRER: colmap["referred_by"], S.REFERRED: colmap.get("email", colmap.get("id", ""))}
        extra = {S.REFERRED_AT: colmap.get("joined_at"), S.STATUS: colmap.get("status"),
                 S.REVENUE: colmap.get("revenue"), S.REFERRED_NAME: colmap.get("name")}
        colmap_full = {**{k: v for k, v in extra.items() if v}, **out_map}
        if "email" in colmap:
            colmap_full[S.REFERRED_EMAIL] = colmap["email"]
        # the other referral columns (provider, channel, conversion date...) by the referral aliases
        taken = set(colmap.values())
        rest = resolve_mapping([h for h in raw.headers if h not in taken], REFERRAL_ALIASES, name=name)
        for canonical, header in rest.items():
            if canonical not in (S.REFERRER, S.REFERRED, S.REFERRER_EMAIL, S.REFERRED_EMAIL):
                colmap_full.setdefault(canonical, header)
    else:
        referrer, w1, referrer_codes = ids_coded(mapped(S.REFERRER))
        referred, w2 = parse_ids(mapped(S.REFERRED))
        ledger.reject((referrer == "").to_numpy(), "missing referrer")
        ledger.reject((referred == "").to_numpy(), "missing referred")
        id_warnings = [w for w in (w1, w2) if w]
        colmap_full = dict(colmap)
    for w in id_warnings:
        warnings.append(w)
    colmap_full = {k: v for k, v in colmap_full.items() if v}

    def col(canonical: str) -> pd.Series:
        if canonical in colmap_full:
            c = cells(colmap_full[canonical])
            vmap = use_profile.values.get(canonical) if use_profile is not None else None
            if vmap and canonical != S.STATUS:
                c = apply_value_map(c, dict(vmap))
            return c
        if use_profile is not None and canonical in use_profile.constants:
            return pd.Series([use_profile.constants[canonical]] * n, dtype="str")
        return cells(None)

    # --- self-referrals
    self_ref = (referrer == referred) & (referrer != "")
    ledger.reject_cells(self_ref.to_numpy(), "self-referral: referrer and referred are the same (", referrer, ")")
    emails = {}
    for c, same in ((S.REFERRER_EMAIL, S.REFERRER), (S.REFERRED_EMAIL, S.REFERRED)):
        if shape == "referrals" and c in colmap_full and colmap_full[c] == colmap_full.get(same):
            emails[c] = referrer if same == S.REFERRER else referred
        elif c in colmap_full:
            emails[c] = parse_ids(col(c))[0]
        else:
            emails[c] = pd.Series("", index=frame.index, dtype="str")
    same_mail = (emails[S.REFERRER_EMAIL] == emails[S.REFERRED_EMAIL]) & (emails[S.REFERRER_EMAIL] != "")
    ledger.reject_cells(same_mail.to_numpy(), "self-referral: same e-mail ", emails[S.REFERRER_EMAIL])
    if "self_referred" in colmap_full:
        flag = parse_flag(cells(colmap_full["self_referred"]))
        ledger.reject(flag.to_numpy(), f"self-referral (flagged in {colmap_full['self_referred']!r})")

    # --- dates
    dates = {}
    for c in (S.REFERRED_AT, S.CONVERTED_AT):
        if c in colmap_full:
            header = colmap_full[c]
            d = parse_dates(cells(header), dayfirst=dayfirst, column=header, name=name)
            ledger.reject_cells(d.bad.to_numpy(), "unparseable date ", cells(header), f" in {header!r}")
            dates[c] = d.values
            date_forms[c] = d.form
            if d.warning:
                warnings.append(d.warning)
        else:
            dates[c] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")

    # --- money
    if S.REVENUE in colmap_full:
        header = colmap_full[S.REVENUE]
        revenue, bad = parse_money(cells(header))
        ledger.reject_cells(bad.to_numpy(), "unparseable amount ", cells(header), f" in {header!r}")
    else:
        revenue = pd.Series(np.nan, index=frame.index, dtype="float64")

    # --- status
    if S.STATUS in colmap_full:
        vmap = dict(use_profile.values.get(S.STATUS, {})) if use_profile is not None else None
        status, unknown = parse_status(cells(colmap_full[S.STATUS]), vmap)
        if unknown.any():
            top = cells(colmap_full[S.STATUS])[unknown].str.strip().value_counts().head(5)
            warnings.append(f"{int(unknown.sum())} status value(s) in {colmap_full[S.STATUS]!r} not recognised, "
                            "left unknown: " + ", ".join(f"{v!r} ({c})" for v, c in top.items())
                            + "; add them to a profile's [values.status]")
    else:
        status = pd.Series(pd.NA, index=frame.index, dtype="str")

    provider = providers_coded(col(S.PROVIDER), settings.load.default_provider)[1]

    def text(canonical: str, fold_email: bool = False) -> pd.Series:
        if canonical not in colmap_full and not (use_profile is not None and canonical in use_profile.constants):
            return pd.Series(np.nan, index=frame.index, dtype="str")
        c = col(canonical).str.strip()
        if fold_email:
            c = parse_ids(c)[0]
        return c.where(c != "", None).astype("str")

    out = pd.DataFrame({
        # referrers and providers repeat (at a million customers, 240k referrers and 12k providers in 974k rows):
        # categories, their ids hashed once, here, and the graph hashes the categories, not the rows
        S.REFERRER: referrer_codes.categorical(referrer_codes.values),
        S.REFERRED: referred.astype("str"),
        S.PROVIDER: provider,
        S.REFERRED_AT: dates[S.REFERRED_AT],
        S.STATUS: status.astype("str"),
        S.REVENUE: revenue.astype("float64"),
        S.CHANNEL: text(S.CHANNEL),
        S.CONVERTED_AT: dates[S.CONVERTED_AT],
        S.REFERRER_EMAIL: emails[S.REFERRER_EMAIL].where(emails[S.REFERRER_EMAIL] != "", None).astype("str"),
        S.REFERRED_EMAIL: emails[S.REFERRED_EMAIL].where(emails[S.REFERRED_EMAIL] != "", None).astype("str"),
        S.REFERRER_NAME: text(S.REFERRER_NAME),
        S.REFERRED_NAME: text(S.REFERRED_NAME),
        S.FINGERPRINT: text(S.FINGERPRINT),
        S.SOURCE_LINE: raw.lines.astype("int64"),
    })
    # --- exact duplicates: same referrer and referred (after trimming and e-mail case-folding) and
    # the same cells in every other column
    used = {colmap_full.get(S.REFERRER), colmap_full.get(S.REFERRED)}
    ledger.merge_duplicates([referrer, referred] + [frame[h] for h in raw.headers if h not in used])
    keep = ledger.open
    touch = _rating_touchpoints(raw, out, colmap_full, keep)
    out = out[keep].reset_index(drop=True)
    for c in (S.REFERRER, S.PROVIDER):
        out[c] = drop_unused(out[c])
    public_map = {k: v for k, v in colmap_full.items() if k in S.REFERRAL_COLUMNS or k == "self_referred"}
    report = ledger.report(kind=shape, mapping=public_map, warnings=warnings, date_forms=date_forms,
                           profile=use_profile)
    if touch is not None:
        report.touchpoints = touch[0]
        report.warnings.extend(touch[1])
    if not n and not raw.bad_rows:
        report.warnings.append("the file has a header but no data rows: an empty, usable table")
    if n and not report.accepted:
        report.warnings.append("no row was accepted: check the mapping and the rejected rows' reasons")
    return out, report


def _rating_touchpoints(raw: RawTable, ref: pd.DataFrame, colmap: dict[str, str],
                        keep: np.ndarray) -> tuple[pd.DataFrame, list[str]] | None:
    """Canonical touchpoints from rating columns inside a referral export."""
    used = set(colmap.values())
    found = [(h, REFERRAL_RATING_COLUMNS[normalise_header(h)]) for h in raw.headers
             if h not in used and normalise_header(h) in REFERRAL_RATING_COLUMNS]
    if not found:
        return None
    parts = []
    notes = []
    at = ref[S.CONVERTED_AT].fillna(ref[S.REFERRED_AT])
    for header, (touchpoint, dimension, scale) in found:
        score, bad = parse_number(raw.frame[header])
        ok = keep & score.notna().to_numpy()
        if (bad.to_numpy() & keep).any():
            notes.append(f"{int((bad.to_numpy() & keep).sum())} value(s) in rating column {header!r} are not "
                         "numbers and were left out of the touchpoints")
        sc = scale or infer_scale(score[ok], header)
        lo, hi = S.SCALES.get(sc, (-np.inf, np.inf))
        outside = ok & ((score < lo) | (score > hi)).to_numpy()
        if outside.any():
            notes.append(f"{int(outside.sum())} value(s) in rating column {header!r} lie outside the {sc} "
                         f"scale {lo:g}-{hi:g} and were left out of the touchpoints")
            ok &= ~outside
        parts.append(pd.DataFrame({
            S.CUSTOMER: ref[S.REFERRED][ok].astype("str"),
            S.PROVIDER: ref[S.PROVIDER][ok].astype("str"),
            S.AT: at[ok].astype("datetime64[ns]"),
            S.TOUCHPOINT: pd.Series(touchpoint, index=ref.index)[ok].astype("str"),
            S.DIMENSION: pd.Series(dimension, index=ref.index, dtype="str")[ok],
            S.SCORE: score[ok].astype("float64"),
            S.SCALE: pd.Series(sc, index=ref.index, dtype="str")[ok],
            S.EVENT: pd.Series(pd.NA, index=ref.index, dtype="str")[ok],
            S.RESPONSE_DAYS: pd.Series(np.nan, index=ref.index)[ok],
            S.VALUE: pd.Series(np.nan, index=ref.index)[ok],
            S.COMMENT: pd.Series(pd.NA, index=ref.index, dtype="str")[ok],
            S.SOURCE_LINE: ref[S.SOURCE_LINE][ok],
        }))
    touch = pd.concat(parts, ignore_index=True).sort_values([S.SOURCE_LINE], kind="stable").reset_index(drop=True)
    notes.insert(0, f"rating column(s) {', '.join(repr(h) for h, _ in found)} give {len(touch)} touchpoint(s), "
                    "on report.touchpoints")
    return touch, notes
