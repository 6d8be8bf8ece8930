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
            var keys: [(String, Int)] = []
            try db.forEach("SELECT claim_id, line_number FROM decision WHERE is_current = 1 ORDER BY claim_id, line_number") {
                keys.append(($0.text(0), $0.int(1)))
            }
            guard !keys.isEmpty else { throw UserFacingError(message: "no decisions to explain; run lbp decide first", exitCode: .failure) }
            var timings: [Double] = []
            var characters = 0
            for _ in 0..<samples {
                let (claim, line) = keys.randomElement()!
                let start = DispatchTime.now().uptimeNanoseconds
                // What `lbp explain CLAIM LINE` does once the database is open.
                let decision = try DecisionStore(db).current(claimID: claim, lineNumber: line)!
                let text = ExplanationText.render(decision, stored: true, lineage: try Lineage(db: db))
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
