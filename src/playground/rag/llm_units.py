"""How lesson 10 writes its numbers: bytes in GiB / MiB, seconds as ms or s, FLOP in TFLOP,
the same quantities as LaTeX for "The math", and where a value sits on a plotly log axis.

GiB = 2**30 bytes and MiB = 2**20 bytes (:data:`playground.rag.llm_serving.GIB`, ``MIB``).
"""

from __future__ import annotations

import math

from playground.rag.llm_serving import GIB, MIB


def in_gib(n_bytes: float) -> float:
    """``n_bytes`` in GiB (``n_bytes / 2**30``), for chart axes."""
    return n_bytes / GIB


def gib(n_bytes: float, digits: int = 2) -> str:
    """``n_bytes`` as GiB with ``digits`` decimals and grouped thousands: ``"12.55 GiB"``."""
    return f"{in_gib(n_bytes):,.{digits}f} GiB"


def mib(n_bytes: float, digits: int = 3) -> str:
    """``n_bytes`` as MiB (``n_bytes / 2**20``) with ``digits`` decimals: ``"0.500 MiB"``."""
    return f"{n_bytes / MIB:,.{digits}f} MiB"


def seconds(x: float) -> str:
    """A duration in seconds: milliseconds with one decimal below 1 s (``"6.6 ms"``), else
    seconds with two (``"1.25 s"``)."""
    return f"{x * 1000:,.1f} ms" if x < 1 else f"{x:,.2f} s"


def tflop(flops: float) -> str:
    """An amount of work in TFLOP (1e12 FLOP) with two decimals: ``"0.35 TFLOP"``."""
    return f"{flops / 1e12:,.2f} TFLOP"


def billions(count: float) -> str:
    """A count in billions with two decimals: ``6.74e9`` → ``"6.74 B"``."""
    return f"{count / 1e9:.2f} B"


def tex(shown: str) -> str:
    """A displayed quantity (``"12.55 GiB"``, ``"1,024"``) as LaTeX: upright unit, grouped thousands."""
    number, _, unit = shown.partition(" ")
    number = number.replace(",", "{,}")
    return number + (rf"\ \text{{{unit}}}" if unit else "")


def sci(x: float) -> str:
    r"""``4.59e14`` as ``4.59 \times 10^{14}`` (mantissa with two decimals); ``0`` as ``0``."""
    if x == 0:
        return "0"
    exp = math.floor(math.log10(abs(x)))
    return rf"{x / 10**exp:.2f} \times 10^{{{exp}}}"


def log_axis(x: float) -> float:
    """Where ``x`` sits on a plotly log axis (``log10 x``): an annotation on a log axis takes this
    position, while a shape (``add_vline``) takes ``x`` itself."""
    if not x > 0:
        raise ValueError(f"a log axis has no place for {x}")
    return math.log10(x)
