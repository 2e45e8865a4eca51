"""The baseline every benchmark compares Sıra with: a bare Flask-SocketIO app on the same stack.

gevent's pywsgi with gevent-websocket, TCP_NODELAY on the listening socket, SQLite in WAL with
`synchronous = FULL`, `BEGIN IMMEDIATE` for each write, a connection per request plus one held
open. It issues numbered tickets, calls the next one (emitting `called` to the branch room),
marks no-shows and answers a year's statistics with one plain aggregate: the least a queue
server must do, with none of Sıra's rules, so the ratio shows what those rules cost.

    python -m benchmarks.bare_app --port 5001      (SIRA_DB names the database file)
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import os  # noqa: E402
import sqlite3  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

from flask import Flask, g, jsonify, request  # noqa: E402
from flask_socketio import SocketIO, join_room  # noqa: E402
from gevent import pywsgi  # noqa: E402
from geventwebsocket.handler import WebSocketHandler  # noqa: E402

from server.serving import listener  # noqa: E402

SCHEMA = """
CREATE TABLE IF NOT EXISTS tickets (
    id INTEGER PRIMARY KEY, service_id INTEGER NOT NULL, service_day TEXT NOT NULL,
    number INTEGER NOT NULL, status TEXT NOT NULL, counter_id INTEGER, created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tickets_numbers ON tickets (service_id, number);
CREATE INDEX IF NOT EXISTS tickets_waiting ON tickets (status, id);
"""
app = Flask(__name__)
socketio = SocketIO(app, async_mode="gevent")


def connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def db() -> sqlite3.Connection:
    if "db" not in g:
        g.db = connect(app.config["DB"])
    return g.db


@app.teardown_appcontext
def close(_error: BaseException | None) -> None:
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def ticket_json(row: sqlite3.Row) -> dict:
    return {**dict(row), "code": f"A{row['number']:03d}"}


@app.get("/api/v1/services")
def services():
    return jsonify([{"id": 1, "name": "Payments"}, {"id": 2, "name": "Returns"}])


@app.post("/api/v1/tickets")
def issue():
    service_id = int(request.get_json()["service_id"])
    conn = db()
    conn.execute("BEGIN IMMEDIATE")
    number = conn.execute(
        "SELECT coalesce(max(number), 0) + 1 FROM tickets WHERE service_id = ?", [service_id]
    ).fetchone()[0]
    row = conn.execute(
        "INSERT INTO tickets (service_id, service_day, number, status, created_at)"
        " VALUES (?, date('now'), ?, 'waiting', ?) RETURNING *",
        [service_id, number, datetime.now(UTC).isoformat()],
    ).fetchone()
    conn.execute("COMMIT")
    socketio.emit("queue", {"service_id": service_id, "number": number}, to="branch:1")
    return jsonify(ticket_json(row)), 201


@app.post("/api/v1/counters/<int:counter_id>/call-next")
def call_next(counter_id: int):
    conn = db()
    conn.execute("BEGIN IMMEDIATE")
    row = conn.execute(
        "UPDATE tickets SET status = 'called', counter_id = ? WHERE id = (SELECT id FROM"
        " tickets WHERE status = 'waiting' ORDER BY id LIMIT 1) RETURNING *",
        [counter_id],
    ).fetchone()
    conn.execute("COMMIT")
    if row is None:
        return "", 204
    ticket = ticket_json(row)
    socketio.emit(
        "called",
        {"ticket": {"code": ticket["code"]}, "counter": {"id": counter_id}},
        to="branch:1",
    )
    return jsonify(ticket)


@app.post("/api/v1/tickets/<int:ticket_id>/no-show")
def no_show(ticket_id: int):
    conn = db()
    conn.execute("BEGIN IMMEDIATE")
    row = conn.execute(
        "UPDATE tickets SET status = 'no_show' WHERE id = ? RETURNING *", [ticket_id]
    ).fetchone()
    conn.execute("COMMIT")
    return jsonify(ticket_json(row))


@app.get("/api/v1/stats")
def stats():
    """One plain pass over the tickets table, grouped by day."""
    rows = db().execute("SELECT service_day, count(*) FROM tickets GROUP BY service_day")
    return jsonify({day: n for day, n in rows})


@socketio.on("connect")
def connected(auth: dict | None = None) -> bool:
    return True


@socketio.on("subscribe")
def subscribe(data: dict) -> dict:
    join_room(data["room"])
    return {"ok": True, "room": data["room"], "seq": 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    options = parser.parse_args()
    app.config["DB"] = os.environ.get("SIRA_DB", "bare.db")
    held = connect(app.config["DB"])
    held.executescript(SCHEMA)
    server = pywsgi.WSGIServer(
        listener(options.host, options.port), app, handler_class=WebSocketHandler, log=None
    )
    server.serve_forever()


if __name__ == "__main__":
    main()
