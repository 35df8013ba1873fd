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

import contextlib

import re
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._textorder import number_in_order
from ..aliases import EVENT_VALUES, STATUS_VALUES, TRUE_VALUES
from ..errors import InputError

__all__ = [
    "match",
    "apply_value_map",
    "by_unique",
    "Coded",
    "encode",
    "ids_coded",
    "parse_ids",
    "parse_dates",
    "parse_money",
    "parse_number",
    "parse_status",
    "parse_flag",
    "parse_event",
    "DateColumn",
    "drop_unused",
    "providers_coded",
]

_SCI = r"^[-+]?\d(\.\d+)?[eE]\+?\d+$"


def _norm_values(col: pd.Series) -> pd.Series:
    return col.str.lower().str.replace(r"[\W_]+", "", regex=True)


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
    out, warning, _ = ids_coded(col)
    return out, warning


def ids_coded(col: pd.Series) -> tuple[pd.Series, str | None, Coded]:
    """:func:`parse_ids`, plus the column's :class:`Coded` form: codes of the raw cells (for keys built on
    them) and, per code, the parsed id (to build a categorical without hashing the ids again).

    Examples
    --------
    >>> ids, _, coded = ids_coded(pd.Series([" A@x.com", "b", " A@x.com", "a@x.com"]))
    >>> ids.tolist(), coded.codes.tolist(), coded.values.tolist()
    (['a@x.com', 'b', 'a@x.com', 'a@x.com'], [0, 1, 0, 2], ['a@x.com', 'b', 'a@x.com'])
    """
    coded = encode(col)
    uniq = _arrow(coded.values)
    arr = pc.utf8_trim_whitespace(uniq)
    arr = pc.if_else(pc.match_substring(arr, "@"), pc.utf8_lower(arr), arr)
    sci_u = pc.fill_null(pc.match_substring_regex(arr, _SCI), False).to_numpy(zero_copy_only=False)
    if col.dtype == "str" and bool(pc.all(pc.equal(arr, uniq)).as_py() is not False):
        out = col  # already clean (the usual case): the column itself, no copy
    else:
        out = coded.take(_series(arr, pd.RangeIndex(len(arr))), col.index)
    warning = None
    if sci_u.any():
        sci = coded.mask(sci_u)
        warning = (f"{int(sci.sum())} id(s) look like Excel scientific notation (e.g. {out[sci].iloc[0]!r}): "
                   "Excel rounded them; re-export the ids as text")
    return out, warning, Coded(coded.codes, _series(arr, pd.RangeIndex(len(arr))))


def providers_coded(col: pd.Series, default: str) -> tuple[Coded, pd.Categorical]:
    """A provider column parsed once per distinct value (trimmed, e-mails case-folded, ``default`` where
    empty): its :class:`Coded` form, for keys built on the raw cells, and the providers as a sorted category.

    Examples
    --------
    >>> coded, providers = providers_coded(pd.Series([" Tiles", "", "Tiles"]), "the business")
    >>> coded.codes.tolist(), providers.tolist(), providers.categories.tolist()
    ([0, 1, 2], ['Tiles', 'the business', 'Tiles'], ['Tiles', 'the business'])
    """
    coded = encode(col)
    names = coded.values.str.strip()
    return coded, coded.categorical(parse_ids(names.where(names != "", default))[0])


@dataclass
class Coded:
    """A column as integer codes into its distinct values (NA, when present, is one of them).

    Parsing the distinct values once and spreading the result back with :meth:`take` keeps
    per-value work off the per-row path (a million-row column often holds a few dozen values).

    Examples
    --------
    >>> c = encode(pd.Series(["b", "a", "b", None], dtype="str"))
    >>> c.codes.tolist(), c.values.tolist()
    ([0, 1, 0, 2], ['b', 'a', nan])
    >>> c.take(c.values.str.upper()).tolist()
    ['B', 'A', 'B', nan]
    >>> c.mask(np.array([True, False, False])).tolist(), c.counts().tolist()
    ([True, False, True, False], [2, 1, 1])
    """

    codes: np.ndarray
    values: pd.Series

    def take(self, per_value: pd.Series | np.ndarray, index: pd.Index | None = None) -> pd.Series:
        """Spread one result per distinct value back to the rows (NA where a code is -1).

        Examples
        --------
        >>> encode(pd.Series(["2", "1", "2"])).take(np.array([2.0, 1.0])).tolist()
        [2.0, 1.0, 2.0]
        """
        if isinstance(per_value, pd.Series) and per_value.dtype == "str":
            arr = pa.array(per_value.array)
            if isinstance(arr, pa.ChunkedArray):
                arr = arr.combine_chunks()
            idx = pa.array(self.codes, mask=self.codes < 0)
            out = _series(arr.take(idx), pd.RangeIndex(len(self.codes)))
        else:
            vals = np.asarray(per_value)
            if vals.dtype.kind in "fc":
                out = pd.Series(np.append(vals, np.nan)[self.codes], copy=False)
            elif vals.dtype.kind == "b":
                out = pd.Series(np.append(vals, False)[self.codes], copy=False)
            else:
                out = pd.Series(pd.array(per_value)).take(self.codes, allow_fill=True)
        if index is not None:
            out.index = index
        return out

    def mask(self, per_value: np.ndarray) -> np.ndarray:
        """Boolean per row from a boolean per distinct value (False where a code is -1).

        Examples
        --------
        >>> encode(pd.Series(["x", "y", "x"])).mask(np.array([False, True])).tolist()
        [False, True, False]
        """
        return np.append(np.asarray(per_value, dtype=bool), False)[self.codes]

    def categorical(self, per_value: pd.Series) -> pd.Categorical:
        """The rows as a categorical column of one (text or NA) result per distinct value; categories sorted,
        each once (values whose results are equal share one).

        Examples
        --------
        >>> c = encode(pd.Series([" b", "a", "b", " b"])).categorical(pd.Series([" b", "a", "b"]).str.strip())
        >>> c.tolist(), c.categories.tolist(), c.codes.tolist()
        (['b', 'a', 'b', 'b'], ['a', 'b'], [1, 0, 1, 1])
        """
        text = per_value.astype("str")
        present = text.notna().to_numpy()
        # the results numbered in Python's order (a string sort of a million ids is slow); NA, and code -1, stay -1
        ids, (numbers,) = number_in_order([_arrow(text[present])])
        number = np.full(len(text) + 1, -1, np.int64)
        number[:-1][present] = numbers
        categories = pd.Index(ids.to_pandas(types_mapper=lambda _: _STR))
        column = pd.Categorical.from_codes(number[self.codes],  # (from_codes keeps the smallest integer type)
                                           categories=categories, validate=False)
        # checking the categories are unique built a hash of them that holds each one as a Python object (a
        # million customer ids: 1M objects, 64 MiB, kept as long as the table): nothing here looks them up again
        getattr(column.categories, "_cache", {}).pop("_engine", None)
        return column

    def counts(self) -> np.ndarray:
        """Rows per distinct value.

        Examples
        --------
        >>> encode(pd.Series(["x", "y", "x"])).counts().tolist()
        [2, 1]
        """
        return np.bincount(self.codes[self.codes >= 0], minlength=len(self.values))


def encode(col: pd.Series) -> Coded:
    """The column's distinct values and each row's code into them (see :class:`Coded`).

    Examples
    --------
    >>> encode(pd.Series(["x", "y", "x"])).codes.tolist()
    [0, 1, 0]
    """
    codes, uniques = pd.factorize(col, use_na_sentinel=False)  # NA is a value of its own: parsers see it
    dtype = np.int32 if len(uniques) < 2 ** 31 - 1 else np.int64
    values = pd.Series(uniques.astype("str") if len(uniques) else [], dtype="str")
    return Coded(codes.astype(dtype, copy=False), values)


def drop_unused(col: pd.Series) -> pd.Series:
    """A categorical column without the categories no row holds (the ids of rejected rows), so that counts
    of it show only what was accepted; the column itself when every category is used.

    The same result as pandas' ``cat.remove_unused_categories()``, which hashes the categories as Python
    objects: on 7.5M rows of 1M categories it took 1.1-1.4 s, this 0.18-0.30 s.

    Examples
    --------
    >>> col = pd.Series(pd.Categorical(["b", "a", "b"]))[[0, 2]]
    >>> drop_unused(col).cat.categories.tolist(), drop_unused(col).tolist()
    (['b'], ['b', 'b'])
    """
    codes = col.cat.codes.to_numpy()
    used = np.zeros(len(col.cat.categories) + 1, bool)
    used[codes] = True  # (NA, code -1, marks the last place)
    used = used[:-1]
    if used.all():
        return col
    number = np.cumsum(used) - 1
    number = np.append(number, -1)  # NA stays NA
    column = pd.Categorical.from_codes(number[codes], categories=col.cat.categories[used], validate=False)
    getattr(column.categories, "_cache", {}).pop("_engine", None)  # (see Coded.categorical)
    return pd.Series(column, index=col.index, name=col.name, copy=False)


def _mostly_repeated(col: pd.Series, sample: int = 20_000) -> bool:
    """Whether a column repeats its values enough that parsing each distinct value once pays."""
    if len(col) < 2 * sample:
        return len(col) > 1000 and col.nunique() <= len(col) // 4
    head = col.iloc[:sample]
    return head.nunique() <= sample // 4


@dataclass
class DateColumn:
    """A parsed date column: values, bad cells, and the form detected (for the report).

    Examples
    --------
    >>> import pandas as pd
    >>> dates = parse_dates(pd.Series(["03/04/2025", "25/04/2025", "soon"]))
    >>> dates.form, dates.bad.tolist()
    ('day-first', [False, False, True])
    >>> dates.values.dt.strftime("%d %b %Y").tolist()[:2]
    ['03 Apr 2025', '25 Apr 2025']
    """

    values: pd.Series
    bad: pd.Series
    form: str
    warning: str | None = None


_DMY = r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-]\d\d"
_DMY_FULL = re.compile(r"^\d{1,2}([/.\-])\d{1,2}[/.\-](\d{4}|\d{2})(?:$|[ T,])")
_TIME_FORMATS = ("", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p", " %I:%M%p", "T%H:%M", "T%H:%M:%S",
                 " %H:%M:%S.%f", ", %H:%M", ", %H:%M:%S", ", %I:%M %p", " %I:%M:%S%p", "T%H:%M:%SZ")


def _arrow(col: pd.Series) -> pa.Array:
    """The column as a pyarrow string array (zero-copy for pandas' arrow-backed strings)."""
    try:
        arr = pa.array(col.array)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        arr = pa.array(col.astype(object).to_numpy(), type=pa.large_string(), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.large_string())
    return arr


_STR = pd.StringDtype("pyarrow", na_value=np.nan)


def _series(arr: pa.Array, index: pd.Index) -> pd.Series:
    """A pyarrow string array as a pandas ``str`` Series (no copy)."""
    if pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.large_string())
    return pd.Series(pd.array(arr, dtype=_STR), index=index)


def match(col: pd.Series, pattern: str, ignore_case: bool = False) -> np.ndarray:
    """Boolean array: where ``pattern`` (RE2 syntax) matches the cell (Arrow, vectorised).

    Examples
    --------
    >>> match(pd.Series(["Total", "x"]), "^total", ignore_case=True).tolist()
    [True, False]
    """
    if col.empty:
        return np.zeros(0, dtype=bool)
    out = pc.match_substring_regex(_arrow(col), pattern, ignore_case=ignore_case)
    return pc.fill_null(out, False).to_numpy(zero_copy_only=False)


def _to_float(col: pd.Series) -> pd.Series:
    """Plain decimal numbers as float64, NaN for anything else (vectorised in Arrow)."""
    if col.empty:
        return pd.Series([], index=col.index, dtype="float64")
    arr = pc.utf8_trim_whitespace(_arrow(col))
    ok = pc.match_substring_regex(arr, r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
    if pc.any(pc.starts_with(arr, "+")).as_py():
        arr = pc.replace_substring_regex(arr, r"^\+", "")
    vals = pc.cast(pc.if_else(ok, arr, pa.scalar(None, arr.type)), pa.float64())
    out = pd.Series(vals.to_numpy(zero_copy_only=False), index=col.index, dtype="float64")
    return out.where(np.isfinite(out.to_numpy()))  # '1e400' overflows to inf: not a number we can use


_NS_MIN, _NS_MAX = pd.Timestamp.min.as_unit("s"), pd.Timestamp.max.as_unit("s")


def _ns(values: pd.Series) -> pd.Series:
    """As ``datetime64[ns]``; dates outside its range (years before 1678 or after 2261) become NaT."""
    values = pd.Series(values)
    if values.dtype != "datetime64[ns]":
        values = values.where((values >= _NS_MIN) & (values <= _NS_MAX))
    return values.astype("datetime64[ns]")


def parse_dates(col: pd.Series, *, dayfirst: bool | None = None, column: str = "", name: str = "") -> DateColumn:
    """Parse a column of dates, inferring one form for the whole column.

    ISO 8601 (with or without time and offset), US ``MM/DD/YYYY`` and day-first
    ``DD/MM/YYYY`` (``/``, ``.`` or ``-``, optional time, 12- or 24-hour clock),
    month names (``Mar 4, 2025``), Excel serial day numbers and Unix epochs in
    seconds or milliseconds. A day above 12 decides between US and day-first;
    when no value decides, ``dayfirst`` must be given, otherwise
    :class:`~trustnet.errors.InputError` says so. Offsets are converted to UTC
    and dropped (naive ``datetime64[ns]``). Each form is parsed with one explicit
    format over the whole column (no per-cell guessing).

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
    >>> parse_dates(pd.Series(["1700000000"] * 9 + ["x"])).bad.tolist()[-2:]
    [False, True]
    """
    if isinstance(col.dtype, pd.CategoricalDtype):  # a compact column (read_table(compact=True))
        col = col.astype("str")
    fast = _iso_dates(col)
    if fast is not None:
        return fast
    text = col.astype(str).str.strip()
    present = (text != "").to_numpy()
    result = pd.Series(pd.NaT, index=col.index, dtype="datetime64[ns]")
    if not present.any():
        return DateColumn(result, pd.Series(present, index=col.index), "empty")
    vals = text[present]
    forms: list[str] = []
    def mostly_numbers(num: pd.Series) -> bool:  # all but a stray cell or a tenth ('x', 'n/a')
        stray = int(num.isna().sum())
        return stray <= max(1, 0.1 * len(num)) and stray < 0.5 * len(num)

    numeric = _to_float(vals.iloc[:1000])
    if mostly_numbers(numeric) and len(vals) > 1000:
        numeric = _to_float(vals)
    if mostly_numbers(numeric):  # the stray cells are rejected, not the column read as text
        ok = numeric.notna().to_numpy()
        parsed = pd.Series(pd.NaT, index=vals.index, dtype="datetime64[ns]")
        found, form = _numeric_dates(numeric[ok])
        parsed[ok] = found.to_numpy()
        forms.append(form)
    else:
        parsed = pd.Series(pd.NaT, index=vals.index, dtype="datetime64[ns]")
        looks_iso = vals.str.match(r"^\d{4}-\d{1,2}-\d{1,2}")
        if looks_iso.any():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                p = pd.to_datetime(vals[looks_iso], errors="coerce", format="ISO8601", utc=True)
            parsed[looks_iso] = _ns(p.dt.tz_localize(None))
            forms.append("iso")
        rest = parsed.isna()
        if rest.any():
            sub = vals[rest]
            dm, form = _dmy(sub, dayfirst, column, name)
            if dm is not None:
                parsed[dm.index] = dm
                forms.append(form)
        rest = parsed.isna()
        if rest.any():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                other = pd.to_datetime(vals[rest], errors="coerce", dayfirst=bool(dayfirst))
                left = other.isna() & vals[rest].str.contains(r"[A-Za-z]{3}")
                if left.any() and left.sum() <= 100_000:  # month names in several layouts
                    other[left] = pd.to_datetime(vals[rest][left], errors="coerce", format="mixed",
                                                 dayfirst=bool(dayfirst))
            if other.notna().any():
                if getattr(other.dt, "tz", None) is not None:
                    other = other.dt.tz_convert("UTC").dt.tz_localize(None)
                parsed[rest] = _ns(other)
                forms.append("text")
    result[present] = _ns(parsed).to_numpy()
    bad = pd.Series(present, index=col.index) & result.isna()
    return DateColumn(result, bad, " + ".join(forms) or "unparsed", None)


_ISO_STRICT = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?$"


def _iso_dates(col: pd.Series) -> DateColumn | None:
    """A column of plain ISO dates (``2025-01-31``, ``2025-01-31T08:01:42``) in one Arrow cast.

    None unless every non-empty cell casts and a sample agrees with the general path
    (:func:`parse_dates` then takes that path: offsets, odd layouts, bad cells).
    """
    if len(col) < 5000 or col.dtype != "str":
        return None
    arr = pa.array(col.array)
    head = col.iloc[:2000]
    sample = head[head.str.strip() != ""]
    if sample.empty or not match(sample.str.strip(), _ISO_STRICT).all():
        return None
    try:
        stamps = pc.cast(arr, pa.timestamp("ns"))  # clean cells: no copy of the text
    except pa.ArrowException:
        arr = pc.utf8_trim_whitespace(arr)
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)
        try:
            stamps = pc.cast(arr, pa.timestamp("ns"))
        except pa.ArrowException:  # a cell Arrow cannot read as ISO: the general path judges every cell
            return None
    values = pd.Series(stamps.to_numpy(zero_copy_only=False), index=col.index).astype("datetime64[ns]")
    check = parse_dates(head.reset_index(drop=True))  # the general path, on the first 2,000 cells
    if check.form != "iso" or not check.values.equals(values.iloc[:len(head)].reset_index(drop=True)):
        return None
    return DateColumn(values, pd.Series(False, index=col.index), "iso", None)


def _numeric_dates(numeric: pd.Series) -> tuple[pd.Series, str]:
    """Numbers as dates: Unix seconds or milliseconds, yyyymmdd, or Excel serial days."""
    lo, hi = numeric.min(), numeric.max()
    if lo >= 1e11 and hi < 9.2e12:  # milliseconds since 1970, up to 2261
        return _ns(pd.to_datetime(numeric.round().astype("int64"), unit="ms")), "unix milliseconds"
    if lo >= 1e8 and hi < 9.2e9:
        return _ns(pd.to_datetime(numeric.round().astype("int64"), unit="s")), "unix seconds"
    if lo >= 19000101 and hi <= 21001231 and bool((numeric % 1 == 0).all()):
        text = numeric.astype("int64").astype(str)
        return _ns(pd.to_datetime(text, format="%Y%m%d", errors="coerce")), "yyyymmdd"
    if lo >= 1 and hi < 110000:  # Excel serial days, 1900 to 2201
        days = pd.to_timedelta(numeric.to_numpy(dtype=float), unit="D")
        return pd.Series(pd.Timestamp("1899-12-30") + days, index=numeric.index).astype("datetime64[ns]"), \
            "excel serial"
    return pd.Series(pd.NaT, index=numeric.index, dtype="datetime64[ns]"), "numbers"


def _strptime(values: pd.Series, fmt: str) -> pd.Series:
    """Parse with one explicit format: Arrow's C++ strptime, pandas when Arrow lacks a directive."""
    if "%f" not in fmt:
        with contextlib.suppress(pa.ArrowException):  # a format Arrow cannot parse: pandas, below
            out = pc.strptime(_arrow(values), format=fmt, unit="s", error_is_null=True)
            return _ns(pd.Series(out.to_numpy(zero_copy_only=False), index=values.index))
    return _ns(pd.to_datetime(values, format=fmt, errors="coerce"))


def _dmy(sub: pd.Series, dayfirst: bool | None, column: str, name: str) -> tuple[pd.Series | None, str]:
    """Dates written a/b/year (with optional time): decide the order, parse with one format."""
    ex = pc.extract_regex(_arrow(sub), _DMY)
    valid = pc.is_valid(ex)
    hit = valid.to_numpy(zero_copy_only=False)
    if not hit.any():
        return None, ""
    ex = ex.filter(valid)
    a = pc.cast(ex.field("a"), pa.int32())
    b = pc.cast(ex.field("b"), pa.int32())
    hits = sub[hit]
    if dayfirst is None:
        day_first_seen = (pc.max(a).as_py() or 0) > 12
        month_first_seen = (pc.max(b).as_py() or 0) > 12
        if day_first_seen and month_first_seen:
            ex1 = hits.to_numpy()[a.to_numpy(zero_copy_only=False) > 12][0]
            ex2 = hits.to_numpy()[b.to_numpy(zero_copy_only=False) > 12][0]
            raise InputError(
                f"{name}: column {column!r} mixes day-first and month-first dates ({ex1!r} and {ex2!r}); "
                "fix the column, or pass --dayfirst or --monthfirst to read it one way")
        if not day_first_seen and not month_first_seen:
            raise InputError(
                f"{name}: the dates in column {column!r} (e.g. {hits.iloc[0]!r}) could be day-first or "
                "month-first and no day above 12 decides; pass --dayfirst (3 April for 03/04) or "
                "--monthfirst (March 4)")
        dayfirst = day_first_seen
    first = next((m for m in map(_DMY_FULL.match, hits.iloc[:50]) if m), None)
    sep, year = (first.group(1), "%Y" if len(first.group(2)) == 4 else "%y") if first else ("/", "%Y")
    date_fmt = f"%d{sep}%m{sep}{year}" if dayfirst else f"%m{sep}%d{sep}{year}"
    sample = hits.iloc[:500]
    scored = []
    for tf in _TIME_FORMATS:
        ok = _strptime(sample, date_fmt + tf).notna().sum()
        scored.append((-int(ok), tf))
    order = [tf for _, tf in sorted(scored, key=lambda x: x[0])]
    out = pd.Series(pd.NaT, index=hits.index, dtype="datetime64[ns]")
    todo = hits
    for tf in order:
        if todo.empty:
            break
        p = _strptime(todo, date_fmt + tf)
        got = p.notna()
        if got.any():
            out[got[got].index] = p[got]
            todo = todo[~got]
    return out, "day-first" if dayfirst else "month-first"


_CURRENCY = r"[$€£¥₹₩₽₺₪฿₫₴₦₱\s\x{00a0}]|\b(?:USD|EUR|GBP|CHF|CAD|AUD|NZD|JPY|SEK|NOK|DKK|PLN|INR|ZAR|BRL|MXN)\b"


#: The largest amount believed (in absolute value): 10^15, beyond any real revenue in any currency.
#: Larger figures are export errors, and sums of them overflow to infinity in later stages.
MAX_AMOUNT = 1e15


def parse_money(col: pd.Series, *, decimal: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Parse amounts: currency symbols and codes, thousands separators, decimal commas, ``(12.50)``.

    The decimal separator is decided once per column: a comma followed by one or
    two final digits (``3,5``, ``1.234,50``) makes it a decimal comma.

    Returns
    -------
    values : pandas.Series of float64
    bad : pandas.Series of bool
        Non-empty cells that are not amounts (including ``inf``, ``NaN`` and anything of
        :data:`MAX_AMOUNT` or more).

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
    if _mostly_repeated(col):  # each distinct amount parsed once; the decimal vote still counts rows
        coded = encode(col)
        values_u, bad_u = _money(coded.values, decimal, coded.counts())
        return coded.take(values_u.to_numpy(), col.index), pd.Series(coded.mask(bad_u.to_numpy()), index=col.index)
    return _money(col, decimal, None)


def _money(col: pd.Series, decimal: str | None, weights: np.ndarray | None) -> tuple[pd.Series, pd.Series]:
    """:func:`parse_money` on ``col``; ``weights`` = rows per cell when ``col`` holds distinct values."""
    arr = pc.utf8_trim_whitespace(_arrow(col))
    present = pc.fill_null(pc.not_equal(arr, ""), True).to_numpy(zero_copy_only=False)
    arr = pc.replace_substring_regex(arr, _CURRENCY, "")
    if pc.any(pc.match_substring(arr, "(")).as_py():
        neg_paren = pc.match_substring_regex(arr, r"^\(.*\)$").to_numpy(zero_copy_only=False)
        arr = pc.replace_substring_regex(arr, r"^\((.*)\)$", r"\1")
    else:
        neg_paren = np.zeros(len(arr), dtype=bool)
    if pc.any(pc.ends_with(arr, "-")).as_py():
        arr = pc.replace_substring_regex(arr, r"^(.*)-$", r"-\1")
    if pc.any(pc.match_substring(arr, "'")).as_py():
        arr = pc.replace_substring(arr, "'", "")

    def has(pattern: str) -> np.ndarray:
        return pc.fill_null(pc.match_substring_regex(arr, pattern), False).to_numpy(zero_copy_only=False)

    if decimal is None:
        comma_dec = has(r"(^[^.]*,\d{1,2}$)|(\.\d{3},\d*$)")
        dot_dec = has(r"(^[^,]*\.\d{1,2}$)|(,\d{3}\.\d*$)")
        w = np.ones(len(arr), dtype=np.int64) if weights is None else weights
        column_decimal = "," if int(w[comma_dec].sum()) > int(w[dot_dec].sum()) else "."
        # a value that shows its own decimal separator keeps it; the others follow the column
        use_comma = comma_dec | (~dot_dec & (column_decimal == ","))
    else:
        use_comma = np.full(len(arr), decimal == ",")
    as_dot = pc.replace_substring(arr, ",", "")
    if use_comma.any():
        as_comma = pc.replace_substring(pc.replace_substring(arr, ".", ""), ",", ".")
        as_dot = pc.if_else(pa.array(use_comma), as_comma, as_dot)
    s = _series(as_dot, col.index)
    values = _to_float(s)
    values = values.where(~neg_paren, -values.abs())
    values = values.where(values.abs() < MAX_AMOUNT)  # 1e308 is finite, but two of them sum to inf downstream
    values[~present] = np.nan
    bad = pd.Series(present, index=col.index) & values.isna()
    return values, bad


def parse_number(col: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Plain numbers (a decimal comma is accepted); returns (float64 values, bad mask).

    Examples
    --------
    >>> parse_number(pd.Series(["9", "7,5", "x", ""]))[0].tolist()
    [9.0, 7.5, nan, nan]
    """
    if _mostly_repeated(col):
        coded = encode(col)
        values_u, bad_u = parse_number(coded.values)
        return coded.take(values_u.to_numpy(), col.index), pd.Series(coded.mask(bad_u.to_numpy()), index=col.index)
    text = col.astype(str).str.strip()
    present = text != ""
    s = text.str.replace(r"^([-+]?\d+),(\d+)$", r"\1.\2", regex=True)
    values = _to_float(s)
    return values, present & values.isna()


def by_unique(col: pd.Series, func: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Apply ``func`` (Series of unique values -> Series) once per distinct value, then spread back.

    Columns such as statuses or channels hold few distinct values; this keeps per-value work
    off the per-row path.

    Examples
    --------
    >>> by_unique(pd.Series(["a", "b", "a"]), lambda u: u.str.upper()).tolist()
    ['A', 'B', 'A']
    """
    codes, uniques = pd.factorize(col, use_na_sentinel=False)
    done = func(pd.Series(uniques, dtype=col.dtype if len(uniques) else "str"))
    return pd.Series(np.asarray(done.to_numpy(), dtype=object)[codes] if len(uniques) else [],
                     index=col.index, dtype=done.dtype)


def apply_value_map(col: pd.Series, value_map: dict[str, str] | None) -> pd.Series:
    """Replace cells found in a profile's value map (compared case- and punctuation-blind); keep the rest.

    Examples
    --------
    >>> apply_value_map(pd.Series(["Good", "good ", "Offered", "other"]), {"Good": "1", "Offered": ""}).tolist()
    ['1', '1', '', 'other']
    """
    if not value_map:
        return col
    table = {re.sub(r"[\W_]+", "", str(k).casefold()): v for k, v in value_map.items()}

    def per_value(values: pd.Series) -> pd.Series:
        return values.str.lower().str.replace(r"[\W_]+", "", regex=True).map(table).fillna(values)

    return by_unique(col.astype(str), per_value).astype(str)


def _mapped(col: pd.Series, table: dict[str, str] | None, default: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    def per_value(text: pd.Series) -> pd.Series:
        text = text.astype(str).str.strip()
        key = _norm_values(text)
        out = pd.Series(np.nan, index=text.index, dtype="str")
        if table:
            exact = text.map(table)
            norm_table = {re.sub(r"[\W_]+", "", str(k).casefold()): v for k, v in table.items()}
            exact = exact.fillna(key.map(norm_table))
            # pandas-stubs: fillna takes no Series of values, though pandas fills by index from one
            out = out.fillna(exact.astype("str"))  # type: ignore[arg-type]
        return out.fillna(key.map(default).astype("str"))  # type: ignore[arg-type]

    out = by_unique(col, per_value).astype("str")
    present = col.astype(str).str.strip() != ""
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
    ['converted', 'pending', nan, nan]
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
    out = out.where(~unknown, text.astype("str"))
    return out, unknown


def parse_flag(col: pd.Series) -> pd.Series:
    """True where a cell reads as yes/true/1.

    Examples
    --------
    >>> parse_flag(pd.Series(["TRUE", "false", ""])).tolist()
    [True, False, False]
    """
    return _norm_values(col.astype(str)).isin(TRUE_VALUES)
