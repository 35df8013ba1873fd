"""The seeded month-by-month simulation behind :func:`trustnet.datasets.generate`.

Everything is held in numpy arrays indexed by customer (one customer holds one
relationship, with one provider) and advanced one month at a time; inside a
month every step is vectorised over the active customers. Times are float days
since the export's start. The simulation runs three months past the export's
end so that churn within 90 days is known; nothing after the end is exported.

The world, in short (the README of each bundled dataset says it in words):

* providers have a hidden quality per dimension (platform: per channel);
* each customer holds a hidden trust per dimension that drifts towards their
  provider's quality (plus a personal bias) and is moved by events: complaints
  (resolved fast, slowly or never), delays, refused refunds, outages that hit
  many customers of a channel at once, and the loss of the advocate whose word
  brought them;
* observations are noisy readings of the hidden trust: ratings on the
  dimension the touchpoint names, surveys answered more often by the delighted
  and the furious, events whose frequency depends on quality and trust;
* every negative experience adds *strain*, which fades (a factor 0.8 a month);
  when strain passes the customer's own threshold — about two bad events close
  together, rarely one — the customer tips: half have a last unhappy contact,
  then contact falls silent and they leave 35 days to eight months later; a few
  drift away in silence and lapse months later, a very few leave at once for
  reasons outside the data (moving house);
* customers refer friends at a heavy-tailed personal rate, but only while they
  trust; a referral converts more often when the tie is strong and the
  advocate enthusiastic, and the new customer's first trust starts where the
  advocate's word puts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import _vocab as V

__all__ = ["Simulation", "simulate"]

DRIFT = 0.12            # share of the gap to the target closed per month
STRAIN_DECAY = 0.8      # strain kept from one month to the next
LOW_TRUST = 0.45        # below this on any dimension, strain grows every month
BASE_CHURN = 0.001      # monthly chance of leaving at once for reasons outside the data
DRIFT_AWAY = 0.006      # monthly chance of drifting away quietly (silence, then leaving)
TIPPED_ENGAGEMENT = 0.05
NEUTRAL = 0.62          # the feeling that answers least (a passive, 7 of 10)
RHYTHM_SHAPE = 4.0      # gamma shape of the gaps between ordinary contacts (4: they vary by half)
DAY_SECONDS = 86_400

# (dimension shock, target shock, strain) per experience
SHOCK = {
    "complaint": (-0.05, -0.01, 0.35),
    "fast": (0.07, 0.02, -0.2),
    "slow": (-0.05, -0.02, 0.3),
    "unresolved": (-0.15, -0.06, 1.1),
    "delay": (-0.04, -0.01, 0.25),
    "refund_denied": (-0.10, -0.03, 0.6),
    "refund": (0.02, 0.005, 0.0),
    "outage": (-0.07, -0.015, 0.2),
    "praise": (0.02, 0.0, 0.0),
    "advocate_left": (-0.08, -0.04, 0.7),
}
CHANNEL_OFFSET = (0.04, 0.0, -0.06)
CHANNEL_MIX = (0.5, 0.3, 0.2)


@dataclass
class Simulation:
    """The raw result: arrays by customer, referral and touchpoint (internal).

    :func:`trustnet.datasets.generate` turns it into export tables and the ground truth.

    Examples
    --------
    >>> import numpy as np
    >>> from trustnet.datasets._vocab import KINDS
    >>> sim = simulate(KINDS["home-services"], customers=100, providers=1, months=6, end_day=181.0,
    ...                provider_names=["Tiles"], provider_revenue=np.array([1.0]), density=1.0,
    ...                rng=np.random.default_rng(1))
    >>> sim.trust_end.shape, len(sim.ref_referrer) == len(sim.ref_day), sim.provider_names
    ((100, 3), True, ['Tiles'])
    """

    spec: V.KindSpec
    end_day: float
    provider_names: list[str]
    quality: np.ndarray            # (P, 3): people, process, mean platform
    # customers (index = customer)
    provider: np.ndarray
    join: np.ndarray
    parent: np.ndarray
    depth: np.ndarray
    churn: np.ndarray
    tip: np.ndarray                # day the customer tipped (decided to leave), inf if never
    revenue: np.ndarray
    trust_end: np.ndarray          # (N, 3) hidden trust at the export's end
    pressure_end: np.ndarray       # strain / threshold at the export's end (1 = tipping)
    invited: np.ndarray            # survey invitations sent before the end, per customer
    answered: np.ndarray           # of which answered (exported as touchpoints)
    # referrals
    ref_referrer: np.ndarray
    ref_referred: np.ndarray       # person index: customers 0..N-1, prospects N..
    ref_day: np.ndarray
    ref_converted: np.ndarray      # bool: converted (customer) — status decided later
    ref_pending: np.ndarray        # bool
    ref_decided: np.ndarray        # day the referral converted (nan unless converted)
    ref_channel: np.ndarray
    n_prospects: int
    # touchpoints (``_world`` releases each, setting it to None, once sorted into the table)
    tp_customer: np.ndarray
    tp_day: np.ndarray
    tp_name: np.ndarray
    tp_score: np.ndarray
    tp_scale: np.ndarray
    tp_event: np.ndarray
    tp_response: np.ndarray
    tp_value: np.ndarray
    names: tuple[str, ...]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _to_score(u: np.ndarray, scale: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Read a 0..1 feeling on each touchpoint's scale (NaN where there is no scale)."""
    out = np.full(u.shape, np.nan)
    nps = scale == V.NPS
    out[nps] = np.rint(10 * u[nps])
    five = (scale == V.CSAT) | (scale == V.STARS)
    out[five] = np.rint(1 + 4 * u[five])
    unit = scale == V.UNIT
    out[unit] = (rng.random(int(unit.sum())) < u[unit]).astype(float)
    return out


class _Sim:
    def __init__(self, spec: V.KindSpec, customers: int, providers: int, months: int, end_day: float,
                 density: float, rng: np.random.Generator, provider_names: list[str],
                 provider_revenue: np.ndarray) -> None:
        self.spec, self.N, self.P, self.M = spec, customers, providers, months
        self.D, self.L, self.density, self.rng = end_day, end_day / months, density, rng
        self.provider_names = provider_names
        self.C = len(spec.channels)
        N = customers
        q = np.column_stack([rng.normal(m, s, providers) for m, s in spec.quality])
        plat = q[:, 2:3] + np.asarray(CHANNEL_OFFSET[: self.C]) + rng.normal(0, 0.05, (providers, self.C))
        self.q = np.clip(q, 0.15, 0.95)
        self.q_plat = np.clip(plat, 0.15, 0.95)
        self.q[:, 2] = self.q_plat.mean(axis=1)
        self.popularity = rng.lognormal(0.0, 0.9, providers)
        self.popularity /= self.popularity.sum()
        self.rev_level = np.log(provider_revenue) + rng.normal(0.0, spec.provider_revenue_sigma, providers)
        self.prov = np.zeros(N, np.int64)
        self.join = np.zeros(N)
        self.parent = np.full(N, -1, np.int64)
        self.depth = np.zeros(N, np.int16)
        self.trust = np.zeros((N, 3))
        self.target = np.zeros((N, 3))
        self.strain = np.zeros(N)
        self.thr = np.zeros(N)
        self.tip = np.full(N, np.inf)
        self.churn = np.full(N, np.inf)
        self.rate = np.zeros(N)
        self.prop = np.zeros(N)
        self.chan = np.zeros(N, np.int64)
        self.revenue = np.zeros(N)
        self.next_contact = np.zeros(N)
        self.welcomed = np.zeros(N, bool)
        self.invited = np.zeros(N, np.int64)
        self.answered = np.zeros(N, np.int64)
        self.n = 0
        self.n_prospects = 0
        # vocabulary: names -> codes, scale of each name
        names: list[str] = [V.NPS_SURVEY, spec.welcome_survey, V.RESOLUTION, V.FOLLOW_UP, V.REFUND,
                            V.CANCELLATION]
        scales: list[int] = [V.NPS, V.CSAT, V.CSAT, V.NO_SCALE, V.NO_SCALE, V.NO_SCALE]

        def code(name: str, scale: int = V.NO_SCALE) -> int:
            if name not in names:
                names.append(name)
                scales.append(scale)
            return names.index(name)

        self.people_codes = np.array([code(n, s) for n, s, _ in spec.people])
        self.people_w = np.array([w for _, _, w in spec.people])
        self.process_codes = np.array([code(n, s) for n, s, _ in spec.process])
        self.process_w = np.array([w for _, _, w in spec.process])
        self.platform_codes = [np.array([code(n, s) for n, s, _ in ch]) for ch in spec.platform]
        self.platform_w = [np.array([w for _, _, w in ch]) for ch in spec.platform]
        self.outage_codes = np.array([code(n) for n in spec.outage])
        self.complaint_codes = np.array([code(n) for n in spec.complaint])
        self.delay_codes = np.array([code(n) for n in spec.delay])
        self.praise_code = code(spec.praise, spec.praise_scale)
        self.names = tuple(names)
        self.scale_of = np.array(scales)
        self.tp: list[tuple[np.ndarray, ...]] = []
        self.refs: list[tuple[np.ndarray, ...]] = []

    # ---------------------------------------------------------------- helpers
    def emit(self, cust: Any, day: Any, name: Any, score: Any = None, event: Any = V.NO_EVENT,
             response: Any = None, value: Any = None) -> None:
        """Record touchpoint rows (array-likes of one length, or scalars for name and event)."""
        day = np.asarray(day, float)
        if len(day) and day.max() >= self.D:  # nothing after the export's end is kept
            keep = day < self.D
            cust, day = np.asarray(cust)[keep], day[keep]
            name = name if np.ndim(name) == 0 else np.asarray(name)[keep]
            event = event if np.ndim(event) == 0 else np.asarray(event)[keep]
            score, response, value = (None if x is None else np.asarray(x)[keep] for x in (score, response, value))
        k = len(cust)
        if k == 0:
            return
        # compact while the month's chunks pile up: scores are whole numbers and response days
        # tenths (float32 holds both exactly enough; _world rounds them back), money stays float64
        full = np.full(k, np.nan)
        full32 = np.full(k, np.nan, np.float32)
        name = np.broadcast_to(np.asarray(name, np.int64), (k,))
        self.tp.append((
            np.asarray(cust, np.int32), np.asarray(day, float), name.astype(np.int16),
            full32 if score is None else np.asarray(score, np.float32),
            np.broadcast_to(np.asarray(event, np.int8), (k,)).copy(),
            full32 if response is None else np.asarray(response, np.float32),
            full if value is None else np.asarray(value, float),
        ))

    def pick(self, codes: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
        cum = np.cumsum(weights) / weights.sum()
        return codes[np.minimum(np.searchsorted(cum, self.rng.random(k), side="right"), len(codes) - 1)]

    def respond(self, u: np.ndarray, base: float, gain: float) -> np.ndarray:
        """Response bias: the delighted and the furious answer more often."""
        p = np.clip(base + gain * np.minimum(np.abs(u - NEUTRAL) / (1 - NEUTRAL), 1) ** 1.3, 0, 1)
        return self.rng.random(len(u)) < p

    def feel(self, trust: np.ndarray, sd: float = 0.08) -> np.ndarray:
        return np.clip(trust + self.rng.normal(0.0, sd, trust.shape), 0.0, 1.0)

    def add_customers(self, provs: np.ndarray, join: np.ndarray, parents: np.ndarray | None,
                      start_trust: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        rng, k = self.rng, len(provs)
        sl = np.arange(self.n, self.n + k)
        self.n += k
        self.prov[sl] = provs
        self.join[sl] = join
        chan = rng.choice(self.C, k, p=np.asarray(CHANNEL_MIX[: self.C]) / sum(CHANNEL_MIX[: self.C]))
        self.chan[sl] = chan
        tgt = np.column_stack([self.q[provs, 0], self.q[provs, 1], self.q_plat[provs, chan]])
        self.target[sl] = np.clip(tgt + rng.normal(0.0, 0.14, (k, 3)), 0.02, 0.98)
        self.thr[sl] = 1.1 + rng.gamma(4.0, 0.1, k)
        self.rate[sl] = 1.0 / (self.spec.gap_median_days * np.exp(rng.normal(0.0, 0.45, k)))
        self.next_contact[sl] = np.maximum(join, 0.0) + rng.random(k) / self.rate[sl]
        self.prop[sl] = np.where(rng.random(k) < 0.55, 0.0, np.minimum(rng.lognormal(0.0, 1.2, k), 10.0))
        self.revenue[sl] = np.round(np.exp(self.rev_level[provs] + rng.normal(0, self.spec.revenue_sigma, k)), 2)
        if parents is not None:
            self.parent[sl] = parents
            self.depth[sl] = self.depth[parents] + 1
        self.trust[sl] = np.clip(start_trust(self.target[sl]), 0.02, 0.98)
        # the first contact (the job, the installation) a few days after joining in the export's window
        new = sl[join >= 0]
        name, scale = self.spec.onboarding
        dim = V.TOUCHPOINT_DIMENSION_INDEX[name]
        u = self.feel(self.trust[new, dim])
        answered = self.respond(u, 0.4, 0.8)
        self.emit(new, self.join[new] + 0.2 + rng.exponential(3.0, len(new)), self.names.index(name),
                  score=np.where(answered, _to_score(u, np.full(len(new), scale), rng), np.nan))
        return sl

    # ------------------------------------------------------------------ month
    def month(self, m: int, quota: int | None) -> None:
        rng, L = self.rng, self.L
        ms, me = m * L, (m + 1) * L
        n = self.n
        idx = np.flatnonzero((self.join[:n] < me) & (self.churn[:n] > ms))
        k = len(idx)
        a0 = np.maximum(self.join[idx], ms)
        a1 = np.minimum(self.churn[idx], me)
        span = a1 - a0
        frac = span / L

        def when(mask: np.ndarray) -> np.ndarray:
            return a0[mask] + rng.random(int(mask.sum())) * span[mask]

        T = self.trust[idx]
        G = self.target[idx]
        T += DRIFT * frac[:, None] * (G - T) + rng.normal(0.0, 0.015, (k, 3)) * np.sqrt(frac)[:, None]
        dT = np.zeros((k, 3))
        dG = np.zeros((k, 3))
        S = self.strain[idx].copy()
        thr = self.thr[idx]
        tipped = np.isfinite(self.tip[idx])
        # engagement: strain makes people quiet; once tipped they barely get in touch
        eng = np.where(tipped, TIPPED_ENGAGEMENT, 1 - 0.7 * np.clip(S / thr, 0, 1))
        act = frac * eng
        prov = self.prov[idx]
        qproc = self.q[prov, 1]

        def shock(rows: np.ndarray, dim: int, kind: str) -> None:
            d, g, s = SHOCK[kind]
            np.add.at(dT[:, dim], rows, d)
            np.add.at(dG[:, dim], rows, g)
            np.add.at(S, rows, s)

        # complaints and how they are handled
        pc = act * (0.004 + 0.10 * (1 - qproc) ** 2 + 0.10 * (1 - T[:, 1]) ** 2)
        comp = rng.random(k) < pc
        ci = np.flatnonzero(comp)
        cday = when(comp)
        self.emit(idx[ci], cday, self.pick(self.complaint_codes, np.ones(len(self.complaint_codes)), len(ci)),
                  event=V.EV_COMPLAINT)
        shock(ci, 1, "complaint")
        qc = qproc[ci]
        u = rng.random(len(ci))
        fast = u < 0.15 + 0.7 * qc
        unres = ~fast & (u >= 1 - (0.04 + 0.4 * (1 - qc) ** 1.5))
        slow = ~fast & ~unres
        resp = np.where(fast, 0.3 + rng.exponential(1.2, len(ci)), 6 + rng.gamma(2.0, 7.0, len(ci)))
        resp = np.round(resp, 1)
        solved = fast | slow
        shock(ci[fast], 1, "fast")
        shock(ci[slow], 1, "slow")
        shock(ci[unres], 1, "unresolved")
        np.add.at(dT[:, 0], ci[unres], -0.04)
        after = self.feel(T[ci[solved], 1] + dT[ci[solved], 1])
        has = rng.random(len(after)) < 0.45
        score = np.where(has, _to_score(after, np.full(len(after), V.CSAT), rng), np.nan)
        self.emit(idx[ci[solved]], cday[solved] + resp[solved], self.names.index(V.RESOLUTION),
                  score=score, event=V.EV_RESOLVED, response=resp[solved])
        self.emit(idx[ci[unres]], cday[unres] + 14 + rng.exponential(7.0, int(unres.sum())),
                  self.names.index(V.FOLLOW_UP), event=V.EV_UNRESOLVED)

        # delays
        dl = rng.random(k) < act * (0.01 + 0.08 * (1 - qproc))
        di = np.flatnonzero(dl)
        days_late = np.round(1 + rng.gamma(2.0, 3.0, len(di)))
        self.emit(idx[di], when(dl), self.pick(self.delay_codes, np.ones(len(self.delay_codes)), len(di)),
                  event=V.EV_DELAY, response=days_late)
        shock(di, 1, "delay")
        np.add.at(dT[:, 1], di, -0.003 * days_late)

        # refund requests
        rf = rng.random(k) < act * 0.012
        ri = np.flatnonzero(rf)
        denied = rng.random(len(ri)) < 0.25 + 0.5 * (1 - qproc[ri])
        self.emit(idx[ri], when(rf), self.names.index(V.REFUND),
                  event=np.where(denied, V.EV_REFUND_DENIED, V.EV_REFUND),
                  response=np.round(1 + rng.exponential(5.0, len(ri)), 1),
                  value=np.round(self.revenue[idx[ri]] * rng.uniform(0.05, 0.3, len(ri)), 2))
        shock(ri[denied], 1, "refund_denied")
        shock(ri[~denied], 1, "refund")

        # outages: a few per provider channel and month, each hitting a share of its users at once
        units = self.P * self.C
        q_unit = self.q_plat.ravel()
        n_out = rng.poisson(0.35 * (1 - q_unit) / 0.4, units)
        first = np.concatenate([[0], np.cumsum(n_out)[:-1]])
        tot = int(n_out.sum())
        o_day = ms + rng.random(tot) * L
        o_share = rng.beta(2.0, 6.0, tot)
        unit = prov * self.C + self.chan[idx]
        cnt = n_out[unit]
        pick = first[unit] + np.floor(rng.random(k) * cnt).astype(np.int64)
        pick = np.minimum(pick, max(tot - 1, 0))
        hit = (cnt > 0) & (rng.random(k) < (o_share[pick] if tot else 0.0))
        if tot:
            hit &= (o_day[pick] >= a0) & (o_day[pick] < a1)
        hi = np.flatnonzero(hit)
        shock(hi, 2, "outage")
        rep = hi[rng.random(len(hi)) < 0.6 * eng[hi]]
        self.emit(idx[rep], o_day[pick[rep]] + rng.random(len(rep)) * 0.25,
                  self.outage_codes[self.chan[idx[rep]]], event=V.EV_OUTAGE)

        # praise from the delighted
        pr = rng.random(k) < act * 0.05 * np.clip((T[:, 0] - 0.55) / 0.4, 0, 1) ** 2
        pi = np.flatnonzero(pr)
        top = 10.0 if self.spec.praise_scale == V.NPS else 5.0
        self.emit(idx[pi], when(pr), self.praise_code, score=np.full(len(pi), top), event=V.EV_PRAISE)
        shock(pi, 0, "praise")

        # apply the month's experiences; ordinary contacts read the trust of mid-month
        T_mid = T + 0.5 * dT
        T = np.clip(T + dT, 0.01, 0.99)
        G = np.clip(G + dG, 0.02, 0.98)
        S += frac * 1.2 * np.clip((LOW_TRUST - T.min(axis=1)) / 0.25, 0, 1)

        # strain fades; past the threshold a customer tips and leaves some weeks later
        S *= STRAIN_DECAY
        new_tip = ~tipped & (S >= thr)
        tday = when(new_tip)
        leave = tday + 35 + rng.exponential(75.0, len(tday))
        other = ~tipped & ~new_tip & (rng.random(k) < frac * BASE_CHURN)
        oday = when(other)
        # some drift away without a word: they fall silent, then lapse months later
        quiet = ~tipped & ~new_tip & ~other & (rng.random(k) < frac * DRIFT_AWAY * (1.6 - T.mean(axis=1)))
        qday = when(quiet)
        lapse = qday + 45 + rng.exponential(60.0, len(qday))

        # the last straw: half of those who decide to leave have one last, unhappy contact
        # about the dimension they trust least
        last = np.flatnonzero(new_tip)[rng.random(int(new_tip.sum())) < 0.5]
        worst = T[last].argmin(axis=1)
        lname = np.where(worst == 0, self.pick(self.people_codes, self.people_w, len(last)),
                         self.pick(self.process_codes, self.process_w, len(last)))
        first_scored = np.array([codes[0] for codes in self.platform_codes])
        lname = np.where(worst == 2, first_scored[self.chan[idx[last]]], lname)
        lu = self.feel(T[last, worst] - 0.1)
        self.emit(idx[last], tday[np.searchsorted(np.flatnonzero(new_tip), last)], lname,
                  score=_to_score(lu, self.scale_of[lname], rng))

        # ordinary contacts at the relationship's own, fairly regular rhythm (gaps vary by
        # about half their mean); strain stretches the gaps, tipping all but stops them
        gap_scale = 1.0 / (self.rate[idx] * np.maximum(eng, 0.02) * self.density)
        stop = a1.copy()  # the day a customer decides to leave, contact all but stops
        stop[new_tip] = np.minimum(stop[new_tip], tday)
        stop[quiet] = np.minimum(stop[quiet], qday)
        stop[other] = np.minimum(stop[other], oday)
        nxt = np.maximum(self.next_contact[idx], a0)
        rows_l, days_l = [], []
        live = np.flatnonzero(nxt < stop)
        while len(live):
            rows_l.append(live)
            days_l.append(nxt[live])
            nxt[live] += gap_scale[live] * rng.gamma(RHYTHM_SHAPE, 1.0 / RHYTHM_SHAPE, len(live))
            live = live[nxt[live] < stop[live]]
        gone_quiet = np.flatnonzero(stop < a1)
        nxt[gone_quiet] = stop[gone_quiet] + rng.gamma(RHYTHM_SHAPE, 1.0 / RHYTHM_SHAPE, len(gone_quiet)) / (
            self.rate[idx[gone_quiet]] * TIPPED_ENGAGEMENT * self.density)
        self.next_contact[idx] = nxt
        rows = np.concatenate(rows_l) if rows_l else np.empty(0, np.int64)
        cday = np.concatenate(days_l) if days_l else np.empty(0)
        kc = len(rows)
        dim = np.searchsorted(np.cumsum(self.spec.dimension_mix), rng.random(kc) * sum(self.spec.dimension_mix),
                              side="right")
        dim = np.minimum(dim, 2)
        name = np.empty(kc, np.int64)
        sel = dim == 0
        name[sel] = self.pick(self.people_codes, self.people_w, int(sel.sum()))
        sel = dim == 1
        name[sel] = self.pick(self.process_codes, self.process_w, int(sel.sum()))
        ch = np.where(rng.random(kc) < 0.8, self.chan[idx[rows]], rng.integers(0, self.C, kc))
        for c in range(self.C):
            sel = (dim == 2) & (ch == c)
            name[sel] = self.pick(self.platform_codes[c], self.platform_w[c], int(sel.sum()))
        u = self.feel(T_mid[rows, dim])
        scale = self.scale_of[name]
        answered = (scale >= 0) & self.respond(u, 0.4, 0.8)
        score = np.where(answered, _to_score(u, scale, rng), np.nan)
        value = np.full(kc, np.nan)
        billing = name == self.names.index("billing")
        per_bill = 12.0 if self.spec.name == "subscription" else 1.0
        value[billing] = np.round(self.revenue[idx[rows[billing]]] / per_bill, 2)
        self.emit(idx[rows], cday, name, score=score, value=value)

        if m < self.M:
            self.surveys(m, idx, a0, a1, T_mid, eng)

        self.trust[idx] = T
        self.target[idx] = G
        self.strain[idx] = S
        self.tip[idx[new_tip]] = tday
        self.churn[idx[new_tip]] = leave
        self.tip[idx[other]] = oday
        self.churn[idx[other]] = oday
        self.tip[idx[quiet]] = qday
        self.churn[idx[quiet]] = lapse

        # who leaves this month: cancellation rows; their referees feel it
        gone = np.flatnonzero((self.churn[:n] >= ms) & (self.churn[:n] < me))
        self.emit(gone, self.churn[gone], self.names.index(V.CANCELLATION), event=V.EV_CHURNED)
        if len(gone):
            left = np.zeros(n, bool)
            left[gone] = True
            par = self.parent[:n]
            kids = np.flatnonzero((par >= 0) & left[np.maximum(par, 0)] & (self.churn[:n] > me) & (self.join[:n] < me))
            d, g, s = SHOCK["advocate_left"]
            self.trust[kids, 0] = np.clip(self.trust[kids, 0] + d, 0.01, 0.99)
            self.target[kids, 0] = np.clip(self.target[kids, 0] + g, 0.02, 0.98)
            self.strain[kids] += s

        if m < self.M:
            self.referrals(idx, a0, span, frac, T, quota, m)

    def surveys(self, m: int, idx: np.ndarray, a0: np.ndarray, a1: np.ndarray, T_mid: np.ndarray,
                eng: np.ndarray) -> None:
        """Welcome CSAT survey after joining, quarterly NPS waves; only answers are exported.

        Invitations and answers are counted per customer (``truth/surveys.csv``): an
        unanswered invitation is no contact, so it stays out of the touchpoints.
        """
        rng, L = self.rng, self.L
        ms = m * L
        weights = np.array([0.4, 0.35, 0.25])
        gone = eng <= TIPPED_ENGAGEMENT  # who decided to leave answers no survey; the others do,
        # the delighted and the furious most often
        first = np.flatnonzero(~self.welcomed[idx] & (self.join[idx] >= 0))
        self.welcomed[idx] = True
        new = first[rng.random(len(first)) < 0.7]
        day = a0[new] + 3 + rng.exponential(4.0, len(new))
        ok = day < a1[new]
        new, day = new[ok], day[ok]
        u = self.feel(T_mid[new] @ weights)
        ans = self.respond(u, 0.15, 0.6) & (rng.random(len(u)) < np.where(gone[new], TIPPED_ENGAGEMENT, 1.0))
        self.invited[idx[new]] += 1
        self.answered[idx[new[ans]]] += 1
        self.emit(idx[new[ans]], day[ans], self.names.index(self.spec.welcome_survey),
                  score=_to_score(u[ans], np.full(int(ans.sum()), V.CSAT), rng))
        if m % 3 != 1:
            return
        wave = ms + 5 + rng.random() * 3
        inv = np.flatnonzero((a0 <= wave) & (a1 > wave) & (rng.random(len(idx)) < 0.5))
        u = self.feel(T_mid[inv] @ weights)
        ans = self.respond(u, 0.1, 0.55) & (rng.random(len(u)) < np.where(gone[inv], TIPPED_ENGAGEMENT, 1.0))
        day = wave + rng.exponential(1.5, len(inv))
        ok = day < a1[inv]
        ans &= ok
        self.invited[idx[inv]] += 1
        self.answered[idx[inv[ans]]] += 1
        self.emit(idx[inv[ans]], day[ans], self.names.index(V.NPS_SURVEY),
                  score=_to_score(u[ans], np.full(int(ans.sum()), V.NPS), rng))

    def referrals(self, idx: np.ndarray, a0: np.ndarray, span: np.ndarray, frac: np.ndarray, T: np.ndarray,
                  quota: int | None, m: int) -> None:
        rng, spec = self.rng, self.spec
        ok = ~np.isfinite(self.tip[idx]) & (self.prop[idx] > 0)
        gate = _sigmoid((0.6 * T[:, 0] + 0.4 * T[:, 1] - 0.6) / 0.06)
        lam = np.where(ok, spec.referral_rate * self.prop[idx] * frac * gate, 0.0)
        cnt = rng.poisson(lam)
        rows = np.repeat(np.arange(len(idx)), cnt)
        kr = len(rows)
        day = a0[rows] + rng.random(kr) * span[rows]
        shares = np.array([c[1] for c in spec.referral_channels])
        channel = np.minimum(np.searchsorted(np.cumsum(shares) / shares.sum(), rng.random(kr), side="right"),
                             len(shares) - 1)
        a = np.array([c[2] for c in spec.referral_channels])[channel]
        b = np.array([c[3] for c in spec.referral_channels])[channel]
        tie = rng.beta(a, b)
        adv = T[rows]
        p_conv = _sigmoid(-0.2 + 4.0 * (tie - 0.5) + 5.0 * (adv[:, 0] - 0.6))
        decided = day + 0.2 + rng.exponential(6.0, kr)
        pending = decided >= self.D
        conv = ~pending & (rng.random(kr) < p_conv)
        room = self.N - self.n
        ci = np.flatnonzero(conv)
        if len(ci) > room:
            drop = rng.choice(ci, len(ci) - room, replace=False)
            keep = np.ones(kr, bool)
            keep[drop] = False
            rows, day, channel, tie = rows[keep], day[keep], channel[keep], tie[keep]
            adv, decided, pending, conv = adv[keep], decided[keep], pending[keep], conv[keep]
            kr = len(rows)
        ci = np.flatnonzero(conv)
        referrer = idx[rows]
        referred = np.empty(kr, np.int64)
        t_tie, t_adv = tie[ci], adv[ci]

        def start_trust(target: np.ndarray) -> np.ndarray:
            base = 0.55 + 0.4 * (target - 0.55)
            out = 0.45 * t_adv + 0.55 * base
            out[:, 0] = 0.45 * t_adv[:, 0] + 0.3 * t_tie + 0.25 * target[:, 0]
            return out + rng.normal(0.0, 0.05, out.shape)

        referred[ci] = self.add_customers(self.prov[referrer[ci]], decided[ci], referrer[ci], start_trust)
        others = np.flatnonzero(~conv)
        referred[others] = self.N + self.n_prospects + np.arange(len(others))
        self.n_prospects += len(others)
        self.refs.append((referrer, referred, day, conv, pending, np.where(conv, decided, np.nan), channel))
        # organic arrivals fill the month's quota
        if quota is not None:
            o = max(0, min(quota - self.n, self.N - self.n))
            if m == self.M - 1:
                o = self.N - self.n
            if o:
                provs = rng.choice(self.P, o, p=self.popularity)
                self.add_customers(provs, m * self.L + rng.random(o) * self.L, None,
                                   lambda tg: 0.55 + 0.4 * (tg - 0.55) + rng.normal(0.0, 0.08, tg.shape))


def simulate(spec: V.KindSpec, *, customers: int, providers: int, months: int, end_day: float,
             provider_names: list[str], provider_revenue: np.ndarray, density: float,
             rng: np.random.Generator,
             progress: Callable[[str, int, int], None] | None = None) -> Simulation:
    """Run the world month by month and return its raw arrays.

    Customers, referrals and touchpoints all come from ``rng``: the same generator state gives the
    same world.

    Examples
    --------
    >>> import numpy as np
    >>> from trustnet.datasets._vocab import KINDS
    >>> sim = simulate(KINDS["home-services"], customers=100, providers=1, months=6, end_day=181.0,
    ...                provider_names=["Tiles"], provider_revenue=np.array([1.0]), density=1.0,
    ...                rng=np.random.default_rng(1))
    >>> len(sim.join), bool((sim.parent >= 0).any()), bool((sim.ref_day <= 181.0).all())
    (100, True, True)
    """
    sim = _Sim(spec, customers, providers, months, end_day, density, rng, provider_names, provider_revenue)
    n0 = int(round(spec.base_share * customers))
    provs = rng.choice(providers, n0, p=sim.popularity)
    sim.add_customers(provs, -rng.random(n0) * 720.0, None,
                      lambda tg: tg + rng.normal(0.0, 0.05, tg.shape))
    w = 1 + 0.8 * np.arange(months) / max(months - 1, 1)
    quotas = n0 + np.round((customers - n0) * np.cumsum(w) / w.sum()).astype(np.int64)
    trust_end = np.zeros((customers, 3))  # hidden state at the export's end (months >= 1 always)
    pressure_end = np.zeros(customers)
    total = months + 3
    for m in range(total):
        sim.month(m, int(quotas[m]) if m < months else None)
        if m == months - 1:
            trust_end = sim.trust.copy()
            pressure_end = sim.strain / np.maximum(sim.thr, 1e-9)
        if progress is not None:
            progress("generate", m + 1, total)
    D = end_day
    # one column at a time, dropping the monthly chunks as we go, to keep the peak low
    chunks = [list(col) for col in zip(*sim.tp)] if sim.tp else [[np.empty(0)] for _ in range(7)]
    sim.tp.clear()
    tp_arrays = []
    for i in range(7):
        tp_arrays.append(np.concatenate(chunks[i]))
        chunks[i] = []
    refs = [np.concatenate(col) for col in zip(*sim.refs)] if sim.refs else [np.empty(0)] * 7
    return Simulation(
        spec=spec, end_day=D, provider_names=provider_names, quality=sim.q,
        provider=sim.prov, join=sim.join, parent=sim.parent, depth=sim.depth, churn=sim.churn, tip=sim.tip,
        revenue=sim.revenue, trust_end=trust_end, pressure_end=pressure_end, invited=sim.invited, answered=sim.answered,
        ref_referrer=refs[0].astype(np.int64), ref_referred=refs[1].astype(np.int64), ref_day=refs[2],
        ref_converted=refs[3].astype(bool), ref_pending=refs[4].astype(bool), ref_decided=refs[5],
        ref_channel=refs[6].astype(np.int64), n_prospects=sim.n_prospects,
        tp_customer=tp_arrays[0], tp_day=tp_arrays[1], tp_name=tp_arrays[2], tp_score=tp_arrays[3],
        tp_scale=sim.scale_of.astype(np.int8)[tp_arrays[2]], tp_event=tp_arrays[4], tp_response=tp_arrays[5],
        tp_value=tp_arrays[6], names=sim.names,
    )
