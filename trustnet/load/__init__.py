"""Loading referral, touchpoint and rating exports into the canonical tables.

The public entry points are :func:`load_referrals`, :func:`load_touchpoints`,
:func:`load_ratings` and :func:`detect_kind`; each loader returns the canonical
table (see CONTRIBUTING.md, "Data contracts") and a :class:`LoadReport` that
accounts for every row read (``rows_read == accepted + duplicates + rejected``).
Rating columns inside a referral export come back as touchpoints on
``report.touchpoints``.

The package has one module per concept: :mod:`.read` (bytes, encodings,
formats), :mod:`.values` (dates, money, ids, statuses), :mod:`.mapping`
(headers -> canonical columns), :mod:`.profiles` (vendor layouts),
:mod:`.rows` (row accounting), :mod:`.report` (:class:`LoadReport`), and one
module per table (:mod:`.referrals`, :mod:`.touchpoints`, :mod:`.ratings`).

>>> from trustnet.load import load_referrals
>>> df, report = load_referrals(io.StringIO("advocate,friend\\nann,bob\\n"))
>>> report.accepted, df.loc[0, "provider"]
(1, 'the business')
"""

from __future__ import annotations

import io  # noqa: F401  (used by the doctest above)

from .mapping import parse_map_options
from .profiles import Profile, load_profiles
from .ratings import detect_kind, load_ratings
from .read import RawTable, read_table
from .referrals import load_referrals
from .report import LoadReport
from .touchpoints import load_touchpoints

__all__ = [
    "LoadReport",
    "RawTable",
    "Profile",
    "read_table",
    "load_referrals",
    "load_touchpoints",
    "load_ratings",
    "detect_kind",
    "load_profiles",
    "parse_map_options",
]
