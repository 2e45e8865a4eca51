"""Read connections are reused between requests, never handed out inside a transaction."""

from __future__ import annotations

import threading

from server.storage.pool import ConnectionPool


def test_a_given_back_connection_serves_the_next_request(db_path, store):
    pool = ConnectionPool(db_path)
    first = pool.take()
    pool.give_back(first)
    assert pool.take() is first


def test_a_connection_left_in_a_transaction_is_rolled_back(db_path, store):
    pool = ConnectionPool(db_path)
    db = pool.take()
    db.execute("BEGIN IMMEDIATE")
    db.execute("UPDATE branches SET name = 'half-done'")
    pool.give_back(db)
    again = pool.take()
    assert not again.conn.in_transaction
    assert "half-done" not in [row[0] for row in again.execute("SELECT name FROM branches")]


def test_at_most_keep_stay_idle(db_path, store):
    pool = ConnectionPool(db_path, keep=2)
    taken = [pool.take() for _ in range(4)]
    for db in taken:
        pool.give_back(db)
    assert len(pool.idle) == 2


def test_a_pooled_connection_may_serve_another_thread(db_path, store):
    pool = ConnectionPool(db_path)
    pool.give_back(pool.take())
    found = []
    reader = threading.Thread(
        target=lambda: found.append(pool.take().execute("SELECT count(*) FROM branches").fetchone())
    )
    reader.start()
    reader.join(10)
    assert found and found[0][0] >= 1
