/// Why an X12 file cannot be read at all (its envelope is broken). Loading stops; the file's
/// transaction is rolled back. Messages name segments and positions, never element values that
/// could identify a member.
public enum X12Error: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file does not start with an ISA segment (after an optional BOM and white space).
    case noInterchangeHeader
    /// The file is UTF-16 text; X12 is read as ASCII or UTF-8.
    case utf16
    /// The ISA segment is not the fixed 106-character segment the standard defines.
    case malformedISA(segment: Int, reason: String)
    /// An envelope segment (ISA, GS, ST, SE, GE, IEA) where the envelope does not allow it.
    case misplacedSegment(segment: Int, id: String, reason: String)
    /// The file ends inside an interchange, group or transaction set.
    case unterminated(open: String, openedAt: Int)
    /// A transaction set names an implementation that is neither 837P nor 837I.
    case unknownImplementation(segment: Int, reference: String)

    public var description: String {
        switch self {
        case .noInterchangeHeader:
            "not an X12 interchange: the file does not start with an ISA segment"
        case .utf16:
            "the file is UTF-16 text; X12 files are read as ASCII or UTF-8"
        case .malformedISA(let segment, let reason):
            "segment \(segment): the ISA segment is malformed: \(reason)"
        case .misplacedSegment(let segment, let id, let reason):
            "segment \(segment): \(id) \(reason)"
        case .unterminated(let open, let openedAt):
            "the file ends inside the \(open) opened at segment \(openedAt) (its trailer is missing)"
        case .unknownImplementation(let segment, let reference):
            "segment \(segment): the transaction set's implementation \(reference.isEmpty ? "is not given" : "'\(reference)' is unknown") "
                + "(ST03 or GS08 must name 837P 005010X222 or 837I 005010X223, or their 4010 forms X098 and X096)"
        }
    }
}
