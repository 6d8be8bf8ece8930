import ArgumentParser
import Foundation
import History
import Policy
import Reports

/// `lbp bench-explain`: explain latency measured in-process (hidden; used by Scripts/bench-decide).
struct BenchExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-explain",
        abstract: "Measure explain latency in-process over random decided lines (median, p99).",
        shouldDisplay: false)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "How many lines to explain.") var samples = 1000

    func run() throws {
        try reportingErrors(database: database.path) {
            let db = try database.openForReading()
            let keys = try DecisionStore(db).currentLineKeys()
            guard !keys.isEmpty else { throw UserFacingError(message: "no decisions to explain; run lbp decide first", exitCode: .failure) }
            let imagingSets = try PolicyStore(db).current().settings.imagingValueSets
            var timings: [Double] = []
            var characters = 0
            for _ in 0..<samples {
                let (claim, line) = keys.randomElement()!
                let start = DispatchTime.now().uptimeNanoseconds
                // What `lbp explain CLAIM LINE` does once the database is open.
                let decision = try DecisionStore(db).current(claimID: claim, lineNumber: line)!
                let current = try HistoryReader(db).imagingLine(claimID: claim, lineNumber: line, categories: imagingSets)
                let text = ExplanationText.render(decision, stored: true, lineage: try Lineage(db: db),
                                                  changedSince: LineCurrency.note(decision, current: current))
                timings.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                characters += text.count
            }
            timings.sort()
            let median = timings[timings.count / 2]
            let p99 = timings[min(timings.count - 1, Int(Double(timings.count) * 0.99))]
            print(String(format: "explain: %d lines, median %.3f ms, p99 %.3f ms, max %.3f ms (%d characters rendered)",
                         samples, median, p99, timings.last!, characters))
        }
    }
}
