"""The risk matrix: likelihood a relationship breaks against what is at stake, in four named quadrants."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import style as st
from ._base import (
    TRUSTER, TRUSTEE, LIKELIHOOD, STAKE, PRIORITY, title,
    _has, _num, _plural, _text, _halo, _legend,
)

__all__ = ["risk_matrix", "QUADRANTS"]


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
        line_step = min(0.15, 0.95 / len(lines))
        for j, (who, what) in enumerate(lines):
            _text(side, 0.0, 0.93 - j * line_step, who + "\n" + what, ha="left", va="top", fontsize=st.NOTE_PT,
                  transform=side.transAxes, linespacing=1.25)
    return fig
