import Crypto
import SQLiteDB
import ValueSets

/// The value sets stored in the database, and the event tables derived from them.
///
/// `dx_event` and `line_category` are a function of the stored claims and value sets: after a
/// value set changes they are rebuilt from `claim_diagnosis` and `claim_line`, so no extract
/// has to be loaded again.
public struct ValueSetStore {
    private let db: Connection

    public init(_ db: Connection) { self.db = db }

    /// Replaces every stored value set by `sets` and rebuilds the derived events, in one transaction.
    public func replaceAll(with sets: [ValueSet]) throws {
        try db.transaction {
            try db.execute("DELETE FROM value_set_code; DELETE FROM value_set;")
            for set in sets { try insert(set) }
            try rebuildDerivedEvents()
        }
    }

    /// Adds or replaces the named value sets (others are kept) and rebuilds the derived events.
    public func upsert(_ sets: [ValueSet]) throws {
        try db.transaction {
            for set in sets {
                try db.run("DELETE FROM value_set_code WHERE value_set = ?", [.text(set.name)])
                try db.run("DELETE FROM value_set WHERE name = ?", [.text(set.name)])
                try insert(set)
            }
            try rebuildDerivedEvents()
        }
    }

    private func insert(_ set: ValueSet) throws {
        try db.run(
            "INSERT INTO value_set(name, code_system, origin, sha256, code_count) VALUES (?, ?, ?, ?, ?)",
            [.text(set.name), .text(set.codeSystem.rawValue), .text(set.origin), .text(Self.digest(set)), .integer(Int64(set.codes.count))])
        let statement = try db.cached("INSERT INTO value_set_code(value_set, code_system, code, description) VALUES (?, ?, ?, ?)")
        for code in set.codes {
            statement.bind(set.name, at: 1)
            statement.bind(set.codeSystem.rawValue, at: 2)
            statement.bind(code.code, at: 3)
            statement.bind(code.description, at: 4)
            try statement.run()
        }
    }

    /// SHA-256 (hex) of a value set's name, system and sorted codes: what a policy version depends on.
    public static func digest(_ set: ValueSet) -> String {
        var hasher = SHA256()
        hasher.update(data: Array("\(set.name)\n\(set.codeSystem.rawValue)\n".utf8))
        for code in set.codes { hasher.update(data: Array((code.code + "\n").utf8)) }
        return hasher.finalize().hexString
    }

    /// Rebuilds `dx_event` and `line_category` from the stored claims and value sets.
    public func rebuildDerivedEvents() throws {
        try DerivedEvents(db).rebuild()
    }

    /// Summary of the stored value sets: (name, code system, origin, code count, digest), by name.
    public func list() throws -> [(name: String, codeSystem: String, origin: String, codes: Int, sha256: String)] {
        var rows: [(String, String, String, Int, String)] = []
        try db.forEach("SELECT name, code_system, origin, code_count, sha256 FROM value_set ORDER BY name") {
            rows.append(($0.text(0), $0.text(1), $0.text(2), $0.int(3), $0.text(4)))
        }
        return rows
    }

    /// Digests of the named value sets (missing ones are absent from the result).
    public func digests(of names: [String]) throws -> [String: String] {
        var result: [String: String] = [:]
        for name in names {
            if let digest = try db.scalarText("SELECT sha256 FROM value_set WHERE name = ?", [.text(name)]) {
                result[name] = digest
            }
        }
        return result
    }
}
