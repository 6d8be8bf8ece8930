import Foundation
import History
import SQLiteDB

/// A policy version as stored by `lbp policy set`.
public struct StoredPolicy: Sendable, Codable, Equatable {
    public let versionID: Int64
    public let policyID: String
    /// The version string at the time it was set (engine version + digest of settings and value sets).
    public let version: String
    public let settings: PolicySettings
    /// SHA-256 of each value set the settings name, when it was set.
    public let valueSets: [String: String]
    /// The file it was set from.
    public let source: String
    public let createdAt: String
}

/// The policy versions in the database (`policy_version`); the newest is the current one, which
/// `lbp decide`, `lbp explain`, `lbp check` and the service use.
public struct PolicyStore {
    private let db: Connection

    /// A stored policy version whose settings this binary cannot read (written by a newer `lbp`?).
    public struct Unreadable: Error, CustomStringConvertible, Sendable {
        public let versionID: Int64
        public var description: String {
            "stored policy version \(versionID) cannot be read by this lbp (set by a newer version?); set the policy again with lbp policy set"
        }
    }

    public init(_ db: Connection) { self.db = db }

    /// The current policy resolved against the stored value sets: the newest stored version, or the
    /// built-in settings when none was set. (Its version follows the value sets: reloading a set
    /// it names gives a new version.)
    public func current() throws -> ResolvedPolicy {
        try ResolvedPolicy(settings: try latest()?.settings ?? PolicySettings(), db: db)
    }

    /// The newest stored version, if any.
    public func latest() throws -> StoredPolicy? {
        try history().last
    }

    /// Every stored version, oldest first.
    public func history() throws -> [StoredPolicy] {
        var versions: [StoredPolicy] = []
        try db.forEach("""
            SELECT version_id, policy_id, version, settings, value_sets, source, created_at FROM policy_version ORDER BY version_id
            """) { row in
            let decoder = JSONDecoder()
            // A version this binary cannot read must not be skipped: an older one would silently decide.
            guard let settings = try? decoder.decode(PolicySettings.self, from: Data(row.text(3).utf8)),
                  let sets = try? decoder.decode([String: String].self, from: Data(row.text(4).utf8)) else {
                throw Unreadable(versionID: row.int64(0))
            }
            versions.append(StoredPolicy(versionID: row.int64(0), policyID: row.text(1), version: row.text(2),
                                         settings: settings, valueSets: sets, source: row.text(5), createdAt: row.text(6)))
        }
        return versions
    }

    /// Validates `settings` against the stored value sets and stores them as the current version.
    ///
    /// - Throws: `ResolvedPolicy.MissingValueSet` when a named value set is not stored.
    public func set(_ settings: PolicySettings, source: String, at timestamp: String) throws -> StoredPolicy {
        let resolved = try ResolvedPolicy(settings: settings, db: db)
        let digests = try ValueSetStore(db).digests(of: ResolvedPolicy.valueSetNames(settings))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try db.run("""
            INSERT INTO policy_version(policy_id, version, settings, value_sets, source, created_at) VALUES (?, ?, ?, ?, ?, ?)
            """, [.text(settings.policyID), .text(resolved.version), .text(String(decoding: try encoder.encode(settings), as: UTF8.self)),
                  .text(String(decoding: try encoder.encode(digests), as: UTF8.self)), .text(source), .text(timestamp)])
        return StoredPolicy(versionID: db.lastInsertRowID, policyID: settings.policyID, version: resolved.version,
                            settings: settings, valueSets: digests, source: source, createdAt: timestamp)
    }
}
