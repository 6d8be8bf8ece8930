import ArgumentParser
import DelimitedText
import Foundation
import History
import Policy
import Reports

/// `lbp decide`: decide every imaging line in scope and report what changed.
struct DecideCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide",
        abstract: "Decide every imaging line (or those in scope) under the LBP policy; report outcomes and changes.",
        discussion: """
            A run is one transaction under the stored policy (lbp policy set). Without a scope or --full, only \
            the lines of members whose claims or eligibility a load touched since the last run are re-decided \
            (everything when the policy or a value set it names changed). A line whose outcome, reason, index \
            date and red flags are unchanged keeps its stored decision; a changed one gets a new decision and \
            the change is logged (see --changes-out). With --policy FILE the run is a what-if: it prints and \
            writes --out, and stores nothing.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var policy: PolicyOptions
    @OptionGroup var scope: ScopeOptions

    @Option(help: ArgumentHelp("Also write this run's decisions as CSV (sorted by claim id, line number).", valueName: "file"))
    var out: String?

    @Option(name: .customLong("changes-out"), help: ArgumentHelp("Write this run's changed decisions as CSV.", valueName: "file"))
    var changesOut: String?

    @Flag(help: "Re-decide every imaging line, not only those of members whose history changed since the last run.")
    var full = false

    @Flag(help: "Print the run summary as JSON.")
    var json = false

    func run() throws {
        try reportingErrors(database: database.path) {
            let db = try database.open()
            let resolved = try policy.resolve(db)
            let run = DecideRun(db: db, policy: resolved)
            let write = { (summary: DecideSummary) throws in
                if let out {
                    _ = try DecisionExporter(db: db).export(format: .csv, filter: scope.filter, to: try OutputFile(path: out))
                }
                if let changesOut { try ChangeReport.write(summary, to: try OutputFile(path: changesOut)) }
            }
            let summary: DecideSummary
            if policy.isWhatIf {
                summary = try run.whatIf(scope: scope.filter, inspect: write)
            } else {
                summary = try run.run(scope: scope.filter, full: full)
                try write(summary)
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(summary), as: UTF8.self))
            } else {
                print(DecideSummaryText.render(summary, whatIf: policy.isWhatIf))
            }
        }
    }
}

/// The text form of a decide summary.
enum DecideSummaryText {
    static func render(_ summary: DecideSummary, whatIf: Bool = false) -> String {
        let head = whatIf ? "what-if run (nothing stored)" : "decide run \(summary.runID) (\(summary.mode))"
        var lines = ["\(head): \(summary.linesDecided) imaging lines under policy \(summary.policyID) version \(summary.policyVersion)",
                     "  new \(summary.newDecisions), changed \(summary.changedDecisions), refreshed \(summary.refreshedDecisions), unchanged \(summary.unchangedDecisions), withdrawn \(summary.withdrawnDecisions)",
                     "",
                     "  outcome  reason                          lines"]
        for row in summary.byReason {
            lines.append("  " + row.outcome.padding(8) + " " + row.reason.padding(31) + " " + String(row.count))
        }
        if !summary.changes.isEmpty {
            lines.append("")
            lines.append("  changed decisions:")
            for change in summary.changes.prefix(50) {
                let now = change.outcome.map { "\($0) \(change.reason ?? "")" } ?? "withdrawn (line gone)"
                lines.append("    claim \(change.claimID) line \(change.lineNumber): \(change.previousOutcome) \(change.previousReason) -> \(now)")
            }
            if summary.changes.count > 50 { lines.append("    ... and \(summary.changes.count - 50) more (use --changes-out)") }
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
