"""The report's figures: one function per figure, each returning a :class:`matplotlib.figure.Figure`.

Every figure's title states the finding, computed from the data ("Process
trust trails people trust at 4 of 5 providers"); the subtitle says what is
drawn. Figures are built on :class:`matplotlib.figure.Figure` directly (no
pyplot global state), use the Okabe–Ito palette of :mod:`trustnet.report.style`,
stay readable on a slide (12 × 7 in at 150 dpi, no text under 11 pt) and are
deterministic: layouts are seeded and computed on small subgraphs only.

Each function takes exactly the tables it needs and copes with empty or tiny
inputs by drawing a panel that says why there is nothing to show.

=========================  =======================================================
function                   tables
=========================  =======================================================
:func:`network_map`        graph, relationships (``overall``), advocates, at_risk
:func:`advocate_leaderboard`  advocates
:func:`trust_by_dimension` relationships
:func:`risk_matrix`        at_risk
:func:`trust_over_time`    evidence
:func:`referral_cascade`   graph, advocates
:func:`report_figures`     all of the above → ``{name: Figure}`` in report order
=========================  =======================================================

Identifiers are drawn as given; pseudonymise the tables first for an
anonymised report. Text taken from the data is never parsed as mathtext, so a
name such as ``$x$`` is drawn as typed.

Examples
--------
>>> import pandas as pd
>>> rel = pd.DataFrame({"truster": ["a", "b", "c"], "trustee": ["P", "P", "Q"],
...                     "kind": ["customer", "advocate", "customer"],
...                     "people": [0.9, 0.8, 0.7], "process": [0.5, 0.6, 0.4], "platform": [0.7, 0.7, 0.6]})
>>> fig = trust_by_dimension(rel)
>>> title(fig)
'Process trust trails people trust at both providers'
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np
import pandas as pd

from .. import schema as S
from . import style as st

__all__ = [
    "network_map", "advocate_leaderboard", "trust_by_dimension", "risk_matrix", "trust_over_time",
    "referral_cascade", "report_figures", "figure_bytes", "title", "alt_text", "FIGURE_NAMES",
]

#: The report's figures, in report order (also their file names without extension).
FIGURE_NAMES = (
    "network_map", "advocate_leaderboard", "trust_by_dimension", "risk_matrix", "trust_over_time", "top_cascade",
)

# column names of the stage outputs this module reads (contracts in CONTRIBUTING.md)
TRUSTER, TRUSTEE, KIND = "truster", "trustee", "kind"
TRUSTER_IDX, TRUSTEE_IDX = "truster_idx", "trustee_idx"
OVERALL = "overall"
K_ADVOCATE_NAME, K_CUSTOMER_NAME, K_REFERRED_NAME = "advocate", "customer", "referred_by"
ADVOCATE_KIND, CUSTOMER_KIND, REFERRED_BY_KIND = 0, 1, 2  # codes of _kind_codes
ADVOCATE, REACH, SCORE, SCORE_PCT, SEGMENT = "advocate", "reach", "score", "score_pct", "segment"
DIRECT, CONVERTED_N, CONVERSION, VALUE_ATTRIBUTED = "direct_referrals", "converted", "conversion_rate", "value_attributed"
LIKELIHOOD, STAKE, PRIORITY = "likelihood", "stake", "priority"
EV_VALUE, EV_WEIGHT, EV_AT = "value", "weight", "at"

_NO_MATH = {"parse_math": False}


# ----------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------
def title(fig: Any) -> str:
    """The title (the finding) of a figure made here, as one line.

    >>> title(advocate_leaderboard(pd.DataFrame()))
    'No advocates found'
    """
    for text in fig.findobj(lambda a: getattr(a, "get_gid", lambda: None)() == "title"):
        return " ".join(text.get_text().split())
    return ""


def alt_text(fig: Any) -> str:
    """A figure's title and subtitle as one text, for the ``alt`` of its image.

    >>> alt_text(advocate_leaderboard(pd.DataFrame()))
    'No advocates found. No one in the export has referred anyone, so there is no one to rank yet.'
    """
    return st.describe(fig)


def figure_bytes(fig: Any, fmt: str = "png", *, dpi: int = st.DPI) -> bytes:
    """Render a figure to PNG, SVG or PDF bytes, deterministically (no dates, fixed SVG ids).

    >>> data = figure_bytes(advocate_leaderboard(pd.DataFrame()))
    >>> data[:4]
    b'\\x89PNG'
    """
    import matplotlib

    fmt = fmt.lower()
    if fmt not in ("png", "svg", "pdf"):
        from ..errors import SettingsError

        raise SettingsError(f"figure format {fmt!r} is not supported; use png, svg or pdf")
    metadata = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
                "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None}}[fmt]
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "trustnet", "svg.fonttype": "path"}):
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata, facecolor=fig.get_facecolor())
    return buf.getvalue()


def _has(frame: pd.DataFrame | None, *columns: str) -> bool:
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


# ----------------------------------------------------------------------------------------
# network map
# ----------------------------------------------------------------------------------------
def network_map(
    graph: Any,
    relationships: pd.DataFrame,
    advocates: pd.DataFrame,
    at_risk: pd.DataFrame | None = None,
    *,
    top: int = 10,
    label: int = 10,
    max_nodes: int = 300,
    risk_cut: float = 0.5,
    seed: int = 0,
) -> Any:
    """The trust network: advocates sized by reach, coloured by trust, at-risk ties in red.

    On a graph with more than ``max_nodes`` nodes only the ``top`` advocates'
    neighbourhoods are drawn (themselves, the providers they advocate for, the
    people they referred or were referred by, and their at-risk partners),
    and the subtitle says so. The layout is a seeded spring layout of the
    drawn subgraph, so the same tables give the same picture.

    A node's colour is the mean ``overall`` trust of its relationships with
    providers (for a provider: of its customers and advocates towards it).

    Parameters
    ----------
    graph : TrustGraph
    relationships : DataFrame
        ``graph.relationships`` plus ``overall`` (``TrustScores.relationships``).
    advocates : DataFrame
        Ranked advocates, best first (``advocate``, ``reach``).
    at_risk : DataFrame, optional
        At-risk relationships (``truster``, ``trustee``).
    top : int
        How many of the best advocates are drawn with their neighbourhoods on a large graph.
    label : int
        How many of them are named.
    max_nodes : int
        The most nodes drawn.
    risk_cut : float
        A tie is drawn as at risk when its ``likelihood`` is at least this.
    seed : int
        Seed of the layout.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> from trustnet.graph import build_graph
    >>> G = build_graph(pd.DataFrame({"referrer": ["ann", "ann", "bob"], "referred": ["bob", "cat", "dan"],
    ...                               "provider": ["Tiles"] * 3}))
    >>> rel = G.relationships.assign(overall=0.7)
    >>> adv = pd.DataFrame({"advocate": ["ann", "bob"], "reach": [3, 1]})
    >>> title(network_map(G, rel, adv))
    "The top 2 advocates' referral trees hold 3 people, 100% of customers"
    """
    from matplotlib.collections import LineCollection
    from matplotlib.colors import Normalize
    from matplotlib.lines import Line2D
    import matplotlib

    n = int(graph.n)
    if n == 0:
        return st.empty_figure("No network to draw", "The export holds no referrals, so there is no network yet.")
    nodes = graph.nodes
    ids = nodes["id"].astype(str).to_numpy()
    is_provider = nodes["is_provider"].to_numpy(bool)
    is_customer = nodes["is_customer"].to_numpy(bool)

    adv = advocates if _has(advocates, ADVOCATE) else pd.DataFrame({ADVOCATE: pd.Series([], dtype=str)})
    adv_idx = graph.index_of(adv[ADVOCATE].astype(str).tolist()) if len(adv) else np.array([], dtype=np.int64)
    reach = np.zeros(n)
    if REACH in adv.columns and len(adv):
        ok = adv_idx >= 0
        reach[adv_idx[ok]] = np.nan_to_num(_num(adv, REACH)[ok])
    top_idx = adv_idx[adv_idx >= 0][: max(0, int(top))]

    risk_src = risk_dst = np.array([], dtype=np.int64)
    if _has(at_risk, TRUSTER, TRUSTEE):
        risky = at_risk
        if LIKELIHOOD in at_risk.columns:
            risky = at_risk[_num(at_risk, LIKELIHOOD) >= risk_cut]
        risk_src = graph.index_of(risky[TRUSTER].astype(str).tolist())
        risk_dst = graph.index_of(risky[TRUSTEE].astype(str).tolist())
        ok = (risk_src >= 0) & (risk_dst >= 0)
        risk_src, risk_dst = risk_src[ok], risk_dst[ok]

    rel_src = relationships[TRUSTER_IDX].to_numpy(np.int64) if TRUSTER_IDX in relationships else graph.index_of(relationships[TRUSTER].astype(str).tolist())
    rel_dst = relationships[TRUSTEE_IDX].to_numpy(np.int64) if TRUSTEE_IDX in relationships else graph.index_of(relationships[TRUSTEE].astype(str).tolist())
    rel_kind = _kind_codes(relationships[KIND])

    # --- which nodes to draw
    partial = n > max_nodes
    if not partial:
        keep = np.arange(n)
    else:
        keep = _neighbourhoods(graph, top_idx, rel_src, rel_dst, rel_kind, risk_src, risk_dst, max_nodes)
    mask = np.zeros(n, dtype=bool)
    mask[keep] = True
    local = np.full(n, -1, dtype=np.int64)
    local[keep] = np.arange(len(keep))

    # --- node trust: mean overall of relationships with providers
    overall = _num(relationships, OVERALL)
    with_provider = np.isin(rel_kind, [ADVOCATE_KIND, CUSTOMER_KIND]) & ~np.isnan(overall)
    node_of = rel_src[with_provider]
    total = np.bincount(node_of, weights=overall[with_provider], minlength=n)
    count = np.bincount(node_of, minlength=n)
    provider_side = np.bincount(rel_dst[with_provider], weights=overall[with_provider], minlength=n)
    provider_count = np.bincount(rel_dst[with_provider], minlength=n)
    trust = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    trust = np.where(is_provider & (provider_count > 0), provider_side / np.maximum(provider_count, 1), trust)

    # --- edges among the drawn nodes
    both = mask[rel_src] & mask[rel_dst]
    e_src, e_dst, e_kind = local[rel_src[both]], local[rel_dst[both]], rel_kind[both]
    r_both = mask[risk_src] & mask[risk_dst]
    rk_src, rk_dst = local[risk_src[r_both]], local[risk_dst[r_both]]

    # --- finding
    k = len(top_idx)
    held = _subtree(graph, top_idx)
    is_top = np.zeros(n, dtype=bool)
    is_top[top_idx] = True
    parent = np.asarray(graph.parent)
    inside = is_top & (parent >= 0) & held[np.maximum(parent, 0)]  # a top advocate inside another's tree
    n_held = int((held & ~is_top).sum() + inside.sum())
    n_customers = max(int(is_customer.sum()), 1)
    near_top = is_top[risk_src] | is_top[risk_dst]
    n_risk_top = int(near_top.sum())
    if k == 0:
        head = "No one has referred anyone yet: the map shows customers and providers"
    else:
        who = "The top advocate's" if k == 1 else f"The top {k} advocates'"
        head = f"{who} referral trees hold {n_held:,} {_plural(n_held, 'person', 'people')}, {st.fmt_share(n_held / n_customers)} of customers"
    drawn = (f"Showing the top {k} advocates' neighbourhoods: {len(keep):,} of {n:,} nodes. " if partial
             else f"All {n:,} nodes. ")
    risk_note = (f"Red: ties at least {st.fmt_share(risk_cut)} likely to break ({len(rk_src):,} drawn; "
                 f"{n_risk_top:,} touch a top advocate)." if len(risk_src) else f"No tie is {st.fmt_share(risk_cut)} or more likely to break.")
    sub = drawn + "People sized by reach and coloured by their trust in the business. " + risk_note
    fig, rect = st.new_figure(head, sub)
    frame_w, frame_h = fig.get_figwidth() * rect[2] * 0.78, fig.get_figheight() * rect[3]
    pos, centre = _spring_positions(len(keep), e_src, e_dst, e_kind, rk_src, rk_dst, is_provider[keep], seed,
                                    aspect=frame_w / frame_h)
    ax = fig.add_axes((rect[0], rect[1], rect[2] * 0.78, rect[3]))
    ax.set_axis_off()

    # edges: customer ties faint, advocate ties blue, referral ties grey, at-risk red on top
    def segs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.stack([pos[a], pos[b]], axis=1) if len(a) else np.zeros((0, 2, 2))

    for kind, colour, width, alpha in ((CUSTOMER_KIND, st.FAINT, 0.5, 0.35), (ADVOCATE_KIND, st.SKY, 0.8, 0.6),
                                       (REFERRED_BY_KIND, "#7F8A96", 0.9, 0.75)):
        sel = e_kind == kind
        ax.add_collection(LineCollection(segs(e_src[sel], e_dst[sel]), colors=colour, linewidths=width, alpha=alpha, zorder=1))
    ax.add_collection(LineCollection(segs(rk_src, rk_dst), colors=st.RISK_COLOUR, linewidths=1.6, alpha=0.9, zorder=2))

    cmap = matplotlib.colormaps["viridis"]
    t_keep = trust[keep]
    finite = t_keep[~np.isnan(t_keep)]
    lo = math.floor(float(np.quantile(finite, 0.05)) * 10) / 10 if len(finite) else 0.0
    hi = math.ceil(float(np.quantile(finite, 0.95)) * 10) / 10 if len(finite) else 1.0
    if hi - lo < 0.2:
        lo, hi = max(0.0, lo - 0.1), min(1.0, hi + 0.1)
    norm = Normalize(lo, hi)
    colours = cmap.with_extremes(bad="#D9DEE4")(norm(np.ma.masked_invalid(t_keep))) if len(keep) else np.zeros((0, 4))
    r_keep = reach[keep]
    max_reach = max(float(r_keep.max()) if len(r_keep) else 0.0, 1.0)
    base = 16.0 if len(keep) > 120 else 30.0
    size = base + 700.0 * np.sqrt(r_keep / max_reach)
    prov_keep = is_provider[keep]
    people = ~prov_keep
    order = np.argsort(size[people], kind="stable")
    ax.scatter(pos[people][order, 0], pos[people][order, 1], s=size[people][order], c=colours[people][order],
               edgecolors="white", linewidths=0.6, zorder=3)
    ax.scatter(pos[prov_keep, 0], pos[prov_keep, 1], s=330, c=colours[prov_keep], marker="s",
               edgecolors=st.INK, linewidths=1.6, zorder=4)

    # labels: top advocates, and providers when there are few
    labelled = [i for i in top_idx[: max(0, int(label))].tolist() if mask[i]]
    prov_ids = np.flatnonzero(prov_keep)
    if len(prov_ids) <= 12:
        labelled += keep[prov_ids].tolist()
    if len(keep):
        # equal scale on both axes: widen the shorter side of the drawing to the frame's shape
        (x0, y0), (x1, y1) = pos.min(axis=0), pos.max(axis=0)
        pad = 0.05 * max(x1 - x0, y1 - y0, 1.0)
        x0, x1, y0, y1 = x0 - pad, x1 + pad, y0 - pad, y1 + pad
        want = frame_w / frame_h
        if (x1 - x0) / (y1 - y0) < want:
            grow = (want * (y1 - y0) - (x1 - x0)) / 2
            x0, x1 = x0 - grow, x1 + grow
        else:
            grow = ((x1 - x0) / want - (y1 - y0)) / 2
            y0, y1 = y0 - grow, y1 + grow
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)

    # labels last, once the limits are fixed, each where it overlaps no earlier label
    _place_labels(ax, [(pos[local[i]], st.short(ids[i], 20), bool(is_provider[i]),
                        pos[local[i], 0] >= centre[local[i], 0]) for i in labelled])

    handles = [
        Line2D([], [], color="#7F8A96", lw=1.5, label="referral"),
        Line2D([], [], color=st.SKY, lw=1.5, label="advocate → provider"),
        Line2D([], [], color=st.FAINT, lw=1.5, label="customer → provider"),
        Line2D([], [], color=st.RISK_COLOUR, lw=2.5, label="at-risk tie"),
        Line2D([], [], marker="s", ls="", ms=11, mfc="white", mec=st.INK, mew=1.6, label="provider"),
        Line2D([], [], marker="o", ls="", ms=12, mfc=st.FAINT, mec="white", label="person (size = reach)"),
    ]
    lax = fig.add_axes((rect[0] + rect[2] * 0.8, rect[1] + rect[3] * 0.4, rect[2] * 0.2, rect[3] * 0.6))
    lax.set_axis_off()
    _legend(lax, handles, loc="upper left", borderaxespad=0)
    cax = fig.add_axes((rect[0] + rect[2] * 0.815, rect[1] + rect[3] * 0.04, rect[2] * 0.018, rect[3] * 0.3))
    from matplotlib.cm import ScalarMappable

    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=cax)
    bar.outline.set_visible(False)
    bar.ax.tick_params(labelsize=st.NOTE_PT, colors=st.MUTED)
    bar.set_label("trust (overall)", fontsize=st.NOTE_PT, color=st.INK, family=st.FONT)
    return fig


def _place_labels(ax: Any, items: list[tuple[np.ndarray, str, bool, bool]]) -> None:
    """Label points greedily: each label takes the first spot around its point that overlaps no earlier label.

    ``items``: (xy, text, bold, prefer_right). Spots are tried right or left first (away from the
    cluster's centre), then above, below and on the diagonals; a label with no free spot keeps the first.
    """
    if not items:
        return
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = ax.figure
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    placed: list[Any] = []
    for xy, text, bold, right in items:
        side = 1 if right else -1
        spots = [(8 * side, 0), (-8 * side, 0), (0, 10), (0, -10), (9 * side, 9), (9 * side, -9), (-9 * side, 9), (-9 * side, -9)]
        chosen = None
        for dx, dy in spots:
            ha = "left" if dx > 0 else "right" if dx < 0 else "center"
            va = "bottom" if dy > 0 else "top" if dy < 0 else "center"
            label = ax.annotate(text, xy=tuple(xy), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                                fontsize=st.NOTE_PT + (1 if bold else 0), fontweight="bold" if bold else "normal",
                                family=st.FONT, color=st.INK, zorder=6, path_effects=_halo(), parse_math=False)
            box = label.get_window_extent(renderer).expanded(1.04, 1.15)
            fits = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            if fits and not any(box.overlaps(other) for other in placed):
                chosen = (label, box)
                break
            if chosen is None and (dx, dy) == spots[0]:
                first = (label, box)
            label.remove()
        if chosen is None:
            label, box = first
            ax.add_artist(label)
        else:
            label, box = chosen
        placed.append(box)


def _neighbourhoods(graph: Any, top_idx: np.ndarray, rel_src: np.ndarray, rel_dst: np.ndarray, rel_kind: np.ndarray,
                    risk_src: np.ndarray, risk_dst: np.ndarray, max_nodes: int) -> np.ndarray:
    """The nodes around the top advocates, at most ``max_nodes``, shared out round-robin between them."""
    n = graph.n
    if not len(top_idx):
        A = graph.adjacency
        degree = np.asarray(A.sum(axis=0)).ravel() + np.asarray(A.sum(axis=1)).ravel()
        providers = np.flatnonzero(graph.nodes["is_provider"].to_numpy(bool))
        rest = np.argsort(-degree, kind="stable")
        return pd.unique(np.concatenate([providers, rest]))[:max_nodes]
    rank = np.full(n, -1, dtype=np.int64)
    rank[top_idx] = np.arange(len(top_idx))
    parts = [pd.DataFrame({"node": top_idx, "rank": np.arange(len(top_idx)), "pos": -3})]
    # providers they advocate for
    sel = (rank[rel_src] >= 0) & (rel_kind == ADVOCATE_KIND)
    parts.append(pd.DataFrame({"node": rel_dst[sel], "rank": rank[rel_src[sel]], "pos": -2}))
    # at-risk partners
    for a, b in ((risk_src, risk_dst), (risk_dst, risk_src)):
        sel = rank[a] >= 0
        parts.append(pd.DataFrame({"node": b[sel], "rank": rank[a[sel]], "pos": -1}))
    # people they referred (and who referred them)
    A = graph.adjacency.tocsr()
    for M in (A, A.T.tocsr()):
        sub = M[top_idx].tocoo()
        frame = pd.DataFrame({"node": sub.col.astype(np.int64), "rank": sub.row.astype(np.int64)})
        frame = frame.sort_values(["rank", "node"], kind="stable")
        frame["pos"] = frame.groupby("rank").cumcount()
        parts.append(frame)
    cand = pd.concat(parts, ignore_index=True).sort_values(["pos", "rank", "node"], kind="stable")
    return pd.unique(cand["node"].to_numpy())[:max_nodes]


def _spring_positions(k: int, src: np.ndarray, dst: np.ndarray, kind: np.ndarray, rsrc: np.ndarray, rdst: np.ndarray,
                      provider: np.ndarray, seed: int, aspect: float = 1.9) -> tuple[np.ndarray, np.ndarray]:
    """A seeded layout of the small drawn subgraph: positions and each node's cluster centre.

    Each connected cluster gets its own spring layout (referral ties pull
    hardest; with several providers in one cluster they are pinned evenly on a
    ring so their labels never pile up), scaled to an area proportional to its
    size; the clusters are then packed in rows, largest first, to fill a
    frame of the given aspect ratio instead of drifting apart.
    """
    import networkx as nx
    import scipy.sparse as sp
    from scipy.sparse import csgraph

    if k == 0:
        return np.zeros((0, 2)), np.zeros((0, 2))
    # a customer's tie to the provider shapes the layout only when they have no referral tie drawn: otherwise
    # every referred customer pulls the provider onto their advocate
    referred = np.zeros(k, dtype=bool)
    referred[src[kind == REFERRED_BY_KIND]] = True
    referred[dst[kind == REFERRED_BY_KIND]] = True
    use = (kind != CUSTOMER_KIND) | ~referred[src]
    src, dst, kind = src[use], dst[use], kind[use]
    a = np.concatenate([src, rsrc]).astype(np.int64)
    b = np.concatenate([dst, rdst]).astype(np.int64)
    weight = np.concatenate([np.where(kind == REFERRED_BY_KIND, 1.0, np.where(kind == ADVOCATE_KIND, 0.5, 0.15)),
                             np.full(len(rsrc), 0.3)])
    ncomp, labels = csgraph.connected_components(sp.coo_matrix((np.ones(len(a)), (a, b)), shape=(k, k)), directed=False)
    sizes = np.bincount(labels, minlength=ncomp)
    first = np.full(ncomp, k)
    np.minimum.at(first, labels, np.arange(k))
    comps = sorted(range(ncomp), key=lambda c: (-sizes[c], first[c]))
    rng = np.random.default_rng(seed)
    local_pos: list[tuple[np.ndarray, np.ndarray, float]] = []
    for c in comps:
        members = np.flatnonzero(labels == c)
        m = len(members)
        radius = 0.5 * math.sqrt(m) + 0.5
        if m == 1:
            local_pos.append((members, np.zeros((1, 2)), radius))
            continue
        index = np.full(k, -1, dtype=np.int64)
        index[members] = np.arange(m)
        inside = (index[a] >= 0) & (index[b] >= 0)
        G = nx.Graph()
        G.add_nodes_from(range(m))
        G.add_weighted_edges_from(zip(index[a[inside]].tolist(), index[b[inside]].tolist(), weight[inside].tolist()))
        start = rng.uniform(-0.6, 0.6, size=(m, 2))
        hubs = np.flatnonzero(provider[members])
        fixed = None
        if 2 <= len(hubs) <= 16:
            angle = np.pi / 2 - 2 * np.pi * np.arange(len(hubs)) / len(hubs)
            start[hubs] = np.column_stack([np.cos(angle), np.sin(angle)])
            fixed = hubs.tolist()
        layout = nx.spring_layout(G, pos={i: start[i] for i in range(m)}, fixed=fixed, seed=seed, iterations=100,
                                  k=1.2 / math.sqrt(m))
        xy = np.array([layout[i] for i in range(m)], dtype=float)
        xy -= (xy.max(axis=0) + xy.min(axis=0)) / 2
        extent = float(np.abs(xy).max()) or 1.0
        local_pos.append((members, xy * (radius - 0.5) / extent, radius))
    # pack clusters in rows, largest first; of the row widths tried, keep the one that draws them largest
    sizes_2r = [2 * r for _, _, r in local_pos]
    best = None
    for width in sorted(set(np.cumsum(sizes_2r)[:40].tolist())):
        x = y = row_h = 0.0
        spots = []
        for size in sizes_2r:
            if x > 0 and x + size > width + 1e-9:
                x, y, row_h = 0.0, y + row_h, 0.0
            spots.append((x + size / 2, -(y + size / 2)))
            x += size
            row_h = max(row_h, size)
        w, h = max(sx + sz / 2 for (sx, _), sz in zip(spots, sizes_2r)), y + row_h
        scale = min(aspect / w, 1.0 / h)
        if best is None or scale > best[0] + 1e-12:
            best = (scale, spots)
    pos = np.zeros((k, 2))
    centre = np.zeros((k, 2))
    for (members, xy, _), (cx, cy) in zip(local_pos, best[1]):
        pos[members] = xy + (cx, cy)
        centre[members] = (cx, cy)
    return pos, centre


# ----------------------------------------------------------------------------------------
# advocate leaderboard
# ----------------------------------------------------------------------------------------
def advocate_leaderboard(advocates: pd.DataFrame, *, top: int = 15) -> Any:
    """The best advocates as a ranked bar chart: composite score, segment, and what they brought.

    The title says how concentrated the referred value is (how few advocates
    bring half of it); without values, how concentrated the referrals are.

    Parameters
    ----------
    advocates : DataFrame
        Ranked advocates, best first: ``advocate``, ``score_pct`` (or ``score``), ``segment``,
        ``direct_referrals``, ``conversion_rate``, ``value_attributed``.
    top : int
        How many advocates to draw.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> adv = pd.DataFrame({"advocate": ["ann", "bob", "cat"], "score_pct": [100.0, 60.0, 20.0],
    ...                     "segment": ["champion", "rising", "dormant"], "direct_referrals": [9, 3, 1],
    ...                     "conversion_rate": [0.6, 0.5, 0.0], "value_attributed": [900.0, 80.0, 20.0]})
    >>> title(advocate_leaderboard(adv))
    'One advocate brings 90% of the value attributed to advocates'
    """
    from matplotlib.patches import Patch

    if not _has(advocates, ADVOCATE):
        return st.empty_figure("No advocates found", "No one in the export has referred anyone, so there is no one to rank yet.")
    adv = advocates.reset_index(drop=True)
    N = len(adv)
    head = _concentration_title(adv)
    show = adv.head(max(1, int(top)))
    # bars: the composite score itself (percentiles of the best few are all ~100 and would not differ)
    use_raw = SCORE in show and np.isfinite(_num(show, SCORE)).any()
    score = np.nan_to_num(_num(show, SCORE) if use_raw else _num(show, SCORE_PCT))
    x_max = float(score.max()) * 1.08 if len(score) and score.max() > 0 else 1.0
    segments = show[SEGMENT].astype(str).to_numpy() if SEGMENT in show else np.full(len(show), "")
    colours = [st.SEGMENT_COLOURS.get(s, st.PEOPLE_COLOUR) for s in segments]
    sub = (f"The {len(show)} best of {N:,} advocates by composite score, coloured by segment; "
           "right: referrals made, share converted, value attributed.")
    fig, rect = st.new_figure(head, sub, bottom=1.2)
    ax = fig.add_axes((rect[0] + rect[2] * 0.17, rect[1], rect[2] * 0.55, rect[3]))
    y = np.arange(len(show))[::-1]
    ax.barh(y, score, color=colours, height=0.7, zorder=2)
    names = [f"{i + 1}. {st.short(a, 22)}" for i, a in enumerate(show[ADVOCATE].astype(str))]
    ax.set_yticks(y, labels=names, parse_math=False)
    ax.set_xlim(0, x_max)
    ax.set_ylim(-0.6, len(show) - 0.4)
    ax.set_xlabel("advocate score" if use_raw else "advocate score (percentile)", family=st.FONT)
    st.style_axes(ax, grid="x")
    ax.tick_params(axis="y", length=0, labelcolor=st.INK)
    size = st.TICK_PT if len(show) <= 16 else st.NOTE_PT
    for label in ax.get_yticklabels():
        label.set_fontsize(size)
    fmt_score = (lambda v: f"{v:.2f}") if use_raw and x_max <= 10 else st.fmt_number
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_score(v) if v else "0"))
    for yi, v in zip(y, score):
        if v >= 0.15 * x_max:  # the number inside the bar, or beside a short one
            _text(ax, v - 0.015 * x_max, yi, fmt_score(v), ha="right", va="center", color="white", fontweight="bold", zorder=3)
        else:
            _text(ax, v + 0.01 * x_max, yi, fmt_score(v), ha="left", va="center", color=st.MUTED)
    # right-hand facts
    tx = fig.add_axes((rect[0] + rect[2] * 0.74, rect[1], rect[2] * 0.26, rect[3]), sharey=ax)
    tx.set_axis_off()
    refs, conv, value = _num(show, DIRECT), _num(show, CONVERSION), _num(show, VALUE_ATTRIBUTED)
    cols = (("referrals", refs, st.fmt_number), ("converted", conv, st.fmt_share), ("value", value, st.fmt_number))
    for j, (label, vals, fmt) in enumerate(cols):
        x = 0.12 + 0.36 * j
        _text(tx, x, len(show) - 0.45, label, ha="right", va="bottom", color=st.MUTED, fontsize=st.NOTE_PT,
              transform=tx.get_yaxis_transform())
        for yi, v in zip(y, vals):
            _text(tx, x, yi, "–" if np.isnan(v) else fmt(v), ha="right", va="center", fontsize=size,
                  transform=tx.get_yaxis_transform())
    present = [s for s in st.SEGMENT_COLOURS if s in set(segments)]
    if present:
        _legend(ax, [Patch(color=st.SEGMENT_COLOURS[s], label=s) for s in present], loc="upper center",
                bbox_to_anchor=(0.5, -0.13), ncol=len(present))
    return fig


def _concentration_title(adv: pd.DataFrame) -> str:
    N = len(adv)
    value = np.nan_to_num(_num(adv, VALUE_ATTRIBUTED)).clip(min=0)
    what = "of the value attributed to advocates"
    if value.sum() <= 0:
        value = np.nan_to_num(_num(adv, DIRECT)).clip(min=0)
        what = "of all referrals"
    total = value.sum()
    if total <= 0:
        return f"{st.fmt_count(N, 'advocate')} found; none has a converted or valued referral yet"
    ranked = np.sort(value)[::-1]
    share = np.cumsum(ranked) / total
    k = int(np.searchsorted(share, 0.5 - 1e-12) + 1)
    verb = "brings" if what.startswith("of the value") else "made"
    if k == 1:
        return f"One advocate {verb} {st.fmt_share(share[0])} {what}"
    verb_p = "bring" if verb == "brings" else "made"
    return f"{k:,} of {N:,} advocates {verb_p} half {what}"


# ----------------------------------------------------------------------------------------
# trust by dimension per provider
# ----------------------------------------------------------------------------------------
def trust_by_dimension(relationships: pd.DataFrame, *, top: int = 8) -> Any:
    """Mean people, process and platform trust per provider, side by side, for the largest providers.

    A provider's trust on a dimension is the mean over its customers' and
    advocates' relationships with it (missing scores left out). Providers are
    ranked by how many customers and advocates they have.

    Parameters
    ----------
    relationships : DataFrame
        ``truster``, ``trustee``, ``kind``, ``people``, ``process``, ``platform``.
    top : int
        How many providers to draw.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> rel = pd.DataFrame({"truster": ["a", "b"], "trustee": ["P", "P"], "kind": ["customer", "customer"],
    ...                     "people": [0.6, 0.7], "process": [0.8, 0.9], "platform": [0.5, 0.6]})
    >>> title(trust_by_dimension(rel))
    'At P, platform trust (0.55) trails process trust (0.85)'
    """
    dims = list(S.DIMENSIONS)
    if not _has(relationships, TRUSTEE, KIND):
        return st.empty_figure("No provider relationships found", "There are no customer or advocate relationships with a provider to score.")
    codes = _kind_codes(relationships[KIND])
    with_provider = (codes == ADVOCATE_KIND) | (codes == CUSTOMER_KIND)
    rel = relationships[with_provider]
    kinds = codes[with_provider]
    frame = pd.DataFrame({TRUSTEE: rel[TRUSTEE].to_numpy()})
    for d in dims:
        frame[d] = _num(rel, d)
    grouped = frame.groupby(TRUSTEE, sort=True)
    table = grouped[dims].mean()
    table["customers"] = grouped.size()
    table = table[table[dims].notna().any(axis=1)]
    if table.empty:
        return st.empty_figure("No trust scores to compare", "No provider has a people, process or platform score yet.")
    table = table.sort_values("customers", ascending=False, kind="stable").head(max(1, int(top)))
    head = _dimension_title(table, dims)
    n_all = int(frame[TRUSTEE].nunique())
    sub = (f"Mean trust of each provider's customers and advocates (0 betrayal, 0.5 neutral, 1 delight); "
           f"{'the ' + str(len(table)) + ' largest of ' + format(n_all, ',') + ' providers' if n_all > len(table) else 'all providers'}, by customers.")
    labels = [f"{st.short(p, 22)}\n{int(c):,} customers" for p, c in zip(table.index, table["customers"])]
    if n_all == 1:
        # one provider: compare its advocates with its other customers instead
        parts = [table]
        labels = [f"{st.short(table.index[0], 22)}\nall {int(table['customers'].iloc[0]):,}"]
        for kind, name in ((ADVOCATE_KIND, "advocates"), (CUSTOMER_KIND, "other customers")):
            sel = frame[kinds == kind]
            if len(sel):
                parts.append(pd.DataFrame({**{d: [sel[d].mean()] for d in dims}, "customers": [len(sel)]}, index=[name]))
                labels.append(f"{name}\n{len(sel):,}")
        table = pd.concat(parts)
        sub = ("Mean trust of the provider's advocates and other customers (0 betrayal, 0.5 neutral, 1 delight).")
    fig, rect = st.new_figure(head, sub, bottom=1.2)
    ax = fig.add_axes((rect[0] + rect[2] * 0.2, rect[1], rect[2] * 0.8, rect[3]))
    m = len(table)
    y = np.arange(m)[::-1].astype(float)
    h = 0.8 / 3
    small = m > 6
    for j, d in enumerate(dims):
        vals = table[d].to_numpy(float)
        yy = y + (1 - j) * h
        ax.barh(yy, np.nan_to_num(vals), height=h * 0.92, color=st.DIMENSION_COLOURS[d], label=d, zorder=2)
        for yi, v in zip(yy, vals):
            _text(ax, (0 if np.isnan(v) else v) + 0.008, yi, "no data" if np.isnan(v) else f"{v:.2f}", ha="left",
                  va="center", fontsize=st.NOTE_PT, color=st.MUTED if np.isnan(v) else st.INK)
    ax.set_yticks(y, labels=labels, parse_math=False)
    ax.axvline(0.5, color=st.MUTED, lw=1, ls=(0, (4, 3)), zorder=1)
    _text(ax, 0.5, m - 0.45 + max(0, 3 - m) / 2, "neutral", ha="center", va="bottom", color=st.MUTED, fontsize=st.NOTE_PT)
    ax.set_xlim(0, 1.06)
    ax.set_ylim(-0.6 - max(0, 3 - m) / 2, m - 0.25 + max(0, 3 - m) / 2)  # no fat bars when there are few rows
    ax.set_xlabel("mean trust", family=st.FONT)
    st.style_axes(ax, grid="x")
    ax.tick_params(axis="y", length=0, labelcolor=st.INK, labelsize=st.NOTE_PT if small else st.TICK_PT)
    handles, names = ax.get_legend_handles_labels()
    ax.legend(handles, names, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3,
              prop={"family": st.FONT, "size": st.TICK_PT}, labelcolor=st.INK)
    return fig


def _dimension_title(table: pd.DataFrame, dims: list[str]) -> str:
    have = [d for d in dims if table[d].notna().any()]
    n = len(table)
    if len(have) < 2:
        d = have[0]
        return f"Only {d} trust has evidence so far: {table[d].mean():.2f} on average over {st.fmt_count(n, 'provider')}"
    best, best_key, best_count, best_n = None, (-1, 0.0), 0, 0
    for a in have:
        for b in have:
            if a == b:
                continue
            both = table[a].notna() & table[b].notna()
            trails = (table[a] < table[b] - 0.01) & both
            key = (int(trails.sum()), float((table[b] - table[a])[trails].sum()))
            if key > best_key:
                best, best_key, best_count, best_n = (a, b), key, key[0], int(both.sum())
    a, b = best
    if best_count == 0:
        return "Trust is level across people, process and platform at every provider"
    if n == 1:
        name = st.short(table.index[0], 28)
        return f"At {name}, {a} trust ({table[a].iloc[0]:.2f}) trails {b} trust ({table[b].iloc[0]:.2f})"
    if best_count == best_n:
        where = "both providers" if best_n == 2 else f"all {best_n} providers"
    else:
        where = f"{best_count} of {best_n} providers"
    return f"{a.capitalize()} trust trails {b} trust at {where}"


# ----------------------------------------------------------------------------------------
# risk matrix
# ----------------------------------------------------------------------------------------
QUADRANTS = {
    "act now": st.RISK_COLOUR,      # likely to break, much at stake
    "keep close": st.PEOPLE_COLOUR,  # unlikely to break, much at stake
    "quick fixes": st.PROCESS_COLOUR,  # likely to break, little at stake
    "monitor": st.FAINT,            # unlikely, little at stake
}


def risk_matrix(
    at_risk: pd.DataFrame,
    *,
    likelihood_cut: float = 0.5,
    stake_cut: float | None = None,
    label: int = 6,
    max_points: int = 3000,
    seed: int = 0,
) -> Any:
    """Relationships by chance of breaking (x) and value at stake (y), in four named quadrants.

    Like a benefit/impact matrix: **act now** (likely to break, much at
    stake), **keep close** (unlikely, much at stake), **quick fixes** (likely,
    little at stake) and **monitor** (unlikely, little at stake). Stake is the
    ``stake`` column, or ``priority / likelihood`` where it is absent.

    Parameters
    ----------
    at_risk : DataFrame
        ``truster``, ``trustee``, ``likelihood`` (0–1), ``stake`` or ``priority``; by priority.
    likelihood_cut : float
        Likelihood above which a relationship counts as likely to break.
    stake_cut : float, optional
        Stake above which much is at stake; default the median stake.
    label : int
        How many of the highest-priority relationships in the top quadrant to name.
    max_points : int
        The most relationships drawn: the highest-priority half, and a random sample of the
        others so the cloud keeps its shape; counts and totals use all.
    seed : int
        Seed of that sample.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> risk = pd.DataFrame({"truster": ["a", "b", "c"], "trustee": ["P"] * 3,
    ...                      "likelihood": [0.9, 0.7, 0.1], "stake": [500.0, 20.0, 900.0]})
    >>> title(risk_matrix(risk))
    '1 relationship worth 500 needs action now'
    >>> title(risk_matrix(risk.iloc[0:0]))
    'No at-risk relationships found'
    """
    from matplotlib.lines import Line2D

    if not _has(at_risk, LIKELIHOOD) or not (STAKE in at_risk.columns or PRIORITY in at_risk.columns):
        return st.empty_figure("No at-risk relationships found",
                               "No relationship shows a risk factor: nothing to prioritise. Keep monitoring trust over time.")
    likelihood = _num(at_risk, LIKELIHOOD)
    stake = _num(at_risk, STAKE)
    if STAKE not in at_risk.columns or np.isnan(stake).all():
        with np.errstate(divide="ignore", invalid="ignore"):
            stake = _num(at_risk, PRIORITY) / np.where(likelihood > 0, likelihood, np.nan)
    ok = ~np.isnan(likelihood) & ~np.isnan(stake)
    priority = _num(at_risk, PRIORITY) if PRIORITY in at_risk.columns else likelihood * stake
    order = np.flatnonzero(ok)
    order = order[np.argsort(-np.nan_to_num(priority[order], nan=-np.inf), kind="stable")]  # highest priority first
    frame = at_risk.iloc[order].reset_index(drop=True)
    likelihood, stake = likelihood[order], np.clip(stake[order], 0, None)
    if not len(frame):
        return st.empty_figure("No at-risk relationships found", "No relationship has both a likelihood and a stake to place on the matrix.")
    s_cut = float(np.median(stake)) if stake_cut is None else float(stake_cut)
    likely, big = likelihood >= likelihood_cut, stake >= s_cut
    quad = np.where(likely & big, "act now", np.where(big, "keep close", np.where(likely, "quick fixes", "monitor")))
    n_act = int((quad == "act now").sum())
    v_act = float(stake[quad == "act now"].sum())
    if n_act:
        head = f"{n_act:,} {_plural(n_act, 'relationship', 'relationships')} worth {st.fmt_number(v_act)} {_plural(n_act, 'needs', 'need')} action now"
    else:
        n_quick = int((quad == "quick fixes").sum())
        head = (f"No relationship is both likely to break and high-stake; {n_quick:,} "
                f"{_plural(n_quick, 'is a quick fix', 'are quick fixes')}")
    N = len(frame)
    # draw the highest-priority half of max_points and a seeded random sample of the rest, so the
    # picture keeps the shape of all relationships while the ones to act on are all there
    n_head = min(N, max(1, int(max_points) // 2)) if N > max_points else N
    rest = np.arange(n_head, N)
    sample = np.sort(np.random.default_rng(seed).choice(rest, size=min(len(rest), int(max_points) - n_head), replace=False))
    drawn = np.concatenate([np.arange(n_head), sample]).astype(np.int64)
    shown = len(drawn)
    sub = (f"Each dot is a relationship: chance it breaks against value at stake. Cuts at {st.fmt_share(likelihood_cut)} "
           f"likelihood and the {'median ' if stake_cut is None else ''}stake ({st.fmt_number(s_cut)}). "
           + (f"Showing the {n_head:,} highest-priority and a random {len(sample):,} of the other {N - n_head:,}."
              if shown < N else f"All {N:,} relationships."))
    fig, rect = st.new_figure(head, sub)
    ax = fig.add_axes((rect[0] + 0.04, rect[1], rect[2] * 0.72, rect[3]))
    x, yv, q = likelihood[drawn], stake[drawn], quad[drawn]
    positive = stake[stake > 0]
    log = len(positive) > 0 and positive.max() / max(positive.min(), 1e-9) > 30
    floor = positive.min() / 2 if len(positive) else 1.0
    y_plot = np.where(yv > 0, yv, floor) if log else yv
    if log:
        ax.set_yscale("log")
    top_y = max(float(stake.max()), 1e-9)
    ymin = floor / 6 if log else -0.16 * max(top_y, s_cut * 2)
    ymax = top_y * 8 if log else max(top_y * 1.25, s_cut * 2)
    cut_y = max(s_cut, ymin * 1.01) if log else s_cut
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(ymin, ymax)
    ax.axvspan(likelihood_cut, 1.02, ymin=0, ymax=1, color="#F9F9FB", zorder=0)
    ax.fill_between([likelihood_cut, 1.02], cut_y, ymax, color="#FBE8DE", zorder=0)
    ax.axvline(likelihood_cut, color=st.MUTED, lw=1, zorder=1)
    ax.axhline(cut_y, color=st.MUTED, lw=1, zorder=1)
    dot = 30 if shown > 500 else 55
    for name in ("monitor", "keep close", "quick fixes", "act now"):
        sel = q == name
        ax.scatter(x[sel], y_plot[sel], s=dot, color=QUADRANTS[name], alpha=0.8 if shown > 500 else 0.9,
                   edgecolors="white", linewidths=0.5, zorder=3)
    # quadrant names with counts
    corners = {"act now": (0.99, 0.97, "right", "top"), "keep close": (0.01, 0.97, "left", "top"),
               "quick fixes": (0.99, 0.03, "right", "bottom"), "monitor": (0.01, 0.03, "left", "bottom")}
    for name, (cx, cy, ha, va) in corners.items():
        sel = quad == name
        _text(ax, cx, cy, f"{name.upper()}\n{int(sel.sum()):,} · {st.fmt_number(stake[sel].sum())} at stake",
              transform=ax.transAxes, ha=ha, va=va, fontsize=st.TICK_PT, fontweight="bold",
              color=QUADRANTS[name] if name != "monitor" else st.MUTED, zorder=5, path_effects=_halo(4))
    # number the highest-priority relationships of the top quadrant and list them beside the plot
    pick = np.flatnonzero(q == "act now")[: max(0, int(label))]
    first_quadrant = "act now"
    if not len(pick):
        pick = np.arange(min(shown, max(0, int(label))))
        first_quadrant = "highest priority"
    truster = frame[TRUSTER].iloc[drawn[pick]].astype(str).to_numpy() if TRUSTER in frame else np.full(len(pick), "?")
    trustee = frame[TRUSTEE].iloc[drawn[pick]].astype(str).to_numpy() if TRUSTEE in frame else np.full(len(pick), "?")
    lines = []
    placed: list[np.ndarray] = []
    to_axes = ax.transData + ax.transAxes.inverted()
    for j, i in enumerate(pick):
        # numbered marker, nudged right when it would sit on an earlier one
        spot = np.clip(to_axes.transform((x[i], y_plot[i])), 0.025, 0.975)
        step = np.array([-0.032 if spot[0] > 0.8 else 0.032, 0.0])  # nudge inwards near the right edge
        while any(np.hypot(*(spot - p)) < 0.035 for p in placed):
            spot = spot + step
        placed.append(spot)
        _text(ax, spot[0], spot[1], f"{j + 1}", ha="center", va="center", fontsize=st.NOTE_PT, fontweight="bold",
              color="white", zorder=7, transform=ax.transAxes)
        ax.scatter([spot[0]], [spot[1]], s=320, color=QUADRANTS[q[i]], edgecolors="white", linewidths=1.2, zorder=6,
                   transform=ax.transAxes)
        lines.append((f"{j + 1}  {st.short(truster[j], 18)}", f"    → {st.short(trustee[j], 16)} · {st.fmt_number(yv[i])}"))
    from matplotlib.ticker import PercentFormatter, FuncFormatter

    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: st.fmt_number(v)))
    ax.set_xlabel("likelihood the relationship breaks", family=st.FONT)
    ax.set_ylabel("value at stake" + (" (log scale)" if log else ""), family=st.FONT)
    st.style_axes(ax, grid="both")
    handles = [Line2D([], [], marker="o", ls="", ms=9, mfc=c, mec="white", label=name) for name, c in QUADRANTS.items()]
    _legend(ax, handles, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if lines:
        side = fig.add_axes((rect[0] + 0.04 + rect[2] * 0.755, rect[1], rect[2] * 0.2, rect[3] * 0.68))
        side.set_axis_off()
        _text(side, 0.0, 1.0, first_quadrant.capitalize() + ":", ha="left", va="top", fontsize=st.NOTE_PT,
              fontweight="bold", transform=side.transAxes)
        step = min(0.15, 0.95 / len(lines))
        for j, (who, what) in enumerate(lines):
            _text(side, 0.0, 0.93 - j * step, who + "\n" + what, ha="left", va="top", fontsize=st.NOTE_PT,
                  transform=side.transAxes, linespacing=1.25)
    return fig


# ----------------------------------------------------------------------------------------
# trust over time
# ----------------------------------------------------------------------------------------
def trust_over_time(evidence: pd.DataFrame, *, min_evidence: int = 5, window: int = 3) -> Any:
    """Monthly mean trust per dimension, from the evidence table (weighted by evidence weight).

    The title compares the last ``window`` months with the ``window`` before
    and names the dimension that moved most. Months with fewer than
    ``min_evidence`` pieces of evidence on a dimension are left out of its line.

    Parameters
    ----------
    evidence : DataFrame
        ``dimension``, ``value`` (0–1), ``weight``, ``at``.
    min_evidence : int
        Fewest pieces of evidence for a month to be drawn.
    window : int
        Months compared in the title.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> ev = pd.DataFrame({"dimension": ["process"] * 4, "value": [0.8, 0.8, 0.4, 0.4], "weight": 1.0,
    ...                    "at": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-02-03", "2025-02-10"])})
    >>> title(trust_over_time(ev, min_evidence=1, window=1))
    'Process trust fell from 0.80 to 0.40 over the last month'
    """
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.lines import Line2D

    if not _has(evidence, S.DIMENSION, EV_VALUE, EV_AT):
        return st.empty_figure("No dated evidence to follow over time",
                               "Trust over time needs dated evidence: referral dates, touchpoints or ratings with a date.")
    at = pd.to_datetime(evidence[EV_AT], errors="coerce").to_numpy(dtype="datetime64[ns]")
    dim = _codes(evidence[S.DIMENSION], S.DIMENSIONS)  # -1: not one of the three
    value = _num(evidence, EV_VALUE)
    weight = np.nan_to_num(_num(evidence, EV_WEIGHT, 1.0), nan=1.0)
    ok = ~np.isnat(at) & (dim >= 0) & ~np.isnan(value) & (weight > 0)
    if not ok.any():
        return st.empty_figure("No dated evidence to follow over time",
                               "None of the evidence has a date and a people, process or platform dimension.")
    # sums per (dimension, month) with one bincount each: fast on millions of pieces of evidence
    month = at[ok].astype("datetime64[M]").astype(np.int64)
    m0 = int(month.min())
    span = int(month.max()) - m0 + 1
    key = dim[ok].astype(np.int64) * span + (month - m0)
    n_keys = len(S.DIMENSIONS) * span
    count = np.bincount(key, minlength=n_keys)
    idx = np.flatnonzero(count)
    monthly = pd.DataFrame(
        {"wv": np.bincount(key, weights=value[ok] * weight[ok], minlength=n_keys)[idx],
         "w": np.bincount(key, weights=weight[ok], minlength=n_keys)[idx], "n": count[idx]},
        index=pd.MultiIndex.from_arrays(
            [np.asarray(S.DIMENSIONS)[idx // span], (m0 + idx % span).astype("datetime64[M]").astype("datetime64[ns]")],
            names=["dim", "month"]))
    monthly["mean"] = monthly["wv"] / monthly["w"]
    months = np.unique(monthly.index.get_level_values("month").to_numpy())
    head = _time_title(monthly, months, window)
    fig, rect = st.new_figure(head, (
        f"Monthly mean of {int(ok.sum()):,} pieces of evidence per dimension, weighted by strength "
        f"(0 betrayal, 0.5 neutral, 1 delight); months with fewer than {min_evidence} pieces left out."))
    ax = fig.add_axes((rect[0] + 0.03, rect[1], rect[2] * 0.9, rect[3]))
    lows, highs = [], []
    handles = []
    for d in S.DIMENSIONS:
        if d not in monthly.index.get_level_values(0):
            continue
        series = monthly.loc[d]
        series = series[series["n"] >= min_evidence]
        if series.empty:
            continue
        colour = st.DIMENSION_COLOURS[d]
        xs = series.index.to_numpy()
        ys = series["mean"].to_numpy()
        ax.plot(xs, ys, color=colour, lw=2.6, marker="o", ms=5 if len(xs) > 24 else 7, zorder=3)
        _text(ax, xs[-1], ys[-1], f"  {d} {ys[-1]:.2f}", color=colour, fontweight="bold", fontsize=st.TICK_PT,
              ha="left", va="center", path_effects=_halo())
        lows.append(ys.min())
        highs.append(ys.max())
        handles.append(Line2D([], [], color=colour, lw=2.6, marker="o", label=d))
    if not handles:
        return st.empty_figure(head, f"No month has {min_evidence} or more pieces of evidence on one dimension yet.")
    lo, hi = min(lows), max(highs)
    pad = max(0.05, (hi - lo) * 0.15)
    ax.set_ylim(max(0.0, lo - pad), min(1.02, hi + pad))
    if lo - pad < 0.5 < hi + pad:
        ax.axhline(0.5, color=st.MUTED, lw=1, ls=(0, (4, 3)), zorder=1)
    if len(months) == 1:
        ax.set_xlim(months[0] - np.timedelta64(20, "D"), months[0] + np.timedelta64(40, "D"))
    else:
        span = months[-1] - months[0]
        ax.set_xlim(months[0] - span * 0.03, months[-1] + span * 0.16)
    locator = AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.set_ylabel("mean trust", family=st.FONT)
    st.style_axes(ax, grid="y")
    return fig


def _time_title(monthly: pd.DataFrame, months: np.ndarray, window: int) -> str:
    dims = [d for d in S.DIMENSIONS if d in monthly.index.get_level_values(0)]
    if len(months) < 2:
        means = {d: float(monthly.loc[d]["wv"].sum() / monthly.loc[d]["w"].sum()) for d in dims}
        low = min(means, key=means.get)
        return f"One month of evidence so far: {low} trust is lowest at {means[low]:.2f}"
    w = max(1, min(int(window), len(months) // 2))
    recent, before = months[-w:], months[-2 * w:-w]
    best, best_change, best_pair = None, 0.0, (np.nan, np.nan)
    for d in dims:
        s = monthly.loc[d]
        r, b = s[s.index.isin(recent)], s[s.index.isin(before)]
        if r["w"].sum() <= 0 or b["w"].sum() <= 0:
            continue
        now, then = r["wv"].sum() / r["w"].sum(), b["wv"].sum() / b["w"].sum()
        if best is None or abs(now - then) > abs(best_change):
            best, best_change, best_pair = d, now - then, (then, now)
    period = "the last month" if w == 1 else f"the last {w} months"
    if best is None:
        return f"Too little recent evidence to compare {period} with the {w} before"
    if abs(best_change) < 0.02:
        return f"Trust held steady on every dimension over {period}"
    verb = "rose" if best_change > 0 else "fell"
    return f"{best.capitalize()} trust {verb} from {best_pair[0]:.2f} to {best_pair[1]:.2f} over {period}"


# ----------------------------------------------------------------------------------------
# the top advocate's referral cascade
# ----------------------------------------------------------------------------------------
STATUS_COLOURS = {
    S.CONVERTED: st.PEOPLE_COLOUR,
    S.PENDING: st.SKY,
    S.DECLINED: st.FAINT,
    S.CHURNED: st.RISK_COLOUR,
}
_UNKNOWN = "#C9D0D8"


def referral_cascade(graph: Any, advocates: pd.DataFrame, *, advocate: str | None = None, max_nodes: int = 250) -> Any:
    """The top advocate's referral cascade: their subtree of the first-touch referral forest, as a layered tree.

    Each person is drawn below the person whose referral acquired them,
    coloured by that referral's status and sized by their value. Beyond
    ``max_nodes`` people the deepest levels are cut, and the subtitle says so.

    Parameters
    ----------
    graph : TrustGraph
    advocates : DataFrame
        Ranked advocates, best first (``advocate``); the first is drawn unless ``advocate`` is given.
    advocate : str, optional
        Whose cascade to draw.
    max_nodes : int
        The most people drawn.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from trustnet.graph import build_graph
    >>> G = build_graph(pd.DataFrame({"referrer": ["ann", "ann", "bob"], "referred": ["bob", "cat", "dan"],
    ...                               "revenue": [100.0, 50.0, 25.0]}))
    >>> title(referral_cascade(G, pd.DataFrame({"advocate": ["ann"]})))
    "ann's referrals reached 3 people over 2 levels, worth 175"
    """
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    if advocate is None:
        if not _has(advocates, ADVOCATE):
            return st.empty_figure("No referral cascade to draw", "No one in the export has referred anyone yet.")
        advocate = str(advocates[ADVOCATE].iloc[0])
    root = int(graph.index_of([advocate])[0]) if graph.n else -1
    if root < 0:
        return st.empty_figure("No referral cascade to draw", f"{st.short(advocate, 40)} is not in the referral graph.")
    covered = _subtree(graph, np.array([root]))
    covered[root] = False
    depth_all = np.asarray(graph.depth)
    members = np.flatnonzero(covered)
    name = st.short(advocate, 28)
    if not len(members):
        return st.empty_figure(f"{name}'s referrals acquired no new customers",
                               "Everyone they referred was already a customer or was acquired by someone else first.")
    members = members[np.lexsort((members, depth_all[members]))]
    total_n = len(members)
    levels_all = int(depth_all[members].max() - depth_all[root])
    value_all = np.nan_to_num(graph.nodes["value"].to_numpy(float))
    total_value = float(value_all[members].sum())
    parent = np.asarray(graph.parent)
    status = _acquiring_status(graph, members, parent[members])
    conv = float(np.mean(status == S.CONVERTED)) if (status != "").any() else np.nan
    cut = total_n > max_nodes
    members, status = members[:max_nodes], status[:max_nodes]
    head = f"{name}'s referrals reached {total_n:,} {_plural(total_n, 'person', 'people')} over {levels_all} {_plural(levels_all, 'level', 'levels')}"
    head += f", worth {st.fmt_number(total_value)}" if total_value > 0 else ""
    sub = ("Everyone acquired through their word, level by level (first-touch referrals), coloured by the referral's status, "
           "sized by value" + (f"; {st.fmt_share(conv)} converted" if not np.isnan(conv) else "") + ". "
           + (f"Showing the first {len(members):,} of {total_n:,} people, shallowest levels first." if cut else ""))
    # tidy layered layout: leaves left to right in depth-first order, parents centred over their children
    local = {int(v): i for i, v in enumerate(members)}
    kids: dict[int, list[int]] = {root: []}
    for v in members.tolist():
        kids.setdefault(v, [])
        kids.setdefault(int(parent[v]), []).append(v)
    x: dict[int, float] = {}
    next_leaf = [0.0]

    def place(v: int) -> float:
        stack = [(v, False)]
        while stack:
            node, done = stack.pop()
            children = kids.get(node, [])
            if done or not children:
                if children:
                    x[node] = (x[children[0]] + x[children[-1]]) / 2
                else:
                    x[node] = next_leaf[0]
                    next_leaf[0] += 1
                continue
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(children))
        return x[v]

    place(root)
    d0 = int(depth_all[root])
    xs = np.array([x[int(v)] for v in members])
    ys = -(depth_all[members] - d0).astype(float)
    px = np.array([x[int(p)] for p in parent[members]])
    py = ys + 1.0
    fig, rect = st.new_figure(head, sub)
    ax = fig.add_axes((rect[0] + 0.06, rect[1], rect[2] * 0.8, rect[3]))
    mid = py - 0.5
    segs = np.stack([np.column_stack([px, py]), np.column_stack([px, mid]), np.column_stack([xs, mid]),
                     np.column_stack([xs, ys])], axis=1)
    ax.add_collection(LineCollection(segs, colors="#9AA3AE", linewidths=1.0, zorder=1))
    leaves = max(next_leaf[0], 1.0)
    base = float(np.clip(4000.0 / leaves, 14, 120))
    v = value_all[members]
    vmax = max(float(v.max()), 1e-9)
    size = base * (0.5 + 1.5 * np.sqrt(np.clip(v, 0, None) / vmax))
    colours = [STATUS_COLOURS.get(s, _UNKNOWN) for s in status]
    ax.scatter(xs, ys, s=size, c=colours, edgecolors="white", linewidths=0.6, zorder=3)
    ax.scatter([x[root]], [0.0], s=max(260.0, base * 3), c=st.INK, marker="o", zorder=4, edgecolors="white", linewidths=1.5)
    _text(ax, x[root], 0.22, name, ha="center", va="bottom", fontsize=st.TICK_PT + 1, fontweight="bold", zorder=5,
          path_effects=_halo())
    first = np.flatnonzero(ys == -1)
    # name the first level only when the names fit side by side (about 1.3 in for 14 characters)
    inch_per_unit = fig.get_figwidth() * rect[2] * 0.8 / (leaves + 0.6)
    gap = float(np.diff(np.sort(xs[first])).min()) if len(first) > 1 else float(leaves)
    if 0 < len(first) <= 12 and gap * inch_per_unit >= 1.3:
        for i in first:
            _text(ax, xs[i], ys[i] + 0.14, st.short(graph.nodes["id"].iat[members[i]], 14),
                  ha="center", va="bottom", fontsize=st.NOTE_PT, color=st.MUTED, zorder=5, path_effects=_halo())
    depth_rel = -ys
    n_levels = int(depth_rel.max())
    counts = np.bincount(depth_rel.astype(int), minlength=n_levels + 1)
    ticks = [0.0] + [-float(d) for d in range(1, n_levels + 1)]
    labels = ["advocate"] + [f"level {d}: {counts[d]:,}" for d in range(1, n_levels + 1)]
    ax.set_yticks(ticks, labels=labels, parse_math=False)
    ax.set_ylim(-n_levels - 0.5, 0.75)
    ax.set_xlim(-0.8, leaves - 0.2)
    st.style_axes(ax, grid=None)
    ax.spines["bottom"].set_visible(False)
    ax.spines["left"].set_visible(False)
    ax.set_xticks([])
    ax.tick_params(axis="y", length=0, labelcolor=st.INK)
    present = [s for s in STATUS_COLOURS if s in set(status)]
    handles = [Line2D([], [], marker="o", ls="", ms=10, mfc=STATUS_COLOURS[s], mec="white", label=s) for s in present]
    if (status == "").any():
        handles.append(Line2D([], [], marker="o", ls="", ms=10, mfc=_UNKNOWN, mec="white", label="status unknown"))
    handles.append(Line2D([], [], marker="o", ls="", ms=7, mfc=st.FAINT, mec="white", label="size = value"))
    _legend(ax, handles, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def _acquiring_status(graph: Any, child: np.ndarray, par: np.ndarray) -> np.ndarray:
    """The status of the referral par → child that acquired each child ("" when unknown)."""
    refs = graph.referrals
    if not len(child) or S.STATUS not in refs.columns:
        return np.full(len(child), "", dtype=object)
    referred = refs["referred_idx"].to_numpy(np.int64)
    rows = np.isin(referred, child)  # only the drawn people's referrals, not the whole export
    status = refs[S.STATUS].to_numpy(dtype=object)[rows]
    table = pd.DataFrame({"referrer_idx": refs["referrer_idx"].to_numpy(np.int64)[rows], "referred_idx": referred[rows],
                          "status": np.where(pd.isna(status), "", status).astype(object)})
    table = table.drop_duplicates(["referrer_idx", "referred_idx"], keep="first")
    want = pd.DataFrame({"referrer_idx": par.astype(np.int64), "referred_idx": child.astype(np.int64)})
    merged = want.merge(table, on=["referrer_idx", "referred_idx"], how="left")
    return merged["status"].fillna("").astype(str).to_numpy(dtype=object)


# ----------------------------------------------------------------------------------------
# all figures
# ----------------------------------------------------------------------------------------
def report_figures(
    graph: Any,
    relationships: pd.DataFrame,
    evidence: pd.DataFrame,
    advocates: pd.DataFrame,
    at_risk: pd.DataFrame,
    *,
    top: int = 10,
    seed: int = 0,
) -> dict[str, Any]:
    """Every figure of the report, by name (:data:`FIGURE_NAMES`), in report order.

    Parameters
    ----------
    graph : TrustGraph
    relationships, evidence : DataFrame
        ``TrustScores.relationships`` and ``TrustScores.evidence``.
    advocates, at_risk : DataFrame
        The ranked advocates and at-risk relationships.
    top : int
        Advocates labelled on the network map.
    seed : int
        Seed of the network layout.

    Returns
    -------
    dict of str to matplotlib.figure.Figure

    Examples
    --------
    >>> from trustnet.graph import build_graph
    >>> G = build_graph(pd.DataFrame({"referrer": ["ann"], "referred": ["bob"]}))
    >>> out = report_figures(G, G.relationships, pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    >>> list(out) == list(FIGURE_NAMES)
    True
    """
    return {
        "network_map": network_map(graph, relationships, advocates, at_risk, top=top, seed=seed),
        "advocate_leaderboard": advocate_leaderboard(advocates),
        "trust_by_dimension": trust_by_dimension(relationships),
        "risk_matrix": risk_matrix(at_risk),
        "trust_over_time": trust_over_time(evidence),
        "top_cascade": referral_cascade(graph, advocates),
    }
