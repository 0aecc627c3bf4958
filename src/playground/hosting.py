"""Hosted mode: the limits that make one shared server safe for anonymous visitors.

Hosted mode is switched on by one setting, the environment variable ``PLAYGROUND_HOSTED=1`` of
the server process (see the README's hosting section). In hosted mode

- controls that name a folder on the server (lesson 10's local generative model, lesson 15's CLIP
  weights) are not shown at all: nothing a visitor types or links reaches the file system;
- costly controls are capped (:data:`LIMITS`): a value above the cap, from a widget or a link,
  is lowered to the cap and the page says so.

In local mode nothing is capped, and server paths can be typed but are never set from a link.

The server settings in ``.streamlit/config.toml`` (upload size, error details, allowed hosts...)
only apply when Streamlit finds that file, i.e. when it starts from the repository root;
:func:`config_drift` lists what a running server lacks, and the entry point refuses to serve in
hosted mode until it is fixed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, Sequence

ENV_VAR = "PLAYGROUND_HOSTED"

#: Highest value of each costly control in hosted mode, by lesson id and control key.
#: Chosen to keep one link's index build or training to seconds, not minutes, on a 2-core server
#: (uncapped, lesson 3's 1M-vector HNSW link cost over 525 CPU-s); bench/hostile.py measures the
#: capped links.
LIMITS: dict[str, dict[str, float]] = {
    "l03": {"n": 100_000, "d": 64, "M": 32, "efc": 80, "nlist": 1024, "epochs": 8},
    "l11": {"n": 40},
    "l15": {"epochs": 6, "dim": 64},
}

#: Why a control is capped, shown on the page next to the capped settings.
REASON = "this shared server caps settings that retrain a model or rebuild an index"


#: Options the operator may set to their own value (their host names); they must not be empty.
OPERATOR_OPTIONS = ("server.allowedHosts",)


def config_drift(expected: Mapping[str, Mapping[str, Any]], running: Callable[[str], Any]) -> list[str]:
    """Settings of the repository's ``config.toml`` that the running server does not have.

    Parameters
    ----------
    expected : mapping
        The parsed ``config.toml`` (section -> option -> value).
    running : callable
        ``st.get_option``: the running server's value of ``"section.option"``.

    Returns
    -------
    list of str
        One line per setting that differs, e.g. ``"server.maxUploadSize is 200, not 5"``; an
        empty list when the server runs with the repository's settings.
    """
    drift = []
    for section, options in expected.items():
        for name, value in options.items():
            key = f"{section}.{name}"
            got = running(key)
            if key in OPERATOR_OPTIONS:
                if not got:
                    drift.append(f"{key} is empty: any Host header is served (DNS rebinding)")
            elif got != value:
                drift.append(f"{key} is {got!r}, not {value!r}")
    return drift


def is_hosted(environ: Mapping[str, str] | None = None) -> bool:
    """Whether hosted mode is on: ``PLAYGROUND_HOSTED`` set to 1/true/yes/on (case-insensitive)."""
    value = (os.environ if environ is None else environ).get(ENV_VAR, "")
    return value.strip().lower() in ("1", "true", "yes", "on")


def limit(lesson_id: str, key: str, hosted: bool) -> float | None:
    """The cap of control ``key`` on lesson ``lesson_id``, or ``None`` (local mode, or uncapped)."""
    return LIMITS.get(lesson_id, {}).get(key) if hosted else None


def cap_range(hi: float, default: float, cap: float | None) -> tuple[float, float]:
    """Upper bound and default of a numeric control under ``cap`` (both unchanged without one).

    The bound keeps the control's type: an int range stays int.
    """
    if cap is None or cap >= hi:
        return hi, default
    capped = type(hi)(cap)
    return capped, min(default, capped)


def cap_options(options: Sequence[Any], default: Any, cap: float | None) -> tuple[list, Any]:
    """Options (numbers) not above ``cap`` and a default among them.

    Non-numeric options are kept. The default becomes the largest allowed option when it is above
    the cap. Raises ``ValueError`` when the cap leaves no option (a mistake in :data:`LIMITS`).
    """
    options = list(options)
    if cap is None:
        return options, default
    allowed = [o for o in options if not _is_number(o) or float(o) <= cap]
    if not allowed:
        raise ValueError(f"the hosted cap {cap:g} leaves no option of {options}")
    if default not in allowed:
        default = max((o for o in allowed if _is_number(o)), key=float)
    return allowed, default


def clamp_link_value(raw: str, options: Sequence[Any] | None, cap: float | None) -> str | None:
    """The link value to use instead of ``raw`` when ``raw`` is a number above ``cap``.

    Returns the cap (numeric range) or the largest allowed option (``options``) as link text,
    or ``None`` when ``raw`` is not a number above the cap (then it is parsed as usual).
    """
    if cap is None:
        return None
    try:
        number = float(raw)
    except (TypeError, ValueError):
        return None
    if not number > cap:  # also False for nan
        return None
    if options is None:
        return f"{cap:g}" if float(cap) != int(cap) else str(int(cap))
    allowed = [o for o in options if _is_number(o) and float(o) <= cap]
    return str(max(allowed, key=float)) if allowed else None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
