"""A running interview clock: elapsed time and the step the time budget says you should be on."""

from __future__ import annotations

import time
from typing import Sequence

import streamlit as st

from playground import framework


def interview_clock(key: str, budgets: Sequence[int], names: Sequence[str], total: int = 45) -> None:
    """Start/stop buttons and a clock that re-renders every second (a fragment, not the page)."""

    @st.fragment(run_every=1)
    def _clock() -> None:
        state = f"_clock_started:{key}"
        started = st.session_state.get(state)
        cols = st.columns([1, 1, 3])
        if cols[0].button("Start / restart timer", key=f"{key}_start"):
            st.session_state[state] = started = time.time()
        if cols[1].button("Stop timer", key=f"{key}_stop"):
            st.session_state.pop(state, None)
            started = None
        if started is None:
            cols[2].caption("Press start and talk through the prompt; the clock tells you which "
                            "step you should be on.")
            return
        elapsed = (time.time() - started) / 60
        index = framework.step_at(list(budgets), elapsed)
        where = "time is up" if index is None else f"you should be on step {index + 1}: {names[index]}"
        cols[2].metric("Elapsed", f"{int(elapsed):02d}:{int(elapsed * 60) % 60:02d}", help=where)
        cols[2].caption(where)
        st.progress(min(elapsed / total, 1.0))

    _clock()
