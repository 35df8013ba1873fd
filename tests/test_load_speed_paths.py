"""The fast paths of the loader (distinct values parsed once, categorical columns, hashed duplicate keys,
one Arrow cast for ISO dates) give exactly what the general paths give."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from trustnet import schema as S
from trustnet.load import load_referrals, load_touchpoints
from trustnet.load.values import _money, encode, parse_dates, parse_ids, parse_money, parse_number


def test_touchpoint_text_columns_are_categorical_and_stay_so_when_stacked():
    a = io.StringIO("customer,provider,touchpoint,score,event,dimension,comment\n"
                    "ann,P1,App,9,Complaint,People,hi\nbob,P2,call,3,,nonsense,\n")
    b = io.StringIO("customer,provider,touchpoint,score\ncat,P3,app,5\n")
    one, rep = load_touchpoints(a)
    for col in (S.CUSTOMER, S.PROVIDER, S.TOUCHPOINT, S.EVENT, S.DIMENSION, S.SCALE, S.COMMENT):
        assert isinstance(one[col].dtype, pd.CategoricalDtype), col
    assert list(one[S.SCALE].cat.categories) == list(S.SCALES)
    assert list(one[S.DIMENSION].cat.categories) == list(S.DIMENSIONS)
    assert one[S.EVENT].tolist()[0] == "complaint" and pd.isna(one[S.EVENT].tolist()[1])
    assert one[S.DIMENSION].tolist()[0] == "people" and pd.isna(one[S.DIMENSION].tolist()[1])
    assert any("nonsense" in w for w in rep.warnings)
    a.seek(0)
    both, _ = load_touchpoints([a, b])
    assert isinstance(both[S.PROVIDER].dtype, pd.CategoricalDtype)
    assert both[S.PROVIDER].tolist() == ["P1", "P2", "P3"]
    assert isinstance(both[S.CUSTOMER].dtype, pd.CategoricalDtype)
    assert both[S.CUSTOMER].tolist() == ["ann", "bob", "cat"]
    assert both[S.TOUCHPOINT].tolist() == ["App", "call", "app"]


def test_touchpoint_duplicates_need_every_cell_equal():
    rows = ["customer,provider,at,score,touchpoint,extra"]
    body = [
        "ann,P,2025-01-05,9,app,x",      # line 2
        "ann,P,2025-01-05,9,app,x",      # 3: exact duplicate of 2
        "ann,P,2025-01-05,9.0,app,x",    # 4: same score, other cell: kept
        "ann,P,2025-01-05 00:00,9,app,x",  # 5: same time, other cell: kept
        "ann,P,2025-01-05,9,app,y",      # 6: differs only in an unmapped column: kept
        "ann,P,2025-01-05,9,app,x",      # 7: duplicate of 2 again
        "bob,P,2025-01-05,9,app,y",      # 8
        "bob,P,2025-01-05,9,app,y",      # 9: duplicate of 8
    ]
    df, rep = load_touchpoints(io.StringIO("\n".join(rows + body) + "\n"))
    assert rep.duplicate_rows[S.SOURCE_LINE].tolist() == [3, 7, 9]
    assert rep.duplicate_rows["kept_line"].tolist() == [2, 2, 8]
    assert df[S.SOURCE_LINE].tolist() == [2, 4, 5, 6, 8]
    assert rep.rows_read == rep.accepted + rep.duplicates + rep.rejected


def test_distinct_value_parsers_match_the_row_by_row_results():
    rng = np.random.default_rng(3)
    n = 6000
    money = pd.Series(rng.choice(["3,5", "1,234", "$10.00", "", "(2.50)", "n/a"], n), dtype="str")
    money[:1000] = [f"{i}.25" for i in range(1000)]  # many distinct dot-decimals, fewer rows than the commas
    fast_v, fast_b = parse_money(money)
    slow_v, slow_b = _money(money, None, None)
    assert fast_v.equals(slow_v) and fast_b.equals(slow_b)
    numbers = pd.Series(rng.choice(["9", " 7,5", "x", "", "10"], n), dtype="str")
    values, bad = parse_number(numbers)
    assert values[numbers == " 7,5"].eq(7.5).all() and bad[numbers == "x"].all() and not bad[numbers == ""].any()
    ids = pd.Series(rng.choice([" Ann@X.com", "007", "4.41E+11", "bob"], n), dtype="str")
    out, warning = parse_ids(ids)
    assert set(out) == {"ann@x.com", "007", "4.41E+11", "bob"}
    assert warning is not None and warning.startswith(f"{int((ids == '4.41E+11').sum())} id(s)")
    coded = encode(ids)
    assert (coded.values.to_numpy()[coded.codes] == ids.to_numpy()).all()


def test_iso_dates_in_one_cast_match_the_general_path():
    rng = np.random.default_rng(5)
    stamps = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 10**8, 8000), unit="s")
    text = pd.Series(stamps.strftime("%Y-%m-%dT%H:%M:%S"), dtype="str")
    text[::97] = ""
    fast = parse_dates(text)
    assert fast.form == "iso" and not fast.bad.any()
    assert fast.values[text != ""].equals(pd.Series(stamps, dtype="datetime64[ns]")[text != ""])
    assert fast.values[text == ""].isna().all()
    text[4000] = "2024-13-45T00:00:00"  # one bad cell: the general path rejects that cell only
    slow = parse_dates(text)
    assert slow.bad.sum() == 1 and bool(slow.bad[4000])


def test_referral_duplicates_and_rejections_unchanged_on_a_messy_export():
    lines = ["Referrer Email,Friend Email,Referral Date,Order Total"]
    for i in range(3000):
        lines.append(f"User{i % 50}@Example.com,user{i}@x.com,01/{i % 28 + 1:02d}/2025,\"${i},000.50\"")
    lines += [lines[5], lines[7], "ann@x.com,,01/02/2025,1", "ann@x.com,ann@x.com,01/02/2025,1"]
    df, rep = load_referrals(io.StringIO("\n".join(lines) + "\n"))
    assert rep.duplicates == 2 and rep.duplicate_rows["kept_line"].tolist() == [6, 8]
    assert rep.rejected_rows["reason"].str[:16].tolist() == ["missing referred", "self-referral: r"]
    assert rep.rows_read == rep.accepted + rep.duplicates + rep.rejected == 3004
    assert df["revenue"].iloc[1] == 1000.5


def test_touchpoint_categories_are_sorted_as_python_sorts_them():
    # the labels are put in order by their UTF-8 bytes read 8 at a time (not a string sort): same order as sorted()
    names = ["zoë", "Zoe", "ann", "ánn", "a", "customer-000000010", "customer-000000002", "😀", "b c", "b"]
    text = "customer,provider,touchpoint,score\n" + "".join(f"{n},{n[::-1] or 'P'},call {n},4\n" for n in names)
    got, _ = load_touchpoints(io.StringIO(text))
    for col in (S.CUSTOMER, S.PROVIDER, S.TOUCHPOINT):
        cats = list(got[col].cat.categories)
        assert cats == sorted(cats) and len(cats) == len(names), col
    assert got[S.CUSTOMER].tolist() == names  # each row keeps its own label
    assert got[S.TOUCHPOINT].tolist() == [f"call {n}" for n in names]


def test_referrers_and_providers_are_sorted_categories_of_accepted_rows_only():
    text = ("Referrer,Referred,Provider\n"
            " Ann@X.com,bob,Tiles\n"    # trimmed and case-folded: the same referrer as the next row
            "ann@x.com,cat, Paint \n"
            "zed,,Roofs\n"              # rejected (no referred): zed and Roofs are nobody's on an accepted row
            "dan,eve,\n")               # no provider: the default
    df, rep = load_referrals(io.StringIO(text))
    assert rep.rejected == 1
    for col in (S.REFERRER, S.PROVIDER):
        assert isinstance(df[col].dtype, pd.CategoricalDtype) and df[col].dtype.categories.dtype == "str", col
    assert df[S.REFERRER].tolist() == ["ann@x.com", "ann@x.com", "dan"]
    assert df[S.REFERRER].cat.categories.tolist() == ["ann@x.com", "dan"]
    default = df[S.PROVIDER].iloc[2]
    assert df[S.PROVIDER].tolist() == ["Tiles", "Paint", default]
    assert df[S.PROVIDER].cat.categories.tolist() == sorted(["Tiles", "Paint", default])
    assert df[S.REFERRER].value_counts().to_dict() == {"ann@x.com": 2, "dan": 1}
    assert df[S.REFERRED].dtype == "str"


def test_participant_referrers_are_categories_too():
    df, _ = load_referrals(io.StringIO("id,email,referrerId\n1,a@x.com,\n2,b@x.com,1\n3,c@x.com,2\n"))
    assert isinstance(df[S.REFERRER].dtype, pd.CategoricalDtype)
    assert df[S.REFERRER].tolist() == ["a@x.com", "b@x.com"]
    assert df[S.REFERRER].cat.categories.tolist() == ["a@x.com", "b@x.com"]


def test_rejected_touchpoints_leave_no_customer_or_provider_behind():
    text = "customer,provider,touchpoint,score,at\nann,P1,call,4,2025-01-01\nbob,P2,call,4,not a date\n"
    got, rep = load_touchpoints(io.StringIO(text))
    assert rep.rejected == 1
    assert got[S.CUSTOMER].cat.categories.tolist() == ["ann"]
    assert got[S.PROVIDER].cat.categories.tolist() == ["P1"]
