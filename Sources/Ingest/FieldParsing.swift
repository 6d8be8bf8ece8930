/// Byte-level parsing of one field, straight from the reader's buffer (no String per field).
enum Field {
    /// The field without leading and trailing spaces and tabs.
    @inline(__always)
    static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var start = 0, end = bytes.count
        while start < end, bytes[start] == 32 || bytes[start] == 9 { start += 1 }
        while end > start, bytes[end - 1] == 32 || bytes[end - 1] == 9 { end -= 1 }
        if start == 0 && end == bytes.count { return bytes }
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }

    /// A positive integer written with digits only (`01` is 1); nil otherwise.
    static func positiveInteger(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var value = 0
        for byte in bytes {
            let digit = byte &- 48
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
            if value > Int(Int32.max) { return nil }
        }
        return value > 0 ? value : nil
    }

    /// Whether the bytes are valid UTF-8 (fast path for ASCII).
    static func isUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in bytes where byte >= 0x80 {
            return String(validating: bytes, as: UTF8.self) != nil
        }
        return true
    }

    /// Case-insensitive ASCII comparison with a lower-case literal.
    static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ lower: StaticString) -> Bool {
        guard bytes.count == lower.utf8CodeUnitCount else { return false }
        let other = lower.utf8Start
        for i in 0..<bytes.count {
            var c = bytes[i]
            if c >= 65 && c <= 90 { c += 32 }
            if c != other[i] { return false }
        }
        return true
    }

    /// Appends the normalised code (no spaces or dots, upper case) to `out`.
    @inline(__always)
    static func appendNormalizedCode(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        for byte in bytes where byte != 46 && byte != 32 && byte != 9 {
            out.append(byte >= 97 && byte <= 122 ? byte - 32 : byte)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends the normalised code (as `appendNormalizedCode`) escaped for a JSON string.
    static func appendNormalizedCodeAsJSON(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        for byte in bytes where byte != 46 && byte != 32 && byte != 9 {
            switch byte {
            case 34, 92: out.append(92); out.append(byte)
            case 0..<32: out += [92, 117, 48, 48, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 15)]]   // \u00XX
            case 97...122: out.append(byte - 32)
            default: out.append(byte)
            }
        }
    }
}
