"""The report's look: colour-blind-safe palette, type sizes, number formats, figure frames.

Colours follow Okabe & Ito (2008), which stay distinguishable under the common
colour-vision deficiencies: people blue, process orange, platform green, risk
vermillion. Text sizes are chosen so a 12 × 7 in figure at 150 dpi stays
readable on a slide (nothing below 11 pt).

Figures are built on :class:`matplotlib.figure.Figure` directly, never through
pyplot's global state, and every size and colour is passed explicitly instead
of changing ``matplotlib.rcParams``.

Examples
--------
>>> DIMENSION_COLOURS["process"]
'#E69F00'
>>> fmt_number(12345.6), fmt_number(0.5), fmt_share(0.414)
('12.3k', '0.5', '41%')
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

from .. import schema as S

__all__ = [
    "PEOPLE_COLOUR", "PROCESS_COLOUR", "PLATFORM_COLOUR", "RISK_COLOUR", "SKY", "PURPLE", "YELLOW",
    "INK", "MUTED", "FAINT", "GRID", "PAPER", "DIMENSION_COLOURS", "SEGMENT_COLOURS",
    "FONT", "TITLE_PT", "SUBTITLE_PT", "LABEL_PT", "TICK_PT", "NOTE_PT", "FIGSIZE", "DPI",
    "fmt_number", "fmt_share", "fmt_count", "short", "new_figure", "style_axes", "empty_figure", "describe",
]

# --- Okabe–Ito ---------------------------------------------------------------------------
PEOPLE_COLOUR = "#0072B2"     #: blue
PROCESS_COLOUR = "#E69F00"    #: orange
PLATFORM_COLOUR = "#009E73"   #: bluish green
RISK_COLOUR = "#D55E00"       #: vermillion
SKY = "#56B4E9"
PURPLE = "#CC79A7"            #: reddish purple
YELLOW = "#F0E442"

# --- neutrals ----------------------------------------------------------------------------
INK = "#1B2430"       #: titles and labels
MUTED = "#5B6472"     #: subtitles, notes, tick labels
FAINT = "#A7AFBA"     #: secondary marks
GRID = "#E3E7EC"      #: grid lines and empty-panel frames
PAPER = "#FFFFFF"

DIMENSION_COLOURS = {S.PEOPLE: PEOPLE_COLOUR, S.PROCESS: PROCESS_COLOUR, S.PLATFORM: PLATFORM_COLOUR}

#: advocate segments (``advocates.segment``) → colour
SEGMENT_COLOURS = {
    "champion": PEOPLE_COLOUR,
    "rising": PLATFORM_COLOUR,
    "dormant": FAINT,
    "low credibility": PURPLE,
    "at risk": RISK_COLOUR,
}

# --- type --------------------------------------------------------------------------------
FONT = "DejaVu Sans"
TITLE_PT = 19
SUBTITLE_PT = 13
LABEL_PT = 13
TICK_PT = 12
NOTE_PT = 11
FIGSIZE = (12.0, 7.0)
DPI = 150

_TITLE_WIDTH = 70      # characters per title line at TITLE_PT (bold) on 12 in
_SUBTITLE_WIDTH = 120  # characters per subtitle line at SUBTITLE_PT


def fmt_number(x: Any) -> str:
    """A short human number: 950, 12.3k, 4.56M; ``–`` when missing.

    >>> fmt_number(950), fmt_number(1234567), fmt_number(float("nan")), fmt_number(-2500)
    ('950', '1.23M', '–', '-2.5k')
    """
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(v):
        return "–"
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:.3g}B"
    if a >= 1e6:
        return f"{v / 1e6:.3g}M"
    if a >= 1e3:
        return f"{v / 1e3:.3g}k"
    if a >= 10 or v == int(v):
        return f"{v:,.0f}"
    return f"{v:.2g}"


def fmt_share(x: Any) -> str:
    """A share in 0..1 as a whole percentage (``<1%`` for small non-zero shares).

    >>> fmt_share(0.5), fmt_share(0.004), fmt_share(0)
    ('50%', '<1%', '0%')
    """
    v = float(x)
    if math.isnan(v):
        return "–"
    if 0 < v < 0.005:
        return "<1%"
    return f"{v:.0%}"


def fmt_count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 advocate``, ``1,204 advocates``.

    >>> fmt_count(1, "advocate"), fmt_count(1204, "advocate"), fmt_count(2, "family", "families")
    ('1 advocate', '1,204 advocates', '2 families')
    """
    n = int(n)
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def short(name: Any, width: int = 22) -> str:
    """An identifier cut to ``width`` characters with an ellipsis.

    >>> short("a.very.long.name@example.com", 12)
    'a.very.long…'
    """
    text = str(name)
    return text if len(text) <= width else text[: width - 1] + "…"


def new_figure(title: str, subtitle: str = "", *, size: tuple[float, float] = FIGSIZE,
               bottom: float = 0.75) -> tuple[Any, tuple[float, float, float, float]]:
    """A white figure with a left-aligned title (the finding) and subtitle (what is drawn).

    Returns the figure and the ``(left, bottom, width, height)`` rectangle left
    for the plot, in figure coordinates, ``bottom`` inches above the lower edge. The title and subtitle texts carry the
    gids ``"title"`` and ``"subtitle"`` (read back by :func:`describe`); the title is the
    figure's suptitle, so ``fig.get_suptitle()`` gives the finding.

    >>> fig, rect = new_figure("Process trust trails people trust", "Mean trust per provider")
    >>> describe(fig)
    'Process trust trails people trust. Mean trust per provider.'
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=DPI, facecolor=PAPER)
    w_in, h_in = size
    title_lines = textwrap.wrap(title, int(_TITLE_WIDTH * w_in / 12.0)) or [""]
    sub_lines = textwrap.wrap(subtitle, int(_SUBTITLE_WIDTH * w_in / 12.0)) if subtitle else []
    top_pad = 0.32 / h_in
    line_t = TITLE_PT * 1.3 / 72 / h_in
    line_s = SUBTITLE_PT * 1.35 / 72 / h_in
    y = 1 - top_pad
    t = fig.suptitle("\n".join(title_lines), x=0.045, y=y, ha="left", va="top", fontsize=TITLE_PT, fontweight="bold",
                     color=INK, family=FONT, linespacing=1.15, parse_math=False)
    t.set_gid("title")
    y -= line_t * len(title_lines) + 0.1 / h_in
    if sub_lines:
        s = fig.text(0.045, y, "\n".join(sub_lines), ha="left", va="top", fontsize=SUBTITLE_PT, color=MUTED,
                     family=FONT, linespacing=1.2, parse_math=False)
        s.set_gid("subtitle")
        y -= line_s * len(sub_lines)
    top = y - 0.4 / h_in
    low = bottom / h_in
    rect = (0.045, low, 0.91, max(0.2, top - low))
    return fig, rect


def style_axes(ax: Any, *, grid: str | None = "x") -> None:
    """Quiet axes: no top/right spines, light grid behind the marks, readable ticks.

    Examples
    --------
    >>> fig, rect = new_figure("Process trust trails people trust")
    >>> ax = fig.add_axes(rect)
    >>> style_axes(ax, grid="y")
    >>> ax.spines["top"].get_visible(), ax.spines["left"].get_visible(), ax.get_axisbelow()
    (False, True, True)
    """
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(FAINT)
    ax.tick_params(labelsize=TICK_PT, colors=MUTED, length=3)
    for label in ax.get_xticklabels() + ax.get_yticklabels():
        label.set_family(FONT)
    ax.set_axisbelow(True)
    if grid:
        ax.grid(True, axis=grid, color=GRID, linewidth=0.9)
    ax.xaxis.label.set_size(LABEL_PT)
    ax.yaxis.label.set_size(LABEL_PT)
    ax.xaxis.label.set_color(INK)
    ax.yaxis.label.set_color(INK)


def empty_figure(title: str, message: str, *, subtitle: str = "", size: tuple[float, float] = FIGSIZE) -> Any:
    """A figure that says plainly why there is nothing to draw.

    >>> fig = empty_figure("No at-risk relationships found", "Every relationship looks stable.")
    >>> describe(fig)
    'No at-risk relationships found. Every relationship looks stable.'
    """
    fig, rect = new_figure(title, subtitle, size=size)
    ax = fig.add_axes(rect)
    ax.set_axis_off()
    ax.add_patch(_rounded_box(ax))
    msg = ax.text(0.5, 0.5, "\n".join(textwrap.wrap(message, 70)), ha="center", va="center", fontsize=SUBTITLE_PT + 1,
                  color=MUTED, family=FONT, transform=ax.transAxes, parse_math=False)
    msg.set_gid("message")
    return fig


def _rounded_box(ax: Any) -> Any:
    from matplotlib.patches import FancyBboxPatch

    return FancyBboxPatch((0.02, 0.05), 0.96, 0.9, boxstyle="round,pad=0.0,rounding_size=0.03",
                          transform=ax.transAxes, facecolor="#F6F8FA", edgecolor=GRID, linewidth=1.2)


def describe(fig: Any) -> str:
    """The figure's title and subtitle (or empty-panel message) as one sentence: its alt text.

    Examples
    --------
    >>> fig, rect = new_figure("Ann carries most trust", "Reputation of the top 10 people")
    >>> describe(fig)
    'Ann carries most trust. Reputation of the top 10 people.'
    """
    parts = []
    for gid in ("title", "subtitle", "message"):
        for text in fig.findobj(lambda a: getattr(a, "get_gid", lambda: None)() == gid):
            value = " ".join(text.get_text().split())
            if value:
                parts.append(value.rstrip("."))
    return ". ".join(parts) + ("." if parts else "")
