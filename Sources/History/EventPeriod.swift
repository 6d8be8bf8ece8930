/// The partition of `dx_event` (m0005): an event's period is its day number divided by 365,
/// truncated as SQLite's integer division truncates (so period 0 holds the 729 days around
/// 1970-01-01, and every other period 365); the table's CHECK constraint holds the same formula.
/// A month's events fall in one or two periods, so a load writes within them whatever the history
/// holds; a read seeks once per period and value set it covers (`seekRanges`).
enum EventPeriod {
    static let days: Int32 = 365

    /// A window covering more periods than this is clamped to the periods stored.
    static let clampBeyond: Int32 = 3

    static func of(_ day: Day) -> Int32 { day.number / days }

    /// The index ranges holding a member's events of each value set in its window, as the JSON
    /// array `[[period, value set, first day, last day], ...]` the readers join `dx_event` with:
    /// one seek on (period, member, value set) and a day range each. A window without a start, or
    /// one longer than `clampBeyond` periods, is clamped to `storedPeriods()` (the table's first
    /// and last period; nil when it is empty), which is asked at most once.
    static func seekRanges(_ windows: [String: EventWindow],
                           storedPeriods: () throws -> ClosedRange<Int32>?) rethrows -> String {
        var stored: ClosedRange<Int32>?? = .none
        var json = "["
        for category in windows.keys.sorted() {
            let window = windows[category]!
            var first = window.from.map(of), last = of(window.to)
            if first == nil || last - first! > clampBeyond {
                if stored == nil { stored = .some(try storedPeriods()) }
                guard let bounds = stored! else { continue }
                first = max(first ?? bounds.lowerBound, bounds.lowerBound)
                last = min(last, bounds.upperBound)
            }
            guard let first, first <= last else { continue }
            let from = window.from?.number ?? Int32.min
            for period in first...last {
                if json.count > 1 { json += "," }
                json += "[\(period),\(JSONText.string(category)),\(from),\(window.to.number)]"
            }
        }
        return json + "]"
    }
}
