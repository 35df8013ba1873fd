"""``analyse()``: the whole pipeline in one call, and the :class:`Analysis` that carries its results.

load → (pseudonymise) → graph → trust → fraud → advocates → risk. The CLI's
``trustnet analyse`` calls exactly :func:`analyse` and then
:meth:`Analysis.write`; a researcher gets the same results as DataFrames.

Examples
--------
>>> import trustnet
>>> world = trustnet.generate(customers=300, seed=1)
>>> result = trustnet.analyse(world.referrals, touchpoints=world.touchpoints)
>>> sorted(result.relationships.columns)[:3]
['evidence', 'first_seen', 'kind']
>>> len(result.advocates) > 0 and result.advocates["score"].dropna().is_monotonic_decreasing
True
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import pandas as pd

from . import __version__
from . import schema as S
from .settings import Settings

__all__ = ["Analysis", "analyse", "Progress"]

#: ``progress(stage, done, total)``: called as each stage starts and ends.
Progress = Callable[[str, int, int], None]

STAGES = ("load", "graph", "trust", "fraud", "advocates", "risk")


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything one run of :func:`analyse` found, as DataFrames and a graph.

    Attributes
    ----------
    referrals, touchpoints : DataFrame
        The canonical input tables (pseudonymised when ``settings.report.anonymise``).
    graph : TrustGraph
    scores : TrustScores
    relationships, nodes : DataFrame
        Trust per relationship and per node (``scores.relationships`` / ``scores.nodes``).
    advocates, at_risk, nurture : DataFrame
    suspicion : Suspicion
        Suspicious referrals and accounts (``suspicion.referrals``, ``suspicion.accounts``).
    load_report, touchpoint_report : LoadReport
    settings : Settings
    sources : list of dict
        Each input's name, size and SHA-256 (for summary.json).
    kind : {"referrals", "ratings"}
        What the input was. For a rating network (``"ratings"``): ``referrals`` holds the
        ratings (``rater``, ``ratee``, ``rating``, ``rated_at``), ``scores`` is a
        :class:`~trustnet.ratings.roles.RatingScores`, ``advocates`` the people whose trust
        carries furthest, ``at_risk`` the accounts most likely untrustworthy, ``nurture``
        an empty table and ``suspicion`` None.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"referrer": ["ann", "ann", "bob"], "referred": ["bob", "cat", "dan"],
    ...                     "date": ["2025-01-05", "2025-02-10", "2025-03-01"],
    ...                     "status": ["converted", "converted", "pending"]})
    >>> result = analyse(raw)
    >>> result.kind, result.graph.nodes["id"].tolist()
    ('referrals', ['ann', 'bob', 'cat', 'dan', 'the business'])
    >>> result.advocates[["advocate", "direct_referrals", "converted"]]
      advocate  direct_referrals  converted
    0      ann                 2          2
    1      bob                 1          0
    >>> result.headline()[1]
    '2 advocates referred customers. The strongest is ann, whose chains reached 2 customers.'
    """

    referrals: pd.DataFrame
    touchpoints: pd.DataFrame | None
    graph: Any
    scores: Any
    advocates: pd.DataFrame
    at_risk: pd.DataFrame
    nurture: pd.DataFrame
    suspicion: Any
    load_report: Any
    touchpoint_report: Any
    settings: Settings
    sources: list[dict[str, Any]] = field(default_factory=list)
    key_is_stable: bool = True
    kind: str = "referrals"

    @property
    def relationships(self) -> pd.DataFrame:
        """Trust per relationship: people, process, platform, overall, trend, why.

        Examples
        --------
        >>> import pandas as pd
        >>> import trustnet
        >>> raw = pd.DataFrame({"referrer": ["ann", "ann", "bob"], "referred": ["bob", "cat", "dan"],
        ...                     "date": ["2025-01-05", "2025-02-10", "2025-03-01"]})
        >>> analysis = trustnet.analyse(raw)
        >>> analysis.relationships[["truster", "trustee", "kind"]].head(2)
          truster       trustee         kind
        0     ann  the business     advocate
        1     bob           ann  referred_by
        """
        return self.scores.relationships

    @property
    def nodes(self) -> pd.DataFrame:
        """Per node: roles, value, trust received as provider and as advocate, reputation.

        Examples
        --------
        >>> import pandas as pd
        >>> import trustnet
        >>> raw = pd.DataFrame({"referrer": ["ann", "ann", "bob"], "referred": ["bob", "cat", "dan"],
        ...                     "date": ["2025-01-05", "2025-02-10", "2025-03-01"]})
        >>> analysis = trustnet.analyse(raw)
        >>> analysis.nodes[["id", "reputation"]].round(3)
                     id  reputation
        0           ann       0.471
        1           bob       0.254
        2           cat       0.138
        3           dan       0.138
        4  the business         NaN
        """
        return self.scores.nodes

    @property
    def suspicious(self) -> pd.DataFrame:
        """Referrals flagged as suspicious, most suspicious first.

        Examples
        --------
        >>> import pandas as pd
        >>> import trustnet
        >>> raw = pd.DataFrame({"referrer": ["ann", "ann", "bob"], "referred": ["bob", "cat", "dan"],
        ...                     "date": ["2025-01-05", "2025-02-10", "2025-03-01"]})
        >>> analysis = trustnet.analyse(raw)
        >>> len(analysis.suspicious)
        0
        """
        return self.suspicion.suspicious.reset_index(drop=True)

    def headline(self) -> list[str]:
        """A few sentences a marketer reads first (the report's headline findings).

        Examples
        --------
        >>> import pandas as pd
        >>> import trustnet
        >>> raw = pd.DataFrame({"referrer": ["ann", "ann", "bob"], "referred": ["bob", "cat", "dan"],
        ...                     "date": ["2025-01-05", "2025-02-10", "2025-03-01"]})
        >>> analysis = trustnet.analyse(raw)
        >>> analysis.headline()[3]
        'No referral looks suspicious.'
        """
        from .report.summary import headline

        return headline(self)

    def figures(self) -> dict[str, Any]:
        """The report's figures as matplotlib Figures, by name; nothing is written.

        Examples
        --------
        >>> import pandas as pd
        >>> import trustnet
        >>> raw = pd.DataFrame({"referrer": ["ann", "ann", "bob"], "referred": ["bob", "cat", "dan"],
        ...                     "date": ["2025-01-05", "2025-02-10", "2025-03-01"]})
        >>> analysis = trustnet.analyse(raw)
        >>> figures = analysis.figures()
        >>> list(figures)[:3], type(figures["network_map"]).__name__
        (['network_map', 'advocate_leaderboard', 'trust_by_dimension'], 'Figure')
        """
        from .report.writer import analysis_figures

        return analysis_figures(self)

    def write(self, out: str | Path, *, force: bool = False, fmt: str | None = None, progress: Progress | None = None) -> Path:
        """Write the report folder (tables, figures, graph files, index.html, summary.json).

        The folder is built beside ``out`` under a temporary name and renamed
        into place at the end; an existing folder is replaced only with
        ``force=True``. Returns the path of ``index.html``.

        Examples
        --------
        >>> import pandas as pd
        >>> import trustnet
        >>> raw = pd.DataFrame({"referrer": ["ann", "ann", "bob"], "referred": ["bob", "cat", "dan"],
        ...                     "date": ["2025-01-05", "2025-02-10", "2025-03-01"]})
        >>> analysis = trustnet.analyse(raw)
        >>> import tempfile
        >>> from pathlib import Path
        >>> index = analysis.write(Path(tempfile.mkdtemp()) / "report", fmt="svg")
        >>> index.name, (index.parent / "summary.json").is_file(), (index.parent / "figures" / "network_map.svg").is_file()
        ('index.html', True, True)
        """
        from .report.writer import write_report

        return write_report(self, Path(out), force=force, fmt=fmt or self.settings.report.figure_format, progress=progress)


def _describe_source(source: Any) -> dict[str, Any]:
    if isinstance(source, (str, Path)) and str(source) != "-" and Path(source).is_file():
        p = Path(source)
        digest = hashlib.sha256()
        with p.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return {"name": p.name, "bytes": p.stat().st_size, "sha256": digest.hexdigest()}
    if isinstance(source, pd.DataFrame):
        checksum = hashlib.sha256(pd.util.hash_pandas_object(source, index=False).to_numpy().tobytes()).hexdigest()
        return {"name": "<DataFrame>", "rows": len(source), "sha256": checksum}
    return {"name": str(source)}


def analyse(
    source: Any,
    touchpoints: Any = None,
    settings: Settings | None = None,
    *,
    progress: Progress | None = None,
    kind: str | None = None,
    node_attributes: Any = None,
    group: str | None = None,
    **load_options: Any,
) -> Analysis:
    """Run the whole pipeline on a referral export and return an :class:`Analysis`.

    Parameters
    ----------
    source : path, ``"-"``, file object or DataFrame
        The referral export (any format ``load_referrals`` reads), or a
        canonical referrals table.
    touchpoints : path, DataFrame, or a list of them, optional
        Surveys, tickets, ratings and events (``load_touchpoints``).
    settings : Settings, optional
        Defaults when omitted; ``settings.report.anonymise`` pseudonymises every
        identifier before any stage runs.
    progress : callable, optional
        ``progress(stage, done, total)``; the CLI turns it into a progress bar.
    kind : {"referrals", "participants", "ratings"}, optional
        What ``source`` holds; detected by default (``trustnet.load.detect_kind``). A rating
        network (rater, ratee, rating[, time], with or without a header; a ``source,target``
        edge list) runs the ratings pipeline (:func:`trustnet.ratings.score_ratings` and
        :mod:`trustnet.ratings.roles`) and returns the same :class:`Analysis` with
        ``kind="ratings"``.
    node_attributes : path or DataFrame, optional
        Rating networks only: one row per person with attributes (``id`` first;
        :func:`trustnet.load.nodes.load_node_attributes`), added to the nodes.
    group : str, optional
        Rating networks only: the attribute that names each person's group (practice site,
        team); default the first of :data:`trustnet.ratings.roles.GROUP_COLUMNS` present.
    **load_options
        Passed to the loader (``mapping``, ``delimiter``, ``encoding``, ``sheet``, ``dayfirst``).

    Returns
    -------
    Analysis

    Examples
    --------
    >>> import trustnet
    >>> world = trustnet.generate(customers=200, seed=1)
    >>> result = analyse(world.referrals, world.touchpoints)
    >>> result.graph.nodes.shape[0] > 200, len(result.advocates) > 0
    (True, True)
    >>> result.at_risk.columns[:4].tolist()
    ['truster', 'trustee', 'kind', 'likelihood']
    """
    from .advocates import nurture, rank_advocates
    from .fraud import find_suspicious
    from ._memory import release_memory
    from .graph import build_graph
    from .load import load_referrals, load_touchpoints
    from .privacy import anonymise_key, pseudonymise, scrub_load_report
    from .risk import find_at_risk
    from .trust import score_trust

    settings = settings or Settings()
    tick = progress or (lambda stage, done, total: None)
    total = len(STAGES)

    tick("load", 0, total)
    if isinstance(source, pd.DataFrame):  # a table already in memory: line numbers are its row positions
        source = source.drop(columns=["source_line"], errors="ignore")
    original = source
    if kind in ("referrals", "participants"):
        load_options["kind"] = kind
    elif kind not in (None, "auto"):
        source, kind = _ratings_or_referrals(source, kind, settings, load_options)
    elif "kind" not in load_options and not isinstance(source, pd.DataFrame):
        source, kind = _ratings_or_referrals(source, None, settings, load_options)
    elif isinstance(source, pd.DataFrame) and {S.RATER, S.RATEE} <= set(source.columns) \
            and not {S.REFERRER, S.REFERRED} & set(source.columns):  # a canonical ratings table
        source, kind = _ratings_or_referrals(source, "ratings", settings, load_options)
    if kind == "ratings":
        if touchpoints is not None:
            from .errors import InputError

            raise InputError("touchpoints were given with a rating network; ratings carry their own evidence: "
                             "leave out --touchpoints, or analyse a referral export with them")
        return _analyse_ratings(source, original, settings, tick, node_attributes, group, load_options)
    if node_attributes is not None or group is not None:
        from .errors import InputError

        raise InputError("node attributes (--nodes, --group) apply to rating networks only, and "
                         f"{_describe_source(original).get('name')} was read as a referral export; "
                         "pass --kind ratings if it is a rating network, or leave out --nodes")
    if isinstance(touchpoints, pd.DataFrame):
        touchpoints = touchpoints.drop(columns=["source_line"], errors="ignore")
    has_touchpoints = touchpoints is not None and not (
        isinstance(touchpoints, Sequence) and not isinstance(touchpoints, str) and len(touchpoints) == 0)
    touchpoint_files = (list(touchpoints) if isinstance(touchpoints, (list, tuple)) else [touchpoints]) if has_touchpoints else []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="trustnet-checksum") as pool:
        # the files' checksums while they load (hashlib releases the GIL)
        described = pool.map(_describe_source, [original, *touchpoint_files])
        referrals, report = load_referrals(source, settings=settings, **load_options)
        tps, tp_report = None, None
        if has_touchpoints:
            tps, tp_report = load_touchpoints(touchpoints, settings=settings, dayfirst=load_options.get("dayfirst"))
        sources = list(described)
    if report.touchpoints is not None and len(report.touchpoints):  # rating columns inside the export
        tps = report.touchpoints if tps is None else pd.concat([tps, report.touchpoints], ignore_index=True)
    stable = True
    if settings.report.anonymise:
        key, stable = anonymise_key(settings.report.anonymise_key)
        referrals, tps = pseudonymise(referrals, tps, key)
        report, tp_report = scrub_load_report(report), scrub_load_report(tp_report)  # no raw cell or quoted value

    release_memory()  # parsing's scratch memory (over a GB at a million customers) before the graph
    tick("graph", 1, total)
    graph = build_graph(referrals, tps, settings)
    release_memory()
    tick("trust", 2, total)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="trustnet-fraud") as pool:
        # suspicious referrals (the graph alone) in a second thread while trust is scored: trust's evidence
        # is built on one core, and numpy, scipy and Arrow release the GIL
        finding = pool.submit(find_suspicious, graph, settings=settings)
        scores = score_trust(graph, settings)
        tick("fraud", 3, total)
        suspicion = finding.result()
    release_memory()
    tick("advocates", 4, total)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="trustnet-nurture") as pool:
        # whom to nurture in a second thread while the advocates are ranked (numpy and scipy release the GIL)
        picking = pool.submit(nurture, graph, scores, settings=settings, exclude=suspicion.set_aside)
        advocates = _with_set_aside(rank_advocates(graph, scores, settings, exclude=suspicion.set_aside), suspicion)
        picks = picking.result()
    release_memory()
    tick("risk", 5, total)
    at_risk = find_at_risk(graph, scores, settings)
    release_memory()
    tick("done", total, total)
    return Analysis(
        referrals=referrals,
        touchpoints=tps,
        graph=graph,
        scores=scores,
        advocates=advocates,
        at_risk=at_risk,
        nurture=picks,
        suspicion=suspicion,
        load_report=report,
        touchpoint_report=tp_report,
        settings=settings,
        sources=sources,
        key_is_stable=stable,
    )


def _ratings_or_referrals(source: Any, kind: str | None, settings: Settings,
                          load_options: dict[str, Any]) -> tuple[Any, str | None]:
    """Read the main input once and tell whether it is a rating network: ``(table read, kind)``.

    Anything but ``"ratings"`` goes on to the referral loader unchanged (which
    recognises participant files and explains unreadable ones itself).
    """
    from .errors import InputError
    from .load import detect_kind, read_table

    if kind not in (None, "ratings"):
        raise InputError(f"kind {kind!r} cannot be analysed: use 'referrals', 'participants' or 'ratings' "
                         "(touchpoint files go in touchpoints=)")
    raw = read_table(source, delimiter=load_options.get("delimiter"), encoding=load_options.get("encoding"),
                     sheet=load_options.get("sheet"))
    if kind is None:
        try:
            kind = detect_kind(raw, settings=settings, mapping=load_options.get("mapping"))
        except InputError:
            kind = None
    return raw, ("ratings" if kind == "ratings" else None)


def _pseudonyms(table: pd.DataFrame | None) -> Any:
    """The pseudonymised ids of a one-column ``customer`` table (see ``privacy.pseudonymise``)."""
    if table is None:
        raise AssertionError("pseudonymise returns the second table it was given")  # pragma: no cover
    return table["customer"].to_numpy()


def _analyse_ratings(raw: Any, original: Any, settings: Settings, tick: Progress, node_attributes: Any,
                     group: str | None, load_options: dict[str, Any]) -> Analysis:
    """The ratings pipeline: load -> rating graph -> people scores -> trust carriers, untrustworthy accounts."""
    from .graph import build_rating_graph
    from .load import load_ratings
    from .load.nodes import NODE_ID, load_node_attributes
    from .privacy import anonymise_key, identifying_columns, pseudonymise, scrub_load_report
    from .ratings.roles import find_untrustworthy, rank_trust_carriers, score_rating_network

    total = len(STAGES)
    ratings, report = load_ratings(raw, settings=settings, mapping=load_options.get("mapping"),
                                   dayfirst=load_options.get("dayfirst"))
    sources = [_describe_source(original)]
    attrs = None
    if node_attributes is not None:
        attrs = node_attributes if isinstance(node_attributes, pd.DataFrame) and NODE_ID in node_attributes \
            else load_node_attributes(node_attributes)
        sources.append(_describe_source(node_attributes))
    stable = True
    if settings.report.anonymise:
        key, stable = anonymise_key(settings.report.anonymise_key)
        ids = pd.DataFrame({"referrer": ratings["rater"], "referred": ratings["ratee"]})
        extra = None if attrs is None else pd.DataFrame({"customer": attrs[NODE_ID].astype("str")})
        anon, anon_extra = pseudonymise(ids, extra, key)
        report = scrub_load_report(report)  # no raw cell or quoted value
        ratings = ratings.assign(rater=anon["referrer"].to_numpy(), ratee=anon["referred"].to_numpy())
        if attrs is not None:  # identifiers among the attributes (a survey id) go too
            ids_too = identifying_columns(attrs.iloc[:, 1:])  # ids, names, e-mails... (see privacy)
            attrs = attrs.drop(columns=ids_too).assign(**{NODE_ID: _pseudonyms(anon_extra)})
    tick("graph", 1, total)
    people = None if attrs is None else attrs[NODE_ID].astype("str")
    graph = build_rating_graph(ratings, settings, people=people)
    tick("trust", 2, total)
    scores = score_rating_network(graph, ratings, settings, node_attributes=attrs, group=group)
    tick("advocates", 4, total)
    advocates = rank_trust_carriers(graph, scores, settings)
    tick("risk", 5, total)
    at_risk = find_untrustworthy(graph, scores, settings)
    tick("done", total, total)
    return Analysis(
        referrals=ratings,
        touchpoints=None,
        graph=graph,
        scores=scores,
        advocates=advocates,
        at_risk=at_risk,
        nurture=pd.DataFrame({"advocate": pd.Series([], dtype="str"), "why": pd.Series([], dtype="str")}),
        suspicion=None,
        load_report=report,
        touchpoint_report=None,
        settings=settings,
        sources=sources,
        key_is_stable=stable,
        kind="ratings",
    )


def _with_set_aside(advocates: pd.DataFrame, suspicion: Any) -> pd.DataFrame:
    """Add to each advocate how many referrals and how much value were set aside as suspicious, and why.

    Advocates whose every referral was set aside are not ranked; they are
    listed after the ranked ones with the segment "suspicious", so that a
    "champion" built on fake accounts is visible rather than silently gone.
    """
    aside = suspicion.advocates[["advocate", "referrals_set_aside", "value_set_aside", "why"]]
    aside = aside.rename(columns={"why": "set_aside_why"})
    out = advocates.merge(aside, on="advocate", how="left", sort=False)
    flagged = aside[aside["referrals_set_aside"] > 0]
    # isin over the few flagged names (pandas turns the values looked up into Python strings one by one)
    ranked = set(advocates["advocate"][advocates["advocate"].isin(flagged["advocate"])])
    gone = flagged[~flagged["advocate"].isin(ranked)]
    if len(gone):
        gone = gone.sort_values(["value_set_aside", "advocate"], ascending=[False, True], kind="stable")
        extra = gone.assign(segment="suspicious", why=gone["set_aside_why"])
        if isinstance(out["segment"].dtype, pd.CategoricalDtype):
            out["segment"] = out["segment"].cat.add_categories(["suspicious"])
            extra["segment"] = pd.Categorical(extra["segment"], categories=out["segment"].cat.categories)
        out = pd.concat([out, extra], ignore_index=True)
    out["referrals_set_aside"] = out["referrals_set_aside"].fillna(0).astype("int64")
    out["value_set_aside"] = out["value_set_aside"].fillna(0.0)
    return out.reset_index(drop=True)
