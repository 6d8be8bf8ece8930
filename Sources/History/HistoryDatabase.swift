import Migrations
import SQLiteDB
import ValueSets

/// Opens the member-history database: applies the schema's migrations, seeds the shipped value
/// sets into a new database, and sets the connection up for the engine (WAL, busy timeout,
/// foreign keys).
public enum HistoryDatabase {
    /// The migrator for this binary's schema.
    public static let migrator = Migrator(SchemaMigrations.all.map { Migration(name: $0.name, sql: $0.sql) })

    /// The default database path: `$LBP_DATABASE`, else `lbp.sqlite` in the current directory.
    public static func defaultPath(environment: [String: String]) -> String {
        if let path = environment["LBP_DATABASE"], !path.isEmpty { return path }
        return "lbp.sqlite"
    }

    /// Opens (creating owner-only when missing) and migrates the database at `path`.
    ///
    /// - Parameters:
    ///   - readOnly: open for queries only (explain, export); the schema must be current.
    ///   - busyTimeoutMilliseconds: how long to wait for another process's write lock.
    /// - Throws: `SQLiteError` (cannot open, locked, not a database), `Migrator.Failure.newerSchema`, and
    ///   `Migrator.Failure.olderSchema` when opened for reading only before an upgrade.
    public static func open(path: String, readOnly: Bool = false, busyTimeoutMilliseconds: Int32 = 5_000,
                            clock: Clock = .system) throws -> Connection {
        let db = try Connection(path: path, mode: readOnly ? .readOnly : .readWriteCreate,
                                busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        try db.execute("PRAGMA foreign_keys = ON")
        // Fail on a file that is not a database before anything else touches it.
        _ = try db.scalarInt("SELECT count(*) FROM sqlite_schema")
        // A newer schema is named as such before anything writes (a read-only file would
        // otherwise fail first, as "read-only", on the journal mode).
        let pending = try migrator.pending(in: db)
        if readOnly {
            if !pending.isEmpty { throw Migrator.Failure.olderSchema(pending: pending.map(\.name)) }
            return db
        }
        try db.execute("PRAGMA journal_mode = WAL")
        // NORMAL is durable across process crashes in WAL mode; only a power cut can lose the
        // last commits, never consistency.
        try db.execute("PRAGMA synchronous = NORMAL")
        try migrator.migrate(db, appliedAt: clock.timestamp())
        if try (db.scalarInt("SELECT count(*) FROM value_set") ?? 0) == 0 {
            try ValueSetStore(db).replaceAll(with: EmbeddedValueSets.all())
        }
        return db
    }
}
