"""Demo worlds with known truth: :func:`generate`, :class:`World`, :func:`read_world`."""

from __future__ import annotations

import gzip
import io
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .. import schema
from ..errors import InputError, OutputError
from . import _vocab as V
from ._simulate import Simulation, simulate

__all__ = [
    "World", "generate", "read_world", "describe_world",
    "ADVOCATE", "DOWNSTREAM_VALUE", "DOWNSTREAM_CUSTOMERS", "CHURNED_WITHIN_90D", "KINDS",
]

#: Columns of the truth tables (``truth/trust.csv`` uses ``schema`` names).
ADVOCATE = "advocate"
DOWNSTREAM_VALUE = "downstream_value"
DOWNSTREAM_CUSTOMERS = "downstream_customers"
CHURNED_WITHIN_90D = "churned_within_90d"
SURVEYS_INVITED = "invited"
SURVEYS_ANSWERED = "answered"
KINDS = tuple(V.KINDS)

#: Columns written to ``referrals.csv`` / ``touchpoints.csv`` whenever present.
REFERRAL_FILE_COLUMNS = (schema.REFERRER, schema.REFERRED, schema.PROVIDER, schema.REFERRED_AT,
                         schema.STATUS, schema.REVENUE, schema.CHANNEL, schema.CONVERTED_AT)
TOUCHPOINT_FILE_COLUMNS = (schema.CUSTOMER, schema.PROVIDER, schema.AT, schema.TOUCHPOINT, schema.SCORE,
                           schema.SCALE, schema.EVENT, schema.RESPONSE_DAYS, schema.VALUE)
_DATES = {schema.REFERRED_AT, schema.CONVERTED_AT, schema.AT}
_FLOATS = {schema.REVENUE, schema.SCORE, schema.RESPONSE_DAYS, schema.VALUE}


def _stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream per purpose, so adding one never changes the others."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


@dataclass(frozen=True)
class World:
    """A generated (or bundled) world: the exported tables and the hidden truth.

    Attributes
    ----------
    referrals, touchpoints : pandas.DataFrame
        The canonical tables of CONTRIBUTING.md "Data contracts": every column of
        ``schema.REFERRAL_COLUMNS`` / ``schema.TOUCHPOINT_COLUMNS`` plus ``source_line``
        (the line the row has in the written CSV file).
    truth : dict of str to pandas.DataFrame
        ``trust`` (customer, provider, people, process, platform: hidden trust at the export's
        end), ``advocates`` (advocate, downstream_value, downstream_customers), ``churn``
        (customer, provider, churned_within_90d for every live relationship at the end),
        ``providers`` (each provider's hidden quality per dimension) and ``surveys`` (customer,
        provider, invited, answered: survey invitations, whose unanswered ones are not
        exported); ``fraud`` (referrer,
        referred, fraudulent, scheme) when fraud was planted.
    info : dict
        How the world was made: kind, seed, customers, providers, start, months, ``as_of``
        (the export's last day; no event after it is exported).

    Examples
    --------
    >>> w = generate(300, seed=1)
    >>> sorted(w.truth)
    ['advocates', 'churn', 'providers', 'surveys', 'trust']
    >>> len(w.truth["trust"])
    300
    """

    referrals: pd.DataFrame
    touchpoints: pd.DataFrame
    truth: dict[str, pd.DataFrame] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)

    def write(self, path: str | Path, *, compress: bool = False, overwrite: bool = False) -> Path:
        """Write ``referrals.csv``, ``touchpoints.csv``, ``truth/*.csv`` and ``world.json`` into ``path``.

        Parameters
        ----------
        path : str or Path
            Folder to write into; created when missing.
        compress : bool
            Write ``touchpoints.csv.gz`` instead of ``touchpoints.csv`` (gzip without a
            timestamp, so the bytes stay identical from run to run).
        overwrite : bool
            Replace the files of an earlier world in ``path``; without it a folder that
            already holds a ``referrals.csv`` is an error.

        Returns
        -------
        Path
            The folder written.

        Examples
        --------
        >>> import tempfile, os
        >>> with tempfile.TemporaryDirectory() as d:
        ...     out = generate(200, seed=3).write(d)
        ...     sorted(os.listdir(out)), sorted(os.listdir(out / "truth"))
        (['referrals.csv', 'touchpoints.csv', 'truth', 'world.json'], ['advocates.csv', 'churn.csv', 'providers.csv', 'surveys.csv', 'trust.csv'])
        """
        out = Path(path)
        if out.exists() and not out.is_dir():
            raise OutputError(f"cannot write a world to {out}: it is a file, not a folder; choose another -o path")
        if (out / "referrals.csv").exists() and not overwrite:
            raise OutputError(f"{out} already holds a world (referrals.csv); pass --force (overwrite=True) "
                              "to replace it or choose another folder")
        try:
            (out / "truth").mkdir(parents=True, exist_ok=True)
            _write_csv(self.referrals, out / "referrals.csv", REFERRAL_FILE_COLUMNS, schema.REFERRAL_COLUMNS)
            tp_name = "touchpoints.csv.gz" if compress else "touchpoints.csv"
            for stale in ("touchpoints.csv", "touchpoints.csv.gz"):
                if stale != tp_name and (out / stale).exists() and overwrite:
                    (out / stale).unlink()
            _write_csv(self.touchpoints, out / tp_name, TOUCHPOINT_FILE_COLUMNS, schema.TOUCHPOINT_COLUMNS,
                       compress=compress)
            for name, table in self.truth.items():
                _write_csv(table, out / "truth" / f"{name}.csv", tuple(table.columns), ())
            (out / "world.json").write_text(json.dumps(self.info, indent=2, sort_keys=True) + "\n",
                                            encoding="utf-8")
        except OSError as err:
            raise OutputError(f"cannot write the world to {out}: {err}") from err
        return out


def _write_csv(df: pd.DataFrame, path: Path, first: tuple[str, ...], optional: tuple[str, ...],
               compress: bool = False) -> None:
    """Write the columns of ``first`` plus any non-empty column of ``optional``, fast and byte-stable.

    Text is written unquoted (our ids and names hold no commas) and quoted only when a
    value needs it; dates as ``2024-03-05T14:22:00``; the file is streamed in batches so
    memory stays flat; gzip is written without a timestamp.
    """
    cols = [c for c in first if c in df.columns]
    cols += [c for c in optional if c not in cols and c in df.columns and df[c].notna().any()]
    header = (",".join(cols) + "\n").encode()
    plain = pacsv.WriteOptions(include_header=False, quoting_style="none")
    quoted = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    with open(path, "wb") as raw:
        sink = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) if compress else raw
        try:
            sink.write(header)
            step = 500_000
            for lo in range(0, len(df), step):
                part = pa.Table.from_pandas(df.iloc[lo: lo + step][cols], preserve_index=False)
                # timestamp -> "2024-03-05 14:22:07" -> ISO "2024-03-05T14:22:07" (10x faster than strftime)
                arrays = [pc.replace_substring(col.cast(pa.timestamp("s")).cast(pa.string()), " ", "T",
                                               max_replacements=1)
                          if pa.types.is_timestamp(col.type) else col for col in part.columns]
                table = pa.table(arrays, names=cols)
                buf = io.BytesIO()
                try:
                    pacsv.write_csv(table, buf, plain)
                except pa.ArrowInvalid:  # a value holds a comma, quote or line break
                    buf = io.BytesIO()
                    pacsv.write_csv(table, buf, quoted)
                sink.write(buf.getvalue())
        finally:
            if compress:
                sink.close()


# ---------------------------------------------------------------------------- generate
def _check(customers: int, providers: int | None, months: int, kind: str, density: float,
           start: str) -> tuple[V.KindSpec, int, pd.Timestamp]:
    problems = []
    if kind not in V.KINDS:
        raise InputError(f"unknown kind of world {kind!r}; choose one of {', '.join(KINDS)}")
    spec = V.KINDS[kind]
    if isinstance(customers, bool) or not isinstance(customers, (int, np.integer)) or customers < 10:
        problems.append(f"customers must be a whole number of at least 10, got {customers!r}")
    if providers is None:
        providers = max(1, -(-int(customers) // spec.customers_per_provider)) if spec.customers_per_provider else 1
    if isinstance(providers, bool) or not isinstance(providers, (int, np.integer)) or providers < 1:
        problems.append(f"providers must be a whole number of at least 1, got {providers!r}")
    elif not problems and providers > customers:
        problems.append(f"providers ({providers}) cannot exceed customers ({customers})")
    if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or not 3 <= months <= 240:
        problems.append(f"months must be a whole number from 3 to 240, got {months!r}")
    if not isinstance(density, (int, float)) or not 0 < density <= 20:
        problems.append(f"density must be a number above 0 and at most 20, got {density!r}")
    try:
        ts = pd.Timestamp(start).normalize()
    except (ValueError, TypeError):
        problems.append(f"start must be a date such as 2024-01-01, got {start!r}")
        ts = pd.Timestamp("2024-01-01")
    if problems:
        raise InputError("cannot generate this world: " + "; ".join(problems), problems=problems)
    return spec, int(providers), ts


def _providers(spec: V.KindSpec, P: int, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    if spec.name == "subscription":
        brands = [V.BRANDS[i] for i in rng.permutation(len(V.BRANDS))]
        if P <= len(brands):
            names = brands[:P]
        else:
            combos = [f"{b} {t}" for b in brands for t in V.TOWNS]
            if P > len(combos):
                raise InputError(f"providers must be at most {len(combos)} for a subscription world, got {P}")
            names = [combos[i] for i in np.sort(rng.choice(len(combos), P, replace=False))]
        return names, np.full(P, spec.revenue_median)
    nf, nt = len(V.FIRST_NAMES), len(V.TRADES)
    total = nf * nt if P <= nf * nt else nf * nt * len(V.TOWNS)
    if P > total:
        raise InputError(f"providers must be at most {total} for a home-services world, got {P}")
    pick = rng.choice(total, P, replace=False)
    first, trade = pick % nf, (pick // nf) % nt
    town = pick // (nf * nt)
    names = [f"{V.FIRST_NAMES[f]}'s {V.TRADES[t][0]}" + (f" ({V.TOWNS[w]})" if total > nf * nt else "")
             for f, t, w in zip(first, trade, town)]
    revenue = np.array([V.TRADES[t][1] for t in trade], float) * spec.revenue_median / 650.0
    return names, revenue


def generate(customers: int = 2000, providers: int | None = None, *, seed: int = 0,
             start: str = "2024-01-01", months: int = 24, kind: str = "home-services",
             density: float = 1.0, fraud: float | int | None = None,
             progress: Callable[[str, int, int], None] | None = None) -> World:
    """Generate a realistic referral world whose hidden truth is known.

    Providers differ in hidden quality; customers hold a hidden trust per dimension
    (people, process, platform) that moves with experience; advocates refer at a
    heavy-tailed rate and referred customers refer on, several levels deep; surveys,
    complaints, outages, delays and silences are noisy readings of the hidden state;
    churn comes through a tipping point. See ``datasets/home-services/README.md``.

    Parameters
    ----------
    customers : int
        Number of customers (people who bought); referred people who declined or are
        still pending come on top.
    providers : int, optional
        Number of providers. Default: one per 80 customers for ``home-services``, one
        brand for ``subscription``.
    seed : int
        Same seed, same world (byte-identical files); each part of the world draws from
        its own stream, so options added later leave the rest unchanged.
    start : str
        First day of the export (ISO date).
    months : int
        Length of the export; the truth about churn looks 90 days past its end.
    kind : {"home-services", "subscription"}
        Tradespeople as providers, or one brand reached through app, web and phone.
    density : float
        Multiplies the rate of ordinary contacts (1 = the realistic default).
    fraud : float or int, optional
        Plant referral fraud (self-referrals under new e-mails, rings, farms): a share of
        the referrals (0.05) or a number of them (200); every person then gets a name, an
        e-mail and a device fingerprint, and ``truth["fraud"]`` says which referrals are
        fraudulent (see :func:`trustnet.datasets._fraud.plant_fraud`). Default: none.
    progress : callable, optional
        Called as ``progress("generate", month_done, months_total)``.

    Returns
    -------
    World
        ``.referrals``, ``.touchpoints`` (canonical tables), ``.truth`` (dict of tables),
        ``.info`` and ``.write(folder)``.

    Examples
    --------
    >>> w = generate(500, seed=7)
    >>> w.referrals.columns[:4].tolist()
    ['referrer', 'referred', 'provider', 'referred_at']
    >>> w.info["as_of"]
    '2025-12-31'
    >>> bool(w.touchpoints["at"].max() <= pd.Timestamp("2026-01-01"))
    True
    >>> generate(500, seed=7).referrals.equals(w.referrals)
    True
    """
    spec, P, start_ts = _check(customers, providers, months, kind, density, start)
    customers = int(customers)
    end_ts = start_ts + pd.DateOffset(months=int(months))
    end_day = float((end_ts - start_ts).days)
    names, prov_revenue = _providers(spec, P, _stream(seed, "providers"))
    sim = simulate(spec, customers=customers, providers=P, months=int(months), end_day=end_day,
                   provider_names=names, provider_revenue=prov_revenue, density=float(density),
                   rng=_stream(seed, "world"), progress=progress)
    info = {
        "kind": spec.name, "seed": int(seed), "customers": customers, "providers": P,
        "start": start_ts.strftime("%Y-%m-%d"), "months": int(months),
        "as_of": (end_ts - pd.Timedelta(days=1)).strftime("%Y-%m-%d"), "density": float(density),
        "generator": "trustnet.datasets.generate",
    }
    world = _assemble(sim, start_ts, _stream(seed, "ids"), info)
    if fraud is not None:
        from ._fraud import with_fraud  # fraud planting lives in its own module (issue 12)

        world = with_fraud(world, fraud, _stream(seed, "fraud"))
    return world


# ---------------------------------------------------------------------------- assembly
def _str_series(arr: pa.Array | pa.ChunkedArray) -> pd.Series:
    return pd.Series(arr.to_pandas(types_mapper={pa.string(): pd.StringDtype(na_value=np.nan)}.get),
                     dtype="str")


def _times(start: pd.Timestamp, days: np.ndarray) -> np.ndarray:
    """Float days since start -> datetime64[ns], with times of day in business hours."""
    whole = np.floor(days)
    part = days - whole  # in place from here: floor(whole * 86400 + (8 + 12 * part) * 3600)
    part *= 12
    part += 8
    part *= 3_600
    whole *= 86_400
    whole += part
    del part
    secs = np.floor(whole, out=whole)
    out = np.full(len(days), np.datetime64("NaT"), "datetime64[ns]")
    ok = np.isfinite(secs)
    base = np.datetime64(start.strftime("%Y-%m-%dT%H:%M:%S"), "s")
    out[ok] = (base + secs[ok].astype(np.int64)).astype("datetime64[ns]")
    return out


def _ids(n: int, rng: np.random.Generator) -> pa.Array:
    width = max(6, len(str(n)))
    num = pa.array(rng.permutation(n) + 1).cast(pa.string())
    return pc.binary_join_element_wise("C", pc.utf8_lpad(num, width=width, padding="0"), "")


def _na_str(n: int) -> pd.Series:
    return _str_series(pa.nulls(n, pa.string()))


def _assemble(sim: Simulation, start: pd.Timestamp, rng: np.random.Generator, info: dict) -> World:
    N = len(sim.provider)
    ids = _ids(N + sim.n_prospects, rng)
    prov_names = pa.array(sim.provider_names)
    D = sim.end_day

    # referrals ------------------------------------------------------------
    order = np.argsort(sim.ref_day, kind="stable")
    rr, rd = sim.ref_referrer[order], sim.ref_referred[order]
    conv, pend = sim.ref_converted[order], sim.ref_pending[order]
    churned = np.zeros(len(rd), bool)
    churned[conv] = sim.churn[rd[conv]] < D
    status_code = np.where(pend, 0, np.where(conv, np.where(churned, 3, 1), 2))
    statuses = pa.array(list(schema.STATUSES))  # pending, converted, declined, churned
    channels = pa.array([c[0] for c in sim.spec.referral_channels])
    k = len(rr)
    ref = pd.DataFrame({
        schema.REFERRER: _str_series(ids.take(pa.array(rr))),
        schema.REFERRED: _str_series(ids.take(pa.array(rd))),
        schema.PROVIDER: _str_series(prov_names.take(pa.array(sim.provider[rr]))),
        schema.REFERRED_AT: _times(start, sim.ref_day[order]),
        schema.STATUS: _str_series(statuses.take(pa.array(status_code))),
        schema.REVENUE: np.where(conv, sim.revenue[np.where(conv, rd, 0)], np.nan),
        schema.CHANNEL: _str_series(channels.take(pa.array(sim.ref_channel[order]))),
        schema.CONVERTED_AT: _times(start, sim.ref_decided[order]),
    })
    for col in schema.REFERRAL_COLUMNS:
        if col not in ref.columns:
            ref[col] = _na_str(k)
    ref = ref[list(schema.REFERRAL_COLUMNS)]
    ref[schema.SOURCE_LINE] = np.arange(2, k + 2, dtype=np.int64)

    # touchpoints ----------------------------------------------------------
    # each raw column is dropped from ``sim`` once sorted, and the frame shares the sorted
    # arrays (copy=False): at a million customers this halves the peak memory
    at = _times(start, sim.tp_day)
    setattr(sim, "tp_day", None)  # released: the sorted copy is all that is needed
    order = np.lexsort((sim.tp_customer, at.astype(np.int64)))
    at = at[order]

    def sorted_column(name: str) -> np.ndarray:
        out = getattr(sim, name)[order]
        setattr(sim, name, None)
        return out

    cust = sorted_column("tp_customer")
    m = len(cust)
    cols: dict[str, Any] = {
        schema.CUSTOMER: _str_series(ids.take(pa.array(cust))),
        schema.PROVIDER: _str_series(prov_names.take(pa.array(sim.provider.astype(np.int32)[cust]))),
        schema.AT: at,
    }
    del cust
    cols[schema.TOUCHPOINT] = _str_series(pa.array(list(sim.names)).take(pa.array(sorted_column("tp_name"))))
    empty = _na_str(m)  # one all-NA text column, shared by dimension and comment
    cols[schema.DIMENSION] = empty
    score = sorted_column("tp_score").astype(np.float64)
    cols[schema.SCORE] = score
    scale = np.where(np.isnan(score), -1, sorted_column("tp_scale"))
    cols[schema.SCALE] = _str_series(pa.array(list(V.SCALE_NAMES)).take(
        pa.array(np.where(scale < 0, 0, scale), mask=scale < 0)))
    event = sorted_column("tp_event")
    cols[schema.EVENT] = _str_series(pa.array(list(V.EVENT_NAMES)).take(
        pa.array(np.where(event < 0, 0, event), mask=event < 0)))
    del scale, event
    cols[schema.RESPONSE_DAYS] = np.round(sorted_column("tp_response").astype(np.float64), 1)
    cols[schema.VALUE] = sorted_column("tp_value")
    cols[schema.COMMENT] = empty.copy(deep=False)
    del order
    tp = pd.DataFrame(cols, copy=False)
    del cols
    tp[schema.SOURCE_LINE] = np.arange(2, m + 2, dtype=np.int64)

    # truth ----------------------------------------------------------------
    cust_ids = ids.slice(0, N)
    by_id = np.argsort(np.asarray(pc.cast(pc.utf8_slice_codeunits(cust_ids, 1), pa.int64())), kind="stable")
    cust_col = _str_series(cust_ids.take(pa.array(by_id)))
    prov_col = _str_series(prov_names.take(pa.array(sim.provider[by_id])))
    trust = pd.DataFrame({schema.CUSTOMER: cust_col, schema.PROVIDER: prov_col})
    for j, dim in enumerate(schema.DIMENSIONS):
        trust[dim] = np.round(sim.trust_end[by_id, j], 4)

    live = sim.churn[by_id] >= D
    churn = pd.DataFrame({
        schema.CUSTOMER: cust_col[live].reset_index(drop=True),
        schema.PROVIDER: prov_col[live].reset_index(drop=True),
        CHURNED_WITHIN_90D: (sim.churn[by_id][live] <= D + 90).astype(np.int64),
    })

    count = np.zeros(N, np.int64)
    value = np.zeros(N)
    for d in range(int(sim.depth.max()), 0, -1):
        nodes = np.flatnonzero(sim.depth == d)
        np.add.at(count, sim.parent[nodes], count[nodes] + 1)
        np.add.at(value, sim.parent[nodes], value[nodes] + sim.revenue[nodes])
    adv = np.unique(sim.ref_referrer)
    adv = adv[np.argsort(np.asarray(pc.cast(pc.utf8_slice_codeunits(ids.take(pa.array(adv)), 1), pa.int64())),
                         kind="stable")]
    advocates = pd.DataFrame({
        ADVOCATE: _str_series(ids.take(pa.array(adv))),
        DOWNSTREAM_VALUE: np.round(value[adv], 2),
        DOWNSTREAM_CUSTOMERS: count[adv],
    })
    surveys = pd.DataFrame({
        schema.CUSTOMER: cust_col, schema.PROVIDER: prov_col,
        SURVEYS_INVITED: sim.invited[by_id], SURVEYS_ANSWERED: sim.answered[by_id],
    })
    surveys = surveys[surveys[SURVEYS_INVITED] > 0].reset_index(drop=True)
    quality = pd.DataFrame({schema.PROVIDER: pd.Series(sim.provider_names, dtype="str")})
    for j, dim in enumerate(schema.DIMENSIONS):
        quality[dim] = np.round(sim.quality[:, j], 4)
    truth = {"trust": trust, "advocates": advocates, "churn": churn, "providers": quality, "surveys": surveys}
    return World(referrals=ref, touchpoints=tp, truth=truth, info=info)


# ---------------------------------------------------------------------------- reading
def _find(folder: Path, stem: str) -> Path | None:
    for name in (f"{stem}.csv", f"{stem}.csv.gz"):
        if (folder / name).exists():
            return folder / name
    return None


def _canonical(df: pd.DataFrame, columns: tuple[str, ...], where: Path) -> pd.DataFrame:
    out = pd.DataFrame(index=pd.RangeIndex(len(df)))
    for col in columns:
        if col not in df.columns:
            out[col] = np.nan if col in _FLOATS else _na_str(len(df))
            if col in _DATES:
                out[col] = pd.Series(np.full(len(df), np.datetime64("NaT"), "datetime64[ns]"))
            continue
        s = df[col]
        if col in _DATES:
            try:
                out[col] = pd.to_datetime(s, format="ISO8601").astype("datetime64[ns]")
            except (ValueError, TypeError) as err:
                raise InputError(f"{where}: column {col!r} holds values that are not ISO dates ({err}); "
                                 "write dates as 2024-03-05T14:22:00") from err
        elif col in _FLOATS:
            out[col] = pd.to_numeric(s, errors="raise").astype("float64")
        else:
            out[col] = s.astype("str")
    out[schema.SOURCE_LINE] = np.arange(2, len(df) + 2, dtype=np.int64)
    return out


def read_world(path: str | Path) -> World:
    """Read a world written by :meth:`World.write` (or a bundled demo) back into canonical tables.

    Parameters
    ----------
    path : str or Path
        The folder holding ``referrals.csv`` and, when present, ``touchpoints.csv[.gz]``,
        ``truth/*.csv`` and ``world.json``.

    Returns
    -------
    World

    Examples
    --------
    >>> import tempfile
    >>> w = generate(200, seed=5)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     back = read_world(w.write(d))
    >>> back.referrals.equals(w.referrals), back.touchpoints.equals(w.touchpoints)
    (True, True)
    >>> back.truth["trust"].equals(w.truth["trust"])
    True
    """
    folder = Path(path)
    ref_path = _find(folder, "referrals")
    if ref_path is None:
        found = ", ".join(sorted(p.name for p in folder.iterdir())) if folder.is_dir() else "no such folder"
        raise InputError(f"{folder} holds no referrals.csv (found: {found or 'nothing'}); "
                         "point to a folder written by `trustnet generate`")
    str_cols = {c: "str" for c in (*schema.REFERRAL_COLUMNS, *schema.TOUCHPOINT_COLUMNS)
                if c not in _FLOATS and c not in _DATES}
    refs = _canonical(pd.read_csv(ref_path, dtype=str_cols), schema.REFERRAL_COLUMNS, ref_path)
    tp_path = _find(folder, "touchpoints")
    if tp_path is not None:
        tps = _canonical(pd.read_csv(tp_path, dtype=str_cols), schema.TOUCHPOINT_COLUMNS, tp_path)
    else:
        tps = _canonical(pd.DataFrame(), schema.TOUCHPOINT_COLUMNS, folder / "touchpoints.csv")
    truth = {}
    if (folder / "truth").is_dir():
        for p in sorted((folder / "truth").glob("*.csv")):
            truth[p.stem] = pd.read_csv(p, dtype={schema.CUSTOMER: "str", schema.PROVIDER: "str",
                                                   ADVOCATE: "str"})
    info = {}
    if (folder / "world.json").exists():
        info = json.loads((folder / "world.json").read_text(encoding="utf-8"))
    return World(referrals=refs, touchpoints=tps, truth=truth, info=info)


# ---------------------------------------------------------------------------- statistics
def _depths(referrals: pd.DataFrame) -> pd.Series:
    """Cascade depth of every referred customer on the first-touch forest of converted referrals.

    Each customer's parent is the referrer of their first converted referral; depth grows
    level by level from the roots (people nobody referred). Customers whose chain of first
    referrals loops back on itself (a referral ring) reach no root and are left out.

    >>> t = pd.Timestamp("2024-01-01")
    >>> refs = pd.DataFrame({"referrer": ["A", "B", "X", "Y", "Z"], "referred": ["B", "C", "Y", "Z", "X"],
    ...                      "status": "converted", "referred_at": [t] * 5})
    >>> _depths(refs).to_dict()
    {'B': 1, 'C': 2}
    """
    won = referrals[referrals[schema.STATUS].isin([schema.CONVERTED, schema.CHURNED])]
    won = won.sort_values(schema.REFERRED_AT, kind="stable").drop_duplicates(schema.REFERRED)
    people = pd.Index(pd.unique(pd.concat([won[schema.REFERRER], won[schema.REFERRED]])))
    parent = np.full(len(people), -1, np.int64)
    parent[people.get_indexer(won[schema.REFERRED])] = people.get_indexer(won[schema.REFERRER])
    depth = np.where(parent < 0, 0, -1)
    for level in range(1, len(people) + 1):  # one pass per level; stops when no one is added
        reached = (depth < 0) & (depth[np.maximum(parent, 0)] == level - 1) & (parent >= 0)
        if not reached.any():
            break
        depth[reached] = level
    out = pd.Series(depth, index=people)[won[schema.REFERRED]]
    return out[out > 0]


def describe_world(world: World) -> dict[str, float]:
    """The statistics a dataset README states, computed from the exported tables and truth.

    Parameters
    ----------
    world : World

    Returns
    -------
    dict
        ``customers``, ``providers``, ``referrals``, ``advocates``, ``conversion_rate``
        (converted or later churned, of the decided referrals), ``referred_share`` (customers
        acquired by referral), ``top1pct_share`` (referrals made by the busiest 1% of
        advocates), ``one_off_share`` (advocates with one referral), ``max_referrals``,
        ``max_depth`` and ``depth3_share`` (referred customers three or more levels deep),
        ``touchpoints_per_customer``, ``survey_response_rate`` (survey invitations answered,
        from ``truth/surveys.csv``: unanswered invitations are not exported),
        ``complaints_per_100`` (per 100 customers over the export), ``unresolved_share`` (of
        complaints), ``churn_90d`` (live relationships that churn within 90 days).

    Examples
    --------
    >>> s = describe_world(generate(1000, seed=2))
    >>> s["customers"], s["max_depth"] >= 3
    (1000, True)
    """
    ref, tp, truth = world.referrals, world.touchpoints, world.truth
    status = ref[schema.STATUS]
    won = status.isin([schema.CONVERTED, schema.CHURNED])
    decided = won | (status == schema.DECLINED)
    counts = ref[schema.REFERRER].value_counts()
    top = max(1, int(np.ceil(0.01 * len(counts))))
    depth = _depths(ref)
    customers = len(truth["trust"]) if "trust" in truth else int(tp[schema.CUSTOMER].nunique())
    events = tp[schema.EVENT]
    complaints = int((events == "complaint").sum())
    out = {
        "customers": customers,
        "providers": int(pd.concat([ref[schema.PROVIDER], tp[schema.PROVIDER]]).nunique()),
        "referrals": len(ref),
        "advocates": len(counts),
        "conversion_rate": round(float(won.sum() / max(decided.sum(), 1)), 3),
        "referred_share": round(float(ref.loc[won, schema.REFERRED].nunique() / max(customers, 1)), 3),
        "top1pct_share": round(float(counts.iloc[:top].sum() / max(counts.sum(), 1)), 3),
        "one_off_share": round(float((counts == 1).mean()) if len(counts) else 0.0, 3),
        "max_referrals": int(counts.max()) if len(counts) else 0,
        "max_depth": int(depth.max()) if len(depth) else 0,
        "depth3_share": round(float((depth >= 3).mean()) if len(depth) else 0.0, 3),
        "touchpoints_per_customer": round(len(tp) / max(customers, 1), 2),
        "complaints_per_100": round(100 * complaints / max(customers, 1), 1),
        "unresolved_share": round(float((events == "unresolved").sum() / max(complaints, 1)), 3),
    }
    if "surveys" in truth and len(truth["surveys"]):
        sv = truth["surveys"]
        out["survey_response_rate"] = round(float(sv[SURVEYS_ANSWERED].sum() / sv[SURVEYS_INVITED].sum()), 3)
    if "churn" in truth and len(truth["churn"]):
        out["churn_90d"] = round(float(truth["churn"][CHURNED_WITHIN_90D].mean()), 3)
    return out

