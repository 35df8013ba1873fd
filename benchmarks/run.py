"""Benchmark the whole pipeline, stage by stage, against the naive networkx way and against the floor.

For each size (default 10k, 100k and 1M customers) a demo world is generated once with
``trustnet generate --seed 0`` and cached in ``benchmarks/.cache/world-<N>/`` (git-ignored). Then, each
measurement in a fresh Python process, ``--repeat`` times (median reported):

* every stage of ``trustnet.analyse`` on the exported CSVs — load, graph, trust, fraud, advocates (rank
  and nurture), risk — and ``Analysis.write`` (report). A stage's process runs the pipeline up to the end
  of that stage (the earlier stages are not timed) and stops; its time is the stage's own wall and CPU
  seconds, its memory the process's peak resident set (the pipeline as it stands at the end of that stage)
  and the growth of the resident set during the stage;
* ``trustnet analyse referrals.csv --touchpoints touchpoints.csv`` end to end (the CLI, imports included;
  peak memory of that child from ``os.wait4``);
* ``benchmarks/naive.py`` (straightforward networkx and pandas: ``from_pandas_edgelist``, ``nx.pagerank``,
  trust per relationship by ``groupby().apply``, per-node ``nx.descendants``, ``simple_cycles``) at the sizes
  in ``--naive-sizes``;
* ``benchmarks/floor.py`` (pyarrow read, one ``dictionary_encode``, CSR, one power-iteration step).

It prints one Markdown table (seconds and peak MB per stage and size, the growth 1M/100k) and the ratios
of trustnet to the references; ``--markdown FILE`` also writes them there. Wall seconds depend on what
else runs on the machine; CPU seconds (user + system) are printed next to them and are the steadier
figure on a shared machine.

Run from the project root::

    python benchmarks/run.py                                # 10k, 100k, 1M; median of 3 (many minutes)
    python benchmarks/run.py --sizes 10000 100000 --repeat 1
    python benchmarks/run.py --sizes 1000000 --markdown big.md    # sizes run separately (in parallel) ...
    python benchmarks/run.py --combine small.json big.json        # ... and shown in one table
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
STAGES = ("load", "graph", "trust", "fraud", "advocates", "risk", "report")
#: progress ticks of ``trustnet.analyse``: a stage ends when the next one's tick arrives
NEXT_TICK = {"load": "graph", "graph": "trust", "trust": "fraud", "fraud": "advocates", "advocates": "risk",
             "risk": "done"}
TARGETS = {"e2e_seconds": 60.0, "e2e_mb": 4096.0, "growth": 12.0, "naive": 20.0, "floor": 10.0}


class _StageDone(Exception):
    """Raised from the progress callback to stop ``analyse`` once the measured stage has ended."""


def _cpu() -> float:
    import resource

    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def _rss_mb() -> float:
    """Current resident set of this process (``/proc/self/statm``), MB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stage_worker(world: Path, stage: str) -> dict:
    """Run ``trustnet.analyse`` on a world up to the end of ``stage`` and time that stage alone.

    Parameters
    ----------
    world : Path
        A folder written by ``trustnet generate``.
    stage : str
        One of :data:`STAGES`.

    Returns
    -------
    dict
        ``seconds`` and ``cpu`` of the stage, ``rss_before_mb`` (resident set when it started),
        ``peak_mb`` (the process's peak resident set when it ended).

    Examples
    --------
    >>> import tempfile, trustnet
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = trustnet.generate(customers=300, seed=1).write(tmp)
    ...     out = stage_worker(Path(tmp), "trust")
    >>> out["seconds"] > 0 and out["peak_mb"] >= out["rss_before_mb"] > 0
    True
    """
    from trustnet.analysis import analyse

    marks: dict[str, tuple[float, float, float]] = {}

    def tick(name: str, done: int, total: int) -> None:
        if name == stage:
            marks["start"] = (time.perf_counter(), _cpu(), _rss_mb())
        elif name == NEXT_TICK.get(stage):
            marks["end"] = (time.perf_counter(), _cpu(), _peak_mb())
            raise _StageDone

    refs, tps = world / "referrals.csv", world / "touchpoints.csv"
    try:
        result = analyse(refs, touchpoints=tps, progress=tick)
    except _StageDone:
        result = None
    if stage == "report":
        if result is None:  # the analysis itself must finish before writing
            raise RuntimeError("analyse stopped before the report stage")
        with tempfile.TemporaryDirectory() as tmp:
            marks["start"] = (time.perf_counter(), _cpu(), _rss_mb())
            result.write(Path(tmp) / "report")
            marks["end"] = (time.perf_counter(), _cpu(), _peak_mb())
    (t0, c0, rss0), (t1, c1, peak) = marks["start"], marks["end"]
    return {"seconds": t1 - t0, "cpu": c1 - c0, "rss_before_mb": rss0, "peak_mb": peak}


def pipeline_worker(world: Path) -> dict:
    """Run every stage in this one process: per stage, its seconds, CPU and the peak RSS at its end.

    ``ru_maxrss`` only grows, so the peak at the end of a stage is the figure a process stopped
    right after that stage would report; what is lost against one process per stage is only
    the independence of the repeats of each stage (used at 1M, where a process per stage would
    rerun the earlier stages seven times).

    Examples
    --------
    >>> import tempfile, trustnet
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = trustnet.generate(customers=300, seed=1).write(tmp)
    ...     out = pipeline_worker(Path(tmp))
    >>> list(out) == list(STAGES) and out["report"]["peak_mb"] >= out["load"]["peak_mb"]
    True
    """
    from trustnet.analysis import analyse

    marks: list[tuple[str, float, float, float, float]] = []

    def tick(name: str, done: int, total: int) -> None:
        marks.append((name, time.perf_counter(), _cpu(), _rss_mb(), _peak_mb()))

    result = analyse(world / "referrals.csv", touchpoints=world / "touchpoints.csv", progress=tick)
    with tempfile.TemporaryDirectory() as tmp:
        tick("report", 0, 0)
        result.write(Path(tmp) / "report")
        tick("end", 0, 0)
    stages = [m for m in marks if m[0] != "done"]
    out = {}
    for (name, t0, c0, rss0, _), (_, t1, c1, _, peak) in zip(stages, stages[1:]):
        out[name] = {"seconds": t1 - t0, "cpu": c1 - c0, "rss_before_mb": rss0, "peak_mb": peak}
    return out


def _measure(cmd: list[str]) -> dict:
    """Run ``cmd`` in a child process; wall seconds, its CPU seconds and peak RSS (``os.wait4``), stdout."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=out, stderr=err, env={**os.environ, "PYTHONHASHSEED": "0"})
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - t
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, problems = out.read(), err.read()
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({child.returncode}):\n{problems[-3000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
            "stdout": text}


def ensure_world(customers: int, seed: int = 0) -> Path:
    """The cached world of ``customers`` customers, generated (``trustnet generate``) when missing."""
    world = CACHE / f"world-{customers}" if seed == 0 else CACHE / f"world-{customers}-seed{seed}"
    if not (world / "world.json").is_file() or not (world / "touchpoints.csv").is_file():
        world.parent.mkdir(parents=True, exist_ok=True)
        print(f"generating {customers:,} customers into {world} ...", file=sys.stderr, flush=True)
        _measure([sys.executable, "-m", "trustnet", "generate", "--customers", str(customers), "--seed", str(seed),
                  "-o", str(world), "--force"])
    return world


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def bench_size(customers: int, repeat: int, naive: bool, budget: float, single: bool = False) -> dict:
    """Every measurement at one size: ``{name: {"wall", "cpu", "peak_mb", ...}}`` (medians of ``repeat``).

    ``single``: all stages in one process per repeat (:func:`pipeline_worker`) instead of one per stage.
    """
    world = ensure_world(customers)
    me = [sys.executable, str(Path(__file__).resolve())]
    rows: dict[str, dict] = {}
    if single:
        runs = [json.loads(_measure(me + ["--worker", "all", "--world", str(world)])["stdout"]) for _ in range(repeat)]
        for stage in STAGES:
            per = [{"wall": r[stage]["seconds"], "cpu": r[stage]["cpu"], "peak_mb": r[stage]["peak_mb"],
                    "grow_mb": max(0.0, r[stage]["peak_mb"] - r[stage]["rss_before_mb"])} for r in runs]
            rows[stage] = {k: _median(per, k) for k in per[0]}
            _progress(customers, stage, rows[stage])
    for stage in STAGES if not single else ():
        runs = []
        for _ in range(repeat):
            m = _measure(me + ["--worker", stage, "--world", str(world)])
            inner = json.loads(m["stdout"])
            runs.append({"wall": inner["seconds"], "cpu": inner["cpu"], "peak_mb": m["peak_mb"],
                         "grow_mb": max(0.0, inner["peak_mb"] - inner["rss_before_mb"])})
        rows[stage] = {k: _median(runs, k) for k in runs[0]}
        _progress(customers, stage, rows[stage])
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "trustnet", "analyse", str(world / "referrals.csv"), "--touchpoints",
               str(world / "touchpoints.csv"), "-o", str(Path(tmp) / "report"), "--quiet", "--force"]
        runs = [_measure(cmd) for _ in range(repeat)]
    rows["end to end"] = {k: _median(runs, k) for k in ("wall", "cpu", "peak_mb")}
    _progress(customers, "end to end", rows["end to end"])
    runs = []
    for _ in range(repeat):
        m = _measure(me[:1] + [str(HERE / "floor.py"), str(world), "--json"])
        inner = json.loads(m["stdout"])
        runs.append({"wall": inner["total"], "cpu": inner["cpu"], "peak_mb": m["peak_mb"]})
    rows["floor"] = {k: _median(runs, k) for k in runs[0]}
    _progress(customers, "floor", rows["floor"])
    if naive:
        runs = []
        for _ in range(repeat):
            m = _measure(me[:1] + [str(HERE / "naive.py"), str(world), "--json", "--budget", str(budget)])
            inner = json.loads(m["stdout"])
            runs.append({"wall": inner["total"], "cpu": inner["cpu"], "peak_mb": m["peak_mb"],
                         "estimated": float(inner["estimated"]), **{f"naive {k}": v for k, v in inner["seconds"].items()}})
        rows["naive"] = {k: _median(runs, k) for k in runs[0]}
        _progress(customers, "naive", rows["naive"])
    return rows


def _progress(customers: int, name: str, row: dict) -> None:
    print(f"  {customers:>9,} {name:<11} {row['wall']:8.2f} s wall {row['cpu']:8.2f} s CPU {row['peak_mb']:8,.0f} MB",
          file=sys.stderr, flush=True)


def machine() -> str:
    """One line describing the machine and the library versions."""
    import matplotlib
    import networkx
    import numpy
    import pandas
    import pyarrow
    import scipy

    import trustnet

    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) / 2**20:.0f} GiB"
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({cpu}), {mem} RAM, load average {os.getloadavg()[0]:.1f} at the end; "
            f"Python {platform.python_version()}, trustnet {trustnet.__version__}, pandas {pandas.__version__}, "
            f"numpy {numpy.__version__}, scipy {scipy.__version__}, pyarrow {pyarrow.__version__}, "
            f"networkx {networkx.__version__}, matplotlib {matplotlib.__version__}")


def _fmt(x: float | None, unit: str = "") -> str:
    if x is None:
        return "—"
    return f"{x:,.0f}{unit}" if x >= 100 else f"{x:.2f}{unit}" if x < 10 else f"{x:.1f}{unit}"


def table(results: dict[int, dict]) -> str:
    """The Markdown table: per stage and size, wall s / CPU s / peak MB, and the growth of the two largest sizes."""
    sizes = sorted(results)
    names = [n for n in (*STAGES, "end to end", "floor", "naive") if any(n in results[s] for s in sizes)]
    head = ["stage"] + [f"{s:,}: wall s / CPU s / peak MB" for s in sizes]
    growth = len(sizes) >= 2
    if growth:
        head.append(f"growth {sizes[-1]:,}/{sizes[-2]:,}: wall / CPU")
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for name in names:
        cells = [name]
        for s in sizes:
            r = results[s].get(name)
            if r is None:
                cells.append("—")
                continue
            extra = f" (+{r['grow_mb']:,.0f})" if "grow_mb" in r else ""
            star = " (est.)" if r.get("estimated") else ""
            cells.append(f"{_fmt(r['wall'])}{star} / {_fmt(r['cpu'])} / {r['peak_mb']:,.0f}{extra}")
        if growth:
            a, b = results[sizes[-2]].get(name), results[sizes[-1]].get(name)
            cells.append(f"{b['wall'] / a['wall']:.1f}× / {b['cpu'] / a['cpu']:.1f}×" if a and b else "—")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def ratios(results: dict[int, dict]) -> str:
    """trustnet against the references and the targets, as Markdown bullet lines."""
    sizes = sorted(results)
    out = []
    analysis = [s for s in STAGES if s != "report"]
    graph_part = ("load", "graph", "trust", "fraud", "advocates")
    for s in sizes:
        r = results[s]
        pipe_wall = sum(r[k]["wall"] for k in analysis)
        pipe_cpu = sum(r[k]["cpu"] for k in analysis)
        e2e = r["end to end"]
        line = (f"- {s:,} customers: analysis stages (load → risk) {pipe_wall:.2f} s wall / {pipe_cpu:.2f} s CPU; "
                f"end to end {e2e['wall']:.2f} s wall / {e2e['cpu']:.2f} s CPU, {e2e['peak_mb']:,.0f} MB peak")
        fl = r["floor"]
        line += (f"; against the floor ({fl['wall']:.2f} s wall / {fl['cpu']:.2f} s CPU): analysis "
                 f"{pipe_wall / fl['wall']:.1f}× wall / {pipe_cpu / fl['cpu']:.1f}× CPU, load + graph "
                 f"{(r['load']['wall'] + r['graph']['wall']) / fl['wall']:.1f}× wall")
        if "naive" in r:
            nv = r["naive"]
            same_wall = sum(r[k]["wall"] for k in graph_part)
            same_cpu = sum(r[k]["cpu"] for k in graph_part)
            est = " (reach estimated from a sample)" if nv.get("estimated") else ""
            line += (f"; naive networkx {nv['wall']:.2f} s wall / {nv['cpu']:.2f} s CPU{est}: naive ÷ trustnet load → "
                     f"advocates ({same_wall:.2f} s wall / {same_cpu:.2f} s CPU) = {nv['wall'] / same_wall:.1f}× by wall, "
                     f"{nv['cpu'] / same_cpu:.1f}× by CPU (> 1: trustnet faster)")
            if "naive score" in nv:
                line += (f"; without its per-relationship trust step ({nv['naive score']:.2f} s wall) the naive path "
                         f"is {(nv['wall'] - nv['naive score']) / same_wall:.1f}× trustnet's wall time")
        out.append(line)
    if len(sizes) >= 2:
        a, b = results[sizes[-2]], results[sizes[-1]]
        g = b["end to end"]["wall"] / a["end to end"]["wall"]
        gc = b["end to end"]["cpu"] / a["end to end"]["cpu"]
        out.append(f"- growth {sizes[-1]:,}/{sizes[-2]:,} end to end: {g:.1f}× wall, {gc:.1f}× CPU "
                   f"(target ≤ {TARGETS['growth']:.0f}×)")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--naive-sizes", type=int, nargs="*", default=[10_000, 100_000],
                        help="sizes at which the naive networkx path runs (default 10k and 100k)")
    parser.add_argument("--budget", type=float, default=60.0,
                        help="seconds for the naive per-node descendants loop before it is estimated")
    parser.add_argument("--large-repeat", type=int, help="repeats at sizes >= --single-from (default --repeat)")
    parser.add_argument("--single-from", type=int, default=1_000_000,
                        help="from this size on, all stages run in one process per repeat (default 1,000,000)")
    parser.add_argument("--markdown", type=Path, help="also write the table and ratios to this file")
    parser.add_argument("--combine", type=Path, nargs="+",
                        help="print the table of earlier runs' .json files (from --markdown) instead of measuring")
    parser.add_argument("--worker", choices=(*STAGES, "all"), help=argparse.SUPPRESS)
    parser.add_argument("--world", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        out = pipeline_worker(args.world) if args.worker == "all" else stage_worker(args.world, args.worker)
        print(json.dumps(out))
        return 0
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results: dict[int, dict] = {}
    if args.combine:
        for path in args.combine:
            results.update({int(k): v for k, v in json.loads(path.read_text(encoding="utf-8")).items()})
    for size in args.sizes if not args.combine else ():
        large = size >= args.single_from
        repeat = (args.large_repeat or args.repeat) if large else args.repeat
        results[size] = bench_size(size, repeat, size in args.naive_sizes, args.budget, single=large)
        if args.markdown:  # what is measured so far survives an interrupted run
            args.markdown.with_suffix(".json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    text = (f"Run {started}: `python benchmarks/run.py {' '.join(argv if argv is not None else sys.argv[1:])}`\n\n"
            f"Machine: {machine()}\n\n{table(results)}\n\n{ratios(results)}\n")
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
        (args.markdown.with_suffix(".json")).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
