"""How the dashboard writes numbers, shared by its pages and tests."""

from __future__ import annotations


def duration(seconds: float | None) -> str:
    """312.4 → "5:12", 3725 → "1:02:05"; nothing measured → "–"."""
    if seconds is None:
        return "–"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def heat_levels(grid: list[list[int]], levels: int = 5) -> list[list[tuple[int, int]]]:
    """Each count with its shade 0..levels, relative to the busiest cell, for the heatmap."""
    peak = max((count for row in grid for count in row), default=0) or 1
    return [[(count, -(-count * levels // peak)) for count in row] for row in grid]
