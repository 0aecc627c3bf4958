"""A CSV upload that never shows a traceback: the core checks it, the page shows why it was refused."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from playground.scenario import escape_md
from playground.uploads import read_numeric_csv


def numeric_csv_upload(label: str, required: tuple[str, ...], key: str, example: str,
                       container=None) -> pd.DataFrame | None:
    """File uploader for a CSV with numeric ``required`` columns; ``None`` until a valid file arrives.

    ``example`` is a small CSV offered as a download so the learner sees the expected format.
    """
    box = container or st
    upload = box.file_uploader(label, type=["csv"], key=key,
                               help=f"A UTF-8 CSV with numeric columns: {', '.join(required)}.")
    box.download_button("Example CSV", example, file_name=f"{key}_example.csv", mime="text/csv",
                        on_click="ignore", key=f"{key}_example")
    if upload is None:
        return None
    try:
        return read_numeric_csv(upload.getvalue(), required)
    except ValueError as err:
        box.error(f"Upload refused: {escape_md(str(err))}")
        return None
