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


# --- streamed writers (Arrow formatting a chunk of rows at a time) ------------------------------------------------

import csv  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from trustnet.report import textcols  # noqa: E402
from trustnet.report.graphfiles import (  # noqa: E402
    GraphTables,
    write_gexf,
    write_gexf_and_graphml,
    write_graphml,
    write_node_link_json,
)
from trustnet.report.textcols import number_text  # noqa: E402

PROPS = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TEXT = st.one_of(st.sampled_from(HOSTILE + ["a,b", 'say "hi"', "é\u200bü", "", " ", "x\r\ny", "\\", "1.5", "nan"]),
                 st.text(max_size=8))
FLOAT = st.one_of(st.floats(-1e300, 1e300, width=64), st.sampled_from([np.nan, 0.0, -0.0, 2.0, 1e-7, 1e15, 1 / 3]))


def _old_csv_text(frame: pd.DataFrame) -> str:
    """The writer before streaming: neutralise, round floats, DataFrame.to_csv.

    One fix on top: in a lone column, a white-space cell written bare reads back as a blank line and its row
    was lost; the new writer quotes it, so the reference quotes every cell of a lone column (same values).
    """
    safe = neutralise(frame)
    for name in safe.columns:
        if pd.api.types.is_float_dtype(safe[name]):
            safe[name] = safe[name].round(6)
    quoting = csv.QUOTE_ALL if safe.shape[1] == 1 else csv.QUOTE_MINIMAL
    return safe.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d %H:%M:%S", quoting=quoting)


def _rounded(x: np.ndarray) -> np.ndarray:
    """Rounded to 6 decimals; beyond 1e15 (no decimals left) left alone, where np.round nudges or overflows."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(np.abs(x) < 1e15, np.round(x, 6), x)


def _read_back(source) -> pd.DataFrame:
    return pd.read_csv(source, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")


@st.composite
def frames(draw, carriage_returns: bool = True):
    n = draw(st.integers(0, 12))
    text = TEXT if carriage_returns else TEXT.filter(lambda s: "\r" not in s)
    data = {
        "text": draw(st.lists(st.one_of(st.none(), text), min_size=n, max_size=n)),
        "float": draw(st.lists(FLOAT, min_size=n, max_size=n)),
        "int": draw(st.lists(st.integers(-10**12, 10**12), min_size=n, max_size=n)),
        "bool": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
        "when": draw(st.lists(st.one_of(st.none(), st.datetimes(min_value=pd.Timestamp("1900-01-01").to_pydatetime(),
                                                                 max_value=pd.Timestamp("2200-01-01").to_pydatetime())),
                              min_size=n, max_size=n)),
    }
    frame = pd.DataFrame(data).astype({"text": "str", "float": float, "int": "int64", "bool": bool})
    frame["when"] = pd.to_datetime(frame["when"])
    frame["kind"] = pd.Categorical(draw(st.lists(st.sampled_from(["a", "=b", "c,d", None]), min_size=n, max_size=n)))
    columns = draw(st.permutations(list(frame.columns)))
    return frame[columns[: draw(st.integers(1, len(columns)))]]


def _same_table(new: pd.DataFrame, old: pd.DataFrame, source: pd.DataFrame) -> None:
    assert list(new.columns) == list(old.columns) and len(new) == len(old)
    for j, name in enumerate(source.columns):
        if pd.api.types.is_float_dtype(source[name]):  # the text of a number may differ ("1e-07", "0.0000001")
            # (rtol: Series.round(6) nudged values beyond 1e15 by an ulp; they are now left as they are)
            np.testing.assert_allclose(pd.to_numeric(new.iloc[:, j]).to_numpy(float), pd.to_numeric(old.iloc[:, j]).to_numpy(float),
                                       rtol=1e-15, atol=0)
        else:
            assert new.iloc[:, j].fillna("<NA>").tolist() == old.iloc[:, j].fillna("<NA>").tolist(), name


@PROPS
@given(frames(carriage_returns=False))
def test_write_csv_reads_back_like_to_csv(tmp_path_factory, frame):
    path = write_csv(frame, tmp_path_factory.mktemp("csv") / "t.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" not in path.read_bytes().replace(b'"', b"")
    _same_table(_read_back(path), _read_back(io.StringIO(_old_csv_text(frame))), frame)


@PROPS
@given(frames())
def test_write_csv_cells_read_back_as_written(tmp_path_factory, frame):
    back = _read_back(write_csv(frame, tmp_path_factory.mktemp("csv") / "t.csv"))
    assert len(back) == len(frame)
    for j, name in enumerate(frame.columns):
        col, got = frame[name], back.iloc[:, j]
        if pd.api.types.is_float_dtype(col):
            np.testing.assert_array_equal(pd.to_numeric(got).to_numpy(float), _rounded(col.to_numpy(float)))
        elif pd.api.types.is_integer_dtype(col):
            assert pd.to_numeric(got).tolist() == col.tolist()
        elif pd.api.types.is_bool_dtype(col):
            assert got.tolist() == [str(v) for v in col]
        elif pd.api.types.is_datetime64_any_dtype(col):
            assert pd.to_datetime(got).tolist() == col.dt.floor("s").tolist()
        else:
            expected = [None if pd.isna(v) or v == "" else ("'" + v if str(v).startswith(("=", "+", "-", "@", "\t", "\r", "\n")) else v)
                        for v in col.astype(object)]
            assert [None if pd.isna(v) else v for v in got] == expected


def test_write_csv_quotes_carriage_returns_and_keeps_one_column_rows(tmp_path):
    path = write_csv(pd.DataFrame({"a": ["x\ry", None, "", "z"]}), tmp_path / "t.csv")
    assert path.read_bytes() == b'\xef\xbb\xbfa\n"x\ry"\n""\n""\nz\n'
    assert _read_back(path)["a"].tolist()[::3] == ["x\ry", "z"]
    assert write_csv(pd.DataFrame(), tmp_path / "empty.csv").read_bytes() == b"\xef\xbb\xbf\n"


@PROPS
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), max_size=20))
def test_number_text_matches_python_formatting(values):
    x = np.array(values, dtype=float)
    six = number_text(x, significant=6, point=False).to_pylist()
    # "{:.6g}" up to one unit in the 6th digit (a value half-way after binary rounding may round either way)
    np.testing.assert_allclose([float(t) for t in six], [float(f"{v:.6g}") for v in values], rtol=1.01e-5, atol=0)
    assert all(len(t.lstrip("-").split("e")[0].replace(".", "").strip("0")) <= 6 for t, v in zip(six, values) if 1e-15 < abs(v) < 1e15)
    full = number_text(x, infinity=("Infinity", "-Infinity")).to_pylist()
    assert [json.loads(t) for t in full] == values and all(type(json.loads(t)) is float for t in full)
    rounded = number_text(x, digits=6).to_pylist()
    assert [float(t) for t in rounded] == _rounded(x).tolist()
    # a whole number keeps its point (typed readers see a float), and only plain digits get one
    assert all(t == f"{int(v)}.0" for t, v in zip(rounded, _rounded(x)) if v == int(v) and abs(v) < 1e9)
    assert not any(t.endswith(".0") and "e" in t for t in rounded)


def test_whole_numbers_get_their_point_in_a_slice_with_missing_values():
    from trustnet.report.textcols import _append

    arr = pa.array(["9", "1", None, "2.5", "30", "x"], pa.large_string()).slice(1, 4)
    assert _append(arr, np.array([True, False, False, True]), ".0").to_pylist() == ["1.0", None, "2.5", "30.0"]
    assert number_text(pd.Series([1e9, 12.0, np.nan, 1e10, -3.0]), digits=6).to_pylist() == [
        "1000000000.0", "12.0", None, "1e+10", "-3.0"]


IDS_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=8)


@PROPS
@given(st.lists(IDS_TEXT, min_size=2, max_size=8, unique=True), st.lists(st.one_of(st.none(), IDS_TEXT), min_size=8, max_size=8))
def test_graph_file_text_escaping_round_trips(tmp_path_factory, ids, notes):
    nodes = pd.DataFrame({"id": ids, "label": ids, "start": None, "note": notes[: len(ids)]}).astype({"note": object})
    edges = pd.DataFrame({"source": ids[:-1], "target": ids[1:], "start": "2025-01-02", "weight": 1.0,
                          "note": pd.Series(notes[: len(ids) - 1], dtype=object)})
    t = GraphTables(nodes, edges)
    data = json.loads(node_link_json(t))
    assert [n["id"] for n in data["nodes"]] == ids
    assert [n.get("note") for n in data["nodes"]] == notes[: len(ids)]
    expected = [json.dumps({k: v for k, v in row.items() if v is not None}, ensure_ascii=False)
                for row in nodes.astype(object).where(nodes.notna(), None).to_dict("records")]
    assert node_link_json(t).split('"nodes": [')[1].split('], "edges"')[0] == ", ".join(expected)
    xml_ids = ["".join(c for c in i if c in "\t\n\r" or ord(c) >= 32) for i in ids]
    if len(set(xml_ids)) == len(ids) and all(xml_ids):  # XML 1.0 cannot hold other control characters: they are dropped
        folder = tmp_path_factory.mktemp("g")
        H = nx.read_graphml(write_graphml(t, folder / "g.graphml"))
        assert sorted(H.nodes) == sorted(xml_ids)
        root = ET.parse(write_gexf(t, folder / "g.gexf")).getroot()
        assert [n.get("id") for n in root.iter("{http://gexf.net/1.3}node")] == xml_ids


def test_chunked_output_is_the_same_bytes(monkeypatch, tmp_path, small_graph):
    frame = pd.DataFrame({"a": [f"r{i}" for i in range(25)], "b": np.linspace(-1, 1, 25), "c": ["=x", None, "y,z", "w", ""] * 5})
    t = graph_tables(small_graph)
    whole = [write_csv(frame, tmp_path / "a.csv").read_bytes(), gexf(t), graphml(t), node_link_json(t)]
    monkeypatch.setattr(textcols, "CHUNK_ROWS", 2)
    assert textcols.chunks(5) == [slice(0, 2), slice(2, 4), slice(4, 5)]
    chunked = [write_csv(frame, tmp_path / "b.csv").read_bytes(), gexf(t), graphml(t), node_link_json(t)]
    assert chunked == whole
    paths = [write_gexf(t, tmp_path / "g.gexf"), write_graphml(t, tmp_path / "g.graphml"), write_node_link_json(t, tmp_path / "g.json")]
    assert [Path(p).read_text(encoding="utf-8") for p in paths] == whole[1:]
    # written side by side, a chunk of each in turn, sharing the attribute text: the same bytes
    both = write_gexf_and_graphml(t, tmp_path / "both.gexf", tmp_path / "both.graphml")
    assert [Path(p).read_text(encoding="utf-8") for p in both] == whole[1:3]
    json.loads(whole[3])


@pytest.mark.parametrize("rows", [slice(None), slice(1, None), slice(0, 0)])
def test_category_text_is_each_rows_label(rows):
    # labels are formatted once and gathered by code: missing rows stay missing, unused labels appear nowhere
    col = pd.Series(pd.Categorical(["b", None, "a,\"x\"", "b", "=cmd"], categories=pd.Index(["a,\"x\"", "b", "=cmd", "unused"], dtype="str")))
    part = col.iloc[rows]
    assert textcols.text(part).to_pylist() == [None if pd.isna(v) else v for v in part.astype(object)]
    numeric = pd.Series(pd.Categorical([0.5, None, 2.0]))  # labels that are not text keep ``str(value)``
    assert textcols.text(numeric).to_pylist() == ["0.5", None, "2.0"]
