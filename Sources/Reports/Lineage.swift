import History
import SQLiteDB

/// Load-ledger entries by id: which extract file (name, SHA-256) a stored row came from.
public struct Lineage: Sendable {
    public struct Source: Sendable, Codable, Equatable {
        public let file: String
        public let sha256: String
    }

    private let sources: [Int64: Source]

    public init(db: Connection) throws {
        var sources: [Int64: Source] = [:]
        for entry in try LoadLedger(db).all() { sources[entry.loadID] = Source(file: entry.fileName, sha256: entry.sha256) }
        self.sources = sources
    }

    public func source(_ loadID: Int64?) -> Source? { loadID.flatMap { sources[$0] } }
}
