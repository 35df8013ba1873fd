"""A world's referrals written the way real tools export them (for the loader's demos and tests).

Two styles:

``referral-platform``
    A referral-marketing platform's export for one brand: UTF-8 with a byte-order mark,
    CRLF line ends, headers such as ``Referrer Email``, ``Friend Email``, ``Referral Status``,
    ``Order Total`` with currency strings (``$1,234.50``), e-mails in mixed case, no provider
    column.
``crm-europe``
    A European CRM's deal export: semicolons, decimal commas with dots for thousands
    (``1.234,50``), day-first dates (``05/03/2024``), headers such as ``Referred By``,
    ``Contact Email``, ``Account``, ``Amount``, ``Close Date``, names with accents.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from .. import schema
from ..errors import InputError, OutputError
from . import _vocab as V
from ._world import World

__all__ = ["EXPORT_STYLES", "write_export", "person_names", "person_emails"]

EXPORT_STYLES = ("referral-platform", "crm-europe")

_PLATFORM_STATUS = {schema.CONVERTED: "Converted", schema.PENDING: "Pending", schema.DECLINED: "Declined",
                    schema.CHURNED: "Refunded"}
_PLATFORM_SOURCE = {"link": "Share link", "email": "Email invite", "social": "Facebook", "app share": "In-app share",
                    "in person": "Referral code", "whatsapp": "WhatsApp"}
_CRM_STAGE = {schema.CONVERTED: "Closed Won", schema.PENDING: "Open", schema.DECLINED: "Closed Lost",
              schema.CHURNED: "Churned"}
_CRM_SOURCE = {"link": "Referral - link", "email": "Referral - e-mail", "social": "Referral - social",
               "app share": "Referral - app", "in person": "Referral - in person", "whatsapp": "Referral - WhatsApp"}
_DOMAINS = np.array(["example.com", "example.org", "example.net", "mail.example"])


def _number(ids: pd.Series) -> np.ndarray:
    return pd.to_numeric(ids.str.slice(1), errors="coerce").fillna(0).astype(np.int64).to_numpy()


def person_names(ids: pd.Series) -> pd.Series:
    """A readable name for each generated person id (``C000123`` -> ``"Dev Clarke"``); deterministic.

    Examples
    --------
    >>> person_names(pd.Series(["C000001", "C000071"])).tolist()
    ['Bram Adeyemi', 'Bram Bauer']
    """
    num = _number(ids)
    first = np.array(V.FIRST_NAMES, dtype=object)[num % len(V.FIRST_NAMES)]
    last = np.array(V.LAST_NAMES, dtype=object)[(num // len(V.FIRST_NAMES)) % len(V.LAST_NAMES)]
    return pd.Series(first + " " + last, index=ids.index, dtype="str")


def _ascii(names: pd.Series) -> pd.Series:
    folded = names.map(lambda s: unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode())
    return folded.str.lower().str.replace("'", "", regex=False)


def person_emails(ids: pd.Series) -> pd.Series:
    """A unique e-mail for each generated person id, derived from its name and number.

    Examples
    --------
    >>> person_emails(pd.Series(["C000026"])).tolist()
    ['amara.adeyemi.26@example.net']
    """
    uniq = pd.Series(pd.unique(ids))
    base = _ascii(person_names(uniq)).str.replace(" ", ".", regex=False)
    unum = _number(uniq)
    emails = base + "." + pd.Series(unum).astype(str) + "@" + pd.Series(_DOMAINS[unum % len(_DOMAINS)])
    lookup = pd.Series(emails.to_numpy(), index=uniq.to_numpy())
    out = lookup.reindex(ids.to_numpy()).to_numpy()
    return pd.Series(out, index=ids.index, dtype="str")


def _money_us(x: pd.Series) -> pd.Series:
    return x.map(lambda v: "" if pd.isna(v) else f"${v:,.2f}")


def _money_eu(x: pd.Series) -> pd.Series:
    us = x.map(lambda v: "" if pd.isna(v) else f"{v:,.2f}")
    return us.str.replace(",", "_", regex=False).str.replace(".", ",", regex=False).str.replace("_", ".",
                                                                                                 regex=False)


def _fmt(dates: pd.Series, fmt: str) -> pd.Series:
    return dates.dt.strftime(fmt).fillna("")


def write_export(world: World, path: str | Path, style: str = "referral-platform") -> Path:
    """Write ``world.referrals`` as one file laid out the way a real tool exports it.

    Parameters
    ----------
    world : World
        A generated world (ids like ``C000123`` become names and e-mails).
    path : str or Path
        The file to write (its folder must exist).
    style : {"referral-platform", "crm-europe"}
        See the module notes for the quirks of each.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from trustnet.datasets import generate
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_export(generate(100, seed=1), pathlib.Path(d) / "x.csv", "crm-europe")
    ...     p.read_text(encoding="utf-8").splitlines()[0]
    'Deal ID;Contact Name;Contact Email;Referred By;Account;Stage;Created;Close Date;Amount;Currency;Lead Source'
    """
    if style not in EXPORT_STYLES:
        raise InputError(f"unknown export style {style!r}; choose one of {', '.join(EXPORT_STYLES)}")
    ref = world.referrals
    out = Path(path)
    status = ref[schema.STATUS]
    channel = ref[schema.CHANNEL]
    if style == "referral-platform":
        referrer_email = person_emails(ref[schema.REFERRER])
        num = _number(ref[schema.REFERRER])
        shout = (num % 10) == 3  # some tools keep the e-mail as the person typed it
        referrer_email = referrer_email.where(~shout, referrer_email.str.title())
        table = pd.DataFrame({
            "Referral ID": [f"REF-{i:06d}" for i in range(1, len(ref) + 1)],
            "Referrer Name": person_names(ref[schema.REFERRER]),
            "Referrer Email": referrer_email,
            "Friend Name": person_names(ref[schema.REFERRED]),
            "Friend Email": person_emails(ref[schema.REFERRED]),
            "Referral Status": status.map(_PLATFORM_STATUS),
            "Referral Date": _fmt(ref[schema.REFERRED_AT], "%Y-%m-%d %H:%M:%S"),
            "Order Date": _fmt(ref[schema.CONVERTED_AT], "%Y-%m-%d %H:%M:%S"),
            "Order Total": _money_us(ref[schema.REVENUE]),
            "Source": channel.map(_PLATFORM_SOURCE).fillna(channel),
        })
        sep, encoding, newline = ",", "utf-8-sig", "\r\n"
    else:
        table = pd.DataFrame({
            "Deal ID": [f"D-{i:05d}" for i in range(1, len(ref) + 1)],
            "Contact Name": person_names(ref[schema.REFERRED]),
            "Contact Email": person_emails(ref[schema.REFERRED]),
            "Referred By": person_emails(ref[schema.REFERRER]),
            "Account": ref[schema.PROVIDER],
            "Stage": status.map(_CRM_STAGE),
            "Created": _fmt(ref[schema.REFERRED_AT], "%d/%m/%Y %H:%M"),
            "Close Date": _fmt(ref[schema.CONVERTED_AT], "%d/%m/%Y"),
            "Amount": _money_eu(ref[schema.REVENUE]),
            "Currency": np.where(ref[schema.REVENUE].notna(), "EUR", ""),
            "Lead Source": channel.map(_CRM_SOURCE).fillna(channel),
        })
        sep, encoding, newline = ";", "utf-8", "\n"
    try:
        table.to_csv(out, index=False, sep=sep, encoding=encoding, lineterminator=newline)
    except OSError as err:
        raise OutputError(f"cannot write the export to {out}: {err}") from err
    return out
