"""DDL for each schema version; migrations.py applies them in order.

Never edit a released step: add a new one. A file at version N was built by
exactly the steps up to N, and the migration tests rebuild every such file.
"""

from __future__ import annotations

# Version 1: every table. Events and deliveries keep the connection id as a
# plain value (no foreign key) so history survives removing a connection.
V1_TABLES = [
    """
    CREATE TABLE connections (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        url TEXT NOT NULL,
        database TEXT NOT NULL,
        login TEXT NOT NULL,
        credential TEXT NOT NULL,
        credential_kind TEXT NOT NULL,
        protocol TEXT NOT NULL,
        detected_protocol TEXT,
        server_version TEXT,
        uid INTEGER,
        status TEXT NOT NULL,
        status_reason TEXT,
        status_changed_at REAL,
        interval_seconds INTEGER NOT NULL,
        next_sync_at REAL,
        last_sync_at REAL,
        last_success_at REAL,
        backoff_attempt INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    )
    """,
    """
    CREATE TABLE api_tokens (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
        token_hash TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        created_at REAL NOT NULL,
        revoked_at REAL
    )
    """,
    """
    CREATE TABLE streams (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        model TEXT NOT NULL,
        domain TEXT NOT NULL,
        fields TEXT NOT NULL,
        enabled INTEGER NOT NULL,
        available INTEGER,
        unavailable_reason TEXT,
        cursor_write_date REAL,
        cursor_id INTEGER,
        runs_since_reconcile INTEGER NOT NULL DEFAULT 0,
        last_reconciled_at REAL,
        last_synced_at REAL,
        UNIQUE (connection_id, name)
    )
    """,
    """
    CREATE TABLE sync_runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
        trigger TEXT NOT NULL,
        streams TEXT NOT NULL,
        started_at REAL NOT NULL,
        finished_at REAL,
        status TEXT NOT NULL,
        created INTEGER NOT NULL DEFAULT 0,
        updated INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        unchanged INTEGER NOT NULL DEFAULT 0,
        pages INTEGER NOT NULL DEFAULT 0,
        error_class TEXT,
        error_message TEXT,
        stream_results TEXT NOT NULL DEFAULT '[]'
    )
    """,
    """
    CREATE TABLE records (
        stream_id INTEGER NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
        odoo_id INTEGER NOT NULL,
        connection_id INTEGER NOT NULL,
        model TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        write_date REAL,
        data TEXT NOT NULL,
        deleted_at REAL,
        updated_at REAL NOT NULL,
        change_seq INTEGER NOT NULL,
        PRIMARY KEY (stream_id, odoo_id)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    )
    """,
    """
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        connection_id INTEGER,
        created_at REAL NOT NULL,
        data TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE endpoints (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        url TEXT NOT NULL,
        secret TEXT NOT NULL,
        previous_secret TEXT,
        previous_secret_expires_at REAL,
        event_types TEXT NOT NULL,
        connection_id INTEGER,
        description TEXT NOT NULL DEFAULT '',
        enabled INTEGER NOT NULL DEFAULT 1,
        disabled_reason TEXT,
        max_in_flight INTEGER NOT NULL,
        created_at REAL NOT NULL,
        removed_at REAL
    )
    """,
    """
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        event_seq INTEGER NOT NULL REFERENCES events(seq),
        event_type TEXT NOT NULL,
        connection_id INTEGER,
        endpoint_id INTEGER NOT NULL REFERENCES endpoints(id),
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        first_attempt_at REAL,
        next_attempt_at REAL,
        deadline_at REAL,
        last_status_code INTEGER,
        last_error_class TEXT,
        last_error TEXT,
        succeeded_at REAL,
        updated_at REAL NOT NULL,
        lease_owner TEXT,
        lease_token TEXT,
        lease_expires_at REAL
    )
    """,
    """
    CREATE TABLE delivery_attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        delivery_id INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        started_at REAL NOT NULL,
        duration_ms REAL NOT NULL,
        status_code INTEGER,
        error_class TEXT,
        error_message TEXT,
        response_excerpt TEXT,
        request_headers TEXT NOT NULL,
        webhook_timestamp INTEGER NOT NULL,
        UNIQUE (delivery_id, number)
    )
    """,
    """
    CREATE TABLE commands (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        args TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at REAL NOT NULL,
        claimed_by TEXT,
        claimed_at REAL,
        finished_at REAL,
        result TEXT,
        error TEXT
    )
    """,
    """
    CREATE TABLE engines (
        owner_id TEXT PRIMARY KEY,
        pid INTEGER NOT NULL,
        hostname TEXT NOT NULL,
        kind TEXT NOT NULL,
        started_at REAL NOT NULL,
        heartbeat_at REAL NOT NULL
    )
    """,
    "INSERT INTO counters (name, value) VALUES ('change_seq', 0)",
]

# Version 2: indexes for the delivery queue and for keyset pages over large
# tables. The partial indexes stay small: they hold only the rows a
# dispatcher looks for (due pending rows, live leases).
V2_INDEXES = [
    # Claiming: due pending rows per endpoint, and leases per endpoint.
    """
    CREATE INDEX deliveries_due ON deliveries (endpoint_id, next_attempt_at)
    WHERE state = 'pending'
    """,
    """
    CREATE INDEX deliveries_leased ON deliveries (endpoint_id, lease_expires_at)
    WHERE state = 'in_flight'
    """,
    # Newest-first delivery pages, unfiltered or filtered.
    "CREATE INDEX deliveries_state ON deliveries (state, id)",
    "CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, id)",
    "CREATE INDEX deliveries_endpoint_state ON deliveries (endpoint_id, state, id)",
    "CREATE INDEX deliveries_connection ON deliveries (connection_id, id)",
    "CREATE INDEX deliveries_event_type ON deliveries (event_type, id)",
    "CREATE INDEX deliveries_event ON deliveries (event_seq)",
    # Event polling per connection, runs per connection, records by change.
    "CREATE INDEX events_connection ON events (connection_id, seq)",
    "CREATE INDEX sync_runs_connection ON sync_runs (connection_id, id)",
    "CREATE INDEX records_changes ON records (stream_id, change_seq)",
    "CREATE INDEX commands_queued ON commands (id) WHERE status = 'queued'",
    "CREATE INDEX api_tokens_connection ON api_tokens (connection_id)",
]

# Version 3: a connection's history of one event type (the TUI shows its
# connection.status_changed events) without walking every record event of
# that connection. The event_seq index on deliveries served no query and
# slowed every enqueue, so it goes.
V3_INDEXES = [
    "CREATE INDEX events_connection_type ON events (connection_id, type, seq)",
    "DROP INDEX deliveries_event",
]

# Version 4: named values kept with the ledger, such as the key that signs
# the API's page cursors, so they survive restarts and are shared by every
# process on the file.
V4_SETTINGS = [
    """
    CREATE TABLE settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        created_at REAL NOT NULL
    )
    """,
]

# Version 5: running counts, so the TUI's status line and the per-connection
# failure badges cost a few rows instead of a scan of every delivery.
# Triggers keep them exact for every writer. Deliveries without a
# connection are counted under connection_id 0 (ids start at 1), because
# NULL never matches in a primary key.
V5_COUNTS = [
    """
    CREATE TABLE delivery_counts (
        connection_id INTEGER NOT NULL,
        state TEXT NOT NULL,
        retried INTEGER NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (connection_id, state, retried)
    ) WITHOUT ROWID
    """,
    """
    INSERT INTO delivery_counts (connection_id, state, retried, count)
    SELECT coalesce(connection_id, 0), state, attempts > 0, count(*) FROM deliveries GROUP BY 1, 2, 3
    """,
    """
    CREATE TRIGGER delivery_counts_insert AFTER INSERT ON deliveries BEGIN
        INSERT INTO delivery_counts (connection_id, state, retried, count)
        VALUES (coalesce(NEW.connection_id, 0), NEW.state, NEW.attempts > 0, 1)
        ON CONFLICT DO UPDATE SET count = count + 1;
    END
    """,
    """
    CREATE TRIGGER delivery_counts_update AFTER UPDATE OF state, attempts ON deliveries
    WHEN OLD.state IS NOT NEW.state OR (OLD.attempts > 0) IS NOT (NEW.attempts > 0) BEGIN
        UPDATE delivery_counts SET count = count - 1
        WHERE connection_id = coalesce(OLD.connection_id, 0) AND state = OLD.state AND retried = (OLD.attempts > 0);
        INSERT INTO delivery_counts (connection_id, state, retried, count)
        VALUES (coalesce(NEW.connection_id, 0), NEW.state, NEW.attempts > 0, 1)
        ON CONFLICT DO UPDATE SET count = count + 1;
    END
    """,
    """
    CREATE TRIGGER delivery_counts_delete AFTER DELETE ON deliveries BEGIN
        UPDATE delivery_counts SET count = count - 1
        WHERE connection_id = coalesce(OLD.connection_id, 0) AND state = OLD.state AND retried = (OLD.attempts > 0);
    END
    """,
    "INSERT INTO counters (name, value) SELECT 'events', count(*) FROM events",
    """
    CREATE TRIGGER events_count_insert AFTER INSERT ON events BEGIN
        UPDATE counters SET value = value + 1 WHERE name = 'events';
    END
    """,
    """
    CREATE TRIGGER events_count_delete AFTER DELETE ON events BEGIN
        UPDATE counters SET value = value - 1 WHERE name = 'events';
    END
    """,
]

# Version 6: the per-row insert triggers of version 5 doubled the cost of
# an enqueue, so insert_events (the only code that inserts events and
# deliveries) now adds to the counts once per batch. The counts are rebuilt
# from the rows, which also repairs any file whose counts drifted.
V6_BATCH_COUNTS = [
    "DROP TRIGGER delivery_counts_insert",
    "DROP TRIGGER events_count_insert",
    "DELETE FROM delivery_counts",
    """
    INSERT INTO delivery_counts (connection_id, state, retried, count)
    SELECT coalesce(connection_id, 0), state, attempts > 0, count(*) FROM deliveries GROUP BY 1, 2, 3
    """,
    "UPDATE counters SET value = (SELECT count(*) FROM events) WHERE name = 'events'",
]

# Version 7: the records table becomes a rowid table. As WITHOUT ROWID, its
# rows (about 600 bytes of JSON each) sat in the primary key b-tree. A
# first sync inserts them in write_date order, not odoo_id order, so each
# page commit split and rewrote leaves all over the table. A rowid table
# appends new rows at its end, and only the small (stream_id, odoo_id)
# index takes scattered inserts. Inserting 20,000 maintenance requests and
# their record.created events, 500 per transaction, took 1.34 s before and
# 0.39 s after (2 CPUs, Python 3.11, SQLite in WAL mode). DROP TABLE also
# drops records_changes, so that index is created again.
V7_RECORDS_ROWID = [
    """
    CREATE TABLE records_v7 (
        id INTEGER PRIMARY KEY,
        stream_id INTEGER NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
        odoo_id INTEGER NOT NULL,
        connection_id INTEGER NOT NULL,
        model TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        write_date REAL,
        data TEXT NOT NULL,
        deleted_at REAL,
        updated_at REAL NOT NULL,
        change_seq INTEGER NOT NULL,
        UNIQUE (stream_id, odoo_id)
    )
    """,
    """
    INSERT INTO records_v7 (stream_id, odoo_id, connection_id, model, content_hash, write_date, data,
                            deleted_at, updated_at, change_seq)
    SELECT stream_id, odoo_id, connection_id, model, content_hash, write_date, data,
           deleted_at, updated_at, change_seq
    FROM records ORDER BY change_seq
    """,
    "DROP TABLE records",
    "ALTER TABLE records_v7 RENAME TO records",
    "CREATE INDEX records_changes ON records (stream_id, change_seq)",
]
