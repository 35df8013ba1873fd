"""The network map: who carries trust to whom, and which ties may break."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .. import style as st
from ._base import (
    TRUSTER, TRUSTEE, KIND, TRUSTER_IDX, TRUSTEE_IDX, OVERALL,
    ADVOCATE_KIND, CUSTOMER_KIND, REFERRED_BY_KIND, ADVOCATE, REACH, LIKELIHOOD,
    title, _has, _num, _kind_codes, _plural, _halo,
    _legend, _subtree,
)

__all__ = ["network_map"]


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
    "Top 2 advocates' referral trees hold 3 people: 100% of customers"
    """
    from matplotlib.collections import LineCollection
    from matplotlib.colors import Normalize
    from matplotlib.lines import Line2D
    import matplotlib

    n = int(graph.n)
    if n == 0:
        return st.empty_figure("No network to draw", "The export holds no referrals, so there is no network yet.")
    nodes = graph.nodes
    ids = nodes["id"]
    is_provider = nodes["is_provider"].to_numpy(bool)
    is_customer = nodes["is_customer"].to_numpy(bool)

    adv = advocates if _has(advocates, ADVOCATE) else pd.DataFrame({ADVOCATE: pd.Series([], dtype=str)})
    risky = pd.DataFrame({TRUSTER: pd.Series([], dtype=str), TRUSTEE: pd.Series([], dtype=str)})
    if _has(at_risk, TRUSTER, TRUSTEE):
        risky = at_risk[[TRUSTER, TRUSTEE]]  # only the columns used: no copy of the text columns
        if LIKELIHOOD in at_risk.columns:
            risky = risky[_num(at_risk, LIKELIHOOD) >= risk_cut]
    # one lookup for the three id columns (each lookup hashes every node id)
    found = graph.index_of(pd.concat([adv[ADVOCATE], risky[TRUSTER], risky[TRUSTEE]], ignore_index=True))
    adv_idx, risk_src, risk_dst = np.split(found, np.cumsum([len(adv), len(risky)]))
    reach = np.zeros(n)
    if REACH in adv.columns and len(adv):
        ok = adv_idx >= 0
        reach[adv_idx[ok]] = np.nan_to_num(_num(adv, REACH)[ok])
    top_idx = adv_idx[adv_idx >= 0][: max(0, int(top))]
    ok = (risk_src >= 0) & (risk_dst >= 0)
    risk_src, risk_dst = risk_src[ok], risk_dst[ok]

    rel_src = relationships[TRUSTER_IDX].to_numpy(np.int64) if TRUSTER_IDX in relationships else graph.index_of(relationships[TRUSTER])
    rel_dst = relationships[TRUSTEE_IDX].to_numpy(np.int64) if TRUSTEE_IDX in relationships else graph.index_of(relationships[TRUSTEE])
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
        who = "The top advocate's" if k == 1 else f"Top {k} advocates'"
        head = f"{who} referral trees hold {n_held:,} {_plural(n_held, 'person', 'people')}: {st.fmt_share(n_held / n_customers)} of customers"
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
        ax.add_collection(LineCollection(segs(e_src[sel], e_dst[sel]),  # type: ignore[arg-type]  # matplotlib's stub wants a sequence; an (n, 2, 2) array is one
                                         colors=colour, linewidths=width, alpha=alpha, zorder=1))
    ax.add_collection(LineCollection(segs(rk_src, rk_dst),  # type: ignore[arg-type]  # matplotlib's stub wants a sequence; an (n, 2, 2) array is one
                                     colors=st.RISK_COLOUR, linewidths=1.6, alpha=0.9, zorder=2))

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
    _place_labels(ax, [(pos[local[i]], st.short(str(ids.iat[i]), 20), bool(is_provider[i]),
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
    assert best is not None  # the loop above ran at least once
    for (members, xy, _), (cx, cy) in zip(local_pos, best[1]):
        pos[members] = xy + (cx, cy)
        centre[members] = (cx, cy)
    return pos, centre
