"""The report's figures for a rating network (who rated whom): one function per figure.

A rating network has no providers, referrals or cascades, so the referral
figures that need them are replaced here: the network map (people sized by
reputation, coloured by trust received or by group, negative ratings in red),
the trust carriers' leaderboard, the untrustworthy-accounts matrix, the
distribution of trust received, the bridges between groups (when people have a
group attribute) and, when ratings are dated, trust over time (the referral
report's own figure). Same conventions as :mod:`trustnet.report.figures`:
titles state the finding, Okabe–Ito colours, no pyplot state, seeded layouts.

Examples
--------
>>> import pandas as pd
>>> adv = pd.DataFrame({"advocate": ["a", "b"], "score": [3.0, 1.5], "score_pct": [100.0, 50.0],
...                     "trusted_by": [4, 2], "positive_share": [1.0, 0.5], "reach": [9, 3],
...                     "segment": ["cornerstone", "trusted"]})
>>> from trustnet.report.figures import title
>>> title(trust_carriers(adv))
'Trust carries furthest through a and b'
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import style as st

__all__ = ["rating_network_map", "trust_carriers", "untrustworthy_accounts", "trust_distribution",
           "group_bridges", "rating_figures", "SEGMENT_COLOURS"]

#: trust-carrier segments (``rank_trust_carriers``) → colour
SEGMENT_COLOURS = {"cornerstone": st.PEOPLE_COLOUR, "well trusted": st.SKY, "trusted": st.FAINT}
#: categorical colours for groups (sites, teams), colour-blind safe
GROUP_COLOURS = (st.PEOPLE_COLOUR, st.PROCESS_COLOUR, st.PLATFORM_COLOUR, st.PURPLE, st.SKY, st.YELLOW,
                 st.RISK_COLOUR, "#7F8A96")
_NO_MATH = {"parse_math": False}


def _text(ax: Any, x: float, y: float, s: str, **kw: Any) -> Any:
    kw.setdefault("fontsize", st.TICK_PT)
    kw.setdefault("color", st.INK)
    kw.setdefault("family", st.FONT)
    return ax.text(x, y, s, **_NO_MATH, **kw)


def _halo(width: float = 3.0) -> list[Any]:
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=width, foreground="white")]


def _label_points(ax: Any, xy: np.ndarray, texts: list[str], styles: list[dict[str, Any]],
                  radii: np.ndarray | None = None, obstacles: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    """Label points greedily: each label takes the first spot (right, left, above, below, diagonals, then
    the same further out) that covers no earlier label, labelled point or obstacle (other drawn points:
    positions and radii in points); with no free spot it goes right of its point."""
    ax.get_xlim(), ax.get_ylim()  # settle autoscaled limits before reading positions
    fig = ax.figure
    scale = fig.dpi / 72.0
    pts = ax.transData.transform(np.asarray(xy, dtype=float).reshape(-1, 2)) if len(texts) else np.zeros((0, 2))
    rad = (np.full(len(pts), 4.0) if radii is None else np.asarray(radii, dtype=float)) * scale
    # the labelled points themselves stay uncovered
    taken: list[tuple[float, float, float, float]] = [(x - r, y - r, x + r, y + r) for (x, y), r in zip(pts, rad)]
    if obstacles is not None and len(obstacles[0]):
        other = ax.transData.transform(np.asarray(obstacles[0], dtype=float).reshape(-1, 2))
        taken += [(x - r, y - r, x + r, y + r) for (x, y), r in zip(other, np.asarray(obstacles[1]) * scale)]
    to_data = ax.transData.inverted()
    for (px, py), text, style, r in zip(pts, texts, styles, rad):
        size = style.get("fontsize", st.TICK_PT) * scale
        w, h = 0.62 * size * len(text) + 4, 1.25 * size
        gap = r + 0.2 * size
        spots = [(g, -h / 2) for g in (gap, 1.8 * gap)]
        for g in (gap, 1.8 * gap):
            spots += [(-g - w, -h / 2), (-w / 2, g), (-w / 2, -g - h), (g, g * 0.3), (g, -h - g * 0.3),
                      (-g - w, g * 0.3), (-g - w, -h - g * 0.3)]
        chosen = None
        for dx, dy in spots:
            box = (px + dx, py + dy, px + dx + w, py + dy + h)
            if all(box[2] <= b[0] or box[0] >= b[2] or box[3] <= b[1] or box[1] >= b[3] for b in taken):
                chosen = box
                break
        chosen = chosen or (px + gap, py - h / 2, px + gap + w, py + h / 2)
        taken.append(chosen)
        x, y = to_data.transform((chosen[0] + 2, chosen[1] + h / 2))
        _text(ax, x, y, text, ha="left", va="center", path_effects=_halo(), **style)


def _names(ids: list[str]) -> str:
    ids = [st.short(i, 20) for i in ids]
    if len(ids) <= 1:
        return "".join(ids)
    return ", ".join(ids[:-1]) + " and " + ids[-1]


def _group_colours(values: pd.Series) -> tuple[np.ndarray, list[str], list[str]]:
    labels = values.astype("str").where(values.notna(), "unknown")
    cats = sorted(labels.unique(), key=lambda x: (x == "unknown", len(x), x))
    code = pd.Categorical(labels, categories=cats).codes
    palette = [GROUP_COLOURS[i % len(GROUP_COLOURS)] if c != "unknown" else st.FAINT for i, c in enumerate(cats)]
    return np.asarray(palette, dtype=object)[code], cats, palette


# ----------------------------------------------------------------------------------------
# network map
# ----------------------------------------------------------------------------------------
def _drawn_nodes(n: int, src: np.ndarray, dst: np.ndarray, focus: np.ndarray, rank: np.ndarray,
                 max_nodes: int) -> np.ndarray:
    """The focus people and, for each, their best-ranked neighbours, at most ``max_nodes`` in all."""
    if n <= max_nodes:
        return np.arange(n)
    if not len(focus):
        return np.argsort(-rank, kind="stable")[:max_nodes]
    per = max(1, (max_nodes - len(focus)) // len(focus))
    is_focus = np.full(n, -1, np.int64)
    is_focus[focus] = np.arange(len(focus))
    a = np.r_[src, dst]
    b = np.r_[dst, src]
    sel = is_focus[a] >= 0
    pairs = pd.DataFrame({"f": is_focus[a[sel]], "nb": b[sel], "r": -rank[b[sel]]}).drop_duplicates(["f", "nb"])
    pairs = pairs.sort_values(["f", "r", "nb"], kind="stable")
    pairs = pairs[pairs.groupby("f").cumcount() < per]
    keep = pd.unique(np.r_[focus, pairs["nb"].to_numpy()])
    return np.sort(keep[:max_nodes])


def rating_network_map(nodes: pd.DataFrame, relationships: pd.DataFrame, advocates: pd.DataFrame,
                       at_risk: pd.DataFrame, *, group: str | None = None, top: int = 15, label: int = 8,
                       max_nodes: int = 250, signed: bool = True, seed: int = 0) -> Any:
    """The rating network: people sized by reputation, coloured by trust received (or group), distrust in red.

    On a network larger than ``max_nodes`` only the ``top`` trust carriers and the
    ``top`` most likely untrustworthy accounts are drawn with their best-reputed
    neighbours; the subtitle says so. The layout is Kamada–Kawai up to 120 people, else a
    seeded spring layout. With ``signed=False`` (every tie the same: an advice network)
    the ties are drawn as arrows and nothing is called negative or untrustworthy.

    Parameters
    ----------
    nodes : DataFrame
        ``id``, ``reputation``, ``people`` (trust received) and, with ``group``, that column.
    relationships : DataFrame
        ``truster_idx``, ``trustee_idx``, ``people`` (the rating on 0..1).
    advocates, at_risk : DataFrame
        ``rank_trust_carriers`` (``advocate``) and ``find_untrustworthy`` (``account``, ``likelihood``).
    group : str, optional
        A node column naming each person's group: nodes are coloured by it.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> nodes = pd.DataFrame({"id": ["a", "b", "c"], "reputation": [0.5, 0.3, 0.2], "people": [0.9, 0.8, 0.1]})
    >>> rel = pd.DataFrame({"truster_idx": [1, 2, 0], "trustee_idx": [0, 0, 2], "people": [1.0, 0.9, 0.0]})
    >>> adv = pd.DataFrame({"advocate": ["a"]})
    >>> risk = pd.DataFrame({"account": ["c"], "likelihood": [0.9]})
    >>> from trustnet.report.figures import title
    >>> title(rating_network_map(nodes, rel, adv, risk))
    'The top person holds 50% of all reputation; 1 account is more likely untrustworthy than not'
    """
    import networkx as nx
    from matplotlib.collections import LineCollection
    from matplotlib.colors import Normalize
    from matplotlib.lines import Line2D

    n = len(nodes)
    if n == 0 or not len(relationships):
        return st.empty_figure("No network to draw", "The file holds no rating between two different people.")
    ids = nodes["id"].astype("str").to_numpy()
    index = pd.Index(ids)
    rep = nodes["reputation"].to_numpy(float)
    src = relationships["truster_idx"].to_numpy(np.int64)
    dst = relationships["trustee_idx"].to_numpy(np.int64)
    trust_edge = relationships["people"].to_numpy(float)
    top_idx = (index.get_indexer(pd.Index(advocates["advocate"].astype("str").head(top))) if len(advocates)
               else np.array([], np.int64))
    risky = at_risk[at_risk["likelihood"] >= 0.5] if len(at_risk) else at_risk
    bad_idx = index.get_indexer(pd.Index(risky["account"].astype("str"))) if len(risky) else np.array([], np.int64)
    focus = np.asarray(pd.unique(np.r_[top_idx, bad_idx[:top]]), dtype=np.int64)
    keep = _drawn_nodes(n, src, dst, focus, rep, max_nodes)
    local = np.full(n, -1, np.int64)
    local[keep] = np.arange(len(keep))
    both = (local[src] >= 0) & (local[dst] >= 0)
    e_src, e_dst, e_neg = local[src[both]], local[dst[both]], trust_edge[both] < 0.5

    G = nx.Graph()
    G.add_nodes_from(range(len(keep)))
    G.add_edges_from(zip(e_src.tolist(), e_dst.tolist()))
    if len(keep) <= 120:  # started from a seeded spring layout: deterministic, and it converges in a few steps
        pos_d = nx.kamada_kawai_layout(G, pos=nx.spring_layout(G, seed=seed, iterations=50))
    else:
        pos_d = nx.spring_layout(G, seed=seed, iterations=80, k=1.6 / np.sqrt(max(len(keep), 1)))
    pos = np.array([pos_d[i] for i in range(len(keep))]) if len(keep) else np.zeros((0, 2))

    # --- finding
    k = min(len(advocates), 10)
    held = float(rep[top_idx[:k]].sum()) if k else 0.0
    n_bad = int(len(risky))
    who = "The top person holds" if k == 1 else f"The top {k} people hold"
    head = (f"{who} {st.fmt_share(held)} of all reputation; "
            + (f"{st.fmt_count(n_bad, 'account')} {'is' if n_bad == 1 else 'are'} more likely untrustworthy than not"
               if n_bad else "no account is more likely untrustworthy than not"))
    if group is not None and group in nodes and "ties_across_groups" in nodes and len(advocates):
        first = str(advocates["advocate"].iloc[0])
        g_first = nodes[group].iloc[index.get_loc(first)]
        spans = int(nodes["groups_reached"].to_numpy()[index.get_loc(first)]) if "groups_reached" in nodes else 0
        head = (f"{st.short(first, 20)} ({group} {g_first}) {'carries the most trust' if signed else 'is the most influential'}"
                f" and is tied to {st.fmt_count(spans, 'other ' + group, 'other ' + group + 's')}")
    elif not signed and len(advocates):
        head = f"{_names([str(a) for a in advocates['advocate'].head(3)])} are the most influential"
    partial = len(keep) < n
    drawn = (f"Showing the top {len(top_idx)} trust carriers and {min(len(bad_idx), top)} likeliest untrustworthy "
             f"accounts with their best-reputed contacts: {len(keep):,} of {n:,} people. ") if partial else f"All {n:,} people. "
    colour_note = f"coloured by {group}" if group is not None and group in nodes else "coloured by the trust they receive"
    sub = drawn + (f"Size = reputation, {colour_note}; red lines: negative ratings, red rings: likely untrustworthy."
                   if signed else f"Size = influence (reputation: named by people who are themselves named), "
                   f"{colour_note}; arrows point to the person turned to.")
    fig, rect = st.new_figure(head, sub)
    frame = (rect[0], rect[1], rect[2] * 0.8, rect[3])
    ax = fig.add_axes(frame)
    ax.set_axis_off()

    def segs(a: np.ndarray, b: np.ndarray) -> list[np.ndarray]:
        return list(np.stack([pos[a], pos[b]], axis=1)) if len(a) else []

    few = len(keep) <= 40
    r_keep = rep[keep]
    size = 25.0 + 900.0 * np.sqrt(r_keep / max(float(r_keep.max()), 1e-12))
    if few:
        from matplotlib.patches import FancyArrowPatch

        radius = np.sqrt(size) / 2.0  # marker radius in points
        for a, b, neg in zip(e_src.tolist(), e_dst.tolist(), e_neg.tolist()):
            ax.add_patch(FancyArrowPatch(pos[a], pos[b], arrowstyle="-|>", mutation_scale=9,
                                         color=st.RISK_COLOUR if neg else "#7F8A96", lw=0.8, alpha=0.6,
                                         shrinkA=radius[a], shrinkB=radius[b] + 1.5, zorder=1))
        e_src, e_dst, e_neg = e_src[:0], e_dst[:0], e_neg[:0]
    ax.add_collection(LineCollection(segs(e_src[~e_neg], e_dst[~e_neg]), colors="#7F8A96" if few else st.FAINT,
                                     linewidths=0.9 if few else 0.5, alpha=0.55 if few else 0.35, zorder=1))
    ax.add_collection(LineCollection(segs(e_src[e_neg], e_dst[e_neg]), colors=st.RISK_COLOUR, linewidths=1.0,
                                     alpha=0.8, zorder=2))
    handles: list[Any] = []
    if group is not None and group in nodes:
        colours, cats, palette = _group_colours(nodes[group].iloc[keep].reset_index(drop=True))
        face = list(colours)
        handles += [Line2D([], [], marker="o", ls="", ms=11, mfc=c, mec="white", label=f"{group} {g}")
                    for g, c in zip(cats, palette)]
        cmap = norm = None
    else:
        import matplotlib

        cmap = matplotlib.colormaps["viridis"]
        norm = Normalize(0.0, 1.0)
        face = cmap.with_extremes(bad="#D9DEE4")(norm(np.ma.masked_invalid(nodes["people"].to_numpy(float)[keep])))
    is_bad = np.zeros(n, bool)
    is_bad[bad_idx[bad_idx >= 0]] = True
    ring = np.where(is_bad[keep], st.RISK_COLOUR, "white")
    order = np.argsort(size, kind="stable")
    ax.scatter(pos[order, 0], pos[order, 1], s=size[order], c=np.asarray(face, dtype=object)[order].tolist(),
               edgecolors=ring[order].tolist(), linewidths=np.where(is_bad[keep], 2.0, 0.7)[order], zorder=3)
    if len(keep):
        (x0, y0), (x1, y1) = pos.min(axis=0), pos.max(axis=0)
        pad = 0.08 * max(x1 - x0, y1 - y0, 1e-9)
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - pad, y1 + pad)
    named = [(i, True) for i in top_idx[:label] if i >= 0 and local[i] >= 0]
    named += [(i, False) for i in bad_idx[:max(3, label // 2)] if i >= 0 and local[i] >= 0]
    if few:
        named = [(i, i in set(top_idx[:label].tolist())) for i in keep]
    _label_points(ax, np.array([pos[local[i]] for i, _ in named]).reshape(-1, 2),
                  [st.short(ids[i], 16) for i, _ in named],
                  [{"zorder": 5, "fontsize": st.NOTE_PT if few else st.TICK_PT,
                    "fontweight": "bold" if good else "normal",
                    "color": st.INK if (good or few) else st.RISK_COLOUR} for _, good in named],
                  radii=np.array([np.sqrt(size[local[i]]) / 2.0 for i, _ in named]),
                  obstacles=(pos, np.sqrt(size) / 2.0))
    if signed:
        handles += [Line2D([], [], color=st.RISK_COLOUR, lw=2, label="negative rating"),
                    Line2D([], [], color="#7F8A96", lw=2, label="positive rating"),
                    Line2D([], [], marker="o", ls="", ms=11, mfc="white", mec=st.RISK_COLOUR, mew=2,
                           label="likely untrustworthy")]
    else:
        handles += [Line2D([], [], color="#7F8A96", lw=2, label="tie → person turned to")]
    lax = fig.add_axes((rect[0] + rect[2] * 0.82, rect[1] + rect[3] * 0.42, rect[2] * 0.18, rect[3] * 0.58))
    lax.set_axis_off()
    lax.legend(handles=handles, loc="upper left", frameon=False, prop={"family": st.FONT, "size": st.NOTE_PT},
               borderaxespad=0)
    if cmap is not None:
        from matplotlib.cm import ScalarMappable

        cax = fig.add_axes((rect[0] + rect[2] * 0.835, rect[1] + rect[3] * 0.04, rect[2] * 0.018, rect[3] * 0.3))
        bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=cax)
        bar.outline.set_visible(False)
        bar.ax.tick_params(labelsize=st.NOTE_PT, colors=st.MUTED)
        bar.set_label("trust received (0–1)", fontsize=st.NOTE_PT, color=st.INK, family=st.FONT)
    return fig


# ----------------------------------------------------------------------------------------
# leaderboard
# ----------------------------------------------------------------------------------------
def trust_carriers(advocates: pd.DataFrame, *, top: int = 15, signed: bool = True) -> Any:
    """The people whose trust carries furthest, as a ranked bar chart of reputation.

    Bars: ``score`` (reputation in multiples of an average person's share), coloured
    by ``segment``; right: ``trusted_by``, ``positive_share`` (signed networks) and ``reach``.
    With ``signed=False`` (every tie the same rating: an advice or friendship network)
    the words say "named by" instead of "trusted by".

    Examples
    --------
    >>> import pandas as pd
    >>> import trustnet
    >>> r = pd.DataFrame({"rater": ["a", "b", "c", "a", "b", "c", "d"], "ratee": ["b", "a", "a", "x", "x", "x", "x"],
    ...                   "rating": [5, 4, 5, -5, -4, -5, 1]})
    >>> analysis = trustnet.analyse(r, kind="ratings")
    >>> fig = trust_carriers(analysis.advocates)
    >>> fig.get_suptitle()
    'Trust carries furthest through a and b'
    """
    from matplotlib.patches import Patch

    if advocates is None or not len(advocates):
        return st.empty_figure("No one is trusted by a positive rating yet",
                               "Nobody received a positive rating, so there is no one whose trust carries.")
    show = advocates.head(max(1, int(top))).reset_index(drop=True)
    names = show["advocate"].astype("str").tolist()
    head = (f"Trust carries furthest through {_names(names[:3])}" if signed else
            f"{_names(names[:3])} are the most influential")
    verb = "trusted by" if signed else "named by"
    sub = (f"The {len(show)} best of {len(advocates):,} people by reputation (PageRank over positive ratings weighted "
           f"by the raters' reliability), in multiples of an average person's share; right: {verb}, "
           "share of positive ratings, people who trust them directly or through one person they trust."
           if signed else
           f"The {len(show)} best of {len(advocates):,} people by influence (PageRank over the ties: named by people "
           "who are themselves named), in multiples of an average person's share; right: named by, people who turn "
           "to them directly or through one person they turn to.")
    fig, rect = st.new_figure(head, sub, bottom=1.2)
    ax = fig.add_axes((rect[0] + rect[2] * 0.13, rect[1], rect[2] * 0.6, rect[3]))
    y = np.arange(len(show))[::-1]
    score = show["score"].to_numpy(float)
    seg = show["segment"].astype("str").to_numpy() if "segment" in show else np.full(len(show), "trusted")
    ax.barh(y, score, color=[SEGMENT_COLOURS.get(str(s), st.FAINT) for s in seg], height=0.7, zorder=2)
    ax.set_yticks(y, labels=[f"{i + 1}. {st.short(a, 18)}" for i, a in enumerate(names)], **_NO_MATH)
    x_max = float(score.max()) * 1.1 if score.max() > 0 else 1.0
    ax.set_xlim(0, x_max)
    ax.set_ylim(-0.6, len(show) - 0.4)
    ax.set_xlabel("reputation (× an average person's)", family=st.FONT)
    st.style_axes(ax, grid="x")
    ax.tick_params(axis="y", length=0, labelcolor=st.INK)
    for yi, v in zip(y, score):
        inside = v >= 0.2 * x_max
        _text(ax, v - 0.015 * x_max if inside else v + 0.01 * x_max, yi, f"{v:.1f}×", ha="right" if inside else "left",
              va="center", color="white" if inside else st.MUTED, fontweight="bold" if inside else "normal", zorder=3)
    tx = fig.add_axes((rect[0] + rect[2] * 0.75, rect[1], rect[2] * 0.25, rect[3]), sharey=ax)
    tx.set_axis_off()
    cols = [(verb, show["trusted_by"].to_numpy(float), lambda v: f"{v:,.0f}")]
    if signed:
        cols.append(("positive", show["positive_share"].to_numpy(float), st.fmt_share))
    cols.append(("reach", show["reach"].to_numpy(float), lambda v: f"{v:,.0f}"))
    for j, (name, vals, fmt) in enumerate(cols):
        x = 0.2 + 0.33 * j
        _text(tx, x, len(show) - 0.45, name, ha="right", va="bottom", color=st.MUTED, fontsize=st.NOTE_PT,
              transform=tx.get_yaxis_transform())
        for yi, v in zip(y, vals):
            _text(tx, x, yi, "–" if np.isnan(v) else fmt(v), ha="right", va="center",
                  transform=tx.get_yaxis_transform())
    present = [s for s in SEGMENT_COLOURS if s in set(seg)]
    ax.legend(handles=[Patch(color=SEGMENT_COLOURS[s], label=s + {"cornerstone": " (top 1%)", "well trusted": " (top 10%)"}.get(s, ""))
                       for s in present], loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=len(present),
              frameon=False, prop={"family": st.FONT, "size": st.NOTE_PT})
    return fig


# ----------------------------------------------------------------------------------------
# untrustworthy accounts
# ----------------------------------------------------------------------------------------
def untrustworthy_accounts(at_risk: pd.DataFrame, *, label: int = 10, strong: float = 0.9) -> Any:
    """The accounts most likely untrustworthy: likelihood against the people who dealt with them.

    Examples
    --------
    >>> import pandas as pd
    >>> risk = pd.DataFrame({"account": ["x", "y"], "likelihood": [0.95, 0.6], "stake": [40, 3],
    ...                      "priority": [38.0, 1.8]})
    >>> from trustnet.report.figures import title
    >>> title(untrustworthy_accounts(risk))
    '2 accounts are more likely untrustworthy than not; 1 overwhelmingly so'
    """
    if at_risk is None or not len(at_risk):
        return st.empty_figure("No account looks untrustworthy",
                               "No one received more distrust than trust from the people who rated them.")
    like = at_risk["likelihood"].to_numpy(float)
    stake = at_risk["stake"].to_numpy(float)
    n_strong = int((like >= strong).sum())
    head = (f"{st.fmt_count(len(at_risk), 'account')} {'is' if len(at_risk) == 1 else 'are'} more likely "
            f"untrustworthy than not; {n_strong:,} overwhelmingly so")
    sub = (f"Each dot is an account: how likely it is untrustworthy (distrust received, weighted by the raters' "
           f"reliability) against the people who rated it. Red: {st.fmt_share(strong)} or more (avoid); "
           f"orange: verify before trading. The {min(label, len(at_risk))} highest priorities are named.")
    fig, rect = st.new_figure(head, sub)
    ax = fig.add_axes((rect[0] + 0.04, rect[1] + 0.02, rect[2] * 0.92, rect[3] - 0.02))
    colour = np.where(like >= strong, st.RISK_COLOUR, st.PROCESS_COLOUR)
    ax.scatter(like, stake, s=40, c=colour.tolist(), alpha=0.7, edgecolors="white", linewidths=0.5, zorder=3)
    if stake.max() > 30:
        ax.set_yscale("log")
    ax.set_xlim(0.48, 1.01)
    ax.axvline(strong, color=st.MUTED, lw=1, ls=(0, (4, 3)), zorder=1)
    ax.set_xlabel("likelihood the account is untrustworthy", family=st.FONT)
    ax.set_ylabel("people who rated it (stake)", family=st.FONT)
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    st.style_axes(ax, grid="both")
    names = at_risk["account"].astype("str").to_numpy()
    k = min(label, len(at_risk))
    _label_points(ax, np.c_[like[:k], stake[:k]], [st.short(x, 14) for x in names[:k]],
                  [{"fontsize": st.NOTE_PT, "zorder": 4}] * k)
    return fig


# ----------------------------------------------------------------------------------------
# distribution of trust received
# ----------------------------------------------------------------------------------------
def trust_distribution(nodes: pd.DataFrame, *, signed: bool = True) -> Any:
    """How trust received is spread over people: trust on 0..1 (signed) or ties received (unsigned).

    Examples
    --------
    >>> import pandas as pd
    >>> nodes = pd.DataFrame({"people": [0.9, 0.8, 0.2, float("nan")], "ratings_received": [3, 2, 1, 0]})
    >>> from trustnet.report.figures import title
    >>> title(trust_distribution(nodes))
    '2 of 3 rated people (67%) are trusted on balance; 1 is distrusted'
    """
    received = nodes["ratings_received"].to_numpy(np.int64)
    if not (received > 0).any():
        return st.empty_figure("Nobody has been rated yet", "Trust received needs at least one rating.")
    if signed:
        trust = nodes["people"].to_numpy(float)
        trust = trust[~np.isnan(trust)]
        n_pos, n_neg = int((trust > 0.5).sum()), int((trust < 0.5).sum())
        head = (f"{n_pos:,} of {len(trust):,} rated people ({st.fmt_share(n_pos / len(trust))}) are trusted on balance; "
                f"{n_neg:,} {'is' if n_neg == 1 else 'are'} distrusted")
        sub = ("People by the trust they receive: each rating on 0–1, weighted by the rater's reliability, "
               "pulled towards neutral (0.5) when there are few ratings.")
        fig, rect = st.new_figure(head, sub)
        ax = fig.add_axes((rect[0] + 0.05, rect[1] + 0.02, rect[2] * 0.9, rect[3] - 0.02))
        bins = np.linspace(0, 1, 41)
        counts, edges = np.histogram(trust, bins=bins)
        mids = (edges[:-1] + edges[1:]) / 2
        ax.bar(mids, counts, width=(edges[1] - edges[0]) * 0.9,
               color=np.where(mids < 0.5, st.RISK_COLOUR, st.PEOPLE_COLOUR).tolist(), zorder=2)
        ax.axvline(0.5, color=st.MUTED, lw=1, ls=(0, (4, 3)))
        ax.set_xlabel("trust received (0 = distrusted, 0.5 = neutral, 1 = fully trusted)", family=st.FONT)
        ax.set_ylabel("people", family=st.FONT)
        if counts.max() > 50 * max(1, np.median(counts[counts > 0])):
            ax.set_yscale("log")
    else:
        ranked = np.sort(received)[::-1]
        share = np.cumsum(ranked) / ranked.sum()
        k = int(np.searchsorted(share, 0.5 - 1e-12) + 1)
        none = int((received == 0).sum())
        head = (f"{k} of {len(received)} people receive half of all ties"
                + (f"; {none} {'is' if none == 1 else 'are'} named by no one" if none else ""))
        sub = "People by how many others name them (ties received)."
        fig, rect = st.new_figure(head, sub)
        ax = fig.add_axes((rect[0] + 0.05, rect[1] + 0.02, rect[2] * 0.9, rect[3] - 0.02))
        values, counts = np.unique(received, return_counts=True)
        ax.bar(values, counts, width=0.8, color=np.where(values == 0, st.RISK_COLOUR, st.PEOPLE_COLOUR).tolist(),
               zorder=2)
        ax.set_xlabel("ties received (times named by others)", family=st.FONT)
        ax.set_ylabel("people", family=st.FONT)
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    st.style_axes(ax, grid="y")
    return fig


# ----------------------------------------------------------------------------------------
# bridges between groups
# ----------------------------------------------------------------------------------------
def group_bridges(nodes: pd.DataFrame, group: str, *, top: int = 15) -> Any:
    """Who ties the groups (sites, teams) together: people by ties to other groups, coloured by their own.

    Examples
    --------
    >>> import pandas as pd
    >>> nodes = pd.DataFrame({"id": ["a", "b", "c"], "site": [1, 1, 2], "ties_across_groups": [2, 0, 1],
    ...                       "groups_reached": [1, 0, 1], "ratings_given": [1, 1, 1], "ratings_received": [1, 1, 1]})
    >>> from trustnet.report.figures import title
    >>> title(group_bridges(nodes, "site"))
    'a bridges the most: 2 ties to 1 other site; 1 person has no tie outside their site'
    """
    from matplotlib.patches import Patch

    ties = nodes["ties_across_groups"].to_numpy(np.int64)
    if not (ties > 0).any():
        return st.empty_figure(f"No tie crosses from one {group} to another",
                               f"Every rating stays inside its {group}: nobody bridges them.")
    order = np.lexsort((nodes["id"].astype("str").to_numpy(), -nodes["groups_reached"].to_numpy(), -ties))
    show = nodes.iloc[order[:top]].reset_index(drop=True)
    inside = int((ties == 0).sum())
    first = show.iloc[0]
    spans = int(first["groups_reached"])
    head = (f"{st.short(first['id'], 20)} bridges the most: {int(first['ties_across_groups'])} ties to "
            f"{spans} other {group}{'s' if spans != 1 else ''}"
            + (f"; {inside} {'person has' if inside == 1 else 'people have'} no tie outside their {group}"
               if inside else ""))
    sub = (f"People by their ties (given or received) to people of another {group}, coloured by their own {group}; "
           f"right: how many other {group}s those ties reach.")
    fig, rect = st.new_figure(head, sub, bottom=1.2)
    ax = fig.add_axes((rect[0] + rect[2] * 0.1, rect[1], rect[2] * 0.7, rect[3]))
    colours, cats, palette = _group_colours(show[group])
    y = np.arange(len(show))[::-1]
    ax.barh(y, show["ties_across_groups"].to_numpy(float), color=list(colours), height=0.7, zorder=2)
    ax.set_yticks(y, labels=[st.short(i, 18) for i in show["id"].astype("str")], **_NO_MATH)
    ax.set_ylim(-0.6, len(show) - 0.4)
    ax.set_xlabel(f"ties to people of another {group}", family=st.FONT)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    st.style_axes(ax, grid="x")
    ax.tick_params(axis="y", length=0, labelcolor=st.INK)
    tx = fig.add_axes((rect[0] + rect[2] * 0.84, rect[1], rect[2] * 0.16, rect[3]), sharey=ax)
    tx.set_axis_off()
    _text(tx, 0.5, len(show) - 0.45, f"other {group}s", ha="right", va="bottom", color=st.MUTED, fontsize=st.NOTE_PT,
          transform=tx.get_yaxis_transform())
    for yi, v in zip(y, show["groups_reached"].to_numpy()):
        _text(tx, 0.5, yi, f"{int(v)}", ha="right", va="center", transform=tx.get_yaxis_transform())
    ax.legend(handles=[Patch(color=c, label=f"{group} {g}") for g, c in zip(cats, palette)], loc="upper center",
              bbox_to_anchor=(0.5, -0.13), ncol=min(len(cats), 6), frameon=False,
              prop={"family": st.FONT, "size": st.NOTE_PT})
    return fig


# ----------------------------------------------------------------------------------------
# all of them
# ----------------------------------------------------------------------------------------
def rating_figures(analysis: Any, *, top: int = 15) -> dict[str, Any]:
    """Every figure of a rating network's report, by file stem, in report order.

    ``network_map``, ``trust_carriers``, ``untrustworthy_accounts``, ``trust_distribution``,
    ``group_bridges`` (only when people have a group) and ``trust_over_time`` (only when
    ratings are dated).

    Examples
    --------
    >>> import pandas as pd
    >>> import trustnet
    >>> r = pd.DataFrame({"rater": ["a", "b", "c", "a", "b", "c", "d"], "ratee": ["b", "a", "a", "x", "x", "x", "x"],
    ...                   "rating": [5, 4, 5, -5, -4, -5, 1]})
    >>> analysis = trustnet.analyse(r, kind="ratings")
    >>> list(rating_figures(analysis))
    ['network_map', 'trust_carriers', 'untrustworthy_accounts', 'trust_distribution']
    """
    from .figures import trust_over_time

    scores = analysis.scores
    nodes = analysis.nodes
    group = scores.group
    signed = bool(scores.network.get("positive_share", 1.0) < 1.0) or \
        analysis.graph.relationships["rating"].nunique() > 1
    out = {
        "network_map": rating_network_map(nodes, analysis.relationships, analysis.advocates, analysis.at_risk,
                                          group=group, top=top, signed=signed),
        "trust_carriers": trust_carriers(analysis.advocates, signed=signed),
        "untrustworthy_accounts": untrustworthy_accounts(analysis.at_risk),
        "trust_distribution": trust_distribution(nodes, signed=signed),
    }
    if not signed:  # no rating is negative: nothing to call untrustworthy, the matrix would be empty
        out.pop("untrustworthy_accounts")
    if group is not None and "ties_across_groups" in nodes:
        out["group_bridges"] = group_bridges(nodes, group)
    at = scores.evidence["at"]
    if at.notna().any():
        fig = trust_over_time(scores.evidence)
        for text in fig.findobj(lambda a: getattr(a, "get_gid", lambda: None)() == "title"):
            # one dimension only: "on every dimension" would promise three
            text.set_text(text.get_text().replace("Trust held steady on every dimension", "Trust in people held steady"))
        out["trust_over_time"] = fig
    return out
