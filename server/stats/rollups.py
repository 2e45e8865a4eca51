"""Summary rows the statistics read instead of tickets, kept by the engine as tickets move.

A ticket contributes to one row per service day and one per month (branch-local, from its
`service_day`), keyed by the service, counter, staff member (0: none) and channel it has now:
counts per status, sums and maximum of its wait and service time, whether it waited within its
service's target, its rating's score, sketches of the durations (sketch.py) and its local
weekday and hour of arrival. So a year reads a dozen month rows per key instead of its tickets.

A move can change a ticket's contribution after the fact (a transfer after service started, a
rating, an undo): `keep` subtracts the contribution recorded on the ticket (`stats_counted`) and
adds the one it has now, in the move's transaction, so the rows never drift. Within target is
judged against the target the ticket's service had when the ticket last moved.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlite_utils

from server.stats import sketch

# A day row's period is its service day (YYYY-MM-DD), a month row's the month (YYYY-MM).
SPANS = {"day": 10, "month": 7}
KEY = ("branch_id", "span", "period", "service_id", "counter_id", "user_id", "channel")
COUNTS = (
    "issued",
    "served",
    "no_show",
    "cancelled",
    "waited",
    "wait_ms",
    "within_target",
    "serviced",
    "service_ms",
    "rated",
    *(f"score_{score}" for score in range(1, 6)),
)
SKETCHES = ("wait_sketch", "service_sketch", "arrivals")
COLUMNS = (*KEY, *COUNTS, "wait_max_ms", *SKETCHES)
# The count a final status adds to; waiting, called and serving tickets add to none, so
# moves between them (start, recall) leave the rows alone.
STATUS_COUNTS = {"done": "served", "no_show": "no_show", "cancelled": "cancelled"}

_BY_KEY = " AND ".join(f"{column} = ?" for column in KEY)
READ_ROW = f"SELECT {', '.join(COLUMNS)} FROM stats_rollups WHERE {_BY_KEY}"
WRITE_ROW = (
    f"INSERT OR REPLACE INTO stats_rollups ({', '.join(COLUMNS)})"
    f" VALUES ({', '.join('?' * len(COLUMNS))})"
)
DELETE_ROW = f"DELETE FROM stats_rollups WHERE {_BY_KEY}"
# A ticket just issued adds one to `issued` and to its hour of arrival, nothing else: one
# statement per row, where any other move reads the row and writes it back.
_ISSUED_ROW = {
    **{column: f":{column}" for column in KEY},
    **dict.fromkeys(COUNTS, "0"),
    "issued": "1",
    "wait_max_ms": "NULL",
    "wait_sketch": "'{}'",
    "service_sketch": "'{}'",
    "arrivals": "json_object(:hour, 1)",
}
_HOUR = "'$.\"' || :hour || '\"'"
ADD_ISSUED = (
    f"INSERT INTO stats_rollups ({', '.join(_ISSUED_ROW)})"
    f" VALUES ({', '.join(_ISSUED_ROW.values())})"
    f" ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET issued = issued + 1,"
    f" arrivals = json_set(arrivals, {_HOUR}, coalesce(json_extract(arrivals, {_HOUR}), 0) + 1)"
)

TICKETS = """
SELECT tickets.id, tickets.branch_id, tickets.service_day, tickets.service_id,
    tickets.counter_id, tickets.user_id, tickets.channel, tickets.status, tickets.wait_ms,
    tickets.service_ms, tickets.rating_score, tickets.created_at, tickets.stats_counted,
    services.target_wait_s, branches.timezone
FROM tickets JOIN services ON services.id = tickets.service_id
JOIN branches ON branches.id = tickets.branch_id
"""
# The longest wait of a day row's tickets, one seek in tickets_rollup_max.
DAY_MAX = """
SELECT max(wait_ms) FROM tickets WHERE branch_id = ? AND service_day = ? AND service_id = ?
    AND counter_id IS ? AND user_id IS ? AND channel = ?
"""
# The longest wait of a month row: the largest of its days' rows.
MONTH_MAX = """
SELECT max(wait_max_ms) FROM stats_rollups WHERE branch_id = ? AND span = 'day'
    AND period BETWEEN ? || '-01' AND ? || '-31' AND service_id = ? AND counter_id = ?
    AND user_id = ? AND channel = ?
"""


@dataclass(frozen=True)
class Contribution:
    """What one ticket adds to the rows of its day and month."""

    branch_id: int
    day: str
    service_id: int
    counter_id: int
    user_id: int
    channel: str
    outcome: str | None  # the count its final status adds to (served, no_show, cancelled)
    wait_ms: int | None
    service_ms: int | None  # only a served ticket's
    score: int | None
    within_target: bool
    arrival: int  # local weekday (Monday 0) × 24 + hour

    @classmethod
    def of(cls, ticket: dict) -> Contribution:
        """A ticket's contribution now, from a row of TICKETS."""
        arrived = datetime.fromisoformat(ticket["created_at"]).astimezone(
            ZoneInfo(ticket["timezone"])
        )
        wait_ms = ticket["wait_ms"]
        return cls(
            ticket["branch_id"],
            ticket["service_day"],
            ticket["service_id"],
            ticket["counter_id"] or 0,
            ticket["user_id"] or 0,
            ticket["channel"],
            STATUS_COUNTS.get(ticket["status"]),
            wait_ms,
            ticket["service_ms"] if ticket["status"] == "done" else None,
            ticket["rating_score"],
            wait_ms is not None and wait_ms <= ticket["target_wait_s"] * 1000,
            arrived.weekday() * 24 + arrived.hour,
        )

    @classmethod
    def recorded(cls, stored: str | None) -> Contribution | None:
        """The contribution the rows hold for a ticket (None: not counted yet)."""
        return None if stored is None else cls(*json.loads(stored))

    @property
    def only_issued(self) -> bool:
        """Counted as issued and by its hour of arrival, and nothing else yet."""
        return (self.outcome, self.wait_ms, self.service_ms, self.score) == (None,) * 4

    def stored(self) -> str:
        return json.dumps(list(vars(self).values()))

    def key(self, span: str) -> tuple:
        """The row this contribution goes to, in the order of KEY."""
        period = self.day[: SPANS[span]]
        return (
            self.branch_id,
            span,
            period,
            self.service_id,
            self.counter_id,
            self.user_id,
            self.channel,
        )

    def add_to(self, row: dict, sign: int) -> None:
        """Add (sign 1) or take away (-1) this contribution; the maximum is the caller's."""
        row["issued"] += sign
        if self.outcome is not None:
            row[self.outcome] += sign
        if self.wait_ms is not None:
            row["waited"] += sign
            row["wait_ms"] += sign * self.wait_ms
            row["within_target"] += sign * self.within_target
            count(row, "wait_sketch", sketch.bucket(self.wait_ms), sign)
            if sign > 0 and (row["wait_max_ms"] or -1) < self.wait_ms:
                row["wait_max_ms"] = self.wait_ms
        if self.service_ms is not None:
            row["serviced"] += sign
            row["service_ms"] += sign * self.service_ms
            count(row, "service_sketch", sketch.bucket(self.service_ms), sign)
        if self.score is not None:
            row["rated"] += sign
            row[f"score_{self.score}"] += sign
        count(row, "arrivals", self.arrival, sign)


def count(row: dict, sketch_name: str, key: int, sign: int) -> None:
    """Add to one of a row's sketches (JSON: string keys), dropping buckets that reach zero.
    A row read from the table holds its sketches as JSON text until a move touches them."""
    counts = row[sketch_name]
    if isinstance(counts, str):
        counts = row[sketch_name] = json.loads(counts)
    left = counts.get(str(key), 0) + sign
    if left:
        counts[str(key)] = left
    else:
        counts.pop(str(key), None)


def empty_row(key: tuple) -> dict:
    return {
        **dict(zip(KEY, key, strict=True)),
        **dict.fromkeys(COUNTS, 0),
        "wait_max_ms": None,
        **{name: {} for name in SKETCHES},
    }


def keep(db: sqlite_utils.Database, ticket_ids: Iterable[int]) -> None:
    """Bring the rows up to date with tickets that just moved: inside the move's transaction."""
    ids = list(ticket_ids)
    placeholders = ", ".join("?" * len(ids))
    for ticket in db.execute(TICKETS + f" WHERE tickets.id IN ({placeholders})", ids).fetchall():
        now = Contribution.of(dict(ticket))
        before = Contribution.recorded(ticket["stats_counted"])
        if now == before:
            continue
        for span in SPANS:
            if before is None and now.only_issued:
                key = dict(zip(KEY, now.key(span), strict=True))
                db.execute(ADD_ISSUED, {**key, "hour": str(now.arrival)})
            else:
                _move_between_rows(db, span, before, now)
        db.execute(
            "UPDATE tickets SET stats_counted = ? WHERE id = ?", [now.stored(), ticket["id"]]
        )


def _move_between_rows(
    db: sqlite_utils.Database, span: str, before: Contribution | None, now: Contribution
) -> None:
    """Take `before` out of its row and put `now` in its own (the same row, mostly)."""
    rows: dict[tuple, dict] = {}
    for contribution in (before, now):
        if contribution is not None and contribution.key(span) not in rows:
            rows[contribution.key(span)] = _row(db, contribution.key(span))
    recount = None
    if before is not None:
        row = rows[before.key(span)]
        # Taking away the longest wait leaves the row's maximum unknown, unless the ticket
        # stays in the row with at least as long a wait.
        if before.wait_ms is not None and before.wait_ms == row["wait_max_ms"]:
            stays_longest = (
                before.key(span) == now.key(span) and (now.wait_ms or -1) >= before.wait_ms
            )
            recount = None if stays_longest else row
        before.add_to(row, -1)
    now.add_to(rows[now.key(span)], 1)
    if recount is not None:
        recount["wait_max_ms"] = _recount_max(db, recount)
    for row in rows.values():
        _write(db, row)


def _recount_max(db: sqlite_utils.Database, row: dict) -> int | None:
    """A row's longest wait once the longest left it: from the tickets (as they are now) for a
    day, from the day rows (written before the month's) for a month."""
    if row["span"] == "day":
        found = db.execute(
            DAY_MAX,
            [
                row["branch_id"],
                row["period"],
                row["service_id"],
                row["counter_id"] or None,
                row["user_id"] or None,
                row["channel"],
            ],
        )
    else:
        found = db.execute(
            MONTH_MAX,
            [
                row["branch_id"],
                row["period"],
                row["period"],
                row["service_id"],
                row["counter_id"],
                row["user_id"],
                row["channel"],
            ],
        )
    return found.fetchone()[0]


def _row(db: sqlite_utils.Database, key: tuple) -> dict:
    found = db.execute(READ_ROW, key).fetchone()
    return empty_row(key) if found is None else dict(found)


def _write(db: sqlite_utils.Database, row: dict) -> None:
    """Store a row, or drop it once no ticket counts in it."""
    if row["issued"] == 0:
        db.execute(DELETE_ROW, [row[column] for column in KEY])
        return
    db.execute(WRITE_ROW, [_stored(row[column]) for column in COLUMNS])


def _stored(value: object) -> object:
    return json.dumps(value) if isinstance(value, dict) else value


def recompute(db: sqlite_utils.Database, marks: list | None = None) -> dict[tuple, dict]:
    """Every row as the tickets make it now (the back-fill, and the tests' check); each
    ticket's (contribution, id) goes to `marks` when given."""
    rows: dict[tuple, dict] = {}
    for ticket in _all_tickets(db):
        contribution = Contribution.of(ticket)
        for span in SPANS:
            key = contribution.key(span)
            if key not in rows:
                rows[key] = empty_row(key)
            contribution.add_to(rows[key], 1)
        if marks is not None:
            marks.append((contribution.stored(), ticket["id"]))
    return rows


def _all_tickets(db: sqlite_utils.Database) -> Iterator[dict]:
    cursor = db.conn.cursor()
    cursor.row_factory = None
    names = None
    for row in cursor.execute(TICKETS + " ORDER BY tickets.id"):
        names = names or [column[0] for column in cursor.description]
        yield dict(zip(names, row, strict=True))


def back_fill(db: sqlite_utils.Database) -> None:
    """Build every row from the tickets (migration 0130), and mark what each ticket added."""
    marks: list[tuple[str, int]] = []
    rows = recompute(db, marks)
    db.execute("DELETE FROM stats_rollups")
    for row in rows.values():
        _write(db, row)
    db.conn.executemany("UPDATE tickets SET stats_counted = ? WHERE id = ?", marks)
