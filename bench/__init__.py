"""Benchmarks, run by hand from the repository root (``python -m bench.<name>``); each writes
``docs/bench/<name>.md`` with the machine and its load, and ``python -m bench.collect`` stitches them
into ``docs/BENCHMARKS.md``. Tests never time anything."""
