/// The interchange (ISA/IEA), functional group (GS/GE) and transaction set (ST/SE) a segment
/// stands in, checked as segments go by.
///
/// Nesting is enforced (a GS outside an interchange, a claim segment outside ST...SE, a file that
/// ends inside an envelope: `X12Error`); trailer counts and control numbers that disagree with
/// what was read (SE01/SE02, GE01/GE02, IEA01/IEA02) are warnings only.
struct Envelope {
    /// What the reader should do with a segment.
    enum Event {
        /// An envelope segment, handled here.
        case envelope
        /// An 837 transaction set of this kind begins.
        case transactionStart(ClaimKind)
        /// The transaction set ends (SE).
        case transactionEnd
        /// A segment inside an 837 transaction set.
        case body
        /// A segment inside a transaction set that is not an 837 (skipped).
        case skipped
    }

    private enum Level { case outside, interchange, group, transaction }
    private var level = Level.outside
    private var interchangeAt = 0, groupAt = 0, transactionAt = 0
    private var interchangeControl: [UInt8] = [], groupControl: [UInt8] = [], transactionControl: [UInt8] = []
    private var groupsInInterchange = 0, transactionsInGroup = 0, segmentsInTransaction = 0
    private var groupReference: [UInt8] = []
    private var transactionIs837 = false
    private(set) var interchanges = 0
    /// Trailer counts and control numbers that disagree, in file order.
    private(set) var warnings: [String] = []

    mutating func accept(_ segment: Segment, number: Int) throws -> Event {
        if level == .transaction { segmentsInTransaction += 1 }
        switch segment[0].count {
        case 2 where segment.is("GS"):
            guard level == .interchange else { throw misplaced(segment, number, "opens a functional group outside an interchange or inside another group (a GE is missing)") }
            level = .group
            groupAt = number
            groupControl = Array(segment[6])
            groupReference = Array(segment[8])
            groupsInInterchange += 1
            transactionsInGroup = 0
            return .envelope
        case 2 where segment.is("ST"):
            guard level == .group else { throw misplaced(segment, number, "opens a transaction set outside a functional group or inside another transaction set (an SE is missing)") }
            level = .transaction
            transactionAt = number
            transactionControl = Array(segment[2])
            transactionsInGroup += 1
            segmentsInTransaction = 1
            transactionIs837 = segment.element(1, is: "837")
            guard transactionIs837 else {
                warnings.append("segment \(number): transaction set '\(Self.printable(Array(segment[1].prefix(6))))' is not an 837; skipped")
                return .skipped
            }
            // ST03 names the implementation; where it is absent or unknown, GS08 does.
            if let kind = ClaimKind.named(by: segment[3]) { return .transactionStart(kind) }
            if let kind = groupReference.withUnsafeBufferPointer({ ClaimKind.named(by: $0) }) { return .transactionStart(kind) }
            let reference = segment[3].isEmpty ? groupReference : Array(segment[3])
            throw X12Error.unknownImplementation(segment: number, reference: Self.printable(reference))
        case 2 where segment.is("SE"):
            guard level == .transaction else { throw misplaced(segment, number, "closes a transaction set that is not open") }
            level = .group
            check(segment[1], counted: segmentsInTransaction, what: "SE01", unit: "segments", number: number)
            checkControl(segment[2], transactionControl, what: "SE02", opener: "ST02", number: number)
            return transactionIs837 ? .transactionEnd : .skipped
        case 2 where segment.is("GE"):
            guard level == .group else { throw misplaced(segment, number, "closes a functional group that is not open (or a transaction set is still open)") }
            level = .interchange
            check(segment[1], counted: transactionsInGroup, what: "GE01", unit: "transaction sets", number: number)
            checkControl(segment[2], groupControl, what: "GE02", opener: "GS06", number: number)
            return .envelope
        case 3 where segment.is("ISA"):
            guard level == .outside else { throw misplaced(segment, number, "opens an interchange before the one opened at segment \(interchangeAt) is closed (an IEA is missing)") }
            level = .interchange
            interchangeAt = number
            interchangeControl = Array(segment[13])
            groupsInInterchange = 0
            interchanges += 1
            return .envelope
        case 3 where segment.is("IEA"):
            guard level == .interchange else { throw misplaced(segment, number, "closes an interchange that is not open (or a group is still open)") }
            level = .outside
            check(segment[1], counted: groupsInInterchange, what: "IEA01", unit: "functional groups", number: number)
            checkControl(segment[2], interchangeControl, what: "IEA02", opener: "ISA13", number: number)
            return .envelope
        case 3 where segment.is("TA1") && level == .interchange:
            return .envelope
        default:
            guard level == .transaction else {
                throw misplaced(segment, number, level == .outside ? "stands outside an interchange (ISA...IEA)" : "stands outside a transaction set (ST...SE)")
            }
            return transactionIs837 ? .body : .skipped
        }
    }

    /// Checks that nothing is left open at the end of the file.
    func finish() throws {
        switch level {
        case .outside: return
        case .interchange: throw X12Error.unterminated(open: "interchange", openedAt: interchangeAt)
        case .group: throw X12Error.unterminated(open: "functional group", openedAt: groupAt)
        case .transaction: throw X12Error.unterminated(open: "transaction set", openedAt: transactionAt)
        }
    }

    private func misplaced(_ segment: Segment, _ number: Int, _ reason: String) -> X12Error {
        .misplacedSegment(segment: number, id: segment.id, reason: reason)
    }

    private mutating func check(_ declared: UnsafeBufferPointer<UInt8>, counted: Int, what: String, unit: String, number: Int) {
        var value = 0, digits = 0
        for byte in declared {
            guard byte >= 48 && byte <= 57, digits < 12 else { value = -1; break }
            value = value * 10 + Int(byte - 48)
            digits += 1
        }
        if digits == 0 { value = -1 }
        if value != counted {
            warnings.append("segment \(number): \(what) says \(value < 0 ? "'\(Self.printable(Array(declared.prefix(12))))'" : String(value)) \(unit); the file has \(counted)")
        }
    }

    private mutating func checkControl(_ trailer: UnsafeBufferPointer<UInt8>, _ expected: [UInt8], what: String, opener name: String, number: Int) {
        if !trailer.elementsEqual(expected) {
            warnings.append("segment \(number): control number \(what) differs from \(name)")
        }
    }

    static func printable(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.prefix(40).map { $0 >= 32 && $0 < 127 ? $0 : 63 }, as: UTF8.self)
    }
}
