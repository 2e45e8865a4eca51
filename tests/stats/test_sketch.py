"""The sketch's stated accuracy holds for every whole second up to a day, and merging sketches
is adding their counts (what lets a month row be the sum of its days)."""

from __future__ import annotations

from collections import Counter

from server.stats import sketch


def test_every_whole_second_is_within_the_stated_accuracy_of_its_bucket():
    assert sketch.RELATIVE_ACCURACY < 0.01
    for seconds in range(1, 86_401):
        shown = sketch.value(sketch.bucket(seconds * 1000))
        assert abs(shown - seconds) <= sketch.RELATIVE_ACCURACY * seconds * (1 + 1e-9), seconds
    assert [sketch.value(sketch.bucket(s * 1000)) for s in (0, 59, 119)] == [0, 59, 119]


def test_a_duration_rounds_to_whole_seconds_before_it_is_bucketed():
    assert sketch.bucket(59_499) == 59 and sketch.bucket(59_500) == 60


def test_an_hour_of_waits_takes_few_buckets_and_two_halves_merge_into_the_whole():
    waits = [seconds * 1000 for seconds in range(0, 3600, 7)]
    whole = Counter(str(sketch.bucket(ms)) for ms in waits)
    assert len(whole) < 250  # against 515 distinct whole seconds
    halves = [Counter(str(sketch.bucket(ms)) for ms in waits[part::2]) for part in (0, 1)]
    assert halves[0] + halves[1] == whole
