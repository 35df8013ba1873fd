"""The floor: the least any tool must do with this export — read it, index it, one sparse power iteration.

On the same generated export as ``run.py``:

1. ``read``: ``pyarrow.csv.read_csv`` of ``referrals.csv`` and ``touchpoints.csv`` (multi-threaded C++,
   types inferred, dates parsed by Arrow).
2. ``index``: one Arrow ``dictionary_encode`` over the ids of both files (referrers, referred, touchpoint customers)
   and a ``scipy.sparse`` CSR matrix of the referral edges.
3. ``iterate``: one step of PageRank's power iteration (``x = d * (A^T (x / out)) + (1 - d) / N``).

No validation, no dates checked, no evidence, no explanation: a lower bound for what trustnet does,
not an alternative to it.

Run::

    python benchmarks/floor.py benchmarks/.cache/world-100000 --json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np


def run(world: Path) -> dict:
    """Read, index and iterate once on one generated world; return seconds per step.

    Parameters
    ----------
    world : Path
        A folder written by ``trustnet generate`` (``referrals.csv``, ``touchpoints.csv``).

    Returns
    -------
    dict
        ``seconds`` per step, ``total``, ``nodes``, ``edges`` and the sum of the iterate (≈ 1).

    Examples
    --------
    >>> import tempfile, trustnet
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = trustnet.generate(customers=200, seed=1).write(tmp)
    ...     out = run(Path(tmp))
    >>> sorted(out["seconds"]), round(out["mass"], 6) <= 1.0
    (['index', 'iterate', 'read'], True)
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import scipy.sparse as sp

    seconds: dict[str, float] = {}
    t = time.perf_counter()
    refs = pacsv.read_csv(world / "referrals.csv")
    tps = pacsv.read_csv(world / "touchpoints.csv")
    seconds["read"] = time.perf_counter() - t

    t = time.perf_counter()
    ids = pa.chunked_array(refs.column("referrer").chunks + refs.column("referred").chunks
                           + tps.column("customer").chunks, type=pa.string())
    coded = ids.combine_chunks().dictionary_encode()
    codes = coded.indices.fill_null(-1).to_numpy()
    n, m = len(coded.dictionary), refs.num_rows
    ok = codes[m:2 * m] >= 0  # rows with no referred friend
    src, dst = codes[:m][ok], codes[m:2 * m][ok]
    adj = sp.csr_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))
    seconds["index"] = time.perf_counter() - t

    t = time.perf_counter()
    out = np.asarray(adj.sum(axis=1)).ravel()
    x = np.full(n, 1.0 / n)
    share = np.divide(x, out, out=np.zeros(n), where=out > 0)
    x = 0.85 * (adj.T @ share) + 0.15 / n
    seconds["iterate"] = time.perf_counter() - t
    return {"seconds": seconds, "total": sum(seconds.values()), "nodes": int(n), "edges": int(adj.nnz),
            "mass": float(x.sum())}


def main(argv: list[str] | None = None) -> int:
    """Command line: run the floor on one world and print seconds (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("world", type=Path, help="folder written by trustnet generate")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    cpu = time.process_time()
    out = run(args.world)
    out["cpu"] = time.process_time() - cpu
    if args.json:
        print(json.dumps(out))
    else:
        for step, s in out["seconds"].items():
            print(f"{step:8s} {s:8.3f} s")
        print(f"total    {out['total']:8.3f} s  ({out['nodes']:,} nodes, {out['edges']:,} edges)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
