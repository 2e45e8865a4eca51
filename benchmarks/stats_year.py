"""How long `GET /api/v1/stats` takes over a year of a busy store.

Generates (once, with bulk SQL, not the engine) 500,000 tickets over 365 days, 3 services and
10 counters, with their ticket events and ratings, then times the API call for the whole year,
and a bare Flask app's plain aggregate over the same tickets (the bare app's `GET /api/v1/stats`)
in the same run, and prints the ratio.

    .venv/bin/python benchmarks/stats_year.py [--db /tmp/sira-bench.db] [--calls 5] [--reuse]

--reuse skips the generation when the database file is already there (a database made before
the rollups gets them from migration 0130 when the app opens it).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import time
from pathlib import Path

from flask import Flask, Response, jsonify
from flask.testing import FlaskClient

from server.app import create_app
from server.auth.accounts import add_user, create_token
from server.db import init_db
from server.engine.queue import STAT_COLUMNS
from server.stats.rollups import back_fill
from server.storage import connect, transaction
from server.store import add_branch, add_counter, add_service

TICKETS = 500_000
DAYS = 365
FIRST_DAY = "2025-01-01"
PER_DAY = -(-TICKETS // DAYS)


def stamp(base: str, seconds: str) -> str:
    """SQL for `base` plus `seconds`, in the engine's stored format (UTC, microseconds)."""
    return f"strftime('%Y-%m-%dT%H:%M:%f', {base}, '+' || ({seconds}) || ' seconds') || '000+00:00'"


# One row per ticket: day, time of arrival, queue and service durations, status, counter.
# Drawn once into a table, since SQLite would draw random() again at each use of a CTE column.
DRAWN = f"""
CREATE TEMP TABLE drawn AS
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {TICKETS})
SELECT i, i / {PER_DAY} AS day, i % {PER_DAY} AS nth, i % 3 AS service,
        abs(random() % 1500) AS wait, 60 + abs(random() % 600) AS serve,
        abs(random() % 100) AS fate, 1 + abs(random() % 10) AS counter,
        CASE WHEN i % 33 = 0 THEN 360 ELSE 0 END AS requeue
    FROM n
"""

TICKET_ROWS = f"""
WITH timed AS (
    SELECT *, datetime('{FIRST_DAY} 05:00', '+' || day || ' days', '+' || (nth * 25) || ' seconds')
        AS created
    FROM drawn
)
INSERT INTO tickets (id, branch_id, service_id, service_day, number, code, token, status,
    language, created_at, queued_at, called_at, started_at, finished_at, counter_id, user_id,
    transferred, wait_ms, service_ms)
SELECT i + 1, 1, service + 1, date('{FIRST_DAY}', '+' || day || ' days'), nth + 1,
    char(65 + service) || printf('%03d', nth + 1), 'bench-' || i,
    CASE WHEN fate < 4 THEN 'cancelled' WHEN fate < 10 THEN 'no_show' ELSE 'done' END,
    'en', {stamp("created", "0")}, {stamp("created", "requeue")},
    CASE WHEN fate >= 4 THEN {stamp("created", "requeue + wait")} END,
    CASE WHEN fate >= 10 THEN {stamp("created", "requeue + wait")} END,
    CASE WHEN fate < 4 THEN {stamp("created", "120")}
        WHEN fate < 10 THEN {stamp("created", "requeue + wait + 60")}
        ELSE {stamp("created", "requeue + wait + serve")} END,
    CASE WHEN fate >= 4 THEN counter END, CASE WHEN fate >= 4 THEN counter + 1 END,
    requeue > 0,
    -- What the engine adds up: a transferred ticket waited 300 s and was served 60 s first.
    CASE WHEN fate >= 4 THEN (requeue > 0) * 300000 + wait * 1000
        WHEN requeue > 0 THEN 300000 END,
    CASE WHEN fate >= 10 THEN (requeue > 0) * 60000 + serve * 1000
        WHEN requeue > 0 THEN 60000 END
FROM timed
"""

# Every ticket's events; a thirtieth of them were served once, then transferred.
EVENTS = [
    ("issued", "created_at", "1"),
    ("called", stamp("created_at", "300"), "transferred"),
    ("started", stamp("created_at", "300"), "transferred"),
    ("transferred", "queued_at", "transferred"),
    ("called", "called_at", "called_at IS NOT NULL"),
    ("started", "started_at", "started_at IS NOT NULL"),
    ("finished", "finished_at", "status = 'done'"),
    ("no_show", "finished_at", "status = 'no_show'"),
    ("cancelled", "finished_at", "status = 'cancelled'"),
]


def build(path: str) -> str:
    """The data set and a manager's bearer token."""
    Path(path).unlink(missing_ok=True)
    init_db(path)
    db = connect(path)
    branch_id = add_branch(db, "Benchmark Store", "bench", timezone="Europe/Istanbul")
    services = [add_service(db, branch_id, p, f"Service {p}", target_wait_s=600) for p in "ABC"]
    for number in range(1, 11):
        add_counter(db, branch_id, f"Counter {number}", services)
    for number in range(1, 11):
        add_user(db, f"staff{number}", "staff", "benchmark password")
    add_user(db, "manager", "manager", "benchmark password")
    started = time.perf_counter()
    with transaction(db):
        db.execute(DRAWN)
        db.execute(TICKET_ROWS)
        for kind, at, condition in EVENTS:
            db.execute(
                "INSERT INTO ticket_events (ticket_id, at, kind, counter_id, user_id)"
                f" SELECT id, {at}, '{kind}', counter_id, user_id FROM tickets WHERE {condition}"
            )
        db.execute(
            "INSERT INTO ratings (ticket_id, score, comment, channel, created_at)"
            " SELECT id, 1 + abs(random() % 5), NULL, 'phone', finished_at FROM tickets"
            " WHERE status = 'done' AND id % 10 < 3"
        )
        # The rest of what the engine keeps on each ticket for the statistics, and the rollups
        # it keeps as tickets move (built as migration 0130 builds them).
        db.execute(STAT_COLUMNS)
        back_fill(db)
    db.execute("ANALYZE")
    print(f"generated {TICKETS:,} tickets in {time.perf_counter() - started:.1f} s")
    db.conn.close()
    return create_token(connect(path), "manager")


def bare_app(path: str) -> Flask:
    """The baseline, in this process like Sıra: a bare Flask app answering a year's statistics
    with the bare app's one plain aggregate (benchmarks/bare_app.py, which patches the whole
    process for gevent and so cannot be imported here), on a connection per request."""
    app = Flask("bare")

    @app.get("/api/v1/stats")
    def stats() -> Response:
        conn = sqlite3.connect(path)
        try:
            rows = conn.execute("SELECT service_day, count(*) FROM tickets GROUP BY service_day")
            return jsonify({day: n for day, n in rows})
        finally:
            conn.close()

    return app


def timed(client: FlaskClient, url: str, headers: dict, calls: int) -> tuple[list, list, dict]:
    """Wall-clock and CPU seconds of each call, and the last answer."""
    timings, cpu = [], []
    for _ in range(calls):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, headers=headers)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        assert response.status_code == 200, response.json
    return timings, cpu, response.json


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/sira-bench.db")
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    if args.reuse and Path(args.db).exists():
        token = create_token(connect(args.db), "manager")
    else:
        token = build(args.db)
    client = create_app({"SIRA_DB": args.db, "SECRET_KEY": "bench"}).test_client()
    headers = {"Authorization": f"Bearer {token}"}
    year = f"/api/v1/stats?from={FIRST_DAY}&to=2025-12-31"
    bare, _, _ = timed(bare_app(args.db).test_client(), year, {}, args.calls)
    print(
        f"bare app, one plain aggregate: median {statistics.median(bare):.3f} s"
        f" (best {min(bare):.3f} s)"
    )
    for label, url in [("one year", year), ("one year, one service", year + "&service_id=2")]:
        timings, cpu, answer = timed(client, url, headers, args.calls)
        print(
            f"{label}: issued {answer['issued']:,}; per call over {args.calls} calls:"
            f" median {statistics.median(timings):.3f} s (best {min(timings):.3f} s),"
            f" CPU {statistics.median(cpu):.3f} s; load average {os.getloadavg()[0]:.1f};"
            f" {statistics.median(timings) / statistics.median(bare):.2f}x the bare app"
        )


if __name__ == "__main__":
    main()
