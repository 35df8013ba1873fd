"""Graph files for Gephi and networkx: GEXF 1.3, GraphML, node-link JSON and Gephi's CSV tables.

Written straight from the node and edge tables, a chunk of rows at a time with
Arrow kernels (:mod:`trustnet.report.textcols`), rather than through a networkx
graph, which at a million customers would cost more than the whole analysis.
Nodes carry their roles, dates, value and trust; referral edges carry their date
as ``start``, so Gephi's timeline replays how the network grew; person →
provider edges carry the three trust dimensions. Numbers in GEXF and GraphML
keep 6 significant digits; node-link JSON keeps every digit.

>>> import pandas as pd
>>> from trustnet.graph import build_graph
>>> G = build_graph(pd.DataFrame({"referrer": ["a<"], "referred": ["b"], "referred_at": ["2025-01-02"]}))
>>> text = gexf(graph_tables(G))
>>> 'version="1.3"' in text and 'a&lt;' in text and 'start="2025-01-02"' in text
True
"""

from __future__ import annotations

import collections
import io
import itertools
from dataclasses import dataclass
from json.encoder import encode_basestring as _encode_str  # json.dumps of a str, ensure_ascii=False
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema as S
from . import tables as tables_module
from .textcols import chunks, has_bytes, join, number_text, text, wrap, write_lines

__all__ = ["GraphTables", "graph_tables", "gexf", "graphml", "node_link_json", "gephi_tables",
           "write_gexf", "write_graphml", "write_gexf_and_graphml", "write_node_link_json"]

_TRUST_COLUMNS = ("people", "process", "platform", "overall")
_ROLES = ("provider", "advocate", "customer")


@dataclass(frozen=True)
class GraphTables:
    """Node and edge tables ready to serialise (ids as text, dates as ISO text).

    Examples
    --------
    >>> import pandas as pd
    >>> import trustnet
    >>> raw = pd.DataFrame({"referrer": ["ann", "ann", "bob"], "referred": ["bob", "cat", "dan"],
    ...                     "date": ["2025-01-05", "2025-02-10", "2025-03-01"]})
    >>> analysis = trustnet.analyse(raw)
    >>> tables = graph_tables(analysis.graph)
    >>> tables.nodes[["id", "roles"]].head(2)
        id              roles
    0  ann           advocate
    1  bob  advocate customer
    >>> tables.edges[["source", "target", "kind", "start"]].head(2)
      source target      kind       start
    0    ann    bob  referral  2025-01-05
    1    ann    cat  referral  2025-02-10
    """

    nodes: pd.DataFrame  # id, label, start, + attributes
    edges: pd.DataFrame  # source, target, kind, start, weight, + attributes


def _iso_date(col: pd.Series) -> pd.Series:
    """Dates as ``YYYY-MM-DD`` text (missing stays missing), as a string column."""
    days = pc.cast(pa.array(col, from_pandas=True), pa.date32(), safe=False)
    return pd.Series(pc.cast(days, pa.large_string()).to_pandas(), dtype="str")


def _text_column(col: pd.Series) -> pd.Series:
    return col.astype("str").reset_index(drop=True)


def _stacked(*parts: pd.Series) -> pd.Series:
    """Text columns one after the other as one ``str`` column, sharing their Arrow buffers (no copy)."""
    chunks: list[pa.Array] = []
    for part in parts:
        arr = pa.array(part if part.dtype == "str" else part.astype("str"), from_pandas=True)
        for chunk in arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]:
            chunks.append(chunk if chunk.type == pa.large_string() else pc.cast(chunk, pa.large_string()))
    return pd.Series(pd.array(pa.chunked_array(chunks, pa.large_string()), dtype="str"))


def _padded_category(col: pd.Series, missing: int) -> pd.Categorical:
    """``col`` as a category of text, followed by ``missing`` empty values."""
    codes, uniques = pd.factorize(col.astype("str"))
    return pd.Categorical.from_codes(np.r_[codes, np.full(missing, -1, codes.dtype)],
                                     categories=pd.Index(uniques, dtype="str"))


def graph_tables(graph: Any, relationships: pd.DataFrame | None = None, node_data: pd.DataFrame | None = None) -> GraphTables:
    """Collect the nodes and edges to export: referral edges and person → provider relationships.

    ``relationships`` (aligned with ``graph.relationships``, e.g. trust
    scores) and ``node_data`` (aligned with ``graph.nodes``) add attributes.

    Examples
    --------
    >>> import pandas as pd
    >>> import trustnet
    >>> raw = pd.DataFrame({"referrer": ["ann", "ann", "bob"], "referred": ["bob", "cat", "dan"],
    ...                     "date": ["2025-01-05", "2025-02-10", "2025-03-01"]})
    >>> analysis = trustnet.analyse(raw)
    >>> tables = graph_tables(analysis.graph, analysis.relationships)
    >>> tables.edges["kind"].value_counts().to_dict()
    {'referral': 3, 'advocate': 2, 'customer': 2}
    >>> "overall" in tables.edges.columns
    True
    """
    nodes = graph.nodes
    flags = [nodes[f"is_{role}"].to_numpy(bool) for role in _ROLES]
    code = flags[0] * 4 + flags[1] * 2 + flags[2]  # which roles, as 3 bits
    names = [" ".join(r for r, bit in zip(_ROLES, (4, 2, 1)) if c & bit) for c in range(8)]
    roles = pd.Categorical.from_codes(code.astype(np.int8), categories=pd.Index(names, dtype="str"))
    ids = _text_column(nodes["id"])
    node_table = pd.DataFrame({
        "id": ids,
        "label": ids,
        "start": _iso_date(nodes["first_seen"]),
        "roles": roles,
        "value": nodes["value"].to_numpy(float),
        "referrals_made": nodes["referrals_made"].to_numpy(),
    })
    if node_data is not None:
        for col in ("reputation", "reputation_pct", "untrustworthy_score"):
            if col in node_data:
                node_table[col] = node_data[col].to_numpy()
    # edges: the referrals, then the person → provider relationships; each column built once at its full
    # length (text columns share the parts' Arrow buffers; few-valued columns are categories)
    refs = graph.referrals
    rels = graph.relationships
    keep = (rels["kind"] != "referred_by").to_numpy()
    kept = rels.loc[keep, ["truster", "trustee", "kind", "first_seen"]]  # only what is exported: no copy of the rest
    n_ref, n_rel = len(refs), len(kept)
    kinds = pd.Index(["referral", *[k for k in pd.unique(kept["kind"].astype("str")) if k != "referral"]], dtype="str")
    edges = pd.DataFrame({
        "source": _stacked(refs[S.REFERRER], kept["truster"]),
        "target": _stacked(refs[S.REFERRED], kept["trustee"]),
        "kind": pd.Categorical.from_codes(
            np.r_[np.zeros(n_ref, np.int64), kinds.get_indexer(kept["kind"].astype("str"))], categories=kinds),
        "start": _stacked(_iso_date(refs[S.REFERRED_AT]), _iso_date(kept["first_seen"])),
        "weight": np.ones(n_ref + n_rel),
        "provider": _padded_category(refs[S.PROVIDER], n_rel),
        "status": _padded_category(refs[S.STATUS], n_rel),
    })
    if relationships is not None:
        for col in _TRUST_COLUMNS:
            if col in relationships:
                values = np.full(n_ref + n_rel, np.nan)
                values[n_ref:] = relationships[col].to_numpy(float)[keep]
                edges[col] = values
    return GraphTables(node_table, edges)


_XML_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("\n", "&#10;"), ("\r", "&#13;"), ("\t", "&#9;"))
_XML_FORBIDDEN = bytes(c for c in range(32) if c not in (9, 10, 13))  # control characters XML 1.0 cannot hold: dropped
_JSON_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"), ("\b", "\\b"), ("\f", "\\f"))
_CONTROL = bytes(range(32))


def _replace_all(values: pa.Array, pairs: tuple[tuple[str, str], ...]) -> pa.Array:
    for a, b in pairs:
        if has_bytes(values, a.encode("ascii")):
            values = pc.replace_substring(values, a, b)
    return values


def _xml_escape(values: pa.Array) -> pa.Array:
    """Text for an XML attribute or element: ``& < > "`` and line breaks as entities, other control characters dropped."""
    if not has_bytes(values, b'&<>"' + _CONTROL):
        return values
    if has_bytes(values, _XML_FORBIDDEN):
        values = pc.replace_substring_regex(values, "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]", "")
    return _replace_all(values, _XML_ENTITIES)


def _json_escape(values: pa.Array) -> pa.Array:
    """The inside of JSON string literals, as ``json.dumps(value, ensure_ascii=False)`` writes them."""
    if has_bytes(values, b'\\"' + _CONTROL):
        values = _replace_all(values, _JSON_ESCAPES)
        if has_bytes(values, _CONTROL):
            values = _replace_all(values, tuple((chr(c), f"\\u{c:04x}") for c in range(32)))
    return values


def _attr_types(frame: pd.DataFrame, skip: tuple[str, ...]) -> dict[str, str]:
    types = {}
    for col in frame.columns:
        if col in skip:
            continue
        if pd.api.types.is_bool_dtype(frame[col]):
            types[col] = "boolean"
        elif pd.api.types.is_integer_dtype(frame[col]):
            types[col] = "long"
        elif pd.api.types.is_float_dtype(frame[col]):
            types[col] = "double"
        else:
            types[col] = "string"
    return types


def _xml_values(col: pd.Series, kind: str) -> pa.Array:
    """An attribute's XML text (null where missing): GEXF/GraphML booleans, 6 significant digits, escaped text."""
    if kind == "boolean":
        return text(col, booleans=("true", "false"))
    if kind == "double":
        return number_text(col, significant=6, point=False)
    if kind == "long":
        return text(col)
    return _xml_escape(text(col))


def _json_values(col: pd.Series) -> tuple[pa.Array, str]:
    """A column's JSON values (null where missing) and the quote around them: numbers in full, ``true``/``false``, strings."""
    if pd.api.types.is_bool_dtype(col.dtype):
        return text(col, booleans=("true", "false")), ""
    if pd.api.types.is_float_dtype(col.dtype):
        return number_text(col, infinity=("Infinity", "-Infinity")), ""
    if pd.api.types.is_integer_dtype(col.dtype):
        return text(col), ""
    return _json_escape(text(col)), '"'


def _stream(write: Callable[[BinaryIO], None]) -> str:
    buffer = io.BytesIO()
    write(buffer)
    return buffer.getvalue().decode("utf-8")


class _XmlText:
    """The XML text of the columns of the chunk being written, made once per column.

    GEXF and GraphML hold the same attribute text; written side by side (:func:`write_gexf_and_graphml`),
    the two files share one of these and each column of a chunk is formatted once, not twice.
    """

    def __init__(self) -> None:
        self.chunk: tuple[str, int] | None = None
        self.texts: dict[tuple[str, str], pa.Array] = {}

    def __call__(self, tag: str, rows: slice, part: pd.DataFrame, column: str, kind: str) -> pa.Array:
        if self.chunk != (tag, rows.start):
            self.chunk, self.texts = (tag, rows.start), {}
        key = (column, kind)
        if key not in self.texts:
            self.texts[key] = _xml_values(part[column], kind)
        return self.texts[key]


def _drain(steps: Iterator[Any]) -> None:
    """Run a writer that yields after each chunk to its end."""
    collections.deque(steps, maxlen=0)


def _write_gexf(tables: GraphTables, handle: BinaryIO, description: str, xml: _XmlText | None = None) -> Iterator[None]:
    """Write GEXF into ``handle``, yielding after each chunk of rows (see :func:`write_gexf_and_graphml`)."""
    from .. import __version__

    xml = xml or _XmlText()

    nodes, edges = tables.nodes.reset_index(drop=True), tables.edges.reset_index(drop=True)
    ntypes = _attr_types(nodes, ("id", "label", "start"))
    etypes = _attr_types(edges, ("source", "target", "start", "weight"))
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">',
        f'  <meta><creator>trustnet {__version__}</creator><description>{description}</description></meta>',
        '  <graph defaultedgetype="directed" mode="dynamic" timeformat="date">',
        '    <attributes class="node" mode="static">',
        *[f'      <attribute id="n{i}" title="{c}" type="{t}"/>' for i, (c, t) in enumerate(ntypes.items())],
        '    </attributes>',
        '    <attributes class="edge" mode="static">',
        *[f'      <attribute id="e{i}" title="{c}" type="{t}"/>' for i, (c, t) in enumerate(etypes.items())],
        '    </attributes>',
        '    <nodes>',
        '',
    ]
    handle.write("\n".join(head).encode("utf-8"))
    for rows in chunks(len(nodes)):
        part = nodes.iloc[rows]
        parts = ['      <node id="', xml("node", rows, part, "id", "string"), '" label="',
                 xml("node", rows, part, "label", "string"), '"',
                 *wrap(' start="', xml("node", rows, part, "start", "string"), '"'), "><attvalues>"]
        for i, (c, t) in enumerate(ntypes.items()):
            parts += wrap(f'<attvalue for="n{i}" value="', xml("node", rows, part, c, t), '"/>')
        write_lines(handle, [*parts, "</attvalues></node>\n"])
        yield
    handle.write(b"    </nodes>\n    <edges>\n")
    for rows in chunks(len(edges)):
        part = edges.iloc[rows]
        ids = pa.array(np.arange(rows.start, rows.stop)).cast(pa.large_string())
        parts = ['      <edge id="', ids, '" source="', xml("edge", rows, part, "source", "string"), '" target="',
                 xml("edge", rows, part, "target", "string"), '"',
                 *wrap(' weight="', xml("edge", rows, part, "weight", "double"), '"'),
                 *wrap(' start="', xml("edge", rows, part, "start", "string"), '"'), "><attvalues>"]
        for i, (c, t) in enumerate(etypes.items()):
            parts += wrap(f'<attvalue for="e{i}" value="', xml("edge", rows, part, c, t), '"/>')
        write_lines(handle, [*parts, "</attvalues></edge>\n"])
        yield
    handle.write(b"    </edges>\n  </graph>\n</gexf>\n")


def gexf(tables: GraphTables, description: str = "trustnet referral and trust network") -> str:
    """GEXF 1.3 text: dynamic graph with node and edge ``start`` dates (Gephi's timeline).

    :func:`write_gexf` writes the same to a file without holding it in memory.

    Examples
    --------
    >>> import pandas as pd
    >>> import trustnet
    >>> raw = pd.DataFrame({"referrer": ["ann", "ann", "bob"], "referred": ["bob", "cat", "dan"],
    ...                     "date": ["2025-01-05", "2025-02-10", "2025-03-01"]})
    >>> analysis = trustnet.analyse(raw)
    >>> text = gexf(graph_tables(analysis.graph))
    >>> text.startswith('<?xml version="1.0" encoding="UTF-8"?>'), text.count("<node "), text.count("<edge ")
    (True, 5, 7)
    """
    return _stream(lambda h: _drain(_write_gexf(tables, h, description)))


def write_gexf(tables: GraphTables, path: str | Path, description: str = "trustnet referral and trust network") -> Path:
    """Write :func:`gexf` to ``path``, atomically, a chunk of rows at a time.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> from pathlib import Path
    >>> t = GraphTables(pd.DataFrame({"id": ["a", "b"], "label": ["a", "b"], "start": ["2025-01-02", None]}),
    ...                 pd.DataFrame({"source": ["a"], "target": ["b"], "start": [None], "weight": [1.0]}))
    >>> path = write_gexf(t, Path(tempfile.mkdtemp()) / "g.gexf")
    >>> path.read_text(encoding="utf-8").count("<edge "), 'start="2025-01-02"' in path.read_text(encoding="utf-8")
    (1, True)
    """
    return tables_module._atomic_write(Path(path), lambda handle: _drain(_write_gexf(tables, handle, description)))


def _write_graphml(tables: GraphTables, handle: BinaryIO, xml: _XmlText | None = None) -> Iterator[None]:
    """Write GraphML into ``handle``, yielding after each chunk of rows (see :func:`write_gexf_and_graphml`)."""
    xml = xml or _XmlText()
    nodes, edges = tables.nodes.reset_index(drop=True), tables.edges.reset_index(drop=True)
    ntypes = _attr_types(nodes, ("id",))
    etypes = _attr_types(edges, ("source", "target"))
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
        *[f'  <key id="n{i}" for="node" attr.name="{c}" attr.type="{t}"/>' for i, (c, t) in enumerate(ntypes.items())],
        *[f'  <key id="e{i}" for="edge" attr.name="{c}" attr.type="{t}"/>' for i, (c, t) in enumerate(etypes.items())],
        '  <graph edgedefault="directed">',
        '',
    ]
    handle.write("\n".join(head).encode("utf-8"))
    for frame, tag, types, ends in ((nodes, "node", ntypes, ("id",)), (edges, "edge", etypes, ("source", "target"))):
        for rows in chunks(len(frame)):
            part = frame.iloc[rows]
            if tag == "node":
                parts: list[pa.Array | str] = ['    <node id="', xml(tag, rows, part, "id", "string"), '">']
            else:
                parts = ['    <edge source="', xml(tag, rows, part, "source", "string"), '" target="',
                         xml(tag, rows, part, "target", "string"), '">']
            for i, (c, t) in enumerate(types.items()):
                parts += wrap(f'<data key="{tag[0]}{i}">', xml(tag, rows, part, c, t), "</data>")
            write_lines(handle, [*parts, f"</{tag}>\n"])
            yield
    handle.write(b"  </graph>\n</graphml>\n")


def graphml(tables: GraphTables) -> str:
    """GraphML text that ``networkx.read_graphml`` and Gephi read.

    :func:`write_graphml` writes the same to a file without holding it in memory.

    Examples
    --------
    >>> import pandas as pd
    >>> import trustnet
    >>> raw = pd.DataFrame({"referrer": ["ann", "ann", "bob"], "referred": ["bob", "cat", "dan"],
    ...                     "date": ["2025-01-05", "2025-02-10", "2025-03-01"]})
    >>> analysis = trustnet.analyse(raw)
    >>> import io
    >>> import networkx as nx
    >>> G = nx.read_graphml(io.BytesIO(graphml(graph_tables(analysis.graph)).encode()))
    >>> G.number_of_nodes(), G.number_of_edges(), G.is_directed()
    (5, 7, True)
    """
    return _stream(lambda h: _drain(_write_graphml(tables, h)))


def write_graphml(tables: GraphTables, path: str | Path) -> Path:
    """Write :func:`graphml` to ``path``, atomically, a chunk of rows at a time.

    Examples
    --------
    >>> import pandas as pd, tempfile, networkx as nx
    >>> from pathlib import Path
    >>> t = GraphTables(pd.DataFrame({"id": ["a", "b"], "value": [0.5, None]}),
    ...                 pd.DataFrame({"source": ["a"], "target": ["b"], "n": [3]}))
    >>> G = nx.read_graphml(write_graphml(t, Path(tempfile.mkdtemp()) / "g.graphml"))
    >>> dict(G.nodes(data=True)), list(G.edges(data=True))
    ({'a': {'value': 0.5}, 'b': {}}, [('a', 'b', {'n': 3})])
    """
    return tables_module._atomic_write(Path(path), lambda handle: _drain(_write_graphml(tables, handle)))


def write_gexf_and_graphml(tables: GraphTables, gexf_path: str | Path, graphml_path: str | Path,
                           description: str = "trustnet referral and trust network") -> tuple[Path, Path]:
    """Write :func:`write_gexf` and :func:`write_graphml` together, a chunk of each in turn: the two
    files hold the same attribute text, which is then made once (the same bytes as written one by one).

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> from pathlib import Path
    >>> t = GraphTables(pd.DataFrame({"id": ["a", "b"], "label": ["a", "b"], "start": ["2025-01-02", None]}),
    ...                 pd.DataFrame({"source": ["a"], "target": ["b"], "start": [None], "weight": [0.5]}))
    >>> folder = Path(tempfile.mkdtemp())
    >>> g, m = write_gexf_and_graphml(t, folder / "g.gexf", folder / "g.graphml")
    >>> g.read_text(encoding="utf-8") == gexf(t), m.read_text(encoding="utf-8") == graphml(t)
    (True, True)
    """
    xml = _XmlText()
    with tables_module.open_output(gexf_path) as to_gexf, tables_module.open_output(graphml_path) as to_graphml:
        _drain(itertools.zip_longest(_write_gexf(tables, to_gexf, description, xml), _write_graphml(tables, to_graphml, xml)))
    return Path(gexf_path), Path(graphml_path)


def _write_json_records(frame: pd.DataFrame, handle: BinaryIO) -> None:
    """Each row as a JSON object, missing values left out, records separated by ``", "``."""
    keys = [_encode_str(str(name)) + ": " for name in frame.columns]
    for rows in chunks(len(frame)):
        values = [_json_values(frame.iloc[rows, j]) for j in range(frame.shape[1])]
        first = 2 if rows.start == 0 else 0  # no separator before the first record
        if not values:
            write_lines(handle, [", {}", pa.nulls(rows.stop - rows.start, pa.large_string())], skip=first)
        elif values[0][0].null_count == 0:  # the usual case: the first member is always there, no comma before it
            members = [part for j, (v, q) in enumerate(values) for part in wrap(("" if j == 0 else ", ") + keys[j] + q, v, q)]
            write_lines(handle, [", {", *members, "}"], skip=first)
        else:
            joined = join([part for (v, q), key in zip(values, keys) for part in wrap(", " + key + q, v, q)])
            write_lines(handle, [", {", pc.utf8_slice_codeunits(joined, 2), "}"], skip=first)


def _write_node_link(tables: GraphTables, handle: BinaryIO) -> None:
    handle.write(b'{"directed": true, "multigraph": true, "graph": {}, "nodes": [')
    _write_json_records(tables.nodes, handle)
    handle.write(b'], "edges": [')
    _write_json_records(tables.edges, handle)
    handle.write(b"]}")


def node_link_json(tables: GraphTables) -> str:
    """networkx node-link JSON (``networkx.node_link_graph(json.load(f), edges="edges")``).

    The text is what ``json.dumps`` makes of the records (missing values left
    out), built a column at a time; :func:`write_node_link_json` writes the same
    to a file without holding it in memory.

    >>> import json
    >>> import pandas as pd
    >>> t = GraphTables(pd.DataFrame({"id": ["a", 'b"'], "value": [1.5, None]}),
    ...                 pd.DataFrame({"source": ["a"], "target": ['b"'], "n": [2]}))
    >>> data = json.loads(node_link_json(t))
    >>> data["nodes"], data["edges"]
    ([{'id': 'a', 'value': 1.5}, {'id': 'b"'}], [{'source': 'a', 'target': 'b"', 'n': 2}])
    """
    return _stream(lambda h: _write_node_link(tables, h))


def write_node_link_json(tables: GraphTables, path: str | Path) -> Path:
    """Write :func:`node_link_json` to ``path``, atomically, a chunk of rows at a time.

    Examples
    --------
    >>> import json, tempfile
    >>> import pandas as pd
    >>> from pathlib import Path
    >>> t = GraphTables(pd.DataFrame({"id": ["a", "b"]}), pd.DataFrame({"source": ["a"], "target": ["b"], "w": [2.0]}))
    >>> path = write_node_link_json(t, Path(tempfile.mkdtemp()) / "g.json")
    >>> json.loads(path.read_text(encoding="utf-8"))["edges"]
    [{'source': 'a', 'target': 'b', 'w': 2.0}]
    """
    return tables_module._atomic_write(Path(path), lambda handle: _write_node_link(tables, handle))


def gephi_tables(tables: GraphTables) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Gephi's spreadsheet-import tables (``Id``/``Label`` nodes, ``Source``/``Target``/``Type`` edges).

    Examples
    --------
    >>> import pandas as pd
    >>> import trustnet
    >>> raw = pd.DataFrame({"referrer": ["ann", "ann", "bob"], "referred": ["bob", "cat", "dan"],
    ...                     "date": ["2025-01-05", "2025-02-10", "2025-03-01"]})
    >>> analysis = trustnet.analyse(raw)
    >>> nodes, edges = gephi_tables(graph_tables(analysis.graph))
    >>> nodes.columns[:3].tolist(), edges.columns[:4].tolist()
    (['Id', 'Label', 'Start'], ['Source', 'Target', 'Type', 'Kind'])
    >>> edges["Type"].unique().tolist()
    ['Directed']
    """
    nodes = tables.nodes.rename(columns={"id": "Id", "label": "Label", "start": "Start"})
    edges = tables.edges.rename(columns={"source": "Source", "target": "Target", "kind": "Kind", "start": "Start", "weight": "Weight"})
    edges.insert(2, "Type", pd.Series(pd.Categorical.from_codes(np.zeros(len(edges), np.int8), categories=pd.Index(["Directed"], dtype="str")), index=edges.index))
    return nodes, edges
