"""Graph files for Gephi and networkx: GEXF 1.3, GraphML, node-link JSON and Gephi's CSV tables.

Written with vectorised string building rather than through a networkx graph,
which at a million customers would cost more than the whole analysis. Nodes
carry their roles, dates, value and trust; referral edges carry their date as
``start``, so Gephi's timeline replays how the network grew; person → provider
edges carry the three trust dimensions.

>>> import pandas as pd
>>> from trustnet.graph import build_graph
>>> G = build_graph(pd.DataFrame({"referrer": ["a<"], "referred": ["b"], "referred_at": ["2025-01-02"]}))
>>> text = gexf(graph_tables(G))
>>> 'version="1.3"' in text and 'a&lt;' in text and 'start="2025-01-02"' in text
True
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring as _encode_str  # json.dumps of a str, ensure_ascii=False
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .. import schema as S

__all__ = ["GraphTables", "graph_tables", "gexf", "graphml", "node_link_json", "gephi_tables"]

_TRUST_COLUMNS = ("people", "process", "platform", "overall")


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
    return col.dt.strftime("%Y-%m-%d").astype(object).where(col.notna(), None)


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
    roles = (
        np.where(nodes["is_provider"], "provider ", "")
        + np.where(nodes["is_advocate"], "advocate ", "")
        + np.where(nodes["is_customer"], "customer", "")
    )
    node_table = pd.DataFrame({
        "id": nodes["id"].astype(object),
        "label": nodes["id"].astype(object),
        "start": _iso_date(nodes["first_seen"]),
        "roles": pd.Series(roles).str.strip().to_numpy(object),
        "value": nodes["value"].to_numpy(float),
        "referrals_made": nodes["referrals_made"].to_numpy(),
    })
    if node_data is not None:
        for col in ("reputation", "reputation_pct", "untrustworthy_score"):
            if col in node_data:
                node_table[col] = node_data[col].to_numpy()
    refs = graph.referrals
    ref_edges = pd.DataFrame({
        "source": refs[S.REFERRER].astype(object).to_numpy(),
        "target": refs[S.REFERRED].astype(object).to_numpy(),
        "kind": "referral",
        "start": _iso_date(refs[S.REFERRED_AT]).to_numpy(),
        "weight": 1.0,
        "provider": refs[S.PROVIDER].astype(object).to_numpy(),
        "status": refs[S.STATUS].astype(object).where(refs[S.STATUS].notna(), None).to_numpy(),
    })
    rels = graph.relationships
    keep = (rels["kind"] != "referred_by").to_numpy()
    rel_edges = pd.DataFrame({
        "source": rels["truster"].astype(object).to_numpy()[keep],
        "target": rels["trustee"].astype(object).to_numpy()[keep],
        "kind": rels["kind"].astype(str).to_numpy()[keep],
        "start": _iso_date(rels["first_seen"]).to_numpy()[keep],
        "weight": 1.0,
    })
    if relationships is not None:
        for col in _TRUST_COLUMNS:
            if col in relationships:
                rel_edges[col] = relationships[col].to_numpy(float)[keep]
                ref_edges[col] = np.nan
    edges = pd.concat([ref_edges, rel_edges], ignore_index=True)
    return GraphTables(node_table, edges)


def _esc(col: pd.Series) -> pd.Series:
    """XML-escape text, dropping the control characters XML 1.0 cannot hold."""
    text = col.astype("str").str.replace(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", regex=True)
    for a, b in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("\n", "&#10;"), ("\r", "&#13;"), ("\t", "&#9;")):
        text = text.str.replace(a, b, regex=False)
    return text


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


def _values(col: pd.Series, kind: str) -> tuple[pd.Series, np.ndarray]:
    present = col.notna().to_numpy()
    if kind == "boolean":
        text = pd.Series(np.where(col.astype(bool), "true", "false"), index=col.index, dtype="str")
    elif kind == "double":
        text = pd.Series(col.to_numpy(float), index=col.index).map("{:.6g}".format)
    elif kind == "long":
        text = col.astype("int64").astype(str)
    else:
        text = _esc(col.where(col.notna(), ""))
    return text, present


def _join(parts: list[pd.Series], n: int) -> pd.Series:
    """Concatenate the parts row by row (one ``str.join`` per row, not one copy of the line per part)."""
    columns = [p.to_numpy(object).tolist() for p in parts]
    return pd.Series(["".join(row) for row in zip(*columns)] if columns else [""] * n, dtype=object)


def gexf(tables: GraphTables, description: str = "trustnet referral and trust network") -> str:
    """GEXF 1.3 text: dynamic graph with node and edge ``start`` dates (Gephi's timeline).

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
    from .. import __version__

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
    ]
    n = len(nodes)
    start = nodes["start"]
    parts = [
        pd.Series('      <node id="', index=nodes.index), _esc(nodes["id"]), pd.Series('" label="', index=nodes.index),
        _esc(nodes["label"]), pd.Series('"', index=nodes.index), pd.Series(np.where(start.notna(), ' start="' + start.fillna("").astype(str) + '"', ""), index=nodes.index),
        pd.Series("><attvalues>", index=nodes.index),
    ]
    for i, (c, t) in enumerate(ntypes.items()):
        text, present = _values(nodes[c], t)
        parts.append(pd.Series(np.where(present, f'<attvalue for="n{i}" value="' + text.to_numpy(object) + '"/>', ""), index=nodes.index))
    parts.append(pd.Series("</attvalues></node>", index=nodes.index))
    node_lines = _join(parts, n)
    m = len(edges)
    est = edges["start"]
    eparts = [
        pd.Series('      <edge id="', index=edges.index), pd.Series(np.arange(m).astype(str), index=edges.index),
        pd.Series('" source="', index=edges.index), _esc(edges["source"]), pd.Series('" target="', index=edges.index),
        _esc(edges["target"]), pd.Series('" weight="', index=edges.index), edges["weight"].map("{:g}".format),
        pd.Series('"', index=edges.index),
        pd.Series(np.where(est.notna(), ' start="' + est.fillna("").astype(str) + '"', ""), index=edges.index),
        pd.Series("><attvalues>", index=edges.index),
    ]
    for i, (c, t) in enumerate(etypes.items()):
        text, present = _values(edges[c], t)
        eparts.append(pd.Series(np.where(present, f'<attvalue for="e{i}" value="' + text.to_numpy(object) + '"/>', ""), index=edges.index))
    eparts.append(pd.Series("</attvalues></edge>", index=edges.index))
    edge_lines = _join(eparts, m)
    tail = ["    </edges>", "  </graph>", "</gexf>", ""]
    return "\n".join(head + node_lines.tolist() + ["    </nodes>", "    <edges>"] + edge_lines.tolist() + tail)


def graphml(tables: GraphTables) -> str:
    """GraphML text that ``networkx.read_graphml`` and Gephi read.

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
    nodes, edges = tables.nodes.reset_index(drop=True), tables.edges.reset_index(drop=True)
    ntypes = _attr_types(nodes, ("id",))
    etypes = _attr_types(edges, ("source", "target"))
    gtype = {"boolean": "boolean", "long": "long", "double": "double", "string": "string"}
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
        *[f'  <key id="n{i}" for="node" attr.name="{c}" attr.type="{gtype[t]}"/>' for i, (c, t) in enumerate(ntypes.items())],
        *[f'  <key id="e{i}" for="edge" attr.name="{c}" attr.type="{gtype[t]}"/>' for i, (c, t) in enumerate(etypes.items())],
        '  <graph edgedefault="directed">',
    ]
    parts = [pd.Series('    <node id="', index=nodes.index), _esc(nodes["id"]), pd.Series('">', index=nodes.index)]
    for i, (c, t) in enumerate(ntypes.items()):
        text, present = _values(nodes[c], t)
        parts.append(pd.Series(np.where(present, f'<data key="n{i}">' + text.to_numpy(object) + "</data>", ""), index=nodes.index))
    parts.append(pd.Series("</node>", index=nodes.index))
    eparts = [pd.Series('    <edge source="', index=edges.index), _esc(edges["source"]), pd.Series('" target="', index=edges.index),
              _esc(edges["target"]), pd.Series('">', index=edges.index)]
    for i, (c, t) in enumerate(etypes.items()):
        text, present = _values(edges[c], t)
        eparts.append(pd.Series(np.where(present, f'<data key="e{i}">' + text.to_numpy(object) + "</data>", ""), index=edges.index))
    eparts.append(pd.Series("</edge>", index=edges.index))
    return "\n".join(head + _join(parts, len(nodes)).tolist() + _join(eparts, len(edges)).tolist() + ["  </graph>", "</graphml>", ""])


def _json_members(frame: pd.DataFrame) -> list[str]:
    """Each row as a JSON object, missing values left out: ``json.dumps`` of ``to_dict("records")``, column-wise."""
    columns = []
    for name in frame.columns:
        col = frame[name]
        present = col.notna().to_numpy(bool)
        values = col.to_numpy(object)[present].tolist()
        if pd.api.types.is_bool_dtype(col):
            text = ["true" if v else "false" for v in values]
        elif pd.api.types.is_integer_dtype(col):
            text = list(map(str, map(int, values)))
        elif pd.api.types.is_float_dtype(col):
            finite = np.isfinite(col.to_numpy(float)[present]).all()
            text = list(map(float.__repr__ if finite else json.dumps, map(float, values)))
        elif all(type(v) is str for v in values):
            text = list(map(_encode_str, values))
        else:
            text = [json.dumps(v, ensure_ascii=False, default=float) for v in values]
        key = ", " + _encode_str(str(name)) + ": "
        piece = np.full(len(frame), "", dtype=object)
        piece[present] = [key + t for t in text]
        columns.append(piece.tolist())
    if not columns:
        return ["{}"] * len(frame)
    return ["{" + "".join(row)[2:] + "}" for row in zip(*columns)]


def node_link_json(tables: GraphTables) -> str:
    """networkx node-link JSON (``networkx.node_link_graph(json.load(f), edges="edges")``).

    The text is what ``json.dumps`` makes of the records (missing values left out), built a
    column at a time: at a million customers a record-by-record ``json.dumps`` took longer than
    the whole analysis.

    >>> import pandas as pd
    >>> t = GraphTables(pd.DataFrame({"id": ["a", 'b"'], "value": [1.5, None]}),
    ...                 pd.DataFrame({"source": ["a"], "target": ['b"'], "n": [2]}))
    >>> data = json.loads(node_link_json(t))
    >>> data["nodes"], data["edges"]
    ([{'id': 'a', 'value': 1.5}, {'id': 'b"'}], [{'source': 'a', 'target': 'b"', 'n': 2}])
    """
    nodes = ", ".join(_json_members(tables.nodes))
    edges = ", ".join(_json_members(tables.edges))
    return f'{{"directed": true, "multigraph": true, "graph": {{}}, "nodes": [{nodes}], "edges": [{edges}]}}'


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
    edges.insert(2, "Type", "Directed")
    return nodes, edges
