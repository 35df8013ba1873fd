"""Write the report folder: built under a temporary name beside the target, renamed into place at the end.

An interrupted run (Ctrl-C, SIGTERM, an error, a full disk) removes its
temporary folder, and a later run removes any left by a process that was
killed outright; the previous report is replaced only with ``force=True`` and
only once the new one is complete, and put back if the swap fails half-way.

Folder layout (see DESIGN.md "Outputs")::

    index.html  summary.json
    advocates.csv  at_risk.csv  suspicious.csv  relationships.csv  nodes.csv  rejected_rows.csv  nurture.csv
    graph.gexf  graph.graphml  graph.json  gephi/nodes.csv  gephi/edges.csv
    figures/*.png (or .svg / .pdf)
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from .._memory import release_memory
from ..errors import OutputError
from . import graphfiles
from .summary import summary
from .tables import write_bytes, write_csv, write_text

__all__ = ["write_report", "analysis_figures", "FIGURE_FORMATS"]

FIGURE_FORMATS = ("png", "svg", "pdf")
_TMP_MARK = ".trustnet-tmp-"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_temp(parent: Path) -> None:
    """Remove temporary folders left by runs that were killed outright (their process is gone).

    Every report's leftovers in ``parent`` go: a run killed while writing ``reports/q3`` is cleaned up
    by the next run into ``reports/``, whatever its folder's name.
    A previous report moved aside by a run killed in the middle of replacing it is put back.
    """
    for path in parent.glob(f".*{_TMP_MARK}*"):
        try:
            pid = int(path.name.rsplit("-", 1)[-1])
        except ValueError:
            continue
        if pid == os.getpid() or _pid_alive(pid):
            continue
        report = parent / path.name[1:path.name.index(_TMP_MARK)]
        if path.name.endswith(f"old-{pid}") and not report.exists():
            os.replace(path, report)
        else:
            shutil.rmtree(path, ignore_errors=True)


def analysis_figures(analysis: Any) -> dict[str, Any]:
    """The report's figures for an :class:`~trustnet.analysis.Analysis`, by file stem.

    Examples
    --------
    >>> import pandas as pd
    >>> import trustnet
    >>> raw = pd.DataFrame({"referrer": ["ann", "ann", "bob"], "referred": ["bob", "cat", "dan"],
    ...                     "date": ["2025-01-05", "2025-02-10", "2025-03-01"]})
    >>> analysis = trustnet.analyse(raw)
    >>> figures = analysis_figures(analysis)
    >>> list(figures)
    ['network_map', 'advocate_leaderboard', 'trust_by_dimension', 'risk_matrix', 'trust_over_time', 'top_cascade']
    >>> figures["network_map"].get_suptitle()
    "Top 2 advocates' referral trees hold 3 people: 100% of customers"
    """
    from . import figures

    if getattr(analysis, "kind", "referrals") == "ratings":
        from .rating_figures import rating_figures

        return rating_figures(analysis, top=analysis.settings.report.top)
    return figures.report_figures(
        graph=analysis.graph,
        relationships=_small_groups_hidden(analysis)[1],
        evidence=analysis.scores.evidence,
        advocates=analysis.advocates,
        at_risk=analysis.at_risk,
        top=analysis.settings.report.top,
    )


def _small_groups_hidden(analysis: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes and relationships with aggregates over fewer than ``min_group_size`` people removed.

    Only when anonymising: a provider's mean trust over three customers, or an
    advocate's over two referees, says too much about those few people. Their
    aggregate cells are left empty, and their relationships stay out of the
    figures' per-provider aggregates.
    """
    nodes, rels = analysis.nodes, analysis.relationships
    limit = analysis.settings.report.min_group_size
    if not analysis.settings.report.anonymise or analysis.kind != "referrals":
        return nodes, rels
    kind = rels["kind"].astype(str)
    n = len(nodes)
    as_provider = np.bincount(rels["trustee_idx"][kind.isin(["customer", "advocate"])], minlength=n)
    as_advocate = np.bincount(rels["trustee_idx"][kind == "referred_by"], minlength=n)
    nodes = nodes.copy()
    for suffix, counts in (("_as_provider", as_provider), ("_as_advocate", as_advocate)):
        cols = [c for c in nodes.columns if c.endswith(suffix)]
        nodes.loc[counts < limit, cols] = np.nan
    small = (as_provider < limit) & nodes["is_provider"].to_numpy()
    rels = rels[~small[rels["trustee_idx"].to_numpy()] | (kind == "referred_by").to_numpy()]
    return nodes, rels


def _tables(analysis: Any) -> dict[str, pd.DataFrame]:
    graph = analysis.graph
    nodes = _small_groups_hidden(analysis)[0]
    rejected = analysis.load_report.rejected_rows
    if analysis.settings.report.anonymise:
        rejected = rejected[[c for c in ("source_line", "reason") if c in rejected]]
    suspicious = analysis.suspicious if analysis.suspicion is not None else pd.DataFrame()
    drop_idx = [c for c in ("truster_idx", "trustee_idx") if c in analysis.relationships]
    return {
        "advocates": analysis.advocates,
        "at_risk": analysis.at_risk,
        "suspicious": suspicious,
        "relationships": analysis.relationships.drop(columns=drop_idx),
        "nodes": nodes,
        "nurture": analysis.nurture,
        "rejected_rows": rejected,
        "_graph_nodes": graph.nodes,
    }


def write_report(
    analysis: Any,
    out: Path,
    *,
    force: bool = False,
    fmt: str = "png",
    progress: Callable[[str, int, int], None] | None = None,
) -> Path:
    """Write the whole report folder for ``analysis`` to ``out``; return the path of ``index.html``.

    Examples
    --------
    >>> import pandas as pd
    >>> import trustnet
    >>> raw = pd.DataFrame({"referrer": ["ann", "ann", "bob"], "referred": ["bob", "cat", "dan"],
    ...                     "date": ["2025-01-05", "2025-02-10", "2025-03-01"]})
    >>> analysis = trustnet.analyse(raw)
    >>> import tempfile
    >>> from pathlib import Path
    >>> index = write_report(analysis, Path(tempfile.mkdtemp()) / "report")
    >>> index.name, sorted(p.name for p in index.parent.glob("*.csv"))[:3]
    ('index.html', ['advocates.csv', 'at_risk.csv', 'nodes.csv'])
    >>> sorted(p.name for p in (index.parent / "figures").iterdir())[:2]
    ['advocate_leaderboard.png', 'network_map.png']
    """
    from .html import render_html

    if fmt not in FIGURE_FORMATS:
        raise OutputError(f"figure format {fmt!r} is not supported; use one of {', '.join(FIGURE_FORMATS)}")
    out = Path(out)
    if out.exists() and not force:
        raise OutputError(f"{out} already exists; pass --force to replace it, or choose another folder with -o")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder; choose another path with -o")
    parent = out.parent if str(out.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"cannot create the folder {parent}: {err.strerror}; choose another place with -o") from err
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write into {parent}: permission denied; choose another place with -o")
    _remove_stale_temp(parent)
    tmp = parent / f".{out.name}{_TMP_MARK}{os.getpid()}"
    old = parent / f".{out.name}{_TMP_MARK}old-{os.getpid()}"  # the previous report, moved aside for the swap
    for path in (tmp, old):
        shutil.rmtree(path, ignore_errors=True)
    tick = progress or (lambda stage, done, total: None)
    try:
        tmp.mkdir()
        _write_contents(analysis, tmp, fmt, tick, render_html)
        if out.exists():
            os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException as err:
        _undo(tmp, old, out)
        if isinstance(err, OSError) and err.errno == errno.ENOSPC:
            raise OutputError(f"the disk is full while writing the report to {out}; free some space and run again") from err
        if isinstance(err, OSError) and err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise OutputError(f"cannot write the report to {out}: {err.strerror}; choose another place with -o") from err
        raise
    return out / "index.html"


def _undo(tmp: Path, old: Path, out: Path) -> None:
    """After a failed or interrupted write: remove the new report's temporary folder, and if the previous report
    had been moved aside and the new one not yet put in its place, put the previous one back."""
    shutil.rmtree(tmp, ignore_errors=True)
    if old.exists():
        if out.exists():
            shutil.rmtree(old, ignore_errors=True)  # the new report is complete and in place
        else:
            os.replace(old, out)


def _write_contents(analysis: Any, folder: Path, fmt: str, tick: Callable[[str, int, int], None], render_html: Callable[..., str]) -> None:
    """Write every file of the report into ``folder``.

    Files are written by a small pool of threads (their Arrow formatting
    releases the GIL): the tables while this thread draws the figures, which
    matplotlib needs on one thread, then the graph files, whose node and edge
    tables are built once the figures' memory is given back. Each file is
    written by one thread, so the bytes do not depend on the scheduling.
    """
    tables = _tables(analysis)
    steps = 4
    tick("tables", 0, steps)
    ratings = getattr(analysis, "kind", "referrals") == "ratings"
    jobs: list[tuple[Callable[..., Path], Any, Path]] = [
        (write_csv, frame, folder / f"{name}.csv") for name, frame in tables.items() if not name.startswith("_")
    ]
    release_memory()
    started: list[threading.Thread] = []  # each thread adds itself: see _shut_down
    pool = ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1), thread_name_prefix="trustnet-write",
                              initializer=lambda: started.append(threading.current_thread()))
    try:
        pending = _submit(pool, jobs)

        tick("figures", 1, steps)
        from .figures import alt_text, figure_bytes

        figures = analysis_figures(analysis)
        inline: dict[str, tuple[bytes | str, str]] = {}
        for name, fig in figures.items():
            data = figure_bytes(fig, fmt)
            write_bytes(data, folder / "figures" / f"{name}.{fmt}")
            inline[name] = (data if fmt == "png" else figure_bytes(fig, "png"), alt_text(fig) or name.replace("_", " "))
            fig.clear()
        del figures
        release_memory()  # the figures' scratch memory (arrays over every piece of evidence at scale)

        # the graph files' tables only now, once the figures' memory is given back (both are big at scale)
        tick("graph files", 2, steps)
        if ratings:
            from .rating_summary import rating_graph_tables

            gt = rating_graph_tables(analysis)
        else:
            gt = graphfiles.graph_tables(analysis.graph, analysis.relationships, analysis.nodes)
        gnodes, gedges = graphfiles.gephi_tables(gt)
        pending += _submit(pool, [
            (_write_xml_graphs, gt, folder),
            (graphfiles.write_node_link_json, gt, folder / "graph.json"),
            (write_csv, gnodes, folder / "gephi" / "nodes.csv"),
            (write_csv, gedges, folder / "gephi" / "edges.csv"),
        ])
        del gt, gnodes, gedges

        tick("page", 3, steps)
        info = summary(analysis)
        write_text(json.dumps(info, indent=2, ensure_ascii=False, default=str) + "\n", folder / "summary.json")
        shown = {
            "Key advocates": tables["advocates"],
            "Relationships at risk": tables["at_risk"],
            "Whom to nurture": tables["nurture"],
            "Suspicious referrals": tables["suspicious"],
        }
        how_to_read = None
        if ratings:
            from .rating_summary import rating_how_to_read, rating_tables

            shown, how_to_read = rating_tables(analysis), rating_how_to_read(analysis)
        page = render_html(
            title=_title(analysis),
            headline=info["headline"],
            figures=inline,
            tables=shown,
            reconciliation=_reconciliation(analysis),
            subtitle=_subtitle(analysis),
            anonymised=bool(analysis.settings.report.anonymise),
            settings=info["settings"],
            privacy_note=_privacy_note(analysis),
            how_to_read=how_to_read,
        )
        write_text(page, folder / "index.html")
        for job in pending:
            job.result()  # the first error of a file, if any
    finally:
        _shut_down(pool, started)
    tick("done", steps, steps)


def _shut_down(pool: ThreadPoolExecutor, started: list[threading.Thread]) -> None:
    """Wait for the writing threads, even when a Ctrl-C (or a second one) interrupts the wait: the caller then
    removes the folder they write into, and a thread still writing would put it back.

    ``started`` holds every thread of the pool that has begun to run. A signal landing inside ``pool.submit``,
    after a new thread has started but before the pool has recorded it, leaves a thread that ``shutdown`` does
    not wait for. Once ``shutdown`` has emptied the queue, such a thread can only have work if it took it
    before, and then it is in ``started``.
    """
    interrupted: BaseException | None = None
    while True:
        try:
            pool.shutdown(wait=True, cancel_futures=True)
            for thread in started:
                thread.join()
            break
        except BaseException as err:  # (KeyboardInterrupt, SystemExit from a signal handler)
            interrupted = interrupted or err
    if interrupted is not None:
        raise interrupted


def _write_xml_graphs(tables: graphfiles.GraphTables, folder: Path) -> Path:
    """GEXF and GraphML written side by side (their attribute text is made once for both)."""
    graphfiles.write_gexf_and_graphml(tables, folder / "graph.gexf", folder / "graph.graphml")
    return folder


def _submit(pool: ThreadPoolExecutor, jobs: list[tuple[Callable[..., Path], Any, Path]]) -> list[Any]:
    """Start writing files, biggest first (the pool's threads then end together)."""
    return [pool.submit(write, data, path) for write, data, path in sorted(jobs, key=lambda job: -_cells(job[1]))]


def _cells(data: Any) -> int:
    """How much there is to write: cells of a table, or of a graph's node and edge tables."""
    frames = (data.nodes, data.edges) if isinstance(data, graphfiles.GraphTables) else (data,)
    return sum(frame.size for frame in frames)


def _reconciliation(analysis: Any) -> dict[str, Any]:
    """Row accounting of every input, for the page (one entry per file)."""
    parts = {"referrals" if analysis.kind == "referrals" else "ratings": analysis.load_report.to_dict()}
    if analysis.touchpoint_report is not None:
        parts["touchpoints"] = analysis.touchpoint_report.to_dict()
    return parts


def _subtitle(analysis: Any) -> str:
    """The period and size of the export, under the page title."""
    g = analysis.graph
    ends = pd.concat([g.nodes[c].agg(["min", "max"]) for c in ("first_seen", "last_seen")]).dropna()  # 4 values, not 2n
    period = f"{ends.min():%d %b %Y} to {ends.max():%d %b %Y}" if len(ends) else "undated"
    people = int((~g.nodes["is_provider"]).sum())
    return f"{period} · {people:,} people · {len(analysis.referrals):,} {'ratings' if analysis.kind == 'ratings' else 'referrals'}"


def _title(analysis: Any) -> str:
    names = [s.get("name", "") for s in analysis.sources]
    return f"Trust report: {names[0]}" if names and names[0] else "Trust report"


def _privacy_note(analysis: Any) -> str:
    if not analysis.settings.report.anonymise:
        return "Identifiers are shown as exported. Run with --anonymise before sharing outside your team."
    stable = "stable across runs (keyed)" if analysis.key_is_stable else "random for this run (set TRUSTNET_ANONYMISE_KEY for stable ones)"
    return (
        "Anonymised: every identifier is a keyed pseudonym, "
        f"{stable}; comments and fingerprints removed; groups under {analysis.settings.report.min_group_size} shown as '<{analysis.settings.report.min_group_size}'."
    )
