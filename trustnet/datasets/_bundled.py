"""The demos bundled under ``datasets/`` at the project's root, behind ``load_*`` functions."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ._world import World, read_world

__all__ = ["DEMOS", "demo_path", "load_home_services", "load_subscription"]

#: Where the demos are looked for: beside the package in a source tree (editable install),
#: then ``datasets/`` in the working folder (a wheel does not carry them).
_ROOTS = (Path(__file__).resolve().parents[2] / "datasets", Path("datasets"))

#: Bundled demos: name -> path relative to ``datasets/``.
DEMOS = {
    "home-services": "home-services",
    "subscription": "subscription",
    "referral-platform": "exports/referral-platform.csv",
    "crm-europe": "exports/crm-europe.csv",
}


def demo_path(name: str) -> Path:
    """The path of a bundled demo (a folder, or a single export file).

    Parameters
    ----------
    name : str
        One of ``DEMOS``: ``home-services``, ``subscription`` (folders written by
        ``trustnet generate``), ``referral-platform``, ``crm-europe`` (single files
        exported the way real tools export them).

    Returns
    -------
    Path

    Examples
    --------
    >>> demo_path("crm-europe").name
    'crm-europe.csv'
    """
    if name not in DEMOS:
        raise InputError(f"no bundled demo called {name!r}; the demos are {', '.join(DEMOS)}")
    for root in _ROOTS:
        path = root / DEMOS[name]
        if path.exists():
            return path
    tried = " or ".join(str(root / DEMOS[name]) for root in _ROOTS)
    raise InputError(f"the bundled demo {name!r} is missing: looked for {tried}. The demos ship with the "
                     "source tree (git clone; run from its folder); or make your own with "
                     "`trustnet generate -o DIR`")


def load_home_services() -> World:
    """The bundled home-services marketplace: ~2,000 customers of 25 tradespeople, with truth.

    Returns
    -------
    World
        ``.referrals`` and ``.touchpoints`` in canonical shape, ``.truth`` (trust, advocates,
        churn, providers) and ``.info``. ``datasets/home-services/README.md`` is its data
        dictionary.

    Examples
    --------
    >>> w = load_home_services()
    >>> len(w.truth["trust"]), w.info["kind"]
    (2000, 'home-services')
    >>> w.referrals["referred_at"].dtype
    dtype('<M8[ns]')
    """
    return read_world(demo_path("home-services"))


def load_subscription() -> World:
    """The bundled subscription business: ~20,000 customers of one brand through app, web and phone.

    Returns
    -------
    World
        As :func:`load_home_services`; ``datasets/subscription/README.md`` is its data
        dictionary.

    Examples
    --------
    >>> w = load_subscription()
    >>> len(w.truth["trust"]), w.referrals["provider"].nunique()
    (20000, 1)
    """
    return read_world(demo_path("subscription"))
