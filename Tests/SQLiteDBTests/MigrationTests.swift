import Foundation
import History
import Migrations
import SQLiteDB
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The repository's `Migrations/` folder, found from this file's path.
private let migrationsFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Migrations")

private func fileMode(_ path: String) -> mode_t? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return info.st_mode & 0o777
}

private func tableNames(_ db: Connection) throws -> [String] {
    var names: [String] = []
    try db.forEach("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name") { names.append($0.text(0)) }
    return names
}

private struct Boom: Error {}

@Suite("SQLite connection and migrations")
struct MigrationTests {
    static let historyTables = [
        "claim", "claim_diagnosis", "claim_line", "claim_void", "dx_event", "eligibility_span", "line_category",
        "load_ledger", "value_set", "value_set_code",
    ]
    static let decisionTables = ["decide_run", "decision", "decision_change", "decision_evidence", "member_change", "policy_version"]
    static let all = ["m0001_history", "m0002_decisions", "m0003_member_decisions", "m0004_imaging_lines_by_day",
                      "m0005_diagnoses_by_period"]

    // MARK: Migrations

    @Test func migrationsReplayOnAnEmptyDatabase() throws {
        let directory = TemporaryDirectory()
        let db = try Connection(path: directory.file("db.sqlite"))
        #expect(try tableNames(db).isEmpty)
        #expect(try HistoryDatabase.migrator.applied(in: db).isEmpty)
        #expect(try HistoryDatabase.migrator.pending(in: db).map(\.name) == Self.all)

        let applied = try HistoryDatabase.migrator.migrate(db, appliedAt: "2026-01-01T00:00:00Z")
        #expect(applied == Self.all)
        #expect(try tableNames(db) == (Self.historyTables + Self.decisionTables + ["schema_migration"]).sorted())

        var recorded: [String] = []
        try db.forEach("SELECT id, name, applied_at FROM schema_migration ORDER BY id") { row in
            recorded.append("\(row.int(0)) \(row.text(1)) \(row.text(2))")
        }
        #expect(recorded == ["1 m0001_history 2026-01-01T00:00:00Z", "2 m0002_decisions 2026-01-01T00:00:00Z",
                             "3 m0003_member_decisions 2026-01-01T00:00:00Z",
                             "4 m0004_imaging_lines_by_day 2026-01-01T00:00:00Z",
                             "5 m0005_diagnoses_by_period 2026-01-01T00:00:00Z"])
        #expect(try HistoryDatabase.migrator.applied(in: db) == Self.all)
        #expect(try HistoryDatabase.migrator.pending(in: db).isEmpty)
        // Migrating again does nothing.
        #expect(try HistoryDatabase.migrator.migrate(db, appliedAt: "later").isEmpty)
        #expect(try db.scalarInt("SELECT count(*) FROM schema_migration") == Int64(Self.all.count))
    }

    @Test func historyDatabaseOpenIsIdempotent() throws {
        let history = try TestHistory()
        let path = history.databasePath
        let first = try HistoryDatabase.open(path: path, clock: .fixed(0))
        func snapshot(_ db: Connection) throws -> [String] {
            var rows: [String] = []
            try db.forEach("SELECT name, applied_at FROM schema_migration ORDER BY id") { rows.append("\($0.text(0)) \($0.text(1))") }
            try db.forEach("SELECT name, sha256, code_count FROM value_set ORDER BY name") { rows.append("\($0.text(0)) \($0.text(1)) \($0.int(2))") }
            try db.forEach("SELECT type, name, sql FROM sqlite_schema ORDER BY name") { rows.append("\($0.text(0)) \($0.text(1)) \($0.text(2))") }
            return rows
        }
        let before = try snapshot(first)
        #expect(before.contains("m0001_history 2026-01-01T00:00:00Z"))
        let again = try HistoryDatabase.open(path: path, clock: .fixed(1_800_000_000))
        #expect(try snapshot(again) == before)
        #expect(try again.scalarInt("SELECT count(*) FROM schema_migration") == Int64(Self.all.count))
    }

    @Test func aDatabaseFromANewerVersionIsRefused() throws {
        let history = try TestHistory()
        try history.db.run("INSERT INTO schema_migration(name, applied_at) VALUES ('m9999_future', 'x')")
        let error = #expect(throws: Migrator.Failure.self) {
            _ = try HistoryDatabase.open(path: history.databasePath)
        }
        guard case .newerSchema(let unknown)? = error else { return }
        #expect(unknown == ["m9999_future"])
        #expect(error?.description.contains("newer version") == true)
        #expect(error?.description.contains("m9999_future") == true)
        #expect(throws: Migrator.Failure.self) { _ = try HistoryDatabase.migrator.pending(in: history.db) }
        #expect(throws: Migrator.Failure.self) { _ = try HistoryDatabase.migrator.migrate(history.db, appliedAt: "x") }
        #expect(throws: Migrator.Failure.self) { _ = try HistoryDatabase.open(path: history.databasePath, readOnly: true) }
    }

    @Test func everyMigrationFileIsListed() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: migrationsFolder.path)
            .filter { $0.hasSuffix(".sql") }
            .sorted()
        #expect(!files.isEmpty, "no migrations found at \(migrationsFolder.path)")
        let names = SchemaMigrations.all.map(\.name)
        #expect(names == files.map { String($0.dropLast(4)) })
        #expect(names == names.sorted(), "migrations must be listed in order")
        #expect(Set(names).count == names.count)
        for (name, sql) in SchemaMigrations.all {
            let text = try String(contentsOf: migrationsFolder.appendingPathComponent(name + ".sql"), encoding: .utf8)
            #expect(sql == text, "\(name): the embedded SQL differs from the file")
            #expect(name.range(of: #"^m\d{4}_[a-z0-9_]+$"#, options: .regularExpression) != nil)
        }
        let manifest = try String(contentsOf: migrationsFolder.deletingLastPathComponent().appendingPathComponent("Package.swift"), encoding: .utf8)
        for file in files {
            #expect(manifest.contains(".embedInCode(\"\(file)\")"), "\(file) is not embedded by Package.swift")
        }
    }

    /// m0005 re-keys `dx_event` by period: a history written before it keeps every event, each in
    /// the period of its day (negative days truncate toward zero, as the readers compute them).
    @Test func diagnosisEventsMoveIntoTheirPeriods() throws {
        let directory = TemporaryDirectory()
        let db = try Connection(path: directory.file("db.sqlite"))
        let before = Migrator(Array(HistoryDatabase.migrator.migrations.prefix(4)))
        #expect(try before.migrate(db, appliedAt: "1").last == "m0004_imaging_lines_by_day")
        try db.execute("""
            INSERT INTO dx_event(member_id, category, day, claim_id, position, code, load_id) VALUES
                ('M2', 'CANCER', 19710, 'C3', 2, 'C50911', 7), ('M1', 'LOW_BACK_PAIN', 19709, 'C2', 1, 'M5450', 7),
                ('M1', 'LOW_BACK_PAIN', -366, 'C1', 1, 'M5450', 6), ('M1', 'LOW_BACK_PAIN', -1, 'C0', 1, 'M5450', 6);
            """)
        #expect(try HistoryDatabase.migrator.migrate(db, appliedAt: "2") == ["m0005_diagnoses_by_period"])
        var stored: [[SQLiteValue]] = []
        try db.forEach("SELECT * FROM dx_event") { row in stored.append((0..<row.columnCount).map { row.value($0) }) }
        #expect(stored == [
            [-1, "M1", "LOW_BACK_PAIN", -366, "C1", 1, "M5450", 6],
            [0, "M1", "LOW_BACK_PAIN", -1, "C0", 1, "M5450", 6],
            [53, "M1", "LOW_BACK_PAIN", 19709, "C2", 1, "M5450", 7],
            [54, "M2", "CANCER", 19710, "C3", 2, "C50911", 7],
        ])
    }

    @Test func aFailingMigrationLeavesTheSchemaAsItWas() throws {
        let directory = TemporaryDirectory()
        let db = try Connection(path: directory.file("db.sqlite"))
        let migrator = Migrator([
            Migration(name: "m0001_ok", sql: "CREATE TABLE a(x INTEGER);"),
            Migration(name: "m0002_broken", sql: "CREATE TABLE b(y INTEGER); THIS IS NOT SQL;"),
        ])
        #expect(throws: SQLiteError.self) { _ = try migrator.migrate(db, appliedAt: "x") }
        #expect(try tableNames(db).isEmpty)
        #expect(!db.inTransaction)
        #expect(try migrator.applied(in: db).isEmpty)
    }

    @Test func laterMigrationsApplyOnTopOfEarlierOnes() throws {
        let directory = TemporaryDirectory()
        let db = try Connection(path: directory.file("db.sqlite"))
        let first = Migrator([Migration(name: "m0001_a", sql: "CREATE TABLE a(x);")])
        #expect(try first.migrate(db, appliedAt: "1") == ["m0001_a"])
        let second = Migrator(first.migrations + [Migration(name: "m0002_b", sql: "CREATE TABLE b(y);")])
        #expect(try second.pending(in: db).map(\.name) == ["m0002_b"])
        #expect(try second.migrate(db, appliedAt: "2") == ["m0002_b"])
        #expect(try second.applied(in: db) == ["m0001_a", "m0002_b"])
        // The older binary refuses the newer database.
        let error = #expect(throws: Migrator.Failure.self) { _ = try first.pending(in: db) }
        guard case .newerSchema(let unknown)? = error else { return }
        #expect(unknown == ["m0002_b"])
    }

    // MARK: Files and settings

    @Test func databaseFilesAreOwnerOnly() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("new.sqlite")
        let db = try HistoryDatabase.open(path: path)
        #expect(fileMode(path) == 0o600)
        try db.run("INSERT INTO load_ledger(kind, file_name, file_size, sha256, loaded_at) VALUES ('claims', 'f', 1, 'x', 't')")
        #expect(fileMode(path + "-wal") == 0o600)

        let plain = directory.file("plain.sqlite")
        _ = try Connection(path: plain)
        #expect(fileMode(plain) == 0o600)
    }

    @Test func existingFileKeepsItsMode() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("shared.sqlite")
        _ = try HistoryDatabase.open(path: path)
        chmod(path, 0o640)
        _ = try HistoryDatabase.open(path: path)
        #expect(fileMode(path) == 0o640)
    }

    @Test func connectionSettings() throws {
        let history = try TestHistory()
        #expect(try history.db.scalarText("PRAGMA journal_mode") == "wal")
        #expect(try history.db.scalarInt("PRAGMA foreign_keys") == 1)
        #expect(try history.db.scalarInt("PRAGMA synchronous") == 1)
        #expect(!history.db.isReadOnly)
        #expect(!history.db.inTransaction)
        #expect(history.db.path == history.databasePath)

        let reader = try HistoryDatabase.open(path: history.databasePath, readOnly: true)
        #expect(reader.isReadOnly)
        #expect(try reader.scalarInt("PRAGMA foreign_keys") == 1)
        let error = #expect(throws: SQLiteError.self) { try reader.execute("DELETE FROM value_set") }
        #expect(error?.isReadOnly == true)
    }

    @Test func foreignKeysAreEnforced() throws {
        let history = try TestHistory()
        let error = #expect(throws: SQLiteError.self) {
            try history.db.run("INSERT INTO claim_void(claim_id, load_id) VALUES ('C1', 999)")
        }
        #expect(error?.extendedCode == 787)   // SQLITE_CONSTRAINT_FOREIGNKEY
    }

    // MARK: Errors

    @Test func aDirectoryIsNotADatabase() throws {
        let directory = TemporaryDirectory()
        #expect(throws: SQLiteError.self) {
            let db = try Connection(path: directory.path)
            _ = try db.scalarInt("SELECT count(*) FROM sqlite_schema")
        }
        let error = #expect(throws: SQLiteError.self) { _ = try HistoryDatabase.open(path: directory.path) }
        #expect(error?.cannotOpen == true || error?.isCorrupt == true)
    }

    @Test func aFileOfGarbageIsNotADatabase() throws {
        let directory = TemporaryDirectory()
        let garbage = (0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        let path = directory.write("garbage.sqlite", bytes: garbage)
        #expect(throws: SQLiteError.self) {
            let db = try Connection(path: path)
            _ = try db.scalarInt("SELECT count(*) FROM sqlite_schema")
        }
        let error = #expect(throws: SQLiteError.self) { _ = try HistoryDatabase.open(path: path) }
        #expect(error?.isCorrupt == true)
        // Nothing was written to it.
        #expect(FileManager.default.contents(atPath: path).map(Array.init) == garbage)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func aMissingFileInReadOnlyModeIsNotCreated() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("absent.sqlite")
        let error = #expect(throws: SQLiteError.self) { _ = try Connection(path: path, mode: .readOnly) }
        #expect(error?.cannotOpen == true)
        #expect(throws: SQLiteError.self) { _ = try Connection(path: path, mode: .readWrite) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func readOnlyOpenOfAnOutOfDateSchemaIsRefused() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("old.sqlite")
        try Connection(path: path).execute("CREATE TABLE t(x)")
        let error = #expect(throws: Migrator.Failure.self) { _ = try HistoryDatabase.open(path: path, readOnly: true) }
        guard case .olderSchema(let pending)? = error else { Issue.record("not olderSchema: \(String(describing: error))"); return }
        #expect(pending == Self.all)
        #expect(error?.description.contains("run a command that writes") == true)
    }

    @Test func sqlErrorsCarryTheStatementButNotTheValues() throws {
        let history = try TestHistory()
        let error = #expect(throws: SQLiteError.self) {
            try history.db.run("INSERT INTO value_set(name, code_system, origin, sha256, code_count) VALUES (?, ?, ?, ?, ?)",
                               ["LOW_BACK_PAIN", "ICD10CM", "secret-member-123", "x", 1])
        }
        #expect(error?.code == 19)   // SQLITE_CONSTRAINT
        #expect(error?.sql?.contains("INSERT INTO value_set") == true)
        #expect(error?.description.contains("secret-member-123") == false)
        #expect(throws: SQLiteError.self) { _ = try history.db.prepare("SELEC nonsense") }
    }

    // MARK: Transactions

    @Test func transactionRollsBackWhenTheBodyThrows() throws {
        let directory = TemporaryDirectory()
        let db = try Connection(path: directory.file("t.sqlite"))
        try db.execute("CREATE TABLE t(x INTEGER)")
        #expect(throws: Boom.self) {
            try db.transaction {
                try db.run("INSERT INTO t(x) VALUES (?)", [1])
                try db.run("INSERT INTO t(x) VALUES (?)", [2])
                #expect(db.inTransaction)
                throw Boom()
            }
        }
        #expect(!db.inTransaction)
        #expect(try db.scalarInt("SELECT count(*) FROM t") == 0)

        let sum = try db.transaction(.deferred) { () throws -> Int64 in
            try db.run("INSERT INTO t(x) VALUES (?)", [3])
            try db.run("INSERT INTO t(x) VALUES (?)", [4])
            return try db.scalarInt("SELECT sum(x) FROM t") ?? 0
        }
        #expect(sum == 7)
        #expect(!db.inTransaction)
        #expect(try db.scalarInt("SELECT count(*) FROM t") == 2)
    }

    @Test func aFailedStatementInsideATransactionRollsBackTheEarlierOnes() throws {
        let history = try TestHistory()
        let before = try history.db.scalarInt("SELECT count(*) FROM value_set")
        #expect(throws: SQLiteError.self) {
            try history.db.transaction {
                try history.db.run("DELETE FROM value_set_code")
                try history.db.run("DELETE FROM value_set")
                try history.db.run("INSERT INTO claim_void(claim_id, load_id) VALUES ('C', 12345)")
            }
        }
        #expect(try history.db.scalarInt("SELECT count(*) FROM value_set") == before)
        #expect(try history.db.scalarInt("SELECT count(*) FROM value_set_code") ?? 0 > 10_000)
    }

    @Test func readSnapshotSeesOneState() throws {
        let history = try TestHistory()
        let other = try HistoryDatabase.open(path: history.databasePath)
        let counts = try history.db.readSnapshot { () throws -> [Int64] in
            let first = try history.db.scalarInt("SELECT count(*) FROM load_ledger") ?? -1
            try other.run("INSERT INTO load_ledger(kind, file_name, file_size, sha256, loaded_at) VALUES ('claims', 'f', 1, 'x', 't')")
            let second = try history.db.scalarInt("SELECT count(*) FROM load_ledger") ?? -1
            return [first, second]
        }
        #expect(counts == [0, 0])
        #expect(try history.db.scalarInt("SELECT count(*) FROM load_ledger") == 1)
    }

    @Test func statementsBindAndReadEveryType() throws {
        let directory = TemporaryDirectory()
        let db = try Connection(path: directory.file("t.sqlite"))
        try db.execute("CREATE TABLE t(a, b, c, d)")
        try db.run("INSERT INTO t VALUES (?, ?, ?, ?)", [.integer(-5), .real(1.5), .text("ünï"), .null])
        let statement = try db.prepare("SELECT a, b, c, d FROM t")
        #expect(try statement.step())
        #expect(statement.columnCount == 4)
        #expect((0..<4).map { statement.value(Int32($0)) } == [.integer(-5), .real(1.5), .text("ünï"), .null])
        #expect(statement.optionalText(3) == nil && statement.text(3) == "" && statement.optionalInt32(3) == nil)
        #expect(statement.int32(0) == -5 && statement.double(1) == 1.5)
        #expect(try !statement.step())
        #expect(db.changes == 1)
    }
}
