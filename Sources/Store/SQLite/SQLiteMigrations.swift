import GRDB

/// Every schema change of the SQLite store, in order. Append only: a migration that has landed is never edited.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("001_create_invocations") { db in
            try db.execute(
                sql: """
                    CREATE TABLE invocations (
                        id TEXT PRIMARY KEY NOT NULL,
                        created_at TEXT NOT NULL,
                        key_id TEXT,
                        route TEXT NOT NULL,
                        use_case TEXT,
                        variant TEXT,
                        variant_version TEXT,
                        provider TEXT,
                        model TEXT,
                        decision TEXT NOT NULL,
                        http_status INTEGER NOT NULL,
                        error_code TEXT,
                        latency_ms REAL NOT NULL,
                        stage_timings TEXT NOT NULL,
                        attempts TEXT NOT NULL,
                        input_tokens INTEGER NOT NULL,
                        output_tokens INTEGER NOT NULL,
                        tokens_estimated INTEGER NOT NULL,
                        cost_usd REAL NOT NULL,
                        confidence REAL,
                        escalation_reasons TEXT NOT NULL,
                        streamed INTEGER NOT NULL,
                        stream_outcome TEXT,
                        payload_mode TEXT NOT NULL,
                        input_payload TEXT,
                        output_payload TEXT,
                        trace_id TEXT
                    );
                    CREATE INDEX invocations_use_case_created ON invocations(use_case, created_at);
                    CREATE INDEX invocations_created ON invocations(created_at);
                    """)
        }
        migrator.registerMigration("002_keys_audit_retention") { db in
            try db.execute(
                sql: """
                    CREATE TABLE api_keys (
                        id TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL UNIQUE,
                        role TEXT NOT NULL,
                        use_cases TEXT,
                        providers TEXT,
                        team TEXT,
                        clearance TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        created_by TEXT,
                        expires_at TEXT,
                        revoked_at TEXT,
                        secret_salt BLOB NOT NULL,
                        secret_digest BLOB NOT NULL,
                        previous_salt BLOB,
                        previous_digest BLOB,
                        previous_valid_until TEXT,
                        rotated_at TEXT
                    );
                    CREATE TABLE audit_events (
                        seq INTEGER PRIMARY KEY,
                        event_id TEXT NOT NULL,
                        at TEXT NOT NULL,
                        action TEXT NOT NULL,
                        content TEXT NOT NULL,
                        prev_hash TEXT NOT NULL,
                        hash TEXT NOT NULL,
                        mac TEXT NOT NULL
                    );
                    CREATE INDEX audit_events_at ON audit_events(at);
                    CREATE TRIGGER audit_events_append_only_update BEFORE UPDATE ON audit_events
                        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
                    CREATE TRIGGER audit_events_append_only_delete BEFORE DELETE ON audit_events
                        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
                    ALTER TABLE invocations ADD COLUMN team TEXT;
                    ALTER TABLE invocations ADD COLUMN subject_digest TEXT;
                    ALTER TABLE invocations ADD COLUMN payload_expires_at TEXT;
                    CREATE INDEX invocations_subject ON invocations(subject_digest) WHERE subject_digest IS NOT NULL;
                    CREATE INDEX invocations_payload_expiry ON invocations(payload_expires_at) WHERE payload_expires_at IS NOT NULL;
                    """)
        }
        migrator.registerMigration("003_guard_report") { db in
            try db.execute(sql: "ALTER TABLE invocations ADD COLUMN guard_report TEXT")
        }
        migrator.registerMigration("004_cache_hits") { db in
            try db.execute(sql: "ALTER TABLE invocations ADD COLUMN cache_hit INTEGER NOT NULL DEFAULT 0")
            try db.execute(sql: "ALTER TABLE invocations ADD COLUMN saved_cost_usd REAL NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("005_review_items") { db in
            try db.execute(
                sql: """
                    CREATE TABLE review_items (
                        invocation_id TEXT PRIMARY KEY NOT NULL,
                        use_case TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        status TEXT NOT NULL,
                        claimed_by TEXT,
                        claim_expires_at TEXT,
                        decided_by TEXT,
                        decided_at TEXT,
                        input TEXT,
                        output TEXT,
                        final_output TEXT,
                        comment TEXT,
                        callback_url TEXT
                    );
                    CREATE INDEX review_items_pending ON review_items(status, use_case, created_at);
                    """)
        }
        migrator.registerMigration("006_feedback") { db in
            try db.execute(
                sql: """
                    CREATE TABLE feedback (
                        id INTEGER PRIMARY KEY,
                        invocation_id TEXT NOT NULL,
                        use_case TEXT,
                        key_id TEXT NOT NULL,
                        rating TEXT NOT NULL,
                        correction TEXT,
                        comment TEXT,
                        created_at TEXT NOT NULL
                    );
                    CREATE INDEX feedback_use_case ON feedback(use_case, created_at);
                    """)
        }
        migrator.registerMigration("007_evaluations") { db in
            try db.execute(
                sql: """
                    CREATE TABLE evaluations (
                        id TEXT PRIMARY KEY NOT NULL,
                        use_case TEXT NOT NULL,
                        variant TEXT NOT NULL,
                        version TEXT NOT NULL,
                        dataset_digest TEXT NOT NULL,
                        items INTEGER NOT NULL,
                        passed INTEGER NOT NULL,
                        metrics TEXT NOT NULL,
                        gates TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        created_at TEXT NOT NULL
                    );
                    CREATE INDEX evaluations_variant ON evaluations(use_case, variant, version, created_at);
                    CREATE TABLE stable_variants (
                        use_case TEXT PRIMARY KEY NOT NULL,
                        variant TEXT NOT NULL,
                        version TEXT NOT NULL,
                        evaluation_id TEXT,
                        since TEXT NOT NULL
                    );
                    """)
        }
        return migrator
    }
}
