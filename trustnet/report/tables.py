"""Tables made safe to open in a spreadsheet, and written atomically.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab, CR or LF is read as a
formula by Excel and LibreOffice (OWASP "CSV injection"); such text cells get a
leading apostrophe. Numbers are left alone, so ``-3.5`` stays a number. Files
are UTF-8 with a byte-order mark so that Excel shows accents correctly.

>>> import pandas as pd
>>> neutralise(pd.DataFrame({"name": ["=HYPERLINK(1)", "ann", "-x"], "n": [-1, 2, 3]}))["name"].tolist()
["'=HYPERLINK(1)", 'ann', "'-x"]
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

import pandas as pd

__all__ = ["neutralise", "write_csv", "write_text", "write_bytes", "FORMULA_PREFIXES"]

#: Characters that make a spreadsheet evaluate a cell (OWASP's list).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy where text cells that a spreadsheet would run as a formula start with ``'``.

    >>> import pandas as pd
    >>> neutralise(pd.DataFrame({"a": ["@SUM(A1)", "+1", "ok"]}))["a"].tolist()
    ["'@SUM(A1)", "'+1", 'ok']
    >>> neutralise(pd.DataFrame({"=cmd()": ["x"]})).columns.tolist()
    ["'=cmd()"]
    """
    out = frame.copy()
    names = pd.Series([str(c) for c in out.columns], dtype=object)
    risky_names = names.str.startswith(FORMULA_PREFIXES).to_numpy(bool)
    if risky_names.any():  # headers are cells too (rejected rows keep the export's own headers)
        out.columns = names.where(~risky_names, "'" + names).tolist()
    for name in out.columns:
        col = out[name]
        if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_datetime64_any_dtype(col) or pd.api.types.is_bool_dtype(col):
            continue
        text = col.astype("str")
        risky = text.str.startswith(FORMULA_PREFIXES).fillna(False).to_numpy(bool) & col.notna().to_numpy(bool)
        if risky.any():
            out[name] = col.astype(object).where(~risky, "'" + text.astype(object))
    return out


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _atomic_write(path: Path, write: Callable[[BinaryIO], object]) -> Path:
    """Write through a temporary file in the same folder, then rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a neutralised table as UTF-8-with-BOM CSV, atomically.

    >>> import pandas as pd, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = write_csv(pd.DataFrame({"a": ["=1"]}), p)
    >>> p.read_bytes()
    b"\\xef\\xbb\\xbfa\\n'=1\\n"
    """
    safe = neutralise(frame)
    for name in safe.columns:
        if pd.api.types.is_float_dtype(safe[name]):
            safe[name] = safe[name].round(6)
    data = safe.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d %H:%M:%S").encode("utf-8-sig")
    return _atomic_write(Path(path), lambda h: h.write(data))


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
