"""Demo data: a seeded generator of referral worlds with known truth, and the bundled demos.

:func:`generate` simulates a referral business month by month and returns a
:class:`World` — the exported tables (``referrals``, ``touchpoints``) and the
hidden truth (trust per relationship, advocates' downstream value, churn within
90 days) — that :meth:`World.write` saves as CSV files. ``load_home_services``
and ``load_subscription`` return the bundled demos under ``datasets/``;
:func:`demo_path` gives the path of any bundled file, such as the two exports
written the way real tools write them.

>>> w = generate(300, seed=1)
>>> len(w.truth["trust"]), w.info["kind"]
(300, 'home-services')
"""

from __future__ import annotations

from ._bundled import DEMOS, demo_path, load_home_services, load_subscription
from ._exports import EXPORT_STYLES, write_export
from ._vocab import TOUCHPOINT_DIMENSION
from ._world import (
    ADVOCATE,
    CHURNED_WITHIN_90D,
    DOWNSTREAM_CUSTOMERS,
    DOWNSTREAM_VALUE,
    KINDS,
    World,
    describe_world,
    generate,
    read_world,
)

__all__ = [
    "World", "generate", "read_world", "describe_world", "write_export", "EXPORT_STYLES",
    "load_home_services", "load_subscription", "demo_path", "DEMOS", "KINDS", "TOUCHPOINT_DIMENSION",
    "ADVOCATE", "DOWNSTREAM_VALUE", "DOWNSTREAM_CUSTOMERS", "CHURNED_WITHIN_90D",
]
