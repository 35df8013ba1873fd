"""The report's one self-contained HTML page.

:func:`render_html` turns findings, figures, tables, the load reconciliation
and the settings into one HTML string that opens anywhere, offline, and can be
forwarded as a single file:

- images are inline (``data:`` URIs: base64 PNG, or SVG as base64 so that no
  markup inside it can run); there is no external CSS, JavaScript or font, and
  a Content-Security-Policy forbids any network request or script;
- every value taken from the data is escaped with :func:`html.escape`, so a
  name such as ``<script>alert(1)</script>`` shows as text;
- the order is the reader's: headline findings first, then figures, the top
  rows of each table, how to read the scores, where the data came from (rows
  read, accepted, merged as duplicates, rejected) and the settings used;
- the layout works at 1400 px, on a phone, and on paper (print styles).

Examples
--------
>>> import pandas as pd
>>> page = render_html("Trust report", ["3 advocates bring 41% of referred value."], {},
...                    {"Advocates": pd.DataFrame({"advocate": ["<b>ann</b>"], "score": [0.9]})},
...                    {"rows_read": 3, "accepted": 2, "duplicates": 1, "rejected": 0}, {"report": {"top": 20}},
...                    "Identifiers are shown as exported.")
>>> page.startswith("<!DOCTYPE html>"), "&lt;b&gt;ann&lt;/b&gt;" in page, "<b>ann</b>" in page
(True, True, False)
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import json
import math
import numbers
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["render_html", "format_table", "HOW_TO_READ", "KEY_COLUMNS"]

#: The default "how to read the scores" section: (term, explanation) pairs.
HOW_TO_READ: tuple[tuple[str, str], ...] = (
    ("People trust", "Trust in a person: the advocate who recommended, the tradesperson, the adviser. A referral is its "
     "strongest form: the advocate stakes their own reputation. 0 = betrayal, 0.5 = neutral, 1 = delight."),
    ("Process trust", "Belief in the way things are done: service quality, complaint handling, promises kept, response "
     "times. One badly handled complaint can move a loyal customer to 'open to move'."),
    ("Platform trust", "Trust in the technology that carries the relationship: app, website, portal, phone line. "
     "Outages and failed logins lower it; reliable, easy service raises it."),
    ("Overall", "A single figure that never replaces the three: it is their mean minus their spread, so it punishes "
     "inconsistency. Very good everywhere beats excellent in one place and mediocre in another."),
    ("Confidence and trend", "Each score is a recency-weighted average of its evidence, pulled towards a prior when evidence "
     "is thin; recent evidence counts more. The trend is the change over the last few months."),
    ("Advocate score", "Ranks the people who carry trust to others: their referrals, how many converted, how far their "
     "chains reach, the value that followed, and how credible they are. Shown as a percentile among advocates."),
    ("Likelihood and stake", "Likelihood is the chance a relationship breaks soon, built from named factors (silence "
     "longer than its usual rhythm, unresolved complaints, falling trust, outages). Stake is what would be lost: its "
     "value and the people downstream who trusted on its word. Priority = likelihood × stake."),
    ("Risk quadrants", "Act now: likely to break, much at stake. Keep close: much at stake, not yet likely to break. "
     "Quick fixes: likely to break, little at stake. Monitor: neither."),
)

#: Columns shown first (in this order of preference) when a table is too wide for the page.
KEY_COLUMNS = (
    "advocate", "truster", "trustee", "referrer", "referred", "provider", "customer", "kind", "segment",
    "score_pct", "direct_referrals", "converted", "conversion_rate", "reach", "value_attributed",
    "likelihood", "stake", "priority", "suspicion", "expected_gain", "people", "process", "platform", "overall",
    "factors", "why", "next_action", "reason", "reasons",
)
_SHARE_WORDS = ("rate", "likelihood", "share", "probability", "suspicion")
_MAX_COLUMNS = 9
_MAX_CELL = 180

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _slug(text: str, used: set[str]) -> str:
    base = "".join(ch if ch.isalnum() else "-" for ch in str(text).lower()).strip("-") or "section"
    base = "-".join(part for part in base.split("-") if part)[:40] or "section"
    slug, i = base, 2
    while slug in used:
        slug, i = f"{base}-{i}", i + 1
    used.add(slug)
    return slug


#: Column headers that read better than the column name.
_HEADERS = {
    "score_pct": "Score percentile", "reputation_pct": "Reputation percentile", "direct_referrals": "Referrals",
    "conversion_rate": "Conversion", "value_attributed": "Value attributed", "next_action": "Next action",
    "days_silent": "Days silent", "usual_gap_days": "Usual gap (days)",
}


def _label(name: str) -> str:
    if str(name) in _HEADERS:
        return _HEADERS[str(name)]
    text = str(name).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


# ----------------------------------------------------------------------------------------
# values and tables
# ----------------------------------------------------------------------------------------
def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(isinstance(value, float) and math.isnan(value)) or bool(pd.isna(value)) is True
    except (TypeError, ValueError):
        return False


def _fmt_number(value: float, share: bool, pct: bool) -> str:
    if share:
        return f"{value:.0%}" if abs(value) >= 0.005 or value == 0 else "<1%"
    if pct:
        return f"{value:,.0f}"
    a = abs(value)
    if float(value).is_integer() and a < 1e15:
        return f"{value:,.0f}"
    if a >= 100:
        return f"{value:,.0f}"
    if a >= 10:
        return f"{value:,.1f}"
    if 0 < a < 0.01:
        return f"{value:.2g}"  # 0.002, not a misleading 0.00
    return f"{value:.2f}"


def _cell(value: Any, *, share: bool = False, pct: bool = False) -> tuple[str, str]:
    """(escaped HTML, css class) of one table cell."""
    if _is_missing(value):
        return "–", "na"
    if isinstance(value, (bool, np.bool_)):
        return ("yes" if value else "no"), "txt"
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}", "num"
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isinf(v):
            return ("∞" if v > 0 else "−∞"), "num"
        return _e(_fmt_number(v, share, pct)), "num"
    if isinstance(value, (pd.Timestamp, _dt.datetime, np.datetime64)):
        ts = pd.Timestamp(value)
        text = ts.strftime("%Y-%m-%d") if (ts.hour, ts.minute, ts.second) == (0, 0, 0) else ts.strftime("%Y-%m-%d %H:%M")
        return _e(text), "date"
    if isinstance(value, (pd.Timedelta, _dt.timedelta)):
        return _e(f"{pd.Timedelta(value).total_seconds() / 86400:.1f} days"), "num"
    if isinstance(value, (list, tuple, set, dict)):
        value = json.dumps(value, default=str, ensure_ascii=False) if isinstance(value, dict) else ", ".join(map(str, value))
    text = " ".join(str(value).split())
    if len(text) <= 32 and " " not in text:
        return _e(text), "txt id"
    if len(text) > _MAX_CELL:
        return f'<span title="{_e(text)}">{_e(text[: _MAX_CELL - 1])}…</span>', "txt long"
    return _e(text), "txt" + (" long" if len(text) > 60 else "")


def _pick_columns(frame: pd.DataFrame, max_columns: int = _MAX_COLUMNS) -> list[str]:
    cols = [c for c in frame.columns if not str(c).endswith("_idx") and str(c) != "node"]
    if len(cols) <= max_columns:
        return cols
    key = [c for c in KEY_COLUMNS if c in cols]
    if len(key) >= 3:
        text_tail = [c for c in key if c in ("factors", "why", "next_action", "reason", "reasons")]
        head = [c for c in key if c not in text_tail]
        keep = head[: max(max_columns - len(text_tail[:2]), 1)] + text_tail[:2]
        return [c for c in cols if c in keep]
    return cols[:max_columns]


def format_table(frame: pd.DataFrame, *, top: int = 20, max_columns: int = _MAX_COLUMNS) -> str:
    """The first ``top`` rows of a table as an escaped, readable HTML ``<table>``.

    Numbers get thousands separators, shares (columns named like ``rate`` or
    ``likelihood`` holding values in 0..1) become percentages, dates lose
    their midnight times, missing values show as ``–``. Tables wider than
    ``max_columns`` keep the key columns (:data:`KEY_COLUMNS`).

    Examples
    --------
    >>> import pandas as pd
    >>> t = format_table(pd.DataFrame({"advocate": ["=HYPERLINK(\\"x\\")"], "conversion_rate": [0.25], "value": [12345.6]}))
    >>> "=HYPERLINK(&quot;x&quot;)" in t, "25%" in t, "12,346" in t
    (True, True, True)
    """
    if frame is None or not len(frame.columns):
        return '<p class="muted">No rows.</p>'
    cols = _pick_columns(frame, max_columns)
    head = frame.head(max(0, int(top)))
    share = {}
    pct = {}
    for c in cols:
        name = str(c).lower()
        col = head[c]
        numeric = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
        values = pd.to_numeric(col, errors="coerce") if numeric else None
        in_unit = bool(values is not None and values.dropna().between(0, 1).all())
        share[c] = in_unit and any(w in name for w in _SHARE_WORDS)
        pct[c] = numeric and name.endswith("_pct")
    out = ['<div class="table-wrap"><table>', "<thead><tr>"]
    for c in cols:
        numeric = pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
        out.append(f'<th scope="col" class="{"num" if numeric else "txt"}">{_e(_label(c))}</th>')
    out.append("</tr></thead><tbody>")
    if not len(head):
        out.append(f'<tr><td colspan="{len(cols)}" class="na">No rows.</td></tr>')
    columns = [head[c].tolist() for c in cols]
    for row in zip(*columns):
        out.append("<tr>")
        for c, value in zip(cols, row):
            text, css = _cell(value, share=share[c], pct=pct[c])
            out.append(f'<td class="{css}">{text}</td>')
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


# ----------------------------------------------------------------------------------------
# page sections
# ----------------------------------------------------------------------------------------
def _image_src(data: bytes | str) -> str:
    if isinstance(data, str):
        payload, mime = data.encode("utf-8"), "image/svg+xml"
    else:
        payload = bytes(data)
        head = payload[:256].lstrip()
        if payload.startswith(b"\x89PNG"):
            mime = "image/png"
        elif head.startswith(b"<?xml") or head.startswith(b"<svg"):
            mime = "image/svg+xml"
        else:
            raise ValueError("render_html inlines PNG bytes or SVG text only; render the figure as png or svg first")
    return f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}"


def _findings(headline: Sequence[str]) -> str:
    items = [h for h in headline if str(h).strip()]
    if not items:
        return '<p class="muted">No findings: the export holds too little to say anything yet.</p>'
    out = ['<ol class="findings">']
    for i, text in enumerate(items, 1):
        out.append(f'<li><span class="n">{i}</span><p>{_e(text)}</p></li>')
    out.append("</ol>")
    return "".join(out)


def _figures(figures: Mapping[str, tuple[bytes | str, str]], used: set[str]) -> str:
    out = []
    for i, (name, item) in enumerate(figures.items(), 1):
        data, alt = item[0], item[1] if len(item) > 1 else _label(name)
        alt = " ".join(str(alt).split()) or _label(name)
        out.append(
            f'<figure id="{_slug("figure-" + str(name), used)}">'
            f'<img src="{_image_src(data)}" alt="{_e(alt)}" width="1800" height="1050" loading="lazy">'
            f'<figcaption>Figure {i} · {_e(_label(name))}</figcaption></figure>'
        )
    return "".join(out) or '<p class="muted">No figures.</p>'


def _tables(tables: Mapping[str, pd.DataFrame], top: int, used: set[str]) -> str:
    out = []
    for name, frame in tables.items():
        if frame is None:
            continue
        n = len(frame)
        shown = min(n, top)
        cols = _pick_columns(frame) if len(frame.columns) else []
        note = f"top {shown:,} of {n:,} rows" if n > shown else (f"{n:,} rows" if n != 1 else "1 row")
        hidden = len(_pick_columns(frame, max_columns=len(frame.columns) + 1)) - len(cols) if len(frame.columns) else 0
        if hidden > 0:
            note += f"; {len(cols)} of {len(cols) + hidden} columns"
        out.append(f'<section class="tbl" id="{_slug("table-" + str(name), used)}"><h3>{_e(name)} '
                   f'<span class="count">{_e(note)}</span></h3>{format_table(frame, top=top)}</section>')
    if not out:
        return '<p class="muted">No tables.</p>'
    return "".join(out) + '<p class="muted small">Every row and column is in the CSV files beside this page.</p>'


def _how_to_read(how_to_read: Any) -> str:
    if how_to_read is None:
        how_to_read = HOW_TO_READ
    if isinstance(how_to_read, str):
        return "".join(f"<p>{_e(p.strip())}</p>" for p in how_to_read.split("\n\n") if p.strip())
    if isinstance(how_to_read, Mapping):
        how_to_read = list(how_to_read.items())
    out = ['<dl class="read">']
    for term, text in how_to_read:
        out.append(f"<div><dt>{_e(term)}</dt><dd>{_e(text)}</dd></div>")
    out.append("</dl>")
    return "".join(out)


def _basename(path: Any) -> str:
    """Only a file's name: a full path can carry a person's name (``/home/alice/...``)."""
    text = str(path)
    return text.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or text


def _reconciliation_one(rec: Mapping[str, Any], name: str | None) -> str:
    keys = ("rows_read", "accepted", "duplicates", "rejected")
    counts: dict[str, Any] = {k: rec.get(k) for k in keys}
    out = []
    if name:
        out.append(f"<h3>{_e(name)}</h3>")
    facts = [(label, _basename(rec.get(key)) if key == "source" else rec.get(key)) for label, key in (("file", "source"), ("format", "format"), ("encoding", "encoding"),
                                                     ("delimiter", "delimiter"), ("sheet", "sheet"), ("profile", "profile"))
             if not _is_missing(rec.get(key)) and rec.get(key) != ""]
    if all(isinstance(v, numbers.Integral) for v in counts.values()):
        labels = {"rows_read": "rows read", "accepted": "accepted", "duplicates": "merged as duplicates", "rejected": "rejected"}
        out.append('<div class="tiles">')
        for k in keys:
            css = " bad" if k == "rejected" and counts[k] else ""
            out.append(f'<div class="tile{css}"><span class="big">{int(counts[k]):,}</span><span>{labels[k]}</span></div>')
        out.append("</div>")
        total = int(counts["accepted"]) + int(counts["duplicates"]) + int(counts["rejected"])
        if total == int(counts["rows_read"]):
            out.append(f'<p class="check ok">✓ accepted + duplicates + rejected = rows read ({total:,}): no row was dropped silently.</p>')
        else:
            out.append(f'<p class="check bad">✗ accepted + duplicates + rejected = {total:,}, but {int(counts["rows_read"]):,} '
                       "rows were read: the counts do not add up.</p>")
    if facts:
        out.append('<dl class="facts">' + "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in facts) + "</dl>")
    reasons = rec.get("reasons") or {}
    if isinstance(reasons, Mapping) and reasons:
        frame = pd.DataFrame({"reason": list(map(str, reasons)), "rows": [int(v) for v in reasons.values()]})
        out.append("<h4>Why rows were rejected</h4>" + format_table(frame, top=50))
    mapping = rec.get("mapping") or {}
    if isinstance(mapping, Mapping) and mapping:
        frame = pd.DataFrame({"column": list(map(str, mapping)), "read from": [str(v) for v in mapping.values()]})
        out.append("<h4>Columns used</h4>" + format_table(frame, top=100))
    warnings = rec.get("warnings") or []
    if warnings:
        out.append("<h4>Warnings</h4><ul class=\"warn\">" + "".join(f"<li>{_e(w)}</li>" for w in warnings) + "</ul>")
    if not out or (len(out) == 1 and name):
        out.append('<p class="muted">No load details were recorded.</p>')
    return "".join(out)


def _reconciliation(reconciliation: Mapping[str, Any] | None) -> str:
    if not reconciliation:
        return '<p class="muted">No load details were recorded (the tables were passed in directly).</p>'
    if "rows_read" in reconciliation:
        return _reconciliation_one(reconciliation, None)
    parts = [_reconciliation_one(rec, str(name)) for name, rec in reconciliation.items() if isinstance(rec, Mapping)]
    return "".join(parts) or '<p class="muted">No load details were recorded.</p>'


def _setting_value(value: Any) -> str:
    if value is None:
        return '<span class="na">default</span>'
    if isinstance(value, (dict, list, tuple)):
        if not value:
            return '<span class="na">none</span>'
        return f"<code>{_e(json.dumps(value, default=str, ensure_ascii=False))}</code>"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"<code>{_e(value)}</code>"


def _settings(settings: Mapping[str, Any] | None) -> str:
    if not settings:
        return '<p class="muted">Default settings.</p>'
    flat = all(not isinstance(v, Mapping) for v in settings.values())
    sections = [("", settings)] if flat else [(k, v) for k, v in settings.items()]
    out = ['<div class="settings">']
    for section, values in sections:
        if not isinstance(values, Mapping):
            values = {section: values}
            section = ""
        rows = "".join(f"<tr><th scope=\"row\">{_e(k)}</th><td>{_setting_value(v)}</td></tr>" for k, v in values.items()
                       if not str(k).endswith("_key"))  # keys (the pseudonym key) never reach the page
        title = f"<h4>[{_e(section)}]</h4>" if section else ""
        out.append(f'<div class="section">{title}<table class="kv">{rows}</table></div>')
    out.append("</div>")
    return "".join(out)


# ----------------------------------------------------------------------------------------
# the page
# ----------------------------------------------------------------------------------------
def render_html(
    title: str,
    headline: Sequence[str],
    figures: Mapping[str, tuple[bytes | str, str]],
    tables: Mapping[str, pd.DataFrame],
    reconciliation: Mapping[str, Any] | None,
    settings: Mapping[str, Any] | None,
    privacy_note: str,
    how_to_read: Sequence[tuple[str, str]] | Mapping[str, str] | str | None = None,
    *,
    subtitle: str | None = None,
    anonymised: bool | None = None,
    top: int = 20,
    version: str | None = None,
) -> str:
    """The whole report as one self-contained HTML page (a string; nothing is written).

    Parameters
    ----------
    title : str
        The page title ("Trust report: export.csv").
    headline : list of str
        The headline findings, most important first; shown first.
    figures : dict of str to (bytes or str, str)
        Figure name → (PNG bytes or SVG text, alt text), in report order.
    tables : dict of str to DataFrame
        Table title → table, each shown as its first ``top`` rows.
    reconciliation : dict
        The load report (``LoadReport.to_dict()``): ``rows_read``, ``accepted``, ``duplicates``,
        ``rejected``, ``reasons``, ``mapping``, ``warnings``; or a dict of such dicts by input name.
    settings : dict
        The settings used, by section (``Settings.to_dict()``, without secrets).
    privacy_note : str
        Which privacy mode made the report; shown in the header.
    how_to_read : list of (term, text), dict or str, optional
        The "how to read the scores" section; default :data:`HOW_TO_READ`.
    subtitle : str, optional
        A line under the title (the export's period, counts).
    anonymised : bool, optional
        Show a badge saying whether identifiers are pseudonyms (none when not given).
    top : int
        Rows shown per table.
    version : str, optional
        trustnet version in the footer; default the installed one.

    Returns
    -------
    str
        The page, starting with ``<!DOCTYPE html>``.

    Examples
    --------
    >>> page = render_html("R", ["<script>alert(1)</script>"], {}, {}, {}, {}, "Anonymised")
    >>> "<script>" in page, "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    (False, True)
    """
    if version is None:
        from .. import __version__ as version
    used: set[str] = set()
    badge = "" if anonymised is None else (
        '<span class="badge anon">Anonymised</span>' if anonymised else '<span class="badge raw">Identifiers as exported</span>')
    nav = [("findings", "Findings"), ("figures", "Figures"), ("tables", "Tables"), ("how-to-read", "How to read"),
           ("data", "Data"), ("settings", "Settings")]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f'<meta name="generator" content="trustnet {_e(version)}">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        '<header class="top"><div class="wrap">',
        f'<p class="kicker">Trust network report {badge}</p>',
        f"<h1>{_e(title)}</h1>",
        f'<p class="sub">{_e(subtitle)}</p>' if subtitle else "",
        f'<p class="privacy">{_e(privacy_note)}</p>' if privacy_note else "",
        '<nav aria-label="Sections">' + "".join(f'<a href="#{k}">{v}</a>' for k, v in nav) + "</nav>",
        "</div></header><main class=\"wrap\">",
        f'<section id="findings"><h2>Headline findings</h2>{_findings(headline)}</section>',
        f'<section id="figures"><h2>Figures</h2>{_figures(figures, used)}</section>',
        f'<section id="tables"><h2>Top tables</h2>{_tables(tables, top, used)}</section>',
        f'<section id="how-to-read"><h2>How to read the scores</h2>{_how_to_read(how_to_read)}</section>',
        f'<section id="data"><h2>Where the data came from</h2>{_reconciliation(reconciliation)}</section>',
        f'<section id="settings"><h2>Settings used</h2>{_settings(settings)}</section>',
        "</main>",
        f'<footer class="wrap"><p>Made with trustnet {_e(version)}. One self-contained file: it loads nothing from the network.</p></footer>',
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


_CSS = """
:root{--ink:#1B2430;--muted:#5B6472;--faint:#A7AFBA;--line:#E3E7EC;--paper:#fff;--wash:#F5F7FA;
--people:#0072B2;--process:#E69F00;--platform:#009E73;--risk:#D55E00}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--wash);color:var(--ink);
font:16px/1.55 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","DejaVu Sans",sans-serif}
.wrap{max-width:1180px;margin:0 auto;padding:0 32px}
header.top{background:var(--ink);color:#fff;padding:36px 0 0;border-bottom:4px solid var(--people)}
.kicker{margin:0 0 6px;font-size:13px;letter-spacing:.12em;text-transform:uppercase;color:#C9D3DE;display:flex;gap:12px;align-items:center;flex-wrap:wrap}
.badge{letter-spacing:.04em;text-transform:none;font-size:12px;font-weight:600;padding:2px 10px;border-radius:999px}
.badge.anon{background:var(--platform);color:#fff}
.badge.raw{background:#3A4656;color:#fff}
h1{font-size:34px;line-height:1.2;margin:0 0 6px;font-weight:700;overflow-wrap:anywhere}
.sub{margin:0 0 4px;color:#DCE3EA;font-size:17px}
.privacy{margin:8px 0 0;color:#C9D3DE;font-size:14px;max-width:900px}
nav{display:flex;gap:4px;flex-wrap:wrap;margin-top:22px}
nav a{color:#fff;text-decoration:none;font-size:14px;padding:10px 14px;border-radius:6px 6px 0 0}
nav a:hover{background:#2C3A4B}
main{padding-top:8px}
section{margin:0 0 8px}
main>section{background:var(--paper);border:1px solid var(--line);border-radius:10px;padding:26px 30px;margin:24px 0}
h2{font-size:22px;margin:0 0 18px;padding-bottom:10px;border-bottom:1px solid var(--line)}
h3{font-size:18px;margin:26px 0 10px}
h4{font-size:15px;margin:20px 0 8px;color:var(--muted);text-transform:uppercase;letter-spacing:.06em}
.muted{color:var(--muted)}
.small{font-size:13px}
ol.findings{list-style:none;margin:0;padding:0;display:grid;gap:12px}
ol.findings li{display:flex;gap:16px;align-items:flex-start;padding:14px 18px;border-left:4px solid var(--people);background:#F3F8FC;border-radius:0 8px 8px 0}
ol.findings li:first-child{border-left-color:var(--ink);background:#EEF2F6}
ol.findings li:first-child p{font-size:19px;font-weight:600}
ol.findings .n{flex:none;width:30px;height:30px;border-radius:50%;background:var(--ink);color:#fff;font-weight:700;display:flex;align-items:center;justify-content:center;font-size:14px;margin-top:1px}
ol.findings p{margin:0;font-size:17px;overflow-wrap:anywhere}
figure{margin:0 0 30px;page-break-inside:avoid;break-inside:avoid}
figure:last-child{margin-bottom:0}
figure img{display:block;width:100%;height:auto;border:1px solid var(--line);border-radius:8px;background:#fff}
figcaption{font-size:14px;color:var(--muted);margin-top:8px;overflow-wrap:anywhere}
.table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch;border:1px solid var(--line);border-radius:8px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{padding:8px 12px;border-bottom:1px solid var(--line);vertical-align:top;text-align:left}
thead th{background:var(--wash);font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);position:sticky;top:0;vertical-align:bottom}
tbody tr:nth-child(even){background:#FAFBFC}
tbody tr:last-child td{border-bottom:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.num{white-space:nowrap}
td.date{white-space:nowrap;font-variant-numeric:tabular-nums}
td.txt{overflow-wrap:break-word}
td.id{white-space:nowrap}
td.long{min-width:240px;max-width:480px}
td.na,span.na{color:var(--faint)}
h3 .count{font-size:14px;font-weight:400;color:var(--muted);margin-left:8px}
dl.read{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:14px 28px;margin:0}
dl.read div{padding:12px 16px;background:var(--wash);border-radius:8px}
dl.read dt{font-weight:700;margin-bottom:4px}
dl.read dd{margin:0;color:#333D4A;font-size:15px}
.tiles{display:grid;grid-template-columns:repeat(4,1fr);gap:12px;margin:6px 0 12px}
.tile{border:1px solid var(--line);border-radius:8px;padding:14px 16px;background:var(--wash)}
.tile .big{display:block;font-size:28px;font-weight:700;font-variant-numeric:tabular-nums}
.tile span:last-child{color:var(--muted);font-size:14px}
.tile.bad .big{color:var(--risk)}
.check{font-size:15px;margin:4px 0 12px}
.check.ok{color:#00704F}
.check.bad{color:var(--risk);font-weight:600}
dl.facts{display:flex;flex-wrap:wrap;gap:8px 28px;margin:8px 0}
dl.facts dt{font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted)}
dl.facts dd{margin:0;overflow-wrap:anywhere}
ul.warn{margin:0;padding-left:20px;color:#6B4A00}
.settings{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:8px 28px}
.settings h4{margin-top:8px}
table.kv{font-size:14px}
table.kv th{font-weight:500;color:var(--muted);width:55%;overflow-wrap:anywhere}
table.kv td{overflow-wrap:anywhere}
code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;background:var(--wash);padding:1px 5px;border-radius:4px}
footer{color:var(--muted);font-size:13px;padding:8px 32px 40px}
@media (max-width:720px){
 .wrap{padding:0 14px}
 header.top{padding-top:22px}
 h1{font-size:25px}
 main>section{padding:18px 16px;margin:14px 0;border-radius:8px}
 h2{font-size:19px}
 ol.findings li{padding:12px 12px;gap:10px}
 ol.findings p,ol.findings li:first-child p{font-size:16px}
 .tiles{grid-template-columns:repeat(2,1fr)}
 .tile .big{font-size:22px}
 nav a{padding:8px 10px;font-size:13px}
 td.long{min-width:200px}
}
@media print{
 @page{margin:14mm}
 body{background:#fff;font-size:11pt}
 header.top{background:#fff;color:var(--ink);border-bottom:2px solid var(--ink);padding:0 0 8px}
 .kicker,.sub,.privacy{color:var(--muted)}
 .badge{border:1px solid var(--ink);color:var(--ink);background:#fff}
 nav{display:none}
 .wrap{max-width:none;padding:0}
 main>section{border:0;padding:0;margin:18px 0;break-inside:auto}
 h2{break-after:avoid}
 figure,.tile,dl.read div,tr{break-inside:avoid}
 .table-wrap{overflow:visible;border:0}
 thead th{position:static}
 ol.findings li{background:#fff;border:1px solid var(--line);border-left:4px solid var(--people)}
}
"""
