import Foundation
import History
import Policy
import Reports
import DelimitedText
import TestSupport
import Testing

/// The incremental decide against the full one on random books: months of claims with episodes,
/// red flags, imaging, replacements and voids of earlier claims, and eligibility changes, loaded
/// file by file; after every file both databases must export the same bytes.
@Suite("Incremental decide on random books")
struct IncrementalDecideTests {
    /// One month's files of a random book.
    private struct Month {
        var claims: [ClaimRow] = []
        var eligibility: [EligibilityRow] = []
    }

    private static let diagnoses = [Code.lbp, Code.lbp, Code.lbp, Code.other, Code.other, Code.cancer, Code.trauma,
                                    Code.ivDrugAbuse, Code.neurologic, Code.spinalInfection]
    private static let procedures = [Code.mri, Code.xray, Code.ct, "99213", "99214"]

    private func book(seed: UInt64, members: Int, months: Int) -> [Month] {
        var random = SplitMix64(seed: seed)
        func iso(_ day: Day) -> String { day.iso }
        var written: [ClaimRow] = []
        var book: [Month] = []
        for month in 0..<months {
            var next = Month()
            let first = Day(year: 2024, month: month + 1, day: 1)!
            if month == 0 || month == months / 2 {
                // Spans with gaps; half way, some members' spans are re-sent with other ends.
                for member in 1...members where month == 0 || Bool.random(using: &random) {
                    let start = Day(year: 2023, month: Int.random(in: 1...12, using: &random), day: 1)!
                    let end = Bool.random(using: &random) ? "" : iso(first.adding(days: Int.random(in: -60...200, using: &random)))
                    next.eligibility.append(EligibilityRow(member: "M\(member)", start: iso(start), end: end))
                }
            }
            for member in 1...members {
                for claim in 0..<Int.random(in: 0...2, using: &random) {
                    let start = first.adding(days: Int.random(in: 0...27, using: &random))
                    let dx = (0..<Int.random(in: 1...3, using: &random)).map { _ in Self.diagnoses.randomElement(using: &random)! }
                    for line in 1...Int.random(in: 1...2, using: &random) {
                        let row = ClaimRow(claim: "C\(month)-\(member)-\(claim)", line: line, member: "M\(member)", start: iso(start),
                                           lineStart: iso(start.adding(days: Int.random(in: 0...3, using: &random))),
                                           hcpcs: Self.procedures.randomElement(using: &random)!, dx: dx)
                        next.claims.append(row)
                        written.append(row)
                    }
                }
            }
            // Replace and void claims of earlier months.
            for _ in 0..<3 where !written.isEmpty {
                var old = written.randomElement(using: &random)!
                old.line = 1
                old.frequency = Bool.random(using: &random) ? "7" : "8"
                old.dx = [Self.diagnoses.randomElement(using: &random)!, Self.diagnoses.randomElement(using: &random)!]
                old.start = iso(Day(iso: old.start)!.adding(days: Int.random(in: -5...5, using: &random)))
                old.lineStart = old.start
                next.claims.append(old)
            }
            book.append(next)
        }
        return book
    }

    private func export(_ history: TestHistory) throws -> Data {
        let path = history.directory.file("export-\(UUID().uuidString).csv")
        _ = try DecisionExporter(db: history.db).export(format: .csv, filter: DecisionFilter(), to: try OutputFile(path: path))
        return try #require(FileManager.default.contents(atPath: path))
    }

    @Test("after every file, incremental and full decide store the same decisions", arguments: [1, 2, 3] as [UInt64])
    func randomBook(seed: UInt64) throws {
        let incremental = try TestHistory(), full = try TestHistory()
        var incrementalRuns = 0, decided = 0
        for (index, month) in book(seed: seed, members: 40, months: 8).enumerated() {
            for history in [incremental, full] {
                if !month.eligibility.isEmpty { try history.loadEligibility(month.eligibility, name: "eligibility-\(index).csv") }
                try history.loadClaims(month.claims, name: "claims-\(index).csv")
            }
            let policy = try PolicyStore(incremental.db).current()
            let run = try DecideRun(db: incremental.db, policy: policy, clock: incremental.clock).run()
            let all = try DecideRun(db: full.db, policy: policy, clock: full.clock).run(full: true)
            if run.mode == "incremental" { incrementalRuns += 1 }
            decided += run.linesDecided
            #expect(run.changes == all.changes, "seed \(seed), month \(index)")
            #expect(try export(incremental) == (try export(full)), "seed \(seed), month \(index)")
        }
        #expect(incrementalRuns == 7)
        // The incremental runs decided fewer lines than deciding everything every month would.
        #expect(decided < (try incremental.db.scalarInt("SELECT count(*) FROM decision") ?? 0) * 8)
    }
}
