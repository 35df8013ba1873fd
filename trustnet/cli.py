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


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the ``trustnet`` console script and ``python -m trustnet``."""
    return cli.main(args=argv, prog_name="trustnet")
