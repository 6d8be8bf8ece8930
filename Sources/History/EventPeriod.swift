/// The partition of `dx_event` (m0005): an event's period is its day number divided by 365,
/// truncated as SQLite's integer division truncates (so period 0 holds the 729 days around
/// 1970-01-01, and every other period 365); the table's CHECK constraint holds the same formula.
/// A month's events fall in one or two periods, so a load writes within them whatever the history
/// holds; a member's read seeks once per period its windows cover (`periods`).
enum EventPeriod {
    static let days: Int32 = 365

    /// A window covering more periods than this is clamped to the periods stored.
    static let clampBeyond: Int32 = 3

    static func of(_ day: Day) -> Int32 { day.number / days }

    /// The periods holding the events of the windows, ascending, as the JSON array the member
    /// read seeks with (one seek on (period, member) each). A window without a start, or one
    /// longer than `clampBeyond` periods, is clamped to `storedPeriods()` (the table's first and
    /// last period; nil when it is empty), which is asked at most once.
    static func periods(_ windows: some Sequence<EventWindow>,
                        storedPeriods: () throws -> ClosedRange<Int32>?) rethrows -> String {
        var stored: ClosedRange<Int32>?? = .none
        var periods = Set<Int32>()
        for window in windows {
            var first = window.from.map(of), last = of(window.to)
            if first == nil || last - first! > clampBeyond {
                if stored == nil { stored = .some(try storedPeriods()) }
                guard let bounds = stored! else { continue }
                first = max(first ?? bounds.lowerBound, bounds.lowerBound)
                last = min(last, bounds.upperBound)
            }
            guard let first, first <= last else { continue }
            periods.formUnion(first...last)
        }
        return "[" + periods.sorted().map(String.init).joined(separator: ",") + "]"
    }
}
