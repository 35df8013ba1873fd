"""Parsing cell text into values, one whole column at a time (vectorised).

Each parser takes a column of text (``""`` = empty) and returns the parsed
values plus a boolean mask of the cells that were not empty but could not be
parsed, so the caller can reject those rows with a reason.

>>> ids, warn = parse_ids(pd.Series([" 007 ", "Ann@X.com", "7"]))
>>> ids.tolist()
['007', 'ann@x.com', '7']
>>> parse_money(pd.Series(["$1,234.50", "(12.50)", "€ 3,5", ""]))[0].tolist()
[1234.5, -12.5, 3.5, nan]
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..aliases import EVENT_VALUES, STATUS_VALUES, TRUE_VALUES
from ..errors import InputError

__all__ = [
    "parse_ids",
    "parse_dates",
    "parse_money",
    "parse_number",
    "parse_status",
    "parse_flag",
    "parse_event",
    "DateColumn",
]

_SCI = r"^[-+]?\d(\.\d+)?[eE]\+?\d+$"


def _norm_values(col: pd.Series) -> pd.Series:
    return col.str.casefold().str.replace(r"[\W_]+", "", regex=True)


def parse_ids(col: pd.Series) -> tuple[pd.Series, str | None]:
    """Trim identifiers and case-fold e-mail addresses; ids otherwise stay opaque text.

    Parameters
    ----------
    col : pandas.Series of str
        Raw cells.

    Returns
    -------
    ids : pandas.Series of str
        ``""`` where the cell was empty.
    warning : str or None
        Set when some ids look mangled by Excel into scientific notation (``4.41E+11``).

    Examples
    --------
    >>> parse_ids(pd.Series(["4.41E+11", "x"]))[1]
    "1 id(s) look like Excel scientific notation (e.g. '4.41E+11'): Excel rounded them; re-export the ids as text"
    """
    out = col.astype(str).str.strip()
    email = out.str.contains("@", regex=False)
    if email.any():
        out = out.where(~email, out.str.casefold())
    sci = out.str.match(_SCI)
    warning = None
    if sci.any():
        warning = (f"{int(sci.sum())} id(s) look like Excel scientific notation (e.g. {out[sci].iloc[0]!r}): "
                   "Excel rounded them; re-export the ids as text")
    return out, warning


@dataclass
class DateColumn:
    """A parsed date column: values, bad cells, and the form detected (for the report)."""

    values: pd.Series
    bad: pd.Series
    form: str
    warning: str | None = None


_DMY = re.compile(r"^\s*(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})(?:[ T,]+(.*))?$")
_TIME = r"^\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*([AaPp]\.?[Mm]\.?)?\s*$"


def parse_dates(col: pd.Series, *, dayfirst: bool | None = None, column: str = "", name: str = "") -> DateColumn:
    """Parse a column of dates, inferring one form for the whole column.

    ISO 8601 (with or without time and offset), US ``MM/DD/YYYY`` and day-first
    ``DD/MM/YYYY`` (``/``, ``.`` or ``-``, optional time, 12- or 24-hour clock),
    month names (``Mar 4, 2025``), Excel serial day numbers and Unix epochs in
    seconds or milliseconds. A day above 12 decides between US and day-first;
    when no value decides, ``dayfirst`` must be given, otherwise
    :class:`~trustnet.errors.InputError` says so. Offsets are converted to UTC
    and dropped (naive ``datetime64[ns]``).

    Parameters
    ----------
    col : pandas.Series of str
    dayfirst : bool, optional
        Read ambiguous ``03/04/2025`` as 3 April (True) or March 4 (False).
    column, name : str
        Column and file names for messages.

    Returns
    -------
    DateColumn

    Examples
    --------
    >>> d = parse_dates(pd.Series(["31/01/2025", "02/03/2025 14:05", "", "soon"]))
    >>> d.values.dt.strftime("%Y-%m-%d %H:%M").tolist()[:2], d.form, d.bad.tolist()
    (['2025-01-31 00:00', '2025-03-02 14:05'], 'day-first', [False, False, False, True])
    >>> parse_dates(pd.Series(["1700000000"])).values.iloc[0]
    Timestamp('2023-11-14 22:13:20')
    """
    text = col.astype(str).str.strip()
    present = text != ""
    result = pd.Series(pd.NaT, index=col.index, dtype="datetime64[ns]")
    if not present.any():
        return DateColumn(result, present, "empty")
    vals = text[present]
    form, warning = "iso", None
    numeric = pd.to_numeric(vals, errors="coerce")
    if numeric.notna().all():
        parsed, form = _numeric_dates(numeric)
    else:
        parsed = _iso(vals)
        rest = parsed.isna()
        if rest.any():
            sub = vals[rest]
            m = sub.str.extract(_DMY)
            hit = m[0].notna()
            if hit.any():
                dm, form2, warning = _dmy(m[hit], dayfirst, column, name, sub[hit])
                parsed[dm.index] = dm
                form = form2 if rest.sum() == len(vals) else f"iso + {form2}"
            rest = parsed.isna()
            if rest.any():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    other = pd.to_datetime(vals[rest], errors="coerce", dayfirst=bool(dayfirst))
                if other.notna().any():
                    if getattr(other.dt, "tz", None) is not None:
                        other = other.dt.tz_convert("UTC").dt.tz_localize(None)
                    parsed[rest] = other.astype("datetime64[ns]")
                    form = "text" if rest.sum() == len(vals) else f"{form} + text"
    result[present] = parsed.astype("datetime64[ns]")
    bad = present & result.isna()
    return DateColumn(result, bad, form, warning)


def _iso(vals: pd.Series) -> pd.Series:
    looks = vals.str.match(r"^\d{4}-\d{1,2}-\d{1,2}")
    out = pd.Series(pd.NaT, index=vals.index, dtype="datetime64[ns]")
    if looks.any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p = pd.to_datetime(vals[looks], errors="coerce", format="ISO8601", utc=True)
        out[looks] = p.dt.tz_localize(None).astype("datetime64[ns]")
    return out


def _numeric_dates(numeric: pd.Series) -> tuple[pd.Series, str]:
    lo, hi = numeric.min(), numeric.max()
    if lo >= 1e11 and hi < 1e14:
        return pd.to_datetime(numeric.round().astype("int64"), unit="ms").astype("datetime64[ns]"), "unix milliseconds"
    if lo >= 1e8 and hi < 1e11:
        return pd.to_datetime(numeric.round().astype("int64"), unit="s").astype("datetime64[ns]"), "unix seconds"
    if lo >= 19000101 and hi <= 21001231 and (numeric % 1 == 0).all():
        s = numeric.astype("int64").astype(str)
        return pd.to_datetime(s, format="%Y%m%d", errors="coerce").astype("datetime64[ns]"), "yyyymmdd"
    if lo >= 1 and hi < 2958466:
        base = pd.Timestamp("1899-12-30")
        days = pd.to_timedelta(numeric.to_numpy(dtype=float), unit="D")
        return pd.Series(base + days, index=numeric.index).astype("datetime64[ns]"), "excel serial"
    return pd.Series(pd.NaT, index=numeric.index, dtype="datetime64[ns]"), "numbers"


def _dmy(m: pd.DataFrame, dayfirst: bool | None, column: str, name: str,
         raw: pd.Series) -> tuple[pd.Series, str, str | None]:
    a = pd.to_numeric(m[0], errors="coerce")
    b = pd.to_numeric(m[1], errors="coerce")
    c = pd.to_numeric(m[2], errors="coerce")
    warning = None
    year_first = m[0].str.len() == 4
    if year_first.all():
        y, mo, d, form = a, b, c, "year-first"
    else:
        if dayfirst is None:
            day_first_seen = bool((a > 12).any())
            month_first_seen = bool((b > 12).any())
            if day_first_seen and not month_first_seen:
                dayfirst = True
            elif month_first_seen and not day_first_seen:
                dayfirst = False
            elif day_first_seen and month_first_seen:
                ex1 = raw[a > 12].iloc[0]
                ex2 = raw[b > 12].iloc[0]
                raise InputError(
                    f"{name}: column {column!r} mixes day-first and month-first dates ({ex1!r} and {ex2!r}); "
                    "fix the column, or pass --dayfirst or --monthfirst to read it one way")
            else:
                ex = raw.iloc[0]
                raise InputError(
                    f"{name}: the dates in column {column!r} (e.g. {ex!r}) could be day-first or month-first "
                    "and no day above 12 decides; pass --dayfirst (3 April for 03/04) or --monthfirst (March 4)")
        d, mo = (a, b) if dayfirst else (b, a)
        y = c
        form = "day-first" if dayfirst else "month-first"
    y = y.where(y >= 100, y + 2000 - 100 * (y > 68))
    hms = m[3].fillna("").str.extract(_TIME)
    hour = pd.to_numeric(hms[0], errors="coerce").fillna(0)
    ampm = hms[4].fillna("").str.lower().str.replace(".", "", regex=False)
    hour = hour.where(~((ampm == "pm") & (hour < 12)), hour + 12)
    hour = hour.where(~((ampm == "am") & (hour == 12)), 0)
    minute = pd.to_numeric(hms[1], errors="coerce").fillna(0)
    sec = pd.to_numeric(hms[2], errors="coerce").fillna(0)
    time_bad = m[3].fillna("").str.strip().ne("") & hms[0].isna()
    parts = pd.DataFrame({"year": y, "month": mo, "day": d, "hour": hour, "minute": minute, "second": sec})
    ok = parts.notna().all(axis=1) & ~time_bad
    out = pd.Series(pd.NaT, index=m.index, dtype="datetime64[ns]")
    if ok.any():
        out[ok] = pd.to_datetime(parts[ok].astype("int64"), errors="coerce").astype("datetime64[ns]")
    return out, form, warning


_CURRENCY = r"[$€£¥₹₩₽₺₪฿₫₴₦₱]|\b(?:USD|EUR|GBP|CHF|CAD|AUD|NZD|JPY|SEK|NOK|DKK|PLN|INR|ZAR|BRL|MXN)\b|\s"


def parse_money(col: pd.Series, *, decimal: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Parse amounts: currency symbols and codes, thousands separators, decimal commas, ``(12.50)``.

    The decimal separator is decided once per column: a comma followed by one or
    two final digits (``3,5``, ``1.234,50``) makes it a decimal comma.

    Returns
    -------
    values : pandas.Series of float64
    bad : pandas.Series of bool
        Non-empty cells that are not amounts.

    Examples
    --------
    >>> parse_money(pd.Series(["1.234,50 €", "-7", "n/a"]))
    (0    1234.5
    1      -7.0
    2       NaN
    dtype: float64, 0    False
    1    False
    2     True
    dtype: bool)
    """
    text = col.astype(str).str.strip()
    present = text != ""
    s = text.str.replace(_CURRENCY, "", regex=True).str.replace("\u00a0", "", regex=False)
    neg_paren = s.str.match(r"^\(.*\)$")
    s = s.str.replace(r"^\((.*)\)$", r"\1", regex=True)
    trailing_minus = s.str.endswith("-")
    s = s.where(~trailing_minus, "-" + s.str[:-1])
    if decimal is None:
        comma_dec = s.str.contains(r"^[^.]*,\d{1,2}$") | s.str.contains(r"\.\d{3},\d*$")
        dot_dec = s.str.contains(r"^[^,]*\.\d{1,2}$") | s.str.contains(r",\d{3}\.\d*$")
        column_decimal = "," if comma_dec.sum() > dot_dec.sum() else "."
    else:
        column_decimal = decimal
        comma_dec = pd.Series(decimal == ",", index=s.index)
        dot_dec = ~comma_dec
    # a value that shows its own decimal separator keeps it; the others follow the column
    use_comma = comma_dec | (~dot_dec & (column_decimal == ",")) if decimal is None else comma_dec
    s = s.str.replace("'", "", regex=False)
    as_comma = s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    as_dot = s.str.replace(",", "", regex=False)
    s = as_comma.where(use_comma, as_dot)
    values = pd.to_numeric(s.where(s.str.match(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"), ""), errors="coerce")
    values = values.astype("float64")
    values = values.where(~neg_paren, -values.abs())
    values[~present] = np.nan
    bad = present & values.isna()
    return values, bad


def parse_number(col: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Plain numbers (a decimal comma is accepted); returns (float64 values, bad mask).

    Examples
    --------
    >>> parse_number(pd.Series(["9", "7,5", "x", ""]))[0].tolist()
    [9.0, 7.5, nan, nan]
    """
    text = col.astype(str).str.strip()
    present = text != ""
    s = text.str.replace(r"^([-+]?\d+),(\d+)$", r"\1.\2", regex=True)
    values = pd.to_numeric(s.where(present, ""), errors="coerce").astype("float64")
    return values, present & values.isna()


def _mapped(col: pd.Series, table: dict[str, str] | None, default: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    text = col.astype(str).str.strip()
    present = text != ""
    key = _norm_values(text)
    out = pd.Series(pd.NA, index=col.index, dtype="string")
    if table:
        exact = text.map(table)
        norm_table = {re.sub(r"[\W_]+", "", str(k).casefold()): v for k, v in table.items()}
        exact = exact.fillna(key.map(norm_table))
        out = out.fillna(exact.astype("string"))
    out = out.fillna(key.map(default).astype("string"))
    unknown = present & out.isna()
    return out, unknown


def parse_status(col: pd.Series, value_map: dict[str, str] | None = None) -> tuple[pd.Series, pd.Series]:
    """Map status text onto pending / converted / declined / churned.

    ``value_map`` (from a vendor profile) is tried first, then the built-in table.

    Returns
    -------
    status : pandas.Series of string (NA when empty or unknown)
    unknown : pandas.Series of bool (non-empty values not recognised)

    Examples
    --------
    >>> parse_status(pd.Series(["Closed Won", "Pending", "weird", ""]))[0].tolist()
    ['converted', 'pending', <NA>, <NA>]
    """
    return _mapped(col, value_map, dict(STATUS_VALUES))


def parse_event(col: pd.Series, value_map: dict[str, str] | None = None) -> tuple[pd.Series, pd.Series]:
    """Map event or ticket-status text onto the event vocabulary; unknown values keep their text.

    Examples
    --------
    >>> parse_event(pd.Series(["Solved", "Complaint", "something else"]))[0].tolist()
    ['resolved', 'complaint', 'something else']
    """
    out, unknown = _mapped(col, value_map, dict(EVENT_VALUES))
    text = col.astype(str).str.strip().str.lower()
    out = out.where(~unknown, text.astype("string"))
    return out, unknown


def parse_flag(col: pd.Series) -> pd.Series:
    """True where a cell reads as yes/true/1.

    Examples
    --------
    >>> parse_flag(pd.Series(["TRUE", "false", ""])).tolist()
    [True, False, False]
    """
    return _norm_values(col.astype(str)).isin(TRUE_VALUES)
