"""Checking user-uploaded CSV files before any page uses them.

An upload is only ever parsed as CSV text by pandas: never evaluated, unpickled or passed to a
shell. Every rejection is a ``ValueError`` whose message a learner can act on.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

MAX_BYTES = 5 * 2**20  # matches server.maxUploadSize in .streamlit/config.toml
MAX_ROWS = 200_000
MAX_ABS = 1e100  # larger magnitudes overflow differences (quantile interpolation) to inf/nan


def read_numeric_csv(data: bytes, required: tuple[str, ...], max_bytes: int = MAX_BYTES,
                     max_rows: int = MAX_ROWS, min_rows: int = 20) -> pd.DataFrame:
    """Parse an uploaded CSV and return its ``required`` columns as float columns.

    Parameters
    ----------
    data : bytes
        The raw upload.
    required : tuple of str
        Column names that must be present (case-sensitive); other columns are ignored.
    max_bytes, max_rows, min_rows : int
        Size limits (bytes, data rows).

    Returns
    -------
    DataFrame
        The required columns, as float, rows with a missing value in every column dropped.
        Columns may hold different numbers of values (shorter ones padded with NaN).

    Raises
    ------
    ValueError
        Empty, too large, binary or non-UTF-8, unparsable, missing columns, non-numeric or
        non-finite values, too few or too many rows.
    """
    if not data:
        raise ValueError("The file is empty.")
    if len(data) > max_bytes:
        raise ValueError(f"The file is {len(data) / 2**20:.1f} MB; the limit is {max_bytes / 2**20:.0f} MB.")
    text = _decode(data)
    try:
        frame = pd.read_csv(io.StringIO(text), nrows=max_rows + 1)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise ValueError(f"The file could not be read as CSV ({str(err).splitlines()[0][:120]}).") from err
    if len(frame) > max_rows:
        raise ValueError(f"The file has more than {max_rows:,} rows.")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        found = ", ".join(str(c)[:40] for c in list(frame.columns)[:10]) or "none"
        raise ValueError(f"Missing column(s): {', '.join(missing)}. Found: {found}.")
    out = pd.DataFrame(index=frame.index)
    for column in required:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() & frame[column].notna()
        if bad.any():
            example = str(frame[column][bad].iloc[0])[:40]
            raise ValueError(f"Column {column} has non-numeric values (e.g. {example!r}).")
        if np.isinf(values).any():
            raise ValueError(f"Column {column} has infinite values.")
        if (values.abs() > MAX_ABS).any():
            raise ValueError(f"Column {column} has values beyond ±{MAX_ABS:.0e} (e.g. "
                             f"{values[values.abs() > MAX_ABS].iloc[0]:.3g}); rescale it: the drift "
                             "statistics would overflow.")
        out[column] = values.astype(float)
    out = out.dropna(how="all")
    short = [c for c in required if out[c].notna().sum() < min_rows]
    if short:
        raise ValueError(f"Column(s) {', '.join(short)} need at least {min_rows} values.")
    return out


def _decode(data: bytes) -> str:
    """Text of an upload: UTF-8 (with or without BOM), or UTF-16 when it starts with a UTF-16 BOM.

    Raises ``ValueError`` for a binary file (NUL bytes) or text in another encoding.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 byte-order mark (Excel's "Unicode text")
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise ValueError("The file starts like UTF-16 text but does not decode; save it as a UTF-8 CSV.") from err
    if b"\x00" in data[:65536]:
        raise ValueError("This is a binary file, not a CSV text file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValueError("The file is not UTF-8 text; save it as a UTF-8 CSV.") from err
