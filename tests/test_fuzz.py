"""Property-based fuzzing of the loader and of ``analyse`` on small random tables.

Whatever the table holds, the loader either raises the documented :class:`~trustnet.errors.TrustnetError` or
returns tables that keep the data contract and a reconciliation that adds up; ``analyse`` either raises a
``TrustnetError`` or returns scores inside their documented ranges, and the same input gives the same output.
Example counts are kept modest (the suite stays fast); the seed is fixed by hypothesis' database-less profile.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustnet import schema as S
from trustnet.analysis import analyse
from trustnet.errors import TrustnetError
from trustnet.load import load_referrals, load_touchpoints

FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

IDS = [f"p{i}@x.com" for i in range(6)] + ["P0@X.COM ", "  p1@x.com", "C001", "1.2E+10", "0042"]
HOSTILE = ["=1+1", "<b>x</b>", 'a"b', "a,b", "a;b", "a\nb", "é\u200bü", "\x00", "NULL", "nan", "-", "  "]
DATES = ["2025-01-02", "02/03/2025", "31/12/2024", "2025-13-45", "9999-12-31", "0001-01-01", "1700000000",
         "yesterday", "2025-01-02T10:00:00+05:00", "", "45000"]
AMOUNTS = ["10", "-5", "1.234,56", "€ 99", "(12.50)", "NaN", "inf", "-Infinity", "1e400", "1e308", "", "abc", "0"]
STATUSES = ["converted", "Declined", "pending", "churned", "WON", "???", ""]

cell = st.one_of(st.sampled_from(IDS), st.sampled_from(HOSTILE), st.text(max_size=12))
referral_row = st.tuples(
    st.one_of(st.sampled_from(IDS), cell), st.one_of(st.sampled_from(IDS), cell),
    st.sampled_from(["Tiles", "Baths", "", "=Tiles"]), st.sampled_from(DATES), st.sampled_from(STATUSES),
    st.sampled_from(AMOUNTS),
)
HEADER = [S.REFERRER, S.REFERRED, S.PROVIDER, S.REFERRED_AT, S.STATUS, S.REVENUE]


def _csv(rows: list[tuple], delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _check_referrals(frame: pd.DataFrame, report) -> None:
    assert report.rows_read == report.accepted + report.duplicates + report.rejected
    assert len(frame) == report.accepted
    assert len(report.rejected_rows) == report.rejected and len(report.duplicate_rows) == report.duplicates
    for col in S.REFERRAL_COLUMNS:
        assert col in frame
    for col in (S.REFERRER, S.REFERRED, S.PROVIDER):
        assert not frame[col].isna().any()
        assert (frame[col].astype(str).str.strip() != "").all()
    assert (frame[S.REFERRER] != frame[S.REFERRED]).all()
    assert frame[S.REFERRED_AT].dtype == "datetime64[ns]"
    assert frame[S.REVENUE].dtype == "float64"
    revenue = frame[S.REVENUE].to_numpy()
    assert not np.isinf(revenue).any()
    assert frame[S.STATUS].dropna().isin(S.STATUSES).all()
    lines = frame[S.SOURCE_LINE].to_numpy()
    assert len(set(lines)) == len(lines)
    used = set(lines) | set(report.rejected_rows[S.SOURCE_LINE]) | set(report.duplicate_rows[S.SOURCE_LINE])
    assert len(used) == report.rows_read  # every row accounted for exactly once


@FUZZ
@given(rows=st.lists(referral_row, min_size=1, max_size=25), delimiter=st.sampled_from([",", ";", "\t", "|"]))
def test_loader_on_random_well_quoted_tables(rows, delimiter):
    data = _csv(rows, delimiter)
    try:
        frame, report = load_referrals(io.BytesIO(data))
    except TrustnetError:
        return
    _check_referrals(frame, report)
    assert report.rows_read == len(rows)


@FUZZ
@given(lines=st.lists(st.lists(st.one_of(cell, st.sampled_from(DATES + AMOUNTS)), min_size=0, max_size=8),
                      min_size=1, max_size=20),
       delimiter=st.sampled_from([",", ";", "\t", "|"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
def test_loader_on_random_raw_text(lines, delimiter, encoding):
    text = delimiter.join(HEADER) + "\n" + "\n".join(delimiter.join(c) for c in lines) + "\n"
    data = text.encode(encoding, errors="replace")
    try:
        frame, report = load_referrals(io.BytesIO(data))
    except TrustnetError:
        return
    _check_referrals(frame, report)


@FUZZ
@given(data=st.binary(max_size=400))
def test_loader_on_random_bytes(data):
    try:
        frame, report = load_referrals(io.BytesIO(data))
    except TrustnetError:
        return
    _check_referrals(frame, report)


@FUZZ
@given(rows=st.lists(st.tuples(st.sampled_from(IDS + HOSTILE), st.sampled_from(["Tiles", "Baths", ""]),
                               st.sampled_from(DATES), st.sampled_from(["nps", "csat", "support call", "=x"]),
                               st.sampled_from(["9", "-3", "4.5", "", "nan", "1e400", "11", "x"]),
                               st.sampled_from(["0-10", "1-5", "", "stars"]),
                               st.sampled_from(["complaint", "resolved", "", "outage", "??"])),
                     min_size=1, max_size=20))
def test_touchpoint_loader(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([S.CUSTOMER, S.PROVIDER, S.AT, S.TOUCHPOINT, S.SCORE, S.SCALE, S.EVENT])
    writer.writerows(rows)
    try:
        frame, report = load_touchpoints(io.BytesIO(buffer.getvalue().encode()))
    except TrustnetError:
        return
    assert report.rows_read == report.accepted + report.duplicates + report.rejected == len(rows)
    assert len(frame) == report.accepted
    assert not frame[S.CUSTOMER].isna().any() and not frame[S.PROVIDER].isna().any()
    assert not np.isinf(frame[S.SCORE].to_numpy(dtype=float)).any()
    assert frame[S.SCALE].dropna().isin(list(S.SCALES)).all()
    assert frame[S.DIMENSION].dropna().isin(S.DIMENSIONS).all()


# --- analyse ---------------------------------------------------------------------------------

people = st.sampled_from([f"u{i}" for i in range(12)])
analysis_row = st.tuples(people, people, st.sampled_from(["Tiles", "Baths"]),
                         st.integers(0, 400), st.sampled_from(STATUSES), st.sampled_from(AMOUNTS))
touch_row = st.tuples(people, st.sampled_from(["Tiles", "Baths"]), st.integers(0, 400),
                      st.sampled_from(["nps survey", "support call", "app rating", "invoice"]),
                      st.sampled_from(["0", "3", "7", "10", ""]), st.sampled_from(["complaint", "resolved", ""]))


def _tables(rows, touches):
    start = pd.Timestamp("2025-01-01")
    referrals = pd.DataFrame(rows, columns=HEADER)
    referrals[S.REFERRED_AT] = [str((start + pd.Timedelta(days=int(d))).date()) for d in referrals[S.REFERRED_AT]]
    tps = None
    if touches:
        tps = pd.DataFrame(touches, columns=[S.CUSTOMER, S.PROVIDER, S.AT, S.TOUCHPOINT, S.SCORE, S.EVENT])
        tps[S.AT] = [str((start + pd.Timedelta(days=int(d))).date()) for d in tps[S.AT]]
        tps[S.SCALE] = "0-10"
    return referrals, tps


def _in(values, low, high) -> bool:
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    v = v[~np.isnan(v)]
    return bool(((v >= low - 1e-9) & (v <= high + 1e-9)).all())


@pytest.mark.filterwarnings("error::RuntimeWarning")  # an overflow or a cast of NaN is a bug, not noise
@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rows=st.lists(analysis_row, min_size=1, max_size=30), touches=st.lists(touch_row, max_size=25))
def test_analyse_on_random_tables(rows, touches):
    referrals, tps = _tables(rows, touches)
    try:
        result = analyse(referrals, touchpoints=tps)
    except TrustnetError:
        return
    report = result.load_report
    assert report.rows_read == report.accepted + report.duplicates + report.rejected == len(rows)
    rel = result.relationships
    for dim in S.DIMENSIONS:
        assert _in(rel[dim], 0, 1), dim
        assert _in(rel[f"{dim}_confidence"], 0, 1)
    assert _in(rel["overall"], 0, 1)
    assert (rel["why"].astype(str).str.len() > 0).all()
    nodes = result.nodes
    rep = nodes["reputation"].dropna()
    if len(rep):
        assert rep.sum() == pytest.approx(1.0, abs=1e-6)
        assert _in(nodes["reputation_pct"], 0, 100)
    assert _in(result.at_risk["likelihood"], 0, 1)
    assert not np.isinf(pd.to_numeric(result.at_risk["priority"], errors="coerce")).any()
    if len(result.advocates):
        assert _in(result.advocates["score_pct"], 0, 100)
        assert _in(result.advocates["credibility"], 0, 1)
    for name, table in (("relationships", rel), ("nodes", nodes), ("advocates", result.advocates),
                        ("at_risk", result.at_risk), ("nurture", result.nurture)):
        numbers = table.select_dtypes("number").to_numpy(dtype=float)
        assert not np.isinf(numbers).any(), name
    again = analyse(referrals, touchpoints=tps)
    pd.testing.assert_frame_equal(result.relationships, again.relationships)
    pd.testing.assert_frame_equal(result.advocates, again.advocates)
    pd.testing.assert_frame_equal(result.at_risk, again.at_risk)
    pd.testing.assert_frame_equal(result.nurture, again.nurture)
