/// A byte range in a claim's arena.
struct Span {
    var start = 0
    var count = 0
    var isEmpty: Bool { count == 0 }
}

/// One 2400 loop (LX and what follows it up to the next line or the end of the claim).
struct ServiceLine {
    /// The segment number of its LX (of its SV1/SV2 when the LX is missing).
    var segmentNumber: Int
    /// The loop's segments as they stand in the file.
    var raw = Span()
    var number = Span()
    var hasService = false
    var procedure = Span()
    var modifiers = [Span](repeating: Span(), count: 4)
    var charge = Span()
    var placeOfService = Span()
    var revenue = Span()
    /// DTP*472, as `CCYYMMDD` numbers.
    var first: Int?
    var last: Int?

    init(segmentNumber: Int) { self.segmentNumber = segmentNumber }
}

/// What one claim (2300 loop and its lines) holds, with the values it needs copied out of the
/// reader's buffer into one arena. Reused claim after claim.
final class ClaimBuffer {
    private(set) var arena: [UInt8] = []
    private let maxBytes: Int
    var kind = ClaimKind.professional
    /// The CLM segment's number in the file (the LX's, for lines outside any claim).
    var segmentNumber = 0
    var raw = Span()
    var claimID = Span()
    var facility = Span()
    var frequency = Span()
    var member = Span()
    var payer = Span()
    var hasMember = false
    var diagnoses: [Span] = []
    var hasPrincipal = false
    var icd9 = false
    var statementFirst: Int?
    var statementLast: Int?
    var lines: [ServiceLine] = []
    /// The first reason the claim cannot become rows.
    var defect: ClaimDefect?
    /// Start of the open line's raw bytes in the arena.
    var lineRawStart = 0

    init(maxBytes: Int) {
        self.maxBytes = maxBytes
        arena.reserveCapacity(4096)
        diagnoses.reserveCapacity(25)
        lines.reserveCapacity(8)
    }

    func reset(kind: ClaimKind, segmentNumber: Int) {
        arena.removeAll(keepingCapacity: true)
        self.kind = kind
        self.segmentNumber = segmentNumber
        raw = Span(); claimID = Span(); facility = Span(); frequency = Span(); member = Span(); payer = Span()
        hasMember = false
        diagnoses.removeAll(keepingCapacity: true)
        hasPrincipal = false
        icd9 = false
        statementFirst = nil
        statementLast = nil
        lines.removeAll(keepingCapacity: true)
        defect = nil
        lineRawStart = 0
    }

    /// Keeps the first defect only.
    func fail(_ defect: ClaimDefect) {
        if self.defect == nil { self.defect = defect }
    }

    /// Copies bytes into the arena; past the size limit the claim is failed and nothing is kept.
    @discardableResult
    func append(_ bytes: UnsafeBufferPointer<UInt8>) -> Span {
        guard !bytes.isEmpty else { return Span(start: arena.count, count: 0) }
        guard arena.count + bytes.count <= maxBytes else {
            fail(.malformed("the claim is longer than \(maxBytes) bytes"))
            return Span(start: arena.count, count: 0)
        }
        let span = Span(start: arena.count, count: bytes.count)
        arena.append(contentsOf: bytes)
        return span
    }

    func append(_ bytes: [UInt8]) -> Span {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// Closes the open line's raw bytes.
    func closeLine() {
        guard !lines.isEmpty else { return }
        lines[lines.count - 1].raw = Span(start: lineRawStart, count: arena.count - lineRawStart)
    }

    func bytes(_ span: Span) -> ArraySlice<UInt8> { arena[span.start..<(span.start + span.count)] }

    /// Whether every value the rows take is UTF-8 text (raw segments are not checked: they are kept as they are).
    func valuesAreUTF8() -> Bool {
        arena.withUnsafeBufferPointer { all in
            func ok(_ span: Span) -> Bool {
                let bytes = UnsafeBufferPointer(rebasing: all[span.start..<(span.start + span.count)])
                for byte in bytes where byte >= 0x80 { return String(validating: bytes, as: UTF8.self) != nil }
                return true
            }
            guard ok(claimID), ok(facility), ok(frequency), ok(member), ok(payer), diagnoses.allSatisfy(ok) else { return false }
            return lines.allSatisfy { line in
                ok(line.number) && ok(line.procedure) && line.modifiers.allSatisfy(ok) && ok(line.charge)
                    && ok(line.placeOfService) && ok(line.revenue)
            }
        }
    }
}
