"""``trustnet validate`` through click's CliRunner: what the user sees, exit codes, JSON."""

from __future__ import annotations

import gzip
import json

import pytest
from click.testing import CliRunner

from trustnet.cli import cli


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input)


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "referrals.csv"
    path.write_text(
        "Referrer Email,Friend Email,Referral Date,Order Total,NPS\n"
        "ann@x.com,bob@y.com,31/01/2025,$10.00,9\n"
        "ann@x.com,bob@y.com,31/01/2025,$10.00,9\n"
        ",cat@y.com,01/02/2025,$5.00,\n"
        "dan@x.com,dan@x.com,02/02/2025,$5.00,\n"
    )
    return path


def test_validate_prints_mapping_reconciliation_and_rejected_rows(export):
    result = run("validate", str(export))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "4 rows read: 1 accepted, 1 duplicate merged, 2 rejected" in out
    assert "referrer <- 'Referrer Email'" in out and "referred <- 'Friend Email'" in out
    assert "line 4: missing referrer" in out and "line 5: self-referral" in out
    assert "dates: referred_at day-first" in out
    assert "touchpoints from rating columns: 1" in out
    assert "usable: yes" in out


def test_validate_json(export):
    result = run("validate", str(export), "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    for key in ("rows_read", "accepted", "duplicates", "rejected", "mapping"):
        assert key in data
    assert data["rows_read"] == data["accepted"] + data["duplicates"] + data["rejected"] == 4
    assert data["mapping"]["referrer"] == "Referrer Email"
    assert data["rejected_rows"][0]["source_line"] == 4 and data["rejected_rows"][0]["reason"] == "missing referrer"
    assert data["usable"] is True


def test_validate_with_touchpoints_and_options(tmp_path):
    ref = tmp_path / "r.txt"
    ref.write_text("Who;Whom;When\nann;bob;03/04/2025\n")
    tp1 = tmp_path / "nps.csv"
    tp1.write_text("Email,Score,Date\nbob,9,2025-01-01\n")
    tp2 = tmp_path / "tickets.csv.gz"
    tp2.write_bytes(gzip.compress(b"customer,event,touchpoint\nbob,complaint,billing call\n"))
    result = run("validate", str(ref), "--map", "referrer=Who", "--map", "referred=Whom", "--map", "referred_at=When",
                 "--delimiter", ";", "--dayfirst", "--touchpoints", str(tp1), "--touchpoints", str(tp2), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["mapping"] == {"referrer": "Who", "referred": "Whom", "referred_at": "When"}
    assert [t["accepted"] for t in data["touchpoints"]] == [1, 1]
    result = run("validate", str(ref), "--delimiter", ";", "--monthfirst", "--map", "referrer=Who",
                 "--map", "referred=Whom", "--map", "referred_at=When")
    assert result.exit_code == 0 and "month-first" in result.output


def test_validate_stdin_and_kind(tmp_path):
    result = run("validate", "-", input="advocate,friend\nann,bob\n")
    assert result.exit_code == 0 and "<stdin>: referrals, 1 rows read" in result.output
    result = run("validate", "-", "--kind", "ratings", input="source,target\n1,2\n")
    assert result.exit_code == 0 and "ratings" in result.output


def test_validate_unusable_table_exits_2(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("advocate,friend\n,bob\nann,\n")
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert "usable: no" in result.output


def test_header_only_file_is_usable_and_empty(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("advocate,friend\n")
    result = run("validate", str(path))
    assert result.exit_code == 0 and "0 rows read" in result.output and "header but no data rows" in result.output


def _file(name, data):
    def make(folder):
        path = folder / name
        path.write_bytes(data)
        return path
    return make


@pytest.mark.parametrize("make, words", [
    (lambda p: p / "missing.csv", "does not exist"),
    (lambda p: p, "is a folder, not a file"),
    (_file("e.csv", b""), "the file is empty"),
    (_file("b.csv", bytes(range(256)) * 4), "binary file"),
    (_file("u.csv", b"Email,Name\na@x.com,A\n"), "no referrer column: found 'Email', 'Name'"),
    (_file("a.csv", b"Advocate,Total Referrals\nann,3\n"), "aggregate report"),
])
def test_bad_files_give_one_clear_message_and_exit_2(tmp_path, make, words):
    path = make(tmp_path)
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert words in result.output
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: ")
    assert len(result.output.strip().splitlines()) <= 3


def test_map_fix_is_suggested(tmp_path):
    path = tmp_path / "u.csv"
    path.write_text("Email,Name\na@x.com,A\n")
    result = run("validate", str(path))
    assert "pass --map referrer=COLUMN" in result.output


def test_debug_shows_the_traceback(tmp_path):
    result = run("--debug", "validate", str(tmp_path / "missing.csv"))
    assert result.exit_code != 0
    assert result.exc_info is not None and "does not exist" in str(result.exc_info[1])


def test_validate_help_ends_with_an_example():
    result = run("validate", "--help")
    assert result.exit_code == 0
    assert result.output.strip().splitlines()[-1].strip().startswith("trustnet validate")
    for option in ("--touchpoints", "--map", "--delimiter", "--encoding", "--sheet", "--dayfirst", "--kind", "--json"):
        assert option in result.output


def test_validate_xlsx_sheet(tmp_path):
    import pandas as pd

    path = tmp_path / "r.xlsx"
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame({"Notes": ["x"]}).to_excel(xl, sheet_name="About", index=False)
        pd.DataFrame({"Advocate": ["007"], "Friend": ["8"]}).to_excel(xl, sheet_name="Data", index=False)
    result = run("validate", str(path), "--sheet", "Data", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["format"] == "xlsx" and data["sheet"] == "Data" and data["accepted"] == 1
    result = run("validate", str(path), "--sheet", "1")
    assert result.exit_code == 0 and "sheet Data" in result.output
    result = run("validate", str(path), "--sheet", "Nope")
    assert result.exit_code == 2 and "no sheet named 'Nope'" in result.output
