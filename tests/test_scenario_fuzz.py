"""Property-based fuzzing of link parsing: any text a link can carry is either accepted as a valid
widget value or refused with InvalidValue, and every valid value round-trips through the link."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from playground.scenario import Control, InvalidValue, escape_md

CONTROLS = [
    Control("n", "n", "int", 1, 1000),
    Control("a", "a", "float", -2.5, 7.0),
    Control("m", "m", "choice", options=("hnsw", "ivf", 32, 0.5)),
    Control("s", "s", "multi", options=("bm25", "dense", "rerank")),
    Control("t", "t", "bool"),
    Control("q", "q", "text"),
]


@settings(max_examples=300, deadline=None)
@given(raw=st.text(max_size=600))
def test_any_link_text_is_accepted_in_range_or_refused(raw):
    for control in CONTROLS:
        try:
            value = control.parse(raw)
        except InvalidValue:
            continue
        if control.kind in ("int", "float"):
            assert math.isfinite(value) and control.lo <= value <= control.hi
        elif control.kind == "choice":
            assert value in control.options
        elif control.kind == "multi":
            assert set(value) <= set(control.options)
        elif control.kind == "text":
            assert len(value) <= 500


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 1000), a=st.floats(-2.5, 7.0), flag=st.booleans(),
       chosen=st.lists(st.sampled_from(["bm25", "dense", "rerank"]), unique=True),
       text=st.text(max_size=500))
def test_valid_values_round_trip(n, a, flag, chosen, text):
    values = {"n": n, "a": a, "t": flag, "s": chosen, "q": text}
    for control in CONTROLS:
        if control.key in values:
            value = values[control.key]
            parsed = control.parse(control.encode(value))
            if control.kind == "float":
                assert parsed == value or math.isclose(parsed, value, rel_tol=1e-9, abs_tol=1e-12)
            else:
                assert parsed == value


@given(text=st.text(max_size=200))
def test_escaped_text_has_no_raw_markup(text):
    escaped = escape_md(text)
    for i, ch in enumerate(escaped):
        if ch in "<>[]()`*_":
            assert i > 0 and escaped[i - 1] == "\\", f"unescaped {ch!r} in {escaped!r}"
