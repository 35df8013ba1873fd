"""Planting referral fraud in a generated world, with the truth in ``truth/fraud.csv``.

:func:`plant_fraud` is what ``generate(..., fraud=...)`` calls; it leaves the
simulated business untouched and adds what fraudsters add to a real export:

* **self-referrals**: an existing customer refers a second account of their own —
  under the same e-mail typed again (the clumsy 10%), a gmail alias (dots,
  ``+tags``) or a ``+tag`` elsewhere (25%), a new address with the same name (25%),
  a new address and a nickname from the same device (25%), or a new address with
  the same name and device (15%); most convert with a small first order;
* **rings**: 3 to 6 new accounts referring each other in a circle for one
  provider, with some extra ties, half of them entered from an existing
  customer, a third on one shared device; most convert with small orders;
* **farms**: an existing customer refers 8 to 25 new accounts within an hour or
  two (a third of the farms in scripted batches with identical timestamps, half
  from one device); the accounts never convert, buy or appear again.

Every person in the world then gets an identity — a name, an e-mail with the
habits real addresses have (gmail and others, dots, numbers) and a device
fingerprint, 2% of honest referred friends sharing their referrer's (one
household) — written as ``referrer_email``, ``referred_email``,
``referrer_name``, ``referred_name`` and ``fingerprint`` (of the referred).
``truth["fraud"]`` has one row per referral, in file order: ``referrer``,
``referred``, ``fraudulent`` (1 for planted rows) and ``scheme`` (``self_referral``,
``ring`` or ``farm``; empty for honest rows).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import schema
from ..errors import InputError
from . import _vocab as V

if TYPE_CHECKING:
    from ._world import World

__all__ = ["plant_fraud", "with_fraud", "FRAUDULENT", "SCHEME"]

FRAUDULENT = "fraudulent"
SCHEME = "scheme"  #: self_referral, ring or farm for planted rows, empty for honest ones

_DOMAINS = ("gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "icloud.com", "googlemail.com",
            "proton.me", "btinternet.com", "web.de", "orange.fr")
_DOMAIN_P = (0.36, 0.14, 0.08, 0.1, 0.1, 0.02, 0.05, 0.06, 0.05, 0.04)
_NICK = {"Ada": "Addy", "Liam": "Will", "Maya": "May", "Noah": "No", "Olga": "Olya", "Sofia": "Sophie",
         "Victor": "Vic", "Rafael": "Rafa", "Dmitri": "Dima", "Tomas": "Tom", "Pavel": "Pasha"}


def with_fraud(world: "World", fraud: float | int, rng: np.random.Generator) -> "World":
    """The world with fraud planted: new referrals, identity columns, ``truth["fraud"]``, ``info["fraud"]``.

    Examples
    --------
    >>> from trustnet.datasets import generate
    >>> w = generate(300, seed=1, fraud=0.05)
    >>> sorted(w.info["fraud"]), int(w.truth["fraud"]["fraudulent"].sum()) == w.info["fraud"]["referrals"]
    (['farm_referrals', 'referrals', 'ring_referrals', 'self_referrals'], True)
    >>> w.referrals["referrer_email"].notna().all()
    np.True_
    """
    from ._world import World

    refs, truth, summary = plant_fraud(world.referrals, world.touchpoints, world.info, fraud, rng)
    return World(referrals=refs, touchpoints=world.touchpoints, truth={**world.truth, "fraud": truth},
                 info={**world.info, "fraud": summary})


def plant_fraud(referrals: pd.DataFrame, touchpoints: pd.DataFrame, info: dict, fraud: float | int,
                rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Add self-referrals, rings and farms to canonical referrals; give every person an identity.

    Parameters
    ----------
    referrals, touchpoints : DataFrame
        The world's canonical tables (touchpoints are only read).
    info : dict
        The world's ``info`` (``start``, ``as_of``).
    fraud : float or int
        A share of the final referrals (0 < fraud <= 0.5) or a number of fraudulent
        referrals (a whole number of at least 1).
    rng : numpy.random.Generator

    Returns
    -------
    (referrals, truth, summary)
        The referrals with the planted rows and identity columns, in time order with
        ``source_line`` renumbered; the truth table (``referrer``, ``referred``,
        ``fraudulent``) in the same order; counts of what was planted.

    Examples
    --------
    >>> from trustnet.datasets import generate
    >>> w = generate(400, seed=2)
    >>> refs, truth, summary = plant_fraud(w.referrals, w.touchpoints, w.info, 0.1, np.random.default_rng(0))
    >>> len(refs) == len(truth), int(truth["fraudulent"].sum()) == summary["referrals"]
    (True, True)
    >>> round(summary["referrals"] / len(refs), 2)
    0.1
    """
    m = len(referrals)
    target = _target(fraud, m)
    start = pd.Timestamp(info.get("start", "2024-01-01"))
    as_of = pd.Timestamp(info.get("as_of", referrals[schema.REFERRED_AT].max()))
    window = max((as_of - start).days - 30, 30)

    people = pd.Index(pd.unique(pd.concat([referrals[schema.REFERRER], referrals[schema.REFERRED],
                                           touchpoints[schema.CUSTOMER]], ignore_index=True)), dtype="str")
    people = people.sort_values()
    ids = _IdMaker(people)
    who = _Identities(rng)
    who.add_people(people)
    first_seen = (pd.concat([
        pd.DataFrame({"id": referrals[schema.REFERRER], "at": referrals[schema.REFERRED_AT]}),
        pd.DataFrame({"id": referrals[schema.REFERRED], "at": referrals[schema.REFERRED_AT]}),
        pd.DataFrame({"id": touchpoints[schema.CUSTOMER], "at": touchpoints[schema.AT]})])
        .groupby("id")["at"].min())
    since = (((first_seen.reindex(people).fillna(start) - start).dt.total_seconds() / 86_400).clip(lower=0)
             .to_numpy(dtype=float))
    provider_of = (pd.concat([referrals[[schema.REFERRED, schema.PROVIDER]].rename(columns={schema.REFERRED: "id"}),
                              referrals[[schema.REFERRER, schema.PROVIDER]].rename(columns={schema.REFERRER: "id"})])
                   .drop_duplicates("id").set_index("id")[schema.PROVIDER])
    providers = np.sort(referrals[schema.PROVIDER].unique())
    revenue = referrals[schema.REVENUE].dropna()
    small = float(revenue.median() * 0.2) if len(revenue) else 50.0

    n_self = int(round(target * 0.4))
    selfs = _self_referrals(n_self, people, since, who, ids, provider_of, providers, start, window, small, rng)
    rings = _rings(int(round(target * 0.3)), people, since, who, ids, providers, start, window, small, rng)
    farms = _farms(max(target - len(selfs) - len(rings), 0), people, since, who, ids, provider_of, providers,
                   start, window, rng)
    parts = [selfs, rings, farms]
    planted = pd.concat([p for p in parts if len(p)], ignore_index=True)
    unplanted: dict[str, Any] = {FRAUDULENT: 0, SCHEME: ""}
    honest = referrals.drop(columns=[schema.SOURCE_LINE]).assign(**unplanted)
    # honest identities; a few referred friends share their referrer's device (one household)
    honest[schema.FINGERPRINT] = who.fingerprint(honest[schema.REFERRED])
    household = rng.random(len(honest)) < 0.02
    honest.loc[household, schema.FINGERPRINT] = who.fingerprint(honest.loc[household, schema.REFERRER])
    planted = planted.reindex(columns=[c for c in honest.columns if c != SCHEME])
    channels = referrals[schema.CHANNEL].dropna().to_numpy()
    if len(channels):
        planted[schema.CHANNEL] = channels[rng.integers(0, len(channels), len(planted))]
    for col in (schema.REFERRER, schema.REFERRED, schema.PROVIDER, schema.STATUS, schema.CHANNEL):
        planted[col] = planted[col].astype("str")
    planted[FRAUDULENT] = 1
    planted[SCHEME] = np.repeat(["self_referral", "ring", "farm"], [len(p) for p in parts])
    both = pd.concat([honest, planted], ignore_index=True)
    for col in (schema.REFERRED_AT, schema.CONVERTED_AT):
        both[col] = both[col].astype("datetime64[ns]")
    both[schema.REVENUE] = both[schema.REVENUE].astype("float64")
    # identity columns: the planted rows carry theirs, honest rows take the people's
    for role, email, name in ((schema.REFERRER, schema.REFERRER_EMAIL, schema.REFERRER_NAME),
                              (schema.REFERRED, schema.REFERRED_EMAIL, schema.REFERRED_NAME)):
        both[email] = who.email(both[role])
        both[name] = who.name(both[role])
    both[schema.FINGERPRINT] = both[schema.FINGERPRINT].astype("str")
    both = both.sort_values(schema.REFERRED_AT, kind="stable").reset_index(drop=True)
    truth = pd.DataFrame({"referrer": both[schema.REFERRER], "referred": both[schema.REFERRED],
                          FRAUDULENT: both[FRAUDULENT].astype(np.int64), SCHEME: both[SCHEME].astype("str")})
    out = both.drop(columns=[FRAUDULENT, SCHEME])
    for col in (schema.REFERRER_EMAIL, schema.REFERRED_EMAIL, schema.REFERRER_NAME, schema.REFERRED_NAME):
        out[col] = out[col].astype("str")
    out = out[list(schema.REFERRAL_COLUMNS)]
    out[schema.SOURCE_LINE] = np.arange(2, len(out) + 2, dtype=np.int64)
    summary = {"referrals": int(truth[FRAUDULENT].sum()), "self_referrals": int(sum(len(p) for p in parts[:1])),
               "ring_referrals": int(len(parts[1])), "farm_referrals": int(len(parts[2]))}
    return out, truth, summary


def _target(fraud: float | int, m: int) -> int:
    if isinstance(fraud, bool) or not isinstance(fraud, (int, float, np.integer, np.floating)):
        raise InputError(f"fraud must be a share such as 0.05 or a number of referrals such as 200, got {fraud!r}")
    if isinstance(fraud, (int, np.integer)):
        if fraud < 1:
            raise InputError(f"fraud as a number of referrals must be at least 1, got {fraud}")
        return int(fraud)
    if not 0 < fraud <= 0.5:
        raise InputError(f"fraud as a share of the referrals must lie in (0, 0.5], got {fraud}; "
                         "pass a whole number for a count")
    return max(1, int(round(fraud * m / (1 - fraud))))


class _IdMaker:
    """New customer numbers after the existing ones, in the same format (C000123)."""

    def __init__(self, people: pd.Index) -> None:
        nums = pd.to_numeric(pd.Series(people.str.slice(1)), errors="coerce")
        self.next = int(np.nanmax(nums)) + 1 if len(nums) and np.isfinite(nums).any() else 1
        self.width = max((len(p) - 1 for p in people[:1]), default=6)

    def take(self, k: int) -> np.ndarray:
        out = np.array([f"C{i:0{self.width}d}" for i in range(self.next, self.next + k)], dtype=object)
        self.next += k
        return out


class _Identities:
    """Name, e-mail and fingerprint of every account (honest and planted)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.table = pd.DataFrame(columns=["name", "email", "fp"], dtype="str")
        self.table.index = pd.Index([], dtype="str")
        self.boxes: set[str] = set()

    def draw_names(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """First and last names; 60% carry a middle initial, so full names collide about as rarely
        as in a real customer base (the vocabulary alone has only 3,500 combinations)."""
        first = np.array(V.FIRST_NAMES, dtype=object)[self.rng.integers(0, len(V.FIRST_NAMES), k)]
        last = np.array(V.LAST_NAMES, dtype=object)[self.rng.integers(0, len(V.LAST_NAMES), k)]
        initial = np.array(list("ABCDEFGHIJKLMNOPRSTVW"), dtype=object)[self.rng.integers(0, 21, k)]
        middle = np.where(self.rng.random(k) < 0.6, " " + initial + ".", "")
        return first, middle + " " + last

    def draw_emails(self, first: np.ndarray, last: np.ndarray) -> np.ndarray:
        k = len(first)
        f = pd.Series(first).map(_ascii).str.lower()
        la = pd.Series(last).str.split(" ").str[-1].map(_ascii).str.lower().str.replace("'", "", regex=False)
        pattern = self.rng.integers(0, 6, k)
        number = pd.Series(self.rng.integers(1, 99, k)).astype(str)
        local = np.select(
            [pattern == 0, pattern == 1, pattern == 2, pattern == 3, pattern == 4],
            [f + "." + la, f + la, f + "." + la + number, f.str[0] + "." + la, f + "_" + la],
            la + "." + f + number,
        )
        domain = np.array(_DOMAINS, dtype=object)[self.rng.choice(len(_DOMAINS), k, p=_DOMAIN_P)]
        return self._unique(pd.Series(local, dtype=object), pd.Series(domain, dtype=object))

    def _unique(self, local: pd.Series, domain: pd.Series) -> np.ndarray:
        """Make every mailbox distinct (gmail ignores dots): number the duplicates."""
        gm = domain.isin(["gmail.com", "googlemail.com"])
        key = local.where(~gm, local.str.replace(".", "", regex=False)) + "@" + domain.where(~gm, "gmail.com")
        taken = key.isin(self.boxes) | key.duplicated()
        suffix = pd.Series(self.rng.integers(100, 9999, len(local))).astype(str)
        while taken.any():
            local = local.where(~taken, local + suffix)
            key = local.where(~gm, local.str.replace(".", "", regex=False)) + "@" + domain.where(~gm, "gmail.com")
            taken = key.isin(self.boxes) | key.duplicated()
            suffix = pd.Series(self.rng.integers(0, 10, len(local))).astype(str)
        self.boxes.update(key.tolist())
        return (local + "@" + domain).to_numpy(dtype=object)

    def fingerprints(self, k: int) -> np.ndarray:
        return np.array([f"dev-{v:010x}" for v in self.rng.integers(0, 2**40, k)], dtype=object)

    def set(self, ids: np.ndarray, name: np.ndarray, email: np.ndarray, fp: np.ndarray) -> None:
        add = pd.DataFrame({"name": name, "email": email, "fp": fp}, index=pd.Index(ids, dtype="str"))
        self.table = pd.concat([self.table, add]) if len(self.table) else add

    def add_people(self, ids: pd.Index) -> None:
        first, last = self.draw_names(len(ids))
        self.set(ids.to_numpy(), first + last, self.draw_emails(first, last), self.fingerprints(len(ids)))

    def new(self, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        first, last = self.draw_names(k)
        return first + last, self.draw_emails(first, last), self.fingerprints(k)

    def email(self, ids: pd.Series) -> np.ndarray:
        return self.table["email"].reindex(ids.to_numpy()).to_numpy(dtype=object)

    def name(self, ids: pd.Series) -> np.ndarray:
        return self.table["name"].reindex(ids.to_numpy()).to_numpy(dtype=object)

    def fingerprint(self, ids: pd.Series) -> np.ndarray:
        return self.table["fp"].reindex(ids.to_numpy()).to_numpy(dtype=object)


def _ascii(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _times(start: pd.Timestamp, days: np.ndarray) -> pd.Series:
    return pd.Series(start + pd.to_timedelta(np.round(days * 86_400), unit="s"))


def _rows(referrer: Any, referred: Any, provider: Any, at: Any, status: Any, revenue: Any = None,
          converted_at: Any = None, fingerprint: Any = None, channel: str = "link") -> pd.DataFrame:
    k = len(referrer)
    return pd.DataFrame({
        schema.REFERRER: referrer, schema.REFERRED: referred, schema.PROVIDER: provider,
        schema.REFERRED_AT: pd.Series(at).to_numpy(dtype="datetime64[ns]"), schema.STATUS: status,
        schema.REVENUE: revenue if revenue is not None else np.full(k, np.nan),
        schema.CHANNEL: np.full(k, channel, dtype=object),
        schema.CONVERTED_AT: (pd.Series(converted_at).to_numpy(dtype="datetime64[ns]") if converted_at is not None
                              else np.full(k, np.datetime64("NaT"), "datetime64[ns]")),
        schema.FINGERPRINT: fingerprint,
    })


def _conversion(k: int, at: pd.Series, small: float, share: float, rng: np.random.Generator
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Status, revenue and conversion time of fake accounts that take a small first order."""
    conv = rng.random(k) < share
    status = np.where(conv, schema.CONVERTED, schema.PENDING).astype(object)
    revenue = np.where(conv, np.round(small * rng.uniform(0.5, 1.5, k), 2), np.nan)
    fast = rng.random(k) < 0.3  # scripted: converts seconds after the referral
    delay = np.where(fast, rng.uniform(5, 50, k), rng.uniform(2 * 3600, 10 * 86_400, k))
    conv_at = pd.Series(at).to_numpy(dtype="datetime64[ns]") + pd.to_timedelta(np.round(delay), unit="s").to_numpy()
    conv_at = np.where(conv, conv_at, np.datetime64("NaT"))
    return status, revenue, conv_at


def _after(since: np.ndarray, window: float, rng: np.random.Generator) -> np.ndarray:
    """A day between each person's first appearance and the end of the planting window."""
    lo = np.minimum(since, window - 1)
    return lo + rng.uniform(0, 1, len(since)) * (window - lo)


def _self_referrals(k: int, people: pd.Index, since: np.ndarray, who: _Identities, ids: _IdMaker, provider_of: pd.Series,
                    providers: np.ndarray, start: pd.Timestamp, window: float, small: float,
                    rng: np.random.Generator) -> pd.DataFrame:
    if k <= 0:
        return pd.DataFrame()
    pick = rng.integers(0, len(people), k)
    owner = people.to_numpy()[pick]
    new_ids = ids.take(k)
    name, email, fp = who.new(k)
    own = who.table.reindex(owner)
    kind = rng.choice(5, k, p=(0.1, 0.25, 0.25, 0.25, 0.15))
    own_email = own["email"].to_numpy(dtype=object)
    local = pd.Series(own_email).str.split("@").str[0]
    domain = pd.Series(own_email).str.split("@").str[1]
    tag = pd.Series(rng.choice(["promo", "ref", "2", "x", "deal"], k)).astype(object)
    dotted = local.str.replace(".", "", regex=False)
    dotted = dotted.str[:2] + "." + dotted.str[2:]
    gmail = domain.isin(["gmail.com", "googlemail.com"]).to_numpy()
    alias = np.where(gmail & (rng.random(k) < 0.5), dotted + "@" + domain, local + "+" + tag + "@" + domain)
    email = np.where(kind == 0, own_email, np.where(kind == 1, alias, email))
    first = pd.Series(own["name"].to_numpy(dtype=object)).str.split(" ").str[0]
    surname = pd.Series(own["name"].to_numpy(dtype=object)).str.split(" ").str[-1]
    nick = first.map(_NICK).fillna(first.str[0] + ".") + " " + surname
    same_name = np.isin(kind, (0, 1, 2, 4))
    name = np.where(same_name, own["name"].to_numpy(dtype=object), np.where(kind == 3, nick.to_numpy(), name))
    fp = np.where(np.isin(kind, (3, 4)), own["fp"].to_numpy(dtype=object), fp)
    who.set(new_ids, name, email, fp)
    at = _times(start, _after(since[pick], window, rng))
    status, revenue, conv_at = _conversion(k, at, small, 0.75, rng)
    provider = provider_of.reindex(owner).to_numpy(dtype=object)
    missing = pd.isna(provider)
    provider[missing] = providers[rng.integers(0, len(providers), int(missing.sum()))]
    return _rows(owner, new_ids, provider, at, status, revenue, conv_at, fp)


def _rings(k: int, people: pd.Index, since: np.ndarray, who: _Identities, ids: _IdMaker, providers: np.ndarray,
           start: pd.Timestamp, window: float, small: float, rng: np.random.Generator) -> pd.DataFrame:
    frames, planted = [], 0
    while planted < k:
        size = int(rng.integers(3, 7))
        members = ids.take(size)
        name, email, fp = who.new(size)
        if rng.random() < 0.33:
            fp = np.full(size, fp[0], dtype=object)
        who.set(members, name, email, fp)
        src = list(members)
        dst = list(np.roll(members, -1))
        for i in range(size):  # extra ties
            for j in range(i + 2, size):
                if (i, j) != (0, size - 1) and rng.random() < 0.3:
                    a, b = (members[i], members[j]) if rng.random() < 0.5 else (members[j], members[i])
                    src.append(a)
                    dst.append(b)
        t0 = rng.uniform(0, window - 20)
        if rng.random() < 0.5:  # entered from an existing customer
            leader = int(rng.integers(0, len(people)))
            src.insert(0, people[leader])
            dst.insert(0, members[0])
            t0 = float(_after(since[leader: leader + 1], window - 20, rng)[0])
        e = len(src)  # whole rings: the last one may overshoot the count a little
        at = _times(start, t0 + np.sort(rng.uniform(0, 14, e)))
        status, revenue, conv_at = _conversion(e, at, small, 0.6, rng)
        fps = who.fingerprint(pd.Series(dst))
        provider = np.full(e, providers[int(rng.integers(0, len(providers)))], dtype=object)
        frames.append(_rows(np.array(src, object), np.array(dst, object), provider, at, status, revenue, conv_at, fps))
        planted += e
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _farms(k: int, people: pd.Index, since: np.ndarray, who: _Identities, ids: _IdMaker, provider_of: pd.Series,
           providers: np.ndarray, start: pd.Timestamp, window: float, rng: np.random.Generator) -> pd.DataFrame:
    if k <= 0:
        return pd.DataFrame()
    drawn: list[int] = []
    while sum(drawn) < k:
        drawn.append(min(int(rng.integers(8, 26)), k - sum(drawn)))
    sizes = np.array(drawn)
    f = len(sizes)
    pick = rng.integers(0, len(people), f)
    farmer = people.to_numpy()[pick]
    group = np.repeat(np.arange(f), sizes)
    accounts = ids.take(int(sizes.sum()))
    name, email, fp = who.new(len(accounts))
    one_device = rng.random(f) < 0.5
    device = who.fingerprints(f)
    fp = np.where(one_device[group], device[group], fp)
    who.set(accounts, name, email, fp)
    t0 = _after(since[pick], window, rng)
    gap = rng.exponential(4 * 60, len(accounts))  # seconds between two sign-ups
    batched = rng.random(f) < 0.33
    gap = np.where(batched[group] & (rng.random(len(accounts)) < 0.7), 0.0, gap)
    first = np.r_[0, np.cumsum(sizes)[:-1]]
    offset = np.cumsum(gap) - np.repeat(np.cumsum(gap)[first], sizes)
    at = _times(start, t0[group] + offset / 86_400)
    at = at.dt.floor("s")
    status = np.where(rng.random(len(accounts)) < 0.7, schema.PENDING, schema.DECLINED).astype(object)
    provider = provider_of.reindex(farmer).to_numpy(dtype=object)
    missing = pd.isna(provider)
    provider[missing] = providers[rng.integers(0, len(providers), int(missing.sum()))]
    return _rows(farmer[group], accounts, provider[group], at, status, fingerprint=fp)
