"""The self-contained HTML page: escaping, no network, order of sections, readable tables."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from trustnet.report.html import HOW_TO_READ, format_table, render_html

HOSTILE = ["<script>alert(1)</script>", '=HYPERLINK("x")', '"><img src=x onerror=alert(1)>']
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'

RECONCILIATION = {
    "source": "export.csv", "format": "csv", "encoding": "utf-8", "delimiter": ",",
    "mapping": {"referrer": "Advocate Email", "referred": "Friend"},
    "rows_read": 10, "accepted": 7, "duplicates": 2, "rejected": 1,
    "reasons": {"no referrer": 1}, "warnings": ["3 dates read day first"],
}
SETTINGS = {"trust": {"half_life_days": 180.0, "evidence": {}}, "report": {"top": 20, "anonymise": False}}


class Collect(HTMLParser):
    """Every tag with its attributes, and the visible text."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> Collect:
    p = Collect()
    p.feed(page)
    p.close()
    return p


def page(**kw):
    args = dict(
        title="Trust report: export.csv",
        headline=["3 advocates bring 41% of referred value.", "Process trust trails people trust at 4 of 5 providers."],
        figures={"risk_matrix": (PNG, "12 relationships need action now"), "trust_over_time": (SVG, "Trust held steady")},
        tables={"Key advocates": pd.DataFrame({
            "advocate": ["ann", "bob"], "score_pct": [100.0, 50.0], "conversion_rate": [0.755, 0.5],
            "value_attributed": [12345.678, np.nan], "first_referral": pd.to_datetime(["2025-01-02 00:00", "2025-03-04 10:30"]),
            "truster_idx": [1, 2]})},
        reconciliation=RECONCILIATION,
        settings=SETTINGS,
        privacy_note="Identifiers are shown as exported.",
    )
    args.update(kw)
    return render_html(**args)


def test_sections_in_reading_order():
    html = page()
    order = [html.index(f'id="{s}"') for s in ("findings", "figures", "tables", "how-to-read", "data", "settings")]
    assert order == sorted(order)
    assert html.index("3 advocates bring 41%") < html.index("<img")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")


def test_images_are_inline_and_nothing_comes_from_the_network():
    html = page()
    p = parse(html)
    imgs = [a for t, a in p.tags if t == "img"]
    assert len(imgs) == 2
    assert imgs[0]["src"].startswith("data:image/png;base64,")
    assert base64.b64decode(imgs[0]["src"].split(",", 1)[1]) == PNG
    assert imgs[1]["src"].startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(imgs[1]["src"].split(",", 1)[1]).decode() == SVG
    assert imgs[0]["alt"] == "12 relationships need action now"
    assert "http://" not in html and "https://" not in html
    assert not [t for t, a in p.tags if t in ("script", "link", "iframe", "object", "embed")]
    for tag, attrs in p.tags:
        for name in ("src", "href", "action"):
            assert not re.match(r"\s*(https?:|//)", attrs.get(name) or ""), (tag, attrs)
    assert "default-src 'none'" in html  # Content-Security-Policy: no request, no script


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_values_come_out_escaped(name):
    frame = pd.DataFrame({"advocate": [name], "why": [name], "score": [1.0]})
    html = page(
        title=name, headline=[name], tables={name: frame}, privacy_note=name, subtitle=name,
        figures={name: (PNG, name)},
        reconciliation={**RECONCILIATION, "source": name, "mapping": {"referrer": name}, "reasons": {name: 1}, "warnings": [name]},
        settings={"load": {"default_provider": name}, name: {name: name}},
        how_to_read=[(name, name)],
    )
    assert "<script>" not in html
    assert "<img src=x" not in html
    assert 'onerror=alert(1)>' not in html.replace("onerror=alert(1)&gt;", "")
    p = parse(html)
    # no tag or attribute came from the data: only our own tags, and no event handlers
    assert {t for t, _ in p.tags} <= {"html", "head", "meta", "title", "style", "body", "header", "div", "p", "span", "h1",
                                        "nav", "a", "main", "section", "h2", "ol", "li", "figure", "img", "figcaption",
                                        "b", "h3", "table", "thead", "tr", "th", "tbody", "td", "dl", "dt", "dd", "h4",
                                        "ul", "code", "footer"}
    assert not any(k.startswith("on") for _, a in p.tags for k in a)
    visible = "".join(p.text)
    assert visible.count(name) >= 8  # shown as text, as typed


def test_formula_text_is_shown_as_typed_not_run():
    html = page(tables={"t": pd.DataFrame({"advocate": ['=HYPERLINK("x")']})})
    assert "=HYPERLINK(&quot;x&quot;)" in html


def test_table_formatting_is_readable():
    frame = pd.DataFrame({
        "advocate": ["ann"], "direct_referrals": [1234], "conversion_rate": [0.755], "score_pct": [87.4],
        "value_attributed": [1234567.891], "overall": [0.71234], "reputation": [0.00196], "flag": [True],
        "when": pd.to_datetime(["2025-01-02"]),
        "missing": [np.nan],
    })
    t = format_table(frame, max_columns=20)
    for text in ("1,234", "76%", ">87<", "1,234,568", "0.71", "yes", "2025-01-02", "–", "0.002", "Score percentile"):
        assert text in t, text
    assert "00:00" not in t


def test_tables_show_the_top_rows_and_key_columns():
    n = 45
    wide = pd.DataFrame({f"factor_{i}": np.arange(n) for i in range(20)})
    wide.insert(0, "truster", [f"p{i}" for i in range(n)])
    wide.insert(1, "trustee", "P")
    wide["likelihood"] = 0.5
    wide["stake"] = 100.0
    wide["why"] = "silence"
    wide["next_action"] = "call"
    html = page(tables={"Relationships at risk": wide}, top=20)
    assert "top 20 of 45 rows" in html
    assert "p19" in html and "p20" not in html
    head = re.search(r"Relationships at risk.*?</thead>", html, re.S).group(0)
    for col in ("Truster", "Trustee", "Likelihood", "Stake", "Why", "Next action"):
        assert f">{col}<" in head
    assert "Factor 3" not in head
    assert "6 of 26 columns" in html


def test_index_columns_are_hidden():
    html = page()
    assert "Truster idx" not in html


def test_reconciliation_adds_up_or_says_so():
    html = page()
    assert "no row was dropped silently" in html
    for text in (">10<", ">7<", ">2<", ">1<", "rows read", "merged as duplicates", "rejected", "Advocate Email", "no referrer",
                 "3 dates read day first"):
        assert text in html, text
    bad = page(reconciliation={**RECONCILIATION, "rows_read": 11})
    assert "do not add up" in bad


def test_reconciliation_of_several_inputs_and_of_none():
    html = page(reconciliation={"referrals": RECONCILIATION, "touchpoints": {**RECONCILIATION, "rows_read": 4, "accepted": 4,
                                                                          "duplicates": 0, "rejected": 0}})
    assert html.count("no row was dropped silently") == 2
    assert ">referrals<" in html and ">touchpoints<" in html
    assert "No load details" in page(reconciliation={})


def test_settings_and_how_to_read():
    html = page()
    assert "[trust]" in html and "half_life_days" in html and "180.0" in html
    for term, _ in HOW_TO_READ:
        assert term in html
    assert "punishes" in html and "Priority = likelihood × stake" in html
    custom = page(how_to_read=[("Stars", "one to five")])
    assert "Stars" in custom and "Process trust" not in custom.split('id="how-to-read"')[1].split("</section>")[0]
    assert "<p>Plain words.</p>" in page(how_to_read="Plain words.")


def test_privacy_mode_is_in_the_header():
    html = page(privacy_note="Anonymised: every identifier is a keyed pseudonym.", anonymised=True)
    header = html.split("</header>")[0]
    assert "Anonymised: every identifier is a keyed pseudonym." in header
    assert 'class="badge anon"' in header
    assert 'class="badge raw"' in page(anonymised=False)


def test_empty_report_still_renders():
    html = render_html("Empty", [], {}, {}, {}, {}, "")
    for text in ("No findings", "No figures", "No tables", "Default settings"):
        assert text in html


def test_only_png_or_svg_is_inlined():
    with pytest.raises(ValueError, match="PNG bytes or SVG"):
        page(figures={"x": (b"%PDF-1.4", "a pdf")})


def test_page_is_deterministic_and_works_on_a_phone():
    a, b = page(), page()
    assert a == b
    assert 'name="viewport"' in a and "@media (max-width:720px)" in a and "@media print" in a


def test_secrets_and_full_paths_stay_off_the_page():
    html = page(settings={"report": {"anonymise": True, "anonymise_key": "s3cret"}},
                reconciliation={**RECONCILIATION, "source": "/home/alice.smith/exports/referrals.csv"})
    assert "s3cret" not in html and "anonymise_key" not in html
    assert "alice.smith" not in html and ">referrals.csv<" in html
