import ArgumentParser
import Foundation
import History
import Ingest

/// `lbp load eligibility|claims FILE...`
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load eligibility or medical_claim extracts (Tuva input layer; CSV, pipe or tab; X12 837P/837I claims; .gz too).",
        discussion: """
            Each file is one transaction: it is stored whole or not at all. A file already in the load \
            ledger (same kind, same SHA-256) is skipped. Rejected rows go to <file name>.rejects.csv \
            in --rejects-dir. Files are loaded in the order given; the first file that cannot be \
            loaded stops the command.
            """)

    @Argument(help: "What the files hold: eligibility or claims.")
    var kind: ExtractKind

    @Argument(help: "The extract files.")
    var files: [String]

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Field delimiter: comma, pipe or tab (default: detected from the header line).")
    var delimiter: Delimiter?

    @Option(name: .customLong("rejects-dir"), help: ArgumentHelp("Where rejects files are written.", valueName: "dir"))
    var rejectsDirectory = "."

    @Flag(help: "Print the load reports as JSON on stdout.")
    var json = false

    func run() throws {
        try reportingErrors(database: database.path) {
            let db = try database.open()
            let progress = TerminalProgress.forStderr(enabled: !json)
            let loader = ExtractLoader(
                db: db, options: .init(delimiter: delimiter?.byte, rejectsDirectory: rejectsDirectory),
                progress: progress.map { meter in { meter.update($0) } })
            var reports: [LoadReport] = []
            defer { if json { printJSON(reports) } }
            for file in files {
                let report = try loader.load(path: file, kind: kind)
                progress?.finish()
                reports.append(report)
                if !json { print(LoadReportText.render(report)) }
            }
        }
    }

    private func printJSON(_ reports: [LoadReport]) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        if let data = try? encoder.encode(reports) { print(String(decoding: data, as: UTF8.self)) }
    }
}

extension ExtractKind: ExpressibleByArgument {}

/// A delimiter named on the command line.
enum Delimiter: String, ExpressibleByArgument, CaseIterable {
    case comma, pipe, tab

    var byte: UInt8 {
        switch self {
        case .comma: UInt8(ascii: ",")
        case .pipe: UInt8(ascii: "|")
        case .tab: UInt8(ascii: "\t")
        }
    }
}

/// The text form of a load report.
enum LoadReportText {
    static func render(_ report: LoadReport) -> String {
        if report.status == .alreadyLoaded {
            return "\(report.file): already loaded (ledger entry \(report.loadID), same SHA-256); nothing changed. \(report.countsLine)"
        }
        var lines = ["\(report.file): \(report.countsLine)"]
        switch report.kind {
        case .claims:
            var parts = ["claims stored \(report.claimsStored)", "replaced \(report.claimsReplaced)", "voided \(report.claimsVoided)"]
            if report.voidsOfUnknownClaims > 0 { parts.append("voids of claims never stored \(report.voidsOfUnknownClaims)") }
            if report.warnings > 0 { parts.append("warnings \(report.warnings) (lines of a claim disagreed on diagnoses; the lowest-numbered line's were used)") }
            lines.append("  " + parts.joined(separator: ", "))
        case .eligibility:
            lines.append("  spans stored \(report.spansStored), replaced \(report.spansReplaced)")
        }
        if let rejects = report.rejectsFile {
            let kinds = report.rejectsByKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            lines.append("  rejects: \(rejects) (\(kinds))")
        }
        if !report.envelopeWarnings.isEmpty {
            lines.append("  X12 envelope warnings: " + report.envelopeWarnings.joined(separator: "; "))
        }
        if !report.ignoredColumns.isEmpty {
            lines.append("  ignored columns: \(report.ignoredColumns.joined(separator: ", "))")
        }
        lines.append("  ledger entry \(report.loadID), sha256 \(report.sha256)")
        return lines.joined(separator: "\n")
    }
}
