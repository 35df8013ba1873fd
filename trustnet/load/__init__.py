"""Loading referral, touchpoint and rating exports into the canonical tables.

The public entry points are :func:`load_referrals`, :func:`load_touchpoints`,
:func:`load_ratings` and :func:`detect_kind`; each returns the canonical table
(see CONTRIBUTING.md, "Data contracts") and a :class:`LoadReport` that accounts
for every row read.

>>> from trustnet.load import load_referrals
>>> df, report = load_referrals(io.StringIO("advocate,friend\\nann,bob\\n"))
>>> report.accepted, df.loc[0, "provider"]
(1, 'the business')
"""

from __future__ import annotations

import io  # noqa: F401  (used by the doctest above)

from .read import RawTable, read_table
from .referrals import load_referrals, referrals_from_table
from .report import LoadReport

__all__ = [
    "LoadReport",
    "RawTable",
    "read_table",
    "load_referrals",
    "referrals_from_table",
]
