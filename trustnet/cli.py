"""The ``trustnet`` command line: thin click commands over the library.

Each command parses options, calls one library function and prints. Library
errors (:class:`trustnet.errors.TrustnetError`) become one clear message on
stderr and exit code 2; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

import click

from . import __version__
from .errors import DataQualityWarning, TrustnetError

__all__ = ["main", "cli"]


class UserError(click.ClickException):
    """A :class:`TrustnetError` shown to the user: one message, exit code 2."""

    exit_code = 2


class _Group(click.Group):
    """Lists commands in the order they are defined; turns library errors into messages."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def invoke(self, ctx: click.Context) -> Any:
        import warnings

        shown: set[str] = set()
        original = warnings.showwarning

        def show(message: Any, category: Any, *args: Any, **kwargs: Any) -> None:
            text = str(message)
            if not issubclass(category, DataQualityWarning):
                original(message, category, *args, **kwargs)
            elif text not in shown:  # one line per finding, without the library's file and line
                shown.add(text)
                click.echo(f"Warning: {text}", err=True)

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always", DataQualityWarning)
                warnings.showwarning = show
                return super().invoke(ctx)
        except TrustnetError as err:
            if (ctx.obj or {}).get("debug"):
                raise
            raise UserError(str(err)) from err


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="trustnet")
@click.option("--debug", is_flag=True, help="Show the full traceback when something goes wrong.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Analyse trust and advocacy networks from referral exports.

    Whom customers trust (people, process, platform), who carries that trust,
    and which relationships are at risk.
    """
    from ._memory import use_returning_allocator

    use_returning_allocator()  # this process is ours: freed memory goes back to the system
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


# --- loading options, shared by every command that reads exports ---------------------------

def loading_options(func: Any) -> Any:
    """Add the loader's options to a command: ``--touchpoints`` (repeatable), ``--map``,
    ``--delimiter``, ``--encoding``, ``--sheet``, ``--dayfirst/--monthfirst``, ``--kind``.

    The command receives them as keyword arguments; :func:`load_kwargs` turns them
    into the keyword arguments of :func:`trustnet.load.load_referrals`.
    """
    options = [
        click.option("--touchpoints", "touchpoints", multiple=True, type=click.Path(dir_okay=True),
                     help="A survey, ticket or rating file about the relationships; repeat for several."),
        click.option("--map", "mapping", multiple=True, metavar="COLUMN=HEADER",
                     help='Use HEADER for a canonical column, e.g. --map referrer="Referred By"; repeatable.'),
        click.option("--delimiter", default=None, metavar="CHAR",
                     help="Force the main file's delimiter (, ; | or tab); detected by default."),
        click.option("--encoding", default=None,
                     help="Force the main file's text encoding (utf-8, utf-16, cp1252...)."),
        click.option("--sheet", default=None, help="Sheet of the main .xlsx workbook (name or 0-based number)."),
        click.option("--dayfirst/--monthfirst", "dayfirst", default=None,
                     help="Read ambiguous dates such as 03/04/2025 day first or month first."),
        click.option("--kind", type=click.Choice(["auto", "referrals", "participants", "ratings", "touchpoints"]),
                     default="auto", show_default=True,
                     help="What the file holds; detected by default."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def load_kwargs(options: dict[str, Any]) -> dict[str, Any]:
    """The loader keyword arguments (mapping, delimiter, encoding, sheet, dayfirst) from the CLI options.

    ``delimiter``, ``encoding`` and ``sheet`` describe the main file; pass only ``mapping`` and
    ``dayfirst`` on to ``load_touchpoints`` (each touchpoint file's format is detected on its own).
    """
    out: dict[str, Any] = {}
    if options.get("mapping"):
        out["mapping"] = list(options["mapping"])
    for key in ("delimiter", "encoding", "sheet", "dayfirst"):
        if options.get(key) is not None:
            out[key] = options[key]
    return out


@cli.command(epilog="""\b
Example:
  trustnet validate referrals.csv --touchpoints nps.csv --map referrer="Referred By"
""")
@click.argument("file", type=click.Path(dir_okay=True, allow_dash=True))
@loading_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option("--rows", default=10, show_default=True, help="How many rejected rows to show.")
@click.option("--config", type=click.Path(dir_okay=False), default=None, help="A trustnet.toml settings file.")
def validate(file: str, as_json: bool, rows: int, config: str | None, **options: Any) -> None:
    """Check that an export can be loaded; show the mapping, the row counts and rejected rows.

    \b
    Prints the column mapping chosen, the reconciliation (rows read = accepted +
    merged duplicates + rejected) and the first rejected rows with their line
    numbers and reasons. Writes nothing. Exit code 0 when the table is usable,
    2 when it is not.
    """
    import json

    from .load import detect_kind, load_ratings, load_referrals, load_touchpoints, read_table
    from .settings import load_settings

    settings = load_settings(config)
    kwargs = load_kwargs(options)
    kind = options.get("kind") or "auto"
    raw = read_table(file, delimiter=kwargs.get("delimiter"), encoding=kwargs.get("encoding"),
                     sheet=kwargs.get("sheet"))
    if kind == "auto":
        kind = detect_kind(raw, settings=settings, mapping=kwargs.get("mapping"))
        if kind == "aggregate":
            load_referrals(raw, settings=settings, **kwargs)  # raises the aggregate-report error
    if kind == "ratings":
        _, report = load_ratings(raw, settings=settings, **kwargs)
    elif kind == "touchpoints":
        _, report = load_touchpoints(raw, settings=settings, **kwargs)
    else:
        _, report = load_referrals(raw, settings=settings, kind=kind, **kwargs)
    reports = [report]
    tp_kwargs = {k: v for k, v in kwargs.items() if k in ("mapping", "dayfirst")}  # formats detected per file
    for extra in options.get("touchpoints") or ():
        reports.append(load_touchpoints(extra, settings=settings, **tp_kwargs)[1])
    usable = all(r.usable for r in reports)
    if as_json:
        payload = report.to_dict(max_rows=rows)
        if len(reports) > 1:
            payload["touchpoints"] = [r.to_dict(max_rows=rows) for r in reports[1:]]
        payload["usable"] = usable
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        for r in reports:
            click.echo(r.summary(max_rows=rows))
        click.echo("usable: yes" if usable else "usable: no (no row was accepted)")
    if not usable:
        raise click.exceptions.Exit(2)


# --- risks and calibrate (trustnet.risk) ---------------------------------------------------

def _scored_export(file: str, settings: Any, options: dict[str, Any]) -> tuple[Any, Any]:
    """Load the export (and touchpoints), build the graph and score trust: ``(graph, scores)``."""
    from .trust import score_trust

    graph, _ = _export_graph(file, settings, options)
    return graph, score_trust(graph, settings)


def _export_graph(file: str, settings: Any, options: dict[str, Any]) -> tuple[Any, Any]:
    """Load the export (and touchpoints) and build the graph: ``(graph, load report)``."""
    import pandas as pd

    from .graph import build_graph
    from .load import load_referrals, load_touchpoints

    kwargs = load_kwargs(options)
    kind = options.get("kind")
    if kind in ("referrals", "participants"):
        kwargs["kind"] = kind
    referrals, report = load_referrals(file, settings=settings, **kwargs)
    parts = [t for t in [getattr(report, "touchpoints", None)] if t is not None and len(t)]
    kwargs.pop("kind", None)
    if options.get("touchpoints"):
        tp_kwargs = {k: v for k, v in kwargs.items() if k == "dayfirst"}  # the other options describe the main file
        parts.append(load_touchpoints(list(options["touchpoints"]), settings=settings, **tp_kwargs)[0])
    touchpoints = pd.concat(parts, ignore_index=True) if parts else None
    return build_graph(referrals, touchpoints, settings), report


# --- advocates (trustnet.advocates) -------------------------------------------------------

@cli.command(epilog="""\b
Example:
  trustnet advocates referrals.csv --touchpoints nps.csv --top 20
""")
@click.argument("file", type=click.Path(dir_okay=True, allow_dash=True))
@loading_options
@click.option("--top", default=20, show_default=True, type=click.IntRange(min=0), help="How many advocates to show.")
@click.option("--nurture", "pick", default=None, type=click.IntRange(min=0), metavar="K",
              help="Also pick K advocates to nurture (expected new reach against the K busiest).")
@click.option("--json", "as_json", is_flag=True, help="Print the top advocates as JSON records.")
@click.option("--config", type=click.Path(dir_okay=False), default=None, help="A trustnet.toml settings file.")
def advocates(file: str, top: int, pick: int | None, as_json: bool, config: str | None, **options: Any) -> None:
    """Rank the advocates who carry trust: reach, value, credibility, segment and why.

    \b
    One row per person who referred anyone, best first: referrals and
    conversions, customers reached through their chains and the value they
    brought (downstream value decayed per level), credibility (did the people
    they referred come to trust the provider?), reputation, brokerage, the
    score (attributed value x quality of their word), a segment (champion,
    rising, dormant, low credibility, at risk, steady) and the reason in words.
    """
    import json

    from .advocates import nurture, rank_advocates
    from .settings import load_settings

    settings = load_settings(config)
    graph, scores = _scored_export(file, settings, options)
    table = rank_advocates(graph, scores, settings)
    shown = table.head(top)
    picks = nurture(graph, scores, pick, settings) if pick else None
    if as_json:
        cols = ["advocate", "segment", "score", "score_pct", "direct_referrals", "converted", "conversion_rate",
                "reach", "depth", "value_direct", "value_downstream", "value_attributed", "credibility",
                "reputation_pct", "brokerage", "quality", "why"]
        records = json.loads(shown[cols].to_json(orient="records", force_ascii=False))
        payload: Any = records
        if picks is not None:
            payload = {"advocates": records, "nurture": json.loads(picks.drop(columns=["node"]).to_json(
                orient="records", force_ascii=False)), "nurture_summary": dict(picks.attrs)}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    counts = table["segment"].value_counts(sort=False)
    if not len(table):
        click.echo("0 advocates: no one in the export referred anyone (see trustnet validate for rejected rows).")
        return
    click.echo(f"{len(table):,} advocates (" + ", ".join(f"{n:,} {seg}" for seg, n in counts.items() if n)
               + f"); top {len(shown)} by score:")
    for rank, row in enumerate(shown.itertuples(index=False), start=1):
        click.echo(f"{rank:>3}. {row.advocate}  {row.segment}  score {row.score:,.0f} "
                   f"(percentile {row.score_pct:.0f})")
        click.echo(f"     {row.why}")
    if picks is not None and len(picks):
        a = picks.attrs
        click.echo(f"Nurture these {len(picks)}: expected new reach {a['expected_reach']:,.1f} people, against "
                   f"{a['by_count_expected_reach']:,.1f} for the {len(picks)} with the most referrals "
                   f"({a['extra_reach']:+,.1f}):")
        for row in picks.itertuples(index=False):
            click.echo(f"{row.rank:>3}. {row.advocate}  +{row.marginal_gain:,.1f} people "
                       f"(cumulative {row.expected_reach:,.1f}; busiest #{row.rank}: {row.by_count_advocate})")


@cli.command(epilog="""\b
Example:
  trustnet risks referrals.csv --touchpoints nps.csv --top 20
""")
@click.argument("file", type=click.Path(dir_okay=True, allow_dash=True))
@loading_options
@click.option("--top", default=20, show_default=True, help="How many relationships to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the top relationships as JSON records.")
@click.option("--config", type=click.Path(dir_okay=False), default=None,
              help="A trustnet.toml settings file (e.g. written by `trustnet calibrate`).")
def risks(file: str, top: int, as_json: bool, config: str | None, **options: Any) -> None:
    """List the relationships most likely to break, weighted by what is at stake.

    \b
    Scores every customer -> provider and advocate -> provider relationship:
    the break likelihood (a logistic sum of named factors: low scores, falling
    trend, open problems, recent problems, slow responses, silence against the
    relationship's own rhythm, uneven trust, an upstream advocate at risk or
    gone), the stake (value per year plus the people downstream), priority =
    likelihood x stake, why, and the next action.
    """
    import json

    from .risk import find_at_risk
    from .settings import load_settings

    settings = load_settings(config)
    graph, scores = _scored_export(file, settings, options)
    table = find_at_risk(graph, scores, settings)
    shown = table.head(max(top, 0))
    if as_json:
        cols = ["truster", "trustee", "kind", "likelihood", "priority", "stake", "value_per_year", "downstream",
                "complaint_reach", "factors", "why", "next_action", "last_contact", "days_silent",
                "usual_gap_days", "open_problems", "open_since"]
        click.echo(shown[cols].to_json(orient="records", date_format="iso", indent=2, force_ascii=False))
        return
    likely = int((table["likelihood"] >= 0.5).sum())
    click.echo(f"{len(table):,} relationships scored, {likely:,} with a break likelihood of 50% or more; "
               f"top {len(shown)} by priority (likelihood x stake):")
    for rank, row in enumerate(shown.itertuples(index=False), start=1):
        click.echo(f"{rank:>3}. {row.truster} -> {row.trustee} ({row.kind})  likelihood {row.likelihood:.0%}  "
                   f"stake {row.stake:,.0f}  priority {row.priority:,.0f}")
        if row.factors:
            click.echo("     factors: " + str(row.factors))
        click.echo(f"     next: {row.next_action}")


@cli.command(epilog="""\b
Example:
  trustnet calibrate referrals.csv --touchpoints nps.csv --outcomes churn.csv -o trustnet.toml
""")
@click.argument("file", type=click.Path(dir_okay=True, allow_dash=True))
@loading_options
@click.option("--outcomes", required=True, type=click.Path(dir_okay=False),
              help="Known outcomes: customer, provider, churned (1/0) per relationship, after the export's end.")
@click.option("-o", "--out", default="trustnet.toml", show_default=True, type=click.Path(dir_okay=False),
              help="Settings file to write (its [risk] section).")
@click.option("--config", type=click.Path(dir_okay=False), default=None,
              help="Start from these settings (their weights are the prior of the fit).")
def calibrate(file: str, outcomes: str, out: str, config: str | None, **options: Any) -> None:
    """Fit the risk weights to your own churn outcomes and write them to a settings file.

    \b
    An L2-regularised logistic regression of the known outcomes on the risk
    factors measured at the export's end, pulled towards the current weights.
    Pass the file it writes to `trustnet risks --config` or `trustnet analyse --config`.
    """
    from pathlib import Path

    from .errors import OutputError
    from .risk import calibrate_risk, read_outcomes, risk_toml
    from .settings import load_settings

    settings = load_settings(config)
    graph, scores = _scored_export(file, settings, options)
    fitted = calibrate_risk(graph, scores, read_outcomes(outcomes), settings)
    try:
        Path(out).write_text(risk_toml(fitted), encoding="utf-8")
    except OSError as err:
        raise OutputError(f"cannot write {out}: {err.strerror}; choose another path with -o") from err
    click.echo(f"intercept {fitted.risk.intercept:.3f}; weights: "
               + ", ".join(f"{k} {v:.3f}" for k, v in fitted.risk.weights.items()))
    click.echo(f"wrote {out}; use it with: trustnet risks {file} --config {out}")


# --- suspicious (trustnet.fraud) -----------------------------------------------------------

@cli.command(epilog="""\b
Example:
  trustnet suspicious referrals.csv --touchpoints nps.csv --top 20
""")
@click.argument("file", type=click.Path(dir_okay=True, allow_dash=True))
@loading_options
@click.option("--top", default=20, show_default=True, type=click.IntRange(min=0),
              help="How many referrals (and accounts) to show.")
@click.option("--json", "as_json", is_flag=True, help="Print counts, the top referrals and accounts as JSON.")
@click.option("--keep-suspicious", is_flag=True, default=None,
              help="Keep suspicious referrals in advocate value and reach (they are set aside by default).")
@click.option("--config", type=click.Path(dir_okay=False), default=None, help="A trustnet.toml settings file.")
def suspicious(file: str, top: int, as_json: bool, keep_suspicious: bool | None, config: str | None,
               **options: Any) -> None:
    """Find self-referrals, referral rings, farms and bursts, and say why each looks suspicious.

    \b
    Scores every referral from 0 to 1 on documented signals (the same mailbox
    after dropping dots and +tags, the same name or device, referral cycles,
    small clusters that refer each other, bursts to accounts that never
    convert, implausible timing), lists the most suspicious with the reason in
    words, and the accounts most involved. Referrals at or above
    fraud.threshold (0.5) are set aside from advocate value unless
    --keep-suspicious. Exact self-referrals are already rejected on loading.
    """
    import json

    from .fraud import find_suspicious
    from .settings import load_settings

    settings = load_settings(config, **{"fraud.keep_suspicious": keep_suspicious})
    graph, report = _export_graph(file, settings, options)
    found = find_suspicious(graph, settings=settings)
    flagged = found.suspicious
    shown = flagged.head(top)
    accounts = found.accounts
    accounts = accounts[accounts["suspicious_made"] + accounts["suspicious_received"] > 0]
    accounts = accounts.sort_values(["suspicion", "suspicious_made", "id"], ascending=[False, False, True],
                                    kind="stable").head(top)
    signals = flagged["signals"].str.split(", ").explode().value_counts()
    value = float(flagged["revenue"].fillna(0).sum())
    rejected = {k: v for k, v in report.reasons().items() if k.startswith("self-referral")}
    if as_json:
        cols = ["referrer", "referred", "provider", "source_line", "suspicion", "signals", "why", "set_aside"]
        payload = {
            "referrals": len(found.referrals), "suspicious": len(flagged),
            "set_aside": int(found.set_aside.sum()), "threshold": found.threshold,
            "value_suspicious": round(value, 2), "signals": {str(k): int(v) for k, v in signals.items()},
            "rejected_on_loading": rejected,
            "top": json.loads(shown[cols].to_json(orient="records", force_ascii=False)),
            "accounts": json.loads(accounts.drop(columns=["idx"]).to_json(orient="records", force_ascii=False)),
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    fate = "kept in advocate value (--keep-suspicious)" if found.keep_suspicious else "set aside from advocate value"
    click.echo(f"{len(found.referrals):,} referrals checked: {len(flagged):,} suspicious (suspicion >= "
               f"{found.threshold:g}, revenue {value:,.2f}), {fate}.")
    if rejected:
        click.echo("Rejected on loading: " + ", ".join(f"{v:,} {k}" for k, v in rejected.items())
                   + " (see trustnet validate).")
    if not len(flagged):
        return
    click.echo("Signals: " + ", ".join(f"{k} {v:,}" for k, v in signals.items()))
    click.echo(f"Top {len(shown)} referrals:")
    for rank, row in enumerate(shown.itertuples(index=False), start=1):
        click.echo(f"{rank:>3}. {row.referrer} -> {row.referred} ({row.provider}, line {row.source_line})  "
                   f"suspicion {row.suspicion:.0%}")
        click.echo(f"     {row.why}")
    click.echo(f"Accounts most involved ({len(accounts)}):")
    for row in accounts.itertuples(index=False):
        click.echo(f"  - {row.id}  suspicion {row.suspicion:.0%}  made {row.suspicious_made:,}, received "
                   f"{row.suspicious_received:,} suspicious referrals ({row.signals})")


@cli.command(epilog="""\b
Example:
  trustnet generate --customers 2000 --seed 1 -o demo/""")
@click.option("--customers", default=2000, show_default=True, type=click.IntRange(min=10),
              help="Customers in the world (people who bought; declined prospects come on top).")
@click.option("--providers", default=None, type=click.IntRange(min=1),
              help="Providers (default: one per 80 customers for home-services, one brand for subscription).")
@click.option("--seed", default=0, show_default=True, type=int, help="Same seed, byte-identical files.")
@click.option("--months", default=24, show_default=True, type=click.IntRange(3, 240),
              help="Length of the export; the churn truth looks 90 days past its end.")
@click.option("--start", default="2024-01-01", show_default=True, help="First day of the export.")
@click.option("--kind", default="home-services", show_default=True,
              type=click.Choice(["home-services", "subscription"]),
              help="Tradespeople as providers, or one brand through app, web and phone.")
@click.option("--gzip", "compress", is_flag=True, help="Write touchpoints.csv.gz instead of touchpoints.csv.")
@click.option("--fraud", default=None, type=click.FloatRange(0, 0.5, min_open=True), metavar="SHARE",
              help="Plant referral fraud (self-referrals, rings, farms) in this share of the referrals, "
                   "e.g. 0.05; truth/fraud.csv says which.")
@click.option("-o", "--out", required=True, type=click.Path(file_okay=False), help="Folder to write into.")
@click.option("--force", is_flag=True, help="Replace a world already written in that folder.")
def generate(customers: int, providers: int | None, seed: int, months: int, start: str, kind: str,
             compress: bool, fraud: float | None, out: str, force: bool) -> None:
    """Write a demo world with known truth: referrals, touchpoints and truth/.

    \b
    A seeded simulation of a referral business: hidden trust per customer and
    dimension, heavy-tailed advocates, cascades several levels deep, surveys,
    complaints, outages, silences, and churn through a tipping point. truth/
    holds the hidden trust, each advocate's downstream value and who churns
    within 90 days of the export's end, to score trustnet's answers against.
    """
    from .datasets import describe_world
    from .datasets import generate as generate_world

    with click.progressbar(length=months + 3, label="simulating months", file=sys.stderr) as bar:
        def progress(stage: str, done: int, total: int) -> None:
            bar.update(done - bar.pos)

        world = generate_world(customers, providers, seed=seed, start=start, months=months, kind=kind,
                               fraud=fraud, progress=progress)
    path = world.write(out, compress=compress, overwrite=force)
    stats = describe_world(world)
    click.echo(f"wrote {path}: {stats['customers']:,} customers, {stats['providers']:,} providers, "
               f"{stats['referrals']:,} referrals, {len(world.touchpoints):,} touchpoints "
               f"(as of {world.info['as_of']}); truth in {path / 'truth'}")


def _progress_bar(quiet: bool) -> Any:
    """A stderr progress callback for long stages, or None when quiet or not on a terminal."""
    if quiet or not sys.stderr.isatty():
        return None
    state: dict[str, Any] = {}

    def tick(stage: str, done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = click.progressbar(length=total, label="analysing", file=sys.stderr, show_eta=False,
                                    item_show_func=lambda s: s)
            bar.__enter__()
            state["bar"] = bar
        bar.update(done - bar.pos, stage)
        if done >= total:
            bar.__exit__(None, None, None)
            state.pop("bar")

    return tick


def _stop_on_signals() -> Callable[[str, int, int], None]:
    """Turn Ctrl-C (SIGINT), SIGTERM and SIGHUP (a closed terminal) into an exception, so that the temporary report
    folder is removed; returns a progress callback that raises it again at the next step of the run.

    Python drops an exception raised inside a finaliser (``__del__``, a weak reference's callback) with an
    "Exception ignored" line: a signal landing there would let the run go on and write its report. The
    callback, called between steps and last just before the report folder is renamed into place, stops it.
    """
    import signal

    stopped: list[int] = []

    def stop(signum: int) -> None:
        if signum == signal.SIGINT:
            raise KeyboardInterrupt  # click then says "Aborted!"
        raise SystemExit(128 + signum)

    def handler(signum: int, frame: Any) -> None:
        stopped.append(signum)
        stop(signum)

    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):  # Windows has no SIGHUP
            signal.signal(getattr(signal, name), handler)

    def check(stage: str, done: int, total: int) -> None:
        if stopped:
            stop(stopped[0])

    return check


@cli.command(epilog="""\b
Examples:
  trustnet analyse datasets/home-services/referrals.csv --touchpoints datasets/home-services/touchpoints.csv
  trustnet analyse export.csv -o reports/q3 --anonymise --format svg --force
  trustnet analyse soc-sign-bitcoinotc.csv --kind ratings
  trustnet analyse ICHPS_ClinEdgeList.csv --nodes ICHPS_nodecov.dat
""")
@click.argument("file", type=click.Path(dir_okay=True, allow_dash=True))
@loading_options
@click.option("-o", "--out", type=click.Path(file_okay=False), default=None,
              help="Report folder to write [default: reports/<input name>].")
@click.option("--anonymise", is_flag=True, help="Replace every identifier with a keyed pseudonym "
              "(key from TRUSTNET_ANONYMISE_KEY); drop comments and fingerprints.")
@click.option("--format", "fmt", type=click.Choice(["png", "svg", "pdf"]), default=None,
              help="Figure file format [default: png].")
@click.option("--config", type=click.Path(dir_okay=False), default=None, help="A trustnet.toml settings file.")
@click.option("--keep-suspicious", is_flag=True, default=None,
              help="Keep suspicious referrals in advocate value and reach (they are set aside by default).")
@click.option("--force", is_flag=True, help="Replace the report folder if it exists.")
@click.option("--quiet", is_flag=True, help="No progress bar and no summary; print only the path of index.html.")
@click.option("--nodes", "nodes_file", type=click.Path(dir_okay=False), default=None,
              help="Rating networks: a node file (one row per person, id first) whose attributes are added to "
                   "nodes.csv and the graph files.")
@click.option("--group", default=None, metavar="COLUMN",
              help="Rating networks: the node attribute that names each person's group (site, team); "
                   "default a column named practice, site, team, region...")
def analyse(file: str, out: str | None, anonymise: bool, fmt: str | None, config: str | None,
            keep_suspicious: bool | None, force: bool, quiet: bool, nodes_file: str | None, group: str | None,
            **options: Any) -> None:
    """Analyse an export and write a report folder: trust, advocates, risks, figures, one HTML page.

    \b
    Runs load, graph, trust, fraud, advocates and risk, then writes tables
    (advocates.csv, at_risk.csv, ...), figures, graph files for Gephi and
    networkx, summary.json and a self-contained index.html. The folder is
    built under a temporary name and renamed into place when complete.

    \b
    A rating network (rater, ratee, rating[, time], such as Bitcoin OTC; or a
    source,target edge list) is recognised, or forced with --kind ratings: the
    report then shows trust in people, whose trust carries furthest and the
    accounts most likely untrustworthy; --nodes adds each person's attributes.
    """
    from pathlib import Path

    from .analysis import analyse as run_analysis
    from .settings import load_settings

    check_stopped = _stop_on_signals()
    settings = load_settings(config, **{"report.anonymise": anonymise or None, "report.figure_format": fmt,
                                        "fraud.keep_suspicious": keep_suspicious})
    stem = "stdin" if file == "-" else Path(file).name.split(".")[0]
    target = Path(out) if out else Path("reports") / stem
    if target.exists() and not force:
        raise UserError(f"{target} already exists; pass --force to replace it, or choose another folder with -o")
    bar = _progress_bar(quiet)

    def progress(stage: str, done: int, total: int) -> None:
        check_stopped(stage, done, total)
        if bar is not None:
            bar(stage, done, total)

    kwargs = load_kwargs(options)
    if options.get("kind") not in (None, "auto"):
        kwargs["kind"] = options["kind"]
    if nodes_file is not None or group is not None:
        kwargs.update(node_attributes=nodes_file, group=group)
    result = run_analysis(file, touchpoints=list(options.get("touchpoints") or ()) or None, settings=settings,
                          progress=progress, **kwargs)
    index = result.write(target, force=force, progress=progress)
    if not quiet:
        for line in result.headline():
            click.echo(f"- {line}")
    click.echo(f"Report: {index}")


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the ``trustnet`` console script and ``python -m trustnet``.

    Like every click program it ends by raising ``SystemExit`` with the exit code (2 for a
    :class:`~trustnet.errors.TrustnetError`).

    Examples
    --------
    >>> main(["--version"])
    Traceback (most recent call last):
    ...
    SystemExit: 0
    >>> try:
    ...     main(["--version"])
    ... except SystemExit:
    ...     pass
    trustnet, version 0.1.0
    """
    return cli.main(args=argv, prog_name="trustnet")
