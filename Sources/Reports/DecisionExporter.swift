import DelimitedText
import Foundation
import History
import Policy
import SQLiteDB

/// The export formats.
public enum ExportFormat: String, Sendable, CaseIterable, Codable {
    /// One row per decision; evidence as a JSON array in the last column.
    case csv
    /// One JSON object per line; evidence nested.
    case jsonl
    /// X12 835-style remittance fragments for the denied lines, one per claim.
    case x835 = "835"
}

/// Writes the current decisions that match a filter, in claim id then line number order.
/// The same data and filter always give the same bytes.
public struct DecisionExporter {
    private let db: Connection

    public init(db: Connection) { self.db = db }

    /// Exports to `output` and returns the manifest (its `file` is `output.path`).
    public func export(format: ExportFormat, filter: DecisionFilter, to output: OutputFile) throws -> ExportManifest {
        let out = HashingOutput(file: output)
        let lineage = try Lineage(db: db)
        var counts: [String: Int] = [:]
        var versions = Set<String>()
        var rows = 0
        func count(_ decision: Decision) {
            rows += 1
            counts[decision.outcome.rawValue + "\u{1F}" + decision.reason, default: 0] += 1
            versions.insert(decision.policyVersion)
        }
        switch format {
        case .csv:
            let encoder = DecisionRecord.jsonEncoder()
            try out.write(DecisionRecord.csvHeader.joined(separator: ",") + "\n")
            try DecisionStore(db).forEachCurrent(filter) { decision in
                count(decision)
                let fields = try DecisionRecord(decision, lineage: lineage).csvFields(encoder: encoder)
                try out.write(fields.map(CSVWriter.escape).joined(separator: ",") + "\n")
            }
        case .jsonl:
            let encoder = DecisionRecord.jsonEncoder()
            try DecisionStore(db).forEachCurrent(filter) { decision in
                count(decision)
                try out.write(String(decoding: try encoder.encode(DecisionRecord(decision, lineage: lineage)), as: UTF8.self) + "\n")
            }
        case .x835:
            // Fragments are for denied lines only: an ALLOW filter selects none.
            if filter.outcome != .allow {
                var denials = filter
                denials.outcome = .deny
                try Remittance835(db: db).write(filter: denials, to: out) { count($0) }
            }
        }
        let sha = try out.finish()
        return ExportManifest(
            format: format.rawValue, file: output.path, rows: rows, bytes: out.bytes, sha256: sha,
            filters: filter.description, policyVersions: versions.sorted(),
            counts: counts.keys.sorted().map { key in
                let parts = key.split(separator: "\u{1F}").map(String.init)
                return .init(outcome: parts[0], reason: parts[1], rows: counts[key]!)
            },
            engineVersion: Engine.version)
    }
}
