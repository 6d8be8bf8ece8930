/// Which 837 a transaction set is: professional (837P, the CMS-1500) or institutional (837I, the UB-04).
public enum ClaimKind: String, Sendable {
    case professional
    case institutional

    /// The kind an implementation reference names (`005010X222A1`, `005010X223A2`, 4010's
    /// `004010X098A1` / `004010X096A1`); nil for anything else.
    static func named(by reference: UnsafeBufferPointer<UInt8>) -> ClaimKind? {
        func contains(_ text: StaticString) -> Bool {
            let needle = UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
            guard reference.count >= needle.count else { return false }
            for start in 0...(reference.count - needle.count)
            where Segment.equals(UnsafeBufferPointer(rebasing: reference[start..<(start + needle.count)]), text) {
                return true
            }
            return false
        }
        if contains("X222") || contains("X098") { return .professional }
        if contains("X223") || contains("X096") { return .institutional }
        return nil
    }
}
