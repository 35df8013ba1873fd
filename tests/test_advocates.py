"""Key advocates: forest reach and value, conversion, credibility, brokerage, segments, words, nurture."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from trustnet.advocates import ADVOCATE_COLUMNS, NURTURE_COLUMNS, SEGMENTS, forest_metrics, nurture, rank_advocates
from trustnet.advocates.metrics import _midrank_pct, brokerage
from trustnet.advocates.nurture import cascade_edges
from trustnet.advocates.rank import _decimal2, _thousands
from trustnet.errors import InputError, SettingsError
from trustnet.graph import build_graph
from trustnet.settings import Settings


def refs(rows, **cols):
    frame = pd.DataFrame(rows, columns=["referrer", "referred"])
    for name, values in cols.items():
        frame[name] = values
    return frame


@dataclass(frozen=True)
class Scores:
    """The TrustScores contract (CONTRIBUTING.md) filled by hand."""

    relationships: pd.DataFrame
    nodes: pd.DataFrame


def hand_scores(G, overall=None, trend=None, people=None, confidence=1.0, reputation_pct=None):
    """Scores aligned with G: ``overall``/``trend``/``people`` map (truster, trustee) -> value, default 0.5 / 0 / NaN."""
    rel = G.relationships.copy()
    pairs = list(zip(rel["truster"], rel["trustee"]))
    rel["overall"] = [(overall or {}).get(p, 0.5) for p in pairs]
    rel["trend"] = [(trend or {}).get(p, 0.0) for p in pairs]
    rel["people"] = [(people or {}).get(p, np.nan) for p in pairs]
    for dim in ("people", "process", "platform"):
        rel[f"{dim}_confidence"] = confidence
    nodes = G.nodes.copy()
    pct = [(reputation_pct or {}).get(i, 50.0) for i in nodes["id"]]
    nodes["reputation_pct"] = pct
    nodes["reputation"] = np.asarray(pct) / max(sum(pct), 1.0)
    return Scores(rel, nodes)


def row(table, advocate):
    return table.set_index("advocate").loc[advocate]


# --- the forest pass -------------------------------------------------------------------------------

def test_forest_reach_depth_and_decayed_value_by_hand():
    # a -> b -> d -> e ; a -> c ; values b 100, c 10, d 20, e 40
    G = build_graph(refs([("a", "b"), ("a", "c"), ("b", "d"), ("d", "e")], revenue=[100.0, 10.0, 20.0, 40.0]))
    m = forest_metrics(G, decay=0.5)
    m.index = G.nodes["id"]
    assert m.loc["a", "reach"] == 4 and m.loc["a", "depth"] == 3
    assert m.loc["a", "value_direct"] == 110.0
    assert m.loc["a", "value_downstream"] == 60.0
    # 110 + 0.5 * 20 + 0.25 * 40
    assert m.loc["a", "value_attributed"] == pytest.approx(130.0)
    assert m.loc["b", "value_attributed"] == pytest.approx(20.0 + 0.5 * 40.0)
    assert m.loc["e", "reach"] == 0 and m.loc["e", "depth"] == 0
    assert set(m.loc[["b", "c", "d", "e"], "tree"]) == {G.index_of("a")[0]}


def test_decay_one_and_zero():
    G = build_graph(refs([("a", "b"), ("b", "c")], revenue=[5.0, 7.0]))
    a = G.index_of("a")[0]
    assert forest_metrics(G, decay=1.0).loc[a, "value_attributed"] == pytest.approx(12.0)
    assert forest_metrics(G, decay=0.0).loc[a, "value_attributed"] == pytest.approx(5.0)
    with pytest.raises(InputError, match="between 0 and 1"):
        forest_metrics(G, decay=1.5)


def test_forest_pass_matches_descendants_on_a_random_forest():
    rng = np.random.default_rng(3)
    n = 400
    parent = np.array([-1] + [int(rng.integers(0, i)) if rng.random() > 0.1 else -1 for i in range(1, n)])
    kids = np.flatnonzero(parent >= 0)
    ids = np.array([f"p{i:04d}" for i in range(n)])
    revenue = rng.gamma(2.0, 50.0, len(kids)).round(2)
    G = build_graph(refs(list(zip(ids[parent[kids]], ids[kids])), revenue=revenue))
    m = forest_metrics(G, decay=0.5)
    m.index = G.nodes["id"]
    T = nx.DiGraph(list(zip(ids[parent[kids]], ids[kids])))
    value = dict(zip(ids[kids], revenue))
    for node in rng.choice(ids, 60, replace=False):
        if node not in T:
            continue
        below = nx.descendants(T, node)
        dist = nx.single_source_shortest_path_length(T, node)
        assert m.loc[node, "reach"] == len(below)
        assert m.loc[node, "value_direct"] + m.loc[node, "value_downstream"] == pytest.approx(sum(value[x] for x in below))
        assert m.loc[node, "value_attributed"] == pytest.approx(sum(value[x] * 0.5 ** (dist[x] - 1) for x in below))
        assert m.loc[node, "depth"] == max(dist.values())


def test_long_chain_is_one_pass_per_level():
    n = 3000
    ids = [f"p{i:05d}" for i in range(n + 1)]
    G = build_graph(refs(list(zip(ids[:-1], ids[1:]))))
    m = forest_metrics(G)
    assert m.loc[G.index_of("p00000")[0], "reach"] == n
    assert m.loc[G.index_of("p00000")[0], "depth"] == n


def test_declined_and_pending_people_are_not_reached_customers():
    G = build_graph(refs([("a", "b"), ("a", "c"), ("a", "d")], status=["converted", "declined", "pending"]))
    assert forest_metrics(G).loc[G.index_of("a")[0], "reach"] == 1


def test_excluded_referrals_cut_their_subtree_and_revenue():
    G = build_graph(refs([("a", "b"), ("b", "c"), ("a", "x"), ("x", "y")], revenue=[10.0, 20.0, 500.0, 900.0]))
    exclude = (G.referrals["referred"] == "x").to_numpy()
    m = forest_metrics(G, decay=1.0, exclude=exclude)
    a = G.index_of("a")[0]
    assert m.loc[a, "reach"] == 2
    assert m.loc[a, "value_attributed"] == pytest.approx(30.0)
    # x keeps its own chain
    assert m.loc[G.index_of("x")[0], "value_direct"] == pytest.approx(900.0)
    with pytest.raises(InputError, match="one true/false value per referral"):
        forest_metrics(G, exclude=[True])
    nullable = pd.Series(exclude, dtype="boolean")
    pd.testing.assert_frame_equal(forest_metrics(G, decay=1.0, exclude=nullable), m)


# --- conversion, columns, order ---------------------------------------------------------------------

def test_conversion_rate_is_smoothed_towards_the_base_rate():
    G = build_graph(refs([("a", "b"), ("a", "c"), ("a", "d"), ("e", "f")],
                         status=["converted", "converted", "declined", "declined"]))
    t = rank_advocates(G, settings=Settings().replace(**{"advocates.conversion_smoothing": 2.0}))
    base = 2 / 4
    assert row(t, "a")["conversion_rate"] == pytest.approx((2 + 2 * base) / (3 + 2))
    assert row(t, "e")["conversion_rate"] == pytest.approx((0 + 2 * base) / (1 + 2))
    assert row(t, "a")["converted"] == 2


def test_pending_is_not_a_known_outcome_and_no_outcome_means_nan():
    G = build_graph(refs([("a", "b"), ("a", "c")], status=["converted", "pending"]))
    assert row(rank_advocates(G), "a")["conversion_rate"] == pytest.approx((1 + 2 * 1.0) / (1 + 2))
    t = rank_advocates(build_graph(refs([("a", "b"), ("b", "c")])))
    assert t["conversion_rate"].isna().all()
    assert t["score"].notna().all()
    assert "converted)" not in t.loc[0, "why"]


def test_columns_order_and_determinism():
    base = refs([("a", "b"), ("a", "c"), ("b", "d"), ("e", "f"), ("g", "h")], provider=["P", "P", "Q", "P", "Q"],
                revenue=[10.0, 20.0, 30.0, 5.0, 5.0],
                referred_at=pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01", "2025-03-05", "2025-04-01"]))
    t1 = rank_advocates(build_graph(base))
    t2 = rank_advocates(build_graph(base.iloc[::-1].reset_index(drop=True)))
    assert tuple(t1.columns) == ADVOCATE_COLUMNS
    pd.testing.assert_frame_equal(t1, t2)
    assert t1["score"].is_monotonic_decreasing
    assert set(t1["advocate"]) == {"a", "b", "e", "g"}
    assert t1["score_pct"].max() == 100.0


def test_no_advocates_gives_an_empty_table_with_the_columns():
    G = build_graph(refs([], ))
    t = rank_advocates(G)
    assert len(t) == 0 and tuple(t.columns) == ADVOCATE_COLUMNS


def test_inputs_are_not_mutated():
    G = build_graph(refs([("a", "b"), ("b", "c")], revenue=[1.0, 2.0]))
    S = hand_scores(G)
    before = (G.nodes.copy(), G.relationships.copy(), G.parent.copy(), S.relationships.copy())
    rank_advocates(G, S)
    nurture(G, S, k=1, settings=Settings().replace(**{"advocates.nurture_samples": 500}))
    pd.testing.assert_frame_equal(G.nodes, before[0])
    pd.testing.assert_frame_equal(G.relationships, before[1])
    assert (G.parent == before[2]).all()
    pd.testing.assert_frame_equal(S.relationships, before[3])


# --- credibility, reputation, brokerage --------------------------------------------------------------

def test_credibility_places_referees_within_the_providers_population():
    rows = [("ann", "b1"), ("ann", "b2"), ("bob", "c1"), ("bob", "c2"), ("x", "d1"), ("x", "d2")]
    G = build_graph(refs(rows, provider="P"))
    overall = {("b1", "P"): 0.9, ("b2", "P"): 0.8, ("c1", "P"): 0.2, ("c2", "P"): 0.3,
               ("d1", "P"): 0.5, ("d2", "P"): 0.6, ("ann", "P"): 0.55, ("bob", "P"): 0.45, ("x", "P"): 0.4}
    S = hand_scores(G, overall=overall)
    s0 = Settings().replace(**{"advocates.credibility_smoothing": 0.0})
    t = rank_advocates(G, S, s0)
    # nine relationships with P; b1 and b2 are the top two: mid-rank percentiles (9-.5)/9, (8-.5)/9
    assert row(t, "ann")["credibility"] == pytest.approx(((8.5 + 7.5) / 9) / 2)
    assert row(t, "bob")["credibility"] == pytest.approx(((0.5 + 1.5) / 9) / 2)
    assert row(t, "ann")["referee_trust"] == pytest.approx(0.85)
    smoothed = rank_advocates(G, S)  # two pseudo-referees at 0.5 pull towards the median
    assert 0.5 < row(smoothed, "ann")["credibility"] < row(t, "ann")["credibility"]
    assert "trust the provider more than average" in row(t, "ann")["why"]
    assert "trust the provider much less than average" in row(t, "bob")["why"]  # below low_credibility


def test_credibility_is_confidence_weighted():
    G = build_graph(refs([("ann", "b1"), ("ann", "b2"), ("z", "q")], provider="P"))
    S = hand_scores(G, overall={("b1", "P"): 0.9, ("b2", "P"): 0.1})
    rel = S.relationships.copy()
    low = (rel["truster"] == "b2").to_numpy()
    for dim in ("people", "process", "platform"):
        rel.loc[low, f"{dim}_confidence"] = 0.0
    t = rank_advocates(G, Scores(rel, S.nodes), Settings().replace(**{"advocates.credibility_smoothing": 0.0}))
    assert row(t, "ann")["referee_trust"] == pytest.approx(0.9)


def test_reputation_comes_from_the_scores():
    G = build_graph(refs([("a", "b"), ("c", "d")]))
    t = rank_advocates(G, hand_scores(G, reputation_pct={"a": 90.0, "c": 10.0}))
    assert row(t, "a")["reputation_pct"] == 90.0 and row(t, "c")["reputation_pct"] == 10.0
    assert t.loc[0, "advocate"] == "a"


def test_brokerage_by_hand():
    # a refers two people to P and two to Q: ties in two groups half and half -> 0.5
    G = build_graph(refs([("a", "b"), ("a", "c"), ("a", "d"), ("a", "e"), ("f", "g")], provider=["P", "P", "Q", "Q", "P"]))
    t = rank_advocates(G)
    assert row(t, "a")["brokerage"] == pytest.approx(0.5)
    assert row(t, "f")["brokerage"] == pytest.approx(0.0)
    # a tie into another referral tree is a bridge too: h was acquired by f, a refers h later
    G2 = build_graph(refs([("f", "h"), ("a", "b"), ("a", "h")], provider="P",
                          referred_at=pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"])))
    b = brokerage(G2, np.ones(3, bool), forest_metrics(G2)["tree"].to_numpy())
    assert b[G2.index_of("a")[0]] == pytest.approx(0.5)



def test_brokerage_counts_each_persons_ties_per_tree_and_provider(monkeypatch):
    from trustnet.advocates import metrics

    rng = np.random.default_rng(5)  # people who refer to several providers, into each other's trees
    pairs = [(f"p{a}", f"p{b}") for a, b in rng.integers(0, 600, (2000, 2))]
    G = build_graph(refs(pairs, provider=[f"P{k}" for k in rng.integers(0, 4, 2000)]))
    keep = np.ones(len(G.referrals), bool)
    keep[::9] = False
    tree = forest_metrics(G)["tree"].to_numpy()
    got = brokerage(G, keep, tree)
    r, d, p = (G.referrals[c].to_numpy()[keep] for c in ("referrer_idx", "referred_idx", "provider_idx"))
    ties = pd.DataFrame({"person": np.r_[r, d], "tree": np.r_[tree[d], tree[r]], "provider": np.r_[p, p]})
    share = ties.groupby(["person", "tree", "provider"]).size() / ties.groupby("person").size()
    expected = np.zeros(G.n)
    simpson = 1 - (share ** 2).groupby(level="person").sum()
    expected[simpson.index.to_numpy()] = simpson.to_numpy()
    np.testing.assert_allclose(got, expected, atol=1e-12)
    assert (got > 0).sum() > 10
    monkeypatch.setattr(metrics, "_KEY_BITS", 8)  # the groups hashed, as when person × group outgrows 63 bits
    np.testing.assert_allclose(brokerage(G, keep, tree), expected, atol=1e-12)


# --- segments and words --------------------------------------------------------------------------------

def test_segments_follow_their_rules_in_order():
    day = pd.Timestamp("2025-12-31")
    rows, dates, prov = [], [], []

    def add(referrer, n, when):
        for i in range(n):
            rows.append((referrer, f"{referrer}-r{i}"))
            dates.append(day - pd.Timedelta(days=when + i))
            prov.append("P")

    add("risky", 3, 10)
    add("shaky", 3, 12)
    add("sleepy", 3, 400)
    add("doubted", 3, 100)
    add("star", 12, 100)
    add("newbie", 1, 5)
    add("plain", 2, 150)
    for i in range(30):  # a population of steady, middling advocates
        add(f"m{i:02d}", 2, 120 + i)
    G = build_graph(refs(rows, provider=prov, referred_at=dates))
    overall = {(f"doubted-r{i}", "P"): 0.05 for i in range(3)}
    overall.update({(f"star-r{i}", "P"): 0.9 for i in range(12)})
    overall[("shaky", "P")] = 0.01  # the lowest of P's ~120 relationships
    S = hand_scores(G, overall=overall, trend={("risky", "P"): -0.3}, reputation_pct={"star": 99.0})
    t = rank_advocates(G, S)
    seg = t.set_index("advocate")["segment"].astype(str)
    assert seg["risky"] == "at risk" and seg["shaky"] == "at risk"
    assert "their own trust in the provider is low (0.01, lower than 99% of its customers)" in row(t, "shaky")["why"]
    assert seg["sleepy"] == "dormant"
    assert seg["doubted"] == "low credibility"
    assert "trust the provider much less than average" in row(t, "doubted")["why"]
    assert seg["star"] == "champion"
    assert seg["newbie"] == "rising"
    assert seg["plain"] == "steady"
    assert list(t["segment"].cat.categories) == list(SEGMENTS)
    assert "falling (-0.30)" in row(t, "risky")["why"]
    assert "no referral for 395 days" in row(t, "sleepy")["why"]  # as_of = the newest referral, 5 days back


def test_why_reads_like_the_example():
    rows = [("ann", f"c{i}") for i in range(14)] + [("c0", f"d{i}") for i in range(49)]
    status = ["converted"] * 11 + ["declined"] * 3 + ["converted"] * 49
    revenue = [400.0] * 11 + [np.nan] * 3 + [163.2653] * 49
    G = build_graph(refs(rows, status=status, revenue=revenue))
    why = row(rank_advocates(G), "ann")["why"]
    assert why.startswith("referred 14 (11 converted); their chains reached 60 customers worth $12,400, 2 levels deep")


def test_number_formatting_is_vectorised_and_right():
    assert _thousands([0, 7, 999, 1000, 12400, 1234567, -4500, 1e9]).tolist() == [
        "0", "7", "999", "1,000", "12,400", "1,234,567", "-4,500", "1,000,000,000"]
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.integers(-10**15, 10**15, 2000), rng.integers(-2000, 2000, 2000), [999, -999, 10**17]])
    assert _thousands(values).tolist() == [f"{v:,}" for v in values.tolist()]
    assert _thousands([]).tolist() == [] and _thousands([np.nan, 5.6]).tolist() == ["0", "6"]
    assert _decimal2([0.824, 1.0, -0.15, 0.05]).tolist() == ["0.82", "1.00", "-0.15", "0.05"]


def test_bad_scores_and_settings_are_reported():
    G = build_graph(refs([("a", "b")]))
    other = build_graph(refs([("a", "b"), ("b", "c")]))
    with pytest.raises(InputError, match="do not belong to this graph"):
        rank_advocates(G, hand_scores(other))
    with pytest.raises(InputError, match="TrustScores"):
        rank_advocates(G, scores=object())
    with pytest.raises(SettingsError, match="valid keys are conversion, credibility"):
        rank_advocates(G, settings=Settings().replace(**{"advocates.score_weights": {"fame": 1.0}}))


def test_score_is_attributed_value_scaled_by_quality():
    G = build_graph(refs([("a", "b"), ("c", "d")], revenue=[100.0, 100.0], status="converted"))
    S = hand_scores(G, reputation_pct={"a": 90.0, "c": 10.0})
    t = rank_advocates(G, S)
    a, c = row(t, "a"), row(t, "c")
    assert a["score"] == pytest.approx(a["value_attributed"] * (0.5 + a["quality"]))
    w = {"conversion": 0.3, "credibility": 0.3, "reputation": 0.2, "brokerage": 0.2}
    expected = (w["conversion"] * a["conversion_rate"] + w["credibility"] * a["credibility"]
                + w["reputation"] * 0.9 + w["brokerage"] * a["brokerage"])
    assert a["quality"] == pytest.approx(expected)
    assert a["quality"] > c["quality"] and t.loc[0, "advocate"] == "a"


def test_without_revenue_the_score_uses_decayed_reach():
    G = build_graph(refs([("a", "b"), ("b", "c"), ("d", "e")]))
    t = rank_advocates(G)
    assert row(t, "a")["score"] == pytest.approx((1 + 0.5) * (0.5 + row(t, "a")["quality"]))
    assert t.loc[0, "advocate"] == "a"


def test_score_weights_change_the_order():
    rows = [("big", "x1"), ("big", "x2"), ("big", "x3"), ("cred", "y1")] + [("z", f"z{i}") for i in range(6)]
    G = build_graph(refs(rows, provider="P", status="converted", revenue=[100.0] * 3 + [250.0] + [1.0] * 6))
    low = {(f"x{i}", "P"): 0.1 for i in (1, 2, 3)}
    S = hand_scores(G, overall={**low, ("y1", "P"): 0.99})
    only = lambda name: Settings().replace(**{"advocates.score_weights": {  # noqa: E731
        k: float(k == name) for k in ("conversion", "credibility", "reputation", "brokerage")}})
    assert rank_advocates(G, S, only("conversion")).loc[0, "advocate"] == "big"  # 300 x 1.5 against 250 x 1.5
    assert rank_advocates(G, S, only("credibility")).loc[0, "advocate"] == "cred"  # their word held


# --- nurture ----------------------------------------------------------------------------------------------

FEW = Settings().replace(**{"advocates.nurture_samples": 20_000})


def test_cascade_probabilities_come_from_people_trust_and_conversion():
    G = build_graph(refs([("a", "b"), ("a", "c")], status=["converted", "converted"]))
    S = hand_scores(G, people={("b", "a"): 0.8, ("c", "a"): 0.4})
    e = cascade_edges(G, S)
    ids = G.nodes["id"].to_numpy()
    p = dict(zip(ids[e["target"]], e["p"]))
    rate = (2 + 2 * 1.0) / (2 + 2)
    assert p["b"] == pytest.approx(0.8 * rate) and p["c"] == pytest.approx(0.4 * rate)


def test_nurture_estimates_the_exact_expected_reach():
    # busy's four declines versus ann's converting chain (probabilities worked out in the docstring example)
    G = build_graph(refs([("busy", "p1"), ("busy", "p2"), ("busy", "p3"), ("busy", "p4"),
                          ("ann", "bob"), ("ann", "eve"), ("bob", "cat"), ("cat", "dan")],
                         status=["declined"] * 4 + ["converted"] * 4))
    out = nurture(G, k=2, settings=FEW)
    assert tuple(out.columns) == NURTURE_COLUMNS
    assert out["advocate"].tolist() == ["ann", "busy"]
    # p(ann->x) = 0.5 * 3/4, p(bob->cat) = p(cat->dan) = 0.5 * 2/3, p(busy->p) = 0.5 * 1/6
    pa, pb, pq = 0.375, 1 / 3, 1 / 12
    ann = 2 * pa + pa * pb + pa * pb * pb
    assert out.loc[0, "expected_reach"] == pytest.approx(ann, abs=0.05)
    assert out.loc[1, "expected_reach"] == pytest.approx(ann + 4 * pq, abs=0.05)
    assert out.loc[0, "by_count_advocate"] == "busy"
    assert out.loc[0, "by_count_expected_reach"] == pytest.approx(4 * pq, abs=0.05)
    assert out.attrs["samples"] == 20_000 and out.attrs["reachable"] == 8


def test_nurture_avoids_overlapping_seeds():
    # a's chain contains b: after a, the greedy prefers the separate chain of c over b
    rows = [("a", "b"), ("b", "b1"), ("b", "b2"), ("b", "b3"), ("c", "c1"), ("c", "c2")]
    G = build_graph(refs(rows, status="converted"))
    S = hand_scores(G, people={(d, r): 0.95 for r, d in rows})
    out = nurture(G, S, k=2, settings=FEW)
    assert out["advocate"].tolist() == ["b", "c"] or out["advocate"].tolist() == ["a", "c"]
    assert out["marginal_gain"].is_monotonic_decreasing


def test_nurture_is_seeded_and_capped():
    G = build_graph(refs([("a", "b"), ("b", "c"), ("d", "e")]))
    one = nurture(G, k=10, settings=FEW)
    two = nurture(G, k=10, settings=FEW)
    pd.testing.assert_frame_equal(one, two)
    assert len(one) == 3 and set(one["advocate"]) == {"a", "b", "d"}
    other = nurture(G, k=10, settings=FEW.replace(**{"advocates.seed": 1}))
    assert not np.allclose(one["marginal_gain"], other["marginal_gain"])
    with pytest.raises(InputError, match="whole number"):
        nurture(G, k=-1)


def test_nurture_beats_the_busiest_advocates_when_volume_misleads():
    # spammers send many referrals nobody trusts; quiet advocates start trusted chains
    rows, people, status = [], {}, []
    for s in range(5):
        for i in range(20):
            rows.append((f"spam{s}", f"s{s}-{i}"))
            people[(f"s{s}-{i}", f"spam{s}")] = 0.05
            status.append("declined")
    for q in range(5):
        prev = f"quiet{q}"
        for lvl in range(6):
            nxt = f"q{q}-{lvl}"
            rows.append((prev, nxt))
            people[(nxt, prev)] = 0.95
            status.append("converted")
            prev = nxt
    G = build_graph(refs(rows, status=status))
    out = nurture(G, hand_scores(G, people=people), k=5, settings=FEW)
    assert all(a.startswith("q") for a in out["advocate"])  # heads or members of the trusted chains
    assert set(out["by_count_advocate"]) == {f"spam{s}" for s in range(5)}
    assert out.attrs["extra_reach"] > 0 and out.attrs["extra_reach_pct"] > 100


# --- the command line --------------------------------------------------------------------------------------

def _export(tmp_path):
    frame = refs([("ann", "bob"), ("ann", "cat"), ("bob", "dan"), ("eve", "fay")], provider="Tiles",
                 status=["converted", "converted", "converted", "declined"], revenue=[1200.0, 800.0, 500.0, None],
                 referred_at=["2025-01-05", "2025-02-01", "2025-03-01", "2025-03-02"])
    path = tmp_path / "referrals.csv"
    frame.to_csv(path, index=False)
    return path


def test_cli_prints_a_readable_table(tmp_path):
    from click.testing import CliRunner

    from trustnet.cli import cli

    result = CliRunner().invoke(cli, ["advocates", str(_export(tmp_path)), "--top", "1", "--nurture", "1"])
    assert result.exit_code == 0, result.output
    assert "3 advocates (" in result.output
    assert "1. ann" in result.output and "2. bob" not in result.output
    assert "referred 2 (2 converted); their chains reached 3 customers worth $2,500" in result.output
    assert "Nurture these 1: expected new reach" in result.output


def test_cli_json(tmp_path):
    import json

    from click.testing import CliRunner

    from trustnet.cli import cli

    result = CliRunner().invoke(cli, ["advocates", str(_export(tmp_path)), "--json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    assert [r["advocate"] for r in records][:2] == ["ann", "bob"]
    assert records[0]["value_attributed"] == pytest.approx(2000.0 + 0.5 * 500.0)


def test_cli_unreadable_file_is_a_clean_error(tmp_path):
    from click.testing import CliRunner

    from trustnet.cli import cli

    bad = tmp_path / "nothing.csv"
    bad.write_text("just,some\nwords,here\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["advocates", str(bad)])
    assert result.exit_code == 2
    assert "Error:" in result.output and "Traceback" not in result.output


# --- with the trust model ----------------------------------------------------------------------------------

def test_with_score_trust_credibility_follows_what_referees_said():
    from trustnet.trust import score_trust

    rows = [("good", f"g{i}") for i in range(4)] + [("poor", f"p{i}") for i in range(4)] + [("x", "y")]
    when = pd.to_datetime(["2025-01-10"] * len(rows))
    G = build_graph(
        refs(rows, provider="Tiles", status="converted", revenue=100.0, referred_at=when),
        pd.DataFrame({
            "customer": [f"g{i}" for i in range(4)] + [f"p{i}" for i in range(4)],
            "provider": "Tiles",
            "at": pd.to_datetime(["2025-03-01"] * 8),
            "touchpoint": ["survey"] * 8,
            "score": [10.0] * 4 + [0.0] * 4,
            "scale": "nps",
            "event": [None] * 4 + ["complaint"] * 4,
        }),
    )
    T = score_trust(G)
    t = rank_advocates(G, T)
    good, poor = row(t, "good"), row(t, "poor")
    assert good["credibility"] > 0.5 > poor["credibility"]
    assert good["referee_trust"] > poor["referee_trust"]
    assert t["reputation_pct"].notna().all()
    assert t.loc[0, "advocate"] == "good"
    picks = nurture(G, T, k=2, settings=FEW)
    assert len(picks) == 2 and picks["marginal_gain"].ge(0).all()


def _exact_new_reach(parent, prob, seeds):
    """Expected people reached (seeds excluded) on a forest: each node's nearest seed ancestor must reach it."""
    total = 0.0
    for v in range(len(parent)):
        if v in seeds:
            continue
        p, u = 1.0, v
        while parent[u] >= 0:
            p *= prob[u]
            u = parent[u]
            if u in seeds:
                total += p
                break
    return total


def test_nurture_estimates_match_the_exact_reach_on_a_random_forest():
    rng = np.random.default_rng(11)
    n = 120
    parent = np.array([-1] * 10 + [int(rng.integers(0, i)) for i in range(10, n)])
    ids = np.array([f"n{i:03d}" for i in range(n)])
    kids = np.flatnonzero(parent >= 0)
    status = np.where(rng.random(len(kids)) < 0.7, "converted", "declined")
    G = build_graph(refs(list(zip(ids[parent[kids]], ids[kids])), status=status))
    edges = cascade_edges(G)
    node_of = {name: G.index_of(name)[0] for name in ids}
    prob = np.zeros(n)
    gp = {(s, t): p for s, t, p in zip(edges["source"], edges["target"], edges["p"])}
    for k in kids:
        prob[k] = gp[(node_of[ids[parent[k]]], node_of[ids[k]])]
    out = nurture(G, k=3, settings=Settings().replace(**{"advocates.nurture_samples": 60_000}))
    picks = [int(np.flatnonzero(ids == a)[0]) for a in out["advocate"]]
    for j in range(1, 4):
        exact = _exact_new_reach(parent, prob, set(picks[:j]))
        assert out.loc[j - 1, "expected_reach"] == pytest.approx(exact, rel=0.08, abs=0.1)
    # the first pick is the best single seed
    singles = {a: _exact_new_reach(parent, prob, {a}) for a in set(parent[kids])}
    assert singles[picks[0]] >= max(singles.values()) - 0.1


def test_nurture_stops_sampling_when_a_supercritical_cascade_fills_the_budget(monkeypatch):
    import importlib

    monkeypatch.setattr(importlib.import_module("trustnet.advocates.nurture"), "MAX_MEMBERS", 20_000)
    ids = [f"r{i:03d}" for i in range(200)]
    G = build_graph(refs(list(zip(ids, ids[1:] + ids[:1])), status="converted"))  # one big ring
    S = hand_scores(G, people={(b, a): 1.0 for a, b in zip(ids, ids[1:] + ids[:1])})
    out = nurture(G, S, k=1, settings=FEW)
    assert out.attrs["samples"] < 20_000
    # every tie fires: one seed reaches the other 199 people
    assert out.loc[0, "expected_reach"] == pytest.approx(199.0, rel=0.02)


@pytest.mark.parametrize("groups", [5, 70_000])  # a narrow (radix-sorted) and a wide group number
def test_midrank_percentile_is_the_average_rank_within_each_group(groups):
    rng = np.random.default_rng(3)
    group = rng.integers(0, groups, 200_000) * 3  # sparse ids, as trustee indices are
    value = rng.integers(0, 50, 200_000) / 10  # many ties
    value[::7] = -0.0  # ties with 0.0
    frame = pd.DataFrame({"g": group, "v": value})
    expected = (frame.groupby("g")["v"].rank(method="average") - 0.5) / frame.groupby("g")["v"].transform("size")
    np.testing.assert_allclose(_midrank_pct(group, value), expected.to_numpy(), rtol=0, atol=1e-12)
    assert _midrank_pct(np.zeros(0, np.int64), np.zeros(0)).shape == (0,)
