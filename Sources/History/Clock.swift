#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the engine reads the time (ledger entries, decisions). Tests fix it.
public struct Clock: Sendable {
    private let now: @Sendable () -> Int64

    /// A clock that returns the given seconds since 1970 (UTC).
    public init(secondsSince1970: @escaping @Sendable () -> Int64) { self.now = secondsSince1970 }

    /// The system's clock.
    public static let system = Clock { Int64(time(nil)) }

    /// A clock stopped at `seconds` since 1970 (UTC).
    public static func fixed(_ seconds: Int64) -> Clock { Clock { seconds } }

    /// Now, as `YYYY-MM-DDTHH:MM:SSZ` in UTC.
    public func timestamp() -> String {
        let seconds = now()
        let day = Day(number: Int32((seconds >= 0 ? seconds : seconds - 86_399) / 86_400))
        let rest = Int(seconds - Int64(day.number) * 86_400)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(day.iso)T\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60))Z"
    }
}
