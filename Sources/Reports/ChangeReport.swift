import DelimitedText
import Policy

/// The retro-review list of one decide run: every line whose decision changed, with the previous
/// and new outcome — what adjudicators use to reverse denials.
public enum ChangeReport {
    public static let header = ["claim_id", "claim_line_number", "change", "previous_outcome", "previous_reason", "outcome", "reason", "run_id"]

    /// Writes the changes as CSV (sorted by claim id, line number) and commits the file.
    public static func write(_ summary: DecideSummary, to file: OutputFile) throws {
        let writer = CSVWriter(file: file)
        try writer.writeRow(header)
        for change in summary.changes {
            try writer.writeRow([change.claimID, String(change.lineNumber), change.kind, change.previousOutcome,
                                 change.previousReason, change.outcome ?? "", change.reason ?? "", String(summary.runID)])
        }
        try file.commit()
    }
}
