"""`/healthz`: the process answers. `/readyz`: it can do its job (database writable, Redis
reachable when configured, print worker alive), for load balancers and systemd watchdogs."""

from __future__ import annotations

import sqlite3

import redis
from flask import current_app, jsonify

from kiosk.printing.dispatch import WORKER
from server.operations import bp
from server.storage.handoff import off_the_loop

# A probe answers within seconds even while a long write holds the database.
PROBE_TIMEOUT_S = 2.0


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    config = current_app.config
    checks = {"database": off_the_loop(lambda: database_writable(config["SIRA_DB"]))}
    for name, url in (
        ("message_queue", config.get("SIRA_MESSAGE_QUEUE")),
        ("rate_limit_storage", config.get("RATELIMIT_STORAGE_URI")),
    ):
        if url and url.startswith(("redis://", "rediss://", "unix://")):
            checks[name] = redis_reachable(url)
    checks["print_worker"] = print_worker_alive()
    ready = all(result == "ok" for result in checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503


def database_writable(path: str) -> str:
    """Take SQLite's write lock and let it go: proves the file and its folder are writable."""
    try:
        db = sqlite3.connect(path, timeout=PROBE_TIMEOUT_S, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("SELECT count(*) FROM _migrations").fetchone()
            db.execute("ROLLBACK")
        finally:
            db.close()
    except sqlite3.Error as error:
        return f"error: {error}"
    return "ok"


def redis_reachable(url: str) -> str:
    try:
        client = redis.Redis.from_url(url, socket_timeout=PROBE_TIMEOUT_S)
        try:
            client.ping()
        finally:
            client.close()
    except redis.RedisError as error:
        return f"error: {error}"
    return "ok"


def print_worker_alive() -> str:
    worker = current_app.extensions.get(WORKER)
    if worker is None:
        return "error: not started"
    return "ok" if worker.is_alive() else "error: stopped"
