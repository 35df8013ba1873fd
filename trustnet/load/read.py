"""Reading any supported file into a table of text cells, with its line numbers.

This module knows about bytes, encodings, delimiters and file formats, and
nothing about referrals. :func:`read_table` returns a :class:`RawTable`: every
cell as text (``""`` when empty, never parsed), the original headers, the
line of each row in the file, and the rows that could not be split into the
header's columns.

>>> raw = read_table(io.BytesIO(b"\\xef\\xbb\\xbfa;b\\r\\n007;x\\r\\n"))
>>> raw.headers, raw.frame.iloc[0].tolist(), raw.lines.tolist(), raw.info["delimiter"]
(['a', 'b'], ['007', 'x'], [2], ';')
"""

from __future__ import annotations

import contextlib

import codecs
import csv
import datetime as _dt
import gzip
import io
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from .._memory import release_memory
from ..errors import InputError

__all__ = ["RawTable", "read_table", "source_name", "max_input_bytes", "MAX_INPUT_BYTES", "MAX_COLUMNS"]

#: The largest input read (bytes, after gzip decompression): 1 GiB. The whole file is held in memory
#: and the analysis needs every row at once (the graph, reach and reputation are global), so a bigger
#: file is refused with a message naming the limit instead of running the machine out of memory.
#: Loading peaks at about 10x a CSV's size (a 91 MB, 1.5M-row export: 1.0 GB) and 36x an .xlsx
#: workbook's, so workbooks get a quarter of the bound; set TRUSTNET_MAX_INPUT_MB to move it.
MAX_INPUT_BYTES = 1024 ** 3
#: Environment variable that overrides :data:`MAX_INPUT_BYTES` (in MiB).
MAX_INPUT_ENV = "TRUSTNET_MAX_INPUT_MB"
#: The most columns a table may have: a wider header means the delimiter or the file is wrong.
MAX_COLUMNS = 10_000

_DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_ALIASES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}

# magic numbers of files that are certainly not tables
_BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x7fELF": "a program",
    b"SQLite format 3": "an SQLite database",
    b"PAR1": "a Parquet file",
    b"BZh": "a bzip2 archive",
    b"\xfd7zXZ": "an xz archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
}


@dataclass
class RawTable:
    """A table read from a file, every cell still text.

    Attributes
    ----------
    name : str
        The file name (or ``"<stdin>"``, ``"<DataFrame>"``) used in messages.
    headers : list of str
        The column headers as found (made unique with ``" (2)"`` suffixes).
    frame : pandas.DataFrame
        One column per header (same order, same names), text cells, ``""`` when empty.
    lines : numpy.ndarray
        The line of each row in the file (1-based; the header is line 1 unless noted).
    bad_rows : list of tuple
        ``(line, reason, cells)`` for rows that do not split into the header's columns.
    info : dict
        ``format``, ``encoding``, ``delimiter``, ``compression``, ``sheet``, ``header``.
    warnings : list of str
        Things the reader noticed (encoding guessed, extra header rows skipped...).

    Examples
    --------
    >>> import io
    >>> raw = read_table(io.StringIO("Referrer;Friend\\nann;bob\\nann;cat\\n"))
    >>> raw.headers, raw.lines.tolist()
    (['Referrer', 'Friend'], [2, 3])
    >>> raw.frame["Friend"].tolist()
    ['bob', 'cat']
    >>> raw.info["format"], raw.info["delimiter"], raw.info["encoding"]
    ('semicolon', ';', 'utf-8')
    """

    name: str
    headers: list[str]
    frame: pd.DataFrame
    lines: np.ndarray
    bad_rows: list[tuple[int, str, dict[str, str]]] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def max_input_bytes() -> int:
    """The largest input read, in bytes: ``TRUSTNET_MAX_INPUT_MB`` MiB when set, else :data:`MAX_INPUT_BYTES`.

    Examples
    --------
    >>> max_input_bytes() == MAX_INPUT_BYTES or MAX_INPUT_ENV in os.environ
    True
    """
    value = os.environ.get(MAX_INPUT_ENV, "").strip()
    if value:
        try:
            return max(int(float(value) * 1024 ** 2), 1)
        except ValueError:
            raise InputError(f"{MAX_INPUT_ENV}={value!r} is not a number of megabytes; "
                             "set it to e.g. 4096, or unset it for the default (1024)") from None
    return MAX_INPUT_BYTES


def _size(n: int) -> str:
    return f"{n / 1024 ** 2:,.0f} MB" if n >= 1024 ** 2 else f"{n:,} bytes"


def _too_big(name: str, size: int | None, limit: int, what: str = "the file") -> InputError:
    shown = f"is {_size(size)}, more than" if size is not None else "is larger than"
    return InputError(f"{name}: {what} {shown} the {_size(limit)} trustnet reads (the limit keeps the "
                      "analysis within memory: loading needs about 10x a CSV's size, 36x a workbook's). "
                      f"Split the export by date or provider, or raise the limit with {MAX_INPUT_ENV}=<megabytes> "
                      "on a machine with the memory for it")


def _too_wide(name: str, ncol: int, partial: bool = False) -> InputError:
    counted = f"{ncol:,} columns in its first 256 kB" if partial else f"{ncol:,} columns"
    return InputError(f"{name}: the header has {counted}, more than the {MAX_COLUMNS:,} a table may have; "
                      "the delimiter was probably misread (pass --delimiter) or the file is not an export")


def source_name(source: Any) -> str:
    """A short name for a source, for messages.

    Examples
    --------
    >>> source_name("exports/referrals.csv"), source_name("-")
    ('exports/referrals.csv', '<stdin>')
    """
    if isinstance(source, RawTable):
        return source.name
    if isinstance(source, pd.DataFrame):
        return "<DataFrame>"
    if isinstance(source, (str, Path)):
        return "<stdin>" if str(source) == "-" else str(source)
    return str(getattr(source, "name", "<file object>"))


def read_table(
    source: Any,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    header: bool | None = None,
    compact: bool = False,
) -> RawTable:
    """Read a path, ``"-"`` (stdin), a file object or a DataFrame into a :class:`RawTable`.

    The format (CSV/TSV/semicolon/pipe text, ``.xlsx``, JSON array, JSON Lines),
    the compression (gzip), the encoding (UTF-8 with or without BOM, UTF-16,
    cp1252/latin-1) and the delimiter are detected; ``delimiter``, ``encoding``
    and ``sheet`` override the detection.

    Parameters
    ----------
    source : str, pathlib.Path, file object, pandas.DataFrame or RawTable
        What to read. ``"-"`` reads standard input; a RawTable is returned as is.
    delimiter : str, optional
        Force the delimiter (``","``, ``";"``, ``"tab"``, ``"|"``...).
    encoding : str, optional
        Force the text encoding (any name Python knows).
    sheet : str or int, optional
        Sheet of an ``.xlsx`` workbook (name or 0-based position); default the first.
    header : bool, optional
        Whether the first row is a header; default: yes unless every cell of the
        first row is a number (headerless edge lists).
    compact : bool, default False
        Hold the columns of a delimited file that repeat few values in its first 256 kB (statuses,
        names of touchpoints, providers...) as ``category`` columns of the same text: a fraction
        of the memory for a file of millions of rows. Text cells and ``""`` either way.

    Returns
    -------
    RawTable

    Raises
    ------
    InputError
        When the source is missing, a directory, empty, binary or not a table.

    Examples
    --------
    >>> raw = read_table(io.StringIO("id|name\\n7|Ann\\n"))
    >>> raw.info["delimiter"], raw.frame["name"].tolist()
    ('|', ['Ann'])
    >>> big = read_table(io.StringIO("id,kind\\n" + "".join(f"{i},a\\n" for i in range(3000))), compact=True)
    >>> str(big.frame["id"].dtype), str(big.frame["kind"].dtype), big.frame["kind"].iloc[0]
    ('str', 'category', 'a')
    """
    if isinstance(source, RawTable):
        return source
    name = source_name(source)
    if isinstance(source, pd.DataFrame):
        return _from_dataframe(source, name)
    data = _read_bytes(source, name)
    info: dict[str, Any] = {"compression": None, "sheet": None}
    if data[:2] == b"\x1f\x8b":
        limit = max_input_bytes()
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as unpacked:
                data = unpacked.read(limit + 1)  # bounded: a small archive can unpack to any size
        except (OSError, EOFError, gzip.BadGzipFile) as err:
            raise InputError(f"{name}: the file starts like a gzip archive but cannot be decompressed ({err}); "
                             "check that the download finished, or unpack it and pass the table itself") from err
        info["compression"] = "gzip"
        if len(data) > limit:
            raise _too_big(name, None, limit, "the file, unpacked,")
    if not (data[:65536].strip() or data.strip()):
        raise InputError(f"{name}: the file is empty; expected a table with a header line such as "
                         "'referrer,referred,date' and one row per referral")
    if data[:4] == b"PK\x03\x04":
        if len(data) > max_input_bytes() // 4:
            raise _too_big(name, len(data), max_input_bytes() // 4, "the workbook (save it as CSV to read up to "
                           f"{_size(max_input_bytes())})")
        return _read_xlsx(data, name, sheet, header, info)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputError(f"{name}: this is an old Excel .xls workbook, which trustnet does not read; "
                         "open it in Excel or LibreOffice and save it as .xlsx or CSV")
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise InputError(f"{name}: this is {what}, not a table; expected a CSV, TSV, .xlsx or JSON export")
    head = _utf8_head(data) if encoding is None else None
    if head is not None and head[:4096].lstrip()[:1] not in ("[", "{"):
        # UTF-8 text: sniff the layout on the first 256 kB and hand the file's own bytes to the
        # CSV reader (which checks the rest is UTF-8); decode the whole file only when needed
        held = _Payload(data, 3 if data.startswith(codecs.BOM_UTF8) else 0)
        del data  # the reader lets go of the bytes once parsed (held.data = None): hundreds of MB
        with contextlib.suppress(_NotUtf8, UnicodeDecodeError):  # not UTF-8 after all: decode carefully below
            return _read_delimited(head, name, delimiter, header,
                                   dict(info, encoding="utf-8-sig" if held.start else "utf-8"), [],
                                   utf8=held, full=held.text, compact=compact)
        data = held.whole()
    text, enc, enc_warning = _decode(data, name, encoding)
    info["encoding"] = enc
    warnings = [enc_warning] if enc_warning else []
    if text[:4096].lstrip()[:1] in ("[", "{"):
        parsed = _read_json(text.lstrip(), name)
        if parsed is not None:
            raw = _finish(parsed[0], parsed[1], name, header=True)
            raw.info.update(info, format=parsed[2], delimiter=None, header=True)
            raw.warnings[:0] = warnings
            return raw
    utf8 = _Payload(data, 3 if data.startswith(codecs.BOM_UTF8) else 0)
    del data
    return _read_delimited(text, name, delimiter, header, info, warnings,
                           utf8=utf8 if enc in ("utf-8", "utf-8-sig") else None, compact=compact)


# --- bytes -------------------------------------------------------------------------------

class _Payload:
    """A file's bytes from ``start`` on (past a BOM, without copying them), which the reader may release."""

    def __init__(self, data: bytes, start: int = 0) -> None:
        self.data: bytes | None = data
        self.start = start

    def whole(self) -> bytes:
        if self.data is None:
            raise RuntimeError("the file's bytes were released")
        return self.data

    def view(self) -> memoryview:
        return memoryview(self.whole())[self.start:]

    def count(self, sub: bytes) -> int:
        return self.whole().count(sub, self.start)

    def contains(self, sub: bytes) -> bool:
        return self.whole().find(sub, self.start) >= 0

    def text(self) -> str:
        return str(self.view(), "utf-8")


class _NotUtf8(Exception):
    """The fast UTF-8 path met bytes that are not UTF-8."""


def _utf8_head(data: bytes, size: int = 262144) -> str | None:
    """The first ``size`` bytes decoded as UTF-8, or None when they are not UTF-8 text."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    chunk = data[:size]
    if b"\x00" in chunk:
        return None
    try:
        text = chunk.decode("utf-8")
    except UnicodeDecodeError as err:
        if len(chunk) < len(data) and err.start >= len(chunk) - 3 and err.reason == "unexpected end of data":
            text = chunk[:err.start].decode("utf-8", errors="strict")
        else:
            return None
    return text.lstrip("\ufeff")


def _read_bytes(source: Any, name: str) -> bytes:
    if isinstance(source, (str, Path)):
        if str(source) == "-":
            stream = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else sys.stdin
            return _read_bounded(stream, name)
        path = Path(source)
        if path.is_dir():
            raise InputError(f"{name} is a folder, not a file; pass the export file inside it, "
                             f"e.g. {path / 'referrals.csv'}")
        if not path.exists():
            hint = ""
            if path.parent.is_dir():
                near = sorted(p.name for p in path.parent.iterdir() if p.suffix.lower() in
                              {".csv", ".tsv", ".txt", ".xlsx", ".json", ".jsonl", ".gz"})[:5]
                if near:
                    hint = "; tables in that folder: " + ", ".join(near)
            raise InputError(f"{name} does not exist; check the path{hint}")
        try:
            size = path.stat().st_size
            if size > max_input_bytes():
                raise _too_big(name, size, max_input_bytes())
            with path.open("rb") as handle:
                return _read_bounded(handle, name)
        except OSError as err:
            raise InputError(f"{name} cannot be read ({err.strerror}); check its permissions") from err
    if hasattr(source, "read"):
        return _read_bounded(source, name)
    raise InputError(f"cannot read a table from a {type(source).__name__}; pass a file path, '-' for "
                     "standard input, an open file or a pandas DataFrame")


def _read_bounded(stream: Any, name: str) -> bytes:
    """Read a stream whole, refusing one longer than :func:`max_input_bytes` (pipes have no size)."""
    limit = max_input_bytes()
    data = stream.read(limit + 1)
    data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(data) > limit:
        raise _too_big(name, None, limit, "the input")
    return data


def _decode(data: bytes, name: str, encoding: str | None) -> tuple[str, str, str | None]:
    """Decode bytes; returns (text, encoding name, warning or None)."""
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise InputError(f"{name}: unknown encoding {encoding!r}; use e.g. utf-8, utf-16, cp1252 or latin-1") from None
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as err:
            raise InputError(f"{name}: the file is not valid {encoding} (byte {err.start}); "
                             "leave --encoding out to detect it, or try cp1252") from err
        return text.lstrip("\ufeff"), codec, None
    if data.startswith(codecs.BOM_UTF8):
        enc = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        enc = "utf-16"
    else:
        head = data[:4000]
        even, odd = head[0::2], head[1::2]
        if len(head) >= 4 and odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
            enc = "utf-16-le"
        elif len(head) >= 4 and even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
            enc = "utf-16-be"
        else:
            enc = "utf-8"
    try:
        text = data.decode(enc)
    except UnicodeDecodeError:
        if enc != "utf-8":
            raise InputError(f"{name}: the file looks like {enc} text but cannot be decoded; "
                             "pass --encoding with the right encoding") from None
        if _looks_binary(data):
            raise InputError(f"{name}: this is a binary file, not a table; expected a CSV, TSV, .xlsx or "
                             "JSON export") from None
        try:
            text, enc = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            text, enc = data.decode("latin-1"), "latin-1"
        return text, enc, (f"the file is not UTF-8; read it as {enc} (Windows/Excel). "
                           "Pass --encoding if accents look wrong")
    if "\x00" in text:
        if _looks_binary(data):
            raise InputError(f"{name}: this is a binary file, not a table; expected a CSV, TSV, .xlsx or JSON export")
        nul = text.count("\x00")  # a few stray NUL bytes in a text export: dropped, not a reason to refuse it
        return text.replace("\x00", "").lstrip("\ufeff"), enc, f"removed {nul:,} NUL byte(s) (0x00) from the text"
    return text.lstrip("\ufeff"), enc, None


def _looks_binary(data: bytes) -> bool:
    head = data[:8000]
    control = sum(head.count(bytes([c])) for c in (0, *range(1, 9), 11, 12, *range(14, 27), *range(28, 32)))
    return control > 0.05 * len(head) or head.count(b"\x00") > 0.01 * len(head)


# --- text formats -------------------------------------------------------------------------

def _read_json(text: str, name: str) -> tuple[list[str], pd.DataFrame, str] | None:
    """JSON array of objects, an object holding one, or JSON Lines; None when not JSON."""
    try:
        return _parse_json(text, name)
    except RecursionError:  # [[[[...]]]] thousands deep: Python's parser gives up
        raise InputError(f"{name}: the JSON is nested too deeply to be a table (thousands of levels); expected an "
                         "array of flat objects, one per row; export it again or as CSV") from None


def _parse_json(text: str, name: str) -> tuple[list[str], pd.DataFrame, str] | None:
    fmt = "json"
    try:
        doc = json.loads(text, parse_int=str, parse_float=str)
    except json.JSONDecodeError:
        lines = text.splitlines()
        body = [ln for ln in lines if ln.strip()]
        if not body or not body[0].lstrip().startswith("{"):
            return None
        try:
            doc = json.loads("[" + ",".join(body) + "]", parse_int=str, parse_float=str)
        except json.JSONDecodeError as err:
            raise InputError(f"{name}: the file looks like JSON Lines but is not valid JSON ({err.msg} "
                             f"near character {err.pos}); export it again or as CSV") from err
        fmt = "jsonl"
        line_of: np.ndarray | None = np.array([i + 1 for i, ln in enumerate(lines) if ln.strip()], dtype=np.int64)
    else:
        line_of = None
    if isinstance(doc, dict):
        lists = [v for v in doc.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        if len(lists) == 1:
            doc = lists[0]
        else:
            doc = [doc]
    if not isinstance(doc, list) or not all(isinstance(r, dict) for r in doc):
        raise InputError(f"{name}: the JSON holds no list of records; expected an array of objects such as "
                         '[{"referrer": "ann@x.com", "referred": "bob@y.com"}] or one object per line')
    if not doc:
        raise InputError(f"{name}: the JSON array is empty; it holds no rows")
    frame = pd.json_normalize(doc, sep=" ")
    frame = frame.astype(object).where(frame.notna(), "")
    for col in frame.columns:
        if frame[col].map(type).isin([list, dict, bool]).any():
            frame[col] = frame[col].map(lambda v: json.dumps(v) if isinstance(v, (list, dict)) else
                                        ("true" if v is True else "false" if v is False else v))
    frame = frame.astype(str)
    frame.attrs["lines"] = line_of if line_of is not None else np.arange(1, len(frame) + 1, dtype=np.int64)
    return [str(c) for c in frame.columns], frame, fmt


_QUOTED = re.compile(r'"[^"]*"')


def _sniff_delimiter(sample: list[str]) -> str:
    """The delimiter that splits most sample lines into the same number (> 1) of fields."""
    best, best_score = ",", -1.0
    cleaned = [_QUOTED.sub("", ln) for ln in sample if ln.strip()]
    if not cleaned:
        return ","
    for d in _DELIMITERS:
        counts = np.array([ln.count(d) for ln in cleaned])
        values, freq = np.unique(counts[counts > 0], return_counts=True)
        if not len(values):
            continue
        mode = values[np.argmax(freq)]
        score = float(np.mean(counts == mode)) * 10 + min(int(mode), 50) / 100
        if score > best_score:
            best, best_score = d, score
    return best


def _preamble(sample: list[str], delimiter: str) -> int:
    """How many title lines (a report name, a date) stand above the header: lines with at most
    one or two filled cells, before the first line with as many fields as most lines."""
    cleaned = [_QUOTED.sub("x", ln) for ln in sample]
    counts = np.array([ln.count(delimiter) for ln in cleaned])
    filled = [sum(1 for c in ln.split(delimiter) if c.strip()) for ln in cleaned]
    nonblank = counts[[bool(ln.strip()) for ln in cleaned]]
    if len(nonblank) < 3:
        return 0
    values, freq = np.unique(nonblank, return_counts=True)
    mode = int(values[np.argmax(freq)])
    if mode == 0:
        return 0
    for k, (c, f) in enumerate(zip(counts[:10], filled[:10])):
        if c == mode and f > 1:
            return k
        if c > mode or f > max(1, (mode + 1) // 3):
            return 0
    return 0


def _read_delimited(text: str, name: str, delimiter: str | None, header: bool | None,
                    info: dict[str, Any], warnings: list[str], utf8: _Payload | None = None,
                    full: Any = None, compact: bool = False) -> RawTable:
    """Read delimited text. ``text`` may be only the start of the file when ``full`` (a callable
    returning the whole text) is given; ``utf8`` are the bytes handed to the CSV reader (released
    once read, when the line numbers need them no more)."""
    line_offset = 0
    first_nl = text.find("\n")
    first = text[: first_nl if first_nl >= 0 else len(text)].strip("\r")
    m = re.fullmatch(r'"?sep=(.)"?,*', first.strip(), flags=re.IGNORECASE)
    if m:
        if full is not None:
            text, full = full(), None
            first_nl = text.find("\n")
        delimiter = delimiter or m.group(1)
        text = text[first_nl + 1:] if first_nl >= 0 else ""
        utf8 = None
        line_offset = 1
        warnings.append(f"skipped the Excel 'sep={m.group(1)}' first line")
    if delimiter:
        delimiter = _ALIASES.get(delimiter.lower(), delimiter)
        if len(delimiter) != 1:
            raise InputError(f"{name}: --delimiter must be one character (or tab, comma, semicolon, pipe); "
                             f"got {delimiter!r}")
    else:
        delimiter = _sniff_delimiter(text[:65536].splitlines()[:50])
    skip = _preamble(text[:65536].splitlines()[:50], delimiter)
    if skip:
        if full is not None:
            text, full = full(), None
            if line_offset:
                text = text[text.find("\n") + 1:]
        cut = 0
        for _ in range(skip):
            cut = text.find("\n", cut) + 1
        title = " / ".join(ln.strip() for ln in text[:cut].splitlines() if ln.strip())[:80]
        text, utf8 = text[cut:], None
        line_offset += skip
        warnings.append(f"skipped {skip} title line(s) above the header ({title!r})")
    info.update(format=_DELIMITER_NAMES.get(delimiter, "delimited").replace("comma", "csv")
                .replace("tab", "tsv"), delimiter=delimiter)
    if not text.strip():
        raise InputError(f"{name}: the file holds no table after its first line")
    first_line = text[: text.find("\n") + 1 if "\n" in text else len(text)]
    try:
        head_row = next(csv.reader(io.StringIO(first_line, newline=""), delimiter=delimiter))
    except (csv.Error, StopIteration):
        head_row = first_line.rstrip("\r\n").split(delimiter)
    extra = _trailing_empty_cells(text, delimiter, len(head_row))
    if extra:
        if full is not None:
            text, full = full(), None
        nl = text.find("\n")
        cut = nl - 1 if nl > 0 and text[nl - 1] == "\r" else nl
        text = text[:cut] + delimiter * extra + text[cut:]
        head_row = head_row + [""] * extra
        utf8 = None
        warnings.append(f"data rows end with {extra} empty cell(s) more than the header (a trailing delimiter); "
                        "read as empty columns")
    ncol = max(len(head_row), 1)
    if ncol > MAX_COLUMNS:
        raise _too_wide(name, ncol, partial="\n" not in text and full is not None)
    bad: list[tuple[int, str, int]] = []

    def on_invalid(row: Any) -> str:
        bad.append((int(row.number) if row.number is not None else -1, row.text, row.actual_columns))
        return "skip"

    payload = utf8 if utf8 is not None else _Payload(text.encode("utf-8"))  # the file's own bytes when UTF-8
    repeated = _repeated_columns(text, delimiter, ncol) if compact else set()
    types = {f"f{i}": pa.dictionary(pa.int32(), pa.string()) if i in repeated else pa.string() for i in range(ncol)}

    def read(block_size: int, threads: bool) -> pa.Table:
        bad.clear()
        return pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(payload.view())),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True, use_threads=threads,
                                           block_size=block_size),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True,
                                             newlines_in_values=True, ignore_empty_lines=True,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False),
        )

    try:
        block = 1 << 20  # blocks that fit the cache: 3x faster than 64 MB ones
        try:
            table = read(block, threads=True)
        except pa.ArrowInvalid as err:
            if "straddl" not in str(err):
                raise
            block = 1 << 26  # a record longer than a block (a cell of megabytes)
            table = read(block, threads=True)
        if bad:  # rows that do not split: only the one-thread reader numbers them, so read again with it
            table = read(block, threads=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as err:
        if full is not None and "utf" in str(err).lower():
            raise _NotUtf8(str(err)) from err
        raise InputError(f"{name}: the file cannot be split into columns with delimiter "
                         f"{_DELIMITER_NAMES.get(delimiter, repr(delimiter))} ({err}); pass --delimiter") from err
    n_rows = table.num_rows
    record_line = _record_lines(payload, n_rows + len(bad))
    payload.data = None  # lines numbered: the bytes are not needed again (and may be hundreds of MB)
    columns = list(table.columns)
    del table
    parts = {}
    for i in range(len(columns)):
        col, columns[i] = columns[i], None  # the Arrow column is released as its pandas one is made
        parts[i] = _to_pandas(col)
    frame = pd.DataFrame(parts, index=pd.RangeIndex(n_rows), copy=False)
    release_memory()  # the reader's scratch memory, back to the system for what follows
    if record_line is not None:
        record_line = record_line + line_offset
    bad_numbers = np.array([b[0] for b in bad], dtype=np.int64)
    all_numbers = np.arange(1, len(frame) + len(bad) + 1)
    good_numbers = np.setdiff1d(all_numbers, bad_numbers) if len(bad) else all_numbers
    if len(good_numbers) != len(frame):  # the reader could not number its bad rows; fall back to records
        good_numbers = all_numbers[: len(frame)]
    lines = record_line[good_numbers - 1] if record_line is not None else good_numbers + line_offset
    if record_line is not None:
        bad_lines = [int(record_line[b[0] - 1]) if 0 < b[0] <= len(record_line) else b[0] for b in bad]
    else:
        bad_lines = [b[0] + line_offset for b in bad]
    headers = [str(h) for h in frame.iloc[0].tolist()] if len(frame) else [str(h) for h in head_row]
    if header is None:
        header = not (len(frame) and all(_NUMBER.fullmatch(h.strip() or "x") for h in headers))
    if header:
        data = frame.iloc[1:].reset_index(drop=True)
        data_lines = lines[1:]
    else:
        headers = [f"column {i + 1}" for i in range(ncol)]
        data, data_lines = frame, lines
    raw = _finish(headers, data, name, header=bool(header), lines=np.asarray(data_lines, dtype=np.int64))
    raw.bad_rows = [
        (line, _ragged_reason(n, ncol), _ragged_cells(txt, delimiter, raw.headers))
        for line, (_, txt, n) in zip(bad_lines, bad)
    ]
    raw.info.update(info, header=bool(header))
    raw.warnings[:0] = warnings
    return raw


def _to_pandas(col: pa.ChunkedArray) -> pd.Series:
    """An Arrow text column as pandas ``str``, or a dictionary column as ``category`` (pandas picks the smallest codes)."""
    return pa.Table.from_arrays([col], names=["c"]).to_pandas()["c"]


def _repeated_columns(text: str, delimiter: str, ncol: int) -> set[int]:
    """Columns whose cells repeat in the first 256 kB (at most one distinct value in two):
    read straight into dictionary arrays, they take a fraction of the memory of plain text."""
    lines = text[:262144].split("\n")[1:-1]  # after the header; the last line may be cut short
    try:
        rows = list(csv.reader([ln.rstrip("\r") for ln in lines if ln.strip()], delimiter=delimiter))
    except csv.Error:
        return set()
    if len(rows) < 1000:
        return set()
    return {i for i in range(ncol) if len({r[i] for r in rows if len(r) > i}) <= len(rows) // 2}


def _trailing_empty_cells(text: str, delimiter: str, n_header: int) -> int:
    """How many empty cells most data rows carry beyond the header (0 when they match it)."""
    sample = text[:65536].split("\n")[1:51]
    if len(sample) > 1 and not text[:65536].endswith("\n"):
        sample = sample[:-1]  # the sample may cut the last line short
    try:
        rows = list(csv.reader([ln.rstrip("\r") for ln in sample if ln.strip()], delimiter=delimiter))
    except csv.Error:
        return 0
    if not rows:
        return 0
    longer = [r for r in rows if len(r) > n_header]
    if len(longer) < 0.8 * len(rows) or any(c.strip() for r in longer for c in r[n_header:]):
        return 0
    return min(len(r) for r in longer) - n_header


_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?([eE][-+]?\d+)?")


def _ragged_reason(n: int, ncol: int) -> str:
    if n < ncol:
        return (f"too few cells: {n}, the header has {ncol} (a truncated row, a note or a report footer)")
    return f"too many cells: {n}, the header has {ncol} (a value holds an unquoted delimiter?)"


def _ragged_cells(text: str, delimiter: str, headers: list[str]) -> dict[str, str]:
    try:
        cells = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    except (StopIteration, csv.Error):
        cells = [text]
    out = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers)}
    if len(cells) > len(headers):
        out["(extra cells)"] = delimiter.join(cells[len(headers):])
    return out


def _record_lines(payload: _Payload, n_records: int) -> np.ndarray | None:
    """The 1-based line where each non-empty record starts (quoted newlines respected).

    Returns None when the count does not match what the CSV reader found.
    """
    n_newlines = payload.count(b"\n")
    # As many records as lines: a skipped blank line or a quoted newline would make fewer, and only a
    # lone CR (an old Mac line break) could make up for them; without one, every line is one record.
    if n_newlines == n_records - (0 if payload.whole().endswith(b"\n") else 1) \
            and (not payload.contains(b"\r") or payload.count(b"\r") == payload.count(b"\r\n")):
        return np.arange(1, n_records + 1, dtype=np.int64)
    arr = np.frombuffer(payload.view(), dtype=np.uint8)
    newlines = np.flatnonzero(arr == 10)
    quotes = np.flatnonzero(arr == 34)
    if len(quotes):
        inside = (np.searchsorted(quotes, newlines) % 2) == 1
        ends = newlines[~inside]
    else:
        ends = newlines
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(arr)]))
    length = stops - starts
    cr_only = np.zeros(len(starts), dtype=bool)
    one = length == 1
    if one.any():
        cr_only[one] = arr[np.minimum(starts[one], len(arr) - 1)] == 13
    keep = (length > 0) & ~cr_only
    starts = starts[keep]
    if len(starts) != n_records:
        return None
    return np.searchsorted(newlines, starts) + 1


def _read_xlsx(data: bytes, name: str, sheet: str | int | None, header: bool | None,
               info: dict[str, Any]) -> RawTable:
    import openpyxl  # noqa: F401  (pandas' engine; imported here to fail with a clear message)

    try:
        book = pd.ExcelFile(io.BytesIO(data), engine="openpyxl")
    except Exception as err:  # zip files that are not workbooks raise many kinds of errors
        raise InputError(f"{name}: the file is a zip archive but not an .xlsx workbook ({err}); "
                         "unpack it, or export the table as .xlsx or CSV") from err
    names = book.sheet_names
    if sheet is None:
        chosen: str | int = names[0]
    elif isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in names):
        idx = int(sheet)
        if idx >= len(names):
            raise InputError(f"{name}: the workbook has {len(names)} sheet(s) ({', '.join(map(str, names))}); "
                             f"there is no sheet number {idx}")
        chosen = names[idx]
    elif sheet in names:
        chosen = sheet
    else:
        raise InputError(f"{name}: no sheet named {sheet!r}; the sheets are: "
                         + ", ".join(repr(n) for n in names) + "; pass --sheet NAME")
    grid = pd.read_excel(book, sheet_name=chosen, header=None, dtype=object)
    grid = grid.dropna(how="all", axis=1)
    filled = grid.notna().any(axis=1).to_numpy()
    if filled.any():  # a table placed lower down the sheet: its first filled row is the header
        grid = grid.iloc[int(np.argmax(filled)):]
    if grid.empty or not filled.any():
        raise InputError(f"{name}: sheet {chosen!r} is empty; pass --sheet with the sheet holding the table "
                         f"(sheets: {', '.join(map(str, names))})")
    lines = grid.index.to_numpy(dtype=np.int64) + 1
    text = grid.apply(_excel_text)
    first_row = text.iloc[0].tolist()
    if header is None:
        header = not all(_NUMBER.fullmatch(h.strip() or "x") for h in first_row)
    if header:
        headers, rows, data_lines = first_row, text.iloc[1:].reset_index(drop=True), lines[1:]
    else:
        headers = [f"column {i + 1}" for i in range(text.shape[1])]
        rows, data_lines = text.reset_index(drop=True), lines
    raw = _finish(headers, rows, name, header=bool(header), lines=data_lines)
    raw.info.update(info, format="xlsx", encoding=None, delimiter=None, sheet=chosen, header=bool(header))
    if len(names) > 1 and sheet is None:
        raw.warnings.append(f"read the first sheet {chosen!r} of {len(names)} ({', '.join(map(str, names))}); "
                            "pass --sheet NAME for another")
    return raw


def _excel_text(col: pd.Series) -> pd.Series:
    """Excel cells as text: whole numbers without '.0', dates and times in ISO form.

    openpyxl hands over Python objects (its own per-cell work dominates); the cells are
    classified once per distinct type and converted a whole group at a time.
    """
    out = col.astype(object)
    kinds = out.map(type)
    res = pd.Series("", index=col.index, dtype=object)
    for kind in kinds.unique():
        sel = (kinds == kind).to_numpy()
        values = out[sel]
        if kind is type(None) or (kind is float and values.isna().all()):
            continue
        if issubclass(kind, (bool, np.bool_)):
            res[sel] = values.map({True: "true", False: "false"}).to_numpy()
        elif issubclass(kind, (int, float, np.number)):
            nums = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
            text = pd.Series(nums).astype(str).to_numpy(dtype=object)
            whole = np.isfinite(nums) & (np.abs(nums) < 1e15)
            whole[whole] = nums[whole] == np.round(nums[whole])
            text[whole] = nums[whole].astype(np.int64).astype(str)
            text[~np.isfinite(nums)] = ""
            res[sel] = text
        elif kind in (pd.Timestamp, _dt.datetime):
            res[sel] = pd.to_datetime(values).dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy()
        elif kind in (_dt.date, _dt.time):
            res[sel] = values.map(lambda v: v.isoformat()).to_numpy()
        else:
            res[sel] = values.astype(str).to_numpy()
    return res.astype(str)


def _from_dataframe(df: pd.DataFrame, name: str) -> RawTable:
    frame = df.reset_index(drop=True)
    lines = np.arange(2, len(df) + 2, dtype=np.int64)
    if "source_line" in frame.columns:  # a table trustnet produced: keep its line numbers, not as a column
        given = pd.to_numeric(frame["source_line"], errors="coerce")
        if given.notna().all():
            lines = given.to_numpy(dtype=np.int64)
        frame = frame.drop(columns=["source_line"])
    text = pd.DataFrame({i: _cell_text(frame.iloc[:, i]) for i in range(frame.shape[1])})
    raw = _finish([str(c) for c in frame.columns], text, name, header=True, lines=lines)
    raw.info.update(format="dataframe", encoding=None, delimiter=None, compression=None, sheet=None, header=True)
    return raw


def _cell_text(col: pd.Series) -> pd.Series:
    """A DataFrame column as text cells, vectorised: whole floats without '.0', dates in ISO form."""
    missing = col.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(col):
        out = col.dt.strftime("%Y-%m-%d %H:%M:%S").astype(object)
    elif pd.api.types.is_float_dtype(col):
        vals = col.to_numpy(dtype=float, na_value=np.nan)
        whole = np.isfinite(vals) & (np.abs(vals) < 1e15)
        whole[whole] = vals[whole] == np.round(vals[whole])
        out = col.astype(str).astype(object)
        out[whole] = vals[whole].astype(np.int64).astype(str)
    elif pd.api.types.is_string_dtype(col) and not pd.api.types.is_object_dtype(col):
        out = col.astype(object)
    else:
        out = col.astype(str).astype(object)
    out[missing] = ""
    return pd.Series(out, index=col.index).astype(str)


def _finish(headers: list[str], data: pd.DataFrame, name: str, *, header: bool,
            lines: np.ndarray | None = None) -> RawTable:
    """Give columns unique header names; build the RawTable."""
    if len(headers) > MAX_COLUMNS:
        raise _too_wide(name, len(headers))
    seen: dict[str, int] = {}
    unique = []
    for i, h in enumerate(headers):
        h = (h or "").strip() or f"column {i + 1}"
        if h in seen:
            seen[h] += 1
            h = f"{h} ({seen[h]})"
        else:
            seen[h] = 1
        unique.append(h)
    if lines is None:
        lines = data.attrs.get("lines", np.arange(2, len(data) + 2, dtype=np.int64))
        if not header:
            lines = lines - 1
    data = data.copy() if data.attrs else data
    data.attrs = {}
    data.columns = unique
    other = [c for c, t in data.dtypes.items() if t != "str" and not isinstance(t, pd.CategoricalDtype)]
    if other:  # text cells everywhere (category columns of text, from compact=True, stay so)
        data = data.astype({c: str for c in other})
    data = data.reset_index(drop=True)
    return RawTable(name=name, headers=unique, frame=data, lines=np.asarray(lines, dtype=np.int64), info={})
