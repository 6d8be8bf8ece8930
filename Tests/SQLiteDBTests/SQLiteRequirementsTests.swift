import Foundation
import SQLiteDB
import Testing

/// The package root, found from this file's path.
private let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// SQLite features (a literal that only their use contains) and the release that brought them.
/// `sqlite_schema` sets today's minimum; the others are newer and must not appear until the
/// minimum is raised.
private let features: [(literal: String, version: Int32)] = [
    ("sqlite_schema", 3_033_000),
    ("ON CONFLICT", 3_024_000),
    ("sqlite3_prepare_v3", 3_020_000),
    ("WITHOUT ROWID", 3_008_002),
    ("RETURNING", 3_035_000),
    ("DROP COLUMN", 3_035_000),
    ("MATERIALIZED", 3_035_000),
    (") STRICT", 3_037_000),
    ("sqlite3_changes64", 3_037_000),
    ("sqlite3_total_changes64", 3_037_000),
    ("SQLITE_OPEN_EXRESCODE", 3_037_000),
    ("->>", 3_038_000),
    ("unixepoch(", 3_038_000),
    ("sqlite3_error_offset", 3_038_000),
    ("unhex(", 3_041_000),
    ("octet_length(", 3_043_000),
    ("timediff(", 3_043_000),
    ("concat(", 3_044_000),
    ("concat_ws(", 3_044_000),
    ("string_agg(", 3_044_000),
    ("jsonb", 3_045_000),
]

/// The engine's Swift sources (the value-set data excluded: it is code lists, not SQL) and migrations.
private func engineSources() throws -> [(path: String, text: String)] {
    var files: [(String, String)] = []
    let roots = ["Sources", "Migrations"].map { packageRoot.appendingPathComponent($0) }
    for root in roots {
        let enumerator = try #require(FileManager.default.enumerator(atPath: root.path))
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".swift") || relative.hasSuffix(".sql") || relative.hasSuffix(".h"),
                  !relative.hasPrefix("ValueSets/"), !relative.hasSuffix("SQLiteRequirements.swift") else { continue }
            let path = root.appendingPathComponent(relative).path
            files.append((path, try String(contentsOfFile: path, encoding: .utf8)))
        }
    }
    return files
}

@Suite("SQLite requirements")
struct SQLiteRequirementsTests {
    @Test func theMinimumIsTheNewestFeatureTheSourcesUse() throws {
        let sources = try engineSources()
        #expect(sources.count > 20, "the sources were not found under \(packageRoot.path)")
        var newest: (literal: String, version: Int32, path: String)?
        for feature in features {
            for file in sources where file.text.contains(feature.literal) {
                #expect(feature.version <= SQLiteRequirements.minimumVersion,
                        "\(file.path) uses \(feature.literal), which needs a newer SQLite than \(SQLiteRequirements.minimumVersionText): raise SQLiteRequirements.minimumVersion")
                if feature.version > newest?.version ?? 0 { newest = (feature.literal, feature.version, file.path) }
            }
        }
        #expect(newest?.version == SQLiteRequirements.minimumVersion,
                "the newest feature used is \(newest?.literal ?? "none"): the minimum could be lowered")
        #expect(SQLiteRequirements.minimumVersionText == "3.33.0")
    }

    @Test func theSetupScriptAndTheHeaderCheckStateTheSameMinimum() throws {
        let setup = try String(contentsOf: packageRoot.appendingPathComponent("Scripts/setup-system"), encoding: .utf8)
        #expect(setup.contains("sqlite_minimum=\(SQLiteRequirements.minimumVersionText)\n"))
        let shim = try String(contentsOf: packageRoot.appendingPathComponent("Sources/CSQLite/shim.h"), encoding: .utf8)
        #expect(shim.contains("#if SQLITE_VERSION_NUMBER < \(SQLiteRequirements.minimumVersion)\n"))
        #expect(shim.contains("needs SQLite \(SQLiteRequirements.minimumVersionText) or later"))
    }

    @Test func anOlderLibraryIsRefusedInOneLine() {
        let message = SQLiteRequirements.problem(version: 3_031_001, hasJSON: true)
        #expect(message == "SQLite 3.31.1 is too old: lbp needs 3.33.0 or later (install a newer libsqlite3)")
        #expect(SQLiteRequirements.problem(version: 3_032_003, hasJSON: true)?.hasPrefix("SQLite 3.32.3 is too old") == true)
        #expect(SQLiteRequirements.problem(version: 3_034_001, hasJSON: false)
                == "this SQLite 3.34.1 was built without its JSON functions (json_each), which lbp needs")
        #expect(SQLiteRequirements.problem(version: 3_033_000, hasJSON: true) == nil)
        #expect(SQLiteRequirements.problem(version: 3_040_001, hasJSON: true) == nil)
        #expect(message.map { !$0.contains("\n") } == true)
    }

    @Test func theRunningLibraryPassesAndConnectionsOpen() throws {
        try SQLiteRequirements.check()
        let db = try Connection(path: ":memory:")
        #expect(try db.scalarInt("SELECT count(*) FROM json_each('[1,2,3]')") == 3)
        let version = try #require(try db.scalarText("SELECT sqlite_version()"))
        let parts = version.split(separator: ".").compactMap { Int32($0) }
        #expect(parts.count == 3)
        #expect(parts[0] * 1_000_000 + parts[1] * 1_000 + parts[2] >= SQLiteRequirements.minimumVersion)
    }
}
