"""The trust figures: trust by dimension per provider, and trust over time."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ... import schema as S
from .. import style as st
from ._base import (
    TRUSTEE, KIND, ADVOCATE_KIND, CUSTOMER_KIND, EV_VALUE, EV_WEIGHT,
    EV_AT, title, _has, _num, _codes, _kind_codes,
    _text, _halo,
)

__all__ = ["trust_by_dimension", "trust_over_time"]


#: rows summed at a time in :func:`trust_over_time`
_BLOCK = 1 << 20
#: months from 1970 to the ends of what datetime64[ns] holds (1677-2262) are within ±_MONTH0
_MONTH0 = 3600


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
    kinds = codes[with_provider]
    frame = pd.DataFrame({TRUSTEE: relationships[TRUSTEE][with_provider].reset_index(drop=True)})  # only the columns drawn
    for d in dims:
        frame[d] = _num(relationships, d)[with_provider]
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
    assert best is not None  # two dimensions with evidence: the first pair compared wins over (-1, 0)
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
    'Process trust fell to 0.40 in the last month, from 0.80'
    """
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.lines import Line2D

    if not _has(evidence, S.DIMENSION, EV_VALUE, EV_AT):
        return st.empty_figure("No dated evidence to follow over time",
                               "Trust over time needs dated evidence: referral dates, touchpoints or ratings with a date.")
    # sums per (dimension, month) with bincounts, a block of rows at a time: millions of pieces of evidence
    # never need more than a few block-sized arrays. Months are counted from 1970 and shifted by _MONTH0, so
    # every month a datetime64[ns] can hold has its own bin without a first pass for the range.
    dim_all = _codes(evidence[S.DIMENSION], S.DIMENSIONS)  # -1: not one of the three
    span = 2 * _MONTH0
    n_keys = len(S.DIMENSIONS) * span
    count, wv, w = np.zeros(n_keys, np.int64), np.zeros(n_keys), np.zeros(n_keys)
    for start in range(0, len(evidence), _BLOCK):
        block = evidence.iloc[start:start + _BLOCK]
        at = pd.to_datetime(block[EV_AT], errors="coerce").to_numpy(dtype="datetime64[ns]")
        dim = dim_all[start:start + _BLOCK]
        value = _num(block, EV_VALUE)
        weight = np.nan_to_num(_num(block, EV_WEIGHT, 1.0), nan=1.0)
        ok = ~np.isnat(at) & (dim >= 0) & ~np.isnan(value) & (weight > 0)
        month = at[ok].astype("datetime64[M]").astype(np.int64) + _MONTH0
        key = dim[ok].astype(np.int64) * span + month
        wt = weight[ok]
        count += np.bincount(key, minlength=n_keys)
        wv += np.bincount(key, weights=value[ok] * wt, minlength=n_keys)
        w += np.bincount(key, weights=wt, minlength=n_keys)
    n_ok = int(count.sum())
    if not n_ok:
        return st.empty_figure("No dated evidence to follow over time",
                               "None of the evidence has a date and a people, process or platform dimension.")
    m0 = -_MONTH0
    idx = np.flatnonzero(count)
    monthly = pd.DataFrame(
        {"wv": wv[idx], "w": w[idx], "n": count[idx]},
        index=pd.MultiIndex.from_arrays(
            [np.asarray(S.DIMENSIONS)[idx // span], (m0 + idx % span).astype("datetime64[M]").astype("datetime64[ns]")],
            names=["dim", "month"]))
    monthly["mean"] = monthly["wv"] / monthly["w"]
    months = np.unique(monthly.index.get_level_values("month").to_numpy())
    head = _time_title(monthly, months, window)
    fig, rect = st.new_figure(head, (
        f"Monthly mean of {n_ok:,} pieces of evidence per dimension, weighted by strength "
        f"(0 betrayal, 0.5 neutral, 1 delight); months with fewer than {min_evidence} pieces left out."))
    ax = fig.add_axes((rect[0] + 0.03, rect[1], rect[2] * 0.9, rect[3]))
    lows, highs = [], []
    handles = []
    ends: list[tuple[float, Any, str, str]] = []
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
        ends.append((float(ys[-1]), xs[-1], f"  {d} {ys[-1]:.2f}", colour))
        lows.append(ys.min())
        highs.append(ys.max())
        handles.append(Line2D([], [], color=colour, lw=2.6, marker="o", label=d))
    if not handles:
        return st.empty_figure(head, f"No month has {min_evidence} or more pieces of evidence on one dimension yet.")
    lo, hi = min(lows), max(highs)
    pad = max(0.05, (hi - lo) * 0.15)
    y0, y1 = max(0.0, lo - pad), min(1.02, hi + pad)
    ax.set_ylim(y0, y1)
    # end labels (the legend), pushed apart so that close lines keep readable names
    gap = 0.06 * (y1 - y0)
    ends.sort(key=lambda e: e[0])
    label_y = [e[0] for e in ends]
    for i in range(1, len(label_y)):
        label_y[i] = max(label_y[i], label_y[i - 1] + gap)
    shift = max(0.0, label_y[-1] - (y1 - gap / 2)) if label_y else 0.0
    for (_, x_end, text, colour), y_label in zip(ends, label_y):
        _text(ax, x_end, y_label - shift, text, color=colour, fontweight="bold", fontsize=st.TICK_PT, ha="left",
              va="center", path_effects=_halo())
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
        low = min(means, key=lambda d: means[d])
        return f"One month of evidence so far: {low} trust is lowest at {means[low]:.2f}"
    # a last month with under half the usual evidence is the export's partial tail: leave it out of the comparison
    per_month = monthly.groupby(level="month")["n"].sum().reindex(months).to_numpy()
    if len(months) > 2 and per_month[-1] < 0.5 * np.median(per_month):
        months = months[:-1]
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
    if abs(best_change) < 0.03:  # monthly means wander by a few hundredths; smaller moves are noise
        return f"Trust held steady on every dimension over {period}"
    then, now = best_pair
    if w == 1:
        return f"{best.capitalize()} trust {'rose' if best_change > 0 else 'fell'} to {now:.2f} in the last month, from {then:.2f}"
    # window means, not the last point: say so, or a reader compares the title with the line's last label
    return (f"{best.capitalize()} trust averaged {now:.2f} over {period}, "
            f"{'up' if best_change > 0 else 'down'} from {then:.2f}")
