import SQLiteDB

/// One diagnosis event of a member's timeline: a diagnosis in a value set, dated by its claim.
public struct TimelineEvent: Sendable, Equatable {
    public let day: Day
    /// The value set (`LOW_BACK_PAIN`, `TRAUMA`, ...).
    public let category: String
    public let claimID: String
    public let position: Int
    public let code: String
    /// The ledger entry of the claim version (lineage).
    public let loadID: Int64
}

/// What the history holds about one member over a date range, for a timeline: eligibility spans
/// and the diagnosis events of the value sets asked for.
///
/// Each read is a few index range scans (`eligibility_span` by member; `dx_event` by period and
/// member). Run both inside one read transaction for a consistent picture. Not `Sendable`: it
/// holds a connection.
public struct MemberTimeline {
    private let db: Connection

    public init(_ db: Connection) { self.db = db }

    /// The member's eligibility spans that overlap `from ... to`, by start date.
    public func spans(member: String, from: Day, to: Day) throws -> [EligibilitySpan] {
        try HistoryReader(db).spans(of: member).filter { $0.start <= to && ($0.end.map { $0 >= from } ?? true) }
    }

    /// The member's diagnosis events in `categories` dated `from ... to`, by day, value set,
    /// claim and position (bytes, as SQLite's BINARY collation orders them).
    public func events(member: String, categories: [String], from: Day, to: Day) throws -> [TimelineEvent] {
        let window = EventWindow(from: from, to: to)
        let history = try HistoryReader(db).memberHistory(member, windows: Dictionary(categories.map { ($0, window) }) { a, _ in a })
        return history.events
            .flatMap { category, events in
                // (a stored event always has its load)
                events.compactMap { event in
                    event.loadID.map { TimelineEvent(day: event.day, category: category, claimID: event.claimID,
                                                     position: event.position, code: event.code, loadID: $0) }
                }
            }
            .sorted { a, b in
                if a.day != b.day { return a.day < b.day }
                if a.category != b.category { return a.category.utf8.lexicographicallyPrecedes(b.category.utf8) }
                if !a.claimID.sameBytes(b.claimID) { return a.claimID.utf8.lexicographicallyPrecedes(b.claimID.utf8) }
                return a.position < b.position
            }
    }

    /// Whether the history holds anything of the member: an eligibility span or a diagnosis event
    /// (an index probe of the spans, then one per period of the events).
    public func knows(member: String) throws -> Bool {
        let everyPeriod = try EventPeriod.periods([EventWindow(from: nil, to: Day(number: Int32.max))],
                                                  storedPeriods: HistoryReader(db).storedPeriods)
        return try db.scalarInt("""
            SELECT EXISTS (SELECT 1 FROM eligibility_span WHERE member_id = ?1)
                OR EXISTS (SELECT 1 FROM dx_event WHERE period IN (SELECT value FROM json_each(?2)) AND member_id = ?1)
            """, [.text(member), .text(everyPeriod)]) == 1
    }
}
