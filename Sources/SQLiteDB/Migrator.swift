/// One named schema change.
public struct Migration: Sendable {
    /// A unique, ordered name (`m0001_history`).
    public let name: String
    /// The SQL that applies it.
    public let sql: String

    public init(name: String, sql: String) {
        self.name = name
        self.sql = sql
    }
}

/// Applies ordered migrations and records each one in `schema_migration`.
public struct Migrator: Sendable {
    /// What a database's recorded migrations say about this binary.
    public enum Failure: Error, CustomStringConvertible, Sendable {
        /// The database has migrations this binary does not know: it was written by a newer `lbp`.
        case newerSchema(unknown: [String])
        /// The database lacks migrations of this binary and was opened for reading only.
        case olderSchema(pending: [String])

        public var description: String {
            switch self {
            case .newerSchema(let unknown):
                "the database was created by a newer version of lbp (schema \(unknown.joined(separator: ", "))); use that version or a new database"
            case .olderSchema(let pending):
                "the database was written by an older version of lbp and needs an upgrade (schema \(pending.joined(separator: ", "))); "
                    + "run a command that writes, such as `lbp decide`, once to apply it"
            }
        }
    }

    public let migrations: [Migration]

    public init(_ migrations: [Migration]) {
        self.migrations = migrations
    }

    /// Names of the migrations recorded in the database, in the order applied.
    public func applied(in db: Connection) throws -> [String] {
        let exists = try db.scalarInt("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migration'") ?? 0
        guard exists > 0 else { return [] }
        var names: [String] = []
        try db.forEach("SELECT name FROM schema_migration ORDER BY id") { names.append($0.text(0)) }
        return names
    }

    /// Migrations not yet applied.
    ///
    /// - Throws: `Failure.newerSchema` when the database records a migration this binary lacks.
    public func pending(in db: Connection) throws -> [Migration] {
        let done = try applied(in: db)
        let known = Set(migrations.map(\.name))
        let unknown = done.filter { !known.contains($0) }
        if !unknown.isEmpty { throw Failure.newerSchema(unknown: unknown) }
        let doneSet = Set(done)
        return migrations.filter { !doneSet.contains($0.name) }
    }

    /// Applies every pending migration in one transaction; a failure leaves the schema as it was.
    ///
    /// - Returns: the names applied.
    @discardableResult
    public func migrate(_ db: Connection, appliedAt: String) throws -> [String] {
        guard try !pending(in: db).isEmpty else { return [] }
        return try db.transaction(.immediate) {
            // Re-read under the write lock: another process may have migrated meanwhile.
            let todo = try pending(in: db)
            try db.execute("""
                CREATE TABLE IF NOT EXISTS schema_migration(
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    applied_at TEXT NOT NULL)
                """)
            for migration in todo {
                try db.execute(migration.sql)
                try db.run("INSERT INTO schema_migration(name, applied_at) VALUES (?, ?)", [.text(migration.name), .text(appliedAt)])
            }
            return todo.map(\.name)
        }
    }
}
