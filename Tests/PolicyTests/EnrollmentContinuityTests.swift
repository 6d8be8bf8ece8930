import History
import Policy
import TestSupport
import Testing

/// The continuous-enrollment check on its own: gaps at the start, end and middle of the range,
/// overlapping, contained, adjacent and open-ended spans, and the allowance.
@Suite("EnrollmentContinuity")
struct EnrollmentContinuityTests {
    /// The range I−180 … D used throughout: 2023-09-12 … 2024-03-10.
    static let range = day("2023-09-12")...day("2024-03-10")

    /// Spans as the evaluator reads them (loaded, then queried), for (start, end) pairs ("" = open).
    private func spans(_ pairs: [(String, String)], payers: [String]? = nil) throws -> [EligibilitySpan] {
        let history = try TestHistory()
        let rows = pairs.enumerated().map { offset, pair in
            EligibilityRow(member: "M1", start: pair.0, end: pair.1, payer: payers?[offset] ?? "ACME")
        }
        try history.loadEligibility(rows)
        return try HistoryReader(history.db).spans(of: "M1")
    }

    private func gaps(_ pairs: [(String, String)], payers: [String]? = nil) throws -> [String] {
        try EnrollmentContinuity(spans: spans(pairs, payers: payers), range: Self.range).gaps
            .map { "\($0.lowerBound.iso)...\($0.upperBound.iso)" }
    }

    @Test("one open-ended span starting before the range: no gap")
    func openEndedSpan() throws {
        let continuity = EnrollmentContinuity(spans: try spans([("2020-01-01", "")]), range: Self.range)
        #expect(continuity.gaps.isEmpty)
        #expect(continuity.isContinuous(maxGaps: 0, maxGapDays: 0))
        #expect(continuity.summary == "required 2023-09-12 through 2024-03-10; covered throughout")
    }

    @Test("a span ending exactly on the last day covers it")
    func spanEndingOnLastDay() throws {
        #expect(try gaps([("2023-09-12", "2024-03-10")]).isEmpty)
    }

    @Test("no spans: the whole range is one gap")
    func noSpans() throws {
        let continuity = EnrollmentContinuity(spans: [], range: Self.range)
        #expect(continuity.gaps == [Self.range])
        #expect(EnrollmentContinuity.length(Self.range) == 181)
        #expect(!continuity.isContinuous(maxGaps: 1, maxGapDays: 45))
    }

    @Test("uncovered days at the start are a gap")
    func gapAtStart() throws {
        #expect(try gaps([("2023-09-22", "")]) == ["2023-09-12...2023-09-21"])
    }

    @Test("uncovered days at the end are a gap")
    func gapAtEnd() throws {
        #expect(try gaps([("2023-01-01", "2024-03-05")]) == ["2024-03-06...2024-03-10"])
    }

    @Test("a gap in the middle")
    func gapInMiddle() throws {
        let continuity = EnrollmentContinuity(spans: try spans([("2023-01-01", "2023-10-31"), ("2023-12-16", "")]), range: Self.range)
        #expect(continuity.gaps == [day("2023-11-01")...day("2023-12-15")])
        #expect(EnrollmentContinuity.length(continuity.gaps[0]) == 45)
        #expect(continuity.isContinuous(maxGaps: 1, maxGapDays: 45))
        #expect(!continuity.isContinuous(maxGaps: 1, maxGapDays: 44))
        #expect(!continuity.isContinuous(maxGaps: 0, maxGapDays: 45))
        #expect(continuity.summary.contains("2023-11-01 to 2023-12-15 (45 days)"))
    }

    @Test("gaps at the start, in the middle and at the end, in order")
    func threeGaps() throws {
        let found = try gaps([("2023-09-15", "2023-10-31"), ("2023-11-05", "2024-03-01")])
        #expect(found == ["2023-09-12...2023-09-14", "2023-11-01...2023-11-04", "2024-03-02...2024-03-10"])
        let continuity = EnrollmentContinuity(spans: try spans([("2023-09-15", "2023-10-31"), ("2023-11-05", "2024-03-01")]), range: Self.range)
        #expect(!continuity.isContinuous(maxGaps: 2, maxGapDays: 45))
        #expect(continuity.isContinuous(maxGaps: 3, maxGapDays: 9))
        #expect(!continuity.isContinuous(maxGaps: 3, maxGapDays: 8))
    }

    @Test("overlapping spans of different payers leave no gap")
    func overlappingSpans() throws {
        #expect(try gaps([("2023-01-01", "2023-12-31"), ("2023-06-01", "2024-01-31"), ("2024-01-15", "")],
                         payers: ["A", "B", "C"]).isEmpty)
    }

    @Test("a span inside another changes nothing")
    func containedSpan() throws {
        #expect(try gaps([("2023-01-01", "2023-12-31"), ("2023-03-01", "2023-04-30"), ("2024-01-10", "")],
                         payers: ["A", "B", "C"]) == ["2024-01-01...2024-01-09"])
    }

    @Test("adjacent spans (one ends the day before the next starts) leave no gap")
    func adjacentSpans() throws {
        #expect(try gaps([("2023-01-01", "2023-11-30"), ("2023-12-01", "2024-01-31"), ("2024-02-01", "")]).isEmpty)
    }

    @Test("spans entirely before or after the range are ignored")
    func spansOutsideTheRange() throws {
        #expect(try gaps([("2020-01-01", "2021-01-01"), ("2024-04-01", "")]) == ["2023-09-12...2024-03-10"])
    }

    @Test("an open-ended span inside the range covers to its end, whatever follows")
    func openEndedThenMore() throws {
        #expect(try gaps([("2023-10-01", ""), ("2023-11-01", "2023-11-30")]) == ["2023-09-12...2023-09-30"])
    }

    @Test("a one-day range")
    func oneDayRange() throws {
        let d = day("2024-03-10")
        #expect(EnrollmentContinuity(spans: try spans([("2024-03-10", "2024-03-10")]), range: d...d).gaps.isEmpty)
        #expect(EnrollmentContinuity(spans: try spans([("2024-03-11", "")]), range: d...d).gaps == [d...d])
    }
}
