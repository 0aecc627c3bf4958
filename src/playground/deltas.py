"""How a difference is written for a learner.

A difference of two rates or shares (CTR 42 % → 56 %, retention 59 % vs 11 %) is in percentage
points (pp): 56 % − 42 % = +14 pp. Per cent is kept for relative changes (56 / 42 − 1 = +33 %),
which pages format themselves with ``:+.1%``.
"""

from __future__ import annotations


def pp(difference: float, digits: int = 1) -> str:
    """A difference of two shares, signed, in percentage points.

    Parameters
    ----------
    difference : float
        ``a - b`` where ``a`` and ``b`` are shares in [0, 1] (0.137 is 13.7 points).
    digits : int
        Decimals of the points shown.

    Returns
    -------
    str
        e.g. ``"+13.7 pp"``, ``"-48 pp"``; a difference that rounds to zero is ``"+0 pp"``
        (``"+0.0 pp"`` ...), never ``"-0 pp"``.
    """
    points = round(100 * difference, digits)
    return f"{points + 0.0:+.{digits}f} pp"  # + 0.0 turns -0.0 into 0.0
