"""The history page: figures grouped and written the reader's way, the tickets behind each,
the language switch keeping the filters, and today's unfinished day kept off the trend."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html import unescape

from server.app import create_app
from tests.dashboard.test_pages import RANGE, sign_in


def test_language_links_keep_the_filters(client, store, history):
    sign_in(client)
    page = client.get(f"/manager/history?{RANGE}&service_id={store.payments}").text
    links = re.findall(r'<a href="\?([^"]+)" lang="(\w\w)"', page)
    assert {lang for _, lang in links} == {"en", "tr", "ms"}
    for query, lang in links:
        assert f"service_id={store.payments}" in unescape(query)
        assert "from=2026-03-02" in unescape(query) and f"lang={lang}" in unescape(query)


def test_each_figure_opens_the_tickets_behind_it(client, store, history):
    sign_in(client)
    page = client.get(f"/manager/history?{RANGE}").text
    no_shows = re.search(r'href="([^"]*figure=no_show[^"]*)"', page).group(1)
    listed = client.get(unescape(no_shows)).text
    assert re.findall(r'<tr data-code="(\w+)"', listed) == ["A002"]
    rated = client.get(f"/manager/tickets?{RANGE}&figure=rating").text
    assert re.findall(r'<tr data-code="(\w+)"', rated) == ["B001", "B001", "B002", "A001"]
    # a table row: the counter's own tickets
    counter_link = re.search(rf'href="([^"]*counter_id={store.counter2}[^"]*)"', page).group(1)
    at_counter = client.get(unescape(counter_link)).text
    assert sorted(re.findall(r'<tr data-code="(\w+)"', at_counter)) == ["A002", "B001"]


def test_numbers_are_written_the_readers_way(client, store, history):
    sign_in(client)
    turkish = client.get(f"/manager/history?{RANGE}&lang=tr").text
    assert re.search(r'data-key="rating_positive_pct">%\d+,\d<', turkish)  # "%66,7"
    assert re.search(r'data-key="rating_avg">\d,\d\d<', turkish)
    english = client.get(f"/manager/history?{RANGE}&lang=en").text
    assert re.search(r'data-key="rating_positive_pct">\d+\.\d%<', english)


def test_today_is_not_drawn_as_a_finished_day(db_path, store, history):
    late_on_tuesday = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)  # Istanbul: the 3rd is today
    app = create_app({"SIRA_DB": db_path, "SECRET_KEY": "t", "SIRA_CLOCK": lambda: late_on_tuesday})
    client = app.test_client()
    sign_in(client)
    page = client.get(f"/manager/history?{RANGE}").text
    data = json.loads(re.search(r'id="stats-data">(.*?)</script>', page).group(1))
    assert [day["day"] for day in data["daily"]] == ["2026-03-02"]
    assert "Today so far: 1 issued, 1 served." in page
