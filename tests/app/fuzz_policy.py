"""Which controls the generic widget fuzzer (tests/app/test_every_page.py) leaves at their
defaults: those whose change retrains a model or rebuilds an index, so that fuzzing every page
stays within the test-time budget. The page's own tests (test_lNN_*.py) cover their extremes."""

LEFT_ALONE: dict[str, frozenset[str]] = {
    "l01": frozenset({"users"}),
    "l02": frozenset({"eta", "users"}),
    "l03": frozenset({"zipf", "dim", "epochs", "source", "n", "d", "kind", "nlist", "M", "efc",
                      "pq_m", "nbits"}),
    "l04": frozenset({"model", "w"}),
    "l11": frozenset({"n"}),
    "l12": frozenset({"n", "bits", "delay"}),
    "l13": frozenset({"rate", "drift", "delay"}),
    "l14": frozenset({"n", "tail", "rain", "q"}),
    "l15": frozenset({"seed", "epochs", "batch", "dim", "temperature", "learn_t"}),
}
"""Lesson id -> keys of the controls the fuzzer does not move."""


def fuzzed(lesson_id: str, key: str) -> bool:
    """Whether the generic fuzzer moves control ``key`` of lesson ``lesson_id``'s page."""
    return key != "presenter" and key not in LEFT_ALONE.get(lesson_id, frozenset())
