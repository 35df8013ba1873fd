"""The referral/trust graph: node and relationship tables, a sparse adjacency, the referral forest.

:func:`build_graph` turns the canonical referrals (and optional touchpoints)
into a :class:`TrustGraph`. Everything is computed on integer node indices with
numpy and scipy.sparse; the networkx view (:meth:`TrustGraph.to_networkx`) is
built only when asked, because building it costs more than all the scoring on
a million customers.

Relationship kinds (who trusts whom):

``advocate``
    a person → the provider they referred someone to (they staked their
    reputation on it);
``customer``
    a person → a provider they were referred to or have touchpoints with, and
    never referred anyone for;
``referred_by``
    a referred person → the person who referred them (trust in a person);
``rated``
    a rater → a person they rated, in a rating network (:func:`build_rating_graph`).

The *referral forest* gives every person at most one parent: the referrer of
their acquiring (first) referral. A referral that reaches someone who had
already referred others before it is not their acquisition; cycles that
remain (missing dates) are cut at their alphabetically first member.

Examples
--------
>>> import pandas as pd
>>> refs = pd.DataFrame({"referrer": ["ann", "bob"], "referred": ["bob", "cat"],
...                      "provider": ["Tiles", "Tiles"]})
>>> G = build_graph(refs)
>>> print(G.nodes[["id", "is_advocate", "is_provider"]].to_string(index=False))
   id  is_advocate  is_provider
Tiles        False         True
  ann         True        False
  bob         True        False
  cat        False        False
>>> G.depth[G.index_of(["ann", "bob", "cat"])].tolist()
[0, 1, 2]
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp
from scipy.sparse import csgraph

from . import schema as S
from ._memory import release_memory
from ._textorder import number_in_order
from .settings import Settings

if TYPE_CHECKING:
    from pandas._libs.tslibs.nattype import NaTType

__all__ = ["TrustGraph", "build_graph", "build_rating_graph", "sort_order", "dense_numbers", "date_values", "ADVOCATE", "CUSTOMER_OF", "REFERRED_BY", "RATED", "KINDS",
           "ADVOCATE_REL", "CUSTOMER_REL", "REFERRED_BY_REL", "TIE_REL"]

ADVOCATE = "advocate"
CUSTOMER_OF = "customer"
REFERRED_BY = "referred_by"
RATED = "rated"
KINDS = (ADVOCATE, CUSTOMER_OF, REFERRED_BY, RATED)

_NS: Final = "datetime64[ns]"

#: columns of ``TrustGraph.referrals`` / ``.touchpoints``: the row in ``relationships`` of each tie (-1: to oneself)
ADVOCATE_REL, CUSTOMER_REL, REFERRED_BY_REL, TIE_REL = "advocate_rel", "customer_rel", "referred_by_rel", "rel_idx"


@dataclass(frozen=True, eq=False)
class TrustGraph:
    """Nodes, relationships, the referral forest and a sparse adjacency of one export.

    See ``CONTRIBUTING.md`` ("Data contracts") for every column. Build it with
    :func:`build_graph`; it is immutable.

    Examples
    --------
    >>> import pandas as pd
    >>> refs = pd.DataFrame({"referrer": ["ann", "ann"], "referred": ["bob", "cat"],
    ...                      "provider": ["Tiles", "Tiles"], "referred_at": ["2025-01-10", "2025-02-01"]})
    >>> G = build_graph(refs)
    >>> G.nodes[["id", "is_customer", "is_advocate", "is_provider"]]
          id  is_customer  is_advocate  is_provider
    0  Tiles        False        False         True
    1    ann        False         True        False
    2    bob         True        False        False
    3    cat         True        False        False
    >>> G.relationships[["truster", "trustee", "kind"]]
      truster trustee         kind
    0     ann   Tiles     advocate
    1     bob   Tiles     customer
    2     bob     ann  referred_by
    3     cat   Tiles     customer
    4     cat     ann  referred_by
    >>> G.parent.tolist(), int(G.adjacency.sum()), G.n
    ([-1, -1, 1, 1], 2, 4)
    """

    nodes: pd.DataFrame
    relationships: pd.DataFrame
    referrals: pd.DataFrame
    touchpoints: pd.DataFrame | None
    adjacency: sp.csr_matrix
    parent: np.ndarray
    depth: np.ndarray
    order: np.ndarray
    as_of: pd.Timestamp | NaTType

    @property
    def n(self) -> int:
        """Number of nodes.

        Examples
        --------
        >>> import pandas as pd
        >>> build_graph(pd.DataFrame({"referrer": ["a", "a"], "referred": ["b", "c"]})).n  # a, b, c, the business
        4
        """
        return len(self.nodes)

    def index_of(self, ids: Iterable[str] | str) -> np.ndarray:
        """Integer node indices of ``ids`` (-1 where an id is not in the graph).

        >>> import pandas as pd
        >>> G = build_graph(pd.DataFrame({"referrer": ["a"], "referred": ["b"]}))
        >>> G.index_of(["b", "zz"]).tolist()
        [1, -1]
        """
        if isinstance(ids, str):
            ids = [ids]
        if not isinstance(ids, (pd.Series, pd.Index, np.ndarray)):
            ids = list(ids)
        # Arrow's hash lookup: no Python string per id, and nothing cached on the graph (an index over a
        # million ids would hold ~200 MB for the rest of the run)
        known = _arrow_text(self.nodes["id"])
        found = pc.index_in(_arrow_text(pd.Series(ids, dtype="str")).cast(known.type), value_set=known)
        return pc.fill_null(found, -1).to_numpy().astype(np.int64)

    def children(self) -> sp.csr_matrix:
        """Sparse n×n matrix parent → child of the referral forest (value 1).

        >>> import pandas as pd
        >>> G = build_graph(pd.DataFrame({"referrer": ["a", "a"], "referred": ["b", "c"]}))
        >>> G.children().sum(axis=1).A1.tolist()[:3]
        [2.0, 0.0, 0.0]
        """
        has = self.parent >= 0
        kids = np.flatnonzero(has)
        return sp.csr_matrix(
            (np.ones(len(kids)), (self.parent[has], kids)), shape=(self.n, self.n)
        )

    def to_networkx(self, edge_data: pd.DataFrame | None = None, node_data: pd.DataFrame | None = None) -> Any:
        """A ``networkx.MultiDiGraph`` view: one edge per relationship and one per referral.

        Node and edge attributes carry the table columns; dates become ISO
        strings and missing values are left out, so the graph writes cleanly to
        GEXF and GraphML. ``edge_data`` (aligned with :attr:`relationships`, e.g.
        trust scores) and ``node_data`` (aligned with :attr:`nodes`) add
        attributes. Referral edges have ``kind="referral"`` and a ``start`` date.

        >>> import pandas as pd
        >>> G = build_graph(pd.DataFrame({"referrer": ["a"], "referred": ["b"], "provider": ["P"]}))
        >>> H = G.to_networkx()
        >>> sorted(H.nodes), H.number_of_edges()
        (['P', 'a', 'b'], 4)
        """
        import networkx as nx

        H = nx.MultiDiGraph(as_of=_iso(self.as_of))
        nodes = self.nodes if node_data is None else pd.concat([self.nodes, node_data.drop(columns=["id"], errors="ignore")], axis=1)
        H.add_nodes_from(zip(nodes["id"], _records(nodes.drop(columns=["id"]))))
        rels = self.relationships.drop(columns=["truster_idx", "trustee_idx"])
        if edge_data is not None:
            rels = pd.concat([rels, edge_data.drop(columns=[c for c in rels.columns if c in edge_data.columns])], axis=1)
        H.add_edges_from(zip(rels[S_TRUSTER], rels[S_TRUSTEE], _records(rels.drop(columns=[S_TRUSTER, S_TRUSTEE]))))
        refs = self.referrals
        ref_attrs = pd.DataFrame({
            "kind": "referral",
            S.PROVIDER: refs[S.PROVIDER].to_numpy(),
            "start": refs[S.REFERRED_AT].to_numpy(),
            S.STATUS: refs[S.STATUS].to_numpy(),
            S.REVENUE: refs[S.REVENUE].to_numpy(),
        })
        H.add_edges_from(zip(refs[S.REFERRER], refs[S.REFERRED], _records(ref_attrs)))
        return H


S_TRUSTER, S_TRUSTEE = "truster", "trustee"


def _iso(value: Any) -> str | None:
    return None if pd.isna(value) else pd.Timestamp(value).isoformat()


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts without missing values; datetimes as ISO strings, numpy scalars as Python ones."""
    cols = {}
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_datetime64_any_dtype(col):
            values = col.dt.strftime("%Y-%m-%dT%H:%M:%S").astype(object)
        elif pd.api.types.is_bool_dtype(col):
            values = col.astype(object)
        else:
            values = col.astype(object)
        cols[name] = values.where(col.notna(), None).tolist()
    names = list(cols)
    out = []
    for row in zip(*cols.values()):
        out.append({k: (v.item() if hasattr(v, "item") else v) for k, v in zip(names, row) if v is not None})
    if not names:
        out = [{} for _ in range(len(frame))]
    return out


def date_values(col: pd.Series) -> np.ndarray:
    """A date column as ``datetime64[ns]`` values, NaT where missing.

    A column of numpy datetimes in nanoseconds is viewed, not copied (asking pandas for an ``na_value``
    copies it: 57 MiB for 7.5M touchpoint times); Arrow or object columns are converted.

    >>> date_values(pd.Series(pd.to_datetime(["2025-01-02", None]))).tolist()
    [1735776000000000000, None]
    """
    if isinstance(col.dtype, np.dtype):  # numpy datetimes (NaT included)
        return np.asarray(col.to_numpy(), dtype=_NS)
    return col.to_numpy(dtype=_NS, na_value=np.datetime64("NaT"))


def _dates(frame: pd.DataFrame | None, column: str) -> np.ndarray:
    if frame is None or column not in frame:
        n = 0 if frame is None else len(frame)
        return np.full(n, np.datetime64("NaT"), dtype=_NS)
    return date_values(frame[column])


def _undated_last(at: np.ndarray) -> np.ndarray:
    """int64 times with NaT (int64 min) raised to int64 max, so that a missing date never wins a minimum;
    ``at`` itself when every time is there (no copy: 57 MiB for 7.5M touchpoints).

    >>> _undated_last(np.array(["2025-01-02", "NaT"], "datetime64[ns]").view(np.int64))[1] == np.iinfo(np.int64).max
    np.True_
    """
    nat = np.iinfo(np.int64).min
    if not len(at) or at.min() != nat:
        return at
    return np.where(at == nat, np.iinfo(np.int64).max, at)


def _sum_by(index: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """The sum of ``values`` per ``index`` in ``0..n-1`` (floats); missing values add nothing.

    Only the rows with a value are summed: most touchpoints carry none (93 % at a million customers).

    >>> _sum_by(np.array([0, 2, 2, 0]), np.array([1.5, np.nan, 2.0, np.nan]), 3).tolist()
    [1.5, 0.0, 2.0]
    """
    valued = np.flatnonzero(~np.isnan(values))
    return np.bincount(index[valued], weights=np.nan_to_num(values[valued]), minlength=n).astype(float)


def _arrow_text(col: pd.Series) -> pa.Array:
    """A text column as one Arrow array (shares the column's buffers when it is Arrow-backed)."""
    arr = pa.array(col, from_pandas=True)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _as_str(col: pd.Series) -> pd.Series:
    return col if col.dtype == "str" else col.astype("str")


def _as_labels(col: pd.Series) -> pd.Series:
    """Text as :func:`_as_str`, but a category of strings stays one (a loaded table's referrers and providers,
    its touchpoints' customers and providers: at a million customers, 7.5M touchpoints and 974k referrals whose
    ids the loader has already hashed once)."""
    if isinstance(col.dtype, pd.CategoricalDtype) and col.dtype.categories.dtype == "str":
        return col
    return _as_str(col)


def _as_datetime(col: pd.Series) -> pd.Series:
    return col if col.dtype == _NS else pd.to_datetime(col).astype(_NS)


def _as_float(col: pd.Series) -> pd.Series:
    if col.dtype == "float64":
        return col
    if col.isna().all():
        return pd.Series(np.nan, index=col.index, dtype="float64")
    return pd.to_numeric(col, errors="coerce").astype("float64")


def _filled(col: pd.Series, value: str) -> pd.Series:
    """``col`` with NA replaced by ``value``; the same column (no copy) when nothing is missing."""
    if not col.isna().any():
        return col
    if isinstance(col.dtype, pd.CategoricalDtype) and value not in col.cat.categories:
        col = col.cat.add_categories([value])
    return col.fillna(value)


def _require_ids(frame: pd.DataFrame, columns: tuple[str, ...], table: str) -> None:
    from .errors import InputError

    for col in columns:
        missing = frame[col].isna().to_numpy()
        if missing.any():
            rows = np.flatnonzero(missing)[:5].tolist()
            raise InputError(
                f"the {table} table has rows without a {col} (row positions {rows}); "
                f"load exports with trustnet.load_{table}, which rejects such rows with a reason"
            )


def _with_columns(frame: pd.DataFrame, columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """``frame.assign(**columns)`` without copying the arrays, which must be the caller's own (``assign``
    copies each one: 57 MiB per touchpoint column at a million customers); columns of the same names are
    replaced.

    >>> idx = np.array([1, 0])
    >>> out = _with_columns(pd.DataFrame({"id": ["b", "a"]}), {"idx": idx})
    >>> out.columns.tolist(), np.shares_memory(out["idx"].to_numpy(), idx)
    (['id', 'idx'], True)
    """
    frame = frame.drop(columns=[name for name in columns if name in frame])
    return pd.concat([frame, pd.DataFrame(columns, index=frame.index, copy=False)], axis=1)


def _canonical_referrals(referrals: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Fill optional columns so a hand-made table behaves like a loaded one (no mutation)."""
    missing = [c for c in S.REFERRAL_REQUIRED if c not in referrals.columns]
    if missing:
        from .errors import InputError

        raise InputError(
            f"the referrals table has no {', '.join(missing)} column; found "
            + ", ".join(map(repr, referrals.columns))
            + "; load exports with trustnet.load_referrals, which maps real headers"
        )
    out = referrals.copy(deep=False)  # copy-on-write: the columns set below never touch the caller's table
    for col in S.REFERRAL_COLUMNS:
        if col not in out:
            out[col] = pd.NA
    _require_ids(out, S.REFERRAL_REQUIRED, "referrals")
    out[S.REFERRER] = _as_labels(out[S.REFERRER])
    out[S.REFERRED] = _as_str(out[S.REFERRED])
    out[S.PROVIDER] = _as_labels(_filled(out[S.PROVIDER], settings.load.default_provider))
    for col in (S.REFERRED_AT, S.CONVERTED_AT):
        out[col] = _as_datetime(out[col])
    out[S.REVENUE] = _as_float(out[S.REVENUE])
    if S.SOURCE_LINE not in out:
        out[S.SOURCE_LINE] = np.arange(2, len(out) + 2)
    return out.reset_index(drop=True)


def _canonical_touchpoints(touchpoints: pd.DataFrame | None, settings: Settings) -> pd.DataFrame | None:
    if touchpoints is None:
        return None
    if S.CUSTOMER not in touchpoints.columns:
        from .errors import InputError

        raise InputError(
            "the touchpoints table has no customer column; found "
            + ", ".join(map(repr, touchpoints.columns))
            + "; load files with trustnet.load_touchpoints, which maps real headers"
        )
    out = touchpoints.copy(deep=False)  # shares the caller's columns (copy-on-write): no second copy in memory
    for col in S.TOUCHPOINT_COLUMNS:
        if col not in out:
            out[col] = pd.NA
    _require_ids(out, S.TOUCHPOINT_REQUIRED, "touchpoints")
    out[S.CUSTOMER] = _as_labels(out[S.CUSTOMER])
    out[S.PROVIDER] = _as_labels(_filled(out[S.PROVIDER], settings.load.default_provider))
    out[S.AT] = _as_datetime(out[S.AT])
    for col in (S.SCORE, S.RESPONSE_DAYS, S.VALUE):
        out[col] = _as_float(out[col])
    if S.SOURCE_LINE not in out:
        out[S.SOURCE_LINE] = np.arange(2, len(out) + 2)
    return out.reset_index(drop=True)


def build_graph(
    referrals: pd.DataFrame,
    touchpoints: pd.DataFrame | None = None,
    settings: Settings | None = None,
) -> TrustGraph:
    """Build the :class:`TrustGraph` of a referral export.

    Parameters
    ----------
    referrals : DataFrame
        Canonical referrals (``trustnet.load_referrals``); a hand-made table
        with at least ``referrer`` and ``referred`` works too.
    touchpoints : DataFrame, optional
        Canonical touchpoints (``trustnet.load_touchpoints``).
    settings : Settings, optional
        ``load.default_provider`` names the provider when there is no provider
        column; ``trust.as_of`` fixes the export's end date.

    Returns
    -------
    TrustGraph

    Examples
    --------
    >>> import pandas as pd
    >>> refs = pd.DataFrame({"referrer": ["ann", "ann"], "referred": ["bob", "cat"],
    ...                      "provider": ["Tiles", "Paint"], "revenue": [100.0, 50.0]})
    >>> G = build_graph(refs)
    >>> G.relationships[["truster", "trustee", "kind"]].values.tolist()
    [['ann', 'Paint', 'advocate'], ['ann', 'Tiles', 'advocate'], ['bob', 'Tiles', 'customer'], ['bob', 'ann', 'referred_by'], ['cat', 'Paint', 'customer'], ['cat', 'ann', 'referred_by']]
    >>> G.nodes.set_index("id").loc["bob", "value"]
    np.float64(100.0)
    """
    settings = settings or Settings()
    refs = _canonical_referrals(referrals, settings)
    tps = _canonical_touchpoints(touchpoints, settings)

    # --- one integer index per id, sorted so that row order never changes the result
    id_parts = [refs[S.REFERRER], refs[S.REFERRED], refs[S.PROVIDER]]
    if tps is not None:
        id_parts += [tps[S.CUSTOMER], tps[S.PROVIDER]]
    ref_at = _dates(refs, S.REFERRED_AT)
    tp_at = _dates(tps, S.AT)
    by_label: Future[TouchpointTies] | None = None
    with ThreadPoolExecutor(1) as beside:
        if tps is not None and all(isinstance(tps[c].dtype, pd.CategoricalDtype) for c in (S.CUSTOMER, S.PROVIDER)):
            # loaded touchpoints' ids are categories: their (customer, provider) pairs are found by the categories'
            # codes, in a second thread while the ids are encoded (Arrow's hashing lets go of the GIL)
            by_label = beside.submit(_touchpoint_ties, tps[S.CUSTOMER].cat.codes.to_numpy(),
                                     tps[S.PROVIDER].cat.codes.to_numpy(), len(tps[S.CUSTOMER].cat.categories), tp_at)
        uniques, part, label_nodes = _factorize_together(id_parts)
        n = len(uniques)
        tp_ties: TouchpointTies | None = None
        if by_label is not None:
            customers, providers, pair_of, first, last = by_label.result()
            customer_node, provider_node = label_nodes[3], label_nodes[4]
            assert customer_node is not None and provider_node is not None  # (category columns have them)
            tp_ties = (customer_node[customers], provider_node[providers], pair_of, first, last)
        elif tps is not None:
            tp_ties = _touchpoint_ties(part[3], part[4], n, tp_at)
    r_idx, d_idx, p_idx = part[0], part[1], part[2]
    refs = _with_columns(refs, {"referrer_idx": r_idx, "referred_idx": d_idx, "provider_idx": p_idx})
    if tps is not None:
        tps = _with_columns(tps, {"customer_idx": part[3], "provider_idx": part[4]})

    # --- the export's end
    as_of: pd.Timestamp | NaTType
    if settings.trust.as_of:
        as_of = pd.Timestamp(settings.trust.as_of)
    else:
        # NaT is int64 min: it wins the maximum only when nothing is dated
        latest = max((int(d.view(np.int64).max()) for d in (ref_at, _dates(refs, S.CONVERTED_AT), tp_at) if len(d)),
                     default=np.iinfo(np.int64).min)
        as_of = pd.Timestamp(latest) if latest != np.iinfo(np.int64).min else pd.NaT

    relationships, tie_rows = _relationship_table(uniques, refs, tp_ties, ref_at, n)
    nodes = _node_table(uniques, refs, tps, tp_ties, relationships, tie_rows, ref_at, tp_at)
    # each referral's and touchpoint's relationship rows (-1 for a tie to oneself): later stages need not search
    refs = _with_columns(refs, {ADVOCATE_REL: tie_rows[0], CUSTOMER_REL: tie_rows[1], REFERRED_BY_REL: tie_rows[2]})
    if tps is not None:
        tps = _with_columns(tps, {TIE_REL: tie_rows[3]})

    adjacency = sp.csr_matrix((np.ones(len(refs)), (r_idx, d_idx)), shape=(n, n))
    adjacency.sum_duplicates()

    parent = _acquisition_parents(refs, ref_at, n)
    parent, depth = _cut_cycles_and_depth(parent, refs, ref_at)
    order = sort_order(depth)

    return TrustGraph(
        nodes=nodes,
        relationships=relationships,
        referrals=refs,
        touchpoints=tps,
        adjacency=adjacency,
        parent=parent,
        depth=depth,
        order=order,
        as_of=as_of,
    )


def build_rating_graph(
    ratings: pd.DataFrame,
    settings: Settings | None = None,
    *,
    people: Iterable[Any] | None = None,
) -> TrustGraph:
    """Build the :class:`TrustGraph` of a rating network (each row: a rater rated a ratee).

    Every person is a node (``is_customer`` and ``is_provider`` False;
    ``is_advocate`` True for those who gave a positive rating); each distinct
    rater → ratee pair is one relationship of kind ``"rated"`` with
    ``ratings`` (how many ratings) and ``rating`` (their mean, on the input's
    scale); ``adjacency`` is rater → ratee (value = ratings); the referral
    forest is empty (every node a root) and ``referrals`` an empty canonical
    table. Self-ratings are left out. Nodes also carry ``ratings_given`` and
    ``ratings_received`` (people rated / rated by: repeated ratings of one pair count once).

    Parameters
    ----------
    ratings : DataFrame
        ``rater``, ``ratee``, ``rating`` and optionally ``rated_at``
        (``trustnet.load.load_ratings``).
    settings : Settings, optional
        ``trust.as_of`` fixes the network's end date (default: the latest rating).
    people : iterable of ids, optional
        Extra people to include as nodes even without a rating (isolated people).

    Returns
    -------
    TrustGraph

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"rater": ["a", "a", "b"], "ratee": ["b", "b", "a"], "rating": [2, 4, -1]})
    >>> G = build_rating_graph(r, people=["z"])
    >>> G.relationships[["truster", "trustee", "kind", "ratings", "rating"]].values.tolist()
    [['a', 'b', 'rated', 2, 3.0], ['b', 'a', 'rated', 1, -1.0]]
    >>> G.nodes[["id", "is_advocate", "ratings_given"]].values.tolist()
    [['a', True, 1], ['b', False, 1], ['z', False, 0]]
    >>> G.adjacency.toarray().tolist()[0], (G.parent == -1).all()
    ([0.0, 2.0, 0.0], np.True_)
    """
    from .errors import InputError

    settings = settings or Settings()
    missing = [c for c in (S.RATER, S.RATEE, S.RATING) if c not in ratings.columns]
    if missing:
        raise InputError(
            f"the ratings table has no {', '.join(missing)} column; found "
            + ", ".join(map(repr, ratings.columns))
            + "; load rating networks with trustnet.load.load_ratings, which maps real headers"
        )
    _require_ids(ratings, (S.RATER, S.RATEE), "ratings")
    rater = _as_str(ratings[S.RATER]).to_numpy(dtype=object)
    ratee = _as_str(ratings[S.RATEE]).to_numpy(dtype=object)
    value = _as_float(ratings[S.RATING]).to_numpy(float)
    at = _dates(ratings, S.RATED_AT).astype(np.int64)
    own = rater == ratee
    rater, ratee, value, at = rater[~own], ratee[~own], value[~own], at[~own]
    extra = pd.Series(list(people) if people is not None else [], dtype=object).astype(str).to_numpy(dtype=object)
    uniques, part, _ = _factorize_together([pd.Series(rater, dtype="str"), pd.Series(ratee, dtype="str"),
                                         pd.Series(extra, dtype="str")])
    n = len(uniques)
    u, v = part[0].astype(np.int64), part[1].astype(np.int64)
    nat, big = np.iinfo(np.int64).min, np.iinfo(np.int64).max

    # --- one relationship per (rater, ratee), sorted by (rater, ratee)
    key = u * max(n, 1) + v
    order = np.argsort(key, kind="stable")
    key, at_s, val_s = key[order], at[order], value[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.array([], np.int64)
    if len(key):
        first = np.minimum.reduceat(_undated_last(at_s), starts)
        first[first == big] = nat
        last = np.maximum.reduceat(at_s, starts)
        count = np.diff(np.r_[starts, len(key)])
        mean = np.add.reduceat(np.nan_to_num(val_s), starts) / count
    else:
        first = last = count = np.array([], np.int64)
        mean = np.array([], float)
    pair = key[starts]
    t_idx, e_idx = pair // max(n, 1), pair % max(n, 1)
    relationships = pd.DataFrame({
        S_TRUSTER: uniques.take(t_idx).array,
        S_TRUSTEE: uniques.take(e_idx).array,
        "truster_idx": t_idx,
        "trustee_idx": e_idx,
        "kind": pd.Categorical.from_codes(np.full(len(pair), KINDS.index(RATED)), categories=pd.Index(KINDS)),
        "first_seen": first.view(_NS),
        "last_seen": last.view(_NS),
        "referrals": np.zeros(len(pair), np.int64),
        "ratings": count.astype(np.int64),
        "rating": mean,
    })

    # --- nodes: people only
    idx = np.r_[u, v]
    when = np.r_[at, at]
    ok = when != nat
    lo = np.full(n, big)
    hi = np.full(n, nat)
    np.minimum.at(lo, idx[ok], when[ok])
    np.maximum.at(hi, idx[ok], when[ok])
    gave_positive = np.zeros(n, bool)
    gave_positive[u[value > 0]] = True
    nodes = pd.DataFrame({
        "id": pd.Series(uniques, dtype="str"),
        "is_customer": np.zeros(n, bool),
        "is_advocate": gave_positive,
        "is_provider": np.zeros(n, bool),
        "first_seen": np.where(lo == big, nat, lo).view(_NS),
        "last_seen": hi.view(_NS),
        "value": np.zeros(n),
        "referrals_made": np.zeros(n, np.int64),
        "referrals_received": np.zeros(n, np.int64),
        "ratings_given": np.bincount(t_idx, minlength=n).astype(np.int64),
        "ratings_received": np.bincount(e_idx, minlength=n).astype(np.int64),
    })

    as_of: pd.Timestamp | NaTType
    if settings.trust.as_of:
        as_of = pd.Timestamp(settings.trust.as_of)
    else:
        dated = at[at != nat]
        as_of = pd.Timestamp(dated.max().view(_NS)) if len(dated) else pd.NaT
    refs = _canonical_referrals(pd.DataFrame({S.REFERRER: pd.Series([], dtype="str"),
                                              S.REFERRED: pd.Series([], dtype="str")}), settings)
    empty = np.array([], np.int64)
    refs = _with_columns(refs, {"referrer_idx": empty, "referred_idx": empty, "provider_idx": empty,
                                ADVOCATE_REL: empty, CUSTOMER_REL: empty, REFERRED_BY_REL: empty})
    adjacency = sp.csr_matrix((count.astype(float), (t_idx, e_idx)), shape=(n, n))
    return TrustGraph(
        nodes=nodes,
        relationships=relationships,
        referrals=refs,
        touchpoints=None,
        adjacency=adjacency,
        parent=np.full(n, -1, np.int64),
        depth=np.zeros(n, np.int64),
        order=np.arange(n, dtype=np.int64),
        as_of=as_of,
    )


def _factorize_together(columns: list[pd.Series]) -> tuple[pd.Index, list[np.ndarray], list[np.ndarray | None]]:
    """One sorted id index over several text columns, each column's codes into it, and for a category column
    the index of each of its labels (0 for labels no row uses; None for other columns).

    Every row is hashed once (a category column: its used labels, not its rows)
    by :func:`trustnet._textorder.number_in_order`, which also puts the ids in order.
    """
    texts: list[pa.Array] = []
    category_codes: list[tuple[np.ndarray, np.ndarray] | None] = []
    for col in columns:
        if isinstance(col.dtype, pd.CategoricalDtype):
            codes = col.cat.codes.to_numpy()
            used = np.zeros(len(col.cat.categories), bool)
            used[codes] = True  # (ids are never missing: _require_ids)
            texts.append(_arrow_text(pd.Series(col.cat.categories[used], dtype="str")))
            category_codes.append((codes, used))
        else:
            texts.append(_arrow_text(_as_str(col)))
            category_codes.append(None)
    ids, numbers = number_in_order(texts)
    # the hash tables' memory back to the system now, for the arrays below: Arrow's pool would keep it, and
    # pages new to the process cost far more than reused ones on some VMs
    release_memory()
    out: list[np.ndarray] = []
    label_nodes: list[np.ndarray | None] = []
    for part, category in zip(numbers, category_codes):
        of_label = None
        if category is not None:  # the labels' numbers, then one gather for the rows
            rows, used = category
            of_label = np.zeros(len(used), np.int64)
            of_label[used] = part
            part = of_label[rows]
        out.append(part)
        label_nodes.append(of_label)
    index = pd.Index(ids.to_pandas(types_mapper=lambda _: pd.StringDtype("pyarrow", na_value=np.nan)))
    return index, out, label_nodes


def _node_table(uniques: pd.Index, refs: pd.DataFrame, tps: pd.DataFrame | None, tp_ties: TouchpointTies | None,
                relationships: pd.DataFrame, tie_rows: list[np.ndarray], ref_at: np.ndarray,
                tp_at: np.ndarray) -> pd.DataFrame:
    n = len(uniques)
    r_idx = refs["referrer_idx"].to_numpy()
    d_idx = refs["referred_idx"].to_numpy()
    p_idx = refs["provider_idx"].to_numpy()
    is_provider = np.zeros(n, bool)
    is_provider[p_idx] = True
    is_advocate = np.zeros(n, bool)
    is_advocate[r_idx] = True
    is_customer = np.zeros(n, bool)
    is_customer[d_idx] = True
    value = _sum_by(d_idx, refs[S.REVENUE].to_numpy(float), n)
    # a node's first and last date: those of its relationships, either end, and of its ties to itself (not
    # relationships); NaT is int64 min, so it never wins a maximum, and it is lifted to int64 max for the minimum
    nat, big = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    first_rel = relationships["first_seen"].to_numpy().view(np.int64)
    first_rel = _undated_last(first_rel)
    last_rel = relationships["last_seen"].to_numpy().view(np.int64)
    own = list(zip(tie_rows[:3], (r_idx, d_idx, d_idx), (ref_at,) * 3))
    if tps is not None and tp_ties is not None:
        is_customer[tp_ties[0]] = True  # (the touchpoints' pairs name every customer and provider they do)
        is_provider[tp_ties[1]] = True
        c_idx = tps["customer_idx"].to_numpy()
        value += _sum_by(c_idx, tps[S.VALUE].to_numpy(float), n)
        own.append((tie_rows[3], c_idx, tp_at))
    first = np.full(n, big)
    last = np.full(n, nat)
    for end in ("truster_idx", "trustee_idx"):
        idx = relationships[end].to_numpy()
        np.minimum.at(first, idx, first_rel)
        np.maximum.at(last, idx, last_rel)
    for rows, idx, when in own:
        mine = rows < 0
        at = when.view(np.int64)[mine]
        np.minimum.at(first, idx[mine], _undated_last(at))
        np.maximum.at(last, idx[mine], at)
    first_seen = np.where(first == big, nat, first).view(_NS)
    last_seen = last.view(_NS)
    return pd.DataFrame({
        "id": pd.Series(uniques, dtype="str"),
        "is_customer": is_customer,
        "is_advocate": is_advocate,
        "is_provider": is_provider,
        "first_seen": first_seen,
        "last_seen": last_seen,
        "value": value,
        "referrals_made": np.bincount(r_idx, minlength=n),
        "referrals_received": np.bincount(d_idx, minlength=n),
    }, copy=False)


def _relationship_table(uniques: pd.Index, refs: pd.DataFrame, tp_ties: TouchpointTies | None, ref_at: np.ndarray,
                        n: int) -> tuple[pd.DataFrame, list[np.ndarray]]:
    """The relationship table, and the relationship row of each tie (-1 for a tie to oneself), one array per source:
    referrer → provider, referred → provider, referred → referrer (one row per referral each), then touchpoints."""
    r_idx = refs["referrer_idx"].to_numpy()
    d_idx = refs["referred_idx"].to_numpy()
    p_idx = refs["provider_idx"].to_numpy()
    code = {k: i for i, k in enumerate(KINDS)}  # advocate (0) wins over customer (1) on the same pair
    # (truster, trustee, kind, first and last times, counts as a referral, each touchpoint's tie or None) of
    # every observed tie, one part per source; the touchpoints as the pairs they fall on (7.5M touchpoints,
    # 1.0M pairs at a million customers), so that the sort below has far fewer ties to order
    Part = tuple[np.ndarray, np.ndarray, int, np.ndarray, np.ndarray, int, "np.ndarray | None"]
    ref_last = ref_at.view(np.int64)
    ref_first = _undated_last(ref_last)
    parts: list[Part] = [(r_idx, p_idx, code[ADVOCATE], ref_first, ref_last, 1, None),
                         (d_idx, p_idx, code[CUSTOMER_OF], ref_first, ref_last, 1, None),
                         (d_idx, r_idx, code[REFERRED_BY], ref_first, ref_last, 1, None)]
    if tp_ties is not None:
        pair_customer, pair_provider, pair_of, pair_first, pair_last = tp_ties
        parts.append((pair_customer, pair_provider, code[CUSTOMER_OF], pair_first, pair_last, 0, pair_of))
    src = np.concatenate([p[0] for p in parts], dtype=np.int64)
    dst = np.concatenate([p[1] for p in parts], dtype=np.int64)
    self_tie = src == dst
    keep = np.flatnonzero(~self_tie) if self_tie.any() else None
    if keep is not None:
        src, dst = src[keep], dst[keep]
    # pairs sorted by (truster, trustee), the trustees numbered densely in id order: the order of
    # truster * n + trustee in fewer bits, so that one packed value sort finds it (see sort_order)
    dst_number, trustees = dense_numbers(dst, n)  # (trustees: dense number -> node)
    n_dst = max(len(trustees), 1)
    # src's and dst's buffers are this function's own, and are reused below: an array of a tie per element
    # is 80 MB at a million customers, and each fresh one costs its page faults (about 0.08 s on a VM)
    key = src
    key *= n_dst
    key += dst_number
    del dst_number, src
    pos_bits = max((len(key) - 1).bit_length(), 1)
    if max((n * n_dst - 1).bit_length(), 1) + pos_bits <= 63:
        # sort_order's packed words, in key's buffer: their high bits are the sorted keys, the low the order
        sorted_key = _packed_sort(key, pos_bits, overwrite=True)
        order = np.bitwise_and(sorted_key, (1 << pos_bits) - 1, out=dst)
        sorted_key >>= pos_bits
    else:
        order = sort_order(key, n * n_dst)
        sorted_key = key[order]
    del key, dst
    new_pair = np.r_[True, sorted_key[1:] != sorted_key[:-1]] if len(sorted_key) else np.array([], bool)
    pair_key = sorted_key[new_pair]  # one key per relationship, in order: truster, then trustee
    t_idx, e_number = np.divmod(pair_key, n_dst)
    e_idx = trustees[e_number]
    m_rel = len(pair_key)
    del pair_key
    rank = np.cumsum(new_pair, out=sorted_key)  # (the sorted keys are done with)
    rank -= 1
    del sorted_key
    row = np.empty(len(order), np.int64)  # the relationship row of each tie
    row[order] = rank
    del order, new_pair, rank
    if keep is not None:
        full = np.full(len(self_tie), -1, np.int64)
        full[keep] = row
        row = full
    nat, big = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    first = np.full(m_rel, big)
    last = np.full(m_rel, nat)
    kind_g = np.full(m_rel, len(KINDS), np.int64)
    count_g = np.zeros(m_rel, np.int64)
    bounds = np.cumsum([0] + [len(p[0]) for p in parts])
    part_rows = [row[lo:hi] for lo, hi in zip(bounds[:-1], bounds[1:])]
    # one source at a time (no concatenated copies of dates), the weakest kind first: the strongest is written last
    for i in sorted(range(len(parts)), key=lambda i: -parts[i][2]):
        _, _, kind, part_first, part_last, counts, _ = parts[i]
        rows = part_rows[i]
        if keep is not None:
            ok = rows >= 0
            rows, part_first, part_last = rows[ok], part_first[ok], part_last[ok]
        np.maximum.at(last, rows, part_last)
        np.minimum.at(first, rows, part_first)
        kind_g[rows] = kind
        if counts:
            count_g += np.bincount(rows, minlength=m_rel)
    # each touchpoint's row, its pair's (written over the pair numbers, which are this function's own)
    tie_rows = [rows if part[6] is None else _gather_into(rows, part[6], out=part[6]) for part, rows in zip(parts, part_rows)]
    first[first == big] = nat
    table = pd.DataFrame({
        S_TRUSTER: uniques.take(t_idx).array,
        # (from the trustees' own ids: a gather from a tenth of the ids, as the trusters' is in order)
        S_TRUSTEE: uniques.take(trustees).take(e_number).array,
        "truster_idx": t_idx,
        "trustee_idx": e_idx,
        "kind": pd.Categorical.from_codes(kind_g, categories=pd.Index(KINDS)),
        "first_seen": first.view(_NS),
        "last_seen": last.view(_NS),
        "referrals": count_g,
    }, copy=False)
    return table, tie_rows


#: the touchpoints' (customer, provider) pairs, each touchpoint's pair, and each pair's first and last time
#: (int64 nanoseconds; a pair with no dated touchpoint: first int64 max, last NaT)
TouchpointTies = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _touchpoint_ties(customer: np.ndarray, provider: np.ndarray, n: int, at: np.ndarray) -> TouchpointTies:
    """:func:`_touchpoint_pairs` and each pair's first and last time ``at``.

    >>> at = np.array(["2025-01-03", "2025-01-01", "NaT"], "datetime64[ns]")
    >>> cust, prov, of, first, last = _touchpoint_ties(np.array([0, 0, 1]), np.array([5, 5, 6]), 2, at)
    >>> first.astype("datetime64[ns]")[of[:2]].astype(str).tolist(), last[of[2]] == np.iinfo(np.int64).min
    (['2025-01-01T00:00:00.000000000', '2025-01-01T00:00:00.000000000'], np.True_)
    """
    pair_customer, pair_provider, pair_of = _touchpoint_pairs(customer, provider, n)
    when = at.view(np.int64)
    first = np.full(len(pair_customer), np.iinfo(np.int64).max)
    last = np.full(len(pair_customer), np.iinfo(np.int64).min)
    np.minimum.at(first, pair_of, _undated_last(when))
    np.maximum.at(last, pair_of, when)
    return pair_customer, pair_provider, pair_of, first, last


def _touchpoint_pairs(customer: np.ndarray, provider: np.ndarray, n: int,
                      rounds: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(customer, provider) pairs that the touchpoints fall on, and each touchpoint's pair, without sorting or
    hashing the touchpoints.

    A customer deals with few providers: each round notes one provider per customer still to place (the pair
    of that customer and provider) and places every touchpoint on it that names the same provider; the rest
    go to the next round. Touchpoints left after ``rounds`` rounds stand for a pair each (so a pair can appear
    more than once; the relationship sort merges them). Which provider a round notes for a customer does not
    change the pairs, only their order, and the relationship table is sorted.

    >>> cust, prov, of = _touchpoint_pairs(np.array([0, 1, 0, 0, 1]), np.array([5, 6, 5, 7, 6]), 8)
    >>> sorted(zip(cust.tolist(), prov.tolist())), [(int(cust[k]), int(prov[k])) for k in of]
    ([(0, 5), (0, 7), (1, 6)], [(0, 5), (1, 6), (0, 5), (0, 7), (1, 6)])
    """
    noted = np.empty(n, np.int64)
    noted[customer] = provider
    # the first round, on all touchpoints, numbers its pairs by customer: its numbers are every touchpoint's
    # pair unless a later round or the rest below places it again
    pair_of, customers = dense_numbers(customer, n)
    pair_customer, pair_provider = [customers], [noted[customers]]
    found = len(customers)
    mismatch = np.empty(len(customer), bool)
    for lo in range(0, len(customer), _CHUNK):
        np.not_equal(noted[customer[lo:lo + _CHUNK]], provider[lo:lo + _CHUNK], out=mismatch[lo:lo + _CHUNK])
    todo = np.flatnonzero(mismatch)  # the rows still to place
    for _ in range(rounds - 1):
        if not len(todo):
            break
        c, p = customer[todo], provider[todo]
        noted[c] = p
        number, customers = dense_numbers(c, n)
        placed = noted[c] == p
        pair_of[todo[placed]] = found + number[placed]
        pair_customer.append(customers)
        pair_provider.append(noted[customers])
        found += len(customers)
        todo = todo[~placed]
    if len(todo):
        pair_of[todo] = found + np.arange(len(todo))
        pair_customer.append(customer[todo])
        pair_provider.append(provider[todo])
    return (np.concatenate(pair_customer).astype(np.int64, copy=False),
            np.concatenate(pair_provider).astype(np.int64, copy=False), pair_of)


#: rows per step where a step over millions of touchpoints would otherwise make an array as long as they are
_CHUNK = 1 << 20


def _gather_into(table: np.ndarray, index: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``table[index]`` written into ``out`` (which may be ``index`` itself), a chunk of rows at a time.

    No array as long as ``index`` is made: at a million customers one is 57 MiB for the touchpoints, and
    memory new to the process costs more than the gather itself on some VMs.

    >>> index = np.array([2, 0, 2])
    >>> _gather_into(np.array([10, 11, 12]), index, out=index).tolist(), index.tolist()
    ([12, 10, 12], [12, 10, 12])
    """
    for lo in range(0, len(index), _CHUNK):
        out[lo:lo + _CHUNK] = table[index[lo:lo + _CHUNK]]
    return out


def dense_numbers(values: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """Number the distinct values (non-negative integers below ``bound``) 0, 1, ... in their order, by one
    table of ``bound`` flags instead of a hash or a sort; also the distinct values, in order.

    >>> numbers, distinct = dense_numbers(np.array([40, 7, 40, 12]), 50)
    >>> numbers.tolist(), distinct.tolist()
    ([2, 0, 2, 1], [7, 12, 40])
    """
    used = np.zeros(bound, bool)
    used[values] = True
    number = np.cumsum(used, dtype=np.int64)
    number -= 1
    return number[values], np.flatnonzero(used)


def sort_order(key: np.ndarray, bound: int | None = None) -> np.ndarray:
    """The stable ``argsort`` of non-negative integer keys, by value sorts of packed words.

    Each key is shifted left and its position written into the low bits, so
    that a plain value sort (much faster than ``argsort`` on large arrays)
    orders by key, then position; keys too wide for one 63-bit word are sorted
    in two or more passes on their low bits first (LSD radix). Keys below
    2**16 (a forest's levels) go to numpy's radix sort of 16-bit integers;
    negative keys fall back to ``numpy.argsort(kind="stable")``.

    Parameters
    ----------
    key : ndarray of int
    bound : int, optional
        An upper bound (exclusive) of the keys; their maximum + 1 when omitted.

    Returns
    -------
    ndarray of int64
        Indices that sort ``key``, equal keys in their original order.

    Examples
    --------
    >>> sort_order(np.array([3, 1, 3, 0, 1])).tolist()
    [3, 1, 4, 0, 2]
    >>> sort_order(np.array([2**50, 5, 2**50 - 1]), bound=2**51).tolist()
    [1, 2, 0]
    """
    key = np.asarray(key, np.int64)
    n = len(key)
    if n == 0:
        return np.zeros(0, np.int64)
    if int(key.min()) < 0:
        return np.argsort(key, kind="stable")
    bound = int(key.max()) + 1 if bound is None else max(int(bound), int(key.max()) + 1)
    if bound <= 1 << 16:  # numpy's stable sort of 16-bit integers is a radix sort: one pass per byte
        return np.argsort(key.astype(np.uint16), kind="stable")
    pos_bits = max((n - 1).bit_length(), 1)
    key_bits = max((bound - 1).bit_length(), 1)
    free = 63 - pos_bits
    if free < 16:
        return np.argsort(key, kind="stable")
    low = (1 << pos_bits) - 1
    if key_bits <= free:
        order = _packed_sort(key, pos_bits)
        order &= low
        return order
    order = np.arange(n, dtype=np.int64)
    digit = (1 << free) - 1
    for shift in range(0, key_bits, free):
        step = _packed_sort((key if shift == 0 else key[order]) >> shift & digit, pos_bits)
        step &= low
        order = step if shift == 0 else order[step]
    return order


def _packed_sort(key: np.ndarray, pos_bits: int, overwrite: bool = False) -> np.ndarray:
    """``key << pos_bits | position`` of every (non-negative) key, sorted: the high bits are the keys in
    order, the low bits the stable ``argsort``. The caller makes sure both fit in 63 bits; with ``overwrite``
    the words are made in ``key``'s own buffer (an int64 array the caller no longer needs).

    >>> words = _packed_sort(np.array([3, 1, 3]), 2)
    >>> (words >> 2).tolist(), (words & 3).tolist()
    ([1, 3, 3], [1, 0, 2])
    """
    words = np.left_shift(key, pos_bits, out=key if overwrite else None, dtype=np.int64)
    words |= np.arange(len(key), dtype=np.int64)
    _sort_in_place(words)
    return words


#: Words from which a sort is split over two cores (below it, one sort takes about as long as the split).
_SPLIT_SORT_FROM = 1 << 21


def _sort_in_place(words: np.ndarray) -> None:
    """Sort ``words`` in place; a long array as two halves side by side, then one merge of the two runs.

    numpy's sort releases the GIL, and its stable sort (timsort for 64-bit integers) merges two sorted runs
    in one pass: ten million words 0.65 s → 0.39–0.53 s on two cores.

    >>> w = np.array([5, 3, 9, 1]); _sort_in_place(w); w.tolist()
    [1, 3, 5, 9]
    """
    if len(words) < _SPLIT_SORT_FROM or (os.cpu_count() or 1) < 2:
        words.sort()
        return
    half = len(words) // 2
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="trustnet-sort") as pool:
        first = pool.submit(words[:half].sort)
        words[half:].sort()
        first.result()
    words.sort(kind="stable")


def _acquisition_parents(refs: pd.DataFrame, ref_at: np.ndarray, n: int) -> np.ndarray:
    """Each person's acquiring referral: the earliest one naming them as referred (undated ones last), the
    first line of the export among equally early ones, then the alphabetically first referrer."""
    parent = np.full(n, -1, dtype=np.int64)
    r_idx = refs["referrer_idx"].to_numpy()
    d_idx = refs["referred_idx"].to_numpy()
    at = ref_at.view(np.int64)
    nat, big = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    rows = np.flatnonzero(r_idx != d_idx)  # a self-referral acquires nobody (and would be a 1-cycle)
    # among the referrals of a person referred more than once, the per-person minimum of each key in turn,
    # keeping the rows that reach it (no sort of all referrals); a person referred once has one candidate
    contested = np.bincount(d_idx[rows], minlength=n)[d_idx[rows]] > 1
    if contested.any():
        alone, rows = rows[~contested], rows[contested]
        for key in (_undated_last(at), refs[S.SOURCE_LINE].to_numpy(np.int64), r_idx):
            best = np.full(n, big)
            np.minimum.at(best, d_idx[rows], key[rows])
            rows = rows[key[rows] == best[d_idx[rows]]]
        rows = np.concatenate([alone, rows])
    child, par, when = d_idx[rows], r_idx[rows], at[rows]  # rows left for one person are the same referral
    # a referral reaching someone who had already referred others earlier does not acquire them
    first_made = np.full(n, big)
    dated = at != nat
    np.minimum.at(first_made, r_idx[dated], at[dated])
    acquired = (when == nat) | (when <= first_made[child])
    parent[child[acquired]] = par[acquired]
    return parent


def _cut_cycles_and_depth(parent: np.ndarray, refs: pd.DataFrame, ref_at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Depth of every node in the forest, after cutting any cycle left in ``parent``.

    Pointer doubling gives depths in O(n log n); nodes that never reach a root
    sit on or below a cycle, which is cut at one member (the smallest index,
    i.e. the alphabetically first id, for determinism).
    """
    parent = parent.copy()
    n = len(parent)
    for _ in range(n + 1):  # each pass cuts at least one cycle; in practice one or two passes
        depth, unresolved = _pointer_doubling_depth(parent)
        if not unresolved.any():
            return parent, depth
        nodes = np.flatnonzero(unresolved)
        sub_parent = parent[nodes]
        pos = np.searchsorted(nodes, sub_parent)
        inside = (sub_parent >= 0) & (pos < len(nodes))
        inside[inside] &= nodes[pos[inside]] == sub_parent[inside]
        m = len(nodes)
        g = sp.csr_matrix((np.ones(inside.sum()), (np.flatnonzero(inside), pos[inside])), shape=(m, m))
        ncomp, labels = csgraph.connected_components(g, directed=True, connection="strong")
        sizes = np.bincount(labels, minlength=ncomp)
        on_cycle = sizes[labels] > 1
        # cut each cycle at its smallest member
        cyc_nodes = nodes[on_cycle]
        cyc_labels = labels[on_cycle]
        cut = np.full(ncomp, np.iinfo(np.int64).max)
        np.minimum.at(cut, cyc_labels, cyc_nodes)
        parent[cut[np.unique(cyc_labels)]] = -1
    raise AssertionError("unreachable: cycle cutting did not converge")  # pragma: no cover


def _pointer_doubling_depth(parent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(parent)
    anc = parent.copy()
    depth = (parent >= 0).astype(np.int64)
    rounds = max(1, int(np.ceil(np.log2(max(n, 2)))) + 1)
    idx = np.flatnonzero(anc >= 0)  # the nodes whose root is not reached yet
    for _ in range(rounds):
        if not len(idx):
            break
        up = anc[idx]
        # invariant: depth[x] is the distance to anc[x], or x's depth once anc[x] == -1; each right-hand side
        # is read whole before its write, so every node moves on the values of the round before
        depth[idx] = depth[idx] + depth[up]
        anc[idx] = anc[up]
        idx = idx[anc[idx] >= 0]
    unresolved = anc >= 0
    return depth, unresolved
