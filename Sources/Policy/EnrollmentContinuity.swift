import History

/// Continuous enrollment over a range: the stretches no span covers, and whether they fit the
/// allowance (HEDIS convention: at most one gap of at most 45 days). Coverage is the union of all
/// spans, whatever the payer or plan; uncovered days at either end are gaps like any other.
public struct EnrollmentContinuity: Sendable, Equatable {
    public let range: ClosedRange<Day>
    /// Uncovered stretches, in order.
    public let gaps: [ClosedRange<Day>]

    public init(spans: [EligibilitySpan], range: ClosedRange<Day>) {
        self.range = range
        var gaps: [ClosedRange<Day>] = []
        var cursor = range.lowerBound
        var covered = false
        for span in spans.sorted(by: { $0.start < $1.start }) {
            if span.start > range.upperBound { break }
            if let end = span.end, end < cursor { continue }
            if span.start > cursor { gaps.append(cursor...span.start.adding(days: -1)) }
            guard let end = span.end, end < range.upperBound else { covered = true; break }
            cursor = max(cursor, end.adding(days: 1))
        }
        if !covered, cursor <= range.upperBound { gaps.append(cursor...range.upperBound) }
        self.gaps = gaps
    }

    /// Length of a gap in days (both ends included).
    public static func length(_ gap: ClosedRange<Day>) -> Int { gap.upperBound.days(since: gap.lowerBound) + 1 }

    /// Whether the gaps fit: at most `maxGaps` of them, none longer than `maxGapDays`.
    public func isContinuous(maxGaps: Int, maxGapDays: Int) -> Bool {
        gaps.count <= maxGaps && gaps.allSatisfy { Self.length($0) <= maxGapDays }
    }

    /// Plain words: the range and each gap.
    public var summary: String {
        let head = "required \(range.lowerBound.iso) through \(range.upperBound.iso)"
        if gaps.isEmpty { return head + "; covered throughout" }
        let list = gaps.map { "\($0.lowerBound.iso) to \($0.upperBound.iso) (\(Self.length($0)) days)" }
        return head + "; not covered " + list.joined(separator: ", ")
    }
}
