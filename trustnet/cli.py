"""The ``trustnet`` command line: thin click commands over the library.

Each command parses options, calls one library function and prints. Library
errors (:class:`trustnet.errors.TrustnetError`) become one clear message on
stderr and exit code 2; ``--debug`` shows the traceback.
"""

from __future__ import annotations

from typing import Any

import click

from . import __version__
from .errors import TrustnetError

__all__ = ["main", "cli"]


class UserError(click.ClickException):
    """A :class:`TrustnetError` shown to the user: one message, exit code 2."""

    exit_code = 2


class _Group(click.Group):
    """Lists commands in the order they are defined; turns library errors into messages."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def invoke(self, ctx: click.Context) -> Any:
        try:
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
                     help="Force the delimiter (, ; | or tab); detected by default."),
        click.option("--encoding", default=None, help="Force the text encoding (utf-8, utf-16, cp1252...)."),
        click.option("--sheet", default=None, help="Sheet of an .xlsx workbook (name or 0-based number)."),
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
    """The loader keyword arguments (mapping, delimiter, encoding, sheet, dayfirst) from the CLI options."""
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
        kind = detect_kind(raw, settings=settings)
        if kind == "aggregate":
            load_referrals(raw, settings=settings, **kwargs)  # raises the aggregate-report error
    if kind == "ratings":
        _, report = load_ratings(raw, settings=settings, **kwargs)
    elif kind == "touchpoints":
        _, report = load_touchpoints(raw, settings=settings, **kwargs)
    else:
        _, report = load_referrals(raw, settings=settings, kind=kind, **kwargs)
    reports = [report]
    for extra in options.get("touchpoints") or ():
        reports.append(load_touchpoints(extra, settings=settings, **kwargs)[1])
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


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the ``trustnet`` console script and ``python -m trustnet``."""
    return cli.main(args=argv, prog_name="trustnet")
