"""Whom to nurture: the advocates that together reach the most under an independent cascade.

The model: referral ties between people (referrer → referred, one tie per
pair) carry a cascade. When an advocate is nurtured (active), each tie out of
an active person fires once, independently, with probability

    p(a → c) = people trust of c in a  ×  a's smoothed conversion rate

(``people`` of the ``referred_by`` relationship c → a from the trust model,
0.5 when unscored; the conversion rate of :func:`rank_advocates`, 0.5 when the
export records no outcomes). Expected *new* reach of a set of seeds is the
expected number of people other than the seeds that end up active.

Selection uses reverse-reachable (RR) sets (Borgs et al. 2014; Tang et al.
2014, "TIM"/"IMM"): pick a random person v who can be reached at all, flip
every tie into v backwards and collect everyone who reaches v over live ties.
A seed set reaches v with the same probability as it meets v's RR set, so
``new reach ≈ reachable × share of RR sets met (rooted outside the seeds)``.
Greedy maximum coverage over the RR sets, with exact incremental counts, picks
the seeds (the RIS form of lazy-greedy CELF; no lazy evaluation is needed
because every gain is kept up to date). Picks are made on one batch of RR
sets and measured on a second, independent batch, so the reported reach is
not inflated by the noise the greedy choice exploits; the top-k advocates by
referral count are measured on that same second batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..graph import TrustGraph
from ..settings import Settings
from . import metrics as M

__all__ = ["nurture", "cascade_edges", "NURTURE_COLUMNS", "MAX_MEMBERS"]

#: Columns of :func:`nurture`, in order.
NURTURE_COLUMNS = (
    "rank", "advocate", "direct_referrals", "marginal_gain", "expected_reach",
    "by_count_advocate", "by_count_expected_reach", "extra_reach", "node",
)

PEOPLE = "people"


def cascade_edges(graph: TrustGraph, scores: Any = None, settings: Settings | None = None,
                  exclude: Any = None) -> pd.DataFrame:
    """The ties of the independent cascade with their probabilities.

    Returns
    -------
    DataFrame
        ``source``, ``target`` (node indices, one row per referrer → referred
        pair, self-referrals dropped) and ``p`` (0..1).

    Examples
    --------
    >>> import pandas as pd
    >>> from trustnet.graph import build_graph
    >>> G = build_graph(pd.DataFrame({"referrer": ["a", "a"], "referred": ["b", "c"],
    ...                               "status": ["converted", "declined"]}))
    >>> cascade_edges(G)["p"].round(3).tolist()   # 0.5 trust x (1 + 2 * 0.5) / (2 + 2)
    [0.25, 0.25]
    """
    settings = settings or Settings()
    keep = M.referral_mask(graph, exclude)
    refs = graph.referrals
    n = max(graph.n, 1)
    r = refs["referrer_idx"].to_numpy()[keep].astype(np.int64)
    d = refs["referred_idx"].to_numpy()[keep].astype(np.int64)
    pair = M.sorted_unique(r * n + d)
    src, dst = pair // n, pair % n
    loop = src == dst
    src, dst = src[~loop], dst[~loop]
    conv = M.conversion(graph, keep, settings.advocates.conversion_smoothing)["conversion_rate"].to_numpy()
    rate = np.nan_to_num(conv[src], nan=0.5)
    trust = np.full(len(src), 0.5)
    if scores is not None:
        M._check_scores(graph, scores)
        if PEOPLE in scores.relationships.columns:
            rows = M._relationship_rows(graph, dst, src)
            people = scores.relationships[PEOPLE].to_numpy(dtype=float, na_value=np.nan)
            found = rows >= 0
            trust[found] = np.nan_to_num(people[rows[found]], nan=0.5)
    return pd.DataFrame({"source": src, "target": dst, "p": np.clip(trust * rate, 0.0, 1.0)})


#: Sampling of RR sets stops early once they hold this many members in all: a supercritical cascade
#: (ties that almost always fire around a large cycle) would otherwise fill the memory.
MAX_MEMBERS = 5_000_000


class _RRSets:
    """Reverse-reachable sets: ``root`` per set, (``set``, ``node``) member pairs (root excluded).

    Sets are drawn in growing chunks (256, 1,024, ... up to 65,536 at a time)
    until ``count`` sets are drawn or they hold :data:`MAX_MEMBERS` members;
    ``count`` is then the number actually drawn.
    """

    def __init__(self, edges: pd.DataFrame, n: int, count: int, rng: np.random.Generator) -> None:
        src = edges["source"].to_numpy()
        dst = edges["target"].to_numpy()
        prob = edges["p"].to_numpy()
        by_target = np.argsort(dst, kind="stable")
        src, prob = src[by_target], prob[by_target]
        indptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(dst, minlength=n), out=indptr[1:])
        self.candidates = np.flatnonzero(np.diff(indptr) > 0)  # people someone could reach
        self.reachable = len(self.candidates)
        want = count if self.reachable else 0
        roots, sets, nodes = [], [], []
        done, members, chunk = 0, 0, 256
        while done < want and members < MAX_MEMBERS:
            size = min(chunk, want - done)
            if done:  # keep the next chunk within the budget at the mean set size so far
                size = min(size, max(1, int((MAX_MEMBERS - members) / max(members / done, 1.0))))
            root = self.candidates[rng.integers(0, self.reachable, size)]
            for local_set, node in self._grow(root, indptr, src, prob, n, rng):
                sets.append(local_set + done)
                nodes.append(node)
                members += len(node)
            roots.append(root)
            done += size
            chunk = min(chunk * 4, 65_536)
        self.count = done
        self.root = np.concatenate(roots) if roots else np.zeros(0, np.int64)
        self.set = np.concatenate(sets) if sets else np.zeros(0, np.int64)
        self.node = np.concatenate(nodes) if nodes else np.zeros(0, np.int64)

    @staticmethod
    def _grow(root: np.ndarray, indptr: np.ndarray, src: np.ndarray, prob: np.ndarray, n: int,
              rng: np.random.Generator) -> Any:
        """Reverse BFS from every root at once, one vectorised step per level; yields (set, node) per level."""
        f_set = np.arange(len(root), dtype=np.int64)
        f_node = root.astype(np.int64)
        seen = np.sort(f_set * n + f_node)  # visited (set, node) keys, sorted ...
        recent = np.zeros(0, np.int64)  # ... and the recent ones, merged in when they reach a quarter of it
        while len(f_set):
            start, stop = indptr[f_node], indptr[f_node + 1]
            deg = stop - start
            total = int(deg.sum())
            if not total:
                return
            e_set = np.repeat(f_set, deg)
            offs = np.arange(total) - np.repeat(np.cumsum(deg) - deg, deg)
            e = np.repeat(start, deg) + offs
            live = rng.random(total) < prob[e]
            key = M.sorted_unique(e_set[live] * n + src[e[live]])
            new = key[~(_member(seen, key) | _member(recent, key))]
            if not len(new):
                return
            recent = np.sort(np.concatenate([recent, new]), kind="stable")  # merges two sorted runs
            if 4 * len(recent) > len(seen):  # amortised: each key is merged O(log) times
                seen, recent = np.sort(np.concatenate([seen, recent]), kind="stable"), recent[:0]
            f_set, f_node = new // n, new % n
            yield f_set, f_node

    def scale(self) -> float:
        return self.reachable / self.count if self.count else 0.0

    def reach_of_prefixes(self, picks: np.ndarray, n: int) -> np.ndarray:
        """Estimated new reach of picks[:1], picks[:2], ... (people other than the picks)."""
        k = len(picks)
        rank = np.full(n, k, np.int64)
        rank[picks] = np.arange(k)
        first = np.full(self.count, k, np.int64)
        np.minimum.at(first, self.set, rank[self.node])
        root_rank = rank[self.root]
        # a set counts for prefixes j with first <= j < root_rank
        hits = first < np.minimum(root_rank, k)
        diff = np.bincount(first[hits], minlength=k + 1).astype(float)
        ends = hits & (root_rank < k)
        diff -= np.bincount(root_rank[ends], minlength=k + 1)
        return np.cumsum(diff)[:k] * self.scale()


def _member(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Which ``keys`` are in ``sorted_keys`` (binary search; the keys need not be sorted)."""
    if not len(sorted_keys):
        return np.zeros(len(keys), bool)
    pos = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[pos] == keys


def _greedy(rr: _RRSets, candidates: np.ndarray, k: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Greedy maximum coverage of the RR sets by k candidates; returns the picks and their marginal gains."""
    order = np.argsort(rr.node, kind="stable")
    node_sets = rr.set[order]
    node_ptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(rr.node, minlength=n), out=node_ptr[1:])
    order = np.argsort(rr.set, kind="stable")
    set_nodes = rr.node[order]
    set_ptr = np.zeros(rr.count + 1, np.int64)
    np.cumsum(np.bincount(rr.set, minlength=rr.count), out=set_ptr[1:])
    root_order = np.argsort(rr.root, kind="stable")
    root_ptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(rr.root, minlength=n), out=root_ptr[1:])

    cover = np.bincount(rr.node, minlength=n).astype(np.int64)  # uncovered sets each node meets
    covered_rooted = np.zeros(n, np.int64)  # covered sets rooted at each node (lost if it becomes a seed)
    covered = np.zeros(rr.count, bool)
    is_cand = np.zeros(n, bool)
    is_cand[candidates] = True
    picks, gains = [], []
    for _ in range(k):  # k picks, each a vectorised update
        gain = np.where(is_cand, cover - covered_rooted, np.iinfo(np.int64).min)
        s = int(np.argmax(gain))
        if not is_cand[s]:
            break
        picks.append(s)
        gains.append(int(gain[s]))
        is_cand[s] = False
        hit = node_sets[node_ptr[s]:node_ptr[s + 1]]
        hit = hit[~covered[hit]]
        rooted = root_order[root_ptr[s]:root_ptr[s + 1]]
        fresh_rooted = rooted[~covered[rooted]]
        newly = M.sorted_unique(np.concatenate([hit, fresh_rooted]))  # sets rooted at a seed leave too
        covered[newly] = True
        np.add.at(covered_rooted, rr.root[hit], 1)
        covered_rooted[s] = 0
        members = _members(set_nodes, set_ptr, newly)
        np.subtract.at(cover, members, 1)
    return np.asarray(picks, np.int64), np.asarray(gains, float) * rr.scale()


def _members(set_nodes: np.ndarray, set_ptr: np.ndarray, sets: np.ndarray) -> np.ndarray:
    start, stop = set_ptr[sets], set_ptr[sets + 1]
    deg = stop - start
    total = int(deg.sum())
    offs = np.arange(total) - np.repeat(np.cumsum(deg) - deg, deg)
    return set_nodes[np.repeat(start, deg) + offs]


def nurture(
    graph: TrustGraph,
    scores: Any = None,
    k: int | None = None,
    settings: Settings | None = None,
    *,
    exclude: Any = None,
) -> pd.DataFrame:
    """Pick the k advocates that together maximise expected new reach, and compare with the busiest k.

    See the module docstring for the cascade model and the reverse-reachable
    sets. Candidates are the advocates (people with at least one referral).
    ``settings.advocates.nurture_samples`` RR sets are drawn for picking and as
    many again for measuring, seeded by ``settings.advocates.seed``.

    Parameters
    ----------
    graph : TrustGraph
    scores : TrustScores, optional
        Edge probabilities use the ``people`` trust of each referred person in
        their referrer; 0.5 without scores.
    k : int, optional
        How many to pick (default ``settings.advocates.nurture_k``); capped at
        the number of advocates.
    settings : Settings, optional
    exclude : array of bool, optional
        One value per row of ``graph.referrals``; true sets a referral aside.

    Returns
    -------
    DataFrame
        One row per pick, in pick order: ``rank``; ``advocate``;
        ``direct_referrals``; ``marginal_gain`` (expected new people the pick
        adds, on the picking batch); ``expected_reach`` (expected new people
        reached by picks 1..rank, on the measuring batch);
        ``by_count_advocate`` and ``by_count_expected_reach`` (the same for
        the advocates with the most referrals, ties by id); ``extra_reach``
        (the difference); ``node``. ``attrs`` holds the totals:
        ``expected_reach``, ``by_count_expected_reach``, ``extra_reach``,
        ``extra_reach_pct``, ``samples`` (RR sets per batch; fewer than asked
        when a supercritical cascade fills :data:`MAX_MEMBERS`) and
        ``reachable`` (people any tie leads to).

    Examples
    --------
    >>> import pandas as pd
    >>> from trustnet.graph import build_graph
    >>> refs = pd.DataFrame({
    ...     "referrer": ["busy"] * 4 + ["ann", "ann", "bob", "cat"],
    ...     "referred": ["p1", "p2", "p3", "p4", "bob", "eve", "cat", "dan"],
    ...     "status": ["declined"] * 4 + ["converted"] * 4})
    >>> picks = nurture(build_graph(refs), k=1)
    >>> picks[["advocate", "direct_referrals", "by_count_advocate"]]
      advocate  direct_referrals by_count_advocate
    0      ann                 2              busy
    >>> picks.attrs["extra_reach"] > 0   # ann's converting chain beats busy's four declines
    True
    """
    settings = settings or Settings()
    cfg = settings.advocates
    k = cfg.nurture_k if k is None else k
    if not isinstance(k, (int, np.integer)) or k < 0:
        raise InputError(f"k must be a whole number of advocates to pick (0 or more), got {k!r}")
    if cfg.nurture_samples < 1:
        raise InputError(f"advocates.nurture_samples must be at least 1, got {cfg.nurture_samples}")
    n = graph.n
    keep = M.referral_mask(graph, exclude)
    made = np.bincount(graph.referrals["referrer_idx"].to_numpy()[keep], minlength=n)
    candidates = np.flatnonzero(made > 0)
    k = int(min(k, len(candidates)))
    edges = cascade_edges(graph, scores, settings, exclude)
    rng = np.random.default_rng(cfg.seed)
    pick_sets = _RRSets(edges, n, cfg.nurture_samples, rng)
    measure_sets = _RRSets(edges, n, cfg.nurture_samples, rng)

    picks, gains = _greedy(pick_sets, candidates, k, n)
    # the busiest k: most referrals, ties by id (node index order is id order)
    busiest = candidates[np.lexsort((candidates, -made[candidates]))][:k]
    if len(picks) < k:  # no RR set meets anyone else: fill up with the busiest not yet picked
        rest = busiest[~np.isin(busiest, picks)][: k - len(picks)]
        picks = np.concatenate([picks, rest])
        gains = np.concatenate([gains, np.zeros(len(rest))])
    reach = measure_sets.reach_of_prefixes(picks, n)
    base = measure_sets.reach_of_prefixes(busiest, n)
    ids = graph.nodes["id"].array  # (Arrow text: taking a few is cheap, converting all is not)
    out = pd.DataFrame({
        "rank": np.arange(1, k + 1),
        "advocate": pd.Series(ids.take(picks), dtype="str"),
        "direct_referrals": made[picks],
        "marginal_gain": gains,
        "expected_reach": reach,
        "by_count_advocate": pd.Series(ids.take(busiest), dtype="str"),
        "by_count_expected_reach": base,
        "extra_reach": reach - base,
        "node": picks,
    }).loc[:, list(NURTURE_COLUMNS)]
    total = float(reach[-1]) if k else 0.0
    by_count = float(base[-1]) if k else 0.0
    out.attrs.update({
        "expected_reach": total,
        "by_count_expected_reach": by_count,
        "extra_reach": total - by_count,
        "extra_reach_pct": 100.0 * (total - by_count) / by_count if by_count > 0 else float("nan"),
        "samples": int(pick_sets.count),
        "reachable": int(pick_sets.reachable),
    })
    return out
