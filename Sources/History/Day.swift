/// A calendar date as a day number (days since 1970-01-01), the unit of every window in the policy.
///
/// Stored in SQLite as that integer; `date(day * 86400, 'unixepoch')` shows it in the shell.
/// ```swift
/// let i = Day(iso: "2024-03-01")!
/// i.adding(days: 28).iso          // "2024-03-29"
/// Day(iso: "2024-02-29")!.yearsEarlier(1).iso   // "2023-02-28"
/// ```
public struct Day: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before).
    public let number: Int32

    public init(number: Int32) { self.number = number }

    /// A validated calendar date; nil for a day that does not exist (Feb 30, month 13, year 0).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= Day.daysInMonth(year: year, month: month) else { return nil }
        self.number = Int32(Day.daysFromCivil(year: year, month: month, day: day))
    }

    /// A day from components without the year check: window arithmetic on a date near 9999-12-31
    /// may step past year 9999 (the day number is still exact). `day` must exist in that month.
    init(unchecked year: Int, month: Int, day: Int) {
        self.number = Int32(Day.daysFromCivil(year: year, month: month, day: day))
    }

    /// Parses `YYYY-MM-DD` or `YYYYMMDD`; nil for any other form or an impossible date.
    public init?(iso text: String) {
        var copy = text
        guard let day = copy.withUTF8({ Day.parse($0) }) else { return nil }
        self = day
    }

    /// Parses `YYYY-MM-DD` or `YYYYMMDD` from UTF-8 bytes; nil for any other form or an impossible date.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Day? {
        @inline(__always) func digits(_ from: Int, _ count: Int) -> Int? {
            var value = 0
            for i in from..<(from + count) {
                let c = bytes[i] &- 48
                guard c < 10 else { return nil }
                value = value * 10 + Int(c)
            }
            return value
        }
        let y, m, d: Int?
        switch bytes.count {
        case 10:
            guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
            (y, m, d) = (digits(0, 4), digits(5, 2), digits(8, 2))
        case 8:
            (y, m, d) = (digits(0, 4), digits(4, 2), digits(6, 2))
        default:
            return nil
        }
        guard let y, let m, let d else { return nil }
        return Day(year: y, month: m, day: d)
    }

    /// (year, month, day) of this date.
    public var components: (year: Int, month: Int, day: Int) {
        Day.civilFromDays(Int(number))
    }

    /// `YYYY-MM-DD`.
    public var iso: String {
        let (y, m, d) = components
        func digits(_ value: Int, _ count: Int) -> [UInt8] {
            (0..<count).reversed().map { UInt8(48 + value / Int(Day.pow10[$0]) % 10) }
        }
        // Window arithmetic may step past 9999 (`Day(unchecked:)`): such a year is written in full.
        let year = (0...9999).contains(y) ? digits(y, 4) : Array(String(y).utf8)
        return String(decoding: year + [45] + digits(m, 2) + [45] + digits(d, 2), as: UTF8.self)
    }

    public var description: String { iso }

    public func adding(days: Int) -> Day { Day(number: number + Int32(days)) }

    /// Whole days from `other` to this day (positive when this day is later).
    public func days(since other: Day) -> Int { Int(number - other.number) }

    /// The same month and day `years` earlier; Feb 29 becomes Feb 28 in a year without it.
    public func yearsEarlier(_ years: Int) -> Day {
        let (y, m, d) = components
        let year = y - years
        return Day(unchecked: year, month: m, day: min(d, Day.daysInMonth(year: year, month: m)))
    }

    public static func < (a: Day, b: Day) -> Bool { a.number < b.number }

    private static let pow10: [Int32] = [1, 10, 100, 1000]

    // MARK: Calendar arithmetic (proleptic Gregorian; H. Hinnant's days-from-civil)

    public static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// The same month and day `years` later; Feb 29 becomes Feb 28 in a year without it.
    public func yearsLater(_ years: Int) -> Day {
        let (y, m, d) = components
        let year = y + years
        return Day(unchecked: year, month: m, day: min(d, Day.daysInMonth(year: year, month: m)))
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

extension Day: Codable {
    /// Encoded as `YYYY-MM-DD`.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let day = Day(iso: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a date")
        }
        self = day
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }
}
