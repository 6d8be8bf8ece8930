import ArgumentParser
import DelimitedText
import History
import Policy
import Reports

/// `lbp export`: decisions for auditors and the claims system.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export current decisions as CSV, JSON Lines or 835 remittance fragments, with a manifest.",
        discussion: """
            Rows are ordered by claim id, then line number; the same data and filters give the same bytes. \
            The manifest (rows, counts, filters, policy versions, SHA-256 of the output) goes to stderr, \
            or to --manifest FILE.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var scope: ScopeOptions

    @Option(help: "csv, jsonl or 835.") var format: ExportFormat = .csv
    @Option(help: ArgumentHelp("Output file (default: stdout).", valueName: "file")) var out: String?
    @Option(help: ArgumentHelp("Write the manifest here instead of stderr.", valueName: "file")) var manifest: String?
    @Option(help: "Only ALLOW or DENY.") var outcome: Outcome?
    @Option(help: ArgumentHelp("Only this reason code.", valueName: "code")) var reason: String?
    @Option(name: .customLong("decided-from"), help: ArgumentHelp("Only decisions made at or after this time.", valueName: "YYYY-MM-DD[THH:MM:SSZ]"))
    var decidedFrom: String?
    @Option(name: .customLong("decided-to"), help: ArgumentHelp("Only decisions made at or before this time.", valueName: "YYYY-MM-DD[THH:MM:SSZ]"))
    var decidedTo: String?
    @Option(name: .customLong("changed-since"), help: ArgumentHelp("Only lines whose decision changed after this decide run.", valueName: "run-id"))
    var changedSince: Int64?

    func run() throws {
        try reportingErrors(database: database.path) {
            let db = try database.openForReading()
            var filter = scope.filter
            filter.outcome = outcome
            filter.reason = reason
            filter.decidedFrom = decidedFrom
            filter.decidedTo = decidedTo
            filter.changedSinceRun = changedSince
            let output = try out.map { try OutputFile(path: $0) } ?? OutputFile.standardOutput()
            let result = try db.readSnapshot { try DecisionExporter(db: db).export(format: format, filter: filter, to: output) }
            if let manifest {
                let file = try OutputFile(path: manifest)
                try file.write(result.json())
                try file.commit()
            } else {
                printToStderr(result.json())
            }
        }
    }
}

extension ExportFormat: ExpressibleByArgument {}
