"""The advocate figures: the leaderboard and the top advocate's referral cascade."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ... import schema as S
from .. import style as st
from ._base import (
    ADVOCATE, SCORE, SCORE_PCT, SEGMENT, DIRECT, CONVERSION,
    VALUE_ATTRIBUTED, title, _has, _num, _plural, _text,
    _halo, _legend, _subtree,
)

__all__ = ["advocate_leaderboard", "referral_cascade", "STATUS_COLOURS"]


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
    colours = [st.SEGMENT_COLOURS.get(str(s), st.PEOPLE_COLOUR) for s in segments]
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

    note = ""
    if advocate is None:
        if not _has(advocates, ADVOCATE):
            return st.empty_figure("No referral cascade to draw", "No one in the export has referred anyone yet.")
        # the best-ranked advocate whose referrals acquired someone (a first-touch child in the forest)
        ranked = graph.index_of(advocates[ADVOCATE])
        parent = np.asarray(graph.parent)
        has_child = np.zeros(graph.n + 1, dtype=bool)
        has_child[parent[parent >= 0]] = True
        with_tree = np.flatnonzero(has_child[ranked])  # index -1 (unknown) reads the extra False slot
        pick = int(with_tree[0]) if len(with_tree) else 0
        advocate = str(advocates[ADVOCATE].iloc[pick])
        root = int(ranked[pick]) if len(ranked) else -1
        if pick > 0:
            note = (f"The {pick:,} better-ranked {_plural(pick, 'advocate', 'advocates')} acquired no new customer "
                    f"{_plural(pick, 'themself', 'themselves')}; this is advocate no. {pick + 1}. ")
    else:
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
    sub = note + ("Everyone acquired through their word, level by level (first-touch referrals), coloured by the referral's status, "
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
    ax.add_collection(LineCollection(segs, colors="#9AA3AE", linewidths=1.0, zorder=1))  # type: ignore[arg-type]  # matplotlib's stub wants a sequence; an (n, 2, 2) array is one
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
