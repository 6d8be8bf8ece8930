@testable import History
import SQLiteDB
import Testing
import TestSupport

/// Every row of a query, values boxed, in the query's order.
private func rows(_ db: Connection, _ sql: String) throws -> [[SQLiteValue]] {
    var result: [[SQLiteValue]] = []
    try db.forEach(sql) { row in result.append((0..<row.columnCount).map { row.value($0) }) }
    return result
}

private func day(_ iso: String) -> Day { Day(iso: iso)! }

/// The event days a member's history holds for one value set in one window.
private func eventDays(_ db: Connection, member: String = "M1", _ category: String = "LOW_BACK_PAIN",
                       from: String?, to: String) throws -> [String] {
    let window = EventWindow(from: from.map(day), to: day(to))
    return try HistoryReader(db).memberHistory(member, windows: [category: window]).events[category]!.map(\.day.iso)
}

/// `dx_event` is keyed by period (day / 365) first (m0005): a load writes within the current
/// period; every reader seeks each period its window covers. 2023-12-19 is the first day of
/// period 54 (day 19,710).
@Suite("Diagnosis events by period")
struct EventPeriodTests {
    /// A claim with a low-back-pain primary diagnosis.
    private func lbp(_ claim: String, _ start: String, member: String = "M1", dx: [String] = ["M5450"]) -> ClaimRow {
        ClaimRow(claim: claim, member: member, start: start, dx: dx)
    }

    @Test func eventsOnBothSidesOfAPeriodBoundaryAreRead() throws {
        let history = try TestHistory()
        try history.loadClaims([
            lbp("C1", "2020-06-01"), lbp("C2", "2023-12-18"), lbp("C3", "2023-12-19"), lbp("C4", "2023-12-20"),
            lbp("C5", "2024-03-01"),
        ])
        #expect(try rows(history.db, "SELECT period, date(day * 86400, 'unixepoch') FROM dx_event ORDER BY day") == [
            [50, "2020-06-01"], [53, "2023-12-18"], [54, "2023-12-19"], [54, "2023-12-20"], [54, "2024-03-01"],
        ])
        // Bounds are inclusive on both sides, across the boundary.
        #expect(try eventDays(history.db, from: "2023-12-18", to: "2023-12-20") == ["2023-12-18", "2023-12-19", "2023-12-20"])
        #expect(try eventDays(history.db, from: "2023-12-19", to: "2024-02-29") == ["2023-12-19", "2023-12-20"])
        #expect(try eventDays(history.db, from: "2023-01-01", to: "2023-12-18") == ["2023-12-18"])
        // A window without a start reaches the table's first period.
        #expect(try eventDays(history.db, from: nil, to: "2023-12-19") == ["2020-06-01", "2023-12-18", "2023-12-19"])
        #expect(try eventDays(history.db, from: nil, to: "2019-12-31") == [])
        #expect(try eventDays(history.db, from: "2024-03-02", to: "2024-03-01") == [])
    }

    /// Day numbers before 1970 are negative; SQLite's division and Swift's both truncate, so the
    /// periods the readers seek are the ones the table's CHECK constraint stored.
    @Test func daysBefore1970UseTheSamePeriodsAsTheTable() throws {
        let history = try TestHistory()
        try history.loadClaims([lbp("C1", "1968-12-31"), lbp("C2", "1969-01-01"), lbp("C3", "1969-12-31"), lbp("C4", "1970-01-01")])
        #expect(try rows(history.db, "SELECT period, day FROM dx_event ORDER BY day") == [[-1, -366], [-1, -365], [0, -1], [0, 0]])
        #expect(try eventDays(history.db, from: "1968-12-01", to: "1970-01-31") == ["1968-12-31", "1969-01-01", "1969-12-31", "1970-01-01"])
        #expect(try eventDays(history.db, from: nil, to: "1969-06-30") == ["1968-12-31", "1969-01-01"])
        #expect(throws: SQLiteError.self) {
            try history.db.execute("UPDATE dx_event SET period = 1 WHERE day = 0")
        }
    }

    /// Each window reads its own value set: the red flags' periods are not the episode's.
    @Test func eachValueSetIsReadInItsOwnWindow() throws {
        let history = try TestHistory()
        try history.loadClaims([
            lbp("C1", "2021-02-01", dx: ["M5450", "C50911"]), lbp("C2", "2023-11-01", dx: ["M5450", "C50911"]),
            lbp("C3", "2024-01-10"),
        ])
        let reader = HistoryReader(history.db)
        let read = try reader.memberHistory("M1", windows: [
            "LOW_BACK_PAIN": EventWindow(from: day("2023-12-01"), to: day("2024-02-07")),
            "CANCER": EventWindow(from: nil, to: day("2024-02-07")),
            "TRAUMA": EventWindow(from: day("2023-01-10"), to: day("2024-02-07")),
        ])
        #expect(read.events["LOW_BACK_PAIN"]!.map(\.claimID) == ["C3"])
        #expect(read.events["CANCER"]!.map(\.claimID) == ["C1", "C2"])
        #expect(read.events["TRAUMA"]! == [])
        #expect(read.events.count == 3)
    }

    /// A replacement or void removes the stored version's events wherever they are dated, and the
    /// new version's land in their own period.
    @Test(arguments: [false, true])
    func aReplacedOrVoidedClaimLosesItsEventsInAnEarlierPeriod(staged: Bool) throws {
        let history = try TestHistory()
        history.stagedClaims = staged
        try history.loadClaims([lbp("C1", "2021-05-01", dx: ["M5450", "C50911"]), lbp("C2", "2021-05-02")])
        try history.loadClaims([lbp("C1", "2024-01-15", dx: ["C50911"]), lbp("C3", "2024-01-16")])
        #expect(history.lastLoadWasStaged == staged)
        #expect(try rows(history.db, "SELECT period, category, claim_id FROM dx_event ORDER BY day, category") == [
            [51, "LOW_BACK_PAIN", "C2"], [54, "CANCER", "C1"], [54, "LOW_BACK_PAIN", "C3"],
        ])
        try history.loadClaims([ClaimRow(claim: "C2", member: "M1", start: "2021-05-02", dx: ["M5450"], frequency: "8")])
        #expect(try rows(history.db, "SELECT claim_id FROM dx_event ORDER BY day") == [["C1"], ["C3"]])
    }

    @Test func theTimelineReadsEveryPeriodInItsRange() throws {
        let history = try TestHistory()
        try history.loadClaims([
            lbp("C1", "2021-05-01", member: "OLD", dx: ["C50911", "M5450"]), lbp("C2", "2024-01-15", member: "M1"),
        ])
        let timeline = MemberTimeline(history.db)
        #expect(try timeline.knows(member: "OLD"))
        #expect(try timeline.knows(member: "M1"))
        #expect(try !timeline.knows(member: "NOBODY"))
        let events = try timeline.events(member: "OLD", categories: ["LOW_BACK_PAIN", "CANCER"],
                                         from: day("2020-01-01"), to: day("2024-12-31"))
        #expect(events.map { "\($0.day.iso) \($0.category) \($0.claimID) \($0.position) \($0.code)" } == [
            "2021-05-01 CANCER C1 1 C50911", "2021-05-01 LOW_BACK_PAIN C1 2 M5450",
        ])
        #expect(events.map(\.loadID) == [1, 1])
        #expect(try timeline.events(member: "OLD", categories: ["CANCER"], from: day("2021-05-02"), to: day("2024-12-31")) == [])
    }

    /// A window without ends (the timeline's default range) or a long one seeks only the periods
    /// the table holds; an empty table gives no seek at all.
    @Test func longAndOpenWindowsAreClampedToThePeriodsStored() throws {
        let open = EventWindow(from: nil, to: Day(number: Int32.max))
        let long = EventWindow(from: day("1990-01-01"), to: day("2024-12-31"))
        let short = EventWindow(from: day("2023-08-01"), to: day("2024-02-07"))
        var asked = 0
        let stored = { () -> ClosedRange<Int32>? in asked += 1; return 50...54 }
        #expect(EventPeriod.periods([open], storedPeriods: stored) == "[50,51,52,53,54]")
        #expect(EventPeriod.periods([long], storedPeriods: stored) == "[50,51,52,53,54]")
        #expect(EventPeriod.periods([short], storedPeriods: stored) == "[53,54]")
        #expect(asked == 2)
        #expect(EventPeriod.periods([short, short], storedPeriods: { nil }) == "[53,54]")
        #expect(EventPeriod.periods([open, long], storedPeriods: { nil }) == "[]")

        let history = try TestHistory()
        try history.loadClaims([lbp("C1", "2021-05-01", dx: ["C50911"]), lbp("C2", "2024-01-15", dx: ["C50911"])])
        let events = try MemberTimeline(history.db).events(member: "M1", categories: ["CANCER"],
                                                           from: Day(number: Int32.min), to: Day(number: Int32.max))
        #expect(events.map(\.claimID) == ["C1", "C2"])
    }
}
