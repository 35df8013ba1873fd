"""At-risk relationships: factors, likelihood, stake, words, calibration."""

from __future__ import annotations

import tomllib
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from trustnet.errors import DataQualityWarning, InputError, SettingsError
from trustnet.graph import build_graph
from trustnet.risk import (
    DEFAULT_WEIGHTS, FACTORS, calibrate_risk, find_at_risk, fit_logistic, risk_factors, risk_toml,
)
from trustnet.settings import Settings, load_settings

AS_OF = "2025-06-30"


def settings(**risk):
    """As of AS_OF; each relationship's own rhythm taken as measured unless the test says otherwise."""
    data = {"trust": {"as_of": AS_OF}, "risk": {"rhythm_prior_gaps": 0.0, **risk}}
    return Settings.from_dict(data)


def weekly(customer, provider, start, weeks, **cols):
    at = pd.date_range(start, periods=weeks, freq="7D")
    frame = pd.DataFrame({"customer": customer, "provider": provider, "at": at})
    for name, value in cols.items():
        frame[name] = value
    return frame


def scores_for(G, **by_truster):
    """Hand-made TrustScores: neutral-good everywhere unless given per truster id."""
    rel = G.relationships
    m = len(rel)
    cols = {d: np.full(m, 0.7) for d in ("people", "process", "platform")}
    cols.update({f"{d}_confidence": np.full(m, 0.8) for d in ("people", "process", "platform")})
    cols["overall"] = np.full(m, 0.7)
    cols["trend"] = np.zeros(m)
    frame = rel.assign(**cols)
    for who, values in by_truster.items():
        hit = (frame["truster"] == who).to_numpy() & (frame["kind"] != "referred_by").to_numpy()
        for name, value in values.items():
            frame.loc[hit, name] = value
    return SimpleNamespace(relationships=frame)


def row(table, truster, trustee="P"):
    hit = table[(table["truster"] == truster) & (table["trustee"] == trustee)]
    assert len(hit) == 1, f"{truster} -> {trustee} not in the risk table"
    return hit.iloc[0]


def two_customers():
    """ann referred bob and cat to P; bob is silent for 41 days after weekly contact; cat is monthly."""
    refs = pd.DataFrame({"referrer": ["ann", "ann"], "referred": ["bob", "cat"], "provider": "P",
                         "referred_at": pd.to_datetime(["2025-01-05", "2025-01-05"]),
                         "revenue": [1200.0, 600.0], "status": ["converted", "converted"]})
    bob = weekly("bob", "P", "2025-03-01", 10)          # last contact 3 May: 58 days before the end
    cat = pd.DataFrame({"customer": "cat", "provider": "P",
                        "at": pd.to_datetime(["2025-02-01", "2025-03-03", "2025-04-02", "2025-05-20"])})
    ann = weekly("ann", "P", "2025-04-01", 13)
    return refs, pd.concat([bob, cat, ann], ignore_index=True)


# --- silence --------------------------------------------------------------------------------

def test_silence_is_measured_against_the_relationships_own_rhythm():
    refs, tps = two_customers()
    G = build_graph(refs, tps, settings())
    risks = find_at_risk(G, scores_for(G), settings())
    bob, cat = row(risks, "bob"), row(risks, "cat")
    last_bob = tps.loc[tps["customer"] == "bob", "at"].max()
    silent = (pd.Timestamp(AS_OF) - last_bob).days
    assert bob["days_silent"] == silent == 58
    assert bob["usual_gap_days"] == 7
    # 58 / 7 = 8.3 times the rhythm: (8.3 - 1) / (3 - 1), capped at 3
    assert bob["silence"] == pytest.approx(3.0)
    # cat: 41 days of silence against a 30-day rhythm is barely late
    assert cat["days_silent"] == 41 and cat["usual_gap_days"] == 30
    assert cat["silence"] == pytest.approx((41 / 30 - 1) / 2)
    assert bob["likelihood"] > cat["likelihood"]
    assert bob["next_action"].startswith("call: no contact for 58 days, usually every 7")
    assert "silence" in bob["factors"]


def test_a_short_history_is_pulled_towards_the_providers_rhythm():
    refs, tps = two_customers()
    G = build_graph(refs, tps, settings())
    risks = find_at_risk(G, scores_for(G), settings(rhythm_prior_gaps=3.0))
    # cat: referral + 4 contacts, 4 gaps of median 30; provider rhythm = median(ann 7, bob 7, cat 30) = 7
    assert row(risks, "cat")["usual_gap_days"] == pytest.approx((4 * 30 + 3 * 7) / 7)
    # bob: 11 contacts (referral + 10 weekly), 10 gaps of median 7
    assert row(risks, "bob")["usual_gap_days"] == pytest.approx(7.0)


def test_rhythm_falls_back_to_the_providers_and_has_a_floor():
    refs, tps = two_customers()
    daily = pd.DataFrame({"customer": "dan", "provider": "P",
                          "at": pd.date_range("2025-06-20", periods=6, freq="D")})
    once = pd.DataFrame({"customer": "eve", "provider": "P", "at": pd.to_datetime(["2025-05-01"])})
    G = build_graph(refs, pd.concat([tps, daily, once], ignore_index=True), settings())
    risks = find_at_risk(G, scores_for(G), settings())
    assert row(risks, "dan")["usual_gap_days"] == 7  # daily contact, floor of 7 days
    eve = row(risks, "eve")
    # one contact is no rhythm: the provider's median rhythm (ann 7, bob 7, cat 30, dan 1 -> 7)
    assert eve["usual_gap_days"] == 7
    assert "typically every 7" in eve["why"]


# --- open problems ----------------------------------------------------------------------------

def test_complaint_without_resolution_is_open_and_dated():
    refs, tps = two_customers()
    events = pd.DataFrame({"customer": ["cat", "ann", "ann"], "provider": "P",
                           "at": pd.to_datetime(["2025-03-03", "2025-04-10", "2025-04-20"]),
                           "event": ["complaint", "complaint", "resolved"]})
    G = build_graph(refs, pd.concat([tps, events], ignore_index=True), settings())
    risks = find_at_risk(G, scores_for(G), settings())
    cat, ann = row(risks, "cat"), row(risks, "ann")
    assert cat["unresolved"] == 1 and cat["open_problems"] == 1
    assert cat["open_since"] == pd.Timestamp("2025-03-03")
    age = (pd.Timestamp(AS_OF) - pd.Timestamp("2025-03-03")).days
    assert cat["unresolved_age"] == pytest.approx(min(age / 90, 2))
    assert "complaint unresolved since 3 Mar (119 days)" in cat["why"]
    assert cat["next_action"].startswith("resolve: complaint unresolved since 3 Mar")
    assert cat["factors"].startswith("unresolved complaint")
    assert ann["unresolved"] == 0  # resolved later


def test_outage_needs_later_positive_evidence_and_refund_denied_a_refund():
    refs, tps = two_customers()
    events = pd.DataFrame({
        "customer": ["bob", "bob", "cat", "cat", "ann", "ann"], "provider": "P",
        "at": pd.to_datetime(["2025-04-01", "2025-05-01", "2025-04-01", "2025-04-05", "2025-04-02", "2025-04-03"]),
        "event": ["outage", "outage", "outage", None, "refund_denied", "refund"],
        "score": [np.nan, np.nan, np.nan, 9.0, np.nan, np.nan],
        "scale": [None, None, None, "nps", None, None],
    })
    G = build_graph(refs, pd.concat([tps, events], ignore_index=True), settings())
    risks = find_at_risk(G, scores_for(G), settings(weights={"silence": 0.0}))
    bob, cat, ann = row(risks, "bob"), row(risks, "cat"), row(risks, "ann")
    assert bob["open_problems"] == 2
    assert bob["next_action"].startswith("fix: outage on 1 Apr with nothing good since (2 outages in all)")
    assert cat["open_problems"] == 0  # NPS 9 after the outage
    assert ann["open_problems"] == 0  # refunded after all


def test_only_a_good_rating_after_the_outage_closes_it():
    # bob: a good rating before the outage and a poor one after; cat: a good one after (with no event)
    refs, tps = two_customers()
    events = pd.DataFrame({
        "customer": ["bob", "bob", "bob", "cat", "cat"], "provider": "P",
        "at": pd.to_datetime(["2025-03-20", "2025-04-01", "2025-04-10", "2025-04-01", "2025-04-12"]),
        "event": [None, "outage", None, "outage", None],
        "score": [5.0, np.nan, 2.0, np.nan, 4.0],
        "scale": ["1-5", None, "1-5", None, "1-5"],
    })
    G = build_graph(refs, pd.concat([tps, events], ignore_index=True), settings())
    risks = find_at_risk(G, scores_for(G), settings(weights={"silence": 0.0}))
    assert row(risks, "bob")["open_problems"] == 1
    assert row(risks, "bob")["next_action"].startswith("fix: outage on 1 Apr with nothing good since")
    assert row(risks, "cat")["open_problems"] == 0  # 4 of 5 is good news (0.75 on the unit scale)


def test_recent_problems_add_up_and_fade():
    refs, tps = two_customers()
    events = pd.DataFrame({"customer": ["cat", "cat", "cat", "ann"], "provider": "P",
                           "at": pd.to_datetime(["2025-06-30", "2025-06-20", "2025-04-01", "2024-12-30"]),
                           "event": ["delay", "outage", "complaint", "praise"]})
    G = build_graph(refs, pd.concat([tps, events], ignore_index=True), settings())
    risks = find_at_risk(G, scores_for(G), settings())
    ages = np.array([0, 10, 90])
    assert row(risks, "cat")["recent_problems"] == pytest.approx(np.sum(0.5 ** (ages / 90)))
    assert "3 problems in the last 90 days" in row(risks, "cat")["why"]
    assert row(risks, "ann")["recent_problems"] == 0.0


# --- scores, trend, inconsistency, delays --------------------------------------------------

def test_low_scores_are_confidence_weighted_against_the_provider_norm():
    refs, tps = two_customers()
    G = build_graph(refs, tps, settings())
    sc = scores_for(G, bob={"process": 0.2, "process_confidence": 1.0},
                    cat={"process": 0.2, "process_confidence": 0.0})
    risks = find_at_risk(G, sc, settings())
    # provider norm of process: median(0.7 ann, 0.2 bob, 0.2 cat) = 0.2 -> reference is neutral 0.5
    assert row(risks, "bob")["low_process"] == pytest.approx((0.5 - 0.2) / 0.5)
    # no confidence: the score is the prior alone and counts half
    assert row(risks, "cat")["low_process"] == pytest.approx((0.5 - 0.2) / 0.5 / 2)
    assert row(risks, "ann")["low_process"] == 0.0
    assert "process trust 0.20 (usual 0.50)" in row(risks, "bob")["why"]


def test_trend_inconsistency_and_delays():
    refs, tps = two_customers()
    resp = tps.assign(response_days=np.where(tps["customer"] == "cat", 9.0, 1.0))
    delay = pd.DataFrame({"customer": ["cat"], "provider": "P", "at": pd.to_datetime(["2025-05-01"]),
                          "event": ["delay"]})
    G = build_graph(refs, pd.concat([resp, delay], ignore_index=True), settings())
    sc = scores_for(G, bob={"trend": -0.3, "platform": 0.1, "people": 0.9})
    risks = find_at_risk(G, sc, settings())
    bob, cat = row(risks, "bob"), row(risks, "cat")
    assert bob["falling_trend"] == pytest.approx(1.5)
    assert bob["inconsistency"] == pytest.approx(0.8 * 0.8)  # spread times the lower confidence
    assert "trust fell 0.30 over 90 days" in bob["why"]
    assert "uneven trust: platform 0.10 vs people 0.90" in bob["why"]
    # cat answers in 9 days where the provider's median is 1: 8 times slower (cap 3) plus one delay
    assert cat["response_delay"] == pytest.approx(3.0 + 0.5)
    assert "replies took 9.0 days on average (usual 1.0), 1 delay" in cat["why"]


# --- upstream, churn, stake --------------------------------------------------------------------

def test_churned_advocate_reaches_down_the_forest_and_is_not_listed():
    refs = pd.DataFrame({"referrer": ["zed", "ann", "bob"], "referred": ["ann", "bob", "cat"], "provider": "P",
                         "referred_at": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]),
                         "status": ["churned", "converted", "converted"]})
    tps = pd.concat([weekly(c, "P", "2025-05-01", 9) for c in ("bob", "cat", "zed")], ignore_index=True)
    G = build_graph(refs, tps, settings())
    risks = find_at_risk(G, scores_for(G), settings(intercept=-3.0))
    assert ("ann", "P") not in set(zip(risks["truster"], risks["trustee"]))  # churned: lost, not at risk
    bob, cat = row(risks, "bob"), row(risks, "cat")
    assert bob["upstream"] == pytest.approx(1.0)
    assert cat["upstream"] == pytest.approx(0.5)
    assert "ann, who referred them, has churned" in bob["why"]
    assert "ann, upstream in their referral chain, has churned" in cat["why"]
    assert bob["next_action"].startswith("reassure: ann")


def test_churn_event_followed_by_activity_is_live_again():
    refs = pd.DataFrame({"referrer": ["ann"], "referred": ["bob"], "provider": "P",
                         "referred_at": pd.to_datetime(["2025-01-01"])})
    tps = pd.DataFrame({"customer": ["bob", "bob", "ann"], "provider": "P",
                        "at": pd.to_datetime(["2025-03-01", "2025-04-01", "2025-03-01"]),
                        "event": ["churned", "contact", "churned"]})
    G = build_graph(refs, tps, settings())
    risks = find_at_risk(G, scores_for(G), settings())
    assert set(risks["truster"]) == {"bob"}
    # ann's churn event is 121 days old: it weighs 1/2 ** (121 / 90)
    assert row(risks, "bob")["upstream"] == pytest.approx(0.5 ** (121 / 90))


def test_declined_referrals_are_not_customers():
    refs = pd.DataFrame({"referrer": ["ann", "ann"], "referred": ["bob", "cat"], "provider": "P",
                         "status": ["declined", "converted"]})
    G = build_graph(refs)
    risks = find_at_risk(G, scores_for(G))
    assert set(risks["truster"]) == {"ann", "cat"}


def test_stake_priority_and_order():
    refs, tps = two_customers()
    G = build_graph(refs, tps, settings())
    risks = find_at_risk(G, scores_for(G), settings())
    bob, cat, ann = row(risks, "bob"), row(risks, "cat"), row(risks, "ann")
    # bob: 1200 over his lifetime (first contact 5 Jan, < 1 year -> one year)
    assert bob["value_per_year"] == pytest.approx(1200.0)
    assert np.isnan(ann["value_per_year"])  # ann was never a paying customer in the export
    typical = np.median([1200.0, 600.0])
    assert ann["downstream"] == 2 and ann["complaint_reach"] == 2
    s = settings().risk
    assert ann["stake"] == pytest.approx(typical + typical * (s.downstream_weight * 2 + s.reach_weight * 2))
    assert bob["stake"] == pytest.approx(1200.0 + typical * s.reach_weight * 1)
    assert (risks["priority"] == risks["likelihood"] * risks["stake"]).all()
    assert risks["priority"].is_monotonic_decreasing


def test_shares_sum_to_one_and_the_factors_text_lists_them():
    refs, tps = two_customers()
    G = build_graph(refs, tps, settings())
    risks = find_at_risk(G, scores_for(G, bob={"trend": -0.2}), settings())
    shares = risks[[f"share_{f}" for f in FACTORS]].to_numpy()
    any_risk = shares.sum(axis=1) > 0
    assert np.allclose(shares[any_risk].sum(axis=1), 1.0)
    bob = row(risks, "bob")
    w = DEFAULT_WEIGHTS
    s_sil = w["silence"] * bob["silence"] / (w["silence"] * bob["silence"] + w["falling_trend"] * 1.0)
    assert bob["share_silence"] == pytest.approx(s_sil)
    assert bob["factors"] == f"silence {round(100 * s_sil)}%, falling trend {round(100 * (1 - s_sil))}%"
    z = Settings().risk.intercept + w["silence"] * bob["silence"] + w["falling_trend"] * 1.0
    assert bob["likelihood"] == pytest.approx(1 / (1 + np.exp(-z)))


def test_safe_relationships_get_a_thank_you_or_an_ask():
    refs, tps = two_customers()
    G = build_graph(refs, tps, settings())
    risks = find_at_risk(G, scores_for(G, cat={"overall": 0.9}), settings())
    assert row(risks, "ann")["next_action"] == "thank and ask for a review"
    assert row(risks, "ann")["why"] == "no risk factor stands out"
    assert row(risks, "cat")["next_action"] == "ask for a referral"


# --- settings, inputs ---------------------------------------------------------------------

def test_weights_are_configurable_and_checked():
    refs, tps = two_customers()
    G = build_graph(refs, tps, settings())
    base = find_at_risk(G, scores_for(G), settings())
    muted = find_at_risk(G, scores_for(G), settings(weights={"silence": 0.0}, intercept=-2.0))
    assert row(muted, "bob")["share_silence"] == 0.0
    assert row(muted, "bob")["likelihood"] == pytest.approx(1 / (1 + np.exp(2.0)))
    assert row(base, "bob")["likelihood"] > row(muted, "bob")["likelihood"]
    with pytest.raises(SettingsError, match="unknown risk factor.*silense.*valid factors are low_people"):
        find_at_risk(G, scores_for(G), settings(weights={"silense": 1.0}))


def test_scores_of_another_graph_are_rejected():
    refs, tps = two_customers()
    G = build_graph(refs, tps)
    other = build_graph(refs.iloc[:1])
    with pytest.raises(InputError, match="score the same graph"):
        find_at_risk(G, scores_for(other))
    with pytest.raises(InputError, match="lack the column"):
        find_at_risk(G, SimpleNamespace(relationships=G.relationships))


def test_deterministic_and_inputs_untouched():
    refs, tps = two_customers()
    refs_copy, tps_copy = refs.copy(), tps.copy()
    G1 = build_graph(refs, tps, settings())
    r1 = find_at_risk(G1, scores_for(G1), settings())
    G2 = build_graph(refs.iloc[::-1].reset_index(drop=True), tps.iloc[::-1].reset_index(drop=True), settings())
    r2 = find_at_risk(G2, scores_for(G2), settings())
    pd.testing.assert_frame_equal(r1, r2)
    pd.testing.assert_frame_equal(refs, refs_copy)
    pd.testing.assert_frame_equal(tps, tps_copy)


def test_words_built_a_block_of_rows_at_a_time_are_the_same(monkeypatch):
    import trustnet
    import trustnet.risk as risk_module
    from trustnet.trust import score_trust

    world = trustnet.generate(customers=600, seed=3)
    G = build_graph(world.referrals, world.touchpoints)
    T = score_trust(G)
    whole = find_at_risk(G, T)
    monkeypatch.setattr(risk_module, "_TEXT_BLOCK", 7)  # hundreds of blocks, the last one short
    blocks = find_at_risk(G, T)
    assert len(whole) > 100 and whole["why"].nunique() > 20
    pd.testing.assert_frame_equal(whole, blocks)


def test_empty_touchpoints_and_no_scores():
    G = build_graph(pd.DataFrame({"referrer": ["a"], "referred": ["b"]}))
    risks = find_at_risk(G, None)
    assert len(risks) == 2
    assert np.allclose(risks["likelihood"], 1 / (1 + np.exp(-Settings().risk.intercept)))


# --- calibration --------------------------------------------------------------------------

def silent_world(n=300, seed=0):
    """Weekly customers; the ones who fell silent churn (the outcome) more often."""
    rng = np.random.default_rng(seed)
    ids = [f"c{i:04d}" for i in range(n)]
    stop = rng.integers(0, 12, n)  # weeks of silence before the export's end
    rows = []
    for i, c in enumerate(ids):
        end = pd.Timestamp(AS_OF) - pd.Timedelta(weeks=int(stop[i]))
        rows.append(pd.DataFrame({"customer": c, "provider": "P",
                                  "at": pd.date_range(end=end, periods=8, freq="7D")}))
    tps = pd.concat(rows, ignore_index=True)
    churned = rng.uniform(size=n) < 1 / (1 + np.exp(-(-3 + 0.6 * stop)))
    refs = pd.DataFrame({"referrer": ids[:1], "referred": ids[1:2], "provider": "P"})
    outcomes = pd.DataFrame({"customer": ids, "provider": "P", "churned": churned.astype(int)})
    return build_graph(refs, tps, settings()), outcomes


def test_fit_logistic_recovers_known_coefficients():
    rng = np.random.default_rng(1)
    X = rng.uniform(0, 2, size=(20000, 3))
    z = -1.0 + X @ np.array([1.5, 0.0, 0.7])
    y = rng.uniform(size=len(z)) < 1 / (1 + np.exp(-z))
    b, w = fit_logistic(X, y, l2=1e-3)
    assert b == pytest.approx(-1.0, abs=0.15)
    assert w == pytest.approx([1.5, 0.0, 0.7], abs=0.15)
    # a strong prior keeps the weights where they were
    _, w_prior = fit_logistic(X, y, l2=1e6, prior=np.array([3.0, 3.0, 3.0]))
    assert w_prior == pytest.approx([3.0, 3.0, 3.0], abs=0.01)


def test_calibrate_fits_silence_and_writes_a_toml_that_loads(tmp_path):
    G, outcomes = silent_world()
    base = settings()
    fitted = calibrate_risk(G, None, outcomes, base)
    assert set(fitted.risk.weights) == set(FACTORS)
    assert fitted.risk.weights["silence"] != DEFAULT_WEIGHTS["silence"]
    assert fitted.trust.as_of == AS_OF  # other sections untouched
    path = tmp_path / "trustnet.toml"
    path.write_text(risk_toml(fitted), encoding="utf-8")
    again = load_settings(path)
    assert again.risk.weights == pytest.approx(fitted.risk.weights)
    assert again.risk.intercept == pytest.approx(fitted.risk.intercept)
    assert "[risk]" in path.read_text() and tomllib.loads(path.read_text())["risk"]["weights"]

    def loglik(s):
        table = risk_factors(G, None, s).merge(outcomes, left_on="truster", right_on="customer")
        p = table["likelihood"].to_numpy()
        y = table["churned"].to_numpy()
        return np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))

    assert loglik(fitted) > loglik(base)


def test_calibrate_rejects_bad_outcomes_and_warns_on_unknown_ids():
    G, outcomes = silent_world(60)
    with pytest.raises(InputError, match="churned must be 1 .*row 4: 'maybe'"):
        calibrate_risk(G, None, outcomes.assign(churned=["0", "1", "maybe"] + ["0"] * 57))
    with pytest.raises(InputError, match="no churned column"):
        calibrate_risk(G, None, outcomes.drop(columns="churned"))
    with pytest.raises(InputError, match="both churned and stayed"):
        calibrate_risk(G, None, outcomes.assign(churned=0))
    extra = pd.concat([outcomes, pd.DataFrame({"customer": ["nobody"], "provider": ["P"], "churned": [1]})])
    with pytest.warns(DataQualityWarning, match="1 of 61 outcome rows.*nobody → P"):
        calibrate_risk(G, None, extra)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        calibrate_risk(G, None, outcomes.assign(churned=np.where(outcomes["churned"] == 1, "yes", "no")))


# --- command line -----------------------------------------------------------------------------

def write_world(tmp_path):
    refs, tps = two_customers()
    events = pd.DataFrame({"customer": ["cat"], "provider": "P", "at": pd.to_datetime(["2025-06-01"]),
                           "event": ["complaint"]})
    tps = pd.concat([tps, events], ignore_index=True)
    refs.to_csv(tmp_path / "referrals.csv", index=False)
    tps.to_csv(tmp_path / "touchpoints.csv", index=False)
    return tmp_path / "referrals.csv", tmp_path / "touchpoints.csv"


def test_cli_risks_text_and_json(tmp_path):
    import json

    from click.testing import CliRunner

    from trustnet.cli import cli

    refs, tps = write_world(tmp_path)
    result = CliRunner().invoke(cli, ["risks", str(refs), "--touchpoints", str(tps), "--top", "2"])
    assert result.exit_code == 0, result.output
    assert "3 relationships scored" in result.output
    assert "  1. " in result.output and "  3. " not in result.output
    assert "next: call: no contact for" in result.output
    result = CliRunner().invoke(cli, ["risks", str(refs), "--touchpoints", str(tps), "--json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    assert {r["truster"] for r in records} == {"ann", "bob", "cat"}
    assert records[0]["priority"] >= records[-1]["priority"]


def test_cli_calibrate_writes_settings_that_risks_reads(tmp_path):
    from click.testing import CliRunner

    from trustnet.cli import cli

    G, outcomes = silent_world(80)
    tps = G.touchpoints[["customer", "provider", "at"]].assign(touchpoint="call")
    tps.to_csv(tmp_path / "touchpoints.csv", index=False)
    pd.DataFrame({"referrer": ["c0000"], "referred": ["c0001"], "provider": ["P"]}).to_csv(
        tmp_path / "referrals.csv", index=False)
    outcomes.rename(columns={"churned": "Churned_within_90d"}).to_csv(tmp_path / "churn.csv", index=False)
    out = tmp_path / "fitted.toml"
    args = ["calibrate", str(tmp_path / "referrals.csv"), "--touchpoints", str(tmp_path / "touchpoints.csv"),
            "--outcomes", str(tmp_path / "churn.csv"), "-o", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    fitted = load_settings(out)
    assert set(fitted.risk.weights) == set(FACTORS)
    result = CliRunner().invoke(cli, ["risks", str(tmp_path / "referrals.csv"), "--touchpoints",
                                      str(tmp_path / "touchpoints.csv"), "--config", str(out), "--top", "1"])
    assert result.exit_code == 0, result.output
    # an outcomes file without a churned column is a clean error, exit code 2
    pd.DataFrame({"customer": ["c0001"], "provider": ["P"]}).to_csv(tmp_path / "bad.csv", index=False)
    result = CliRunner().invoke(cli, args[:-4] + ["--outcomes", str(tmp_path / "bad.csv")])
    assert result.exit_code == 2
    assert "no churned column in the outcomes file; found 'customer', 'provider'" in result.output


def test_the_documented_weight_table_matches_the_defaults():
    import re

    import trustnet.risk as risk

    table = dict(re.findall(r"^(\w+)\s+(\d+\.\d+)\s{2,}", risk.__doc__, flags=re.MULTILINE))
    assert {k: float(v) for k, v in table.items() if k in FACTORS} == DEFAULT_WEIGHTS
    assert set(FACTORS) <= set(table)


def test_invariants_on_random_exports():
    from hypothesis import given, settings as hsettings, strategies as st

    people = st.sampled_from([f"p{i}" for i in range(8)])
    events = st.sampled_from([None, "complaint", "resolved", "outage", "refund_denied", "delay", "churned", "praise"])

    @hsettings(max_examples=15, deadline=None)
    @given(st.lists(st.tuples(people, people, st.integers(0, 200)), min_size=1, max_size=12),
           st.lists(st.tuples(people, st.sampled_from(["P", "Q"]), st.integers(0, 200), events,
                              st.one_of(st.none(), st.integers(0, 10))), max_size=25))
    def check(ref_rows, tp_rows):
        day0 = pd.Timestamp("2025-01-01")
        refs = pd.DataFrame({"referrer": [r[0] for r in ref_rows], "referred": [r[1] for r in ref_rows],
                             "provider": "P", "referred_at": [day0 + pd.Timedelta(days=r[2]) for r in ref_rows]})
        tps = pd.DataFrame({"customer": [t[0] for t in tp_rows], "provider": [t[1] for t in tp_rows],
                            "at": [day0 + pd.Timedelta(days=t[2]) for t in tp_rows],
                            "event": [t[3] for t in tp_rows],
                            "score": [np.nan if t[4] is None else float(t[4]) for t in tp_rows],
                            "scale": ["nps"] * len(tp_rows)}) if tp_rows else None
        G = build_graph(refs, tps)
        risks = find_at_risk(G, scores_for(G))
        assert risks["likelihood"].between(0, 1).all()
        assert risks["priority"].is_monotonic_decreasing
        shares = risks[[f"share_{f}" for f in FACTORS]].to_numpy()
        assert np.allclose(shares.sum(axis=1)[shares.sum(axis=1) > 0], 1.0)
        assert (risks[list(FACTORS)].to_numpy() >= 0).all()
        assert risks["why"].str.len().gt(0).all() and risks["next_action"].str.len().gt(0).all()
        assert not risks.duplicated(["truster", "trustee"]).any()
        assert set(risks["kind"].astype(str)) <= {"advocate", "customer"}

    check()


def test_a_refused_refund_reads_as_such():
    refs, tps = two_customers()
    events = pd.DataFrame({"customer": ["cat"], "provider": "P", "at": pd.to_datetime(["2025-06-10"]),
                           "event": ["refund_denied"]})
    G = build_graph(refs, pd.concat([tps, events], ignore_index=True), settings())
    cat = row(find_at_risk(G, scores_for(G), settings()), "cat")
    assert cat["factors"].startswith("refund denied")
    assert "refund denied on 10 Jun (20 days ago), no refund since" in cat["why"]


def test_usual_gap_is_the_median_of_distinct_contact_days():
    # contacts on 1 and 11 January (the 11th twice: one day counts once), 10 and 25 February, the referral
    # itself on 1 January: gaps 10, 30, 15 -> median 15; a relationship with a single gap has no rhythm of
    # its own and takes its provider's
    refs = pd.DataFrame({"referrer": ["ann", "ann"], "referred": ["dan", "eve"], "provider": "P",
                         "referred_at": pd.to_datetime(["2025-01-01", "2025-01-01"])})
    tps = pd.DataFrame({"customer": ["dan"] * 5 + ["eve"], "provider": "P",
                        "at": pd.to_datetime(["2025-02-25", "2025-01-11", "2025-01-01", "2025-02-10", "2025-01-11",
                                              "2025-01-09"])})
    G = build_graph(refs, tps, settings())
    risks = find_at_risk(G, scores_for(G), settings())
    dan = row(risks, "dan")
    assert dan["usual_gap_days"] == 15
    assert dan["last_contact"] == pd.Timestamp("2025-02-25") and dan["days_silent"] == 125
    assert row(risks, "eve")["usual_gap_days"] == 15
