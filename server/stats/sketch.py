"""A mergeable sketch of durations for percentiles: tickets counted per bucket of whole seconds.

Exact whole-second histograms per day would be as large as the tickets themselves, so whole
seconds are kept exactly only below two minutes; above, each bucket is 2 % wider than the one
before. A bucket stands for the geometric middle of its bounds, so any value it holds is within
`RELATIVE_ACCURACY` (√1.02 − 1, just under 1 %) of it, and so is a percentile read off merged
sketches, against the same percentile over the exact whole seconds. Sketches merge by adding
counts per bucket, which is what lets a month's row hold the sum of its days.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

# Below this many seconds a bucket is one whole second, and stands for itself.
EXACT_BELOW_S = 120
# Above it, each bucket's upper bound is this many times its lower bound.
GROWTH = 1.02
RELATIVE_ACCURACY = math.sqrt(GROWTH) - 1
_LOG_GROWTH = math.log(GROWTH)


def whole_seconds(ms: int) -> int:
    """Half a second and more rounds up, as SQLite's round() does for these positive spans."""
    return (ms + 500) // 1000


def bucket(ms: int) -> int:
    """The bucket a duration in milliseconds falls in (its whole seconds, bucketed)."""
    seconds = whole_seconds(ms)
    if seconds < EXACT_BELOW_S:
        return seconds
    return EXACT_BELOW_S + int(math.log(seconds / EXACT_BELOW_S) / _LOG_GROWTH)


def value(bucket_index: int) -> float:
    """The seconds a bucket stands for: itself below two minutes, else its geometric middle."""
    if bucket_index < EXACT_BELOW_S:
        return float(bucket_index)
    return EXACT_BELOW_S * GROWTH ** (bucket_index - EXACT_BELOW_S + 0.5)


def percentile(counts: Mapping[str, int], q: float) -> float | None:
    """Linear between closest ranks (numpy's default) over the buckets' values; `counts` maps a
    bucket (as the JSON key it is stored under) to its tickets."""
    total = sum(counts.values())
    if not total:
        return None
    rank = (total - 1) * q
    low_rank = int(rank)
    high_rank = min(low_rank + 1, total - 1)
    low = high = None
    seen = 0
    for index in sorted(map(int, counts)):
        seen += counts[str(index)]
        if low is None and seen > low_rank:
            low = value(index)
        if seen > high_rank:
            high = value(index)
            break
    return low + (high - low) * (rank - low_rank)
