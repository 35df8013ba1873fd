"""The loader through the library: formats, headers, vendor layouts, quirks, values, row accounting, errors.

Every fixture file is built by the test that uses it (``tmp_path``).
"""

from __future__ import annotations

import gzip
import io
import json
import sys

import numpy as np
import pandas as pd
import pytest

from trustnet import schema as S
from trustnet.errors import InputError
from trustnet.load import (
    LoadReport,
    detect_kind,
    load_ratings,
    load_referrals,
    load_touchpoints,
    read_table,
)
from trustnet.settings import Settings

BASIC = [
    ["Referrer Email", "Friend Email", "Referral Date", "Order Total"],
    ["ann@x.com", "bob@y.com", "2025-03-01", "10.50"],
    ["ann@x.com", "cat@y.com", "2025-03-02", "20"],
]


def write(path, rows, delimiter=",", encoding="utf-8", newline="\n"):
    text = newline.join(delimiter.join(r) for r in rows) + newline
    path.write_bytes(text.encode(encoding))
    return path


def check_invariant(report: LoadReport, df: pd.DataFrame | None = None) -> None:
    assert report.rows_read == report.accepted + report.duplicates + report.rejected
    assert len(report.rejected_rows) == report.rejected
    assert len(report.duplicate_rows) == report.duplicates
    if df is not None:
        assert len(df) == report.accepted


def check_referral_contract(df: pd.DataFrame) -> None:
    assert list(df.columns) == [*S.REFERRAL_COLUMNS, S.SOURCE_LINE]
    for col in (S.REFERRER, S.REFERRED, S.PROVIDER):
        assert pd.api.types.is_string_dtype(df[col])
        assert not df[col].isna().any()
    for col in (S.REFERRED_AT, S.CONVERTED_AT):
        assert str(df[col].dtype) == "datetime64[ns]"
    assert df[S.REVENUE].dtype == np.float64
    assert df[S.STATUS].dropna().isin(S.STATUSES).all()
    assert df[S.SOURCE_LINE].dtype == np.int64


# --- formats ---------------------------------------------------------------------------------

@pytest.mark.parametrize("delimiter, name", [(",", "csv"), ("\t", "tsv"), (";", "semicolon"), ("|", "pipe")])
def test_delimiters_are_detected(tmp_path, delimiter, name):
    path = write(tmp_path / "r.txt", BASIC, delimiter=delimiter)
    df, rep = load_referrals(path)
    assert rep.delimiter == delimiter and rep.format == name
    assert df[S.REFERRED].tolist() == ["bob@y.com", "cat@y.com"]
    assert df[S.REVENUE].tolist() == [10.5, 20.0]
    check_referral_contract(df)
    check_invariant(rep, df)


@pytest.mark.parametrize("encoding, expected", [
    ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("cp1252", "cp1252"), ("utf-8", "utf-8"),
])
def test_encodings_are_detected(tmp_path, encoding, expected):
    rows = [["Advocate", "Friend", "Channel"], ["Zoë", "José", "bouche-à-oreille"]]
    path = write(tmp_path / "r.csv", rows, delimiter="\t" if encoding == "utf-16" else ",", encoding=encoding,
                 newline="\r\n")
    df, rep = load_referrals(path)
    assert rep.encoding == expected
    assert df.loc[0, S.REFERRER] == "Zoë" and df.loc[0, S.CHANNEL] == "bouche-à-oreille"
    if encoding == "cp1252":
        assert any("not UTF-8" in w for w in rep.warnings)


def test_encoding_override(tmp_path):
    path = write(tmp_path / "r.csv", [["advocate", "friend"], ["Zoë", "x"]], encoding="latin-1")
    df, rep = load_referrals(path, encoding="latin-1")
    assert df.loc[0, S.REFERRER] == "Zoë" and rep.encoding == "iso8859-1"
    with pytest.raises(InputError, match="not valid utf-8"):
        load_referrals(path, encoding="utf-8")


def test_xlsx_first_sheet_and_named_sheet(tmp_path):
    path = tmp_path / "r.xlsx"
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame({"Notes": ["nothing here"]}).to_excel(xl, sheet_name="About", index=False)
        pd.DataFrame({"Advocate ID": ["007", "7"], "Friend ID": ["8", "9"], "Amount": [12.5, 3],
                      "Created Date": pd.to_datetime(["2025-01-31", "2025-02-01"])}).to_excel(
            xl, sheet_name="Referrals", index=False)
    with pytest.raises(InputError, match="no referrer column"):
        load_referrals(path)
    df, rep = load_referrals(path, sheet="Referrals")
    assert rep.format == "xlsx" and rep.sheet == "Referrals"
    assert df[S.REFERRER].tolist() == ["007", "7"]
    assert df[S.REVENUE].tolist() == [12.5, 3.0]
    assert df[S.REFERRED_AT].dt.day.tolist() == [31, 1]
    with pytest.raises(InputError, match="no sheet named 'Nope'.*'About', 'Referrals'"):
        load_referrals(path, sheet="Nope")


def test_json_array_and_json_lines(tmp_path):
    records = [{"referrer": "007", "referred": "a@x.com", "revenue": 12.5},
               {"referrer": 7, "referred": "b@x.com", "revenue": None}]
    (tmp_path / "r.json").write_text(json.dumps(records))
    df, rep = load_referrals(tmp_path / "r.json")
    assert rep.format == "json" and df[S.REFERRER].tolist() == ["007", "7"]
    assert df[S.REVENUE].iloc[0] == 12.5 and np.isnan(df[S.REVENUE].iloc[1])
    (tmp_path / "r.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n\n")
    df, rep = load_referrals(tmp_path / "r.jsonl")
    assert rep.format == "jsonl" and df[S.SOURCE_LINE].tolist() == [1, 2]
    nested = {"data": [{"advocate": {"email": "A@x.com"}, "friend": {"email": "b@x.com"}}]}
    (tmp_path / "n.json").write_text(json.dumps(nested))
    df, rep = load_referrals(tmp_path / "n.json")
    assert df.loc[0, S.REFERRER] == "a@x.com"


def test_gzip_file_object_dataframe_and_stdin(tmp_path, monkeypatch):
    text = "\n".join(",".join(r) for r in BASIC) + "\n"
    (tmp_path / "r.csv.gz").write_bytes(gzip.compress(text.encode()))
    df, rep = load_referrals(tmp_path / "r.csv.gz")
    assert rep.compression == "gzip" and len(df) == 2
    df2, _ = load_referrals(io.StringIO(text))
    df3, rep3 = load_referrals(pd.DataFrame(BASIC[1:], columns=BASIC[0]))
    assert rep3.format == "dataframe"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    df4, rep4 = load_referrals("-")
    assert rep4.source == "<stdin>"
    for other in (df2, df3, df4):
        pd.testing.assert_frame_equal(df.drop(columns=S.SOURCE_LINE), other.drop(columns=S.SOURCE_LINE))


def test_excel_sep_line_and_crlf(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"sep=;\r\nadvocate;friend\r\nann;bob\r\n")
    df, rep = load_referrals(path)
    assert rep.delimiter == ";" and df[S.SOURCE_LINE].tolist() == [3]
    assert any("sep=" in w for w in rep.warnings)


def test_source_lines_follow_the_file(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text('advocate,friend,note\nann,bob,"two\nlines"\n\ncat,dan,x\n,eve,y\n')
    df, rep = load_referrals(path)
    assert df[S.SOURCE_LINE].tolist() == [2, 5]
    assert rep.rejected_rows[S.SOURCE_LINE].tolist() == [6]


# --- headers -----------------------------------------------------------------------------------

@pytest.mark.parametrize("headers, expected", [
    (["Advocate Email", "Friend Email", "Referred Revenue"], {"referrer": "Advocate Email", "revenue": "Referred Revenue"}),
    (["Advocate Person ID", "Friend Email", "Conversion Date"], {"referrer": "Advocate Person ID",
                                                                 "converted_at": "Conversion Date"}),
    (["sender_customer", "receiver_customer_email"], {"referrer": "sender_customer",
                                                      "referred": "receiver_customer_email"}),
    (["Referring Customer", "Referred Customer Email", "Order Total"], {"referrer": "Referring Customer"}),
    (["REFERRER E-MAIL", "referral_email", "Referral Status", "Reward"], {"referrer": "REFERRER E-MAIL",
                                                                          "status": "Referral Status"}),
    (["Referred By", "Contact Email", "Lead Source", "Amount", "Close Date", "Account Name"],
     {"referrer": "Referred By", "referred": "Contact Email", "channel": "Lead Source",
      "referred_name": "Account Name", "converted_at": "Close Date", "revenue": "Amount"}),
    (["Advocate", "Friend", "Created Date"], {"referred_at": "Created Date"}),
])
def test_real_export_headers_map(headers, expected):
    row = ["a@x.com", "b@y.com"] + ["1" if "Amount" in h or "Total" in h or "Revenue" in h else
                                     ("2025-01-31" if "Date" in h else "Converted" if "Status" in h else "z")
                                     for h in headers[2:]]
    df, rep = load_referrals(pd.DataFrame([row], columns=headers))
    for canonical, header in expected.items():
        assert rep.mapping[canonical] == header
    assert rep.accepted == 1


def test_map_overrides_and_bad_map():
    frame = pd.DataFrame({"Who": ["ann"], "Whom": ["bob"], "Friend": ["zed"]})
    df, rep = load_referrals(frame, mapping=["referrer=Who", "referred=whom"])
    assert rep.mapping[S.REFERRER] == "Who" and df.loc[0, S.REFERRED] == "bob"
    with pytest.raises(InputError, match="no such column.*'Who', 'Whom', 'Friend'"):
        load_referrals(frame, mapping={"referrer": "Nobody"})
    with pytest.raises(InputError, match="valid names are"):
        load_referrals(frame, mapping={"advocat": "Who"})
    with pytest.raises(InputError, match="CANONICAL=HEADER"):
        load_referrals(frame, mapping=["referrer"])


def test_unmappable_table_lists_headers_missing_and_candidates():
    with pytest.raises(InputError) as err:
        load_referrals(pd.DataFrame({"Email": ["a"], "Refferer": ["b"], "Date": ["2025-01-01"]}))
    message = str(err.value)
    assert "no referrer column" in message and "closest: 'Refferer'" in message
    assert "'Email', 'Refferer', 'Date'" in message and "--map referrer=COLUMN" in message
    assert err.value.problems


# --- participant files and aggregates ------------------------------------------------------------

@pytest.mark.parametrize("headers", [["id", "email", "referrerId"], ["id", "email", "referredBy"]])
def test_participant_files_become_referrals(headers):
    frame = pd.DataFrame([["1", "Ann@x.com", ""], ["2", "bob@x.com", "1"], ["3", "cat@x.com", "2"],
                          ["4", "dan@x.com", "99"]], columns=headers)
    df, rep = load_referrals(frame)
    assert rep.kind == "participants" and rep.profile in ("viral-loops", "growsurf")
    assert df[[S.REFERRER, S.REFERRED]].values.tolist() == [["ann@x.com", "bob@x.com"], ["bob@x.com", "cat@x.com"],
                                                            ["99", "dan@x.com"]]
    assert rep.rejected_rows["reason"].str.startswith("joined without a referrer").tolist() == [True]
    assert any("not among the participants' ids" in w for w in rep.warnings)
    check_invariant(rep, df)


def test_mention_me_feed_is_a_participant_file():
    frame = pd.DataFrame({"Customer Email": ["a@x.com", "b@x.com"], "Referred By Customer Email": ["", "A@x.com"],
                          "Order Total": ["£10.00", "£12.00"]})
    df, rep = load_referrals(frame)
    assert rep.profile == "mention-me" and df[[S.REFERRER, S.REFERRED]].values.tolist() == [["a@x.com", "b@x.com"]]
    assert df[S.REVENUE].tolist() == [12.0]


def test_aggregate_report_is_refused_plainly():
    frame = pd.DataFrame({"Advocate": ["ann"], "Total Referrals": ["3"], "Clicks": ["10"]})
    with pytest.raises(InputError, match="aggregate report.*not one row per referral"):
        load_referrals(frame)
    assert detect_kind(frame) == "aggregate"


# --- vendor profiles -----------------------------------------------------------------------------

def test_freshdesk_numeric_statuses_become_events():
    frame = pd.DataFrame({"Ticket ID": ["1", "2", "3"], "Status": ["2", "4", "5"], "Priority": ["1", "1", "2"],
                          "Requester Email": ["a@x.com", "b@x.com", "c@x.com"],
                          "Created time": ["2025-01-02 10:00", "2025-01-03 10:00", "2025-01-04 10:00"],
                          "First response time (in hrs)": ["2", "12", "48"], "Source": ["1", "3", "7"]})
    df, rep = load_touchpoints(frame)
    assert rep.profile == "freshdesk-tickets"
    assert df[S.EVENT].tolist() == ["unresolved", "resolved", "resolved"]
    assert df[S.RESPONSE_DAYS].tolist() == pytest.approx([2 / 24, 0.5, 2.0])
    assert df[S.TOUCHPOINT].tolist()[1] == "support ticket: support phone call"
    assert detect_kind(frame) == "touchpoints"


def test_dynamics_lead_source_codes_map_to_channels():
    frame = pd.DataFrame({"leadid": ["L1", "L2"], "leadsourcecode": ["2", "9"], "parentcontactid": ["C9", "C9"],
                          "emailaddress1": ["a@x.com", "b@x.com"], "statecode": ["1", "2"],
                          "createdon": ["2025-01-05T10:00:00Z", "2025-01-06T10:00:00Z"]})
    df, rep = load_referrals(frame)
    assert rep.profile == "dynamics-leads"
    assert df[S.CHANNEL].tolist() == ["employee referral", "word of mouth"]
    assert df[S.STATUS].tolist() == ["converted", "declined"]


def test_qualtrics_extra_header_rows(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text(
        "StartDate,RecordedDate,ResponseId,DistributionChannel,RecipientEmail,Q1,Q2\n"
        "Start Date,Recorded Date,Response ID,Distribution Channel,Recipient Email,"
        "\"How likely is it that you would recommend Acme to a friend or colleague?\",Why?\n"
        '"{""ImportId"":""startDate""}","{""ImportId"":""recordedDate""}","{""ImportId"":""_recordId""}",'
        '"{""ImportId"":""distributionChannel""}",'
        '"{""ImportId"":""recipientEmail""}","{""ImportId"":""QID1""}","{""ImportId"":""QID2""}"\n'
        "2025-01-01 10:00:00,2025-01-01 10:05:00,R_1,email,Ann@x.com,9,great\n")
    df, rep = load_touchpoints(path)
    assert rep.profile == "qualtrics" and rep.rows_read == 1
    assert rep.mapping[S.SCORE] == "Q1" and df.loc[0, S.SCALE] == "nps" and df.loc[0, S.CUSTOMER] == "ann@x.com"
    assert df[S.SOURCE_LINE].tolist() == [4]
    assert any("extra header row" in w for w in rep.warnings)


def test_surveymonkey_two_header_rows(tmp_path):
    path = tmp_path / "sm.csv"
    path.write_text(
        "Respondent ID,Collector ID,Start Date,End Date,Email Address,"
        "How likely is it that you would recommend us to a friend or colleague?,What could we do better?\n"
        ",,,,,Response,Open-Ended Response\n"
        "111,9,01/31/2025 10:00:00 AM,01/31/2025 10:04:00 AM,bob@x.com,3,slow refunds\n")
    df, rep = load_touchpoints(path)
    assert rep.profile == "surveymonkey"
    assert df.loc[0, S.SCORE] == 3 and df.loc[0, S.SCALE] == "nps"
    assert df.loc[0, S.AT] == pd.Timestamp("2025-01-31 10:04")
    assert df.loc[0, S.COMMENT] == "slow refunds"


def test_shopify_continuation_rows_are_merged():
    frame = pd.DataFrame({
        "Name": ["#1001", "#1001", "#1002"], "Email": ["a@x.com", "a@x.com", "b@x.com"],
        "Financial Status": ["paid", "", "refunded"], "Total": ["120.00", "", "30.00"],
        "Lineitem quantity": ["1", "2", "1"], "Created at": ["2025-01-05 10:00:00 +0100", "", "2025-01-06 09:00:00 +0100"],
        "Referred By": ["ann@x.com", "", "ann@x.com"],
    })
    df, rep = load_referrals(frame)
    assert rep.profile == "shopify-orders" and "Name" not in rep.mapping.values()
    assert rep.duplicates == 1 and "continuation row of '#1001' merged into line 2" in rep.duplicate_rows["reason"][0]
    assert df[S.STATUS].tolist() == ["converted", "churned"] and df[S.REVENUE].tolist() == [120.0, 30.0]
    assert df[S.REFERRED_AT].iloc[0] == pd.Timestamp("2025-01-05 09:00")
    check_invariant(rep, df)


def test_salesforce_self_referred_flag_rejects():
    frame = pd.DataFrame({"ClientEmail": ["a@x.com", "b@x.com"], "ReferrerEmail": ["z@x.com", "z@x.com"],
                          "IsSelfReferred": ["false", "true"], "ReferralDate": ["2025-01-01", "2025-01-02"]})
    df, rep = load_referrals(frame)
    assert rep.profile == "salesforce-referral" and len(df) == 1
    assert rep.rejected_rows["reason"].tolist() == ["self-referral (flagged in 'IsSelfReferred')"]


def test_user_profiles_extend_the_bundled_ones(tmp_path):
    (tmp_path / "acme.toml").write_text(
        'name = "acme"\nvendor = "Acme CRM"\nkind = "referrals"\nsignature = ["AcmeFrom", "AcmeTo"]\n'
        '[columns]\nreferrer = "AcmeFrom"\nreferred = "AcmeTo"\nstatus = "AcmeState"\n'
        '[values.status]\n"K" = "converted"\n')
    settings = Settings().replace(**{"load.profiles_dir": str(tmp_path)})
    df, rep = load_referrals(pd.DataFrame({"AcmeFrom": ["a"], "AcmeTo": ["b"], "AcmeState": ["K"]}), settings=settings)
    assert rep.profile == "acme" and df.loc[0, S.STATUS] == "converted"
    (tmp_path / "bad.toml").write_text('name = "bad"\nkind = "nonsense"\nsignature = ["x"]\n')
    with pytest.raises(InputError, match="kind 'nonsense' is not one of"):
        load_referrals(pd.DataFrame({"a": ["1"]}), settings=settings)


# --- quirks and values ---------------------------------------------------------------------------

def test_report_footer_is_rejected_not_a_referral(tmp_path):
    path = write(tmp_path / "r.csv", BASIC + [["Total", "", "", "30.50"], ["Generated on 2025-03-04", "", "", ""]])
    df, rep = load_referrals(path)
    assert len(df) == 2 and rep.rejected == 2
    assert set(rep.rejected_rows["reason"]) == {"report footer (no data)"}


def test_ids_stay_text_and_scientific_notation_warns():
    frame = pd.DataFrame({"advocate": ["007", "7", "4.41E+11", " 8 "], "friend": ["x", "x", "y", "z"]})
    df, rep = load_referrals(frame)
    assert df[S.REFERRER].tolist() == ["007", "7", "4.41E+11", "8"]
    assert any("scientific notation" in w and "4.41E+11" in w for w in rep.warnings)


def test_ids_from_csv_are_never_numbers(tmp_path):
    path = write(tmp_path / "r.csv", [["advocate", "friend"], ["007", "4.41E+11"], ["7", "1e5"]])
    df, _ = load_referrals(path)
    assert df[S.REFERRER].tolist() == ["007", "7"] and df[S.REFERRED].tolist() == ["4.41E+11", "1e5"]


def test_emails_case_folded_and_trimmed():
    df, _ = load_referrals(pd.DataFrame({"Referrer Email": ["  Ann@X.COM "], "Friend Email": ["Bob@y.com"]}))
    assert df.loc[0, S.REFERRER] == "ann@x.com" and df.loc[0, S.REFERRER_EMAIL] == "ann@x.com"


@pytest.mark.parametrize("values, dayfirst, expected", [
    (["2025-03-04", "2025-03-05T10:30:00Z"], None, ["2025-03-04 00:00", "2025-03-05 10:30"]),
    (["2025-03-04T10:00:00+02:00"], None, ["2025-03-04 08:00"]),
    (["03/04/2025", "12/31/2025"], None, ["2025-03-04 00:00", "2025-12-31 00:00"]),
    (["03/04/2025", "31/12/2025"], None, ["2025-04-03 00:00", "2025-12-31 00:00"]),
    (["03/04/2025"], True, ["2025-04-03 00:00"]),
    (["03/04/2025"], False, ["2025-03-04 00:00"]),
    (["3/4/25 9:05 PM", "12/13/25 12:00 AM"], None, ["2025-03-04 21:05", "2025-12-13 00:00"]),
    (["31.01.2025 14:05"], None, ["2025-01-31 14:05"]),
    (["45658", "45659.5"], None, ["2025-01-01 00:00", "2025-01-02 12:00"]),
    (["1735689600", "1735693200"], None, ["2025-01-01 00:00", "2025-01-01 01:00"]),
    (["1735689600000"], None, ["2025-01-01 00:00"]),
    (["Mar 4, 2025", "March 5, 2025"], None, ["2025-03-04 00:00", "2025-03-05 00:00"]),
])
def test_date_forms(values, dayfirst, expected):
    frame = pd.DataFrame({"advocate": ["a"] * len(values), "friend": [f"f{i}" for i in range(len(values))],
                          "date": values})
    df, rep = load_referrals(frame, dayfirst=dayfirst)
    assert df[S.REFERRED_AT].dt.strftime("%Y-%m-%d %H:%M").tolist() == expected
    assert rep.accepted == len(values)


def test_ambiguous_dates_need_dayfirst_and_say_so():
    frame = pd.DataFrame({"advocate": ["a", "b"], "friend": ["c", "d"], "Created Date": ["03/04/2025", "05/06/2025"]})
    with pytest.raises(InputError, match="'Created Date'.*--dayfirst.*--monthfirst"):
        load_referrals(frame)
    settings = Settings().replace(**{"load.dayfirst": True})
    df, _ = load_referrals(frame, settings=settings)
    assert df[S.REFERRED_AT].dt.month.tolist() == [4, 6]


def test_mixed_day_and_month_first_is_an_error():
    frame = pd.DataFrame({"advocate": ["a", "b"], "friend": ["c", "d"], "date": ["13/01/2025", "01/13/2025"]})
    with pytest.raises(InputError, match="mixes day-first and month-first"):
        load_referrals(frame)


@pytest.mark.parametrize("text, value", [
    ("$1,234.50", 1234.5), ("€1.234,50", 1234.5), ("1 234,50 €", 1234.5), ("(12.50)", -12.5), ("12.50-", -12.5),
    ("-7", -7.0), ("USD 99", 99.0), ("£0.99", 0.99), ("1,000", 1000.0), ("", np.nan),
])
def test_money_forms(text, value):
    df, rep = load_referrals(pd.DataFrame({"advocate": ["a"], "friend": ["b"], "Order Total": [text]}))
    got = df.loc[0, S.REVENUE]
    assert (np.isnan(got) and np.isnan(value)) or got == pytest.approx(value)


def test_statuses_map_and_unknown_ones_warn():
    frame = pd.DataFrame({"advocate": list("abcdef"), "friend": list("ghijkl"),
                          "Status": ["Closed Won", "pending", "Rejected", "churned", "weird", ""]})
    df, rep = load_referrals(frame)
    assert df[S.STATUS].tolist()[:4] == ["converted", "pending", "declined", "churned"]
    assert df[S.STATUS].isna().tolist()[4:] == [True, True]
    assert any("'weird'" in w for w in rep.warnings)


# --- row accounting ------------------------------------------------------------------------------

def test_every_row_is_accounted_for(tmp_path):
    rows = [
        ["Referrer", "Referred", "Date", "Amount"],
        ["ann", "bob", "2025-01-01", "5"],      # 2 accepted
        ["ann", "bob", "2025-01-01", "5"],      # 3 duplicate of 2
        ["", "cat", "2025-01-01", "5"],         # 4 missing referrer
        ["dan", "", "2025-01-01", "5"],         # 5 missing referred
        ["eve", "eve", "2025-01-01", "5"],      # 6 self-referral
        ["fay", "gus", "yesterday-ish", "5"],   # 7 unparseable date
        ["fay", "hal", "2025-01-02", "lots"],   # 8 unparseable amount
        ["ivy", "jon", "2025-01-02", "5", "x"],  # 9 too many cells
        ["", "", "", ""],                       # 10 empty row
    ]
    df, rep = load_referrals(write(tmp_path / "r.csv", rows))
    check_invariant(rep, df)
    assert (rep.rows_read, rep.accepted, rep.duplicates, rep.rejected) == (9, 1, 1, 7)
    reasons = dict(zip(rep.rejected_rows[S.SOURCE_LINE], rep.rejected_rows["reason"]))
    assert reasons[4] == "missing referrer" and reasons[5] == "missing referred"
    assert reasons[6].startswith("self-referral") and "'yesterday-ish'" in reasons[7]
    assert "'lots'" in reasons[8] and reasons[9].startswith("too many cells") and reasons[10] == "empty row"
    assert rep.duplicate_rows.iloc[0].tolist() == [3, 2, "exact duplicate of line 2"]
    assert rep.rejected_rows.loc[rep.rejected_rows[S.SOURCE_LINE] == 7, "Date"].item() == "yesterday-ish"
    d = rep.to_dict()
    json.dumps(d)
    assert d["reasons"]["missing referrer"] == 1
    assert "7 rejected" in rep.summary()


def test_ragged_rows_in_a_file_of_many_blocks_keep_their_line_numbers(tmp_path):
    # ~6 MB: read in parallel 1 MB blocks, which cannot number a bad row; such a file is read again on one thread
    n = 150_000
    lines = ["Referrer,Referred,Date"] + [f"r{i},d{i},2025-01-01" for i in range(n)]
    ragged = {3: "too many", 70_001: "too many", 149_990: "too few"}  # file lines (header = line 1)
    for line, kind in ragged.items():
        lines[line - 1] += ",x" if kind == "too many" else ""
        if kind == "too few":
            lines[line - 1] = lines[line - 1].rsplit(",", 1)[0]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    df, rep = load_referrals(path)
    check_invariant(rep, df)
    assert (rep.rows_read, rep.rejected) == (n, 3)
    reasons = dict(zip(rep.rejected_rows[S.SOURCE_LINE], rep.rejected_rows["reason"]))
    assert sorted(reasons) == sorted(ragged)
    assert reasons[3].startswith("too many cells") and reasons[149_990].startswith("too few cells")
    assert df[S.SOURCE_LINE].iloc[[0, -1]].tolist() == [2, n + 1] and df[S.SOURCE_LINE].is_monotonic_increasing


def test_header_only_file_is_a_usable_empty_table(tmp_path):
    df, rep = load_referrals(write(tmp_path / "r.csv", BASIC[:1]))
    assert rep.usable and rep.rows_read == 0 and len(df) == 0
    check_referral_contract(df)
    assert any("no data rows" in w for w in rep.warnings)


def test_provider_defaults_and_rating_columns_feed_touchpoints():
    frame = pd.DataFrame({"Referrer": ["a", "b"], "Referred": ["c", "d"], "NPS": ["9", ""],
                          "People Score": ["4", "5"], "Converted At": ["2025-01-05", "2025-01-06"]})
    settings = Settings().replace(**{"load.default_provider": "Acme"})
    df, rep = load_referrals(frame, settings=settings)
    assert df[S.PROVIDER].tolist() == ["Acme", "Acme"]
    tp = rep.touchpoints
    assert list(tp.columns) == [*S.TOUCHPOINT_COLUMNS, S.SOURCE_LINE]
    assert len(tp) == 3
    nps = tp[tp[S.TOUCHPOINT] == "nps"]
    assert nps[[S.CUSTOMER, S.SCORE, S.SCALE]].values.tolist() == [["c", 9.0, "nps"]]
    people = tp[tp[S.DIMENSION] == "people"]
    assert people[S.CUSTOMER].tolist() == ["c", "d"] and people[S.AT].dt.day.tolist() == [5, 6]


# --- touchpoints ---------------------------------------------------------------------------------

def test_nps_survey_and_out_of_scale_rows():
    frame = pd.DataFrame({"Email": ["a@x.com", "b@x.com", "c@x.com", ""],
                          "How likely are you to recommend us?": ["10", "11", "n/a", "5"],
                          "Date": ["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04"]})
    df, rep = load_touchpoints(frame)
    assert df[[S.CUSTOMER, S.SCORE, S.SCALE, S.TOUCHPOINT]].values.tolist() == [["a@x.com", 10.0, "nps", "nps survey"]]
    reasons = rep.rejected_rows["reason"].tolist()
    assert reasons[0] == "score outside the nps scale 0-10: 11" and "unparseable score 'n/a'" in reasons[1]
    assert reasons[2] == "missing customer"
    check_invariant(rep, df)


def test_zendesk_tickets():
    frame = pd.DataFrame({"Id": ["1", "2"], "Requester": ["Ann", "Bob"], "Requester email": ["ann@x.com", "bob@x.com"],
                          "Status": ["Solved", "Open"], "Via": ["Mail", "Web"], "Satisfaction Score": ["good", "Offered"],
                          "Created at": ["2025-01-01 10:00", "2025-01-02 10:00"], "Reopens": ["0", "2"],
                          "First reply time in minutes": ["60", "1440"], "Organization": ["Acme", ""]})
    df, rep = load_touchpoints(frame)
    assert rep.profile == "zendesk-tickets"
    assert df[S.EVENT].tolist() == ["resolved", "unresolved"]
    assert df[S.SCORE].iloc[0] == 1.0 and np.isnan(df[S.SCORE].iloc[1]) and df[S.SCALE].iloc[0] == "unit"
    assert df[S.RESPONSE_DAYS].tolist() == pytest.approx([1 / 24, 1.0])
    assert df[S.TOUCHPOINT].iloc[1].endswith("(reopened)")
    assert df[S.PROVIDER].tolist() == ["the business", "the business"]  # Organization is the customer's company


def test_several_touchpoint_files(tmp_path):
    a = write(tmp_path / "a.csv", [["customer", "score"], ["ann", "4"], ["", "3"]])
    b = write(tmp_path / "b.csv", [["customer", "event", "touchpoint"], ["bob", "outage", "app"]])
    df, rep = load_touchpoints([a, b])
    assert df[S.CUSTOMER].tolist() == ["ann", "bob"] and len(rep.parts) == 2
    check_invariant(rep, df)
    assert rep.rejected_rows["file"].tolist() == [str(a)]
    assert json.dumps(rep.to_dict())


def test_touchpoint_errors():
    with pytest.raises(InputError, match="no customer column"):
        load_touchpoints(pd.DataFrame({"x": ["1"]}))
    with pytest.raises(InputError, match="nothing that is a touchpoint"):
        load_touchpoints(pd.DataFrame({"Email": ["a@x.com"], "Name": ["A"]}))
    with pytest.raises(InputError, match="looks like a referral export"):
        load_touchpoints(pd.DataFrame({"Referrer": ["a"], "Referred By": ["b"], "Advocate": ["c"], "Friend": ["d"]}))


# --- ratings and kinds ---------------------------------------------------------------------------

def test_bitcoin_otc_ratings(shared_datasets):
    df, rep = load_ratings(shared_datasets / "bitcoin-otc" / "soc-sign-bitcoinotc.csv")
    assert rep.rows_read == 35592 and rep.accepted == 35592
    assert df[S.RATING].between(-10, 10).all() and (df[S.RATING] != 0).all()
    assert df[S.RATED_AT].min() >= pd.Timestamp("2010-11-08") and df[S.RATED_AT].max() < pd.Timestamp("2016-01-26")
    assert pd.concat([df[S.RATER], df[S.RATEE]]).nunique() == 5881
    assert detect_kind(shared_datasets / "bitcoin-otc" / "soc-sign-bitcoinotc.csv") == "ratings"


def test_physician_edge_list_gets_rating_one(shared_datasets):
    path = shared_datasets / "physician-advice" / "ICHPS_ClinEdgeList.csv"
    df, rep = load_ratings(path)
    assert len(df) == 163 and (df[S.RATING] == 1.0).all() and df[S.RATER].iloc[0] == "1"
    assert detect_kind(path) == "ratings"


def test_ratings_with_header_and_bad_rows():
    text = "source,target,weight,timestamp\n1,2,5,1289241912\n007,2,x,1289241913\n3,,1,1289241914\n"
    df, rep = load_ratings(io.StringIO(text))
    assert df[S.RATER].tolist() == ["1"] and rep.rejected == 2
    with pytest.raises(InputError, match="no rater column"):
        load_ratings(io.StringIO("a,b\nx,y\n"))


@pytest.mark.parametrize("text, kind", [
    ("Advocate Email,Friend Email\na@x.com,b@x.com\n", "referrals"),
    ("id,email,referrerId\n1,a@x.com,\n", "participants"),
    ("source,target,weight\n1,2,3\n", "ratings"),
    ("1,2,3\n4,5,6\n", "ratings"),
    ("Email,NPS\na@x.com,9\n", "touchpoints"),
    ("Date,Shares,Clicks,Conversions\n2025-01-01,3,10,1\n", "aggregate"),
])
def test_detect_kind(text, kind):
    assert detect_kind(io.StringIO(text)) == kind


# --- errors --------------------------------------------------------------------------------------

def test_bad_files(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        load_referrals(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="is a folder"):
        load_referrals(tmp_path)
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputError, match="the file is empty"):
        load_referrals(tmp_path / "empty.csv")
    (tmp_path / "blank.csv").write_bytes(b"\n\n  \n")
    with pytest.raises(InputError, match="the file is empty"):
        load_referrals(tmp_path / "blank.csv")
    (tmp_path / "image.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(InputError, match="PNG image, not a table"):
        load_referrals(tmp_path / "image.csv")
    (tmp_path / "blob.csv").write_bytes(bytes(range(256)) * 10)
    with pytest.raises(InputError, match="binary file"):
        load_referrals(tmp_path / "blob.csv")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(InputError, match="old Excel .xls"):
        load_referrals(tmp_path / "old.xls")
    (tmp_path / "bad.json").write_text('[{"a": 1}, 2]')
    with pytest.raises(InputError, match="no list of records"):
        load_referrals(tmp_path / "bad.json")
    with pytest.raises(InputError, match="cannot read a table from a int"):
        read_table(42)


def test_kind_argument_is_checked():
    with pytest.raises(InputError, match="cannot be loaded as referrals"):
        load_referrals(pd.DataFrame({"a": ["1"]}), kind="ratings")


def test_dataframe_cells_keep_their_text():
    frame = pd.DataFrame({"advocate": [7, 8], "friend": ["007", None], "Amount": [12.0, 2.5],
                          "Created Date": pd.to_datetime(["2025-01-31 10:00", "2025-02-01 00:00"])})
    df, rep = load_referrals(frame)
    assert df[S.REFERRER].tolist() == ["7"] and df[S.REFERRED].tolist() == ["007"]
    assert df[S.REVENUE].tolist() == [12.0] and df[S.REFERRED_AT].iloc[0] == pd.Timestamp("2025-01-31 10:00")
    assert rep.rejected_rows["reason"].tolist() == ["missing referred"]


def test_one_map_serves_referrals_and_touchpoints():
    mapping = ["referrer=Who", "provider=Shop", "score=Stars"]
    refs, _ = load_referrals(pd.DataFrame({"Who": ["a"], "Friend": ["b"], "Shop": ["Acme"]}), mapping=mapping)
    tps, rep = load_touchpoints(pd.DataFrame({"Email": ["b"], "Stars": ["4"]}), mapping=mapping)
    assert refs.loc[0, S.PROVIDER] == "Acme" and tps.loc[0, S.SCORE] == 4.0 and rep.mapping[S.SCORE] == "Stars"
    with pytest.raises(InputError, match="no such column"):
        load_touchpoints(pd.DataFrame({"Email": ["b"], "Rating": ["4"]}), mapping=mapping)


def test_delighted_json_with_unix_times():
    doc = [{"id": "1", "person": {"email": "Ann@x.com"}, "score": 9, "comment": "great", "created_at": 1700000000},
           {"id": "2", "person": {"email": "bob@x.com"}, "score": 3, "comment": None, "created_at": 1700003600}]
    df, rep = load_touchpoints(io.StringIO(json.dumps(doc)))
    assert df[[S.CUSTOMER, S.SCORE, S.SCALE]].values.tolist() == [["ann@x.com", 9.0, "nps"], ["bob@x.com", 3.0, "nps"]]
    assert df[S.AT].tolist() == [pd.Timestamp("2023-11-14 22:13:20"), pd.Timestamp("2023-11-14 23:13:20")]
    assert rep.date_forms[S.AT] == "unix seconds"


def test_detect_kind_follows_the_map():
    text = "Who,Whom\na,b\n"
    assert detect_kind(io.StringIO(text), mapping=["rater=Who", "ratee=Whom"]) == "ratings"
    assert detect_kind(io.StringIO(text), mapping=["referrer=Who", "referred=Whom"]) == "referrals"
    assert detect_kind(io.StringIO(text), mapping=["customer=Who"]) == "touchpoints"


def test_trailing_delimiter_on_data_rows(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"advocate,friend\r\nann,bob,\r\ncat,dan,\r\n")
    df, rep = load_referrals(path)
    assert df[S.REFERRED].tolist() == ["bob", "dan"] and rep.rejected == 0
    assert any("trailing delimiter" in w for w in rep.warnings)


def test_xlsx_table_lower_down_the_sheet():
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet["B3"], sheet["C3"], sheet["B4"], sheet["C4"], sheet["B6"], sheet["C6"] = "advocate", "friend", "ann", "bob", "cat", "dan"
    buf = io.BytesIO()
    book.save(buf)
    df, rep = load_referrals(io.BytesIO(buf.getvalue()))
    assert df[[S.REFERRER, S.SOURCE_LINE]].values.tolist() == [["ann", 4], ["cat", 6]]
    assert rep.rejected_rows[[S.SOURCE_LINE, "reason"]].values.tolist() == [[5, "empty row"]]


@pytest.mark.parametrize("preamble", ["Referral report\nGenerated 2025-03-04\n\n", "Referral report;;;\n"])
def test_title_lines_above_the_header_are_skipped(tmp_path, preamble):
    path = tmp_path / "r.csv"
    path.write_text(preamble + "Referrer;Referred;Date;Amount\nann;bob;2025-03-01;5\ncat;dan;2025-03-02;6\n")
    df, rep = load_referrals(path)
    assert rep.delimiter == ";" and df[S.REFERRER].tolist() == ["ann", "cat"]
    n = preamble.count("\n")
    assert df[S.SOURCE_LINE].tolist() == [n + 2, n + 3]
    assert any("title line" in w and "Referral report" in w for w in rep.warnings)


def test_touchpoint_ids_hold_no_python_object_per_customer():
    # checking a categorical's categories for duplicates builds a hash of them as Python objects (a million
    # customers: 64 MiB for the whole run); the loader drops it, and lookups on the column still work
    def raw(n):
        return pd.DataFrame({"customer": [f"c{i}" for i in range(n)], "provider": "P", "at": "2025-01-01",
                             "touchpoint": "support", "score": 4.0})

    load_touchpoints(raw(10))  # the first call's imports and caches
    big = raw(20_000)
    before = sys.getallocatedblocks()
    tps, _ = load_touchpoints(big)
    assert sys.getallocatedblocks() - before < 5_000  # not one object per distinct customer
    customers = tps[S.CUSTOMER]
    assert (customers == "c7").sum() == 1
    assert customers.cat.categories[customers.cat.categories.get_loc("c7")] == "c7"
