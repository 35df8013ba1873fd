"""Node attributes: one row per person (site, role, seniority...) to add to a network's nodes.

A node file is a table with an id column and any number of attribute columns:
CSV/TSV/xlsx with a header (the id column is the one named ``id``, ``node``,
``person``, ``name`` or ``user``, else the first), or a whitespace-separated
text file such as ``ICHPS_nodecov.dat``. Attributes that are all numbers become
numbers; the rest stay text.

Known public layouts (:data:`KNOWN_LAYOUTS`) are read without options. The
physicians' advice network of Keating et al. (2007) ships ``ICHPS_nodecov.dat``
without a header, columns ``id male whexpert pctwom numsess practice sumhrt``;
its ``id`` column holds the survey's numbers (102-137, three unused), while the
edge list numbers the physicians 1-33: row *i* of the node file is physician
*i* of the edge list. (Checked on the data: with that reading 53% of the 163
advice ties stay within one practice site, against 35% expected when sites are
shuffled, p = 0.002 over 2,000 shuffles; the survey numbers match no id of the
edge list at all.) The survey number is kept as ``survey_id``.

>>> t = load_node_attributes(io.StringIO("id,site\\n1,north\\n2,south\\n"))
>>> t.values.tolist()
[['1', 'north'], ['2', 'south']]
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from ..errors import InputError

__all__ = ["load_node_attributes", "KNOWN_LAYOUTS", "NODE_ID"]

#: The id column of the returned table.
NODE_ID = "id"

_ID_NAMES = ("id", "node", "person", "name", "user", "user_id", "node_id", "vertex")

#: File name -> (column names, whether the network's ids are the 1-based row numbers).
KNOWN_LAYOUTS: dict[str, tuple[tuple[str, ...], bool]] = {
    "ICHPS_nodecov.dat": (("survey_id", "male", "whexpert", "pctwom", "numsess", "practice", "sumhrt"), True),
}


def _numeric_or_text(col: pd.Series) -> pd.Series:
    text = col.astype("str").str.strip()
    number = pd.to_numeric(text, errors="coerce")
    if number.notna().all() and len(text):
        return number.astype("int64") if (number == number.round()).all() else number.astype("float64")
    return text.where(text != "", pd.NA)


def load_node_attributes(source: Any, *, names: Sequence[str] | None = None, id_column: str | None = None,
                         ids_are_rows: bool | None = None) -> pd.DataFrame:
    """Read a node file: the person id and one column per attribute.

    Parameters
    ----------
    source : path, file object or DataFrame
        A table with a header (CSV, TSV, xlsx...), a headerless whitespace- or
        comma-separated text file, or a DataFrame.
    names : sequence of str, optional
        Column names for a headerless file (the id column first, unless
        ``ids_are_rows``); default: the known layout of the file name, else ``id``,
        ``attribute_1``, ``attribute_2``...
    id_column : str, optional
        The id column; default the one named ``id``/``node``/``person``/``name``/``user``, else the first.
    ids_are_rows : bool, optional
        The network numbers people by the file's row (1, 2, ...); set by the known layouts.

    Returns
    -------
    DataFrame
        ``id`` (text) first, then the attributes, one row per person.

    Raises
    ------
    InputError
        When the file cannot be read, has no rows, the id column is missing, or ids repeat.

    Examples
    --------
    >>> t = load_node_attributes(io.StringIO(" 102 0 2\\n 104 1 3\\n"), names=["survey_id", "male", "site"],
    ...                          ids_are_rows=True)
    >>> t.values.tolist()
    [['1', 102, 0, 2], ['2', 104, 1, 3]]
    """
    name = getattr(source, "name", None) or (str(source) if isinstance(source, (str, Path)) else "<node table>")
    label = Path(str(name)).name
    if names is None and label in KNOWN_LAYOUTS:
        names, rows = KNOWN_LAYOUTS[label]
        ids_are_rows = rows if ids_are_rows is None else ids_are_rows
    if isinstance(source, pd.DataFrame):
        frame = source.astype(str)
    else:
        frame = _read(source, label, names)
    if names is not None and len(frame.columns) != len(names):
        raise InputError(f"node file {label}: {len(frame.columns)} columns, but {len(names)} names were given "
                         f"({', '.join(names)}); give one name per column")
    if not len(frame):
        raise InputError(f"node file {label} has no rows; expected one row per person")
    if ids_are_rows:
        ids = pd.Series([str(i) for i in range(1, len(frame) + 1)], index=frame.index, dtype="str")
    else:
        cols = [str(c) for c in frame.columns]
        if id_column is None:
            id_column = next((c for c in cols if c.strip().lower() in _ID_NAMES), cols[0])
        if id_column not in cols:
            raise InputError(f"node file {label} has no column {id_column!r}: found {', '.join(map(repr, cols))}; "
                             "name the id column")
        ids = frame[id_column].astype("str").str.strip()
        frame = frame.drop(columns=[id_column])
        dup = ids.duplicated()
        if dup.any():
            raise InputError(f"node file {label}: the id(s) {', '.join(ids[dup].head(5))} occur more than once; "
                             "one row per person is expected")
    out = pd.DataFrame({NODE_ID: ids.astype("str").to_numpy()})
    for col in frame.columns:
        out[str(col)] = _numeric_or_text(frame[col]).to_numpy()
    return out


def _read(source: Any, label: str, names: Sequence[str] | None) -> pd.DataFrame:
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise InputError(f"node file {source} not found; give the path of a table with one row per person")
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return pd.read_excel(path, dtype=str, header=None if names else 0,
                                 names=list(names) if names is not None else None)
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    else:
        data = source.read()
        text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise InputError(f"node file {label} is empty; expected one row per person")
    first = lines[0]
    sep = "\t" if "\t" in first else "," if "," in first else ";" if ";" in first else r"\s+"
    cells = [c.strip().strip('"') for c in (first.split() if sep == r"\s+" else first.split(sep.replace("\\", "")))]
    headerless = names is not None or all(_is_number(c) for c in cells if c)
    frame = pd.read_csv(io.StringIO("\n".join(lines)), sep=sep, header=None if headerless else 0, dtype=str,
                        engine="python" if sep == r"\s+" else "c", skipinitialspace=True)
    if headerless:
        frame.columns = list(names) if names is not None else (
            [NODE_ID] + [f"attribute_{i}" for i in range(1, frame.shape[1])])
    return frame


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
