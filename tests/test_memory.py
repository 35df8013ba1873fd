"""Handing freed memory back to the system: works, and degrades quietly where the platform lacks a piece."""

from __future__ import annotations

import ctypes

import pyarrow as pa
import pytest

from trustnet import _memory


def test_without_malloc_trim_release_still_works(monkeypatch):
    def no_libc(*args, **kwargs):
        raise OSError("no C library here")

    _memory._malloc_trim.cache_clear()
    monkeypatch.setattr(ctypes, "CDLL", no_libc)
    try:
        assert _memory._malloc_trim() is None  # musl, macOS, Windows: nothing to trim with
        _memory.release_memory()  # and no error
    finally:
        _memory._malloc_trim.cache_clear()


def test_without_jemalloc_the_pool_is_left_alone(monkeypatch):
    def missing():
        raise NotImplementedError("built without jemalloc")

    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    monkeypatch.setattr(pa, "supported_memory_backends", lambda: ["mimalloc", "system"])
    monkeypatch.setattr(pa, "jemalloc_memory_pool", missing)
    before = pa.default_memory_pool().backend_name
    assert _memory.use_returning_allocator() is False
    assert pa.default_memory_pool().backend_name == before



def test_with_jemalloc_arrow_allocates_with_it(monkeypatch):
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    if "jemalloc" not in pa.supported_memory_backends():
        pytest.skip("this pyarrow is built without jemalloc")
    before = pa.default_memory_pool()
    try:
        assert _memory.use_returning_allocator() is True
        assert pa.default_memory_pool().backend_name == "jemalloc"
    finally:
        pa.set_memory_pool(before)
