"""Versioned schema migrations, applied in order inside one transaction each.

A migration is a name and a list of SQL statements. Add new ones at the end; never edit one that
has shipped, since databases in stores have already run it. Numbers are grouped by area so that
parallel work does not collide: 0001–0009 queue core, 0010–0019 kiosk and printing, 0020–0029
workstation and display, 0030–0039 ratings and statistics, 0040–0049 administration and
security, 0050–0059 the write path, 0070–0079 holding under attack and faults, 0080–0089
printing lanes, 0090–0099 wait estimates, 0100–0109 staff, manager and admin pages, 0110–0119
customer screens, 0120–0129 joining the queue from a phone, 0130–0139 statistics from rollups.

A step is an SQL statement, or a function of the database for a back-fill that SQL alone
cannot compute (local hours in a named time zone).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlite_utils

from server.stats.rollups import back_fill
from server.storage.connection import transaction

Migration = tuple[str, list[str | Callable[[sqlite_utils.Database], None]]]

INITIAL: Migration = (
    "0001_initial",
    [
        """CREATE TABLE branches (
            id INTEGER PRIMARY KEY,
            slug TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            timezone TEXT NOT NULL DEFAULT 'UTC',
            languages TEXT NOT NULL DEFAULT '["en"]',
            day_starts_at TEXT NOT NULL DEFAULT '00:00'
        )""",
        """CREATE TABLE services (
            id INTEGER PRIMARY KEY,
            branch_id INTEGER NOT NULL REFERENCES branches(id),
            prefix TEXT NOT NULL,
            name TEXT NOT NULL,
            names TEXT NOT NULL DEFAULT '{}',
            target_wait_s INTEGER NOT NULL DEFAULT 900,
            sort_order INTEGER NOT NULL DEFAULT 0,
            active INTEGER NOT NULL DEFAULT 1,
            UNIQUE (branch_id, prefix)
        )""",
        """CREATE TABLE counters (
            id INTEGER PRIMARY KEY,
            branch_id INTEGER NOT NULL REFERENCES branches(id),
            name TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1
        )""",
        """CREATE TABLE counter_services (
            counter_id INTEGER NOT NULL REFERENCES counters(id),
            service_id INTEGER NOT NULL REFERENCES services(id),
            PRIMARY KEY (counter_id, service_id)
        )""",
        """CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            display_name TEXT NOT NULL DEFAULT '',
            password_hash TEXT,
            role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'staff')),
            active INTEGER NOT NULL DEFAULT 1
        )""",
        """CREATE TABLE devices (
            id INTEGER PRIMARY KEY,
            branch_id INTEGER NOT NULL REFERENCES branches(id),
            kind TEXT NOT NULL CHECK (kind IN ('kiosk', 'display', 'feedback')),
            name TEXT NOT NULL,
            token_hash TEXT UNIQUE,
            counter_id INTEGER REFERENCES counters(id),
            printer_uri TEXT,
            printer_profile TEXT,
            paper_width_mm INTEGER NOT NULL DEFAULT 80,
            last_seen_at TEXT
        )""",
        """CREATE TABLE tickets (
            id INTEGER PRIMARY KEY,
            branch_id INTEGER NOT NULL REFERENCES branches(id),
            service_id INTEGER NOT NULL REFERENCES services(id),
            service_day TEXT NOT NULL,
            number INTEGER NOT NULL,
            code TEXT NOT NULL,
            token TEXT NOT NULL UNIQUE,
            status TEXT NOT NULL CHECK (status IN
                ('waiting', 'called', 'serving', 'done', 'no_show', 'cancelled')),
            priority TEXT,
            customer_name TEXT,
            language TEXT NOT NULL DEFAULT 'en',
            created_at TEXT NOT NULL,
            queued_at TEXT NOT NULL,
            called_at TEXT,
            started_at TEXT,
            finished_at TEXT,
            counter_id INTEGER REFERENCES counters(id),
            user_id INTEGER REFERENCES users(id),
            recall_count INTEGER NOT NULL DEFAULT 0,
            UNIQUE (branch_id, service_day, code)
        )""",
        "CREATE INDEX tickets_queue ON tickets (service_id, service_day, status)",
        """CREATE TABLE ticket_events (
            id INTEGER PRIMARY KEY,
            ticket_id INTEGER NOT NULL REFERENCES tickets(id),
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            counter_id INTEGER REFERENCES counters(id),
            user_id INTEGER REFERENCES users(id),
            data TEXT NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id)",
        """CREATE TABLE ratings (
            ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),
            score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
            comment TEXT,
            channel TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE print_jobs (
            id INTEGER PRIMARY KEY,
            ticket_id INTEGER NOT NULL REFERENCES tickets(id),
            device_id INTEGER REFERENCES devices(id),
            status TEXT NOT NULL DEFAULT 'queued',
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            created_at TEXT NOT NULL,
            printed_at TEXT
        )""",
        """CREATE TABLE number_sequences (
            service_id INTEGER NOT NULL REFERENCES services(id),
            service_day TEXT NOT NULL,
            last_number INTEGER NOT NULL,
            PRIMARY KEY (service_id, service_day)
        )""",
    ],
)

QUEUE_ORDER_AND_TOKENS: Migration = (
    "0002_queue_order_and_tokens",
    [
        # The branch's change counter: every change bumps it once, events carry it.
        "ALTER TABLE branches ADD COLUMN seq INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE branches ADD COLUMN default_language TEXT NOT NULL DEFAULT 'en'",
        # Tickets transferred in go before the rest of the queue (after priority needs).
        "ALTER TABLE tickets ADD COLUMN transferred INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE tickets ADD COLUMN idempotency_key TEXT",
        "CREATE UNIQUE INDEX tickets_idempotency ON tickets (branch_id, idempotency_key)"
        " WHERE idempotency_key IS NOT NULL",
        "CREATE INDEX tickets_day_status ON tickets (branch_id, service_day, status)",
        "CREATE INDEX ticket_events_at ON ticket_events (at)",
        # Recent service times per service, for the estimated wait.
        "CREATE INDEX tickets_recent_done ON tickets (service_id, status, finished_at)",
        """CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            last_used_at TEXT
        )""",
        "ALTER TABLE devices ADD COLUMN revoked_at TEXT",
    ],
)

STORE_SETTINGS: Migration = (
    "0003_store_settings",
    [
        # Branding and texts shown on tickets, the kiosk and the boards (set by admins).
        "ALTER TABLE branches ADD COLUMN logo_path TEXT",
        "ALTER TABLE branches ADD COLUMN ticket_footer TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE branches ADD COLUMN ticker_message TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE branches ADD COLUMN priority_enabled INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE branches ADD COLUMN opening_hours TEXT NOT NULL DEFAULT '{}'",
        "ALTER TABLE services ADD COLUMN priority_allowed INTEGER NOT NULL DEFAULT 1",
        # A paused counter (staff on a break) receives no calls and does not count as open.
        "ALTER TABLE counters ADD COLUMN sort_order INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE counters ADD COLUMN paused_at TEXT",
        "ALTER TABLE counters ADD COLUMN pause_reason TEXT",
        # What the device's printer last reported: online, paper_low, paper_out, offline.
        "ALTER TABLE devices ADD COLUMN printer_status TEXT",
        "ALTER TABLE devices ADD COLUMN printer_status_at TEXT",
        "ALTER TABLE devices ADD COLUMN created_at TEXT",
    ],
)

PRINT_QUEUE: Migration = (
    "0010_print_queue",
    [
        # What is printed (a ticket's first print or a staff reprint) and by whom it was asked.
        "ALTER TABLE print_jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'ticket'",
        "ALTER TABLE print_jobs ADD COLUMN requested_by INTEGER REFERENCES users(id)",
        # The ticket's paper as the customer was told it at the kiosk (JSON snapshot).
        "ALTER TABLE print_jobs ADD COLUMN data TEXT NOT NULL DEFAULT '{}'",
        # Retries with backoff, and the claim of the worker that is sending the job.
        "ALTER TABLE print_jobs ADD COLUMN next_attempt_at TEXT",
        "ALTER TABLE print_jobs ADD COLUMN claimed_at TEXT",
        "CREATE INDEX print_jobs_due ON print_jobs (status, next_attempt_at)",
        "CREATE INDEX print_jobs_ticket ON print_jobs (ticket_id, device_id)",
        "CREATE INDEX print_jobs_device ON print_jobs (device_id, status)",
    ],
)

COUNTER_EVENTS: Migration = (
    "0020_counter_events",
    [
        # What happened to a counter rather than to a ticket (a pause and its reason, a resume),
        # kept like ticket_events so the manager can see who paused, when and for how long.
        """CREATE TABLE counter_events (
            id INTEGER PRIMARY KEY,
            counter_id INTEGER NOT NULL REFERENCES counters(id),
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            user_id INTEGER REFERENCES users(id),
            data TEXT NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX counter_events_counter ON counter_events (counter_id, at)",
    ],
)

RATINGS_AND_STATISTICS: Migration = (
    "0030_ratings_and_statistics",
    [
        # The reason chips a customer ticked with the score, as a JSON list of codes.
        "ALTER TABLE ratings ADD COLUMN reasons TEXT NOT NULL DEFAULT '[]'",
        # A manager's follow-up of a low rating: when, by whom, and what was done.
        "ALTER TABLE ratings ADD COLUMN followed_up_at TEXT",
        "ALTER TABLE ratings ADD COLUMN followed_up_by INTEGER REFERENCES users(id)",
        "ALTER TABLE ratings ADD COLUMN follow_up_note TEXT",
        "CREATE INDEX ratings_low ON ratings (score, created_at) WHERE score <= 2",
        # Statistics read a branch's tickets by service day, then per service, counter or staff.
        "CREATE INDEX tickets_stats ON tickets (branch_id, service_day, service_id)",
        "CREATE INDEX tickets_counter_day ON tickets (counter_id, service_day)",
        "CREATE INDEX tickets_user_day ON tickets (user_id, service_day)",
        # Tickets that went back to a queue (transferred, parked): their waits come from events.
        "CREATE INDEX tickets_requeued ON tickets (branch_id, service_day)"
        " WHERE queued_at <> created_at",
    ],
)

# A stretch of time in milliseconds, exactly as julianday() counts it (whole milliseconds).
_ELAPSED_MS = "CAST(round((julianday({end}) - julianday({start})) * 86400000) AS INTEGER)"

STORED_DURATIONS: Migration = (
    "0031_stored_durations",
    [
        # Per ticket, kept by the queue engine as the ticket moves, so statistics over a year
        # read an index instead of recomputing every ticket: the time waited in queues and
        # served at counters summed over spells (ms), both in whole seconds (percentiles), the
        # rating's score, and the ten-minute UTC slot of arrival (unixepoch / 600).
        "ALTER TABLE tickets ADD COLUMN wait_ms INTEGER",
        "ALTER TABLE tickets ADD COLUMN service_ms INTEGER",
        "ALTER TABLE tickets ADD COLUMN wait_whole_s INTEGER",
        "ALTER TABLE tickets ADD COLUMN service_whole_s INTEGER",
        "ALTER TABLE tickets ADD COLUMN rating_score INTEGER",
        "ALTER TABLE tickets ADD COLUMN arrival_slot INTEGER",
        # Back-fill as 0030's statistics computed them: from the ticket's own timestamps when it
        # never went back to a queue, else from its events (issued, transferred or parked to
        # called is a wait; started to finished, transferred or parked is service).
        "UPDATE tickets SET wait_ms = "
        + _ELAPSED_MS.format(start="created_at", end="called_at")
        + ", service_ms = "
        + _ELAPSED_MS.format(start="started_at", end="finished_at")
        + " WHERE queued_at = created_at",
        """UPDATE tickets SET wait_ms = spells.wait_ms, service_ms = spells.service_ms
        FROM (
            SELECT ticket_id,
                sum(CASE WHEN kind = 'called' AND kind_before IN ('issued', 'transferred', 'parked')
                    THEN """
        + _ELAPSED_MS.format(start="at_before", end="at")
        + """ END) AS wait_ms,
                sum(CASE WHEN kind IN ('finished', 'transferred', 'parked')
                    AND kind_before = 'started' THEN """
        + _ELAPSED_MS.format(start="at_before", end="at")
        + """ END) AS service_ms
            FROM (
                SELECT ticket_id, kind, at, lag(kind) OVER by_ticket AS kind_before,
                    lag(at) OVER by_ticket AS at_before
                FROM ticket_events
                WHERE ticket_id IN (SELECT id FROM tickets WHERE queued_at <> created_at)
                    AND kind IN ('issued', 'transferred', 'parked', 'called', 'started', 'finished')
                WINDOW by_ticket AS (PARTITION BY ticket_id ORDER BY id)
            )
            GROUP BY ticket_id
        ) AS spells
        WHERE tickets.id = spells.ticket_id""",
        "UPDATE tickets SET wait_whole_s = CAST(round(wait_ms / 1000.0) AS INTEGER),"
        " service_whole_s = CAST(round(service_ms / 1000.0) AS INTEGER),"
        " arrival_slot = unixepoch(created_at) / 600",
        "UPDATE tickets SET rating_score = ratings.score FROM ratings"
        " WHERE ratings.ticket_id = tickets.id",
        # Read in the order each statistic groups by, so no pass sorts a year of tickets.
        "CREATE INDEX tickets_wait_bins ON tickets (branch_id, wait_whole_s, service_id,"
        " counter_id, user_id, service_day, status, wait_ms)",
        "CREATE INDEX tickets_service_bins ON tickets (branch_id, service_whole_s, service_id,"
        " counter_id, user_id, service_day, status, service_ms) WHERE status = 'done'",
        "CREATE INDEX tickets_ratings ON tickets (branch_id, rating_score, service_id, counter_id,"
        " user_id, service_day) WHERE rating_score IS NOT NULL",
        "CREATE INDEX tickets_daily ON tickets (branch_id, service_day, status, rating_score,"
        " service_id, counter_id, user_id, wait_ms)",
        "CREATE INDEX tickets_arrivals ON tickets (branch_id, service_day, arrival_slot,"
        " service_id, counter_id, user_id)",
        # Waits no longer come from events at read time.
        "DROP INDEX tickets_requeued",
    ],
)

ADMIN_AND_SECURITY: Migration = (
    "0040_admin_and_security",
    [
        # Who did what, when: administrative changes, sign-ins and device pairing.
        """CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user_id INTEGER REFERENCES users(id),
            device_id INTEGER REFERENCES devices(id),
            action TEXT NOT NULL,
            target_kind TEXT,
            target_id INTEGER,
            summary TEXT NOT NULL DEFAULT '',
            address TEXT
        )""",
        "CREATE INDEX audit_log_at ON audit_log (at)",
        # Store-wide settings (the store name on tickets and boards).
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "ALTER TABLE branches ADD COLUMN active INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE branches ADD COLUMN sort_order INTEGER NOT NULL DEFAULT 0",
        "UPDATE branches SET sort_order = id",
        "UPDATE counters SET sort_order = id WHERE sort_order = 0",
        # A one-time pairing code (hashed) that a device trades for its long-lived token.
        "ALTER TABLE devices ADD COLUMN pairing_code_hash TEXT",
        "ALTER TABLE devices ADD COLUMN pairing_expires_at TEXT",
        "ALTER TABLE devices ADD COLUMN paired_at TEXT",
        "CREATE UNIQUE INDEX devices_pairing_code ON devices (pairing_code_hash)"
        " WHERE pairing_code_hash IS NOT NULL",
        # Bumped on a password reset or deactivation: older sessions stop working.
        "ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE users ADD COLUMN created_at TEXT",
        # Open Socket.IO connections of staff and devices, so revoking one can disconnect it
        # in whichever server process holds the connection.
        """CREATE TABLE live_connections (
            sid TEXT PRIMARY KEY,
            user_id INTEGER REFERENCES users(id),
            device_id INTEGER REFERENCES devices(id),
            connected_at TEXT NOT NULL
        )""",
        "CREATE INDEX live_connections_device ON live_connections (device_id)",
        "CREATE INDEX live_connections_user ON live_connections (user_id)",
    ],
)

CHEAP_CHANGES: Migration = (
    "0050_cheap_changes",
    [
        # A waiting ticket's place counts the entries ahead of it here, without reading a row;
        # the queue's length and its oldest arrival come from it too.
        "CREATE INDEX tickets_waiting ON tickets (service_id, service_day, status, queued_at,"
        " transferred, priority) WHERE status = 'waiting'",
        # Who is at which counter, and the tickets left waiting from earlier days: a handful
        # of rows each, never the branch's history.
        "CREATE INDEX tickets_at_branch_counters ON tickets (branch_id)"
        " WHERE status IN ('called', 'serving')",
        "CREATE INDEX tickets_at_counter ON tickets (counter_id)"
        " WHERE status IN ('called', 'serving')",
        "CREATE INDEX tickets_waiting_days ON tickets (branch_id, status, service_day)"
        " WHERE status = 'waiting'",
    ],
)

SESSIONS_AND_TOKENS: Migration = (
    "0070_sessions_and_tokens",
    [
        # Staff sign-ins kept on the server: signing out deletes the row, so a copied cookie
        # stops working. Only a hash of the session key (which lives in the signed cookie).
        """CREATE TABLE staff_sessions (
            key_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX staff_sessions_user ON staff_sessions (user_id)",
        # A revoked bearer token stays listed (who made it, when it was revoked).
        "ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT",
        "CREATE INDEX api_tokens_user ON api_tokens (user_id)",
    ],
)

IDEMPOTENCY_BINDING: Migration = (
    "0071_idempotency_binding",
    [
        # What the first request with a key asked for: the key replays only that request.
        # (Keys are now stored with their caller, "device:7:<key>", so older ones never match.)
        "ALTER TABLE tickets ADD COLUMN idempotency_fingerprint TEXT",
    ],
)

PRINT_LANES: Migration = (
    "0080_print_lanes",
    [
        # Which worker (host:pid:start) sends a job, so a dead process's claims are taken back
        # at once; and how often the printer tore the job off mid-ticket.
        "ALTER TABLE print_jobs ADD COLUMN claimed_by TEXT",
        "ALTER TABLE print_jobs ADD COLUMN torn INTEGER NOT NULL DEFAULT 0",
    ],
)

# The four offered pause reasons as the workstation stored them before, in each language.
LEGACY_PAUSE_LABELS = {
    "break": ("Break", "Mola", "Rehat sebentar"),
    "lunch": ("Lunch", "Öğle yemeği", "Makan tengah hari"),
    "paperwork": ("Paperwork", "Evrak işleri", "Kerja dokumen"),
    "helping": ("Helping a colleague", "Bir iş arkadaşına yardım", "Membantu rakan sekerja"),
}
PAUSE_REASON_CODES: Migration = (
    "0100_pause_reason_codes",
    [
        # A pause keeps a reason code (shown in each reader's language) and, for "other", the
        # clerk's own words. Labels stored before become their code; anything typed, a note.
        "ALTER TABLE counters ADD COLUMN pause_note TEXT",
        *(
            f"UPDATE counters SET pause_reason = '{code}' WHERE pause_reason IN"
            f" ({', '.join(repr(label) for label in labels)})"
            for code, labels in LEGACY_PAUSE_LABELS.items()
        ),
        "UPDATE counters SET pause_note = pause_reason, pause_reason = 'other'"
        " WHERE pause_reason IS NOT NULL"
        " AND pause_reason NOT IN ('break', 'lunch', 'paperwork', 'helping')",
    ],
)

COUNTER_EVENTS_INDEX: Migration = (
    "0101_ticket_events_by_counter",
    [
        # The workstation reads its counter's latest ticket event (is there a move to undo?).
        "CREATE INDEX ticket_events_counter ON ticket_events (counter_id, id)",
    ],
)

COUNTER_NAMES: Migration = (
    "0110_counter_names",
    [
        # A counter's name per language ({"tr": "Gişe 3"}), as services have: boards, phones,
        # feedback screens and announcements use the customer's or the board's language.
        "ALTER TABLE counters ADD COLUMN names TEXT NOT NULL DEFAULT '{}'",
    ],
)

BOARD_SETTINGS: Migration = (
    "0111_board_settings",
    [
        # A display board's label languages (["tr", "en"]: rotated; [] = the branch's) and the
        # services it shows ([] = all), set by an admin when it is paired.
        "ALTER TABLE devices ADD COLUMN languages TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE devices ADD COLUMN service_ids TEXT NOT NULL DEFAULT '[]'",
    ],
)

REMOTE_JOINING: Migration = (
    "0120_remote_joining",
    [
        # Where a ticket came from (kiosk, phone, staff), the phone that joined remotely (its
        # signed cookie's id: one active remote ticket per phone and branch), and how often its
        # holder asked for more time.
        "ALTER TABLE tickets ADD COLUMN channel TEXT NOT NULL DEFAULT 'kiosk'",
        "ALTER TABLE tickets ADD COLUMN phone_id TEXT",
        "ALTER TABLE tickets ADD COLUMN more_time_count INTEGER NOT NULL DEFAULT 0",
        "UPDATE tickets SET channel = 'staff' WHERE id IN"
        " (SELECT ticket_id FROM ticket_events WHERE kind = 'issued' AND user_id IS NOT NULL)",
        "CREATE INDEX tickets_phone ON tickets (branch_id, phone_id, status)"
        " WHERE phone_id IS NOT NULL",
        "CREATE INDEX tickets_channel ON tickets (branch_id, service_day, channel, status)",
        # The store's rules for joining from a phone: off until an admin opens it; it closes a
        # set time before the branch closes; caps on remote tickets waiting and on the queue
        # length past which no remote ticket is issued (NULL: no cap).
        "ALTER TABLE branches ADD COLUMN remote_joining INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE branches ADD COLUMN remote_closes_before_min INTEGER NOT NULL DEFAULT 30",
        "ALTER TABLE branches ADD COLUMN remote_max_waiting INTEGER",
        "ALTER TABLE branches ADD COLUMN remote_max_queue INTEGER",
        # A service follows its branch unless it says otherwise (NULL: as the branch).
        "ALTER TABLE services ADD COLUMN remote_joining INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE services ADD COLUMN remote_closes_before_min INTEGER",
        "ALTER TABLE services ADD COLUMN remote_max_waiting INTEGER",
        "ALTER TABLE services ADD COLUMN remote_max_queue INTEGER",
    ],
)

ON_MY_WAY: Migration = (
    "0121_on_my_way",
    [
        # When the holder answered "Are you on your way?" with yes: the counter sees it.
        "ALTER TABLE tickets ADD COLUMN on_my_way_at TEXT",
    ],
)

WAIT_ESTIMATES: Migration = (
    "0090_wait_estimates",
    [
        # Who works at a counter now: a counter is open while someone is signed in at it (and it
        # is not paused). `heartbeat_at` is the last sign of life of the workstation's socket;
        # counters opened without one (through the API) do not time out.
        "ALTER TABLE counters ADD COLUMN staffed_by INTEGER REFERENCES users(id)",
        "ALTER TABLE counters ADD COLUMN staffed_at TEXT",
        "ALTER TABLE counters ADD COLUMN heartbeat_at TEXT",
        "CREATE INDEX counters_staffed_by ON counters (staffed_by) WHERE staffed_by IS NOT NULL",
        # The estimated wait told to the customer when the ticket was issued (NULL when no
        # counter serving it was open), so the dashboard can measure how far it was right.
        "ALTER TABLE tickets ADD COLUMN eta_at_issue_s INTEGER",
        # The model learns walk-up times and no-shows from a branch's latest calls.
        "CREATE INDEX tickets_calls ON tickets (branch_id, called_at) WHERE called_at IS NOT NULL",
    ],
)

ESTIMATE_WINDOWS: Migration = (
    "0091_estimate_windows",
    [
        # The wait model's arrivals of the last hour (and the day's first ticket) on every
        # change: a range of today's latest entries, never the whole day or the branch's history.
        "CREATE INDEX tickets_day_created ON tickets (branch_id, service_day, created_at)",
    ],
)

STATISTICS_FROM_ROLLUPS: Migration = (
    "0130_statistics_from_rollups",
    [
        # Summary rows per service day and per month × service × counter × staff member (0:
        # none) × channel, kept by the engine with each move (server/stats/rollups.py): counts,
        # sums, the longest wait, sketches of the durations and arrivals by local weekday-hour.
        """CREATE TABLE stats_rollups (
            branch_id INTEGER NOT NULL REFERENCES branches(id),
            span TEXT NOT NULL CHECK (span IN ('day', 'month')),
            period TEXT NOT NULL,
            service_id INTEGER NOT NULL,
            counter_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            channel TEXT NOT NULL,
            issued INTEGER NOT NULL,
            served INTEGER NOT NULL,
            no_show INTEGER NOT NULL,
            cancelled INTEGER NOT NULL,
            waited INTEGER NOT NULL,
            wait_ms INTEGER NOT NULL,
            within_target INTEGER NOT NULL,
            serviced INTEGER NOT NULL,
            service_ms INTEGER NOT NULL,
            rated INTEGER NOT NULL,
            score_1 INTEGER NOT NULL,
            score_2 INTEGER NOT NULL,
            score_3 INTEGER NOT NULL,
            score_4 INTEGER NOT NULL,
            score_5 INTEGER NOT NULL,
            wait_max_ms INTEGER,
            wait_sketch TEXT NOT NULL,
            service_sketch TEXT NOT NULL,
            arrivals TEXT NOT NULL,
            PRIMARY KEY (branch_id, span, period, service_id, counter_id, user_id, channel)
        )""",
        # What each ticket adds to the rows, so a later move can take exactly that back out.
        "ALTER TABLE tickets ADD COLUMN stats_counted TEXT",
        # A day row's longest wait, found again in one seek when the longest leaves the row.
        "CREATE INDEX tickets_rollup_max ON tickets (branch_id, service_day, service_id,"
        " counter_id, user_id, channel, wait_ms)",
        back_fill,
        # The statistics no longer read tickets: every move stops updating these.
        "DROP INDEX tickets_wait_bins",
        "DROP INDEX tickets_service_bins",
        "DROP INDEX tickets_ratings",
        "DROP INDEX tickets_daily",
        "DROP INDEX tickets_arrivals",
    ],
)

# Each queue's length, kept by triggers on every way a ticket joins or leaves a queue (an
# issue, a call, a transfer, a park, a new day's cleanup, a purge): the kiosk, the board and
# every change read it in one seek instead of counting a queue's entries in the index.
JOIN_QUEUE = (
    "INSERT INTO queue_lengths (service_id, service_day, waiting)"
    " VALUES (NEW.service_id, NEW.service_day, 1)"
    " ON CONFLICT (service_id, service_day) DO UPDATE SET waiting = waiting + 1;"
)
LEAVE_QUEUE = (
    "UPDATE queue_lengths SET waiting = waiting - 1"
    " WHERE service_id = OLD.service_id AND service_day = OLD.service_day;"
)
MOVED = "AFTER UPDATE OF status, service_id, service_day ON tickets"

QUEUE_LENGTHS: Migration = (
    "0140_queue_lengths",
    [
        """CREATE TABLE queue_lengths (
            service_id INTEGER NOT NULL,
            service_day TEXT NOT NULL,
            waiting INTEGER NOT NULL,
            PRIMARY KEY (service_id, service_day)
        ) WITHOUT ROWID""",
        "INSERT INTO queue_lengths (service_id, service_day, waiting)"
        " SELECT service_id, service_day, count(*) FROM tickets WHERE status = 'waiting'"
        " GROUP BY service_id, service_day",
        "CREATE TRIGGER queue_join_issued AFTER INSERT ON tickets"
        f" WHEN NEW.status = 'waiting' BEGIN {JOIN_QUEUE} END",
        f"CREATE TRIGGER queue_leave {MOVED} WHEN OLD.status = 'waiting' BEGIN {LEAVE_QUEUE} END",
        f"CREATE TRIGGER queue_join {MOVED} WHEN NEW.status = 'waiting' BEGIN {JOIN_QUEUE} END",
        "CREATE TRIGGER queue_leave_deleted AFTER DELETE ON tickets"
        f" WHEN OLD.status = 'waiting' BEGIN {LEAVE_QUEUE} END",
        # The wait model reads the branch's whole queue in calling order (QUEUE_ORDER) on every
        # change that is not a ticket joining the end: in this order, with no sort.
        "CREATE INDEX tickets_queue_order ON tickets (branch_id, service_day,"
        " (priority IS NOT NULL) DESC, transferred DESC, queued_at, id, service_id)"
        " WHERE status = 'waiting'",
        # A prefix of tickets_rollup_max, which serves every query it did: one index less to
        # keep up to date on every issue.
        "DROP INDEX tickets_stats",
    ],
)

# What the wait model learns from a branch's history (server/engine/estimates.py) changes only
# when a ticket enters, leaves or changes among its finished services and answered calls, or a
# pause ends: then these triggers bump the branch's history_seq, and a change that leaves it as
# it was (a call, a ticket issued) uses what was learned before instead of reading it again.
IN_HISTORY = "({row}.started_at IS NOT NULL OR {row}.status = 'no_show')"


def history_changed(*branches: str) -> str:
    return f"UPDATE branches SET history_seq = history_seq + 1 WHERE id IN ({', '.join(branches)});"


def branch_of_counter(row: str) -> str:
    return f"(SELECT branch_id FROM counters WHERE id = {row}.counter_id)"


HISTORY_SEQ: Migration = (
    "0150_history_seq",
    [
        "ALTER TABLE branches ADD COLUMN history_seq INTEGER NOT NULL DEFAULT 0",
        "CREATE TRIGGER history_ticket_added AFTER INSERT ON tickets"
        f" WHEN {IN_HISTORY.format(row='NEW')}"
        f" BEGIN {history_changed('NEW.branch_id')} END",
        "CREATE TRIGGER history_ticket_moved AFTER UPDATE OF status, service_id, counter_id,"
        " called_at, started_at, finished_at, branch_id ON tickets"
        f" WHEN {IN_HISTORY.format(row='OLD')} OR {IN_HISTORY.format(row='NEW')}"
        f" BEGIN {history_changed('OLD.branch_id', 'NEW.branch_id')} END",
        "CREATE TRIGGER history_ticket_deleted AFTER DELETE ON tickets"
        f" WHEN {IN_HISTORY.format(row='OLD')}"
        f" BEGIN {history_changed('OLD.branch_id')} END",
        "CREATE TRIGGER history_pause_added AFTER INSERT ON counter_events"
        f" WHEN NEW.kind = 'resumed' BEGIN {history_changed(branch_of_counter('NEW'))} END",
        "CREATE TRIGGER history_pause_moved AFTER UPDATE ON counter_events"
        " WHEN OLD.kind = 'resumed' OR NEW.kind = 'resumed' BEGIN"
        f" {history_changed(branch_of_counter('OLD'), branch_of_counter('NEW'))} END",
        "CREATE TRIGGER history_pause_deleted AFTER DELETE ON counter_events"
        f" WHEN OLD.kind = 'resumed' BEGIN {history_changed(branch_of_counter('OLD'))} END",
        "CREATE TRIGGER history_counter_moved AFTER UPDATE OF branch_id ON counters"
        f" BEGIN {history_changed('OLD.branch_id', 'NEW.branch_id')} END",
        "CREATE TRIGGER history_service_moved AFTER UPDATE OF branch_id ON services"
        f" BEGIN {history_changed('OLD.branch_id', 'NEW.branch_id')} END",
    ],
)

MIGRATIONS: list[Migration] = [
    INITIAL,
    QUEUE_ORDER_AND_TOKENS,
    STORE_SETTINGS,
    PRINT_QUEUE,
    COUNTER_EVENTS,
    RATINGS_AND_STATISTICS,
    STORED_DURATIONS,
    ADMIN_AND_SECURITY,
    CHEAP_CHANGES,
    SESSIONS_AND_TOKENS,
    IDEMPOTENCY_BINDING,
    PRINT_LANES,
    WAIT_ESTIMATES,
    ESTIMATE_WINDOWS,
    PAUSE_REASON_CODES,
    COUNTER_EVENTS_INDEX,
    COUNTER_NAMES,
    BOARD_SETTINGS,
    REMOTE_JOINING,
    ON_MY_WAY,
    STATISTICS_FROM_ROLLUPS,
    QUEUE_LENGTHS,
    HISTORY_SEQ,
]


def applied(db: sqlite_utils.Database) -> set[str]:
    """Names of the migrations this database has already run."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    return {row[0] for row in db.execute("SELECT name FROM _migrations").fetchall()}


def migrate(db: sqlite_utils.Database, migrations: list[Migration] | None = None) -> list[str]:
    """Bring the schema up to date in place; returns the names of the migrations just run."""
    done = applied(db)
    ran = []
    for name, statements in migrations if migrations is not None else MIGRATIONS:
        if name in done:
            continue
        with transaction(db):
            for statement in statements:
                if callable(statement):
                    statement(db)
                else:
                    db.execute(statement)
            db.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                [name, datetime.now(UTC).isoformat()],
            )
        ran.append(name)
    return ran
