"""Tables made safe to open in a spreadsheet, and written atomically.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab, CR or LF is read as a
formula by Excel and LibreOffice (OWASP "CSV injection"); such text cells get a
leading apostrophe. Numbers are left alone, so ``-3.5`` stays a number. Files
are UTF-8 with a byte-order mark so that Excel shows accents correctly.

Tables are written a chunk of rows at a time with Arrow kernels
(:mod:`trustnet.report.textcols`): a table of millions of rows never exists as
one string.

>>> import pandas as pd
>>> neutralise(pd.DataFrame({"name": ["=HYPERLINK(1)", "ann", "-x"], "n": [-1, 2, 3]}))["name"].tolist()
["'=HYPERLINK(1)", 'ann', "'-x"]
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .textcols import chunks, has_bytes, join, starts_with_bytes, text, write_lines

__all__ = ["neutralise", "csv_cells", "write_csv", "write_text", "write_bytes", "open_output", "FORMULA_PREFIXES"]

#: Characters that make a spreadsheet evaluate a cell (OWASP's list).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
_FORMULA = "".join(FORMULA_PREFIXES).encode("ascii")
_NEEDS_QUOTES = b',"\r\n'


def _is_text(col: pd.Series) -> bool:
    """Cells a spreadsheet reads as text (the ones that may be formulas): not numbers, dates or booleans."""
    dtype = col.dtype
    return not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))


def _defused(cells: pa.Array) -> pa.Array:
    """Text cells with a leading ``'`` where a spreadsheet would run them as a formula."""
    risky = starts_with_bytes(cells, _FORMULA)
    if not risky.any():
        return cells
    mask = pa.array(risky)
    return pc.replace_with_mask(cells, mask, join(["'", pc.filter(cells, mask)]))


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy where text cells that a spreadsheet would run as a formula start with ``'``.

    >>> import pandas as pd
    >>> neutralise(pd.DataFrame({"a": ["@SUM(A1)", "+1", "ok"]}))["a"].tolist()
    ["'@SUM(A1)", "'+1", 'ok']
    >>> neutralise(pd.DataFrame({"=cmd()": ["x"]})).columns.tolist()
    ["'=cmd()"]
    """
    out = frame.copy()
    out.columns = _defused(pa.array([str(c) for c in out.columns], pa.large_string())).to_pylist()
    for j in range(out.shape[1]):
        col = out.iloc[:, j]
        if not _is_text(col):
            continue
        cells = text(col)
        safe = _defused(cells)
        if safe is not cells:
            risky = pc.fill_null(pc.not_equal(safe, cells), False).to_numpy(zero_copy_only=False)
            out.isetitem(j, col.astype(object).where(~risky, pd.Series(safe.to_pylist(), index=col.index, dtype=object)).to_numpy())
    return out


def csv_cells(col: pd.Series, *, lone: bool = False) -> pa.Array:
    """A column's CSV cells as Arrow text: neutralised, quoted where needed, empty where missing.

    Floats are rounded to 6 decimals and keep a decimal point; datetimes read
    ``YYYY-MM-DD HH:MM:SS``; booleans ``True``/``False``. Quotes go round a cell
    only when it holds a comma, a quote, CR or LF (quotes doubled). ``lone``: the
    table has this one column, so an empty or white-space cell is quoted (readers
    skip a blank line).

    Examples
    --------
    >>> import pandas as pd
    >>> csv_cells(pd.Series(['=1+1', 'a "b", c', None])).to_pylist()
    ["'=1+1", '"a ""b"", c"', '']
    >>> csv_cells(pd.Series([-1.25, 1 / 3, None])).to_pylist()
    ['-1.25', '0.333333', '']
    """
    cells = text(col, digits=6)
    if _is_text(col):
        cells = _defused(cells)
        if has_bytes(cells, _NEEDS_QUOTES):
            needs = pc.fill_null(pc.match_substring_regex(cells, '[,"\\r\\n]'), False)
            quoted = join(['"', pc.replace_substring(pc.filter(cells, needs), '"', '""'), '"'])
            cells = pc.replace_with_mask(cells, needs, quoted)
    if lone:  # quote what a reader would take for a blank line: empty or only white space
        cells = pc.fill_null(cells, "")
        return pc.if_else(pc.match_substring_regex(cells, "^\\s*$"), join(['"', cells, '"']), cells)
    return pc.fill_null(cells, "") if cells.null_count else cells


def write_csv_to(frame: pd.DataFrame, handle: BinaryIO) -> None:
    """Write ``frame`` as UTF-8-with-BOM CSV (``\\n`` line ends) into an open binary file, a chunk of rows at a time."""
    handle.write("\ufeff".encode("utf-8"))
    ncol = frame.shape[1]
    header = pd.Series([str(c) for c in frame.columns], dtype="str")
    handle.write((",".join(csv_cells(header, lone=ncol == 1).to_pylist()) + "\n").encode("utf-8"))
    columns = [frame.iloc[:, j] for j in range(ncol)]
    for rows in chunks(len(frame)) if ncol else []:
        cells = [csv_cells(col.iloc[rows], lone=ncol == 1) for col in columns]
        cells[-1] = join([cells[-1], "\n"])
        write_lines(handle, cells, sep=",")  # the commas as the separator, not as parts: half the time of the join


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def open_output(path: str | Path) -> Iterator[BinaryIO]:
    """Open ``path`` for writing bytes through a temporary file beside it, renamed into place at the end.

    The data reach the disk (``fsync``) before the rename; on an error the
    temporary file is removed and ``path`` is left as it was. Big files are
    written into it a chunk at a time.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "sub" / "a.txt"
    >>> with open_output(path) as handle:
    ...     _ = handle.write(b"one ")
    ...     _ = handle.write(b"two")
    >>> path.read_bytes(), [p.name for p in path.parent.iterdir()]
    (b'one two', ['a.txt'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _atomic_write(path: Path, write: Callable[[BinaryIO], object]) -> Path:
    """Write through a temporary file in the same folder, then rename it into place (every report file comes here)."""
    with open_output(path) as handle:
        write(handle)
    return Path(path)


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a neutralised table as UTF-8-with-BOM CSV, atomically, a chunk of rows at a time.

    Cells follow :func:`csv_cells`; the header row is neutralised and quoted like
    cells; no index.

    >>> import pandas as pd, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = write_csv(pd.DataFrame({"a": ["=1"]}), p)
    >>> p.read_bytes()
    b"\\xef\\xbb\\xbfa\\n'=1\\n"
    """
    return _atomic_write(Path(path), lambda h: write_csv_to(frame, h))


def write_text(text: str, path: str | Path) -> Path:
    """Write UTF-8 text atomically.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> path = write_text("Trust in people: 0.68\\n", folder / "note.txt")
    >>> path.name, path.read_text(encoding="utf-8")
    ('note.txt', 'Trust in people: 0.68\\n')
    """
    data = text.encode("utf-8")
    return _atomic_write(Path(path), lambda h: h.write(data))


def write_bytes(data: bytes, path: str | Path) -> Path:
    """Write bytes atomically.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = write_bytes(b"\\x89PNG", Path(tempfile.mkdtemp()) / "figure.png")
    >>> path.read_bytes()
    b'\\x89PNG'
    """
    return _atomic_write(Path(path), lambda h: h.write(data))
