"""Suspicious referrals: each signal on a hand-made export, the combination, the tables, the settings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from trustnet.errors import InputError, SettingsError
from trustnet.fraud import SIGNALS, canonical_email, canonical_name, find_suspicious
from trustnet.graph import build_graph
from trustnet.settings import Settings


def refs(rows, **cols):
    frame = pd.DataFrame(rows, columns=["referrer", "referred"])
    for name, values in cols.items():
        frame[name] = values
    return frame


def run(frame, settings=None, touchpoints=None):
    return find_suspicious(build_graph(frame, touchpoints), settings=settings)


def row(found, referrer, referred):
    table = found.referrals
    hit = table[(table["referrer"] == referrer) & (table["referred"] == referred)]
    assert len(hit) == 1, (referrer, referred)
    return hit.iloc[0]


# --- normalisation -------------------------------------------------------------------


def test_canonical_email_drops_tags_everywhere_and_dots_only_at_gmail():
    out = canonical_email(["J.Doe+news@GMAIL.com", "jdoe@googlemail.com", "j.doe+x@outlook.com",
                           "jdoe@outlook.com", "not an email", "", None, "a@b@c.com"])
    assert out["mailbox"].tolist()[:4] == ["jdoe@gmail.com", "jdoe@gmail.com", "j.doe@outlook.com", "jdoe@outlook.com"]
    assert out["exact"].tolist()[0] == "j.doe+news@gmail.com"
    assert out["name"].tolist()[:4] == ["jdoe"] * 4
    assert out.iloc[4:].isna().all().all()


def test_canonical_name_ignores_accents_case_and_punctuation():
    assert canonical_name(["Zoë  Ådams", "ZOE ADAMS", "zoe-adams", "Ж. Петров", " ", None]).tolist()[:4] == [
        "zoe adams", "zoe adams", "zoe adams", "ж петров"]
    assert canonical_name([" ", None]).isna().all()


# --- self-referrals under other identities --------------------------------------------


def test_same_id_is_a_self_referral():
    # the loader rejects such rows; a hand-made table, or one passed beside the graph, can hold them
    G = build_graph(refs([("ann", "bob")]))
    found = find_suspicious(G, refs([("ann", "ann"), ("ann", "bob")]))
    assert row(found, "ann", "ann")["suspicion"] == pytest.approx(0.99)
    assert row(found, "ann", "ann")["signals"] == "self_referral"
    assert row(found, "ann", "bob")["suspicion"] == 0
    assert run(refs([("ann", "ann"), ("ann", "bob")])).referrals["signals"].tolist() == ["self_referral", ""]


def test_same_email_from_email_columns_even_when_ids_differ():
    frame = refs([("c1", "c2"), ("c1", "c3")], referrer_email=["Ann@X.com", "ann@x.com"],
                 referred_email=[" ann@x.com", "bob@x.com"])
    found = run(frame)
    hit = row(found, "c1", "c2")
    assert hit["signals"] == "same_email" and hit["suspicion"] == pytest.approx(0.95)
    assert "ann@x.com" in hit["why"]
    assert row(found, "c1", "c3")["suspicion"] == 0


def test_hashed_email_columns_still_match_exactly():
    frame = refs([("p1", "p2"), ("p3", "p4"), ("p5", "p6")], referrer_email=["h-aa", "h-bb", "h-cc"],
                 referred_email=["h-aa", "h-dd", "h-bb"])
    found = run(frame)
    assert row(found, "p1", "p2")["signals"] == "same_email"
    assert row(found, "p3", "p4")["suspicion"] == 0
    assert row(found, "p5", "p6")["signals"] == "duplicate_account"


def test_gmail_alias_is_caught_but_dots_at_other_domains_are_not_an_alias():
    found = run(refs([("alice@gmail.com", "a.l.i.c.e+1@googlemail.com"),
                      ("robert@outlook.com", "rob.ert@outlook.com")]))
    alias = row(found, "alice@gmail.com", "a.l.i.c.e+1@googlemail.com")
    assert alias["signals"] == "email_alias" and alias["set_aside"]
    assert "alice@gmail.com" in alias["why"]
    dotted = row(found, "robert@outlook.com", "rob.ert@outlook.com")
    assert dotted["signals"] == "mailbox_name"
    assert dotted["suspicion"] == pytest.approx(0.4) and not dotted["set_aside"]


def test_duplicate_account_when_the_referred_mailbox_already_exists():
    found = run(refs([("x@y.com", "dan+2@y.com"), ("z@y.com", "dan@y.com")]))
    # undated: either could be the copy
    assert row(found, "x@y.com", "dan+2@y.com")["signals"] == "duplicate_account"
    assert row(found, "z@y.com", "dan@y.com")["signals"] == "duplicate_account"
    dated = run(refs([("x@y.com", "dan+2@y.com"), ("z@y.com", "dan@y.com")],
                     referred_at=["2025-05-01", "2025-01-01"]))
    assert row(dated, "x@y.com", "dan+2@y.com")["signals"] == "duplicate_account"
    assert row(dated, "z@y.com", "dan@y.com")["suspicion"] == 0


def test_household_discount_when_the_referred_is_active_or_declined():
    frame = refs([("root", "fred"), ("fred", "kid"), ("fred", "gran"), ("fred", "alt")],
                 fingerprint=["f1", "f1", "f1", "f1"], status=["converted", "converted", "declined", "converted"])
    tps = pd.DataFrame({"customer": ["kid", "kid"], "at": ["2025-02-01", "2025-03-01"]})
    found = run(frame, touchpoints=tps)
    assert row(found, "fred", "alt")["suspicion"] == pytest.approx(0.7)
    kid = row(found, "fred", "kid")
    assert "active since" in kid["why"] and not kid["set_aside"]
    assert "declined" in row(found, "fred", "gran")["why"] and not row(found, "fred", "gran")["set_aside"]


def test_same_name_full_names_count_more_than_first_names_and_rare_more_than_common():
    frame = refs([("a", "b"), ("c", "d"), ("e", "f")] + [(f"p{i}", f"q{i}") for i in range(3)],
                 referrer_name=["Ana Lima", "Ana", "Tom Ray"] + ["Tom Ray"] * 3,
                 referred_name=["ANA  LIMA", "ana", "Tom Ray", "x", "y", "z"])
    found = run(frame)
    assert row(found, "a", "b")["suspicion"] == pytest.approx(0.6)
    assert row(found, "c", "d")["suspicion"] == pytest.approx(0.24)
    # "Tom Ray" is held by 5 accounts: level 3/5
    assert row(found, "e", "f")["suspicion"] == pytest.approx(0.6 * 3 / 5)
    assert "same name as the referrer (ana lima)" in row(found, "a", "b")["why"]


def test_fingerprints_same_as_referrer_and_shared_among_referred():
    frame = refs([("root", "fred"), ("fred", "fake"), ("kim", "k1"), ("kim", "k2"), ("kim", "k3"), ("kim", "k4")],
                 fingerprint=["1.2.3.4", "1.2.3.4 ", "dev9", "DEV9", "dev9", "other"])
    found = run(frame)
    assert row(found, "fred", "fake")["signals"] == "same_fingerprint"
    assert row(found, "fred", "fake")["suspicion"] == pytest.approx(0.7)
    for d in ("k1", "k2", "k3"):
        assert row(found, "kim", d)["signals"] == "shared_fingerprint"
        assert row(found, "kim", d)["suspicion"] == pytest.approx(0.6)
    assert row(found, "kim", "k4")["suspicion"] == 0
    assert row(found, "root", "fred")["suspicion"] == 0


# --- network shape -------------------------------------------------------------------


def test_ring_longer_than_the_search_is_found_as_a_ring_and_shortest_cycle_when_in_reach():
    ring = [(f"r{i}", f"r{(i + 1) % 5}") for i in range(5)]
    found = run(refs(ring + [("x", "r0")]))
    hit = row(found, "r0", "r1")
    # a ring is also a small cluster that refers inside (5 of 10 pairs, 5 of 6 ties)
    assert hit["signals"] == "cycle, dense_cluster"
    assert hit["suspicion"] == pytest.approx(1 - (1 - 0.8 * 0.85) * (1 - 0.6))
    assert "ring of 5 accounts" in hit["why"]
    assert row(found, "x", "r0")["suspicion"] == 0
    longer = run(refs(ring), Settings().replace(**{"fraud.max_cycle_length": 5}))
    assert row(longer, "r0", "r1")["suspicion"] == pytest.approx(1 - 0.2 * 0.4)
    assert "cycle of 5 referrals" in row(longer, "r0", "r1")["why"]


def test_cycles_are_per_provider():
    frame = refs([("a", "b"), ("b", "a"), ("c", "d"), ("d", "c")], provider=["Tiles", "Paint", "Tiles", "Tiles"])
    found = run(frame)
    assert row(found, "a", "b")["suspicion"] == 0
    assert row(found, "c", "d")["signals"] == "cycle"
    assert "cycle of 2 referrals" in row(found, "c", "d")["why"]


def test_large_components_count_only_mutual_referrals():
    big = [(f"n{i}", f"n{(i + 1) % 40}") for i in range(40)]  # one cycle of 40: larger than max_cluster_size
    found = run(refs(big + [("n2", "n0"), ("n11", "n10")]))  # a 3-cycle and a mutual pair inside it
    for a, b in (("n10", "n11"), ("n11", "n10")):
        assert row(found, a, b)["signals"] == "cycle"
        assert "cycle of 2 referrals (" + a + " → " + b + " → " + a + ")" in row(found, a, b)["why"]
    assert "cycle" not in row(found, "n0", "n1")["signals"]
    assert row(found, "n20", "n21")["suspicion"] == 0
    small = run(refs(big + [("n2", "n0")]), Settings().replace(**{"fraud.max_cluster_size": 50}))
    assert "cycle of 3 referrals" in row(small, "n0", "n1")["why"]
    assert "ring of 40 accounts" in row(small, "n20", "n21")["why"]


def test_dense_acyclic_cluster_that_mostly_refers_inside():
    members = ["m0", "m1", "m2", "m3", "m4"]
    inside = [(a, b) for i, a in enumerate(members) for b in members[i + 1:]]  # 10 ties, no cycle
    found = run(refs(inside + [("entry", "m0"), ("m4", "outsider"), ("u", "v")]))
    hit = row(found, "m1", "m3")
    assert hit["signals"] == "dense_cluster" and hit["suspicion"] == pytest.approx(0.6)
    assert "cluster of 5 accounts with 10 referral ties" in hit["why"]
    assert row(found, "entry", "m0")["suspicion"] == 0
    assert row(found, "u", "v")["suspicion"] == 0


def test_a_friend_referred_twice_is_a_weak_triangle_only():
    found = run(refs([("a", "b"), ("a", "c"), ("b", "c"), ("z", "a")]))
    assert row(found, "a", "b")["suspicion"] == pytest.approx(0.3)
    assert not found.set_aside.any()


def test_star_advocate_spread_over_time_is_not_suspicious():
    dates = pd.date_range("2024-01-01 09:15", periods=60, freq="5D")
    frame = refs([("star", f"f{i}") for i in range(60)], referred_at=dates, status=["pending"] * 60)
    assert run(frame).referrals["suspicion"].max() == 0


# --- bursts and timing -----------------------------------------------------------------


def burst_frame(status="pending", revenue=np.nan):
    at = pd.Timestamp("2025-01-10 02:00:00") + pd.to_timedelta(np.arange(8) * 7, unit="min")
    rows = [("farmer", f"bot{i}") for i in range(8)] + [("later", "z")]
    return refs(rows, referred_at=list(at) + [pd.Timestamp("2025-06-01 10:00:00")],
                status=[status] * 8 + ["converted"], revenue=[revenue] * 8 + [10.0])


def test_burst_to_accounts_that_never_converted():
    found = run(burst_frame())
    hit = row(found, "farmer", "bot3")
    assert hit["signals"] == "burst" and hit["suspicion"] == pytest.approx(0.7)
    assert "one of 8 referrals by this advocate within 24 h, 8 of them" in hit["why"]
    adv = found.advocates.set_index("advocate").loc["farmer"]
    assert adv["referrals_set_aside"] == 8 and adv["share_set_aside"] == 1


def test_burst_of_real_customers_is_not_suspicious():
    assert run(burst_frame("converted", 50.0)).referrals["suspicion"].max() == 0


def test_burst_seen_in_touchpoints_is_not_dead():
    tps = pd.DataFrame({"customer": [f"bot{i}" for i in range(8)], "at": "2025-02-01"})
    assert run(burst_frame(), touchpoints=tps).referrals["suspicion"].max() == 0


def test_burst_without_any_conversion_data_is_volume_only():
    frame = burst_frame().drop(columns=["status", "revenue"])
    hit = row(run(frame), "farmer", "bot0")
    assert hit["suspicion"] == pytest.approx(0.35) and "no conversion data" in hit["why"]


def test_recent_referrals_are_not_judged_dead_yet():
    frame = burst_frame()
    frame.loc[8, "referred_at"] = pd.Timestamp("2025-01-12")  # the export ends two days after the burst
    assert run(frame).referrals["suspicion"].max() == 0


def test_identical_timestamps_and_fast_conversions():
    at = pd.Timestamp("2025-03-03 10:11:12")
    frame = refs([("a", "b"), ("a", "c"), ("a", "d"), ("e", "f"), ("g", "h"), ("i", "j")],
                 referred_at=[at, at, at, at, at, at + pd.Timedelta("2h")],
                 converted_at=[at + pd.Timedelta("3D")] * 3 + [at + pd.Timedelta("12s"), at + pd.Timedelta("2D"),
                                                                at - pd.Timedelta("1D")],
                 status="converted", revenue=10.0)
    found = run(frame)
    assert row(found, "a", "b")["signals"] == "batch_timestamp"
    assert "stamped 2025-03-03 10:11:12" in row(found, "a", "b")["why"]
    assert row(found, "e", "f")["signals"] == "fast_conversion"
    assert "converted 12 seconds after" in row(found, "e", "f")["why"]
    assert row(found, "g", "h")["suspicion"] == 0
    assert row(found, "i", "j")["signals"] == "converted_early"


def test_timing_common_to_the_whole_export_is_not_evidence():
    at = pd.date_range("2025-01-01 09:30:00", periods=30, freq="3D")
    every = refs([(f"a{i}", f"b{i}") for i in range(30)], referred_at=at, converted_at=at + pd.Timedelta("5s"),
                 status="converted")
    assert run(every).referrals["suspicion"].max() == 0
    batched = refs([("a", f"b{i}") for i in range(30)], referred_at=[at[0]] * 30, status="converted",
                   revenue=10.0)
    assert run(batched).referrals["suspicion"].max() == 0


def test_date_only_exports_do_not_fire_time_of_day_signals():
    day = pd.Timestamp("2025-03-03")
    frame = refs([("a", "b"), ("a", "c"), ("a", "d"), ("e", "f")], referred_at=[day] * 4,
                 converted_at=[day, day, day, day - pd.Timedelta("1D")], status="converted")
    found = run(frame)
    assert found.referrals["signals"].tolist() == ["", "", "", "converted_early"]


# --- combination, tables, settings ---------------------------------------------------------


def test_noisy_or_combines_signals_and_why_lists_the_strongest_first():
    frame = refs([("bob@gmail.com", "b.ob@gmail.com")], referrer_name=["Bob Stone"], referred_name=["bob stone"])
    hit = row(run(frame), "bob@gmail.com", "b.ob@gmail.com")
    assert hit["suspicion"] == pytest.approx(1 - 0.1 * 0.4)
    assert hit["signals"] == "email_alias, same_name"
    assert hit["why"].index("mailbox") < hit["why"].index("same name")


def test_tables_accounts_and_advocates():
    frame = refs([("ann@gmail.com", "a.nn@gmail.com"), ("ann@gmail.com", "bea@x.com"), ("bea@x.com", "cy@x.com")],
                 provider="Tiles", revenue=[100.0, 40.0, np.nan])
    found = run(frame)
    assert found.accounts["id"].tolist() == ["a.nn@gmail.com", "ann@gmail.com", "bea@x.com", "cy@x.com"]
    acc = found.accounts.set_index("id")
    assert acc.loc["ann@gmail.com", "suspicious_made"] == 1 and acc.loc["a.nn@gmail.com", "suspicious_received"] == 1
    assert acc.loc["ann@gmail.com", "why"].startswith("1 of 2 referrals made are suspicious; referred a.nn@gmail.com:")
    assert acc.loc["cy@x.com", "suspicion"] == 0 and acc.loc["cy@x.com", "why"] == ""
    adv = found.advocates.set_index("advocate")
    assert list(adv.index) == ["ann@gmail.com", "bea@x.com"]
    assert adv.loc["ann@gmail.com", ["value", "value_set_aside"]].tolist() == [140.0, 100.0]
    assert adv.loc["ann@gmail.com", "share_set_aside"] == pytest.approx(100 / 140)
    assert adv.loc["ann@gmail.com", "why"] == "1 of 2 referrals set aside (value 100.00 of 140.00): email_alias"
    assert found.suspicious["referred"].tolist() == ["a.nn@gmail.com"]


def test_keep_suspicious_scores_but_sets_nothing_aside():
    frame = refs([("ann@x.com", "ann+2@x.com"), ("ann@x.com", "bob@x.com")])
    kept = run(frame, Settings().replace(**{"fraud.keep_suspicious": True}))
    assert not kept.set_aside.any() and kept.keep_suspicious
    assert kept.referrals["suspicion"].tolist() == run(frame).referrals["suspicion"].tolist()
    assert len(kept.suspicious) == 1


def test_threshold_and_weight_overrides():
    frame = refs([("a", "b")], referrer_name=["Ann Lee"], referred_name=["Ann Lee"])
    low = run(frame, Settings().replace(**{"fraud.weights": {"same_name": 0.3}}))
    assert row(low, "a", "b")["suspicion"] == pytest.approx(0.3) and not low.set_aside.any()
    strict = run(frame, Settings().replace(**{"fraud.threshold": 0.7}))
    assert not strict.set_aside.any()


@pytest.mark.parametrize("key, value, words", [
    ("fraud.weights", {"same_nam": 0.3}, "valid signals are self_referral"),
    ("fraud.weights", {"same_name": 2}, "between 0 and 1"),
    ("fraud.max_cycle_length", 9, "between 2 and 6"),
    ("fraud.threshold", 1.5, "between 0 and 1"),
])
def test_bad_settings_are_named(key, value, words):
    with pytest.raises(SettingsError, match=words):
        run(refs([("a", "b")]), Settings().replace(**{key: value}))


def test_other_referrals_table_must_name_graph_ids():
    G = build_graph(refs([("a", "b")]))
    with pytest.raises(InputError, match=r"referrer not in the graph in rows \[1\] \(e.g. 'zz'\)"):
        find_suspicious(G, refs([("a", "b"), ("zz", "b")]))
    with pytest.raises(InputError, match="no referred column"):
        find_suspicious(G, pd.DataFrame({"referrer": ["a"]}))
    same = find_suspicious(G, refs([("b", "b")]))
    assert same.referrals["signals"].tolist() == ["self_referral"]


def test_deterministic_order_free_and_inputs_untouched():
    frame = refs([("a", "b"), ("b", "c"), ("c", "a"), ("x@gmail.com", "x.1+a@gmail.com"), ("q", "r")],
                 referrer_name=["A", "B", "C", "X Y", "Q"], referred_name=["B", "C", "A", "x y", "R"])
    before = frame.copy()
    G = build_graph(frame)
    first = find_suspicious(G)
    pd.testing.assert_frame_equal(frame, before)
    again = find_suspicious(G)
    pd.testing.assert_frame_equal(first.referrals, again.referrals)
    shuffled = run(frame.sample(frac=1, random_state=3).reset_index(drop=True))
    key = ["referrer", "referred"]
    a = first.referrals.set_index(key)[["suspicion", "signals"]].sort_index()
    b = shuffled.referrals.set_index(key)[["suspicion", "signals"]].sort_index()
    pd.testing.assert_frame_equal(a, b)


def test_progress_is_reported():
    seen = []
    find_suspicious(build_graph(refs([("a", "b")])), progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert seen[-1] == ("fraud", 6, 6) and len(seen) == 6


def test_every_signal_is_documented_in_the_module():
    import trustnet.fraud as fraud

    for name, (weight, _) in SIGNALS.items():
        assert f"``{name}``" in fraud.__doc__ and f"{weight:.2f}" in fraud.__doc__


@hsettings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7), st.integers(0, 1)), min_size=1, max_size=30))
def test_scores_are_bounded_and_set_aside_matches_threshold(edges):
    edges = [e for e in edges if e[0] != e[1]] or [(0, 1, 0)]
    frame = refs([(f"p{a}", f"p{b}") for a, b, _ in edges], provider=[f"P{c}" for *_, c in edges])
    found = run(frame)
    s = found.referrals["suspicion"]
    assert ((s >= 0) & (s <= 1)).all()
    assert (found.set_aside == (s >= found.threshold).to_numpy()).all()
    assert ((s > 0) == (found.referrals["signals"] != "")).all()
    assert ((s > 0) == (found.referrals["why"] != "")).all()


# --- the command line -------------------------------------------------------------------


def write_export(tmp_path):
    at = pd.Timestamp("2025-01-10 02:00:00") + pd.to_timedelta(np.arange(8) * 5, unit="min")
    rows = [{"referrer": "farmer@x.com", "referred": f"bot{i}@x.com", "referred_at": t, "status": "pending"}
            for i, t in enumerate(at)]
    rows += [{"referrer": "ann@gmail.com", "referred": "a.nn+1@gmail.com", "referred_at": "2025-03-01 10:00:00",
              "status": "converted", "revenue": 80.0},
             {"referrer": "bob@x.com", "referred": "cy@x.com", "referred_at": "2025-06-01 11:00:00",
              "status": "converted", "revenue": 120.0},
             {"referrer": "dee@x.com", "referred": "dee@x.com", "referred_at": "2025-06-02 11:00:00",
              "status": "converted", "revenue": 5.0}]
    path = tmp_path / "referrals.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_cli_suspicious_lists_the_referrals_with_reasons(tmp_path):
    from click.testing import CliRunner

    from trustnet.cli import cli

    result = CliRunner().invoke(cli, ["suspicious", str(write_export(tmp_path)), "--top", "3"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "10 referrals checked: 9 suspicious (suspicion >= 0.5, revenue 80.00), set aside from advocate value." in out
    assert "Rejected on loading: 1 self-referral" in out
    assert "Signals: burst 8" in out
    assert "1. ann@gmail.com -> a.nn+1@gmail.com" in out
    assert "reaches the referrer's mailbox ann@gmail.com" in out
    assert "farmer@x.com  suspicion 70%  made 8, received 0" in out


def test_cli_suspicious_json_and_keep(tmp_path):
    import json

    from click.testing import CliRunner

    from trustnet.cli import cli

    result = CliRunner().invoke(cli, ["suspicious", str(write_export(tmp_path)), "--json", "--keep-suspicious"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["suspicious"] == 9 and payload["set_aside"] == 0
    assert payload["signals"]["burst"] == 8
    assert payload["top"][0]["referred"] == "a.nn+1@gmail.com" and payload["top"][0]["set_aside"] is False
    assert payload["rejected_on_loading"] == {"self-referral": 1}


def test_cli_suspicious_help_and_bad_file(tmp_path):
    from click.testing import CliRunner

    from trustnet.cli import cli

    help_text = CliRunner().invoke(cli, ["suspicious", "--help"]).output
    assert help_text.strip().splitlines()[-1].strip().startswith("trustnet suspicious")
    missing = CliRunner().invoke(cli, ["suspicious", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2 and "nope.csv" in missing.output


# --- planted fraud in generated worlds ---------------------------------------------------


def test_generate_plants_fraud_with_truth_and_identities(tmp_path):
    from trustnet.datasets import generate, read_world

    plain = generate(300, seed=4)
    w = generate(300, seed=4, fraud=0.1)
    truth = w.truth["fraud"]
    assert len(truth) == len(w.referrals) and truth["referrer"].equals(w.referrals["referrer"])
    assert truth["fraudulent"].sum() == w.info["fraud"]["referrals"]
    assert round(truth["fraudulent"].mean(), 2) == pytest.approx(0.1, abs=0.02)
    assert set(truth.loc[truth["fraudulent"] == 1, "scheme"]) == {"self_referral", "ring", "farm"}
    honest = w.referrals[truth["fraudulent"].to_numpy() == 0]
    assert len(honest) == len(plain.referrals)  # the simulated business is untouched
    for col in ("referrer_email", "referred_email", "referrer_name", "referred_name", "fingerprint"):
        assert w.referrals[col].notna().all(), col
    # honest people have distinct mailboxes: no honest referral looks like a gmail alias
    boxes = canonical_email(pd.concat([honest["referrer_email"], honest["referred_email"]]))["mailbox"]
    people = pd.concat([honest["referrer"], honest["referred"]], ignore_index=True)
    assert boxes.groupby(people.to_numpy()).nunique().max() == 1
    back = read_world(w.write(tmp_path / "w"))
    assert back.truth["fraud"]["fraudulent"].tolist() == truth["fraudulent"].tolist()
    assert back.referrals["fingerprint"].equals(w.referrals["fingerprint"])
    again = generate(300, seed=4, fraud=0.1)
    assert again.referrals.equals(w.referrals) and again.truth["fraud"].equals(truth)
    assert "fraud" not in plain.truth and plain.referrals["referrer_email"].isna().all()


def test_generate_fraud_as_a_count_and_bad_values():
    from trustnet.datasets import generate

    assert generate(200, seed=1, fraud=40).info["fraud"]["referrals"] >= 40
    for bad in (0.9, 0, -3, "lots", True):
        with pytest.raises(InputError, match="fraud"):
            generate(200, seed=1, fraud=bad)


def test_find_suspicious_catches_most_planted_fraud_and_beats_exact_email():
    from trustnet.datasets import generate

    w = generate(1500, seed=11, fraud=0.05)
    found = find_suspicious(build_graph(w.referrals, w.touchpoints))
    truth = w.truth["fraud"]["fraudulent"].to_numpy() == 1
    caught = found.set_aside & truth
    precision = caught.sum() / max(found.set_aside.sum(), 1)
    recall = caught.sum() / truth.sum()
    same = (w.referrals["referrer_email"] == w.referrals["referred_email"]).to_numpy()
    assert precision > 0.8 and recall > 0.8
    assert recall > 3 * (same & truth).sum() / truth.sum()


def test_cli_generate_with_fraud_writes_the_truth(tmp_path):
    from click.testing import CliRunner

    from trustnet.cli import cli

    out = tmp_path / "world"
    result = CliRunner().invoke(cli, ["generate", "--customers", "200", "--fraud", "0.05", "-o", str(out)])
    assert result.exit_code == 0, result.output
    truth = pd.read_csv(out / "truth" / "fraud.csv")
    assert list(truth.columns[:3]) == ["referrer", "referred", "fraudulent"] and truth["fraudulent"].sum() > 0
    assert "referrer_email" in pd.read_csv(out / "referrals.csv", nrows=1).columns
    bad = CliRunner().invoke(cli, ["generate", "--customers", "200", "--fraud", "0.7", "-o", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "--fraud" in bad.output
