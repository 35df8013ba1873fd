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
    """Base class of every error trustnet raises on purpose.

    Catch it to handle any problem the user can fix; anything else is a bug.

    Examples
    --------
    >>> from trustnet.errors import InputError, TrustnetError
    >>> try:
    ...     raise InputError("ratings.csv: no rater column")
    ... except TrustnetError as err:
    ...     print(f"Error: {err}")
    Error: ratings.csv: no rater column
    """


class InputError(TrustnetError, ValueError):
    """An input file or table cannot be used.

    ``problems`` lists the individual problems found, for programs that want
    more than the message.

    Parameters
    ----------
    message : str
        The whole message: the file, the rows or columns, the rule and the fix.
    problems : list of str, optional
        The individual problems, one string each.

    Examples
    --------
    >>> err = InputError("2 rows without a referrer", problems=["line 3", "line 7"])
    >>> str(err), err.problems
    ('2 rows without a referrer', ['line 3', 'line 7'])
    >>> isinstance(err, ValueError)
    True
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems or [])


class SettingsError(TrustnetError, ValueError):
    """A setting or a ``trustnet.toml`` file is invalid.

    Examples
    --------
    >>> err = SettingsError("trust.half_life_days must be positive, got -3")
    >>> isinstance(err, TrustnetError), isinstance(err, ValueError)
    (True, True)
    """


class OutputError(TrustnetError, OSError):
    """An output cannot be written (folder exists, not writable, disk full).

    Examples
    --------
    >>> err = OutputError("report/ exists; pass --force to replace it")
    >>> isinstance(err, TrustnetError), isinstance(err, OSError)
    (True, True)
    """


class DataQualityWarning(UserWarning):
    """The input is usable but something in it deserves a look.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("12 referrals dated in the future", DataQualityWarning)
    >>> caught[0].category.__name__, str(caught[0].message)
    ('DataQualityWarning', '12 referrals dated in the future')
    """
