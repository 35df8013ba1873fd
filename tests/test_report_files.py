"""Report file writers: CSV safety, atomic writes, graph files, pseudonyms."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import networkx as nx
import pandas as pd
import pytest

from trustnet.graph import build_graph
from trustnet.privacy import pseudonymise
from trustnet.report.graphfiles import gephi_tables, gexf, graph_tables, graphml, node_link_json
from trustnet.report.tables import neutralise, write_csv

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "\nLF", "<script>alert(1)</script>"]


def test_neutralise_every_formula_prefix_but_not_numbers():
    frame = pd.DataFrame({"name": HOSTILE, "amount": range(-4, 4)})
    safe = neutralise(frame)
    assert all(v.startswith("'") for v in safe["name"][:7])
    assert safe["name"].iloc[7] == "<script>alert(1)</script>"
    assert safe["amount"].tolist() == list(range(-4, 4))
    assert frame["name"].tolist() == HOSTILE  # input untouched


def test_write_csv_bom_and_atomic(tmp_path):
    path = write_csv(pd.DataFrame({"a": ["é", "=1"], "b": [1.123456789, None]}), tmp_path / "x.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back["a"].tolist() == ["é", "'=1"]
    assert back["b"].iloc[0] == pytest.approx(1.123457)
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]  # no temporary file left


@pytest.fixture
def small_graph():
    refs = pd.DataFrame({
        "referrer": ["ann", "ann", "bob", 'x"><img src=x onerror=alert(1)>'],
        "referred": ["bob", "cat\nnew line", "dan", "eve"],
        "provider": ["Tiles & Co", "Tiles & Co", "Paint", "Paint"],
        "referred_at": ["2025-01-02", "2025-02-03", None, "2025-03-04"],
        "status": ["converted", "declined", None, "converted"],
    })
    return build_graph(refs)


def test_graphml_reads_back_in_networkx(small_graph):
    H = nx.read_graphml(io.StringIO(graphml(graph_tables(small_graph))))
    assert set(H.nodes) == set(small_graph.nodes["id"])
    assert H.nodes["ann"]["roles"] == "advocate"
    kinds = [d["kind"] for _, _, d in H.edges(data=True)]
    assert "referral" in kinds and "advocate" in kinds


def test_gexf_is_version_1_3_with_dynamic_starts(small_graph):
    text = gexf(graph_tables(small_graph))
    root = ET.fromstring(text)
    ns = {"g": "http://gexf.net/1.3"}
    assert root.get("version") == "1.3"
    graph = root.find("g:graph", ns)
    assert graph.get("mode") == "dynamic"
    edges = graph.findall("g:edges/g:edge", ns)
    starts = sorted(e.get("start") for e in edges if e.get("start"))
    assert "2025-01-02" in starts and "2025-03-04" in starts
    ids = {n.get("id") for n in graph.findall("g:nodes/g:node", ns)}
    assert 'x"><img src=x onerror=alert(1)>' in ids  # escaped in the file, intact when parsed
    assert "<img" not in text


def test_node_link_json_round_trip(small_graph):
    data = json.loads(node_link_json(graph_tables(small_graph)))
    H = nx.node_link_graph(data, edges="edges")
    assert H.number_of_edges() == len(graph_tables(small_graph).edges)


def test_gephi_tables_have_gephi_headers(small_graph):
    nodes, edges = gephi_tables(graph_tables(small_graph))
    assert {"Id", "Label"} <= set(nodes.columns)
    assert {"Source", "Target", "Type"} <= set(edges.columns)
    assert set(edges["Type"]) == {"Directed"}


def test_pseudonyms_are_consistent_keyed_and_leave_no_identifier():
    refs = pd.DataFrame({"referrer": ["ann@x.com", "bob"], "referred": ["bob", "cat"], "provider": ["Tiles", "Tiles"],
                         "referred_email": ["Bob@X.com", "cat@y.org"], "comment": ["call ann", "x"]})
    tps = pd.DataFrame({"customer": ["cat"], "provider": ["Tiles"], "comment": ["rude"]})
    a1, t1 = pseudonymise(refs, tps, key=b"one")
    a2, _ = pseudonymise(refs, tps, key=b"two")
    assert a1["referred"][0] == a1["referrer"][1]
    assert t1["customer"][0] == a1["referred"][1]
    assert a1["referrer"][0] != a2["referrer"][0]  # the key matters
    text = a1.to_csv() + t1.to_csv()
    for ident in ("ann", "bob", "cat", "Tiles", "x.com", "rude"):
        assert ident not in text
