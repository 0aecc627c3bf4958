"""A text box for a folder on the server (local model weights): never set from a link, hidden when hosted.

Unlike the controls a page declares through ``LessonPage``, this box is not bound to the URL, not
set by a preset and not written to the export: a link can never make the server read a folder.
In hosted mode (``PLAYGROUND_HOSTED=1``, see :mod:`playground.hosting`) it is not shown at all.
"""

from __future__ import annotations

import streamlit as st


def server_path_input(key: str, label: str, hosted: bool, container=None) -> str:
    """The folder typed on this machine, or ``""`` (hosted mode, or nothing typed)."""
    box = container or st
    if hosted:
        box.caption(f"{label}: not available on this shared server (it would read the server's disk). "
                    "Run the playground on your own machine to use local weights.")
        return ""
    return box.text_input(label, key=key, max_chars=500,
                          help="A folder on the machine running the playground. Typed here only: "
                               "a shared link or a preset never sets it.").strip()
