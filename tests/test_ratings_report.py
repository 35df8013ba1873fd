"""``trustnet analyse`` on rating networks: Bitcoin OTC and the physicians' advice network, end to end.

Hand-made networks check the routing and the tables; the public datasets
(../shared/datasets, skipped when absent) check the whole report folder, the
README's structural facts, the untrustworthy ranking against REV2's labels
and the physicians' node attributes.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from trustnet.analysis import analyse
from trustnet.cli import cli
from trustnet.errors import InputError
from trustnet.graph import KINDS, RATED, build_rating_graph
from trustnet.load.nodes import load_node_attributes
from trustnet.ratings import roc_auc

OTC = ("bitcoin-otc", "soc-sign-bitcoinotc.csv")
PHYS = ("physician-advice", "ICHPS_ClinEdgeList.csv")
PHYS_NODES = ("physician-advice", "ICHPS_nodecov.dat")

FOLDER = ("index.html", "summary.json", "advocates.csv", "at_risk.csv", "relationships.csv", "nodes.csv",
          "nurture.csv", "suspicious.csv", "rejected_rows.csv", "graph.gexf", "graph.graphml", "graph.json",
          "gephi/nodes.csv", "gephi/edges.csv")


def _ratings() -> pd.DataFrame:
    """Two honest traders rating each other and a third; a scammer rated down by all three."""
    return pd.DataFrame({
        "rater": ["a", "b", "c", "a", "b", "c", "b", "x"],
        "ratee": ["b", "a", "a", "x", "x", "x", "c", "a"],
        "rating": [8, 9, 6, -10, -9, -8, 5, 10],
        "rated_at": pd.to_datetime(["2015-01-01", "2015-01-02", "2015-02-01", "2015-03-01", "2015-03-02",
                                    "2015-03-05", "2015-04-01", "2015-04-02"]),
    })


# --- library: routing and tables ------------------------------------------------------------
def test_analyse_kind_ratings_gives_the_report_tables():
    a = analyse(_ratings(), kind="ratings")
    assert a.kind == "ratings" and a.suspicion is None and len(a.nurture) == 0
    rel = a.relationships
    assert len(rel) == 8 and set(rel["kind"].astype(str)) == {RATED}
    assert rel["process"].isna().all() and rel["platform"].isna().all()
    assert rel["people"].between(0, 1).all() and (rel["overall"] == rel["people"]).all()
    assert (rel["why"].str.len() > 0).all()
    assert a.at_risk["account"].tolist() == ["x"]
    assert a.at_risk["next_action"].iloc[0].startswith(("avoid", "verify before trading"))
    assert a.at_risk["priority"].is_monotonic_decreasing
    assert "x" not in set(a.advocates["advocate"]) and a.advocates["score"].is_monotonic_decreasing
    assert {"advocate", "score", "score_pct", "reach", "segment", "why"} <= set(a.advocates.columns)
    assert {"untrustworthy_score", "fairness", "goodness", "reputation", "why"} <= set(a.nodes.columns)
    assert a.nodes.set_index("id")["untrustworthy_score"].idxmax() == "x"
    assert any("untrustworthy" in line for line in a.headline())


def test_referral_analysis_keeps_its_kind():
    refs = pd.DataFrame({"referrer": ["ann", "ann"], "referred": ["bob", "cat"]})
    a = analyse(refs)
    assert a.kind == "referrals" and a.suspicion is not None


def test_node_attributes_need_a_rating_network():
    refs = pd.DataFrame({"referrer": ["ann"], "referred": ["bob"]})
    with pytest.raises(InputError, match="rating networks only"):
        analyse(refs, node_attributes=pd.DataFrame({"id": ["ann"], "site": ["x"]}))


def test_unknown_group_column_names_the_columns():
    attrs = pd.DataFrame({"id": ["a", "b", "c", "x"], "desk": [1, 1, 2, 2]})
    with pytest.raises(InputError, match="'desk'"):
        analyse(_ratings(), kind="ratings", node_attributes=attrs, group="site")


def test_rating_graph_is_a_trust_graph():
    G = build_rating_graph(_ratings(), people=["loner"])
    assert RATED in KINDS and G.n == 5 and (G.parent == -1).all() and len(G.referrals) == 0
    assert G.adjacency.sum() == 8 and G.nodes.set_index("id").loc["loner", "ratings_received"] == 0
    assert str(G.as_of.date()) == "2015-04-02"


def test_rating_report_writes_the_folder(tmp_path):
    attrs = pd.DataFrame({"id": ["a", "b", "c", "x"], "site": ["north", "north", "south", "south"]})
    a = analyse(_ratings(), kind="ratings", node_attributes=attrs)
    index = a.write(tmp_path / "r")
    for name in FOLDER:
        assert (tmp_path / "r" / name).is_file(), name
    figures = {p.stem for p in (tmp_path / "r" / "figures").iterdir()}
    assert figures == {"network_map", "trust_carriers", "untrustworthy_accounts", "trust_distribution",
                       "group_bridges", "trust_over_time"}
    nodes = pd.read_csv(tmp_path / "r" / "nodes.csv", dtype={"id": str})
    assert nodes.set_index("id").loc["c", "site"] == "south"
    assert 'key="site"' in (tmp_path / "r" / "graph.graphml").read_text() or "site" in (tmp_path / "r" / "graph.graphml").read_text()
    page = index.read_text()
    assert "Accounts most likely untrustworthy" in page and "Who bridges the sites" in page
    info = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert info["kind"] == "ratings" and info["counts"]["likely_untrustworthy"] == 1 and info["group"] == "site"


# --- node files ---------------------------------------------------------------------------
def test_node_file_with_header(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("person,site,years\n1,north,3\n2,south,4.5\n")
    t = load_node_attributes(path)
    assert t.columns.tolist() == ["id", "site", "years"] and t["years"].dtype == "float64"


def test_node_file_rejects_repeated_ids(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("id,site\n1,north\n1,south\n")
    with pytest.raises(InputError, match="more than once"):
        load_node_attributes(path)


# --- CLI on the public networks --------------------------------------------------------------
@pytest.fixture(scope="module")
def otc_report(tmp_path_factory):
    from tests.conftest import SHARED_DATASETS

    path = SHARED_DATASETS.joinpath(*OTC)
    if not path.is_file():
        pytest.skip(f"public datasets not found at {SHARED_DATASETS}: put ../shared/datasets beside the project")
    out = tmp_path_factory.mktemp("otc") / "report"
    result = CliRunner().invoke(cli, ["analyse", str(path), "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


def test_otc_cli_writes_the_full_folder(otc_report):
    for name in FOLDER:
        assert (otc_report / name).is_file(), name
    figures = {p.stem for p in (otc_report / "figures").iterdir()}
    assert figures == {"network_map", "trust_carriers", "untrustworthy_accounts", "trust_distribution",
                       "trust_over_time"}
    page = (otc_report / "index.html").read_text()
    assert "Whose trust carries furthest" in page and "verify before trading" in page


def test_otc_summary_reproduces_the_structural_checks(otc_report):
    info = json.loads((otc_report / "summary.json").read_text())
    net = info["network"]
    assert (net["people"], net["ratings"]) == (5881, 35592)
    assert (net["strong_components"], net["weak_components"], net["max_total_degree"]) == (1144, 4, 1298)
    assert round(net["reciprocated_share"], 3) == 0.792
    assert info["kind"] == "ratings" and info["inputs"][0]["sha256"].startswith("22b08170")


def test_otc_untrustworthy_column_ranks_the_fraudsters(otc_report, shared_datasets):
    nodes = pd.read_csv(otc_report / "nodes.csv", dtype={"id": str})
    gt = pd.read_csv(shared_datasets / "bitcoin-otc" / "otc_gt.csv", header=None, names=["id", "label"],
                     dtype={"id": str})
    score = nodes.set_index("id")["untrustworthy_score"].reindex(gt["id"])
    assert score.notna().all()
    assert roc_auc((gt["label"] == -1).to_numpy(), score.to_numpy()) >= 0.99


def test_otc_tables_are_ranked(otc_report):
    risk = pd.read_csv(otc_report / "at_risk.csv", dtype={"account": str})
    adv = pd.read_csv(otc_report / "advocates.csv", dtype={"advocate": str})
    assert len(risk) > 100 and risk["priority"].is_monotonic_decreasing and (risk["likelihood"] >= 0.5).all()
    assert adv["score"].is_monotonic_decreasing and not set(adv["advocate"]) & set(risk["account"])
    rel = pd.read_csv(otc_report / "relationships.csv", usecols=["kind", "people", "process"])
    assert len(rel) == 35592 and (rel["kind"] == "rated").all() and rel["process"].isna().all()


def test_physicians_report_reads_on_33_people(shared_datasets, tmp_path):
    out = tmp_path / "phys"
    args = ["analyse", str(shared_datasets.joinpath(*PHYS)), "--nodes", str(shared_datasets.joinpath(*PHYS_NODES)),
            "-o", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "bridges" in result.output and "named by nobody" in result.output
    nodes = pd.read_csv(out / "nodes.csv", dtype={"id": str})
    assert len(nodes) == 33 and nodes["practice"].notna().all() and set(nodes["practice"]) == {1, 2, 3, 4}
    assert nodes.set_index("id").loc["1", "survey_id"] == 102  # row i of the node file is physician i
    figures = {p.stem for p in (out / "figures").iterdir()}
    assert figures == {"network_map", "trust_carriers", "trust_distribution", "group_bridges"}
    assert "practice" in (out / "graph.gexf").read_text()
    info = json.loads((out / "summary.json").read_text())
    assert info["group"] == "practice" and info["counts"]["likely_untrustworthy"] == 0
    assert info["top_advocates"][0]["advocate"] == "27"  # consulted by 24 of 32 colleagues


def test_physician_node_file_rows_are_the_edge_list_ids(shared_datasets):
    """Row i of ICHPS_nodecov.dat is physician i: with that reading ties cluster within practice sites."""
    edges = pd.read_csv(shared_datasets.joinpath(*PHYS))
    attrs = load_node_attributes(shared_datasets.joinpath(*PHYS_NODES))
    practice = attrs.set_index("id")["practice"]
    same = (practice.loc[edges["source"].astype(str)].to_numpy() == practice.loc[edges["target"].astype(str)].to_numpy())
    shuffled = [np.mean(p[edges["source"] - 1] == p[edges["target"] - 1])
                for p in (np.random.default_rng(seed).permutation(practice.to_numpy()) for seed in range(200))]
    assert same.mean() > np.quantile(shuffled, 0.99)
    assert not set(attrs["survey_id"].astype(str)) & set(edges["source"].astype(str))


def test_kind_ratings_forces_the_route(tmp_path):
    path = tmp_path / "mixed.csv"  # referral columns and rating columns: detected as referrals
    path.write_text("referrer,referred,from,to,weight\nann,bob,a,b,5\nann,cat,b,a,-2\nbob,dan,c,a,4\n")
    assert analyse(path).kind == "referrals"
    forced = CliRunner().invoke(cli, ["analyse", str(path), "--kind", "ratings", "-o", str(tmp_path / "forced"),
                                      "--quiet"])
    assert forced.exit_code == 0, forced.output
    info = json.loads((tmp_path / "forced" / "summary.json").read_text())
    assert info["kind"] == "ratings" and info["network"]["people"] == 3


def test_nodes_on_a_referral_export_is_a_clear_error(tmp_path):
    path = tmp_path / "refs.csv"
    path.write_text("referrer,referred\nann,bob\n")
    nodes = tmp_path / "nodes.csv"
    nodes.write_text("id,site\nann,north\n")
    result = CliRunner().invoke(cli, ["analyse", str(path), "--nodes", str(nodes), "-o", str(tmp_path / "r")])
    assert result.exit_code == 2 and "rating networks only" in result.output


def test_anonymised_rating_report_hides_ids_and_id_attributes(monkeypatch):
    from trustnet.settings import Settings

    monkeypatch.setenv("TRUSTNET_ANONYMISE_KEY", "k")
    settings = Settings().replace(**{"report.anonymise": True})
    attrs = pd.DataFrame({"id": ["a", "b", "c", "x"], "survey_id": [11, 12, 13, 14], "site": [1, 1, 2, 2]})
    a = analyse(_ratings(), kind="ratings", node_attributes=attrs, settings=settings)
    assert a.nodes["id"].str.startswith("person-").all() and "survey_id" not in a.nodes
    assert a.at_risk["account"].str.startswith("person-").all() and a.nodes["site"].notna().all()


def test_rating_networks_are_recognised_without_kind(tmp_path):
    path = tmp_path / "net.csv"
    path.write_text("source,target,weight,timestamp\n1,2,-3,1289241912\n2,1,5,1289241999\n3,1,2,1289242999\n")
    a = analyse(path)
    assert a.kind == "ratings" and len(a.relationships) == 3 and a.sources[0]["name"] == "net.csv"
    assert analyse(_ratings()).kind == "ratings"  # a canonical ratings table in memory
