import ArgumentParser
import Foundation
import History
import Policy
import Reports

/// `lbp explain CLAIM_ID [LINE]`: why a line was decided as it was.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show why an imaging line was allowed or denied, with the evidence and its source files.",
        discussion: "Shows the stored decision; a line not decided yet is evaluated now (nothing is stored).")

    @Argument(help: "The claim id.") var claimID: String
    @Argument(help: "The line number (default: every imaging line of the claim).") var line: Int?

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var policy: PolicyOptions

    @Flag(help: "Print the decisions as JSON.") var json = false

    func run() throws {
        try reportingErrors(database: database.path) {
            let db = try database.openForReading()
            let decisions = try db.readSnapshot { () throws -> [(Decision, Bool)] in
                let store = DecisionStore(db)
                var found: [(Decision, Bool)] = []
                let stored = try store.decidedLines(claimID: claimID)
                var lines = Set(stored)
                let resolved = try policy.resolve(db)
                var live: [Int: Decision] = [:]
                try ImagingLines(db: db, settings: resolved.settings).forEach(DecisionFilter(claimID: claimID)) { imaging in
                    lines.insert(imaging.lineNumber)
                    if !stored.contains(imaging.lineNumber) {
                        live[imaging.lineNumber] = try Evaluator(db: db, policy: resolved).decide(imaging)
                    }
                }
                for number in lines.sorted() where line == nil || line == number {
                    if let decision = try store.current(claimID: claimID, lineNumber: number) {
                        found.append((decision, true))
                    } else if let decision = live[number] {
                        found.append((decision, false))
                    }
                }
                return found
            }
            guard !decisions.isEmpty else {
                let what = database.verbose ? "claim \(claimID)\(line.map { " line \($0)" } ?? "")" : "that claim\(line == nil ? "" : " line")"
                throw UserFacingError(message: "\(what) is not an imaging line in the history (not loaded, voided, or not imaging)", exitCode: .failure)
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                let payload = decisions.map { ExplainedDecision(stored: $0.1, decision: $0.0) }
                print(String(decoding: try encoder.encode(payload), as: UTF8.self))
            } else {
                let lineage = try Lineage(db: db)
                print(decisions.map { ExplanationText.render($0.0, stored: $0.1, lineage: lineage) }.joined(separator: "\n"), terminator: "")
            }
        }
    }
}

/// `explain --json`: a decision and whether it is the stored one.
struct ExplainedDecision: Encodable {
    let stored: Bool
    let decision: Decision
}
