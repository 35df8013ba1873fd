"""The referral graph: roles, relationships, the referral forest, the networkx view."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trustnet.graph as graph_module
import trustnet
import trustnet._textorder
from trustnet._textorder import number_in_order, text_order
from trustnet.graph import TIE_REL, build_graph, sort_order


def refs(rows, **cols):
    frame = pd.DataFrame(rows, columns=["referrer", "referred"])
    for name, values in cols.items():
        frame[name] = values
    return frame


def by_id(G, column):
    return dict(zip(G.nodes["id"], G.nodes[column]))


def test_roles_and_counts():
    G = build_graph(refs([("ann", "bob"), ("ann", "cat"), ("bob", "dan")], provider=["P", "P", "Q"]))
    assert by_id(G, "is_advocate") == {"P": False, "Q": False, "ann": True, "bob": True, "cat": False, "dan": False}
    assert by_id(G, "is_customer")["bob"] and not by_id(G, "is_customer")["ann"]
    assert by_id(G, "is_provider") == {"P": True, "Q": True, "ann": False, "bob": False, "cat": False, "dan": False}
    assert by_id(G, "referrals_made")["ann"] == 2
    assert G.adjacency.sum() == 3


def test_relationship_kinds_advocate_wins_over_customer():
    # bob was referred to P and then referred dan to P: bob is P's advocate (one row, kind advocate)
    G = build_graph(refs([("ann", "bob"), ("bob", "dan")], provider=["P", "P"]))
    rel = G.relationships.set_index(["truster", "trustee"])["kind"].astype(str).to_dict()
    assert rel == {
        ("ann", "P"): "advocate", ("bob", "P"): "advocate", ("bob", "ann"): "referred_by",
        ("dan", "P"): "customer", ("dan", "bob"): "referred_by",
    }


def test_touchpoints_add_customer_relationships_and_dates():
    tps = pd.DataFrame({"customer": ["eve"], "provider": ["P"], "at": ["2025-03-01"]})
    G = build_graph(refs([("ann", "bob")], provider=["P"], referred_at=["2025-01-01"]), tps)
    rel = G.relationships.set_index(["truster", "trustee"])
    assert rel.loc[("eve", "P"), "kind"] == "customer"
    assert rel.loc[("eve", "P"), "referrals"] == 0
    assert G.as_of == pd.Timestamp("2025-03-01")
    assert by_id(G, "first_seen")["P"] == pd.Timestamp("2025-01-01")
    assert by_id(G, "last_seen")["P"] == pd.Timestamp("2025-03-01")


def test_missing_revenue_and_touchpoint_value_add_nothing_to_a_customers_value():
    tps = pd.DataFrame({"customer": ["bob", "bob", "cat"], "provider": ["P"] * 3, "at": ["2025-03-01"] * 3,
                        "value": [5.0, np.nan, np.nan]})
    G = build_graph(refs([("ann", "bob"), ("ann", "cat")], provider=["P", "P"], revenue=[100.0, np.nan]), tps)
    assert by_id(G, "value") == {"P": 0.0, "ann": 0.0, "bob": 105.0, "cat": 0.0}


def test_touchpoint_providers_stay_a_category_and_missing_ones_get_the_default():
    cats = pd.Categorical(["P", None, "P"], categories=pd.Index(["P"], dtype="str"))
    tps = pd.DataFrame({"customer": ["eve", "eve", "fay"], "provider": cats, "at": ["2025-03-01"] * 3})
    G = build_graph(refs([("ann", "bob")], provider=["P"]), tps)
    provider = G.touchpoints["provider"]
    assert isinstance(provider.dtype, pd.CategoricalDtype)  # 7.5M rows at a million customers: codes, not text
    assert provider.tolist() == ["P", "the business", "P"]
    rel = G.relationships.set_index(["truster", "trustee"])
    assert rel.loc[("eve", "the business"), "kind"] == "customer"
    assert cats.isna().sum() == 1  # the caller's table is left as it was


def test_forest_depth_and_level_order():
    G = build_graph(refs([("a", "b"), ("b", "c"), ("c", "d"), ("a", "e")]))
    depth = dict(zip(G.nodes["id"], G.depth))
    assert depth == {"a": 0, "b": 1, "c": 2, "d": 3, "e": 1, "the business": 0}
    levels = G.depth[G.order]
    assert (np.diff(levels) >= 0).all()


def test_first_referral_acquires_and_later_ones_do_not():
    # c is referred by a first, later by b: a is the parent; d and e, referred once, by their only referrer
    G = build_graph(refs([("b", "c"), ("a", "c"), ("b", "d"), ("d", "e")],
                         referred_at=["2025-02-01", "2025-01-01", "2025-01-05", "2025-01-09"]))
    parent = G.nodes["id"].to_numpy()[G.parent[G.index_of(["c", "d", "e"])]]
    assert parent.tolist() == ["a", "b", "d"]



@pytest.mark.parametrize("rows, cols, expected", [
    # same day: the earlier line of the export acquires; undated referrals come after dated ones
    ([("zed", "c"), ("amy", "c")], {"referred_at": ["2025-01-01"] * 2, "source_line": [7, 3]}, "amy"),
    ([("amy", "c"), ("zed", "c")], {"referred_at": ["2025-01-01"] * 2, "source_line": [9, 4]}, "zed"),
    ([("amy", "c"), ("zed", "c")], {"referred_at": [None, "2025-06-01"]}, "zed"),
    # same day and line (a table put together by hand): the alphabetically first referrer
    ([("zed", "c"), ("amy", "c"), ("c", "c")], {"referred_at": ["2025-01-01"] * 3, "source_line": [5] * 3}, "amy"),
])
def test_acquiring_referral_ties_are_broken_by_line_then_referrer(rows, cols, expected):
    for order in (slice(None), slice(None, None, -1)):
        frame = refs(rows, **cols).iloc[order].reset_index(drop=True)
        G = build_graph(frame)
        assert G.nodes["id"].to_numpy()[G.parent[G.index_of("c")]].tolist() == [expected]

def test_referral_to_an_existing_advocate_is_not_acquisition():
    # a referred b in January; b "refers" a in March: a was not acquired by b, no cycle
    G = build_graph(refs([("a", "b"), ("b", "a")], referred_at=["2025-01-01", "2025-03-01"]))
    depth = dict(zip(G.nodes["id"], G.depth))
    assert depth["a"] == 0 and depth["b"] == 1


def test_undated_cycles_are_cut():
    G = build_graph(refs([("a", "b"), ("b", "c"), ("c", "a"), ("c", "x")]))
    depth = dict(zip(G.nodes["id"], G.depth))
    assert depth == {"a": 0, "b": 1, "c": 2, "x": 3, "the business": 0}


def test_long_chain_depth():
    n = 5000
    ids = [f"p{i:05d}" for i in range(n + 1)]
    G = build_graph(refs(list(zip(ids[:-1], ids[1:]))))
    assert G.depth.max() == n


def test_row_order_does_not_matter():
    base = refs([("a", "b"), ("b", "c"), ("a", "d"), ("d", "e")], provider=["P", "Q", "P", "P"],
                referred_at=pd.to_datetime(["2025-01-01", "2025-01-05", "2025-02-01", "2025-03-01"]))
    G1 = build_graph(base)
    G2 = build_graph(base.iloc[::-1].reset_index(drop=True))
    pd.testing.assert_frame_equal(G1.nodes, G2.nodes)
    pd.testing.assert_frame_equal(G1.relationships, G2.relationships)
    assert (G1.depth == G2.depth).all()


def test_ids_are_opaque_strings():
    G = build_graph(refs([("007", "7"), ("Zoë ✓", "007")]))
    assert set(G.nodes["id"]) == {"007", "7", "Zoë ✓", "the business"}
    assert G.index_of(["7", "007"]).tolist() != [-1, -1]


def test_missing_required_column_is_an_input_error():
    from trustnet.errors import InputError

    with pytest.raises(InputError, match="no referred column"):
        build_graph(pd.DataFrame({"referrer": ["a"]}))


def test_to_networkx_round_trips_through_gexf_and_graphml(tmp_path):
    G = build_graph(refs([("a", "b"), ("b", "c")], provider=["P", "P"], referred_at=["2025-01-01", None],
                         revenue=[10.0, float("nan")]))
    H = G.to_networkx()
    assert isinstance(H, nx.MultiDiGraph)
    assert H.nodes["a"]["is_advocate"] is True
    kinds = sorted(d["kind"] for _, _, d in H.edges(data=True))
    assert kinds.count("referral") == 2
    nx.write_graphml(H, tmp_path / "g.graphml")
    nx.write_gexf(H, tmp_path / "g.gexf")
    back = nx.read_graphml(tmp_path / "g.graphml")
    assert back.number_of_nodes() == H.number_of_nodes()


def test_inputs_are_not_mutated():
    base = refs([("a", "b")], provider=["P"])
    copy = base.copy()
    build_graph(base)
    pd.testing.assert_frame_equal(base, copy)


def test_self_referral_acquires_nobody():
    G = build_graph(refs([("a", "a"), ("a", "b")], provider=["P", "P"]))
    assert G.parent[G.index_of(["a", "b"])].tolist() == [-1, G.index_of("a")[0]]
    assert G.depth[G.index_of(["a", "b"])].tolist() == [0, 1]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(["a", "b", "\x00", "é", "😀", "Z", " "]), max_size=20)
                | st.text(max_size=12).map(lambda t: "customer-00" + t), unique=True))
def test_ids_sort_like_python_strings(ids):
    # ids are numbered in Python's string order; the byte-word sort must agree on shared prefixes, NULs, non-ASCII
    order = text_order(pa.array(ids, pa.string()))
    assert [ids[i] for i in order] == sorted(ids)


def test_ids_sort_like_python_strings_on_sliced_arrow_text():
    text = pa.array(["zz", "b", "customer-0002", "customer-0001", "a"]).slice(1)
    assert [text[int(i)].as_py() for i in text_order(text)] == ["a", "b", "customer-0001", "customer-0002"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.text(alphabet=st.sampled_from(["a", "b", "\x00", "é", "😀", "Z", " "]), max_size=20)
                         | st.text(max_size=12).map(lambda t: "customer-00" + t), max_size=40), max_size=5),
       st.integers(1, 9))
def test_ids_numbered_in_parts_like_one_sorted_dictionary(texts, parts):
    # however the strings are split into ranges (some empty, some all one id), the ids and numbers are the same
    ids, numbers = number_in_order([pa.array(t, pa.string()) for t in texts], parts=parts)
    expected = sorted({s for t in texts for s in t})
    assert ids.to_pylist() == expected
    assert [n.tolist() for n in numbers] == [[expected.index(s) for s in t] for t in texts]


def test_ids_numbered_in_parts_from_sliced_arrow_text():
    texts = [pa.array(["zz", "b", "customer-0002", "a"]).slice(1), pa.array(["a", "customer-0001", "b"]).slice(1, 1)]
    ids, numbers = number_in_order(texts, parts=2)
    assert ids.to_pylist() == ["a", "b", "customer-0001", "customer-0002"]
    assert [n.tolist() for n in numbers] == [[1, 3, 0], [2]]


def test_a_large_export_is_numbered_in_parts_to_the_same_graph(monkeypatch):
    # the bundled demo's ids split into the 8 ranges a large export gets: the same graph as one dictionary
    demo = Path(__file__).resolve().parents[1] / "datasets" / "home-services"
    referrals = trustnet.load_referrals(demo / "referrals.csv")[0]
    touchpoints = trustnet.load_touchpoints(demo / "touchpoints.csv")[0]
    whole = build_graph(referrals, touchpoints)
    hashed = []
    encode = trustnet._textorder.pc.dictionary_encode

    def counted(text):
        hashed.append(len(text))
        return encode(text)

    monkeypatch.setattr(trustnet._textorder.pc, "dictionary_encode", counted)
    monkeypatch.setattr(trustnet._textorder, "PART_FROM", 1)
    parts = build_graph(referrals, touchpoints)
    assert len(hashed) == 8 and max(hashed) < sum(hashed) / 4  # (8 ranges, none holding most of the ids)
    pd.testing.assert_frame_equal(whole.nodes, parts.nodes)
    pd.testing.assert_frame_equal(whole.relationships, parts.relationships)
    pd.testing.assert_frame_equal(whole.touchpoints, parts.touchpoints)


def test_touchpoint_labels_no_row_uses_are_not_nodes():
    # a loaded touchpoint table keeps its categories after rows are set aside: only the ids on rows are people
    customers = pd.Categorical(["eve"], categories=pd.Index(["ann", "eve", "zed"], dtype="str"))
    tps = pd.DataFrame({"customer": customers, "provider": ["P"]})
    G = build_graph(refs([("ann", "bob")], provider=["P"]), tps)
    assert G.nodes["id"].tolist() == ["P", "ann", "bob", "eve"]
    assert G.touchpoints["customer_idx"].tolist() == [3]


def test_loaded_referrers_and_providers_as_categories_give_the_graph_text_ids_give():
    # the loader hands referrers and providers over as categories (ids hashed once); the graph is the same
    rows = [("dan", "eve"), ("ann", "bob"), ("ann", "cat"), ("bob", "dan"), ("P", "ann")]
    provider = ["P", "Q", None, "P", "Q"]
    text = refs(rows, provider=pd.Series(provider, dtype="str"), referred_at=pd.date_range("2025-01-01", periods=5))
    coded = text.copy()
    for col, unused in (("referrer", "zed"), ("provider", "R")):  # plus a category no row holds
        coded[col] = pd.Categorical(text[col], categories=pd.Index(sorted({*text[col].dropna(), unused}), dtype="str"))
    a, b = build_graph(text), build_graph(coded)
    assert "zed" not in b.nodes["id"].tolist() and "R" not in b.nodes["id"].tolist()
    pd.testing.assert_frame_equal(a.nodes, b.nodes)
    pd.testing.assert_frame_equal(a.relationships, b.relationships)
    assert isinstance(b.referrals["referrer"].dtype, pd.CategoricalDtype)
    pd.testing.assert_frame_equal(a.referrals, b.referrals.astype({"referrer": "str", "provider": "str"}))
    assert (a.parent == b.parent).all() and (a.order == b.order).all()


@pytest.mark.parametrize("ids", ["str", "category"])
def test_empty_tables_give_an_empty_graph_and_empty_touchpoints_change_nothing(ids):
    # (the ids are encoded as chunks of one array, and Arrow leaves empty chunks out of the result)
    none = pd.DataFrame({"referrer": [], "referred": [], "provider": []}, dtype="str").astype({"provider": ids})
    G = build_graph(none)
    assert G.n == 0 and G.relationships.empty and len(G.order) == 0
    no_tps = pd.DataFrame({"customer": [], "provider": []}, dtype="str").astype(ids)
    some = refs([("ann", "bob")], provider=["P"])
    a, b = build_graph(some), build_graph(some, no_tps)
    pd.testing.assert_frame_equal(a.nodes, b.nodes)
    pd.testing.assert_frame_equal(a.relationships, b.relationships)
    assert b.touchpoints.empty


def test_ties_to_oneself_still_date_the_node():
    # no relationship joins a node to itself, but the referral or touchpoint still says when it was seen
    tps = pd.DataFrame({"customer": ["Q", "eve"], "provider": ["Q", "P"], "at": ["2025-04-01", "2025-05-01"]})
    G = build_graph(refs([("P", "P"), ("ann", "bob")], provider=["P", "P"], referred_at=["2025-01-01", "2025-02-01"]),
                    tps)
    assert not ((G.relationships["truster"] == G.relationships["trustee"]).any())
    first, last = by_id(G, "first_seen"), by_id(G, "last_seen")
    assert (first["P"], last["P"]) == (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-05-01"))
    assert first["Q"] == last["Q"] == pd.Timestamp("2025-04-01")
    assert first["ann"] == pd.Timestamp("2025-02-01")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2**62), max_size=60), st.integers(min_value=0, max_value=3))
def test_sort_order_is_the_stable_argsort(values, narrow):
    # narrow keys take one packed sort; wide ones (bound past 63 - position bits) the multi-pass radix
    key = np.array(values, dtype=np.int64) >> (20 * narrow)
    assert sort_order(key).tolist() == np.argsort(key, kind="stable").tolist()
    assert sort_order(key, bound=2**62).tolist() == np.argsort(key, kind="stable").tolist()
    assert key.tolist() == (np.array(values, dtype=np.int64) >> (20 * narrow)).tolist()  # the keys are left as they were
    levels = np.abs(key) % 7  # keys below 2**16 (a forest's depths): numpy's radix sort
    assert sort_order(levels).tolist() == np.argsort(levels, kind="stable").tolist()


def test_a_long_sort_split_over_two_cores_gives_the_same_order(monkeypatch):

    monkeypatch.setattr(graph_module, "_SPLIT_SORT_FROM", 4)  # every array below is "long"
    rng = np.random.default_rng(3)
    for n in (4, 5, 17, 1000):
        words = rng.integers(0, 2**40, n)
        split = words.copy()
        graph_module._sort_in_place(split)
        assert split.tolist() == sorted(words.tolist())
    key = rng.integers(0, 50, 999)  # many equal keys: the order among them stays the rows' order
    assert graph_module.sort_order(key).tolist() == np.argsort(key, kind="stable").tolist()


@pytest.mark.parametrize("chunk", [1 << 20, 999])
@pytest.mark.parametrize("ids", ["str", "category"])
def test_touchpoints_of_customers_with_many_providers_make_one_relationship_per_pair(chunk, ids, monkeypatch):
    # up to 12 providers per customer: more than the rounds that place touchpoints on pairs without sorting;
    # the touchpoints in one chunk, and in 21 (the steps that go a chunk at a time at a million customers);
    # ids as text (pairs found by node numbers) and as categories (by the categories' codes, as loaded)
    monkeypatch.setattr(graph_module, "_CHUNK", chunk)
    rng = np.random.default_rng(4)
    m = 20_000
    tps = pd.DataFrame({"customer": [f"c{k}" for k in rng.integers(0, 300, m)],
                        "provider": [f"P{k}" for k in rng.integers(0, 12, m)],
                        "at": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 10**6, m), unit="min")})
    tps.loc[::97, "customer"] = tps.loc[::97, "provider"]  # ties to oneself are no relationship
    tps.loc[::89, "at"] = pd.NaT
    tps = tps.astype({"customer": ids, "provider": ids})
    referral_ties = [("c1", "P1"), ("c2", "P1"), ("c2", "c1"), ("c3", "P2"), ("c4", "P2"), ("c4", "c3")]
    G = build_graph(refs([("c1", "c2"), ("c3", "c4")], provider=["P1", "P2"], referred_at=["2025-01-01", "2025-01-02"]),
                    tps)
    own = tps[tps["customer"].astype(str) != tps["provider"].astype(str)].astype({"customer": str, "provider": str})
    expected = own.groupby(["customer", "provider"])["at"].agg(["min", "max"])
    rel = G.relationships
    assert not rel.duplicated(["truster", "trustee"]).any()
    assert len(rel) == len(expected.index.union(pd.MultiIndex.from_tuples(referral_ties)))
    plain = expected[~expected.index.isin(referral_ties)]
    touched = rel.set_index(["truster", "trustee"]).loc[plain.index]
    assert (touched["kind"] == "customer").all() and (touched["referrals"] == 0).all()
    assert (touched["first_seen"].to_numpy() == plain["min"].to_numpy()).all()
    assert (touched["last_seen"].to_numpy() == plain["max"].to_numpy()).all()
    # each touchpoint's relationship row is its own pair's, -1 for a tie to oneself
    tie = G.touchpoints[TIE_REL].to_numpy()
    customer = G.touchpoints["customer"].astype(str).to_numpy()
    provider = G.touchpoints["provider"].astype(str).to_numpy()
    assert ((tie < 0) == (customer == provider)).all()
    # every touchpoint's customer is a customer, and its provider a provider
    nodes = G.nodes.set_index("id")
    assert set(nodes.index[nodes["is_customer"]]) == set(customer) | {"c2", "c4"}
    assert set(nodes.index[nodes["is_provider"]]) == set(provider) | {"P1", "P2"}
    ok = tie >= 0
    assert (rel["truster"].to_numpy()[tie[ok]] == customer[ok]).all()
    assert (rel["trustee"].to_numpy()[tie[ok]] == provider[ok]).all()
