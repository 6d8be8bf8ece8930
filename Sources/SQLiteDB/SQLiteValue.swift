/// A database value, for generic binds and reads on cold paths.
public enum SQLiteValue: Equatable, Hashable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

extension SQLiteValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(nilLiteral: ()) { self = .null }

    /// `nil` becomes NULL.
    public static func optional(_ value: String?) -> SQLiteValue { value.map { .text($0) } ?? .null }
    /// `nil` becomes NULL.
    public static func optional(_ value: Int32?) -> SQLiteValue { value.map { .integer(Int64($0)) } ?? .null }
}
