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
        return migrator
    }
}
