"""The demo-world generator, the bundled demos and their truth (issue 3)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy.stats import spearmanr

from trustnet import schema
from trustnet.cli import cli
from trustnet.datasets import (
    ADVOCATE,
    CHURNED_WITHIN_90D,
    DOWNSTREAM_CUSTOMERS,
    DOWNSTREAM_VALUE,
    TOUCHPOINT_DIMENSION,
    World,
    demo_path,
    describe_world,
    generate,
    load_home_services,
    load_subscription,
    read_world,
    write_export,
)
from trustnet.datasets._exports import person_emails
from trustnet.errors import InputError, OutputError

ROOT = Path(__file__).resolve().parents[1]



def _make_demos():
    spec = importlib.util.spec_from_file_location("make_demos", ROOT / "datasets" / "make_demos.py")
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    return make


MAKE = _make_demos()
#: The bounds the dataset READMEs state (datasets/*/README.md "What the data looks like").
BOUNDS = {kind: {key: bounds[kind] for key, (_, bounds) in MAKE.STATS.items()}
          for kind in ("home-services", "subscription")}


@pytest.fixture(scope="module")
def home() -> World:
    return generate(2000, seed=11)


@pytest.fixture(scope="module")
def subscription() -> World:
    return generate(4000, seed=12, kind="subscription")


def _digest(folder: Path) -> dict[str, str]:
    """sha256 of every file a world writes (a bundled folder's README is written by hand)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "README.md"}


# ------------------------------------------------------------------ determinism
def test_same_seed_gives_byte_identical_files(tmp_path):
    a = generate(800, seed=5).write(tmp_path / "a")
    b = generate(800, seed=5).write(tmp_path / "b")
    assert _digest(a) == _digest(b)
    assert len(_digest(a)) == 8  # referrals, touchpoints, world.json, five truth tables


def test_different_seeds_differ(tmp_path):
    a = _digest(generate(800, seed=5).write(tmp_path / "a"))
    b = _digest(generate(800, seed=6).write(tmp_path / "b"))
    assert a["referrals.csv"] != b["referrals.csv"]
    assert a["touchpoints.csv"] != b["touchpoints.csv"]
    assert a["truth/trust.csv"] != b["truth/trust.csv"]


def test_gzip_is_byte_stable_and_reads_back(tmp_path):
    w = generate(300, seed=2, kind="subscription")
    a = w.write(tmp_path / "a", compress=True)
    b = w.write(tmp_path / "b", compress=True)
    assert (a / "touchpoints.csv.gz").read_bytes() == (b / "touchpoints.csv.gz").read_bytes()
    assert read_world(a).touchpoints.equals(w.touchpoints)


def test_bundled_demos_are_what_their_seeds_make(tmp_path):
    """The committed files match the generator: datasets/make_demos.py rebuilds them byte for byte."""
    make = MAKE
    for name, (gen, write) in make.WORLDS.items():
        out = generate(**gen).write(tmp_path / name, **write)
        assert _digest(out) == _digest(ROOT / "datasets" / name), f"datasets/{name} is stale: run make_demos.py"
    for name, (gen, style) in make.EXPORTS.items():
        out = write_export(generate(**gen), tmp_path / name, style)
        assert out.read_bytes() == (ROOT / "datasets" / "exports" / name).read_bytes(), name


# ------------------------------------------------------------------ contracts
def test_tables_follow_the_data_contracts(home):
    ref, tp = home.referrals, home.touchpoints
    assert list(ref.columns) == [*schema.REFERRAL_COLUMNS, schema.SOURCE_LINE]
    assert list(tp.columns) == [*schema.TOUCHPOINT_COLUMNS, schema.SOURCE_LINE]
    for col in (schema.REFERRER, schema.REFERRED, schema.PROVIDER):
        assert isinstance(ref[col].dtype, pd.StringDtype) and ref[col].notna().all()
    for col in (schema.CUSTOMER, schema.PROVIDER):
        assert isinstance(tp[col].dtype, pd.StringDtype) and tp[col].notna().all()
    assert ref[schema.REFERRED_AT].dtype == "datetime64[ns]" and ref[schema.CONVERTED_AT].dtype == "datetime64[ns]"
    assert tp[schema.AT].dtype == "datetime64[ns]"
    for col in (schema.REVENUE,):
        assert ref[col].dtype == "float64"
    for col in (schema.SCORE, schema.RESPONSE_DAYS, schema.VALUE):
        assert tp[col].dtype == "float64"
    assert set(ref[schema.STATUS]) <= set(schema.STATUSES)
    assert set(tp[schema.SCALE].dropna()) <= set(schema.SCALES)
    assert set(tp[schema.EVENT].dropna()) <= set(schema.EVENTS)
    assert tp[schema.DIMENSION].isna().all(), "the default demo carries no dimension column"
    assert ref[schema.SOURCE_LINE].tolist() == list(range(2, len(ref) + 2))
    # ids are opaque strings; providers readable names
    assert ref[schema.REFERRER].str.fullmatch(r"C\d{6,}").all()
    assert tp[schema.PROVIDER].str.contains("'s ").all()
    # scores sit on their scales; a score always has a scale and a scale a score
    for name, (lo, hi) in schema.SCALES.items():
        s = tp.loc[tp[schema.SCALE] == name, schema.SCORE]
        assert s.between(lo, hi).all(), name
    assert (tp[schema.SCORE].notna() == tp[schema.SCALE].notna()).all()
    # revenue only where the referral converted
    won = ref[schema.STATUS].isin([schema.CONVERTED, schema.CHURNED])
    assert ref.loc[won, schema.REVENUE].gt(0).all() and ref.loc[~won, schema.REVENUE].isna().all()
    assert (ref.loc[won, schema.CONVERTED_AT] >= ref.loc[won, schema.REFERRED_AT]).all()


def test_nothing_after_the_exports_end(home):
    end = pd.Timestamp(home.info["as_of"]) + pd.Timedelta(days=1)
    assert home.touchpoints[schema.AT].max() < end
    assert home.referrals[schema.REFERRED_AT].max() < end
    assert home.referrals[schema.CONVERTED_AT].max() < end
    assert home.touchpoints[schema.AT].min() >= pd.Timestamp(home.info["start"])


def test_every_touchpoint_name_maps_to_its_dimension_by_keyword(home, subscription):
    names = set(home.touchpoints[schema.TOUCHPOINT]) | set(subscription.touchpoints[schema.TOUCHPOINT])
    assert names <= set(TOUCHPOINT_DIMENSION)
    keywords = {
        schema.PLATFORM: ("app", "web", "portal", "ivr", "chatbot", "outage"),
        schema.PROCESS: ("delivery", "billing", "complaint", "repair", "installation", "delay"),
        schema.PEOPLE: ("technician", "agent", "advisor", "driver"),
    }
    for name in names:
        dim = TOUCHPOINT_DIMENSION[name]
        words = name.lower().replace("-", " ").split()
        hits = {d for d, keys in keywords.items() for k in keys if any(w.startswith(k) for w in words)}
        assert hits == ({dim} if dim else set()), name


def test_the_trust_models_keyword_table_agrees():
    evidence = pytest.importorskip("trustnet.trust.evidence")
    names = pd.Series(sorted(TOUCHPOINT_DIMENSION))
    got = evidence.touchpoint_dimensions(names)
    for name, dim in zip(names, got):
        assert dim == (TOUCHPOINT_DIMENSION[name] or "all"), name


def test_subscription_is_one_brand_through_three_platforms(subscription):
    assert subscription.referrals[schema.PROVIDER].nunique() == 1
    names = set(subscription.touchpoints[schema.TOUCHPOINT])
    assert {"app rating", "website checkout", "IVR call"} <= names
    assert {"app outage", "website outage", "IVR outage"} <= names


# ------------------------------------------------------------------ truth
def test_truth_tables_have_the_fixed_formats(home):
    t = home.truth
    assert list(t["trust"].columns) == [schema.CUSTOMER, schema.PROVIDER, *schema.DIMENSIONS]
    assert list(t["advocates"].columns) == [ADVOCATE, DOWNSTREAM_VALUE, DOWNSTREAM_CUSTOMERS]
    assert list(t["churn"].columns) == [schema.CUSTOMER, schema.PROVIDER, CHURNED_WITHIN_90D]
    assert len(t["trust"]) == 2000 and t["trust"][schema.CUSTOMER].is_unique
    assert t["trust"][list(schema.DIMENSIONS)].stack().between(0, 1).all()
    assert set(t["churn"][CHURNED_WITHIN_90D]) == {0, 1}
    assert set(t["advocates"][ADVOCATE]) == set(home.referrals[schema.REFERRER])


def test_churn_truth_covers_exactly_the_live_relationships(home):
    tp, ref = home.touchpoints, home.referrals
    gone = set(tp.loc[tp[schema.EVENT] == "churned", schema.CUSTOMER])
    assert gone == set(ref.loc[ref[schema.STATUS] == schema.CHURNED, schema.REFERRED]) | (
        gone - set(ref[schema.REFERRED]))
    live = set(home.truth["trust"][schema.CUSTOMER]) - gone
    assert set(home.truth["churn"][schema.CUSTOMER]) == live


def test_downstream_truth_matches_the_referral_tree(home):
    """Recompute every advocate's downstream value and customers from the export, level by level."""
    ref = home.referrals
    won = ref[ref[schema.STATUS].isin([schema.CONVERTED, schema.CHURNED])]
    parent = dict(zip(won[schema.REFERRED], won[schema.REFERRER]))
    revenue = dict(zip(won[schema.REFERRED], won[schema.REVENUE]))
    value: dict[str, float] = {}
    count: dict[str, int] = {}
    for person, rev in revenue.items():  # walk up from each won customer (small world: fine)
        up = parent.get(person)
        seen = 0
        while up is not None and seen < 100:
            value[up] = value.get(up, 0.0) + rev
            count[up] = count.get(up, 0) + 1
            up = parent.get(up)
            seen += 1
    adv = home.truth["advocates"].set_index(ADVOCATE)
    expect_v = adv.index.map(lambda a: value.get(a, 0.0))
    expect_c = adv.index.map(lambda a: count.get(a, 0))
    np.testing.assert_allclose(adv[DOWNSTREAM_VALUE], expect_v, atol=0.02)
    assert (adv[DOWNSTREAM_CUSTOMERS].to_numpy() == np.asarray(expect_c)).all()


# ------------------------------------------------------------------ the evidence carries the truth
def _unit(tp: pd.DataFrame) -> pd.Series:
    lo = tp[schema.SCALE].map(lambda s: schema.SCALES[s][0] if isinstance(s, str) else np.nan)
    hi = tp[schema.SCALE].map(lambda s: schema.SCALES[s][1] if isinstance(s, str) else np.nan)
    return (tp[schema.SCORE] - lo) / (hi - lo)


@pytest.mark.parametrize("world", ["home", "subscription"])
def test_ratings_read_the_hidden_trust(world, request):
    """A customer's mean rating on a dimension ranks them like their hidden trust there."""
    w = request.getfixturevalue(world)
    tp = w.touchpoints.assign(u=_unit(w.touchpoints), dim=w.touchpoints[schema.TOUCHPOINT].map(TOUCHPOINT_DIMENSION))
    truth = w.truth["trust"].set_index(schema.CUSTOMER)
    for dim in schema.DIMENSIONS:
        mean = tp[(tp["dim"] == dim) & tp["u"].notna()].groupby(schema.CUSTOMER)["u"].mean()
        rho = spearmanr(mean, truth.loc[mean.index, dim]).statistic
        assert rho > 0.4, (dim, rho)


def test_providers_differ_and_their_quality_shows(home):
    q = home.truth["providers"].set_index(schema.PROVIDER)
    assert q[schema.PROCESS].std() > 0.05
    tp = home.touchpoints
    complaints = tp[tp[schema.EVENT] == "complaint"].groupby(schema.PROVIDER).size()
    customers = home.truth["trust"].groupby(schema.PROVIDER).size()
    rate = (complaints.reindex(customers.index).fillna(0) / customers)
    assert spearmanr(rate, q.loc[rate.index, schema.PROCESS]).statistic < -0.4


def test_surveys_answered_more_by_the_delighted_and_the_furious(subscription):
    sv = subscription.truth["surveys"].merge(subscription.truth["trust"], on=[schema.CUSTOMER, schema.PROVIDER])
    overall = sv[list(schema.DIMENSIONS)].mean(axis=1)
    extreme = (overall - overall.median()).abs() > (overall - overall.median()).abs().quantile(0.8)
    rate = lambda m: sv.loc[m, "answered"].sum() / sv.loc[m, "invited"].sum()  # noqa: E731
    assert rate(extreme) > 1.2 * rate(~extreme)


def test_churn_comes_with_visible_warning_signs(subscription):
    """Who churns within 90 days is lower-trust, quieter and more often let down than who stays."""
    w = subscription
    churn = w.truth["churn"].set_index(schema.CUSTOMER)[CHURNED_WITHIN_90D]
    end = pd.Timestamp(w.info["as_of"]) + pd.Timedelta(days=1)
    tp = w.touchpoints
    last = tp.groupby(schema.CUSTOMER)[schema.AT].max().reindex(churn.index)
    silent = (end - last).dt.days
    assert silent[churn == 1].median() > 1.5 * silent[churn == 0].median()
    trust = w.truth["trust"].set_index(schema.CUSTOMER).loc[churn.index, list(schema.DIMENSIONS)].min(axis=1)
    assert trust[churn == 1].mean() < trust[churn == 0].mean() - 0.05
    recent = tp[(tp[schema.AT] > end - pd.Timedelta(days=180))
                & tp[schema.EVENT].isin(["complaint", "delay", "refund_denied", "unresolved", "outage"])]
    hit = churn.index.isin(recent[schema.CUSTOMER])
    assert hit[churn.to_numpy() == 1].mean() > hit[churn.to_numpy() == 0].mean()


def test_a_churned_advocates_referees_are_likelier_to_leave():
    w = load_subscription()
    ref = w.referrals
    gone = set(ref.loc[ref[schema.STATUS] == schema.CHURNED, schema.REFERRED]) | set(
        w.touchpoints.loc[w.touchpoints[schema.EVENT] == "churned", schema.CUSTOMER])
    won = ref[ref[schema.STATUS].isin([schema.CONVERTED, schema.CHURNED])]
    referred = won.set_index(schema.REFERRED)[schema.REFERRER]
    upstream_gone = referred.isin(gone)
    left = referred.index.isin(gone)
    assert left[upstream_gone.to_numpy()].mean() > 1.3 * left[~upstream_gone.to_numpy()].mean()


# ------------------------------------------------------------------ the statistics the READMEs claim
@pytest.mark.parametrize("kind", ["home-services", "subscription"])
def test_generated_worlds_have_the_stated_statistics(kind, home, subscription):
    stats = describe_world(home if kind == "home-services" else subscription)
    for key, (lo, hi) in BOUNDS[kind].items():
        assert lo <= stats[key] <= hi, (kind, key, stats[key])


@pytest.mark.parametrize("kind,loader", [("home-services", load_home_services), ("subscription", load_subscription)])
def test_bundled_demos_have_the_stated_statistics(kind, loader):
    w = loader()
    stats = describe_world(w)
    for key, (lo, hi) in BOUNDS[kind].items():
        assert lo <= stats[key] <= hi, (kind, key, stats[key])
    readme = (ROOT / "datasets" / kind / "README.md").read_text(encoding="utf-8")
    assert f"{stats['customers']:,} customers" in readme
    assert json.loads((ROOT / "datasets" / kind / "world.json").read_text())["kind"] == kind


def test_heavy_tail_a_few_champions_many_one_off_referrers(home):
    counts = home.referrals[schema.REFERRER].value_counts()
    assert counts.max() >= 10 * counts.median()
    assert (counts == 1).mean() > 0.25


# ------------------------------------------------------------------ bundled loaders and exports
def test_load_functions_return_canonical_tables():
    w = load_home_services()
    assert len(w.truth["trust"]) == 2000 and w.info["seed"] == 1
    assert w.referrals[schema.REFERRED_AT].dtype == "datetime64[ns]"
    assert isinstance(w.referrals[schema.REFERRER].dtype, pd.StringDtype)
    assert w.touchpoints[schema.SCORE].dtype == "float64"


def test_demo_path_names_the_demos():
    with pytest.raises(InputError, match="no bundled demo called 'nope'; the demos are home-services"):
        demo_path("nope")
    assert demo_path("referral-platform").read_bytes()[:3] == b"\xef\xbb\xbf"


def test_exports_carry_their_quirks():
    platform = demo_path("referral-platform").read_bytes()
    assert platform.startswith(b"\xef\xbb\xbfReferral ID,Referrer Name,Referrer Email,Friend Name,Friend Email")
    assert b"\r\n" in platform and b",$" in platform  # CRLF line ends, "$1,234.50"-style amounts
    assert b'"$1,' in platform  # amounts with a thousands comma are quoted
    crm = demo_path("crm-europe").read_text(encoding="utf-8")
    head = crm.splitlines()[0]
    assert head.split(";")[:5] == ["Deal ID", "Contact Name", "Contact Email", "Referred By", "Account"]
    assert any(int(line.split(";")[6][:2]) > 12 for line in crm.splitlines()[1:])  # day-first dates show it
    assert any("," in line.split(";")[8] for line in crm.splitlines()[1:] if line.split(";")[8])


def _export_world(name: str) -> World:
    gen, _ = MAKE.EXPORTS[f"{name}.csv"]
    return generate(**gen)


@pytest.mark.parametrize("name", ["referral-platform", "crm-europe"])
def test_exports_load_through_the_normal_loader(name):
    """Every row loads; e-mails, statuses, amounts (currency strings, decimal commas), day-first dates
    and (CRM) the tradesperson come back as the world has them."""
    load = pytest.importorskip("trustnet.load")
    ref = _export_world(name).referrals
    df, report = load.load_referrals(demo_path(name))
    assert report.rows_read == len(ref) and report.accepted == len(ref) and report.rejected == 0
    back = df.set_index(df[schema.SOURCE_LINE] - 2).sort_index()
    assert back.index.tolist() == list(range(len(ref)))
    assert (back[schema.REFERRER].str.lower() == person_emails(ref[schema.REFERRER]).to_numpy()).all()
    assert (back[schema.REFERRED].str.lower() == person_emails(ref[schema.REFERRED]).to_numpy()).all()
    np.testing.assert_allclose(back[schema.REVENUE].to_numpy(), ref[schema.REVENUE].to_numpy(), equal_nan=True)
    minute = ref[schema.REFERRED_AT].dt.floor("min").to_numpy()
    assert (back[schema.REFERRED_AT].dt.floor("min").to_numpy() == minute).all()
    assert (back[schema.STATUS].to_numpy() == ref[schema.STATUS].to_numpy()).all()
    day = ref[schema.CONVERTED_AT].dt.floor("D")
    assert back[schema.CONVERTED_AT].dt.floor("D").equals(day.set_axis(back.index))
    if name == "crm-europe":
        assert (back[schema.PROVIDER].to_numpy() == ref[schema.PROVIDER].to_numpy()).all()


# ------------------------------------------------------------------ errors and the command line
@pytest.mark.parametrize("kwargs,words", [
    ({"customers": 5}, "customers must be a whole number of at least 10, got 5"),
    ({"customers": 100, "providers": 0}, "providers must be a whole number of at least 1, got 0"),
    ({"customers": 100, "providers": 200}, "providers (200) cannot exceed customers (100)"),
    ({"customers": 100, "months": 1}, "months must be a whole number from 3 to 240, got 1"),
    ({"customers": 100, "start": "someday"}, "start must be a date such as 2024-01-01, got 'someday'"),
    ({"customers": 100, "kind": "bakery"}, "unknown kind of world 'bakery'; choose one of home-services, subscription"),
])
def test_generate_rejects_bad_arguments_with_a_clear_message(kwargs, words):
    with pytest.raises(InputError) as err:
        generate(**kwargs)
    assert words in str(err.value)


def test_write_refuses_to_overwrite_without_being_asked(tmp_path):
    w = generate(100, seed=1)
    w.write(tmp_path)
    with pytest.raises(OutputError, match="already holds a world"):
        w.write(tmp_path)
    w.write(tmp_path, overwrite=True, compress=True)
    assert (tmp_path / "touchpoints.csv.gz").exists() and not (tmp_path / "touchpoints.csv").exists()


def test_read_world_names_what_it_found(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(InputError, match=r"holds no referrals.csv \(found: notes.txt\)"):
        read_world(tmp_path)


def test_progress_is_reported_month_by_month():
    seen = []
    generate(100, seed=1, months=6, progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert seen == [("generate", i, 9) for i in range(1, 10)]


def test_cli_generate_writes_a_world_and_protects_it(tmp_path):
    out = tmp_path / "demo"
    runner = CliRunner()
    args = ["generate", "--customers", "300", "--seed", "4", "--months", "12", "-o", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "300 customers" in result.output and "truth in" in result.output
    assert (out / "truth" / "churn.csv").exists()
    assert read_world(out).referrals.equals(generate(300, seed=4, months=12).referrals)
    again = runner.invoke(cli, args)
    assert again.exit_code == 2 and "already holds a world (referrals.csv); pass --force" in again.output
    forced = runner.invoke(cli, [*args, "--force", "--kind", "subscription", "--gzip"])
    assert forced.exit_code == 0, forced.output
    assert read_world(out).info["kind"] == "subscription"


def test_cli_generate_help_ends_with_an_example():
    result = CliRunner().invoke(cli, ["generate", "--help"])
    assert result.exit_code == 0
    assert result.output.strip().splitlines()[-1].strip().startswith("trustnet generate")
