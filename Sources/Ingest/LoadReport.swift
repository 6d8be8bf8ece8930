/// What one file's load did. `rowsLoaded + rowsRejected == rowsRead` always.
public struct LoadReport: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        /// The file was loaded and committed.
        case loaded
        /// A file with the same kind and bytes is in the ledger: nothing was done.
        case alreadyLoaded = "already_loaded"
    }

    public var file: String
    public var kind: ExtractKind
    public var status: Status
    /// The ledger entry (for `alreadyLoaded`, the earlier one).
    public var loadID: Int64
    public var sha256: String
    public var bytes: Int64
    public var rowsRead = 0
    public var rowsLoaded = 0
    public var rowsRejected = 0
    /// Claims whose lines disagreed only on diagnoses (the lowest-numbered line's were used).
    public var warnings = 0
    public var claimsStored = 0
    public var claimsReplaced = 0
    public var claimsVoided = 0
    /// Voids of claims that were never stored (nothing to remove).
    public var voidsOfUnknownClaims = 0
    public var spansStored = 0
    public var spansReplaced = 0
    public var rejectsByKind: [String: Int] = [:]
    public var rejectsFile: String?
    public var ignoredColumns: [String] = []
    /// The field delimiter of a delimited file ("" for X12).
    public var delimiter: String = ","
    /// How the file was written, judged by its content.
    public var format: Format = .delimited
    /// X12 only: envelope trailer counts or control numbers that disagree with the file, and
    /// transaction sets that are not 837s (skipped). Warnings, not failures.
    public var envelopeWarnings: [String] = []

    public enum Format: String, Sendable, Codable {
        case delimited
        case x12
    }

    /// `read N, loaded N, rejected N`.
    public var countsLine: String {
        "read \(rowsRead), loaded \(rowsLoaded), rejected \(rowsRejected)"
    }
}

/// Progress of a running load, reported every few thousand rows.
public struct LoadProgress: Sendable {
    public let file: String
    public let rowsRead: Int
    public let bytesConsumed: Int64
    public let totalBytes: Int64
}
