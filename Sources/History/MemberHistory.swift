/// One member's history as the rules read it: dated diagnosis events by value set, and eligibility
/// spans. A plain value: the evaluator decides from it without touching the database, and a
/// candidate claim is applied to it exactly as a load would apply it (`applying(_:)`).
///
/// Events of a category are kept in the database's order: day, then claim id (bytes), then position.
public struct MemberHistory: Sendable, Equatable {
    public let memberID: String
    /// Events by category (value set name), each list sorted by day, claim id and position.
    public private(set) var events: [String: [DxEventRef]]
    /// Spans by start date, payer and plan.
    public let spans: [EligibilitySpan]

    public init(memberID: String, events: [String: [DxEventRef]], spans: [EligibilitySpan]) {
        self.init(memberID: memberID, sortedEvents: events.mapValues { $0.sorted(by: DxEventRef.databaseOrder) }, spans: spans)
    }

    /// Events already in the database's order (as `HistoryReader` reads them).
    init(memberID: String, sortedEvents: [String: [DxEventRef]], spans: [EligibilitySpan]) {
        self.memberID = memberID
        self.events = sortedEvents
        self.spans = spans
    }

    /// The earliest event of `category` dated `from ... to`; with `primaryOnly`, position 1 only.
    public func earliestEvent(_ category: String, from: Day, to: Day, primaryOnly: Bool) -> DxEventRef? {
        let list = events[category] ?? []
        var index = Self.firstIndex(in: list, onOrAfter: from)
        while index < list.count, list[index].day <= to {
            if !primaryOnly || list[index].position == 1 { return list[index] }
            index += 1
        }
        return nil
    }

    /// The latest event of `category` dated `from ... to` (`from` nil: any earlier date); among
    /// events of that day, the first by claim id and position.
    public func latestEvent(_ category: String, from: Day?, to: Day) -> DxEventRef? {
        let list = events[category] ?? []
        let end = Self.firstIndex(in: list, onOrAfter: to.adding(days: 1))
        guard end > 0 else { return nil }
        let day = list[end - 1].day
        if let from, day < from { return nil }
        return list[Self.firstIndex(in: list, onOrAfter: day)]
    }

    /// Whether the claim's diagnosis at `position` is in `category`.
    public func claimHasEvent(_ category: String, claimID: String, position: Int) -> Bool {
        (events[category] ?? []).contains { $0.position == position && $0.claimID.sameBytes(claimID) }
    }

    /// The history with one claim version applied as a load applies it: the stored version's
    /// events are removed (whatever member it belonged to) and `newEvents` (the new version's,
    /// nil for a void) are added.
    public func applying(claimID: String, events newEvents: [(category: String, event: DxEventRef)]?) -> MemberHistory {
        var copy = self
        for (category, list) in copy.events where list.contains(where: { $0.claimID.sameBytes(claimID) }) {
            copy.events[category] = list.filter { !$0.claimID.sameBytes(claimID) }
        }
        for (category, event) in newEvents ?? [] { copy.events[category, default: []].append(event) }
        for (category, list) in copy.events { copy.events[category] = list.sorted(by: DxEventRef.databaseOrder) }
        return copy
    }

    /// Index of the first event dated on or after `day` (binary search).
    private static func firstIndex(in list: [DxEventRef], onOrAfter day: Day) -> Int {
        var low = 0, high = list.count
        while low < high {
            let middle = (low + high) / 2
            if list[middle].day < day { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

extension DxEventRef {
    /// SQLite's order for `ORDER BY day, claim_id, position` (BINARY collation: UTF-8 bytes).
    static func databaseOrder(_ a: DxEventRef, _ b: DxEventRef) -> Bool {
        if a.day != b.day { return a.day < b.day }
        if !a.claimID.sameBytes(b.claimID) { return a.claimID.utf8.lexicographicallyPrecedes(b.claimID.utf8) }
        return a.position < b.position
    }
}

extension String {
    /// Byte equality (SQLite's BINARY collation); `==` on Swift strings compares canonical
    /// equivalence, which would make two different ids equal.
    public func sameBytes(_ other: String) -> Bool { utf8.elementsEqual(other.utf8) }
}
