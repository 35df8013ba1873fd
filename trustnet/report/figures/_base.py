"""What every figure shares: the contract column names, small helpers, the title and bytes of a figure."""

from __future__ import annotations

import io
from typing import Any, TypeGuard

import numpy as np
import pandas as pd

from .. import style as st

__all__ = ["title", "alt_text", "figure_bytes"]

# column names of the stage outputs this module reads (contracts in CONTRIBUTING.md)
TRUSTER, TRUSTEE, KIND = "truster", "trustee", "kind"
TRUSTER_IDX, TRUSTEE_IDX = "truster_idx", "trustee_idx"
OVERALL = "overall"
K_ADVOCATE_NAME, K_CUSTOMER_NAME, K_REFERRED_NAME = "advocate", "customer", "referred_by"
ADVOCATE_KIND, CUSTOMER_KIND, REFERRED_BY_KIND = 0, 1, 2  # codes of _kind_codes
ADVOCATE, REACH, SCORE, SCORE_PCT, SEGMENT = "advocate", "reach", "score", "score_pct", "segment"
DIRECT, CONVERSION, VALUE_ATTRIBUTED = "direct_referrals", "conversion_rate", "value_attributed"
LIKELIHOOD, STAKE, PRIORITY = "likelihood", "stake", "priority"
EV_VALUE, EV_WEIGHT, EV_AT = "value", "weight", "at"



def title(fig: Any) -> str:
    """The title (the finding) of a figure made here, as one line.

    >>> title(st.empty_figure("No advocates found", "No one has referred anyone yet."))
    'No advocates found'
    """
    for text in fig.findobj(lambda a: getattr(a, "get_gid", lambda: None)() == "title"):
        return " ".join(text.get_text().split())
    return ""


def alt_text(fig: Any) -> str:
    """A figure's title and subtitle as one text, for the ``alt`` of its image.

    >>> alt_text(st.empty_figure("No advocates found", "No one has referred anyone yet."))
    'No advocates found. No one has referred anyone yet.'
    """
    return st.describe(fig)


def figure_bytes(fig: Any, fmt: str = "png", *, dpi: int = st.DPI) -> bytes:
    """Render a figure to PNG, SVG or PDF bytes, deterministically (no dates, fixed SVG ids).

    >>> data = figure_bytes(st.empty_figure("No advocates found", "No one has referred anyone yet."), dpi=20)
    >>> data[:4]
    b'\\x89PNG'
    """
    import matplotlib

    fmt = fmt.lower()
    if fmt not in ("png", "svg", "pdf"):
        from ...errors import SettingsError

        raise SettingsError(f"figure format {fmt!r} is not supported; use png, svg or pdf")
    metadata = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
                "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None}}[fmt]
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "trustnet", "svg.fonttype": "path"}):
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata, facecolor=fig.get_facecolor())
    return buf.getvalue()


def _has(frame: pd.DataFrame | None, *columns: str) -> TypeGuard[pd.DataFrame]:
    return frame is not None and len(frame) > 0 and all(c in frame.columns for c in columns)


def _num(frame: pd.DataFrame, column: str, default: float = np.nan) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), default, dtype=float)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _codes(values: pd.Series, categories: tuple[str, ...] | list[str]) -> np.ndarray:
    """Each value's position in ``categories`` (-1 when it is none of them): cheap to compare and count."""
    codes, uniques = pd.factorize(values)  # hashes each distinct value once (instant on categoricals)
    where = pd.Index(list(categories)).get_indexer(pd.Index(uniques, dtype=object))
    return np.append(where, -1)[codes].astype(np.int8)  # code -1 (missing) picks the appended -1


def _kind_codes(kinds: pd.Series) -> np.ndarray:
    """Relationship kinds as small integers (0 advocate, 1 customer, 2 referred_by, -1 other)."""
    return _codes(kinds, [K_ADVOCATE_NAME, K_CUSTOMER_NAME, K_REFERRED_NAME])


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _text(ax: Any, x: float, y: float, s: str, **kw: Any) -> Any:
    kw.setdefault("family", st.FONT)
    kw.setdefault("fontsize", st.NOTE_PT)
    kw.setdefault("color", st.INK)
    return ax.text(x, y, s, parse_math=False, **kw)


def _halo(width: float = 3.0) -> list[Any]:
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=width, foreground="white")]


def _legend(ax: Any, handles: list[Any], **kw: Any) -> Any:
    kw.setdefault("loc", "upper left")
    leg = ax.legend(handles=handles, frameon=False, fontsize=st.NOTE_PT, labelcolor=st.INK,
                    prop={"family": st.FONT, "size": st.NOTE_PT}, **kw)
    return leg


def _subtree(graph: Any, roots: np.ndarray) -> np.ndarray:
    """Boolean mask of ``roots`` and everyone below them in the referral forest (one pass per level)."""
    n = graph.n
    covered = np.zeros(n, dtype=bool)
    if not len(roots) or not n:
        return covered
    covered[roots] = True
    depth, parent, order = np.asarray(graph.depth), np.asarray(graph.parent), np.asarray(graph.order)
    levels = depth[order]
    start = int(depth[roots].min()) + 1
    bounds = np.searchsorted(levels, np.arange(start, int(levels.max()) + 2))
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        nodes = order[lo:hi]
        par = parent[nodes]
        has = par >= 0
        covered[nodes[has]] |= covered[par[has]]
    return covered
