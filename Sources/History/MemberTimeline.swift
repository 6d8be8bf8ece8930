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
/// Each read is an index range scan (`eligibility_span` by member; `dx_event` by member, value
/// set and day). Run both inside one read transaction for a consistent picture. Not `Sendable`:
/// it holds a connection.
public struct MemberTimeline {
    private let db: Connection

    public init(_ db: Connection) { self.db = db }

    /// The member's eligibility spans that overlap `from ... to`, by start date.
    public func spans(member: String, from: Day, to: Day) throws -> [EligibilitySpan] {
        try HistoryReader(db).spans(of: member).filter { $0.start <= to && ($0.end.map { $0 >= from } ?? true) }
    }

    /// The member's diagnosis events in `categories` dated `from ... to`, by day, value set,
    /// claim and position.
    public func events(member: String, categories: [String], from: Day, to: Day) throws -> [TimelineEvent] {
        let statement = try db.cached("""
            SELECT e.day, e.category, e.claim_id, e.position, e.code, c.load_id
            FROM dx_event e JOIN claim c ON c.claim_id = e.claim_id
            WHERE e.member_id = ?1 AND e.category IN (SELECT value FROM json_each(?2)) AND e.day BETWEEN ?3 AND ?4
            ORDER BY e.day, e.category, e.claim_id, e.position
            """)
        defer { statement.reset() }
        statement.bind(member, at: 1)
        statement.bind(Self.jsonArray(categories), at: 2)
        statement.bind(Int64(from.number), at: 3)
        statement.bind(Int64(to.number), at: 4)
        var events: [TimelineEvent] = []
        while try statement.step() {
            events.append(TimelineEvent(
                day: Day(number: statement.int32(0)), category: statement.text(1), claimID: statement.text(2),
                position: statement.int(3), code: statement.text(4), loadID: statement.int64(5)))
        }
        return events
    }

    /// Whether the history holds anything of the member: an eligibility span or a diagnosis event
    /// (both keyed by member first, so this is two index probes).
    public func knows(member: String) throws -> Bool {
        try db.scalarInt("""
            SELECT EXISTS (SELECT 1 FROM eligibility_span WHERE member_id = ?1)
                OR EXISTS (SELECT 1 FROM dx_event WHERE member_id = ?1)
            """, [.text(member)]) == 1
    }

    /// A JSON array of names for `json_each` (names are value-set names: letters, digits, `_`).
    private static func jsonArray(_ names: [String]) -> String {
        "[" + names.map { "\"" + $0.filter { $0 != "\"" && $0 != "\\" } + "\"" }.joined(separator: ",") + "]"
    }
}
