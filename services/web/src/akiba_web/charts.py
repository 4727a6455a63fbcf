"""A stock card's running balance as an inline SVG step line: no script, no library."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 640, 200, 36


@dataclass(frozen=True)
class Chart:
    """What the template draws: the step path, the zero line, the axis labels."""

    path: str
    zero_y: float
    top_label: int
    bottom_label: int
    width: int = WIDTH
    height: int = HEIGHT


def balance_chart(balances: Sequence[int]) -> Chart | None:
    """A step line through the balances after each entry, oldest first (None for no entry)."""
    if not balances:
        return None
    top, bottom = max(max(balances), 0), min(min(balances), 0)
    span = (top - bottom) or 1
    step = (WIDTH - 2 * PAD) / max(len(balances) - 1, 1)

    def y(v: int) -> float:
        return round(PAD + (top - v) * (HEIGHT - 2 * PAD) / span, 1)

    points = [f"M{PAD},{y(balances[0])}"]
    for n, v in enumerate(balances[1:], start=1):
        x = round(PAD + n * step, 1)
        # A balance holds until the next entry: a horizontal run, then the jump.
        points.append(f"H{x}V{y(v)}")
    return Chart(" ".join(points), y(0), top, bottom)
