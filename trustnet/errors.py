"""The exceptions and warnings trustnet raises.

Every error a user can cause derives from :class:`TrustnetError`; the CLI turns
it into one clear message and exit code 2. Anything else is a bug.

>>> from trustnet.errors import InputError
>>> err = InputError("no referrer column", problems=["found: 'Email'"])
>>> isinstance(err, ValueError), err.problems
(True, ["found: 'Email'"])
"""

from __future__ import annotations

__all__ = ["TrustnetError", "InputError", "SettingsError", "OutputError", "DataQualityWarning"]


class TrustnetError(Exception):
    """Base class of every error trustnet raises on purpose."""


class InputError(TrustnetError, ValueError):
    """An input file or table cannot be used.

    ``problems`` lists the individual problems found, for programs that want
    more than the message.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems or [])


class SettingsError(TrustnetError, ValueError):
    """A setting or a ``trustnet.toml`` file is invalid."""


class OutputError(TrustnetError, OSError):
    """An output cannot be written (folder exists, not writable, disk full)."""


class DataQualityWarning(UserWarning):
    """The input is usable but something in it deserves a look."""
