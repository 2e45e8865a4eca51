"""Prometheus metrics at `/metrics`, through prometheus_client.

What the store did (tickets issued and called per service, waits, print jobs, connected clients)
is read from the database at scrape time: every server process reports the same store-wide
figures, and they survive restarts. Request latency is this process's own.
"""

from __future__ import annotations

import ipaddress
import sqlite3
import time
from collections.abc import Iterable, Iterator

from flask import Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from server.auth.principal import bearer_token, principal_for_token
from server.domain.errors import NotAllowed
from server.operations import bp
from server.storage.handoff import off_the_loop

REGISTRY = "sira_metrics"
# Upper bounds of the wait histogram, in seconds (1 min … 1 h).
WAIT_BUCKETS_S = (60, 120, 300, 600, 900, 1200, 1800, 2700, 3600)


def counted(metric: CounterMetricFamily | GaugeMetricFamily, rows: Iterable[tuple]) -> Metric:
    """`metric` with one sample per row: the row's label values, then its count."""
    for *labels, count in rows:
        metric.add_metric(labels, count)
    return metric


class StoreCollector(Collector):
    """Store-wide figures, read from SQLite in one short read transaction per scrape."""

    def __init__(self, db_path: str):
        self.db_path = db_path

    def collect(self) -> Iterator[Metric]:
        yield from off_the_loop(self.read)

    def read(self) -> list[Metric]:
        db = sqlite3.connect(self.db_path, timeout=2.0)
        try:
            db.execute("BEGIN")
            return [
                self.issued(db),
                self.called(db),
                self.waits(db),
                self.print_jobs(db),
                self.clients(db),
            ]
        finally:
            db.close()

    SERVICE = "JOIN services s ON s.id = t.service_id JOIN branches b ON b.id = t.branch_id"

    def issued(self, db: sqlite3.Connection) -> Metric:
        return counted(
            CounterMetricFamily(
                "sira_tickets_issued", "Tickets issued, per service", labels=["branch", "service"]
            ),
            db.execute(
                f"SELECT b.slug, s.name, count(*) FROM tickets t {self.SERVICE}"
                " GROUP BY t.service_id"
            ),
        )

    def called(self, db: sqlite3.Connection) -> Metric:
        return counted(
            CounterMetricFamily(
                "sira_tickets_called",
                "Calls of tickets to counters (recalls included), per service",
                labels=["branch", "service"],
            ),
            db.execute(
                "SELECT b.slug, s.name, count(*) FROM ticket_events e"
                f" JOIN tickets t ON t.id = e.ticket_id {self.SERVICE}"
                " WHERE e.kind IN ('called', 'recalled') GROUP BY t.service_id"
            ),
        )

    def waits(self, db: sqlite3.Connection) -> Metric:
        metric = HistogramMetricFamily(
            "sira_ticket_wait_seconds",
            "Time called tickets waited in the queue, per service",
            labels=["branch", "service"],
        )
        bins = ", ".join(f"sum(t.wait_ms <= {limit * 1000})" for limit in WAIT_BUCKETS_S)
        for branch, service, total_ms, count, *below in db.execute(
            f"SELECT b.slug, s.name, sum(t.wait_ms), count(t.wait_ms), {bins}"
            f" FROM tickets t {self.SERVICE} WHERE t.wait_ms IS NOT NULL GROUP BY t.service_id"
        ):
            buckets = [(str(limit), n) for limit, n in zip(WAIT_BUCKETS_S, below, strict=True)]
            metric.add_metric(
                [branch, service], [*buckets, ("+Inf", count)], sum_value=total_ms / 1000
            )
        return metric

    def print_jobs(self, db: sqlite3.Connection) -> Metric:
        return counted(
            GaugeMetricFamily(
                "sira_print_jobs",
                "Print jobs by outcome (queued, printed, failed…)",
                labels=["status"],
            ),
            db.execute("SELECT status, count(*) FROM print_jobs GROUP BY status"),
        )

    def clients(self, db: sqlite3.Connection) -> Metric:
        return counted(
            GaugeMetricFamily(
                "sira_connected_clients",
                "Signed-in live connections (Socket.IO) by kind: staff, kiosk, display, feedback",
                labels=["kind"],
            ),
            db.execute(
                "SELECT coalesce(d.kind, 'staff'), count(*) FROM live_connections c"
                " LEFT JOIN devices d ON d.id = c.device_id GROUP BY 1"
            ),
        )


def observe_requests(app: Flask) -> None:
    """Time every request into the app's histogram, and log it as one access-log line."""
    registry = CollectorRegistry()
    registry.register(StoreCollector(app.config["SIRA_DB"]))
    latency = Histogram(
        "sira_request_seconds",
        "Time to answer an HTTP request, by route and status",
        ["method", "route", "status"],
        registry=registry,
    )
    app.extensions[REGISTRY] = registry
    access_log = app.logger.getChild("access")

    @app.before_request
    def start_clock() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def record(response: Response) -> Response:
        started = g.pop("request_started", None)
        if started is None:
            return response
        elapsed = time.perf_counter() - started
        route = request.url_rule.rule if request.url_rule else "unmatched"
        latency.labels(request.method, route, str(response.status_code)).observe(elapsed)
        access_log.info(
            '%s "%s %s" %s %.1fms',
            request.remote_addr,
            request.method,
            request.full_path.rstrip("?"),
            response.status_code,
            elapsed * 1000,
        )
        return response


def from_local_network() -> bool:
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return address.is_private or address.is_loopback


@bp.get("/metrics")
def metrics():
    """Readable without a session from the local network; from elsewhere with an admin token."""
    if not from_local_network() and not principal_for_token(bearer_token()).allows("admin"):
        raise NotAllowed("Metrics are readable from the local network or with an admin token.")
    body = generate_latest(current_app.extensions[REGISTRY])
    return Response(body, content_type=CONTENT_TYPE_LATEST)
