import Foundation

/// What an export holds, so an auditor can prove what they received: rows, counts by outcome and
/// reason, the filters, the policy versions and the file's SHA-256.
public struct ExportManifest: Codable, Equatable, Sendable {
    public struct Count: Codable, Equatable, Sendable {
        public let outcome: String
        public let reason: String
        public let rows: Int
    }

    public var format: String
    public var file: String
    public var rows: Int
    public var bytes: Int
    public var sha256: String
    public var filters: String
    public var policyVersions: [String]
    public var counts: [Count]
    public var engineVersion: String

    enum CodingKeys: String, CodingKey {
        case format, file, rows, bytes, sha256, filters, counts
        case policyVersions = "policy_versions", engineVersion = "engine_version"
    }

    /// Pretty JSON with sorted keys.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self) + "\n"
    }
}
