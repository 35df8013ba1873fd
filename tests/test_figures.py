"""The report's figures: every figure on tiny, empty and hostile tables; titles that follow the data."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.text import Text

from trustnet.graph import build_graph
from trustnet.report import figures as F
from trustnet.report import style as st

matplotlib.use("Agg")

HOSTILE = ["<script>alert(1)</script>", '=HYPERLINK("x")', '"><img src=x onerror=alert(1)>', "$x^2$ and $", "a\\b_{c}"]


@pytest.fixture
def made():
    """Collect figures and clear them after the test."""
    figs: list[Figure] = []

    def keep(fig):
        assert isinstance(fig, Figure)
        figs.append(fig)
        return fig

    yield keep
    for fig in figs:
        fig.clear()


def world(names=None, n_extra=0, seed=0):
    """A tiny referral world with plausible scores, advocates, risks and evidence."""
    names = names or ["ann", "bob", "cat", "dan", "eve", "fay"]
    a, b, c, d, e, f = names[:6]
    rows = [(a, b, "Tiles"), (a, c, "Tiles"), (b, d, "Paint"), (d, e, "Tiles"), (c, f, "Paint")]
    rng = np.random.default_rng(seed)
    rows += [(a, f"x{i}", "Tiles" if i % 2 else "Paint") for i in range(n_extra)]
    refs = pd.DataFrame(rows, columns=["referrer", "referred", "provider"])
    refs["referred_at"] = pd.date_range("2025-01-01", periods=len(refs), freq="13D")
    refs["status"] = ["converted", "converted", "pending", "churned", "declined"] + ["converted"] * n_extra
    refs["revenue"] = [500.0, 300.0, np.nan, 120.0, np.nan] + [50.0] * n_extra
    G = build_graph(refs)
    rel = G.relationships.copy()
    k = len(rel)
    rel["people"] = np.linspace(0.9, 0.6, k)
    rel["process"] = np.linspace(0.4, 0.5, k)
    rel["platform"] = np.linspace(0.7, 0.65, k)
    rel["overall"] = rel[["people", "process", "platform"]].mean(axis=1)
    adv_ids = G.nodes.loc[G.nodes["is_advocate"], "id"].tolist()
    adv = pd.DataFrame({
        "advocate": adv_ids,
        "direct_referrals": [int(G.nodes.set_index("id").loc[x, "referrals_made"]) for x in adv_ids],
        "converted": 1, "conversion_rate": 0.5, "reach": np.arange(len(adv_ids), 0, -1),
        "value_attributed": np.linspace(900.0, 100.0, len(adv_ids)),
        "score": np.linspace(1.0, 0.2, len(adv_ids)), "score_pct": np.linspace(100.0, 20.0, len(adv_ids)),
        "segment": (["champion", "rising", "dormant", "at risk"] * 5)[: len(adv_ids)], "why": "because",
    })
    risk = rel[["truster", "trustee", "kind"]].copy()
    risk["likelihood"] = rng.uniform(0, 1, k)
    risk["stake"] = rng.uniform(10, 1000, k)
    risk["priority"] = risk["likelihood"] * risk["stake"]
    risk = risk.sort_values("priority", ascending=False).reset_index(drop=True)
    months = pd.date_range("2025-01-01", periods=6, freq="MS")
    ev = pd.DataFrame({
        "rel_idx": 0,
        "dimension": np.tile(["people", "process", "platform"], 6 * 6),
        "value": 0.7, "weight": 1.0,
        "at": np.repeat(months, 18) + pd.Timedelta(days=3),
        "source": "touchpoint", "label": "survey",
    })
    return G, rel, ev, adv, risk


def texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]


def all_text(fig) -> str:
    fig.canvas.draw()
    return "\n".join(t.get_text() for t in texts(fig))


# --- every figure, small and empty ---------------------------------------------------------
def test_every_figure_on_a_small_world(made):
    G, rel, ev, adv, risk = world()
    before = [x.copy() for x in (rel, ev, adv, risk)]
    out = F.report_figures(G, rel, ev, adv, risk)
    for old, new in zip(before, (rel, ev, adv, risk)):
        pd.testing.assert_frame_equal(old, new)  # inputs are not mutated
    assert list(out) == list(F.FIGURE_NAMES)
    for name, fig in out.items():
        made(fig)
        assert F.title(fig), name
        assert fig.get_suptitle() == F.title(fig)
        assert F.alt_text(fig).startswith(F.title(fig))
        assert F.figure_bytes(fig, dpi=30)[:4] == b"\x89PNG"


def test_every_figure_on_empty_tables(made):
    G = build_graph(pd.DataFrame({"referrer": pd.Series([], dtype=str), "referred": pd.Series([], dtype=str)}))
    empty = pd.DataFrame()
    out = F.report_figures(G, G.relationships, empty, empty, empty)
    titles = {name: F.title(made(fig)) for name, fig in out.items()}
    assert titles["risk_matrix"] == "No at-risk relationships found"
    assert titles["advocate_leaderboard"] == "No advocates found"
    assert titles["network_map"] == "No network to draw"
    assert titles["trust_over_time"] == "No dated evidence to follow over time"
    assert titles["top_cascade"] == "No referral cascade to draw"
    assert "risk factor" in F.alt_text(out["risk_matrix"])


def test_empty_frames_with_the_right_columns(made):
    G, rel, ev, adv, risk = world()
    assert F.title(made(F.risk_matrix(risk.iloc[0:0]))) == "No at-risk relationships found"
    assert F.title(made(F.advocate_leaderboard(adv.iloc[0:0]))) == "No advocates found"
    assert F.title(made(F.trust_over_time(ev.iloc[0:0]))) == "No dated evidence to follow over time"
    assert F.title(made(F.trust_by_dimension(rel.iloc[0:0]))) == "No provider relationships found"


def test_one_row_tables(made):
    G, rel, ev, adv, risk = world()
    for fig in (F.risk_matrix(risk.head(1)), F.advocate_leaderboard(adv.head(1)), F.trust_over_time(ev.head(1), min_evidence=1),
                F.trust_by_dimension(rel.head(1)), F.network_map(G, rel, adv.head(1), risk.head(1))):
        made(fig)
        F.figure_bytes(fig, dpi=30)


# --- titles state a finding that follows the data -----------------------------------------------
def test_dimension_title_follows_the_data(made):
    G, rel, ev, adv, risk = world()
    first = F.title(made(F.trust_by_dimension(rel)))
    assert first == "Process trust trails people trust at both providers"
    swapped = rel.assign(process=rel["people"], people=rel["process"])
    assert F.title(made(F.trust_by_dimension(swapped))) == "People trust trails process trust at both providers"
    level = rel.assign(process=0.5, people=0.5, platform=0.5)
    assert F.title(made(F.trust_by_dimension(level))) == "Trust is level across people, process and platform at every provider"
    only_people = rel.assign(process=np.nan, platform=np.nan)
    assert F.title(made(F.trust_by_dimension(only_people))).startswith("Only people trust has evidence")


def test_dimension_means_drawn_are_the_provider_means(made):
    G, rel, ev, adv, risk = world()
    fig = made(F.trust_by_dimension(rel))
    ax = fig.axes[0]
    provider_rel = rel[rel["kind"].astype(str).isin(["advocate", "customer"])]
    expected = provider_rel.groupby("trustee")["people"].mean()
    widths = sorted(round(p.get_width(), 6) for p in ax.patches if to_hex(p.get_facecolor()).upper() == st.PEOPLE_COLOUR)
    assert widths == sorted(round(v, 6) for v in expected)


def test_leaderboard_title_counts_concentration(made):
    adv = pd.DataFrame({"advocate": list("abcd"), "score_pct": [100.0, 75, 50, 25], "segment": "champion",
                        "direct_referrals": [4, 3, 2, 1], "conversion_rate": 0.5,
                        "value_attributed": [100.0, 100.0, 100.0, 100.0]})
    assert F.title(made(F.advocate_leaderboard(adv))) == "2 of 4 advocates bring half of the value attributed to advocates"
    adv2 = adv.assign(value_attributed=[700.0, 100.0, 100.0, 100.0])
    assert F.title(made(F.advocate_leaderboard(adv2))) == "One advocate brings 70% of the value attributed to advocates"
    adv3 = adv.assign(value_attributed=np.nan)
    assert F.title(made(F.advocate_leaderboard(adv3))) == "2 of 4 advocates made half of all referrals"


def test_risk_title_and_quadrants(made):
    risk = pd.DataFrame({"truster": ["a", "b", "c", "d"], "trustee": "P", "likelihood": [0.9, 0.8, 0.2, 0.7],
                         "stake": [1000.0, 2000.0, 5000.0, 10.0]})
    assert F.title(made(F.risk_matrix(risk))) == "1 relationship worth 2k needs action now"  # median stake 1.5k
    assert F.title(made(F.risk_matrix(risk, stake_cut=500))) == "2 relationships worth 3k need action now"
    calm = risk.assign(likelihood=[0.1, 0.2, 0.2, 0.7])
    assert F.title(made(F.risk_matrix(calm))) == "No relationship is both likely to break and high-stake; 1 is a quick fix"
    # stake falls back to priority / likelihood
    derived = risk.drop(columns="stake").assign(priority=risk["likelihood"] * risk["stake"])
    assert F.title(made(F.risk_matrix(derived, stake_cut=500))) == "2 relationships worth 3k need action now"
    text = all_text(made(F.risk_matrix(risk)))
    for name in ("ACT NOW", "KEEP CLOSE", "QUICK FIXES", "MONITOR"):
        assert name in text


def test_risk_matrix_caps_points_but_counts_all(made):
    rng = np.random.default_rng(1)
    n = 5000
    risk = pd.DataFrame({"truster": [f"p{i}" for i in range(n)], "trustee": "P",
                         "likelihood": rng.uniform(0, 1, n), "stake": rng.lognormal(5, 1, n)})
    fig = made(F.risk_matrix(risk, max_points=400))
    ax = fig.axes[0]
    drawn = sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))
    assert drawn <= 400 + 6  # plus the numbered markers
    assert "Showing the 200 highest-priority and a random 200 of the other 4,800" in F.alt_text(fig)
    assert ax.get_yscale() == "log"


def test_time_title_follows_the_data(made):
    months = pd.date_range("2025-01-01", periods=6, freq="MS")
    at = np.repeat(months, 10) + pd.Timedelta(days=2)
    ev = pd.DataFrame({"dimension": "platform", "value": np.repeat([0.8, 0.8, 0.8, 0.5, 0.5, 0.5], 10), "weight": 1.0, "at": at})
    assert F.title(made(F.trust_over_time(ev))) == "Platform trust averaged 0.50 over the last 3 months, down from 0.80"
    up = ev.assign(value=1.3 - ev["value"])
    assert F.title(made(F.trust_over_time(up))) == "Platform trust averaged 0.80 over the last 3 months, up from 0.50"
    flat = ev.assign(value=0.6)
    assert F.title(made(F.trust_over_time(flat))) == "Trust held steady on every dimension over the last 3 months"
    one = ev[ev["at"] < "2025-02-01"]
    assert F.title(made(F.trust_over_time(one))) == "One month of evidence so far: platform trust is lowest at 0.80"


def test_time_drops_thin_months_and_unknown_dimensions(made):
    ev = pd.DataFrame({"dimension": ["people"] * 6 + ["all", "people"], "value": [0.5] * 8, "weight": 1.0,
                       "at": pd.to_datetime(["2025-01-02"] * 6 + ["2025-01-03", "2025-02-02"])})
    fig = made(F.trust_over_time(ev, min_evidence=5))
    line = [ln for ln in fig.axes[0].get_lines() if len(ln.get_xdata()) > 0 and ln.get_color() == st.PEOPLE_COLOUR]
    assert len(line) == 1 and len(line[0].get_xdata()) == 1  # February has one piece: left out


def test_cascade_title_follows_the_data(made):
    G, rel, ev, adv, risk = world()
    assert F.title(made(F.referral_cascade(G, adv))) == "ann's referrals reached 5 people over 3 levels, worth 920"
    assert F.title(made(F.referral_cascade(G, adv, advocate="bob"))) == "bob's referrals reached 2 people over 2 levels, worth 120"
    assert F.title(made(F.referral_cascade(G, adv, advocate="nobody"))) == "No referral cascade to draw"


def test_cascade_cuts_big_trees_and_says_so(made):
    G, rel, ev, adv, risk = world(n_extra=60)
    fig = made(F.referral_cascade(G, adv, max_nodes=20))
    assert "Showing the first 20 of 65 people" in F.alt_text(fig)
    assert "95% converted" in F.alt_text(fig)  # 62 of 65 acquiring referrals, counted over the whole tree
    ax = fig.axes[0]
    people = [c for c in ax.collections if isinstance(c, PathCollection)][0]
    assert len(people.get_offsets()) == 20


def test_network_map_small_draws_everything(made):
    G, rel, ev, adv, risk = world()
    fig = made(F.network_map(G, rel, adv, risk))
    ax = fig.axes[0]
    drawn = sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))
    assert drawn == G.n
    assert f"All {G.n} nodes" in F.alt_text(fig)
    assert F.title(fig) == "Top 4 advocates' referral trees hold 5 people: 100% of customers"


def test_network_map_large_draws_neighbourhoods_only(made):
    G, rel, ev, adv, risk = world(n_extra=400)
    fig = made(F.network_map(G, rel, adv, risk, top=2, max_nodes=120))
    ax = fig.axes[0]
    drawn = sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))
    assert drawn == 120
    assert f"120 of {G.n:,} nodes" in F.alt_text(fig)
    assert "top 2 advocates' neighbourhoods" in F.alt_text(fig)


def test_network_map_is_deterministic():
    G, rel, ev, adv, risk = world(n_extra=30)
    a = F.figure_bytes(F.network_map(G, rel, adv, risk, seed=3), dpi=40)
    b = F.figure_bytes(F.network_map(G, rel, adv, risk, seed=3), dpi=40)
    assert a == b


def test_at_risk_ties_are_red_only_when_likely(made):
    G, rel, ev, adv, risk = world()
    red = st.RISK_COLOUR

    def red_segments(frame):
        fig = made(F.network_map(G, rel, adv, frame))
        return sum(len(c.get_segments()) for c in fig.axes[0].collections
                   if not isinstance(c, PathCollection) and len(c.get_segments())
                   and to_hex(c.get_edgecolor()[0]).upper() == red)

    assert red_segments(risk.assign(likelihood=0.9)) == len(risk)
    assert red_segments(risk.assign(likelihood=0.1)) == 0


# --- hostile names, formats, readability -----------------------------------------------------
def test_hostile_names_are_drawn_as_typed(made):
    G, rel, ev, adv, risk = world(names=HOSTILE + ["zed"])
    out = F.report_figures(G, rel, ev, adv, risk)
    for fig in out.values():
        made(fig)
        fig.canvas.draw()
    text = all_text(out["network_map"]) + all_text(out["advocate_leaderboard"])
    assert "$x^2$" in text
    svg = F.figure_bytes(out["advocate_leaderboard"], "svg", dpi=40).decode()
    assert "<script" not in svg and "<img" not in svg  # names reach the SVG only as escaped comments


@pytest.mark.parametrize("fmt, magic", [("png", b"\x89PNG"), ("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_figure_bytes_formats_are_deterministic(made, fmt, magic):
    G, rel, ev, adv, risk = world()
    fig = made(F.trust_by_dimension(rel))
    data = F.figure_bytes(fig, fmt, dpi=40)
    assert data.startswith(magic)
    assert F.figure_bytes(fig, fmt, dpi=40) == data


def test_figure_bytes_rejects_unknown_format(made):
    from trustnet.errors import TrustnetError

    with pytest.raises(TrustnetError, match="use png, svg or pdf"):
        F.figure_bytes(made(F.advocate_leaderboard(pd.DataFrame())), "gif")


def test_slide_readable_text_and_size(made):
    long = "a-rather-long-customer-identifier-0123456789"
    G, rel, ev, adv, risk = world(names=[long, "bob", "cat", "dan", "eve", "fay"])
    for fig in F.report_figures(G, rel, ev, adv, risk).values():
        made(fig)
        fig.canvas.draw()
        assert tuple(fig.get_size_inches()) == (12.0, 7.0)
        small = [(t.get_text(), t.get_fontsize()) for t in texts(fig) if t.get_fontsize() < 11]
        assert not small, small
        width = fig.bbox.width
        for t in texts(fig):
            if t.get_gid() in ("title", "subtitle"):
                box = t.get_window_extent()
                assert 0 <= box.x0 and box.x1 <= width, t.get_text()  # nothing runs off the slide


def test_dimension_colours_are_okabe_ito(made):
    G, rel, ev, adv, risk = world()
    fig = made(F.trust_by_dimension(rel))
    colours = {to_hex(p.get_facecolor()).upper() for p in fig.axes[0].patches}
    assert {"#0072B2", "#E69F00", "#009E73"} <= colours


def test_one_provider_compares_advocates_with_other_customers(made):
    rel = pd.DataFrame({"truster": ["a", "b", "c"], "trustee": "Brand", "kind": ["advocate", "customer", "customer"],
                        "people": [0.9, 0.6, 0.6], "process": [0.5, 0.4, 0.4], "platform": [0.7, 0.6, 0.5]})
    fig = made(F.trust_by_dimension(rel))
    assert F.title(fig) == "At Brand, process trust (0.43) trails people trust (0.70)"
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["Brand\nall 3", "advocates\n1", "other customers\n2"]


def test_cascade_skips_top_advocates_without_a_tree(made):
    G, rel, ev, adv, risk = world()
    # eve referred no one; put a made-up leader without referrals first
    ranked = pd.concat([pd.DataFrame({"advocate": ["eve"]}), adv], ignore_index=True)
    fig = made(F.referral_cascade(G, ranked))
    assert F.title(fig).startswith("ann's referrals reached")
    assert "this is advocate no. 2" in F.alt_text(fig)


def test_time_title_leaves_out_a_partial_last_month(made):
    months = pd.date_range("2025-01-01", periods=7, freq="MS")
    counts = [10] * 6 + [2]
    at = np.repeat(months, counts) + pd.Timedelta(days=2)
    values = np.repeat([0.8, 0.8, 0.8, 0.5, 0.5, 0.5, 0.1], counts)
    ev = pd.DataFrame({"dimension": "people", "value": values, "weight": 1.0, "at": at})
    assert F.title(made(F.trust_over_time(ev, min_evidence=1))) == "People trust averaged 0.50 over the last 3 months, down from 0.80"
