"""A catalogue of bad inputs across every command: each ends in a correct result with full row accounting,
or in one clear message and exit code 2 — never a traceback.

Every case builds its own files. For a case that succeeds, ``trustnet validate --json`` on the same file must
account for every data row written (rows read = accepted + duplicates merged + rejected); for a case that fails,
the output is one ``Error:`` line naming the problem, and the exit code is 2.
"""

from __future__ import annotations

import gzip
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from trustnet.cli import cli

HEADER = "referrer,referred,provider,referred_at,status,revenue\n"


def rows(n: int, start: int = 0, provider: str = "Tiles") -> str:
    """``n`` well-formed referral rows: a chain of people, each referring the next."""
    return "".join(f"p{i}@x.com,p{i + 1}@x.com,{provider},2025-01-{1 + i % 28:02d},converted,{10 + i}\n"
                   for i in range(start, start + n))


def touchpoints_csv(customers: list[str], provider: str = "Tiles") -> str:
    return "customer,provider,at,touchpoint,score,scale\n" + "".join(
        f"{c},{provider},2025-02-0{1 + i % 9},nps survey,{i % 11},0-10\n" for i, c in enumerate(customers))


@dataclass
class Case:
    """One bad input: the files to write, the command to run, what must come out."""

    files: dict[str, bytes | str]
    args: list[str]
    outcome: str  # "ok" or "error"
    words: tuple[str, ...] = ()  # words the message (or the output) must contain, case-insensitive
    data_rows: int | None = None  # for "ok": data rows in the main file, all of which must be accounted for
    rejected_at_least: int = 0
    stdin: bytes | None = None
    extra: dict = field(default_factory=dict)


def _xlsx(frames: dict[str, pd.DataFrame]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in frames.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()


_STAR = HEADER + "".join(f"hub@x.com,leaf{i}@x.com,Tiles,2025-01-{1 + i % 28:02d},converted,5\n"
                         for i in range(3000))
_GOOD = HEADER + rows(6)

CASES: dict[str, Case] = {
    # --- bytes and encodings -------------------------------------------------------------
    "utf16 with bom": Case({"r.csv": (HEADER + rows(3)).encode("utf-16")}, ["validate", "r.csv"], "ok", data_rows=3),
    "utf16-le without bom": Case({"r.csv": (HEADER + rows(3)).encode("utf-16-le")}, ["validate", "r.csv"], "ok",
                                 data_rows=3),
    "cp1252 accents": Case({"r.csv": (HEADER + "zoë@x.com,renée@x.com,Café Tiles,2025-01-02,converted,5\n")
                            .encode("cp1252")}, ["validate", "r.csv"], "ok", data_rows=1),
    "utf8 forced on cp1252 bytes": Case({"r.csv": (HEADER + "zoë@x.com,b@x.com,T,2025-01-02,,\n").encode("cp1252")},
                                        ["validate", "r.csv", "--encoding", "utf-8"], "error",
                                        ("not valid utf-8", "--encoding")),
    "unknown encoding name": Case({"r.csv": _GOOD}, ["advocates", "r.csv", "--encoding", "klingon"], "error",
                                  ("unknown encoding",)),
    "nul bytes inside cells": Case({"r.csv": HEADER + "a@x.com,b\x00@x.com,T,2025-01-02,,\n" + rows(3)},
                                   ["validate", "r.csv"], "ok", ("NUL",), data_rows=4),
    "png renamed csv": Case({"r.csv": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4}, ["analyse", "r.csv"], "error",
                            ("png image", "not a table")),
    "pdf renamed csv": Case({"r.csv": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj"}, ["risks", "r.csv"], "error", ("pdf",)),
    "old xls workbook": Case({"r.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600}, ["validate", "r.xls"],
                             "error", (".xls", ".xlsx")),
    "zip that is not a workbook": Case({"r.xlsx": b"PK\x03\x04" + b"\x00" * 100}, ["suspicious", "r.xlsx"], "error",
                                       ("zip",)),
    "truncated gzip": Case({"r.csv.gz": gzip.compress(_GOOD.encode())[:30]}, ["validate", "r.csv.gz"], "error",
                           ("gzip",)),
    "gzip export": Case({"r.csv.gz": gzip.compress(_GOOD.encode())}, ["validate", "r.csv.gz"], "ok", data_rows=6),
    "random binary": Case({"r.csv": bytes((i * 7919) % 256 for i in range(5000))}, ["validate", "r.csv"], "error",
                          ("binary",)),
    # --- layout ----------------------------------------------------------------------------
    "empty file": Case({"r.csv": b""}, ["validate", "r.csv"], "error", ("empty",)),
    "whitespace only": Case({"r.csv": "  \n\n\t\n"}, ["advocates", "r.csv"], "error", ("empty",)),
    "header only": Case({"r.csv": HEADER}, ["analyse", "r.csv", "-o", "out", "--quiet"], "ok", data_rows=0),
    "mixed delimiters": Case({"r.csv": HEADER + rows(4) + "a@x.com;b@x.com;T;2025-01-02;converted;5\n" + rows(2, 10)},
                             ["validate", "r.csv"], "ok", data_rows=7, rejected_at_least=1),
    "ragged rows": Case({"r.csv": HEADER + rows(3) + "a@x.com,b@x.com\n" + "a@x.com,b@x.com,T,2025-01-02,converted,5,x,y\n"
                         + rows(2, 10)}, ["validate", "r.csv"], "ok", data_rows=7, rejected_at_least=2),
    "quote left open": Case({"r.csv": HEADER + rows(3) + '"a@x.com,b@x.com,T,2025-01-02,converted,5\n' + rows(2, 10)},
                            ["validate", "r.csv"], "ok", data_rows=None),
    "ten megabyte cell": Case({"r.csv": "referrer,referred,comment\n" + "a@x.com,b@x.com," + "x" * 10_000_000 + "\n"
                               + "b@x.com,c@x.com,short\n"}, ["validate", "r.csv"], "ok", data_rows=2),
    "million column header": Case({"r.csv": ",".join(f"c{i}" for i in range(1_000_000)) + "\n"
                                   + ",".join("1" for _ in range(1_000_000)) + "\n"}, ["validate", "r.csv"], "error",
                                  ("column",)),
    "duplicate headers": Case({"r.csv": "referrer,referred,referred,date\na@x.com,b@x.com,c@x.com,2025-01-02\n"
                               + "b@x.com,c@x.com,d@x.com,2025-01-03\n"}, ["validate", "r.csv"], "ok", data_rows=2),
    "ids with newlines": Case({"r.csv": HEADER + '"a@x.com\nsecond line",b@x.com,T,2025-01-02,converted,5\n' + rows(2)},
                              ["validate", "r.csv"], "ok", data_rows=3),
    "blank lines everywhere": Case({"r.csv": "\n" + HEADER + "\n\n" + rows(2) + "\r\n\r\n" + rows(2, 5) + "\n\n"},
                                   ["validate", "r.csv"], "ok", data_rows=4),
    "old mac line endings": Case({"r.csv": (HEADER + rows(3)).replace("\n", "\r")}, ["validate", "r.csv"], "ok",
                                 data_rows=3),
    "excel sep line": Case({"r.csv": "sep=;\n" + (HEADER + rows(3)).replace(",", ";")}, ["validate", "r.csv"], "ok",
                           data_rows=3),
    "trailing delimiter": Case({"r.csv": HEADER.rstrip("\n") + "\n" + rows(3).replace("\n", ",\n")},
                               ["validate", "r.csv"], "ok", data_rows=3),
    "forced two-character delimiter": Case({"r.csv": _GOOD}, ["validate", "r.csv", "--delimiter", "::"], "error",
                                           ("one character",)),
    "no referrer column": Case({"r.csv": "colour,size\nred,3\n"}, ["advocates", "r.csv"], "error", ("referr",)),
    "map to a missing header": Case({"r.csv": _GOOD}, ["validate", "r.csv", "--map", "referrer=Nope"], "error",
                                    ("nope",)),
    "map without equals sign": Case({"r.csv": _GOOD}, ["validate", "r.csv", "--map", "referrer"], "error",
                                    ("referrer",)),
    "missing file": Case({}, ["analyse", "nothing.csv"], "error", ("does not exist",)),
    "a folder": Case({"d/r.csv": _GOOD}, ["validate", "d"], "error", ("folder",)),
    "empty stdin": Case({}, ["validate", "-"], "error", ("empty",), stdin=b""),
    "stdin export": Case({}, ["validate", "-"], "ok", data_rows=6, stdin=_GOOD.encode()),
    "json not records": Case({"r.json": '{"a": 1, "b": [1, 2]}'}, ["validate", "r.json"], "error", ("referr",)),
    "json empty array": Case({"r.json": "[]"}, ["validate", "r.json"], "error", ("empty",)),
    "json lines broken": Case({"r.jsonl": '{"referrer": "a", "referred": "b"}\n{"referrer": "b", \n'},
                              ["validate", "r.jsonl"], "error", ("json", "near character 5")),
    "json nested 200,000 deep": Case({"r.json": "[" * 200_000 + "]" * 200_000}, ["validate", "r.json"], "error",
                                     ("nested too deeply",)),
    "json object nested 100,000 deep": Case({"r.json": '{"a":' * 100_000 + "1" + "}" * 100_000},
                                            ["advocates", "r.json"], "error", ("nested too deeply",)),
    "xlsx with no such sheet": Case({"r.xlsx": _xlsx({"Data": pd.read_csv(io.StringIO(_GOOD))})},
                                    ["validate", "r.xlsx", "--sheet", "Other"], "error", ("sheet", "data")),
    "xlsx empty sheet": Case({"r.xlsx": _xlsx({"Empty": pd.DataFrame()})}, ["validate", "r.xlsx"], "error", ("empty",)),
    # --- values ------------------------------------------------------------------------------
    "dates in the year 9999": Case({"r.csv": HEADER + "a@x.com,b@x.com,T,9999-12-31,converted,5\n" + rows(3)},
                                   ["analyse", "r.csv", "-o", "out", "--quiet"], "ok", data_rows=4),
    "dates that are not dates": Case({"r.csv": HEADER + "a@x.com,b@x.com,T,yesterday-ish,converted,5\n" + rows(3)},
                                     ["validate", "r.csv"], "ok", data_rows=4),
    "negative, NaN and infinite amounts": Case(
        {"r.csv": HEADER + "a@x.com,b@x.com,T,2025-01-02,converted,-50\nb@x.com,c@x.com,T,2025-01-03,converted,NaN\n"
         "c@x.com,d@x.com,T,2025-01-04,converted,inf\nd@x.com,e@x.com,T,2025-01-05,converted,-Infinity\n"
         "e@x.com,f@x.com,T,2025-01-06,converted,1e400\n" + rows(2)},
        ["analyse", "r.csv", "-o", "out", "--quiet"], "ok", data_rows=7),
    "amounts near the float limit": Case(
        {"r.csv": HEADER + "a@x.com,b@x.com,T,2025-01-02,converted,1e308\nb@x.com,c@x.com,T,2025-01-03,converted,"
         "1e308\n" + rows(2)}, ["analyse", "r.csv", "-o", "out", "--quiet"], "ok", data_rows=4, rejected_at_least=2),
    "amounts with thousands separators": Case(
        {"r.csv": HEADER.replace(",", ";") + "a@x.com;b@x.com;T;25.01.2025;converted;1.234,56\n"
         "b@x.com;c@x.com;T;26.01.2025;converted;\u20ac 99,00\n"}, ["validate", "r.csv"], "ok", data_rows=2),
    "empty ids": Case({"r.csv": HEADER + ",b@x.com,T,2025-01-02,,\na@x.com,,T,2025-01-02,,\n" + rows(2)},
                      ["validate", "r.csv"], "ok", data_rows=4, rejected_at_least=2),
    "every row rejected": Case({"r.csv": HEADER + ",,T,2025-01-02,,\n,,T,2025-01-03,,\n"}, ["validate", "r.csv"],
                               "unusable", data_rows=2),
    "self-referral only (one node)": Case({"r.csv": HEADER + "a@x.com,a@x.com,T,2025-01-02,converted,5\n"},
                                          ["advocates", "r.csv"], "ok", ("0 advocates",), data_rows=1,
                                          rejected_at_least=1),
    "every referral rejected, touchpoints kept": Case(
        {"r.csv": HEADER + "a@x.com,a@x.com,Tiles,2025-01-02,converted,5\n", "t.csv": touchpoints_csv(["a@x.com"])},
        ["analyse", "r.csv", "--touchpoints", "t.csv", "-o", "out", "--quiet"], "ok", data_rows=1, rejected_at_least=1),
    "one referral (two people)": Case({"r.csv": HEADER + "a@x.com,b@x.com,T,2025-01-02,converted,5\n"},
                                      ["analyse", "r.csv", "-o", "out", "--quiet"], "ok", data_rows=1),
    "duplicate rows": Case({"r.csv": HEADER + rows(3) + rows(3)}, ["validate", "r.csv"], "ok", data_rows=6),
    "hundred-thousand-character id": Case({"r.csv": HEADER + "a" * 100_000 + ",b@x.com,T,2025-01-02,converted,5\n"
                                           + rows(2)}, ["risks", "r.csv"], "ok", data_rows=3),
    "unix times with one stray cell": Case({"r.csv": "referrer,referred,referred_at\na,b,1700000000\nb,c,1700000100\n"
                                            "c,d,1700000200\nd,e,x\n"}, ["validate", "r.csv"], "ok", ("3 accepted",),
                                           data_rows=4, rejected_at_least=1),
    "ratings out of range, NaN, infinite and self": Case(
        {"r.csv": "rater,ratee,rating,time\n1,2,10,1300000000\n2,1,-10,1300000100\n1,1,5,1300000200\n"
         "3,2,nan,1300000300\n4,2,99,1300000400\n5,6,inf,x\n"},
        ["analyse", "r.csv", "--kind", "ratings", "-o", "out", "--quiet"], "ok", ("self-rating",), data_rows=6,
        rejected_at_least=2),
    "one rating": Case({"r.csv": "rater,ratee,rating\n1,2,1\n"},
                       ["analyse", "r.csv", "--kind", "ratings", "-o", "out", "--quiet"], "ok", data_rows=1),
    "only a self-rating": Case({"r.csv": "rater,ratee,rating\n1,1,1\n"},
                               ["analyse", "r.csv", "--kind", "ratings", "-o", "out"], "error", ("two different people",)),
    "edge list with a header only": Case({"r.csv": "source,target\n"},
                                         ["analyse", "r.csv", "--kind", "ratings", "-o", "out"], "error", ("rating",)),
    # --- graph shapes -------------------------------------------------------------------------
    "cycle of referrals": Case({"r.csv": HEADER + "a@x.com,b@x.com,T,2025-01-02,converted,5\n"
                                "b@x.com,c@x.com,T,2025-01-03,converted,5\nc@x.com,a@x.com,T,2025-01-04,converted,5\n"},
                               ["suspicious", "r.csv", "--json"], "ok", data_rows=3),
    "cycle through analyse": Case({"r.csv": HEADER + "a@x.com,b@x.com,T,2025-01-02,converted,5\n"
                                   "b@x.com,a@x.com,T,2025-01-03,converted,5\n"},
                                  ["analyse", "r.csv", "-o", "out", "--quiet"], "ok", data_rows=2),
    "graph with no edges (declined only, no dates)": Case(
        {"r.csv": "referrer,referred\na@x.com,b@x.com\n"}, ["risks", "r.csv", "--json"], "ok", data_rows=1),
    "one giant star": Case({"r.csv": _STAR}, ["analyse", "r.csv", "-o", "out", "--quiet"], "ok", data_rows=3000),
    "giant star advocates": Case({"r.csv": _STAR}, ["advocates", "r.csv", "--nurture", "3"], "ok", data_rows=3000),
    "touchpoints about strangers": Case(
        {"r.csv": _GOOD, "t.csv": touchpoints_csv([f"stranger{i}@y.com" for i in range(5)])},
        ["analyse", "r.csv", "--touchpoints", "t.csv", "-o", "out", "--quiet"], "ok", data_rows=6),
    "touchpoint scores out of range": Case(
        {"r.csv": _GOOD, "t.csv": "customer,provider,at,touchpoint,score,scale\np1@x.com,Tiles,2025-02-01,nps,99,0-10\n"
         "p2@x.com,Tiles,2025-02-01,nps,-4,0-10\np3@x.com,Tiles,2025-02-01,nps,nan,0-10\n"},
        ["risks", "r.csv", "--touchpoints", "t.csv"], "ok", data_rows=6),
    "touchpoints file that is empty": Case({"r.csv": _GOOD, "t.csv": ""},
                                           ["advocates", "r.csv", "--touchpoints", "t.csv"], "error", ("t.csv", "empty")),
    "touchpoints file with no customer column": Case(
        {"r.csv": _GOOD, "t.csv": "colour,size\nred,3\n"}, ["analyse", "r.csv", "--touchpoints", "t.csv", "-o", "out"],
        "error", ("t.csv",)),
    # --- other inputs of other commands ----------------------------------------------------
    "outcomes without a churned column": Case({"r.csv": _GOOD, "o.csv": "customer,provider\np1@x.com,Tiles\n"},
                                              ["calibrate", "r.csv", "--outcomes", "o.csv", "-o", "t.toml"], "error",
                                              ("churned",)),
    "outcomes that are all one class": Case(
        {"r.csv": _GOOD, "o.csv": "customer,provider,churned\n" + "".join(f"p{i}@x.com,Tiles,0\n" for i in range(1, 6))},
        ["calibrate", "r.csv", "--outcomes", "o.csv", "-o", "t.toml"], "error", ("churn",)),
    "outcomes with nonsense flags": Case(
        {"r.csv": _GOOD, "o.csv": "customer,provider,churned\np1@x.com,Tiles,maybe\np2@x.com,Tiles,-3\n"},
        ["calibrate", "r.csv", "--outcomes", "o.csv", "-o", "t.toml"], "error", ("churned",)),
    "malformed config": Case({"r.csv": _GOOD, "c.toml": "[risk\nintercept = "}, ["risks", "r.csv", "--config", "c.toml"],
                             "error", ("c.toml",)),
    "config with an unknown key": Case({"r.csv": _GOOD, "c.toml": "[risk]\nintercept_typo = 1\n"},
                                       ["risks", "r.csv", "--config", "c.toml"], "error", ("intercept_typo",)),
    "config with a wrong type": Case({"r.csv": _GOOD, "c.toml": "[trust]\nprior_strength = \"lots\"\n"},
                                     ["advocates", "r.csv", "--config", "c.toml"], "error", ("prior_strength",)),
    "generate with a start that is not a date": Case({}, ["generate", "--start", "someday", "-o", "w"], "error",
                                                     ("start",)),
    "output path is a file": Case({"r.csv": _GOOD, "out": "I am a file"},
                                  ["analyse", "r.csv", "-o", "out", "--force"], "error", ("out",)),
}


def _write(tmp: Path, files: dict[str, bytes | str]) -> None:
    for name, content in files.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_bytes(content.encode("utf-8"))
        else:
            path.write_bytes(content)


def _run(args: list[str], stdin: bytes | None = None):
    return CliRunner().invoke(cli, args, input=stdin, catch_exceptions=True)


def _assert_no_traceback(result) -> None:
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        tb = "".join(traceback.format_exception(result.exception))
        pytest.fail(f"a traceback instead of a message:\n{tb}")
    assert "Traceback" not in result.output


def test_the_catalogue_is_long_enough():
    assert len(CASES) >= 40
    commands = {c.args[0] for c in CASES.values()}
    assert commands == {"validate", "advocates", "risks", "calibrate", "generate", "suspicious", "analyse"}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input(name, tmp_path, monkeypatch):
    case = CASES[name]
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, case.files)
    result = _run(case.args, case.stdin)
    _assert_no_traceback(result)
    output = result.output
    if case.outcome == "error":
        assert result.exit_code == 2, output
        errors = [ln for ln in output.splitlines() if ln.startswith("Error:")]
        assert len(errors) == 1, output
        message = output[output.index("Error:"):].lower()
        for word in case.words:
            assert word.lower() in message, (word, output)
        assert not (tmp_path / "out").is_dir() or case.files.get("out") is not None
        leftovers = [p.name for p in tmp_path.iterdir() if ".trustnet-tmp-" in p.name]
        assert leftovers == []
        return
    expected = 2 if case.outcome == "unusable" else 0
    assert result.exit_code == expected, output
    for word in case.words:
        assert word.lower() in output.lower(), (word, output)
    main = case.args[1]
    check = _run(["validate", main, "--json", "--rows", "1000"]
                 + [a for i, a in enumerate(case.args) if i > 1 and case.args[i - 1] in ("--encoding", "--delimiter",
                                                                                        "--kind")
                    for a in (case.args[i - 1], a)], case.stdin)
    _assert_no_traceback(check)
    report = json.loads(check.stdout)
    assert report["rows_read"] == report["accepted"] + report["duplicates"] + report["rejected"], report
    assert len(report["rejected_rows"]) == report["rejected"]
    if case.data_rows is not None:
        assert report["rows_read"] == case.data_rows, report
    assert report["rejected"] >= case.rejected_at_least, report
    if "analyse" in case.args:
        out = tmp_path / "out"
        assert (out / "index.html").is_file()
        def strict(token):
            raise AssertionError(f"summary.json holds {token}, which is not JSON")

        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"), parse_constant=strict)
        assert summary
        assert [p.name for p in tmp_path.iterdir() if ".trustnet-tmp-" in p.name] == []


# --- resource bounds: big inputs are refused with the limit named, never read into memory ------------

def test_a_five_gigabyte_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    import resource

    from trustnet.load.read import MAX_INPUT_BYTES

    big = tmp_path / "huge.csv"
    with big.open("wb") as handle:  # sparse: 5 GB long, a few bytes on disk
        handle.write(HEADER.encode())
        handle.truncate(5 * 1024 ** 3)
    monkeypatch.chdir(tmp_path)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for command in (["validate", "huge.csv"], ["analyse", "huge.csv", "-o", "out"], ["advocates", "huge.csv"]):
        result = _run(command)
        _assert_no_traceback(result)
        assert result.exit_code == 2, result.output
        assert "5,120 MB" in result.output and f"{MAX_INPUT_BYTES // 1024 ** 2:,} MB" in result.output
        assert "TRUSTNET_MAX_INPUT_MB" in result.output
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 500  # the file was never read
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("how", ["file", "gzip", "stdin", "touchpoints", "xlsx"])
def test_the_limit_holds_on_every_way_in(how, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    body = HEADER + rows(2000)  # about 100 kB
    monkeypatch.setenv("TRUSTNET_MAX_INPUT_MB", "0.05")  # 52,428 bytes
    stdin = None
    if how == "file":
        (tmp_path / "r.csv").write_text(body)
        args = ["validate", "r.csv"]
    elif how == "gzip":  # small on disk, too big unpacked: a gzip bomb is refused the same way
        (tmp_path / "r.csv.gz").write_bytes(gzip.compress(body.encode()))
        assert (tmp_path / "r.csv.gz").stat().st_size < 52_428
        args = ["validate", "r.csv.gz"]
    elif how == "stdin":
        args, stdin = ["validate", "-"], body.encode()
    elif how == "touchpoints":
        (tmp_path / "r.csv").write_text(_GOOD)
        (tmp_path / "t.csv").write_text(touchpoints_csv([f"c{i}@x.com" for i in range(3000)]))
        args = ["risks", "r.csv", "--touchpoints", "t.csv"]
    else:
        (tmp_path / "r.xlsx").write_bytes(_xlsx({"Data": pd.read_csv(io.StringIO(body))}))
        args = ["validate", "r.xlsx"]
    result = _run(args, stdin)
    _assert_no_traceback(result)
    assert result.exit_code == 2, result.output
    assert "than the 52,428 bytes trustnet reads" in result.output and "TRUSTNET_MAX_INPUT_MB" in result.output
    monkeypatch.setenv("TRUSTNET_MAX_INPUT_MB", "50")
    assert _run(args, stdin).exit_code == 0


def test_a_bad_limit_setting_is_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.csv").write_text(_GOOD)
    monkeypatch.setenv("TRUSTNET_MAX_INPUT_MB", "lots")
    result = _run(["validate", "r.csv"])
    assert result.exit_code == 2 and "TRUSTNET_MAX_INPUT_MB='lots'" in result.output
