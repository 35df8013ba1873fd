"""`trustnet analyse` and `trustnet.analyse`: one command from an export to a report people share."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib.figure
import pandas as pd
import pytest
from click.testing import CliRunner

import trustnet
from trustnet.analysis import Analysis, analyse
from trustnet.cli import cli
from trustnet.settings import Settings

DEMO = Path(__file__).resolve().parents[1] / "datasets" / "home-services"
EXPECTED_FILES = [
    "index.html", "summary.json", "advocates.csv", "at_risk.csv", "suspicious.csv", "relationships.csv",
    "nodes.csv", "rejected_rows.csv", "nurture.csv", "graph.gexf", "graph.graphml", "graph.json",
    "gephi/nodes.csv", "gephi/edges.csv",
]


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports") / "home"
    result = CliRunner().invoke(cli, [
        "analyse", str(DEMO / "referrals.csv"), "--touchpoints", str(DEMO / "touchpoints.csv"), "-o", str(out), "--quiet",
    ])
    assert result.exit_code == 0, result.output
    return out, result.output


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, na_values=[""], dtype=str)


def test_cli_writes_every_output_of_the_design(demo_report):
    out, output = demo_report
    for name in EXPECTED_FILES:
        assert (out / name).is_file(), name
    figures = sorted(p.stem for p in (out / "figures").glob("*.png"))
    assert figures == sorted(["network_map", "advocate_leaderboard", "trust_by_dimension", "risk_matrix",
                              "trust_over_time", "top_cascade"])
    assert output.strip().endswith(str(out / "index.html"))
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_outputs_parse_and_agree_with_each_other(demo_report):
    out, _ = demo_report
    summary = json.loads((out / "summary.json").read_text())
    advocates = read_csv(out / "advocates.csv")
    relationships = read_csv(out / "relationships.csv")
    nodes = read_csv(out / "nodes.csv")
    assert summary["counts"]["relationships"] == len(relationships)
    assert summary["counts"]["nodes"] == len(nodes)
    assert summary["counts"]["advocates"] == len(advocates)
    assert summary["top_advocates"][0]["advocate"] == advocates["advocate"].iloc[0]
    load = summary["load"]
    assert load["rows_read"] == load["accepted"] + load["duplicates"] + load["rejected"]
    assert summary["inputs"][0]["sha256"] and summary["trustnet_version"] == trustnet.__version__
    assert "anonymise_key" not in json.dumps(summary["settings"])
    page = (out / "index.html").read_text()
    assert "<img" in page and "data:image/png;base64," in page
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    assert advocates["advocate"].iloc[0] in page
    root = ET.parse(out / "graph.gexf").getroot()
    assert root.get("version") == "1.3"
    import networkx as nx

    H = nx.read_graphml(out / "graph.graphml")
    assert H.number_of_nodes() == len(nodes)


def test_existing_folder_needs_force(demo_report):
    out, _ = demo_report
    result = CliRunner().invoke(cli, ["analyse", str(DEMO / "referrals.csv"), "-o", str(out), "--quiet"])
    assert result.exit_code == 2
    assert "already exists" in result.output and "--force" in result.output
    assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def world():
    return trustnet.generate(customers=400, seed=3)


def test_library_returns_tables_and_figures_without_writing(world, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = analyse(world.referrals, touchpoints=world.touchpoints)
    assert isinstance(result, Analysis)
    for name in ("referrals", "relationships", "nodes", "advocates", "at_risk", "load_report", "graph"):
        assert getattr(result, name) is not None
    assert {"people", "process", "platform", "overall", "why"} <= set(result.relationships.columns)
    figs = result.figures()
    assert figs and all(isinstance(f, matplotlib.figure.Figure) for f in figs.values())
    assert list(tmp_path.iterdir()) == []
    index = result.write(tmp_path / "r")
    assert index == tmp_path / "r" / "index.html" and index.is_file()


def test_same_input_same_output(world, tmp_path):
    a = analyse(world.referrals, touchpoints=world.touchpoints)
    b = analyse(world.referrals.sample(frac=1, random_state=1), touchpoints=world.touchpoints)
    a.write(tmp_path / "a")
    a.write(tmp_path / "a2")
    for name in ("advocates.csv", "at_risk.csv", "relationships.csv", "nodes.csv", "summary.json", "graph.gexf"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "a2" / name).read_bytes(), name
    cols = ["advocate", "score"]
    pd.testing.assert_frame_equal(a.advocates[cols].reset_index(drop=True), b.advocates[cols].reset_index(drop=True))


HOSTILE = ["<script>alert(1)</script>", '=HYPERLINK("http://evil","x")', '"><img src=x onerror=alert(1)>', "+cmd|' /C calc'!A0", "@SUM(1)"]


def test_hostile_names_come_out_harmless(tmp_path):
    rows = []
    for i, name in enumerate(HOSTILE):
        rows.append({"referrer": name, "referred": f"friend{i}", "provider": HOSTILE[(i + 1) % len(HOSTILE)],
                     "referred_at": f"2025-0{i + 1}-01", "status": "converted", "revenue": 100 + i})
        rows.append({"referrer": f"friend{i}", "referred": f"{name} jr", "provider": HOSTILE[(i + 1) % len(HOSTILE)],
                     "referred_at": f"2025-0{i + 2}-01", "status": "pending", "revenue": 50})
    src = tmp_path / "hostile.csv"
    pd.DataFrame(rows).to_csv(src, index=False)
    out = tmp_path / "rep"
    result = CliRunner().invoke(cli, ["analyse", str(src), "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    page = (out / "index.html").read_text()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for csv in out.rglob("*.csv"):
        table = read_csv(csv)
        for column in table.columns:
            cells = table[column].dropna()
            text = cells[pd.to_numeric(cells, errors="coerce").isna()]
            risky = text[text.str.startswith(("=", "+", "-", "@"))]
            assert risky.empty, (csv.name, column, risky.tolist())


def test_anonymise_leaves_no_identifier_anywhere(world, tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTNET_ANONYMISE_KEY", "test-key")
    src = tmp_path / "in"
    world.write(src)
    out = tmp_path / "anon"
    result = CliRunner().invoke(cli, ["analyse", str(src / "referrals.csv"), "--touchpoints", str(src / "touchpoints.csv"),
                                      "-o", str(out), "--anonymise", "--quiet"])
    assert result.exit_code == 0, result.output
    ids = set(world.referrals["referrer"]) | set(world.referrals["referred"]) | set(world.referrals["provider"])
    ids |= set(world.touchpoints["customer"]) | set(world.touchpoints["provider"])
    blobs = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert len(blobs) >= len(EXPECTED_FILES)
    for ident in ids:
        needle = ident.encode()
        hits = [p.name for p, data in blobs.items() if needle in data]
        assert not hits, (ident, hits)
    assert "Anonymised" in (out / "index.html").read_text()
    # stable pseudonyms with the same key
    again = tmp_path / "anon2"
    CliRunner().invoke(cli, ["analyse", str(src / "referrals.csv"), "--touchpoints", str(src / "touchpoints.csv"),
                             "-o", str(again), "--anonymise", "--quiet"])
    assert (again / "advocates.csv").read_bytes() == (out / "advocates.csv").read_bytes()


def test_settings_reach_the_stages(world):
    strict = Settings().replace(**{"fraud.keep_suspicious": True, "trust.half_life_days": 30})
    result = analyse(world.referrals, settings=strict)
    assert result.settings.trust.half_life_days == 30
    assert not result.suspicion.set_aside.any()


def test_anonymised_aggregates_hide_groups_under_five(tmp_path):
    refs = pd.DataFrame({
        "referrer": ["a1", "a1", "a1", "a1", "a1", "a1", "b1"],
        "referred": ["c1", "c2", "c3", "c4", "c5", "c6", "d1"],
        "provider": ["Big"] * 6 + ["Tiny"],
        "referred_at": pd.date_range("2025-01-01", periods=7, freq="7D"),
        "status": "converted",
    })
    settings = Settings().replace(**{"report.anonymise": True, "report.anonymise_key": "k"})
    result = analyse(refs, settings=settings)
    result.write(tmp_path / "r")
    nodes = pd.read_csv(tmp_path / "r" / "nodes.csv", encoding="utf-8-sig")
    providers = nodes[nodes["is_provider"]].set_index("id")
    assert providers["people_as_provider"].notna().sum() == 1  # Big (7 relationships) shown, Tiny (2) hidden
