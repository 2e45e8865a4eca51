"""`sira serve` freezes what start-up built, so no full garbage collection walks it again: the
walk stopped the event loop 60–80 ms under load (server/serving.settle_the_heap)."""

from __future__ import annotations

import gc

from server.serving import settle_the_heap


def test_what_start_up_built_is_left_out_of_later_collections(app):
    try:
        settle_the_heap()
        assert gc.get_freeze_count() > len(app.url_map._rules)
        tracked_after = len(gc.get_objects(generation=2))
        assert tracked_after < gc.get_freeze_count(), "the full collection walks few of them"
    finally:
        gc.unfreeze()
