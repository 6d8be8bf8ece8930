extension Sequence where Element == UInt8 {
    /// The bytes as lower-case hexadecimal (a SHA-256 digest → 64 characters). Inlinable, so it is
    /// specialised for the caller's sequence (a generic byte loop across modules is slow).
    @inlinable
    public var hexString: String {
        var out: [UInt8] = []
        out.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            out.append(Self.hexDigit(byte >> 4))
            out.append(Self.hexDigit(byte & 15))
        }
        return String(decoding: out, as: UTF8.self)
    }

    @inlinable
    static func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? 48 + value : 87 + value }
}
