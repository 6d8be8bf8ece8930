import CSQLite

/// The oldest SQLite library this code runs on, checked when a connection opens.
///
/// The minimum is **3.33.0**, set by the newest feature the engine uses:
///
/// | feature | since | where |
/// |---|---|---|
/// | the `sqlite_schema` table name | 3.33.0 | opening, migrations, read snapshots |
/// | UPSERT (`ON CONFLICT … DO UPDATE / DO NOTHING`) | 3.24.0 | claim and eligibility loads |
/// | `sqlite3_prepare_v3`, `SQLITE_PREPARE_PERSISTENT` | 3.20.0 | the statement cache |
/// | `WITHOUT ROWID` tables | 3.8.2 | the history and decision tables |
/// | `json_each` (the JSON functions) | built in from 3.38.0; before, only when compiled with JSON1 | claim loads, imaging lines |
///
/// The C calls are limited to what 3.33.0 has (`sqlite3_changes`, not `sqlite3_changes64`), so a
/// binary built against newer headers still runs there. Using a newer feature means raising
/// `minimumVersion` (and `Scripts/setup-system`'s and the README's figure);
/// `SQLiteRequirementsTests` fails until the two agree.
public enum SQLiteRequirements {
    /// The minimum as `sqlite3_libversion_number()` spells it: 3.33.0.
    public static let minimumVersion: Int32 = 3_033_000

    /// The minimum as text.
    public static var minimumVersionText: String { versionText(minimumVersion) }

    /// Why a library cannot be used, in one line; nil when it can.
    ///
    /// - Parameters:
    ///   - version: the library's version number (`3040001` for 3.40.1).
    ///   - hasJSON: whether its JSON functions (`json_each`) are present.
    public static func problem(version: Int32, hasJSON: Bool) -> String? {
        if version < minimumVersion {
            return "SQLite \(versionText(version)) is too old: lbp needs \(minimumVersionText) or later (install a newer libsqlite3)"
        }
        if !hasJSON {
            return "this SQLite \(versionText(version)) was built without its JSON functions (json_each), which lbp needs"
        }
        return nil
    }

    /// The running library's problem, found once per process.
    static let runtimeProblem: String? = problem(version: sqlite3_libversion_number(), hasJSON: libraryHasJSON())

    /// Throws the running library's problem, if it has one.
    ///
    /// - Throws: `SQLiteError` (`SQLITE_ERROR`) whose message is the one-line reason.
    public static func check() throws {
        if let runtimeProblem { throw SQLiteError(extendedCode: SQLITE_ERROR, message: runtimeProblem) }
    }

    /// `3033000` → `3.33.0`.
    static func versionText(_ number: Int32) -> String {
        "\(number / 1_000_000).\(number / 1_000 % 1_000).\(number % 1_000)"
    }

    /// Whether `json_each` exists: prepared on a private in-memory database.
    private static func libraryHasJSON() -> Bool {
        var db: OpaquePointer?
        guard sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, nil) == SQLITE_OK, let db else {
            if let db { sqlite3_close_v2(db) }
            return false
        }
        defer { sqlite3_close_v2(db) }
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(db, "SELECT value FROM json_each('[1]')", -1, &statement, nil)
        sqlite3_finalize(statement)
        return rc == SQLITE_OK
    }
}
