"""The page cache (app/components/cache.py): size estimates against independent counts, eviction by
bytes in least-recently-used order, keying by builder and arguments, and one build at a time."""

import sys
import threading
import time
import types

import numpy as np
import pandas as pd
import pytest
import torch

from components.cache import Cache, budget_from_env, cached, freeze, nbytes

MB = 1024 * 1024


def test_size_estimates_match_the_libraries_own_counts():
    a = np.zeros((1000, 100))
    assert nbytes(a) == 800_000
    assert nbytes([a, a[:10], {"again": a}]) - nbytes([]) < 800_000 + 2_000  # views and repeats count once
    frame = pd.DataFrame({"x": np.arange(1000), "s": ["abc"] * 1000})
    assert nbytes(frame) == int(frame.memory_usage(deep=True).sum())
    layer = torch.nn.Linear(100, 50)
    params = (100 * 50 + 50) * 4
    assert params <= nbytes(layer) < params + 5_000
    assert nbytes(torch.zeros(10, 10, dtype=torch.float64)) == 800


def test_sizes_while_another_thread_is_still_importing_torch_and_faiss(monkeypatch):
    """The server's preload thread (components/preload.py) puts a module in sys.modules before its
    classes exist; a build finishing meanwhile still gets its size."""
    for name in ("torch", "faiss"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))  # partly initialised: no classes yet
    assert nbytes({"a": np.zeros(100)}) >= 800


def test_eviction_by_bytes_drops_the_least_recently_used_first():
    cache = Cache(budget_bytes=3 * 800_000 + 1000)
    for key in "abc":
        cache.put(key, np.zeros(100_000))  # 800 kB each: three fit
    assert len(cache) == 3
    assert cache.lookup("a")[0]  # "a" is now the most recently used
    cache.put("d", np.zeros(100_000))
    assert "b" not in cache and {"a", "c", "d"} == {k for k in "acd" if k in cache}
    assert cache.used_bytes <= cache.budget_bytes
    cache.put("big", np.zeros(1_000_000))  # 8 MB alone exceeds the budget: not kept, nothing evicted
    assert "big" not in cache and len(cache) == 3


def test_one_big_value_evicts_several_small_ones():
    cache = Cache(budget_bytes=MB)
    for i in range(10):
        cache.put(i, np.zeros(10_000))  # 80 kB each
    cache.put("big", np.zeros(100_000))  # 800 kB
    assert "big" in cache and cache.used_bytes <= MB
    kept = [i for i in range(10) if i in cache]
    small, big = nbytes(np.zeros(10_000)), nbytes(np.zeros(100_000))
    assert kept == list(range(10))[-((MB - big) // small):]  # the most recent small ones that still fit
    assert len(kept) == 3  # 1 MiB = 1,048,576 B holds 800 kB + 3 × 80 kB (+ array headers)


def test_budget_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_CACHE_MB", "64")
    assert budget_from_env() == 64 * MB
    monkeypatch.setenv("PLAYGROUND_CACHE_MB", "lots")
    assert budget_from_env() == 1024 * MB


def test_keys_are_builder_and_arguments():
    calls = []

    @cached()
    def square(x, scale=1):
        calls.append((x, scale))
        return np.full(3, x * x * scale)

    assert square(3).tolist() == [9, 9, 9]
    assert square(3) is square(3)
    assert square(3, scale=2).tolist() == [18, 18, 18]
    assert square(4).tolist() == [16] * 3
    assert calls == [(3, 1), (3, 2), (4, 1)]

    @cached()
    def total(values):
        calls.append("total")
        return float(np.sum(values))

    assert total([1, 2]) == total([1, 2]) == 3.0 and calls.count("total") == 1  # lists are keyed by content
    assert total(np.array([1.0, 2.0])) == 3.0 and total(np.array([1.0, 5.0])) == 6.0
    assert calls.count("total") == 3
    assert freeze({"b": 1, "a": [1, 2]}) == freeze({"a": [1, 2], "b": 1})
    frame = pd.DataFrame({"x": [1, 2], "y": [3, 4]})  # a frame has no .name: its columns name it
    assert freeze(frame) == freeze(frame.copy()) != freeze(frame.assign(y=[3, 5]))
    assert freeze(frame["x"])[1] == ("x",)
    with pytest.raises(TypeError):
        freeze(object.__new__(type("Unhashable", (), {"__hash__": None})))


def test_one_build_at_a_time_and_waiters_are_told_what_they_wait_for():
    cache = Cache(budget_bytes=MB)
    started, release = threading.Event(), threading.Event()
    spans, waits = [], []

    def slow_build(name):
        def build():
            start = time.perf_counter()
            started.set()
            release.wait(5)
            spans.append((name, start, time.perf_counter()))
            return name
        return build

    first = threading.Thread(target=cache.get_or_build, args=("k1", slow_build("first"), "training model A"))
    first.start()
    assert started.wait(5)
    results = {}
    second = threading.Thread(target=lambda: results.update(
        other=cache.get_or_build("k2", slow_build("second"), "model B", on_wait=waits.append)))
    same = threading.Thread(target=lambda: results.update(
        same=cache.get_or_build("k1", slow_build("again"), "model A", on_wait=waits.append)))
    second.start()
    same.start()
    time.sleep(0.2)
    assert [s[0] for s in spans] == []  # nothing finished, and nothing else started building
    release.set()
    for thread in (first, second, same):
        thread.join(5)
    assert results == {"other": "second", "same": "first"}  # the same key reuses the first build
    assert [s[0] for s in spans] == ["first", "second"]
    (_, _, end_first), (_, start_second, _) = spans
    assert start_second >= end_first
    assert waits == ["training model A", "training model A"]


def test_a_build_may_use_other_cached_values_on_the_same_thread():
    cache = Cache(budget_bytes=MB)
    outer = cache.get_or_build("outer", lambda: cache.get_or_build("inner", lambda: 2, "inner") + 1, "outer")
    assert outer == 3 and "inner" in cache and cache.building is None


def test_defaults_and_underscore_arguments_do_not_split_keys():
    calls = []

    @cached(label=lambda n, **_: f"building {n}")
    def build(n, scale=2, _note=""):
        calls.append(n)
        return n * scale

    assert build(1) == build(1, 2) == build(n=1, scale=2, _note="ignored") == 2
    assert calls == [1]
    assert build.cache_key(1) == build.cache_key(1, _note="x") != build.cache_key(1, 3)
