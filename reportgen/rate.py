"""Rating: actions (BRAG), finance per action and per funding stream. Pure functions.

``as_of`` is always given; nothing here looks at the clock. Written out in docs/rating.md.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def split_shares(amount: float | None, n: int) -> list[float | None]:
    """Split ``amount`` across ``n`` funding streams equally, in whole pennies; the pennies
    left over go to the first stream, so the shares always add back to the amount.

    >>> split_shares(100.0, 3)
    [33.34, 33.33, 33.33]
    """
    if n <= 0:
        return []
    if amount is None:
        return [None] * n
    pennies = int((Decimal(str(amount)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    base, left = divmod(pennies, n)
    shares = [base] * n
    shares[0] += left
    return [p / 100 for p in shares]
