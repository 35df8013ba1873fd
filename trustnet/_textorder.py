"""Putting distinct strings in Python's order fast, and numbering them: the ids of the graph and of the
loaded columns.

Arrow's and pandas' string sorts compare strings byte by byte; reading each string's first 8 bytes
as one big-endian integer lets a number sort do most of the work.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["text_order", "number_in_order"]

# strings from which :func:`number_in_order` splits its work into parts (below, one hash table fits the cache)
PART_FROM = 1 << 16
PARTS = 8


def text_order(text: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The indices that sort distinct strings as Python sorts them (by code point, i.e. by UTF-8 bytes).

    Eight bytes at a time are read as one big-endian integer, so a number sort
    does the work of a string sort (0.10 s against Arrow's 0.72 s on a million ids); only
    strings that tie on their first 8·k bytes are compared further, and
    strings equal but for trailing NUL padding by their length.

    Examples
    --------
    >>> text_order(pa.array(["b", "ab", "a", "abcdefghij", "abcdefghi", "é"])).tolist()
    [2, 1, 4, 3, 0, 5]
    """
    word, length = _words(text)
    n = len(length)
    first = word(np.arange(n), 0)
    order = np.argsort(first)  # ties are broken below, so no stable sort is needed
    first = first[order]
    tied = first[1:] == first[:-1]  # sorted position i ties with i + 1
    k = 1
    while tied.any():
        edge = np.r_[tied, False] | np.r_[False, tied]
        where = np.flatnonzero(edge)
        run = np.cumsum(np.r_[True, ~tied])[where]
        members = order[where]
        last = 8 * k >= int(length[members].max())
        key = length[members].astype(np.uint64) if last else word(members, k)
        sub = np.lexsort((key, run))
        order[where] = members[sub]
        if last:
            break
        key = key[sub]
        same = (run[1:] == run[:-1]) & (key[1:] == key[:-1])
        tied = np.zeros(n - 1, bool)
        tied[where[:-1][same]] = True
        k += 1
    return order


def _words(text: pa.Array | pa.ChunkedArray) -> tuple[Callable[[np.ndarray, int], np.ndarray], np.ndarray]:
    """``word(rows, k)``: bytes 8k … 8k+7 of those strings as big-endian integers (0 past a string's end),
    and each string's length in bytes."""
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    text = text.cast(pa.large_binary())
    offsets = np.frombuffer(text.buffers()[1], np.int64, len(text) + 1, text.offset * 8)
    data = text.buffers()[2]
    data = np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8)
    start, length = offsets[:-1], np.diff(offsets)
    # the 8 bytes from each byte on, as one unaligned big-endian integer; padded so the last ones exist
    eight = np.ndarray((len(data) + 1,), ">u8", np.r_[data, np.zeros(8, np.uint8)], 0, (1,))
    # the bits of a string's first 0 … 8 bytes in such an integer (the rest is the next string's, or padding)
    keep = np.array([(2**64 - 1) ^ (2 ** (64 - 8 * m) - 1) for m in range(9)], np.uint64)

    def word(rows: np.ndarray, k: int) -> np.ndarray:
        out = eight[np.minimum(start[rows] + 8 * k, len(data))].astype(np.uint64)
        out &= keep[np.clip(length[rows] - 8 * k, 0, 8)]
        return out

    return word, length


def number_in_order(texts: list[pa.Array], parts: int | None = None) -> tuple[pa.Array, list[np.ndarray]]:
    """The distinct strings of several arrays in Python's order, and each array's numbers into them.

    The same result as hashing every string into one dictionary and sorting it with
    :func:`text_order`, faster on many strings: the strings are first split by their
    first 8 bytes into ``parts`` ranges (8 from :data:`PART_FROM` strings, else 1), so
    each range's hash table fits the processor's cache, and two threads hash and sort
    the ranges side by side (Arrow's hashing and numpy's sorts let go of the GIL). On
    the 2.2 million ids of a million customers: 0.28-0.32 s against 0.62-0.97 s.

    Parameters
    ----------
    texts : list of pyarrow string arrays
        No nulls.
    parts : int, optional
        How many ranges, 1 to 256. Fewer when the first words are too alike to
        split (``customer_0001``, ``customer_0002``... are all one range).

    Returns
    -------
    ids : pyarrow.Array
        The distinct strings, sorted.
    numbers : list of numpy int64 arrays
        Per array, each string's position in ``ids``.

    Examples
    --------
    >>> ids, numbers = number_in_order([pa.array(["b", "a", "b"]), pa.array(["c", "a"])])
    >>> ids.to_pylist(), [n.tolist() for n in numbers]
    (['a', 'b', 'c'], [[1, 0, 1], [2, 0]])
    """
    texts = [t.cast(pa.large_string()) for t in texts]
    every = pa.concat_arrays(texts) if texts else pa.array([], pa.large_string())
    n = len(every)
    parts = (parts or (PARTS if n >= PART_FROM else 1)) if n else 1
    # the ranges' bounds: quantiles of a fixed sample of the first words; equal words fall in one range
    first = _words(every)[0](np.arange(n), 0)
    sample = np.sort(first[::max(1, n // 4096)])
    bounds = np.unique(sample[np.arange(1, parts) * len(sample) // parts])
    rows = None
    if len(bounds):
        part = np.searchsorted(bounds, first, side="right").astype(np.uint8)
        rows = np.argsort(part, kind="stable")  # (a counting sort: the rows of each range, in turn)
        cuts = np.r_[0, np.cumsum(np.bincount(part, minlength=len(bounds) + 1))]
        every = every.take(pa.array(rows))
        del part
    else:
        cuts = np.array([0, n])
    del first

    def number(i: int) -> tuple[np.ndarray, pa.Array]:
        encoded = pc.dictionary_encode(every.slice(cuts[i], cuts[i + 1] - cuts[i]))
        order = text_order(encoded.dictionary)
        rank = np.empty(len(order), np.int64)
        rank[order] = np.arange(len(order))
        return rank[encoded.indices.to_numpy(zero_copy_only=False)], encoded.dictionary.take(order)

    with ThreadPoolExecutor(2) as pool:
        numbered = list(pool.map(number, range(len(cuts) - 1)))
    numbers = np.empty(n, np.int64)
    start = 0
    for (codes, ids), lo, hi in zip(numbered, cuts[:-1], cuts[1:]):
        numbers[slice(lo, hi) if rows is None else rows[lo:hi]] = codes + start
        start += len(ids)
    ids = pa.concat_arrays([ids for _, ids in numbered])
    ends = np.cumsum([0] + [len(t) for t in texts])
    return ids, [numbers[lo:hi] for lo, hi in zip(ends[:-1], ends[1:])]
