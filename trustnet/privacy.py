"""Pseudonymisation for ``--anonymise``: every identifier becomes a keyed pseudonym before any stage runs.

Replacing identifiers in the *input* tables, rather than in each output,
guarantees that no table, figure, explanation, graph file or page can carry
one: the stages never see a real identifier. Pseudonyms are keyed hashes
(HMAC-SHA-256): a plain hash of an e-mail address can be reversed by hashing
guessed addresses, a keyed one cannot without the key. The key comes from
``settings.report.anonymise_key`` or the ``TRUSTNET_ANONYMISE_KEY`` environment
variable; without one, a random key is made for the run, so pseudonyms are
stable within a report but differ between runs. The key is never written out.

E-mail, name and fingerprint columns are replaced by keyed hashes of their
normalised form, so "same e-mail" checks still work; free-text comments and
IP-like fingerprints are removed.

>>> import pandas as pd
>>> refs = pd.DataFrame({"referrer": ["ann@x.com"], "referred": ["bob"], "provider": ["Tiles"]})
>>> anon, _ = pseudonymise(refs, None, key=b"k")
>>> anon.iloc[0].tolist()
['person-b24ca0aac3', 'person-73662dcee4', 'provider-959e9dfc']
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import os
import re
from typing import Any

import numpy as np
import pandas as pd

from . import schema as S

__all__ = ["pseudonymise", "anonymise_key", "scrub_load_report", "identifying_columns", "KEY_ENV"]

KEY_ENV = "TRUSTNET_ANONYMISE_KEY"

_ID_COLUMNS = (S.REFERRER, S.REFERRED, S.CUSTOMER)
_HASHED_COLUMNS = (S.REFERRER_EMAIL, S.REFERRED_EMAIL, S.REFERRER_NAME, S.REFERRED_NAME, S.FINGERPRINT)
_EMAIL_COLUMNS = (S.REFERRER_EMAIL, S.REFERRED_EMAIL)
_DROPPED_COLUMNS = (S.COMMENT,)


def anonymise_key(configured: str | None = None) -> tuple[bytes, bool]:
    """The pseudonym key and whether it is stable (configured) or random for this run.

    >>> anonymise_key("secret")
    (b'secret', True)
    """
    key = configured or os.environ.get(KEY_ENV)
    if key:
        return key.encode("utf-8"), True
    return os.urandom(32), False


def _digest(values: np.ndarray, key: bytes, length: int) -> np.ndarray:
    return np.array(
        [hmac.new(key, str(v).encode("utf-8"), hashlib.sha256).hexdigest()[:length] for v in values], dtype=object
    )


def _map_column(col: pd.Series, mapping: pd.Series) -> pd.Series:
    codes = mapping.index.get_indexer(pd.Index(col.astype("str")))
    out = pd.Series(mapping.to_numpy()[codes], index=col.index, dtype="str")
    return out.where(col.notna())


def _hash_column(col: pd.Series, key: bytes, *, email: bool) -> pd.Series:
    """Keyed hashes of a column's normalised values; e-mails keep the shape fraud checks compare.

    An e-mail becomes ``<name>+<mailbox>@<domain>.invalid`` where each part is a
    keyed hash of the address's mailbox name, full mailbox and domain (see
    :func:`trustnet.fraud.canonical_email`): aliases of one mailbox (dots, +tags)
    get the same pseudonym, and the same mailbox name on two domains still
    matches by name. Anything else becomes ``h-<hash>``.
    """
    norm = col.astype("str").str.strip().str.lower()
    out = pd.Series(pd.NA, index=col.index, dtype="str")
    rest = norm.notna()
    if email:
        from .fraud import canonical_email  # the one definition of "the same mailbox"

        forms = canonical_email(norm)
        is_mail = forms["mailbox"].notna().to_numpy()
        if is_mail.any():
            mailbox = forms["mailbox"][is_mail].astype("str")
            domain = mailbox.str.split("@").str[-1]
            parts = [forms["name"][is_mail].astype("str"), mailbox, domain]
            hashed = [_hash_values(p, key, 8) for p in parts]
            out[is_mail] = hashed[0] + "+" + hashed[1] + "@" + hashed[2] + ".invalid"
            rest &= ~is_mail
    if rest.any():
        out[rest] = "h-" + _hash_values(norm[rest], key, 10)
    return out


def _hash_values(values: pd.Series, key: bytes, length: int) -> pd.Series:
    uniq = values.unique()
    table = pd.Series(_digest(np.asarray(uniq, dtype=object), key, length), index=pd.Index(uniq, dtype="str"), dtype=object)
    return pd.Series(table.to_numpy()[table.index.get_indexer(pd.Index(values.astype("str")))], index=values.index, dtype="str")


def pseudonymise(
    referrals: pd.DataFrame, touchpoints: pd.DataFrame | None, key: bytes
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Return copies of the canonical tables with every identifier replaced by a keyed pseudonym.

    Providers become ``provider-<8 hex>``, people ``person-<10 hex>``; the same
    id gets the same pseudonym in every column and table.

    >>> import pandas as pd
    >>> refs = pd.DataFrame({"referrer": ["a", "b"], "referred": ["b", "c"], "comment": ["hi", "yo"]})
    >>> anon, _ = pseudonymise(refs, None, key=b"k")
    >>> bool(anon["referred"][0] == anon["referrer"][1]), bool(anon["comment"].isna().all())
    (True, True)
    """
    tables = [t for t in (referrals, touchpoints) if t is not None]
    providers = pd.concat([t[S.PROVIDER] for t in tables if S.PROVIDER in t], ignore_index=True).dropna().astype("str").unique() if any(S.PROVIDER in t for t in tables) else np.array([], dtype=object)
    people = pd.concat([t[c] for t in tables for c in _ID_COLUMNS if c in t], ignore_index=True).dropna().astype("str").unique()
    people = np.setdiff1d(np.asarray(people, dtype=object), np.asarray(providers, dtype=object))
    providers = np.asarray(providers, dtype=object)
    mapping = pd.concat([
        pd.Series("provider-" + _digest(providers, key, 8), index=pd.Index(providers, dtype="str"), dtype=object),
        pd.Series("person-" + _digest(people, key, 10), index=pd.Index(people, dtype="str"), dtype=object),
    ])
    out: list[pd.DataFrame | None] = []
    for table in (referrals, touchpoints):
        if table is None:
            out.append(None)
            continue
        t = table.copy()
        for c in (*_ID_COLUMNS, S.PROVIDER):
            if c in t:
                t[c] = _map_column(t[c], mapping)
        for c in _HASHED_COLUMNS:
            if c in t and t[c].notna().any():
                t[c] = _hash_column(t[c], key, email=c in _EMAIL_COLUMNS)
        for c in _DROPPED_COLUMNS:
            if c in t:
                t[c] = pd.Series(pd.NA, index=t.index, dtype="str")
        out.append(t)
    assert out[0] is not None  # referrals is a table, so is its pseudonymised copy
    return out[0], out[1]


_QUOTED = re.compile(r"'((?:[^'\\\n]|\\.)*)'|\"((?:[^\"\\\n]|\\.)*)\"")
REMOVED = "<value removed>"


def _scrub_text(text: str, keep: frozenset[str]) -> str:
    """``text`` with every quoted value replaced, unless it is a column name in ``keep``."""
    def one(m: re.Match[str]) -> str:
        inner = m.group(1) if m.group(1) is not None else m.group(2)
        return m.group(0) if inner in keep else f"'{REMOVED}'"

    return _QUOTED.sub(one, str(text))


def scrub_load_report(report: Any) -> Any:
    """A copy of a :class:`~trustnet.load.LoadReport` fit for an anonymised report.

    The loader's report describes the raw file: rejected rows keep their cells, and
    reasons and warnings quote the values that broke a rule (an e-mail in a date
    column, a title line above the header). The copy keeps every count, the line
    numbers and the reasons' words and column names, and removes every quoted value
    and every raw cell (parts are scrubbed the same way).

    Examples
    --------
    >>> import pandas as pd
    >>> from trustnet.load import LoadReport
    >>> r = LoadReport("x.csv", mapping={"referrer": "Advocate"}, rows_read=1, rejected=1,
    ...                rejected_rows=pd.DataFrame({"source_line": [2], "reason": [
    ...                    "self-referral: referrer and referred are the same ('ann@x.com')"],
    ...                    "Advocate": ["ann@x.com"]}),
    ...                warnings=["skipped 1 title line(s) above the header ('Export for Ann')"])
    >>> clean = scrub_load_report(r)
    >>> clean.rejected_rows.columns.tolist(), clean.rejected_rows["reason"][0]
    (['source_line', 'reason'], "self-referral: referrer and referred are the same ('<value removed>')")
    >>> clean.warnings, clean.rows_read
    (["skipped 1 title line(s) above the header ('<value removed>')"], 1)
    """
    if report is None:
        return None
    keep = frozenset({*S.REFERRAL_COLUMNS, *S.TOUCHPOINT_COLUMNS, *S.RATING_COLUMNS, *S.SCALES, *S.DIMENSIONS,
                      *map(str, report.mapping.keys()), *map(str, report.mapping.values())})

    def table(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
        out = frame[[c for c in columns if c in frame]].copy()
        if "reason" in out:
            out["reason"] = out["reason"].astype("str").map(lambda t: _scrub_text(t, keep))
        return out

    return dataclasses.replace(
        report,
        source=os.path.basename(str(report.source)) or str(report.source),  # a path may name its owner
        rejected_rows=table(report.rejected_rows, (S.SOURCE_LINE, "reason")),
        duplicate_rows=table(report.duplicate_rows, (S.SOURCE_LINE, "kept_line", "reason")),
        warnings=[_scrub_text(w, keep) for w in report.warnings],
        parts=[scrub_load_report(p) for p in report.parts],
    )


_IDENTIFYING = re.compile(r"(^|[^a-z])(id|name|e-?mail|mail|phone|mobile|tel|address|street|postcode|zip|ip|"
                          r"comment|note|url|login|user(name)?)s?($|[^a-z])|id$", re.IGNORECASE)


def identifying_columns(frame: pd.DataFrame, *, min_rows: int = 10) -> list[str]:
    """The attribute columns an anonymised report must drop: they name or reach a person.

    A column goes when its header says so (an id, name, e-mail, phone, address, IP,
    comment, URL or login) or when it is text whose every value is different (on at least
    ``min_rows`` rows), which is what an identifier looks like whatever its header.
    Group columns (practice, site, team) repeat and stay.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"full name": ["Ann Lee", "Bo Wu"], "E-mail": ["a@x", "b@x"],
    ...                        "practice": ["North", "North"], "survey_id": ["7", "8"], "years": [3, 4]})
    >>> identifying_columns(people)
    ['full name', 'E-mail', 'survey_id']
    """
    out = []
    for col in frame.columns:
        values = frame[col]
        unique_text = (len(values) >= min_rows and not pd.api.types.is_numeric_dtype(values)
                       and values.nunique(dropna=True) == values.notna().sum())
        if _IDENTIFYING.search(str(col).replace("_", " ")) or unique_text:
            out.append(col)
    return out
