"""Suspicious referrals and accounts: self-referrals, rings, farms, bursts — each explained.

Referral programmes pay for referrals, so some are fake: people refer
themselves under a second e-mail, friends refer each other in circles, and
farms enrol batches of accounts that never buy anything. Pairwise rules (same
e-mail, same cookie) catch the clumsy cases; the shape of the network catches
the rest. :func:`find_suspicious` scores every referral between 0 and 1,
names the signals behind the score and says why in words. Nothing is deleted:
referrals at or above ``settings.fraud.threshold`` are *set aside* (left out of
advocate value and reach) unless ``settings.fraud.keep_suspicious`` is set.

Signals and their weights
-------------------------
Each signal that fires on a referral contributes its weight ``w`` (times a
level between 0 and 1 where noted); the suspicion is the noisy-OR
``1 - prod(1 - w * level)``, so two independent medium signals add up to more
than either. ``settings.fraud.weights`` overrides any weight by name.

=====================  ======  ==================================================================
signal                 weight  fires when
=====================  ======  ==================================================================
``self_referral``      0.99    referrer and referred are the same id
``same_email``         0.95    the two e-mails are equal after trimming and lower-casing
``email_alias``        0.90    the e-mails reach the same mailbox once ``+tags`` are dropped (every
                               domain) and dots are dropped (gmail.com / googlemail.com, which
                               ignore them): ``a.lice+promo@GMail.com`` is ``alice@gmail.com``
``cycle``              0.80    the referral lies on a referral cycle for one provider (A → B → C →
                               A): level 1 when a cycle of at most ``max_cycle_length`` referrals
                               runs through it inside a strongly connected component of at most
                               ``max_cluster_size`` accounts, or when it is a mutual referral
                               (A → B → A) anywhere; 0.85 when it lies on a longer ring inside
                               such a small component
``same_fingerprint``   0.70    the referred's IP/device/payment fingerprint is the one the
                               referrer had when they were referred; level 0.6 when the referred
                               account has been active since (touchpoints or referrals of its
                               own) or declined the referral: more likely one household than a
                               second account of the referrer
``burst``              0.70    the referrer made at least ``burst_min_referrals`` referrals within
                               ``burst_window_hours``, at least ``burst_dead_share`` of them to
                               accounts that never converted, never spent, never appeared in the
                               touchpoints and never referred anyone (this one too); level 0.5
                               when the export has no conversion, revenue or touchpoint data to
                               tell (volume alone)
``same_name``          0.60    same name after removing accents, case and punctuation; level 1
                               for a full name (two words or more), 0.4 for a single word, times
                               ``min(1, 3 / accounts holding the name)``, times 0.6 when the
                               referred account has been active since or declined
``dense_cluster``      0.60    both accounts belong to a small cluster (3 to
                               ``max_cluster_size`` accounts, held together by referral triangles
                               and cycles) whose accounts mostly refer each other: at least 40%
                               of the possible pairs are referrals and at least 60% of the
                               members' referrals stay inside; level 0.5 for 3 accounts, 1 for 4+
``shared_fingerprint`` 0.60    the referrer referred several accounts from the same fingerprint:
                               level 1 for three or more, 0.5 for two; times 0.6 when the
                               referred account has been active since or declined
``duplicate_account``  0.50    the referred's mailbox (after normalisation) already belongs to
                               another account first seen earlier (or at the same time)
``batch_timestamp``    0.50    the referrer made three or more referrals with the identical
                               timestamp (only when the export records the time of day, and
                               when at most 10% of the referrals, or 10, are stamped so)
``fast_conversion``    0.50    converted within ``fast_conversion_seconds`` of the referral (only
                               when the export records the time of day, and when at most 10% of
                               the conversions, or 10, are that fast: otherwise the export's conversion
                               time is the sign-up, not an order)
``mailbox_name``       0.40    same mailbox name (six characters or more, dots, dashes and
                               ``+tags`` ignored) at a different domain
``converted_early``    0.30    converted before the referral was made
=====================  ======  ==================================================================

E-mails come from ``referrer_email``/``referred_email`` where the export has
them (values that are not e-mails there, such as the keyed hashes of
``--anonymise``, are compared as they are), otherwise from the ids when they
are e-mails; names from
``referrer_name``/``referred_name``; the fingerprint (of the referred) from
``fingerprint``. Signals whose columns are absent simply do not fire.

Bounds of the graph searches
----------------------------
Cycles are searched on the referral graph of each provider separately (a
person refers friends to a tiler and is referred to a painter by one of them:
no cycle). Strongly connected components come from
``scipy.sparse.csgraph`` in O(V + E); every referral inside one lies on some
cycle. Inside components of at most ``max_cluster_size`` accounts (rings), the
shortest cycle through each referral u → v is measured up to
``max_cycle_length`` (at most 6): a meet-in-the-middle search expands
``ceil((L-1)/2)`` steps forward from v and ``floor((L-1)/2)`` steps backward
from u with sparse matrix products, in blocks of referrals, so the work is at
most (referrals in small components) × ``max_cluster_size``. Inside larger
components (a referral programme rarely has one; in an advice or rating
network cycles are everywhere and say nothing) only mutual referrals
A → B → A count, found by a sorted lookup in O(E log E). Triangles are counted
on the undirected person graph with every edge pointed from the lower to the
higher degree, so the wedges enumerated stay near O(E·sqrt(E)) even around
star advocates, and are enumerated in blocks of two million.

Examples
--------
>>> import pandas as pd
>>> from trustnet.graph import build_graph
>>> refs = pd.DataFrame({
...     "referrer": ["ann@x.com", "bob@gmail.com", "cat@x.com"],
...     "referred": ["dan@x.com", "b.o.b+2@gmail.com", "eve@x.com"],
... })
>>> found = find_suspicious(build_graph(refs))
>>> found.referrals[["referrer", "referred", "suspicion", "signals"]]
        referrer           referred  suspicion      signals
0      ann@x.com          dan@x.com        0.0
1  bob@gmail.com  b.o.b+2@gmail.com        0.9  email_alias
2      cat@x.com          eve@x.com        0.0
>>> found.set_aside.tolist()
[False, True, False]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp
from scipy.sparse import csgraph

from . import schema as S
from .errors import InputError, SettingsError
from .graph import TrustGraph
from .settings import FraudSettings, Settings

__all__ = [
    "Suspicion",
    "find_suspicious",
    "canonical_email",
    "canonical_name",
    "SIGNALS",
    "SUSPICION",
    "SIGNALS_COLUMN",
    "WHY",
    "SET_ASIDE",
]

#: signal name -> (default weight, one-line description); ordered by weight, strongest first
SIGNALS: dict[str, tuple[float, str]] = {
    "self_referral": (0.99, "referrer and referred are the same id"),
    "same_email": (0.95, "same e-mail"),
    "email_alias": (0.90, "same mailbox after dropping +tags (and dots at gmail)"),
    "cycle": (0.80, "on a referral cycle"),
    "same_fingerprint": (0.70, "same IP/device/payment fingerprint as the referrer"),
    "burst": (0.70, "part of a burst of referrals to accounts that never converted"),
    "same_name": (0.60, "same name as the referrer"),
    "dense_cluster": (0.60, "inside a small cluster of accounts that mostly refer each other"),
    "shared_fingerprint": (0.60, "several accounts referred from one fingerprint"),
    "duplicate_account": (0.50, "the referred mailbox already belongs to another account"),
    "batch_timestamp": (0.50, "identical timestamps in a batch"),
    "fast_conversion": (0.50, "converted seconds after the referral"),
    "mailbox_name": (0.40, "same mailbox name at another domain"),
    "converted_early": (0.30, "converted before the referral"),
}
_BIT = {name: 1 << i for i, name in enumerate(SIGNALS)}

SUSPICION = "suspicion"     #: 0..1
SIGNALS_COLUMN = "signals"  #: signal names, strongest first, joined by ", "
WHY = "why"                 #: the signals in words
SET_ASIDE = "set_aside"     #: bool: left out of advocate value and reach

#: domains whose mailboxes ignore dots in the local part (and are the same mailbox)
DOT_BLIND_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}

_NAT = np.iinfo(np.int64).min
#: a timing pattern shared by more than this share of the referrals (and more than 10 of them) is
#: how the export records time, not evidence (``batch_timestamp``, ``fast_conversion`` are left out)
COMMON_SHARE = 0.1
#: level of ``same_name`` / ``same_fingerprint`` / ``shared_fingerprint`` when the referred account has been active since,
#: or declined the referral
ACTIVE_DISCOUNT = 0.6
_NS_PER_S = 1_000_000_000
_BLOCK = 50_000


@dataclass(frozen=True, eq=False)
class Suspicion:
    """Suspicious referrals and accounts of one export (see :func:`find_suspicious`).

    Attributes
    ----------
    referrals : DataFrame
        One row per referral, same rows and order as ``graph.referrals``:
        ``referrer``, ``referred``, ``provider``, ``source_line``,
        ``referred_at``, ``revenue``, ``suspicion`` (0–1), ``signals`` (names,
        strongest first, ``", "``-joined; ``""`` when none), ``why`` (words),
        ``set_aside`` (bool).
    accounts : DataFrame
        One row per person (a node that referred or was referred), in node
        order: ``id``, ``idx`` (node index), ``suspicion`` (the strongest of
        the referrals it took part in), ``signals``, ``why``,
        ``referrals_made``, ``suspicious_made``, ``referrals_received``,
        ``suspicious_received`` (suspicious = at or above the threshold).
    advocates : DataFrame
        One row per advocate, in node order: ``advocate``, ``idx``,
        ``referrals``, ``referrals_set_aside``, ``value`` (revenue of the
        referrals made, NaN counted as 0), ``value_set_aside``,
        ``share_set_aside`` (of the value; of the count when the value is 0),
        ``signals`` and ``why`` (what was set aside and for which signals).
    threshold : float
        ``settings.fraud.threshold`` used.
    keep_suspicious : bool
        ``True`` when nothing was set aside on purpose.

    Examples
    --------
    >>> import pandas as pd
    >>> from trustnet.graph import build_graph
    >>> refs = pd.DataFrame({"referrer": ["ann@gmail.com", "ann@gmail.com"],
    ...                      "referred": ["a.nn+1@gmail.com", "bob@x.com"], "revenue": [30.0, 90.0]})
    >>> found = find_suspicious(build_graph(refs))
    >>> found.set_aside.tolist(), found.suspicious["referred"].tolist()
    ([True, False], ['a.nn+1@gmail.com'])
    >>> found.advocates[["advocate", "value", "value_set_aside", "share_set_aside"]]
            advocate  value  value_set_aside  share_set_aside
    0  ann@gmail.com  120.0             30.0             0.25
    """

    referrals: pd.DataFrame
    accounts: pd.DataFrame
    advocates: pd.DataFrame
    threshold: float
    keep_suspicious: bool

    @property
    def set_aside(self) -> np.ndarray:
        """Boolean mask over ``graph.referrals``: the referrals left out of advocate value.

        Examples
        --------
        >>> import pandas as pd
        >>> from trustnet.graph import build_graph
        >>> refs = pd.DataFrame({"referrer": ["ann@gmail.com", "ann@gmail.com"],
        ...                      "referred": ["a.nn+1@gmail.com", "bob@x.com"], "revenue": [30.0, 90.0]})
        >>> found = find_suspicious(build_graph(refs))
        >>> found.set_aside.tolist()
        [True, False]
        """
        return self.referrals[SET_ASIDE].to_numpy(dtype=bool)

    @property
    def suspicious(self) -> pd.DataFrame:
        """The referrals at or above the threshold, most suspicious first (ties: file order).

        Examples
        --------
        >>> import pandas as pd
        >>> from trustnet.graph import build_graph
        >>> refs = pd.DataFrame({"referrer": ["ann@gmail.com", "ann@gmail.com"],
        ...                      "referred": ["a.nn+1@gmail.com", "bob@x.com"], "revenue": [30.0, 90.0]})
        >>> found = find_suspicious(build_graph(refs))
        >>> found.suspicious[["referrer", "referred"]].values.tolist()
        [['ann@gmail.com', 'a.nn+1@gmail.com']]
        """
        refs = self.referrals
        hit = refs[refs[SUSPICION] >= self.threshold]
        order = np.lexsort((hit[S.SOURCE_LINE].to_numpy(), -hit[SUSPICION].to_numpy()))
        return hit.iloc[order]


# --------------------------------------------------------------------------------------
# normalisation of identities
# --------------------------------------------------------------------------------------


def canonical_email(values: pd.Series | list[str]) -> pd.DataFrame:
    """Normalise e-mails: the exact form, the mailbox they reach, and the mailbox name.

    Parameters
    ----------
    values : Series or list of str
        E-mail addresses; anything without exactly one ``@`` with text on both
        sides and a dot in the domain is treated as missing.

    Returns
    -------
    DataFrame
        ``exact`` (trimmed, lower-cased), ``mailbox`` (``+tag`` dropped; dots
        dropped and ``googlemail.com`` read as ``gmail.com`` for the domains in
        :data:`DOT_BLIND_DOMAINS`), ``name`` (the mailbox's local part without
        dots, dashes or underscores, for comparing across domains); NA where
        the value is not an e-mail.

    Examples
    --------
    >>> canonical_email(["A.Lice+promo@GoogleMail.com ", "a.lice+x@outlook.com", "bob"])
                             exact             mailbox   name
    0  a.lice+promo@googlemail.com     alice@gmail.com  alice
    1         a.lice+x@outlook.com  a.lice@outlook.com  alice
    2                          NaN                 NaN    NaN
    """
    exact, mailbox, name = _email_forms(_arrow(values))
    return pd.DataFrame({"exact": _series(exact), "mailbox": _series(mailbox), "name": _series(name)})


def canonical_name(values: pd.Series | list[str]) -> pd.Series:
    """Normalise personal names: accents, case, punctuation and spacing removed.

    Examples
    --------
    >>> canonical_name(["  José  O'Neil ", "JOSE ONEIL", "jose-o neil", None]).tolist()
    ['jose oneil', 'jose oneil', 'jose o neil', nan]
    """
    return _series(_name_form(_arrow(values)))


def _arrow(values: object) -> pa.Array:
    """Text values as one pyarrow large_string array (nulls where missing)."""
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        arr = values
    else:
        arr = pa.array(pd.Series(values, dtype="str").reset_index(drop=True))
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.large_string())


def _series(arr: pa.Array) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(arr.cast(pa.large_string())), dtype="str")


def _email_forms(arr: pa.Array, opaque: bool = False) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(exact, mailbox, mailbox name) of each value; null where it is not an e-mail.

    With ``opaque``, a non-empty value that is not an e-mail (a keyed hash written
    by ``--anonymise``) is its own exact form and mailbox, so equal values still match.
    """
    low = pc.utf8_lower(pc.utf8_trim_whitespace(arr))
    ok = pc.match_substring_regex(low, r"^[^@\s]+@[^@\s]+\.[^@\s]+$").fill_null(False)
    null = pa.scalar(None, pa.large_string())
    exact = pc.if_else(ok, low, null)
    shaped = ok
    halves = pc.split_pattern(exact, "@", max_splits=1)  # a split is several times faster than a regex
    local = pc.list_element(pc.split_pattern(pc.list_element(halves, 0), "+", max_splits=1), 0)
    domain = pc.list_element(halves, 1)
    blind = pc.is_in(domain, value_set=pa.array(list(DOT_BLIND_DOMAINS), pa.large_string()))
    local = pc.if_else(blind, pc.replace_substring(local, ".", ""), local)
    domain = pc.if_else(blind, pc.replace_substring(domain, "googlemail.com", "gmail.com"), domain)
    ok = pc.and_(ok, pc.greater(pc.utf8_length(local), 0))
    mailbox = pc.if_else(ok, pc.binary_join_element_wise(local, domain, pa.scalar("@", pa.large_string())), null)
    bare = local
    for sep in (".", "_", "-"):  # plain replacements: several times faster than one regex
        bare = pc.replace_substring(bare, sep, "")
    name = pc.if_else(ok, bare, null)
    if opaque:
        other = pc.and_(pc.invert(shaped), pc.greater(pc.utf8_length(low), 0)).fill_null(False)
        exact = pc.if_else(other, low, exact)
        mailbox = pc.if_else(other, low, mailbox)
    return exact, mailbox, name


def _name_form(arr: pa.Array) -> pa.Array:
    s = pc.utf8_normalize(pc.utf8_trim_whitespace(arr), "NFKD")
    s = pc.replace_substring_regex(s, r"[\x{0300}-\x{036f}'’`]", "")
    s = pc.utf8_lower(s)
    s = pc.utf8_trim_whitespace(pc.replace_substring_regex(s, r"[^\pL]+", " "))
    return pc.if_else(pc.greater(pc.utf8_length(s), 0), s, pa.scalar(None, pa.large_string()))


def _codes(arr: pa.Array) -> np.ndarray:
    """Integer codes of equal values (-1 where missing)."""
    enc = arr.dictionary_encode()
    return enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _node_values(graph_n: int, parts: list[tuple[np.ndarray, pd.Series]]) -> tuple[np.ndarray, pa.Array] | None:
    """Each node's first non-missing value among (node index, column) pairs, in order.

    Returns the per-node code (-1 when none) into an array of distinct values,
    or ``None`` when every value is missing.
    """
    if not any(col.notna().any() for _, col in parts):
        return None
    arrays = [_arrow(col) for _, col in parts]
    enc = pa.concat_arrays(arrays).dictionary_encode()
    codes = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    idx = np.concatenate([i for i, _ in parts])
    ok = codes >= 0
    nodes, first = np.unique(idx[ok], return_index=True)
    node = np.full(graph_n, -1, np.int64)
    node[nodes] = codes[ok][first]
    return node, enc.dictionary.cast(pa.large_string())


def _text(arr: pa.Array, codes: np.ndarray) -> np.ndarray:
    """The values of ``arr`` at ``codes`` as an object array ("" where missing)."""
    taken = arr.take(pa.array(np.maximum(codes, 0)))
    return np.asarray(taken.fill_null("").to_numpy(zero_copy_only=False), dtype=object)


# --------------------------------------------------------------------------------------
# the main function
# --------------------------------------------------------------------------------------


def find_suspicious(
    graph: TrustGraph,
    referrals: pd.DataFrame | None = None,
    settings: Settings | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Suspicion:
    """Score every referral for fraud, explain it, and set aside the suspicious ones.

    Parameters
    ----------
    graph : TrustGraph
        From :func:`trustnet.graph.build_graph`; its ``referrals`` (with
        e-mail, name, fingerprint and date columns where exported) and
        ``touchpoints`` are used.
    referrals : DataFrame, optional
        The referrals to score, default ``graph.referrals``. Another table must
        name only ids present in the graph (``referrer``, ``referred``, and
        ``provider`` when given).
    settings : Settings, optional
        The ``[fraud]`` section: ``threshold``, ``keep_suspicious``,
        ``max_cycle_length``, ``max_cluster_size``, ``burst_window_hours``,
        ``burst_min_referrals``, ``burst_dead_share``, ``dormant_days``,
        ``fast_conversion_seconds``, ``weights``.
    progress : callable, optional
        ``progress(stage, done, total)`` after each group of signals.

    Returns
    -------
    Suspicion
        ``.referrals``, ``.accounts``, ``.advocates`` tables and the
        ``.set_aside`` mask (see :class:`Suspicion`; the signals and their
        weights are in the module documentation).

    Examples
    --------
    A ring of three accounts referring each other for the same provider, next
    to an honest referral:

    >>> import pandas as pd
    >>> from trustnet.graph import build_graph
    >>> refs = pd.DataFrame({"referrer": ["a", "b", "c", "x"], "referred": ["b", "c", "a", "y"]})
    >>> found = find_suspicious(build_graph(refs))
    >>> found.referrals[["referrer", "referred", "suspicion", "set_aside"]].values.tolist()
    [['a', 'b', 0.86, True], ['b', 'c', 0.86, True], ['c', 'a', 0.86, True], ['x', 'y', 0.0, False]]
    >>> for part in found.referrals.loc[0, "why"].split("; "):
    ...     print(part)
    on a referral cycle of 3 referrals (a → b → … → a) for the business
    inside a cluster of 3 accounts with 3 referral ties among them (100% of all pairs, 100% of their ties stay inside)
    >>> a = found.accounts.set_index("id").loc["a"]
    >>> float(a.suspicion), int(a.suspicious_made), int(a.suspicious_received)
    (0.86, 1, 1)
    """
    settings = settings or Settings()
    fs = settings.fraud
    weights = _weights(fs)
    refs = _referral_frame(graph, referrals)
    m, n = len(refs), graph.n
    total = 6

    def tick(done: int) -> None:
        if progress is not None:
            progress("fraud", done, total)

    state = _State(m, weights)
    r = refs["referrer_idx"].to_numpy(np.int64)
    d = refs["referred_idx"].to_numpy(np.int64)
    p = refs["provider_idx"].to_numpy(np.int64)
    ids = _arrow(graph.nodes["id"])

    self_loop = r == d
    state.add("self_referral", self_loop)
    _identity_signals(state, graph, refs, r, d, self_loop)
    tick(1)
    cyc = _cycle_signals(state, r, d, p, n, fs, ids)
    tick(2)
    _cluster_signals(state, r, d, n, fs, cyc)
    tick(3)
    _burst_signals(state, refs, graph, r, d, n, fs)
    tick(4)
    _timing_signals(state, refs, fs)
    tick(5)

    suspicion = np.round(1.0 - state.keep, 6)
    suspicion[suspicion < 1e-9] = 0.0
    flagged = suspicion >= fs.threshold
    set_aside = flagged & (not fs.keep_suspicious)
    out = refs[[S.REFERRER, S.REFERRED, S.PROVIDER, S.SOURCE_LINE, S.REFERRED_AT, S.REVENUE]].reset_index(drop=True)
    for col in (S.REFERRER, S.REFERRED, S.PROVIDER):
        if out[col].dtype != "str":
            out[col] = out[col].astype("str")
    out[SUSPICION] = suspicion
    out[SIGNALS_COLUMN] = _mask_names(state.bits)
    out[WHY] = _series(pa.array(state.why(), pa.large_string()))
    out[SET_ASIDE] = set_aside
    accounts = _account_table(graph, out, r, d, state.bits, fs.threshold)
    advocates = _advocate_table(graph, out, r, state.bits, set_aside)
    tick(6)
    return Suspicion(out, accounts, advocates, fs.threshold, fs.keep_suspicious)


# --------------------------------------------------------------------------------------
# internals: inputs, settings, the accumulating state
# --------------------------------------------------------------------------------------


def _weights(fs: FraudSettings) -> dict[str, float]:
    for name, bound in (("threshold", (0.0, 1.0)), ("burst_dead_share", (0.0, 1.0))):
        value = getattr(fs, name)
        if not bound[0] <= value <= bound[1]:
            raise SettingsError(f"setting fraud.{name} must lie between 0 and 1, got {value}")
    if not 2 <= fs.max_cycle_length <= 6:
        raise SettingsError(
            f"setting fraud.max_cycle_length must be between 2 and 6 (the cycle search is bounded), "
            f"got {fs.max_cycle_length}"
        )
    weights = {name: w for name, (w, _) in SIGNALS.items()}
    for name, value in dict(fs.weights).items():
        if name not in weights:
            raise SettingsError(
                f"unknown fraud signal {name!r} in fraud.weights; valid signals are " + ", ".join(SIGNALS)
            )
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise SettingsError(f"fraud.weights.{name} must be a number between 0 and 1, got {value!r}")
        weights[name] = float(value)
    return weights


def _referral_frame(graph: TrustGraph, referrals: pd.DataFrame | None) -> pd.DataFrame:
    """The referrals with node indices, every canonical column present."""
    if referrals is None:
        return graph.referrals
    missing = [c for c in S.REFERRAL_REQUIRED if c not in referrals.columns]
    if missing:
        raise InputError(
            f"the referrals given to find_suspicious have no {', '.join(missing)} column; found "
            + ", ".join(map(repr, referrals.columns))
            + "; pass the table the graph was built from, or leave it out to use graph.referrals"
        )
    out = referrals.reset_index(drop=True).copy()
    for col in S.REFERRAL_COLUMNS:
        if col not in out:
            out[col] = pd.NA
    provider = out[S.PROVIDER].astype("object").where(out[S.PROVIDER].notna(), graph.referrals[S.PROVIDER].iloc[0]
                                                        if len(graph.referrals) else "the business")
    out[S.PROVIDER] = provider.astype("str")
    problems = []
    for col in (S.REFERRER, S.REFERRED, S.PROVIDER):
        idx = graph.index_of(out[col])
        bad = np.flatnonzero(idx < 0)
        if len(bad):
            problems.append(f"{col} not in the graph in rows {bad[:5].tolist()} "
                            f"(e.g. {out[col].iloc[bad[0]]!r})")
        out[f"{col}_idx"] = idx
    if problems:
        raise InputError(
            "the referrals given to find_suspicious name ids that are not in the graph: "
            + "; ".join(problems) + "; build the graph from the same referrals",
            problems=problems,
        )
    for col in (S.REFERRED_AT, S.CONVERTED_AT):
        out[col] = pd.to_datetime(out[col]).astype("datetime64[ns]")
    out[S.REVENUE] = pd.to_numeric(out[S.REVENUE], errors="coerce").astype("float64")
    if S.SOURCE_LINE not in out:
        out[S.SOURCE_LINE] = np.arange(2, len(out) + 2)
    return out


class _State:
    """Accumulates the noisy-OR, the signal bits and the words of every referral."""

    def __init__(self, m: int, weights: dict[str, float]) -> None:
        self.m = m
        self.weights = weights
        self.keep = np.ones(m)
        self.bits = np.zeros(m, dtype=np.int64)
        self.parts: list[tuple[int, np.ndarray, np.ndarray]] = []

    def add(self, name: str, hit: np.ndarray, level: np.ndarray | float = 1.0,
            words: Callable[[np.ndarray], np.ndarray | pd.Series] | str | None = None) -> None:
        """Fire signal ``name`` on the rows in ``hit``; ``words(rows)`` says why for those rows."""
        hit = np.asarray(hit, dtype=bool)
        if not hit.any():
            return
        w = self.weights[name] * (np.asarray(level, float)[hit] if np.ndim(level) else float(level))
        rows = np.flatnonzero(hit)
        self.keep[rows] *= 1.0 - np.clip(w, 0.0, 1.0)
        if self.weights[name] <= 0:
            return
        self.bits[rows] |= _BIT[name]
        if words is None:
            words = SIGNALS[name][1]
        if isinstance(words, str):
            text = np.full(len(rows), words, dtype=object)
        else:
            text = np.asarray(words(rows), dtype=object)
        self.parts.append((list(SIGNALS).index(name), rows, text))

    def why(self) -> np.ndarray:
        """The words of every referral: its signals' reasons, strongest first, joined by "; "."""
        out = np.full(self.m, "", dtype=object)
        for _, rows, text in sorted(self.parts, key=lambda part: part[0]):
            cur = out[rows]
            out[rows] = np.where(cur == "", text, cur + "; " + text)
        return out


def _cat(*parts: str | np.ndarray | pd.Series) -> np.ndarray:
    """Concatenate text parts: plain strings and equally long arrays (numbers become text)."""
    n = next((len(p) for p in parts if not isinstance(p, str)), 1)
    out = pd.Series("", index=range(n), dtype="str")
    for part in parts:
        if isinstance(part, str):
            out = out + part
        else:
            out = out + pd.Series(np.asarray(part, dtype=object), index=range(n)).astype("str").fillna("").to_numpy()
    return out.to_numpy(dtype=object)


def _mask_names(bits: np.ndarray) -> pd.Series:
    """Signal bit masks -> ", "-joined names, strongest first (computed once per distinct mask)."""
    uniq, inv = np.unique(bits, return_inverse=True)
    names = pa.array([", ".join(n for n in SIGNALS if int(u) & _BIT[n]) for u in uniq], pa.large_string())
    return _series(names.take(pa.array(inv.astype(np.int64))))


def _active(graph: TrustGraph, r: np.ndarray) -> np.ndarray | None:
    """Accounts with touchpoints or referrals of their own; ``None`` when the export has no touchpoints."""
    tps = graph.touchpoints
    if tps is None or not len(tps):
        return None
    active = np.zeros(graph.n, bool)
    active[tps["customer_idx"].to_numpy(np.int64)] = True
    active[r] = True
    return active


def _sorted_unique(x: np.ndarray) -> np.ndarray:
    """Distinct values, sorted (a sort is faster than numpy's hash path on large int arrays)."""
    x = np.sort(x)
    return x[np.r_[True, x[1:] != x[:-1]]] if len(x) else x


def _equal_at(values: pa.Array, a: pa.Array, b: pa.Array) -> np.ndarray:
    """values[a] == values[b], False where either is missing."""
    eq = pc.equal(values.take(a), values.take(b)).fill_null(False)
    return eq.to_numpy(zero_copy_only=False)


def _pair_equal(codes: np.ndarray, r: np.ndarray, d: np.ndarray) -> np.ndarray:
    return (codes[r] == codes[d]) & (codes[r] >= 0)


# --------------------------------------------------------------------------------------
# signals: identities (e-mails, names, fingerprints)
# --------------------------------------------------------------------------------------


def _identity_signals(state: _State, graph: TrustGraph, refs: pd.DataFrame, r: np.ndarray, d: np.ndarray,
                      self_loop: np.ndarray) -> None:
    n = graph.n
    others = ~self_loop
    _email_signals(state, graph, refs, r, d, others)
    # a referred account seen active since (touchpoints, own referrals) may be a namesake or a household
    # a referral the referred turned down is no self-referral either (nobody declines their own reward)
    active = _active(graph, r)
    lively = active[d] if active is not None else np.zeros(len(r), bool)
    declined = (refs[S.STATUS].astype("str") == S.DECLINED).fillna(False).to_numpy(bool)
    active_level = np.where(lively | declined, ACTIVE_DISCOUNT, 1.0)

    def active_words(i: np.ndarray) -> np.ndarray:
        return np.where(lively[i], " though the account has been active since (one household?)",
                        np.where(declined[i], " though the referred declined (one household?)", "")).astype(object)

    # names
    names = _node_values(n, [(r, refs[S.REFERRER_NAME]), (d, refs[S.REFERRED_NAME])])
    if names is not None:
        node_code, uniq = names
        canon = _name_form(uniq)
        canon_code = _codes(canon)
        ncode = np.where(node_code >= 0, canon_code[np.maximum(node_code, 0)], -1)
        same = _pair_equal(ncode, r, d) & others
        holders = np.bincount(ncode[ncode >= 0], minlength=len(canon))
        full = pc.greater(pc.count_substring(canon, " "), 0).fill_null(False).to_numpy(zero_copy_only=False)
        # a full name shared by few accounts is strong; a single word or a common name much less
        cu = np.maximum(node_code[r], 0)
        level = np.where(full[cu], 1.0, 0.4) * np.minimum(1.0, 3.0 / np.maximum(holders[np.maximum(ncode[r], 0)], 1))
        state.add("same_name", same, level * active_level,
                  words=lambda i: _cat("same name as the referrer (", _text(canon, node_code[r[i]]), ")",
                                       active_words(i)))
    # fingerprints (of the referred)
    fp = pc.utf8_lower(pc.utf8_trim_whitespace(_arrow(refs[S.FINGERPRINT])))
    fp = pc.if_else(pc.greater(pc.utf8_length(fp), 0), fp, pa.scalar(None, pa.large_string()))
    if fp.null_count == len(fp):
        return
    fcodes = _codes(fp)
    has = fcodes >= 0
    # the fingerprint a node had when it was referred: its first fingerprinted referral
    node_fp = np.full(n, -1, dtype=np.int64)
    rows = np.flatnonzero(has)
    nodes, first = np.unique(d[rows], return_index=True)
    node_fp[nodes] = fcodes[rows[first]]
    same = (node_fp[r] == fcodes) & has & others
    state.add("same_fingerprint", same, active_level,
              words=lambda i: _cat("same fingerprint as the referrer had (", _text(fp, i), ")", active_words(i)))
    # several distinct accounts referred by one referrer from one fingerprint
    key = r[has] * (int(fcodes.max()) + 1) + fcodes[has]
    if n * (int(key.max()) + 1) < 2**62:
        distinct = _sorted_unique(key * n + d[has]) // n
    else:
        distinct = np.sort(pd.DataFrame({"k": key, "d": d[has]}).drop_duplicates()["k"].to_numpy())
    starts = np.flatnonzero(np.r_[True, distinct[1:] != distinct[:-1]])
    ukeys, counts = distinct[starts], np.diff(np.r_[starts, len(distinct)])
    g = np.zeros(len(r), dtype=np.int64)
    g[has] = counts[np.searchsorted(ukeys, key)]
    shared = (g >= 2) & others & ~same
    state.add("shared_fingerprint", shared, np.where(g >= 3, 1.0, 0.5) * active_level,
              words=lambda i: _cat("one of ", g[i], " accounts this advocate referred from one fingerprint",
                                   active_words(i)))


def _email_signals(state: _State, graph: TrustGraph, refs: pd.DataFrame, r: np.ndarray, d: np.ndarray,
                   others: np.ndarray) -> None:
    """E-mails per node: the export's e-mail columns first, then the id when it is an e-mail."""
    n = graph.n
    ids = _arrow(graph.nodes["id"])
    from_ids = _email_forms(ids)
    from_cols = _node_values(n, [(r, refs[S.REFERRER_EMAIL]), (d, refs[S.REFERRED_EMAIL])])
    if from_cols is None:
        exact, mailbox, name = from_ids
    else:
        node_code, uniq = from_cols
        col_forms = _email_forms(uniq, opaque=True)
        has = pa.array(node_code >= 0)
        take = pa.array(np.maximum(node_code, 0))
        exact, mailbox, name = (pc.if_else(has, c.take(take), i) for c, i in zip(col_forms, from_ids))
    if exact.null_count == len(exact):
        return
    mb = _codes(mailbox)
    ra, da = pa.array(r), pa.array(d)
    long_name = pc.if_else(pc.greater_equal(pc.utf8_length(name), 6), name, pa.scalar(None, pa.large_string()))
    same_box = _pair_equal(mb, r, d) & others
    same_exact = np.zeros(len(r), bool)  # equal e-mails reach the same mailbox: compare those rows only
    rows = np.flatnonzero(same_box)
    same_exact[rows] = _equal_at(exact, pa.array(r[rows]), pa.array(d[rows]))
    alias = same_box & ~same_exact
    boxname = _equal_at(long_name, ra, da) & others & ~same_exact & ~alias
    state.add("same_email", same_exact,
              words=lambda i: _cat("same e-mail as the referrer (", _text(exact, d[i]), ")"))
    state.add("email_alias", alias, words=lambda i: _cat(
        "the referred e-mail ", _text(exact, d[i]), " reaches the referrer's mailbox ", _text(mailbox, r[i])))
    state.add("mailbox_name", boxname, words=lambda i: _cat(
        "same mailbox name as the referrer at another domain (", _text(exact, r[i]), " / ", _text(exact, d[i]), ")"))
    # the referred's mailbox already belongs to another account (not the referrer: that is an alias)
    # ... and the referred is the newer account (first seen after, or together with, another one)
    big = np.iinfo(np.int64).max
    seen = graph.nodes["first_seen"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    seen = np.where(seen == _NAT, big, seen)
    groups = max(int(mb.max()) + 1, 1)
    has_box = mb >= 0
    earliest = np.full(groups, big)
    np.minimum.at(earliest, mb[has_box], seen[has_box])
    at_earliest = np.bincount(mb[has_box & (seen == earliest[np.maximum(mb, 0)])], minlength=groups)
    owners = np.bincount(mb[has_box], minlength=groups)
    dup = (mb[d] >= 0) & others & ~same_exact & ~alias
    box = mb[d[dup]]
    newer = (seen[d[dup]] > earliest[box]) | (at_earliest[box] >= 2)
    dup[dup] = (owners[box] >= 2) & newer
    state.add("duplicate_account", dup,
              words=lambda i: _cat("the mailbox ", _text(mailbox, d[i]), " already belongs to another account"))


# --------------------------------------------------------------------------------------
# signals: cycles and dense clusters
# --------------------------------------------------------------------------------------


@dataclass
class _Cycles:
    on_cycle: np.ndarray  # bool per referral


def _cycle_signals(state: _State, r: np.ndarray, d: np.ndarray, p: np.ndarray, n: int,
                   fs: FraudSettings, ids: pa.Array) -> _Cycles:
    m = len(r)
    keep = r != d
    if not keep.any():
        return _Cycles(np.zeros(m, bool))
    # one node per (person, provider): cycles are searched for each provider separately
    pr = r * n + p
    pd_ = d * n + p
    keys, inv = np.unique(np.concatenate([pr, pd_]), return_inverse=True)
    u_all, v_all = inv[:m], inv[m:]
    k = len(keys)
    u, v = u_all[keep], v_all[keep]
    A = sp.csr_matrix((np.ones(len(u), np.int8), (u, v)), shape=(k, k))
    ncomp, label = csgraph.connected_components(A, directed=True, connection="strong")
    size = np.bincount(label, minlength=ncomp)
    inside = np.zeros(m, bool)
    inside[keep] = (label[u] == label[v]) & (size[label[u]] >= 2)
    if not inside.any():
        return _Cycles(np.zeros(m, bool))
    comp_size = np.zeros(m, np.int64)
    comp_size[inside] = size[label[u_all[inside]]]
    ref_len = np.zeros(m, np.int64)
    # small components (rings): the shortest cycle through each distinct edge, up to max_cycle_length
    small = inside & (comp_size <= fs.max_cluster_size)
    if small.any():
        eu, ev = u_all[small], v_all[small]
        ekey, einv = np.unique(eu * k + ev, return_inverse=True)
        ref_len[small] = _shortest_cycles(ekey // k, ekey % k, fs.max_cycle_length)[einv]
    # large components: cycles are no evidence of a ring there; only mutual referrals (A -> B -> A) count
    large = np.flatnonzero(inside & ~small)
    if len(large):
        fwd = u_all[large] * k + v_all[large]
        back = np.sort(v_all[large] * k + u_all[large])
        pos = np.minimum(np.searchsorted(back, fwd), len(back) - 1)
        ref_len[large[back[pos] == fwd]] = 2
    short = ref_len > 0
    ring = small & ~short
    level = np.where(short, 1.0, 0.85)

    def words(i: np.ndarray) -> np.ndarray:
        rid, did, prov = _text(ids, r[i]), _text(ids, d[i]), _text(ids, p[i])
        two = ref_len[i] == 2
        cycle = _cat("on a referral cycle of ", ref_len[i], " referrals (", rid, " → ", did, " → … → ",
                     rid, ") for ", prov)
        mutual = _cat("on a referral cycle of 2 referrals (", rid, " → ", did, " → ", rid, ") for ", prov)
        ring = _cat("on a referral ring of ", comp_size[i], " accounts for ", prov)
        return np.where(short[i], np.where(two, mutual, cycle), ring)

    hit = short | ring
    state.add("cycle", hit, level, words=words)
    return _Cycles(hit)


def _shortest_cycles(cu: np.ndarray, cv: np.ndarray, max_len: int) -> np.ndarray:
    """For distinct edges u → v inside strongly connected components, the length of the shortest
    cycle through the edge when it is at most ``max_len`` (else 0).

    Meet in the middle on the subgraph of the components: ``F_i`` holds the
    nodes at most i steps forward from v, ``B_j`` those at most j steps
    backward from u; dist(v, u) <= k iff F_ceil(k/2) and B_floor(k/2) meet.
    """
    nodes = _sorted_unique(np.concatenate([cu, cv]))
    su, sv = np.searchsorted(nodes, cu), np.searchsorted(nodes, cv)
    s = len(nodes)
    A = sp.csr_matrix((np.ones(len(su), np.float32), (su, sv)), shape=(s, s))
    AT = A.T.tocsr()
    a_steps, b_steps = -(-(max_len - 1) // 2), (max_len - 1) // 2
    out = np.zeros(len(cu), np.int64)
    for start in range(0, len(cu), _BLOCK):
        bu, bv = su[start:start + _BLOCK], sv[start:start + _BLOCK]
        hv, hv_pos = np.unique(bv, return_inverse=True)
        hu, hu_pos = np.unique(bu, return_inverse=True)
        fwd = _reach_sets(A, hv, a_steps)
        bwd = _reach_sets(AT, hu, b_steps)
        found = np.zeros(len(bu), np.int64)
        for dist in range(1, max_len):
            todo = np.flatnonzero(found == 0)
            if not len(todo):
                break
            F = fwd[-(-dist // 2)][hv_pos[todo]]
            B = bwd[dist // 2][hu_pos[todo]]
            meet = np.asarray(F.multiply(B).sum(axis=1)).ravel() > 0
            found[todo[meet]] = dist + 1
        out[start:start + _BLOCK] = found
    return out


def _reach_sets(A: sp.csr_matrix, start: np.ndarray, steps: int) -> list[sp.csr_matrix]:
    """Rows i: nodes within 0..j steps of start[i], for j = 0..steps (binary CSR)."""
    s = A.shape[0]
    cur = sp.csr_matrix((np.ones(len(start), np.float32), (np.arange(len(start)), start)), shape=(len(start), s))
    sets = [cur]
    for _ in range(steps):
        nxt = cur + cur @ A
        nxt.data[:] = 1.0
        sets.append(nxt)
        cur = nxt
    return sets


def _cluster_signals(state: _State, r: np.ndarray, d: np.ndarray, n: int, fs: FraudSettings,
                     cycles: _Cycles) -> None:
    """Small clusters held together by triangles and cycles whose members mostly refer each other."""
    m = len(r)
    keep = r != d
    if not keep.any():
        return
    a, b = np.minimum(r[keep], d[keep]), np.maximum(r[keep], d[keep])
    pkey, pinv = np.unique(a * n + b, return_inverse=True)
    pa, pb = pkey // n, pkey % n
    tri = _triangles_per_edge(pa, pb, n)
    on_cycle = np.zeros(len(pkey), bool)
    on_cycle[pinv[cycles.on_cycle[keep]]] = True
    glue = (tri > 0) | on_cycle
    if not glue.any():
        return
    G = sp.csr_matrix((np.ones(int(glue.sum())), (pa[glue], pb[glue])), shape=(n, n))
    ncomp, label = csgraph.connected_components(G, directed=False)
    size = np.bincount(label, minlength=ncomp)
    la, lb = label[pa], label[pb]
    internal = np.bincount(la[la == lb], minlength=ncomp)
    cross = la != lb
    external = np.bincount(np.concatenate([la[cross], lb[cross]]), minlength=ncomp)
    possible = size * (size - 1) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        density = np.where(possible > 0, internal / possible, 0.0)
        insular = np.where(internal + external > 0, internal / (internal + external), 0.0)
    dense = (size >= 3) & (size <= fs.max_cluster_size) & (density >= 0.4) & (insular >= 0.6)
    hit = np.zeros(m, bool)
    lr, ld = label[r], label[d]
    hit[keep] = (lr[keep] == ld[keep]) & dense[lr[keep]]
    if not hit.any():
        return
    level = np.where(size[lr] >= 4, 1.0, 0.5)
    pct_pairs = np.round(100 * density).astype(np.int64)
    pct_inside = np.round(100 * insular).astype(np.int64)
    state.add("dense_cluster", hit, level, words=lambda i: _cat(
        "inside a cluster of ", size[lr[i]], " accounts with ", internal[lr[i]], " referral ties among them (",
        pct_pairs[lr[i]], "% of all pairs, ", pct_inside[lr[i]], "% of their ties stay inside)"))


def _triangles_per_edge(pa: np.ndarray, pb: np.ndarray, n: int) -> np.ndarray:
    """Number of triangles through each undirected edge (pa[i], pb[i]) (distinct pairs).

    Edges point from the lower (degree, index) rank to the higher one; each
    triangle x < y < z is then found once as the wedge x → y → z closed by x → z.
    """
    e = len(pa)
    deg = np.bincount(np.concatenate([pa, pb]), minlength=n)
    rank = np.empty(n, np.int64)
    rank[np.lexsort((np.arange(n), deg))] = np.arange(n)
    lo_first = rank[pa] < rank[pb]
    src = np.where(lo_first, pa, pb)
    dst = np.where(lo_first, pb, pa)
    okey = src * n + dst
    order = np.argsort(okey, kind="stable")
    okey_sorted = okey[order]
    src_s, dst_s = src[order], dst[order]
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(src_s, minlength=n), out=indptr[1:])
    count = np.zeros(e, np.int64)  # in sorted order
    outdeg = np.diff(indptr)
    wedges_per_edge = outdeg[dst_s]
    ends = np.cumsum(wedges_per_edge)
    step = 2_000_000
    first_edge = 0
    while first_edge < e:
        # edges [first_edge, last_edge) whose wedges fit in one step (at least one edge)
        limit = (ends[first_edge - 1] if first_edge else 0) + step
        last_edge = max(first_edge + 1, int(np.searchsorted(ends, limit, side="right")))
        last_edge = min(last_edge, e)
        cnt = wedges_per_edge[first_edge:last_edge]
        tot = int(cnt.sum())
        if tot:
            first_ids = np.repeat(np.arange(first_edge, last_edge), cnt)
            offs = np.arange(tot) - np.repeat(np.cumsum(cnt) - cnt, cnt)
            second = indptr[dst_s[first_ids]] + offs           # edge y -> z (sorted position)
            z = dst_s[second]
            closing_key = src_s[first_ids] * n + z
            pos = np.searchsorted(okey_sorted, closing_key)
            pos_c = np.minimum(pos, e - 1)
            closed = okey_sorted[pos_c] == closing_key
            if closed.any():
                count += np.bincount(first_ids[closed], minlength=e)
                count += np.bincount(second[closed], minlength=e)
                count += np.bincount(pos_c[closed], minlength=e)
        first_edge = last_edge
    out = np.empty(e, np.int64)
    out[order] = count
    return out


# --------------------------------------------------------------------------------------
# signals: bursts and timing
# --------------------------------------------------------------------------------------


def _has_time_of_day(at: np.ndarray) -> bool:
    """True when most dated values carry a time of day (not all at midnight)."""
    ok = at != _NAT
    if not ok.any():
        return False
    return float(np.mean(at[ok] % (86_400 * _NS_PER_S) != 0)) >= 0.5


def _ns(col: pd.Series) -> np.ndarray:
    return col.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT")).astype(np.int64)


def _burst_signals(state: _State, refs: pd.DataFrame, graph: TrustGraph, r: np.ndarray, d: np.ndarray,
                   n: int, fs: FraudSettings) -> None:
    m = len(r)
    at = _ns(refs[S.REFERRED_AT])
    dated = at != _NAT
    if not dated.any():
        return
    # a "dead" referred account: no sign of life in any column the export has
    status = refs[S.STATUS]
    conv_at = _ns(refs[S.CONVERTED_AT])
    revenue = refs[S.REVENUE].to_numpy(dtype=float, na_value=np.nan)
    evidence = False
    alive_node = np.zeros(n, bool)
    alive_node[r] = True  # referred someone
    if status.notna().any() or (conv_at != _NAT).any():
        evidence = True
        conv = (status.astype("str") == S.CONVERTED).fillna(False).to_numpy(bool) | (conv_at != _NAT)
        alive_node[d[conv]] = True
    if np.isfinite(revenue).any():
        evidence = True
        alive_node[d[np.nan_to_num(revenue) > 0]] = True
    tps = graph.touchpoints
    if tps is not None and len(tps):
        evidence = True
        alive_node[tps["customer_idx"].to_numpy(np.int64)] = True
    as_of = graph.as_of
    old = np.ones(m, bool)
    if not pd.isna(as_of):
        old = at <= pd.Timestamp(as_of).value - int(fs.dormant_days * 86_400) * _NS_PER_S
    dead = ~alive_node[d] & old & dated
    # referrals of one referrer within the window (centred on each referral)
    sec = np.where(dated, at // _NS_PER_S, 0)
    sec = sec - sec[dated].min()
    half = max(int(fs.burst_window_hours * 3600 / 2), 0)
    span = int(sec.max()) + 2 * half + 1
    rows = np.flatnonzero(dated)
    key = r[rows] * span + sec[rows]
    order = np.argsort(key, kind="stable")
    keys = key[order]
    lo = np.searchsorted(keys, keys - half, side="left")
    hi = np.searchsorted(keys, keys + half, side="right")
    in_window = hi - lo
    dead_cum = np.concatenate([[0], np.cumsum(dead[rows][order])])
    dead_in_window = dead_cum[hi] - dead_cum[lo]
    burst_sorted = (in_window >= fs.burst_min_referrals) & (dead_in_window >= fs.burst_dead_share * in_window)
    count = np.zeros(m, np.int64)
    dead_count = np.zeros(m, np.int64)
    count[rows[order]] = in_window
    dead_count[rows[order]] = dead_in_window
    burst = np.zeros(m, bool)
    burst[rows[order]] = burst_sorted
    hours = f"{fs.burst_window_hours:g} h"
    if evidence:
        hit = burst & dead
        state.add("burst", hit, 1.0, words=lambda i: _cat(
            "one of ", count[i], " referrals by this advocate within ", hours, ", ", dead_count[i],
            " of them to accounts that never converted, spent or appeared since"))
    else:
        state.add("burst", burst, 0.5, words=lambda i: _cat(
            "one of ", count[i], " referrals by this advocate within ", hours,
            " (no conversion data to tell whether they were real)"))
    # identical timestamps in a batch (needs the time of day)
    if _has_time_of_day(at):
        # runs of equal (referrer, second) keys in the sorted order
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        runs = np.diff(np.r_[starts, len(keys)])
        bsize = np.zeros(m, np.int64)
        bsize[rows[order]] = np.repeat(runs, runs)
        batch = bsize >= 3
        if batch.sum() > max(COMMON_SHARE * len(rows), 10):  # the export stamps in batches: no evidence
            batch[:] = False
        state.add("batch_timestamp", batch, words=lambda i: _cat(
            "one of ", bsize[i], " referrals by this advocate stamped ",
            refs[S.REFERRED_AT].iloc[i].dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy()))


def _timing_signals(state: _State, refs: pd.DataFrame, fs: FraudSettings) -> None:
    at = _ns(refs[S.REFERRED_AT])
    conv = _ns(refs[S.CONVERTED_AT])
    both = (at != _NAT) & (conv != _NAT)
    if not both.any():
        return
    gap = np.where(both, (conv - at) / _NS_PER_S, np.nan)
    limit = float(fs.fast_conversion_seconds)
    early = both & (gap < 0)
    day_early = early & ((conv // (86_400 * _NS_PER_S)) < (at // (86_400 * _NS_PER_S)))
    if _has_time_of_day(at) and _has_time_of_day(conv):
        fast = both & (gap >= 0) & (gap <= limit)
        if fast.sum() > max(COMMON_SHARE * both.sum(), 10):  # converted_at is the sign-up: no evidence
            fast[:] = False
        secs = np.round(np.nan_to_num(gap)).astype(np.int64)
        state.add("fast_conversion", fast, words=lambda i: _cat("converted ", secs[i], " seconds after the referral"))
        state.add("converted_early", early, words="converted before the referral was made")
    else:
        state.add("converted_early", day_early, words="converted on a day before the referral was made")


# --------------------------------------------------------------------------------------
# tables per account and per advocate
# --------------------------------------------------------------------------------------


def _account_table(graph: TrustGraph, out: pd.DataFrame, r: np.ndarray, d: np.ndarray, bits: np.ndarray,
                   threshold: float) -> pd.DataFrame:
    n = graph.n
    people = np.zeros(n, bool)
    people[r] = True
    people[d] = True
    susp = out[SUSPICION].to_numpy()
    flag = susp >= threshold
    made = np.bincount(r, minlength=n)
    received = np.bincount(d, minlength=n)
    s_made = np.bincount(r[flag], minlength=n)
    s_recv = np.bincount(d[flag], minlength=n)
    acc_bits = np.zeros(n, np.int64)
    np.bitwise_or.at(acc_bits, r[flag], bits[flag])
    np.bitwise_or.at(acc_bits, d[flag], bits[flag])
    # each account's strongest referral (as referrer first, then file order on ties)
    rows = np.flatnonzero(susp > 0)
    who = np.concatenate([r[rows], d[rows]])
    role = np.repeat([0, 1], len(rows))
    row = np.concatenate([rows, rows])
    order = np.lexsort((role, row, -susp[row], who))
    first = order[np.r_[True, who[order][1:] != who[order][:-1]]] if len(order) else order
    best_row = np.full(n, -1)
    best_role = np.zeros(n, np.int64)
    best_row[who[first]] = row[first]
    best_role[who[first]] = role[first]
    safe = np.where(best_row >= 0, best_row, len(susp))  # one past the end: a zero row (there may be no referrals)
    suspicion = np.append(susp.astype(float), 0.0)[safe]
    # accounts only below the threshold show the signals of their strongest referral
    acc_bits = np.where(acc_bits > 0, acc_bits, np.append(bits, 0).astype(np.int64)[safe])
    why = np.full(n, "", dtype=object)
    some = np.flatnonzero(best_row >= 0)
    if len(some):
        br, rl = best_row[some], best_role[some]
        why_ref = out[WHY].to_numpy(dtype=object)[br]
        ids = _arrow(graph.nodes["id"])
        other = np.where(rl == 0, _text(ids, d[br]), _text(ids, r[br]))
        lead = np.where(rl == 0, "referred ", "referred by ")
        counts = _cat("", s_made[some], " of ", made[some], " referrals made are suspicious; ")
        why[some] = np.where(s_made[some] > 0, counts, "") + lead + other + ": " + why_ref
    idx = np.flatnonzero(people)
    return pd.DataFrame({
        "id": graph.nodes["id"].iloc[idx].reset_index(drop=True).astype("str"),
        "idx": idx,
        SUSPICION: suspicion[idx],
        SIGNALS_COLUMN: _mask_names(acc_bits[idx]),
        WHY: _series(pa.array(why[idx], pa.large_string())),
        "referrals_made": made[idx],
        "suspicious_made": s_made[idx],
        "referrals_received": received[idx],
        "suspicious_received": s_recv[idx],
    })


def _advocate_table(graph: TrustGraph, out: pd.DataFrame, r: np.ndarray, bits: np.ndarray,
                    set_aside: np.ndarray) -> pd.DataFrame:
    n = graph.n
    idx = np.flatnonzero(np.bincount(r, minlength=n) > 0)
    value = np.nan_to_num(out[S.REVENUE].to_numpy(float))
    made = np.bincount(r, minlength=n)[idx]
    total = np.bincount(r, weights=value, minlength=n)[idx]
    aside_n = np.bincount(r, weights=set_aside, minlength=n).astype(np.int64)[idx]
    aside_v = np.bincount(r, weights=np.where(set_aside, value, 0.0), minlength=n)[idx]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, aside_v / total, aside_n / np.maximum(made, 1))
    acc = np.zeros(n, np.int64)
    np.bitwise_or.at(acc, r, np.where(set_aside, bits, 0))
    names = _mask_names(acc[idx])
    why = pd.Series("", index=range(len(idx)), dtype="str")
    some = np.flatnonzero(aside_n > 0)
    if len(some):
        money = [f"{a:,.2f} of {t:,.2f}" for a, t in zip(aside_v[some], total[some])]  # set-aside advocates only
        # pandas-stubs: iloc assignment takes no ndarray of values, though pandas does
        why.iloc[some] = (pd.Series(aside_n[some]).astype("str") + " of "  # type: ignore[call-overload]
                          + pd.Series(made[some]).astype("str")
                          + " referrals set aside (value " + pd.Series(money, dtype="str") + "): "
                          + names.iloc[some].reset_index(drop=True)).to_numpy()
    return pd.DataFrame({
        "advocate": graph.nodes["id"].array.take(idx),
        "idx": idx,
        "referrals": made,
        "referrals_set_aside": aside_n,
        "value": total,
        "value_set_aside": aside_v,
        "share_set_aside": share,
        SIGNALS_COLUMN: names.to_numpy(),
        WHY: why.to_numpy(),
    }).astype({"advocate": "str", SIGNALS_COLUMN: "str", WHY: "str"})
