import Foundation
import History

/// One end of a red-flag window, relative to the index date I: `-1y`, `-90d`, `+28d`, `0d`,
/// or unbounded (JSON `null`, allowed for the start only: "any date on or before").
public enum WindowBound: Sendable, Equatable, Codable, CustomStringConvertible {
    case unbounded
    case days(Int)
    /// Calendar years: the same month and day (Feb 29 → Feb 28).
    case years(Int)

    /// Parses `-1y`, `+28d`, `0d`.
    public init?(text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let unit = trimmed.last, unit == "d" || unit == "y" else { return nil }
        guard let value = Int(trimmed.dropLast()) else { return nil }
        self = unit == "d" ? .days(value) : .years(value)
    }

    public var description: String {
        switch self {
        case .unbounded: "unbounded"
        case .days(let n): (n >= 0 ? "+" : "") + "\(n)d"
        case .years(let n): (n >= 0 ? "+" : "") + "\(n)y"
        }
    }

    /// The day this bound falls on for index date `index` (nil when unbounded).
    public func day(from index: Day) -> Day? {
        switch self {
        case .unbounded: nil
        case .days(let n): index.adding(days: n)
        case .years(let n): n <= 0 ? index.yearsEarlier(-n) : index.yearsLater(n)
        }
    }

    /// At most how many days after I this bound falls (0 for a bound before I or unbounded).
    public var maxDaysAfter: Int {
        switch self {
        case .unbounded: 0
        case .days(let n): max(0, n)
        case .years(let n): max(0, n) * 366
        }
    }

    /// Whether the offset is within `days` days or `years` years of I.
    public func isWithin(days: Int, years: Int) -> Bool {
        switch self {
        case .unbounded: true
        case .days(let n): n.magnitude <= UInt(days)
        case .years(let n): n.magnitude <= UInt(years)
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .unbounded; return }
        let text = try container.decode(String.self)
        guard let bound = WindowBound(text: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a window bound like -1y, -90d or +28d")
        }
        self = bound
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if case .unbounded = self { try container.encodeNil() } else { try container.encode(description) }
    }
}
