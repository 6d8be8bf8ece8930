import Crypto
import Foundation
import History
import SQLiteDB

/// Settings checked against the stored value sets, with the policy version they make.
///
/// The version is the engine version plus a digest of the settings (as canonical JSON) and of
/// every value set they name: it changes whenever rules, settings or value sets change.
public struct ResolvedPolicy: Sendable {
    public let settings: PolicySettings
    public let version: String

    /// A setting names a value set the database does not hold.
    public struct MissingValueSet: Error, CustomStringConvertible, Sendable {
        public let names: [String]
        public var description: String {
            "the policy names value set\(names.count == 1 ? "" : "s") \(names.joined(separator: ", ")), not stored in the database (add with lbp valuesets load)"
        }
    }

    public init(settings: PolicySettings, db: Connection) throws {
        let names = Self.valueSetNames(settings)
        let digests = try ValueSetStore(db).digests(of: names)
        let missing = names.filter { digests[$0] == nil }
        if !missing.isEmpty { throw MissingValueSet(names: missing) }
        self.settings = settings
        self.version = Self.version(settings: settings, valueSetDigests: digests)
    }

    /// Settings with a version given by the caller, for deciding without a database (tests, tools).
    /// `lbp` itself always resolves against the stored value sets (`init(settings:db:)`).
    public init(settings: PolicySettings, version: String) {
        self.settings = settings
        self.version = version
    }

    static func valueSetNames(_ settings: PolicySettings) -> [String] {
        var names = [settings.episodeValueSet] + settings.imagingValueSets + settings.redFlags.map(\.valueSet)
        var seen = Set<String>()
        names = names.filter { seen.insert($0).inserted }
        return names.sorted()
    }

    static func version(settings: PolicySettings, valueSetDigests: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var hasher = SHA256()
        hasher.update(data: Array("engine \(Engine.version)\n".utf8))
        hasher.update(data: (try? encoder.encode(settings)) ?? Data())
        for name in valueSetDigests.keys.sorted() {
            hasher.update(data: Array("\n\(name) \(valueSetDigests[name]!)".utf8))
        }
        let hex = hasher.finalize().hexString
        return "\(Engine.version)+\(hex.prefix(16))"
    }
}
